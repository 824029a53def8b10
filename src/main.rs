//! The `cartelscreen` binary: a thin layer over the library.

mod cli;

use std::process::ExitCode;

use clap::Parser;

/// jemalloc returns the pages of a replaced list generation to the system,
/// where glibc's allocator keeps them: resident memory after 20 reloads is
/// 1.2× a fresh start's against 2.8× (`benches/reload.sh`, BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options (read at start): a background thread returns pages
/// unused for a second to the system, so memory comes back after a reload
/// even when no request follows it.
#[allow(non_upper_case_globals)]
#[export_name = "_rjem_malloc_conf"]
pub static malloc_conf: &[u8] = b"background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0\0";

fn main() -> ExitCode {
    match cli::run(cli::Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", message(&e));
            ExitCode::from(2)
        }
    }
}

/// The error and its causes on one line, each said once (a cause whose
/// words its error already repeats is not repeated).
fn message(e: &anyhow::Error) -> String {
    let mut out = e.to_string();
    for cause in e.chain().skip(1) {
        let c = cause.to_string();
        if !out.contains(&c) {
            out.push_str(": ");
            out.push_str(&c);
        }
    }
    out
}
