//! OFAC legacy CSV sets: the SDN list (`sdn.csv`, `alt.csv`, `add.csv`,
//! `sdn_comments.csv`) and the Consolidated (non-SDN) list (`cons_prim.csv`,
//! `cons_alt.csv`, `cons_add.csv`, `cons_comments.csv`).
//!
//! The files have no header, end lines in CRLF and end with a 0x1A byte;
//! `-0-` (usually `-0- `) stands for an empty field. The primary file holds
//! one row per entry (`ent_num,SDN_Name,SDN_Type,Program,Title,Call_Sign,
//! Vess_type,Tonnage,GRT,Vess_flag,Vess_owner,Remarks`); the others add
//! aliases (`ent_num,alt_num,alt_type,alt_name,alt_remarks`), addresses
//! (`ent_num,add_num,address,city_state_zip,country,add_remarks`) and the
//! continuation of remarks OFAC cut at 1,000 characters
//! (`ent_num,remarks_extended`).
//!
//! A file that is malformed (a wrong number of fields, a non-numeric
//! `ent_num`, an unterminated quote, a duplicate or empty primary entry, no
//! entry at all) is rejected with [`ListError::Format`] naming the file and
//! line: a truncated download shows up as one of these, and the service must
//! keep its previous list rather than load a partial one. Rows of the
//! secondary files whose entry is not in the primary file are skipped with a
//! warning (the official exports are not always consistent with each other).

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use rustc_hash::{FxHashMap, FxHashSet};

use super::remarks;
use crate::engine::model::{Address, Entity, EntityKind, Link, LinkVia, ListFormat, LoadedList, NameRole, VesselInfo};
use crate::lists::ListError;

pub const SDN_DATASET: &str = "us_ofac_sdn";
pub const SDN_TITLE: &str = "OFAC Specially Designated Nationals (SDN) List";
pub const CONS_DATASET: &str = "us_ofac_cons";
pub const CONS_TITLE: &str = "OFAC Consolidated Sanctions List (non-SDN)";

/// OFAC cuts the `Remarks` field at this many characters and puts the rest
/// in the comments file.
pub const REMARKS_CUT: usize = 1000;

const PRIM_FIELDS: usize = 12;
const ALT_FIELDS: usize = 5;
const ADD_FIELDS: usize = 6;
const COMMENTS_FIELDS: usize = 2;

/// How many example `ent_num`s a summarised warning lists.
const WARNING_EXAMPLES: usize = 5;

/// The file names of one OFAC set.
#[derive(Debug, Clone, Copy)]
pub struct SetFiles {
    pub prim: &'static str,
    pub alt: &'static str,
    pub add: &'static str,
    pub comments: &'static str,
}

pub const SDN_FILES: SetFiles =
    SetFiles { prim: "sdn.csv", alt: "alt.csv", add: "add.csv", comments: "sdn_comments.csv" };
pub const CONS_FILES: SetFiles =
    SetFiles { prim: "cons_prim.csv", alt: "cons_alt.csv", add: "cons_add.csv", comments: "cons_comments.csv" };

/// The file names used by a format (the SDN names for anything but the
/// consolidated list).
pub fn set_files(format: ListFormat) -> SetFiles {
    match format {
        ListFormat::OfacConsolidated => CONS_FILES,
        _ => SDN_FILES,
    }
}

/// How strictly a list's integrity is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Integrity {
    /// Lists about to be served: an OFAC file without its end-of-file
    /// marker (0x1A), or ending inside a record, is refused.
    #[default]
    Strict,
    /// Lists only compared (`lists diff`) or hand-made: the same findings
    /// are warnings.
    Lenient,
}

/// Loads the SDN set in `dir`: `sdn.csv` is required, `alt.csv`, `add.csv`
/// and `sdn_comments.csv` are read when present (a set without one of them
/// is partial).
///
/// # Errors
///
/// [`ListError`] when `sdn.csv` is missing or unreadable, or a file is malformed or cut.
pub fn load_sdn(dir: &Path) -> Result<LoadedList, ListError> {
    load_dir(dir, SDN_DATASET, SDN_TITLE, ListFormat::OfacSdn, Integrity::Strict)
}

/// Loads the Consolidated (non-SDN) set in `dir`: `cons_prim.csv` is
/// required, `cons_alt.csv`, `cons_add.csv` and `cons_comments.csv` are read
/// when present (a set without one of them is partial).
///
/// # Errors
///
/// [`ListError`] when `cons_prim.csv` is missing or unreadable, or a file is malformed or cut.
pub fn load_consolidated(dir: &Path) -> Result<LoadedList, ListError> {
    load_dir(dir, CONS_DATASET, CONS_TITLE, ListFormat::OfacConsolidated, Integrity::Strict)
}

/// [`load_sdn`] or [`load_consolidated`] (by `format`) with the given
/// integrity checks.
///
/// # Errors
/// [`ListError::Io`] when the primary file is missing or unreadable,
/// [`ListError::Format`] for a malformed file, [`ListError::Integrity`]
/// (strict only) for a file cut short.
pub fn load_set(dir: &Path, format: ListFormat, integrity: Integrity) -> Result<LoadedList, ListError> {
    match format {
        ListFormat::OfacConsolidated => load_dir(dir, CONS_DATASET, CONS_TITLE, format, integrity),
        _ => load_dir(dir, SDN_DATASET, SDN_TITLE, ListFormat::OfacSdn, integrity),
    }
}

/// Whether a (lower-case) file name belongs to an OFAC legacy CSV set.
pub fn is_ofac_file_name(lower_file_name: &str) -> bool {
    matches!(
        lower_file_name,
        "sdn.csv"
            | "alt.csv"
            | "add.csv"
            | "sdn_comments.csv"
            | "cons_prim.csv"
            | "cons_alt.csv"
            | "cons_add.csv"
            | "cons_comments.csv"
    )
}

/// The file of `dir` named `name` in any case (OFAC publishes `SDN.CSV`,
/// `ALT.CSV`...): the exact name first, else the first match ignoring case.
pub fn find_file(dir: &Path, name: &str) -> Option<PathBuf> {
    let exact = dir.join(name);
    if exact.is_file() {
        return Some(exact);
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.eq_ignore_ascii_case(name)))
        .collect();
    found.sort();
    found.into_iter().next()
}

fn load_dir(
    dir: &Path,
    dataset: &str,
    title: &str,
    format: ListFormat,
    integrity: Integrity,
) -> Result<LoadedList, ListError> {
    let files = set_files(format);
    let mut renamed = Vec::new();
    let mut read = |name: &str| -> Result<Option<Vec<u8>>, ListError> {
        match find_file(dir, name) {
            Some(p) => {
                let actual = p.file_name().and_then(|n| n.to_str()).unwrap_or(name).to_string();
                if actual != name {
                    renamed.push(format!("{actual}: file name in another case, read as {name}"));
                }
                super::read_bytes(&p).map(Some)
            }
            None => Ok(None),
        }
    };
    // A missing primary file is an I/O error naming it (`alt.csv` and
    // friends alone are not a list).
    let prim = match read(files.prim)? {
        Some(b) => b,
        None => super::read_bytes(&dir.join(files.prim))?,
    };
    let alt = read(files.alt)?;
    let add = read(files.add)?;
    let comments = read(files.comments)?;
    let mut list = parse_set_with(
        integrity,
        dataset,
        title,
        format,
        dir.display().to_string(),
        &prim,
        alt.as_deref(),
        add.as_deref(),
        comments.as_deref(),
    )?;
    list.warnings.splice(0..0, renamed);
    Ok(list)
}

