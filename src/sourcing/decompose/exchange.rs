//! Package slots exchanged at nodes out of package capacity. A plan can
//! leave units unfilled whose stock is left only at nodes whose package
//! capacity the plan uses up, while some orders holding a slot there could
//! ship from elsewhere for little more: on peak-xl seed 2 the 30 3PLs were
//! full and 15,264 units (0.92M of penalties) were left unfilled of SKUs
//! whose stock was left only there. A local search re-solves one order at
//! a time and cannot see such a move: it takes two orders at once, one
//! leaving the node and one entering it.

use std::time::Instant;

use rayon::prelude::*;

use crate::network::candidates::CandidateSet;
use crate::network::domain::{NodeIdx, OrderIdx, Scenario};
use crate::solution::assignment::Assignment;
use crate::solution::decode;
use crate::solution::remaining::Remaining;
use crate::sourcing::decompose::polish::{Own, fits, restrict_to, split_by_order, unfilled_lines};
use crate::sourcing::order_opt::{OrderPlan, OrderView, best_plan};

/// An order with units unfilled whose best plan, were a full node to give
/// it a package slot, opens one there and saves `gain`.
#[derive(Debug, Clone, Copy)]
struct Wanting {
    order: OrderIdx,
    node: NodeIdx,
    gain: f64,
}

/// An order with one package at a full node some order wants, whose best
/// plan without that node costs `loss` more.
#[derive(Debug, Clone, Copy)]
struct Yielding {
    order: OrderIdx,
    node: NodeIdx,
    loss: f64,
}

/// Gains smaller than this are not worth an exchange (rounding).
const LEAST_GAIN: f64 = 1e-6;

/// Rounds of exchanges at most: each order takes part in one exchange per
/// round, and a round's pairs are found against the plan as it was.
const ROUNDS: usize = 8;

/// Exchanges package slots at the full nodes of `plan`: per full node, the
/// orders that would gain most from a slot there, against the orders there
/// that lose least by leaving, paired while the gain exceeds the loss. Each
/// pair is then re-solved in turn against what the plan leaves (the leaving
/// order first, without the node; then the entering one) and kept only if
/// both fit and the two cost less together. Rounds follow until one makes
/// no exchange (at most [`ROUNDS`]). Never dearer; the same on any number
/// of threads. Past `deadline` no pair is tried. Returns the plan and the
/// exchanges made.
pub fn exchange_slots(
    s: &Scenario,
    cs: &CandidateSet,
    plan: Vec<Assignment>,
    deadline: Instant,
) -> (Vec<Assignment>, usize) {
    let (mut by_order, mut left) = split_by_order(s, cs, plan);
    let mut made = 0;
    for _ in 0..ROUNDS {
        let round = exchange_round(s, cs, &mut by_order, &mut left, deadline);
        made += round;
        if round == 0 {
            break;
        }
    }
    (by_order.into_iter().flatten().collect(), made)
}

/// One round of [`exchange_slots`]: the exchanges made.
fn exchange_round(
    s: &Scenario,
    cs: &CandidateSet,
    by_order: &mut [Vec<Assignment>],
    left: &mut Remaining,
    deadline: Instant,
) -> usize {
    let full: Vec<bool> = NodeIdx::all(s.nodes.len()).map(|n| !left.can_open(n)).collect();
    if !full.contains(&true) || Instant::now() >= deadline {
        return 0;
    }
    let wanting = wanting(s, cs, by_order, left, &full, deadline);
    let mut wanted = vec![false; s.nodes.len()];
    for w in &wanting {
        wanted[w.node.index()] = true;
    }
    let yielding = yielding(s, cs, by_order, left, &wanted, deadline);
    let mut touched = vec![false; s.orders.len()];
    let mut made = 0;
    for (w, y) in pairs(wanting, yielding) {
        if Instant::now() >= deadline {
            break;
        }
        if touched[w.order.index()] || touched[y.order.index()] {
            continue;
        }
        if exchange(s, cs, by_order, left, w, y) {
            made += 1;
            touched[w.order.index()] = true;
            touched[y.order.index()] = true;
        }
    }
    made
}

