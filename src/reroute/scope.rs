//! Which orders a re-plan solves again: those the events touch, and those
//! that share with them a stock or capacity row that can bind.

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::FxHashMap;

use crate::network::candidates::CandidateSet;
use crate::network::domain::{NodeIdx, OrderIdx, Scenario, SkuIdx};

use super::{Applied, OldPackages};

/// The orders solved again and the orders kept, with why each is solved.
pub(crate) struct Scope {
    /// Orders solved again, ascending.
    pub free: BTreeSet<OrderIdx>,
    /// Orders that keep their packages.
    pub kept: Vec<OrderIdx>,
    /// Of the free orders, how many the events touched.
    pub touched: usize,
    /// And how many joined them through a shared row.
    pub coupled: usize,
    /// Why each free order is solved again, by order id.
    pub reasons: BTreeMap<String, Vec<String>>,
}

impl Scope {
    pub fn of(s: &Scenario, cs: &CandidateSet, old: &OldPackages, applied: &Applied) -> Scope {
        let mut reasons: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut direct = BTreeSet::new();
        for o in OrderIdx::all(s.orders.len()) {
            let id = &s.orders[o].id;
            let mut why = applied.touched.get(id).cloned().unwrap_or_default();
            if old.unmapped.contains(&o) {
                why.push("a package of the plan is no longer possible".into());
            }
            if !why.is_empty() {
                direct.insert(o);
                reasons.insert(id.clone(), why);
            }
        }
        let coupled = coupled_orders(s, cs, old, &direct);
        for (o, why) in &coupled {
            reasons.entry(s.orders[*o].id.clone()).or_default().push(why.clone());
        }
        let touched = direct.len();
        let free: BTreeSet<OrderIdx> = direct.into_iter().chain(coupled.keys().copied()).collect();
        let kept = OrderIdx::all(s.orders.len()).filter(|o| !free.contains(o)).collect();
        Scope {
            coupled: free.len() - touched,
            free,
            kept,
            touched,
            reasons,
        }
    }
}

/// The orders outside `direct` with a package on a stock row (node, SKU) or
/// a node's capacity that the direct orders could draw on and that cannot
/// serve them all beside the other orders' packages: those rows can bind,
/// so their orders are solved jointly with the direct ones (one round).
fn coupled_orders(
    s: &Scenario,
    cs: &CandidateSet,
    old: &OldPackages,
    direct: &BTreeSet<OrderIdx>,
) -> BTreeMap<OrderIdx, String> {
    // What the direct orders could ask of each row: every line's units at
    // every node that could ship it.
    let mut need: FxHashMap<(NodeIdx, SkuIdx), u64> = FxHashMap::default();
    let mut could_use: FxHashMap<NodeIdx, (u64, u64)> = FxHashMap::default();
    for &o in direct {
        let order = &s.orders[o];
        let mut nodes = BTreeSet::new();
        for ci in cs.range_of(o) {
            let c = &cs.candidates[ci];
            nodes.insert(c.node);
            for l in &c.lines {
                let line = &order.lines[l.line];
                *need.entry((c.node, line.sku)).or_default() += u64::from(line.quantity);
            }
        }
        let units: u64 = order.lines.iter().map(|l| u64::from(l.quantity)).sum();
        for n in nodes {
            let e = could_use.entry(n).or_default();
            e.0 += 1;
            e.1 += units;
        }
    }
    // What the other orders' packages use of each row.
    let mut used: FxHashMap<(NodeIdx, SkuIdx), u64> = FxHashMap::default();
    let mut at_node: FxHashMap<NodeIdx, (u64, u64)> = FxHashMap::default();
    let others: Vec<OrderIdx> = OrderIdx::all(s.orders.len()).filter(|o| !direct.contains(o)).collect();
    for &o in &others {
        for (_, a) in old.of(o) {
            let c = &cs.candidates[a.candidate];
            let units: u64 = a.units.iter().map(|(_, u)| u64::from(*u)).sum();
            let e = at_node.entry(c.node).or_default();
            e.0 += 1;
            e.1 += units;
            for &(line, u) in &a.units {
                *used.entry((c.node, s.orders[o].lines[line].sku)).or_default() += u64::from(u);
            }
        }
    }
    let tight_stock = |n: NodeIdx, k: SkuIdx| {
        let want = need.get(&(n, k)).copied().unwrap_or(0);
        want > 0 && used.get(&(n, k)).copied().unwrap_or(0) + want > u64::from(s.atp(n, k))
    };
    let tight_capacity = |n: NodeIdx| {
        let (Some(&(p, u)), Some(&(dp, du))) = (at_node.get(&n), could_use.get(&n)) else {
            return false;
        };
        let node = &s.nodes[n];
        node.capacity_orders.is_some_and(|cap| p + dp > u64::from(cap))
            || node.capacity_units.is_some_and(|cap| u + du > u64::from(cap))
    };
    let mut out = BTreeMap::new();
    for &o in &others {
        for (_, a) in old.of(o) {
            let c = &cs.candidates[a.candidate];
            let node = &s.nodes[c.node].id;
            let shared = a.units.iter().find_map(|&(line, _)| {
                let k = s.orders[o].lines[line].sku;
                tight_stock(c.node, k).then(|| format!("shares {} at {node} with re-planned orders", s.skus[k].id))
            });
            let why = shared.or_else(|| tight_capacity(c.node).then(|| format!("shares {node}'s capacity with re-planned orders")));
            if let Some(why) = why {
                out.entry(o).or_insert(why);
            }
        }
    }
    out
}
