//! Peak-scale solving by column generation (Dantzig–Wolfe). Orders interact
//! only through the coupling rows that can bind ([`crate::sourcing::decompose::coupling`]); the
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
//! prices exactly ([`crate::sourcing::order_opt`], in parallel). That plan enters the
//! master if its reduced cost is negative, and the priced optima give the
//! Lagrangian bound `sum_o min_o(c + pi a) - sum_r pi_r limit_r`, valid for the
//! whole wave at any prices. When no order finds a better plan the master LP
//! equals the bound (the Dantzig–Wolfe bound, never weaker than the compact
//! LP relaxation).
//!
//! Plans come from MIPs over neighbourhoods (HiGHS, whose cuts close most of
//! the gap the LP leaves). The first rounds the master LP: orders whose LP
//! plan is whole keep it unless it sits on a row where the fractional orders
//! conflict; the others choose among all their columns and two plans that
//! fit alone in what the kept plans leave. From then on each
//! neighbourhood starts from the best plan and frees the orders around the
//! rows with the highest prices (large neighbourhood search), one per pricing
//! round, solved beside the next round, and then until a pass over the priced
//! rows improves nothing.
//! Leaving an order unfilled uses no row, so every restricted master is
//! feasible.

pub mod coupling;
pub mod polish;

use std::collections::HashSet;
use std::time::Instant;

use rayon::prelude::*;

use crate::input::settings::Settings;
use crate::network::candidates::CandidateSet;
use crate::network::domain::Scenario;
use crate::solution::assignment::Assignment;
use crate::solution::decode;
use crate::solver::{Master, MasterColumn, MasterLp};
use crate::sourcing::decompose::coupling::{Coupling, RowPrices};
use crate::sourcing::order_opt::{OrderPlan, OrderView, best_plan};
use rustc_hash::FxHashMap;

/// Relative reduced cost below which a plan enters the master.
const ENTER: f64 = -1e-6;

/// A master LP value at or above this counts as a whole plan.
const WHOLE: f64 = 1.0 - 1e-6;

/// What the progress log calls a neighbourhood around the dearest rows.
const LNS: &str = "around the dearest rows";

/// Orders a neighbourhood around the dearest rows frees.
const NEIGHBOURHOOD_ORDERS: usize = 1_500;

/// Share of the time limit column generation may use before plans are
/// rounded from the master LP as it stands. The first rounding MIP of peak-l
/// takes about an eighth of its 60 s budget, and later neighbourhoods gain
/// less there than one more pricing round does for the bound.
const PRICING_SHARE: f64 = 0.8;

/// Settings of one run.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Stop when (cost - bound) / cost is at most this.
    pub target_gap: f64,
    /// Wall-clock budget in seconds.
    pub time_limit_s: f64,
    /// Most pricing rounds.
    pub max_iterations: usize,
}

/// Seconds spent in each part of a run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Phases {
    /// Finding the rows that can bind and the independent orders.
    pub coupling_s: f64,
    /// Solving the master LP.
    pub master_s: f64,
    /// Pricing orders.
    pub pricing_s: f64,
    /// Neighbourhood MIPs and the local search.
    pub primal_s: f64,
}

/// What a run found.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Best feasible plan.
    pub assignments: Vec<Assignment>,
    /// Its cost.
    pub cost: f64,
    /// Best valid lower bound of the wave.
    pub bound: f64,
    /// Value of the last master LP (with the independent orders).
    pub lp_value: Option<f64>,
    /// Whether the master LP reached the Dantzig–Wolfe bound (no column left to add).
    pub lp_converged: bool,
    /// Pricing rounds.
    pub iterations: usize,
    /// Columns generated.
    pub columns: usize,
    /// Coupling rows that can bind.
    pub rows: usize,
    /// Orders whose exact search ran out of budget in the last pricing (their
    /// bound is the search's root bound).
    pub inexact_orders: usize,
    /// Those orders, ascending.
    pub inexact: Vec<usize>,
    /// Orders that share no row that can bind (solved once, exactly, alone).
    pub independent_orders: usize,
    /// Sizes (orders) of the connected components of orders linked by rows
    /// that can bind, largest first.
    pub component_sizes: Vec<usize>,
    /// Neighbourhood MIPs run, with (free orders, plan cost found).
    pub neighbourhoods: Vec<(usize, Option<f64>)>,
    /// Time per phase.
    pub phases: Phases,
    /// Why the master LP stopped early, if it did (HiGHS's words).
    pub master_stopped: Option<String>,
    /// The row prices of the best bound (none if no round finished).
    pub prices: RowPrices,
}

