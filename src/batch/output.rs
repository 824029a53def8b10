//! The output: every input column as read, then the result columns, as CSV
//! or as JSON lines.

use std::borrow::Cow;
use std::io;

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::engine::{Decision, Match, Screening};

/// The columns added after the input's own, in order.
pub const RESULT_COLUMNS: [&str; 12] = [
    "decision",
    "score",
    "top_match_id",
    "top_match_name",
    "matched_name",
    "cartel",
    "cartel_basis",
    "flags",
    "match_count",
    "explanation",
    "error",
    "warnings",
];

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// The input columns then [`RESULT_COLUMNS`], comma-separated, UTF-8.
    #[default]
    Csv,
    /// One JSON object per row: `input` (header → value) and the result
    /// fields.
    Jsonl,
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(Format::Csv),
            "jsonl" | "ndjson" | "json-lines" => Ok(Format::Jsonl),
            _ => Err(format!("unknown format `{s}` (use csv or jsonl)")),
        }
    }
}

/// The outcome of one row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowResult {
    /// `None`: the row could not be screened (see `error`), or screening
    /// was turned off.
    pub decision: Option<Decision>,
    pub score: Option<f32>,
    pub top_match_id: Option<String>,
    pub top_match_name: Option<String>,
    pub matched_name: Option<String>,
    /// Cartel codes the top match is tied to, nearest first.
    pub cartels: Vec<String>,
    /// For each of `cartels`: `list` (the lists' links alone) or `source`
    /// (a row of the affiliations registry).
    pub cartel_basis: Vec<&'static str>,
    pub flags: Vec<&'static str>,
    pub match_count: usize,
    pub explanation: Option<String>,
    pub error: Option<String>,
    /// Optional fields that could not be used and were left out; the row
    /// was screened on the rest.
    pub warnings: Vec<String>,
}

impl RowResult {
    pub fn failed(error: String) -> RowResult {
        RowResult { error: Some(error), ..RowResult::default() }
    }

    pub fn from_screening(query_name: &str, s: &Screening) -> RowResult {
        let top = s.matches.first();
        let mut cartels: Vec<String> = Vec::new();
        let mut cartel_basis = Vec::new();
        // The top match's ties; without one, those of the tied entries the
        // counterparty shares an identifier or address with.
        let ties = match top {
            Some(m) => m.cartel_ties.iter().collect::<Vec<_>>(),
            None => s.exposures.iter().flat_map(|x| &x.cartel_ties).collect(),
        };
        for t in ties {
            if !cartels.contains(&t.cartel) {
                cartels.push(t.cartel.clone());
                cartel_basis.push(t.basis.as_str());
            }
        }
        let explanation = match (top, s.exposures.first()) {
            (Some(m), _) => Some(explain(query_name, m, s.matches.len())),
            (None, Some(x)) => Some(format!(
                "no name match; shares {} with {} {} ({}){}",
                x.shared.as_str(),
                x.entity_id,
                x.caption,
                x.cartel_ties.first().map_or(String::new(), |t| format!("{} {}", t.cartel, t.relation.as_str())),
                if s.exposures.len() > 1 { format!(" and {} more", s.exposures.len() - 1) } else { String::new() }
            )),
            (None, None) => None,
        };
        RowResult {
            decision: Some(s.decision),
            score: top.map(|m| m.score),
            top_match_id: top.map(|m| m.entity_id.clone()),
            top_match_name: top.map(|m| m.caption.clone()),
            matched_name: top.map(|m| m.matched_name.clone()),
            cartels,
            cartel_basis,
            flags: s.flags.iter().map(|f| f.as_str()).collect(),
            match_count: s.matches.len(),
            explanation,
            error: None,
            warnings: Vec::new(),
        }
    }

    /// `clear`, `review`, `block`, `error`, or empty when not screened.
    pub fn decision_str(&self) -> &'static str {
        match (self.decision, &self.error) {
            (Some(d), _) => d.as_str(),
            (None, Some(_)) => "error",
            (None, None) => "",
        }
    }

    fn score_text(&self) -> String {
        self.score.map(|s| format!("{s:.3}")).unwrap_or_default()
    }
}

fn short(s: &str, max: usize) -> Cow<'_, str> {
    if s.chars().count() <= max {
        Cow::Borrowed(s)
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        Cow::Owned(t)
    }
}

