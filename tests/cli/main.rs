//! The `cartelscreen` binary driven as a user drives it, one file per
//! capability: `audit_chain.rs` (the tamper-evident trail: verify,
//! checkpoints, tampering found), `commands.rs` (screen, explain, lists, eval, keys, serve
//! checks, logs and exit codes), `batch.rs` (files in and out), `delta.rs`
//! (`lists diff` and deltas on real exports), `fetch.rs` (`lists fetch`
//! against a local server), `network.rs` (cartel networks on the real SDN
//! list), `crash.rs` (SIGKILL mid-work loses nothing acknowledged),
//! `trust.rs` (a fresh install on the embedded snapshot, list age, partial
//! sets, publisher quirks and cut files).
//!
//! Where a new test goes: a command's behaviour seen from outside (flags,
//! output, exit status, files written) goes in the file of its capability
//! here; an HTTP route goes in `tests/api/`; a figure of match quality goes
//! in `tests/quality/`; a rule of one module goes beside the code as a unit
//! test. Helpers shared with the other binaries are in `tests/common.rs`.

#[path = "../common.rs"]
mod common;

mod audit_chain;
mod batch;
mod commands;
mod crash;
mod delta;
mod fetch;
mod messages;
mod network;
mod trust;
