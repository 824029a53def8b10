//! The one error type of the HTTP layer. Every failure, whatever raised it
//! (a handler, an extractor, actix itself), leaves as
//! `{"error": {"code": "<stable_code>", "message": "..."}}` with a code that
//! clients can branch on; messages are for people and may change.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::engine::QueryError;
use crate::error::Code;
use crate::lists::ListError;

/// A failed request: a code from the one table ([`Code`]), the status it is
/// answered with, and a message for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The code's status, or 400 on the OpenSanctions-compatible routes.
    pub status: StatusCode,
    /// Stable: clients branch on it.
    pub code: Code,
    /// For people; may change. Values quoted in it are cut to 200
    /// characters.
    pub message: String,
    /// Seconds to wait before retrying, for 429 and 503.
    pub retry_after: Option<u64>,
}

/// The JSON body of every error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// The code and message of an error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable, snake_case: see the README's table of error codes.
    pub code: String,
    /// For people; may change.
    pub message: String,
}

impl ApiError {
    /// An error with its code's status.
    pub fn new(code: Code, message: impl Into<String>) -> ApiError {
        let status = StatusCode::from_u16(code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        ApiError { status, code, message: message.into(), retry_after: None }
    }

    /// The same error answered with another status (yente's 400s).
    pub fn with_status(self, status: StatusCode) -> ApiError {
        ApiError { status, ..self }
    }

    /// A message prefixed with where in the request the failure is
    /// (`parties[2]: …`).
    pub fn at(self, place: impl std::fmt::Display) -> ApiError {
        ApiError { message: format!("{place}: {}", self.message), ..self }
    }

    /// 401 `unauthorized`.
    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(Code::Unauthorized, message)
    }

    /// 403 `forbidden`.
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(Code::Forbidden, message)
    }

    /// 429 `rate_limited` with `Retry-After`.
    pub fn rate_limited(retry_after: u64) -> ApiError {
        ApiError {
            retry_after: Some(retry_after.max(1)),
            ..ApiError::new(Code::RateLimited, "too many requests for this key; slow down")
        }
    }

    /// 503 `timeout` with `Retry-After`.
    pub fn timeout() -> ApiError {
        ApiError {
            retry_after: Some(1),
            ..ApiError::new(Code::Timeout, "the request took longer than the server allows")
        }
    }

    /// 500 `internal`.
    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(Code::Internal, message)
    }

    /// The JSON body, also used for per-item errors inside batch results.
    pub fn body(&self) -> ErrorBody {
        ErrorBody { error: ErrorDetail { code: self.code.as_str().to_string(), message: self.message.clone() } }
    }

    /// The error for a bare status, for answers actix makes itself
    /// (unknown route, wrong method, body too large...).
    pub fn from_status(status: StatusCode) -> ApiError {
        let code = Code::of_status(status.as_u16());
        let message = match code {
            Code::BadRequest => "the request could not be read",
            Code::Unauthorized => "an API key is required",
            Code::Forbidden => "this key may not do that",
            Code::NotFound => "no such route",
            Code::MethodNotAllowed => "this route does not accept that method",
            Code::RequestTimeout => "the request was not received in time",
            Code::PayloadTooLarge => "the request body is larger than the server accepts",
            Code::UnsupportedMediaType => "the body's content type is not one this route takes",
            Code::RateLimited => "too many requests; slow down",
            Code::HeadersTooLarge => "the request headers are too large",
            Code::Unavailable => "the service is unavailable",
            _ => "internal error",
        };
        ApiError { status, ..ApiError::new(code, message) }
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
        ApiError::new(Code::from(&e), e.to_string())
    }
}

impl From<crate::record::audit::AuditError> for ApiError {
    fn from(e: crate::record::audit::AuditError) -> ApiError {
        ApiError::new(Code::AuditUnavailable, e.to_string())
    }
}

impl From<crate::record::store::StoreError> for ApiError {
    fn from(e: crate::record::store::StoreError) -> ApiError {
        tracing::error!(error = %e, "store failure");
        ApiError::new(Code::StoreUnavailable, e.to_string())
    }
}

impl From<ListError> for ApiError {
    fn from(e: ListError) -> ApiError {
        let code = if matches!(e, ListError::Shrunk { .. }) { Code::ListShrunk } else { Code::ListRejected };
        ApiError::new(code, format!("the lists were not reloaded, the old ones stay in service: {e}"))
    }
}

/// Maps a JSON extractor failure: malformed JSON, wrong field types and
/// missing fields each get their own code.
pub fn json_error(err: actix_web::error::JsonPayloadError) -> ApiError {
    use actix_web::error::JsonPayloadError as E;
    match err {
        E::OverflowKnownLength { length, limit } => {
            ApiError::new(Code::PayloadTooLarge, format!("body of {length} bytes is over the limit of {limit}"))
        }
        E::Overflow { limit } => {
            ApiError::new(Code::PayloadTooLarge, format!("body is over the limit of {limit} bytes"))
        }
        E::ContentType => ApiError::new(Code::UnsupportedMediaType, "send the body as application/json"),
        E::Deserialize(e) if e.is_data() => ApiError::new(Code::InvalidField, e.to_string()),
        E::Deserialize(e) => ApiError::new(Code::InvalidJson, e.to_string()),
        E::Payload(p) => ApiError::new(Code::BadRequest, p.to_string()),
        other => ApiError::new(Code::BadRequest, other.to_string()),
    }
}

/// Maps a query-string extractor failure.
pub fn query_error(err: actix_web::error::QueryPayloadError) -> ApiError {
    ApiError::new(Code::InvalidQuery, err.to_string())
}

/// Maps a path extractor failure.
pub fn path_error(err: actix_web::error::PathError) -> ApiError {
    ApiError::new(Code::NotFound, err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_actix_produces_has_a_code_and_keeps_its_status() {
        for st in [400u16, 401, 403, 404, 405, 408, 413, 415, 429, 431, 500, 503] {
            let e = ApiError::from_status(StatusCode::from_u16(st).unwrap());
            assert_eq!(e.status.as_u16(), st);
            assert_eq!(e.body().error.code, e.code.as_str());
        }
    }

    #[test]
    fn query_errors_keep_their_codes() {
        let codes: Vec<_> = [QueryError::EmptyName, QueryError::NoTokens, QueryError::NameTooLong { max: 5 }]
            .into_iter()
            .map(|e| ApiError::from(e).code.as_str())
            .collect();
        assert_eq!(codes, ["empty_name", "invalid_name", "name_too_long"]);
    }
}
