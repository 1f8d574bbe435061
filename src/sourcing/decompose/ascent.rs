//! Prices for a wave whose master LP is too large to solve in time, by
//! clearing the rows the orders overfill. The master LP of a million orders
//! took 7 s, 32 s, then 236 s on peak-xl, and the Lagrangian bound at its
//! duals stayed below the one at zero prices. A step here costs two
//! pricings of the orders, and no LP.
//!
//! At prices `pi >= 0` each order takes its best plan; the plans use `u_r` of
//! row `r` with limit `b_r`, and `L(pi) = sum_o min_o(c + pi a) - pi b` is a
//! bound of the wave at any prices: the best is kept. A step moves each
//! row's price toward where its users' plans fit it, as an auction clears
//! a market:
//!
//! - a row the plans overfill (`u_r > b_r`) rises by the price at which
//!   enough of its users would rather leave it: each user `o` would leave at
//!   `t_o = (min_o without r - min_o) / a_or` more (its best plan that does
//!   not use the row, at the current prices); taken from the cheapest to
//!   leave, the `t` of the user whose leaving brings the use to the limit;
//! - a priced row with slack falls by [`FALL`] of its price.
//!
//! Rows are moved all at once, from the plans at the step's prices, so two
//! rows can send their users to each other; the next step sees that. Steps
//! stop when [`PATIENCE`] in a row find no better bound, when the plans fit
//! every row, or when their share of the time is spent. Every plan priced is
//! offered to the master as a column, so the neighbourhoods that follow
//! choose among the plans the orders made at every step's prices.
//!
//! At the best prices the plans still overfill rows. An auction settles
//! them: from those prices and plans, each overfilled row rises as in a step,
//! but only the users that shed its excess move, to their best plan at the
//! new prices; every other order keeps its plan, which is still its best
//! unless a rise on several of its rows adds up. Prices only rise, so rounds
//! get smaller, and what is still overfilled when the rounds run out is
//! repaired greedily ([`Ascent::plan`]).

use std::time::Instant;

use rayon::prelude::*;

use crate::sourcing::decompose::bound::lagrangian;
use crate::sourcing::decompose::master::{Column, Ctx, Restricted};
use crate::sourcing::order_opt::best_plan;

/// Coupled orders from which a run takes its prices from this ascent
/// rather than from the master LP: peak-l's 97k coupled orders converge in
/// eight rounds of 2-4 s there (and its bound is 0.8 % higher than this
/// ascent's); peak-xl's 991k did not in the time.
pub const ASCENT_ORDERS: usize = 250_000;

/// Share of its price a priced row with slack loses in a step.
const FALL: f64 = 0.2;

/// What an overfilled row's price rises by at least (a hundredth of a cent
/// per unit).
const RISE_AT_LEAST: f64 = 1e-4;

/// Steps in a row without a better bound after which the ascent stops.
const PATIENCE: usize = 4;

/// Most rounds of the auction that settles the plans after the ascent.
pub(super) const SETTLE_ROUNDS: usize = 1_000;

/// Rounds of the auction in a row without fewer rows overfilled than its
/// best round after which it stops: on peak-xl seed 1 the last 800 of its
/// 1,000 rounds moved the same 8 orders among 10-11 rows (94 s taken from
/// the local search), which the greedy repair settles at once.
pub(super) const SETTLE_PATIENCE: usize = 50;

/// The best bound of the ascent so far, where it was found.
pub(super) struct Best {
    /// The bound.
    pub(super) bound: f64,
    /// Its prices.
    pub(super) price: Vec<f64>,
    /// Per slot of the master, the column of the order's plan there.
    plans: Vec<usize>,
    /// Per slot whose plan there uses a row those plans overfill, the most
    /// it would pay to keep one of them.
    regret: Vec<Option<f64>>,
}