/// What the search needs to price and cost plans.
struct Ctx<'a> {
    s: &'a Scenario,
    cs: &'a CandidateSet,
    cp: &'a Coupling,
    settings: &'a Settings,
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
        Column {
            order: o,
            assignments: plan.to_vec(),
            data: MasterColumn {
                cost: decode::order_cost(ctx.s, ctx.cs, o, plan),
                entries: ctx.cp.plan_usage(ctx.cs, plan),
            },
        }
    }

    fn fits(&self, limit: &[f64]) -> bool {
        self.data.entries.iter().all(|&(r, a)| a <= limit[r] + 1e-9)
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
/// Master rows are the orders' convexity rows (by slot), then the coupling
/// rows that the columns so far could break, added as they become able to: a
/// row no choice of one column per order can break changes neither the LP nor
/// its duals (its price is 0), and most rows of a wave never bind.
struct Restricted {
    /// Orders, by convexity slot.
    orders: Vec<usize>,
    /// Slot of each order of the wave (`usize::MAX` if not in this master).
    slot: Vec<usize>,
    limit: Vec<f64>,
    master: Master,
    columns: Vec<Column>,
    /// Columns in the master (the first ones of `columns`); the others are
    /// offered since the last solve.
    flushed: usize,
    /// Master row of each coupling row, `usize::MAX` while it is left out.
    row_of: Vec<usize>,
    /// Per coupling row, the most its columns could use: the sum over orders
    /// of each order's largest use.
    reach: Vec<f64>,
    /// Largest use of a row by a slot's columns, for the rows they use.
    largest: FxHashMap<(usize, usize), f64>,
    seen: HashSet<PlanKey>,
    /// Row prices the plans in `plans` were found at.
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
        let ones = vec![1.0; orders.len()];
        let master = Master::new(&ones, &ones, ctx.settings)?;
        let mut r = Restricted {
            plans: vec![None; orders.len()],
            orders,
            slot,
            priced_at: vec![f64::NAN; rows],
            row_of: vec![usize::MAX; rows],
            reach: vec![0.0; rows],
            largest: FxHashMap::default(),
            limit,
            master,
            columns: Vec::new(),
            flushed: 0,
            seen: HashSet::new(),
        };
        // Leaving an order unfilled uses no row: the master is always feasible.
        for k in 0..r.orders.len() {
            let o = r.orders[k];
            r.offer(Column::new(ctx, o, &[]));
        }
        Ok(r)
    }

    /// Adds a column unless the order already has that plan.
    fn offer(&mut self, col: Column) {
        if self.seen.insert(plan_key(col.order, &col.assignments)) {
            let k = self.slot[col.order];
            for &(row, a) in &col.data.entries {
                let most = self.largest.entry((row, k)).or_insert(0.0);
                if a > *most {
                    self.reach[row] += a - *most;
                    *most = a;
                }
            }
            self.columns.push(col);
        }
    }

    /// Hands the master the rows the columns can now break, with the
    /// entries of the columns it has, then the columns offered since.
    fn flush(&mut self) -> Result<(), String> {
        let mut added = 0;
        let mut new_row = vec![usize::MAX; self.limit.len()];
        let in_master = self.master.rows();
        for (r, fresh) in new_row.iter_mut().enumerate() {
            if self.row_of[r] == usize::MAX && self.reach[r] > self.limit[r] + 1e-9 {
                *fresh = added;
                self.row_of[r] = in_master + added;
                added += 1;
            }
        }
        if added > 0 {
            let mut entries: Vec<Vec<(usize, f64)>> = vec![Vec::new(); added];
            let mut upper = vec![0.0; added];
            for (r, &i) in new_row.iter().enumerate() {
                if i != usize::MAX {
                    upper[i] = self.limit[r];
                }
            }
            for (j, col) in self.columns[..self.flushed].iter().enumerate() {
                for &(r, a) in &col.data.entries {
                    if new_row[r] != usize::MAX {
                        entries[new_row[r]].push((j, a));
                    }
                }
            }
            self.master
                .add_rows(&vec![f64::NEG_INFINITY; added], &upper, &entries)?;
        }
        let pending: Vec<MasterColumn> = self.columns[self.flushed..]
            .iter()
            .map(|col| {
                let mut entries: Vec<(usize, f64)> = col
                    .data
                    .entries
                    .iter()
                    .filter(|&&(r, _)| self.row_of[r] != usize::MAX)
                    .map(|&(r, a)| (self.row_of[r], a))
                    .collect();
                entries.push((self.slot[col.order], 1.0));
                MasterColumn {
                    cost: col.data.cost,
                    entries,
                }
            })
            .collect();
        self.master.add_columns(&pending)?;
        self.flushed = self.columns.len();
        Ok(())
    }

    fn solve_lp(&mut self, time_limit_s: f64) -> Result<MasterLp, String> {
        self.flush()?;
        self.master.solve_lp(time_limit_s)
    }

    /// Prices every order whose rows changed price at the LP's duals and
    /// offers the plans with negative reduced cost. Returns the prices, the
    /// sum of the orders' priced bounds and how many columns were offered.
    fn price(&mut self, ctx: &Ctx, lp: &MasterLp) -> (Vec<f64>, f64, usize) {
        let price: Vec<f64> = self
            .row_of
            .iter()
            .map(|&m| {
                if m == usize::MAX {
                    0.0
                } else {
                    (-lp.row_duals[m]).max(0.0)
                }
            })
            .collect();
        let mu = &lp.row_duals[..self.orders.len()];
        let changed: Vec<bool> = price
            .iter()
            .zip(&self.priced_at)
            .map(|(a, b)| a != b)
            .collect();
        // An order whose rows kept their prices keeps its plan: that plan is
        // in the master already, or was no better than what the master has.
        let touched: Vec<usize> = (0..self.orders.len())
            .filter(|&k| {
                self.plans[k].is_none()
                    || ctx.cp.order_rows[self.orders[k]]
                        .iter()
                        .any(|&r| changed[r])
            })
            .collect();
        let limit = &self.limit;
        let orders = &self.orders;
        let fresh: Vec<(usize, OrderPlan)> = touched
            .par_iter()
            .map(|&k| {
                let mut v = OrderView::new(ctx.s, ctx.cs, orders[k]);
                ctx.cp.price_view(ctx.cs, &price, &mut v);
                ctx.cp.limit_view(ctx.cs, limit, &mut v);
                (k, best_plan(&v))
            })
            .collect();
        let before = self.columns.len();
        for (k, p) in fresh {
            if p.cost - mu[k] < ENTER * p.cost.abs().max(1.0) {
                self.offer(Column::new(ctx, self.orders[k], &p.assignments));
            }
            self.plans[k] = Some(p);
        }
        self.priced_at.clone_from(&price);
        let bounds = self.plans.iter().flatten().map(|p| p.bound).sum();
        (price, bounds, self.columns.len() - before)
    }

    /// Per slot: the column with the largest LP value, and that value.
    fn heaviest(&self, values: &[f64]) -> Vec<(f64, usize)> {
        let mut h = vec![(-1.0, usize::MAX); self.orders.len()];
        // Columns offered after the LP was solved have no value yet.
        for (j, col) in self.columns.iter().enumerate().take(values.len()) {
            let k = self.slot[col.order];
            if values[j] > h[k].0 {
                h[k] = (values[j], j);
            }
        }
        h
    }
}