/// Parses an OFAC set held in memory (the loaders read the files and call
/// this). `source` is the folder the files came from; error paths are
/// `source/<file name>`. The version hash covers the files present, in the
/// order primary, alt, add, comments.
///
/// # Errors
///
/// [`ListError::Format`] or [`ListError::Integrity`] naming the file and line when a file is
/// malformed or cut.
#[allow(clippy::too_many_arguments)]
pub fn parse_set(
    dataset: &str,
    title: &str,
    format: ListFormat,
    source: String,
    prim: &[u8],
    alt: Option<&[u8]>,
    add: Option<&[u8]>,
    comments: Option<&[u8]>,
) -> Result<LoadedList, ListError> {
    parse_set_with(Integrity::Strict, dataset, title, format, source, prim, alt, add, comments)
}

/// [`parse_set`] with the given integrity checks. A set without one of its
/// secondary files is loaded and marked partial
/// ([`crate::engine::model::ListVersion::partial`]).
///
/// # Errors
/// [`ListError::Format`] for a malformed file, [`ListError::Integrity`]
/// (strict only) for a file without its end-of-file marker or cut inside a
/// record.
#[allow(clippy::too_many_arguments)]
pub fn parse_set_with(
    integrity: Integrity,
    dataset: &str,
    title: &str,
    format: ListFormat,
    source: String,
    prim: &[u8],
    alt: Option<&[u8]>,
    add: Option<&[u8]>,
    comments: Option<&[u8]>,
) -> Result<LoadedList, ListError> {
    let files = set_files(format);
    let sha256 = super::content_sha256([Some(prim), alt, add, comments].into_iter().flatten());
    let dir = PathBuf::from(&source);
    let mut warnings = Vec::new();
    for (name, bytes) in [(files.prim, Some(prim)), (files.alt, alt), (files.add, add), (files.comments, comments)] {
        if let Some(b) = bytes {
            check_ending(b, &dir.join(name), name, integrity, &mut warnings)?;
        }
    }
    let missing: Vec<String> = [(files.alt, alt), (files.add, add), (files.comments, comments)]
        .iter()
        .filter(|(_, b)| b.is_none())
        .map(|(n, _)| n.to_string())
        .collect();
    if !missing.is_empty() {
        warnings.push(format!(
            "partial set: {} missing (the entries lack the names, addresses or remarks those files hold)",
            missing.join(", ")
        ));
    }

    // Primary file.
    let prim_path = dir.join(files.prim);
    let prim_text = decode(prim, files.prim, &mut warnings);
    let prim_rows = parse_csv(&prim_text, &prim_path, PRIM_FIELDS, &mut warnings)?;
    if prim_rows.is_empty() {
        return Err(ListError::format(&prim_path, "no entries (empty file)"));
    }
    let mut index: FxHashMap<u64, usize> = FxHashMap::default();
    index.reserve(prim_rows.len());
    let mut entities: Vec<Entity> = Vec::with_capacity(prim_rows.len());
    let mut raw_remarks: Vec<Option<Cow<'_, str>>> = Vec::with_capacity(prim_rows.len());
    let mut untyped: Vec<bool> = Vec::with_capacity(prim_rows.len());
    let mut unknown_types: Vec<String> = Vec::new();
    for row in &prim_rows {
        let f = &row.fields;
        let ent = ent_num(&f[0], &prim_path, row.line)?;
        if let Some(&i) = index.get(&ent) {
            return Err(ListError::format(
                &prim_path,
                format!("line {}: duplicate ent_num {ent} (first on line {})", row.line, prim_rows[i].line),
            ));
        }
        let name = value(&f[1])
            .ok_or_else(|| ListError::format(&prim_path, format!("line {}: empty name for ent_num {ent}", row.line)))?;
        let sdn_type = value(&f[2]);
        let kind = match sdn_type.map(str::to_ascii_lowercase).as_deref() {
            None => None,
            Some("individual") => Some(EntityKind::Person),
            Some("vessel") => Some(EntityKind::Vessel),
            Some("aircraft") => Some(EntityKind::Aircraft),
            Some(other) => {
                let k = EntityKind::parse(other);
                if k.is_none() && unknown_types.len() < WARNING_EXAMPLES {
                    unknown_types.push(format!("{ent} ({other})"));
                }
                k
            }
        };
        let mut e = Entity::new(format!("ofac-{ent}"), dataset, kind.unwrap_or(EntityKind::Organization));
        e.add_name(name, NameRole::Primary);
        e.programs = split_programs(&f[3]);
        let vessel = VesselInfo {
            call_sign: value(&f[5]).map(str::to_string),
            vessel_type: value(&f[6]).map(str::to_string),
            // `Tonnage` (deadweight) when given, otherwise `GRT`.
            tonnage: value(&f[7]).or_else(|| value(&f[8])).map(str::to_string),
            flag: value(&f[9]).map(str::to_string),
            owner: value(&f[10]).map(str::to_string),
        };
        if vessel != VesselInfo::default() {
            e.vessel = Some(vessel);
        }
        // The `Title` column (f[4]) is not kept: the model has no field for it.
        // Remarks are kept untrimmed: a cut can fall right after a space.
        raw_remarks.push(value(&f[11]).is_some().then(|| f[11].clone()));
        untyped.push(kind.is_none());
        index.insert(ent, entities.len());
        entities.push(e);
    }
    if !unknown_types.is_empty() {
        warnings.push(format!(
            "{}: unknown SDN_Type on some entries, typed from their name and remarks: {}",
            files.prim,
            unknown_types.join(", ")
        ));
    }

    // Aliases.
    if let Some(bytes) = alt {
        let path = dir.join(files.alt);
        let text = decode(bytes, files.alt, &mut warnings);
        let rows = parse_csv(&text, &path, ALT_FIELDS, &mut warnings)?;
        let mut orphans = Orphans::default();
        let mut empty_names = 0usize;
        let mut unknown_roles: Vec<String> = Vec::new();
        for row in &rows {
            let f = &row.fields;
            let ent = ent_num(&f[0], &path, row.line)?;
            let Some(&i) = index.get(&ent) else {
                orphans.add(ent);
                continue;
            };
            let Some(name) = value(&f[3]) else {
                empty_names += 1;
                continue;
            };
            let role = match value(&f[2]).map(str::to_ascii_lowercase).as_deref() {
                Some("aka") | Some("a.k.a.") => NameRole::Aka,
                Some("fka") | Some("f.k.a.") => NameRole::Fka,
                Some("nka") | Some("n.k.a.") => NameRole::Nka,
                other => {
                    if unknown_roles.len() < WARNING_EXAMPLES {
                        unknown_roles.push(format!("line {} ({})", row.line, other.unwrap_or("")));
                    }
                    NameRole::Aka
                }
            };
            entities[i].add_name(name, role);
        }
        orphans.warn(files.alt, files.prim, &mut warnings);
        if empty_names > 0 {
            warnings.push(format!("{}: {empty_names} rows without a name (skipped)", files.alt));
        }
        if !unknown_roles.is_empty() {
            warnings.push(format!("{}: unknown alt_type, read as aka: {}", files.alt, unknown_roles.join(", ")));
        }
    }

    // Addresses.
    if let Some(bytes) = add {
        let path = dir.join(files.add);
        let text = decode(bytes, files.add, &mut warnings);
        let rows = parse_csv(&text, &path, ADD_FIELDS, &mut warnings)?;
        let mut orphans = Orphans::default();
        for row in &rows {
            let f = &row.fields;
            let ent = ent_num(&f[0], &path, row.line)?;
            let Some(&i) = index.get(&ent) else {
                orphans.add(ent);
                continue;
            };
            let address = Address {
                street: value(&f[2]).map(str::to_string),
                city: value(&f[3]).map(str::to_string),
                country: value(&f[4]).map(str::to_string),
            };
            let e = &mut entities[i];
            // `c/o NAME`: OFAC's older way of naming a person's companies.
            if let Some(name) = address.street.as_deref().and_then(care_of) {
                if !e.links.iter().any(|l| l.name == name) {
                    e.links.push(Link { name: name.to_string(), target: None, via: LinkVia::CareOf });
                }
            }
            if address != Address::default() && !e.addresses.contains(&address) {
                e.addresses.push(address);
            }
        }
        orphans.warn(files.add, files.prim, &mut warnings);
    }

    // Remarks continuations.
    if let Some(bytes) = comments {
        let path = dir.join(files.comments);
        let text = decode(bytes, files.comments, &mut warnings);
        let rows = parse_csv(&text, &path, COMMENTS_FIELDS, &mut warnings)?;
        let mut orphans = Orphans::default();
        let mut mismatched = Orphans::default();
        let mut continued: FxHashSet<usize> = FxHashSet::default();
        for row in &rows {
            let f = &row.fields;
            let ent = ent_num(&f[0], &path, row.line)?;
            let Some(&i) = index.get(&ent) else {
                orphans.add(ent);
                continue;
            };
            if value(&f[1]).is_none() {
                continue;
            }
            let remarks = &mut raw_remarks[i];
            if continued.contains(&i) {
                // A further row of the same continuation.
                if let Some(r) = remarks.as_mut() {
                    r.to_mut().push_str(&f[1]);
                }
                continue;
            }
            match remarks.as_mut() {
                Some(r) if is_cut(r) => {
                    // The cut falls anywhere, even inside a word or right
                    // after a space: join without a separator.
                    r.to_mut().push_str(&f[1]);
                    continued.insert(i);
                }
                // Remarks that are complete (shorter than the cut and ending
                // in a period) or absent: the continuation belongs to another
                // version of the entry (the files come from different
                // exports). Appending it would corrupt the remarks.
                _ => mismatched.add(ent),
            }
        }
        orphans.warn(files.comments, files.prim, &mut warnings);
        if mismatched.rows > 0 {
            warnings.push(format!(
                "{}: {} continuation rows skipped because the {} remarks of their entries are not cut \
                 (the files come from different exports): ent_num {}",
                files.comments,
                mismatched.rows,
                files.prim,
                mismatched.examples()
            ));
        }
    }

    // Remarks facts, and the kind of untyped entries.
    for ((e, raw), untyped) in entities.iter_mut().zip(raw_remarks).zip(untyped) {
        let text = raw.as_deref().map(str::trim).filter(|t| !t.is_empty() && *t != "-0-");
        let facts = text.map(remarks::parse_remarks);
        if untyped {
            e.kind = facts.as_ref().and_then(|f| f.kind_hint()).unwrap_or_else(|| {
                if crate::engine::reference::has_legal_form(e.caption()) {
                    EntityKind::Company
                } else {
                    EntityKind::Organization
                }
            });
        }
        if let Some(f) = facts {
            remarks::apply(f, e);
        }
        e.remarks = text.map(str::to_string);
    }

    let mut list = LoadedList::new(dataset, title, format, source, sha256, None, entities, warnings);
    list.version.partial = !missing.is_empty();
    list.version.missing_files = missing;
    Ok(list)
}

