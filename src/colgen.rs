//! Peak-scale solving by column generation (Dantzig–Wolfe). Orders interact
//! only through the coupling rows that can bind (stock, node capacity); the
//! master LP chooses a convex combination of per-order plans (columns) under
//! those rows:
//!
//! ```text
//! min  sum_o sum_p c_op l_op
//! s.t. sum_o sum_p a_rop l_op <= limit_r   (dual -pi_r, pi_r >= 0)
//!      sum_p l_op = 1  for each order o    (dual mu_o)
//!      l >= 0
//! ```
//!
//! Its duals price the rows; each order then finds its cheapest plan at those
//! prices exactly ([`crate::order_opt`], in parallel). That plan enters the
//! master if its reduced cost is negative, and the priced optima give the
//! Lagrangian bound `sum_o min_o(c + pi a) - sum_r pi_r limit_r`, valid for the
//! whole wave at any prices. When no order finds a better plan the master LP
//! equals the bound (the Dantzig–Wolfe bound, never weaker than the compact
//! LP relaxation).
//!
//! Plans come from diving: orders whose LP plan is whole keep it, the rest are
//! re-solved by column generation over what the fixed ones leave, and so on
//! until every order has one plan. Leaving an order unfilled uses no row, so
//! every restricted master is feasible.

use std::collections::HashSet;
use std::time::Instant;

use rayon::prelude::*;

use crate::candidates::CandidateSet;
use crate::decode::{self, Assignment};
use crate::domain::Scenario;
use crate::lagrange::{self, Coupling, Limits, Outcome};
use crate::order_opt::{OrderPlan, OrderView, best_plan};
use crate::settings::Settings;
use crate::solve::{Master, MasterColumn, MasterLp};

/// Relative reduced cost below which a plan enters the master.
const ENTER: f64 = -1e-6;

/// A master LP value at or above this counts as a whole plan.
const WHOLE: f64 = 1.0 - 1e-6;

/// Most column-generation rounds within one dive step.
const DIVE_ROUNDS: usize = 8;

/// What the search needs to price and cost plans.
struct Ctx<'a> {
    s: &'a Scenario,
    cs: &'a CandidateSet,
    cp: &'a Coupling,
    settings: &'a Settings,
    trace: bool,
}

/// A per-order plan in a master: the order's packages, true cost and
/// coupling-row entries.
#[derive(Clone)]
struct Column {
    order: usize,
    assignments: Vec<Assignment>,
    data: MasterColumn,
}

impl Column {
    fn new(ctx: &Ctx, o: usize, plan: &[Assignment]) -> Column {
        let (cs, cp) = (ctx.cs, ctx.cp);
        let mut entries: Vec<(usize, f64)> = Vec::new();
        let mut add = |r: usize, v: f64| match entries.iter_mut().find(|(x, _)| *x == r) {
            Some(e) => e.1 += v,
            None => entries.push((r, v)),
        };
        for a in plan {
            if let Some(r) = cp.cand_pkg_row[a.candidate] {
                add(r, 1.0);
            }
            let c = &cs.candidates[a.candidate];
            for &(line, q) in &a.units {
                let k = c
                    .lines
                    .iter()
                    .position(|cl| cl.line == line)
                    .expect("line of its candidate");
                let (stock, units) = cp.cand_line_rows[a.candidate][k];
                for r in [stock, units].into_iter().flatten() {
                    add(r, q as f64);
                }
            }
        }
        entries.sort_unstable_by_key(|e| e.0);
        Column {
            order: o,
            assignments: plan.to_vec(),
            data: MasterColumn {
                cost: decode::order_cost(ctx.s, cs, o, plan),
                entries,
            },
        }
    }
}

/// A key that tells two plans of one order apart.
type PlanKey = (usize, Vec<(usize, Vec<(usize, u32)>)>);

fn plan_key(o: usize, plan: &[Assignment]) -> PlanKey {
    let mut k: Vec<(usize, Vec<(usize, u32)>)> = plan
        .iter()
        .map(|a| {
            let mut u = a.units.clone();
            u.sort_unstable();
            (a.candidate, u)
        })
        .collect();
    k.sort_unstable();
    (o, k)
}

