use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::types::{ToSqlOutput, ValueRef};

use super::group_commit::Job;
use super::pool::{Pool, Pooled};
use super::{DbError, Row, Tx, Value};
use crate::kernel::error::AppError;

const READERS: usize = 4;

pub struct SqliteBackend {
    path: PathBuf,
    jobs: std::sync::mpsc::Sender<Job>,
    /// Bounds the write requests waiting for the writer.
    queue: Arc<tokio::sync::Semaphore>,
    readers: Arc<Pool<rusqlite::Connection>>,
}

const MAX_QUEUED_WRITES: usize = 1024;

fn connect(path: &Path) -> Result<rusqlite::Connection, DbError> {
    let conn =
        rusqlite::Connection::open(path).map_err(|e| DbError::Unavailable(format!("{}: {e}", path.display())))?;
    conn.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; \
         PRAGMA busy_timeout=5000; PRAGMA temp_store=MEMORY;",
    )
    .map_err(|e| DbError::Unavailable(format!("{}: {e}", path.display())))?;
    conn.set_prepared_statement_cache_capacity(256);
    Ok(conn)
}

impl SqliteBackend {
    pub fn open(path: &str) -> Result<Self, DbError> {
        let path = PathBuf::from(path);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| DbError::Unavailable(format!("{}: {e}", dir.display())))?;
        }
        let writer = connect(&path)?;
        let readers = (0..READERS).map(|_| connect(&path)).collect::<Result<Vec<_>, _>>()?;
        Ok(SqliteBackend {
            jobs: super::group_commit::start(writer),
            queue: Arc::new(tokio::sync::Semaphore::new(MAX_QUEUED_WRITES)),
            readers: Pool::new(READERS, readers),
            path,
        })
    }
    pub fn path(&self) -> &Path {
        &self.path
    }
    /// Hand a write to the writer thread and wait for the group it joins to commit.
    pub async fn write<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Tx<'_>) -> Result<T, AppError> + Send + 'static,
    {
        let _permit = self.queue.acquire().await.map_err(|_| DbError::Unavailable("writer closed".into()))?;
        let (answer, reply) = tokio::sync::oneshot::channel();
        self.jobs
            .send(super::group_commit::job(f, answer))
            .map_err(|_| DbError::Unavailable("writer stopped".into()))?;
        reply.await.map_err(|_| DbError::Unavailable("writer stopped".into()))?
    }
    pub async fn reader(&self) -> Pooled<rusqlite::Connection> {
        self.readers.get().await
    }
    /// A connection of its own, for commands and start-up work outside the server's
    /// request path (SQLite's busy timeout orders it with the writer thread).
    pub fn own_connection(&self) -> Result<rusqlite::Connection, DbError> {
        connect(&self.path)
    }
    pub fn backup(&self, dest: &Path) -> Result<(), DbError> {
        let src = self.readers.get_blocking();
        let conn = src.conn.as_ref().ok_or_else(|| DbError::Unavailable("no connection".into()))?;
        let dest = dest.to_str().ok_or_else(|| DbError::Other("backup path is not UTF-8".into()))?;
        conn.execute("VACUUM INTO ?1", [dest]).map_err(map_err)?;
        Ok(())
    }
}

pub fn in_tx<T>(
    conn: &mut rusqlite::Connection,
    write: bool,
    f: impl FnOnce(&mut Tx<'_>) -> Result<T, AppError>,
) -> Result<T, AppError> {
    let behavior =
        if write { rusqlite::TransactionBehavior::Immediate } else { rusqlite::TransactionBehavior::Deferred };
    let mut tx = Tx::Sqlite(begin(conn, behavior)?);
    let out = f(&mut tx)?;
    if let Tx::Sqlite(tx) = tx {
        tx.commit().map_err(map_err)?;
    }
    Ok(out)
}

const BEGIN_ATTEMPTS: u32 = 8;

/// Begin a transaction and take its locks now: a deferred one reads the schema so that
/// its snapshot is open before the caller's statements run. Under heavy load WAL mode can
/// refuse a lock for a moment (`SQLITE_BUSY`, `SQLITE_PROTOCOL`); nothing has been read or
/// written yet, so the attempt is simply repeated after a short pause.
pub fn begin(
    conn: &rusqlite::Connection,
    behavior: rusqlite::TransactionBehavior,
) -> Result<rusqlite::Transaction<'_>, DbError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let opened = rusqlite::Transaction::new_unchecked(conn, behavior).and_then(|tx| {
            if matches!(behavior, rusqlite::TransactionBehavior::Deferred) {
                tx.prepare_cached("SELECT 1 FROM sqlite_schema LIMIT 1")?.query([])?.next()?;
            }
            Ok(tx)
        });
        match opened.map_err(map_err) {
            Err(DbError::Unavailable(_)) if attempt < BEGIN_ATTEMPTS => {
                std::thread::sleep(std::time::Duration::from_millis(5 << attempt));
            }
            other => return other,
        }
    }
}

