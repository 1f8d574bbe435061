//! Neighbourhood MIPs: plans come from MIPs over some orders, the others
//! keeping their plans (HiGHS, whose cuts close most of the gap the LP
//! leaves). The first rounds the master LP: orders whose LP plan is whole keep
//! it unless it sits on a row where the fractional orders conflict; the others
//! choose among all their columns and two plans that fit alone in what the
//! kept plans leave. From then on each neighbourhood starts from the best plan
//! and frees the orders around the rows with the highest prices (large
//! neighbourhood search).

use std::time::Instant;

use rayon::prelude::*;

use crate::network::domain::OrderIdx;
use crate::solver::{MipRun, SolverError};
use crate::sourcing::decompose::master::{Column, Ctx, Restricted};
use crate::sourcing::order_opt::{OrderView, best_plan};

/// A master LP value at or above this counts as a whole plan.
const WHOLE: f64 = 1.0 - 1e-6;

/// Orders a neighbourhood around the dearest rows frees.
const NEIGHBOURHOOD_ORDERS: usize = 1_500;

/// How far a neighbourhood of the master LP reaches beyond the orders it splits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Width {
    /// Whole orders on rows where a split order's LP plan cannot fit whole.
    Conflicts,
    /// Also whole orders on rows with less than twice that plan's use left.
    Tight,
}

/// Which neighbourhood a MIP is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Orders the master LP splits, and the orders around them.
    Lp(Width),
    /// A step of the large neighbourhood search: the orders around the
    /// dearest rows.
    DearestRows,
}

impl Kind {
    /// What the progress log calls it.
    pub(super) fn label(self) -> &'static str {
        match self {
            Kind::Lp(Width::Conflicts) => "conflicts of the master LP",
            Kind::Lp(Width::Tight) => "tight rows of the master LP",
            Kind::DearestRows => "around the dearest rows",
        }
    }
}

/// The best plan as one column per coupled order, with its cost.
pub(super) type Incumbent = Option<(f64, Vec<Column>)>;

/// Per slot of `top`: the plan an order keeps, or `None` if it is free.
pub(super) type Kept = Vec<Option<Column>>;

