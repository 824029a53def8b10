//! The OpenSanctions (yente-compatible) API driven by the official Python
//! client, `yente-client` 0.2.0, and its `yente-cli`: the real binary serves
//! the real OFAC SDN list from `../shared` with an API key, and
//! `tests/api/yente_drive.py` exercises every client method against it.
//!
//! The Python environment is `$YENTE_VENV` when set, else `target/yente-venv`,
//! created on first run (`python3 -m venv`, then `pip install
//! 'yente-client[cli]==0.2.0'`, which needs PyPI).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::bin;

const CLIENT: &str = "yente-client[cli]==0.2.0";
const CLIENT_VERSION: &str = "0.2.0";
const DRIVER_TIMEOUT: Duration = Duration::from_secs(900);

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn ofac_sdn() -> PathBuf {
    let p = repo().join("../shared/data/ofac/current");
    assert!(
        p.join("sdn.csv").is_file(),
        "{} is missing: this test needs the shared data folder next to the repository (../shared, with the OFAC SDN \
         export in data/ofac/current)",
        p.display()
    );
    p
}

fn python_has_client(python: &Path) -> bool {
    let probe = format!(
        "import typer, yente_client\nfrom importlib.metadata import version\nassert version('yente-client') == '{CLIENT_VERSION}'"
    );
    python.is_file()
        && Command::new(python)
            .args(["-c", &probe])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
}

fn run_or_panic(c: &mut Command, what: &str) {
    let out = c.output().unwrap_or_else(|e| panic!("{what}: cannot run: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The Python interpreter of a virtual environment holding the client.
fn python() -> PathBuf {
    if let Some(dir) = std::env::var_os("YENTE_VENV") {
        let python = PathBuf::from(&dir).join("bin/python");
        assert!(
            python_has_client(&python),
            "YENTE_VENV={} has no bin/python with {CLIENT} installed",
            PathBuf::from(dir).display()
        );
        return python;
    }
    // CARGO_TARGET_TMPDIR is <target>/tmp.
    let target =
        Path::new(env!("CARGO_TARGET_TMPDIR")).parent().map(Path::to_path_buf).unwrap_or_else(|| repo().join("target"));
    let venv = target.join("yente-venv");
    let python = venv.join("bin/python");
    if python_has_client(&python) {
        return python;
    }
    eprintln!("creating {} with {CLIENT}", venv.display());
    run_or_panic(Command::new("python3").arg("-m").arg("venv").arg(&venv), "python3 -m venv (Python 3.11+ needed)");
    run_or_panic(
        Command::new(&python).args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", CLIENT]),
        "pip install yente-client (needs access to PyPI)",
    );
    assert!(python_has_client(&python), "{CLIENT} did not install into {}", venv.display());
    python
}

/// `cartelscreen serve` on a free port; killed when dropped.
struct Server {
    child: Child,
    url: String,
    log: PathBuf,
}

impl Server {
    fn start(config: &Path, lists: &Path, log: PathBuf) -> Server {
        let stderr = std::fs::File::create(&log).expect("server log file");
        let mut child = bin()
            .arg("--config")
            .arg(config)
            .arg("--lists")
            .arg(lists)
            .args(["serve", "--port", "0"])
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("the cartelscreen binary starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the server writes its address");
        let Some(url) = line.trim().strip_prefix("listening on ").map(str::to_string) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the server did not start: {line:?}\n{}", std::fs::read_to_string(&log).unwrap_or_default());
        };
        Server { child, url, log }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh key with the `screen` scope and a configuration accepting it.
fn key_and_config(dir: &Path) -> (String, PathBuf) {
    let out = bin().args(["keys", "create", "--id", "yente-test", "--scope", "screen", "--json"]).output().unwrap();
    assert!(out.status.success(), "keys create: {}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("keys create --json prints JSON");
    let key = v["key"].as_str().expect("key").to_string();
    let entry = &v["entry"];
    let scopes: Vec<String> =
        entry["scopes"].as_array().expect("scopes").iter().map(|s| format!("{:?}", s.as_str().unwrap())).collect();
    let config = dir.join("cartelscreen.toml");
    let text = format!(
        "[reload]\nwatch = false\ninterval_secs = 0\n\n[lists]\n# Dated by the files' modification time: not stale whenever the\n# shared folder was laid.\nmax_age_days = 36500\n\n[[auth.keys]]\nid = {:?}\nsha256 = {:?}\nscopes = [{}]\n",
        entry["id"].as_str().unwrap(),
        entry["sha256"].as_str().unwrap(),
        scopes.join(", ")
    );
    std::fs::write(&config, text).unwrap();
    (key, config)
}

#[test]
fn the_official_yente_client_works_against_cartelscreen() {
    let lists = ofac_sdn();
    let python = python();
    let dir = tempfile::tempdir().unwrap();
    let (key, config) = key_and_config(dir.path());
    let server = Server::start(&config, &lists, dir.path().join("server.log"));

    let mut driver = Command::new(&python)
        .arg(repo().join("tests/api/yente_drive.py"))
        .arg(&server.url)
        .arg(&key)
        .arg(dir.path().join("work"))
        .env_remove("OPENSANCTIONS_API_KEY")
        .env_remove("YENTE_BASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the driver starts");
    // Read both pipes on threads so neither fills, and bound the run.
    let mut out_pipe = driver.stdout.take().unwrap();
    let mut err_pipe = driver.stderr.take().unwrap();
    let out_thread = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut out_pipe, &mut s);
        s
    });
    let err_thread = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut err_pipe, &mut s);
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = driver.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > DRIVER_TIMEOUT {
            let _ = driver.kill();
            let _ = driver.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let stdout = out_thread.join().unwrap_or_default();
    let stderr = err_thread.join().unwrap_or_default();
    println!("{stdout}");
    let log = std::fs::read_to_string(&server.log).unwrap_or_default();
    let tail: String = log.lines().rev().take(40).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n");
    match status {
        None => panic!("the driver took longer than {DRIVER_TIMEOUT:?}\n{stdout}\n{stderr}"),
        Some(s) => assert!(s.success(), "the driver failed ({s}):\n{stdout}\n{stderr}\nserver log (tail):\n{tail}"),
    }
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
    drop(server);
}
