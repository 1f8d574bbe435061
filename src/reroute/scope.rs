//! Which orders a re-plan solves again: those the events touch, and those
//! that share with them a stock or capacity row that can bind.

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::FxHashMap;

use crate::network::candidates::CandidateSet;
use crate::network::domain::{NodeIdx, OrderIdx, Scenario, SkuIdx};

use crate::solution::plan::Plan;

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
    pub fn of(s: &Scenario, cs: &CandidateSet, old: &OldPackages, applied: &Applied, previous: &Plan) -> Scope {
        let wave = s.wave_time.date();
        let mut reasons: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut direct = BTreeSet::new();
        for o in OrderIdx::all(s.orders.len()) {
            let id = &s.orders[o].id;
            let mut why = applied.touched.get(id).cloned().unwrap_or_default();
            for &k in old.unmapped.get(&o).into_iter().flatten() {
                let was = &previous.shipments[k];
                why.push(if was.ship_date < wave {
                    format!("its package from {} by {} was to ship on {}, before now", was.node, was.service, was.ship_date)
                } else {
                    format!(
                        "its package from {} by {} is no longer possible (not offered, no stock, or past a holiday ship-by date)",
                        was.node, was.service
                    )
                });
            }
            for (k, a) in old.of(o) {
                let was = &previous.shipments[*k];
                let now = cs.candidates[a.candidate].ship_date;
                if now != was.ship_date && !applied.stage(id, &was.node).fixed() {
                    why.push(format!("its package from {} cannot ship on {} any more", was.node, was.ship_date));
                }
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

/// How many of a touched order's cheapest candidates it is thought to draw
/// on when looking for the rows it shares: its likely new homes, not every
/// node that stocks its SKUs (which on a large wave would couple nearly
/// every order).
const NEAR: usize = 3;

/// The orders outside `direct` with a package on a stock row (node, SKU) or
/// a node's capacity that the direct orders' cheapest candidates draw on and
/// that the other orders' packages leave too little of for even one of
/// them (less than its line, or no package or too few units of capacity):
/// a direct order can only go there if one of those orders moves, so they
/// are solved jointly with the direct ones (one round). Rows with room for
/// each direct order alone are left out: the joint MIP shares them among
/// the direct orders, and on a large wave counting them all would bring in
/// most of it.
fn coupled_orders(
    s: &Scenario,
    cs: &CandidateSet,
    old: &OldPackages,
    direct: &BTreeSet<OrderIdx>,
) -> BTreeMap<OrderIdx, String> {
    // The largest line a direct order could ask of each row, and the
    // largest order (units) of each node, among their cheapest candidates.
    let mut need: FxHashMap<(NodeIdx, SkuIdx), u64> = FxHashMap::default();
    let mut could_use: FxHashMap<NodeIdx, u64> = FxHashMap::default();
    for &o in direct {
        let order = &s.orders[o];
        let mut nodes = BTreeSet::new();
        for ci in cheapest(s, cs, o) {
            let c = &cs.candidates[ci];
            nodes.insert(c.node);
            for l in &c.lines {
                let line = &order.lines[l.line];
                let e = need.entry((c.node, line.sku)).or_default();
                *e = (*e).max(u64::from(line.quantity));
            }
        }
        let units: u64 = order.lines.iter().map(|l| u64::from(l.quantity)).sum();
        for n in nodes {
            let e = could_use.entry(n).or_default();
            *e = (*e).max(units);
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
        let (Some(&(p, u)), Some(&du)) = (at_node.get(&n), could_use.get(&n)) else {
            return false;
        };
        let node = &s.nodes[n];
        node.capacity_orders.is_some_and(|cap| p + 1 > u64::from(cap))
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

/// The `NEAR` cheapest candidates of order `o`, each costed with every line
/// it can carry in full.
fn cheapest(s: &Scenario, cs: &CandidateSet, o: OrderIdx) -> Vec<usize> {
    let order = &s.orders[o];
    let mut costed: Vec<(f64, usize)> = cs
        .range_of(o)
        .map(|ci| {
            let c = &cs.candidates[ci];
            let lines: f64 = c
                .lines
                .iter()
                .map(|l| l.cost.total() * f64::from(l.max_units.min(order.lines[l.line].quantity)))
                .sum();
            (c.package.total() + lines, ci)
        })
        .collect();
    costed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    costed.into_iter().take(NEAR).map(|(_, ci)| ci).collect()
}
