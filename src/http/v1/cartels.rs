//! `GET /v1/cartels` (each cartel's network size by depth and basis) and
//! `GET /v1/cartels/{code}/network` (one network's nodes and edges, with
//! paths, relations and sources).

use actix_web::{web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::engine::network::{CartelNetwork, Hub, NetworkSize};
use crate::error::Code;
use crate::http::auth::ScreenAccess;
use crate::http::error::ApiError;
use crate::http::state::AppState;

/// One cartel and the size of its network.
#[derive(Debug, Serialize, ToSchema)]
pub struct CartelSummary {
    /// CDS, CJNG, CDN, CDG, LNFM or CU.
    pub code: String,
    /// Canonical name.
    pub name: String,
    /// Its SDN entry's id (`ofac-17671`).
    pub ofac_id: String,
    /// Date of the FTO/SDGT designation.
    pub designated: String,
    /// `FTO`, `SDGT`.
    pub designations: Vec<String>,
    /// Entries tied to it, by depth and basis.
    pub network: NetworkSize,
}

/// The cartels and how their networks were built.
#[derive(Debug, Serialize, ToSchema)]
pub struct CartelsResponse {
    /// In registry order.
    pub cartels: Vec<CartelSummary>,
    /// Steps from a cartel (or a faction of it) that still tie.
    pub depth: usize,
    /// Entries with more links are reached, not walked through.
    pub hub_degree: usize,
    /// Those entries.
    pub hubs: Vec<Hub>,
    /// Registry rows whose entry is loaded.
    pub affiliations: usize,
    /// Registry rows naming entries not in the loaded lists.
    pub absent_affiliations: Vec<String>,
}

/// The six cartels and the size of each network.
#[utoipa::path(get, path = "/v1/cartels", tag = "lists",
    responses((status = 200, body = CartelsResponse)), security(("api_key" = ["screen"])))]
pub async fn cartels(_access: ScreenAccess, state: web::Data<AppState>) -> HttpResponse {
    let generation = state.lists.current();
    let s = &generation.screener;
    let sizes = s.network().sizes(s.registry());
    let cartels = s
        .registry()
        .cartels
        .iter()
        .zip(sizes)
        .map(|(c, network)| CartelSummary {
            code: c.code.clone(),
            name: c.name.clone(),
            ofac_id: c.ofac_id(),
            designated: c.designated.clone(),
            designations: c.designations.clone(),
            network,
        })
        .collect();
    let net = s.network();
    HttpResponse::Ok().json(CartelsResponse {
        cartels,
        depth: s.network_settings().depth,
        hub_degree: s.network_settings().hub_degree,
        hubs: net.hubs.clone(),
        affiliations: net.resolved_affiliations,
        absent_affiliations: net.absent_affiliations.clone(),
    })
}

/// One cartel's network: every tied entry and the first step of its path.
#[utoipa::path(get, path = "/v1/cartels/{code}/network", tag = "lists",
    params(("code" = String, Path, description = "CDS, CJNG, CDN, CDG, LNFM or CU")),
    responses((status = 200, body = CartelNetwork), (status = 404, body = crate::http::error::ErrorBody)),
    security(("api_key" = ["screen"])))]
pub async fn network(
    _access: ScreenAccess,
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let generation = state.lists.current();
    let net = generation.screener.cartel_network(&code).ok_or_else(|| {
        ApiError::new(
            Code::CartelNotFound,
            format!("no cartel {:?}; use CDS, CJNG, CDN, CDG, LNFM or CU", crate::engine::query::quote_bounded(&code)),
        )
    })?;
    Ok(HttpResponse::Ok().json(net))
}
