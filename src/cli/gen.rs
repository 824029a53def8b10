//! `cartelscreen gen`: deterministic evaluation cases (variants of listed
//! names, counterparties on no list) and counterparty files for `batch`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};

use super::load;
use cartelscreen::config::Settings;

/// `gen` subcommands.
#[derive(Subcommand, Debug)]
pub enum GenCommand {
    /// Variants (typos, OCR errors, homoglyphs, reordering, aliases, legal
    /// forms, identifier-only...) of the Mexican narcotics entries of the
    /// loaded lists, each expecting its entry.
    Variants {
        /// Variants per entry.
        #[arg(long, default_value_t = 21)]
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

/// Runs a `gen` subcommand.
pub fn run(settings: &Settings, extra: &[PathBuf], command: GenCommand) -> Result<ExitCode> {
    use cartelscreen::quality::synth;
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

/// `gen counterparties` options.
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
    pub header: cartelscreen::quality::synth::counterparties::HeaderLang,
    /// Output CSV (stdout when omitted).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

fn gen_counterparties(settings: &Settings, extra: &[PathBuf], a: CounterpartiesArgs) -> Result<ExitCode> {
    use cartelscreen::quality::synth;
    use cartelscreen::quality::synth::counterparties::{write_counterparties, Counterparties};
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
