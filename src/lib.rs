//! cartelscreen: sanctions screening of counterparties against the OFAC and
//! UN lists and the networks of the six FTO-designated Mexican cartels.
//!
//! The engine in this crate knows nothing of HTTP or the command line:
//! [`lists`] reads list files into the [`model`], and the matcher screens
//! counterparties against them.

pub mod config;
pub mod country;
pub mod error;
pub mod lists;
pub mod model;
