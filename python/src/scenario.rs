//! Loading and validating a scenario: from a path (a JSON file or a
//! scenario folder) or from a dict's JSON, with Arrow tables (nodes,
//! inventory, orders, lines) appended as a folder's tables would be, and a
//! cost model and the run's overrides, as `domopt validate` and
//! `domopt solve` load one.

use std::path::{Path, PathBuf};

use arrow::pyarrow::{PyArrowType, Table};
use domopt::columnar::{ScenarioTables, scenario_from_tables};
use domopt::format::{LoadedScenario, PolicyOverrides, parse_scenario_json, read_scenario};
use domopt::{CostModel, DomoptError, ValidationReport};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::columnar::batch_of;
use crate::convert::to_python;
use crate::errors::{setting, to_py};

/// The name a scenario given as a dict has in error messages.
pub const DICT_SOURCE: &str = "<dict>";

/// Where a scenario's records come from.
pub enum Origin {
    /// A JSON file or a scenario folder.
    Path(PathBuf),
    /// A scenario's JSON text (a dict, serialised by the Python side).
    Json(String),
}

/// A scenario's records: an origin, and tables appended to it.
pub struct Source {
    origin: Origin,
    tables: Option<ScenarioTables>,
}

/// The tables given to `load` or `validate` (pyarrow Tables).
pub struct TablesArg {
    pub nodes: Option<PyArrowType<Table>>,
    pub inventory: Option<PyArrowType<Table>>,
    pub orders: Option<PyArrowType<Table>>,
    pub lines: Option<PyArrowType<Table>>,
}

impl TablesArg {
    /// The tables as record batches; `None` when none is given.
    fn batches(self) -> Result<Option<ScenarioTables>, DomoptError> {
        let one =
            |t: Option<PyArrowType<Table>>, name: &str| t.map(|t| batch_of(t, name)).transpose();
        let tables = ScenarioTables {
            nodes: one(self.nodes, "nodes")?,
            inventory: one(self.inventory, "inventory")?,
            orders: one(self.orders, "orders")?,
            lines: one(self.lines, "order_lines")?,
        };
        let any = tables.nodes.is_some()
            || tables.inventory.is_some()
            || tables.orders.is_some()
            || tables.lines.is_some();
        Ok(any.then_some(tables))
    }
}

impl Source {
    /// Exactly one of `path` and `json` (E120 otherwise), with the tables.
    pub fn of(
        py: Python<'_>,
        path: Option<PathBuf>,
        json: Option<String>,
        tables: TablesArg,
    ) -> PyResult<Source> {
        let origin = match (path, json) {
            (Some(p), None) => Origin::Path(p),
            (None, Some(j)) => Origin::Json(j),
            _ => {
                return Err(setting(
                    py,
                    "source",
                    "give a path or a dict, not both or neither",
                ));
            }
        };
        let tables = tables.batches().map_err(|e| to_py(py, e))?;
        Ok(Source { origin, tables })
    }

    /// The records as read, unvalidated: the origin's, with the tables'
    /// rows appended as a folder's tables would be.
    pub fn read(&self) -> Result<LoadedScenario, DomoptError> {
        let loaded = match &self.origin {
            Origin::Path(p) => read_scenario(p)?,
            Origin::Json(text) => LoadedScenario {
                file: parse_scenario_json(Path::new(DICT_SOURCE), text)?,
                orphan_lines: Vec::new(),
                source: PathBuf::from(DICT_SOURCE),
            },
        };
        let Some(tables) = &self.tables else {
            return Ok(loaded);
        };
        let mut joined = scenario_from_tables(loaded.file, tables)?;
        joined.orphan_lines.extend(loaded.orphan_lines);
        Ok(joined)
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
#[pyo3(signature = (*, path=None, json=None, model, overrides, nodes=None, inventory=None,
                    orders=None, lines=None))]
#[allow(clippy::too_many_arguments)] // the source, the model, the overrides and four tables
pub fn load(
    py: Python<'_>,
    path: Option<PathBuf>,
    json: Option<String>,
    model: String,
    overrides: Vec<String>,
    nodes: Option<PyArrowType<Table>>,
    inventory: Option<PyArrowType<Table>>,
    orders: Option<PyArrowType<Table>>,
    lines: Option<PyArrowType<Table>>,
) -> PyResult<Scenario> {
    let tables = TablesArg {
        nodes,
        inventory,
        orders,
        lines,
    };
    let source = Source::of(py, path, json, tables)?;
    py.detach(|| load_scenario(&source, &model, overrides))
        .map_err(|e| to_py(py, e))
}

/// Every validation issue, errors and warnings, as records; raises only
/// when the input cannot be read at all (a file, the model, an override).
#[pyfunction]
#[pyo3(signature = (*, path=None, json=None, model, overrides, nodes=None, inventory=None,
                    orders=None, lines=None))]
#[allow(clippy::too_many_arguments)] // the source, the model, the overrides and four tables
pub fn validate(
    py: Python<'_>,
    path: Option<PathBuf>,
    json: Option<String>,
    model: String,
    overrides: Vec<String>,
    nodes: Option<PyArrowType<Table>>,
    inventory: Option<PyArrowType<Table>>,
    orders: Option<PyArrowType<Table>>,
    lines: Option<PyArrowType<Table>>,
) -> PyResult<Bound<'_, PyAny>> {
    let tables = TablesArg {
        nodes,
        inventory,
        orders,
        lines,
    };
    let source = Source::of(py, path, json, tables)?;
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
