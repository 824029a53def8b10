//! The native API under `/v1`: screening one counterparty, a batch, a trade
//! transaction; entities and lists.

use std::collections::BTreeMap;
use std::time::SystemTime;

use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::{Origin, Screened};
use crate::cartels::CartelTie;
use crate::http::auth::{AdminAccess, CallerId, ScreenAccess};
use crate::http::error::ApiError;
use crate::http::middleware::{Outcome, RequestId};
use crate::http::state::AppState;
use crate::live::{rfc3339, Generation, ReloadOutcome, ReloadStatus};
use crate::model::{BirthDate, Entity, EntityKind, ListVersion};
use crate::normalize::EvasionSign;
use crate::screen::{Decision, Flag, Match, Query, Screener, Screening};
use crate::text_scan::{scan_text, TextHit};

/// Longest accepted identifier, reference, country and address.
const MAX_ID_CHARS: usize = 100;
const MAX_IDENTIFIERS: usize = 50;
const MAX_REFERENCE_CHARS: usize = 200;
const MAX_COUNTRY_CHARS: usize = 100;
const MAX_ADDRESS_CHARS: usize = 2000;

/// One counterparty to screen.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScreenRequest {
    /// The name as the counterparty gave it. Required.
    #[schema(example = "Cartel de Jalisco Nueva Generacion")]
    pub name: Option<String>,
    /// `person`, `company`, `organization`, `vessel`, `aircraft` or `any` (the default).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// ISO 3166 alpha-2 code or country name.
    pub country: Option<String>,
    /// Date of birth: `YYYY-MM-DD`, `DD/MM/YYYY` or `YYYY`.
    pub dob: Option<String>,
    /// Identifiers such as RFC, CURP, passport or IMO numbers, in any spelling.
    #[serde(default)]
    pub identifiers: Vec<String>,
    /// Postal address; its country is used when `country` is not given.
    pub address: Option<String>,
    /// The caller's own id for the counterparty, echoed back.
    pub reference: Option<String>,
}

/// A submitted counterparty as the audit trail keeps it: the fields given.
pub fn subject_of<T: Serialize>(submitted: &T) -> serde_json::Value {
    let mut v = serde_json::to_value(submitted).unwrap_or(serde_json::Value::Null);
    if let serde_json::Value::Object(o) = &mut v {
        o.retain(|_, x| !x.is_null() && x.as_array().is_none_or(|a| !a.is_empty()));
    }
    v
}

/// Who the request is recorded under: the API key id, or `anonymous@ADDR`
/// with keys off.
pub fn caller(req: &HttpRequest) -> String {
    req.extensions().get::<CallerId>().map(|c| c.0.clone()).unwrap_or_else(|| "anonymous".into())
}

fn too_long(field: &str, value: &str, max: usize) -> Result<(), ApiError> {
    if value.chars().count() > max {
        return Err(ApiError::invalid("field_too_long", format!("{field} is longer than {max} characters")));
    }
    Ok(())
}

fn no_control_characters(field: &str, value: &str) -> Result<(), ApiError> {
    if value.chars().any(|c| c.is_control()) {
        let code = if field == "name" { "invalid_name" } else { "invalid_field" };
        return Err(ApiError::invalid(code, format!("{field} contains control characters")));
    }
    Ok(())
}

