//! `POST /match/{dataset}`: each query entity is read into name × birth
//! date × country variants, each variant is screened, and the best score per
//! merged entity is kept, filtered and explained in yente's terms.

use std::collections::{BTreeMap, BTreeSet};

use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;

use super::ftm::{country_code, kind_of_schema, known_schema, matchable_schema, schemata_match, ENTITY_SCHEMATA};
use super::params::{dataset_scope, Algorithm, Params, ALGORITHMS};
use super::view::{view_of, View};
use super::{bad_request, blocking_failed, FtmEntity, Total};
use crate::engine::model::{BirthDate, NameRole};
use crate::engine::network::CartelTie;
use crate::engine::query::Submitted;
use crate::engine::{Decision, Flag, Match, Query, QueryError, Screener, Screening};
use crate::error::Code;
use crate::http::auth::ScreenAccess;
use crate::http::error::ApiError;
use crate::http::middleware::Outcome;
use crate::http::state::AppState;
use crate::record::screening::{DispositionPolicy, Recorder, Subject};

const DEFAULT_THRESHOLD: f64 = 0.7;
const DEFAULT_CUTOFF: f64 = 0.5;
const DEFAULT_MATCH_LIMIT: usize = 5;
/// Values per name or name-part property of a query entity (each of
/// [`NAME_PROPS`] and [`NAME_PART_PROPS`]); every distinct name is screened.
pub(super) const MAX_NAMES_PER_PROPERTY: usize = 25;
/// Values per identifier property of a query entity (each of
/// [`IDENTIFIER_PROPS`]); every distinct identifier is looked up.
pub(super) const MAX_IDENTIFIERS_PER_PROPERTY: usize = 50;
/// Name × birth date × country combinations screened per query entity
/// beyond the first combination of each name (every name is screened with
/// the first birth date and country); later combinations are not screened.
const MAX_VARIANTS: usize = 50;

/// `POST /match/{dataset}`: entities to screen, keyed by the caller.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct MatchRequest {
    /// Query entities by a key of the caller's choice (yente-client sends one, keyed `q`).
    pub queries: BTreeMap<String, EntityExample>,
    /// Accepted and ignored.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub weights: Value,
    /// Accepted and ignored.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub config: Value,
}

/// A query entity in FollowTheMoney form.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct EntityExample {
    #[serde(default)]
    pub id: Option<String>,
    /// A matchable schema: Person, Organization, Company, LegalEntity, Vessel, Airplane...
    #[schema(example = "Organization")]
    pub schema: String,
    /// Property name to a list of strings (a single string is accepted).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub properties: BTreeMap<String, Value>,
}

/// Why a feature moved the score.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FeatureResult {
    pub score: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
}

/// cartelscreen's own reading of a candidate (ignored by yente clients).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatchDetail {
    /// The decision at the service's configured review and block thresholds.
    pub decision: Decision,
    pub flags: Vec<Flag>,
    /// The list entry that matched (the entity or one of its referents).
    pub matched_entity: String,
    pub list: String,
    pub matched_name: String,
    pub matched_role: NameRole,
    pub cartel_ties: Vec<CartelTie>,
}

/// A candidate with its score.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScoredEntity {
    #[serde(flatten)]
    pub entity: FtmEntity,
    pub score: f64,
    /// `score >= threshold`.
    #[serde(rename = "match")]
    pub is_match: bool,
    /// Non-zero feature contributions.
    pub features: BTreeMap<String, f64>,
    pub explanations: BTreeMap<String, FeatureResult>,
    pub cartelscreen: MatchDetail,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QueryResponse {
    pub status: u16,
    /// The query as the server read it.
    #[schema(value_type = Object)]
    pub query: Value,
    pub results: Vec<ScoredEntity>,
    pub total: Total,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatcherInfo {
    pub name: &'static str,
    pub description: &'static str,
    #[schema(value_type = Object)]
    pub config: Value,
    #[schema(value_type = Object)]
    pub features: Value,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatchResponse {
    pub responses: BTreeMap<String, QueryResponse>,
    pub matcher: MatcherInfo,
    pub limit: usize,
}

/// Rounded so that the score a client reads compares with the threshold as
/// the server compared it.
fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// The string values of one property of a query.
fn prop_values(prop: &str, v: &Value) -> Result<Vec<String>, String> {
    let one = |x: &Value| -> Result<Option<String>, String> {
        match x {
            Value::Null => Ok(None),
            Value::String(s) => Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty())),
            Value::Number(n) => Ok(Some(n.to_string())),
            Value::Bool(b) => Ok(Some(b.to_string())),
            _ => Err(format!("properties.{prop} must be a list of strings")),
        }
    };
    match v {
        Value::Array(items) => items.iter().filter_map(|x| one(x).transpose()).collect(),
        other => Ok(one(other)?.into_iter().collect()),
    }
}

