//! Similarity of two normalised tokens.
//!
//! Two tokens are compared only when they are *near*: equal, within a small
//! edit distance for their length, the same but for doubled letters,
//! sharing a phonetic key or a consonant skeleton, the same given name in
//! two languages or a nickname and its name, or one a prefix of the other
//! (a truncated record). Everything the index retrieves is exactly
//! the set of near tokens, so screening through the index finds the same
//! matches a scan of every name would, and far-apart tokens that Jaro-Winkler
//! alone would score generously (`garcia`/`garza`) are kept apart.

use crate::engine::phonetic::phonetic_key;

/// How two tokens were found to agree, for the explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Agreement {
    /// The same token.
    Exact,
    /// Within [`max_edits`] edits (optimal string alignment: insertions,
    /// deletions, substitutions, adjacent transpositions).
    Fuzzy,
    /// The same Spanish phonetic key ([`crate::engine::phonetic`]), or the
    /// same consonant skeleton ([`skeleton`]).
    Phonetic,
    /// The query token begins the listed one (a record cut by a field
    /// limit).
    Prefix,
    /// A single letter for a name beginning with it; found by the scorer.
    Initial,
    /// The same given name in another language (`Juan`/`John`), or its
    /// nickname (`Pepe`/`José`).
    Equivalent,
    /// Two listed tokens written as one, or the reverse (`SergeiLavrov`).
    Joined,
}

impl Agreement {
    /// The snake_case code shown in explanations.
    pub fn as_str(self) -> &'static str {
        match self {
            Agreement::Exact => "exact",
            Agreement::Fuzzy => "fuzzy",
            Agreement::Phonetic => "phonetic",
            Agreement::Prefix => "prefix",
            Agreement::Initial => "initial",
            Agreement::Equivalent => "equivalent",
            Agreement::Joined => "joined",
        }
    }
}

/// The edit distance up to which two tokens count as near: none when one
/// is 3 letters or shorter (a typo in a 3-letter word makes another word),
/// one between words of 4–5 letters, two when the longer has 6 or more (so a
/// 6-letter word with two vowels dropped is still near).
pub fn max_edits(len_a: usize, len_b: usize) -> usize {
    if len_a.min(len_b) <= 3 {
        0
    } else if len_a.max(len_b) <= 5 {
        1
    } else {
        2
    }
}

/// How many deletions the index stores for a token of `len` letters: enough
/// for any partner it may be near.
///
/// A token of 4–5 letters needs one: a partner two edits away has 6 letters
/// or more, so one of the two edits is an insertion into the token and at
/// most one of its letters must go.
pub fn deletions_for(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=5 => 1,
        _ => 2,
    }
}

/// Shortest tokens compared by consonant skeleton.
pub const MIN_SKELETON: usize = 5;

/// Agreements weaker than this are no agreement.
pub const MIN_SIMILARITY: f32 = 0.7;

/// Shortest token a truncation may leave and still be compared by prefix.
pub const MIN_PREFIX: usize = 4;
/// Shortest tokens compared by phonetic key.
pub const MIN_PHONETIC: usize = 4;

