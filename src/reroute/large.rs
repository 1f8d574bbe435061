//! Large re-plans by column generation. An outage of a busy node on a
//! peak-m wave frees thousands of orders, whose joint MIP HiGHS does not
//! finish in a minute; the decomposition that solves whole waves
//! ([`crate::sourcing::decompose`]) does. It runs on a residual wave: the
//! free orders alone, with the stock and capacity that the kept packages
//! leave, each previous package's keep bonus taken off its package cost and
//! the banned candidates left out. That is the steered MIP's model exactly
//! (models/README.md, "Re-plans"), so the decomposition's bound is a bound
//! on the re-plan's objective.
//!
//! Orders with a picked package (forced, with its units) do not fit a
//! residual wave; they are solved afterwards by the steered MIP with every
//! other package fixed, and the re-plan then has no bound.

use std::time::Instant;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::input::settings::Settings;
use crate::network::candidates::CandidateSet;
use crate::network::domain::{NodeIdx, OrderIdx, Scenario, SkuIdx};
use crate::solution::assignment::Assignment;
use crate::solution::decode;
use crate::solution::plan::Status;
use crate::sourcing::baselines::greedy;
use crate::sourcing::decompose::{self, Coupling};
use crate::sourcing::formulation::{self, MipResult, Steering};

/// Free sets of at least this many orders are re-planned by column
/// generation; smaller ones by the steered MIP, which proves its optimum.
/// On peak-s (300-500 free orders after an outage) the MIP took 2-60 s on
/// a shared machine and column generation 0.3-2 s, 0.01-0.25 % dearer
/// (README, "Re-plans after exceptions").
pub(super) const MIN_ORDERS: usize = 200;

/// The free orders re-planned by column generation on the residual wave,
/// or nothing when a keep bonus is above its package's cost (a negative
/// package cost, which the per-order search does not expect).
pub(super) fn solve(
    s: &Scenario,
    cs: &CandidateSet,
    free: &[OrderIdx],
    fixed: &[Assignment],
    steering: &Steering,
    settings: &Settings,
) -> Option<MipResult> {
    let bonus_fits = steering
        .keep_bonus
        .iter()
        .all(|(&ci, &b)| b <= cs.candidates[ci].package.total());
    if !bonus_fits {
        return None;
    }
    let start = Instant::now();
    let pinned: FxHashSet<OrderIdx> = steering.forced.iter().map(|a| cs.candidates[a.candidate].order).collect();
    let main: Vec<OrderIdx> = free.iter().copied().filter(|o| !pinned.contains(o)).collect();
    let taken: Vec<Assignment> = fixed.iter().chain(&steering.forced).cloned().collect();
    let rest = Residual::of(s, cs, &main, &taken, steering);
    let warm = greedy::greedy_cost(&rest.s, &rest.cs);
    let cp = Coupling::new(&rest.s, &rest.cs);
    let limits = decompose::Limits {
        target_gap: settings.mip_rel_gap,
        time_limit_s: settings.time_limit_s,
        max_iterations: 1_000,
        ascent_orders: decompose::ASCENT_ORDERS,
    };
    let out = match decompose::solve(&rest.s, &rest.cs, &cp, warm.clone(), limits, settings, &|_| {}) {
        Ok(out) => out,
        Err(e) => {
            let plan = rest.back(&warm);
            let cost = decode::plan_cost(&rest.s, &rest.cs, &warm);
            let mut r = result(Status::Fallback, None, plan, format!("column generation failed ({e}); the greedy plan"));
            r.message.push_str(&format!(", cost {cost:.2}"));
            return Some(finish_pinned(s, cs, &pinned, fixed, steering, settings, r));
        }
    };
    let gap = decode::relative_gap(out.cost, out.bound);
    let status = if gap <= 1e-9 {
        Status::Optimal
    } else if gap <= settings.mip_rel_gap {
        Status::GapLimit
    } else if start.elapsed().as_secs_f64() >= 0.99 * settings.time_limit_s {
        Status::TimeLimit
    } else if out.lp_converged && out.inexact_orders == 0 {
        Status::Converged
    } else {
        Status::Heuristic
    };
    let message = format!(
        "column generation over {} orders: {} rounds, {} columns, {} coupling rows, gap {:.3} %",
        main.len(),
        out.iterations,
        out.columns,
        out.rows,
        100.0 * gap
    );
    let bound = out.bound.is_finite().then_some(out.bound);
    let r = result(status, bound, rest.back(&out.assignments), message);
    Some(finish_pinned(s, cs, &pinned, fixed, steering, settings, r))
}

