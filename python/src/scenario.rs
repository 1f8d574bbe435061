//! Loading and validating a scenario: from a path (a JSON file or a
//! scenario folder) or from a dict's JSON, with a cost model and the run's
//! overrides, as `domopt validate` and `domopt solve` load one.

use std::path::{Path, PathBuf};

use domopt::format::{LoadedScenario, PolicyOverrides, parse_scenario_json, read_scenario};
use domopt::{CostModel, DomoptError, ValidationReport};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::convert::to_python;
use crate::errors::{setting, to_py};

/// The name a scenario given as a dict has in error messages.
pub const DICT_SOURCE: &str = "<dict>";

/// Where a scenario's records come from.
pub enum Source {
    /// A JSON file or a scenario folder.
    Path(PathBuf),
    /// A scenario's JSON text (a dict, serialised by the Python side).
    Json(String),
}

impl Source {
    /// Exactly one of `path` and `json` (E120 otherwise).
    pub fn of(py: Python<'_>, path: Option<PathBuf>, json: Option<String>) -> PyResult<Source> {
        match (path, json) {
            (Some(p), None) => Ok(Source::Path(p)),
            (None, Some(j)) => Ok(Source::Json(j)),
            _ => Err(setting(
                py,
                "source",
                "give a path or a dict, not both or neither",
            )),
        }
    }

    /// The records as read, unvalidated.
    pub fn read(&self) -> Result<LoadedScenario, DomoptError> {
        match self {
            Source::Path(p) => read_scenario(p),
            Source::Json(text) => Ok(LoadedScenario {
                file: parse_scenario_json(Path::new(DICT_SOURCE), text)?,
                orphan_lines: Vec::new(),
                source: PathBuf::from(DICT_SOURCE),
            }),
        }
    }
}

/// What a scenario is validated with, besides its records.
pub struct Inputs {
    /// The records as read.
    pub loaded: LoadedScenario,
    /// The cost model.
    pub model: CostModel,
    /// The run's overrides.
    pub overrides: PolicyOverrides,
}

/// Reads the records, the cost model and the overrides (no validation yet).
fn inputs(source: &Source, model: &str, overrides: &[String]) -> Result<Inputs, DomoptError> {
    Ok(Inputs {
        loaded: source.read()?,
        model: CostModel::load(model)?,
        overrides: PolicyOverrides::from_assignments(overrides)?,
    })
}

/// A validated scenario with the inputs it was made from (which a tune or
/// a simulation validates again under its own policies).
#[pyclass(frozen, module = "domopt._domopt")]
pub struct Scenario {
    pub inputs: Inputs,
    /// The cost model as given (a preset name or a TOML path).
    pub model_spec: String,
    /// The overrides as `key=value` assignments.
    pub assignments: Vec<String>,
    pub scenario: domopt::Scenario,
    pub report: ValidationReport,
}

/// Reads and validates; a scenario with errors is a `ValidationError`.
fn load_scenario(
    source: &Source,
    model: &str,
    assignments: Vec<String>,
) -> Result<Scenario, DomoptError> {
    let inputs = inputs(source, model, &assignments)?;
    let (scenario, report) = domopt::validate(&inputs.loaded, &inputs.model, &inputs.overrides)
        .map_err(DomoptError::Invalid)?;
    Ok(Scenario {
        inputs,
        model_spec: model.to_string(),
        assignments,
        scenario,
        report,
    })
}

/// Loads and validates a scenario (the GIL released while reading).
#[pyfunction]
#[pyo3(signature = (*, path=None, json=None, model, overrides))]
pub fn load(
    py: Python<'_>,
    path: Option<PathBuf>,
    json: Option<String>,
    model: String,
    overrides: Vec<String>,
) -> PyResult<Scenario> {
    let source = Source::of(py, path, json)?;
    py.detach(|| load_scenario(&source, &model, overrides))
        .map_err(|e| to_py(py, e))
}

/// Every validation issue, errors and warnings, as records; raises only
/// when the input cannot be read at all (a file, the model, an override).
#[pyfunction]
#[pyo3(signature = (*, path=None, json=None, model, overrides))]
pub fn validate(
    py: Python<'_>,
    path: Option<PathBuf>,
    json: Option<String>,
    model: String,
    overrides: Vec<String>,
) -> PyResult<Bound<'_, PyAny>> {
    let source = Source::of(py, path, json)?;
    let report = py
        .detach(|| {
            let i = inputs(&source, &model, &overrides)?;
            Ok(match domopt::validate(&i.loaded, &i.model, &i.overrides) {
                Ok((_, report)) | Err(report) => report,
            })
        })
        .map_err(|e| to_py(py, e))?;
    to_python(py, &report.issues)
}

#[pymethods]
impl Scenario {
    /// The scenario's name.
    #[getter]
    fn name(&self) -> &str {
        &self.scenario.name
    }

    /// The cost model's name.
    #[getter]
    fn model(&self) -> &str {
        &self.scenario.model_name
    }

    /// The run's overrides as `key=value` assignments.
    #[getter]
    fn overrides(&self) -> Vec<String> {
        self.assignments.clone()
    }

    /// Where the records came from (a path, or `<dict>`).
    #[getter]
    fn source(&self) -> String {
        self.inputs.loaded.source.display().to_string()
    }

    /// The warnings validation found, as records.
    #[getter]
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let warnings: Vec<_> = self.report.warnings().collect();
        to_python(py, &warnings)
    }

    /// Sizes: nodes, SKUs, services (the built-in ones not counted), orders, lines.
    fn counts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let s = &self.scenario;
        let lines: usize = s.orders.iter().map(|o| o.lines.len()).sum();
        to_python(
            py,
            &serde_json::json!({
                "nodes": s.nodes.len(),
                "skus": s.skus.len(),
                // The built-in pickup and transfer services are not counted.
                "services": s.services.len().saturating_sub(2),
                "orders": s.orders.len(),
                "lines": lines,
            }),
        )
    }

    /// The records as JSON text, the scenario file's format.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        serde_json::to_string_pretty(&self.inputs.loaded.file)
            .map_err(|e| setting(py, "scenario", format!("cannot be written as JSON: {e}")))
    }

    /// The records as a dict (what `domopt.load` takes back).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.inputs.loaded.file)
    }

    /// Pickles as its records, model and overrides (validated again when
    /// unpickled), so that a scenario can be sent to another process.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let rebuild = py.import("domopt._domopt")?.getattr("load")?;
        let partial = py.import("functools")?.getattr("partial")?;
        let kwargs = pyo3::types::PyDict::new(py);
        kwargs.set_item("json", self.to_json(py)?)?;
        kwargs.set_item("model", &self.model_spec)?;
        kwargs.set_item("overrides", self.assignments.clone())?;
        let call = partial.call((rebuild,), Some(&kwargs))?;
        PyTuple::new(py, [call.into_any(), PyTuple::empty(py).into_any()])
    }

    fn __repr__(&self) -> String {
        let s = &self.scenario;
        format!(
            "<domopt.Scenario {:?}: {} nodes, {} SKUs, {} orders, model {}>",
            s.name,
            s.nodes.len(),
            s.skus.len(),
            s.orders.len(),
            s.model_name
        )
    }
}
