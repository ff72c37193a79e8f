//! The SQLite writer: one thread owns the write connection and commits requests in
//! groups. It takes the first waiting request, then whatever else is already waiting
//! (up to [`MAX_GROUP`]), runs each inside its own savepoint of one transaction, and
//! commits once. A request that fails rolls back its savepoint only; every caller is
//! answered after the commit, so a reply always describes what is on disk.

use std::panic::AssertUnwindSafe;
use std::sync::mpsc::{Receiver, Sender, TryRecvError};
use std::sync::{Arc, Mutex};

use super::sqlite::map_err;
use super::{DbError, Tx};
use crate::kernel::error::AppError;

const MAX_GROUP: usize = 128;

pub struct Job {
    /// Runs the request; true when it succeeded and should be kept.
    run: Box<dyn for<'a> FnOnce(&mut Tx<'a>) -> bool + Send>,
    /// Answers the caller once the group is committed (or failed with this error).
    reply: Box<dyn FnOnce(Option<DbError>) + Send>,
}

/// Wrap a request and the channel its answer goes back on.
pub fn job<T, F>(f: F, answer: tokio::sync::oneshot::Sender<Result<T, AppError>>) -> Job
where
    T: Send + 'static,
    F: FnOnce(&mut Tx<'_>) -> Result<T, AppError> + Send + 'static,
{
    let slot: Arc<Mutex<Option<Result<T, AppError>>>> = Arc::new(Mutex::new(None));
    let keep = slot.clone();
    Job {
        run: Box::new(move |tx| {
            let r = std::panic::catch_unwind(AssertUnwindSafe(|| f(tx)))
                .unwrap_or_else(|_| Err(AppError::internal("a write panicked and was rolled back")));
            let ok = r.is_ok();
            if let Ok(mut s) = keep.lock() {
                *s = Some(r);
            }
            ok
        }),
        reply: Box::new(move |failure| {
            let r = slot.lock().ok().and_then(|mut s| s.take());
            let out = match (r, failure) {
                (Some(Ok(v)), None) => Ok(v),
                (Some(Err(e)), _) => Err(e),
                (_, Some(e)) => Err(e.into()),
                (None, None) => Err(AppError::internal("write produced no result")),
            };
            let _ = answer.send(out);
        }),
    }
}

pub fn start(conn: rusqlite::Connection) -> Sender<Job> {
    let (tx, rx) = std::sync::mpsc::channel::<Job>();
    let spawned = std::thread::Builder::new().name("zaizao-writer".into()).spawn(move || writer(conn, rx));
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start the database writer");
    }
    tx
}

fn writer(mut conn: rusqlite::Connection, rx: Receiver<Job>) {
    while let Ok(first) = rx.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(j) => group.push(j),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
            }
        }
        commit_group(&mut conn, group);
    }
}

fn commit_group(conn: &mut rusqlite::Connection, group: Vec<Job>) {
    let tx = match super::sqlite::begin(conn, rusqlite::TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => {
            for j in group {
                (j.reply)(Some(DbError::Unavailable(e.to_string())));
            }
            return;
        }
    };
    let mut tx = Tx::Sqlite(tx);
    let mut replies = Vec::with_capacity(group.len());
    for j in group {
        let began = savepoint(&mut tx, "SAVEPOINT request");
        if began.is_err() {
            replies.push((j.reply, began.err()));
            continue;
        }
        let ok = (j.run)(&mut tx);
        let closed = if ok {
            savepoint(&mut tx, "RELEASE request")
        } else {
            savepoint(&mut tx, "ROLLBACK TO request").and_then(|()| savepoint(&mut tx, "RELEASE request"))
        };
        replies.push((j.reply, closed.err()));
    }
    let committed = match tx {
        Tx::Sqlite(t) => t.commit().map_err(map_err),
        Tx::Pg(_) => Err(DbError::Other("not a SQLite transaction".into())),
    };
    for (reply, own_error) in replies {
        let failure = match (&committed, own_error) {
            (Err(e), _) => Some(DbError::Unavailable(e.to_string())),
            (Ok(()), e) => e,
        };
        reply(failure);
    }
}

fn savepoint(tx: &mut Tx<'_>, sql: &str) -> Result<(), DbError> {
    match tx {
        Tx::Sqlite(t) => t.execute_batch(sql).map_err(map_err),
        Tx::Pg(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use crate::kernel::db::Db;
    use crate::kernel::error::AppError;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_request_rolls_back_alone_and_the_rest_of_its_group_commits() {
        let dir = std::env::temp_dir().join(format!("zaizao-group-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let db = Db::open(&dir.join("g.db").display().to_string()).unwrap_or_else(|e| unreachable!("{e}"));
        db.write(|tx| Ok(tx.execute("CREATE TABLE t (n INTEGER NOT NULL)", &[])?)).await.ok();
        let mut handles = Vec::new();
        for i in 0..90i64 {
            let db = db.clone();
            handles.push(tokio::spawn(async move {
                db.write(move |tx| {
                    tx.execute("INSERT INTO t (n) VALUES ($1)", crate::params![i])?;
                    if i % 3 == 0 { Err(AppError::conflict("duplicate")) } else { Ok(i) }
                })
                .await
            }));
        }
        let mut ok = 0;
        for h in handles {
            if matches!(h.await, Ok(Ok(_))) {
                ok += 1;
            }
        }
        let rows = db.read(|tx| Ok(tx.count("SELECT COUNT(*) FROM t", &[])?)).await.unwrap_or(-1);
        let failed_rows =
            db.read(|tx| Ok(tx.count("SELECT COUNT(*) FROM t WHERE n % 3 = 0", &[])?)).await.unwrap_or(-1);
        assert_eq!((ok, rows, failed_rows), (60, 60, 0));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
