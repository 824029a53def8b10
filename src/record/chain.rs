//! The hash chain that makes the audit trail tamper-evident.
//!
//! Every record carries a sequence number (`seq`, consecutive from the
//! first chained record) and `hash`, the SHA-256 of the previous record's
//! hash followed by the record's canonical content:
//!
//! ```text
//! hash(n) = sha256_hex( hash(n-1) ++ canonical(n) )      hash(0) = "0" × 64
//! ```
//!
//! `canonical(n)` is the record as `audit export --format jsonl` writes it,
//! without its `hash`, as compact JSON with keys sorted (what Python's
//! `json.dumps(r, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`
//! writes), so an examiner can recompute the chain from an export with a few
//! lines of any language (the README shows them). A deleted, edited or
//! reordered record breaks the chain at its position; a deleted tail is
//! found against a checkpoint kept outside the database
//! ([`crate::record::audit::verify`]).
//!
//! A NUL, which PostgreSQL cannot store in text, is written U+FFFD in every
//! field before hashing, in both databases, so a record reads back exactly
//! as it was hashed.

use std::borrow::Cow;

use sha2::{Digest, Sha256};

#[cfg(test)]
use crate::record::audit::export::record_json;
use crate::record::store::{AuditRecord, ListSet};

/// The hash the first record of a chain links to: 64 zeros.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The record's canonical content: its export JSON without `hash` (whatever
/// the record's `hash` holds), compact, keys sorted. `seq` must already be
/// set.
pub fn canonical(record: &AuditRecord) -> String {
    let mut out = Vec::with_capacity(1024);
    write_canonical(record, None, &mut out);
    // Only JSON text of valid strings was written.
    String::from_utf8(out).unwrap_or_default()
}

/// The definition of [`canonical`], by way of a `serde_json::Value` (which
/// keeps object keys sorted): what [`write_canonical`] must equal.
#[cfg(test)]
fn canonical_by_value(record: &AuditRecord) -> String {
    let mut v = record_json(record);
    if let serde_json::Value::Object(o) = &mut v {
        o.remove("hash");
    }
    v.to_string()
}

/// Writes [`canonical`] into `out` directly, field by field in key order,
/// without building a `serde_json::Value` of the record (a third of the
/// cost). `lists`, when given, is the list set's JSON already written.
fn write_canonical(r: &AuditRecord, lists: Option<&str>, out: &mut Vec<u8>) {
    fn key(out: &mut Vec<u8>, first: bool, k: &str) {
        if !first {
            out.push(b',');
        }
        out.push(b'"');
        out.extend_from_slice(k.as_bytes());
        out.extend_from_slice(b"\":");
    }
    fn json<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, v: &T) {
        // Strings, numbers and `Value`s always serialize.
        let _ = serde_json::to_writer(&mut *out, v);
    }
    out.push(b'{');
    key(out, true, "at");
    json(out, &crate::record::audit::export::format_time(r.at));
    key(out, false, "caller");
    json(out, &r.caller);
    key(out, false, "channel");
    json(out, &r.channel);
    key(out, false, "config_hash");
    json(out, &r.config_hash);
    if let Some(d) = &r.decision {
        key(out, false, "decision");
        json(out, d);
    }
    key(out, false, "engine_version");
    json(out, &r.engine_version);
    key(out, false, "flags");
    json(out, &r.flags);
    key(out, false, "hits");
    out.push(b'[');
    for (i, h) in r.hits.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'{');
        key(out, true, "decision");
        json(out, &h.decision);
        key(out, false, "entity_id");
        json(out, &h.entity_id);
        key(out, false, "flags");
        json(out, &h.flags);
        key(out, false, "list");
        json(out, &h.list);
        key(out, false, "score");
        json(out, &serde_json::Value::from(h.score));
        out.push(b'}');
    }
    out.push(b']');
    if let Some(item) = r.item {
        key(out, false, "item");
        json(out, &item);
    }
    key(out, false, "kind");
    json(out, &r.kind);
    key(out, false, "lists");
    match lists {
        Some(l) => out.extend_from_slice(l.as_bytes()),
        None => json(out, &r.lists.versions),
    }
    if let Some(reference) = &r.reference {
        key(out, false, "reference");
        json(out, reference);
    }
    key(out, false, "request_id");
    json(out, &r.request_id);
    if let Some(seq) = r.seq {
        key(out, false, "seq");
        json(out, &seq);
    }
    key(out, false, "subject");
    json(out, &r.subject);
    key(out, false, "uid");
    json(out, &r.uid);
    out.push(b'}');
}

