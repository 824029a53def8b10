//! Name normalisation for matching.
//!
//! Lists and counterparty files spell the same party in many ways: accents
//! or none, `SURNAME, Given` or `Given Surname`, `S.A. de C.V.` or `SA DE CV`,
//! and evaders add zero-width characters or swap Latin letters for Cyrillic
//! lookalikes. Everything here maps those spellings to one token sequence
//! and says what it had to neutralise, so the scorer compares like with like
//! and the result can report possible evasion.

use serde::Serialize;

use crate::engine::model::KindFamily;
use crate::engine::reference::{cut_legal_form, expand_abbreviation, legal_form, longest_legal_form_spelling};

/// Why a counterparty name looks manipulated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EvasionSign {
    /// Zero-width characters, soft hyphens, direction marks.
    InvisibleCharacter,
    /// Non-breaking, thin or other unusual spaces.
    UnusualSpace,
    /// Cyrillic or Greek letters that look like Latin ones, mixed into Latin
    /// text.
    Homoglyph,
    /// Control characters.
    ControlCharacter,
    /// Emoji, pictographs, dingbats, arrows and other symbols, which no
    /// name holds.
    Symbol,
}

impl EvasionSign {
    /// The sign as the API names it (`invisible_character`...).
    pub fn as_str(self) -> &'static str {
        match self {
            EvasionSign::InvisibleCharacter => "invisible_character",
            EvasionSign::UnusualSpace => "unusual_space",
            EvasionSign::Homoglyph => "homoglyph",
            EvasionSign::ControlCharacter => "control_character",
            EvasionSign::Symbol => "symbol",
        }
    }
}

/// A name reduced to the tokens that identify it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NormalizedName {
    /// Significant tokens, lower-case ASCII letters and digits, in the
    /// original order (particles and legal forms removed).
    pub tokens: Vec<String>,
    /// The legal form found at the end of a company name, canonical
    /// (`sadecv`), if any.
    pub legal_form: Option<&'static str>,
    /// Evasion signs found, each once, sorted.
    pub evasion: Vec<EvasionSign>,
}

impl NormalizedName {
    /// Whether no token is left to match on.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The tokens joined by single spaces.
    pub fn joined(&self) -> String {
        self.tokens.join(" ")
    }
}

/// Normalises a name for matching. `family` decides whether a trailing legal
/// form is stripped (never for a person: `Juan Sa` keeps its `sa`).
pub fn normalize_name(raw: &str, family: KindFamily) -> NormalizedName {
    let (folded, evasion) = fold(raw);
    let mut tokens: Vec<String> = folded.split(' ').filter(|t| !t.is_empty()).map(str::to_string).collect();
    // Legal forms first: they are made of the single letters and particles
    // (`S. de R.L. de C.V.`) that the steps below rearrange.
    let mut legal_form = None;
    if family != KindFamily::Person {
        legal_form = strip_legal_form(&mut tokens);
        legal_form = strip_leading_legal_form(&mut tokens).or(legal_form);
        // Business words abbreviated to fit a field (`GPO`, `HNOS`,
        // `SERVS.`) are written out, so they weigh and match as the word.
        for t in tokens.iter_mut() {
            if let Some(word) = expand_abbreviation(t) {
                *t = word.to_string();
            }
        }
    }
    // `KAMMOUN, Mehdi` puts the family name first: there a leading `Ben` is
    // a patronymic, not a given name.
    join_patronymics(&mut tokens, legal_form.is_none() && raw.contains(','));
    // Two particles written onto the name (`Vanderbilt`, `DELACRUZ`) are the
    // same particles written apart, and go the same way.
    for t in tokens.iter_mut() {
        if let Some(rest) = after_joined_particles(t) {
            *t = rest.to_string();
        }
    }
    // Particles carry no identity; but a name made only of particles keeps
    // them (`LA LA` is still a name).
    if tokens.iter().any(|t| !is_particle(t)) {
        tokens.retain(|t| !is_particle(t));
    }
    // `C.J.N.G.` is the acronym `cjng`, not four initials. In a company
    // name any run of single letters is one (`W and G` is `wg`); in a
    // person's name single letters are initials unless they are all there is.
    // An untyped name reads as a company's only with a legal form or a
    // business word; otherwise `J. J. Amezcua` keeps its initials.
    let company = match family {
        KindFamily::Person => false,
        KindFamily::Any => {
            legal_form.is_some() || tokens.iter().any(|t| crate::engine::reference::is_generic_business_word(t))
        }
        _ => true,
    };
    if tokens.len() >= 2 && tokens.iter().all(|t| t.len() == 1) {
        tokens = vec![tokens.concat()];
    } else if company {
        tokens = join_letter_runs(tokens);
    }
    for t in tokens.iter_mut().filter(|t| t.bytes().any(|b| b.is_ascii_digit())) {
        *t = ocr_digits(t);
    }
    numbers_to_digits(&mut tokens);
    NormalizedName { tokens, legal_form, evasion }
}

