//! Bounds: the Lagrangian bound of a pricing round over the wave's kept
//! candidates, and the bound over every candidate at the best prices (the
//! pass made when candidates were pruned): the column generation's, scaled,
//! or per-SKU prices that no order can escape.

use crate::network::candidates::{CandidateSet, ExactCandidates};
use crate::network::domain::{OrderIdx, Scenario};
use crate::network::lanes::Network;
use crate::sourcing::decompose::rows::RowPrices;
use crate::sourcing::decompose::sku_prices::{self, OrderBound, Prices};

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

/// How the bound over every candidate was obtained.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BoundSource {
    /// The column generation's row prices times this scale (0: every
    /// order's own optimum, no row priced).
    RowPrices(f64),
    /// Those prices times the scale, plus one price per SKU at every node
    /// that holds it, for this many SKUs ([`sku_prices`]).
    SkuPrices(f64, usize),
}

impl std::fmt::Display for BoundSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            BoundSource::RowPrices(0.0) => write!(f, "zero prices"),
            BoundSource::RowPrices(scale) => write!(f, "the row prices times {scale}"),
            BoundSource::SkuPrices(0.0, n) => write!(f, "per-SKU prices on {n} SKUs"),
            BoundSource::SkuPrices(scale, n) => {
                write!(f, "the row prices times {scale} and per-SKU prices on {n} SKUs")
            }
        }
    }
}

/// The bound over every candidate, and how it was obtained.
#[derive(Debug, Clone, Copy)]
pub struct WaveBound {
    /// The bound, valid for the whole wave.
    pub value: f64,
    /// Orders whose search ran out of budget at the prices of the bound
    /// (their amortized bound counts).
    pub inexact: usize,
    /// The prices of the bound.
    pub source: BoundSource,
    /// The bound at zero prices: the sum of every order's own optimum.
    pub zero_prices: f64,
}

/// A lower bound valid for the whole wave over every candidate, whichever
/// were kept: the best Lagrangian value at `prices` scaled by each of
/// [`BOUND_SCALES`], then at the best of those plus per-SKU prices
/// ([`sku_prices::search`]), each order's exact optimum over its exact
/// candidates at those prices (made one order at a time, never all held),
/// minus the priced limits. With rows the kept candidates could not bind left
/// unpriced it is still a relaxation.
///
/// Each order's best plan over its kept candidates `cs` at the highest scale
/// is a ceiling: no plan at a lower scale costs more than it does there, so
/// the nodes that cannot take part in a cheaper plan are skipped.
pub fn exact_bound(s: &Scenario, net: &Network, cs: &CandidateSet, prices: &RowPrices) -> WaveBound {
    let exact = ExactCandidates::new(s, net);
    // Without a priced row every scale gives the zero-price bound: one
    // search per order, not four (a wave whose master LP never solved).
    let scales: &[f64] = if prices.is_zero() {
        &[0.0]
    } else {
        &BOUND_SCALES
    };
    let top = Prices::rows(prices, scales.iter().copied().fold(0.0, f64::max));
    let ceiling = |o: OrderIdx| top.kept_optimum(s, cs, o);
    let all: Vec<OrderIdx> = OrderIdx::all(s.orders.len()).collect();
    let mut per_order: Vec<Vec<OrderBound>> = exact.map(&all, ceiling, |o, cands, penalty| {
        scales
            .iter()
            .map(|&scale| OrderBound::of(s, o, cands, penalty, &Prices::rows(prices, scale)))
            .collect()
    });
    let value = |i: usize| -> f64 {
        per_order.iter().map(|b| b[i].bound).sum::<f64>() - scales[i] * prices.limit_term
    };
    let (best, best_value) = (0..scales.len())
        .map(|i| (i, value(i)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .expect("a scale");
    let zero_prices = value(0);
    let scale = scales[best];
    let row_bound = WaveBound {
        value: best_value,
        inexact: per_order.iter().filter(|b| !b[best].exact).count(),
        source: BoundSource::RowPrices(scale),
        zero_prices,
    };
    let base: Vec<OrderBound> = per_order
        .iter_mut()
        .map(|b| b.swap_remove(best))
        .collect();
    drop(per_order);
    let by_sku = sku_prices::search(s, &exact, cs, &base, &Prices::rows(prices, scale));
    match by_sku {
        Some(b) if b.value > row_bound.value => WaveBound {
            value: b.value,
            inexact: b.inexact,
            source: BoundSource::SkuPrices(scale, b.priced),
            zero_prices,
        },
        _ => row_bound,
    }
}
