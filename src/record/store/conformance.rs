//! The behaviour every [`Store`] must have, run against each backend.
//!
//! Each check is a function of a `&dyn Store` (and, for what only SQL can
//! reach, a raw-SQL hook). The macro at the end runs every one against a
//! fresh SQLite file and, when `CARTELSCREEN_TEST_POSTGRES_URL` names a
//! database (see `.ci/postgres.sh`), against a fresh schema there; without
//! it the PostgreSQL tests pass without running, unless
//! `CARTELSCREEN_REQUIRE_POSTGRES=1`.

use std::collections::BTreeSet;

use serde_json::json;

use super::*;

type Raw<'a> = &'a dyn Fn(&str) -> Result<u64, StoreError>;

fn hit(entity_id: &str, score: f64) -> AuditHit {
    AuditHit {
        entity_id: entity_id.to_string(),
        list: "ofac_sdn".to_string(),
        score,
        decision: if score >= 0.9 { "block" } else { "review" }.to_string(),
        flags: vec!["cartel_network".to_string()],
    }
}

fn record(uid: &str, at: Millis) -> AuditRecord {
    AuditRecord {
        seq: None,
        hash: None,
        uid: uid.to_string(),
        at,
        kind: "screening".to_string(),
        channel: "api".to_string(),
        request_id: uid.split('/').next().unwrap_or(uid).to_string(),
        caller: "key_a".to_string(),
        item: None,
        reference: None,
        subject: json!({"name": "Joaquín Guzmán Loera", "type": "person", "country": "MX", "n": 1.5}),
        lists: Arc::new(ListSet::new(json!([{"dataset": "ofac_sdn", "sha256": "ab12", "published": "2025-01-01"}]))),
        engine_version: "0.1.0".to_string(),
        config_hash: "cafe".to_string(),
        decision: Some("clear".to_string()),
        flags: Vec::new(),
        hits: Vec::new(),
    }
}

fn all_audit(s: &dyn Store, filter: AuditFilter) -> Vec<AuditRecord> {
    let mut filter = AuditFilter { after: None, limit: 7, ..filter };
    let mut out = Vec::new();
    loop {
        let page = s.audit(&filter).expect("audit");
        out.extend(page.records);
        match page.next {
            Some(n) => filter.after = Some(n),
            None => return out,
        }
    }
}

fn uids(records: &[AuditRecord]) -> Vec<&str> {
    records.iter().map(|r| r.uid.as_str()).collect()
}

fn query(s: &dyn Store, filter: AuditFilter) -> Vec<String> {
    all_audit(s, filter).into_iter().map(|r| r.uid).collect()
}

/// Records come back exactly as appended, with a `seq`, and each filter
/// selects what it says.
pub(super) fn audit_filters(s: &dyn Store) {
    let mut a = record("req-a", 1_000);
    a.hits = vec![hit("ofac-1", 0.95), hit("ofac-2", 0.81)];
    a.decision = Some("block".into());
    a.flags = vec!["alias".into(), "dob_mismatch".into()];
    a.reference = Some("cust-1".into());
    let mut b = record("req-b/0", 2_000);
    b.channel = "api_batch".into();
    b.item = Some(0);
    b.request_id = "req-b".into();
    b.caller = "key_b".into();
    b.reference = Some("cust-2".into());
    let mut c = record("req-b/1", 2_000);
    c.channel = "api_batch".into();
    c.item = Some(1);
    c.request_id = "req-b".into();
    c.caller = "key_b".into();
    c.decision = Some("review".into());
    c.hits = vec![hit("ofac-2", 0.83)];
    let mut d = record("req-d", 3_000);
    d.kind = "disposition_recorded".into();
    d.decision = None;
    d.subject = json!({"disposition": "d1", "verdict": "false_positive"});
    d.lists = ListSet::empty();
    d.caller = "cli:ana".into();
    d.channel = "cli".into();
    let e = record("req-e", 4_000);
    s.append_audit(&[a.clone(), b.clone()]).expect("append");
    s.append_audit(&[c.clone(), d.clone(), e.clone()]).expect("append");
    s.append_audit(&[]).expect("append nothing");

    let got = all_audit(s, AuditFilter::default());
    assert_eq!(uids(&got), ["req-a", "req-b/0", "req-b/1", "req-d", "req-e"]);
    let seqs: Vec<i64> = got.iter().map(|r| r.seq.expect("seq assigned")).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "seq increases: {seqs:?}");
    for (got, want) in got.iter().zip([&a, &b, &c, &d, &e]) {
        assert_eq!(got, &AuditRecord { seq: got.seq, hash: got.hash.clone(), ..want.clone() });
    }

    let f = AuditFilter::default;
    assert_eq!(query(s, AuditFilter { from: Some(2_000), ..f() }), ["req-b/0", "req-b/1", "req-d", "req-e"]);
    assert_eq!(query(s, AuditFilter { to: Some(2_000), ..f() }), ["req-a"]);
    assert_eq!(query(s, AuditFilter { from: Some(2_000), to: Some(4_000), ..f() }), ["req-b/0", "req-b/1", "req-d"]);
    assert_eq!(query(s, AuditFilter { kind: Some("disposition_recorded".into()), ..f() }), ["req-d"]);
    assert_eq!(query(s, AuditFilter { decision: Some("clear".into()), ..f() }), ["req-b/0", "req-e"]);
    assert_eq!(query(s, AuditFilter { decision: Some("block".into()), ..f() }), ["req-a"]);
    assert_eq!(query(s, AuditFilter { decision: Some("review".into()), ..f() }), ["req-b/1"]);
    assert!(query(s, AuditFilter { decision: Some("error".into()), ..f() }).is_empty());
    assert_eq!(query(s, AuditFilter { decision: Some("review".into()), from: Some(2_000), ..f() }), ["req-b/1"]);
    assert_eq!(query(s, AuditFilter { reference: Some("cust-2".into()), ..f() }), ["req-b/0"]);
    assert_eq!(query(s, AuditFilter { caller: Some("key_b".into()), ..f() }), ["req-b/0", "req-b/1"]);
    assert_eq!(query(s, AuditFilter { request_id: Some("req-b".into()), ..f() }), ["req-b/0", "req-b/1"]);
    assert_eq!(query(s, AuditFilter { entity_id: Some("ofac-2".into()), ..f() }), ["req-a", "req-b/1"]);
    assert_eq!(query(s, AuditFilter { entity_id: Some("ofac-1".into()), ..f() }), ["req-a"]);
    assert!(query(s, AuditFilter { entity_id: Some("ofac-9".into()), ..f() }).is_empty());
    assert!(query(s, AuditFilter { caller: Some("nobody".into()), ..f() }).is_empty());
    // Every filter given must hold.
    assert_eq!(
        query(s, AuditFilter { caller: Some("key_b".into()), entity_id: Some("ofac-2".into()), ..f() }),
        ["req-b/1"]
    );
    assert!(
        query(s, AuditFilter { decision: Some("clear".into()), entity_id: Some("ofac-2".into()), ..f() }).is_empty()
    );
    // The entity filter selects records; each comes with all its hits.
    let with_hits = all_audit(s, AuditFilter { entity_id: Some("ofac-1".into()), ..f() });
    assert_eq!(with_hits[0].hits, a.hits);
}