/// `Salman bin Muhammad` is Salman, son of Muhammad: the father's name is
/// not interchangeable with the given name, so `bin`/`ibn`/`bint` binds to
/// the name after it (`binmuhammad`) and `Muhammad bin Salman` stays another
/// person. A leading `Ben` is a given name and is left alone, unless the
/// name is written family name first (`surname_first`: `BEN MOHAMED
/// KAMMOUN, Mehdi`).
fn join_patronymics(tokens: &mut Vec<String>, surname_first: bool) {
    let mut i = usize::from(!surname_first);
    while i + 1 < tokens.len() {
        if matches!(tokens[i].as_str(), "bin" | "ibn" | "bint" | "binti" | "ben") && tokens[i + 1].len() > 1 {
            let next = tokens.remove(i + 1);
            tokens[i] = format!("bin{next}");
        }
        i += 1;
    }
}

fn join_letter_runs(tokens: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(tokens.len());
    let mut run = String::new();
    let mut run_len = 0;
    for t in tokens {
        if t.len() == 1 && t.as_bytes()[0].is_ascii_alphabetic() {
            run.push_str(&t);
            run_len += 1;
            continue;
        }
        flush_run(&mut out, &mut run, &mut run_len);
        out.push(t);
    }
    flush_run(&mut out, &mut run, &mut run_len);
    out
}

fn flush_run(out: &mut Vec<String>, run: &mut String, run_len: &mut usize) {
    if *run_len > 0 {
        out.push(std::mem::take(run));
    }
    *run_len = 0;
}

/// Number words, ordinals and Roman numerals to digits, so `First`, `1st`
/// and `I` agree, and `Forty-Four` is `44`.
fn numbers_to_digits(tokens: &mut Vec<String>) {
    let value = |t: &str| -> Option<(u32, bool)> {
        // (value, is a tens word that may take a unit after it)
        Some(match t {
            "one" | "uno" | "first" | "1st" | "primero" | "primera" => (1, false),
            "two" | "second" | "2nd" | "segundo" | "segunda" => (2, false),
            "three" | "tres" | "third" | "3rd" | "tercero" | "tercera" => (3, false),
            "four" | "cuatro" | "fourth" | "4th" | "cuarto" | "cuarta" => (4, false),
            "five" | "cinco" | "fifth" | "5th" | "quinto" | "quinta" => (5, false),
            "six" | "seis" | "sixth" | "6th" | "sexto" | "sexta" => (6, false),
            "seven" | "siete" | "seventh" | "7th" | "septimo" | "septima" => (7, false),
            "eight" | "ocho" | "eighth" | "8th" | "octavo" | "octava" => (8, false),
            "nine" | "nueve" | "ninth" | "9th" | "noveno" | "novena" => (9, false),
            "ten" | "diez" | "tenth" | "10th" => (10, false),
            "eleven" | "once" => (11, false),
            "twelve" | "doce" => (12, false),
            "twenty" | "veinte" => (20, true),
            "thirty" | "treinta" => (30, true),
            "forty" | "fourty" | "cuarenta" => (40, true),
            "fifty" | "cincuenta" => (50, true),
            "sixty" | "sesenta" => (60, true),
            "seventy" | "setenta" => (70, true),
            "eighty" | "ochenta" => (80, true),
            "ninety" | "noventa" => (90, true),
            "ii" => (2, false),
            "iii" => (3, false),
            "vii" => (7, false),
            "viii" => (8, false),
            "xii" => (12, false),
            "xiii" => (13, false),
            _ => {
                if let Some(n) = ordinal_number(t) {
                    return Some((n, false));
                }
                let n: u32 = t.parse().ok()?;
                return Some((n, n % 10 == 0 && (20..100).contains(&n)));
            }
        })
    };
    let mut out: Vec<String> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        match value(&tokens[i]) {
            Some((tens, true)) => {
                // `forty four`, `forty 4`
                if let Some((unit, false)) = tokens.get(i + 1).and_then(|t| value(t)).filter(|(u, _)| *u < 10) {
                    out.push((tens + unit).to_string());
                    i += 2;
                    continue;
                }
                out.push(tens.to_string());
            }
            Some((n, false)) if tokens[i].bytes().any(|b| !b.is_ascii_digit()) => out.push(n.to_string()),
            _ => out.push(std::mem::take(&mut tokens[i])),
        }
        i += 1;
    }
    *tokens = out;
}

/// The number an English ordinal written in digits stands for (`1st`,
/// `22nd`, `103rd`, `11th`): digits then `st`, `nd`, `rd` or `th`.
fn ordinal_number(t: &str) -> Option<u32> {
    let split = t.find(|c: char| !c.is_ascii_digit())?;
    let (digits, suffix) = t.split_at(split);
    if digits.is_empty() || !matches!(suffix, "st" | "nd" | "rd" | "th") {
        return None;
    }
    digits.parse().ok()
}

