//! Group commit: one thread owns the writes, and every record waiting when
//! it starts a transaction goes into that transaction.
//!
//! A screening waits for its own record to be durable, so a commit per
//! screening would put one fsync (or one database round trip) on every
//! request. Under load many screenings wait at once; committing them
//! together costs one fsync for all of them, and costs nothing extra when
//! the service is idle.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::{mpsc, oneshot};

use crate::record::store::{AuditRecord, Store};

/// Why a record could not be made durable. The screening it belongs to must
/// not be acknowledged.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AuditError {
    #[error("the audit trail could not record the screening: {0}")]
    Store(String),
    #[error("the audit writer has stopped")]
    Stopped,
}

struct Job {
    records: Vec<AuditRecord>,
    done: oneshot::Sender<Result<(), AuditError>>,
}

/// Requests queued beyond this wait for room: back-pressure instead of
/// unbounded memory when the database falls behind.
const QUEUE: usize = 8192;

pub(super) struct Writer {
    queue: mpsc::Sender<Job>,
    stats: Arc<Stats>,
}

/// What the writer has done since the service started: transactions
/// committed, records in them, and the time spent writing (nanoseconds,
/// from the start of a transaction to its durable commit).
#[derive(Debug, Default)]
pub(super) struct Stats {
    pub commits: AtomicU64,
    pub records: AtomicU64,
    pub commit_nanos: AtomicU64,
}

impl Writer {
    pub(super) fn spawn(store: Arc<dyn Store>, max_batch: usize) -> Writer {
        let (queue, rx) = mpsc::channel(QUEUE);
        let stats = Arc::new(Stats::default());
        let counted = stats.clone();
        std::thread::Builder::new()
            .name("audit-writer".into())
            .spawn(move || write_loop(store, rx, max_batch.max(1), &counted))
            .expect("spawning the audit writer thread");
        Writer { queue, stats }
    }

    pub(super) fn stats(&self) -> &Stats {
        &self.stats
    }

    pub(super) async fn append(&self, records: Vec<AuditRecord>) -> Result<(), AuditError> {
        let (done, wait) = oneshot::channel();
        self.queue.send(Job { records, done }).await.map_err(|_| AuditError::Stopped)?;
        wait.await.map_err(|_| AuditError::Stopped)?
    }

    pub(super) fn append_blocking(&self, records: Vec<AuditRecord>) -> Result<(), AuditError> {
        let (done, wait) = oneshot::channel();
        self.queue.blocking_send(Job { records, done }).map_err(|_| AuditError::Stopped)?;
        wait.blocking_recv().map_err(|_| AuditError::Stopped)?
    }
}

fn write_loop(store: Arc<dyn Store>, mut rx: mpsc::Receiver<Job>, max_batch: usize, stats: &Stats) {
    let mut batch: Vec<AuditRecord> = Vec::with_capacity(max_batch);
    let mut waiting: Vec<oneshot::Sender<Result<(), AuditError>>> = Vec::new();
    while let Some(first) = rx.blocking_recv() {
        batch.extend(first.records);
        waiting.push(first.done);
        while batch.len() < max_batch {
            match rx.try_recv() {
                Ok(job) => {
                    batch.extend(job.records);
                    waiting.push(job.done);
                }
                Err(_) => break,
            }
        }
        let started = Instant::now();
        let result = store.append_audit(&batch).map_err(|e| {
            tracing::error!(error = %e, records = batch.len(), "audit write failed; the screenings are refused");
            AuditError::Store(e.to_string())
        });
        if result.is_ok() {
            stats.commits.fetch_add(1, Ordering::Relaxed);
            stats.records.fetch_add(batch.len() as u64, Ordering::Relaxed);
            let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
            stats.commit_nanos.fetch_add(nanos, Ordering::Relaxed);
        }
        for done in waiting.drain(..) {
            // A requester that gave up (a closed connection) no longer waits.
            let _ = done.send(result.clone());
        }
        batch.clear();
    }
}
