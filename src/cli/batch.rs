//! `cartelscreen batch`: a customer or supplier file screened row by row,
//! recorded chunk by chunk, with a progress line and a summary.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::Args;

use super::{cli_origin, load, load_quietly, open_records};
use cartelscreen::config::Settings;
use cartelscreen::record::screening::{DispositionPolicy, Recorder};

/// `batch` options.
#[derive(Args, Debug)]
pub struct BatchArgs {
    /// The file to screen: CSV (or TSV, any delimiter), or a spreadsheet
    /// (.xlsx, .xls, .ods), told apart by its content; `-` for standard input.
    #[arg(value_name = "INPUT")]
    pub input: PathBuf,
    /// Where to write the results (standard output when omitted or `-`).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Output format: csv, jsonl or xlsx.
    #[arg(long, default_value = "csv", value_name = "FORMAT")]
    pub format: cartelscreen::batch::Format,
    /// The sheet of a spreadsheet to read (the first when omitted).
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Skip N lines (sheet rows) above the header, whatever they hold; when
    /// omitted, title rows above the header are found and skipped.
    #[arg(long, value_name = "N")]
    pub skip_rows: Option<u64>,
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
    /// Exit 3 when any row reaches this decision (review: review or block;
    /// error: a row that could not be screened).
    #[arg(long, value_name = "DECISION", value_parser = ["review", "block", "error"])]
    pub fail_on: Option<String>,
    /// Also write the summary as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub summary_json: Option<PathBuf>,
    /// Start the CSV output with a UTF-8 byte-order mark, for Excel (the
    /// default when the input was Windows-1252, Latin-1 or a spreadsheet).
    #[arg(long, conflicts_with = "no_bom")]
    pub bom: bool,
    /// No byte-order mark at the start of the CSV output, whatever the input.
    #[arg(long)]
    pub no_bom: bool,
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

/// Screens the file.
pub fn run(settings: &Settings, extra: &[PathBuf], a: BatchArgs) -> Result<ExitCode> {
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
            bail!("{} is a folder, not a file to screen", a.input.display());
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
        bom: match (a.bom, a.no_bom) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        },
        sheet: a.sheet.clone(),
        skip_rows: a.skip_rows,
        ..BatchOptions::default()
    };
    if a.format == cartelscreen::batch::Format::Xlsx && to_stdout && std::io::stdout().is_terminal() {
        bail!("an xlsx workbook is not for the terminal: write it to a file with -o FILE.xlsx");
    }
    let cancel = Arc::new(AtomicBool::new(false));
    cancel_on_ctrl_c(cancel.clone())?;
    let job = BatchJob::open(input, options).map_err(|e| anyhow::anyhow!("{label}: {e}"))?;
    if !a.quiet {
        eprintln!("{label}: {}", job.layout().describe());
    }
    let screener = match (a.no_screen, a.quiet) {
        (true, _) => None,
        (false, false) => Some(load(settings, extra)?),
        (false, true) => Some(load_quietly(settings, extra)?),
    };
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
    let records = if a.no_screen { None } else { Some(open_records(settings)?) };
    let caller = cartelscreen::record::audit::cli_caller();
    let unreferenced = std::sync::atomic::AtomicU64::new(0);
    let register = |mut items: Vec<cartelscreen::record::store::Monitored>, skipped: u64| -> Result<(), String> {
        unreferenced.fetch_add(skipped, std::sync::atomic::Ordering::Relaxed);
        let Some(r) = &records else { return Ok(()) };
        for m in &mut items {
            m.registered_by = caller.clone();
        }
        r.register_monitored(&items).map_err(|e| e.to_string())
    };
    let recorder = match (&screener, &records) {
        (Some(s), Some(r)) => Some(Recorder::new(r, s, cli_origin("cli_batch"), DispositionPolicy::Apply)),
        _ => None,
    };
    let register =
        if a.monitor && records.is_some() { Some(&register as cartelscreen::batch::Register<'_>) } else { None };
    let result = job.run(recorder.as_ref(), register, out, &cancel, |p| progress.update(p));
    progress.clear();
    let skipped = unreferenced.load(std::sync::atomic::Ordering::Relaxed);
    if a.monitor && skipped > 0 && !a.quiet {
        eprintln!("{skipped} rows without a reference were not registered for monitoring");
    }
    let mut summary = match result {
        Ok(s) => s,
        Err(BatchError::Write(e)) if to_stdout && e.kind() == std::io::ErrorKind::BrokenPipe => {
            // The reader of our output went away (`| head`): nothing more to say.
            return Ok(ExitCode::SUCCESS);
        }
        Err(e) => bail!("{label}: {e}"),
    };
    if let Some(s) = &screener {
        summary.lists = cartelscreen::lists::list_refs(s.lists(), cartelscreen::engine::model::today_days());
        summary.list_flags = cartelscreen::record::screening::list_flags(s, settings.lists.max_age_days);
    }
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
        Some("error") => summary.errors > 0,
        _ => false,
    };
    Ok(if failed { ExitCode::from(3) } else { ExitCode::SUCCESS })
}
