//! The record-keeping routes: the audit trail (`/v1/audit`), analyst
//! dispositions (`/v1/dispositions`), monitored counterparties
//! (`/v1/monitored`) and their alerts (`/v1/alerts`).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::{IntoParams, ToSchema};

use crate::error::Code;
use crate::http::auth::{AdminAccess, AnalystAccess, ScreenAccess};
use crate::http::error::ApiError;
use crate::http::state::AppState;
use crate::http::v1::{subject_of, ScreenRequest, ScreenResult};
use crate::record::audit::export::{format_time, parse_time, record_json};
use crate::record::audit::verify::{seq_range, Bound, VerifyOptions};
use crate::record::audit::Origin;
use crate::record::dispositions::{DispositionError, NewDisposition};
use crate::record::monitor::{counterparty_json, registration, MonitorStatus};
use crate::record::screening::{DispositionPolicy, Recorder, Subject};
use crate::record::store::{now_millis, AlertFilter, AuditFilter, Disposition, StoredAlert, Verdict};

/// Largest page of `/v1/audit`, `/v1/alerts` and `/v1/monitored`.
pub const MAX_PAGE: usize = 1000;
/// Longest `reason` or `analyst` of a disposition, in characters.
pub const MAX_NOTE_CHARS: usize = 2000;
const DEFAULT_PAGE: usize = 100;

/// A `limit` parameter: absent or empty is the default page; anything but
/// a whole number in 1..=1000 is `invalid_limit`.
fn page_size(limit: Option<&str>) -> Result<usize, ApiError> {
    match limit.map(str::trim).filter(|l| !l.is_empty()) {
        None => Ok(DEFAULT_PAGE),
        Some(l) => match l.parse::<usize>() {
            Ok(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
            _ => Err(ApiError::new(
                Code::InvalidLimit,
                format!(
                    "limit must be a whole number in 1..={MAX_PAGE}, not {:?}",
                    crate::engine::query::quote_bounded(l)
                ),
            )),
        },
    }
}

pub(crate) fn time_param(name: &str, v: &Option<String>) -> Result<Option<i64>, ApiError> {
    match v.as_deref() {
        None | Some("") => Ok(None),
        Some(s) => parse_time(s).map(Some).ok_or_else(|| {
            ApiError::new(Code::InvalidTime, format!("{name} {s:?} is not an RFC 3339 time or a YYYY-MM-DD date"))
        }),
    }
}

fn cursor(v: &Option<String>) -> Result<Option<i64>, ApiError> {
    match v.as_deref() {
        None | Some("") => Ok(None),
        Some(s) => s
            .parse::<i64>()
            .map(Some)
            .map_err(|_| ApiError::new(Code::InvalidCursor, "after must be a next_cursor this API returned")),
    }
}

/// Runs store work off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    web::block(f).await.map_err(|e| ApiError::internal(e.to_string()))?
}

/// Filters of `GET /v1/audit`; all optional, all must hold.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Records at or after this time (RFC 3339 or YYYY-MM-DD).
    pub from: Option<String>,
    /// Records before this time.
    pub to: Option<String>,
    /// `screening`, `disposition_recorded`, `disposition_revoked`, `monitoring_removed`.
    pub kind: Option<String>,
    /// `clear`, `review`, `block` or `error`.
    pub decision: Option<String>,
    /// Records with a hit on this list entry.
    pub entity_id: Option<String>,
    pub reference: Option<String>,
    /// API key id (or `cli:<user>`).
    pub key: Option<String>,
    pub request_id: Option<String>,
    /// `next_cursor` of the previous page.
    pub after: Option<String>,
    /// Page size, 1 to 1000 (default 100).
    pub limit: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditResponse {
    #[schema(value_type = Vec<Object>)]
    pub records: Vec<Value>,
    /// Pass as `after` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Read the audit trail.
#[utoipa::path(get, path = "/v1/audit", tag = "records", params(AuditQuery),
    responses((status = 200, body = AuditResponse), (status = 422, body = crate::http::error::ErrorBody),
              (status = 403, body = crate::http::error::ErrorBody)),
    security(("api_key" = ["admin"])))]
