//! The network: nodes, destinations and the lanes between them, with ndarray
//! matrices (node x destination) of distance and zone. Orders going to the
//! same point share a destination.

use std::collections::HashMap;

use ndarray::{Array2, ShapeBuilder};
use rayon::prelude::*;

use crate::network::domain::{NodeIdx, OrderIdx, Scenario};
use crate::network::geo;

/// Most node x destination pairs for which the lane matrices are kept (9
/// bytes a pair: 0.6 GB at most); beyond (a million destinations x 2,000
/// nodes would take 18 GB) lanes are computed when asked for, from the same
/// formulas. peak-xl (2,000 nodes, 14k destinations) fits.
pub const MAX_MATRIX_CELLS: usize = 64_000_000;

/// A lane from a node to a destination.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lane {
    /// Great-circle miles.
    pub miles: f64,
    /// Parcel zone 1..=8.
    pub zone: u8,
}

impl Lane {
    /// The lane from a site to a point: great-circle miles and their zone.
    pub fn between(from: (f64, f64), to: (f64, f64)) -> Lane {
        let miles = geo::great_circle_miles(from.0, from.1, to.0, to.1);
        Lane {
            miles,
            zone: geo::zone_for_miles(miles),
        }
    }
}

/// The network of one scenario.
#[derive(Debug, Clone)]
pub struct Network {
    /// Distinct destinations (lat, lon).
    pub destinations: Vec<(f64, f64)>,
    /// Destination of each order.
    pub order_destination: Vec<usize>,
    /// Miles, node x destination (empty beyond [`MAX_MATRIX_CELLS`]).
    pub miles: Array2<f64>,
    /// Zone, node x destination (empty beyond [`MAX_MATRIX_CELLS`]).
    pub zone: Array2<u8>,
    /// (lat, lon) of each node, for lanes computed when asked for.
    node_sites: Vec<(f64, f64)>,
}

impl Network {
    /// Builds the network of a scenario.
    pub fn build(s: &Scenario) -> Network {
        let mut index: HashMap<(u64, u64), usize> = HashMap::new();
        let mut destinations = Vec::new();
        let order_destination: Vec<usize> = s
            .orders
            .iter()
            .map(|o| {
                let key = (o.lat.to_bits(), o.lon.to_bits());
                *index.entry(key).or_insert_with(|| {
                    destinations.push((o.lat, o.lon));
                    destinations.len() - 1
                })
            })
            .collect();
        let (n, d) = (s.nodes.len(), destinations.len());
        let node_sites: Vec<(f64, f64)> = s.nodes.iter().map(|x| (x.lat, x.lon)).collect();
        if n * d > MAX_MATRIX_CELLS {
            return Network {
                destinations,
                order_destination,
                miles: Array2::zeros((0, 0)),
                zone: Array2::zeros((0, 0)),
                node_sites,
            };
        }
        // Column-major: one destination's lanes to every node lie together,
        // as an order reads them (its stocking nodes, ascending).
        let mut miles = vec![0.0; n * d];
        let mut zone = vec![0u8; n * d];
        miles
            .par_chunks_mut(n.max(1))
            .zip(zone.par_chunks_mut(n.max(1)))
            .zip(destinations.par_iter())
            .for_each(|((m, z), &(lat, lon))| {
                for (k, node) in s.nodes.iter().enumerate() {
                    m[k] = geo::great_circle_miles(node.lat, node.lon, lat, lon);
                    z[k] = geo::zone_for_miles(m[k]);
                }
            });
        let miles = Array2::from_shape_vec((n, d).f(), miles).expect("n x d lanes");
        let zone = Array2::from_shape_vec((n, d).f(), zone).expect("n x d zones");
        Network {
            destinations,
            order_destination,
            miles,
            zone,
            node_sites,
        }
    }

    /// Miles and zone from a node to an order's destination.
    pub fn lane(&self, node: NodeIdx, order: OrderIdx) -> Lane {
        let d = self.order_destination[order.index()];
        if self.miles.is_empty() {
            return Lane::between(self.node_sites[node.index()], self.destinations[d]);
        }
        Lane {
            miles: self.miles[[node.index(), d]],
            zone: self.zone[[node.index(), d]],
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
        for n in NodeIdx::all(s.nodes.len()) {
            for o in OrderIdx::all(s.orders.len()) {
                assert_eq!(net.lane(n, o), lazy.lane(n, o));
            }
        }
    }
}
