//! `cartelscreen message`: files of SWIFT MT and ISO 20022 messages as
//! banks export them, one result per message.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

use crate::common::{bin, shared};

fn fixture(p: &str) -> String {
    format!("{}/tests/data/messages/{p}", env!("CARGO_MANIFEST_DIR"))
}

fn run(c: &mut Command) -> (Output, String, String) {
    let out = c.output().expect("binary runs");
    let so = String::from_utf8_lossy(&out.stdout).into_owned();
    let se = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, so, se)
}

fn with_lists() -> Command {
    let mut c = bin();
    c.args(["--lists", &shared("ofac/current")]);
    c
}

#[test]
fn several_messages_per_file_and_a_folder_one_result_each() {
    let dir = tempfile::tempdir().unwrap();
    // An RJE export: FIN messages separated by `$` lines, one of them broken.
    let rje = format!(
        "{}$\n{}$\n{{1:F01BNMXMXMMAXXX0000000000}}{{2:I700HAVIGB2LXXXXN}}{{4:\n:20:X\n:52A:NOT A BIC\n-}}\n",
        std::fs::read_to_string(fixture("mt700_clean.fin")).unwrap(),
        std::fs::read_to_string(fixture("mt103_50k_listed.fin")).unwrap()
    );
    let file = dir.path().join("export.fin");
    std::fs::write(&file, rje).unwrap();
    let xml_dir = dir.path().join("xml");
    std::fs::create_dir(&xml_dir).unwrap();
    for f in ["pacs008_clean.xml", "pacs008_listed.xml"] {
        std::fs::copy(fixture(f), xml_dir.join(f)).unwrap();
    }
    let (out, so, se) =
        run(with_lists().args(["message", file.to_str().unwrap(), xml_dir.to_str().unwrap(), "--json"]));
    assert!(out.status.success(), "{se}");
    let v: Value = serde_json::from_str(&so).unwrap_or_else(|e| panic!("{e}: {so}"));
    let rows = v.as_array().unwrap();
    let got: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r["status"].as_str().unwrap(), r["decision"].as_str().or(r["error"]["code"].as_str()).unwrap()))
        .collect();
    assert_eq!(
        got,
        [("ok", "clear"), ("ok", "block"), ("error", "malformed_message"), ("ok", "clear"), ("ok", "block")],
        "{so}"
    );
    assert!(rows[1]["source"].as_str().unwrap().ends_with("export.fin:44"), "{}", rows[1]["source"]);
    assert_eq!(rows[1]["message"]["type"], "MT103");
    assert!(rows[2]["error"]["message"].as_str().unwrap().contains("field 52A"), "{so}");
    assert_eq!(rows[4]["message"]["type"], "pacs.008.001.08");
}

#[test]
fn standard_input_text_output_and_fail_on() {
    let mut child = with_lists()
        .args(["message", "-", "--fail-on", "review"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(std::fs::read_to_string(fixture("mt700_listed.fin")).unwrap().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let so = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{so}");
    assert!(so.starts_with("-:1  MT700  LC-2026-0042  BLOCK"), "{so}");
    assert!(so.contains("party 59 matches ofac-10366"), "{so}");
    let (out, so, _) = run(with_lists().args(["message", &fixture("mt700_clean.fin"), "--fail-on", "review"]));
    assert!(out.status.success(), "{so}");
    assert!(so.contains("CLEAR"), "{so}");
}
