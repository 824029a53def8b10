//! CSV records read line by line, so that one stray quote costs one line.
//!
//! A CSV parser reading a stream takes a `"` at the start of a field as the
//! opening of a quoted field and reads on, across line breaks, until the
//! next `"`: one stray quote joins every following line into one field. Here
//! the input is cut into physical lines first (`\n`, `\r\n` or a lone `\r`
//! ends one) and each line is given to the CSV parser ([`csv_core`]); when a
//! line ends inside a quoted field, the following lines are read on, and the
//! record is kept as one only when it looks like a multi-line field written
//! on purpose:
//!
//! - the quote closes within [`Splitter::new`]'s `max_record` bytes;
//! - the record then has as many fields as the header;
//! - no line it swallowed would be a row of its own (read alone: its quotes
//!   balanced and as many fields as the header; checked when the header has
//!   two columns or more).
//!
//! Otherwise the line where the quote opened is a row of its own, read with
//! the quoted field running to the end of that line, and marked
//! `unbalanced_quote`; reading goes on at the next line. Memory is bounded by
//! `max_record`: a single line longer than that is skipped (read and
//! dropped) and reported as `line_too_long`.

use std::collections::VecDeque;
use std::io::{self, BufRead};

use csv_core::ReadRecordResult;

/// A record and where it was in the input.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    /// 1-based line the record starts on.
    pub(crate) line: u64,
    /// Physical lines it spans (more than one for a quoted multi-line field).
    pub(crate) span: u64,
    /// Blank lines skipped right before it.
    pub(crate) blank_before: u64,
    pub(crate) record: csv::ByteRecord,
    /// Why the record is not what the line meant (`unbalanced_quote`,
    /// `line_too_long`): the row is reported, not screened.
    pub(crate) fault: Option<String>,
}

/// A source of records: a CSV stream or the rows of a sheet.
pub(crate) trait Records: Send {
    /// The next non-blank record, `None` at the end.
    ///
    /// # Errors
    /// When the input cannot be read.
    fn next_record(&mut self) -> io::Result<Option<Record>>;
    /// Skips `n` physical lines whatever they hold.
    ///
    /// # Errors
    /// When the input cannot be read.
    fn skip_lines(&mut self, n: u64) -> io::Result<()>;
    /// The header's number of fields, once it is known.
    fn set_width(&mut self, width: usize);
    /// Physical lines read so far.
    fn lines(&self) -> u64;
    /// Blank lines read after the last record.
    fn trailing_blank(&self) -> u64;
}

struct Line {
    bytes: Vec<u8>,
    number: u64,
    /// Ends with `\n`, `\r\n` or `\r` (the last line of a file may not).
    terminated: bool,
    /// Longer than the limit: `bytes` holds only its start.
    too_long: bool,
}

/// A field buffer for [`csv_core`], grown as needed.
#[derive(Default)]
struct Acc {
    out: Vec<u8>,
    ends: Vec<usize>,
    outlen: usize,
    endlen: usize,
}

impl Acc {
    fn clear(&mut self) {
        self.outlen = 0;
        self.endlen = 0;
    }

    fn record(&self) -> csv::ByteRecord {
        let mut r = csv::ByteRecord::with_capacity(self.outlen, self.endlen);
        let mut start = 0;
        for &end in &self.ends[..self.endlen] {
            r.push_field(&self.out[start..end]);
            start = end;
        }
        r
    }
}

enum Fed {
    Record,
    /// The input ended inside a quoted field.
    Open,
}

/// Feeds `input` to `core`; `None` input is the end of the data.
fn feed(core: &mut csv_core::Reader, acc: &mut Acc, mut input: &[u8]) -> Fed {
    loop {
        if acc.out.len() == acc.outlen {
            acc.out.resize((acc.out.len() * 2).max(256), 0);
        }
        if acc.ends.len() == acc.endlen {
            acc.ends.resize((acc.ends.len() * 2).max(16), 0);
        }
        let (res, nin, nout, nend) = core.read_record(input, &mut acc.out[acc.outlen..], &mut acc.ends[acc.endlen..]);
        input = &input[nin..];
        acc.outlen += nout;
        acc.endlen += nend;
        match res {
            ReadRecordResult::InputEmpty => return Fed::Open,
            ReadRecordResult::OutputFull | ReadRecordResult::OutputEndsFull => {}
            ReadRecordResult::Record => return Fed::Record,
            // Only after an empty input (the end of the data) with nothing
            // pending: an empty record.
            ReadRecordResult::End => return Fed::Record,
        }
    }
}

