//! Errors as JSON with a stable code: `{"code": "E102", "error": ...,
//! "issues": [...]}`, the issues being those of a validation report.

use axum::Json;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::{Issue, IssueCode, ValidationReport};

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
            status,
        }
    }

    /// A body that is JSON but not of the route's shape: 400 (E100).
    pub fn malformed(detail: String) -> ApiError {
        ApiError {
            code: IssueCode::Malformed.to_string(),
            error: detail,
            issues: Vec::new(),
            status: StatusCode::BAD_REQUEST,
        }
    }

    /// A route that does not exist: 404 (E102).
    pub fn not_found(path: &str) -> ApiError {
        ApiError {
            code: IssueCode::UnknownReference.to_string(),
            error: format!("no route {path}"),
            issues: Vec::new(),
            status: StatusCode::NOT_FOUND,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(&self)).into_response()
    }
}
