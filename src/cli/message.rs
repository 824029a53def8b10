//! `cartelscreen message FILE...`: SWIFT MT and ISO 20022 messages read
//! from files as banks export them (several per file, a folder of files,
//! `-` for standard input), each screened like `POST /v1/screen/message`
//! and recorded, one result per message.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;

use super::{cli_origin, load, open_records, outln, print_json};
use cartelscreen::config::Settings;
use cartelscreen::engine::Decision;
use cartelscreen::record::screening::{DispositionPolicy, Recorder};
use cartelscreen::trade::{Limits, TradeInput, TradeResponse};

/// `message` options.
#[derive(Args, Debug)]
pub struct MessageArgs {
    /// Files of messages (several per file: `$` lines between FIN messages,
    /// each `{1:` or each `<?xml` starts one), folders of such files (every
    /// file, in name order), or `-` for standard input.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// Print a JSON array, one object per message.
    #[arg(long)]
    pub json: bool,
    /// Exit 3 when any message reaches this decision (review: review or
    /// block; error: a message that could not be read or screened).
    #[arg(long, value_name = "DECISION", value_parser = ["review", "block", "error"])]
    pub fail_on: Option<String>,
}

/// One message's outcome.
#[derive(serde::Serialize)]
struct Outcome {
    /// `FILE:LINE` where the message starts.
    source: String,
    status: &'static str,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    result: Option<TradeResponse>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<serde_json::Value>,
}

fn inputs(files: &[PathBuf]) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for f in files {
        if f.as_os_str() == "-" {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s).context("cannot read standard input as UTF-8")?;
            out.push(("-".to_string(), s));
        } else if f.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(f)
                .with_context(|| format!("cannot read folder {}", f.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect();
            entries.sort();
            for p in entries {
                out.push((p.display().to_string(), read(&p)?));
            }
        } else {
            out.push((f.display().to_string(), read(f)?));
        }
    }
    Ok(out)
}

fn read(p: &Path) -> Result<String> {
    let bytes = std::fs::read(p).with_context(|| format!("cannot open {}", p.display()))?;
    String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8", p.display()))
}

/// Screens every message of the files, records each, and prints one
/// result per message.
pub fn run(settings: &Settings, extra: &[PathBuf], a: MessageArgs) -> Result<ExitCode> {
    let files = inputs(&a.files)?;
    let screener = load(settings, extra)?;
    let records = open_records(settings)?;
    let no_count = |_: usize| {};
    let limits = Limits { max_text_chars: settings.server.max_text_chars, text_hits: &no_count };
    let mut outcomes = Vec::new();
    for (name, text) in &files {
        let pieces = cartelscreen::messages::split(text);
        if pieces.is_empty() {
            outcomes.push(failed(format!("{name}:1"), "empty_input", "no message in the file".into()));
        }
        for (line, piece) in pieces {
            let source = format!("{name}:{line}");
            // One origin per message: its records are its own, as one request's.
            let recorder = Recorder::new(&records, &screener, cli_origin("cli_message"), DispositionPolicy::Apply);
            let parsed = cartelscreen::messages::parse(piece).map_err(cartelscreen::http::error::ApiError::from);
            let screened = parsed.and_then(|m| {
                cartelscreen::trade::screen(
                    &recorder,
                    &screener,
                    TradeInput::of_message(m),
                    Default::default(),
                    &limits,
                )
            });
            match screened {
                Ok((response, recs)) => {
                    records.commit_blocking(recs)?;
                    outcomes.push(Outcome { source, status: "ok", result: Some(response), error: None });
                }
                Err(e) => outcomes.push(failed(source, e.code.as_str(), e.message)),
            }
        }
    }
    if a.json {
        print_json(&outcomes)?;
    } else {
        for o in &outcomes {
            print_outcome(o);
        }
    }
    let worst = outcomes.iter().filter_map(|o| o.result.as_ref().map(|r| r.decision)).max().unwrap_or(Decision::Clear);
    let errors = outcomes.iter().any(|o| o.error.is_some());
    let fail = match a.fail_on.as_deref() {
        Some("review") => worst >= Decision::Review,
        Some("block") => worst >= Decision::Block,
        Some("error") => errors,
        _ => false,
    };
    Ok(if fail { ExitCode::from(3) } else { ExitCode::SUCCESS })
}

fn failed(source: String, code: &str, message: String) -> Outcome {
    Outcome {
        source,
        status: "error",
        result: None,
        error: Some(serde_json::json!({"code": code, "message": message})),
    }
}

fn print_outcome(o: &Outcome) {
    match (&o.result, &o.error) {
        (Some(r), _) => {
            let m = r.message.as_ref();
            let kind = m.map_or("", |m| m.kind.as_str());
            let reference = r.reference.as_deref().unwrap_or("-");
            outln!("{}  {kind}  {reference}  {}", o.source, r.decision.as_str().to_uppercase());
            for reason in &r.reasons {
                outln!("    {}", reason.message);
            }
        }
        (None, Some(e)) => {
            outln!(
                "{}  ERROR  {}: {}",
                o.source,
                e["code"].as_str().unwrap_or(""),
                e["message"].as_str().unwrap_or("")
            );
        }
        _ => {}
    }
}
