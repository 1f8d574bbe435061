//! Bounds: the Lagrangian bound of a pricing round over the wave's kept
//! candidates, and the bound over every candidate at the best prices (the
//! pass made when candidates were pruned).

use crate::network::candidates::{CandidateSet, map_exact};
use crate::network::domain::{OrderIdx, Scenario};
use crate::network::lanes::Network;
use crate::sourcing::decompose::rows::RowPrices;
use crate::sourcing::order_opt::{OrderView, best_plan};

/// The Lagrangian bound of a pricing round, valid for the whole wave at any
/// prices: the independent orders' bound plus the sum of the coupled orders'
/// priced bounds `bounds`, minus the priced limits.
pub(super) fn lagrangian(independent: f64, bounds: f64, price: &[f64], limit: &[f64]) -> f64 {
    independent + bounds - price.iter().zip(limit).map(|(p, l)| p * l).sum::<f64>()
}

/// Scales of the prices at which [`exact_bound`] evaluates the Lagrangian.
/// Prices found over pruned candidates can overprice: the orders escape to
/// candidates the pruning dropped (whose rows have no price) while the priced
/// limits still count, so the bound at full prices can fall below the one at
/// zero prices. The pass evaluates several scales at once.
pub const BOUND_SCALES: [f64; 4] = [0.0, 0.25, 0.5, 1.0];

/// A lower bound valid for the whole wave over every candidate, whichever
/// were kept: the best Lagrangian value at `prices` scaled by each of
/// [`BOUND_SCALES`], each order's exact optimum over its exact candidates at
/// those prices (made one order at a time, never all held), minus the priced
/// limits. With rows the kept candidates could not bind left unpriced it is
/// still a relaxation. Returns the bound and how many orders' searches ran out
/// of budget at the best scale (their amortized bound counts).
///
/// Each order's best plan over its kept candidates `cs` at the highest scale
/// is a ceiling: no plan at a lower scale costs more than it does there, so
/// the nodes that cannot take part in a cheaper plan are skipped.
pub fn exact_bound(s: &Scenario, net: &Network, cs: &CandidateSet, prices: &RowPrices) -> (f64, usize) {
    // Without a priced row every scale gives the zero-price bound: one
    // search per order, not four (a wave whose master LP never solved).
    let scales: &[f64] = if prices.is_zero() {
        &[0.0]
    } else {
        &BOUND_SCALES
    };
    let top = scales.iter().copied().fold(0.0, f64::max);
    let ceiling = |o: OrderIdx| {
        let mut v = OrderView::new(s, cs, o);
        if top > 0.0 {
            prices.price_view(s, o, cs.of(o), &mut v, top);
        }
        best_plan(&v).cost
    };
    let per_order = map_exact(s, net, ceiling, |o, cands, penalty| {
        let unpriced = OrderView::of(s, o, cands, 0, penalty);
        scales
            .iter()
            .map(|&scale| {
                let mut v = unpriced.clone();
                if scale > 0.0 {
                    prices.price_view(s, o, cands, &mut v, scale);
                }
                let p = best_plan(&v);
                (p.bound, p.exact)
            })
            .collect::<Vec<_>>()
    });
    scales
        .iter()
        .enumerate()
        .map(|(i, &scale)| {
            let sum: f64 = per_order.iter().map(|b| b[i].0).sum();
            let inexact = per_order.iter().filter(|b| !b[i].1).count();
            (sum - scale * prices.limit_term, inexact)
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .expect("scales")
}
