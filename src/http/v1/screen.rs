//! `POST /v1/screen` (one counterparty) and `POST /v1/screen/batch` (up to
//! `server.max_batch_items`, one result each, in order).

use std::collections::BTreeMap;
use std::time::SystemTime;

use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{list_refs, subject_of, ListRef, ScreenRequest, ScreenResult};
use crate::engine::{Decision, Options, ScreeningOptions};
use crate::error::Code;
use crate::http::auth::ScreenAccess;
use crate::http::error::ApiError;
use crate::http::middleware::Outcome;
use crate::http::state::AppState;
use crate::live::rfc3339;
use crate::record::screening::{DispositionPolicy, Recorder, Subject};

/// `POST /v1/screen`: one counterparty and, optionally, the options of
/// this screening (`min_score`, `lists`, `kinds`). Unknown fields are
/// refused.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(try_from = "serde_json::Map<String, serde_json::Value>")]
pub struct SingleScreenRequest {
    /// The counterparty.
    #[serde(flatten)]
    pub party: ScreenRequest,
    /// How to screen it; none given screens as configured.
    #[serde(flatten)]
    pub options: ScreeningOptions,
}

impl TryFrom<serde_json::Map<String, serde_json::Value>> for SingleScreenRequest {
    type Error = String;

    fn try_from(mut fields: serde_json::Map<String, serde_json::Value>) -> Result<SingleScreenRequest, String> {
        let mut options = serde_json::Map::new();
        for k in ["min_score", "lists", "kinds"] {
            if let Some(v) = fields.remove(k) {
                options.insert(k.to_string(), v);
            }
        }
        let options: ScreeningOptions =
            serde_json::from_value(serde_json::Value::Object(options)).map_err(|e| e.to_string())?;
        let party: ScreenRequest =
            serde_json::from_value(serde_json::Value::Object(fields)).map_err(|e| e.to_string())?;
        Ok(SingleScreenRequest { party, options })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScreenResponse {
    pub request_id: String,
    /// RFC 3339, UTC.
    pub screened_at: String,
    #[serde(flatten)]
    pub result: ScreenResult,
    /// The options applied (absent when none was given): `min_score` (and
    /// `min_score_requested` when it was raised to the configured report
    /// threshold), `lists`, `kinds`.
    #[serde(skip_serializing_if = "Options::is_default")]
    pub options: Options,
    /// The list versions the result was reached with.
    pub lists: Vec<ListRef>,
}

/// Screen one counterparty.
#[utoipa::path(post, path = "/v1/screen", tag = "screening", request_body = SingleScreenRequest,
    responses((status = 200, body = ScreenResponse), (status = 422, body = crate::http::error::ErrorBody),
              (status = 401, body = crate::http::error::ErrorBody)),
    security(("api_key" = ["screen"])))]
pub async fn screen(
    access: ScreenAccess,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<SingleScreenRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let q = body.party.to_query()?;
    tracing::debug!(name = %q.name, "screening");
    let generation = state.lists.current();
    let options = body.options.check(&generation.screener)?;
    let count = |d| state.metrics.decision(d);
    let recorder =
        Recorder::new(&state.records, &generation.screener, access.0.origin("api"), DispositionPolicy::Apply)
            .counting(&count);
    let reference = body.party.reference.as_deref();
    let recorded = recorder.screen_with(&q, &options, Subject::one(reference, subject_of(&body.party)));
    let screening = recorded.outcome?;
    state.records.commit(recorded.record.into_iter().collect()).await?;
    req.extensions_mut().insert(Outcome(screening.decision));
    Ok(HttpResponse::Ok().json(ScreenResponse {
        request_id: access.0.request_id,
        screened_at: rfc3339(SystemTime::now()),
        result: ScreenResult::new(body.party.reference.clone(), screening),
        options,
        lists: list_refs(&generation.screener),
    }))
}

/// Several counterparties in one call.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchRequest {
    /// Each item has the counterparty fields of `POST /v1/screen` (not the
    /// options, which apply to the whole batch); an item that is not valid
    /// gets its own error and does not fail the others.
    #[schema(value_type = Vec<ScreenRequest>)]
    pub items: Vec<serde_json::Value>,
    /// Report threshold for every item (see `POST /v1/screen`).
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub min_score: Option<f64>,
    /// Datasets every item is screened against (see `POST /v1/screen`).
    pub lists: Option<Vec<String>>,
    /// Kinds of entries every item is compared with (see `POST /v1/screen`).
    pub kinds: Option<Vec<String>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BatchItem {
    /// Position in the request, from 0.
    pub index: usize,
    /// `ok` or `error`.
    pub status: &'static str,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub result: Option<ScreenResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<crate::http::error::ErrorDetail>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BatchResponse {
    pub request_id: String,
    pub screened_at: String,
    /// The worst decision over the items that could be screened.
    pub decision: Decision,
    pub counts: BTreeMap<String, usize>,
    /// One per item, in request order.
    pub results: Vec<BatchItem>,
    /// The options applied to every item (absent when none was given).
    #[serde(skip_serializing_if = "Options::is_default")]
    pub options: Options,
    pub lists: Vec<ListRef>,
}

