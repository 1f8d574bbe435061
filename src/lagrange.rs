//! Peak-scale solving by Lagrangian decomposition. Orders interact only through
//! stock rows (node, SKU) and node capacity rows, and only those whose variables
//! could use more than the limit can bind. Pricing those rows splits the wave
//! into independent orders, each solved exactly by [`crate::order_opt`] (in parallel):
//!
//! ```text
//! L(pi) = sum_o min_o(cost + pi * use) - sum_r pi_r * limit_r
//! ```
//!
//! is a lower bound valid for the whole wave for any prices pi >= 0 (each order's
//! optimum is exact; an order whose search ran out of budget contributes its
//! valid root bound instead). Prices follow deflected subgradient steps; every few iterations a
//! repair turns the priced plans into a feasible plan (plans that fit are kept
//! in arrival order, the others re-routed exactly against what is left), and the
//! best plan and the best bound give a gap that is a proof.

use rustc_hash::FxHashMap as HashMap;
use std::time::Instant;

use rayon::prelude::*;

use crate::candidates::CandidateSet;
use crate::decode::{self, Assignment};
use crate::domain::{NodeIdx, Scenario, SkuIdx};
use crate::greedy::{Remaining, arrival_order};
use crate::order_opt::{OrderPlan, OrderView, best_plan};

/// Which limit a coupling row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Row {
    Stock(NodeIdx, SkuIdx),
    Packages(NodeIdx),
    Units(NodeIdx),
}

/// What the decomposition found.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Best feasible plan.
    pub assignments: Vec<Assignment>,
    /// Its cost.
    pub cost: f64,
    /// Best valid lower bound.
    pub bound: f64,
    /// Subgradient iterations.
    pub iterations: usize,
    /// Coupling rows that can bind.
    pub rows: usize,
    /// Orders whose exact search ran out of budget (bound weakened) in the last pass.
    pub inexact_orders: usize,
    /// Orders that share no row that can bind (solved once, exactly, alone).
    pub independent_orders: usize,
    /// Sizes (orders) of the connected components of orders linked by rows
    /// that can bind, largest first.
    pub component_sizes: Vec<usize>,
    /// Candidates used by some priced or repaired plan along the way: the
    /// promising part of the wave, for a restricted MIP.
    pub used_candidates: Vec<bool>,
}

/// Sizes of the components of orders linked by shared rows, largest first.
pub(crate) fn components(n: usize, rows: usize, order_rows: &[Vec<usize>]) -> Vec<usize> {
    // Union-find over orders, joined through the first order seen on each row.
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    let mut first = vec![usize::MAX; rows];
    for (o, rs) in order_rows.iter().enumerate() {
        for &r in rs {
            if first[r] == usize::MAX {
                first[r] = o;
            } else {
                let (a, b) = (find(&mut parent, first[r]), find(&mut parent, o));
                if a != b {
                    parent[a] = b;
                }
            }
        }
    }
    let mut size: HashMap<usize, usize> = HashMap::default();
    for o in 0..n {
        *size.entry(find(&mut parent, o)).or_default() += 1;
    }
    let mut v: Vec<usize> = size.into_values().collect();
    v.sort_unstable_by(|a, b| b.cmp(a));
    v
}

/// Share of the previous direction in the next one.
const DEFLECTION: f64 = 0.92;

/// Iterations between repairs.
const REPAIR_EVERY: usize = 3;

/// Settings of the decomposition.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Stop when (cost - bound) / cost is at most this.
    pub target_gap: f64,
    /// Wall-clock budget in seconds.
    pub time_limit_s: f64,
    /// Most subgradient iterations.
    pub max_iterations: usize,
}

pub(crate) struct Coupling {
    pub(crate) rows: Vec<Row>,
    pub(crate) limit: Vec<f64>,
    /// Rows each order touches.
    pub(crate) order_rows: Vec<Vec<usize>>,
    /// Per candidate: its package row, if any.
    pub(crate) cand_pkg_row: Vec<Option<usize>>,
    /// Per candidate and candidate line (in `lines` order): stock row and units row.
    pub(crate) cand_line_rows: Vec<Vec<(Option<usize>, Option<usize>)>>,
}

