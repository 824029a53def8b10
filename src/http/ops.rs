//! Probes and metrics for the platform running the service.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::config::Scope;
use crate::http::auth::authorize;
use crate::http::error::ApiError;
use crate::http::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok` when the process answers.
    pub status: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct Readiness {
    /// `ok` when official lists are in service, whole and recent; `stale`
    /// when one is older than `lists.max_age_days`; `partial` when one is a
    /// partial set. Stays as it was after a failed reload, because the
    /// previous lists still serve; `last_reload_error` tells.
    pub status: &'static str,
    pub lists: usize,
    pub entities: usize,
    pub generation: u64,
    /// Official lists older than `lists.max_age_days`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stale_lists: Vec<String>,
    /// Lists that are partial sets.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub partial_lists: Vec<String>,
    /// The age of the oldest official list, in days.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oldest_list_age_days: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_reload_error: Option<String>,
}

fn open_or_authorized(req: &HttpRequest, open: bool, scope: Scope) -> Result<(), ApiError> {
    if open {
        return Ok(());
    }
    authorize(req, scope).map(|_| ())
}

/// The process is alive.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = Health)),
    security((), ("api_key" = ["screen"])))]
pub async fn healthz(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    open_or_authorized(&req, state.settings.auth.open_health, Scope::Screen)?;
    Ok(HttpResponse::Ok().json(Health { status: "ok" }))
}

/// Lists are loaded and the service can screen.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, body = Readiness), (status = 503, body = crate::http::error::ErrorBody)),
    security((), ("api_key" = ["screen"])))]
pub async fn readyz(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    open_or_authorized(&req, state.settings.auth.open_health, Scope::Screen)?;
    let generation = state.lists.current();
    let s = &generation.screener;
    if s.entities().is_empty() {
        return Err(ApiError::new(crate::error::Code::NotReady, "no list entries are loaded"));
    }
    let settings = &state.settings.lists;
    let health = crate::lists::ListHealth::of(s.lists(), settings.max_age_days, crate::engine::model::today_days());
    let last_reload_error = state.lists.status().last_error;
    let reload_note =
        last_reload_error.as_deref().map(|e| format!("; the last reload was rejected: {e}")).unwrap_or_default();
    if health.sanctions_lists == 0 {
        return Err(ApiError::new(
            crate::error::Code::NoSanctionsLists,
            format!(
                "no official sanctions list is in service (only the cartel registry or own lists): a clear is not a clear \
                 against the OFAC and UN lists{reload_note}"
            ),
        ));
    }
    if !health.stale.is_empty() && settings.stale_is_unready {
        return Err(ApiError::new(
            crate::error::Code::ListsStale,
            format!(
                "{} older than lists.max_age_days = {} (oldest {} days){reload_note}",
                health.stale.join(", "),
                settings.max_age_days,
                health.oldest_age_days.map_or("-".to_string(), |a| a.to_string())
            ),
        ));
    }
    let status = if !health.stale.is_empty() {
        "stale"
    } else if !health.partial.is_empty() {
        "partial"
    } else {
        "ok"
    };
    Ok(HttpResponse::Ok().json(Readiness {
        status,
        lists: s.lists().len(),
        entities: s.entities().len(),
        generation: generation.number,
        stale_lists: health.stale,
        partial_lists: health.partial,
        oldest_list_age_days: health.oldest_age_days,
        last_reload_error,
    }))
}

/// Prometheus metrics.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus metrics", content_type = "text/plain")),
    security((), ("api_key" = ["admin"])))]
pub async fn metrics(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    open_or_authorized(&req, state.settings.auth.open_metrics, Scope::Admin)?;
    let mut body = state.metrics.render(&state.lists.current(), &state.lists.status());
    body.push_str(&state.records.audit.chain_metrics());
    body.push_str(&state.records.audit.writer_metrics());
    Ok(HttpResponse::Ok().content_type("text/plain; version=0.0.4; charset=utf-8").body(body))
}
