//! The tamper-evident trail from outside: `audit verify` and `audit
//! checkpoint` on a trail the CLI wrote, the README's few lines of Python
//! over an export, and each kind of tampering found with its exit status.

use std::path::Path;
use std::process::Command;

use crate::common::bin;

fn run(trail: &Path, checkpoints: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = bin()
        .env("CARTELSCREEN__AUDIT__SQLITE_PATH", trail)
        .env("CARTELSCREEN__AUDIT__CHECKPOINT_FILE", checkpoints)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The README's Python block that checks an exported range.
fn readme_verifier() -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let open = "```python\nimport hashlib";
    let start = readme.find(open).expect("the verifier's python block in the README") + "```python\n".len();
    let end = start + readme[start..].find("```").unwrap();
    readme[start..end].to_string()
}

fn sql(trail: &Path, statements: &str) {
    let conn = rusqlite::Connection::open(trail).unwrap();
    conn.execute_batch(statements).unwrap();
}

#[test]
fn the_chain_verifies_and_every_tampering_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let trail = dir.path().join("trail.sqlite3");
    let checkpoints = dir.path().join("checkpoints.jsonl");
    for name in ["Cartel de Jalisco Nueva Generacion", "Panaderia La Esperanza", "Los Zetas", "Juan Perez"] {
        let (code, _, se) = run(&trail, &checkpoints, &["screen", name]);
        assert_eq!(code, Some(0), "{se}");
    }
    let (code, so, se) = run(&trail, &checkpoints, &["audit", "verify"]);
    assert_eq!(code, Some(0), "{so}{se}");
    assert!(so.starts_with("intact: records 1 to 4, 4 chained"), "{so}");

    // A checkpoint: printed, and appended to the configured file.
    let (code, so, se) = run(&trail, &checkpoints, &["audit", "checkpoint"]);
    assert_eq!(code, Some(0), "{se}");
    let c: serde_json::Value = serde_json::from_str(so.trim()).unwrap();
    assert_eq!(c["seq"], 4);
    assert_eq!(std::fs::read_to_string(&checkpoints).unwrap().trim(), so.trim());

    // The export carries seq and hash, and the README's lines verify it.
    let (code, export, se) = run(&trail, &checkpoints, &["audit", "export", "--format", "jsonl"]);
    assert_eq!(code, Some(0), "{se}");
    let last: serde_json::Value = serde_json::from_str(export.lines().last().unwrap()).unwrap();
    assert_eq!(last["seq"], 4);
    assert_eq!(last["hash"], c["hash"]);
    let exported = dir.path().join("trail.jsonl");
    std::fs::write(&exported, &export).unwrap();
    let script = dir.path().join("verify.py");
    std::fs::write(&script, readme_verifier()).unwrap();
    let py = Command::new("python3").arg(&script).arg(&exported).output().unwrap();
    assert!(py.status.success(), "{}", String::from_utf8_lossy(&py.stderr));
    assert_eq!(String::from_utf8_lossy(&py.stdout).trim(), format!("intact up to {}", c["hash"].as_str().unwrap()));

    // A young record cannot be deleted.
    let conn = rusqlite::Connection::open(&trail).unwrap();
    let refused = conn.execute("DELETE FROM audit_records WHERE seq = 2", []).unwrap_err().to_string();
    assert!(refused.contains("retention"), "{refused}");
    drop(conn);

    // Edited after dropping the triggers: exit 3, the record named; the
    // README's lines find it in an export too.
    sql(&trail, "DROP TRIGGER audit_records_append_only; DROP TRIGGER audit_records_retention; DROP TRIGGER audit_hits_retention;");
    sql(&trail, "UPDATE audit_records SET decision = 'clear' WHERE seq = 3");
    let (code, so, _) = run(&trail, &checkpoints, &["audit", "verify", "--json"]);
    assert_eq!(code, Some(3), "{so}");
    let v: serde_json::Value = serde_json::from_str(&so).unwrap();
    assert_eq!(
        (v["intact"].as_bool(), v["break"]["kind"].as_str(), v["break"]["seq"].as_i64()),
        (Some(false), Some("changed"), Some(3))
    );
    let (_, export, _) = run(&trail, &checkpoints, &["audit", "export", "--format", "jsonl"]);
    std::fs::write(&exported, &export).unwrap();
    let py = Command::new("python3").arg(&script).arg(&exported).output().unwrap();
    assert!(!py.status.success());
    assert!(String::from_utf8_lossy(&py.stderr).contains("broken at seq 3"));
    sql(&trail, "UPDATE audit_records SET decision = 'block' WHERE seq = 3");
    assert_eq!(run(&trail, &checkpoints, &["audit", "verify"]).0, Some(0));

    // The tail removed and the head rewritten: intact to the database alone,
    // broken against the checkpoint kept outside it.
    sql(
        &trail,
        "DELETE FROM audit_hits WHERE record_uid = (SELECT uid FROM audit_records WHERE seq = 4);
         DELETE FROM audit_records WHERE seq = 4;",
    );
    let (code, so, _) = run(&trail, &checkpoints, &["audit", "verify"]);
    assert_eq!(code, Some(3));
    assert!(so.contains("BROKEN at record 4 (tail_missing)"), "{so}");
    sql(&trail, "UPDATE audit_chain_head SET seq = 3, hash = (SELECT hash FROM audit_records WHERE seq = 3)");
    assert_eq!(run(&trail, &checkpoints, &["audit", "verify"]).0, Some(0));
    let (code, so, _) = run(&trail, &checkpoints, &["audit", "verify", "--checkpoint", checkpoints.to_str().unwrap()]);
    assert_eq!(code, Some(3), "{so}");
    assert!(so.contains("(tail_missing)") && so.contains("names record 4"), "{so}");

    // A record removed from the middle; a range before it still verifies.
    sql(&trail, "DELETE FROM audit_records WHERE seq = 2");
    let (code, so, _) = run(&trail, &checkpoints, &["audit", "verify"]);
    assert_eq!(code, Some(3));
    assert!(so.contains("BROKEN at record 2 (missing_records): record 2 is missing"), "{so}");
    assert_eq!(run(&trail, &checkpoints, &["audit", "verify", "--to", "1"]).0, Some(0));
    // A bound that is neither a seq nor a time is refused.
    assert_eq!(run(&trail, &checkpoints, &["audit", "verify", "--from", "yesterday"]).0, Some(2));
}
