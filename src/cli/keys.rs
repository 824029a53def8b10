//! `cartelscreen keys create`: a new API key, shown once, and the entry
//! (its sha256) for the configuration.

use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::Subcommand;

use super::{outln, print_json};

/// `keys` subcommands.
#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Create a key: prints the key once, and the [[auth.keys]] entry (its
    /// hash) to add to the configuration.
    Create {
        /// Name of the key in logs and metrics.
        #[arg(long)]
        id: String,
        /// screen, analyst, admin (or several, comma-separated). Repeatable.
        #[arg(long = "scope", value_name = "SCOPE", default_value = "screen", value_parser = scope_list)]
        scopes: Vec<String>,
        #[arg(long)]
        json: bool,
    },
}

/// Checks a `--scope` value when the command line is read: `screen`,
/// `analyst`, `admin`, or several of them comma-separated.
fn scope_list(s: &str) -> std::result::Result<String, String> {
    for part in s.split(',') {
        if !matches!(part.trim(), "screen" | "analyst" | "admin") {
            return Err(format!("unknown scope `{}` (use screen, analyst or admin)", part.trim()));
        }
    }
    Ok(s.to_string())
}

fn keys_create(id: &str, scopes: &[String], json: bool) -> Result<ExitCode> {
    use cartelscreen::config::Scope;
    let mut parsed = Vec::new();
    for s in scopes.iter().flat_map(|s| s.split(',')) {
        parsed.push(match s.trim() {
            "screen" => Scope::Screen,
            "admin" => Scope::Admin,
            "analyst" => Scope::Analyst,
            other => bail!("unknown scope `{other}` (use screen, analyst or admin)"),
        });
    }
    parsed.sort();
    parsed.dedup();
    let key = cartelscreen::http::apikey::create(id, &parsed).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    if json {
        print_json(&serde_json::json!({"key": key.secret, "entry": key.settings}))?;
    } else {
        let scopes: Vec<String> = parsed.iter().map(|s| format!("\"{}\"", s.as_str())).collect();
        outln!("API key (shown once, store it now):\n\n  {}\n", key.secret);
        outln!("Add to the configuration:\n");
        outln!(
            "[[auth.keys]]\nid = \"{}\"\nsha256 = \"{}\"\nscopes = [{}]",
            key.settings.id,
            key.settings.sha256,
            scopes.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs a `keys` subcommand.
pub fn run(command: KeysCommand) -> Result<ExitCode> {
    match command {
        KeysCommand::Create { id, scopes, json } => keys_create(&id, &scopes, json),
    }
}
