//! Reloads the lists on a timer and when their files change.
//!
//! File events arrive in bursts while a list is copied in, so a reload
//! waits until the files have been quiet for the debounce time; a list
//! caught half-written fails validation and is rejected anyway.

use std::sync::Arc;
use std::time::Duration;

use notify::{RecursiveMode, Watcher};
use tokio::sync::mpsc;

use crate::config::ReloadSettings;
use crate::live::{LiveLists, ReloadOutcome};

/// What triggered a reload, for the log.
#[derive(Debug, Clone, Copy)]
pub enum Trigger {
    Timer,
    FileChange,
}

/// Keeps the watcher alive; dropping it stops watching.
pub struct Reloader {
    _watcher: Option<notify::RecommendedWatcher>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Reloader {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts the timer and the file watcher on the current tokio runtime.
/// `on_reload` hears every attempt (for the log and metrics).
pub fn spawn(
    lists: Arc<LiveLists>,
    settings: &ReloadSettings,
    on_reload: impl Fn(Trigger, &Result<ReloadOutcome, crate::lists::ListError>) + Send + Sync + 'static,
) -> Reloader {
    let (tx, mut rx) = mpsc::channel::<()>(64);
    let watcher = if settings.watch { watch_sources(&lists, tx) } else { None };
    let interval = (settings.interval_secs > 0).then(|| Duration::from_secs(settings.interval_secs));
    let debounce = Duration::from_millis(settings.debounce_millis);
    let task = tokio::spawn(async move {
        let mut timer = interval.map(|i| {
            let mut t = tokio::time::interval_at(tokio::time::Instant::now() + i, i);
            t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            t
        });
        loop {
            let trigger = tokio::select! {
                _ = async { timer.as_mut().expect("guarded").tick().await }, if timer.is_some() => Trigger::Timer,
                got = rx.recv() => match got {
                    Some(()) => {
                        // Wait for quiet: every new event restarts the wait.
                        while let Ok(Some(())) = tokio::time::timeout(debounce, rx.recv()).await {}
                        Trigger::FileChange
                    }
                    None if timer.is_none() => return,
                    None => {
                        timer.as_mut().expect("guarded").tick().await;
                        Trigger::Timer
                    }
                },
            };
            let worker = lists.clone();
            match tokio::task::spawn_blocking(move || worker.reload()).await {
                Ok(result) => on_reload(trigger, &result),
                Err(e) => tracing::error!(error = %e, "list reload task failed"),
            }
        }
    });
    Reloader { _watcher: watcher, task }
}

fn watch_sources(lists: &LiveLists, tx: mpsc::Sender<()>) -> Option<notify::RecommendedWatcher> {
    let mut watcher = match notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(e) = event {
            if e.kind.is_create() || e.kind.is_modify() || e.kind.is_remove() {
                // A full channel already means "reload soon".
                let _ = tx.try_send(());
            }
        }
    }) {
        Ok(w) => w,
        Err(e) => {
            tracing::warn!(error = %e, "cannot watch list files; reloads happen on the timer and on request only");
            return None;
        }
    };
    for path in lists.sources() {
        if !path.exists() {
            continue;
        }
        // Watch a file's folder: editors and `cp` replace files, which
        // drops a watch held on the file itself.
        let target = if path.is_file() { path.parent().map(|p| p.to_path_buf()).unwrap_or(path) } else { path };
        match watcher.watch(&target, RecursiveMode::Recursive) {
            Ok(()) => tracing::debug!(path = %target.display(), "watching list files"),
            Err(e) => tracing::warn!(path = %target.display(), error = %e, "cannot watch list files"),
        }
    }
    Some(watcher)
}
