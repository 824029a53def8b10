//! Building a [`Screener`] from settings: the one place that decides which
//! lists are in service.

use std::path::PathBuf;

use crate::config::Settings;
use crate::engine::screen::Screener;
use crate::lists::load_configured;
use crate::lists::ListError;

/// Loads the configured lists plus `extra` paths and builds the screener.
/// Any list that fails to load fails the whole build, so a caller holding a
/// screener keeps it.
pub fn load_screener(settings: &Settings, extra: &[PathBuf]) -> Result<Screener, ListError> {
    let registry = crate::lists::registry::embedded();
    let lists = load_configured(&settings.lists, extra, &registry)?;
    Ok(Screener::build(lists, registry, settings.engine()))
}
