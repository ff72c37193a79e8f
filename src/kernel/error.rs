//! One error type for the service. Its HTTP face is rendered once, in
//! `kernel::web::render_errors`: JSON under `/api` and `/open311`, a page elsewhere.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::db::DbError;

#[derive(Debug, Clone)]
pub enum AppError {
    /// No valid session or token.
    Unauthenticated,
    /// Signed in, but the role or department does not allow this.
    Forbidden,
    /// Refused for a named reason (CSRF token, token scope): 403 with its own code.
    Refused {
        code: &'static str,
    },
    /// The record does not exist — or the caller may not know it exists.
    NotFound,
    /// Input that parsed but is not acceptable. `code` is stable and names an i18n message.
    Invalid {
        code: &'static str,
        field: Option<&'static str>,
        detail: Option<String>,
    },
    /// Input that could not be parsed at all.
    BadRequest {
        code: &'static str,
        detail: Option<String>,
    },
    /// The request conflicts with the record's state (duplicate, illegal transition).
    Conflict {
        code: &'static str,
        field: Option<&'static str>,
    },
    /// The body is larger than the service accepts.
    TooLarge,
    /// The path exists but does not take this method.
    MethodNotAllowed,
    /// Too many requests from this client; it may try again after this many seconds.
    RateLimited {
        retry_after_s: i64,
    },
    /// The account is locked after repeated failed sign-ins.
    Locked,
    /// The database cannot be reached. Never reported as "not found".
    Unavailable(String),
    Internal(String),
}

impl AppError {
    pub fn invalid(code: &'static str, field: &'static str) -> Self {
        AppError::Invalid { code, field: Some(field), detail: None }
    }
    pub fn invalid_detail(code: &'static str, field: &'static str, detail: impl Into<String>) -> Self {
        AppError::Invalid { code, field: Some(field), detail: Some(detail.into()) }
    }
    pub fn conflict(code: &'static str) -> Self {
        AppError::Conflict { code, field: None }
    }
    pub fn internal(cause: impl Into<String>) -> Self {
        AppError::Internal(cause.into())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Refused { .. } => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Locked => StatusCode::LOCKED,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Stable machine code; also the key of the human message.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden => "forbidden",
            AppError::NotFound => "not_found",
            AppError::Invalid { code, .. }
            | AppError::BadRequest { code, .. }
            | AppError::Conflict { code, .. }
            | AppError::Refused { code } => code,
            AppError::TooLarge => "body_too_large",
            AppError::MethodNotAllowed => "method_not_allowed",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::Locked => "account_locked",
            AppError::Unavailable(_) => "database_unavailable",
            AppError::Internal(_) => "internal_error",
        }
    }

    pub fn field(&self) -> Option<&'static str> {
        match self {
            AppError::Invalid { field, .. } | AppError::Conflict { field, .. } => *field,
            _ => None,
        }
    }

    pub fn detail(&self) -> Option<&str> {
        match self {
            AppError::Invalid { detail, .. } | AppError::BadRequest { detail, .. } => detail.as_deref(),
            _ => None,
        }
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AppError::Unavailable(c) | AppError::Internal(c) => write!(f, "{}: {c}", self.code()),
            _ => f.write_str(self.code()),
        }
    }
}

impl std::error::Error for AppError {}

/// Failures of infrastructure outside the database (the search index).
impl From<anyhow::Error> for AppError {
    fn from(e: anyhow::Error) -> Self {
        AppError::internal(format!("{e:#}"))
    }
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Unique(what) => {
                tracing::debug!(constraint = %what, "unique violation");
                AppError::Conflict { code: "duplicate", field: None }
            }
            DbError::ForeignKey(what) => {
                tracing::debug!(constraint = %what, "foreign key violation");
                AppError::Invalid { code: "unknown_reference", field: None, detail: None }
            }
            DbError::Unavailable(c) => AppError::Unavailable(c),
            DbError::Other(c) => AppError::Internal(c),
        }
    }
}

impl AppError {
    /// The `Retry-After` header a refusal carries, if any.
    pub fn retry_after(&self) -> Option<axum::http::HeaderValue> {
        match self {
            AppError::RateLimited { retry_after_s } => {
                axum::http::HeaderValue::from_str(&retry_after_s.to_string()).ok()
            }
            _ => None,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut res = self.status().into_response();
        res.extensions_mut().insert(self);
        res
    }
}

pub type AppResult<T> = Result<T, AppError>;
