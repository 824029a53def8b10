//! Free text of trade documents and payments: the ordinary wording of
//! letters of credit, guarantees and remittance information must never
//! alert, while a listed name embedded in such wording is still found.
//!
//! The clean corpus is `tests/data/messages/clean_texts.txt` (written for
//! this test) plus the narrative fields of the clean message fixtures.

use std::path::PathBuf;

use cartelscreen::config::Settings;
use cartelscreen::engine::model::EntityKind;
use cartelscreen::engine::text_scan::{scan_text, scan_text_exhaustive};
use cartelscreen::engine::Screener;
use cartelscreen::live::load_screener;
use rayon::prelude::*;

use crate::shared;

fn data(p: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/messages")).join(p)
}

/// The official lists and the embedded cartel registry, as in service.
fn screener() -> Screener {
    let mut settings = Settings::defaults();
    settings.lists.data_dir = PathBuf::from("/nonexistent");
    settings.lists.download_when_missing = false;
    settings.lists.embedded_snapshot = false;
    let paths = vec![shared("data/ofac/current"), shared("data/un/2026-02-27")];
    load_screener(&settings, &paths).expect("lists load")
}

/// The lines of a corpus file, `#` comments and blank lines aside, each
/// with its place (`file:line`).
fn corpus_lines(file: &str) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(data(file)).unwrap();
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(i, l)| (format!("{file}:{}", i + 1), l.to_string()))
        .collect()
}

/// The tuned clean corpus: each line of `clean_texts.txt`, and each
/// narrative field of the clean messages.
fn clean_corpus() -> Vec<(String, String)> {
    let mut out = corpus_lines("clean_texts.txt");
    for f in ["mt700_clean.fin", "mt103_50f_clean.fin", "pacs008_clean.xml"] {
        let m = cartelscreen::messages::parse(&std::fs::read_to_string(data(f)).unwrap()).unwrap();
        out.extend(m.texts.into_iter().map(|t| (format!("{f} {}", t.at), t.text)));
    }
    out
}

/// Every name and controlled-goods hit in `corpus`, one line each.
fn false_alerts(s: &Screener, corpus: &[(String, String)]) -> Vec<String> {
    let goods = cartelscreen::lists::goods::embedded();
    corpus
        .par_iter()
        .flat_map_iter(|(at, t)| {
            let mut a: Vec<String> = scan_text(s, t)
                .unwrap()
                .into_iter()
                .map(|h| format!("{at}: `{}` -> {} ({})", h.text, h.matches[0].entity_id, h.matches[0].caption))
                .collect();
            a.extend(goods.scan(t).into_iter().map(|g| format!("{at}: `{}` -> goods {}", g.text, g.item)));
            a
        })
        .collect()
}

#[test]
fn clean_trade_wording_never_alerts() {
    let s = screener();
    for (name, corpus) in [("tuned", clean_corpus()), ("held-out", corpus_lines("heldout_clean_texts.txt"))] {
        assert!(corpus.len() >= 50, "{} texts", corpus.len());
        let alerts = false_alerts(&s, &corpus);
        let alerting = corpus.iter().filter(|(at, _)| alerts.iter().any(|a| a.starts_with(&format!("{at}:")))).count();
        eprintln!("clean trade texts ({name}): {} texts, {alerting} alerting, {} alerts", corpus.len(), alerts.len());
        assert!(alerts.is_empty(), "{name}: {} false alerts:\n{}", alerts.len(), alerts.join("\n"));
    }
}

/// Listed organisations, companies and vessels of the drug-trafficking and
/// terrorism programmes and the cartel registry: the names a trade text
/// would carry.
fn listed_names(s: &Screener) -> Vec<(String, String, bool)> {
    s.entities()
        .iter()
        .filter(|e| e.kind != EntityKind::Person && e.kind != EntityKind::Aircraft)
        .filter(|e| {
            e.kind == EntityKind::Vessel
                || e.id.starts_with("cs-")
                || e.programs.iter().any(|p| matches!(p.as_str(), "SDNTK" | "ILLICIT-DRUGS-EO14059" | "FTO" | "SDNT"))
        })
        .map(|e| (e.id.clone(), e.caption().to_string(), e.kind == EntityKind::Vessel))
        .collect()
}

