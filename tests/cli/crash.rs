//! Killed with SIGKILL in the middle of a batch upload and of concurrent API
//! calls, the service loses no acknowledged result: after a restart every
//! result that left the server is in the audit trail, the database is
//! consistent, its hash chain verifies, and the service starts normally.
//! Run on SQLite, and on
//! PostgreSQL when CARTELSCREEN_TEST_POSTGRES_URL names a server.

use std::collections::HashSet;
use std::io::{BufRead, Read};
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::{bin, serve, shared};

fn start(env: &[(&str, String)], sdn: &str) -> (Child, String) {
    let mut c = bin();
    for (k, v) in env {
        c.env(k, v);
    }
    serve(
        c.env("CARTELSCREEN__AUTH__REQUIRED", "false")
            .env("CARTELSCREEN__RELOAD__WATCH", "false")
            .env("CARTELSCREEN__RATE_LIMIT__PER_SECOND", "0")
            .env("CARTELSCREEN__LOG__LEVEL", "warn")
            .args(["--lists", sdn])
            .stderr(Stdio::null()),
    )
}

/// The CSV rows received whole (names and addresses may hold quoted line
/// breaks, so lines are not rows): records with every field, up to the last
/// line break, minus the header.
fn complete_rows(body: &[u8]) -> usize {
    let end = body.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let mut r = csv::ReaderBuilder::new().has_headers(true).from_reader(&body[..end]);
    let width = r.byte_headers().map(|h| h.len()).unwrap_or(0);
    r.byte_records().take_while(|rec| rec.as_ref().is_ok_and(|rec| rec.len() == width)).count()
}

/// Reads an HTTP/1.1 response with a chunked body until it ends or the
/// connection breaks; returns the body bytes received.
fn read_chunked(stream: std::net::TcpStream) -> Vec<u8> {
    let mut r = std::io::BufReader::new(stream);
    let mut line = String::new();
    let mut chunked = false;
    loop {
        line.clear();
        if r.read_line(&mut line).unwrap_or(0) == 0 {
            return Vec::new();
        }
        if line == "\r\n" {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("http/1.1 ") {
            assert!(lower.starts_with("http/1.1 200"), "{line}");
        }
        chunked |= lower.starts_with("transfer-encoding:") && lower.contains("chunked");
    }
    assert!(chunked, "the batch response is streamed in chunks");
    let mut body = Vec::new();
    loop {
        line.clear();
        if r.read_line(&mut line).unwrap_or(0) == 0 {
            return body;
        }
        let Ok(size) = usize::from_str_radix(line.trim(), 16) else { return body };
        if size == 0 {
            return body;
        }
        let mut chunk = vec![0; size + 2];
        if r.read_exact(&mut chunk).is_err() {
            return body; // a chunk cut short by the kill is not counted
        }
        body.extend_from_slice(&chunk[..size]);
    }
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
    // Raw HTTP/1.1 over a socket, so the reading goes on while the upload
    // is still being sent, and stops cleanly when the server dies.
    let upload_id = format!("crash-upload-{}", std::process::id());
    let upload = {
        let (address, rows, upload_id) = (address.clone(), rows.clone(), upload_id.clone());
        std::thread::spawn(move || {
            let stream = std::net::TcpStream::connect(&address).unwrap();
            let mut writer = stream.try_clone().unwrap();
            let len = std::fs::metadata(&rows).unwrap().len();
            let sender = std::thread::spawn(move || {
                use std::io::Write;
                let head = format!(
                    "POST /v1/batch HTTP/1.1\r\nhost: {address}\r\ncontent-type: text/csv\r\n\
                     x-request-id: {upload_id}\r\ncontent-length: {len}\r\nconnection: close\r\n\r\n"
                );
                if writer.write_all(head.as_bytes()).is_err() {
                    return;
                }
                let _ = std::io::copy(&mut std::fs::File::open(&rows).unwrap(), &mut writer);
            });
            let received = read_chunked(stream);
            let _ = sender.join();
            complete_rows(&received)
        })
    };

    std::thread::sleep(Duration::from_millis(2500));
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    for c in callers {
        c.join().unwrap();
    }
    let rows_received = upload.join().unwrap();
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
    // The kill left the hash chain whole.
    let verify = bin().envs(env.iter().map(|(k, v)| (*k, v.as_str()))).args(["audit", "verify"]).output().unwrap();
    let said = String::from_utf8_lossy(&verify.stdout);
    assert_eq!(verify.status.code(), Some(0), "{said}{}", String::from_utf8_lossy(&verify.stderr));
    assert!(said.starts_with("intact:"), "{said}");
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
        let store = cartelscreen::record::store::sqlite::SqliteStore::open(&path).unwrap();
        cartelscreen::record::store::Store::check(&store).expect("the database is consistent after the kill");
    });
}

#[test]
fn sigkill_loses_no_acknowledged_result_on_postgres() {
    let Some(url) = cartelscreen::record::store::postgres::test_url() else {
        eprintln!("CARTELSCREEN_TEST_POSTGRES_URL is not set: PostgreSQL run skipped");
        return;
    };
    let env = vec![("CARTELSCREEN__AUDIT__URL", url.clone())];
    run_on(env, || {
        let store = cartelscreen::record::store::postgres::PostgresStore::connect(&url).unwrap();
        cartelscreen::record::store::Store::check(&store).expect("the database answers after the kill");
    });
}
