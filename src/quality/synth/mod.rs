//! Deterministic test cases for measuring matching quality.
//!
//! [`variant_cases`] turns list entries into the spellings a real counterparty
//! record (or someone evading screening) would carry, each labelled with the
//! entry it must match; [`negative_cases`] invents Mexican and US persons and
//! Mexican companies that are on no list and must not alert. Both write the
//! regression-case CSV that `cartelscreen eval --cases` reads, through
//! [`write_cases_csv`].
//!
//! Everything is driven by the small [`Rng`] below (SplitMix64 seeding a
//! xoshiro256**), written here rather than taken from a crate so that a given
//! seed gives byte-identical cases on every platform and every version of the
//! dependencies. The word tables in [`names`] are part of that contract.

pub mod counterparties;
pub mod names;
pub mod negatives;
pub mod variants;

use std::collections::HashMap;
use std::io;
use std::sync::OnceLock;

pub use negatives::{negative_cases, NEG_COMPANY_MX, NEG_PERSON_MX, NEG_PERSON_US};
pub use variants::{variant_cases, VariantKind};

use crate::engine::model::{Entity, EntityKind, IdScheme};

/// One regression case: a counterparty as a screening request would describe
/// it, and the entries it may match (none, for a counterparty that must not
/// alert).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub name: String,
    pub kind: Option<EntityKind>,
    /// ISO 3166-1 alpha-2 (`MX`).
    pub country: Option<String>,
    /// `YYYY-MM-DD` or `YYYY`.
    pub dob: Option<String>,
    pub identifier: Option<String>,
    /// Entity ids that are acceptable matches; empty when nothing may match.
    pub expected: Vec<String>,
    /// The label per-class statistics are grouped by (a [`VariantKind`] name
    /// or `neg_...`).
    pub class: String,
}

/// The header of the regression-case CSV.
pub const CSV_HEADER: [&str; 7] = ["name", "type", "country", "dob", "identifier", "expected", "class"];

impl Case {
    /// The CSV fields, in [`CSV_HEADER`] order.
    pub fn record(&self) -> [String; 7] {
        [
            self.name.clone(),
            self.kind.map(kind_label).unwrap_or_default().to_string(),
            self.country.clone().unwrap_or_default(),
            self.dob.clone().unwrap_or_default(),
            self.identifier.clone().unwrap_or_default(),
            self.expected.join("|"),
            self.class.clone(),
        ]
    }
}

/// The `type` column: the four kinds the case format knows, empty otherwise.
fn kind_label(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Person | EntityKind::Company | EntityKind::Organization | EntityKind::Vessel => kind.as_str(),
        EntityKind::Aircraft | EntityKind::Unknown => "",
    }
}

/// Writes `cases` as the regression-case CSV (header first), quoting fields
/// as needed.
///
/// # Errors
///
/// The writer's I/O error.
pub fn write_cases_csv<W: io::Write>(w: W, cases: &[Case]) -> io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(CSV_HEADER)?;
    for case in cases {
        out.write_record(case.record())?;
    }
    out.flush()
}

/// Whether an entry is one of "the Mexican narcotics entries" of an OFAC
/// list: a narcotics or terrorism program (`SDNTK`, `ILLICIT-DRUGS-EO14059`,
/// `FTO`) and a tie to Mexico (nationality, citizenship, address, birth
/// place, an identifier issued by Mexico, or an R.F.C. or C.U.R.P.).
pub fn is_mexican_narcotics(e: &Entity) -> bool {
    let narcotics = e.programs.iter().any(|p| {
        p.split(|c: char| c == '[' || c == ']' || c == ';' || c == ',' || c.is_whitespace()).any(|t| {
            let t = t.to_ascii_uppercase();
            t == "SDNTK" || t == "ILLICIT-DRUGS-EO14059" || t == "FTO"
        })
    });
    if !narcotics {
        return false;
    }
    e.identifiers.iter().any(|i| matches!(i.scheme, IdScheme::Rfc | IdScheme::Curp))
        || e.nationalities.iter().chain(&e.citizenships).any(|c| is_mexico(c))
        || e.addresses.iter().filter_map(|a| a.country.as_deref()).any(is_mexico)
        || e.identifiers.iter().filter_map(|i| i.country.as_deref()).any(is_mexico)
        || e.birth_places.iter().any(|p| mentions_mexico(p))
}

