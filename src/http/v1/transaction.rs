//! `POST /v1/screen/transaction`: a trade transaction's parties, screened
//! by role, and its free text searched for listed names.

use std::collections::BTreeMap;

use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ScreenRequest;
use crate::engine::ScreeningOptions;
use crate::error::Code;
use crate::http::auth::ScreenAccess;
use crate::http::error::ApiError;
use crate::http::middleware::Outcome;
use crate::http::state::AppState;
use crate::live::Generation;
use crate::record::audit::Origin;
use crate::record::screening::{DispositionPolicy, Recorder};
use crate::record::store::AuditRecord;
pub use crate::trade::{GoodsResult, PartyResult, PartyRole, Reason, TextResult, TradeResponse};
use crate::trade::{Limits, TradeInput, TradeParty};

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
    /// Free-text fields searched for listed names and controlled goods, by
    /// field name:
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

/// The answer to `POST /v1/screen/transaction`, shared with
/// `POST /v1/screen/message`.
pub type TransactionResponse = TradeResponse;

fn screen_transaction_blocking(
    state: &AppState,
    generation: &Generation,
    t: TransactionRequest,
    origin: Origin,
) -> Result<(TradeResponse, Vec<AuditRecord>), ApiError> {
    let screener = &generation.screener;
    let options =
        ScreeningOptions { min_score: t.min_score, lists: t.lists.clone(), kinds: t.kinds.clone() }.check(screener)?;
    let count = |d| state.metrics.decision(d);
    let recorder = Recorder::new(&state.records, screener, origin, DispositionPolicy::Apply).counting(&count);
    let input = TradeInput {
        reference: t.reference,
        kind: t.kind,
        parties: t.parties.into_iter().map(|p| TradeParty { role: p.role, at: None, party: p.party }).collect(),
        texts: t.texts.into_iter().collect(),
        message: None,
    };
    let text_hits = |n| state.metrics.text_hits(n);
    let limits = Limits { max_text_chars: state.settings.server.max_text_chars, text_hits: &text_hits };
    crate::trade::screen(&recorder, screener, input, options, &limits)
}

/// Screen a trade transaction: every party by role, and the free text.
#[utoipa::path(post, path = "/v1/screen/transaction", tag = "screening", request_body = TransactionRequest,
    responses((status = 200, body = TradeResponse), (status = 422, body = crate::http::error::ErrorBody)),
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