/// How far a neighbourhood of the master LP reaches beyond the orders it splits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Width {
    /// Whole orders on rows where a split order's LP plan cannot fit whole.
    Conflicts,
    /// Also whole orders on rows with less than twice that plan's use left.
    Tight,
}

impl Width {
    /// What the progress log calls its neighbourhood.
    fn label(self) -> &'static str {
        match self {
            Width::Conflicts => "conflicts of the master LP",
            Width::Tight => "tight rows of the master LP",
        }
    }
}

/// The best plan as one column per coupled order, with its cost.
type Incumbent = Option<(f64, Vec<Column>)>;

/// Per slot of `top`: the plan an order keeps, or `None` if it is free.
type Kept = Vec<Option<Column>>;

/// The orders a master LP solution leaves free (see the module notes): per
/// slot, the kept whole plan or `None`.
fn lp_neighbourhood(top: &Restricted, values: &[f64], width: Width) -> Kept {
    let rows = top.limit.len();
    let h = top.heaviest(values);
    let whole: Vec<bool> = h.iter().map(|&(v, _)| v >= WHOLE).collect();
    let mut left = top.limit.clone();
    for k in (0..h.len()).filter(|&k| whole[k]) {
        for &(row, a) in &top.columns[h[k].1].data.entries {
            left[row] -= a;
        }
    }
    let mut hot = vec![false; rows];
    for (j, col) in top.columns.iter().enumerate().take(values.len()) {
        if !whole[top.slot[col.order]] && values[j] > 1e-9 {
            for &(row, a) in &col.data.entries {
                let conflict = a > left[row] + 1e-6;
                let tight = width == Width::Tight && left[row] < 2.0 * a + 1e-6;
                hot[row] |= conflict || tight;
            }
        }
    }
    (0..h.len())
        .map(|k| {
            let col = &top.columns[h[k].1];
            let keep = whole[k] && !col.data.entries.iter().any(|&(row, _)| hot[row]);
            keep.then(|| col.clone())
        })
        .collect()
}

