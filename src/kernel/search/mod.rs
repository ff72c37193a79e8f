//! Chinese full-text search across the mechanisms' records (leads, matters, tasks, and
//! whatever a mechanism registers as a [`Source`]).
//!
//! The index is a tantivy index in `<data_dir>/search`, one per server. Changes reach it
//! through the database's `search_queue` (filled by triggers in the same transaction as
//! the change, see migration 0009); [`indexer`] consumes the queue and records in each
//! commit how far it got, so a killed server picks up where its last commit left off.
//! Each document carries the access keys of [`search_keys`](super::access::search_keys), so a query only
//! ever matches records its caller may see.

pub mod indexer;
pub mod words;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

use anyhow::Context;
use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term};
use tokio::sync::{Notify, watch};

use super::db::Tx;
use super::error::AppResult;

/// One record as the index sees it.
#[derive(Debug, Clone)]
pub struct SearchDoc {
    pub kind: &'static str,
    pub id: i64,
    pub title: String,
    pub body: String,
    pub state: String,
    /// The value of its source's [`Facet`] (a lead's channel); empty without one.
    pub facet: String,
    /// The responsible or owning department, for the department filter.
    pub department_id: Option<i64>,
    /// Who may find it: from `access::record_search_keys` or `access::office_search_keys`.
    pub access: Vec<String>,
    pub created_at: i64,
}

/// A second filter a source offers beside kind, state and department: its label (a
/// message id), its values' codes, and the prefix of the message ids naming them.
pub struct Facet {
    pub label: &'static str,
    pub values: &'static [&'static str],
    pub names: &'static str,
}

/// A kind of searchable record, registered by its mechanism (see `kernel::registry`).
pub struct Source {
    pub kind: &'static str,
    /// i18n key of the kind's name.
    pub label: &'static str,
    /// The documents of these records; records not returned are removed from the index.
    pub load: fn(&mut Tx<'_>, &[i64]) -> AppResult<Vec<SearchDoc>>,
    /// Up to `limit` documents with ids above `after`, in id order (for a rebuild).
    pub load_after: fn(&mut Tx<'_>, i64, usize) -> AppResult<Vec<SearchDoc>>,
    /// Where the record's page is.
    pub link: fn(i64) -> String,
    pub facet: Option<&'static Facet>,
}

#[derive(Clone, Copy)]
struct Fields {
    key: Field,
    kind: Field,
    id: Field,
    title: Field,
    body: Field,
    state: Field,
    facet: Field,
    department: Field,
    access: Field,
    created: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let words = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default().set_tokenizer(words::NAME).set_index_option(IndexRecordOption::WithFreqs),
        )
        .set_stored();
    let fields = Fields {
        key: b.add_text_field("key", STRING),
        kind: b.add_text_field("kind", STRING | STORED),
        id: b.add_i64_field("id", STORED),
        title: b.add_text_field("title", words.clone()),
        body: b.add_text_field("body", words),
        state: b.add_text_field("state", STRING | STORED),
        facet: b.add_text_field("channel", STRING | STORED),
        department: b.add_i64_field("department", INDEXED),
        access: b.add_text_field("access", STRING),
        created: b.add_i64_field("created", INDEXED | STORED | FAST),
    };
    (b.build(), fields)
}

/// What the last commit of an index records about the queue.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Payload {
    database_id: String,
    /// The version of the documents' access keys; an index with older keys is rebuilt.
    #[serde(default)]
    keys: u32,
    /// Every queue entry up to this one is in the index.
    watermark: i64,
}

/// Raised whenever the access keys documents carry change (2: leaders by key, desks).
const ACCESS_KEYS: u32 = 2;

pub struct Search {
    dir: PathBuf,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    database_id: String,
    /// The queue position as of the last commit (see [`indexer`]).
    committed: AtomicI64,
    /// Highest queue entry in the index (what searches wait for).
    progress: watch::Sender<i64>,
    wake: Notify,
    needs_rebuild: AtomicBool,
    rebuilding: AtomicBool,
    /// Serialises passes and rebuilds.
    indexing: tokio::sync::Mutex<indexer::Queue>,
    /// Searches running at once; more wait their turn rather than crowd out the rest.
    running: tokio::sync::Semaphore,
}

