//! Numbered migrations, applied at start-up. Each has a portable part and optional
//! dialect-only parts. Never edit an applied migration: add a new one.

use super::{Db, DbError, Dialect, RawConn};

struct Migration {
    version: i64,
    name: &'static str,
    common: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        common: include_str!("../../../migrations/0001_foundation.sql"),
        sqlite: include_str!("../../../migrations/0001_foundation.sqlite.sql"),
        postgres: include_str!("../../../migrations/0001_foundation.postgres.sql"),
    },
    Migration {
        version: 2,
        name: "coordination",
        common: include_str!("../../../migrations/0002_coordination.sql"),
        sqlite: include_str!("../../../migrations/0002_coordination.sqlite.sql"),
        postgres: include_str!("../../../migrations/0002_coordination.postgres.sql"),
    },
    Migration {
        version: 3,
        name: "list_speed",
        common: include_str!("../../../migrations/0003_list_speed.sql"),
        sqlite: include_str!("../../../migrations/0003_list_speed.sqlite.sql"),
        postgres: include_str!("../../../migrations/0003_list_speed.postgres.sql"),
    },
    Migration {
        version: 4,
        name: "evaluation",
        common: include_str!("../../../migrations/0004_evaluation.sql"),
        sqlite: include_str!("../../../migrations/0004_evaluation.sqlite.sql"),
        postgres: include_str!("../../../migrations/0004_evaluation.postgres.sql"),
    },
    Migration {
        version: 5,
        name: "consequences",
        common: include_str!("../../../migrations/0005_consequences.sql"),
        sqlite: include_str!("../../../migrations/0005_consequences.sqlite.sql"),
        postgres: include_str!("../../../migrations/0005_consequences.postgres.sql"),
    },
    Migration {
        version: 6,
        name: "pool",
        common: include_str!("../../../migrations/0006_pool.sql"),
        sqlite: include_str!("../../../migrations/0006_pool.sqlite.sql"),
        postgres: include_str!("../../../migrations/0006_pool.postgres.sql"),
    },
    Migration {
        version: 7,
        name: "supervision",
        common: include_str!("../../../migrations/0007_supervision.sql"),
        sqlite: include_str!("../../../migrations/0007_supervision.sqlite.sql"),
        postgres: include_str!("../../../migrations/0007_supervision.postgres.sql"),
    },
];

fn render(sql: &str, dialect: Dialect) -> String {
    match dialect {
        Dialect::Sqlite => sql.replace("{{PK}}", "INTEGER PRIMARY KEY"),
        Dialect::Postgres => sql.replace("{{PK}}", "BIGSERIAL PRIMARY KEY"),
    }
}

/// Apply every migration not yet applied; returns how many were applied.
pub fn run(db: &Db, now_ms: i64) -> Result<usize, DbError> {
    let dialect = db.dialect();
    db.with_raw(|raw| match raw {
        RawConn::Sqlite(conn) => {
            let map = super::sqlite::map_err;
            conn.execute_batch(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
            )
            .map_err(map)?;
            let mut applied = 0;
            for m in MIGRATIONS {
                let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(map)?;
                let done: i64 = tx
                    .query_row("SELECT COUNT(*) FROM schema_migrations WHERE version = ?1", [m.version], |r| r.get(0))
                    .map_err(map)?;
                if done == 0 {
                    tx.execute_batch(&render(m.common, dialect)).map_err(map)?;
                    tx.execute_batch(&render(m.sqlite, dialect)).map_err(map)?;
                    tx.execute(
                        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
                        rusqlite::params![m.version, m.name, now_ms],
                    )
                    .map_err(map)?;
                    applied += 1;
                }
                tx.commit().map_err(map)?;
            }
            Ok(applied)
        }
        RawConn::Pg(client) => {
            let map = super::pg::map_err;
            let mut tx = client.transaction().map_err(map)?;
            // Serialise start-up migrations across servers sharing one database.
            tx.execute("SELECT pg_advisory_xact_lock(20190410)", &[]).map_err(map)?;
            tx.batch_execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
            )
            .map_err(map)?;
            let mut applied = 0;
            for m in MIGRATIONS {
                let done: i64 = tx
                    .query_one("SELECT COUNT(*) FROM schema_migrations WHERE version = $1", &[&m.version])
                    .map_err(map)?
                    .get(0);
                if done == 0 {
                    tx.batch_execute(&render(m.common, dialect)).map_err(map)?;
                    tx.batch_execute(&render(m.postgres, dialect)).map_err(map)?;
                    tx.execute(
                        "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                        &[&m.version, &m.name, &now_ms],
                    )
                    .map_err(map)?;
                    applied += 1;
                }
            }
            tx.commit().map_err(map)?;
            Ok(applied)
        }
    })
}
