//! Exception handling: a plan re-made after events (a node outage, a
//! capacity drop, a short pick or found stock, a suspended service, a
//! cancelled order). Only the orders the events touch, and the orders that
//! share a stock or capacity row with them that can bind, are solved again,
//! jointly (in one MIP, or from 200 orders on by column generation on the
//! residual wave, [`large`]); every other order keeps its packages. Picked and
//! shipped packages stay as they are; moving a planned package costs the
//! policy's planned-move penalty, a released one the released-move penalty
//! (models/README.md, "Re-plans"). The result is a whole plan for the wave,
//! which the checker verifies like any other, and what changed per order.

pub mod events;
mod commit;
mod diff;
mod large;
mod scope;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use crate::error::{DomoptError, Issue, IssueCode, Severity, ValidationReport};
use crate::input::cost_model::CostModel;
use crate::input::format::{LoadedScenario, PolicyOverrides};
use crate::input::settings::{Settings, Strategy};
use crate::input::validate::build_scenario;
use crate::network::candidates::{self, CandidateSet};
use crate::network::domain::{OrderIdx, Scenario};
use crate::network::lanes::Network;
use crate::solution::assignment::Assignment;
use crate::solution::check::input::Input;
use crate::solution::check::{CheckReport, check_input, fixed_shipments};
use crate::solution::decode;
use crate::solution::plan::{Plan, Replan, Shipment, SolveRecord, Status};
use crate::sourcing::formulation::{self, Steering};

pub use commit::commit;
pub use diff::{Change, OrderChange};
pub use events::{Applied, EventRecord, EventsFile, ShipmentState, Stage};

/// A re-plan: the new plan of the whole wave and what changed.
#[derive(Debug, Clone, Serialize)]
pub struct Reroute {
    /// The new plan (every order of the wave but the cancelled ones).
    #[serde(skip)]
    pub plan: Plan,
    /// Per order solved again or cancelled: what changed and why.
    pub orders: Vec<OrderChange>,
    /// What the re-plan solved and what it cost.
    pub summary: Summary,
    /// The scenario's records with the events applied: what the new plan
    /// is checked against.
    #[serde(skip)]
    pub scenario: LoadedScenario,
    /// The picked packages (order, node), which must not move (shipped ones
    /// left the re-plan).
    #[serde(skip)]
    pub fixed: Vec<(String, String)>,
    /// The shipped packages (indices into the previous plan's shipments),
    /// which left the re-plan.
    #[serde(skip)]
    pub shipped: Vec<usize>,
}

impl Reroute {
    /// The independent checker's report on the new plan, read against the
    /// scenario with the events applied, with a violation (`fixed`) for
    /// each picked or shipped package of `previous` that moved.
    pub fn check(&self, previous: &Plan, model: &CostModel, run: &PolicyOverrides) -> Result<CheckReport, DomoptError> {
        check_against(&self.scenario, model, run, previous, &self.plan, &self.fixed)
    }
}

/// `plan` checked against `after` (the records with the events applied),
/// with a `fixed` violation for each package of `fixed` that moved.
fn check_against(
    after: &LoadedScenario,
    model: &CostModel,
    run: &PolicyOverrides,
    previous: &Plan,
    plan: &Plan,
    fixed: &[(String, String)],
) -> Result<CheckReport, DomoptError> {
    let input = Input::from_wire(after, model, run)?;
    let mut report = check_input(&input, plan);
    report.violations.extend(fixed_shipments(previous, plan, fixed));
    Ok(report)
}

/// The scenario's records with the events applied, and what they did.
fn with_events(loaded: &LoadedScenario, previous: &Plan, events: &EventsFile) -> Result<(LoadedScenario, Applied), DomoptError> {
    let mut file = loaded.file.clone();
    let applied = events::apply(&mut file, previous, events).map_err(DomoptError::Invalid)?;
    let after = LoadedScenario {
        file,
        orphan_lines: loaded.orphan_lines.clone(),
        source: loaded.source.clone(),
    };
    Ok((after, applied))
}

/// The picked packages of `applied`, as (order, node): they may not move.
fn picked(applied: &Applied) -> Vec<(String, String)> {
    applied
        .picked()
        .map(|(order, node)| (order.to_string(), node.to_string()))
        .collect()
}

/// The independent checker's report on `plan`, a re-plan of `previous`
/// after `events`: read against the scenario `loaded` with the events
/// applied, with a violation (`fixed`) for each picked or shipped package
/// of `previous` that moved (as [`Reroute::check`], for a re-plan read back
/// from its folder). Bad events are refused as `reroute` refuses them.
pub fn check_replan(
    loaded: &LoadedScenario,
    model: &CostModel,
    run: &PolicyOverrides,
    previous: &Plan,
    events: &EventsFile,
    plan: &Plan,
) -> Result<CheckReport, DomoptError> {
    let (after, applied) = with_events(loaded, previous, events)?;
    check_against(&after, model, run, previous, plan, &picked(&applied))
}

