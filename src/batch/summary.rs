//! What a batch did: rows by decision and by cartel, errors, speed.

use std::collections::BTreeMap;

use serde::Serialize;

use super::output::RowResult;
use crate::engine::screen::Decision;

/// Rows whose error is kept in [`Summary::error_samples`].
pub const MAX_ERROR_SAMPLES: usize = 20;

/// Rows by decision.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Decisions {
    pub clear: u64,
    pub review: u64,
    pub block: u64,
    /// Rows that could not be screened.
    pub error: u64,
}

/// One row that could not be screened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorSample {
    /// 1-based among the data rows.
    pub row: u64,
    /// 1-based line of the file the row starts on.
    pub line: u64,
    pub error: String,
}

/// Counts over some rows; chunks are tallied apart and added up in order.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Tally {
    pub rows: u64,
    pub decisions: Decisions,
    /// Alerting rows (review or block) by the cartels their top match is
    /// tied to; a row tied to two cartels counts for both.
    pub cartels: BTreeMap<String, u64>,
    /// The first [`MAX_ERROR_SAMPLES`] rows that could not be screened.
    pub error_samples: Vec<ErrorSample>,
    /// Rows screened without an optional field that could not be used.
    pub warned: u64,
    /// Rows with a quote left open on their line.
    pub unbalanced_quotes: u64,
    /// The first [`MAX_ERROR_SAMPLES`] of those, with their warnings.
    pub warning_samples: Vec<ErrorSample>,
    /// Physical lines (sheet rows) the rows span.
    pub data_lines: u64,
    /// Blank lines (empty sheet rows) between the rows.
    pub blank_lines: u64,
}

impl Tally {
    pub(crate) fn add_row(&mut self, row: u64, line: u64, r: &RowResult) {
        self.rows += 1;
        match r.decision {
            Some(Decision::Clear) => self.decisions.clear += 1,
            Some(Decision::Review) => self.decisions.review += 1,
            Some(Decision::Block) => self.decisions.block += 1,
            None => {}
        }
        if let Some(e) = &r.error {
            self.decisions.error += 1;
            self.unbalanced_quotes += u64::from(e.starts_with("unbalanced_quote"));
            if self.error_samples.len() < MAX_ERROR_SAMPLES {
                self.error_samples.push(ErrorSample { row, line, error: e.clone() });
            }
        }
        if !r.warnings.is_empty() {
            self.warned += 1;
            if self.warning_samples.len() < MAX_ERROR_SAMPLES {
                self.warning_samples.push(ErrorSample { row, line, error: r.warnings.join(" | ") });
            }
        }
        if r.decision.is_some_and(Decision::is_alert) {
            for c in &r.cartels {
                *self.cartels.entry(c.clone()).or_insert(0) += 1;
            }
        }
    }

    /// Counts the lines of a row: `span` of its own, `blank` before it.
    pub(crate) fn add_lines(&mut self, span: u64, blank: u64) {
        self.data_lines += span;
        self.blank_lines += blank;
    }

    /// Adds `other`, which comes after `self` in the input.
    pub fn merge(&mut self, other: &Tally) {
        self.rows += other.rows;
        self.data_lines += other.data_lines;
        self.blank_lines += other.blank_lines;
        self.decisions.clear += other.decisions.clear;
        self.decisions.review += other.decisions.review;
        self.decisions.block += other.decisions.block;
        self.decisions.error += other.decisions.error;
        for (c, n) in &other.cartels {
            *self.cartels.entry(c.clone()).or_insert(0) += n;
        }
        for e in &other.error_samples {
            if self.error_samples.len() >= MAX_ERROR_SAMPLES {
                break;
            }
            self.error_samples.push(e.clone());
        }
        self.warned += other.warned;
        self.unbalanced_quotes += other.unbalanced_quotes;
        for e in &other.warning_samples {
            if self.warning_samples.len() >= MAX_ERROR_SAMPLES {
                break;
            }
            self.warning_samples.push(e.clone());
        }
    }

    pub fn alerts(&self) -> u64 {
        self.decisions.review + self.decisions.block
    }

