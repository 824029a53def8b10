//! The UN Security Council Consolidated List, as the XML the UN publishes at
//! `scsanctions.un.org/resources/xml/en/consolidated.xml`.
//!
//! The document is `CONSOLIDATED_LIST` (attribute `dateGenerated`) holding
//! `INDIVIDUALS/INDIVIDUAL` and `ENTITIES/ENTITY` records. Each record becomes
//! one [`Entity`] with id `un-<REFERENCE_NUMBER>`:
//!
//! - names: `FIRST_NAME` .. `FOURTH_NAME` joined (entities: `FIRST_NAME`),
//!   `NAME_ORIGINAL_SCRIPT` as an a.k.a., `*_ALIAS` by `QUALITY` (`Good` and
//!   `a.k.a.` strong, `Low` weak, `f.k.a.`). Alias fields that pack several
//!   names (`A; B`, `أبو بكر (A; B)`, `Jin Tiesan (金铁三)`) are split.
//! - `UN_LIST_TYPE` is the program, `LISTED_ON`, `GENDER`,
//!   `NATIONALITY/VALUE`, dates and places of birth, documents
//!   (identifiers), addresses, and `COMMENTS1` as remarks.
//!
//! Unknown elements are ignored; a document that is not well-formed, is not
//! a consolidated list, holds no records, or has a record without reference
//! number or name is rejected whole.

use std::path::{Path, PathBuf};

use quick_xml::events::Event;
use quick_xml::Reader;

use crate::engine::model::{
    Address, BirthDate, Entity, EntityKind, IdScheme, Identifier, ListFormat, LoadedList, NameRole,
};
use crate::lists::ListError;

pub const DATASET: &str = "un_sc_sanctions";
pub const TITLE: &str = "UN Security Council Consolidated List";

/// Deeper nesting than this is not a consolidated list (and would make a
/// deep tree to drop).
const MAX_DEPTH: usize = 32;

/// Reads and parses a UN consolidated XML file.
///
/// # Errors
///
/// [`ListError`] when the file cannot be read or is not a valid UN consolidated list.
pub fn load_un(path: &Path) -> Result<LoadedList, ListError> {
    let bytes = super::read_bytes(path)?;
    parse_un(&bytes, path.display().to_string())
}

/// Parses a UN consolidated XML document; `source` names it in the version
/// and in errors.
///
/// # Errors
///
/// [`ListError`] when the XML is malformed, too deep, or cut.
pub fn parse_un(bytes: &[u8], source: String) -> Result<LoadedList, ListError> {
    let path = PathBuf::from(&source);
    let fail = |message: String| ListError::format(path.clone(), message);
    let root = parse_tree(bytes).map_err(&fail)?;
    let line_of = |pos: u64| line_at(bytes, pos);
    if root.tag != "CONSOLIDATED_LIST" {
        return Err(fail(format!(
            "not a UN consolidated list: the root element is <{}>, expected <CONSOLIDATED_LIST>",
            root.tag
        )));
    }
    let published =
        root.attrs.iter().find(|(k, _)| k == "dateGenerated").map(|(_, v)| date_part(v)).filter(|v| !v.is_empty());

    let mut entities = Vec::new();
    let mut warnings = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let records = root
        .children
        .iter()
        .filter(|section| section.tag == "INDIVIDUALS" || section.tag == "ENTITIES")
        .flat_map(|section| section.children.iter())
        .filter(|rec| rec.tag == "INDIVIDUAL" || rec.tag == "ENTITY");
    for (n, rec) in records.enumerate() {
        let entity = record(rec, &mut warnings).map_err(|m| {
            let dataid = rec.child_text("DATAID");
            let line = line_of(rec.pos);
            let which = if dataid.is_empty() {
                format!("line {line}: record #{}", n + 1)
            } else {
                format!("line {line}: record #{} (DATAID {dataid})", n + 1)
            };
            fail(format!("{which}: {m}"))
        })?;
        if !seen.insert(entity.id.clone()) {
            warnings.push(format!("duplicate REFERENCE_NUMBER {}: later record skipped", entity.id));
            continue;
        }
        entities.push(entity);
    }
    if entities.is_empty() {
        return Err(fail("the consolidated list holds no INDIVIDUAL or ENTITY records".into()));
    }
    let sha = super::content_sha256([bytes]);
    Ok(LoadedList::new(DATASET, TITLE, ListFormat::UnConsolidated, source, sha, published, entities, warnings))
}

// ---------------------------------------------------------------------------
// A small element tree: the list is a few MB, and reading each record as a
// tree keeps the mapping below plain.

#[derive(Debug, Default)]
struct Node {
    /// Byte offset of the element's start tag.
    pos: u64,
    tag: String,
    attrs: Vec<(String, String)>,
    text: String,
    children: Vec<Node>,
}

impl Node {
    fn child(&self, tag: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.tag == tag)
    }

    fn all<'a>(&'a self, tag: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.tag == tag)
    }

    /// The text of a child, whitespace collapsed; empty if absent.
    fn child_text(&self, tag: &str) -> String {
        self.child(tag).map(|c| collapse(&c.text)).unwrap_or_default()
    }

    fn child_opt(&self, tag: &str) -> Option<String> {
        Some(self.child_text(tag)).filter(|s| !s.is_empty())
    }
}

