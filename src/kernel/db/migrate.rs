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

/// One migration: its number, name, and the file stem under `migrations/`.
macro_rules! migration {
    ($version:expr, $name:expr, $file:expr) => {
        Migration {
            version: $version,
            name: $name,
            common: include_str!(concat!("../../../migrations/", $file, ".sql")),
            sqlite: include_str!(concat!("../../../migrations/", $file, ".sqlite.sql")),
            postgres: include_str!(concat!("../../../migrations/", $file, ".postgres.sql")),
        }
    };
}

const MIGRATIONS: &[Migration] = &[
    migration!(1, "foundation", "0001_foundation"),
    migration!(2, "coordination", "0002_coordination"),
    migration!(3, "list_speed", "0003_list_speed"),
    migration!(4, "evaluation", "0004_evaluation"),
    migration!(5, "consequences", "0005_consequences"),
    migration!(6, "pool", "0006_pool"),
    migration!(7, "supervision", "0007_supervision"),
    migration!(8, "exposures_teams", "0008_exposures_teams"),
    migration!(9, "search", "0009_search"),
    migration!(10, "lead_judgement", "0010_lead_judgement"),
    migration!(11, "lead_tasks", "0011_lead_tasks"),
    migration!(12, "lead_figures", "0012_lead_figures"),
    migration!(13, "lead_digest", "0013_lead_digest"),
    migration!(14, "lead_reminders", "0014_lead_reminders"),
    migration!(15, "lead_visibility", "0015_lead_visibility"),
    migration!(16, "open_once", "0016_open_once"),
    migration!(17, "outbox_claims", "0017_outbox_claims"),
    migration!(18, "notification_messages", "0018_notification_messages"),
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

#[cfg(test)]
mod tests {
    #[test]
    fn each_migration_is_listed_once_in_order() {
        let versions: Vec<i64> = super::MIGRATIONS.iter().map(|m| m.version).collect();
        assert!(versions.windows(2).all(|w| w[1] == w[0] + 1), "versions {versions:?}");
        assert_eq!(versions.first(), Some(&1));
    }
}
