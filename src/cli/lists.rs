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
    let net = s.network();
    if json {
        let networks: Vec<serde_json::Value> = s
            .registry()
            .cartels
            .iter()
            .zip(&sizes)
            .map(|(c, n)| {
                serde_json::json!({"code": c.code, "name": c.name, "ofac_id": c.ofac_id(), "designated": c.designated,
                                   "network_size": n.total, "by_basis": {"list": n.by_list, "source": n.by_source},
                                   "by_depth": n.by_depth})
            })
            .collect();
        return print_json(&serde_json::json!({
            "lists": s.lists(),
            "entities": s.entities().len(),
            "networks": networks,
            "links": {"resolved": net.resolved_links, "unresolved": net.unresolved_links},
            "affiliations": {"resolved": net.resolved_affiliations, "absent": net.absent_affiliations},
            "hubs": net.hubs,
            "network_settings": {"depth": s.network_settings().depth, "hub_degree": s.network_settings().hub_degree},
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
    let ns = s.network_settings();
    outln!(
        "cartel networks (depth ≤ {}; `list`: Linked To: relations alone, `source`: through a registry row):",
        ns.depth
    );
    for (c, n) in s.registry().cartels.iter().zip(&sizes) {
        outln!(
            "  {:<5} {:<38} {} designated {}  network {} (list {}, source {})",
            c.code,
            c.name,
            c.ofac_id(),
            c.designated,
            n.total,
            n.by_list,
            n.by_source
        );
    }
    outln!();
    outln!("links resolved: {}, unresolved: {}", net.resolved_links, net.unresolved_links);
    outln!(
        "affiliation rows: {} on loaded entries, {} entries absent from the loaded lists",
        net.resolved_affiliations,
        net.absent_affiliations.len()
    );
    if net.hubs.is_empty() {
        outln!("hubs (more than {} links: reached, not walked through): none", ns.hub_degree);
    } else {
        outln!("hubs (more than {} links: reached, not walked through):", ns.hub_degree);
        for h in net.hubs.iter().take(20) {
            outln!("  {:<14} {:>4} links  {}", h.id, h.degree, h.name);
        }
        if net.hubs.len() > 20 {
            outln!("  ... {} more (--json lists them all)", net.hubs.len() - 20);
        }
    }
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
