//! Reading sanctions lists from disk into [`LoadedList`]s.
//!
//! A list source is a folder (or a single file); its format is recognised
//! from the file names and content, so an operator can point cartelscreen at
//! an unpacked OFAC export, a UN XML file or a firm's own list alike.

pub mod error;
pub mod fetch;
pub mod goods;
pub mod ofac;
pub mod own_format;
pub mod registry;
pub mod remarks;
pub mod snapshot;
pub mod un;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::engine::model::{ListFormat, LoadedList};
pub use error::ListError;
pub use ofac::Integrity;

/// The file `lists fetch` writes beside the files of a source it put in
/// service: `downloaded = "YYYY-MM-DD"` and each file's address. No list
/// reader reads a file of this name.
pub const FETCH_STAMP: &str = ".fetched";

/// Loads every list found at `path`: a folder holding an OFAC SDN set, an
/// OFAC consolidated set, UN XML files and/or cartelscreen lists, or one file.
/// An empty result is an error: a source that yields nothing is a mistake.
/// Integrity is checked strictly (the lists are about to be served).
///
/// # Errors
///
/// [`ListError`] when `path` cannot be read, holds no list it recognises, or a list in it is
/// malformed or fails its integrity checks.
pub fn load_path(path: &Path) -> Result<Vec<LoadedList>, ListError> {
    load_path_with(path, Integrity::Strict)
}

/// [`load_path`] with the given integrity checks.
///
/// # Errors
/// As [`load_path`]; with [`Integrity::Lenient`] a cut OFAC file is a
/// warning instead of [`ListError::Integrity`].
pub fn load_path_with(path: &Path, integrity: Integrity) -> Result<Vec<LoadedList>, ListError> {
    let meta = std::fs::metadata(path).map_err(|e| ListError::io(path, e))?;
    let mut lists = Vec::new();
    if meta.is_file() {
        lists.push(load_file_with(path, integrity)?);
        return Ok(lists);
    }
    if ofac::find_file(path, "sdn.csv").is_some() {
        lists.push(date_ofac(ofac::load_set(path, ListFormat::OfacSdn, integrity)?, path));
    }
    if ofac::find_file(path, "cons_prim.csv").is_some() {
        lists.push(date_ofac(ofac::load_set(path, ListFormat::OfacConsolidated, integrity)?, path));
    }
    for file in sorted_files(path)? {
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("").to_ascii_lowercase();
        if ofac::is_ofac_file_name(&name) {
            continue;
        }
        if name.ends_with(".xml") {
            lists.push(un::load_un(&file)?);
        } else if own_format::is_native_file_name(&name) {
            lists.push(own_format::load_native(&file)?);
        }
    }
    if lists.is_empty() {
        return Err(ListError::NotRecognised { path: path.to_path_buf() });
    }
    Ok(lists)
}

/// Loads one file, recognised by its extension.
///
/// # Errors
///
/// [`ListError`] when the file cannot be read, its extension names no list format, or it is
/// malformed or fails its integrity checks.
pub fn load_file(path: &Path) -> Result<LoadedList, ListError> {
    load_file_with(path, Integrity::Strict)
}

fn load_file_with(path: &Path, integrity: Integrity) -> Result<LoadedList, ListError> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("").to_ascii_lowercase();
    if name == "sdn.csv" || name == "cons_prim.csv" {
        let dir = path.parent().unwrap_or(Path::new("."));
        let format = if name == "sdn.csv" { ListFormat::OfacSdn } else { ListFormat::OfacConsolidated };
        return Ok(date_ofac(ofac::load_set(dir, format, integrity)?, dir));
    }
    if name.ends_with(".xml") {
        return un::load_un(path);
    }
    if own_format::is_native_file_name(&name) {
        return own_format::load_native(path);
    }
    Err(ListError::NotRecognised { path: path.to_path_buf() })
}

/// A list version as answers name it: which publication, how old.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ListRef {
    pub dataset: String,
    pub sha256: String,
    /// The publication date (see [`crate::engine::model::ListVersion::published`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// Whole days from `published` to the day of the answer (UTC); absent
    /// when the publication date is unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_days: Option<i64>,
    /// The set lacks a file it normally has; only present when true.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
}

/// The list versions as answers name them, aged at `today` (a day count,
/// [`crate::engine::model::today_days`]).
pub fn list_refs(versions: &[crate::engine::model::ListVersion], today: i64) -> Vec<ListRef> {
    versions
        .iter()
        .map(|l| ListRef {
            dataset: l.dataset.clone(),
            sha256: l.sha256.clone(),
            published: l.published.clone(),
            age_days: l.age_days(today),
            partial: l.partial,
        })
        .collect()
}

/// What the lists in service amount to, for flags, `/readyz`, metrics and
/// the command line's warnings.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct ListHealth {
    /// Official (OFAC or UN) lists in service.
    pub sanctions_lists: usize,
    /// Official lists older than `lists.max_age_days`, or of unknown age.
    pub stale: Vec<String>,
    /// Lists that are partial sets.
    pub partial: Vec<String>,
    /// The age of the oldest official list, in days.
    pub oldest_age_days: Option<i64>,
}

