//! Settings, layered: `config/default.toml`, then an optional `--config FILE`,
//! then environment variables `CARTELSCREEN__SECTION__KEY`.
//!
//! The defaults are compiled in as well, so the binary runs from any folder
//! with no file present; `config/default.toml` documents them for operators.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::ConfigError;

/// The shipped defaults, embedded so a bare binary behaves like a checkout.
pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub lists: ListSettings,
    pub fetch: FetchSettings,
    pub matching: MatchSettings,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListSettings {
    /// Screen against the project's registry of the six FTO cartels
    /// (compiled in).
    pub embedded_cartels: bool,
    /// Folders or files of lists to load (OFAC sets, UN XML, cartelscreen
    /// lists); the format is recognised from each.
    pub paths: Vec<PathBuf>,
    /// Where `lists fetch` stores the official exports; each of its
    /// sub-folders that exists is loaded too.
    pub data_dir: PathBuf,
    /// How many `Linked To:` hops from a cartel still tie an entry to it.
    pub network_depth: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FetchSettings {
    pub timeout_secs: u64,
    /// Source name (becomes the folder under `lists.data_dir`) to a map of
    /// file name to download URL.
    pub sources: BTreeMap<String, BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchSettings {
    /// Score from which a match is an alert for an analyst.
    pub review_threshold: f64,
    /// Score from which a match blocks outright.
    pub block_threshold: f64,
    /// Matches below this are not reported at all.
    pub report_threshold: f64,
    /// At most this many matches are returned per counterparty.
    pub max_results: usize,
}

impl Settings {
    /// Loads the layers: embedded defaults, `config/default.toml` in the
    /// working directory if present, `extra` if given, then the environment.
    pub fn load(extra: Option<&Path>) -> Result<Settings, ConfigError> {
        let mut b = config::Config::builder()
            .add_source(config::File::from_str(DEFAULT_TOML, config::FileFormat::Toml))
            .add_source(config::File::with_name("config/default.toml").required(false));
        if let Some(p) = extra {
            b = b.add_source(config::File::from(p).required(true));
        }
        b = b.add_source(
            config::Environment::with_prefix("CARTELSCREEN")
                .prefix_separator("__")
                .separator("__")
                .list_separator(",")
                .with_list_parse_key("lists.paths")
                .try_parsing(true),
        );
        let s: Settings = b.build()?.try_deserialize()?;
        s.validate()?;
        Ok(s)
    }

    /// The compiled-in defaults alone (tests, benches).
    pub fn defaults() -> Settings {
        let s: Settings = config::Config::builder()
            .add_source(config::File::from_str(DEFAULT_TOML, config::FileFormat::Toml))
            .build()
            .and_then(|c| c.try_deserialize())
            .expect("embedded default configuration is valid");
        s
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        let m = &self.matching;
        let unit = |x: f64| (0.0..=1.0).contains(&x);
        if !unit(m.review_threshold) || !unit(m.block_threshold) || !unit(m.report_threshold) {
            return Err(ConfigError::Invalid("matching thresholds must lie in [0, 1]".into()));
        }
        if !(m.report_threshold <= m.review_threshold && m.review_threshold <= m.block_threshold) {
            return Err(ConfigError::Invalid(
                "matching thresholds must satisfy report_threshold <= review_threshold <= block_threshold".into(),
            ));
        }
        if m.max_results == 0 {
            return Err(ConfigError::Invalid("matching.max_results must be at least 1".into()));
        }
        Ok(())
    }
}