pub async fn audit(
    _access: AdminAccess,
    state: web::Data<AppState>,
    q: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    // An empty filter is no filter, as for `from`, `to`, `after` and `limit`.
    let given = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
    let decision = given(q.decision);
    if let Some(d) = decision.as_deref() {
        if !["clear", "review", "block", "error"].contains(&d) {
            return Err(ApiError::new(Code::InvalidDecision, "decision must be clear, review, block or error"));
        }
    }
    let filter = AuditFilter {
        from: time_param("from", &q.from)?,
        to: time_param("to", &q.to)?,
        kind: given(q.kind),
        decision,
        entity_id: given(q.entity_id),
        reference: given(q.reference),
        caller: given(q.key),
        request_id: given(q.request_id),
        after: cursor(&q.after)?,
        limit: page_size(q.limit.as_deref())?,
        newest_first: false,
    };
    let store = state.records.store().clone();
    let page = blocking(move || Ok(store.audit(&filter)?)).await?;
    Ok(HttpResponse::Ok().json(AuditResponse {
        records: page.records.iter().map(record_json).collect(),
        next_cursor: page.next.map(|n| n.to_string()),
    }))
}

/// The range of `GET /v1/audit/verify`; the whole trail when both are
/// omitted.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct VerifyQuery {
    /// First record checked: a `seq`, or a time (RFC 3339 or YYYY-MM-DD).
    pub from: Option<String>,
    /// Last record checked: a `seq` (included), or a time (excluded).
    pub to: Option<String>,
}

fn bound_param(name: &str, v: &Option<String>) -> Result<Option<Bound>, ApiError> {
    match v.as_deref() {
        None | Some("") => Ok(None),
        Some(s) => Bound::parse(s).map(Some).ok_or_else(|| {
            ApiError::new(
                Code::InvalidTime,
                format!("{name} {s:?} is not a seq, an RFC 3339 time or a YYYY-MM-DD date"),
            )
        }),
    }
}

/// Verify the audit trail's hash chain: recomputes it record by record and
/// reports the first break (`intact: false` with `break`), or `intact:
/// true`. Reads every record of the range: for examiners and operators, not
/// for a probe.
#[utoipa::path(get, path = "/v1/audit/verify", tag = "records", params(VerifyQuery),
    responses((status = 200, body = crate::record::audit::verify::Verification),
              (status = 422, body = crate::http::error::ErrorBody),
              (status = 403, body = crate::http::error::ErrorBody)),
    security(("api_key" = ["admin"])))]