fn parse_tree(bytes: &[u8]) -> Result<Node, String> {
    let mut reader = Reader::from_reader(bytes);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    // Where the reader is, as a line number (people open the file in an
    // editor) and the byte offset.
    let position = |r: &Reader<&[u8]>| {
        let b = r.buffer_position();
        format!("line {}, byte {b}", line_at(bytes, b))
    };
    loop {
        let event = reader.read_event().map_err(|e| format!("malformed XML at {}: {e}", position(&reader)))?;
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(format!("malformed XML at {}: content after the root element", position(&reader)));
            }
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(format!("XML nested deeper than {MAX_DEPTH} levels at {}", position(&reader)));
                }
                let mut node = element(&start, &reader)?;
                node.pos = reader.buffer_position();
                stack.push(node);
            }
            Event::Empty(start) => {
                let node = element(&start, &reader)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => root = Some(node),
                }
            }
            Event::End(_) => {
                let node = stack.pop().ok_or("malformed XML: unexpected end tag")?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => root = Some(node),
                }
            }
            Event::Text(text) => {
                if let Some(node) = stack.last_mut() {
                    let s = text.unescape().map_err(|e| format!("malformed XML text at {}: {e}", position(&reader)))?;
                    node.text.push_str(&s);
                } else if !text.iter().all(u8::is_ascii_whitespace) && !is_bom(&text) {
                    return Err(format!("malformed XML at {}: text outside the root element", position(&reader)));
                }
            }
            Event::CData(data) => {
                let node = stack.last_mut().ok_or("malformed XML: CDATA outside the root element")?;
                let s = std::str::from_utf8(&data)
                    .map_err(|e| format!("CDATA is not UTF-8 at {}: {e}", position(&reader)))?;
                node.text.push_str(s);
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(format!(
            "truncated XML: the document ends inside <{}> ({} element(s) left open)",
            open.tag,
            stack.len()
        ));
    }
    root.ok_or_else(|| "not XML: no root element".to_string())
}

/// The 1-based line of byte offset `pos`.
fn line_at(bytes: &[u8], pos: u64) -> usize {
    let end = (pos as usize).min(bytes.len());
    memchr::memchr_iter(b'\n', &bytes[..end]).count() + 1
}

fn is_bom(text: &[u8]) -> bool {
    text == b"\xEF\xBB\xBF"
}

fn element(start: &quick_xml::events::BytesStart<'_>, reader: &Reader<&[u8]>) -> Result<Node, String> {
    let tag = std::str::from_utf8(start.local_name().as_ref())
        .map_err(|e| {
            let b = reader.buffer_position();
            format!("element name is not UTF-8 at line {}, byte {b}: {e}", line_at(reader.get_ref(), b))
        })?
        .to_string();
    let mut attrs = Vec::new();
    for attr in start.attributes() {
        let at = || {
            let b = reader.buffer_position();
            format!("line {}, byte {b}", line_at(reader.get_ref(), b))
        };
        let attr = attr.map_err(|e| format!("malformed XML attribute at {}: {e}", at()))?;
        let key = String::from_utf8_lossy(attr.key.local_name().as_ref()).into_owned();
        let value = attr.unescape_value().map_err(|e| format!("malformed XML attribute at {}: {e}", at()))?;
        attrs.push((key, value.into_owned()));
    }
    Ok(Node { pos: 0, tag, attrs, text: String::new(), children: Vec::new() })
}

// ---------------------------------------------------------------------------
// Records.