/// The orders with units unfilled whose best plan, with every full node
/// free to open, opens exactly one package at a full node where they hold
/// none, and is cheaper than theirs (those looked at before `deadline`).
fn wanting(
    s: &Scenario,
    cs: &CandidateSet,
    by_order: &[Vec<Assignment>],
    left: &Remaining,
    full: &[bool],
    deadline: Instant,
) -> Vec<Wanting> {
    let short: Vec<OrderIdx> = OrderIdx::all(s.orders.len())
        .filter(|&o| !unfilled_lines(s, cs, o, &by_order[o.index()]).is_empty())
        .collect();
    short
        .par_iter()
        .filter_map(|&o| {
            if Instant::now() >= deadline {
                return None;
            }
            let current = &by_order[o.index()];
            let own = Own::of(s, cs, current);
            let best = best_by_own(s, cs, o, &own, |_| true, |n| full[n.index()], left);
            let gain = decode::order_cost(s, cs, o, current) - best.cost;
            let mut entered = best
                .assignments
                .iter()
                .map(|a| cs.candidates[a.candidate].node)
                .filter(|&n| !own.can_open(left, n));
            let node = entered.next()?;
            (entered.next().is_none() && gain > LEAST_GAIN).then_some(Wanting { order: o, node, gain })
        })
        .collect()
}

/// The orders with exactly one package at a `wanted` node and none at
/// another, with what their best plan without that node costs them more
/// (those looked at before `deadline`).
fn yielding(
    s: &Scenario,
    cs: &CandidateSet,
    by_order: &[Vec<Assignment>],
    left: &Remaining,
    wanted: &[bool],
    deadline: Instant,
) -> Vec<Yielding> {
    let holding: Vec<(OrderIdx, NodeIdx)> = by_order
        .iter()
        .enumerate()
        .filter_map(|(o, plan)| {
            let mut at = plan
                .iter()
                .map(|a| cs.candidates[a.candidate].node)
                .filter(|n| wanted[n.index()]);
            let node = at.next()?;
            at.next().is_none().then_some((OrderIdx::new(o), node))
        })
        .collect();
    holding
        .par_iter()
        .filter_map(|&(o, node)| {
            if Instant::now() >= deadline {
                return None;
            }
            let current = &by_order[o.index()];
            let own = Own::of(s, cs, current);
            let best = best_by_own(s, cs, o, &own, |n| n != node, |_| false, left);
            let loss = best.cost - decode::order_cost(s, cs, o, current);
            Some(Yielding { order: o, node, loss })
        })
        .collect()
}

/// Per node, the wanting orders from the largest gain down against the
/// yielding ones from the smallest loss up, while the gain exceeds the
/// loss; nodes in index order, ties by order index.
fn pairs(mut wanting: Vec<Wanting>, mut yielding: Vec<Yielding>) -> Vec<(Wanting, Yielding)> {
    wanting.sort_by(|a, b| a.node.cmp(&b.node).then(b.gain.total_cmp(&a.gain)).then(a.order.cmp(&b.order)));
    yielding.sort_by(|a, b| a.node.cmp(&b.node).then(a.loss.total_cmp(&b.loss)).then(a.order.cmp(&b.order)));
    let mut out = Vec::new();
    let mut ys = yielding.into_iter().peekable();
    for group in wanting.chunk_by(|a, b| a.node == b.node) {
        let node = group[0].node;
        while ys.next_if(|y| y.node < node).is_some() {}
        for &w in group {
            match ys.next_if(|y| y.node == node && w.gain > y.loss + LEAST_GAIN) {
                Some(y) if y.order != w.order => out.push((w, y)),
                Some(_) => {}
                None => break,
            }
        }
    }
    out
}

