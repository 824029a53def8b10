//! Building a [`Screener`] from settings: the one place that decides which
//! lists are in service.

use std::path::PathBuf;

use crate::config::{ListSettings, Settings};
use crate::engine::model::LoadedList;
use crate::engine::network::CartelRegistry;
use crate::engine::screen::Screener;
use crate::lists::{load_path, ListError};

/// Loads the configured lists plus `extra` paths and builds the screener.
/// Any list that fails to load fails the whole build, so a caller holding a
/// screener keeps it.
pub fn load_screener(settings: &Settings, extra: &[PathBuf]) -> Result<Screener, ListError> {
    let mut registry = crate::lists::registry::embedded();
    let mut lists = load_configured(&settings.lists, extra, &registry)?;
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

/// Loads what the settings name: the embedded cartel registry (when
/// enabled), every configured path, every `extra` path (`--lists`), and each
/// folder under the data directory that `lists fetch` filled.
fn load_configured(
    settings: &ListSettings,
    extra: &[PathBuf],
    registry: &CartelRegistry,
) -> Result<Vec<LoadedList>, ListError> {
    let mut lists = Vec::new();
    if settings.embedded_cartels {
        lists.push(registry.list.clone());
    }
    for p in settings.paths.iter().chain(extra) {
        lists.extend(load_path(p)?);
    }
    let data_dir = settings.data_dir();
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
