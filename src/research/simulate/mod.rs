//! Peak simulation (`domopt simulate`): orders arrive over a day or a week,
//! are cut into waves, and each wave is routed by a strategy on the stock
//! and capacity the earlier waves left; inbound receipts and replenishment
//! arrive, cutoffs pass with the clock, a share of orders is cancelled or
//! returned. Strategies run side by side on the same arrivals and events,
//! against a clairvoyant run that solves the whole horizon as one wave.

pub mod arrivals;
mod books;
mod lookahead;
pub mod options;
pub mod report;
pub mod request;
mod returns;
mod run;
pub mod schedule;
mod stock;
mod wave;

use std::collections::HashMap;
use std::time::Instant;

use chrono::{NaiveDateTime, NaiveTime};
use rayon::prelude::*;
use serde::Serialize;

use crate::error::DomoptError;
use crate::input::cost_model::CostModel;
use crate::input::format::{InventoryRecord, LoadedScenario, NodeRecord, PolicyOverrides, ScenarioFile};
use crate::input::settings::{Settings, Strategy};
use crate::input::validate::build_scenario;
use crate::network::domain::Scenario;
use crate::solution::check;
use crate::sourcing;

pub use arrivals::Profile;
pub use lookahead::Forecast;
pub use options::{SimOptions, SimStrategy, WaveRule};
pub use report::{HorizonKpis, WaveRow};
pub use request::SimRequest;
pub use run::StrategyRun;
pub use schedule::Schedule;

/// The clairvoyant run: the horizon's orders that are not cancelled, solved
/// as one wave cut at the horizon's start with all its stock and capacity.
#[derive(Debug, Clone, Serialize)]
pub struct ClairvoyantRun {
    /// Its KPIs.
    pub horizon: HorizonKpis,
    /// A lower bound on its objective, and so on every strategy's.
    pub bound: Option<f64>,
    /// The solve's status.
    pub status: String,
}

/// A simulation's results.
#[derive(Debug, Clone)]
pub struct Simulation {
    /// The scenario's name.
    pub scenario: String,
    /// Orders in the horizon.
    pub orders: usize,
    /// Waves cut.
    pub waves: usize,
    /// Start of the horizon.
    pub start: NaiveDateTime,
    /// The last cut.
    pub end: NaiveDateTime,
    /// One run per strategy, in the order asked.
    pub runs: Vec<StrategyRun>,
    /// The clairvoyant run, if asked.
    pub clairvoyant: Option<ClairvoyantRun>,
    /// Wall seconds.
    pub time_s: f64,
    /// The share of orders returned that was asked for.
    pub return_rate: f64,
}

/// What every wave of a run reads.
pub(crate) struct Ctx<'a> {
    loaded: &'a LoadedScenario,
    model: &'a CostModel,
    overrides: &'a PolicyOverrides,
    schedule: &'a Schedule,
    options: &'a SimOptions,
    forecast: Forecast,
    /// The horizon's scenario, validated (its nodes and SKUs route returns).
    base: Scenario,
    /// Index of each node id.
    node_index: HashMap<String, usize>,
    /// Each (node, service)'s daily pickup cutoff.
    cutoffs: HashMap<(String, String), NaiveTime>,
    /// Hears each wave done.
    progress: &'a (dyn Fn(&str, usize, usize) + Sync),
}

