//! What every handler shares: the lists in service, the keys, the limits.

use std::sync::Arc;

use crate::config::Settings;
use crate::http::apikey::Keyring;
use crate::http::metrics::Metrics;
use crate::http::rate_limit::RateLimiter;
use crate::http::ui::batch::Batches;
use crate::http::ui::session::Sessions;
use crate::live::LiveLists;
use crate::record::Records;

pub struct AppState {
    pub lists: Arc<LiveLists>,
    pub keys: Keyring,
    pub settings: Settings,
    pub limiter: Option<RateLimiter>,
    pub metrics: Arc<Metrics>,
    /// The audit trail, dispositions and monitoring.
    pub records: Arc<Records>,
    /// The web workspace's sign-in sessions.
    pub sessions: Sessions,
    /// The web workspace's batch files.
    pub batches: Batches,
}

impl AppState {
    pub fn new(lists: Arc<LiveLists>, metrics: Arc<Metrics>, records: Arc<Records>) -> AppState {
        let settings = lists.settings().clone();
        AppState {
            keys: Keyring::new(&settings.auth.keys),
            limiter: RateLimiter::new(&settings.rate_limit),
            lists,
            sessions: Sessions::new(&settings.ui),
            batches: Batches::default(),
            settings,
            metrics,
            records,
        }
    }
}
