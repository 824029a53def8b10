//! Finding listed names inside free text: a goods description, a port, the
//! remittance information of a payment, the conditions of a letter of
//! credit.
//!
//! Free text holds hundreds of words, each a chance for a false alert, so it
//! takes stronger evidence than a name field. A run of words is a listed
//! name only when:
//! - it holds the whole name: every token of the listed name (its first
//!   [`MAX_WINDOW`] for a longer one) is matched, and every word of the run
//!   matches one; legal forms and connecting words ("de", "the") aside;
//! - no token is matched by an initial or as the beginning of a longer one;
//! - a name of one token is written exactly, with four letters or more,
//!   and is not a common English or Spanish word
//!   ([`crate::engine::reference::is_common_word`]: `GROSS`, `CARGO` and
//!   `SEPTEMBER` are wording, not the companies so named), unless a
//!   vessel's name follows "vessel", "M/V" or "buque";
//! - a name made only of common words and numbers is written exactly, and
//!   is neither a weak alias (`BANCO NACIONAL`, a.k.a. of a Nicaraguan
//!   bank, inside "Banco Nacional de México") nor holds a number (`SET 1`
//!   in "one set of documents"), unless a legal form follows it;
//! - and its screening alerts, as for a counterparty.
//!
//! Runs do not cross sentence punctuation (`;`, `:`, `+`, brackets,
//! quotes, a `/` beside a space, a full stop after a word of four letters
//! or more).
//! Typos, phonetic spellings and transliterations still match token by
//! token, as in a name field.
//!
//! Speed: a run is screened only when it can hold a whole name. Each listed
//! name is anchored on its rarest token ([`NameIndex::anchored`]); every
//! word of the text looks up its near tokens once, the names anchored on
//! them are checked against the neighbouring words, and only the smallest
//! runs holding all their tokens are screened, each against the entries
//! whose names can fill it ([`scan_text_exhaustive`] screens them against
//! every entry, to prove that nothing is lost).

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use crate::engine::index::{NameIndex, Near, ANCHOR_SPAN};
use crate::engine::model::{EntityKind, KindFamily, NameRole};
use crate::engine::normalize::normalize_name;
use crate::engine::query::MAX_NAME_CHARS;
use crate::engine::reference::is_common_word;
use crate::engine::similarity::Agreement;
use crate::engine::{Decision, Match, Query, QueryError, Screener};

/// The longest run of words read as one name, connecting words not
/// counted. Listed names longer than this are found on their first words.
pub const MAX_WINDOW: usize = ANCHOR_SPAN;

/// The fewest letters of a one-token name found in free text.
pub const MIN_SINGLE_TOKEN_LETTERS: usize = 4;

/// A listed name found in a text.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct TextHit {
    /// Offset of the run's first character in the text, in characters
    /// (Unicode scalar values), not bytes.
    pub start: usize,
    /// Offset just past the run's last character, in characters.
    pub end: usize,
    /// The run as written.
    pub text: String,
    /// The run's screening decision: `Review` or `Block`.
    pub decision: Decision,
    /// The alerting matches of the run, strongest first.
    pub matches: Vec<Match>,
}

/// Words worth starting or ending a name on.
fn is_connector(word: &str) -> bool {
    const CONNECTORS: &[&str] = &[
        "de", "del", "la", "las", "el", "los", "y", "e", "o", "en", "a", "al", "con", "por", "para", "the", "of",
        "and", "or", "for", "to", "in", "on", "at", "by", "from", "with", "via", "per",
    ];
    CONNECTORS.iter().any(|c| c.eq_ignore_ascii_case(word))
}

/// Byte spans of the words of `text`: runs of letters and digits, with the
/// apostrophes, dots, ampersands and hyphens inside them.
fn word_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start: Option<usize> = None;
    let mut last_end = 0;
    for (i, c) in text.char_indices() {
        let inner = matches!(c, '\'' | '.' | '&' | '-' | '’');
        if c.is_alphanumeric() {
            if start.is_none() {
                start = Some(i);
            }
            last_end = i + c.len_utf8();
        } else if inner && start.is_some() {
            // Kept only if a letter follows; decided when the word ends.
        } else if let Some(s) = start.take() {
            spans.push((s, last_end));
        }
    }
    if let Some(s) = start {
        spans.push((s, last_end));
    }
    spans
}

