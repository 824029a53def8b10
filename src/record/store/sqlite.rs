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

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Params, Row, ToSql, TransactionBehavior};

use super::dialect::Dialect;
use super::schema::MIGRATIONS;
use super::sql::{self, json, Columns, ListSets, Param, Statements, WrittenSets};
use super::*;

/// How long a connection waits for another's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Statements kept prepared per connection (the fixed ones plus the filter
/// combinations of `audit` and `alerts` actually used).
const STATEMENT_CACHE: usize = 128;

/// The statements of this store.
fn statements() -> &'static Statements {
    Statements::of(Dialect::Sqlite)
}

/// The SQLite database behind the service.
pub struct SqliteStore {
    path: PathBuf,
    writer: Mutex<Connection>,
    reader: Mutex<Connection>,
    /// The list sets this instance has inserted.
    written: WrittenSets,
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
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the folder or file cannot be created, the file is not a database, or a
    /// migration fails.
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
        migrate(&mut writer, i64::MAX)?;
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
            written: WrittenSets::default(),
            stop_checkpoints: stop,
        })
    }

    /// The file this store writes.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The migrations applied to this database: `(version, applied_at)`,
    /// by version.
    #[cfg(test)]
    pub(crate) fn applied_migrations(&self) -> Result<Vec<(i64, Millis)>, StoreError> {
        let conn = lock(&self.reader);
        let mut stmt = conn.prepare_cached(&statements().applied_migrations)?;
        rows(&mut stmt, [], |r| Ok((r.int(0)?, r.int(1)?)))
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

/// Applies the migrations not yet applied, up to version `last`, each in
/// its own transaction. `BEGIN IMMEDIATE` makes a second process opening
/// the file at the same time wait, then find the version applied.
pub(super) fn migrate(conn: &mut Connection, last: i64) -> Result<(), StoreError> {
    conn.execute_batch(&statements().schema_migrations)?;
    for m in MIGRATIONS.iter().take_while(|m| m.version <= last) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let applied = tx.prepare(&statements().migration_applied)?.exists([m.version])?;
        if !applied {
            tx.execute_batch(&m.sql(Dialect::Sqlite))?;
            tx.execute(&statements().insert_migration, params![m.version, now_millis()])?;
            tracing::info!(version = m.version, "audit database migrated");
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

/// The chain's head as `conn` sees it.
fn head(conn: &Connection) -> Result<(i64, String), StoreError> {
    let head = conn.prepare_cached(&statements().select_head)?.query_row([], |r| Ok((r.get(0)?, r.get(1)?)));
    head.map_err(|e| match e {
        rusqlite::Error::QueryReturnedNoRows => StoreError::Corrupt("the audit chain's head is missing".into()),
        e => e.into(),
    })
}

/// Inserts `records` (and their hits) at the head of the chain, numbered
/// and hashed, and moves the head; inside the caller's write transaction,
/// which holds the database, so no other writer extends the chain between.
fn append_chained(tx: &rusqlite::Transaction<'_>, records: &[AuditRecord]) -> Result<(), StoreError> {
    let (seq, hash) = head(tx)?;
    let (chained, (seq, hash)) = crate::record::chain::extend((seq, &hash), records);
    let mut insert_record = tx.prepare_cached(&statements().insert_records)?;
    let mut insert_hit = tx.prepare_cached(&statements().insert_hits)?;
    for r in &chained {
        insert_record.execute(params![
            r.seq,
            r.hash,
            r.uid,
            r.at,
            r.kind,
            r.channel,
            r.request_id,
            r.caller,
            r.item,
            r.reference,
            json(&r.subject),
            sql::LISTS_IN_SET,
            r.engine_version,
            r.config_hash,
            r.decision,
            json(&r.flags),
            r.lists.fingerprint,
        ])?;
        for (ord, h) in r.hits.iter().enumerate() {
            insert_hit.execute(params![r.uid, ord as i64, h.entity_id, h.list, h.score, h.decision, json(&h.flags)])?;
        }
    }
    tx.prepare_cached(&statements().update_head)?.execute(params![seq, hash])?;
    Ok(())
}

impl Columns for Row<'_> {
    fn int(&self, i: usize) -> Result<i64, StoreError> {
        Ok(self.get(i)?)
    }

    fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        Ok(self.get(i)?)
    }

    fn text(&self, i: usize) -> Result<&str, StoreError> {
        let value = self.get_ref(i)?;
        value.as_str().map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, value.data_type(), Box::new(e)).into())
    }

    fn opt_text(&self, i: usize) -> Result<Option<&str>, StoreError> {
        match self.get_ref(i)? {
            ValueRef::Null => Ok(None),
            _ => self.text(i).map(Some),
        }
    }

    fn opt_float(&self, i: usize) -> Result<Option<f64>, StoreError> {
        Ok(self.get(i)?)
    }

    fn name(&self, i: usize) -> String {
        self.as_ref().column_name(i).map_or_else(|_| i.to_string(), str::to_string)
    }
}

