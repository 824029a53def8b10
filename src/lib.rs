//! cartelscreen: sanctions screening of counterparties against the OFAC and
//! UN lists and the networks of the six FTO-designated Mexican cartels.
//!
//! The crate is laid out by role, each a room with one door:
//!
//! - [`engine`] matches a counterparty against loaded lists and ties entries
//!   to the cartels. It knows no HTTP, storage or command line.
//! - [`lists`] reads list files (OFAC, UN, the project's own format, the
//!   cartel registries) into the engine's model, and fetches the official
//!   exports.
//! - [`live`] keeps the lists in service and swaps them whole on reload.
//! - [`record`] keeps the records a compliance function must keep: the audit
//!   trail, analysts' dispositions, ongoing monitoring and its webhook; its
//!   [`record::screening`] is the one recorded screening every channel calls.
//! - [`batch`] screens files of counterparties as a stream.
//! - [`http`] is the web service; [`quality`] measures match quality.
//! - [`error`] is the one table of error codes every front end answers with.

pub mod batch;
pub mod config;
pub mod engine;
pub mod error;
pub mod http;
pub mod lists;
pub mod live;
pub mod quality;
pub mod record;
pub mod telemetry;
