//! Reading real-world CSV files: which encoding the bytes are in, which
//! delimiter separates the fields, and turning field bytes into text.
//!
//! Nothing here holds more than a bounded prefix of the input: detection
//! looks at the first [`SNIFF_BYTES`] and hands them back, chained before
//! the rest of the stream. [`detect_kind`] tells a text file from a
//! spreadsheet and from anything else, before any work.

use std::borrow::Cow;
use std::io::{self, Cursor, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::sheet::SheetKind;

/// How much of the input the encoding is guessed from.
pub const SNIFF_BYTES: usize = 1 << 20;
/// How much of the (decoded) input the delimiter is guessed from: the
/// header line must end within it, or the delimiter is guessed from its
/// start.
pub const HEADER_PEEK_BYTES: usize = 64 << 10;

/// The encoding the caller asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EncodingChoice {
    /// A byte-order mark decides; else valid UTF-8 is UTF-8 and anything
    /// else Windows-1252.
    #[default]
    Auto,
    Utf8,
    Windows1252,
    /// ISO-8859-1 proper: every byte is the code point of the same value.
    Latin1,
}

impl std::str::FromStr for EncodingChoice {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let k: String = s.trim().to_ascii_lowercase().chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        Ok(match k.as_str() {
            "auto" | "" => EncodingChoice::Auto,
            "utf8" => EncodingChoice::Utf8,
            "windows1252" | "cp1252" | "win1252" | "ansi" => EncodingChoice::Windows1252,
            "latin1" | "iso88591" | "l1" => EncodingChoice::Latin1,
            _ => return Err(format!("unknown encoding `{s}` (use utf-8, windows-1252 or latin-1)")),
        })
    }
}

/// The encoding a file was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    /// Only ASCII in the sniffed prefix: each field is read as UTF-8 when it
    /// is valid UTF-8, else as Windows-1252.
    AsciiOrFallback,
    Windows1252,
    Latin1,
    Utf16Le,
    Utf16Be,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::AsciiOrFallback => "ascii (utf-8, windows-1252 fallback)",
            Encoding::Windows1252 => "windows-1252",
            Encoding::Latin1 => "latin-1",
            Encoding::Utf16Le => "utf-16le",
            Encoding::Utf16Be => "utf-16be",
        }
    }

    /// How the fields of the byte stream the CSV parser sees are decoded
    /// (UTF-16 is transcoded to UTF-8 before parsing).
    pub(crate) fn field_decoder(self) -> FieldDecoder {
        match self {
            Encoding::Utf8 | Encoding::Utf16Le | Encoding::Utf16Be => FieldDecoder::Utf8,
            Encoding::AsciiOrFallback => FieldDecoder::Utf8OrWindows1252,
            Encoding::Windows1252 => FieldDecoder::Windows1252,
            Encoding::Latin1 => FieldDecoder::Latin1,
        }
    }
}

/// What the start of the input says about its encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sniffed {
    pub encoding: Encoding,
    /// Length of the byte-order mark to skip (0 when none).
    pub bom_len: usize,
}

/// Guesses the encoding from the first bytes of the input. `complete` says
/// that `prefix` is the whole input (so a multi-byte character cut at its
/// end is an error, not the sniff boundary).
pub fn sniff_encoding(prefix: &[u8], complete: bool) -> Sniffed {
    if prefix.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Sniffed { encoding: Encoding::Utf8, bom_len: 3 };
    }
    if prefix.starts_with(&[0xFF, 0xFE]) {
        return Sniffed { encoding: Encoding::Utf16Le, bom_len: 2 };
    }
    if prefix.starts_with(&[0xFE, 0xFF]) {
        return Sniffed { encoding: Encoding::Utf16Be, bom_len: 2 };
    }
    let encoding = match std::str::from_utf8(prefix) {
        Ok(_) if prefix.is_ascii() => Encoding::AsciiOrFallback,
        Ok(_) => Encoding::Utf8,
        // A character cut by the end of the sniffed prefix.
        Err(e) if e.error_len().is_none() && !complete => {
            if prefix[..e.valid_up_to()].is_ascii() {
                Encoding::AsciiOrFallback
            } else {
                Encoding::Utf8
            }
        }
        Err(_) => Encoding::Windows1252,
    };
    Sniffed { encoding, bom_len: 0 }
}

