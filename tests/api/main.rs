//! The HTTP service, started for real on port 0 and driven over loopback:
//! `spawn_app()` (in `helpers.rs`) runs it in this process; `yente.rs`
//! drives the binary with the official OpenSanctions Python client.
//!
//! Where a new test goes: a route's behaviour (status, body, headers,
//! records written) goes in the file of its area here (`screening.rs`,
//! `errors.rs`, `auth.rs`, `lists.rs`, `options.rs` (screening options, vessel and bank facts), `integrity.rs`, `records.rs`, `batch_upload.rs`, `workspace.rs` (the web pages without a browser),
//! `ops.rs`); a command-line behaviour goes in `tests/cli/`; a figure of
//! match quality goes in `tests/quality/`; a rule of one module goes beside
//! the code as a unit test.

#[path = "../common.rs"]
mod common;
mod helpers;

mod auth;
mod batch_upload;
mod cartels;
mod errors;
mod integrity;
mod lists;
mod messages;
mod ops;
mod options;
mod records;
mod screening;
mod workspace;
mod yente;