/// The figures of a re-plan.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Orders the events touched.
    pub touched: usize,
    /// Orders solved again with them because they share a row that can bind.
    pub coupled: usize,
    /// Orders cancelled.
    pub cancelled: usize,
    /// Orders kept as planned without being solved again.
    pub kept: usize,
    /// Packages of the previous plan that moved (dropped from their node
    /// or service) among the orders solved again.
    pub moved_packages: usize,
    /// The penalties of those moves.
    pub stability_cost: f64,
    /// Packages shipped already: they left the re-plan, which plans what is
    /// left to ship.
    pub shipped_packages: usize,
    /// Their cost as the previous plan reported it.
    pub shipped_cost: f64,
    /// The previous plan's cost.
    pub cost_before: f64,
    /// The wave's cost after: the new plan's (what is left to ship) plus
    /// the shipped packages' (without the stability cost).
    pub cost_after: f64,
    /// The re-plan's objective: the new plan's cost plus the stability cost.
    pub objective: f64,
    /// A lower bound on that objective over every re-plan that keeps the
    /// orders not solved again, if the solver proved one.
    pub best_bound: Option<f64>,
    /// The solver's status for the orders solved again.
    pub status: Status,
    /// Seconds, from reading the events to the new plan.
    pub time_s: f64,
}

/// Re-plans `previous` (a plan of the scenario `loaded`) after `events`,
/// with cost model `model`, the run's overrides and settings.
pub fn reroute(
    loaded: &LoadedScenario,
    model: &CostModel,
    run: &PolicyOverrides,
    previous: &Plan,
    events: &EventsFile,
    settings: &Settings,
) -> Result<Reroute, DomoptError> {
    reroute_with(loaded, model, run, previous, events, settings, Mode::Joint)
}

/// How the orders a re-plan solves again are solved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// All together: in one MIP, or by column generation on a free set of
    /// 200 orders or more.
    #[default]
    Joint,
    /// All together by column generation whatever their number (unless a
    /// keep bonus is above its package's cost; then in one MIP).
    Columns,
    /// One at a time, in order id order, each on what the ones before it
    /// left (as a rule cascade re-routes): the baseline a joint re-plan is
    /// measured against.
    OneAtATime,
}

/// [`reroute`], solving the re-planned orders as `mode` says.
pub fn reroute_with(
    loaded: &LoadedScenario,
    model: &CostModel,
    run: &PolicyOverrides,
    previous: &Plan,
    events: &EventsFile,
    settings: &Settings,
    mode: Mode,
) -> Result<Reroute, DomoptError> {
    let start = Instant::now();
    let (after, applied) = with_events(loaded, previous, events)?;
    let (s, _) = build_scenario(&after, model, run).map_err(DomoptError::Invalid)?;
    check_plan_matches(&s, previous)?;
    let net = Network::build(&s);
    let cs = candidates::generate(&s, &net, settings.candidates);
    let old = OldPackages::map(&s, &cs, previous, &applied);
    let scope = scope::Scope::of(&s, &cs, &old, &applied, previous);
    let steering = steer(&s, &cs, &old, &applied, &scope);
    let fixed: Vec<Assignment> = scope
        .kept
        .iter()
        .flat_map(|&o| old.of(o).iter().map(|(_, a)| a.clone()))
        .collect();
    let free: Vec<OrderIdx> = scope.free.iter().copied().collect();
    let (mip, strategy) = match mode {
        Mode::Joint => joint(&s, &cs, &free, &fixed, &steering, settings, large::MIN_ORDERS),
        Mode::Columns => joint(&s, &cs, &free, &fixed, &steering, settings, 0),
        Mode::OneAtATime => (
            one_at_a_time(&s, &cs, &free, &fixed, &steering, settings),
            Strategy::Monolithic,
        ),
    };
    let Some(new) = mip.assignments else {
        return Err(DomoptError::NoPlan(format!(
            "the re-plan of {} orders found no plan: {}",
            free.len(),
            mip.message
        )));
    };
    // The plan's record: the solver proved its status for the re-plan's
    // objective (cost plus stability cost, the kept orders fixed), which the
    // summary reports with its bound; for the plan's own cost over the whole
    // wave nothing is proven, so the plan is a heuristic one.
    let record = SolveRecord {
        constraints: mip.rows,
        message: format!(
            "re-plan of {} orders: {} for the re-plan's objective ({})",
            free.len(),
            mip.status.as_str(),
            mip.message
        ),
        ..SolveRecord::heuristic(strategy, cs.stats.clone())
    };
    let all: Vec<Assignment> = fixed.into_iter().chain(new).collect();
    let mut plan = decode::assemble(&s, &cs, &all, record);
    plan.solve.time_s = start.elapsed().as_secs_f64();
    let orders = diff::changes(previous, &plan, &applied, &scope.reasons, &s);
    let summary = summarize(previous, &plan, &orders, &scope, &applied, (mip.status, mip.best_bound), &steering, start);
    plan.solve.replan = Some(Replan {
        orders: free.len(),
        status: summary.status,
        objective: summary.objective,
        best_bound: summary.best_bound,
    });
    let fixed = picked(&applied);
    Ok(Reroute {
        plan,
        orders,
        summary,
        scenario: after,
        fixed,
        shipped: applied.shipped,
    })
}

