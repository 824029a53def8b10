//! The PostgreSQL store: one database shared by several replicas.
//!
//! Two connections, each behind its own lock: the writer and the reader, so
//! a page of the trail is read while a batch is being written. A connection
//! the server closed is opened again before its next use. Statements are
//! prepared once per connection.
//!
//! A batch is written with one statement per table, whatever its size: the
//! rows travel as one array per column and `unnest` turns them back into
//! rows, so 2,000 audit records or a 40,000-entry list snapshot cost a
//! round trip, not 2,000 or 40,000.
//!
//! PostgreSQL text cannot hold a NUL character: a NUL in any text written
//! is stored as U+FFFD, rather than failing the whole batch it is in.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use ::postgres::fallible_iterator::FallibleIterator;
use ::postgres::types::{FromSql, ToSql};
use ::postgres::{Client, Config, GenericClient, IsolationLevel, NoTls, Row, Statement, Transaction};
use serde::de::DeserializeOwned;

use super::*;

/// The schema, in order. A version is applied once, in its own transaction,
/// and recorded in `schema_migrations`; a later release appends migration 2
/// and never edits an applied one.
const MIGRATIONS: &[(i32, &str)] = &[(1, SCHEMA_V1)];

/// Advisory lock held while migrating, so replicas starting together apply
/// each migration once.
const MIGRATION_LOCK: i64 = 0x6361_7274_656c_0001;
/// Advisory lock held by `commit_list_change`: it also covers the first
/// commit, when there is no state row yet to lock.
const LIST_LOCK: i64 = 0x6361_7274_656c_0002;

/// How long to wait for a connection when the URL does not say.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A connection unused this long is checked with a no-op query before its
/// next use, so a server restart or a session ended while the service was
/// quiet costs a reconnection instead of a failed call.
const IDLE_CHECK: Duration = Duration::from_secs(1);
/// How long that check waits for the server.
const CHECK_TIMEOUT: Duration = Duration::from_secs(5);

const SCHEMA_V1: &str = r#"
CREATE TABLE audit_records (
    seq BIGSERIAL PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    request_id TEXT NOT NULL,
    caller TEXT NOT NULL,
    item BIGINT,
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
    score DOUBLE PRECISION NOT NULL,
    decision TEXT NOT NULL,
    flags TEXT NOT NULL,
    PRIMARY KEY (record_uid, ord)
);
CREATE INDEX audit_hits_entity_id ON audit_hits (entity_id);

CREATE TABLE dispositions (
    seq BIGSERIAL PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    recorded_at BIGINT NOT NULL,
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
    expires_at BIGINT
);

CREATE TABLE disposition_revocations (
    disposition_id TEXT PRIMARY KEY REFERENCES dispositions (id),
    at BIGINT NOT NULL,
    revoked_by TEXT NOT NULL,
    reason TEXT NOT NULL
);

-- COLLATE "C": references and entity ids sort byte by byte, as in SQLite
-- and in Rust, whatever the database's locale.
CREATE TABLE monitored (
    reference TEXT COLLATE "C" PRIMARY KEY,
    registered_at BIGINT NOT NULL,
    registered_by TEXT NOT NULL,
    counterparty TEXT NOT NULL
);

CREATE TABLE list_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT NOT NULL,
    versions TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE list_snapshot (
    entity_id TEXT COLLATE "C" PRIMARY KEY,
    signature TEXT NOT NULL
);

CREATE TABLE alerts (
    seq BIGSERIAL PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    reference TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    list TEXT NOT NULL,
    caption TEXT NOT NULL,
    score DOUBLE PRECISION NOT NULL,
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
    seq BIGSERIAL PRIMARY KEY,
    alert_id TEXT NOT NULL REFERENCES alerts (id),
    at BIGINT NOT NULL,
    delivered BOOLEAN NOT NULL,
    status INTEGER,
    error TEXT
);
CREATE INDEX delivery_attempts_alert_id ON delivery_attempts (alert_id);

CREATE FUNCTION cartelscreen_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER audit_records_append_only BEFORE UPDATE ON audit_records
    FOR EACH STATEMENT EXECUTE FUNCTION cartelscreen_append_only();
CREATE TRIGGER audit_hits_append_only BEFORE UPDATE ON audit_hits
    FOR EACH STATEMENT EXECUTE FUNCTION cartelscreen_append_only();
CREATE TRIGGER delivery_attempts_append_only BEFORE UPDATE ON delivery_attempts
    FOR EACH STATEMENT EXECUTE FUNCTION cartelscreen_append_only();
CREATE TRIGGER dispositions_append_only BEFORE UPDATE ON dispositions
    FOR EACH STATEMENT EXECUTE FUNCTION cartelscreen_append_only();
CREATE TRIGGER disposition_revocations_append_only BEFORE UPDATE ON disposition_revocations
    FOR EACH STATEMENT EXECUTE FUNCTION cartelscreen_append_only();
"#;

const INSERT_RECORDS: &str = "INSERT INTO audit_records \
    (uid, at, kind, channel, request_id, caller, item, reference, subject, lists, engine_version, config_hash, \
    decision, flags) \
    SELECT uid, at, kind, channel, request_id, caller, item, reference, subject, lists, engine_version, \
    config_hash, decision, flags \
    FROM unnest($1::text[], $2::int8[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int8[], $8::text[], \
    $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[]) WITH ORDINALITY \
    AS t(uid, at, kind, channel, request_id, caller, item, reference, subject, lists, engine_version, config_hash, \
    decision, flags, ord) ORDER BY ord";

