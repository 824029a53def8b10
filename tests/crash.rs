//! Killed with SIGKILL in the middle of a batch upload and of concurrent API
//! calls, the service loses no acknowledged result: after a restart every
//! result that left the server is in the audit trail, the database is
//! consistent, and the service starts normally. Run on SQLite, and on
//! PostgreSQL when CARTELSCREEN_TEST_POSTGRES_URL names a server.

mod common;

use std::collections::HashSet;
use std::io::{BufRead, Read};
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{bin, shared};

fn start(env: &[(&str, String)], sdn: &str) -> (Child, String) {
    let mut c = bin();
    for (k, v) in env {
        c.env(k, v);
    }
    let mut child = c
        .env("CARTELSCREEN__AUTH__REQUIRED", "false")
        .env("CARTELSCREEN__RELOAD__WATCH", "false")
        .env("CARTELSCREEN__RATE_LIMIT__PER_SECOND", "0")
        .env("CARTELSCREEN__LOG__LEVEL", "warn")
        .args(["--lists", sdn, "serve", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let address = line.trim().strip_prefix("listening on http://").unwrap_or_else(|| panic!("{line}")).to_string();
    (child, address)
}

fn run_on(env: Vec<(&'static str, String)>, check: impl Fn()) {
    let sdn = shared("ofac/2024-05-03");
    let dir = tempfile::tempdir().unwrap();
    let rows = dir.path().join("rows.csv");
    let out =
        bin().args(["--lists", &sdn, "gen", "counterparties", "--rows", "400000", "-o"]).arg(&rows).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let (mut server, address) = start(&env, &sdn);
    let client = reqwest::blocking::Client::builder().timeout(Duration::from_secs(120)).build().unwrap();

    // Concurrent single screenings: the request ids of those answered 200.
    let stop = Arc::new(AtomicBool::new(false));
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let callers: Vec<_> = (0..4)
        .map(|t| {
            let (stop, acked, client, address) = (stop.clone(), acked.clone(), client.clone(), address.clone());
            std::thread::spawn(move || {
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let body = serde_json::json!({"name": format!("Comercial Norte {t} {i}"), "reference": format!("T{t}-{i}")});
                    let Ok(r) = client.post(format!("http://{address}/v1/screen")).json(&body).send() else { return };
                    if r.status() != 200 {
                        return;
                    }
                    let Ok(v) = r.json::<serde_json::Value>() else { return };
                    acked.lock().unwrap().push(v["request_id"].as_str().unwrap().to_string());
                }
            })
        })
        .collect();

    // A batch upload read as it streams back: the rows whose result arrived.
    let upload = {
        let (client, address, rows) = (client.clone(), address.clone(), rows.clone());
        std::thread::spawn(move || {
            let file = std::fs::File::open(&rows).unwrap();
            let mut r = client
                .post(format!("http://{address}/v1/batch"))
                .header("content-type", "text/csv")
                .body(reqwest::blocking::Body::new(file))
                .send()
                .unwrap();
            assert_eq!(r.status(), 200);
            let id = r.headers()["x-request-id"].to_str().unwrap().to_string();
            let mut received = Vec::new();
            let mut buf = [0u8; 64 << 10];
            loop {
                match r.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => received.extend_from_slice(&buf[..n]),
                }
            }
            // Whole lines only, minus the header.
            let complete = received.iter().filter(|&&b| b == b'\n').count().saturating_sub(1);
            (id, complete)
        })
    };

    std::thread::sleep(Duration::from_millis(2500));
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    for c in callers {
        c.join().unwrap();
    }
    let (upload_id, rows_received) = upload.join().unwrap();
    let acked = acked.lock().unwrap().clone();
    assert!(!acked.is_empty(), "no screening was answered before the kill");
    assert!(rows_received > 0, "no batch row came back before the kill");
    assert!(rows_received < 400_000, "the batch finished before the kill; the test proves nothing");

    // Restart on the same trail: the service starts and answers.
    let (mut server, address) = start(&env, &sdn);
    let ready = client.get(format!("http://{address}/readyz")).send().unwrap();
    assert_eq!(ready.status(), 200);

    let export = bin()
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .args(["audit", "export", "--format", "jsonl"])
        .output()
        .unwrap();
    assert!(export.status.success(), "{}", String::from_utf8_lossy(&export.stderr));
    let uids: HashSet<String> = export
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(&l.unwrap()).unwrap()["uid"].as_str().unwrap().to_string())
        .collect();
    let missing: Vec<&String> = acked.iter().filter(|id| !uids.contains(*id)).collect();
    assert!(missing.is_empty(), "{} of {} acknowledged screenings are not on record", missing.len(), acked.len());
    for row in 1..=rows_received {
        assert!(uids.contains(&format!("{upload_id}/{row}")), "batch row {row} left the server but is not on record");
    }
    eprintln!(
        "killed mid-run: {} screenings and {rows_received} batch rows acknowledged, all {} on record",
        acked.len(),
        acked.len() + rows_received
    );
    check();
    server.kill().unwrap();
    server.wait().unwrap();
}

#[test]
fn sigkill_loses_no_acknowledged_result_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.sqlite3");
    let env = vec![("CARTELSCREEN__AUDIT__SQLITE_PATH", path.to_string_lossy().into_owned())];
    run_on(env, || {
        let store = cartelscreen::store::sqlite::SqliteStore::open(&path).unwrap();
        cartelscreen::store::Store::check(&store).expect("the database is consistent after the kill");
    });
}

#[test]
fn sigkill_loses_no_acknowledged_result_on_postgres() {
    let Some(url) = cartelscreen::store::postgres::test_url() else {
        eprintln!("CARTELSCREEN_TEST_POSTGRES_URL is not set: PostgreSQL run skipped");
        return;
    };
    let env = vec![("CARTELSCREEN__AUDIT__URL", url.clone())];
    run_on(env, || {
        let store = cartelscreen::store::postgres::PostgresStore::connect(&url).unwrap();
        cartelscreen::store::Store::check(&store).expect("the database answers after the kill");
    });
}
