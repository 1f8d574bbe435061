//! `domopt tune` and `domopt generate` from Python: a wave solved at every
//! point of a grid of policy knobs (or at some of its points, for a caller
//! that spreads a grid over several processes), and the research presets.

use std::path::PathBuf;

use domopt::format::{TableFormat, convert_folder_tables};
use domopt::tuning::{
    Grid, Knob, PointResult, Sense, Tune, TuneOptions, Value, frontier, parse_request,
    tune as tune_grid,
};
use domopt::{DomoptError, Settings, ValidationReport};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use rayon::prelude::*;

use crate::convert::{candidates_name, strategy as parse_strategy, to_python};
use crate::errors::{setting, to_py};
use crate::scenario::Scenario;

/// The most points solved at once, as `domopt tune --parallel` allows.
const MAX_PARALLEL: usize = 256;

/// The grid of one point of `grid`: each knob with that point's value.
fn one_point(grid: &Grid, index: usize) -> Grid {
    let point = grid.point(index);
    Grid {
        knobs: point
            .values
            .into_iter()
            .map(|(name, value)| Knob {
                name,
                values: vec![value],
            })
            .collect(),
    }
}

/// Solves the points `indices` of `grid` only, each under its own number,
/// `options.parallel` at a time; the frontiers are those of these points.
fn tune_points(
    scenario: &Scenario,
    grid: &Grid,
    indices: &[usize],
    options: &TuneOptions,
) -> Result<Tune, DomoptError> {
    let start = std::time::Instant::now();
    let i = &scenario.inputs;
    let one = TuneOptions {
        parallel: 1,
        ..options.clone()
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.parallel)
        .build()
        .map_err(|e| DomoptError::NoPlan(format!("could not start the tune's threads: {e}")))?;
    let points: Vec<PointResult> = pool
        .install(|| {
            indices
                .par_iter()
                .map(|&k| {
                    let t = tune_grid(
                        &i.loaded,
                        &i.model,
                        &i.overrides,
                        &one_point(grid, k),
                        &one,
                        &|_| {},
                    )?;
                    Ok(t.points
                        .into_iter()
                        .map(|p| PointResult { index: k, ..p })
                        .collect::<Vec<_>>())
                })
                .collect::<Result<Vec<_>, DomoptError>>()
        })?
        .into_iter()
        .flatten()
        .collect();
    Ok(Tune {
        knobs: grid.knobs.iter().map(|k| k.name.clone()).collect(),
        split_frontier: frontier(&points, |p| Some(p.split_rate), Sense::Minimise),
        on_time_frontier: frontier(&points, |p| p.on_time, Sense::Maximise),
        points,
        time_s: start.elapsed().as_secs_f64(),
    })
}

/// A knob's value as Python takes it: a number or a word.
fn value<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Number(x) => x.into_pyobject(py)?.into_any(),
        Value::Word(w) => w.into_pyobject(py)?.into_any(),
        Value::Candidates(c) => candidates_name(*c).into_pyobject(py)?.into_any(),
    })
}

/// The points as rows with the columns of `points.csv` (point, the knobs,
/// the KPIs but time, status, time, checked, frontier), each knob's value
/// typed as parsed (a number stays a number).
fn rows<'py>(py: Python<'py>, grid: &Grid, t: &Tune) -> PyResult<Vec<Bound<'py, PyDict>>> {
    let kpis = &domopt::tuning::KPIS[..domopt::tuning::KPIS.len() - 1];
    let mut out = Vec::with_capacity(t.points.len());
    for p in &t.points {
        let row = PyDict::new(py);
        row.set_item("point", p.index)?;
        for (name, v) in grid.point(p.index).values {
            row.set_item(name, value(py, &v)?)?;
        }
        for k in kpis {
            row.set_item(*k, p.kpi(k))?;
        }
        row.set_item("status", p.status.as_str())?;
        row.set_item("time", p.time_s)?;
        row.set_item("checked", p.checked)?;
        let mut on = Vec::new();
        if t.split_frontier.points.contains(&p.index) {
            on.push("split");
        }
        if t.on_time_frontier.points.contains(&p.index) {
            on.push("on_time");
        }
        row.set_item("frontier", on.join(" "))?;
        out.push(row);
    }
    Ok(out)
}

/// Solves the wave at every point of the grid (or at `points` only) and
/// answers the question; the GIL is released while solving. Returns the
/// rows of `points.csv` and the JSON of `domopt tune --json`.
#[pyfunction]
#[pyo3(signature = (scenario, grid, *, strategy="auto", time_limit=None, parallel=None,
                    targets=Vec::new(), minimise=None, maximise=None, allow_large=false,
                    points=None))]
