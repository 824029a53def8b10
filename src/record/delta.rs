//! Differences between two versions of the lists: which entries a reload or
//! a fetch added, removed or changed, so that ongoing monitoring re-screens
//! the monitored counterparties against the added and changed entries only,
//! and so that `cartelscreen lists diff OLD NEW` can show a person what a
//! publication changed.
//!
//! # Why signatures
//!
//! The version monitoring compares against is often not in memory: after a
//! restart the lists in service are the new ones, and the old version is
//! known only from the database. Storing every entity whole would make that
//! snapshot as large as the lists themselves, so the comparison works on a
//! compact [`signature`] per entity instead: one short hash per part of the
//! entry ([`PARTS`]: names, identifiers, programs, links, other details).
//! A [`Snapshot`] (entity id → signature) is small enough to store at every
//! reload (about 130 bytes an entry), survives restarts, and still tells
//! *which* parts of an entry changed ([`changed_parts`]), which the alert
//! carries to the analyst.
//!
//! Each part hashes a canonical, order-independent form of the entry (sorted
//! sets of length-prefixed fields, hashed with SHA-256 and truncated to 64
//! bits), so the same entry always gives the same signature, whatever the
//! order its source lists aliases, programs or identifiers in, on any
//! platform and release. Changing that canonical form makes every entry look
//! changed once, so it must be treated as a change of the stored format.
//!
//! Free text that only restates structured facts (remarks), websites,
//! e-mail addresses and `same_as` cross-references are not part of any
//! signature: they are not what a counterparty is screened against.
//!
//! Links are hashed with their resolved target when one is set
//! ([`crate::engine::network::Network::build`] fills it), so both sides of a
//! comparison must come from the same stage: both from loaded lists, as in
//! [`diff_paths`], or both from a [`crate::engine::screen::Screener`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use rustc_hash::FxHashMap;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::engine::model::{Entity, EntityKind, ListVersion};
use crate::lists::ListError;

/// The parts of an entry a signature hashes separately, in signature order.
pub const PARTS: [&str; 5] = ["names", "identifiers", "programs", "links", "details"];

/// Hex digits of each part's hash (64 bits).
const HASH_HEX: usize = 16;

/// One canonical item of a part: length-prefixed fields, so that no two
/// different tuples encode to the same bytes.
#[derive(Default)]
struct Item(Vec<u8>);

impl Item {
    fn tag(tag: &str) -> Item {
        Item::default().text(tag)
    }

    fn text(mut self, s: &str) -> Item {
        self.0.extend_from_slice(&(s.len() as u64).to_le_bytes());
        self.0.extend_from_slice(s.as_bytes());
        self
    }

    fn opt(mut self, s: Option<&str>) -> Item {
        match s {
            None => {
                self.0.push(0);
                self
            }
            Some(s) => {
                self.0.push(1);
                self.text(s)
            }
        }
    }

    fn int(mut self, n: Option<i64>) -> Item {
        match n {
            None => self.0.push(0),
            Some(n) => {
                self.0.push(1);
                self.0.extend_from_slice(&n.to_le_bytes());
            }
        }
        self
    }
}

/// The canonical items of each part of `e`, as sorted sets.
fn canonical(e: &Entity) -> [BTreeSet<Vec<u8>>; 5] {
    let names = e.names.iter().map(|n| Item::default().text(&n.full).text(n.role.as_str()).0).collect();
    let identifiers = e
        .identifiers
        .iter()
        .map(|i| Item::default().text(i.scheme.label()).text(&i.key()).opt(i.country.as_deref()).0)
        .collect();
    let programs = e.programs.iter().map(|p| Item::default().text(p).0).collect();
    let links = e.links.iter().map(|l| Item::default().text(&l.name).opt(l.target.as_deref()).0).collect();
    let mut details = BTreeSet::new();
    details.insert(Item::tag("kind").text(e.kind.as_str()).0);
    for d in &e.birth_dates {
        details.insert(
            Item::tag("birth_date")
                .int(Some(d.year.into()))
                .int(d.month.map(i64::from))
                .int(d.day.map(i64::from))
                .int(d.to_year.map(i64::from))
                .int(Some(d.circa.into()))
                .0,
        );
    }
    for (tag, values) in [
        ("birth_place", &e.birth_places),
        ("nationality", &e.nationalities),
        ("citizenship", &e.citizenships),
        ("secondary_sanctions_risk", &e.secondary_sanctions_risk),
    ] {
        for v in values {
            details.insert(Item::tag(tag).text(v).0);
        }
    }
    if let Some(g) = &e.gender {
        details.insert(Item::tag("gender").text(g).0);
    }
    for a in &e.addresses {
        details
            .insert(Item::tag("address").opt(a.street.as_deref()).opt(a.city.as_deref()).opt(a.country.as_deref()).0);
    }
    if let Some(v) = &e.vessel {
        details.insert(
            Item::tag("vessel")
                .opt(v.call_sign.as_deref())
                .opt(v.vessel_type.as_deref())
                .opt(v.flag.as_deref())
                .opt(v.owner.as_deref())
                .opt(v.tonnage.as_deref())
                .0,
        );
    }
    if let Some(d) = &e.listed_on {
        details.insert(Item::tag("listed_on").text(d).0);
    }
    [names, identifiers, programs, links, details]
}