/// Reads digits inside a word as the letters they were probably scanned or
/// typed from (`Sech1n` → `sechin`, `I9or` → `igor`). Only words that are
/// mostly letters are touched, so `44`, `3m` or `b52` stay as they are.
fn ocr_digits(t: &str) -> String {
    let digits = t.bytes().filter(u8::is_ascii_digit).count();
    let letters = t.len() - digits;
    if digits == 0 || letters < digits || letters < 2 || ordinal_number(t).is_some() {
        return t.to_string();
    }
    t.bytes()
        .map(|b| match b {
            b'0' => 'o',
            b'1' => 'i',
            b'3' => 'e',
            b'4' => 'a',
            b'5' => 's',
            b'6' => 'g',
            b'7' => 't',
            b'8' => 'b',
            b'9' => 'g',
            other => other as char,
        })
        .collect()
}

/// Folds raw text to lower-case ASCII words separated by single spaces and
/// reports what had to be neutralised on the way.
///
/// Invisible characters are dropped; unusual spaces become spaces;
/// Cyrillic/Greek lookalikes inside otherwise Latin text become their Latin
/// twins (a wholly Cyrillic or Greek name is transliterated instead, which is
/// not evasion); everything else non-ASCII is transliterated. Apostrophes
/// join (`O'Brien` → `obrien`), and so does a `?` or U+FFFD between two
/// letters (a character lost in an encoding conversion); other punctuation
/// separates.
pub fn fold(raw: &str) -> (String, Vec<EvasionSign>) {
    let mut evasion = Vec::new();
    let note = |s: EvasionSign, ev: &mut Vec<EvasionSign>| {
        if !ev.contains(&s) {
            ev.push(s);
        }
    };
    let has_latin = raw.chars().any(|c| c.is_ascii_alphabetic() || ('\u{00C0}'..='\u{024F}').contains(&c));
    let mut out = String::with_capacity(raw.len());
    let mut pending_space = false;
    let mut buf = [0u8; 4];
    // Whether the previous character was a letter (for abjad scripts,
    // where a word-initial alef or ain stands for a vowel).
    let mut in_word = false;
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        // A character an encoding conversion could not write (`Mus?ab`,
        // `Mu\u{FFFD}oz`) stood for a letter or an apostrophe: inside a word
        // it joins, as an apostrophe does.
        if (c == '?' || c == '\u{FFFD}') && in_word && chars.peek().is_some_and(|n| n.is_alphanumeric()) {
            continue;
        }
        // Printable ASCII needs none of the steps below.
        if matches!(c, ' '..='~') {
            in_word = c.is_ascii_alphanumeric();
            push_ascii(&mut out, c as u8, &mut pending_space);
            continue;
        }
        let word_end = !chars.peek().is_some_and(|n| n.is_alphanumeric());
        let word_start = !in_word;
        if let Some(latin) = abjad_letter(c, word_start, word_end) {
            in_word = true;
            for b in latin.bytes() {
                push_ascii(&mut out, b, &mut pending_space);
            }
            continue;
        }
        in_word = c.is_alphanumeric();
        if ('\u{AC00}'..='\u{D7A3}').contains(&c) {
            // One syllable a token, as names are written in Latin script.
            pending_space = true;
            let latin = hangul_syllable(c, word_start);
            for b in latin.bytes() {
                push_ascii(&mut out, b, &mut pending_space);
            }
            pending_space = true;
            continue;
        }
        let c = if is_invisible(c) {
            note(EvasionSign::InvisibleCharacter, &mut evasion);
            continue;
        } else if is_symbol(c) {
            // Transliterated, an emoji would become words (`unicorn`).
            note(EvasionSign::Symbol, &mut evasion);
            continue;
        } else if is_unusual_space(c) {
            note(EvasionSign::UnusualSpace, &mut evasion);
            ' '
        } else if c.is_control() {
            if c != '\t' && c != '\n' && c != '\r' {
                note(EvasionSign::ControlCharacter, &mut evasion);
            }
            ' '
        } else if let Some(latin) = has_latin.then(|| homoglyph(c)).flatten() {
            note(EvasionSign::Homoglyph, &mut evasion);
            latin
        } else {
            c
        };
        if c.is_ascii() {
            push_ascii(&mut out, c as u8, &mut pending_space);
        } else if is_cjk(c) {
            // One syllable a character: each is a token of its own.
            pending_space = true;
            for b in deunicode::deunicode(c.encode_utf8(&mut buf)).bytes() {
                push_ascii(&mut out, b, &mut pending_space);
            }
            pending_space = true;
        } else {
            let s: &str = c.encode_utf8(&mut buf);
            for b in deunicode::deunicode(s).bytes() {
                push_ascii(&mut out, b, &mut pending_space);
            }
        }
    }
    evasion.sort();
    (out, evasion)
}

