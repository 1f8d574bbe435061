//! "Force node X" and "forbid node X": the neighbourhood re-solved with the
//! explained order made to ship from X (at least one package with units)
//! or kept away from it, against the same neighbourhood re-solved without
//! the constraint, so that the difference is the what-if's own.

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::input::settings::Settings;
use crate::network::candidates::CandidateSet;
use crate::network::domain::{NodeIdx, OrderIdx, Scenario};
use crate::solution::assignment::Assignment;
use crate::solution::decode::order_cost;
use crate::solution::plan::Status;
use crate::sourcing::formulation::{self, MipResult, Steering};

use super::neighbourhood::Neighbourhood;
use super::packages::PlanPackages;
use super::{Package, package_of};

/// Costs closer than this are the same (rounding of cents over many orders).
const SAME_COST: f64 = 1e-6;

/// What a what-if asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WhatIfKind {
    /// The order ships at least one package from the node.
    Force,
    /// The order ships nothing from the node.
    Forbid,
}

impl WhatIfKind {
    /// The word for it.
    pub fn as_str(self) -> &'static str {
        match self {
            WhatIfKind::Force => "force",
            WhatIfKind::Forbid => "forbid",
        }
    }
}

/// A what-if's answer.
#[derive(Debug, Clone, Serialize)]
pub struct WhatIf {
    /// Force or forbid.
    pub kind: WhatIfKind,
    /// The node.
    pub node: String,
    /// The solver's status for the constrained neighbourhood.
    pub status: Status,
    /// The neighbourhood's cost under the what-if, if a plan was found.
    pub cost: Option<f64>,
    /// `cost` less the neighbourhood's cost re-solved without the what-if.
    pub difference: Option<f64>,
    /// The explained order's cost under the what-if.
    pub order_cost: Option<f64>,
    /// The explained order's packages under the what-if.
    pub packages: Vec<Package>,
    /// Other orders whose packages differ from the re-solve without the
    /// what-if: the orders it displaces.
    pub moved: Vec<String>,
    /// Why there is no plan, or the solver's words.
    pub message: String,
}

/// The neighbourhood re-solved without a what-if: what each what-if is
/// measured against.
#[derive(Debug, Clone, Serialize)]
pub struct Baseline {
    /// The solver's status (of the better of its plan and the given plan).
    pub status: Status,
    /// The neighbourhood's cost in the given plan.
    pub plan_cost: f64,
    /// The neighbourhood's cost re-solved: at most `plan_cost`.
    pub cost: f64,
    /// Whether the re-solve found a cheaper plan than the given one.
    pub improved: bool,
    /// The re-solve's packages, by order.
    #[serde(skip)]
    pub(crate) by_order: FxHashMap<OrderIdx, Vec<Assignment>>,
}

/// Re-solves the neighbourhood as it stands.
pub(crate) fn baseline(
    s: &Scenario,
    cs: &CandidateSet,
    plan: &PlanPackages,
    hood: &Neighbourhood,
    settings: &Settings,
) -> Baseline {
    let given: FxHashMap<OrderIdx, Vec<Assignment>> =
        hood.free.iter().map(|&o| (o, plan.of(o).to_vec())).collect();
    let plan_cost = cost_of(s, cs, &hood.free, &given);
    let mip = solve(s, cs, plan, hood, &Steering::default(), settings);
    let solved = mip.assignments.map(|a| by_order(cs, a));
    let solved_cost = solved.as_ref().map(|a| cost_of(s, cs, &hood.free, a));
    match (solved, solved_cost) {
        (Some(by_order), Some(cost)) if cost < plan_cost - SAME_COST => Baseline {
            status: mip.status,
            plan_cost,
            cost,
            improved: true,
            by_order,
        },
        _ => Baseline {
            // The given plan is as good: the solver's status stands for it
            // only if the solver proved its own plan optimal.
            status: if mip.status == Status::Optimal && solved_cost.is_some() {
                Status::Optimal
            } else {
                Status::Heuristic
            },
            plan_cost,
            cost: plan_cost,
            improved: false,
            by_order: given,
        },
    }
}