/// Checks how an OFAC file ends: the official exports end every record
/// with a line end and the file with a 0x1A byte, so a file without the
/// marker was cut short (or not saved as published) and one whose last
/// record has no line end before the marker was cut inside a record.
/// Refused when `integrity` is strict, a warning otherwise. Also warns
/// (never refuses) on a byte-order mark and on LF line ends.
fn check_ending(
    bytes: &[u8],
    path: &Path,
    file: &str,
    integrity: Integrity,
    warnings: &mut Vec<String>,
) -> Result<(), ListError> {
    let lines = || bytes.iter().filter(|&&b| b == b'\n').count() + 1;
    let mut problem = None;
    match bytes.iter().rposition(|&b| !matches!(b, b' ' | b'\t')) {
        None => {}
        Some(last) if bytes[last] != 0x1A => {
            problem = Some(format!(
                "line {}: the file ends without OFAC's end-of-file marker (0x1A): it is cut short",
                lines()
            ));
        }
        Some(last) => {
            let body = &bytes[..last];
            if body.iter().any(|b| !b.is_ascii_whitespace()) && body.last() != Some(&b'\n') {
                problem = Some(format!(
                    "line {}: the last record ends without a line end before the end-of-file marker: it is cut",
                    lines()
                ));
            }
        }
    }
    if let Some(p) = problem {
        match integrity {
            Integrity::Strict => return Err(ListError::Integrity { path: path.to_path_buf(), message: p }),
            Integrity::Lenient => warnings.push(format!("{file}: {p} (not checked here)")),
        }
    }
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        warnings.push(format!("{file}: line 1: a byte-order mark, which OFAC does not publish (tolerated)"));
    }
    if let Some(nl) = bytes.iter().position(|&b| b == b'\n') {
        if nl == 0 || bytes[nl - 1] != b'\r' {
            warnings.push(format!("{file}: line 1: lines end in LF, not CRLF as OFAC publishes them (tolerated)"));
        }
    }
    Ok(())
}

/// Whether a remarks field looks cut by OFAC: as long as the cut, or not
/// ending with the period that ends complete remarks.
fn is_cut(raw: &str) -> bool {
    raw.chars().count() >= REMARKS_CUT || !raw.trim_end().ends_with('.')
}

/// Splits the `Program` field: `SDNTK] [FTO] [SDGT` (or `[SDNTK] [FTO]`)
/// gives `SDNTK`, `FTO`, `SDGT`.
pub fn split_programs(field: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in field.split(['[', ']']) {
        let p = p.trim();
        if p.is_empty() || p == "-0-" {
            continue;
        }
        if !out.iter().any(|x| x == p) {
            out.push(p.to_string());
        }
    }
    out
}

/// Rows of a secondary file whose entry is not in the primary file.
#[derive(Default)]
struct Orphans {
    rows: usize,
    entries: FxHashSet<u64>,
    first: Vec<u64>,
}

impl Orphans {
    fn add(&mut self, ent: u64) {
        self.rows += 1;
        if self.entries.insert(ent) && self.first.len() < WARNING_EXAMPLES {
            self.first.push(ent);
        }
    }

    fn examples(&self) -> String {
        let mut s: Vec<String> = self.first.iter().map(u64::to_string).collect();
        if self.entries.len() > self.first.len() {
            s.push("...".to_string());
        }
        s.join(", ")
    }

    fn warn(&self, file: &str, prim: &str, warnings: &mut Vec<String>) {
        if self.rows == 0 {
            return;
        }
        warnings.push(format!(
            "{file}: {} rows for {} entries not in {prim} (skipped), e.g. ent_num {}",
            self.rows,
            self.entries.len(),
            self.examples()
        ));
    }
}

/// A field's value: trimmed, `None` when empty or `-0-`.
fn value(field: &str) -> Option<&str> {
    let t = field.trim();
    (!t.is_empty() && t != "-0-").then_some(t)
}

fn ent_num(field: &str, path: &Path, line: usize) -> Result<u64, ListError> {
    let t = field.trim();
    if !t.is_empty() && t.len() <= 18 && t.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(n) = t.parse() {
            return Ok(n);
        }
    }
    Err(ListError::format(path, format!("line {line}: ent_num {t:?} is not a number")))
}

// ---------------------------------------------------------------------------
// Decoding and CSV
// ---------------------------------------------------------------------------

/// The text of a file: the trailing 0x1A (and line ends) and a UTF-8 BOM
/// removed, decoded as UTF-8, or as Windows-1252 when it is not valid UTF-8.
fn decode<'a>(bytes: &'a [u8], file: &str, warnings: &mut Vec<String>) -> Cow<'a, str> {
    let mut end = bytes.len();
    while end > 0 && matches!(bytes[end - 1], 0x1A | b'\r' | b'\n') {
        end -= 1;
    }
    let mut b = &bytes[..end];
    if let Some(rest) = b.strip_prefix(b"\xEF\xBB\xBF") {
        b = rest;
    }
    match std::str::from_utf8(b) {
        Ok(s) => Cow::Borrowed(s),
        Err(e) => {
            warnings.push(format!(
                "{file}: not valid UTF-8 (first bad byte at offset {}), read as Windows-1252",
                e.valid_up_to()
            ));
            Cow::Owned(decode_cp1252(b))
        }
    }
}

