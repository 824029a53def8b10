//! `cartelscreen lists fetch`: downloading the official exports.
//!
//! Each configured source (`[fetch.sources.<name>]`, file name → URL) is
//! downloaded whole into a fresh staging folder
//! `<data_dir>/.staging-<source>-<pid>-<n>/`, loaded there exactly as the
//! screener would load it ([`crate::lists::load_path`]), and only when it
//! loads is it put in service as `<data_dir>/<source>/`: the folder in
//! service is renamed aside, the staging folder renamed into its place, and
//! the old one deleted. On any failure the old folder is restored and the
//! staging folder deleted, so a broken or partial download never replaces
//! the files in service. Sources are independent: one failing does not stop
//! the others. Folders whose name starts with `.` are never loaded as lists.
//!
//! A download goes through the proxy `lists.proxy` names, else the one
//! `HTTPS_PROXY` / `HTTP_PROXY` (or `ALL_PROXY`) name for its scheme, unless
//! `NO_PROXY` lists its host. Network errors and 5xx/429 answers are retried
//! `fetch.retries` times with a doubling wait. A set that is partial (an
//! OFAC set without one of its files) is refused, and so is one that lost
//! more than `lists.max_shrink_percent` of its entries against the folder in
//! service or the version last accepted, unless the operator accepts it.
//! Beside the files put in service goes a [`crate::lists::FETCH_STAMP`]
//! with the download date, which dates OFAC's undated exports.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::config::FetchSettings;
use crate::engine::model::ListVersion;
use crate::lists::ListError;

/// A download larger than this is refused (the SDN set is ~10 MB).
pub const MAX_FILE_BYTES: u64 = 1 << 30;

/// One downloaded file.
#[derive(Debug, Clone, Serialize)]
pub struct FetchedFile {
    pub name: String,
    pub url: String,
    pub bytes: u64,
    /// sha256 of the file's bytes, hex.
    pub sha256: String,
}

/// What happened to one source.
#[derive(Debug, Clone, Serialize)]
pub struct FetchReport {
    /// The source name: the folder under the data directory.
    pub source: String,
    /// The folder in service for this source.
    pub path: PathBuf,
    /// Whether the new files were put in service.
    pub ok: bool,
    /// Files downloaded (on failure: those downloaded before it).
    pub files: Vec<FetchedFile>,
    /// Total bytes downloaded.
    pub bytes: u64,
    /// The lists the new files hold, as loaded (dataset, version, sha256,
    /// entry counts).
    pub lists: Vec<ListVersion>,
    /// Entries over all lists.
    pub entries: usize,
    /// How many things the loader had to skip or repair.
    pub loader_warnings: usize,
    /// Problems that did not stop the fetch (an old folder left behind).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Why the source failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Whether files of this source were in service before the fetch (and
    /// stay so when it failed).
    pub had_files: bool,
    /// The address being downloaded when it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed_url: Option<String>,
}

impl FetchReport {
    fn new(source: &str, path: PathBuf) -> FetchReport {
        let had_files = path.is_dir();
        FetchReport {
            source: source.to_string(),
            path,
            ok: false,
            files: Vec::new(),
            bytes: 0,
            lists: Vec::new(),
            entries: 0,
            loader_warnings: 0,
            warnings: Vec::new(),
            error: None,
            had_files,
            failed_url: None,
        }
    }

    /// What to do by hand after a failure: which files to download from
    /// where, into which folder.
    pub fn manual_hint(&self, files: &BTreeMap<String, String>) -> String {
        let mut s = format!(
            "download the files by hand into {} (then run `cartelscreen lists show` to check them):",
            self.path.display()
        );
        for (name, url) in files {
            s.push_str(&format!("\n    {name:<18} {url}"));
        }
        s
    }

    /// One line for the terminal.
    pub fn summary(&self) -> String {
        let mut s = format!("{} file(s), {} bytes", self.files.len(), self.bytes);
        for l in &self.lists {
            s.push_str(&format!(
                "; {} {} entries, published {}, sha256 {}",
                l.dataset,
                l.entries,
                l.published.as_deref().unwrap_or("-"),
                &l.sha256[..l.sha256.len().min(12)]
            ));
        }
        if let Some(e) = &self.error {
            s.push_str(&format!("; error: {e}"));
        }
        s
    }
}