/// Where the ascent has got to.
pub(super) struct Ascent {
    /// The prices of the next step.
    price: Vec<f64>,
    /// Per slot of the master, the column of the order's plan at the
    /// prices last priced.
    plan_of: Vec<usize>,
    /// What those plans use of each coupling row.
    usage: Vec<f64>,
    /// Steps since the best bound was found.
    stalled: usize,
    /// The best bound found.
    pub(super) best: Option<Best>,
    /// Steps made.
    pub(super) steps: usize,
}

/// A round of the auction after the ascent ([`Ascent::settle`]).
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Round {
    /// The fewest rows overfilled so far (at the start or after a round),
    /// and the first round that left so few (0: the start).
    pub(super) fewest: (usize, usize),
    /// Rounds made.
    pub(super) number: usize,
    /// Orders the last round moved.
    pub(super) moved: usize,
    /// Rows overfilled after it.
    pub(super) overfilled: usize,
    /// Its seconds.
    pub(super) seconds: f64,
}

/// What one step found.
pub(super) struct Step {
    /// The bound at the step's prices.
    pub(super) bound: f64,
    /// Whether the plans there fit every row: no price can move, and the
    /// plans are a plan of the wave.
    pub(super) fits: bool,
}

impl Round {
    /// Whether [`SETTLE_PATIENCE`] rounds in a row left no fewer rows
    /// overfilled than the best round before them.
    pub(super) fn stuck(&self) -> bool {
        self.number >= self.fewest.1 + SETTLE_PATIENCE
    }
}

impl Ascent {
    /// An ascent from zero prices over the master `top`, whose column `k`
    /// is slot `k`'s empty plan.
    pub(super) fn new(top: &Restricted) -> Ascent {
        Ascent::from_prices(top, vec![0.0; top.limit.len()])
    }

    /// An ascent over `top` from `price` (one per row of `top`).
    pub(super) fn from_prices(top: &Restricted, price: Vec<f64>) -> Ascent {
        let rows = top.limit.len();
        Ascent {
            price,
            plan_of: (0..top.orders.len()).collect(),
            usage: vec![0.0; rows],
            stalled: 0,
            best: None,
            steps: 0,
        }
    }

    /// Whether the last [`PATIENCE`] steps found no better bound.
    pub(super) fn stalled(&self) -> bool {
        self.stalled >= PATIENCE
    }

    /// Prices the orders at the current prices (offering their plans to
    /// `top`), records the bound (`independent` is the bound of the orders
    /// outside `top`), and moves the prices.
    pub(super) fn step(&mut self, ctx: &Ctx, top: &mut Restricted, independent: f64) -> Step {
        self.steps += 1;
        self.replan(ctx, top);
        let bounds: f64 = top.plans.iter().flatten().map(|p| p.bound).sum();
        let bound = lagrangian(independent, bounds, &self.price, &top.limit);
        let over = self.overfilled(&top.limit);
        let leave = self.leaving_prices(ctx, top, &over);
        if self.best.as_ref().is_none_or(|b| bound > b.bound) {
            self.best = Some(Best {
                bound,
                price: self.price.clone(),
                plans: self.plan_of.clone(),
                regret: regrets(&leave, top.orders.len()),
            });
            self.stalled = 0;
        } else {
            self.stalled += 1;
        }
        let fits = !over.iter().any(|&o| o);
        self.clear(&top.limit, &over, leave);
        Step { bound, fits }
    }

    /// Prices the orders whose rows changed price, offers their plans to
    /// `top` and keeps what the plans use of each row.
    fn replan(&mut self, ctx: &Ctx, top: &mut Restricted) {
        let fresh = top.price_at(ctx, &self.price);
        let orders = &top.orders;
        let cols: Vec<Column> = fresh
            .par_iter()
            .map(|(k, p)| Column::new(ctx, orders[*k], &p.assignments))
            .collect();
        for ((k, p), col) in fresh.into_iter().zip(cols) {
            self.switch(top, k, col);
            top.plans[k] = Some(p);
        }
    }

