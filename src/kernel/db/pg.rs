use std::collections::HashMap;
use std::error::Error as _;
use std::sync::Arc;

use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, NoTls, Statement};

use super::pool::{Pool, Pooled};
use super::{DbError, Row, Tx, Value};
use crate::kernel::error::AppError;

const POOL_SIZE: usize = 16;

pub struct PgConn {
    /// Always `Some` until dropped.
    client: Option<Client>,
    statements: HashMap<String, Statement>,
}

/// Prepared statements kept per connection; beyond this the cache starts again, so SQL
/// that differs per request (inlined id lists) cannot grow it without bound.
const STATEMENT_CACHE: usize = 512;

impl PgConn {
    fn client(&mut self) -> Result<&mut Client, DbError> {
        self.client.as_mut().ok_or_else(|| DbError::Unavailable("connection closed".into()))
    }
}

impl Drop for PgConn {
    fn drop(&mut self) {
        drop(std::mem::take(&mut self.statements));
        if let Some(client) = self.client.take()
            && tokio::runtime::Handle::try_current().is_ok()
        {
            // The client closes its connection on a runtime of its own, which cannot
            // start on a thread that already runs one (a server shutting down).
            std::thread::spawn(move || drop(client));
        }
    }
}

pub struct PgBackend {
    url: String,
    pool: Arc<Pool<PgConn>>,
}

pub struct PgTx<'a> {
    tx: postgres::Transaction<'a>,
    statements: &'a mut HashMap<String, Statement>,
    pub partition: i64,
}

fn connect(url: &str) -> Result<PgConn, DbError> {
    let client = Client::connect(url, NoTls).map_err(|e| DbError::Unavailable(describe(&e)))?;
    Ok(PgConn { client: Some(client), statements: HashMap::new() })
}

impl PgBackend {
    pub fn open(url: &str) -> Result<Self, DbError> {
        // Fail fast when the server cannot be reached; the first connection is kept.
        let first = connect(url)?;
        Ok(PgBackend { url: url.to_owned(), pool: Pool::new(POOL_SIZE, vec![first]) })
    }
    pub async fn take(&self) -> (Pooled<PgConn>, String) {
        (self.pool.get().await, self.url.clone())
    }
    pub fn take_blocking(&self) -> PgHandle {
        PgHandle { pooled: self.pool.get_blocking(), url: self.url.clone() }
    }
}

/// A pooled slot plus the URL to (re)open its connection.
pub struct PgHandle {
    pooled: Pooled<PgConn>,
    url: String,
}

impl PgHandle {
    fn conn(&mut self) -> Result<&mut PgConn, DbError> {
        if self.pooled.conn.as_ref().is_some_and(|c| c.client.as_ref().is_none_or(Client::is_closed)) {
            self.pooled.conn = None;
        }
        if self.pooled.conn.is_none() {
            self.pooled.conn = Some(connect(&self.url)?);
        }
        self.pooled.conn.as_mut().ok_or_else(|| DbError::Unavailable("no connection".into()))
    }
    pub fn client(&mut self) -> Result<&mut Client, DbError> {
        self.conn()?.client()
    }
}

impl From<(Pooled<PgConn>, String)> for PgHandle {
    fn from((pooled, url): (Pooled<PgConn>, String)) -> Self {
        PgHandle { pooled, url }
    }
}

pub fn in_tx<T>(
    handle: impl Into<PgHandle>,
    write: bool,
    f: impl FnOnce(&mut Tx<'_>) -> Result<T, AppError>,
) -> Result<T, AppError> {
    let mut handle = handle.into();
    let partition = handle.pooled.slot as i64;
    let conn = handle.conn()?;
    let client = conn.client.as_mut().ok_or_else(|| DbError::Unavailable("connection closed".into()))?;
    let mut builder = client.build_transaction();
    if !write {
        builder = builder.read_only(true).isolation_level(postgres::IsolationLevel::RepeatableRead);
    }
    let tx = builder.start().map_err(map_err)?;
    let mut tx = Tx::Pg(PgTx { tx, statements: &mut conn.statements, partition });
    let out = f(&mut tx)?;
    if let Tx::Pg(t) = tx {
        t.tx.commit().map_err(map_err)?;
    }
    Ok(out)
}

struct Param<'a>(&'a Value);

