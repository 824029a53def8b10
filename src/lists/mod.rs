//! Reading sanctions lists from disk into [`LoadedList`]s.
//!
//! A list source is a folder (or a single file); its format is recognised
//! from the file names and content, so an operator can point cartelscreen at
//! an unpacked OFAC export, a UN XML file or a firm's own list alike.

pub mod error;
pub mod fetch;
pub mod ofac;
pub mod own_format;
pub mod registry;
pub mod remarks;
pub mod un;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::engine::model::LoadedList;
pub use error::ListError;

/// Loads every list found at `path`: a folder holding an OFAC SDN set, an
/// OFAC consolidated set, UN XML files and/or cartelscreen lists, or one file.
/// An empty result is an error: a source that yields nothing is a mistake.
pub fn load_path(path: &Path) -> Result<Vec<LoadedList>, ListError> {
    let meta = std::fs::metadata(path).map_err(|e| ListError::io(path, e))?;
    let mut lists = Vec::new();
    if meta.is_file() {
        lists.push(load_file(path)?);
        return Ok(lists);
    }
    if path.join("sdn.csv").is_file() {
        lists.push(ofac::load_sdn(path)?);
    }
    if path.join("cons_prim.csv").is_file() {
        lists.push(ofac::load_consolidated(path)?);
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
pub fn load_file(path: &Path) -> Result<LoadedList, ListError> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("").to_ascii_lowercase();
    if name == "sdn.csv" || name == "cons_prim.csv" {
        let dir = path.parent().unwrap_or(Path::new("."));
        return if name == "sdn.csv" { ofac::load_sdn(dir) } else { ofac::load_consolidated(dir) };
    }
    if name.ends_with(".xml") {
        return un::load_un(path);
    }
    if own_format::is_native_file_name(&name) {
        return own_format::load_native(path);
    }
    Err(ListError::NotRecognised { path: path.to_path_buf() })
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
