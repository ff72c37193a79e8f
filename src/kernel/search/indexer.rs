//! Keeping the index in step with the database: consume `search_queue` in order, rebuild
//! from scratch when the index cannot be trusted, and let a search wait until the
//! changes made before it are in.
//!
//! Queue numbers on PostgreSQL are handed out before commit, so a transaction may commit
//! number 10 after number 11 has been indexed. Numbers skipped over are kept as gaps and
//! looked for again for a minute (longer than any transaction lasts); what was committed
//! is recorded in the index as the number below the oldest open gap.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use tantivy::Term;

use super::{Payload, Search, SearchDoc, Source, key};
use crate::kernel::audit::Who;
use crate::kernel::db::{Db, Tx, id_list};
use crate::kernel::error::AppResult;
use crate::params;

const BATCH: i64 = 5000;
const GAP_PATIENCE: Duration = Duration::from_secs(60);
const IDLE: Duration = Duration::from_secs(2);

/// Where the indexer is in the queue.
pub struct Queue {
    high: i64,
    gaps: BTreeMap<i64, Instant>,
}

impl Queue {
    pub fn starting_at(watermark: i64) -> Queue {
        Queue { high: watermark, gaps: BTreeMap::new() }
    }

    fn watermark(&self) -> i64 {
        self.gaps.keys().next().map_or(self.high, |g| g - 1)
    }

    /// Account for the entries a pass found: new ones above `high` (in order) and ones
    /// that filled earlier gaps.
    fn saw(&mut self, fresh: &[i64], filled: &[i64], now: Instant) {
        for seq in fresh {
            for missing in self.high + 1..*seq {
                self.gaps.insert(missing, now);
            }
            self.high = self.high.max(*seq);
        }
        for seq in filled {
            self.gaps.remove(seq);
        }
        self.gaps.retain(|_, since| now.duration_since(*since) < GAP_PATIENCE);
    }
}

struct Entry {
    seq: i64,
    kind: String,
    record_id: i64,
}

fn entries(tx: &mut Tx<'_>, sql: &str, args: &[crate::kernel::db::Value]) -> AppResult<Vec<Entry>> {
    tx.query(sql, args)?.iter().map(|r| Ok(Entry { seq: r.int(0)?, kind: r.text(1)?, record_id: r.int(2)? })).collect()
}

/// The first and last entry in the queue. Two subqueries, because SQLite answers a lone
/// MIN or MAX from the index but scans the table for both in one SELECT.
fn queue_bounds(tx: &mut Tx<'_>) -> AppResult<(i64, i64)> {
    let r = tx.query_one(
        "SELECT COALESCE((SELECT MIN(seq) FROM search_queue), 0), COALESCE((SELECT MAX(seq) FROM search_queue), 0)",
        &[],
    )?;
    Ok((r.int(0)?, r.int(1)?))
}

fn queue_head(tx: &mut Tx<'_>) -> AppResult<i64> {
    Ok(tx.query_one("SELECT COALESCE(MAX(seq), 0) FROM search_queue", &[])?.int(0)?)
}

fn blocking_error(e: tokio::task::JoinError) -> anyhow::Error {
    anyhow::anyhow!("indexing task failed: {e}")
}

/// The indexer of one server: rebuilds when asked or when the index is not this
/// database's, otherwise follows the queue.
pub fn spawn(search: Arc<Search>, db: Db, sources: &'static [&'static Source]) {
    tokio::spawn(async move {
        if let Err(e) = check(&search, &db).await {
            tracing::warn!(error = %e, "cannot check the search index against the queue");
        }
        loop {
            let work = if search.needs_rebuild.load(Ordering::SeqCst) {
                rebuild(&search, &db, sources, |_| {}).await.map(|_| 0)
            } else {
                pass(&search, &db, sources).await
            };
            match work {
                Ok(n) if n as i64 >= BATCH => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "search indexing failed; trying again"),
            }
            tokio::select! {
                _ = search.wake.notified() => {}
                _ = tokio::time::sleep(IDLE) => {}
            }
        }
    });
}

