//! What an `append_audit` costs on SQLite, measured: not run by default.
//!
//! ```text
//! cargo test --release --lib -- --ignored --nocapture append_audit_cost
//! ```
//!
//! A trail of [`PREFILL`] records is written first (so the indexes are
//! B-trees of a realistic depth, not a page or two), then [`BATCHES`]
//! batches of [`BATCH`] records, as the audit writer's group commit hands
//! them over: one record per `/v1/screen` request (time-ordered UUID v7
//! request ids, one API key), a reference on one record in four, 0 hits on
//! seven in ten and 1 or 2 hits on the rest, the list versions of five
//! datasets. Per record, it prints:
//!
//! - the median and 90th percentile of a batch's wall time (fsync
//!   included), in microseconds;
//! - the median CPU time the writing thread spent on a batch, in
//!   microseconds (`/proc/thread-self/schedstat`: unlike wall time, it is
//!   not inflated when other processes share the cores);
//! - the bytes the writing thread wrote, which are the WAL frames its
//!   commits appended (`/proc/thread-self/io`);
//! - the bytes the whole process wrote, the WAL plus the checkpoints that
//!   copy its pages into the database file (the background checkpointer's
//!   and a last one after the batches): this varies with when the
//!   checkpoints fall;
//! - the size of the database file;
//! - the median time of a page of the records that hit one rare entity
//!   (the `entity_id` filter of `GET /v1/audit`), in milliseconds.
//!
//! `CARTELSCREEN_BENCH_DROP_INDEXES=audit_hits_entity_id,audit_records_at`
//! (names from `store/schema.rs`) drops those indexes after the prefill, to
//! measure what each costs a write.

use std::time::{Duration, Instant};

use serde_json::json;

use super::*;

/// Records written before measuring.
const PREFILL: usize = 100_000;
/// Batches measured.
const BATCHES: usize = 50;
/// Records per batch.
const BATCH: usize = 32;

/// The bytes written so far (`wchar`) by the calling thread
/// (`/proc/thread-self/io`) or by the process (`/proc/self/io`), or 0 where
/// there is no such file.
fn written_bytes(io: &str) -> u64 {
    std::fs::read_to_string(io)
        .ok()
        .and_then(|io| io.lines().find_map(|l| l.strip_prefix("wchar:").and_then(|v| v.trim().parse().ok())))
        .unwrap_or(0)
}

/// Nanoseconds the calling thread has run on a CPU (user and kernel), or 0
/// where the kernel does not say.
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// A small deterministic generator (xorshift), so every run writes the same
/// records.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn versions() -> Arc<ListSet> {
    let datasets = ["ofac_sdn", "ofac_consolidated", "un_sc", "eu_fsf", "cartels"];
    let versions: Vec<serde_json::Value> = datasets
        .iter()
        .enumerate()
        .map(|(i, d)| {
            json!({
                "dataset": d,
                "sha256": format!("{:064x}", 0x5eed_u64.wrapping_mul(i as u64 + 7)),
                "published": "2026-02-27",
            })
        })
        .collect();
    Arc::new(ListSet::new(serde_json::Value::Array(versions)))
}

fn screening(rng: &mut Rng, lists: &Arc<ListSet>) -> AuditRecord {
    let request_id = uuid::Uuid::now_v7().to_string();
    let hits: Vec<AuditHit> = match rng.below(10) {
        0..=6 => Vec::new(),
        7 | 8 => vec![bench_hit(rng)],
        _ => vec![bench_hit(rng), bench_hit(rng)],
    };
    let decision = match hits.iter().map(|h| h.score).fold(0.0, f64::max) {
        s if s >= 0.9 => "block",
        s if s > 0.0 => "review",
        _ => "clear",
    };
    AuditRecord {
        seq: None,
        hash: None,
        uid: request_id.clone(),
        at: now_millis(),
        kind: "screening".to_string(),
        channel: "api".to_string(),
        request_id,
        caller: "key_bench".to_string(),
        item: None,
        reference: (rng.below(4) == 0).then(|| format!("cust-{:016x}", rng.next())),
        subject: json!({
            "name": format!("Persona Generada {:08x}", rng.next() as u32),
            "type": "person",
            "country": "MX",
            "dob": "1978-04-12",
            "identifiers": [format!("curp:GEPE780412HDF{:05}", rng.below(100_000))],
        }),
        lists: lists.clone(),
        engine_version: "0.1.0".to_string(),
        config_hash: "9f2c4e1a7b3d5f60819a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7a8".to_string(),
        decision: Some(decision.to_string()),
        flags: if hits.is_empty() { Vec::new() } else { vec!["name_only".to_string()] },
        hits,
    }
}