/// A country field naming Mexico (`Mexico`, `México`, `MX`, `MEX`).
fn is_mexico(s: &str) -> bool {
    let f = fold(s.trim()).to_ascii_uppercase();
    f == "MX" || f == "MEX" || mentions_mexico(&f)
}

/// Free text naming Mexico as a word (`Tijuana, Baja California, Mexico`,
/// `Mexico City`), but not the US state of New Mexico.
fn mentions_mexico(s: &str) -> bool {
    let f = fold(s).to_ascii_uppercase();
    let words: Vec<&str> = f.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect();
    words.iter().enumerate().any(|(i, w)| *w == "MEXICO" && (i == 0 || words[i - 1] != "NEW"))
}

/// An ISO-2 country for an entity's cases: `MX` for anything tied to Mexico,
/// a few neighbours by name, `None` otherwise.
pub(crate) fn entity_country(e: &Entity) -> Option<&'static str> {
    let mexican = e.identifiers.iter().any(|i| matches!(i.scheme, IdScheme::Rfc | IdScheme::Curp))
        || e.countries().any(is_mexico)
        || e.birth_places.iter().any(|p| mentions_mexico(p));
    if mexican {
        return Some("MX");
    }
    const KNOWN: &[(&str, &str)] = &[
        ("UNITED STATES", "US"),
        ("USA", "US"),
        ("US", "US"),
        ("COLOMBIA", "CO"),
        ("GUATEMALA", "GT"),
        ("HONDURAS", "HN"),
        ("EL SALVADOR", "SV"),
        ("VENEZUELA", "VE"),
        ("ECUADOR", "EC"),
        ("PERU", "PE"),
        ("PANAMA", "PA"),
        ("CANADA", "CA"),
        ("CHINA", "CN"),
        ("SPAIN", "ES"),
    ];
    e.countries().chain(e.birth_places.iter().map(String::as_str)).find_map(|c| {
        let f = fold(c.trim()).to_ascii_uppercase();
        KNOWN.iter().find(|(name, _)| f == *name || f.ends_with(&format!(", {name}"))).map(|k| k.1)
    })
}

// ---------------------------------------------------------------------------
// Deterministic random numbers.

/// A xoshiro256** generator seeded through SplitMix64. Its output for a seed
/// never changes: test cases generated today are the ones generated tomorrow.
#[derive(Debug, Clone)]
pub struct Rng {
    s: [u64; 4],
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    pub fn new(seed: u64) -> Rng {
        let mut sm = seed;
        let mut s = [0u64; 4];
        for x in &mut s {
            *x = splitmix64(&mut sm);
        }
        if s == [0; 4] {
            s[0] = 1;
        }
        Rng { s }
    }

