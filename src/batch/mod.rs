//! Batch screening of counterparty files: CSV in, CSV or JSON lines out, one
//! output row per input row, in input order, at the speed of every core.
//!
//! [`BatchJob::open`] reads just enough of the input to know its encoding
//! ([`input`]), its delimiter and its header, and maps the header's columns
//! ([`columns`]); a file without a name column is refused there, before any
//! output. [`BatchJob::run`] then streams the rest:
//!
//! ```text
//! reader thread ──chunks of raw rows──▶ caller's thread: decode, check and screen
//!   (CSV parsing)   (bounded channel)    the chunk in parallel (rayon), write it
//!                                        whole, flush, call the chunk hook
//! ```
//!
//! Memory stays bounded whatever the file's size: at most
//! [`BatchOptions::read_ahead`] chunks wait between the reader and the
//! screening, a row longer than [`BatchOptions::max_record_bytes`] stops the
//! run (an unclosed quote would otherwise swallow the rest of the file), and
//! the output of a chunk is written before the next is screened.
//!
//! The cancel flag is checked between chunks: a cancelled run returns its
//! [`Summary`] with `cancelled` set, and the output holds whole rows only.
//! Writing happens on the caller's thread, so the writer needs no `Send`;
//! the reader moves to its own thread, so the input must be `Send +
//! 'static`. Nothing here knows HTTP: a web handler runs [`BatchJob::run`]
//! on a blocking thread with a writer that forwards each flushed chunk.
//!
//! Rows that cannot be screened (empty name, bad bytes, wrong field count,
//! bad date of birth...) get `decision=error` and the reason in `error`; the
//! run goes on.

pub mod columns;
pub mod input;
pub mod output;
pub mod row;
pub mod summary;

use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

pub use columns::{ColumnMap, ColumnOverrides, MappingError};
pub use input::{Encoding, EncodingChoice};
pub use output::{Format, RowResult, RESULT_COLUMNS};
pub use summary::{Decisions, ErrorSample, Summary, Tally};

use crate::error::Code;
use crate::record::screening::{Recorder, Subject};
use crate::record::store::{AuditRecord, Monitored};
use input::{Counting, FieldDecoder, Guard, RecordTooLong};
use output::RowWriter;
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
    /// A row longer than this stops the run (see [`BatchError::Input`]).
    pub max_record_bytes: u64,
    /// Start CSV output with a UTF-8 byte-order mark (for Excel).
    pub bom: bool,
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
            bom: false,
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
    pub encoding: Encoding,
    pub delimiter: u8,
    /// The header row, decoded (a byte-order mark removed).
    pub headers: Vec<String>,
    pub columns: ColumnMap,
}

