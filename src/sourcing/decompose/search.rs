//! The run: pricing rounds on the master, a neighbourhood MIP beside each
//! round once the LP is close to the bound, then the time left for plans
//! (the neighbourhoods, the local search). One [`Search`] holds what the
//! phases share: the best plan and bound, the incumbent, the record.

use std::time::Instant;

use crate::network::candidates::CandidateSet;
use crate::network::domain::OrderIdx;
use crate::solution::assignment::Assignment;
use crate::solution::decode;
use crate::solver::{MasterLp, SolverError};
use crate::sourcing::decompose::ascent::{Ascent, SETTLE_ROUNDS};
use crate::sourcing::decompose::bound::lagrangian;
use crate::sourcing::decompose::budget::Budget;
use crate::sourcing::decompose::master::{Column, Ctx, Restricted};
use crate::sourcing::decompose::neighbourhoods::{
    Incumbent, Kept, Kind, Lns, Neighbourhood, Stop, Width, lp_neighbourhood, side_by_side,
};
use crate::sourcing::decompose::pricing::{Independent, Priced};
use crate::sourcing::decompose::{Limits, Outcome, Phases, polish};

/// A pricing round's results, or why the master LP stopped.
type Round = Result<(MasterLp, Priced, f64, f64), SolverError>;

/// What the phases of one run share.
pub(super) struct Search<'a> {
    ctx: Ctx<'a>,
    limits: Limits,
    budget: Budget,
    progress: &'a dyn Fn(&str),
    independent: Independent,
    /// The master over the coupled orders.
    top: Restricted,
    /// Best feasible plan of the wave, with its cost; `None` for the
    /// incumbent's plan (made whole only when needed: a step of the large
    /// neighbourhood search changes a thousand orders of a million).
    best: (f64, Option<Vec<Assignment>>),
    best_bound: f64,
    /// Row prices of the best bound.
    best_price: Vec<f64>,
    /// The best plan as one column per coupled order, once a neighbourhood
    /// MIP has made one: the start of the next neighbourhoods. It costs no
    /// less than the best plan.
    incumbent: Option<Incumbent>,
    lns: Lns,
    /// Neighbourhood MIPs run, with (free orders, plan cost found).
    neighbourhoods: Vec<(usize, Option<f64>)>,
    phases: Phases,
    iterations: usize,
    /// Steps of the ascent, if it priced the rows.
    ascent_steps: usize,
    lp_converged: bool,
    /// The last master LP (none after an ascent) and the prices the
    /// neighbourhoods rank rows by.
    last: Option<(Option<MasterLp>, Vec<f64>)>,
    /// The LP value the first neighbourhood rounded.
    rounded_at: f64,
    /// Why the master LP stopped early, if it did.
    stopped: Option<SolverError>,
}

