//! `GET /entities/{id}` and its adjacent entities (sanctions, links,
//! addresses) by property. A referent answers `308` with a relative
//! `Location`, so the client follows it on its own origin and path prefix.

use std::collections::BTreeMap;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::params::Params;
use super::view::{view_of, Lookup};
use super::{bad_request, blocking_failed, FtmEntity, PropValue, Total, DEFAULT_SEARCH_LIMIT, MAX_OFFSET};
use crate::error::Code;
use crate::http::auth::ScreenAccess;
use crate::http::error::ApiError;
use crate::http::state::AppState;

/// Percent-encodes a path segment (all but unreserved characters).
fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// One entity (yente's `/entities/{id}`); a referent answers 308 to its
/// canonical id, relative so it stays on the caller's origin and path.
#[utoipa::path(get, path = "/entities/{id}", tag = "opensanctions", operation_id = "yente_entity",
    params(("id" = String, Path, description = "Entity id, e.g. cs-cjng or ofac-17674"),
           ("nested" = Option<bool>, Query, description = "Inline sanctions, links and addresses (true)")),
    responses((status = 200, body = FtmEntity), (status = 308, description = "A referent: Location is the canonical entity"),
              (status = 404, body = crate::http::error::ErrorBody)),
    security(("api_key" = ["screen"])))]
pub async fn entity(
    _access: ScreenAccess,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let params = Params::parse(req.query_string())?;
    let nested = params.flag("nested", true)?;
    let generation = state.lists.current();
    let id = id.into_inner();
    let wanted = id.clone();
    let found = web::block(move || view_of(&generation).lookup(&generation.screener, &wanted, nested))
        .await
        .map_err(blocking_failed)?;
    match found {
        Lookup::Found(e) => Ok(HttpResponse::Ok().json(e)),
        Lookup::Moved(c) => Ok(moved(format!("./{}?nested={nested}", encode_segment(&c)), &id, &c)),
        Lookup::Missing => Err(missing(&id)),
    }
}

/// The adjacent entities of one property, a page of them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AdjacentProperty {
    #[schema(value_type = Vec<Object>)]
    pub results: Vec<PropValue>,
    pub total: Total,
    pub limit: usize,
    pub offset: usize,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AdjacentResponse {
    pub entity: FtmEntity,
    pub adjacent: BTreeMap<String, AdjacentProperty>,
}

/// Splits an entity fetched with `nested` into the entity alone and its
/// adjacent entities by property, each paged.
fn split_adjacent(mut e: FtmEntity, limit: usize, offset: usize) -> AdjacentResponse {
    let mut adjacent = BTreeMap::new();
    for (prop, values) in std::mem::take(&mut e.properties) {
        let (entities, texts): (Vec<PropValue>, Vec<PropValue>) =
            values.into_iter().partition(|v| matches!(v, PropValue::Entity(_)));
        if !texts.is_empty() {
            e.properties.insert(prop.clone(), texts);
        }
        if !entities.is_empty() {
            let total = Total { value: entities.len(), relation: "eq" };
            let results = entities.into_iter().skip(offset).take(limit).collect();
            adjacent.insert(prop, AdjacentProperty { results, total, limit, offset });
        }
    }
    AdjacentResponse { entity: e, adjacent }
}

async fn lookup_for(state: &web::Data<AppState>, id: &str) -> Result<Lookup, ApiError> {
    let generation = state.lists.current();
    let wanted = id.to_string();
    web::block(move || view_of(&generation).lookup(&generation.screener, &wanted, true)).await.map_err(blocking_failed)
}

fn paging(params: &Params) -> Result<(usize, usize), ApiError> {
    let limit = params.limit(DEFAULT_SEARCH_LIMIT)?;
    let offset: usize = params.number("offset", 0)?;
    if offset > MAX_OFFSET {
        return Err(bad_request(Code::InvalidQuery, format!("offset is at most {MAX_OFFSET}, not {offset}")));
    }
    Ok((limit, offset))
}

fn moved(location: String, id: &str, canonical: &str) -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, location))
        .json(json!({"id": canonical, "detail": format!("{id} is a referent of {canonical}")}))
}

fn missing(id: &str) -> ApiError {
    ApiError::new(Code::EntityNotFound, format!("no entity {id:?} in the lists in service"))
}

/// An entity and its adjacent entities (sanctions, links, addresses) by property.
#[utoipa::path(get, path = "/entities/{id}/adjacent", tag = "opensanctions",
    params(("id" = String, Path), ("limit" = Option<usize>, Query, description = "Per property (10)"),
           ("offset" = Option<usize>, Query)),
    responses((status = 200, body = AdjacentResponse), (status = 404, body = crate::http::error::ErrorBody)),
    security(("api_key" = ["screen"])))]
pub async fn adjacent(
    _access: ScreenAccess,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (limit, offset) = paging(&Params::parse(req.query_string())?)?;
    match lookup_for(&state, &id).await? {
        Lookup::Found(e) => Ok(HttpResponse::Ok().json(split_adjacent(*e, limit, offset))),
        Lookup::Moved(c) => Ok(moved(format!("../{}/adjacent", encode_segment(&c)), &id, &c)),
        Lookup::Missing => Err(missing(&id)),
    }
}

/// The adjacent entities of one property of an entity.
#[utoipa::path(get, path = "/entities/{id}/adjacent/{prop}", tag = "opensanctions",
    params(("id" = String, Path), ("prop" = String, Path, description = "sanctions, unknownLinkTo, unknownLinkFrom, addressEntity"),
           ("limit" = Option<usize>, Query), ("offset" = Option<usize>, Query)),
    responses((status = 200, body = AdjacentProperty), (status = 404, body = crate::http::error::ErrorBody)),
    security(("api_key" = ["screen"])))]
pub async fn adjacent_property(
    _access: ScreenAccess,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, prop) = path.into_inner();
    let (limit, offset) = paging(&Params::parse(req.query_string())?)?;
    match lookup_for(&state, &id).await? {
        Lookup::Found(e) => {
            let mut all = split_adjacent(*e, limit, offset);
            let page = all.adjacent.remove(&prop).unwrap_or(AdjacentProperty {
                results: Vec::new(),
                total: Total { value: 0, relation: "eq" },
                limit,
                offset,
            });
            Ok(HttpResponse::Ok().json(page))
        }
        Lookup::Moved(c) => {
            Ok(moved(format!("../../{}/adjacent/{}", encode_segment(&c), encode_segment(&prop)), &id, &c))
        }
        Lookup::Missing => Err(missing(&id)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(encode_segment("cs-cjng"), "cs-cjng");
        assert_eq!(encode_segment("NK-a/b c"), "NK-a%2Fb%20c");
        assert_eq!(encode_segment("un:x"), "un%3Ax");
    }
}
