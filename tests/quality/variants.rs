//! Bars on the spelling variants nobody tuned for: the held-out set
//! (`tests/data/heldout/`, written by an independent generator from the
//! kinds' definitions and never tuned on) per kind, and names written in
//! another script (`bench/cross-script`).

use std::path::PathBuf;

use cartelscreen::config::Settings;
use cartelscreen::engine::model::KindFamily;
use cartelscreen::quality::eval::{read_cases, run_cases, run_pairs, NamePair};

use super::{screener, shared};

/// The held-out cases: recall per kind, top-1, and alerts on the three
/// kinds of negatives, each with a margin under the figures the README
/// quotes, so a regression fails and noise does not.
#[test]
fn heldout_variants_hold_per_kind() {
    let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/heldout/heldout.csv"));
    let (cases, errors) = read_cases(std::fs::File::open(path).unwrap()).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(cases.len(), 7080);
    let s = screener(&["data/ofac/current"]);
    let r = run_cases(&s, &cases);
    for (class, c) in &r.classes {
        eprintln!("held-out {class}: n {} recall {:?} top1 {:?} alert_rate {:?}", c.n, c.recall, c.top1, c.alert_rate);
    }
    let recall = r.recall.unwrap();
    let top1 = r.top1.unwrap();
    eprintln!("held-out: recall {recall:.4} top1 {top1:.4} alert rate {:.4}", r.alert_rate.unwrap());
    assert!(recall >= 0.965, "recall {recall:.4} < 0.965");
    assert!(top1 >= 0.97, "top-1 {top1:.4} < 0.97");
    let weak: Vec<String> =
        r.classes.iter().filter_map(|(k, c)| c.recall.filter(|&x| x < 0.93).map(|x| format!("{k} {x:.4}"))).collect();
    assert!(weak.is_empty(), "kinds under 93% recall: {weak:?}");
    let alert = |class: &str| r.classes[class].alert_rate.unwrap();
    assert!(alert("near_miss") <= 0.025, "near misses alert {:.4} > 0.025", alert("near_miss"));
    assert!(alert("mexican_company") <= 0.01, "Mexican companies alert {:.4} > 0.01", alert("mexican_company"));
    assert!(alert("mexican_person") <= 0.002, "Mexican persons alert {:.4} > 0.002", alert("mexican_person"));
}

/// `Query,Expected Match,Min Score,Description` pairs of names in Arabic,
/// Hebrew, Cyrillic, Greek, Chinese, Korean, Japanese and Thai script
/// against their Latin spelling: at least 16 of the 22 reach review.
#[test]
fn cross_script_names_reach_review() {
    let text = std::fs::read_to_string(shared("bench/cross-script/cross_script_pairs.csv")).unwrap();
    let pairs: Vec<NamePair> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            NamePair {
                group: "cross_script".into(),
                family: KindFamily::Any,
                a: f[0].into(),
                b: f[1].into(),
                is_match: true,
            }
        })
        .collect();
    assert_eq!(pairs.len(), 22);
    let threshold = Settings::defaults().matching.review_threshold;
    let r = run_pairs(&pairs, threshold);
    let reached = r.scored.iter().filter(|(_, s)| *s as f64 >= threshold).count();
    let missed: Vec<String> = r
        .scored
        .iter()
        .filter(|(_, s)| (*s as f64) < threshold)
        .map(|(p, s)| format!("{} / {} {s:.3}", p.a, p.b))
        .collect();
    eprintln!("cross-script: {reached} of 22 reach review; missed {missed:?}");
    assert!(reached >= 16, "{reached} of 22 reach review; missed {missed:?}");
}
