//! Batch screening of counterparty files: CSV or a spreadsheet (xlsx, xls,
//! ods) in, CSV, JSON lines or xlsx out, one output row per input row, in
//! input order, at the speed of every core.
//!
//! [`BatchJob::open`] reads just enough of the input to know what it is
//! ([`input::detect_kind`]: text, a spreadsheet, or anything else, refused
//! there with its type), its encoding ([`input`]), its delimiter and its
//! header (title rows above it skipped), and maps the header's columns
//! ([`columns`]); a file without a name column is refused there, before any
//! output. A spreadsheet is read whole into memory ([`sheet`]); a CSV file
//! is read line by line ([`lines`]), so that a stray quote costs its own
//! line only. [`BatchJob::run`] then streams the rest:
//!
//! ```text
//! reader thread ──chunks of raw rows──▶ caller's thread: decode, check and screen
//!   (CSV parsing)   (bounded channel)    the chunk in parallel (rayon), write it
//!                                        whole, flush, call the chunk hook
//! ```
//!
//! Memory stays bounded whatever the size of a CSV file: at most
//! [`BatchOptions::read_ahead`] chunks wait between the reader and the
//! screening, a record is never read past
//! [`BatchOptions::max_record_bytes`] (a longer line is reported and
//! skipped), and the output of a chunk is written before the next is
//! screened. An xlsx output is the exception: it is written whole at the
//! end.
//!
//! The cancel flag is checked between chunks: a cancelled run returns its
//! [`Summary`] with `cancelled` set, and the output holds whole rows only.
//! Writing happens on the caller's thread, so the writer needs no `Send`;
//! the reader moves to its own thread, so the input must be `Send +
//! 'static`. Nothing here knows HTTP: a web handler runs [`BatchJob::run`]
//! on a blocking thread with a writer that forwards each flushed chunk.
//!
//! Rows that cannot be screened (empty name, bad bytes, wrong field count,
//! a quote left open on the line...) get `decision=error` and the reason in
//! `error`; the run goes on. Every line of the input is accounted for in the
//! [`Summary`]: before the data, in a row, or blank.

pub mod columns;
pub mod input;
pub mod lines;
pub mod output;
pub mod row;
pub mod sheet;
pub mod summary;

use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

pub use columns::{ColumnMap, ColumnOverrides, MappingError};
pub use input::{Encoding, EncodingChoice, FileKind};
pub use output::{Format, RowResult, RESULT_COLUMNS};
pub use sheet::{SheetError, SheetKind};
pub use summary::{Decisions, ErrorSample, Summary, Tally};

use crate::error::Code;
use crate::record::screening::{Recorder, Subject};
use crate::record::store::{AuditRecord, Monitored};
use input::{Counting, FieldDecoder};
use lines::{Record, Records, Splitter};
use output::{Cell, RowWriter, XlsxOut};
use row::RawRow;

/// How a batch reads and writes.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    pub encoding: EncodingChoice,
    /// `None`: detected from the header line.
    pub delimiter: Option<u8>,
    pub columns: ColumnOverrides,
    pub format: Format,
    /// Rows screened, written and flushed together.
    pub chunk_rows: usize,
    /// Chunks the reader may parse ahead of the screening.
    pub read_ahead: usize,
    /// Bytes a CSV record may span: a quoted field still open past this is
    /// taken as a stray quote, and a longer line is skipped and reported.
    pub max_record_bytes: u64,
    /// Start CSV output with a UTF-8 byte-order mark (for Excel): `None`
    /// decides, yes when the input was Windows-1252, Latin-1 or a
    /// spreadsheet ([`Layout::wants_bom`]).
    pub bom: Option<bool>,
    /// The sheet of a spreadsheet to read (the first when `None`).
    pub sheet: Option<String>,
    /// Lines (sheet rows) above the header to skip, whatever they hold;
    /// `None` finds the header (see [`find_header`]).
    pub skip_rows: Option<u64>,
}

impl Default for BatchOptions {
    fn default() -> Self {
        BatchOptions {
            encoding: EncodingChoice::Auto,
            delimiter: None,
            columns: ColumnOverrides::default(),
            format: Format::Csv,
            chunk_rows: 2048,
            read_ahead: 2,
            max_record_bytes: 1 << 20,
            bom: None,
            sheet: None,
            skip_rows: None,
        }
    }
}

