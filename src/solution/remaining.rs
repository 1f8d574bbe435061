//! What is left while a plan is built one order at a time: stock per node and
//! SKU, and each node's package and unit capacity. The greedy and rule-based
//! routers draw it down; the local search gives back and retakes.

use rustc_hash::FxHashMap as HashMap;

use crate::network::candidates::CandidateSet;
use crate::network::domain::{NodeIdx, Scenario, SkuIdx};
use crate::solution::assignment::Assignment;

/// Stock and capacity left while routing orders one at a time.
pub struct Remaining {
    stock: HashMap<(NodeIdx, SkuIdx), u32>,
    packages: Vec<Option<u32>>,
    /// Unit capacity left per node (`None`: the node has no unit capacity).
    units: Vec<Option<u32>>,
}

impl Remaining {
    /// Everything available at the start of the wave.
    pub fn new(s: &Scenario) -> Self {
        Remaining {
            stock: s.atp.clone(),
            packages: s.nodes.iter().map(|n| n.capacity_orders).collect(),
            units: s.nodes.iter().map(|n| n.capacity_units).collect(),
        }
    }
    /// Units of `sku` left at `node`, within its unit capacity.
    pub fn available(&self, node: NodeIdx, sku: SkuIdx) -> u32 {
        let st = self.stock_left(node, sku);
        self.units[node.index()].map_or(st, |u| st.min(u))
    }
    /// Units of `sku` left at `node`, whatever its unit capacity.
    pub fn stock_left(&self, node: NodeIdx, sku: SkuIdx) -> u32 {
        self.stock.get(&(node, sku)).copied().unwrap_or(0)
    }
    /// Packages `node` can still open, if it has a package capacity.
    pub fn packages_left(&self, node: NodeIdx) -> Option<u32> {
        self.packages[node.index()]
    }
    /// Unit capacity left at `node`, if it has a unit capacity.
    pub fn units_left(&self, node: NodeIdx) -> Option<u32> {
        self.units[node.index()]
    }
    /// Whether `node` can open one more package.
    pub fn can_open(&self, node: NodeIdx) -> bool {
        self.packages[node.index()] != Some(0)
    }
    /// Takes stock and capacity for a package.
    pub fn take(&mut self, s: &Scenario, cs: &CandidateSet, a: &Assignment) {
        let c = &cs.candidates[a.candidate];
        if let Some(p) = self.packages[c.node.index()].as_mut() {
            *p -= 1;
        }
        for &(line, q) in &a.units {
            let sku = s.orders[c.order].lines[line].sku;
            *self.stock.get_mut(&(c.node, sku)).expect("stock exists") -= q;
            if let Some(u) = self.units[c.node.index()].as_mut() {
                *u -= q;
            }
        }
    }
    /// Gives back the stock and capacity of a package (the inverse of [`Remaining::take`]).
    pub fn give_back(&mut self, s: &Scenario, cs: &CandidateSet, a: &Assignment) {
        let c = &cs.candidates[a.candidate];
        if let Some(p) = self.packages[c.node.index()].as_mut() {
            *p += 1;
        }
        for &(line, q) in &a.units {
            let sku = s.orders[c.order].lines[line].sku;
            *self.stock.entry((c.node, sku)).or_default() += q;
            if let Some(u) = self.units[c.node.index()].as_mut() {
                *u += q;
            }
        }
    }
}