/// Screen up to `server.max_batch_items` counterparties.
#[utoipa::path(post, path = "/v1/screen/batch", tag = "screening", request_body = BatchRequest,
    responses((status = 200, body = BatchResponse), (status = 422, body = crate::http::error::ErrorBody)),
    security(("api_key" = ["screen"])))]
pub async fn screen_batch(
    access: ScreenAccess,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<BatchRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let items = body.items;
    let asked = ScreeningOptions { min_score: body.min_score, lists: body.lists, kinds: body.kinds };
    let max = state.settings.server.max_batch_items;
    if items.len() > max {
        return Err(ApiError::new(Code::TooManyItems, format!("{} items; at most {max} per batch", items.len())));
    }
    if items.is_empty() {
        return Err(ApiError::new(Code::EmptyBatch, "items is empty"));
    }
    let generation = state.lists.current();
    let options = asked.check(&generation.screener)?;
    let worker_options = options.clone();
    let worker_state = state.clone();
    let worker_generation = generation.clone();
    let origin = access.0.origin("api_batch");
    let (results, records) = web::block(move || {
        let count = |d| worker_state.metrics.decision(d);
        let recorder =
            Recorder::new(&worker_state.records, &worker_generation.screener, origin, DispositionPolicy::Apply)
                .counting(&count);
        items
            .into_par_iter()
            .enumerate()
            .map(|(index, value)| {
                let submitted = subject_of(&value);
                let reference = value.get("reference").and_then(|r| r.as_str()).map(str::to_string);
                let subject = Subject::item(index as i64, reference.as_deref(), submitted);
                let parsed = serde_json::from_value::<ScreenRequest>(value)
                    .map_err(|e| ApiError::new(Code::InvalidField, e.to_string()))
                    .and_then(|item| item.to_query());
                let (outcome, record) = match parsed {
                    Ok(q) => {
                        let recorded = recorder.screen_with(&q, &worker_options, subject);
                        (recorded.outcome.map_err(ApiError::from), recorded.record)
                    }
                    Err(e) => {
                        let mut subject = subject;
                        if let (serde_json::Value::Object(o), false) =
                            (&mut subject.submitted, worker_options.is_default())
                        {
                            o.insert("options".into(), serde_json::json!(worker_options));
                        }
                        let record = recorder.conclude(subject, Err(e.message.clone()));
                        (Err(e), record)
                    }
                };
                let item = match outcome {
                    Ok(s) => {
                        BatchItem { index, status: "ok", result: Some(ScreenResult::new(reference, s)), error: None }
                    }
                    Err(e) => BatchItem { index, status: "error", result: None, error: Some(e.body().error) },
                };
                (item, record)
            })
            .unzip::<_, _, Vec<_>, Vec<_>>()
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?;
    state.records.commit(records.into_iter().flatten().collect()).await?;
    let mut counts = BTreeMap::new();
    let mut decision = Decision::Clear;
    for r in &results {
        let key = match &r.result {
            Some(res) => {
                decision = decision.max(res.decision);
                res.decision.as_str()
            }
            None => "error",
        };
        *counts.entry(key.to_string()).or_insert(0) += 1;
    }
    req.extensions_mut().insert(Outcome(decision));
    Ok(HttpResponse::Ok().json(BatchResponse {
        request_id: access.0.request_id,
        screened_at: rfc3339(SystemTime::now()),
        decision,
        counts,
        results,
        options,
        lists: list_refs(&generation.screener),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test;

    #[actix_web::test]
    async fn handler_screens_through_the_service_stack() {
        let (mut settings, _) = (crate::config::Settings::defaults(), ());
        settings.auth.required = false;
        settings.lists.data_dir = "/nonexistent/cartelscreen-unit".into();
        // Never a download from a test, nor the snapshot: the cartel registry.
        settings.lists.download_when_missing = false;
        settings.lists.embedded_snapshot = false;
        let records = crate::record::scratch(&settings);
        let lists = std::sync::Arc::new(crate::live::LiveLists::load(settings, vec![]).unwrap());
        let metrics = std::sync::Arc::new(crate::http::metrics::Metrics::new());
        let state = web::Data::new(AppState::new(lists, metrics, records));
        let app = test::init_service(
            actix_web::App::new()
                .app_data(state.clone())
                .configure(|c| crate::http::startup::extractor_config(c, &state.settings))
                .configure(crate::http::startup::routes),
        )
        .await;
        let r = test::TestRequest::post()
            .uri("/v1/screen")
            .set_json(serde_json::json!({"name": "Carteles Unidos", "reference": "r1"}))
            .to_request();
        let v: serde_json::Value = test::call_and_read_body_json(&app, r).await;
        assert_eq!(v["decision"], "block");
        assert_eq!(v["reference"], "r1");
        assert_eq!(v["matches"][0]["entity_id"], "cs-cu");
        let r = test::TestRequest::post().uri("/v1/screen").set_json(serde_json::json!({"name": ""})).to_request();
        let res = test::call_service(&app, r).await;
        assert_eq!(res.status(), 422);
    }
}