/// How a fetch decides beyond the downloads themselves.
#[derive(Debug, Clone, Default)]
pub struct FetchOptions {
    /// `lists.proxy`: every download through this proxy; empty for the
    /// environment's.
    pub proxy: String,
    /// `lists.max_shrink_percent`; `None` checks no shrink.
    pub max_shrink_percent: Option<f64>,
    /// The operator accepts a shrunken list (`--accept-shrink`).
    pub accept_shrink: bool,
    /// The versions last accepted (the monitoring baseline), compared with
    /// as well as the folder in service.
    pub accepted: Vec<ListVersion>,
    /// Fetch only this source.
    pub only: Option<String>,
    /// Stop at the first source that cannot be reached (no answer at all,
    /// as on a machine without network), leaving the others untried: a
    /// start does not wait on each publisher in turn.
    pub stop_when_unreachable: bool,
}

/// Fetches every configured source into `data_dir` with default options
/// (the environment's proxy, no shrink check).
///
/// # Errors
///
/// As [`fetch_source`], for the first source that fails.
pub fn fetch_all(settings: &FetchSettings, data_dir: &Path) -> Result<Vec<FetchReport>, FetchError> {
    fetch_all_with(settings, data_dir, &FetchOptions::default())
}

/// Fetches every configured source that is not disabled (or only
/// `options.only`) into `data_dir`. Each source's outcome is in its report
/// (logged at debug: the caller prints it).
///
/// # Errors
/// [`FetchError::Io`] only, for a data directory that cannot be created.
pub fn fetch_all_with(
    settings: &FetchSettings,
    data_dir: &Path,
    options: &FetchOptions,
) -> Result<Vec<FetchReport>, FetchError> {
    std::fs::create_dir_all(data_dir).map_err(|e| FetchError::Io { path: data_dir.to_path_buf(), source: e })?;
    let mut reports = Vec::with_capacity(settings.sources.len());
    for (name, files) in &settings.sources {
        if settings.disabled.contains(name) || options.only.as_ref().is_some_and(|o| o != name) {
            continue;
        }
        let (report, outcome) = run_source(settings, options, name, files, data_dir);
        let unreachable = match &outcome {
            Err(e) => {
                tracing::debug!(source = %name, error = %e, "fetch failed");
                matches!(e, FetchError::Download { message, .. } if !message.starts_with("HTTP "))
            }
            Ok(()) => {
                tracing::debug!(source = %name, summary = %report.summary(), "fetched");
                false
            }
        };
        reports.push(report);
        if unreachable && options.stop_when_unreachable {
            break;
        }
    }
    Ok(reports)
}

/// Fetches one configured source. On error the files in service are
/// untouched.
///
/// # Errors
///
/// [`FetchError`] when the source is not configured, a download fails, the download is not a whole
/// valid list, or the files cannot be written.
pub fn fetch_source(settings: &FetchSettings, source: &str, data_dir: &Path) -> Result<FetchReport, FetchError> {
    let files = settings.sources.get(source).ok_or_else(|| FetchError::Io {
        path: data_dir.join(source),
        source: std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("no source {source:?} in fetch.sources")),
    })?;
    std::fs::create_dir_all(data_dir).map_err(|e| FetchError::Io { path: data_dir.to_path_buf(), source: e })?;
    let (report, outcome) = run_source(settings, &FetchOptions::default(), source, files, data_dir);
    outcome.map(|()| report)
}

