//! The batch optimisation: a min-cost flow written as an LP and solved with
//! HiGHS's simplex through the solver layer, by column generation over the
//! (return, node) options.
//!
//! Column `x[r, o]` is the share of return `r`'s units given option `o` (a
//! node and a disposition); `u[r]` the share not routed. Rows: each return's
//! shares add up to 1; a node's units received are at most its returns
//! capacity; its units inspected at most its inspection capacity; the units
//! restocked into the demand for a SKU at a node at most that demand. In
//! units (`q_r x`) every column lies in its return's row and in a chain of
//! nested node rows (received, and inspected or into demand): two laminar
//! families, so the matrix is totally unimodular and a simplex vertex is
//! whole in units. Scaling a column by `q_r` maps vertices to vertices.
//!
//! Only the best few options of each return start in the LP; the others
//! are priced with the row duals after each solve and the ones that improve
//! the objective are added, until none does: then the LP is optimal over
//! every option.

use std::collections::HashMap;
use std::time::Instant;

use rayon::prelude::*;

use crate::input::settings::Settings;
use crate::network::domain::{NodeIdx, Scenario, SkuIdx};
use crate::solver::{Master, MasterColumn};

use super::ReturnsError;
use super::model::receives;
use super::model::{Disposition, ReturnsBatch};
use super::plan::{Assigned, ReturnsPlan, ReturnsSolve, build_plan};
use super::value::{UnitOption, options_in_zone, zone};

/// Knobs of the optimisation.
#[derive(Debug, Clone, Copy)]
pub struct OptimiseOptions {
    /// Options of each return in the first LP (the best by net value, and
    /// every restock into demand).
    pub initial_per_return: usize,
    /// Most options of one return added per pricing round.
    pub added_per_round: usize,
    /// HiGHS time limit for each LP solve, seconds.
    pub time_limit_s: f64,
}

impl Default for OptimiseOptions {
    fn default() -> Self {
        OptimiseOptions {
            initial_per_return: 4,
            added_per_round: 4,
            time_limit_s: 300.0,
        }
    }
}

/// Pricing rounds before every remaining option is added at once.
const MAX_ROUNDS: usize = 50;
/// A column improves the LP when its reduced cost is below this.
const PRICE_TOLERANCE: f64 = 1e-7;
/// A value within this of a whole number of units is that number.
const INTEGRALITY_TOLERANCE: f64 = 1e-6;

/// The LP's rows: indices of the rows after the returns' own.
struct Rows {
    lower: Vec<f64>,
    upper: Vec<f64>,
    capacity: Vec<Option<usize>>,
    inspection: Vec<Option<usize>>,
    demand: HashMap<(NodeIdx, SkuIdx), usize>,
}

impl Rows {
    fn new(scenario: &Scenario, batch: &ReturnsBatch) -> Rows {
        let n = batch.requests.len();
        let mut rows = Rows {
            lower: vec![1.0; n],
            upper: vec![1.0; n],
            capacity: vec![None; scenario.nodes.len()],
            inspection: vec![None; scenario.nodes.len()],
            demand: HashMap::new(),
        };
        for node in NodeIdx::all(scenario.nodes.len()) {
            if let Some(cap) = batch.returns_capacity[node.index()] {
                rows.capacity[node.index()] = Some(rows.push(cap as f64));
            }
            if let Some(cap) = batch.inspection_capacity[node.index()] {
                rows.inspection[node.index()] = Some(rows.push(cap as f64));
            }
        }
        for (&key, d) in &batch.demand {
            if d.units() > 0 {
                let row = rows.push(d.units() as f64);
                rows.demand.insert(key, row);
            }
        }
        rows
    }

    fn push(&mut self, upper: f64) -> usize {
        self.lower.push(f64::NEG_INFINITY);
        self.upper.push(upper);
        self.lower.len() - 1
    }

    /// The rows of an option of return `r` (`q` units, SKU `sku`).
    fn entries(&self, r: usize, q: f64, sku: SkuIdx, o: &UnitOption) -> Vec<(usize, f64)> {
        let mut e = vec![(r, 1.0)];
        if let Some(row) = self.capacity[o.node.index()] {
            e.push((row, q));
        }
        if o.disposition == Disposition::Inspect
            && let Some(row) = self.inspection[o.node.index()]
        {
            e.push((row, q));
        }
        if o.fills_demand
            && let Some(&row) = self.demand.get(&(o.node, sku))
        {
            e.push((row, q));
        }
        e
    }
}

/// The nodes that receive returns, and the zone from each return's customer
/// to each of them (a byte per pair: the options themselves are valued
/// again when needed rather than kept).
struct Zones {
    nodes: Vec<NodeIdx>,
    zones: Vec<u8>,
}

