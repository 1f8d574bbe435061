//! Shortlists: the candidates an order of one unit can take at any row
//! prices and limits, so pricing need not look at the rest.

use rayon::prelude::*;

use crate::network::candidates::CandidateSet;
use crate::network::domain::{OrderIdx, Scenario};
use crate::sourcing::decompose::rows::Coupling;
use crate::sourcing::order_opt::OrderView;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sourcing::decompose::tests::tiny_wave;
    use crate::sourcing::order_opt::best_plan;

    #[test]
    fn an_order_of_one_unit_is_priced_over_its_shortlist_as_over_every_candidate() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let (mut orders, mut shortened) = (0, 0);
        for seed in 1..=3u64 {
            let (s, cs) = tiny_wave(dir.path(), seed, 400);
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
