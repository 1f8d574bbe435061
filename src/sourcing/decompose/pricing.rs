//! Pricing: each order finds its cheapest plan at the master's row prices
//! exactly ([`crate::sourcing::order_opt`], in parallel); plans with negative
//! reduced cost enter the master. Orders that share no row that can bind are
//! priced once, at zero prices, alone.

use rayon::prelude::*;

use crate::network::candidates::CandidateSet;
use crate::network::domain::{OrderIdx, Scenario};
use crate::solution::assignment::Assignment;
use crate::solver::MasterLp;
use crate::sourcing::decompose::master::{Column, Ctx, Restricted};
use crate::sourcing::decompose::rows::Coupling;
use crate::sourcing::order_opt::{OrderPlan, OrderView, best_plan};

/// Relative reduced cost below which a plan enters the master.
const ENTER: f64 = -1e-6;

/// What one pricing round found.
pub(super) struct Priced {
    /// Price of each coupling row (the master's duals, 0 for rows left out).
    pub(super) price: Vec<f64>,
    /// Sum of the orders' bounds at those prices.
    pub(super) bounds: f64,
    /// Columns offered to the master.
    pub(super) added: usize,
}

impl Restricted {
    /// Prices every order whose rows changed price at the LP's duals and
    /// offers the plans with negative reduced cost.
    pub(super) fn price(&mut self, ctx: &Ctx, lp: &MasterLp) -> Priced {
        let price: Vec<f64> = self
            .row_of
            .iter()
            .map(|&m| m.map_or(0.0, |m| (-lp.row_duals[m]).max(0.0)))
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
                    || ctx.cp.order_rows[self.orders[k].index()]
                        .iter()
                        .any(|&r| changed[r])
            })
            .collect();
        let limit = &self.limit;
        let orders = &self.orders;
        let fresh: Vec<(usize, OrderPlan)> = touched
            .par_iter()
            .map(|&k| {
                let mut v = ctx.short.view(ctx.s, ctx.cs, orders[k]);
                ctx.cp.price_and_limit_view(ctx.cs, &price, limit, &mut v);
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
        Priced {
            price,
            bounds,
            added: self.columns.len() - before,
        }
    }
}

/// For each order of one unit (half the orders of a peak wave), the
/// candidates that can be its plan at some row prices and limits: a candidate
/// with no row that can bind keeps its cost and its units whatever the
/// prices and limits, and prices only add, so a candidate that costs more
/// before prices than such a one, or than leaving the unit unfilled, is never
/// the order's best plan. Pricing makes such an order's view over these alone.
pub(super) struct Shortlists(Vec<Option<Vec<u32>>>);

impl Shortlists {
    /// The shortlists of a wave's orders of one unit (none at all if the
    /// wave's candidates cannot be counted in 32 bits).
    pub(super) fn new(s: &Scenario, cs: &CandidateSet, cp: &Coupling) -> Shortlists {
        if u32::try_from(cs.candidates.len()).is_err() {
            return Shortlists(Vec::new());
        }
        Shortlists(
            (0..s.orders.len())
                .into_par_iter()
                .map(|o| shortlist(s, cs, cp, OrderIdx::new(o)))
                .collect(),
        )
    }

    /// The view pricing makes of order `o`: over its shortlist if it has one.
    pub(super) fn view(&self, s: &Scenario, cs: &CandidateSet, o: OrderIdx) -> OrderView {
        match self.0.get(o.index()) {
            Some(Some(list)) => OrderView::picked(s, cs, o, list),
            _ => OrderView::new(s, cs, o),
        }
    }
}

/// The candidates of order `o` (one unit) that may be its best plan; `None`
/// for an order of more units.
fn shortlist(s: &Scenario, cs: &CandidateSet, cp: &Coupling, o: OrderIdx) -> Option<Vec<u32>> {
    let quantity = s.orders[o].lines.iter().map(|l| u64::from(l.quantity));
    if quantity.sum::<u64>() != 1 {
        return None;
    }
    let line = s.orders[o].lines.iter().position(|l| l.quantity == 1)?;
    // (index, cost before prices, whether prices and limits can touch it) of
    // each candidate that can carry the unit.
    let carriers: Vec<(usize, f64, bool)> = cs
        .range_of(o)
        .filter_map(|ci| {
            let c = &cs.candidates[ci];
            let k = c.lines.iter().position(|cl| cl.line == line)?;
            let cl = &c.lines[k];
            let bound = cp.pkg_row(cs, ci).is_some() || cp.line_rows(cs, ci, k) != (None, None);
            (cl.max_units >= 1).then(|| (ci, c.package.total() + cl.cost.total(), bound))
        })
        .collect();
    let ceiling = carriers
        .iter()
        .filter(|&&(_, _, bound)| !bound)
        .map(|&(_, cost, _)| cost)
        .fold(cs.unfilled_of(o)[line], f64::min);
    // The margin covers the search's: it ships a unit that costs up to 1e-6
    // more than leaving it unfilled.
    Some(
        carriers
            .into_iter()
            .filter(|&(_, cost, _)| cost <= ceiling + 1e-6)
            .map(|(ci, _, _)| ci as u32)
            .collect(),
    )
}

