//! The schema, once for both databases: numbered migrations, each written
//! with the `{tokens}` a [`Dialect`] renders.
//!
//! A version is applied once, in its own transaction, and recorded in
//! `schema_migrations`; a release appends a migration and never edits one
//! already applied (databases in service have it, and would not get the
//! change).

use super::dialect::Dialect;

/// One step of the schema.
#[derive(Debug)]
pub(super) struct Migration {
    /// Applied in increasing order; recorded in `schema_migrations`.
    pub(super) version: i64,
    /// Tables, columns and indexes, with `{tokens}` (see [`Dialect`]).
    ddl: &'static str,
    /// Tables this step makes append-only (`UPDATE` refused by a trigger).
    append_only: &'static [&'static str],
}

impl Migration {
    /// This step's SQL in `dialect`, as one batch.
    pub(super) fn sql(&self, dialect: Dialect) -> String {
        let mut sql = dialect.render(self.ddl);
        for table in self.append_only {
            sql.push_str(&dialect.append_only_trigger(table));
        }
        sql
    }
}

/// Every step, in order.
pub(super) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        ddl: V1,
        append_only: &["audit_records", "audit_hits", "delivery_attempts", "dispositions", "disposition_revocations"],
    },
    Migration { version: 2, ddl: V2, append_only: &["list_sets"] },
    Migration { version: 3, ddl: V3, append_only: &[] },
    Migration { version: 4, ddl: V4, append_only: &[] },
    Migration { version: 5, ddl: V5, append_only: &[] },
];

/// The table of applied versions, created before the first step.
pub(super) const SCHEMA_MIGRATIONS: &str =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at {int8} NOT NULL)";

/// The first schema: every table.
const V1: &str = r#"
CREATE TABLE audit_records (
    seq {serial},
    uid TEXT NOT NULL UNIQUE,
    at {int8} NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    request_id TEXT NOT NULL,
    caller TEXT NOT NULL,
    item {int8},
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
    score {float},
    decision TEXT NOT NULL,
    flags TEXT NOT NULL,
    PRIMARY KEY (record_uid, ord)
);
CREATE INDEX audit_hits_entity_id ON audit_hits (entity_id);

CREATE TABLE dispositions (
    seq {serial},
    id TEXT NOT NULL UNIQUE,
    recorded_at {int8} NOT NULL,
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
    expires_at {int8}
);

CREATE TABLE disposition_revocations (
    disposition_id TEXT PRIMARY KEY REFERENCES dispositions (id),
    at {int8} NOT NULL,
    revoked_by TEXT NOT NULL,
    reason TEXT NOT NULL
);

-- COLLATE "C" in PostgreSQL: references and entity ids sort byte by byte,
-- as in SQLite and in Rust, whatever the database's locale.
CREATE TABLE monitored (
    reference TEXT{bytewise} PRIMARY KEY,
    registered_at {int8} NOT NULL,
    registered_by TEXT NOT NULL,
    counterparty TEXT NOT NULL
);

CREATE TABLE list_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT NOT NULL,
    versions TEXT NOT NULL,
    updated_at {int8} NOT NULL
);

CREATE TABLE list_snapshot (
    entity_id TEXT{bytewise} PRIMARY KEY,
    signature TEXT NOT NULL
);

CREATE TABLE alerts (
    seq {serial},
    id TEXT NOT NULL UNIQUE,
    created_at {int8} NOT NULL,
    reference TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    list TEXT NOT NULL,
    caption TEXT NOT NULL,
    score {float},
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
    seq {serial},
    alert_id TEXT NOT NULL REFERENCES alerts (id),
    at {int8} NOT NULL,
    delivered {bool} NOT NULL,
    status INTEGER,
    error TEXT
);
CREATE INDEX delivery_attempts_alert_id ON delivery_attempts (alert_id);

{append_only_function}"#;

/// List versions stored once per set: a record names its set by
/// fingerprint in `list_set`, and keeps an empty `lists`. Records written
/// before keep their versions in `lists` (append-only: they are not
/// rewritten), which is why reading takes `list_sets.versions` when there
/// is one and `lists` otherwise.
const V2: &str = r#"
CREATE TABLE list_sets (
    fingerprint TEXT PRIMARY KEY,
    versions TEXT NOT NULL
);
ALTER TABLE audit_records ADD COLUMN list_set TEXT REFERENCES list_sets (fingerprint);
"#;

