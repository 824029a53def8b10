//! The record-keeping around screening, opened together on one store: the
//! audit trail, analyst dispositions, ongoing monitoring and its webhook.
//! The HTTP service and the command line both start from here.

use std::sync::{mpsc, Arc, Weak};
use std::time::{Duration, Instant};

use crate::audit::AuditLog;
use crate::config::Settings;
use crate::dispositions::Dispositions;
use crate::live::LiveLists;
use crate::monitor::Monitor;
use crate::store::{Store, StoreError};
use crate::webhook::WebhookSender;

/// How often dispositions other replicas recorded are picked up.
const REFRESH: Duration = Duration::from_secs(10);
/// How often records past retention are purged.
const PURGE: Duration = Duration::from_secs(24 * 3600);

pub struct Compliance {
    pub audit: Arc<AuditLog>,
    pub dispositions: Arc<Dispositions>,
    pub monitor: Arc<Monitor>,
    webhook: Option<WebhookSender>,
    retention_days: u32,
}

impl Compliance {
    /// Opens (creating and migrating) the configured store.
    ///
    /// On a thread of its own: the PostgreSQL client blocks on a runtime of
    /// its own, which cannot start on a thread already driving async tasks
    /// (a server starting up, an async test).
    pub fn open(settings: &Settings) -> Result<Compliance, StoreError> {
        std::thread::scope(|s| {
            s.spawn(|| Compliance::on_store(crate::store::open(&settings.audit)?, settings))
                .join()
                .unwrap_or_else(|_| Err(StoreError::Corrupt("opening the store panicked".into())))
        })
    }

    pub fn on_store(store: Arc<dyn Store>, settings: &Settings) -> Result<Compliance, StoreError> {
        let audit = Arc::new(AuditLog::on_store(store.clone(), settings));
        let purged = audit.purge_expired(settings.audit.retention_days)?;
        if purged > 0 {
            tracing::info!(purged, "audit records past retention purged");
        }
        let dispositions = Arc::new(Dispositions::load(store.clone())?);
        let webhook = WebhookSender::spawn(store, &settings.monitoring);
        let monitor = Arc::new(Monitor::new(audit.clone(), dispositions.clone(), webhook.as_ref().map(|w| w.waker())));
        Ok(Compliance { audit, dispositions, monitor, webhook, retention_days: settings.audit.retention_days })
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
        let me: Weak<Compliance> = Arc::downgrade(self);
        let lists = Arc::downgrade(lists);
        let _ = std::thread::Builder::new().name("compliance-upkeep".into()).spawn(move || {
            let mut last_purge = Instant::now();
            loop {
                let swapped = match rx.recv_timeout(REFRESH) {
                    Ok(()) => true,
                    Err(mpsc::RecvTimeoutError::Timeout) => false,
                    Err(mpsc::RecvTimeoutError::Disconnected) => return,
                };
                let (Some(c), Some(l)) = (me.upgrade(), lists.upgrade()) else { return };
                if swapped {
                    while rx.try_recv().is_ok() {}
                    match c.monitor.check(&l.current().screener) {
                        Ok(outcome) => tracing::info!(?outcome, "monitoring checked the lists in service"),
                        Err(e) => tracing::error!(error = %e, "monitoring check failed; it runs again at the next change or start"),
                    }
                }
                if let Err(e) = c.dispositions.refresh() {
                    tracing::warn!(error = %e, "cannot refresh dispositions");
                }
                if last_purge.elapsed() >= PURGE {
                    last_purge = Instant::now();
                    if let Err(e) = c.audit.purge_expired(c.retention_days) {
                        tracing::warn!(error = %e, "cannot purge audit records past retention");
                    }
                }
            }
        });
    }
}

/// A compliance stack on a fresh SQLite file in a temporary folder, for
/// handler tests.
#[cfg(test)]
pub fn scratch(settings: &Settings) -> Arc<Compliance> {
    let dir = tempfile::Builder::new().prefix("cartelscreen-unit-").tempdir().expect("temporary directory");
    let mut s = settings.clone();
    s.audit.url = String::new();
    s.audit.sqlite_path = dir.keep().join("audit.sqlite3");
    Arc::new(Compliance::open(&s).expect("scratch store opens"))
}
