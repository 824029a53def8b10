//! Batch files in the workspace: `POST /ui/batch` streams the uploaded CSV
//! or spreadsheet to a file under `ui.batch_dir` (never held whole in
//! memory), then screens it in the background with the same engine and
//! audit trail as `POST /v1/batch` (channel `ui`), writing the results to
//! a file. `GET /ui/batch/{id}` shows the progress (rows, rows/s, alerts so
//! far; the page refreshes itself each second, without script) and then
//! the summary; `GET /ui/batch/{id}/result` downloads the results as
//! chosen at upload (CSV with a byte-order mark for Excel, xlsx, or JSON
//! lines). A batch's files are deleted `ui.batch_keep_secs` after it ends.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use maud::{html, Markup};

use super::page::{label_of, or_answer, urlencode, Cx, Early};
use super::session::{random_token, same_token};
use crate::batch::{BatchJob, BatchOptions, Format, Progress, Summary};
use crate::config::Scope;
use crate::http::state::AppState;
use crate::live::rfc3339;
use crate::record::screening::{DispositionPolicy, Recorder};

/// Where one batch stands.
#[derive(Debug, Clone, Default)]
pub struct Status {
    pub rows: u64,
    pub alerts: u64,
    pub errors: u64,
    pub bytes_read: u64,
    pub elapsed: Duration,
    /// Set when it ended: its summary, or why it stopped.
    pub outcome: Option<Result<Summary, String>>,
}

/// One batch of the workspace.
#[derive(Debug)]
pub struct Job {
    pub id: String,
    /// The key that uploaded it; only it (or an administrator) sees it.
    pub owner: String,
    pub file_name: String,
    pub format: Format,
    pub size: u64,
    pub started_at: String,
    dir: PathBuf,
    status: Mutex<Status>,
    ended: Mutex<Option<Instant>>,
    cancel: AtomicBool,
}

impl Job {
    pub fn status(&self) -> Status {
        self.status.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn result_path(&self) -> PathBuf {
        self.dir.join(format!("result.{}", self.format.as_str()))
    }
}

/// The workspace's batches, by id.
#[derive(Debug, Default)]
pub struct Batches {
    jobs: Mutex<HashMap<String, Arc<Job>>>,
}

impl Batches {
    fn get(&self, id: &str) -> Option<Arc<Job>> {
        self.jobs.lock().unwrap_or_else(|p| p.into_inner()).get(id).cloned()
    }

    fn of(&self, owner: &str, all: bool) -> Vec<Arc<Job>> {
        let mut v: Vec<Arc<Job>> = self
            .jobs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .filter(|j| all || j.owner == owner)
            .cloned()
            .collect();
        v.sort_by(|a, b| b.started_at.cmp(&a.started_at));
        v
    }

    /// Forgets the batches that ended more than `keep` ago and deletes
    /// their files.
    fn sweep(&self, keep: Duration) {
        let mut jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
        jobs.retain(|_, j| {
            let ended = *j.ended.lock().unwrap_or_else(|p| p.into_inner());
            let keep_it = ended.is_none_or(|t| t.elapsed() < keep);
            if !keep_it {
                let _ = std::fs::remove_dir_all(&j.dir);
            }
            keep_it
        });
    }
}

fn format_label(f: Format) -> &'static str {
    match f {
        Format::Csv => "CSV (Excel)",
        Format::Xlsx => "Excel (xlsx)",
        Format::Jsonl => "JSON lines",
    }
}

