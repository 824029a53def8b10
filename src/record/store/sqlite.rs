//! The embedded SQLite store: one file in WAL mode, for a single instance
//! (and the command line beside it).
//!
//! Two connections, each behind its own lock: the writer, which every
//! change goes through, and the reader, which in WAL mode reads the last
//! committed state without waiting for a write in progress. Commits are
//! `synchronous = FULL`: an acknowledged record survives a power cut. The
//! CLI and the server may open the same file at once; a `busy_timeout` of
//! five seconds lets one wait for the other's transaction.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::types::{Type, ValueRef};
use rusqlite::{params, Connection, OptionalExtension, Row, ToSql, TransactionBehavior};
use serde::de::DeserializeOwned;

use super::*;

/// How long a connection waits for another's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Statements kept prepared per connection (the fixed ones plus the filter
/// combinations of `audit` and `alerts` actually used).
const STATEMENT_CACHE: usize = 128;

/// The schema, in order. A version is applied once, in its own transaction,
/// and recorded in `schema_migrations`; a later release appends migration 2
/// and never edits an applied one.
const MIGRATIONS: &[(i64, &str)] = &[(1, SCHEMA_V1)];

const SCHEMA_V1: &str = r#"
CREATE TABLE audit_records (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    uid TEXT NOT NULL UNIQUE,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    request_id TEXT NOT NULL,
    caller TEXT NOT NULL,
    item INTEGER,
    reference TEXT,
    subject TEXT NOT NULL,
    lists TEXT NOT NULL,
    engine_version TEXT NOT NULL,
    config_hash TEXT NOT NULL,
    decision TEXT,
    flags TEXT NOT NULL
);
CREATE INDEX audit_records_at ON audit_records (at);
CREATE INDEX audit_records_reference ON audit_records (reference);
CREATE INDEX audit_records_request_id ON audit_records (request_id);
CREATE INDEX audit_records_decision ON audit_records (decision);
CREATE INDEX audit_records_caller ON audit_records (caller);

CREATE TABLE audit_hits (
    record_uid TEXT NOT NULL REFERENCES audit_records (uid),
    ord INTEGER NOT NULL,
    entity_id TEXT NOT NULL,
    list TEXT NOT NULL,
    score REAL,
    decision TEXT NOT NULL,
    flags TEXT NOT NULL,
    PRIMARY KEY (record_uid, ord)
);
CREATE INDEX audit_hits_entity_id ON audit_hits (entity_id);

CREATE TABLE dispositions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    recorded_at INTEGER NOT NULL,
    counterparty_key TEXT NOT NULL,
    reference TEXT,
    name TEXT,
    identifiers TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    entity_signature TEXT NOT NULL,
    verdict TEXT NOT NULL,
    reason TEXT NOT NULL,
    analyst TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    expires_at INTEGER
);

CREATE TABLE disposition_revocations (
    disposition_id TEXT PRIMARY KEY REFERENCES dispositions (id),
    at INTEGER NOT NULL,
    revoked_by TEXT NOT NULL,
    reason TEXT NOT NULL
);

CREATE TABLE monitored (
    reference TEXT PRIMARY KEY,
    registered_at INTEGER NOT NULL,
    registered_by TEXT NOT NULL,
    counterparty TEXT NOT NULL
);

CREATE TABLE list_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT NOT NULL,
    versions TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE list_snapshot (
    entity_id TEXT PRIMARY KEY,
    signature TEXT NOT NULL
);

CREATE TABLE alerts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    reference TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    list TEXT NOT NULL,
    caption TEXT NOT NULL,
    score REAL,
    decision TEXT NOT NULL,
    flags TEXT NOT NULL,
    change TEXT NOT NULL,
    changed TEXT NOT NULL,
    from_lists TEXT NOT NULL,
    to_lists TEXT NOT NULL
);
CREATE INDEX alerts_created_at ON alerts (created_at);
CREATE INDEX alerts_reference ON alerts (reference);
CREATE INDEX alerts_entity_id ON alerts (entity_id);

