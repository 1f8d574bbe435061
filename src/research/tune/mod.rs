//! Cost-model tuning (`domopt tune`): a wave solved at every point of a
//! grid of policy knobs and candidate limits, in parallel, each plan
//! checked; the KPIs of every point; the Pareto frontiers of total cost
//! against the split rate and against the on-time rate; and the answer to
//! a question such as "the cheapest setting with on-time at least 95 %".

pub mod grid;
pub mod pareto;
pub mod target;

use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use crate::error::{DomoptError, IssueCode, ValidationReport};
use crate::input::cost_model::CostModel;
use crate::input::format::{LoadedScenario, PolicyOverrides};
use crate::input::settings::{Settings, Strategy};
use crate::input::validate::build_scenario;
use crate::solution::check;
use crate::solution::plan::{CostBreakdown, Status};
use crate::sourcing;

pub use grid::{Grid, Point, Value};
pub use pareto::{Frontier, frontier};
pub use target::{KPIS, Op, Question, Sense, Target};

/// Points a grid may have without `allow_large`.
pub const MAX_POINTS: usize = 10_000;
/// Points a grid may have at all.
pub const MAX_POINTS_ALLOWED: usize = 1_000_000;

/// How a tune runs.
#[derive(Debug, Clone)]
pub struct TuneOptions {
    /// The strategy every point is solved with.
    pub strategy: Strategy,
    /// The settings of each solve (its `threads` are HiGHS's per solve).
    pub settings: Settings,
    /// Points solved at once.
    pub parallel: usize,
    /// Allow over [`MAX_POINTS`] points (up to [`MAX_POINTS_ALLOWED`]).
    pub allow_large: bool,
}

/// One point's result.
#[derive(Debug, Clone, Serialize)]
pub struct PointResult {
    /// The point's number in the grid.
    pub index: usize,
    /// (knob, value) as written.
    pub knobs: Vec<(String, String)>,
    /// The plan's cost by component (its `total` is the solver's objective,
    /// penalties included; see [`PointResult::cost`]).
    pub cost: CostBreakdown,
    /// Split rate.
    pub split_rate: f64,
    /// Packages per order.
    pub packages_per_order: f64,
    /// On-time rate, if any package has a promise.
    pub on_time: Option<f64>,
    /// Fill rate.
    pub fill: f64,
    /// Relative gap to the bound, if one was proven.
    pub gap: Option<f64>,
    /// The solve's status.
    pub status: Status,
    /// Seconds of the solve.
    pub time_s: f64,
    /// Whether the independent checker accepted the plan.
    pub checked: bool,
}

impl PointResult {
    /// What the plan costs, the knobs' penalties left out: shipping,
    /// handling, store premiums and the unfilled units' penalty (the value
    /// of the sales it leaves). Split, lateness and cross-market penalties
    /// are the knobs' means, not costs: the frontiers weigh this cost
    /// against the split and on-time rates they buy.
    pub fn cost(&self) -> f64 {
        let c = &self.cost;
        c.shipping + c.handling + c.store_premium + c.unfilled
    }

    /// The value of KPI `name` (one of [`KPIS`]).
    pub fn kpi(&self, name: &str) -> Option<f64> {
        let c = &self.cost;
        Some(match name {
            "cost" => self.cost(),
            "objective" => c.total,
            "shipping" => c.shipping,
            "handling" => c.handling,
            "store_premium" => c.store_premium,
            "split" => c.split,
            "lateness" => c.lateness,
            "cross_market" => c.cross_market,
            "unfilled" => c.unfilled,
            "split_rate" => self.split_rate,
            "packages_per_order" => self.packages_per_order,
            "on_time" => return self.on_time,
            "fill" => self.fill,
            "gap" => return self.gap,
            "time" => self.time_s,
            _ => return None,
        })
    }
}

/// The answer to a [`Question`].
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    /// Whether a point meets every target.
    pub met: bool,
    /// The best point that does, or the one closest to doing so.
    pub point: usize,
    /// Its summed relative shortfall against the targets (0 when met).
    pub shortfall: f64,
}

/// A tune's results.
#[derive(Debug, Clone, Serialize)]
pub struct Tune {
    /// The knobs, in the grid's order.
    pub knobs: Vec<String>,
    /// Every point, in grid order.
    pub points: Vec<PointResult>,
    /// Cost (see [`PointResult::cost`]) against the split rate.
    pub split_frontier: Frontier,
    /// Cost against the on-time rate.
    pub on_time_frontier: Frontier,
    /// Seconds for the whole grid.
    pub time_s: f64,
}

