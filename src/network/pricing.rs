//! What a package and a unit cost: one definition for the optimiser's
//! candidates and the checkout promise, so that a promise quotes what the
//! wave will price. (The independent checker recomputes these on its own.)

use serde::Serialize;

use crate::network::domain::{CrossMarket, Node, NodeKind, Policy, Service, Sku};
use crate::network::lanes::Lane;

/// Cost of one package, by component.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct PackageCost {
    /// Carrier rate per package.
    pub shipping: f64,
    /// Node handling per package.
    pub handling: f64,
    /// Lateness penalty.
    pub lateness: f64,
    /// Cross-market penalty.
    pub cross_market: f64,
}

impl PackageCost {
    /// Sum of the components.
    pub fn total(&self) -> f64 {
        self.shipping + self.handling + self.lateness + self.cross_market
    }
}

/// Cost of one unit of a line, by component.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct UnitCost {
    /// Carrier weight, per-unit and distance rates.
    pub shipping: f64,
    /// Node handling per unit.
    pub handling: f64,
    /// Store premium.
    pub store_premium: f64,
}

impl UnitCost {
    /// Sum of the components.
    pub fn total(&self) -> f64 {
        self.shipping + self.handling + self.store_premium
    }
}

/// The cross-market penalty of a package from `node` to a destination in
/// `market` (`None`: not allowed). Pickup orders never cross: the customer
/// comes to the node.
pub fn cross_market_penalty(
    policy: &Policy,
    node: &Node,
    market: &str,
    pickup: bool,
) -> Option<f64> {
    if node.market == market || pickup {
        return Some(0.0);
    }
    match policy.cross_market {
        CrossMarket::Forbid => None,
        CrossMarket::Penalty(p) => Some(p),
    }
}

/// One package from `node` with `service` over `lane`, `late_days` business
/// days late, carrying `cross_market` penalty.
pub fn package_cost(
    policy: &Policy,
    node: &Node,
    service: &Service,
    lane: Lane,
    late_days: u32,
    cross_market: f64,
) -> PackageCost {
    PackageCost {
        shipping: service.per_package[lane.zone as usize - 1],
        handling: node.handling_per_package,
        lateness: policy.late_penalty_per_day * late_days as f64,
        cross_market,
    }
}

/// The least a home-delivery package from `node` over `lane` can cost with
/// any of its services: rate and handling, no lateness or cross-market
/// penalty (every cost is non-negative); infinite if the node ships none.
pub fn package_floor(node: &Node, services: &[Service], lane: Lane) -> f64 {
    let z = lane.zone as usize - 1;
    node.services
        .iter()
        .map(|offer| services[offer.service].per_package[z])
        .fold(f64::INFINITY, f64::min)
        + node.handling_per_package
}

/// The least a unit of `sku` shipped home from `node` over `lane` can cost
/// with any of its services (infinite if the node ships none).
pub fn unit_floor(policy: &Policy, node: &Node, services: &[Service], sku: &Sku, lane: Lane) -> f64 {
    node.services
        .iter()
        .map(|offer| unit_cost(policy, node, &services[offer.service], sku, lane).total())
        .fold(f64::INFINITY, f64::min)
}

/// One unit of `sku` from `node` with `service` over `lane`.
pub fn unit_cost(policy: &Policy, node: &Node, service: &Service, sku: &Sku, lane: Lane) -> UnitCost {
    let z = lane.zone as usize - 1;
    UnitCost {
        shipping: sku.weight_lb * service.per_lb[z]
            + service.per_unit
            + service.per_unit_per_mile * lane.miles,
        handling: node.handling_per_unit,
        store_premium: if node.kind == NodeKind::Store {
            policy.store_premium_per_unit
        } else {
            0.0
        },
    }
}