fn result(status: Status, best_bound: Option<f64>, plan: Vec<Assignment>, message: String) -> MipResult {
    MipResult {
        status,
        best_bound,
        assignments: Some(plan),
        message,
        rows: 0,
    }
}

/// The orders with a picked package, by the steered MIP with every other
/// package fixed; the whole then has no bound and is a heuristic plan.
fn finish_pinned(
    s: &Scenario,
    cs: &CandidateSet,
    pinned: &FxHashSet<OrderIdx>,
    fixed: &[Assignment],
    steering: &Steering,
    settings: &Settings,
    mut main: MipResult,
) -> MipResult {
    if pinned.is_empty() {
        return main;
    }
    let mut orders: Vec<OrderIdx> = pinned.iter().copied().collect();
    orders.sort_unstable();
    let placed: Vec<Assignment> = fixed.iter().chain(main.assignments.iter().flatten()).cloned().collect();
    let part = formulation::build_steered(s, cs, &orders, &placed, steering, None)
        .expect("no deadline")
        .solve(settings);
    let Some(more) = part.assignments else {
        return part;
    };
    main.assignments.get_or_insert_with(Vec::new).extend(more);
    main.status = Status::Heuristic;
    main.best_bound = None;
    main.message
        .push_str(&format!("; then {} orders with a picked package by the MIP ({})", orders.len(), part.status.as_str()));
    main
}

/// The free orders as a wave of their own: what the taken packages leave of
/// stock and capacity, and their candidates with the steering applied.
struct Residual {
    s: Scenario,
    cs: CandidateSet,
    /// The wave's candidate of each residual candidate.
    back: Vec<usize>,
}

impl Residual {
    fn of(s: &Scenario, cs: &CandidateSet, main: &[OrderIdx], taken: &[Assignment], steering: &Steering) -> Residual {
        let mut stock: FxHashMap<(NodeIdx, SkuIdx), u64> = FxHashMap::default();
        let mut packages: FxHashMap<NodeIdx, u64> = FxHashMap::default();
        let mut units: FxHashMap<NodeIdx, u64> = FxHashMap::default();
        for a in taken {
            let c = &cs.candidates[a.candidate];
            let n: u64 = a.units.iter().map(|&(_, q)| u64::from(q)).sum();
            if n == 0 {
                continue;
            }
            for &(line, q) in &a.units {
                *stock.entry((c.node, s.orders[c.order].lines[line].sku)).or_default() += u64::from(q);
            }
            *packages.entry(c.node).or_default() += 1;
            *units.entry(c.node).or_default() += n;
        }
        let less = |cap: u32, used: Option<&u64>| u32::try_from(u64::from(cap).saturating_sub(used.copied().unwrap_or(0))).unwrap_or(0);
        let mut rs = s.clone();
        rs.orders = main.iter().map(|&o| s.orders[o].clone()).collect();
        rs.atp = s.atp.iter().map(|(&key, &v)| (key, less(v, stock.get(&key)))).collect();
        for (i, node) in rs.nodes.iter_mut().enumerate() {
            let n = NodeIdx::new(i);
            node.capacity_orders = node.capacity_orders.map(|c| less(c, packages.get(&n)));
            node.capacity_units = node.capacity_units.map(|c| less(c, units.get(&n)));
        }
        let mut candidates = Vec::new();
        let mut by_order = Vec::with_capacity(main.len());
        let mut unfilled_penalty = Vec::with_capacity(main.len());
        let mut back = Vec::new();
        for (k, &o) in main.iter().enumerate() {
            let first = candidates.len();
            for ci in cs.range_of(o) {
                if steering.banned.contains(&ci) {
                    continue;
                }
                let mut c = cs.candidates[ci].clone();
                c.order = OrderIdx::new(k);
                // Keeping the previous package saves its move penalty: the
                // steered MIP's `- pen * y`, with `y` open only with units,
                // as every package of the per-order search is.
                c.package.handling -= steering.keep_bonus.get(&ci).copied().unwrap_or(0.0);
                candidates.push(c);
                back.push(ci);
            }
            by_order.push(first..candidates.len());
            unfilled_penalty.push(cs.unfilled_of(o).to_vec());
        }
        Residual {
            s: rs,
            cs: CandidateSet {
                candidates,
                by_order,
                unfilled_penalty,
                stats: cs.stats.clone(),
            },
            back,
        }
    }

    /// A residual plan in the wave's candidates.
    fn back(&self, plan: &[Assignment]) -> Vec<Assignment> {
        plan.iter()
            .map(|a| Assignment {
                candidate: self.back[a.candidate],
                units: a.units.clone(),
            })
            .collect()
    }
}
