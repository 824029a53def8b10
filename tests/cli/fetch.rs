//! `lists fetch` against a local HTTP server serving the real list files:
//! good downloads are put in service, broken ones never replace them.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use cartelscreen::config::FetchSettings;
use cartelscreen::lists::fetch::{fetch_all, fetch_source, FetchReport};
use cartelscreen::lists::load_path;

fn shared_data() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    assert!(p.is_dir(), "the real list files are missing at {} (see ../shared/README.md)", p.display());
    p
}

/// Answers for paths:
/// - `/data/<path>`: the file under ../shared/data;
/// - `/mem/<name>`: bytes registered with [`Server::put`];
/// - `/short/<name>`: those bytes, announced longer than they are;
/// - `/redirect/<path>`: a 302 to `/data/<path>`;
/// - anything else: 404.
///
/// A request in absolute form (`GET http://host/path`, as sent to an HTTP
/// proxy) is answered for its path, and counted in `proxied`.
struct Server {
    addr: SocketAddr,
    memory: Arc<Mutex<HashMap<String, Vec<u8>>>>,
    proxied: Arc<std::sync::atomic::AtomicUsize>,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
        let addr = listener.local_addr().expect("local address");
        let memory: Arc<Mutex<HashMap<String, Vec<u8>>>> = Arc::default();
        let proxied: Arc<std::sync::atomic::AtomicUsize> = Arc::default();
        let (mem, counter) = (Arc::clone(&memory), Arc::clone(&proxied));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (mem, counter) = (Arc::clone(&mem), Arc::clone(&counter));
                std::thread::spawn(move || {
                    let _ = serve(stream, &mem, &counter);
                });
            }
        });
        Server { addr, memory, proxied }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn put(&self, name: &str, bytes: Vec<u8>) {
        self.memory.lock().unwrap().insert(name.to_string(), bytes);
    }
}

fn serve(
    stream: TcpStream,
    memory: &Mutex<HashMap<String, Vec<u8>>>,
    proxied: &std::sync::atomic::AtomicUsize,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" || header == "\n" {
            break;
        }
    }
    let mut path = request_line.split_whitespace().nth(1).unwrap_or("/").to_string();
    if let Some(rest) = path.strip_prefix("http://") {
        proxied.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        path = rest.find('/').map(|i| rest[i..].to_string()).unwrap_or_else(|| "/".into());
    }
    let mut out = stream;
    let respond = |out: &mut TcpStream, status: &str, extra: &str, body: &[u8], announced: usize| {
        let head = format!(
            "HTTP/1.1 {status}\r\nContent-Length: {announced}\r\nContent-Type: application/octet-stream\r\n{extra}Connection: close\r\n\r\n"
        );
        out.write_all(head.as_bytes())?;
        out.write_all(body)?;
        out.flush()
    };
    if let Some(rel) = path.strip_prefix("/data/") {
        if !rel.split('/').any(|c| c == ".." || c.is_empty()) {
            if let Ok(bytes) = std::fs::read(shared_data().join(rel)) {
                return respond(&mut out, "200 OK", "", &bytes, bytes.len());
            }
        }
    } else if let Some(rel) = path.strip_prefix("/redirect/") {
        let location = format!("Location: /data/{rel}\r\n");
        return respond(&mut out, "302 Found", &location, b"", 0);
    } else if let Some(name) = path.strip_prefix("/mem/") {
        if let Some(bytes) = memory.lock().unwrap().get(name).cloned() {
            return respond(&mut out, "200 OK", "", &bytes, bytes.len());
        }
    } else if let Some(name) = path.strip_prefix("/short/") {
        if let Some(bytes) = memory.lock().unwrap().get(name).cloned() {
            return respond(&mut out, "200 OK", "", &bytes, bytes.len() * 2);
        }
    }
    respond(&mut out, "404 Not Found", "", b"not found", 9)
}

