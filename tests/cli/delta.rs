//! List deltas on real OFAC SDN exports (`../shared/data/ofac`, required).
//!
//! - 2024-04-26 → 2024-05-03, two untouched daily exports a week apart:
//!   OFAC's own figures for that week are 305 entries added and 8 removed,
//!   and no row present in both differs, so nothing may count as changed.
//! - 2024-05-03 → `current/sdn.csv` (the same export with rows of a 2026
//!   export laid over it): 7 entries added, and a few rows updated (the 2025
//!   `[FTO] [SDGT]` tags, a renamed person, reworded remarks).
//!
//! Which rows differ is read from the files themselves (byte comparison per
//! `ent_num`), independently of the loader, and the delta must stay within
//! them.

// Only `shared` is used here; `bin` is for the tests that run the binary.
#[allow(dead_code)]
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::common::shared;
use cartelscreen::engine::model::Entity;
use cartelscreen::lists::load_path;
use cartelscreen::record::delta::{self, changed_parts, diff, diff_paths, render_text, DeltaReport, Snapshot, PARTS};

fn entities(path: &Path) -> Vec<Entity> {
    load_path(path).expect("the list loads").into_iter().flat_map(|l| l.entities).collect()
}

fn week() -> (PathBuf, PathBuf) {
    (PathBuf::from(shared("ofac/2024-04-26")), PathBuf::from(shared("ofac/2024-05-03")))
}

/// The raw fields of every row of an `sdn.csv`, by `ofac-<ent_num>`.
fn raw_rows(sdn_csv: &Path) -> BTreeMap<String, Vec<Vec<u8>>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(sdn_csv)
        .unwrap_or_else(|e| panic!("{}: {e}", sdn_csv.display()));
    let mut rows = BTreeMap::new();
    for record in reader.byte_records() {
        let record = record.expect("a CSV record");
        let ent_num = String::from_utf8_lossy(record.get(0).unwrap_or_default()).trim().to_string();
        if !ent_num.is_empty() && ent_num.bytes().all(|b| b.is_ascii_digit()) {
            rows.insert(format!("ofac-{ent_num}"), record.iter().map(<[u8]>::to_vec).collect());
        }
    }
    rows
}

/// Ids of the rows present in both files whose bytes differ.
fn differing_rows(old: &BTreeMap<String, Vec<Vec<u8>>>, new: &BTreeMap<String, Vec<Vec<u8>>>) -> BTreeSet<String> {
    old.iter().filter(|(id, row)| new.get(*id).is_some_and(|n| n != *row)).map(|(id, _)| id.clone()).collect()
}

/// What holds of any report against its snapshots: added and removed are
/// the set differences of the ids, changed entries differ in signature in
/// exactly the parts reported, and the names, programs, identifiers and links
/// that changed are shown.
fn check_consistent(report: &DeltaReport, old: &Snapshot, new: &Snapshot) -> BTreeMap<&'static str, usize> {
    for e in &report.added {
        assert!(new.get(&e.id).is_some() && old.get(&e.id).is_none(), "{} is not new", e.id);
        assert!(!e.caption.is_empty(), "{} has no caption", e.id);
    }
    for e in &report.removed {
        assert!(old.get(&e.id).is_some() && new.get(&e.id).is_none(), "{} was not removed", e.id);
    }
    let mut by_part: BTreeMap<&'static str, usize> = BTreeMap::new();
    for c in &report.changed {
        let before = old.get(&c.id).expect("a changed entry is in the old snapshot");
        let after = new.get(&c.id).expect("a changed entry is in the new snapshot");
        assert!(!c.parts.is_empty(), "{}: no part changed", c.id);
        assert_ne!(before, after, "{}: same signature", c.id);
        assert_eq!(changed_parts(before, after), c.parts, "{}", c.id);
        for (part, shown) in [
            ("names", c.names_added.len() + c.names_removed.len()),
            ("programs", c.programs_added.len() + c.programs_removed.len()),
            ("identifiers", c.identifiers_added.len() + c.identifiers_removed.len()),
            ("links", c.links_added.len() + c.links_removed.len()),
        ] {
            assert_eq!(c.parts.contains(&part), shown > 0, "{}: {part} {c:?}", c.id);
        }
        for p in &c.parts {
            assert!(PARTS.contains(p));
            *by_part.entry(*p).or_default() += 1;
        }
    }
    // The snapshot delta (what monitoring computes) is the report's, also
    // from the stored form of the snapshots.
    let d = diff(&Snapshot::from_pairs(old.pairs()), &Snapshot::from_pairs(new.pairs()));
    assert_eq!(d.added, report.added.iter().map(|e| e.id.clone()).collect::<Vec<_>>());
    assert_eq!(d.removed, report.removed.iter().map(|e| e.id.clone()).collect::<Vec<_>>());
    assert_eq!(
        d.changed.iter().map(|c| (c.id.as_str(), c.parts.clone())).collect::<Vec<_>>(),
        report.changed.iter().map(|c| (c.id.as_str(), c.parts.clone())).collect::<Vec<_>>()
    );
    assert_eq!(d.touched().count(), report.added.len() + report.changed.len());
    let unchanged = old.iter().filter(|(id, sig)| new.get(id) == Some(*sig)).count();
    assert_eq!(unchanged + report.changed.len() + report.removed.len(), old.len());
    assert_eq!(new.len(), old.len() + report.added.len() - report.removed.len());

    let text = render_text(report);
    let summary =
        format!("added {}, removed {}, changed {}", report.added.len(), report.removed.len(), report.changed.len());
    assert!(text.lines().any(|l| l == summary), "{}", &text[..text.len().min(2000)]);
    assert_eq!(text.lines().filter(|l| l.starts_with("+ ofac-")).count(), report.added.len());
    assert_eq!(text.lines().filter(|l| l.starts_with("- ofac-")).count(), report.removed.len());
    assert_eq!(text.lines().filter(|l| l.starts_with("~ ofac-")).count(), report.changed.len());
    by_part
}