fn bench_hit(rng: &mut Rng) -> AuditHit {
    let score = 0.8 + rng.below(20) as f64 / 100.0;
    AuditHit {
        entity_id: format!("ofac-{}", rng.below(16_362)),
        list: "ofac_sdn".to_string(),
        score,
        decision: if score >= 0.9 { "block" } else { "review" }.to_string(),
        flags: vec!["cartel_network".to_string()],
    }
}

/// Copies the WAL into the database and empties it, so that what is
/// measured next starts from nothing.
fn checkpoint(path: &std::path::Path) {
    let conn = rusqlite::Connection::open(path).expect("open for a checkpoint");
    conn.busy_timeout(Duration::from_secs(5)).expect("busy timeout");
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).expect("checkpoint");
}

#[test]
#[ignore = "a measurement: run it with --release --ignored --nocapture"]
fn append_audit_cost() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("audit.db");
    let store = sqlite::SqliteStore::open(&path).expect("open");
    let lists = versions();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);

    for _ in 0..PREFILL / 1_000 {
        let batch: Vec<AuditRecord> = (0..1_000).map(|_| screening(&mut rng, &lists)).collect();
        store.append_audit(&batch).expect("prefill");
    }
    checkpoint(&path);
    if let Ok(indexes) = std::env::var("CARTELSCREEN_BENCH_DROP_INDEXES") {
        let conn = rusqlite::Connection::open(&path).expect("open to drop indexes");
        for index in indexes.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            conn.execute_batch(&format!("DROP INDEX {index}")).expect("an index of the schema");
        }
    }

    let batches: Vec<Vec<AuditRecord>> =
        (0..BATCHES).map(|_| (0..BATCH).map(|_| screening(&mut rng, &lists)).collect()).collect();
    let measured = (BATCHES * BATCH) as f64;
    let (process_written, thread_written) = (written_bytes("/proc/self/io"), written_bytes("/proc/thread-self/io"));
    let mut wall: Vec<f64> = Vec::with_capacity(BATCHES);
    let mut cpu: Vec<f64> = Vec::with_capacity(BATCHES);
    for batch in &batches {
        let (started, cpu_started) = (Instant::now(), thread_cpu_ns());
        store.append_audit(batch).expect("append");
        cpu.push(thread_cpu_ns().saturating_sub(cpu_started) as f64 / 1e3 / BATCH as f64);
        wall.push(started.elapsed().as_secs_f64() * 1e6 / BATCH as f64);
    }
    let wal = written_bytes("/proc/thread-self/io").saturating_sub(thread_written) as f64 / measured;
    checkpoint(&path);
    let all = written_bytes("/proc/self/io").saturating_sub(process_written) as f64 / measured;

    // A rare entity's screenings (its hits are among the prefill's), by
    // the `entity_id` filter of `GET /v1/audit`.
    let mut lookup: Vec<f64> = (0..5)
        .map(|_| {
            let started = Instant::now();
            let filter = AuditFilter { entity_id: Some("ofac-123".into()), limit: 50, ..AuditFilter::default() };
            store.audit(&filter).expect("entity filter");
            started.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    let entity_ms = median(&mut lookup);
    let median_wall = median(&mut wall);
    let p90 = wall[wall.len() * 9 / 10];
    let median_cpu = median(&mut cpu);
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) as f64 / (PREFILL + BATCHES * BATCH) as f64;
    eprintln!(
        "append_audit, SQLite, {BATCHES} batches of {BATCH} after {PREFILL} records, per record: wall median \
         {median_wall:.1} µs (p90 {p90:.1}); CPU of the writing thread median {median_cpu:.1} µs; WAL {wal:.0} \
         bytes; written by the process with checkpoints {all:.0} bytes; database file {size:.0} bytes; a rare \
         entity's page of records {entity_ms:.2} ms"
    );
}