    /// An independent stream for `seed` and a path of parts (an entity's
    /// hash, a variant kind, a round...), so that one stream's draws never
    /// shift another's.
    pub fn derive(seed: u64, parts: &[u64]) -> Rng {
        let mut h = seed;
        for &p in parts {
            let mut st = h ^ p.wrapping_mul(0xD6E8_FEB8_6659_FD93);
            h = splitmix64(&mut st);
        }
        Rng::new(h)
    }

    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi` (`lo` when the range is empty).
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        if hi <= lo {
            return lo;
        }
        lo + self.below(hi - lo + 1)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// A uniformly chosen element, `None` for an empty slice.
    pub fn choose<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            None
        } else {
            Some(&items[self.below(items.len())])
        }
    }

    /// An element of a fixed, non-empty table.
    pub fn pick<T: Copy>(&mut self, table: &[T]) -> T {
        table[self.below(table.len())]
    }

    /// An entry drawn with its weight.
    pub fn weighted(&mut self, table: &[names::Weighted]) -> &'static str {
        let total: u64 = table.iter().map(|e| e.1 as u64).sum();
        let mut x = self.below(total as usize) as u64;
        for &(w, weight) in table {
            if x < weight as u64 {
                return w;
            }
            x -= weight as u64;
        }
        table[table.len() - 1].0
    }

    /// An index drawn with weights.
    pub fn weighted_index(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| w as u64).sum();
        let mut x = self.below(total as usize) as u64;
        for (i, &w) in weights.iter().enumerate() {
            if x < w as u64 {
                return i;
            }
            x -= w as u64;
        }
        weights.len().saturating_sub(1)
    }

    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// FNV-1a: a stable hash of an entity id for [`Rng::derive`].
pub(crate) fn hash_str(s: &str) -> u64 {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    h
}

// ---------------------------------------------------------------------------
// Spelling helpers shared by the generators.

/// Drops the diacritics Spanish (and its neighbours) write: `Núñez` → `Nunez`.
pub(crate) fn fold_char(c: char) -> char {
    match c {
        'á' | 'à' | 'ä' | 'â' | 'ã' => 'a',
        'é' | 'è' | 'ë' | 'ê' => 'e',
        'í' | 'ì' | 'ï' | 'î' => 'i',
        'ó' | 'ò' | 'ö' | 'ô' | 'õ' => 'o',
        'ú' | 'ù' | 'ü' | 'û' => 'u',
        'ñ' => 'n',
        'ç' => 'c',
        'Á' | 'À' | 'Ä' | 'Â' | 'Ã' => 'A',
        'É' | 'È' | 'Ë' | 'Ê' => 'E',
        'Í' | 'Ì' | 'Ï' | 'Î' => 'I',
        'Ó' | 'Ò' | 'Ö' | 'Ô' | 'Õ' => 'O',
        'Ú' | 'Ù' | 'Ü' | 'Û' => 'U',
        'Ñ' => 'N',
        'Ç' => 'C',
        other => other,
    }
}

pub(crate) fn fold(s: &str) -> String {
    s.chars().map(fold_char).collect()
}

/// How a name's letters are cased.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Casing {
    /// As the source wrote it.
    Keep,
    /// `Rubén Oseguera Cervantes`, `José de Jesús`, `S.A. de C.V.`.
    Title,
    Upper,
    Lower,
}

/// Connecting words that stay lower case inside a title-cased name.
fn is_lower_connector(upper_word: &str, prev_upper: Option<&str>) -> bool {
    match upper_word {
        "DE" | "DEL" | "Y" | "E" | "DA" | "DI" | "DO" | "DOS" | "VAN" | "VON" => true,
        "LA" | "LAS" | "LOS" => prev_upper == Some("DE"),
        _ => false,
    }
}

/// Particles of Spanish (and a few other) names: they attach to the word
/// that follows (`de la Cruz`) and are never a name on their own.
pub(crate) fn is_particle(word: &str) -> bool {
    matches!(
        fold(word).to_uppercase().trim_matches(|c: char| !c.is_alphanumeric()),
        "DE" | "DEL" | "LA" | "LAS" | "LOS" | "Y" | "E" | "DA" | "DI" | "DO" | "DOS" | "VAN" | "VON" | "DER"
    )
}

fn accent_table() -> &'static HashMap<String, &'static str> {
    static TABLE: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = HashMap::new();
        let entries = names::mx_given_all()
            .chain(names::MX_SURNAMES)
            .map(|e| e.0)
            .chain(names::MX_CITIES.iter().copied())
            .chain(names::MX_STATES.iter().copied())
            .chain(names::BUSINESS_WORDS.iter().copied())
            .chain(names::PRODUCTS.iter().copied())
            .chain(names::SHOP_NAMES.iter().copied())
            .chain(names::ACCENTED_WORDS.iter().copied());
        for phrase in entries {
            for word in phrase.split_whitespace() {
                if !word.chars().all(char::is_alphabetic) {
                    continue;
                }
                let key = fold(word).to_uppercase();
                if key != word.to_uppercase() {
                    t.entry(key).or_insert(word);
                }
            }
        }
        t
    })
}

/// The accented spelling of a word whose accents were lost (`MARTINEZ` →
/// `Martínez`), in title case; `None` when the word is not known to carry one.
pub(crate) fn accented(word: &str) -> Option<&'static str> {
    accent_table().get(&fold(word).to_uppercase()).copied()
}

/// Title case of one word: `OSEGUERA` → `Oseguera`, `CARDENAS-GUILLEN` →
/// `Cardenas-Guillen`, `O'BRIEN` → `O'Brien`.
fn title_word(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut start = true;
    for c in word.chars() {
        if c.is_alphabetic() {
            if start {
                out.extend(c.to_uppercase());
            } else {
                out.extend(c.to_lowercase());
            }
            start = false;
        } else {
            out.push(c);
            start = c == '-' || c == '\'' || c == '(' || c == '/';
        }
    }
    out
}

/// Whether a token is an abbreviation that keeps its capitals in title case
/// (`S.A.`, `C.V.`, `CJNG` stays as written only when it has dots).
fn is_dotted_abbreviation(token: &str) -> bool {
    token.contains('.') && token.split('.').all(|p| p.chars().count() <= 4)
}

/// Recases a whole name, word by word, optionally writing back the accents
/// of known Spanish words with probability `accent_p` each.
pub(crate) fn recase(text: &str, casing: Casing, accent_p: f64, rng: &mut Rng) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut prev_upper: Option<String> = None;
    let mut first = true;
    for piece in split_keep_spaces(text) {
        if piece.chars().all(char::is_whitespace) {
            out.push_str(piece);
            continue;
        }
        // Separate surrounding punctuation from the word itself.
        let core_start = piece.find(|c: char| c.is_alphanumeric()).unwrap_or(piece.len());
        let core_end = piece.rfind(|c: char| c.is_alphanumeric()).map(|p| p + char_len(piece, p)).unwrap_or(0);
        if core_start >= core_end {
            out.push_str(piece);
            continue;
        }
        let (lead, core, trail) = (&piece[..core_start], &piece[core_start..core_end], &piece[core_end..]);
        let upper = fold(core).to_uppercase();
        let mut word: String = core.to_string();
        if accent_p > 0.0 && core.chars().all(char::is_alphabetic) {
            if let Some(acc) = accented(core) {
                if rng.chance(accent_p) {
                    word = match casing {
                        Casing::Keep if is_upper_word(core) => acc.to_uppercase(),
                        Casing::Keep if is_lower_word(core) => acc.to_lowercase(),
                        _ => acc.to_string(),
                    };
                }
            }
        }
        let abbreviation = is_dotted_abbreviation(piece);
        word = match casing {
            Casing::Keep => word,
            Casing::Upper => word.to_uppercase(),
            Casing::Lower => word.to_lowercase(),
            Casing::Title => {
                if abbreviation {
                    word.to_uppercase()
                } else if !first && is_lower_connector(&upper, prev_upper.as_deref()) {
                    word.to_lowercase()
                } else {
                    title_word(&word)
                }
            }
        };
        out.push_str(lead);
        out.push_str(&word);
        out.push_str(trail);
        prev_upper = Some(upper);
        first = false;
    }
    out
}

fn char_len(s: &str, byte_pos: usize) -> usize {
    s[byte_pos..].chars().next().map(char::len_utf8).unwrap_or(1)
}

pub(crate) fn is_upper_word(w: &str) -> bool {
    w.chars().any(char::is_alphabetic) && !w.chars().any(char::is_lowercase)
}

fn is_lower_word(w: &str) -> bool {
    w.chars().any(char::is_alphabetic) && !w.chars().any(char::is_uppercase)
}

/// Splits into alternating runs of whitespace and non-whitespace, keeping
/// both, so that a recased name keeps its spacing.
fn split_keep_spaces(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_space: Option<bool> = None;
    for (i, c) in text.char_indices() {
        let sp = c.is_whitespace();
        if in_space.is_some_and(|s| s != sp) {
            out.push(&text[start..i]);
            start = i;
        }
        in_space = Some(sp);
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// Whether a string is mostly written in capitals (OFAC style).
pub(crate) fn mostly_upper(s: &str) -> bool {
    let upper = s.chars().filter(|c| c.is_uppercase()).count();
    let lower = s.chars().filter(|c| c.is_lowercase()).count();
    upper > lower
}

/// Collapses runs of whitespace to one space and trims.
pub(crate) fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;
    use crate::engine::model::{Address, BirthDate, Identifier, NameRole};

    fn person() -> Entity {
        let mut e = Entity::new("test-1", "test", EntityKind::Person);
        e.add_name("MARTINEZ RAMIREZ, Jose Ruben", NameRole::Primary);
        e.add_name("RUBEN MARTINEZ", NameRole::Aka);
        e.add_name("El Ejemplo", NameRole::WeakAlias);
        e.programs = vec!["SDNTK".into()];
        e.identifiers = vec![
            Identifier { scheme: IdScheme::Rfc, value: "MARR-660717-4Q0".into(), country: Some("Mexico".into()) },
            Identifier { scheme: IdScheme::Curp, value: "MARR660717HJCRMB09".into(), country: Some("Mexico".into()) },
        ];
        e.birth_dates = vec![BirthDate::ymd(1966, 7, 17)];
        e.nationalities = vec!["Mexico".into()];
        e
    }

    fn company() -> Entity {
        let mut e = Entity::new("test-2", "test", EntityKind::Company);
        e.add_name("GRUPO EJEMPLO, S.A. DE C.V.", NameRole::Primary);
        e.add_name("EJEMPLO GROUP", NameRole::Aka);
        e.programs = vec!["SDNTK".into()];
        e.identifiers =
            vec![Identifier { scheme: IdScheme::Rfc, value: "GEJ-991231-AB1".into(), country: Some("Mexico".into()) }];
        e.addresses =
            vec![Address { city: Some("Guadalajara".into()), country: Some("Mexico".into()), ..Address::default() }];
        e
    }

    fn company_long() -> Entity {
        let mut e = Entity::new("test-3", "test", EntityKind::Company);
        e.add_name("COMERCIALIZADORA EJEMPLO PRUEBA, S.A. DE C.V.", NameRole::Primary);
        e
    }

    fn kinds_of(cases: &[Case]) -> BTreeSet<VariantKind> {
        cases.iter().map(|c| VariantKind::parse(&c.class).expect("known class")).collect()
    }

    #[test]
    fn rng_stream_is_frozen() {
        let mut r = Rng::new(0);
        let got: Vec<u64> = (0..3).map(|_| r.next_u64()).collect();
        assert_eq!(got, RNG_ZERO_STREAM);
        let mut a = Rng::derive(1, &[2, 3]);
        let mut b = Rng::derive(1, &[2, 3]);
        let mut c = Rng::derive(1, &[3, 2]);
        let (x, y, z) = (a.next_u64(), b.next_u64(), c.next_u64());
        assert_eq!(x, y);
        assert_ne!(x, z);
        assert_eq!(r.below(0), 0);
        assert_eq!(r.range(5, 5), 5);
    }

    /// xoshiro256** seeded by SplitMix64(0), checked against an independent
    /// implementation: these values must never change.
    const RNG_ZERO_STREAM: [u64; 3] = [11091344671253066420, 13793997310169335082, 1900383378846508768];

    #[test]
    fn same_seed_same_cases_and_different_seed_different_cases() {
        let entities = [person(), company(), company_long()];
        let a = variant_cases(&entities, 25, 42);
        let b = variant_cases(&entities, 25, 42);
        let c = variant_cases(&entities, 25, 43);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(negative_cases(300, 7), negative_cases(300, 7));
        assert_ne!(negative_cases(300, 7), negative_cases(300, 8));
        // An entity's cases do not depend on its neighbours.
        let alone = variant_cases(&entities[1..2], 25, 42);
        let together: Vec<Case> = a.into_iter().filter(|c| c.expected == ["test-2"]).collect();
        assert_eq!(alone, together);
    }

    #[test]
    fn every_variant_kind_is_produced() {
        let p = variant_cases(&[person()], 300, 1);
        let person_kinds = kinds_of(&p);
        let all: BTreeSet<VariantKind> = VariantKind::ALL.into_iter().collect();
        let expected_person: BTreeSet<VariantKind> = all
            .iter()
            .copied()
            .filter(|k| {
                !matches!(k, VariantKind::LegalForm | VariantKind::BusinessAbbrev | VariantKind::ExtraGenericWord)
            })
            .collect();
        assert_eq!(person_kinds, expected_person);

        let c = variant_cases(&[company()], 300, 1);
        let company_kinds = kinds_of(&c);
        let not_for_this_company = [
            VariantKind::Initials,
            VariantKind::OneSurname,
            VariantKind::WithDob,
            // `GRUPO EJEMPLO` has one distinctive word: none may be dropped.
            VariantKind::DroppedToken,
        ];
        let expected_company: BTreeSet<VariantKind> =
            all.iter().copied().filter(|k| !not_for_this_company.contains(k)).collect();
        assert_eq!(company_kinds, expected_company);

        let long = variant_cases(&[company_long()], 300, 1);
        assert!(kinds_of(&long).contains(&VariantKind::DroppedToken));
        let union: BTreeSet<VariantKind> = person_kinds.union(&company_kinds).copied().collect();
        assert_eq!(union, all);
    }

    #[test]
    fn few_cases_per_entity_are_spread_over_kinds() {
        let cases = variant_cases(&[person()], 5, 3);
        assert_eq!(cases.len(), 5);
        assert_eq!(kinds_of(&cases).len(), 5);
        assert!(variant_cases(&[person()], 0, 3).is_empty());
    }

    #[test]
    fn variants_keep_expected_and_look_right() {
        let p = person();
        let cases = variant_cases(&[p.clone(), company()], 400, 9);
        let mut by_kind: BTreeMap<VariantKind, Vec<&Case>> = BTreeMap::new();
        for c in &cases {
            assert_eq!(c.expected.len(), 1);
            assert!(c.expected[0] == "test-1" || c.expected[0] == "test-2");
            assert!(!c.name.trim().is_empty());
            by_kind.entry(VariantKind::parse(&c.class).unwrap()).or_default().push(c);
        }
        let folded = |s: &str| fold(s).to_uppercase();
        for c in &by_kind[&VariantKind::Exact] {
            assert!(c.name == "MARTINEZ RAMIREZ, Jose Ruben" || c.name == "GRUPO EJEMPLO, S.A. DE C.V.");
        }
        for c in &by_kind[&VariantKind::Homoglyph] {
            assert!(c.name.chars().any(|ch| matches!(ch as u32, 0x0370..=0x04FF)), "{}", c.name);
        }
        for c in &by_kind[&VariantKind::Invisible] {
            assert!(c.name.chars().any(|ch| ZW.contains(&ch)), "no invisible character in {:?}", c.name);
        }
        for c in &by_kind[&VariantKind::IdentifierOnly] {
            let id = c.identifier.as_deref().unwrap();
            let key = crate::engine::model::identifier_key(id);
            assert!(["MARR6607174Q0", "MARR660717HJCRMB09", "GEJ991231AB1"].contains(&key.as_str()));
            assert!(!folded(&c.name).contains("MARTINEZ RAMIREZ"), "{}", c.name);
        }
        for c in &by_kind[&VariantKind::WithDob] {
            assert_eq!(c.dob.as_deref(), Some("1966-07-17"));
            assert_eq!(c.country.as_deref(), Some("MX"));
        }
        for c in &by_kind[&VariantKind::OneSurname] {
            assert!(!folded(&c.name).contains("RAMIREZ"), "{}", c.name);
        }
        for c in &by_kind[&VariantKind::Initials] {
            assert!(!folded(&c.name).contains("JOSE"), "{}", c.name);
            assert!(folded(&c.name).contains("MARTINEZ RAMIREZ"), "{}", c.name);
        }
        for c in &by_kind[&VariantKind::CaseAccents] {
            assert!(c.name.chars().any(|ch| ch.is_lowercase()), "{}", c.name);
        }
        let accents = by_kind[&VariantKind::CaseAccents]
            .iter()
            .filter(|c| c.name.contains("Martínez") || c.name.contains("martínez"))
            .count();
        assert!(accents > 0);
        for c in &by_kind[&VariantKind::Alias] {
            let f = folded(&c.name);
            assert!(["RUBEN MARTINEZ", "EL EJEMPLO", "EJEMPLO GROUP"].contains(&f.as_str()), "{f}");
        }
        for c in &by_kind[&VariantKind::LegalForm] {
            assert!(folded(&c.name).starts_with("GRUPO EJEMPLO"), "{}", c.name);
        }
        for c in &by_kind[&VariantKind::Truncation] {
            assert!(c.name.chars().count() < "MARTINEZ RAMIREZ, Jose Ruben".chars().count().max(27));
            assert!(c.name.split_whitespace().count() >= 2, "{}", c.name);
        }
        for c in &by_kind[&VariantKind::Typo] {
            assert!(c.name.is_ascii() || c.name.chars().any(|ch| "áéíóú".contains(ch)));
        }
        let typed = cases.iter().filter(|c| c.kind.is_some()).count() as f64 / cases.len() as f64;
        assert!((0.55..0.85).contains(&typed), "{typed}");
    }

    const ZW: [char; 9] =
        ['\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}', '\u{00A0}', '\u{2009}', '\u{202F}', '\u{00AD}'];

    #[test]
    fn names_are_parsed_the_ofac_way() {
        let mut rng = Rng::new(1);
        assert_eq!(accented("MARTINEZ"), Some("Martínez"));
        assert_eq!(accented("JESUS"), Some("Jesús"));
        assert_eq!(accented("OSEGUERA"), None);
        assert_eq!(recase("OSEGUERA CERVANTES, Ruben", Casing::Title, 1.0, &mut rng), "Oseguera Cervantes, Rubén");
        assert_eq!(
            recase("AMEZCUA CONTRERAS, Jose de Jesus", Casing::Lower, 1.0, &mut rng),
            "amezcua contreras, josé de jesús"
        );
        assert_eq!(recase("CARTEL DE LA SIERRA", Casing::Title, 0.0, &mut rng), "Cartel de la Sierra");
        assert!(mentions_mexico("Tijuana, Baja California, Mexico"));
        assert!(!mentions_mexico("Albuquerque, New Mexico"));
    }

    #[test]
    fn mexican_narcotics_entries_are_recognised() {
        assert!(is_mexican_narcotics(&person()));
        let mut e = Entity::new("x", "l", EntityKind::Person);
        e.add_name("DOE, John", NameRole::Primary);
        e.programs = vec!["SDGT".into()];
        e.nationalities = vec!["Mexico".into()];
        assert!(!is_mexican_narcotics(&e), "not a narcotics program");
        e.programs = vec!["SDNTK] [FTO] [SDGT".into()];
        assert!(is_mexican_narcotics(&e));
        e.nationalities = vec!["Colombia".into()];
        assert!(!is_mexican_narcotics(&e), "not Mexican");
        e.birth_places = vec!["Culiacan, Sinaloa, Mexico".into()];
        assert!(is_mexican_narcotics(&e));
        e.birth_places = vec!["Santa Fe, New Mexico".into()];
        assert!(!is_mexican_narcotics(&e));
        e.programs = vec!["ILLICIT-DRUGS-EO14059".into()];
        e.addresses = vec![Address { country: Some("México".into()), ..Address::default() }];
        assert!(is_mexican_narcotics(&e));
        e.addresses.clear();
        e.identifiers =
            vec![Identifier { scheme: IdScheme::Passport, value: "G123".into(), country: Some("Mexico".into()) }];
        assert!(is_mexican_narcotics(&e));
        e.identifiers = vec![Identifier { scheme: IdScheme::Curp, value: "MARR660717HJCRMB09".into(), country: None }];
        assert!(is_mexican_narcotics(&e));
    }

    #[test]
    fn negatives_are_unlisted_spanish_names() {
        let cases = negative_cases(10_000, 11);
        assert_eq!(cases.len(), 10_000);
        let mut classes: BTreeMap<&str, usize> = BTreeMap::new();
        for c in &cases {
            assert!(c.expected.is_empty());
            *classes.entry(c.class.as_str()).or_default() += 1;
        }
        assert_eq!(classes.len(), 3, "{classes:?}");
        assert!(classes[NEG_PERSON_MX] > 5_000 && classes[NEG_COMPANY_MX] > 3_000);
        assert!(classes[NEG_PERSON_US] > 400 && classes[NEG_PERSON_US] < 1_500);
        let distinct: BTreeSet<String> = cases.iter().map(|c| c.name.to_lowercase()).collect();
        assert!(distinct.len() > 9_900, "{}", distinct.len());

        let surnames: BTreeSet<String> = names::MX_SURNAMES.iter().map(|s| fold(s.0).to_uppercase()).collect();
        let mut accented_names = 0;
        for c in cases.iter().filter(|c| c.class == NEG_PERSON_MX) {
            let words: Vec<String> =
                fold(&c.name).to_uppercase().split(|ch: char| !ch.is_alphabetic()).map(str::to_string).collect();
            assert!(words.iter().any(|w| surnames.contains(w)), "{}", c.name);
            assert!(c.name.chars().all(|ch| ch.is_alphabetic() || " ,.".contains(ch)), "{}", c.name);
            if c.name != fold(&c.name) {
                accented_names += 1;
            }
            if let Some(dob) = &c.dob {
                let year: i32 = dob[..4].parse().unwrap();
                assert!((1940..=2004).contains(&year));
                assert!(BirthDate::parse_iso(dob).is_some(), "{dob}");
                assert_eq!(c.country.as_deref(), Some("MX"));
            }
        }
        assert!(accented_names > classes[NEG_PERSON_MX] / 2);
        for c in cases.iter().filter(|c| c.class == NEG_COMPANY_MX).take(500) {
            assert!(c.name.split_whitespace().count() >= 2, "{}", c.name);
        }
    }

    #[test]
    fn csv_round_trips() {
        let mut cases = variant_cases(&[person(), company()], 40, 5);
        cases.extend(negative_cases(50, 5));
        cases.push(Case {
            name: "Name \"with\" quotes, commas\nand a newline".into(),
            kind: Some(EntityKind::Aircraft),
            country: None,
            dob: Some("1970".into()),
            identifier: Some("A,B".into()),
            expected: vec!["a".into(), "b".into()],
            class: "odd".into(),
        });
        let mut buf = Vec::new();
        write_cases_csv(&mut buf, &cases).unwrap();
        let mut reader = csv::Reader::from_reader(buf.as_slice());
        assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), CSV_HEADER);
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), cases.len());
        for (row, case) in rows.iter().zip(&cases) {
            assert_eq!(row.iter().collect::<Vec<_>>(), case.record().iter().map(String::as_str).collect::<Vec<_>>());
            let kind = row.get(1).unwrap();
            assert!(["", "person", "company", "organization", "vessel"].contains(&kind), "{kind}");
            let expected: Vec<&str> = row.get(5).unwrap().split('|').filter(|s| !s.is_empty()).collect();
            assert_eq!(expected, case.expected);
        }
    }

    #[test]
    fn odd_entities_do_not_panic() {
        let odd = [
            "",
            " ",
            ",",
            "X",
            "MENCHO",
            "GUZMAN, Joaquin",
            "ابو بكر البغدادي",
            "王 小明",
            "DE LA, ",
            ", Juan",
            "S.A. DE C.V.",
            "A B",
            "ÑÑÑÑÑÑ ÑÑÑÑÑ, Ñ",
        ];
        let kinds = [
            EntityKind::Person,
            EntityKind::Company,
            EntityKind::Organization,
            EntityKind::Vessel,
            EntityKind::Unknown,
        ];
        for (i, name) in odd.iter().enumerate() {
            for kind in kinds {
                let mut e = Entity::new(format!("odd-{i}"), "t", kind);
                e.names.push(crate::engine::model::Name { full: name.to_string(), role: NameRole::Primary });
                e.names.push(crate::engine::model::Name { full: name.to_string(), role: NameRole::Aka });
                e.identifiers.push(Identifier { scheme: IdScheme::Rfc, value: name.to_string(), country: None });
                e.birth_dates.push(BirthDate { year: 1960, month: None, day: None, to_year: Some(1962), circa: true });
                for c in variant_cases(&[e], 40, 1) {
                    assert!(!c.name.trim().is_empty());
                }
            }
        }
        let empty = Entity::new("none", "t", EntityKind::Person);
        assert!(variant_cases(&[empty], 10, 1).is_empty());
    }

    mod prop {
        use super::*;
        use proptest::prelude::*;

        fn any_kind() -> impl Strategy<Value = EntityKind> {
            prop_oneof![
                Just(EntityKind::Person),
                Just(EntityKind::Company),
                Just(EntityKind::Organization),
                Just(EntityKind::Vessel),
                Just(EntityKind::Aircraft),
                Just(EntityKind::Unknown),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]
            #[test]
            fn any_name_gives_sane_cases(
                primary in "\\PC{0,40}",
                alias in proptest::option::of("[A-Za-z ,.'ÁÉÍÓÚÑáéíóúñ-]{0,30}"),
                ofac_like in "[A-Z]{1,10}( [A-Z]{1,10}){0,2}(, [A-Z][a-z]{0,8}( [A-Za-z]{1,8}){0,2})?",
                rfc in proptest::option::of("[A-Z0-9 -]{0,20}"),
                kind in any_kind(),
                seed in any::<u64>(),
            ) {
                for name in [primary, ofac_like] {
                    let mut e = Entity::new("p-1", "t", kind);
                    e.names.push(crate::engine::model::Name { full: name.clone(), role: NameRole::Primary });
                    if let Some(a) = &alias {
                        e.names.push(crate::engine::model::Name { full: a.clone(), role: NameRole::WeakAlias });
                    }
                    if let Some(r) = &rfc {
                        e.identifiers.push(Identifier { scheme: IdScheme::Rfc, value: r.clone(), country: None });
                    }
                    e.birth_dates.push(BirthDate::ymd(1970, 2, 28));
                    let cases = variant_cases(std::slice::from_ref(&e), 30, seed);
                    prop_assert!(cases.len() <= 30);
                    for c in &cases {
                        prop_assert_eq!(&c.expected, &vec!["p-1".to_string()]);
                        prop_assert!(!c.name.trim().is_empty());
                        prop_assert!(VariantKind::parse(&c.class).is_some());
                    }
                    let mut buf = Vec::new();
                    prop_assert!(write_cases_csv(&mut buf, &cases).is_ok());
                }
            }
        }
    }

    /// `cargo test --lib synth::tests::print_samples -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn print_samples() {
        let mut cases = variant_cases(&[person(), company(), company_long()], 12, 2025);
        cases.truncate(20);
        cases.extend(negative_cases(20, 2025));
        write_cases_csv(std::io::stdout(), &cases).unwrap();
    }
}