/// One line an analyst can read: `name 0.97 'X' ~ 'Y'; dob match; tied to
/// CJNG via A > B`.
pub fn explain(query_name: &str, m: &Match, match_count: usize) -> String {
    let mut parts: Vec<String> = Vec::new();
    let ns = &m.explanation.name;
    if ns.score > 0.0 {
        parts.push(format!(
            "name {:.2} '{}' ~ '{}' ({})",
            ns.score,
            short(query_name.trim(), 60),
            short(&m.matched_name, 60),
            m.matched_role.as_str()
        ));
    }
    for a in &m.explanation.adjustments {
        let text = match (a.feature, a.effect >= 0.0) {
            ("identifier", true) => a.detail.replace(" is listed for this entry", " listed"),
            ("identifier", false) => "RFC/CURP differs from the listed one".to_string(),
            ("dob", true) => "dob match".to_string(),
            ("dob", false) => "dob mismatch".to_string(),
            ("country", true) => "country match".to_string(),
            ("country", false) => "country mismatch".to_string(),
            ("kind", _) => "kind mismatch".to_string(),
            ("weak_alias", _) => "weak alias only".to_string(),
            (other, _) => other.to_string(),
        };
        parts.push(text.trim().to_string());
    }
    if let Some(t) = m.cartel_ties.first() {
        if t.depth == 0 {
            parts.push(format!("is the {} cartel (FTO)", t.cartel));
        } else {
            let path: Vec<Cow<'_, str>> = t.path.iter().map(|p| short(&p.name, 40)).collect();
            parts.push(format!("tied to {} via {}", t.cartel, path.join(" > ")));
        }
        let mut others: Vec<&str> = Vec::new();
        for c in m.cartel_ties.iter().map(|t| t.cartel.as_str()) {
            if c != t.cartel && !others.contains(&c) {
                others.push(c);
            }
        }
        if !others.is_empty() {
            parts.push(format!("also {}", others.join(", ")));
        }
    }
    if match_count > 1 {
        parts.push(format!("{} other match{}", match_count - 1, if match_count == 2 { "" } else { "es" }));
    }
    parts.join("; ")
}

/// Writes rows of one format.
pub(crate) enum RowWriter {
    Csv(Box<csv::Writer<Vec<u8>>>),
    Jsonl(Vec<u8>),
}

impl RowWriter {
    pub(crate) fn new(format: Format, capacity: usize) -> RowWriter {
        match format {
            Format::Csv => RowWriter::Csv(Box::new(
                csv::WriterBuilder::new().buffer_capacity(16 << 10).from_writer(Vec::with_capacity(capacity)),
            )),
            Format::Jsonl => RowWriter::Jsonl(Vec::with_capacity(capacity)),
        }
    }

    pub(crate) fn row(&mut self, headers: &[String], fields: &[Cow<'_, str>], r: &RowResult) -> io::Result<()> {
        match self {
            RowWriter::Csv(w) => {
                for f in fields {
                    w.write_field(f.as_bytes())?;
                }
                let flags = r.flags.join("|");
                let cartel = r.cartels.join("|");
                let count = if r.decision.is_some() { r.match_count.to_string() } else { String::new() };
                w.write_field(r.decision_str())?;
                w.write_field(r.score_text())?;
                w.write_field(r.top_match_id.as_deref().unwrap_or(""))?;
                w.write_field(r.top_match_name.as_deref().unwrap_or(""))?;
                w.write_field(r.matched_name.as_deref().unwrap_or(""))?;
                w.write_field(cartel)?;
                w.write_field(r.cartel_basis.join("|"))?;
                w.write_field(flags)?;
                w.write_field(count)?;
                w.write_field(r.explanation.as_deref().unwrap_or(""))?;
                w.write_field(r.error.as_deref().unwrap_or(""))?;
                w.write_field(r.warnings.join(" | "))?;
                w.write_record(None::<&[u8]>)?;
                Ok(())
            }
            RowWriter::Jsonl(buf) => {
                let line = JsonRow { input: InputObject { headers, fields }, r };
                serde_json::to_writer(&mut *buf, &line)?;
                buf.push(b'\n');
                Ok(())
            }
        }
    }

    pub(crate) fn into_bytes(self) -> io::Result<Vec<u8>> {
        match self {
            RowWriter::Csv(w) => w.into_inner().map_err(|e| io::Error::other(e.to_string())),
            RowWriter::Jsonl(buf) => Ok(buf),
        }
    }
}

/// The CSV header line: the input's, then [`RESULT_COLUMNS`].
pub(crate) fn csv_header(headers: &[String]) -> io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for h in headers {
        w.write_field(h)?;
    }
    for c in RESULT_COLUMNS {
        w.write_field(c)?;
    }
    w.write_record(None::<&[u8]>)?;
    w.into_inner().map_err(|e| io::Error::other(e.to_string()))
}

