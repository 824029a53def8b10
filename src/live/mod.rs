//! The lists in service, swapped whole on reload.
//!
//! A reload builds a complete new [`Screener`] beside the one in service and
//! then swaps a pointer: a screening in progress keeps the `Arc` it started
//! with and finishes on the old lists, the next one sees the new lists, and
//! nobody ever sees half of each. A reload that fails leaves the lists in
//! service untouched and is remembered, so operators see it.

mod load;
pub mod watch;

pub use load::{lists_configured, load_screener, load_screener_for, LoadMode};

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use arc_swap::ArcSwap;
use serde::Serialize;

use crate::config::Settings;
use crate::engine::model::ListVersion;
use crate::engine::screen::Screener;
use crate::lists::ListError;

/// A screener and when it went into service.
pub struct Generation {
    pub screener: Screener,
    pub loaded_at: SystemTime,
    /// Counts up from 1 with every successful reload that changed the lists.
    pub number: u64,
}

/// What the last reload attempts did, for `/v1/lists` and `/readyz`.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ReloadStatus {
    /// RFC 3339 time of the last attempt, successful or not.
    pub last_attempt_at: Option<String>,
    pub last_success_at: Option<String>,
    /// Why the last attempt failed; cleared by the next success.
    pub last_error: Option<String>,
    /// The kind of that failure: `format` (a broken file), `integrity` (an
    /// OFAC file cut short, a set that lost a file), `shrunk` (too many
    /// entries lost), `io`, `not_recognised`, `invalid`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error_kind: Option<String>,
    pub succeeded: u64,
    pub failed: u64,
}

/// The outcome of one reload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReloadOutcome {
    /// New list versions are in service.
    Swapped,
    /// Every list has the same sha256 as before; nothing was swapped.
    Unchanged,
}

/// The lists in service plus how to load them again.
pub struct LiveLists {
    current: ArcSwap<Generation>,
    settings: Settings,
    extra: Vec<PathBuf>,
    status: Mutex<ReloadStatus>,
    /// One reload at a time: two concurrent builds would only waste memory
    /// and race to swap.
    reloading: Mutex<()>,
    /// Told after each swap (monitoring compares the new lists).
    listeners: Mutex<Vec<Box<dyn Fn() + Send + Sync>>>,
}

impl LiveLists {
    /// Loads the configured lists; fails if any list fails.
    ///
    /// # Errors
    ///
    /// As [`load_screener`].
    pub fn load(settings: Settings, extra: Vec<PathBuf>) -> Result<LiveLists, ListError> {
        let screener = load_screener(&settings, &extra)?;
        Ok(LiveLists::with_screener(screener, settings, extra))
    }

    /// Puts an already built screener in service.
    pub fn with_screener(screener: Screener, settings: Settings, extra: Vec<PathBuf>) -> LiveLists {
        let now = SystemTime::now();
        let status = ReloadStatus { last_success_at: Some(rfc3339(now)), ..ReloadStatus::default() };
        LiveLists {
            current: ArcSwap::from_pointee(Generation { screener, loaded_at: now, number: 1 }),
            settings,
            extra,
            status: Mutex::new(status),
            reloading: Mutex::new(()),
            listeners: Mutex::new(Vec::new()),
        }
    }