/// Windows-1252 as the WHATWG encoding standard defines it (the five
/// bytes it leaves undefined map to the C1 controls, as in Latin-1).
pub fn decode_cp1252(bytes: &[u8]) -> String {
    encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0.into_owned()
}

/// The name an address `c/o NAME` (or `C/O NAME`) is in care of.
fn care_of(street: &str) -> Option<&str> {
    let s = street.trim();
    let rest = s.get(..4).filter(|p| p.eq_ignore_ascii_case("c/o ")).map(|_| &s[4..])?;
    let name = rest.trim().trim_end_matches('.').trim();
    (!name.is_empty()).then_some(name)
}

/// One CSV record and the line it starts on (1-based).
struct Record<'a> {
    line: usize,
    fields: Vec<Cow<'a, str>>,
}

/// Parses headerless CSV (CRLF or LF line ends, `"` quoting with `""`
/// escapes, quoted fields may span lines). Every record must have
/// `expected` fields. Blank lines are skipped.
///
/// A double quote inside a quoted field that is neither doubled nor
/// followed by a delimiter or line end (a bare quote, as in `"THE "X" CO"`,
/// which OFAC has published) is read as a literal quote, with a warning
/// naming the file and line.
fn parse_csv<'a>(
    text: &'a str,
    path: &Path,
    expected: usize,
    warnings: &mut Vec<String>,
) -> Result<Vec<Record<'a>>, ListError> {
    let b = text.as_bytes();
    let n = b.len();
    let mut records = Vec::with_capacity(n / 128 + 1);
    let mut bare_quotes: Vec<usize> = Vec::new();
    let mut i = 0;
    let mut line = 1;
    while i < n {
        // Skip blank lines (and lines of spaces only).
        let mut j = i;
        while j < n && matches!(b[j], b' ' | b'\t') {
            j += 1;
        }
        if j >= n {
            break;
        }
        if b[j] == b'\r' || b[j] == b'\n' {
            if b[j] == b'\r' && j + 1 < n && b[j + 1] == b'\n' {
                j += 1;
            }
            line += 1;
            i = j + 1;
            continue;
        }
        let start_line = line;
        let mut fields: Vec<Cow<'a, str>> = Vec::with_capacity(expected);
        loop {
            // One field starting at i.
            if i < n && b[i] == b'"' {
                let start = i + 1;
                let mut k = start;
                let mut escaped = false;
                let end = loop {
                    match b[k..].iter().position(|&c| c == b'"' || c == b'\n') {
                        None => {
                            return Err(ListError::format(
                                path,
                                format!("line {start_line}: unterminated quoted field (is the file truncated?)"),
                            ))
                        }
                        Some(p) => {
                            let q = k + p;
                            if b[q] == b'\n' {
                                line += 1;
                                k = q + 1;
                            } else if q + 1 < n && b[q + 1] == b'"' {
                                escaped = true;
                                k = q + 2;
                            } else if is_closing_quote(b, q) {
                                break q;
                            } else {
                                // A bare quote inside the field: literal.
                                bare_quotes.push(line);
                                k = q + 1;
                            }
                        }
                    }
                };
                let raw = &text[start..end];
                fields.push(if escaped { Cow::Owned(raw.replace("\"\"", "\"")) } else { Cow::Borrowed(raw) });
                i = end + 1;
                while i < n && matches!(b[i], b' ' | b'\t') {
                    i += 1;
                }
                if i < n && !matches!(b[i], b',' | b'\r' | b'\n') {
                    return Err(ListError::format(
                        path,
                        format!("line {line}: unexpected character after a closing quote"),
                    ));
                }
            } else {
                let start = i;
                while i < n && !matches!(b[i], b',' | b'\r' | b'\n') {
                    i += 1;
                }
                let raw = &text[start..i];
                if i >= n && matches!(raw.trim(), "-" | "-0") {
                    // The file ends inside a `-0-`.
                    return Err(ListError::format(
                        path,
                        format!("line {line}: the file ends inside a field (is the file truncated?)"),
                    ));
                }
                fields.push(Cow::Borrowed(raw));
            }
            // At a delimiter or the end.
            if i < n && b[i] == b',' {
                i += 1;
                continue;
            }
            if i < n && b[i] == b'\r' {
                i += 1;
            }
            if i < n && b[i] == b'\n' {
                i += 1;
            }
            line += 1;
            break;
        }
        if fields.len() != expected {
            return Err(ListError::format(
                path,
                format!(
                    "line {start_line}: expected {expected} fields, found {} (is the file truncated?)",
                    fields.len()
                ),
            ));
        }
        records.push(Record { line: start_line, fields });
    }
    if !bare_quotes.is_empty() {
        let file = path.file_name().and_then(|f| f.to_str()).unwrap_or("");
        let mut lines = bare_quotes.clone();
        lines.dedup();
        let shown: Vec<String> = lines.iter().take(WARNING_EXAMPLES).map(usize::to_string).collect();
        warnings.push(format!(
            "{file}: line {}: {} bare double quote(s) inside quoted fields, read as literal quotes (tolerated)",
            shown.join(", line "),
            bare_quotes.len()
        ));
    }
    Ok(records)
}

