//! A bound orders cannot escape: one price per SKU, the same on the stock row
//! of every node that holds it. Prices found over pruned candidates sit on
//! the rows of the nodes kept, so over every candidate the orders move to the
//! nodes the pruning dropped and the bound falls back to zero prices. A
//! SKU's price at every node leaves no such node: an order pays it wherever
//! the unit comes from, and only leaving the unit unfilled avoids it. Where
//! the wave wants more of a SKU than it holds anywhere (the scarce SKUs of a
//! peak wave), that is what the bound at zero prices misses.
//!
//! Pricing row `(n, k)` at `lambda_k` for every node `n` gives the Lagrangian
//! `sum_o min_o(c + lambda u) - sum_k lambda_k S_k`, with `S_k` the SKU's
//! units available to promise over every node: a valid bound at any
//! `lambda >= 0`. Each order's term is its exact optimum over every candidate
//! at those prices (a lower bound of it where the search runs out of budget).
//! Only the orders with a line of a priced SKU change; the others keep their
//! terms at the base prices (below). The prices are found by
//! bisection, every SKU at once: a SKU whose priced plans still use more than
//! it holds is priced higher, else lower (the sign of the subgradient; the
//! bound is nearly separable by SKU, orders of several priced SKUs aside).
//! The best bound of the steps is kept. The SKU prices are added to the
//! column generation's row prices at their best scale ([`super::bound`]):
//! the orders' optima there are the base, and the bound subtracts both
//! priced limits.

use crate::network::candidates::{Candidate, CandidateSet, ExactCandidates};
use crate::network::domain::{OrderIdx, Scenario, SkuIdx};
use crate::sourcing::decompose::rows::RowPrices;
use crate::sourcing::order_opt::{OrderPlan, OrderView, best_plan};

/// Bisection steps: the price of each SKU is then within 1/2^STEPS of the
/// largest unfilled penalty per unit of its lines from where its plans use
/// exactly what it holds.
const STEPS: usize = 8;

/// Share of the bound below which a step's gain ends the search: each step
/// is a pass over the orders of the short SKUs (12 s for 28k orders on
/// peak-xl seed 3, whose steps 5-8 gained 2,648, 1,317, 543 and 137 on a
/// bound of 23.0M), time the plan can use better.
const LEAST_GAIN: f64 = 2e-4;

/// Prices of the rows over every candidate: the column generation's row
/// prices times a scale, plus a price per SKU at every node that holds it.
#[derive(Clone, Copy)]
pub struct Prices<'a> {
    rows: &'a RowPrices,
    scale: f64,
    sku: Option<&'a [f64]>,
}

