//! The controlled-goods list (`lists/controlled_goods.csv`), compiled in:
//! precursor chemicals and pill-press equipment with names, synonyms, CAS
//! numbers, HS codes, how each is controlled and the public source of the
//! row. Every fact's sources are in `lists/controlled_goods_sources.csv`.

use std::sync::OnceLock;

use crate::engine::goods::{GoodsCategory, GoodsItem, GoodsList, GoodsSource};
use crate::lists::ListError;

/// The list, compiled in.
pub const GOODS_CSV: &str = include_str!("../../lists/controlled_goods.csv");

/// The columns of the list, in order.
pub const GOODS_COLUMNS: [&str; 13] = [
    "id",
    "category",
    "name",
    "synonyms",
    "cas",
    "hs_codes",
    "control",
    "source_kind",
    "source_issuer",
    "source_title",
    "source_date",
    "source_url",
    "source_ref",
];

/// The compiled-in list, read once.
pub fn embedded() -> &'static GoodsList {
    static LIST: OnceLock<GoodsList> = OnceLock::new();
    LIST.get_or_init(|| {
        GoodsList::new(
            parse(GOODS_CSV, "embedded:lists/controlled_goods.csv").expect("the embedded goods list is valid"),
        )
    })
}

/// Reads a controlled-goods list (CSV with the header [`GOODS_COLUMNS`],
/// `#` comment lines allowed, `|` between the values of `synonyms`, `cas`,
/// `hs_codes` and `control`).
///
/// # Errors
/// [`ListError::Format`] naming the line of the first bad row: a missing
/// column, an empty `id`, `name`, `source_title` or `source_url`, an unknown
/// `category` (`precursor_chemical` or `pill_press_equipment`), a duplicate
/// `id`, or a `source_date` that is neither empty nor `YYYY-MM-DD`.
pub fn parse(text: &str, origin: &str) -> Result<Vec<GoodsItem>, ListError> {
    let mut reader = csv::ReaderBuilder::new().comment(Some(b'#')).flexible(true).from_reader(text.as_bytes());
    let at = |line: u64, m: String| ListError::format(origin, format!("line {line}: {m}"));
    let headers = reader.headers().map_err(|e| at(1, e.to_string()))?.clone();
    let found: Vec<&str> = headers.iter().map(str::trim).collect();
    if found != GOODS_COLUMNS {
        return Err(at(1, format!("the header must be {}; found {}", GOODS_COLUMNS.join(","), found.join(","))));
    }
    let mut out: Vec<GoodsItem> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| at(e.position().map_or(0, |p| p.line()), e.to_string()))?;
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != GOODS_COLUMNS.len() {
            return Err(at(line, format!("{} fields where the header has {}", record.len(), GOODS_COLUMNS.len())));
        }
        let f = |i: usize| record.get(i).unwrap_or("").trim();
        let required = |i: usize| {
            Some(f(i).to_string())
                .filter(|v| !v.is_empty())
                .ok_or_else(|| at(line, format!("{} is empty", GOODS_COLUMNS[i])))
        };
        let many = |i: usize| f(i).split('|').map(str::trim).filter(|v| !v.is_empty()).map(String::from).collect();
        let id = required(0)?;
        if out.iter().any(|g| g.id == id) {
            return Err(at(line, format!("id {id} appears twice")));
        }
        let category = match f(1) {
            "precursor_chemical" => GoodsCategory::PrecursorChemical,
            "pill_press_equipment" => GoodsCategory::PillPressEquipment,
            other => {
                return Err(at(
                    line,
                    format!("unknown category {other:?} (precursor_chemical or pill_press_equipment)"),
                ))
            }
        };
        let date = f(10);
        let valid_date = date.is_empty()
            || (date.len() == 10
                && date
                    .bytes()
                    .enumerate()
                    .all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() }));
        if !valid_date {
            return Err(at(line, format!("source_date {date:?} is not YYYY-MM-DD")));
        }
        out.push(GoodsItem {
            id,
            category,
            name: required(2)?,
            synonyms: many(3),
            cas: many(4),
            hs_codes: many(5),
            controls: many(6),
            source: GoodsSource {
                kind: f(7).to_string(),
                issuer: required(8)?,
                title: required(9)?,
                date: Some(date.to_string()).filter(|d| !d.is_empty()),
                url: required(11)?,
                reference: Some(f(12).to_string()).filter(|r| !r.is_empty()),
            },
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_list_is_sourced() {
        let items = parse(GOODS_CSV, "embedded").unwrap();
        assert!(items.len() >= 31);
        for id in [
            "npp",
            "anpp",
            "4-ap",
            "1-boc-4-ap",
            "norfentanyl",
            "propionyl-chloride",
            "p2p",
            "ephedrine",
            "pseudoephedrine",
            "methylamine",
            "tablet-press",
            "encapsulating-machine",
        ] {
            let g = items.iter().find(|g| g.id == id).unwrap_or_else(|| panic!("{id} missing"));
            assert!(g.source.url.starts_with("http"), "{id}");
            assert!(!g.controls.is_empty(), "{id}");
        }
    }

    #[test]
    fn bad_rows_are_named_by_line() {
        let head = GOODS_COLUMNS.join(",");
        let e = parse(&format!("{head}\nx,poison,N,,,,,k,i,t,,http://x,\n"), "t").unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("unknown category"), "{e}");
        let e = parse(&format!("{head}\nx,precursor_chemical,N,,,,,k,i,t,2020-1-1,http://x,\n"), "t").unwrap_err();
        assert!(e.to_string().contains("source_date"), "{e}");
        assert!(parse("a,b\n", "t").is_err());
    }
}