fn record(rec: &Node, warnings: &mut Vec<String>) -> Result<Entity, String> {
    let reference = rec.child_text("REFERENCE_NUMBER");
    if reference.is_empty() {
        return Err("no REFERENCE_NUMBER".into());
    }
    let id = format!("un-{reference}");
    let person = rec.tag == "INDIVIDUAL";
    let primary = if person {
        ["FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"]
            .iter()
            .map(|t| rec.child_text(t))
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        rec.child_text("FIRST_NAME")
    };
    if primary.is_empty() {
        return Err(format!("{reference} has no name"));
    }
    // One entity record names two organisations as `A ; B`: the first is the
    // primary name, the rest are aliases.
    let mut primary_parts = if person {
        vec![primary.clone()]
    } else {
        primary.split(" ; ").map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
    };
    if primary_parts.is_empty() {
        primary_parts.push(primary.clone());
    }
    let kind = if person {
        EntityKind::Person
    } else if crate::engine::reference::has_legal_form(&primary) {
        EntityKind::Company
    } else {
        EntityKind::Organization
    };
    let mut e = Entity::new(id, DATASET, kind);
    e.add_name(&primary_parts[0], NameRole::Primary);
    for extra in &primary_parts[1..] {
        e.add_name(extra, NameRole::Aka);
    }
    for n in rec.all("NAME_ORIGINAL_SCRIPT") {
        e.add_name(&collapse(&n.text), NameRole::Aka);
    }
    let alias_tag = if person { "INDIVIDUAL_ALIAS" } else { "ENTITY_ALIAS" };
    for alias in rec.all(alias_tag) {
        let raw = alias.child_text("ALIAS_NAME");
        if raw.is_empty() {
            continue;
        }
        let quality = alias.child_text("QUALITY");
        let role = alias_role(&quality).unwrap_or_else(|| {
            warnings.push(format!("{}: unknown alias QUALITY {quality:?}, read as a.k.a.", e.id));
            NameRole::Aka
        });
        for name in split_alias(&raw) {
            e.add_name(&name, role);
        }
        if let Some(d) = alias.child_opt("DATE_OF_BIRTH").and_then(|d| BirthDate::parse_iso(&d)) {
            push_unique(&mut e.birth_dates, d);
        }
        let place = join_parts([alias.child_opt("CITY_OF_BIRTH"), alias.child_opt("COUNTRY_OF_BIRTH")]);
        if let Some(p) = place {
            push_unique(&mut e.birth_places, p);
        }
    }

    if let Some(program) = rec.child_opt("UN_LIST_TYPE") {
        e.programs.push(program);
    }
    e.listed_on = rec.child_opt("LISTED_ON").map(|d| date_part(&d));
    e.gender = rec.child_opt("GENDER");
    if let Some(nat) = rec.child("NATIONALITY") {
        for v in nat.all("VALUE") {
            let v = collapse(&v.text);
            // `na` is "not available", not Namibia.
            if v.is_empty() || matches!(v.to_ascii_lowercase().as_str(), "na" | "n/a" | "unknown") {
                continue;
            }
            push_unique(&mut e.nationalities, v);
        }
    }
    for dob in rec.all("INDIVIDUAL_DATE_OF_BIRTH") {
        for d in birth_dates(dob) {
            push_unique(&mut e.birth_dates, d);
        }
    }
    for pob in rec.all("INDIVIDUAL_PLACE_OF_BIRTH") {
        let mut parts = Vec::new();
        for tag in ["STREET", "CITY", "STATE_PROVINCE", "COUNTRY"] {
            let part = pob.child_text(tag);
            if !part.is_empty() && !parts.contains(&part) {
                parts.push(part);
            }
        }
        if parts.is_empty() {
            parts.extend(pob.child_opt("NOTE"));
        }
        if !parts.is_empty() {
            push_unique(&mut e.birth_places, parts.join(", "));
        }
    }
    for doc in rec.all("INDIVIDUAL_DOCUMENT") {
        if let Some(id) = document(doc) {
            let dup = e.identifiers.iter().any(|x| x.scheme == id.scheme && x.key() == id.key());
            if !dup {
                e.identifiers.push(id);
            }
        }
    }
    let address_tag = if person { "INDIVIDUAL_ADDRESS" } else { "ENTITY_ADDRESS" };
    for a in rec.all(address_tag) {
        let address = Address {
            street: a.child_opt("STREET"),
            city: join_parts([a.child_opt("CITY"), a.child_opt("STATE_PROVINCE"), a.child_opt("ZIP_CODE")]),
            country: a.child_opt("COUNTRY"),
        };
        if address != Address::default() && !e.addresses.contains(&address) {
            e.addresses.push(address);
        }
    }
    e.remarks = rec.child_opt("COMMENTS1");
    Ok(e)
}

fn alias_role(quality: &str) -> Option<NameRole> {
    match quality.trim().to_ascii_lowercase().as_str() {
        "" | "good" | "good quality" | "a.k.a." | "aka" => Some(NameRole::Aka),
        "low" | "low quality" => Some(NameRole::WeakAlias),
        "f.k.a." | "fka" => Some(NameRole::Fka),
        "n.k.a." | "nka" => Some(NameRole::Nka),
        _ => None,
    }
}

/// Splits an `ALIAS_NAME` that packs several names:
/// `Mohammad Islami; Mohamed Islami`, `Mohammed Sabet; ... b) M. Javad ...`,
/// `حسن غول (Hassan Ghul; Hassan Gul)`, `Jin Tiesan (金铁三)`,
/// `Amir Khazmat (original script: Амир Хазмат)`. A trailing parenthesis
/// that qualifies a single name (`(AQAP)`, `(third)`) is left alone.
fn split_alias(raw: &str) -> Vec<String> {
    let mut raw = raw.trim().trim_end_matches(',').trim();
    // `Khirullah Said Wali Khairkhwa, born in Kandahar on 01 Jan.1967`.
    if let Some(i) = raw.to_ascii_lowercase().find(", born ") {
        raw = raw[..i].trim();
    }
    let raw = strip_quotes(raw);
    let mut out = Vec::new();
    if let Some((outer, inner)) = trailing_group(raw) {
        let inner_t = inner.trim();
        // `Encep Nurjaman (birth name)`, `Abdel Ilah Sabri (false identity
        // related to ...)`: a note about the name, not part of it.
        const NOTES: [&str; 6] =
            ["birth name", "combat name", "previously listed as", "formerly listed as", "third", "original script"];
        let note = NOTES.contains(&inner_t.to_lowercase().as_str())
            || (inner_t.split_whitespace().count() > 6 && !inner.contains(';'));
        if note && !outer.trim().is_empty() {
            push_names(&mut out, outer);
            return out;
        }
        let original_script =
            inner_t.strip_prefix("original script:").or_else(|| inner_t.strip_prefix("original script :"));
        if let Some(script) = original_script {
            push_names(&mut out, outer);
            push_names(&mut out, script);
            return out;
        }
        if inner.contains(';') || (is_latin(outer) != is_latin(inner) && !outer.trim().is_empty()) {
            push_names(&mut out, outer);
            push_names(&mut out, inner);
            return out;
        }
    }
    push_names(&mut out, raw);
    out
}

fn push_names(out: &mut Vec<String>, s: &str) {
    for part in s.split(';') {
        for piece in split_enumeration(part) {
            let mut name = piece.trim();
            for suffix in ["(original script)", "- sub-unit name"] {
                if let Some(stripped) = name.strip_suffix(suffix) {
                    name = stripped.trim();
                }
            }
            let name = strip_quotes(name.trim_end_matches(',').trim());
            if !name.is_empty() && !out.iter().any(|n: &String| n == name) {
                out.push(name.to_string());
            }
        }
    }
}

