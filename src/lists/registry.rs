//! The project's registries, kept as data in `lists/` and compiled in: the
//! six FTO-designated cartels (`lists/fto_cartels.toml`) and the sourced
//! affiliations of entries to them (`lists/cartel_affiliations.csv`), which
//! users extend with files of their own in the same format.

use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;

use crate::engine::model::{ListFormat, ListVersion};
use crate::engine::network::{Affiliation, Cartel, CartelRegistry, Relation, Source, SourceKind};
use crate::lists::{content_sha256, own_format, read_bytes, ListError};

/// The cartel registry file, compiled in: the embedded default list.
pub const CARTELS_TOML: &str = include_str!("../../lists/fto_cartels.toml");
/// The affiliations registry, compiled in.
pub const AFFILIATIONS_CSV: &str = include_str!("../../lists/cartel_affiliations.csv");
/// Dataset name under which the affiliations registries are reported among
/// the list versions.
pub const AFFILIATIONS_DATASET: &str = "cartelscreen_affiliations";

/// The columns of an affiliations file, in order.
pub const AFFILIATION_COLUMNS: [&str; 12] = [
    "entity",
    "listed_name",
    "cartel",
    "relation",
    "source_kind",
    "source_issuer",
    "source_title",
    "source_date",
    "source_url",
    "source_ref",
    "resolution",
    "evidence",
];

#[derive(Deserialize)]
struct RegistryFile {
    #[serde(default)]
    cartel: Vec<Cartel>,
}

/// The compiled-in registry: the six cartels and the compiled-in
/// affiliations.
pub fn embedded() -> CartelRegistry {
    let mut r =
        parse_cartels(CARTELS_TOML, "embedded:lists/fto_cartels.toml").expect("the embedded cartel registry is valid");
    r.affiliations = parse_affiliations(AFFILIATIONS_CSV, "embedded:lists/cartel_affiliations.csv", &r.cartels)
        .expect("the embedded affiliations registry is valid");
    r
}

/// Reads a cartel registry: a cartelscreen list of the cartels' own entries
/// plus one `[[cartel]]` table per cartel. Its affiliations are empty.
///
/// # Errors
/// [`ListError::Format`] when the TOML is malformed or a `[[cartel]]` names
/// an entity the list does not hold.
pub fn parse_cartels(text: &str, source: &str) -> Result<CartelRegistry, ListError> {
    let file: RegistryFile = toml::from_str(text).map_err(|e| ListError::format(source, e.to_string()))?;
    let list = own_format::parse_native_toml(text, source.to_string())?;
    for c in &file.cartel {
        if !list.entities.iter().any(|e| e.id == c.entity) {
            return Err(ListError::format(source, format!("cartel {} names unknown entity {}", c.code, c.entity)));
        }
    }
    Ok(CartelRegistry { cartels: file.cartel, list, affiliations: Vec::new() })
}

/// Reads an affiliations registry (CSV with the header
/// [`AFFILIATION_COLUMNS`], `#` comment lines allowed), checking every row.
///
/// # Errors
/// [`ListError::Format`] naming the file and line of the first row that is
/// malformed: a missing column, an empty `entity`, `source_title` or
/// `source_url`, a `cartel` that is not one of `cartels`' codes, an unknown
/// `relation` or `source_kind`, or a `source_date` that is not `YYYY-MM-DD`.
pub fn parse_affiliations(text: &str, origin: &str, cartels: &[Cartel]) -> Result<Vec<Affiliation>, ListError> {
    let mut reader = csv::ReaderBuilder::new().comment(Some(b'#')).flexible(true).from_reader(text.as_bytes());
    let at = |line: u64, m: String| ListError::format(origin, format!("line {line}: {m}"));
    let headers = reader.headers().map_err(|e| at(1, e.to_string()))?.clone();
    let header_line = reader.position().line();
    let found: Vec<&str> = headers.iter().map(str::trim).collect();
    if found != AFFILIATION_COLUMNS {
        return Err(at(
            header_line,
            format!("the header must be {}; found {}", AFFILIATION_COLUMNS.join(","), found.join(",")),
        ));
    }
    let mut out = Vec::new();
    let mut sources: Vec<Arc<Source>> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| at(e.position().map_or(0, |p| p.line()), e.to_string()))?;
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != AFFILIATION_COLUMNS.len() {
            return Err(at(
                line,
                format!("{} fields where the header has {}", record.len(), AFFILIATION_COLUMNS.len()),
            ));
        }
        let f = |i: usize| record.get(i).unwrap_or("").trim();
        let required = |i: usize| -> Result<String, ListError> {
            let v = f(i);
            if v.is_empty() {
                return Err(at(line, format!("{} is empty", AFFILIATION_COLUMNS[i])));
            }
            Ok(v.to_string())
        };
        let entity = required(0)?;
        let cartel = f(2);
        let Some(code) = cartels.iter().find(|c| c.code.eq_ignore_ascii_case(cartel)) else {
            let codes: Vec<&str> = cartels.iter().map(|c| c.code.as_str()).collect();
            return Err(at(line, format!("unknown cartel code {cartel:?} (use one of {})", codes.join(", "))));
        };
        let relation = Relation::parse(f(3)).ok_or_else(|| {
            at(line, format!("unknown relation {:?} (leader, member, faction, front or associate)", f(3)))
        })?;
        let kind = SourceKind::parse(f(4)).ok_or_else(|| {
            let kinds: Vec<&str> = SourceKind::ALL.iter().map(|k| k.as_str()).collect();
            at(line, format!("unknown source_kind {:?} (use one of {})", f(4), kinds.join(", ")))
        })?;
        let date = f(7);
        let valid_date = date.len() == 10
            && date
                .as_bytes()
                .iter()
                .enumerate()
                .all(|(i, b)| if i == 4 || i == 7 { *b == b'-' } else { b.is_ascii_digit() });
        if !valid_date {
            return Err(at(line, format!("source_date {date:?} is not YYYY-MM-DD")));
        }
        let source = Source {
            kind,
            issuer: required(5)?,
            title: required(6)?,
            date: date.to_string(),
            url: required(8)?,
            reference: Some(f(9).to_string()).filter(|r| !r.is_empty()),
        };
        // Rows citing one release share it.
        let source = match sources.iter().find(|s| ***s == source) {
            Some(s) => s.clone(),
            None => {
                let s = Arc::new(source);
                sources.push(s.clone());
                s
            }
        };
        out.push(Affiliation {
            entity,
            listed_name: f(1).to_string(),
            cartel: code.code.clone(),
            relation,
            source,
            resolution: f(10).to_string(),
            evidence: f(11).to_string(),
            origin: format!("{origin}:{line}"),
        });
    }
    Ok(out)
}