/// Whether the characters between two words end a sentence or a clause:
/// a name never runs across them.
fn is_break(gap: &str, previous_word: &str) -> bool {
    gap.chars().any(|c| matches!(c, ';' | ':' | '+' | '[' | ']' | '"' | '|' | '<' | '>' | '='))
        || (gap.contains('/') && gap.contains(char::is_whitespace))
        || (gap.starts_with('.') && previous_word.chars().count() >= 4 && !previous_word.contains('.'))
}

/// Whether the text just before byte `at` names a vessel ("vessel", "M/V",
/// "buque").
fn after_vessel_word(text: &str, at: usize) -> bool {
    let before = text[..at].trim_end_matches(|c: char| !c.is_alphanumeric()).to_ascii_lowercase();
    ["vessel", "vsl", "m/v", "m.v", "mv", "buque", "barco", "embarcacion", "ship"].iter().any(|w| {
        before.ends_with(w) && before[..before.len() - w.len()].chars().next_back().is_none_or(|c| !c.is_alphanumeric())
    })
}

/// One word of the text, ready for lookups.
struct Word {
    /// Byte span in the text.
    span: (usize, usize),
    /// Sentence or clause number: runs stay within one.
    clause: usize,
    /// Whether it counts towards [`MAX_WINDOW`] (connecting words do not).
    counts: bool,
    /// Listed tokens near its normalised tokens, sorted by token, each once.
    near: Vec<Near>,
    /// How many listed tokens it may stand for: its normalised tokens, at
    /// least one.
    tokens: usize,
}

/// Splits `text` into words and finds each word's near listed tokens,
/// looking each distinct token up once.
fn read_words(screener: &Screener, text: &str) -> Vec<Word> {
    let spans = word_spans(text);
    let mut looked_up: FxHashMap<String, std::sync::Arc<[Near]>> = FxHashMap::default();
    let mut clause = 0;
    let mut words: Vec<Word> = Vec::with_capacity(spans.len());
    for (i, &(a, b)) in spans.iter().enumerate() {
        if i > 0 && is_break(&text[spans[i - 1].1..a], &text[spans[i - 1].0..spans[i - 1].1]) {
            clause += 1;
        }
        let raw = &text[a..b];
        // A word longer than any name (an encoded blob, a run of digits) can
        // match nothing: it stands alone, apart from the words around it.
        if raw.chars().count() > MAX_NAME_CHARS {
            clause += 1;
            words.push(Word { span: (a, b), clause, counts: false, near: Vec::new(), tokens: 1 });
            clause += 1;
            continue;
        }
        let counts = !is_connector(raw);
        let mut near: Vec<Near> = Vec::new();
        // Connecting words too: some listed names keep them.
        let mut tokens = normalize_name(raw, KindFamily::Any).tokens;
        if tokens.is_empty() {
            let folded = folded_word(raw);
            if !folded.is_empty() {
                tokens.push(folded);
            }
        }
        let count = tokens.len().max(1);
        for t in tokens {
            let found = looked_up.entry(t).or_insert_with_key(|t| screener.near_of(t)).clone();
            near.extend(found.iter().copied());
        }
        near.sort_unstable_by_key(|n| n.token);
        near.dedup_by_key(|n| n.token);
        words.push(Word { span: (a, b), clause, counts, near, tokens: count });
        // `M/V`, `M/T`: a vessel's prefix, not the roman numeral V of a name.
        if i > 0 && raw.len() == 1 && matches!(raw, "V" | "v" | "T" | "t") {
            let (pa, pb) = spans[i - 1];
            if text[pa..pb].eq_ignore_ascii_case("m") && &text[pb..a] == "/" {
                for w in words.iter_mut().rev().take(2) {
                    w.near.clear();
                    w.counts = false;
                }
            }
        }
    }
    // Single letters written apart (`F Y F`, `H Y J`): a company name
    // reads them as one acronym (`fyf`), so the first letter holds it too.
    let mut k = 0;
    while k < words.len() {
        let single = |w: &Word| text[w.span.0..w.span.1].chars().count() == 1;
        let mut end = k;
        while end + 1 < words.len() && single(&words[end + 1]) && words[end + 1].clause == words[k].clause {
            end += 1;
        }
        if end > k && single(&words[k]) {
            let joined: String = words[k..=end].iter().map(|w| folded_word(&text[w.span.0..w.span.1])).collect();
            let found = screener.near_of(&joined);
            let near = &mut words[k].near;
            near.extend(found.iter().copied());
            near.sort_unstable_by_key(|n| n.token);
            near.dedup_by_key(|n| n.token);
        }
        k = end + 1;
    }
    words
}

