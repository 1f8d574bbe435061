//! A local search over a feasible plan: each order in turn gives back what
//! its packages take and is re-solved exactly, at true costs, against what
//! the others leave. Never dearer; often cheaper after a rounding.

use std::time::{Duration, Instant};

use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;

use crate::network::candidates::{Candidate, CandidateSet, ExactCandidates};
use crate::network::lanes::Network;
use crate::network::domain::{NodeIdx, OrderIdx, Scenario, SkuIdx};
use crate::solution::assignment::Assignment;
use crate::solution::decode;
use crate::solution::remaining::Remaining;
use crate::sourcing::baselines::greedy::arrival_order;
use crate::sourcing::order_opt::{OrderView, best_plan};

/// One improvement pass: each order is re-solved exactly at true costs
/// against what the others leave, and its new plan kept when it is cheaper
/// (and fits). The orders are solved in parallel against the plan as it
/// stands, then taken in arrival order: a plan that no longer fits what the
/// orders before it took is solved again against what is left then. The
/// result does not depend on the number of threads. Past `deadline` no
/// order is re-solved: the pass ends with the orders improved by then.
pub fn improve(
    s: &Scenario,
    cs: &CandidateSet,
    plan: Vec<Assignment>,
    deadline: Instant,
) -> Vec<Assignment> {
    improve_orders(s, cs, plan, &arrival_order(s), deadline)
}

/// [`improve`] over the orders `order` only (in that sequence).
fn improve_orders(
    s: &Scenario,
    cs: &CandidateSet,
    plan: Vec<Assignment>,
    order: &[OrderIdx],
    deadline: Instant,
) -> Vec<Assignment> {
    let (mut by_order, mut left) = split_by_order(s, cs, plan);
    let proposed: Vec<Option<Vec<Assignment>>> = order
        .par_iter()
        .map(|&o| {
            if Instant::now() >= deadline {
                return None;
            }
            let own = Own::of(s, cs, &by_order[o.index()]);
            let mut v = OrderView::new(s, cs, o);
            restrict_to(&mut v, s, cs, o, |n, k| own.available(&left, n, k), |n| {
                own.can_open(&left, n)
            });
            cheaper(s, cs, o, &by_order[o.index()], v)
        })
        .collect();
    for (&o, plan) in order.iter().zip(proposed) {
        let Some(plan) = plan else {
            continue;
        };
        let current = &mut by_order[o.index()];
        for a in current.iter() {
            left.give_back(s, cs, a);
        }
        if fits(s, cs, &left, &plan) {
            *current = plan;
        } else if Instant::now() < deadline {
            let mut v = OrderView::new(s, cs, o);
            restrict_to(&mut v, s, cs, o, |n, k| left.available(n, k), |n| left.can_open(n));
            // The view holds each line to the node's units left, not the
            // lines together: a plan may still overrun them.
            if let Some(plan) = cheaper(s, cs, o, current, v).filter(|p| fits(s, cs, &left, p)) {
                *current = plan;
            }
        }
        for a in current.iter() {
            left.take(s, cs, a);
        }
    }
    by_order.into_iter().flatten().collect()
}

/// A plan's assignments per order, and what the plan leaves.
pub(super) fn split_by_order(s: &Scenario, cs: &CandidateSet, plan: Vec<Assignment>) -> (Vec<Vec<Assignment>>, Remaining) {
    let mut by_order: Vec<Vec<Assignment>> = vec![Vec::new(); s.orders.len()];
    let mut left = Remaining::new(s);
    for a in plan {
        left.take(s, cs, &a);
        by_order[cs.candidates[a.candidate].order.index()].push(a);
    }
    (by_order, left)
}

/// Share of the time left that [`fill_from_every_candidate`]'s pass over
/// the orders left short may use (the set's rebuild and the re-solve come
/// after it).
const FILL_PASS_SHARE: f64 = 0.4;

/// Orders the pass makes between two looks at the clock.
const FILL_CHUNK: usize = 2048;

