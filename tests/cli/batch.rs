//! `cartelscreen batch` and `cartelscreen gen counterparties` driven as a user
//! drives them: real files (BOM, Windows-1252, semicolons, quoted line
//! breaks, broken rows), exit codes, both output formats, the summary, Ctrl-C,
//! and 100,000 generated rows against the official lists from `../shared`.
//!
//! The fixtures under `tests/data/batch/` use invented names and the cartels
//! of the embedded registry; tests without `--lists` screen against that
//! registry alone.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::{bin, shared};

use serde_json::Value;

fn fixture(name: &str) -> String {
    format!("{}/tests/data/batch/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn run(c: &mut Command) -> (Output, String, String) {
    let out = c.output().expect("binary runs");
    let so = String::from_utf8_lossy(&out.stdout).into_owned();
    let se = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, so, se)
}

/// Runs a batch that must succeed and returns its stdout and stderr.
fn ok(c: &mut Command) -> (String, String) {
    let (out, so, se) = run(c);
    assert!(out.status.success(), "exit {:?}\nstdout: {so}\nstderr: {se}", out.status);
    (so, se)
}

struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn parse(text: &str) -> Table {
        let mut r = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let headers = r.headers().expect("a header").iter().map(str::to_string).collect();
        let rows = r.records().map(|x| x.expect("a whole CSV row").iter().map(str::to_string).collect()).collect();
        Table { headers, rows }
    }

    fn col(&self, name: &str) -> usize {
        self.headers.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}: {:?}", self.headers))
    }

    fn get(&self, row: usize, name: &str) -> &str {
        &self.rows[row][self.col(name)]
    }

    fn column(&self, name: &str) -> Vec<&str> {
        let c = self.col(name);
        self.rows.iter().map(|r| r[c].as_str()).collect()
    }
}

const RESULT_COLUMNS: [&str; 12] = [
    "decision",
    "score",
    "top_match_id",
    "top_match_name",
    "matched_name",
    "cartel",
    "cartel_basis",
    "flags",
    "match_count",
    "explanation",
    "error",
    "warnings",
];

fn read_json(p: &Path) -> Value {
    let text = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

#[test]
fn utf8_with_bom_english_headers() {
    let (so, se) = ok(bin().args(["batch", &fixture("bom_utf8.csv")]));
    let t = Table::parse(&so);
    // The BOM is not part of the first header; the result columns follow the input's.
    assert_eq!(t.headers[0], "customer_id");
    assert_eq!(&t.headers[8..], RESULT_COLUMNS);
    assert_eq!(t.column("customer_id"), vec!["C-001", "C-002", "C-003", "C-004", "C-005"]);
    assert_eq!(t.get(0, "decision"), "block");
    assert_eq!(t.get(0, "top_match_id"), "cs-cjng");
    assert_eq!(t.get(0, "cartel"), "CJNG");
    assert_eq!(t.get(0, "score"), "1.000");
    assert!(t.get(0, "flags").split('|').any(|f| f == "fto_cartel"), "{}", t.get(0, "flags"));
    assert!(t.get(0, "explanation").starts_with("name 1.00 'Cártel de Jalisco Nueva Generación' ~ "), "{so}");
    assert!(t.get(0, "explanation").contains("is the CJNG cartel"), "{so}");
    assert_eq!(t.get(3, "cartel"), "CDN");
    assert_eq!(t.get(3, "matched_name"), "Los Zetas");
    for i in [1, 2, 4] {
        assert_eq!(t.get(i, "decision"), "clear", "row {i}: {so}");
        assert_eq!(t.get(i, "match_count"), "0");
        assert_eq!(t.get(i, "error"), "");
    }
    assert_eq!(t.get(2, "Full Name"), "Transportes Ñandú del Norte S.A. de C.V.");
    assert!(se.contains("utf-8"), "{se}");
    assert!(se.contains("name ← Full Name"), "{se}");
    assert!(se.contains("identifiers ← RFC / CURP"), "{se}");
    assert!(se.contains("5 rows in"), "{se}");
}

#[test]
fn windows_1252_semicolons_crlf_and_bad_rows_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let summary = dir.path().join("summary.json");
    ok(bin().args([
        "batch",
        &fixture("cp1252_semicolon.csv"),
        "-o",
        out.to_str().unwrap(),
        "--summary-json",
        summary.to_str().unwrap(),
    ]));
    let bytes = std::fs::read(&out).unwrap();
    let text = String::from_utf8(bytes).expect("the output is UTF-8");
    // Windows-1252 in: a byte-order mark out, for Excel.
    let text = without_bom(&text);
    let t = Table::parse(text);
    assert_eq!(t.headers[1], "Nombre o razón social");
    assert_eq!(t.column("Clave"), vec!["A-01", "A-02", "A-03", "A-04", "A-05", "A-06", "A-07", "A-08"]);
    assert_eq!(t.get(0, "Nombre o razón social"), "PEÑA ESCOBEDO ÉDGAR");
    assert_eq!(t.get(0, "Domicilio"), "Av. Ñuñoa 45, León, Guanajuato");
    assert_eq!(t.get(0, "decision"), "clear");
    assert!(matches!(t.get(1, "decision"), "review" | "block"), "{text}");
    assert_eq!(t.get(1, "cartel"), "CDN");
    // A quoted address over three lines (CRLF) stays one field.
    assert_eq!(t.get(2, "Domicilio"), "Blvd. Río Bravo 900\r\nCol. Centro\r\nReynosa, Tamaulipas");
    assert_eq!(t.get(2, "decision"), "clear");
    // The broken rows in the middle: each in its place, with its reason.
    assert_eq!(t.get(3, "decision"), "error");
    assert!(t.get(3, "error").contains("9 fields where the header has 7"), "{text}");
    assert_eq!(t.get(3, "Nombre o razón social"), "Ñandú Logística");
    assert_eq!(t.get(4, "error"), "name is empty");
    // A date that cannot be used is left out: the row is screened on its name.
    assert_eq!(t.get(5, "error"), "");
    assert_ne!(t.get(5, "decision"), "error", "{text}");
    assert!(t.get(5, "warnings").contains("dob \"31/31/1980\""), "{text}");
    assert_eq!(t.get(6, "decision"), "block");
    assert_eq!(t.get(6, "cartel"), "LNFM");
    assert_eq!(t.get(7, "Nombre o razón social"), "Peñoles Ónix Distribuciones");
    let s = read_json(&summary);
    assert_eq!(s["rows"], 8);
    assert_eq!(s["encoding"], "windows-1252");
    assert_eq!(s["delimiter"], ";");
    assert_eq!(s["errors"], 2);
    assert_eq!(s["decisions"]["error"], 2);
    assert_eq!(s["warnings"], 1);
    assert_eq!(s["warning_samples"][0]["row"], 6);
    assert_eq!(s["decisions"]["clear"], 4);
    assert_eq!(s["cartels"]["LNFM"], 1);
    assert_eq!(s["cartels"]["CDN"], 1);
    assert_eq!(s["error_samples"][0]["row"], 4);
    // The header is line 1; the address of A-03 spans lines 4-6.
    assert_eq!(s["error_samples"][0]["line"], 7);
    assert_eq!(s["columns"]["name"][0], "Nombre o razón social");
    assert_eq!(s["columns"]["type"][0], "Tipo de persona");
    assert_eq!(s["columns"]["reference"][0], "Clave");
    assert_eq!(s["cancelled"], false);
    assert!(s["rows_per_sec"].as_f64().unwrap() > 0.0);
}