/// `$1` → `?1`: SQLite reads `$1` as a *named* parameter numbered by first appearance.
fn translate(sql: &str) -> std::borrow::Cow<'_, str> {
    if !sql.contains('$') {
        return sql.into();
    }
    sql.replace('$', "?").into()
}

struct Param<'a>(&'a Value);

impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self.0 {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(v) => ToSqlOutput::Borrowed(ValueRef::Integer(*v)),
            Value::Real(v) => ToSqlOutput::Borrowed(ValueRef::Real(*v)),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        })
    }
}

pub fn query(tx: &rusqlite::Transaction<'_>, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError> {
    let mut stmt = tx.prepare_cached(&translate(sql)).map_err(map_err)?;
    let n = stmt.column_count();
    let names: std::sync::Arc<[String]> = stmt.column_names().iter().map(|n| (*n).to_owned()).collect();
    let params: Vec<Param<'_>> = params.iter().map(Param).collect();
    let mut rows = stmt.query(rusqlite::params_from_iter(params.iter())).map_err(map_err)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(map_err)? {
        let mut vals = Vec::with_capacity(n);
        for i in 0..n {
            vals.push(match r.get_ref(i).map_err(map_err)? {
                ValueRef::Null => Value::Null,
                ValueRef::Integer(v) => Value::Int(v),
                ValueRef::Real(v) => Value::Real(v),
                ValueRef::Text(t) | ValueRef::Blob(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
            });
        }
        out.push(Row::new(vals, names.clone()));
    }
    Ok(out)
}

pub fn execute(tx: &rusqlite::Transaction<'_>, sql: &str, params: &[Value]) -> Result<u64, DbError> {
    let mut stmt = tx.prepare_cached(&translate(sql)).map_err(map_err)?;
    let params: Vec<Param<'_>> = params.iter().map(Param).collect();
    stmt.execute(rusqlite::params_from_iter(params.iter())).map(|n| n as u64).map_err(map_err)
}

pub fn map_err(e: rusqlite::Error) -> DbError {
    use rusqlite::ffi::ErrorCode;
    match &e {
        rusqlite::Error::SqliteFailure(f, msg) => {
            let msg = msg.clone().unwrap_or_default();
            match f.code {
                ErrorCode::ConstraintViolation if msg.contains("UNIQUE") => DbError::Unique(msg),
                ErrorCode::ConstraintViolation if msg.contains("FOREIGN KEY") => DbError::ForeignKey(msg),
                ErrorCode::CannotOpen
                | ErrorCode::NotADatabase
                | ErrorCode::DiskFull
                | ErrorCode::SystemIoFailure
                | ErrorCode::DatabaseBusy
                | ErrorCode::DatabaseLocked
                | ErrorCode::FileLockingProtocolFailed
                | ErrorCode::ReadOnly => DbError::Unavailable(format!("{e}")),
                _ => DbError::Other(format!("{e}")),
            }
        }
        _ => DbError::Other(format!("{e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::{DbError, begin, connect, map_err};
    use rusqlite::TransactionBehavior::{Deferred, Immediate};

    #[test]
    fn a_wal_lock_protocol_failure_is_a_moment_of_unavailability_not_an_internal_error() {
        let e = rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_PROTOCOL), None);
        assert!(matches!(map_err(e), DbError::Unavailable(_)));
    }

    #[test]
    fn a_transaction_waits_out_a_lock_that_is_released_soon() {
        let dir = std::env::temp_dir().join(format!("zaizao-begin-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join("b.db");
        let holder = connect(&path).unwrap_or_else(|e| unreachable!("{e}"));
        holder.execute_batch("CREATE TABLE t (n INTEGER); BEGIN IMMEDIATE; INSERT INTO t VALUES (1);").ok();
        let waiter = connect(&path).unwrap_or_else(|e| unreachable!("{e}"));
        waiter.execute_batch("PRAGMA busy_timeout=0").ok();
        let release = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(100));
            holder.execute_batch("COMMIT").is_ok()
        });
        let opened = begin(&waiter, Immediate).and_then(|tx| tx.commit().map_err(map_err));
        assert!(release.join().unwrap_or(false));
        assert!(opened.is_ok(), "{opened:?}");
        let read =
            begin(&waiter, Deferred).map(|tx| tx.query_row("SELECT COUNT(*) FROM t", [], |r| r.get::<_, i64>(0)));
        assert!(matches!(read, Ok(Ok(1))), "{read:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
