//! Cartel networks against a labelled set written apart from the registry:
//! `tests/data/cartel_affiliations_labelled.csv`, each row a second public
//! source (another report, release or court action) naming an entry's
//! cartel. See `tests/data/cartel_affiliations_labelled.md`.

use std::collections::BTreeMap;

use cartelscreen::config::Settings;
use cartelscreen::engine::Screener;
use cartelscreen::lists::{load_path, registry};

use crate::shared;

struct Label {
    entity: String,
    cartel: String,
}

fn labels() -> Vec<Label> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/cartel_affiliations_labelled.csv");
    let mut r = csv::Reader::from_path(path).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (e, c, url) = (col("entity"), col("cartel"), col("source_url"));
    r.records()
        .map(|row| {
            let row = row.unwrap();
            assert!(row[url].starts_with("http"), "every label has its source: {row:?}");
            Label { entity: row[e].to_string(), cartel: row[c].to_string() }
        })
        .collect()
}

/// The current SDN list with the registry minus the rows of `without`.
fn screener(without: &[String]) -> Screener {
    let mut reg = registry::embedded();
    reg.affiliations.retain(|a| !without.contains(&a.entity));
    let mut lists = vec![reg.list.clone()];
    lists.extend(load_path(&shared("data/ofac/current")).unwrap());
    Screener::build(lists, reg, Settings::defaults().engine())
}

#[derive(Default, Debug)]
struct Tally {
    loaded: usize,
    right: usize,
    /// Tied to some cartel, none of them the labelled one.
    wrong: Vec<String>,
    untied: usize,
}

fn tally(s: &Screener, labels: &[Label]) -> BTreeMap<String, Tally> {
    let mut by: BTreeMap<String, Tally> = BTreeMap::new();
    for l in labels {
        if s.entity(&l.entity).is_none() {
            continue;
        }
        let t = by.entry(l.cartel.clone()).or_default();
        t.loaded += 1;
        let ties = s.cartel_ties(&l.entity);
        if ties.iter().any(|x| x.cartel == l.cartel) {
            t.right += 1;
        } else if ties.is_empty() {
            t.untied += 1;
        } else {
            t.wrong.push(format!("{} labelled {} tied {}", l.entity, l.cartel, ties[0].cartel));
        }
    }
    by
}

fn total(by: &BTreeMap<String, Tally>) -> (usize, usize, Vec<String>) {
    let loaded = by.values().map(|t| t.loaded).sum();
    let right = by.values().map(|t| t.right).sum();
    (loaded, right, by.values().flat_map(|t| t.wrong.clone()).collect())
}

#[test]
fn labelled_affiliations_are_tied_to_their_cartel_and_to_no_other() {
    let labels = labels();
    let cartels: std::collections::BTreeSet<&str> = labels.iter().map(|l| l.cartel.as_str()).collect();
    assert!(labels.len() >= 60 && cartels.len() == 6, "{} labels over {cartels:?}", labels.len());
    let by = tally(&screener(&[]), &labels);
    let (loaded, right, wrong) = total(&by);
    for (c, t) in &by {
        println!("{c}: {}/{} right, {} untied, {} wrong", t.right, t.loaded, t.untied, t.wrong.len());
    }
    println!("labelled set: {right}/{loaded} tied to the right cartel ({:.1}%)", 100.0 * right as f64 / loaded as f64);
    assert!(loaded >= 120, "the labelled entries are on the current SDN list: {loaded}");
    assert!(right as f64 >= 0.95 * loaded as f64, "{right}/{loaded}");
    assert!(wrong.is_empty(), "tied to a wrong cartel: {wrong:?}");
}

/// The registry rows of the labelled entries removed: what the lists' own
/// links and the other rows still tie. A floor, not a goal: most listed
/// people carry no `Linked To:` at all.
#[test]
fn without_their_registry_rows_the_lists_links_still_tie_some_labelled_entries() {
    let labels = labels();
    let held: Vec<String> = labels.iter().map(|l| l.entity.clone()).collect();
    let by = tally(&screener(&held), &labels);
    let (loaded, right, wrong) = total(&by);
    println!(
        "held out of the registry: {right}/{loaded} tied to the right cartel ({:.1}%), {} to a wrong one: {wrong:?}",
        100.0 * right as f64 / loaded as f64,
        wrong.len()
    );
    assert!(right as f64 >= 0.10 * loaded as f64, "{right}/{loaded}");
    assert!(wrong.len() <= 2, "{wrong:?}");
}