/// Fewer index entries per record appended: each secondary index is a
/// B-tree insert per record, and a page per commit written to the WAL and
/// again to the database by the checkpoint. The indexes the `/v1/audit`
/// filters need on a long trail stay (`at`, `request_id`, the hits'
/// `entity_id`), in cheaper forms where there is one:
///
/// - `reference`: only the records that have one (many screenings have
///   none); `reference = ?` implies it, so both databases use it.
/// - `decision`: only the records that are not `clear`, the rare ones an
///   analyst looks for; the page query adds `decision <> 'clear'` beside
///   `decision = <review, block or error>`, so both databases use it. A
///   filter on `clear` reads the records in `seq` order (most are clear,
///   so a page fills at once), or the `at` range when `from` and `to` are
///   both given.
/// - `caller`: none. A filter on the caller reads the `at` range when
///   `from` and `to` are both given, otherwise the records in `seq` order
///   from the cursor until the page is full: quick for the keys that make
///   most records, a scan of the rest of the trail for a rare caller.
const V3: &str = r#"
DROP INDEX audit_records_reference;
CREATE INDEX audit_records_reference ON audit_records (reference) WHERE reference IS NOT NULL;
DROP INDEX audit_records_decision;
CREATE INDEX audit_records_decision ON audit_records (decision) WHERE decision <> 'clear';
DROP INDEX audit_records_caller;
"#;

/// Monitoring baselines per deployment: the list versions a deployment
/// last served (`list_baselines`) and the signature of each of their
/// entries (`list_baseline_entities`). Only a serving service moves its own
/// deployment's row, so a command, a failed download or a server on other
/// lists never moves another's. The single baseline of `list_state` and
/// `list_snapshot` (version 1) is no longer read or written; a deployment's
/// first check after this step records its baseline afresh.
const V4: &str = r#"
CREATE TABLE list_baselines (
    deployment TEXT{bytewise} PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    versions TEXT NOT NULL,
    updated_at {int8} NOT NULL
);
CREATE TABLE list_baseline_entities (
    deployment TEXT{bytewise} NOT NULL,
    entity_id TEXT{bytewise} NOT NULL,
    signature TEXT NOT NULL,
    PRIMARY KEY (deployment, entity_id)
);
"#;

/// The hash chain and deletion only past retention (see
/// [`crate::record::chain`]): each record's `hash`; the chain's head (the
/// last `seq` and hash), one row locked by every append so replicas on one
/// PostgreSQL database extend one chain; the retention the service runs
/// with (`audit_policy`, written at every start), which the triggers
/// `{retention_guard}` renders read to refuse deleting a record (or its
/// hits) younger than it. Records written before this step have no hash;
/// the chain starts after them.
const V5: &str = r#"
ALTER TABLE audit_records ADD COLUMN hash TEXT;
CREATE TABLE audit_chain_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq {int8} NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_chain_head (id, seq, hash)
    SELECT 1, COALESCE(max(seq), 0), '0000000000000000000000000000000000000000000000000000000000000000'
    FROM audit_records;
CREATE TABLE audit_policy (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    retention_days {int8} NOT NULL
);
INSERT INTO audit_policy (id, retention_days) VALUES (1, 0);
{retention_guard}"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_increase_from_one() {
        let versions: Vec<i64> = MIGRATIONS.iter().map(|m| m.version).collect();
        assert_eq!(versions, (1..=MIGRATIONS.len() as i64).collect::<Vec<_>>());
    }

    #[test]
    fn every_token_is_rendered() {
        for m in MIGRATIONS {
            for d in [Dialect::Sqlite, Dialect::Postgres] {
                let sql = m.sql(d);
                assert!(!sql.contains('{') && !sql.contains('}'), "migration {} in {d:?}: {sql}", m.version);
            }
        }
        assert!(MIGRATIONS[0].sql(Dialect::Sqlite).contains("seq INTEGER PRIMARY KEY AUTOINCREMENT,"));
        assert!(MIGRATIONS[0].sql(Dialect::Postgres).contains("reference TEXT COLLATE \"C\" PRIMARY KEY,"));
    }
}