impl ScreenRequest {
    /// Checks every field and builds the engine's query.
    pub fn to_query(&self) -> Result<Query, ApiError> {
        let name = self.name.as_deref().ok_or_else(|| ApiError::invalid("missing_name", "name is required"))?;
        if name.trim().is_empty() {
            return Err(ApiError::invalid("empty_name", "name is empty"));
        }
        if name.chars().count() > crate::screen::MAX_NAME_CHARS {
            return Err(ApiError::invalid(
                "name_too_long",
                format!("name is longer than {} characters", crate::screen::MAX_NAME_CHARS),
            ));
        }
        no_control_characters("name", name)?;
        let kind = match self.kind.as_deref() {
            None => None,
            Some(k) => match EntityKind::parse(k) {
                Some(EntityKind::Unknown) => None,
                Some(kind) => Some(kind),
                None => {
                    return Err(ApiError::invalid(
                        "invalid_type",
                        format!("type {k:?} is not one of person, company, organization, vessel, aircraft, any"),
                    ))
                }
            },
        };
        let dob = match self.dob.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            None => None,
            Some(d) => Some(BirthDate::parse_iso(d).ok_or_else(|| {
                ApiError::invalid("invalid_dob", format!("dob {d:?} is not YYYY-MM-DD, DD/MM/YYYY or YYYY"))
            })?),
        };
        if self.identifiers.len() > MAX_IDENTIFIERS {
            return Err(ApiError::invalid("too_many_identifiers", format!("at most {MAX_IDENTIFIERS} identifiers")));
        }
        for id in &self.identifiers {
            too_long("identifiers[]", id, MAX_ID_CHARS)?;
            no_control_characters("identifiers[]", id)?;
        }
        if let Some(r) = &self.reference {
            too_long("reference", r, MAX_REFERENCE_CHARS)?;
        }
        if let Some(a) = &self.address {
            too_long("address", a, MAX_ADDRESS_CHARS)?;
        }
        let mut country = self.country.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(str::to_string);
        if let Some(c) = &country {
            too_long("country", c, MAX_COUNTRY_CHARS)?;
            no_control_characters("country", c)?;
        }
        if country.is_none() {
            // The last part of an address is usually its country.
            country = self
                .address
                .as_deref()
                .and_then(|a| a.rsplit([',', '\n']).next())
                .and_then(|last| crate::country::iso2(last.trim()))
                .map(str::to_string);
        }
        Ok(Query { name: name.to_string(), kind, country, dob, identifiers: self.identifiers.clone() })
    }
}

/// The version of a list a result was reached with.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ListRef {
    pub dataset: String,
    pub sha256: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
}

fn list_refs(screener: &Screener) -> Vec<ListRef> {
    screener
        .lists()
        .iter()
        .map(|l| ListRef { dataset: l.dataset.clone(), sha256: l.sha256.clone(), published: l.published.clone() })
        .collect()
}

/// The result of screening one counterparty.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScreenResult {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    pub decision: Decision,
    pub flags: Vec<Flag>,
    /// Matches above the report threshold, strongest first.
    pub matches: Vec<Match>,
    /// What the normaliser neutralised in the submitted name.
    pub evasion: Vec<EvasionSign>,
}

impl ScreenResult {
    pub fn new(reference: Option<String>, s: Screening) -> ScreenResult {
        ScreenResult { reference, decision: s.decision, flags: s.flags, matches: s.matches, evasion: s.evasion }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScreenResponse {
    pub request_id: String,
    /// RFC 3339, UTC.
    pub screened_at: String,
    #[serde(flatten)]
    pub result: ScreenResult,
    /// The list versions the result was reached with.
    pub lists: Vec<ListRef>,
}

/// The request's id, set by the `observe` middleware; a fresh one where it
/// did not run (handler tests), since audit records need unique ids.
pub fn request_id(req: &HttpRequest) -> String {
    req.extensions().get::<RequestId>().map(|r| r.0.clone()).unwrap_or_else(|| uuid::Uuid::now_v7().to_string())
}

/// Screens one counterparty with the analysts' dispositions applied.
fn screen_one(state: &AppState, screener: &Screener, item: &ScreenRequest) -> Result<Screening, ApiError> {
    let q = item.to_query()?;
    tracing::debug!(name = %q.name, "screening");
    let book = state.compliance.dispositions.book();
    let s = book.screen(screener, &q, item.reference.as_deref())?;
    state.metrics.decision(s.decision);
    Ok(s)
}

/// Screen one counterparty.
#[utoipa::path(post, path = "/v1/screen", tag = "screening", request_body = ScreenRequest,
    responses((status = 200, body = ScreenResponse), (status = 422, body = crate::http::error::ErrorBody),
              (status = 401, body = crate::http::error::ErrorBody)),
    security(("api_key" = ["screen"])))]
