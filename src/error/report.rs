//! The validation report: every issue found in a scenario, errors and
//! warnings, each with its stable code, record, field and what to do.

use serde::Serialize;

use super::codes::IssueCode;

/// How bad an issue is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The scenario cannot be solved.
    Error,
    /// Legal but suspicious.
    Warning,
}

/// One problem found in the input.
#[derive(Debug, Clone, Serialize)]
pub struct Issue {
    /// Stable code, e.g. `E106`.
    pub code: IssueCode,
    /// Error or warning.
    pub severity: Severity,
    /// The offending record, e.g. `order O-17`.
    pub record: String,
    /// The field, e.g. `lines[2].quantity`.
    pub field: String,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub action: String,
}

impl std::fmt::Display for Issue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{sev} {}: {} `{}`: {} -> {}",
            self.code, self.record, self.field, self.message, self.action
        )
    }
}

/// Every issue found, errors and warnings.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ValidationReport {
    /// All issues in input order.
    pub issues: Vec<Issue>,
}

impl ValidationReport {
    /// The errors.
    pub fn errors(&self) -> impl Iterator<Item = &Issue> {
        self.issues.iter().filter(|i| i.severity == Severity::Error)
    }
    /// The warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &Issue> {
        self.issues
            .iter()
            .filter(|i| i.severity == Severity::Warning)
    }
    /// Whether any error was found.
    pub fn has_errors(&self) -> bool {
        self.errors().next().is_some()
    }
}
