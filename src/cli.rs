//! Command-line parsing and rendering for the `cartelscreen` binary. Every
//! command calls the library and prints what it returns; no screening logic
//! lives here.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};

use cartelscreen::audit::{Origin, Screened};
use cartelscreen::config::Settings;
use cartelscreen::engine::load_screener;
use cartelscreen::eval::{read_cases, read_pairs, run_cases, run_pairs, CasesReport, PairsReport};
use cartelscreen::model::{BirthDate, EntityKind};
use cartelscreen::screen::{Match, Query, Screener, Screening};

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

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the HTTP screening service.
    Serve(ServeArgs),
    /// Manage API keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Screen one counterparty.
    Screen(ScreenArgs),
    /// Show the full score breakdown of one name against one entity.
    Explain {
        name: String,
        entity_id: String,
        #[command(flatten)]
        facts: Facts,
        #[arg(long)]
        json: bool,
    },
    /// Inspect or download the lists.
    Lists {
        #[command(subcommand)]
        command: ListsCommand,
    },
    /// Regression evaluation on sample counterparties or labelled name pairs.
    Eval(EvalArgs),
    /// Measure in-process screening latency over a query mix.
    Bench(BenchArgs),
    /// Screen a CSV file of counterparties: one output row per input row, in order.
    Batch(BatchArgs),
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Generate evaluation cases: variants of listed names, or realistic
    /// counterparties that are on no list.
    Gen {
        #[command(subcommand)]
        command: GenCommand,
    },
}

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
        /// Where to write (standard output when omitted).
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Validate the configuration and load the lists, then exit (0 when
    /// the service would start).
    #[arg(long)]
    pub check_config: bool,
    /// Listen on this address instead of server.host.
    #[arg(long)]
    pub host: Option<String>,
    /// Listen on this port instead of server.port (0 picks a free one).
    #[arg(long)]
    pub port: Option<u16>,
}

