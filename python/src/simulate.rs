//! `domopt simulate` from Python: the scenario's orders arriving over a day
//! or a week, cut into waves, several strategies against a clairvoyant run.
//! The options are checked as the CLI checks them (E197, all at once).

use std::path::PathBuf;

use domopt::Settings;
use domopt::simulation::{SimOptions, SimRequest, WaveRule, simulate as run};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::to_python;
use crate::errors::to_py;
use crate::scenario::Scenario;
use crate::tune::parallel_of;

/// The most strategies run at once (`SimOptions::validate`'s limit).
const MAX_PARALLEL: usize = 64;

/// Runs the simulation (the GIL released) and returns the rows of
/// `waves.csv` and `horizon.csv`, the JSON of `domopt simulate --json` and
/// the Markdown report.
pub fn simulate<'py>(
    py: Python<'py>,
    scenario: &Scenario,
    request: &SimRequest,
) -> PyResult<Bound<'py, PyDict>> {
    let i = &scenario.inputs;
    let sim = py
        .detach(|| {
            let mut options = request.options().map_err(crate::convert::python_names)?;
            let (arrivals, forecast, start) = request.arrivals(&i.loaded, options.start)?;
            options.start = start;
            run(
                &i.loaded,
                &i.model,
                &i.overrides,
                arrivals,
                forecast,
                &options,
                &|_, _, _| {},
            )
        })
        .map_err(|e| to_py(py, e))?;
    let waves: Vec<_> = sim.runs.iter().flat_map(|r| &r.waves).collect();
    let horizon: Vec<_> = sim.lines().into_iter().map(|(_, k)| k).collect();
    let out = PyDict::new(py);
    out.set_item("waves", to_python(py, &waves)?)?;
    out.set_item("horizon", to_python(py, &horizon)?)?;
    out.set_item("json", to_python(py, &sim.json())?)?;
    out.set_item("markdown", sim.markdown("domopt.simulate (Python)"))?;
    Ok(out)
}

/// The defaults of `domopt simulate`'s options, for the Python signature.
#[pyfunction]
pub fn simulation_defaults(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    let o = SimOptions::new(Settings::default());
    let wave_every = match o.waves {
        WaveRule::Every(d) => Some(d.num_minutes()),
        WaveRule::Count(_) => None,
    };
    to_python(
        py,
        &serde_json::json!({
            "seed": o.seed,
            "wave_every": wave_every,
            "clairvoyant_time_limit": o.clairvoyant_time_limit_s,
            "cancel_after": o.cancel_after.num_minutes(),
            "return_days": o.return_days,
            "look_ahead": o.look_ahead.num_seconds() as f64 / 3600.0,
            "strategies": o.strategies.iter().map(|s| s.name()).collect::<Vec<_>>(),
        }),
    )
}

/// Simulates a peak day or week: rolling waves with carried stock.
#[pyfunction]
#[pyo3(name = "simulate", signature = (scenario, *, strategies=None, arrivals=None, profile=None,
    start=None, seed=1, wave_every=None, wave_orders=None, clairvoyant=true,
    clairvoyant_time_limit=None, time_limit=10.0, cancel_rate=0.0, cancel_after=None,
    return_rate=0.0, return_days=None, return_costs=None, replenish_at=None, look_ahead=None,
    parallel=None))]
#[allow(clippy::too_many_arguments)] // the options of `domopt simulate`, one by one
pub fn simulate_py<'py>(
    py: Python<'py>,
    scenario: &Scenario,
    strategies: Option<Vec<String>>,
    arrivals: Option<PathBuf>,
    profile: Option<String>,
    start: Option<String>,
    seed: i64,
    wave_every: Option<i64>,
    wave_orders: Option<i64>,
    clairvoyant: bool,
    clairvoyant_time_limit: Option<f64>,
    time_limit: f64,
    cancel_rate: f64,
    cancel_after: Option<i64>,
    return_rate: f64,
    return_days: Option<i64>,
    return_costs: Option<PathBuf>,
    replenish_at: Option<String>,
    look_ahead: Option<f64>,
    parallel: Option<i64>,
) -> PyResult<Bound<'py, PyDict>> {
    let request = SimRequest {
        strategies,
        arrivals,
        profile,
        start,
        seed,
        wave_every,
        wave_orders,
        clairvoyant,
        clairvoyant_time_limit,
        time_limit,
        cancel_rate,
        cancel_after,
        return_rate,
        return_days,
        return_costs,
        replenish_at,
        look_ahead,
        parallel: Some(parallel_of(py, parallel, MAX_PARALLEL)?),
    };
    simulate(py, scenario, &request)
}
