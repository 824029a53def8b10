//! What the server offers: `GET /catalog`, its datasets (`default`, which
//! holds every list, and one per loaded list), and `GET /algorithms`, the
//! matchers `/match` accepts.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::ftm::publisher_of;
use super::params::ALGORITHMS;
use super::view::{view_of, View};
use super::{blocking_failed, ALGORITHM, DEFAULT_DATASET};
use crate::http::auth::ScreenAccess;
use crate::http::error::ApiError;
use crate::http::state::AppState;

// --------------------------------------------------------------- catalog

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublisherInfo {
    pub name: String,
    pub acronym: String,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    pub official: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DatasetInfo {
    pub name: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub version: String,
    pub category: &'static str,
    pub tags: Vec<String>,
    pub entity_count: usize,
    pub thing_count: usize,
    /// When the lists went into service.
    pub updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_export: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publisher: Option<PublisherInfo>,
    /// True for `default`, the collection indexed as a whole.
    pub load: bool,
    pub index_current: bool,
    pub index_version: String,
    pub children: Vec<String>,
    pub deprecated: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CatalogResponse {
    pub datasets: Vec<DatasetInfo>,
    pub current: Vec<String>,
    pub outdated: Vec<String>,
    pub index_stale: bool,
}

impl View {
    fn catalog(&self) -> CatalogResponse {
        let children: Vec<String> = self.lists.iter().map(|l| l.dataset.clone()).collect();
        let mut datasets = vec![DatasetInfo {
            name: DEFAULT_DATASET.to_string(),
            title: "All lists in service".to_string(),
            summary: Some(format!(
                "Every list cartelscreen screens against: {}. Entries naming each other (same_as) are merged.",
                children.join(", ")
            )),
            url: None,
            version: self.version.clone(),
            category: "collection",
            tags: Vec::new(),
            entity_count: self.clusters,
            thing_count: self.clusters,
            updated_at: self.loaded_at.clone(),
            last_export: None,
            publisher: None,
            load: true,
            index_current: true,
            index_version: self.version.clone(),
            children: children.clone(),
            deprecated: false,
        }];
        for l in &self.lists {
            let p = publisher_of(&l.dataset);
            datasets.push(DatasetInfo {
                name: l.dataset.clone(),
                title: l.title.clone(),
                summary: None,
                url: p.as_ref().map(|p| p.list_url.to_string()),
                version: l.version.clone(),
                category: "sanctions",
                tags: vec!["list.sanction".to_string()],
                entity_count: l.entries,
                thing_count: l.entries,
                // The publication the list is, not when it was loaded.
                updated_at: l.published.clone().unwrap_or_else(|| self.loaded_at.clone()),
                last_export: l.published.clone(),
                publisher: p.map(|p| PublisherInfo {
                    name: p.name.to_string(),
                    acronym: p.acronym.to_string(),
                    url: p.url.to_string(),
                    country: p.country.map(str::to_string),
                    official: p.official,
                }),
                load: false,
                index_current: true,
                index_version: self.version.clone(),
                children: Vec::new(),
                deprecated: false,
            });
        }
        let current = datasets.iter().map(|d| d.name.clone()).collect();
        CatalogResponse { datasets, current, outdated: Vec::new(), index_stale: false }
    }
}

/// The datasets (yente's `/catalog`); revalidates with `ETag`.
#[utoipa::path(get, path = "/catalog", tag = "opensanctions",
    responses((status = 200, body = CatalogResponse), (status = 304, description = "Unchanged since the ETag sent")),
    security(("api_key" = ["screen"])))]
pub async fn catalog(
    _access: ScreenAccess,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let generation = state.lists.current();
    let view = web::block(move || view_of(&generation)).await.map_err(blocking_failed)?;
    let etag = format!("\"{}\"", view.version);
    let unchanged = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim().trim_start_matches("W/") == etag || t.trim() == "*"));
    if unchanged {
        return Ok(HttpResponse::NotModified().insert_header((header::ETAG, etag)).finish());
    }
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag)).json(view.catalog()))
}

// ------------------------------------------------------------ algorithms

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AlgorithmInfo {
    pub name: &'static str,
    pub description: &'static str,
    #[schema(value_type = Object)]
    pub features: Value,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AlgorithmsResponse {
    pub algorithms: Vec<AlgorithmInfo>,
    pub default: &'static str,
    pub best: &'static str,
}

/// The matching algorithms `/match` accepts (besides `best`).
#[utoipa::path(get, path = "/algorithms", tag = "opensanctions",
    responses((status = 200, body = AlgorithmsResponse)), security(("api_key" = ["screen"])))]
pub async fn algorithms(_access: ScreenAccess) -> HttpResponse {
    HttpResponse::Ok().json(AlgorithmsResponse {
        algorithms: ALGORITHMS
            .iter()
            .map(|a| AlgorithmInfo { name: a.name(), description: a.description(), features: a.features() })
            .collect(),
        default: ALGORITHM,
        best: ALGORITHM,
    })
}
