//! The `cartelscreen` command line: argument parsing and rendering, one file
//! per subcommand. Every command calls the library and prints what it
//! returns; no screening logic lives here.

mod audit;
mod batch;
mod bench;
mod cartels;
mod eval;
mod gen;
mod keys;
mod lists;
mod message;
mod render;
mod screen;
mod serve;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use cartelscreen::config::Settings;
use cartelscreen::engine::Screener;
use cartelscreen::record::audit::Origin;
use cartelscreen::record::Records;

/// `println!` that ends the process quietly when stdout is gone (a pipe to
/// `head` closed early) instead of panicking.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if writeln!(std::io::stdout().lock(), $($arg)*).is_err() {
            std::process::exit(0);
        }
    }};
}
pub(crate) use outln;

/// The command line.
#[derive(Parser, Debug)]
#[command(
    name = "cartelscreen",
    version,
    about = "Sanctions screening against OFAC/UN lists and the six FTO-designated Mexican cartels"
)]
pub struct Cli {
    /// Extra configuration file (layered over config/default.toml, under the environment).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Add a folder (or file) of lists; the format is recognised from it. Repeatable.
    #[arg(long = "lists", global = true, value_name = "DIR")]
    pub lists: Vec<PathBuf>,
    /// Log more (-v info, -vv debug).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the HTTP screening service.
    Serve(serve::ServeArgs),
    /// Manage API keys.
    Keys {
        #[command(subcommand)]
        command: keys::KeysCommand,
    },
    /// Screen one counterparty.
    Screen(screen::ScreenArgs),
    /// Show the full score breakdown of one name against one entity.
    Explain(screen::ExplainArgs),
    /// Inspect, download or compare the lists.
    Lists {
        #[command(subcommand)]
        command: lists::ListsCommand,
    },
    /// The cartels' networks: entries tied to each, by depth and basis;
    /// `cartels show CODE` one network with paths and sources.
    Cartels(cartels::CartelsArgs),
    /// Regression evaluation on sample counterparties or labelled name pairs.
    Eval(eval::EvalArgs),
    /// Measure in-process screening latency over a query mix.
    Bench(bench::BenchArgs),
    /// Screen a CSV file of counterparties: one output row per input row, in order.
    Batch(batch::BatchArgs),
    /// Screen SWIFT MT and ISO 20022 messages from files (several per file,
    /// folders, `-` for stdin): one result per message.
    Message(message::MessageArgs),
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: audit::AuditCommand,
    },
    /// Generate evaluation cases: variants of listed names, or realistic
    /// counterparties that are on no list.
    Gen {
        #[command(subcommand)]
        command: gen::GenCommand,
    },
}

/// Runs a parsed command line; the exit code on success.
///
/// # Errors
/// Whatever stopped the command, for `main` to print once.
pub fn run(cli: Cli) -> Result<ExitCode> {
    if !matches!(cli.command, Command::Serve(_)) {
        cartelscreen::telemetry::init_cli(cli.verbose);
    }
    let settings = Settings::load(cli.config.as_deref())?;
    let extra = cli.lists;
    match cli.command {
        Command::Serve(a) => serve::run(settings, extra, a),
        Command::Keys { command } => keys::run(command),
        Command::Screen(a) => screen::run(&settings, &extra, a),
        Command::Explain(a) => screen::explain(&settings, &extra, a),
        Command::Lists { command } => lists::run(&settings, &extra, command),
        Command::Cartels(a) => cartels::run(&settings, &extra, a),
        Command::Eval(a) => eval::run(&settings, &extra, a),
        Command::Bench(a) => bench::run(&settings, &extra, a),
        Command::Batch(a) => batch::run(&settings, &extra, a),
        Command::Message(a) => message::run(&settings, &extra, a),
        Command::Audit { command } => audit::run(&settings, command),
        Command::Gen { command } => gen::run(&settings, &extra, command),
    }
}

/// Loads the configured lists plus `--lists`, logging what loading skipped
/// and warning on stderr when the lists are stale, partial or not official.
fn load(settings: &Settings, extra: &[PathBuf]) -> Result<Screener> {
    let s = load_quietly(settings, extra)?;
    for w in list_warnings(settings, &s) {
        eprintln!("warning: {w}");
    }
    Ok(s)
}

/// [`load`] without the warnings on stderr (`batch -q`).
fn load_quietly(settings: &Settings, extra: &[PathBuf]) -> Result<Screener> {
    let t = Instant::now();
    let s = cartelscreen::live::load_screener(settings, extra)?;
    tracing::info!(entities = s.entities().len(), elapsed_ms = t.elapsed().as_millis() as u64, "lists loaded");
    for w in s.warnings() {
        tracing::info!("{w}");
    }
    Ok(s)
}

/// What is wrong with the lists of `s`: none official, stale, partial.
fn list_warnings(settings: &Settings, s: &Screener) -> Vec<String> {
    let today = cartelscreen::engine::model::today_days();
    let max = settings.lists.max_age_days;
    cartelscreen::lists::ListHealth::of(s.lists(), max, today).warnings(s.lists(), max, today)
}

/// Prints `v` as pretty JSON on stdout.
fn print_json<T: serde::Serialize>(v: &T) -> Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    if serde_json::to_writer_pretty(&mut out, v).is_err() || writeln!(out).is_err() {
        // stdout closed early: nothing more to say.
        std::process::exit(0);
    }
    Ok(())
}

/// The store, dispositions and monitoring, for commands that screen.
fn open_records(settings: &Settings) -> Result<Records> {
    Records::open(settings).with_context(|| format!("cannot open the audit store ({})", settings.audit.location()))
}

/// The origin of a command-line run's records on `channel`.
fn cli_origin(channel: &'static str) -> Origin {
    Origin::new(format!("cli-{}", uuid::Uuid::now_v7().simple()), cartelscreen::record::audit::cli_caller(), channel)
}

/// Opens an input file, naming it in the error.
fn read_file(p: &Path) -> Result<std::fs::File> {
    std::fs::File::open(p).with_context(|| format!("cannot open {}", p.display()))
}

/// Whether an output path means standard output (absent or `-`).
fn is_stdout(p: Option<&Path>) -> bool {
    p.is_none_or(|p| p.as_os_str() == "-")
}