fn read_shared(rel: &str) -> Vec<u8> {
    let p = shared_data().join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

const OFAC_FILES: [&str; 4] = ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"];

fn ofac_source(server: &Server, overrides: &[(&str, String)]) -> BTreeMap<String, String> {
    let mut files: BTreeMap<String, String> =
        OFAC_FILES.iter().map(|f| (f.to_string(), server.url(&format!("/data/ofac/current/{f}")))).collect();
    for (f, url) in overrides {
        files.insert(f.to_string(), url.clone());
    }
    files
}

fn un_source(url: String) -> BTreeMap<String, String> {
    BTreeMap::from([("consolidated.xml".to_string(), url)])
}

fn settings(sources: Vec<(&str, BTreeMap<String, String>)>) -> FetchSettings {
    FetchSettings {
        timeout_secs: 30,
        connect_timeout_secs: 5,
        retries: 0,
        retry_backoff_millis: 10,
        disabled: Vec::new(),
        sources: sources.into_iter().map(|(n, f)| (n.to_string(), f)).collect(),
    }
}

/// Every file of a folder, by name, with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let entry = entry.unwrap();
        out.insert(entry.file_name().to_string_lossy().into_owned(), std::fs::read(entry.path()).unwrap());
    }
    out
}

/// Nothing but the source folders: no staging or set-aside folders left.
fn assert_no_leftovers(data_dir: &Path) {
    let hidden: Vec<String> = std::fs::read_dir(data_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "left behind: {hidden:?}");
}

fn report<'a>(reports: &'a [FetchReport], source: &str) -> &'a FetchReport {
    reports.iter().find(|r| r.source == source).unwrap_or_else(|| panic!("no report for {source}"))
}

fn assert_failed(r: &FetchReport, needle: &str) {
    assert!(!r.ok, "{} should have failed: {r:?}", r.source);
    let e = r.error.as_deref().unwrap_or_else(|| panic!("{} has no error", r.source));
    assert!(e.contains(needle), "{}: {e:?} lacks {needle:?}", r.source);
}

#[test]
fn un_fetch_replaces_only_with_a_valid_list() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("lists");

    // Good: through a redirect.
    let good = settings(vec![("un_sc_sanctions", un_source(server.url("/redirect/un/2026-02-27/consolidated.xml")))]);
    let reports = fetch_all(&good, &data_dir).expect("fetch runs");
    let r = report(&reports, "un_sc_sanctions");
    assert!(r.ok && r.error.is_none(), "{r:?}");
    let xml = read_shared("un/2026-02-27/consolidated.xml");
    assert_eq!(r.bytes, xml.len() as u64);
    assert_eq!(r.files.len(), 1);
    assert_eq!(r.files[0].sha256.len(), 64);
    assert_eq!(r.entries, 1003);
    assert_eq!(r.lists[0].dataset, "un_sc_sanctions");
    assert_eq!(r.lists[0].published.as_deref(), Some("2026-02-27"));
    assert!(r.lists[0].source.starts_with(&data_dir.join("un_sc_sanctions").display().to_string()));
    assert!(r.summary().contains("1003 entries"), "{}", r.summary());
    let folder = data_dir.join("un_sc_sanctions");
    assert_eq!(std::fs::read(folder.join("consolidated.xml")).unwrap(), xml);
    assert_eq!(load_path(&folder).expect("loads")[0].entities.len(), 1003);
    assert_no_leftovers(&data_dir);
    let before = snapshot(&folder);

    // Truncated XML: rejected, old files kept.
    server.put("truncated.xml", xml[..xml.len() / 2].to_vec());
    let bad = settings(vec![("un_sc_sanctions", un_source(server.url("/mem/truncated.xml")))]);
    let reports = fetch_all(&bad, &data_dir).unwrap();
    assert_failed(report(&reports, "un_sc_sanctions"), "not a valid list");
    assert_eq!(snapshot(&folder), before);
    assert_no_leftovers(&data_dir);

    // An HTML error page served as 200.
    server.put("maintenance.xml", b"<html><body>Service unavailable</body></html>".to_vec());
    let bad = settings(vec![("un_sc_sanctions", un_source(server.url("/mem/maintenance.xml")))]);
    assert_failed(report(&fetch_all(&bad, &data_dir).unwrap(), "un_sc_sanctions"), "not a valid list");
    assert_eq!(snapshot(&folder), before);

    // 404.
    let bad = settings(vec![("un_sc_sanctions", un_source(server.url("/nowhere/consolidated.xml")))]);
    assert_failed(report(&fetch_all(&bad, &data_dir).unwrap(), "un_sc_sanctions"), "404");
    assert_eq!(snapshot(&folder), before);

    // The connection closes before the announced length.
    server.put("short.xml", xml.clone());
    let bad = settings(vec![("un_sc_sanctions", un_source(server.url("/short/short.xml")))]);
    assert_failed(report(&fetch_all(&bad, &data_dir).unwrap(), "un_sc_sanctions"), "download");
    assert_eq!(snapshot(&folder), before);

    // Empty body.
    server.put("empty.xml", Vec::new());
    let bad = settings(vec![("un_sc_sanctions", un_source(server.url("/mem/empty.xml")))]);
    assert_failed(report(&fetch_all(&bad, &data_dir).unwrap(), "un_sc_sanctions"), "empty response");
    assert_eq!(snapshot(&folder), before);

    // The per-source function reports the same failure as an error.
    assert!(fetch_source(&bad, "un_sc_sanctions", &data_dir).is_err());
    assert_eq!(snapshot(&folder), before);
    assert_no_leftovers(&data_dir);

    // A good fetch again replaces the folder (same content here).
    let r = fetch_source(&good, "un_sc_sanctions", &data_dir).expect("good fetch");
    assert!(r.ok);
    assert_eq!(snapshot(&folder), before);
    assert_no_leftovers(&data_dir);
}

