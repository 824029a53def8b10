//! Regression evaluation: screening a file of sample counterparties whose
//! right answers are known, and scoring labelled name pairs.
//!
//! Records teams keep such files to prove, after every list or
//! configuration change, that screening still catches what it must and does
//! not bury analysts in false alerts.

use std::collections::BTreeMap;
use std::io::Read;

use rayon::prelude::*;
use serde::Serialize;

use crate::engine::model::{BirthDate, EntityKind, KindFamily};
use crate::engine::score::score_pair;
use crate::engine::{Query, Screener};

/// One sample counterparty.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalCase {
    /// 1-based line of the case in its file (the header is line 1).
    pub line: usize,
    pub query: Query,
    /// Acceptable entity ids; empty for a counterparty that must not alert.
    pub expected: Vec<String>,
    pub class: String,
}

/// A row that could not be read as a case.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RowError {
    pub line: usize,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("{0}")]
    Csv(#[from] csv::Error),
    #[error("cannot read {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("missing column `{0}` in the header")]
    MissingColumn(&'static str),
}

fn col(headers: &csv::StringRecord, name: &str) -> Option<usize> {
    headers.iter().position(|h| h.trim().trim_start_matches('\u{feff}').eq_ignore_ascii_case(name))
}

/// The rows the CSV reader can read, with their 1-based line (the header is
/// line 1); each unreadable row becomes an error and is skipped.
fn readable_rows<R: Read>(
    rdr: &mut csv::Reader<R>,
    errors: &mut Vec<RowError>,
) -> impl Iterator<Item = (usize, csv::StringRecord)> {
    let mut rows = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        match rec {
            Ok(r) => rows.push((i + 2, r)),
            Err(e) => errors.push(RowError { line: i + 2, message: e.to_string() }),
        }
    }
    rows.into_iter()
}

/// Reads a cases file: header row, columns in any order, only `name`
/// required (`name,type,country,dob,identifier,expected,class`).
///
/// # Errors
///
/// [`EvalError`] when the header lacks `name` or the CSV cannot be read; a bad row is returned
/// among the row errors instead.
pub fn read_cases(reader: impl Read) -> Result<(Vec<EvalCase>, Vec<RowError>), EvalError> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let headers = rdr.headers()?.clone();
    let name = col(&headers, "name").ok_or(EvalError::MissingColumn("name"))?;
    let (kind, country, dob, ident, expected, class) = (
        col(&headers, "type"),
        col(&headers, "country"),
        col(&headers, "dob"),
        col(&headers, "identifier"),
        col(&headers, "expected"),
        col(&headers, "class"),
    );
    let mut cases = Vec::new();
    let mut errors = Vec::new();
    for (line, rec) in readable_rows(&mut rdr, &mut errors) {
        let get = |c: Option<usize>| c.and_then(|c| rec.get(c)).map(str::trim).filter(|s| !s.is_empty());
        let mut query = Query::name(get(Some(name)).unwrap_or(""));
        if let Some(k) = get(kind) {
            match EntityKind::parse(k) {
                Some(k) => query.kind = Some(k),
                None => {
                    errors.push(RowError { line, message: format!("unknown type `{k}`") });
                    continue;
                }
            }
        }
        query.country = get(country).map(str::to_string);
        if let Some(d) = get(dob) {
            match BirthDate::parse_iso(d) {
                Some(d) => query.dob = Some(d),
                None => {
                    errors.push(RowError { line, message: format!("unreadable dob `{d}`") });
                    continue;
                }
            }
        }
        if let Some(id) = get(ident) {
            query.identifiers = vec![id.to_string()];
        }
        let expected = get(expected)
            .map(|e| e.split('|').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect())
            .unwrap_or_default();
        let class = get(class).unwrap_or("default").to_string();
        cases.push(EvalCase { line, query, expected, class });
    }
    Ok((cases, errors))
}

/// Counts for one class of cases (or all).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ClassStats {
    pub n: usize,
    pub recall: Option<f64>,
    pub top1: Option<f64>,
    pub alert_rate: Option<f64>,
    #[serde(skip)]
    pub positives: usize,
    #[serde(skip)]
    pub caught: usize,
    #[serde(skip)]
    pub top1_hits: usize,
    #[serde(skip)]
    pub negatives: usize,
    #[serde(skip)]
    pub false_alerts: usize,
}

