//! API-key authentication and scopes, as extractors: a handler that takes
//! [`ScreenAccess`] or [`AdminAccess`] cannot run for a caller without that
//! scope. The rate limit is applied here too, per key.

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};

use crate::config::Scope;
use crate::http::error::ApiError;
use crate::http::middleware::RequestId;
use crate::http::state::AppState;
use crate::record::audit::Origin;

/// Who made the request; put in the request's extensions for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerId(pub String);

/// Who made the request and under which id: what every record of it names.
/// The one source of both for every handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The API key id, or `anonymous@<address>` with keys off.
    pub key_id: String,
    /// The request's id (the caller's sane `X-Request-Id`, else a time-ordered
    /// UUID).
    pub request_id: String,
}

impl Caller {
    /// The origin of the request's records, on `channel`.
    pub fn origin(&self, channel: &'static str) -> Origin {
        Origin::new(self.request_id.clone(), self.key_id.clone(), channel)
    }
}

/// The caller may screen.
pub struct ScreenAccess(pub Caller);
/// The caller may administer (reload lists, read the audit trail).
pub struct AdminAccess(pub Caller);
/// The caller may record dispositions and read alerts.
pub struct AnalystAccess(pub Caller);

/// The request's id, set by the `observe` middleware; a fresh one where it
/// did not run (handler tests), since records need unique ids.
pub fn request_id(req: &HttpRequest) -> String {
    if let Some(id) = req.extensions().get::<RequestId>() {
        return id.0.clone();
    }
    let id = uuid::Uuid::now_v7().to_string();
    req.extensions_mut().insert(RequestId(id.clone()));
    id
}

/// The key in `Authorization: Bearer <key>` or `Authorization: ApiKey <key>`
/// (the form OpenSanctions clients send).
fn presented_key(req: &HttpRequest) -> Result<Option<&str>, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| ApiError::unauthorized("the Authorization header is not readable"))?;
    let (scheme, key) = value.trim().split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") && !scheme.eq_ignore_ascii_case("apikey") {
        return Err(ApiError::unauthorized("use Authorization: Bearer <key> or Authorization: ApiKey <key>"));
    }
    let key = key.trim();
    if key.is_empty() {
        return Ok(None);
    }
    Ok(Some(key))
}

/// Authenticates the request for `scope` and charges it to the caller's rate.
///
/// # Errors
/// 401 without a known key, 403 without the scope, 429 over the rate.
pub fn authorize(req: &HttpRequest, scope: Scope) -> Result<Caller, ApiError> {
    let state = req.app_data::<web::Data<AppState>>().ok_or_else(|| ApiError::internal("application state missing"))?;
    let caller = if state.settings.auth.required {
        let key = presented_key(req)?
            .ok_or_else(|| ApiError::unauthorized("an API key is required: Authorization: Bearer <key>"))?;
        let info = state.keys.lookup(key).ok_or_else(|| ApiError::unauthorized("unknown API key"))?;
        if !info.allows(scope) {
            let needed = scope.as_str();
            req.extensions_mut().insert(CallerId(info.id.clone()));
            return Err(ApiError::forbidden(format!("key {:?} lacks the {needed} scope", info.id)));
        }
        CallerId(info.id.clone())
    } else {
        // Without keys, callers are told apart by address for rate limiting.
        let peer = req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_else(|| "unknown".into());
        CallerId(format!("anonymous@{peer}"))
    };
    req.extensions_mut().insert(caller.clone());
    if let Some(limiter) = &state.limiter {
        limiter.check(&caller.0).map_err(ApiError::rate_limited)?;
    }
    Ok(Caller { key_id: caller.0, request_id: request_id(req) })
}

impl FromRequest for ScreenAccess {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authorize(req, Scope::Screen).map(ScreenAccess))
    }
}

impl FromRequest for AdminAccess {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authorize(req, Scope::Admin).map(AdminAccess))
    }
}

impl FromRequest for AnalystAccess {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authorize(req, Scope::Analyst).map(AnalystAccess))
    }
}