    /// The worst decision reached, if any row was screened.
    pub fn worst(&self) -> Option<Decision> {
        let d = &self.decisions;
        if d.block > 0 {
            Some(Decision::Block)
        } else if d.review > 0 {
            Some(Decision::Review)
        } else if d.clear > 0 {
            Some(Decision::Clear)
        } else {
            None
        }
    }
}

/// The report of a whole run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    /// Data rows read and written (the header is not one).
    pub rows: u64,
    pub decisions: Decisions,
    /// Review and block rows.
    pub alerts: u64,
    /// Alerting rows by cartel.
    pub cartels: BTreeMap<String, u64>,
    /// Rows that could not be screened (`decision=error`).
    pub errors: u64,
    pub error_samples: Vec<ErrorSample>,
    /// Rows screened without an optional field that could not be used
    /// (the `warnings` column says which).
    pub warnings: u64,
    pub warning_samples: Vec<ErrorSample>,
    /// Stopped by the cancel flag: the output holds the rows before the
    /// stop, whole.
    pub cancelled: bool,
    /// False when screening was turned off (only parsed and written).
    pub screened: bool,
    pub elapsed_secs: f64,
    pub rows_per_sec: f64,
    /// Bytes of input read.
    pub bytes_read: u64,
    pub encoding: String,
    pub delimiter: String,
    pub format: String,
    /// Field → the header(s) it was read from.
    pub columns: BTreeMap<String, Vec<String>>,
    /// `csv`, or the spreadsheet format read: `xlsx`, `xls`, `ods`.
    pub source: String,
    /// The sheet read, for a spreadsheet.
    pub sheet: Option<String>,
    /// Physical lines of the input (rows of the sheet, to its last one);
    /// always `preamble_lines + data_lines + blank_lines` for a run that
    /// went to the end.
    pub lines: u64,
    /// The line the header starts on.
    pub header_line: u64,
    /// Lines up to the end of the header: skipped lines, title rows, blank
    /// lines and the header itself.
    pub preamble_lines: u64,
    /// Title rows found above the header and skipped.
    pub title_rows: u64,
    /// Lines the data rows span: one each, more for a quoted field written
    /// over several lines.
    pub data_lines: u64,
    /// Lines that continue a quoted multi-line field (`data_lines - rows`).
    pub continuation_lines: u64,
    /// Blank lines after the header.
    pub blank_lines: u64,
    /// Rows whose line has a quote that does not close
    /// (`error` starts with `unbalanced_quote`).
    pub unbalanced_quotes: u64,
    /// The list versions screened against, with their age (empty when not
    /// screened).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lists: Vec<crate::lists::ListRef>,
    /// The lists' own flags, on every row: `stale_lists`, `partial_lists`,
    /// `no_sanctions_lists`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub list_flags: Vec<crate::engine::Flag>,
}

impl Summary {
    pub(crate) fn from_tally(t: &Tally) -> Summary {
        Summary {
            rows: t.rows,
            decisions: t.decisions,
            alerts: t.alerts(),
            cartels: t.cartels.clone(),
            errors: t.decisions.error,
            error_samples: t.error_samples.clone(),
            warnings: t.warned,
            warning_samples: t.warning_samples.clone(),
            data_lines: t.data_lines,
            continuation_lines: t.data_lines.saturating_sub(t.rows),
            blank_lines: t.blank_lines,
            unbalanced_quotes: t.unbalanced_quotes,
            ..Summary::default()
        }
    }