const INSERT_HITS: &str = "INSERT INTO audit_hits (record_uid, ord, entity_id, list, score, decision, flags) \
    SELECT * FROM unnest($1::text[], $2::int4[], $3::text[], $4::text[], $5::float8[], $6::text[], $7::text[])";

const SELECT_RECORDS: &str = "SELECT r.seq, r.uid, r.at, r.kind, r.channel, r.request_id, r.caller, r.item, \
    r.reference, r.subject, r.lists, r.engine_version, r.config_hash, r.decision, r.flags FROM audit_records r \
    WHERE true";

const SELECT_HITS: &str = "SELECT record_uid, entity_id, list, score, decision, flags FROM audit_hits \
    WHERE record_uid = ANY($1::text[]) ORDER BY record_uid, ord";

const INSERT_ALERTS: &str = "INSERT INTO alerts (id, created_at, reference, entity_id, list, caption, score, \
    decision, flags, change, changed, from_lists, to_lists) \
    SELECT id, created_at, reference, entity_id, list, caption, score, decision, flags, change, changed, \
    from_lists, to_lists \
    FROM unnest($1::text[], $2::int8[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::text[], \
    $9::text[], $10::text[], $11::text[], $12::text[], $13::text[]) WITH ORDINALITY \
    AS t(id, created_at, reference, entity_id, list, caption, score, decision, flags, change, changed, from_lists, \
    to_lists, ord) ORDER BY ord";

const SELECT_ALERTS: &str = "SELECT a.seq, a.id, a.created_at, a.reference, a.entity_id, a.list, a.caption, \
    a.score, a.decision, a.flags, a.change, a.changed, a.from_lists, a.to_lists, \
    (SELECT count(*) FROM delivery_attempts x WHERE x.alert_id = a.id), \
    (SELECT max(x.at) FROM delivery_attempts x WHERE x.alert_id = a.id), \
    (SELECT min(x.at) FROM delivery_attempts x WHERE x.alert_id = a.id AND x.delivered), \
    (SELECT x.error FROM delivery_attempts x WHERE x.alert_id = a.id ORDER BY x.at DESC, x.seq DESC LIMIT 1) \
    FROM alerts a WHERE true";

const SELECT_DISPOSITIONS: &str = "SELECT d.id, d.recorded_at, d.counterparty_key, d.reference, d.name, \
    d.identifiers, d.entity_id, d.entity_signature, d.verdict, d.reason, d.analyst, d.recorded_by, d.expires_at, \
    v.at, v.revoked_by, v.reason \
    FROM dispositions d LEFT JOIN disposition_revocations v ON v.disposition_id = d.id \
    ORDER BY d.recorded_at, d.seq";

/// One connection and the statements prepared on it.
struct Conn {
    /// Dropped by hand (see `Drop for Conn`).
    client: std::mem::ManuallyDrop<Client>,
    statements: HashMap<String, Statement>,
    last_used: Instant,
}

impl Drop for Conn {
    /// The sync client closes its connection by blocking on a runtime of its
    /// own, which panics on a thread that drives async tasks (the last
    /// owner of the store may be a server worker): there, the client is
    /// closed on a thread of its own.
    fn drop(&mut self) {
        // SAFETY: `client` is taken once, here, and never used again.
        let client = unsafe { std::mem::ManuallyDrop::take(&mut self.client) };
        if tokio::runtime::Handle::try_current().is_ok() {
            let _ = std::thread::Builder::new().name("postgres-close".into()).spawn(move || drop(client));
        } else {
            drop(client);
        }
    }
}

impl Conn {
    fn new(client: Client) -> Conn {
        Conn { client: std::mem::ManuallyDrop::new(client), statements: HashMap::new(), last_used: Instant::now() }
    }
}

