//! `cartelscreen lists show|fetch|diff`: the lists in service and their
//! cartel networks, downloading the official exports, and the delta between
//! two versions of a list.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;

use super::{load, open_records, outln, print_json};
use cartelscreen::config::Settings;
use cartelscreen::engine::Screener;

/// `lists` subcommands.
#[derive(Subcommand, Debug)]
pub enum ListsCommand {
    /// The loaded lists, their versions and the cartel network sizes.
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Download the official lists into the data directory, validate them,
    /// and only then replace the files in service; then re-screen monitored
    /// counterparties against what changed.
    Fetch {
        #[arg(long)]
        json: bool,
    },
    /// The entries added, removed and changed between two versions of a
    /// list (two folders of an OFAC set, two UN XML files...).
    Diff {
        old: PathBuf,
        new: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

fn lists_show(s: &Screener, json: bool) -> Result<()> {
    let sizes = s.network().sizes(s.registry());
    if json {
        let networks: Vec<serde_json::Value> = s
            .registry()
            .cartels
            .iter()
            .zip(&sizes)
            .map(|(c, (_, n))| serde_json::json!({"code": c.code, "name": c.name, "ofac_id": c.ofac_id(), "designated": c.designated, "network_size": n}))
            .collect();
        return print_json(&serde_json::json!({
            "lists": s.lists(),
            "entities": s.entities().len(),
            "networks": networks,
            "links": {"resolved": s.network().resolved_links, "unresolved": s.network().unresolved_links},
            "warnings": s.warnings(),
        }));
    }
    outln!("{:<26} {:<18} {:>8}  {:<12} {:<16} source", "dataset", "format", "entries", "published", "sha256");
    for l in s.lists() {
        outln!(
            "{:<26} {:<18} {:>8}  {:<12} {:<16} {}",
            l.dataset,
            l.format.as_str(),
            l.entries,
            l.published.as_deref().unwrap_or("-"),
            &l.sha256[..16.min(l.sha256.len())],
            l.source
        );
    }
    outln!();
    outln!("cartel networks (entries tied through Linked To:, depth ≤ configured):");
    for (c, (_, n)) in s.registry().cartels.iter().zip(&sizes) {
        outln!("  {:<5} {:<38} {} designated {}  network {n}", c.code, c.name, c.ofac_id(), c.designated);
    }
    outln!();
    outln!("links resolved: {}, unresolved: {}", s.network().resolved_links, s.network().unresolved_links);
    if !s.warnings().is_empty() {
        outln!("warnings: {} (run with -v to print them)", s.warnings().len());
    }
    Ok(())
}

fn lists_fetch(settings: &Settings, extra: &[PathBuf], json: bool) -> Result<ExitCode> {
    let reports = cartelscreen::lists::fetch::fetch_all(&settings.fetch, &settings.lists.data_dir())?;
    let failed = reports.iter().filter(|r| r.error.is_some()).count();
    if json {
        print_json(&reports)?;
    } else {
        for r in &reports {
            match &r.error {
                None => outln!("{:<20} ok      {}", r.source, r.summary()),
                Some(e) => outln!("{:<20} FAILED  {e} (files in service kept)", r.source),
            }
        }
    }
    // Monitoring compares what is now in service with what it last saw.
    let screener = load(settings, extra)?;
    let records = open_records(settings)?;
    let outcome = records.check_monitoring(&screener)?;
    if !json {
        match &outcome {
            cartelscreen::record::monitor::CheckOutcome::Changed { added, removed, changed, rescreened, alerts } => outln!(
                "monitoring: {added} added, {removed} removed, {changed} changed; {rescreened} monitored counterparties re-screened, {alerts} new alerts"
            ),
            other => outln!("monitoring: {}", serde_json::to_value(other)?["outcome"].as_str().unwrap_or("checked")),
        }
    }
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Runs a `lists` subcommand.
pub fn run(settings: &Settings, extra: &[PathBuf], command: ListsCommand) -> Result<ExitCode> {
    match command {
        ListsCommand::Show { json } => {
            let screener = load(settings, extra)?;
            lists_show(&screener, json)?;
            Ok(ExitCode::SUCCESS)
        }
        ListsCommand::Fetch { json } => lists_fetch(settings, extra, json),
        ListsCommand::Diff { old, new, json } => {
            let report = cartelscreen::record::delta::diff_paths(&old, &new)?;
            if json {
                print_json(&report)?;
            } else {
                outln!("{}", cartelscreen::record::delta::render_text(&report).trim_end());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