/// The free orders solved together: by the steered MIP (`monolithic`), or
/// from `min_orders` on by column generation (`decompose`, see [`large`]).
fn joint(
    s: &Scenario,
    cs: &CandidateSet,
    free: &[OrderIdx],
    fixed: &[Assignment],
    steering: &Steering,
    settings: &Settings,
    min_orders: usize,
) -> (formulation::MipResult, Strategy) {
    let by_columns = (free.len() >= min_orders)
        .then(|| large::solve(s, cs, free, fixed, steering, settings))
        .flatten();
    match by_columns {
        Some(r) => (r, Strategy::Decompose),
        None => (
            formulation::build_steered(s, cs, free, fixed, steering, None)
                .expect("no deadline")
                .solve(settings),
            Strategy::Monolithic,
        ),
    }
}

/// The free orders solved one at a time, in order, each with the packages
/// of the kept orders and of the orders before it fixed. Its status is the
/// weakest of the parts', and it has no bound for the whole re-plan.
fn one_at_a_time(
    s: &Scenario,
    cs: &CandidateSet,
    free: &[OrderIdx],
    fixed: &[Assignment],
    steering: &Steering,
    settings: &Settings,
) -> formulation::MipResult {
    let mut placed = fixed.to_vec();
    let mut new = Vec::new();
    let mut last = None;
    for &o in free {
        let part = formulation::build_steered(s, cs, &[o], &placed, steering, None)
            .expect("no deadline")
            .solve(settings);
        let Some(a) = part.assignments.clone() else {
            return part;
        };
        placed.extend(a.iter().cloned());
        new.extend(a);
        last = Some(part);
    }
    let mut out = last.unwrap_or_else(formulation::MipResult::not_built);
    out.status = Status::Heuristic;
    out.best_bound = None;
    out.assignments = Some(new);
    out.message = format!("{} orders re-planned one at a time", free.len());
    out
}

/// Refuses a plan whose shipments name orders, nodes or services the
/// scenario does not have (a plan of another scenario).
fn check_plan_matches(s: &Scenario, plan: &Plan) -> Result<(), DomoptError> {
    let nodes: BTreeSet<&str> = s.nodes.iter().map(|n| n.id.as_str()).collect();
    let services: BTreeSet<&str> = s.services.iter().map(|v| v.id.as_str()).collect();
    let bad = plan
        .shipments
        .iter()
        .find(|x| !nodes.contains(x.node.as_str()) || !services.contains(x.service.as_str()));
    match bad {
        Some(x) => Err(DomoptError::Invalid(ValidationReport {
            issues: vec![Issue {
                code: IssueCode::UnknownReference,
                severity: Severity::Error,
                record: format!("plan shipment of {}", x.order),
                field: "node".into(),
                message: format!(
                    "the plan is not of this scenario: it ships from `{}` by `{}`",
                    x.node, x.service
                ),
                action: "re-plan a plan made from this scenario".into(),
            }],
        })),
        None => Ok(()),
    }
}

/// The previous plan's packages as candidates of the new candidate set, per
/// order: (shipment index in the plan, assignment); and the shipments that
/// have no candidate any more.
pub(crate) struct OldPackages {
    by_order: FxHashMap<OrderIdx, Vec<(usize, Assignment)>>,
    /// Per order, its packages (shipment indices) that map to no candidate.
    pub unmapped: BTreeMap<OrderIdx, Vec<usize>>,
}

