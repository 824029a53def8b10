//! Finding listed names inside free text: a goods description, a port, the
//! remittance information of a payment.
//!
//! Every run of one to [`MAX_WINDOW`] consecutive words is screened as if it
//! were a counterparty name, so the usual fuzzy matching applies (a typo in
//! "Los Zetaz" is still found). Runs that start or end on a connecting word
//! ("de", "the", "and") are skipped: the same name without it is screened
//! anyway. Overlapping hits are resolved in favour of the strongest.
//!
//! A run must cover the listed name it matches: a match counts only when
//! the run accounts for at least [`MIN_LISTED_COVERAGE`] of the listed
//! name's token weight (`listed_coverage` of its explanation), or when the
//! run is [`MAX_WINDOW`] words long (a longer listed name is found on its
//! first words). A word that is one weighty part of a longer listed name
//! no longer alerts on it; a word whose listed name's other words weigh
//! little (legal forms) still does, which is not solved yet.

use serde::Serialize;

use crate::engine::{Decision, Match, Query, QueryError, Screener};

/// The longest run of words screened as one name. Listed names longer than
/// this still match on their first words.
pub const MAX_WINDOW: usize = 6;

/// The share of a listed name's token weight, in [0, 1], a run of words
/// must match for the match to count.
pub const MIN_LISTED_COVERAGE: f32 = 0.8;

/// Whether a run of `words` words covers the listed name `m` matched.
fn covers(m: &Match, words: usize) -> bool {
    words >= MAX_WINDOW || m.explanation.name.listed_coverage >= MIN_LISTED_COVERAGE
}

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

/// Screens every run of words of `text` and returns the non-overlapping
/// alerting hits, in text order; empty when nothing alerts.
///
/// # Errors
/// [`QueryError::NameTooLong`] when a run of words is over
/// [`crate::engine::query::MAX_NAME_CHARS`] characters (one word that long is
/// enough). Runs with nothing to match on are skipped, not errors.
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
    let spans = word_spans(text);
    let mut candidates: Vec<(f32, usize, usize, Vec<Match>, Decision)> = Vec::new();
    for i in 0..spans.len() {
        let first = &text[spans[i].0..spans[i].1];
        if is_connector(first) || first.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        for j in i..spans.len().min(i + MAX_WINDOW) {
            let last = &text[spans[j].0..spans[j].1];
            if is_connector(last) {
                continue;
            }
            let run = &text[spans[i].0..spans[j].1];
            let screening = match screener.screen_with_options(&Query::name(run), options) {
                Ok(s) => s,
                Err(QueryError::NoTokens | QueryError::EmptyName) => continue,
                Err(e) => return Err(e),
            };
            if !screening.decision.is_alert() {
                continue;
            }
            let words = j - i + 1;
            let matches: Vec<Match> =
                screening.matches.into_iter().filter(|m| m.decision.is_alert() && covers(m, words)).collect();
            let Some(decision) = matches.iter().map(|m| m.decision).max() else { continue };
            let best = matches.first().map(|m| m.score).unwrap_or(0.0);
            candidates.push((best, i, j, matches, decision));
        }
    }
    // Strongest first; among equals the longer run, which explains more.
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then((b.2 - b.1).cmp(&(a.2 - a.1))).then(a.1.cmp(&b.1)));
    let mut taken = vec![false; spans.len()];
    let mut hits = Vec::new();
    for (_, i, j, matches, decision) in candidates {
        if taken[i..=j].iter().any(|t| *t) {
            continue;
        }
        taken[i..=j].iter_mut().for_each(|t| *t = true);
        let (bs, be) = (spans[i].0, spans[j].1);
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
    fn empty_and_symbol_texts_are_fine() {
        let s = screener();
        assert!(scan_text(&s, "").unwrap().is_empty());
        assert!(scan_text(&s, "--- ;;; 123 456").unwrap().is_empty());
    }
}
