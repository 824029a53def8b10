//! `GET /search/{dataset}`: the screener's hits for `q` first, then the
//! entities with a name holding every token of `q` (the last as a prefix),
//! so a name still being typed finds its entity; then filters, facets and
//! paging over the merged entities.

use std::collections::BTreeMap;

use actix_web::{web, HttpRequest, HttpResponse};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use utoipa::ToSchema;

use super::ftm::{country_code, is_a, kind_of_schema, topic_label};
use super::params::{dataset_scope, parse_schema, Params};
use super::view::{view_of, SearchName, View};
use super::{bad_request, blocking_failed, FtmEntity, Total, DEFAULT_SEARCH_LIMIT, MAX_OFFSET};
use crate::engine::model::{EntityKind, KindFamily};
use crate::engine::normalize::normalize_name;
use crate::engine::{Query, Screener};
use crate::error::Code;
use crate::http::auth::ScreenAccess;
use crate::http::error::ApiError;
use crate::http::state::AppState;

/// The facets `/search` counts (`facets=`); another name is refused.
pub(super) const FACETS: [&str; 4] = ["countries", "topics", "datasets", "schema"];

const MAX_FACET_VALUES: usize = 100;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FacetValue {
    pub name: String,
    pub label: String,
    pub count: usize,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Facet {
    pub label: String,
    pub values: Vec<FacetValue>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchResponse {
    pub results: Vec<FtmEntity>,
    pub facets: BTreeMap<String, Facet>,
    pub total: Total,
    pub limit: usize,
    pub offset: usize,
}

/// One `filter=field:value`.
enum Filter {
    Schema(&'static str),
    Country(String),
    Topic(String),
    Dataset(String),
    Id(String),
    Property(String, String),
}

fn parse_filter(f: &str) -> Result<Filter, ApiError> {
    let (field, value) = f.split_once(':').ok_or_else(|| {
        bad_request(Code::InvalidFilter, format!("filter {f:?} is not field:value (e.g. properties.birthDate:1965)"))
    })?;
    let value = value.trim().to_string();
    Ok(match field.trim() {
        "schema" => Filter::Schema(parse_schema("filter schema", &value)?),
        "countries" | "country" => Filter::Country(country_code(&value).unwrap_or_else(|| value.to_lowercase())),
        "topics" => Filter::Topic(value),
        "datasets" => Filter::Dataset(value),
        "id" | "entity_id" => Filter::Id(value),
        other => match other.strip_prefix("properties.") {
            Some(prop) if !prop.is_empty() => Filter::Property(prop.to_string(), value),
            _ => {
                return Err(bad_request(
                    Code::InvalidFilter,
                    format!(
                        "filter field {other:?} is not schema, countries, topics, datasets, id or properties.<name>"
                    ),
                ))
            }
        },
    })
}

impl View {
    fn search_names(&self, s: &Screener) -> &[SearchName] {
        self.search.get_or_init(|| {
            let mut out = Vec::new();
            for (i, e) in s.entities().iter().enumerate() {
                let family = if e.kind == EntityKind::Person { KindFamily::Person } else { KindFamily::Organization };
                for (k, n) in e.names.iter().enumerate() {
                    let tokens = normalize_name(&n.full, family).tokens;
                    if !tokens.is_empty() {
                        out.push(SearchName { entity: i as u32, primary: k == 0, tokens });
                    }
                }
            }
            out
        })
    }

    fn passes(&self, s: &Screener, c: u32, f: &Filter) -> bool {
        match f {
            Filter::Schema(x) => is_a(self.schema[c as usize], x),
            Filter::Country(x) => self.cluster_countries(c).iter().any(|k| k == x),
            Filter::Topic(x) => self.cluster_topics(c).iter().any(|t| t == x),
            Filter::Dataset(x) => self.cluster_lists(s, c).iter().any(|d| d == x),
            Filter::Id(x) => s.entities()[c as usize].id == *x || self.referents[c as usize].contains(x),
            Filter::Property(prop, value) => {
                let e = self.entity(s, c, false);
                let date = prop.ends_with("Date");
                e.texts(prop).iter().any(|v| v.eq_ignore_ascii_case(value) || (date && v.starts_with(value.as_str())))
            }
        }
    }
}

/// Full-text-like search (yente's `/search`).
#[utoipa::path(get, path = "/search/{dataset}", tag = "opensanctions",
    params(
        ("dataset" = String, Path, description = "`default` or a list's dataset"),
        ("q" = Option<String>, Query, description = "Name to search; empty lists every entity"),
        ("limit" = Option<usize>, Query, description = "Results per page (10, at most 500)"),
        ("offset" = Option<usize>, Query, description = "Results to skip (at most 10000)"),
        ("schema" = Option<String>, Query, description = "Only this schema and its descendants"),
        ("countries" = Option<Vec<String>>, Query, description = "Only entities tied to one of these countries"),
        ("topics" = Option<Vec<String>>, Query, description = "Only entities with one of these topics"),
        ("include_dataset" = Option<Vec<String>>, Query), ("exclude_dataset" = Option<Vec<String>>, Query),
        ("exclude_schema" = Option<Vec<String>>, Query), ("changed_since" = Option<String>, Query),
        ("filter" = Option<Vec<String>>, Query, description = "field:value; schema, countries, topics, datasets, id, properties.<prop>"),
        ("facets" = Option<Vec<String>>, Query, description = "countries, topics, datasets, schema"),
    ),
    responses((status = 200, body = SearchResponse), (status = 404, body = crate::http::error::ErrorBody),
              (status = 400, body = crate::http::error::ErrorBody)),
    security(("api_key" = ["screen"])))]
pub async fn search(
    _access: ScreenAccess,
    state: web::Data<AppState>,
    req: HttpRequest,
    dataset: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let params = Params::parse(req.query_string())?;
    let generation = state.lists.current();
    let s = &generation.screener;
    let limit = params.limit(DEFAULT_SEARCH_LIMIT)?;
    let offset: usize = params.number("offset", 0)?;
    if offset > MAX_OFFSET {
        return Err(bad_request(Code::InvalidQuery, format!("offset is at most {MAX_OFFSET}, not {offset}")));
    }
    let q = params.one("q").unwrap_or("").to_string();
    if q.chars().count() > crate::engine::query::MAX_NAME_CHARS {
        return Err(bad_request(
            Code::NameTooLong,
            format!("q is longer than {} characters", crate::engine::query::MAX_NAME_CHARS),
        ));
    }
    let schema = params.one("schema").map(|x| parse_schema("schema", x)).transpose()?;
    let scope = dataset_scope(s, &dataset, &params.all("include_dataset"), &params.all("exclude_dataset"))?;
    let mut filters: Vec<Filter> = Vec::new();
    if let Some(x) = schema {
        filters.push(Filter::Schema(x));
    }
    let countries: Vec<String> =
        params.all("countries").iter().map(|c| country_code(c).unwrap_or_else(|| c.to_lowercase())).collect();
    let topics: Vec<String> = params.all("topics").into_iter().map(str::to_string).collect();
    let exclude_schema = params.schemata("exclude_schema")?;
    let changed_since = params.changed_since()?;
    for f in params.all("filter") {
        filters.push(parse_filter(f)?);
    }
    let facet_names: Vec<String> = if params.0.iter().any(|(k, _)| k == "facets") {
        let asked = params.all("facets");
        if let Some(f) = asked.iter().find(|f| !FACETS.contains(f)) {
            return Err(bad_request(Code::InvalidQuery, format!("facets={f:?} is not one of {}", FACETS.join(", "))));
        }
        asked.into_iter().map(str::to_string).collect()
    } else {
        vec!["countries".into(), "topics".into(), "datasets".into()]
    };
    let body = web::block(move || {
        let view = view_of(&generation);
        let s = &generation.screener;
        let es = s.entities();
        let mut order: Vec<u32> = Vec::new();
        let mut seen: FxHashSet<u32> = FxHashSet::default();
        let mut relation = "eq";
        if q.trim().is_empty() {
            order.extend(view.canonicals().filter(|&c| view.in_scope(s, c, &scope)));
        } else {
            let kind = schema.and_then(kind_of_schema);
            // An identifier (RFC, IMO, passport…) finds its entries first.
            if q.chars().any(|c| c.is_ascii_digit()) {
                let by_id = Query { identifiers: vec![q.trim().to_string()], kind, ..Query::default() };
                for m in s.screen(&by_id).map(|r| r.matches).unwrap_or_default() {
                    let Some(&i) = view.ids.get(&m.entity_id) else { continue };
                    if scope.contains(&es[i as usize].list) && seen.insert(view.canonical[i as usize]) {
                        order.push(view.canonical[i as usize]);
                    }
                }
            }
            if let Ok(r) = s.screen(&Query { name: q.clone(), kind, ..Query::default() }) {
                if r.matches.len() >= s.settings().max_results {
                    relation = "gte";
                }
                for m in &r.matches {
                    let Some(&i) = view.ids.get(&m.entity_id) else { continue };
                    if scope.contains(&es[i as usize].list) && seen.insert(view.canonical[i as usize]) {
                        order.push(view.canonical[i as usize]);
                    }
                }
            }
            let family = if kind == Some(EntityKind::Person) { KindFamily::Person } else { KindFamily::Organization };
            let qt = normalize_name(&q, family).tokens;
            if !qt.is_empty() {
                let mut hits: FxHashMap<u32, (f32, bool, u32)> = FxHashMap::default();
                for n in view.search_names(s) {
                    if !scope.contains(&es[n.entity as usize].list) {
                        continue;
                    }
                    let all = qt.iter().enumerate().all(|(k, t)| {
                        let last = k + 1 == qt.len();
                        n.tokens.iter().any(|x| x == t || (last && t.len() >= 2 && x.starts_with(t.as_str())))
                    });
                    if !all {
                        continue;
                    }
                    let covered: usize = qt.iter().map(String::len).sum();
                    let length: usize = n.tokens.iter().map(String::len).sum();
                    let coverage = covered as f32 / length.max(1) as f32;
                    let c = view.canonical[n.entity as usize];
                    let rank = (coverage, n.primary, n.entity);
                    let better = hits.get(&c).is_none_or(|h| (rank.0, rank.1) > (h.0, h.1));
                    if better {
                        hits.insert(c, rank);
                    }
                }
                let mut hits: Vec<(u32, (f32, bool, u32))> =
                    hits.into_iter().filter(|(c, _)| !seen.contains(c)).collect();
                hits.sort_by(|a, b| {
                    b.1 .0.total_cmp(&a.1 .0).then_with(|| b.1 .1.cmp(&a.1 .1)).then_with(|| a.0.cmp(&b.0))
                });
                order.extend(hits.into_iter().map(|(c, _)| c));
            }
        }
        let filtered: Vec<u32> = order
            .into_iter()
            .filter(|&c| {
                let cs = view.schema[c as usize];
                !exclude_schema.contains(&cs)
                    && (countries.is_empty()
                        || view.cluster_countries(c).iter().any(|k| countries.iter().any(|w| w == k)))
                    && (topics.is_empty() || view.cluster_topics(c).iter().any(|t| topics.iter().any(|w| w == t)))
                    && changed_since.as_ref().is_none_or(|since| view.last_change(s, c).is_none_or(|lc| lc >= *since))
                    && filters.iter().all(|f| view.passes(s, c, f))
            })
            .collect();
        let facets = facets(&view, s, &filtered, &facet_names);
        let total = Total { value: filtered.len(), relation };
        let results = filtered.iter().skip(offset).take(limit).map(|&c| view.entity(s, c, false)).collect();
        SearchResponse { results, facets, total, limit, offset }
    })
    .await
    .map_err(blocking_failed)?;
    Ok(HttpResponse::Ok().json(body))
}

fn facets(view: &View, s: &Screener, found: &[u32], names: &[String]) -> BTreeMap<String, Facet> {
    let mut out = BTreeMap::new();
    for name in names {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        let label = match name.as_str() {
            "countries" => {
                for &c in found {
                    for k in view.cluster_countries(c) {
                        *counts.entry(k.to_string()).or_default() += 1;
                    }
                }
                "Countries"
            }
            "topics" => {
                for &c in found {
                    for t in view.cluster_topics(c) {
                        *counts.entry(t.to_string()).or_default() += 1;
                    }
                }
                "Topics"
            }
            "datasets" => {
                for &c in found {
                    for d in view.cluster_lists(s, c) {
                        *counts.entry(d).or_default() += 1;
                    }
                }
                "Data sources"
            }
            "schema" => {
                for &c in found {
                    *counts.entry(view.schema[c as usize].to_string()).or_default() += 1;
                }
                "Entity types"
            }
            _ => continue,
        };
        let mut values: Vec<FacetValue> = counts
            .into_iter()
            .map(|(k, count)| {
                let label = match name.as_str() {
                    "countries" => crate::engine::country::name(&k).map(str::to_string).unwrap_or_else(|| k.clone()),
                    "topics" => topic_label(&k).to_string(),
                    "datasets" => view.list_info(&k).map(|l| l.title.clone()).unwrap_or_else(|| k.clone()),
                    _ => k.clone(),
                };
                FacetValue { name: k, label, count }
            })
            .collect();
        values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
        values.truncate(MAX_FACET_VALUES);
        out.insert(name.clone(), Facet { label: label.to_string(), values });
    }
    out
}
