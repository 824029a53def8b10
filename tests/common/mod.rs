//! What the tests that run the `cartelscreen` binary share.

use std::path::PathBuf;
use std::process::Command;

/// The binary, with an environment that cannot change what a test screens:
/// no `CARTELSCREEN__*` settings from the caller's shell, no data folder,
/// and an audit trail of this test process's own (a test that reads the
/// trail sets `CARTELSCREEN__AUDIT__SQLITE_PATH` itself).
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
        .env("CARTELSCREEN__AUDIT__SQLITE_PATH", trail);
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
