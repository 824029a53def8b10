//! cartelscreen: sanctions screening of counterparties against the OFAC and
//! UN lists and the networks of the six FTO-designated Mexican cartels.
//!
//! The engine in this crate knows nothing of HTTP or the command line:
//! [`lists`] reads list files into the [`model`], [`cartels`] ties entries to
//! the cartels, and [`screen::Screener`] matches counterparties against them
//! through [`normalize`], [`index`] and [`score`]. [`live`] keeps the lists
//! in service and swaps them on reload; [`text_scan`] finds listed names in
//! free text.
//!
//! [`http`] is the web service over that engine; nothing in the engine
//! depends on it.

pub mod apikey;
pub mod audit;
pub mod batch;
pub mod cartels;
pub mod compliance;
pub mod config;
pub mod country;
pub mod delta;
pub mod dispositions;
pub mod engine;
pub mod equivalents;
pub mod error;
pub mod eval;
pub mod http;
pub mod index;
pub mod lists;
pub mod live;
pub mod model;
pub mod monitor;
pub mod normalize;
pub mod phonetic;
pub mod score;
pub mod screen;
pub mod similarity;
pub mod store;
pub mod synth;
pub mod telemetry;
pub mod text_scan;
pub mod watch;
pub mod webhook;
pub mod weights;