    /// For each slot whose plan uses an overfilled row: (slot, row, what it
    /// uses of the row, the price per unit at which it would rather leave
    /// the row), from each such order's best plan without the row.
    fn leaving_prices(&self, ctx: &Ctx, top: &Restricted, over: &[bool]) -> Vec<(usize, usize, f64, f64)> {
        let users: Vec<(usize, usize, f64)> = self
            .plan_of
            .iter()
            .enumerate()
            .flat_map(|(k, &j)| {
                top.columns[j]
                    .data
                    .entries
                    .iter()
                    .filter(|&&(r, a)| over[r] && a > 0.0)
                    .map(move |&(r, a)| (k, r, a))
            })
            .collect();
        let (plans, orders, limit, price) = (&top.plans, &top.orders, &top.limit, &self.price);
        users
            .par_iter()
            .map(|&(k, r, a)| {
                let with = plans[k].as_ref().map_or(0.0, |p| p.cost);
                let mut v = ctx.short.view(ctx.s, ctx.cs, orders[k]);
                ctx.cp.price_and_limit_view_without(ctx.cs, price, limit, r, &mut v);
                let without = best_plan(&v).cost;
                (k, r, a, ((without - with) / a).max(0.0))
            })
            .collect()
    }

    /// Moves the prices (see the module notes): each overfilled row up by
    /// the price at which enough of its users leave it (`leave`, from
    /// [`Self::leaving_prices`]), each priced row with slack down.
    fn clear(&mut self, limit: &[f64], over: &[bool], leave: Vec<(usize, usize, f64, f64)>) {
        self.raise(limit, leave);
        for r in 0..self.price.len() {
            if !over[r] && self.price[r] > 0.0 && self.usage[r] < limit[r] - 1e-9 {
                self.price[r] *= 1.0 - FALL;
            }
        }
    }

    /// Raises each overfilled row to the price at which its users that are
    /// cheapest to move (`leave`, from [`Self::leaving_prices`]) shed the
    /// excess, and returns those users' slots (ascending, once each).
    fn raise(&mut self, limit: &[f64], mut leave: Vec<(usize, usize, f64, f64)>) -> Vec<usize> {
        // By row, then from the cheapest to leave (slot order on ties, so
        // that the prices do not depend on the thread count).
        leave.sort_by(|x, y| x.1.cmp(&y.1).then(x.3.total_cmp(&y.3)).then(x.0.cmp(&y.0)));
        let mut movers = Vec::new();
        let mut i = 0;
        while i < leave.len() {
            let r = leave[i].1;
            let excess = self.usage[r] - limit[r];
            let (mut shed, mut rise) = (0.0, 0.0);
            while i < leave.len() && leave[i].1 == r {
                if shed < excess - 1e-9 {
                    shed += leave[i].2;
                    rise = leave[i].3;
                    movers.push(leave[i].0);
                }
                i += 1;
            }
            // A user indifferent to leaving leaves at a hair more.
            self.price[r] += rise + RISE_AT_LEAST;
        }
        movers.sort_unstable();
        movers.dedup();
        movers
    }

    /// An auction from the best prices and the plans there, as long as
    /// `more` allows after each round: while a row is overfilled, its price
    /// rises to where enough of its users leave it ([`Self::raise`]) and
    /// only those users take their best plan at the new prices; the other
    /// orders keep theirs, which a rise they would pay rather than leave
    /// does not change. Prices only rise. Returns the last round; the plans
    /// and prices it ends at are the ascent's best from then on
    /// ([`Self::plan`] repairs any row still overfilled).
    pub(super) fn settle(
        &mut self,
        ctx: &Ctx,
        top: &mut Restricted,
        mut more: impl FnMut(&Round) -> bool,
    ) -> Round {
        let mut last = Round::default();
        let Some(best) = &self.best else {
            return last;
        };
        (self.price, self.plan_of) = (best.price.clone(), best.plans.clone());
        self.usage = vec![0.0; top.limit.len()];
        for &j in &self.plan_of {
            for &(row, a) in &top.columns[j].data.entries {
                self.usage[row] += a;
            }
        }
        loop {
            let t = Instant::now();
            let over = self.overfilled(&top.limit);
            last.overfilled = over.iter().filter(|&&o| o).count();
            if last.number == 0 || last.overfilled < last.fewest.0 {
                last.fewest = (last.overfilled, last.number);
            }
            let leave = self.leaving_prices(ctx, top, &over);
            if leave.is_empty() || (last.number > 0 && !more(&last)) {
                self.keep_as_best(&leave, top.orders.len());
                return last;
            }
            let movers = self.raise(&top.limit, leave);
            self.replan_slots(ctx, top, &movers);
            last.number += 1;
            last.moved = movers.len();
            last.seconds = t.elapsed().as_secs_f64();
        }
    }