/// Solves the wave `loaded` at every point of `grid` (over the run's
/// policy overrides `base`), at most `options.parallel` at a time;
/// `done(k)` hears each finished point. Refuses a grid over
/// [`MAX_POINTS`] points without `allow_large` (E192).
pub fn tune(
    loaded: &LoadedScenario,
    model: &CostModel,
    base: &PolicyOverrides,
    grid: &Grid,
    options: &TuneOptions,
    done: &(dyn Fn(usize) + Sync),
) -> Result<Tune, DomoptError> {
    check_size(grid, options.allow_large)?;
    validate_policies(loaded, model, base, grid)?;
    let start = Instant::now();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.parallel.max(1))
        .build()
        .map_err(|e| DomoptError::NoPlan(format!("could not start the tune's threads: {e}")))?;
    let points: Vec<PointResult> = pool.install(|| {
        (0..grid.points())
            .into_par_iter()
            .map(|k| {
                let r = solve_point(loaded, model, base, &grid.point(k), options);
                done(k);
                r
            })
            .collect::<Result<_, _>>()
    })?;
    let split_frontier = frontier(&points, |p| Some(p.split_rate), Sense::Minimise);
    let on_time_frontier = frontier(&points, |p| p.on_time, Sense::Maximise);
    Ok(Tune {
        knobs: grid.knobs.iter().map(|k| k.name.clone()).collect(),
        points,
        split_frontier,
        on_time_frontier,
        time_s: start.elapsed().as_secs_f64(),
    })
}

/// Validates the records under every distinct policy of the grid (its
/// points without the candidate limit, which does not touch the records)
/// before any point is solved, so that a bad one writes nothing.
fn validate_policies(
    loaded: &LoadedScenario,
    model: &CostModel,
    base: &PolicyOverrides,
    grid: &Grid,
) -> Result<(), DomoptError> {
    let policies = Grid {
        knobs: grid.knobs.iter().filter(|k| k.name != grid::CANDIDATES).cloned().collect(),
    };
    for k in 0..policies.points() {
        build_scenario(loaded, model, &policies.point(k).policy(base)).map_err(DomoptError::Invalid)?;
    }
    Ok(())
}

impl TuneOptions {
    /// Options whose solves each run on one HiGHS thread with a time limit
    /// of `time_limit_s` (E120 when it is out of range).
    pub fn new(strategy: Strategy, time_limit_s: f64, parallel: usize, allow_large: bool) -> Result<Self, DomoptError> {
        let settings = Settings { time_limit_s, threads: 1, ..Settings::default() };
        settings.validate()?;
        Ok(TuneOptions { strategy, settings, parallel, allow_large })
    }
}

/// The grid (`--grid` specifications) and the question (`--target`s and
/// the KPI to minimise or maximise) of a tune, every bad part of either
/// and a grid over the limit reported at once (E190-E193).
pub fn parse_request(
    specs: &[String],
    targets: &[String],
    objective: &str,
    sense: Sense,
    allow_large: bool,
) -> Result<(Grid, Question), DomoptError> {
    let grid = Grid::parse(specs);
    let question = Question::parse(targets, objective, sense);
    let size = grid.as_ref().map(|g| check_size(g, allow_large));
    let mut issues = Vec::new();
    for e in [grid.as_ref().err(), question.as_ref().err(), size.as_ref().ok().and_then(|r| r.as_ref().err())]
        .into_iter()
        .flatten()
    {
        match e {
            DomoptError::Invalid(r) => issues.extend(r.issues.iter().cloned()),
            // Grid and question parsing report issues only; anything else is
            // passed on as it is.
            other => return Err(DomoptError::NoPlan(other.to_string())),
        }
    }
    match (grid, question) {
        (Ok(g), Ok(q)) if issues.is_empty() => Ok((g, q)),
        _ => Err(DomoptError::Invalid(ValidationReport { issues })),
    }
}

/// E192 for a grid over the limit.
pub fn check_size(grid: &Grid, allow_large: bool) -> Result<(), DomoptError> {
    let n = grid.points();
    let limit = if allow_large { MAX_POINTS_ALLOWED } else { MAX_POINTS };
    if n <= limit {
        return Ok(());
    }
    let how = if allow_large {
        format!("at most {MAX_POINTS_ALLOWED} points")
    } else {
        format!("over {MAX_POINTS} points needs --yes")
    };
    let issue = grid::grid_issue(IssueCode::TooManyPoints, "--grid", format!("the grid has {n} points: {how}"));
    Err(DomoptError::Invalid(ValidationReport { issues: vec![issue] }))
}