/// Order `y.order` leaves `y.node` for its best plan elsewhere, then order
/// `w.order` takes its best plan with the slot freed; kept if both fit and
/// cost less together than before, else everything is put back.
fn exchange(
    s: &Scenario,
    cs: &CandidateSet,
    by_order: &mut [Vec<Assignment>],
    left: &mut Remaining,
    w: Wanting,
    y: Yielding,
) -> bool {
    let cost = |o: OrderIdx, plan: &[Assignment]| decode::order_cost(s, cs, o, plan);
    let old_y = std::mem::take(&mut by_order[y.order.index()]);
    let old_w = std::mem::take(&mut by_order[w.order.index()]);
    let before = cost(y.order, &old_y) + cost(w.order, &old_w);
    for a in &old_y {
        left.give_back(s, cs, a);
    }
    let new_y = solve(s, cs, y.order, left, Some(y.node));
    let y_fits = fits(s, cs, left, &new_y);
    if y_fits {
        for a in &new_y {
            left.take(s, cs, a);
        }
        for a in &old_w {
            left.give_back(s, cs, a);
        }
        let new_w = solve(s, cs, w.order, left, None);
        let after = cost(y.order, &new_y) + cost(w.order, &new_w);
        if fits(s, cs, left, &new_w) && after < before - LEAST_GAIN {
            for a in &new_w {
                left.take(s, cs, a);
            }
            by_order[y.order.index()] = new_y;
            by_order[w.order.index()] = new_w;
            return true;
        }
        for a in &old_w {
            left.take(s, cs, a);
        }
        for a in &new_y {
            left.give_back(s, cs, a);
        }
    }
    for a in &old_y {
        left.take(s, cs, a);
    }
    by_order[y.order.index()] = old_y;
    by_order[w.order.index()] = old_w;
    false
}

/// Order `o`'s best plan over what `left` leaves plus its own units and
/// package slots (`own`), at the nodes `allowed` lets it use; a node
/// `full_ok` lets it open even when no slot is left there.
fn best_by_own(
    s: &Scenario,
    cs: &CandidateSet,
    o: OrderIdx,
    own: &Own,
    allowed: impl Fn(NodeIdx) -> bool,
    full_ok: impl Fn(NodeIdx) -> bool,
    left: &Remaining,
) -> OrderPlan {
    let mut v = OrderView::new(s, cs, o);
    restrict_to(
        &mut v,
        s,
        cs,
        o,
        |n, k| if allowed(n) { own.available(left, n, k) } else { 0 },
        |n| allowed(n) && (own.can_open(left, n) || full_ok(n)),
    );
    best_plan(&v)
}