impl Zones {
    fn new(scenario: &Scenario, batch: &ReturnsBatch) -> Zones {
        let nodes: Vec<NodeIdx> = NodeIdx::all(scenario.nodes.len())
            .filter(|&n| receives(scenario, n))
            .collect();
        let zones = batch
            .requests
            .par_iter()
            .flat_map_iter(|r| nodes.iter().map(|&n| zone(scenario, r, n)))
            .collect();
        Zones { nodes, zones }
    }

    /// Every option of return `r`, best net value first.
    fn options_of(&self, scenario: &Scenario, batch: &ReturnsBatch, r: usize) -> Vec<UnitOption> {
        let req = &batch.requests[r];
        let zones = &self.zones[r * self.nodes.len()..(r + 1) * self.nodes.len()];
        let mut opts: Vec<UnitOption> = self
            .nodes
            .iter()
            .zip(zones)
            .flat_map(|(&n, &z)| {
                let (free, demand) = options_in_zone(scenario, batch, req, n, z);
                free.into_iter().chain(demand)
            })
            .collect();
        opts.sort_by(|a, b| b.net().total_cmp(&a.net()).then(a.node.cmp(&b.node)));
        opts
    }
}

/// An option's identity within its return: a node has at most one option
/// that takes no demand and one that does.
fn key(o: &UnitOption) -> (NodeIdx, bool) {
    (o.node, o.fills_demand)
}

/// The first LP's options of each return (its best `initial_per_return`
/// and every restock into demand), and the penalty per unit left unrouted:
/// more than any one unit's net value can swing, so a unit is left
/// unrouted only when capacity forces it.
fn first_options(
    scenario: &Scenario,
    batch: &ReturnsBatch,
    zones: &Zones,
    opts: &OptimiseOptions,
) -> (Vec<Vec<UnitOption>>, f64) {
    let per_return: Vec<(Vec<UnitOption>, f64)> = (0..batch.requests.len())
        .into_par_iter()
        .map(|r| {
            let all = zones.options_of(scenario, batch, r);
            let worst = all.iter().map(|o| o.net().abs()).fold(0.0, f64::max);
            let first = all
                .into_iter()
                .enumerate()
                .filter(|(k, o)| *k < opts.initial_per_return || o.fills_demand)
                .map(|(_, o)| o)
                .collect();
            (first, worst)
        })
        .collect();
    let worst = per_return.iter().map(|p| p.1).fold(0.0, f64::max);
    (
        per_return.into_iter().map(|p| p.0).collect(),
        1.0 + 2.0 * worst,
    )
}

/// Routes a batch of returns: the plan of greatest net value within the
/// capacities (every unit routed unless capacity runs out).
pub fn optimise(
    scenario: &Scenario,
    batch: &ReturnsBatch,
    opts: &OptimiseOptions,
) -> Result<ReturnsPlan, ReturnsError> {
    let started = Instant::now();
    if batch.requests.is_empty() {
        let solve = ReturnsSolve {
            method: "min_cost_flow".into(),
            ..ReturnsSolve::default()
        };
        return Ok(build_plan(scenario, batch, Vec::new(), solve));
    }
    let zones = Zones::new(scenario, batch);
    let (first, penalty) = first_options(scenario, batch, &zones, opts);
    let rows = Rows::new(scenario, batch);
    let solver = |e: crate::solver::SolverError| ReturnsError::Solver(e.to_string());
    let mut master = Master::new(&rows.lower, &rows.upper, &Settings::default()).map_err(solver)?;
    // Column k of the LP: (return, its option, or None for not routed).
    let mut columns: Vec<(usize, Option<UnitOption>)> = Vec::new();
    let mut in_lp: Vec<Vec<(NodeIdx, bool)>> =
        first.iter().map(|o| o.iter().map(key).collect()).collect();
    let mut cols = Vec::new();
    for (r, opts_r) in first.iter().enumerate() {
        let q = f64::from(batch.requests[r].quantity);
        cols.push(MasterColumn {
            cost: penalty * q,
            entries: vec![(r, 1.0)],
        });
        columns.push((r, None));
        for o in opts_r {
            cols.push(column(&rows, batch, r, o));
            columns.push((r, Some(*o)));
        }
    }
    master.add_columns(&cols).map_err(solver)?;
    let mut rounds = 0;
    let lp = loop {
        rounds += 1;
        let lp = master.solve_lp(opts.time_limit_s).map_err(solver)?;
        let pricing = Pricing {
            zones: &zones,
            scenario,
            batch,
            rows: &rows,
            duals: &lp.row_duals,
            take: opts.added_per_round,
            everything: rounds >= MAX_ROUNDS,
        };
        let new = pricing.run(&mut in_lp);
        if new.is_empty() {
            break lp;
        }
        let cols: Vec<MasterColumn> = new
            .iter()
            .map(|(r, o)| column(&rows, batch, *r, o))
            .collect();
        columns.extend(new.into_iter().map(|(r, o)| (r, Some(o))));
        master.add_columns(&cols).map_err(solver)?;
    };
    let assigned = decode(batch, &columns, &lp.columns)?;
    let solve = ReturnsSolve {
        method: "min_cost_flow".into(),
        seconds: started.elapsed().as_secs_f64(),
        columns: master.columns(),
        rows: master.rows(),
        rounds,
        not_routed_penalty: penalty,
    };
    Ok(build_plan(scenario, batch, assigned, solve))
}

