//! The OpenSanctions API as yente serves it, at the root of the service, so
//! that the official `yente-client` (and `yente-cli`) work against
//! cartelscreen unchanged:
//!
//! | route | what it does |
//! | --- | --- |
//! | `POST /match/{dataset}` | screens each query entity (FollowTheMoney form) and returns scored candidates |
//! | `GET /search/{dataset}` | name search (the screener plus token prefixes), filters, facets, paging |
//! | `GET /entities/{id}` | one entity in FollowTheMoney form; a referent id answers 308 to its canonical id |
//! | `GET /entities/{id}/adjacent[/{prop}]` | its sanctions, links and addresses by property, paged |
//! | `GET /catalog` | the datasets: `default` (every list) and one per loaded list |
//! | `GET /algorithms` | the matching algorithms `/match` accepts |
//!
//! **Datasets.** Each loaded list is a dataset named by its
//! [`ListVersion::dataset`](crate::engine::model::ListVersion) (`us_ofac_sdn`,
//! `us_ofac_cons`, `un_sc_sanctions`, `cartelscreen_fto_cartels`...);
//! `default` holds them all. The path dataset, `include_dataset` (which
//! narrows it) and `exclude_dataset` decide which *list entries* count; an
//! unknown path or `include_dataset` dataset is a 404, an unknown
//! `exclude_dataset` is ignored.
//!
//! **Entities.** Entries that name each other in `same_as` (the cartel
//! registry's `cs-cjng` names OFAC's `ofac-17671`) are one entity, as on
//! OpenSanctions: the entry that declares `same_as` is canonical, the others
//! (and `same_as` ids of entries not loaded) are its `referents`, and its
//! properties and datasets are the union of its entries'. Fetching a referent
//! answers `308` with a relative `Location` to the canonical id. Kinds map to
//! schemata: person → `Person`, organization → `Organization`, company →
//! `Company`, vessel → `Vessel`, aircraft → `Airplane`, unknown →
//! `LegalEntity`. Every entity carries the topic `sanction`; drug-trafficking
//! programmes (SDNTK, SDNT, ILLICIT-DRUGS) and cartel ties add
//! `crime.traffick.drug`, terrorism programmes (SDGT, FTO) and the six FTO
//! cartels themselves add `crime.terror`.
//!
//! **Matching.** Every name-typed property of a query (`name`, `alias`,
//! `previousName`, `weakAlias`, `abbreviation`, or first and last names put
//! together) is screened with each `birthDate` and country (`country`,
//! `nationality`, `citizenship`, `jurisdiction`, `mainCountry`, `flag`, or the
//! last part of an `address`) and every identifier property (`idNumber`,
//! `taxNumber`, `registrationNumber`, `innCode`, `imoNumber`, ...); the best
//! score per entity is kept. Candidates whose schema cannot match the query's
//! (a `Person` query never returns an `Organization`) are dropped.
//! `threshold` (default 0.7) sets `match`, `cutoff` (default 0.5) drops weaker
//! candidates, `limit` (default 5, at most 500) caps the results. The engine
//! reports at most `matching.max_results` candidates per name, and none under
//! `matching.report_threshold` (0.65 by default) unless an identifier
//! matched, so a `cutoff` below that returns no more candidates than 0.65
//! would. `topics`, `exclude_schema`, `exclude_entity_ids` and
//! `changed_since` filter the candidates; `weights` and `config` in the body
//! are accepted and ignored. `changed_since` compares with the publication
//! date of the entity's lists when they state one (cartelscreen and UN lists);
//! entities of lists without one (OFAC) are kept.
//!
//! **Search.** `q` is screened (typos, transliterations, reordering), and
//! every entity with a name holding all the query's tokens (the last one as
//! a prefix) is added after the screener's hits. `schema` keeps the schema and
//! its descendants; `countries`, `topics`, `exclude_schema`, `changed_since`
//! and `filter=field:value` (`schema`, `countries`, `topics`, `datasets`,
//! `properties.<prop>`) filter; `facets` may ask for `countries`, `topics`,
//! `datasets` and `schema`. `sort`, `fuzzy` and `simple` are accepted and
//! ignored: results come strongest first and matching is always fuzzy.
//!
//! **Errors** keep the service's body `{"error": {"code", "message"}}` and add
//! yente's `"detail"` (the message), which the client shows.
//!
//! **Layout.** `ftm` is the FollowTheMoney side (schemata, topics, how an
//! entry's facts become properties); `view` merges the loaded entries into
//! entities, once per generation of the lists; `params` reads query strings,
//! dataset scopes and algorithms the same way for every route; `matching`,
//! `search`, `entities` and `catalog` are the handlers. This file holds the
//! routes, what the handlers share and the error helpers.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::{from_fn, Next};
use actix_web::web;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::error::Code;
use crate::http::error::ApiError;