impl<'a> Search<'a> {
    /// The independent orders solved and the master over the coupled ones
    /// made, with the columns of `start`.
    pub(super) fn new(
        ctx: Ctx<'a>,
        start: Vec<Assignment>,
        limits: Limits,
        progress: &'a dyn Fn(&str),
    ) -> Result<Search<'a>, SolverError> {
        let budget = Budget::new(limits.time_limit_s);
        let (s, cs, cp) = (ctx.s, ctx.cs, ctx.cp);
        let n = s.orders.len();
        let coupled: Vec<OrderIdx> = OrderIdx::all(n)
            .filter(|&o| !cp.order_rows[o.index()].is_empty())
            .collect();
        let independent = Independent::solve(&ctx);
        let mut top = Restricted::new(&ctx, coupled.clone(), cp.limit().to_vec())?;
        let mut start_by_order: Vec<Vec<Assignment>> = vec![Vec::new(); n];
        for a in &start {
            start_by_order[cs.candidates[a.candidate].order.index()].push(a.clone());
        }
        for &o in &coupled {
            top.offer(Column::new(&ctx, o, &start_by_order[o.index()]));
        }
        top.index_columns();
        let phases = Phases {
            coupling_s: budget.elapsed(),
            ..Phases::default()
        };
        progress(&format!(
            "{} coupling rows, {} of {} orders coupled",
            cp.rows().len(),
            coupled.len(),
            n
        ));
        let mut search = Search {
            best: (decode::plan_cost(s, cs, &start), Some(start)),
            best_bound: f64::NEG_INFINITY,
            best_price: vec![0.0; cp.rows().len()],
            ctx,
            limits,
            budget,
            progress,
            independent,
            top,
            incumbent: None,
            lns: Lns::default(),
            neighbourhoods: Vec::new(),
            phases,
            iterations: 0,
            ascent_steps: 0,
            lp_converged: false,
            last: None,
            rounded_at: f64::INFINITY,
            stopped: None,
        };
        if coupled.is_empty() {
            // Every order is independent: their optima are the plan and the bound.
            let plan = search.independent.with(&[]);
            search.best = (decode::plan_cost(s, cs, &plan), Some(plan));
            search.best_bound = search.independent.bound;
            search.lp_converged = true;
        }
        Ok(search)
    }

    fn cs(&self) -> &'a CandidateSet {
        self.ctx.cs
    }

    fn gap(best: f64, bound: f64) -> f64 {
        decode::relative_gap(best, bound)
    }

    /// Whether the best plan is still outside the target gap.
    fn gap_open(&self) -> bool {
        Self::gap(self.best.0, self.best_bound) > self.limits.target_gap
    }

    /// Whether the best plan is inside the target gap.
    fn gap_closed(&self) -> bool {
        Self::gap(self.best.0, self.best_bound) <= self.limits.target_gap
    }

    /// Pricing rounds until the master LP converges, the gap closes, or the
    /// pricing share of the time is spent. A neighbourhood made in one round
    /// runs beside the next round's master LP and pricing (its MIP and the
    /// master each take one thread): both start from what the first round
    /// left, so the plans are those of running them one after the other.
    /// Returns the neighbourhood made last, not yet run.
    pub(super) fn price_rounds(&mut self) -> Option<Neighbourhood> {
        let mut pending: Option<Neighbourhood> = None;
        let mut last_round_s: Option<f64> = None;
        while !self.top.orders.is_empty() {
            self.iterations += 1;
            // Without a plan yet (or one being made), the LP may not eat the
            // time kept for rounding.
            let lp_until = self
                .budget
                .lp_until(self.incumbent.is_some() || pending.is_some());
            let (values, round) = match pending.as_mut() {
                Some(nb) => {
                    let (ctx, top, budget) = (&self.ctx, &mut self.top, self.budget);
                    let (values, round) =
                        rayon::join(|| nb.run(), || round(ctx, top, budget, lp_until));
                    (Some(values), round)
                }
                None => (None, round(&self.ctx, &mut self.top, self.budget, lp_until)),
            };
            if let (Some(nb), Some(values)) = (pending.take(), values) {
                self.lns.improved |= self.keep(nb, values);
            }
            let (lp, priced, master_s, pricing_s) = match round {
                Ok(r) => r,
                Err(e) => {
                    // Out of time inside the LP, or HiGHS trouble: the best plan
                    // and bound so far stand, and the record says why it stopped.
                    self.stopped = Some(e);
                    break;
                }
            };
            self.phases.master_s += master_s;
            self.phases.pricing_s += pricing_s;
            // Master and pricing: what the next round will take again, or
            // more where the last round took several times the one before.
            let round_s = master_s + pricing_s;
            let next_s = predicted_round(last_round_s, round_s);
            last_round_s = Some(round_s);
            pending = self.after_round(lp, priced);
            // A round that would end past its share of the time is not started
            // (its master LP would be cut off and wasted): rounds take about as
            // long as the last one, or more while they grow (`predicted_round`).
            // Once there is a plan, rounds go on to the
            // limit, each beside a neighbourhood around the dearest rows, so
            // that bound and plan improve together (the rest of the time was
            // kept for rounding, which is done).
            if self.lp_converged
                || self.gap_closed()
                || self.iterations >= self.limits.max_iterations
                || self.budget.round_overruns(next_s, self.incumbent.is_some())
            {
                break;
            }
        }
        pending
    }

    /// Records a round's bound and LP, and makes the neighbourhood to run
    /// beside the next round, if any.
    fn after_round(&mut self, lp: MasterLp, priced: Priced) -> Option<Neighbourhood> {
        let Priced {
            price,
            bounds,
            added,
        } = priced;
        let bound = lagrangian(self.independent.bound, bounds, &price, self.ctx.cp.limit());
        if bound > self.best_bound {
            self.best_bound = bound;
            self.best_price.clone_from(&price);
        }
        let lp_value = lp.objective + self.independent.cost;
        self.lp_converged = added == 0;
        (self.progress)(&format!(
            "round {}: LP {lp_value:.2}, bound {:.2}, {added} new columns",
            self.iterations, self.best_bound
        ));
        // Round once the LP is close to the bound (rounding a poor LP is
        // wasted time); from then on, one neighbourhood around the dearest
        // rows per pricing round, so that plan and bound improve together.
        let mut pending = None;
        if self.incumbent.is_none() {
            if self.lp_converged
                || Self::gap(lp_value, self.best_bound) <= self.limits.target_gap / 2.0
            {
                self.rounded_at = lp_value;
                let kept = lp_neighbourhood(&self.top, &lp.columns, Width::Conflicts);
                pending = Some(self.make(kept, &price, Kind::Lp(Width::Conflicts)));
            }
        } else if !self.lp_converged
            && self.gap_open()
            && let Some(kept) = self.lns.next(&self.top, self.incumbent.as_ref(), &price)
        {
            pending = Some(self.make(kept, &price, Kind::DearestRows));
        }
        self.last = Some((Some(lp), price));
        pending
    }

    /// A neighbourhood of the master as it stands, at the prices `price`.
    fn make(&self, kept: Kept, price: &[f64], kind: Kind) -> Neighbourhood {
        // A neighbourhood's plan need only be well inside the target gap:
        // the next neighbourhoods improve on it.
        let stop = Stop {
            gap: (self.limits.target_gap / 5.0).max(1e-4),
            part_gap: self.limits.target_gap.max(1e-4),
            target: self.best_bound / (1.0 - self.limits.target_gap),
            deadline: self.budget.deadline(),
            outside: self.independent.cost,
        };
        let incumbent = self.incumbent.as_ref();
        Neighbourhood::new(&self.ctx, &self.top, kept, incumbent, price, stop, kind)
    }

    /// Keeps a solved neighbourhood's plan if cheaper; true if it was a step
    /// of the large neighbourhood search that improved the best plan (what
    /// the search's pass needs to know).
    fn keep(&mut self, nb: Neighbourhood, values: Option<Vec<f64>>) -> bool {
        let (free, label, seconds) = (nb.free(), nb.kind.label(), nb.seconds);
        let step = nb.kind == Kind::DearestRows;
        let outside = self.independent.cost;
        let rows = self.ctx.cp.rows().len();
        let changes = nb.plans(&self.top, values);
        // The incumbent costs no less than the best plan: a plan cheaper than
        // the best replaces the incumbent, and is the best.
        let cost = changes.and_then(|changes| match nb.kept {
            Kept::Plans(mut plans) => {
                for (k, col) in changes {
                    plans[k] = Some(col);
                }
                let made = Incumbent::new(plans.into_iter().collect::<Option<_>>()?, rows);
                let c = outside + made.cost;
                if self.incumbent.as_ref().is_none_or(|i| c < outside + i.cost - 1e-9) {
                    self.incumbent = Some(made);
                }
                Some(c)
            }
            Kept::Freed { version, .. } => {
                // Made from this incumbent: nothing changes it between a
                // neighbourhood's making and its keeping.
                let inc = self.incumbent.as_mut().filter(|i| i.version == version)?;
                let c = outside + inc.cost_with(&changes);
                if c < outside + inc.cost - 1e-9 {
                    inc.change(changes);
                }
                Some(c)
            }
        });
        let improved = cost.is_some_and(|c| c < self.best.0 - 1e-9);
        if improved && let Some(inc) = &self.incumbent {
            self.best = (outside + inc.cost, None);
        }
        self.neighbourhoods.push((free, cost));
        self.phases.primal_s += seconds;
        (self.progress)(&format!(
            "plan {:.2} ({label}, {free} free orders), gap {:.3}%",
            self.best.0,
            100.0 * Self::gap(self.best.0, self.best_bound)
        ));
        // The first plans come from the master's columns alone, and many
        // orders have a cheaper plan in what the others leave: the local
        // search finds them at about the cost of a pricing round, before the
        // neighbourhoods start from the plan.
        if !step && improved {
            self.polish();
        }
        step && improved
    }

    /// The best plan, whole.
    fn best_plan(&self) -> Vec<Assignment> {
        match (&self.best.1, &self.incumbent) {
            (Some(plan), _) => plan.clone(),
            (None, Some(inc)) => self.independent.with(&inc.cols),
            (None, None) => unreachable!("the best plan is a plan or the incumbent's"),
        }
    }

    /// The local search over the best plan, until the time limit (it gains
    /// more per second than the neighbourhoods: cut short, it keeps the
    /// orders it improved); a cheaper plan becomes the best and the
    /// incumbent the neighbourhoods start from.
    pub(super) fn polish(&mut self) {
        if !self.open() {
            return;
        }
        let t = Instant::now();
        let (s, cs) = (self.ctx.s, self.cs());
        let improved = polish::improve(s, cs, self.best_plan(), self.budget.deadline());
        let cost = decode::plan_cost(s, cs, &improved);
        self.phases.primal_s += t.elapsed().as_secs_f64();
        if cost >= self.best.0 - 1e-9 {
            return;
        }
        let mut by_order: Vec<Vec<Assignment>> = vec![Vec::new(); s.orders.len()];
        for a in &improved {
            by_order[cs.candidates[a.candidate].order.index()].push(a.clone());
        }
        let cols: Vec<Column> = self
            .top
            .orders
            .iter()
            .map(|&o| Column::new(&self.ctx, o, &by_order[o.index()]))
            .collect();
        self.incumbent = Some(Incumbent::new(cols, self.ctx.cp.rows().len()));
        self.best = (cost, Some(improved));
        (self.progress)(&format!(
            "plan {:.2} (local search), gap {:.3}%",
            self.best.0,
            100.0 * Self::gap(self.best.0, self.best_bound)
        ));
    }

    /// Runs a neighbourhood and keeps its plan if cheaper (see [`Self::keep`]).
    fn try_neighbourhood(&mut self, mut nb: Neighbourhood) -> bool {
        let values = nb.run();
        self.keep(nb, values)
    }

    /// Runs two neighbourhoods made [`side_by_side`] at once (a MIP per
    /// thread) and keeps both plans where cheaper; true if either improved
    /// the best plan.
    fn try_side_by_side(&mut self, mut a: Neighbourhood, mut b: Neighbourhood) -> bool {
        let (va, vb) = rayon::join(|| a.run(), || b.run());
        let improved = self.keep(a, va);
        if let Some(inc) = &self.incumbent {
            b.follow(inc.version);
        }
        self.keep(b, vb) | improved
    }

    /// Whether the plan may still improve: outside the gap, inside the time.
    fn open(&self) -> bool {
        self.gap_open() && self.budget.running()
    }

    /// The time left goes to plans: the neighbourhood made last (`pending`),
    /// the LP as it stands, then neighbourhoods around the costliest rows.
    pub(super) fn plans(&mut self, pending: Option<Neighbourhood>) {
        if let Some(nb) = pending.filter(|_| self.open()) {
            self.lns.improved |= self.try_neighbourhood(nb);
        }
        let Some((lp, price)) = self.last.take() else {
            return;
        };
        if let Some(lp) = &lp {
            self.round_lp(lp, &price);
        }
        while self.open() {
            let Some(mut first) = self.lns.next(&self.top, self.incumbent.as_ref(), &price) else {
                break;
            };
            let second = self.lns.next(&self.top, self.incumbent.as_ref(), &price);
            let pair = second.zip(self.incumbent.as_ref()).and_then(|(mut b, inc)| {
                side_by_side(self.ctx.cp, &self.top, inc, &mut first, &mut b).then_some(b)
            });
            let nb = self.make(first, &price, Kind::DearestRows);
            match pair {
                Some(b) => {
                    let other = self.make(b, &price, Kind::DearestRows);
                    self.lns.improved |= self.try_side_by_side(nb, other);
                }
                None => self.lns.improved |= self.try_neighbourhood(nb),
            }
        }
        self.last = Some((lp, price));
    }

    /// Without a plan yet: the conflicts of the master LP `lp` as it stands
    /// (unless it is the LP already rounded), then the wider neighbourhood.
    fn round_lp(&mut self, lp: &MasterLp, price: &[f64]) {
        let lp_value = lp.objective + self.independent.cost;
        let moved = lp_value < self.rounded_at - 1e-7 * lp_value.abs();
        for width in [Width::Conflicts, Width::Tight] {
            if self.incumbent.is_none() && self.open() && (moved || width == Width::Tight) {
                let kept = lp_neighbourhood(&self.top, &lp.columns, width);
                let nb = self.make(kept, price, Kind::Lp(width));
                self.try_neighbourhood(nb);
            }
        }
    }

    /// Whether the wave is too large for its master LP: its prices come
    /// from an ascent instead ([`ascent`]).
    pub(super) fn ascends(&self) -> bool {
        self.top.orders.len() >= self.limits.ascent_orders
    }

    /// Prices by the ascent until its steps stop improving the bound, the
    /// plans at its prices fit, the gap closes, or its share of the time is
    /// spent; the bound is its best. An auction from those prices then
    /// settles the orders' plans ([`Ascent::settle`]); the plan it ends at,
    /// repaired and improved by the local search, is the incumbent the
    /// neighbourhoods start from, and they rank rows by the auction's prices.
    pub(super) fn ascend(&mut self, from: Option<Vec<f64>>) {
        let mut ascent = self.climb(from, false);
        if ascent.best.is_none() {
            return;
        }
        let t = Instant::now();
        let (budget, progress) = (self.budget, self.progress);
        let last = ascent.settle(&self.ctx, &mut self.top, |round| {
            progress(&format!(
                "auction round {}: {} orders moved, {} rows overfilled",
                round.number, round.moved, round.overfilled
            ));
            round.number < SETTLE_ROUNDS && !round.stuck() && !budget.settle_overruns(round.seconds)
        });
        let price = ascent.best.as_ref().map(|b| b.price.clone()).unwrap_or_default();
        self.last = Some((None, price));
        if let Some(cols) = ascent.plan(&self.ctx, &self.top) {
            let inc = Incumbent::new(cols, self.ctx.cp.rows().len());
            let cost = self.independent.cost + inc.cost;
            self.phases.primal_s += t.elapsed().as_secs_f64();
            (self.progress)(&format!(
                "plan {cost:.2} (an auction of {} rounds from the ascent's best prices, {} rows left to repair), gap {:.3}%",
                last.number,
                last.overfilled,
                100.0 * Self::gap(cost, self.best_bound)
            ));
            if cost < self.best.0 {
                self.best = (cost, None);
                self.incumbent = Some(inc);
            }
        }
        self.polish();
    }

    /// The ascent's steps from the prices `from` (zero if none), until
    /// they stop improving the bound, the plans fit, the gap closes, or the
    /// time is spent: its share of the limit, or all of it when the ascent
    /// is `alone` (prices for another run). The best prices are kept.
    fn climb(&mut self, from: Option<Vec<f64>>, alone: bool) -> Ascent {
        let mut ascent = match from {
            Some(price) => Ascent::from_prices(&self.top, price),
            None => Ascent::new(&self.top),
        };
        let mut last_step_s = 0.0;
        while !ascent.stalled()
            && ascent.steps < self.limits.max_iterations
            && !self.budget.ascent_overruns(last_step_s, alone)
        {
            let t = Instant::now();
            let step = ascent.step(&self.ctx, &mut self.top, self.independent.bound);
            last_step_s = t.elapsed().as_secs_f64();
            self.phases.pricing_s += last_step_s;
            self.ascent_steps = ascent.steps;
            self.best_bound = self.best_bound.max(step.bound);
            (self.progress)(&format!(
                "ascent step {}: bound {:.2} (best {:.2})",
                ascent.steps, step.bound, self.best_bound
            ));
            if step.fits || self.gap_closed() {
                break;
            }
        }
        if let Some(best) = &ascent.best {
            self.best_price.clone_from(&best.price);
        }
        ascent
    }

    /// The ascent alone, for the prices of another run ([`Search::prices`]).
    pub(super) fn ascend_alone(&mut self) {
        self.climb(None, true);
    }

    /// The best bound's row prices, the bound (over this run's candidates)
    /// and the ascent's steps.
    pub(super) fn prices(&self) -> super::AscentPrices {
        super::AscentPrices {
            prices: self.ctx.cp.row_prices(&self.best_price),
            bound: self.best_bound,
            steps: self.ascent_steps,
        }
    }

    /// What the run found.
    pub(super) fn outcome(mut self) -> Outcome {
        let cp = self.ctx.cp;
        let mut inexact: Vec<OrderIdx> = self
            .top
            .orders
            .iter()
            .zip(&self.top.plans)
            .filter(|(_, p)| p.as_ref().is_some_and(|p| !p.exact))
            .map(|(&o, _)| o)
            .chain(
                self.independent
                    .plans
                    .iter()
                    .filter(|(_, p)| !p.exact)
                    .map(|(o, _)| *o),
            )
            .collect();
        inexact.sort_unstable();
        // The run is over: the best plan is moved out, not copied.
        let assignments = match self.best.1.take() {
            Some(plan) => plan,
            None => self.best_plan(),
        };
        let cost = decode::plan_cost(self.ctx.s, self.cs(), &assignments);
        Outcome {
            inexact_orders: inexact.len(),
            inexact,
            assignments,
            cost,
            bound: self.best_bound,
            lp_value: self
                .last
                .and_then(|(lp, _)| lp)
                .map(|lp| lp.objective + self.independent.cost),
            lp_converged: self.lp_converged,
            iterations: self.iterations,
            ascent_steps: self.ascent_steps,
            columns: self.top.columns.len(),
            rows: cp.rows().len(),
            independent_orders: self.independent.plans.len(),
            component_sizes: cp.component_sizes(),
            neighbourhoods: self.neighbourhoods,
            phases: self.phases,
            master_stopped: self.stopped,
            prices: cp.row_prices(&self.best_price),
        }
    }
}

