//! The durable state of the service: the audit trail, analyst dispositions,
//! monitored counterparties, the list snapshot monitoring compares against,
//! and the alerts with their webhook deliveries.
//!
//! One interface, two databases: the embedded SQLite file (WAL) a single
//! instance needs, and PostgreSQL, which lets several replicas behind a load
//! balancer share one trail. Both pass the same tests. The interface is
//! blocking on purpose: callers are the audit writer's own thread and
//! blocking tasks, never an async executor thread.
//!
//! Audit records and delivery attempts are append-only: both schemas refuse
//! an `UPDATE` of them with a trigger, and the only deletion is the
//! retention purge.
//!
//! A record names the list versions it was made against by the fingerprint
//! of their set (`list_sets`, migration 2): the ~500 bytes of versions are
//! stored once per set, not once per record. Records written before keep
//! theirs inline, and read back the same. The retention purge leaves list
//! sets alone (one small row per list generation; a store instance
//! remembers the sets it has written and would otherwise name a deleted one).
//!
//! What the two share is written once: the schema and its numbered
//! migrations (`schema`), the statements, the query of a page of the trail
//! or of the alerts, and the decoding of rows (`sql`); the few places the
//! two databases' SQL differs are a `Dialect` (`dialect`). `sqlite` and
//! `postgres` hold what really differs: connections, transactions and
//! locking, and how a batch is bound (row by row in-process for SQLite, one
//! array per column and one round trip for PostgreSQL).

#[cfg(test)]
mod bench;
#[cfg(test)]
mod conformance;
mod dialect;
pub mod postgres;
mod schema;
mod sql;
pub mod sqlite;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::config::AuditSettings;

/// Milliseconds since the Unix epoch, UTC: the one time type of the store,
/// the same in SQLite and PostgreSQL.
pub type Millis = i64;

/// Now, in [`Millis`].
pub fn now_millis() -> Millis {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("audit database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("audit database: {0}")]
    Postgres(#[from] ::postgres::Error),
    #[error("audit database: cannot create {path}: {source}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("audit database: {0}")]
    Corrupt(String),
}

/// One entry of the audit trail: a screening, or a change an analyst or an
/// operator made (a disposition recorded or revoked, a counterparty put
/// under monitoring).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditRecord {
    /// Position in the trail, assigned by the store; `None` before insert.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<i64>,
    /// SHA-256 (64 lower-case hex digits) chaining this record to the one
    /// before it (see [`crate::record::chain`]), assigned by the store;
    /// `None` before insert and on records written before the chain began.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    /// Unique: the request id, plus `/<item>` for a batch item or party.
    pub uid: String,
    /// When it happened.
    pub at: Millis,
    /// `screening`, `disposition_recorded`, `disposition_revoked`,
    /// `monitoring_registered` or `monitoring_removed`.
    pub kind: String,
    /// Where it came from: `api`, `api_batch`, `transaction`, `upload`,
    /// `match`, `monitoring`, `cli`, `cli_batch`.
    pub channel: String,
    pub request_id: String,
    /// API key id, `anonymous` with keys off, or `cli:<user>`.
    pub caller: String,
    /// Index in a batch, row number of a file, or party index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The counterparty as submitted, or the change's own content.
    #[schema(value_type = Object)]
    pub subject: serde_json::Value,
    /// The list versions in service: `[{dataset, sha256, published}]`,
    /// shared by every record made against the same lists and stored once.
    #[schema(value_type = Vec<Object>)]
    pub lists: Arc<ListSet>,
    pub engine_version: String,
    /// sha256 of the matching configuration in force.
    pub config_hash: String,
    /// `clear`, `review`, `block` or `error` for a screening; none for a change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<String>,
    pub flags: Vec<String>,
    /// Every match at or above the review threshold.
    pub hits: Vec<AuditHit>,
}

/// What a retention purge removed: records `first_seq..=last_seq`, the hash
/// of the last of them (which the first record kept chains from), and the
/// cutoff.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Purge {
    pub first_seq: i64,
    pub last_seq: i64,
    pub records: u64,
    /// `None` when the last removed record was written before the chain.
    pub last_hash: Option<String>,
    /// Records older than this were eligible, in [`Millis`].
    pub before: Millis,
}

/// A set of list versions, as records name it: the versions, and a
/// fingerprint that identifies them (the sha256 of their JSON), by which the
/// store keeps them once instead of in every record.
#[derive(Debug, Clone, PartialEq)]
pub struct ListSet {
    /// Lower-case hex sha256 of `versions` as compact JSON.
    pub fingerprint: String,
    /// `[{dataset, sha256, published}]`.
    pub versions: serde_json::Value,
}

impl ListSet {
    /// The set of these versions.
    pub fn new(versions: serde_json::Value) -> ListSet {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(versions.to_string().as_bytes());
        ListSet { fingerprint: crate::lists::hex(&digest), versions }
    }

