//! The records a compliance function keeps about its screenings, opened
//! together on one store: the audit trail ([`audit`]), analysts'
//! dispositions ([`dispositions`]), ongoing monitoring ([`monitor`], with
//! list [`delta`]s and its [`webhook`]). Every channel screens through
//! [`screening::Recorder`], the one recorded screening.
//!
//! The HTTP service and the command line both open [`Records`] and screen
//! through it; the engine knows none of this.

pub mod audit;
pub mod chain;
pub mod delta;
pub mod dispositions;
pub mod monitor;
pub mod screening;
pub mod store;
pub mod webhook;

use std::sync::{mpsc, Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use crate::config::Settings;
use crate::engine::Screener;
use crate::live::LiveLists;
use crate::record::audit::{AuditError, AuditLog};
use crate::record::dispositions::Dispositions;
use crate::record::monitor::{CheckOutcome, Monitor, MonitorError};
use crate::record::store::{AuditRecord, ListSet, Store, StoreError};
use crate::record::webhook::WebhookSender;

/// `lists.max_age_days` of the compiled-in defaults, for recorders made
/// without settings.
pub const DEFAULT_MAX_AGE_DAYS: u32 = 7;

/// How often dispositions other replicas recorded are picked up.
const REFRESH: Duration = Duration::from_secs(10);
/// The service's first verification of the chain, after start.
const FIRST_VERIFICATION: Duration = Duration::from_secs(60);
/// How often records past retention are purged.
const PURGE: Duration = Duration::from_secs(24 * 3600);

/// The audit trail, dispositions and monitoring of one service (or one
/// command-line run), on one store.
pub struct Records {
    /// The audit trail.
    pub audit: Arc<AuditLog>,
    /// Analysts' dispositions in force.
    pub dispositions: Arc<Dispositions>,
    /// Monitored counterparties and their alerts.
    pub monitor: Arc<Monitor>,
    webhook: Option<WebhookSender>,
    /// `lists.max_age_days`: older official lists are stale.
    pub max_age_days: u32,
    /// The list set of the lists last recorded against, by screener
    /// fingerprint and day (ages count in days): built once per list
    /// generation and day, shared by its records.
    list_set: Mutex<Option<(String, i64, Arc<ListSet>)>>,
    /// The monitoring baseline this process may move (see
    /// [`Settings::deployment`]).
    deployment: std::sync::RwLock<String>,
}

impl Records {
    /// Opens (creating and migrating) the configured store.
    ///
    /// On a thread of its own: the PostgreSQL client blocks on a runtime of
    /// its own, which cannot start on a thread already driving async tasks
    /// (a server starting up, an async test).
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the database cannot be opened or migrated, or the dispositions read.
    pub fn open(settings: &Settings) -> Result<Records, StoreError> {
        std::thread::scope(|s| {
            s.spawn(|| Records::on_store(crate::record::store::open(&settings.audit)?, settings))
                .join()
                .unwrap_or_else(|_| Err(StoreError::Corrupt("opening the store panicked".into())))
        })
    }

    /// # Errors
    ///
    /// [`StoreError`] when the retention cannot be set or the dispositions read.
    pub fn on_store(store: Arc<dyn Store>, settings: &Settings) -> Result<Records, StoreError> {
        store.set_retention_days(settings.audit.retention_days)?;
        let audit = Arc::new(AuditLog::on_store(store.clone(), settings));
        if let Some(p) = audit.purge_expired()? {
            tracing::info!(
                purged = p.records,
                first_seq = p.first_seq,
                last_seq = p.last_seq,
                "audit records past retention purged"
            );
        }
        let dispositions = Arc::new(Dispositions::load(store.clone())?);
        let webhook = WebhookSender::spawn(store, &settings.monitoring, audit.context().clone());
        let monitor = Arc::new(Monitor::new(webhook.as_ref().map(|w| w.waker())));
        Ok(Records {
            audit,
            dispositions,
            monitor,
            webhook,
            max_age_days: settings.lists.max_age_days,
            list_set: Mutex::new(None),
            deployment: std::sync::RwLock::new(settings.deployment(&[])),
        })
    }

    /// The list versions of `screener` as records name them; the same
    /// shared value for every record made against the same lists.
    pub fn list_set(&self, screener: &Screener) -> Arc<ListSet> {
        let today = crate::engine::model::today_days();
        let mut cached = self.list_set.lock().unwrap_or_else(|p| p.into_inner());
        match &*cached {
            Some((fingerprint, day, set)) if fingerprint == screener.fingerprint() && *day == today => set.clone(),
            _ => {
                let set = Arc::new(crate::record::audit::list_set_at(screener, today));
                *cached = Some((screener.fingerprint().to_string(), today, set.clone()));
                set
            }
        }
    }

    /// Makes records durable; a screening is answered only once this
    /// returns `Ok`.
    ///
    /// # Errors
    /// [`AuditError`] when the trail could not record them: the screenings
    /// must then not be answered.
    pub async fn commit(&self, records: Vec<AuditRecord>) -> Result<(), AuditError> {
        self.audit.append(records).await
    }

    /// [`Records::commit`] for threads outside the async runtime.
    ///
    /// # Errors
    /// As [`Records::commit`].
    pub fn commit_blocking(&self, records: Vec<AuditRecord>) -> Result<(), AuditError> {
        self.audit.append_blocking(records)
    }

    /// Registers counterparties for monitoring (a reference already
    /// registered is replaced).
    ///
    /// # Errors
    /// When the store fails.
    pub fn register_monitored(&self, items: &[crate::record::store::Monitored]) -> Result<(), StoreError> {
        self.store().put_monitored(items)
    }

    /// The deployment whose monitoring baseline this process moves.
    pub fn deployment(&self) -> String {
        self.deployment.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Names the deployment (the service sets it from its list sources,
    /// `--lists` included).
    pub fn set_deployment(&self, name: String) {
        *self.deployment.write().unwrap_or_else(|p| p.into_inner()) = name;
    }

    /// The list versions this deployment last accepted and served (its
    /// monitoring baseline): dataset, entries and `partial` are known; the
    /// rest is left empty. None before the first baseline.
    ///
    /// # Errors
    /// When the store fails.
    pub fn accepted_versions(&self) -> Result<Vec<crate::engine::model::ListVersion>, StoreError> {
        let Some(state) = self.store().list_state(&self.deployment())? else { return Ok(Vec::new()) };
        let versions = state.versions.as_array().cloned().unwrap_or_default();
        Ok(versions
            .iter()
            .filter_map(|v| {
                let dataset = v.get("dataset")?.as_str()?.to_string();
                Some(crate::engine::model::ListVersion {
                    dataset,
                    title: String::new(),
                    format: crate::engine::model::ListFormat::Cartelscreen,
                    source: "the monitoring baseline".into(),
                    sha256: v.get("sha256").and_then(|s| s.as_str()).unwrap_or("").to_string(),
                    published: v.get("published").and_then(|s| s.as_str()).map(str::to_string),
                    published_from: None,
                    entries: v.get("entries").and_then(|n| n.as_u64()).unwrap_or(0) as usize,
                    by_kind: Default::default(),
                    partial: v.get("partial").and_then(|p| p.as_bool()).unwrap_or(false),
                    missing_files: v
                        .get("missing_files")
                        .and_then(|m| m.as_array())
                        .map(|a| a.iter().filter_map(|f| f.as_str().map(str::to_string)).collect())
                        .unwrap_or_default(),
                })
            })
            .collect())
    }

    /// Compares the lists of `screener` with those this deployment last
    /// served and re-screens monitored counterparties against what changed.
    /// Only a serving service calls it, with the lists it put in service:
    /// that moves the deployment's baseline.
    ///
    /// # Errors
    /// [`MonitorError`] when the store or the trail fails; the stored state
    /// is then left as it was.
    pub fn check_monitoring(&self, screener: &Screener) -> Result<CheckOutcome, MonitorError> {
        self.monitor.check(self, screener)
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        self.audit.store()
    }

    /// Looks for due webhook deliveries now.
    pub fn wake_webhook(&self) {
        if let Some(w) = &self.webhook {
            w.wake();
        }
    }

    /// Background upkeep for a long-running service: checks the lists
    /// against monitoring at start and after every swap, refreshes
    /// dispositions, purges past retention. Stops when `self` is dropped.
    pub fn spawn_upkeep(self: &Arc<Self>, lists: &Arc<LiveLists>) {
        let (tx, rx) = mpsc::channel::<()>();
        let _ = tx.send(());
        let swapped = std::sync::Mutex::new(tx);
        lists.on_swap(Box::new(move || {
            let _ = swapped.lock().unwrap_or_else(|p| p.into_inner()).send(());
        }));
        let me: Weak<Records> = Arc::downgrade(self);
        let lists = Arc::downgrade(lists);
        let _ = std::thread::Builder::new().name("compliance-upkeep".into()).spawn(move || {
            let mut last_purge = Instant::now();
            let mut last_checkpoint = Instant::now();
            // The first verification runs a minute after start, not at once:
            // it reads the whole trail.
            let mut last_verification: Option<Instant> = None;
            let started = Instant::now();
            loop {
                let swapped = match rx.recv_timeout(REFRESH) {
                    Ok(()) => true,
                    Err(mpsc::RecvTimeoutError::Timeout) => false,
                    Err(mpsc::RecvTimeoutError::Disconnected) => return,
                };
                let (Some(c), Some(l)) = (me.upgrade(), lists.upgrade()) else { return };
                if swapped {
                    while rx.try_recv().is_ok() {}
                    match c.check_monitoring(&l.current().screener) {
                        Ok(outcome) => tracing::info!(?outcome, "monitoring checked the lists in service"),
                        Err(e) => tracing::error!(error = %e, "monitoring check failed; it runs again at the next change or start"),
                    }
                }
                if let Err(e) = c.dispositions.refresh() {
                    tracing::warn!(error = %e, "cannot refresh dispositions");
                }
                if last_purge.elapsed() >= PURGE {
                    last_purge = Instant::now();
                    if let Err(e) = c.audit.purge_expired() {
                        tracing::warn!(error = %e, "cannot purge audit records past retention");
                    }
                }
                let chain = c.audit.chain_upkeep().clone();
                if !chain.checkpoint_interval.is_zero() && last_checkpoint.elapsed() >= chain.checkpoint_interval {
                    last_checkpoint = Instant::now();
                    if let Err(e) = c.audit.write_checkpoint() {
                        tracing::warn!(error = %e, "cannot write the audit chain checkpoint");
                    }
                }
                let verify_due = match last_verification {
                    None => started.elapsed() >= FIRST_VERIFICATION.min(chain.verify_interval),
                    Some(t) => t.elapsed() >= chain.verify_interval,
                };
                if !chain.verify_interval.is_zero() && verify_due {
                    last_verification = Some(Instant::now());
                    match c.audit.verify(&Default::default()) {
                        Ok(v) => tracing::info!(intact = v.intact, records = v.records, "audit chain verified"),
                        Err(e) => tracing::warn!(error = %e, "cannot verify the audit chain"),
                    }
                }
            }
        });
    }
}

/// A compliance stack on a fresh SQLite file in a temporary folder, for
/// handler tests.
#[cfg(test)]
pub fn scratch(settings: &Settings) -> Arc<Records> {
    let dir = tempfile::Builder::new().prefix("cartelscreen-unit-").tempdir().expect("temporary directory");
    let mut s = settings.clone();
    s.audit.url = String::new();
    s.audit.sqlite_path = dir.keep().join("audit.sqlite3");
    Arc::new(Records::open(&s).expect("scratch store opens"))
}