impl std::fmt::Debug for Param<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl ToSql for Param<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self.0 {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) => match *ty {
                Type::INT2 => i16::try_from(*v)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(*v)?.to_sql(ty, out),
                Type::BOOL => (*v != 0).to_sql(ty, out),
                Type::FLOAT8 => (*v as f64).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR => v.to_string().to_sql(ty, out),
                _ => v.to_sql(ty, out),
            },
            Value::Real(v) => match *ty {
                Type::FLOAT4 => (*v as f32).to_sql(ty, out),
                _ => v.to_sql(ty, out),
            },
            Value::Text(s) => s.as_str().to_sql(ty, out),
        }
    }
    fn accepts(_: &Type) -> bool {
        true
    }
    to_sql_checked!();
}

impl PgTx<'_> {
    fn statement(&mut self, sql: &str) -> Result<Statement, DbError> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self.tx.prepare(sql).map_err(map_err)?;
        if self.statements.len() >= STATEMENT_CACHE {
            self.statements.clear();
        }
        self.statements.insert(sql.to_owned(), s.clone());
        Ok(s)
    }

    pub fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError> {
        let stmt = self.statement(sql)?;
        let ps: Vec<Param<'_>> = params.iter().map(Param).collect();
        let refs: Vec<&(dyn ToSql + Sync)> = ps.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        let rows = self.tx.query(&stmt, &refs).map_err(map_err)?;
        let names: std::sync::Arc<[String]> = stmt.columns().iter().map(|c| c.name().to_owned()).collect();
        rows.iter().map(|r| convert_row(r, &names)).collect()
    }

    pub fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError> {
        let stmt = self.statement(sql)?;
        let ps: Vec<Param<'_>> = params.iter().map(Param).collect();
        let refs: Vec<&(dyn ToSql + Sync)> = ps.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        self.tx.execute(&stmt, &refs).map_err(map_err)
    }
}

fn convert_row(r: &postgres::Row, names: &std::sync::Arc<[String]>) -> Result<Row, DbError> {
    let mut vals = Vec::with_capacity(r.len());
    for (i, col) in r.columns().iter().enumerate() {
        let v = match *col.type_() {
            Type::INT8 => r.try_get::<_, Option<i64>>(i).map(|v| v.map(Value::Int)),
            Type::INT4 => r.try_get::<_, Option<i32>>(i).map(|v| v.map(|v| Value::Int(v.into()))),
            Type::INT2 => r.try_get::<_, Option<i16>>(i).map(|v| v.map(|v| Value::Int(v.into()))),
            Type::BOOL => r.try_get::<_, Option<bool>>(i).map(|v| v.map(|v| Value::Int(v.into()))),
            Type::FLOAT8 => r.try_get::<_, Option<f64>>(i).map(|v| v.map(Value::Real)),
            Type::FLOAT4 => r.try_get::<_, Option<f32>>(i).map(|v| v.map(|v| Value::Real(v.into()))),
            _ => r.try_get::<_, Option<String>>(i).map(|v| v.map(Value::Text)),
        }
        .map_err(|e| DbError::Other(format!("column {}: {e}", col.name())))?;
        vals.push(v.unwrap_or(Value::Null));
    }
    Ok(Row::new(vals, names.clone()))
}

fn describe(e: &postgres::Error) -> String {
    match e.source() {
        Some(s) => format!("{e}: {s}"),
        None => e.to_string(),
    }
}

pub fn map_err(e: postgres::Error) -> DbError {
    if let Some(db) = e.as_db_error() {
        let what = db.constraint().map(str::to_owned).unwrap_or_else(|| db.message().to_owned());
        return match db.code().code() {
            "23505" => DbError::Unique(what),
            "23503" => DbError::ForeignKey(what),
            c if c.starts_with("08") || c.starts_with("57") || c.starts_with("53") => {
                DbError::Unavailable(describe(&e))
            }
            _ => DbError::Other(format!("{}: {}", db.code().code(), db.message())),
        };
    }
    if e.is_closed() {
        return DbError::Unavailable(describe(&e));
    }
    DbError::Other(describe(&e))
}