#[cfg(test)]
#[macro_use]
mod fixtures;

pub mod catalog;
pub mod entities;
mod ftm;
pub mod matching;
mod params;
pub mod search;
mod view;

pub use ftm::{FtmEntity, PropValue};

/// The collection of every loaded list.
const DEFAULT_DATASET: &str = "default";
/// The full algorithm: names, identifiers, birth date, country and kind.
const ALGORITHM: &str = "cartelscreen-v1";
/// Names alone, no other fact moves the score.
const ALGORITHM_NAME_ONLY: &str = "cartelscreen-name-v1";
const DEFAULT_SEARCH_LIMIT: usize = 10;
/// Largest `offset` on `/search`.
const MAX_OFFSET: usize = 10_000;

/// What the OpenAPI document states about these routes' parameters,
/// from the constants they are checked against.
pub(crate) mod rules {
    /// Largest `limit` on `/match`, `/search` and `/entities/{id}/adjacent`.
    pub const MAX_LIMIT: usize = super::params::MAX_LIMIT;
    /// Largest `offset` on `/search`.
    pub const MAX_OFFSET: usize = super::MAX_OFFSET;
    /// The algorithms `/match` takes: each offered one, and `best`.
    pub fn algorithms() -> Vec<&'static str> {
        let mut names: Vec<&str> = super::params::ALGORITHMS.iter().map(|a| a.name()).collect();
        names.push("best");
        names
    }
    /// Most values per name or name-part property of a `/match` query entity.
    pub const MAX_NAMES_PER_PROPERTY: usize = super::matching::MAX_NAMES_PER_PROPERTY;
    /// Most values per identifier property of a `/match` query entity.
    pub const MAX_IDENTIFIERS_PER_PROPERTY: usize = super::matching::MAX_IDENTIFIERS_PER_PROPERTY;
    /// The facets `/search` counts.
    pub const FACETS: [&str; 4] = super::search::FACETS;
    /// The properties a `/match` query entity's identifiers are read from.
    pub const IDENTIFIER_PROPS: [&str; 25] = super::matching::IDENTIFIER_PROPS;
    /// The properties a `/match` query entity's names are read from.
    pub const NAME_PROPS: [&str; 5] = super::matching::NAME_PROPS;
    /// The name parts joined into a name when an entity has no name.
    pub const NAME_PART_PROPS: [&str; 6] = super::matching::NAME_PART_PROPS;
    /// Every FollowTheMoney schema name, or those `/match` screens.
    pub fn schemata(matchable_only: bool) -> Vec<&'static str> {
        super::ftm::schema_names(matchable_only)
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Total {
    pub value: usize,
    /// `eq`, or `gte` when there may be more.
    pub relation: &'static str,
}

/// Registers the routes, each wrapped so its errors carry `detail`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/match/{dataset}").wrap(from_fn(with_detail)).route(web::post().to(matching::match_entities)),
    )
    .service(web::resource("/search/{dataset}").wrap(from_fn(with_detail)).route(web::get().to(search::search)))
    .service(web::resource("/entities/{id}").wrap(from_fn(with_detail)).route(web::get().to(entities::entity)))
    .service(
        web::resource("/entities/{id}/adjacent").wrap(from_fn(with_detail)).route(web::get().to(entities::adjacent)),
    )
    .service(
        web::resource("/entities/{id}/adjacent/{prop}")
            .wrap(from_fn(with_detail))
            .route(web::get().to(entities::adjacent_property)),
    )
    .service(web::resource("/catalog").wrap(from_fn(with_detail)).route(web::get().to(catalog::catalog)))
    .service(web::resource("/algorithms").wrap(from_fn(with_detail)).route(web::get().to(catalog::algorithms)));
}

/// Adds yente's `"detail"` to every error body of these routes, whatever
/// produced it (handler, extractor, a method the route does not take).
async fn with_detail(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let http_req = req.request().clone();
    let res = match next.call(req).await {
        Ok(res) => res.map_into_boxed_body(),
        Err(e) => ServiceResponse::new(http_req, e.error_response()),
    };
    let status = res.status();
    if !status.is_client_error() && !status.is_server_error() {
        return Ok(res);
    }
    let (req, response) = res.into_parts();
    let (head, body) = response.into_parts();
    let bytes = actix_web::body::to_bytes(body).await.unwrap_or_default();
    let mut response = head.set_body(BoxBody::new(detailed_error_body(status, &bytes)));
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(ServiceResponse::new(req, response))
}

