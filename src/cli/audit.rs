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
    /// Recompute the audit trail's hash chain and report the first break.
    /// Exit 0 when intact, 3 when broken.
    Verify {
        /// First record checked: a seq, or a time (RFC 3339 or YYYY-MM-DD);
        /// the start of the trail when omitted.
        #[arg(long)]
        from: Option<String>,
        /// Last record checked: a seq (included) or a time (excluded); the
        /// head when omitted (a removed tail is then found).
        #[arg(long)]
        to: Option<String>,
        /// A checkpoint file (JSON lines of seq, hash, at) kept outside the
        /// database; every checkpoint in it must match the trail. Repeatable.
        #[arg(long, value_name = "FILE")]
        checkpoint: Vec<PathBuf>,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print the chain's head now (seq, hash, time) as a JSON checkpoint,
    /// and append it to the configured checkpoint file.
    Checkpoint,
}

fn audit_verify(
    settings: &Settings,
    from: Option<String>,
    to: Option<String>,
    checkpoint_files: Vec<PathBuf>,
    as_json: bool,
) -> Result<ExitCode> {
    use cartelscreen::record::audit::verify::{read_checkpoints, seq_range, verify, Bound, VerifyOptions};
    let bound = |name: &str, v: &Option<String>| -> Result<Option<Bound>> {
        match v {
            None => Ok(None),
            Some(s) => Bound::parse(s)
                .map(Some)
                .with_context(|| format!("--{name} {s:?} is not a seq, an RFC 3339 time or a YYYY-MM-DD date")),
        }
    };
    let (from, to) = (bound("from", &from)?, bound("to", &to)?);
    let mut checkpoints = Vec::new();
    for f in &checkpoint_files {
        checkpoints
            .extend(read_checkpoints(f).with_context(|| format!("cannot read the checkpoint file {}", f.display()))?);
    }
    let store = cartelscreen::record::store::open(&settings.audit).context("cannot open the audit store")?;
    let (from, to) = seq_range(&*store, from, to)?;
    let v = verify(&*store, &VerifyOptions { from, to, checkpoints })?;
    if as_json {
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        let range = match (v.first_seq, v.last_seq) {
            (Some(a), Some(b)) => format!("records {a} to {b}"),
            _ => "no records".to_string(),
        };
        match &v.broken {
            None => println!(
                "intact: {range}, {} chained, {} written before the chain began, {} checkpoints matched; head {} {}",
                v.records, v.unchained, v.checkpoints, v.head_seq, v.head_hash
            ),
            Some(b) => println!("BROKEN at record {} ({}): {}", b.seq, b.kind.as_str(), b.message),
        }
    }
    Ok(if v.intact { ExitCode::SUCCESS } else { ExitCode::from(3) })
}

fn audit_checkpoint(settings: &Settings) -> Result<ExitCode> {
    let store = cartelscreen::record::store::open(&settings.audit).context("cannot open the audit store")?;
    let c = cartelscreen::record::audit::verify::checkpoint(&*store)?;
    let path = settings.audit.checkpoint_path();
    cartelscreen::record::audit::verify::append_checkpoint(&path, &c)
        .with_context(|| format!("cannot write {}", path.display()))?;
    println!("{}", serde_json::to_string(&c)?);
    eprintln!("checkpoint appended to {}", path.display());
    Ok(ExitCode::SUCCESS)
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
        AuditCommand::Verify { from, to, checkpoint, json } => audit_verify(settings, from, to, checkpoint, json),
        AuditCommand::Checkpoint => audit_checkpoint(settings),
    }
}