impl<'a> Prices<'a> {
    /// The row prices `rows` times `scale`, no SKU priced.
    pub fn rows(rows: &'a RowPrices, scale: f64) -> Prices<'a> {
        Prices {
            rows,
            scale,
            sku: None,
        }
    }

    /// These prices plus `sku` per unit of each SKU.
    fn with_skus(self, sku: &'a [f64]) -> Prices<'a> {
        Prices {
            sku: Some(sku),
            ..self
        }
    }

    /// Adds the prices to the view of order `o` over `cands` (in the view's
    /// order).
    fn add_to(&self, s: &Scenario, o: OrderIdx, cands: &[Candidate], v: &mut OrderView) {
        if self.scale > 0.0 {
            self.rows.price_view(s, o, cands, v, self.scale);
        }
        let Some(sku) = self.sku else {
            return;
        };
        let lines = &s.orders[o].lines;
        for (p, c) in cands.iter().enumerate() {
            for cl in &c.lines {
                if let Some((uc, _)) = v.line[[p, cl.line]].as_mut() {
                    *uc += sku[lines[cl.line].sku.index()];
                }
            }
        }
    }

    /// The cost of order `o`'s best plan over its kept candidates in `cs` at
    /// these prices: a ceiling of its optimum over every candidate.
    pub fn kept_optimum(&self, s: &Scenario, cs: &CandidateSet, o: OrderIdx) -> f64 {
        let mut v = OrderView::new(s, cs, o);
        self.add_to(s, o, cs.of(o), &mut v);
        best_plan(&v).cost
    }
}

/// One order's exact optimum over every candidate at some prices.
#[derive(Debug, Clone)]
pub struct OrderBound {
    /// The optimum's bound (its cost when the search finished).
    pub bound: f64,
    /// Whether the search finished.
    pub exact: bool,
    /// Units of each SKU the optimum ships.
    pub usage: Vec<(SkuIdx, u32)>,
}

impl OrderBound {
    /// The best plan of order `o` over `cands` (with unfilled penalties
    /// `penalty`) at `prices`.
    pub fn of(s: &Scenario, o: OrderIdx, cands: &[Candidate], penalty: &[f64], prices: &Prices) -> OrderBound {
        Self::with_plan(s, o, cands, penalty, prices).0
    }

    /// [`OrderBound::of`] and the plan itself.
    pub fn with_plan(
        s: &Scenario,
        o: OrderIdx,
        cands: &[Candidate],
        penalty: &[f64],
        prices: &Prices,
    ) -> (OrderBound, OrderPlan) {
        let mut v = OrderView::of(s, o, cands, 0, penalty);
        prices.add_to(s, o, cands, &mut v);
        let p = best_plan(&v);
        let lines = &s.orders[o].lines;
        let mut usage: Vec<(SkuIdx, u32)> = Vec::new();
        for &(line, q) in p.assignments.iter().flat_map(|a| &a.units) {
            let sku = lines[line].sku;
            match usage.iter_mut().find(|(k, _)| *k == sku) {
                Some(u) => u.1 += q,
                None => usage.push((sku, q)),
            }
        }
        let bound = OrderBound {
            bound: p.bound,
            exact: p.exact,
            usage,
        };
        (bound, p)
    }
}

/// The bound at per-SKU prices.
#[derive(Debug, Clone)]
pub struct SkuBound {
    /// The bound, valid for the whole wave.
    pub value: f64,
    /// Orders whose search ran out of budget (their amortized bound counts).
    pub inexact: usize,
    /// SKUs with a positive price.
    pub priced: usize,
}

/// The best bound of [`STEPS`] bisection steps (fewer once a step gains
/// less than [`LEAST_GAIN`] of the bound) on per-SKU prices added to
/// `base`, from the orders' optima at `base` (one per order, in order):
/// `None` if no SKU's optima there use more than the wave holds of it.
pub fn search(
    s: &Scenario,
    exact: &ExactCandidates,
    cs: &CandidateSet,
    at_base: &[OrderBound],
    base: &Prices,
    progress: &dyn Fn(&str),
) -> Option<SkuBound> {
    let held = units_held(s);
    let short: Vec<bool> = usage(s, at_base).iter().zip(&held).map(|(u, h)| u > h).collect();
    let affected: Vec<OrderIdx> = OrderIdx::all(s.orders.len())
        .filter(|&o| s.orders[o].lines.iter().any(|l| short[l.sku.index()]))
        .collect();
    if affected.is_empty() {
        return None;
    }
    let mut is_affected = vec![false; s.orders.len()];
    for &o in &affected {
        is_affected[o.index()] = true;
    }
    // The orders without a short SKU keep their optima at the base prices.
    let (rest, rest_inexact) = at_base
        .iter()
        .zip(&is_affected)
        .filter(|(_, a)| !**a)
        .fold((0.0, 0), |(sum, n), (b, _)| (sum + b.bound, n + usize::from(!b.exact)));
    let base_term = base.scale * base.rows.limit_term;
    let mut lo = vec![0.0; s.skus.len()];
    let mut hi = highest_penalties(s, cs, &affected, &short);
    let mut best: Option<SkuBound> = None;
    for step in 1..=STEPS {
        let price: Vec<f64> = lo.iter().zip(&hi).map(|(l, h)| (l + h) / 2.0).collect();
        let prices = base.with_skus(&price);
        let bounds = exact.map_with_sku_prices(
            &affected,
            |o| prices.kept_optimum(s, cs, o),
            &|k| price[k.index()],
            |o, _, cands, penalty| OrderBound::of(s, o, cands, penalty, &prices),
        );
        let held_term: f64 = price.iter().zip(&held).map(|(p, &h)| p * h as f64).sum();
        let value = rest + bounds.iter().map(|b| b.bound).sum::<f64>() - base_term - held_term;
        let small_gain = best
            .as_ref()
            .is_some_and(|b| value - b.value < LEAST_GAIN * b.value.abs());
        if best.as_ref().is_none_or(|b| value > b.value) {
            best = Some(SkuBound {
                value,
                inexact: rest_inexact + bounds.iter().filter(|b| !b.exact).count(),
                priced: price.iter().filter(|&&p| p > 0.0).count(),
            });
        }
        progress(&format!(
            "bound over every candidate, per-SKU prices, step {step} of {STEPS}: {value:.2} ({} orders of {} short SKUs)",
            affected.len(),
            short.iter().filter(|&&k| k).count()
        ));
        if small_gain {
            break;
        }
        let used = usage(s, &bounds);
        for k in (0..s.skus.len()).filter(|&k| short[k]) {
            if used[k] > held[k] {
                lo[k] = price[k];
            } else {
                hi[k] = price[k];
            }
        }
    }
    best
}

/// Units of each SKU the optima `bounds` ship.
fn usage(s: &Scenario, bounds: &[OrderBound]) -> Vec<u64> {
    let mut used = vec![0u64; s.skus.len()];
    for &(k, q) in bounds.iter().flat_map(|b| &b.usage) {
        used[k.index()] += u64::from(q);
    }
    used
}

/// Units of each SKU available to promise over every node: the sum of the
/// limits of its stock rows.
fn units_held(s: &Scenario) -> Vec<u64> {
    let mut held = vec![0u64; s.skus.len()];
    for (&(_, k), &q) in &s.atp {
        held[k.index()] += u64::from(q);
    }
    held
}

/// Per SKU, the largest unfilled penalty per unit of a line of it in
/// `orders` where it is short (0 elsewhere): above it, every such unit
/// is cheaper left unfilled, so no higher price can help.
fn highest_penalties(s: &Scenario, cs: &CandidateSet, orders: &[OrderIdx], short: &[bool]) -> Vec<f64> {
    let mut hi = vec![0.0f64; s.skus.len()];
    for &o in orders {
        for (l, &penalty) in s.orders[o].lines.iter().zip(cs.unfilled_of(o)) {
            let k = l.sku.index();
            if short[k] {
                hi[k] = hi[k].max(penalty);
            }
        }
    }
    hi
}
