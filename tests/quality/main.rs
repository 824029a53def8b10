//! Match-quality bars measured on the real list files and the labelled sets
//! in `../shared`. These are the figures the README and BENCHMARKS.md quote;
//! they run in-process so they are quick in a release build.
//!
//! Where a new test goes: a bar on recall, alert rate or ranking over a
//! labelled set goes here; a route goes in `tests/api/`, a command in
//! `tests/cli/`, a rule of one module beside the code.

use std::path::PathBuf;

use cartelscreen::config::Settings;
use cartelscreen::engine::model::{BirthDate, EntityKind};
use cartelscreen::engine::{Query, Screener};
use cartelscreen::live::load_screener;
use cartelscreen::quality::eval::{read_pairs, run_pairs};
use rayon::prelude::*;

mod free_text;
mod network;
mod variants;

fn shared(p: &str) -> PathBuf {
    let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared")).join(p);
    assert!(path.exists(), "{} is missing: these tests need the shared data folder beside the project", path.display());
    path
}

fn screener(lists: &[&str]) -> Screener {
    let paths: Vec<PathBuf> = lists.iter().map(|p| shared(p)).collect();
    screener_of(&paths)
}

/// The lists at `paths` alone: no embedded registry or snapshot, no download.
fn screener_of(paths: &[PathBuf]) -> Screener {
    let mut settings = Settings::defaults();
    settings.lists.embedded_cartels = false;
    settings.lists.data_dir = PathBuf::from("/nonexistent");
    settings.lists.download_when_missing = false;
    settings.lists.embedded_snapshot = false;
    load_screener(&settings, paths).expect("lists load")
}

/// Fails, naming the first few, when the index and a full scan answer any
/// of `queries` differently (entries or scores to 4 decimals).
fn assert_index_equals_scan(s: &Screener, queries: &[Query]) {
    let differences: Vec<String> = queries
        .par_iter()
        .filter_map(|q| {
            let fast = s.screen(q).ok()?;
            let slow = s.screen_exhaustive(q).ok()?;
            let key = |r: &cartelscreen::engine::screen::Screening| {
                r.matches.iter().map(|m| (m.entity_id.clone(), (m.score * 1e4).round() as i64)).collect::<Vec<_>>()
            };
            (key(&fast) != key(&slow)).then(|| format!("{}: index {:?} scan {:?}", q.name, key(&fast), key(&slow)))
        })
        .collect();
    assert!(
        differences.is_empty(),
        "{} of {} differ: {:?}",
        differences.len(),
        queries.len(),
        &differences[..differences.len().min(5)]
    );
}

/// Rows of a `full_name,...,date_of_birth,place_of_birth,nationality` file.
fn people(path: &str) -> Vec<(String, Option<String>, Option<String>)> {
    let mut rdr = csv::Reader::from_path(shared(path)).unwrap();
    let h = rdr.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (name, dob, nat) = (col("full_name"), col("date_of_birth"), col("nationality"));
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            let opt = |i: usize| Some(r[i].trim().to_string()).filter(|s| !s.is_empty());
            (r[name].to_string(), opt(dob), opt(nat))
        })
        .collect()
}

fn person_query(name: &str, dob: &Option<String>, nat: &Option<String>) -> Query {
    Query {
        kind: Some(EntityKind::Person),
        dob: dob.as_deref().and_then(BirthDate::parse_iso),
        country: nat.clone(),
        ..Query::name(name)
    }
}

/// The persons of `rows` that alert, with the entry they alert on.
fn alerts_on(s: &Screener, rows: &[(String, Option<String>, Option<String>)]) -> Vec<String> {
    rows.par_iter()
        .filter_map(|(n, d, c)| {
            let r = s.screen(&person_query(n, d, c)).ok()?;
            r.decision.is_alert().then(|| format!("{n} -> {}", r.matches[0].entity_id))
        })
        .collect()
}

#[test]
fn name_pairs_reach_f1_0_88_at_precision_0_92() {
    let file = std::fs::File::open(shared("bench/name-pairs/cases.csv")).unwrap();
    let (pairs, errors) = read_pairs(file).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(pairs.len(), 826);
    let r = run_pairs(&pairs, Settings::defaults().matching.review_threshold);
    eprintln!("name pairs: precision {:.3} recall {:.3} f1 {:.3}", r.precision, r.recall, r.f1);
    assert!(r.f1 >= 0.88, "F1 {:.3} < 0.88", r.f1);
    assert!(r.precision >= 0.92, "precision {:.3} < 0.92", r.precision);
}