pub async fn audit_verify(
    _access: AdminAccess,
    state: web::Data<AppState>,
    q: web::Query<VerifyQuery>,
) -> Result<HttpResponse, ApiError> {
    let (from, to) = (bound_param("from", &q.from)?, bound_param("to", &q.to)?);
    let records = state.records.clone();
    let v = blocking(move || {
        let (from, to) = seq_range(&**records.store(), from, to)?;
        Ok(records.audit.verify(&VerifyOptions { from, to, checkpoints: Vec::new() })?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// An analyst's verdict on an alert.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DispositionRequest {
    /// The counterparty's reference; or give `name` (and `identifiers`).
    pub reference: Option<String>,
    pub name: Option<String>,
    #[serde(default)]
    pub identifiers: Vec<String>,
    /// The list entry the alert was about.
    pub entity_id: String,
    /// `false_positive` or `true_match`.
    pub verdict: String,
    pub reason: String,
    pub analyst: String,
    /// When it lapses (RFC 3339 or YYYY-MM-DD); never if absent.
    pub expires_at: Option<String>,
}

/// A disposition as the API shows it (times in RFC 3339).
fn disposition_json(d: &Disposition) -> Value {
    let mut v = serde_json::to_value(d).unwrap_or(Value::Null);
    if let Value::Object(o) = &mut v {
        o.insert("recorded_at".into(), json!(format_time(d.recorded_at)));
        if let Some(e) = d.expires_at {
            o.insert("expires_at".into(), json!(format_time(e)));
        }
        if let Some(r) = &d.revoked {
            o.insert("revoked".into(), json!({"at": format_time(r.at), "by": r.by, "reason": r.reason}));
        }
        let active = d.revoked.is_none() && d.expires_at.is_none_or(|e| e > now_millis());
        o.insert("active".into(), json!(active));
    }
    v
}

fn disposition_error(e: DispositionError) -> ApiError {
    match e {
        DispositionError::NoCounterparty => ApiError::new(Code::MissingCounterparty, e.to_string()),
        DispositionError::UnknownEntity(_) => ApiError::new(Code::UnknownEntity, e.to_string()),
        DispositionError::Missing(_) => ApiError::new(Code::MissingField, e.to_string()),
        DispositionError::ExpiryInPast => ApiError::new(Code::InvalidTime, e.to_string()),
        DispositionError::NotFound(_) => ApiError::new(Code::DispositionNotFound, e.to_string()),
        DispositionError::Store(s) => s.into(),
    }
}

/// A disposition's or revocation's `reason` and `analyst`, each at most
/// [`MAX_NOTE_CHARS`] characters.
fn notes_within_limit(reason: &str, analyst: &str) -> Result<(), ApiError> {
    for (field, value) in [("reason", reason), ("analyst", analyst)] {
        if value.chars().count() > MAX_NOTE_CHARS {
            return Err(ApiError::new(
                Code::FieldTooLong,
                format!("{field} is longer than {MAX_NOTE_CHARS} characters"),
            ));
        }
    }
    Ok(())
}

/// Records an analyst's disposition, and its audit record: the one
/// operation behind `POST /v1/dispositions` and the workspace's form.
///
/// # Errors
/// `invalid_verdict`, `field_too_long`, `missing_field`,
/// `missing_counterparty`, `unknown_entity`, `invalid_time` (an expiry in
/// the past or unreadable), or the store's error.
pub async fn dispose(
    state: &web::Data<AppState>,
    origin: Origin,
    b: DispositionRequest,
) -> Result<Disposition, ApiError> {
    let verdict = Verdict::parse(&b.verdict)
        .ok_or_else(|| ApiError::new(Code::InvalidVerdict, "verdict must be false_positive or true_match"))?;
    notes_within_limit(&b.reason, &b.analyst)?;
    let new = NewDisposition {
        reference: b.reference.clone(),
        name: b.name.clone(),
        identifiers: b.identifiers.clone(),
        entity_id: b.entity_id.clone(),
        verdict: Some(verdict),
        reason: b.reason.clone(),
        analyst: b.analyst.clone(),
        expires_at: time_param("expires_at", &b.expires_at)?,
    };
    let generation = state.lists.current();
    let st = state.clone();
    let d = blocking(move || {
        let c = &st.records;
        let d = c.dispositions.record(new, &generation.screener, &origin.caller).map_err(disposition_error)?;
        let record = c.audit.context().change(&origin, "disposition_recorded", d.reference.as_deref(), json!(d));
        c.audit.append_change_blocking(record)?;
        Ok(d)
    })
    .await?;
    Ok(d)
}

/// Record a disposition on an alert.
#[utoipa::path(post, path = "/v1/dispositions", tag = "records", request_body = DispositionRequest,
    responses((status = 201, body = Object), (status = 422, body = crate::http::error::ErrorBody)),
    security(("api_key" = ["analyst"])))]
pub async fn record_disposition(
    access: AnalystAccess,
    state: web::Data<AppState>,
    body: web::Json<DispositionRequest>,
) -> Result<HttpResponse, ApiError> {
    let d = dispose(&state, access.0.origin("api"), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(disposition_json(&d)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DispositionsQuery {
    pub reference: Option<String>,
    pub entity_id: Option<String>,
    /// Include revoked and expired dispositions (default false).
    #[serde(default)]
    pub all: bool,
}

/// List dispositions.
#[utoipa::path(get, path = "/v1/dispositions", tag = "records", params(DispositionsQuery),
    responses((status = 200, body = Object)), security(("api_key" = ["analyst"])))]
pub async fn list_dispositions(
    _access: AnalystAccess,
    state: web::Data<AppState>,
    q: web::Query<DispositionsQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let st = state.clone();
    let all = blocking(move || Ok(st.records.dispositions.all()?)).await?;
    let now = now_millis();
    let items: Vec<Value> = all
        .iter()
        .filter(|d| q.all || (d.revoked.is_none() && d.expires_at.is_none_or(|e| e > now)))
        .filter(|d| q.reference.as_ref().is_none_or(|r| d.reference.as_ref() == Some(r)))
        .filter(|d| q.entity_id.as_ref().is_none_or(|e| &d.entity_id == e))
        .map(disposition_json)
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "dispositions": items })))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeRequest {
    pub reason: String,
    pub analyst: String,
}

