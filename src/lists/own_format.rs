//! cartelscreen's own list format: the project's registry (`lists/`) and a
//! firm's internal blocklists.
//!
//! A list is a `.toml`, `.json` or `.csv` file (other than the OFAC file
//! names `sdn.csv`, `alt.csv`, `add.csv`, `sdn_comments.csv`, `cons_*.csv`).
//!
//! # TOML
//!
//! ```toml
//! [list]
//! dataset = "acme_blocklist"        # required, [a-z0-9_]+
//! title = "ACME internal blocklist" # optional, defaults to dataset
//! version = "2025-03-01"            # optional: the published date/version
//!
//! [[entity]]
//! id = "acme-001"                   # required, unique in the file
//! kind = "company"                  # person | organization | company | vessel | aircraft
//!                                   # (optional: unknown, matches any kind)
//! name = "TRANSPORTES EJEMPLO, S.A. DE C.V."  # primary name, required
//! aliases = ["TRANSPORTES EJEMPLO"]           # strong aliases (a.k.a.)
//! weak_aliases = ["EL EJEMPLO"]               # nicknames: weak evidence alone
//! programs = ["INTERNAL"]
//! identifiers = [{ scheme = "rfc", value = "TEJ-120101-AB1", country = "Mexico" }]
//!                                   # or "rfc:TEJ-120101-AB1" strings
//! birth_dates = ["1966-07-17"]      # 1966-07-17, 1966-07, 1966, 17/07/1966
//! birth_places = ["Aguililla, Michoacán, Mexico"]
//! nationalities = ["Mexico"]
//! citizenships = ["Mexico"]
//! gender = "male"
//! addresses = [{ street = "Av. Ejemplo 100", city = "Guadalajara", country = "Mexico" }]
//! countries = ["Mexico"]            # addresses with only a country
//! links = ["CARTEL DE JALISCO NUEVA GENERACION"]  # names (or ids) of other
//!                                   # entries, on any loaded list
//! same_as = ["ofac-17671"]          # ids of the same party on other lists
//! listed_on = "2025-02-20"
//! remarks = "..."
//! phones = ["+52 33 1234 5678"]     # contact details, compared with those a
//! emails = ["ventas@example.mx"]    # counterparty submits (indirect exposure)
//! websites = ["www.example.mx"]
//! ```
//!
//! Every `[[entity]]` key but `id` and `name` is optional. A key that is not
//! one of these is an error, so a typo in a list cannot pass silently; the
//! `[list]` table accepts only `dataset`, `title` and `version`. Other
//! top-level tables (the registry's `[[cartel]]`) are ignored. Dates may be
//! quoted strings or TOML dates.
//!
//! # JSON
//!
//! The same structure: `{"list": {"dataset": ...}, "entity": [{"id": ...}]}`.
//!
//! # CSV
//!
//! A header row naming the columns, in any order:
//! `id,kind,name,aliases,weak_aliases,programs,identifiers,birth_dates,nationalities,countries,links,same_as,remarks`
//! (also accepted: `citizenships`, `birth_places`, `gender`, `listed_on`).
//! `id` and `name` are required, the rest optional. Multi-valued fields are
//! `|`-separated; identifiers are `scheme:value`; `countries` become
//! addresses with only a country. The dataset is the file name without its
//! extension, lower-cased, every other character than a letter or digit
//! replaced by `_` (`ACME Blocklist.csv` is `acme_blocklist`).
//!
//! # Errors
//!
//! A list that breaks a rule is rejected whole, naming the file and the
//! entity or row: bad TOML/JSON/CSV, an unknown key or column, a missing or
//! duplicate id, an empty name, an unknown kind, a date that does not parse,
//! an identifier that is not `scheme:value`, a bad dataset name, no entities.

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::engine::model::{
    Address, BirthDate, Entity, EntityKind, IdScheme, Identifier, Link, ListFormat, LoadedList, NameRole,
};
use crate::lists::ListError;

/// Whether a (lower-cased) file name is a cartelscreen list.
pub fn is_native_file_name(lower_name: &str) -> bool {
    (lower_name.ends_with(".toml") || lower_name.ends_with(".json") || lower_name.ends_with(".csv"))
        && !super::ofac::is_ofac_file_name(lower_name)
}