/// Reads an affiliations file of the user's.
///
/// # Errors
/// [`ListError::Io`] when it cannot be read, else as [`parse_affiliations`].
pub fn load_affiliations(path: &Path, cartels: &[Cartel]) -> Result<(Vec<Affiliation>, String), ListError> {
    let bytes = read_bytes(path)?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|e| ListError::format(path, format!("not UTF-8 (byte {})", e.valid_up_to())))?;
    let rows = parse_affiliations(text, &path.display().to_string(), cartels)?;
    Ok((rows, content_sha256([bytes.as_slice()])))
}

/// The version the affiliations registries in use are reported under:
/// their combined sha256 and row count.
pub fn affiliations_version(rows: usize, sha256s: &[String], source: String) -> ListVersion {
    let parts: Vec<&[u8]> = sha256s.iter().map(|s| s.as_bytes()).collect();
    ListVersion {
        dataset: AFFILIATIONS_DATASET.to_string(),
        title: "cartelscreen registry of sourced cartel affiliations".to_string(),
        format: ListFormat::Cartelscreen,
        source,
        sha256: content_sha256(parts),
        published: None,
        published_from: None,
        entries: rows,
        by_kind: Default::default(),
        partial: false,
        missing_files: Vec::new(),
    }
}

/// The sha256 of the compiled-in affiliations registry.
pub fn embedded_affiliations_sha256() -> String {
    content_sha256([AFFILIATIONS_CSV.as_bytes()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_registry_reads_whole_with_sources() {
        let r = embedded();
        assert!(r.affiliations.len() >= 60, "{}", r.affiliations.len());
        for code in ["CDS", "CJNG", "CDN", "CDG", "LNFM", "CU"] {
            assert!(r.affiliations.iter().any(|a| a.cartel == code), "no row for {code}");
        }
        assert!(r.affiliations.iter().all(|a| a.source.url.starts_with("http")));
        let chapo = r.affiliations.iter().find(|a| a.entity == "ofac-6861").expect("Guzmán Loera is in the registry");
        assert_eq!((chapo.cartel.as_str(), chapo.relation), ("CDS", Relation::Leader));
        assert!(chapo.origin.starts_with("embedded:lists/cartel_affiliations.csv:"));
    }

    fn parse(text: &str) -> Result<Vec<Affiliation>, ListError> {
        parse_affiliations(text, "mine.csv", &embedded().cartels)
    }

    const HEAD: &str = "entity,listed_name,cartel,relation,source_kind,source_issuer,source_title,source_date,source_url,source_ref,resolution,evidence\n";

    #[test]
    fn a_malformed_row_is_refused_with_its_file_and_line() {
        let good = "ofac-1,X,CJNG,member,treasury_release,Treasury,T,2020-01-02,https://x,,r,e\n";
        assert_eq!(parse(&format!("# a comment\n{HEAD}{good}")).unwrap().len(), 1);
        let bad = |row: &str| parse(&format!("{HEAD}{good}{row}")).unwrap_err().to_string();
        let e = bad("ofac-2,Y,XYZ,member,treasury_release,Treasury,T,2020-01-02,https://x,,r,e\n");
        assert!(e.contains("mine.csv") && e.contains("line 3") && e.contains("unknown cartel code \"XYZ\""), "{e}");
        assert!(bad("ofac-2,Y,CDS,boss,treasury_release,Treasury,T,2020-01-02,https://x,,r,e\n").contains("relation"));
        assert!(bad("ofac-2,Y,CDS,member,blog,Treasury,T,2020-01-02,https://x,,r,e\n").contains("source_kind"));
        assert!(bad("ofac-2,Y,CDS,member,doj_release,DOJ,T,02/01/2020,https://x,,r,e\n").contains("source_date"));
        assert!(bad("ofac-2,Y,CDS,member,doj_release,DOJ,T,2020-01-02,,,r,e\n").contains("source_url is empty"));
        assert!(bad("ofac-2,Y,CDS\n").contains("3 fields"));
        let e = parse("entity,cartel\nofac-1,CDS\n").unwrap_err().to_string();
        assert!(e.contains("the header must be"), "{e}");
    }
}