impl Layout {
    /// One line for a person: encoding, delimiter and columns used.
    pub fn describe(&self) -> String {
        let cols: Vec<String> =
            self.columns.describe(&self.headers).into_iter().map(|(f, h)| format!("{f} ← {}", h.join(" / "))).collect();
        format!(
            "{}, delimiter '{}', {} columns: {}",
            self.encoding.as_str(),
            input::delimiter_label(self.delimiter),
            self.headers.len(),
            cols.join("; ")
        )
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

/// A batch whose input has been opened and understood, ready to run.
pub struct BatchJob {
    layout: Layout,
    options: BatchOptions,
    json_keys: Vec<String>,
    decoder: FieldDecoder,
    reader: csv::Reader<Guard<Stream>>,
    limit: Arc<AtomicU64>,
    bytes_read: Arc<AtomicU64>,
}

enum Msg {
    Rows(Vec<RawRow>),
    End,
    Failed { line: u64, message: String },
}

fn too_long(e: &csv::Error) -> bool {
    match e.kind() {
        csv::ErrorKind::Io(io) => io.get_ref().is_some_and(|inner| inner.is::<RecordTooLong>()),
        _ => false,
    }
}

impl BatchJob {
    /// Detects the encoding and the delimiter (unless given), reads the
    /// header and maps its columns. Reads at most about a megabyte.
    pub fn open<R: Read + Send + 'static>(input: R, options: BatchOptions) -> Result<BatchJob, BatchError> {
        let bytes_read = Arc::new(AtomicU64::new(0));
        let mut raw = Counting { inner: input, count: bytes_read.clone() };
        let prefix = input::read_prefix(&mut raw, input::SNIFF_BYTES).map_err(BatchError::Read)?;
        let complete = prefix.len() < input::SNIFF_BYTES;
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
                let head = input::read_prefix(&mut stream, input::HEADER_PEEK_BYTES).map_err(BatchError::Read)?;
                (input::detect_delimiter(&head), Box::new(input::unread(head, 0, stream)))
            }
        };
        let limit = Arc::new(AtomicU64::new(options.max_record_bytes + READ_BUFFER as u64));
        let guard = Guard::new(stream, limit.clone());
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .buffer_capacity(READ_BUFFER)
            .from_reader(guard);
        let mut header = csv::ByteRecord::new();
        match reader.read_byte_record(&mut header) {
            Ok(true) => {}
            Ok(false) => return Err(BatchError::Empty),
            Err(e) if too_long(&e) => {
                return Err(BatchError::Input {
                    line: 1,
                    message: format!("the header runs past {} bytes (an unclosed quote?)", options.max_record_bytes),
                    rows: 0,
                })
            }
            Err(e) => return Err(BatchError::Read(io::Error::other(e.to_string()))),
        }
        let decoder = sniffed.encoding.field_decoder();
        // A header in another encoding than the one forced is still read
        // (as Windows-1252): its rows will say what is wrong with them.
        let header_decoder = match decoder {
            FieldDecoder::Utf8 => FieldDecoder::Utf8OrWindows1252,
            other => other,
        };
        let headers: Vec<String> = header.iter().map(|b| header_decoder.decode(b).0.into_owned()).collect();
        let columns = ColumnMap::build(&headers, &options.columns)?;
        let json_keys = output::json_keys(&headers);
        Ok(BatchJob {
            layout: Layout { encoding: sniffed.encoding, delimiter, headers, columns },
            options,
            json_keys,
            decoder,
            reader,
            limit,
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
        let BatchJob { layout, options, json_keys, decoder, reader, limit, bytes_read } = self;
        let width = layout.headers.len();
        if options.format == Format::Csv {
            let mut head = Vec::new();
            if options.bom {
                head.extend_from_slice("\u{feff}".as_bytes());
            }
            head.extend(output::csv_header(&layout.headers).map_err(BatchError::Write)?);
            output.write_all(&head).and_then(|_| output.flush()).map_err(BatchError::Write)?;
        }
        let (tx, rx) = mpsc::sync_channel::<Msg>(options.read_ahead.max(1));
        let chunk_rows = options.chunk_rows.max(1);
        let max_record = options.max_record_bytes;
        // Detached: when the run stops early the thread ends at its next
        // send (or, blocked on a read, with its input).
        std::thread::Builder::new()
            .name("batch-reader".into())
            .spawn(move || read_rows(reader, limit, max_record, chunk_rows, tx))
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
                    output.write_all(&bytes).and_then(|_| output.flush()).map_err(BatchError::Write)?;
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
                Ok(Msg::End) => break,
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
        output.flush().map_err(BatchError::Write)?;
        if let Some((line, message)) = failure {
            return Err(BatchError::Input { line, message, rows: tally.rows });
        }
        let elapsed = start.elapsed().as_secs_f64();
        let mut s = Summary::from_tally(&tally);
        s.cancelled = cancelled;
        s.screened = recorder.is_some();
        s.elapsed_secs = elapsed;
        s.rows_per_sec = if elapsed > 0.0 { tally.rows as f64 / elapsed } else { 0.0 };
        s.bytes_read = bytes_read.load(Ordering::Relaxed);
        s.encoding = layout.encoding.as_str().to_string();
        s.delimiter = input::delimiter_label(layout.delimiter);
        s.format = match options.format {
            Format::Csv => "csv".into(),
            Format::Jsonl => "jsonl".into(),
        };
        s.columns = layout.columns.describe(&layout.headers).into_iter().collect();
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

/// Parses rows into chunks and sends them, then [`Msg::End`] or
/// [`Msg::Failed`]. Stops when the receiver is gone.
fn read_rows(
    mut reader: csv::Reader<Guard<Stream>>,
    limit: Arc<AtomicU64>,
    max_record: u64,
    chunk_rows: usize,
    tx: SyncSender<Msg>,
) {
    let mut next_row = 1u64;
    loop {
        let mut rows = Vec::with_capacity(chunk_rows);
        let mut done = false;
        while rows.len() < chunk_rows {
            let at = reader.position().byte();
            limit.store(at + max_record + READ_BUFFER as u64, Ordering::Relaxed);
            let mut record = csv::ByteRecord::new();
            match reader.read_byte_record(&mut record) {
                Ok(true) => {
                    let line = reader.get_mut().line_at(at);
                    rows.push(RawRow { row: next_row, line, record });
                    next_row += 1;
                }
                Ok(false) => {
                    done = true;
                    break;
                }
                Err(e) => {
                    let message = if too_long(&e) {
                        format!(
                            "a row runs past {max_record} bytes (an unclosed quote?); nothing from here on was read"
                        )
                    } else {
                        format!("cannot read the input: {e}")
                    };
                    if !rows.is_empty() && tx.send(Msg::Rows(rows)).is_err() {
                        return;
                    }
                    let line = reader.get_mut().line_at(at);
                    let _ = tx.send(Msg::Failed { line, message });
                    return;
                }
            }
        }
        if !rows.is_empty() && tx.send(Msg::Rows(rows)).is_err() {
            return;
        }
        if done {
            let _ = tx.send(Msg::End);
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
                done.bytes = w.into_bytes()?;
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
    fn an_unclosed_quote_stops_the_run_with_bounded_memory() {
        let mut input = b"name\nCJNG\n\"never closed\n".to_vec();
        input.extend(std::iter::repeat_n(b'a', 200_000));
        let options = BatchOptions { max_record_bytes: 100, ..Default::default() };
        let s = screener();
        let mut out = Vec::new();
        let e =
            screen_csv(Some(&s), Cursor::new(input), &mut out, options, &AtomicBool::new(false), |_| {}).unwrap_err();
        match e {
            BatchError::Input { line, rows, .. } => assert_eq!((line, rows), (3, 1)),
            other => panic!("{other}"),
        }
        assert_eq!(rows(std::str::from_utf8(&out).unwrap()).len(), 1);
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
