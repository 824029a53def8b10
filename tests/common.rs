//! What the tests that run the `cartelscreen` binary share.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// The binary, with an environment that cannot change what a test screens:
/// no `CARTELSCREEN__*` settings from the caller's shell, no data folder,
/// neither the embedded snapshot of the official lists nor a download at
/// start (a test of those uses [`fresh_bin`]), and an audit trail of this
/// test process's own (a test that reads the trail sets
/// `CARTELSCREEN__AUDIT__SQLITE_PATH` itself).
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cartelscreen"));
    for (k, _) in std::env::vars() {
        if k.starts_with("CARTELSCREEN__") {
            c.env_remove(k);
        }
    }
    let trail = std::env::temp_dir().join(format!("cartelscreen-test-{}.sqlite3", std::process::id()));
    c.env_remove("RUST_LOG")
        .env("CARTELSCREEN__LISTS__DATA_DIR", "/nonexistent-cartelscreen-data")
        .env("CARTELSCREEN__LISTS__EMBEDDED_SNAPSHOT", "false")
        .env("CARTELSCREEN__LISTS__DOWNLOAD_WHEN_MISSING", "false")
        .env("CARTELSCREEN__AUDIT__SQLITE_PATH", trail);
    c
}

/// The binary as a new user runs it: no `CARTELSCREEN_*` variable at all,
/// `HOME` and `CARTELSCREEN_HOME` set to `home` (empty folders), run from
/// `cwd`, and no network: every download goes through a proxy address on
/// which nothing listens.
// Not every test binary runs a fresh install.
#[allow(dead_code)]
pub fn fresh_bin(home: &std::path::Path, cwd: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cartelscreen"));
    for (k, _) in std::env::vars() {
        if k.starts_with("CARTELSCREEN") || k.starts_with("XDG_") || k.to_ascii_lowercase().ends_with("_proxy") {
            c.env_remove(k);
        }
    }
    c.env_remove("RUST_LOG")
        .env("HOME", home)
        .env("CARTELSCREEN_HOME", home.join("data"))
        .env("HTTPS_PROXY", "http://127.0.0.1:9")
        .env("HTTP_PROXY", "http://127.0.0.1:9")
        .current_dir(cwd);
    c
}

/// A path under `../shared/data`, which must exist.
// Not every test binary reads the shared data.
#[allow(dead_code)]
pub fn shared(p: &str) -> String {
    let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data")).join(p);
    assert!(path.exists(), "{} is missing: these tests need the shared data folder", path.display());
    path.to_string_lossy().into_owned()
}

/// Runs `command` (a [`bin()`] with the test's settings and global flags)
/// as `serve --port 0` and returns the child and the address it printed.
// Not every test binary starts a server.
#[allow(dead_code)]
pub fn serve(command: &mut Command) -> (Child, String) {
    let mut child = command.args(["serve", "--port", "0"]).stdout(Stdio::piped()).spawn().unwrap();
    let address = listening(&mut child);
    (child, address)
}

/// The address a started `serve` (stdout piped) prints on its first line,
/// `listening on http://ADDRESS`; panics with the line when it is not that.
#[allow(dead_code)]
pub fn listening(child: &mut Child) -> String {
    use std::io::BufRead;
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    line.trim().strip_prefix("listening on http://").unwrap_or_else(|| panic!("not listening: {line:?}")).to_string()
}

/// An OFAC `sdn.csv` (CRLF records, the 0x1A end marker) without records 0,
/// 3 and 7 of every ten, except those starting with `keep`: well formed
/// and 30% smaller.
#[allow(dead_code)]
pub fn shrunk_sdn(sdn: &[u8], keep: Option<&str>) -> Vec<u8> {
    let text = String::from_utf8_lossy(&sdn[..sdn.len() - 1]).into_owned();
    let mut shrunk: Vec<u8> = text
        .split_inclusive("\r\n")
        .enumerate()
        .filter(|(i, r)| keep.is_some_and(|k| r.starts_with(k)) || ![0, 3, 7].contains(&(i % 10)))
        .flat_map(|(_, r)| r.as_bytes().to_vec())
        .collect();
    shrunk.push(0x1A);
    shrunk
}
