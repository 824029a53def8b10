//! `POST /v1/batch`: a whole CSV file screened as it streams in, or a
//! spreadsheet (xlsx, xls, ods).
//!
//! The body (raw `text/csv`, a spreadsheet's own content type, or the first
//! file of a `multipart/form-data` upload) is pumped chunk by chunk into a
//! bounded channel that the batch engine reads as an ordinary `Read` on its
//! own thread; the screened rows come back through another bounded channel
//! and leave as the response body while the upload is still arriving. For a
//! CSV file neither side ever holds the file: the channels bound memory
//! whatever the size. A spreadsheet is a compressed archive (or a compound
//! file) that can only be read whole: it is held in memory, within
//! `server.max_upload_bytes`, and an xlsx result is sent whole at the end.
//! What the body is, is told from its content, not from the content type:
//! a file that is neither text nor a spreadsheet is refused
//! (`unsupported_file`) before any row. If the client goes away, the next
//! write fails and the run stops.
//!
//! Errors found before the first row is screened (empty file, no name
//! column, unknown options) are ordinary JSON errors. A failure after the
//! response started (a row past the size limit, a broken upload) can only
//! cut the response short: the body then ends without its final chunk, which
//! every HTTP client reports as an incomplete transfer.

use std::io::{self, Read, Write};
use std::sync::atomic::AtomicBool;

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde::Deserialize;
use tokio::sync::mpsc;

use crate::batch::{BatchError, BatchJob, BatchOptions, ColumnOverrides, EncodingChoice, Format};
use crate::error::Code;
use crate::http::auth::ScreenAccess;
use crate::http::error::ApiError;
use crate::http::state::AppState;
use crate::record::screening::{DispositionPolicy, Recorder};

/// Upload chunks waiting for the reader; about a megabyte in flight.
const INPUT_QUEUE: usize = 16;
/// Screened chunks waiting for the client.
const OUTPUT_QUEUE: usize = 4;

/// The xlsx content type.
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Options in the query string; the same as the CLI's flags.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct BatchParams {
    /// `csv` (default), `jsonl` or `xlsx`; `Accept: application/x-ndjson` also asks for JSON
    /// lines, and `Accept` with the xlsx content type for xlsx.
    pub format: Option<String>,
    /// The sheet of a spreadsheet upload to read (the first when absent).
    pub sheet: Option<String>,
    /// Lines (sheet rows) above the header to skip, whatever they hold; when absent, title
    /// rows above the header are found and skipped.
    pub skip_rows: Option<u64>,
    /// Start CSV output with a UTF-8 byte-order mark; when absent, yes for a Windows-1252 or
    /// Latin-1 file or a spreadsheet.
    pub bom: Option<bool>,
    /// `auto` (default), `utf-8`, `windows-1252` or `latin-1`.
    pub encoding: Option<String>,
    /// `,`, `;`, `tab` or `|`; detected from the header when absent.
    pub delimiter: Option<String>,
    pub name_col: Option<String>,
    pub type_col: Option<String>,
    pub country_col: Option<String>,
    pub dob_col: Option<String>,
    /// Identifier columns, comma-separated.
    pub id_col: Option<String>,
    pub address_col: Option<String>,
    pub ref_col: Option<String>,
}

impl BatchParams {
    fn options(&self, accept: Option<Format>) -> Result<BatchOptions, ApiError> {
        let bad = |m: String| ApiError::new(Code::InvalidOption, m);
        // An empty parameter is a parameter not given.
        let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
        let format = match given(&self.format) {
            Some(f) => f.parse::<Format>().map_err(bad)?,
            None => accept.unwrap_or(Format::Csv),
        };
        let encoding = match given(&self.encoding) {
            Some(e) => e.parse::<EncodingChoice>().map_err(bad)?,
            None => EncodingChoice::Auto,
        };
        let delimiter = match self.delimiter.as_deref().filter(|d| !d.is_empty()) {
            Some(d) => Some(crate::batch::input::parse_delimiter(d).map_err(bad)?),
            None => None,
        };
        let columns = ColumnOverrides {
            name: given(&self.name_col),
            // `""` names no column (as on the command line).
            kind: self.type_col.clone(),
            country: self.country_col.clone(),
            dob: self.dob_col.clone(),
            ids: self
                .id_col
                .as_deref()
                .map(|s| s.split(',').map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect())
                .unwrap_or_default(),
            address: self.address_col.clone(),
            reference: self.ref_col.clone(),
        };
        let o = BatchOptions {
            format,
            encoding,
            delimiter,
            columns,
            bom: self.bom,
            sheet: given(&self.sheet),
            skip_rows: self.skip_rows,
            ..BatchOptions::default()
        };
        Ok(o)
    }
}