pub async fn screen(
    _access: ScreenAccess,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<ScreenRequest>,
) -> Result<HttpResponse, ApiError> {
    let generation = state.lists.current();
    let screening = screen_one(&state, &generation.screener, &body)?;
    let request_id = request_id(&req);
    let audit = &state.compliance.audit;
    if audit.enabled() {
        let origin = Origin::new(request_id.clone(), caller(&req), "api");
        let lists = crate::audit::list_versions(&generation.screener);
        let screened = Screened {
            item: None,
            reference: body.reference.as_deref(),
            subject: subject_of(&*body),
            outcome: Ok(&screening),
        };
        let record = audit.context().screening(&origin, &lists, crate::store::now_millis(), screened);
        audit.append(vec![record]).await?;
    }
    req.extensions_mut().insert(Outcome(screening.decision));
    Ok(HttpResponse::Ok().json(ScreenResponse {
        request_id,
        screened_at: rfc3339(SystemTime::now()),
        result: ScreenResult::new(body.reference.clone(), screening),
        lists: list_refs(&generation.screener),
    }))
}

/// Several counterparties in one call.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchRequest {
    /// Each item has the fields of `POST /v1/screen`; an item that is not
    /// valid gets its own error and does not fail the others.
    #[schema(value_type = Vec<ScreenRequest>)]
    pub items: Vec<serde_json::Value>,
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
    pub lists: Vec<ListRef>,
}

/// Screen up to `server.max_batch_items` counterparties.
#[utoipa::path(post, path = "/v1/screen/batch", tag = "screening", request_body = BatchRequest,
    responses((status = 200, body = BatchResponse), (status = 422, body = crate::http::error::ErrorBody)),
    security(("api_key" = ["screen"])))]
pub async fn screen_batch(
    _access: ScreenAccess,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<BatchRequest>,
) -> Result<HttpResponse, ApiError> {
    let items = body.into_inner().items;
    let max = state.settings.server.max_batch_items;
    if items.len() > max {
        return Err(ApiError::invalid("too_many_items", format!("{} items; at most {max} per batch", items.len())));
    }
    if items.is_empty() {
        return Err(ApiError::invalid("empty_batch", "items is empty"));
    }
    let generation = state.lists.current();
    let worker_state = state.clone();
    let worker_generation = generation.clone();
    let origin = Origin::new(request_id(&req), caller(&req), "api_batch");
    let (results, records) = web::block(move || {
        let audit = &worker_state.compliance.audit;
        let lists = crate::audit::list_versions(&worker_generation.screener);
        let at = crate::store::now_millis();
        items
            .into_par_iter()
            .enumerate()
            .map(|(index, value)| {
                let subject = subject_of(&value);
                let reference = value.get("reference").and_then(|r| r.as_str()).map(str::to_string);
                let outcome = serde_json::from_value::<ScreenRequest>(value)
                    .map_err(|e| ApiError::invalid("invalid_field", e.to_string()))
                    .and_then(|item| screen_one(&worker_state, &worker_generation.screener, &item));
                let record = audit.enabled().then(|| {
                    let screened = Screened {
                        item: Some(index as i64),
                        reference: reference.as_deref(),
                        subject,
                        outcome: outcome.as_ref().map_err(|e| e.message.clone()),
                    };
                    audit.context().screening(&origin, &lists, at, screened)
                });
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
    state.compliance.audit.append(records.into_iter().flatten().collect()).await?;
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
        request_id: request_id(&req),
        screened_at: rfc3339(SystemTime::now()),
        decision,
        counts,
        results,
        lists: list_refs(&generation.screener),
    }))
}

/// The part a party plays in a trade transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartyRole {
    Applicant,
    Beneficiary,
    IssuingBank,
    AdvisingBank,
    ConfirmingBank,
    Shipper,
    Consignee,
    NotifyParty,
    Carrier,
    Vessel,
    Other,
}

