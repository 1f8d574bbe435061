//! Solving a wave, the plan it returns, and the independent check.

use std::path::PathBuf;

use domopt::columnar::plan_tables;
use domopt::format::TableFormat;
use domopt::plan::Status;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::columnar::to_pyarrow;
use crate::convert::{SolveOptions, strategy as parse_strategy, to_python};
use crate::errors::{setting, to_py};
use crate::ledger::{LedgerArgs, LedgerFacts, solve_on_ledger};
use crate::scenario::Scenario;

/// A wave's plan: shipments, backorders, per-order summaries, KPIs and the
/// solve record.
#[pyclass(frozen, module = "domopt._domopt")]
pub struct Plan {
    pub plan: domopt::Plan,
    /// What the solve read from and wrote to a ledger, if it used one.
    pub ledger: Option<LedgerFacts>,
}

impl Plan {
    fn new(plan: domopt::Plan) -> Plan {
        Plan { plan, ledger: None }
    }
}

/// Routes the wave (the GIL released while solving): on the scenario's
/// inventory, or with `ledger` on the reservation ledger's stock,
/// committed to it with `commit`.
#[pyfunction]
#[pyo3(signature = (scenario, strategy="auto", *, time_limit=None, mip_rel_gap=None,
                    threads=None, seed=None, candidates="exact", solver_log=false,
                    ledger=None, commit=false, retries=None, at=None, store_timeout=None))]
#[allow(clippy::too_many_arguments)] // the options of `domopt solve`, one by one
pub fn solve(
    py: Python<'_>,
    scenario: &Scenario,
    strategy: &str,
    time_limit: Option<f64>,
    mip_rel_gap: Option<f64>,
    threads: Option<i64>,
    seed: Option<i64>,
    candidates: &str,
    solver_log: bool,
    ledger: Option<String>,
    commit: bool,
    retries: Option<i64>,
    at: Option<String>,
    store_timeout: Option<f64>,
) -> PyResult<Plan> {
    let ledger = LedgerArgs {
        url: ledger,
        commit,
        retries,
        at,
        store_timeout,
    };
    // Options given without the one they go with are refused first, as
    // the CLI's argument parser does.
    let on_ledger = ledger.wanted(py)?;
    let strategy = parse_strategy(py, strategy)?;
    let settings = SolveOptions {
        time_limit,
        mip_rel_gap,
        threads,
        seed,
        candidates,
        solver_log,
    }
    .settings(py)?;
    if on_ledger {
        let (plan, facts) = solve_on_ledger(py, scenario, &settings, strategy, &ledger)?;
        return Ok(Plan {
            plan,
            ledger: Some(facts),
        });
    }
    let s = &scenario.scenario;
    let plan = py.detach(|| domopt::solve(s, &settings, strategy));
    if matches!(plan.solve.status, Status::Infeasible) {
        let e = domopt::DomoptError::NoPlan(plan.solve.message.clone());
        return Err(to_py(py, e));
    }
    Ok(Plan::new(plan))
}

/// The checker's report on `plan` against `scenario`: every number of the
/// plan recomputed from the scenario alone.
#[pyfunction]
pub fn check<'py>(
    py: Python<'py>,
    scenario: &Scenario,
    plan: &Plan,
) -> PyResult<Bound<'py, PyAny>> {
    let report = py.detach(|| domopt::check(&scenario.scenario, &plan.plan));
    let out = serde_json::json!({
        "ok": report.ok(),
        "violations": report.violations,
        "recomputed": report.recomputed,
        "shipments": report.shipments,
    });
    to_python(py, &out)
}

/// Reads a plan from `plan.json` or the folder `solve --out` wrote.
#[pyfunction]
pub fn read_plan(py: Python<'_>, path: PathBuf) -> PyResult<Plan> {
    py.detach(|| domopt::Plan::read(&path))
        .map(Plan::new)
        .map_err(|e| to_py(py, e))
}

