//! Building a [`Screener`] from settings: the one place that decides which
//! lists are in service.
//!
//! The configured lists (`lists.paths`, `--lists`) and every folder under
//! `lists.data_dir` are loaded. When no list is configured and the data
//! directory holds no official list, the official lists still screen: at
//! start they are downloaded into the data directory when the publishers
//! can be reached (`lists.download_when_missing`), else the snapshot
//! compiled into the binary is used (`lists.embedded_snapshot`), and its age
//! is on every answer.

use std::path::PathBuf;

use crate::config::{ListSettings, Settings};
use crate::engine::model::LoadedList;
use crate::engine::network::CartelRegistry;
use crate::engine::screen::Screener;
use crate::lists::{load_path, ListError};

/// The longest a download at start waits to connect.
const START_CONNECT_TIMEOUT_SECS: u64 = 5;

/// Why a load runs: at start a missing official list may be downloaded; a
/// reload never downloads (it runs on a timer and on file changes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadMode {
    /// The first load of a process (a command, a service starting).
    Start,
    /// A reload of a running service.
    Reload,
}

/// Loads the configured lists plus `extra` paths and builds the screener,
/// as at start. Any list that fails to load fails the whole build, so a
/// caller holding a screener keeps it.
///
/// # Errors
///
/// [`ListError`] of the first list that fails to load.
pub fn load_screener(settings: &Settings, extra: &[PathBuf]) -> Result<Screener, ListError> {
    load_screener_for(settings, extra, LoadMode::Start)
}

/// [`load_screener`] for a start or a reload (a reload never downloads).
///
/// # Errors
/// The first [`ListError`] of any list, the embedded snapshot or an
/// affiliations file.
pub fn load_screener_for(settings: &Settings, extra: &[PathBuf], mode: LoadMode) -> Result<Screener, ListError> {
    let mut registry = crate::lists::registry::embedded();
    let mut lists = Vec::new();
    if settings.lists.embedded_cartels {
        lists.push(registry.list.clone());
    }
    lists.extend(load_configured(settings, extra, mode)?);
    lists.push(load_affiliations(&settings.lists, &mut registry)?);
    Ok(Screener::build(lists, registry, settings.engine()))
}

/// Adds the configured affiliation files to the compiled-in ones and
/// returns the version they are reported under (no entities of its own).
fn load_affiliations(settings: &ListSettings, registry: &mut CartelRegistry) -> Result<LoadedList, ListError> {
    use crate::lists::registry;
    let mut sha256s = vec![registry::embedded_affiliations_sha256()];
    let mut sources = vec!["embedded:lists/cartel_affiliations.csv".to_string()];
    for p in &settings.affiliations {
        let (rows, sha) = registry::load_affiliations(p, &registry.cartels)?;
        registry.affiliations.extend(rows);
        sha256s.push(sha);
        sources.push(p.display().to_string());
    }
    let version = registry::affiliations_version(registry.affiliations.len(), &sha256s, sources.join(", "));
    Ok(LoadedList { version, entities: Vec::new(), warnings: Vec::new() })
}

/// Whether any list is configured by path (`lists.paths` or `--lists`).
pub fn lists_configured(settings: &Settings, extra: &[PathBuf]) -> bool {
    !settings.lists.paths.is_empty() || !extra.is_empty()
}

/// Loads what the settings name: every configured path, every `extra` path
/// (`--lists`), and each folder under the data directory that `lists fetch`
/// filled; with none of them official, the download or the snapshot.
fn load_configured(settings: &Settings, extra: &[PathBuf], mode: LoadMode) -> Result<Vec<LoadedList>, ListError> {
    let mut lists = Vec::new();
    for p in settings.lists.paths.iter().chain(extra) {
        lists.extend(load_path(p)?);
    }
    let mut data = load_data_dir(settings)?;
    let official = |v: &[LoadedList]| v.iter().any(|l| l.version.is_sanctions_list());
    if lists_configured(settings, extra) || official(&data) {
        lists.extend(data);
        return Ok(lists);
    }
    let mut downloaded = false;
    if mode == LoadMode::Start && settings.lists.download_when_missing {
        match download(settings) {
            Ok(()) => {
                data = load_data_dir(settings)?;
                downloaded = true;
            }
            Err(e) => tracing::warn!(
                data_dir = %settings.lists.data_dir().display(),
                "no official lists in the data directory and they could not be downloaded ({e}); \
                 run `cartelscreen lists fetch` when the publishers can be reached"
            ),
        }
    }
    if (downloaded || !official(&data)) && settings.lists.embedded_snapshot {
        // After a download that brought some sources only, the snapshot
        // stands in for the others.
        let have: Vec<String> = data.iter().map(|l| l.version.dataset.clone()).collect();
        let snapshot: Vec<LoadedList> =
            crate::lists::snapshot::load()?.into_iter().filter(|l| !have.contains(&l.version.dataset)).collect();
        for l in &snapshot {
            tracing::info!(
                dataset = %l.version.dataset,
                published = l.version.published.as_deref().unwrap_or("-"),
                "screening against the embedded snapshot of the official list"
            );
        }
        data.extend(snapshot);
    }
    lists.extend(data);
    Ok(lists)
}

/// Every folder under the data directory (those starting with `.` aside).
fn load_data_dir(settings: &Settings) -> Result<Vec<LoadedList>, ListError> {
    let mut lists = Vec::new();
    let data_dir = settings.lists.data_dir();
    if data_dir.is_dir() {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(&data_dir)
            .map_err(|e| ListError::io(&data_dir, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir() && !p.file_name().and_then(|n| n.to_str()).unwrap_or(".").starts_with('.'))
            .collect();
        dirs.sort();
        for d in dirs {
            lists.extend(load_path(&d)?);
        }
    }
    Ok(lists)
}

/// Fetches every enabled source into the data directory; `Ok` when at
/// least one official list was put in service.
fn download(settings: &Settings) -> Result<(), String> {
    let options = crate::lists::fetch::FetchOptions {
        proxy: settings.lists.proxy.clone(),
        max_shrink_percent: Some(settings.lists.max_shrink_percent),
        stop_when_unreachable: true,
        ..Default::default()
    };
    // A start does not wait: one attempt per source, a short time to
    // connect, and no further source once one cannot be reached (the
    // embedded snapshot then serves; `lists fetch` retries as configured).
    let mut fetch = settings.fetch.clone();
    fetch.retries = 0;
    fetch.connect_timeout_secs = fetch.connect_timeout_secs.min(START_CONNECT_TIMEOUT_SECS);
    let reports =
        crate::lists::fetch::fetch_all_with(&fetch, &settings.lists.data_dir(), &options).map_err(|e| e.to_string())?;
    let failed: Vec<String> =
        reports.iter().filter_map(|r| r.error.as_ref().map(|e| format!("{}: {e}", r.source))).collect();
    if reports.iter().any(|r| r.ok) {
        for f in &failed {
            tracing::warn!("{f}");
        }
        tracing::info!(data_dir = %settings.lists.data_dir().display(), "official lists downloaded");
        return Ok(());
    }
    Err(if failed.is_empty() { "no source is enabled".to_string() } else { failed.join("; ") })
}
