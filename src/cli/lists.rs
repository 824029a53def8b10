//! `cartelscreen lists show|fetch|diff`: the lists in service and their
//! cartel networks, downloading the official exports, and the delta between
//! two versions of a list.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;

use super::{load, open_records, outln, print_json};
use cartelscreen::config::Settings;
use cartelscreen::engine::Screener;
use cartelscreen::lists::fetch::FetchOptions;

/// `lists` subcommands.
#[derive(Subcommand, Debug)]
pub enum ListsCommand {
    /// The loaded lists, their versions and the cartel network sizes.
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Download the official lists into the data directory, validate them,
    /// and only then replace the files in service (a running service picks
    /// them up on its next reload, and re-screens monitored counterparties).
    Fetch {
        #[arg(long)]
        json: bool,
        /// Put a list in service even when it lost more entries than
        /// lists.max_shrink_percent.
        #[arg(long)]
        accept_shrink: bool,
        /// Fetch only this source (a name of fetch.sources).
        #[arg(long, value_name = "NAME")]
        source: Option<String>,
    },
    /// For maintainers: rewrite the embedded snapshot (lists/snapshot) from
    /// folders holding the official OFAC SDN set, OFAC Consolidated set and
    /// UN consolidated XML, exactly as published.
    Snapshot {
        /// Folders (or the UN XML file) holding the three lists.
        #[arg(required = true)]
        folders: Vec<PathBuf>,
        /// Where to write: the repository's lists/snapshot.
        #[arg(long, default_value = "lists/snapshot")]
        out: PathBuf,
        /// DATASET=YYYY-MM-DD for a list whose files state no date (OFAC).
        #[arg(long, value_name = "DATASET=DATE")]
        published: Vec<String>,
        /// FILE=YYYY-MM-DD: the export date of one file, when it differs.
        #[arg(long, value_name = "FILE=DATE")]
        file_date: Vec<String>,
        /// DATASET=TEXT: how the publication date was established.
        #[arg(long, value_name = "DATASET=TEXT")]
        note: Vec<String>,
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
            "lists": super::screen::lists_json(s),
            "entities": s.entities().len(),
            "networks": networks,
            "links": {"resolved": net.resolved_links, "unresolved": net.unresolved_links},
            "affiliations": {"resolved": net.resolved_affiliations, "absent": net.absent_affiliations},
            "hubs": net.hubs,
            "network_settings": {"depth": s.network_settings().depth, "hub_degree": s.network_settings().hub_degree},
            "warnings": s.warnings(),
        }));
    }
    let today = cartelscreen::engine::model::today_days();
    outln!(
        "{:<26} {:<18} {:>8}  {:<10} {:>5}  {:<16} source",
        "dataset",
        "format",
        "entries",
        "published",
        "age",
        "sha256"
    );
    for l in s.lists() {
        let age = l.age_days(today).map(|a| format!("{a}d")).unwrap_or_else(|| "-".into());
        let partial =
            if l.partial { format!(" (partial: {} missing)", l.missing_files.join(", ")) } else { String::new() };
        outln!(
            "{:<26} {:<18} {:>8}  {:<10} {:>5}  {:<16} {}{partial}",
            l.dataset,
            l.format.as_str(),
            l.entries,
            l.published.as_deref().map(|p| p.get(..10).unwrap_or(p)).unwrap_or("-"),
            age,
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

fn lists_fetch(settings: &Settings, json: bool, accept_shrink: bool, source: Option<String>) -> Result<ExitCode> {
    if let Some(name) = &source {
        if !settings.fetch.sources.contains_key(name) {
            anyhow::bail!(
                "no source {name:?} in fetch.sources (there are: {})",
                settings.fetch.sources.keys().cloned().collect::<Vec<_>>().join(", ")
            );
        }
    }
    // The versions last accepted: the newest baseline any deployment
    // recorded, read only (a command never moves a baseline).
    let accepted = match open_records(settings) {
        Ok(r) => r.accepted_versions().unwrap_or_default(),
        Err(e) => {
            tracing::debug!(error = %e, "no audit store: the shrink check compares with the files in service only");
            Vec::new()
        }
    };
    let options = FetchOptions {
        proxy: settings.lists.proxy.clone(),
        max_shrink_percent: Some(settings.lists.max_shrink_percent),
        accept_shrink,
        accepted,
        only: source,
        stop_when_unreachable: false,
    };
    let reports = cartelscreen::lists::fetch::fetch_all_with(&settings.fetch, &settings.lists.data_dir(), &options)?;
    let failed = reports.iter().filter(|r| r.error.is_some()).count();
    if json {
        print_json(&reports)?;
    } else {
        for name in &settings.fetch.disabled {
            outln!("{name:<20} disabled (fetch.disabled)");
        }
        for r in &reports {
            match &r.error {
                None => outln!("{:<20} ok      {}", r.source, r.summary()),
                Some(e) => {
                    let kept = if r.had_files {
                        format!("the files in service at {} stay", r.path.display())
                    } else {
                        "no files of this source are in service".to_string()
                    };
                    outln!("{:<20} FAILED  {e}; {kept}", r.source);
                    let files = settings.fetch.sources.get(&r.source).cloned().unwrap_or_default();
                    outln!(
                        "{:<20}         {}",
                        "",
                        r.manual_hint(&files).replace('\n', "\n                            ")
                    );
                }
            }
        }
        if reports.iter().any(|r| r.ok) {
            outln!("a running service puts the new files in service at its next reload (file change or POST /v1/lists/reload)");
        }
    }
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn pairs(values: &[String], what: &str) -> Result<Vec<(String, String)>> {
    values
        .iter()
        .map(|v| {
            v.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .ok_or_else(|| anyhow::anyhow!("{what} takes KEY=VALUE, not {v:?}"))
        })
        .collect()
}

fn lists_snapshot(
    folders: &[PathBuf],
    out: &Path,
    published: &[String],
    file_date: &[String],
    note: &[String],
) -> Result<ExitCode> {
    let sources = cartelscreen::config::Settings::defaults()
        .fetch
        .sources
        .iter()
        .map(|(name, files)| {
            let url = files
                .values()
                .next()
                .map(|u| u.rsplit_once('/').map(|(base, _)| format!("{base}/")).unwrap_or(u.clone()));
            (name.clone(), url.unwrap_or_default())
        })
        .collect();
    let options = cartelscreen::lists::snapshot::WriteOptions {
        published: pairs(published, "--published")?,
        file_dates: pairs(file_date, "--file-date")?,
        notes: pairs(note, "--note")?,
        sources,
        made: cartelscreen::lists::iso_date(cartelscreen::engine::model::today_days()),
    };
    let written = cartelscreen::lists::snapshot::write(out, folders, &options)?;
    for l in &written.manifest.lists {
        outln!("{:<18} {:>6} entries  published {}  {} file(s)", l.dataset, l.entries, l.published, l.files.len());
    }
    outln!("wrote {} ({} compressed bytes); rebuild to embed it", out.display(), written.compressed_bytes);
    Ok(ExitCode::SUCCESS)
}

/// Runs a `lists` subcommand.
pub fn run(settings: &Settings, extra: &[PathBuf], command: ListsCommand) -> Result<ExitCode> {
    match command {
        ListsCommand::Show { json } => {
            let screener = load(settings, extra)?;
            lists_show(&screener, json)?;
            Ok(ExitCode::SUCCESS)
        }
        ListsCommand::Fetch { json, accept_shrink, source } => lists_fetch(settings, json, accept_shrink, source),
        ListsCommand::Snapshot { folders, out, published, file_date, note } => {
            lists_snapshot(&folders, &out, &published, &file_date, &note)
        }
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