/// `raw` folded to lower-case ASCII letters and digits (`S.A` → `sa`).
fn folded_word(raw: &str) -> String {
    crate::engine::normalize::fold(raw).0.chars().filter(char::is_ascii_alphanumeric).collect()
}

/// How many words after `last` (same clause) spell company legal forms
/// (`S.A. de C.V.`, `LLC`), each of at most four words, one after another
/// and joined by `Y` or `&` (`Y CIA. S. EN C.S.`): the run is extended over
/// them, so the hit shows the forms and they count as context.
fn legal_form_after(words: &[Word], text: &str, last: usize) -> usize {
    let clause = words[last].clause;
    let mut end = last;
    loop {
        let mut joined = String::new();
        let mut best = 0;
        let mut first = true;
        for (n, w) in words.iter().enumerate().skip(end + 1).take(5) {
            if w.clause != clause {
                break;
            }
            let raw = &text[w.span.0..w.span.1];
            let folded = folded_word(raw);
            // `Y` or `&` may stand before a form (`Y CIA.`).
            if first && matches!(folded.as_str(), "y" | "") {
                continue;
            }
            joined.push_str(&folded);
            // `AS` or `CO` alone is a word of the sentence; `A.S.` or `SA` a form.
            let short_bare = first && joined.len() <= 2 && !raw.contains('.') && joined != "sa";
            first = false;
            if !short_bare && crate::engine::reference::legal_form(&joined).is_some() {
                best = n - end;
            }
        }
        if best == 0 {
            break;
        }
        end += best;
    }
    end - last
}

/// Whether `words` hold every token of `needed`, each by a word of its own
/// (a bipartite matching: `IMPORT` is near both `importadora` and
/// `exportadora` but stands for one of them).
fn holds_all(words: &[Word], needed: &[u32]) -> bool {
    fn assign(t: usize, near: &[Vec<usize>], word_of: &mut [Option<usize>], seen: &mut [bool]) -> bool {
        for &w in &near[t] {
            if seen[w] {
                continue;
            }
            seen[w] = true;
            if word_of[w].is_none_or(|other| assign(other, near, word_of, seen)) {
                word_of[w] = Some(t);
                return true;
            }
        }
        false
    }
    // A word that normalises to several tokens (`SELF-DEFENSE`) has a slot
    // for each.
    let slots: Vec<usize> =
        words.iter().enumerate().flat_map(|(w, word)| std::iter::repeat_n(w, word.tokens)).collect();
    let near: Vec<Vec<usize>> = needed
        .iter()
        .map(|&t| {
            (0..slots.len()).filter(|&s| words[slots[s]].near.binary_search_by_key(&t, |n| n.token).is_ok()).collect()
        })
        .collect();
    if near.iter().any(Vec::is_empty) {
        return false;
    }
    let mut word_of = vec![None; slots.len()];
    (0..needed.len()).all(|t| assign(t, &near, &mut word_of, &mut vec![false; slots.len()]))
}