/// The similarity of query token `a` and listed token `b`, in [0.7, 1]
/// (0.7 is [`MIN_SIMILARITY`]), or `None` when they are not near. `key_a`
/// and `key_b` are their phonetic keys. Initials are handled by the scorer,
/// not here.
pub fn token_similarity(a: &str, b: &str, key_a: &str, key_b: &str) -> Option<(f32, Agreement)> {
    if a == b {
        return Some((1.0, Agreement::Exact));
    }
    let (la, lb) = (a.len(), b.len());
    if la < 2 || lb < 2 {
        return None;
    }
    // Cheap tests first; Jaro-Winkler only for pairs that are near.
    let bound = max_edits(la, lb);
    let fuzzy = bound > 0 && la.abs_diff(lb) <= bound && osa_distance_within(a.as_bytes(), b.as_bytes(), bound);
    let phonetic = la >= MIN_PHONETIC && lb >= MIN_PHONETIC && key_a == key_b;
    // Transliterations differ in vowels (`Muhammad`/`Mohammed`).
    let vowels_only =
        la >= MIN_SKELETON && lb >= MIN_SKELETON && a.as_bytes()[0] == b.as_bytes()[0] && same_skeleton(a, b);
    // A name squeezed into a short field loses its vowels (`Gzmn`).
    let squeezed = is_squeezed(a) && squeeze_matches(a, b);
    let equivalent = crate::engine::equivalents::equivalent_given_names(a, b);
    let nickname = crate::engine::equivalents::nickname_of(a, b);
    // A key held down or a transliteration's doubled letter (`Sson`/`Son`,
    // `Essa`/`Esa`): the same letters, each run written once.
    let doubled = la != lb && la.min(lb) >= 2 && same_undoubled(a, b);
    // Records get cut, lists do not: only the first token (the query's)
    // may be a prefix of the second (the listed one).
    let prefix = la >= MIN_PREFIX && la < lb && b.starts_with(a);
    if !(fuzzy || phonetic || vowels_only || squeezed || equivalent || nickname || prefix || doubled) {
        return None;
    }
    let stretched = stretch(jaro_winkler(a, b) as f32);
    let mut best: Option<(f32, Agreement)> = None;
    let mut offer = |s: f32, how: Agreement| {
        if s >= MIN_SIMILARITY && best.is_none_or(|(b, _)| s > b) {
            best = Some((s, how));
        }
    };
    if fuzzy {
        // Scanned letters read as others (`rn` for `m`, `cl` for `d`, `vv`
        // for `w`) are two edits but one slip: they keep the pair high even
        // when the first letter is hit (`Rnario`/`Mario`).
        let s = if ocr_confusion(a, b) || ocr_confusion(b, a) { stretched.max(OCR_SIMILARITY) } else { stretched };
        offer(s, Agreement::Fuzzy);
    }
    if doubled {
        offer(stretched.max(DOUBLED_SIMILARITY), Agreement::Fuzzy);
    }
    if phonetic {
        offer(stretched.max(0.85), Agreement::Phonetic);
    }
    if vowels_only {
        offer(stretched.max(0.8), Agreement::Phonetic);
    }
    if squeezed {
        offer(squeezed_similarity(la), Agreement::Phonetic);
    }
    if equivalent {
        offer(0.85, Agreement::Equivalent);
    }
    if nickname {
        offer(NICKNAME_SIMILARITY, Agreement::Equivalent);
    }
    if prefix {
        offer(0.8 + 0.15 * la as f32 / lb as f32, Agreement::Prefix);
    }
    best
}

/// How much a nickname agrees with its given name (`Pepe`/`José`): a little
/// less than a translation, as a nickname may stand for several names.
const NICKNAME_SIMILARITY: f32 = 0.8;

/// How much two tokens agree that differ only in doubled letters.
const DOUBLED_SIMILARITY: f32 = 0.9;

/// `t` with each run of one letter written once (`sson` → `son`), or
/// `None` when that changes nothing or `t` holds a digit (`100` is not
/// `10`). The index keys listed tokens by it.
pub fn undouble(t: &str) -> Option<String> {
    let b = t.as_bytes();
    if !b.iter().all(u8::is_ascii_alphabetic) || !b.windows(2).any(|w| w[0] == w[1]) {
        return None;
    }
    let mut out = String::with_capacity(t.len());
    for &c in b {
        if out.as_bytes().last() != Some(&c) {
            out.push(c as char);
        }
    }
    Some(out)
}

/// Whether `a` and `b`, both letters only, are the same with each run of
/// one letter written once. Allocates nothing.
fn same_undoubled(a: &str, b: &str) -> bool {
    fn runs(t: &str) -> impl Iterator<Item = u8> + '_ {
        let mut prev = 0u8;
        t.bytes().filter(move |&c| {
            let keep = c != prev;
            prev = c;
            keep
        })
    }
    a.bytes().all(|c| c.is_ascii_alphabetic()) && b.bytes().all(|c| c.is_ascii_alphabetic()) && runs(a).eq(runs(b))
}

/// How much two tokens agree that differ only by scanning confusions.
const OCR_SIMILARITY: f32 = 0.9;

/// Whether `a` with its `rn`, `cl` or `vv` read as `m`, `d` or `w` is `b`.
fn ocr_confusion(a: &str, b: &str) -> bool {
    if a.len() <= b.len() {
        return false;
    }
    let mut fixed = a.to_string();
    for (from, to) in [("rn", "m"), ("cl", "d"), ("vv", "w")] {
        if fixed.contains(from) {
            fixed = fixed.replace(from, to);
        }
    }
    fixed == b
}