#[test]
fn ofac_week_delta_matches_the_publishers_figures() {
    let (old_dir, new_dir) = week();
    let started = Instant::now();
    let report = diff_paths(&old_dir, &new_dir).expect("both folders load");
    let took = started.elapsed();

    assert_eq!(report.added.len(), 305, "entries added between 2024-04-26 and 2024-05-03");
    assert_eq!(report.removed.len(), 8, "entries removed between 2024-04-26 and 2024-05-03");
    assert_eq!(report.old.len(), 1);
    assert_eq!(report.new.len(), 1);
    assert_eq!(report.old[0].dataset, "us_ofac_sdn");
    assert_ne!(report.old[0].sha256, report.new[0].sha256);
    assert_ne!(
        cartelscreen::engine::model::fingerprint(&report.old),
        cartelscreen::engine::model::fingerprint(&report.new)
    );

    let old = Snapshot::of(&entities(&old_dir));
    let new = Snapshot::of(&entities(&new_dir));
    assert_eq!((old.len(), new.len()), (report.old[0].entries, report.new[0].entries));
    let by_part = check_consistent(&report, &old, &new);

    // Only a row that differs in the files can have changed; that week, none
    // of the rows present in both exports differs.
    let (raw_old, raw_new) = (raw_rows(&old_dir.join("sdn.csv")), raw_rows(&new_dir.join("sdn.csv")));
    assert_eq!((raw_old.len(), raw_new.len()), (old.len(), new.len()));
    let differing = differing_rows(&raw_old, &raw_new);
    for c in &report.changed {
        assert!(differing.contains(&c.id), "{} changed but its row is the same: {c:?}", c.id);
    }
    assert!(differing.is_empty(), "the exports of 2024-04-26 and 2024-05-03 share no differing row");
    assert_eq!(report.changed.len(), 0);

    eprintln!(
        "2024-04-26 -> 2024-05-03: {} entries before, {} after; added {}, removed {}, changed {} {by_part:?}; \
         diff_paths took {took:?}",
        old.len(),
        new.len(),
        report.added.len(),
        report.removed.len(),
        report.changed.len(),
    );
}

#[test]
fn ofac_week_delta_reversed_and_against_itself() {
    let (old_dir, new_dir) = week();
    let forward = diff_paths(&old_dir, &new_dir).expect("both folders load");
    let back = diff_paths(&new_dir, &old_dir).expect("both folders load");
    assert_eq!(back.added.len(), 8);
    assert_eq!(back.removed.len(), 305);
    assert_eq!(back.added, forward.removed);
    assert_eq!(back.removed, forward.added);
    assert_eq!(back.changed.len(), forward.changed.len());

    let same = diff_paths(&new_dir, &new_dir).expect("loads");
    assert!(same.is_empty(), "a list compared with itself changed: {}", render_text(&same));
    assert!(render_text(&same).contains("\nadded 0, removed 0, changed 0\n"));
}