/// A restricted master over some orders and row limits, with its columns.
struct Restricted {
    /// Orders, by convexity slot.
    orders: Vec<usize>,
    /// Slot of each order of the wave (usize::MAX if not in this master).
    slot: Vec<usize>,
    limit: Vec<f64>,
    master: Master,
    columns: Vec<Column>,
    pending: Vec<MasterColumn>,
    seen: HashSet<PlanKey>,
    /// Row prices each order's plan in `plans` was found at.
    priced_at: Vec<f64>,
    /// Each order's last priced plan (by slot).
    plans: Vec<Option<OrderPlan>>,
}

impl Restricted {
    fn new(ctx: &Ctx, orders: Vec<usize>, limit: Vec<f64>) -> Result<Restricted, String> {
        let rows = limit.len();
        let mut slot = vec![usize::MAX; ctx.s.orders.len()];
        for (k, &o) in orders.iter().enumerate() {
            slot[o] = k;
        }
        let mut lower = vec![f64::NEG_INFINITY; rows];
        lower.extend(std::iter::repeat_n(1.0, orders.len()));
        let mut upper = limit.clone();
        upper.extend(std::iter::repeat_n(1.0, orders.len()));
        let master = Master::new(&lower, &upper, ctx.settings)?;
        let mut r = Restricted {
            plans: vec![None; orders.len()],
            orders,
            slot,
            priced_at: vec![f64::NAN; rows],
            limit,
            master,
            columns: Vec::new(),
            pending: Vec::new(),
            seen: HashSet::new(),
        };
        // Leaving an order unfilled uses no row: the master is always feasible.
        for o in r.orders.clone() {
            r.offer(Column::new(ctx, o, &[]));
        }
        Ok(r)
    }

    /// Adds a column unless the order already has that plan.
    fn offer(&mut self, col: Column) {
        if self.seen.insert(plan_key(col.order, &col.assignments)) {
            let mut m = col.data.clone();
            m.entries
                .push((self.limit.len() + self.slot[col.order], 1.0));
            self.pending.push(m);
            self.columns.push(col);
        }
    }

    fn solve_lp(&mut self, time_limit_s: f64) -> Result<MasterLp, String> {
        self.master.add_columns(&self.pending)?;
        self.pending.clear();
        self.master.solve_lp(time_limit_s)
    }

    /// Prices every order whose rows changed price at the LP's duals and
    /// offers the plans with negative reduced cost. Returns the prices, the
    /// sum of the orders' priced bounds and how many columns were offered.
    fn price(&mut self, ctx: &Ctx, lp: &MasterLp) -> (Vec<f64>, f64, usize) {
        let rows = self.limit.len();
        let price: Vec<f64> = lp.row_duals[..rows].iter().map(|d| (-d).max(0.0)).collect();
        let mu = &lp.row_duals[rows..];
        let changed: Vec<bool> = price
            .iter()
            .zip(&self.priced_at)
            .map(|(a, b)| a != b)
            .collect();
        let touched: Vec<usize> = (0..self.orders.len())
            .filter(|&k| {
                self.plans[k].is_none()
                    || ctx.cp.order_rows[self.orders[k]]
                        .iter()
                        .any(|&r| changed[r])
            })
            .collect();
        let fresh: Vec<(usize, OrderPlan)> = touched
            .par_iter()
            .map(|&k| {
                let o = self.orders[k];
                let mut v = lagrange::priced_view(ctx.s, ctx.cs, ctx.cp, &price, o);
                limit_view(&mut v, ctx, &self.limit);
                (k, best_plan(&v))
            })
            .collect();
        let before = self.pending.len();
        for (k, p) in fresh {
            if p.cost - mu[k] < ENTER * p.cost.abs().max(1.0) {
                self.offer(Column::new(ctx, self.orders[k], &p.assignments));
            }
            self.plans[k] = Some(p);
        }
        self.priced_at.clone_from(&price);
        let bounds = self.plans.iter().flatten().map(|p| p.bound).sum();
        (price, bounds, self.pending.len() - before)
    }
}

/// Caps a view's units by the row limits (a dive's leftover stock): a plan
/// that alone breaks a limit can never be chosen.
fn limit_view(v: &mut OrderView, ctx: &Ctx, limit: &[f64]) {
    for (p, &ci) in v.cands.iter().enumerate() {
        if let Some(r) = ctx.cp.cand_pkg_row[ci] {
            v.openable[p] &= limit[r] >= 1.0;
        }
        for (cl, &(stock, _)) in ctx.cs.candidates[ci]
            .lines
            .iter()
            .zip(&ctx.cp.cand_line_rows[ci])
        {
            if let Some(r) = stock {
                let cap = limit[r].max(0.0) as u32;
                if let Some((_, ub)) = v.line[p][cl.line].as_mut() {
                    *ub = (*ub).min(cap);
                }
                let g = v.group[cl.line];
                v.group_cap[p][g] = v.group_cap[p][g].min(cap);
            }
        }
    }
}