/// Whether a query token looks squeezed: two letters or more, and no vowel
/// (`a e i o u`) after its first letter (`gzmn`, `jse`, `edmnd`, and the
/// consonant writing of abjad scripts, `mhmd`). `jr` and `sr` are suffixes.
pub fn is_squeezed(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() >= MIN_SQUEEZED
        && b.iter().all(u8::is_ascii_lowercase)
        && !b[1..].iter().any(|c| matches!(c, b'a' | b'e' | b'i' | b'o' | b'u'))
        && !matches!(t, "jr" | "sr")
}

/// Shortest query token read as a squeezed word.
pub const MIN_SQUEEZED: usize = 2;

/// A token with its vowels dropped after the first letter and doubled
/// letters written once: `guzman` is `gzmn`, `edmundo` is `edmnd`,
/// `hassan` is `hsn`. The index keys listed tokens by it; a squeezed query
/// token is looked up by the same function.
pub fn squeeze(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    for (i, c) in t.char_indices() {
        if (i == 0 || !matches!(c, 'a' | 'e' | 'i' | 'o' | 'u')) && !out.ends_with(c) {
            out.push(c);
        }
    }
    out
}

/// Whether a token has a vowel after its first letter, so that squeezing
/// it changes it.
pub fn has_inner_vowel(t: &str) -> bool {
    t.bytes().skip(1).any(|c| matches!(c, b'a' | b'e' | b'i' | b'o' | b'u'))
}

/// Whether squeezed query token `a` is listed token `b` without its
/// vowels (doubled letters once on both sides), `b` holding at least one
/// vowel to lose.
fn squeeze_matches(a: &str, b: &str) -> bool {
    a.as_bytes()[0] == b.as_bytes()[0] && has_inner_vowel(b) && squeeze(a) == squeeze(b)
}

/// How much a squeezed token agrees with the word it squeezes: the more
/// consonants it keeps, the fewer words it could be (`js` is Jose or Josue,
/// `gzmn` only Guzman).
fn squeezed_similarity(len: usize) -> f32 {
    match len {
        0..=2 => 0.75,
        3 => 0.8,
        _ => 0.85,
    }
}

/// Consonants only, doubled letters once: `muhammad` and `mohammed` are
/// both `mhmd`.
pub fn skeleton(t: &str) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::with_capacity(t.len());
    for b in t.bytes() {
        if matches!(b, b'a' | b'e' | b'i' | b'o' | b'u' | b'y' | b'h') {
            continue;
        }
        if out.last() != Some(&b) {
            out.push(b);
        }
    }
    out
}

/// `skeleton(a) == skeleton(b)` without allocating.
fn same_skeleton(a: &str, b: &str) -> bool {
    fn consonants(t: &str) -> impl Iterator<Item = u8> + '_ {
        let mut prev = 0u8;
        t.bytes().filter(move |&c| {
            let keep = !matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y' | b'h') && c != prev;
            if keep {
                prev = c;
            }
            keep
        })
    }
    consonants(a).eq(consonants(b))
}

/// Convenience for callers without precomputed phonetic keys.
pub fn token_similarity_plain(a: &str, b: &str) -> Option<(f32, Agreement)> {
    token_similarity(a, b, &phonetic_key(a), &phonetic_key(b))
}

/// Jaro-Winkler between 0.7 and 1 says little; stretch it so that one typo
/// in a long word stays high and a different word falls away.
fn stretch(jw: f32) -> f32 {
    (1.0 - 2.0 * (1.0 - jw)).clamp(0.0, 1.0)
}

/// Jaro-Winkler similarity (the strsim definition).
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    strsim::jaro_winkler(a, b)
}