/// `Mohammad Sabet b) M. Javad Kareemi Sabet` holds two names.
fn split_enumeration(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let bytes = s.as_bytes();
    let mut i = 0;
    while i + 3 < bytes.len() {
        if bytes[i] == b' ' && bytes[i + 1].is_ascii_lowercase() && bytes[i + 2] == b')' && bytes[i + 3] == b' ' {
            parts.push(&s[start..i]);
            start = i + 3;
            i += 3;
        } else {
            i += 1;
        }
    }
    parts.push(&s[start..]);
    let first = parts[0].trim_start();
    if first.len() > 3 && first.as_bytes()[0].is_ascii_lowercase() && first.as_bytes()[1] == b')' {
        parts[0] = &first[2..];
    }
    parts
}

/// `outer (inner)` when the text ends with a parenthesised group whose
/// opening bracket is found by balance.
fn trailing_group(s: &str) -> Option<(&str, &str)> {
    let s = s.trim_end();
    if !s.ends_with(')') {
        return None;
    }
    let mut depth = 0i32;
    for (i, ch) in s.char_indices().rev() {
        match ch {
            ')' => depth += 1,
            '(' => {
                depth -= 1;
                if depth == 0 {
                    let outer = &s[..i];
                    let inner = &s[i + 1..s.len() - 1];
                    return Some((outer, inner));
                }
            }
            _ => {}
        }
    }
    None
}

fn is_latin(s: &str) -> bool {
    let letters: Vec<char> = s.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.is_empty() {
        return true;
    }
    let latin = letters.iter().filter(|c| (**c as u32) < 0x250).count();
    latin * 2 >= letters.len()
}

fn strip_quotes(s: &str) -> &str {
    let t = s.trim();
    if t.len() >= 2 && t.starts_with('"') && t.ends_with('"') {
        t[1..t.len() - 1].trim()
    } else {
        t
    }
}

fn birth_dates(dob: &Node) -> Vec<BirthDate> {
    let kind = dob.child_text("TYPE_OF_DATE").to_ascii_uppercase();
    let note = dob.child_text("NOTE");
    let circa = kind == "APPROXIMATELY" || note.to_ascii_lowercase().contains("approx");
    let year = |tag: &str| -> Option<i32> {
        let y: i32 = dob.child_text(tag).parse().ok()?;
        (1000..=2999).contains(&y).then_some(y)
    };
    let mut out = Vec::new();
    if let Some(date) = dob.child_opt("DATE") {
        if let Some(mut d) = BirthDate::parse_iso(&date_part(&date)) {
            d.circa = circa;
            out.push(d);
        }
    } else if let Some(y) = year("YEAR") {
        let mut d = BirthDate::year(y);
        // `<YEAR>1958</YEAR><NOTE>Sep.</NOTE>`.
        d.month = month_of(&note).filter(|_| note.split_whitespace().count() == 1);
        d.circa = circa;
        out.push(d);
    } else if let (Some(from), Some(to)) = (year("FROM_YEAR"), year("TO_YEAR")) {
        let (from, to) = (from.min(to), from.max(to));
        let mut d = BirthDate::year(from);
        if to != from {
            d.to_year = Some(to);
        }
        d.circa = circa;
        out.push(d);
    } else if !note.is_empty() && !note.to_ascii_lowercase().contains("hijri") {
        // `Nov. 1973`, `August 1961`: a month and a year in the note.
        let years: Vec<i32> = note
            .split(|c: char| !c.is_ascii_digit())
            .filter(|w| w.len() == 4)
            .filter_map(|w| w.parse().ok())
            .filter(|y| (1800..=2100).contains(y))
            .collect();
        if let [y] = years.as_slice() {
            let mut d = BirthDate::year(*y);
            let months: Vec<u8> = note.split_whitespace().filter_map(month_of).collect();
            if let [m] = months.as_slice() {
                d.month = Some(*m);
            }
            d.circa = circa;
            out.push(d);
        }
    }
    out
}

fn month_of(word: &str) -> Option<u8> {
    let w = word.trim().trim_end_matches(['.', ',']).to_ascii_lowercase();
    if w.len() < 3 {
        return None;
    }

    super::remarks::MONTHS.iter().position(|m| m.starts_with(w.as_str())).map(|i| i as u8 + 1)
}

fn document(doc: &Node) -> Option<Identifier> {
    let kind = doc.child_text("TYPE_OF_DOCUMENT");
    let kind2 = doc.child_text("TYPE_OF_DOCUMENT2");
    let mut number = doc.child_text("NUMBER");
    if number.is_empty() {
        // `Afghan national identification card (tazkira) number 57388` with
        // no NUMBER.
        number = doc.child_text("TYPE_OF_DOCUMENT2");
        if !number.chars().any(|c| c.is_ascii_digit()) {
            return None;
        }
    }
    let number = number_part(&number);
    if number.is_empty() {
        return None;
    }
    let label = if kind.is_empty() { kind2.as_str() } else { kind.as_str() };
    let lower = label.to_ascii_lowercase();
    let scheme = if lower.contains("passport") || lower.contains("passeport") || lower.contains("pasaporte") {
        IdScheme::Passport
    } else if lower.contains("national identification") || lower.contains("national id") {
        IdScheme::NationalId
    } else if lower.is_empty() {
        IdScheme::Other("document".into())
    } else {
        IdScheme::parse(label)
    };
    let country = doc.child_opt("ISSUING_COUNTRY").or_else(|| doc.child_opt("COUNTRY_OF_ISSUE"));
    Some(Identifier { scheme, value: number, country })
}