/// Pages are in `seq` order; `next` is the last seq of a full page, and
/// the pages together are the whole trail, each record once.
pub(super) fn audit_paging(s: &dyn Store) {
    let records: Vec<AuditRecord> = (0..25).map(|i| record(&format!("page-{i:02}"), 10_000 + i)).collect();
    s.append_audit(&records).expect("append");
    let mut filter = AuditFilter { limit: 10, ..AuditFilter::default() };
    let p1 = s.audit(&filter).expect("page 1");
    assert_eq!(p1.records.len(), 10);
    assert_eq!(p1.next, p1.records.last().and_then(|r| r.seq));
    filter.after = p1.next;
    let p2 = s.audit(&filter).expect("page 2");
    assert_eq!(p2.records.len(), 10);
    assert!(p2.records[0].seq > p1.records[9].seq);
    filter.after = p2.next;
    let p3 = s.audit(&filter).expect("page 3");
    assert_eq!(p3.records.len(), 5);
    assert_eq!(p3.next, None);
    let all: Vec<&str> = p1.records.iter().chain(&p2.records).chain(&p3.records).map(|r| r.uid.as_str()).collect();
    assert_eq!(all, uids(&records));

    // A last page exactly full hands a cursor; the page after it is empty.
    let filter = AuditFilter { limit: 5, after: p2.next, ..AuditFilter::default() };
    let full = s.audit(&filter).expect("full page");
    assert_eq!(full.records.len(), 5);
    assert!(full.next.is_some());
    let empty = s.audit(&AuditFilter { after: full.next, ..filter }).expect("empty page");
    assert!(empty.records.is_empty());
    assert_eq!(empty.next, None);

    // Paging with a filter pages over the filtered records only.
    let filter = AuditFilter { from: Some(10_020), limit: 2, ..AuditFilter::default() };
    let q = all_audit(s, filter.clone());
    assert_eq!(uids(&q), ["page-20", "page-21", "page-22", "page-23", "page-24"]);
    let p = s.audit(&filter).expect("filtered page");
    assert_eq!(uids(&p.records), ["page-20", "page-21"]);
    let p = s.audit(&AuditFilter { after: p.next, ..filter }).expect("filtered page 2");
    assert_eq!(uids(&p.records), ["page-22", "page-23"]);

    // Newest first: the same records backwards, the cursor reading older ones.
    let filter = AuditFilter { from: Some(10_020), limit: 2, newest_first: true, ..AuditFilter::default() };
    assert_eq!(uids(&all_audit(s, filter.clone())), ["page-24", "page-23", "page-22", "page-21", "page-20"]);
    let p = s.audit(&filter).expect("newest page");
    assert_eq!(uids(&p.records), ["page-24", "page-23"]);
    let p = s.audit(&AuditFilter { after: p.next, ..filter }).expect("newest page 2");
    assert_eq!(uids(&p.records), ["page-22", "page-21"]);

    // A limit of 0 reads nothing.
    let none = s.audit(&AuditFilter { limit: 0, ..AuditFilter::default() }).expect("limit 0");
    assert!(none.records.is_empty());
    assert_eq!(none.next, None);
}

/// A batch is all or nothing: a duplicate uid fails it and none of its
/// records is kept.
pub(super) fn audit_batch_atomic(s: &dyn Store) {
    s.append_audit(&[record("dup-1", 1)]).expect("append");
    let mut second = record("dup-2", 2);
    second.hits = vec![hit("ofac-7", 0.9)];
    let err = s.append_audit(&[second, record("dup-1", 3), record("dup-3", 4)]);
    assert!(err.is_err(), "a duplicate uid is refused");
    assert_eq!(query(s, AuditFilter::default()), ["dup-1"]);
    assert!(query(s, AuditFilter { entity_id: Some("ofac-7".into()), ..AuditFilter::default() }).is_empty());
    // The store is still usable, and the refused uids are free.
    s.append_audit(&[record("dup-2", 5)]).expect("append after a failure");
    assert_eq!(query(s, AuditFilter::default()), ["dup-1", "dup-2"]);
}

/// A day ago and more, in [`Millis`]: older than a retention of one day.
fn days_ago(days: i64) -> Millis {
    now_millis() - days * 86_400_000
}

/// Sets a retention of `days` and purges, recording the purge the way the
/// service does (kind `retention_purge`, the [`Purge`] as its subject).
fn purge(s: &dyn Store, days: u32) -> Option<Purge> {
    s.set_retention_days(days).expect("set retention");
    s.purge_audit(&|p: &Purge| AuditRecord {
        kind: "retention_purge".into(),
        subject: serde_json::to_value(p).expect("purge json"),
        ..record(&format!("purge-{}", p.last_seq), now_millis())
    })
    .expect("purge")
}

fn verified(s: &dyn Store) -> crate::record::audit::verify::Verification {
    crate::record::audit::verify::verify(s, &Default::default()).expect("verify")
}

/// The retention purge deletes the records (and their hits) older than
/// the retention from the start of the trail, records what it removed in
/// the chain, which stays verifiable; seq numbers are never reused.
pub(super) fn audit_purge(s: &dyn Store) {
    let mut old = record("old-1", days_ago(3));
    old.hits = vec![hit("ofac-1", 0.92)];
    let mut old2 = record("old-2", days_ago(2));
    old2.hits = vec![hit("ofac-1", 0.85), hit("ofac-3", 0.8)];
    let mut keep = record("keep-1", now_millis());
    keep.hits = vec![hit("ofac-3", 0.88)];
    s.append_audit(&[old, old2, keep.clone(), record("keep-2", now_millis())]).expect("append");
    let max_seq = all_audit(s, AuditFilter::default()).last().and_then(|r| r.seq).expect("seq");

    assert_eq!(purge(s, 0), None, "retention 0 keeps everything");
    assert_eq!(purge(s, 5), None, "nothing is five days old");
    let p = purge(s, 1).expect("purged");
    assert_eq!((p.first_seq, p.last_seq, p.records), (max_seq - 3, max_seq - 2, 2));
    assert_eq!(p.last_hash.as_ref().map(String::len), Some(64));
    assert_eq!(purge(s, 1), None, "purge again");
    let left = all_audit(s, AuditFilter::default());
    assert_eq!(uids(&left), ["keep-1", "keep-2", &format!("purge-{}", p.last_seq)]);
    assert_eq!(left[0].hits, keep.hits);
    assert!(query(s, AuditFilter { entity_id: Some("ofac-1".into()), ..AuditFilter::default() }).is_empty());
    assert_eq!(query(s, AuditFilter { entity_id: Some("ofac-3".into()), ..AuditFilter::default() }), ["keep-1"]);
    let v = verified(s);
    assert!(v.intact, "{v:?}");
    assert_eq!((v.records, v.first_seq, v.head_seq), (3, Some(max_seq - 1), max_seq + 1));

    // A purged uid may be recorded again; its seq is new.
    s.append_audit(&[record("old-1", now_millis())]).expect("append after purge");
    let again = all_audit(s, AuditFilter { reference: None, ..AuditFilter::default() });
    assert_eq!(again.last().and_then(|r| r.seq), Some(max_seq + 2));
    assert!(verified(s).intact);
}

/// Every record is chained to the one before; deleting a young record is
/// refused; and once an attacker drops the triggers, every kind of
/// tampering is found, at its position: an edited decision, two records
/// swapped, a removed tail (against the head, then against a checkpoint
/// once the head is rewritten too), a record removed from the middle.
pub(super) fn tamper_evident(s: &dyn Store, raw: Raw<'_>) {
    use crate::record::audit::verify::{checkpoint, verify, BreakKind, VerifyOptions};
    let records: Vec<AuditRecord> = (1..=5)
        .map(|i| {
            let mut r = record(&format!("t-{i}"), now_millis());
            r.hits = vec![hit("ofac-1", 0.9)];
            r
        })
        .collect();
    s.append_audit(&records[..2]).expect("append");
    s.append_audit(&records[2..]).expect("append");
    let got = all_audit(s, AuditFilter::default());
    let seq = |uid: &str| got.iter().find(|r| r.uid == uid).and_then(|r| r.seq).expect("seq");
    let (s1, s2, s3, s4, s5) = (seq("t-1"), seq("t-2"), seq("t-3"), seq("t-4"), seq("t-5"));
    assert_eq!([s2, s3, s4, s5], [s1 + 1, s1 + 2, s1 + 3, s1 + 4], "consecutive");
    let v = verified(s);
    assert!(v.intact && v.records == 5 && v.head_seq == s5, "{v:?}");
    let c = checkpoint(s).expect("checkpoint");
    assert_eq!((c.seq, &c.hash), (s5, got[4].hash.as_ref().expect("hash")));

    for sql in ["DELETE FROM audit_records WHERE uid = 't-3'", "DELETE FROM audit_hits WHERE record_uid = 't-3'"] {
        let message = format!("{:?}", raw(sql).expect_err("a young record cannot be deleted"));
        assert!(message.contains("retention"), "{sql}: {message}");
    }
    assert!(verified(s).intact);

    let sqlite = s.backend() == "sqlite";
    for (table, trigger) in [
        ("audit_records", "audit_records_retention"),
        ("audit_hits", "audit_hits_retention"),
        ("audit_records", "audit_records_append_only"),
        ("audit_hits", "audit_hits_append_only"),
    ] {
        let sql = if sqlite { format!("DROP TRIGGER {trigger}") } else { format!("DROP TRIGGER {trigger} ON {table}") };
        raw(&sql).expect("drop trigger");
    }
    let broken_at = |kind: BreakKind, at: i64| {
        let v = verified(s);
        let b = v.broken.clone().unwrap_or_else(|| panic!("not found: {kind:?} at {at}"));
        assert!(!v.intact);
        assert_eq!((b.kind, b.seq), (kind, at), "{}", b.message);
    };

    // An edited decision, then put back.
    raw("UPDATE audit_records SET decision = 'block' WHERE uid = 't-2'").expect("edit");
    broken_at(BreakKind::Changed, s2);
    raw("UPDATE audit_records SET decision = 'clear' WHERE uid = 't-2'").expect("put back");
    assert!(verified(s).intact);
    // An edited hit belongs to its record.
    raw("UPDATE audit_hits SET score = 0.5 WHERE record_uid = 't-4'").expect("edit hit");
    broken_at(BreakKind::Changed, s4);
    raw("UPDATE audit_hits SET score = 0.9 WHERE record_uid = 't-4'").expect("put back");
    // Two records swapped.
    raw(&format!("UPDATE audit_records SET seq = -1 WHERE seq = {s2}")).expect("swap");
    raw(&format!("UPDATE audit_records SET seq = {s2} WHERE seq = {s3}")).expect("swap");
    raw(&format!("UPDATE audit_records SET seq = {s3} WHERE seq = -1")).expect("swap");
    broken_at(BreakKind::Changed, s2);
    raw(&format!("UPDATE audit_records SET seq = -1 WHERE seq = {s2}")).expect("swap back");
    raw(&format!("UPDATE audit_records SET seq = {s2} WHERE seq = {s3}")).expect("swap back");
    raw(&format!("UPDATE audit_records SET seq = {s3} WHERE seq = -1")).expect("swap back");
    assert!(verified(s).intact);

    // The tail removed: the head names it; with the head rewritten too, the
    // checkpoint kept outside still does.
    raw("DELETE FROM audit_hits WHERE record_uid = 't-5'").expect("delete tail hits");
    raw("DELETE FROM audit_records WHERE uid = 't-5'").expect("delete tail");
    broken_at(BreakKind::TailMissing, s5);
    let h4 = got[3].hash.clone().expect("hash");
    raw(&format!("UPDATE audit_chain_head SET seq = {s4}, hash = '{h4}'")).expect("rewrite head");
    assert!(verified(s).intact, "without a checkpoint the rewritten head hides the tail");
    let v = verify(s, &VerifyOptions { checkpoints: vec![c.clone()], ..VerifyOptions::default() }).expect("verify");
    let b = v.broken.expect("the checkpoint shows the tail");
    assert_eq!((b.kind, b.seq), (BreakKind::TailMissing, s5), "{}", b.message);

    // A record removed from the middle.
    raw("DELETE FROM audit_hits WHERE record_uid = 't-3'").expect("delete hits");
    raw("DELETE FROM audit_records WHERE uid = 't-3'").expect("delete");
    broken_at(BreakKind::MissingRecords, s3);
    // A range before the gap is still intact.
    let v = verify(s, &VerifyOptions { from: Some(s1), to: Some(s2), checkpoints: vec![] }).expect("verify range");
    assert!(v.intact && v.records == 2, "{v:?}");
    // The first record removed: the rest links to nothing.
    raw("DELETE FROM audit_hits WHERE record_uid = 't-1'").expect("delete hits");
    raw("DELETE FROM audit_records WHERE uid = 't-1'").expect("delete first");
    broken_at(BreakKind::Unlinked, s2);
}