/// `GET /ui/batch`: the upload form and the analyst's batches.
pub async fn page(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let cx = or_answer!(Cx::signed_in(&req, &state, Scope::Screen));
    state.batches.sweep(Duration::from_secs(state.settings.ui.batch_keep_secs));
    let jobs = state.batches.of(&cx.session.key_id, cx.may(Scope::Admin));
    let body = html! {
        h1 { (cx.t("batch.title")) }
        p.intro { (cx.t("batch.intro")) }
        form.upload method="post" action="/ui/batch" enctype="multipart/form-data" {
            (cx.csrf_field())
            div.field {
                label for="format" { (cx.t("batch.format")) }
                select #format name="format" {
                    @for f in [Format::Csv, Format::Xlsx, Format::Jsonl] { option value=(f.as_str()) { (format_label(f)) } }
                }
            }
            div.field.wide {
                label for="file" { (cx.t("batch.file")) }
                input #file type="file" name="file" required accept=".csv,.txt,.tsv,.xlsx,.xls,.ods";
            }
            button #upload type="submit" { (cx.t("batch.submit")) }
        }
        @if !jobs.is_empty() {
            h2 { (cx.t("batch.yours")) }
            ul.jobs { @for j in &jobs {
                li { a href=(format!("/ui/batch/{}", j.id)) { (j.file_name) } " · " (cx.lang.date(&j.started_at)) }
            } }
        }
    };
    cx.page(cx.t("batch.title"), body)
}

/// `POST /ui/batch`: takes the upload (multipart: `csrf`, `format`, then
/// `file`) and starts screening it.
pub async fn upload(req: HttpRequest, state: web::Data<AppState>, payload: web::Payload) -> HttpResponse {
    let cx = or_answer!(Cx::signed_in(&req, &state, Scope::Screen));
    let limit = state.settings.server.max_upload_bytes;
    let Ok(id) = random_token() else {
        return cx.error(StatusCode::INTERNAL_SERVER_ERROR, cx.t("error.random"));
    };
    let id = id[..24].to_string();
    let dir = state.settings.ui.batch_folder().join(&id);
    if let Err(e) = std::fs::create_dir_all(&dir) {
        return cx.error(StatusCode::INTERNAL_SERVER_ERROR, &format!("{}: {e}", cx.t("batch.cannot_store")));
    }
    let input_path = dir.join("input");
    let mut form = actix_multipart::Multipart::new(req.headers(), payload.into_inner());
    let mut csrf_ok = false;
    let mut format = Format::Csv;
    let mut file_name = None;
    let mut size = 0u64;
    let fail = |cx: &Cx, status: StatusCode, msg: String| {
        let _ = std::fs::remove_dir_all(&dir);
        cx.error(status, &msg)
    };
    while let Some(field) = form.next().await {
        let mut field = match field {
            Ok(f) => f,
            Err(e) => return fail(&cx, StatusCode::BAD_REQUEST, format!("{}: {e}", cx.t("batch.bad_upload"))),
        };
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            if !csrf_ok {
                return fail(&cx, StatusCode::FORBIDDEN, cx.t("error.csrf").to_string());
            }
            file_name = Some(
                field
                    .content_disposition()
                    .and_then(|d| d.get_filename())
                    .map(|f| f.chars().filter(|c| !c.is_control()).take(200).collect::<String>())
                    .unwrap_or_else(|| "upload".into()),
            );
            let mut out = match File::create(&input_path) {
                Ok(f) => BufWriter::new(f),
                Err(e) => return fail(&cx, StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
            };
            while let Some(chunk) = field.next().await {
                let chunk = match chunk {
                    Ok(c) => c,
                    Err(e) => return fail(&cx, StatusCode::BAD_REQUEST, format!("{}: {e}", cx.t("batch.bad_upload"))),
                };
                size += chunk.len() as u64;
                if size > limit {
                    return fail(&cx, StatusCode::PAYLOAD_TOO_LARGE, format!("{} {limit}", cx.t("batch.too_large")));
                }
                if let Err(e) = out.write_all(&chunk) {
                    return fail(&cx, StatusCode::INTERNAL_SERVER_ERROR, e.to_string());
                }
            }
            if let Err(e) = out.flush() {
                return fail(&cx, StatusCode::INTERNAL_SERVER_ERROR, e.to_string());
            }
            break;
        }
        let mut value = Vec::new();
        while let Some(chunk) = field.next().await {
            match chunk {
                Ok(c) if value.len() + c.len() <= 256 => value.extend_from_slice(&c),
                _ => return fail(&cx, StatusCode::BAD_REQUEST, cx.t("batch.bad_upload").to_string()),
            }
        }
        let value = String::from_utf8_lossy(&value).to_string();
        match name.as_str() {
            "csrf" => csrf_ok = same_token(&value, &cx.session.csrf),
            "format" => {
                format = match value.as_str() {
                    "xlsx" => Format::Xlsx,
                    "jsonl" => Format::Jsonl,
                    _ => Format::Csv,
                }
            }
            _ => {}
        }
    }
    let Some(file_name) = file_name else {
        return fail(&cx, StatusCode::BAD_REQUEST, cx.t("batch.no_file").to_string());
    };
    let options = BatchOptions { format, ..BatchOptions::default() };
    let opened = File::open(&input_path).map_err(|e| e.to_string()).and_then(|f| {
        BatchJob::open(std::io::BufReader::new(f), options).map_err(|e| format!("{}: {e}", e.code().as_str()))
    });
    let batch = match opened {
        Ok(b) => b,
        Err(e) => return fail(&cx, StatusCode::UNPROCESSABLE_ENTITY, e),
    };
    let job = Arc::new(Job {
        id: id.clone(),
        owner: cx.session.key_id.clone(),
        file_name,
        format,
        size,
        started_at: rfc3339(SystemTime::now()),
        dir,
        status: Mutex::new(Status::default()),
        ended: Mutex::new(None),
        cancel: AtomicBool::new(false),
    });
    state.batches.jobs.lock().unwrap_or_else(|p| p.into_inner()).insert(id.clone(), job.clone());
    let origin = cx.origin();
    let worker = state.clone();
    let metrics = state.metrics.clone();
    std::thread::spawn(move || {
        let generation = worker.lists.current();
        let outcome = File::create(job.result_path()).map_err(|e| e.to_string()).and_then(|f| {
            let recorder = Recorder::new(&worker.records, &generation.screener, origin, DispositionPolicy::Apply);
            let report = |p: &Progress| {
                let mut s = job.status.lock().unwrap_or_else(|p| p.into_inner());
                s.rows = p.rows;
                s.alerts = p.alerts;
                s.errors = p.errors;
                s.bytes_read = p.bytes_read;
                s.elapsed = p.elapsed;
            };
            batch.run(Some(&recorder), None, BufWriter::new(f), &job.cancel, report).map_err(|e| e.to_string())
        });
        if let Ok(summary) = &outcome {
            let d = &summary.decisions;
            metrics.decisions(d.clear, d.review, d.block);
            tracing::info!(target: "ui", batch = %job.id, rows = summary.rows, errors = summary.errors, "batch screened");
        }
        let mut s = job.status.lock().unwrap_or_else(|p| p.into_inner());
        if let Ok(summary) = &outcome {
            s.rows = summary.rows;
            s.alerts = summary.alerts;
            s.errors = summary.errors;
        }
        s.outcome = Some(outcome);
        *job.ended.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
    });
    HttpResponse::SeeOther().insert_header((header::LOCATION, format!("/ui/batch/{id}"))).finish()
}

