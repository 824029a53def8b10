//! One input row: its fields as text, and the query it asks for, read by
//! the engine's one parser ([`Query::parse`]) from the row's cells.

use std::borrow::Cow;

use super::columns::ColumnMap;
use super::input::FieldDecoder;
use crate::engine::query::Submitted;
use crate::engine::Query;

/// A row as the CSV parser returned it.
#[derive(Debug, Clone)]
pub(crate) struct RawRow {
    /// 1-based position among the data rows (the header is not one).
    pub(crate) row: u64,
    /// 1-based line of the file (row of the sheet) the row starts on.
    pub(crate) line: u64,
    /// Physical lines it spans (more than one for a quoted multi-line field).
    pub(crate) span: u64,
    /// Blank lines skipped right before it.
    pub(crate) blank_before: u64,
    pub(crate) record: csv::ByteRecord,
    /// Why the record is not what its line meant (`unbalanced_quote`...):
    /// the row is reported as an error, not screened.
    pub(crate) fault: Option<String>,
}

impl RawRow {
    /// A row from a record of the reader, `row` among the data rows.
    pub(crate) fn new(row: u64, r: super::lines::Record) -> RawRow {
        RawRow { row, line: r.line, span: r.span, blank_before: r.blank_before, record: r.record, fault: r.fault }
    }
}

/// A row decoded: exactly one text per header column (missing fields
/// empty, extra fields dropped), and the query with the optional fields it
/// had to leave out, or why there is none.
pub(crate) struct Decoded<'a> {
    pub(crate) fields: Vec<Cow<'a, str>>,
    pub(crate) query: Result<(Query, Vec<String>), String>,
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
    let query = if let Some(fault) = &raw.fault {
        Err(fault.clone())
    } else if n != width {
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

fn get<'a>(fields: &'a [Cow<'_, str>], i: usize) -> &'a str {
    fields.get(i).map(|f| f.trim()).unwrap_or("")
}

/// The row's query, read by [`Query::parse_lenient`]: a row is screened on
/// its name whenever it has one, and an optional field that cannot be used
/// is left out with a warning.
fn query(fields: &[Cow<'_, str>], map: &ColumnMap) -> Result<(Query, Vec<String>), String> {
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
    let mut identifiers = Vec::new();
    for &i in &map.ids {
        for part in get(fields, i).split(['|', ';', ',']) {
            // `RFC: ABCD123456XYZ` → the value.
            let value = part.rsplit(':').next().unwrap_or(part).trim();
            if !value.is_empty() {
                identifiers.push(value);
            }
        }
    }
    let submitted = Submitted {
        name: Some(&name),
        kind: map.kind.map(|i| get(fields, i)).filter(|k| !k.is_empty()),
        country: map.country.iter().map(|&i| get(fields, i)).find(|c| !c.is_empty()),
        dob: map.dob.map(|i| get(fields, i)).filter(|d| !d.is_empty()),
        identifiers,
        address: map.address.map(|i| get(fields, i)).filter(|a| !a.is_empty()),
        ..Submitted::default()
    };
    let (q, dropped) = Query::parse_lenient(&submitted).map_err(|e| e.to_string())?;
    Ok((q, dropped.iter().map(|e| format!("{e} (left out)")).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::columns::{ColumnMap, ColumnOverrides};
    use crate::engine::model::{BirthDate, EntityKind};

    fn row(fields: &[&[u8]]) -> RawRow {
        RawRow {
            row: 1,
            line: 2,
            span: 1,
            blank_before: 0,
            record: csv::ByteRecord::from(fields.to_vec()),
            fault: None,
        }
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
        let (q, warnings) = d.query.unwrap();
        assert!(warnings.is_empty());
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
        let warned = |fields: &[&[u8]]| decode(&row(fields), 3, FieldDecoder::Utf8, &m).query.unwrap().1;
        assert!(warned(&[b"A", b"vendor", b""])[0].contains("type \"vendor\""));
        assert!(warned(&[b"A", b"", b"31/31/1990"])[0].contains("dob"));
        assert!(warned(&[b"A", b"", b"1966-02-31"])[0].contains("no such day"));
        assert!(err(&[b"A\x01B", b"", b""]).contains("control"));
        let long = "a".repeat(crate::engine::query::MAX_NAME_CHARS + 1);
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
        let (q, _) = decode(&row(&[b"ACME\r\nTRADING  SA"]), 1, FieldDecoder::Utf8, &m).query.unwrap();
        assert_eq!(q.name, "ACME TRADING SA");
    }

    #[test]
    fn name_from_parts_when_no_whole_name() {
        let m = map(&["Nombre(s)", "Apellido Paterno", "Apellido Materno", "Razón social"]);
        let q = decode(&row(&[b"Ana Mar\xc3\xada", b"L\xc3\xb3pez", b"", b""]), 4, FieldDecoder::Utf8, &m).query;
        assert_eq!(q.unwrap().0.name, "Ana María López");
        let q = decode(&row(&[b"", b"", b"", b"Transportes Norte SA"]), 4, FieldDecoder::Utf8, &m).query;
        assert_eq!(q.unwrap().0.name, "Transportes Norte SA");
    }
}
