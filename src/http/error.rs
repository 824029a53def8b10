//! The one error type of the HTTP layer. Every failure, whatever raised it
//! (a handler, an extractor, actix itself), leaves as
//! `{"error": {"code": "<stable_code>", "message": "..."}}` with a code that
//! clients can branch on; messages are for people and may change.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::error::ListError;
use crate::screen::QueryError;

/// A failed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Seconds to wait before retrying, for 429 and 503.
    pub retry_after: Option<u64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable, snake_case: see the README's table of error codes.
    pub code: String,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into(), retry_after: None }
    }

    pub fn invalid(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, code, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn rate_limited(retry_after: u64) -> ApiError {
        ApiError {
            retry_after: Some(retry_after.max(1)),
            ..ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "too many requests for this key; slow down")
        }
    }

    pub fn timeout() -> ApiError {
        ApiError {
            retry_after: Some(1),
            ..ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "timeout",
                "the request took longer than the server allows",
            )
        }
    }

    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }

    /// The JSON body, also used for per-item errors inside batch results.
    pub fn body(&self) -> ErrorBody {
        ErrorBody { error: ErrorDetail { code: self.code.to_string(), message: self.message.clone() } }
    }

    /// The code a bare status maps to, for responses actix makes itself
    /// (unknown route, wrong method, body too large...).
    pub fn from_status(status: StatusCode) -> ApiError {
        let (code, message) = match status.as_u16() {
            400 => ("bad_request", "the request could not be read"),
            401 => ("unauthorized", "an API key is required"),
            403 => ("forbidden", "this key may not do that"),
            404 => ("not_found", "no such route"),
            405 => ("method_not_allowed", "this route does not accept that method"),
            408 => ("request_timeout", "the request was not received in time"),
            413 => ("payload_too_large", "the request body is larger than the server accepts"),
            415 => ("unsupported_media_type", "send the body as application/json"),
            429 => ("rate_limited", "too many requests; slow down"),
            431 => ("headers_too_large", "the request headers are too large"),
            503 => ("unavailable", "the service is unavailable"),
            s if s >= 500 => ("internal", "internal error"),
            _ => ("bad_request", "the request could not be handled"),
        };
        ApiError::new(status, code, message)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status);
        if let Some(secs) = self.retry_after {
            res.insert_header((header::RETRY_AFTER, HeaderValue::from(secs)));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            res.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
        }
        res.json(self.body())
    }
}

impl From<QueryError> for ApiError {
    fn from(e: QueryError) -> ApiError {
        let code = match e {
            QueryError::EmptyName => "empty_name",
            QueryError::NoTokens => "invalid_name",
            QueryError::NameTooLong(_) => "name_too_long",
        };
        ApiError::invalid(code, e.to_string())
    }
}

impl From<crate::audit::AuditError> for ApiError {
    fn from(e: crate::audit::AuditError) -> ApiError {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "audit_unavailable", e.to_string())
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> ApiError {
        tracing::error!(error = %e, "store failure");
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "store_unavailable", e.to_string())
    }
}

impl From<ListError> for ApiError {
    fn from(e: ListError) -> ApiError {
        ApiError::invalid("list_rejected", format!("the lists were not reloaded, the old ones stay in service: {e}"))
    }
}

/// Maps a JSON extractor failure: malformed JSON, wrong field types and
/// missing fields each get their own code.
pub fn json_error(err: actix_web::error::JsonPayloadError) -> ApiError {
    use actix_web::error::JsonPayloadError as E;
    match err {
        E::OverflowKnownLength { length, limit } => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("body of {length} bytes is over the limit of {limit}"),
        ),
        E::Overflow { limit } => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("body is over the limit of {limit} bytes"),
        ),
        E::ContentType => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body as application/json",
        ),
        E::Deserialize(e) if e.is_data() => ApiError::invalid("invalid_field", e.to_string()),
        E::Deserialize(e) => ApiError::new(StatusCode::BAD_REQUEST, "invalid_json", e.to_string()),
        E::Payload(p) => ApiError::new(StatusCode::BAD_REQUEST, "bad_request", p.to_string()),
        other => ApiError::new(StatusCode::BAD_REQUEST, "bad_request", other.to_string()),
    }
}

/// Maps a query-string extractor failure.
pub fn query_error(err: actix_web::error::QueryPayloadError) -> ApiError {
    ApiError::invalid("invalid_query", err.to_string())
}

/// Maps a path extractor failure.
pub fn path_error(err: actix_web::error::PathError) -> ApiError {
    ApiError::not_found("not_found", err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_actix_produces_has_a_code() {
        for s in [400u16, 401, 403, 404, 405, 408, 413, 415, 429, 431, 500, 503] {
            let e = ApiError::from_status(StatusCode::from_u16(s).unwrap());
            assert!(e.code.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{}", e.code);
        }
    }

    #[test]
    fn query_errors_have_distinct_codes() {
        let codes: Vec<_> = [QueryError::EmptyName, QueryError::NoTokens, QueryError::NameTooLong(5)]
            .into_iter()
            .map(|e| ApiError::from(e).code)
            .collect();
        assert_eq!(codes, ["empty_name", "invalid_name", "name_too_long"]);
    }
}
