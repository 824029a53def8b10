//! Where the SQL of the two databases differs, and nowhere else.
//!
//! The schema ([`super::schema`]) and the statements ([`super::sql`]) are
//! written once, with PostgreSQL's numbered parameters (`$1`) and with
//! `{tokens}` for the column types that differ; a [`Dialect`] turns them
//! into what one database accepts. What differs, in full:
//!
//! | | SQLite | PostgreSQL |
//! | --- | --- | --- |
//! | parameter | `?1` | `$1` |
//! | `{serial}` (the `seq` key) | `INTEGER PRIMARY KEY AUTOINCREMENT` | `BIGSERIAL PRIMARY KEY` |
//! | `{int8}` (times, counts) | `INTEGER` | `BIGINT` |
//! | `{float}` (scores) | `REAL` (a NaN is stored as NULL) | `DOUBLE PRECISION NOT NULL` |
//! | `{bool}` | `INTEGER` (0 or 1) | `BOOLEAN` |
//! | `{bytewise}` (keys sorted byte by byte) | nothing: `BINARY` is the default | `COLLATE "C"` |
//! | a boolean column as a condition | `x <> 0` | `x` |
//! | append-only trigger | `RAISE(ABORT, ...)` in the trigger | a shared PL/pgSQL function |
//! | a batch of rows | one `VALUES` row per execution | one `unnest` of arrays per batch |
//! | text | as given | a NUL, which PostgreSQL cannot store, becomes U+FFFD |
//!
//! JSON is `TEXT` in both: list-set fingerprints are the sha256 of the exact
//! text stored, which a `JSONB` column would rewrite.

use std::borrow::Cow;

/// The SQL one database speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Dialect {
    Sqlite,
    Postgres,
}

/// A column of a table rows are inserted into: its name and, for
/// PostgreSQL's `unnest`, the type of the array its values travel in.
#[derive(Debug, Clone, Copy)]
pub(super) struct Column {
    pub(super) name: &'static str,
    pub(super) array: &'static str,
}

/// Shorthand for a [`Column`].
pub(super) const fn col(name: &'static str, array: &'static str) -> Column {
    Column { name, array }
}

impl Dialect {
    /// Parameter `n` (from 1).
    pub(super) fn param(self, n: usize) -> String {
        match self {
            Dialect::Sqlite => format!("?{n}"),
            Dialect::Postgres => format!("${n}"),
        }
    }

    /// `sql`, written with `$n` parameters and `{tokens}`, in this dialect.
    pub(super) fn render(self, sql: &str) -> String {
        let sql = match self {
            Dialect::Sqlite => sql
                .replace("{serial}", "INTEGER PRIMARY KEY AUTOINCREMENT")
                .replace("{int8}", "INTEGER")
                .replace("{float}", "REAL")
                .replace("{bool}", "INTEGER")
                .replace("{bytewise}", "")
                .replace("{append_only_function}", "")
                .replace("{retention_guard}", SQLITE_RETENTION_GUARD),
            Dialect::Postgres => sql
                .replace("{serial}", "BIGSERIAL PRIMARY KEY")
                .replace("{int8}", "BIGINT")
                .replace("{float}", "DOUBLE PRECISION NOT NULL")
                .replace("{bool}", "BOOLEAN")
                .replace("{bytewise}", " COLLATE \"C\"")
                .replace("{append_only_function}", APPEND_ONLY_FUNCTION)
                .replace("{retention_guard}", POSTGRES_RETENTION_GUARD),
        };
        match self {
            Dialect::Sqlite => numbered_params(&sql, '?'),
            Dialect::Postgres => sql,
        }
    }

    /// The database's clock, in milliseconds since the Unix epoch: the
    /// retention purge and the triggers that guard deletion read the same
    /// clock, so a purge never deletes what a trigger refuses.
    pub(super) fn now_millis(self) -> &'static str {
        match self {
            Dialect::Sqlite => SQLITE_NOW_MILLIS,
            Dialect::Postgres => POSTGRES_NOW_MILLIS,
        }
    }

    /// `column` (a boolean) as a condition.
    pub(super) fn is_true(self, column: &str) -> String {
        match self {
            Dialect::Sqlite => format!("{column} <> 0"),
            Dialect::Postgres => column.to_string(),
        }
    }

    /// The trigger that refuses any `UPDATE` of `table`.
    pub(super) fn append_only_trigger(self, table: &str) -> String {
        match self {
            Dialect::Sqlite => format!(
                "CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table}\n\
                 BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;\n"
            ),
            Dialect::Postgres => format!(
                "CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table}\n    \
                 FOR EACH STATEMENT EXECUTE FUNCTION cartelscreen_append_only();\n"
            ),
        }
    }

    /// The statement that inserts rows into `table`, followed by `tail`
    /// (an `ON CONFLICT` clause, or nothing). SQLite: one row, executed
    /// once per row. PostgreSQL: every row of a batch at once, each column
    /// one array parameter, inserted in the arrays' order (so `seq` follows
    /// it).
    pub(super) fn insert_rows(self, table: &str, columns: &[Column], tail: &str) -> String {
        let names = columns.iter().map(|c| c.name).collect::<Vec<_>>().join(", ");
        let mut sql = format!("INSERT INTO {table} ({names}) ");
        match self {
            Dialect::Sqlite => {
                let params = (1..=columns.len()).map(|n| self.param(n)).collect::<Vec<_>>().join(", ");
                sql.push_str(&format!("VALUES ({params})"));
            }
            Dialect::Postgres => {
                let arrays = columns
                    .iter()
                    .enumerate()
                    .map(|(i, c)| format!("${}::{}[]", i + 1, c.array))
                    .collect::<Vec<_>>()
                    .join(", ");
                sql.push_str(&format!(
                    "SELECT {names} FROM unnest({arrays}) WITH ORDINALITY AS t({names}, batch_ord) ORDER BY batch_ord"
                ));
            }
        }
        if !tail.is_empty() {
            sql.push(' ');
            sql.push_str(tail);
        }
        sql
    }

    /// `s` as this database can store it.
    pub(super) fn text(self, s: &str) -> Cow<'_, str> {
        match self {
            Dialect::Postgres if s.contains('\0') => Cow::Owned(s.replace('\0', "\u{FFFD}")),
            _ => Cow::Borrowed(s),
        }
    }
}

