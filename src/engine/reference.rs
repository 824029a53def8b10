//! Reference data the engine reads, kept as data: the company legal forms
//! (`lists/reference/legal_forms.csv`), the generic business words
//! (`lists/reference/business_words.csv`) and the common words of English
//! and Spanish text (`lists/reference/common_words.txt`), compiled in.
//!
//! One table serves the normaliser (legal forms set aside, abbreviations
//! written out), the token weights (generic words weigh little), both list
//! readers (an untyped OFAC or UN entry whose name carries a legal form is a
//! company) and the kind inference of queries, so the same company is a
//! `Company` whichever list or channel it comes from. The files' headers
//! document their columns.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use crate::engine::normalize::fold;

/// The legal-form table, compiled in.
pub const LEGAL_FORMS_CSV: &str = include_str!("../../lists/reference/legal_forms.csv");
/// The business-word table, compiled in.
pub const BUSINESS_WORDS_CSV: &str = include_str!("../../lists/reference/business_words.csv");

/// Words common in English or Spanish text, one per line, compiled in
/// (source and rule in the file's header).
pub const COMMON_WORDS_TXT: &str = include_str!("../../lists/reference/common_words.txt");

/// A company legal form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegalForm {
    /// The form's tokens folded and joined (`sadecv`).
    pub key: &'static str,
    /// As usually written (`S.A. de C.V.`).
    pub label: &'static str,
    /// ISO 3166 alpha-2 code of where it is used, or `*`.
    pub jurisdiction: &'static str,
    /// Whether it may open a name (`OOO Gazprom`).
    pub leads: bool,
}

/// A generic business word.
#[derive(Debug, Clone, PartialEq)]
pub struct BusinessWord {
    /// Folded to lower-case ASCII.
    pub word: &'static str,
    /// Prior weight in (0, 1].
    pub weight: f32,
    /// Whether the word alone says the name is a company's.
    pub company: bool,
}

struct Tables {
    /// Every spelling of a legal form (key and variants) → its row.
    forms: FxHashMap<&'static str, usize>,
    /// The length of the longest spelling, in bytes.
    longest: usize,
    form_rows: Vec<LegalForm>,
    /// Every proper beginning (four letters or more) of a spelling of six
    /// letters or more → the row of the first such spelling, for reading
    /// forms cut by a field limit.
    cut_spellings: FxHashMap<&'static str, usize>,
    /// Spellings of [`MIN_MISSPELT`] letters or more → their row, for
    /// reading a legal form written with a typo.
    long_spellings: Vec<(&'static str, usize)>,
    words: FxHashMap<&'static str, BusinessWord>,
    /// Abbreviation → the word it stands for.
    abbreviations: FxHashMap<&'static str, &'static str>,
}

/// The data rows of a compiled-in CSV table: comment lines (`#`) and the
/// header skipped, fields split on commas (the tables hold no quoted
/// commas).
pub(crate) fn rows(csv: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    csv.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .skip(1)
        .map(|l| l.split(',').map(str::trim).collect())
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut t = Tables {
            forms: FxHashMap::default(),
            longest: 0,
            form_rows: Vec::new(),
            cut_spellings: FxHashMap::default(),
            long_spellings: Vec::new(),
            words: FxHashMap::default(),
            abbreviations: FxHashMap::default(),
        };
        for r in rows(LEGAL_FORMS_CSV) {
            let i = t.form_rows.len();
            t.form_rows.push(LegalForm { key: r[0], label: r[1], jurisdiction: r[2], leads: r[3] == "yes" });
            for spelling in std::iter::once(r[0]).chain(r.get(4).into_iter().flat_map(|v| v.split('|'))) {
                if !spelling.is_empty() {
                    t.forms.insert(spelling, i);
                    t.longest = t.longest.max(spelling.len());
                    if spelling.len() >= MIN_MISSPELT {
                        t.long_spellings.push((spelling, i));
                    }
                    if spelling.len() >= 6 {
                        for end in (4..spelling.len()).filter(|&e| spelling.is_char_boundary(e)) {
                            t.cut_spellings.entry(&spelling[..end]).or_insert(i);
                        }
                    }
                }
            }
        }
        for r in rows(BUSINESS_WORDS_CSV) {
            let weight = r[1].parse::<f32>().unwrap_or(1.0).clamp(0.01, 1.0);
            t.words.insert(r[0], BusinessWord { word: r[0], weight, company: r[2] == "yes" });
            for a in r.get(3).into_iter().flat_map(|v| v.split('|')).filter(|a| !a.is_empty()) {
                t.abbreviations.insert(a, r[0]);
            }
        }
        t
    })
}