/// The orders of a plan made over pruned candidates that leave units
/// unfilled are given the candidates pruned from their sets at the nodes
/// that still hold stock of those units (full nodes too, where
/// [`super::exchange`] may free a package slot), and [`improve`] re-solves
/// them over the larger set. The stock is there but
/// out of their reach: on peak-xl seed 2 the plan left 21,239 units unfilled
/// (1.27M of penalties) of SKUs with stock left over. Returns the larger set
/// and the plan indexed into it, or the set and plan as given when no order
/// gains a candidate or the set's rebuild, taken to last `rebuild` (what
/// the set took to make), would not end before `deadline` (20M candidates
/// took 11-39 s on peak-xl, as the machine was quiet or busy).
pub fn fill_from_every_candidate(
    s: &Scenario,
    net: &Network,
    cs: CandidateSet,
    plan: Vec<Assignment>,
    rebuild: Duration,
    deadline: Instant,
    progress: &dyn Fn(&str),
) -> (CandidateSet, Vec<Assignment>, usize) {
    if Instant::now() >= deadline {
        return (cs, plan, 0);
    }
    let (by_order, left) = split_by_order(s, &cs, plan);
    let short: Vec<OrderIdx> = arrival_order(s)
        .into_iter()
        .filter(|&o| !unfilled_lines(s, &cs, o, &by_order[o.index()]).is_empty())
        .collect();
    let exact = ExactCandidates::new(s, net);
    let ceiling = |o: OrderIdx| decode::order_cost(s, &cs, o, &by_order[o.index()]);
    let offered = |o: OrderIdx, cands: &[Candidate]| -> Vec<Candidate> {
        let lines = unfilled_lines(s, &cs, o, &by_order[o.index()]);
        let kept = cs.of(o);
        cands
            .iter()
            .filter(|c| {
                // At full nodes too: [`super::exchange`] may free a slot.
                !kept.iter().any(|k| k.node == c.node && k.service == c.service)
                    && c.lines.iter().any(|l| {
                        lines.contains(&l.line) && left.available(c.node, s.orders[o].lines[l.line].sku) > 0
                    })
            })
            .cloned()
            .collect()
    };
    // In chunks, the earliest orders first, until its share of the time:
    // on a slow machine the pass over every short order could outlast the
    // whole reserve.
    let now = Instant::now();
    let pass_until = now + deadline.saturating_duration_since(now).mul_f64(FILL_PASS_SHARE);
    let mut gained: Vec<Vec<Candidate>> = Vec::with_capacity(short.len());
    for chunk in short.chunks(FILL_CHUNK) {
        if Instant::now() >= pass_until {
            break;
        }
        gained.extend(exact.map(chunk, ceiling, |o, _, cands, _| offered(o, cands)));
    }
    let mut added: Vec<(OrderIdx, Vec<Candidate>)> = short
        .iter()
        .copied()
        .zip(gained)
        .filter(|(_, c)| !c.is_empty())
        .collect();
    let given = added.len();
    if added.is_empty() {
        return (cs, by_order.into_iter().flatten().collect(), 0);
    }
    // Re-solved in arrival order (as `short`); added by order index, as
    // `into_with_added` reads them.
    let gains: Vec<OrderIdx> = added.iter().map(|(o, _)| *o).collect();
    added.sort_by_key(|(o, _)| *o);
    // The rebuild moves every candidate of the set: not started unless it
    // should end in time, at half as long again as `rebuild`.
    if Instant::now() + rebuild.mul_f64(1.5) >= deadline {
        progress(&format!("{given} orders gain candidates; no time to rebuild the set"));
        return (cs, by_order.into_iter().flatten().collect(), 0);
    }
    progress(&format!(
        "{given} orders gain candidates; rebuilding the set (expected {:.1} s)",
        rebuild.as_secs_f64()
    ));
    let first: Vec<usize> = (0..s.orders.len())
        .map(|o| cs.by_order[o].start)
        .collect();
    let larger = cs.into_with_added(added);
    // Each order's candidates keep their places at the start of its range.
    let plan: Vec<Assignment> = by_order
        .into_iter()
        .enumerate()
        .flat_map(|(o, plan)| {
            let (from, to) = (first[o], larger.by_order[o].start);
            plan.into_iter().map(move |a| Assignment {
                candidate: a.candidate - from + to,
                ..a
            })
        })
        .collect();
    progress("set rebuilt; re-solving the orders that gained candidates");
    let improved = improve_orders(s, &larger, plan, &gains, deadline);
    (larger, improved, given)
}