fn solve_point(
    loaded: &LoadedScenario,
    model: &CostModel,
    base: &PolicyOverrides,
    point: &Point,
    options: &TuneOptions,
) -> Result<PointResult, DomoptError> {
    let (s, _) = build_scenario(loaded, model, &point.policy(base)).map_err(DomoptError::Invalid)?;
    let settings = Settings {
        candidates: point.candidates().unwrap_or(options.settings.candidates),
        ..options.settings.clone()
    };
    let plan = sourcing::run(&s, &settings, options.strategy);
    let checked = check::check(&s, &plan).ok();
    let k = &plan.kpis;
    Ok(PointResult {
        index: point.index,
        knobs: point.values.iter().map(|(n, v)| (n.clone(), v.to_string())).collect(),
        cost: k.cost,
        split_rate: k.split_rate,
        packages_per_order: k.packages_per_order,
        on_time: k.on_time_rate,
        fill: k.fill_rate,
        gap: plan.solve.gap,
        status: plan.solve.status,
        time_s: plan.solve.time_s,
        checked,
    })
}

impl Tune {
    /// The answer to `q`: among the points meeting every target, the best
    /// by the objective (the lowest index on a tie); if none does, the
    /// point with the least summed relative shortfall.
    pub fn answer(&self, q: &Question) -> Option<Answer> {
        let shortfall = |p: &PointResult| q.targets.iter().map(|t| t.shortfall(p.kpi(&t.kpi))).sum::<f64>();
        let better = |a: &PointResult, b: &PointResult| {
            let (x, y) = (a.kpi(&q.objective), b.kpi(&q.objective));
            match (x, y, q.sense) {
                (Some(x), Some(y), Sense::Minimise) => x < y,
                (Some(x), Some(y), Sense::Maximise) => x > y,
                (Some(_), None, _) => true,
                _ => false,
            }
        };
        let mut best: Option<(&PointResult, f64)> = None;
        for p in &self.points {
            let s = shortfall(p);
            let wins = match best {
                None => true,
                Some((b, bs)) if s == 0.0 && bs == 0.0 => better(p, b),
                Some((_, bs)) => s < bs,
            };
            if wins {
                best = Some((p, s));
            }
        }
        best.map(|(p, s)| Answer {
            met: s == 0.0,
            point: p.index,
            shortfall: s,
        })
    }
}

/// The CSV columns after the knobs' and the KPIs' (every KPI but `time`,
/// which follows the status).
const AFTER_KPIS: [&str; 4] = ["status", "time", "checked", "frontier"];

impl Tune {
    /// The points as CSV: one row per point, its knobs, costs by component,
    /// KPIs, status, time, whether the checker accepted its plan, and the
    /// frontiers it is on (`split`, `on_time`).
    pub fn csv(&self) -> Result<Vec<u8>, DomoptError> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let err = |e: csv::Error| DomoptError::NoPlan(format!("writing the points: {e}"));
        let mut header = vec!["point".to_string()];
        header.extend(self.knobs.iter().cloned());
        let kpis = &KPIS[..KPIS.len() - 1];
        header.extend(kpis.iter().chain(&AFTER_KPIS).map(|c| c.to_string()));
        w.write_record(&header).map_err(err)?;
        let opt = |x: Option<f64>| x.map_or(String::new(), |v| format!("{v}"));
        for p in &self.points {
            let mut row = vec![p.index.to_string()];
            row.extend(p.knobs.iter().map(|(_, v)| v.clone()));
            row.extend(kpis.iter().map(|c| opt(p.kpi(c))));
            row.push(p.status.as_str().to_string());
            row.push(format!("{}", p.time_s));
            row.push(p.checked.to_string());
            let mut on = Vec::new();
            if self.split_frontier.points.contains(&p.index) {
                on.push("split");
            }
            if self.on_time_frontier.points.contains(&p.index) {
                on.push("on_time");
            }
            row.push(on.join(" "));
            w.write_record(&row).map_err(err)?;
        }
        w.into_inner().map_err(|e| DomoptError::NoPlan(format!("writing the points: {e}")))
    }

    /// Writes the tune as the folder `dir`, all or nothing: `points.csv`,
    /// `tune.json` (the points, frontiers, and the question and its answer
    /// if one was asked) and the `charts` given (name, bytes; names from
    /// [`crate::solution::plan_dir::TUNE_FILES`]).
    pub fn write_dir(
        &self,
        dir: &std::path::Path,
        answered: Option<(&Question, &Answer)>,
        charts: &[(&str, Vec<u8>)],
    ) -> Result<(), DomoptError> {
        let csv = self.csv()?;
        let json = serde_json::to_vec_pretty(&serde_json::json!({
            "tune": self,
            "question": answered.map(|(q, _)| q),
            "answer": answered.map(|(_, a)| a),
        }))
        .map_err(|e| DomoptError::NoPlan(format!("writing the tune: {e}")))?;
        let mut files: Vec<(&str, &[u8])> = vec![("points.csv", &csv)];
        files.extend(charts.iter().map(|(n, b)| (*n, b.as_slice())));
        files.push(("tune.json", &json));
        crate::solution::plan_dir::write_files(dir, &files)
    }
}
