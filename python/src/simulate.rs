//! `domopt simulate` from Python: the scenario's orders arriving over a day
//! or a week, cut into waves, several strategies against a clairvoyant run.
//! The options are checked as the CLI checks them (E197, all at once).

use std::path::PathBuf;

use chrono::{Duration, NaiveDateTime, NaiveTime};
use domopt::format::LoadedScenario;
use domopt::simulation::{Forecast, Profile, SimOptions, SimStrategy, WaveRule, simulate as run};
use domopt::{DomoptError, Issue, IssueCode, Settings, Severity, ValidationReport};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::to_python;
use crate::errors::to_py;
use crate::scenario::Scenario;
use crate::tune::parallel_of;

/// The most strategies run at once (`SimOptions::validate`'s limit).
const MAX_PARALLEL: usize = 64;

/// The options of `domopt simulate`, each `None` at its default.
pub struct Args {
    pub strategies: Option<Vec<String>>,
    pub arrivals: Option<PathBuf>,
    pub profile: Option<String>,
    pub start: Option<String>,
    pub seed: i64,
    pub wave_every: Option<i64>,
    pub wave_orders: Option<i64>,
    pub clairvoyant: bool,
    pub clairvoyant_time_limit: Option<f64>,
    pub time_limit: f64,
    pub cancel_rate: f64,
    pub cancel_after: Option<i64>,
    pub return_rate: f64,
    pub return_days: Option<i64>,
    pub return_costs: Option<PathBuf>,
    pub replenish_at: Option<String>,
    pub look_ahead: Option<f64>,
    pub parallel: Option<i64>,
}

/// A simulation setting out of range (E197), named as the library names
/// the ones it checks itself (`--cancel-rate`: the CLI's option).
fn bad(field: &str, message: String) -> Issue {
    Issue {
        code: IssueCode::BadSimulation,
        severity: Severity::Error,
        record: "simulation".into(),
        field: field.into(),
        message,
        action: "see help(domopt.simulate)".into(),
    }
}

/// Minutes as a duration; out-of-range values become a length `validate` refuses.
fn minutes(m: i64) -> Duration {
    Duration::try_minutes(m).unwrap_or(Duration::days(365))
}

impl Args {
    /// The options, every setting out of range reported at once (E197).
    fn options(&self, parallel: usize) -> Result<SimOptions, DomoptError> {
        let settings = Settings {
            time_limit_s: self.time_limit,
            threads: 1,
            ..Settings::default()
        };
        settings.validate().map_err(crate::convert::python_names)?;
        let mut issues = Vec::new();
        let mut o = SimOptions::new(settings);
        if self.arrivals.is_some() && (self.profile.is_some() || self.start.is_some()) {
            issues.push(bad(
                "--arrivals",
                "arrivals are given, or drawn from a profile from a start: not both".into(),
            ));
        }
        if self.wave_every.is_some() && self.wave_orders.is_some() {
            issues.push(bad(
                "--wave-orders",
                "cut waves every wave_every minutes or every wave_orders orders: not both".into(),
            ));
        }
        if let Some(names) = &self.strategies {
            o.strategies = names
                .iter()
                .filter_map(|s| {
                    let parsed = SimStrategy::parse(s.trim());
                    if parsed.is_none() {
                        issues.push(bad(
                            "--strategies",
                            format!("unknown strategy `{}`", s.escape_debug()),
                        ));
                    }
                    parsed
                })
                .collect();
        }
        o.clairvoyant = self.clairvoyant;
        o.clairvoyant_time_limit_s = self
            .clairvoyant_time_limit
            .unwrap_or(o.clairvoyant_time_limit_s);
        if let Some(n) = self.wave_orders {
            // A negative count is refused as a wave of no order.
            o.waves = WaveRule::Count(usize::try_from(n).unwrap_or(0));
        } else if let Some(m) = self.wave_every {
            o.waves = WaveRule::Every(minutes(m));
        }
        o.cancel_rate = self.cancel_rate;
        o.cancel_after = self.cancel_after.map_or(o.cancel_after, minutes);
        o.return_rate = self.return_rate;
        o.return_days = self.return_days.unwrap_or(o.return_days);
        o.replenish_at = self.replenish_at.as_deref().and_then(|t| {
            let parsed = NaiveTime::parse_from_str(t, "%H:%M").ok();
            if parsed.is_none() {
                issues.push(bad(
                    "--replenish-at",
                    format!("`{}` is not HH:MM", t.escape_debug()),
                ));
            }
            parsed
        });
        if let Some(h) = self.look_ahead {
            o.look_ahead = if h.is_finite() && (0.0..=168.0).contains(&h) {
                Duration::seconds((h * 3600.0).round() as i64)
            } else {
                // Out of range: a length `validate` refuses.
                Duration::days(8)
            };
        }
        if let Some(p) = &self.profile
            && Profile::parse(p).is_none()
        {
            issues.push(bad(
                "--profile",
                format!("`{}`: day or week", p.escape_debug()),
            ));
        }
        o.start = self.start.as_deref().and_then(|s| {
            let parsed = domopt::simulation::parse_time(s);
            if parsed.is_none() {
                issues.push(bad(
                    "--start",
                    format!("`{}` is not YYYY-MM-DDTHH:MM", s.escape_debug()),
                ));
            }
            parsed
        });
        match u64::try_from(self.seed) {
            Ok(seed) => o.seed = seed,
            Err(_) => issues.push(bad(
                "--seed",
                format!("{}: must not be negative", self.seed),
            )),
        }
        o.parallel = parallel;
        if let Err(DomoptError::Invalid(r)) = o.validate() {
            issues.extend(r.issues);
        }
        if !issues.is_empty() {
            return Err(DomoptError::Invalid(ValidationReport { issues }));
        }
        o.return_costs = self
            .return_costs
            .as_deref()
            .map(domopt::returns_routing::read_returns)
            .transpose()?;
        Ok(o)
    }