/// The proxy a download of `url` goes through: `configured` when set, else
/// the environment's for the URL's scheme (`HTTPS_PROXY`, `HTTP_PROXY`,
/// then `ALL_PROXY`, in upper or lower case); none when `NO_PROXY` lists the
/// host (`*`, a host name, or a domain suffix such as `.example.com` or
/// `example.com`).
pub fn proxy_for(url: &str, configured: &str, env: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let var = |k: &str| env(k).or_else(|| env(&k.to_ascii_lowercase())).filter(|v| !v.trim().is_empty());
    let (scheme, rest) = url.split_once("://")?;
    let host_port = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = host_port.rsplit_once('@').map(|(_, h)| h).unwrap_or(host_port);
    let host = if let Some(h) = host_port.strip_prefix('[') {
        h.split(']').next().unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    }
    .to_ascii_lowercase();
    if let Some(no) = var("NO_PROXY") {
        for entry in no.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            if entry == "*" {
                return None;
            }
            let e = entry.split(':').next().unwrap_or(entry).trim_start_matches("*.").to_ascii_lowercase();
            let e = e.trim_start_matches('.');
            if host == e || host.ends_with(&format!(".{e}")) {
                return None;
            }
        }
    }
    let configured = configured.trim();
    if !configured.is_empty() {
        return Some(configured.to_string());
    }
    let by_scheme = if scheme.eq_ignore_ascii_case("https") { var("HTTPS_PROXY") } else { var("HTTP_PROXY") };
    by_scheme.or_else(|| var("ALL_PROXY"))
}

fn agent(settings: &FetchSettings, proxy: Option<&str>) -> Result<ureq::Agent, String> {
    let mut b = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(settings.timeout_secs.max(1)))
        .timeout_connect(Duration::from_secs(settings.connect_timeout_secs.max(1)))
        .redirects(5)
        .user_agent(concat!("cartelscreen/", env!("CARGO_PKG_VERSION")))
        // The proxy is chosen here, per address (ureq ignores NO_PROXY).
        .try_proxy_from_env(false);
    if let Some(p) = proxy {
        let proxy = ureq::Proxy::new(p).map_err(|e| format!("proxy {p:?} cannot be used: {e}"))?;
        b = b.proxy(proxy);
    }
    Ok(b.build())
}

fn run_source(
    settings: &FetchSettings,
    options: &FetchOptions,
    name: &str,
    files: &BTreeMap<String, String>,
    data_dir: &Path,
) -> (FetchReport, Result<(), FetchError>) {
    let target = data_dir.join(name);
    let mut report = FetchReport::new(name, target.clone());
    let env = |k: &str| std::env::var(k).ok();
    let fetcher = Fetcher { settings, options, env: &env };
    let outcome = fetch_into(&fetcher, name, files, data_dir, &target, &mut report);
    match &outcome {
        Ok(()) => report.ok = true,
        Err(e) => {
            if let FetchError::Download { url, .. } = e {
                report.failed_url = Some(url.clone());
            }
            report.error = Some(e.to_string());
        }
    }
    (report, outcome)
}

/// What a download needs to know.
struct Fetcher<'a> {
    settings: &'a FetchSettings,
    options: &'a FetchOptions,
    env: &'a dyn Fn(&str) -> Option<String>,
}

impl Fetcher<'_> {
    /// Downloads `url` into `dest`, retrying network errors and 5xx/429
    /// answers with a doubling wait.
    fn download(&self, name: &str, url: &str, dest: &Path) -> Result<FetchedFile, FetchError> {
        let proxy = proxy_for(url, &self.options.proxy, self.env);
        let agent = agent(self.settings, proxy.as_deref())
            .map_err(|message| FetchError::Download { url: url.to_string(), message })?;
        let mut wait = Duration::from_millis(self.settings.retry_backoff_millis);
        let mut attempt = 0;
        loop {
            match download(&agent, name, url, dest) {
                Err(FetchError::Download { url, message })
                    if attempt < self.settings.retries && retryable(&message) =>
                {
                    attempt += 1;
                    tracing::debug!(%url, %message, attempt, "download failed; retrying");
                    let _ = std::fs::remove_file(dest);
                    std::thread::sleep(wait);
                    wait = wait.saturating_mul(2);
                }
                Err(FetchError::Download { url, message }) => {
                    let via = match &proxy {
                        Some(p) => format!(" (through the proxy {})", redact(p)),
                        None => String::new(),
                    };
                    let tries = if attempt > 0 { format!(" after {} attempts", attempt + 1) } else { String::new() };
                    return Err(FetchError::Download { url, message: format!("{message}{via}{tries}") });
                }
                other => return other,
            }
        }
    }
}