#[test]
fn forced_encodings() {
    // Latin-1 reads the same accents as Windows-1252 here.
    let (so, _) = ok(bin().args(["batch", &fixture("cp1252_semicolon.csv"), "--encoding", "latin-1", "-q"]));
    assert_eq!(Table::parse(&so).get(0, "Nombre o razón social"), "PEÑA ESCOBEDO ÉDGAR");
    // Forced UTF-8: rows with Windows-1252 bytes cannot be read, and say so;
    // the others are screened.
    let (so, _) = ok(bin().args(["batch", &fixture("cp1252_semicolon.csv"), "--encoding", "utf-8", "-q"]));
    let t = Table::parse(&so);
    assert_eq!(t.rows.len(), 8);
    assert_eq!(t.get(0, "decision"), "error");
    assert!(t.get(0, "error").contains("not valid UTF-8"), "{so}");
    assert_eq!(t.get(6, "decision"), "block");
    let (out, _, se) = run(bin().args(["batch", &fixture("bom_utf8.csv"), "--encoding", "ebcdic"]));
    assert_eq!(out.status.code(), Some(2), "{se}");
}

#[test]
fn pipes_tabs_and_quoted_line_breaks() {
    let (so, se) = ok(bin().args(["batch", &fixture("pipes_quoted.csv")]));
    assert!(se.contains("delimiter '|'"), "{se}");
    let t = Table::parse(&so);
    assert_eq!(t.column("id_cliente"), vec!["1", "2", "3"]);
    // The name kept its line break in the output and was screened without it.
    assert_eq!(t.get(0, "nombre"), "Carteles\nUnidos");
    assert_eq!(t.get(0, "decision"), "block");
    assert_eq!(t.get(0, "cartel"), "CU");
    assert_eq!(t.get(0, "notas"), "nota con | barra");
    assert_eq!(t.get(1, "notas"), "línea 1\nlínea 2");
    assert_eq!(t.get(2, "nombre"), "Comercial \"El Güero\" SA");
    let (so, se) = ok(bin().args(["batch", &fixture("tabs_crlf.tsv")]));
    assert!(se.contains("delimiter 'tab'"), "{se}");
    let t = Table::parse(&so);
    assert_eq!(t.column("decision"), vec!["block", "clear"]);
    assert_eq!(t.get(0, "cartel"), "CDG");
    // --delimiter overrides the detection: read with `,`, the header is one column.
    let (out, _, se) = run(bin().args(["batch", &fixture("tabs_crlf.tsv"), "--delimiter", ","]));
    assert_eq!(out.status.code(), Some(2), "{se}");
}

