//! Lists a user can trust, seen from the command line: a fresh install
//! screens against the embedded snapshot of the official lists and says how
//! old they are; stale, partial or missing sanctions lists are said on
//! stderr; publisher quirks are read with a warning naming file and line;
//! cut files are refused with theirs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{bin, fresh_bin, listening, shared, shrunk_sdn};

fn run(c: &mut Command) -> (Output, String, String) {
    let out = c.output().expect("binary runs");
    let so = String::from_utf8_lossy(&out.stdout).into_owned();
    let se = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, so, se)
}

fn json_of(so: &str) -> Value {
    serde_json::from_str(so).unwrap_or_else(|e| panic!("not JSON ({e}): {so}"))
}

fn flags(v: &Value) -> Vec<String> {
    v["flags"].as_array().unwrap().iter().map(|f| f.as_str().unwrap().to_string()).collect()
}

fn list<'a>(v: &'a Value, dataset: &str) -> &'a Value {
    v["lists"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["dataset"] == dataset)
        .unwrap_or_else(|| panic!("no {dataset}: {v}"))
}

/// Copies the files of an OFAC set (or any folder) into `to`.
fn copy_dir(from: &str, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

/// The README's first use, on a machine without network: no config, no
/// list, an empty home, run from an empty folder.
#[test]
fn a_fresh_install_without_network_screens_against_the_embedded_snapshot() {
    let home = tempfile::tempdir().unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let (out, so, se) = run(fresh_bin(home.path(), cwd.path()).args(["screen", "Ruben Oseguera Cervantes", "--json"]));
    let elapsed = started.elapsed();
    assert!(out.status.success(), "exit {:?}\nstdout: {so}\nstderr: {se}", out.status);
    let v = json_of(&so);
    assert_eq!(v["decision"], "block", "{v}");
    assert_eq!(v["matches"][0]["entity_id"], "ofac-17674", "{v}");
    let f = flags(&v);
    assert!(f.contains(&"stale_lists".to_string()), "{f:?}");
    assert!(!f.contains(&"no_sanctions_lists".to_string()), "{f:?}");
    let sdn = list(&v, "us_ofac_sdn");
    assert_eq!(sdn["published"], "2026-02-25", "the snapshot's date: {sdn}");
    assert_eq!(sdn["published_from"], "manifest");
    assert!(sdn["age_days"].as_i64().unwrap() > 7, "{sdn}");
    assert!(sdn["source"].as_str().unwrap().contains("embedded snapshot"), "{sdn}");
    assert_eq!(list(&v, "un_sc_sanctions")["published"].as_str().map(|p| &p[..10]), Some("2026-02-27"));
    assert_eq!(list(&v, "us_ofac_cons")["published"], "2025-12-19");
    assert!(se.contains("warning: us_ofac_sdn is"), "the CLI warns of the age: {se}");
    assert!(se.contains("run `cartelscreen lists fetch`"), "{se}");
    // Nothing was written where the user stands, and no download was kept.
    assert_eq!(std::fs::read_dir(cwd.path()).unwrap().count(), 0);
    let data_lists = home.path().join("data/lists");
    let kept: Vec<PathBuf> = match std::fs::read_dir(&data_lists) {
        Ok(d) => d.map(|e| e.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    };
    assert!(kept.is_empty(), "no failed download left behind: {kept:?}");
    eprintln!("fresh screen with the embedded snapshot: {elapsed:?}");
    assert!(elapsed < Duration::from_secs(10), "a start without network does not wait on each publisher: {elapsed:?}");
}

/// `serve` on a fresh install: the first answer comes from the snapshot and
/// `/readyz` says the lists are stale; the time to listen is measured.
#[test]
fn a_fresh_service_starts_on_the_snapshot_and_reports_it_stale() {
    let home = tempfile::tempdir().unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/config/development.toml");
    let started = Instant::now();
    let mut child = fresh_bin(home.path(), cwd.path())
        .args(["--config", config, "serve", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let address = listening(&mut child);
    let listening_after = started.elapsed();
    let client = reqwest::blocking::Client::builder().no_proxy().build().unwrap();
    let ready = client.get(format!("http://{address}/readyz")).send().unwrap();
    assert_eq!(ready.status(), 200);
    let ready: Value = ready.json().unwrap();
    assert_eq!(ready["status"], "stale", "{ready}");
    assert!(ready["stale_lists"].as_array().unwrap().contains(&Value::from("us_ofac_sdn")), "{ready}");
    let v: Value = client
        .post(format!("http://{address}/v1/screen"))
        .json(&serde_json::json!({"name": "Ruben Oseguera Cervantes"}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(v["decision"], "block", "{v}");
    assert!(flags(&v).contains(&"stale_lists".to_string()), "{v}");
    let sdn = list(&v, "us_ofac_sdn");
    assert_eq!(sdn["published"], "2026-02-25");
    assert!(sdn["age_days"].as_i64().unwrap() > 7);
    let metrics = client.get(format!("http://{address}/metrics")).send().unwrap().text().unwrap();
    assert!(metrics.contains("cartelscreen_list_age_days{dataset=\"us_ofac_sdn\"}"), "{metrics}");
    let _ = child.kill();
    let _ = child.wait();
    eprintln!("fresh service listening after {listening_after:?}");
}

#[test]
fn without_a_sanctions_list_every_answer_and_command_says_so() {
    let toml = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/native-toml");
    let (out, so, se) = run(bin().args(["--lists", toml, "screen", "Panaderia Santa Fe", "--json"]));
    assert!(out.status.success(), "{se}");
    let v = json_of(&so);
    assert_eq!(v["decision"], "clear");
    assert!(flags(&v).contains(&"no_sanctions_lists".to_string()), "{v}");
    assert!(se.contains("warning: no official sanctions list is loaded"), "{se}");
    // A real list loaded: no such warning, no such flag.
    let un = shared("un/2026-02-27/consolidated.xml");
    let (out, so, se) = run(bin().args(["--lists", &un, "screen", "Panaderia Santa Fe", "--json"]));
    assert!(out.status.success(), "{se}");
    let v = json_of(&so);
    assert!(!flags(&v).contains(&"no_sanctions_lists".to_string()), "{v}");
    assert!(!se.contains("no official sanctions list"), "{se}");
    // Published 2026-02-27: stale, said once on stderr.
    assert_eq!(se.matches("warning: un_sc_sanctions is").count(), 1, "{se}");
}

#[test]
fn lists_show_prints_each_lists_date_age_and_partial_files() {
    let sdn_only = shared("ofac/2024-05-03");
    let (out, so, se) = run(bin().args(["--lists", &sdn_only, "lists", "show"]));
    assert!(out.status.success(), "{se}");
    let row = so.lines().find(|l| l.starts_with("us_ofac_sdn")).unwrap_or_else(|| panic!("{so}"));
    assert!(row.contains("(partial: alt.csv, add.csv, sdn_comments.csv missing)"), "{row}");
    assert!(row.contains('d'), "an age in days: {row}");
    assert!(se.contains("warning: us_ofac_sdn is a partial set"), "{se}");
    let (out, so, _) = run(bin().args(["--lists", &sdn_only, "lists", "show", "--json"]));
    assert!(out.status.success());
    let v = json_of(&so);
    let sdn = list(&v, "us_ofac_sdn");
    assert_eq!(sdn["partial"], true);
    assert_eq!(sdn["missing_files"], serde_json::json!(["alt.csv", "add.csv", "sdn_comments.csv"]));
    assert!(sdn["age_days"].is_i64(), "{sdn}");
}

/// A set without `alt.csv` is served (with `--lists`) but flagged: "Chapo
/// Guzman" lives in `alt.csv` only, and the answer says the list is partial.
#[test]
fn a_set_without_alt_csv_flags_every_answer_partial() {
    let dir = tempfile::tempdir().unwrap();
    let ofac = dir.path().join("ofac");
    copy_dir(&shared("ofac/current"), &ofac);
    let folder = ofac.to_string_lossy().into_owned();
    let (out, so, se) = run(bin().args(["--lists", &folder, "screen", "Chapo Guzman", "--json"]));
    assert!(out.status.success(), "{se}");
    let v = json_of(&so);
    assert_ne!(v["decision"], "clear", "the whole set finds him: {v}");
    assert!(!flags(&v).contains(&"partial_lists".to_string()));

    std::fs::remove_file(ofac.join("alt.csv")).unwrap();
    let (out, so, se) = run(bin().args(["--lists", &folder, "screen", "Chapo Guzman", "--json"]));
    assert!(out.status.success(), "{se}");
    let v = json_of(&so);
    assert!(flags(&v).contains(&"partial_lists".to_string()), "{v}");
    assert_eq!(list(&v, "us_ofac_sdn")["partial"], true, "{v}");
    assert!(se.contains("warning: us_ofac_sdn is a partial set: alt.csv missing"), "{se}");
}

/// OFAC's quirks are read, each with a warning naming the file and line:
/// upper-case names, a bare quote inside a field, a byte-order mark, LF.
#[test]
fn publisher_quirks_are_tolerated_with_a_warning_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let ofac = dir.path().join("ofac");
    std::fs::create_dir_all(&ofac).unwrap();
    for f in ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"] {
        std::fs::copy(shared(&format!("ofac/current/{f}")), ofac.join(f.to_ascii_uppercase())).unwrap();
    }
    // A bare quote inside a quoted name field of sdn.csv.
    let sdn_path = ofac.join("SDN.CSV");
    let sdn = std::fs::read(&sdn_path).unwrap();
    let text = String::from_utf8_lossy(&sdn).into_owned();
    let (line_no, line) = text.split("\r\n").enumerate().find(|(_, l)| l.starts_with("36,\"")).expect("entry 36");
    let quirky = line.replacen("\"AEROCARIBBEAN AIRLINES\"", "\"AEROCARIBBEAN \"AIR\" AIRLINES\"", 1);
    assert_ne!(quirky, line, "{line}");
    std::fs::write(&sdn_path, text.replacen(line, &quirky, 1).into_bytes()).unwrap();
    // A byte-order mark and LF line ends in add.csv.
    let add = std::fs::read(ofac.join("ADD.CSV")).unwrap();
    let mut lf = b"\xEF\xBB\xBF".to_vec();
    lf.extend(String::from_utf8_lossy(&add).replace("\r\n", "\n").into_bytes());
    std::fs::write(ofac.join("ADD.CSV"), lf).unwrap();

    let folder = ofac.to_string_lossy().into_owned();
    let (out, so, se) = run(bin().args(["--lists", &folder, "lists", "show", "--json"]));
    assert!(out.status.success(), "{se}");
    let v = json_of(&so);
    let sdn = list(&v, "us_ofac_sdn");
    assert_eq!(sdn["entries"], 14_972, "{sdn}");
    assert_eq!(sdn["partial"], false, "{sdn}");
    let warnings: Vec<String> = v["warnings"].as_array().unwrap().iter().map(|w| w.to_string()).collect::<Vec<_>>();
    let has = |needle: &str| warnings.iter().any(|w| w.contains(needle));
    assert!(has("SDN.CSV: file name in another case"), "{warnings:?}");
    assert!(has(&format!("sdn.csv: line {}: 2 bare double quote(s)", line_no + 1)), "{warnings:?}");
    assert!(has("add.csv: line 1: a byte-order mark"), "{warnings:?}");
    assert!(has("add.csv: line 1: lines end in LF"), "{warnings:?}");
    // The name with its quotes is screened as published.
    let (out, so, se) = run(bin().args(["--lists", &folder, "screen", "Aerocaribbean Airlines", "--json"]));
    assert!(out.status.success(), "{se}");
    assert_eq!(json_of(&so)["matches"][0]["entity_id"], "ofac-36", "{so}");
}

/// A cut `sdn.csv` given on the command line is refused with its file and
/// line: the command does not screen against half a list.
#[test]
fn a_cut_sdn_csv_is_refused_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let ofac = dir.path().join("ofac");
    copy_dir(&shared("ofac/current"), &ofac);
    let sdn = std::fs::read(ofac.join("sdn.csv")).unwrap();
    // 8,000 whole records: cut at a line end, as a download that stopped.
    let cut = sdn.iter().enumerate().filter(|(_, b)| **b == b'\n').nth(7_999).map(|(i, _)| i + 1).unwrap();
    std::fs::write(ofac.join("sdn.csv"), &sdn[..cut]).unwrap();
    let folder = ofac.to_string_lossy().into_owned();
    let (out, _, se) = run(bin().args(["--lists", &folder, "screen", "Ruben Oseguera Cervantes"]));
    assert!(!out.status.success());
    assert!(se.contains("sdn.csv: line 8001: the file ends without OFAC's end-of-file marker"), "{se}");
    // `lists diff` compares it all the same (a warning, not a refusal).
    let (out, so, se) = run(bin().args(["lists", "diff", &shared("ofac/current"), &folder, "--json"]));
    assert!(out.status.success(), "{se}");
    let removed = json_of(&so)["removed"].as_array().map(Vec::len).unwrap_or(0);
    assert!((6_900..=14_972 - 8_000).contains(&removed), "the entries past the cut: {removed}");
}

/// A service restarted on a list that lost 30% of its entries since this
/// deployment last served it refuses to start, unless the operator accepts
/// the shrink.
#[test]
fn a_service_refuses_to_start_on_a_list_that_shrank_since_it_last_served() {
    let dir = tempfile::tempdir().unwrap();
    let ofac = dir.path().join("ofac");
    copy_dir(&shared("ofac/current"), &ofac);
    let trail = dir.path().join("trail.sqlite3");
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/config/development.toml");
    let start = || {
        let mut c = bin();
        c.env("CARTELSCREEN__AUDIT__SQLITE_PATH", &trail).arg("--config").arg(config).arg("--lists").arg(&ofac);
        c
    };
    let (mut child, address) = crate::common::serve(&mut start());
    // The service records what it serves (its monitoring baseline).
    let client = reqwest::blocking::Client::builder().no_proxy().build().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let v: Value = client.get(format!("http://{address}/v1/alerts")).send().unwrap().json().unwrap();
        if v["monitoring"]["checks"].as_u64().unwrap_or(0) > 0 {
            assert_eq!(v["monitoring"]["last_outcome"]["outcome"], "baseline", "{v}");
            break;
        }
        assert!(Instant::now() < deadline, "no baseline recorded: {v}");
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();

    let sdn = std::fs::read(ofac.join("sdn.csv")).unwrap();
    let shrunk = shrunk_sdn(&sdn, None);
    std::fs::write(ofac.join("sdn.csv"), shrunk).unwrap();
    let (out, _, se) = run(start().args(["serve", "--port", "0"]).stdin(Stdio::null()));
    assert!(!out.status.success(), "it must not start: {se}");
    assert!(se.contains("last accepted version") && se.contains("30.0% fewer"), "{se}");
    assert!(se.contains("serve --accept-shrink"), "the way out is named: {se}");

    let mut child = start()
        .args(["serve", "--port", "0", "--accept-shrink"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    listening(&mut child); // accepted, it starts
    let _ = child.kill();
    let _ = child.wait();
}

/// A batch summary names the list versions with their age and the lists'
/// own flags, which every row carries.
#[test]
fn a_batch_summary_names_the_lists_and_their_age() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(&input, "name\nPanaderia Santa Fe\nRuben Oseguera Cervantes\n").unwrap();
    let output = dir.path().join("out.csv");
    let summary = dir.path().join("summary.json");
    let un = shared("un/2026-02-27/consolidated.xml");
    let (out, _, se) = run(bin()
        .args(["--lists", &un, "batch"])
        .arg(&input)
        .arg("-o")
        .arg(&output)
        .arg("--summary-json")
        .arg(&summary));
    assert!(out.status.success(), "{se}");
    assert!(se.contains("  lists: ") && se.contains("un_sc_sanctions (published 2026-02-27, "), "{se}");
    assert!(se.contains("every row is flagged stale_lists"), "{se}");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    let un_ref = list(&v, "un_sc_sanctions");
    assert!(un_ref["age_days"].as_i64().unwrap() > 7, "{v}");
    assert_eq!(v["list_flags"], serde_json::json!(["stale_lists"]), "{v}");
    let rows = std::fs::read_to_string(&output).unwrap();
    assert_eq!(rows.lines().skip(1).filter(|r| r.contains("stale_lists")).count(), 2, "{rows}");
}