fn job_of(cx: &Cx, state: &AppState, id: &str) -> Result<Arc<Job>, Early> {
    match state.batches.get(id) {
        Some(j) if j.owner == cx.session.key_id || cx.may(Scope::Admin) => Ok(j),
        _ => Err(Box::new(cx.error(StatusCode::NOT_FOUND, cx.t("batch.none")))),
    }
}

/// `GET /ui/batch/{id}`: progress, then the summary and the download.
pub async fn status(req: HttpRequest, state: web::Data<AppState>, id: web::Path<String>) -> HttpResponse {
    let cx = or_answer!(Cx::signed_in(&req, &state, Scope::Screen));
    let job = or_answer!(job_of(&cx, &state, &id));
    let s = job.status();
    let running = s.outcome.is_none();
    let rate = if s.elapsed.as_secs_f64() > 0.0 { s.rows as f64 / s.elapsed.as_secs_f64() } else { 0.0 };
    let body = html! {
        h1 { (cx.t("batch.title")) ": " (job.file_name) }
        @if running {
            p #batch-state data-state="running" { (cx.t("batch.running")) }
            progress #batch-progress max=(job.size.max(1)) value=(s.bytes_read.min(job.size)) { (s.bytes_read) }
        }
        dl.facts #batch-counts {
            dt { (cx.t("batch.rows")) } dd #batch-rows { (cx.lang.int(s.rows)) }
            dt { (cx.t("batch.rate")) } dd { (cx.lang.int(rate as u64)) }
            dt { (cx.t("batch.alerts")) } dd #batch-alerts { (cx.lang.int(s.alerts)) }
            dt { (cx.t("batch.errors")) } dd { (cx.lang.int(s.errors)) }
        }
        @match &s.outcome {
            Some(Ok(summary)) => (summary_view(&cx, &job, summary)),
            Some(Err(e)) => p.error #batch-state data-state="failed" role="alert" { (cx.t("batch.failed")) ": " (e) },
            None => p.note { (cx.t("batch.refresh")) },
        }
    };
    let mut resp = cx.page(cx.t("batch.title"), body);
    if running {
        resp.headers_mut().insert(header::REFRESH, header::HeaderValue::from_static("1"));
    }
    resp
}