/// Whether the quote at `q` closes its field: it is followed (after spaces)
/// by a delimiter, a line end or the end of the text.
fn is_closing_quote(b: &[u8], q: usize) -> bool {
    let mut i = q + 1;
    while i < b.len() && matches!(b[i], b' ' | b'\t') {
        i += 1;
    }
    i >= b.len() || matches!(b[i], b',' | b'\r' | b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::model::{BirthDate, IdScheme};

    const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/ofac-synthetic");
    const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data");

    fn shared(sub: &str) -> PathBuf {
        let p = Path::new(SHARED).join(sub);
        assert!(
            p.is_dir(),
            "shared list data missing: {} (the real OFAC files are expected at ../shared/data)",
            p.display()
        );
        p
    }

    /// Parsed leniently: these tests check records, not how the file ends.
    fn sdn(prim: &str) -> Result<LoadedList, ListError> {
        parse_set_with(
            Integrity::Lenient,
            SDN_DATASET,
            SDN_TITLE,
            ListFormat::OfacSdn,
            "mem".into(),
            prim.as_bytes(),
            None,
            None,
            None,
        )
    }

    fn sdn_set(prim: &str, alt: &str, add: &str, comments: &str) -> Result<LoadedList, ListError> {
        parse_set_with(
            Integrity::Lenient,
            SDN_DATASET,
            SDN_TITLE,
            ListFormat::OfacSdn,
            "mem".into(),
            prim.as_bytes(),
            Some(alt.as_bytes()),
            Some(add.as_bytes()),
            Some(comments.as_bytes()),
        )
    }

    fn entity<'a>(l: &'a LoadedList, id: &str) -> &'a Entity {
        l.entities.iter().find(|e| e.id == id).unwrap_or_else(|| panic!("{id} missing"))
    }

    /// The error of a list refused as broken or cut (a format error, or an
    /// integrity error for a file without its end-of-file marker).
    fn refusal(r: Result<LoadedList, ListError>) -> String {
        match r {
            Err(e @ (ListError::Format { .. } | ListError::Integrity { .. })) => e.to_string(),
            Err(e) => panic!("expected a refusal, got {e}"),
            Ok(l) => panic!("expected a refusal, got {} entries", l.entities.len()),
        }
    }

    fn format_error(r: Result<LoadedList, ListError>) -> String {
        match r {
            Err(e @ ListError::Format { .. }) => e.to_string(),
            Err(e) => panic!("expected a format error, got {e}"),
            Ok(l) => panic!("expected a format error, got {} entries", l.entities.len()),
        }
    }

    const ROW_PERSON: &str = "101,\"FALSO PEREZ, Juan\",\"individual\",\"SDNTK] [FTO] [SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"DOB 01 Feb 1970; POB Culiacan, Sinaloa, Mexico; nationality Mexico; Gender Male; C.U.R.P. FAPJ700201HSLLRN09 (Mexico); a.k.a. 'El Falso'; Linked To: CARTEL DE PRUEBA DEL SUR.\"";
    const ROW_ORG: &str = "102,\"CARTEL DE PRUEBA DEL SUR\",-0- ,\"SDNTK] [FTO\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"Target Type Criminal Organization.\"";
    const ROW_CO: &str = "103,\"INVERSIONES FICTICIAS, S.A. DE C.V.\",-0- ,\"SDNTK\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"R.F.C. IFI-990101-AB1 (Mexico).\"";

    #[test]
    fn parses_crlf_eof_and_empty_markers() {
        let text = format!("{ROW_PERSON}\r\n{ROW_ORG}\r\n{ROW_CO}\r\n\x1a");
        let l = sdn(&text).unwrap();
        assert_eq!(l.entities.len(), 3);
        assert!(l.warnings.iter().all(|w| w.starts_with("partial set: ")), "{:?}", l.warnings);
        let p = entity(&l, "ofac-101");
        assert_eq!(p.kind, EntityKind::Person);
        assert_eq!(p.list, SDN_DATASET);
        assert_eq!(p.caption(), "FALSO PEREZ, Juan");
        assert_eq!(p.programs, vec!["SDNTK", "FTO", "SDGT"]);
        assert_eq!(p.birth_dates, vec![BirthDate::ymd(1970, 2, 1)]);
        assert_eq!(p.identifiers[0].scheme, IdScheme::Curp);
        assert_eq!(p.names[1].full, "El Falso");
        assert_eq!(p.names[1].role, NameRole::WeakAlias);
        assert_eq!(p.links[0].name, "CARTEL DE PRUEBA DEL SUR");
        assert!(p.vessel.is_none());
        assert!(p.remarks.as_deref().unwrap().ends_with("SUR."));
        assert_eq!(entity(&l, "ofac-102").kind, EntityKind::Organization);
        let co = entity(&l, "ofac-103");
        assert_eq!(co.kind, EntityKind::Company);
        assert_eq!(co.identifiers[0].value, "IFI-990101-AB1");
        assert_eq!(l.version.by_kind.get("person"), Some(&1));
        assert_eq!(l.version.published, None);
        assert_eq!(l.version.format, ListFormat::OfacSdn);
        // `-0-` fields are empty, with or without the trailing space.
        let bare = sdn("7,\"NADA\",-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-").unwrap();
        let e = &bare.entities[0];
        assert!(e.programs.is_empty() && e.remarks.is_none() && e.vessel.is_none());
        assert_eq!(e.kind, EntityKind::Organization);
    }

    #[test]
    fn tolerates_lf_and_missing_eof_byte() {
        let crlf = format!("{ROW_PERSON}\r\n{ROW_ORG}\r\n\x1a");
        let lf = format!("{ROW_PERSON}\n{ROW_ORG}");
        let a = sdn(&crlf).unwrap();
        let b = sdn(&lf).unwrap();
        assert_eq!(a.entities, b.entities);
        assert_ne!(a.version.sha256, b.version.sha256);
        // Blank lines are skipped.
        assert_eq!(sdn(&format!("\r\n{ROW_PERSON}\r\n\r\n{ROW_ORG}\r\n\r\n")).unwrap().entities.len(), 2);
    }

    #[test]
    fn latin1_fallback() {
        let mut bytes = b"5,\"PE\xd1A GARC\xcdA, Jos\xe9\",\"individual\",\"SDNTK\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"POB Torre\xf3n, Coahuila; a.k.a. \x93El Ni\xf1o\x94.\"\r\n".to_vec();
        bytes.push(0x1a);
        let l = parse_set(SDN_DATASET, SDN_TITLE, ListFormat::OfacSdn, "mem".into(), &bytes, None, None, None).unwrap();
        let e = &l.entities[0];
        assert_eq!(e.caption(), "PEÑA GARCÍA, José");
        assert_eq!(e.birth_places, vec!["Torreón, Coahuila"]);
        assert!(e.remarks.as_deref().unwrap().contains("\u{201C}El Niño\u{201D}"));
        // sdn.csv alone: a partial set, said in a warning of its own.
        assert_eq!(l.warnings.len(), 2, "{:?}", l.warnings);
        assert!(l.warnings.iter().any(|w| w.contains("Windows-1252")), "{:?}", l.warnings);
        assert_eq!(decode_cp1252(b"\x80\x81A\xff"), "\u{20AC}\u{81}A\u{ff}");
    }

    #[test]
    fn programs_splitting() {
        assert_eq!(split_programs("SDNTK] [FTO] [SDGT"), vec!["SDNTK", "FTO", "SDGT"]);
        assert_eq!(split_programs("[SDNTK] [FTO]"), vec!["SDNTK", "FTO"]);
        assert_eq!(split_programs("SDNTK"), vec!["SDNTK"]);
        assert_eq!(split_programs("NPWMD] [CAATSA - RUSSIA"), vec!["NPWMD", "CAATSA - RUSSIA"]);
        assert_eq!(split_programs("SDGT] [SDGT"), vec!["SDGT"]);
        assert!(split_programs("-0- ").is_empty());
        assert!(split_programs("").is_empty());
    }

    #[test]
    fn alt_add_comments_and_orphans() {
        let prim = format!("{ROW_PERSON}\r\n{ROW_ORG}\r\n\x1a");
        let alt = "101,1,\"aka\",\"FALSO, Juanito\",-0- \r\n102,2,\"AKA\",\"CPS\",-0- \r\n102,3,\"fka\",\"LOS DE PRUEBA\",-0- \r\n\
                   102,4,\"nka\",\"NUEVO CARTEL DE PRUEBA\",-0- \r\n999,5,\"aka\",\"HUERFANO\",-0- \r\n998,6,\"aka\",\"HUERFANO DOS\",-0- \r\n\
                   998,7,\"aka\",\"HUERFANO TRES\",-0- \r\n\x1a";
        let add =
            "101,1,\"Calle Falsa 123\",\"Culiacan, Sinaloa\",\"Mexico\",-0- \r\n102,2,-0- ,-0- ,\"Mexico\",-0- \r\n\
                   102,3,-0- ,-0- ,-0- ,-0- \r\n997,4,-0- ,-0- ,\"Mexico\",-0- \r\n\x1a";
        let comments = "996,\"lost continuation.\"\r\n\x1a";
        let l = sdn_set(&prim, alt, add, comments).unwrap();
        let p = entity(&l, "ofac-101");
        assert_eq!(
            p.names.iter().map(|n| (n.full.as_str(), n.role)).collect::<Vec<_>>(),
            vec![
                ("FALSO PEREZ, Juan", NameRole::Primary),
                ("FALSO, Juanito", NameRole::Aka),
                ("El Falso", NameRole::WeakAlias),
            ]
        );
        assert_eq!(
            p.addresses,
            vec![Address {
                street: Some("Calle Falsa 123".into()),
                city: Some("Culiacan, Sinaloa".into()),
                country: Some("Mexico".into()),
            }]
        );
        let o = entity(&l, "ofac-102");
        let roles: Vec<NameRole> = o.names.iter().map(|n| n.role).collect();
        assert_eq!(roles, vec![NameRole::Primary, NameRole::Aka, NameRole::Fka, NameRole::Nka]);
        assert_eq!(o.addresses, vec![Address { country: Some("Mexico".into()), ..Address::default() }]);
        assert_eq!(l.warnings.len(), 3, "{:?}", l.warnings);
        assert!(
            l.warnings[0].starts_with("alt.csv: 3 rows for 2 entries not in sdn.csv (skipped)"),
            "{}",
            l.warnings[0]
        );
        assert!(l.warnings[1].starts_with("add.csv: 1 rows for 1 entries"), "{}", l.warnings[1]);
        assert!(l.warnings[2].starts_with("sdn_comments.csv: 1 rows"), "{}", l.warnings[2]);
    }

    #[test]
    fn comments_continue_cut_remarks() {
        // Cut mid-word, right after a space, and complete remarks whose
        // continuation comes from another export.
        let prim = "1,\"UNO\",-0- ,\"SDNTK\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"DOB 1970; a.k.a. 'EL CORT\"\r\n\
                    2,\"DOS\",-0- ,\"SDNTK\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"Secondary sanctions risk: Fake Regulations section \"\r\n\
                    3,\"TRES\",-0- ,\"SDNTK\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"Target Type Private Company.\"\r\n\x1a";
        let comments = "1,\"ADO'; Linked To: CARTEL DE PRUEBA DEL SUR.\"\r\n2,\"510.214; a.k.a. 'DOS BIS'.\"\r\n\
                        3,\"123; a.k.a. 'INCONSISTENTE'.\"\r\n\x1a";
        let l = sdn_set(prim, "", "", comments).unwrap();
        let uno = entity(&l, "ofac-1");
        assert_eq!(uno.remarks.as_deref(), Some("DOB 1970; a.k.a. 'EL CORTADO'; Linked To: CARTEL DE PRUEBA DEL SUR."));
        assert_eq!(uno.names[1].full, "EL CORTADO");
        assert_eq!(uno.links[0].name, "CARTEL DE PRUEBA DEL SUR");
        let dos = entity(&l, "ofac-2");
        assert_eq!(dos.secondary_sanctions_risk, vec!["Fake Regulations section 510.214"]);
        let tres = entity(&l, "ofac-3");
        assert_eq!(tres.remarks.as_deref(), Some("Target Type Private Company."));
        assert_eq!(tres.kind, EntityKind::Company);
        assert_eq!(tres.names.len(), 1);
        assert_eq!(l.warnings.len(), 1, "{:?}", l.warnings);
        assert!(l.warnings[0].contains("not cut"), "{}", l.warnings[0]);
    }

    #[test]
    fn vessel_columns() {
        let l = sdn("9,\"FAKE STAR\",\"vessel\",\"CUBA\",-0- ,\"XYZ123\",\"Tug\",\"1,200\",\"800\",\"Panama\",\"Naviera Falsa S.A.\",\"Vessel Registration Identification IMO 9999991.\"\r\n10,\"FAKE JET\",\"aircraft\",\"CUBA\",-0- ,-0- ,-0- ,-0- ,\"50\",-0- ,-0- ,-0- \r\n").unwrap();
        let v = &l.entities[0];
        assert_eq!(v.kind, EntityKind::Vessel);
        assert_eq!(
            v.vessel,
            Some(VesselInfo {
                call_sign: Some("XYZ123".into()),
                vessel_type: Some("Tug".into()),
                flag: Some("Panama".into()),
                owner: Some("Naviera Falsa S.A.".into()),
                tonnage: Some("1,200".into()),
            })
        );
        assert_eq!(v.identifiers[0].scheme, IdScheme::Imo);
        assert_eq!(v.identifiers[0].value, "9999991");
        assert_eq!(l.entities[1].kind, EntityKind::Aircraft);
        assert_eq!(l.entities[1].vessel.as_ref().unwrap().tonnage.as_deref(), Some("50"));
    }

    #[test]
    fn quoted_fields_with_escapes_and_newlines() {
        let l = sdn("1,\"SAY \"\"HI\"\", LTD\",-0- ,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"line one\r\nline two.\"\r\n2,\"B\",-0- ,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n").unwrap();
        assert_eq!(l.entities[0].caption(), "SAY \"HI\", LTD");
        assert_eq!(l.entities[0].kind, EntityKind::Company);
        assert_eq!(l.entities.len(), 2);
        // The second record starts on line 3; its errors say so.
        let err = format_error(sdn("1,\"A\r\nB\",-0- ,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n2,\"B\"\r\n"));
        assert!(err.contains("line 3:"), "{err}");
    }

    #[test]
    fn rejects_broken_files() {
        let ok = format!("{ROW_PERSON}\r\n{ROW_ORG}\r\n");
        // Wrong field count.
        let err = format_error(sdn(&format!("{ok}104,\"X\",-0- ,\"SDNTK\"\r\n")));
        assert!(err.contains("mem/sdn.csv") && err.contains("line 3: expected 12 fields, found 4"), "{err}");
        // Non-numeric ent_num.
        let err = format_error(sdn(&format!("{ok}{}", ROW_CO.replacen("103", "10x", 1))));
        assert!(err.contains("line 3: ent_num \"10x\" is not a number"), "{err}");
        // Unterminated quote.
        let err = format_error(sdn(&format!("{ok}{}", &ROW_CO[..ROW_CO.len() - 5])));
        assert!(err.contains("line 3: unterminated quoted field"), "{err}");
        // Duplicate ent_num.
        let err = format_error(sdn(&format!("{ok}{}", ROW_ORG.replacen("102", "101", 1))));
        assert!(err.contains("line 3: duplicate ent_num 101 (first on line 1)"), "{err}");
        // Empty file, or only the end-of-file byte.
        for empty in ["", "\x1a", "\r\n\x1a"] {
            assert!(format_error(sdn(empty)).contains("no entries"));
        }
        // Cut inside a trailing `-0-`.
        let err =
            format_error(sdn(&format!("{ok}{}", &ROW_ORG.replace("\"Target Type Criminal Organization.\"", "-0"))));
        assert!(err.contains("line 3: the file ends inside a field"), "{err}");
        // Empty primary name.
        let err = format_error(sdn("5,-0- ,-0- ,\"SDNTK\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n"));
        assert!(err.contains("line 1: empty name for ent_num 5"), "{err}");
        // A quote followed by a letter is a bare quote inside the field (a
        // publisher's quirk): the row then has too few fields, and is refused.
        let err = format_error(sdn("5,\"A\"B,-0- ,\"SDNTK\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n"));
        assert!(err.contains("line 1: expected 12 fields, found 10"), "{err}");
        // A broken secondary file rejects the whole set too.
        let err = format_error(sdn_set(&ok, "101,1,\"aka\"\r\n", "", ""));
        assert!(err.contains("mem/alt.csv: line 1: expected 5 fields"), "{err}");
        let err = format_error(sdn_set(&ok, "", "x,1,-0- ,-0- ,-0- ,-0- \r\n", ""));
        assert!(err.contains("mem/add.csv: line 1: ent_num"), "{err}");
        let err = format_error(sdn_set(&ok, "", "", "101,\"cut"));
        assert!(err.contains("mem/sdn_comments.csv: line 1: unterminated"), "{err}");
    }

    /// The synthetic fixture, copied into a temporary folder under the
    /// official file names (the repository stores it as `fake_*.csv` so
    /// that no tracked file looks like a copy of the real lists).
    fn fixture_dir() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for name in ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"] {
            let from = Path::new(FIXTURE).join(format!("fake_{name}"));
            std::fs::copy(&from, dir.path().join(name)).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
        }
        dir
    }

    #[test]
    fn synthetic_fixture_loads() {
        let dir = fixture_dir();
        let l = load_sdn(dir.path()).unwrap();
        assert_eq!(l.version.dataset, SDN_DATASET);
        assert_eq!(l.version.title, SDN_TITLE);
        assert_eq!(l.version.source, dir.path().display().to_string());
        assert_eq!(l.entities.len(), 6);
        assert_eq!(l.warnings.len(), 1, "{:?}", l.warnings);
        assert!(l.warnings[0].starts_with("alt.csv: 1 rows for 1 entries not in sdn.csv"));
        let boss = entity(&l, "ofac-90001");
        assert_eq!(boss.caption(), "ZARAGOZA FICTICIO, Efrain");
        assert!(boss.names.iter().any(|n| n.full == "El Inventado" && n.role == NameRole::WeakAlias));
        assert!(boss.names.iter().any(|n| n.full == "ZARAGOZA, Efren" && n.role == NameRole::Aka));
        assert_eq!(boss.birth_dates, vec![BirthDate::ymd(1971, 3, 3), BirthDate::year(1972)]);
        assert_eq!(boss.identifiers.len(), 2);
        assert_eq!(boss.addresses.len(), 1);
        assert_eq!(boss.links.len(), 2);
        assert_eq!(boss.links[1].name, "COMERCIALIZADORA IMAGINARIA, S.A. DE C.V.");
        assert_eq!(entity(&l, "ofac-90002").kind, EntityKind::Organization);
        let co = entity(&l, "ofac-90003");
        assert_eq!(co.kind, EntityKind::Company);
        assert!(co.remarks.as_deref().unwrap().len() > REMARKS_CUT);
        assert!(co.names.iter().any(|n| n.full == "IMAGINARIA"));
        // Only the continuation names this link and this identifier, which
        // the cut split in two.
        assert_eq!(co.links[0].name, "ZARAGOZA FICTICIO, Efrain");
        assert!(co.identifiers.iter().any(|i| i.value == "FAKE-0021"));
        let ship = entity(&l, "ofac-90004");
        assert_eq!(ship.kind, EntityKind::Vessel);
        assert_eq!(ship.vessel.as_ref().unwrap().call_sign.as_deref(), Some("XFAKE1"));
        assert_eq!(entity(&l, "ofac-90005").kind, EntityKind::Aircraft);
        assert_eq!(entity(&l, "ofac-90006").kind, EntityKind::Organization);
        // Same content, same hash.
        assert_eq!(l.version.sha256, load_sdn(dir.path()).unwrap().version.sha256);
    }

    #[test]
    fn truncated_fixture_is_rejected() {
        let dir = fixture_dir();
        let sdn_bytes = std::fs::read(dir.path().join("sdn.csv")).unwrap();
        // Cut inside the second row's name, inside a remarks field, and
        // between two fields of the last row.
        let second = sdn_bytes.iter().position(|&b| b == b'\n').unwrap() + 1;
        let last = sdn_bytes.len() - 20;
        for cut in [second + 12, sdn_bytes.len() / 2, last] {
            std::fs::write(dir.path().join("sdn.csv"), &sdn_bytes[..cut]).unwrap();
            let err = refusal(load_sdn(dir.path()));
            assert!(err.contains("sdn.csv: line"), "cut at {cut}: {err}");
        }
        std::fs::write(dir.path().join("sdn.csv"), &sdn_bytes).unwrap();
        assert!(load_sdn(dir.path()).is_ok());
    }

    #[test]
    fn integrity_end_of_file_marker_and_quirks() {
        let ok = format!("{ROW_PERSON}\r\n{ROW_ORG}\r\n");
        let strict = |prim: &str| {
            parse_set(SDN_DATASET, SDN_TITLE, ListFormat::OfacSdn, "mem".into(), prim.as_bytes(), None, None, None)
        };
        let l = strict(&format!("{ok}\x1a")).unwrap();
        assert!(l.version.partial);
        // Cut at a line end: no marker.
        assert!(matches!(strict(&ok), Err(ListError::Integrity { .. })));
        let err = strict(&ok).unwrap_err().to_string();
        assert!(err.contains("mem/sdn.csv: line 3: the file ends without OFAC's end-of-file marker"), "{err}");
        // A marker right after a record without its line end.
        let err = strict(&format!("{ROW_PERSON}\r\n{ROW_ORG}\x1a")).unwrap_err().to_string();
        assert!(err.contains("the last record ends without a line end"), "{err}");
        // LF line ends and a byte-order mark are tolerated, with warnings.
        let l = strict(&format!("\u{feff}{ROW_PERSON}\n{ROW_ORG}\n\x1a")).unwrap();
        assert_eq!(l.entities.len(), 2);
        assert!(l.warnings.iter().any(|w| w.contains("byte-order mark")), "{:?}", l.warnings);
        assert!(l.warnings.iter().any(|w| w.contains("LF, not CRLF")), "{:?}", l.warnings);
    }

    #[test]
    fn upper_case_file_names_are_read() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"] {
            let from = Path::new(FIXTURE).join(format!("fake_{name}"));
            std::fs::copy(&from, dir.path().join(name.to_ascii_uppercase())).unwrap();
        }
        let l = load_sdn(dir.path()).unwrap();
        assert_eq!(l.entities.len(), 6);
        assert!(!l.version.partial);
        assert!(l.warnings.iter().any(|w| w.starts_with("SDN.CSV: file name in another case")), "{:?}", l.warnings);
        assert!(crate::lists::load_path(dir.path()).is_ok_and(|v| v.len() == 1));
    }

    #[test]
    fn missing_primary_file_is_an_error() {
        let dir = fixture_dir();
        std::fs::remove_file(dir.path().join("sdn.csv")).unwrap();
        assert!(matches!(load_sdn(dir.path()), Err(ListError::Io { .. })));
        assert!(matches!(load_consolidated(dir.path()), Err(ListError::Io { .. })));
    }

    #[test]
    fn ofac_file_names() {
        assert!(is_ofac_file_name("sdn.csv"));
        assert!(is_ofac_file_name("cons_comments.csv"));
        assert!(!is_ofac_file_name("my_list.csv"));
    }

    // ---- the real files in ../shared/data ----

    #[test]
    fn real_sdn_current() {
        let dir = shared("ofac/current");
        let started = std::time::Instant::now();
        let l = load_sdn(&dir).unwrap();
        let elapsed = started.elapsed();
        eprintln!("ofac/current: {} entries in {elapsed:?}; warnings: {:?}", l.entities.len(), l.warnings);
        if !cfg!(debug_assertions) {
            assert!(elapsed.as_millis() < 1000, "too slow: {elapsed:?}");
        }
        assert_eq!(l.entities.len(), 14_972);
        assert_eq!(l.version.entries, 14_972);

        let mencho = entity(&l, "ofac-17674");
        assert_eq!(mencho.kind, EntityKind::Person);
        assert_eq!(mencho.caption(), "OSEGUERA CERVANTES, Ruben");
        assert!(mencho.birth_dates.contains(&BirthDate::ymd(1966, 7, 17)));
        assert!(mencho.identifiers.iter().any(|i| i.scheme == IdScheme::Curp && i.value == "OECR660717HMNSRB00"));
        assert!(mencho.names.iter().any(|n| n.full == "El Mencho" && n.role == NameRole::WeakAlias));
        assert!(mencho.links.iter().any(|k| k.name == "CARTEL DE JALISCO NUEVA GENERACION"));
        assert!(mencho.programs.iter().any(|p| p == "SDNTK"));
        assert!(mencho.programs.iter().any(|p| p == "SDGT"));
        assert_eq!(mencho.gender.as_deref(), Some("Male"));
        assert_eq!(mencho.nationalities, vec!["Mexico"]);

        let cjng = entity(&l, "ofac-17671");
        assert_eq!(cjng.kind, EntityKind::Organization);
        assert!(cjng.names.iter().any(|n| n.full == "CJNG" && n.role == NameRole::Aka));
        assert!(cjng.programs.iter().any(|p| p == "FTO"));

        let gulf = entity(&l, "ofac-10386");
        assert_eq!(gulf.caption(), "GULF CARTEL");
        assert!(gulf.names.iter().any(|n| n.full == "CARTEL DEL GOLFO" && n.role == NameRole::Aka));
        assert!(gulf.programs.iter().any(|p| p == "FTO"));

        for (id, name) in [
            ("ofac-11440", "SINALOA CARTEL"),
            ("ofac-11438", "CARTEL DEL NORESTE"),
            ("ofac-39376", "LA NUEVA FAMILIA MICHOACANA"),
            ("ofac-52892", "CARTELES UNIDOS"),
        ] {
            let e = entity(&l, id);
            assert_eq!(e.caption(), name);
            assert!(e.programs.iter().any(|p| p == "FTO"), "{id}: {:?}", e.programs);
            assert_eq!(e.kind, EntityKind::Organization, "{id}");
        }

        // An R.F.C.
        let rfc = l
            .entities
            .iter()
            .flat_map(|e| e.identifiers.iter().map(move |i| (e, i)))
            .filter(|(_, i)| i.scheme == IdScheme::Rfc)
            .collect::<Vec<_>>();
        assert!(rfc.len() > 300, "{}", rfc.len());
        let (e, i) = rfc[0];
        assert!(e.remarks.as_deref().unwrap().contains(&i.value), "{}: {}", e.id, i.value);
        assert_eq!(i.country.as_deref(), Some("Mexico"));
        assert!(!i.value.contains(' ') && !i.value.contains('('), "{:?}", i);

        // The composite's files are consistent with sdn.csv except for
        // continuations that belong to later versions of some entries.
        assert!(l.warnings.iter().all(|w| w.starts_with("sdn_comments.csv")), "{:?}", l.warnings);
        assert!(!l.version.partial);
        // A continuation that restores a cut alias.
        let lazarus_group = entity(&l, "ofac-27307");
        assert!(lazarus_group.names.iter().any(|n| n.full == "WHOIS HACKING TEAM"));
        // A cut right after a space keeps the space.
        assert!(entity(&l, "ofac-44718").remarks.as_deref().unwrap().contains("By U.S. Financial Institutions"));

        let kinds = &l.version.by_kind;
        assert_eq!(kinds.values().sum::<usize>(), 14_972);
        assert!(kinds["person"] > 6000 && kinds["vessel"] > 800 && kinds["aircraft"] > 300, "{kinds:?}");
    }

    #[test]
    fn real_sdn_truncated_in_memory_is_rejected() {
        let bytes = std::fs::read(shared("ofac/current").join("sdn.csv")).unwrap();
        for cut in [bytes.len() / 3, bytes.len() / 2 + 7, bytes.len() - 40] {
            let r =
                parse_set(SDN_DATASET, SDN_TITLE, ListFormat::OfacSdn, "mem".into(), &bytes[..cut], None, None, None);
            let err = refusal(r);
            assert!(err.contains("mem/sdn.csv: line"), "{err}");
        }
    }

    #[test]
    fn real_consolidated() {
        let l = load_consolidated(&shared("ofac-consolidated/2025-12-19")).unwrap();
        eprintln!("consolidated: {} entries, warnings {:?}", l.entities.len(), l.warnings);
        assert_eq!(l.entities.len(), 442);
        assert_eq!(l.version.dataset, CONS_DATASET);
        assert_eq!(l.version.format, ListFormat::OfacConsolidated);
        assert!(l.entities.iter().all(|e| e.list == CONS_DATASET && e.id.starts_with("ofac-")));
        assert!(l.warnings.is_empty(), "{:?}", l.warnings);
        // A continuation that completes an identifier cut in two.
        let e = entity(&l, "ofac-30930");
        assert!(e.identifiers.iter().any(|i| i.value == "91110000710934369E" && i.country.as_deref() == Some("China")));
    }

    #[test]
    fn real_secondary_files_alone_are_not_a_list() {
        for sub in ["ofac/2026-02-25", "ofac/2025-12-24"] {
            let r = load_sdn(&shared(sub));
            assert!(matches!(r, Err(ListError::Io { .. })), "{sub}");
        }
        // Parsed against a small primary file, nearly every row is an orphan.
        let dir = shared("ofac/2025-12-24");
        let alt = std::fs::read(dir.join("alt.csv")).unwrap();
        let add = std::fs::read(dir.join("add.csv")).unwrap();
        let comments = std::fs::read(dir.join("sdn_comments.csv")).unwrap();
        let prim = format!("{ROW_PERSON}\r\n\x1a");
        let l = parse_set(
            SDN_DATASET,
            SDN_TITLE,
            ListFormat::OfacSdn,
            "mem".into(),
            prim.as_bytes(),
            Some(&alt),
            Some(&add),
            Some(&comments),
        )
        .unwrap();
        assert_eq!(l.entities.len(), 1);
        assert_eq!(l.warnings.len(), 3, "{:?}", l.warnings);
        assert!(l.warnings.iter().all(|w| w.len() < 300));
    }

    #[test]
    fn real_daily_exports() {
        let a = load_sdn(&shared("ofac/2024-04-26")).unwrap();
        let b = load_sdn(&shared("ofac/2024-05-03")).unwrap();
        assert_eq!(a.entities.len(), 14_668);
        assert_eq!(b.entities.len(), 14_965);
        // Single-file exports: partial sets, nothing else to say.
        for l in [&a, &b] {
            assert!(l.version.partial);
            assert!(l.warnings.iter().all(|w| w.starts_with("partial set: ")), "{:?}", l.warnings);
        }
        assert_ne!(a.version.sha256, b.version.sha256);
        let ids: FxHashSet<&str> = a.entities.iter().map(|e| e.id.as_str()).collect();
        let added = b.entities.iter().filter(|e| !ids.contains(e.id.as_str())).count();
        assert_eq!(added, 305);
        // The excerpt was transcribed without the end-of-file marker: refused
        // for service, read for comparisons.
        assert!(matches!(load_sdn(&shared("ofac/2026-excerpt")), Err(ListError::Integrity { .. })));
        let excerpt = load_set(&shared("ofac/2026-excerpt"), ListFormat::OfacSdn, Integrity::Lenient).unwrap();
        assert_eq!(excerpt.entities.len(), 50);
        assert!(excerpt.version.partial);
        assert_eq!(excerpt.version.missing_files, ["alt.csv", "add.csv", "sdn_comments.csv"]);
    }

    proptest::proptest! {
        #[test]
        fn parse_set_never_panics(
            prim in proptest::collection::vec(proptest::num::u8::ANY, 0..400),
            alt in proptest::collection::vec(proptest::num::u8::ANY, 0..200),
        ) {
            let _ = parse_set(SDN_DATASET, SDN_TITLE, ListFormat::OfacSdn, "mem".into(), &prim, Some(&alt), Some(&alt), Some(&alt));
        }

        #[test]
        fn parse_set_never_panics_on_csv_like_bytes(
            prim in "([0-9]{1,3}|\"[ -~\r\n]{0,20}\"|-0- |[ -~]{0,8})(,|\r\n|\n|\"|\x1a){0,1}([0-9,\"a-z; \r\n-]{0,60})",
        ) {
            let _ = parse_set(SDN_DATASET, SDN_TITLE, ListFormat::OfacSdn, "mem".into(), prim.as_bytes(), Some(prim.as_bytes()), None, Some(prim.as_bytes()));
        }

        #[test]
        fn parse_set_accepts_well_formed_rows(
            rows in proptest::collection::vec(("[A-Z][A-Z ,.']{0,20}", "[ -~]{0,60}"), 1..6),
        ) {
            let mut text = String::new();
            for (i, (name, remarks)) in rows.iter().enumerate() {
                let name = name.replace('"', "");
                if name.trim().is_empty() { continue; }
                text.push_str(&format!(
                    "{},\"{}\",-0- ,\"SDNTK\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"{}\"\r\n",
                    i + 1, name, remarks.replace('"', "\"\"")
                ));
            }
            text.push('\x1a');
            let l = parse_set(SDN_DATASET, SDN_TITLE, ListFormat::OfacSdn, "mem".into(), text.as_bytes(), None, None, None).unwrap();
            proptest::prop_assert_eq!(l.entities.len(), rows.len());
        }
    }
}