#[test]
fn a_delimiter_outside_the_closed_set_is_refused_when_the_command_line_is_read() {
    for bad in ["x", ":", "ab"] {
        let (out, so, se) = run(bin().args(["batch", &fixture("tabs_crlf.tsv"), "--delimiter", bad]));
        assert_eq!(out.status.code(), Some(2), "{bad}: {se}");
        assert!(so.is_empty(), "no row is written: {so}");
        assert!(se.contains("--delimiter") && se.contains("comma, semicolon, pipe, tab"), "{bad}: {se}");
        assert!(!se.contains("no name column"), "refused before the file is read: {se}");
    }
    // The names and the characters of the set are accepted.
    for good in ["tab", "TAB", "\\t", "\t"] {
        let (so, _) = ok(bin().args(["batch", &fixture("tabs_crlf.tsv"), "--delimiter", good, "-q"]));
        assert_eq!(Table::parse(&so).column("decision"), vec!["block", "clear"], "{good:?}");
    }
}

#[test]
fn every_bad_row_gets_its_reason_and_the_run_goes_on() {
    let (so, se) = ok(bin().args(["batch", &fixture("bad_rows.csv")]));
    let t = Table::parse(&so);
    assert_eq!(t.column("ref"), (1..=11).map(|i| i.to_string()).collect::<Vec<_>>());
    assert_eq!(t.get(0, "decision"), "block");
    assert_eq!(t.get(10, "decision"), "block");
    let errors: Vec<&str> = t.column("error");
    assert!(errors[1].contains("3 fields where the header has 4"), "{}", errors[1]);
    assert!(errors[2].contains("5 fields where the header has 4"), "{}", errors[2]);
    assert_eq!(errors[3], "name is empty");
    assert_eq!(errors[4], "name is empty");
    assert!(errors[5].contains("control characters"), "{}", errors[5]);
    assert!(errors[6].contains("no letters or digits"), "{}", errors[6]);
    // An unusable optional field is left out with a warning; the row is screened.
    let warnings: Vec<&str> = t.column("warnings");
    assert_eq!(errors[7], "");
    assert!(warnings[7].contains("type \"martian\""), "{}", warnings[7]);
    assert_eq!(errors[8], "");
    assert!(warnings[8].contains("dob \"2099-99-99\""), "{}", warnings[8]);
    assert!(errors[9].contains("longer than 1000 characters"), "{}", errors[9]);
    for i in (1..10).filter(|i| ![7, 8].contains(i)) {
        assert_eq!(t.get(i, "decision"), "error", "row {i}");
        assert_eq!(t.get(i, "score"), "");
    }
    for i in [7, 8] {
        assert_ne!(t.get(i, "decision"), "error", "row {i}");
    }
    // Every output row is as wide as the header, whatever the input row was.
    assert!(t.rows.iter().all(|r| r.len() == 4 + RESULT_COLUMNS.len()));
    assert!(se.contains("error 7  warnings 2"), "{se}");
}

#[test]
fn empty_header_only_and_no_name_column() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let (o, _, se) = run(bin().args(["batch", &fixture("empty.csv"), "-o", out.to_str().unwrap()]));
    assert_eq!(o.status.code(), Some(2), "{se}");
    assert!(se.contains("empty"), "{se}");
    assert!(!out.exists(), "nothing is written for a refused file");

    let summary = dir.path().join("s.json");
    let (so, _) = ok(bin().args(["batch", &fixture("header_only.csv"), "--summary-json", summary.to_str().unwrap()]));
    assert_eq!(
        so,
        "name,country,decision,score,top_match_id,top_match_name,matched_name,cartel,cartel_basis,flags,match_count,explanation,error,warnings\n"
    );
    assert_eq!(read_json(&summary)["rows"], 0);
    let (so, _) = ok(bin().args(["batch", &fixture("header_only.csv"), "--format", "jsonl"]));
    assert_eq!(so, "");

    let (o, so, se) = run(bin().args(["batch", &fixture("no_name.csv"), "-o", out.to_str().unwrap()]));
    assert_eq!(o.status.code(), Some(2), "{se}");
    assert!(se.contains("no name column"), "{se}");
    assert!(se.contains("--name-col"), "{se}");
    assert!(se.contains("`rfc`"), "{se}");
    assert_eq!(so, "");
    assert!(!out.exists());
    // Named by hand it is fine (here the RFC column, as a name).
    let (so, _) = ok(bin().args(["batch", &fixture("no_name.csv"), "--name-col", "RFC", "--type-col", ""]));
    assert_eq!(Table::parse(&so).rows.len(), 1);
    let (o, _, se) = run(bin().args(["batch", &fixture("no_name.csv"), "--name-col", "razón social"]));
    assert_eq!(o.status.code(), Some(2));
    assert!(se.contains("--name-col `razón social`: no such column"), "{se}");
    let (o, _, se) = run(bin().args(["batch", "/nonexistent/file.csv"]));
    assert_eq!(o.status.code(), Some(2));
    assert!(se.contains("cannot open"), "{se}");
}

