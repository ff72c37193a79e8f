//! Numbered migrations, applied at start-up. Each has a portable part and optional
//! dialect-only parts, and lives in the folder of what it belongs to: the kernel's in
//! `src/kernel/migrations/`, each mechanism's in its own `migrations/` folder, declared
//! in its `Mechanism`. Numbers are one sequence across all of them; [`plan`] refuses a
//! number used twice. Never edit an applied migration: add a new one.

use super::{Db, DbError, Dialect, RawConn};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub common: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

/// One migration: its number, name, and the file stem under the calling folder's
/// `migrations/`.
#[macro_export]
macro_rules! migration {
    ($version:expr, $name:expr, $file:expr) => {
        $crate::kernel::db::migrate::Migration {
            version: $version,
            name: $name,
            common: include_str!(concat!("migrations/", $file, ".sql")),
            sqlite: include_str!(concat!("migrations/", $file, ".sqlite.sql")),
            postgres: include_str!(concat!("migrations/", $file, ".postgres.sql")),
        }
    };
}

/// The order to apply `migrations` in, or which number is used twice.
pub fn plan<'a>(migrations: &[&'a Migration]) -> Result<Vec<&'a Migration>, String> {
    let mut ordered = migrations.to_vec();
    ordered.sort_by_key(|m| m.version);
    for pair in ordered.windows(2) {
        if pair[0].version == pair[1].version {
            return Err(format!(
                "migration {} is declared twice ({} and {})",
                pair[0].version, pair[0].name, pair[1].name
            ));
        }
    }
    Ok(ordered)
}

fn render(sql: &str, dialect: Dialect) -> String {
    match dialect {
        Dialect::Sqlite => sql.replace("{{PK}}", "INTEGER PRIMARY KEY"),
        Dialect::Postgres => sql.replace("{{PK}}", "BIGSERIAL PRIMARY KEY"),
    }
}

/// Apply every migration not yet applied, then check the database against the
/// cryptography suite; returns how many were applied.
pub fn run(db: &Db, now_ms: i64, migrations: &[&Migration]) -> Result<usize, DbError> {
    let applied = apply(db, now_ms, migrations)?;
    db.write_blocking(crate::kernel::crypto::bind_database).map_err(|e| match e {
        crate::kernel::error::AppError::Internal(cause) => DbError::Other(cause),
        other => DbError::Other(other.to_string()),
    })?;
    Ok(applied)
}

fn apply(db: &Db, now_ms: i64, migrations: &[&Migration]) -> Result<usize, DbError> {
    let ordered = plan(migrations).map_err(DbError::Other)?;
    let dialect = db.dialect();
    db.with_raw(|raw| match raw {
        RawConn::Sqlite(conn) => {
            let map = super::sqlite::map_err;
            conn.execute_batch(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
            )
            .map_err(map)?;
            let mut applied = 0;
            for m in &ordered {
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
            for m in &ordered {
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
    use super::{Migration, plan};

    const fn m(version: i64, name: &'static str) -> Migration {
        Migration { version, name, common: "", sqlite: "", postgres: "" }
    }

    #[test]
    fn a_number_used_twice_is_refused_and_the_rest_ordered() {
        let (a, b, c) = (m(2, "b"), m(1, "a"), m(2, "c"));
        let names: Vec<&str> = plan(&[&a, &b]).expect("plan").iter().map(|m| m.name).collect();
        assert_eq!(names, ["a", "b"]);
        let err = plan(&[&a, &b, &c]).err().unwrap_or_default();
        assert!(err.contains("migration 2 is declared twice"), "{err}");
    }
}