/// The service's error body with `detail` added; a body that is not one
/// (actix's own 405, say) is replaced by the body for its status.
fn detailed_error_body(status: StatusCode, body: &[u8]) -> Vec<u8> {
    let mut v = serde_json::from_slice::<Value>(body)
        .ok()
        .filter(|v| v.get("error").and_then(|e| e.get("message")).and_then(Value::as_str).is_some())
        .unwrap_or_else(|| serde_json::to_value(ApiError::from_status(status).body()).unwrap_or_default());
    if v.get("detail").is_none() {
        let message = v["error"]["message"].as_str().unwrap_or_default().to_string();
        v["detail"] = Value::String(message);
    }
    serde_json::to_vec(&v).unwrap_or_default()
}

/// An error answered 400, as yente answers its validation errors.
fn bad_request(code: Code, message: impl Into<String>) -> ApiError {
    ApiError::new(code, message).with_status(StatusCode::BAD_REQUEST)
}

fn blocking_failed(e: actix_web::error::BlockingError) -> ApiError {
    ApiError::internal(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;
    use crate::http::metrics::Metrics;
    use crate::http::state::AppState;
    use crate::http::yente::fixtures::{json_of, screener};
    use crate::live::LiveLists;
    use actix_web::test as web_test;
    use serde_json::json;
    use std::sync::Arc;

    #[test]
    fn error_bodies_gain_detail() {
        let body = serde_json::to_vec(&ApiError::new(Code::EntityNotFound, "no such thing").body()).unwrap();
        let v: Value = serde_json::from_slice(&detailed_error_body(StatusCode::NOT_FOUND, &body)).unwrap();
        assert_eq!(v["detail"], "no such thing");
        assert_eq!(v["error"]["code"], "entity_not_found");
        let v: Value = serde_json::from_slice(&detailed_error_body(StatusCode::METHOD_NOT_ALLOWED, b"")).unwrap();
        assert_eq!(v["error"]["code"], "method_not_allowed");
        assert_eq!(v["detail"], v["error"]["message"]);
    }

    #[test]
    fn the_openapi_document_lists_the_routes() {
        use utoipa::OpenApi;
        let doc = crate::http::openapi::ApiDoc::openapi();
        for path in [
            "/match/{dataset}",
            "/search/{dataset}",
            "/entities/{id}",
            "/entities/{id}/adjacent",
            "/catalog",
            "/algorithms",
        ] {
            assert!(doc.paths.paths.contains_key(path), "{path}");
        }
        let json = serde_json::to_value(&doc).unwrap();
        assert!(json["components"]["schemas"]["ScoredEntity"].is_object());
    }

    #[actix_web::test]
    async fn search_entities_catalog_and_algorithms() {
        let app = app!();
        let get = |uri: &str| web_test::TestRequest::get().uri(uri).to_request();
        let v = json_of(web_test::call_service(&app, get("/search/default?q=Jalisco&offset=0")).await).await;
        assert_eq!(v["results"][0]["id"], "cs-cjng");
        assert_eq!(v["offset"], 0);
        assert_eq!(v["limit"], 10);
        assert!(v["facets"]["countries"]["values"][0]["count"].is_number());
        let v = json_of(web_test::call_service(&app, get("/search/default?q=Osegu&schema=LegalEntity")).await).await;
        assert_eq!(v["results"][0]["id"], "ofac-17674", "prefix of a token: {v}");
        let v =
            json_of(web_test::call_service(&app, get("/search/default?q=Oseguera&schema=Organization")).await).await;
        assert_eq!(v["total"]["value"], 0, "{v}");
        let v =
            json_of(web_test::call_service(&app, get("/search/default?q=&limit=2&offset=1&facets=schema")).await).await;
        assert_eq!(v["results"].as_array().unwrap().len(), 2);
        assert!(v["total"]["value"].as_u64().unwrap() >= 9);
        assert!(v["facets"]["schema"].is_object() && v["facets"].get("countries").is_none());
        let v = json_of(
            web_test::call_service(&app, get("/search/us_ofac_sdn?q=&countries=mx&topics=crime.traffick.drug")).await,
        )
        .await;
        let ids: Vec<&str> = v["results"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["cs-cjng", "ofac-17674"], "{v}");
        let v = json_of(web_test::call_service(&app, get("/search/default?q=&filter=properties.birthDate:1966")).await)
            .await;
        assert_eq!(v["results"][0]["id"], "ofac-17674");
        let resp = web_test::call_service(&app, get("/search/nope?q=x")).await;
        assert_eq!(resp.status(), 404);
        assert!(json_of(resp).await["detail"].as_str().unwrap().contains("us_ofac_sdn"));
        let resp = web_test::call_service(&app, get("/search/default?q=x&filter=nonsense")).await;
        assert_eq!(resp.status(), 400);

        let resp = web_test::call_service(&app, get("/entities/ofac-17671?nested=false")).await;
        assert_eq!(resp.status(), 308);
        assert_eq!(resp.headers().get(header::LOCATION).unwrap(), "./cs-cjng?nested=false");
        let resp = web_test::call_service(&app, get("/entities/cs-cjng?nested=true")).await;
        assert_eq!(resp.status(), 200);
        let v = json_of(resp).await;
        assert_eq!(v["referents"], json!(["ofac-17671"]));
        assert!(v["properties"]["sanctions"][0]["caption"].is_string());
        let v = json_of(web_test::call_service(&app, get("/entities/cs-cjng/adjacent?limit=1")).await).await;
        assert_eq!(v["entity"]["id"], "cs-cjng");
        assert!(v["entity"]["properties"].get("sanctions").is_none());
        assert_eq!(v["adjacent"]["sanctions"]["total"]["value"], 2);
        assert_eq!(v["adjacent"]["sanctions"]["results"].as_array().unwrap().len(), 1);
        let v = json_of(web_test::call_service(&app, get("/entities/cs-cjng/adjacent/unknownLinkFrom")).await).await;
        assert_eq!(v["results"][0]["properties"]["subject"][0]["id"], "ofac-17674");
        let resp = web_test::call_service(&app, get("/entities/ofac-17671/adjacent/sanctions")).await;
        assert_eq!(resp.status(), 308);
        assert_eq!(resp.headers().get(header::LOCATION).unwrap(), "../../cs-cjng/adjacent/sanctions");
        let resp = web_test::call_service(&app, get("/entities/no%2Fsuch%20id")).await;
        assert_eq!(resp.status(), 404);
        let v = json_of(resp).await;
        assert_eq!(v["detail"], "no entity \"no/such id\" in the lists in service");

        let resp = web_test::call_service(&app, get("/catalog")).await;
        assert_eq!(resp.status(), 200);
        let etag = resp.headers().get(header::ETAG).unwrap().clone();
        let v = json_of(resp).await;
        let names: Vec<&str> = v["datasets"].as_array().unwrap().iter().map(|d| d["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["default", "cartelscreen_fto_cartels", "us_ofac_sdn"]);
        assert_eq!(v["datasets"][0]["load"], true);
        assert_eq!(v["datasets"][0]["children"], json!(["cartelscreen_fto_cartels", "us_ofac_sdn"]));
        assert!(v["datasets"][2]["version"].is_string());
        let req =
            web_test::TestRequest::get().uri("/catalog").insert_header((header::IF_NONE_MATCH, etag)).to_request();
        assert_eq!(web_test::call_service(&app, req).await.status(), 304);

        let v = json_of(web_test::call_service(&app, get("/algorithms")).await).await;
        assert_eq!(v["default"], ALGORITHM);
        assert_eq!(v["best"], ALGORITHM);
        assert_eq!(v["algorithms"].as_array().unwrap().len(), 2);
    }

    #[actix_web::test]
    async fn routes_need_a_key_when_auth_is_on() {
        let mut settings = Settings::defaults();
        settings.auth.required = true;
        let records = crate::record::scratch(&settings);
        let lists = Arc::new(LiveLists::with_screener(screener(), settings, vec![]));
        let state = web::Data::new(AppState::new(lists, Arc::new(Metrics::new()), records));
        let app = web_test::init_service(actix_web::App::new().app_data(state).configure(routes)).await;
        for uri in ["/catalog", "/algorithms", "/search/default?q=x", "/entities/cs-cjng"] {
            let req = web_test::TestRequest::get()
                .uri(uri)
                .insert_header((header::AUTHORIZATION, "ApiKey wrong"))
                .to_request();
            let resp = web_test::call_service(&app, req).await;
            assert_eq!(resp.status(), 401, "{uri}");
            assert_eq!(json_of(resp).await["detail"], "unknown API key");
        }
    }
}