/// The function PostgreSQL's append-only triggers call.
const APPEND_ONLY_FUNCTION: &str = "CREATE FUNCTION cartelscreen_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END
$$;
";

const SQLITE_NOW_MILLIS: &str = "(CAST(strftime('%s', 'now') AS INTEGER) * 1000)";
const POSTGRES_NOW_MILLIS: &str = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint";

/// SQLite: a record, or a hit of a record, younger than `audit_policy`'s
/// retention (all of them when it is 0) cannot be deleted.
const SQLITE_RETENTION_GUARD: &str = "CREATE TRIGGER audit_records_retention BEFORE DELETE ON audit_records
WHEN NOT EXISTS (SELECT 1 FROM audit_policy p WHERE p.retention_days > 0
    AND old.at < (CAST(strftime('%s', 'now') AS INTEGER) * 1000) - p.retention_days * 86400000)
BEGIN SELECT RAISE(ABORT, 'audit records are deleted only past retention'); END;
CREATE TRIGGER audit_hits_retention BEFORE DELETE ON audit_hits
WHEN NOT EXISTS (SELECT 1 FROM audit_policy p JOIN audit_records r ON r.uid = old.record_uid
    WHERE p.retention_days > 0
    AND r.at < (CAST(strftime('%s', 'now') AS INTEGER) * 1000) - p.retention_days * 86400000)
BEGIN SELECT RAISE(ABORT, 'audit hits are deleted only past retention'); END;
";

/// PostgreSQL: the same rule as [`SQLITE_RETENTION_GUARD`], one function
/// for both tables, row by row.
const POSTGRES_RETENTION_GUARD: &str =
    "CREATE FUNCTION cartelscreen_retention_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    record_at BIGINT;
BEGIN
    IF TG_TABLE_NAME = 'audit_hits' THEN
        SELECT at INTO record_at FROM audit_records WHERE uid = OLD.record_uid;
    ELSE
        record_at := OLD.at;
    END IF;
    IF record_at IS NULL OR NOT EXISTS (SELECT 1 FROM audit_policy p WHERE p.retention_days > 0
        AND record_at < (extract(epoch FROM clock_timestamp()) * 1000)::bigint - p.retention_days * 86400000) THEN
        RAISE EXCEPTION '% rows are deleted only past retention', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN OLD;
END
$$;
CREATE TRIGGER audit_records_retention BEFORE DELETE ON audit_records
    FOR EACH ROW EXECUTE FUNCTION cartelscreen_retention_guard();
CREATE TRIGGER audit_hits_retention BEFORE DELETE ON audit_hits
    FOR EACH ROW EXECUTE FUNCTION cartelscreen_retention_guard();
";

/// `sql` with every `$<digits>` written `<mark><digits>` (a `$` not followed
/// by a digit, as in `$$`, is left alone).
fn numbered_params(sql: &str, mark: char) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push(mark);
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_numbered_in_each_dialect() {
        let sql = "SELECT a FROM t WHERE b = $1 AND c > $12 AND d = '$x'";
        assert_eq!(Dialect::Sqlite.render(sql), "SELECT a FROM t WHERE b = ?1 AND c > ?12 AND d = '$x'");
        assert_eq!(Dialect::Postgres.render(sql), sql);
        assert_eq!(Dialect::Sqlite.param(3), "?3");
        assert_eq!(Dialect::Postgres.param(3), "$3");
    }

    #[test]
    fn a_batch_insert_is_one_row_in_sqlite_and_arrays_in_postgres() {
        let columns = [col("id", "text"), col("at", "int8")];
        assert_eq!(Dialect::Sqlite.insert_rows("t", &columns, ""), "INSERT INTO t (id, at) VALUES (?1, ?2)");
        assert_eq!(
            Dialect::Postgres.insert_rows("t", &columns, "ON CONFLICT (id) DO NOTHING"),
            "INSERT INTO t (id, at) SELECT id, at FROM unnest($1::text[], $2::int8[]) WITH ORDINALITY \
             AS t(id, at, batch_ord) ORDER BY batch_ord ON CONFLICT (id) DO NOTHING"
        );
    }

    #[test]
    fn only_postgres_replaces_nul() {
        assert_eq!(Dialect::Sqlite.text("a\0b"), "a\0b");
        assert_eq!(Dialect::Postgres.text("a\0b"), "a\u{FFFD}b");
        assert!(matches!(Dialect::Postgres.text("ab"), Cow::Borrowed(_)));
    }
}