/// Order `o`'s best plan within what `left` leaves, shipping nothing from
/// `without`.
fn solve(s: &Scenario, cs: &CandidateSet, o: OrderIdx, left: &Remaining, without: Option<NodeIdx>) -> Vec<Assignment> {
    let mut v = OrderView::new(s, cs, o);
    let barred = |n: NodeIdx| without == Some(n);
    restrict_to(
        &mut v,
        s,
        cs,
        o,
        |n, k| if barred(n) { 0 } else { left.available(n, k) },
        |n| !barred(n) && left.can_open(n),
    );
    best_plan(&v).assignments
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::settings::Strategy;
    use crate::network::candidates::{self, CandidateMode};
    use crate::network::lanes::Network;
    use crate::solution::check;
    use crate::solution::plan::SolveRecord;
    use crate::sourcing::decompose::polish::improve;
    use crate::sourcing::decompose::tests::tiny_capped_wave;

    fn far_deadline() -> Instant {
        Instant::now() + std::time::Duration::from_secs(3600)
    }

    fn checks(s: &Scenario, cs: &CandidateSet, plan: &[Assignment]) {
        let record = SolveRecord::heuristic(Strategy::GreedyCost, Default::default());
        let report = check::check(s, &decode::assemble(s, cs, plan, record));
        assert!(report.ok(), "{:?}", report.violations.first());
    }

    /// A 3PL with room for one package holds both SKUs; a far DC holds only
    /// the common one. The order placed first takes the 3PL's slot for the
    /// common SKU, so the next, for the rare SKU, is left unfilled.
    const ONE_SLOT: &str = r#"{
        "name": "one-slot", "wave_time": "2026-12-01T09:00",
        "nodes": [
            {"id": "tpl", "kind": "3pl", "lat": 41.0, "lon": -90.0, "handling_per_package": 1.0,
             "handling_per_unit": 0.2, "capacity_orders": 1, "services": [{"service": "ground"}]},
            {"id": "dc-far", "kind": "dc", "lat": 33.0, "lon": -90.0, "handling_per_package": 1.0,
             "handling_per_unit": 0.2, "services": [{"service": "ground"}]}
        ],
        "skus": [{"id": "common", "weight_lb": 1.0}, {"id": "rare", "weight_lb": 1.0}],
        "inventory": [
            {"node": "tpl", "sku": "common", "on_hand": 5},
            {"node": "tpl", "sku": "rare", "on_hand": 5},
            {"node": "dc-far", "sku": "common", "on_hand": 5}
        ],
        "orders": [
            {"id": "first", "placed_at": "2026-12-01T08:00", "lat": 41.3, "lon": -90.0,
             "lines": [{"sku": "common", "quantity": 1, "unfilled_penalty": 60.0}]},
            {"id": "second", "placed_at": "2026-12-01T08:30", "lat": 41.3, "lon": -90.0,
             "lines": [{"sku": "rare", "quantity": 1, "unfilled_penalty": 60.0}]}
        ]
    }"#;

    #[test]
    fn an_order_whose_stock_is_only_at_a_full_node_takes_the_slot_of_one_that_can_ship_from_elsewhere() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("one-slot.json");
        std::fs::write(&path, ONE_SLOT).expect("written");
        let (s, _) = crate::load_scenario(&path, "us-parcel", &[]).expect("a valid wave");
        let cs = candidates::generate(&s, &Network::build(&s), CandidateMode::Exact);
        let start = improve(&s, &cs, Vec::new(), far_deadline());
        let second = OrderIdx::new(1);
        assert!(!unfilled_lines(&s, &cs, second, &split_by_order(&s, &cs, start.clone()).0[1]).is_empty());
        let before = decode::plan_cost(&s, &cs, &start);
        let (plan, made) = exchange_slots(&s, &cs, start, far_deadline());
        assert_eq!(made, 1);
        let (by_order, _) = split_by_order(&s, &cs, plan.clone());
        for o in OrderIdx::all(2) {
            assert!(unfilled_lines(&s, &cs, o, &by_order[o.index()]).is_empty(), "{o:?} filled");
        }
        assert!(decode::plan_cost(&s, &cs, &plan) < before - 1.0);
        checks(&s, &cs, &plan);
    }

    #[test]
    fn exchanged_slots_never_make_a_plan_dearer_and_give_the_same_plan_on_any_threads() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        for seed in 1..=4u64 {
            let (s, cs) = tiny_capped_wave(dir.path(), seed, 400);
            let start = improve(&s, &cs, Vec::new(), far_deadline());
            let on = |threads: usize| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .expect("a thread pool")
                    .install(|| exchange_slots(&s, &cs, start.clone(), far_deadline()))
            };
            let (one, two) = (on(1), on(2));
            assert_eq!(one, two, "seed {seed}: one thread or two");
            let (after, before) = (decode::plan_cost(&s, &cs, &two.0), decode::plan_cost(&s, &cs, &start));
            assert!(after <= before + 1e-9, "seed {seed}: {after} > {before}");
            checks(&s, &cs, &two.0);
            let (past, none) = exchange_slots(&s, &cs, start.clone(), Instant::now());
            assert_eq!((decode::plan_cost(&s, &cs, &past), none), (before, 0), "seed {seed}: past the deadline");
        }
    }
}
