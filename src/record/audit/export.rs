//! The audit trail out of the database: as CSV or JSON lines for examiners
//! (`cartelscreen audit export`), and as JSON for `GET /v1/audit`.

use std::io::Write;

use serde_json::{json, Value};

use crate::record::store::{AuditFilter, AuditRecord, Millis, Store, StoreError};

/// Records read from the database per query while exporting.
const PAGE: usize = 5000;

/// Output formats of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Jsonl,
}

/// Why an export stopped.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write the export: {0}")]
    Write(#[from] std::io::Error),
    #[error("cannot write the export: {0}")]
    Csv(#[from] csv::Error),
}

/// Parses a time bound: RFC 3339 (`2026-01-31T12:00:00Z`), or a date
/// (`2026-01-31`, midnight UTC).
pub fn parse_time(s: &str) -> Option<Millis> {
    let s = s.trim();
    let full = if s.len() == 10 { format!("{s}T00:00:00Z") } else { s.to_string() };
    let t = humantime::parse_rfc3339_weak(&full).ok()?;
    t.duration_since(std::time::UNIX_EPOCH).ok().map(|d| d.as_millis() as i64)
}

/// RFC 3339 with milliseconds, UTC.
pub fn format_time(ms: Millis) -> String {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms.max(0) as u64);
    crate::live::rfc3339(t)
}

/// A record as the API and JSON-lines exports show it: times in RFC 3339.
pub fn record_json(r: &AuditRecord) -> Value {
    let mut v = serde_json::to_value(r).unwrap_or(Value::Null);
    if let Value::Object(o) = &mut v {
        o.insert("at".into(), json!(format_time(r.at)));
    }
    v
}

const CSV_HEADER: [&str; 17] = [
    "seq",
    "at",
    "uid",
    "kind",
    "channel",
    "request_id",
    "caller",
    "item",
    "reference",
    "decision",
    "flags",
    "hits",
    "subject",
    "lists",
    "engine_version",
    "config_hash",
    "hash",
];

fn csv_row(r: &AuditRecord) -> [String; 17] {
    let hits: Vec<String> = r.hits.iter().map(|h| format!("{}:{:.4}:{}", h.entity_id, h.score, h.decision)).collect();
    [
        r.seq.map(|s| s.to_string()).unwrap_or_default(),
        format_time(r.at),
        r.uid.clone(),
        r.kind.clone(),
        r.channel.clone(),
        r.request_id.clone(),
        r.caller.clone(),
        r.item.map(|i| i.to_string()).unwrap_or_default(),
        r.reference.clone().unwrap_or_default(),
        r.decision.clone().unwrap_or_default(),
        r.flags.join(";"),
        hits.join(";"),
        r.subject.to_string(),
        r.lists.versions.to_string(),
        r.engine_version.clone(),
        r.config_hash.clone(),
        r.hash.clone().unwrap_or_default(),
    ]
}

/// Writes every record matching `filter` (its `after` and `limit` are
/// ignored) to `out`; returns how many.
///
/// # Errors
///
/// The store's error when the trail cannot be read, or an I/O error when `out` cannot be written.
pub fn export(
    store: &dyn Store,
    filter: &AuditFilter,
    format: ExportFormat,
    out: impl Write,
) -> Result<u64, ExportError> {
    let mut filter = AuditFilter { after: None, limit: PAGE, ..filter.clone() };
    let mut count = 0u64;
    match format {
        ExportFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(CSV_HEADER)?;
            loop {
                let page = store.audit(&filter)?;
                for r in &page.records {
                    w.write_record(csv_row(r))?;
                    count += 1;
                }
                match page.next {
                    Some(n) => filter.after = Some(n),
                    None => break,
                }
            }
            w.flush()?;
        }
        ExportFormat::Jsonl => {
            let mut out = std::io::BufWriter::new(out);
            loop {
                let page = store.audit(&filter)?;
                for r in &page.records {
                    serde_json::to_writer(&mut out, &record_json(r)).map_err(std::io::Error::other)?;
                    out.write_all(b"\n")?;
                    count += 1;
                }
                match page.next {
                    Some(n) => filter.after = Some(n),
                    None => break,
                }
            }
            out.flush()?;
        }
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_as_rfc3339_or_date() {
        assert_eq!(parse_time("1970-01-02"), Some(86_400_000));
        assert_eq!(parse_time("1970-01-01T00:00:01Z"), Some(1000));
        assert_eq!(parse_time("1970-01-01T00:00:01.5Z"), Some(1500));
        assert_eq!(parse_time("yesterday"), None);
        assert_eq!(format_time(1500), "1970-01-01T00:00:01.500Z");
    }
}
