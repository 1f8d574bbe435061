//! Why a plan ships an order the way it does. For one order of a plan:
//! what each other node and service would cost it and whose units it would
//! take ([`Alternative`]), the stock and capacity rows it could use that
//! bind, with their shadow prices from the LP relaxation ([`RowPrice`]),
//! and "force node X" / "forbid node X" what-ifs that re-solve the order
//! with the orders competing for the same rows and report the cost
//! difference ([`WhatIf`]). models/README.md, "Explanations", has the math.

mod alternatives;
mod neighbourhood;
mod packages;
mod prices;
mod sentences;
mod what_if;

use chrono::NaiveDate;
use serde::Serialize;

use crate::error::{DomoptError, Issue, IssueCode, Severity, ValidationReport};
use crate::input::cost_model::CostModel;
use crate::input::format::{LoadedScenario, PolicyOverrides};
use crate::input::settings::Settings;
use crate::input::validate::build_scenario;
use crate::network::candidates::{self, CandidateSet};
use crate::network::domain::{NodeIdx, OrderIdx, Scenario};
use crate::network::lanes::Network;
use crate::solution::assignment::Assignment;
use crate::solution::decode::order_cost;
use crate::solution::plan::Plan;

pub use alternatives::{Alternative, Displacement};
pub use neighbourhood::MAX_COMPETITORS;
pub use prices::RowPrice;
pub use what_if::{Baseline, WhatIf, WhatIfKind};

/// Most distinct what-ifs one request may ask (each is a re-solve).
pub const MAX_WHAT_IFS: usize = 16;

/// What to explain.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// The order's id.
    pub order: String,
    /// Nodes to force the order onto, one what-if each (with `forbid`, at
    /// most [`MAX_WHAT_IFS`] distinct; a node given twice is asked once).
    pub force: Vec<String>,
    /// Nodes to keep the order away from, one what-if each.
    pub forbid: Vec<String>,
    /// Re-solve every order of the wave in the what-ifs (exact, slow on a
    /// large wave) instead of the order and its competitors.
    pub whole_wave: bool,
}

/// An explanation of one order of a plan.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    /// The order's id.
    pub order: String,
    /// Its cost in the plan: packages, units, split and unfilled penalties.
    pub cost: f64,
    /// Its packages in the plan.
    pub packages: Vec<Package>,
    /// Units ordered.
    pub units_ordered: u32,
    /// Whether the order ships complete or not at all.
    pub order_ship_complete: bool,
    /// Units the plan ships.
    pub units_shipped: u32,
    /// Every candidate node and service as one package, cheapest first.
    pub alternatives: Vec<Alternative>,
    /// Stock and capacity rows the order could use that bind in the plan or
    /// carry a shadow price, the highest price first.
    pub rows: Vec<RowPrice>,
    /// The orders re-solved with it.
    pub neighbourhood: NeighbourhoodSummary,
    /// The neighbourhood re-solved as it stands.
    pub baseline: Baseline,
    /// The what-ifs asked (or, when none was, forbidding each node the
    /// order ships from and forcing its cheapest other node).
    pub what_ifs: Vec<WhatIf>,
}

/// The orders an explanation re-solves.
#[derive(Debug, Clone, Serialize)]
pub struct NeighbourhoodSummary {
    /// How many orders, the explained one included.
    pub orders: usize,
    /// Whether it is the whole wave.
    pub whole_wave: bool,
    /// Whether competitors were left out at [`MAX_COMPETITORS`].
    pub truncated: bool,
    /// The LP relaxation's optimum over them (the prices' LP), if it solved.
    pub lp_objective: Option<f64>,
}

/// One package of the order.
#[derive(Debug, Clone, Serialize)]
pub struct Package {
    /// Node id.
    pub node: String,
    /// Service id.
    pub service: String,
    /// Units per line.
    pub items: Vec<PackageItem>,
    /// Ship date.
    pub ship_date: NaiveDate,
    /// Estimated delivery date.
    pub delivery_date: NaiveDate,
    /// Business days past the promise.
    pub late_days: u32,
    /// The package's cost: carrier, handling and premiums for it and its units.
    pub cost: f64,
}

/// Units of one line in a package.
#[derive(Debug, Clone, Serialize)]
pub struct PackageItem {
    /// Line index in the order.
    pub line: usize,
    /// SKU id.
    pub sku: String,
    /// Units.
    pub units: u32,
}

/// Explains order `request.order` of `plan`, a plan of the scenario
/// `loaded` with cost model `model` and the run's overrides; the what-ifs
/// re-solve with `settings` (candidates, time limit, threads).
pub fn explain(
    loaded: &LoadedScenario,
    model: &CostModel,
    run: &PolicyOverrides,
    plan: &Plan,
    request: &Request,
    settings: &Settings,
) -> Result<Explanation, DomoptError> {
    let (s, _) = build_scenario(loaded, model, run).map_err(DomoptError::Invalid)?;
    let (o, asked) = resolve(&s, request)?;
    let net = Network::build(&s);
    // Every eligible package, the dominated ones too: the plan may use them.
    let cs = candidates::generate_all(&s, &net);
    let packages = packages::PlanPackages::map(&s, &cs, plan)?;
    refuse_unchecked(&s, plan)?;
    let mine = packages.of(o);
    let cost = order_cost(&s, &cs, o, mine);
    let hood = neighbourhood::Neighbourhood::of(&s, &cs, &packages, o, request.whole_wave);
    let alternatives = alternatives::of(&s, &cs, &packages, o, cost);
    let prices = prices::near(&s, &cs, &packages, &hood, o, settings);
    let baseline = what_if::baseline(&s, &cs, &packages, &hood, settings);
    let asked = if asked.is_empty() {
        default_what_ifs(&s, &cs, mine, &alternatives)
    } else {
        asked
    };
    let what_ifs = asked
        .into_iter()
        .map(|q| what_if::run(&s, &cs, &packages, &hood, &baseline, o, q, settings))
        .collect();
    let order = &s.orders[o];
    Ok(Explanation {
        order: order.id.clone(),
        cost,
        packages: mine.iter().map(|a| package_of(&s, &cs, a)).collect(),
        units_ordered: order.lines.iter().map(|l| l.quantity).sum(),
        order_ship_complete: order.ship_complete,
        units_shipped: mine.iter().flat_map(|a| &a.units).map(|&(_, u)| u).sum(),
        alternatives,
        rows: prices.rows,
        neighbourhood: NeighbourhoodSummary {
            orders: hood.free.len(),
            whole_wave: request.whole_wave,
            truncated: hood.truncated,
            lp_objective: prices.lp_objective,
        },
        baseline,
        what_ifs,
    })
}