/// 2,000 records with hits in one call: all there, in order.
pub(super) fn audit_large_batch(s: &dyn Store) {
    let records: Vec<AuditRecord> = (0..2_000)
        .map(|i| {
            let mut r = record(&format!("bulk/{i:04}"), 50_000 + i / 10);
            r.item = Some(i);
            r.channel = "api_batch".into();
            r.reference = Some(format!("ref-{i}"));
            if i % 7 == 0 {
                r.decision = Some("review".into());
                r.hits = vec![hit(&format!("ent-{}", i % 3), 0.8 + (i % 10) as f64 / 100.0), hit("ent-x", 0.75)];
            }
            r
        })
        .collect();
    let started = std::time::Instant::now();
    s.append_audit(&records).expect("append 2,000");
    let elapsed = started.elapsed();
    eprintln!("{}: 2,000 records in one append_audit: {elapsed:?}", s.backend());

    let mut filter = AuditFilter { limit: 500, ..AuditFilter::default() };
    let mut got = Vec::new();
    loop {
        let page = s.audit(&filter).expect("audit");
        got.extend(page.records);
        match page.next {
            Some(n) => filter.after = Some(n),
            None => break,
        }
    }
    assert_eq!(got.len(), 2_000);
    for (g, want) in got.iter().zip(&records) {
        assert_eq!(g, &AuditRecord { seq: g.seq, hash: g.hash.clone(), ..want.clone() });
    }
    let reviewed = query(s, AuditFilter { entity_id: Some("ent-x".into()), ..AuditFilter::default() });
    assert_eq!(reviewed.len(), records.iter().filter(|r| !r.hits.is_empty()).count());
    assert_eq!(query(s, AuditFilter { reference: Some("ref-1999".into()), ..AuditFilter::default() }), ["bulk/1999"]);
}

/// Text the databases may treat specially still goes in, and the store
/// answers afterwards: a NUL (PostgreSQL cannot store one and writes
/// U+FFFD), quotes, non-Latin script, a NaN score.
pub(super) fn odd_values(s: &dyn Store) {
    let mut r = record("odd-1", 1);
    r.reference = Some("ref\0with nul".into());
    r.caller = "O'Brien \"quoted\" -- ; DROP TABLE audit_records".into();
    r.subject = json!({"name": "محمد \u{0}", "nested": {"a": [1, 2, null, true]}});
    r.hits = vec![hit("ent-nan", f64::NAN), hit("ent-inf", f64::INFINITY)];
    s.append_audit(&[r]).expect("append odd values");
    let got = all_audit(s, AuditFilter::default());
    assert_eq!(got.len(), 1);
    let g = &got[0];
    assert_eq!(g.caller, "O'Brien \"quoted\" -- ; DROP TABLE audit_records");
    assert_eq!(g.subject, json!({"name": "محمد \u{0}", "nested": {"a": [1, 2, null, true]}}));
    assert!(g.reference.as_deref().is_some_and(|r| r.starts_with("ref") && r.ends_with("with nul")));
    assert!(g.hits[0].score.is_nan());
    assert_eq!(g.hits[1].score, f64::INFINITY);
    s.check().expect("check after odd values");
}

/// Audit records, their hits, their list sets and delivery attempts refuse
/// `UPDATE`; a refused update changes nothing.
pub(super) fn append_only(s: &dyn Store, raw: Raw<'_>) {
    let mut r = record("ao-1", 1);
    r.hits = vec![hit("ofac-1", 0.9)];
    s.append_audit(&[r.clone()]).expect("append");
    let alert = alert("al-ao", "cust-1", "ofac-1", 5);
    assert!(s.commit_list_change(DEP, None, &state("fp-ao", &[("ofac-1", "s1")]), &[alert]).expect("commit"));
    s.record_delivery(&attempt("al-ao", 6, false)).expect("attempt");
    for sql in [
        "UPDATE audit_records SET decision = 'clear' WHERE uid = 'ao-1'",
        "UPDATE audit_records SET at = 0",
        "UPDATE audit_hits SET score = 0 WHERE record_uid = 'ao-1'",
        "UPDATE delivery_attempts SET delivered = true WHERE alert_id = 'al-ao'",
        "UPDATE list_sets SET versions = '[]'",
    ] {
        let result = raw(sql);
        assert!(result.is_err(), "{sql} must be refused, got {result:?}");
        let message = format!("{:?}", result.err());
        assert!(message.contains("append-only"), "{sql}: {message}");
    }
    let got = all_audit(s, AuditFilter::default());
    assert_eq!(got, vec![AuditRecord { seq: got[0].seq, hash: got[0].hash.clone(), ..r }]);
    let a = s.alerts(&AlertFilter { limit: 10, ..AlertFilter::default() }).expect("alerts");
    assert_eq!(a.alerts[0].delivery.delivered_at, None);
    // Deleting (the retention purge) is still possible.
    assert_eq!(purge(s, 1).map(|p| p.records), Some(1));
}

fn disposition(id: &str, recorded_at: Millis) -> Disposition {
    Disposition {
        id: id.to_string(),
        recorded_at,
        counterparty_key: format!("ref:{id}-cust"),
        reference: Some(format!("{id}-cust")),
        name: None,
        identifiers: Vec::new(),
        entity_id: "ofac-1".to_string(),
        entity_signature: "sig-1".to_string(),
        verdict: Verdict::FalsePositive,
        reason: "different date of birth".to_string(),
        analyst: "ana".to_string(),
        recorded_by: "key_a".to_string(),
        expires_at: None,
        revoked: None,
    }
}

fn versions(dataset: &str, sha256: &str) -> Arc<ListSet> {
    Arc::new(ListSet::new(json!([
        {"dataset": dataset, "sha256": sha256, "published": "2026-02-27"},
        {"dataset": "un_sc", "sha256": "77aa", "published": "2026-02-20"}
    ])))
}