/// Whether the optimal-string-alignment distance (Levenshtein plus adjacent
/// transpositions) between `a` and `b` is at most `k`. Banded, so it costs
/// O(len · k).
pub fn osa_distance_within(a: &[u8], b: &[u8], k: usize) -> bool {
    let (n, m) = (a.len(), b.len());
    if n.abs_diff(m) > k {
        return false;
    }
    if n == 0 || m == 0 {
        return n.max(m) <= k;
    }
    let inf = usize::MAX / 2;
    // Three rows of the DP table: two back (for transpositions), one back, current.
    let mut prev2 = vec![inf; m + 1];
    let mut prev: Vec<usize> = (0..=m).collect();
    let mut cur = vec![inf; m + 1];
    for i in 1..=n {
        let lo = i.saturating_sub(k).max(1);
        let hi = (i + k).min(m);
        cur.iter_mut().for_each(|c| *c = inf);
        cur[0] = i;
        let mut row_min = if lo > 1 { inf } else { cur[0] };
        for j in lo..=hi {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j - 1] + cost).min(prev[j] + 1).min(cur[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > k {
            return false;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[m] <= k
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn osa(a: &str, b: &str) -> usize {
        // Plain full-table OSA for reference.
        let (a, b) = (a.as_bytes(), b.as_bytes());
        let (n, m) = (a.len(), b.len());
        let mut d = vec![vec![0usize; m + 1]; n + 1];
        for (i, row) in d.iter_mut().enumerate() {
            row[0] = i;
        }
        for (j, cell) in d[0].iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=n {
            for j in 1..=m {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
                }
            }
        }
        d[n][m]
    }

    #[test]
    fn near_tokens() {
        assert_eq!(token_similarity_plain("oseguera", "oseguera").unwrap().1, Agreement::Exact);
        let (s, how) = token_similarity_plain("osegeura", "oseguera").unwrap();
        assert!(s > 0.85 && how == Agreement::Fuzzy, "{s} {how:?}");
        let (_, how) = token_similarity_plain("cerv", "cervantes").unwrap();
        assert_eq!(how, Agreement::Prefix);
        assert!(token_similarity_plain("vazquez", "basques").is_some());
        assert!(token_similarity_plain("garcia", "garza").is_none_or(|(s, _)| s < 0.8));
        assert!(token_similarity_plain("ana", "ada").is_none());
        assert!(token_similarity_plain("lopez", "lozano").is_none());
        // Doubled letters, even in short tokens; never in numbers.
        assert_eq!(token_similarity_plain("sson", "son").unwrap().1, Agreement::Fuzzy);
        assert!(token_similarity_plain("esa", "essa").is_some_and(|(s, _)| s >= 0.9));
        assert!(token_similarity_plain("yyu", "yu").is_some());
        assert!(token_similarity_plain("100", "10").is_none());
        assert!(token_similarity_plain("son", "soon").is_some());
        assert!(token_similarity_plain("son", "sin").is_none());
        assert_eq!(undouble("sson").as_deref(), Some("son"));
        assert_eq!(undouble("son"), None);
        assert_eq!(undouble("1100"), None);
        assert_eq!(token_similarity_plain("pepe", "jose"), Some((0.8, Agreement::Equivalent)));
    }

    #[test]
    fn skeleton_comparison_matches_the_allocating_one() {
        for (a, b) in [("muhammad", "mohammed"), ("garcia", "garza"), ("hassan", "hasan"), ("aaa", "eee")] {
            assert_eq!(same_skeleton(a, b), skeleton(a) == skeleton(b), "{a} {b}");
        }
    }

    #[test]
    fn banded_osa_examples() {
        assert!(osa_distance_within(b"abcdef", b"abdcef", 1));
        assert!(!osa_distance_within(b"abcdef", b"badcfe", 2));
        assert!(osa_distance_within(b"", b"ab", 2));
        assert!(!osa_distance_within(b"", b"abc", 2));
    }

    proptest! {
        #[test]
        fn banded_osa_agrees_with_full_table(a in "[a-e]{0,9}", b in "[a-e]{0,9}", k in 0usize..4) {
            prop_assert_eq!(osa_distance_within(a.as_bytes(), b.as_bytes(), k), osa(&a, &b) <= k);
        }

        #[test]
        fn similarity_is_symmetric_but_for_prefixes_and_bounded(a in "[a-z]{1,12}", b in "[a-z]{1,12}") {
            let ab = token_similarity_plain(&a, &b).filter(|x| x.1 != Agreement::Prefix).map(|x| x.0);
            let ba = token_similarity_plain(&b, &a).filter(|x| x.1 != Agreement::Prefix).map(|x| x.0);
            prop_assert_eq!(ab, ba);
            if let Some(s) = ab {
                prop_assert!(s > 0.0 && s <= 1.0);
            }
        }
    }
}