/// The orders that share no row that can bind, each with its own optimum.
pub(super) struct Independent {
    /// The orders (ascending) and their plans.
    pub(super) plans: Vec<(OrderIdx, OrderPlan)>,
    /// Sum of their bounds.
    pub(super) bound: f64,
    /// Sum of their costs.
    pub(super) cost: f64,
}

impl Independent {
    /// Solves every order without a coupling row, once, exactly.
    pub(super) fn solve(ctx: &Ctx) -> Independent {
        let plans: Vec<(OrderIdx, OrderPlan)> = (0..ctx.s.orders.len())
            .into_par_iter()
            .filter(|&o| ctx.cp.order_rows[o].is_empty())
            .map(|o| {
                let o = OrderIdx::new(o);
                (o, best_plan(&OrderView::new(ctx.s, ctx.cs, o)))
            })
            .collect();
        let bound: f64 = plans.iter().map(|(_, p)| p.bound).sum();
        let cost: f64 = plans.iter().map(|(_, p)| p.cost).sum();
        Independent { plans, bound, cost }
    }

    /// The whole wave's plan: the independent orders' plans, then `cols`.
    pub(super) fn with(&self, cols: &[Column]) -> Vec<Assignment> {
        self.plans
            .iter()
            .flat_map(|(_, p)| p.assignments.iter().cloned())
            .chain(cols.iter().flat_map(|c| c.assignments.iter().cloned()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::candidates::CandidateMode;
    use crate::network::candidates;
    use crate::network::lanes::Network;
    use crate::research::generate::{GenConfig, generate};
    use crate::sourcing::order_opt::best_plan;

    #[test]
    fn an_order_of_one_unit_is_priced_over_its_shortlist_as_over_every_candidate() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let (mut orders, mut shortened) = (0, 0);
        for seed in 1..=3u64 {
            let cfg = GenConfig::preset("tiny")
                .expect("a preset")
                .with_overrides(&["orders=400".to_string()])
                .expect("valid knobs");
            let path = dir.path().join(format!("w{seed}"));
            generate(&cfg, seed, "tiny", &path).expect("the generator writes");
            let s = crate::load_scenario(&path, "us-parcel", &[]).expect("a valid wave").0;
            let cs = candidates::generate(&s, &Network::build(&s), CandidateMode::Exact);
            let cp = Coupling::new(&s, &cs);
            let short = Shortlists::new(&s, &cs, &cp);
            let mut x = seed;
            let mut next = move || {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                (x >> 33) as f64 / f64::from(1u32 << 31)
            };
            for round in 0..4 {
                // Prices up to 40 on some rows; limits at, below or far below the wave's.
                let price: Vec<f64> = (0..cp.limit().len())
                    .map(|_| if next() < 0.5 { 0.0 } else { 40.0 * next() })
                    .collect();
                let limit: Vec<f64> = cp.limit().iter().map(|l| l * [1.0, 0.5, 0.0, 0.2][round]).collect();
                for o in OrderIdx::all(s.orders.len()) {
                    let Some(Some(list)) = short.0.get(o.index()) else {
                        continue;
                    };
                    let mut every = OrderView::new(&s, &cs, o);
                    let mut picked = short.view(&s, &cs, o);
                    cp.price_and_limit_view(&cs, &price, &limit, &mut every);
                    cp.price_and_limit_view(&cs, &price, &limit, &mut picked);
                    let (a, b) = (best_plan(&every), best_plan(&picked));
                    assert_eq!(a.cost.to_bits(), b.cost.to_bits(), "order {o:?}");
                    assert_eq!(a.assignments, b.assignments, "order {o:?}");
                    orders += 1;
                    shortened += usize::from(list.len() < cs.range_of(o).len());
                }
            }
        }
        assert!(orders > 1_000, "{orders} orders of one unit priced");
        assert!(shortened * 10 > orders, "{shortened} of {orders} shortlists shorter");
    }
}
