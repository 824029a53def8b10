//! `POST /v1/screen/message`: one SWIFT FIN (MT) or ISO 20022 message, as
//! the bank's system holds it, read by field meaning ([`crate::messages`])
//! and screened like a transaction ([`crate::trade::screen`]): every party
//! by role (a BIC as an identifier), every free-text field for listed names
//! and controlled goods. The answer has the shape of
//! `POST /v1/screen/transaction` plus the message's type and references.

use actix_web::http::header;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};

use crate::engine::ScreeningOptions;
use crate::error::Code;
use crate::http::auth::ScreenAccess;
use crate::http::error::ApiError;
use crate::http::middleware::Outcome;
use crate::http::state::AppState;
use crate::messages::MessageError;
use crate::record::screening::{DispositionPolicy, Recorder};
use crate::trade::{Limits, TradeInput, TradeResponse};

impl From<MessageError> for ApiError {
    fn from(e: MessageError) -> ApiError {
        let code = match e {
            MessageError::Malformed { .. } => Code::MalformedMessage,
            MessageError::Unsupported { .. } => Code::UnsupportedMessageType,
        };
        ApiError::new(code, e.to_string())
    }
}

/// The content types taken: FIN text or XML (absent is read from the content).
fn acceptable(req: &HttpRequest) -> bool {
    let Some(ct) = req.headers().get(header::CONTENT_TYPE) else { return true };
    let ct = ct.to_str().unwrap_or("").split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    matches!(ct.as_str(), "text/plain" | "application/xml" | "text/xml" | "application/octet-stream" | "")
}

/// Screen one SWIFT MT or ISO 20022 message.
///
/// The body is the message (`text/plain` for FIN, with or without its
/// blocks; `application/xml` for ISO 20022, with or without the business
/// application header); its format and type are read from the content.
/// Every party is screened by role (option `A` BICs and `BICFI` as
/// identifiers), every narrative field (44A–F, 45A/B, 46A/B, 47A/B, 70, 72,
/// 72Z, 77U, 78, `RmtInf`…) is searched for listed names and controlled
/// goods.
#[utoipa::path(post, path = "/v1/screen/message", tag = "screening",
    request_body(description = "One SWIFT FIN message (MT700, MT707, MT710, MT720, MT760, MT103, \
        MT202, MT202 COV) or ISO 20022 message (pacs.008, pacs.009, pacs.009 COV); as \
        `application/octet-stream`, either as exported (what generated clients send).",
        content((String = "text/plain"), (String = "application/xml"), (Vec<u8> = "application/octet-stream"))),
    params(
        ("min_score" = Option<f64>, Query, description = "Report threshold for every party (see `POST /v1/screen`)."),
        ("lists" = Option<String>, Query, description = "Comma-separated datasets to screen against."),
        ("kinds" = Option<String>, Query, description = "Comma-separated kinds of entries to compare with."),
    ),
    responses((status = 200, body = TradeResponse),
              (status = 401, body = crate::http::error::ErrorBody),
              (status = 413, description = "`payload_too_large`: over `server.max_body_bytes`", body = crate::http::error::ErrorBody),
              (status = 415, description = "`unsupported_media_type`", body = crate::http::error::ErrorBody),
              (status = 422, description = "`malformed_message` (the block, field or line), `unsupported_message_type` \
                  (naming the supported ones), or the code of a party that cannot be screened", body = crate::http::error::ErrorBody)),
    security(("api_key" = ["screen"])))]
pub async fn screen_message(
    access: ScreenAccess,
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<MessageQuery>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    if !acceptable(&req) {
        return Err(ApiError::new(
            Code::UnsupportedMediaType,
            "send the message as text/plain (SWIFT FIN) or application/xml (ISO 20022)",
        ));
    }
    let text = std::str::from_utf8(&body)
        .map_err(|e| ApiError::new(Code::MalformedMessage, format!("the message is not UTF-8: {e}")))?
        .to_string();
    let asked = query.into_inner().options();
    let generation = state.lists.current();
    let worker_state = state.clone();
    let origin = access.0.origin("message");
    let (response, records) = web::block(move || {
        let message = crate::messages::parse(&text)?;
        let screener = &generation.screener;
        let options = asked.check(screener)?;
        let input = TradeInput::of_message(message);
        let max = worker_state.settings.server.max_batch_items;
        if input.parties.len() > max {
            return Err(ApiError::new(Code::TooManyItems, format!("at most {max} parties")));
        }
        let count = |d| worker_state.metrics.decision(d);
        let recorder =
            Recorder::new(&worker_state.records, screener, origin, DispositionPolicy::Apply).counting(&count);
        let text_hits = |n| worker_state.metrics.text_hits(n);
        let limits = Limits { max_text_chars: worker_state.settings.server.max_text_chars, text_hits: &text_hits };
        crate::trade::screen(&recorder, screener, input, options, &limits)
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))??;
    state.records.commit(records).await?;
    req.extensions_mut().insert(Outcome(response.decision));
    Ok(HttpResponse::Ok().json(response))
}

/// The screening options of `POST /v1/screen/message`, in the query string.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct MessageQuery {
    pub min_score: Option<f64>,
    /// Comma-separated.
    pub lists: Option<String>,
    /// Comma-separated.
    pub kinds: Option<String>,
}

impl MessageQuery {
    fn options(self) -> ScreeningOptions {
        let split = |s: String| s.split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect();
        ScreeningOptions { min_score: self.min_score, lists: self.lists.map(split), kinds: self.kinds.map(split) }
    }
}
