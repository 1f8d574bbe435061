//! Pricing: each order finds its cheapest plan at the master's row prices
//! exactly ([`crate::sourcing::order_opt`], in parallel); plans with negative
//! reduced cost enter the master. Orders that share no row that can bind are
//! priced once, at zero prices, alone.

use rayon::prelude::*;

use crate::network::domain::OrderIdx;
use crate::solution::assignment::Assignment;
use crate::solver::MasterLp;
use crate::sourcing::decompose::master::{Column, Ctx, Restricted};
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
        let before = self.columns.len();
        for (k, p) in self.price_at(ctx, &price) {
            if p.cost - mu[k] < ENTER * p.cost.abs().max(1.0) {
                self.offer(Column::new(ctx, self.orders[k], &p.assignments));
            }
            self.plans[k] = Some(p);
        }
        let bounds = self.plans.iter().flatten().map(|p| p.bound).sum();
        Priced {
            price,
            bounds,
            added: self.columns.len() - before,
        }
    }

    /// The best plan at `price` of every order whose rows changed price
    /// since the last pricing (or that has none yet), by slot, in
    /// parallel. An order whose rows kept their prices keeps its plan: that
    /// plan is in the master already, or was no better than what the master
    /// has. The caller stores the plans in `plans`.
    pub(super) fn price_at(&mut self, ctx: &Ctx, price: &[f64]) -> Vec<(usize, OrderPlan)> {
        let changed: Vec<bool> = price
            .iter()
            .zip(&self.priced_at)
            .map(|(a, b)| a != b)
            .collect();
        let touched: Vec<usize> = (0..self.orders.len())
            .filter(|&k| {
                self.plans[k].is_none()
                    || ctx.cp.order_rows[self.orders[k].index()]
                        .iter()
                        .any(|&r| changed[r])
            })
            .collect();
        let (limit, orders) = (&self.limit, &self.orders);
        let fresh = touched
            .par_iter()
            .map(|&k| {
                let mut v = ctx.short.view(ctx.s, ctx.cs, orders[k]);
                ctx.cp.price_and_limit_view(ctx.cs, price, limit, &mut v);
                (k, best_plan(&v))
            })
            .collect();
        self.priced_at.clear();
        self.priced_at.extend_from_slice(price);
        fresh
    }
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
