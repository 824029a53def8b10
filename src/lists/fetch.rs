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

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::config::FetchSettings;
use crate::engine::model::ListVersion;

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
    /// Why the source failed; the files in service were kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl FetchReport {
    fn new(source: &str, path: PathBuf) -> FetchReport {
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
        }
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

/// Fetches every configured source into `data_dir`. Each source's outcome
/// is in its report; the error is only for a data directory that cannot be
/// created.
pub fn fetch_all(settings: &FetchSettings, data_dir: &Path) -> Result<Vec<FetchReport>, FetchError> {
    std::fs::create_dir_all(data_dir).map_err(|e| FetchError::Io { path: data_dir.to_path_buf(), source: e })?;
    let agent = agent(settings);
    let mut reports = Vec::with_capacity(settings.sources.len());
    for (name, files) in &settings.sources {
        let (report, outcome) = run_source(&agent, name, files, data_dir);
        if let Err(e) = outcome {
            tracing::warn!(source = %name, error = %e, "fetch failed; files in service kept");
        } else {
            tracing::info!(source = %name, summary = %report.summary(), "fetched");
        }
        reports.push(report);
    }
    Ok(reports)
}

/// Fetches one configured source. On error the files in service are
/// untouched.
pub fn fetch_source(settings: &FetchSettings, source: &str, data_dir: &Path) -> Result<FetchReport, FetchError> {
    let files = settings.sources.get(source).ok_or_else(|| FetchError::Io {
        path: data_dir.join(source),
        source: std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("no source {source:?} in fetch.sources")),
    })?;
    std::fs::create_dir_all(data_dir).map_err(|e| FetchError::Io { path: data_dir.to_path_buf(), source: e })?;
    let (report, outcome) = run_source(&agent(settings), source, files, data_dir);
    outcome.map(|()| report)
}

fn agent(settings: &FetchSettings) -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(settings.timeout_secs.max(1)))
        .redirects(5)
        .user_agent(concat!("cartelscreen/", env!("CARGO_PKG_VERSION")))
        .build()
}

fn run_source(
    agent: &ureq::Agent,
    name: &str,
    files: &BTreeMap<String, String>,
    data_dir: &Path,
) -> (FetchReport, Result<(), FetchError>) {
    let target = data_dir.join(name);
    let mut report = FetchReport::new(name, target.clone());
    let outcome = fetch_into(agent, name, files, data_dir, &target, &mut report);
    match &outcome {
        Ok(()) => report.ok = true,
        Err(e) => report.error = Some(e.to_string()),
    }
    (report, outcome)
}

fn fetch_into(
    agent: &ureq::Agent,
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
    let result = stage_and_install(agent, files, &staging, target, data_dir, name, report);
    if result.is_err() && staging.exists() {
        // Best effort: a staging folder left behind is never loaded.
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

fn stage_and_install(
    agent: &ureq::Agent,
    files: &BTreeMap<String, String>,
    staging: &Path,
    target: &Path,
    data_dir: &Path,
    name: &str,
    report: &mut FetchReport,
) -> Result<(), FetchError> {
    for (file, url) in files {
        let fetched = download(agent, file, url, &staging.join(file))?;
        report.bytes += fetched.bytes;
        report.files.push(fetched);
    }
    let lists = crate::lists::load_path(staging)
        .map_err(|e| FetchError::Invalid { what: format!("source {name}"), source: e })?;
    let (from, to) = (staging.display().to_string(), target.display().to_string());
    report.entries = lists.iter().map(|l| l.version.entries).sum();
    report.loader_warnings = lists.iter().map(|l| l.warnings.len()).sum();
    report.lists = lists
        .into_iter()
        .map(|l| {
            let mut v = l.version;
            v.source = v.source.replacen(&from, &to, 1);
            v
        })
        .collect();
    install(staging, target, data_dir, name, &mut report.warnings)
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
    fn unreachable_source_reports_an_error_and_touches_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut files = BTreeMap::new();
        files.insert("consolidated.xml".to_string(), "http://127.0.0.1:9/x.xml".to_string());
        let mut sources = BTreeMap::new();
        sources.insert("un_sc_sanctions".to_string(), files);
        sources.insert("../evil".to_string(), BTreeMap::new());
        let settings = FetchSettings { timeout_secs: 2, sources };
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
        source: crate::lists::ListError,
    },
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}