/// Records made against two list sets (and a change, against none) read
/// back with their full versions; the records of one set in a page share
/// one `ListSet`. A batch that fails leaves no set behind that later
/// records would name.
pub(super) fn list_sets(s: &dyn Store) {
    let (one, two) = (versions("ofac_sdn", "aa01"), versions("ofac_sdn", "bb02"));
    let with = |uid: &str, at: Millis, lists: &Arc<ListSet>| AuditRecord { lists: lists.clone(), ..record(uid, at) };
    // The first batch this store writes fails (a duplicate uid): set `one`
    // is rolled back with it, and must be written again with the next.
    let first = with("ls-1", 1, &one);
    assert!(s.append_audit(&[first.clone(), first.clone()]).is_err());
    let mut change = record("ls-3", 3);
    change.kind = "monitoring_registered".into();
    change.decision = None;
    change.lists = ListSet::empty();
    let written = [first, with("ls-2", 2, &two), change, with("ls-4", 4, &one), with("ls-5", 5, &two)];
    s.append_audit(&written[..3]).expect("append");
    s.append_audit(&written[3..]).expect("append");

    let got = s.audit(&AuditFilter { limit: 10, ..AuditFilter::default() }).expect("audit").records;
    assert_eq!(got.len(), written.len());
    for (g, want) in got.iter().zip(&written) {
        assert_eq!(g, &AuditRecord { seq: g.seq, hash: g.hash.clone(), ..want.clone() });
    }
    assert_eq!(got[0].lists.versions, one.versions);
    assert_eq!(got[1].lists.fingerprint, two.fingerprint);
    assert_eq!(got[2].lists.versions, json!([]));
    assert!(Arc::ptr_eq(&got[0].lists, &got[3].lists), "one ListSet per set in a page");
    assert!(Arc::ptr_eq(&got[1].lists, &got[4].lists), "one ListSet per set in a page");
    // Filtered and paged reads too.
    let paged = all_audit(s, AuditFilter { from: Some(2), ..AuditFilter::default() });
    assert_eq!(paged.iter().map(|r| r.lists.clone()).collect::<Vec<_>>(), [two.clone(), ListSet::empty(), one, two]);

    // A set whose fingerprint is not its versions' is refused, whole batch.
    let forged = Arc::new(ListSet { fingerprint: "0".repeat(64), versions: json!([{"dataset": "forged"}]) });
    assert!(s.append_audit(&[with("ls-6", 6, &forged)]).is_err());
    assert_eq!(query(s, AuditFilter::default()).len(), written.len());
}

/// Two instances (two processes, or two replicas) that have not written a
/// set each write records of it, at the same time: both succeed, and
/// everything reads back whole from either.
pub(super) fn list_sets_across_instances(a: &dyn Store, b: &dyn Store) {
    for round in 0..3 {
        let lists = versions("ofac_sdn", &format!("{round:04}"));
        let batch = |who: &str| -> Vec<AuditRecord> {
            (0..20)
                .map(|i| AuditRecord { lists: lists.clone(), ..record(&format!("x{round}-{who}-{i}"), round) })
                .collect()
        };
        let (batch_a, batch_b) = (batch("a"), batch("b"));
        let barrier = std::sync::Barrier::new(2);
        std::thread::scope(|scope| {
            let ta = scope.spawn(|| {
                barrier.wait();
                a.append_audit(&batch_a)
            });
            let tb = scope.spawn(|| {
                barrier.wait();
                b.append_audit(&batch_b)
            });
            ta.join().expect("thread a").expect("append a");
            tb.join().expect("thread b").expect("append b");
        });
    }
    for s in [a, b] {
        let got = all_audit(s, AuditFilter::default());
        assert_eq!(got.len(), 120);
        for r in &got {
            let round = r.uid[1..2].parse::<usize>().expect("round");
            assert_eq!(r.lists, versions("ofac_sdn", &format!("{round:04}")), "{}", r.uid);
        }
    }
}

/// The statements that wrote a record before list sets existed
/// (migration 1): its versions in its own `lists`, with a hit.
fn v1_insert(r: &AuditRecord) -> String {
    let q = |s: &str| format!("'{}'", s.replace('\'', "''"));
    let opt = |s: &Option<String>| s.as_deref().map_or("NULL".to_string(), q);
    let mut sql = format!(
        "INSERT INTO audit_records (uid, at, kind, channel, request_id, caller, item, reference, subject, lists, \
         engine_version, config_hash, decision, flags) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {});",
        q(&r.uid),
        r.at,
        q(&r.kind),
        q(&r.channel),
        q(&r.request_id),
        q(&r.caller),
        r.item.map_or("NULL".to_string(), |i| i.to_string()),
        opt(&r.reference),
        q(&super::sql::json(&r.subject)),
        q(&super::sql::json(&r.lists.versions)),
        q(&r.engine_version),
        q(&r.config_hash),
        opt(&r.decision),
        q(&super::sql::json(&r.flags)),
    );
    for (ord, h) in r.hits.iter().enumerate() {
        sql.push_str(&format!(
            "INSERT INTO audit_hits (record_uid, ord, entity_id, list, score, decision, flags) \
             VALUES ({}, {ord}, {}, {}, {}, {}, {});",
            q(&r.uid),
            q(&h.entity_id),
            q(&h.list),
            h.score,
            q(&h.decision),
            q(&super::sql::json(&h.flags)),
        ));
    }
    sql
}

/// A database made by migration 1 alone, holding records written the way
/// migration 1 wrote them, is upgraded on opening; its records still read
/// back with their versions, beside new ones of the same and of other
/// sets. `create_v1` makes that database and runs the given SQL in it;
/// `open` opens it as a store.
pub(super) fn upgrade_from_v1(create_v1: &dyn Fn(&str), open: &dyn Fn() -> Box<dyn Store>) {
    let lists = versions("ofac_sdn", "01d5");
    let mut old = AuditRecord { lists: lists.clone(), reference: Some("cust-'q'".into()), ..record("v1-1", 10) };
    old.hits = vec![hit("ofac-1", 0.85)];
    old.decision = Some("review".into());
    let old2 = AuditRecord { lists: versions("un_sc", "0ld2"), item: Some(3), ..record("v1-2", 11) };
    create_v1(&format!("{}{}", v1_insert(&old), v1_insert(&old2)));

    let s = open();
    let got = all_audit(&*s, AuditFilter::default());
    assert_eq!(
        got,
        vec![
            AuditRecord { seq: got[0].seq, hash: got[0].hash.clone(), ..old.clone() },
            AuditRecord { seq: got[1].seq, hash: got[1].hash.clone(), ..old2.clone() }
        ]
    );

    // New records: one of the set an old record holds inline, one of a new
    // set; then all read back together, filters included.
    let same = AuditRecord { lists: lists.clone(), ..record("v2-1", 20) };
    let other = AuditRecord { lists: versions("ofac_sdn", "2222"), ..record("v2-2", now_millis()) };
    s.append_audit(&[same.clone(), other.clone()]).expect("append after the upgrade");
    let got = all_audit(&*s, AuditFilter::default());
    let want = [&old, &old2, &same, &other];
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        assert_eq!(g, &AuditRecord { seq: g.seq, hash: g.hash.clone(), ..w.clone() });
    }
    assert_eq!(got[0].lists, got[2].lists);
    assert_eq!(query(&*s, AuditFilter { entity_id: Some("ofac-1".into()), ..AuditFilter::default() }), ["v1-1"]);
    assert_eq!(query(&*s, AuditFilter { reference: Some("cust-'q'".into()), ..AuditFilter::default() }), ["v1-1"]);

    // The purge still deletes old records (and their hits) and new ones;
    // the chain begins after the records written before it.
    let v = verified(&*s);
    assert!(v.intact && v.unchained == 2 && v.records == 2, "{v:?}");
    let p = purge(&*s, 1).expect("purged");
    assert_eq!((p.records, p.last_hash.is_some()), (3, true));
    assert_eq!(query(&*s, AuditFilter::default()), ["v2-2", &format!("purge-{}", p.last_seq)]);
    assert!(verified(&*s).intact);
    s.check().expect("check after the upgrade");
}

