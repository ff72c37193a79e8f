//! Open data (向全社会开放共享): the datasets mechanisms publish, as the kernel reads them.
//! A mechanism declares a [`Dataset`] — its fields, which are personal (never published),
//! the SQL that selects its public records — and lists it in its descriptor; the open
//! catalogue, its downloads, the CKAN Action API, the Data Package and the DCAT catalog
//! all read the datasets through this module, so none of them names a mechanism.
//!
//! Records are read in `(updated_at, id)` order from a cursor, so a full download streams
//! in pages and a harvester asks for the changes since its last visit; records that left
//! the public set (merged, dropped) come back as removals.

use serde_json::Value as Json;

use super::db::{Row, Tx, Value};
use super::error::AppResult;
use crate::params;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    String,
    Integer,
    /// Yuan with two decimals, read from integer fen.
    Yuan,
    /// `YYYY-MM-DD`.
    Date,
    /// UTC milliseconds, published as an ISO 8601 time.
    DateTime,
}

impl FieldType {
    /// The Table Schema type.
    pub fn table_schema(self) -> &'static str {
        match self {
            FieldType::String => "string",
            FieldType::Integer => "integer",
            FieldType::Yuan => "number",
            FieldType::Date => "date",
            FieldType::DateTime => "datetime",
        }
    }
}

pub struct Field {
    pub name: &'static str,
    pub kind: FieldType,
    /// Message id of its title.
    pub title: &'static str,
    /// A private person's name or phone: never published.
    pub personal: bool,
    /// SQL expression reading it (the dataset's main table is `t`).
    pub sql: &'static str,
}

/// The body that publishes datasets (a CKAN organisation).
pub struct Publisher {
    /// Lower-case letters, digits and `-`.
    pub name: &'static str,
    /// Message ids.
    pub title: &'static str,
    pub description: &'static str,
}

pub struct Dataset {
    /// Lower-case letters, digits and `-`; its identifier in every format.
    pub name: &'static str,
    /// Message ids.
    pub title: &'static str,
    pub notes: &'static str,
    pub tags: &'static [&'static str],
    pub publisher: &'static Publisher,
    /// The first is the record's stable identifier.
    pub fields: &'static [Field],
    /// `FROM …` with the main table as `t` (which has `id` and `updated_at`).
    pub from: &'static str,
    /// The condition a published record meets.
    pub public: &'static str,
    /// The condition of a record that is not (or no longer) published: exactly the
    /// negation of `public`, written so a partial index `(updated_at, id) WHERE …` with
    /// the same words finds the withdrawn records of a sync without scanning the rest.
    pub withdrawn: &'static str,
}

/// One published record: its values in the order of the published fields.
pub struct Record {
    pub id: i64,
    pub updated_at: i64,
    pub values: Vec<Json>,
}

/// Where a reading stopped: the last record's `(updated_at, id)`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    pub updated_at: i64,
    pub id: i64,
}

impl Cursor {
    /// Records changed after `since` (ms).
    pub fn since(since: i64) -> Cursor {
        Cursor { updated_at: since, id: i64::MAX }
    }
    pub fn encode(self) -> String {
        format!("{}-{}", self.updated_at, self.id)
    }
    pub fn decode(s: &str) -> Option<Cursor> {
        let (a, b) = s.split_once('-')?;
        Some(Cursor { updated_at: a.parse().ok()?, id: b.parse().ok()? })
    }
}

