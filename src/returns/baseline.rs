//! The nearest-node baseline: each unit goes to the nearest node that can
//! take it and has room (an inspecting node for a unit of unknown
//! condition), where it gets that node's best disposition, filling the
//! node's demand first. What a rule-based returns router does; the
//! optimiser is measured against it.

use std::collections::BTreeMap;
use std::time::Instant;

use crate::network::domain::{NodeIdx, Scenario, SkuIdx};
use crate::network::geo;

use super::model::{Condition, ReturnsBatch, inspects, receives};
use super::plan::{Assigned, ReturnsPlan, ReturnsSolve, build_plan};
use super::value::options_at;

/// Routes every return to its nearest node with room, in file order.
pub fn nearest_node(scenario: &Scenario, batch: &ReturnsBatch) -> ReturnsPlan {
    let started = Instant::now();
    let mut room: Vec<Option<u64>> = batch
        .returns_capacity
        .iter()
        .map(|c| c.map(u64::from))
        .collect();
    let mut inspect_room: Vec<Option<u64>> = batch
        .inspection_capacity
        .iter()
        .map(|c| c.map(u64::from))
        .collect();
    let mut demand: BTreeMap<(NodeIdx, SkuIdx), u64> =
        batch.demand.iter().map(|(k, d)| (*k, d.units())).collect();
    let mut assigned = Vec::new();
    for (k, r) in batch.requests.iter().enumerate() {
        let unknown = r.condition == Condition::Unknown;
        let mut nodes: Vec<(f64, NodeIdx)> = NodeIdx::all(scenario.nodes.len())
            .filter(|&n| {
                if unknown {
                    inspects(scenario, n)
                } else {
                    receives(scenario, n)
                }
            })
            .map(|n| {
                let node = &scenario.nodes[n];
                (geo::great_circle_miles(r.lat, r.lon, node.lat, node.lon), n)
            })
            .collect();
        nodes.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut left = u64::from(r.quantity);
        for &(_, n) in &nodes {
            let mut fit = left.min(room[n.index()].unwrap_or(u64::MAX));
            if unknown {
                fit = fit.min(inspect_room[n.index()].unwrap_or(u64::MAX));
            }
            if fit == 0 {
                continue;
            }
            let (free, into_demand) = options_at(scenario, batch, r, n);
            let wanted = demand.get(&(n, r.sku)).copied().unwrap_or(0);
            let mut rest = fit;
            if let Some(o) = into_demand {
                let units = rest.min(wanted);
                if units > 0 {
                    assigned.push(Assigned {
                        request: k,
                        option: Some(o),
                        units: units as u32,
                    });
                    demand.insert((n, r.sku), wanted - units);
                    rest -= units;
                }
            }
            if let Some(o) = free.filter(|_| rest > 0) {
                assigned.push(Assigned {
                    request: k,
                    option: Some(o),
                    units: rest as u32,
                });
            }
            if let Some(c) = room[n.index()].as_mut() {
                *c -= fit;
            }
            if let Some(c) = inspect_room[n.index()].as_mut().filter(|_| unknown) {
                *c -= fit;
            }
            left -= fit;
            if left == 0 {
                break;
            }
        }
        if left > 0 {
            assigned.push(Assigned {
                request: k,
                option: None,
                units: left as u32,
            });
        }
    }
    let solve = ReturnsSolve {
        method: "nearest_node".into(),
        seconds: started.elapsed().as_secs_f64(),
        ..ReturnsSolve::default()
    };
    build_plan(scenario, batch, assigned, solve)
}
