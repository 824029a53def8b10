//! Scoring one query name against one listed name.
//!
//! Tokens are aligned one to one, best pairs first (names are compared as
//! sets of tokens because lists and records disagree on order). The score
//! blends how much of the query is explained by the listed name and how much
//! of the listed name the query covers, each weighted by token rarity, so a
//! match carried by `García` or `Servicios` alone stays low and a missing
//! second surname costs less than a missing rare given name.

use serde::Serialize;

use crate::engine::similarity::{token_similarity_plain, Agreement};

/// A query token prepared for scoring.
#[derive(Debug, Clone)]
pub struct QueryToken {
    /// A normalised token: lower-case ASCII letters and digits.
    pub text: String,
    /// How much the token says about identity, in (0, 1] (see
    /// [`crate::engine::weights`]).
    pub weight: f32,
    /// The last token of the submitted name, which a field limit may have
    /// cut (`Miguel Ang`): a short prefix of a listed token still agrees.
    pub last: bool,
}

/// One aligned pair.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct TokenMatch {
    /// The query token; two, space-separated, that the list writes as one
    /// (or as two initials together, `JC`).
    pub query: String,
    /// The listed token; two, space-separated, that the query wrote as one
    /// (or as two initials together).
    pub listed: String,
    /// In [0.7, 1]; 1 for the same token, 0.8 for an initial or a cut last
    /// token of two or three letters.
    pub similarity: f32,
    /// How the pair was found to agree.
    pub how: Agreement,
    /// The pair's weight as evidence: the lesser of the query and listed
    /// weights (an initial counts at most 0.2), so a rare listed token
    /// matched by a common query token counts as common.
    pub weight: f32,
}

/// The name part of a score, with what explains it.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct NameScore {
    /// In [0, 1]: [`QUERY_SIDE`] × `query_coverage` + the rest ×
    /// `listed_coverage`, less a penalty when a token is left over on each
    /// side. When the matched rarity is below [`MIN_EVIDENCE`] it is damped,
    /// or capped at 0.9 if both names matched whole.
    pub score: f32,
    /// Share of the query's weight matched, in [0, 1]: each aligned token
    /// counts its weight times the pair's similarity.
    pub query_coverage: f32,
    /// Share of the listed name's weight matched, in [0, 1], counted the
    /// same way.
    pub listed_coverage: f32,
    /// The aligned pairs, in the order they were taken (best first).
    pub tokens: Vec<TokenMatch>,
    /// Query tokens left unaligned, in query order.
    pub unmatched_query: Vec<String>,
    /// Listed tokens left unaligned, in name order.
    pub unmatched_listed: Vec<String>,
}

/// How much the query side counts against the listed side (which counts
/// the rest, 0.45).
pub const QUERY_SIDE: f32 = 0.55;
/// An initial (`R.`) agrees with a given name starting with it this much.
const INITIAL_SIMILARITY: f32 = 0.8;
/// A cut last token of two or three letters agrees with a listed token it
/// begins this much.
const TRUNCATED_SIMILARITY: f32 = 0.8;

/// A listed token as the scorer needs it.
pub struct ListedToken<'a> {
    /// The normalised token.
    pub text: &'a str,
    /// Its weight in (0, 1] (see [`crate::engine::index::TokenInfo::weight`]).
    pub weight: f32,
}

