//! Rule-based routers as commerce platforms document them. Each routes orders
//! one at a time in arrival order, drawing down shared stock and capacity, and
//! ships each package with the node's service that is least late for the order
//! (then cheapest), as a platform ships the method the customer chose.
//!
//! - `ranked`: a static priority list of locations (node `rank`, then id); each
//!   line goes top-down through the list.
//! - `closest`: the same with locations ordered by great-circle distance to the
//!   customer.
//! - `shopify`: lexicographic, like Shopify's order routing rules "minimize split
//!   fulfillments", then "stay in market", then "ship from closest": a location
//!   that has the whole order if one exists; otherwise locations added greedily,
//!   each the one covering most of what is still missing (ties: in market, closer).
//!
//! For a pickup order every rule looks at the pickup store first and at the
//! nodes with a transfer lane to it after, in the rule's order (`shopify`
//! still takes a location with the whole order first: fewest packages).

use crate::network::candidates::CandidateSet;
use crate::network::domain::{NodeIdx, OrderIdx, Scenario, SkuIdx};
use crate::solution::assignment::Assignment;
use crate::solution::remaining::Remaining;
use crate::sourcing::baselines::greedy::arrival_order;

/// Which rule orders the locations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Static priority list.
    Ranked,
    /// Nearest first.
    Closest,
    /// Fewest packages, then in market, then nearest.
    Shopify,
}

/// For each node that has candidates for the order: the candidate to use (least
/// late, then cheapest package, then lowest index).
fn node_choices(cs: &CandidateSet, o: OrderIdx) -> Vec<(NodeIdx, usize)> {
    let mut best: Vec<(NodeIdx, usize)> = Vec::new();
    for ci in cs.range_of(o) {
        let c = &cs.candidates[ci];
        let key = |k: usize| {
            let x = &cs.candidates[k];
            (x.late_days, x.package.total())
        };
        match best.iter_mut().find(|(n, _)| *n == c.node) {
            Some(b) => {
                let (l1, p1) = key(ci);
                let (l2, p2) = key(b.1);
                if l1 < l2 || (l1 == l2 && p1 < p2) {
                    b.1 = ci;
                }
            }
            None => best.push((c.node, ci)),
        }
    }
    best
}

/// Distance from each chosen candidate's node to the customer.
fn miles(cs: &CandidateSet, ci: usize) -> f64 {
    cs.candidates[ci].miles
}

/// Fills lines from the nodes in `order_of_nodes`, top-down, within the order's
/// package limit.
fn fill_top_down(
    s: &Scenario,
    cs: &CandidateSet,
    left: &Remaining,
    o: OrderIdx,
    list: &[(NodeIdx, usize)],
) -> Vec<Assignment> {
    let order = &s.orders[o];
    let limit = order.max_packages;
    let mut open: Vec<Assignment> = Vec::new();
    let mut used: Vec<(NodeIdx, SkuIdx, u32)> = Vec::new(); // (node, sku, units) taken in this order
    let mut node_units: Vec<(NodeIdx, u32)> = Vec::new();
    for (k, l) in order.lines.iter().enumerate() {
        let mut need = l.quantity;
        for &(n, ci) in list {
            if need == 0 {
                break;
            }
            let c = &cs.candidates[ci];
            if !c.lines.iter().any(|x| x.line == k) {
                continue;
            }
            let is_open = open.iter().any(|a| a.candidate == ci);
            if !is_open && (limit.is_some_and(|m| open.len() as u32 >= m) || !left.can_open(n)) {
                continue;
            }
            let taken: u32 = used
                .iter()
                .filter(|u| u.0 == n && u.1 == l.sku)
                .map(|u| u.2)
                .sum();
            let so_far: u32 = node_units.iter().filter(|u| u.0 == n).map(|u| u.1).sum();
            let mut avail = left.available(n, l.sku).saturating_sub(taken);
            if let Some(u) = left.units_left(n) {
                avail = avail.min(u.saturating_sub(so_far));
            }
            let take = need.min(avail);
            if take == 0 {
                continue;
            }
            used.push((n, l.sku, take));
            node_units.push((n, take));
            match open.iter_mut().find(|a| a.candidate == ci) {
                Some(a) => a.units.push((k, take)),
                None => open.push(Assignment {
                    candidate: ci,
                    units: vec![(k, take)],
                }),
            }
            need -= take;
        }
    }
    open
}