/// Dispositions: recorded, listed oldest first, revoked once.
pub(super) fn dispositions(s: &dyn Store) {
    assert!(s.dispositions().expect("none").is_empty());
    let later = Disposition {
        name: Some("juan perez".into()),
        identifiers: vec!["rfc:PEJJ800101".into(), "curp:PEJJ800101HDFRRN09".into()],
        reference: None,
        counterparty_key: "name:juan perez|rfc:PEJJ800101".into(),
        verdict: Verdict::TrueMatch,
        expires_at: Some(9_999_999),
        ..disposition("disp-2", 2_000)
    };
    let earlier = disposition("disp-1", 1_000);
    s.add_disposition(&later).expect("add later");
    s.add_disposition(&earlier).expect("add earlier");
    assert!(s.add_disposition(&earlier).is_err(), "a duplicate id is refused");
    assert_eq!(s.dispositions().expect("list"), vec![earlier.clone(), later.clone()]);

    let revocation = Revocation { at: 3_000, by: "key_b".into(), reason: "entry changed".into() };
    assert!(s.revoke_disposition("disp-1", &revocation).expect("revoke"));
    assert!(!s.revoke_disposition("disp-1", &revocation).expect("revoke twice"));
    assert!(!s.revoke_disposition("disp-404", &revocation).expect("revoke unknown"));
    let listed = s.dispositions().expect("list");
    assert_eq!(listed, vec![Disposition { revoked: Some(revocation.clone()), ..earlier }, later.clone()]);

    // A disposition given already revoked keeps its revocation.
    let gone = Disposition { revoked: Some(revocation.clone()), ..disposition("disp-3", 3_000) };
    s.add_disposition(&gone).expect("add revoked");
    assert!(!s.revoke_disposition("disp-3", &revocation).expect("revoke revoked"));
    assert_eq!(s.dispositions().expect("list").last(), Some(&gone));
}

fn monitored(reference: &str, at: Millis, name: &str) -> Monitored {
    Monitored {
        reference: reference.to_string(),
        registered_at: at,
        registered_by: "key_a".to_string(),
        counterparty: json!({"name": name, "type": "organization", "country": "MX", "identifiers": ["rfc:X"]}),
    }
}

/// Monitored counterparties: upserted by reference, paged by reference,
/// removed, counted.
pub(super) fn monitoring(s: &dyn Store) {
    assert_eq!(s.monitored_count().expect("count"), 0);
    assert!(s.monitored(None, 10).expect("none").is_empty());
    s.put_monitored(&[]).expect("put nothing");
    let items: Vec<Monitored> =
        ["c", "a", "e", "b", "d"].iter().enumerate().map(|(i, r)| monitored(r, i as Millis, r)).collect();
    s.put_monitored(&items).expect("put");
    assert_eq!(s.monitored_count().expect("count"), 5);
    let page = s.monitored(None, 2).expect("page 1");
    assert_eq!(page.iter().map(|m| m.reference.as_str()).collect::<Vec<_>>(), ["a", "b"]);
    assert_eq!(page[0], items[1]);
    let page = s.monitored(Some("b"), 2).expect("page 2");
    assert_eq!(page.iter().map(|m| m.reference.as_str()).collect::<Vec<_>>(), ["c", "d"]);
    let page = s.monitored(Some("d"), 2).expect("page 3");
    assert_eq!(page.iter().map(|m| m.reference.as_str()).collect::<Vec<_>>(), ["e"]);
    assert!(s.monitored(Some("e"), 2).expect("page 4").is_empty());
    assert!(s.monitored(None, 0).expect("limit 0").is_empty());
    // `after` need not be a stored reference.
    let page = s.monitored(Some("bb"), 10).expect("after a gap");
    assert_eq!(page.iter().map(|m| m.reference.as_str()).collect::<Vec<_>>(), ["c", "d", "e"]);

    // Registering a reference again replaces it; within one call the last
    // one given wins.
    let replaced = monitored("c", 100, "Nueva Razón Social SA de CV");
    s.put_monitored(&[monitored("c", 99, "first"), replaced.clone(), monitored("f", 101, "f")]).expect("put again");
    assert_eq!(s.monitored_count().expect("count"), 6);
    let all = s.monitored(None, 100).expect("all");
    assert_eq!(all.iter().find(|m| m.reference == "c"), Some(&replaced));

    assert!(s.remove_monitored("c").expect("remove"));
    assert!(!s.remove_monitored("c").expect("remove again"));
    assert!(!s.remove_monitored("zz").expect("remove unknown"));
    assert_eq!(s.monitored_count().expect("count"), 5);
    let refs: Vec<String> = s.monitored(None, 100).expect("all").into_iter().map(|m| m.reference).collect();
    assert_eq!(refs, ["a", "b", "d", "e", "f"]);

    // Byte order, the same in both databases (and in Rust).
    s.put_monitored(&[monitored("B", 1, "B"), monitored("á", 1, "á"), monitored("_", 1, "_")]).expect("put");
    let refs: Vec<String> = s.monitored(None, 100).expect("all").into_iter().map(|m| m.reference).collect();
    let mut sorted = refs.clone();
    sorted.sort();
    assert_eq!(refs, sorted);
}

fn state(fingerprint: &str, entities: &[(&str, &str)]) -> ListState {
    ListState {
        fingerprint: fingerprint.to_string(),
        versions: json!([{"dataset": "ofac_sdn", "sha256": fingerprint, "published": "2025-06-01"}]),
        updated_at: 1_000,
        entities: entities.iter().map(|(id, sig)| (id.to_string(), sig.to_string())).collect(),
    }
}

fn alert(id: &str, reference: &str, entity_id: &str, created_at: Millis) -> Alert {
    Alert {
        id: id.to_string(),
        created_at,
        reference: reference.to_string(),
        entity_id: entity_id.to_string(),
        list: "ofac_sdn".to_string(),
        caption: "LOS CHAPITOS".to_string(),
        score: 0.9312,
        decision: "block".to_string(),
        flags: vec!["cartel_network".to_string()],
        change: "changed".to_string(),
        changed: vec!["names".to_string(), "identifiers".to_string()],
        from_lists: "fp-1".to_string(),
        to_lists: "fp-2".to_string(),
    }
}

fn attempt(alert_id: &str, at: Millis, delivered: bool) -> DeliveryAttempt {
    DeliveryAttempt {
        alert_id: alert_id.to_string(),
        at,
        delivered,
        status: Some(if delivered { 204 } else { 503 }),
        error: (!delivered).then(|| format!("HTTP 503 at {at}")),
    }
}

/// The list state: none, then the first commit, a stale commit refused
/// (writing nothing), then a change committed with its alerts.
pub(super) fn list_state(s: &dyn Store) {
    assert_eq!(s.list_state(DEP).expect("state"), None);
    let first = state("fp-1", &[("ofac-2", "s2"), ("ofac-1", "s1"), ("un-1", "u1")]);
    assert!(!s.commit_list_change(DEP, Some("fp-0"), &first, &[]).expect("commit on nothing"), "no state to match");
    assert_eq!(s.list_state(DEP).expect("state"), None);
    assert!(s.commit_list_change(DEP, None, &first, &[]).expect("baseline"));
    let stored = s.list_state(DEP).expect("state").expect("some state");
    let mut sorted = first.clone();
    sorted.entities.sort();
    assert_eq!(stored, sorted);

    // Another instance got there first: stale, nothing written.
    let second = ListState { updated_at: 2_000, ..state("fp-2", &[("ofac-1", "s1b"), ("ofac-3", "s3")]) };
    let alerts = vec![alert("al-1", "cust-1", "ofac-1", 2_000), alert("al-2", "cust-2", "ofac-3", 2_000)];
    assert!(!s.commit_list_change(DEP, None, &second, &alerts).expect("stale baseline"));
    assert!(!s.commit_list_change(DEP, Some("fp-9"), &second, &alerts).expect("stale change"));
    assert_eq!(s.list_state(DEP).expect("state"), Some(sorted.clone()));
    assert!(s.alerts(&AlertFilter { limit: 10, ..AlertFilter::default() }).expect("alerts").alerts.is_empty());

    assert!(s.commit_list_change(DEP, Some("fp-1"), &second, &alerts).expect("change"));
    assert_eq!(s.list_state(DEP).expect("state"), Some(second.clone()));
    let stored = s.alerts(&AlertFilter { limit: 10, ..AlertFilter::default() }).expect("alerts");
    assert_eq!(stored.alerts.iter().map(|a| a.alert.clone()).collect::<Vec<_>>(), alerts);
    assert!(stored.alerts.iter().all(|a| a.delivery == DeliveryState::default()));
    // The same change again is stale.
    assert!(!s.commit_list_change(DEP, Some("fp-1"), &second, &alerts).expect("again"));

    // Duplicate ids in a snapshot keep one entry (the last); an empty
    // snapshot is a state too.
    let third = state("fp-3", &[("b", "1"), ("a", "1"), ("b", "2")]);
    assert!(s.commit_list_change(DEP, Some("fp-2"), &third, &[]).expect("duplicates"));
    let stored = s.list_state(DEP).expect("state").expect("some");
    assert_eq!(stored.entities, [("a".to_string(), "1".to_string()), ("b".to_string(), "2".to_string())]);
    assert!(s.commit_list_change(DEP, Some("fp-3"), &state("fp-4", &[]), &[]).expect("empty"));
    assert_eq!(s.list_state(DEP).expect("state"), Some(state("fp-4", &[])));
}

