//! The embedded snapshot of the official lists: the OFAC SDN and
//! Consolidated sets and the UN Consolidated List, compiled into the binary
//! so that a fresh install screens against the real lists before it has
//! downloaded anything.
//!
//! The files live in `lists/snapshot/`, each compressed with zstd exactly
//! as published (`sdn.csv.zst` decompresses to the bytes OFAC published),
//! beside `manifest.toml`: per list, where it was published, its
//! publication date, the sha256 and size of each file as published, and the
//! entry count. Loading decompresses each file, checks its sha256 and size
//! against the manifest, parses it with the same readers as files on disk
//! (integrity checked strictly), and checks the entry count: a snapshot
//! that does not match its manifest is never served.
//!
//! `cartelscreen lists snapshot FOLDER...` ([`write`]) rewrites the folder
//! from the official files, for maintainers.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::engine::model::{ListFormat, LoadedList};
use crate::lists::ofac::{self, Integrity};
use crate::lists::{un, ListError};

/// The manifest, compiled in.
pub const MANIFEST: &str = include_str!("../../lists/snapshot/manifest.toml");

/// Where the snapshot lives in the repository, for messages.
pub const SNAPSHOT_DIR: &str = "lists/snapshot";

/// The file names a snapshot holds, as published (the compressed files add
/// `.zst`); the UN list is always `consolidated.xml`.
pub const FILE_NAMES: [&str; 9] = [
    "sdn.csv",
    "alt.csv",
    "add.csv",
    "sdn_comments.csv",
    "cons_prim.csv",
    "cons_alt.csv",
    "cons_add.csv",
    "cons_comments.csv",
    "consolidated.xml",
];

/// The compressed files, compiled in, by name as published.
static FILES: [(&str, &[u8]); 9] = [
    ("sdn.csv", include_bytes!("../../lists/snapshot/sdn.csv.zst")),
    ("alt.csv", include_bytes!("../../lists/snapshot/alt.csv.zst")),
    ("add.csv", include_bytes!("../../lists/snapshot/add.csv.zst")),
    ("sdn_comments.csv", include_bytes!("../../lists/snapshot/sdn_comments.csv.zst")),
    ("cons_prim.csv", include_bytes!("../../lists/snapshot/cons_prim.csv.zst")),
    ("cons_alt.csv", include_bytes!("../../lists/snapshot/cons_alt.csv.zst")),
    ("cons_add.csv", include_bytes!("../../lists/snapshot/cons_add.csv.zst")),
    ("cons_comments.csv", include_bytes!("../../lists/snapshot/cons_comments.csv.zst")),
    ("consolidated.xml", include_bytes!("../../lists/snapshot/consolidated.xml.zst")),
];

/// `lists/snapshot/manifest.toml`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// When the snapshot was made (`YYYY-MM-DD`).
    #[serde(default)]
    pub made: String,
    /// One per list.
    #[serde(default, rename = "list")]
    pub lists: Vec<ListManifest>,
}

/// One list of the snapshot.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ListManifest {
    /// `us_ofac_sdn`, `us_ofac_cons`, `un_sc_sanctions`.
    pub dataset: String,
    /// `ofac_sdn`, `ofac_consolidated` or `un_consolidated`.
    pub format: ListFormat,
    /// Where the publisher publishes it.
    pub source: String,
    /// The publication date reported for the list (`YYYY-MM-DD`): the date
    /// the file states, else the newest of its files' dates.
    pub published: String,
    /// How the date was established, for an examiner.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// Entries the list loads.
    pub entries: usize,
    /// Its files, as published.
    #[serde(rename = "file")]
    pub files: Vec<FileManifest>,
}

/// One file as published.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FileManifest {
    /// The official file name, lower case.
    pub name: String,
    /// sha256 of the file as published (the decompressed bytes), hex.
    pub sha256: String,
    /// Its size as published.
    pub bytes: u64,
    /// The date of this file's export where it differs from the list's.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub date: String,
}