/// Whether node `n` can ship every line of the order in full now.
fn has_everything(
    s: &Scenario,
    cs: &CandidateSet,
    left: &Remaining,
    o: OrderIdx,
    n: NodeIdx,
    ci: usize,
) -> bool {
    let order = &s.orders[o];
    let c = &cs.candidates[ci];
    let units: u32 = order.lines.iter().map(|l| l.quantity).sum();
    left.can_open(n)
        && left.units_left(n).is_none_or(|u| u >= units)
        && order.lines.iter().enumerate().all(|(k, l)| {
            // Lines of one SKU draw on the same stock.
            let same_sku = order.units_of(l.sku);
            c.lines.iter().any(|x| x.line == k) && left.available(n, l.sku) >= same_sku
        })
}

fn route(
    s: &Scenario,
    cs: &CandidateSet,
    left: &Remaining,
    o: OrderIdx,
    rule: Rule,
) -> Vec<Assignment> {
    let order = &s.orders[o];
    let mut list = node_choices(cs, o);
    match rule {
        Rule::Ranked => list.sort_by(|a, b| {
            let ra = s.nodes[a.0].rank.unwrap_or(f64::INFINITY);
            let rb = s.nodes[b.0].rank.unwrap_or(f64::INFINITY);
            ra.total_cmp(&rb)
                .then_with(|| s.nodes[a.0].id.cmp(&s.nodes[b.0].id))
        }),
        Rule::Closest | Rule::Shopify => list.sort_by(|a, b| {
            let in_a = s.nodes[a.0].market != order.market;
            let in_b = s.nodes[b.0].market != order.market;
            let market = if rule == Rule::Shopify {
                in_a.cmp(&in_b)
            } else {
                std::cmp::Ordering::Equal
            };
            market
                .then(miles(cs, a.1).total_cmp(&miles(cs, b.1)))
                .then(a.0.cmp(&b.0))
        }),
    }
    if let Some(p) = order.pickup_node {
        // Pickup: the store's own stock first, then transfers in the rule's order.
        list.sort_by_key(|x| x.0 != p);
    }
    let whole = |x: &(NodeIdx, usize)| has_everything(s, cs, left, o, x.0, x.1);
    if order.ship_complete {
        // One location with everything, first in the rule's order, or nothing.
        return match list.iter().find(|x| whole(x)) {
            Some(&(_, ci)) => vec![Assignment::whole_order(ci, order)],
            None => Vec::new(),
        };
    }
    if rule == Rule::Shopify {
        if let Some(&x) = list.iter().find(|x| whole(x)) {
            return fill_top_down(s, cs, left, o, &[x]);
        }
        // Greedy cover: the location covering most missing units next.
        let mut chosen: Vec<(NodeIdx, usize)> = Vec::new();
        let mut missing: Vec<u32> = order.lines.iter().map(|l| l.quantity).collect();
        loop {
            let mut best: Option<(u32, usize)> = None;
            for (pos, &(n, ci)) in list.iter().enumerate() {
                if chosen.iter().any(|c| c.0 == n) || !left.can_open(n) {
                    continue;
                }
                let c = &cs.candidates[ci];
                let cover: u32 = order
                    .lines
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| c.lines.iter().any(|x| x.line == *k))
                    .map(|(k, l)| missing[k].min(left.available(n, l.sku)))
                    .sum();
                if cover > 0 && best.is_none_or(|b| cover > b.0) {
                    best = Some((cover, pos));
                }
            }
            let Some((_, pos)) = best else { break };
            let (n, ci) = list[pos];
            chosen.push((n, ci));
            let c = &cs.candidates[ci];
            for (k, l) in order.lines.iter().enumerate() {
                if c.lines.iter().any(|x| x.line == k) {
                    missing[k] -= missing[k].min(left.available(n, l.sku));
                }
            }
            if missing.iter().all(|&m| m == 0) {
                break;
            }
        }
        return fill_top_down(s, cs, left, o, &chosen);
    }
    fill_top_down(s, cs, left, o, &list)
}

/// The plan of a rule-based router for the whole wave.
pub fn route_wave(s: &Scenario, cs: &CandidateSet, rule: Rule) -> Vec<Assignment> {
    let mut left = Remaining::new(s);
    let mut plan = Vec::new();
    for o in arrival_order(s) {
        for a in route(s, cs, &left, o, rule) {
            left.take(s, cs, &a);
            plan.push(a);
        }
    }
    plan
}