impl ClassStats {
    fn add(&mut self, o: &Outcome) {
        self.n += 1;
        if o.positive {
            self.positives += 1;
            self.caught += usize::from(o.caught);
            self.top1_hits += usize::from(o.top1);
        } else {
            self.negatives += 1;
            self.false_alerts += usize::from(o.alerted);
        }
    }

    fn finish(&mut self) {
        let ratio = |a: usize, b: usize| (b > 0).then(|| a as f64 / b as f64);
        self.recall = ratio(self.caught, self.positives);
        self.top1 = ratio(self.top1_hits, self.positives);
        self.alert_rate = ratio(self.false_alerts, self.negatives);
    }
}

/// What one case did.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Outcome {
    pub line: usize,
    pub class: String,
    pub name: String,
    pub positive: bool,
    pub caught: bool,
    pub top1: bool,
    pub alerted: bool,
    /// Best result: entity id, score, decision.
    pub best: Option<(String, f32, String)>,
    pub error: Option<String>,
}

/// The report `eval --cases --json` prints.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CasesReport {
    pub cases: usize,
    pub positives: usize,
    pub negatives: usize,
    pub recall: Option<f64>,
    pub top1: Option<f64>,
    pub alert_rate: Option<f64>,
    pub classes: BTreeMap<String, ClassStats>,
    #[serde(skip)]
    pub outcomes: Vec<Outcome>,
}

/// Screens every case (in parallel) and tallies recall, top-1 and alert
/// rate, overall and per class. A case that cannot be screened counts as
/// missed (positive) or clear (negative) and carries its error.
pub fn run_cases(screener: &Screener, cases: &[EvalCase]) -> CasesReport {
    let outcomes: Vec<Outcome> = cases
        .par_iter()
        .map(|c| {
            let positive = !c.expected.is_empty();
            let mut o = Outcome {
                line: c.line,
                class: c.class.clone(),
                name: c.query.name.clone(),
                positive,
                caught: false,
                top1: false,
                alerted: false,
                best: None,
                error: None,
            };
            match screener.screen(&c.query) {
                Ok(s) => {
                    let alerting: Vec<_> = s.matches.iter().filter(|m| m.decision.is_alert()).collect();
                    o.alerted = !alerting.is_empty();
                    o.caught = alerting.iter().any(|m| c.expected.contains(&m.entity_id));
                    o.top1 = s.matches.first().is_some_and(|m| c.expected.contains(&m.entity_id));
                    o.best = s.matches.first().map(|m| (m.entity_id.clone(), m.score, m.decision.as_str().to_string()));
                }
                Err(e) => o.error = Some(e.to_string()),
            }
            o
        })
        .collect();
    let mut all = ClassStats::default();
    let mut classes: BTreeMap<String, ClassStats> = BTreeMap::new();
    for o in &outcomes {
        all.add(o);
        classes.entry(o.class.clone()).or_default().add(o);
    }
    all.finish();
    classes.values_mut().for_each(ClassStats::finish);
    CasesReport {
        cases: all.n,
        positives: all.positives,
        negatives: all.negatives,
        recall: all.recall,
        top1: all.top1,
        alert_rate: all.alert_rate,
        classes,
        outcomes,
    }
}

/// A labelled name pair.
#[derive(Debug, Clone, PartialEq)]
pub struct NamePair {
    pub group: String,
    pub family: KindFamily,
    pub a: String,
    pub b: String,
    pub is_match: bool,
}

/// Reads `name1,name2,is_match` pairs (`schema` gives the kind,
/// `case_group` a group for per-group figures).
///
/// # Errors
///
/// [`EvalError`] when the header lacks a required column or the CSV cannot be read; a bad row is
/// returned among the row errors instead.
pub fn read_pairs(reader: impl Read) -> Result<(Vec<NamePair>, Vec<RowError>), EvalError> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let headers = rdr.headers()?.clone();
    let a = col(&headers, "name1").ok_or(EvalError::MissingColumn("name1"))?;
    let b = col(&headers, "name2").ok_or(EvalError::MissingColumn("name2"))?;
    let m = col(&headers, "is_match").ok_or(EvalError::MissingColumn("is_match"))?;
    let (schema, group) = (col(&headers, "schema"), col(&headers, "case_group"));
    let mut pairs = Vec::new();
    let mut errors = Vec::new();
    for (line, rec) in readable_rows(&mut rdr, &mut errors) {
        let get = |c: usize| rec.get(c).unwrap_or("").trim();
        let is_match = match get(m).to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "t" => true,
            "false" | "0" | "no" | "f" => false,
            other => {
                errors.push(RowError { line, message: format!("is_match `{other}` is not a boolean") });
                continue;
            }
        };
        let family = schema
            .map(&get)
            .and_then(|s| match s.to_ascii_lowercase().as_str() {
                "person" => Some(KindFamily::Person),
                "vessel" => Some(KindFamily::Vessel),
                "airplane" | "aircraft" => Some(KindFamily::Aircraft),
                "" | "thing" | "legalentity" => None,
                _ => Some(KindFamily::Organization),
            })
            .unwrap_or(KindFamily::Any);
        pairs.push(NamePair {
            group: group.map(|g| get(g).to_string()).unwrap_or_default(),
            family,
            a: get(a).to_string(),
            b: get(b).to_string(),
            is_match,
        });
    }
    Ok((pairs, errors))
}

