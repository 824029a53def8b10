//! The `cartelscreen` binary driven as a user drives it: commands, flags,
//! JSON output, exit codes, and the real list files from `../shared`.

use std::process::{Command, Output};

use crate::common::{bin, shared};

use serde_json::Value;

fn fixture(p: &str) -> String {
    format!("{}/tests/data/{p}", env!("CARGO_MANIFEST_DIR"))
}

fn run(c: &mut Command) -> (Output, String, String) {
    let out = c.output().expect("binary runs");
    let so = String::from_utf8_lossy(&out.stdout).into_owned();
    let se = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, so, se)
}

fn json(c: &mut Command) -> Value {
    let (out, so, se) = run(c);
    assert!(out.status.success(), "exit {:?}\nstdout: {so}\nstderr: {se}", out.status);
    serde_json::from_str(&so).unwrap_or_else(|e| panic!("not JSON ({e}): {so}"))
}

fn flags(v: &Value) -> Vec<String> {
    v["flags"].as_array().unwrap().iter().map(|f| f.as_str().unwrap().to_string()).collect()
}

#[test]
fn screens_the_embedded_cartels_with_no_list_given() {
    let (out, so, _) = run(bin().args(["screen", "Cartel de Jalisco Nueva Generacion"]));
    assert!(out.status.success());
    assert!(so.contains("BLOCK"), "{so}");
    assert!(so.contains("cs-cjng"), "{so}");
    let v = json(bin().args(["screen", "CJNG", "--json"]));
    assert_eq!(v["decision"], "block");
    assert!(flags(&v).contains(&"fto_cartel".to_string()));
    assert_eq!(v["matches"][0]["entity_id"], "cs-cjng");
    assert_eq!(v["matches"][0]["cartel_ties"][0]["cartel"], "CJNG");
    assert_eq!(v["lists"][0]["dataset"], "cartelscreen_fto_cartels");
    let v = json(bin().args(["screen", "Panadería Santa Fe", "--json"]));
    assert_eq!(v["decision"], "clear");
}