    /// No lists: the set of a record that is not a screening.
    pub fn empty() -> Arc<ListSet> {
        static EMPTY: std::sync::OnceLock<Arc<ListSet>> = std::sync::OnceLock::new();
        EMPTY.get_or_init(|| Arc::new(ListSet::new(serde_json::Value::Array(Vec::new())))).clone()
    }
}

impl Serialize for ListSet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.versions.serialize(s)
    }
}

impl<'de> Deserialize<'de> for ListSet {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<ListSet, D::Error> {
        serde_json::Value::deserialize(d).map(ListSet::new)
    }
}

/// One match recorded with a screening.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditHit {
    pub entity_id: String,
    pub list: String,
    pub score: f64,
    pub decision: String,
    pub flags: Vec<String>,
}

/// Which audit records to read. Every filter given must hold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditFilter {
    /// `at >= from`.
    pub from: Option<Millis>,
    /// `at < to`.
    pub to: Option<Millis>,
    pub kind: Option<String>,
    pub decision: Option<String>,
    /// Records with a hit on this entity.
    pub entity_id: Option<String>,
    pub reference: Option<String>,
    pub caller: Option<String>,
    pub request_id: Option<String>,
    /// Records with `seq > after` (the cursor of the previous page).
    pub after: Option<i64>,
    /// At most this many records, in `seq` order.
    pub limit: usize,
    /// Newest first (`seq` descending); `after` then reads the records
    /// before the cursor.
    pub newest_first: bool,
}

/// A page of the trail and the cursor of the next one.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditPage {
    pub records: Vec<AuditRecord>,
    /// `Some(last seq)` when the page is full (there may be more).
    pub next: Option<i64>,
}

/// An analyst's verdict on an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    FalsePositive,
    TrueMatch,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::FalsePositive => "false_positive",
            Verdict::TrueMatch => "true_match",
        }
    }

    pub fn parse(s: &str) -> Option<Verdict> {
        match s {
            "false_positive" => Some(Verdict::FalsePositive),
            "true_match" => Some(Verdict::TrueMatch),
            _ => None,
        }
    }
}

/// An analyst's decision that a counterparty is (or is not) a list entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Disposition {
    pub id: String,
    pub recorded_at: Millis,
    /// `ref:<reference>` or `name:<normalized name>|<identifier keys>`:
    /// what a later screening must carry for the disposition to apply.
    pub counterparty_key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default)]
    pub identifiers: Vec<String>,
    pub entity_id: String,
    /// The entry's signature when the analyst decided: if the entry changes
    /// (an alias, an identifier, a program), the disposition stops hiding it.
    pub entity_signature: String,
    pub verdict: Verdict,
    pub reason: String,
    pub analyst: String,
    /// Key id of whoever recorded it.
    pub recorded_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Millis>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<Revocation>,
}

/// The withdrawal of a disposition; the disposition itself is kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Revocation {
    pub at: Millis,
    pub by: String,
    pub reason: String,
}

/// A counterparty under ongoing monitoring.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Monitored {
    /// The caller's id for it; registering the same reference again
    /// replaces the counterparty.
    pub reference: String,
    pub registered_at: Millis,
    pub registered_by: String,
    /// The fields of a screening request: name, type, country, dob,
    /// identifiers, address.
    #[schema(value_type = Object)]
    pub counterparty: serde_json::Value,
}

/// The lists as monitoring last saw them: compared with the lists in service
/// at every reload and at start, so a change made while the service was
/// down is still found.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListState {
    /// Identifies the whole set of versions (a hash of their sha256s).
    pub fingerprint: String,
    /// The versions, as in an audit record.
    pub versions: serde_json::Value,
    pub updated_at: Millis,
    /// `(entity id, signature)` of every entry, sorted by id.
    pub entities: Vec<(String, String)>,
}

/// A monitored counterparty newly matching an entry added or changed by a
/// list update.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Alert {
    pub id: String,
    pub created_at: Millis,
    pub reference: String,
    pub entity_id: String,
    pub list: String,
    pub caption: String,
    pub score: f64,
    pub decision: String,
    pub flags: Vec<String>,
    /// `added` or `changed`.
    pub change: String,
    /// For `changed`: which parts of the entry changed (`names`,
    /// `identifiers`, `programs`, `links`...).
    pub changed: Vec<String>,
    /// List-set fingerprints before and after the update.
    pub from_lists: String,
    pub to_lists: String,
}

/// An alert with its place in the store and where its delivery stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StoredAlert {
    pub seq: i64,
    #[serde(flatten)]
    pub alert: Alert,
    pub delivery: DeliveryState,
}

/// Webhook delivery of one alert, summed over its attempts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeliveryState {
    pub attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_attempt_at: Option<Millis>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_at: Option<Millis>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

