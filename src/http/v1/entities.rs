//! `GET /v1/entities/{id}`: one list entry with all its facts, its cartel
//! ties and its list version.

use actix_web::{web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::engine::model::{Entity, ListVersion};
use crate::engine::network::CartelTie;
use crate::error::Code;
use crate::http::auth::ScreenAccess;
use crate::http::error::ApiError;
use crate::http::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct EntityResponse {
    #[serde(flatten)]
    pub entity: Entity,
    /// How the entry ties to the cartels, with the path of links.
    pub cartel_ties: Vec<CartelTie>,
    /// The version of the list the entry comes from.
    pub list_version: Option<ListVersion>,
}

/// One list entry with all its facts and its cartel ties.
#[utoipa::path(get, path = "/v1/entities/{id}", tag = "lists",
    params(("id" = String, Path, description = "Entity id, e.g. ofac-17674 or cs-cjng")),
    responses((status = 200, body = EntityResponse), (status = 404, body = crate::http::error::ErrorBody)),
    security(("api_key" = ["screen"])))]
pub async fn entity(
    _access: ScreenAccess,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let generation = state.lists.current();
    let screener = &generation.screener;
    let e = screener.entity(&id).ok_or_else(|| {
        ApiError::new(Code::EntityNotFound, format!("no entity {:?} in the lists in service", id.as_str()))
    })?;
    let list_version = screener.lists().iter().find(|l| l.dataset == e.list).cloned();
    Ok(HttpResponse::Ok().json(EntityResponse {
        entity: e.clone(),
        cartel_ties: screener.cartel_ties(&id).to_vec(),
        list_version,
    }))
}