#[test]
fn column_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(
        &input,
        "Proveedor,Doc A,Doc B,Origen,Alta\n\
         Panadería Dos Hermanos,XAXX010101000,,MX,1990\n\
         Someone Unlisted,,RUBEN-NOT-LISTED,MX,\n\
         Cártel del Golfo,,,MX,\n",
    )
    .unwrap();
    let (o, _, se) = run(bin().args(["batch", input.to_str().unwrap()]));
    assert_eq!(o.status.code(), Some(2), "{se}");
    let (so, se) = ok(bin().args([
        "batch",
        input.to_str().unwrap(),
        "--name-col",
        "proveedor",
        "--id-col",
        "Doc A",
        "--id-col",
        "3",
        "--country-col",
        "Origen",
        "--ref-col",
        "Doc A",
    ]));
    assert!(se.contains("identifiers ← Doc A / Doc B"), "{se}");
    assert!(se.contains("country ← Origen"), "{se}");
    let t = Table::parse(&so);
    assert_eq!(t.column("decision")[..2], ["clear", "clear"]);
    assert!(matches!(t.get(2, "decision"), "review" | "block"), "{so}");
    assert_eq!(t.get(2, "cartel"), "CDG");
    assert_eq!(t.get(0, "Doc A"), "XAXX010101000");
}