impl ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        match self {
            Param::Int(v) => v.to_sql(),
            Param::Text(v) => v.to_sql(),
        }
    }
}

/// The rows `stmt` answers, each decoded by `decode`.
fn rows<'s, T>(
    stmt: &'s mut rusqlite::Statement<'_>,
    params: impl Params,
    mut decode: impl FnMut(&Row<'s>) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(decode(row)?);
    }
    Ok(out)
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
        let new_sets = self.written.missing(records)?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut insert_set = tx.prepare_cached(&statements().insert_list_set)?;
            for set in &new_sets {
                insert_set.execute(params![set.fingerprint, json(&set.versions)])?;
            }
        }
        append_chained(&tx, records)?;
        tx.commit()?;
        self.written.remember(&new_sets);
        Ok(())
    }

    fn chain_head(&self) -> Result<(i64, String), StoreError> {
        let conn = lock(&self.reader);
        head(&conn)
    }

    fn set_retention_days(&self, days: u32) -> Result<(), StoreError> {
        lock(&self.writer).prepare_cached(&statements().set_retention)?.execute([i64::from(days)])?;
        Ok(())
    }

    fn purge_audit(&self, purge_record: &dyn Fn(&Purge) -> AuditRecord) -> Result<Option<Purge>, StoreError> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let s = statements();
        let (before, days): (i64, i64) =
            tx.prepare_cached(&s.purge_cutoff)?.query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        if days <= 0 {
            return Ok(None);
        }
        let first_young: Option<i64> = tx.prepare_cached(&s.first_young)?.query_row([before], |r| r.get(0))?;
        let limit = first_young.unwrap_or(i64::MAX);
        let (first, last, count): (Option<i64>, Option<i64>, i64) =
            tx.prepare_cached(&s.purge_range)?.query_row([limit], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        let (Some(first_seq), Some(last_seq)) = (first, last) else {
            return Ok(None);
        };
        let last_hash: Option<String> = tx.prepare_cached(&s.hash_of)?.query_row([last_seq], |r| r.get(0))?;
        tx.prepare_cached(&s.purge_hits)?.execute([last_seq])?;
        tx.prepare_cached(&s.purge_records)?.execute([last_seq])?;
        let purge = Purge { first_seq, last_seq, records: count.max(0) as u64, last_hash, before };
        let record = [purge_record(&purge)];
        let new_sets = self.written.missing(&record)?;
        for set in &new_sets {
            tx.prepare_cached(&s.insert_list_set)?.execute(params![set.fingerprint, json(&set.versions)])?;
        }
        append_chained(&tx, &record)?;
        tx.commit()?;
        self.written.remember(&new_sets);
        Ok(Some(purge))
    }

    fn audit(&self, filter: &AuditFilter) -> Result<AuditPage, StoreError> {
        if filter.limit == 0 {
            return Ok(AuditPage { records: Vec::new(), next: None });
        }
        let query = sql::audit_query(Dialect::Sqlite, filter);
        let mut conn = lock(&self.reader);
        let tx = conn.transaction()?;
        let mut sets = ListSets::default();
        let mut records = rows(&mut *tx.prepare_cached(&query.sql)?, params_from_iter(&query.params), |row| {
            sql::record(row, &mut sets)
        })?;
        {
            let mut hits = tx.prepare_cached(&statements().select_hits)?;
            for r in &mut records {
                r.hits = rows(&mut hits, [&r.uid], |row| Ok(sql::hit(row)?.1))?;
            }
        }
        tx.commit()?;
        let next = sql::next_cursor(records.len(), filter.limit, records.last().and_then(|r| r.seq));
        Ok(AuditPage { records, next })
    }

    fn add_disposition(&self, d: &Disposition) -> Result<(), StoreError> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.prepare_cached(&statements().insert_disposition)?.execute(params![
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
            tx.prepare_cached(&statements().insert_revocation)?.execute(params![d.id, r.at, r.by, r.reason])?;
        }
        tx.commit()?;
        Ok(())
    }

    fn revoke_disposition(&self, id: &str, revocation: &Revocation) -> Result<bool, StoreError> {
        let conn = lock(&self.writer);
        let n = conn.prepare_cached(&statements().revoke)?.execute(params![
            id,
            revocation.at,
            revocation.by,
            revocation.reason
        ])?;
        Ok(n == 1)
    }

    fn dispositions(&self) -> Result<Vec<Disposition>, StoreError> {
        let conn = lock(&self.reader);
        let mut select = conn.prepare_cached(&statements().select_dispositions)?;
        rows(&mut select, [], sql::disposition)
    }

    fn put_monitored(&self, items: &[Monitored]) -> Result<(), StoreError> {
        if items.is_empty() {
            return Ok(());
        }
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            // One upsert per item, in order: the last given for a reference wins.
            let mut upsert = tx.prepare_cached(&statements().upsert_monitored)?;
            for m in items {
                upsert.execute(params![m.reference, m.registered_at, m.registered_by, json(&m.counterparty)])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn remove_monitored(&self, reference: &str) -> Result<bool, StoreError> {
        let conn = lock(&self.writer);
        let n = conn.prepare_cached(&statements().delete_monitored)?.execute([reference])?;
        Ok(n > 0)
    }

    fn monitored(&self, after: Option<&str>, limit: usize) -> Result<Vec<Monitored>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let conn = lock(&self.reader);
        let page = match after {
            Some(after) => {
                rows(&mut *conn.prepare_cached(&statements().monitored_after)?, params![after, limit], sql::monitored)?
            }
            None => rows(&mut *conn.prepare_cached(&statements().monitored_first)?, [limit], sql::monitored)?,
        };
        Ok(page)
    }

    fn monitored_count(&self) -> Result<u64, StoreError> {
        let conn = lock(&self.reader);
        let n: i64 = conn.prepare_cached(&statements().count_monitored)?.query_row([], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    fn list_state(&self, deployment: &str) -> Result<Option<ListState>, StoreError> {
        let mut conn = lock(&self.reader);
        let tx = conn.transaction()?;
        let Some(mut state) =
            rows(&mut *tx.prepare_cached(&statements().select_list_state)?, [deployment], sql::list_state)?
                .into_iter()
                .next()
        else {
            return Ok(None);
        };
        state.entities =
            rows(&mut *tx.prepare_cached(&statements().select_snapshot)?, [deployment], sql::snapshot_entry)?;
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
        let mut conn = lock(&self.writer);
        // IMMEDIATE: the write lock is taken before the state is read, so
        // another process cannot commit between the check and the write.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current: Option<String> =
            tx.prepare_cached(&statements().lock_list_state)?.query_row([deployment], |r| r.get(0)).optional()?;
        if current.as_deref() != expected {
            return Ok(false);
        }
        tx.prepare_cached(&statements().upsert_list_state)?.execute(params![
            deployment,
            new.fingerprint,
            json(&new.versions),
            new.updated_at
        ])?;
        tx.prepare_cached(&statements().delete_snapshot)?.execute([deployment])?;
        {
            let mut insert = tx.prepare_cached(&statements().insert_snapshot)?;
            for (id, signature) in sql::unique_entities(Dialect::Sqlite, &new.entities) {
                insert.execute(params![deployment, id, signature])?;
            }
            let mut insert = tx.prepare_cached(&statements().insert_alerts)?;
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
        let query = sql::alert_query(Dialect::Sqlite, filter);
        let conn = lock(&self.reader);
        let alerts = rows(&mut *conn.prepare_cached(&query.sql)?, params_from_iter(&query.params), sql::alert)?;
        let next = sql::next_cursor(alerts.len(), filter.limit, alerts.last().map(|a| a.seq));
        Ok(AlertPage { alerts, next })
    }

    fn record_delivery(&self, attempt: &DeliveryAttempt) -> Result<(), StoreError> {
        let conn = lock(&self.writer);
        conn.prepare_cached(&statements().insert_delivery)?.execute(params![
            attempt.alert_id,
            attempt.at,
            attempt.delivered,
            attempt.status.map(i64::from),
            attempt.error
        ])?;
        Ok(())
    }
}