/// Whether the text around the run `first..=last` spells `listed` word for
/// word (folded; `LOS ROJOS` around the run `ROJOS`), with at least two words.
fn written_whole(words: &[Word], text: &str, first: usize, last: usize, listed: &str) -> bool {
    let want: Vec<String> = word_spans(listed).into_iter().map(|(a, b)| folded_word(&listed[a..b])).collect();
    let run: Vec<String> = words[first..=last].iter().map(|w| folded_word(&text[w.span.0..w.span.1])).collect();
    if want.len() < 2 || run.len() > want.len() {
        return false;
    }
    (0..=want.len() - run.len()).filter(|&p| want[p..p + run.len()] == run[..]).any(|p| {
        let after = want.len() - p - run.len();
        if p > first || last + after >= words.len() {
            return false;
        }
        let start = first - p;
        want.iter().enumerate().all(|(q, wanted)| {
            let w = &words[start + q];
            w.clause == words[first].clause && folded_word(&text[w.span.0..w.span.1]) == *wanted
        })
    })
}

/// The runs of words `(first, last)` worth screening: for every name
/// anchored on a token near some word, the smallest runs around that word
/// (one clause, at most [`MAX_WINDOW`] counted words) holding all of the
/// name's first [`ANCHOR_SPAN`] tokens. Sorted, each once, with the names
/// (ids, ascending) that can fill it.
fn candidate_runs(index: &NameIndex, words: &[Word]) -> Vec<((usize, usize), Vec<u32>)> {
    let mut runs: FxHashMap<(usize, usize), Vec<u32>> = FxHashMap::default();
    let mut checked: FxHashSet<u32> = FxHashSet::default();
    // Listed token → the words near it, in text order.
    let mut near_at: FxHashMap<u32, Vec<usize>> = FxHashMap::default();
    for (k, w) in words.iter().enumerate() {
        for n in &w.near {
            near_at.entry(n.token).or_default().push(k);
        }
    }
    for (k, w) in words.iter().enumerate() {
        checked.clear();
        // Whether a word a run through `k` may reach is near listed token `t`.
        let (lo, hi) = (k.saturating_sub(2 * MAX_WINDOW), (k + 2 * MAX_WINDOW).min(words.len() - 1));
        let around = |t: &u32| {
            near_at.get(t).is_some_and(|at| {
                at[at.partition_point(|&x| x < lo)..]
                    .iter()
                    .take_while(|&&x| x <= hi)
                    .any(|&x| words[x].clause == w.clause)
            })
        };
        for near in &w.near {
            for &name in index.anchored(near.token) {
                let tokens = index.tokens_of(&index.names()[name as usize]);
                if !tokens.iter().take(ANCHOR_SPAN).all(around) {
                    continue;
                }
                if !checked.insert(name) {
                    continue;
                }
                let mut needed: Vec<u32> = tokens.iter().take(ANCHOR_SPAN).copied().collect();
                needed.sort_unstable();
                needed.dedup();
                smallest_runs_around(words, k, &needed, &mut |run| runs.entry(run).or_default().push(name));
            }
        }
    }
    let mut runs: Vec<((usize, usize), Vec<u32>)> = runs.into_iter().collect();
    runs.sort_unstable_by_key(|(run, _)| *run);
    for (_, names) in &mut runs {
        names.sort_unstable();
        names.dedup();
    }
    runs
}

/// Hands `found` the smallest runs through word `k` that hold every token
/// of `needed`: for each first word, the nearest last word that completes
/// the name.
fn smallest_runs_around(words: &[Word], k: usize, needed: &[u32], found: &mut impl FnMut((usize, usize))) {
    let clause = words[k].clause;
    let mut counted = 0;
    let mut first = k + 1;
    while first > 0 && words[first - 1].clause == clause {
        first -= 1;
        counted += usize::from(words[first].counts);
        if counted > MAX_WINDOW {
            break;
        }
        if !words[first].counts {
            continue;
        }
        let mut span_counted = counted;
        let mut last = k;
        loop {
            if words[last].counts && holds_all(&words[first..=last], needed) {
                found((first, last));
                break;
            }
            last += 1;
            if last >= words.len() || words[last].clause != clause {
                break;
            }
            span_counted += usize::from(words[last].counts);
            if span_counted > MAX_WINDOW {
                break;
            }
        }
    }
}