/// The orders around the costliest rows: per slot the incumbent's plan, or
/// `None` for an order whose incumbent plan or any of whose columns uses one
/// of the rows taken, in order of price from `rows_from`, until `size` orders
/// are free. Returns the neighbourhood and where the next one starts.
fn price_neighbourhood(
    top: &Restricted,
    incumbent: &[Column],
    by_price: &[usize],
    rows_from: usize,
    size: usize,
) -> (Kept, usize) {
    let rows = top.limit.len();
    // Slots that use each row, through any column.
    let mut users: Vec<Vec<usize>> = vec![Vec::new(); rows];
    for col in &top.columns {
        for &(row, _) in &col.data.entries {
            users[row].push(top.slot[col.order]);
        }
    }
    let mut free = vec![false; incumbent.len()];
    let mut n_free = 0;
    let mut next = rows_from;
    while next < by_price.len() && n_free < size {
        for &k in &users[by_price[next]] {
            if !free[k] {
                free[k] = true;
                n_free += 1;
            }
        }
        next += 1;
    }
    let kept = incumbent
        .iter()
        .zip(&free)
        .map(|(c, &f)| (!f).then(|| c.clone()))
        .collect();
    (kept, next)
}

/// Where the neighbourhoods around the dearest rows have got to.
#[derive(Default)]
struct Lns {
    /// Rows (by price rank) already used in this pass.
    from: usize,
    /// Whether a neighbourhood of this pass improved the incumbent.
    improved: bool,
}

impl Lns {
    /// The next neighbourhood around the dearest rows at `price`, from the
    /// incumbent; `None` when there is no incumbent, no priced row, or a
    /// whole pass over the priced rows improved nothing.
    fn next(&mut self, top: &Restricted, incumbent: &Incumbent, price: &[f64]) -> Option<Kept> {
        let (_, cols) = incumbent.as_ref()?;
        let mut by_price: Vec<usize> = (0..price.len()).filter(|&r| price[r] > 0.0).collect();
        by_price.sort_by(|&a, &b| price[b].total_cmp(&price[a]).then(a.cmp(&b)));
        if self.from >= by_price.len() {
            if !self.improved || by_price.is_empty() {
                return None;
            }
            self.from = 0;
            self.improved = false;
        }
        let (kept, next) =
            price_neighbourhood(top, cols, &by_price, self.from, NEIGHBOURHOOD_ORDERS);
        self.from = next;
        Some(kept)
    }
}

