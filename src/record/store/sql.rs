//! The statements both stores run, the one query builder for a page of
//! the trail or of the alerts, and the decoding of rows, shared: each store
//! only binds parameters and reads columns its own way ([`Columns`]).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, OnceLock};

use serde::de::DeserializeOwned;

use super::dialect::{col, Column, Dialect};
use super::*;

/// The columns a record is inserted with, in order.
const RECORD_COLUMNS: &[Column] = &[
    col("seq", "int8"),
    col("hash", "text"),
    col("uid", "text"),
    col("at", "int8"),
    col("kind", "text"),
    col("channel", "text"),
    col("request_id", "text"),
    col("caller", "text"),
    col("item", "int8"),
    col("reference", "text"),
    col("subject", "text"),
    col("lists", "text"),
    col("engine_version", "text"),
    col("config_hash", "text"),
    col("decision", "text"),
    col("flags", "text"),
    col("list_set", "text"),
];

const HIT_COLUMNS: &[Column] = &[
    col("record_uid", "text"),
    col("ord", "int4"),
    col("entity_id", "text"),
    col("list", "text"),
    col("score", "float8"),
    col("decision", "text"),
    col("flags", "text"),
];

const MONITORED_COLUMNS: &[Column] = &[
    col("reference", "text"),
    col("registered_at", "int8"),
    col("registered_by", "text"),
    col("counterparty", "text"),
];

const ALERT_COLUMNS: &[Column] = &[
    col("id", "text"),
    col("created_at", "int8"),
    col("reference", "text"),
    col("entity_id", "text"),
    col("list", "text"),
    col("caption", "text"),
    col("score", "float8"),
    col("decision", "text"),
    col("flags", "text"),
    col("change", "text"),
    col("changed", "text"),
    col("from_lists", "text"),
    col("to_lists", "text"),
];

/// A record as [`record`] reads it, without `WHERE`: its list versions
/// from its list set, or, for a record written before list sets (which has
/// none), from its own `lists`.
const SELECT_RECORDS: &str = "SELECT r.seq, r.uid, r.at, r.kind, r.channel, r.request_id, r.caller, r.item, \
    r.reference, r.subject, COALESCE(l.versions, r.lists), r.engine_version, r.config_hash, r.decision, r.flags, r.hash \
    FROM audit_records r LEFT JOIN list_sets l ON l.fingerprint = r.list_set";

/// An alert and its delivery state as [`alert`] reads it, without `WHERE`;
/// `{delivered}` is the dialect's `x.delivered` condition.
const SELECT_ALERTS: &str = "SELECT a.seq, a.id, a.created_at, a.reference, a.entity_id, a.list, a.caption, \
    a.score, a.decision, a.flags, a.change, a.changed, a.from_lists, a.to_lists, \
    (SELECT count(*) FROM delivery_attempts x WHERE x.alert_id = a.id), \
    (SELECT max(x.at) FROM delivery_attempts x WHERE x.alert_id = a.id), \
    (SELECT min(x.at) FROM delivery_attempts x WHERE x.alert_id = a.id AND {delivered}), \
    (SELECT x.error FROM delivery_attempts x WHERE x.alert_id = a.id ORDER BY x.at DESC, x.seq DESC LIMIT 1) \
    FROM alerts a";

const MONITORED: &str = "SELECT reference, registered_at, registered_by, counterparty FROM monitored";

/// Every statement of the stores, in one dialect.
#[derive(Debug)]
pub(super) struct Statements {
    pub(super) schema_migrations: String,
    pub(super) migration_applied: String,
    pub(super) insert_migration: String,
    #[cfg(test)]
    pub(super) applied_migrations: String,