/// The PostgreSQL database behind the service.
pub struct PostgresStore {
    config: Config,
    writer: Mutex<Conn>,
    reader: Mutex<Conn>,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("host", &self.config.get_hosts())
            .field("dbname", &self.config.get_dbname())
            .finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user:pass@host/db`
    /// or `host=... dbname=...`) and applies the migrations it lacks.
    pub fn connect(url: &str) -> Result<PostgresStore, StoreError> {
        let config = config_of(url)?;
        let mut writer = config.connect(NoTls)?;
        migrate(&mut writer)?;
        let reader = config.connect(NoTls)?;
        Ok(PostgresStore { config, writer: Mutex::new(Conn::new(writer)), reader: Mutex::new(Conn::new(reader)) })
    }

    /// The migrations applied to this database: `(version, applied_at)`,
    /// by version.
    pub fn applied_migrations(&self) -> Result<Vec<(i64, Millis)>, StoreError> {
        let mut conn = self.reader()?;
        let rows = conn.client.query("SELECT version, applied_at FROM schema_migrations ORDER BY version", &[])?;
        rows.iter().map(|r| Ok((i64::from(get::<i32>(r, 0)?), get(r, 1)?))).collect()
    }

    /// Runs raw SQL on the writer connection; for tests of the schema's
    /// own guarantees (the append-only triggers).
    #[cfg(test)]
    pub(crate) fn execute_raw(&self, sql: &str) -> Result<u64, StoreError> {
        let mut conn = self.writer()?;
        Ok(conn.client.execute(sql, &[])?)
    }

    /// The server process ids of the writer and the reader connections.
    #[cfg(test)]
    pub(crate) fn backend_pids(&self) -> Result<(i32, i32), StoreError> {
        let writer: i32 = self.writer()?.client.query_one("SELECT pg_backend_pid()", &[])?.try_get(0)?;
        let reader: i32 = self.reader()?.client.query_one("SELECT pg_backend_pid()", &[])?.try_get(0)?;
        Ok((writer, reader))
    }

    fn writer(&self) -> Result<MutexGuard<'_, Conn>, StoreError> {
        self.open(&self.writer)
    }

    fn reader(&self) -> Result<MutexGuard<'_, Conn>, StoreError> {
        self.open(&self.reader)
    }

    /// The connection behind `slot`, opened again if the server closed it
    /// (or, after a quiet spell, no longer answers).
    fn open<'a>(&self, slot: &'a Mutex<Conn>) -> Result<MutexGuard<'a, Conn>, StoreError> {
        let mut conn = slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let lost = closed(&mut conn.client)
            || (conn.last_used.elapsed() >= IDLE_CHECK && conn.client.is_valid(CHECK_TIMEOUT).is_err());
        if lost {
            tracing::warn!("the audit database connection was lost; reconnecting");
            *conn = Conn::new(self.config.connect(NoTls)?);
        }
        conn.last_used = Instant::now();
        Ok(conn)
    }
}

/// Whether the server closed the connection. The synchronous client reads
/// from its socket only while it runs a statement, so it would otherwise
/// learn of a restart or a terminated session by failing the next one:
/// reading what is already there, without waiting, makes it notice first.
fn closed(client: &mut Client) -> bool {
    if !client.is_closed() {
        // Only notices and notifications can be waiting; an error here is
        // the connection ending, which `is_closed` then reports.
        let _ = client.notifications().iter().next();
    }
    client.is_closed()
}

fn config_of(url: &str) -> Result<Config, StoreError> {
    let mut config: Config = url.parse()?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    Ok(config)
}

/// Applies the migrations not yet applied, each in its own transaction,
/// under an advisory lock so that replicas starting together wait for one
/// another instead of racing.
fn migrate(client: &mut Client) -> Result<(), StoreError> {
    for &(version, sql) in MIGRATIONS {
        let mut tx = client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)",
        )?;
        let applied = tx.query_opt("SELECT 1 FROM schema_migrations WHERE version = $1", &[&version])?.is_some();
        if !applied {
            tx.batch_execute(sql)?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
                &[&version, &now_millis()],
            )?;
            tracing::info!(version, "audit database migrated");
        }
        tx.commit()?;
    }
    Ok(())
}

/// The statement for `sql`, prepared on this connection once.
fn prepared(
    client: &mut impl GenericClient,
    cache: &mut HashMap<String, Statement>,
    sql: &str,
) -> Result<Statement, StoreError> {
    if let Some(s) = cache.get(sql) {
        return Ok(s.clone());
    }
    let s = client.prepare(sql)?;
    cache.insert(sql.to_string(), s.clone());
    Ok(s)
}

/// Text PostgreSQL accepts: NUL replaced.
fn text(s: &str) -> Cow<'_, str> {
    if s.contains('\0') {
        Cow::Owned(s.replace('\0', "\u{FFFD}"))
    } else {
        Cow::Borrowed(s)
    }
}

fn opt_text(s: &Option<String>) -> Option<Cow<'_, str>> {
    s.as_deref().map(text)
}

fn json<T: Serialize + ?Sized>(value: &T) -> String {
    // A `serde_json::Value` or a list of strings always serializes, and
    // JSON escapes NUL.
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_string())
}

fn get<'a, T: FromSql<'a>>(row: &'a Row, idx: usize) -> Result<T, StoreError> {
    Ok(row.try_get(idx)?)
}

fn get_json<T: DeserializeOwned>(row: &Row, idx: usize) -> Result<T, StoreError> {
    let s: &str = row.try_get(idx)?;
    serde_json::from_str(s).map_err(|e| {
        let column = row.columns().get(idx).map(|c| c.name()).unwrap_or("?");
        StoreError::Corrupt(format!("column {column} holds invalid JSON: {e}"))
    })
}

fn limit_of(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// Appends ` AND <clause>` with its `?` numbered as the next parameter.
fn and<'a>(sql: &mut String, args: &mut Vec<&'a (dyn ToSql + Sync)>, clause: &str, value: &'a (dyn ToSql + Sync)) {
    args.push(value);
    sql.push_str(" AND ");
    sql.push_str(&clause.replace('?', &format!("${}", args.len())));
}

fn record_of(row: &Row) -> Result<AuditRecord, StoreError> {
    Ok(AuditRecord {
        seq: Some(get(row, 0)?),
        uid: get(row, 1)?,
        at: get(row, 2)?,
        kind: get(row, 3)?,
        channel: get(row, 4)?,
        request_id: get(row, 5)?,
        caller: get(row, 6)?,
        item: get(row, 7)?,
        reference: get(row, 8)?,
        subject: get_json(row, 9)?,
        lists: Arc::new(ListSet::new(get_json(row, 10)?)),
        engine_version: get(row, 11)?,
        config_hash: get(row, 12)?,
        decision: get(row, 13)?,
        flags: get_json(row, 14)?,
        hits: Vec::new(),
    })
}

fn disposition_of(row: &Row) -> Result<Disposition, StoreError> {
    let verdict: &str = get(row, 8)?;
    let verdict = Verdict::parse(verdict).ok_or_else(|| StoreError::Corrupt(format!("unknown verdict {verdict:?}")))?;
    let revoked = match get::<Option<Millis>>(row, 13)? {
        Some(at) => Some(Revocation { at, by: get(row, 14)?, reason: get(row, 15)? }),
        None => None,
    };
    Ok(Disposition {
        id: get(row, 0)?,
        recorded_at: get(row, 1)?,
        counterparty_key: get(row, 2)?,
        reference: get(row, 3)?,
        name: get(row, 4)?,
        identifiers: get_json(row, 5)?,
        entity_id: get(row, 6)?,
        entity_signature: get(row, 7)?,
        verdict,
        reason: get(row, 9)?,
        analyst: get(row, 10)?,
        recorded_by: get(row, 11)?,
        expires_at: get(row, 12)?,
        revoked,
    })
}

fn monitored_of(row: &Row) -> Result<Monitored, StoreError> {
    Ok(Monitored {
        reference: get(row, 0)?,
        registered_at: get(row, 1)?,
        registered_by: get(row, 2)?,
        counterparty: get_json(row, 3)?,
    })
}

fn alert_of(row: &Row) -> Result<StoredAlert, StoreError> {
    let attempts: i64 = get(row, 14)?;
    Ok(StoredAlert {
        seq: get(row, 0)?,
        alert: Alert {
            id: get(row, 1)?,
            created_at: get(row, 2)?,
            reference: get(row, 3)?,
            entity_id: get(row, 4)?,
            list: get(row, 5)?,
            caption: get(row, 6)?,
            score: get(row, 7)?,
            decision: get(row, 8)?,
            flags: get_json(row, 9)?,
            change: get(row, 10)?,
            changed: get_json(row, 11)?,
            from_lists: get(row, 12)?,
            to_lists: get(row, 13)?,
        },
        delivery: DeliveryState {
            attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
            last_attempt_at: get(row, 15)?,
            delivered_at: get(row, 16)?,
            last_error: get(row, 17)?,
        },
    })
}

/// A read-only transaction that sees one snapshot for all its statements.
fn snapshot(client: &mut Client) -> Result<Transaction<'_>, StoreError> {
    Ok(client.build_transaction().isolation_level(IsolationLevel::RepeatableRead).read_only(true).start()?)
}

impl Store for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    fn check(&self) -> Result<(), StoreError> {
        let mut conn = self.reader()?;
        let one: i32 = conn.client.query_one("SELECT 1", &[])?.try_get(0)?;
        if one == 1 {
            Ok(())
        } else {
            Err(StoreError::Corrupt(format!("SELECT 1 answered {one}")))
        }
    }

    fn append_audit(&self, records: &[AuditRecord]) -> Result<(), StoreError> {
        if records.is_empty() {
            return Ok(());
        }
        let n = records.len();
        let mut uid = Vec::with_capacity(n);
        let mut at = Vec::with_capacity(n);
        let mut kind = Vec::with_capacity(n);
        let mut channel = Vec::with_capacity(n);
        let mut request_id = Vec::with_capacity(n);
        let mut caller = Vec::with_capacity(n);
        let mut item = Vec::with_capacity(n);
        let mut reference = Vec::with_capacity(n);
        let mut subject = Vec::with_capacity(n);
        let mut lists = Vec::with_capacity(n);
        let mut engine_version = Vec::with_capacity(n);
        let mut config_hash = Vec::with_capacity(n);
        let mut decision = Vec::with_capacity(n);
        let mut flags = Vec::with_capacity(n);
        let hit_count: usize = records.iter().map(|r| r.hits.len()).sum();
        let mut h_uid = Vec::with_capacity(hit_count);
        let mut h_ord = Vec::with_capacity(hit_count);
        let mut h_entity = Vec::with_capacity(hit_count);
        let mut h_list = Vec::with_capacity(hit_count);
        let mut h_score = Vec::with_capacity(hit_count);
        let mut h_decision = Vec::with_capacity(hit_count);
        let mut h_flags = Vec::with_capacity(hit_count);
        for r in records {
            let u = text(&r.uid);
            for (ord, h) in r.hits.iter().enumerate() {
                h_uid.push(u.clone());
                h_ord.push(i32::try_from(ord).unwrap_or(i32::MAX));
                h_entity.push(text(&h.entity_id));
                h_list.push(text(&h.list));
                h_score.push(h.score);
                h_decision.push(text(&h.decision));
                h_flags.push(json(&h.flags));
            }
            uid.push(u);
            at.push(r.at);
            kind.push(text(&r.kind));
            channel.push(text(&r.channel));
            request_id.push(text(&r.request_id));
            caller.push(text(&r.caller));
            item.push(r.item);
            reference.push(opt_text(&r.reference));
            subject.push(json(&r.subject));
            lists.push(json(&r.lists.versions));
            engine_version.push(text(&r.engine_version));
            config_hash.push(text(&r.config_hash));
            decision.push(opt_text(&r.decision));
            flags.push(json(&r.flags));
        }
        let mut conn = self.writer()?;
        let Conn { client, statements, .. } = &mut *conn;
        let client: &mut Client = client;
        let mut tx = client.transaction()?;
        let insert = prepared(&mut tx, statements, INSERT_RECORDS)?;
        tx.execute(
            &insert,
            &[
                &uid,
                &at,
                &kind,
                &channel,
                &request_id,
                &caller,
                &item,
                &reference,
                &subject,
                &lists,
                &engine_version,
                &config_hash,
                &decision,
                &flags,
            ],
        )?;
        if hit_count > 0 {
            let insert = prepared(&mut tx, statements, INSERT_HITS)?;
            tx.execute(&insert, &[&h_uid, &h_ord, &h_entity, &h_list, &h_score, &h_decision, &h_flags])?;
        }
        tx.commit()?;
        Ok(())
    }

    fn audit(&self, filter: &AuditFilter) -> Result<AuditPage, StoreError> {
        if filter.limit == 0 {
            return Ok(AuditPage { records: Vec::new(), next: None });
        }
        let limit = limit_of(filter.limit);
        let kind = filter.kind.as_deref().map(text);
        let decision = filter.decision.as_deref().map(text);
        let entity_id = filter.entity_id.as_deref().map(text);
        let reference = filter.reference.as_deref().map(text);
        let caller = filter.caller.as_deref().map(text);
        let request_id = filter.request_id.as_deref().map(text);
        let mut sql = String::from(SELECT_RECORDS);
        let mut args: Vec<&(dyn ToSql + Sync)> = Vec::new();
        if let Some(v) = &filter.from {
            and(&mut sql, &mut args, "r.at >= ?", v);
        }
        if let Some(v) = &filter.to {
            and(&mut sql, &mut args, "r.at < ?", v);
        }
        if let Some(v) = &kind {
            and(&mut sql, &mut args, "r.kind = ?", v);
        }
        if let Some(v) = &decision {
            and(&mut sql, &mut args, "r.decision = ?", v);
        }
        if let Some(v) = &entity_id {
            and(
                &mut sql,
                &mut args,
                "EXISTS (SELECT 1 FROM audit_hits h WHERE h.record_uid = r.uid AND h.entity_id = ?)",
                v,
            );
        }
        if let Some(v) = &reference {
            and(&mut sql, &mut args, "r.reference = ?", v);
        }
        if let Some(v) = &caller {
            and(&mut sql, &mut args, "r.caller = ?", v);
        }
        if let Some(v) = &request_id {
            and(&mut sql, &mut args, "r.request_id = ?", v);
        }
        if let Some(v) = &filter.after {
            and(&mut sql, &mut args, "r.seq > ?", v);
        }
        args.push(&limit);
        sql.push_str(&format!(" ORDER BY r.seq LIMIT ${}", args.len()));

        let mut conn = self.reader()?;
        let Conn { client, statements, .. } = &mut *conn;
        let client: &mut Client = client;
        let mut tx = snapshot(client)?;
        let select = prepared(&mut tx, statements, &sql)?;
        let mut records = tx.query(&select, &args)?.iter().map(record_of).collect::<Result<Vec<_>, _>>()?;
        if !records.is_empty() {
            let uids: Vec<&str> = records.iter().map(|r| r.uid.as_str()).collect();
            let select = prepared(&mut tx, statements, SELECT_HITS)?;
            let rows = tx.query(&select, &[&uids])?;
            let mut hits: HashMap<&str, Vec<AuditHit>> = HashMap::new();
            for row in &rows {
                let uid: &str = get(row, 0)?;
                hits.entry(uid).or_default().push(AuditHit {
                    entity_id: get(row, 1)?,
                    list: get(row, 2)?,
                    score: get(row, 3)?,
                    decision: get(row, 4)?,
                    flags: get_json(row, 5)?,
                });
            }
            for r in &mut records {
                if let Some(h) = hits.remove(r.uid.as_str()) {
                    r.hits = h;
                }
            }
        }
        tx.commit()?;
        let next = if records.len() >= filter.limit { records.last().and_then(|r| r.seq) } else { None };
        Ok(AuditPage { records, next })
    }

    fn purge_audit(&self, before: Millis) -> Result<u64, StoreError> {
        let mut conn = self.writer()?;
        let Conn { client, statements, .. } = &mut *conn;
        let client: &mut Client = client;
        let mut tx = client.transaction()?;
        let delete = prepared(
            &mut tx,
            statements,
            "DELETE FROM audit_hits WHERE record_uid IN (SELECT uid FROM audit_records WHERE at < $1)",
        )?;
        tx.execute(&delete, &[&before])?;
        let delete = prepared(&mut tx, statements, "DELETE FROM audit_records WHERE at < $1")?;
        let n = tx.execute(&delete, &[&before])?;
        tx.commit()?;
        Ok(n)
    }

    fn add_disposition(&self, d: &Disposition) -> Result<(), StoreError> {
        let mut conn = self.writer()?;
        let Conn { client, statements, .. } = &mut *conn;
        let client: &mut Client = client;
        let mut tx = client.transaction()?;
        let insert = prepared(
            &mut tx,
            statements,
            "INSERT INTO dispositions (id, recorded_at, counterparty_key, reference, name, identifiers, entity_id, \
             entity_signature, verdict, reason, analyst, recorded_by, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )?;
        tx.execute(
            &insert,
            &[
                &text(&d.id),
                &d.recorded_at,
                &text(&d.counterparty_key),
                &opt_text(&d.reference),
                &opt_text(&d.name),
                &json(&d.identifiers),
                &text(&d.entity_id),
                &text(&d.entity_signature),
                &d.verdict.as_str(),
                &text(&d.reason),
                &text(&d.analyst),
                &text(&d.recorded_by),
                &d.expires_at,
            ],
        )?;
        if let Some(r) = &d.revoked {
            let insert = prepared(
                &mut tx,
                statements,
                "INSERT INTO disposition_revocations (disposition_id, at, revoked_by, reason) VALUES ($1, $2, $3, $4)",
            )?;
            tx.execute(&insert, &[&text(&d.id), &r.at, &text(&r.by), &text(&r.reason)])?;
        }
        tx.commit()?;
        Ok(())
    }

    fn revoke_disposition(&self, id: &str, revocation: &Revocation) -> Result<bool, StoreError> {
        let mut conn = self.writer()?;
        let Conn { client, statements, .. } = &mut *conn;
        let client: &mut Client = client;
        let insert = prepared(
            client,
            statements,
            "INSERT INTO disposition_revocations (disposition_id, at, revoked_by, reason) \
             SELECT $1::text, $2::int8, $3::text, $4::text \
             WHERE EXISTS (SELECT 1 FROM dispositions WHERE id = $1::text) \
             ON CONFLICT (disposition_id) DO NOTHING",
        )?;
        let n =
            client.execute(&insert, &[&text(id), &revocation.at, &text(&revocation.by), &text(&revocation.reason)])?;
        Ok(n == 1)
    }

    fn dispositions(&self) -> Result<Vec<Disposition>, StoreError> {
        let mut conn = self.reader()?;
        let Conn { client, statements, .. } = &mut *conn;
        let client: &mut Client = client;
        let select = prepared(client, statements, SELECT_DISPOSITIONS)?;
        client.query(&select, &[])?.iter().map(disposition_of).collect()
    }

    fn put_monitored(&self, items: &[Monitored]) -> Result<(), StoreError> {
        if items.is_empty() {
            return Ok(());
        }
        // One row per reference, the last given winning: an upsert cannot
        // touch the same row twice in one statement.
        let unique: BTreeMap<Cow<'_, str>, &Monitored> = items.iter().map(|m| (text(&m.reference), m)).collect();
        let mut reference = Vec::with_capacity(unique.len());
        let mut registered_at = Vec::with_capacity(unique.len());
        let mut registered_by = Vec::with_capacity(unique.len());
        let mut counterparty = Vec::with_capacity(unique.len());
        for (r, m) in &unique {
            reference.push(r.clone());
            registered_at.push(m.registered_at);
            registered_by.push(text(&m.registered_by));
            counterparty.push(json(&m.counterparty));
        }
        let mut conn = self.writer()?;
        let Conn { client, statements, .. } = &mut *conn;
        let client: &mut Client = client;
        let upsert = prepared(
            client,
            statements,
            "INSERT INTO monitored (reference, registered_at, registered_by, counterparty) \
             SELECT * FROM unnest($1::text[], $2::int8[], $3::text[], $4::text[]) \
             ON CONFLICT (reference) DO UPDATE SET registered_at = excluded.registered_at, \
             registered_by = excluded.registered_by, counterparty = excluded.counterparty",
        )?;
        client.execute(&upsert, &[&reference, &registered_at, &registered_by, &counterparty])?;
        Ok(())
    }

    fn remove_monitored(&self, reference: &str) -> Result<bool, StoreError> {
        let mut conn = self.writer()?;
        let Conn { client, statements, .. } = &mut *conn;
        let client: &mut Client = client;
        let delete = prepared(client, statements, "DELETE FROM monitored WHERE reference = $1")?;
        Ok(client.execute(&delete, &[&text(reference)])? > 0)
    }

    fn monitored(&self, after: Option<&str>, limit: usize) -> Result<Vec<Monitored>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let limit = limit_of(limit);
        let mut conn = self.reader()?;
        let Conn { client, statements, .. } = &mut *conn;
        let client: &mut Client = client;
        let rows = match after {
            Some(after) => {
                let select = prepared(
                    client,
                    statements,
                    "SELECT reference, registered_at, registered_by, counterparty FROM monitored \
                     WHERE reference > $1 ORDER BY reference LIMIT $2",
                )?;
                client.query(&select, &[&text(after), &limit])?
            }
            None => {
                let select = prepared(
                    client,
                    statements,
                    "SELECT reference, registered_at, registered_by, counterparty FROM monitored \
                     ORDER BY reference LIMIT $1",
                )?;
                client.query(&select, &[&limit])?
            }
        };
        rows.iter().map(monitored_of).collect()
    }

    fn monitored_count(&self) -> Result<u64, StoreError> {
        let mut conn = self.reader()?;
        let Conn { client, statements, .. } = &mut *conn;
        let client: &mut Client = client;
        let count = prepared(client, statements, "SELECT count(*) FROM monitored")?;
        let n: i64 = client.query_one(&count, &[])?.try_get(0)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    fn list_state(&self) -> Result<Option<ListState>, StoreError> {
        let mut conn = self.reader()?;
        let Conn { client, statements, .. } = &mut *conn;
        let client: &mut Client = client;
        let mut tx = snapshot(client)?;
        let select =
            prepared(&mut tx, statements, "SELECT fingerprint, versions, updated_at FROM list_state WHERE id = 1")?;
        let Some(row) = tx.query_opt(&select, &[])? else {
            tx.commit()?;
            return Ok(None);
        };
        let mut state = ListState {
            fingerprint: get(&row, 0)?,
            versions: get_json(&row, 1)?,
            updated_at: get(&row, 2)?,
            entities: Vec::new(),
        };
        let select =
            prepared(&mut tx, statements, "SELECT entity_id, signature FROM list_snapshot ORDER BY entity_id")?;
        state.entities = tx
            .query(&select, &[])?
            .iter()
            .map(|r| Ok((get(r, 0)?, get(r, 1)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        tx.commit()?;
        Ok(Some(state))
    }

    fn commit_list_change(
        &self,
        expected: Option<&str>,
        new: &ListState,
        alerts: &[Alert],
    ) -> Result<bool, StoreError> {
        // Snapshot rows, one per id (the last given winning), as arrays.
        let unique: BTreeMap<Cow<'_, str>, Cow<'_, str>> =
            new.entities.iter().map(|(id, sig)| (text(id), text(sig))).collect();
        let (entity_ids, signatures): (Vec<Cow<'_, str>>, Vec<Cow<'_, str>>) = unique.into_iter().unzip();

        let n = alerts.len();
        let mut id = Vec::with_capacity(n);
        let mut created_at = Vec::with_capacity(n);
        let mut reference = Vec::with_capacity(n);
        let mut entity_id = Vec::with_capacity(n);
        let mut list = Vec::with_capacity(n);
        let mut caption = Vec::with_capacity(n);
        let mut score = Vec::with_capacity(n);
        let mut decision = Vec::with_capacity(n);
        let mut flags = Vec::with_capacity(n);
        let mut change = Vec::with_capacity(n);
        let mut changed = Vec::with_capacity(n);
        let mut from_lists = Vec::with_capacity(n);
        let mut to_lists = Vec::with_capacity(n);
        for a in alerts {
            id.push(text(&a.id));
            created_at.push(a.created_at);
            reference.push(text(&a.reference));
            entity_id.push(text(&a.entity_id));
            list.push(text(&a.list));
            caption.push(text(&a.caption));
            score.push(a.score);
            decision.push(text(&a.decision));
            flags.push(json(&a.flags));
            change.push(text(&a.change));
            changed.push(json(&a.changed));
            from_lists.push(text(&a.from_lists));
            to_lists.push(text(&a.to_lists));
        }

        let mut conn = self.writer()?;
        let Conn { client, statements, .. } = &mut *conn;
        let client: &mut Client = client;
        let mut tx = client.transaction()?;
        // Replicas committing the same change queue here; the second then
        // finds the state moved on and writes nothing.
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LIST_LOCK])?;
        let select = prepared(&mut tx, statements, "SELECT fingerprint FROM list_state WHERE id = 1 FOR UPDATE")?;
        let current: Option<String> = match tx.query_opt(&select, &[])? {
            Some(row) => Some(get(&row, 0)?),
            None => None,
        };
        if current.as_deref() != expected.map(text).as_deref() {
            tx.rollback()?;
            return Ok(false);
        }
        let upsert = prepared(
            &mut tx,
            statements,
            "INSERT INTO list_state (id, fingerprint, versions, updated_at) VALUES (1, $1, $2, $3) \
             ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint, versions = excluded.versions, \
             updated_at = excluded.updated_at",
        )?;
        tx.execute(&upsert, &[&text(&new.fingerprint), &json(&new.versions), &new.updated_at])?;
        let delete = prepared(&mut tx, statements, "DELETE FROM list_snapshot")?;
        tx.execute(&delete, &[])?;
        if !entity_ids.is_empty() {
            let insert = prepared(
                &mut tx,
                statements,
                "INSERT INTO list_snapshot (entity_id, signature) SELECT * FROM unnest($1::text[], $2::text[])",
            )?;
            tx.execute(&insert, &[&entity_ids, &signatures])?;
        }
        if !alerts.is_empty() {
            let insert = prepared(&mut tx, statements, INSERT_ALERTS)?;
            tx.execute(
                &insert,
                &[
                    &id,
                    &created_at,
                    &reference,
                    &entity_id,
                    &list,
                    &caption,
                    &score,
                    &decision,
                    &flags,
                    &change,
                    &changed,
                    &from_lists,
                    &to_lists,
                ],
            )?;
        }
        tx.commit()?;
        Ok(true)
    }

    fn alerts(&self, filter: &AlertFilter) -> Result<AlertPage, StoreError> {
        if filter.limit == 0 {
            return Ok(AlertPage { alerts: Vec::new(), next: None });
        }
        let limit = limit_of(filter.limit);
        let reference = filter.reference.as_deref().map(text);
        let entity_id = filter.entity_id.as_deref().map(text);
        let mut sql = String::from(SELECT_ALERTS);
        let mut args: Vec<&(dyn ToSql + Sync)> = Vec::new();
        if let Some(v) = &filter.from {
            and(&mut sql, &mut args, "a.created_at >= ?", v);
        }
        if let Some(v) = &filter.to {
            and(&mut sql, &mut args, "a.created_at < ?", v);
        }
        if let Some(v) = &reference {
            and(&mut sql, &mut args, "a.reference = ?", v);
        }
        if let Some(v) = &entity_id {
            and(&mut sql, &mut args, "a.entity_id = ?", v);
        }
        if filter.undelivered {
            sql.push_str(" AND NOT EXISTS (SELECT 1 FROM delivery_attempts x WHERE x.alert_id = a.id AND x.delivered)");
        }
        if let Some(v) = &filter.after {
            and(&mut sql, &mut args, "a.seq > ?", v);
        }
        args.push(&limit);
        sql.push_str(&format!(" ORDER BY a.seq LIMIT ${}", args.len()));

        let mut conn = self.reader()?;
        let Conn { client, statements, .. } = &mut *conn;
        let client: &mut Client = client;
        let select = prepared(client, statements, &sql)?;
        let alerts = client.query(&select, &args)?.iter().map(alert_of).collect::<Result<Vec<_>, _>>()?;
        let next = if alerts.len() >= filter.limit { alerts.last().map(|a| a.seq) } else { None };
        Ok(AlertPage { alerts, next })
    }

    fn record_delivery(&self, attempt: &DeliveryAttempt) -> Result<(), StoreError> {
        let mut conn = self.writer()?;
        let Conn { client, statements, .. } = &mut *conn;
        let client: &mut Client = client;
        let insert = prepared(
            client,
            statements,
            "INSERT INTO delivery_attempts (alert_id, at, delivered, status, error) VALUES ($1, $2, $3, $4, $5)",
        )?;
        client.execute(
            &insert,
            &[
                &text(&attempt.alert_id),
                &attempt.at,
                &attempt.delivered,
                &attempt.status.map(i32::from),
                &attempt.error.as_deref().map(text),
            ],
        )?;
        Ok(())
    }
}

/// Test support: creates a schema of its own (`cs_test_<16 hex>`) in the
/// database at `base_url` and returns `base_url` with the connection option
/// that makes it the search path, so each test sees an empty database.
pub fn fresh_schema_url(base_url: &str) -> Result<String, StoreError> {
    let mut client = config_of(base_url)?.connect(NoTls)?;
    let hex = uuid::Uuid::new_v4().simple().to_string();
    let schema = format!("cs_test_{}", hex.get(..16).unwrap_or(&hex));
    client.batch_execute(&format!("CREATE SCHEMA {schema}"))?;
    Ok(with_search_path(base_url, &schema))
}

/// `url` with `options=-csearch_path=<schema>`; it replaces any `options`
/// the URL had.
pub(super) fn with_search_path(url: &str, schema: &str) -> String {
    let url = url.trim();
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let separator = match url.find('?') {
            None => "?",
            Some(_) if url.ends_with('?') || url.ends_with('&') => "",
            Some(_) => "&",
        };
        // `=` inside a query value is percent-encoded; the crate decodes it.
        format!("{url}{separator}options=-csearch_path%3D{schema}")
    } else {
        format!("{url} options=-csearch_path={schema}")
    }
}

/// Test support: drops the schema a [`fresh_schema_url`] URL points at (only
/// a `cs_test_` one).
pub fn drop_fresh_schema(url: &str) -> Result<(), StoreError> {
    let mut client = config_of(url)?.connect(NoTls)?;
    let schema: Option<String> = client.query_one("SELECT current_schema()", &[])?.try_get(0)?;
    if let Some(schema) =
        schema.filter(|s| s.starts_with("cs_test_") && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
    {
        client.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))?;
    }
    Ok(())
}

/// Test support: the URL of a fresh schema ([`fresh_schema_url`]) in the
/// database named by `CARTELSCREEN_TEST_POSTGRES_URL`, or `None` when it is
/// unset and the PostgreSQL tests are skipped. With
/// `CARTELSCREEN_REQUIRE_POSTGRES=1` (CI), an unset URL fails the test
/// instead of skipping it.
///
/// # Panics
///
/// When the URL is set but the database cannot be reached, or when it is
/// unset and `CARTELSCREEN_REQUIRE_POSTGRES=1`.
pub fn test_url() -> Option<String> {
    let url = std::env::var("CARTELSCREEN_TEST_POSTGRES_URL").unwrap_or_default();
    let url = url.trim();
    if url.is_empty() {
        if std::env::var("CARTELSCREEN_REQUIRE_POSTGRES").is_ok_and(|v| v.trim() == "1") {
            panic!(
                "CARTELSCREEN_REQUIRE_POSTGRES=1 but CARTELSCREEN_TEST_POSTGRES_URL is not set: these tests require \
                 PostgreSQL (export CARTELSCREEN_TEST_POSTGRES_URL=\"$(.ci/postgres.sh)\")"
            );
        }
        return None;
    }
    match fresh_schema_url(url) {
        Ok(url) => Some(url),
        Err(e) => panic!("CARTELSCREEN_TEST_POSTGRES_URL is set but a test schema could not be created there: {e}"),
    }
}