/// Puts in `fillers` the names that may fill the run `(i, j)` of `counted`
/// counted words: those of every candidate run inside it (a name whose
/// words all lie inside the run, a legal form or a dropped word beside
/// them); and for a run of [`MAX_WINDOW`] counted words, which may begin a
/// longer name without holding all its first tokens, the names holding a
/// token near its rarest word (such a name still matches every word).
fn fillers_of(
    index: &NameIndex,
    runs: &[((usize, usize), Vec<u32>)],
    words: &[Word],
    (i, j): (usize, usize),
    counted: usize,
    fillers: &mut Vec<u32>,
) {
    fillers.clear();
    let from = runs.partition_point(|((x, _), _)| *x < i);
    for ((_, y), names) in runs[from..].iter().take_while(|((x, _), _)| *x <= j) {
        if *y <= j {
            fillers.extend_from_slice(names);
        }
    }
    if counted >= MAX_WINDOW {
        let held = |w: &Word| w.near.iter().map(|n| index.postings(n.token).len()).sum::<usize>();
        if let Some(rarest) = words[i..=j].iter().filter(|w| w.counts).min_by_key(|w| held(w)) {
            rarest.near.iter().for_each(|n| fillers.extend_from_slice(index.postings(n.token)));
        }
    }
}

/// Whether match `m` of a run of `counted` words (starting at byte `at` of
/// `text`; `legal_form` when it ends in a company legal form) is evidence
/// enough in free text (rules in the module docs).
fn is_text_evidence(m: &Match, counted: usize, text: &str, at: usize, legal_form: bool, whole: bool) -> bool {
    let name = &m.explanation.name;
    if !name.unmatched_query.is_empty() || name.tokens.is_empty() {
        return false;
    }
    if !name.unmatched_listed.is_empty() && counted < MAX_WINDOW {
        return false;
    }
    if name.tokens.iter().any(|p| matches!(p.how, Agreement::Initial | Agreement::Prefix)) {
        return false;
    }
    let ordinary = |q: &str| q.split(' ').all(|t| is_common_word(t) || t.bytes().all(|b| b.is_ascii_digit()));
    let exact = name.tokens.iter().all(|p| p.how == Agreement::Exact);
    if whole && exact && m.matched_role != NameRole::WeakAlias {
        return true;
    }
    match name.tokens.as_slice() {
        [one] => {
            let vessel = m.kind == EntityKind::Vessel && after_vessel_word(text, at);
            let letters = if legal_form { MIN_SINGLE_TOKEN_LETTERS - 1 } else { MIN_SINGLE_TOKEN_LETTERS };
            exact && one.query.len() >= letters && (legal_form || vessel || !is_common_word(&one.query))
        }
        pairs if pairs.iter().all(|p| ordinary(&p.query)) => {
            let number = pairs.iter().any(|p| p.listed.bytes().all(|b| b.is_ascii_digit()));
            exact && (legal_form || (m.matched_role != NameRole::WeakAlias && !number))
        }
        _ => true,
    }
}

/// Screens the runs of words of `text` that may hold a listed name and
/// returns the non-overlapping alerting hits, in text order; empty when
/// nothing alerts.
///
/// Any text is accepted: runs with nothing to match on, and words or runs
/// longer than a name may be ([`MAX_NAME_CHARS`] characters), are skipped.
///
/// # Errors
/// A [`QueryError`] the screener raises on a run for any other reason (none
/// is known: a run of words passes the name checks by construction).
pub fn scan_text(screener: &Screener, text: &str) -> Result<Vec<TextHit>, QueryError> {
    scan_text_with(screener, text, &crate::engine::options::Options::default())
}

/// [`scan_text`] against the lists and kinds of entries `options` admit
/// (its `min_score` is not applied: a text hit is always an alert).
///
/// # Errors
/// As [`scan_text`].
pub fn scan_text_with(
    screener: &Screener,
    text: &str,
    options: &crate::engine::options::Options,
) -> Result<Vec<TextHit>, QueryError> {
    scan(screener, text, options, RunScreening::Fillers)
}

