//! Spreadsheets read with [`calamine`]: one sheet (the first, or the one
//! named) as rows of text cells, for the same column detection and row
//! checks as a CSV file.
//!
//! Cells become text as a person reads them: numbers without a trailing
//! `.0` (an identifier typed as a number stays whole), date cells as
//! `YYYY-MM-DD` (`YYYY-MM-DD HH:MM:SS` when they hold a time), from the
//! Excel serial and the workbook's date system (1900 or 1904), booleans as
//! `TRUE`/`FALSE`, error cells as Excel shows them (`#N/A`). Line numbers
//! are the sheet's row numbers, as Excel shows them.
//!
//! The whole workbook is in memory while it is read (the formats are
//! compressed archives or compound files, not streams).

use std::io::{self, Cursor};
use std::panic::{catch_unwind, AssertUnwindSafe};

use calamine::{Data, Range, Reader, Sheets};

use super::lines::{Record, Records};

/// The spreadsheet formats read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetKind {
    /// Office Open XML (Excel 2007 and later).
    Xlsx,
    /// The binary Excel 97–2003 format.
    Xls,
    /// OpenDocument (LibreOffice, OpenOffice).
    Ods,
}

impl SheetKind {
    /// `xlsx`, `xls` or `ods`.
    pub fn as_str(self) -> &'static str {
        match self {
            SheetKind::Xlsx => "xlsx",
            SheetKind::Xls => "xls",
            SheetKind::Ods => "ods",
        }
    }
}

/// Why a workbook could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error("the {kind} file cannot be read: {message}")]
    Unreadable { kind: &'static str, message: String },
    #[error("the workbook has no sheet `{wanted}` (its sheets: {})", available.join(", "))]
    UnknownSheet { wanted: String, available: Vec<String> },
    #[error("the workbook has no sheet")]
    NoSheet,
}

/// The rows of one sheet.
pub(crate) struct SheetRows {
    range: Range<Data>,
    /// 0-based sheet row of `range`'s first row.
    top: u64,
    /// 0-based sheet row to read next.
    cursor: u64,
    /// Past the last row of the sheet.
    end: u64,
    width: usize,
    trailing_blank: u64,
}

fn open_as(kind: SheetKind, bytes: Vec<u8>) -> Result<Sheets<Cursor<Vec<u8>>>, String> {
    let c = Cursor::new(bytes);
    match kind {
        SheetKind::Xlsx => calamine::open_workbook_from_rs(c).map(Sheets::Xlsx).map_err(|e| e.to_string()),
        SheetKind::Xls => calamine::open_workbook_from_rs(c).map(Sheets::Xls).map_err(|e| e.to_string()),
        SheetKind::Ods => calamine::open_workbook_from_rs(c).map(Sheets::Ods).map_err(|e| e.to_string()),
    }
}

fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "the reader failed".into())
}

/// Opens `bytes` as a `kind` workbook and reads `sheet` (the first when
/// `None`). Returns the rows and the sheet's name.
///
/// # Errors
/// [`SheetError`] when the workbook cannot be read (a damaged file, or one
/// of another format than `kind`) or has no such sheet. A reader that
/// panics on a malformed file is caught and reported as unreadable.
pub(crate) fn open(kind: SheetKind, bytes: Vec<u8>, sheet: Option<&str>) -> Result<(SheetRows, String), SheetError> {
    let unreadable = |message: String| SheetError::Unreadable { kind: kind.as_str(), message };
    let read = catch_unwind(AssertUnwindSafe(|| -> Result<(Range<Data>, String), SheetError> {
        let mut book = open_as(kind, bytes).map_err(unreadable)?;
        let names = book.sheet_names();
        let name = match sheet {
            None => names.first().cloned().ok_or(SheetError::NoSheet)?,
            Some(wanted) => names
                .iter()
                .find(|n| n.as_str() == wanted)
                .or_else(|| names.iter().find(|n| n.trim().eq_ignore_ascii_case(wanted.trim())))
                .cloned()
                .ok_or_else(|| SheetError::UnknownSheet { wanted: wanted.to_string(), available: names.clone() })?,
        };
        let range = book.worksheet_range(&name).map_err(|e| unreadable(e.to_string()))?;
        Ok((range, name))
    }));
    let (range, name) = match read {
        Ok(r) => r?,
        Err(p) => return Err(unreadable(panic_message(p))),
    };
    let top = range.start().map_or(0, |(r, _)| u64::from(r));
    let end = range.end().map_or(0, |(r, _)| u64::from(r) + 1);
    Ok((SheetRows { range, top, cursor: 0, end, width: 0, trailing_blank: 0 }, name))
}

