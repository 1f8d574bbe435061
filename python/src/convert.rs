//! Values crossing into Python: records as dicts and lists (through their
//! JSON form, so that they read exactly as the CLI's `--json` prints them),
//! and the solve arguments checked as the CLI checks its options.

use domopt::{CandidateMode, DomoptError, Settings, Strategy};
use pyo3::prelude::*;
use serde::Serialize;

use crate::errors::setting;

/// `value` as Python dicts, lists, numbers and strings (its JSON form).
pub fn to_python<'py, T: Serialize + ?Sized>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(value)
        .map_err(|e| setting(py, "output", format!("cannot be written as JSON: {e}")))?;
    py.import("json")?.getattr("loads")?.call1((text,))
}

/// A solve strategy by name (E120 for an unknown one).
pub fn strategy(py: Python<'_>, name: &str) -> PyResult<Strategy> {
    name.parse()
        .map_err(|e: domopt::UnknownStrategy| setting(py, "strategy", e.to_string()))
}

/// `exact` or `pruned:K`, as `domopt solve --candidates` reads it.
pub fn candidates(py: Python<'_>, text: &str) -> PyResult<CandidateMode> {
    CandidateMode::parse(text).ok_or_else(|| {
        setting(
            py,
            "candidates",
            format!("`{}`: use `exact` or `pruned:K`", text.escape_debug()),
        )
    })
}

/// A candidate mode as `candidates` takes it.
pub fn candidates_name(mode: CandidateMode) -> String {
    match mode {
        CandidateMode::Exact => "exact".into(),
        CandidateMode::Pruned { k } => format!("pruned:{k}"),
    }
}

/// The solve options of `domopt solve`, each `None` at its default.
pub struct SolveOptions<'a> {
    pub time_limit: Option<f64>,
    pub mip_rel_gap: Option<f64>,
    pub threads: Option<i64>,
    pub seed: Option<i64>,
    pub candidates: &'a str,
    pub solver_log: bool,
}

impl SolveOptions<'_> {
    /// The settings, every value checked (E120).
    pub fn settings(&self, py: Python<'_>) -> PyResult<Settings> {
        let d = Settings::default();
        let whole = |field: &str, v: Option<i64>, default: u32, range: &str| {
            v.map_or(Ok(default), |v| {
                u32::try_from(v).map_err(|_| setting(py, field, format!("{v}: must be {range}")))
            })
        };
        let settings = Settings {
            time_limit_s: self.time_limit.unwrap_or(d.time_limit_s),
            mip_rel_gap: self.mip_rel_gap.unwrap_or(d.mip_rel_gap),
            threads: whole("threads", self.threads, d.threads, "between 1 and 1024")?,
            seed: whole("seed", self.seed, d.seed, "between 0 and 2,147,483,647")?,
            candidates: candidates(py, self.candidates)?,
            solver_log: self.solver_log,
        };
        settings
            .validate()
            .map_err(|e| crate::errors::to_py(py, python_names(e)))?;
        Ok(settings)
    }
}

/// A settings error naming the Python argument (`time_limit`, not the
/// field `time_limit_s`; `store_timeout`, not the option `store-timeout`).
pub fn python_names(e: DomoptError) -> DomoptError {
    let renamed = |field: &str| match field {
        "time_limit_s" => Some("time_limit"),
        "store-timeout" => Some("store_timeout"),
        _ => None,
    };
    match e {
        DomoptError::Settings { field, detail } => DomoptError::Settings {
            field: renamed(&field).map_or(field, String::from),
            detail,
        },
        other => other,
    }
}

/// The library's default settings, for the Python signatures' defaults.
#[pyfunction]
pub fn default_settings(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    let d = Settings::default();
    to_python(
        py,
        &serde_json::json!({
            "time_limit": d.time_limit_s,
            "mip_rel_gap": d.mip_rel_gap,
            "threads": d.threads,
            "seed": d.seed,
            "candidates": candidates_name(d.candidates),
        }),
    )
}
