//! The library's errors as the exceptions of `domopt.errors`, each with its
//! stable code (and, for a scenario that fails validation, every issue).

use domopt::{DomoptError, ValidationReport};
use pyo3::prelude::*;

use crate::convert::to_python;

/// Issues listed in a validation error's message; the rest are in `.issues`.
const LISTED_ISSUES: usize = 10;

/// The exception for `e`: its class by kind, its code and message.
pub fn to_py(py: Python<'_>, e: DomoptError) -> PyErr {
    let code = e.code().map(|c| c.as_str());
    match &e {
        DomoptError::Invalid(report) => validation(py, report),
        DomoptError::Parse { .. } | DomoptError::MissingFile { .. } => {
            raise(py, "ParseError", e.to_string(), code, None)
        }
        DomoptError::Io { .. } | DomoptError::OutDir { .. } => {
            raise(py, "FileError", e.to_string(), code, None)
        }
        DomoptError::UnknownModel { .. } | DomoptError::Settings { .. } => {
            raise(py, "SettingsError", e.to_string(), code, None)
        }
        DomoptError::NoPlan(_) => raise(py, "SolveError", e.to_string(), code, None),
    }
}

/// A `ValidationError` for a report with errors: the first error's code,
/// every issue (warnings too) as records.
pub fn validation(py: Python<'_>, report: &ValidationReport) -> PyErr {
    let errors: Vec<String> = report.errors().map(ToString::to_string).collect();
    let code = report.errors().next().map(|i| i.code.as_str());
    let mut message = format!("the input has {} error(s)", errors.len());
    for line in errors.iter().take(LISTED_ISSUES) {
        message.push_str("\n  ");
        message.push_str(line);
    }
    if errors.len() > LISTED_ISSUES {
        message.push_str(&format!(
            "\n  ... and {} more (see .issues)",
            errors.len() - LISTED_ISSUES
        ));
    }
    match to_python(py, &report.issues) {
        Ok(issues) => raise(py, "ValidationError", message, code, Some(issues)),
        Err(err) => err,
    }
}

/// A `LedgerError` for a ledger that refused or failed, with its code
/// (E140-E151; E147 when its store could not be reached or locked in time).
pub fn ledger_error(py: Python<'_>, e: &domopt::reservations::LedgerError) -> PyErr {
    raise(
        py,
        "LedgerError",
        e.to_string(),
        Some(e.code().as_str()),
        None,
    )
}

/// A `SettingsError` (E120) for an argument out of range.
pub fn setting(py: Python<'_>, field: &str, detail: impl Into<String>) -> PyErr {
    to_py(
        py,
        DomoptError::Settings {
            field: field.into(),
            detail: detail.into(),
        },
    )
}

/// Builds `domopt.errors.<class>(message, code, issues)`; if that module
/// cannot be imported (an installation without the Python package), the
/// import error itself.
fn raise(
    py: Python<'_>,
    class: &str,
    message: String,
    code: Option<&str>,
    issues: Option<Bound<'_, PyAny>>,
) -> PyErr {
    let made = py
        .import("domopt.errors")
        .and_then(|m| m.getattr(class))
        .and_then(|c| c.call1((message, code, issues)));
    match made {
        Ok(exception) => PyErr::from_value(exception),
        Err(err) => err,
    }
}