/// Simulates `loaded`'s orders arriving at `arrivals` (one per order, in
/// the scenario's order) with every strategy of `options`, then the
/// clairvoyant run. `progress(name, done, of)` hears each wave a run
/// finishes (`done` of `of`) and the clairvoyant run's end (`1` of `1`).
pub fn simulate(
    loaded: &LoadedScenario,
    model: &CostModel,
    overrides: &PolicyOverrides,
    arrivals: Vec<NaiveDateTime>,
    forecast: Forecast,
    options: &SimOptions,
    progress: &(dyn Fn(&str, usize, usize) + Sync),
) -> Result<Simulation, DomoptError> {
    let started = Instant::now();
    options.validate()?;
    if arrivals.len() != loaded.file.orders.len() {
        return Err(DomoptError::Settings {
            field: "arrivals".into(),
            detail: format!("{} arrivals for {} orders", arrivals.len(), loaded.file.orders.len()),
        });
    }
    let schedule = Schedule::new(arrivals, options)?;
    let base = horizon_scenario(loaded, model, overrides, &schedule)?;
    if let Some(costs) = &options.return_costs {
        // The returns' costs and capacities, checked before any wave.
        let empty = crate::returns::format::ReturnsFile {
            returns: Vec::new(),
            demand: Vec::new(),
            ..costs.clone()
        };
        crate::returns::validate::build_batch(&base, &empty).map_err(DomoptError::Invalid)?;
    }
    if base.explicit.is_some() {
        return Err(DomoptError::Settings {
            field: "scenario".into(),
            detail: "a simulation needs a network of nodes and services, not explicit costs".into(),
        });
    }
    let ctx = Ctx {
        loaded,
        model,
        overrides,
        schedule: &schedule,
        options,
        forecast,
        base,
        node_index: loaded.file.nodes.iter().enumerate().map(|(k, n)| (n.id.clone(), k)).collect(),
        cutoffs: cutoffs(&loaded.file.nodes),
        progress,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.parallel)
        .build()
        .map_err(|e| DomoptError::NoPlan(format!("could not start the simulation's threads: {e}")))?;
    let runs: Vec<StrategyRun> = pool.install(|| {
        options
            .strategies
            .par_iter()
            .map(|&s| run::run(&ctx, s))
            .collect::<Result<_, _>>()
    })?;
    let clairvoyant = if options.clairvoyant {
        let c = clairvoyant(&ctx, &runs)?;
        progress("clairvoyant", 1, 1);
        Some(c)
    } else {
        None
    };
    let mut sim = Simulation {
        scenario: ctx.base.name.clone(),
        orders: loaded.file.orders.len(),
        waves: schedule.waves.len(),
        start: schedule.start,
        end: schedule.end,
        runs,
        clairvoyant,
        time_s: started.elapsed().as_secs_f64(),
        return_rate: options.return_rate,
    };
    let over: Vec<Option<f64>> = sim.runs.iter().map(|r| sim.over_bound(&r.horizon)).collect();
    for (r, o) in sim.runs.iter_mut().zip(over) {
        r.horizon.objective_over_bound = o;
    }
    if let Some(c) = &mut sim.clairvoyant {
        c.horizon.objective_over_bound = c.bound.filter(|b| *b > 0.0).map(|b| c.horizon.objective / b - 1.0);
    }
    Ok(sim)
}

/// The scenario with every order placed at its arrival and the last cut
/// as its wave time, validated: every wave is a part of it, so a problem
/// any wave would meet (an arrival or a cut outside the years a scenario
/// may name, a promise before its placement) is reported before anything
/// is solved.
fn horizon_scenario(
    loaded: &LoadedScenario,
    model: &CostModel,
    overrides: &PolicyOverrides,
    schedule: &Schedule,
) -> Result<Scenario, DomoptError> {
    let file = ScenarioFile {
        wave_time: wave::stamp(schedule.end),
        orders: loaded
            .file
            .orders
            .iter()
            .zip(&schedule.arrivals)
            .map(|(o, &t)| wave::placed(o, t))
            .collect(),
        ..loaded.file.clone()
    };
    let whole = LoadedScenario {
        file,
        orphan_lines: loaded.orphan_lines.clone(),
        source: loaded.source.clone(),
    };
    build_scenario(&whole, model, overrides)
        .map(|(s, _)| s)
        .map_err(DomoptError::Invalid)
}

fn cutoffs(nodes: &[NodeRecord]) -> HashMap<(String, String), NaiveTime> {
    nodes
        .iter()
        .flat_map(|n| {
            n.services.iter().filter_map(|s| {
                let t = NaiveTime::parse_from_str(s.cutoff.as_deref()?, "%H:%M").ok()?;
                Some(((n.id.clone(), s.service.clone()), t))
            })
        })
        .collect()
}