#[test]
fn stdin_and_output_guard() {
    let mut child = bin()
        .args(["batch", "-", "--format", "jsonl", "-q"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all("nombre;país\nCJNG;MX\nFerretería La Güera;MX\n".as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let lines: Vec<Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["decision"], "block");
    assert!(out.stderr.is_empty(), "-q prints nothing: {}", String::from_utf8_lossy(&out.stderr));

    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::copy(fixture("bom_utf8.csv"), &input).unwrap();
    let (o, _, se) = run(bin().args(["batch", input.to_str().unwrap(), "-o", input.to_str().unwrap()]));
    assert_eq!(o.status.code(), Some(2));
    assert!(se.contains("is the input"), "{se}");
    assert_eq!(std::fs::read(&input).unwrap(), std::fs::read(fixture("bom_utf8.csv")).unwrap());
}

#[test]
fn jsonl_output() {
    let (so, _) = ok(bin().args(["batch", &fixture("cp1252_semicolon.csv"), "--format", "jsonl", "-q"]));
    let lines: Vec<Value> = so.lines().map(|l| serde_json::from_str(l).expect("one JSON object a line")).collect();
    assert_eq!(lines.len(), 8);
    assert_eq!(lines[0]["input"]["Clave"], "A-01");
    assert_eq!(lines[0]["input"]["Nombre o razón social"], "PEÑA ESCOBEDO ÉDGAR");
    assert_eq!(lines[0]["decision"], "clear");
    assert_eq!(lines[0]["match_count"], 0);
    assert!(lines[0]["score"].is_null());
    assert_eq!(lines[2]["input"]["Domicilio"], "Blvd. Río Bravo 900\r\nCol. Centro\r\nReynosa, Tamaulipas");
    assert_eq!(lines[3]["decision"], "error");
    assert!(lines[3]["error"].as_str().unwrap().contains("9 fields"));
    assert!(lines[3]["match_count"].is_null());
    let block = &lines[6];
    assert_eq!(block["decision"], "block");
    assert_eq!(block["score"], 1.0);
    assert_eq!(block["top_match_id"], "cs-lnfm");
    assert_eq!(block["cartel"], "LNFM");
    assert!(block["flags"].as_array().unwrap().iter().any(|f| f == "fto_cartel"));
    assert_eq!(block["match_count"], 1);
    assert!(block["error"].is_null());
    for key in RESULT_COLUMNS {
        assert!(block.get(key).is_some(), "missing {key}");
    }
}

#[test]
fn fail_on_sets_the_exit_status() {
    // bom_utf8.csv has two blocks.
    let (o, _, _) = run(bin().args(["batch", &fixture("bom_utf8.csv"), "--fail-on", "block", "-q"]));
    assert_eq!(o.status.code(), Some(3));
    let (o, _, _) = run(bin().args(["batch", &fixture("bom_utf8.csv"), "--fail-on", "review", "-q"]));
    assert_eq!(o.status.code(), Some(3));
    // cp1252_semicolon.csv: a review (Cártel del Noreste) may or may not be a
    // block; a file of clear rows and errors fails on nothing.
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("clear.csv");
    std::fs::write(&input, "name\nFerretería La Güera\n\n,\n").unwrap();
    let (o, so, _) = run(bin().args(["batch", input.to_str().unwrap(), "--fail-on", "review", "-q"]));
    assert_eq!(o.status.code(), Some(0), "{so}");
    assert_eq!(Table::parse(&so).column("decision"), vec!["clear", "error"]);
    let (o, _, _) = run(bin().args(["batch", input.to_str().unwrap(), "--fail-on", "block", "-q"]));
    assert_eq!(o.status.code(), Some(0));
    let (o, _, _) = run(bin().args(["batch", input.to_str().unwrap(), "--fail-on", "clear"]));
    assert_eq!(o.status.code(), Some(2));
}

/// Lines of `path` that are whole CSV rows (the header excluded), once the
/// file holds at least `want` of them.
fn wait_for_rows(path: &Path, want: usize, deadline: Duration) -> usize {
    let start = Instant::now();
    loop {
        let n = std::fs::read_to_string(path).map(|t| t.lines().count().saturating_sub(1)).unwrap_or(0);
        if n >= want || start.elapsed() > deadline {
            return n;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_with_whole_rows() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let summary = dir.path().join("s.json");
    let mut child = bin()
        .args(["batch", "-", "-o", out.to_str().unwrap(), "--summary-json", summary.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // More than the megabyte the encoding is guessed from, so that reading
    // starts while the input stays open.
    let mut text = String::from("ref,name\n");
    for i in 0..30_000 {
        text.push_str(&format!("{i},Comercializadora Número {i} del Norte\n"));
    }
    assert!(text.len() > (1 << 20) + (64 << 10));
    stdin.write_all(text.as_bytes()).unwrap();
    stdin.flush().unwrap();
    // Fourteen whole chunks of 2,048 rows are screened and written; the rest
    // waits for more input that never comes.
    let whole = 14 * 2048;
    let n = wait_for_rows(&out, whole, Duration::from_secs(60));
    assert_eq!(n, whole);
    let kill = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "the batch did not stop on SIGINT");
        std::thread::sleep(Duration::from_millis(20));
    };
    drop(stdin);
    assert_eq!(status.code(), Some(130));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.ends_with('\n'));
    let t = Table::parse(&text);
    assert_eq!(t.rows.len(), whole);
    assert_eq!(t.column("ref"), (0..whole).map(|i| i.to_string()).collect::<Vec<_>>());
    assert!(t.rows.iter().all(|r| r.len() == 2 + RESULT_COLUMNS.len()));
    let s = read_json(&summary);
    assert_eq!(s["cancelled"], true);
    assert_eq!(s["rows"], whole);
}

#[test]
fn a_hundred_thousand_generated_rows_in_order_against_the_official_lists() {
    let sdn = shared("ofac/current");
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("rows.csv");
    let out = dir.path().join("out.csv");
    let summary = dir.path().join("s.json");
    ok(bin().args(["--lists", &sdn, "gen", "counterparties", "--rows", "100000", "--seed", "11", "-o"]).arg(&input));
    // Deterministic: the same seed gives the same file.
    let again = dir.path().join("again.csv");
    ok(bin().args(["--lists", &sdn, "gen", "counterparties", "--rows", "100000", "--seed", "11", "-o"]).arg(&again));
    assert_eq!(std::fs::read(&input).unwrap(), std::fs::read(&again).unwrap());

    ok(bin()
        .args(["--lists", &sdn, "batch"])
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .arg("--summary-json")
        .arg(&summary)
        .arg("-q"));
    let source = Table::parse(&std::fs::read_to_string(&input).unwrap());
    let t = Table::parse(&std::fs::read_to_string(&out).unwrap());
    assert_eq!(source.rows.len(), 100_000);
    assert_eq!(t.rows.len(), 100_000);
    // The reference column round-trips in order, and so does every input column.
    let refs = t.column("id_cliente");
    for (i, r) in refs.iter().enumerate() {
        assert_eq!(*r, format!("CLI-{:08}", i + 1));
    }
    for (a, b) in source.rows.iter().zip(&t.rows) {
        assert_eq!(a[..], b[..a.len()]);
    }
    let s = read_json(&summary);
    assert_eq!(s["rows"], 100_000);
    let d = &s["decisions"];
    let total: u64 = ["clear", "review", "block", "error"].iter().map(|k| d[k].as_u64().unwrap()).sum();
    assert_eq!(total, 100_000);
    assert_eq!(d["error"], 0);
    // About 1% of the rows are listed names or their variants.
    let alerts = s["alerts"].as_u64().unwrap();
    assert!((500..=3000).contains(&alerts), "{alerts} alerts");
    let decisions = t.column("decision");
    assert_eq!(decisions.iter().filter(|d| **d == "block" || **d == "review").count() as u64, alerts);
}

#[test]
fn no_screen_only_parses_and_writes() {
    let (so, se) = ok(bin().args(["batch", &fixture("cp1252_semicolon.csv"), "--no-screen"]));
    let t = Table::parse(&so);
    assert_eq!(t.rows.len(), 8);
    assert_eq!(t.get(0, "decision"), "");
    assert_eq!(t.get(3, "decision"), "error");
    assert!(se.contains("not screened"), "{se}");
}

/// Counts the physical lines of a file as the summary does: `\n`, `\r\n`
/// or a lone `\r` ends one, and a last line needs no line break.
fn physical_lines(bytes: &[u8]) -> u64 {
    let mut n = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => n += 1,
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {}
            b'\r' => n += 1,
            _ => {}
        }
        i += 1;
    }
    if !bytes.is_empty() && !matches!(bytes[bytes.len() - 1], b'\n' | b'\r') {
        n += 1;
    }
    n
}

/// Every line of the input is in the summary: before the data, in a row
/// (its first line or the continuation of a quoted field), or blank; and
/// the rows are as many as the output's.
fn assert_every_line_accounted_for(input: &[u8], s: &Value, output_rows: usize) {
    let n = |k: &str| s[k].as_u64().unwrap_or_else(|| panic!("{k} in {s}"));
    assert_eq!(n("lines"), physical_lines(input), "{s}");
    assert_eq!(n("lines"), n("preamble_lines") + n("data_lines") + n("blank_lines"), "{s}");
    assert_eq!(n("data_lines"), n("rows") + n("continuation_lines"), "{s}");
    assert_eq!(n("rows"), output_rows as u64, "{s}");
    let d = &s["decisions"];
    let decided: u64 = ["clear", "review", "block", "error"].iter().map(|k| d[k].as_u64().unwrap()).sum();
    assert_eq!(decided, n("rows"), "every row screened or in error: {s}");
}

/// Strips the UTF-8 byte-order mark the output must start with.
fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or_else(|| panic!("no byte-order mark: {:?}", &text[..text.len().min(40)]))
}