/// The hash of one part: its name, then its items in sorted order.
fn part_hash(part: &str, items: &BTreeSet<Vec<u8>>) -> String {
    let mut h = Sha256::new();
    h.update((part.len() as u64).to_le_bytes());
    h.update(part.as_bytes());
    h.update((items.len() as u64).to_le_bytes());
    for item in items {
        h.update((item.len() as u64).to_le_bytes());
        h.update(item);
    }
    crate::lists::hex(&h.finalize()[..HASH_HEX / 2])
}

/// The signature of an entry: `names:<16 hex> identifiers:<16 hex>
/// programs:<16 hex> links:<16 hex> details:<16 hex>`, one hash per part of
/// [`PARTS`] over a canonical, order-independent form of it.
///
/// - names: the set of (full name as written, role);
/// - identifiers: the set of (scheme label, [`crate::engine::model::Identifier::key`],
///   issuing country), so `CORA-650228-4Q0` and `CORA 650228 4Q0` are the
///   same identifier;
/// - programs: the set of programs;
/// - links: the set of (name, resolved target);
/// - details: kind, birth dates, birth places, nationalities, citizenships,
///   gender, addresses, vessel information, secondary sanctions risk and the
///   listing date.
pub fn signature(e: &Entity) -> String {
    let parts = canonical(e);
    let mut s = String::with_capacity(PARTS.iter().map(|p| p.len() + HASH_HEX + 2).sum());
    for (name, items) in PARTS.iter().zip(&parts) {
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(name);
        s.push(':');
        s.push_str(&part_hash(name, items));
    }
    s
}

/// The hash of each part of a signature, in [`PARTS`] order; `None` unless
/// every part is present once with a well-formed hash.
fn parse_signature(sig: &str) -> Option<[&str; 5]> {
    let mut found: [Option<&str>; 5] = [None; 5];
    for token in sig.split_ascii_whitespace() {
        let (name, hash) = token.split_once(':')?;
        let i = PARTS.iter().position(|p| *p == name)?;
        if found[i].is_some() || hash.len() != HASH_HEX || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        found[i] = Some(hash);
    }
    let mut out = [""; 5];
    for (o, f) in out.iter_mut().zip(found) {
        *o = f?;
    }
    Some(out)
}

/// The parts (of [`PARTS`], in that order) whose hashes differ between two
/// signatures of an entry. A signature that cannot be parsed (a stored one
/// from an older format, a corrupt row) counts as every part changed: an
/// entry is never missed for want of a comparison.
pub fn changed_parts(old_sig: &str, new_sig: &str) -> Vec<&'static str> {
    match (parse_signature(old_sig), parse_signature(new_sig)) {
        (Some(a), Some(b)) => PARTS
            .iter()
            .zip(a.iter().zip(&b))
            .filter(|(_, (x, y))| !x.eq_ignore_ascii_case(y))
            .map(|(p, _)| *p)
            .collect(),
        _ => PARTS.to_vec(),
    }
}

/// The signature of every entry of a set of lists, by id: what monitoring
/// stores and compares. When an id occurs twice, the first entry wins, as in
/// [`crate::engine::screen::Screener::build`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    entries: BTreeMap<String, String>,
}

impl Snapshot {
    pub fn of(entities: &[Entity]) -> Snapshot {
        use rayon::prelude::*;
        // Signatures are independent of each other: computed in parallel,
        // then kept in list order so that the first of an id wins.
        let signatures: Vec<String> = entities.par_iter().map(signature).collect();
        let mut entries = BTreeMap::new();
        for (e, sig) in entities.iter().zip(signatures) {
            entries.entry(e.id.clone()).or_insert(sig);
        }
        Snapshot { entries }
    }