/// An index ahead of the queue (a restored backup) or behind its pruned start cannot be
/// caught up: it is rebuilt.
async fn check(search: &Search, db: &Db) -> anyhow::Result<()> {
    let (min, max) = db.read(queue_bounds).await?;
    let watermark = search.committed.load(Ordering::SeqCst);
    if watermark > max || (min > 0 && watermark < min - 1) {
        search.needs_rebuild.store(true, Ordering::SeqCst);
    }
    Ok(())
}

/// Index what the queue holds beyond the last pass; returns how many entries it read.
pub async fn pass(search: &Arc<Search>, db: &Db, sources: &'static [&'static Source]) -> anyhow::Result<usize> {
    let mut queue = search.indexing.lock().await;
    let high = queue.high;
    let gaps: Vec<i64> = queue.gaps.keys().take(500).copied().collect();
    let (fresh, filled) = db
        .read(move |tx| {
            let fresh = entries(
                tx,
                "SELECT seq, kind, record_id FROM search_queue WHERE seq > $1 ORDER BY seq LIMIT $2",
                params![high, BATCH],
            )?;
            let filled = if gaps.is_empty() {
                Vec::new()
            } else {
                let sql = format!("SELECT seq, kind, record_id FROM search_queue WHERE seq IN ({})", id_list(&gaps));
                entries(tx, &sql, &[])?
            };
            Ok((fresh, filled))
        })
        .await?;
    let before = queue.watermark();
    let fresh_seqs: Vec<i64> = fresh.iter().map(|e| e.seq).collect();
    let filled_seqs: Vec<i64> = filled.iter().map(|e| e.seq).collect();
    queue.saw(&fresh_seqs, &filled_seqs, Instant::now());
    let read = fresh.len() + filled.len();
    if read == 0 && queue.watermark() == before {
        search.progress.send_replace(queue.high);
        return Ok(0);
    }
    let mut wanted: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
    for e in fresh.iter().chain(&filled) {
        wanted.entry(e.kind.clone()).or_default().insert(e.record_id);
    }
    let wanted: Vec<(String, Vec<i64>)> = wanted.into_iter().map(|(k, ids)| (k, ids.into_iter().collect())).collect();
    let keys: Vec<String> = wanted.iter().flat_map(|(kind, ids)| ids.iter().map(move |id| key(kind, *id))).collect();
    let docs = db
        .read(move |tx| {
            let mut docs = Vec::new();
            for (kind, ids) in &wanted {
                if let Some(source) = sources.iter().find(|s| s.kind == kind) {
                    for chunk in ids.chunks(1000) {
                        docs.extend((source.load)(tx, chunk)?);
                    }
                }
            }
            Ok(docs)
        })
        .await?;
    let payload =
        Payload { database_id: search.database_id.clone(), watermark: queue.watermark(), keys: super::ACCESS_KEYS };
    let watermark = payload.watermark;
    let s = search.clone();
    tokio::task::spawn_blocking(move || s.apply(&keys, &docs, Some(&payload))).await.map_err(blocking_error)??;
    search.committed.store(watermark, Ordering::SeqCst);
    search.progress.send_replace(queue.high);
    Ok(read)
}

/// Index every record again, from the database; searches keep using the old index until
/// the new one is committed. `progress` is told the running count.
pub async fn rebuild(
    search: &Arc<Search>,
    db: &Db,
    sources: &'static [&'static Source],
    progress: impl Fn(u64),
) -> anyhow::Result<u64> {
    let mut queue = search.indexing.lock().await;
    search.needs_rebuild.store(false, Ordering::SeqCst);
    search.rebuilding.store(true, Ordering::SeqCst);
    let result = rebuild_all(search, db, sources, &progress).await;
    search.rebuilding.store(false, Ordering::SeqCst);
    match result {
        Ok((count, head)) => {
            *queue = Queue::starting_at(head);
            search.committed.store(head, Ordering::SeqCst);
            search.progress.send_replace(head);
            Ok(count)
        }
        Err(e) => {
            if let Ok(mut w) = search.writer.lock() {
                let _ = w.rollback();
            }
            search.needs_rebuild.store(true, Ordering::SeqCst);
            Err(e)
        }
    }
}