/// The orders a master LP solution leaves free (see the module notes): per
/// slot, the kept whole plan or `None`.
pub(super) fn lp_neighbourhood(top: &Restricted, values: &[f64], width: Width) -> Kept {
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
        if !whole[top.slot(col.order)] && values[j] > 1e-9 {
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
            users[row].push(top.slot(col.order));
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
pub(super) struct Lns {
    /// Rows (by price rank) already used in this pass.
    from: usize,
    /// Whether a neighbourhood of this pass improved the incumbent.
    pub(super) improved: bool,
}

impl Lns {
    /// The next neighbourhood around the dearest rows at `price`, from the
    /// incumbent; `None` when there is no incumbent, no priced row, or a
    /// whole pass over the priced rows improved nothing.
    pub(super) fn next(
        &mut self,
        top: &Restricted,
        incumbent: &Incumbent,
        price: &[f64],
    ) -> Option<Kept> {
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
pub(super) struct Stop {
    /// Relative gap.
    pub(super) gap: f64,
    /// Relative gap on the free orders' part of the incumbent, for a MIP
    /// that starts from the incumbent.
    pub(super) part_gap: f64,
    /// Plan cost.
    pub(super) target: f64,
    /// Wall-clock end.
    pub(super) deadline: Instant,
    /// Cost of the orders outside the MIP.
    pub(super) outside: f64,
}

/// Plans that fit alone in `left` (what the kept plans leave) for each of
/// `orders`: its best plan at the row prices `price` and its cheapest plan
/// (at zero prices). Without them a neighbourhood has only columns made for
/// the master LP, many of which no longer fit, and HiGHS spends its root
/// cuts finding the completions these give.
fn fitted_columns(ctx: &Ctx, orders: &[OrderIdx], price: &[f64], left: &[f64]) -> Vec<Column> {
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

/// The column values of `sub` that choose each free order's plan in
/// `incumbent` (per slot of the master), with those plans' cost; `None`
/// without an incumbent or if one of its plans is not a column of `sub`.
fn start_of(sub: &Restricted, incumbent: &[Column]) -> Option<(Vec<f64>, f64)> {
    if incumbent.is_empty() {
        return None;
    }
    let mut values = vec![0.0; sub.columns.len()];
    let mut cost = 0.0;
    for col in incumbent.iter().filter(|c| sub.slot_of(c.order).is_some()) {
        values[sub.column_of(col)?] = 1.0;
        cost += col.data.cost;
    }
    Some((values, cost))
}

/// A neighbourhood MIP made ready: the MIP over the free orders of a `Kept`
/// (all their columns, plus the incumbent's and the plans that fit alone at
/// the round's prices, over what the kept plans leave). Made from the master
/// as it stands, it can run while the master moves on.
pub(super) struct Neighbourhood {
    /// Per slot of the master: the kept plan, or `None` if free.
    chosen: Kept,
    /// The MIP over the free orders (none if every order is kept).
    sub: Option<Restricted>,
    /// The incumbent's plans of the free orders, as the MIP's column values,
    /// with their cost (none without an incumbent).
    start: Option<(Vec<f64>, f64)>,
    /// Where its MIP stops.
    stop: Stop,
    /// Which neighbourhood it is.
    pub(super) kind: Kind,
    /// Seconds spent making and solving it.
    pub(super) seconds: f64,
}

impl Neighbourhood {
    /// The neighbourhood that frees the orders `kept` leaves `None`, with
    /// the columns of `top`, `also` and the plans that fit alone at `price`.
    pub(super) fn new(
        ctx: &Ctx,
        top: &Restricted,
        kept: Kept,
        also: &[Column],
        price: &[f64],
        stop: Stop,
        kind: Kind,
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
        let free: Vec<OrderIdx> = (0..kept.len())
            .filter(|&k| kept[k].is_none())
            .map(|k| top.orders[k])
            .collect();
        let kept_cost: f64 = kept.iter().flatten().map(|c| c.data.cost).sum();
        let sub = (!free.is_empty())
            .then(|| -> Result<Restricted, SolverError> {
                let mut sub = Restricted::new(ctx, free, left.clone())?;
                for col in top.columns.iter().chain(also) {
                    if sub.slot_of(col.order).is_some() && col.fits(&left) {
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
        let start = sub.as_ref().and_then(|sub| start_of(sub, also));
        Neighbourhood {
            chosen: kept,
            sub,
            start,
            stop,
            kind,
            seconds: t.elapsed().as_secs_f64(),
        }
    }

    /// Orders free to change.
    pub(super) fn free(&self) -> usize {
        self.chosen.iter().filter(|k| k.is_none()).count()
    }

    /// Solves the MIP (HiGHS, one thread): its column values, or `None` if
    /// it found no plan in time. Touches nothing but the neighbourhood.
    pub(super) fn run(&mut self) -> Option<Vec<f64>> {
        let t = Instant::now();
        let values = match self.sub.as_mut() {
            None => Some(Vec::new()),
            Some(sub) => {
                let remaining = self
                    .stop
                    .deadline
                    .saturating_duration_since(Instant::now())
                    .as_secs_f64();
                // From the incumbent, the MIP is to improve the free orders'
                // part of it: its gap is taken on that part, not on the wave
                // (a gap on the wave would accept plans no cheaper than the
                // incumbent or dearer).
                let (rel_gap, abs_gap, start) = match &self.start {
                    Some((values, cost)) => (0.0, self.stop.part_gap * cost, Some(&values[..])),
                    None => (self.stop.gap, 0.0, None),
                };
                sub.master.solve_integer(&MipRun {
                    time_limit_s: remaining,
                    rel_gap,
                    abs_gap,
                    target: self.stop.target,
                    start,
                })
            }
        };
        self.seconds += t.elapsed().as_secs_f64();
        values
    }

    /// The plan of `run`'s values: one column per slot of `top`.
    pub(super) fn plan(self, top: &Restricted, values: Option<Vec<f64>>) -> Option<Vec<Column>> {
        let mut chosen = self.chosen;
        if let Some(sub) = &self.sub {
            for (col, v) in sub.columns.iter().zip(&values?) {
                if *v > 0.5 {
                    chosen[top.slot(col.order)] = Some(col.clone());
                }
            }
        }
        // Every convexity row holds: one plan per order.
        chosen.into_iter().collect()
    }
}