#[inline]
fn push_ascii(out: &mut String, b: u8, pending_space: &mut bool) {
    if b.is_ascii_alphanumeric() {
        if *pending_space && !out.is_empty() {
            out.push(' ');
        }
        *pending_space = false;
        out.push(b.to_ascii_lowercase() as char);
    } else if b == b'\'' || b == b'`' {
        // Apostrophes join: O'Brien, D'Angelo.
    } else {
        *pending_space = true;
    }
}

/// Arabic and Hebrew write consonants and leave most vowels out, so their
/// names are matched by consonant skeleton against the Latin spellings
/// (`محمد` → `mhmd` ~ `Mohamed`). Transliteration is `deunicode`'s, except
/// for the letters that stand for vowels: a word-initial alef or ain is
/// written `a` (`أحمد` → `ahmd` ~ `Ahmed`, `علي` → `aly` ~ `Ali`), and an
/// Arabic alef, waw, ya or ta marbuta inside a word (long vowels and the
/// feminine ending) is left out (`محمود` → `mhmd` ~ `Mahmoud`), but a ya
/// ending a word is `i` (`علي` → `ali`). `None` for any other character.
fn abjad_letter(c: char, word_start: bool, word_end: bool) -> Option<&'static str> {
    const YA: &[char] = &['\u{064A}', '\u{06CC}', '\u{0649}'];
    if YA.contains(&c) && word_end && !word_start {
        return Some("i");
    }
    const ALEF_AIN: &[char] =
        &['\u{0622}', '\u{0623}', '\u{0625}', '\u{0627}', '\u{0671}', '\u{0639}', '\u{05D0}', '\u{05E2}'];
    const ARABIC_VOWEL_LETTERS: &[char] =
        &['\u{0622}', '\u{0627}', '\u{0648}', '\u{064A}', '\u{06CC}', '\u{0649}', '\u{0629}', '\u{0671}'];
    if ALEF_AIN.contains(&c) && word_start {
        return Some("a");
    }
    if ARABIC_VOWEL_LETTERS.contains(&c) && !word_start {
        return Some("");
    }
    None
}

/// A Hangul syllable in the Latin spelling Korean names usually take:
/// `deunicode`'s Revised Romanization with `eo` and `eu` written `o` and `u`
/// as in McCune–Reischauer without its breves (`정은` → `jong un`), and the
/// most frequent surnames, first in a word, as their customary spellings
/// (`이` → `lee`, `박` → `park`; the National Institute of Korean Language
/// lists these as the usual forms).
fn hangul_syllable(c: char, word_start: bool) -> String {
    const SURNAMES: &[(char, &str)] = &[
        ('이', "lee"),
        ('김', "kim"),
        ('박', "park"),
        ('최', "choi"),
        ('정', "jung"),
        ('강', "kang"),
        ('조', "cho"),
        ('윤', "yoon"),
        ('장', "jang"),
        ('임', "lim"),
        ('한', "han"),
        ('오', "oh"),
        ('신', "shin"),
        ('권', "kwon"),
        ('황', "hwang"),
        ('안', "ahn"),
        ('송', "song"),
        ('류', "ryu"),
        ('홍', "hong"),
    ];
    if word_start {
        if let Some((_, s)) = SURNAMES.iter().find(|(h, _)| *h == c) {
            return (*s).to_string();
        }
    }
    let mut buf = [0u8; 4];
    deunicode::deunicode(c.encode_utf8(&mut buf)).replace("eo", "o").replace("eu", "u")
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30FF}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{AC00}'..='\u{D7AF}' | '\u{F900}'..='\u{FAFF}')
}

fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}'
        | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E007F}')
}

/// Emoji and other pictographic symbols (arrows, technical and
/// geometric symbols, dingbats, private use), by Unicode block.
fn is_symbol(c: char) -> bool {
    matches!(c,
        '\u{2190}'..='\u{21FF}' | '\u{2300}'..='\u{23FF}' | '\u{2460}'..='\u{24FF}'
        | '\u{25A0}'..='\u{27BF}' | '\u{2900}'..='\u{2BFF}' | '\u{3030}' | '\u{303D}'
        | '\u{E000}'..='\u{F8FF}' | '\u{1F000}'..='\u{1FAFF}' | '\u{1FB00}'..='\u{1FBFF}'
        | '\u{F0000}'..='\u{10FFFF}')
}