    /// A batch of records: SQLite one row per execution, PostgreSQL the
    /// whole batch (see [`Dialect::insert_rows`]).
    pub(super) insert_records: String,
    pub(super) insert_hits: String,
    /// A list set, unless it is there already.
    pub(super) insert_list_set: String,
    /// The hits of records, `record_uid` first: SQLite of the one record
    /// `$1`, PostgreSQL of every record in the array `$1` at once.
    pub(super) select_hits: String,
    /// The chain's head: `(seq, hash)`, locked until the transaction ends
    /// where the database locks rows.
    pub(super) select_head: String,
    pub(super) update_head: String,
    pub(super) set_retention: String,
    /// `(cutoff, retention_days)` on the database's clock.
    pub(super) purge_cutoff: String,
    /// The first record at or after the cutoff.
    pub(super) first_young: String,
    /// `(min seq, max seq, count)` of the records before `$1`.
    pub(super) purge_range: String,
    pub(super) hash_of: String,
    /// The hits, then the records, up to `seq` `$1`.
    pub(super) purge_hits: String,
    pub(super) purge_records: String,

    pub(super) insert_disposition: String,
    pub(super) insert_revocation: String,
    /// A revocation of a disposition that exists and is not yet revoked.
    pub(super) revoke: String,
    pub(super) select_dispositions: String,

    pub(super) upsert_monitored: String,
    pub(super) delete_monitored: String,
    pub(super) monitored_first: String,
    pub(super) monitored_after: String,
    pub(super) count_monitored: String,

    pub(super) select_list_state: String,
    /// The stored fingerprint, locked until the transaction ends where the
    /// database locks rows (SQLite's write transaction holds the whole file).
    pub(super) lock_list_state: String,
    pub(super) upsert_list_state: String,
    pub(super) delete_snapshot: String,
    pub(super) insert_snapshot: String,
    pub(super) select_snapshot: String,

    pub(super) insert_alerts: String,
    pub(super) insert_delivery: String,

    select_records: String,
    select_alerts: String,
}

