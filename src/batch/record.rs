//! One input row: its fields as text, and the query it asks for, checked
//! with the rules of the HTTP API (`ScreenRequest::to_query`) adapted to
//! spreadsheet cells.

use std::borrow::Cow;

use super::columns::ColumnMap;
use super::input::FieldDecoder;
use crate::model::{BirthDate, EntityKind};
use crate::screen::{Query, MAX_NAME_CHARS};

/// Longest accepted identifier, country and address, as in the HTTP API.
pub const MAX_ID_CHARS: usize = 100;
pub const MAX_IDENTIFIERS: usize = 50;
pub const MAX_COUNTRY_CHARS: usize = 100;
pub const MAX_ADDRESS_CHARS: usize = 2000;

/// A row as the CSV parser returned it.
#[derive(Debug, Clone)]
pub(crate) struct RawRow {
    /// 1-based position among the data rows (the header is not one).
    pub(crate) row: u64,
    /// 1-based line of the file the row starts on.
    pub(crate) line: u64,
    pub(crate) record: csv::ByteRecord,
}

/// A row decoded: exactly one text per header column (missing fields
/// empty, extra fields dropped), and the query or why there is none.
pub(crate) struct Decoded<'a> {
    pub(crate) fields: Vec<Cow<'a, str>>,
    pub(crate) query: Result<Query, String>,
}

pub(crate) fn decode<'a>(raw: &'a RawRow, width: usize, decoder: FieldDecoder, map: &ColumnMap) -> Decoded<'a> {
    let mut fields: Vec<Cow<'a, str>> = Vec::with_capacity(width);
    let mut bad_field: Option<usize> = None;
    for (i, b) in raw.record.iter().take(width).enumerate() {
        let (text, ok) = decoder.decode(b);
        if !ok && bad_field.is_none() {
            bad_field = Some(i);
        }
        fields.push(text);
    }
    let n = raw.record.len();
    while fields.len() < width {
        fields.push(Cow::Borrowed(""));
    }
    let query = if n != width {
        let what = if n > width { "extra fields are not in the output" } else { "missing fields are empty" };
        Err(format!("{n} fields where the header has {width} ({what})"))
    } else if let Some(i) = bad_field {
        Err(format!(
            "column {} is not valid UTF-8 (read the file as windows-1252 if it comes from Excel on Windows)",
            i + 1
        ))
    } else {
        query(&fields, map)
    };
    Decoded { fields, query }
}

/// Embedded line breaks and tabs in a cell (Alt+Enter in Excel) are
/// spaces; any other control character is refused.
fn clean<'a>(field: &str, value: &'a str) -> Result<Cow<'a, str>, String> {
    if !value.chars().any(char::is_control) {
        return Ok(Cow::Borrowed(value.trim()));
    }
    if value.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')) {
        return Err(format!("{field} contains control characters"));
    }
    let spaced: String = value.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    Ok(Cow::Owned(spaced.split_whitespace().collect::<Vec<_>>().join(" ")))
}