/// Whether a download failure may pass on its own: not a 4xx answer (bar
/// 429), not a file too large or empty.
fn retryable(message: &str) -> bool {
    if let Some(code) = message.strip_prefix("HTTP ").and_then(|m| m.get(..3)).and_then(|c| c.parse::<u16>().ok()) {
        return code >= 500 || code == 429;
    }
    !message.starts_with("response larger") && message != "empty response"
}

/// A proxy URL without its password.
fn redact(proxy: &str) -> String {
    match proxy.split_once("://") {
        Some((scheme, rest)) => match rest.rsplit_once('@') {
            Some((_, host)) => format!("{scheme}://…@{host}"),
            None => proxy.to_string(),
        },
        None => proxy.to_string(),
    }
}

fn fetch_into(
    fetcher: &Fetcher<'_>,
    name: &str,
    files: &BTreeMap<String, String>,
    data_dir: &Path,
    target: &Path,
    report: &mut FetchReport,
) -> Result<(), FetchError> {
    check_name(name, data_dir, "source name")?;
    if files.is_empty() {
        return Err(invalid_input(target, "no files configured for this source"));
    }
    for file in files.keys() {
        check_name(file, target, "file name")?;
    }
    let staging = unique_dir(data_dir, &format!(".staging-{name}"))?;
    let result = stage_and_install(fetcher, files, &staging, target, data_dir, name, report);
    if result.is_err() && staging.exists() {
        // Best effort: a staging folder left behind is never loaded.
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

fn stage_and_install(
    fetcher: &Fetcher<'_>,
    files: &BTreeMap<String, String>,
    staging: &Path,
    target: &Path,
    data_dir: &Path,
    name: &str,
    report: &mut FetchReport,
) -> Result<(), FetchError> {
    for (file, url) in files {
        let fetched = fetcher.download(file, url, &staging.join(file))?;
        report.bytes += fetched.bytes;
        report.files.push(fetched);
    }
    let invalid = |e: ListError| FetchError::Invalid { what: format!("source {name}"), source: Box::new(e) };
    let lists = crate::lists::load_path(staging).map_err(invalid)?;
    if let Some(partial) = lists.iter().find(|l| l.version.partial) {
        return Err(invalid(ListError::Integrity {
            path: staging.to_path_buf(),
            message: format!(
                "{} is a partial set ({} missing): add the missing files to fetch.sources.{name}",
                partial.version.dataset,
                partial.version.missing_files.join(", ")
            ),
        }));
    }
    if let Some(limit) = fetcher.options.max_shrink_percent {
        if !fetcher.options.accept_shrink {
            let in_service = if target.is_dir() { crate::lists::load_path(target).ok() } else { None };
            for l in &lists {
                if let Some(old) = in_service.iter().flatten().find(|o| o.version.dataset == l.version.dataset) {
                    crate::lists::check_shrink(&l.version, &old.version, "files in service", limit).map_err(invalid)?;
                }
                if let Some(old) = fetcher.options.accepted.iter().find(|o| o.dataset == l.version.dataset) {
                    crate::lists::check_shrink(&l.version, old, "last accepted version", limit).map_err(invalid)?;
                }
            }
        }
    }
    let stamp = fetch_stamp(&report.files);
    std::fs::write(staging.join(crate::lists::FETCH_STAMP), stamp)
        .map_err(|e| FetchError::Io { path: staging.join(crate::lists::FETCH_STAMP), source: e })?;
    let (from, to) = (staging.display().to_string(), target.display().to_string());
    report.entries = lists.iter().map(|l| l.version.entries).sum();
    report.loader_warnings = lists.iter().map(|l| l.warnings.len()).sum();
    report.lists = lists
        .into_iter()
        .map(|l| {
            let mut v = l.version;
            v.source = v.source.replacen(&from, &to, 1);
            if v.published_from.as_deref() != Some("list") {
                v.published = Some(today());
                v.published_from = Some("download".into());
            }
            v
        })
        .collect();
    install(staging, target, data_dir, name, &mut report.warnings)
}

/// Today, `YYYY-MM-DD` (UTC).
fn today() -> String {
    crate::lists::iso_date(crate::engine::model::today_days())
}

/// The stamp written beside the files put in service.
fn fetch_stamp(files: &[FetchedFile]) -> String {
    let mut s = format!(
        "# Written by `cartelscreen lists fetch`: the day these files were downloaded, which dates\n\
         # lists whose files state no publication date (OFAC's CSV exports).\ndownloaded = \"{}\"\n",
        today()
    );
    for f in files {
        s.push_str(&format!(
            "\n[[file]]\nname = {:?}\nurl = {:?}\nsha256 = \"{}\"\nbytes = {}\n",
            f.name, f.url, f.sha256, f.bytes
        ));
    }
    s
}

/// Downloads `url` into `dest`, hashing as it goes.
fn download(agent: &ureq::Agent, name: &str, url: &str, dest: &Path) -> Result<FetchedFile, FetchError> {
    let fail = |message: String| FetchError::Download { url: url.to_string(), message };
    let response = agent.get(url).call().map_err(|e| match e {
        ureq::Error::Status(code, r) => fail(format!("HTTP {code} {}", r.status_text())),
        ureq::Error::Transport(t) => fail(t.to_string()),
    })?;
    let status = response.status();
    if !(200..300).contains(&status) {
        return Err(fail(format!("HTTP {status} {}", response.status_text())));
    }
    let io_err = |e: std::io::Error| FetchError::Io { path: dest.to_path_buf(), source: e };
    let file = std::fs::OpenOptions::new().write(true).create_new(true).open(dest).map_err(io_err)?;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
    let mut body = response.into_reader().take(MAX_FILE_BYTES + 1);
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut total: u64 = 0;
    loop {
        let n = match body.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(fail(format!("reading the response after {total} bytes: {e}"))),
        };
        total += n as u64;
        if total > MAX_FILE_BYTES {
            return Err(fail(format!("response larger than {MAX_FILE_BYTES} bytes")));
        }
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n]).map_err(io_err)?;
    }
    if total == 0 {
        return Err(fail("empty response".into()));
    }
    let file = out.into_inner().map_err(|e| io_err(e.into_error()))?;
    file.sync_all().map_err(io_err)?;
    Ok(FetchedFile {
        name: name.to_string(),
        url: url.to_string(),
        bytes: total,
        sha256: super::hex(&hasher.finalize()),
    })
}