/// Precision, recall and F1 of a set of pair predictions.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct PairStats {
    pub pairs: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    #[serde(skip)]
    tp: usize,
    #[serde(skip)]
    fp: usize,
    #[serde(skip)]
    fn_: usize,
}

impl PairStats {
    fn add(&mut self, predicted: bool, actual: bool) {
        self.pairs += 1;
        match (predicted, actual) {
            (true, true) => self.tp += 1,
            (true, false) => self.fp += 1,
            (false, true) => self.fn_ += 1,
            (false, false) => {}
        }
    }

    fn finish(&mut self) {
        let div = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        self.precision = div(self.tp, self.tp + self.fp);
        self.recall = div(self.tp, self.tp + self.fn_);
        self.f1 = if self.precision + self.recall > 0.0 {
            2.0 * self.precision * self.recall / (self.precision + self.recall)
        } else {
            0.0
        };
    }
}

/// The report `eval --pairs --json` prints.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PairsReport {
    pub pairs: usize,
    pub threshold: f64,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub groups: BTreeMap<String, PairStats>,
    #[serde(skip)]
    pub scored: Vec<(NamePair, f32)>,
}

/// Scores each pair with the matcher and predicts a match at `threshold`.
pub fn run_pairs(pairs: &[NamePair], threshold: f64) -> PairsReport {
    let scored: Vec<(NamePair, f32)> =
        pairs.par_iter().map(|p| (p.clone(), score_pair(&p.a, &p.b, p.family).score)).collect();
    let mut all = PairStats::default();
    let mut groups: BTreeMap<String, PairStats> = BTreeMap::new();
    for (p, s) in &scored {
        let predicted = *s as f64 >= threshold;
        all.add(predicted, p.is_match);
        groups.entry(p.group.clone()).or_default().add(predicted, p.is_match);
    }
    all.finish();
    groups.values_mut().for_each(PairStats::finish);
    PairsReport {
        pairs: all.pairs,
        threshold,
        precision: all.precision,
        recall: all.recall,
        f1: all.f1,
        groups,
        scored,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cases_in_any_column_order() {
        let csv =
            "class,expected,name,dob,type\nleaders,ofac-1|ofac-2,Ruben Oseguera,1966-07-17,person\nneg,,Juan Perez,,\n";
        let (cases, errors) = read_cases(csv.as_bytes()).unwrap();
        assert!(errors.is_empty());
        assert_eq!(cases.len(), 2);
        assert_eq!(cases[0].expected, ["ofac-1", "ofac-2"]);
        assert_eq!(cases[0].query.kind, Some(EntityKind::Person));
        assert_eq!(cases[0].line, 2);
        assert!(cases[1].expected.is_empty());
    }

    #[test]
    fn bad_rows_are_reported_and_skipped() {
        let csv = "name,type,dob\nA,spaceship,\nB,,notadate\nC,,\n";
        let (cases, errors) = read_cases(csv.as_bytes()).unwrap();
        assert_eq!(cases.len(), 1);
        assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), [2, 3]);
        assert!(matches!(read_cases("nombre\nx\n".as_bytes()), Err(EvalError::MissingColumn("name"))));
    }

    #[test]
    fn pair_stats_compute_f1() {
        let mut s = PairStats::default();
        s.add(true, true);
        s.add(true, false);
        s.add(false, true);
        s.add(false, false);
        s.finish();
        assert_eq!((s.precision, s.recall, s.f1), (0.5, 0.5, 0.5));
    }
}
