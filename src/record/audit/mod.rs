//! The audit trail: what was screened, against which list versions, with
//! which configuration, what the system said, and what analysts decided.
//!
//! Acknowledged means recorded: every channel (API, batch file, transaction
//! party, CLI) hands its records to [`AuditLog`] and waits until they are
//! durable before it answers. [`writer`] makes that cheap by committing the
//! records of concurrent screenings together.

pub mod export;
pub mod verify;
mod writer;

use std::sync::Arc;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::config::Settings;
use crate::engine::{Screener, Screening};
use crate::record::store::{AuditHit, AuditRecord, ListSet, Millis, Purge, Store, StoreError};

pub use writer::AuditError;

/// The version of this engine, recorded with every screening.
pub const ENGINE_VERSION: &str = concat!("cartelscreen ", env!("CARGO_PKG_VERSION"));

/// What stays the same across the records of one process: the engine
/// version and the hash of the configuration that decides results.
#[derive(Debug, Clone)]
pub struct AuditContext {
    pub config_hash: String,
    review_threshold: f64,
}

impl AuditContext {
    pub fn new(settings: &Settings) -> AuditContext {
        AuditContext { config_hash: config_hash(settings), review_threshold: settings.matching.review_threshold }
    }
}

/// sha256 of everything in the configuration that can change a result: the
/// matching thresholds, the network depth and which lists are configured.
pub fn config_hash(settings: &Settings) -> String {
    let decisive = json!({
        "matching": settings.matching,
        "network_depth": settings.lists.network_depth,
        "network_hub_degree": settings.lists.network_hub_degree,
        "affiliations": settings.lists.affiliations,
        "embedded_cartels": settings.lists.embedded_cartels,
    });
    hex(&Sha256::digest(decisive.to_string().as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The list versions a screener holds, as recorded today.
pub fn list_set(screener: &Screener) -> ListSet {
    list_set_at(screener, crate::engine::model::today_days())
}

/// The list versions a screener holds, as recorded on day `today`: dataset,
/// sha256, entries, publication date and its age in days, and `partial`
/// for a partial set.
pub fn list_set_at(screener: &Screener, today: i64) -> ListSet {
    ListSet::new(Value::Array(
        screener
            .lists()
            .iter()
            .map(|l| {
                let mut v = json!({"dataset": l.dataset, "sha256": l.sha256, "entries": l.entries});
                if let Some(p) = &l.published {
                    v["published"] = json!(p);
                }
                if let Some(a) = l.age_days(today) {
                    v["age_days"] = json!(a);
                }
                if l.partial {
                    v["partial"] = json!(true);
                    v["missing_files"] = json!(l.missing_files);
                }
                v
            })
            .collect(),
    ))
}

/// A score as recorded: four decimals, as the API shows it.
pub fn recorded_score(score: f32) -> f64 {
    (score as f64 * 10_000.0).round() / 10_000.0
}

/// A match as recorded with its screening.
pub fn hit_of(m: &crate::engine::screen::Match) -> AuditHit {
    AuditHit {
        entity_id: m.entity_id.clone(),
        list: m.list.clone(),
        score: recorded_score(m.score),
        decision: m.decision.as_str().to_string(),
        flags: m.flags.iter().map(|f| f.as_str().to_string()).collect(),
    }
}

/// Who asked and how: the part of a record its channel supplies.
#[derive(Debug, Clone)]
pub struct Origin {
    pub request_id: String,
    pub caller: String,
    pub channel: &'static str,
}

impl Origin {
    pub fn new(request_id: impl Into<String>, caller: impl Into<String>, channel: &'static str) -> Origin {
        Origin { request_id: request_id.into(), caller: caller.into(), channel }
    }

    fn uid(&self, item: Option<i64>) -> String {
        match item {
            Some(i) => format!("{}/{i}", self.request_id),
            None => self.request_id.clone(),
        }
    }
}

/// The user a command-line run is recorded under.
pub fn cli_caller() -> String {
    let user = std::env::var("USER").or_else(|_| std::env::var("LOGNAME")).unwrap_or_else(|_| "unknown".into());
    format!("cli:{user}")
}

/// One screened counterparty, ready to be recorded.
pub struct Screened<'a> {
    pub item: Option<i64>,
    pub reference: Option<&'a str>,
    /// The counterparty as submitted.
    pub subject: Value,
    /// The screening, or why it could not be done.
    pub outcome: Result<&'a Screening, String>,
}

impl AuditContext {
    /// The record of one screening.
    pub fn screening(&self, origin: &Origin, lists: &Arc<ListSet>, at: Millis, s: Screened<'_>) -> AuditRecord {
        let (decision, flags, hits, subject) = match s.outcome {
            Ok(screening) => (
                screening.decision.as_str().to_string(),
                screening.flags.iter().map(|f| f.as_str().to_string()).collect(),
                screening
                    .matches
                    .iter()
                    .filter(|m| m.decision.is_alert() || m.score as f64 >= self.review_threshold)
                    .map(hit_of)
                    .collect(),
                s.subject,
            ),
            Err(error) => {
                let mut subject = s.subject;
                if let Value::Object(o) = &mut subject {
                    o.insert("error".into(), Value::String(error));
                }
                ("error".to_string(), Vec::new(), Vec::new(), subject)
            }
        };
        AuditRecord {
            seq: None,
            hash: None,
            uid: origin.uid(s.item),
            at,
            kind: "screening".into(),
            channel: origin.channel.to_string(),
            request_id: origin.request_id.clone(),
            caller: origin.caller.clone(),
            item: s.item,
            reference: s.reference.map(str::to_string),
            subject,
            lists: lists.clone(),
            engine_version: ENGINE_VERSION.to_string(),
            config_hash: self.config_hash.clone(),
            decision: Some(decision),
            flags,
            hits,
        }
    }

    /// The record of a change an analyst or operator made.
    pub fn change(&self, origin: &Origin, kind: &str, reference: Option<&str>, subject: Value) -> AuditRecord {
        AuditRecord {
            seq: None,
            hash: None,
            uid: origin.uid(None),
            at: crate::record::store::now_millis(),
            kind: kind.to_string(),
            channel: origin.channel.to_string(),
            request_id: origin.request_id.clone(),
            caller: origin.caller.clone(),
            item: None,
            reference: reference.map(str::to_string),
            subject,
            lists: ListSet::empty(),
            engine_version: ENGINE_VERSION.to_string(),
            config_hash: self.config_hash.clone(),
            decision: None,
            flags: Vec::new(),
            hits: Vec::new(),
        }
    }
}

/// The trail: the store, and the writer that commits screenings to it.
pub struct AuditLog {
    store: Arc<dyn Store>,
    writer: Option<writer::Writer>,
    context: AuditContext,
    chain: ChainUpkeep,
    /// The last whole-chain verification: when it ended, and its result.
    last_verification: std::sync::Mutex<Option<(Millis, verify::Verification)>>,
}

/// When and where the service proves its chain (the `audit.checkpoint_*`
/// and `audit.verify_interval_hours` settings).
#[derive(Debug, Clone)]
pub struct ChainUpkeep {
    pub checkpoint_path: std::path::PathBuf,
    /// 0: no checkpoints.
    pub checkpoint_interval: std::time::Duration,
    /// Empty: checkpoints are not POSTed.
    pub checkpoint_url: String,
    /// 0: no verification by the service.
    pub verify_interval: std::time::Duration,
}

impl AuditLog {
    /// Opens the configured store and, unless auditing is off, starts the
    /// writer. Purges records past retention first.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the database cannot be opened, migrated or its retention set.
    pub fn open(settings: &Settings) -> Result<AuditLog, StoreError> {
        let store = crate::record::store::open(&settings.audit)?;
        store.set_retention_days(settings.audit.retention_days)?;
        Ok(AuditLog::on_store(store, settings))
    }

    pub fn on_store(store: Arc<dyn Store>, settings: &Settings) -> AuditLog {
        let writer = settings.audit.enabled.then(|| writer::Writer::spawn(store.clone(), settings.audit.max_batch));
        let a = &settings.audit;
        let chain = ChainUpkeep {
            checkpoint_path: a.checkpoint_path(),
            checkpoint_interval: std::time::Duration::from_secs(a.checkpoint_interval_secs),
            checkpoint_url: a.checkpoint_url.trim().to_string(),
            verify_interval: std::time::Duration::from_secs(a.verify_interval_hours.saturating_mul(3600)),
        };
        AuditLog {
            store,
            writer,
            context: AuditContext::new(settings),
            chain,
            last_verification: std::sync::Mutex::new(None),
        }
    }

    /// When and where this service proves its chain.
    pub fn chain_upkeep(&self) -> &ChainUpkeep {
        &self.chain
    }

    /// Verifies the chain (see [`verify::verify`]); a verification of the
    /// whole trail is kept for [`AuditLog::chain_metrics`].
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the database cannot be read.
    pub fn verify(&self, options: &verify::VerifyOptions) -> Result<verify::Verification, StoreError> {
        let v = verify::verify(&*self.store, options)?;
        if options.from.is_none() && options.to.is_none() {
            if !v.intact {
                tracing::error!(broken = ?v.broken, "the audit trail's hash chain is broken");
            }
            let mut last = self.last_verification.lock().unwrap_or_else(|p| p.into_inner());
            *last = Some((crate::record::store::now_millis(), v.clone()));
        }
        Ok(v)
    }

    /// Takes a checkpoint of the chain's head: appends it to the checkpoint
    /// file, logs it, and POSTs it to `audit.checkpoint_url` when set.
    ///
    /// # Errors
    ///
    /// A message when the head cannot be read or the file written; a failed
    /// POST is logged, not an error (the file and the log keep the copy).
    pub fn write_checkpoint(&self) -> Result<verify::Checkpoint, String> {
        let c = verify::checkpoint(&*self.store).map_err(|e| e.to_string())?;
        verify::append_checkpoint(&self.chain.checkpoint_path, &c)
            .map_err(|e| format!("cannot write {}: {e}", self.chain.checkpoint_path.display()))?;
        tracing::info!(seq = c.seq, hash = %c.hash, at = %c.at, "audit chain checkpoint");
        if !self.chain.checkpoint_url.is_empty() {
            let agent = ureq::AgentBuilder::new().timeout(std::time::Duration::from_secs(10)).build();
            let body = serde_json::to_string(&c).unwrap_or_default();
            let sent =
                agent.post(&self.chain.checkpoint_url).set("Content-Type", "application/json").send_string(&body);
            if let Err(e) = sent {
                tracing::warn!(error = %crate::engine::query::quote_bounded(&e.to_string()), "cannot POST the audit chain checkpoint");
            }
        }
        Ok(c)
    }

    /// The last whole-chain verification as Prometheus gauges:
    /// `cartelscreen_audit_chain_intact` (1 intact, 0 broken, -1 not yet
    /// verified), `cartelscreen_audit_chain_verified_records` and
    /// `cartelscreen_audit_chain_last_verified_seconds` (Unix time).
    pub fn chain_metrics(&self) -> String {
        let last = self.last_verification.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let (intact, records, at) = match &last {
            Some((at, v)) => (i64::from(v.intact), v.records, *at as f64 / 1000.0),
            None => (-1, 0, 0.0),
        };
        format!(
            "# HELP cartelscreen_audit_chain_intact Whether the last verification of the audit hash chain found it whole (1), broken (0), or none ran yet (-1).\n\
             # TYPE cartelscreen_audit_chain_intact gauge\ncartelscreen_audit_chain_intact {intact}\n\
             # HELP cartelscreen_audit_chain_verified_records Chained records the last verification checked.\n\
             # TYPE cartelscreen_audit_chain_verified_records gauge\ncartelscreen_audit_chain_verified_records {records}\n\
             # HELP cartelscreen_audit_chain_last_verified_seconds When the last verification ended, Unix time.\n\
             # TYPE cartelscreen_audit_chain_last_verified_seconds gauge\ncartelscreen_audit_chain_last_verified_seconds {at}\n"
        )
    }

    /// The writer's work as Prometheus counters: transactions committed
    /// (`cartelscreen_audit_commits_total`), records in them
    /// (`cartelscreen_audit_records_written_total`; their ratio is the
    /// group-commit size) and seconds spent committing
    /// (`cartelscreen_audit_commit_seconds_total`). Empty when the trail is off.
    pub fn writer_metrics(&self) -> String {
        let Some(w) = &self.writer else { return String::new() };
        let s = w.stats();
        let load = |c: &std::sync::atomic::AtomicU64| c.load(std::sync::atomic::Ordering::Relaxed);
        let seconds = load(&s.commit_nanos) as f64 / 1e9;
        format!(
            "# HELP cartelscreen_audit_commits_total Audit transactions committed (each durable before its screenings are answered).\n\
             # TYPE cartelscreen_audit_commits_total counter\ncartelscreen_audit_commits_total {}\n\
             # HELP cartelscreen_audit_records_written_total Audit records committed.\n\
             # TYPE cartelscreen_audit_records_written_total counter\ncartelscreen_audit_records_written_total {}\n\
             # HELP cartelscreen_audit_commit_seconds_total Time spent writing and committing audit transactions.\n\
             # TYPE cartelscreen_audit_commit_seconds_total counter\ncartelscreen_audit_commit_seconds_total {seconds}\n",
            load(&s.commits),
            load(&s.records),
        )
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn context(&self) -> &AuditContext {
        &self.context
    }

    /// Whether screenings are recorded (off only for measurements).
    pub fn enabled(&self) -> bool {
        self.writer.is_some()
    }

    /// Records and waits until they are durable.
    ///
    /// # Errors
    ///
    /// [`AuditError`] when the records could not be made durable (the screenings must not be
    /// answered).
    pub async fn append(&self, records: Vec<AuditRecord>) -> Result<(), AuditError> {
        match &self.writer {
            Some(w) if !records.is_empty() => w.append(records).await,
            _ => Ok(()),
        }
    }

    /// [`AuditLog::append`] for threads outside the async runtime.
    ///
    /// # Errors
    ///
    /// As [`AuditLog::append`].
    pub fn append_blocking(&self, records: Vec<AuditRecord>) -> Result<(), AuditError> {
        match &self.writer {
            Some(w) if !records.is_empty() => w.append_blocking(records),
            _ => Ok(()),
        }
    }

    /// Records a change (a disposition, a registration) whether or not
    /// screenings are recorded: changes are always audited.
    ///
    /// # Errors
    ///
    /// [`AuditError`] when the record could not be made durable.
    pub fn append_change_blocking(&self, record: AuditRecord) -> Result<(), AuditError> {
        self.append_changes_blocking(vec![record])
    }

    /// [`AuditLog::append_change_blocking`] for several changes, in one
    /// transaction.
    ///
    /// # Errors
    ///
    /// [`AuditError`] when the records could not be made durable.
    pub fn append_changes_blocking(&self, records: Vec<AuditRecord>) -> Result<(), AuditError> {
        if records.is_empty() {
            return Ok(());
        }
        match &self.writer {
            Some(w) => w.append_blocking(records),
            None => self.store.append_audit(&records).map_err(|e| AuditError::Store(e.to_string())),
        }
    }

    /// Deletes the records past the retention the store enforces (see
    /// [`Store::purge_audit`]) and records the purge (kind
    /// `retention_purge`: the range of `seq` removed, how many records, the
    /// hash the rest chains from, the cutoff) in the chain. `None` when
    /// nothing was old enough or retention is 0 (keep everything).
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the database fails; nothing is deleted then.
    pub fn purge_expired(&self) -> Result<Option<Purge>, StoreError> {
        let origin = Origin::new(uuid::Uuid::now_v7().to_string(), "retention", "service");
        let context = &self.context;
        self.store.purge_audit(&|p: &Purge| {
            let subject = json!({
                "first_seq": p.first_seq,
                "last_seq": p.last_seq,
                "records": p.records,
                "last_hash": p.last_hash,
                "before": export::format_time(p.before),
            });
            context.change(&origin, "retention_purge", None, subject)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_goes_to_the_file_and_is_posted() {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        let received = std::thread::spawn(move || {
            let (mut conn, _) = listener.accept().expect("accept");
            conn.set_read_timeout(Some(std::time::Duration::from_secs(5))).expect("timeout");
            let mut got = Vec::new();
            let mut buf = [0u8; 4096];
            while !String::from_utf8_lossy(&got).contains("\"hash\"") {
                let n = conn.read(&mut buf).expect("read");
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
            }
            conn.write_all(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n").expect("answer");
            String::from_utf8_lossy(&got).into_owned()
        });
        let dir = tempfile::tempdir().expect("temp dir");
        let mut settings = Settings::defaults();
        settings.audit.sqlite_path = dir.path().join("audit.sqlite3");
        settings.audit.checkpoint_url = format!("http://127.0.0.1:{port}/checkpoints");
        let log = AuditLog::open(&settings).expect("open");
        let origin = Origin::new("req-1", "k", "api");
        let record = log.context().change(&origin, "monitoring_removed", Some("c-1"), json!({}));
        log.append_change_blocking(record).expect("append");
        let c = log.write_checkpoint().expect("checkpoint");
        assert_eq!(c.seq, 1);
        let file = std::fs::read_to_string(dir.path().join("audit-checkpoints.jsonl")).expect("checkpoint file");
        let written: verify::Checkpoint = serde_json::from_str(file.trim()).expect("one checkpoint");
        assert_eq!(written, c);
        let request = received.join().expect("server");
        assert!(request.starts_with("POST /checkpoints "), "{request}");
        assert!(request.contains(&format!("\"hash\":\"{}\"", c.hash)), "{request}");
        let v = log.verify(&verify::VerifyOptions { checkpoints: vec![c], ..Default::default() }).expect("verify");
        assert!(v.intact && v.checkpoints == 1, "{v:?}");
        assert!(log.chain_metrics().contains("cartelscreen_audit_chain_intact 1"));
    }

    #[test]
    fn config_hash_changes_with_thresholds_only() {
        let a = Settings::defaults();
        let mut b = a.clone();
        b.server.port = 9999;
        assert_eq!(config_hash(&a), config_hash(&b), "the port cannot change a result");
        b.matching.review_threshold = 0.8;
        assert_ne!(config_hash(&a), config_hash(&b));
        assert_eq!(config_hash(&a).len(), 64);
    }

    #[test]
    fn uid_names_the_item() {
        let o = Origin::new("req-1", "k", "api");
        assert_eq!(o.uid(None), "req-1");
        assert_eq!(o.uid(Some(3)), "req-1/3");
    }
}