/// Puts `staging` in service as `target`; on failure the old `target` is
/// back in place.
fn install(
    staging: &Path,
    target: &Path,
    data_dir: &Path,
    name: &str,
    warnings: &mut Vec<String>,
) -> Result<(), FetchError> {
    let io = |path: &Path, e: std::io::Error| FetchError::Io { path: path.to_path_buf(), source: e };
    let had_old = std::fs::symlink_metadata(target).is_ok();
    let aside = if had_old {
        let aside = unique_path(data_dir, &format!(".old-{name}"));
        std::fs::rename(target, &aside).map_err(|e| io(target, e))?;
        Some(aside)
    } else {
        None
    };
    if let Err(e) = std::fs::rename(staging, target) {
        if let Some(aside) = &aside {
            if let Err(e2) = std::fs::rename(aside, target) {
                return Err(io(
                    target,
                    std::io::Error::new(
                        e.kind(),
                        format!("{e}; and the previous files could not be moved back from {}: {e2}", aside.display()),
                    ),
                ));
            }
        }
        return Err(io(target, e));
    }
    if let Some(aside) = aside {
        if let Err(e) = std::fs::remove_dir_all(&aside) {
            warnings.push(format!("could not delete the previous files at {}: {e}", aside.display()));
        }
    }
    Ok(())
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique_path(dir: &Path, prefix: &str) -> PathBuf {
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let p = dir.join(format!("{prefix}-{}-{n}", std::process::id()));
        if std::fs::symlink_metadata(&p).is_err() {
            return p;
        }
    }
}

fn unique_dir(dir: &Path, prefix: &str) -> Result<PathBuf, FetchError> {
    for _ in 0..1000 {
        let p = unique_path(dir, prefix);
        match std::fs::create_dir(&p) {
            Ok(()) => return Ok(p),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(FetchError::Io { path: p, source: e }),
        }
    }
    Err(invalid_input(dir, "cannot create a staging folder"))
}