/// A snapshot the size of the real lists is replaced in one commit.
/// The deployment whose baseline the checks move.
const DEP: &str = "prod";

/// Each deployment has a baseline of its own: committing one never moves
/// or blocks another's.
pub(super) fn list_state_per_deployment(s: &dyn Store) {
    assert!(s.commit_list_change("dep-a", None, &state("fp-a1", &[("ofac-1", "s1")]), &[]).expect("a"));
    assert_eq!(s.list_state("dep-b").expect("state"), None, "another deployment has no baseline yet");
    assert!(s.commit_list_change("dep-b", None, &state("fp-b1", &[("un-1", "u1")]), &[]).expect("b"));
    assert!(!s.commit_list_change("dep-b", Some("fp-a1"), &state("fp-b2", &[]), &[]).expect("b on a's"));
    assert!(s.commit_list_change("dep-a", Some("fp-a1"), &state("fp-a2", &[("ofac-2", "s2")]), &[]).expect("a2"));
    let a = s.list_state("dep-a").expect("state").expect("a");
    let b = s.list_state("dep-b").expect("state").expect("b");
    assert_eq!((a.fingerprint.as_str(), b.fingerprint.as_str()), ("fp-a2", "fp-b1"));
    assert_eq!(a.entities, vec![("ofac-2".to_string(), "s2".to_string())]);
    assert_eq!(b.entities, vec![("un-1".to_string(), "u1".to_string())], "b's entries untouched");
}

pub(super) fn list_state_large(s: &dyn Store) {
    let entities: Vec<(String, String)> = (0..40_000).map(|i| (format!("ofac-{i:06}"), format!("sig-{i}"))).collect();
    let first = ListState { entities: entities.clone(), ..state("fp-big-1", &[]) };
    let started = std::time::Instant::now();
    assert!(s.commit_list_change(DEP, None, &first, &[]).expect("commit 40,000"));
    eprintln!("{}: 40,000-entry snapshot committed in {:?}", s.backend(), started.elapsed());
    let mut second = ListState { entities, ..state("fp-big-2", &[]) };
    second.entities.truncate(39_000);
    second.entities[0].1 = "changed".into();
    let started = std::time::Instant::now();
    assert!(s.commit_list_change(DEP, Some("fp-big-1"), &second, &[]).expect("replace 40,000"));
    eprintln!("{}: 40,000-entry snapshot replaced in {:?}", s.backend(), started.elapsed());
    assert_eq!(s.list_state(DEP).expect("state"), Some(second));
}

/// Alerts: filters, paging, and the delivery state summed from attempts.
pub(super) fn alerts_and_deliveries(s: &dyn Store) {
    let alerts = [
        alert("al-1", "cust-1", "ofac-1", 1_000),
        alert("al-2", "cust-2", "ofac-1", 2_000),
        alert("al-3", "cust-1", "ofac-2", 3_000),
        alert("al-4", "cust-3", "ofac-3", 4_000),
    ];
    assert!(s.commit_list_change(DEP, None, &state("fp-a", &[]), &alerts[..2]).expect("commit"));
    assert!(s.commit_list_change(DEP, Some("fp-a"), &state("fp-b", &[]), &alerts[2..]).expect("commit"));
    let ids = |f: AlertFilter| -> Vec<String> {
        let mut f = AlertFilter { limit: 3, after: None, ..f };
        let mut out = Vec::new();
        loop {
            let page = s.alerts(&f).expect("alerts");
            out.extend(page.alerts.into_iter().map(|a| a.alert.id));
            match page.next {
                Some(n) => f.after = Some(n),
                None => return out,
            }
        }
    };
    let f = AlertFilter::default;
    assert_eq!(ids(f()), ["al-1", "al-2", "al-3", "al-4"]);
    assert_eq!(ids(AlertFilter { reference: Some("cust-1".into()), ..f() }), ["al-1", "al-3"]);
    assert_eq!(ids(AlertFilter { entity_id: Some("ofac-1".into()), ..f() }), ["al-1", "al-2"]);
    assert_eq!(ids(AlertFilter { from: Some(2_000), to: Some(4_000), ..f() }), ["al-2", "al-3"]);
    assert_eq!(
        ids(AlertFilter { reference: Some("cust-1".into()), entity_id: Some("ofac-2".into()), ..f() }),
        ["al-3"]
    );
    let page = s.alerts(&AlertFilter { limit: 2, ..f() }).expect("page");
    assert_eq!(page.alerts.len(), 2);
    assert_eq!(page.next, Some(page.alerts[1].seq));
    assert!(page.alerts[0].seq < page.alerts[1].seq);
    let rest = s.alerts(&AlertFilter { limit: 2, after: page.next, ..f() }).expect("page 2");
    assert_eq!(rest.alerts.iter().map(|a| a.alert.id.as_str()).collect::<Vec<_>>(), ["al-3", "al-4"]);
    assert!(s.alerts(&AlertFilter { limit: 0, ..f() }).expect("limit 0").alerts.is_empty());
    assert_eq!(ids(AlertFilter { newest_first: true, ..f() }), ["al-4", "al-3", "al-2", "al-1"]);

    // al-1: failed twice, then delivered. al-2: failed once. al-3 delivered
    // at once. al-4 never tried.
    s.record_delivery(&attempt("al-1", 5_000, false)).expect("attempt");
    s.record_delivery(&DeliveryAttempt {
        status: None,
        error: Some("connection refused".into()),
        ..attempt("al-1", 6_000, false)
    })
    .expect("attempt");
    s.record_delivery(&attempt("al-2", 6_500, false)).expect("attempt");
    s.record_delivery(&attempt("al-3", 6_600, true)).expect("attempt");
    let state_of = |id: &str| -> DeliveryState {
        let all = s.alerts(&AlertFilter { limit: 100, ..f() }).expect("alerts");
        all.alerts.into_iter().find(|a| a.alert.id == id).expect("alert").delivery
    };
    assert_eq!(
        state_of("al-1"),
        DeliveryState {
            attempts: 2,
            last_attempt_at: Some(6_000),
            delivered_at: None,
            last_error: Some("connection refused".into())
        }
    );
    assert_eq!(ids(AlertFilter { undelivered: true, ..f() }), ["al-1", "al-2", "al-4"]);
    s.record_delivery(&attempt("al-1", 7_000, true)).expect("attempt");
    assert_eq!(
        state_of("al-1"),
        DeliveryState { attempts: 3, last_attempt_at: Some(7_000), delivered_at: Some(7_000), last_error: None }
    );
    assert_eq!(
        state_of("al-2"),
        DeliveryState {
            attempts: 1,
            last_attempt_at: Some(6_500),
            delivered_at: None,
            last_error: Some("HTTP 503 at 6500".into())
        }
    );
    assert_eq!(
        state_of("al-3"),
        DeliveryState { attempts: 1, last_attempt_at: Some(6_600), delivered_at: Some(6_600), last_error: None }
    );
    assert_eq!(state_of("al-4"), DeliveryState::default());
    assert_eq!(ids(AlertFilter { undelivered: true, ..f() }), ["al-2", "al-4"]);
    assert_eq!(ids(AlertFilter { undelivered: true, reference: Some("cust-3".into()), ..f() }), ["al-4"]);
    // Paging over undelivered alerts.
    let page = s.alerts(&AlertFilter { undelivered: true, limit: 1, ..f() }).expect("page");
    assert_eq!(page.alerts[0].alert.id, "al-2");
    let page = s.alerts(&AlertFilter { undelivered: true, limit: 1, after: page.next, ..f() }).expect("page");
    assert_eq!(page.alerts[0].alert.id, "al-4");

    // A delivery attempt for an unknown alert is an error, not a panic.
    assert!(s.record_delivery(&attempt("al-404", 1, true)).is_err());
    // A duplicate alert id fails the commit, which writes nothing.
    assert!(s.commit_list_change(DEP, Some("fp-b"), &state("fp-c", &[("x", "y")]), &[alerts[0].clone()]).is_err());
    assert_eq!(s.list_state(DEP).expect("state").map(|st| st.fingerprint), Some("fp-b".to_string()));
}