/// [`scan_text`] with each run screened against every listed entry, not
/// only those whose names can fill it. Slower; it exists to prove that
/// [`scan_text`] loses nothing against it.
///
/// # Errors
/// As [`scan_text`].
pub fn scan_text_exhaustive(screener: &Screener, text: &str) -> Result<Vec<TextHit>, QueryError> {
    scan(screener, text, &crate::engine::options::Options::default(), RunScreening::Index)
}

/// What a run of words is screened against.
#[derive(Clone, Copy, PartialEq)]
enum RunScreening {
    /// The entities whose names can fill the run or a run inside it (all
    /// their names): a name is evidence only when every word of the run
    /// matches one of its tokens, and such a name makes a run of its own.
    /// A run of [`MAX_WINDOW`] counted words also brings the names holding a
    /// token near its rarest word; a run with a word of one letter is
    /// screened against every entry.
    Fillers,
    /// The whole index, as a name field.
    Index,
}

fn scan(
    screener: &Screener,
    text: &str,
    options: &crate::engine::options::Options,
    against: RunScreening,
) -> Result<Vec<TextHit>, QueryError> {
    let words = read_words(screener, text);
    let runs = candidate_runs(screener.index(), &words);
    let mut candidates: Vec<(f32, usize, usize, Vec<Match>, Decision, usize)> = Vec::new();
    let mut fillers: Vec<u32> = Vec::new();
    for &((i, j), _) in &runs {
        let form = legal_form_after(&words, text, j);
        let j = j + form;
        let (a, b) = (words[i].span.0, words[j].span.1);
        let query = Query::name(&text[a..b]);
        let counted = words[i..=j].iter().filter(|w| w.counts).count();
        // A word of one letter may stand for tokens the lookup does not
        // list (an initial, letters written apart): such a run is screened
        // against every entry.
        let plain = words[i..=j].iter().all(|w| text[w.span.0..w.span.1].chars().nth(1).is_some());
        let screened = if against == RunScreening::Fillers && plain {
            fillers_of(screener.index(), &runs, &words, (i, j), counted, &mut fillers);
            screener.screen_entities_of(&query, &fillers, options)
        } else {
            screener.screen_with_options(&query, options)
        };
        let screening = match screened {
            Ok(s) => s,
            Err(QueryError::NoTokens | QueryError::EmptyName | QueryError::NameTooLong { .. }) => continue,
            Err(e) => return Err(e),
        };
        if !screening.decision.is_alert() {
            continue;
        }
        let matches: Vec<Match> = screening
            .matches
            .into_iter()
            .filter(|m| {
                m.decision.is_alert()
                    && is_text_evidence(
                        m,
                        counted,
                        text,
                        a,
                        form > 0,
                        written_whole(&words, text, i, j, &m.matched_name),
                    )
            })
            .collect();
        let Some(decision) = matches.iter().map(|m| m.decision).max() else { continue };
        let best = matches.first().map(|m| m.score).unwrap_or(0.0);
        let held = matches.iter().map(|m| m.explanation.name.tokens.len()).max().unwrap_or(0);
        candidates.push((best, i, j, matches, decision, held));
    }
    // The gravest first; then the run whose best match holds more listed
    // tokens (`SASCO ANIVA` over `SASCO`, two vessels); then the strongest.
    candidates.sort_by(|a, b| {
        b.4.cmp(&a.4)
            .then(b.5.cmp(&a.5))
            .then(b.0.total_cmp(&a.0))
            .then((b.2 - b.1).cmp(&(a.2 - a.1)))
            .then(a.1.cmp(&b.1))
    });
    let mut taken = vec![false; words.len()];
    let mut hits = Vec::new();
    for (_, i, j, matches, decision, _) in candidates {
        if taken[i..=j].iter().any(|t| *t) {
            continue;
        }
        taken[i..=j].iter_mut().for_each(|t| *t = true);
        let (bs, be) = (words[i].span.0, words[j].span.1);
        hits.push(TextHit {
            start: text[..bs].chars().count(),
            end: text[..be].chars().count(),
            text: text[bs..be].to_string(),
            decision,
            matches,
        });
    }
    hits.sort_by_key(|h| h.start);
    Ok(hits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn screener() -> Screener {
        let registry = crate::lists::registry::embedded();
        Screener::build(vec![registry.list.clone()], registry, Default::default())
    }

    #[test]
    fn a_run_extends_over_legal_forms_one_after_another() {
        let s = screener();
        let text = "CONSIGNED TO ALFONSO BARRERA RIOS Y CIA. S. EN C.S. NOTIFY APPLICANT";
        let words = read_words(&s, text);
        let rios = words.iter().position(|w| &text[w.span.0..w.span.1] == "RIOS").unwrap();
        let n = legal_form_after(&words, text, rios);
        assert!(text[words[rios + n].span.0..].starts_with("C.S"), "{n}");
        assert_eq!(n, 5);
        // `Y` alone, or a word of the sentence, is no form.
        let text = "SOLD TO ACME Y OTROS AS AGREED";
        let words = read_words(&s, text);
        assert_eq!(legal_form_after(&words, text, 2), 0);
    }

    #[test]
    fn words_keep_inner_punctuation() {
        let t = "Steel pipes, S.A. de C.V.; O'Brien & co-op";
        let words: Vec<&str> = word_spans(t).into_iter().map(|(a, b)| &t[a..b]).collect();
        assert_eq!(words, ["Steel", "pipes", "S.A", "de", "C.V", "O'Brien", "co-op"]);
    }

    #[test]
    fn finds_a_cartel_named_inside_a_description() {
        let s = screener();
        let text = "Payment for 20 t of avocados, on behalf of Cartel de Jalisco Nueva Generacion, port Manzanillo";
        let hits = scan_text(&s, text).unwrap();
        assert_eq!(hits.len(), 1, "{hits:#?}");
        let h = &hits[0];
        assert_eq!(h.text, "Cartel de Jalisco Nueva Generacion");
        assert_eq!(&text.chars().skip(h.start).take(h.end - h.start).collect::<String>(), &h.text);
        assert_eq!(h.matches[0].entity_id, "cs-cjng");
    }

    #[test]
    fn ordinary_trade_text_has_no_hits() {
        let s = screener();
        let text = "400 cartons of fresh limes, FOB Veracruz, invoice 2291, net 30 days, Banco Nacional de Mexico";
        assert!(scan_text(&s, text).unwrap().is_empty());
    }

    #[test]
    fn a_word_of_a_listed_name_is_not_the_name() {
        let s = screener();
        // `Jalisco` alone is a word of the cartel's name, not the cartel.
        assert!(scan_text(&s, "Tequila from Jalisco, FOB Manzanillo").unwrap().is_empty());
        let hits = scan_text(&s, "Beneficiary: Cartel Jalisco Nueva Generacion, Guadalajara").unwrap();
        assert_eq!(hits.len(), 1, "{hits:#?}");
        assert_eq!(hits[0].matches[0].entity_id, "cs-cjng");
    }

    #[test]
    fn a_word_longer_than_any_name_is_skipped_not_refused() {
        let s = screener();
        let blob = "0".repeat(5000);
        for text in [
            format!("{blob} Cartel de Jalisco Nueva Generacion"),
            format!("Cartel de Jalisco Nueva Generacion {blob}"),
            format!("Cartel de Jalisco {blob} Nueva Generacion"),
        ] {
            let hits = scan_text(&s, &text).unwrap();
            let names: Vec<&str> = hits.iter().map(|h| h.text.as_str()).collect();
            if text.contains("Jalisco 0") {
                // The blob splits the name: neither half is evidence enough.
                assert!(names.iter().all(|n| !n.contains('0')), "{names:?}");
            } else {
                assert_eq!(names, ["Cartel de Jalisco Nueva Generacion"]);
            }
        }
        assert!(scan_text(&s, &format!("{blob} {blob} {blob}")).unwrap().is_empty());
    }

    #[test]
    fn empty_and_symbol_texts_are_fine() {
        let s = screener();
        assert!(scan_text(&s, "").unwrap().is_empty());
        assert!(scan_text(&s, "--- ;;; 123 456").unwrap().is_empty());
    }
}