impl Statements {
    /// The statements of `dialect`, rendered once.
    pub(super) fn of(dialect: Dialect) -> &'static Statements {
        static SQLITE: OnceLock<Statements> = OnceLock::new();
        static POSTGRES: OnceLock<Statements> = OnceLock::new();
        match dialect {
            Dialect::Sqlite => SQLITE.get_or_init(|| Statements::new(dialect)),
            Dialect::Postgres => POSTGRES.get_or_init(|| Statements::new(dialect)),
        }
    }

    fn new(d: Dialect) -> Statements {
        let r = |sql: &str| d.render(sql);
        Statements {
            schema_migrations: r(super::schema::SCHEMA_MIGRATIONS),
            migration_applied: r("SELECT 1 FROM schema_migrations WHERE version = $1"),
            insert_migration: r("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)"),
            #[cfg(test)]
            applied_migrations: r("SELECT version, applied_at FROM schema_migrations ORDER BY version"),

            insert_records: d.insert_rows("audit_records", RECORD_COLUMNS, ""),
            insert_hits: d.insert_rows("audit_hits", HIT_COLUMNS, ""),
            insert_list_set: r("INSERT INTO list_sets (fingerprint, versions) VALUES ($1, $2) \
                 ON CONFLICT (fingerprint) DO NOTHING"),
            select_hits: match d {
                Dialect::Sqlite => r("SELECT record_uid, entity_id, list, score, decision, flags FROM audit_hits \
                     WHERE record_uid = $1 ORDER BY ord"),
                Dialect::Postgres => r("SELECT record_uid, entity_id, list, score, decision, flags FROM audit_hits \
                     WHERE record_uid = ANY($1::text[]) ORDER BY record_uid, ord"),
            },
            select_head: match d {
                Dialect::Sqlite => r("SELECT seq, hash FROM audit_chain_head WHERE id = 1"),
                Dialect::Postgres => r("SELECT seq, hash FROM audit_chain_head WHERE id = 1 FOR UPDATE"),
            },
            update_head: r("UPDATE audit_chain_head SET seq = $1, hash = $2 WHERE id = 1"),
            set_retention: r("UPDATE audit_policy SET retention_days = $1 WHERE id = 1"),
            purge_cutoff: r(&format!(
                "SELECT {} - retention_days * 86400000, retention_days FROM audit_policy WHERE id = 1",
                d.now_millis()
            )),
            first_young: r("SELECT min(seq) FROM audit_records WHERE at >= $1"),
            purge_range: r("SELECT min(seq), max(seq), count(*) FROM audit_records WHERE seq < $1"),
            hash_of: r("SELECT hash FROM audit_records WHERE seq = $1"),
            purge_hits: r("DELETE FROM audit_hits WHERE record_uid IN (SELECT uid FROM audit_records WHERE seq <= $1)"),
            purge_records: r("DELETE FROM audit_records WHERE seq <= $1"),

            insert_disposition: r("INSERT INTO dispositions (id, recorded_at, counterparty_key, reference, name, \
                 identifiers, entity_id, entity_signature, verdict, reason, analyst, recorded_by, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"),
            insert_revocation: r(
                "INSERT INTO disposition_revocations (disposition_id, at, revoked_by, reason) VALUES ($1, $2, $3, $4)",
            ),
            revoke: r("INSERT INTO disposition_revocations (disposition_id, at, revoked_by, reason) \
                 SELECT CAST($1 AS TEXT), CAST($2 AS BIGINT), CAST($3 AS TEXT), CAST($4 AS TEXT) \
                 WHERE EXISTS (SELECT 1 FROM dispositions WHERE id = $1) \
                 ON CONFLICT (disposition_id) DO NOTHING"),
            select_dispositions: r("SELECT d.id, d.recorded_at, d.counterparty_key, d.reference, d.name, \
                 d.identifiers, d.entity_id, d.entity_signature, d.verdict, d.reason, d.analyst, d.recorded_by, \
                 d.expires_at, v.at, v.revoked_by, v.reason \
                 FROM dispositions d LEFT JOIN disposition_revocations v ON v.disposition_id = d.id \
                 ORDER BY d.recorded_at, d.seq"),

            upsert_monitored: d.insert_rows(
                "monitored",
                MONITORED_COLUMNS,
                "ON CONFLICT (reference) DO UPDATE SET registered_at = excluded.registered_at, \
                 registered_by = excluded.registered_by, counterparty = excluded.counterparty",
            ),
            delete_monitored: r("DELETE FROM monitored WHERE reference = $1"),
            monitored_first: r(&format!("{MONITORED} ORDER BY reference LIMIT $1")),
            monitored_after: r(&format!("{MONITORED} WHERE reference > $1 ORDER BY reference LIMIT $2")),
            count_monitored: r("SELECT count(*) FROM monitored"),

            select_list_state: r("SELECT fingerprint, versions, updated_at FROM list_baselines WHERE deployment = $1"),
            lock_list_state: match d {
                Dialect::Sqlite => r("SELECT fingerprint FROM list_baselines WHERE deployment = $1"),
                Dialect::Postgres => r("SELECT fingerprint FROM list_baselines WHERE deployment = $1 FOR UPDATE"),
            },
            upsert_list_state: r("INSERT INTO list_baselines (deployment, fingerprint, versions, updated_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (deployment) DO UPDATE SET fingerprint = excluded.fingerprint, \
                 versions = excluded.versions, updated_at = excluded.updated_at"),
            delete_snapshot: r("DELETE FROM list_baseline_entities WHERE deployment = $1"),
            insert_snapshot: match d {
                Dialect::Sqlite => {
                    r("INSERT INTO list_baseline_entities (deployment, entity_id, signature) VALUES ($1, $2, $3)")
                }
                Dialect::Postgres => r("INSERT INTO list_baseline_entities (deployment, entity_id, signature) \
                     SELECT $1, e, s FROM unnest($2::text[], $3::text[]) AS t(e, s)"),
            },
            select_snapshot: r(
                "SELECT entity_id, signature FROM list_baseline_entities WHERE deployment = $1 ORDER BY entity_id",
            ),

            insert_alerts: d.insert_rows("alerts", ALERT_COLUMNS, ""),
            insert_delivery: r(
                "INSERT INTO delivery_attempts (alert_id, at, delivered, status, error) VALUES ($1, $2, $3, $4, $5)",
            ),

            select_records: r(SELECT_RECORDS),
            select_alerts: r(&SELECT_ALERTS.replace("{delivered}", &d.is_true("x.delivered"))),
        }
    }
}

/// A parameter of a page query.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Param<'a> {
    Int(i64),
    Text(Cow<'a, str>),
}

