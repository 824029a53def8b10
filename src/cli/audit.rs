//! `cartelscreen audit export`: the records of a period as CSV or JSON
//! lines.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Subcommand;

use super::is_stdout;
use cartelscreen::config::Settings;

/// `audit` subcommands.
#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Write the audit records of a period as CSV or JSON lines.
    Export {
        /// First instant included (RFC 3339 or YYYY-MM-DD); the beginning when omitted.
        #[arg(long)]
        from: Option<String>,
        /// First instant excluded; now when omitted.
        #[arg(long)]
        to: Option<String>,
        /// csv or jsonl.
        #[arg(long, default_value = "csv", value_parser = ["csv", "jsonl"])]
        format: String,
        /// Where to write (standard output when omitted or `-`).
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

fn audit_export(
    settings: &Settings,
    from: Option<String>,
    to: Option<String>,
    format: &str,
    output: Option<PathBuf>,
) -> Result<ExitCode> {
    use cartelscreen::record::audit::export::{export, parse_time, ExportFormat};
    let bound = |name: &str, v: &Option<String>| -> Result<Option<i64>> {
        match v {
            None => Ok(None),
            Some(s) => parse_time(s).map(Some).with_context(|| format!("--{name} {s:?} is not RFC 3339 or YYYY-MM-DD")),
        }
    };
    let filter = cartelscreen::record::store::AuditFilter {
        from: bound("from", &from)?,
        to: bound("to", &to)?,
        ..Default::default()
    };
    let format = if format == "jsonl" { ExportFormat::Jsonl } else { ExportFormat::Csv };
    let store = cartelscreen::record::store::open(&settings.audit).context("cannot open the audit store")?;
    let count = match output.as_deref().filter(|p| !is_stdout(Some(p))) {
        Some(p) => {
            let f = std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?;
            export(&*store, &filter, format, std::io::BufWriter::new(f))?
        }
        None => export(&*store, &filter, format, std::io::stdout().lock())?,
    };
    eprintln!("{count} audit records exported");
    Ok(ExitCode::SUCCESS)
}

/// Runs an `audit` subcommand.
pub fn run(settings: &Settings, command: AuditCommand) -> Result<ExitCode> {
    match command {
        AuditCommand::Export { from, to, format, output } => audit_export(settings, from, to, &format, output),
    }
}