fn column(rows: &Rows, batch: &ReturnsBatch, r: usize, o: &UnitOption) -> MasterColumn {
    let req = &batch.requests[r];
    let q = f64::from(req.quantity);
    MasterColumn {
        cost: -o.net() * q,
        entries: rows.entries(r, q, req.sku, o),
    }
}

/// One pricing round over the options not in the LP.
struct Pricing<'a> {
    zones: &'a Zones,
    scenario: &'a Scenario,
    batch: &'a ReturnsBatch,
    rows: &'a Rows,
    duals: &'a [f64],
    /// Most options added per return.
    take: usize,
    /// Add every option left, improving or not (the last round).
    everything: bool,
}

impl Pricing<'_> {
    /// The options whose reduced cost is negative under the row duals
    /// (HiGHS: reduced cost = cost - sum of entry times row dual), the
    /// `take` best per return; every option left when `everything`. They
    /// are marked as in the LP.
    fn run(&self, in_lp: &mut [Vec<(NodeIdx, bool)>]) -> Vec<(usize, UnitOption)> {
        let found: Vec<Vec<UnitOption>> = (0..in_lp.len())
            .into_par_iter()
            .map(|r| self.of_return(r, &in_lp[r]))
            .collect();
        let mut out = Vec::new();
        for (r, opts) in found.into_iter().enumerate() {
            in_lp[r].extend(opts.iter().map(key));
            out.extend(opts.into_iter().map(|o| (r, o)));
        }
        out
    }

    fn of_return(&self, r: usize, in_lp: &[(NodeIdx, bool)]) -> Vec<UnitOption> {
        let mut found: Vec<(f64, UnitOption)> = self
            .zones
            .options_of(self.scenario, self.batch, r)
            .into_iter()
            .filter(|o| !in_lp.contains(&key(o)))
            .filter_map(|o| {
                let col = column(self.rows, self.batch, r, &o);
                let dual: f64 = col.entries.iter().map(|&(i, a)| a * self.duals[i]).sum();
                let reduced = col.cost - dual;
                let improves = reduced < -PRICE_TOLERANCE * (1.0 + col.cost.abs());
                (self.everything || improves).then_some((reduced, o))
            })
            .collect();
        found.sort_by(|a, b| a.0.total_cmp(&b.0));
        let take = if self.everything {
            found.len()
        } else {
            self.take
        };
        found.into_iter().take(take).map(|(_, o)| o).collect()
    }
}

/// Units per column from the LP's shares; refuses a flow that is not whole.
fn decode(
    batch: &ReturnsBatch,
    columns: &[(usize, Option<UnitOption>)],
    values: &[f64],
) -> Result<Vec<Assigned>, ReturnsError> {
    let mut out = Vec::new();
    let mut per_return = vec![0u64; batch.requests.len()];
    for (&(r, option), &v) in columns.iter().zip(values) {
        let q = f64::from(batch.requests[r].quantity);
        let units = v * q;
        let whole = units.round();
        if (units - whole).abs() > INTEGRALITY_TOLERANCE * q.max(1.0) {
            return Err(ReturnsError::Solver(format!(
                "the LP gave return {} {units} units of one option, not a whole number",
                batch.requests[r].id
            )));
        }
        if whole >= 1.0 {
            per_return[r] += whole as u64;
            out.push(Assigned {
                request: r,
                option,
                units: whole as u32,
            });
        }
    }
    for (r, &units) in per_return.iter().enumerate() {
        if units != u64::from(batch.requests[r].quantity) {
            return Err(ReturnsError::Solver(format!(
                "the LP routed {units} of the {} units of return {}",
                batch.requests[r].quantity, batch.requests[r].id
            )));
        }
    }
    Ok(out)
}
