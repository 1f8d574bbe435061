//! What a package and a unit cost: one definition for the optimiser's
//! candidates and the checkout promise, so that a promise quotes what the
//! wave will price. (The independent checker recomputes these on its own.)

use serde::Serialize;

use crate::network::domain::{CrossMarket, Node, NodeIdx, NodeKind, Policy, Service, ServiceIdx, Sku, ZONES};
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

/// The least a home-delivery package and a unit can cost from each node,
/// whatever the service: floors that let a search skip the nodes that
/// cannot beat a known plan. Kept compact, per node and per service, since
/// a pass over a million orders reads them once per order and stocking
/// node (the nodes' and services' own records are large and scattered).
#[derive(Debug, Clone)]
pub struct Floors {
    nodes: Vec<NodeFloor>,
    rates: Vec<UnitRates>,
}

/// What the floors read of one node.
#[derive(Debug, Clone)]
struct NodeFloor {
    /// Handling per unit and the store premium.
    handling_per_unit: f64,
    store_premium: f64,
    /// Per zone, the least package rate of its services plus its handling
    /// per package (infinite if it offers none).
    package: [f64; ZONES],
    /// Its services.
    services: Vec<ServiceIdx>,
}

/// A service's rates per unit.
#[derive(Debug, Clone, Copy)]
struct UnitRates {
    per_lb: [f64; ZONES],
    per_unit: f64,
    per_unit_per_mile: f64,
}

impl Floors {
    /// The floors of every node of `s`.
    pub fn new(policy: &Policy, nodes: &[Node], services: &[Service]) -> Floors {
        let nodes = nodes
            .iter()
            .map(|node| NodeFloor {
                handling_per_unit: node.handling_per_unit,
                store_premium: store_premium(policy, node),
                package: std::array::from_fn(|z| {
                    node.services
                        .iter()
                        .map(|offer| services[offer.service].per_package[z])
                        .fold(f64::INFINITY, f64::min)
                        + node.handling_per_package
                }),
                services: node.services.iter().map(|offer| offer.service).collect(),
            })
            .collect();
        let rates = services
            .iter()
            .map(|v| UnitRates {
                per_lb: v.per_lb,
                per_unit: v.per_unit,
                per_unit_per_mile: v.per_unit_per_mile,
            })
            .collect();
        Floors { nodes, rates }
    }

    /// The least a home-delivery package from `node` over `lane` can cost
    /// with any of its services: rate and handling, no lateness or
    /// cross-market penalty (every cost is non-negative); infinite if the
    /// node ships none.
    pub fn package(&self, node: NodeIdx, lane: Lane) -> f64 {
        self.nodes[node.index()].package[lane.zone as usize - 1]
    }

    /// The least a unit weighing `weight_lb` shipped home from `node` over
    /// `lane` can cost with any of its services: [`unit_cost`]'s total, the
    /// same sums in the same order (infinite if the node ships none).
    pub fn unit(&self, node: NodeIdx, weight_lb: f64, lane: Lane) -> f64 {
        let n = &self.nodes[node.index()];
        let z = lane.zone as usize - 1;
        n.services
            .iter()
            .map(|&k| {
                let r = &self.rates[k.index()];
                let shipping = weight_lb * r.per_lb[z] + r.per_unit + r.per_unit_per_mile * lane.miles;
                shipping + n.handling_per_unit + n.store_premium
            })
            .fold(f64::INFINITY, f64::min)
    }
}

/// The store premium per unit shipped from `node`.
fn store_premium(policy: &Policy, node: &Node) -> f64 {
    if node.kind == NodeKind::Store {
        policy.store_premium_per_unit
    } else {
        0.0
    }
}

/// One unit of `sku` from `node` with `service` over `lane`.
pub fn unit_cost(policy: &Policy, node: &Node, service: &Service, sku: &Sku, lane: Lane) -> UnitCost {
    let z = lane.zone as usize - 1;
    UnitCost {
        shipping: sku.weight_lb * service.per_lb[z]
            + service.per_unit
            + service.per_unit_per_mile * lane.miles,
        handling: node.handling_per_unit,
        store_premium: store_premium(policy, node),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_floors_are_the_least_package_and_unit_cost_of_each_nodes_services() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/small/pickup-and-market.json");
        let (s, _) = crate::load_scenario(&path, "us-parcel", &[]).expect("valid scenario");
        let floors = Floors::new(&s.policy, &s.nodes, &s.services);
        let mut stores = 0;
        for (n, node) in s.nodes.iter().enumerate() {
            stores += usize::from(node.kind == NodeKind::Store);
            let at = NodeIdx::new(n);
            for zone in 1..=ZONES as u8 {
                for miles in [0.0, 150.0, 2_400.0] {
                    let lane = Lane { miles, zone };
                    let package = node
                        .services
                        .iter()
                        .map(|o| s.services[o.service].per_package[zone as usize - 1] + node.handling_per_package)
                        .fold(f64::INFINITY, f64::min);
                    assert_eq!(floors.package(at, lane), package);
                    for sku in &s.skus {
                        let unit = node
                            .services
                            .iter()
                            .map(|o| unit_cost(&s.policy, node, &s.services[o.service], sku, lane).total())
                            .fold(f64::INFINITY, f64::min);
                        assert_eq!(floors.unit(at, sku.weight_lb, lane), unit);
                    }
                }
            }
        }
        assert!(stores > 0, "the premium of a store is read");
    }
}