/// A statement and its parameters, in order.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Query<'a> {
    pub(super) sql: String,
    pub(super) params: Vec<Param<'a>>,
}

/// A condition of a filter: SQL with one `?` for its value, or with none.
type Condition<'a> = (Cow<'static, str>, Option<Param<'a>>);

/// The query of one page: `select`, every condition given, then the rows
/// after the cursor by `seq`, at most `limit` of them. The one builder of
/// both filters ([`audit_query`], [`alert_query`]) in both dialects.
fn page_query<'a>(
    d: Dialect,
    select: &str,
    seq: &str,
    conditions: Vec<Condition<'a>>,
    after: Option<i64>,
    limit: usize,
    newest_first: bool,
) -> Query<'a> {
    let (beyond, order) = if newest_first { ("<", " DESC") } else { (">", "") };
    let after = after.map(|v| (Cow::Owned(format!("{seq} {beyond} ?")), Some(Param::Int(v))));
    let mut sql = String::from(select);
    let mut params = Vec::new();
    for (i, (clause, value)) in conditions.into_iter().chain(after).enumerate() {
        sql.push_str(if i == 0 { " WHERE " } else { " AND " });
        match value {
            Some(value) => {
                params.push(value);
                sql.push_str(&clause.replace('?', &d.param(params.len())));
            }
            None => sql.push_str(&clause),
        }
    }
    params.push(Param::Int(i64::try_from(limit).unwrap_or(i64::MAX)));
    sql.push_str(&format!(" ORDER BY {seq}{order} LIMIT {}", d.param(params.len())));
    Query { sql, params }
}

/// The conditions of `conditions` that have a value.
fn given<'a>(conditions: Vec<(&'static str, Option<Param<'a>>)>) -> Vec<Condition<'a>> {
    conditions.into_iter().filter(|(_, v)| v.is_some()).map(|(c, v)| (Cow::Borrowed(c), v)).collect()
}

/// The query of a page of the trail.
pub(super) fn audit_query<'a>(d: Dialect, f: &'a AuditFilter) -> Query<'a> {
    let text = |v: &'a Option<String>| v.as_deref().map(|s| Param::Text(d.text(s)));
    let mut conditions = given(vec![
        ("r.at >= ?", f.from.map(Param::Int)),
        ("r.at < ?", f.to.map(Param::Int)),
        ("r.kind = ?", text(&f.kind)),
        ("r.decision = ?", text(&f.decision)),
        // Driven by the hits' entity index, then the records' uid index: a
        // correlated EXISTS would read the trail from the cursor on (every
        // record of a rare entity's years of trail).
        ("r.uid IN (SELECT h.record_uid FROM audit_hits h WHERE h.entity_id = ?)", text(&f.entity_id)),
        ("r.reference = ?", text(&f.reference)),
        ("r.caller = ?", text(&f.caller)),
        ("r.request_id = ?", text(&f.request_id)),
    ]);
    if f.decision.as_deref().is_some_and(|d| d != "clear") {
        // Always true beside `decision = <not clear>`: it lets the partial
        // index of the decisions that are not `clear` serve the filter
        // (migration 3).
        conditions.push((Cow::Borrowed("r.decision <> 'clear'"), None));
    }
    page_query(d, &Statements::of(d).select_records, "r.seq", conditions, f.after, f.limit, f.newest_first)
}

/// The query of a page of alerts.
pub(super) fn alert_query<'a>(d: Dialect, f: &'a AlertFilter) -> Query<'a> {
    let text = |v: &'a Option<String>| v.as_deref().map(|s| Param::Text(d.text(s)));
    let mut conditions = given(vec![
        ("a.created_at >= ?", f.from.map(Param::Int)),
        ("a.created_at < ?", f.to.map(Param::Int)),
        ("a.reference = ?", text(&f.reference)),
        ("a.entity_id = ?", text(&f.entity_id)),
    ]);
    if f.undelivered {
        let delivered = d.is_true("x.delivered");
        let clause = format!("NOT EXISTS (SELECT 1 FROM delivery_attempts x WHERE x.alert_id = a.id AND {delivered})");
        conditions.push((Cow::Owned(clause), None));
    }
    page_query(d, &Statements::of(d).select_alerts, "a.seq", conditions, f.after, f.limit, f.newest_first)
}

