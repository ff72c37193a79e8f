//! Storage: one synchronous domain code path over SQLite (rusqlite) and PostgreSQL
//! (postgres), run on blocking threads. Write SQL once with `$1` placeholders; the few
//! true dialect differences live in [`Dialect`].

mod group_commit;
pub mod migrate;
mod pg;
mod pool;
pub mod serving;
mod sqlite;

use std::sync::Arc;

use crate::kernel::error::AppError;

/// A value bound to or read from a statement. Timestamps are i64 milliseconds since the
/// Unix epoch (UTC), money is i64 fen, booleans are 0/1: the same on both backends.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<i32> for Value {
    fn from(v: i32) -> Self {
        Value::Int(v as i64)
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Real(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Int(v as i64)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// Build a parameter list: `params![a, b, c]`.
#[macro_export]
macro_rules! params {
    () => { &[] as &[$crate::kernel::db::Value] };
    ($($v:expr),+ $(,)?) => { &[$($crate::kernel::db::Value::from($v)),+] };
}

/// SQL for the display name of the account whose username is in column `$col` (the
/// username itself when the account is gone), for records that keep who acted by
/// username: pages show people's names.
#[macro_export]
macro_rules! name_of {
    ($col:literal) => {
        concat!("COALESCE((SELECT display_name FROM users WHERE users.username = ", $col, "), ", $col, ")")
    };
}

/// Ids as an SQL list for `IN (...)`: integers, so safe to inline; `0` (no record) when
/// there are none.
pub fn id_list(ids: &[i64]) -> String {
    if ids.is_empty() {
        return "0".into();
    }
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
}

/// One result row: its values and the statement's column names, so a row is read by
/// name (`r.text("title")`) and adding a column cannot shift another's meaning. Single
/// columns (`SELECT id …`) may still be read by position.
#[derive(Debug, Clone)]
pub struct Row {
    values: Vec<Value>,
    names: std::sync::Arc<[String]>,
}

/// A column of a row: its name, or its position.
pub trait Column: Copy + std::fmt::Debug {
    fn index(self, row: &Row) -> Result<usize, DbError>;
}

impl Column for &str {
    fn index(self, row: &Row) -> Result<usize, DbError> {
        row.names.iter().position(|n| n == self).ok_or_else(|| DbError::Other(format!("no column {self:?}")))
    }
}

impl Column for usize {
    fn index(self, _: &Row) -> Result<usize, DbError> {
        Ok(self)
    }
}

/// Integer literals (`r.int(0)`) are `i32` unless told otherwise.
impl Column for i32 {
    fn index(self, _: &Row) -> Result<usize, DbError> {
        usize::try_from(self).map_err(|_| DbError::Other(format!("no column {self}")))
    }
}

impl Row {
    pub(crate) fn new(values: Vec<Value>, names: std::sync::Arc<[String]>) -> Row {
        Row { values, names }
    }
    fn at(&self, c: impl Column) -> Result<&Value, DbError> {
        let i = c.index(self)?;
        self.values.get(i).ok_or_else(|| DbError::Other(format!("no column {c:?}")))
    }
    pub fn int(&self, c: impl Column) -> Result<i64, DbError> {
        match self.at(c)? {
            Value::Int(v) => Ok(*v),
            Value::Real(v) => Ok(*v as i64),
            other => Err(DbError::Other(format!("column {c:?}: expected integer, got {other:?}"))),
        }
    }
    pub fn opt_int(&self, c: impl Column) -> Result<Option<i64>, DbError> {
        match self.at(c)? {
            Value::Null => Ok(None),
            _ => self.int(c).map(Some),
        }
    }
    pub fn bool(&self, c: impl Column) -> Result<bool, DbError> {
        Ok(self.int(c)? != 0)
    }
    pub fn real(&self, c: impl Column) -> Result<f64, DbError> {
        match self.at(c)? {
            Value::Int(v) => Ok(*v as f64),
            Value::Real(v) => Ok(*v),
            Value::Null => Ok(0.0),
            other => Err(DbError::Other(format!("column {c:?}: expected number, got {other:?}"))),
        }
    }
    pub fn opt_real(&self, c: impl Column) -> Result<Option<f64>, DbError> {
        match self.at(c)? {
            Value::Null => Ok(None),
            _ => self.real(c).map(Some),
        }
    }
    pub fn text(&self, c: impl Column) -> Result<String, DbError> {
        match self.at(c)? {
            Value::Text(v) => Ok(v.clone()),
            other => Err(DbError::Other(format!("column {c:?}: expected text, got {other:?}"))),
        }
    }
    pub fn opt_text(&self, c: impl Column) -> Result<Option<String>, DbError> {
        match self.at(c)? {
            Value::Null => Ok(None),
            _ => self.text(c).map(Some),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// A UNIQUE constraint was violated; the text names the constraint or column.
    #[error("unique constraint: {0}")]
    Unique(String),
    #[error("foreign key constraint: {0}")]
    ForeignKey(String),
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Other(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// Row lock for read-modify-write inside a transaction. SQLite has one writer, so
    /// the lock is implicit there.
    pub fn for_update(self) -> &'static str {
        match self {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE",
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
        }
    }
}

/// An open transaction on either backend.
pub enum Tx<'a> {
    Sqlite(rusqlite::Transaction<'a>),
    Pg(pg::PgTx<'a>),
}

impl Tx<'_> {
    pub fn dialect(&self) -> Dialect {
        match self {
            Tx::Sqlite(_) => Dialect::Sqlite,
            Tx::Pg(_) => Dialect::Postgres,
        }
    }

    /// Index of this connection's audit-chain partition (see `kernel::audit`).
    pub fn partition(&self) -> i64 {
        match self {
            Tx::Sqlite(_) => 0,
            Tx::Pg(t) => t.partition,
        }
    }

    pub fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError> {
        match self {
            Tx::Sqlite(t) => sqlite::query(t, sql, params),
            Tx::Pg(t) => t.query(sql, params),
        }
    }

    pub fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError> {
        match self {
            Tx::Sqlite(t) => sqlite::execute(t, sql, params),
            Tx::Pg(t) => t.execute(sql, params),
        }
    }

    pub fn query_opt(&mut self, sql: &str, params: &[Value]) -> Result<Option<Row>, DbError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    pub fn query_one(&mut self, sql: &str, params: &[Value]) -> Result<Row, DbError> {
        self.query_opt(sql, params)?.ok_or_else(|| DbError::Other(format!("query returned no row: {sql}")))
    }

    /// Run an `INSERT … RETURNING id` and give back the id.
    pub fn insert(&mut self, sql: &str, params: &[Value]) -> Result<i64, DbError> {
        self.query_one(sql, params)?.int(0)
    }

    /// Lock one row of `table` until the transaction ends, so that a check made after it
    /// (a quota, "not already there") still holds when the write that follows commits.
    /// Concurrent writers of the same row queue here on PostgreSQL; SQLite has one writer.
    /// Returns whether the row exists.
    pub fn lock_row(&mut self, table: &str, id: i64) -> Result<bool, DbError> {
        let sql = format!("SELECT id FROM {table} WHERE id = $1{}", self.dialect().for_update());
        Ok(self.query_opt(&sql, &[Value::Int(id)])?.is_some())
    }

    pub fn count(&mut self, sql: &str, params: &[Value]) -> Result<i64, DbError> {
        self.query_one(sql, params)?.int(0)
    }
}

/// A handle to the database, cheap to clone.
#[derive(Clone)]
pub struct Db {
    backend: Arc<Backend>,
}

enum Backend {
    Sqlite(sqlite::SqliteBackend),
    Pg(pg::PgBackend),
}

impl Db {
    /// Open the database named by `url`: `postgres://…` / `postgresql://…`, or
    /// `sqlite://PATH` / a plain file path.
    pub fn open(url: &str) -> Result<Db, DbError> {
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Pg(pg::PgBackend::open(url)?)
        } else {
            let path = url.strip_prefix("sqlite://").unwrap_or(url);
            Backend::Sqlite(sqlite::SqliteBackend::open(path)?)
        };
        Ok(Db { backend: Arc::new(backend) })
    }

    pub fn dialect(&self) -> Dialect {
        match &*self.backend {
            Backend::Sqlite(_) => Dialect::Sqlite,
            Backend::Pg(_) => Dialect::Postgres,
        }
    }

    /// SQLite file path, when on SQLite.
    pub fn sqlite_path(&self) -> Option<&std::path::Path> {
        match &*self.backend {
            Backend::Sqlite(b) => Some(b.path()),
            Backend::Pg(_) => None,
        }
    }

    /// Run `f` in a write transaction on a blocking thread. Commits when `f` returns
    /// `Ok`, rolls back otherwise. The blocking task runs to the end even if the request
    /// that started it is dropped, so a change is never half-applied.
    pub async fn write<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Tx<'_>) -> Result<T, AppError> + Send + 'static,
    {
        self.run(true, f).await
    }

    /// Run `f` in a read-only transaction (a consistent snapshot).
    pub async fn read<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Tx<'_>) -> Result<T, AppError> + Send + 'static,
    {
        self.run(false, f).await
    }

    async fn run<T, F>(&self, write: bool, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Tx<'_>) -> Result<T, AppError> + Send + 'static,
    {
        let backend = self.backend.clone();
        match &*backend {
            Backend::Sqlite(b) if write => b.write(f).await,
            Backend::Sqlite(b) => {
                let mut pooled = b.reader().await;
                tokio::task::spawn_blocking(move || match pooled.conn.as_mut() {
                    Some(conn) => sqlite::in_tx(conn, false, f),
                    None => Err(DbError::Unavailable("no connection".into()).into()),
                })
                .await
                .map_err(|e| AppError::internal(format!("blocking task failed: {e}")))?
            }
            Backend::Pg(b) => {
                let handle = b.take().await;
                tokio::task::spawn_blocking(move || pg::in_tx(handle, write, f))
                    .await
                    .map_err(|e| AppError::internal(format!("blocking task failed: {e}")))?
            }
        }
    }

    /// Run `f` synchronously (CLI commands, start-up). Must not be called on an async
    /// worker thread.
    pub fn write_blocking<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut Tx<'_>) -> Result<T, AppError>,
    {
        match &*self.backend {
            Backend::Sqlite(b) => sqlite::in_tx(&mut b.own_connection()?, true, f),
            Backend::Pg(b) => pg::in_tx(b.take_blocking(), true, f),
        }
    }

    /// Run a batch of statements outside any transaction handling (migrations).
    pub(crate) fn with_raw<T>(&self, f: impl FnOnce(RawConn<'_>) -> Result<T, DbError>) -> Result<T, DbError> {
        match &*self.backend {
            Backend::Sqlite(b) => f(RawConn::Sqlite(&mut b.own_connection()?)),
            Backend::Pg(b) => {
                let mut handle = b.take_blocking();
                f(RawConn::Pg(handle.client()?))
            }
        }
    }

    /// Refresh the query planner's statistics (after bulk loads).
    pub fn analyze(&self) -> Result<(), DbError> {
        self.with_raw(|raw| match raw {
            RawConn::Sqlite(c) => c.execute_batch("ANALYZE").map_err(sqlite::map_err),
            RawConn::Pg(c) => c.batch_execute("ANALYZE").map_err(pg::map_err),
        })
    }

    /// Consistent copy of a running SQLite database into `dest`.
    pub fn sqlite_backup(&self, dest: &std::path::Path) -> Result<(), DbError> {
        match &*self.backend {
            Backend::Sqlite(b) => b.backup(dest),
            Backend::Pg(_) => Err(DbError::Other("not a SQLite database".into())),
        }
    }
}

pub(crate) enum RawConn<'a> {
    Sqlite(&'a mut rusqlite::Connection),
    Pg(&'a mut postgres::Client),
}

/// A `WHERE` clause built from conditions with one `?` each, numbered as `$n`.
#[derive(Debug, Clone)]
pub struct Where {
    pub sql: String,
    pub args: Vec<Value>,
}

impl Default for Where {
    fn default() -> Self {
        Where { sql: " WHERE 1=1".into(), args: Vec::new() }
    }
}

impl Where {
    /// Add `AND cond`, where every `?` in `cond` stands for `v`.
    pub fn and(&mut self, cond: &str, v: impl Into<Value>) -> &mut Self {
        self.args.push(v.into());
        let n = format!("${}", self.args.len());
        self.sql.push_str(" AND ");
        self.sql.push_str(&cond.replace('?', &n));
        self
    }
    /// Add `AND cond`, where `?1`, `?2`, … in `cond` stand for the values in order.
    pub fn and_args(&mut self, cond: &str, vals: Vec<Value>) -> &mut Self {
        let base = self.args.len();
        let mut cond = cond.to_owned();
        for i in (1..=vals.len()).rev() {
            cond = cond.replace(&format!("?{i}"), &format!("${}", base + i));
        }
        self.args.extend(vals);
        self.sql.push_str(" AND ");
        self.sql.push_str(&cond);
        self
    }
    /// Add `AND` "any of `columns` contains `pattern`" (a `%…%` LIKE pattern), ignoring
    /// case the same way on both databases (SQLite's LIKE ignores ASCII case,
    /// PostgreSQL's does not).
    pub fn contains(&mut self, columns: &[&str], pattern: String) -> &mut Self {
        let any = columns.iter().map(|c| format!("lower({c}) LIKE lower(?)")).collect::<Vec<_>>().join(" OR ");
        self.and(&format!("({any})"), pattern)
    }
    /// Add a condition that takes no argument.
    pub fn and_sql(&mut self, cond: &str) -> &mut Self {
        self.sql.push_str(" AND ");
        self.sql.push_str(cond);
        self
    }
    /// Placeholders for `values`, for `IN (…)`; `NULL` (which matches nothing) when there
    /// are none.
    pub fn marks(&mut self, values: &[&str]) -> String {
        if values.is_empty() {
            return "NULL".into();
        }
        values.iter().map(|v| self.push(*v)).collect::<Vec<_>>().join(", ")
    }
    /// The next placeholder number, for LIMIT/OFFSET after the conditions.
    pub fn push(&mut self, v: impl Into<Value>) -> String {
        self.args.push(v.into());
        format!("${}", self.args.len())
    }
}
