//! The greedy router: orders in arrival order, each at its myopic cheapest,
//! drawing down shared stock and capacity. It is the fallback when the solver
//! gives no plan and the warm start handed to the solver.

use rustc_hash::FxHashMap as HashMap;

use crate::network::candidates::CandidateSet;
use crate::network::domain::{NodeIdx, OrderIdx, Scenario, SkuIdx};
use crate::solution::assignment::Assignment;
use crate::solution::remaining::Remaining;

/// Orders in arrival order: placement time, then input order.
pub fn arrival_order(s: &Scenario) -> Vec<OrderIdx> {
    let mut v: Vec<OrderIdx> = OrderIdx::all(s.orders.len()).collect();
    v.sort_by_key(|&o| (s.orders[o].placed_at, o));
    v
}

/// Routes one order at its myopic cheapest given what is left. A ship-complete
/// order takes its cheapest single full package (or nothing, if dearer than
/// leaving it unfilled). Otherwise lines are placed one at a time where their
/// units cost least, counting the package (and split penalty) when a package
/// must be opened, never above the unfilled penalty; this fill is tried from
/// scratch and seeded with each of the few nodes that carry the most lines,
/// and the cheapest result is kept.
pub fn route_order(
    s: &Scenario,
    cs: &CandidateSet,
    left: &Remaining,
    o: OrderIdx,
) -> Vec<Assignment> {
    let order = &s.orders[o];
    let range = cs.range_of(o);
    let max_pk = if order.ship_complete {
        Some(1)
    } else {
        order.max_packages
    };
    if order.ship_complete {
        // One package with every line in full, or nothing.
        let unfilled: f64 = order
            .lines
            .iter()
            .enumerate()
            .map(|(k, l)| cs.unfilled_of(o)[k] * l.quantity as f64)
            .sum();
        let best = range
            .clone()
            .filter(|&ci| left.can_open(cs.candidates[ci].node))
            .filter_map(|ci| {
                let c = &cs.candidates[ci];
                let mut cost = c.package.total();
                let mut units_needed = 0;
                for (k, l) in order.lines.iter().enumerate() {
                    let cl = c.lines.iter().find(|x| x.line == k)?;
                    // Lines of one SKU draw on the same stock.
                    let same_sku = order.units_of(l.sku);
                    if left.available(c.node, l.sku) < same_sku {
                        return None;
                    }
                    units_needed += l.quantity;
                    cost += cl.cost.total() * l.quantity as f64;
                }
                if let Some(u) = left.units_left(c.node)
                    && u < units_needed
                {
                    return None;
                }
                Some((cost, ci))
            })
            .min_by(|a, b| a.0.total_cmp(&b.0));
        return match best {
            Some((cost, ci)) if cost <= unfilled => vec![Assignment::whole_order(ci, order)],
            _ => Vec::new(),
        };
    }

    // Line by line from scratch, and seeded with each of the few nodes that
    // carry most of the order, so that "everything from one place" is seen.
    let mut seeds: Vec<(usize, f64, usize)> = range
        .clone()
        .map(|ci| {
            let c = &cs.candidates[ci];
            (c.lines.len(), c.package.total(), ci)
        })
        .collect();
    seeds.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut best = fill_lines(s, cs, left, o, max_pk, None);
    if order.lines.len() > 1 {
        for &(_, _, ci) in seeds.iter().take(SEEDS) {
            let trial = fill_lines(s, cs, left, o, max_pk, Some(ci));
            if trial.1 < best.1 - 1e-9 {
                best = trial;
            }
        }
    }
    best.0
}

/// Nodes tried as the first package of a multi-line order.
const SEEDS: usize = 4;