/// `ofac/current/sdn.csv` read alone (without the 2025-2026 `alt.csv`,
/// `add.csv` and comments beside it) against the 2024-05-03 export: 7
/// entries new, 8 rows with new programs (the cartels' `[FTO] [SDGT]`, and
/// `[SDGT]` for three persons), one of them a renamed person, and 3 rows
/// whose remarks were only reworded (`C.U.R.P. #` became `C.U.R.P.`), which
/// must not count as changed.
#[test]
fn updated_entries_are_changed_and_reworded_remarks_are_not() {
    let old_dir = PathBuf::from(shared("ofac/2024-05-03"));
    let sdn = PathBuf::from(shared("ofac/current/sdn.csv"));
    let dir = tempfile::tempdir().expect("a temporary folder");
    // A link, not a copy: the shared data stays where it is.
    #[cfg(unix)]
    std::os::unix::fs::symlink(&sdn, dir.path().join("sdn.csv")).expect("symlink");
    #[cfg(not(unix))]
    std::fs::copy(&sdn, dir.path().join("sdn.csv")).expect("copy");

    let report = diff_paths(&old_dir, dir.path()).expect("both load");
    let old = Snapshot::of(&entities(&old_dir));
    let new = Snapshot::of(&entities(dir.path()));
    let by_part = check_consistent(&report, &old, &new);

    let added: Vec<&str> = report.added.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        added,
        ["ofac-52281", "ofac-52435", "ofac-52437", "ofac-52438", "ofac-52439", "ofac-52892", "ofac-56462"]
    );
    assert!(report.removed.is_empty(), "{:?}", report.removed);
    let carteles_unidos = report.added.iter().find(|e| e.id == "ofac-52892").expect("CARTELES UNIDOS is new");
    assert_eq!(carteles_unidos.caption, "CARTELES UNIDOS");
    assert!(carteles_unidos.programs.iter().any(|p| p == "FTO"), "{carteles_unidos:?}");

    // Changed entries are rows that differ; every row whose programs differ
    // is changed, with the programs the file added.
    let (raw_old, raw_new) = (raw_rows(&old_dir.join("sdn.csv")), raw_rows(&sdn));
    let differing = differing_rows(&raw_old, &raw_new);
    assert_eq!(differing.len(), 11);
    let changed: BTreeMap<&str, &delta::ChangedEntry> = report.changed.iter().map(|c| (c.id.as_str(), c)).collect();
    for id in changed.keys() {
        assert!(differing.contains(*id), "{id} changed but its row is the same");
    }
    let programs = |row: &[Vec<u8>]| -> BTreeSet<String> {
        String::from_utf8_lossy(&row[3]).split("] [").map(|p| p.trim().to_string()).collect()
    };
    let mut program_rows = 0;
    for id in &differing {
        let (before, after) = (programs(&raw_old[id]), programs(&raw_new[id]));
        if before == after {
            continue;
        }
        program_rows += 1;
        let c = changed.get(id.as_str()).unwrap_or_else(|| panic!("{id}: programs changed, entry not"));
        assert!(c.parts.contains(&"programs"), "{c:?}");
        let gained: Vec<String> = after.difference(&before).cloned().collect();
        let mut shown = c.programs_added.clone();
        shown.sort();
        assert_eq!(shown, gained, "{id}");
    }
    assert_eq!(program_rows, 8);
    for cartel in ["ofac-10386", "ofac-11438", "ofac-11440", "ofac-17671", "ofac-39376"] {
        let c = changed[cartel];
        assert!(c.programs_added.iter().any(|p| p == "FTO"), "{c:?}");
    }
    // Los Zetas is now listed as CARTEL DEL NORESTE; the CJNG leader's entry
    // was renamed.
    assert_eq!(changed["ofac-11438"].caption, "CARTEL DEL NORESTE");
    assert!(changed["ofac-11438"].names_removed.iter().any(|n| n == "LOS ZETAS (primary)"));
    assert!(changed["ofac-17674"].names_added.iter().any(|n| n == "OSEGUERA CERVANTES, Ruben (primary)"));
    // Reworded remarks (`C.U.R.P. #` → `C.U.R.P.`) are the same facts.
    for id in ["ofac-9971", "ofac-9976", "ofac-9978"] {
        assert!(differing.contains(id), "{id} differs in the files");
        assert!(!changed.contains_key(id), "{id}: only its remarks were reworded: {:?}", changed[id]);
        assert_eq!(old.get(id), new.get(id));
    }
    assert_eq!(report.changed.len(), 8);
    eprintln!("2024-05-03 -> current/sdn.csv: added 7, removed 0, changed 8 {by_part:?}");
    eprintln!("{}", render_text(&report));
}

#[test]
fn json_report_names_the_versions_and_omits_empty_differences() {
    let old_dir = PathBuf::from(shared("ofac/2024-05-03"));
    let dir = tempfile::tempdir().expect("a temporary folder");
    let sdn = PathBuf::from(shared("ofac/current/sdn.csv"));
    #[cfg(unix)]
    std::os::unix::fs::symlink(&sdn, dir.path().join("sdn.csv")).expect("symlink");
    #[cfg(not(unix))]
    std::fs::copy(&sdn, dir.path().join("sdn.csv")).expect("copy");
    let report = diff_paths(&old_dir, dir.path()).expect("both load");
    let json = serde_json::to_value(&report).expect("serialises");
    assert_eq!(json["old"][0]["dataset"], "us_ofac_sdn");
    assert_eq!(json["new"][0]["entries"], 14972);
    assert_eq!(json["added"].as_array().map(Vec::len), Some(7));
    let changed = json["changed"].as_array().expect("changed is an array");
    assert!(!changed.is_empty());
    for c in changed {
        assert!(!c["parts"].as_array().expect("parts").is_empty());
        for key in [
            "names_added",
            "names_removed",
            "programs_added",
            "programs_removed",
            "identifiers_added",
            "identifiers_removed",
            "links_added",
            "links_removed",
        ] {
            if let Some(v) = c.get(key) {
                assert!(!v.as_array().expect("an array").is_empty(), "{key} present but empty: {c}");
            }
        }
    }
    let gulf = changed.iter().find(|c| c["id"] == "ofac-10386").expect("GULF CARTEL changed");
    assert!(gulf.get("names_added").is_none(), "{gulf}");
    assert_eq!(gulf["programs_added"], serde_json::json!(["FTO", "SDGT"]));
}