/// Revokes a disposition, and records that: the one operation behind
/// `POST /v1/dispositions/{id}/revoke` and the workspace's form.
///
/// # Errors
/// `missing_field`, `field_too_long`, `disposition_not_found`, or the
/// store's error.
pub async fn revoke(
    state: &web::Data<AppState>,
    origin: Origin,
    id: String,
    b: RevokeRequest,
) -> Result<Disposition, ApiError> {
    if b.reason.trim().is_empty() || b.analyst.trim().is_empty() {
        return Err(ApiError::new(Code::MissingField, "reason and analyst are required"));
    }
    notes_within_limit(&b.reason, &b.analyst)?;
    let st = state.clone();
    blocking(move || {
        let c = &st.records;
        let by = format!("{} ({})", b.analyst.trim(), origin.caller);
        let d = c.dispositions.revoke(&id, &by, &b.reason).map_err(disposition_error)?;
        let record = c.audit.context().change(&origin, "disposition_revoked", d.reference.as_deref(), json!(d));
        c.audit.append_change_blocking(record)?;
        Ok(d)
    })
    .await
}

/// Revoke a disposition; it stays on record.
#[utoipa::path(post, path = "/v1/dispositions/{id}/revoke", tag = "records", request_body = RevokeRequest,
    responses((status = 200, body = Object), (status = 404, body = crate::http::error::ErrorBody)),
    security(("api_key" = ["analyst"])))]
pub async fn revoke_disposition(
    access: AnalystAccess,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<RevokeRequest>,
) -> Result<HttpResponse, ApiError> {
    let d = revoke(&state, access.0.origin("api"), id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(disposition_json(&d)))
}

/// Counterparties to monitor: one, or `{"items": [...]}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum MonitorRequest {
    Many {
        #[schema(value_type = Vec<ScreenRequest>)]
        items: Vec<ScreenRequest>,
    },
    One(Box<ScreenRequest>),
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Registered {
    pub reference: String,
    /// The counterparty screened now against the lists in service.
    #[serde(flatten)]
    pub result: ScreenResult,
}

/// Put counterparties under ongoing monitoring (each needs a `reference`).
#[utoipa::path(post, path = "/v1/monitored", tag = "records", request_body = MonitorRequest,
    responses((status = 201, body = Object), (status = 422, body = crate::http::error::ErrorBody)),
    security(("api_key" = ["screen"])))]
pub async fn register(
    access: ScreenAccess,
    state: web::Data<AppState>,
    body: web::Json<MonitorRequest>,
) -> Result<HttpResponse, ApiError> {
    let items = match body.into_inner() {
        MonitorRequest::Many { items } => items,
        MonitorRequest::One(one) => vec![*one],
    };
    let max = state.settings.server.max_batch_items;
    if items.is_empty() || items.len() > max {
        return Err(ApiError::new(Code::TooManyItems, format!("between 1 and {max} counterparties per request")));
    }
    let mut queries = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let reference = item.reference.as_deref().map(str::trim).filter(|r| !r.is_empty()).ok_or_else(|| {
            ApiError::new(Code::MissingReference, format!("items[{i}]: monitoring needs each counterparty's reference"))
        })?;
        let q = item.to_query().map_err(|e| e.at(format!("items[{i}]")))?;
        queries.push((reference.to_string(), q));
    }
    let origin = access.0.origin("monitored");
    let generation = state.lists.current();
    let st = state.clone();
    let registered = blocking(move || {
        let c = &st.records;
        let count = |d| st.metrics.decision(d);
        let recorder = Recorder::new(c, &generation.screener, origin, DispositionPolicy::Apply).counting(&count);
        let now = now_millis();
        let mut regs = Vec::with_capacity(items.len());
        let mut records = Vec::with_capacity(items.len());
        let mut out = Vec::with_capacity(items.len());
        for (i, (item, (reference, q))) in items.iter().zip(&queries).enumerate() {
            let recorded = recorder.screen(q, Subject::item(i as i64, Some(reference), subject_of(item)));
            let s = recorded.outcome.map_err(|e| ApiError::from(e).at(format!("items[{i}]")))?;
            records.extend(recorded.record);
            let by = &recorder.origin().caller;
            regs.push(registration(reference, counterparty_json(q), by, now));
            out.push(Registered {
                reference: reference.clone(),
                result: ScreenResult::new(Some(reference.clone()), s),
            });
        }
        c.commit_blocking(records)?;
        c.register_monitored(&regs)?;
        Ok(out)
    })
    .await?;
    Ok(HttpResponse::Created().json(json!({ "registered": registered })))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct MonitoredQuery {
    /// `next_cursor` of the previous page.
    pub after: Option<String>,
    pub limit: Option<String>,
}