fn summary_view(cx: &Cx, job: &Job, s: &Summary) -> Markup {
    let d = &s.decisions;
    html! {
        p #batch-state data-state="done" { (cx.t("batch.done")) }
        p { a.download #download href=(format!("/ui/batch/{}/result", urlencode(&job.id))) download {
            (cx.t("batch.download")) " — " (format_label(job.format)) } }
        h2 { (cx.t("batch.by_decision")) }
        table #by-decision { tbody {
            @for (k, n) in [("clear", d.clear), ("review", d.review), ("block", d.block), ("error", d.error)] {
                tr data-decision=(k) { th scope="row" { (label_of(cx.lang, "decision", k)) } td.num { (cx.lang.int(n)) } }
            }
        } }
        @if !s.cartels.is_empty() {
            h2 { (cx.t("batch.by_cartel")) }
            table #by-cartel { tbody { @for (c, n) in &s.cartels { tr { th scope="row" { (c) } td.num { (cx.lang.int(*n)) } } } } }
        }
        h2 { (cx.t("batch.file_read")) }
        dl.facts {
            dt { (cx.t("batch.encoding")) } dd { (s.encoding) " · " (s.delimiter) " · " (s.source) }
            dt { (cx.t("batch.lines")) } dd { (cx.lang.int(s.lines)) }
            dt { (cx.t("batch.warnings")) } dd { (cx.lang.int(s.warnings)) }
            dt { (cx.t("batch.errors")) } dd { (cx.lang.int(s.errors)) }
        }
        @if !s.error_samples.is_empty() || !s.warning_samples.is_empty() {
            ul.samples { @for e in s.error_samples.iter().chain(&s.warning_samples) {
                li { (serde_json::to_string(e).unwrap_or_default()) }
            } }
        }
    }
}

/// `GET /ui/batch/{id}/result`: the results file, streamed from disk.
pub async fn result(req: HttpRequest, state: web::Data<AppState>, id: web::Path<String>) -> HttpResponse {
    let cx = or_answer!(Cx::signed_in(&req, &state, Scope::Screen));
    let job = or_answer!(job_of(&cx, &state, &id));
    if !matches!(job.status().outcome, Some(Ok(_))) {
        return cx.error(StatusCode::CONFLICT, cx.t("batch.not_ready"));
    }
    let file = match actix_files::NamedFile::open(job.result_path()) {
        Ok(f) => f,
        Err(e) => return cx.error(StatusCode::GONE, &e.to_string()),
    };
    let stem = job.file_name.rsplit_once('.').map_or(job.file_name.as_str(), |(s, _)| s);
    let name = format!("{stem}-screened.{}", job.format.as_str());
    let mime = match job.format {
        Format::Csv => "text/csv; charset=utf-8",
        Format::Jsonl => "application/x-ndjson",
        Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    };
    let mut resp = file.use_etag(false).use_last_modified(false).into_response(&req);
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, header::HeaderValue::from_static(mime));
    let disposition = format!("attachment; filename=\"{}\"", name.replace(['"', '\\'], "_"));
    if let Ok(v) = header::HeaderValue::from_str(&disposition.chars().filter(|c| c.is_ascii()).collect::<String>()) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, header::HeaderValue::from_static("nosniff"));
    resp
}
