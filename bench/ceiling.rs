//! The ceiling of our own stack on this machine: the same framework answering with
//! nothing, and one insert plus one hash-chained audit append per request, written the
//! fastest way available — a blocking rusqlite writer on SQLite with the same durability
//! settings as zaizao, the pooled synchronous client on PostgreSQL.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use sha2::{Digest, Sha256};

enum Store {
    Sqlite(Mutex<(rusqlite::Connection, String)>),
    Pg(zaizao::kernel::db::Db),
}

fn open_sqlite(path: &str) -> rusqlite::Result<rusqlite::Connection> {
    let c = rusqlite::Connection::open(path)?;
    c.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;
         CREATE TABLE IF NOT EXISTS ceiling_items (id INTEGER PRIMARY KEY, payload TEXT NOT NULL, at BIGINT NOT NULL);
         CREATE TABLE IF NOT EXISTS ceiling_audit (id INTEGER PRIMARY KEY, item BIGINT NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL);",
    )?;
    Ok(c)
}

fn write_sqlite(slot: &Mutex<(rusqlite::Connection, String)>) -> Result<(), String> {
    let mut guard = slot.lock().map_err(|_| "poisoned".to_owned())?;
    let (conn, last) = &mut *guard;
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(|e| e.to_string())?;
    let payload = "{\"title\":\"ceiling\"}";
    tx.execute("INSERT INTO ceiling_items (payload, at) VALUES (?1, ?2)", rusqlite::params![payload, 0i64])
        .map_err(|e| e.to_string())?;
    let item = tx.last_insert_rowid();
    let hash = hex::encode(Sha256::digest(format!("{last}|{item}|{payload}").as_bytes()));
    tx.execute(
        "INSERT INTO ceiling_audit (item, prev, hash) VALUES (?1, ?2, ?3)",
        rusqlite::params![item, last.as_str(), hash.as_str()],
    )
    .map_err(|e| e.to_string())?;
    tx.commit().map_err(|e| e.to_string())?;
    *last = hash;
    Ok(())
}

async fn noop() -> &'static str {
    "ok"
}

async fn write(State(store): State<Arc<Store>>) -> StatusCode {
    let result = match &*store {
        Store::Sqlite(_) => {
            let s = store.clone();
            tokio::task::spawn_blocking(move || match &*s {
                Store::Sqlite(slot) => write_sqlite(slot),
                Store::Pg(_) => Ok(()),
            })
            .await
            .map_err(|e| e.to_string())
            .and_then(|r| r)
        }
        Store::Pg(db) => db
            .write(|tx| {
                let id = tx.insert(
                    "INSERT INTO ceiling_items (payload, at) VALUES ($1, $2) RETURNING id",
                    zaizao::params!["{}", 0],
                )?;
                zaizao::kernel::audit::record(
                    tx,
                    &zaizao::kernel::audit::Who::system("ceiling", 0),
                    zaizao::kernel::audit::Change {
                        action: "create",
                        kind: "ceiling",
                        id: Some(id),
                        before: None,
                        after: None,
                    },
                )
            })
            .await
            .map_err(|e| e.to_string()),
    };
    if result.is_ok() { StatusCode::CREATED } else { StatusCode::INTERNAL_SERVER_ERROR }
}

/// Serve the ceiling endpoints until the process is killed.
pub fn serve(database_url: &str, port: u16) -> anyhow::Result<()> {
    let store = if database_url.starts_with("postgres") {
        let db = zaizao::kernel::db::Db::open(database_url)?;
        zaizao::kernel::db::migrate::run(&db, 0, &zaizao::app::registry().migrations)?;
        db.write_blocking(|tx| {
            tx.execute("CREATE TABLE IF NOT EXISTS ceiling_items (id BIGSERIAL PRIMARY KEY, payload TEXT NOT NULL, at BIGINT NOT NULL)", &[])?;
            Ok(())
        })
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        Store::Pg(db)
    } else {
        let path = database_url.strip_prefix("sqlite://").unwrap_or(database_url);
        Store::Sqlite(Mutex::new((open_sqlite(path)?, "genesis".to_owned())))
    };
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async move {
        let app = Router::new().route("/noop", get(noop)).route("/write", post(write)).with_state(Arc::new(store));
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
        axum::serve(listener, app).await?;
        Ok(())
    })
}