/// Why a batch could not start or could not finish.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error("cannot read the input: {0}")]
    Read(#[source] io::Error),
    #[error("the input is empty: there is no header row")]
    Empty,
    /// Neither text nor a spreadsheet read here; nothing of it was read
    /// past its first bytes, and nothing of it is echoed.
    #[error("this is {0}, not a CSV file or a spreadsheet (xlsx, xls, ods): it was not read")]
    Unsupported(String),
    #[error(transparent)]
    Sheet(#[from] SheetError),
    /// An option that does not fit the input (`--sheet` for a CSV file).
    #[error("{0}")]
    Option(String),
    #[error(transparent)]
    Mapping(#[from] MappingError),
    /// The input broke off mid-way; the rows before it were written whole.
    #[error("line {line}: {message} ({rows} rows were written before it)")]
    Input { line: u64, message: String, rows: u64 },
    #[error("cannot write the output: {0}")]
    Write(#[source] io::Error),
    /// A chunk's records could not be made durable; it was not written.
    #[error("{0}")]
    Audit(String),
}

impl BatchError {
    /// Its code in the table of error codes.
    pub fn code(&self) -> Code {
        match self {
            BatchError::Read(_) => Code::UnreadableInput,
            BatchError::Empty => Code::EmptyInput,
            BatchError::Unsupported(_) => Code::UnsupportedFile,
            BatchError::Sheet(SheetError::UnknownSheet { .. }) => Code::UnknownSheet,
            BatchError::Sheet(_) => Code::UnreadableInput,
            BatchError::Option(_) => Code::InvalidOption,
            BatchError::Mapping(MappingError::NoNameColumn { .. }) => Code::NoNameColumn,
            BatchError::Mapping(MappingError::UnknownColumn { .. }) => Code::UnknownColumn,
            BatchError::Input { .. } => Code::MalformedInput,
            BatchError::Write(_) => Code::WriteFailed,
            BatchError::Audit(_) => Code::AuditUnavailable,
        }
    }

    /// Whether the fault is the input's (or the caller's options), as
    /// opposed to the output's.
    pub fn is_input_fault(&self) -> bool {
        !matches!(self, BatchError::Write(_) | BatchError::Audit(_))
    }
}

/// Registers a chunk's counterparties for monitoring: called with the rows
/// that have a reference and the count of those without.
pub type Register<'a> = &'a (dyn Fn(Vec<Monitored>, u64) -> Result<(), String> + Sync);

/// What was found at the start of the input.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The spreadsheet format read, `None` for CSV.
    pub sheet_kind: Option<SheetKind>,
    /// The sheet read, for a spreadsheet.
    pub sheet: Option<String>,
    /// UTF-8 for a spreadsheet.
    pub encoding: Encoding,
    /// `,` for a spreadsheet (unused).
    pub delimiter: u8,
    /// The header row, decoded (a byte-order mark removed).
    pub headers: Vec<String>,
    pub columns: ColumnMap,
    /// The 1-based line (sheet row) the header starts on.
    pub header_line: u64,
    /// Lines up to the end of the header.
    pub preamble_lines: u64,
    /// Title rows found above the header and skipped.
    pub title_rows: u64,
}

impl Layout {
    /// One line for a person: format, encoding and delimiter or sheet,
    /// where the header is, and the columns used.
    pub fn describe(&self) -> String {
        let cols: Vec<String> =
            self.columns.describe(&self.headers).into_iter().map(|(f, h)| format!("{f} ← {}", h.join(" / "))).collect();
        let what = match (self.sheet_kind, &self.sheet) {
            (Some(k), Some(name)) => format!("{} sheet '{name}'", k.as_str()),
            _ => format!("{}, delimiter '{}'", self.encoding.as_str(), input::delimiter_label(self.delimiter)),
        };
        let header = match (self.header_line, self.title_rows) {
            (1, _) => String::new(),
            (l, 0) => format!(", header on line {l}"),
            (l, n) => format!(", header on line {l} below {n} title row{}", if n == 1 { "" } else { "s" }),
        };
        format!("{what}{header}, {} columns: {}", self.headers.len(), cols.join("; "))
    }

    /// `csv`, or the spreadsheet format read.
    pub fn source(&self) -> &'static str {
        self.sheet_kind.map_or("csv", SheetKind::as_str)
    }

    /// Whether CSV output starts with a byte-order mark unless told: yes
    /// when the input came from Excel's world (Windows-1252 or Latin-1
    /// text, or a spreadsheet), so that Excel opens the output's accents
    /// right.
    pub fn wants_bom(&self) -> bool {
        self.sheet_kind.is_some() || matches!(self.encoding, Encoding::Windows1252 | Encoding::Latin1)
    }
}

/// Where a run is, reported after each chunk is written and flushed.
#[derive(Debug, Clone)]
pub struct Progress {
    pub rows: u64,
    pub alerts: u64,
    pub errors: u64,
    /// Bytes of input read so far (ahead of `rows` by what is buffered).
    pub bytes_read: u64,
    pub elapsed: Duration,
    /// Rows and output bytes of the chunk just written.
    pub chunk_rows: usize,
    pub chunk_bytes: usize,
}

type Stream = Box<dyn Read + Send>;

/// Capacity of the CSV reader's buffer.
const READ_BUFFER: usize = 64 << 10;

/// Rows looked at for the header when no `skip_rows` is given.
pub const HEADER_SEARCH_ROWS: usize = 10;

/// A batch whose input has been opened and understood, ready to run.
pub struct BatchJob {
    layout: Layout,
    options: BatchOptions,
    json_keys: Vec<String>,
    decoder: FieldDecoder,
    records: Box<dyn Records>,
    bytes_read: Arc<AtomicU64>,
}

enum Msg {
    Rows(Vec<RawRow>),
    /// The input ended: its physical lines, and the blank ones at its end.
    End {
        lines: u64,
        trailing_blank: u64,
    },
    Failed {
        line: u64,
        message: String,
    },
}

/// Non-empty cells of a row.
fn filled(cells: &[String]) -> usize {
    cells.iter().filter(|c| !c.trim().is_empty()).count()
}

/// Finds the header row and maps its columns.
///
/// With `skip_rows`, that many lines (sheet rows) are skipped and the next
/// non-blank row is the header. Without, the header is the first of the
/// first [`HEADER_SEARCH_ROWS`] non-blank rows in which a name column is
/// found (by the usual detection, or the column options), provided every
/// row above it has fewer non-empty cells than it: those rows are titles
/// (`Reporte de proveedores al 30/11/2026`) and are skipped. When no row
/// qualifies, the first row is the header and its mapping error is
/// returned. Returns the header's record, its decoded cells, the mapping
/// and the number of title rows.
///
/// # Errors
/// [`BatchError::Empty`] without any row, [`BatchError::Mapping`] when no
/// header is found, [`BatchError::Input`] for a header that cannot be read
/// whole, [`BatchError::Read`] when the input cannot be read.
fn find_header(
    records: &mut dyn Records,
    options: &BatchOptions,
    decoder: FieldDecoder,
) -> Result<(Record, Vec<String>, ColumnMap, u64), BatchError> {
    // A header in another encoding than the one forced is still read (as
    // Windows-1252): its rows will say what is wrong with them.
    let decoder = match decoder {
        FieldDecoder::Utf8 => FieldDecoder::Utf8OrWindows1252,
        other => other,
    };
    let decode = |r: &Record| -> Vec<String> { r.record.iter().map(|b| decoder.decode(b).0.into_owned()).collect() };
    let broken = |r: &Record| BatchError::Input {
        line: r.line,
        message: format!("the header cannot be read: {}", r.fault.as_deref().unwrap_or("")),
        rows: 0,
    };
    if let Some(n) = options.skip_rows {
        records.skip_lines(n).map_err(BatchError::Read)?;
        let header = records.next_record().map_err(BatchError::Read)?.ok_or(BatchError::Empty)?;
        if header.fault.is_some() {
            return Err(broken(&header));
        }
        let cells = decode(&header);
        let map = ColumnMap::build(&cells, &options.columns)?;
        return Ok((header, cells, map, 0));
    }
    let mut above: Vec<usize> = Vec::new();
    let mut first_error: Option<MappingError> = None;
    while above.len() < HEADER_SEARCH_ROWS {
        let Some(r) = records.next_record().map_err(BatchError::Read)? else { break };
        if r.fault.is_some() {
            if above.is_empty() {
                return Err(broken(&r));
            }
            break;
        }
        let cells = decode(&r);
        match ColumnMap::build(&cells, &options.columns) {
            Ok(map) => {
                let n = filled(&cells);
                if above.iter().all(|&a| a < n) {
                    let titles = above.len() as u64;
                    return Ok((r, cells, map, titles));
                }
                break;
            }
            Err(e) => {
                first_error.get_or_insert(e);
                above.push(filled(&cells));
            }
        }
    }
    Err(first_error.map_or(BatchError::Empty, BatchError::Mapping))
}

impl BatchJob {
    /// Tells what the input is ([`input::detect_kind`]), detects the
    /// encoding and the delimiter of a CSV file (unless given) or reads the
    /// sheet of a spreadsheet, finds the header ([`find_header`]) and maps
    /// its columns. Reads at most about a megabyte of a CSV file; a
    /// spreadsheet is read whole.
    ///
    /// # Errors
    /// [`BatchError::Unsupported`] for a file that is neither text nor a
    /// spreadsheet read here (before anything past its first megabyte is
    /// read), [`BatchError::Sheet`] for a workbook that cannot be read or
    /// lacks the sheet asked for, [`BatchError::Option`] for `sheet` with a
    /// CSV file, and the errors of [`find_header`].
    pub fn open<R: Read + Send + 'static>(input: R, options: BatchOptions) -> Result<BatchJob, BatchError> {
        let bytes_read = Arc::new(AtomicU64::new(0));
        let mut raw = Counting { inner: input, count: bytes_read.clone() };
        let mut prefix = input::read_prefix(&mut raw, input::SNIFF_BYTES).map_err(BatchError::Read)?;
        let complete = prefix.len() < input::SNIFF_BYTES;
        let kinds = match input::detect_kind(&prefix) {
            FileKind::Text => None,
            FileKind::Sheet(k) => Some((vec![k], None)),
            FileKind::Container { candidates, description } => Some((candidates, Some(description))),
            FileKind::Other { description } => return Err(BatchError::Unsupported(description)),
        };
        let max_record = usize::try_from(options.max_record_bytes).unwrap_or(usize::MAX);
        let (mut records, sheet_kind, sheet, encoding, delimiter): (Box<dyn Records>, _, _, _, _) = match kinds {
            Some((candidates, container)) => {
                raw.read_to_end(&mut prefix).map_err(BatchError::Read)?;
                let mut found = None;
                let mut last_error = None;
                for k in &candidates {
                    match sheet::open(*k, prefix.clone(), options.sheet.as_deref()) {
                        Ok(ok) => {
                            found = Some((*k, ok));
                            break;
                        }
                        Err(e @ SheetError::UnknownSheet { .. }) => return Err(e.into()),
                        Err(e) => last_error = Some(e),
                    }
                }
                match (found, container, last_error) {
                    (Some((k, (rows, name))), _, _) => (Box::new(rows), Some(k), Some(name), Encoding::Utf8, b','),
                    (None, Some(description), _) => return Err(BatchError::Unsupported(description)),
                    (None, None, Some(e)) => return Err(e.into()),
                    (None, None, None) => return Err(BatchError::Sheet(SheetError::NoSheet)),
                }
            }
            None => {
                if let Some(name) = &options.sheet {
                    return Err(BatchError::Option(format!(
                        "sheet `{name}` was asked for, but the input is a text file, not a spreadsheet"
                    )));
                }
                let sniffed = input::choose_encoding(options.encoding, input::sniff_encoding(&prefix, complete));
                let stream: Stream = match sniffed.encoding {
                    Encoding::Utf16Le | Encoding::Utf16Be => Box::new(input::Utf16ToUtf8::new(
                        input::unread(prefix, sniffed.bom_len, raw),
                        sniffed.encoding == Encoding::Utf16Be,
                    )),
                    _ => Box::new(input::unread(prefix, sniffed.bom_len, raw)),
                };
                let (delimiter, stream): (u8, Stream) = match options.delimiter {
                    Some(d) => (d, stream),
                    None => {
                        let mut stream = stream;
                        let head =
                            input::read_prefix(&mut stream, input::HEADER_PEEK_BYTES).map_err(BatchError::Read)?;
                        let d = input::detect_delimiter(&head, options.skip_rows.unwrap_or(0));
                        (d, Box::new(input::unread(head, 0, stream)))
                    }
                };
                let splitter = Splitter::new(io::BufReader::with_capacity(READ_BUFFER, stream), delimiter, max_record);
                (Box::new(splitter), None, None, sniffed.encoding, delimiter)
            }
        };
        let decoder = encoding.field_decoder();
        let (header, headers, columns, title_rows) = find_header(records.as_mut(), &options, decoder)?;
        records.set_width(headers.len());
        let json_keys = output::json_keys(&headers);
        Ok(BatchJob {
            layout: Layout {
                sheet_kind,
                sheet,
                encoding,
                delimiter,
                headers,
                columns,
                header_line: header.line,
                preamble_lines: header.line + header.span - 1,
                title_rows,
            },
            options,
            json_keys,
            decoder,
            records,
            bytes_read,
        })
    }

    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Bytes of input read so far; shared, so it can be watched while the
    /// run goes on.
    pub fn bytes_read(&self) -> Arc<AtomicU64> {
        self.bytes_read.clone()
    }

    /// Screens every row through `recorder` (or, with none, only reads and
    /// writes them back) into `output`, calling `on_chunk` after each chunk
    /// is written and flushed, until the input ends or `cancel` is set. Each
    /// chunk's audit records are durable, and its counterparties registered
    /// with `register`, before the chunk is written: a row whose result left
    /// is a row on record.
    ///
    /// # Errors
    /// [`BatchError`] when the input breaks off, the output cannot be
    /// written, or the trail cannot record a chunk; the rows written before
    /// are whole.
    pub fn run<W: Write>(
        self,
        recorder: Option<&Recorder<'_>>,
        register: Option<Register<'_>>,
        mut output: W,
        cancel: &AtomicBool,
        mut on_chunk: impl FnMut(&Progress),
    ) -> Result<Summary, BatchError> {
        let start = Instant::now();
        let BatchJob { layout, options, json_keys, decoder, records, bytes_read } = self;
        let width = layout.headers.len();
        let bom = options.bom.unwrap_or_else(|| layout.wants_bom());
        let mut xlsx = None;
        match options.format {
            Format::Csv => {
                let mut head = Vec::new();
                if bom {
                    head.extend_from_slice("\u{feff}".as_bytes());
                }
                head.extend(output::csv_header(&layout.headers).map_err(BatchError::Write)?);
                output.write_all(&head).and_then(|_| output.flush()).map_err(BatchError::Write)?;
            }
            Format::Xlsx => xlsx = Some(XlsxOut::new(&layout.headers).map_err(BatchError::Write)?),
            Format::Jsonl => {}
        }
        let (tx, rx) = mpsc::sync_channel::<Msg>(options.read_ahead.max(1));
        let chunk_rows = options.chunk_rows.max(1);
        // Detached: when the run stops early the thread ends at its next
        // send (or, blocked on a read, with its input).
        std::thread::Builder::new()
            .name("batch-reader".into())
            .spawn(move || read_rows(records, chunk_rows, tx))
            .map_err(BatchError::Read)?;
        let keys = if options.format == Format::Jsonl { &json_keys } else { &layout.headers };
        let ctx = RowContext {
            width,
            decoder,
            map: &layout.columns,
            keys,
            headers: &layout.headers,
            format: options.format,
            recorder,
            register,
        };
        let mut tally = Tally::default();
        let mut cancelled = false;
        let mut failure: Option<(u64, String)> = None;
        let mut end: Option<(u64, u64)> = None;
        loop {
            if cancel.load(Ordering::Relaxed) {
                cancelled = true;
                break;
            }
            match rx.recv_timeout(Duration::from_millis(50)) {
                Ok(Msg::Rows(rows)) => {
                    let done = ctx.chunk(&rows).map_err(BatchError::Write)?;
                    let (bytes, t) = (done.bytes, done.tally);
                    if let Some(records) = recorder.and_then(Recorder::records) {
                        records.commit_blocking(done.records).map_err(|e| BatchError::Audit(e.to_string()))?;
                    }
                    if let Some(register) = register {
                        register(done.monitored, done.unreferenced).map_err(BatchError::Audit)?;
                    }
                    match &mut xlsx {
                        Some(book) => book.append(done.cells).map_err(BatchError::Write)?,
                        None => output.write_all(&bytes).and_then(|_| output.flush()).map_err(BatchError::Write)?,
                    }
                    tally.merge(&t);
                    on_chunk(&Progress {
                        rows: tally.rows,
                        alerts: tally.alerts(),
                        errors: tally.decisions.error,
                        bytes_read: bytes_read.load(Ordering::Relaxed),
                        elapsed: start.elapsed(),
                        chunk_rows: rows.len(),
                        chunk_bytes: bytes.len(),
                    });
                }
                Ok(Msg::End { lines, trailing_blank }) => {
                    end = Some((lines, trailing_blank));
                    break;
                }
                Ok(Msg::Failed { line, message }) => {
                    failure = Some((line, message));
                    break;
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => {
                    failure = Some((0, "the reading thread stopped unexpectedly".into()));
                    break;
                }
            }
        }
        drop(rx);
        if let Some((line, message)) = failure {
            output.flush().map_err(BatchError::Write)?;
            return Err(BatchError::Input { line, message, rows: tally.rows });
        }
        if let Some(book) = xlsx {
            book.save(&mut output).map_err(BatchError::Write)?;
        }
        output.flush().map_err(BatchError::Write)?;
        let elapsed = start.elapsed().as_secs_f64();
        let mut s = Summary::from_tally(&tally);
        s.cancelled = cancelled;
        s.screened = recorder.is_some();
        s.elapsed_secs = elapsed;
        s.rows_per_sec = if elapsed > 0.0 { tally.rows as f64 / elapsed } else { 0.0 };
        s.bytes_read = bytes_read.load(Ordering::Relaxed);
        s.encoding = layout.encoding.as_str().to_string();
        s.delimiter = input::delimiter_label(layout.delimiter);
        s.format = options.format.as_str().into();
        s.columns = layout.columns.describe(&layout.headers).into_iter().collect();
        s.source = layout.source().into();
        s.sheet.clone_from(&layout.sheet);
        s.header_line = layout.header_line;
        s.preamble_lines = layout.preamble_lines;
        s.title_rows = layout.title_rows;
        let (lines, trailing_blank) = end.unwrap_or((0, 0));
        s.blank_lines += trailing_blank;
        // A cancelled run did not read to the end: its lines are those of
        // the rows written.
        s.lines = if cancelled { s.preamble_lines + s.data_lines + s.blank_lines } else { lines };
        Ok(s)
    }
}

/// Opens `input` and runs the whole batch, unrecorded: [`BatchJob::open`]
/// then [`BatchJob::run`] (tools and tests; the service and the command line
/// screen through a recording [`Recorder`]).
///
/// # Errors
/// As [`BatchJob::open`] and [`BatchJob::run`].
pub fn screen_csv<R: Read + Send + 'static, W: Write>(
    screener: Option<&crate::engine::Screener>,
    input: R,
    output: W,
    options: BatchOptions,
    cancel: &AtomicBool,
    on_chunk: impl FnMut(&Progress),
) -> Result<Summary, BatchError> {
    let recorder = screener
        .map(|s| Recorder::unrecorded(s, crate::record::audit::Origin::new("batch", "unrecorded", "cli_batch")));
    BatchJob::open(input, options)?.run(recorder.as_ref(), None, output, cancel, on_chunk)
}