CREATE TABLE delivery_attempts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id TEXT NOT NULL REFERENCES alerts (id),
    at INTEGER NOT NULL,
    delivered INTEGER NOT NULL,
    status INTEGER,
    error TEXT
);
CREATE INDEX delivery_attempts_alert_id ON delivery_attempts (alert_id);

CREATE TRIGGER audit_records_append_only BEFORE UPDATE ON audit_records
BEGIN SELECT RAISE(ABORT, 'audit_records is append-only'); END;
CREATE TRIGGER audit_hits_append_only BEFORE UPDATE ON audit_hits
BEGIN SELECT RAISE(ABORT, 'audit_hits is append-only'); END;
CREATE TRIGGER delivery_attempts_append_only BEFORE UPDATE ON delivery_attempts
BEGIN SELECT RAISE(ABORT, 'delivery_attempts is append-only'); END;
CREATE TRIGGER dispositions_append_only BEFORE UPDATE ON dispositions
BEGIN SELECT RAISE(ABORT, 'dispositions is append-only'); END;
CREATE TRIGGER disposition_revocations_append_only BEFORE UPDATE ON disposition_revocations
BEGIN SELECT RAISE(ABORT, 'disposition_revocations is append-only'); END;
"#;

const INSERT_RECORD: &str = "INSERT INTO audit_records \
    (uid, at, kind, channel, request_id, caller, item, reference, subject, lists, engine_version, config_hash, \
    decision, flags) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";

const INSERT_HIT: &str = "INSERT INTO audit_hits (record_uid, ord, entity_id, list, score, decision, flags) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

const SELECT_RECORDS: &str = "SELECT r.seq, r.uid, r.at, r.kind, r.channel, r.request_id, r.caller, r.item, \
    r.reference, r.subject, r.lists, r.engine_version, r.config_hash, r.decision, r.flags FROM audit_records r \
    WHERE 1 = 1";

const SELECT_HITS: &str =
    "SELECT entity_id, list, score, decision, flags FROM audit_hits WHERE record_uid = ?1 ORDER BY ord";

const INSERT_ALERT: &str = "INSERT INTO alerts (id, created_at, reference, entity_id, list, caption, score, \
    decision, flags, change, changed, from_lists, to_lists) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";

const SELECT_ALERTS: &str = "SELECT a.seq, a.id, a.created_at, a.reference, a.entity_id, a.list, a.caption, \
    a.score, a.decision, a.flags, a.change, a.changed, a.from_lists, a.to_lists, \
    (SELECT COUNT(*) FROM delivery_attempts x WHERE x.alert_id = a.id), \
    (SELECT MAX(x.at) FROM delivery_attempts x WHERE x.alert_id = a.id), \
    (SELECT MIN(x.at) FROM delivery_attempts x WHERE x.alert_id = a.id AND x.delivered <> 0), \
    (SELECT x.error FROM delivery_attempts x WHERE x.alert_id = a.id ORDER BY x.at DESC, x.seq DESC LIMIT 1) \
    FROM alerts a WHERE 1 = 1";

/// The SQLite database behind the service.
pub struct SqliteStore {
    path: PathBuf,
    writer: Mutex<Connection>,
    reader: Mutex<Connection>,
    stop_checkpoints: Arc<AtomicBool>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").field("path", &self.path).finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens the database at `path`, creating it (and its folder) and
    /// applying the migrations it lacks.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::Io { path: parent.to_path_buf(), source })?;
        }
        let mut writer = Connection::open(path)?;
        configure(&writer)?;
        let mode: String = writer.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(path = %path.display(), journal_mode = %mode, "SQLite refused WAL mode; readers will wait for writes");
        }
        migrate(&mut writer)?;
        // Checkpoints run on a thread of their own (below), not in the
        // commit of whichever screening crossed the threshold; the automatic
        // one stays, far above, as a backstop.
        writer.pragma_update(None, "wal_autocheckpoint", AUTOCHECKPOINT_PAGES)?;
        let reader = Connection::open(path)?;
        configure(&reader)?;
        reader.pragma_update(None, "query_only", true)?;
        let stop = Arc::new(AtomicBool::new(false));
        spawn_checkpointer(path, stop.clone());
        Ok(SqliteStore {
            path: path.to_path_buf(),
            writer: Mutex::new(writer),
            reader: Mutex::new(reader),
            stop_checkpoints: stop,
        })
    }

    /// The file this store writes.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The migrations applied to this database: `(version, applied_at)`,
    /// by version.
    pub fn applied_migrations(&self) -> Result<Vec<(i64, Millis)>, StoreError> {
        let conn = lock(&self.reader);
        let mut stmt = conn.prepare_cached("SELECT version, applied_at FROM schema_migrations ORDER BY version")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Runs raw SQL on the writer connection; for tests of the schema's
    /// own guarantees (the append-only triggers).
    #[cfg(test)]
    pub(crate) fn execute_raw(&self, sql: &str) -> Result<u64, StoreError> {
        let conn = lock(&self.writer);
        Ok(conn.execute(sql, [])? as u64)
    }
}

