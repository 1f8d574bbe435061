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
use rustc_hash::FxHashSet;

use crate::network::domain::OrderIdx;
use crate::solver::{MipRun, SolverError};
use crate::sourcing::decompose::master::{Column, Ctx, Restricted};
use crate::sourcing::decompose::rows::Coupling;
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

/// The best plan as one column per coupled order (by slot of the master),
/// with their cost and what they use of each coupling row, so that a step of
/// the large neighbourhood search changes only its free orders' plans.
pub(super) struct Incumbent {
    /// The plans, by slot.
    pub(super) cols: Vec<Column>,
    /// The sum of their costs.
    pub(super) cost: f64,
    /// What they use of each coupling row.
    usage: Vec<f64>,
    /// Times its plans have changed.
    pub(super) version: u64,
}

impl Incumbent {
    /// The plans `cols` (one per slot) over `rows` coupling rows.
    pub(super) fn new(cols: Vec<Column>, rows: usize) -> Incumbent {
        let mut usage = vec![0.0; rows];
        for col in &cols {
            for &(row, a) in &col.data.entries {
                usage[row] += a;
            }
        }
        Incumbent {
            cost: cols.iter().map(|c| c.data.cost).sum(),
            cols,
            usage,
            version: 0,
        }
    }

    /// The cost after `changes` (slot, new plan) were made.
    pub(super) fn cost_with(&self, changes: &[(usize, Column)]) -> f64 {
        changes
            .iter()
            .fold(self.cost, |c, (k, col)| c - self.cols[*k].data.cost + col.data.cost)
    }

    /// Puts the plans of `changes` (slot, new plan) in.
    pub(super) fn change(&mut self, changes: Vec<(usize, Column)>) {
        for (k, col) in changes {
            for &(row, a) in &self.cols[k].data.entries {
                self.usage[row] -= a;
            }
            for &(row, a) in &col.data.entries {
                self.usage[row] += a;
            }
            self.cost += col.data.cost - self.cols[k].data.cost;
            self.cols[k] = col;
        }
        self.version += 1;
    }
}

/// The orders a neighbourhood frees, and the plans the others keep.
pub(super) enum Kept {
    /// Per slot of the master, the plan kept or `None` if free (a rounding
    /// of the master LP).
    Plans(Vec<Option<Column>>),
    /// The incumbent (at this version), but for these slots, ascending,
    /// less `reserve` (row, units) of what it leaves: the share of another
    /// neighbourhood solved beside this one ([`side_by_side`]).
    Freed {
        slots: Vec<usize>,
        version: u64,
        reserve: Vec<(usize, f64)>,
    },
}

impl Kept {
    /// The free slots, ascending.
    fn free_slots(&self) -> Vec<usize> {
        match self {
            Kept::Plans(plans) => (0..plans.len()).filter(|&k| plans[k].is_none()).collect(),
            Kept::Freed { slots, .. } => slots.clone(),
        }
    }
}

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
    Kept::Plans(
        (0..h.len())
            .map(|k| {
                let col = &top.columns[h[k].1];
                let keep = whole[k] && !col.data.entries.iter().any(|&(row, _)| hot[row]);
                keep.then(|| col.clone())
            })
            .collect(),
    )
}

/// The orders around the costliest rows: the slots some of whose columns in
/// `top` use one of the rows taken, in order of price from `rows_from`, until
/// `size` orders are free (of a row with more users, the first ones: on
/// peak-xl a neighbourhood of 19,180 orders took 12 s, forty of 1,500 would
/// have). Returns the slots, ascending, and where the next neighbourhood
/// starts.
fn price_neighbourhood(
    top: &Restricted,
    by_price: &[usize],
    rows_from: usize,
    size: usize,
) -> (Vec<usize>, usize) {
    let mut slots: Vec<usize> = Vec::new();
    let mut seen = FxHashSet::default();
    let mut next = rows_from;
    while next < by_price.len() && slots.len() < size {
        for &k in top.users(by_price[next]) {
            if slots.len() == size {
                break;
            }
            if seen.insert(k) {
                slots.push(k);
            }
        }
        next += 1;
    }
    slots.sort_unstable();
    (slots, next)
}

/// Where the neighbourhoods around the dearest rows have got to.
#[derive(Default)]
pub(super) struct Lns {
    /// Rows (by price rank) already used in this pass.
    from: usize,
    /// Whether a neighbourhood of this pass improved the incumbent.
    pub(super) improved: bool,
    /// The prices the rows were ranked at, and the priced rows, dearest
    /// first (ranked once per set of prices, not once per step).
    ranked: Option<(Vec<f64>, Vec<usize>)>,
}