/// Reads rows into chunks and sends them, then [`Msg::End`] or
/// [`Msg::Failed`]. Stops when the receiver is gone.
fn read_rows(mut records: Box<dyn Records>, chunk_rows: usize, tx: SyncSender<Msg>) {
    let mut next_row = 1u64;
    loop {
        let mut rows = Vec::with_capacity(chunk_rows);
        let mut done = false;
        while rows.len() < chunk_rows {
            match records.next_record() {
                Ok(Some(r)) => {
                    rows.push(RawRow::new(next_row, r));
                    next_row += 1;
                }
                Ok(None) => {
                    done = true;
                    break;
                }
                Err(e) => {
                    if !rows.is_empty() && tx.send(Msg::Rows(rows)).is_err() {
                        return;
                    }
                    let line = records.lines() + 1;
                    let _ = tx.send(Msg::Failed { line, message: format!("cannot read the input: {e}") });
                    return;
                }
            }
        }
        if !rows.is_empty() && tx.send(Msg::Rows(rows)).is_err() {
            return;
        }
        if done {
            let _ = tx.send(Msg::End { lines: records.lines(), trailing_blank: records.trailing_blank() });
            return;
        }
    }
}

/// What every row of a run shares.
struct RowContext<'a> {
    width: usize,
    decoder: FieldDecoder,
    map: &'a ColumnMap,
    keys: &'a [String],
    headers: &'a [String],
    format: Format,
    recorder: Option<&'a Recorder<'a>>,
    register: Option<Register<'a>>,
}