pub(super) const NAME_PROPS: [&str; 5] = ["name", "alias", "previousName", "weakAlias", "abbreviation"];
pub(super) const NAME_PART_PROPS: [&str; 6] =
    ["firstName", "secondName", "middleName", "fatherName", "lastName", "motherName"];
const COUNTRY_PROPS: [&str; 6] = ["country", "nationality", "citizenship", "jurisdiction", "mainCountry", "flag"];
pub(super) const IDENTIFIER_PROPS: [&str; 25] = [
    "idNumber",
    "passportNumber",
    "socialSecurityNumber",
    "taxNumber",
    "vatCode",
    "registrationNumber",
    "innCode",
    "ogrnCode",
    "okpoCode",
    "kppCode",
    "leiCode",
    "dunsCode",
    "swiftBic",
    "bikCode",
    "uniqueEntityId",
    "npiCode",
    "permId",
    "uscCode",
    "licenseNumber",
    "imoNumber",
    "mmsi",
    "serialNumber",
    "icaoCode",
    "crsNumber",
    "programId",
];

/// One query entity, ready to screen.
#[derive(Debug, Clone)]
struct PreparedQuery {
    /// The query as read, for the response.
    pub echo: Value,
    pub schema: &'static str,
    /// Whether any cartelscreen entity can have a schema that matches.
    pub answerable: bool,
    /// Each name × birth date × country combination.
    pub variants: Vec<Query>,
}

/// Reads a query entity: its schema, names, dates, countries, identifiers.
fn prepare_query(key: &str, ex: &EntityExample, algorithm: Algorithm) -> Result<PreparedQuery, ApiError> {
    let at = |m: String| bad_request(Code::InvalidQueryEntity, format!("queries.{key}: {m}"));
    let schema = known_schema(ex.schema.trim())
        .ok_or_else(|| at(format!("schema {:?} is not a FollowTheMoney schema", ex.schema)))?;
    if !matchable_schema(schema) {
        return Err(at(format!(
            "schema {schema} cannot be matched; use Person, Organization, Company, LegalEntity, Vessel, Airplane..."
        )));
    }
    let mut props: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in &ex.properties {
        let limit = if NAME_PROPS.contains(&k.as_str()) || NAME_PART_PROPS.contains(&k.as_str()) {
            Some(MAX_NAMES_PER_PROPERTY)
        } else if IDENTIFIER_PROPS.contains(&k.as_str()) {
            Some(MAX_IDENTIFIERS_PER_PROPERTY)
        } else {
            None
        };
        if let (Some(max), Value::Array(items)) = (limit, v) {
            if items.len() > max {
                return Err(at(format!("properties.{k} has {} values; at most {max}", items.len())));
            }
        }
        let values = prop_values(k, v).map_err(at)?;
        if !values.is_empty() {
            props.insert(k.clone(), values);
        }
    }
    let get = |k: &str| props.get(k).map(Vec::as_slice).unwrap_or(&[]);
    let mut names: Vec<String> = Vec::new();
    for p in NAME_PROPS {
        for n in get(p) {
            if !names.contains(n) {
                names.push(n.clone());
            }
        }
    }
    if names.is_empty() {
        let parts: Vec<&str> = NAME_PART_PROPS.iter().filter_map(|p| get(p).first().map(String::as_str)).collect();
        if !parts.is_empty() {
            names.push(parts.join(" "));
        }
    }
    if let Some(n) = names.iter().find(|n| n.chars().count() > crate::engine::query::MAX_NAME_CHARS) {
        let short: String = n.chars().take(40).collect();
        return Err(at(format!(
            "name {short:?}... is longer than {} characters",
            crate::engine::query::MAX_NAME_CHARS
        )));
    }
    let mut dobs: Vec<BirthDate> = Vec::new();
    let today = crate::engine::query::today();
    for d in get("birthDate").iter().filter_map(|d| crate::engine::query::parse_birth_date(d, today).ok()) {
        if !dobs.contains(&d) {
            dobs.push(d);
        }
    }
    let mut countries: Vec<String> = Vec::new();
    let mut seen_countries: Vec<String> = Vec::new();
    for c in COUNTRY_PROPS.iter().flat_map(|p| get(p)) {
        let k = country_code(c).unwrap_or_else(|| c.to_lowercase());
        if !seen_countries.contains(&k) {
            seen_countries.push(k);
            countries.push(c.clone());
        }
    }
    if countries.is_empty() {
        // The last part of an address is usually its country.
        for a in get("address") {
            if let Some(code) = a.rsplit([',', '\n']).next().and_then(|last| crate::engine::country::iso2(last.trim()))
            {
                if !countries.iter().any(|c| c == code) {
                    countries.push(code.to_string());
                }
            }
        }
    }
    let mut identifiers: Vec<String> = Vec::new();
    for i in IDENTIFIER_PROPS.iter().flat_map(|p| get(p)) {
        if !identifiers.contains(i) {
            identifiers.push(i.clone());
        }
    }
    let kind = kind_of_schema(schema);
    let answerable = ENTITY_SCHEMATA.iter().any(|c| schemata_match(schema, c));
    let mut variants = Vec::new();
    if algorithm == Algorithm::NameOnly {
        dobs.clear();
        countries.clear();
        identifiers.clear();
    }
    if names.is_empty() && !identifiers.is_empty() {
        names.push(String::new());
    }
    let dob_options: Vec<Option<BirthDate>> =
        if dobs.is_empty() { vec![None] } else { dobs.into_iter().map(Some).collect() };
    let country_options: Vec<Option<String>> =
        if countries.is_empty() { vec![None] } else { countries.into_iter().map(Some).collect() };
    // A name's query carries the first identifiers a query may hold; the
    // rest are looked up by a query of identifiers alone, so none is lost.
    let ids: Vec<&str> = identifiers.iter().take(crate::engine::query::MAX_IDENTIFIERS).map(String::as_str).collect();
    let combinations: Vec<(Option<BirthDate>, Option<&str>)> =
        dob_options.iter().flat_map(|d| country_options.iter().map(move |c| (*d, c.as_deref()))).collect();
    'all: for (n, (dob, country)) in combinations.into_iter().enumerate() {
        for name in &names {
            if n > 0 && variants.len() >= names.len() + MAX_VARIANTS {
                break 'all;
            }
            let mut q = if name.is_empty() {
                // By identifiers alone.
                Query { identifiers: identifiers.clone(), ..Query::default() }
            } else {
                let submitted =
                    Submitted { name: Some(name), country, identifiers: ids.clone(), ..Submitted::default() };
                // yente drops what it cannot read; so does `/match`.
                Query::parse_lenient(&submitted).map_err(|e| at(e.to_string()))?.0
            };
            q.kind = kind;
            q.dob = dob;
            variants.push(q);
        }
    }
    if identifiers.len() > ids.len() && names.iter().all(|n| !n.is_empty()) {
        variants.push(Query { identifiers, kind, ..Query::default() });
    }
    let echo = json!({"id": ex.id, "schema": schema, "properties": props});
    Ok(PreparedQuery { echo, schema, answerable, variants })
}

