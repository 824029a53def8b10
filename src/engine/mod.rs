//! The screening engine: from loaded lists to a decision an analyst can act
//! on, with the reasons.
//!
//! It knows nothing of HTTP, storage or the command line (a test in
//! `src/lib.rs` keeps it so, for `src/lists/` too). A caller builds a [`Screener`] from
//! [`LoadedList`]s, parses what it was given into a [`Query`] once
//! ([`Query::parse`]), and screens it:
//!
//! ```
//! use cartelscreen::engine::{Decision, Query, Screener};
//! use cartelscreen::engine::settings::EngineSettings;
//!
//! let registry = cartelscreen::lists::registry::embedded();
//! let screener = Screener::build(vec![registry.list.clone()], registry, EngineSettings::default());
//! let screening = screener.screen(&Query::name("Cartel de Jalisco Nueva Generacion")).unwrap();
//! assert_eq!(screening.decision, Decision::Block);
//! assert_eq!(screening.matches[0].cartel_ties[0].cartel, "CJNG");
//! ```
//!
//! Inside, a name goes through [`normalize`] (case, accents, scripts, legal
//! forms, evasion), [`index`] (candidate retrieval), [`score`] (token
//! alignment weighted by [`weights`]) and [`screen`] (facts beyond the name,
//! flags, decision); [`network`] ties entries to the cartels and
//! [`text_scan`] finds listed names in free text.

#![warn(missing_docs)]

pub mod country;
pub mod equivalents;
pub mod exposure;
pub mod goods;
pub mod index;
pub mod model;
pub mod network;
pub mod normalize;
pub mod options;
pub mod phonetic;
pub mod query;
pub mod reference;
pub mod score;
pub mod screen;
pub mod settings;
pub mod similarity;
pub mod text_scan;
pub mod weights;

pub use model::{Entity, EntityKind, ListVersion, LoadedList};
pub use network::{CartelRegistry, CartelTie};
pub use options::{Options, ScreeningOptions};
pub use query::{Query, QueryError};
pub use screen::{Decision, Flag, Match, Screener, Screening};