/// The number out of `CAR diplomatic passport no. D00000898`,
/// `Afghan passport number OA296623`, `Diplomatic Passport: Z30321794`.
fn number_part(raw: &str) -> String {
    let raw = raw.trim();
    let lower = raw.to_ascii_lowercase();
    let mut cut = None;
    for marker in [" no. ", " number ", ": ", "no. "] {
        if let Some(i) = lower.rfind(marker) {
            let end = i + marker.len();
            if cut.is_none_or(|c| end > c) {
                cut = Some(end);
            }
        }
    }
    let has_digit = |s: &str| s.chars().any(|c| c.is_ascii_digit());
    let mut value = raw;
    if let Some(end) = cut {
        let rest = raw[end..].trim();
        if has_digit(rest) {
            value = rest;
        }
    }
    // `403062567 (US)`, `381110042 (Expired 25 Jan. 2016)`.
    if let Some((outer, _)) = trailing_group(value) {
        if has_digit(outer) {
            value = outer.trim();
        }
    }
    // `R00012098, South Sudan`.
    if let Some((head, tail)) = value.rsplit_once(',') {
        if has_digit(head) && !has_digit(tail) {
            value = head.trim();
        }
    }
    // `Jordan 654781`, `Diplomatic Passport D014433`: leading words
    // without digits (but not short prefixes such as `OB 0243318`).
    loop {
        match value.split_once(char::is_whitespace) {
            Some((word, rest)) if word.chars().count() >= 4 && !has_digit(word) && has_digit(rest) => {
                value = rest.trim_start();
            }
            _ => break,
        }
    }
    value.to_string()
}

fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// `2026-02-27T00:00:09.554Z` and `2015-03-27-04:00` are dates.
fn date_part(s: &str) -> String {
    let s = s.trim();
    let b = s.as_bytes();
    let is_date = b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit);
    if is_date {
        s[..10].to_string()
    } else {
        s.to_string()
    }
}

