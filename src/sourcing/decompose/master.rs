//! The restricted master LP of column generation: per-order plans (columns)
//! over the orders' convexity rows and the coupling rows the columns could
//! break, driven through [`crate::solver::Master`].

use std::collections::hash_map::Entry;

use rustc_hash::FxHashMap;

use crate::input::settings::Settings;
use crate::network::candidates::CandidateSet;
use crate::network::domain::{OrderIdx, Scenario};
use crate::solution::assignment::Assignment;
use crate::solution::decode;
use crate::solver::{Master, MasterColumn, MasterLp, SolverError};
use crate::sourcing::decompose::shortlists::Shortlists;
use crate::sourcing::decompose::rows::Coupling;
use crate::sourcing::order_opt::{OrderPlan, best_plan};

/// What the search needs to price and cost plans.
pub(super) struct Ctx<'a> {
    /// The wave.
    pub(super) s: &'a Scenario,
    /// Its candidates.
    pub(super) cs: &'a CandidateSet,
    /// Its coupling rows.
    pub(super) cp: &'a Coupling,
    /// Solver settings.
    pub(super) settings: &'a Settings,
    /// The candidates pricing looks at for orders of one unit.
    pub(super) short: &'a Shortlists,
}

/// A per-order plan in a master: the order's packages, true cost and
/// coupling-row entries.
#[derive(Clone)]
pub(super) struct Column {
    /// The order.
    pub(super) order: OrderIdx,
    /// Its packages.
    pub(super) assignments: Vec<Assignment>,
    /// Cost and coupling-row entries.
    pub(super) data: MasterColumn,
}

impl Column {
    /// The column of plan `plan` of order `o`.
    pub(super) fn new(ctx: &Ctx, o: OrderIdx, plan: &[Assignment]) -> Column {
        Column {
            order: o,
            assignments: plan.to_vec(),
            data: MasterColumn {
                cost: decode::order_cost(ctx.s, ctx.cs, o, plan),
                entries: ctx.cp.plan_usage(ctx.cs, plan),
            },
        }
    }

    /// Whether the plan alone fits in `limit`.
    pub(super) fn fits(&self, limit: &[f64]) -> bool {
        self.data.entries.iter().all(|&(r, a)| a <= limit[r] + 1e-9)
    }

    /// Order `o`'s best plan at the row prices `price` within what is `left`
    /// of the rows, or its empty plan if even that does not fit; `left`
    /// loses what the plan uses.
    pub(super) fn best_within(ctx: &Ctx, o: OrderIdx, price: &[f64], left: &mut [f64]) -> Column {
        let mut v = ctx.short.view(ctx.s, ctx.cs, o);
        ctx.cp.price_and_limit_view(ctx.cs, price, left, &mut v);
        let mut col = Column::new(ctx, o, &best_plan(&v).assignments);
        if !col.fits(left) {
            col = Column::new(ctx, o, &[]);
        }
        col.take_from(left);
        col
    }

    /// Takes what the plan uses from `left`.
    pub(super) fn take_from(&self, left: &mut [f64]) {
        for &(row, a) in &self.data.entries {
            left[row] -= a;
        }
    }
}

/// A key that tells two plans of one order apart.
type PlanKey = (OrderIdx, Vec<(usize, Vec<(usize, u32)>)>);