/// The upload as a blocking `Read`, fed by the async pump.
struct UploadReader {
    rx: mpsc::Receiver<io::Result<Bytes>>,
    current: Bytes,
}

impl Read for UploadReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.current.is_empty() {
            match self.rx.blocking_recv() {
                Some(Ok(b)) => self.current = b,
                Some(Err(e)) => return Err(e),
                None => return Ok(0),
            }
        }
        let n = out.len().min(self.current.len());
        out[..n].copy_from_slice(&self.current[..n]);
        let _ = self.current.split_to(n);
        Ok(n)
    }
}

/// The response body as a blocking `Write`: each flush sends what was
/// written (the engine flushes after every whole chunk of rows).
struct ResponseWriter {
    tx: mpsc::Sender<io::Result<Bytes>>,
    buf: Vec<u8>,
}

impl Write for ResponseWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::take(&mut self.buf));
        self.tx.blocking_send(Ok(chunk)).map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))
    }
}

fn batch_error(e: BatchError) -> ApiError {
    ApiError::new(e.code(), e.to_string())
}

fn too_large(limit: u64) -> ApiError {
    ApiError::new(Code::PayloadTooLarge, format!("the upload is over the limit of {limit} bytes"))
}

/// Feeds a byte stream into the reader's channel, up to `limit` bytes.
async fn pump<S, E>(mut stream: S, tx: mpsc::Sender<io::Result<Bytes>>, limit: u64)
where
    S: futures_util::Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let mut total = 0u64;
    while let Some(chunk) = stream.next().await {
        let item = match chunk {
            Ok(b) => {
                total += b.len() as u64;
                if total > limit {
                    Err(io::Error::other(format!("the upload is over the limit of {limit} bytes")))
                } else {
                    Ok(b)
                }
            }
            Err(e) => Err(io::Error::other(format!("the upload broke off: {e}"))),
        };
        let stop = item.is_err();
        if tx.send(item).await.is_err() || stop {
            return;
        }
    }
}

/// A multipart upload: the file to screen.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct BatchUpload {
    /// The file: CSV (any delimiter, UTF-8, Windows-1252, Latin-1 or UTF-16) or a spreadsheet
    /// (xlsx, xls, ods). The first part with a file name (or the part named `file`) is read.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// Screen a file: one output row per input row, in order, streamed back.