fn join_parts<const N: usize>(parts: [Option<String>; N]) -> Option<String> {
    let parts: Vec<String> = parts.into_iter().flatten().collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn push_unique<T: PartialEq>(v: &mut Vec<T>, x: T) {
    if !v.contains(&x) {
        v.push(x);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::model::{BirthDate, IdScheme, NameRole};

    /// Synthetic records in the shape of the real list.
    const SAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<CONSOLIDATED_LIST xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" dateGenerated="2030-01-02T03:04:05.678Z">
  <INDIVIDUALS>
    <INDIVIDUAL>
      <DATAID>1</DATAID>
      <FIRST_NAME>JUAN</FIRST_NAME>
      <SECOND_NAME>PRUEBA</SECOND_NAME>
      <THIRD_NAME>EJEMPLO &amp; HIJO</THIRD_NAME>
      <UN_LIST_TYPE>Testing</UN_LIST_TYPE>
      <REFERENCE_NUMBER> XXi.001 </REFERENCE_NUMBER>
      <LISTED_ON>2015-03-27-04:00</LISTED_ON>
      <GENDER>Male</GENDER>
      <NAME_ORIGINAL_SCRIPT>خوان</NAME_ORIGINAL_SCRIPT>
      <COMMENTS1><![CDATA[Line one <b>kept</b>
        and   line two.]]></COMMENTS1>
      <NATIONALITY><VALUE>Mexico</VALUE><VALUE>na</VALUE></NATIONALITY>
      <INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>Juan Probe; Juanito Probe</ALIAS_NAME></INDIVIDUAL_ALIAS>
      <INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>El Ensayo</ALIAS_NAME></INDIVIDUAL_ALIAS>
      <INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>خوان التجربة (Juan al-Tajriba; Juan Tajriba)</ALIAS_NAME></INDIVIDUAL_ALIAS>
      <INDIVIDUAL_ALIAS><QUALITY/><ALIAS_NAME/></INDIVIDUAL_ALIAS>
      <INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>Test Alias (AQX)</ALIAS_NAME><DATE_OF_BIRTH>1970-02-03</DATE_OF_BIRTH></INDIVIDUAL_ALIAS>
      <INDIVIDUAL_ADDRESS><STREET>Calle Falsa 123</STREET><CITY>Ciudad Prueba</CITY><STATE_PROVINCE>Estado</STATE_PROVINCE><COUNTRY>Mexico</COUNTRY></INDIVIDUAL_ADDRESS>
      <INDIVIDUAL_ADDRESS/>
      <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><DATE>1966-07-17</DATE></INDIVIDUAL_DATE_OF_BIRTH>
      <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>APPROXIMATELY</TYPE_OF_DATE><YEAR>1965</YEAR></INDIVIDUAL_DATE_OF_BIRTH>
      <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>1960</FROM_YEAR><TO_YEAR>1962</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH>
      <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><NOTE>Nov. 1973 </NOTE></INDIVIDUAL_DATE_OF_BIRTH>
      <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE/></INDIVIDUAL_DATE_OF_BIRTH>
      <INDIVIDUAL_PLACE_OF_BIRTH><CITY>Pueblo</CITY><STATE_PROVINCE>Estado</STATE_PROVINCE><COUNTRY>Mexico</COUNTRY></INDIVIDUAL_PLACE_OF_BIRTH>
      <INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT><NUMBER>G12345678 </NUMBER><ISSUING_COUNTRY>Mexico</ISSUING_COUNTRY></INDIVIDUAL_DOCUMENT>
      <INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>Número de pasaporte</TYPE_OF_DOCUMENT><NUMBER>G12345678</NUMBER></INDIVIDUAL_DOCUMENT>
      <INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>National Identification Number</TYPE_OF_DOCUMENT><NUMBER>Testland national identification number 9988</NUMBER><COUNTRY_OF_ISSUE>Testland</COUNTRY_OF_ISSUE></INDIVIDUAL_DOCUMENT>
      <INDIVIDUAL_DOCUMENT/>
      <SOME_FUTURE_ELEMENT><VALUE>ignored</VALUE></SOME_FUTURE_ELEMENT>
    </INDIVIDUAL>
  </INDIVIDUALS>
  <ENTITIES>
    <ENTITY>
      <DATAID>2</DATAID>
      <FIRST_NAME>EXAMPLE TRADING CO., LTD</FIRST_NAME>
      <UN_LIST_TYPE>Testing</UN_LIST_TYPE>
      <REFERENCE_NUMBER>XXe.001</REFERENCE_NUMBER>
      <LISTED_ON>2020-01-01</LISTED_ON>
      <ENTITY_ALIAS><QUALITY>a.k.a.</QUALITY><ALIAS_NAME>EXAMPLE TRADERS</ALIAS_NAME></ENTITY_ALIAS>
      <ENTITY_ALIAS><QUALITY>f.k.a.</QUALITY><ALIAS_NAME>OLD EXAMPLE</ALIAS_NAME></ENTITY_ALIAS>
      <ENTITY_ADDRESS><CITY>Testville</CITY><COUNTRY>Panama</COUNTRY></ENTITY_ADDRESS>
    </ENTITY>
    <ENTITY>
      <DATAID>3</DATAID>
      <FIRST_NAME>FRONT OF TESTING (FOT) ; SECOND TEST NAME</FIRST_NAME>
      <REFERENCE_NUMBER>XXe.002</REFERENCE_NUMBER>
    </ENTITY>
  </ENTITIES>
</CONSOLIDATED_LIST>
"#;

    fn sample() -> LoadedList {
        parse_un(SAMPLE.as_bytes(), "sample.xml".into()).expect("sample parses")
    }

    fn names(e: &Entity, role: NameRole) -> Vec<&str> {
        e.names.iter().filter(|n| n.role == role).map(|n| n.full.as_str()).collect()
    }

    #[test]
    fn maps_an_individual() {
        let l = sample();
        assert_eq!(l.version.dataset, "un_sc_sanctions");
        assert_eq!(l.version.title, "UN Security Council Consolidated List");
        assert_eq!(l.version.format, ListFormat::UnConsolidated);
        assert_eq!(l.version.published.as_deref(), Some("2030-01-02"));
        assert_eq!(l.version.entries, 3);
        let e = &l.entities[0];
        assert_eq!(e.id, "un-XXi.001");
        assert_eq!(e.list, "un_sc_sanctions");
        assert_eq!(e.kind, EntityKind::Person);
        assert_eq!(e.caption(), "JUAN PRUEBA EJEMPLO & HIJO");
        assert_eq!(e.names[0].role, NameRole::Primary);
        assert_eq!(
            names(e, NameRole::Aka),
            vec![
                "خوان",
                "Juan Probe",
                "Juanito Probe",
                "خوان التجربة",
                "Juan al-Tajriba",
                "Juan Tajriba",
                "Test Alias (AQX)"
            ]
        );
        assert_eq!(names(e, NameRole::WeakAlias), vec!["El Ensayo"]);
        assert_eq!(e.programs, vec!["Testing"]);
        assert_eq!(e.listed_on.as_deref(), Some("2015-03-27"));
        assert_eq!(e.gender.as_deref(), Some("Male"));
        assert_eq!(e.nationalities, vec!["Mexico"], "`na` is not Namibia");
        assert_eq!(e.remarks.as_deref(), Some("Line one <b>kept</b> and line two."));
        let circa = BirthDate { circa: true, ..BirthDate::year(1965) };
        let range = BirthDate { to_year: Some(1962), ..BirthDate::year(1960) };
        let month = BirthDate { month: Some(11), ..BirthDate::year(1973) };
        assert_eq!(e.birth_dates, vec![BirthDate::ymd(1970, 2, 3), BirthDate::ymd(1966, 7, 17), circa, range, month]);
        assert_eq!(e.birth_places, vec!["Pueblo, Estado, Mexico"]);
        assert_eq!(e.identifiers.len(), 2, "{:?}", e.identifiers);
        assert_eq!(e.identifiers[0].scheme, IdScheme::Passport);
        assert_eq!(e.identifiers[0].value, "G12345678");
        assert_eq!(e.identifiers[0].country.as_deref(), Some("Mexico"));
        assert_eq!(e.identifiers[1].scheme, IdScheme::NationalId);
        assert_eq!(e.identifiers[1].value, "9988");
        assert_eq!(e.identifiers[1].country.as_deref(), Some("Testland"));
        assert_eq!(e.addresses.len(), 1);
        assert_eq!(e.addresses[0].street.as_deref(), Some("Calle Falsa 123"));
        assert_eq!(e.addresses[0].city.as_deref(), Some("Ciudad Prueba, Estado"));
        assert_eq!(e.addresses[0].country.as_deref(), Some("Mexico"));
    }

    #[test]
    fn maps_entities() {
        let l = sample();
        let e = &l.entities[1];
        assert_eq!(e.id, "un-XXe.001");
        assert_eq!(e.kind, EntityKind::Company);
        assert_eq!(names(e, NameRole::Aka), vec!["EXAMPLE TRADERS"]);
        assert_eq!(names(e, NameRole::Fka), vec!["OLD EXAMPLE"]);
        assert_eq!(e.addresses[0].city.as_deref(), Some("Testville"));
        let o = &l.entities[2];
        assert_eq!(o.kind, EntityKind::Organization);
        assert_eq!(o.caption(), "FRONT OF TESTING (FOT)");
        assert_eq!(names(o, NameRole::Aka), vec!["SECOND TEST NAME"]);
        assert_eq!(l.version.by_kind.get("company"), Some(&1));
        assert_eq!(l.version.by_kind.get("organization"), Some(&1));
    }

    #[test]
    fn splits_packed_alias_names() {
        assert_eq!(split_alias("A One; B Two"), vec!["A One", "B Two"]);
        assert_eq!(
            split_alias("Mohammed Sabet; Mohammad Sabet b) M. Javad Sabet; M. Jawad Sabet"),
            vec!["Mohammed Sabet", "Mohammad Sabet", "M. Javad Sabet", "M. Jawad Sabet"]
        );
        assert_eq!(split_alias("Jin Tiesan (金铁三)"), vec!["Jin Tiesan", "金铁三"]);
        assert_eq!(split_alias("Amir (original script: Амир)"), vec!["Amir", "Амир"]);
        assert_eq!(
            split_alias("Group (GRP) (جماعة (original script); Group One; Group Two)"),
            vec!["Group (GRP)", "جماعة", "Group One", "Group Two"]
        );
        assert_eq!(split_alias("Al-Qaida in Testland (AQT)"), vec!["Al-Qaida in Testland (AQT)"]);
        assert_eq!(split_alias("\"HASSAN, Sheikh\""), vec!["HASSAN, Sheikh"]);
        assert_eq!(split_alias("Name (نام ),"), vec!["Name", "نام"]);
        assert!(split_alias(" ; ; ").is_empty());
        assert_eq!(split_alias("Ana Prueba (birth name)"), vec!["Ana Prueba"]);
        assert_eq!(split_alias("EL ENSAYO (COMBAT NAME)"), vec!["EL ENSAYO"]);
        assert_eq!(
            split_alias("Ana Prueba, born 1 Jan. 1953 (Testland passport no.1, issued 2014)"),
            vec!["Ana Prueba"]
        );
        assert_eq!(
            split_alias("Ana Prueba (false identity related to a fraudulent test document number 1)"),
            vec!["Ana Prueba"]
        );
        assert_eq!(split_alias("(((x"), vec!["(((x"]);
    }

    #[test]
    fn document_numbers() {
        let cases = [
            ("CAR diplomatic passport no. D00000898", "D00000898"),
            ("Afghan passport number OA296623", "OA296623"),
            ("Diplomatic Passport: Z30321794", "Z30321794"),
            ("Diplomatic Passport D014433", "D014433"),
            ("403062567 (US)", "403062567"),
            ("381110042 (Expired 25 Jan. 2016)", "381110042"),
            ("R00012098, South Sudan", "R00012098"),
            ("Jordan 654781", "654781"),
            ("Libya B/002210", "B/002210"),
            ("OB 0243318", "OB 0243318"),
            ("PS 472330208", "PS 472330208"),
            ("No34409/129", "No34409/129"),
            ("N°235/MISPAT", "N°235/MISPAT"),
            ("no number here", "no number here"),
            ("", ""),
        ];
        for (raw, want) in cases {
            assert_eq!(number_part(raw), want, "{raw}");
        }
    }

    fn rejects(xml: &str, needle: &str) {
        match parse_un(xml.as_bytes(), "bad.xml".into()) {
            Err(ListError::Format { message, .. }) => {
                assert!(message.contains(needle), "{message:?} lacks {needle:?}")
            }
            other => panic!("expected a format error, got {:?}", other.map(|l| l.version)),
        }
    }

    #[test]
    fn rejects_broken_input() {
        rejects("", "no root element");
        rejects("not xml at all", "text outside the root element");
        rejects("<OTHER_LIST><INDIVIDUALS/></OTHER_LIST>", "root element is <OTHER_LIST>");
        rejects("<CONSOLIDATED_LIST><INDIVIDUALS/><ENTITIES/></CONSOLIDATED_LIST>", "no INDIVIDUAL");
        rejects(
            "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>A</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>",
            "no REFERENCE_NUMBER",
        );
        rejects(
            "<CONSOLIDATED_LIST><ENTITIES><ENTITY><DATAID>9</DATAID><REFERENCE_NUMBER>X.1</REFERENCE_NUMBER><FIRST_NAME> </FIRST_NAME></ENTITY></ENTITIES></CONSOLIDATED_LIST>",
            "record #1 (DATAID 9): X.1 has no name",
        );
        rejects("<CONSOLIDATED_LIST><INDIVIDUALS></ENTITIES></CONSOLIDATED_LIST>", "malformed XML");
        rejects("<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>", "truncated XML");
        rejects("<CONSOLIDATED_LIST>&bogus;</CONSOLIDATED_LIST>", "malformed XML text");
        rejects("<CONSOLIDATED_LIST/><CONSOLIDATED_LIST/>", "after the root element");
        let deep = "<A>".repeat(100_000);
        rejects(&deep, "nested deeper");
        let truncated = &SAMPLE[..SAMPLE.len() / 2];
        rejects(truncated, "XML");
    }

    #[test]
    fn truncation_anywhere_is_rejected_or_consistent() {
        // Cutting the sample at any byte either fails cleanly or (past the
        // closing root tag) parses the same list.
        let full = sample();
        for cut in 0..SAMPLE.len() {
            if let Ok(l) = parse_un(&SAMPLE.as_bytes()[..cut], "cut.xml".into()) {
                assert_eq!(l.entities, full.entities, "cut at {cut}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..2000)) {
            let _ = parse_un(&bytes, "fuzz.xml".into());
        }

        #[test]
        fn mutated_sample_never_panics(pos in 0usize..SAMPLE.len(), byte in proptest::num::u8::ANY, len in 0usize..8) {
            let mut bytes = SAMPLE.as_bytes().to_vec();
            let end = (pos + len).min(bytes.len());
            bytes.splice(pos..end, std::iter::once(byte));
            let _ = parse_un(&bytes, "fuzz.xml".into());
        }

        #[test]
        fn xml_like_text_never_panics(s in "(<[A-Z_]{1,6}( a=\"[^\"]{0,5}\")?/?>|</[A-Z_]{1,6}>|&[a-z#0-9]{0,5};|<!\\[CDATA\\[[^\\]]{0,5}\\]\\]>|[^<&]{0,6}){0,40}") {
            let _ = parse_un(s.as_bytes(), "fuzz.xml".into());
        }
    }

    fn real_path() -> std::path::PathBuf {
        let p = std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/data/un/2026-02-27/consolidated.xml"
        ));
        assert!(p.is_file(), "the real UN list is missing at {} (see ../shared/README.md)", p.display());
        p
    }

    #[test]
    fn real_list_loads() {
        let l = load_un(&real_path()).expect("the real UN list loads");
        assert_eq!(l.version.entries, 1003);
        assert_eq!(l.version.by_kind.get("person"), Some(&730));
        let orgs = l.version.by_kind.get("organization").copied().unwrap_or(0)
            + l.version.by_kind.get("company").copied().unwrap_or(0);
        assert_eq!(orgs, 273);
        assert_eq!(l.version.published.as_deref(), Some("2026-02-27"));
        assert_eq!(l.version.sha256.len(), 64);
        assert!(l.warnings.is_empty(), "{:?}", l.warnings);

        let by_id = |id: &str| l.entities.iter().find(|e| e.id == id).unwrap_or_else(|| panic!("{id}"));
        let badege = by_id("un-CDi.001");
        assert_eq!(badege.caption(), "ERIC BADEGE");
        assert_eq!(badege.kind, EntityKind::Person);
        assert_eq!(badege.birth_dates, vec![BirthDate::year(1971)]);
        assert_eq!(badege.nationalities, vec!["Democratic Republic of the Congo"]);
        assert_eq!(crate::engine::country::iso2(&badege.nationalities[0]), Some("CD"));
        assert_eq!(badege.programs, vec!["DRC"]);
        assert_eq!(badege.listed_on.as_deref(), Some("2012-12-31"));
        assert_eq!(badege.gender.as_deref(), Some("Male"));
        assert_eq!(badege.addresses[0].country.as_deref(), Some("Rwanda"));
        assert!(badege.remarks.as_deref().unwrap_or("").starts_with("He fled to Rwanda"));

        // Trailing space in the reference number.
        let daedong = by_id("un-KPe.023");
        assert!(daedong.caption().starts_with("DAEDONG CREDIT BANK"));
        assert_eq!(daedong.kind, EntityKind::Organization);

        // Packed aliases are split.
        let soleimani = by_id("un-IRi.039");
        assert!(soleimani.names.iter().any(|n| n.full == "Kasim Sulaymani"));
        assert!(soleimani.names.iter().all(|n| !n.full.contains(';')));

        // Every name is trimmed, non-empty, and no alias packs `;`.
        for e in &l.entities {
            assert!(e.id.starts_with("un-") && e.id.trim() == e.id);
            for n in &e.names {
                assert!(!n.full.is_empty() && n.full.trim() == n.full, "{}: {:?}", e.id, n.full);
                assert!(!n.full.contains(';'), "{}: {:?}", e.id, n.full);
            }
        }
        let dobs: usize = l.entities.iter().map(|e| e.birth_dates.len()).sum();
        let ids: usize = l.entities.iter().map(|e| e.identifiers.len()).sum();
        assert!(dobs > 800, "{dobs} dates of birth");
        assert!(ids > 350, "{ids} identifiers");
    }

    #[test]
    fn truncated_real_file_is_rejected() {
        let bytes = std::fs::read(real_path()).expect("read the real UN list");
        let dir = std::env::temp_dir().join(format!("cartelscreen-un-{}-{}", std::process::id(), line!()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("consolidated.xml");
        std::fs::write(&path, &bytes[..bytes.len() * 2 / 3]).expect("write truncated copy");
        let result = load_un(&path);
        let _ = std::fs::remove_dir_all(&dir);
        match result {
            Err(ListError::Format { message, .. }) => assert!(message.contains("XML"), "{message}"),
            other => panic!("truncated list accepted: {:?}", other.map(|l| l.version)),
        }
    }
}

#[cfg(test)]
mod timing {
    #[test]
    fn real_list_parses_fast_in_release() {
        if cfg!(debug_assertions) {
            return;
        }
        let p = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/un/2026-02-27/consolidated.xml");
        let bytes = std::fs::read(p).unwrap_or_else(|e| panic!("the real UN list is missing at {p}: {e}"));
        let mut best = std::time::Duration::MAX;
        for _ in 0..5 {
            let t = std::time::Instant::now();
            let l = super::parse_un(&bytes, p.into()).expect("parses");
            best = best.min(t.elapsed());
            assert_eq!(l.entities.len(), 1003);
        }
        eprintln!("UN consolidated list parsed in {best:?}");
        assert!(best < std::time::Duration::from_millis(100), "{best:?}");
    }
}