/// The encoding to read with: what the caller forced, else what was
/// sniffed. A byte-order mark is skipped either way.
pub fn choose_encoding(choice: EncodingChoice, sniffed: Sniffed) -> Sniffed {
    let forced = match choice {
        EncodingChoice::Auto => return sniffed,
        EncodingChoice::Utf8 => Encoding::Utf8,
        EncodingChoice::Windows1252 => Encoding::Windows1252,
        EncodingChoice::Latin1 => Encoding::Latin1,
    };
    match sniffed.encoding {
        // A UTF-16 mark is unmistakable: forcing an 8-bit encoding on it
        // would only read garbage.
        Encoding::Utf16Le | Encoding::Utf16Be => sniffed,
        _ if sniffed.bom_len == 3 => Sniffed { encoding: forced, bom_len: 3 },
        _ => Sniffed { encoding: forced, bom_len: 0 },
    }
}

/// The delimiter of a header line: whichever of `,` `;` tab `|` occurs most
/// outside quotes on the first line of `head` that has any of them, after
/// the first `skip` lines (a title line without delimiters above the header
/// is passed over); `,` when no line has one. Ties go to the earlier in that
/// list.
pub fn detect_delimiter(head: &[u8], skip: u64) -> u8 {
    const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];
    let mut counts = [0usize; 4];
    let mut quoted = false;
    let mut line = 0u64;
    let mut prev = 0u8;
    for &b in head {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if prev == b'\r' => {}
            b'\n' | b'\r' if !quoted => {
                if line >= skip && counts.iter().any(|&c| c > 0) {
                    break;
                }
                line += 1;
                counts = [0; 4];
            }
            _ if !quoted && line >= skip => {
                if let Some(i) = CANDIDATES.iter().position(|&c| c == b) {
                    counts[i] += 1;
                }
            }
            _ => {}
        }
        prev = b;
    }
    let mut best = 0;
    for i in 1..CANDIDATES.len() {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    CANDIDATES[best]
}

/// What the first bytes of an input say it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileKind {
    /// Text: read as CSV.
    Text,
    /// A spreadsheet format, read with calamine.
    Sheet(SheetKind),
    /// A ZIP archive or an OLE compound file of no known spreadsheet type:
    /// tried as the spreadsheets of that container (`xlsx`/`ods`, `xls`),
    /// refused as `description` if it is none.
    Container { candidates: Vec<SheetKind>, description: String },
    /// Anything else: refused before any work.
    Other { description: String },
}

/// How many bytes [`detect_kind`] looks at for control characters.
const BINARY_PEEK: usize = 8 << 10;

/// Tells text from spreadsheets and other files, by their signatures
/// (the `infer` crate) and, for text, by the absence of NUL bytes and of
/// more than 1% other control characters in the first 8 KiB. A byte-order
/// mark makes it text.
pub fn detect_kind(prefix: &[u8]) -> FileKind {
    if prefix.starts_with(&[0xEF, 0xBB, 0xBF]) || prefix.starts_with(&[0xFF, 0xFE]) || prefix.starts_with(&[0xFE, 0xFF])
    {
        return FileKind::Text;
    }
    if let Some(t) = infer::get(prefix) {
        let description = format!("{} ({}, .{})", kind_name(t.mime_type()), t.mime_type(), t.extension());
        return match t.mime_type() {
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => FileKind::Sheet(SheetKind::Xlsx),
            "application/vnd.ms-excel" => FileKind::Sheet(SheetKind::Xls),
            "application/vnd.oasis.opendocument.spreadsheet" => FileKind::Sheet(SheetKind::Ods),
            "application/zip" => FileKind::Container { candidates: vec![SheetKind::Xlsx, SheetKind::Ods], description },
            "application/x-ole-storage" => FileKind::Container { candidates: vec![SheetKind::Xls], description },
            _ if t.matcher_type() == infer::MatcherType::Text => FileKind::Text,
            _ => FileKind::Other { description },
        };
    }
    let head = &prefix[..prefix.len().min(BINARY_PEEK)];
    let nul = head.contains(&0);
    let control = head.iter().filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1A)).count();
    if nul || control * 100 > head.len() {
        return FileKind::Other {
            description: "binary data of an unknown type (control bytes that text does not have)".into(),
        };
    }
    FileKind::Text
}