/// Where a neighbourhood MIP stops: at a relative gap of `gap`, at a plan
/// of the wave costing at most `target`, or at `deadline`. Both are taken on
/// the whole wave: the MIP's objective counts `outside`, the cost of the
/// orders it leaves out (the independent ones), besides the kept plans.
struct Stop {
    gap: f64,
    target: f64,
    deadline: Instant,
    outside: f64,
}

/// Plans that fit alone in `left` (what the kept plans leave) for each of
/// `orders`: its best plan at the row prices `price` and its cheapest plan
/// (at zero prices). Without them a neighbourhood has only columns made for
/// the master LP, many of which no longer fit, and HiGHS spends its root
/// cuts finding the completions these give.
fn fitted_columns(ctx: &Ctx, orders: &[usize], price: &[f64], left: &[f64]) -> Vec<Column> {
    orders
        .par_iter()
        .flat_map_iter(|&o| {
            // Limits and prices touch different parts of the view: the limited
            // view is made once and priced in a copy.
            let mut limited = OrderView::new(ctx.s, ctx.cs, o);
            ctx.cp.limit_view(ctx.cs, left, &mut limited);
            let mut priced = limited.clone();
            ctx.cp.price_view(ctx.cs, price, &mut priced);
            [priced, limited].map(|v| Column::new(ctx, o, &best_plan(&v).assignments))
        })
        .filter(|col| col.fits(left))
        .collect()
}

/// A neighbourhood MIP made ready: the MIP over the free orders of a `Kept`
/// (all their columns, plus the incumbent's and the plans that fit alone at
/// the round's prices, over what the kept plans leave). Made from the master
/// as it stands, it can run while the master moves on.
struct Neighbourhood {
    /// Per slot of the master: the kept plan, or `None` if free.
    chosen: Kept,
    /// The MIP over the free orders (none if every order is kept).
    sub: Option<Restricted>,
    stop: Stop,
    label: &'static str,
    /// Whether it is a step of the large neighbourhood search.
    lns: bool,
    /// Seconds spent making and solving it.
    seconds: f64,
}