/// Every order that is not cancelled, known from the start and solved as
/// one wave cut at the horizon's start (every ship date is then at least as
/// early as a run's), with the start's stock plus every receipt of the
/// horizon and the most any strategy was replenished or restocked, and the
/// capacity of every day a run can ship on: a relaxation of every
/// strategy's run, so its bound is below each strategy's objective.
fn clairvoyant(ctx: &Ctx, runs: &[StrategyRun]) -> Result<ClairvoyantRun, DomoptError> {
    let started = Instant::now();
    let base = &ctx.loaded.file;
    let schedule = ctx.schedule;
    let orders: Vec<_> = base
        .orders
        .iter()
        .enumerate()
        .filter(|(k, _)| schedule.fates[*k].cancel_at.is_none_or(|t| t > schedule.end))
        .map(|(k, o)| wave::placed(o, schedule.arrivals[k]))
        .collect();
    let cancelled = (base.orders.len() - orders.len()) as u64;
    let days = schedule.days;
    let max = f64::from(crate::input::validate::limits::MAX_UNITS);
    // The runs work on the dates of their waves, each with the scenario's
    // capacity spread over the horizon's days; the clairvoyant wave may
    // ship what all of those dates allow, and at least what any run shipped.
    let wave_days = schedule.waves.iter().map(|w| w.at.date()).collect::<std::collections::BTreeSet<_>>().len();
    let whole = |c: Option<f64>, most: u64| {
        c.map(|c| ((c / days as f64).ceil() * wave_days as f64).max(most as f64).min(max))
    };
    let nodes = base
        .nodes
        .iter()
        .enumerate()
        .map(|(k, n)| {
            let most = |pick: fn(&(u64, u64)) -> u64| {
                runs.iter().filter_map(|r| r.shipped_by_node.get(k)).map(pick).max().unwrap_or(0)
            };
            NodeRecord {
                capacity_orders: whole(n.capacity_orders, most(|u| u.0)),
                capacity_units: whole(n.capacity_units, most(|u| u.1)),
                ..n.clone()
            }
        })
        .collect();
    let file = ScenarioFile {
        wave_time: wave::stamp(schedule.start),
        nodes,
        orders,
        inventory: clairvoyant_stock(base, runs, schedule.end.date()),
        ..base.clone()
    };
    let s = wave::validated(ctx, &file, 0)?;
    let settings = Settings {
        time_limit_s: ctx.options.clairvoyant_time_limit_s,
        ..ctx.options.settings.clone()
    };
    let plan = sourcing::run(&s, &settings, Strategy::Auto);
    let report = check::check(&s, &plan);
    if !report.ok() {
        return Err(DomoptError::NoPlan("the checker refused the clairvoyant plan".into()));
    }
    let exhausted = run::exhausted_skus(&s, &plan);
    let stockouts = plan
        .backorders
        .iter()
        .filter(|b| exhausted.contains(b.sku.as_str()))
        .map(|b| u64::from(b.units))
        .sum();
    Ok(ClairvoyantRun {
        horizon: HorizonKpis::of_plan(&plan, cancelled, stockouts, started.elapsed().as_secs_f64()),
        bound: plan.solve.best_bound,
        status: plan.solve.status.as_str().to_string(),
    })
}

/// The start's stock, the receipts due by `last`, and per record the most
/// units any run added.
fn clairvoyant_stock(base: &ScenarioFile, runs: &[StrategyRun], last: chrono::NaiveDate) -> Vec<InventoryRecord> {
    let mut records: Vec<InventoryRecord> = base.inventory.clone();
    for r in &mut records {
        let due = r
            .inbound_date
            .as_deref()
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .is_some_and(|d| d <= last);
        if due {
            r.on_hand += r.inbound_quantity.unwrap_or(0.0);
        }
        r.inbound_quantity = None;
        r.inbound_date = None;
    }
    let mut most: HashMap<(&str, &str), u64> = HashMap::new();
    for (node, sku, q) in runs.iter().flat_map(|r| &r.added) {
        let e = most.entry((node.as_str(), sku.as_str())).or_default();
        *e = (*e).max(*q);
    }
    let index: HashMap<(String, String), usize> =
        records.iter().enumerate().map(|(k, r)| ((r.node.clone(), r.sku.clone()), k)).collect();
    let mut extra: Vec<((&str, &str), u64)> = most.into_iter().collect();
    extra.sort();
    for ((node, sku), q) in extra {
        match index.get(&(node.to_string(), sku.to_string())) {
            Some(&k) => records[k].on_hand += q as f64,
            None => records.push(InventoryRecord {
                node: node.to_string(),
                sku: sku.to_string(),
                on_hand: q as f64,
                reserved: None,
                safety_stock: None,
                inbound_quantity: None,
                inbound_date: None,
            }),
        }
    }
    for r in &mut records {
        r.on_hand = r.on_hand.min(f64::from(crate::input::validate::limits::MAX_UNITS));
    }
    records
}