/// Per slot: the column with the largest LP value and that value.
fn heaviest(r: &Restricted, values: &[f64]) -> Vec<(f64, usize)> {
    let mut h = vec![(-1.0, usize::MAX); r.orders.len()];
    // Columns offered after the LP was solved have no value yet.
    for (j, col) in r.columns.iter().enumerate().take(values.len()) {
        let k = r.slot[col.order];
        if values[j] > h[k].0 {
            h[k] = (values[j], j);
        }
    }
    h
}

/// Dives from a master LP solution to one plan per order: whole LP plans are
/// fixed (at least the heaviest fractional one each step), the others re-solved
/// by column generation over what is left. `None` if time ran out.
fn dive(ctx: &Ctx, top: &Restricted, lp: &MasterLp, deadline: Instant) -> Option<Vec<Column>> {
    let mut chosen: Vec<Column> = Vec::new();
    let mut limit = top.limit.clone();
    let mut values = lp.columns.clone();
    let mut current: Option<Restricted> = None;
    let mut steps = 0;
    loop {
        let r = current.as_ref().unwrap_or(top);
        let h = heaviest(r, &values);
        // Fix whole plans; if none, the heaviest fractional ones that fit.
        let mut order: Vec<usize> = (0..h.len()).collect();
        order.sort_by(|&a, &b| h[b].0.total_cmp(&h[a].0).then(a.cmp(&b)));
        let mut fixed = vec![false; h.len()];
        let mut any_whole = false;
        for &k in &order {
            if h[k].0 < WHOLE {
                break;
            }
            any_whole = true;
            fixed[k] = true;
        }
        if steps == 0 && std::env::var_os("DOMOPT_FREE_NEIGHBOURS").is_some() {
            // Rows the fractional orders' LP plans use: whole plans on them stay free.
            let mut hot = vec![false; limit.len()];
            for (j, col) in r.columns.iter().enumerate().take(values.len()) {
                if !fixed[r.slot[col.order]] && values[j] > 1e-9 {
                    for &(row, _) in &col.data.entries {
                        if row < limit.len() {
                            hot[row] = true;
                        }
                    }
                }
            }
            for k in 0..h.len() {
                if fixed[k]
                    && r.columns[h[k].1]
                        .data
                        .entries
                        .iter()
                        .any(|&(row, _)| hot[row])
                {
                    fixed[k] = false;
                }
            }
        }
        let mut left = limit.clone();
        for k in (0..h.len()).filter(|&k| fixed[k]) {
            for &(row, a) in &r.columns[h[k].1].data.entries {
                left[row] -= a;
            }
        }
        if !any_whole {
            // Round up the heaviest fractional plans while they fit.
            let take = (h.len() / 4).max(1);
            for &k in order.iter().take(take) {
                let e = &r.columns[h[k].1].data.entries;
                if e.iter().all(|&(row, a)| left[row] - a >= -1e-6) {
                    for &(row, a) in e {
                        left[row] -= a;
                    }
                    fixed[k] = true;
                }
            }
        }
        for l in &mut left {
            *l = l.round();
        }
        let free: Vec<usize> = (0..h.len())
            .filter(|&k| !fixed[k])
            .map(|k| r.orders[k])
            .collect();
        chosen.extend(
            (0..h.len())
                .filter(|&k| fixed[k])
                .map(|k| r.columns[h[k].1].clone()),
        );
        steps += 1;
        if ctx.trace {
            eprintln!(
                "  dive step {steps}: {} fixed, {} free",
                h.len() - free.len(),
                free.len()
            );
        }
        if free.is_empty() {
            return Some(chosen);
        }
        // The free orders' columns that still fit, over what is left.
        if ctx.trace {
            let mut part = 0.0;
            let mut filtered = 0;
            let mut filtered_w = 0.0;
            for (j, col) in r.columns.iter().enumerate().take(values.len()) {
                let k = r.slot[col.order];
                if !fixed[k] && values[j] > 1e-9 {
                    part += values[j] * col.data.cost;
                    if !col.data.entries.iter().all(|&(row, a)| a <= left[row]) {
                        filtered += 1;
                        filtered_w += values[j];
                    }
                }
            }
            eprintln!(
                "    free part of the LP {part:.2}; {filtered} used columns filtered (weight {filtered_w:.2})"
            );
        }
        let mut next = Restricted::new(ctx, free, left.clone()).ok()?;
        for col in &r.columns {
            if next.slot[col.order] != usize::MAX
                && col.data.entries.iter().all(|&(row, a)| a <= left[row])
            {
                next.offer(col.clone());
            }
        }
        let mut lp = None;
        for _ in 0..DIVE_ROUNDS {
            let remaining = deadline
                .saturating_duration_since(Instant::now())
                .as_secs_f64();
            if remaining <= 0.0 {
                return None;
            }
            let sol = next.solve_lp(remaining).ok()?;
            let (_, _, added) = next.price(ctx, &sol);
            if ctx.trace {
                eprintln!("    round: lp {:.2} added {added}", sol.objective);
            }
            if added == 0 {
                lp = Some(sol);
                break;
            }
            lp = Some(sol);
        }
        // The LP over the columns offered in the last round.
        let remaining = deadline
            .saturating_duration_since(Instant::now())
            .as_secs_f64();
        let sol = if next.pending.is_empty() {
            lp?
        } else {
            next.solve_lp(remaining.max(0.01)).ok()?
        };
        if ctx.trace {
            let fixed_cost: f64 = chosen.iter().map(|c| c.data.cost).sum();
            eprintln!(
                "    fixed {fixed_cost:.2} + lp {:.2} = {:.2}",
                sol.objective,
                fixed_cost + sol.objective
            );
        }
        values = sol.columns;
        limit = left;
        current = Some(next);
    }
}