fn is_unusual_space(c: char) -> bool {
    matches!(
        c,
        '\u{00A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}' | '\u{2028}' | '\u{2029}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    )
}

/// Cyrillic and Greek letters that render like Latin ones.
fn homoglyph(c: char) -> Option<char> {
    Some(match c {
        // Cyrillic capitals
        'А' => 'A',
        'В' => 'B',
        'Е' => 'E',
        'Ѕ' => 'S',
        'І' => 'I',
        'Ј' => 'J',
        'К' => 'K',
        'М' => 'M',
        'Н' => 'H',
        'О' => 'O',
        'Р' => 'P',
        'С' => 'C',
        'Т' => 'T',
        'Х' => 'X',
        'У' => 'Y',
        'Ԁ' => 'D',
        'Ԍ' => 'G',
        'Ԛ' => 'Q',
        'Ԝ' => 'W',
        'Ү' => 'Y',
        'Ӏ' => 'I',
        // Cyrillic small
        'а' => 'a',
        'в' => 'b',
        'е' => 'e',
        'ѕ' => 's',
        'і' => 'i',
        'ј' => 'j',
        'к' => 'k',
        'м' => 'm',
        'н' => 'h',
        'о' => 'o',
        'р' => 'p',
        'с' => 'c',
        'т' => 't',
        'х' => 'x',
        'у' => 'y',
        'ԁ' => 'd',
        'ԛ' => 'q',
        'ԝ' => 'w',
        'һ' => 'h',
        'ӏ' => 'l',
        'ү' => 'y',
        'ё' => 'e',
        'ї' => 'i',
        // Greek capitals
        'Α' => 'A',
        'Β' => 'B',
        'Ε' => 'E',
        'Ζ' => 'Z',
        'Η' => 'H',
        'Ι' => 'I',
        'Κ' => 'K',
        'Μ' => 'M',
        'Ν' => 'N',
        'Ο' => 'O',
        'Ρ' => 'P',
        'Τ' => 'T',
        'Υ' => 'Y',
        'Χ' => 'X',
        // Greek small
        'ο' => 'o',
        'ν' => 'v',
        'ι' => 'i',
        'κ' => 'k',
        'ρ' => 'p',
        'τ' => 't',
        'υ' => 'u',
        'χ' => 'x',
        'α' => 'a',
        'ε' => 'e',
        // Letter-like symbols
        'ℓ' => 'l',
        'ı' => 'i',
        _ => return None,
    })
}

/// Two particles that names write onto the word after them (`van der`,
/// `de la`, `de los`).
const JOINED_PARTICLES: &[&str] = &["vander", "vanden", "vonder", "dela", "delos", "delas"];

/// The name after two particles written onto it (`bilt` for `vanderbilt`,
/// `cruz` for `delacruz`), when four letters or more are left.
fn after_joined_particles(t: &str) -> Option<&str> {
    JOINED_PARTICLES.iter().find_map(|p| t.strip_prefix(p)).filter(|rest| rest.len() >= 4)
}

/// Words that connect names and carry no identity (`dl` and `ls` are `del`
/// and `los`/`las` squeezed into a short field).
pub fn is_particle(t: &str) -> bool {
    matches!(
        t,
        "de" | "del"
            | "dl"
            | "la"
            | "las"
            | "ls"
            | "los"
            | "lo"
            | "y"
            | "e"
            | "da"
            | "das"
            | "do"
            | "dos"
            | "di"
            | "du"
            | "van"
            | "von"
            | "der"
            | "den"
            | "le"
            | "el"
            | "al"
            | "the"
            | "of"
            | "and"
            | "et"
            | "und"
    )
}

/// Removes a legal form from the start of a company's tokens (`OAO
/// Gazprom`, `LIMITED LIABILITY COMPANY ISKUSSTVO KRASOTY`), returning it.
/// Never removes the last remaining token.
fn strip_leading_legal_form(tokens: &mut Vec<String>) -> Option<&'static str> {
    let max_k = tokens.len().saturating_sub(1).min(6);
    let mut best: Option<(usize, &'static str)> = None;
    let mut joined = String::with_capacity(64);
    for k in 1..=max_k {
        let t = &tokens[k - 1];
        if t.len() > 14 {
            break;
        }
        joined.push_str(t);
        if joined.len() > longest_legal_form_spelling() {
            break;
        }
        // Short forms lead a name only in a few systems (OAO, OOO, JSC, PT,
        // SRL); elsewhere a leading `SA` or `AS` is more likely a word.
        if let Some(f) = legal_form(&joined) {
            if k > 1 || f.leads {
                best = Some((k, f.key));
            }
        }
    }
    let (k, f) = best?;
    // Single letters that go on past the form are an acronym that begins
    // like one (`A.B.C. Company` is not the Swedish `AB`).
    let letters = |t: &String| t.len() == 1 && t.as_bytes()[0].is_ascii_alphabetic();
    if tokens[..k].iter().all(letters) && tokens.get(k).is_some_and(letters) {
        return None;
    }
    tokens.drain(..k);
    Some(f)
}

/// Removes legal forms from the end of a company's tokens (repeatedly:
/// `... S.A. de C.V. LLC`), returning the last one found. Never removes the
/// last remaining token.
fn strip_legal_form(tokens: &mut Vec<String>) -> Option<&'static str> {
    let mut found = None;
    loop {
        let mut best: Option<(usize, &'static str)> = None;
        let max_k = tokens.len().saturating_sub(1).min(10);
        let mut joined = String::with_capacity(64);
        for k in 1..=max_k {
            let t = &tokens[tokens.len() - k];
            // Legal forms are made of short pieces; a long word ends the search.
            if t.len() > 40 {
                break;
            }
            joined.insert_str(0, t);
            if joined.len() > longest_legal_form_spelling() {
                break;
            }
            if let Some(f) = legal_form(&joined) {
                best = Some((k, f.key));
            }
        }
        match best {
            Some((k, f)) => {
                tokens.truncate(tokens.len() - k);
                found = found.or(Some(f));
            }
            None if found.is_none() => {
                return strip_cut_legal_form(tokens).or_else(|| strip_misspelt_legal_form(tokens))
            }
            None => return found,
        }
    }
}

/// Removes a multi-part legal form cut short by a field limit from the end
/// of a company's tokens (`S.A. DE C.`, `SA DE`, `Limited Liability Comp`),
/// returning the form it begins. The cut must keep at least two of the
/// form's parts; never removes the last remaining token.
fn strip_cut_legal_form(tokens: &mut Vec<String>) -> Option<&'static str> {
    let max_k = tokens.len().saturating_sub(1).min(6);
    let mut joined = String::with_capacity(64);
    let mut best: Option<(usize, &'static str)> = None;
    for k in 1..=max_k {
        let t = &tokens[tokens.len() - k];
        if t.len() > 12 {
            break;
        }
        joined.insert_str(0, t);
        if joined.len() > longest_legal_form_spelling() {
            break;
        }
        if let Some(f) = cut_legal_form(&joined, k) {
            best = Some((k, f.key));
        }
    }
    let (k, f) = best?;
    tokens.truncate(tokens.len() - k);
    Some(f)
}

/// Removes a last token that misspells a long legal form by one edit
/// (`Siemens Aktiengeselschaft`), returning the form; never the only token.
fn strip_misspelt_legal_form(tokens: &mut Vec<String>) -> Option<&'static str> {
    if tokens.len() < 2 {
        return None;
    }
    let f = crate::engine::reference::misspelt_legal_form(tokens.last()?)?;
    tokens.pop();
    Some(f.key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str, f: KindFamily) -> Vec<String> {
        normalize_name(s, f).tokens
    }

    #[test]
    fn folds_case_accents_and_punctuation() {
        assert_eq!(toks("Rubén OSEGUERA-Cervantes", KindFamily::Person), ["ruben", "oseguera", "cervantes"]);
        assert_eq!(toks("OSEGUERA CERVANTES, Ruben", KindFamily::Person), ["oseguera", "cervantes", "ruben"]);
        assert_eq!(toks("Nuñez O'Brien", KindFamily::Person), ["nunez", "obrien"]);
        // A long legal form with a typo is still the form.
        assert_eq!(toks("Siemens Aktiengeselschaft", KindFamily::Organization), ["siemens"]);
        assert_eq!(toks("Transportes Corporaton", KindFamily::Organization), ["transportes"]);
        assert_eq!(toks("Aktiengeselschaft", KindFamily::Organization), ["aktiengeselschaft"]);
        // Family name first: a leading `Ben` is a patronymic.
        assert_eq!(toks("BEN MOHAMED KAMMOUN, Mehdi", KindFamily::Person), ["binmohamed", "kammoun", "mehdi"]);
        assert_eq!(toks("Ben Mohamed Kammoun", KindFamily::Person), ["ben", "mohamed", "kammoun"]);
        // A character lost in conversion joins inside a word only.
        assert_eq!(toks("Mus?ab Mu\u{FFFD}oz", KindFamily::Person), ["musab", "muoz"]);
        assert_eq!(toks("Musab? Omar ?Ali", KindFamily::Person), ["musab", "omar", "ali"]);
    }

    #[test]
    fn reads_ocr_digits_inside_words_only() {
        assert_eq!(toks("I9or Sech1n", KindFamily::Person), ["igor", "sechin"]);
        assert_eq!(toks("OSEGUER4 C3RVANTES", KindFamily::Person), ["oseguera", "cervantes"]);
        assert_eq!(toks("Brigade 44", KindFamily::Organization), ["brigade", "44"]);
        assert_eq!(toks("B52 3M", KindFamily::Organization), ["b52", "3m"]);
        // An ordinal in digits is a number, not letters misread.
        assert_eq!(toks("1st International Bank", KindFamily::Organization), ["1", "international", "bank"]);
        assert_eq!(toks("First International Bank", KindFamily::Organization), ["1", "international", "bank"]);
        assert_eq!(toks("22nd Street Trading", KindFamily::Organization), ["22", "street", "trading"]);
        assert_eq!(toks("Ist Bank", KindFamily::Organization), ["ist", "bank"]);
    }

    #[test]
    fn strips_leading_legal_forms() {
        assert_eq!(toks("OAO Gazprom", KindFamily::Organization), ["gazprom"]);
        assert_eq!(
            toks("LIMITED LIABILITY COMPANY ISKUSSTVO KRASOTY", KindFamily::Organization),
            ["iskusstvo", "krasoty"]
        );
        assert_eq!(toks("Open Joint Stock Company Gazprom", KindFamily::Organization), ["gazprom"]);
        assert_eq!(
            toks("TACTICAL MISSILES CORPORATION JOINT STOCK COMPANY", KindFamily::Organization),
            ["tactical", "missiles"]
        );
        assert_eq!(toks("SA Brewing", KindFamily::Organization), ["sa", "brewing"]);
    }

    #[test]
    fn binds_patronymics_to_the_fathers_name() {
        assert_eq!(toks("SALMAN BIN MUHAMMAD AL-RAWI", KindFamily::Person), ["salman", "binmuhammad", "rawi"]);
        assert_eq!(toks("Usama ibn Laden", KindFamily::Person), ["usama", "binladen"]);
        assert_eq!(toks("Ben Smith", KindFamily::Person), ["ben", "smith"]);
    }

    #[test]
    fn joins_dotted_acronyms() {
        assert_eq!(toks("C.J.N.G.", KindFamily::Any), ["cjng"]);
        assert_eq!(toks("W and G Arquitectos", KindFamily::Organization), ["wg", "arquitectos"]);
        assert_eq!(toks("W&G ARQUITECTOS, S.A. DE C.V.", KindFamily::Organization), ["wg", "arquitectos"]);
        assert_eq!(toks("J. R. Smith", KindFamily::Person), ["j", "r", "smith"]);
        // `A.B.` begins the acronym; it is not the Swedish `AB` leading it.
        assert_eq!(toks("A.B.C. Company", KindFamily::Organization), ["abc", "company"]);
        assert_eq!(toks("A.B. Volvo", KindFamily::Organization), ["volvo"]);
    }

    #[test]
    fn drops_particles_but_not_whole_names() {
        assert_eq!(
            toks("Cártel de Jalisco Nueva Generación", KindFamily::Any),
            ["cartel", "jalisco", "nueva", "generacion"]
        );
        assert_eq!(toks("El Mencho", KindFamily::Any), ["mencho"]);
        assert_eq!(toks("de la", KindFamily::Any), ["de", "la"]);
        assert_eq!(toks("vanderbilt corp", KindFamily::Organization), ["bilt"]);
        assert_eq!(toks("van der bilt corp", KindFamily::Organization), ["bilt"]);
        assert_eq!(toks("Jose Delacruz", KindFamily::Person), toks("Jose de la Cruz", KindFamily::Person));
        // One particle is not enough to split a name (`Delgado`), nor is a
        // short rest (`Delaney`).
        assert_eq!(toks("Delgado Delaney", KindFamily::Person), ["delgado", "delaney"]);
    }

    #[test]
    fn strips_mexican_and_foreign_legal_forms() {
        let want = ["impergoza"];
        for v in [
            "GRUPO IMPERGOZA, S.A. DE C.V.",
            "Grupo Impergoza SA de CV",
            "Grupo Impergoza S. A. de C. V.",
            "Grupo Impergoza, S. de R.L. de C.V.",
            "Grupo Impergoza SAPI de CV",
            "Grupo Impergoza S.A.P.I. de C.V.",
            "Grupo Impergoza LLC",
            "Grupo Impergoza, Inc.",
        ] {
            let n = normalize_name(v, KindFamily::Organization);
            assert_eq!(n.tokens[1..], want, "{v}");
            assert!(n.legal_form.is_some(), "{v}");
        }
        assert_eq!(
            normalize_name("AGRICOLA BOREAL S.P.R. DE R.L.", KindFamily::Organization).legal_form,
            Some("sprderl")
        );
        assert_eq!(toks("Ltd", KindFamily::Organization), ["ltd"]);
        // Venezuela's compañía anónima, untyped and with its last dot cut.
        for v in ["MATSUNICHI OIL TRADER, C.A.", "Matsunichi Oil Trader C.A"] {
            let n = normalize_name(v, KindFamily::Any);
            assert_eq!(n.tokens, ["matsunichi", "oil", "trader"], "{v}");
            assert_eq!(n.legal_form, Some("ca"), "{v}");
        }
        // A person's name keeps a token that looks like a legal form.
        assert_eq!(toks("Juan Sa", KindFamily::Person), ["juan", "sa"]);
    }

    #[test]
    fn neutralises_and_reports_evasion() {
        let n = normalize_name("O\u{200B}seguera C\u{00AD}ervantes", KindFamily::Person);
        assert_eq!(n.tokens, ["oseguera", "cervantes"]);
        assert_eq!(n.evasion, [EvasionSign::InvisibleCharacter]);
        // Cyrillic о and е inside Latin text.
        let n = normalize_name("\u{041E}segu\u{0435}ra Cervantes", KindFamily::Person);
        assert_eq!(n.tokens, ["oseguera", "cervantes"]);
        assert_eq!(n.evasion, [EvasionSign::Homoglyph]);
        let n = normalize_name("Ruben\u{00A0}Oseguera", KindFamily::Person);
        assert_eq!(n.tokens, ["ruben", "oseguera"]);
        assert_eq!(n.evasion, [EvasionSign::UnusualSpace]);
    }

    proptest::proptest! {
        // Any input: no panic, only lower-case ASCII letters and digits come
        // out, and normalising the output again changes nothing.
        #[test]
        fn normalisation_is_total_clean_and_stable(raw in "\\PC{0,40}", person in proptest::bool::ANY) {
            let family = if person { KindFamily::Person } else { KindFamily::Organization };
            let n = normalize_name(&raw, family);
            for t in &n.tokens {
                proptest::prop_assert!(!t.is_empty() && t.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()), "{t:?}");
            }
            proptest::prop_assert!(normalize_name(&n.joined(), family).evasion.is_empty());
        }

        // For names made of words, normalising the output again changes
        // nothing: list and query sides meet in one form.
        #[test]
        fn normalisation_of_words_is_stable(raw in "[A-Za-z]{2,10}( [A-Za-z]{2,10}){0,4}", person in proptest::bool::ANY) {
            let family = if person { KindFamily::Person } else { KindFamily::Organization };
            let n = normalize_name(&raw, family);
            proptest::prop_assert_eq!(normalize_name(&n.joined(), family).tokens, n.tokens);
        }

        #[test]
        fn invisible_characters_never_change_the_tokens(name in "[A-Za-z]{1,8}( [A-Za-z]{1,8}){0,3}", at in 0usize..40) {
            let mut chars: Vec<char> = name.chars().collect();
            let at = at % (chars.len() + 1);
            chars.insert(at, '\u{200B}');
            let dirty: String = chars.into_iter().collect();
            let clean = normalize_name(&name, KindFamily::Person);
            let seen = normalize_name(&dirty, KindFamily::Person);
            proptest::prop_assert_eq!(seen.tokens, clean.tokens);
            proptest::prop_assert_eq!(seen.evasion, vec![EvasionSign::InvisibleCharacter]);
        }
    }

    #[test]
    fn strips_bidi_controls_and_symbols_as_evasion() {
        let n = normalize_name("Oseguera\u{202E} Cervantes", KindFamily::Person);
        assert_eq!(n.tokens, ["oseguera", "cervantes"]);
        assert_eq!(n.evasion, [EvasionSign::InvisibleCharacter]);
        let n = normalize_name("Osegu\u{1F600}era Cervantes \u{2764}\u{FE0F}", KindFamily::Person);
        assert_eq!(n.tokens, ["oseguera", "cervantes"]);
        assert_eq!(n.evasion, [EvasionSign::InvisibleCharacter, EvasionSign::Symbol]);
        let n = normalize_name("\u{1F984}\u{1F525}", KindFamily::Organization);
        assert!(n.is_empty());
        assert_eq!(n.evasion, [EvasionSign::Symbol]);
    }

    #[test]
    fn business_abbreviations_and_cut_legal_forms() {
        assert_eq!(
            toks("GPO. IMPERGOZA HNOS, S.A. DE C.", KindFamily::Organization),
            ["grupo", "impergoza", "hermanos"]
        );
        assert_eq!(toks("Comerc. Del Norte SA de", KindFamily::Organization), ["comercializadora", "norte"]);
        assert_eq!(
            normalize_name("Acme Widgets Limited Liability Comp", KindFamily::Organization).legal_form,
            Some("llc")
        );
        assert_eq!(
            toks("Servs Intl Acme Ltd Liability Co", KindFamily::Organization),
            ["servicios", "internacional", "acme"]
        );
        // A person keeps them: `Gpo` is not a given name, but nothing is
        // guessed on a person's name.
        assert_eq!(toks("Cia Perez", KindFamily::Person), ["cia", "perez"]);
    }

    #[test]
    fn transliterates_other_scripts_without_flagging() {
        let n = normalize_name("Владимир Путин", KindFamily::Person);
        assert_eq!(n.tokens, ["vladimir", "putin"]);
        assert!(n.evasion.is_empty());
        assert_eq!(toks("習近平", KindFamily::Person), ["xi", "jin", "ping"]);
        assert_eq!(toks("محمد علي", KindFamily::Person), ["mhmd", "ali"]);
        assert_eq!(toks("أحمد حسن", KindFamily::Person), ["ahmd", "hsn"]);
        assert_eq!(toks("خالد محمود", KindFamily::Person), ["khld", "mhmd"]);
        assert_eq!(toks("דוד", KindFamily::Person), ["dvd"]);
        assert_eq!(toks("김정은", KindFamily::Person), ["kim", "jong", "un"]);
        assert_eq!(toks("이민호", KindFamily::Person), ["lee", "min", "ho"]);
    }
}
