//! Logging set-up: JSON lines for log shippers in production, readable
//! lines otherwise, with colour only on a terminal (a log file or a pipe gets
//! plain text).

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::config::{LogFormat, LogSettings};

/// Installs the global subscriber. `RUST_LOG`, when set, wins over the
/// configured level so an operator can turn on debug without editing files.
/// A second call does nothing (tests start several servers in one process).
pub fn init(settings: &LogSettings) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&settings.level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let _ = match settings.format {
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(false).try_init(),
        LogFormat::Pretty => builder.try_init(),
    };
}

/// Logging for the command line: warnings only, more with `-v` (info) or
/// `-vv` (debug); `RUST_LOG` wins.
pub fn init_cli(verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    init(&LogSettings { format: LogFormat::Pretty, level: level.to_string() });
}