/// WAL pages after which a commit checkpoints by itself (the background
/// checkpointer normally gets there long before).
const AUTOCHECKPOINT_PAGES: i64 = 20_000;
/// How often the background checkpointer copies the WAL into the database.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// Copies committed WAL pages into the database file every
/// [`CHECKPOINT_EVERY`], without blocking the writer (`PASSIVE`), until
/// `stop` is set.
fn spawn_checkpointer(path: &Path, stop: Arc<AtomicBool>) {
    let Ok(conn) = Connection::open(path) else { return };
    if configure(&conn).is_err() {
        return;
    }
    let _ = std::thread::Builder::new().name("sqlite-checkpoint".into()).spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            std::thread::sleep(CHECKPOINT_EVERY);
            if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                tracing::warn!(error = %e, "SQLite checkpoint failed; the next one retries");
            }
        }
    });
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        self.stop_checkpoints.store(true, Ordering::Relaxed);
    }
}

/// The settings every connection needs.
fn configure(conn: &Connection) -> Result<(), StoreError> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(())
}

/// Applies the migrations not yet applied, each in its own transaction.
/// `BEGIN IMMEDIATE` makes a second process opening the file at the same
/// time wait, then find the version applied.
fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
    )?;
    for &(version, sql) in MIGRATIONS {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let applied: bool =
            tx.query_row("SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = ?1)", [version], |r| {
                r.get(0)
            })?;
        if !applied {
            tx.execute_batch(sql)?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
                params![version, now_millis()],
            )?;
            tracing::info!(version, "audit database migrated");
        }
        tx.commit()?;
    }
    Ok(())
}

/// A lock that a panic elsewhere does not make unusable: the connection
/// behind it rolled back its transaction when the panicking code unwound.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn json<T: Serialize + ?Sized>(value: &T) -> String {
    // A `serde_json::Value` or a list of strings always serializes.
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_string())
}

fn from_json<T: DeserializeOwned>(row: &Row<'_>, idx: usize) -> rusqlite::Result<T> {
    let text = row.get_ref(idx)?.as_str()?;
    serde_json::from_str(text).map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(e)))
}

/// A score; SQLite stores a NaN as NULL, read back as NaN.
fn score(row: &Row<'_>, idx: usize) -> rusqlite::Result<f64> {
    Ok(match row.get_ref(idx)? {
        ValueRef::Null => f64::NAN,
        v => v.as_f64()?,
    })
}

fn limit_of(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// Appends ` AND <clause>` with its `?` numbered as the next parameter.
fn and<'a>(sql: &mut String, args: &mut Vec<&'a dyn ToSql>, clause: &str, value: &'a dyn ToSql) {
    args.push(value);
    sql.push_str(" AND ");
    sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
}

#[derive(Debug)]
struct BadValue(String);

impl std::fmt::Display for BadValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadValue {}