/// Reads a cartelscreen list, its form chosen by the file extension.
///
/// # Errors
///
/// [`ListError`] when the file cannot be read or is not a valid cartelscreen list.
pub fn load_native(path: &Path) -> Result<LoadedList, ListError> {
    let bytes = super::read_bytes(path)?;
    let source = path.display().to_string();
    let lower = path.file_name().and_then(|n| n.to_str()).unwrap_or("").to_ascii_lowercase();
    if lower.ends_with(".csv") {
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        return parse_native_csv(&bytes, &dataset_from_stem(stem), source);
    }
    let text = std::str::from_utf8(&bytes).map_err(|e| ListError::format(path, format!("not UTF-8 text: {e}")))?;
    if lower.ends_with(".json") {
        parse_native_json(text, source)
    } else if lower.ends_with(".toml") {
        parse_native_toml(text, source)
    } else {
        Err(ListError::NotRecognised { path: path.to_path_buf() })
    }
}

/// Parses the TOML form; `source` names the list in its version and errors.
///
/// # Errors
///
/// [`ListError`] when the TOML is malformed or an entry is invalid.
pub fn parse_native_toml(text: &str, source: String) -> Result<LoadedList, ListError> {
    let file: FileSpec =
        toml::from_str(text).map_err(|e| ListError::format(&source, format!("invalid cartelscreen TOML list: {e}")))?;
    build_list(file, text.as_bytes(), source)
}

/// Parses the JSON form.
///
/// # Errors
///
/// [`ListError`] when the JSON is malformed or an entry is invalid.
pub fn parse_native_json(text: &str, source: String) -> Result<LoadedList, ListError> {
    let file: FileSpec = serde_json::from_str(text)
        .map_err(|e| ListError::format(&source, format!("invalid cartelscreen JSON list: {e}")))?;
    build_list(file, text.as_bytes(), source)
}

/// Parses the CSV form; the dataset name comes from the caller (the file
/// stem, see [`dataset_from_stem`]).
///
/// # Errors
///
/// [`ListError`] naming the line when the CSV is malformed or an entry is invalid.
pub fn parse_native_csv(bytes: &[u8], dataset: &str, source: String) -> Result<LoadedList, ListError> {
    let path = PathBuf::from(&source);
    let format_err = |m: String| ListError::format(path.clone(), m);
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut rdr = csv::ReaderBuilder::new().has_headers(true).trim(csv::Trim::All).from_reader(body);
    let headers = rdr.headers().map_err(|e| format_err(format!("invalid cartelscreen CSV list: {e}")))?.clone();
    let mut columns: Vec<Column> = Vec::with_capacity(headers.len());
    for h in headers.iter() {
        let h = h.trim().to_ascii_lowercase();
        let col = Column::parse(&h).ok_or_else(|| {
            format_err(format!(
                "unknown CSV column {h:?}; expected {}",
                Column::ALL.iter().map(|c| c.name()).collect::<Vec<_>>().join(", ")
            ))
        })?;
        if columns.contains(&col) {
            return Err(format_err(format!("CSV column {h:?} appears twice")));
        }
        columns.push(col);
    }
    for required in [Column::Id, Column::Name] {
        if !columns.contains(&required) {
            return Err(format_err(format!("the CSV header has no {:?} column", required.name())));
        }
    }
    let mut specs = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| format_err(format!("invalid cartelscreen CSV list: {e}")))?;
        if rec.iter().all(str::is_empty) {
            continue;
        }
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let mut spec = EntitySpec::default();
        for (col, field) in columns.iter().zip(rec.iter()) {
            col.fill(&mut spec, field);
        }
        specs.push((format!("row at line {line}"), spec));
    }
    let header = ListSpec { dataset: dataset.to_string(), title: None, version: None };
    build(header, specs, bytes, source)
}

/// The dataset name of a CSV list: the file stem lower-cased, every
/// character but a letter or digit replaced by `_`.
pub fn dataset_from_stem(stem: &str) -> String {
    let d: String =
        stem.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    if d.is_empty() {
        "list".to_string()
    } else {
        d
    }
}