/// A chunk screened: its output, its counts, and what the hooks need.
#[derive(Default)]
struct ChunkDone {
    bytes: Vec<u8>,
    /// The rows of an xlsx output.
    cells: Vec<Vec<Cell>>,
    tally: Tally,
    records: Vec<AuditRecord>,
    monitored: Vec<Monitored>,
    unreferenced: u64,
}

impl RowContext<'_> {
    /// The row as submitted, header by header, for the audit record.
    fn subject(&self, raw: &RawRow, fields: &[std::borrow::Cow<'_, str>]) -> serde_json::Value {
        let mut o = serde_json::Map::new();
        o.insert("row".into(), raw.row.into());
        o.insert("line".into(), raw.line.into());
        for (h, f) in self.headers.iter().zip(fields) {
            if !f.is_empty() {
                o.insert(h.clone(), serde_json::Value::String(f.to_string()));
            }
        }
        serde_json::Value::Object(o)
    }

    /// Screens and writes a chunk, in parallel slices kept in order.
    fn chunk(&self, rows: &[RawRow]) -> io::Result<ChunkDone> {
        let slice = (rows.len() / (rayon::current_num_threads() * 8)).clamp(8, 256);
        let at = crate::record::store::now_millis();
        let parts: Vec<io::Result<ChunkDone>> = rows
            .par_chunks(slice)
            .map(|part| {
                let mut w = RowWriter::new(self.format, part.len() * 256);
                let mut done = ChunkDone::default();
                for raw in part {
                    let d = row::decode(raw, self.width, self.decoder, self.map);
                    let reference =
                        self.map.reference.map(|i| d.fields.get(i).map_or("", |f| f.trim())).filter(|r| !r.is_empty());
                    let (r, record) = match (self.recorder, &d.query) {
                        (None, Err(e)) => (RowResult::failed(e.clone()), None),
                        (None, Ok(_)) => (RowResult::default(), None),
                        (Some(rec), Ok((q, warnings))) => {
                            let subject = Subject::item(raw.row as i64, reference, self.subject(raw, &d.fields));
                            let recorded = rec.screen(q, subject);
                            let mut r = match &recorded.outcome {
                                Ok(s) => RowResult::from_screening(&q.name, s),
                                Err(e) => RowResult::failed(e.to_string()),
                            };
                            r.warnings.clone_from(warnings);
                            (r, recorded.record)
                        }
                        (Some(rec), Err(e)) => {
                            let subject = Subject::item(raw.row as i64, reference, self.subject(raw, &d.fields));
                            (RowResult::failed(e.clone()), rec.conclude(subject, Err(e.clone())))
                        }
                    };
                    done.tally.add_row(raw.row, raw.line, &r);
                    done.tally.add_lines(raw.span, raw.blank_before);
                    w.row(self.keys, &d.fields, &r)?;
                    done.records.extend(record);
                    if self.register.is_some() {
                        match (&d.query, reference) {
                            (Ok((q, _)), Some(r)) => done.monitored.push(Monitored {
                                reference: r.to_string(),
                                registered_at: at,
                                registered_by: String::new(),
                                counterparty: crate::record::monitor::counterparty_json(q),
                            }),
                            (Ok(_), None) => done.unreferenced += 1,
                            (Err(_), _) => {}
                        }
                    }
                }
                (done.bytes, done.cells) = w.finish()?;
                Ok(done)
            })
            .collect();
        let mut all = ChunkDone {
            bytes: Vec::with_capacity(parts.iter().map(|p| p.as_ref().map_or(0, |d| d.bytes.len())).sum()),
            ..ChunkDone::default()
        };
        for p in parts {
            let d = p?;
            all.bytes.extend_from_slice(&d.bytes);
            all.cells.extend(d.cells);
            all.tally.merge(&d.tally);
            all.records.extend(d.records);
            all.monitored.extend(d.monitored);
            all.unreferenced += d.unreferenced;
        }
        Ok(all)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Screener;
    use std::io::Cursor;

    fn screener() -> Screener {
        let registry = crate::lists::registry::embedded();
        let lists = vec![registry.list.clone()];
        Screener::build(lists, registry, Default::default())
    }

    fn run_bytes(input: &[u8], options: BatchOptions) -> Result<(String, Summary), BatchError> {
        let s = screener();
        let mut out = Vec::new();
        let cancel = AtomicBool::new(false);
        let summary = screen_csv(Some(&s), Cursor::new(input.to_vec()), &mut out, options, &cancel, |_| {})?;
        Ok((String::from_utf8(out).unwrap(), summary))
    }

    fn rows(out: &str) -> Vec<csv::StringRecord> {
        csv::ReaderBuilder::new().from_reader(out.as_bytes()).records().map(|r| r.unwrap()).collect()
    }

    #[test]
    fn screens_in_order_with_errors_in_place() {
        let input = "id;Razón social;país\r\n1;CJNG;MX\r\n2;;MX\r\n3;\"Panadería\nLa Esperanza\";MX\r\n4;x;y;z\r\n5;Los Zetas;MX\r\n";
        let (out, s) = run_bytes(input.as_bytes(), BatchOptions { chunk_rows: 2, ..Default::default() }).unwrap();
        let rs = rows(&out);
        assert_eq!(rs.len(), 5);
        let ids: Vec<&str> = rs.iter().map(|r| &r[0]).collect();
        assert_eq!(ids, vec!["1", "2", "3", "4", "5"]);
        assert_eq!(&rs[0][3], "block");
        assert_eq!(&rs[0][5], "cs-cjng");
        assert_eq!(&rs[0][8], "CJNG");
        assert_eq!(&rs[1][3], "error");
        assert_eq!(&rs[1][13], "name is empty");
        assert_eq!(&rs[1][14], "");
        assert_eq!(&rs[2][1], "Panadería\nLa Esperanza");
        assert_eq!(&rs[2][3], "clear");
        assert_eq!(&rs[3][3], "error");
        assert!(rs[3][13].contains("4 fields where the header has 3"), "{}", &rs[3][13]);
        assert_eq!(&rs[4][8], "CDN");
        assert_eq!(s.rows, 5);
        assert_eq!(s.decisions, Decisions { clear: 1, review: 0, block: 2, error: 2 });
        assert_eq!(s.delimiter, ";");
        assert_eq!(s.error_samples[0].line, 3);
        assert_eq!(s.error_samples[1].line, 6);
    }

    #[test]
    fn empty_and_header_only() {
        assert!(matches!(run_bytes(b"", BatchOptions::default()), Err(BatchError::Empty)));
        assert!(matches!(run_bytes(b"\xEF\xBB\xBF\n\n", BatchOptions::default()), Err(BatchError::Empty)));
        let (out, s) = run_bytes(b"name,country\n", BatchOptions::default()).unwrap();
        assert_eq!(out, "name,country,decision,score,top_match_id,top_match_name,matched_name,cartel,cartel_basis,flags,match_count,explanation,error,warnings\n");
        assert_eq!(s.rows, 0);
        let e = run_bytes(b"rfc,country\nX,MX\n", BatchOptions::default()).unwrap_err();
        assert_eq!(e.code(), Code::NoNameColumn);
    }

    #[test]
    fn an_unclosed_quote_costs_its_line_with_bounded_memory() {
        let mut input = b"name\nCJNG\n\"never closed\n".to_vec();
        input.extend(std::iter::repeat_n(b'a', 200_000));
        input.extend_from_slice(b"\nLos Zetas\n");
        let options = BatchOptions { max_record_bytes: 100, ..Default::default() };
        let (out, s) = run_bytes(&input, options).unwrap();
        let rs = rows(&out);
        assert_eq!(rs.len(), 4);
        assert_eq!(&rs[0][1], "block");
        assert_eq!(&rs[1][1], "error");
        assert!(rs[1][11].starts_with("unbalanced_quote (line 3)"), "{}", &rs[1][11]);
        assert!(rs[2][11].starts_with("line_too_long (line 4)"), "{}", &rs[2][11]);
        assert_eq!(&rs[3][0], "Los Zetas");
        assert_eq!(&rs[3][1], "block");
        assert_eq!((s.lines, s.preamble_lines, s.data_lines, s.blank_lines), (5, 1, 4, 0));
        assert_eq!(s.unbalanced_quotes, 1);
    }

    #[test]
    fn title_rows_and_skip_rows() {
        let input = "Reporte de proveedores al 30/11/2026\n\nClave;Nombre;País\n1;CJNG;MX\n\n2;Ana;MX\n";
        let (out, s) = run_bytes(input.as_bytes(), BatchOptions::default()).unwrap();
        let rs = rows(&out);
        assert_eq!(rs.len(), 2);
        assert_eq!(&rs[0][3], "block");
        assert_eq!(s.delimiter, ";");
        assert_eq!((s.header_line, s.title_rows, s.preamble_lines), (3, 1, 3));
        assert_eq!((s.lines, s.data_lines, s.blank_lines), (6, 2, 1));
        // Told where the header is, nothing is guessed.
        let (_, s) = run_bytes(input.as_bytes(), BatchOptions { skip_rows: Some(2), ..Default::default() }).unwrap();
        assert_eq!((s.header_line, s.title_rows, s.rows), (3, 0, 2));
        let e = run_bytes(input.as_bytes(), BatchOptions { skip_rows: Some(3), ..Default::default() }).unwrap_err();
        assert_eq!(e.code(), Code::NoNameColumn);
        // A title as wide as the header is not taken for one.
        let e = run_bytes(b"a;b;c\nname;x;y\nCJNG;1;2\n", BatchOptions::default()).unwrap_err();
        assert_eq!(e.code(), Code::NoNameColumn);
    }

    #[test]
    fn other_files_are_refused_before_any_work() {
        for (bytes, what) in [
            (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n".to_vec(), "PDF"),
            (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03".to_vec(), "compressed"),
            ([b"\x7fELF\x02\x01\x01".as_slice(), &[0u8; 64]].concat(), "program"),
            (b"name\n\x00\x01\x02\x03ACME\x00".to_vec(), "binary data"),
            (b"PK\x03\x04not a workbook at all, just bytes".to_vec(), "ZIP"),
        ] {
            let mut out = Vec::new();
            let e = screen_csv(
                None,
                Cursor::new(bytes),
                &mut out,
                BatchOptions::default(),
                &AtomicBool::new(false),
                |_| {},
            )
            .unwrap_err();
            assert_eq!(e.code(), Code::UnsupportedFile, "{e}");
            assert!(e.to_string().contains(what), "{e}");
            assert!(out.is_empty());
        }
        let e =
            run_bytes(b"name\nx\n", BatchOptions { sheet: Some("Hoja1".into()), ..Default::default() }).unwrap_err();
        assert_eq!(e.code(), Code::InvalidOption);
    }

    /// An xlsx workbook: a title, a blank row, the header, persons with
    /// date cells, a listed cartel and an empty row.
    fn workbook() -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let date = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
        let notes = book.add_worksheet();
        notes.set_name("Notas").unwrap();
        notes.write_string(0, 0, "nada aquí").unwrap();
        let sheet = book.add_worksheet();
        sheet.set_name("Proveedores").unwrap();
        sheet.write_string(0, 0, "Reporte de proveedores al 30/11/2026").unwrap();
        for (i, h) in ["Clave", "Nombre", "Fecha de nacimiento", "RFC"].iter().enumerate() {
            sheet.write_string(2, i as u16, *h).unwrap();
        }
        sheet.write_number(3, 0, 101).unwrap();
        sheet.write_string(3, 1, "Cártel de Jalisco Nueva Generación").unwrap();
        sheet.write_number(4, 0, 102).unwrap();
        sheet.write_string(4, 1, "Ana Pérez Ñúñez").unwrap();
        // 24160 is 22/02/1966.
        sheet.write_number_with_format(4, 2, 24160.0, &date).unwrap();
        sheet.write_number(6, 0, 103).unwrap();
        sheet.write_string(6, 1, "Los Zetas").unwrap();
        sheet.write_string(6, 2, "1966-02-31").unwrap();
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn spreadsheets_in_and_out() {
        let options = BatchOptions { sheet: Some("Proveedores".into()), ..Default::default() };
        let (out, s) = run_bytes(&workbook(), options.clone()).unwrap();
        // A BOM for Excel, by default, after a spreadsheet.
        let out = out.strip_prefix('\u{feff}').expect("a BOM");
        let rs = rows(out);
        assert_eq!(rs.len(), 3);
        assert_eq!(&rs[0][0], "101");
        assert_eq!(&rs[0][4], "block");
        assert_eq!(&rs[1][2], "1966-02-22");
        assert_eq!(&rs[1][4], "clear");
        assert_eq!(&rs[1][15], "", "a date cell is a date: no warning");
        assert_eq!(&rs[2][4], "block");
        assert!(rs[2][15].contains("1966-02-31"), "{:?}", &rs[2]);
        assert_eq!((s.source.as_str(), s.sheet.as_deref()), ("xlsx", Some("Proveedores")));
        assert_eq!((s.header_line, s.title_rows, s.lines, s.data_lines, s.blank_lines), (3, 1, 7, 3, 1));
        assert_eq!(s.lines, s.preamble_lines + s.data_lines + s.blank_lines);
        // No BOM when asked.
        let (out, _) = run_bytes(&workbook(), BatchOptions { bom: Some(false), ..options.clone() }).unwrap();
        assert!(out.starts_with("Clave,"));
        // The first sheet by default; an unknown one is named with the others.
        let e = run_bytes(&workbook(), BatchOptions::default()).unwrap_err();
        assert_eq!(e.code(), Code::NoNameColumn);
        let e = run_bytes(&workbook(), BatchOptions { sheet: Some("Hoja9".into()), ..Default::default() }).unwrap_err();
        assert_eq!(e.code(), Code::UnknownSheet);
        assert!(e.to_string().contains("Notas, Proveedores"), "{e}");
        // Out as xlsx, read back.
        let s = screener();
        let mut xlsx = Vec::new();
        let options = BatchOptions { format: Format::Xlsx, ..options };
        screen_csv(Some(&s), Cursor::new(workbook()), &mut xlsx, options, &AtomicBool::new(false), |_| {}).unwrap();
        let (mut back, name) = sheet::open(SheetKind::Xlsx, xlsx, None).unwrap();
        assert_eq!(name, "results");
        let header = back.next_record().unwrap().unwrap();
        assert_eq!(header.record.len(), 4 + RESULT_COLUMNS.len());
        assert_eq!(&header.record[4], b"decision");
        let first = back.next_record().unwrap().unwrap();
        assert_eq!(&first.record[4], b"block");
        assert_eq!(&first.record[5], b"1", "the score is a number");
        let mut n = 1;
        while back.next_record().unwrap().is_some() {
            n += 1;
        }
        assert_eq!(n, 3);
    }

    #[test]
    fn cancel_stops_between_chunks() {
        let mut input = String::from("name\n");
        for i in 0..100 {
            input.push_str(&format!("Counterparty {i}\n"));
        }
        let s = screener();
        let cancel = AtomicBool::new(false);
        let mut out = Vec::new();
        let options = BatchOptions { chunk_rows: 10, read_ahead: 1, ..Default::default() };
        let summary = screen_csv(Some(&s), Cursor::new(input.into_bytes()), &mut out, options, &cancel, |p| {
            if p.rows >= 30 {
                cancel.store(true, Ordering::Relaxed);
            }
        })
        .unwrap();
        assert!(summary.cancelled);
        assert_eq!(summary.rows, 30);
        assert_eq!(rows(std::str::from_utf8(&out).unwrap()).len(), 30);
    }

    #[test]
    fn jsonl_and_no_screening() {
        let input = "\u{feff}name,name\nCJNG,x\n";
        let (out, _) =
            run_bytes(input.as_bytes(), BatchOptions { format: Format::Jsonl, ..Default::default() }).unwrap();
        let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        assert_eq!(v["input"]["name"], "CJNG");
        assert_eq!(v["input"]["name_2"], "x");
        assert_eq!(v["decision"], "block");
        assert_eq!(v["cartel"], "CJNG");
        assert!(v["explanation"].as_str().unwrap().contains("is the CJNG cartel"), "{v}");
        let mut out = Vec::new();
        let s = screen_csv(
            None,
            Cursor::new(b"name\nCJNG\n\n".to_vec()),
            &mut out,
            BatchOptions::default(),
            &AtomicBool::new(false),
            |_| {},
        )
        .unwrap();
        assert!(!s.screened);
        assert_eq!(String::from_utf8(out).unwrap().lines().nth(1), Some("CJNG,,,,,,,,,,,,"));
    }

    #[test]
    fn utf16_input() {
        let text = "nombre\tpaís\nCárteles Unidos\tMéxico\n";
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
        let (out, s) = run_bytes(&bytes, BatchOptions::default()).unwrap();
        assert_eq!(s.encoding, "utf-16le");
        assert_eq!(s.delimiter, "tab");
        let rs = rows(&out);
        assert_eq!(&rs[0][0], "Cárteles Unidos");
        assert_eq!(&rs[0][2], "block");
    }
}
