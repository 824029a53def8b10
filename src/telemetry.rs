//! Logging set-up: JSON lines for log shippers in production, readable
//! lines otherwise, with colour only on a terminal (a log file or a pipe gets
//! plain text).

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::config::{LogFormat, LogSettings};

/// Keeps the service's log writer running; dropping it flushes every line
/// still queued (hold it until the process ends).
pub struct LogGuard {
    _writer: Option<tracing_appender::non_blocking::WorkerGuard>,
}

/// Installs the service's global subscriber: lines are queued and written
/// to stderr by a thread of their own, so a request never waits for a log
/// write (none is dropped: a full queue makes the caller wait). `RUST_LOG`,
/// when set, wins over the configured level so an operator can turn on
/// debug without editing files. A second call does nothing (tests start
/// several servers in one process).
pub fn init(settings: &LogSettings) -> LogGuard {
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .thread_name("log-writer")
        .finish(std::io::stderr());
    let installed = install(settings, writer);
    LogGuard { _writer: installed.then_some(guard) }
}

fn install<W>(settings: &LogSettings, writer: W) -> bool
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&settings.level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(writer);
    match settings.format {
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(false).try_init().is_ok(),
        LogFormat::Pretty => builder.try_init().is_ok(),
    }
}

/// Logging for the command line: warnings only, more with `-v` (info) or
/// `-vv` (debug); `RUST_LOG` wins.
pub fn init_cli(verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    install(&LogSettings { format: LogFormat::Pretty, level: level.to_string() }, std::io::stderr);
}
