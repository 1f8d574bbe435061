//! Typed errors of the library, the bottom layer: it imports nothing from the
//! crate. The binary maps the errors to exit codes; the validation report and
//! its stable issue codes live here too, so that every layer can name them.

mod codes;
mod report;

use std::path::PathBuf;

pub use codes::IssueCode;
pub use report::{Issue, Severity, ValidationReport};

/// A parser's own error, kept as the source of [`DomoptError::Parse`].
pub type ParseSource = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything the library can fail with.
#[derive(Debug, thiserror::Error)]
pub enum DomoptError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: std::io::Error,
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
        /// The parser's error, where one exists (its text is in `detail`).
        #[source]
        source: Option<ParseSource>,
    },
    /// The scenario has errors; nothing was solved.
    #[error("the scenario has {} error(s)", .0.errors().count())]
    Invalid(ValidationReport),
    /// A cost model name that is neither a preset nor a readable file.
    #[error("unknown cost model `{name}`: use one of {} or a path to a TOML file", .presets.join(", "))]
    UnknownModel {
        /// The name given.
        name: String,
        /// The preset names that exist.
        presets: Vec<String>,
    },
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
    /// An I/O failure on `path`. Takes anything that converts into an
    /// `io::Error` (the csv and serde_json errors do, keeping their text).
    pub fn io(path: impl Into<PathBuf>, source: impl Into<std::io::Error>) -> Self {
        DomoptError::Io {
            path: path.into(),
            source: source.into(),
        }
    }

    /// A malformed file whose parser left no error value to keep.
    pub fn parse(path: impl Into<PathBuf>, detail: impl Into<String>) -> Self {
        DomoptError::Parse {
            path: path.into(),
            detail: detail.into(),
            source: None,
        }
    }

    /// A malformed file, with the parser's error kept as the source.
    pub fn parse_with(
        path: impl Into<PathBuf>,
        detail: impl Into<String>,
        source: impl Into<ParseSource>,
    ) -> Self {
        DomoptError::Parse {
            path: path.into(),
            detail: detail.into(),
            source: Some(source.into()),
        }
    }

    /// The stable code of the error, as listed in [`IssueCode::ALL`]
    /// (a validation report carries one code per issue instead).
    pub fn code(&self) -> Option<IssueCode> {
        match self {
            DomoptError::Io { .. } => Some(IssueCode::Io),
            DomoptError::Parse { .. } => Some(IssueCode::Malformed),
            DomoptError::Invalid(_) => None,
            DomoptError::UnknownModel { .. } => Some(IssueCode::UnknownModel),
            DomoptError::Settings { .. } => Some(IssueCode::BadSetting),
            DomoptError::MissingFile { .. } => Some(IssueCode::MissingTable),
            DomoptError::OutDir { .. } => Some(IssueCode::UnusableOutDir),
            DomoptError::NoPlan(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error;

    #[test]
    fn an_io_error_keeps_its_cause_and_its_text() {
        let e = DomoptError::io("a.csv", std::io::Error::other("disk full"));
        assert_eq!(e.to_string(), "a.csv: disk full");
        assert_eq!(
            e.source().map(ToString::to_string).as_deref(),
            Some("disk full")
        );
    }

    #[test]
    fn an_unknown_model_lists_the_presets_it_carries() {
        let e = DomoptError::UnknownModel {
            name: "x".into(),
            presets: vec!["a".into(), "b".into()],
        };
        assert_eq!(
            e.to_string(),
            "unknown cost model `x`: use one of a, b or a path to a TOML file"
        );
        assert_eq!(e.code(), Some(IssueCode::UnknownModel));
    }
}