    /// Whether each row is overfilled by the current plans.
    fn overfilled(&self, limit: &[f64]) -> Vec<bool> {
        self.usage
            .iter()
            .zip(limit)
            .map(|(u, b)| *u > b + 1e-9)
            .collect()
    }

    /// Makes the current prices and plans the best ones the plan is made
    /// from (its bound stays: these prices' is not known without pricing
    /// every order), with the regrets of `leave`.
    fn keep_as_best(&mut self, leave: &[(usize, usize, f64, f64)], slots: usize) {
        if let Some(best) = self.best.as_mut() {
            best.price.clone_from(&self.price);
            best.plans.clone_from(&self.plan_of);
            best.regret = regrets(leave, slots);
        }
    }

    /// Gives `slots` their best plan at the current prices (offered to
    /// `top`), leaving the other orders' plans and `top`'s priced plans as
    /// they are.
    fn replan_slots(&mut self, ctx: &Ctx, top: &mut Restricted, slots: &[usize]) {
        let (orders, limit, price) = (&top.orders, &top.limit, &self.price);
        let cols: Vec<(usize, Column)> = slots
            .par_iter()
            .map(|&k| {
                let mut v = ctx.short.view(ctx.s, ctx.cs, orders[k]);
                ctx.cp.price_and_limit_view(ctx.cs, price, limit, &mut v);
                (k, Column::new(ctx, orders[k], &best_plan(&v).assignments))
            })
            .collect();
        for (k, col) in cols {
            self.switch(top, k, col);
        }
    }

    /// Slot `k`'s plan becomes `col` (offered to `top`).
    fn switch(&mut self, top: &mut Restricted, k: usize, col: Column) {
        let j = top.offer(col);
        for &(row, a) in &top.columns[self.plan_of[k]].data.entries {
            self.usage[row] -= a;
        }
        for &(row, a) in &top.columns[j].data.entries {
            self.usage[row] += a;
        }
        self.plan_of[k] = j;
    }

    /// A plan from the best prices: each order keeps its plan there unless
    /// that plan uses a row those plans overfill; the others, those that
    /// would pay most to keep such a row first, take their best plan at
    /// those prices within what is left (or no plan if even that does not
    /// fit). One column per slot of `top`; `None` before the first step.
    pub(super) fn plan(&self, ctx: &Ctx, top: &Restricted) -> Option<Vec<Column>> {
        let best = self.best.as_ref()?;
        let mut cols: Vec<Option<Column>> = best
            .plans
            .iter()
            .zip(&best.regret)
            .map(|(&j, regret)| regret.is_none().then(|| top.columns[j].clone()))
            .collect();
        let mut left = top.limit.clone();
        for col in cols.iter().flatten() {
            col.take_from(&mut left);
        }
        let mut replan: Vec<usize> = (0..cols.len()).filter(|&k| cols[k].is_none()).collect();
        let regret = |k: usize| best.regret[k].unwrap_or(0.0);
        replan.sort_by(|&a, &b| regret(b).total_cmp(&regret(a)).then(a.cmp(&b)));
        for k in replan {
            cols[k] = Some(Column::best_within(ctx, top.orders[k], &best.price, &mut left));
        }
        cols.into_iter().collect()
    }
}