#[test]
fn un_typos_find_the_entry_their_untreated_twin_matches() {
    let s = screener(&["data/un/2026-02-27"]);
    let clean = people("bench/un-typos/positives_un_untreated.csv");
    let typo = people("bench/un-typos/positives_un_treated.csv");
    assert_eq!(clean.len(), typo.len());
    let outcomes: Vec<Option<bool>> = clean
        .par_iter()
        .zip(typo.par_iter())
        .map(|((cn, cd, _), (tn, td, _))| {
            // The entry the untreated name matches exactly is the answer.
            let q = Query { dob: cd.as_deref().and_then(BirthDate::parse_iso), ..Query::name(cn) };
            let target = s.screen(&q).ok()?.matches.into_iter().find(|m| m.explanation.name.score >= 0.999)?.entity_id;
            let q = Query { dob: td.as_deref().and_then(BirthDate::parse_iso), ..Query::name(tn) };
            let r = s.screen(&q).ok()?;
            Some(r.matches.iter().any(|m| m.entity_id == target && m.decision.is_alert()))
        })
        .collect();
    let treated: Vec<bool> = outcomes.iter().flatten().copied().collect();
    let caught = treated.iter().filter(|&&c| c).count();
    let recall = caught as f64 / treated.len() as f64;
    eprintln!("UN typos: {} rows with an exact untreated match, recall {recall:.4}", treated.len());
    assert!(treated.len() >= 600, "only {} untreated rows matched exactly", treated.len());
    assert!(recall >= 0.99, "recall {recall:.4} < 0.99");
}

#[test]
fn non_listed_people_rarely_alert() {
    let s = screener(&["data/ofac/current", "data/un/2026-02-27"]);
    let mut rows = people("bench/non-listed/negatives_us.csv");
    rows.extend(people("bench/non-listed/negatives_global.csv"));
    assert_eq!(rows.len(), 100_000);
    let alerts = alerts_on(&s, &rows);
    let rate = alerts.len() as f64 / rows.len() as f64;
    eprintln!(
        "non-listed: {} alerts of {}, rate {rate:.4}; e.g. {:?}",
        alerts.len(),
        rows.len(),
        &alerts[..alerts.len().min(10)]
    );
    assert!(rate <= 0.005, "alert rate {rate:.4} > 0.005");
}

#[test]
fn us_legislators_rarely_alert() {
    let s = screener(&["data/ofac/current", "data/un/2026-02-27"]);
    let rows = people("bench/non-listed/us_congress.csv");
    let alerts = alerts_on(&s, &rows);
    let rate = alerts.len() as f64 / rows.len() as f64;
    eprintln!("US legislators: {} alerts of {}: {:?}", alerts.len(), rows.len(), alerts);
    assert!(rate <= 0.01, "alert rate {rate:.4} > 0.01");
}

/// The same with a crowded internal list beside the real ones: 30,000
/// generated Mexican and US persons and companies, so that common given
/// names, surnames and business words are frequent tokens found through
/// token pairs and shares.
#[test]
fn index_loses_nothing_beside_a_crowded_internal_list() {
    use cartelscreen::quality::synth;
    use std::io::Write;
    let dir = std::env::temp_dir().join(format!("cartelscreen-quality-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("internal.csv");
    let generated = synth::negative_cases(30_000, 19);
    {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        writeln!(w, "id,kind,name").unwrap();
        for (i, c) in generated.iter().enumerate() {
            let kind = c.kind.map(|k| k.as_str()).unwrap_or("");
            writeln!(w, "int-{i},{kind},\"{}\"", c.name.replace('"', "\"\"")).unwrap();
        }
    }
    let s = screener_of(&[shared("data/ofac/current"), path.clone()]);
    let _ = std::fs::remove_dir_all(&dir);
    let picked: Vec<_> = s.entities().iter().filter(|e| synth::is_mexican_narcotics(e)).step_by(9).cloned().collect();
    let mut cases = synth::variant_cases(&picked, 3, 8);
    cases.extend(synth::negative_cases(200, 20));
    // Internal entries, whole, cut and with a word dropped.
    for c in generated.iter().step_by(150) {
        let words: Vec<&str> = c.name.split_whitespace().collect();
        for name in [c.name.clone(), words[..words.len().saturating_sub(1).max(1)].join(" "), words[1..].join(" ")] {
            cases.push(synth::Case { name, ..c.clone() });
        }
    }
    let queries: Vec<Query> = cases
        .iter()
        .filter(|c| !c.name.trim().is_empty())
        .map(|c| Query { kind: c.kind, country: c.country.clone(), ..Query::name(&c.name) })
        .collect();
    assert!(queries.len() > 800);
    assert_index_equals_scan(&s, &queries);
}

/// The index is an optimisation only: on real lists and a mix of listed
/// names, their variants and non-listed names, it returns exactly what
/// scoring every listed name returns.
#[test]
fn index_loses_nothing_against_a_full_scan() {
    use cartelscreen::quality::synth;
    let s = screener(&["data/ofac/current", "data/un/2026-02-27"]);
    let picked: Vec<_> = s.entities().iter().filter(|e| synth::is_mexican_narcotics(e)).step_by(7).cloned().collect();
    let mut cases = synth::variant_cases(&picked, 4, 7);
    cases.extend(synth::negative_cases(150, 7));
    let queries: Vec<Query> = cases
        .iter()
        .map(|c| Query {
            kind: c.kind,
            country: c.country.clone(),
            dob: c.dob.as_deref().and_then(BirthDate::parse_iso),
            identifiers: c.identifier.iter().cloned().collect(),
            ..Query::name(&c.name)
        })
        .collect();
    assert!(queries.len() > 500);
    assert_index_equals_scan(&s, &queries);
}