/// Growth of a round's time over the round before it from which the next
/// round is taken to grow as much again: rounds of one wave take about as
/// long as each other (peak-l: 2-4 s each), but the master LP of a million
/// orders took 7 s, 32 s and then 236 s, and a round cut off by the time
/// limit is wasted.
const GROWING: f64 = 2.0;

/// The time the next round is expected to take after rounds of `before` and
/// `last` seconds: `last`, times its growth when the rounds are growing.
fn predicted_round(before: Option<f64>, last: f64) -> f64 {
    match before {
        Some(b) if b > 0.0 && last > GROWING * b => last * (last / b),
        _ => last,
    }
}

/// One pricing round: the master LP (until `lp_until` seconds from the
/// start), then pricing at its duals, with the seconds of each.
fn round(ctx: &Ctx, top: &mut Restricted, budget: Budget, lp_until: f64) -> Round {
    let t = Instant::now();
    let lp = top.solve_lp(budget.left_until(lp_until))?;
    let master_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let priced = top.price(ctx, &lp);
    Ok((lp, priced, master_s, t.elapsed().as_secs_f64()))
}

#[cfg(test)]
mod tests {
    use super::predicted_round;

    #[test]
    fn a_round_is_expected_to_take_as_long_as_the_last_unless_rounds_are_growing() {
        assert_eq!(predicted_round(None, 3.0), 3.0);
        assert_eq!(predicted_round(Some(4.0), 3.0), 3.0);
        assert_eq!(predicted_round(Some(2.0), 3.9), 3.9);
        // The master of a million orders: 7 s, then 32 s, then 236 s.
        assert!((predicted_round(Some(7.0), 32.0) - 32.0 * 32.0 / 7.0).abs() < 1e-9);
        assert_eq!(predicted_round(Some(0.0), 5.0), 5.0);
    }
}