fn get<'a>(fields: &'a [Cow<'_, str>], i: usize) -> &'a str {
    fields.get(i).map(|f| f.trim()).unwrap_or("")
}

/// The counterparty kinds a type cell may say, in English or Spanish.
pub fn parse_kind(s: &str) -> Result<Option<EntityKind>, String> {
    let key = super::columns::header_key(s);
    let kind = match key.as_str() {
        "" | "any" | "unknown" | "desconocido" | "na" | "n a" => return Ok(None),
        "persona fisica" | "fisica" | "pf" | "p f" | "individual" | "individuo" | "natural person" | "person"
        | "persona" | "natural" | "individual person" => EntityKind::Person,
        "persona moral" | "moral" | "pm" | "p m" | "company" | "empresa" | "sociedad" | "corporation" | "corporate"
        | "business" | "legal entity" | "legal person" | "persona juridica" | "entity" | "compania" => {
            EntityKind::Company
        }
        "organization" | "organisation" | "organizacion" | "group" | "grupo" => EntityKind::Organization,
        "vessel" | "ship" | "buque" | "barco" | "embarcacion" => EntityKind::Vessel,
        "aircraft" | "airplane" | "aeronave" | "avion" => EntityKind::Aircraft,
        _ => match EntityKind::parse(s) {
            Some(EntityKind::Unknown) => return Ok(None),
            Some(k) => k,
            None => {
                return Err(format!(
                    "type '{s}' is not one of person, company, organization, vessel, aircraft, any (or persona física, persona moral)"
                ))
            }
        },
    };
    Ok(Some(kind))
}

/// A birth date as spreadsheets write it: `YYYY-MM-DD`, `DD/MM/YYYY`,
/// `YYYY`, optionally followed by a time (`1966-07-17T00:00:00`,
/// `17/07/1966 00:00`).
pub fn parse_dob(s: &str) -> Option<BirthDate> {
    let s = s.trim();
    let date = s.split([' ', 'T']).next().unwrap_or(s);
    BirthDate::parse_iso(date)
}

fn query(fields: &[Cow<'_, str>], map: &ColumnMap) -> Result<Query, String> {
    let mut name: Cow<'_, str> = Cow::Borrowed("");
    for &i in &map.name {
        let v = get(fields, i);
        if !v.is_empty() {
            name = Cow::Borrowed(v);
            break;
        }
    }
    if name.is_empty() && !map.given.is_empty() {
        let parts: Vec<&str> =
            map.given.iter().chain(&map.surnames).map(|&i| get(fields, i)).filter(|p| !p.is_empty()).collect();
        name = Cow::Owned(parts.join(" "));
    }
    if name.trim().is_empty() {
        return Err("name is empty".into());
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(format!("name is longer than {MAX_NAME_CHARS} characters"));
    }
    let name = clean("name", &name)?.into_owned();
    let kind = match map.kind.map(|i| get(fields, i)).filter(|k| !k.is_empty()) {
        Some(k) => parse_kind(k)?,
        None => None,
    };
    let dob = match map.dob.map(|i| get(fields, i)).filter(|d| !d.is_empty()) {
        Some(d) => Some(parse_dob(d).ok_or_else(|| format!("dob '{d}' is not YYYY-MM-DD, DD/MM/YYYY or YYYY"))?),
        None => None,
    };
    let mut identifiers = Vec::new();
    for &i in &map.ids {
        let cell = clean("identifier", get(fields, i))?;
        for part in cell.split(['|', ';', ',']) {
            // `RFC: ABCD123456XYZ` → the value.
            let value = part.rsplit(':').next().unwrap_or(part).trim();
            if value.is_empty() {
                continue;
            }
            if value.chars().count() > MAX_ID_CHARS {
                return Err(format!("identifier is longer than {MAX_ID_CHARS} characters"));
            }
            identifiers.push(value.to_string());
        }
    }
    if identifiers.len() > MAX_IDENTIFIERS {
        return Err(format!("more than {MAX_IDENTIFIERS} identifiers"));
    }
    let address = match map.address {
        Some(i) => {
            let a = get(fields, i);
            if a.chars().count() > MAX_ADDRESS_CHARS {
                return Err(format!("address is longer than {MAX_ADDRESS_CHARS} characters"));
            }
            a
        }
        None => "",
    };
    let mut country = None;
    for &i in &map.country {
        let c = get(fields, i);
        if !c.is_empty() {
            if c.chars().count() > MAX_COUNTRY_CHARS {
                return Err(format!("country is longer than {MAX_COUNTRY_CHARS} characters"));
            }
            country = Some(clean("country", c)?.into_owned());
            break;
        }
    }
    if country.is_none() && !address.is_empty() {
        // The last part of an address is usually its country.
        country =
            address.rsplit([',', '\n']).next().and_then(|last| crate::country::iso2(last.trim())).map(str::to_string);
    }
    Ok(Query { name, kind, country, dob, identifiers })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::columns::{ColumnMap, ColumnOverrides};

    fn row(fields: &[&[u8]]) -> RawRow {
        RawRow { row: 1, line: 2, record: csv::ByteRecord::from(fields.to_vec()) }
    }

    fn map(headers: &[&str]) -> ColumnMap {
        let h: Vec<String> = headers.iter().map(|s| s.to_string()).collect();
        ColumnMap::build(&h, &ColumnOverrides::default()).unwrap()
    }

    #[test]
    fn a_full_row() {
        let m = map(&["Nombre", "Tipo", "País", "Fecha de nacimiento", "RFC", "CURP", "Domicilio"]);
        let r = row(&[
            b"Rub\xe9n Oseguera",
            b"Persona F\xedsica",
            b"",
            b"17/07/1966 00:00",
            b"RFC: OECR660717AB1",
            b"OECR660717HMNSRB00",
            b"Av. Siempre Viva 1, Guadalajara, M\xe9xico",
        ]);
        let d = decode(&r, 7, FieldDecoder::Windows1252, &m);
        let q = d.query.unwrap();
        assert_eq!(q.name, "Rubén Oseguera");
        assert_eq!(q.kind, Some(EntityKind::Person));
        assert_eq!(q.dob, Some(BirthDate::ymd(1966, 7, 17)));
        assert_eq!(q.identifiers, vec!["OECR660717AB1", "OECR660717HMNSRB00"]);
        assert_eq!(q.country.as_deref(), Some("MX"));
        assert_eq!(d.fields[6], "Av. Siempre Viva 1, Guadalajara, México");
    }

    #[test]
    fn bad_rows_say_why() {
        let m = map(&["name", "type", "dob"]);
        let err = |fields: &[&[u8]]| decode(&row(fields), 3, FieldDecoder::Utf8, &m).query.unwrap_err();
        assert_eq!(err(&[b"  ", b"", b""]), "name is empty");
        assert!(err(&[b"A".as_slice(), b"".as_slice()]).contains("2 fields where the header has 3"));
        assert!(err(&[b"A", b"", b"", b"x"]).contains("4 fields where the header has 3"));
        assert!(err(&[b"PE\xD1A", b"", b""]).contains("not valid UTF-8"));
        assert!(err(&[b"A", b"vendor", b""]).contains("type 'vendor'"));
        assert!(err(&[b"A", b"", b"31/31/1990"]).contains("dob"));
        assert!(err(&[b"A\x01B", b"", b""]).contains("control"));
        let long = "a".repeat(MAX_NAME_CHARS + 1);
        assert!(err(&[long.as_bytes(), b"", b""]).contains("longer than"));
        // Missing fields still give a row of the header's width.
        let short = row(&[b"A"]);
        assert_eq!(decode(&short, 3, FieldDecoder::Utf8, &m).fields.len(), 3);
        let long = row(&[b"A", b"", b"", b"x", b"y"]);
        assert_eq!(decode(&long, 3, FieldDecoder::Utf8, &m).fields.len(), 3);
    }

    #[test]
    fn line_breaks_in_a_name_are_spaces() {
        let m = map(&["name"]);
        let q = decode(&row(&[b"ACME\r\nTRADING  SA"]), 1, FieldDecoder::Utf8, &m).query.unwrap();
        assert_eq!(q.name, "ACME TRADING SA");
    }

    #[test]
    fn name_from_parts_when_no_whole_name() {
        let m = map(&["Nombre(s)", "Apellido Paterno", "Apellido Materno", "Razón social"]);
        let q = decode(&row(&[b"Ana Mar\xc3\xada", b"L\xc3\xb3pez", b"", b""]), 4, FieldDecoder::Utf8, &m).query;
        assert_eq!(q.unwrap().name, "Ana María López");
        let q = decode(&row(&[b"", b"", b"", b"Transportes Norte SA"]), 4, FieldDecoder::Utf8, &m).query;
        assert_eq!(q.unwrap().name, "Transportes Norte SA");
    }

    #[test]
    fn kinds() {
        assert_eq!(parse_kind("Persona Moral"), Ok(Some(EntityKind::Company)));
        assert_eq!(parse_kind("PERSONA FÍSICA"), Ok(Some(EntityKind::Person)));
        assert_eq!(parse_kind("individual"), Ok(Some(EntityKind::Person)));
        assert_eq!(parse_kind("vessel"), Ok(Some(EntityKind::Vessel)));
        assert_eq!(parse_kind("any"), Ok(None));
        assert!(parse_kind("mayorista").is_err());
        assert_eq!(parse_dob("1966-07-17T00:00:00"), Some(BirthDate::ymd(1966, 7, 17)));
        assert_eq!(parse_dob("1966"), Some(BirthDate::year(1966)));
        assert_eq!(parse_dob("soon"), None);
    }
}