async fn rebuild_all(
    search: &Arc<Search>,
    db: &Db,
    sources: &'static [&'static Source],
    progress: &impl Fn(u64),
) -> anyhow::Result<(u64, i64)> {
    let head = db.read(queue_head).await?;
    search.writer.lock().map_err(|_| anyhow::anyhow!("index writer poisoned"))?.delete_all_documents()?;
    let mut count = 0u64;
    for source in sources {
        let mut after = 0;
        loop {
            let docs = db.read(move |tx| (source.load_after)(tx, after, 2000)).await?;
            let Some(last) = docs.last() else { break };
            after = last.id;
            count += docs.len() as u64;
            let s = search.clone();
            tokio::task::spawn_blocking(move || s.apply(&[], &docs, None)).await.map_err(blocking_error)??;
            progress(count);
        }
    }
    let payload = Payload { database_id: search.database_id.clone(), watermark: head, keys: super::ACCESS_KEYS };
    let s = search.clone();
    tokio::task::spawn_blocking(move || s.apply(&[], &[], Some(&payload))).await.map_err(blocking_error)??;
    Ok((count, head))
}

impl Search {
    /// Replace the documents under `keys` by `docs`; with a payload, commit and make the
    /// result visible to searches.
    fn apply(&self, keys: &[String], docs: &[SearchDoc], payload: Option<&Payload>) -> anyhow::Result<()> {
        let mut writer = self.writer.lock().map_err(|_| anyhow::anyhow!("index writer poisoned"))?;
        for k in keys {
            writer.delete_term(Term::from_field_text(self.fields.key, k));
        }
        for d in docs {
            writer.add_document(self.doc(d))?;
        }
        if let Some(payload) = payload {
            let mut prepared = writer.prepare_commit()?;
            prepared.set_payload(&serde_json::to_string(payload)?);
            prepared.commit()?;
            self.reader.reload()?;
        }
        Ok(())
    }
}

/// Wait (a few seconds at most) until every change committed before this call is in the
/// index, so a user finds what they have just written.
pub async fn catch_up(search: &Search, db: &Db) -> AppResult<()> {
    let head = db.read(queue_head).await?;
    if *search.progress.borrow() >= head {
        return Ok(());
    }
    search.wake.notify_one();
    let patience = if search.rebuilding.load(Ordering::SeqCst) { 1 } else { 5 };
    let mut rx = search.progress.subscribe();
    let _ = tokio::time::timeout(Duration::from_secs(patience), rx.wait_for(|p| *p >= head)).await;
    Ok(())
}

/// Keep the newest million queue entries: enough for any server to catch up after a
/// restart; one further behind rebuilds.
pub fn prune_queue(tx: &mut Tx<'_>, _: &Who, _: &crate::kernel::registry::Environment) -> AppResult<usize> {
    let max = queue_head(tx)?;
    Ok(tx.execute("DELETE FROM search_queue WHERE seq <= $1", params![max - 1_000_000])? as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_hold_the_watermark_until_filled_or_expired() {
        let t0 = Instant::now();
        let mut q = Queue::starting_at(10);
        q.saw(&[11, 13, 14], &[], t0);
        assert_eq!((q.high, q.watermark()), (14, 11));
        q.saw(&[], &[12], t0);
        assert_eq!(q.watermark(), 14);
        q.saw(&[17], &[], t0);
        assert_eq!(q.watermark(), 14);
        q.saw(&[], &[], t0 + GAP_PATIENCE);
        assert_eq!(q.watermark(), 17, "numbers never committed are given up after a minute");
    }
}