/// The lines of order `o` that its plan `plan` leaves (partly) unfilled.
pub(super) fn unfilled_lines(s: &Scenario, cs: &CandidateSet, o: OrderIdx, plan: &[Assignment]) -> Vec<usize> {
    let order = &s.orders[o];
    let mut shipped = vec![0u64; order.lines.len()];
    for a in plan {
        debug_assert_eq!(cs.candidates[a.candidate].order, o);
        for &(line, q) in &a.units {
            shipped[line] += u64::from(q);
        }
    }
    (0..order.lines.len())
        .filter(|&l| shipped[l] < u64::from(order.lines[l].quantity))
        .collect()
}

/// Order `o`'s best plan over the view `v`, if it costs less than `current`.
fn cheaper(
    s: &Scenario,
    cs: &CandidateSet,
    o: OrderIdx,
    current: &[Assignment],
    v: OrderView,
) -> Option<Vec<Assignment>> {
    let fresh = best_plan(&v);
    (fresh.cost < decode::order_cost(s, cs, o, current) - 1e-9).then_some(fresh.assignments)
}

/// What an order's own packages take: given back, it is left for the order.
pub(super) struct Own {
    /// Units per (node, SKU).
    stock: Vec<(NodeIdx, SkuIdx, u32)>,
    /// Packages and units per node.
    nodes: Vec<(NodeIdx, u32, u32)>,
}

impl Own {
    pub(super) fn of(s: &Scenario, cs: &CandidateSet, plan: &[Assignment]) -> Own {
        let mut own = Own {
            stock: Vec::new(),
            nodes: Vec::new(),
        };
        for a in plan {
            let c = &cs.candidates[a.candidate];
            let units: u32 = a.units.iter().map(|&(_, q)| q).sum();
            match own.nodes.iter_mut().find(|(n, _, _)| *n == c.node) {
                Some((_, p, u)) => (*p, *u) = (*p + 1, *u + units),
                None => own.nodes.push((c.node, 1, units)),
            }
            for &(line, q) in &a.units {
                own.stock.push((c.node, s.orders[c.order].lines[line].sku, q));
            }
        }
        own
    }

    /// `left.available(node, sku)` once the order's packages are given back.
    pub(super) fn available(&self, left: &Remaining, node: NodeIdx, sku: SkuIdx) -> u32 {
        let stock: u32 = self
            .stock
            .iter()
            .filter(|&&(n, k, _)| n == node && k == sku)
            .map(|&(_, _, q)| q)
            .sum();
        let stock = left.stock_left(node, sku) + stock;
        let (_, _, units) = self.node(node);
        left.units_left(node).map_or(stock, |u| stock.min(u + units))
    }

    /// `left.can_open(node)` once the order's packages are given back.
    pub(super) fn can_open(&self, left: &Remaining, node: NodeIdx) -> bool {
        let (_, packages, _) = self.node(node);
        left.packages_left(node).is_none_or(|p| p + packages > 0)
    }

    fn node(&self, node: NodeIdx) -> (NodeIdx, u32, u32) {
        self.nodes
            .iter()
            .find(|(n, _, _)| *n == node)
            .copied()
            .unwrap_or((node, 0, 0))
    }
}

/// Whether a plan fits what is left.
pub(super) fn fits(s: &Scenario, cs: &CandidateSet, left: &Remaining, plan: &[Assignment]) -> bool {
    let mut need: HashMap<(NodeIdx, SkuIdx), u32> = HashMap::default();
    let mut units: HashMap<NodeIdx, u32> = HashMap::default();
    let mut packages: HashMap<NodeIdx, u32> = HashMap::default();
    for a in plan {
        let c = &cs.candidates[a.candidate];
        *packages.entry(c.node).or_default() += 1;
        for &(line, q) in &a.units {
            let sku = s.orders[c.order].lines[line].sku;
            *need.entry((c.node, sku)).or_default() += q;
            *units.entry(c.node).or_default() += q;
        }
    }
    // Two packages from one node (two services) take two of its packages.
    packages
        .iter()
        .all(|(&n, &p)| left.packages_left(n).is_none_or(|l| l >= p))
        && need.iter().all(|(&(n, k), &q)| left.available(n, k) >= q)
        && units
            .iter()
            .all(|(&n, &q)| left.units_left(n).is_none_or(|u| u >= q))
}