fn record_of(row: &Row<'_>) -> rusqlite::Result<AuditRecord> {
    Ok(AuditRecord {
        seq: Some(row.get(0)?),
        uid: row.get(1)?,
        at: row.get(2)?,
        kind: row.get(3)?,
        channel: row.get(4)?,
        request_id: row.get(5)?,
        caller: row.get(6)?,
        item: row.get(7)?,
        reference: row.get(8)?,
        subject: from_json(row, 9)?,
        lists: Arc::new(ListSet::new(from_json(row, 10)?)),
        engine_version: row.get(11)?,
        config_hash: row.get(12)?,
        decision: row.get(13)?,
        flags: from_json(row, 14)?,
        hits: Vec::new(),
    })
}

fn hit_of(row: &Row<'_>) -> rusqlite::Result<AuditHit> {
    Ok(AuditHit {
        entity_id: row.get(0)?,
        list: row.get(1)?,
        score: score(row, 2)?,
        decision: row.get(3)?,
        flags: from_json(row, 4)?,
    })
}

fn disposition_of(row: &Row<'_>) -> rusqlite::Result<Disposition> {
    let verdict: String = row.get(8)?;
    let verdict = Verdict::parse(&verdict).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(8, Type::Text, Box::new(BadValue(format!("verdict {verdict:?}"))))
    })?;
    let revoked_at: Option<Millis> = row.get(13)?;
    let revoked = match revoked_at {
        Some(at) => Some(Revocation { at, by: row.get(14)?, reason: row.get(15)? }),
        None => None,
    };
    Ok(Disposition {
        id: row.get(0)?,
        recorded_at: row.get(1)?,
        counterparty_key: row.get(2)?,
        reference: row.get(3)?,
        name: row.get(4)?,
        identifiers: from_json(row, 5)?,
        entity_id: row.get(6)?,
        entity_signature: row.get(7)?,
        verdict,
        reason: row.get(9)?,
        analyst: row.get(10)?,
        recorded_by: row.get(11)?,
        expires_at: row.get(12)?,
        revoked,
    })
}

fn alert_of(row: &Row<'_>) -> rusqlite::Result<StoredAlert> {
    let attempts: i64 = row.get(14)?;
    Ok(StoredAlert {
        seq: row.get(0)?,
        alert: Alert {
            id: row.get(1)?,
            created_at: row.get(2)?,
            reference: row.get(3)?,
            entity_id: row.get(4)?,
            list: row.get(5)?,
            caption: row.get(6)?,
            score: score(row, 7)?,
            decision: row.get(8)?,
            flags: from_json(row, 9)?,
            change: row.get(10)?,
            changed: from_json(row, 11)?,
            from_lists: row.get(12)?,
            to_lists: row.get(13)?,
        },
        delivery: DeliveryState {
            attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
            last_attempt_at: row.get(15)?,
            delivered_at: row.get(16)?,
            last_error: row.get(17)?,
        },
    })
}

/// The entities to store, one per id (the last given wins), by id.
fn unique_entities(entities: &[(String, String)]) -> std::borrow::Cow<'_, [(String, String)]> {
    if entities.windows(2).all(|w| w[0].0 < w[1].0) {
        return std::borrow::Cow::Borrowed(entities);
    }
    let map: std::collections::BTreeMap<&str, &str> =
        entities.iter().map(|(id, sig)| (id.as_str(), sig.as_str())).collect();
    std::borrow::Cow::Owned(map.into_iter().map(|(id, sig)| (id.to_string(), sig.to_string())).collect())
}

impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn check(&self) -> Result<(), StoreError> {
        let conn = lock(&self.reader);
        let mut stmt = conn.prepare_cached("PRAGMA integrity_check")?;
        let mut rows = stmt.query([])?;
        let mut problems = Vec::new();
        while let Some(row) = rows.next()? {
            let line: String = row.get(0)?;
            if line != "ok" {
                problems.push(line);
            }
            if problems.len() >= 10 {
                break;
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(StoreError::Corrupt(format!(
                "{}: integrity check failed: {}",
                self.path.display(),
                problems.join("; ")
            )))
        }
    }

    fn append_audit(&self, records: &[AuditRecord]) -> Result<(), StoreError> {
        if records.is_empty() {
            return Ok(());
        }
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut insert_record = tx.prepare_cached(INSERT_RECORD)?;
            let mut insert_hit = tx.prepare_cached(INSERT_HIT)?;
            for r in records {
                insert_record.execute(params![
                    r.uid,
                    r.at,
                    r.kind,
                    r.channel,
                    r.request_id,
                    r.caller,
                    r.item,
                    r.reference,
                    json(&r.subject),
                    json(&r.lists.versions),
                    r.engine_version,
                    r.config_hash,
                    r.decision,
                    json(&r.flags),
                ])?;
                for (ord, h) in r.hits.iter().enumerate() {
                    insert_hit.execute(params![
                        r.uid,
                        ord as i64,
                        h.entity_id,
                        h.list,
                        h.score,
                        h.decision,
                        json(&h.flags)
                    ])?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn audit(&self, filter: &AuditFilter) -> Result<AuditPage, StoreError> {
        if filter.limit == 0 {
            return Ok(AuditPage { records: Vec::new(), next: None });
        }
        let limit = limit_of(filter.limit);
        let mut sql = String::from(SELECT_RECORDS);
        let mut args: Vec<&dyn ToSql> = Vec::new();
        if let Some(v) = &filter.from {
            and(&mut sql, &mut args, "r.at >= ?", v);
        }
        if let Some(v) = &filter.to {
            and(&mut sql, &mut args, "r.at < ?", v);
        }
        if let Some(v) = &filter.kind {
            and(&mut sql, &mut args, "r.kind = ?", v);
        }
        if let Some(v) = &filter.decision {
            and(&mut sql, &mut args, "r.decision = ?", v);
        }
        if let Some(v) = &filter.entity_id {
            and(
                &mut sql,
                &mut args,
                "EXISTS (SELECT 1 FROM audit_hits h WHERE h.record_uid = r.uid AND h.entity_id = ?)",
                v,
            );
        }
        if let Some(v) = &filter.reference {
            and(&mut sql, &mut args, "r.reference = ?", v);
        }
        if let Some(v) = &filter.caller {
            and(&mut sql, &mut args, "r.caller = ?", v);
        }
        if let Some(v) = &filter.request_id {
            and(&mut sql, &mut args, "r.request_id = ?", v);
        }
        if let Some(v) = &filter.after {
            and(&mut sql, &mut args, "r.seq > ?", v);
        }
        args.push(&limit);
        sql.push_str(&format!(" ORDER BY r.seq LIMIT ?{}", args.len()));

        let mut conn = lock(&self.reader);
        let tx = conn.transaction()?;
        let mut records = {
            let mut stmt = tx.prepare_cached(&sql)?;
            let rows = stmt.query_map(&args[..], record_of)?;
            rows.collect::<Result<Vec<_>, _>>()?
        };
        {
            let mut hits = tx.prepare_cached(SELECT_HITS)?;
            for r in &mut records {
                let rows = hits.query_map([&r.uid], hit_of)?;
                r.hits = rows.collect::<Result<Vec<_>, _>>()?;
            }
        }
        tx.commit()?;
        let next = if records.len() >= filter.limit { records.last().and_then(|r| r.seq) } else { None };
        Ok(AuditPage { records, next })
    }

    fn purge_audit(&self, before: Millis) -> Result<u64, StoreError> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.prepare_cached("DELETE FROM audit_hits WHERE record_uid IN (SELECT uid FROM audit_records WHERE at < ?1)")?
            .execute([before])?;
        let n = tx.prepare_cached("DELETE FROM audit_records WHERE at < ?1")?.execute([before])?;
        tx.commit()?;
        Ok(n as u64)
    }

    fn add_disposition(&self, d: &Disposition) -> Result<(), StoreError> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.prepare_cached(
            "INSERT INTO dispositions (id, recorded_at, counterparty_key, reference, name, identifiers, entity_id, \
             entity_signature, verdict, reason, analyst, recorded_by, expires_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )?
        .execute(params![
            d.id,
            d.recorded_at,
            d.counterparty_key,
            d.reference,
            d.name,
            json(&d.identifiers),
            d.entity_id,
            d.entity_signature,
            d.verdict.as_str(),
            d.reason,
            d.analyst,
            d.recorded_by,
            d.expires_at,
        ])?;
        if let Some(r) = &d.revoked {
            tx.prepare_cached(
                "INSERT INTO disposition_revocations (disposition_id, at, revoked_by, reason) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![d.id, r.at, r.by, r.reason])?;
        }
        tx.commit()?;
        Ok(())
    }

    fn revoke_disposition(&self, id: &str, revocation: &Revocation) -> Result<bool, StoreError> {
        let conn = lock(&self.writer);
        let n = conn
            .prepare_cached(
                "INSERT INTO disposition_revocations (disposition_id, at, revoked_by, reason) \
                 SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM dispositions WHERE id = ?1) \
                 ON CONFLICT (disposition_id) DO NOTHING",
            )?
            .execute(params![id, revocation.at, revocation.by, revocation.reason])?;
        Ok(n == 1)
    }

    fn dispositions(&self) -> Result<Vec<Disposition>, StoreError> {
        let conn = lock(&self.reader);
        let mut stmt = conn.prepare_cached(
            "SELECT d.id, d.recorded_at, d.counterparty_key, d.reference, d.name, d.identifiers, d.entity_id, \
             d.entity_signature, d.verdict, d.reason, d.analyst, d.recorded_by, d.expires_at, \
             v.at, v.revoked_by, v.reason \
             FROM dispositions d LEFT JOIN disposition_revocations v ON v.disposition_id = d.id \
             ORDER BY d.recorded_at, d.seq",
        )?;
        let rows = stmt.query_map([], disposition_of)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    fn put_monitored(&self, items: &[Monitored]) -> Result<(), StoreError> {
        if items.is_empty() {
            return Ok(());
        }
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut upsert = tx.prepare_cached(
                "INSERT INTO monitored (reference, registered_at, registered_by, counterparty) \
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT (reference) DO UPDATE SET \
                 registered_at = excluded.registered_at, registered_by = excluded.registered_by, \
                 counterparty = excluded.counterparty",
            )?;
            for m in items {
                upsert.execute(params![m.reference, m.registered_at, m.registered_by, json(&m.counterparty)])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn remove_monitored(&self, reference: &str) -> Result<bool, StoreError> {
        let conn = lock(&self.writer);
        let n = conn.prepare_cached("DELETE FROM monitored WHERE reference = ?1")?.execute([reference])?;
        Ok(n > 0)
    }

    fn monitored(&self, after: Option<&str>, limit: usize) -> Result<Vec<Monitored>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let conn = lock(&self.reader);
        let map = |row: &Row<'_>| {
            Ok(Monitored {
                reference: row.get(0)?,
                registered_at: row.get(1)?,
                registered_by: row.get(2)?,
                counterparty: from_json(row, 3)?,
            })
        };
        let limit = limit_of(limit);
        let rows = match after {
            Some(after) => conn
                .prepare_cached(
                    "SELECT reference, registered_at, registered_by, counterparty FROM monitored \
                     WHERE reference > ?1 ORDER BY reference LIMIT ?2",
                )?
                .query_map(params![after, limit], map)?
                .collect::<Result<Vec<_>, _>>()?,
            None => conn
                .prepare_cached(
                    "SELECT reference, registered_at, registered_by, counterparty FROM monitored \
                     ORDER BY reference LIMIT ?1",
                )?
                .query_map([limit], map)?
                .collect::<Result<Vec<_>, _>>()?,
        };
        Ok(rows)
    }

    fn monitored_count(&self) -> Result<u64, StoreError> {
        let conn = lock(&self.reader);
        let n: i64 = conn.prepare_cached("SELECT COUNT(*) FROM monitored")?.query_row([], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    fn list_state(&self) -> Result<Option<ListState>, StoreError> {
        let mut conn = lock(&self.reader);
        let tx = conn.transaction()?;
        let state = tx
            .prepare_cached("SELECT fingerprint, versions, updated_at FROM list_state WHERE id = 1")?
            .query_row([], |r| {
                Ok(ListState {
                    fingerprint: r.get(0)?,
                    versions: from_json(r, 1)?,
                    updated_at: r.get(2)?,
                    entities: Vec::new(),
                })
            })
            .optional()?;
        let Some(mut state) = state else {
            return Ok(None);
        };
        state.entities = tx
            .prepare_cached("SELECT entity_id, signature FROM list_snapshot ORDER BY entity_id")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        tx.commit()?;
        Ok(Some(state))
    }

    fn commit_list_change(
        &self,
        expected: Option<&str>,
        new: &ListState,
        alerts: &[Alert],
    ) -> Result<bool, StoreError> {
        let mut conn = lock(&self.writer);
        // IMMEDIATE: the write lock is taken before the state is read, so
        // another process cannot commit between the check and the write.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current: Option<String> = tx
            .prepare_cached("SELECT fingerprint FROM list_state WHERE id = 1")?
            .query_row([], |r| r.get(0))
            .optional()?;
        if current.as_deref() != expected {
            return Ok(false);
        }
        tx.prepare_cached(
            "INSERT INTO list_state (id, fingerprint, versions, updated_at) VALUES (1, ?1, ?2, ?3) \
             ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint, versions = excluded.versions, \
             updated_at = excluded.updated_at",
        )?
        .execute(params![new.fingerprint, json(&new.versions), new.updated_at])?;
        tx.prepare_cached("DELETE FROM list_snapshot")?.execute([])?;
        {
            let mut insert = tx.prepare_cached("INSERT INTO list_snapshot (entity_id, signature) VALUES (?1, ?2)")?;
            for (id, signature) in unique_entities(&new.entities).iter() {
                insert.execute(params![id, signature])?;
            }
            let mut insert = tx.prepare_cached(INSERT_ALERT)?;
            for a in alerts {
                insert.execute(params![
                    a.id,
                    a.created_at,
                    a.reference,
                    a.entity_id,
                    a.list,
                    a.caption,
                    a.score,
                    a.decision,
                    json(&a.flags),
                    a.change,
                    json(&a.changed),
                    a.from_lists,
                    a.to_lists,
                ])?;
            }
        }
        tx.commit()?;
        Ok(true)
    }

    fn alerts(&self, filter: &AlertFilter) -> Result<AlertPage, StoreError> {
        if filter.limit == 0 {
            return Ok(AlertPage { alerts: Vec::new(), next: None });
        }
        let limit = limit_of(filter.limit);
        let mut sql = String::from(SELECT_ALERTS);
        let mut args: Vec<&dyn ToSql> = Vec::new();
        if let Some(v) = &filter.from {
            and(&mut sql, &mut args, "a.created_at >= ?", v);
        }
        if let Some(v) = &filter.to {
            and(&mut sql, &mut args, "a.created_at < ?", v);
        }
        if let Some(v) = &filter.reference {
            and(&mut sql, &mut args, "a.reference = ?", v);
        }
        if let Some(v) = &filter.entity_id {
            and(&mut sql, &mut args, "a.entity_id = ?", v);
        }
        if filter.undelivered {
            sql.push_str(
                " AND NOT EXISTS (SELECT 1 FROM delivery_attempts x WHERE x.alert_id = a.id AND x.delivered <> 0)",
            );
        }
        if let Some(v) = &filter.after {
            and(&mut sql, &mut args, "a.seq > ?", v);
        }
        args.push(&limit);
        sql.push_str(&format!(" ORDER BY a.seq LIMIT ?{}", args.len()));

        let conn = lock(&self.reader);
        let mut stmt = conn.prepare_cached(&sql)?;
        let alerts = stmt.query_map(&args[..], alert_of)?.collect::<Result<Vec<_>, _>>()?;
        let next = if alerts.len() >= filter.limit { alerts.last().map(|a| a.seq) } else { None };
        Ok(AlertPage { alerts, next })
    }

    fn record_delivery(&self, attempt: &DeliveryAttempt) -> Result<(), StoreError> {
        let conn = lock(&self.writer);
        conn.prepare_cached(
            "INSERT INTO delivery_attempts (alert_id, at, delivered, status, error) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            attempt.alert_id,
            attempt.at,
            attempt.delivered,
            attempt.status.map(i64::from),
            attempt.error
        ])?;
        Ok(())
    }
}