pub(crate) fn coupling(s: &Scenario, cs: &CandidateSet) -> Coupling {
    let mut ub: HashMap<Row, u64> = HashMap::default();
    for c in &cs.candidates {
        *ub.entry(Row::Packages(c.node)).or_default() += 1;
        for cl in &c.lines {
            let sku = s.orders[c.order].lines[cl.line].sku;
            *ub.entry(Row::Stock(c.node, sku)).or_default() += cl.max_units as u64;
            *ub.entry(Row::Units(c.node)).or_default() += cl.max_units as u64;
        }
    }
    let limit_of = |r: &Row| -> Option<u64> {
        match *r {
            Row::Stock(n, k) => Some(s.atp(n, k) as u64),
            Row::Packages(n) => s.nodes[n].capacity_orders.map(u64::from),
            Row::Units(n) => s.nodes[n].capacity_units.map(u64::from),
        }
    };
    let mut rows: Vec<(Row, u64)> = ub
        .into_iter()
        .filter_map(|(r, u)| limit_of(&r).filter(|&l| u > l).map(|l| (r, l)))
        .collect();
    rows.sort_by_key(|(r, _)| match *r {
        Row::Stock(n, k) => (0, n, k),
        Row::Packages(n) => (1, n, 0),
        Row::Units(n) => (2, n, 0),
    });
    let index: HashMap<Row, usize> = rows.iter().enumerate().map(|(k, (r, _))| (*r, k)).collect();
    let mut order_rows: Vec<Vec<usize>> = vec![Vec::new(); s.orders.len()];
    for c in &cs.candidates {
        let list = &mut order_rows[c.order];
        if let Some(&r) = index.get(&Row::Packages(c.node)) {
            list.push(r);
        }
        for cl in &c.lines {
            let sku = s.orders[c.order].lines[cl.line].sku;
            for row in [Row::Stock(c.node, sku), Row::Units(c.node)] {
                if let Some(&r) = index.get(&row) {
                    list.push(r);
                }
            }
        }
    }
    for l in &mut order_rows {
        l.sort_unstable();
        l.dedup();
    }
    let cand_pkg_row = cs
        .candidates
        .iter()
        .map(|c| index.get(&Row::Packages(c.node)).copied())
        .collect();
    let cand_line_rows = cs
        .candidates
        .iter()
        .map(|c| {
            let units = index.get(&Row::Units(c.node)).copied();
            c.lines
                .iter()
                .map(|cl| {
                    let sku = s.orders[c.order].lines[cl.line].sku;
                    (index.get(&Row::Stock(c.node, sku)).copied(), units)
                })
                .collect()
        })
        .collect();
    Coupling {
        limit: rows.iter().map(|(_, l)| *l as f64).collect(),
        rows: rows.into_iter().map(|(r, _)| r).collect(),
        order_rows,
        cand_pkg_row,
        cand_line_rows,
    }
}

/// The order's view with row prices added to its costs.
pub(crate) fn priced_view(
    s: &Scenario,
    cs: &CandidateSet,
    cp: &Coupling,
    price: &[f64],
    o: usize,
) -> OrderView {
    let mut v = OrderView::new(s, cs, o);
    if cp.order_rows[o].is_empty() {
        return v;
    }
    for (p, &ci) in v.cands.iter().enumerate() {
        if let Some(r) = cp.cand_pkg_row[ci] {
            v.pkg[p] += price[r];
        }
        for (cl, &(stock, units)) in cs.candidates[ci].lines.iter().zip(&cp.cand_line_rows[ci]) {
            if let Some((uc, _)) = v.line[p][cl.line].as_mut() {
                *uc += stock.map_or(0.0, |r| price[r]) + units.map_or(0.0, |r| price[r]);
            }
        }
    }
    v
}

