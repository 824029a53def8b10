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
    /// `ok` when lists are in service. Stays `ok` after a failed reload,
    /// because the previous lists still serve; `last_reload_error` tells.
    pub status: &'static str,
    pub lists: usize,
    pub entities: usize,
    pub generation: u64,
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
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = Health)))]
pub async fn healthz(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    open_or_authorized(&req, state.settings.auth.open_health, Scope::Screen)?;
    Ok(HttpResponse::Ok().json(Health { status: "ok" }))
}

/// Lists are loaded and the service can screen.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, body = Readiness), (status = 503, body = crate::http::error::ErrorBody)))]
pub async fn readyz(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    open_or_authorized(&req, state.settings.auth.open_health, Scope::Screen)?;
    let generation = state.lists.current();
    let s = &generation.screener;
    if s.entities().is_empty() {
        return Err(ApiError::new(crate::error::Code::NotReady, "no list entries are loaded"));
    }
    Ok(HttpResponse::Ok().json(Readiness {
        status: "ok",
        lists: s.lists().len(),
        entities: s.entities().len(),
        generation: generation.number,
        last_reload_error: state.lists.status().last_error,
    }))
}

/// Prometheus metrics.
#[utoipa::path(get, path = "/metrics", tag = "operations", responses((status = 200, content_type = "text/plain")))]
pub async fn metrics(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    open_or_authorized(&req, state.settings.auth.open_metrics, Scope::Admin)?;
    let body = state.metrics.render(&state.lists.current(), &state.lists.status());
    Ok(HttpResponse::Ok().content_type("text/plain; version=0.0.4; charset=utf-8").body(body))
}