// ---------------------------------------------------------------------------
// The file as written.

#[derive(Deserialize)]
struct FileSpec {
    list: Option<ListSpec>,
    #[serde(default)]
    entity: Vec<EntitySpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListSpec {
    dataset: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    version: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct EntitySpec {
    #[serde(default, deserialize_with = "opt_text")]
    id: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    weak_aliases: Vec<String>,
    #[serde(default)]
    programs: Vec<String>,
    #[serde(default)]
    identifiers: Vec<IdSpec>,
    #[serde(default, deserialize_with = "text_list")]
    birth_dates: Vec<String>,
    #[serde(default)]
    birth_places: Vec<String>,
    #[serde(default)]
    nationalities: Vec<String>,
    #[serde(default)]
    citizenships: Vec<String>,
    #[serde(default)]
    gender: Option<String>,
    #[serde(default)]
    addresses: Vec<AddressSpec>,
    #[serde(default)]
    countries: Vec<String>,
    #[serde(default)]
    links: Vec<String>,
    #[serde(default)]
    same_as: Vec<String>,
    #[serde(default, deserialize_with = "opt_text")]
    listed_on: Option<String>,
    #[serde(default)]
    remarks: Option<String>,
    #[serde(default)]
    phones: Vec<String>,
    #[serde(default)]
    emails: Vec<String>,
    #[serde(default)]
    websites: Vec<String>,
}

enum IdSpec {
    /// `"rfc:TEJ-120101-AB1"`
    Text(String),
    Full(IdTable),
}

// By hand rather than `untagged`, so that a typo inside an identifier table
// is reported by name.
impl<'de> Deserialize<'de> for IdSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<IdSpec, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = IdSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("\"scheme:value\" or { scheme, value, country }")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<IdSpec, E> {
                Ok(IdSpec::Text(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<IdSpec, A::Error> {
                IdTable::deserialize(de::value::MapAccessDeserializer::new(map)).map(IdSpec::Full)
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IdTable {
    scheme: String,
    value: String,
    #[serde(default)]
    country: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AddressSpec {
    #[serde(default)]
    street: Option<String>,
    #[serde(default)]
    city: Option<String>,
    #[serde(default)]
    country: Option<String>,
}

/// A string, a number or a TOML date, as text.
struct Text(String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or a date")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Text, E> {
                Ok(Text(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            // toml hands a datetime over as a one-entry map.
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Text, A::Error> {
                let mut out = None;
                while let Some((_, v)) = map.next_entry::<String, String>()? {
                    out = Some(v);
                }
                out.map(Text).ok_or_else(|| de::Error::custom("expected a string or a date"))
            }
        }
        d.deserialize_any(V)
    }
}

fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<Text>::deserialize(d)?.map(|t| t.0))
}

fn text_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list of dates")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<String>, A::Error> {
            let mut out = Vec::new();
            while let Some(Text(t)) = seq.next_element()? {
                out.push(t);
            }
            Ok(out)
        }
    }
    d.deserialize_seq(V)
}

// ---------------------------------------------------------------------------
// CSV columns.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Id,
    Kind,
    Name,
    Aliases,
    WeakAliases,
    Programs,
    Identifiers,
    BirthDates,
    BirthPlaces,
    Nationalities,
    Citizenships,
    Gender,
    Countries,
    Links,
    SameAs,
    ListedOn,
    Remarks,
}

impl Column {
    const ALL: [Column; 17] = [
        Column::Id,
        Column::Kind,
        Column::Name,
        Column::Aliases,
        Column::WeakAliases,
        Column::Programs,
        Column::Identifiers,
        Column::BirthDates,
        Column::BirthPlaces,
        Column::Nationalities,
        Column::Citizenships,
        Column::Gender,
        Column::Countries,
        Column::Links,
        Column::SameAs,
        Column::ListedOn,
        Column::Remarks,
    ];