/// `sha256_hex(prev ++ canonical)`: the hash of a record whose canonical
/// content is `canonical` and whose predecessor's hash is `prev`.
pub fn link(prev: &str, canonical: &str) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(canonical.as_bytes());
    crate::lists::hex(&h.finalize())
}

/// The record as it is stored and hashed: every NUL written U+FFFD.
/// Borrowed when there is none (nearly always).
pub fn stored(record: &AuditRecord) -> Cow<'_, AuditRecord> {
    fn has_nul(s: &str) -> bool {
        s.contains('\0')
    }
    let plain = [
        &record.uid,
        &record.kind,
        &record.channel,
        &record.request_id,
        &record.caller,
        &record.engine_version,
        &record.config_hash,
    ];
    let any = plain.iter().any(|s| has_nul(s))
        || record.reference.as_deref().is_some_and(has_nul)
        || record.decision.as_deref().is_some_and(has_nul)
        || record.flags.iter().any(|f| has_nul(f))
        || record.hits.iter().any(|h| {
            has_nul(&h.entity_id) || has_nul(&h.list) || has_nul(&h.decision) || h.flags.iter().any(|f| has_nul(f))
        });
    if !any {
        return Cow::Borrowed(record);
    }
    let fix = |s: &str| s.replace('\0', "\u{FFFD}");
    let mut r = record.clone();
    for s in [
        &mut r.uid,
        &mut r.kind,
        &mut r.channel,
        &mut r.request_id,
        &mut r.caller,
        &mut r.engine_version,
        &mut r.config_hash,
    ] {
        *s = fix(s);
    }
    r.reference = r.reference.as_deref().map(fix);
    r.decision = r.decision.as_deref().map(fix);
    r.flags = r.flags.iter().map(|f| fix(f)).collect();
    for h in &mut r.hits {
        h.entity_id = fix(&h.entity_id);
        h.list = fix(&h.list);
        h.decision = fix(&h.decision);
        h.flags = h.flags.iter().map(|f| fix(f)).collect();
    }
    Cow::Owned(r)
}