/// List monitored counterparties, by reference.
#[utoipa::path(get, path = "/v1/monitored", tag = "records", params(MonitoredQuery),
    responses((status = 200, body = Object)), security(("api_key" = ["screen"])))]
pub async fn list_monitored(
    _access: ScreenAccess,
    state: web::Data<AppState>,
    q: web::Query<MonitoredQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let limit = page_size(q.limit.as_deref())?;
    let store = state.records.store().clone();
    let (items, count) =
        blocking(move || Ok((store.monitored(q.after.as_deref(), limit)?, store.monitored_count()?))).await?;
    let next = (items.len() == limit).then(|| items.last().map(|m| m.reference.clone())).flatten();
    let items: Vec<Value> = items
        .iter()
        .map(|m| {
            json!({"reference": m.reference, "registered_at": format_time(m.registered_at),
                   "registered_by": m.registered_by, "counterparty": m.counterparty})
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "count": count, "items": items, "next_cursor": next })))
}

/// Stop monitoring a counterparty.
#[utoipa::path(delete, path = "/v1/monitored/{reference}", tag = "records",
    responses((status = 204), (status = 404, body = crate::http::error::ErrorBody)),
    security(("api_key" = ["screen"])))]
pub async fn unregister(
    access: ScreenAccess,
    state: web::Data<AppState>,
    reference: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reference = reference.into_inner();
    let origin = access.0.origin("api");
    let st = state.clone();
    blocking(move || {
        let c = &st.records;
        if !c.store().remove_monitored(&reference)? {
            return Err(ApiError::new(Code::NotMonitored, format!("{reference:?} is not monitored")));
        }
        let record = c.audit.context().change(&origin, "monitoring_removed", Some(&reference), json!({}));
        c.audit.append_change_blocking(record)?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::build(StatusCode::NO_CONTENT).finish())
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AlertsQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub reference: Option<String>,
    pub entity_id: Option<String>,
    /// Only alerts the webhook has not delivered yet.
    #[serde(default)]
    pub undelivered: bool,
    pub after: Option<String>,
    pub limit: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AlertsResponse {
    #[schema(value_type = Vec<Object>)]
    pub alerts: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// Where monitoring stands in this instance.
    pub monitoring: MonitorStatus,
}

fn alert_json(a: &StoredAlert) -> Value {
    let mut v = serde_json::to_value(a).unwrap_or(Value::Null);
    if let Value::Object(o) = &mut v {
        o.insert("created_at".into(), json!(format_time(a.alert.created_at)));
        let d = &a.delivery;
        let mut delivery = json!({"attempts": d.attempts, "delivered": d.delivered_at.is_some()});
        if let Some(t) = d.last_attempt_at {
            delivery["last_attempt_at"] = json!(format_time(t));
        }
        if let Some(t) = d.delivered_at {
            delivery["delivered_at"] = json!(format_time(t));
        }
        if let Some(e) = &d.last_error {
            delivery["last_error"] = json!(e);
        }
        o.insert("delivery".into(), delivery);
    }
    v
}

/// Alerts raised by list changes on monitored counterparties.
#[utoipa::path(get, path = "/v1/alerts", tag = "records", params(AlertsQuery),
    responses((status = 200, body = AlertsResponse)), security(("api_key" = ["analyst"])))]
pub async fn alerts(
    _access: AnalystAccess,
    state: web::Data<AppState>,
    q: web::Query<AlertsQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let filter = AlertFilter {
        from: time_param("from", &q.from)?,
        to: time_param("to", &q.to)?,
        reference: q.reference,
        entity_id: q.entity_id,
        undelivered: q.undelivered,
        after: cursor(&q.after)?,
        limit: page_size(q.limit.as_deref())?,
        newest_first: false,
    };
    // Where monitoring stands is read before the alerts: a check counted
    // here has committed its alerts, so the page holds them.
    let monitoring = state.records.monitor.status();
    let store = state.records.store().clone();
    let page = blocking(move || Ok(store.alerts(&filter)?)).await?;
    Ok(HttpResponse::Ok().json(AlertsResponse {
        alerts: page.alerts.iter().map(alert_json).collect(),
        next_cursor: page.next.map(|n| n.to_string()),
        monitoring,
    }))
}
