//! The orders an explanation re-solves with the order it explains: those
//! whose packages hold a stock or capacity row the order could use and that
//! leaves it too little (its competitors), or the whole wave when asked.
//! Every other order keeps its packages, whose use of the rows is fixed.

use std::collections::BTreeSet;

use crate::network::candidates::CandidateSet;
use crate::network::domain::{NodeIdx, OrderIdx, Scenario};

use super::packages::{PlanPackages, others};

/// At most this many competitors join an explained order (nearest nodes
/// first): a popular SKU at a large node may be held by thousands of
/// orders, and the what-ifs re-solve them all.
pub const MAX_COMPETITORS: usize = 400;

/// The orders re-solved together.
#[derive(Debug, Clone)]
pub(crate) struct Neighbourhood {
    /// The explained order and its competitors (or every order), ascending.
    pub free: Vec<OrderIdx>,
    /// Whether competitors were left out at [`MAX_COMPETITORS`].
    pub truncated: bool,
}

impl Neighbourhood {
    /// Order `o` and the orders holding what it would need (see the module
    /// doc); every order with `whole_wave`.
    pub fn of(s: &Scenario, cs: &CandidateSet, plan: &PlanPackages, o: OrderIdx, whole_wave: bool) -> Neighbourhood {
        if whole_wave {
            return Neighbourhood {
                free: OrderIdx::all(s.orders.len()).collect(),
                truncated: false,
            };
        }
        let mut found = BTreeSet::new();
        let mut truncated = false;
        for n in nodes_by_cost(cs, o) {
            for p in competitors_at(s, cs, plan, o, n) {
                if found.len() == MAX_COMPETITORS && !found.contains(&p) {
                    truncated = true;
                    continue;
                }
                found.insert(p);
            }
        }
        found.insert(o);
        Neighbourhood {
            free: found.into_iter().collect(),
            truncated,
        }
    }
}

/// The nodes of order `o`'s candidates, cheapest package first.
fn nodes_by_cost(cs: &CandidateSet, o: OrderIdx) -> Vec<NodeIdx> {
    let mut costed: Vec<(f64, NodeIdx)> = cs
        .range_of(o)
        .map(|ci| {
            let c = &cs.candidates[ci];
            let units: f64 = c.lines.iter().map(|l| l.cost.total() * f64::from(l.max_units)).sum();
            (c.package.total() + units, c.node)
        })
        .collect();
    costed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut seen = BTreeSet::new();
    costed.into_iter().filter(|(_, n)| seen.insert(*n)).map(|(_, n)| n).collect()
}

/// The orders other than `o` with a package at node `n` on a row that
/// leaves `o` less than it would take there: a SKU's stock short of `o`'s
/// line, or the node's package or unit capacity short of `o`'s order.
fn competitors_at(s: &Scenario, cs: &CandidateSet, plan: &PlanPackages, o: OrderIdx, n: NodeIdx) -> Vec<OrderIdx> {
    let order = &s.orders[o];
    let mut out = Vec::new();
    for c in cs.range_of(o).map(|ci| &cs.candidates[ci]).filter(|c| c.node == n) {
        for l in &c.lines {
            let k = order.lines[l.line].sku;
            let taken = plan.stock_taken_by_others(n, k, o);
            if taken + u64::from(order.lines[l.line].quantity) > u64::from(s.atp(n, k)) {
                out.extend(others(plan.stock_users.get(&(n, k)), o).map(|(p, _)| p));
            }
        }
    }
    let node = &s.nodes[n];
    let (packages, units) = plan.node_taken_by_others(n, o);
    let wanted: u64 = order.lines.iter().map(|l| u64::from(l.quantity)).sum();
    let full = node.capacity_orders.is_some_and(|cap| packages + 1 > u64::from(cap))
        || node.capacity_units.is_some_and(|cap| units + wanted > u64::from(cap));
    if full {
        out.extend(others(plan.node_users.get(&n), o).map(|(p, _)| p));
    }
    out.sort_unstable();
    out.dedup();
    out
}