/// Numbers and hashes `records` after the head `(seq, hash)`: returns each
/// record as stored (see [`stored`]) with its `seq` and `hash` set, and the
/// new head.
pub fn extend(head: (i64, &str), records: &[AuditRecord]) -> (Vec<AuditRecord>, (i64, String)) {
    let (mut seq, prev) = head;
    let mut prev = prev.to_string();
    let mut out = Vec::with_capacity(records.len());
    let mut text = Vec::with_capacity(1024);
    // The records of one commit nearly always share one list set: its JSON
    // is written once.
    let mut lists: Option<(*const ListSet, String)> = None;
    for r in records {
        seq += 1;
        let mut r = stored(r).into_owned();
        r.seq = Some(seq);
        r.hash = None;
        let set = std::sync::Arc::as_ptr(&r.lists);
        if lists.as_ref().is_none_or(|(p, _)| *p != set) {
            lists = Some((set, r.lists.versions.to_string()));
        }
        text.clear();
        write_canonical(&r, lists.as_ref().map(|(_, l)| l.as_str()), &mut text);
        let mut h = Sha256::new();
        h.update(prev.as_bytes());
        h.update(&text);
        let hash = crate::lists::hex(&h.finalize());
        r.hash = Some(hash.clone());
        prev = hash;
        out.push(r);
    }
    (out, (seq, prev))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::*;
    use crate::record::store::{AuditHit, ListSet};

    fn record(uid: &str) -> AuditRecord {
        AuditRecord {
            seq: None,
            hash: None,
            uid: uid.into(),
            at: 1_700_000_000_123,
            kind: "screening".into(),
            channel: "api".into(),
            request_id: uid.into(),
            caller: "k1".into(),
            item: None,
            reference: Some("cust-1".into()),
            subject: json!({"name": "Juan Pérez", "n": 1.5}),
            lists: Arc::new(ListSet::new(json!([{"dataset": "ofac_sdn", "sha256": "ab"}]))),
            engine_version: "cartelscreen 0".into(),
            config_hash: "c".into(),
            decision: Some("review".into()),
            flags: vec![],
            hits: vec![AuditHit {
                entity_id: "ofac-1".into(),
                list: "ofac_sdn".into(),
                score: 0.9512,
                decision: "review".into(),
                flags: vec![],
            }],
        }
    }

    #[test]
    fn the_canonical_form_is_sorted_compact_export_json_without_the_hash() {
        let mut r = record("a");
        r.seq = Some(7);
        r.hash = Some("ff".into());
        let c = canonical(&r);
        assert!(c.starts_with(r#"{"at":"2023-11-14T22:13:20.123Z","caller":"k1","channel":"api","config_hash":"c","decision":"review","engine_version":"cartelscreen 0","flags":[],"hits":[{"decision":"review","entity_id":"ofac-1","flags":[],"list":"ofac_sdn","score":0.9512}],"kind":"screening","lists":[{"dataset":"ofac_sdn","sha256":"ab"}],"reference":"cust-1","request_id":"a","seq":7,"subject":{"n":1.5,"name":"Juan Pérez"},"uid":"a"}"#), "{c}");
        assert!(!c.contains("hash\":\"ff"));
    }

    #[test]
    fn each_hash_links_to_the_previous_one() {
        let (chained, head) = extend((4, GENESIS), &[record("a"), record("b")]);
        assert_eq!(chained[0].seq, Some(5));
        assert_eq!(chained[1].seq, Some(6));
        let h0 = link(GENESIS, &canonical(&AuditRecord { hash: None, ..chained[0].clone() }));
        assert_eq!(chained[0].hash.as_deref(), Some(h0.as_str()));
        let h1 = link(&h0, &canonical(&AuditRecord { hash: None, ..chained[1].clone() }));
        assert_eq!(head, (6, h1.clone()));
        assert_eq!(h1.len(), 64);
        // Changing any field changes the hash.
        let mut edited = chained[0].clone();
        edited.decision = Some("clear".into());
        edited.hash = None;
        assert_ne!(link(GENESIS, &canonical(&edited)), h0);
    }

    #[test]
    fn the_canonical_writer_equals_the_definition() {
        let mut r = record("a/3");
        r.seq = Some(12);
        r.item = Some(3);
        r.hits.push(AuditHit { score: f64::NAN, flags: vec!["x\"y".into()], ..r.hits[0].clone() });
        r.hits.push(AuditHit { score: 1.0, ..r.hits[0].clone() });
        r.subject = json!({"z": [1, 2.5, null, "\u{1}\n"], "a": {"b": true, "Ä": "ü"}, "big": 1e300});
        r.flags = vec!["sanctions_match".into()];
        assert_eq!(canonical(&r), canonical_by_value(&r));
        r.reference = None;
        r.decision = None;
        r.item = None;
        r.hits.clear();
        assert_eq!(canonical(&r), canonical_by_value(&r));
        let (chained, _) = extend((0, GENESIS), &[r.clone(), r.clone()]);
        for c in &chained {
            let mut plain = c.clone();
            plain.hash = None;
            assert_eq!(canonical(&plain), canonical_by_value(&plain));
        }
        let h1 = link(GENESIS, &canonical_by_value(&AuditRecord { hash: None, ..chained[0].clone() }));
        assert_eq!(chained[0].hash.as_deref(), Some(h1.as_str()));
    }

    #[test]
    fn a_nul_is_stored_and_hashed_as_a_replacement_character() {
        let mut r = record("a");
        r.reference = Some("x\0y".into());
        r.hits[0].entity_id = "e\0".into();
        let s = stored(&r);
        assert_eq!(s.reference.as_deref(), Some("x\u{FFFD}y"));
        assert_eq!(s.hits[0].entity_id, "e\u{FFFD}");
        assert!(matches!(stored(&record("b")), Cow::Borrowed(_)));
    }
}
