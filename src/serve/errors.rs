//! Errors as JSON with a stable code: `{"code": "E102", "error": ...,
//! "issues": [...]}`, the issues being those of a validation report.

use axum::Json;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::{Issue, IssueCode, ValidationReport};
use crate::ledger::LedgerError;

/// An error answer.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ApiError {
    /// The stable code (the first error's, for a validation report).
    pub code: String,
    /// What went wrong, in words.
    pub error: String,
    /// Every problem of the request, when it was validated.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schemars(skip)]
    pub issues: Vec<Issue>,
    /// For E140 (insufficient stock): the units that could have been
    /// granted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub available: Option<u64>,
    #[serde(skip)]
    status: StatusCode,
}

impl ApiError {
    /// A request whose content is invalid: 422 with every issue.
    pub fn invalid(report: ValidationReport) -> ApiError {
        let issues: Vec<Issue> = report.errors().cloned().collect();
        let code = issues
            .first()
            .map_or("E100".to_string(), |i| i.code.to_string());
        ApiError {
            code,
            error: format!("the request has {} error(s)", issues.len()),
            issues,
            available: None,
            status: StatusCode::UNPROCESSABLE_ENTITY,
        }
    }

    /// A body that cannot be read: 413 (E117) when it is over the size
    /// limit, else 400 (E100).
    pub fn body(rejection: BytesRejection) -> ApiError {
        let too_large = rejection.status() == StatusCode::PAYLOAD_TOO_LARGE;
        let (code, status) = if too_large {
            (IssueCode::AboveLimit, StatusCode::PAYLOAD_TOO_LARGE)
        } else {
            (IssueCode::Malformed, StatusCode::BAD_REQUEST)
        };
        ApiError {
            code: code.to_string(),
            error: rejection.body_text(),
            issues: Vec::new(),
            available: None,
            status,
        }
    }

    /// A body that is JSON but not of the route's shape: 400 (E100).
    pub fn malformed(detail: String) -> ApiError {
        ApiError {
            code: IssueCode::Malformed.to_string(),
            error: detail,
            issues: Vec::new(),
            available: None,
            status: StatusCode::BAD_REQUEST,
        }
    }

    /// A route that does not exist: 404 (E102).
    pub fn not_found(path: &str) -> ApiError {
        ApiError {
            code: IssueCode::UnknownReference.to_string(),
            error: format!("no route {path}"),
            issues: Vec::new(),
            available: None,
            status: StatusCode::NOT_FOUND,
        }
    }
}

impl ApiError {
    /// A ledger refusal, with the status its code maps to: 409 when the
    /// ledger's state forbids it now (E140 insufficient, with the units
    /// available; E142 not active; E144 idempotency conflict; E149; E150),
    /// 404 for an unknown claim (E141), 410 for an expired hold (E143), 422
    /// for a request that cannot be right (E145 quantity, E102 unknown id,
    /// E128 unknown channel, E146 mismatch), 503 when the store fails
    /// (E147), 500 when it no longer reconciles (E148) or its URL is bad
    /// (E151).
    pub fn ledger(e: LedgerError) -> ApiError {
        let status = match &e {
            LedgerError::Insufficient { .. }
            | LedgerError::NotActive { .. }
            | LedgerError::IdempotencyConflict(_)
            | LedgerError::Exists(_)
            | LedgerError::Changed { .. } => StatusCode::CONFLICT,
            LedgerError::UnknownClaim(_) => StatusCode::NOT_FOUND,
            LedgerError::Expired(_) => StatusCode::GONE,
            LedgerError::BadQuantity { .. }
            | LedgerError::UnknownId { .. }
            | LedgerError::UnknownChannel(_)
            | LedgerError::Mismatch(_) => StatusCode::UNPROCESSABLE_ENTITY,
            LedgerError::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
            LedgerError::BadText { .. } => StatusCode::BAD_REQUEST,
            LedgerError::Diverged(_) | LedgerError::BadUrl { .. } => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        let available = match &e {
            LedgerError::Insufficient { available, .. } => Some(*available),
            _ => None,
        };
        ApiError {
            code: e.code().to_string(),
            error: e.to_string(),
            issues: Vec::new(),
            available,
            status,
        }
    }

    /// An error with its code and status.
    pub(super) fn with_status(code: String, error: String, status: StatusCode) -> ApiError {
        ApiError {
            code,
            error,
            issues: Vec::new(),
            available: None,
            status,
        }
    }

    /// The server failed: 500 (E152).
    pub(super) fn internal(error: String) -> ApiError {
        ApiError::with_status(
            IssueCode::ServerFailure.to_string(),
            error,
            StatusCode::INTERNAL_SERVER_ERROR,
        )
    }

    /// A ledger route of a server started without `--ledger`: 503 (E147).
    pub fn no_ledger() -> ApiError {
        ApiError {
            code: IssueCode::LedgerStore.to_string(),
            error: "this server has no reservation ledger: start it with --ledger URL".into(),
            issues: Vec::new(),
            available: None,
            status: StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(&self)).into_response()
    }
}