/// A plan from a master LP solution by a MIP over a neighbourhood: orders
/// whose LP plan is whole keep it unless it uses a row on which some
/// fractional order's LP plan cannot fit whole in what the kept plans leave;
/// the other orders choose among all their columns in a MIP over what is left
/// (HiGHS, cuts and all). `None` if the MIP found nothing in time.
fn neighbourhood_mip(
    ctx: &Ctx,
    top: &Restricted,
    lp: &MasterLp,
    offset: f64,
    gap: f64,
    deadline: Instant,
) -> Option<Vec<Column>> {
    let rows = top.limit.len();
    let values = &lp.columns;
    let h = heaviest(top, values);
    let mut keep: Vec<bool> = h.iter().map(|&(v, _)| v >= WHOLE).collect();
    let usage_of_kept = |keep: &[bool]| {
        let mut left = top.limit.clone();
        for k in (0..h.len()).filter(|&k| keep[k]) {
            for &(row, a) in &top.columns[h[k].1].data.entries {
                left[row] -= a;
            }
        }
        left
    };
    let left = usage_of_kept(&keep);
    let mut conflict = vec![false; rows];
    for (j, col) in top.columns.iter().enumerate().take(values.len()) {
        if !keep[top.slot[col.order]] && values[j] > 1e-9 {
            for &(row, a) in &col.data.entries {
                if row < rows && a > left[row] + 1e-6 {
                    conflict[row] = true;
                }
            }
        }
    }
    let fractional = keep.iter().filter(|k| !**k).count();
    for k in 0..h.len() {
        if keep[k]
            && top.columns[h[k].1]
                .data
                .entries
                .iter()
                .any(|&(row, _)| row < rows && conflict[row])
        {
            keep[k] = false;
        }
    }
    let left: Vec<f64> = usage_of_kept(&keep).iter().map(|l| l.round()).collect();
    let free: Vec<usize> = (0..h.len())
        .filter(|&k| !keep[k])
        .map(|k| top.orders[k])
        .collect();
    let kept: Vec<Column> = (0..h.len())
        .filter(|&k| keep[k])
        .map(|k| top.columns[h[k].1].clone())
        .collect();
    if ctx.trace {
        eprintln!(
            "  neighbourhood: {fractional} fractional, {} conflict rows, {} free orders",
            conflict.iter().filter(|c| **c).count(),
            free.len()
        );
    }
    let mut sub = Restricted::new(ctx, free, left.clone()).ok()?;
    for col in &top.columns {
        if sub.slot[col.order] != usize::MAX
            && col
                .data
                .entries
                .iter()
                .all(|&(row, a)| row >= rows || a <= left[row])
        {
            sub.offer(col.clone());
        }
    }
    sub.master.add_columns(&sub.pending).ok()?;
    sub.pending.clear();
    let kept_cost: f64 = kept.iter().map(|c| c.data.cost).sum();
    sub.master.set_offset(offset + kept_cost).ok()?;
    let remaining = deadline
        .saturating_duration_since(Instant::now())
        .as_secs_f64();
    let values = sub.master.solve_integer(remaining, gap)?;
    let mut out = kept;
    out.extend(
        sub.columns
            .iter()
            .zip(&values)
            .filter(|(_, v)| **v > 0.5)
            .map(|(c, _)| c.clone()),
    );
    Some(out)
}