    /// From stored `(id, signature)` pairs, in any order (the first of a
    /// duplicated id wins).
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Snapshot {
        let mut entries = BTreeMap::new();
        for (id, sig) in pairs {
            entries.entry(id).or_insert(sig);
        }
        Snapshot { entries }
    }

    /// `(id, signature)` of every entry, sorted by id: what the store keeps.
    pub fn pairs(&self) -> Vec<(String, String)> {
        self.entries.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }

    /// `(id, signature)` of every entry, sorted by id, without copying.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The signature of entry `id`.
    pub fn get(&self, id: &str) -> Option<&str> {
        self.entries.get(id).map(String::as_str)
    }
}

/// An entry present on both sides whose signature changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Changed {
    pub id: String,
    /// The parts that changed, in [`PARTS`] order; never empty.
    pub parts: Vec<&'static str>,
}

/// What changed between two snapshots; every vector is sorted by id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ListDelta {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<Changed>,
}

impl ListDelta {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }

    /// The ids monitoring re-screens against: the added entries, then the
    /// changed ones. Removed entries can raise no new match.
    pub fn touched(&self) -> impl Iterator<Item = &str> {
        self.added.iter().map(String::as_str).chain(self.changed.iter().map(|c| c.id.as_str()))
    }
}

/// The delta from `old` to `new`. An entry whose signatures differ only in
/// form (the same hashes) is not changed.
pub fn diff(old: &Snapshot, new: &Snapshot) -> ListDelta {
    use std::cmp::Ordering;
    let mut delta = ListDelta::default();
    let mut a = old.entries.iter().peekable();
    let mut b = new.entries.iter().peekable();
    loop {
        let order = match (a.peek(), b.peek()) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some((x, _)), Some((y, _))) => x.cmp(y),
        };
        match order {
            Ordering::Less => {
                let (id, _) = a.next().expect("peeked");
                delta.removed.push(id.clone());
            }
            Ordering::Greater => {
                let (id, _) = b.next().expect("peeked");
                delta.added.push(id.clone());
            }
            Ordering::Equal => {
                let ((id, sa), (_, sb)) = (a.next().expect("peeked"), b.next().expect("peeked"));
                if sa != sb {
                    let parts = changed_parts(sa, sb);
                    if !parts.is_empty() {
                        delta.changed.push(Changed { id: id.clone(), parts });
                    }
                }
            }
        }
    }
    delta
}

/// An added or removed entry, as a person reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub id: String,
    pub list: String,
    pub kind: EntityKind,
    pub caption: String,
    pub programs: Vec<String>,
}

/// A changed entry: which parts changed and, for names, programs,
/// identifiers and links, what was added and removed. Names read
/// `FULL NAME (role)`, identifiers `scheme value (country)`, links
/// `NAME -> target id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangedEntry {
    pub id: String,
    pub list: String,
    /// The primary name in the new version.
    pub caption: String,
    pub parts: Vec<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub names_added: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub names_removed: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub programs_added: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub programs_removed: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub identifiers_added: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub identifiers_removed: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub links_added: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub links_removed: Vec<String>,
}

/// The delta between two versions of the lists, for people (`lists diff`,
/// [`render_text`]) and as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeltaReport {
    pub old: Vec<ListVersion>,
    pub new: Vec<ListVersion>,
    pub added: Vec<Entry>,
    pub removed: Vec<Entry>,
    pub changed: Vec<ChangedEntry>,
}