    fn name(self) -> &'static str {
        match self {
            Column::Id => "id",
            Column::Kind => "kind",
            Column::Name => "name",
            Column::Aliases => "aliases",
            Column::WeakAliases => "weak_aliases",
            Column::Programs => "programs",
            Column::Identifiers => "identifiers",
            Column::BirthDates => "birth_dates",
            Column::BirthPlaces => "birth_places",
            Column::Nationalities => "nationalities",
            Column::Citizenships => "citizenships",
            Column::Gender => "gender",
            Column::Countries => "countries",
            Column::Links => "links",
            Column::SameAs => "same_as",
            Column::ListedOn => "listed_on",
            Column::Remarks => "remarks",
        }
    }

    fn parse(s: &str) -> Option<Column> {
        Column::ALL.iter().copied().find(|c| c.name() == s)
    }

    fn fill(self, spec: &mut EntitySpec, field: &str) {
        let many =
            || -> Vec<String> { field.split('|').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect() };
        let one = || Some(field.to_string()).filter(|s| !s.is_empty());
        match self {
            Column::Id => spec.id = Some(field.to_string()),
            Column::Kind => spec.kind = one(),
            Column::Name => spec.name = Some(field.to_string()),
            Column::Aliases => spec.aliases = many(),
            Column::WeakAliases => spec.weak_aliases = many(),
            Column::Programs => spec.programs = many(),
            Column::Identifiers => spec.identifiers = many().into_iter().map(IdSpec::Text).collect(),
            Column::BirthDates => spec.birth_dates = many(),
            Column::BirthPlaces => spec.birth_places = many(),
            Column::Nationalities => spec.nationalities = many(),
            Column::Citizenships => spec.citizenships = many(),
            Column::Gender => spec.gender = one(),
            Column::Countries => spec.countries = many(),
            Column::Links => spec.links = many(),
            Column::SameAs => spec.same_as = many(),
            Column::ListedOn => spec.listed_on = one(),
            Column::Remarks => spec.remarks = one(),
        }
    }
}

// ---------------------------------------------------------------------------
// Validation and mapping.

fn build_list(file: FileSpec, bytes: &[u8], source: String) -> Result<LoadedList, ListError> {
    let header = file.list.ok_or_else(|| {
        ListError::format(&source, "not a cartelscreen list: no [list] table (with dataset = \"...\")")
    })?;
    let specs = file.entity.into_iter().enumerate().map(|(i, spec)| (format!("entity #{}", i + 1), spec)).collect();
    build(header, specs, bytes, source)
}

fn build(
    header: ListSpec,
    specs: Vec<(String, EntitySpec)>,
    bytes: &[u8],
    source: String,
) -> Result<LoadedList, ListError> {
    let path = PathBuf::from(&source);
    let invalid = |message: String| ListError::invalid(path.clone(), message);
    let dataset = header.dataset.trim().to_string();
    if dataset.is_empty() || !dataset.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
        return Err(invalid(format!("dataset {dataset:?} must be made of a-z, 0-9 and _")));
    }
    if specs.is_empty() {
        return Err(invalid("the list has no entities".into()));
    }
    let mut seen = HashSet::new();
    let mut entities = Vec::with_capacity(specs.len());
    for (place, spec) in specs {
        let label = match spec.id.as_deref().map(str::trim) {
            Some(id) if !id.is_empty() => format!("{place} (id {id:?})"),
            _ => place,
        };
        let e = entity(spec, &dataset).map_err(|m| invalid(format!("{label}: {m}")))?;
        if !seen.insert(e.id.clone()) {
            return Err(invalid(format!("{label}: duplicate id {:?}", e.id)));
        }
        entities.push(e);
    }
    let title = header.title.map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).unwrap_or_else(|| dataset.clone());
    let published = header.version.map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let sha = super::content_sha256([bytes]);
    Ok(LoadedList::new(&dataset, &title, ListFormat::Cartelscreen, source, sha, published, entities, Vec::new()))
}