/// Runs column generation from a feasible plan `start`.
pub fn solve(
    s: &Scenario,
    cs: &CandidateSet,
    start: Vec<Assignment>,
    limits: Limits,
    settings: &Settings,
) -> Result<Outcome, String> {
    let t0 = Instant::now();
    let deadline = t0 + std::time::Duration::from_secs_f64(limits.time_limit_s.max(0.0));
    let elapsed = || t0.elapsed().as_secs_f64();
    let cp = lagrange::coupling(s, cs);
    if std::env::var_os("DOMOPT_TRACE").is_some() {
        eprintln!("coupling rows in {:.2}s", t0.elapsed().as_secs_f64());
    }
    let ctx = Ctx {
        s,
        cs,
        cp: &cp,
        settings,
        trace: std::env::var_os("DOMOPT_TRACE").is_some(),
    };
    let n = s.orders.len();
    let rows = cp.rows.len();
    let coupled: Vec<usize> = (0..n).filter(|&o| !cp.order_rows[o].is_empty()).collect();

    // Orders that share no row that can bind: their own optimum, once.
    let independent: Vec<(usize, OrderPlan)> = (0..n)
        .into_par_iter()
        .filter(|&o| cp.order_rows[o].is_empty())
        .map(|o| (o, best_plan(&OrderView::new(s, cs, o))))
        .collect();
    let independent_bound: f64 = independent.iter().map(|(_, p)| p.bound).sum();
    let independent_cost: f64 = independent.iter().map(|(_, p)| p.cost).sum();
    let mut used_candidates = vec![false; cs.candidates.len()];
    for a in independent
        .iter()
        .flat_map(|(_, p)| &p.assignments)
        .chain(&start)
    {
        used_candidates[a.candidate] = true;
    }

    let mut top = Restricted::new(&ctx, coupled.clone(), cp.limit.clone())?;
    let mut start_by_order: Vec<Vec<Assignment>> = vec![Vec::new(); n];
    for a in &start {
        start_by_order[cs.candidates[a.candidate].order].push(a.clone());
    }
    for &o in &coupled {
        top.offer(Column::new(&ctx, o, &start_by_order[o]));
    }

    let with_independent = |cols: &[Column]| -> Vec<Assignment> {
        independent
            .iter()
            .flat_map(|(_, p)| p.assignments.iter().cloned())
            .chain(cols.iter().flat_map(|c| c.assignments.iter().cloned()))
            .collect()
    };
    let mut best = (decode::plan_cost(s, cs, &start), start);
    let mut best_bound = f64::NEG_INFINITY;
    let mut iterations = 0;
    let mut last_lp = None;
    let mut dived_at = f64::INFINITY;
    loop {
        iterations += 1;
        let remaining = limits.time_limit_s - elapsed();
        let tl = Instant::now();
        let lp = match top.solve_lp(remaining) {
            Ok(lp) => lp,
            Err(_) if elapsed() >= limits.time_limit_s => break,
            Err(e) => return Err(e),
        };
        let lp_s = tl.elapsed().as_secs_f64();
        let tl = Instant::now();
        let (price, bounds, added) = top.price(&ctx, &lp);
        let price_s = tl.elapsed().as_secs_f64();
        let bound = independent_bound + bounds
            - price.iter().zip(&cp.limit).map(|(p, l)| p * l).sum::<f64>();
        best_bound = best_bound.max(bound);
        for a in top.plans.iter().flatten().flat_map(|p| &p.assignments) {
            used_candidates[a.candidate] = true;
        }
        let lp_value = lp.objective + independent_cost;
        let lp_gap = decode::relative_gap(lp_value, best_bound);
        if ctx.trace {
            eprintln!(
                "cg {iterations:3} t={:.2}s (lp {lp_s:.2}s, price {price_s:.2}s) lp={lp_value:.2} bound={best_bound:.2} best={:.2} new={added} cols={}",
                elapsed(),
                best.0,
                top.columns.len(),
            );
        }
        // Dive once the LP is close to the bound (a dive from a poor LP is
        // wasted), and again only if the LP moved since.
        let converged = added == 0;
        if (converged || lp_gap <= limits.target_gap / 2.0)
            && (lp_value < dived_at - 1e-6 * lp_value.abs())
        {
            let t = Instant::now();
            dived_at = lp_value;
            let gap = 1.0 - (1.0 - limits.target_gap) * best_bound / best.0;
            let found = if std::env::var_os("DOMOPT_NMIP").is_some() {
                neighbourhood_mip(&ctx, &top, &lp, independent_cost, 1e-4, deadline)
            } else {
                dive(&ctx, &top, &lp, deadline)
            };
            if let Some(cols) = found {
                let plan = with_independent(&cols);
                let cost = decode::plan_cost(s, cs, &plan);
                if ctx.trace {
                    let sum: f64 = cols.iter().map(|c| c.data.cost).sum();
                    let distinct: HashSet<usize> = cols.iter().map(|c| c.order).collect();
                    let recomputed: f64 = cols
                        .iter()
                        .map(|c| decode::order_cost(s, cs, c.order, &c.assignments))
                        .sum();
                    eprintln!(
                        "  dive: cost {cost:.2} in {:.2}s (columns {sum:.2} recomputed {recomputed:.2} + independent {independent_cost:.2}; {} columns, {} orders of {})",
                        t.elapsed().as_secs_f64(),
                        cols.len(),
                        distinct.len(),
                        coupled.len()
                    );
                }
                for a in &plan {
                    used_candidates[a.candidate] = true;
                }
                if cost < best.0 - 1e-9 {
                    best = (cost, plan);
                }
            }
        }
        last_lp = Some(lp);
        let gap = decode::relative_gap(best.0, best_bound);
        if converged
            || gap <= limits.target_gap
            || iterations >= limits.max_iterations
            || elapsed() >= limits.time_limit_s
        {
            break;
        }
    }
    // Time left after the LP converged: improve the best plan order by order.
    let _ = last_lp;
    if elapsed() < limits.time_limit_s
        && decode::relative_gap(best.0, best_bound) > limits.target_gap
    {
        let improved = lagrange::improve(s, cs, best.1.clone());
        let cost = decode::plan_cost(s, cs, &improved);
        if cost < best.0 - 1e-9 {
            best = (cost, improved);
        }
    }
    let left = limits.time_limit_s - elapsed();
    if left > 0.1 && decode::relative_gap(best.0, best_bound) > limits.target_gap {
        let t = Instant::now();
        top.master.add_columns(&top.pending)?;
        top.pending.clear();
        top.master.set_offset(independent_cost)?;
        // Stop once the plan is within the target of the wave's bound.
        let gap = 1.0 - (1.0 - limits.target_gap) * best_bound / best.0;
        if let Some(values) = top.master.solve_integer(left, gap.max(1e-6)) {
            let cols: Vec<Column> = top
                .columns
                .iter()
                .zip(&values)
                .filter(|(_, v)| **v > 0.5)
                .map(|(c, _)| c.clone())
                .collect();
            let plan = with_independent(&cols);
            let cost = decode::plan_cost(s, cs, &plan);
            if ctx.trace {
                eprintln!(
                    "master MIP: cost {cost:.2} in {:.2}s",
                    t.elapsed().as_secs_f64()
                );
            }
            if cost < best.0 - 1e-9 {
                best = (cost, plan);
            }
        }
    }
    Ok(Outcome {
        inexact_orders: top.plans.iter().flatten().filter(|p| !p.exact).count()
            + independent.iter().filter(|(_, p)| !p.exact).count(),
        assignments: best.1,
        cost: best.0,
        bound: best_bound,
        iterations,
        rows,
        independent_orders: n - coupled.len(),
        component_sizes: lagrange::components(n, rows, &cp.order_rows),
        used_candidates,
    })
}