/// Whether `folded` (lower-case ASCII, as [`fold`] leaves it) is a word
/// common in English or Spanish text: Zipf frequency at least 4.0 in either
/// language per wordfreq 3.1.1, three letters or more
/// (`lists/reference/common_words.txt`). `gross`, `cargo`, `destino` are;
/// `oseguera`, `zetas` are not.
pub fn is_common_word(folded: &str) -> bool {
    static WORDS: OnceLock<rustc_hash::FxHashSet<&'static str>> = OnceLock::new();
    WORDS
        .get_or_init(|| {
            COMMON_WORDS_TXT.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect()
        })
        .contains(folded)
}

/// The legal form a folded, joined spelling stands for (`sadecv`,
/// `sociedadanonimadecapitalvariable`); scanned spellings are read too
/// (`5.A. cle C.V.` folds to `5acledecv`… read as `sadecv`).
pub fn legal_form(joined: &str) -> Option<&'static LegalForm> {
    let t = tables();
    // No spelling is this long, even after `cle` is read as `de` below.
    if joined.len() > t.longest
        && joined.len() - joined.as_bytes().windows(3).filter(|w| *w == b"cle").count() > t.longest
    {
        return None;
    }
    if let Some(&i) = t.forms.get(joined) {
        return Some(&t.form_rows[i]);
    }
    // Spellings hold no digits: a digit other than those read as letters
    // rules a form out.
    if joined.bytes().any(|b| b.is_ascii_digit() && !matches!(b, b'5' | b'0' | b'1' | b'8')) {
        return None;
    }
    if joined.bytes().any(|b| b.is_ascii_digit()) || joined.as_bytes().windows(3).any(|w| w == b"cle") {
        // One pass: `cle` read as `de` (left to right, as `str::replace`),
        // the digits as the letters they were scanned from.
        let bytes = joined.as_bytes();
        let mut fixed = String::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i..].starts_with(b"cle") {
                fixed.push_str("de");
                i += 3;
                continue;
            }
            fixed.push(match bytes[i] {
                b'5' => 's',
                b'0' => 'o',
                b'1' => 'i',
                b'8' => 'b',
                other => other as char,
            });
            i += 1;
        }
        return t.forms.get(fixed.as_str()).map(|&i| &t.form_rows[i]);
    }
    None
}

/// The most bytes a joined spelling [`legal_form`] reads may have: longer
/// joins of a name's last or first tokens need not be tried.
pub fn longest_legal_form_spelling() -> usize {
    // `cle` is read as `de`: a third of a scanned spelling may be extra.
    tables().longest * 3 / 2 + 2
}

/// The multi-part legal form a name cut by a field limit ends in: `joined`
/// (the last tokens folded and joined) is the beginning of a spelling of at
/// least six letters, and covers at least `min_parts` of its tokens
/// (`S.A. DE C.` → `sadec` → S.A. de C.V.; `Limited Liability Comp`).
pub fn cut_legal_form(joined: &str, parts: usize) -> Option<&'static LegalForm> {
    if parts < 2 || joined.len() < 4 {
        return None;
    }
    let t = tables();
    t.cut_spellings.get(joined).map(|&i| &t.form_rows[i])
}

/// Shortest spelling read with a typo: a shorter word one edit from a form
/// is as likely another word (`limite`, `compania`).
pub const MIN_MISSPELT: usize = 9;

/// The legal form a single folded word misspells by one edit (an insertion,
/// deletion, substitution or swap of neighbours): `aktiengeselschaft`,
/// `corporaton`. Only spellings of [`MIN_MISSPELT`] letters or more are
/// read this way; the first in table order wins.
pub fn misspelt_legal_form(word: &str) -> Option<&'static LegalForm> {
    if word.len() + 1 < MIN_MISSPELT || !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    let t = tables();
    t.long_spellings
        .iter()
        .find(|(s, _)| {
            let (a, b) = (word.as_bytes(), s.as_bytes());
            a.len().abs_diff(b.len()) <= 1
                && (a[0] == b[0] || a[1] == b[1])
                && crate::engine::similarity::osa_distance_within(a, b, 1)
        })
        .map(|&(_, i)| &t.form_rows[i])
}

/// The generic business word a folded token is, if it is one.
pub fn business_word(token: &str) -> Option<&'static BusinessWord> {
    tables().words.get(token)
}

/// Whether a folded token is a generic business word.
pub fn is_generic_business_word(token: &str) -> bool {
    tables().words.contains_key(token)
}

/// The business word an abbreviation stands for (`gpo` → `grupo`).
pub fn expand_abbreviation(token: &str) -> Option<&'static str> {
    tables().abbreviations.get(token).copied()
}

/// Every (abbreviation, word) pair of the business-word table, sorted by
/// abbreviation (`("gpo", "grupo")`).
pub fn abbreviations() -> Vec<(&'static str, &'static str)> {
    let mut v: Vec<(&'static str, &'static str)> = tables().abbreviations.iter().map(|(a, w)| (*a, *w)).collect();
    v.sort_unstable();
    v
}