/// Searches that may run at once; more wait their turn instead of taking every blocking
/// thread.
const CONCURRENT_SEARCHES: usize = 16;

/// The index writer's memory budget (tantivy's minimum is 15 MB).
const WRITER_MEMORY: usize = 32 * 1024 * 1024;

impl Search {
    /// Open (or create) the index in `dir` for the database identified by `database_id`.
    /// An index from another database, or with another schema, is started afresh.
    pub fn open(dir: &Path, database_id: &str) -> anyhow::Result<Search> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the search index folder {}", dir.display()))?;
        let (schema, fields) = schema();
        let existing = if dir.join("meta.json").exists() { Index::open_in_dir(dir).ok() } else { None };
        let index = match existing {
            Some(index) if index.schema() == schema => index,
            _ => {
                Self::wipe(dir)?;
                Index::create_in_dir(dir, schema)?
            }
        };
        index.tokenizers().register(words::NAME, words::Words::default());
        let writer = index.writer_with_num_threads(1, WRITER_MEMORY).map_err(|e| match e {
            tantivy::TantivyError::LockFailure(..) => anyhow::anyhow!(
                "the search index {} is in use by another zaizao process (stop it, or give this one its own --data-dir)",
                dir.display()
            ),
            e => anyhow::Error::new(e).context("cannot open the search index for writing"),
        })?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let payload: Payload =
            index.load_metas()?.payload.and_then(|p| serde_json::from_str(&p).ok()).unwrap_or_default();
        let ours = payload.database_id == database_id && payload.keys == ACCESS_KEYS;
        let watermark = if ours { payload.watermark } else { 0 };
        Ok(Search {
            running: tokio::sync::Semaphore::new(CONCURRENT_SEARCHES),
            dir: dir.to_owned(),

            reader,
            writer: Mutex::new(writer),
            fields,
            database_id: database_id.to_owned(),
            committed: AtomicI64::new(watermark),
            progress: watch::Sender::new(watermark),
            wake: Notify::new(),
            needs_rebuild: AtomicBool::new(!ours),
            rebuilding: AtomicBool::new(false),
            indexing: tokio::sync::Mutex::new(indexer::Queue::starting_at(watermark)),
        })
    }

    fn wipe(dir: &Path) -> anyhow::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_file() {
                std::fs::remove_file(&path)?;
            }
        }
        Ok(())
    }

    /// The database this server uses, as recorded by migration 0009.
    pub fn database_id(tx: &mut Tx<'_>) -> AppResult<String> {
        Ok(tx.query_one("SELECT database_id FROM search_state WHERE id = 1", &[])?.text(0)?)
    }

    /// Finish background merges and release the index (command-line use).
    pub fn close(self: std::sync::Arc<Self>) -> anyhow::Result<()> {
        let search = std::sync::Arc::into_inner(self).context("the search index is still in use")?;
        let writer = search.writer.into_inner().map_err(|_| anyhow::anyhow!("index writer poisoned"))?;
        writer.wait_merging_threads()?;
        Ok(())
    }

    /// Wait for a turn to search; the turn ends when the permit is dropped.
    pub async fn turn(&self) -> AppResult<tokio::sync::SemaphorePermit<'_>> {
        self.running.acquire().await.map_err(|_| super::error::AppError::Unavailable("search is closing".into()))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Ask for a full rebuild; the indexer does it on its next turn.
    pub fn request_rebuild(&self) {
        self.needs_rebuild.store(true, Ordering::SeqCst);
        self.wake.notify_one();
    }

    pub fn is_rebuilding(&self) -> bool {
        self.rebuilding.load(Ordering::SeqCst) || self.needs_rebuild.load(Ordering::SeqCst)
    }

    pub fn status(&self) -> Status {
        let searcher = self.reader.searcher();
        let size_bytes = std::fs::read_dir(&self.dir)
            .map(|d| d.filter_map(|e| e.ok()?.metadata().ok()).map(|m| m.len()).sum())
            .unwrap_or(0);
        Status {
            documents: searcher.num_docs(),
            segments: searcher.segment_readers().len(),
            size_bytes,
            watermark: self.committed.load(Ordering::SeqCst),
            rebuilding: self.is_rebuilding(),
            folder: self.dir.display().to_string(),
        }
    }

    fn doc(&self, d: &SearchDoc) -> TantivyDocument {
        let f = self.fields;
        let mut doc = TantivyDocument::new();
        doc.add_text(f.key, key(d.kind, d.id));
        doc.add_text(f.kind, d.kind);
        doc.add_i64(f.id, d.id);
        doc.add_text(f.title, &d.title);
        doc.add_text(f.body, &d.body);
        doc.add_text(f.state, &d.state);
        doc.add_text(f.facet, &d.facet);
        if let Some(dept) = d.department_id {
            doc.add_i64(f.department, dept);
        }
        for a in &d.access {
            doc.add_text(f.access, a);
        }
        doc.add_i64(f.created, d.created_at);
        doc
    }

    /// Run a query for a caller; `keys` are the caller's [`search_keys`](super::access::search_keys) (`None`
    /// sees everything).
    pub fn query(&self, q: &SearchQuery, keys: Option<&[String]>) -> anyhow::Result<SearchPage> {
        let f = self.fields;
        let words = words::words(&q.q);
        let words: Vec<String> = words.into_iter().take(MAX_WORDS).collect();
        // What a document must satisfy besides the words. Not scored: they decide which
        // documents qualify, not how they rank.
        let mut filters: Vec<Box<dyn Query>> = Vec::new();
        if let Some(keys) = keys {
            let any: Vec<(Occur, Box<dyn Query>)> = keys.iter().map(|k| (Occur::Should, term(f.access, k))).collect();
            filters.push(Box::new(BooleanQuery::new(any)));
        }
        for (field, value) in [(f.kind, &q.kind), (f.state, &q.state), (f.facet, &q.facet)] {
            if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
                filters.push(term(field, v));
            }
        }
        if let Some(d) = q.department {
            filters.push(Box::new(TermQuery::new(Term::from_field_i64(f.department, d), IndexRecordOption::Basic)));
        }
        let per = q.per.unwrap_or(20).clamp(1, 100);
        let page = q.page.unwrap_or(1).clamp(1, 500);
        let searcher = self.reader.searcher();
        let top = || TopDocs::with_limit(per).and_offset((page - 1) * per);
        let newest = q.sort.as_deref() == Some("newest");
        let mut partial = false;
        let mut found = None;
        // Every word first; when no record has them all, any of them.
        for occur in [Occur::Must, Occur::Should] {
            let mut all: Vec<(Occur, Box<dyn Query>)> = filters
                .iter()
                .map(|q| (Occur::Must, Box::new(ConstScoreQuery::new(q.box_clone(), 0.0)) as Box<dyn Query>))
                .collect();
            all.push((Occur::Must, text_query(f, &words, occur)));
            let query = BooleanQuery::new(all);
            let (addresses, total): (Vec<DocAddress>, usize) = if newest {
                let (top, n) =
                    searcher.search(&query, &(top().order_by_fast_field::<i64>("created", Order::Desc), Count))?;
                (top.into_iter().map(|(_, a)| a).collect(), n)
            } else {
                let (top, n) = searcher.search(&query, &(top().order_by_score(), Count))?;
                (top.into_iter().map(|(_, a)| a).collect(), n)
            };
            if total > 0 || occur == Occur::Should || words.len() < 2 {
                partial = occur == Occur::Should && total > 0;
                found = Some((query, addresses, total));
                break;
            }
        }
        let Some((query, addresses, total)) = found else { return Ok(SearchPage::default()) };
        let mut title_snippets = SnippetGenerator::create(&searcher, &query, f.title)?;
        title_snippets.set_max_num_chars(80);
        let mut body_snippets = SnippetGenerator::create(&searcher, &query, f.body)?;
        body_snippets.set_max_num_chars(160);
        let mut hits = Vec::with_capacity(addresses.len());
        for address in addresses {
            let doc: TantivyDocument = searcher.doc(address)?;
            let text = |field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("").to_owned();
            let mut title = title_snippets.snippet_from_doc(&doc);
            title.set_snippet_prefix_postfix("<mark>", "</mark>");
            let mut body = body_snippets.snippet_from_doc(&doc);
            body.set_snippet_prefix_postfix("<mark>", "</mark>");
            let title_html =
                if title.is_empty() { maud::html!((text(f.title))).into_string() } else { title.to_html() };
            let body_html = if body.is_empty() {
                maud::html!((text(f.body).chars().take(160).collect::<String>())).into_string()
            } else {
                body.to_html()
            };
            hits.push(SearchHit {
                kind: text(f.kind),
                id: doc.get_first(f.id).and_then(|v| v.as_i64()).unwrap_or(0),
                title: text(f.title),
                title_html,
                snippet_html: body_html,
                state: text(f.state),
                facet: text(f.facet),
                created_at: doc.get_first(f.created).and_then(|v| v.as_i64()).unwrap_or(0),
                link: String::new(),
            });
        }
        Ok(SearchPage { total: total as i64, page, per, partial, words, hits, rebuilding: self.is_rebuilding() })
    }
}