/// The options of one `/match` request.
#[derive(Debug, Clone)]
struct MatchOptions {
    pub threshold: f64,
    pub cutoff: f64,
    pub limit: usize,
    pub algorithm: Algorithm,
    pub scope: BTreeSet<String>,
    pub topics: Vec<String>,
    pub exclude_schema: Vec<&'static str>,
    pub exclude_ids: FxHashSet<String>,
    pub changed_since: Option<String>,
}

impl MatchOptions {
    fn parse(params: &Params, s: &Screener, dataset: &str) -> Result<MatchOptions, ApiError> {
        let algorithm = match params.one("algorithm") {
            None => Algorithm::Full,
            Some(a) => Algorithm::parse(a).ok_or_else(|| {
                let names: Vec<&str> = ALGORITHMS.iter().map(|a| a.name()).collect();
                bad_request(
                    Code::InvalidAlgorithm,
                    format!("algorithm {a:?} is not offered; use {} or best (see GET /algorithms)", names.join(", ")),
                )
            })?,
        };
        Ok(MatchOptions {
            threshold: params.unit("threshold", DEFAULT_THRESHOLD)?,
            cutoff: params.unit("cutoff", DEFAULT_CUTOFF)?,
            limit: params.limit(DEFAULT_MATCH_LIMIT)?,
            algorithm,
            scope: dataset_scope(s, dataset, &params.all("include_dataset"), &params.all("exclude_dataset"))?,
            topics: params.all("topics").into_iter().map(str::to_string).collect(),
            exclude_schema: params.schemata("exclude_schema")?,
            exclude_ids: params.all("exclude_entity_ids").into_iter().map(str::to_string).collect(),
            changed_since: params.changed_since()?,
        })
    }
}

struct Candidate {
    m: Match,
    query_name: String,
    score: f64,
}

