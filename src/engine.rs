//! Building a [`Screener`] from settings: the one place that decides which
//! lists are in service.

use std::path::PathBuf;

use crate::cartels::CartelRegistry;
use crate::config::Settings;
use crate::error::ListError;
use crate::lists::load_configured;
use crate::screen::Screener;

/// Loads the configured lists plus `extra` paths and builds the screener.
/// Any list that fails to load fails the whole build, so a caller holding a
/// screener keeps it.
pub fn load_screener(settings: &Settings, extra: &[PathBuf]) -> Result<Screener, ListError> {
    let registry = CartelRegistry::embedded();
    let lists = load_configured(&settings.lists, extra, &registry)?;
    Ok(Screener::build(lists, registry, settings.lists.network_depth, settings.matching.clone()))
}
