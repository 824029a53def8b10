//! `cartelscreen eval`: regression cases (recall, top-1, alert rate, with
//! bounds for pipelines) and labelled name pairs (precision, recall, F1).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::render::{print_cases, print_pairs};
use super::{load, print_json, read_file};
use cartelscreen::config::Settings;
use cartelscreen::quality::eval::{read_cases, read_pairs, run_cases, run_pairs};

/// `eval` options.
#[derive(Args, Debug)]
pub struct EvalArgs {
    /// Sample counterparties: name,type,country,dob,identifier,expected,class.
    #[arg(long, value_name = "FILE", conflicts_with = "pairs", required_unless_present = "pairs")]
    pub cases: Option<PathBuf>,
    /// Labelled name pairs: name1,name2,is_match (schema, case_group optional).
    #[arg(long, value_name = "FILE")]
    pub pairs: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
    /// Fail (exit 1) when recall is below R.
    #[arg(long, value_name = "R")]
    pub min_recall: Option<f64>,
    /// Fail (exit 1) when the alert rate on negatives is above A.
    #[arg(long, value_name = "A")]
    pub max_alert_rate: Option<f64>,
    /// Print every missed positive and false alert.
    #[arg(long)]
    pub show_failures: bool,
}

/// Runs an evaluation.
pub fn run(settings: &Settings, extra: &[PathBuf], a: EvalArgs) -> Result<ExitCode> {
    if let Some(p) = &a.pairs {
        let (pairs, errors) = read_pairs(read_file(p)?)?;
        for e in &errors {
            eprintln!("{}:{}: {}", p.display(), e.line, e.message);
        }
        let r = run_pairs(&pairs, settings.matching.review_threshold);
        if a.json {
            print_json(&r)?;
        } else {
            print_pairs(&r, a.show_failures);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let path = a.cases.as_ref().expect("clap requires --cases or --pairs");
    let (cases, errors) = read_cases(read_file(path)?)?;
    for e in &errors {
        eprintln!("{}:{}: {}", path.display(), e.line, e.message);
    }
    let screener = load(settings, extra)?;
    let r = run_cases(&screener, &cases);
    if a.json {
        print_json(&r)?;
    } else {
        print_cases(&r, a.show_failures);
    }
    let mut ok = true;
    if let Some(min) = a.min_recall {
        if r.recall.is_some_and(|x| x < min) {
            eprintln!("recall {:.4} is below --min-recall {min}", r.recall.unwrap_or(0.0));
            ok = false;
        }
    }
    if let Some(max) = a.max_alert_rate {
        if r.alert_rate.is_some_and(|x| x > max) {
            eprintln!("alert rate {:.4} is above --max-alert-rate {max}", r.alert_rate.unwrap_or(0.0));
            ok = false;
        }
    }
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