/// The compiled-in manifest.
///
/// # Errors
/// [`ListError::Format`] when it is not a valid manifest.
pub fn manifest() -> Result<Manifest, ListError> {
    toml::from_str(MANIFEST)
        .map_err(|e| ListError::format(format!("embedded:{SNAPSHOT_DIR}/manifest.toml"), e.to_string()))
}

/// The source named in the versions of the snapshot's lists.
pub fn source_name(published: &str) -> String {
    format!("embedded snapshot ({SNAPSHOT_DIR}, published {published})")
}

fn file_bytes(name: &str) -> Option<&'static [u8]> {
    FILES.iter().find(|(n, _)| *n == name).map(|(_, b)| *b)
}

/// Decompresses `name` and checks it against the manifest.
fn verified(file: &FileManifest) -> Result<Vec<u8>, ListError> {
    let path = PathBuf::from(format!("embedded:{SNAPSHOT_DIR}/{}.zst", file.name));
    let compressed = file_bytes(&file.name).ok_or_else(|| ListError::Integrity {
        path: path.clone(),
        message: "named by the manifest but not compiled in".into(),
    })?;
    let bytes = zstd::stream::decode_all(compressed)
        .map_err(|e| ListError::Integrity { path: path.clone(), message: format!("cannot decompress: {e}") })?;
    let sha = crate::lists::hex(&Sha256::digest(&bytes));
    if sha != file.sha256 || bytes.len() as u64 != file.bytes {
        return Err(ListError::Integrity {
            path,
            message: format!(
                "{} bytes with sha256 {sha}, but the manifest says {} bytes with sha256 {}",
                bytes.len(),
                file.bytes,
                file.sha256
            ),
        });
    }
    Ok(bytes)
}

/// Loads one list of the snapshot.
fn load_list(l: &ListManifest) -> Result<LoadedList, ListError> {
    let source = source_name(&l.published);
    let get = |name: &str| -> Result<Option<Vec<u8>>, ListError> {
        l.files.iter().find(|f| f.name == name).map(verified).transpose()
    };
    let mut list = match l.format {
        ListFormat::OfacSdn | ListFormat::OfacConsolidated => {
            let files = ofac::set_files(l.format);
            let prim = get(files.prim)?.ok_or_else(|| {
                ListError::format(
                    format!("embedded:{SNAPSHOT_DIR}/manifest.toml"),
                    format!("{} lacks {}", l.dataset, files.prim),
                )
            })?;
            let (alt, add, comments) = (get(files.alt)?, get(files.add)?, get(files.comments)?);
            let (dataset, title) = if l.format == ListFormat::OfacSdn {
                (ofac::SDN_DATASET, ofac::SDN_TITLE)
            } else {
                (ofac::CONS_DATASET, ofac::CONS_TITLE)
            };
            ofac::parse_set_with(
                Integrity::Strict,
                dataset,
                title,
                l.format,
                source,
                &prim,
                alt.as_deref(),
                add.as_deref(),
                comments.as_deref(),
            )?
        }
        ListFormat::UnConsolidated => {
            let xml = get("consolidated.xml")?.ok_or_else(|| {
                ListError::format(
                    format!("embedded:{SNAPSHOT_DIR}/manifest.toml"),
                    "the UN list lacks consolidated.xml",
                )
            })?;
            un::parse_un(&xml, source)?
        }
        ListFormat::Cartelscreen => {
            return Err(ListError::format(
                format!("embedded:{SNAPSHOT_DIR}/manifest.toml"),
                format!("{}: only official lists belong in the snapshot", l.dataset),
            ))
        }
    };
    if list.version.entries != l.entries {
        return Err(ListError::Integrity {
            path: PathBuf::from(format!("embedded:{SNAPSHOT_DIR}")),
            message: format!("{}: {} entries loaded, the manifest says {}", l.dataset, list.version.entries, l.entries),
        });
    }
    if list.version.published.is_none() || list.version.format != ListFormat::UnConsolidated {
        list.version.published = Some(l.published.clone());
        list.version.published_from = Some("manifest".into());
    }
    Ok(list)
}

