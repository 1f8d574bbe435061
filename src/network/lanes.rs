//! The network: a petgraph graph of nodes, destinations and the lanes between
//! them, with ndarray matrices (node x destination) of distance, zone and the
//! ground package rate. Orders going to the same point share a destination.

use std::collections::HashMap;

use ndarray::Array2;
use petgraph::graph::{DiGraph, NodeIndex};

use crate::network::domain::{CrossMarket, NodeIdx, OrderIdx, Scenario};
use crate::network::geo;

/// Most node x destination pairs for which lanes are added to the graph.
pub const MAX_LANE_EDGES: usize = 2_000_000;

/// Most node x destination pairs for which the lane matrices are kept; beyond
/// (a million destinations x 2,000 nodes would take 34 GB) lanes are computed
/// when asked for, from the same formulas.
pub const MAX_MATRIX_CELLS: usize = 20_000_000;

/// A vertex of the network graph.
#[derive(Debug, Clone, PartialEq)]
pub enum Site {
    /// A fulfillment node.
    Node(NodeIdx),
    /// A customer destination (index into [`Network::destinations`]).
    Destination(usize),
}

/// A lane from a node to a destination.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lane {
    /// Great-circle miles.
    pub miles: f64,
    /// Parcel zone 1..=8.
    pub zone: u8,
}

/// The network of one scenario.
#[derive(Debug, Clone)]
pub struct Network {
    /// Nodes and destinations; an edge for every lane a shipment may use (the
    /// node ships to homes and may serve the destination's market), for waves
    /// of at most [`MAX_LANE_EDGES`] node x destination pairs.
    pub graph: DiGraph<Site, Lane>,
    /// Distinct destinations (lat, lon).
    pub destinations: Vec<(f64, f64)>,
    /// Destination of each order.
    pub order_destination: Vec<usize>,
    /// Miles, node x destination (empty beyond [`MAX_MATRIX_CELLS`]).
    pub miles: Array2<f64>,
    /// Zone, node x destination (empty beyond [`MAX_MATRIX_CELLS`]).
    pub zone: Array2<u8>,
    /// Cheapest per-package rate among the node's services, node x destination
    /// (infinite where the node offers no carrier service; empty beyond
    /// [`MAX_MATRIX_CELLS`]).
    pub package_rate: Array2<f64>,
    /// (lat, lon) of each node, for lanes computed when asked for.
    node_sites: Vec<(f64, f64)>,
}

impl Network {
    /// Builds the network of a scenario.
    pub fn build(s: &Scenario) -> Network {
        let mut index: HashMap<(u64, u64), usize> = HashMap::new();
        let mut destinations = Vec::new();
        let mut markets: Vec<&str> = Vec::new();
        let order_destination: Vec<usize> = s
            .orders
            .iter()
            .map(|o| {
                let key = (o.lat.to_bits(), o.lon.to_bits());
                *index.entry(key).or_insert_with(|| {
                    destinations.push((o.lat, o.lon));
                    markets.push(o.market.as_str());
                    destinations.len() - 1
                })
            })
            .collect();
        let (n, d) = (s.nodes.len(), destinations.len());
        let node_sites: Vec<(f64, f64)> = s.nodes.iter().map(|x| (x.lat, x.lon)).collect();
        if n * d > MAX_MATRIX_CELLS {
            let mut graph = DiGraph::new();
            for k in 0..n {
                graph.add_node(Site::Node(k));
            }
            for k in 0..d {
                graph.add_node(Site::Destination(k));
            }
            return Network {
                graph,
                destinations,
                order_destination,
                miles: Array2::zeros((0, 0)),
                zone: Array2::zeros((0, 0)),
                package_rate: Array2::zeros((0, 0)),
                node_sites,
            };
        }
        let mut miles = Array2::<f64>::zeros((n, d));
        let mut zone = Array2::<u8>::zeros((n, d));
        let mut package_rate = Array2::<f64>::from_elem((n, d), f64::INFINITY);
        // Beyond MAX_LANE_EDGES the graph keeps its vertices only: the matrices
        // hold every lane, and millions of edges would cost gigabytes.
        let with_lanes = n * d <= MAX_LANE_EDGES;
        let mut graph = DiGraph::new();
        let node_v: Vec<NodeIndex> = (0..n).map(|k| graph.add_node(Site::Node(k))).collect();
        let dest_v: Vec<NodeIndex> = (0..d)
            .map(|k| graph.add_node(Site::Destination(k)))
            .collect();
        for (k, node) in s.nodes.iter().enumerate() {
            for (j, &(lat, lon)) in destinations.iter().enumerate() {
                let m = geo::great_circle_miles(node.lat, node.lon, lat, lon);
                let z = geo::zone_for_miles(m);
                miles[[k, j]] = m;
                zone[[k, j]] = z;
                for offer in &node.services {
                    let r = s.services[offer.service].per_package[z as usize - 1];
                    if r < package_rate[[k, j]] {
                        package_rate[[k, j]] = r;
                    }
                }
                let market_ok =
                    s.policy.cross_market != CrossMarket::Forbid || node.market == markets[j];
                if with_lanes
                    && node.capabilities.ship_to_home
                    && !node.services.is_empty()
                    && market_ok
                {
                    graph.add_edge(node_v[k], dest_v[j], Lane { miles: m, zone: z });
                }
            }
        }
        Network {
            graph,
            destinations,
            order_destination,
            miles,
            zone,
            package_rate,
            node_sites,
        }
    }

    /// Miles and zone from a node to an order's destination.
    pub fn lane(&self, node: NodeIdx, order: OrderIdx) -> Lane {
        let d = self.order_destination[order];
        if self.miles.is_empty() {
            let (lat, lon) = self.destinations[d];
            let (nlat, nlon) = self.node_sites[node];
            let miles = geo::great_circle_miles(nlat, nlon, lat, lon);
            return Lane {
                miles,
                zone: geo::zone_for_miles(miles),
            };
        }
        Lane {
            miles: self.miles[[node, d]],
            zone: self.zone[[node, d]],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_computed_when_asked_for_equal_the_matrix_lanes() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("datasets/small/pickup-and-market.json");
        let (s, _) = crate::load_scenario(&path, "us-parcel", &[]).expect("valid scenario");
        let net = Network::build(&s);
        assert!(!net.miles.is_empty());
        let mut lazy = net.clone();
        lazy.miles = Array2::zeros((0, 0));
        lazy.zone = Array2::zeros((0, 0));
        for n in 0..s.nodes.len() {
            for o in 0..s.orders.len() {
                assert_eq!(net.lane(n, o), lazy.lane(n, o));
            }
        }
    }
}