/// Per slot of `slots`, the most it would pay to keep one of the
/// overfilled rows its plan uses (`leave`, from [`Ascent::leaving_prices`]),
/// if it uses one.
fn regrets(leave: &[(usize, usize, f64, f64)], slots: usize) -> Vec<Option<f64>> {
    let mut regret: Vec<Option<f64>> = vec![None; slots];
    for &(k, _, _, t) in leave {
        regret[k] = Some(regret[k].map_or(t, |r| r.max(t)));
    }
    regret
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::settings::Settings;
    use crate::network::domain::OrderIdx;
    use crate::solution::check;
    use crate::solution::decode;
    use crate::solution::plan::SolveRecord;
    use crate::sourcing::Strategy;
    use crate::sourcing::baselines::greedy::greedy_cost;
    use crate::sourcing::decompose::rows::Coupling;
    use crate::sourcing::decompose::tests::tiny_capped_wave;
    use crate::network::candidates::{self, CandidateMode};
    use crate::network::lanes::Network;
    use crate::sourcing::decompose::{Limits, ascent_prices, bound_and_pruned_used, solve, solve_from};
    use crate::sourcing::order_opt::OrderView;

    #[test]
    fn an_auction_is_stuck_once_its_patience_passes_without_fewer_rows_overfilled() {
        let round = |number| Round {
            number,
            fewest: (3, 10),
            ..Round::default()
        };
        assert!(!round(10 + SETTLE_PATIENCE - 1).stuck());
        assert!(round(10 + SETTLE_PATIENCE).stuck());
    }

    #[test]
    fn an_overfilled_row_rises_to_where_enough_users_leave_and_a_priced_row_with_slack_falls() {
        let mut ascent = Ascent {
            price: vec![1.0, 10.0, 0.0],
            plan_of: Vec::new(),
            usage: vec![3.0, 0.0, 1.0],
            stalled: 0,
            best: None,
            steps: 0,
        };
        let limit = [1.0, 2.0, 5.0];
        let over = [true, false, false];
        // Row 0 is two units over: the orders that leave at 1 and at 3 (a
        // unit each) are the cheapest to move; the one at 5 stays.
        let leave = vec![(0, 0, 1.0, 5.0), (1, 0, 1.0, 1.0), (2, 0, 1.0, 3.0)];
        ascent.clear(&limit, &over, leave);
        assert!((ascent.price[0] - (1.0 + 3.0 + RISE_AT_LEAST)).abs() < 1e-12);
        assert!((ascent.price[1] - 10.0 * (1.0 - FALL)).abs() < 1e-12);
        assert_eq!(ascent.price[2], 0.0, "an unpriced row with slack stays unpriced");
    }

    #[test]
    fn a_rise_moves_only_the_users_cheapest_to_move_and_each_once() {
        let mut ascent = Ascent {
            price: vec![0.0, 0.0],
            plan_of: Vec::new(),
            usage: vec![4.0, 3.0],
            stalled: 0,
            best: None,
            steps: 0,
        };
        // Row 0 is two units over; slot 7 uses two units and is the
        // cheapest to move, so it alone sheds the excess. Row 1 is one unit
        // over: slot 7 again (moved once), not slot 3.
        let leave = vec![
            (3, 0, 1.0, 2.0),
            (7, 0, 2.0, 0.5),
            (3, 1, 1.0, 4.0),
            (7, 1, 1.0, 1.5),
        ];
        let movers = ascent.raise(&[2.0, 2.0], leave);
        assert_eq!(movers, vec![7]);
        assert!((ascent.price[0] - (0.5 + RISE_AT_LEAST)).abs() < 1e-12);
        assert!((ascent.price[1] - (1.5 + RISE_AT_LEAST)).abs() < 1e-12);
    }

    #[test]
    fn the_ascent_bounds_the_wave_from_below_and_its_plan_fits_every_row() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let settings = Settings::default();
        let mut moved = 0;
        for seed in 1..=3u64 {
            let (s, cs) = tiny_capped_wave(dir.path(), seed, 300);
            let cp = Coupling::new(&s, &cs);
            let run = |ascent_orders: usize| {
                let limits = Limits {
                    target_gap: 1e-6,
                    time_limit_s: 30.0,
                    max_iterations: 1_000,
                    ascent_orders,
                };
                solve(&s, &cs, &cp, greedy_cost(&s, &cs), limits, &settings, &|_| {})
                    .expect("a run")
            };
            let (ascent, master) = (run(0), run(usize::MAX));
            assert!(ascent.ascent_steps > 0 && master.ascent_steps == 0, "seed {seed}");
            // Either bound is below either plan.
            for bound in [ascent.bound, master.bound] {
                for cost in [ascent.cost, master.cost] {
                    assert!(bound <= cost + 1e-6, "seed {seed}: bound {bound} above a plan of {cost}");
                }
            }
            let zero_prices: f64 = OrderIdx::all(s.orders.len())
                .map(|o| best_plan(&OrderView::new(&s, &cs, o)).bound)
                .sum();
            moved += usize::from(ascent.bound > zero_prices + 1e-6);
            let record = SolveRecord::heuristic(Strategy::GreedyCost, Default::default());
            let report = check::check(&s, &decode::assemble(&s, &cs, &ascent.assignments, record));
            assert!(report.ok(), "seed {seed}: {:?}", report.violations.first());
            assert!((decode::plan_cost(&s, &cs, &ascent.assignments) - ascent.cost).abs() < 1e-6);
        }
        assert!(moved > 0, "on capped waves the prices raise the bound above zero prices'");
    }

    #[test]
    fn candidates_given_back_at_the_ascent_prices_are_exact_ones_and_the_plan_over_them_checks_above_the_bound() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let settings = Settings::default();
        let limits = Limits {
            target_gap: 1e-6,
            time_limit_s: 30.0,
            max_iterations: 1_000,
            ascent_orders: 0,
        };
        let mut given_back = 0;
        for seed in 1..=3u64 {
            let (s, exact) = tiny_capped_wave(dir.path(), seed, 300);
            let net = Network::build(&s);
            let kept = candidates::generate(&s, &net, CandidateMode::Pruned { k: 1 });
            let cp = Coupling::new(&s, &kept);
            let prices = ascent_prices(&s, &kept, &cp, greedy_cost(&s, &kept), limits, &settings, &|_| {})
                .expect("an ascent");
            assert!(prices.steps > 0, "seed {seed}");
            let pass = bound_and_pruned_used(&s, &net, &kept, &prices.prices, &|_| {});
            given_back += pass.pruned_used.len();
            let larger = kept.with_added(pass.pruned_used);
            for o in OrderIdx::all(s.orders.len()) {
                assert!(larger.of(o).len() >= kept.of(o).len(), "seed {seed}");
                for c in larger.of(o) {
                    assert!(
                        exact.of(o).iter().any(|e| e.node == c.node && e.service == c.service),
                        "seed {seed}: order {o:?} given a candidate that is not an exact one"
                    );
                }
            }
            let cp = Coupling::new(&s, &larger);
            let from = Some(&prices.prices);
            let out = solve_from(&s, &larger, &cp, greedy_cost(&s, &larger), limits, &settings, from, &|_| {})
                .expect("a run");
            let record = SolveRecord::heuristic(Strategy::GreedyCost, Default::default());
            let report = check::check(&s, &decode::assemble(&s, &larger, &out.assignments, record));
            assert!(report.ok(), "seed {seed}: {:?}", report.violations.first());
            assert!(
                pass.bound.value <= out.cost + 1e-6,
                "seed {seed}: bound {} above a plan of {}",
                pass.bound.value,
                out.cost
            );
        }
        assert!(given_back > 0, "pruned to one node, some order's best plan uses a pruned one");
    }
}
