//! `POST /v1/screen/transaction`: a trade transaction's parties, screened
//! by role, and its free text searched for listed names.

use std::collections::BTreeMap;
use std::time::SystemTime;

use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{list_refs, subject_of, ListRef, ScreenRequest, ScreenResult};
use crate::engine::model::EntityKind;
use crate::engine::text_scan::{scan_text_with, TextHit};
use crate::engine::{Decision, Match, Options, ScreeningOptions};
use crate::error::Code;
use crate::http::auth::ScreenAccess;
use crate::http::error::ApiError;
use crate::http::middleware::Outcome;
use crate::http::state::AppState;
use crate::live::{rfc3339, Generation};
use crate::record::audit::Origin;
use crate::record::screening::{DispositionPolicy, Recorder, Subject};
use crate::record::store::AuditRecord;

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

/// A party of a transaction: its role and the fields of a screening
/// request (unknown fields are refused, as on `POST /v1/screen`).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(try_from = "serde_json::Map<String, serde_json::Value>")]
pub struct PartyRequest {
    /// What the party does in the transaction.
    pub role: PartyRole,
    /// The counterparty.
    #[serde(flatten)]
    pub party: ScreenRequest,
}

impl TryFrom<serde_json::Map<String, serde_json::Value>> for PartyRequest {
    type Error = String;

    fn try_from(mut fields: serde_json::Map<String, serde_json::Value>) -> Result<PartyRequest, String> {
        let role = fields.remove("role").ok_or("missing field `role`")?;
        let role: PartyRole = serde_json::from_value(role).map_err(|e| format!("role: {e}"))?;
        let party: ScreenRequest =
            serde_json::from_value(serde_json::Value::Object(fields)).map_err(|e| e.to_string())?;
        Ok(PartyRequest { role, party })
    }
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
    /// Report threshold for every party (see `POST /v1/screen`); text hits
    /// are alerts and are not trimmed.
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub min_score: Option<f64>,
    /// Datasets the parties and texts are screened against (see
    /// `POST /v1/screen`).
    pub lists: Option<Vec<String>>,
    /// Kinds of entries the parties and texts are compared with (see
    /// `POST /v1/screen`).
    pub kinds: Option<Vec<String>>,
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
    /// The options applied (absent when none was given).
    #[serde(skip_serializing_if = "Options::is_default")]
    pub options: Options,
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
    origin: Origin,
) -> Result<(TransactionResponse, Vec<AuditRecord>), ApiError> {
    let screener = &generation.screener;
    let options =
        ScreeningOptions { min_score: t.min_score, lists: t.lists.clone(), kinds: t.kinds.clone() }.check(screener)?;
    let max_chars = state.settings.server.max_text_chars;
    for (field, text) in &t.texts {
        if text.chars().count() > max_chars {
            return Err(ApiError::new(
                Code::FieldTooLong,
                format!("texts.{field} is longer than {max_chars} characters"),
            ));
        }
    }
    // Every party must be screenable: a transaction half screened is not screened.
    let mut queries = Vec::with_capacity(t.parties.len());
    for (i, p) in t.parties.iter().enumerate() {
        let mut q = p.party.to_query().map_err(|e| e.at(format!("parties[{i}]")))?;
        if q.kind.is_none() {
            q.kind = p.role.implied_kind();
        }
        queries.push(q);
    }
    let count = |d| state.metrics.decision(d);
    let recorder = Recorder::new(&state.records, screener, origin, DispositionPolicy::Apply).counting(&count);
    let mut records = Vec::new();
    let mut decision = Decision::Clear;
    let mut reasons = Vec::new();
    let mut parties = Vec::with_capacity(queries.len());
    for (index, (p, q)) in t.parties.iter().zip(&queries).enumerate() {
        let reference = p.party.reference.as_deref();
        let recorded = recorder.screen_with(q, &options, Subject::item(index as i64, reference, subject_of(p)));
        let s = recorded.outcome.map_err(|e| ApiError::from(e).at(format!("parties[{index}]")))?;
        records.extend(recorded.record);
        decision = decision.max(s.decision);
        for m in s.matches.iter().filter(|m| m.decision.is_alert()) {
            reasons.push(reason("party", p.role.as_str(), m));
        }
        parties.push(PartyResult {
            index,
            role: p.role,
            name: q.name.clone(),
            result: ScreenResult::new(p.party.reference.clone(), s),
        });
    }
    let mut text_hits = Vec::new();
    for (field, text) in &t.texts {
        let hits = scan_text_with(screener, text, &options)?;
        state.metrics.text_hits(hits.len());
        for hit in hits {
            decision = decision.max(hit.decision);
            if let Some(m) = hit.matches.first() {
                reasons.push(reason("text", field, m));
            }
            text_hits.push(TextResult { field: field.clone(), hit });
        }
    }
    // The transaction itself: its texts, their hits, the overall decision.
    let mut content = serde_json::json!({"type": t.kind, "texts": t.texts, "parties": t.parties.len()});
    if !options.is_default() {
        content["options"] = serde_json::json!(options);
    }
    let hits = text_hits.iter().filter_map(|h| h.hit.matches.first()).map(crate::record::audit::hit_of).collect();
    records.extend(recorder.note(t.reference.as_deref(), content, decision, hits));
    let response = TransactionResponse {
        request_id: recorder.origin().request_id.clone(),
        screened_at: rfc3339(SystemTime::now()),
        reference: t.reference,
        kind: t.kind,
        decision,
        reasons,
        parties,
        text_hits,
        options,
        lists: list_refs(screener),
    };
    Ok((response, records))
}

/// Screen a trade transaction: every party by role, and the free text.
#[utoipa::path(post, path = "/v1/screen/transaction", tag = "screening", request_body = TransactionRequest,
    responses((status = 200, body = TransactionResponse), (status = 422, body = crate::http::error::ErrorBody)),
    security(("api_key" = ["screen"])))]
pub async fn screen_transaction(
    access: ScreenAccess,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<TransactionRequest>,
) -> Result<HttpResponse, ApiError> {
    let t = body.into_inner();
    if t.parties.is_empty() && t.texts.is_empty() {
        return Err(ApiError::new(Code::EmptyTransaction, "a transaction needs parties or texts to screen"));
    }
    let max = state.settings.server.max_batch_items;
    if t.parties.len() > max {
        return Err(ApiError::new(Code::TooManyItems, format!("at most {max} parties")));
    }
    let generation = state.lists.current();
    let worker_state = state.clone();
    let origin = access.0.origin("transaction");
    let (response, records) = web::block(move || screen_transaction_blocking(&worker_state, &generation, t, origin))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))??;
    state.records.commit(records).await?;
    req.extensions_mut().insert(Outcome(response.decision));
    Ok(HttpResponse::Ok().json(response))
}
