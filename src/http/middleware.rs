//! What wraps every request: a request id, a deadline, metrics, one log line,
//! and JSON bodies on the errors actix produces by itself.

use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::{ErrorHandlerResponse, Next};
use actix_web::{web, HttpMessage, ResponseError};

use crate::engine::screen::Decision;
use crate::http::auth::CallerId;
use crate::http::error::ApiError;
use crate::http::state::AppState;

/// The request's id: the caller's `X-Request-Id` when it is sane, else a
/// fresh UUID. Echoed in the response header and in every body.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The decision a handler reached, for the log line.
#[derive(Debug, Clone, Copy)]
pub struct Outcome(pub Decision);

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

fn sane_request_id(v: &str) -> bool {
    !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
}

/// Request id, deadline, metrics and the access log.
///
/// # Errors
///
/// None of its own: the inner service's error is passed on (and logged with the request id).
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    // Time-ordered (UUID v7): audit records are indexed by request id, and
    // ids that grow with time append to the index instead of touching a
    // random page of it per screening.
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| sane_request_id(v))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let deadline = state
        .as_ref()
        .map(|s| Duration::from_millis(s.settings.server.request_timeout_millis))
        .unwrap_or(Duration::from_secs(30));
    let method = req.method().to_string();

    let outcome = match tokio::time::timeout(deadline, next.call(req)).await {
        Ok(r) => r,
        Err(_) => Err(ApiError::timeout().into()),
    };
    let elapsed = started.elapsed();
    let mut res = match outcome {
        Ok(res) => res,
        Err(e) => {
            // The request went into the inner service; only the error is left.
            let status = e.as_response_error().status_code().as_u16();
            if let Some(state) = &state {
                state.metrics.observe("unmatched", &method, status, elapsed);
            }
            tracing::info!(request_id = %id, method = %method, status, latency_us = elapsed.as_micros() as u64, "request");
            return Err(e);
        }
    };
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID, v);
    }
    let route = res.request().match_pattern().unwrap_or_else(|| "unmatched".to_string());
    let status = res.status().as_u16();
    if let Some(state) = &state {
        state.metrics.observe(&route, &method, status, elapsed);
    }
    {
        let ext = res.request().extensions();
        let caller = ext.get::<CallerId>().map(|c| c.0.as_str()).unwrap_or("-");
        let decision = ext.get::<Outcome>().map(|o| o.0.as_str()).unwrap_or("-");
        tracing::info!(
            request_id = %id,
            key_id = caller,
            method = %method,
            route = %route,
            status,
            decision,
            latency_us = elapsed.as_micros() as u64,
            "request"
        );
    }
    Ok(res)
}

/// Gives the errors actix makes itself (unknown route, wrong method, bad
/// path) the same JSON body as ours; the workspace's HTML error pages pass.
///
/// # Errors
///
/// Never: every response is passed on, its body rewritten as JSON when actix made it.
pub fn json_errors<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v.starts_with("text/html"));
    if is_json {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let allow = res.headers().get(header::ALLOW).cloned();
    let (req, _) = res.into_parts();
    let mut new = ApiError::from_status(status).error_response();
    if let Some(a) = allow {
        new.headers_mut().insert(header::ALLOW, a);
    }
    Ok(ErrorHandlerResponse::Response(ServiceResponse::new(req, new).map_into_right_body()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_from_callers_are_bounded() {
        assert!(sane_request_id("abc-123_x.y:z"));
        assert!(!sane_request_id(""));
        assert!(!sane_request_id("a b"));
        assert!(!sane_request_id(&"a".repeat(65)));
        assert!(!sane_request_id("é"));
    }
}