    /// Each order's arrival, the forecast the look-ahead uses, and the
    /// horizon's start when the arrivals are drawn (as `domopt simulate`).
    fn arrivals(
        &self,
        loaded: &LoadedScenario,
        start: Option<NaiveDateTime>,
    ) -> Result<(Vec<NaiveDateTime>, Forecast, Option<NaiveDateTime>), DomoptError> {
        let orders = &loaded.file.orders;
        if let Some(path) = &self.arrivals {
            let times = if path.as_os_str() == "placed_at" {
                domopt::simulation::from_placed_at(orders)?
            } else {
                let ids: Vec<&str> = orders.iter().map(|o| o.id.as_str()).collect();
                domopt::simulation::read_arrivals(path, &ids)?
            };
            let start = times
                .iter()
                .min()
                .map_or_else(Default::default, |t| t.date().and_time(NaiveTime::MIN));
            let end = times.iter().max().copied().unwrap_or(start);
            return Ok((times, Forecast::Flat { start, end }, None));
        }
        let profile = self
            .profile
            .as_deref()
            .and_then(Profile::parse)
            .unwrap_or(Profile::Day);
        let start = match start {
            Some(t) => t,
            // The wave's date at midnight (a date-only wave time is that midnight).
            None => domopt::simulation::parse_time(&loaded.file.wave_time)
                .map(|t| t.date())
                .or_else(|| {
                    chrono::NaiveDate::parse_from_str(loaded.file.wave_time.trim(), "%Y-%m-%d").ok()
                })
                .map(|d| d.and_time(NaiveTime::MIN))
                .ok_or_else(|| {
                    let msg = format!(
                        "the scenario's wave_time `{}` is not a date: give start",
                        loaded.file.wave_time
                    );
                    DomoptError::Invalid(ValidationReport {
                        issues: vec![bad("--start", msg)],
                    })
                })?,
        };
        if chrono::Datelike::year(&start) > 9000 {
            let msg = format!("{start}: the horizon must start before the year 9000");
            return Err(DomoptError::Invalid(ValidationReport {
                issues: vec![bad("--start", msg)],
            }));
        }
        // The seed was checked by `options`.
        let seed = u64::try_from(self.seed).unwrap_or_default();
        let times = domopt::simulation::generate_arrivals(orders.len(), start, profile, seed);
        Ok((times, Forecast::Profile { profile, start }, Some(start)))
    }
}

/// Runs the simulation (the GIL released) and returns the rows of
/// `waves.csv` and `horizon.csv`, the JSON of `domopt simulate --json` and
/// the Markdown report.
pub fn simulate<'py>(
    py: Python<'py>,
    scenario: &Scenario,
    a: &Args,
) -> PyResult<Bound<'py, PyDict>> {
    let parallel = parallel_of(py, a.parallel, MAX_PARALLEL)?;
    let i = &scenario.inputs;
    let sim = py
        .detach(|| {
            let mut options = a.options(parallel)?;
            let (arrivals, forecast, start) = a.arrivals(&i.loaded, options.start)?;
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
    let args = Args {
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
        parallel,
    };
    simulate(py, scenario, &args)
}
