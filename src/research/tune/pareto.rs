//! Pareto frontiers of a tune: the points no other point beats on both
//! cost ([`PointResult::cost`], lower is better) and a service KPI.

use serde::Serialize;

use super::PointResult;
use super::target::Sense;

/// The points on a frontier, by index, from the best KPI to the lowest cost.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Frontier {
    /// Point indices.
    pub points: Vec<usize>,
}

/// The points not dominated in (cost, `kpi`), `kpi` better as
/// `sense` says; points without the KPI are left out. Of points equal on
/// both, the first (lowest index) stands for them.
pub fn frontier(points: &[PointResult], kpi: impl Fn(&PointResult) -> Option<f64>, sense: Sense) -> Frontier {
    let mut with: Vec<(f64, f64, usize)> = points
        .iter()
        .filter_map(|p| kpi(p).map(|x| (if sense == Sense::Maximise { -x } else { x }, p.cost(), p.index)))
        .collect();
    // Best KPI first, then the cheapest, then the lowest index.
    with.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut out = Vec::new();
    let mut cheapest = f64::INFINITY;
    for (_, cost, index) in with {
        if cost < cheapest {
            cheapest = cost;
            out.push(index);
        }
    }
    Frontier { points: out }
}
