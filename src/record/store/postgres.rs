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
use ::postgres::types::ToSql;
use ::postgres::{Client, Config, GenericClient, IsolationLevel, NoTls, Row, Statement, Transaction};

use super::dialect::Dialect;
use super::schema::MIGRATIONS;
use super::sql::{self, json, Columns, ListSets, Param, Statements, WrittenSets};
use super::*;

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

/// The statements of this store.
fn statements() -> &'static Statements {
    Statements::of(Dialect::Postgres)
}

/// One connection and the statements prepared on it.
struct Conn {
    /// Dropped by hand (see `Drop for Conn`).
    client: std::mem::ManuallyDrop<Client>,
    /// Prepared statements by SQL text.
    cache: HashMap<String, Statement>,
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
        Conn { client: std::mem::ManuallyDrop::new(client), cache: HashMap::new(), last_used: Instant::now() }
    }
}

/// The PostgreSQL database behind the service.
pub struct PostgresStore {
    config: Config,
    writer: Mutex<Conn>,
    reader: Mutex<Conn>,
    /// The list sets this instance has inserted.
    written: WrittenSets,
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
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the URL is invalid, the server cannot be reached, or a migration fails.
    pub fn connect(url: &str) -> Result<PostgresStore, StoreError> {
        let config = config_of(url)?;
        let mut writer = config.connect(NoTls)?;
        migrate(&mut writer, i64::MAX)?;
        let reader = config.connect(NoTls)?;
        Ok(PostgresStore {
            config,
            writer: Mutex::new(Conn::new(writer)),
            reader: Mutex::new(Conn::new(reader)),
            written: WrittenSets::default(),
        })
    }

