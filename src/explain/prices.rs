//! Shadow prices of the stock and capacity rows the explained order could
//! use: the duals of the LP relaxation of the neighbourhood's model (its
//! orders free, every other order's packages fixed), read as what one more
//! unit of the row would save.

use serde::Serialize;

use crate::input::settings::Settings;
use crate::network::candidates::CandidateSet;
use crate::network::domain::{OrderIdx, Scenario};
use crate::sourcing::bindable::Row;
use crate::sourcing::formulation;

use super::neighbourhood::Neighbourhood;
use super::packages::PlanPackages;

/// Prices below this are reported as zero (solver tolerance).
const PRICE_TOLERANCE: f64 = 1e-7;

/// A stock or capacity row near the explained order.
#[derive(Debug, Clone, Serialize)]
pub struct RowPrice {
    /// `stock`, `packages` or `units` (the node's capacity per wave).
    pub row: &'static str,
    /// Node id.
    pub node: String,
    /// SKU id, for stock.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// The row's limit: units available to promise, or the capacity.
    pub limit: u64,
    /// What the plan's packages (every order's) take of it.
    pub used: u64,
    /// Whether the plan uses all of it.
    pub binding: bool,
    /// The LP's shadow price (0 when the row is slack in it, or when the LP
    /// did not solve): a bound, not an exact saving, where the LP is
    /// degenerate. One more unit of the limit saves the neighbourhood's LP
    /// relaxation at most this, one fewer costs it at least this.
    pub price: f64,
}

/// The LP over the neighbourhood and the priced rows near order `o`.
pub(crate) struct Prices {
    /// The LP relaxation's optimum over the neighbourhood's orders, if it solved.
    pub lp_objective: Option<f64>,
    /// Rows order `o`'s candidates use that bind in the plan or have a
    /// price, the highest price first.
    pub rows: Vec<RowPrice>,
}

/// Prices the rows near order `o` (see the module doc).
pub(crate) fn near(
    s: &Scenario,
    cs: &CandidateSet,
    plan: &PlanPackages,
    hood: &Neighbourhood,
    o: OrderIdx,
    settings: &Settings,
) -> Prices {
    let fixed = plan.fixed_outside(&hood.free);
    // Without a deadline the model is always built.
    let Some(model) = formulation::build_part(s, cs, &hood.free, &fixed, None) else {
        return Prices {
            lp_objective: None,
            rows: Vec::new(),
        };
    };
    let rows = model.rows.clone();
    let (lp_objective, prices) = match model.lp_prices(settings) {
        Some((objective, prices)) => (Some(objective), prices),
        None => (None, vec![0.0; rows.len()]),
    };
    let mut out: Vec<RowPrice> = rows
        .iter()
        .zip(prices)
        .filter(|(row, _)| touches(s, cs, o, **row))
        .map(|(&row, price)| describe(s, plan, row, price))
        .filter(|r| r.binding || r.price > 0.0)
        .collect();
    out.sort_by(|a, b| {
        b.price
            .total_cmp(&a.price)
            .then_with(|| (&a.node, a.row, &a.sku).cmp(&(&b.node, b.row, &b.sku)))
    });
    Prices { lp_objective, rows: out }
}

/// Whether one of order `o`'s candidates draws on `row`.
fn touches(s: &Scenario, cs: &CandidateSet, o: OrderIdx, row: Row) -> bool {
    let order = &s.orders[o];
    cs.range_of(o).map(|ci| &cs.candidates[ci]).any(|c| match row {
        Row::Stock(n, k) => c.node == n && c.lines.iter().any(|l| order.lines[l.line].sku == k),
        Row::Packages(n) | Row::Units(n) => c.node == n,
    })
}

fn describe(s: &Scenario, plan: &PlanPackages, row: Row, price: f64) -> RowPrice {
    let price = if price < PRICE_TOLERANCE { 0.0 } else { price };
    let (kind, n, sku, limit, used) = match row {
        Row::Stock(n, k) => {
            let used = plan.stock_users.get(&(n, k)).into_iter().flatten().map(|&(_, u)| u).sum();
            ("stock", n, Some(s.skus[k].id.clone()), u64::from(s.atp(n, k)), used)
        }
        Row::Packages(n) => {
            let used = plan.node_users.get(&n).map_or(0, |v| v.len() as u64);
            ("packages", n, None, s.nodes[n].capacity_orders.map_or(0, u64::from), used)
        }
        Row::Units(n) => {
            let used = plan.node_users.get(&n).into_iter().flatten().map(|&(_, u)| u).sum();
            ("units", n, None, s.nodes[n].capacity_units.map_or(0, u64::from), used)
        }
    };
    RowPrice {
        row: kind,
        node: s.nodes[n].id.clone(),
        sku,
        limit,
        used,
        binding: used >= limit,
        price,
    }
}