fn explanations(c: &Candidate) -> (BTreeMap<String, f64>, BTreeMap<String, FeatureResult>) {
    let mut features = BTreeMap::new();
    let mut expl = BTreeMap::new();
    let ns = &c.m.explanation.name;
    let mut detail = if c.query_name.trim().is_empty() {
        format!("the query has no name; {} on {} was reached by identifier", c.m.entity_id, c.m.list)
    } else {
        format!("{} name of {} on {}", c.m.matched_role.as_str(), c.m.entity_id, c.m.list)
    };
    if !ns.tokens.is_empty() {
        let pairs: Vec<String> = ns
            .tokens
            .iter()
            .map(|t| format!("{}~{} {} {:.2}", t.query, t.listed, t.how.as_str(), t.similarity))
            .collect();
        detail.push_str(&format!(": {}", pairs.join(", ")));
    }
    if !ns.unmatched_query.is_empty() {
        detail.push_str(&format!("; unmatched in query: {}", ns.unmatched_query.join(" ")));
    }
    if !ns.unmatched_listed.is_empty() {
        detail.push_str(&format!("; unmatched in listed name: {}", ns.unmatched_listed.join(" ")));
    }
    let name_score = round4(ns.score as f64);
    expl.insert(
        "name_match".to_string(),
        FeatureResult {
            score: name_score,
            detail: Some(detail),
            query: Some(c.query_name.clone()).filter(|q| !q.is_empty()),
            candidate: Some(c.m.matched_name.clone()),
            weight: Some(1.0),
        },
    );
    if name_score != 0.0 {
        features.insert("name_match".to_string(), name_score);
    }
    for a in &c.m.explanation.adjustments {
        let up = a.effect >= 0.0;
        let feature = match a.feature {
            "identifier" if up => "identifier_match",
            "identifier" => "identifier_mismatch",
            "dob" if up => "dob_match",
            "dob" => "dob_mismatch",
            "country" if up => "country_match",
            "country" => "country_mismatch",
            "kind" => "kind_mismatch",
            "weak_alias" => "weak_alias",
            other => other,
        };
        let score = round4(a.effect as f64);
        expl.insert(
            feature.to_string(),
            FeatureResult { score, detail: Some(a.detail.clone()), query: None, candidate: None, weight: Some(1.0) },
        );
        if score != 0.0 {
            features.insert(feature.to_string(), score);
        }
    }
    (features, expl)
}

/// Screens one prepared query and returns its response, and the worst
/// decision among its results.
fn run_query(
    view: &View,
    recorder: &Recorder<'_>,
    pq: &PreparedQuery,
    o: &MatchOptions,
) -> Result<(QueryResponse, Screening), ApiError> {
    let s = recorder.screener();
    let es = s.entities();
    let mut best: FxHashMap<u32, Candidate> = FxHashMap::default();
    if pq.answerable {
        for q in &pq.variants {
            let screening = match recorder.screen_query(q, None) {
                Ok(r) => r,
                Err(QueryError::NameTooLong { max: n }) => {
                    return Err(bad_request(Code::NameTooLong, format!("name is longer than {n} characters")))
                }
                Err(_) => continue,
            };
            for m in screening.matches {
                let Some(&i) = view.ids.get(&m.entity_id) else { continue };
                if !o.scope.contains(&es[i as usize].list) {
                    continue;
                }
                let c = view.canonical[i as usize];
                let score = round4(m.score as f64);
                if best.get(&c).is_some_and(|b| b.score >= score) {
                    continue;
                }
                best.insert(c, Candidate { m, query_name: q.name.clone(), score });
            }
        }
    }
    let mut kept: Vec<(u32, Candidate)> = best
        .into_iter()
        .filter(|(c, cand)| {
            let schema = view.schema[*c as usize];
            cand.score >= o.cutoff
                && schemata_match(pq.schema, schema)
                && !o.exclude_schema.contains(&schema)
                && !o.exclude_ids.contains(&es[*c as usize].id)
                && !view.referents[*c as usize].iter().any(|r| o.exclude_ids.contains(r))
                && (o.topics.is_empty() || view.cluster_topics(*c).iter().any(|t| o.topics.iter().any(|w| w == t)))
                && o.changed_since.as_ref().is_none_or(|since| view.last_change(s, *c).is_none_or(|lc| lc >= *since))
        })
        .collect();
    kept.sort_by(|a, b| b.1.score.total_cmp(&a.1.score).then_with(|| es[a.0 as usize].id.cmp(&es[b.0 as usize].id)));
    let total = Total { value: kept.len(), relation: "eq" };
    kept.truncate(o.limit);
    // The answer as one screening, for the trail: what the caller is told.
    let mut screening = Screening::conclude(kept.iter().map(|(_, c)| c.m.clone()).collect(), Vec::new(), Vec::new());
    recorder.add_list_flags(&mut screening.flags);
    let results = kept
        .into_iter()
        .map(|(c, cand)| {
            let (features, explanations) = explanations(&cand);
            ScoredEntity {
                entity: view.entity(s, c, false),
                score: cand.score,
                is_match: cand.score >= o.threshold,
                features,
                explanations,
                cartelscreen: MatchDetail {
                    decision: cand.m.decision,
                    flags: cand.m.flags,
                    matched_entity: cand.m.entity_id,
                    list: cand.m.list,
                    matched_name: cand.m.matched_name,
                    matched_role: cand.m.matched_role,
                    cartel_ties: cand.m.cartel_ties,
                },
            }
        })
        .collect();
    Ok((QueryResponse { status: 200, query: pq.echo.clone(), results, total }, screening))
}