fn plan_key(o: OrderIdx, plan: &[Assignment]) -> PlanKey {
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
pub(super) struct Restricted {
    /// Orders, by convexity slot.
    pub(super) orders: Vec<OrderIdx>,
    /// Slot of each order of the wave (`None` if not in this master).
    slot: Vec<Option<usize>>,
    /// Limit of each coupling row.
    pub(super) limit: Vec<f64>,
    /// The master LP.
    pub(super) master: Master,
    /// Its columns (the first `flushed` in the master).
    pub(super) columns: Vec<Column>,
    /// Columns in the master (the first ones of `columns`); the others are
    /// offered since the last solve.
    flushed: usize,
    /// Master row of each coupling row, `None` while it is left out.
    pub(super) row_of: Vec<Option<usize>>,
    /// Per coupling row, the most its columns could use: the sum over orders
    /// of each order's largest use.
    reach: Vec<f64>,
    /// Largest use of a row by a slot's columns, for the rows they use.
    largest: FxHashMap<(usize, usize), f64>,
    /// Plans offered so far, with their columns.
    seen: FxHashMap<PlanKey, usize>,
    /// Row prices the plans in `plans` were found at.
    pub(super) priced_at: Vec<f64>,
    /// Each order's last priced plan (by slot).
    pub(super) plans: Vec<Option<OrderPlan>>,
    /// Columns by slot and slots by row, once [`Restricted::index_columns`]
    /// has been called.
    index: Option<ColumnIndex>,
}

/// Per slot, its columns; per coupling row, the slots whose columns use it.
/// A step of the large neighbourhood search reads them so that it costs what
/// its neighbourhood does, not what the wave does.
struct ColumnIndex {
    by_slot: Vec<Vec<usize>>,
    users: Vec<Vec<usize>>,
}

impl ColumnIndex {
    fn add(&mut self, j: usize, k: usize, col: &Column) {
        self.by_slot[k].push(j);
        for &(row, _) in &col.data.entries {
            self.users[row].push(k);
        }
    }
}

impl Restricted {
    /// A master over `orders` under `limit`, each order's empty plan offered.
    pub(super) fn new(
        ctx: &Ctx,
        orders: Vec<OrderIdx>,
        limit: Vec<f64>,
    ) -> Result<Restricted, SolverError> {
        let rows = limit.len();
        let mut slot = vec![None; ctx.s.orders.len()];
        for (k, &o) in orders.iter().enumerate() {
            slot[o.index()] = Some(k);
        }
        let ones = vec![1.0; orders.len()];
        let master = Master::new(&ones, &ones, ctx.settings)?;
        let mut r = Restricted {
            plans: vec![None; orders.len()],
            orders,
            slot,
            priced_at: vec![f64::NAN; rows],
            row_of: vec![None; rows],
            reach: vec![0.0; rows],
            largest: FxHashMap::default(),
            limit,
            master,
            columns: Vec::new(),
            flushed: 0,
            seen: FxHashMap::default(),
            index: None,
        };
        // Leaving an order unfilled uses no row: the master is always feasible.
        // Column `k` is the empty plan of slot `k` (see `heaviest`).
        for k in 0..r.orders.len() {
            let o = r.orders[k];
            r.offer(Column::new(ctx, o, &[]));
        }
        Ok(r)
    }

    /// The convexity slot of order `o`, if it is in this master.
    pub(super) fn slot_of(&self, o: OrderIdx) -> Option<usize> {
        self.slot[o.index()]
    }

    /// The convexity slot of order `o`, which is in this master.
    pub(super) fn slot(&self, o: OrderIdx) -> usize {
        self.slot_of(o).expect("order of this master")
    }

    /// Adds a column unless the order already has that plan; returns the
    /// plan's column either way.
    pub(super) fn offer(&mut self, col: Column) -> usize {
        let j = self.columns.len();
        match self.seen.entry(plan_key(col.order, &col.assignments)) {
            Entry::Occupied(had) => return *had.get(),
            Entry::Vacant(new) => new.insert(j),
        };
        let k = self.slot(col.order);
        if let Some(index) = self.index.as_mut() {
            index.add(self.columns.len(), k, &col);
        }
        for &(row, a) in &col.data.entries {
            let most = self.largest.entry((row, k)).or_insert(0.0);
            if a > *most {
                self.reach[row] += a - *most;
                *most = a;
            }
        }
        self.columns.push(col);
        j
    }

    /// Keeps, from now on, each slot's columns and each row's users (see
    /// [`Restricted::columns_of`] and [`Restricted::users`]).
    pub(super) fn index_columns(&mut self) {
        let mut index = ColumnIndex {
            by_slot: vec![Vec::new(); self.orders.len()],
            users: vec![Vec::new(); self.limit.len()],
        };
        for (j, col) in self.columns.iter().enumerate() {
            index.add(j, self.slot(col.order), col);
        }
        self.index = Some(index);
    }

    fn index(&self) -> &ColumnIndex {
        self.index
            .as_ref()
            .expect("a master whose columns are indexed (index_columns)")
    }

    /// The columns of slot `k`.
    pub(super) fn columns_of(&self, k: usize) -> impl Iterator<Item = &Column> {
        self.index().by_slot[k]
            .iter()
            .map(|&j| &self.columns[j])
    }

    /// The slots some of whose columns use coupling row `row` (a slot once
    /// per such column).
    pub(super) fn users(&self, row: usize) -> &[usize] {
        &self.index().users[row]
    }

    /// The column of `col`'s plan, if offered.
    pub(super) fn column_of(&self, col: &Column) -> Option<usize> {
        self.seen.get(&plan_key(col.order, &col.assignments)).copied()
    }

    /// Hands the master the rows the columns can now break, with the
    /// entries of the columns it has, then the columns offered since.
    pub(super) fn flush(&mut self) -> Result<(), SolverError> {
        let mut added = 0;
        let mut new_row = vec![None; self.limit.len()];
        let in_master = self.master.rows();
        for (r, fresh) in new_row.iter_mut().enumerate() {
            if self.row_of[r].is_none() && self.reach[r] > self.limit[r] + 1e-9 {
                *fresh = Some(added);
                self.row_of[r] = Some(in_master + added);
                added += 1;
            }
        }
        if added > 0 {
            let mut entries: Vec<Vec<(usize, f64)>> = vec![Vec::new(); added];
            let mut upper = vec![0.0; added];
            for (r, &i) in new_row.iter().enumerate() {
                if let Some(i) = i {
                    upper[i] = self.limit[r];
                }
            }
            for (j, col) in self.columns[..self.flushed].iter().enumerate() {
                for &(r, a) in &col.data.entries {
                    if let Some(i) = new_row[r] {
                        entries[i].push((j, a));
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
                    .filter_map(|&(r, a)| Some((self.row_of[r]?, a)))
                    .collect();
                entries.push((self.slot(col.order), 1.0));
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

    /// Solves the master LP with the rows and columns offered so far.
    pub(super) fn solve_lp(&mut self, time_limit_s: f64) -> Result<MasterLp, SolverError> {
        let first = self.flushed == 0;
        self.flush()?;
        if first {
            self.master.start_basis(&self.cheapest())?;
        }
        self.master.solve_lp(time_limit_s)
    }

    /// Per slot, its cheapest column: with every coupling row's slack, a
    /// basis whose duals price every column at or above zero, so the dual
    /// simplex starts from it (and, when the coupling rows hold the cheapest
    /// columns, as the first master does, it is the optimum).
    fn cheapest(&self) -> Vec<usize> {
        // Column `k` is slot `k`'s empty plan.
        let mut best: Vec<usize> = (0..self.orders.len()).collect();
        for (j, col) in self.columns.iter().enumerate() {
            let k = self.slot(col.order);
            if col.data.cost < self.columns[best[k]].data.cost {
                best[k] = j;
            }
        }
        best
    }

    /// Per slot: the column with the largest LP value, and that value.
    pub(super) fn heaviest(&self, values: &[f64]) -> Vec<(f64, usize)> {
        // Column `k` is slot `k`'s empty plan, in every solved LP: it starts
        // as the heaviest, below any value it or another column can take.
        let mut h: Vec<(f64, usize)> = (0..self.orders.len()).map(|k| (-1.0, k)).collect();
        // Columns offered after the LP was solved have no value yet.
        for (j, col) in self.columns.iter().enumerate().take(values.len()) {
            let k = self.slot(col.order);
            if values[j] > h[k].0 {
                h[k] = (values[j], j);
            }
        }
        h
    }
}