#[utoipa::path(post, path = "/v1/batch", tag = "screening", params(BatchParams),
    request_body(description = "The file to screen: CSV as the body, a spreadsheet as the body with its content type, or a multipart/form-data upload whose first file part is the file. The content decides how it is read; anything that is neither text nor a spreadsheet is refused (415 unsupported_file).",
        content(
            (BatchUpload = "multipart/form-data"),
            (String = "text/csv"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (Vec<u8> = "application/vnd.ms-excel"),
            (Vec<u8> = "application/vnd.oasis.opendocument.spreadsheet"),
        )),
    responses((status = 200, description = "The screened rows: the input columns then decision, score, top_match_id, top_match_name, matched_name, cartel, cartel_basis, flags, match_count, explanation, error, warnings",
                   content(("text/csv"), ("application/x-ndjson"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
              (status = 413, body = crate::http::error::ErrorBody), (status = 415, body = crate::http::error::ErrorBody),
              (status = 422, body = crate::http::error::ErrorBody)),
    security(("api_key" = ["screen"])))]
pub async fn batch(
    access: ScreenAccess,
    state: web::Data<AppState>,
    req: HttpRequest,
    params: web::Query<BatchParams>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let limit = state.settings.server.max_upload_bytes;
    if let Some(len) = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok()) {
        if len > limit {
            return Err(too_large(limit));
        }
    }
    let accept = req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).and_then(|v| {
        if v.contains("application/x-ndjson") || v.contains("application/jsonl") {
            Some(Format::Jsonl)
        } else if v.contains(XLSX) {
            Some(Format::Xlsx)
        } else {
            None
        }
    });
    let options = params.options(accept)?;
    let format = options.format;
    let mime = req.mime_type().ok().flatten();
    let (in_tx, in_rx) = mpsc::channel::<io::Result<Bytes>>(INPUT_QUEUE);
    match mime.as_ref().map(|m| (m.type_().as_str(), m.subtype().as_str())) {
        Some(("multipart", "form-data")) => {
            let mut form = actix_multipart::Multipart::new(req.headers(), payload.into_inner());
            actix_web::rt::spawn(async move {
                // The first part that carries a file name (or the first part) is the CSV.
                while let Some(field) = form.next().await {
                    match field {
                        Ok(field) => {
                            let is_file = field.content_disposition().and_then(|d| d.get_filename()).is_some();
                            let named_file = field.name() == Some("file");
                            if is_file || named_file {
                                pump(field, in_tx, limit).await;
                                return;
                            }
                        }
                        Err(e) => {
                            let _ = in_tx.send(Err(io::Error::other(format!("bad multipart upload: {e}")))).await;
                            return;
                        }
                    }
                }
            });
        }
        Some(("text", "csv" | "plain" | "tab-separated-values"))
        | Some((
            "application",
            "csv"
            | "octet-stream"
            | "vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            | "vnd.ms-excel"
            | "vnd.oasis.opendocument.spreadsheet",
        )) => {
            actix_web::rt::spawn(pump(payload, in_tx, limit));
        }
        _ => {
            return Err(ApiError::new(
                Code::UnsupportedMediaType,
                "send the file as text/csv, as a spreadsheet with its content type, or as a multipart/form-data upload",
            ))
        }
    }
    let reader = UploadReader { rx: in_rx, current: Bytes::new() };
    let job = web::block(move || BatchJob::open(reader, options))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?
        .map_err(|e| match e {
            BatchError::Read(io) if io.to_string().contains("over the limit") => too_large(limit),
            other => batch_error(other),
        })?;

    let (out_tx, mut out_rx) = mpsc::channel::<io::Result<Bytes>>(OUTPUT_QUEUE);
    let writer = ResponseWriter { tx: out_tx.clone(), buf: Vec::with_capacity(256 << 10) };
    let generation = state.lists.current();
    let lists_header = lists_header(&generation.screener);
    let metrics = state.metrics.clone();
    let request_id = access.0.request_id.clone();
    let origin = access.0.origin("upload");
    let records = state.records.clone();
    actix_web::rt::spawn(async move {
        let cancel = AtomicBool::new(false);
        let outcome = web::block(move || {
            let recorder = Recorder::new(&records, &generation.screener, origin, DispositionPolicy::Apply);
            job.run(Some(&recorder), None, writer, &cancel, |_| {})
        })
        .await;
        match outcome {
            Ok(Ok(summary)) => {
                let d = &summary.decisions;
                metrics.decisions(d.clear, d.review, d.block);
                tracing::info!(
                    request_id = %request_id,
                    rows = summary.rows,
                    clear = d.clear,
                    review = d.review,
                    block = d.block,
                    errors = summary.errors,
                    rows_per_sec = summary.rows_per_sec as u64,
                    "batch screened"
                );
            }
            Ok(Err(e)) => {
                tracing::warn!(request_id = %request_id, error = %e, "batch stopped");
                // Ends the body without its last chunk: the client sees a cut transfer.
                let _ = out_tx.send(Err(io::Error::other(e.to_string()))).await;
            }
            Err(e) => {
                tracing::error!(request_id = %request_id, error = %e, "batch task failed");
                let _ = out_tx.send(Err(io::Error::other("internal error"))).await;
            }
        }
    });
    let body = futures_util::stream::poll_fn(move |cx| out_rx.poll_recv(cx));
    let mut response = HttpResponse::Ok();
    match format {
        Format::Csv => response.content_type("text/csv; charset=utf-8"),
        Format::Jsonl => response.content_type("application/x-ndjson"),
        Format::Xlsx => response
            .content_type(XLSX)
            .insert_header((header::CONTENT_DISPOSITION, "attachment; filename=\"screened.xlsx\"")),
    };
    response.insert_header((LISTS_HEADER, lists_header));
    Ok(response.streaming(body))
}

/// The header naming the list versions a `/v1/batch` answer was screened
/// against (the rows follow in the body).
pub const LISTS_HEADER: &str = "x-cartelscreen-lists";

/// `dataset; published=YYYY-MM-DD; age_days=N` per list, comma-separated
/// (`partial` added for a partial set), in visible ASCII only.
fn lists_header(screener: &crate::engine::Screener) -> String {
    let refs = crate::lists::list_refs(screener.lists(), crate::engine::model::today_days());
    let text = refs
        .iter()
        .map(|l| {
            let mut s = l.dataset.clone();
            if let Some(p) = &l.published {
                s.push_str(&format!("; published={}", p.get(..10).unwrap_or(p)));
            }
            if let Some(a) = l.age_days {
                s.push_str(&format!("; age_days={a}"));
            }
            if l.partial {
                s.push_str("; partial");
            }
            s
        })
        .collect::<Vec<_>>()
        .join(", ");
    text.chars().filter(|c| c.is_ascii_graphic() || *c == ' ').collect()
}