/// A cell as text (see the module's documentation).
pub(crate) fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                f.to_string()
            }
        }
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(d) if d.is_datetime() => {
            let (y, mo, day, h, mi, s, _) = d.to_ymd_hms_milli();
            if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{mo:02}-{day:02}")
            } else {
                format!("{y:04}-{mo:02}-{day:02} {h:02}:{mi:02}:{s:02}")
            }
        }
        Data::DateTime(d) => d.as_f64().to_string(),
        Data::DateTimeIso(s) => s.strip_suffix("T00:00:00").unwrap_or(s).to_string(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
    }
}

impl Records for SheetRows {
    fn next_record(&mut self) -> io::Result<Option<Record>> {
        let mut blank = 0;
        while self.cursor < self.end {
            let at = self.cursor;
            self.cursor += 1;
            let cells = if at < self.top {
                None
            } else {
                usize::try_from(at - self.top).ok().and_then(|i| self.range.rows().nth(i))
            };
            let Some(cells) = cells.filter(|c| c.iter().any(|d| !cell_text(d).trim().is_empty())) else {
                blank += 1;
                continue;
            };
            let mut record = csv::ByteRecord::new();
            let mut last = 0;
            for (i, c) in cells.iter().enumerate() {
                if !matches!(c, Data::Empty) {
                    last = i + 1;
                }
            }
            // As wide as the header, or as the row's last filled cell.
            for c in cells.iter().take(last.max(self.width)) {
                record.push_field(cell_text(c).as_bytes());
            }
            while record.len() < self.width {
                record.push_field(b"");
            }
            self.trailing_blank = 0;
            return Ok(Some(Record { line: at + 1, span: 1, blank_before: blank, record, fault: None }));
        }
        self.trailing_blank += blank;
        Ok(None)
    }

    fn skip_lines(&mut self, n: u64) -> io::Result<()> {
        self.cursor = self.cursor.saturating_add(n).min(self.end);
        Ok(())
    }

    fn set_width(&mut self, width: usize) {
        self.width = width;
    }

    fn lines(&self) -> u64 {
        self.end
    }

    fn trailing_blank(&self) -> u64 {
        self.trailing_blank
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{ExcelDateTime, ExcelDateTimeType};

    #[test]
    fn cells_read_as_people_read_them() {
        assert_eq!(cell_text(&Data::Float(4_012_345_678.0)), "4012345678");
        assert_eq!(cell_text(&Data::Float(1.5)), "1.5");
        assert_eq!(cell_text(&Data::Int(-7)), "-7");
        assert_eq!(cell_text(&Data::Bool(true)), "TRUE");
        // 24160 is 1966-02-22 in the 1900 system, 1970-02-23 in the 1904 one.
        let d = ExcelDateTime::new(24160.0, ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&Data::DateTime(d)), "1966-02-22");
        let d = ExcelDateTime::new(24160.0, ExcelDateTimeType::DateTime, true);
        assert_eq!(cell_text(&Data::DateTime(d)), "1970-02-23");
        let d = ExcelDateTime::new(24160.5, ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&Data::DateTime(d)), "1966-02-22 12:00:00");
        assert_eq!(cell_text(&Data::DateTimeIso("1966-07-17T00:00:00".into())), "1966-07-17");
        assert_eq!(cell_text(&Data::Error(calamine::CellErrorType::NA)), "#N/A");
    }

    #[test]
    fn garbage_is_unreadable_not_a_panic() {
        for kind in [SheetKind::Xlsx, SheetKind::Xls, SheetKind::Ods] {
            let mut zip = b"PK\x03\x04".to_vec();
            zip.extend(std::iter::repeat_n(0xA5u8, 300));
            assert!(matches!(open(kind, zip, None), Err(SheetError::Unreadable { .. })));
        }
    }
}