/// One try at delivering an alert.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryAttempt {
    pub alert_id: String,
    pub at: Millis,
    pub delivered: bool,
    /// The HTTP status the receiver answered, if it answered.
    pub status: Option<u16>,
    pub error: Option<String>,
}

/// Which alerts to read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlertFilter {
    pub from: Option<Millis>,
    pub to: Option<Millis>,
    pub reference: Option<String>,
    pub entity_id: Option<String>,
    /// Only alerts no attempt has delivered yet.
    pub undelivered: bool,
    pub after: Option<i64>,
    pub limit: usize,
    /// Newest first (`seq` descending); `after` then reads the records
    /// before the cursor.
    pub newest_first: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AlertPage {
    pub alerts: Vec<StoredAlert>,
    pub next: Option<i64>,
}

/// The database behind the service. Every method is one transaction.
///
/// # Errors
///
/// Every method fails with [`StoreError`] when the database cannot be
/// reached or a statement fails; a failed write changes nothing.
#[allow(clippy::missing_errors_doc)] // said once above, for every method
pub trait Store: Send + Sync {
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;

    /// Checks the database answers and is consistent (SQLite's
    /// `integrity_check`, which reads the whole file: for operators and the
    /// crash tests, not for a probe called every few seconds).
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the database does not answer or its integrity check reports damage.
    fn check(&self) -> Result<(), StoreError>;

    /// Appends records in one transaction: all durable on `Ok`, none on `Err`.
    fn append_audit(&self, records: &[AuditRecord]) -> Result<(), StoreError>;
    fn audit(&self, filter: &AuditFilter) -> Result<AuditPage, StoreError>;
    /// The chain's head: the last record's `seq` and hash (the `seq`
    /// before the chain's first record and [`crate::record::chain::GENESIS`]
    /// while it has none).
    fn chain_head(&self) -> Result<(i64, String), StoreError>;
    /// Sets the retention the deletion triggers enforce, in days (0: no
    /// record may be deleted). The last service started on a database sets it.
    fn set_retention_days(&self, days: u32) -> Result<(), StoreError>;
    /// Deletes the records past retention on the database's clock, with
    /// their hits: the longest run of records from the start of the trail
    /// all older than the retention, so the rest stays one chain. In the
    /// same transaction, appends the record `purge_record` makes of what was
    /// removed, chained like any other. `None` when nothing was old enough
    /// (or retention is 0). List sets are kept.
    fn purge_audit(&self, purge_record: &dyn Fn(&Purge) -> AuditRecord) -> Result<Option<Purge>, StoreError>;

    fn add_disposition(&self, d: &Disposition) -> Result<(), StoreError>;
    /// Revokes a disposition not yet revoked; `false` if there is none.
    fn revoke_disposition(&self, id: &str, revocation: &Revocation) -> Result<bool, StoreError>;
    /// Every disposition, revoked ones included, oldest first.
    fn dispositions(&self) -> Result<Vec<Disposition>, StoreError>;

    /// Registers counterparties, replacing any with the same reference.
    fn put_monitored(&self, items: &[Monitored]) -> Result<(), StoreError>;
    fn remove_monitored(&self, reference: &str) -> Result<bool, StoreError>;
    /// Monitored counterparties by reference, after `after`, at most `limit`.
    fn monitored(&self, after: Option<&str>, limit: usize) -> Result<Vec<Monitored>, StoreError>;
    fn monitored_count(&self) -> Result<u64, StoreError>;

    /// The list state monitoring last recorded for `deployment` (its
    /// baseline), if any.
    fn list_state(&self, deployment: &str) -> Result<Option<ListState>, StoreError>;
    /// Records `new` as `deployment`'s baseline and `alerts` together, if
    /// its stored state is still the one with fingerprint `expected`
    /// (`None`: no state yet). Returns `false`, writing nothing, when
    /// another instance got there first, so replicas of one deployment
    /// reloading the same lists raise each alert once. Other deployments'
    /// baselines are never touched.
    fn commit_list_change(
        &self,
        deployment: &str,
        expected: Option<&str>,
        new: &ListState,
        alerts: &[Alert],
    ) -> Result<bool, StoreError>;

    fn alerts(&self, filter: &AlertFilter) -> Result<AlertPage, StoreError>;
    fn record_delivery(&self, attempt: &DeliveryAttempt) -> Result<(), StoreError>;
}

/// Opens (creating and migrating if needed) the database the settings name.
///
/// # Errors
///
/// [`StoreError`] when the database cannot be reached, created or migrated.
pub fn open(settings: &AuditSettings) -> Result<Arc<dyn Store>, StoreError> {
    let url = settings.url.trim();
    if url.is_empty() {
        let s: Arc<dyn Store> = Arc::new(sqlite::SqliteStore::open(&settings.sqlite_file())?);
        Ok(s)
    } else {
        let s: Arc<dyn Store> = Arc::new(postgres::PostgresStore::connect(url)?);
        Ok(s)
    }
}