/// Two instances committing the same change at once: exactly one wins.
pub(super) fn list_commit_race(a: &dyn Store, b: &dyn Store) {
    for round in 0..5 {
        let expected = (round > 0).then(|| format!("race-{}", round - 1));
        let new = state(&format!("race-{round}"), &[("ofac-1", "s1"), ("ofac-2", "s2")]);
        let alerts_a = [alert(&format!("race-a-{round}"), "cust", "ofac-1", round)];
        let alerts_b = [alert(&format!("race-b-{round}"), "cust", "ofac-1", round)];
        let barrier = std::sync::Barrier::new(2);
        let (ra, rb) = std::thread::scope(|scope| {
            let ta = scope.spawn(|| {
                barrier.wait();
                a.commit_list_change(DEP, expected.as_deref(), &new, &alerts_a)
            });
            let tb = scope.spawn(|| {
                barrier.wait();
                b.commit_list_change(DEP, expected.as_deref(), &new, &alerts_b)
            });
            (ta.join().expect("thread a"), tb.join().expect("thread b"))
        });
        let (ra, rb) = (ra.expect("commit a"), rb.expect("commit b"));
        assert!(ra ^ rb, "round {round}: exactly one commit wins (a {ra}, b {rb})");
    }
    let all = a.alerts(&AlertFilter { limit: 100, ..AlertFilter::default() }).expect("alerts");
    assert_eq!(all.alerts.len(), 5, "one alert per round");
    assert_eq!(b.list_state(DEP).expect("state").map(|s| s.fingerprint), Some("race-4".to_string()));
}

/// `check` passes on a healthy database.
pub(super) fn check_passes(s: &dyn Store) {
    s.check().expect("check");
    s.append_audit(&[record("chk", 1)]).expect("append");
    s.check().expect("check after a write");
    assert!(["sqlite", "postgres"].contains(&s.backend()));
}

/// Readers and the writer used from many threads at once.
pub(super) fn concurrent_use(s: &dyn Store) {
    std::thread::scope(|scope| {
        for t in 0..4 {
            scope.spawn(move || {
                for i in 0..20 {
                    let batch: Vec<AuditRecord> =
                        (0..10).map(|j| record(&format!("t{t}/{i}/{j}"), (t * 1000 + i) as Millis)).collect();
                    s.append_audit(&batch).expect("append");
                    s.audit(&AuditFilter { limit: 5, ..AuditFilter::default() }).expect("read");
                }
            });
        }
    });
    let all = all_audit(s, AuditFilter::default());
    assert_eq!(all.len(), 800);
    let unique: BTreeSet<&str> = all.iter().map(|r| r.uid.as_str()).collect();
    assert_eq!(unique.len(), 800);
}

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        /// Every check against a fresh SQLite file.
        mod sqlite {
            $(
                #[test]
                fn $name() {
                    let (_dir, store) = super::sqlite_store();
                    super::$name(&store);
                }
            )*

            #[test]
            fn append_only() {
                let (_dir, store) = super::sqlite_store();
                super::append_only(&store, &|sql| store.execute_raw(sql));
            }

            #[test]
            fn tamper_evident() {
                let (_dir, store) = super::sqlite_store();
                super::tamper_evident(&store, &|sql| store.execute_raw(sql));
            }

            #[test]
            fn list_commit_race() {
                let (dir, a) = super::sqlite_store();
                let b = crate::record::store::sqlite::SqliteStore::open(&dir.path().join("audit.db")).expect("open again");
                super::list_commit_race(&a, &b);
            }

            #[test]
            fn list_sets_across_instances() {
                let (dir, a) = super::sqlite_store();
                let b = crate::record::store::sqlite::SqliteStore::open(&dir.path().join("audit.db")).expect("open again");
                super::list_sets_across_instances(&a, &b);
            }

            #[test]
            fn upgrade_from_v1() {
                use crate::record::store::sqlite;
                let dir = tempfile::tempdir().expect("temp dir");
                let path = dir.path().join("audit.db");
                let create_v1 = |sql: &str| {
                    let mut conn = rusqlite::Connection::open(&path).expect("create");
                    sqlite::migrate(&mut conn, 1).expect("migration 1");
                    conn.execute_batch(sql).expect("records written by migration 1's code");
                };
                super::upgrade_from_v1(&create_v1, &|| Box::new(sqlite::SqliteStore::open(&path).expect("open")));
            }
        }

        /// Every check against a fresh PostgreSQL schema, when there is a
        /// server to test against.
        mod postgres {
            $(
                #[test]
                fn $name() {
                    super::with_postgres(|store, _| super::$name(store));
                }
            )*

            #[test]
            fn append_only() {
                super::with_postgres(|store, _| super::append_only(store, &|sql| store.execute_raw(sql)));
            }

            #[test]
            fn tamper_evident() {
                super::with_postgres(|store, _| super::tamper_evident(store, &|sql| store.execute_raw(sql)));
            }

            #[test]
            fn list_commit_race() {
                super::with_postgres(|a, url| {
                    let b = crate::record::store::postgres::PostgresStore::connect(url).expect("connect again");
                    super::list_commit_race(a, &b);
                });
            }

            #[test]
            fn list_sets_across_instances() {
                super::with_postgres(|a, url| {
                    let b = crate::record::store::postgres::PostgresStore::connect(url).expect("connect again");
                    super::list_sets_across_instances(a, &b);
                });
            }

            #[test]
            fn upgrade_from_v1() {
                use crate::record::store::postgres;
                let Some(url) = postgres::test_url() else {
                    eprintln!("skipped: CARTELSCREEN_TEST_POSTGRES_URL is not set (see .ci/postgres.sh)");
                    return;
                };
                let create_v1 = |sql: &str| {
                    let config: ::postgres::Config = url.parse().expect("parse");
                    let mut client = config.connect(::postgres::NoTls).expect("connect");
                    postgres::migrate(&mut client, 1).expect("migration 1");
                    client.batch_execute(sql).expect("records written by migration 1's code");
                };
                super::upgrade_from_v1(&create_v1, &|| {
                    Box::new(postgres::PostgresStore::connect(&url).expect("connect"))
                });
                super::drop_fresh_schema(&url).expect("drop the test schema");
            }
        }
    };
}

conformance!(
    audit_filters,
    list_sets,
    audit_paging,
    audit_batch_atomic,
    audit_purge,
    audit_large_batch,
    odd_values,
    dispositions,
    monitoring,
    list_state,
    list_state_per_deployment,
    list_state_large,
    alerts_and_deliveries,
    check_passes,
    concurrent_use,
);

fn sqlite_store() -> (tempfile::TempDir, crate::record::store::sqlite::SqliteStore) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = crate::record::store::sqlite::SqliteStore::open(&dir.path().join("audit.db")).expect("open sqlite");
    (dir, store)
}

/// Drops the schema a [`crate::record::store::postgres::test_url`] URL
/// points at (only a `cs_test_` one).
fn drop_fresh_schema(url: &str) -> Result<(), StoreError> {
    let config: ::postgres::Config = url.parse()?;
    let mut client = config.connect(::postgres::NoTls)?;
    let schema: Option<String> = client.query_one("SELECT current_schema()", &[])?.try_get(0)?;
    if let Some(schema) =
        schema.filter(|s| s.starts_with("cs_test_") && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
    {
        client.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))?;
    }
    Ok(())
}

/// Runs `f` on a store in a fresh schema and drops the schema after (left
/// in place when `f` panics, to look at).
fn with_postgres(f: impl FnOnce(&crate::record::store::postgres::PostgresStore, &str)) {
    let Some(url) = crate::record::store::postgres::test_url() else {
        eprintln!("skipped: CARTELSCREEN_TEST_POSTGRES_URL is not set (see .ci/postgres.sh)");
        return;
    };
    let store = crate::record::store::postgres::PostgresStore::connect(&url).expect("connect to PostgreSQL");
    f(&store, &url);
    drop(store);
    drop_fresh_schema(&url).expect("drop the test schema");
}

/// Reopening the file keeps everything and applies no migration again.
#[test]
fn sqlite_reopen_keeps_data_and_migrations() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("nested").join("deeper").join("audit.db");
    let mut r = record("keep-me", 1);
    r.hits = vec![hit("ofac-1", 0.9)];
    let d = disposition("disp-keep", 1);
    let migrations = {
        let s = crate::record::store::sqlite::SqliteStore::open(&path).expect("open (creating folders)");
        s.append_audit(&[r.clone()]).expect("append");
        s.add_disposition(&d).expect("add");
        s.put_monitored(&[monitored("m1", 1, "m1")]).expect("put");
        assert!(s.commit_list_change(DEP, None, &state("fp", &[("a", "b")]), &[]).expect("commit"));
        s.applied_migrations().expect("migrations")
    };
    let versions: Vec<i64> = crate::record::store::schema::MIGRATIONS.iter().map(|m| m.version).collect();
    assert_eq!(migrations.iter().map(|m| m.0).collect::<Vec<_>>(), versions);
    std::thread::sleep(std::time::Duration::from_millis(5));
    let s = crate::record::store::sqlite::SqliteStore::open(&path).expect("reopen");
    assert_eq!(s.applied_migrations().expect("migrations"), migrations, "no migration runs twice");
    s.check().expect("check");
    let got = all_audit(&s, AuditFilter::default());
    assert_eq!(got, vec![AuditRecord { seq: got[0].seq, hash: got[0].hash.clone(), ..r }]);
    assert_eq!(s.dispositions().expect("dispositions"), vec![d]);
    assert_eq!(s.monitored_count().expect("count"), 1);
    assert_eq!(s.list_state(DEP).expect("state").map(|st| st.fingerprint), Some("fp".to_string()));
    assert_eq!(s.backend(), "sqlite");
}