/// A row's columns, read the way its database reads them. Errors name the
/// column and are [`StoreError`]s.
pub(super) trait Columns {
    fn int(&self, i: usize) -> Result<i64, StoreError>;
    fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError>;
    fn text(&self, i: usize) -> Result<&str, StoreError>;
    fn opt_text(&self, i: usize) -> Result<Option<&str>, StoreError>;
    fn opt_float(&self, i: usize) -> Result<Option<f64>, StoreError>;
    /// The column's name, for error messages.
    fn name(&self, i: usize) -> String;

    fn string(&self, i: usize) -> Result<String, StoreError> {
        self.text(i).map(str::to_string)
    }

    fn opt_string(&self, i: usize) -> Result<Option<String>, StoreError> {
        Ok(self.opt_text(i)?.map(str::to_string))
    }

    /// A score: a NULL (SQLite's NaN) reads as NaN.
    fn score(&self, i: usize) -> Result<f64, StoreError> {
        Ok(self.opt_float(i)?.unwrap_or(f64::NAN))
    }

    /// A JSON text column, parsed.
    fn json<T: DeserializeOwned>(&self, i: usize) -> Result<T, StoreError> {
        serde_json::from_str(self.text(i)?)
            .map_err(|e| StoreError::Corrupt(format!("column {} holds invalid JSON: {e}", self.name(i))))
    }
}

/// JSON text of `value`.
pub(super) fn json<T: Serialize + ?Sized>(value: &T) -> String {
    // A `serde_json::Value` or a list of strings always serializes, and
    // JSON escapes NUL.
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_string())
}

/// What a record keeps in its `lists` column now that its versions are in
/// its list set.
pub(super) const LISTS_IN_SET: &str = "";

/// The list sets a store instance has written, by fingerprint: each is
/// inserted once per instance, with the first records that use it.
#[derive(Debug, Default)]
pub(super) struct WrittenSets(Mutex<HashSet<String>>);

impl WrittenSets {
    /// The sets `records` use that this instance has not written yet, each
    /// once, in order of first use.
    ///
    /// # Errors
    ///
    /// [`StoreError::Corrupt`] if one of them has a fingerprint that is not
    /// its versions' ([`ListSet::new`] makes them), which would file other
    /// records' versions under it.
    pub(super) fn missing<'a>(&self, records: &'a [AuditRecord]) -> Result<Vec<&'a ListSet>, StoreError> {
        let written = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut missing: Vec<&ListSet> = Vec::new();
        for r in records {
            let set = &*r.lists;
            if !written.contains(&set.fingerprint) && !missing.iter().any(|m| m.fingerprint == set.fingerprint) {
                if ListSet::new(set.versions.clone()).fingerprint != set.fingerprint {
                    return Err(StoreError::Corrupt(format!(
                        "record {}: list set fingerprint {} is not the sha256 of its versions",
                        r.uid, set.fingerprint
                    )));
                }
                missing.push(set);
            }
        }
        Ok(missing)
    }

    /// Remembers `sets` as written. Only once the transaction that inserted
    /// them committed: a set remembered but rolled back would leave later
    /// records naming a set that is not there.
    pub(super) fn remember(&self, sets: &[&ListSet]) {
        let mut written = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        written.extend(sets.iter().map(|s| s.fingerprint.clone()));
    }
}

/// The list sets of the records of a page, one `Arc` per distinct set, so
/// a page of records made against the same lists parses their versions
/// once and holds them once.
#[derive(Debug, Default)]
pub(super) struct ListSets(HashMap<String, Arc<ListSet>>);

impl ListSets {
    /// The set whose versions are the JSON `versions`.
    fn get(&mut self, versions: &str) -> Result<Arc<ListSet>, serde_json::Error> {
        if let Some(set) = self.0.get(versions) {
            return Ok(set.clone());
        }
        let set = Arc::new(ListSet::new(serde_json::from_str(versions)?));
        self.0.insert(versions.to_string(), set.clone());
        Ok(set)
    }
}