/// Limits a view to the stock and capacity left: `available(node, sku)`
/// units, and packages at the nodes where `can_open(node)`.
pub(super) fn restrict_to(
    v: &mut OrderView,
    s: &Scenario,
    cs: &CandidateSet,
    o: OrderIdx,
    available: impl Fn(NodeIdx, SkuIdx) -> u32,
    can_open: impl Fn(NodeIdx) -> bool,
) {
    for (p, &ci) in v.cands.iter().enumerate() {
        let c = &cs.candidates[ci];
        v.openable[p] = can_open(c.node);
        for (i, l) in s.orders[o].lines.iter().enumerate() {
            let avail = available(c.node, l.sku);
            if let Some((_, ub)) = v.line[[p, i]].as_mut() {
                *ub = (*ub).min(avail);
            }
            v.group_cap[[p, i]] = v.group_cap[[p, i]].min(avail);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::settings::Strategy;
    use crate::network::candidates::CandidateMode;
    use crate::sourcing::decompose::tests::{tiny_capped_wave, tiny_wave};
    use crate::solution::check;
    use crate::solution::plan::SolveRecord;

    fn record() -> SolveRecord {
        SolveRecord::heuristic(Strategy::GreedyCost, Default::default())
    }

    fn improved_with(threads: usize, s: &Scenario, cs: &CandidateSet, plan: &[Assignment]) -> Vec<Assignment> {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a thread pool")
            .install(|| improve(s, cs, plan.to_vec(), far_deadline()))
    }

    fn far_deadline() -> Instant {
        Instant::now() + std::time::Duration::from_secs(3600)
    }

    #[test]
    fn orders_left_unfilled_over_pruned_candidates_fill_from_the_pruned_ones_and_the_plan_checks() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        for seed in 1..=4u64 {
            let (s, _) = tiny_capped_wave(dir.path(), seed, 400);
            let net = Network::build(&s);
            let pruned = crate::network::candidates::generate(&s, &net, CandidateMode::Pruned { k: 1 });
            // From nothing shipped (every order unfilled) and from the
            // local search's plan over the pruned candidates.
            let polished = improve(&s, &pruned, Vec::new(), far_deadline());
            for start in [Vec::new(), polished] {
                let before = decode::plan_cost(&s, &pruned, &start);
                let (larger, plan, given) =
                    fill_from_every_candidate(&s, &net, pruned.clone(), start.clone(), Duration::ZERO, far_deadline(), &|_| {});
                let after = decode::plan_cost(&s, &larger, &plan);
                assert!(after <= before + 1e-9, "seed {seed}: {after} > {before}");
                if start.is_empty() {
                    assert!(given > 0 && after < before - 1.0, "seed {seed}: nothing filled from nothing");
                }
                assert!(larger.candidates.len() >= pruned.candidates.len());
                for o in OrderIdx::all(s.orders.len()) {
                    assert_eq!(&larger.of(o)[..pruned.of(o).len()], pruned.of(o), "seed {seed}: order {o:?}'s own first");
                }
                let report = check::check(&s, &decode::assemble(&s, &larger, &plan, record()));
                assert!(report.ok(), "seed {seed}: {:?}", report.violations.first());
            }
        }
    }

    #[test]
    fn a_set_given_candidates_is_the_same_whether_copied_or_moved() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let (s, _) = tiny_wave(dir.path(), 2, 200);
        let net = Network::build(&s);
        let pruned = crate::network::candidates::generate(&s, &net, CandidateMode::Pruned { k: 1 });
        let exact = crate::network::candidates::generate(&s, &net, CandidateMode::Exact);
        let added: Vec<(OrderIdx, Vec<Candidate>)> = OrderIdx::all(s.orders.len())
            .step_by(3)
            .map(|o| (o, exact.of(o).iter().take(2).cloned().collect()))
            .collect();
        let copied = pruned.with_added(added.clone());
        let moved = pruned.clone().into_with_added(added);
        assert_eq!(copied.candidates, moved.candidates);
        assert_eq!(copied.by_order, moved.by_order);
        assert_eq!(copied.stats.kept, moved.stats.kept);
        assert!(copied.candidates.len() > pruned.candidates.len());
    }

    #[test]
    fn the_local_search_changes_nothing_past_its_deadline() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let (s, cs) = tiny_wave(dir.path(), 1, 400);
        let greedy = crate::sourcing::baselines::greedy::greedy_cost(&s, &cs);
        let past = improve(&s, &cs, greedy.clone(), Instant::now());
        assert_eq!(decode::plan_cost(&s, &cs, &past), decode::plan_cost(&s, &cs, &greedy));
        let later = improve(&s, &cs, greedy.clone(), far_deadline());
        assert!(decode::plan_cost(&s, &cs, &later) < decode::plan_cost(&s, &cs, &greedy) - 1e-9);
    }

    #[test]
    fn a_plan_of_two_packages_from_one_node_does_not_fit_where_one_package_is_left() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let (mut s, cs) = tiny_wave(dir.path(), 1, 400);
        let package = |c: usize| Assignment {
            candidate: c,
            units: vec![(cs.candidates[c].lines[0].line, 1)],
        };
        // Two packages of one order from one node (two services) that fit
        // its stock together.
        let everything = Remaining::new(&s);
        let plan = (0..cs.candidates.len())
            .flat_map(|a| (a + 1..cs.candidates.len()).map(move |b| (a, b)))
            .filter(|&(a, b)| {
                let (x, y) = (&cs.candidates[a], &cs.candidates[b]);
                x.order == y.order && x.node == y.node && !x.lines.is_empty() && !y.lines.is_empty()
            })
            .map(|(a, b)| [package(a), package(b)])
            .find(|plan| fits(&s, &cs, &everything, plan))
            .expect("an order with two services at one node");
        let node = cs.candidates[plan[0].candidate].node;
        s.nodes[node.index()].capacity_orders = Some(2);
        assert!(fits(&s, &cs, &Remaining::new(&s), &plan), "two packages fit in two");
        s.nodes[node.index()].capacity_orders = Some(1);
        let left = Remaining::new(&s);
        assert!(fits(&s, &cs, &left, &plan[..1]), "one package fits in one");
        assert!(!fits(&s, &cs, &left, &plan), "two packages do not");
    }

    #[test]
    fn the_local_search_fills_a_plan_within_every_limit_never_dearer_and_the_same_on_any_threads() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        for seed in 1..=6u64 {
            // Scarce stock: most orders compete for the same units, so many
            // plans found in parallel no longer fit when their turn comes;
            // on half the waves, also for nodes' units and packages.
            let (s, cs) = if seed % 2 == 0 {
                tiny_capped_wave(dir.path(), seed, 400)
            } else {
                tiny_wave(dir.path(), seed, 400)
            };
            // From nothing shipped, and from the greedy plan.
            let greedy = crate::sourcing::baselines::greedy::greedy_cost(&s, &cs);
            for start in [Vec::new(), greedy] {
                let before = decode::plan_cost(&s, &cs, &start);
                let one = improved_with(1, &s, &cs, &start);
                let two = improved_with(2, &s, &cs, &start);
                assert_eq!(one, two, "seed {seed}: one thread or two");
                let after = decode::plan_cost(&s, &cs, &two);
                assert!(after <= before + 1e-9, "seed {seed}: {after} > {before}");
                if start.is_empty() {
                    assert!(after < before - 1.0, "seed {seed}: nothing shipped from nothing");
                }
                let report = check::check(&s, &decode::assemble(&s, &cs, &two, record()));
                assert!(report.ok(), "seed {seed}: {:?}", report.violations.first());
            }
        }
    }
}
