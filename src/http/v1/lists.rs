//! `GET /v1/lists` (the lists in service and the last reload's outcome) and
//! `POST /v1/lists/reload`.

use actix_web::{web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::engine::model::ListVersion;
use crate::http::auth::{AdminAccess, ScreenAccess};
use crate::http::error::ApiError;
use crate::http::state::AppState;
use crate::lists::ListHealth;
use crate::live::{rfc3339, ReloadOutcome, ReloadStatus};

#[derive(Debug, Serialize, ToSchema)]
pub struct LoadedListInfo {
    #[serde(flatten)]
    pub version: ListVersion,
    /// Whole days since `published` (UTC); absent when it is unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_days: Option<i64>,
    /// Older than `lists.max_age_days` (official lists only).
    pub stale: bool,
    pub loaded_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ListsResponse {
    pub lists: Vec<LoadedListInfo>,
    pub entities: usize,
    /// Counts up with every swap of the lists since start.
    pub generation: u64,
    pub loaded_at: String,
    pub reload: ReloadStatus,
    /// Rows the loaders skipped or repaired.
    pub warnings: usize,
    /// What the lists amount to: official lists in service, stale and
    /// partial ones.
    pub health: ListHealth,
}

/// The lists in service and the last reload's outcome: `GET /v1/lists`'s
/// answer, and the workspace's lists page.
pub fn lists_response(state: &AppState) -> ListsResponse {
    let generation = state.lists.current();
    let loaded_at = rfc3339(generation.loaded_at);
    let s = &generation.screener;
    let today = crate::engine::model::today_days();
    let health = ListHealth::of(s.lists(), state.settings.lists.max_age_days, today);
    ListsResponse {
        lists: s
            .lists()
            .iter()
            .map(|v| LoadedListInfo {
                version: v.clone(),
                age_days: v.age_days(today),
                stale: health.stale.contains(&v.dataset),
                loaded_at: loaded_at.clone(),
            })
            .collect(),
        entities: s.entities().len(),
        generation: generation.number,
        loaded_at,
        reload: state.lists.status(),
        warnings: s.warnings().len(),
        health,
    }
}

/// The lists in service, their versions, and the last reload's outcome.
#[utoipa::path(get, path = "/v1/lists", tag = "lists",
    responses((status = 200, body = ListsResponse)), security(("api_key" = ["screen"])))]
pub async fn lists(_access: ScreenAccess, state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(lists_response(&state))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReloadResponse {
    pub outcome: ReloadOutcome,
    #[serde(flatten)]
    pub lists: ListsResponse,
}

/// `POST /v1/lists/reload` parameters.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ReloadParams {
    /// Serve a list even when it lost more entries than
    /// `lists.max_shrink_percent` (the operator's decision).
    #[serde(default)]
    pub accept_shrink: bool,
}

/// Reload the lists from their configured sources (admin scope). A list
/// that fails to load, lost a file the version in service had, or lost more
/// entries than `lists.max_shrink_percent` (unless `accept_shrink=true`) is
/// rejected and the lists in service stay.
#[utoipa::path(post, path = "/v1/lists/reload", tag = "lists", params(ReloadParams),
    responses((status = 200, body = ReloadResponse), (status = 422, body = crate::http::error::ErrorBody),
              (status = 403, body = crate::http::error::ErrorBody)),
    security(("api_key" = ["admin"])))]
pub async fn reload(
    _access: AdminAccess,
    state: web::Data<AppState>,
    params: web::Query<ReloadParams>,
) -> Result<HttpResponse, ApiError> {
    let outcome = reload_lists(&state, params.accept_shrink).await?;
    Ok(HttpResponse::Ok().json(ReloadResponse { outcome, lists: lists_response(&state) }))
}

/// Reloads the lists from their configured sources: the one operation
/// behind `POST /v1/lists/reload` and the workspace's reload button.
///
/// # Errors
/// `list_rejected` or `list_shrunk` (the lists in service stay), or
/// `internal` when the worker thread failed.
pub async fn reload_lists(state: &web::Data<AppState>, accept_shrink: bool) -> Result<ReloadOutcome, ApiError> {
    let worker_state = state.clone();
    let outcome = web::block(move || worker_state.lists.reload_with(accept_shrink))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?;
    match outcome {
        Ok(outcome) => {
            tracing::info!(outcome = ?outcome, "lists reloaded on request");
            Ok(outcome)
        }
        Err(e) => {
            tracing::error!(error = %e, "list reload rejected; the lists in service stay");
            Err(e.into())
        }
    }
}