/// Scores a query against one listed name and explains the score. `sim(i,
/// j)` gives the similarity of query token `i` and listed token `j` when
/// they are near. Only the first [`MAX_TOKENS`] tokens of each side are
/// aligned.
pub fn score_name(
    query: &[QueryToken],
    listed: &[ListedToken<'_>],
    sim: impl Fn(usize, usize) -> Option<(f32, Agreement)>,
) -> NameScore {
    let al = align(query, listed, sim);
    let (score, query_coverage, listed_coverage) = al.score(query, listed);
    let text = |ix: [usize; 2], f: &dyn Fn(usize) -> String| {
        ix.into_iter().filter(|&k| k != NONE).map(f).collect::<Vec<_>>().join(" ")
    };
    let tokens = al
        .taken
        .iter()
        .map(|t| TokenMatch {
            query: text(t.pair.q, &|k| query[k].text.clone()),
            listed: text(t.pair.l, &|k| listed[k].text.to_string()),
            similarity: t.pair.s,
            how: t.pair.how,
            weight: t.evidence_weight,
        })
        .collect();
    NameScore {
        score,
        query_coverage,
        listed_coverage,
        tokens,
        unmatched_query: (0..query.len()).filter(|&i| al.q_used & bit(i) == 0).map(|i| query[i].text.clone()).collect(),
        unmatched_listed: (0..listed.len())
            .filter(|&j| al.l_used & bit(j) == 0)
            .map(|j| listed[j].text.to_string())
            .collect(),
    }
}

/// The score alone, without building an explanation: the screener calls
/// this for every candidate and explains only what it reports.
pub fn score_only(
    query: &[QueryToken],
    listed: &[ListedToken<'_>],
    sim: impl Fn(usize, usize) -> Option<(f32, Agreement)>,
) -> f32 {
    align(query, listed, sim).score(query, listed).0
}

/// Most tokens a name side is scored on; the rest are ignored.
pub const MAX_TOKENS: usize = 64;
const NONE: usize = usize::MAX;

fn bit(i: usize) -> u64 {
    1u64 << i
}

struct Taken {
    pair: Pair,
    q_weight: f32,
    l_weight: f32,
    /// A rare listed token matched by a common query token (`jose` for an
    /// alias `joise`) is only as telling as the common one.
    evidence_weight: f32,
    /// Weight the query's total loses when this pair reads a query token as
    /// initials (see [`align`]).
    q_discount: f32,
    /// The same for the listed name's total.
    l_discount: f32,
}

struct Alignment {
    taken: Vec<Taken>,
    q_used: u64,
    l_used: u64,
}

fn align(
    query: &[QueryToken],
    listed: &[ListedToken<'_>],
    sim: impl Fn(usize, usize) -> Option<(f32, Agreement)>,
) -> Alignment {
    let query = &query[..query.len().min(MAX_TOKENS)];
    let listed = &listed[..listed.len().min(MAX_TOKENS)];
    // Candidate alignments: one query token to one listed token, or one
    // token to two of the other side written together (`SergeiLavrov`).
    let mut pairs: Vec<Pair> = Vec::with_capacity(query.len() * listed.len() + 2);
    for (i, q) in query.iter().enumerate() {
        for (j, l) in listed.iter().enumerate() {
            let one = |s, how| Pair { s, q: [i, NONE], l: [j, NONE], how };
            if let Some((s, how)) = sim(i, j) {
                pairs.push(one(s, how));
            } else if let Some(s) = initial_agreement(&q.text, l.text) {
                pairs.push(one(s, Agreement::Initial));
            } else if q.last
                && (2..crate::engine::similarity::MIN_PREFIX).contains(&q.text.len())
                && l.text.len() > q.text.len()
                && l.text.starts_with(q.text.as_str())
            {
                pairs.push(one(TRUNCATED_SIMILARITY, Agreement::Prefix));
            }
        }
    }
    initials_pairs(query.iter().map(|q| q.text.as_str()), listed.iter().map(|l| l.text), false, &mut pairs);
    initials_pairs(listed.iter().map(|l| l.text), query.iter().map(|q| q.text.as_str()), true, &mut pairs);
    joined_pairs(query.iter().map(|q| q.text.as_str()), listed.iter().map(|l| l.text), false, &mut pairs);
    joined_pairs(listed.iter().map(|l| l.text), query.iter().map(|q| q.text.as_str()), true, &mut pairs);
    shifted_pairs(query, listed, &mut pairs);
    // Best pairs first (a joined pair explains more, so it goes first at
    // equal similarity); ties keep the original order so results are stable.
    pairs.sort_by(|a, b| b.rank().total_cmp(&a.rank()).then(a.q.cmp(&b.q)).then(a.l.cmp(&b.l)));
    let mask = |ix: [usize; 2]| ix.into_iter().filter(|&k| k != NONE).fold(0u64, |m, k| m | bit(k));
    let mut al = Alignment { taken: Vec::new(), q_used: 0, l_used: 0 };
    for pair in pairs {
        let (qm, lm) = (mask(pair.q), mask(pair.l));
        if al.q_used & qm != 0 || al.l_used & lm != 0 {
            continue;
        }
        al.q_used |= qm;
        al.l_used |= lm;
        let qw: f32 = pair.q.into_iter().filter(|&k| k != NONE).map(|k| query[k].weight).sum();
        let lw: f32 = pair.l.into_iter().filter(|&k| k != NONE).map(|k| listed[k].weight).sum();
        // An initial stands for a name but proves little of it.
        // (Two initials written together count as two.)
        let initials = pair.l.iter().chain(&pair.q).filter(|&&k| k != NONE).count() as f32 - 1.0;
        let cap = crate::engine::weights::INITIAL * initials;
        // The side writing the initials weighs them as initials in its total
        // too: `JC` is two letters, not a rare word left half explained.
        let is_initials = |t: &str| t.len() == 1 || initials_together(t);
        let initial = pair.how == Agreement::Initial;
        let listed_initials = initial && pair.l[1] == NONE && is_initials(listed[pair.l[0]].text);
        let (q_weight, l_weight) = match (initial, listed_initials) {
            (false, _) => (qw, lw),
            (true, false) => (qw.min(cap), lw * 0.7),
            (true, true) => (qw.min(cap), lw.min(cap) * 0.7),
        };
        let (mut q_discount, mut l_discount) = (0.0, 0.0);
        if initial && pair.q[1] == NONE && is_initials(&query[pair.q[0]].text) {
            q_discount = qw - q_weight;
        }
        if listed_initials {
            l_discount = lw - lw.min(cap);
        }
        al.taken.push(Taken {
            pair,
            q_weight,
            l_weight,
            evidence_weight: l_weight.min(q_weight),
            q_discount,
            l_discount,
        });
    }
    al
}

impl Alignment {
    /// (score, query coverage, listed coverage).
    fn score(&self, query: &[QueryToken], listed: &[ListedToken<'_>]) -> (f32, f32, f32) {
        let query = &query[..query.len().min(MAX_TOKENS)];
        let listed = &listed[..listed.len().min(MAX_TOKENS)];
        let q_num: f32 = self.taken.iter().map(|t| t.q_weight * t.pair.s).sum();
        let l_num: f32 = self.taken.iter().map(|t| t.l_weight * t.pair.s).sum();
        let q_total: f32 =
            query.iter().map(|q| q.weight).sum::<f32>() - self.taken.iter().map(|t| t.q_discount).sum::<f32>();
        let l_total: f32 =
            listed.iter().map(|l| l.weight).sum::<f32>() - self.taken.iter().map(|t| t.l_discount).sum::<f32>();
        let query_coverage = if q_total > 0.0 { (q_num / q_total).min(1.0) } else { 0.0 };
        let listed_coverage = if l_total > 0.0 { (l_num / l_total).min(1.0) } else { 0.0 };
        let mut score = QUERY_SIDE * query_coverage + (1.0 - QUERY_SIDE) * listed_coverage;
        // A token on each side that matches nothing is a contradiction
        // (another surname), worse than a token simply missing from one side.
        let q_left: f32 =
            query.iter().enumerate().filter(|(i, _)| self.q_used & bit(*i) == 0).map(|(_, q)| q.weight).sum();
        let l_left: f32 =
            listed.iter().enumerate().filter(|(j, _)| self.l_used & bit(*j) == 0).map(|(_, l)| l.weight).sum();
        let largest = q_total.max(l_total);
        if largest > 0.0 {
            score -= CONFLICT_PENALTY * q_left.min(l_left) / largest;
        }
        // Evidence: the rarity actually matched. Common or generic tokens
        // alone cannot make an alert however well they match, unless they
        // are the whole name on both sides (a listed `RODRIGUEZ LOPEZ, S.A.
        // DE C.V.` is still that company): then the match alerts but never
        // blocks.
        let evidence: f32 =
            self.taken.iter().filter(|t| t.pair.how != Agreement::Initial).map(|t| t.evidence_weight * t.pair.s).sum();
        if evidence < MIN_EVIDENCE {
            if query_coverage >= COMPLETE && listed_coverage >= COMPLETE {
                score = score.min(COMMON_NAME_CAP);
            } else {
                score *= (evidence / MIN_EVIDENCE).sqrt();
            }
        }
        (score.clamp(0.0, 1.0), query_coverage, listed_coverage)
    }
}

/// Coverage from which a name counts as matched whole.
const COMPLETE: f32 = 0.97;
/// The highest score of a whole-name match made only of common tokens.
const COMMON_NAME_CAP: f32 = 0.9;

/// How much a contradiction costs, per unit of weight share.
const CONFLICT_PENALTY: f32 = 1.5;
/// Shortest token tried as two tokens written together.
pub const MIN_JOINED: usize = 6;

struct Pair {
    s: f32,
    q: [usize; 2],
    l: [usize; 2],
    how: Agreement,
}

impl Pair {
    fn rank(&self) -> f32 {
        match self.how {
            Agreement::Joined => self.s + 0.1,
            // Two letters read as initials only when no other reading of
            // them (a word with its vowels dropped, `Dz` for `Díaz`) is left.
            Agreement::Initial if self.q[1] != NONE || self.l[1] != NONE => self.s - 0.5,
            _ => self.s,
        }
    }
}

/// Adds pairs where one token of `ones` is two adjacent tokens of `twos`
/// written together, in either order (`sergeilavrov` for `LAVROV, Sergei`).
/// `swapped` says `ones` is the listed side. When the query side holds the
/// single token, the first listed token must begin it exactly, so the index
/// can retrieve such names (see `NameIndex::leading_parts`).
fn joined_pairs<'a>(
    ones: impl Iterator<Item = &'a str>,
    twos: impl Iterator<Item = &'a str> + Clone,
    swapped: bool,
    out: &mut Vec<Pair>,
) {
    let twos: Vec<&str> = twos.collect();
    if twos.len() < 2 {
        return;
    }
    let mut buf = String::new();
    for (i, one) in ones.enumerate() {
        if one.len() < MIN_JOINED {
            continue;
        }
        for k in 0..twos.len() - 1 {
            for (a, b) in [(k, k + 1), (k + 1, k)] {
                let (ta, tb) = (twos[a], twos[b]);
                if ta.len() < 3 || tb.len() < 3 || one.as_bytes()[0] != ta.as_bytes()[0] || !one.starts_with(ta) {
                    continue;
                }
                if swapped {
                    // Two query words a list writes as one must spell it
                    // exactly: the index finds those by one lookup.
                    if one.len() == ta.len() + tb.len() && one.ends_with(tb) {
                        out.push(Pair { s: 1.0, q: [a, b], l: [i, NONE], how: Agreement::Joined });
                    }
                    continue;
                }
                if ta.len() + tb.len() > one.len() + 2 || one.len() > ta.len() + tb.len() + 2 {
                    continue;
                }
                buf.clear();
                buf.push_str(ta);
                buf.push_str(tb);
                if let Some((s, how)) = token_similarity_plain(one, &buf) {
                    if s >= MIN_JOINED_SIMILARITY && matches!(how, Agreement::Exact | Agreement::Fuzzy) {
                        out.push(Pair { s, q: [i, NONE], l: [a, b], how: Agreement::Joined });
                    }
                }
            }
        }
    }
}

/// Whether `t` is two initials written together (`JC` for `Jean-Claude`,
/// `JL` for `José Luis`): two consonants that are not a suffix, title or
/// name of their own (`Jr`, `Dr`, `Ng`). Such a token may also be a word
/// with its vowels dropped; the scorer tries both readings.
pub fn initials_together(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() == 2
        && b[0] != b[1]
        && b.iter().all(|c| c.is_ascii_lowercase() && !matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y'))
        && !matches!(t, "jr" | "sr" | "dr" | "mr" | "ms" | "st" | "ng" | "mc")
}

/// Adds pairs where a token of `ones` is two initials written together
/// ([`initials_together`]) of two adjacent tokens of `twos`, in order.
/// `swapped` says `ones` is the listed side.
fn initials_pairs<'a>(
    ones: impl Iterator<Item = &'a str>,
    twos: impl Iterator<Item = &'a str> + Clone,
    swapped: bool,
    out: &mut Vec<Pair>,
) {
    let twos: Vec<&str> = twos.collect();
    for (i, one) in ones.enumerate() {
        if !initials_together(one) {
            continue;
        }
        let b = one.as_bytes();
        for k in 0..twos.len().saturating_sub(1) {
            let (ta, tb) = (twos[k].as_bytes(), twos[k + 1].as_bytes());
            if ta.len() > 1 && tb.len() > 1 && ta[0] == b[0] && tb[0] == b[1] {
                let (q, l) = if swapped { ([k, k + 1], [i, NONE]) } else { ([i, NONE], [k, k + 1]) };
                out.push(Pair { s: INITIAL_SIMILARITY, q, l, how: Agreement::Initial });
            }
        }
    }
}

/// Adds pairs where two adjacent query tokens are two adjacent listed
/// tokens with the space between them moved (`Arefullaha Ref` for
/// `Arefullah Aref`; see [`is_shifted`]).
fn shifted_pairs(query: &[QueryToken], listed: &[ListedToken<'_>], out: &mut Vec<Pair>) {
    for i in 0..query.len().saturating_sub(1) {
        let (qa, qb) = (query[i].text.as_str(), query[i + 1].text.as_str());
        for j in 0..listed.len().saturating_sub(1) {
            if is_shifted(qa, qb, listed[j].text, listed[j + 1].text) {
                out.push(Pair { s: SHIFTED_SIMILARITY, q: [i, i + 1], l: [j, j + 1], how: Agreement::Joined });
            }
        }
    }
}

/// Most letters a moved space may carry from one word to the next.
pub const MAX_SHIFT: usize = 2;
/// How much two words agree whose space moved: one slip of the keyboard.
const SHIFTED_SIMILARITY: f32 = 0.9;

/// Whether `qa qb` is `la lb` with the space between them moved by one to
/// [`MAX_SHIFT`] letters, every word keeping two letters or more.
pub fn is_shifted(qa: &str, qb: &str, la: &str, lb: &str) -> bool {
    (1..=MAX_SHIFT).contains(&qa.len().abs_diff(la.len()))
        && qa.len() + qb.len() == la.len() + lb.len()
        && qa.len().min(qb.len()).min(la.len()).min(lb.len()) >= 2
        && qa.bytes().chain(qb.bytes()).eq(la.bytes().chain(lb.bytes()))
}

/// Calls `f(la, lb)` with each spelling `qa qb` would have with its space
/// moved back by one to [`MAX_SHIFT`] letters: what the index looks up to
/// find names that [`is_shifted`] pairs with the query. `buf` is scratch.
pub fn for_each_unshifted(qa: &str, qb: &str, buf: &mut String, mut f: impl FnMut(&str, &str)) {
    for d in 1..=MAX_SHIFT {
        if qa.len() >= d + 2 && qa.is_char_boundary(qa.len() - d) {
            let (head, tail) = qa.split_at(qa.len() - d);
            buf.clear();
            buf.push_str(tail);
            buf.push_str(qb);
            f(head, buf);
        }
        if qb.len() >= d + 2 && qb.is_char_boundary(d) {
            let (head, tail) = qb.split_at(d);
            buf.clear();
            buf.push_str(qa);
            buf.push_str(head);
            f(buf, tail);
        }
    }
}

/// Two words written together must agree closely to count as one.
const MIN_JOINED_SIMILARITY: f32 = 0.9;

/// Matched rarity below which a name score is damped.
pub const MIN_EVIDENCE: f32 = 0.9;

/// An upper bound of [`score_name`] when the query tokens weighing
/// `matched_weight` (of `query_weight` in all) are the only ones that may
/// match, and the rarity they may prove (each query token's weight, or the
/// listed token's it meets if lower) sums to at most `evidence`: lets the
/// screener skip candidates that cannot reach a threshold. `listed_share`
/// bounds the listed name's coverage (1 when nothing is known of it). In
/// [0, 1].
pub fn score_upper_bound(matched_weight: f32, evidence: f32, query_weight: f32, listed_share: f32) -> f32 {
    if query_weight <= 0.0 {
        return 0.0;
    }
    let coverage = (matched_weight / query_weight).min(1.0);
    let mut bound = QUERY_SIDE * coverage + (1.0 - QUERY_SIDE) * listed_share.clamp(0.0, 1.0);
    // Unless both whole names may match, too little rarity damps the score.
    let evidence = evidence.min(matched_weight);
    if (coverage < COMPLETE || listed_share < COMPLETE) && evidence < MIN_EVIDENCE {
        bound *= (evidence.max(0.0) / MIN_EVIDENCE).sqrt();
    }
    bound
}

/// Scores two names against each other without any list: token weights
/// come from the built-in priors only. Used for name-pair evaluation.
pub fn score_pair(a: &str, b: &str, family: crate::engine::model::KindFamily) -> NameScore {
    use crate::engine::normalize::normalize_name;
    use crate::engine::phonetic::phonetic_key;
    use crate::engine::weights::prior_weight;
    let na = normalize_name(a, family);
    let nb = normalize_name(b, family);
    let last = na.tokens.len().saturating_sub(1);
    let qt: Vec<QueryToken> = na
        .tokens
        .iter()
        .enumerate()
        .map(|(i, t)| QueryToken { text: t.clone(), weight: prior_weight(t), last: i == last && i > 0 })
        .collect();
    let lt: Vec<ListedToken> = nb.tokens.iter().map(|t| ListedToken { text: t, weight: prior_weight(t) }).collect();
    let qk: Vec<String> = na.tokens.iter().map(|t| phonetic_key(t)).collect();
    let lk: Vec<String> = nb.tokens.iter().map(|t| phonetic_key(t)).collect();
    score_name(&qt, &lt, |i, j| crate::engine::similarity::token_similarity(&qt[i].text, lt[j].text, &qk[i], &lk[j]))
}

fn initial_agreement(q: &str, l: &str) -> Option<f32> {
    let (short, long) = if q.len() <= l.len() { (q, l) } else { (l, q) };
    (short.len() == 1 && long.len() > 1 && long.as_bytes()[0] == short.as_bytes()[0]).then_some(INITIAL_SIMILARITY)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::similarity::token_similarity_plain;
    use crate::engine::weights::prior_weight;

    fn score(q: &str, l: &str) -> NameScore {
        let qt: Vec<QueryToken> =
            q.split(' ').map(|t| QueryToken { text: t.into(), weight: prior_weight(t), last: false }).collect();
        let lt: Vec<ListedToken> = l.split(' ').map(|t| ListedToken { text: t, weight: prior_weight(t) }).collect();
        score_name(&qt, &lt, |i, j| token_similarity_plain(&qt[i].text, lt[j].text))
    }

    #[test]
    fn exact_is_one_and_order_free() {
        assert_eq!(score("ruben oseguera cervantes", "oseguera cervantes ruben").score, 1.0);
    }

    #[test]
    fn one_surname_and_typos_stay_high() {
        let s = score("ruben oseguera", "oseguera cervantes ruben").score;
        assert!(s > 0.8, "{s}");
        let s = score("ruben osegeura cervantes", "oseguera cervantes ruben").score;
        assert!(s > 0.9, "{s}");
        let s = score("r oseguera cervantes", "oseguera cervantes ruben").score;
        assert!(s > 0.85, "{s}");
    }

    #[test]
    fn common_tokens_cannot_carry_a_match() {
        let s = score("juan garcia", "garcia lopez juan").score;
        assert!(s < 0.8, "{s}");
        let s = score("transportes sinaloa", "cartel sinaloa").score;
        assert!(s < 0.7, "{s}");
    }

    #[test]
    fn tokens_written_together_still_match() {
        let s = score("sergeilavrov", "lavrov sergei");
        assert!(s.score > 0.9, "{s:?}");
        assert_eq!(s.tokens[0].how, Agreement::Joined);
        let s = score("jan daniel bothma", "jandaniel bothma").score;
        assert!(s > 0.9, "{s}");
    }

    #[test]
    fn initials_written_together_stand_for_two_names() {
        let s = score("jc juncker", "jean claude juncker");
        assert!(s.score > 0.8, "{s:?}");
        assert_eq!(s.tokens[1].how, Agreement::Initial);
        assert_eq!(s.tokens[1].listed, "jean claude");
        // On the listed side, as if written apart.
        let s = score("jean claude juncker", "jc juncker").score;
        assert!((s - score("jean claude juncker", "j c juncker").score).abs() < 1e-6, "{s}");
        // Out of order, or with a vowel, they are not initials.
        assert!(score("cj juncker", "jean claude juncker").score < 0.5);
        assert!(!initials_together("li") && !initials_together("jr") && !initials_together("jlm"));
    }

    #[test]
    fn a_moved_space_still_matches() {
        let s = score("arefullaha ref ghazi", "arefullah aref ghazi");
        assert!(s.score >= 0.85, "{s:?}");
        assert_eq!(s.tokens[0].how, Agreement::Joined);
        assert_eq!(s.tokens[0].query, "arefullaha ref");
        assert!(is_shifted("myongc", "hin", "myong", "chin"));
        assert!(!is_shifted("myong", "chin", "myong", "chin"));
        assert!(!is_shifted("abcd", "ef", "a", "bcdef"));
        let unshifted = |qa: &str, qb: &str| {
            let mut back = Vec::new();
            for_each_unshifted(qa, qb, &mut String::new(), |a, b| back.push((a.to_string(), b.to_string())));
            back
        };
        for (qa, qb) in [("arefullaha", "ref"), ("myongc", "hin"), ("razuk", "iabd")] {
            let back = unshifted(qa, qb);
            assert!(back.iter().all(|(a, b)| is_shifted(qa, qb, a, b)), "{back:?}");
        }
        assert!(unshifted("arefullaha", "ref").contains(&("arefullah".to_string(), "aref".to_string())));
    }

    #[test]
    fn a_different_surname_is_a_contradiction() {
        let missing = score("ayman sabawi ibrahim hasan", "ayman sabawi ibrahim hasan tikriti").score;
        let different = score("ayman sabawi ibrahim hasan dulaimi", "ayman sabawi ibrahim hasan tikriti").score;
        assert!(different < missing, "{different} {missing}");
    }

    #[test]
    fn explanation_lists_pairs_and_leftovers() {
        let s = score("ruben oseguera", "oseguera cervantes ruben");
        assert_eq!(s.tokens.len(), 2);
        assert_eq!(s.unmatched_listed, ["cervantes"]);
        assert!(s.unmatched_query.is_empty());
    }
}
