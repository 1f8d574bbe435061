//! Bounds: the Lagrangian bound of a pricing round over the wave's kept
//! candidates, and the bound over every candidate at the best prices (the
//! pass made when candidates were pruned): the column generation's, scaled,
//! or per-SKU prices that no order can escape.

use crate::network::candidates::{Candidate, CandidateSet, ExactCandidates};
use crate::network::domain::{OrderIdx, Scenario};
use crate::network::lanes::Network;
use crate::solution::assignment::Assignment;
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
    /// The bound at zero prices (the sum of every order's own optimum), if
    /// the pass evaluated it.
    pub zero_prices: Option<f64>,
}

/// What the pass over every candidate at one set of prices found beside the
/// bound: the candidates pruned that some orders' best plans use.
pub struct Pass {
    /// The bound.
    pub bound: WaveBound,
    /// Per order whose best plan over every candidate at the row prices is
    /// cheaper than over its kept ones, the pruned candidates that plan
    /// ships from (orders ascending).
    pub pruned_used: Vec<(OrderIdx, Vec<Candidate>)>,
}

/// A lower bound valid for the whole wave over every candidate, whichever
/// were kept: the best Lagrangian value at `prices` scaled by each of
/// [`BOUND_SCALES`], then at the best of those plus per-SKU prices
/// ([`sku_prices::search`]), each order's exact optimum over its exact
/// candidates at those prices (made one order at a time, never all held),
/// minus the priced limits. With rows the kept candidates could not bind left
/// unpriced it is still a relaxation.
pub fn exact_bound(
    s: &Scenario,
    net: &Network,
    cs: &CandidateSet,
    prices: &RowPrices,
    progress: &dyn Fn(&str),
) -> WaveBound {
    // Without a priced row every scale gives the zero-price bound: one
    // search per order, not four (a wave whose master LP never solved).
    let scales: &[f64] = if prices.is_zero() {
        &[0.0]
    } else {
        &BOUND_SCALES
    };
    pass(s, net, cs, prices, scales, false, progress).bound
}

/// The bound of [`exact_bound`] at the row prices `prices` as they are (an
/// ascent's: their scale 1 was the best of [`BOUND_SCALES`] on every
/// peak-xl seed, and each scale costs a search per order), and the pruned
/// candidates the orders' best plans there use.
pub fn bound_and_pruned_used(
    s: &Scenario,
    net: &Network,
    cs: &CandidateSet,
    prices: &RowPrices,
    progress: &dyn Fn(&str),
) -> Pass {
    pass(s, net, cs, prices, &[1.0], true, progress)
}

/// One order's results in a pass.
struct OrderPass {
    /// Its best plan's cost over its kept candidates at the top scale.
    kept: f64,
    /// Its optimum over every candidate at each scale.
    bounds: Vec<OrderBound>,
    /// If its best plan over every candidate at the top scale costs less
    /// than `kept`, the pruned candidates that plan ships from (none unless
    /// the pass wants them).
    cheaper: Option<Vec<Candidate>>,
}

/// Each order's best plan over its kept candidates `cs` at the highest scale
/// is a ceiling: no plan at a lower scale costs more than it does there, so
/// the nodes that cannot take part in a cheaper plan are skipped. The orders
/// counted as cheaper over every candidate are the ones given their pruned
/// candidates back (`want_pruned`).
fn pass(
    s: &Scenario,
    net: &Network,
    cs: &CandidateSet,
    prices: &RowPrices,
    scales: &[f64],
    want_pruned: bool,
    progress: &dyn Fn(&str),
) -> Pass {
    let exact = ExactCandidates::new(s, net);
    let top_scale = scales.iter().copied().fold(0.0, f64::max);
    let top = Prices::rows(prices, top_scale);
    let ceiling = |o: OrderIdx| top.kept_optimum(s, cs, o);
    let all: Vec<OrderIdx> = OrderIdx::all(s.orders.len()).collect();
    let per_order: Vec<OrderPass> = exact.map(&all, ceiling, |o, kept, cands, penalty| {
        let mut bounds = Vec::with_capacity(scales.len());
        let mut cheaper = None;
        for &scale in scales {
            let (b, plan) = OrderBound::with_plan(s, o, cands, penalty, &Prices::rows(prices, scale));
            if scale == top_scale && plan.cost < kept - 1e-9 * kept.abs().max(1.0) {
                let pruned = want_pruned.then(|| pruned_candidates(cs.of(o), cands, &plan.assignments));
                cheaper = Some(pruned.unwrap_or_default());
            }
            bounds.push(b);
        }
        OrderPass { kept, bounds, cheaper }
    });
    let value = |i: usize| -> f64 {
        per_order.iter().map(|p| p.bounds[i].bound).sum::<f64>() - scales[i] * prices.limit_term
    };
    let kept = per_order.iter().map(|p| p.kept).sum::<f64>() - top_scale * prices.limit_term;
    let cheaper = per_order.iter().filter(|p| p.cheaper.is_some()).count();
    let values: Vec<String> = (0..scales.len())
        .map(|i| format!("{:.2} at {}", value(i), scales[i]))
        .collect();
    progress(&format!(
        "bound over every candidate at the row prices times {}; {kept:.2} over the kept candidates at {top_scale}, where {cheaper} orders have a cheaper plan over every candidate",
        values.join(", ")
    ));
    let (best, best_value) = (0..scales.len())
        .map(|i| (i, value(i)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .expect("a scale");
    let zero_prices = scales.iter().position(|&x| x == 0.0).map(value);
    let mut pruned_used = Vec::new();
    let mut base = Vec::with_capacity(per_order.len());
    for (o, mut p) in per_order.into_iter().enumerate() {
        base.push(p.bounds.swap_remove(best));
        if let Some(c) = p.cheaper.filter(|c| !c.is_empty()) {
            pruned_used.push((OrderIdx::new(o), c));
        }
    }
    let scale = scales[best];
    let row_bound = WaveBound {
        value: best_value,
        inexact: base.iter().filter(|b| !b.exact).count(),
        source: BoundSource::RowPrices(scale),
        zero_prices,
    };
    let by_sku = sku_prices::search(s, &exact, cs, &base, &Prices::rows(prices, scale), progress);
    let bound = match by_sku {
        Some(b) if b.value > row_bound.value => WaveBound {
            value: b.value,
            inexact: b.inexact,
            source: BoundSource::SkuPrices(scale, b.priced),
            zero_prices,
        },
        _ => row_bound,
    };
    Pass { bound, pruned_used }
}

/// The candidates of `plan` (positions in `cands`) that are not among the
/// order's kept ones `kept` (same node and service).
fn pruned_candidates(kept: &[Candidate], cands: &[Candidate], plan: &[Assignment]) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = Vec::new();
    for a in plan {
        let c = &cands[a.candidate];
        let is_kept = kept.iter().any(|k| k.node == c.node && k.service == c.service);
        if !is_kept && !out.iter().any(|x| x.node == c.node && x.service == c.service) {
            out.push(c.clone());
        }
    }
    out
}