/// The snapshot's lists, decompressed, checked against the manifest and
/// parsed (in parallel).
///
/// # Errors
/// [`ListError`] when the manifest, a file or a count does not hold.
pub fn load() -> Result<Vec<LoadedList>, ListError> {
    use rayon::prelude::*;
    let m = manifest()?;
    m.lists.par_iter().map(load_list).collect()
}

/// What [`write`] did.
#[derive(Debug, Clone, Serialize)]
pub struct Written {
    /// The manifest written.
    pub manifest: Manifest,
    /// Compressed bytes written.
    pub compressed_bytes: u64,
}

/// Options of [`write`].
#[derive(Debug, Clone, Default)]
pub struct WriteOptions {
    /// The publication date per dataset where the files state none.
    pub published: Vec<(String, String)>,
    /// The date of an individual file's export (`alt.csv=2026-02-25`).
    pub file_dates: Vec<(String, String)>,
    /// A note per dataset on how its date was established.
    pub notes: Vec<(String, String)>,
    /// The addresses the lists are published at, per dataset.
    pub sources: Vec<(String, String)>,
    /// Today, `YYYY-MM-DD`.
    pub made: String,
}

/// Rewrites the snapshot in `out` (the repository's `lists/snapshot`) from
/// `folders` holding an OFAC SDN set, an OFAC Consolidated set and a UN
/// consolidated XML file. Each list must load whole (not partial, integrity
/// checked strictly); its files are compressed exactly as read.
///
/// # Errors
/// [`ListError`] when a folder holds none of these, a list is missing or
/// partial, a date is missing, or a file cannot be written.
pub fn write(out: &Path, folders: &[PathBuf], options: &WriteOptions) -> Result<Written, ListError> {
    let mut sets: Vec<(ListFormat, PathBuf)> = Vec::new();
    for folder in folders {
        if ofac::find_file(folder, "sdn.csv").is_some() {
            sets.push((ListFormat::OfacSdn, folder.clone()));
        }
        if ofac::find_file(folder, "cons_prim.csv").is_some() {
            sets.push((ListFormat::OfacConsolidated, folder.clone()));
        }
        let meta = std::fs::metadata(folder).map_err(|e| ListError::io(folder, e))?;
        let xmls: Vec<PathBuf> = if meta.is_file() {
            vec![folder.clone()]
        } else {
            let mut v: Vec<PathBuf> = std::fs::read_dir(folder)
                .map_err(|e| ListError::io(folder, e))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().and_then(|x| x.to_str()).is_some_and(|x| x.eq_ignore_ascii_case("xml")))
                .collect();
            v.sort();
            v
        };
        for x in xmls {
            sets.push((ListFormat::UnConsolidated, x));
        }
    }
    for want in [ListFormat::OfacSdn, ListFormat::OfacConsolidated, ListFormat::UnConsolidated] {
        let n = sets.iter().filter(|(f, _)| *f == want).count();
        if n != 1 {
            return Err(ListError::Invalid {
                path: out.to_path_buf(),
                message: format!("the folders given hold {n} {} lists; a snapshot takes exactly one", want.as_str()),
            });
        }
    }
    let lookup = |pairs: &[(String, String)], key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    std::fs::create_dir_all(out).map_err(|e| ListError::io(out, e))?;
    let mut manifest = Manifest { made: options.made.clone(), lists: Vec::new() };
    let mut compressed_bytes = 0u64;
    for (format, path) in &sets {
        let (list, files): (LoadedList, Vec<(String, PathBuf)>) = match format {
            ListFormat::UnConsolidated => (un::load_un(path)?, vec![("consolidated.xml".to_string(), path.clone())]),
            _ => {
                let l = ofac::load_set(path, *format, Integrity::Strict)?;
                let names = ofac::set_files(*format);
                let files = [names.prim, names.alt, names.add, names.comments]
                    .iter()
                    .filter_map(|n| ofac::find_file(path, n).map(|p| (n.to_string(), p)))
                    .collect();
                (l, files)
            }
        };
        let dataset = list.version.dataset.clone();
        if list.version.partial {
            return Err(ListError::Integrity {
                path: path.clone(),
                message: format!(
                    "{dataset} is partial ({} missing): a snapshot holds whole sets",
                    list.version.missing_files.join(", ")
                ),
            });
        }
        let published = list
            .version
            .published
            .as_deref()
            .map(|p| p.get(..10).unwrap_or(p).to_string())
            .or_else(|| lookup(&options.published, &dataset))
            .ok_or_else(|| ListError::Invalid {
                path: path.clone(),
                message: format!(
                    "{dataset}: the files state no publication date; give it with --published {dataset}=YYYY-MM-DD"
                ),
            })?;
        let mut entries = Vec::new();
        for (name, file) in files {
            let bytes = std::fs::read(&file).map_err(|e| ListError::io(&file, e))?;
            let compressed = zstd::stream::encode_all(&bytes[..], 19).map_err(|e| ListError::io(&file, e))?;
            let target = out.join(format!("{name}.zst"));
            std::fs::write(&target, &compressed).map_err(|e| ListError::io(&target, e))?;
            compressed_bytes += compressed.len() as u64;
            entries.push(FileManifest {
                sha256: crate::lists::hex(&Sha256::digest(&bytes)),
                bytes: bytes.len() as u64,
                date: lookup(&options.file_dates, &name).unwrap_or_default(),
                name,
            });
        }
        manifest.lists.push(ListManifest {
            source: lookup(&options.sources, &dataset).unwrap_or_default(),
            note: lookup(&options.notes, &dataset).unwrap_or_default(),
            dataset,
            format: *format,
            published,
            entries: list.version.entries,
            files: entries,
        });
    }
    let text = format!(
        "# The embedded snapshot of the official lists, written by `cartelscreen lists snapshot`.\n\
         # Each file is compressed (zstd) exactly as published; `sha256` and `bytes` are those of the\n\
         # file as published, checked when the snapshot is loaded, as is each list's entry count.\n\n{}",
        toml::to_string_pretty(&manifest).map_err(|e| ListError::format(out.join("manifest.toml"), e.to_string()))?
    );
    let target = out.join("manifest.toml");
    std::fs::write(&target, text).map_err(|e| ListError::io(&target, e))?;
    Ok(Written { manifest, compressed_bytes })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_snapshot_matches_its_manifest() {
        let m = manifest().unwrap();
        assert_eq!(m.lists.len(), 3, "{m:?}");
        let started = std::time::Instant::now();
        let lists = load().unwrap();
        eprintln!("snapshot loaded in {:?}", started.elapsed());
        let sdn = lists.iter().find(|l| l.version.dataset == ofac::SDN_DATASET).unwrap();
        assert_eq!(sdn.version.entries, 14_972);
        assert!(!sdn.version.partial);
        assert_eq!(sdn.version.published.as_deref(), Some("2026-02-25"));
        assert_eq!(sdn.version.published_from.as_deref(), Some("manifest"));
        let un = lists.iter().find(|l| l.version.dataset == un::DATASET).unwrap();
        assert_eq!(un.version.published.as_deref(), Some("2026-02-27"));
        assert_eq!(un.version.published_from.as_deref(), Some("list"));
        let cons = lists.iter().find(|l| l.version.dataset == ofac::CONS_DATASET).unwrap();
        assert_eq!(cons.version.entries, 442);
        assert_eq!(cons.version.published.as_deref(), Some("2025-12-19"));
        // Every compiled-in file is named by the manifest.
        let named: Vec<&str> = m.lists.iter().flat_map(|l| l.files.iter().map(|f| f.name.as_str())).collect();
        for n in FILE_NAMES {
            assert!(named.contains(&n), "{n}");
        }
    }

    #[test]
    fn a_file_that_does_not_match_the_manifest_is_refused() {
        let m = manifest().unwrap();
        let mut l = m.lists[0].clone();
        l.files[0].sha256 = "00".repeat(32);
        let err = load_list(&l).unwrap_err().to_string();
        assert!(err.contains("but the manifest says"), "{err}");
        let mut l = m.lists[0].clone();
        l.entries += 1;
        assert!(load_list(&l).unwrap_err().to_string().contains("entries loaded, the manifest says"));
    }
}