/// A row of the record select ([`audit_query`]), without its hits; `sets`
/// holds the list sets of the page.
pub(super) fn record(row: &impl Columns, sets: &mut ListSets) -> Result<AuditRecord, StoreError> {
    let lists = sets
        .get(row.text(10)?)
        .map_err(|e| StoreError::Corrupt(format!("the list versions of a record are invalid JSON: {e}")))?;
    Ok(AuditRecord {
        seq: Some(row.int(0)?),
        uid: row.string(1)?,
        at: row.int(2)?,
        kind: row.string(3)?,
        channel: row.string(4)?,
        request_id: row.string(5)?,
        caller: row.string(6)?,
        item: row.opt_int(7)?,
        reference: row.opt_string(8)?,
        subject: row.json(9)?,
        lists,
        engine_version: row.string(11)?,
        config_hash: row.string(12)?,
        decision: row.opt_string(13)?,
        flags: row.json(14)?,
        hash: row.opt_string(15)?,
        hits: Vec::new(),
    })
}

/// A row of `select_hits`: the record's uid and the hit.
pub(super) fn hit(row: &impl Columns) -> Result<(&str, AuditHit), StoreError> {
    Ok((
        row.text(0)?,
        AuditHit {
            entity_id: row.string(1)?,
            list: row.string(2)?,
            score: row.score(3)?,
            decision: row.string(4)?,
            flags: row.json(5)?,
        },
    ))
}

/// A row of `select_dispositions`.
pub(super) fn disposition(row: &impl Columns) -> Result<Disposition, StoreError> {
    let verdict = row.text(8)?;
    let verdict = Verdict::parse(verdict).ok_or_else(|| StoreError::Corrupt(format!("unknown verdict {verdict:?}")))?;
    let revoked = match row.opt_int(13)? {
        Some(at) => Some(Revocation { at, by: row.string(14)?, reason: row.string(15)? }),
        None => None,
    };
    Ok(Disposition {
        id: row.string(0)?,
        recorded_at: row.int(1)?,
        counterparty_key: row.string(2)?,
        reference: row.opt_string(3)?,
        name: row.opt_string(4)?,
        identifiers: row.json(5)?,
        entity_id: row.string(6)?,
        entity_signature: row.string(7)?,
        verdict,
        reason: row.string(9)?,
        analyst: row.string(10)?,
        recorded_by: row.string(11)?,
        expires_at: row.opt_int(12)?,
        revoked,
    })
}

/// A row of `monitored_first` or `monitored_after`.
pub(super) fn monitored(row: &impl Columns) -> Result<Monitored, StoreError> {
    Ok(Monitored {
        reference: row.string(0)?,
        registered_at: row.int(1)?,
        registered_by: row.string(2)?,
        counterparty: row.json(3)?,
    })
}

/// A row of `select_list_state`, without its entities.
pub(super) fn list_state(row: &impl Columns) -> Result<ListState, StoreError> {
    Ok(ListState { fingerprint: row.string(0)?, versions: row.json(1)?, updated_at: row.int(2)?, entities: Vec::new() })
}

/// A row of `select_snapshot`.
pub(super) fn snapshot_entry(row: &impl Columns) -> Result<(String, String), StoreError> {
    Ok((row.string(0)?, row.string(1)?))
}

/// A row of [`alert_query`]'s select.
pub(super) fn alert(row: &impl Columns) -> Result<StoredAlert, StoreError> {
    Ok(StoredAlert {
        seq: row.int(0)?,
        alert: Alert {
            id: row.string(1)?,
            created_at: row.int(2)?,
            reference: row.string(3)?,
            entity_id: row.string(4)?,
            list: row.string(5)?,
            caption: row.string(6)?,
            score: row.score(7)?,
            decision: row.string(8)?,
            flags: row.json(9)?,
            change: row.string(10)?,
            changed: row.json(11)?,
            from_lists: row.string(12)?,
            to_lists: row.string(13)?,
        },
        delivery: DeliveryState {
            attempts: u32::try_from(row.int(14)?).unwrap_or(u32::MAX),
            last_attempt_at: row.opt_int(15)?,
            delivered_at: row.opt_int(16)?,
            last_error: row.opt_string(17)?,
        },
    })
}