/// A plan from its JSON text (what `Plan.to_json` returns).
#[pyfunction]
pub fn plan_from_json(py: Python<'_>, text: &str) -> PyResult<Plan> {
    serde_json::from_str(text)
        .map(Plan::new)
        .map_err(|e| to_py(py, domopt::DomoptError::parse("<plan JSON>", e.to_string())))
}

#[pymethods]
impl Plan {
    /// The plan as JSON, exactly as `domopt solve --json` prints it.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        let bytes = self.plan.json_bytes().map_err(|e| to_py(py, e))?;
        // serde_json writes UTF-8.
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Writes the plan folder (plan.json and the tables, `csv` or
    /// `parquet`) all at once, as `domopt solve --out` does; the folder must
    /// be new, empty or one that holds a plan.
    #[pyo3(signature = (dir, tables="csv"))]
    fn write(&self, py: Python<'_>, dir: PathBuf, tables: &str) -> PyResult<()> {
        let format: TableFormat = tables
            .parse()
            .map_err(|e: String| setting(py, "tables", e))?;
        py.detach(|| {
            domopt::plan::check_out_dir(&dir)?;
            self.plan.write_dir_as(&dir, format)
        })
        .map_err(|e| to_py(py, e))
    }

    /// The tables (shipments, backorders, orders, kpis) as pyarrow
    /// RecordBatches, with the columns of the plan folder's tables.
    fn tables<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let t = py
            .detach(|| plan_tables(&self.plan))
            .map_err(|e| to_py(py, e))?;
        let batches = [&t.shipments, &t.backorders, &t.orders, &t.kpis]
            .into_iter()
            .map(|b| to_pyarrow(py, b))
            .collect::<PyResult<Vec<_>>>()?;
        PyTuple::new(py, batches)
    }

    /// The solve's status: optimal, time_limit, gap_limit, feasible, fallback, ...
    #[getter]
    fn status(&self) -> &'static str {
        self.plan.solve.status.as_str()
    }

    /// The strategy that made the plan.
    #[getter]
    fn strategy(&self) -> &'static str {
        self.plan.solve.strategy.name()
    }

    /// The plan's cost (the objective, penalties included).
    #[getter]
    fn objective(&self) -> f64 {
        self.plan.kpis.cost.total
    }

    /// A lower bound valid for the whole wave, if one was proven.
    #[getter]
    fn best_bound(&self) -> Option<f64> {
        self.plan.solve.best_bound
    }

    /// (cost - bound) / |cost|, if a bound was proven.
    #[getter]
    fn gap(&self) -> Option<f64> {
        self.plan.solve.gap
    }

    /// Wall seconds of the solve.
    #[getter]
    fn time_s(&self) -> f64 {
        self.plan.solve.time_s
    }

    /// The solve record's message (solver message, fallback reason).
    #[getter]
    fn message(&self) -> &str {
        &self.plan.solve.message
    }

    /// The scenario's name.
    #[getter]
    fn scenario(&self) -> &str {
        &self.plan.scenario
    }

    /// What the solve read from and wrote to the ledger (`read_at`,
    /// `attempts`, `commit_version`, the ids `reserved`, `assigned` and
    /// `released`, and the ledger's `url`), or `None` without a ledger.
    #[getter]
    fn ledger<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.ledger.as_ref().map(|f| to_python(py, f)).transpose()
    }

    /// Packages (shipments) in the plan.
    #[getter]
    fn packages(&self) -> usize {
        self.plan.shipments.len()
    }

    /// Pickles as its JSON.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let rebuild = py.import("domopt._domopt")?.getattr("plan_from_json")?;
        let args = PyTuple::new(py, [self.to_json(py)?])?;
        PyTuple::new(py, [rebuild.into_any(), args.into_any()])
    }

    fn __repr__(&self) -> String {
        let p = &self.plan;
        format!(
            "<domopt.Plan {:?}: {} by {}, {} packages, cost {:.2}>",
            p.scenario,
            p.solve.status.as_str(),
            p.solve.strategy.name(),
            p.shipments.len(),
            p.kpis.cost.total
        )
    }
}