impl Dataset {
    /// The fields published under `withheld` (`dataset.field` names the configuration
    /// keeps back): personal fields never are.
    pub fn published<'a>(&'a self, withheld: &'a [String]) -> impl Iterator<Item = &'a Field> + 'a {
        self.fields
            .iter()
            .filter(move |f| !f.personal && !withheld.iter().any(|w| *w == format!("{}.{}", self.name, f.name)))
    }

    /// Up to `limit` published records after `after`, in `(updated_at, id)` order.
    pub fn records(&self, tx: &mut Tx<'_>, withheld: &[String], after: Cursor, limit: i64) -> AppResult<Vec<Record>> {
        let cond = "AND (t.updated_at, t.id) > ($1, $2) ORDER BY t.updated_at, t.id LIMIT $3";
        self.select(tx, withheld, cond, params![after.updated_at, after.id, limit])
    }

    /// The `limit` published records changed last, newest first.
    pub fn latest(&self, tx: &mut Tx<'_>, withheld: &[String], limit: i64) -> AppResult<Vec<Record>> {
        self.select(tx, withheld, "ORDER BY t.updated_at DESC, t.id DESC LIMIT $1", params![limit])
    }

    fn select(&self, tx: &mut Tx<'_>, withheld: &[String], tail: &str, args: &[Value]) -> AppResult<Vec<Record>> {
        let fields: Vec<&Field> = self.published(withheld).collect();
        let columns: Vec<String> = fields.iter().enumerate().map(|(i, f)| format!("{} AS f{i}", f.sql)).collect();
        let sql = format!(
            "SELECT t.id AS record_id, t.updated_at AS record_at, {} FROM {} WHERE ({}) {tail}",
            columns.join(", "),
            self.from,
            self.public
        );
        tx.query(&sql, args)?
            .iter()
            .map(|r| {
                let values = fields.iter().enumerate().map(|(i, f)| value(r, i, f.kind)).collect::<AppResult<_>>()?;
                Ok(Record { id: r.int("record_id")?, updated_at: r.int("record_at")?, values })
            })
            .collect()
    }

    /// Records that left the published set after `since` (ms), as (id, when), oldest first.
    pub fn removed(&self, tx: &mut Tx<'_>, since: i64, limit: i64) -> AppResult<Vec<(i64, i64)>> {
        let sql = format!(
            "SELECT t.id, t.updated_at FROM {} WHERE {} AND t.updated_at > $1 ORDER BY t.updated_at, t.id LIMIT $2",
            self.from, self.withdrawn
        );
        tx.query(&sql, params![since, limit])?.iter().map(|r| Ok((r.int(0)?, r.int(1)?))).collect()
    }

    /// How many records are published.
    pub fn count(&self, tx: &mut Tx<'_>) -> AppResult<i64> {
        Ok(tx.count(&format!("SELECT COUNT(*) FROM {} WHERE {}", self.from, self.public), &[])?)
    }

    /// When the newest published record changed (ms).
    pub fn modified(&self, tx: &mut Tx<'_>) -> AppResult<Option<i64>> {
        let sql = format!(
            "SELECT t.updated_at FROM {} WHERE {} ORDER BY t.updated_at DESC, t.id DESC LIMIT 1",
            self.from, self.public
        );
        Ok(tx.query_opt(&sql, &[])?.map(|r| r.int(0)).transpose()?)
    }
}

fn value(r: &Row, i: usize, kind: FieldType) -> AppResult<Json> {
    let col = format!("f{i}");
    Ok(match kind {
        FieldType::String | FieldType::Date => r.opt_text(col.as_str())?.map_or(Json::Null, Json::String),
        FieldType::Integer => r.opt_int(col.as_str())?.map_or(Json::Null, Json::from),
        FieldType::Yuan => r.opt_int(col.as_str())?.map_or(Json::Null, |fen| {
            serde_json::Number::from_f64(fen as f64 / 100.0).map_or(Json::Null, Json::Number)
        }),
        FieldType::DateTime => {
            r.opt_int(col.as_str())?.map_or(Json::Null, |ms| Json::String(super::clock::rfc3339(ms)))
        }
    })
}

/// A value as a CSV cell: text as it is, yuan with two decimals, nothing for null.
pub fn cell(v: &Json, kind: FieldType) -> String {
    match (v, kind) {
        (Json::Null, _) => String::new(),
        (Json::String(s), _) => s.clone(),
        (Json::Number(n), FieldType::Yuan) => format!("{:.2}", n.as_f64().unwrap_or(0.0)),
        (other, _) => other.to_string(),
    }
}