/// Source and file names become path components: plain names only.
fn check_name(name: &str, within: &Path, what: &str) -> Result<(), FetchError> {
    let ok = !name.is_empty()
        && !name.starts_with('.')
        && name.len() <= 128
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok {
        Ok(())
    } else {
        Err(invalid_input(
            &within.join(name.replace(['/', '\\'], "_")),
            &format!("{what} {name:?} must be a plain name of letters, digits, '_', '-' and '.'"),
        ))
    }
}

fn invalid_input(path: &Path, message: &str) -> FetchError {
    FetchError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidInput, message.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_plain() {
        let d = Path::new("/tmp");
        assert!(check_name("us_ofac_sdn", d, "source").is_ok());
        assert!(check_name("sdn.csv", d, "file").is_ok());
        for bad in ["", "..", ".staging", "a/b", "../x", "a\\b", "x y"] {
            assert!(check_name(bad, d, "source").is_err(), "{bad:?}");
        }
    }

    #[test]
    fn proxies_follow_the_scheme_and_no_proxy() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
        };
        let e = env(&[("HTTPS_PROXY", "http://proxy:3128"), ("http_proxy", "http://plain:8080")]);
        assert_eq!(proxy_for("https://a.example/x", "", &e).as_deref(), Some("http://proxy:3128"));
        assert_eq!(proxy_for("http://a.example/x", "", &e).as_deref(), Some("http://plain:8080"));
        assert_eq!(proxy_for("https://a.example/x", "http://set:1", &e).as_deref(), Some("http://set:1"));
        let e = env(&[("HTTPS_PROXY", "http://proxy:3128"), ("NO_PROXY", "localhost, .treas.gov,un.org:443")]);
        assert_eq!(proxy_for("https://sanctionslistservice.ofac.treas.gov/x", "", &e), None);
        assert_eq!(proxy_for("https://scsanctions.un.org/x", "", &e), None);
        assert_eq!(proxy_for("https://un.org/x", "", &e), None);
        assert_eq!(proxy_for("https://notun.org/x", "", &e).as_deref(), Some("http://proxy:3128"));
        assert_eq!(proxy_for("http://localhost:8/x", "http://set:1", &e), None);
        let e = env(&[("ALL_PROXY", "http://all:1"), ("NO_PROXY", "*")]);
        assert_eq!(proxy_for("https://a.example/x", "", &e), None);
        let e = env(&[("ALL_PROXY", "http://all:1")]);
        assert_eq!(proxy_for("https://a.example/x", "", &e).as_deref(), Some("http://all:1"));
        assert_eq!(proxy_for("https://a.example/x", "", &env(&[])), None);
        assert_eq!(redact("http://u:secret@p:1"), "http://…@p:1");
        assert!(retryable("HTTP 503 Service Unavailable") && retryable("HTTP 429 Too Many Requests"));
        assert!(!retryable("HTTP 404 Not Found") && retryable("Connection refused"));
    }

    #[test]
    fn unreachable_source_reports_an_error_and_touches_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut files = BTreeMap::new();
        files.insert("consolidated.xml".to_string(), "http://127.0.0.1:9/x.xml".to_string());
        let mut sources = BTreeMap::new();
        sources.insert("un_sc_sanctions".to_string(), files);
        sources.insert("../evil".to_string(), BTreeMap::new());
        let settings = FetchSettings {
            timeout_secs: 2,
            connect_timeout_secs: 2,
            retries: 1,
            retry_backoff_millis: 10,
            disabled: Vec::new(),
            sources,
        };
        let reports = fetch_all(&settings, dir.path()).unwrap();
        assert_eq!(reports.len(), 2);
        assert!(reports.iter().all(|r| !r.ok && r.error.is_some()));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing left behind");
        assert!(fetch_source(&settings, "nope", dir.path()).is_err());
    }
}

/// Why a fetch of the official lists failed. The files in service are left
/// untouched whenever this is returned.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("download of {url} failed: {message}")]
    Download { url: String, message: String },
    #[error("downloaded {what} is not a valid list: {source}")]
    Invalid {
        what: String,
        #[source]
        source: Box<crate::lists::ListError>,
    },
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}
