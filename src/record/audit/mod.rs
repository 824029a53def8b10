//! The audit trail: what was screened, against which list versions, with
//! which configuration, what the system said, and what analysts decided.
//!
//! Acknowledged means recorded: every channel (API, batch file, transaction
//! party, CLI) hands its records to [`AuditLog`] and waits until they are
//! durable before it answers. [`writer`] makes that cheap by committing the
//! records of concurrent screenings together.

pub mod export;
mod writer;

use std::sync::Arc;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::config::Settings;
use crate::engine::{Screener, Screening};
use crate::record::store::{AuditHit, AuditRecord, ListSet, Millis, Store, StoreError};

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
}

impl AuditLog {
    /// Opens the configured store and, unless auditing is off, starts the
    /// writer. Purges records past retention first.
    pub fn open(settings: &Settings) -> Result<AuditLog, StoreError> {
        let store = crate::record::store::open(&settings.audit)?;
        Ok(AuditLog::on_store(store, settings))
    }

    pub fn on_store(store: Arc<dyn Store>, settings: &Settings) -> AuditLog {
        let writer = settings.audit.enabled.then(|| writer::Writer::spawn(store.clone(), settings.audit.max_batch));
        AuditLog { store, writer, context: AuditContext::new(settings) }
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
    pub async fn append(&self, records: Vec<AuditRecord>) -> Result<(), AuditError> {
        match &self.writer {
            Some(w) if !records.is_empty() => w.append(records).await,
            _ => Ok(()),
        }
    }

    /// [`AuditLog::append`] for threads outside the async runtime.
    pub fn append_blocking(&self, records: Vec<AuditRecord>) -> Result<(), AuditError> {
        match &self.writer {
            Some(w) if !records.is_empty() => w.append_blocking(records),
            _ => Ok(()),
        }
    }

    /// Records a change (a disposition, a registration) whether or not
    /// screenings are recorded: changes are always audited.
    pub fn append_change_blocking(&self, record: AuditRecord) -> Result<(), AuditError> {
        match &self.writer {
            Some(w) => w.append_blocking(vec![record]),
            None => self.store.append_audit(&[record]).map_err(|e| AuditError::Store(e.to_string())),
        }
    }

    /// Deletes records older than `retention_days` (0 keeps everything).
    pub fn purge_expired(&self, retention_days: u32) -> Result<u64, StoreError> {
        if retention_days == 0 {
            return Ok(0);
        }
        let cutoff = crate::record::store::now_millis() - i64::from(retention_days) * 86_400_000;
        self.store.purge_audit(cutoff)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
