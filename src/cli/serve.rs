//! `cartelscreen serve`: the HTTP service, or `--check-config` to validate
//! the configuration and load the lists without listening.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::{load, outln};
use cartelscreen::config::Settings;

/// `serve` options.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Validate the configuration and load the lists, then exit (0 when
    /// the service would start).
    #[arg(long)]
    pub check_config: bool,
    /// Listen on this address instead of server.host.
    #[arg(long)]
    pub host: Option<String>,
    /// Listen on this port instead of server.port (0 picks a free one).
    #[arg(long)]
    pub port: Option<u16>,
    /// Serve the lists even when one lost more entries than
    /// lists.max_shrink_percent against the version this deployment last
    /// accepted.
    #[arg(long)]
    pub accept_shrink: bool,
}

/// Runs the service until SIGTERM or Ctrl-C.
pub fn run(mut settings: Settings, extra: Vec<PathBuf>, a: ServeArgs) -> Result<ExitCode> {
    if let Some(h) = a.host {
        settings.server.host = h;
    }
    if let Some(p) = a.port {
        settings.server.port = p;
    }
    if a.check_config {
        let screener = load(&settings, &extra)?;
        if settings.auth.required && settings.auth.keys.is_empty() {
            eprintln!(
                "error: auth.required is true and no API key is configured, so every request would be refused \
                 with 401; create one with `cartelscreen keys create` (see the README's API keys) or set \
                 auth.required = false for local use"
            );
            return Ok(ExitCode::from(2));
        }
        outln!(
            "configuration valid; {} lists, {} entities; would listen on {}:{}; {} API keys{}",
            screener.lists().len(),
            screener.entities().len(),
            settings.server.host,
            settings.server.port,
            settings.auth.keys.len(),
            if settings.auth.required { "" } else { " (auth off)" }
        );
        return Ok(ExitCode::SUCCESS);
    }
    let _log = cartelscreen::telemetry::init(&settings.log);
    if settings.auth.required && settings.auth.keys.is_empty() {
        tracing::warn!(
            "no API keys configured: every /v1 request will be refused; create one with `cartelscreen keys create`"
        );
    }
    actix_web::rt::System::new().block_on(async move {
        let app = cartelscreen::http::startup::Application::build_with(settings.clone(), extra, a.accept_shrink)?;
        let generation = app.state.lists.current();
        tracing::info!(
            address = %format!("{}:{}", settings.server.host, app.port),
            lists = generation.screener.lists().len(),
            entities = generation.screener.entities().len(),
            "cartelscreen listening"
        );
        drop(generation);
        // On stdout, for scripts and tests that start the service on port 0.
        outln!("listening on http://{}:{}", settings.server.host, app.port);
        app.run_until_stopped().await?;
        tracing::info!("stopped");
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}
