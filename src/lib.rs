//! cartelscreen: sanctions screening of counterparties against the OFAC and
//! UN lists and the networks of the six FTO-designated Mexican cartels.
//!
//! The crate is laid out by role, each a room with one door:
//!
//! - [`engine`] matches a counterparty against loaded lists and ties entries
//!   to the cartels. It knows no HTTP, storage or command line.
//! - [`lists`] reads list files (OFAC, UN, the project's own format, the
//!   cartel registries) into the engine's model, and fetches the official
//!   exports.
//! - [`live`] keeps the lists in service and swaps them whole on reload.
//! - [`record`] keeps the records a compliance function must keep: the audit
//!   trail, analysts' dispositions, ongoing monitoring and its webhook; its
//!   [`record::screening`] is the one recorded screening every channel calls.
//! - [`batch`] screens files of counterparties as a stream.
//! - [`http`] is the web service; [`quality`] measures match quality.
//! - [`error`] is the one table of error codes every front end answers with.

pub mod batch;
pub mod config;
pub mod engine;
pub mod error;
pub mod http;
pub mod lists;
pub mod live;
pub mod messages;
pub mod quality;
pub mod record;
pub mod telemetry;
pub mod trade;

#[cfg(test)]
mod layout {
    //! The engine is a room with a door: nothing under `src/engine/` or
    //! `src/lists/` (the fetcher aside, which downloads) may reach the
    //! service, the storage, HTTP or the command line.

    use std::path::{Path, PathBuf};

    const FORBIDDEN: &[&str] = &[
        "crate::http",
        "crate::record",
        "crate::live",
        "crate::batch",
        "crate::cli",
        "crate::config",
        "crate::telemetry",
        "actix",
        "tokio",
        "rusqlite",
        "postgres",
        "reqwest",
        "ureq",
        "clap",
    ];

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("source folder") {
            let p = entry.expect("entry").path();
            if p.is_dir() {
                rust_files(&p, out);
            } else if p.extension().is_some_and(|e| e == "rs") {
                out.push(p);
            }
        }
    }

    #[test]
    fn the_engine_and_the_readers_know_no_service() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        rust_files(&root.join("engine"), &mut files);
        rust_files(&root.join("lists"), &mut files);
        files.retain(|f| !f.ends_with("lists/fetch.rs"));
        assert!(files.len() > 15, "{files:?}");
        let mut offences = Vec::new();
        for f in &files {
            let text = std::fs::read_to_string(f).expect("readable source");
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                for needle in FORBIDDEN {
                    let hit = code.match_indices(needle).any(|(i, _)| {
                        let before = code[..i].chars().last();
                        let after = code[i + needle.len()..].chars().next();
                        !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
                            && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
                    });
                    if hit {
                        offences.push(format!("{}:{}: {needle}", f.display(), n + 1));
                    }
                }
            }
        }
        assert!(offences.is_empty(), "the engine reaches outside its room:\n{}", offences.join("\n"));
    }
}
