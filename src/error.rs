//! Typed errors of the library. The binary maps them to exit codes.

use std::path::PathBuf;

use crate::input::validate::ValidationReport;

/// Everything the library can fail with.
#[derive(Debug, thiserror::Error)]
pub enum DomoptError {
    /// A file could not be read or written.
    #[error("{path}: {detail}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        detail: String,
    },
    /// The plan cannot be written to this folder (checked before solving;
    /// nothing was written).
    #[error("{path}: cannot write the plan here: {detail}")]
    OutDir {
        /// The plan folder or its parent.
        path: PathBuf,
        /// Why.
        detail: String,
    },
    /// A file is not well-formed JSON, CSV or TOML for its type.
    #[error("{path}: cannot parse: {detail}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// Parser message (with row or line where known).
        detail: String,
    },
    /// The scenario has errors; nothing was solved.
    #[error("the scenario has {} error(s)", .0.errors().count())]
    Invalid(ValidationReport),
    /// A cost model name that is neither a preset nor a readable file.
    #[error("unknown cost model `{0}`: use one of {presets} or a path to a TOML file", presets = crate::input::cost_model::PRESETS.iter().map(|p| p.0).collect::<Vec<_>>().join(", "))]
    UnknownModel(String),
    /// A settings value out of range.
    #[error("invalid setting {field}: {detail}")]
    Settings {
        /// The setting.
        field: String,
        /// Why.
        detail: String,
    },
    /// A scenario folder holds a table without the table it depends on.
    #[error("{path}: missing: {detail}")]
    MissingFile {
        /// The file that is missing.
        path: PathBuf,
        /// Which file needs it.
        detail: String,
    },
    /// The solver failed and no plan (not even a fallback) could be made.
    #[error("no plan could be made: {0}")]
    NoPlan(String),
}

impl DomoptError {
    /// The stable code of the error, as listed in `validate::CODES`
    /// (a validation report carries one code per issue instead).
    pub fn code(&self) -> Option<&'static str> {
        match self {
            DomoptError::Io { .. } => Some("E121"),
            DomoptError::Parse { .. } => Some("E100"),
            DomoptError::Invalid(_) => None,
            DomoptError::UnknownModel(_) => Some("E119"),
            DomoptError::Settings { .. } => Some("E120"),
            DomoptError::MissingFile { .. } => Some("E118"),
            DomoptError::OutDir { .. } => Some("E122"),
            DomoptError::NoPlan(_) => None,
        }
    }
}
