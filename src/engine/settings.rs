//! The engine's own settings: the thresholds that turn scores into
//! decisions and how far cartel networks reach. The service's configuration
//! (`[matching]` and `lists.network_*` in `config/default.toml`) fills them;
//! the engine validates them.

use serde::{Deserialize, Serialize};

/// Score thresholds and result size. Scores lie in [0, 1].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchSettings {
    /// Score from which a match is an alert for an analyst (`review`).
    pub review_threshold: f64,
    /// Score from which a match blocks outright.
    pub block_threshold: f64,
    /// Matches below this are not reported at all.
    pub report_threshold: f64,
    /// At most this many matches are returned per counterparty (≥ 1).
    pub max_results: usize,
}

impl Default for MatchSettings {
    /// The shipped defaults, as in `config/default.toml`.
    fn default() -> MatchSettings {
        MatchSettings { review_threshold: 0.75, block_threshold: 0.95, report_threshold: 0.65, max_results: 10 }
    }
}

impl MatchSettings {
    /// Checks that the thresholds lie in [0, 1] and are ordered
    /// `report ≤ review ≤ block`, and that `max_results` is at least 1.
    ///
    /// # Errors
    /// A sentence naming the setting that is wrong.
    pub fn validate(&self) -> Result<(), String> {
        let unit = |x: f64| (0.0..=1.0).contains(&x);
        if !unit(self.review_threshold) || !unit(self.block_threshold) || !unit(self.report_threshold) {
            return Err("matching thresholds must lie in [0, 1]".into());
        }
        if !(self.report_threshold <= self.review_threshold && self.review_threshold <= self.block_threshold) {
            return Err(
                "matching thresholds must satisfy report_threshold <= review_threshold <= block_threshold".into()
            );
        }
        if self.max_results == 0 {
            return Err("matching.max_results must be at least 1".into());
        }
        Ok(())
    }
}

/// How cartel networks are built from the lists' links and the
/// affiliations registry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkSettings {
    /// How many steps from a cartel (or from a faction of it) still tie an
    /// entry to it; a registry row is one step (0 ties only the cartels
    /// themselves).
    pub depth: usize,
    /// An entry with more links than this (both directions counted) is
    /// reached but not walked through (a cartel and its factions always
    /// are).
    pub hub_degree: usize,
}

impl Default for NetworkSettings {
    /// The shipped defaults, as in `config/default.toml`.
    fn default() -> NetworkSettings {
        NetworkSettings { depth: 2, hub_degree: 25 }
    }
}

/// Everything the engine needs to be told.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EngineSettings {
    /// Thresholds and result size.
    pub matching: MatchSettings,
    /// Cartel network reach.
    pub network: NetworkSettings,
}