impl ListHealth {
    /// Judges `versions` at `today` against `max_age_days`.
    pub fn of(versions: &[crate::engine::model::ListVersion], max_age_days: u32, today: i64) -> ListHealth {
        let mut h = ListHealth::default();
        for v in versions {
            if v.partial {
                h.partial.push(v.dataset.clone());
            }
            if !v.is_sanctions_list() {
                continue;
            }
            h.sanctions_lists += 1;
            let age = v.age_days(today);
            h.oldest_age_days = h.oldest_age_days.max(age);
            if age.is_none_or(|a| a > i64::from(max_age_days)) {
                h.stale.push(v.dataset.clone());
            }
        }
        h
    }

    /// The flags every answer carries: `stale_lists`, `partial_lists`,
    /// `no_sanctions_lists`.
    pub fn flags(&self) -> Vec<crate::engine::Flag> {
        use crate::engine::Flag;
        let mut f = Vec::new();
        if !self.stale.is_empty() {
            f.push(Flag::StaleLists);
        }
        if !self.partial.is_empty() {
            f.push(Flag::PartialLists);
        }
        if self.sanctions_lists == 0 {
            f.push(Flag::NoSanctionsLists);
        }
        f
    }

    /// One warning per problem, for the command line and the log.
    pub fn warnings(
        &self,
        versions: &[crate::engine::model::ListVersion],
        max_age_days: u32,
        today: i64,
    ) -> Vec<String> {
        let mut w = Vec::new();
        if self.sanctions_lists == 0 {
            w.push(
                "no official sanctions list is loaded (only the cartel registry or own lists): a clear is not a clear against the OFAC and UN lists; run `cartelscreen lists fetch` or give --lists"
                    .to_string(),
            );
        }
        for v in versions.iter().filter(|v| self.stale.contains(&v.dataset)) {
            w.push(match v.age_days(today) {
                Some(a) => format!(
                    "{} is {a} days old (published {}, over lists.max_age_days = {max_age_days}); run `cartelscreen lists fetch`",
                    v.dataset,
                    v.published.as_deref().unwrap_or("-")
                ),
                None => format!("{}: publication date unknown; it counts as stale", v.dataset),
            });
        }
        for v in versions.iter().filter(|v| v.partial) {
            w.push(format!("{} is a partial set: {} missing", v.dataset, v.missing_files.join(", ")));
        }
        w
    }
}

/// Refuses `new` when it has more than `limit_percent` fewer entries than
/// `previous` (the same dataset: the version in service, or the last one
/// accepted); `against` names which in the error.
///
/// # Errors
/// [`ListError::Shrunk`] with the counts.
pub fn check_shrink(
    new: &crate::engine::model::ListVersion,
    previous: &crate::engine::model::ListVersion,
    against: &str,
    limit_percent: f64,
) -> Result<(), ListError> {
    if previous.entries == 0 || new.entries >= previous.entries {
        return Ok(());
    }
    let percent = (previous.entries - new.entries) as f64 * 100.0 / previous.entries as f64;
    if percent > limit_percent {
        return Err(ListError::Shrunk {
            dataset: new.dataset.clone(),
            from: new.source.clone(),
            entries: new.entries,
            previous: previous.entries,
            against: against.to_string(),
            percent,
            limit: limit_percent,
        });
    }
    Ok(())
}

/// Dates an OFAC set, whose files state no publication date: the day
/// `lists fetch` downloaded it (its [`FETCH_STAMP`]), else the day its
/// newest file was last modified.
fn date_ofac(mut list: LoadedList, dir: &Path) -> LoadedList {
    if let Some(day) = fetch_stamp_date(dir) {
        list.version.published = Some(day);
        list.version.published_from = Some("download".into());
        return list;
    }
    let files = ofac::set_files(list.version.format);
    let newest = [files.prim, files.alt, files.add, files.comments]
        .iter()
        .filter_map(|n| ofac::find_file(dir, n))
        .filter_map(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
        .max();
    if let Some(t) = newest {
        let days = t.duration_since(std::time::UNIX_EPOCH).map(|d| (d.as_secs() / 86_400) as i64).unwrap_or(0);
        list.version.published = Some(iso_date(days));
        list.version.published_from = Some("file_time".into());
    }
    list
}

/// The `downloaded` date of a folder's [`FETCH_STAMP`], if any.
pub fn fetch_stamp_date(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join(FETCH_STAMP)).ok()?;
    let v: toml::Value = toml::from_str(&text).ok()?;
    let d = v.get("downloaded")?.as_str()?;
    (d.len() >= 10).then(|| d[..10].to_string())
}

/// `YYYY-MM-DD` of a day count since 1970-01-01.
pub fn iso_date(days: i64) -> String {
    let (y, m, d) = crate::engine::query::civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

fn sorted_files(dir: &Path) -> Result<Vec<PathBuf>, ListError> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| ListError::io(dir, e))? {
        let entry = entry.map_err(|e| ListError::io(dir, e))?;
        let p = entry.path();
        if p.is_file() {
            files.push(p);
        }
    }
    files.sort();
    Ok(files)
}

/// Reads a file whole, mapping the error to the file's path.
pub(crate) fn read_bytes(path: &Path) -> Result<Vec<u8>, ListError> {
    std::fs::read(path).map_err(|e| ListError::io(path, e))
}

/// Content hash of a list: sha256 over each part's bytes in the order given,
/// so the same files always give the same version.
pub(crate) fn content_sha256<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    hex(&h.finalize())
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}