    /// A few lines for a person (no trailing newline).
    pub fn text(&self) -> String {
        let mut out = Vec::new();
        let state = if self.cancelled { " (cancelled: the output holds whole rows only)" } else { "" };
        out.push(format!(
            "{} rows in {:.1} s, {} rows/s{state}",
            thousands(self.rows),
            self.elapsed_secs,
            thousands(self.rows_per_sec.round() as u64)
        ));
        if self.lines > 0 {
            let what = if self.source == "csv" || self.source.is_empty() { "lines" } else { "sheet rows" };
            let mut parts = vec![format!(
                "{} up to the header (line {}{})",
                thousands(self.preamble_lines),
                self.header_line,
                match self.title_rows {
                    0 => String::new(),
                    n => format!(", {n} title row{} above it skipped", if n == 1 { "" } else { "s" }),
                }
            )];
            parts.push(format!("{} in rows", thousands(self.data_lines)));
            if self.continuation_lines > 0 {
                parts.push(format!("({} continuing a quoted field)", thousands(self.continuation_lines)));
            }
            parts.push(format!("{} blank", thousands(self.blank_lines)));
            out.push(format!("  {} {what}: {}", thousands(self.lines), parts.join(", ")));
        }
        if self.unbalanced_quotes > 0 {
            out.push(format!(
                "  {} lines with a quote that does not close were read on their own (unbalanced_quote)",
                thousands(self.unbalanced_quotes)
            ));
        }
        if self.screened {
            let d = &self.decisions;
            out.push(format!(
                "  clear {}  review {}  block {}  error {}  warnings {}",
                thousands(d.clear),
                thousands(d.review),
                thousands(d.block),
                thousands(d.error),
                thousands(self.warnings)
            ));
            if !self.cartels.is_empty() {
                let mut by: Vec<(&String, &u64)> = self.cartels.iter().collect();
                by.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
                let parts: Vec<String> = by.iter().map(|(c, n)| format!("{c} {}", thousands(**n))).collect();
                out.push(format!("  alerts by cartel: {}", parts.join(", ")));
            }
        } else {
            out.push(format!("  not screened (parse and write only); {} rows in error", thousands(self.errors)));
        }
        if !self.lists.is_empty() {
            let parts: Vec<String> = self
                .lists
                .iter()
                .map(|l| match (&l.published, l.age_days) {
                    (Some(p), Some(a)) => {
                        format!("{} (published {}, {a} days ago)", l.dataset, p.get(..10).unwrap_or(p))
                    }
                    (Some(p), None) => format!("{} (published {p})", l.dataset),
                    _ => format!("{} (publication date unknown)", l.dataset),
                })
                .collect();
            out.push(format!("  lists: {}", parts.join(", ")));
        }
        if !self.list_flags.is_empty() {
            let flags: Vec<&str> = self.list_flags.iter().map(|f| f.as_str()).collect();
            out.push(format!("  every row is flagged {}", flags.join(", ")));
        }
        if self.errors > 0 {
            out.push(format!("  {} rows could not be screened, first ones:", thousands(self.errors)));
            for e in self.error_samples.iter().take(5) {
                out.push(format!("    row {} (line {}): {}", e.row, e.line, e.error));
            }
        }
        if self.warnings > 0 {
            out.push(format!(
                "  {} rows were screened without a field that could not be used, first ones:",
                thousands(self.warnings)
            ));
            for e in self.warning_samples.iter().take(5) {
                out.push(format!("    row {} (line {}): {}", e.row, e.line, e.error));
            }
        }
        out.join("\n")
    }
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tallies_add_up() {
        let mut a = Tally::default();
        let block = RowResult { decision: Some(Decision::Block), cartels: vec!["CJNG".into()], ..Default::default() };
        a.add_row(1, 2, &block);
        a.add_row(2, 3, &RowResult::failed("name is empty".into()));
        let mut b = Tally::default();
        b.add_row(3, 4, &RowResult { decision: Some(Decision::Clear), ..Default::default() });
        b.add_row(
            4,
            5,
            &RowResult {
                decision: Some(Decision::Review),
                cartels: vec!["CJNG".into(), "CDS".into()],
                ..Default::default()
            },
        );
        a.merge(&b);
        assert_eq!(a.rows, 4);
        assert_eq!(a.decisions, Decisions { clear: 1, review: 1, block: 1, error: 1 });
        assert_eq!(a.cartels.get("CJNG"), Some(&2));
        assert_eq!(a.cartels.get("CDS"), Some(&1));
        assert_eq!(a.error_samples, vec![ErrorSample { row: 2, line: 3, error: "name is empty".into() }]);
        assert_eq!(a.worst(), Some(Decision::Block));
        let mut s = Summary::from_tally(&a);
        s.screened = true;
        let text = s.text();
        assert!(text.contains("clear 1  review 1  block 1  error 1  warnings 0"), "{text}");
        assert!(text.contains("alerts by cartel: CJNG 2, CDS 1"), "{text}");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(12), "12");
    }
}