#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Create a key: prints the key once, and the [[auth.keys]] entry (its
    /// hash) to add to the configuration.
    Create {
        /// Name of the key in logs and metrics.
        #[arg(long)]
        id: String,
        /// screen, analyst, admin. Repeatable.
        #[arg(long = "scope", value_name = "SCOPE", default_value = "screen")]
        scopes: Vec<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum GenCommand {
    /// Variants (typos, OCR errors, homoglyphs, reordering, aliases, legal
    /// forms, identifier-only...) of the Mexican narcotics entries of the
    /// loaded lists, each expecting its entry.
    Variants {
        /// Variants per entry.
        #[arg(long, default_value_t = 17)]
        per_entity: usize,
        #[arg(long, default_value_t = 2025)]
        seed: u64,
        /// Vary every entry of the loaded lists, not only the Mexican narcotics ones.
        #[arg(long)]
        all: bool,
        /// Output CSV (stdout when omitted).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// A counterparty file for `batch`: Mexican and US persons and companies
    /// (customer id, name, type, country, dob, RFC, address), about 1% of them
    /// listed names or their variants from the loaded lists. Streamed.
    Counterparties(CounterpartiesArgs),
    /// Realistic Mexican (and some US) persons and companies on no list.
    Negatives {
        #[arg(long, default_value_t = 10_000)]
        count: usize,
        #[arg(long, default_value_t = 2025)]
        seed: u64,
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

#[derive(Args, Debug)]
pub struct ScreenArgs {
    pub name: String,
    #[command(flatten)]
    pub facts: Facts,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Facts about the counterparty beyond its name.
#[derive(Args, Debug, Default)]
pub struct Facts {
    /// person, company, organization, vessel, aircraft or any.
    #[arg(long = "type", value_name = "TYPE")]
    pub kind: Option<String>,
    /// Birth date: YYYY-MM-DD, YYYY-MM or YYYY.
    #[arg(long)]
    pub dob: Option<String>,
    /// Country: ISO code (MX) or name.
    #[arg(long)]
    pub country: Option<String>,
    /// An identifier such as an RFC or CURP. Repeatable.
    #[arg(long = "id", value_name = "ID")]
    pub ids: Vec<String>,
}

impl Facts {
    fn query(&self, name: &str) -> Result<Query> {
        let mut q = Query::name(name);
        if let Some(k) = &self.kind {
            q.kind = Some(EntityKind::parse(k).with_context(|| format!("unknown --type `{k}`"))?);
        }
        if let Some(d) = &self.dob {
            q.dob = Some(BirthDate::parse_iso(d).with_context(|| format!("unreadable --dob `{d}` (use YYYY-MM-DD)"))?);
        }
        q.country = self.country.clone();
        q.identifiers = self.ids.clone();
        Ok(q)
    }
}

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

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Query mix (the eval cases format); every case's name, type, dob,
    /// country and identifier are screened.
    #[arg(long, value_name = "FILE")]
    pub cases: PathBuf,
    /// Passes over the query mix.
    #[arg(long, default_value_t = 5)]
    pub passes: usize,
    #[arg(long)]
    pub json: bool,
}

pub fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

pub fn run(cli: Cli) -> Result<ExitCode> {
    let settings = Settings::load(cli.config.as_deref())?;
    match cli.command {
        Command::Serve(a) => serve(settings, cli.lists, a),
        Command::Keys { command: KeysCommand::Create { id, scopes, json } } => keys_create(&id, &scopes, json),
        Command::Screen(a) => {
            let screener = load(&settings, &cli.lists)?;
            let q = a.facts.query(&a.name)?;
            let compliance = open_compliance(&settings)?;
            let s = compliance.dispositions.book().screen(&screener, &q, None)?;
            let audit = &compliance.audit;
            let origin = Origin::new(cli_request_id(), cartelscreen::audit::cli_caller(), "cli");
            let subject = cartelscreen::monitor::counterparty_json(&q, None);
            let lists = cartelscreen::audit::list_versions(&screener);
            let screened = Screened { item: None, reference: None, subject, outcome: Ok(&s) };
            let at = cartelscreen::store::now_millis();
            audit.append_blocking(vec![audit.context().screening(&origin, &lists, at, screened)])?;
            if a.json {
                print_json(&screening_json(&q, &s, &screener))?;
            } else {
                print_screening(&a.name, &s);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Explain { name, entity_id, facts, json } => {
            let screener = load(&settings, &cli.lists)?;
            let q = facts.query(&name)?;
            let Some(m) = screener.explain(&q, &entity_id)? else {
                bail!("no entity `{entity_id}` in the loaded lists");
            };
            if json {
                print_json(&m)?;
            } else {
                print_explanation(&name, &m);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Lists { command: ListsCommand::Show { json } } => {
            let screener = load(&settings, &cli.lists)?;
            lists_show(&screener, json)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Lists { command: ListsCommand::Fetch { json } } => lists_fetch(&settings, &cli.lists, json),
        Command::Lists { command: ListsCommand::Diff { old, new, json } } => {
            let report = cartelscreen::delta::diff_paths(&old, &new)?;
            if json {
                print_json(&report)?;
            } else {
                outln!("{}", cartelscreen::delta::render_text(&report).trim_end());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit { command: AuditCommand::Export { from, to, format, output } } => {
            audit_export(&settings, from, to, &format, output)
        }
        Command::Eval(a) => eval(&settings, &cli.lists, a),
        Command::Bench(a) => bench(&settings, &cli.lists, a),
        Command::Gen { command } => generate(&settings, &cli.lists, command),
        Command::Batch(a) => batch(&settings, &cli.lists, a),
    }
}

fn load(settings: &Settings, extra: &[PathBuf]) -> Result<Screener> {
    let t = Instant::now();
    let s = load_screener(settings, extra)?;
    tracing::info!(entities = s.entities().len(), elapsed_ms = t.elapsed().as_millis() as u64, "lists loaded");
    for w in s.warnings() {
        tracing::info!("{w}");
    }
    Ok(s)
}

fn print_json<T: serde::Serialize>(v: &T) -> Result<()> {
    let mut out = std::io::stdout().lock();
    if serde_json::to_writer_pretty(&mut out, v).is_err() || writeln!(out).is_err() {
        // stdout closed early: nothing more to say.
        std::process::exit(0);
    }
    Ok(())
}

fn screening_json(q: &Query, s: &Screening, screener: &Screener) -> serde_json::Value {
    serde_json::json!({
        "query": {
            "name": q.name,
            "type": q.kind.map(|k| k.as_str()),
            "country": q.country,
            "dob": q.dob.map(|d| d.to_string()),
            "identifiers": q.identifiers,
        },
        "decision": s.decision,
        "flags": s.flags,
        "evasion": s.evasion,
        "matches": s.matches,
        "lists": screener.lists(),
    })
}

fn flags_text(m: &Match) -> String {
    m.flags.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(",")
}

fn ties_text(m: &Match) -> String {
    let mut parts: Vec<String> = Vec::new();
    for t in &m.cartel_ties {
        let s = if t.depth == 0 {
            format!("{} (the cartel)", t.cartel)
        } else {
            format!("{} ({} link{})", t.cartel, t.depth, if t.depth == 1 { "" } else { "s" })
        };
        if !parts.contains(&s) {
            parts.push(s);
        }
    }
    if parts.is_empty() {
        "-".into()
    } else {
        parts.join("; ")
    }
}

fn print_screening(name: &str, s: &Screening) {
    outln!("{name}: {}", s.decision.as_str().to_uppercase());
    if !s.flags.is_empty() {
        outln!("flags: {}", s.flags.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(", "));
    }
    if !s.evasion.is_empty() {
        outln!("evasion: {}", s.evasion.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(", "));
    }
    if s.matches.is_empty() {
        outln!("no match on the loaded lists");
        return;
    }
    outln!();
    outln!(
        "{:>2}  {:>5}  {:<8} {:<14} {:<26} {:<44} cartel",
        "#",
        "score",
        "decision",
        "entity",
        "list",
        "matched name (role)"
    );
    for (i, m) in s.matches.iter().enumerate() {
        let matched = format!("{} ({})", m.matched_name, m.matched_role.as_str());
        outln!(
            "{:>2}  {:>5.3}  {:<8} {:<14} {:<26} {:<44} {}",
            i + 1,
            m.score,
            m.decision.as_str(),
            m.entity_id,
            m.list,
            truncate(&matched, 44),
            ties_text(m)
        );
    }
    for (i, m) in s.matches.iter().enumerate().filter(|(_, m)| m.decision.is_alert()) {
        outln!();
        outln!("#{} {} — {}", i + 1, m.entity_id, m.caption);
        outln!("   flags: {}", flags_text(m));
        if !m.programs.is_empty() {
            outln!("   programs: {}", m.programs.join(", "));
        }
        for t in m.cartel_ties.iter().filter(|t| t.depth > 0).take(3) {
            let path: Vec<String> = t.path.iter().map(|p| format!("{} ({})", p.name, p.id)).collect();
            outln!("   {} path: {}", t.cartel, path.join(" → "));
        }
        outln!("   why: {}", explanation_line(m));
    }
}

fn explanation_line(m: &Match) -> String {
    let mut parts: Vec<String> = m
        .explanation
        .name
        .tokens
        .iter()
        .map(|t| format!("{}~{} {:.2} {}", t.query, t.listed, t.similarity, t.how.as_str()))
        .collect();
    for a in &m.explanation.adjustments {
        parts.push(format!("{} {:+.2}", a.feature, a.effect));
    }
    parts.join("; ")
}

fn print_explanation(name: &str, m: &Match) {
    outln!("query:        {name}");
    outln!("entity:       {} — {} ({}, {})", m.entity_id, m.caption, m.kind.as_str(), m.list);
    outln!("matched name: {} ({})", m.matched_name, m.matched_role.as_str());
    outln!("score:        {:.3}  decision: {}", m.score, m.decision.as_str());
    let n = &m.explanation.name;
    outln!(
        "name score:   {:.3} (query covered {:.0}%, listed name covered {:.0}%)",
        n.score,
        n.query_coverage * 100.0,
        n.listed_coverage * 100.0
    );
    outln!();
    outln!("  {:<20} {:<20} {:>10} {:>7}  how", "query token", "listed token", "similarity", "weight");
    for t in &n.tokens {
        outln!("  {:<20} {:<20} {:>10.3} {:>7.2}  {}", t.query, t.listed, t.similarity, t.weight, t.how.as_str());
    }
    for t in &n.unmatched_query {
        outln!("  {:<20} {:<20} {:>10} {:>7}  unmatched", t, "-", "-", "-");
    }
    for t in &n.unmatched_listed {
        outln!("  {:<20} {:<20} {:>10} {:>7}  unmatched", "-", t, "-", "-");
    }
    if !m.explanation.adjustments.is_empty() {
        outln!();
        for a in &m.explanation.adjustments {
            outln!("  {:<10} {:+.3}  {}", a.feature, a.effect, a.detail);
        }
    }
    outln!();
    outln!("flags: {}", flags_text(m));
    outln!("cartel: {}", ties_text(m));
    for t in m.cartel_ties.iter().filter(|t| t.depth > 0) {
        let path: Vec<String> = t.path.iter().map(|p| format!("{} ({})", p.name, p.id)).collect();
        outln!("  {} path: {}", t.cartel, path.join(" → "));
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
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
    let reports = cartelscreen::lists::fetch::fetch_all(&settings.fetch, &settings.lists.data_dir)?;
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
    let compliance = open_compliance(settings)?;
    let outcome = compliance.monitor.check(&screener)?;
    if !json {
        match &outcome {
            cartelscreen::monitor::CheckOutcome::Changed { added, removed, changed, rescreened, alerts } => outln!(
                "monitoring: {added} added, {removed} removed, {changed} changed; {rescreened} monitored counterparties re-screened, {alerts} new alerts"
            ),
            other => outln!("monitoring: {}", serde_json::to_value(other)?["outcome"].as_str().unwrap_or("checked")),
        }
    }
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// The store, dispositions and monitoring, for commands that screen.
fn open_compliance(settings: &Settings) -> Result<cartelscreen::compliance::Compliance> {
    cartelscreen::compliance::Compliance::open(settings).context("cannot open the audit store")
}

/// A command-line run's id in the audit trail.
fn cli_request_id() -> String {
    format!("cli-{}", uuid::Uuid::now_v7().simple())
}

fn audit_export(
    settings: &Settings,
    from: Option<String>,
    to: Option<String>,
    format: &str,
    output: Option<PathBuf>,
) -> Result<ExitCode> {
    use cartelscreen::audit::export::{export, parse_time, ExportFormat};
    let bound = |name: &str, v: &Option<String>| -> Result<Option<i64>> {
        match v {
            None => Ok(None),
            Some(s) => parse_time(s).map(Some).with_context(|| format!("--{name} {s:?} is not RFC 3339 or YYYY-MM-DD")),
        }
    };
    let filter =
        cartelscreen::store::AuditFilter { from: bound("from", &from)?, to: bound("to", &to)?, ..Default::default() };
    let format = if format == "jsonl" { ExportFormat::Jsonl } else { ExportFormat::Csv };
    let store = cartelscreen::store::open(&settings.audit).context("cannot open the audit store")?;
    let count = match &output {
        Some(p) => {
            let f = std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?;
            export(&*store, &filter, format, std::io::BufWriter::new(f))?
        }
        None => export(&*store, &filter, format, std::io::stdout().lock())?,
    };
    eprintln!("{count} audit records exported");
    Ok(ExitCode::SUCCESS)
}

fn read_file(p: &PathBuf) -> Result<std::fs::File> {
    std::fs::File::open(p).with_context(|| format!("cannot open {}", p.display()))
}

fn eval(settings: &Settings, extra: &[PathBuf], a: EvalArgs) -> Result<ExitCode> {
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

fn pct(x: Option<f64>) -> String {
    x.map(|v| format!("{:.2}%", v * 100.0)).unwrap_or_else(|| "-".into())
}

fn print_cases(r: &CasesReport, show_failures: bool) {
    outln!("{:<24} {:>7} {:>9} {:>9} {:>11}", "class", "cases", "recall", "top1", "alert_rate");
    for (c, s) in &r.classes {
        outln!("{:<24} {:>7} {:>9} {:>9} {:>11}", c, s.n, pct(s.recall), pct(s.top1), pct(s.alert_rate));
    }
    outln!("{:<24} {:>7} {:>9} {:>9} {:>11}", "ALL", r.cases, pct(r.recall), pct(r.top1), pct(r.alert_rate));
    outln!("positives {}, negatives {}", r.positives, r.negatives);
    let failures: Vec<_> =
        r.outcomes.iter().filter(|o| (o.positive && !o.caught) || (!o.positive && o.alerted)).collect();
    let shown = if show_failures { failures.len() } else { failures.len().min(10) };
    if !failures.is_empty() {
        outln!();
        outln!(
            "failures ({}{}):",
            failures.len(),
            if shown < failures.len() { ", first 10; --show-failures for all" } else { "" }
        );
        for o in failures.iter().take(shown) {
            let what = if o.positive { "missed" } else { "false alert" };
            let best =
                o.best.as_ref().map(|(id, s, d)| format!("best {id} {s:.3} {d}")).unwrap_or_else(|| "no match".into());
            let err = o.error.as_deref().map(|e| format!(" error: {e}")).unwrap_or_default();
            outln!("  line {} [{}] {what}: {} — {best}{err}", o.line, o.class, o.name);
        }
    }
}

fn print_pairs(r: &PairsReport, show_failures: bool) {
    outln!("threshold {:.2}", r.threshold);
    outln!("{:<20} {:>6} {:>10} {:>8} {:>8}", "group", "pairs", "precision", "recall", "f1");
    for (g, s) in &r.groups {
        outln!("{:<20} {:>6} {:>10.3} {:>8.3} {:>8.3}", g, s.pairs, s.precision, s.recall, s.f1);
    }
    outln!("{:<20} {:>6} {:>10.3} {:>8.3} {:>8.3}", "ALL", r.pairs, r.precision, r.recall, r.f1);
    if show_failures {
        for (p, s) in &r.scored {
            let predicted = *s as f64 >= r.threshold;
            if predicted != p.is_match {
                outln!("  {:.3} {} | {} | {} (expected {})", s, p.group, p.a, p.b, p.is_match);
            }
        }
    }
}

fn rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn bench(settings: &Settings, extra: &[PathBuf], a: BenchArgs) -> Result<ExitCode> {
    let (cases, _) = read_cases(read_file(&a.cases)?)?;
    if cases.is_empty() {
        bail!("{} holds no cases", a.cases.display());
    }
    let t = Instant::now();
    let screener = load(settings, extra)?;
    let load_ms = t.elapsed().as_secs_f64() * 1000.0;
    let rss_after_load = rss_mb();
    // The first pass meets every query token for the first time (cold
    // caches); later passes show a service that has seen such names before.
    let mut cold: Vec<f64> = Vec::with_capacity(cases.len());
    let mut warm: Vec<f64> = Vec::with_capacity(cases.len() * a.passes);
    for pass in 0..a.passes.max(1) {
        for c in &cases {
            let t = Instant::now();
            let r = screener.screen(&c.query);
            let us = t.elapsed().as_secs_f64() * 1e6;
            std::hint::black_box(r.ok());
            if pass == 0 {
                cold.push(us)
            } else {
                warm.push(us)
            }
        }
    }
    let stats = |mut v: Vec<f64>| {
        if v.is_empty() {
            return serde_json::Value::Null;
        }
        v.sort_by(f64::total_cmp);
        let q = |p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
        serde_json::json!({
            "queries": v.len(),
            "median_us": q(0.5),
            "p90_us": q(0.9),
            "p99_us": q(0.99),
            "max_us": v[v.len() - 1],
            "mean_us": v.iter().sum::<f64>() / v.len() as f64,
        })
    };
    let report = serde_json::json!({
        "entities": screener.entities().len(),
        "load_ms": load_ms,
        "rss_mb_after_load": rss_after_load,
        "rss_mb_after_queries": rss_mb(),
        "first_pass": stats(cold),
        "later_passes": stats(warm),
    });
    if a.json {
        print_json(&report)?;
    } else {
        outln!("entities loaded      {}", screener.entities().len());
        outln!("load + index         {load_ms:.0} ms");
        let mb = |v: &serde_json::Value| v.as_f64().map(|m| format!("{m:.0} MB")).unwrap_or_else(|| "-".into());
        outln!("resident after load  {}", mb(&report["rss_mb_after_load"]));
        outln!("resident at the end  {}", mb(&report["rss_mb_after_queries"]));
        for (label, key) in [("first pass", "first_pass"), ("later passes", "later_passes")] {
            let s = &report[key];
            if s.is_null() {
                continue;
            }
            let f = |k: &str| s[k].as_f64().unwrap_or(0.0);
            outln!(
                "{label:<20} {} queries, one thread: median {:.1} µs, p90 {:.1} µs, p99 {:.1} µs, max {:.1} µs",
                s["queries"],
                f("median_us"),
                f("p90_us"),
                f("p99_us"),
                f("max_us")
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn generate(settings: &Settings, extra: &[PathBuf], command: GenCommand) -> Result<ExitCode> {
    use cartelscreen::synth;
    let (cases, output) = match command {
        GenCommand::Variants { per_entity, seed, all, output } => {
            let screener = load(settings, extra)?;
            let chosen: Vec<_> =
                screener.entities().iter().filter(|e| all || synth::is_mexican_narcotics(e)).cloned().collect();
            if chosen.is_empty() {
                bail!("no entries to vary: load an OFAC list with --lists");
            }
            (synth::variant_cases(&chosen, per_entity, seed), output)
        }
        GenCommand::Negatives { count, seed, output } => (synth::negative_cases(count, seed), output),
        GenCommand::Counterparties(a) => return gen_counterparties(settings, extra, a),
    };
    match output {
        Some(p) => {
            let f = std::fs::File::create(&p).with_context(|| format!("cannot create {}", p.display()))?;
            synth::write_cases_csv(std::io::BufWriter::new(f), &cases)?;
            eprintln!("{} cases written to {}", cases.len(), p.display());
        }
        None => {
            if synth::write_cases_csv(std::io::stdout().lock(), &cases).is_err() {
                std::process::exit(0);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn serve(mut settings: Settings, extra: Vec<PathBuf>, a: ServeArgs) -> Result<ExitCode> {
    if let Some(h) = a.host {
        settings.server.host = h;
    }
    if let Some(p) = a.port {
        settings.server.port = p;
    }
    if a.check_config {
        let screener = load(&settings, &extra)?;
        outln!(
            "configuration valid; {} lists, {} entities; would listen on {}:{}; {} API keys{}",
            screener.lists().len(),
            screener.entities().len(),
            settings.server.host,
            settings.server.port,
            settings.auth.keys.len(),
            if settings.auth.required { "" } else { " (auth off)" }
        );
        return Ok(ExitCode::SUCCESS);
    }
    cartelscreen::telemetry::init(&settings.log);
    if settings.auth.required && settings.auth.keys.is_empty() {
        tracing::warn!(
            "no API keys configured: every /v1 request will be refused; create one with `cartelscreen keys create`"
        );
    }
    actix_web::rt::System::new().block_on(async move {
        let app = cartelscreen::http::startup::Application::build(settings.clone(), extra)?;
        let generation = app.state.lists.current();
        tracing::info!(
            address = %format!("{}:{}", settings.server.host, app.port),
            lists = generation.screener.lists().len(),
            entities = generation.screener.entities().len(),
            "cartelscreen listening"
        );
        drop(generation);
        // On stdout, for scripts and tests that start the service on port 0.
        outln!("listening on http://{}:{}", settings.server.host, app.port);
        app.run_until_stopped().await?;
        tracing::info!("stopped");
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

fn keys_create(id: &str, scopes: &[String], json: bool) -> Result<ExitCode> {
    use cartelscreen::config::Scope;
    let mut parsed = Vec::new();
    for s in scopes.iter().flat_map(|s| s.split(',')) {
        parsed.push(match s.trim() {
            "screen" => Scope::Screen,
            "admin" => Scope::Admin,
            "analyst" => Scope::Analyst,
            other => bail!("unknown scope `{other}` (use screen, analyst or admin)"),
        });
    }
    parsed.sort();
    parsed.dedup();
    let key = cartelscreen::apikey::create(id, &parsed).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    if json {
        print_json(&serde_json::json!({"key": key.secret, "entry": key.settings}))?;
    } else {
        let scopes: Vec<String> = parsed.iter().map(|s| format!("\"{}\"", s.as_str())).collect();
        outln!("API key (shown once, store it now):\n\n  {}\n", key.secret);
        outln!("Add to the configuration:\n");
        outln!(
            "[[auth.keys]]\nid = \"{}\"\nsha256 = \"{}\"\nscopes = [{}]",
            key.settings.id,
            key.settings.sha256,
            scopes.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Args, Debug)]
pub struct BatchArgs {
    /// The CSV file to screen (`-` for standard input).
    #[arg(value_name = "INPUT.csv")]
    pub input: PathBuf,
    /// Where to write the results (standard output when omitted or `-`).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Output format: csv or jsonl.
    #[arg(long, default_value = "csv", value_name = "FORMAT")]
    pub format: cartelscreen::batch::Format,
    /// utf-8, windows-1252 or latin-1 (detected when omitted: a BOM, else valid
    /// UTF-8 is UTF-8 and anything else Windows-1252).
    #[arg(long, value_name = "ENCODING")]
    pub encoding: Option<cartelscreen::batch::EncodingChoice>,
    /// `,` `;` `|` or `tab` (detected from the header line when omitted).
    #[arg(long, value_name = "CHAR", value_parser = cartelscreen::batch::input::parse_delimiter)]
    pub delimiter: Option<u8>,
    /// The name column (header or 1-based position); replaces the one found.
    #[arg(long, value_name = "COLUMN")]
    pub name_col: Option<String>,
    /// The type column (person/company, persona física/moral); "" for none.
    #[arg(long, value_name = "COLUMN")]
    pub type_col: Option<String>,
    /// The country column; "" for none.
    #[arg(long, value_name = "COLUMN")]
    pub country_col: Option<String>,
    /// The date-of-birth column; "" for none.
    #[arg(long, value_name = "COLUMN")]
    pub dob_col: Option<String>,
    /// An identifier column (RFC, CURP, passport...). Repeatable; replaces those found.
    #[arg(long = "id-col", value_name = "COLUMN")]
    pub id_cols: Vec<String>,
    /// The address column; "" for none.
    #[arg(long, value_name = "COLUMN")]
    pub address_col: Option<String>,
    /// Your reference column; "" for none.
    #[arg(long, value_name = "COLUMN")]
    pub ref_col: Option<String>,
    /// Exit 3 when any row reaches this decision (review: review or block).
    #[arg(long, value_name = "DECISION", value_parser = ["review", "block"])]
    pub fail_on: Option<String>,
    /// Also write the summary as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub summary_json: Option<PathBuf>,
    /// Start the CSV output with a UTF-8 byte-order mark, for Excel.
    #[arg(long)]
    pub bom: bool,
    /// No progress, column report or summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,
    /// Rows screened and written together.
    #[arg(long, default_value_t = 2048, hide = true)]
    pub chunk_rows: usize,
    /// Only parse and write the rows back, without loading lists or screening
    /// (measures the floor of the pipeline).
    #[arg(long, hide = true)]
    pub no_screen: bool,
    /// Also register every row that has a reference for ongoing monitoring.
    #[arg(long)]
    pub monitor: bool,
}

#[derive(Args, Debug)]
pub struct CounterpartiesArgs {
    #[arg(long, default_value_t = 10_000)]
    pub rows: u64,
    #[arg(long, default_value_t = 2025)]
    pub seed: u64,
    /// Share of rows that are listed names or their variants.
    #[arg(long, default_value_t = 0.01, value_name = "SHARE")]
    pub listed: f64,
    /// Header language: es (Mexican ERP export), en, or mixed.
    #[arg(long, default_value = "es", value_name = "LANG")]
    pub header: cartelscreen::synth::counterparties::HeaderLang,
    /// Output CSV (stdout when omitted).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

fn gen_counterparties(settings: &Settings, extra: &[PathBuf], a: CounterpartiesArgs) -> Result<ExitCode> {
    use cartelscreen::synth;
    use cartelscreen::synth::counterparties::{write_counterparties, Counterparties};
    if !(0.0..=1.0).contains(&a.listed) {
        bail!("--listed must be between 0 and 1");
    }
    let screener = load(settings, extra)?;
    let mut chosen: Vec<_> = screener.entities().iter().filter(|e| synth::is_mexican_narcotics(e)).cloned().collect();
    if chosen.is_empty() {
        chosen = screener.entities().to_vec();
    }
    let pool = synth::variant_cases(&chosen, 8, a.seed);
    drop(chosen);
    let gen = Counterparties::new(a.seed, &pool, a.listed, a.header);
    match &a.output {
        Some(p) if p.as_os_str() != "-" => {
            let f = std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?;
            write_counterparties(std::io::BufWriter::with_capacity(1 << 20, f), a.rows, gen)
                .with_context(|| format!("cannot write {}", p.display()))?;
            eprintln!(
                "{} counterparties written to {} ({} listed variants to draw from)",
                a.rows,
                p.display(),
                pool.len()
            );
        }
        _ => {
            if write_counterparties(std::io::BufWriter::new(std::io::stdout().lock()), a.rows, gen).is_err() {
                std::process::exit(0);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Sets `cancel` on the first SIGINT (Ctrl-C); a second one ends the process
/// at once with 130.
fn cancel_on_ctrl_c(cancel: std::sync::Arc<std::sync::atomic::AtomicBool>) -> Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    // Registered now, before any work starts, so no Ctrl-C is missed.
    #[cfg(unix)]
    let mut sigint = {
        let _guard = rt.enter();
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?
    };
    std::thread::Builder::new().name("ctrl-c".into()).spawn(move || {
        rt.block_on(async move {
            #[cfg(unix)]
            sigint.recv().await;
            #[cfg(not(unix))]
            let _ = tokio::signal::ctrl_c().await;
            cancel.store(true, std::sync::atomic::Ordering::SeqCst);
            eprintln!("\ninterrupted: finishing the chunk in progress (Ctrl-C again to quit at once)");
            #[cfg(unix)]
            sigint.recv().await;
            #[cfg(not(unix))]
            let _ = tokio::signal::ctrl_c().await;
            std::process::exit(130);
        })
    })?;
    Ok(())
}

/// A one-line progress display on stderr: rows, rows/s, alerts, and with a
/// known input size a bar and an ETA.
struct ProgressLine {
    show: bool,
    total: Option<u64>,
    last: Option<Instant>,
    drawn: bool,
}

impl ProgressLine {
    fn update(&mut self, p: &cartelscreen::batch::Progress) {
        use cartelscreen::batch::summary::thousands;
        if !self.show || self.last.is_some_and(|t| t.elapsed().as_millis() < 200) {
            return;
        }
        self.last = Some(Instant::now());
        let secs = p.elapsed.as_secs_f64().max(1e-3);
        let rate = p.rows as f64 / secs;
        let mut line = String::new();
        if let Some(total) = self.total.filter(|t| *t > 0) {
            let frac = (p.bytes_read as f64 / total as f64).clamp(0.0, 1.0);
            let filled = (frac * 24.0).round() as usize;
            line.push_str(&format!("[{}{}] {:>3.0}%  ", "#".repeat(filled), "-".repeat(24 - filled), frac * 100.0));
            if frac > 0.0 && frac < 1.0 {
                let eta = secs * (1.0 - frac) / frac;
                line.push_str(&format!("ETA {}:{:02}  ", eta as u64 / 60, eta as u64 % 60));
            }
        }
        line.push_str(&format!(
            "{} rows  {} rows/s  {} alerts  {} errors",
            thousands(p.rows),
            thousands(rate as u64),
            thousands(p.alerts),
            thousands(p.errors)
        ));
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{line}\x1b[K");
        let _ = err.flush();
        self.drawn = true;
    }

    fn clear(&mut self) {
        if self.drawn {
            let _ = write!(std::io::stderr().lock(), "\r\x1b[K");
            self.drawn = false;
        }
    }
}

fn batch(settings: &Settings, extra: &[PathBuf], a: BatchArgs) -> Result<ExitCode> {
    use cartelscreen::batch::{BatchError, BatchJob, BatchOptions, ColumnOverrides};
    use std::io::IsTerminal;
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;

    let from_stdin = a.input.as_os_str() == "-";
    let to_stdout = a.output.as_ref().is_none_or(|p| p.as_os_str() == "-");
    let (input, size): (Box<dyn std::io::Read + Send>, Option<u64>) = if from_stdin {
        (Box::new(std::io::stdin()), None)
    } else {
        let f = std::fs::File::open(&a.input).with_context(|| format!("cannot open {}", a.input.display()))?;
        let meta = f.metadata().with_context(|| format!("cannot read {}", a.input.display()))?;
        if meta.is_dir() {
            bail!("{} is a folder, not a CSV file", a.input.display());
        }
        (Box::new(f), meta.is_file().then_some(meta.len()))
    };
    if let (false, false, Some(out)) = (from_stdin, to_stdout, &a.output) {
        let same = match (std::fs::canonicalize(&a.input), std::fs::canonicalize(out)) {
            (Ok(i), Ok(o)) => i == o,
            _ => false,
        };
        if same {
            bail!("the output {} is the input: write the results elsewhere", out.display());
        }
    }
    let label = if from_stdin { "stdin".to_string() } else { a.input.display().to_string() };
    let options = BatchOptions {
        encoding: a.encoding.unwrap_or_default(),
        delimiter: a.delimiter,
        columns: ColumnOverrides {
            name: a.name_col.clone(),
            kind: a.type_col.clone(),
            country: a.country_col.clone(),
            dob: a.dob_col.clone(),
            ids: a.id_cols.clone(),
            address: a.address_col.clone(),
            reference: a.ref_col.clone(),
        },
        format: a.format,
        chunk_rows: a.chunk_rows.max(1),
        bom: a.bom,
        ..BatchOptions::default()
    };
    let cancel = Arc::new(AtomicBool::new(false));
    cancel_on_ctrl_c(cancel.clone())?;
    let job = BatchJob::open(input, options).map_err(|e| anyhow::anyhow!("{label}: {e}"))?;
    if !a.quiet {
        eprintln!("{label}: {}", job.layout().describe());
    }
    let screener = if a.no_screen { None } else { Some(load(settings, extra)?) };
    let out: Box<dyn Write> = if to_stdout {
        Box::new(std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock()))
    } else {
        let p = a.output.as_ref().expect("an output path");
        let f = std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?;
        Box::new(std::io::BufWriter::with_capacity(1 << 20, f))
    };
    let stderr_tty = std::io::stderr().is_terminal();
    let mut progress = ProgressLine {
        show: !a.quiet && stderr_tty && !(to_stdout && std::io::stdout().is_terminal()),
        total: size,
        last: None,
        drawn: false,
    };
    let compliance = if a.no_screen { None } else { Some(open_compliance(settings)?) };
    let book = compliance.as_ref().map(|c| c.dispositions.book());
    let caller = cartelscreen::audit::cli_caller();
    let unreferenced = std::sync::atomic::AtomicU64::new(0);
    let register = |mut items: Vec<cartelscreen::store::Monitored>, skipped: u64| -> Result<(), String> {
        unreferenced.fetch_add(skipped, std::sync::atomic::Ordering::Relaxed);
        let Some(c) = &compliance else { return Ok(()) };
        for m in &mut items {
            m.registered_by = caller.clone();
        }
        c.monitor.register(&items).map_err(|e| e.to_string())
    };
    let hooks = cartelscreen::batch::Hooks {
        dispositions: book.as_deref(),
        audit: compliance
            .as_ref()
            .filter(|c| c.audit.enabled())
            .map(|c| (&*c.audit, Origin::new(cli_request_id(), caller.clone(), "cli_batch"))),
        monitor: if a.monitor && compliance.is_some() { Some(&register) } else { None },
    };
    let result = job.run_with(screener.as_ref(), &hooks, out, &cancel, |p| progress.update(p));
    progress.clear();
    let skipped = unreferenced.load(std::sync::atomic::Ordering::Relaxed);
    if a.monitor && skipped > 0 && !a.quiet {
        eprintln!("{skipped} rows without a reference were not registered for monitoring");
    }
    let summary = match result {
        Ok(s) => s,
        Err(BatchError::Write(e)) if to_stdout && e.kind() == std::io::ErrorKind::BrokenPipe => {
            // The reader of our output went away (`| head`): nothing more to say.
            return Ok(ExitCode::SUCCESS);
        }
        Err(e) => bail!("{label}: {e}"),
    };
    if !a.quiet {
        eprintln!("{}", summary.text());
    }
    if let Some(p) = &a.summary_json {
        let mut v = serde_json::to_value(&summary)?;
        v["input"] = serde_json::Value::String(label.clone());
        v["output"] = serde_json::Value::String(match &a.output {
            Some(o) if !to_stdout => o.display().to_string(),
            _ => "stdout".into(),
        });
        let text = serde_json::to_string_pretty(&v)? + "\n";
        std::fs::write(p, text).with_context(|| format!("cannot write {}", p.display()))?;
    }
    if summary.cancelled {
        return Ok(ExitCode::from(130));
    }
    let failed = match a.fail_on.as_deref() {
        Some("review") => summary.alerts > 0,
        Some("block") => summary.decisions.block > 0,
        _ => false,
    };
    Ok(if failed { ExitCode::from(3) } else { ExitCode::SUCCESS })
}