/// Keys of the `input` object: the headers, made unique (`name`, `name_2`)
/// and never empty (`column_3`).
pub(crate) fn json_keys(headers: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(headers.len());
    for (i, h) in headers.iter().enumerate() {
        let base = h.trim().trim_start_matches('\u{feff}');
        let base = if base.is_empty() { format!("column_{}", i + 1) } else { base.to_string() };
        let mut key = base.clone();
        let mut n = 2;
        while out.contains(&key) {
            key = format!("{base}_{n}");
            n += 1;
        }
        out.push(key);
    }
    out
}

struct InputObject<'a, 'b> {
    headers: &'a [String],
    fields: &'a [Cow<'b, str>],
}

impl Serialize for InputObject<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.headers.len()))?;
        for (h, f) in self.headers.iter().zip(self.fields) {
            m.serialize_entry(h, f.as_ref())?;
        }
        m.end()
    }
}

struct JsonRow<'a, 'b> {
    input: InputObject<'a, 'b>,
    r: &'a RowResult,
}

impl Serialize for JsonRow<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.r;
        let mut m = s.serialize_map(Some(13))?;
        m.serialize_entry("input", &self.input)?;
        let decision = r.decision_str();
        m.serialize_entry("decision", &(!decision.is_empty()).then_some(decision))?;
        // Three decimals, as in the CSV.
        m.serialize_entry("score", &r.score.map(|s| (s as f64 * 1000.0).round() / 1000.0))?;
        m.serialize_entry("top_match_id", &r.top_match_id)?;
        m.serialize_entry("top_match_name", &r.top_match_name)?;
        m.serialize_entry("matched_name", &r.matched_name)?;
        m.serialize_entry("cartel", &(!r.cartels.is_empty()).then(|| r.cartels.join("|")))?;
        m.serialize_entry("cartel_basis", &(!r.cartel_basis.is_empty()).then(|| r.cartel_basis.join("|")))?;
        m.serialize_entry("flags", &r.flags)?;
        m.serialize_entry("match_count", &r.decision.map(|_| r.match_count))?;
        m.serialize_entry("explanation", &r.explanation)?;
        m.serialize_entry("error", &r.error)?;
        m.serialize_entry("warnings", &r.warnings)?;
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_keys_are_unique_and_named() {
        let h: Vec<String> = ["name", "", "name", "\u{feff}rfc", "name_2"].iter().map(|s| s.to_string()).collect();
        assert_eq!(json_keys(&h), vec!["name", "column_2", "name_2", "rfc", "name_2_2"]);
    }

    #[test]
    fn rows_in_both_formats() {
        let headers = vec!["id".to_string(), "name".to_string()];
        let fields = vec![Cow::Borrowed("7"), Cow::Borrowed("ACME, \"the\" best")];
        let r = RowResult::failed("name is empty".into());
        let mut w = RowWriter::new(Format::Csv, 0);
        w.row(&headers, &fields, &r).unwrap();
        let text = String::from_utf8(w.into_bytes().unwrap()).unwrap();
        assert_eq!(text, "7,\"ACME, \"\"the\"\" best\",error,,,,,,,,,,name is empty,\n");
        let mut w = RowWriter::new(Format::Jsonl, 0);
        w.row(&headers, &fields, &r).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&w.into_bytes().unwrap()).unwrap();
        assert_eq!(v["input"]["name"], "ACME, \"the\" best");
        assert_eq!(v["decision"], "error");
        assert_eq!(v["error"], "name is empty");
        assert!(v["score"].is_null());
        let header = String::from_utf8(csv_header(&headers).unwrap()).unwrap();
        assert!(header.starts_with("id,name,decision,score,top_match_id,"), "{header}");
        assert!(header.ends_with(",explanation,error,warnings\n"), "{header}");
    }
}