#[test]
fn a_stray_quote_costs_its_own_line_and_every_line_is_accounted_for() {
    let sdn = shared("ofac/current");
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("s.json");
    let input = fixture("unbalanced_quote.csv");
    let (o, so, se) =
        run(bin().args(["--lists", &sdn, "batch", &input, "--fail-on", "error", "--summary-json"]).arg(&summary));
    // The stray quote is an error row: --fail-on error fails the run.
    assert_eq!(o.status.code(), Some(3), "{se}");
    let t = Table::parse(&so);
    assert_eq!(t.column("Clave"), vec!["A-1", "A-2", "A-3", "A-4", "A-5", "A-6", "A-7"]);
    // A quoted field written over two lines on purpose stays one field.
    assert_eq!(t.get(1, "Notas"), "nota en\ndos líneas");
    assert_eq!(t.get(1, "Nombre"), "Comercial \"El Norte\" SA");
    assert_eq!(t.get(1, "decision"), "clear");
    // The line with the stray quote: reported with its line, read on its own.
    assert_eq!(t.get(2, "decision"), "error");
    assert!(t.get(2, "error").starts_with("unbalanced_quote (line 5)"), "{so}");
    assert_eq!(t.get(2, "Nombre"), "Transportes Pérez;MX;sin cerrar");
    // The listed names after it are screened.
    assert!(matches!(t.get(3, "decision"), "review" | "block"), "{so}");
    assert!(t.get(3, "top_match_name").contains("OSEGUERA CERVANTES"), "{so}");
    assert_eq!(t.get(4, "decision"), "block");
    assert_eq!(t.get(4, "cartel"), "CDN");
    assert_eq!(t.get(5, "Nombre"), "Abarrotes Ñandú");
    assert_eq!(t.get(5, "Notas"), "otra \"nota\"");
    assert!(matches!(t.get(6, "decision"), "review" | "block"), "{so}");
    assert_eq!(t.get(6, "cartel"), "CDG");
    let s = read_json(&summary);
    assert_every_line_accounted_for(&std::fs::read(&input).unwrap(), &s, t.rows.len());
    assert_eq!(s["rows"], 7);
    assert_eq!(s["lines"], 10);
    assert_eq!(s["continuation_lines"], 1);
    assert_eq!(s["blank_lines"], 1);
    assert_eq!(s["errors"], 1);
    assert_eq!(s["unbalanced_quotes"], 1);
    assert_eq!(s["error_samples"][0]["line"], 5);
    assert!(se.contains("10 lines: 1 up to the header"), "{se}");
    assert!(se.contains("unbalanced_quote"), "{se}");
}