#[test]
fn ofac_and_un_fetch_and_a_broken_sdn_never_replaces_the_good_one() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data").join("lists");

    let good = settings(vec![
        ("us_ofac_sdn", ofac_source(&server, &[])),
        ("un_sc_sanctions", un_source(server.url("/data/un/2026-02-27/consolidated.xml"))),
    ]);
    let reports = fetch_all(&good, &data_dir).expect("fetch runs");
    assert_eq!(reports.len(), 2);
    for r in &reports {
        assert!(r.ok, "{}: {:?}", r.source, r.error);
    }
    let ofac = report(&reports, "us_ofac_sdn");
    assert_eq!(ofac.files.len(), 4);
    let total: u64 = OFAC_FILES.iter().map(|f| read_shared(&format!("ofac/current/{f}")).len() as u64).sum();
    assert_eq!(ofac.bytes, total);
    assert_eq!(ofac.lists[0].dataset, "us_ofac_sdn");
    assert_eq!(ofac.entries, 14_972);
    let sdn_dir = data_dir.join("us_ofac_sdn");
    for f in OFAC_FILES {
        assert_eq!(std::fs::read(sdn_dir.join(f)).unwrap(), read_shared(&format!("ofac/current/{f}")), "{f}");
    }
    assert_eq!(load_path(&sdn_dir).expect("OFAC folder loads")[0].entities.len(), 14_972);
    assert_eq!(load_path(&data_dir.join("un_sc_sanctions")).expect("UN folder loads")[0].entities.len(), 1003);
    let json = serde_json::to_value(&reports).expect("reports serialize");
    assert_eq!(json[0]["source"], "un_sc_sanctions");
    assert_eq!(json[1]["ok"], true);
    let before_sdn = snapshot(&sdn_dir);
    let before_un = snapshot(&data_dir.join("un_sc_sanctions"));

    // sdn.csv cut in the middle of a record: the OFAC source fails, the UN
    // source (fine) is still fetched.
    let sdn = read_shared("ofac/current/sdn.csv");
    let mut cut = sdn.len() / 2;
    while cut < sdn.len() && sdn[cut] != b',' {
        cut += 1;
    }
    server.put("sdn_truncated.csv", sdn[..cut + 1].to_vec());
    let bad = settings(vec![
        ("us_ofac_sdn", ofac_source(&server, &[("sdn.csv", server.url("/mem/sdn_truncated.csv"))])),
        ("un_sc_sanctions", un_source(server.url("/data/un/2026-02-27/consolidated.xml"))),
    ]);
    let reports = fetch_all(&bad, &data_dir).unwrap();
    assert_failed(report(&reports, "us_ofac_sdn"), "not a valid list");
    assert!(report(&reports, "un_sc_sanctions").ok, "the other source still proceeds");
    assert_eq!(snapshot(&sdn_dir), before_sdn, "the SDN set in service is untouched");
    assert_eq!(snapshot(&data_dir.join("un_sc_sanctions")), before_un);
    assert_no_leftovers(&data_dir);

    // Corrupted: an HTML page instead of the CSV.
    server
        .put("sdn_html.csv", b"<!DOCTYPE html><html><body><h1>503 Service Unavailable</h1></body></html>\r\n".to_vec());
    let bad = settings(vec![("us_ofac_sdn", ofac_source(&server, &[("sdn.csv", server.url("/mem/sdn_html.csv"))]))]);
    assert_failed(report(&fetch_all(&bad, &data_dir).unwrap(), "us_ofac_sdn"), "not a valid list");
    assert_eq!(snapshot(&sdn_dir), before_sdn);

    // One of the four files is missing on the server.
    let bad = settings(vec![("us_ofac_sdn", ofac_source(&server, &[("alt.csv", server.url("/gone/alt.csv"))]))]);
    assert_failed(report(&fetch_all(&bad, &data_dir).unwrap(), "us_ofac_sdn"), "404");
    assert_eq!(snapshot(&sdn_dir), before_sdn);
    assert_no_leftovers(&data_dir);
}

