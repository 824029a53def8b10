//! The `cartelscreen` binary: a thin layer over the library.

mod cli;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc: fewer cycles per allocation than the system allocator under the
/// service's many small, short-lived allocations, and it returns freed
/// memory to the system after a list reload.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    match cli::run(cli::Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
