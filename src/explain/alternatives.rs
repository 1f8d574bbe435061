//! Every way the explained order could ship as one package: each candidate
//! (node and service) carrying all it can of every line, what that would
//! cost beside the plan, and whose units or capacity it would have to take.

use chrono::NaiveDate;
use serde::Serialize;

use crate::network::candidates::CandidateSet;
use crate::network::domain::{NodeIdx, OrderIdx, Scenario};
use crate::solution::assignment::Assignment;
use crate::solution::decode::order_cost;

use super::packages::{PlanPackages, others};

/// How many holders a displacement names (the largest first).
const NAMED_HOLDERS: usize = 5;

/// One candidate package for the whole order.
#[derive(Debug, Clone, Serialize)]
pub struct Alternative {
    /// Node id.
    pub node: String,
    /// Service id.
    pub service: String,
    /// Whether the plan ships a package of this order from this node by this service.
    pub in_plan: bool,
    /// The order's cost shipped this way: package, units, and the unfilled
    /// penalty of what the node cannot carry.
    pub cost: f64,
    /// `cost` less the order's cost in the plan.
    pub versus_plan: f64,
    /// Units it carries (what the node stocks, up to each line).
    pub units: u32,
    /// Units ordered.
    pub units_ordered: u32,
    /// Ship date.
    pub ship_date: NaiveDate,
    /// Estimated delivery date.
    pub delivery_date: NaiveDate,
    /// Business days past the promise.
    pub late_days: u32,
    /// What it would take from other orders' packages in the plan.
    pub displaces: Vec<Displacement>,
}

/// Units or capacity this alternative needs that other orders hold.
#[derive(Debug, Clone, Serialize)]
pub struct Displacement {
    /// `stock`, `packages` or `units` (the node's capacity).
    pub row: &'static str,
    /// The SKU, for stock.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// How much is missing.
    pub short: u64,
    /// The orders holding it, largest first (at most five): (order id, units).
    pub held_by: Vec<(String, u64)>,
    /// How many orders hold it in all.
    pub holders: usize,
}

/// Every candidate of order `o` as one package, cheapest first, against the
/// plan's cost for the order `plan_cost`; for a ship-complete order only
/// those that carry every unit.
pub(crate) fn of(s: &Scenario, cs: &CandidateSet, plan: &PlanPackages, o: OrderIdx, plan_cost: f64) -> Vec<Alternative> {
    let order = &s.orders[o];
    let in_plan: Vec<usize> = plan.of(o).iter().map(|a| a.candidate).collect();
    let ordered: u32 = order.lines.iter().map(|l| l.quantity).sum();
    let mut out: Vec<Alternative> = cs
        .range_of(o)
        .filter_map(|ci| {
            let c = &cs.candidates[ci];
            let whole = Assignment {
                candidate: ci,
                units: c.lines.iter().map(|l| (l.line, l.max_units)).filter(|&(_, u)| u > 0).collect(),
            };
            // A ship-complete order ships whole or not at all.
            let units: u32 = whole.units.iter().map(|&(_, u)| u).sum();
            if order.ship_complete && units < ordered {
                return None;
            }
            let cost = order_cost(s, cs, o, std::slice::from_ref(&whole));
            let mut displaces = stock_displaced(s, plan, o, c.node, &whole);
            displaces.extend(capacity_displaced(s, plan, o, c.node, &whole));
            Some(Alternative {
                node: s.nodes[c.node].id.clone(),
                service: s.services[c.service].id.clone(),
                in_plan: in_plan.contains(&ci),
                cost,
                versus_plan: cost - plan_cost,
                units,
                units_ordered: ordered,
                ship_date: c.ship_date,
                delivery_date: c.delivery_date,
                late_days: c.late_days,
                displaces,
            })
        })
        .collect();
    out.sort_by(|a, b| a.cost.total_cmp(&b.cost).then_with(|| (&a.node, &a.service).cmp(&(&b.node, &b.service))));
    out
}

/// For each SKU the package would carry beyond what other orders leave at
/// the node: the shortfall and its holders.
fn stock_displaced(s: &Scenario, plan: &PlanPackages, o: OrderIdx, n: NodeIdx, whole: &Assignment) -> Vec<Displacement> {
    let order = &s.orders[o];
    whole
        .units
        .iter()
        .filter_map(|&(line, u)| {
            let k = order.lines[line].sku;
            let left = u64::from(s.atp(n, k)).saturating_sub(plan.stock_taken_by_others(n, k, o));
            let short = u64::from(u).checked_sub(left).filter(|&d| d > 0)?;
            let holders: Vec<(OrderIdx, u64)> = others(plan.stock_users.get(&(n, k)), o).collect();
            Some(displacement(s, "stock", Some(s.skus[k].id.clone()), short, holders))
        })
        .collect()
}

/// The node's package and unit capacity the package would need beyond
/// what other orders leave.
fn capacity_displaced(s: &Scenario, plan: &PlanPackages, o: OrderIdx, n: NodeIdx, whole: &Assignment) -> Vec<Displacement> {
    let node = &s.nodes[n];
    let (packages, units) = plan.node_taken_by_others(n, o);
    let wanted: u64 = whole.units.iter().map(|&(_, u)| u64::from(u)).sum();
    let holders = || others(plan.node_users.get(&n), o).collect::<Vec<_>>();
    let mut out = Vec::new();
    if let Some(cap) = node.capacity_orders
        && packages + 1 > u64::from(cap)
    {
        out.push(displacement(s, "packages", None, packages + 1 - u64::from(cap), holders()));
    }
    if let Some(cap) = node.capacity_units
        && units + wanted > u64::from(cap)
    {
        out.push(displacement(s, "units", None, units + wanted - u64::from(cap), holders()));
    }
    out
}

fn displacement(s: &Scenario, row: &'static str, sku: Option<String>, short: u64, mut holders: Vec<(OrderIdx, u64)>) -> Displacement {
    holders.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Displacement {
        row,
        sku,
        short,
        holders: holders.len(),
        held_by: holders
            .iter()
            .take(NAMED_HOLDERS)
            .map(|&(p, u)| (s.orders[p].id.clone(), u))
            .collect(),
    }
}