/// Match entities against a dataset (yente's `/match`).
#[utoipa::path(post, path = "/match/{dataset}", tag = "opensanctions", request_body = MatchRequest,
    params(
        ("dataset" = String, Path, description = "`default` or a list's dataset, e.g. us_ofac_sdn"),
        ("threshold" = Option<f64>, Query, description = "Score from which `match` is true (0.7)"),
        ("cutoff" = Option<f64>, Query, description = "Candidates scoring below are dropped (0.5)"),
        ("limit" = Option<usize>, Query, description = "Results per query (5, at most 500)"),
        ("algorithm" = Option<String>, Query, description = "cartelscreen-v1 (also `best`) or cartelscreen-name-v1"),
        ("include_dataset" = Option<Vec<String>>, Query, description = "Only these datasets"),
        ("exclude_dataset" = Option<Vec<String>>, Query, description = "Not these datasets"),
        ("topics" = Option<Vec<String>>, Query, description = "Only entities with one of these topics"),
        ("exclude_schema" = Option<Vec<String>>, Query, description = "Not entities of these schemata"),
        ("exclude_entity_ids" = Option<Vec<String>>, Query, description = "Not these entities"),
        ("changed_since" = Option<String>, Query, description = "Only entities of lists published since"),
    ),
    responses((status = 200, body = MatchResponse),
              (status = 400, body = crate::http::error::ErrorBody), (status = 404, body = crate::http::error::ErrorBody),
              (status = 422, body = crate::http::error::ErrorBody), (status = 401, body = crate::http::error::ErrorBody)),
    security(("api_key" = ["screen"])))]