/// A person's name for a MIME type, where a short one helps.
fn kind_name(mime: &str) -> &'static str {
    match mime {
        "application/pdf" => "a PDF document",
        "application/zip" => "a ZIP archive",
        "application/gzip"
        | "application/x-bzip2"
        | "application/x-xz"
        | "application/x-7z-compressed"
        | "application/vnd.rar"
        | "application/x-tar"
        | "application/zstd" => "a compressed archive",
        "application/x-executable" | "application/x-mach-binary" | "application/vnd.microsoft.portable-executable" => {
            "a program"
        }
        "application/msword" | "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => {
            "a Word document"
        }
        "application/vnd.ms-powerpoint"
        | "application/vnd.openxmlformats-officedocument.presentationml.presentation" => "a presentation",
        "application/x-sqlite3" => "an SQLite database",
        m if m.starts_with("image/") => "an image",
        m if m.starts_with("audio/") => "a sound file",
        m if m.starts_with("video/") => "a video",
        m if m.starts_with("font/") || m.starts_with("application/font") => "a font",
        _ => "a file",
    }
}

/// The delimiters `--delimiter` (and `delimiter=` of `POST /v1/batch`)
/// accept: the characters and their names.
pub const DELIMITERS: &str = "`,` `;` `|` tab, or comma, semicolon, pipe, tab";

/// Parses a `--delimiter` value: one of the closed set `,` `;` `|` and a tab
/// (`\t` or the tab character), or their names `comma`, `semicolon`,
/// `pipe`, `tab` (any case).
///
/// # Errors
/// A sentence naming the value and the values allowed, for anything else.
pub fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "," => return Ok(b','),
        ";" => return Ok(b';'),
        "|" => return Ok(b'|'),
        "\\t" | "\t" => return Ok(b'\t'),
        _ => {}
    }
    match s.to_ascii_lowercase().as_str() {
        "tab" => Ok(b'\t'),
        "comma" => Ok(b','),
        "semicolon" => Ok(b';'),
        "pipe" => Ok(b'|'),
        _ => Err(format!(
            "unusable delimiter `{}`: use {DELIMITERS}",
            crate::engine::query::quote_bounded(s).escape_debug()
        )),
    }
}

/// A delimiter as people write it.
pub fn delimiter_label(d: u8) -> String {
    match d {
        b'\t' => "tab".to_string(),
        _ => (d as char).to_string(),
    }
}

/// Turns the bytes of one field into text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldDecoder {
    Utf8,
    Utf8OrWindows1252,
    Windows1252,
    Latin1,
}

impl FieldDecoder {
    /// The field's text and whether it decoded cleanly (`false`: invalid
    /// UTF-8, replaced by U+FFFD in the text returned).
    pub(crate) fn decode(self, b: &[u8]) -> (Cow<'_, str>, bool) {
        match self {
            FieldDecoder::Utf8 => match std::str::from_utf8(b) {
                Ok(s) => (Cow::Borrowed(s), true),
                Err(_) => (String::from_utf8_lossy(b), false),
            },
            FieldDecoder::Utf8OrWindows1252 => match std::str::from_utf8(b) {
                Ok(s) => (Cow::Borrowed(s), true),
                Err(_) => (encoding_rs::WINDOWS_1252.decode_without_bom_handling(b).0, true),
            },
            FieldDecoder::Windows1252 => (encoding_rs::WINDOWS_1252.decode_without_bom_handling(b).0, true),
            FieldDecoder::Latin1 => {
                if b.is_ascii() {
                    // ASCII is valid UTF-8 as it is.
                    (String::from_utf8_lossy(b), true)
                } else {
                    (Cow::Owned(b.iter().map(|&c| c as char).collect()), true)
                }
            }
        }
    }
}

/// Reads up to `n` bytes (fewer only at the end of the input).
pub(crate) fn read_prefix<R: Read>(r: &mut R, n: usize) -> io::Result<Vec<u8>> {
    let mut v = Vec::with_capacity(n.min(64 << 10));
    r.by_ref().take(n as u64).read_to_end(&mut v)?;
    Ok(v)
}

/// Counts the bytes read through it, for progress against a known size.
pub(crate) struct Counting<R> {
    pub(crate) inner: R,
    pub(crate) count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Transcodes UTF-16 (either byte order) to UTF-8 as it is read; malformed
/// sequences become U+FFFD.
pub(crate) struct Utf16ToUtf8<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    input: Vec<u8>,
    in_start: usize,
    in_end: usize,
    eof: bool,
    output: Vec<u8>,
    out_start: usize,
    out_end: usize,
    finished: bool,
}

impl<R: Read> Utf16ToUtf8<R> {
    pub(crate) fn new(inner: R, big_endian: bool) -> Self {
        let enc = if big_endian { encoding_rs::UTF_16BE } else { encoding_rs::UTF_16LE };
        Utf16ToUtf8 {
            inner,
            decoder: enc.new_decoder_without_bom_handling(),
            input: vec![0; 32 << 10],
            in_start: 0,
            in_end: 0,
            eof: false,
            output: vec![0; 64 << 10],
            out_start: 0,
            out_end: 0,
            finished: false,
        }
    }
}