impl OldPackages {
    fn map(s: &Scenario, cs: &CandidateSet, plan: &Plan, applied: &Applied) -> OldPackages {
        let order_of: FxHashMap<&str, OrderIdx> = OrderIdx::all(s.orders.len())
            .map(|o| (s.orders[o].id.as_str(), o))
            .collect();
        let mut shipped = vec![false; plan.shipments.len()];
        for &k in &applied.shipped {
            shipped[k] = true;
        }
        let mut out = OldPackages {
            by_order: FxHashMap::default(),
            unmapped: BTreeMap::new(),
        };
        for (k, sh) in plan.shipments.iter().enumerate() {
            // A cancelled order, or one shipped in full, is gone from the
            // scenario; a shipped package is out of the re-plan.
            let Some(&o) = order_of.get(sh.order.as_str()) else { continue };
            if shipped[k] {
                continue;
            }
            match candidate_of(s, cs, o, sh, applied) {
                Some(a) => out.by_order.entry(o).or_default().push((k, a)),
                None => out.unmapped.entry(o).or_default().push(k),
            }
        }
        out
    }

    /// The packages of order `o`.
    pub fn of(&self, o: OrderIdx) -> &[(usize, Assignment)] {
        self.by_order.get(&o).map_or(&[], Vec::as_slice)
    }
}

/// The candidate of order `o` for a shipment, with its units, if the new
/// candidate set has one that carries them.
fn candidate_of(s: &Scenario, cs: &CandidateSet, o: OrderIdx, sh: &Shipment, applied: &Applied) -> Option<Assignment> {
    let ci = cs.range_of(o).find(|&ci| {
        let c = &cs.candidates[ci];
        s.nodes[c.node].id == sh.node && s.services[c.service].id == sh.service
    })?;
    let c = &cs.candidates[ci];
    let mut units = Vec::with_capacity(sh.items.len());
    for item in &sh.items {
        let index = applied.line(&sh.order, item.line)?;
        let line = c.lines.iter().find(|l| l.line == index)?;
        if line.max_units < item.quantity {
            return None;
        }
        units.push((index, item.quantity));
    }
    Some(Assignment { candidate: ci, units })
}

/// Picked and shipped packages of the free orders stay; their movable
/// packages are worth keeping by their move penalty; suspended services
/// are banned.
fn steer(s: &Scenario, cs: &CandidateSet, old: &OldPackages, applied: &Applied, scope: &scope::Scope) -> Steering {
    let mut st = Steering::default();
    for &o in &scope.free {
        for (_, a) in old.of(o) {
            let c = &cs.candidates[a.candidate];
            let stage = applied.stage(&s.orders[o].id, &s.nodes[c.node].id);
            match stage {
                Stage::Picked | Stage::Shipped => st.forced.push(a.clone()),
                Stage::Planned => {
                    st.keep_bonus.insert(a.candidate, s.policy.planned_move_penalty);
                }
                Stage::Released => {
                    st.keep_bonus.insert(a.candidate, s.policy.released_move_penalty);
                }
            }
        }
        for ci in cs.range_of(o) {
            let c = &cs.candidates[ci];
            let banned = applied.suspended.iter().any(|(node, service)| {
                s.services[c.service].id == *service && node.as_ref().is_none_or(|n| *n == s.nodes[c.node].id)
            });
            if banned {
                st.banned.insert(ci);
            }
        }
    }
    st
}

#[allow(clippy::too_many_arguments)]
fn summarize(
    previous: &Plan,
    plan: &Plan,
    orders: &[OrderChange],
    scope: &scope::Scope,
    applied: &Applied,
    (status, bound): (Status, Option<f64>),
    steering: &Steering,
    start: Instant,
) -> Summary {
    let moved: Vec<&diff::MovedPackage> = orders.iter().flat_map(|o| &o.moved).collect();
    let stability_cost: f64 = moved.iter().map(|m| m.penalty).sum();
    let changed: FxHashSet<&str> = orders.iter().map(|c| c.order.as_str()).collect();
    let kept_cost: f64 = plan
        .orders
        .iter()
        .filter(|o| !changed.contains(o.order.as_str()))
        .map(|o| o.cost)
        .sum();
    let bonus_total: f64 = steering.keep_bonus.values().sum();
    let shipped_cost: f64 = applied.shipped.iter().map(|&k| previous.shipments[k].cost.total).sum();
    Summary {
        touched: scope.touched,
        coupled: scope.coupled,
        cancelled: applied.cancelled.len(),
        kept: scope.kept.len(),
        moved_packages: moved.len(),
        stability_cost,
        shipped_packages: applied.shipped.len(),
        shipped_cost,
        cost_before: previous.kpis.cost.total,
        cost_after: plan.kpis.cost.total + shipped_cost,
        objective: plan.kpis.cost.total + stability_cost,
        // The MIP's objective is the free orders' cost less the bonus of the
        // packages kept: adding every bonus and the kept orders' cost gives
        // a bound on the cost plus the stability cost.
        best_bound: bound.map(|b| b + bonus_total + kept_cost),
        status,
        time_s: start.elapsed().as_secs_f64(),
    }
}