fn is_blank(bytes: &[u8]) -> bool {
    bytes.iter().all(|&b| b == b'\n' || b == b'\r')
}

fn without_terminator(bytes: &[u8]) -> &[u8] {
    let mut end = bytes.len();
    while end > 0 && matches!(bytes[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    &bytes[..end]
}

/// CSV records from a byte stream (see the module's documentation).
pub(crate) struct Splitter<R> {
    src: R,
    /// Lines read ahead and given back, to be read again.
    pending: VecDeque<Line>,
    read: u64,
    core: csv_core::Reader,
    probe: csv_core::Reader,
    acc: Acc,
    probe_acc: Acc,
    width: usize,
    max_record: usize,
    trailing_blank: u64,
}

impl<R: BufRead + Send> Splitter<R> {
    /// Reads records separated by `delimiter` from `src`; a record (or a
    /// line) longer than `max_record` bytes is not kept whole.
    pub(crate) fn new(src: R, delimiter: u8, max_record: usize) -> Self {
        let build = || csv_core::ReaderBuilder::new().delimiter(delimiter).build();
        Splitter {
            src,
            pending: VecDeque::new(),
            read: 0,
            core: build(),
            probe: build(),
            acc: Acc::default(),
            probe_acc: Acc::default(),
            width: 0,
            max_record: max_record.max(1),
            trailing_blank: 0,
        }
    }

    /// The next physical line, from those given back first.
    fn take_line(&mut self) -> io::Result<Option<Line>> {
        if let Some(l) = self.pending.pop_front() {
            return Ok(Some(l));
        }
        let mut bytes = Vec::new();
        let mut too_long = false;
        let mut any = false;
        // A `\r` ended the previous buffer: whether a `\n` follows it is
        // only known after the next read.
        let mut pending_cr = false;
        let terminated = loop {
            let buf = match self.src.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                break pending_cr;
            }
            any = true;
            if pending_cr {
                if buf[0] == b'\n' {
                    if !too_long {
                        bytes.push(b'\n');
                    }
                    self.src.consume(1);
                }
                break true;
            }
            let (take, done, cr_last) = match memchr::memchr2(b'\n', b'\r', buf) {
                Some(i) if buf[i] == b'\n' => (i + 1, true, false),
                Some(i) if i + 1 < buf.len() => (if buf[i + 1] == b'\n' { i + 2 } else { i + 1 }, true, false),
                Some(i) => (i + 1, false, true),
                None => (buf.len(), false, false),
            };
            if !too_long && bytes.len() + take > self.max_record + 2 {
                too_long = true;
                bytes = Vec::new();
            }
            if !too_long {
                bytes.extend_from_slice(&buf[..take]);
            }
            self.src.consume(take);
            if done {
                break true;
            }
            pending_cr = cr_last;
        };
        if !any {
            return Ok(None);
        }
        self.read += 1;
        Ok(Some(Line { bytes, number: self.read, terminated, too_long }))
    }

    fn feed_line(core: &mut csv_core::Reader, acc: &mut Acc, line: &Line) -> Fed {
        match feed(core, acc, &line.bytes) {
            Fed::Record => Fed::Record,
            Fed::Open if line.terminated => Fed::Open,
            // The last line, without a line break: end it like the others.
            Fed::Open => feed(core, acc, b"\n"),
        }
    }

    /// Whether `line`, read alone, is a whole row of the header's width.
    fn is_a_row(&mut self, line: &Line) -> bool {
        self.probe.reset();
        self.probe_acc.clear();
        matches!(Self::feed_line(&mut self.probe, &mut self.probe_acc, line), Fed::Record)
            && self.probe_acc.endlen == self.width
    }

    /// The fields of `line` alone, a quote left open running to its end.
    fn alone(&mut self, line: &Line) -> csv::ByteRecord {
        self.probe.reset();
        self.probe_acc.clear();
        if let Fed::Open = feed(&mut self.probe, &mut self.probe_acc, without_terminator(&line.bytes)) {
            feed(&mut self.probe, &mut self.probe_acc, b"");
        }
        self.probe_acc.record()
    }
}

impl<R: BufRead + Send> Records for Splitter<R> {
    fn next_record(&mut self) -> io::Result<Option<Record>> {
        let mut blank = 0;
        loop {
            let Some(first) = self.take_line()? else {
                self.trailing_blank += blank;
                return Ok(None);
            };
            self.trailing_blank = 0;
            if first.too_long {
                return Ok(Some(Record {
                    line: first.number,
                    span: 1,
                    blank_before: blank,
                    record: csv::ByteRecord::new(),
                    fault: Some(format!(
                        "line_too_long (line {}): over {} bytes; the line is left out",
                        first.number, self.max_record
                    )),
                }));
            }
            if is_blank(&first.bytes) {
                blank += 1;
                continue;
            }
            self.core.reset();
            self.acc.clear();
            if let Fed::Record = Self::feed_line(&mut self.core, &mut self.acc, &first) {
                return Ok(Some(Record {
                    line: first.number,
                    span: 1,
                    blank_before: blank,
                    record: self.acc.record(),
                    fault: None,
                }));
            }
            // A quoted field runs past the line's end: read on.
            let mut group: Vec<Line> = Vec::new();
            let mut size = first.bytes.len();
            let closed = loop {
                let Some(l) = self.take_line()? else { break false };
                size += l.bytes.len();
                let stop = l.too_long || size > self.max_record;
                group.push(l);
                if stop {
                    break false;
                }
                let last = group.last().expect("a line was just pushed");
                if let Fed::Record = Self::feed_line(&mut self.core, &mut self.acc, last) {
                    break true;
                }
            };
            let whole = closed
                && (self.width == 0
                    || (self.acc.endlen == self.width
                        && (self.width < 2 || !group.iter().any(|l| !l.too_long && self.is_a_row(l)))));
            if whole {
                return Ok(Some(Record {
                    line: first.number,
                    span: 1 + group.len() as u64,
                    blank_before: blank,
                    record: self.acc.record(),
                    fault: None,
                }));
            }
            for l in group.into_iter().rev() {
                self.pending.push_front(l);
            }
            let record = self.alone(&first);
            let fault = format!(
                "unbalanced_quote (line {}): the quote that opens field {} is not closed on this line, \
                 which was read on its own",
                first.number,
                record.len().max(1)
            );
            return Ok(Some(Record { line: first.number, span: 1, blank_before: blank, record, fault: Some(fault) }));
        }
    }

    fn skip_lines(&mut self, n: u64) -> io::Result<()> {
        for _ in 0..n {
            if self.take_line()?.is_none() {
                break;
            }
        }
        Ok(())
    }

    fn set_width(&mut self, width: usize) {
        self.width = width;
    }

    fn lines(&self) -> u64 {
        self.read
    }

    fn trailing_blank(&self) -> u64 {
        self.trailing_blank
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn all(input: &[u8], width: usize, max: usize) -> (Vec<Record>, u64, u64) {
        let mut s = Splitter::new(io::BufReader::with_capacity(4, input), b';', max);
        s.set_width(width);
        let mut out = Vec::new();
        while let Some(r) = s.next_record().unwrap() {
            out.push(r);
        }
        (out, s.lines(), s.trailing_blank())
    }

    fn fields(r: &Record) -> Vec<String> {
        r.record.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect()
    }

    #[test]
    fn line_ends_of_every_kind_and_blank_lines() {
        let (rs, lines, trailing) = all(b"a;b\r\nc;d\n\n\re;f\rg;h", 2, 100);
        let starts: Vec<u64> = rs.iter().map(|r| r.line).collect();
        assert_eq!(starts, vec![1, 2, 5, 6]);
        assert_eq!(rs[2].blank_before, 2);
        assert_eq!(fields(&rs[3]), vec!["g", "h"]);
        assert_eq!((lines, trailing), (6, 0));
        let (rs, lines, trailing) = all(b"a;b\n\n\n", 2, 100);
        assert_eq!((rs.len(), lines, trailing), (1, 3, 2));
    }

    #[test]
    fn a_multi_line_field_written_on_purpose_is_one_record() {
        let (rs, lines, _) = all(b"1;\"Blvd 9\r\nCol. Centro\r\nReynosa\";MX\r\n2;x;MX\r\n", 3, 1000);
        assert_eq!(rs.len(), 2);
        assert_eq!((rs[0].line, rs[0].span), (1, 3));
        assert_eq!(fields(&rs[0]), vec!["1", "Blvd 9\r\nCol. Centro\r\nReynosa", "MX"]);
        assert!(rs[0].fault.is_none());
        assert_eq!(rs[1].line, 4);
        assert_eq!(lines, 4);
    }

    #[test]
    fn a_stray_quote_costs_its_line_only() {
        // Never closed.
        let (rs, _, _) = all(b"1;\"Juan;MX\n2;Los Zetas;MX\n3;Ana;MX\n", 3, 1000);
        assert_eq!(rs.iter().map(|r| r.line).collect::<Vec<_>>(), vec![1, 2, 3]);
        assert!(rs[0].fault.as_deref().unwrap().starts_with("unbalanced_quote (line 1)"), "{:?}", rs[0].fault);
        assert_eq!(fields(&rs[0]), vec!["1", "Juan;MX"]);
        assert_eq!(fields(&rs[1]), vec!["2", "Los Zetas", "MX"]);
        // Closed by a later quote, with the header's width: the lines in
        // between are rows of their own, so it is still a stray.
        let (rs, _, _) = all(b"1;\"Juan;MX\n2;Los Zetas;MX\n3;\"Ana\";MX\n", 3, 1000);
        assert_eq!(rs.len(), 3);
        assert!(rs[0].fault.is_some());
        assert!(rs[1].fault.is_none() && rs[2].fault.is_none());
        assert_eq!(fields(&rs[2]), vec!["3", "Ana", "MX"]);
        // Over the size limit.
        let (rs, _, _) = all(b"1;\"Juan;MX\n2;aaaaaaaaaaaaaaaaaaaaaaaaaaaa\n3;b;c\n", 3, 20);
        assert_eq!(rs.iter().map(|r| r.line).collect::<Vec<_>>(), vec![1, 2, 3]);
        assert!(rs[0].fault.as_deref().unwrap().starts_with("unbalanced_quote"));
        assert!(rs[1].fault.as_deref().unwrap().starts_with("line_too_long (line 2)"));
        assert!(rs[2].fault.is_none());
    }

    #[test]
    fn the_header_may_span_lines() {
        let mut s = Splitter::new(io::BufReader::new(&b"\"a\nb\";c\n1;2\n"[..]), b';', 100);
        let h = s.next_record().unwrap().unwrap();
        assert_eq!((h.line, h.span, h.record.len()), (1, 2, 2));
        s.set_width(2);
        assert_eq!(s.next_record().unwrap().unwrap().line, 3);
    }

    proptest! {
        /// Every line is accounted for: in a record (as its start or as the
        /// continuation of a quoted field) or blank, whatever the bytes.
        #[test]
        fn every_line_is_accounted_for(
            lines in proptest::collection::vec("[a-c;\" ]{0,8}", 0..30),
            ends in proptest::collection::vec(prop::sample::select(vec!["\n", "\r\n", "\r"]), 30),
            width in 1usize..4,
            max in 4usize..64,
        ) {
            let mut text = String::new();
            for (l, e) in lines.iter().zip(&ends) {
                text.push_str(l);
                text.push_str(e);
            }
            let (rs, read, trailing) = all(text.as_bytes(), width, max);
            let spans: u64 = rs.iter().map(|r| r.span).sum();
            let blanks: u64 = rs.iter().map(|r| r.blank_before).sum::<u64>() + trailing;
            prop_assert_eq!(spans + blanks, read);
            let mut next = 1;
            for r in &rs {
                prop_assert_eq!(r.line, next + r.blank_before);
                next = r.line + r.span;
            }
        }
    }
}