#[test]
fn unsafe_names_and_unreachable_hosts_fail_cleanly() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("lists");
    let xml_url = server.url("/data/un/2026-02-27/consolidated.xml");
    let s = settings(vec![
        ("../escape", un_source(xml_url.clone())),
        ("bad_file", BTreeMap::from([("../consolidated.xml".to_string(), xml_url.clone())])),
        ("no_files", BTreeMap::new()),
        ("bad_url", un_source("not a url".to_string())),
        ("refused", un_source("http://127.0.0.1:9/consolidated.xml".to_string())),
    ]);
    let reports = fetch_all(&s, &data_dir).expect("fetch runs");
    assert_eq!(reports.len(), 5);
    for r in &reports {
        assert!(!r.ok && r.error.is_some(), "{r:?}");
    }
    assert!(!dir.path().join("escape").exists());
    assert!(!dir.path().join("consolidated.xml").exists());
    assert_eq!(std::fs::read_dir(&data_dir).unwrap().count(), 0, "nothing written");
}

/// `lists fetch` run as a user runs it: through the proxy `HTTP_PROXY`
/// names (the publisher's host does not even resolve here), each failure
/// printed once with the address tried and how to download by hand; a cut,
/// partial or shrunken set refused, the set in service kept; a shrink put
/// in service when the operator accepts it; `NO_PROXY` honoured.
#[test]
fn the_fetch_command_uses_the_proxy_and_refuses_cut_partial_and_shrunk_sets() {
    use std::sync::atomic::Ordering;
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("lists");
    let config = dir.path().join("fetch.toml");
    let publisher = |f: &str| format!("http://publisher.invalid/mem/{f}");
    let mut text = String::from(
        "[fetch]\nretries = 0\nconnect_timeout_secs = 5\ndisabled = [\"us_ofac_sdn\", \"us_ofac_cons\", \"un_sc_sanctions\"]\n",
    );
    text.push_str("\n[fetch.sources.mirror]\n");
    for f in OFAC_FILES {
        text.push_str(&format!("{f:?} = {:?}\n", publisher(f)));
    }
    text.push_str("\n[fetch.sources.mirror_partial]\n");
    for f in ["sdn.csv", "add.csv", "sdn_comments.csv"] {
        text.push_str(&format!("{f:?} = {:?}\n", publisher(f)));
    }
    std::fs::write(&config, text).unwrap();
    for f in OFAC_FILES {
        server.put(f, read_shared(&format!("ofac/current/{f}")));
    }
    let fetch = |args: &[&str], proxy: bool| {
        let mut c = crate::common::bin();
        for k in
            ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"]
        {
            c.env_remove(k);
        }
        if proxy {
            c.env("HTTP_PROXY", server.url(""));
        } else {
            c.env("HTTP_PROXY", server.url("")).env("NO_PROXY", "localhost,.invalid");
        }
        c.env("CARTELSCREEN__LISTS__DATA_DIR", &data_dir)
            .arg("--config")
            .arg(&config)
            .args(["lists", "fetch"])
            .args(args);
        let out = c.output().unwrap();
        let so = String::from_utf8_lossy(&out.stdout).into_owned();
        let se = String::from_utf8_lossy(&out.stderr).into_owned();
        (out.status.code(), so, se)
    };

    // Good, through the proxy.
    let (code, so, se) = fetch(&["--source", "mirror"], true);
    assert_eq!(code, Some(0), "{so}\n{se}");
    assert!(so.contains("mirror") && so.contains("ok") && so.contains("14972 entries"), "{so}");
    assert!(server.proxied.load(Ordering::SeqCst) >= 4, "every file went through the proxy");
    let folder = data_dir.join("mirror");
    let stamp = std::fs::read_to_string(folder.join(".fetched")).unwrap();
    assert!(stamp.contains("downloaded = \"") && stamp.contains("publisher.invalid/mem/sdn.csv"), "{stamp}");
    let in_service = snapshot(&folder);

    // 8,000 whole records of sdn.csv, no end-of-file marker.
    let sdn = read_shared("ofac/current/sdn.csv");
    let cut = sdn.iter().enumerate().filter(|(_, b)| **b == b'\n').nth(7_999).map(|(i, _)| i + 1).unwrap();
    server.put("sdn.csv", sdn[..cut].to_vec());
    let (code, so, se) = fetch(&["--source", "mirror"], true);
    assert_eq!(code, Some(1), "{so}\n{se}");
    let all = format!("{so}{se}");
    assert_eq!(all.matches("end-of-file marker").count(), 1, "said once: {all}");
    assert!(so.contains(&format!("the files in service at {} stay", folder.display())), "{so}");
    assert!(so.contains("download the files by hand into"), "{so}");
    assert_eq!(snapshot(&folder), in_service);
    assert_no_leftovers(&data_dir);

    // 30% fewer entries, well formed: refused, then accepted.
    let shrunk = crate::common::shrunk_sdn(&sdn, None);
    server.put("sdn.csv", shrunk.clone());
    let (code, so, se) = fetch(&["--source", "mirror"], true);
    assert_eq!(code, Some(1), "{so}\n{se}");
    assert!(so.contains("fewer") && so.contains("--accept-shrink"), "{so}");
    assert_eq!(snapshot(&folder), in_service);
    let (code, so, se) = fetch(&["--source", "mirror", "--accept-shrink"], true);
    assert_eq!(code, Some(0), "{so}\n{se}");
    assert_eq!(std::fs::read(folder.join("sdn.csv")).unwrap(), shrunk);

    // A source without alt.csv is a partial set: refused.
    server.put("sdn.csv", sdn.clone());
    let (code, so, se) = fetch(&["--source", "mirror_partial"], true);
    assert_eq!(code, Some(1), "{so}\n{se}");
    assert!(so.contains("partial set (alt.csv missing)"), "{so}");
    assert!(so.contains("no files of this source are in service"), "{so}");
    assert!(!data_dir.join("mirror_partial").exists());

    // NO_PROXY lists the publisher: no proxy, and its name resolves nowhere.
    let before = server.proxied.load(Ordering::SeqCst);
    let (code, so, se) = fetch(&["--source", "mirror"], false);
    assert_eq!(code, Some(1), "{so}\n{se}");
    assert_eq!(server.proxied.load(Ordering::SeqCst), before, "NO_PROXY: not through the proxy");
    assert!(so.contains("download of http://publisher.invalid/mem/"), "the address tried: {so}");
    assert!(so.contains("http://publisher.invalid/mem/alt.csv"), "the hint names every file: {so}");

    // An unknown source is refused before any download.
    let (code, _, se) = fetch(&["--source", "nowhere"], true);
    assert_ne!(code, Some(0));
    assert!(se.contains("no source \"nowhere\" in fetch.sources"), "{se}");
}