/// The order and the what-ifs' nodes, every unknown id reported at once.
fn resolve(s: &Scenario, request: &Request) -> Result<(OrderIdx, Vec<(WhatIfKind, NodeIdx)>), DomoptError> {
    let mut issues = Vec::new();
    let order = OrderIdx::all(s.orders.len()).find(|&o| s.orders[o].id == request.order);
    if order.is_none() {
        issues.push(issue(
            IssueCode::UnknownExplainedOrder,
            "order",
            format!("the scenario has no order `{}`", request.order),
            "give the id of an order of the scenario",
        ));
    }
    let asked = [(WhatIfKind::Force, &request.force), (WhatIfKind::Forbid, &request.forbid)];
    let mut what_ifs = Vec::new();
    for (kind, ids) in asked {
        for id in ids {
            match NodeIdx::all(s.nodes.len()).find(|&n| s.nodes[n].id == *id) {
                Some(n) => what_ifs.push((kind, n)),
                None => issues.push(issue(
                    IssueCode::UnknownWhatIfNode,
                    kind.as_str(),
                    format!("the scenario has no node `{id}`"),
                    "give the id of a node of the scenario",
                )),
            }
        }
    }
    what_ifs.sort_unstable();
    what_ifs.dedup();
    if what_ifs.len() > MAX_WHAT_IFS {
        issues.push(issue(
            IssueCode::UnknownWhatIfNode,
            "force",
            format!("{} distinct what-ifs: at most {MAX_WHAT_IFS} per request", what_ifs.len()),
            "ask fewer what-ifs, in several requests",
        ));
    }
    match order {
        Some(o) if issues.is_empty() => Ok((o, what_ifs)),
        _ => Err(DomoptError::Invalid(ValidationReport { issues })),
    }
}

/// E183 with the checker's violations for a plan that breaks the
/// scenario's rules (oversold stock, a ship-complete order in part, numbers
/// that are not the plan's): explaining it would explain something else.
fn refuse_unchecked(s: &Scenario, plan: &Plan) -> Result<(), DomoptError> {
    let report = crate::solution::check::check(s, plan);
    if report.ok() {
        return Ok(());
    }
    let issues = report
        .violations
        .iter()
        .map(|v| Issue {
            code: IssueCode::PlanFailsCheck,
            severity: Severity::Error,
            record: v.record.clone(),
            field: v.kind.to_string(),
            message: v.message.clone(),
            action: "explain a plan the checker accepts (`domopt check`)".into(),
        })
        .collect();
    Err(DomoptError::Invalid(ValidationReport { issues }))
}

fn issue(code: IssueCode, field: &str, message: String, action: &str) -> Issue {
    Issue {
        code,
        severity: Severity::Error,
        record: "explain request".into(),
        field: field.into(),
        message,
        action: action.into(),
    }
}

/// Without asked what-ifs: forbid each node the order ships from, and force
/// the cheapest node it does not ship from.
fn default_what_ifs(
    s: &Scenario,
    cs: &CandidateSet,
    mine: &[Assignment],
    alternatives: &[Alternative],
) -> Vec<(WhatIfKind, NodeIdx)> {
    let mut used: Vec<NodeIdx> = mine.iter().map(|a| cs.candidates[a.candidate].node).collect();
    used.sort_unstable();
    used.dedup();
    let cheapest_other = alternatives
        .iter()
        .filter_map(|alt| NodeIdx::all(s.nodes.len()).find(|&n| s.nodes[n].id == alt.node))
        .find(|n| !used.contains(n));
    used.iter()
        .map(|&n| (WhatIfKind::Forbid, n))
        .chain(cheapest_other.map(|n| (WhatIfKind::Force, n)))
        .collect()
}

/// A package as the explanation shows it.
pub(crate) fn package_of(s: &Scenario, cs: &CandidateSet, a: &Assignment) -> Package {
    let c = &cs.candidates[a.candidate];
    let order = &s.orders[c.order];
    let units_cost: f64 = a
        .units
        .iter()
        .map(|&(line, u)| c.lines[c.line_position(line)].cost.total() * f64::from(u))
        .sum();
    Package {
        node: s.nodes[c.node].id.clone(),
        service: s.services[c.service].id.clone(),
        items: a
            .units
            .iter()
            .map(|&(line, units)| PackageItem {
                line,
                sku: s.skus[order.lines[line].sku].id.clone(),
                units,
            })
            .collect(),
        ship_date: c.ship_date,
        delivery_date: c.delivery_date,
        late_days: c.late_days,
        cost: c.package.total() + units_cost,
    }
}