    /// The migrations applied to this database: `(version, applied_at)`,
    /// by version.
    #[cfg(test)]
    pub(crate) fn applied_migrations(&self) -> Result<Vec<(i64, Millis)>, StoreError> {
        let mut conn = self.reader()?;
        let rows = conn.client.query(&statements().applied_migrations, &[])?;
        rows.iter().map(|r| Ok((i64::from(r.try_get::<_, i32>(0)?), r.int(1)?))).collect()
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

/// Applies the migrations not yet applied, up to version `last`, each in
/// its own transaction, under an advisory lock so that replicas starting
/// together wait for one another instead of racing.
pub(super) fn migrate(client: &mut Client, last: i64) -> Result<(), StoreError> {
    for m in MIGRATIONS.iter().take_while(|m| m.version <= last) {
        let version = i32::try_from(m.version).map_err(|_| StoreError::Corrupt("migration version".into()))?;
        let mut tx = client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
        tx.batch_execute(&statements().schema_migrations)?;
        let applied = tx.query_opt(&statements().migration_applied, &[&version])?.is_some();
        if !applied {
            tx.batch_execute(&m.sql(Dialect::Postgres))?;
            tx.execute(&statements().insert_migration, &[&version, &now_millis()])?;
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

/// Inserts `records` (and their hits) at the head of the chain, numbered
/// and hashed, and moves the head, inside the caller's transaction: the
/// head's row stays locked until it ends, so the appends of every replica
/// form one chain.
fn append_chained(
    tx: &mut Transaction<'_>,
    cache: &mut HashMap<String, Statement>,
    records: &[AuditRecord],
) -> Result<(), StoreError> {
    let select = prepared(tx, cache, &statements().select_head)?;
    let row =
        tx.query_opt(&select, &[])?.ok_or_else(|| StoreError::Corrupt("the audit chain's head is missing".into()))?;
    let (head_seq, head_hash): (i64, String) = (row.try_get(0)?, row.try_get(1)?);
    let (chained, (new_seq, new_hash)) = crate::record::chain::extend((head_seq, &head_hash), records);
    let n = chained.len();
    let mut seq = Vec::with_capacity(n);
    let mut hash = Vec::with_capacity(n);
    let mut uid = Vec::with_capacity(n);
    let mut at = Vec::with_capacity(n);
    let mut kind = Vec::with_capacity(n);
    let mut channel = Vec::with_capacity(n);
    let mut request_id = Vec::with_capacity(n);
    let mut caller = Vec::with_capacity(n);
    let mut item = Vec::with_capacity(n);
    let mut reference = Vec::with_capacity(n);
    let mut subject = Vec::with_capacity(n);
    let mut engine_version = Vec::with_capacity(n);
    let mut config_hash = Vec::with_capacity(n);
    let mut decision = Vec::with_capacity(n);
    let mut flags = Vec::with_capacity(n);
    let mut list_set = Vec::with_capacity(n);
    let hit_count: usize = chained.iter().map(|r| r.hits.len()).sum();
    let mut h_uid = Vec::with_capacity(hit_count);
    let mut h_ord = Vec::with_capacity(hit_count);
    let mut h_entity = Vec::with_capacity(hit_count);
    let mut h_list = Vec::with_capacity(hit_count);
    let mut h_score = Vec::with_capacity(hit_count);
    let mut h_decision = Vec::with_capacity(hit_count);
    let mut h_flags = Vec::with_capacity(hit_count);
    for r in &chained {
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
        seq.push(r.seq);
        hash.push(r.hash.as_deref());
        uid.push(u);
        at.push(r.at);
        kind.push(text(&r.kind));
        channel.push(text(&r.channel));
        request_id.push(text(&r.request_id));
        caller.push(text(&r.caller));
        item.push(r.item);
        reference.push(opt_text(&r.reference));
        subject.push(json(&r.subject));
        engine_version.push(text(&r.engine_version));
        config_hash.push(text(&r.config_hash));
        decision.push(opt_text(&r.decision));
        flags.push(json(&r.flags));
        list_set.push(text(&r.lists.fingerprint));
    }
    let lists = vec![sql::LISTS_IN_SET; n];
    let insert = prepared(tx, cache, &statements().insert_records)?;
    tx.execute(
        &insert,
        &[
            &seq,
            &hash,
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
            &list_set,
        ],
    )?;
    if hit_count > 0 {
        let insert = prepared(tx, cache, &statements().insert_hits)?;
        tx.execute(&insert, &[&h_uid, &h_ord, &h_entity, &h_list, &h_score, &h_decision, &h_flags])?;
    }
    let update = prepared(tx, cache, &statements().update_head)?;
    tx.execute(&update, &[&new_seq, &new_hash])?;
    Ok(())
}

/// Text PostgreSQL accepts: NUL replaced.
fn text(s: &str) -> Cow<'_, str> {
    Dialect::Postgres.text(s)
}

fn opt_text(s: &Option<String>) -> Option<Cow<'_, str>> {
    s.as_deref().map(text)
}

impl Columns for Row {
    fn int(&self, i: usize) -> Result<i64, StoreError> {
        Ok(self.try_get(i)?)
    }

    fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        Ok(self.try_get(i)?)
    }

    fn text(&self, i: usize) -> Result<&str, StoreError> {
        Ok(self.try_get(i)?)
    }

    fn opt_text(&self, i: usize) -> Result<Option<&str>, StoreError> {
        Ok(self.try_get(i)?)
    }

    fn opt_float(&self, i: usize) -> Result<Option<f64>, StoreError> {
        Ok(self.try_get(i)?)
    }

    fn name(&self, i: usize) -> String {
        self.columns().get(i).map_or_else(|| i.to_string(), |c| c.name().to_string())
    }
}

/// The parameters of a page query, as the client binds them.
fn bind<'a>(params: &'a [Param<'_>]) -> Vec<&'a (dyn ToSql + Sync)> {
    params
        .iter()
        .map(|p| -> &(dyn ToSql + Sync) {
            match p {
                Param::Int(v) => v,
                Param::Text(v) => v,
            }
        })
        .collect()
}

/// `rows`, each decoded by `decode`.
fn decode<T>(rows: &[Row], decode: impl FnMut(&Row) -> Result<T, StoreError>) -> Result<Vec<T>, StoreError> {
    rows.iter().map(decode).collect()
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
        let new_sets = self.written.missing(records)?;
        let mut conn = self.writer()?;
        let Conn { client, cache, .. } = &mut *conn;
        let client: &mut Client = client;
        let mut tx = client.transaction()?;
        if !new_sets.is_empty() {
            let insert = prepared(&mut tx, cache, &statements().insert_list_set)?;
            for set in &new_sets {
                tx.execute(&insert, &[&text(&set.fingerprint), &json(&set.versions)])?;
            }
        }
        append_chained(&mut tx, cache, records)?;
        tx.commit()?;
        self.written.remember(&new_sets);
        Ok(())
    }

    fn chain_head(&self) -> Result<(i64, String), StoreError> {
        let mut conn = self.reader()?;
        let row = conn.client.query_opt("SELECT seq, hash FROM audit_chain_head WHERE id = 1", &[])?;
        let row = row.ok_or_else(|| StoreError::Corrupt("the audit chain's head is missing".into()))?;
        Ok((row.try_get(0)?, row.try_get(1)?))
    }

    fn set_retention_days(&self, days: u32) -> Result<(), StoreError> {
        let mut conn = self.writer()?;
        let Conn { client, cache, .. } = &mut *conn;
        let client: &mut Client = client;
        let update = prepared(client, cache, &statements().set_retention)?;
        client.execute(&update, &[&i64::from(days)])?;
        Ok(())
    }

    fn purge_audit(&self, purge_record: &dyn Fn(&Purge) -> AuditRecord) -> Result<Option<Purge>, StoreError> {
        let mut conn = self.writer()?;
        let Conn { client, cache, .. } = &mut *conn;
        let client: &mut Client = client;
        let mut tx = client.transaction()?;
        let s = statements();
        // The head first: purges and appends of every replica queue on it.
        let head = prepared(&mut tx, cache, &s.select_head)?;
        tx.query_one(&head, &[])?;
        let cutoff = prepared(&mut tx, cache, &s.purge_cutoff)?;
        let row = tx.query_one(&cutoff, &[])?;
        let (before, days): (i64, i64) = (row.try_get(0)?, row.try_get(1)?);
        if days <= 0 {
            return Ok(None);
        }
        let first_young = prepared(&mut tx, cache, &s.first_young)?;
        let limit: Option<i64> = tx.query_one(&first_young, &[&before])?.try_get(0)?;
        let range = prepared(&mut tx, cache, &s.purge_range)?;
        let row = tx.query_one(&range, &[&limit.unwrap_or(i64::MAX)])?;
        let (first, last, count): (Option<i64>, Option<i64>, i64) = (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
        let (Some(first_seq), Some(last_seq)) = (first, last) else {
            return Ok(None);
        };
        let hash_of = prepared(&mut tx, cache, &s.hash_of)?;
        let last_hash: Option<String> = tx.query_one(&hash_of, &[&last_seq])?.try_get(0)?;
        let delete = prepared(&mut tx, cache, &s.purge_hits)?;
        tx.execute(&delete, &[&last_seq])?;
        let delete = prepared(&mut tx, cache, &s.purge_records)?;
        tx.execute(&delete, &[&last_seq])?;
        let purge = Purge { first_seq, last_seq, records: count.max(0) as u64, last_hash, before };
        let record = [purge_record(&purge)];
        let new_sets = self.written.missing(&record)?;
        if !new_sets.is_empty() {
            let insert = prepared(&mut tx, cache, &s.insert_list_set)?;
            for set in &new_sets {
                tx.execute(&insert, &[&text(&set.fingerprint), &json(&set.versions)])?;
            }
        }
        append_chained(&mut tx, cache, &record)?;
        tx.commit()?;
        self.written.remember(&new_sets);
        Ok(Some(purge))
    }

    fn audit(&self, filter: &AuditFilter) -> Result<AuditPage, StoreError> {
        if filter.limit == 0 {
            return Ok(AuditPage { records: Vec::new(), next: None });
        }
        let query = sql::audit_query(Dialect::Postgres, filter);
        let mut conn = self.reader()?;
        let Conn { client, cache, .. } = &mut *conn;
        let client: &mut Client = client;
        let mut tx = snapshot(client)?;
        let select = prepared(&mut tx, cache, &query.sql)?;
        let mut sets = ListSets::default();
        let mut records = decode(&tx.query(&select, &bind(&query.params))?, |row| sql::record(row, &mut sets))?;
        if !records.is_empty() {
            let uids: Vec<&str> = records.iter().map(|r| r.uid.as_str()).collect();
            let select = prepared(&mut tx, cache, &statements().select_hits)?;
            let rows = tx.query(&select, &[&uids])?;
            let mut hits: HashMap<&str, Vec<AuditHit>> = HashMap::new();
            for row in &rows {
                let (uid, hit) = sql::hit(row)?;
                hits.entry(uid).or_default().push(hit);
            }
            for r in &mut records {
                if let Some(h) = hits.remove(r.uid.as_str()) {
                    r.hits = h;
                }
            }
        }
        tx.commit()?;
        let next = sql::next_cursor(records.len(), filter.limit, records.last().and_then(|r| r.seq));
        Ok(AuditPage { records, next })
    }

    fn add_disposition(&self, d: &Disposition) -> Result<(), StoreError> {
        let mut conn = self.writer()?;
        let Conn { client, cache, .. } = &mut *conn;
        let client: &mut Client = client;
        let mut tx = client.transaction()?;
        let insert = prepared(&mut tx, cache, &statements().insert_disposition)?;
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
            let insert = prepared(&mut tx, cache, &statements().insert_revocation)?;
            tx.execute(&insert, &[&text(&d.id), &r.at, &text(&r.by), &text(&r.reason)])?;
        }
        tx.commit()?;
        Ok(())
    }

    fn revoke_disposition(&self, id: &str, revocation: &Revocation) -> Result<bool, StoreError> {
        let mut conn = self.writer()?;
        let Conn { client, cache, .. } = &mut *conn;
        let client: &mut Client = client;
        let insert = prepared(client, cache, &statements().revoke)?;
        let n =
            client.execute(&insert, &[&text(id), &revocation.at, &text(&revocation.by), &text(&revocation.reason)])?;
        Ok(n == 1)
    }

    fn dispositions(&self) -> Result<Vec<Disposition>, StoreError> {
        let mut conn = self.reader()?;
        let Conn { client, cache, .. } = &mut *conn;
        let client: &mut Client = client;
        let select = prepared(client, cache, &statements().select_dispositions)?;
        decode(&client.query(&select, &[])?, sql::disposition)
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
        let Conn { client, cache, .. } = &mut *conn;
        let client: &mut Client = client;
        let upsert = prepared(client, cache, &statements().upsert_monitored)?;
        client.execute(&upsert, &[&reference, &registered_at, &registered_by, &counterparty])?;
        Ok(())
    }

    fn remove_monitored(&self, reference: &str) -> Result<bool, StoreError> {
        let mut conn = self.writer()?;
        let Conn { client, cache, .. } = &mut *conn;
        let client: &mut Client = client;
        let delete = prepared(client, cache, &statements().delete_monitored)?;
        Ok(client.execute(&delete, &[&text(reference)])? > 0)
    }

    fn monitored(&self, after: Option<&str>, limit: usize) -> Result<Vec<Monitored>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut conn = self.reader()?;
        let Conn { client, cache, .. } = &mut *conn;
        let client: &mut Client = client;
        let rows = match after {
            Some(after) => {
                let select = prepared(client, cache, &statements().monitored_after)?;
                client.query(&select, &[&text(after), &limit])?
            }
            None => {
                let select = prepared(client, cache, &statements().monitored_first)?;
                client.query(&select, &[&limit])?
            }
        };
        decode(&rows, sql::monitored)
    }

    fn monitored_count(&self) -> Result<u64, StoreError> {
        let mut conn = self.reader()?;
        let Conn { client, cache, .. } = &mut *conn;
        let client: &mut Client = client;
        let count = prepared(client, cache, &statements().count_monitored)?;
        let n = client.query_one(&count, &[])?.int(0)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    fn list_state(&self, deployment: &str) -> Result<Option<ListState>, StoreError> {
        let deployment = text(deployment);
        let mut conn = self.reader()?;
        let Conn { client, cache, .. } = &mut *conn;
        let client: &mut Client = client;
        let mut tx = snapshot(client)?;
        let select = prepared(&mut tx, cache, &statements().select_list_state)?;
        let Some(row) = tx.query_opt(&select, &[&deployment])? else {
            tx.commit()?;
            return Ok(None);
        };
        let mut state = sql::list_state(&row)?;
        let select = prepared(&mut tx, cache, &statements().select_snapshot)?;
        state.entities = decode(&tx.query(&select, &[&deployment])?, sql::snapshot_entry)?;
        tx.commit()?;
        Ok(Some(state))
    }

    fn commit_list_change(
        &self,
        deployment: &str,
        expected: Option<&str>,
        new: &ListState,
        alerts: &[Alert],
    ) -> Result<bool, StoreError> {
        let deployment = text(deployment);
        // Snapshot rows, one per id (the last given winning), as arrays.
        let (entity_ids, signatures): (Vec<Cow<'_, str>>, Vec<Cow<'_, str>>) =
            sql::unique_entities(Dialect::Postgres, &new.entities).into_iter().unzip();

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
        let Conn { client, cache, .. } = &mut *conn;
        let client: &mut Client = client;
        let mut tx = client.transaction()?;
        // Replicas committing the same change queue here; the second then
        // finds the state moved on and writes nothing.
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LIST_LOCK])?;
        let select = prepared(&mut tx, cache, &statements().lock_list_state)?;
        let current: Option<String> = match tx.query_opt(&select, &[&deployment])? {
            Some(row) => Some(row.string(0)?),
            None => None,
        };
        if current.as_deref() != expected.map(text).as_deref() {
            tx.rollback()?;
            return Ok(false);
        }
        let upsert = prepared(&mut tx, cache, &statements().upsert_list_state)?;
        tx.execute(&upsert, &[&deployment, &text(&new.fingerprint), &json(&new.versions), &new.updated_at])?;
        let delete = prepared(&mut tx, cache, &statements().delete_snapshot)?;
        tx.execute(&delete, &[&deployment])?;
        if !entity_ids.is_empty() {
            let insert = prepared(&mut tx, cache, &statements().insert_snapshot)?;
            tx.execute(&insert, &[&deployment, &entity_ids, &signatures])?;
        }
        if !alerts.is_empty() {
            let insert = prepared(&mut tx, cache, &statements().insert_alerts)?;
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
        let query = sql::alert_query(Dialect::Postgres, filter);
        let mut conn = self.reader()?;
        let Conn { client, cache, .. } = &mut *conn;
        let client: &mut Client = client;
        let select = prepared(client, cache, &query.sql)?;
        let alerts = decode(&client.query(&select, &bind(&query.params))?, sql::alert)?;
        let next = sql::next_cursor(alerts.len(), filter.limit, alerts.last().map(|a| a.seq));
        Ok(AlertPage { alerts, next })
    }

    fn record_delivery(&self, attempt: &DeliveryAttempt) -> Result<(), StoreError> {
        let mut conn = self.writer()?;
        let Conn { client, cache, .. } = &mut *conn;
        let client: &mut Client = client;
        let insert = prepared(client, cache, &statements().insert_delivery)?;
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
fn fresh_schema_url(base_url: &str) -> Result<String, StoreError> {
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

/// Test support (for the tests of this crate and its integration tests,
/// hence public): the URL of a fresh schema (`cs_test_<16 hex>`, made the
/// search path) in the database named by `CARTELSCREEN_TEST_POSTGRES_URL`,
/// or `None` when it is unset and the PostgreSQL tests are skipped. With
/// `CARTELSCREEN_REQUIRE_POSTGRES=1` (CI), an unset URL fails the test
/// instead of skipping it.
///
/// # Panics
///
/// When the URL is set but the database cannot be reached, or when it is
/// unset and `CARTELSCREEN_REQUIRE_POSTGRES=1`.
#[doc(hidden)]
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