/// The file is in WAL mode, synchronous FULL, and a reader is not held up
/// by another process's open write transaction.
#[test]
fn sqlite_wal_readers_do_not_wait_for_writers() {
    let (dir, s) = sqlite_store();
    s.append_audit(&[record("r1", 1)]).expect("append");
    let other = rusqlite::Connection::open(dir.path().join("audit.db")).expect("second connection");
    let mode: String = other.query_row("PRAGMA journal_mode", [], |r| r.get(0)).expect("journal mode");
    assert_eq!(mode.to_ascii_lowercase(), "wal");
    other.execute_batch("BEGIN IMMEDIATE; DELETE FROM monitored;").expect("hold the write lock");
    let started = std::time::Instant::now();
    assert_eq!(query(&s, AuditFilter::default()), ["r1"]);
    s.check().expect("check");
    assert!(started.elapsed() < std::time::Duration::from_secs(2), "the reader waited for the writer");
    other.execute_batch("ROLLBACK").expect("rollback");
    s.append_audit(&[record("r2", 2)]).expect("append after the lock is released");
}

/// The filters of `/v1/audit` that must stay fast on a long trail are
/// served by an index (SQLite's plans; PostgreSQL plans by its statistics).
#[test]
fn sqlite_filters_use_their_indexes() {
    use crate::record::store::{dialect::Dialect, sql::audit_query};
    let (dir, _store) = sqlite_store();
    let conn = rusqlite::Connection::open(dir.path().join("audit.db")).expect("connection");
    let plan = |filter: AuditFilter| -> String {
        let query = audit_query(Dialect::Sqlite, &filter);
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {}", query.sql)).expect("explain");
        let steps = stmt.query_map(rusqlite::params_from_iter(&query.params), |r| r.get::<_, String>(3)).expect("plan");
        steps.collect::<Result<Vec<_>, _>>().expect("plan").join(" | ")
    };
    let f = || AuditFilter { limit: 100, ..AuditFilter::default() };
    let text = |s: &str| Some(s.to_string());
    for (filter, index) in [
        (AuditFilter { reference: text("cust-1"), ..f() }, "INDEX audit_records_reference (reference=?)"),
        (AuditFilter { request_id: text("req-1"), ..f() }, "INDEX audit_records_request_id (request_id=?)"),
        (AuditFilter { decision: text("block"), ..f() }, "INDEX audit_records_decision (decision=?)"),
        (AuditFilter { decision: text("review"), after: Some(10), ..f() }, "INDEX audit_records_decision (decision=?"),
        // The entity's hits first, then their records by uid: never the
        // trail read record by record from the cursor.
        (AuditFilter { entity_id: text("ofac-1"), ..f() }, "INDEX audit_hits_entity_id (entity_id=?)"),
        (
            AuditFilter { entity_id: text("ofac-1"), after: Some(10), ..f() },
            "INDEX sqlite_autoindex_audit_records_1 (uid=?",
        ),
        (AuditFilter { from: Some(1), to: Some(2), ..f() }, "INDEX audit_records_at (at>? AND at<?)"),
        (
            AuditFilter { from: Some(1), to: Some(2), caller: text("key_a"), ..f() },
            "INDEX audit_records_at (at>? AND at<?)",
        ),
        (AuditFilter { after: Some(10), ..f() }, "INTEGER PRIMARY KEY (rowid>?)"),
    ] {
        let plan = plan(filter.clone());
        assert!(plan.contains(index), "{filter:?}: {plan}");
    }
}

/// A file that is not a database is an error, never a panic.
#[test]
fn sqlite_open_refuses_a_non_database() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("audit.db");
    std::fs::write(&path, vec![0x42u8; 8192]).expect("write garbage");
    assert!(crate::record::store::sqlite::SqliteStore::open(&path).is_err());
}

/// The test URL's `options` reach the server: the connection's schema is
/// the fresh one, and it starts empty.
#[test]
fn postgres_fresh_schema_is_isolated() {
    let Some(url) = crate::record::store::postgres::test_url() else {
        eprintln!("skipped: CARTELSCREEN_TEST_POSTGRES_URL is not set");
        return;
    };
    let config: ::postgres::Config = url.parse().expect("parse");
    let mut client = config.connect(::postgres::NoTls).expect("connect");
    let schema: String = client.query_one("SELECT current_schema()", &[]).expect("query").get(0);
    assert!(schema.starts_with("cs_test_") && schema.len() == "cs_test_".len() + 16, "{schema}");
    let store = crate::record::store::postgres::PostgresStore::connect(&url).expect("connect");
    let tables: i64 = client
        .query_one("SELECT count(*) FROM information_schema.tables WHERE table_schema = $1", &[&schema])
        .expect("tables")
        .get(0);
    assert!(tables >= 10, "the store's tables are in the fresh schema ({tables})");
    let migrations = store.applied_migrations().expect("migrations");
    assert_eq!(migrations.len(), crate::record::store::schema::MIGRATIONS.len());
    drop(store);
    // Connecting again migrates nothing.
    let again = crate::record::store::postgres::PostgresStore::connect(&url).expect("connect again");
    assert_eq!(again.applied_migrations().expect("migrations"), migrations);
    drop(again);
    drop(client);
    drop_fresh_schema(&url).expect("drop");
}

/// A connection the server closed is opened again: before its next use
/// when it was quiet, and right after the one call that found it closed
/// when it was busy.
#[test]
fn postgres_reconnects_after_the_server_closes_the_connection() {
    with_postgres(|store, url| {
        let config: ::postgres::Config = url.parse().expect("parse");
        let mut admin = config.connect(::postgres::NoTls).expect("connect");
        let mut terminate = |store: &crate::record::store::postgres::PostgresStore| {
            let (writer, reader) = store.backend_pids().expect("pids");
            for pid in [writer, reader] {
                let ended: bool =
                    admin.query_one("SELECT pg_terminate_backend($1)", &[&pid]).expect("terminate").get(0);
                assert!(ended);
            }
            (writer, reader)
        };

        // Quiet: the next calls find out before running anything.
        store.append_audit(&[record("before", 1)]).expect("append");
        let (writer, reader) = terminate(store);
        std::thread::sleep(std::time::Duration::from_millis(1_200));
        store.append_audit(&[record("after", 2)]).expect("append after reconnecting");
        assert_eq!(query(store, AuditFilter::default()), ["before", "after"]);
        let (w2, r2) = store.backend_pids().expect("pids");
        assert!(w2 != writer && r2 != reader, "new sessions");

        // Busy: one call may fail; the one after it reconnects.
        terminate(store);
        std::thread::sleep(std::time::Duration::from_millis(50));
        let _ = store.append_audit(&[record("maybe", 3)]);
        let _ = store.check();
        store.append_audit(&[record("surely", 4)]).expect("append after a failed call");
        store.check().expect("check after a failed call");
        let uids = query(store, AuditFilter::default());
        assert_eq!(uids.last().map(String::as_str), Some("surely"));
    });
}

#[test]
fn postgres_search_path_option_is_appended_to_any_url_form() {
    use crate::record::store::postgres::with_search_path;
    assert_eq!(
        with_search_path("postgres://u:p@h/db", "cs_test_x"),
        "postgres://u:p@h/db?options=-csearch_path%3Dcs_test_x"
    );
    assert_eq!(
        with_search_path("postgresql://u@h:5433/db?sslmode=disable", "cs_test_x"),
        "postgresql://u@h:5433/db?sslmode=disable&options=-csearch_path%3Dcs_test_x"
    );
    assert_eq!(with_search_path("host=h dbname=db", "cs_test_x"), "host=h dbname=db options=-csearch_path=cs_test_x");
    for url in [
        with_search_path("postgres://u:p@h/db", "cs_test_x"),
        with_search_path("postgres://u:p@h/db?application_name=t", "cs_test_x"),
        with_search_path("host=h user=u dbname=db", "cs_test_x"),
    ] {
        let config: ::postgres::Config = url.parse().expect("parse");
        assert_eq!(config.get_options(), Some("-csearch_path=cs_test_x"), "{url}");
    }
}