    /// The generation in service. Hold the `Arc` for the whole request so
    /// that a reload cannot change the lists under it.
    pub fn current(&self) -> Arc<Generation> {
        self.current.load_full()
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The `--lists` paths given on the command line.
    pub fn extra(&self) -> &[PathBuf] {
        &self.extra
    }

    /// Where the lists come from: configured paths, `--lists` folders and
    /// the data directory, for watching.
    pub fn sources(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = self.settings.lists.paths.iter().chain(&self.extra).cloned().collect();
        v.push(self.settings.lists.data_dir());
        v
    }

    /// Calls `f` after every swap to new list versions.
    pub fn on_swap(&self, f: Box<dyn Fn() + Send + Sync>) {
        self.listeners.lock().unwrap_or_else(|p| p.into_inner()).push(f);
    }

    pub fn status(&self) -> ReloadStatus {
        self.status.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Loads every source again and swaps the result in if it differs and
    /// passes the checks against the lists in service (see
    /// [`check_against`]). Blocking and CPU-heavy: call it off the request
    /// threads.
    ///
    /// # Errors
    ///
    /// [`ListError`] when a source fails to load or the new lists fail the checks against those in
    /// service; the lists in service stay.
    pub fn reload(&self) -> Result<ReloadOutcome, ListError> {
        self.reload_with(false)
    }

    /// [`LiveLists::reload`]; `accept_shrink` is the operator's decision to
    /// serve a list that lost more entries than `lists.max_shrink_percent`.
    ///
    /// # Errors
    /// The [`ListError`] that refused the new lists (a broken or cut file,
    /// a set that lost a file, a shrink); the lists in service stay.
    pub fn reload_with(&self, accept_shrink: bool) -> Result<ReloadOutcome, ListError> {
        let _one_at_a_time = self.reloading.lock().unwrap_or_else(|p| p.into_inner());
        let started = SystemTime::now();
        let limit = (!accept_shrink).then_some(self.settings.lists.max_shrink_percent);
        let result = load_screener_for(&self.settings, &self.extra, LoadMode::Reload).and_then(|screener| {
            check_against(screener.lists(), self.current.load().screener.lists(), "version in service", limit)?;
            Ok(screener)
        });
        let mut status = self.status.lock().unwrap_or_else(|p| p.into_inner());
        status.last_attempt_at = Some(rfc3339(started));
        match result {
            Ok(screener) => {
                let old = self.current.load();
                let same = old.screener.lists().len() == screener.lists().len()
                    && old.screener.lists().iter().zip(screener.lists()).all(|(a, b)| a.sha256 == b.sha256);
                status.succeeded += 1;
                status.last_success_at = Some(rfc3339(SystemTime::now()));
                status.last_error = None;
                status.last_error_kind = None;
                if same {
                    return Ok(ReloadOutcome::Unchanged);
                }
                let number = old.number + 1;
                drop(old);
                self.current.store(Arc::new(Generation { screener, loaded_at: SystemTime::now(), number }));
                drop(status);
                for f in self.listeners.lock().unwrap_or_else(|p| p.into_inner()).iter() {
                    f();
                }
                Ok(ReloadOutcome::Swapped)
            }
            Err(e) => {
                status.failed += 1;
                status.last_error = Some(e.to_string());
                status.last_error_kind = Some(e.kind().to_string());
                Err(e)
            }
        }
    }
}

/// Checks new list versions against earlier ones of the same datasets
/// (those in service, or those last accepted): refused when a set lost a
/// file the earlier version had (it became partial, or more partial), or,
/// with `shrink_limit`, when it lost more than that percentage of its
/// entries.
///
/// # Errors
/// [`ListError::Integrity`] or [`ListError::Shrunk`] naming the list.
pub fn check_against(
    new: &[ListVersion],
    old: &[ListVersion],
    against: &str,
    shrink_limit: Option<f64>,
) -> Result<(), ListError> {
    for n in new {
        let Some(o) = old.iter().find(|o| o.dataset == n.dataset) else { continue };
        let lost: Vec<&String> = n.missing_files.iter().filter(|f| !o.missing_files.contains(f)).collect();
        if !lost.is_empty() {
            return Err(ListError::Integrity {
                path: PathBuf::from(&n.source),
                message: format!(
                    "{} lost {} against the {against}: a partial set never replaces a fuller one",
                    n.dataset,
                    lost.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                ),
            });
        }
        if let Some(limit) = shrink_limit {
            crate::lists::check_shrink(n, o, against, limit)?;
        }
    }
    Ok(())
}

/// RFC 3339 in UTC with milliseconds, the form every timestamp of the API uses.
pub fn rfc3339(t: SystemTime) -> String {
    humantime::format_rfc3339_millis(t).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings_with(paths: Vec<PathBuf>) -> Settings {
        let mut s = Settings::defaults();
        s.lists.paths = paths;
        s.lists.data_dir = PathBuf::from("/nonexistent/cartelscreen-data");
        s.lists.download_when_missing = false;
        s.lists.embedded_snapshot = false;
        s
    }

    const LIST_A: &str = "[list]\ndataset = \"test_list\"\ntitle = \"Test\"\n\n[[entity]]\nid = \"t-1\"\nkind = \"company\"\nname = \"Transportes Alfa Beta\"\n";

    #[test]
    fn reload_swaps_changed_lists_and_keeps_old_on_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("list.toml");
        std::fs::write(&file, LIST_A).unwrap();
        let live = LiveLists::load(settings_with(vec![file.clone()]), vec![]).unwrap();
        let first = live.current();
        assert_eq!(first.number, 1);
        assert_eq!(live.reload().unwrap(), ReloadOutcome::Unchanged);

        std::fs::write(&file, LIST_A.replace("Alfa Beta", "Gamma Delta")).unwrap();
        assert_eq!(live.reload().unwrap(), ReloadOutcome::Swapped);
        let second = live.current();
        assert_eq!(second.number, 2);
        assert!(second.screener.entity("t-1").unwrap().names[0].full.contains("Gamma"));
        // The old generation is still whole for whoever holds it.
        assert!(first.screener.entity("t-1").unwrap().names[0].full.contains("Alfa"));

        std::fs::write(&file, "[[entity]]\nid = \n").unwrap();
        assert!(live.reload().is_err());
        assert_eq!(live.current().number, 2, "a broken list never replaces a good one");
        let st = live.status();
        assert_eq!(st.failed, 1);
        assert!(st.last_error.is_some());
    }
}