impl Lns {
    /// The next neighbourhood around the dearest rows at `price`, from the
    /// incumbent; `None` when there is no incumbent, no priced row, or a
    /// whole pass over the priced rows improved nothing.
    pub(super) fn next(
        &mut self,
        top: &Restricted,
        incumbent: Option<&Incumbent>,
        price: &[f64],
    ) -> Option<Kept> {
        let version = incumbent?.version;
        if self.ranked.as_ref().is_none_or(|(at, _)| at[..] != price[..]) {
            let mut by_price: Vec<usize> =
                (0..price.len()).filter(|&r| price[r] > 0.0).collect();
            by_price.sort_by(|&a, &b| price[b].total_cmp(&price[a]).then(a.cmp(&b)));
            self.ranked = Some((price.to_vec(), by_price));
        }
        let by_price = &self.ranked.as_ref()?.1;
        if self.from >= by_price.len() {
            if !self.improved || by_price.is_empty() {
                return None;
            }
            self.from = 0;
            self.improved = false;
        }
        let (slots, next) = price_neighbourhood(top, by_price, self.from, NEIGHBOURHOOD_ORDERS);
        self.from = next;
        Some(Kept::Freed {
            slots,
            version,
            reserve: Vec::new(),
        })
    }
}

/// Makes two neighbourhoods of the incumbent fit side by side: `b` loses the
/// orders `a` frees, and on each row the orders of both can use, what the
/// incumbent's other plans leave is split between them (`a` reserves `b`'s
/// half and `b` `a`'s). Whatever plans their MIPs choose, both can then be
/// kept. False if `b` has no order left (or either is not a neighbourhood
/// of the incumbent).
pub(super) fn side_by_side(
    cp: &Coupling,
    top: &Restricted,
    incumbent: &Incumbent,
    a: &mut Kept,
    b: &mut Kept,
) -> bool {
    let (
        Kept::Freed {
            slots: slots_a,
            reserve: reserve_a,
            ..
        },
        Kept::Freed {
            slots: slots_b,
            reserve: reserve_b,
            ..
        },
    ) = (a, b)
    else {
        return false;
    };
    let in_a: FxHashSet<usize> = slots_a.iter().copied().collect();
    slots_b.retain(|k| !in_a.contains(k));
    let rows_of = |slots: &[usize]| -> FxHashSet<usize> {
        slots
            .iter()
            .flat_map(|&k| cp.order_rows[top.orders[k].index()].iter().copied())
            .collect()
    };
    let rows_a = rows_of(slots_a);
    let mut shared: Vec<usize> = rows_of(slots_b).intersection(&rows_a).copied().collect();
    shared.sort_unstable();
    for row in shared {
        let slack = (top.limit[row] - incumbent.usage[row]).round().max(0.0);
        let half = (slack / 2.0).floor();
        reserve_a.push((row, slack - half));
        reserve_b.push((row, half));
    }
    !slots_b.is_empty()
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

/// The column values of `sub` that choose the incumbent's plan of each of
/// `slots` (the free slots of the master), with those plans' cost; `None`
/// without an incumbent or if one of its plans is not a column of `sub`.
fn start_of(
    sub: &Restricted,
    incumbent: Option<&Incumbent>,
    slots: &[usize],
) -> Option<(Vec<f64>, f64)> {
    let incumbent = incumbent?;
    let mut values = vec![0.0; sub.columns.len()];
    let mut cost = 0.0;
    for &k in slots {
        let col = &incumbent.cols[k];
        values[sub.column_of(col)?] = 1.0;
        cost += col.data.cost;
    }
    Some((values, cost))
}

/// What the kept plans of `kept` leave of each row of `top` (rounded to whole
/// units), with those plans' cost.
fn left_by(top: &Restricted, kept: &Kept, incumbent: Option<&Incumbent>) -> (Vec<f64>, f64) {
    let mut left = top.limit.clone();
    let cost = match kept {
        Kept::Plans(plans) => {
            for col in plans.iter().flatten() {
                for &(row, a) in &col.data.entries {
                    left[row] -= a;
                }
            }
            plans.iter().flatten().map(|c| c.data.cost).sum()
        }
        Kept::Freed { slots, reserve, .. } => {
            let inc = incumbent.expect("an incumbent to free orders of");
            for &(row, a) in reserve {
                left[row] -= a;
            }
            for (l, used) in left.iter_mut().zip(&inc.usage) {
                *l -= used;
            }
            let mut cost = inc.cost;
            for &k in slots {
                for &(row, a) in &inc.cols[k].data.entries {
                    left[row] += a;
                }
                cost -= inc.cols[k].data.cost;
            }
            cost
        }
    };
    for l in &mut left {
        *l = l.round();
    }
    (left, cost)
}

/// A neighbourhood MIP made ready: the MIP over the free orders of a `Kept`
/// (all their columns, plus the incumbent's and the plans that fit alone at
/// the round's prices, over what the kept plans leave). Made from the master
/// as it stands, it can run while the master moves on.
pub(super) struct Neighbourhood {
    /// The orders it frees and the plans the others keep.
    pub(super) kept: Kept,
    /// The free slots of the master, ascending.
    slots: Vec<usize>,
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
    /// The neighbourhood that frees the orders of `kept`, with the columns
    /// of `top` (whose columns are indexed), the incumbent's plans and the
    /// plans that fit alone at `price`.
    pub(super) fn new(
        ctx: &Ctx,
        top: &Restricted,
        kept: Kept,
        incumbent: Option<&Incumbent>,
        price: &[f64],
        stop: Stop,
        kind: Kind,
    ) -> Neighbourhood {
        let t = Instant::now();
        let (left, kept_cost) = left_by(top, &kept, incumbent);
        let slots = kept.free_slots();
        let free: Vec<OrderIdx> = slots.iter().map(|&k| top.orders[k]).collect();
        let sub = (!free.is_empty())
            .then(|| -> Result<Restricted, SolverError> {
                let mut sub = Restricted::new(ctx, free, left.clone())?;
                for &k in &slots {
                    let theirs = incumbent.map(|inc| &inc.cols[k]);
                    for col in top.columns_of(k).chain(theirs) {
                        if col.fits(&left) {
                            sub.offer(col.clone());
                        }
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
        let start = sub.as_ref().and_then(|sub| start_of(sub, incumbent, &slots));
        Neighbourhood {
            kept,
            slots,
            sub,
            start,
            stop,
            kind,
            seconds: t.elapsed().as_secs_f64(),
        }
    }

    /// Takes the incumbent at `version` as the one it was made from: true
    /// when the incumbent changed only in another neighbourhood solved
    /// beside this one ([`side_by_side`]), which kept out of its orders and
    /// its share of the rows.
    pub(super) fn follow(&mut self, version: u64) {
        if let Kept::Freed { version: v, .. } = &mut self.kept {
            *v = version;
        }
    }

    /// Orders free to change.
    pub(super) fn free(&self) -> usize {
        self.slots.len()
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

    /// The free slots' plans that `run`'s values choose, as (slot of the
    /// master, plan); `None` if the MIP found no plan.
    pub(super) fn plans(&self, top: &Restricted, values: Option<Vec<f64>>) -> Option<Vec<(usize, Column)>> {
        let values = values?;
        let Some(sub) = &self.sub else {
            return Some(Vec::new());
        };
        let chosen: Vec<(usize, Column)> = sub
            .columns
            .iter()
            .zip(&values)
            .filter(|(_, v)| **v > 0.5)
            .map(|(col, _)| (top.slot(col.order), col.clone()))
            .collect();
        // Every convexity row holds: one plan per free order.
        (chosen.len() == self.slots.len()).then_some(chosen)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::input::settings::Settings;
    use crate::sourcing::decompose::shortlists::Shortlists;
    use crate::sourcing::decompose::tests::tiny_capped_wave;

    /// Each order's best plan in what the plans before it leave, where it
    /// fits (a limited view can still pick a plan over a limit), else its
    /// empty plan: a plan within every limit, one column per slot of `top`.
    fn greedy(ctx: &Ctx, top: &Restricted) -> Vec<Column> {
        let mut left = top.limit.clone();
        top.orders
            .iter()
            .map(|&o| {
                let mut v = OrderView::new(ctx.s, ctx.cs, o);
                ctx.cp.limit_view(ctx.cs, &left, &mut v);
                let best = Column::new(ctx, o, &best_plan(&v).assignments);
                let col = if best.fits(&left) { best } else { Column::new(ctx, o, &[]) };
                for &(row, a) in &col.data.entries {
                    left[row] -= a;
                }
                col
            })
            .collect()
    }

    #[test]
    fn neighbourhoods_made_side_by_side_free_no_order_twice_and_both_plans_fit_together() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let mut shared_rows = 0;
        for seed in 1..=3u64 {
            let (s, cs) = tiny_capped_wave(dir.path(), seed, 300);
            let cp = Coupling::new(&s, &cs);
            let short = Shortlists::new(&s, &cs, &cp);
            let settings = Settings::default();
            let ctx = Ctx {
                s: &s,
                cs: &cs,
                cp: &cp,
                settings: &settings,
                short: &short,
            };
            let coupled: Vec<OrderIdx> = OrderIdx::all(s.orders.len())
                .filter(|o| !cp.order_rows[o.index()].is_empty())
                .collect();
            let mut top = Restricted::new(&ctx, coupled, cp.limit().to_vec()).expect("a master");
            let start = greedy(&ctx, &top);
            for col in &start {
                top.offer(col.clone());
            }
            top.index_columns();
            let rows = cp.rows().len();
            let mut inc = Incumbent::new(start, rows);
            let n = top.orders.len();
            // Overlapping halves of the coupled orders.
            let freed = |slots: Vec<usize>| Kept::Freed {
                slots,
                version: 0,
                reserve: Vec::new(),
            };
            let mut a = freed((0..n / 2).collect());
            let mut b = freed((n / 4..n).collect());
            assert!(side_by_side(&cp, &top, &inc, &mut a, &mut b));
            let (sa, sb) = (a.free_slots(), b.free_slots());
            assert!(sa.iter().all(|k| !sb.contains(k)), "an order freed twice");
            // Whatever the two MIPs choose within what each is left, the rows hold.
            let (left_a, _) = left_by(&top, &a, Some(&inc));
            let (left_b, _) = left_by(&top, &b, Some(&inc));
            let own = |slots: &[usize]| {
                let mut used = vec![0.0; rows];
                let mut can = vec![false; rows];
                for &k in slots {
                    for &(row, q) in &inc.cols[k].data.entries {
                        used[row] += q;
                    }
                    for &row in &cp.order_rows[top.orders[k].index()] {
                        can[row] = true;
                    }
                }
                (used, can)
            };
            let ((used_a, can_a), (used_b, can_b)) = (own(&sa), own(&sb));
            for r in 0..rows {
                assert!(left_a[r] >= used_a[r] && left_b[r] >= used_b[r], "row {r}: a start that does not fit: limit {} usage {} a {} {} b {} {}", top.limit[r], inc.usage[r], used_a[r], left_a[r], used_b[r], left_b[r]);
                let most = inc.usage[r] - used_a[r] - used_b[r]
                    + if can_a[r] { left_a[r] } else { 0.0 }
                    + if can_b[r] { left_b[r] } else { 0.0 };
                assert!(most <= top.limit[r] + 1e-9, "row {r}: {most} over {}", top.limit[r]);
                shared_rows += usize::from(can_a[r] && can_b[r] && top.limit[r] > inc.usage[r]);
            }
            // And so do the plans the MIPs choose, kept one after the other.
            let stop = || Stop {
                gap: 1e-4,
                part_gap: 1e-4,
                target: f64::NEG_INFINITY,
                deadline: Instant::now() + Duration::from_secs(30),
                outside: 0.0,
            };
            let zero = vec![0.0; rows];
            let before = inc.cost;
            let mut na = Neighbourhood::new(&ctx, &top, a, Some(&inc), &zero, stop(), Kind::DearestRows);
            let mut nb = Neighbourhood::new(&ctx, &top, b, Some(&inc), &zero, stop(), Kind::DearestRows);
            let (va, vb) = (na.run(), nb.run());
            inc.change(na.plans(&top, va).expect("a plan of a"));
            nb.follow(inc.version);
            inc.change(nb.plans(&top, vb).expect("a plan of b"));
            assert!(inc.cost <= before + 1e-6, "{} after {before}", inc.cost);
            for r in 0..rows {
                let used: f64 = inc.cols.iter().flat_map(|c| &c.data.entries).filter(|e| e.0 == r).map(|e| e.1).sum();
                assert!(used <= top.limit[r] + 1e-9, "row {r}: {used} over {}", top.limit[r]);
                assert!((used - inc.usage[r]).abs() < 1e-9, "row {r}: usage kept as {}", inc.usage[r]);
            }
        }
        assert!(shared_rows > 0, "no row with slack that both could use");
    }
}