#[test]
fn a_title_row_above_the_header_and_a_bom_for_excel() {
    let sdn = shared("ofac/current");
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("s.json");
    let input = fixture("title_row_cp1252.csv");
    let (so, se) = ok(bin().args(["--lists", &sdn, "batch", &input, "--summary-json"]).arg(&summary));
    assert!(se.contains("header on line 2 below 1 title row"), "{se}");
    // Windows-1252 in: the CSV out starts with a BOM so that Excel reads its accents.
    let t = Table::parse(without_bom(&so));
    assert_eq!(t.headers[..4], ["Clave", "Razón social", "Fecha de nacimiento", "País"]);
    assert_eq!(t.column("Clave"), vec!["P-1", "P-2", "P-3"]);
    assert!(matches!(t.get(0, "decision"), "review" | "block"), "{so}");
    assert!(t.get(0, "top_match_name").contains("OSEGUERA CERVANTES"), "{so}");
    assert!(t.get(0, "explanation").contains("dob match"), "{so}");
    assert_eq!(t.get(1, "decision"), "clear");
    assert_eq!(t.get(2, "cartel"), "CU");
    let s = read_json(&summary);
    assert_every_line_accounted_for(&std::fs::read(&input).unwrap(), &s, t.rows.len());
    assert_eq!((s["header_line"].as_u64(), s["title_rows"].as_u64()), (Some(2), Some(1)));
    // --skip-rows says the same; --no-bom leaves the mark out.
    let (so2, _) = ok(bin().args(["--lists", &sdn, "batch", &input, "--skip-rows", "1", "--no-bom", "-q"]));
    assert!(so2.starts_with("Clave,"), "{so2}");
    assert_eq!(Table::parse(&so2).column("decision"), t.column("decision"));
    // Without a title, a UTF-8 file gets no BOM unless asked.
    let (so, _) = ok(bin().args(["batch", &fixture("pipes_quoted.csv"), "-q"]));
    assert!(!so.starts_with('\u{feff}'));
    let (so, _) = ok(bin().args(["batch", &fixture("pipes_quoted.csv"), "-q", "--bom"]));
    assert!(so.starts_with('\u{feff}'));
}

/// An xlsx export as compliance teams have them: a title, a blank row, the
/// header, dates of birth as date cells, identifiers as numbers.
fn export_xlsx(path: &Path) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let date = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    let sheet = book.add_worksheet();
    sheet.set_name("Proveedores").unwrap();
    sheet.write_string(0, 0, "Reporte de proveedores al 30/11/2026").unwrap();
    for (i, h) in ["Clave", "Razón social", "Fecha de nacimiento", "País"].iter().enumerate() {
        sheet.write_string(2, i as u16, *h).unwrap();
    }
    let rows: [(f64, &str, Option<f64>, &str); 4] = [
        // 24305 is 17/07/1966, the listed date of birth.
        (1001.0, "OSEGUERA CERVANTES, Ruben", Some(24305.0), "México"),
        (1002.0, "Panadería Doña Rosa", None, "México"),
        (1003.0, "Los Zetas", None, "MX"),
        (1004.0, "Ana Lucía Ñúñez Pérez", Some(31048.0), "México"),
    ];
    for (i, (id, name, dob, country)) in rows.iter().enumerate() {
        let r = 3 + i as u32;
        sheet.write_number(r, 0, *id).unwrap();
        sheet.write_string(r, 1, *name).unwrap();
        if let Some(d) = dob {
            sheet.write_number_with_format(r, 2, *d, &date).unwrap();
        }
        sheet.write_string(r, 3, *country).unwrap();
    }
    let other = book.add_worksheet();
    other.set_name("Clientes").unwrap();
    other.write_string(0, 0, "Nombre").unwrap();
    other.write_string(1, 0, "Cártel del Golfo").unwrap();
    book.save(path).unwrap();
}

#[test]
fn spreadsheets_in_and_out() {
    use calamine::Reader;
    let sdn = shared("ofac/current");
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("proveedores.xlsx");
    export_xlsx(&input);
    let summary = dir.path().join("s.json");
    let (so, se) = ok(bin().args(["--lists", &sdn, "batch"]).arg(&input).arg("--summary-json").arg(&summary));
    assert!(se.contains("xlsx sheet 'Proveedores', header on line 3 below 1 title row"), "{se}");
    let t = Table::parse(without_bom(&so));
    assert_eq!(t.column("Clave"), vec!["1001", "1002", "1003", "1004"]);
    assert_eq!(t.get(0, "Fecha de nacimiento"), "1966-07-17");
    assert!(matches!(t.get(0, "decision"), "review" | "block"), "{so}");
    assert!(t.get(0, "explanation").contains("dob match"), "{so}");
    assert_eq!(t.get(0, "warnings"), "");
    assert_eq!(t.get(1, "decision"), "clear");
    assert_eq!(t.get(2, "cartel"), "CDN");
    assert_eq!(t.get(3, "Fecha de nacimiento"), "1985-01-01");
    assert_eq!(t.get(3, "decision"), "clear");
    let s = read_json(&summary);
    assert_eq!(s["source"], "xlsx");
    assert_eq!(s["sheet"], "Proveedores");
    assert_eq!(s["lines"], 7);
    assert_eq!(
        s["lines"].as_u64().unwrap(),
        ["preamble_lines", "data_lines", "blank_lines"].iter().map(|k| s[k].as_u64().unwrap()).sum::<u64>()
    );
    assert_eq!(s["rows"], 4);

    // Another sheet by name; an unknown one is refused with the names.
    let (so, _) = ok(bin().args(["batch"]).arg(&input).args(["--sheet", "Clientes", "-q"]));
    assert_eq!(Table::parse(without_bom(&so)).column("cartel"), vec!["CDG"]);
    let (o, _, se) = run(bin().args(["batch"]).arg(&input).args(["--sheet", "Hoja1"]));
    assert_eq!(o.status.code(), Some(2));
    assert!(se.contains("no sheet `Hoja1` (its sheets: Proveedores, Clientes)"), "{se}");

    // Out as xlsx: the same rows, read back with calamine.
    let out = dir.path().join("out.xlsx");
    ok(bin().args(["--lists", &sdn, "batch"]).arg(&input).args(["--format", "xlsx", "-q", "-o"]).arg(&out));
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&out).unwrap();
    let range = book.worksheet_range("results").unwrap();
    let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[0][4], "decision");
    assert_eq!(rows[0].len(), 4 + RESULT_COLUMNS.len());
    let decisions: Vec<&str> = rows[1..].iter().map(|r| r[4].as_str()).collect();
    assert_eq!(decisions, t.column("decision"));
    assert!(matches!(range.get((1, 5)), Some(calamine::Data::Float(_))), "the score is a number");
    // An xlsx workbook is not written to a terminal, and is not a CSV.
    let (o, _, _) = run(bin().args(["batch", &fixture("bom_utf8.csv"), "--format", "xlsx", "-q"]));
    assert!(o.status.success(), "to a pipe it is fine");
    assert!(o.stdout.starts_with(b"PK\x03\x04"));
}