/// Use of each row by a set of per-order plans.
pub(crate) fn usage(cs: &CandidateSet, cp: &Coupling, plans: &[OrderPlan]) -> Vec<f64> {
    let mut used = vec![0.0; cp.rows.len()];
    for plan in plans {
        for a in &plan.assignments {
            let c = &cs.candidates[a.candidate];
            if let Some(r) = cp.cand_pkg_row[a.candidate] {
                used[r] += 1.0;
            }
            for &(line, q) in &a.units {
                let k = c
                    .lines
                    .iter()
                    .position(|cl| cl.line == line)
                    .expect("line of its candidate");
                let (stock, units) = cp.cand_line_rows[a.candidate][k];
                for r in [stock, units].into_iter().flatten() {
                    used[r] += q as f64;
                }
            }
        }
    }
    used
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

/// A feasible plan from priced per-order plans: those that fit are kept in
/// arrival order; the others are re-routed exactly (at priced costs, which steer
/// away from scarce stock) against the stock and capacity left.
pub(crate) fn repair(
    s: &Scenario,
    cs: &CandidateSet,
    cp: &Coupling,
    price: &[f64],
    plans: &[OrderPlan],
) -> Vec<Assignment> {
    let mut left = Remaining::new(s);
    let mut out = Vec::new();
    let mut deferred = Vec::new();
    let order_seq = arrival_order(s);
    for &o in &order_seq {
        if fits(s, cs, &left, &plans[o].assignments) {
            for a in &plans[o].assignments {
                left.take(s, cs, a);
                out.push(a.clone());
            }
        } else {
            deferred.push(o);
        }
    }
    for o in deferred {
        let mut v = priced_view(s, cs, cp, price, o);
        restrict_to(&mut v, s, cs, &left, o);
        let mut plan = best_plan(&v).assignments;
        if !fits(s, cs, &left, &plan) {
            // The order's own search does not see a node's unit capacity shared
            // across its lines; the greedy router does.
            plan = crate::greedy::route_order(s, cs, &left, o);
        }
        for a in &plan {
            left.take(s, cs, a);
            out.push(a.clone());
        }
    }
    out
}

/// One improvement pass: each order in turn gives back what its packages take
/// and is re-solved exactly at true costs against what the others leave; the
/// new plan is kept when it is cheaper (and fits).
pub(crate) fn improve(s: &Scenario, cs: &CandidateSet, plan: Vec<Assignment>) -> Vec<Assignment> {
    let mut by_order: Vec<Vec<Assignment>> = vec![Vec::new(); s.orders.len()];
    let mut left = Remaining::new(s);
    for a in plan {
        left.take(s, cs, &a);
        by_order[cs.candidates[a.candidate].order].push(a);
    }
    for o in arrival_order(s) {
        for a in &by_order[o] {
            left.give_back(s, cs, a);
        }
        let mut v = OrderView::new(s, cs, o);
        restrict_to(&mut v, s, cs, &left, o);
        let fresh = best_plan(&v);
        let current = decode::order_cost(s, cs, o, &by_order[o]);
        if fresh.cost < current - 1e-9 && fits(s, cs, &left, &fresh.assignments) {
            by_order[o] = fresh.assignments;
        }
        for a in &by_order[o] {
            left.take(s, cs, a);
        }
    }
    by_order.into_iter().flatten().collect()
}

/// Limits a view to the stock and capacity left.
fn restrict_to(v: &mut OrderView, s: &Scenario, cs: &CandidateSet, left: &Remaining, o: usize) {
    for (p, &ci) in v.cands.iter().enumerate() {
        let c = &cs.candidates[ci];
        v.openable[p] = left.can_open(c.node);
        for (i, l) in s.orders[o].lines.iter().enumerate() {
            let avail = left.available(c.node, l.sku);
            if let Some((_, ub)) = v.line[p][i].as_mut() {
                *ub = (*ub).min(avail);
            }
            v.group_cap[p][i] = v.group_cap[p][i].min(avail);
        }
    }
}

/// Runs the decomposition, starting from a feasible plan `start`.
pub fn solve(s: &Scenario, cs: &CandidateSet, start: Vec<Assignment>, limits: Limits) -> Outcome {
    let t0 = Instant::now();
    let cp = coupling(s, cs);
    let n = s.orders.len();
    let mut price = vec![0.0; cp.rows.len()];
    let mut best = (decode::plan_cost(s, cs, &start), start);
    let mut best_bound = f64::NEG_INFINITY;
    let independent_orders = cp.order_rows.iter().filter(|r| r.is_empty()).count();

    let solve_all = |price: &[f64], which: &[usize], plans: &mut Vec<OrderPlan>| {
        let fresh: Vec<(usize, OrderPlan)> = which
            .par_iter()
            .map(|&o| (o, best_plan(&priced_view(s, cs, &cp, price, o))))
            .collect();
        for (o, p) in fresh {
            plans[o] = p;
        }
    };
    let mut plans: Vec<OrderPlan> = vec![
        OrderPlan {
            assignments: Vec::new(),
            cost: 0.0,
            bound: 0.0,
            exact: true,
        };
        n
    ];
    let all: Vec<usize> = (0..n).collect();
    let pass = Instant::now();
    solve_all(&price, &all, &mut plans);
    // What one pass over every order costs: the improvement pass at the end
    // runs only if it fits in the time left (so not after a loop cut by the
    // time limit: on peak-l, reserving that time cost more iterations than
    // the pass gained).
    let pass_s = pass.elapsed().as_secs_f64();
    let mut used_candidates = vec![false; cs.candidates.len()];
    let mark = |plans: &[OrderPlan], used: &mut Vec<bool>| {
        for a in plans.iter().flat_map(|p| &p.assignments) {
            used[a.candidate] = true;
        }
    };
    mark(&plans, &mut used_candidates);
    for a in &best.1 {
        used_candidates[a.candidate] = true;
    }

    let mut theta = 1.0;
    let mut direction = vec![0.0; cp.rows.len()];
    let mut since_improved = 0;
    let mut iterations = 0;
    loop {
        iterations += 1;
        let dual: f64 = plans.iter().map(|p| p.bound).sum::<f64>()
            - price.iter().zip(&cp.limit).map(|(p, l)| p * l).sum::<f64>();
        if dual > best_bound + 1e-9 * dual.abs().max(1.0) {
            best_bound = dual;
            since_improved = 0;
        } else {
            since_improved += 1;
            if since_improved >= 4 {
                theta *= 0.5;
                since_improved = 0;
            }
        }
        let used = usage(cs, &cp, &plans);
        let violated = used.iter().zip(&cp.limit).any(|(u, l)| u > l);
        // Repair is the dear part of an iteration: every few iterations, and
        // whenever the priced plans happen to be feasible.
        if !violated || iterations % REPAIR_EVERY == 1 {
            let candidate_plan: Vec<Assignment> = if violated {
                repair(s, cs, &cp, &price, &plans)
            } else {
                plans
                    .iter()
                    .flat_map(|p| p.assignments.iter().cloned())
                    .collect()
            };
            let cost = decode::plan_cost(s, cs, &candidate_plan);
            for a in &candidate_plan {
                used_candidates[a.candidate] = true;
            }
            if cost < best.0 - 1e-9 {
                best = (cost, candidate_plan);
            }
        }
        let gap = decode::relative_gap(best.0, best_bound);
        if gap <= limits.target_gap
            || iterations >= limits.max_iterations
            || t0.elapsed().as_secs_f64() >= limits.time_limit_s
            || theta < 1e-4
        {
            break;
        }
        // Subgradient step on the rows (prices stay >= 0).
        // Deflected direction (Camerini-Fratta-Maffioli): a share of the last
        // direction damps the zig-zag of plain subgradient steps.
        let g: Vec<f64> = used
            .iter()
            .zip(&cp.limit)
            .zip(&price)
            .zip(&direction)
            .map(|(((u, l), p), d)| {
                let raw = if *p <= 0.0 && u < l { 0.0 } else { u - l };
                raw + DEFLECTION * d
            })
            .collect();
        direction.clone_from(&g);
        let norm: f64 = g.iter().map(|x| x * x).sum();
        if norm <= 0.0 {
            break;
        }
        let step = theta * (best.0 - dual).max(1e-6) / norm;
        let mut changed = vec![false; cp.rows.len()];
        for r in 0..price.len() {
            let np = (price[r] + step * g[r]).max(0.0);
            if np != price[r] {
                price[r] = np;
                changed[r] = true;
            }
        }
        let touched: Vec<usize> = (0..n)
            .filter(|&o| cp.order_rows[o].iter().any(|&r| changed[r]))
            .collect();
        solve_all(&price, &touched, &mut plans);
        mark(&plans, &mut used_candidates);
    }
    // One improvement pass over the best plan: never dearer, often cheaper.
    if t0.elapsed().as_secs_f64() + pass_s <= limits.time_limit_s {
        let improved = improve(s, cs, best.1.clone());
        let cost = decode::plan_cost(s, cs, &improved);
        if cost < best.0 - 1e-9 {
            best = (cost, improved);
        }
    }
    Outcome {
        inexact_orders: plans.iter().filter(|p| !p.exact).count(),
        assignments: best.1,
        cost: best.0,
        bound: best_bound,
        iterations,
        rows: cp.rows.len(),
        independent_orders,
        component_sizes: components(n, cp.rows.len(), &cp.order_rows),
        used_candidates,
    }
}