pub async fn match_entities(
    access: ScreenAccess,
    state: web::Data<AppState>,
    req: HttpRequest,
    dataset: web::Path<String>,
    body: web::Json<MatchRequest>,
) -> Result<HttpResponse, ApiError> {
    let params = Params::parse(req.query_string())?;
    let body = body.into_inner();
    let max = state.settings.server.max_batch_items;
    if body.queries.len() > max {
        return Err(ApiError::new(
            Code::TooManyItems,
            format!("{} queries; at most {max} per request", body.queries.len()),
        ));
    }
    let generation = state.lists.current();
    let options = MatchOptions::parse(&params, &generation.screener, &dataset)?;
    let prepared: Vec<(String, PreparedQuery)> = body
        .queries
        .iter()
        .map(|(k, ex)| prepare_query(k, ex, options.algorithm).map(|p| (k.clone(), p)))
        .collect::<Result<_, _>>()?;
    let worker_state = state.clone();
    let worker_options = options.clone();
    let origin = access.0.origin("match");
    let examples = body.queries;
    let mut outcome = web::block(move || {
        let view = view_of(&generation);
        let count = |d| worker_state.metrics.decision(d);
        let recorder = Recorder::new(&worker_state.records, &generation.screener, origin, DispositionPolicy::Apply)
            .counting(&count);
        prepared
            .par_iter()
            .enumerate()
            .map(|(i, (k, pq))| {
                let (r, screening) =
                    run_query(&view, &recorder, pq, &worker_options).map_err(|e| e.at(format!("queries.{k}")))?;
                let subject = Subject::item(i as i64, None, json!({"query": k, "entity": examples.get(k)}));
                let record = recorder.conclude(subject, Ok(&screening));
                Ok((k.clone(), r, screening.decision, record))
            })
            .collect::<Result<Vec<_>, ApiError>>()
    })
    .await
    .map_err(blocking_failed)??;
    let records = outcome.iter_mut().filter_map(|(_, _, _, r)| r.take()).collect();
    state.records.commit(records).await?;
    let decision = outcome.iter().map(|(_, _, d, _)| *d).max().unwrap_or(Decision::Clear);
    req.extensions_mut().insert(Outcome(decision));
    let responses = outcome.into_iter().map(|(k, r, _, _)| (k, r)).collect();
    Ok(HttpResponse::Ok().json(MatchResponse {
        responses,
        matcher: MatcherInfo {
            name: options.algorithm.name(),
            description: options.algorithm.description(),
            config: json!({}),
            features: options.algorithm.features(),
        },
        limit: options.limit,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::model::EntityKind;
    use crate::http::yente::fixtures::{json_of, view};
    use crate::http::yente::{ALGORITHM, DEFAULT_DATASET};
    use crate::record::audit::Origin;
    use actix_web::http::StatusCode;
    use actix_web::test as web_test;

    fn example(schema: &str, props: Value) -> EntityExample {
        EntityExample { id: None, schema: schema.into(), properties: serde_json::from_value(props).unwrap() }
    }

    #[test]
    fn queries_read_every_name_date_country_and_identifier() {
        let ex = example(
            "Person",
            json!({"name": ["Ruben Oseguera", "El Mencho"], "alias": "Nemesio Oseguera", "birthDate": ["1966-07-17", "bad"],
                   "nationality": ["Mexico"], "country": ["mx"], "idNumber": ["OECN660717HMNSRM07"], "notes": [""]}),
        );
        let pq = prepare_query("q", &ex, Algorithm::Full).unwrap();
        assert_eq!(pq.schema, "Person");
        assert!(pq.answerable);
        assert_eq!(pq.variants.len(), 3, "three names, one valid date, one country (mx twice)");
        assert!(pq.variants.iter().all(|q| q.kind == Some(EntityKind::Person) && q.dob.is_some()));
        assert_eq!(pq.variants[0].identifiers, ["OECN660717HMNSRM07"]);
        assert_eq!(pq.echo["schema"], "Person");
        assert_eq!(pq.echo["properties"]["alias"], json!(["Nemesio Oseguera"]));
        assert!(pq.echo["properties"].get("notes").is_none());
        let pq = prepare_query("q", &ex, Algorithm::NameOnly).unwrap();
        assert!(pq.variants.iter().all(|q| q.dob.is_none() && q.country.is_none() && q.identifiers.is_empty()));
        let parts = example("Person", json!({"firstName": ["Ruben"], "lastName": ["Oseguera"]}));
        assert_eq!(prepare_query("q", &parts, Algorithm::Full).unwrap().variants[0].name, "Ruben Oseguera");
        let ids_only = example("Company", json!({"taxNumber": ["GIM140402AB1"]}));
        let pq = prepare_query("q", &ids_only, Algorithm::Full).unwrap();
        assert_eq!(pq.variants.len(), 1);
        assert_eq!(pq.variants[0].name, "");
        let address = example("Company", json!({"name": ["X"], "address": ["Av. Juarez 1, Guadalajara, Mexico"]}));
        assert_eq!(prepare_query("q", &address, Algorithm::Full).unwrap().variants[0].country.as_deref(), Some("MX"));
        assert!(!prepare_query("q", &example("Address", json!({"full": ["x"]})), Algorithm::Full).unwrap().answerable);
        for bad in
            [example("Thing", json!({})), example("Persona", json!({})), example("Person", json!({"name": [{"a": 1}]}))]
        {
            let e = prepare_query("q", &bad, Algorithm::Full).unwrap_err();
            assert_eq!(e.status, StatusCode::BAD_REQUEST, "{e}");
            assert!(e.message.starts_with("queries.q: "), "{e}");
        }
    }

    #[test]
    fn limits_are_per_property_and_every_name_and_identifier_is_used() {
        let names = |p: &str, n: usize| (0..n).map(|i| format!("{p} Nombre{i}")).collect::<Vec<_>>();
        let ids = |p: &str, n: usize| (0..n).map(|i| format!("{p}{i:06}")).collect::<Vec<_>>();
        let ex = example(
            "Person",
            json!({"name": names("a", 25), "alias": names("b", 25), "previousName": names("c", 25),
                   "birthDate": ["1966-07-17", "1970-01-01", "1971-01-01"], "country": ["mx", "us"],
                   "idNumber": ids("A", 50), "passportNumber": ids("B", 30)}),
        );
        let pq = prepare_query("q", &ex, Algorithm::Full).unwrap();
        let screened: std::collections::BTreeSet<&str> = pq.variants.iter().map(|q| q.name.as_str()).collect();
        assert_eq!(screened.len(), 75 + 1, "every name, and one query of identifiers alone");
        assert_eq!(pq.variants.len(), 75 + MAX_VARIANTS + 1);
        assert!(pq.variants[..75].iter().all(|q| q.identifiers.len() == 50));
        assert_eq!(pq.variants.last().unwrap().identifiers.len(), 80);
        for (prop, over) in [("alias", json!(names("b", 26))), ("taxNumber", json!(ids("C", 51)))] {
            let e = prepare_query("q", &example("Person", json!({"name": ["x"], prop: over})), Algorithm::Full)
                .unwrap_err();
            assert!(e.message.contains(&format!("properties.{prop} has")), "{e}");
        }
    }

    fn options(s: &Screener) -> MatchOptions {
        MatchOptions::parse(&Params::default(), s, DEFAULT_DATASET).unwrap()
    }

    #[test]
    fn matching_merges_entries_and_explains() {
        let (s, v) = view();
        let pq = prepare_query(
            "q",
            &example("Organization", json!({"name": ["Cartel de Jalisco Nueva Generacion"]})),
            Algorithm::Full,
        )
        .unwrap();
        let (r, screening) =
            run_query(&v, &Recorder::unrecorded(&s, Origin::new("t", "t", "match")), &pq, &options(&s)).unwrap();
        assert_eq!(screening.decision, Decision::Block);
        assert_eq!(r.results[0].entity.id, "cs-cjng");
        assert!(r.results[0].is_match && r.results[0].score >= 0.95);
        assert_eq!(r.results.iter().filter(|x| x.entity.id == "cs-cjng").count(), 1, "one result per entity");
        assert!(r.results.iter().all(|x| x.entity.id != "ofac-17671"), "referents are not results");
        assert!(r.results.windows(2).all(|w| w[0].score >= w[1].score));
        let ex = &r.results[0].explanations["name_match"];
        assert!(ex.score > 0.9 && ex.detail.as_deref().unwrap().contains("~"));
        assert_eq!(r.results[0].features["name_match"], ex.score);
        // Only OFAC: the OFAC entry still finds the merged entity.
        let mut o = options(&s);
        o.scope = dataset_scope(&s, "us_ofac_sdn", &[], &[]).unwrap();
        let (r, _) = run_query(&v, &Recorder::unrecorded(&s, Origin::new("t", "t", "match")), &pq, &o).unwrap();
        assert_eq!(r.results[0].entity.id, "cs-cjng");
        assert_eq!(r.results[0].cartelscreen.matched_entity, "ofac-17671");
        // A person query never returns the organization.
        let person = prepare_query(
            "q",
            &example("Person", json!({"name": ["Cartel de Jalisco Nueva Generacion"]})),
            Algorithm::Full,
        )
        .unwrap();
        let (r, _) =
            run_query(&v, &Recorder::unrecorded(&s, Origin::new("t", "t", "match")), &person, &options(&s)).unwrap();
        assert!(
            r.results.iter().all(|x| x.entity.schema == "Person"),
            "{:?}",
            r.results.iter().map(|x| &x.entity.id).collect::<Vec<_>>()
        );
    }

    #[test]
    fn match_options_filter_and_threshold() {
        let (s, v) = view();
        let pq = prepare_query(
            "q",
            &example("Person", json!({"name": ["Nemesio Ruben Oseguera Cervantes"], "birthDate": ["1966-07-17"]})),
            Algorithm::Full,
        )
        .unwrap();
        let mut o = options(&s);
        let (r, _) = run_query(&v, &Recorder::unrecorded(&s, Origin::new("t", "t", "match")), &pq, &o).unwrap();
        assert_eq!(r.results[0].entity.id, "ofac-17674");
        assert!(r.results[0].features.contains_key("dob_match"), "{:?}", r.results[0].features);
        o.threshold = 1.0;
        let (r, _) = run_query(&v, &Recorder::unrecorded(&s, Origin::new("t", "t", "match")), &pq, &o).unwrap();
        assert!(r.results.iter().all(|x| x.is_match == (x.score >= 1.0)));
        o.exclude_ids.insert("ofac-17674".into());
        assert!(run_query(&v, &Recorder::unrecorded(&s, Origin::new("t", "t", "match")), &pq, &o)
            .unwrap()
            .0
            .results
            .is_empty());
        let mut o = options(&s);
        o.exclude_schema = vec!["Person"];
        assert!(run_query(&v, &Recorder::unrecorded(&s, Origin::new("t", "t", "match")), &pq, &o)
            .unwrap()
            .0
            .results
            .is_empty());
        let mut o = options(&s);
        o.topics = vec!["crime.cyber".into()];
        assert!(run_query(&v, &Recorder::unrecorded(&s, Origin::new("t", "t", "match")), &pq, &o)
            .unwrap()
            .0
            .results
            .is_empty());
        let mut o = options(&s);
        o.changed_since = Some("2030-01-01T00:00:00".into());
        assert_eq!(
            run_query(&v, &Recorder::unrecorded(&s, Origin::new("t", "t", "match")), &pq, &o).unwrap().0.results.len(),
            1,
            "OFAC states no date: kept"
        );
        let cjng = prepare_query("q", &example("Organization", json!({"name": ["CJNG"]})), Algorithm::Full).unwrap();
        assert!(
            run_query(&v, &Recorder::unrecorded(&s, Origin::new("t", "t", "match")), &cjng, &o)
                .unwrap()
                .0
                .results
                .is_empty(),
            "the registry is older than 2030"
        );
        // An identifier alone finds its entity.
        let by_id =
            prepare_query("q", &example("Company", json!({"taxNumber": ["gim140402ab1"]})), Algorithm::Full).unwrap();
        let (r, _) =
            run_query(&v, &Recorder::unrecorded(&s, Origin::new("t", "t", "match")), &by_id, &options(&s)).unwrap();
        assert_eq!(r.results[0].entity.id, "ofac-99001");
        assert_eq!(r.results[0].score, 1.0);
        assert!(r.results[0].features.contains_key("identifier_match"));
        assert!(r.results[0].explanations["name_match"].detail.as_deref().unwrap().contains("by identifier"));
    }

    #[actix_web::test]
    async fn match_route_speaks_yente() {
        let app = app!();
        let body = json!({"queries": {"q": {"schema": "Organization", "properties": {"name": ["Cártel de Jalisco"], "country": ["mx"]}}},
                          "weights": {}, "config": {}});
        let req = web_test::TestRequest::post()
            .uri("/match/default?threshold=0.7&cutoff=0.5&algorithm=best&limit=3&topics=sanction")
            .set_json(&body)
            .to_request();
        let resp = web_test::call_service(&app, req).await;
        assert_eq!(resp.status(), 200);
        let v = json_of(resp).await;
        assert_eq!(v["limit"], 3);
        assert_eq!(v["matcher"]["name"], ALGORITHM);
        let q = &v["responses"]["q"];
        assert_eq!(q["status"], 200);
        assert_eq!(q["query"]["schema"], "Organization");
        assert_eq!(q["total"]["relation"], "eq");
        let top = &q["results"][0];
        assert_eq!(top["id"], "cs-cjng");
        assert_eq!(top["match"], true);
        assert!(top["explanations"]["name_match"]["score"].is_number());
        assert!(top["features"].is_object());
        assert_eq!(top["cartelscreen"]["cartel_ties"][0]["cartel"], "CJNG");

        for (uri, status, code) in [
            ("/match/nope", 404, "dataset_not_found"),
            ("/match/default?algorithm=logic-v1", 400, "invalid_algorithm"),
            ("/match/default?limit=abc", 422, "invalid_query"),
            ("/match/default?limit=501", 400, "invalid_query"),
            ("/match/default?threshold=2", 400, "invalid_query"),
            ("/match/default?changed_since=yesterday", 400, "invalid_query"),
            ("/match/default?exclude_schema=Persona", 400, "invalid_schema"),
        ] {
            let req = web_test::TestRequest::post().uri(uri).set_json(&body).to_request();
            let resp = web_test::call_service(&app, req).await;
            assert_eq!(resp.status(), status, "{uri}");
            let v = json_of(resp).await;
            assert_eq!(v["error"]["code"], code, "{uri}: {v}");
            assert_eq!(v["detail"], v["error"]["message"], "{uri}");
        }
        let too_many = json!({"queries": {"a": {"schema": "Person"}, "b": {"schema": "Person"}, "c": {"schema": "Person"}, "d": {"schema": "Person"}}});
        let resp = web_test::call_service(
            &app,
            web_test::TestRequest::post().uri("/match/default").set_json(&too_many).to_request(),
        )
        .await;
        assert_eq!(resp.status(), 422);
        assert!(json_of(resp).await["detail"].as_str().unwrap().contains("at most 3"));
        let no_queries = json!({"weights": {}});
        let resp = web_test::call_service(
            &app,
            web_test::TestRequest::post().uri("/match/default").set_json(&no_queries).to_request(),
        )
        .await;
        assert_eq!(resp.status(), 422);
        assert!(json_of(resp).await["detail"].as_str().unwrap().contains("queries"));
        let resp = web_test::call_service(&app, web_test::TestRequest::get().uri("/match/default").to_request()).await;
        assert_eq!(resp.status(), 405);
        assert_eq!(json_of(resp).await["error"]["code"], "method_not_allowed");
        // An empty name with no identifier: nothing to match, not an error.
        let empty = json!({"queries": {"q": {"schema": "Person", "properties": {"country": ["mx"]}}}});
        let resp = web_test::call_service(
            &app,
            web_test::TestRequest::post().uri("/match/default").set_json(&empty).to_request(),
        )
        .await;
        assert_eq!(resp.status(), 200);
        assert_eq!(json_of(resp).await["responses"]["q"]["results"], json!([]));
    }
}