/// The snapshot rows to store: one per id, the last given winning, by id,
/// as `dialect` stores text.
pub(super) fn unique_entities(dialect: Dialect, entities: &[(String, String)]) -> Vec<(Cow<'_, str>, Cow<'_, str>)> {
    let rows: Vec<(Cow<'_, str>, Cow<'_, str>)> =
        entities.iter().map(|(id, signature)| (dialect.text(id), dialect.text(signature))).collect();
    if rows.windows(2).all(|w| w[0].0 < w[1].0) {
        return rows;
    }
    let unique: std::collections::BTreeMap<Cow<'_, str>, Cow<'_, str>> = rows.into_iter().collect();
    unique.into_iter().collect()
}

/// The cursor of a page: the last `seq` when the page is full.
pub(super) fn next_cursor(len: usize, limit: usize, last: Option<i64>) -> Option<i64> {
    if len >= limit {
        last
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_audit_page_numbers_its_parameters_in_each_dialect() {
        let f = AuditFilter {
            from: Some(5),
            caller: Some("key\0b".into()),
            entity_id: Some("ofac-1".into()),
            after: Some(9),
            limit: 10,
            ..AuditFilter::default()
        };
        let q = audit_query(Dialect::Postgres, &f);
        let tail = " WHERE r.at >= $1 AND r.uid IN (SELECT h.record_uid FROM audit_hits h WHERE h.entity_id = $2) \
                    AND r.caller = $3 AND r.seq > $4 ORDER BY r.seq LIMIT $5";
        assert_eq!(q.sql, format!("{}{tail}", Statements::of(Dialect::Postgres).select_records));
        assert_eq!(
            q.params,
            [
                Param::Int(5),
                Param::Text("ofac-1".into()),
                Param::Text("key\u{FFFD}b".into()),
                Param::Int(9),
                Param::Int(10)
            ]
        );
        let q = audit_query(Dialect::Sqlite, &f);
        assert!(q.sql.ends_with(" AND r.caller = ?3 AND r.seq > ?4 ORDER BY r.seq LIMIT ?5"), "{}", q.sql);
        assert_eq!(q.params[2], Param::Text("key\0b".into()));
    }

    #[test]
    fn a_decision_other_than_clear_names_the_partial_index_condition() {
        let f = AuditFilter { decision: Some("block".into()), limit: 5, ..AuditFilter::default() };
        let q = audit_query(Dialect::Sqlite, &f);
        assert!(
            q.sql.ends_with(" WHERE r.decision = ?1 AND r.decision <> 'clear' ORDER BY r.seq LIMIT ?2"),
            "{}",
            q.sql
        );
        assert_eq!(q.params, [Param::Text("block".into()), Param::Int(5)]);
        let f = AuditFilter { decision: Some("clear".into()), limit: 5, ..AuditFilter::default() };
        let q = audit_query(Dialect::Postgres, &f);
        assert!(q.sql.ends_with(" WHERE r.decision = $1 ORDER BY r.seq LIMIT $2"), "{}", q.sql);
    }

    #[test]
    fn an_unfiltered_page_has_no_where() {
        let f = AlertFilter { limit: 3, ..AlertFilter::default() };
        let q = alert_query(Dialect::Sqlite, &f);
        assert!(q.sql.ends_with("FROM alerts a ORDER BY a.seq LIMIT ?1"), "{}", q.sql);
        assert_eq!(q.params, [Param::Int(3)]);
        let f = AlertFilter { undelivered: true, reference: Some("c".into()), limit: 3, ..AlertFilter::default() };
        let q = alert_query(Dialect::Postgres, &f);
        assert!(
            q.sql.ends_with(
                "FROM alerts a WHERE a.reference = $1 AND NOT EXISTS (SELECT 1 FROM delivery_attempts x \
                 WHERE x.alert_id = a.id AND x.delivered) ORDER BY a.seq LIMIT $2"
            ),
            "{}",
            q.sql
        );
    }
}