impl<R: Read> Read for Utf16ToUtf8<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.out_start < self.out_end {
                let n = buf.len().min(self.out_end - self.out_start);
                buf[..n].copy_from_slice(&self.output[self.out_start..self.out_start + n]);
                self.out_start += n;
                return Ok(n);
            }
            if self.finished || buf.is_empty() {
                return Ok(0);
            }
            if self.in_start == self.in_end && !self.eof {
                let n = loop {
                    match self.inner.read(&mut self.input) {
                        Ok(n) => break n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(e) => return Err(e),
                    }
                };
                self.in_start = 0;
                self.in_end = n;
                self.eof = n == 0;
            }
            let (_, read, written, _) =
                self.decoder.decode_to_utf8(&self.input[self.in_start..self.in_end], &mut self.output, self.eof);
            self.in_start += read;
            self.out_start = 0;
            self.out_end = written;
            if self.eof && self.in_start == self.in_end && written == 0 {
                self.finished = true;
            }
        }
    }
}

/// A stream with the bytes already read put back in front of it.
pub(crate) fn unread<R: Read>(head: Vec<u8>, skip: usize, rest: R) -> io::Chain<Cursor<Vec<u8>>, R> {
    let mut c = Cursor::new(head);
    c.set_position(skip as u64);
    c.chain(rest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn boms_decide() {
        assert_eq!(sniff_encoding(b"\xEF\xBB\xBFname\n", true), Sniffed { encoding: Encoding::Utf8, bom_len: 3 });
        assert_eq!(sniff_encoding(b"\xFF\xFEn\0", true).encoding, Encoding::Utf16Le);
        assert_eq!(sniff_encoding(b"\xFE\xFF\0n", true).encoding, Encoding::Utf16Be);
    }

    #[test]
    fn utf8_cp1252_and_ascii() {
        assert_eq!(sniff_encoding("nombre\nPeña\n".as_bytes(), true).encoding, Encoding::Utf8);
        assert_eq!(sniff_encoding(b"nombre\nPe\xF1a\n", true).encoding, Encoding::Windows1252);
        assert_eq!(sniff_encoding(b"name\nPena\n", true).encoding, Encoding::AsciiOrFallback);
        // A character cut by the sniff boundary is not an error...
        let cut = &"nombre\nPeña Núñez".as_bytes()[..15];
        assert_eq!(sniff_encoding(cut, false).encoding, Encoding::Utf8);
        // Cut in its first non-ASCII character: nothing is known yet.
        let first = &"nombre\nPeña".as_bytes()[..10];
        assert_eq!(sniff_encoding(first, false).encoding, Encoding::AsciiOrFallback);
        // ...but at the very end of the input it is.
        assert_eq!(sniff_encoding(cut, true).encoding, Encoding::Windows1252);
    }

    #[test]
    fn forcing_keeps_utf16_and_skips_a_bom() {
        let s = sniff_encoding(b"\xEF\xBB\xBFa", true);
        assert_eq!(choose_encoding(EncodingChoice::Latin1, s), Sniffed { encoding: Encoding::Latin1, bom_len: 3 });
        let s = sniff_encoding(b"\xFF\xFEa\0", true);
        assert_eq!(choose_encoding(EncodingChoice::Utf8, s).encoding, Encoding::Utf16Le);
        let s = sniff_encoding(b"a,b", true);
        assert_eq!(choose_encoding(EncodingChoice::Windows1252, s).encoding, Encoding::Windows1252);
        assert_eq!("CP-1252".parse::<EncodingChoice>(), Ok(EncodingChoice::Windows1252));
        assert_eq!("ISO-8859-1".parse::<EncodingChoice>(), Ok(EncodingChoice::Latin1));
        assert_eq!("utf8".parse::<EncodingChoice>(), Ok(EncodingChoice::Utf8));
        assert!("ebcdic".parse::<EncodingChoice>().is_err());
    }

    #[test]
    fn delimiters() {
        assert_eq!(detect_delimiter(b"name,country,dob\nA;B,C", 0), b',');
        assert_eq!(detect_delimiter(b"nombre;pais;rfc\r\nx,y;z", 0), b';');
        assert_eq!(detect_delimiter(b"name\tcountry\n", 0), b'\t');
        assert_eq!(detect_delimiter(b"name|country|dob", 0), b'|');
        assert_eq!(detect_delimiter(b"name\n", 0), b',');
        // Delimiters inside quotes do not count.
        assert_eq!(detect_delimiter(b"\"nombre, razon social\";\"pais, region\";x\n", 0), b';');
        assert_eq!(parse_delimiter("tab"), Ok(b'\t'));
        assert_eq!(parse_delimiter(";"), Ok(b';'));
        assert!(parse_delimiter("ab").is_err());
        assert_eq!(parse_delimiter("Semicolon"), Ok(b';'));
        assert_eq!(parse_delimiter("\\t"), Ok(b'\t'));
        for bad in ["x", ":", "\"", " ", ""] {
            let e = parse_delimiter(bad).unwrap_err();
            assert!(e.contains("comma, semicolon, pipe, tab"), "{bad:?}: {e}");
        }
    }

    #[test]
    fn field_decoding() {
        assert_eq!(FieldDecoder::Windows1252.decode(b"PE\xD1A \x80").0, "PEÑA €");
        assert_eq!(FieldDecoder::Latin1.decode(b"PE\xD1A").0, "PEÑA");
        assert_eq!(FieldDecoder::Latin1.decode(b"\x80").0, "\u{80}");
        let (s, ok) = FieldDecoder::Utf8.decode(b"PE\xD1A");
        assert!(!ok && s.contains('\u{FFFD}'));
        assert_eq!(FieldDecoder::Utf8OrWindows1252.decode(b"JOS\xC9").0, "JOSÉ");
        assert_eq!(FieldDecoder::Utf8OrWindows1252.decode("JOSÉ".as_bytes()).0, "JOSÉ");
    }

    #[test]
    fn utf16_transcoding() {
        let text = "nombre;país\nPeña;México\n";
        for be in [false, true] {
            let bytes: Vec<u8> =
                text.encode_utf16().flat_map(|u| if be { u.to_be_bytes() } else { u.to_le_bytes() }).collect();
            let mut out = String::new();
            // A tiny reader forces characters to be cut between reads.
            struct Slow<'a>(&'a [u8]);
            impl Read for Slow<'_> {
                fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                    let n = buf.len().min(3).min(self.0.len());
                    buf[..n].copy_from_slice(&self.0[..n]);
                    self.0 = &self.0[n..];
                    Ok(n)
                }
            }
            Utf16ToUtf8::new(Slow(&bytes), be).read_to_string(&mut out).unwrap();
            assert_eq!(out, text);
        }
    }

    proptest! {
        #[test]
        fn utf8_text_is_never_taken_for_cp1252(s in "\\PC{0,200}") {
            let e = sniff_encoding(s.as_bytes(), true).encoding;
            prop_assert!(matches!(e, Encoding::Utf8 | Encoding::AsciiOrFallback));
        }

        #[test]
        fn utf8_cut_anywhere_is_still_utf8(s in "[a-zñéÁ ,;]{1,100}", cut in 0usize..200) {
            let b = s.as_bytes();
            let cut = cut.min(b.len());
            let e = sniff_encoding(&b[..cut], false).encoding;
            prop_assert!(matches!(e, Encoding::Utf8 | Encoding::AsciiOrFallback));
        }

        #[test]
        fn cp1252_accents_are_detected(words in proptest::collection::vec("[A-Z]{1,8}", 1..10), accent in prop::sample::select(vec![0xD1u8, 0xC9, 0xF1, 0xE9, 0xC1, 0xD3])) {
            let mut b = words.join(",").into_bytes();
            b.push(accent);
            b.extend_from_slice(b"A\n");
            prop_assert_eq!(sniff_encoding(&b, true).encoding, Encoding::Windows1252);
        }

        #[test]
        fn delimiter_of_a_generated_header(cols in proptest::collection::vec("[a-zA-Z ]{1,12}", 2..8), d in prop::sample::select(vec![b',', b';', b'\t', b'|']), quote in any::<bool>()) {
            let sep = (d as char).to_string();
            let line = if quote {
                cols.iter().map(|c| format!("\"{c},;|\"")).collect::<Vec<_>>().join(&sep)
            } else {
                cols.join(&sep)
            };
            let text = format!("{line}\r\nx,y;z|w\tv\n");
            prop_assert_eq!(detect_delimiter(text.as_bytes(), 0), d);
        }

        #[test]
        fn windows1252_decoding_is_total(b in proptest::collection::vec(any::<u8>(), 0..100)) {
            let (s, ok) = FieldDecoder::Windows1252.decode(&b);
            prop_assert!(ok);
            prop_assert_eq!(s.chars().count(), b.len());
        }
    }
}