#[allow(clippy::too_many_arguments)] // the options of `domopt tune`, one by one
pub fn tune<'py>(
    py: Python<'py>,
    scenario: &Scenario,
    grid: Vec<String>,
    strategy: &str,
    time_limit: Option<f64>,
    parallel: Option<i64>,
    targets: Vec<String>,
    minimise: Option<String>,
    maximise: Option<String>,
    allow_large: bool,
    points: Option<Vec<i64>>,
) -> PyResult<Bound<'py, PyDict>> {
    let (objective, sense) = match (&minimise, &maximise) {
        (Some(_), Some(_)) => {
            return Err(setting(
                py,
                "maximise",
                "give minimise or maximise, not both",
            ));
        }
        (_, Some(k)) => (k.as_str(), Sense::Maximise),
        (Some(k), None) => (k.as_str(), Sense::Minimise),
        (None, None) => ("cost", Sense::Minimise),
    };
    let (grid, question) =
        parse_request(&grid, &targets, objective, sense, allow_large).map_err(|e| to_py(py, e))?;
    let strategy = parse_strategy(py, strategy)?;
    let time_limit = time_limit.unwrap_or(Settings::default().time_limit_s);
    let parallel = parallel_of(py, parallel, MAX_PARALLEL)?;
    let options = TuneOptions::new(strategy, time_limit, parallel, allow_large)
        .map_err(|e| to_py(py, crate::convert::python_names(e)))?;
    let indices = indices_of(py, points, grid.points())?;
    let t = py
        .detach(|| match &indices {
            None => {
                let i = &scenario.inputs;
                tune_grid(&i.loaded, &i.model, &i.overrides, &grid, &options, &|_| {})
            }
            Some(k) => tune_points(scenario, &grid, k, &options),
        })
        .map_err(|e| to_py(py, e))?;
    let answer = t.answer(&question);
    let out = PyDict::new(py);
    out.set_item("points", rows(py, &grid, &t)?)?;
    let json = serde_json::json!({ "tune": t, "question": question, "answer": answer });
    out.set_item("json", to_python(py, &json)?)?;
    Ok(out)
}

/// `parallel` checked (1 to `max`; default the machine's cores).
pub fn parallel_of(py: Python<'_>, parallel: Option<i64>, max: usize) -> PyResult<usize> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    match parallel {
        None => Ok(cores.min(max)),
        Some(n) => usize::try_from(n)
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| setting(py, "parallel", format!("{n}: must be between 1 and {max}"))),
    }
}

/// The point numbers asked for, each below the grid's size and given once (E191).
fn indices_of(
    py: Python<'_>,
    points: Option<Vec<i64>>,
    size: usize,
) -> PyResult<Option<Vec<usize>>> {
    let Some(points) = points else {
        return Ok(None);
    };
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(points.len());
    for p in points {
        let k = usize::try_from(p).ok().filter(|k| *k < size);
        let Some(k) = k.filter(|k| seen.insert(*k)) else {
            let issue = domopt::Issue {
                code: domopt::IssueCode::BadGrid,
                severity: domopt::Severity::Error,
                record: "tune".into(),
                field: "points".into(),
                message: format!(
                    "point {p} is not a point of the grid (0 to {}) or is given twice",
                    size.saturating_sub(1)
                ),
                action: "give each point number once, below the grid's size".into(),
            };
            return Err(crate::errors::validation(
                py,
                &ValidationReport {
                    issues: vec![issue],
                },
            ));
        };
        out.push(k);
    }
    Ok(Some(out))
}

/// Writes a research instance as a scenario folder (the GIL released) and
/// returns what it wrote, as `domopt generate` does.
#[pyfunction]
#[pyo3(signature = (preset, *, out, seed=1, overrides=Vec::new(), tables="csv"))]
pub fn generate<'py>(
    py: Python<'py>,
    preset: &str,
    out: PathBuf,
    seed: i64,
    overrides: Vec<String>,
    tables: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let format: TableFormat = tables
        .parse()
        .map_err(|e: String| setting(py, "tables", e))?;
    use domopt::generate::{GenConfig, PRESETS};
    let seed = u64::try_from(seed)
        .map_err(|_| setting(py, "seed", format!("{seed}: must not be negative")))?;
    let Some(base) = GenConfig::preset(preset) else {
        let names: Vec<_> = PRESETS.iter().map(|p| p.0).collect();
        let detail = format!(
            "unknown preset `{}`: use one of {}",
            preset.escape_debug(),
            names.join(", ")
        );
        return Err(setting(py, "preset", detail));
    };
    let cfg = base.with_overrides(&overrides).map_err(|e| to_py(py, e))?;
    let name = format!("{preset}-seed{seed}");
    let summary = py
        .detach(|| {
            let summary = domopt::generate::generate(&cfg, seed, &name, &out)?;
            if format != TableFormat::Csv {
                convert_folder_tables(&out, format)?;
            }
            Ok(summary)
        })
        .map_err(|e| to_py(py, e))?;
    to_python(py, &summary)
}