const MAX_WORDS: usize = 16;

fn key(kind: &str, id: i64) -> String {
    format!("{kind}:{id}")
}

fn term(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, value), IndexRecordOption::Basic))
}

/// Each word in the title (weighted up) or the body; every word required (`Must`) or
/// any (`Should`).
fn text_query(f: Fields, words: &[String], occur: Occur) -> Box<dyn Query> {
    let per_word = words
        .iter()
        .map(|w| {
            let either: Vec<(Occur, Box<dyn Query>)> = vec![
                (
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        Box::new(TermQuery::new(Term::from_field_text(f.title, w), IndexRecordOption::WithFreqs)),
                        2.0,
                    )),
                ),
                (
                    Occur::Should,
                    Box::new(TermQuery::new(Term::from_field_text(f.body, w), IndexRecordOption::WithFreqs)),
                ),
            ];
            (occur, Box::new(BooleanQuery::new(either)) as Box<dyn Query>)
        })
        .collect();
    Box::new(BooleanQuery::new(per_word))
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// The words to look for (Chinese is segmented into words; at most 200 characters).
    #[serde(default)]
    pub q: String,
    /// lead, matter or task.
    pub kind: Option<String>,
    pub state: Option<String>,
    /// A value of the kind's facet (for leads, the channel).
    #[serde(rename = "channel")]
    #[param(rename = "channel")]
    pub facet: Option<String>,
    #[serde(default, deserialize_with = "crate::kernel::web::de::opt_id")]
    pub department: Option<i64>,
    /// `relevance` (default) or `newest`.
    pub sort: Option<String>,
    /// Page number, from 1.
    pub page: Option<usize>,
    /// Results per page (1–100, default 20).
    pub per: Option<usize>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SearchHit {
    pub kind: String,
    pub id: i64,
    pub title: String,
    /// The title, HTML-escaped, with matched words in `<mark>`.
    pub title_html: String,
    /// The best passage of the text, HTML-escaped, with matched words in `<mark>`.
    pub snippet_html: String,
    pub state: String,
    /// The record's facet value (for leads, the channel).
    #[serde(rename = "channel")]
    #[schema(rename = "channel")]
    pub facet: String,
    pub created_at: i64,
    pub link: String,
}

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct SearchPage {
    pub total: i64,
    pub page: usize,
    pub per: usize,
    /// No record had every word; these have some of them.
    pub partial: bool,
    /// The words the query was cut into.
    pub words: Vec<String>,
    pub hits: Vec<SearchHit>,
    /// The index is being rebuilt: results may be incomplete.
    pub rebuilding: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Status {
    pub documents: u64,
    pub segments: usize,
    pub size_bytes: u64,
    pub watermark: i64,
    pub rebuilding: bool,
    pub folder: String,
}