#[test]
fn screens_a_listed_leader_on_the_real_sdn_list() {
    let sdn = shared("ofac/current");
    let v = json(bin().args([
        "--lists",
        &sdn,
        "screen",
        "Rubén Oseguera Cervantes",
        "--type",
        "person",
        "--dob",
        "1966-07-17",
        "--country",
        "MX",
        "--json",
    ]));
    assert_eq!(v["decision"], "block");
    let m = &v["matches"][0];
    assert_eq!(m["entity_id"], "ofac-17674");
    assert_eq!(m["list"], "us_ofac_sdn");
    let f = flags(m);
    for want in ["sanctions_match", "cartel_network", "dob_match", "secondary_sanctions_risk"] {
        assert!(f.contains(&want.to_string()), "{want} missing from {f:?}");
    }
    let path: Vec<&str> =
        m["cartel_ties"][0]["path"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(path, ["ofac-17674", "ofac-17671"]);
    assert!(m["explanation"]["name"]["tokens"].as_array().unwrap().len() >= 3);
    // The weak alias alone alerts but is capped at review.
    let v = json(bin().args(["screen", "El Mencho", "--json", "--lists", &sdn]));
    assert_eq!(v["decision"], "review");
    assert!(flags(&v).contains(&"weak_alias_only".to_string()));
    // A listed CURP is definitive whatever the name.
    let v = json(bin().args(["--lists", &sdn, "screen", "Juan Pérez", "--id", "OECR-660717-HMNSRB00", "--json"]));
    assert_eq!(v["decision"], "block");
    assert_eq!(v["matches"][0]["entity_id"], "ofac-17674");
    assert!(flags(&v).contains(&"identifier_match".to_string()));
}

#[test]
fn evasion_characters_are_neutralised_and_flagged() {
    let v = json(bin().args(["screen", "C\u{200B}árteles Un\u{0456}dos", "--json"]));
    assert_eq!(v["matches"][0]["entity_id"], "cs-cu");
    assert!(v["decision"] != "clear");
    assert!(flags(&v).contains(&"possible_evasion".to_string()));
    let ev: Vec<&str> = v["evasion"].as_array().unwrap().iter().map(|e| e.as_str().unwrap()).collect();
    assert_eq!(ev, ["invisible_character", "homoglyph"]);
}

#[test]
fn vessels_and_banks_are_screened_by_imo_mmsi_and_bic() {
    let sdn = shared("ofac/current");
    // ARTAVIL, SDN 15036: `IMO 9187629; MMSI 572469210`, flag Iran, call sign T2EU4.
    for flag in [["--imo", "IMO 9187629"], ["--mmsi", "572469210"]] {
        let v = json(bin().args(["--lists", &sdn, "screen", "--json"]).args(flag));
        assert_eq!(v["decision"], "block", "{flag:?}: {v}");
        assert_eq!(v["matches"][0]["entity_id"], "ofac-15036", "{flag:?}");
        assert!(flags(&v).contains(&"identifier_only".to_string()), "{v}");
    }
    let v = json(bin().args(["--lists", &sdn, "screen", "Artavil", "--type", "vessel", "--flag", "IR"]).args([
        "--call-sign",
        "T2EU4",
        "--json",
    ]));
    let m = v["matches"].as_array().unwrap().iter().find(|m| m["entity_id"] == "ofac-15036").expect("ARTAVIL");
    let features: Vec<&str> =
        m["explanation"]["adjustments"].as_array().unwrap().iter().filter_map(|a| a["feature"].as_str()).collect();
    assert!(features.contains(&"flag") && features.contains(&"call_sign"), "{features:?}");
    // HAVIN BANK LIMITED, SDN 906: `SWIFT/BIC HAVIGB2L`; its branch BIC11 matches.
    let v = json(bin().args(["--lists", &sdn, "screen", "Havana Intl Bank London", "--bic", "HAVIGB2LXXX", "--json"]));
    assert_eq!(v["decision"], "block", "{v}");
    assert_eq!(v["matches"][0]["entity_id"], "ofac-906");
    // A malformed IMO is refused with the API's code, not dropped.
    let (out, _, se) = run(bin().args(["--lists", &sdn, "screen", "Artavil", "--imo", "9187628"]));
    assert!(!out.status.success());
    assert!(se.contains("invalid_identifier"), "{se}");
    // Without a name, one of the identifiers is needed.
    let (out, _, se) = run(bin().args(["screen", "--flag", "IR"]));
    assert_eq!(out.status.code(), Some(2), "{se}");
}

#[test]
fn explain_prints_the_breakdown_of_one_pair() {
    let sdn = shared("ofac/current");
    let (out, so, _) = run(bin().args(["--lists", &sdn, "explain", "Ruben Oseguera", "ofac-17674"]));
    assert!(out.status.success());
    assert!(so.contains("oseguera") && so.contains("exact"), "{so}");
    assert!(so.contains("cervantes") && so.contains("unmatched"), "{so}");
    let v = json(bin().args(["--lists", &sdn, "explain", "Ruben Oseguera", "ofac-17674", "--json"]));
    assert_eq!(v["entity_id"], "ofac-17674");
    let (out, _, se) = run(bin().args(["explain", "x", "ofac-1"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(se.contains("no entity"), "{se}");
}

#[test]
fn lists_show_reports_versions_and_network_sizes() {
    let v = json(bin().args([
        "lists",
        "show",
        "--json",
        "--lists",
        &shared("ofac/current"),
        "--lists",
        &shared("ofac-consolidated/2025-12-19"),
        "--lists",
        &shared("un/2026-02-27"),
    ]));
    let lists = v["lists"].as_array().unwrap();
    let names: Vec<&str> = lists.iter().map(|l| l["dataset"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["cartelscreen_fto_cartels", "us_ofac_sdn", "us_ofac_cons", "un_sc_sanctions", "cartelscreen_affiliations"]
    );
    assert_eq!(lists[1]["entries"], 14972);
    assert_eq!(lists[2]["entries"], 442);
    assert_eq!(lists[3]["entries"], 1003);
    assert_eq!(lists[3]["published"], "2026-02-27");
    assert_eq!(lists[1]["sha256"].as_str().unwrap().len(), 64);
    let cjng = v["networks"].as_array().unwrap().iter().find(|n| n["code"] == "CJNG").unwrap();
    assert!(cjng["network_size"].as_u64().unwrap() >= 60, "{cjng}");
    assert!(cjng["by_basis"]["list"].as_u64().unwrap() >= 9, "{cjng}");
    assert!(cjng["by_basis"]["source"].as_u64().unwrap() >= 40, "{cjng}");
    assert_eq!(cjng["ofac_id"], "ofac-17671");
    assert!(v["affiliations"]["resolved"].as_u64().unwrap() >= 200, "{}", v["affiliations"]);
    assert!(v["affiliations"]["absent"].as_array().unwrap().len() <= 5, "{}", v["affiliations"]);
}

#[test]
fn eval_reports_figures_and_enforces_bounds() {
    let cases = fixture("cases/cartels.csv");
    let v = json(bin().args(["eval", "--cases", &cases, "--json"]));
    assert_eq!(v["cases"], 9);
    assert_eq!(v["positives"], 7);
    assert_eq!(v["negatives"], 2);
    assert_eq!(v["recall"], 1.0);
    assert_eq!(v["alert_rate"], 0.0);
    assert!(v["classes"]["negative"]["recall"].is_null());
    assert!(v["classes"]["cartel"]["alert_rate"].is_null());
    let (out, _, _) = run(bin().args(["eval", "--cases", &cases, "--min-recall", "0.9", "--max-alert-rate", "0"]));
    assert_eq!(out.status.code(), Some(0));
    // A bound that cannot hold fails the run (exit 1) for pipelines.
    let (out, _, se) = run(bin().args(["eval", "--cases", &cases, "--min-recall", "1.01"]));
    assert_eq!(out.status.code(), Some(1), "{se}");
    let v = json(bin().args(["eval", "--pairs", &fixture("cases/pairs.csv"), "--json"]));
    assert_eq!(v["pairs"], 4);
    assert_eq!(v["f1"], 1.0);
    assert!(v["groups"]["g2"].is_object());
}

#[test]
fn bad_input_is_refused_clearly() {
    let (out, _, se) = run(bin().args(["screen", "X", "--type", "spaceship"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(se.contains("spaceship"), "{se}");
    let (out, _, se) = run(bin().args(["screen", "   "]));
    assert_eq!(out.status.code(), Some(2));
    assert!(se.contains("empty"), "{se}");
    let (out, _, se) = run(bin().args(["screen", "X", "--dob", "17/13/1966"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(se.contains("dob"), "{se}");
    let (out, _, se) = run(bin().args(["--lists", "/nonexistent/lists", "screen", "X"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(se.contains("/nonexistent/lists"), "{se}");
    let (out, _, se) = run(bin().env("CARTELSCREEN__MATCHING__REVIEW_THRESHOLD", "2.0").args(["screen", "X"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(se.contains("threshold"), "{se}");
}

#[test]
fn a_truncated_list_is_rejected_with_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let sdn = std::fs::read(shared("ofac/current/sdn.csv")).unwrap();
    // Cut in the middle of a row, as an interrupted download would.
    std::fs::write(dir.path().join("sdn.csv"), &sdn[..sdn.len() / 2 + 17]).unwrap();
    let (out, _, se) = run(bin().args(["--lists", dir.path().to_str().unwrap(), "screen", "X"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(se.contains("sdn.csv"), "{se}");
}

#[test]
fn configuration_layers_file_then_environment() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("strict.toml");
    std::fs::write(&cfg, "[matching]\nreview_threshold = 0.99\nblock_threshold = 0.995\n").unwrap();
    let sdn = shared("ofac/current");
    let base = json(bin().args(["--lists", &sdn, "screen", "Ruben Oseguera", "--json"]));
    assert_eq!(base["decision"], "review");
    let strict =
        json(bin().args(["--config", cfg.to_str().unwrap(), "--lists", &sdn, "screen", "Ruben Oseguera", "--json"]));
    assert_eq!(strict["decision"], "clear");
    let env = json(
        bin()
            .env("CARTELSCREEN__MATCHING__REVIEW_THRESHOLD", "0.5")
            .env("CARTELSCREEN__MATCHING__REPORT_THRESHOLD", "0.4")
            .args(["--config", cfg.to_str().unwrap(), "--lists", &sdn, "screen", "Ruben Oseguera", "--json"]),
    );
    assert_eq!(env["decision"], "review", "the environment overrides the file");
    let off = json(bin().env("CARTELSCREEN__LISTS__EMBEDDED_CARTELS", "false").args(["screen", "CJNG", "--json"]));
    assert_eq!(off["decision"], "clear");
    let left: Vec<&str> = off["lists"].as_array().unwrap().iter().map(|l| l["dataset"].as_str().unwrap()).collect();
    assert_eq!(left, ["cartelscreen_affiliations"], "only the registry, which ties nothing without lists");
}

#[test]
fn gen_writes_reproducible_cases_the_eval_reads() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv");
    let sdn = shared("ofac/current");
    for p in [&a, &b] {
        let (out, _, se) =
            run(bin().args(["--lists", &sdn, "gen", "variants", "--per-entity", "3", "-o", p.to_str().unwrap()]));
        assert!(out.status.success(), "{se}");
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let v = json(bin().args(["--lists", &sdn, "eval", "--cases", a.to_str().unwrap(), "--json"]));
    assert!(v["positives"].as_u64().unwrap() > 1000);
    assert!(v["recall"].as_f64().unwrap() > 0.9, "{v}");
    let n = dir.path().join("n.csv");
    let (out, _, _) = run(bin().args(["gen", "negatives", "--count", "300", "-o", n.to_str().unwrap()]));
    assert!(out.status.success());
    let v = json(bin().args(["--lists", &sdn, "eval", "--cases", n.to_str().unwrap(), "--json"]));
    assert_eq!(v["negatives"], 300);
}

#[test]
fn serve_check_config_validates_and_loads_then_exits() {
    // The defaults require API keys and configure none: every request
    // would be refused, so the check fails and says what to do.
    let (out, _, se) = run(bin().args(["serve", "--check-config"]));
    assert_eq!(out.status.code(), Some(2), "{se}");
    assert!(se.contains("no API key is configured") && se.contains("keys create"), "{se}");
    let dev = format!("{}/config/development.toml", env!("CARGO_MANIFEST_DIR"));
    let (out, so, se) = run(bin().args(["--config", &dev, "serve", "--check-config"]));
    assert!(out.status.success(), "{se}");
    assert!(so.starts_with("configuration valid; 2 lists, 6 entities"), "{so}");
    assert!(so.contains("(auth off)"), "{so}");

    let dir = tempfile::tempdir().unwrap();
    let bad = [
        ("[matching]\nreview_threshold = 1.5\n", "thresholds"),
        ("[server]\nmax_body_bytes = 0\n", "max_body_bytes"),
        ("[auth]\nkeys = [{ id = \"a\", sha256 = \"plaintext-key\", scopes = [\"screen\"] }]\n", "sha256"),
        ("[auth]\nkeys = [{ id = \"a\", sha256 = \"0000000000000000000000000000000000000000000000000000000000000000\", scopes = [\"root\"] }]\n", "root"),
        ("[server]\nprot = 80\n", "prot"),
        ("[log]\nformat = \"xml\"\n", "xml"),
    ];
    for (i, (text, needle)) in bad.iter().enumerate() {
        let cfg = dir.path().join(format!("bad{i}.toml"));
        std::fs::write(&cfg, text).unwrap();
        let (out, _, se) = run(bin().args(["--config", cfg.to_str().unwrap(), "serve", "--check-config"]));
        assert_eq!(out.status.code(), Some(2), "{text} was accepted");
        assert!(se.contains(needle), "{text}: {se}");
    }
    // A list that does not load fails the check too.
    let (out, _, se) = run(bin().args(["--lists", &fixture("native-invalid"), "serve", "--check-config"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(se.contains("native-invalid"), "{se}");
}

#[test]
fn keys_create_prints_a_key_once_and_its_hash_entry() {
    let v = json(bin().args(["keys", "create", "--id", "erp", "--scope", "screen", "--scope", "admin", "--json"]));
    let key = v["key"].as_str().unwrap();
    assert!(key.starts_with("csk_") && key.len() == 68);
    assert_eq!(v["entry"]["id"], "erp");
    assert_eq!(v["entry"]["sha256"], cartelscreen::http::apikey::hash(key));
    assert_eq!(v["entry"]["scopes"], serde_json::json!(["screen", "admin"]));
    let (out, so, _) = run(bin().args(["keys", "create", "--id", "erp"]));
    assert!(out.status.success());
    assert!(so.contains("[[auth.keys]]") && so.contains("scopes = [\"screen\"]"), "{so}");
    let (out, _, se) = run(bin().args(["keys", "create", "--id", "x", "--scope", "root"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(se.contains("root") && se.contains("--scope"), "refused when the command line is read: {se}");
}

/// Starts `cartelscreen serve` on a free port, keys off, JSON logs on a
/// pipe; returns the child and its address.
fn start_server(args: &[&str]) -> (std::process::Child, String) {
    crate::common::serve(
        bin()
            .env("CARTELSCREEN__AUTH__REQUIRED", "false")
            .env("CARTELSCREEN__LOG__FORMAT", "json")
            .env("CARTELSCREEN__RELOAD__WATCH", "false")
            .args(args)
            .stderr(std::process::Stdio::piped()),
    )
}

#[test]
fn sigterm_lets_a_request_in_flight_finish_then_exits_cleanly() {
    use std::io::{Read, Write};
    let (mut child, address) = start_server(&[]);
    let body = r#"{"name": "Cartel de Jalisco Nueva Generacion", "reference": "in-flight"}"#;
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    write!(
        stream,
        "POST /v1/screen HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    stream.write_all(&body.as_bytes()[..10]).unwrap();
    stream.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));

    let kill = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    std::thread::sleep(std::time::Duration::from_millis(300));
    // The request is half sent: the server waits for it rather than exiting.
    assert!(child.try_wait().unwrap().is_none(), "exited with a request in flight");
    stream.write_all(&body.as_bytes()[10..]).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"reference\":\"in-flight\"") && response.contains("cs-cjng"), "{response}");

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(std::time::Instant::now() < deadline, "did not exit after SIGTERM");
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    assert!(std::net::TcpStream::connect(&address).is_err(), "still accepting after shutdown");
    let mut log = String::new();
    child.stderr.take().unwrap().read_to_string(&mut log).unwrap();
    // JSON log lines carry the request id, route, decision and latency, not the name.
    let line = log.lines().find(|l| l.contains("\"route\":\"/v1/screen\"")).unwrap_or_else(|| panic!("{log}"));
    let v: Value = serde_json::from_str(line).unwrap();
    assert_eq!(v["decision"], "block");
    assert!(v["request_id"].is_string() && v["latency_us"].is_u64());
    assert!(!log.contains("Jalisco"), "names are personal data, logged only at debug");
}

/// Peak and current resident memory of a process, in kB.
fn memory_kb(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| -> u64 {
        let line = status.lines().find(|l| l.starts_with(name)).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// Writes `rows` generated counterparty rows, about 250 bytes each, on demand.
struct GeneratedCsv {
    rows: usize,
    next: usize,
    pending: Vec<u8>,
    at: usize,
}

impl std::io::Read for GeneratedCsv {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.pending.len() {
            self.pending.clear();
            self.at = 0;
            if self.next == 0 {
                self.pending.extend_from_slice(b"id cliente;razon social;pais;notas\n");
            }
            while self.pending.len() < 64 << 10 && self.next < self.rows {
                let i = self.next;
                self.next += 1;
                let name = match i % 100 {
                    0 => "Carteles Unidos".to_string(),
                    n => format!("Comercializadora Numero {i} del Bajio {n} SA de CV"),
                };
                use std::io::Write;
                writeln!(self.pending, "R{i:07};{name};MX;{}", "observaciones del cliente ".repeat(7)).unwrap();
            }
            if self.pending.is_empty() {
                return Ok(0);
            }
        }
        let n = out.len().min(self.pending.len() - self.at);
        out[..n].copy_from_slice(&self.pending[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[test]
fn a_large_upload_streams_through_in_bounded_server_memory() {
    use std::io::Read;
    let (mut child, address) = start_server(&[]);
    let (_, rss_before) = memory_kb(child.id());
    const ROWS: usize = 400_000;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (lines, alerts) = rt.block_on(async {
        // Uploads and downloads at once, as a streaming client does.
        let mut source = GeneratedCsv { rows: ROWS, next: 0, pending: Vec::new(), at: 0 };
        let chunks = futures_util::stream::iter(std::iter::from_fn(move || {
            let mut buf = vec![0u8; 64 << 10];
            let n = source.read(&mut buf).unwrap();
            (n > 0).then(|| {
                buf.truncate(n);
                Ok::<_, std::io::Error>(buf)
            })
        }));
        let response = reqwest::Client::new()
            .post(format!("http://{address}/v1/batch"))
            .header("content-type", "text/csv")
            .body(reqwest::Body::wrap_stream(chunks))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let mut body = response.bytes_stream();
        let (mut lines, mut alerts, mut partial) = (0usize, 0usize, Vec::new());
        use futures_util::StreamExt;
        while let Some(chunk) = body.next().await {
            partial.extend_from_slice(&chunk.unwrap());
            let mut start = 0;
            while let Some(end) = partial[start..].iter().position(|b| *b == b'\n') {
                let line = std::str::from_utf8(&partial[start..start + end]).unwrap();
                if lines > 0 {
                    assert!(line.starts_with(&format!("R{:07},", lines - 1)), "row {lines} out of order: {line}");
                    if line.contains(",block,") {
                        alerts += 1;
                    }
                }
                lines += 1;
                start += end + 1;
            }
            partial.drain(..start);
        }
        (lines, alerts)
    });
    assert_eq!(lines, ROWS + 1, "one output row per input row, plus the header");
    assert_eq!(alerts, ROWS / 100);
    let (peak, _) = memory_kb(child.id());
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let _ = child.wait();
    // About 100 MB went through; the server grew by far less.
    let grown_mb = (peak.saturating_sub(rss_before)) / 1024;
    assert!(grown_mb < 60, "server peak grew by {grown_mb} MB for a 100 MB upload");
    eprintln!("400,000 rows (about 100 MB) streamed; server peak grew by {grown_mb} MB");
}

#[test]
fn lists_diff_prints_the_publishers_delta() {
    let out = bin()
        .args(["lists", "diff", &shared("ofac/2024-04-26"), &shared("ofac/2024-05-03"), "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["added"].as_array().unwrap().len(), 305);
    assert_eq!(v["removed"].as_array().unwrap().len(), 8);
    let text = bin().args(["lists", "diff", &shared("ofac/2024-04-26"), &shared("ofac/2024-05-03")]).output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("added 305, removed 8"), "{}", &text[..text.len().min(2000)]);
}

#[test]
fn screening_options_asked_over_http_are_in_the_audit_export() {
    let dir = tempfile::tempdir().unwrap();
    let trail = dir.path().join("trail.sqlite3");
    let (mut server, address) = crate::common::serve(
        bin().env("CARTELSCREEN__AUDIT__SQLITE_PATH", &trail).env("CARTELSCREEN__AUTH__REQUIRED", "false"),
    );
    let client = reqwest::blocking::Client::new();
    let body = serde_json::json!({"name": "Carteles Unidos", "reference": "opt-1",
                                  "lists": ["cartelscreen_fto_cartels"], "kinds": ["organization"], "min_score": 0.9});
    let v: serde_json::Value =
        client.post(format!("http://{address}/v1/screen")).json(&body).send().unwrap().json().unwrap();
    assert_eq!(v["decision"], "block", "{v}");
    server.kill().unwrap();
    server.wait().unwrap();
    let out = bin()
        .env("CARTELSCREEN__AUDIT__SQLITE_PATH", &trail)
        .args(["audit", "export", "--format", "jsonl"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let records: Vec<serde_json::Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let r = records.iter().find(|r| r["reference"] == "opt-1").expect("the screening is on record");
    assert_eq!(
        r["subject"]["options"],
        serde_json::json!({"min_score": 0.9, "lists": ["cartelscreen_fto_cartels"], "kinds": ["organization"]}),
        "{r}"
    );
}

#[test]
fn command_line_screenings_are_audited_and_exported() {
    let dir = tempfile::tempdir().unwrap();
    let trail = dir.path().join("trail.sqlite3");
    let run = |args: &[&str]| {
        let out = bin().env("CARTELSCREEN__AUDIT__SQLITE_PATH", &trail).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        out
    };
    run(&["screen", "Cartel de Jalisco Nueva Generacion"]);
    let csv = dir.path().join("in.csv");
    std::fs::write(&csv, "reference,name\nP-1,Los Zetas\nP-2,Panaderia La Esperanza\n,Juan Perez\n").unwrap();
    let batch = run(&["batch", csv.to_str().unwrap(), "-q", "--monitor"]);
    assert_eq!(String::from_utf8(batch.stdout).unwrap().lines().count(), 4);
    let jsonl = run(&["audit", "export", "--format", "jsonl"]);
    let records: Vec<serde_json::Value> =
        String::from_utf8(jsonl.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(records.len(), 4, "one screening and three rows");
    assert_eq!(records[0]["channel"], "cli");
    assert_eq!(records[0]["decision"], "block");
    assert!(records[0]["caller"].as_str().unwrap().starts_with("cli:"));
    assert_eq!(records[1]["channel"], "cli_batch");
    assert_eq!(records[1]["reference"], "P-1");
    assert_eq!(records[1]["item"], 1);
    let csv_out = run(&["audit", "export", "--from", "2000-01-01", "--to", "2000-01-02"]);
    assert_eq!(String::from_utf8(csv_out.stdout).unwrap().lines().count(), 1, "a header only");
    // The two rows with a reference are monitored.
    let store = cartelscreen::record::store::sqlite::SqliteStore::open(&trail).unwrap();
    assert_eq!(cartelscreen::record::store::Store::monitored_count(&store).unwrap(), 2);
}

#[test]
fn an_error_is_printed_once_and_logs_are_plain_when_not_on_a_terminal() {
    let (out, so, se) = run(bin().args(["--lists", "/nonexistent-cartelscreen-lists", "screen", "x"]));
    assert_eq!(out.status.code(), Some(2), "{so}{se}");
    assert_eq!(se.matches("No such file or directory").count(), 1, "{se}");
    assert_eq!(se.lines().filter(|l| l.starts_with("error:")).count(), 1, "{se}");
    let (out, _, se) = run(bin().args(["-v", "screen", "CJNG"]));
    assert!(out.status.success());
    assert!(se.contains("lists loaded"), "{se}");
    assert!(!se.contains('\u{1b}'), "colour codes in a log that is not a terminal: {se:?}");
}

#[test]
fn the_command_line_checks_a_counterparty_as_the_api_does() {
    for (args, code) in [
        (vec!["screen", "Juan Perez", "--dob", "1966-02-31"], "invalid_dob"),
        (vec!["screen", "Juan Perez", "--dob", "2099-01-01"], "invalid_dob"),
        (vec!["screen", "Juan Perez", "--country", "Narnia"], "invalid_country"),
        (vec!["screen", "Juan\u{7}Perez"], "invalid_name"),
    ] {
        let (out, _, se) = run(bin().args(&args));
        assert_eq!(out.status.code(), Some(2), "{args:?}: {se}");
        assert!(se.contains(code), "{args:?}: {se}");
    }
    let (out, _, se) = run(bin().args(["screen", "x", "--type", "boat"]));
    assert_eq!(out.status.code(), Some(2), "{se}");
    assert!(se.contains("possible values"), "{se}");
}

#[test]
fn files_go_to_the_data_home_never_to_the_working_directory() {
    let home = tempfile::tempdir().unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let mut c = bin();
    c.env_remove("CARTELSCREEN__AUDIT__SQLITE_PATH").env_remove("CARTELSCREEN_HOME").env_remove("XDG_DATA_HOME");
    c.env("HOME", home.path()).current_dir(cwd.path()).args(["screen", "CJNG"]);
    let (out, _, se) = run(&mut c);
    assert!(out.status.success(), "{se}");
    assert!(std::fs::read_dir(cwd.path()).unwrap().next().is_none(), "the working directory stays empty");
    assert!(home.path().join(".local/share/cartelscreen/cartelscreen.sqlite3").is_file());
    // $CARTELSCREEN_HOME wins.
    let elsewhere = tempfile::tempdir().unwrap();
    let mut c = bin();
    c.env_remove("CARTELSCREEN__AUDIT__SQLITE_PATH").env("CARTELSCREEN_HOME", elsewhere.path());
    c.current_dir(cwd.path()).args(["screen", "CJNG"]);
    assert!(run(&mut c).0.status.success());
    assert!(elsewhere.path().join("cartelscreen.sqlite3").is_file());
}

#[test]
fn audit_export_to_dash_writes_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    let trail = dir.path().join("t.sqlite3");
    let with_trail = |c: &mut Command| {
        c.env("CARTELSCREEN__AUDIT__SQLITE_PATH", &trail).current_dir(dir.path());
    };
    let mut c = bin();
    with_trail(&mut c);
    assert!(run(c.args(["screen", "CJNG"])).0.status.success());
    let mut c = bin();
    with_trail(&mut c);
    let (out, so, se) = run(c.args(["audit", "export", "--format", "jsonl", "-o", "-"]));
    assert!(out.status.success(), "{se}");
    assert_eq!(so.lines().count(), 1, "{so}");
    assert!(!dir.path().join("-").exists(), "no file named -");
}

#[test]
fn screen_by_identifier_alone_on_the_real_sdn_list() {
    let sdn = shared("ofac/current");
    // CORONA ROMERO, Alfonso (ofac-21683) carries R.F.C. CORA-650228-4Q0.
    let v = json(bin().args(["--lists", &sdn, "screen", "--id", "R.F.C. CORA 650228 4Q0", "--json"]));
    assert_eq!(v["decision"], "block", "{v}");
    assert_eq!(v["matches"][0]["entity_id"], "ofac-21683");
    assert!(flags(&v).contains(&"identifier_only".to_string()), "{v}");
    // An RFC as the SDN list writes it, its homoclave cut to two characters.
    let v = json(bin().args(["--lists", &sdn, "screen", "--id", "R.F.C. PCW010604T1", "--json"]));
    assert_eq!(
        (v["decision"].as_str(), v["matches"][0]["entity_id"].as_str()),
        (Some("block"), Some("ofac-13012")),
        "{v}"
    );
    let (out, _, se) = run(bin().args(["screen"]));
    assert_eq!(out.status.code(), Some(2), "a name or --id is required: {se}");
    let (out, _, se) = run(bin().args(["screen", "--id", "IMO 1234568"]));
    assert!(!out.status.success());
    assert!(se.contains("invalid_identifier"), "{se}");
}
