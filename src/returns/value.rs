//! What one unit of a return is worth at a node, by disposition: the
//! optimiser's arc values. (The checker recomputes all of this on its own.)

use crate::network::domain::{NodeIdx, Scenario};
use crate::network::geo;

use super::model::{
    Condition, Disposition, ReturnRequest, ReturnsBatch, inspects, receives, restock_at,
};

/// One way to handle a unit of a request: where, what, and its economics
/// per unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UnitOption {
    /// The receiving node.
    pub node: NodeIdx,
    /// What happens there.
    pub disposition: Disposition,
    /// A restock that fills the node's demand for the SKU.
    pub fills_demand: bool,
    /// Parcel zone from the customer to the node.
    pub zone: u8,
    /// Value recovered per unit (for an inspection: the expected value of
    /// the best disposition after it, net of restock handling).
    pub value: f64,
    /// Return label per unit.
    pub shipping: f64,
    /// Restock handling or inspection per unit.
    pub handling: f64,
}

impl UnitOption {
    /// Value less costs, per unit.
    pub fn net(&self) -> f64 {
        self.value - self.shipping - self.handling
    }
}

/// Parcel zone from the request's customer to `node`.
pub fn zone(scenario: &Scenario, r: &ReturnRequest, node: NodeIdx) -> u8 {
    let n = &scenario.nodes[node];
    geo::zone_for_miles(geo::great_circle_miles(r.lat, r.lon, n.lat, n.lon))
}

/// The options of a request at a node that receives it: the best use that
/// takes no demand (restock without demand, liquidation, vendor credit, or
/// inspection for a unit of unknown condition), and a restock into the
/// node's demand where there is some and it pays more. Options that use
/// only the node's returns capacity are dominated by the best of them, so
/// only that one is kept.
pub fn options_at(
    scenario: &Scenario,
    batch: &ReturnsBatch,
    r: &ReturnRequest,
    node: NodeIdx,
) -> (Option<UnitOption>, Option<UnitOption>) {
    if !receives(scenario, node) {
        return (None, None);
    }
    options_in_zone(scenario, batch, r, node, zone(scenario, r, node))
}

/// [`options_at`] with the zone from the customer to `node` already known
/// (the optimiser keeps them: each pricing round values every option
/// again). `node` must receive returns.
pub fn options_in_zone(
    scenario: &Scenario,
    batch: &ReturnsBatch,
    r: &ReturnRequest,
    node: NodeIdx,
    zone: u8,
) -> (Option<UnitOption>, Option<UnitOption>) {
    let costs = &batch.costs;
    let sku = &scenario.skus[r.sku];
    let price = sku.price.unwrap_or(0.0);
    let z = usize::from(zone.clamp(1, 8) - 1);
    let shipping = costs.per_package[z] + costs.per_lb[z] * sku.weight_lb;
    let base = UnitOption {
        node,
        disposition: Disposition::Liquidate,
        fills_demand: false,
        zone,
        value: 0.0,
        shipping,
        handling: 0.0,
    };
    let restock = restock_at(scenario.nodes[node].kind);
    if r.condition == Condition::Unknown {
        if !inspects(scenario, node) {
            return (None, None);
        }
        let value = expected_after_inspection(batch, price, restock.is_some());
        let inspect = UnitOption {
            disposition: Disposition::Inspect,
            value,
            handling: costs.inspection_per_unit,
            ..base
        };
        return (Some(inspect), None);
    }
    let c = r.condition;
    let mut free = best_disposal(batch, c, price, base);
    let restockable = c != Condition::Damaged;
    let Some(restock) = restock.filter(|_| restockable) else {
        return (Some(free), None);
    };
    let demand_value = costs.restock_share.of(c) * price;
    let shelf = UnitOption {
        disposition: restock,
        value: demand_value * costs.no_demand_factor,
        handling: costs.restock_per_unit,
        ..base
    };
    if shelf.net() >= free.net() {
        free = shelf;
    }
    let into_demand = UnitOption {
        fills_demand: true,
        value: demand_value,
        ..shelf
    };
    let demand = (batch.demand_units(node, r.sku) > 0 && into_demand.net() > free.net())
        .then_some(into_demand);
    (Some(free), demand)
}

/// The better of liquidation and vendor credit (vendor credit on a tie).
fn best_disposal(batch: &ReturnsBatch, c: Condition, price: f64, base: UnitOption) -> UnitOption {
    let liquidate = batch.costs.liquidation_share.of(c) * price;
    let vendor = batch.costs.vendor_share.of(c) * price;
    if vendor >= liquidate {
        UnitOption {
            disposition: Disposition::ReturnToVendor,
            value: vendor,
            ..base
        }
    } else {
        UnitOption {
            disposition: Disposition::Liquidate,
            value: liquidate,
            ..base
        }
    }
}

/// Expected value of an inspected unit: for each condition inspection may
/// find, its share times the best of restocking without demand (net of
/// restock handling, where the node restocks and the unit is not damaged),
/// liquidation and vendor credit.
pub fn expected_after_inspection(batch: &ReturnsBatch, price: f64, node_restocks: bool) -> f64 {
    Condition::INSPECTED
        .iter()
        .map(|&c| {
            batch.costs.inspection_outcomes.of(c)
                * best_after_inspection(batch, c, price, node_restocks).1
        })
        .sum()
}

/// The best disposition of a unit found in condition `c` by inspection,
/// and its value per unit net of restock handling.
pub fn best_after_inspection(
    batch: &ReturnsBatch,
    c: Condition,
    price: f64,
    node_restocks: bool,
) -> (Disposition, f64) {
    let costs = &batch.costs;
    let liquidate = costs.liquidation_share.of(c) * price;
    let vendor = costs.vendor_share.of(c) * price;
    let mut best = if vendor >= liquidate {
        (Disposition::ReturnToVendor, vendor)
    } else {
        (Disposition::Liquidate, liquidate)
    };
    if node_restocks && c != Condition::Damaged {
        let shelf =
            costs.restock_share.of(c) * price * costs.no_demand_factor - costs.restock_per_unit;
        if shelf >= best.1 {
            best = (Disposition::RestockDc, shelf);
        }
    }
    best
}