impl PartyRole {
    /// The kind of party a role implies when the caller gives none.
    fn implied_kind(self) -> Option<EntityKind> {
        match self {
            PartyRole::IssuingBank | PartyRole::AdvisingBank | PartyRole::ConfirmingBank | PartyRole::Carrier => {
                Some(EntityKind::Company)
            }
            PartyRole::Vessel => Some(EntityKind::Vessel),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            PartyRole::Applicant => "applicant",
            PartyRole::Beneficiary => "beneficiary",
            PartyRole::IssuingBank => "issuing_bank",
            PartyRole::AdvisingBank => "advising_bank",
            PartyRole::ConfirmingBank => "confirming_bank",
            PartyRole::Shipper => "shipper",
            PartyRole::Consignee => "consignee",
            PartyRole::NotifyParty => "notify_party",
            PartyRole::Carrier => "carrier",
            PartyRole::Vessel => "vessel",
            PartyRole::Other => "other",
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartyRequest {
    pub role: PartyRole,
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub country: Option<String>,
    pub dob: Option<String>,
    #[serde(default)]
    pub identifiers: Vec<String>,
    pub address: Option<String>,
    pub reference: Option<String>,
}

/// A trade transaction: a letter of credit, a collection, a shipment, a payment.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransactionRequest {
    /// The caller's id for the transaction, echoed back.
    pub reference: Option<String>,
    /// Free label such as `letter_of_credit`, echoed back.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub parties: Vec<PartyRequest>,
    /// Free-text fields searched for listed names, by field name:
    /// `goods_description`, `port_of_loading`, `remittance_information`...
    #[serde(default)]
    pub texts: BTreeMap<String, String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PartyResult {
    pub index: usize,
    pub role: PartyRole,
    pub name: String,
    #[serde(flatten)]
    pub result: ScreenResult,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TextResult {
    pub field: String,
    #[serde(flatten)]
    pub hit: TextHit,
}

/// Why the transaction got its decision: one line per alerting party or hit.
#[derive(Debug, Serialize, ToSchema)]
pub struct Reason {
    /// `party` or `text`.
    pub source: &'static str,
    /// The party's role or the text field.
    pub at: String,
    pub decision: Decision,
    pub entity_id: String,
    pub caption: String,
    pub score: f32,
    /// Cartels the matched entry ties to.
    pub cartels: Vec<String>,
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TransactionResponse {
    pub request_id: String,
    pub screened_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The worst decision over parties and texts.
    pub decision: Decision,
    pub reasons: Vec<Reason>,
    pub parties: Vec<PartyResult>,
    pub text_hits: Vec<TextResult>,
    pub lists: Vec<ListRef>,
}

fn reason(source: &'static str, at: &str, m: &Match) -> Reason {
    let cartels: Vec<String> = m.cartel_ties.iter().map(|t| t.cartel.clone()).collect();
    let tie = if cartels.is_empty() { String::new() } else { format!(", tied to {}", cartels.join(", ")) };
    Reason {
        source,
        at: at.to_string(),
        decision: m.decision,
        entity_id: m.entity_id.clone(),
        caption: m.caption.clone(),
        score: m.score,
        message: format!(
            "{source} {at} matches {} \"{}\" on {} at {:.2}{tie}: {}",
            m.entity_id,
            m.caption,
            m.list,
            m.score,
            m.decision.as_str()
        ),
        cartels,
    }
}

fn screen_transaction_blocking(
    state: &AppState,
    generation: &Generation,
    t: TransactionRequest,
    origin: &Origin,
) -> Result<(TransactionResponse, Vec<crate::store::AuditRecord>), ApiError> {
    let screener = &generation.screener;
    let audit = &state.compliance.audit;
    let lists = crate::audit::list_versions(screener);
    let at = crate::store::now_millis();
    let mut records = Vec::new();
    let book = state.compliance.dispositions.book();
    let max_chars = state.settings.server.max_text_chars;
    for (field, text) in &t.texts {
        if text.chars().count() > max_chars {
            return Err(ApiError::invalid(
                "field_too_long",
                format!("texts.{field} is longer than {max_chars} characters"),
            ));
        }
    }
    // Every party must be screenable: a transaction half screened is not screened.
    let mut queries = Vec::with_capacity(t.parties.len());
    for (i, p) in t.parties.iter().enumerate() {
        let item = ScreenRequest {
            name: p.name.clone(),
            kind: p.kind.clone(),
            country: p.country.clone(),
            dob: p.dob.clone(),
            identifiers: p.identifiers.clone(),
            address: p.address.clone(),
            reference: p.reference.clone(),
        };
        let mut q = item.to_query().map_err(|e| ApiError { message: format!("parties[{i}]: {}", e.message), ..e })?;
        if q.kind.is_none() {
            q.kind = p.role.implied_kind();
        }
        queries.push(q);
    }
    let mut decision = Decision::Clear;
    let mut reasons = Vec::new();
    let mut parties = Vec::with_capacity(queries.len());
    for (index, (p, q)) in t.parties.iter().zip(&queries).enumerate() {
        let s = book.screen(screener, q, p.reference.as_deref()).map_err(|e| {
            let e = ApiError::from(e);
            ApiError { message: format!("parties[{index}]: {}", e.message), ..e }
        })?;
        state.metrics.decision(s.decision);
        if audit.enabled() {
            let screened = Screened {
                item: Some(index as i64),
                reference: p.reference.as_deref(),
                subject: subject_of(p),
                outcome: Ok(&s),
            };
            records.push(audit.context().screening(origin, &lists, at, screened));
        }
        decision = decision.max(s.decision);
        for m in s.matches.iter().filter(|m| m.decision.is_alert()) {
            reasons.push(reason("party", p.role.as_str(), m));
        }
        parties.push(PartyResult {
            index,
            role: p.role,
            name: q.name.clone(),
            result: ScreenResult::new(p.reference.clone(), s),
        });
    }
    let mut text_hits = Vec::new();
    for (field, text) in &t.texts {
        let hits = scan_text(screener, text)?;
        state.metrics.text_hits(hits.len());
        for hit in hits {
            decision = decision.max(hit.decision);
            if let Some(m) = hit.matches.first() {
                reasons.push(reason("text", field, m));
            }
            text_hits.push(TextResult { field: field.clone(), hit });
        }
    }
    if audit.enabled() {
        // The transaction itself: its texts, their hits, the overall decision.
        let mut record = audit.context().change(
            origin,
            "screening",
            t.reference.as_deref(),
            serde_json::json!({"type": t.kind, "texts": t.texts, "parties": t.parties.len()}),
        );
        record.at = at;
        record.lists = lists;
        record.decision = Some(decision.as_str().to_string());
        record.hits = text_hits.iter().filter_map(|h| h.hit.matches.first()).map(crate::audit::hit_of).collect();
        records.push(record);
    }
    let response = TransactionResponse {
        request_id: origin.request_id.clone(),
        screened_at: rfc3339(SystemTime::now()),
        reference: t.reference,
        kind: t.kind,
        decision,
        reasons,
        parties,
        text_hits,
        lists: list_refs(screener),
    };
    Ok((response, records))
}

/// Screen a trade transaction: every party by role, and the free text.
#[utoipa::path(post, path = "/v1/screen/transaction", tag = "screening", request_body = TransactionRequest,
    responses((status = 200, body = TransactionResponse), (status = 422, body = crate::http::error::ErrorBody)),
    security(("api_key" = ["screen"])))]
pub async fn screen_transaction(
    _access: ScreenAccess,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<TransactionRequest>,
) -> Result<HttpResponse, ApiError> {
    let t = body.into_inner();
    if t.parties.is_empty() && t.texts.is_empty() {
        return Err(ApiError::invalid("empty_transaction", "a transaction needs parties or texts to screen"));
    }
    let max = state.settings.server.max_batch_items;
    if t.parties.len() > max {
        return Err(ApiError::invalid("too_many_items", format!("at most {max} parties")));
    }
    let generation = state.lists.current();
    let worker_state = state.clone();
    let origin = Origin::new(request_id(&req), caller(&req), "transaction");
    let (response, records) = web::block(move || screen_transaction_blocking(&worker_state, &generation, t, &origin))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))??;
    state.compliance.audit.append(records).await?;
    req.extensions_mut().insert(Outcome(response.decision));
    Ok(HttpResponse::Ok().json(response))
}

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
        ApiError::not_found("entity_not_found", format!("no entity {:?} in the lists in service", id.as_str()))
    })?;
    let list_version = screener.lists().iter().find(|l| l.dataset == e.list).cloned();
    Ok(HttpResponse::Ok().json(EntityResponse {
        entity: e.clone(),
        cartel_ties: screener.cartel_ties(&id).to_vec(),
        list_version,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoadedListInfo {
    #[serde(flatten)]
    pub version: ListVersion,
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
}

fn lists_response(state: &AppState) -> ListsResponse {
    let generation = state.lists.current();
    let loaded_at = rfc3339(generation.loaded_at);
    let s = &generation.screener;
    ListsResponse {
        lists: s.lists().iter().map(|v| LoadedListInfo { version: v.clone(), loaded_at: loaded_at.clone() }).collect(),
        entities: s.entities().len(),
        generation: generation.number,
        loaded_at,
        reload: state.lists.status(),
        warnings: s.warnings().len(),
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

/// Reload the lists from their configured sources (admin scope). A list
/// that fails to load is rejected and the lists in service stay.
#[utoipa::path(post, path = "/v1/lists/reload", tag = "lists",
    responses((status = 200, body = ReloadResponse), (status = 422, body = crate::http::error::ErrorBody),
              (status = 403, body = crate::http::error::ErrorBody)),
    security(("api_key" = ["admin"])))]
pub async fn reload(_access: AdminAccess, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let worker_state = state.clone();
    let outcome =
        web::block(move || worker_state.lists.reload()).await.map_err(|e| ApiError::internal(e.to_string()))?;
    match outcome {
        Ok(outcome) => {
            tracing::info!(outcome = ?outcome, "lists reloaded on request");
            Ok(HttpResponse::Ok().json(ReloadResponse { outcome, lists: lists_response(&state) }))
        }
        Err(e) => {
            tracing::error!(error = %e, "list reload rejected; the lists in service stay");
            Err(e.into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test;

    fn req(name: &str) -> ScreenRequest {
        ScreenRequest { name: Some(name.into()), ..ScreenRequest::default() }
    }

    #[::core::prelude::v1::test]
    fn a_request_becomes_the_engine_query() {
        let r = ScreenRequest {
            kind: Some("Company".into()),
            country: Some(" MX ".into()),
            dob: Some("17/07/1966".into()),
            identifiers: vec!["OECR660717HMNSRB00".into()],
            ..req("Grupo Impergoza")
        };
        let q = r.to_query().unwrap();
        assert_eq!(q.kind, Some(EntityKind::Company));
        assert_eq!(q.country.as_deref(), Some("MX"));
        assert_eq!(q.dob, Some(BirthDate::ymd(1966, 7, 17)));
        assert_eq!(q.identifiers.len(), 1);
        assert_eq!(ScreenRequest { kind: Some("any".into()), ..req("x") }.to_query().unwrap().kind, None);
    }

    #[::core::prelude::v1::test]
    fn the_address_supplies_a_missing_country() {
        let r = ScreenRequest { address: Some("Calle 5 de Mayo 10, Culiacán, Sinaloa, México".into()), ..req("x") };
        assert_eq!(r.to_query().unwrap().country.as_deref(), Some("MX"));
        let r = ScreenRequest { address: Some("somewhere".into()), ..req("x") };
        assert_eq!(r.to_query().unwrap().country, None);
    }

    #[::core::prelude::v1::test]
    fn bad_fields_are_named_by_code() {
        let code = |r: ScreenRequest| r.to_query().unwrap_err().code;
        assert_eq!(code(ScreenRequest::default()), "missing_name");
        assert_eq!(code(req(" ")), "empty_name");
        assert_eq!(code(req(&"a".repeat(1001))), "name_too_long");
        assert_eq!(code(req("a\u{7}b")), "invalid_name");
        assert_eq!(code(ScreenRequest { kind: Some("boat".into()), ..req("x") }), "invalid_type");
        assert_eq!(code(ScreenRequest { dob: Some("1966-13-01".into()), ..req("x") }), "invalid_dob");
        assert_eq!(code(ScreenRequest { country: Some("M\nX".into()), ..req("x") }), "invalid_field");
    }

    #[actix_web::test]
    async fn handler_screens_through_the_service_stack() {
        let (mut settings, _) = (crate::config::Settings::defaults(), ());
        settings.auth.required = false;
        settings.lists.data_dir = "/nonexistent/cartelscreen-unit".into();
        let compliance = crate::compliance::scratch(&settings);
        let lists = std::sync::Arc::new(crate::live::LiveLists::load(settings, vec![]).unwrap());
        let metrics = std::sync::Arc::new(crate::http::metrics::Metrics::new());
        let state = web::Data::new(AppState::new(lists, metrics, compliance));
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