fn entity(spec: EntitySpec, dataset: &str) -> Result<Entity, String> {
    let id = spec.id.as_deref().map(str::trim).unwrap_or("");
    if id.is_empty() {
        return Err("no id".into());
    }
    let kind_text = spec.kind.as_deref().unwrap_or("");
    let kind = EntityKind::parse(kind_text).ok_or_else(|| {
        format!("unknown kind {kind_text:?} (expected person, organization, company, vessel or aircraft)")
    })?;
    let name = spec.name.as_deref().map(str::trim).unwrap_or("");
    if name.is_empty() {
        return Err("empty name".into());
    }
    let mut e = Entity::new(id, dataset, kind);
    e.add_name(name, NameRole::Primary);
    for a in &spec.aliases {
        e.add_name(a, NameRole::Aka);
    }
    for a in &spec.weak_aliases {
        e.add_name(a, NameRole::WeakAlias);
    }
    e.programs = cleaned(spec.programs);
    for id_spec in spec.identifiers {
        let identifier = match id_spec {
            IdSpec::Text(t) => {
                let (scheme, value) = t
                    .split_once(':')
                    .map(|(s, v)| (s.trim(), v.trim()))
                    .filter(|(s, v)| !s.is_empty() && !v.is_empty())
                    .ok_or_else(|| format!("identifier {t:?} is not scheme:value"))?;
                Identifier { scheme: IdScheme::parse(scheme), value: value.to_string(), country: None }
            }
            IdSpec::Full(t) => {
                let (scheme, value) = (t.scheme.trim(), t.value.trim());
                if scheme.is_empty() || value.is_empty() {
                    return Err("identifier with an empty scheme or value".into());
                }
                Identifier {
                    scheme: IdScheme::parse(scheme),
                    value: value.to_string(),
                    country: t.country.map(|c| c.trim().to_string()).filter(|c| !c.is_empty()),
                }
            }
        };
        e.identifiers.push(identifier);
    }
    for d in spec.birth_dates {
        let date = BirthDate::parse_iso(&d).ok_or_else(|| format!("bad birth date {d:?}"))?;
        if !e.birth_dates.contains(&date) {
            e.birth_dates.push(date);
        }
    }
    e.birth_places = cleaned(spec.birth_places);
    e.nationalities = cleaned(spec.nationalities);
    e.citizenships = cleaned(spec.citizenships);
    e.gender = spec.gender.map(|g| g.trim().to_string()).filter(|g| !g.is_empty());
    let opt = |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    for a in spec.addresses {
        let address = Address { street: opt(a.street), city: opt(a.city), country: opt(a.country) };
        if address != Address::default() {
            e.addresses.push(address);
        }
    }
    for c in cleaned(spec.countries) {
        let address = Address { country: Some(c), ..Address::default() };
        if !e.addresses.contains(&address) {
            e.addresses.push(address);
        }
    }
    e.links = cleaned(spec.links)
        .into_iter()
        .map(|name| Link { name, target: None, via: crate::engine::model::LinkVia::LinkedTo })
        .collect();
    e.same_as = cleaned(spec.same_as);
    if let Some(d) = opt(spec.listed_on) {
        if BirthDate::parse_iso(&d).is_none() {
            return Err(format!("bad listed_on date {d:?}"));
        }
        e.listed_on = Some(d);
    }
    e.remarks = opt(spec.remarks);
    e.phones = cleaned(spec.phones);
    e.emails = cleaned(spec.emails);
    e.websites = cleaned(spec.websites);
    Ok(e)
}