/// Sentence templates with `{}` for a name: (for vessels, for the others).
fn templates(heldout: bool) -> (Vec<String>, Vec<String>) {
    if !heldout {
        let others = [
            "PAYMENT ON BEHALF OF {} AS PER INVOICE 2291 LESS BANK CHARGES",
            "+FULL SET OF CLEAN ON BOARD BILLS OF LADING CONSIGNED TO {} NOTIFY APPLICANT",
        ];
        let vessels = ["+SHIPMENT ON VESSEL {} OR SUBSTITUTE. ALL DOCUMENTS MUST QUOTE THE CREDIT NUMBER"];
        return (vessels.map(String::from).to_vec(), others.map(String::from).to_vec());
    }
    // The held-out file lists company templates, then (after the comment
    // `--- suited to a vessel name ---`) vessel templates.
    let text = std::fs::read_to_string(data("heldout_name_templates.txt")).unwrap();
    let (others, vessels) = text.split_once("suited to a vessel name").expect("vessel section");
    let lines = |t: &str| t.lines().filter(|l| l.contains("{}") && !l.starts_with('#')).map(String::from).collect();
    (lines(vessels), lines(others))
}

/// Embeds every listed name in each template of its kind; returns
/// (embeddings, misses).
fn embed_and_find(s: &Screener, names: &[(String, String, bool)], heldout: bool) -> (usize, Vec<String>) {
    let (vessel_templates, other_templates) = templates(heldout);
    let missed: Vec<String> = names
        .par_iter()
        .flat_map_iter(|(id, name, vessel)| {
            let ts = if *vessel { &vessel_templates } else { &other_templates };
            ts.iter().filter_map(move |t| {
                let text = t.replace("{}", name);
                let hits = scan_text(s, &text).unwrap();
                let found = hits.iter().any(|h| h.matches.iter().any(|m| &m.entity_id == id));
                (!found)
                    .then(|| format!("{id} {name:?} in {t:?}: {:?}", hits.iter().map(|h| &h.text).collect::<Vec<_>>()))
            })
        })
        .collect();
    let total = names.iter().map(|(_, _, v)| if *v { vessel_templates.len() } else { other_templates.len() }).sum();
    (total, missed)
}

/// Recall of listed names written into trade wording, on the tuned
/// templates and on the held-out ones. Names that free text cannot carry
/// without alerting on ordinary wording are missed by design (a single
/// common word outside a vessel context, initials only, a weak alias of
/// common words): the bar is 98% of all embeddings, and every name of the
/// cartel registry found.
#[test]
fn listed_names_in_trade_wording_are_found() {
    let s = screener();
    let names = listed_names(&s);
    assert!(names.len() >= 500, "{} names", names.len());
    for heldout in [false, true] {
        let (total, missed) = embed_and_find(&s, &names, heldout);
        let recall = 1.0 - missed.len() as f64 / total as f64;
        let set = if heldout { "held-out" } else { "tuned" };
        eprintln!(
            "listed names in trade text ({set}): {total} embeddings, recall {recall:.4}, missed {}",
            missed.len()
        );
        let cartels: Vec<&String> = missed.iter().filter(|m| m.starts_with("cs-")).collect();
        assert!(cartels.is_empty(), "{set}: cartel names missed:\n{cartels:#?}");
        assert!(recall >= 0.98, "{set}: {} missed:\n{}", missed.len(), missed.join("\n"));
    }
}

/// A run of words is screened against the entries whose names can fill it,
/// not the whole index: on every text of the clean corpora, and on every
/// listed name written into each held-out and tuned template, the scan
/// finds exactly what screening each run against every entry finds.
#[test]
fn screening_runs_against_their_fillers_loses_nothing() {
    let s = screener();
    let mut texts: Vec<String> = clean_corpus().into_iter().map(|(_, t)| t).collect();
    texts.extend(corpus_lines("heldout_clean_texts.txt").into_iter().map(|(_, t)| t));
    let clean = texts.len();
    for heldout in [false, true] {
        let (vessel_templates, other_templates) = templates(heldout);
        for (_, name, vessel) in listed_names(&s) {
            let ts = if vessel { &vessel_templates } else { &other_templates };
            texts.extend(ts.iter().map(|t| t.replace("{}", &name)));
        }
    }
    let differ: Vec<String> = texts
        .par_iter()
        .filter_map(|t| {
            let fast = scan_text(&s, t).unwrap();
            let full = scan_text_exhaustive(&s, t).unwrap();
            (fast != full).then(|| {
                let show = |h: &[cartelscreen::engine::text_scan::TextHit]| {
                    h.iter()
                        .map(|h| format!("{} {:?}", h.text, h.matches.iter().map(|m| &m.entity_id).collect::<Vec<_>>()))
                        .collect::<Vec<_>>()
                };
                format!("{t:?}: fillers {:?}, every entry {:?}", show(&fast), show(&full))
            })
        })
        .collect();
    eprintln!("texts compared: {} ({clean} clean), differing: {}", texts.len(), differ.len());
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}