/// Runs one what-if on order `o` at node `n`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn run(
    s: &Scenario,
    cs: &CandidateSet,
    plan: &PlanPackages,
    hood: &Neighbourhood,
    base: &Baseline,
    o: OrderIdx,
    (kind, n): (WhatIfKind, NodeIdx),
    settings: &Settings,
) -> WhatIf {
    let at_node: Vec<usize> = cs.range_of(o).filter(|&ci| cs.candidates[ci].node == n).collect();
    let mut answer = WhatIf {
        kind,
        node: s.nodes[n].id.clone(),
        status: Status::Infeasible,
        cost: None,
        difference: None,
        order_cost: None,
        packages: Vec::new(),
        moved: Vec::new(),
        message: String::new(),
    };
    if kind == WhatIfKind::Force && at_node.is_empty() {
        answer.message = format!(
            "{} cannot ship this order: it stocks none of its SKUs or offers no service to its address",
            s.nodes[n].id
        );
        return answer;
    }
    let mut steering = Steering::default();
    match kind {
        WhatIfKind::Force => steering.at_least_one.push(at_node),
        WhatIfKind::Forbid => steering.banned.extend(at_node),
    }
    let mip = solve(s, cs, plan, hood, &steering, settings);
    answer.status = mip.status;
    answer.message = mip.message;
    let Some(assignments) = mip.assignments else {
        return answer;
    };
    let after = by_order(cs, assignments);
    let cost = cost_of(s, cs, &hood.free, &after);
    let mine = after.get(&o).map_or(&[][..], Vec::as_slice);
    answer.cost = Some(cost);
    answer.difference = Some(cost - base.cost);
    answer.order_cost = Some(order_cost(s, cs, o, mine));
    answer.packages = mine.iter().map(|a| package_of(s, cs, a)).collect();
    answer.moved = hood
        .free
        .iter()
        .filter(|&&p| p != o && !same_packages(after.get(&p), base.by_order.get(&p)))
        .map(|&p| s.orders[p].id.clone())
        .collect();
    answer
}

/// The neighbourhood's MIP with `steering`, every other order fixed.
fn solve(
    s: &Scenario,
    cs: &CandidateSet,
    plan: &PlanPackages,
    hood: &Neighbourhood,
    steering: &Steering,
    settings: &Settings,
) -> MipResult {
    let fixed = plan.fixed_outside(&hood.free);
    match formulation::build_steered(s, cs, &hood.free, &fixed, steering, None) {
        Some(model) => model.solve(settings),
        None => MipResult::not_built(),
    }
}

fn by_order(cs: &CandidateSet, assignments: Vec<Assignment>) -> FxHashMap<OrderIdx, Vec<Assignment>> {
    let mut out: FxHashMap<OrderIdx, Vec<Assignment>> = FxHashMap::default();
    for a in assignments.into_iter().filter(|a| a.units.iter().any(|&(_, u)| u > 0)) {
        out.entry(cs.candidates[a.candidate].order).or_default().push(a);
    }
    out
}

/// The cost of orders `free` with packages `by_order`.
fn cost_of(s: &Scenario, cs: &CandidateSet, free: &[OrderIdx], by_order: &FxHashMap<OrderIdx, Vec<Assignment>>) -> f64 {
    free.iter()
        .map(|o| order_cost(s, cs, *o, by_order.get(o).map_or(&[][..], Vec::as_slice)))
        .sum()
}

/// Whether two package lists are the same packages with the same units.
fn same_packages(a: Option<&Vec<Assignment>>, b: Option<&Vec<Assignment>>) -> bool {
    let key = |v: Option<&Vec<Assignment>>| {
        let mut k: Vec<(usize, Vec<(usize, u32)>)> = v
            .into_iter()
            .flatten()
            .map(|a| {
                let mut units = a.units.clone();
                units.sort_unstable();
                (a.candidate, units)
            })
            .collect();
        k.sort_unstable();
        k
    };
    key(a) == key(b)
}