impl DeltaReport {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// Entities by id, the first of a duplicated id winning (as in
/// [`Snapshot::of`]).
fn by_id(entities: &[Entity]) -> FxHashMap<&str, &Entity> {
    let mut m = FxHashMap::default();
    for e in entities {
        m.entry(e.id.as_str()).or_insert(e);
    }
    m
}

fn entry(e: &Entity) -> Entry {
    Entry {
        id: e.id.clone(),
        list: e.list.clone(),
        kind: e.kind,
        caption: e.caption().to_string(),
        programs: e.programs.clone(),
    }
}

/// Items of `new` not in `old` and of `old` not in `new`, by canonical key,
/// each shown as its display text.
fn set_diff<K: Ord>(old: BTreeMap<K, String>, mut new: BTreeMap<K, String>) -> (Vec<String>, Vec<String>) {
    let mut removed = Vec::new();
    for (k, shown) in old {
        if new.remove(&k).is_none() {
            removed.push(shown);
        }
    }
    (new.into_values().collect(), removed)
}

fn names_of(e: &Entity) -> BTreeMap<(&str, &str), String> {
    e.names.iter().map(|n| ((n.full.as_str(), n.role.as_str()), format!("{} ({})", n.full, n.role.as_str()))).collect()
}

fn programs_of(e: &Entity) -> BTreeMap<&str, String> {
    e.programs.iter().map(|p| (p.as_str(), p.clone())).collect()
}

type IdentifierKey<'a> = (&'a str, String, Option<&'a str>);

fn identifiers_of(e: &Entity) -> BTreeMap<IdentifierKey<'_>, String> {
    let mut m = BTreeMap::new();
    for i in &e.identifiers {
        m.entry((i.scheme.label(), i.key(), i.country.as_deref())).or_insert_with(|| match &i.country {
            Some(c) => format!("{} {} ({c})", i.scheme.label(), i.value),
            None => format!("{} {}", i.scheme.label(), i.value),
        });
    }
    m
}

fn links_of(e: &Entity) -> BTreeMap<(&str, Option<&str>), String> {
    e.links
        .iter()
        .map(|l| {
            let shown = match &l.target {
                Some(t) => format!("{} -> {t}", l.name),
                None => l.name.clone(),
            };
            ((l.name.as_str(), l.target.as_deref()), shown)
        })
        .collect()
}

fn changed_entry(old: &Entity, new: &Entity, parts: Vec<&'static str>) -> ChangedEntry {
    let (names_added, names_removed) = set_diff(names_of(old), names_of(new));
    let (programs_added, programs_removed) = set_diff(programs_of(old), programs_of(new));
    let (identifiers_added, identifiers_removed) = set_diff(identifiers_of(old), identifiers_of(new));
    let (links_added, links_removed) = set_diff(links_of(old), links_of(new));
    ChangedEntry {
        id: new.id.clone(),
        list: new.list.clone(),
        caption: new.caption().to_string(),
        parts,
        names_added,
        names_removed,
        programs_added,
        programs_removed,
        identifiers_added,
        identifiers_removed,
        links_added,
        links_removed,
    }
}

/// The delta between two sets of entities (`old_versions` and
/// `new_versions` are the list versions they came from, carried into the
/// report as they are).
pub fn report(
    old: &[Entity],
    new: &[Entity],
    old_versions: &[ListVersion],
    new_versions: &[ListVersion],
) -> DeltaReport {
    let delta = diff(&Snapshot::of(old), &Snapshot::of(new));
    let (old_by_id, new_by_id) = (by_id(old), by_id(new));
    const SNAPSHOT_IDS: &str = "snapshot ids come from these entities";
    DeltaReport {
        old: old_versions.to_vec(),
        new: new_versions.to_vec(),
        added: delta.added.iter().map(|id| entry(new_by_id.get(id.as_str()).expect(SNAPSHOT_IDS))).collect(),
        removed: delta.removed.iter().map(|id| entry(old_by_id.get(id.as_str()).expect(SNAPSHOT_IDS))).collect(),
        changed: delta
            .changed
            .into_iter()
            .map(|c| {
                let o = old_by_id.get(c.id.as_str()).expect(SNAPSHOT_IDS);
                let n = new_by_id.get(c.id.as_str()).expect(SNAPSHOT_IDS);
                changed_entry(o, n, c.parts)
            })
            .collect(),
    }
}

/// Loads the lists at `old` and at `new` (each a folder of an OFAC SDN set,
/// a consolidated set, a UN XML file or a cartelscreen list, or one such
/// file; see [`crate::lists::load_path`]) and reports the delta between all
/// the entries loaded from each. The embedded cartel registry is not added to
/// either side, and links are compared as the lists write them (unresolved).
///
/// # Errors
///
/// [`ListError`] when either side cannot be loaded.
pub fn diff_paths(old: &Path, new: &Path) -> Result<DeltaReport, ListError> {
    // Compared, not served: a file without OFAC's end-of-file marker (a
    // transcribed excerpt) is read, with a warning.
    let lenient = |p: &Path| crate::lists::load_path_with(p, crate::lists::Integrity::Lenient);
    let (old_lists, new_lists) = rayon::join(|| lenient(old), || lenient(new));
    let flatten = |lists: Vec<crate::engine::model::LoadedList>| {
        let mut versions = Vec::with_capacity(lists.len());
        let mut entities = Vec::new();
        for l in lists {
            versions.push(l.version);
            entities.extend(l.entities);
        }
        (versions, entities)
    };
    let (old_versions, old_entities) = flatten(old_lists?);
    let (new_versions, new_entities) = flatten(new_lists?);
    Ok(report(&old_entities, &new_entities, &old_versions, &new_versions))
}