/// Whether a name reads as a company's: it ends (or, for the forms that
/// may, begins) with a legal form, or holds a word that says so
/// (`Company`, `Corporation`). The one rule for the OFAC and UN readers and
/// for queries.
pub fn has_legal_form(name: &str) -> bool {
    let (folded, _) = fold(name);
    let tokens: Vec<&str> = folded.split(' ').filter(|t| !t.is_empty()).collect();
    if tokens.iter().any(|t| business_word(t).is_some_and(|w| w.company)) {
        return true;
    }
    // The longest run of up to ten tokens at the end, then at the start.
    let n = tokens.len();
    let mut joined = String::new();
    for k in 1..=n.min(10) {
        joined.insert_str(0, tokens[n - k]);
        if legal_form(&joined).is_some() && k < n {
            return true;
        }
    }
    joined.clear();
    for (k, t) in tokens.iter().enumerate().take(n.saturating_sub(1).min(6)) {
        joined.push_str(t);
        if legal_form(&joined).is_some_and(|f| f.leads || k > 0) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tables_read_whole() {
        let t = tables();
        assert!(t.form_rows.len() > 80, "{}", t.form_rows.len());
        assert!(t.words.len() > 100, "{}", t.words.len());
        assert_eq!(legal_form("sadecv").map(|f| f.label), Some("S.A. de C.V."));
        assert_eq!(legal_form("sociedadanonimadecapitalvariable").map(|f| f.key), Some("sadecv"));
        assert_eq!(legal_form("5adecv").map(|f| f.key), Some("sadecv"));
        assert_eq!(business_word("grupo").map(|w| w.weight), Some(0.15));
        assert_eq!(expand_abbreviation("gpo"), Some("grupo"));
        assert_eq!(expand_abbreviation("hnos"), Some("hermanos"));
    }

    #[test]
    fn spellings_hold_no_digits_and_scanned_ones_are_read() {
        // `legal_form` rules a form out on any digit it cannot read as a
        // letter, and repairs scanned spellings byte by byte.
        assert!(tables().forms.keys().all(|s| s.is_ascii() && !s.bytes().any(|b| b.is_ascii_digit())));
        for (scanned, read) in [("5a", "sa"), ("5aclecv", "sadecv"), ("5clerlclecv", "sderldecv"), ("5rl", "srl")] {
            assert!(legal_form(read).is_some(), "{read}");
            assert_eq!(legal_form(scanned).map(|f| f.key), legal_form(read).map(|f| f.key), "{scanned}");
        }
        assert_eq!(legal_form("5rl").map(|f| f.key), Some("srl"));
        assert_eq!(legal_form("5clerlclecv").map(|f| f.key), legal_form("sderldecv").map(|f| f.key));
        assert_eq!(legal_form("4rl"), None);
        let long = "x".repeat(tables().longest + 1);
        assert_eq!(legal_form(&long), None);
    }

    #[test]
    fn common_words_are_ordinary_wording_not_surnames() {
        assert!(COMMON_WORDS_TXT.lines().filter(|l| !l.starts_with('#')).count() > 10_000);
        for w in ["gross", "cargo", "destino", "september", "must", "guarantee"] {
            assert!(is_common_word(w), "{w}");
        }
        for w in ["zetas", "oseguera", "impergoza", "gr", "Cargo"] {
            assert!(!is_common_word(w), "{w}");
        }
    }

    #[test]
    fn cut_forms_are_read() {
        assert_eq!(cut_legal_form("sadec", 4).map(|f| f.key), Some("sadecv"));
        assert_eq!(cut_legal_form("limitedliabilitycomp", 3).map(|f| f.key), Some("llc"));
        assert_eq!(cut_legal_form("ltdliabilityco", 3).map(|f| f.key), Some("llc"));
        assert_eq!(cut_legal_form("sa", 2), None);
        assert_eq!(cut_legal_form("sadec", 1), None);
    }

    #[test]
    fn companies_by_their_names() {
        for n in [
            "EMPRESA UNO, S.A. DE C.V.",
            "FAKE HOLDINGS LTD",
            "FAKE TRADING CO., LTD.",
            "FAKE LLC",
            "FAKE GMBH",
            "GANADERA S. DE R.L.",
            "FAKE COMPANY",
            "FAKE CORP.",
            "ACME LTDA",
            "FAKE TRGOVIJA DOOEL",
            "KINGLY WON INTERNATIONAL CO., LTD",
            "LOGARCHEO S.A.",
            "FIRST EAST EXPORT BANK, P.L.C.",
            "OOO GAZPROM EXPORT",
        ] {
            assert!(has_legal_form(n), "{n}");
        }
        for n in [
            "CARTEL DE PRUEBA DEL SUR",
            "LOS FALSOS",
            "AS SAHAB FAKE MEDIA",
            "COMPANIERO",
            "AL-QAIDA",
            "BANK OF EAST LAND",
            "ISLAMIC STATE WEST AFRICA PROVINCE (ISWAP)",
            "SA",
        ] {
            assert!(!has_legal_form(n), "{n}");
        }
    }
}