impl Neighbourhood {
    fn new(
        ctx: &Ctx,
        top: &Restricted,
        kept: Kept,
        also: &[Column],
        price: &[f64],
        stop: Stop,
        (label, lns): (&'static str, bool),
    ) -> Neighbourhood {
        let t = Instant::now();
        let mut left = top.limit.clone();
        for col in kept.iter().flatten() {
            for &(row, a) in &col.data.entries {
                left[row] -= a;
            }
        }
        for l in &mut left {
            *l = l.round();
        }
        let free: Vec<usize> = (0..kept.len())
            .filter(|&k| kept[k].is_none())
            .map(|k| top.orders[k])
            .collect();
        let kept_cost: f64 = kept.iter().flatten().map(|c| c.data.cost).sum();
        let sub = (!free.is_empty())
            .then(|| -> Result<Restricted, String> {
                let mut sub = Restricted::new(ctx, free, left.clone())?;
                for col in top.columns.iter().chain(also) {
                    if sub.slot[col.order] != usize::MAX && col.fits(&left) {
                        sub.offer(col.clone());
                    }
                }
                for col in fitted_columns(ctx, &sub.orders, price, &left) {
                    sub.offer(col);
                }
                sub.flush()?;
                sub.master.set_offset(stop.outside + kept_cost)?;
                Ok(sub)
            })
            .and_then(Result::ok);
        Neighbourhood {
            chosen: kept,
            sub,
            stop,
            label,
            lns,
            seconds: t.elapsed().as_secs_f64(),
        }
    }

    /// Orders free to change.
    fn free(&self) -> usize {
        self.chosen.iter().filter(|k| k.is_none()).count()
    }

    /// Solves the MIP (HiGHS, one thread): its column values, or `None` if
    /// it found no plan in time. Touches nothing but the neighbourhood.
    fn run(&mut self) -> Option<Vec<f64>> {
        let t = Instant::now();
        let values = match self.sub.as_mut() {
            None => Some(Vec::new()),
            Some(sub) => {
                let remaining = self
                    .stop
                    .deadline
                    .saturating_duration_since(Instant::now())
                    .as_secs_f64();
                sub.master
                    .solve_integer(remaining, self.stop.gap, self.stop.target)
            }
        };
        self.seconds += t.elapsed().as_secs_f64();
        values
    }

    /// The plan of `run`'s values: one column per slot of `top`.
    fn plan(self, top: &Restricted, values: Option<Vec<f64>>) -> Option<Vec<Column>> {
        let mut chosen = self.chosen;
        if let Some(sub) = &self.sub {
            for (col, v) in sub.columns.iter().zip(&values?) {
                if *v > 0.5 {
                    chosen[top.slot[col.order]] = Some(col.clone());
                }
            }
        }
        // Every convexity row holds: one plan per order.
        chosen.into_iter().collect()
    }
}

/// Runs column generation over the coupling rows `cp` of `cs` from a
/// feasible plan `start`; `progress` hears one line per pricing round and per
/// plan found.
pub fn solve(
    s: &Scenario,
    cs: &CandidateSet,
    cp: &Coupling,
    start: Vec<Assignment>,
    limits: Limits,
    settings: &Settings,
    progress: &dyn Fn(&str),
) -> Result<Outcome, String> {
    let t0 = Instant::now();
    let deadline = t0 + std::time::Duration::from_secs_f64(limits.time_limit_s.clamp(0.0, 1e9));
    let elapsed = || t0.elapsed().as_secs_f64();
    let mut phases = Phases::default();
    let ctx = Ctx {
        s,
        cs,
        cp,
        settings,
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
    let with_independent = |cols: &[Column]| -> Vec<Assignment> {
        independent
            .iter()
            .flat_map(|(_, p)| p.assignments.iter().cloned())
            .chain(cols.iter().flat_map(|c| c.assignments.iter().cloned()))
            .collect()
    };

    let mut top = Restricted::new(&ctx, coupled.clone(), cp.limit.clone())?;
    let mut start_by_order: Vec<Vec<Assignment>> = vec![Vec::new(); n];
    for a in &start {
        start_by_order[cs.candidates[a.candidate].order].push(a.clone());
    }
    for &o in &coupled {
        top.offer(Column::new(&ctx, o, &start_by_order[o]));
    }
    phases.coupling_s = elapsed();
    progress(&format!(
        "{} coupling rows, {} of {} orders coupled",
        rows,
        coupled.len(),
        n
    ));

    let mut best = (decode::plan_cost(s, cs, &start), start);
    let mut best_bound = f64::NEG_INFINITY;
    let mut best_price = vec![0.0; rows];
    let mut iterations = 0;
    let mut lp_converged = false;
    let mut last: Option<(MasterLp, Vec<f64>)> = None;
    let mut neighbourhoods = Vec::new();
    // The best plan as one column per coupled order, once a neighbourhood MIP
    // has made one: the start of the next neighbourhoods.
    let mut incumbent: Incumbent = None;
    let gap = |best: f64, bound: f64| decode::relative_gap(best, bound);
    // A neighbourhood of the master as it stands, at the round's prices.
    let make = |top: &Restricted,
                kept: Kept,
                price: &[f64],
                incumbent: &Incumbent,
                bound: f64,
                what: (&'static str, bool)| {
        let also: Vec<Column> = incumbent
            .as_ref()
            .map(|(_, c)| c.clone())
            .unwrap_or_default();
        // A neighbourhood's plan need only be well inside the target gap:
        // the next neighbourhoods improve on it.
        let stop = Stop {
            gap: (limits.target_gap / 5.0).max(1e-4),
            target: bound / (1.0 - limits.target_gap),
            deadline,
            outside: independent_cost,
        };
        Neighbourhood::new(&ctx, top, kept, &also, price, stop, what)
    };
    // Keeps a solved neighbourhood's plan if cheaper; true if it was a step
    // of the large neighbourhood search that improved the best plan (what
    // the search's pass needs to know).
    let mut keep = |top: &Restricted,
                    nb: Neighbourhood,
                    values: Option<Vec<f64>>,
                    best: &mut (f64, Vec<Assignment>),
                    incumbent: &mut Incumbent,
                    bound: f64,
                    phases: &mut Phases| {
        let (free, label, seconds, step) = (nb.free(), nb.label, nb.seconds, nb.lns);
        let mut improved = false;
        let cost = nb.plan(top, values).map(|cols| {
            let plan = with_independent(&cols);
            let c = decode::plan_cost(s, cs, &plan);
            if incumbent.as_ref().is_none_or(|(ic, _)| c < *ic - 1e-9) {
                *incumbent = Some((c, cols));
            }
            if c < best.0 - 1e-9 {
                *best = (c, plan);
                improved = true;
            }
            c
        });
        neighbourhoods.push((free, cost));
        phases.primal_s += seconds;
        progress(&format!(
            "plan {:.2} ({label}, {free} free orders), gap {:.3}%",
            best.0,
            100.0 * gap(best.0, bound)
        ));
        step && improved
    };
    let mut rounded_at = f64::INFINITY;
    let mut lns = Lns::default();
    let mut stopped: Option<String> = None;
    if coupled.is_empty() {
        // Every order is independent: their optima are the plan and the bound.
        let plan = with_independent(&[]);
        best = (decode::plan_cost(s, cs, &plan), plan);
        best_bound = independent_bound;
        lp_converged = true;
    }
    // A neighbourhood made in one round runs beside the next round's master
    // LP and pricing (its MIP and the master each take one thread): both
    // start from what the first round left, so the plans are those of
    // running them one after the other.
    let mut pending: Option<Neighbourhood> = None;
    while !coupled.is_empty() {
        iterations += 1;
        // Without a plan yet (or one being made), the LP may not eat the
        // time kept for rounding.
        let lp_until = if incumbent.is_none() && pending.is_none() {
            limits.time_limit_s * PRICING_SHARE
        } else {
            limits.time_limit_s
        };
        let round = |top: &mut Restricted| -> Result<_, String> {
            let t = Instant::now();
            let lp = top.solve_lp(lp_until - elapsed())?;
            let master_s = t.elapsed().as_secs_f64();
            let t = Instant::now();
            let priced = top.price(&ctx, &lp);
            Ok((lp, priced, master_s, t.elapsed().as_secs_f64()))
        };
        let (values, round) = match pending.as_mut() {
            Some(nb) => {
                let (values, round) = rayon::join(|| nb.run(), || round(&mut top));
                (Some(values), round)
            }
            None => (None, round(&mut top)),
        };
        if let (Some(nb), Some(values)) = (pending.take(), values) {
            let b = best_bound;
            lns.improved |= keep(&top, nb, values, &mut best, &mut incumbent, b, &mut phases);
        }
        let (lp, (price, bounds, added), master_s, pricing_s) = match round {
            Ok(r) => r,
            Err(e) => {
                // Out of time inside the LP, or HiGHS trouble: the best plan
                // and bound so far stand, and the record says why it stopped.
                stopped = Some(e);
                break;
            }
        };
        phases.master_s += master_s;
        phases.pricing_s += pricing_s;
        // Master and pricing: what the next round will take again.
        let round_s = master_s + pricing_s;
        let bound = independent_bound + bounds
            - price.iter().zip(&cp.limit).map(|(p, l)| p * l).sum::<f64>();
        if bound > best_bound {
            best_bound = bound;
            best_price.clone_from(&price);
        }
        let lp_value = lp.objective + independent_cost;
        lp_converged = added == 0;
        progress(&format!(
            "round {iterations}: LP {lp_value:.2}, bound {best_bound:.2}, {added} new columns"
        ));
        // Round once the LP is close to the bound (rounding a poor LP is
        // wasted time); from then on, one neighbourhood around the dearest
        // rows per pricing round, so that plan and bound improve together.
        if incumbent.is_none() {
            if lp_converged || gap(lp_value, best_bound) <= limits.target_gap / 2.0 {
                rounded_at = lp_value;
                let kept = lp_neighbourhood(&top, &lp.columns, Width::Conflicts);
                let what = (Width::Conflicts.label(), false);
                pending = Some(make(&top, kept, &price, &incumbent, best_bound, what));
            }
        } else if !lp_converged
            && gap(best.0, best_bound) > limits.target_gap
            && let Some(kept) = lns.next(&top, &incumbent, &price)
        {
            pending = Some(make(
                &top,
                kept,
                &price,
                &incumbent,
                best_bound,
                (LNS, true),
            ));
        }
        last = Some((lp, price));
        // A round that would end past the pricing share is not started (its
        // master LP would be cut off and wasted): rounds take about as long
        // as the last one.
        if lp_converged
            || gap(best.0, best_bound) <= limits.target_gap
            || iterations >= limits.max_iterations
            || elapsed() + round_s >= limits.time_limit_s * PRICING_SHARE
        {
            break;
        }
    }
    // The time left goes to plans: the neighbourhood made last, the LP as it
    // stands, then neighbourhoods around the costliest rows, then the local
    // search.
    let open = |best: &(f64, Vec<Assignment>)| {
        gap(best.0, best_bound) > limits.target_gap && elapsed() < limits.time_limit_s
    };
    let mut try_neighbourhood = |top: &Restricted,
                                 mut nb: Neighbourhood,
                                 best: &mut (f64, Vec<Assignment>),
                                 incumbent: &mut Incumbent,
                                 phases: &mut Phases| {
        let values = nb.run();
        keep(top, nb, values, best, incumbent, best_bound, phases)
    };
    if let Some(nb) = pending.take().filter(|_| open(&best)) {
        lns.improved |= try_neighbourhood(&top, nb, &mut best, &mut incumbent, &mut phases);
    }
    if let Some((lp, price)) = &last {
        let lp_value = lp.objective + independent_cost;
        // Without a plan yet: the conflicts of the LP as it stands (unless
        // it is the LP already rounded), then the wider neighbourhood.
        let moved = lp_value < rounded_at - 1e-7 * lp_value.abs();
        for width in [Width::Conflicts, Width::Tight] {
            if incumbent.is_none() && open(&best) && (moved || width == Width::Tight) {
                let kept = lp_neighbourhood(&top, &lp.columns, width);
                let nb = make(
                    &top,
                    kept,
                    price,
                    &incumbent,
                    best_bound,
                    (width.label(), false),
                );
                try_neighbourhood(&top, nb, &mut best, &mut incumbent, &mut phases);
            }
        }
        while open(&best) {
            let Some(kept) = lns.next(&top, &incumbent, price) else {
                break;
            };
            let nb = make(&top, kept, price, &incumbent, best_bound, (LNS, true));
            lns.improved |= try_neighbourhood(&top, nb, &mut best, &mut incumbent, &mut phases);
        }
    }
    // The local search takes about two pricing rounds' work on one thread.
    let improve_s = 2.0 * phases.pricing_s / iterations.max(1) as f64;
    if gap(best.0, best_bound) > limits.target_gap && elapsed() + improve_s < limits.time_limit_s {
        let t = Instant::now();
        let improved = polish::improve(s, cs, best.1.clone());
        let cost = decode::plan_cost(s, cs, &improved);
        if cost < best.0 - 1e-9 {
            best = (cost, improved);
        }
        phases.primal_s += t.elapsed().as_secs_f64();
    }
    let mut inexact: Vec<usize> = top
        .orders
        .iter()
        .zip(&top.plans)
        .filter(|(_, p)| p.as_ref().is_some_and(|p| !p.exact))
        .map(|(&o, _)| o)
        .chain(
            independent
                .iter()
                .filter(|(_, p)| !p.exact)
                .map(|(o, _)| *o),
        )
        .collect();
    inexact.sort_unstable();
    Ok(Outcome {
        inexact_orders: inexact.len(),
        inexact,
        assignments: best.1,
        cost: best.0,
        bound: best_bound,
        lp_value: last.map(|(lp, _)| lp.objective + independent_cost),
        lp_converged,
        iterations,
        columns: top.columns.len(),
        rows,
        independent_orders: n - coupled.len(),
        component_sizes: cp.component_sizes(),
        neighbourhoods,
        phases,
        master_stopped: stopped,
        prices: cp.row_prices(&best_price),
    })
}