/// Prefix of a sha256 shown in text output.
const SHA_SHOWN: usize = 12;

fn side_line(label: &str, versions: &[ListVersion]) -> String {
    if versions.is_empty() {
        return format!("{label}: no lists\n");
    }
    let shown: Vec<String> = versions
        .iter()
        .map(|v| {
            let sha = v.sha256.get(..SHA_SHOWN).unwrap_or(&v.sha256);
            format!("{} sha256 {sha} ({} entries)", v.dataset, v.entries)
        })
        .collect();
    format!("{label}: {}\n", shown.join("; "))
}

/// The report as text: one header line per side (dataset, sha256 prefix,
/// entry count of each list), the summary `added N, removed N, changed N`,
/// then a line per entry (`+` added with its programs, `-` removed, `~`
/// changed with its parts), the names, programs, identifiers and links a
/// changed entry gained (`+`) or lost (`-`) indented below it.
pub fn render_text(report: &DeltaReport) -> String {
    use std::fmt::Write;
    let mut out = side_line("old", &report.old);
    out.push_str(&side_line("new", &report.new));
    let _ = writeln!(
        out,
        "added {}, removed {}, changed {}",
        report.added.len(),
        report.removed.len(),
        report.changed.len()
    );
    for e in &report.added {
        let _ = write!(out, "+ {}  {}", e.id, e.caption);
        if !e.programs.is_empty() {
            let programs: Vec<String> = e.programs.iter().map(|p| format!("[{p}]")).collect();
            let _ = write!(out, "  {}", programs.join(" "));
        }
        out.push('\n');
    }
    for e in &report.removed {
        let _ = writeln!(out, "- {}  {}", e.id, e.caption);
    }
    for c in &report.changed {
        let _ = writeln!(out, "~ {}  {}  ({})", c.id, c.caption, c.parts.join(", "));
        for (what, added, removed) in [
            ("name", &c.names_added, &c.names_removed),
            ("program", &c.programs_added, &c.programs_removed),
            ("identifier", &c.identifiers_added, &c.identifiers_removed),
            ("link", &c.links_added, &c.links_removed),
        ] {
            for a in added {
                let _ = writeln!(out, "    + {what} {a}");
            }
            for r in removed {
                let _ = writeln!(out, "    - {what} {r}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::model::{BirthDate, IdScheme, Identifier, Link, ListFormat, NameRole};
    use proptest::prelude::*;

    fn mencho() -> Entity {
        let mut e = Entity::new("ofac-17672", "us_ofac_sdn", EntityKind::Person);
        e.add_name("OSEGUERA CERVANTES, Nemesio", NameRole::Primary);
        e.add_name("EL MENCHO", NameRole::WeakAlias);
        e.add_name("OSEGUERA, Nemesio", NameRole::Aka);
        e.programs = vec!["SDNTK".into(), "ILLICIT-DRUGS-EO14059".into()];
        e.identifiers = vec![
            Identifier { scheme: IdScheme::Rfc, value: "OECN-660717-AB1".into(), country: Some("Mexico".into()) },
            Identifier { scheme: IdScheme::Curp, value: "OECN660717HMNSRM09".into(), country: Some("Mexico".into()) },
        ];
        e.birth_dates = vec![BirthDate::ymd(1966, 7, 17)];
        e.nationalities = vec!["Mexico".into()];
        e.links = vec![Link {
            name: "CARTEL DE JALISCO NUEVA GENERACION".into(),
            target: None,
            via: crate::engine::model::LinkVia::LinkedTo,
        }];
        e
    }

    fn version(dataset: &str, sha: &str, entries: usize) -> ListVersion {
        ListVersion {
            dataset: dataset.into(),
            title: dataset.into(),
            format: ListFormat::OfacSdn,
            source: "test".into(),
            sha256: sha.into(),
            published: None,
            published_from: None,
            partial: false,
            missing_files: Vec::new(),
            entries,
            by_kind: Default::default(),
        }
    }

    fn snap(pairs: &[(&str, &str)]) -> Snapshot {
        Snapshot::from_pairs(pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect())
    }

    #[test]
    fn signature_has_one_16_hex_hash_per_part() {
        let s = signature(&mencho());
        let tokens: Vec<&str> = s.split(' ').collect();
        assert_eq!(tokens.len(), PARTS.len());
        for (t, p) in tokens.iter().zip(PARTS) {
            let (name, hash) = t.split_once(':').unwrap();
            assert_eq!(name, p);
            assert_eq!(hash.len(), 16);
            assert!(hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)), "{hash}");
        }
        assert_eq!(signature(&mencho()), s);
    }

    #[test]
    fn signature_is_stable_under_alias_reordering() {
        let a = mencho();
        let mut b = mencho();
        b.names.swap(1, 2);
        b.programs.reverse();
        b.identifiers.reverse();
        assert_eq!(signature(&a), signature(&b));
    }

    #[test]
    fn a_new_alias_changes_only_names() {
        let mut b = mencho();
        b.add_name("NEMESIO OSEGUERA RAMOS", NameRole::Aka);
        assert_eq!(changed_parts(&signature(&mencho()), &signature(&b)), ["names"]);
        // A changed role is a change of the names too.
        let mut c = mencho();
        c.names[1].role = NameRole::Aka;
        assert_eq!(changed_parts(&signature(&mencho()), &signature(&c)), ["names"]);
    }

    #[test]
    fn a_new_program_changes_only_programs() {
        let mut b = mencho();
        b.programs.push("SDGT".into());
        assert_eq!(changed_parts(&signature(&mencho()), &signature(&b)), ["programs"]);
    }

    #[test]
    fn a_new_identifier_changes_only_identifiers() {
        let mut b = mencho();
        b.identifiers.push(Identifier { scheme: IdScheme::Passport, value: "G12345678".into(), country: None });
        assert_eq!(changed_parts(&signature(&mencho()), &signature(&b)), ["identifiers"]);
        // The same identifier spelled differently is no change.
        let mut c = mencho();
        c.identifiers[0].value = "oecn 660717 ab1".into();
        assert_eq!(signature(&mencho()), signature(&c));
    }

    #[test]
    fn links_and_details_change_their_own_part() {
        let mut b = mencho();
        b.links[0].target = Some("ofac-17671".into());
        assert_eq!(changed_parts(&signature(&mencho()), &signature(&b)), ["links"]);
        let mut c = mencho();
        c.birth_dates.push(BirthDate::year(1965));
        c.gender = Some("Male".into());
        assert_eq!(changed_parts(&signature(&mencho()), &signature(&c)), ["details"]);
        let mut d = mencho();
        d.kind = EntityKind::Unknown;
        d.programs.clear();
        assert_eq!(changed_parts(&signature(&mencho()), &signature(&d)), ["programs", "details"]);
        // Remarks are not screened against: no change.
        let mut e = mencho();
        e.remarks = Some("DOB 17 Jul 1966".into());
        assert_eq!(signature(&mencho()), signature(&e));
    }

    #[test]
    fn fields_do_not_run_into_each_other() {
        // ("AB", "C") and ("A", "BC") must not hash alike.
        let mut a = mencho();
        a.links =
            vec![Link { name: "AB".into(), target: Some("C".into()), via: crate::engine::model::LinkVia::LinkedTo }];
        let mut b = mencho();
        b.links =
            vec![Link { name: "A".into(), target: Some("BC".into()), via: crate::engine::model::LinkVia::LinkedTo }];
        assert_ne!(signature(&a), signature(&b));
        // An empty gender is not a missing one.
        let mut c = mencho();
        c.gender = Some(String::new());
        assert_ne!(signature(&mencho()), signature(&c));
    }

    #[test]
    fn changed_parts_on_garbage_returns_all_parts() {
        let good = signature(&mencho());
        assert_eq!(changed_parts("garbage", &good), PARTS);
        assert_eq!(changed_parts(&good, ""), PARTS);
        assert_eq!(changed_parts(&good, &good.replace("details:", "detail:")), PARTS);
        assert_eq!(changed_parts(&good, &good[..good.len() - 1]), PARTS);
        assert_eq!(changed_parts(&good, &format!("{good} names:0000000000000000")), PARTS);
        assert!(changed_parts(&good, &good).is_empty());
        // Hex digits compare regardless of case.
        let names_hash = &good[6..22];
        assert!(changed_parts(&good, &good.replacen(names_hash, &names_hash.to_uppercase(), 1)).is_empty());
    }

    #[test]
    fn diff_of_small_snapshots() {
        let x = "names:0000000000000000 identifiers:0000000000000000 programs:0000000000000000 links:0000000000000000 details:0000000000000000";
        let y = "names:0000000000000000 identifiers:0000000000000000 programs:1111111111111111 links:0000000000000000 details:2222222222222222";
        let old = snap(&[("a", x), ("b", x), ("c", x), ("d", "garbage")]);
        let new = snap(&[("b", x), ("c", y), ("d", x), ("e", x), ("f", y)]);
        let d = diff(&old, &new);
        assert_eq!(d.added, ["e", "f"]);
        assert_eq!(d.removed, ["a"]);
        assert_eq!(
            d.changed,
            [
                Changed { id: "c".into(), parts: vec!["programs", "details"] },
                Changed { id: "d".into(), parts: PARTS.to_vec() }
            ]
        );
        assert_eq!(d.touched().collect::<Vec<_>>(), ["e", "f", "c", "d"]);
        assert!(!d.is_empty());
        assert!(diff(&new, &new).is_empty());
        let back = diff(&new, &old);
        assert_eq!((back.added, back.removed), (d.removed, d.added));
    }

    #[test]
    fn snapshot_round_trips_through_pairs() {
        let mut other = mencho();
        other.id = "ofac-100".into();
        let s = Snapshot::of(&[mencho(), other.clone(), other]);
        assert_eq!(s.len(), 2);
        let pairs = s.pairs();
        assert_eq!(pairs[0].0, "ofac-100");
        assert_eq!(pairs[1].0, "ofac-17672");
        let mut reversed = pairs.clone();
        reversed.reverse();
        assert_eq!(Snapshot::from_pairs(reversed), s);
        assert_eq!(s.get("ofac-17672"), Some(signature(&mencho()).as_str()));
        assert_eq!(s.get("nope"), None);
        assert!(Snapshot::default().is_empty());
    }

    #[test]
    fn report_shows_what_changed() {
        let mut gone = mencho();
        gone.id = "ofac-1".into();
        let mut fresh = mencho();
        fresh.id = "ofac-2".into();
        fresh.names[0].full = "NEW PERSON".into();
        let mut changed = mencho();
        changed.add_name("NEMESIO OSEGUERA RAMOS", NameRole::Aka);
        changed.programs = vec!["SDNTK".into(), "SDGT".into()];
        changed.identifiers.remove(1);
        let r = report(
            &[gone, mencho()],
            &[changed, fresh],
            &[version("us_ofac_sdn", "0123456789abcdef0123", 2)],
            &[version("us_ofac_sdn", "fedcba9876543210fedc", 2)],
        );
        assert_eq!(r.added.len(), 1);
        assert_eq!(r.added[0].caption, "NEW PERSON");
        assert_eq!(r.removed[0].id, "ofac-1");
        let c = &r.changed[0];
        assert_eq!(c.parts, ["names", "identifiers", "programs"]);
        assert_eq!(c.names_added, ["NEMESIO OSEGUERA RAMOS (aka)"]);
        assert!(c.names_removed.is_empty());
        assert_eq!(c.programs_added, ["SDGT"]);
        assert_eq!(c.programs_removed, ["ILLICIT-DRUGS-EO14059"]);
        assert_eq!(c.identifiers_removed, ["curp OECN660717HMNSRM09 (Mexico)"]);
        let json = serde_json::to_value(&r).unwrap();
        assert!(json["changed"][0].get("names_removed").is_none());
        assert_eq!(json["changed"][0]["parts"][0], "names");
        assert_eq!(json["added"][0]["kind"], "person");

        let text = render_text(&r);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "old: us_ofac_sdn sha256 0123456789ab (2 entries)");
        assert_eq!(lines[1], "new: us_ofac_sdn sha256 fedcba987654 (2 entries)");
        assert_eq!(lines[2], "added 1, removed 1, changed 1");
        assert_eq!(lines[3], "+ ofac-2  NEW PERSON  [SDNTK] [ILLICIT-DRUGS-EO14059]");
        assert_eq!(lines[4], "- ofac-1  OSEGUERA CERVANTES, Nemesio");
        assert_eq!(lines[5], "~ ofac-17672  OSEGUERA CERVANTES, Nemesio  (names, identifiers, programs)");
        assert!(text.contains("\n    + name NEMESIO OSEGUERA RAMOS (aka)\n"), "{text}");
        assert!(text.contains("\n    + program SDGT\n    - program ILLICIT-DRUGS-EO14059\n"), "{text}");
        assert!(text.contains("\n    - identifier curp OECN660717HMNSRM09 (Mexico)\n"), "{text}");
    }

    #[test]
    fn render_text_contains_the_summary_line() {
        let r = report(&[], &[mencho()], &[], &[version("us_ofac_sdn", "abc", 1)]);
        let text = render_text(&r);
        assert!(text.contains("\nadded 1, removed 0, changed 0\n"), "{text}");
        assert!(text.starts_with("old: no lists\nnew: us_ofac_sdn sha256 abc (1 entries)\n"), "{text}");
        let same = report(&[mencho()], &[mencho()], &[], &[]);
        assert!(same.is_empty());
        assert!(render_text(&same).contains("added 0, removed 0, changed 0"));
    }

    fn role() -> impl Strategy<Value = NameRole> {
        prop_oneof![
            Just(NameRole::Primary),
            Just(NameRole::Aka),
            Just(NameRole::Fka),
            Just(NameRole::Nka),
            Just(NameRole::WeakAlias)
        ]
    }

    fn identifier() -> impl Strategy<Value = Identifier> {
        (
            prop_oneof![Just(IdScheme::Rfc), Just(IdScheme::Passport), "[a-z]{1,6}".prop_map(IdScheme::Other)],
            "[A-Z0-9 -]{0,12}",
            proptest::option::of("[A-Za-z]{0,8}"),
        )
            .prop_map(|(scheme, value, country)| Identifier { scheme, value, country })
    }

    /// Names, programs and identifiers, and a permutation of each.
    #[allow(clippy::type_complexity)]
    fn parts_and_shuffles() -> impl Strategy<
        Value = (
            (Vec<(String, NameRole)>, Vec<String>, Vec<Identifier>),
            (Vec<(String, NameRole)>, Vec<String>, Vec<Identifier>),
        ),
    > {
        (
            proptest::collection::vec(("\\PC{0,12}", role()), 0..6),
            proptest::collection::vec("[A-Z0-9-]{1,10}", 0..5),
            proptest::collection::vec(identifier(), 0..5),
        )
            .prop_flat_map(|(names, programs, ids)| {
                let original = (names.clone(), programs.clone(), ids.clone());
                (Just(original), (Just(names).prop_shuffle(), Just(programs).prop_shuffle(), Just(ids).prop_shuffle()))
            })
    }

    fn build(names: Vec<(String, NameRole)>, programs: Vec<String>, identifiers: Vec<Identifier>) -> Entity {
        let mut e = Entity::new("x-1", "test", EntityKind::Person);
        e.names = names.into_iter().map(|(full, role)| crate::engine::model::Name { full, role }).collect();
        e.programs = programs;
        e.identifiers = identifiers;
        e
    }

    fn snapshot_strategy() -> impl Strategy<Value = BTreeMap<String, u8>> {
        proptest::collection::btree_map("[a-e][0-9]", 0u8..3, 0..20)
    }

    fn as_snapshot(m: &BTreeMap<String, u8>) -> Snapshot {
        let sig = |v: u8| PARTS.iter().map(|p| format!("{p}:{:016x}", v)).collect::<Vec<_>>().join(" ");
        Snapshot::from_pairs(m.iter().map(|(k, v)| (k.clone(), sig(*v))).collect())
    }

    proptest! {
        #[test]
        fn signature_is_invariant_under_permutation(((n, p, i), (n2, p2, i2)) in parts_and_shuffles()) {
            prop_assert_eq!(signature(&build(n, p, i)), signature(&build(n2, p2, i2)));
        }

        #[test]
        fn diff_is_the_set_difference_of_ids(a in snapshot_strategy(), b in snapshot_strategy()) {
            let (sa, sb) = (as_snapshot(&a), as_snapshot(&b));
            prop_assert!(diff(&sa, &sa).is_empty());
            let d = diff(&sa, &sb);
            let added: Vec<String> = b.keys().filter(|k| !a.contains_key(*k)).cloned().collect();
            let removed: Vec<String> = a.keys().filter(|k| !b.contains_key(*k)).cloned().collect();
            let changed: Vec<String> = a.iter().filter(|(k, v)| b.get(*k).is_some_and(|w| w != *v)).map(|(k, _)| k.clone()).collect();
            prop_assert_eq!(d.added, added);
            prop_assert_eq!(d.removed, removed);
            prop_assert_eq!(d.changed.iter().map(|c| c.id.clone()).collect::<Vec<_>>(), changed);
            prop_assert!(d.changed.iter().all(|c| c.parts == PARTS));
        }
    }
}