/// Trimmed, without empties or repeats, in order.
fn cleaned(values: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(values.len());
    for v in values {
        let v = v.trim();
        if !v.is_empty() && !out.iter().any(|x| x == v) {
            out.push(v.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(rel: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(rel)
    }

    fn names(e: &Entity, role: NameRole) -> Vec<&str> {
        e.names.iter().filter(|n| n.role == role).map(|n| n.full.as_str()).collect()
    }

    #[test]
    fn file_names() {
        assert!(is_native_file_name("acme.toml"));
        assert!(is_native_file_name("acme.json"));
        assert!(is_native_file_name("acme blocklist.csv"));
        for ofac in ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv", "cons_prim.csv", "cons_alt.csv"] {
            assert!(!is_native_file_name(ofac), "{ofac}");
        }
        assert!(!is_native_file_name("consolidated.xml"));
        assert!(!is_native_file_name("readme.md"));
        assert_eq!(dataset_from_stem("ACME Blocklist-2025"), "acme_blocklist_2025");
        assert_eq!(dataset_from_stem(""), "list");
    }

    #[test]
    fn toml_list() {
        let l = load_native(&fixture("native-toml/acme_blocklist.toml")).expect("loads");
        assert_eq!(l.version.dataset, "acme_blocklist");
        assert_eq!(l.version.title, "ACME internal blocklist");
        assert_eq!(l.version.format, ListFormat::Cartelscreen);
        assert_eq!(l.version.published.as_deref(), Some("2025-03-01"), "a TOML date is read as text");
        assert_eq!(l.version.entries, 3);
        assert_eq!(l.version.sha256.len(), 64);
        assert!(l.version.source.ends_with("acme_blocklist.toml"));

        let c = &l.entities[0];
        assert_eq!(c.id, "acme-001");
        assert_eq!(c.list, "acme_blocklist");
        assert_eq!(c.kind, EntityKind::Company);
        assert_eq!(c.caption(), "TRANSPORTES EJEMPLO, S.A. DE C.V.");
        assert_eq!(names(c, NameRole::Aka), vec!["TRANSPORTES EJEMPLO"]);
        assert_eq!(names(c, NameRole::WeakAlias), vec!["EL EJEMPLO"]);
        assert_eq!(c.programs, vec!["INTERNAL"]);
        assert_eq!(c.identifiers.len(), 2);
        assert_eq!(c.identifiers[0].scheme, IdScheme::Rfc);
        assert_eq!(c.identifiers[0].value, "TEJ-120101-AB1");
        assert_eq!(c.identifiers[0].country.as_deref(), Some("Mexico"));
        assert_eq!(c.identifiers[1].scheme, IdScheme::FolioMercantil);
        assert_eq!(c.identifiers[1].value, "99999");
        assert_eq!(c.addresses.len(), 2);
        assert_eq!(c.addresses[0].city.as_deref(), Some("Guadalajara"));
        assert_eq!(c.addresses[1], Address { country: Some("Guatemala".into()), ..Address::default() });
        assert_eq!(c.links.len(), 2);
        assert_eq!(c.links[0].name, "CARTEL DE JALISCO NUEVA GENERACION");
        assert!(c.links.iter().all(|l| l.target.is_none()));
        assert_eq!(c.same_as, vec!["ofac-0000001"]);
        assert_eq!(c.listed_on.as_deref(), Some("2025-02-20"));
        assert_eq!(c.remarks.as_deref(), Some("Invented entry for tests."));

        let p = &l.entities[1];
        assert_eq!(p.kind, EntityKind::Person);
        assert_eq!(
            p.birth_dates,
            vec![
                BirthDate::ymd(1966, 7, 17),
                BirthDate::year(1970),
                BirthDate { month: Some(5), ..BirthDate::year(1971) }
            ]
        );
        assert_eq!(p.birth_places, vec!["Pueblo Inventado, Jalisco, Mexico"]);
        assert_eq!(p.citizenships, vec!["Guatemala"]);
        assert_eq!(p.gender.as_deref(), Some("male"));
        assert_eq!(p.identifiers[0].scheme, IdScheme::Curp);

        let u = &l.entities[2];
        assert_eq!(u.kind, EntityKind::Unknown, "kind is optional");
    }

    #[test]
    fn json_list() {
        let l = load_native(&fixture("native-json/acme_blocklist.json")).expect("loads");
        assert_eq!(l.version.dataset, "acme_json");
        assert_eq!(l.version.title, "acme_json", "title defaults to the dataset");
        assert_eq!(l.version.published.as_deref(), Some("v7"));
        assert_eq!(l.entities.len(), 2);
        let g = &l.entities[0];
        assert_eq!(g.kind, EntityKind::Organization);
        assert_eq!(names(g, NameRole::Aka), vec!["GI"]);
        assert_eq!(g.identifiers[0].scheme, IdScheme::Nit);
        assert_eq!(g.identifiers[1].scheme, IdScheme::Passport);
        assert_eq!(g.same_as, vec!["un-XXe.001"]);
        assert_eq!(l.entities[1].kind, EntityKind::Vessel);
    }

    #[test]
    fn csv_list() {
        let l = load_native(&fixture("native-csv/ACME Blocklist-2025.csv")).expect("loads");
        assert_eq!(l.version.dataset, "acme_blocklist_2025");
        assert_eq!(l.version.published, None);
        assert_eq!(l.entities.len(), 2, "the empty row is skipped");
        let c = &l.entities[0];
        assert_eq!(c.id, "c-1");
        assert_eq!(c.kind, EntityKind::Company);
        assert_eq!(c.caption(), "EMPRESA FICTICIA, S.A.");
        assert_eq!(names(c, NameRole::Aka), vec!["EMPRESA FICTICIA", "FICTICIA SA"]);
        assert_eq!(c.programs, vec!["INTERNAL", "PEP"]);
        assert_eq!(c.identifiers.len(), 2);
        assert_eq!(c.identifiers[0].scheme, IdScheme::Rfc);
        assert_eq!(c.identifiers[0].value, "EFI-010101-AA1");
        assert_eq!(
            c.addresses.iter().map(|a| a.country.as_deref().unwrap_or("")).collect::<Vec<_>>(),
            vec!["Mexico", "Panama"]
        );
        assert_eq!(c.links[0].name, "c-2");
        assert_eq!(c.remarks.as_deref(), Some("Invented, with a comma"));
        let p = &l.entities[1];
        assert_eq!(p.caption(), "Persona Inventada");
        assert_eq!(names(p, NameRole::WeakAlias), vec!["El Inventado"]);
        assert_eq!(p.birth_dates, vec![BirthDate::ymd(1980, 1, 2), BirthDate::year(1981)]);
        assert_eq!(p.nationalities, vec!["Mexico"]);
        assert_eq!(p.same_as, vec!["ofac-0000002"]);
    }

    #[test]
    fn the_project_registry_loads() {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("lists/fto_cartels.toml");
        if p.is_file() {
            let l = load_native(&p).expect("the cartel registry is a valid list");
            assert!(l.entities.len() >= 6);
        }
    }

    fn rejects(rel: &str, invalid: bool, needles: &[&str]) {
        let err = match load_native(&fixture(rel)) {
            Ok(l) => panic!("{rel} accepted: {:?}", l.version),
            Err(e) => e,
        };
        let is_invalid = matches!(err, ListError::Invalid { .. });
        let is_format = matches!(err, ListError::Format { .. });
        assert!(if invalid { is_invalid } else { is_format }, "{rel}: wrong kind of error: {err:?}");
        let text = err.to_string();
        assert!(text.contains(rel.rsplit('/').next().unwrap_or(rel)), "{rel}: {text}");
        for n in needles {
            assert!(text.contains(n), "{rel}: {text:?} lacks {n:?}");
        }
    }

    #[test]
    fn invalid_lists_are_rejected() {
        rejects("native-invalid/duplicate_id.toml", true, &["entity #2", "duplicate id \"x-1\""]);
        rejects("native-invalid/empty_name.toml", true, &["entity #1", "x-1", "empty name"]);
        rejects("native-invalid/bad_kind.toml", true, &["x-1", "unknown kind \"corporation\""]);
        rejects("native-invalid/bad_date.toml", true, &["x-1", "bad birth date \"1966-13-45\""]);
        rejects("native-invalid/bad_dataset.toml", true, &["dataset \"Bad Name!\""]);
        rejects("native-invalid/missing_id.toml", true, &["entity #1", "no id"]);
        rejects("native-invalid/bad_identifier.toml", true, &["not scheme:value"]);
        rejects("native-invalid/no_entities.toml", true, &["no entities"]);
        rejects("native-invalid/unknown_key.toml", false, &["alaises"]);
        rejects("native-invalid/bad_syntax.toml", false, &["TOML"]);
        rejects("native-invalid/no_list.toml", false, &["no [list] table"]);
        rejects("native-invalid/bad.json", false, &["JSON", "line 1"]);
        rejects("native-invalid/unknown_key.json", false, &["nam"]);
        rejects("native-invalid/unknown_column.csv", false, &["unknown CSV column \"alias\""]);
        rejects("native-invalid/no_name_column.csv", false, &["no \"name\" column"]);
        rejects("native-invalid/duplicate_id.csv", true, &["line 3", "duplicate id"]);
        rejects("native-invalid/empty_name.csv", true, &["line 3", "x-2", "empty name"]);
        rejects("native-invalid/ragged.csv", false, &["CSV"]);
        rejects("native-invalid/bad_date.csv", true, &["line 2", "bad birth date"]);
    }

    #[test]
    fn identifier_tables_reject_unknown_keys() {
        let text = "[list]\ndataset = \"a\"\n[[entity]]\nid = \"1\"\nname = \"X\"\nidentifiers = [{ scheme = \"rfc\", valeu = \"A\" }]\n";
        let err = parse_native_toml(text, "t.toml".into()).expect_err("typo in an identifier");
        assert!(err.to_string().contains("valeu"), "{err}");
        let err = parse_native_json(
            r#"{"list":{"dataset":"a"},"entity":[{"id":"1","name":"X","identifiers":[7]}]}"#,
            "t.json".into(),
        )
        .expect_err("a number is no identifier");
        assert!(err.to_string().contains("scheme:value"), "{err}");
    }

    #[test]
    fn the_list_table_rejects_unknown_keys() {
        let err = parse_native_toml(
            "[list]\ndataset = \"a\"\nverison = \"1\"\n[[entity]]\nid = \"1\"\nname = \"X\"\n",
            "t.toml".into(),
        )
        .expect_err("typo in [list]");
        assert!(err.to_string().contains("verison"), "{err}");
    }

    #[test]
    fn not_utf8_is_a_format_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let p = dir.path().join("latin1.toml");
        std::fs::write(&p, b"[list]\ndataset = \"a\"\n[[entity]]\nid = \"1\"\nname = \"M\xe9xico\"\n").unwrap();
        assert!(matches!(load_native(&p), Err(ListError::Format { .. })));
        // The CSV reader reports the bad row as well.
        let p = dir.path().join("latin1.csv");
        std::fs::write(&p, b"id,name\n1,M\xe9xico\n").unwrap();
        assert!(matches!(load_native(&p), Err(ListError::Format { .. })));
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_text_never_panics(s in "\\PC{0,400}") {
            let _ = parse_native_toml(&s, "fuzz.toml".into());
            let _ = parse_native_json(&s, "fuzz.json".into());
            let _ = parse_native_csv(s.as_bytes(), "fuzz", "fuzz.csv".into());
        }

        #[test]
        fn arbitrary_bytes_never_panic_csv(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
            let _ = parse_native_csv(&bytes, "fuzz", "fuzz.csv".into());
        }

        #[test]
        fn list_shaped_toml_never_panics(
            keys in proptest::collection::vec("(id|kind|name|aliases|birth_dates|identifiers|listed_on|countries|x)", 0..6),
            values in proptest::collection::vec("(\"[a-z0-9:\\- ]{0,8}\"|\\[\"[a-z0-9:\\-]{0,8}\"\\]|[0-9]{1,4}|1966-07-17|\\{ scheme = \"rfc\", value = \"v\" \\}|true)", 0..6),
        ) {
            let mut text = String::from("[list]\ndataset = \"fuzz\"\n[[entity]]\n");
            for (k, v) in keys.iter().zip(values.iter()) {
                text.push_str(&format!("{k} = {v}\n"));
            }
            let _ = parse_native_toml(&text, "fuzz.toml".into());
        }

        #[test]
        fn list_shaped_csv_never_panics(rows in proptest::collection::vec("[a-z0-9|:, \"\\-]{0,30}", 0..5)) {
            let mut text = String::from("id,name,kind,aliases,identifiers,birth_dates,countries\n");
            for r in rows {
                text.push_str(&r);
                text.push('\n');
            }
            let _ = parse_native_csv(text.as_bytes(), "fuzz", "fuzz.csv".into());
        }
    }
}
