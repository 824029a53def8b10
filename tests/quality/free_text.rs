//! Free text of trade documents and payments: the ordinary wording of
//! letters of credit, guarantees and remittance information must never
//! alert, while a listed name embedded in such wording is still found.
//!
//! The clean corpus is `tests/data/messages/clean_texts.txt` (written for
//! this test) plus the narrative fields of the clean message fixtures.

use std::path::PathBuf;

use cartelscreen::config::Settings;
use cartelscreen::engine::model::EntityKind;
use cartelscreen::engine::text_scan::scan_text;
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

/// The clean corpus: each line of the file, and each narrative field of
/// the clean messages.
fn clean_corpus() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(data("clean_texts.txt")).unwrap();
    let mut out: Vec<(String, String)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(i, l)| (format!("clean_texts.txt:{}", i + 1), l.to_string()))
        .collect();
    for f in ["mt700_clean.fin", "mt103_50f_clean.fin", "pacs008_clean.xml"] {
        let m = cartelscreen::messages::parse(&std::fs::read_to_string(data(f)).unwrap()).unwrap();
        out.extend(m.texts.into_iter().map(|t| (format!("{f} {}", t.at), t.text)));
    }
    out
}

#[test]
fn clean_trade_wording_never_alerts() {
    let s = screener();
    let corpus = clean_corpus();
    assert!(corpus.len() >= 50, "{} texts", corpus.len());
    let goods = cartelscreen::lists::goods::embedded();
    let alerts: Vec<String> = corpus
        .par_iter()
        .flat_map_iter(|(at, t)| {
            let mut a: Vec<String> = scan_text(&s, t)
                .unwrap()
                .into_iter()
                .map(|h| format!("{at}: `{}` -> {} ({})", h.text, h.matches[0].entity_id, h.matches[0].caption))
                .collect();
            a.extend(goods.scan(t).into_iter().map(|g| format!("{at}: `{}` -> goods {}", g.text, g.item)));
            a
        })
        .collect();
    let texts_alerting =
        corpus.iter().filter(|(at, _)| alerts.iter().any(|a| a.starts_with(&format!("{at}:")))).count();
    eprintln!("clean trade texts: {} texts, {texts_alerting} alerting, {} alerts", corpus.len(), alerts.len());
    assert!(alerts.is_empty(), "{} false alerts:\n{}", alerts.len(), alerts.join("\n"));
}

/// Listed organisations, companies and vessels of the drug-trafficking and
/// terrorism programmes and the cartel registry: the names a trade text
/// would carry.
fn listed_names(s: &Screener) -> Vec<(String, String)> {
    s.entities()
        .iter()
        .filter(|e| e.kind != EntityKind::Person && e.kind != EntityKind::Aircraft)
        .filter(|e| {
            e.kind == EntityKind::Vessel
                || e.id.starts_with("cs-")
                || e.programs.iter().any(|p| matches!(p.as_str(), "SDNTK" | "ILLICIT-DRUGS-EO14059" | "FTO" | "SDNT"))
        })
        .map(|e| (e.id.clone(), e.caption().to_string()))
        .collect()
}

#[test]
fn listed_names_in_trade_wording_are_found() {
    let s = screener();
    let names = listed_names(&s);
    assert!(names.len() >= 500, "{} names", names.len());
    let templates = [
        "PAYMENT ON BEHALF OF {} AS PER INVOICE 2291 LESS BANK CHARGES",
        "+SHIPMENT ON VESSEL {} OR SUBSTITUTE. ALL DOCUMENTS MUST QUOTE THE CREDIT NUMBER",
        "+FULL SET OF CLEAN ON BOARD BILLS OF LADING CONSIGNED TO {} NOTIFY APPLICANT",
    ];
    let missed: Vec<String> = names
        .par_iter()
        .flat_map_iter(|(id, name)| {
            templates.iter().filter_map(move |t| {
                let text = t.replace("{}", name);
                let hits = scan_text(&s, &text).unwrap();
                let found = hits.iter().any(|h| h.matches.iter().any(|m| &m.entity_id == id));
                (!found)
                    .then(|| format!("{id} {name:?} in {t:?}: {:?}", hits.iter().map(|h| &h.text).collect::<Vec<_>>()))
            })
        })
        .collect();
    let total = names.len() * templates.len();
    let recall = 1.0 - missed.len() as f64 / total as f64;
    eprintln!("listed names in trade text: {total} embeddings, recall {recall:.4}, missed {}", missed.len());
    assert!(missed.is_empty(), "{} missed:\n{}", missed.len(), missed[..missed.len().min(40)].join("\n"));
}