#[test]
fn a_file_that_is_not_a_table_is_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let (o, so, se) = run(bin().args(["batch", &fixture("compressed_export.csv"), "-o"]).arg(&out));
    assert_eq!(o.status.code(), Some(2), "{se}");
    assert!(se.contains("a compressed archive (application/gzip, .gz), not a CSV file or a spreadsheet"), "{se}");
    // Nothing of the file reaches the terminal.
    assert!(se.bytes().all(|b| b >= 0x20 || b == b'\n'), "{se:?}");
    assert!(so.is_empty());
    assert!(!out.exists());
    let png = dir.path().join("logo.csv");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89").unwrap();
    let (o, _, se) = run(bin().args(["batch"]).arg(&png));
    assert_eq!(o.status.code(), Some(2));
    assert!(se.contains("an image (image/png, .png)"), "{se}");
}

#[test]
fn an_ods_sheet_with_a_date_cell() {
    let sdn = shared("ofac/current");
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("s.json");
    let (so, se) =
        ok(bin().args(["--lists", &sdn, "batch", &fixture("proveedores.ods"), "--summary-json"]).arg(&summary));
    assert!(se.contains("ods sheet 'Proveedores', header on line 2 below 1 title row"), "{se}");
    let t = Table::parse(without_bom(&so));
    assert_eq!(t.column("Clave"), vec!["1", "2", "3"]);
    assert_eq!(t.get(0, "Fecha de nacimiento"), "1966-07-17");
    assert!(t.get(0, "top_match_name").contains("OSEGUERA CERVANTES"), "{so}");
    assert!(t.get(0, "flags").contains("dob_match"), "{so}");
    assert_eq!(t.get(1, "decision"), "clear");
    assert_eq!(t.get(2, "cartel"), "CDN");
    let s = read_json(&summary);
    assert_eq!(s["source"], "ods");
    assert_eq!(
        (s["lines"].as_u64(), s["preamble_lines"].as_u64(), s["data_lines"].as_u64()),
        (Some(5), Some(2), Some(3))
    );
}

/// A legacy Excel 97-2003 workbook (BIFF8, Windows-1252 strings; made by
/// `tests/data/batch/make_xls.py`): title row, date cells, a second sheet.
#[test]
fn a_legacy_xls_workbook() {
    let sdn = shared("ofac/current");
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("s.json");
    let (so, se) =
        ok(bin().args(["--lists", &sdn, "batch", &fixture("proveedores.xls"), "--summary-json"]).arg(&summary));
    assert!(se.contains("xls sheet 'Proveedores', header on line 3 below 1 title row"), "{se}");
    let t = Table::parse(without_bom(&so));
    assert_eq!(t.column("Clave"), vec!["2001", "2002", "2003", "2004"]);
    assert_eq!(t.get(0, "Fecha de nacimiento"), "1966-07-17");
    assert_eq!(t.get(0, "decision"), "block", "{so}");
    assert!(t.get(0, "flags").contains("dob_match"), "{so}");
    assert_eq!(t.get(0, "cartel"), "CJNG");
    assert_eq!(t.get(1, "Razón social"), "Ferretería El Puerto de Mazatlán");
    assert_eq!(t.get(1, "decision"), "clear");
    assert_eq!(t.get(2, "cartel"), "CDN");
    assert_eq!(t.get(3, "Fecha de nacimiento"), "1990-03-05");
    assert_eq!(t.get(3, "decision"), "clear");
    let s = read_json(&summary);
    assert_eq!(s["source"], "xls");
    assert_eq!((s["lines"].as_u64(), s["rows"].as_u64()), (Some(7), Some(4)));
    let (so, _) = ok(bin().args(["batch", &fixture("proveedores.xls"), "--sheet", "Clientes", "-q"]));
    assert_eq!(Table::parse(without_bom(&so)).column("cartel"), vec!["CDG"]);
}
