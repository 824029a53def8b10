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
    use std::io::BufRead;
    let mut child = command.args(["serve", "--port", "0"]).stdout(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let address = line.trim().strip_prefix("listening on http://").unwrap_or_else(|| panic!("{line}")).to_string();
    (child, address)
}
