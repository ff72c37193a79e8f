//! Which processes have a database open as a server. Every running server holds a
//! shared lock for its lifetime (several servers may share one PostgreSQL database);
//! `zaizao restore` needs the exclusive one and refuses while any server holds it. On
//! SQLite the lock is an OS file lock beside the database file; on PostgreSQL a
//! session advisory lock, held on a connection of its own.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::PathBuf;
use std::sync::mpsc;

use anyhow::{Context, bail};

/// The advisory lock key of "a server has this database open" (the migration lock is
/// 20190410).
const SERVING_KEY: i64 = 20_190_411;

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// The lock file beside a SQLite database, created with its folder when missing.
fn open_lock_file(url: &str) -> anyhow::Result<(PathBuf, File)> {
    let path = PathBuf::from(format!("{}.serving", url.strip_prefix("sqlite://").unwrap_or(url)));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    Ok((path, file))
}

/// A lock on the database, released when dropped.
pub struct DbLock {
    held: Held,
}

enum Held {
    File(#[allow(dead_code)] File),
    /// The thread that owns the PostgreSQL session holding the lock; it ends the session
    /// when told (or when this sender is dropped), outside any async runtime.
    Session(Option<mpsc::Sender<()>>, Option<std::thread::JoinHandle<()>>),
}

impl Drop for DbLock {
    fn drop(&mut self) {
        if let Held::Session(stop, thread) = &mut self.held {
            drop(stop.take());
            if let Some(t) = thread.take() {
                let _ = t.join();
            }
        }
    }
}

/// Hold a PostgreSQL advisory lock on a connection owned by its own thread. `sql` must
/// answer one boolean: whether the lock was taken.
fn session_lock(url: &str, sql: &'static str) -> anyhow::Result<Option<DbLock>> {
    let (stop_tx, stop_rx) = mpsc::channel::<()>();
    let (ready_tx, ready_rx) = mpsc::channel::<anyhow::Result<bool>>();
    let url = url.to_owned();
    let thread = std::thread::spawn(move || {
        let mut client = match postgres::Client::connect(&url, postgres::NoTls) {
            Ok(c) => c,
            Err(e) => {
                let _ = ready_tx.send(Err(anyhow::anyhow!("cannot connect to hold the database lock: {e}")));
                return;
            }
        };
        match client.query_one(sql, &[&SERVING_KEY]) {
            Ok(row) => {
                let taken: bool = row.get(0);
                let _ = ready_tx.send(Ok(taken));
                if taken {
                    let _ = stop_rx.recv();
                }
            }
            Err(e) => {
                let _ = ready_tx.send(Err(anyhow::anyhow!("cannot take the database lock: {e}")));
            }
        }
        drop(client);
    });
    let taken = ready_rx.recv().context("the database lock thread ended")??;
    if taken {
        Ok(Some(DbLock { held: Held::Session(Some(stop_tx), Some(thread)) }))
    } else {
        let _ = thread.join();
        Ok(None)
    }
}

/// Held by a running server for as long as it serves.
pub fn hold_as_server(url: &str) -> anyhow::Result<DbLock> {
    if is_postgres(url) {
        let sql = "SELECT pg_try_advisory_lock_shared($1)";
        return session_lock(url, sql)?.context("the database is being restored; try again when it is done");
    }
    let (path, file) = open_lock_file(url)?;
    match file.try_lock_shared() {
        Ok(()) => Ok(DbLock { held: Held::File(file) }),
        Err(TryLockError::WouldBlock) => bail!("the database is being restored; try again when it is done"),
        Err(TryLockError::Error(e)) => Err(e).with_context(|| format!("cannot lock {}", path.display())),
    }
}

/// The whole database, for replacing it; `None` while a server holds it.
pub fn take_exclusive(url: &str) -> anyhow::Result<Option<DbLock>> {
    if is_postgres(url) {
        return session_lock(url, "SELECT pg_try_advisory_lock($1)");
    }
    let (path, file) = open_lock_file(url)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(DbLock { held: Held::File(file) })),
        Err(TryLockError::WouldBlock) => Ok(None),
        Err(TryLockError::Error(e)) => Err(e).with_context(|| format!("cannot lock {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_keeps_the_restore_out_and_servers_share() {
        let dir = std::env::temp_dir().join(format!("zaizao-serving-{}", std::process::id()));
        std::fs::create_dir_all(&dir).ok();
        let url = format!("sqlite://{}", dir.join("z.db").display());
        let one = hold_as_server(&url).expect("first server");
        let two = hold_as_server(&url).expect("a second server shares");
        assert!(take_exclusive(&url).expect("try").is_none(), "refused while served");
        drop(one);
        drop(two);
        let restoring = take_exclusive(&url).expect("try").expect("free once the servers stop");
        assert!(hold_as_server(&url).is_err(), "no server starts during a restore");
        drop(restoring);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
