//! A local search over a feasible plan: each order in turn gives back what
//! its packages take and is re-solved exactly, at true costs, against what
//! the others leave. Never dearer; often cheaper after a rounding.

use rustc_hash::FxHashMap as HashMap;

use crate::network::candidates::CandidateSet;
use crate::network::domain::{NodeIdx, OrderIdx, Scenario, SkuIdx};
use crate::solution::assignment::Assignment;
use crate::solution::decode;
use crate::solution::remaining::Remaining;
use crate::sourcing::baselines::greedy::arrival_order;
use crate::sourcing::order_opt::{OrderView, best_plan};

/// One improvement pass: each order in turn gives back what its packages take
/// and is re-solved exactly at true costs against what the others leave; the
/// new plan is kept when it is cheaper (and fits).
pub fn improve(s: &Scenario, cs: &CandidateSet, plan: Vec<Assignment>) -> Vec<Assignment> {
    let mut by_order: Vec<Vec<Assignment>> = vec![Vec::new(); s.orders.len()];
    let mut left = Remaining::new(s);
    for a in plan {
        left.take(s, cs, &a);
        by_order[cs.candidates[a.candidate].order.index()].push(a);
    }
    for o in arrival_order(s) {
        for a in &by_order[o.index()] {
            left.give_back(s, cs, a);
        }
        let mut v = OrderView::new(s, cs, o);
        restrict_to(&mut v, s, cs, &left, o);
        let fresh = best_plan(&v);
        let current = decode::order_cost(s, cs, o, &by_order[o.index()]);
        if fresh.cost < current - 1e-9 && fits(s, cs, &left, &fresh.assignments) {
            by_order[o.index()] = fresh.assignments;
        }
        for a in &by_order[o.index()] {
            left.take(s, cs, a);
        }
    }
    by_order.into_iter().flatten().collect()
}

/// Whether a plan fits what is left.
fn fits(s: &Scenario, cs: &CandidateSet, left: &Remaining, plan: &[Assignment]) -> bool {
    let mut need: HashMap<(NodeIdx, SkuIdx), u32> = HashMap::default();
    let mut units: HashMap<NodeIdx, u32> = HashMap::default();
    for a in plan {
        let c = &cs.candidates[a.candidate];
        if !left.can_open(c.node) {
            return false;
        }
        for &(line, q) in &a.units {
            let sku = s.orders[c.order].lines[line].sku;
            *need.entry((c.node, sku)).or_default() += q;
            *units.entry(c.node).or_default() += q;
        }
    }
    need.iter().all(|(&(n, k), &q)| left.available(n, k) >= q)
        && units
            .iter()
            .all(|(&n, &q)| left.units_left(n).is_none_or(|u| u >= q))
}

/// Limits a view to the stock and capacity left.
fn restrict_to(v: &mut OrderView, s: &Scenario, cs: &CandidateSet, left: &Remaining, o: OrderIdx) {
    for (p, &ci) in v.cands.iter().enumerate() {
        let c = &cs.candidates[ci];
        v.openable[p] = left.can_open(c.node);
        for (i, l) in s.orders[o].lines.iter().enumerate() {
            let avail = left.available(c.node, l.sku);
            if let Some((_, ub)) = v.line[[p, i]].as_mut() {
                *ub = (*ub).min(avail);
            }
            v.group_cap[[p, i]] = v.group_cap[[p, i]].min(avail);
        }
    }
}