/// The line-by-line fill, optionally starting with package `seed` opened and
/// filled first; returns the packages and their cost including splits and
/// unfilled units.
fn fill_lines(
    s: &Scenario,
    cs: &CandidateSet,
    left: &Remaining,
    o: OrderIdx,
    max_pk: Option<u32>,
    seed: Option<usize>,
) -> (Vec<Assignment>, f64) {
    let order = &s.orders[o];
    let range = cs.range_of(o);
    let mut open: Vec<Assignment> = Vec::new();
    let mut used_stock: HashMap<(NodeIdx, SkuIdx), u32> = HashMap::default();
    let mut used_units: HashMap<NodeIdx, u32> = HashMap::default();
    let mut cost = 0.0;
    let mut need: Vec<u32> = order.lines.iter().map(|l| l.quantity).collect();
    if let Some(ci) = seed {
        let c = &cs.candidates[ci];
        if !left.can_open(c.node) {
            return (Vec::new(), f64::INFINITY);
        }
        let mut units = Vec::new();
        let mut taken_units = 0;
        for cl in &c.lines {
            let l = &order.lines[cl.line];
            let mut avail = left
                .available(c.node, l.sku)
                .saturating_sub(used_stock.get(&(c.node, l.sku)).copied().unwrap_or(0));
            if let Some(u) = left.units_left(c.node) {
                avail = avail.min(u - taken_units);
            }
            let take = need[cl.line].min(avail);
            if take > 0 {
                units.push((cl.line, take));
                need[cl.line] -= take;
                taken_units += take;
                cost += cl.cost.total() * take as f64;
                *used_stock.entry((c.node, l.sku)).or_default() += take;
            }
        }
        if units.is_empty() {
            return (Vec::new(), f64::INFINITY);
        }
        used_units.insert(c.node, taken_units);
        cost += c.package.total();
        open.push(Assignment {
            candidate: ci,
            units,
        });
    }
    for (k, l) in order.lines.iter().enumerate() {
        let penalty = cs.unfilled_of(o)[k];
        while need[k] > 0 {
            let mut best: Option<(f64, usize, u32)> = None;
            for ci in range.clone() {
                let c = &cs.candidates[ci];
                let Some(cl) = c.lines.iter().find(|x| x.line == k) else {
                    continue;
                };
                let is_open = open.iter().any(|a| a.candidate == ci);
                if !is_open {
                    // One service per node; package limits; node capacity.
                    if open
                        .iter()
                        .any(|a| cs.candidates[a.candidate].node == c.node)
                        || max_pk.is_some_and(|m| open.len() as u32 >= m)
                        || !left.can_open(c.node)
                    {
                        continue;
                    }
                }
                let opening = if is_open {
                    0.0
                } else {
                    c.package.total()
                        + if open.is_empty() {
                            0.0
                        } else {
                            s.policy.split_penalty
                        }
                };
                // Taking at most `need[k]` units, no unit costs less than
                // this: a candidate above the best so far cannot win, and the
                // stock lookups below (most of the time) are skipped.
                let floor = cl.cost.total() + opening / need[k] as f64;
                if best.is_some_and(|(b, _, _)| floor - 1e-9 * floor.abs().max(1.0) > b) {
                    continue;
                }
                let avail = left
                    .available(c.node, l.sku)
                    .saturating_sub(used_stock.get(&(c.node, l.sku)).copied().unwrap_or(0));
                let avail = match left.units_left(c.node) {
                    Some(u) => {
                        avail.min(u.saturating_sub(used_units.get(&c.node).copied().unwrap_or(0)))
                    }
                    None => avail,
                };
                let take = need[k].min(avail);
                if take == 0 {
                    continue;
                }
                let per_unit = (opening + cl.cost.total() * take as f64) / take as f64;
                if per_unit > penalty {
                    continue;
                }
                if best.is_none_or(|(b, bi, _)| per_unit < b || (per_unit == b && ci < bi)) {
                    best = Some((per_unit, ci, take));
                }
            }
            let Some((per_unit, ci, take)) = best else {
                break;
            };
            cost += per_unit * take as f64;
            let node = cs.candidates[ci].node;
            *used_stock.entry((node, l.sku)).or_default() += take;
            *used_units.entry(node).or_default() += take;
            match open.iter_mut().find(|a| a.candidate == ci) {
                Some(a) => match a.units.iter_mut().find(|(line, _)| *line == k) {
                    Some((_, q)) => *q += take,
                    None => a.units.push((k, take)),
                },
                None => open.push(Assignment {
                    candidate: ci,
                    units: vec![(k, take)],
                }),
            }
            need[k] -= take;
        }
        cost += penalty * need[k] as f64;
    }
    (open, cost)
}

/// The greedy plan of the whole wave.
pub fn greedy_cost(s: &Scenario, cs: &CandidateSet) -> Vec<Assignment> {
    let mut left = Remaining::new(s);
    let mut plan = Vec::new();
    for o in arrival_order(s) {
        for a in route_order(s, cs, &left, o) {
            left.take(s, cs, &a);
            plan.push(a);
        }
    }
    plan
}
