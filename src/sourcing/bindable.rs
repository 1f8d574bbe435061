//! The rows that can bind: stock per (node, SKU) and node capacity in packages
//! and in units, each only where the candidates touching it could use more
//! than it has left. Every other row holds whatever the candidates do and is
//! left out, which changes nothing. One definition for the full MIP
//! ([`crate::sourcing::formulation`]) and the decomposition's coupling rows
//! ([`crate::sourcing::decompose::rows`]).

use rustc_hash::FxHashMap;

use crate::network::candidates::{Candidate, CandidateSet};
use crate::network::domain::{NodeIdx, Scenario, SkuIdx};
use crate::solution::assignment::Assignment;

/// Which limit a row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Row {
    /// Units of a SKU at a node.
    Stock(NodeIdx, SkuIdx),
    /// Packages a node can ship.
    Packages(NodeIdx),
    /// Units a node can ship.
    Units(NodeIdx),
}

/// Marks, in the flat row tables of [`BindableRows`], a line or node whose
/// limit cannot bind. The tables hold one `u32` per candidate line (tens of
/// millions in a large wave), which an `Option<u32>` would double; row
/// numbers stay below it, as a wave has fewer rows than candidate lines.
const NO_ROW: u32 = u32::MAX;

/// The row of a table entry, if it has one.
fn opt(r: u32) -> Option<usize> {
    (r != NO_ROW).then_some(r as usize)
}

/// What packages fixed beforehand take from each limit.
#[derive(Debug, Default)]
pub struct Usage {
    stock: FxHashMap<(NodeIdx, SkuIdx), u64>,
    packages: FxHashMap<NodeIdx, u64>,
    units: FxHashMap<NodeIdx, u64>,
}

impl Usage {
    /// What the packages `fixed` take (a package without units takes nothing).
    pub fn of(s: &Scenario, cs: &CandidateSet, fixed: &[Assignment]) -> Usage {
        let mut used = Usage::default();
        for a in fixed {
            let c = &cs.candidates[a.candidate];
            let units: u64 = a.units.iter().map(|&(_, q)| q as u64).sum();
            if units == 0 {
                continue;
            }
            for &(line, q) in &a.units {
                let sku = s.orders[c.order].lines[line].sku;
                *used.stock.entry((c.node, sku)).or_default() += q as u64;
            }
            *used.packages.entry(c.node).or_default() += 1;
            *used.units.entry(c.node).or_default() += units;
        }
        used
    }
}

/// What is left of a limit `cap` once `used` is taken.
fn left(cap: u64, used: Option<&u64>) -> u64 {
    cap.saturating_sub(used.copied().unwrap_or(0))
}

/// The rows that can bind for a sequence of candidates and, per candidate
/// (by its position in that sequence), the rows it uses. Flat arrays: a wave
/// may hold tens of millions of candidates.
#[derive(Debug)]
pub struct BindableRows {
    /// Rows that can bind, in a fixed order: stock by (node, SKU), then
    /// packages by node, then units by node.
    pub rows: Vec<Row>,
    /// What each row has left.
    pub limit: Vec<f64>,
    /// Package row of each node.
    pkg_row: Vec<u32>,
    /// Units row of each node.
    units_row: Vec<u32>,
    /// Offset of each candidate's lines in `line_stock_row` (one extra at the end).
    line_start: Vec<u32>,
    line_stock_row: Vec<u32>,
}

/// Most (node, SKU) cells [`Slots`] holds in a flat table (256 MiB of
/// `u32`); a larger network (peak-xl: 2,000 nodes x 100,000 SKUs) uses a map.
const DENSE_CELLS: usize = 1 << 26;

/// Most cells of the flat table per candidate: a few candidates on a large
/// network (a small MIP of a large wave) use the map rather than fill a
/// table far larger than themselves.
const CELLS_PER_CANDIDATE: usize = 8;

/// The stock slot of each (node, SKU) pair met so far: a flat node x SKU
/// table when the network is small enough, else a hash map. Tens of millions
/// of candidate lines each look one up; the table's lookup is an index, the
/// map's a hash and a probe that misses the cache.
enum Slots {
    Dense { cells: Vec<u32>, skus: usize },
    Sparse(FxHashMap<(NodeIdx, SkuIdx), u32>),
}

impl Slots {
    /// No slot yet, for `candidates` candidates on a network of `nodes`
    /// nodes and `skus` SKUs.
    fn new(nodes: usize, skus: usize, candidates: usize) -> Slots {
        let most = DENSE_CELLS.min(candidates.saturating_mul(CELLS_PER_CANDIDATE));
        match nodes.checked_mul(skus) {
            Some(cells) if cells <= most => Slots::Dense {
                cells: vec![NO_ROW; cells],
                skus,
            },
            _ => Slots::Sparse(FxHashMap::default()),
        }
    }

    /// The slot of `key`, made by `fresh` the first time.
    fn get_or_insert(&mut self, key: (NodeIdx, SkuIdx), fresh: impl FnOnce() -> u32) -> u32 {
        match self {
            Slots::Dense { cells, skus } => {
                let cell = &mut cells[key.0.index() * *skus + key.1.index()];
                if *cell == NO_ROW {
                    *cell = fresh();
                }
                *cell
            }
            Slots::Sparse(map) => *map.entry(key).or_insert_with(fresh),
        }
    }
}

impl BindableRows {
    /// The rows that `candidates` could break, given what `used` takes.
    pub fn new<'a>(
        s: &Scenario,
        candidates: impl ExactSizeIterator<Item = &'a Candidate>,
        used: &Usage,
    ) -> BindableRows {
        let n_nodes = s.nodes.len();
        // Stock slots in the order first touched; rows follow in key order.
        let mut slots = Slots::new(n_nodes, s.skus.len(), candidates.len());
        let mut keys: Vec<(NodeIdx, SkuIdx)> = Vec::new();
        let mut stock_ub: Vec<u64> = Vec::new();
        let mut line_start = Vec::with_capacity(candidates.len() + 1);
        let mut line_slot = Vec::new();
        let mut pkg_ub = vec![0u64; n_nodes];
        let mut units_ub = vec![0u64; n_nodes];
        for c in candidates {
            line_start.push(line_slot.len() as u32);
            pkg_ub[c.node.index()] += 1;
            for cl in &c.lines {
                let key = (c.node, s.orders[c.order].lines[cl.line].sku);
                let k = slots.get_or_insert(key, || {
                    keys.push(key);
                    stock_ub.push(0);
                    (keys.len() - 1) as u32
                });
                stock_ub[k as usize] += u64::from(cl.max_units);
                units_ub[c.node.index()] += u64::from(cl.max_units);
                line_slot.push(k);
            }
        }
        line_start.push(line_slot.len() as u32);

        let mut rows = Vec::new();
        let mut limit = Vec::new();
        let mut by_key: Vec<usize> = (0..keys.len()).collect();
        by_key.sort_unstable_by_key(|&k| keys[k]);
        let mut stock_row = vec![NO_ROW; keys.len()];
        for k in by_key {
            let (n, sku) = keys[k];
            let l = left(s.atp(n, sku) as u64, used.stock.get(&(n, sku)));
            if stock_ub[k] > l {
                stock_row[k] = rows.len() as u32;
                rows.push(Row::Stock(n, sku));
                limit.push(l as f64);
            }
        }
        let mut node_rows = |ub: &[u64],
                             cap: &dyn Fn(NodeIdx) -> Option<u32>,
                             used: &FxHashMap<NodeIdx, u64>,
                             row: fn(NodeIdx) -> Row| {
            NodeIdx::all(n_nodes)
                .map(|n| match cap(n).map(|c| left(u64::from(c), used.get(&n))) {
                    Some(l) if ub[n.index()] > l => {
                        rows.push(row(n));
                        limit.push(l as f64);
                        (rows.len() - 1) as u32
                    }
                    _ => NO_ROW,
                })
                .collect::<Vec<u32>>()
        };
        let pkg_row = node_rows(
            &pkg_ub,
            &|n| s.nodes[n].capacity_orders,
            &used.packages,
            Row::Packages,
        );
        let units_row = node_rows(
            &units_ub,
            &|n| s.nodes[n].capacity_units,
            &used.units,
            Row::Units,
        );
        let line_stock_row = line_slot
            .into_iter()
            .map(|k| stock_row[k as usize])
            .collect();
        BindableRows {
            rows,
            limit,
            pkg_row,
            units_row,
            line_start,
            line_stock_row,
        }
    }

    /// Nodes of the network the rows were made on.
    pub fn nodes(&self) -> usize {
        self.pkg_row.len()
    }

    /// The package row of a node, if it can bind.
    pub fn packages(&self, node: NodeIdx) -> Option<usize> {
        opt(self.pkg_row[node.index()])
    }

    /// The units row of a node, if it can bind.
    pub fn units(&self, node: NodeIdx) -> Option<usize> {
        opt(self.units_row[node.index()])
    }

    /// The stock row of the `k`-th line (in its `lines` order) of the
    /// candidate at `position` in the sequence the rows were made from, if
    /// it can bind.
    pub fn stock(&self, position: usize, k: usize) -> Option<usize> {
        opt(self.line_stock_row[self.line_start[position] as usize + k])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flat_table_and_the_map_number_the_stock_slots_alike() {
        let mut dense = Slots::new(50, 40, 1_000);
        let mut sparse = Slots::new(1 << 20, 1 << 20, 1 << 30);
        assert!(matches!(dense, Slots::Dense { .. }));
        assert!(matches!(sparse, Slots::Sparse(_)));
        assert!(matches!(Slots::new(usize::MAX, 2, usize::MAX), Slots::Sparse(_)));
        // Few candidates on a large network: no table larger than they are.
        assert!(matches!(Slots::new(50, 40, 100), Slots::Sparse(_)));
        let (mut made_dense, mut made_sparse) = (0, 0);
        let mut x: u64 = 7;
        for _ in 0..40_000 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let key = (
                NodeIdx::new((x >> 40) as usize % 50),
                SkuIdx::new((x >> 20) as usize % 40),
            );
            let a = dense.get_or_insert(key, || {
                made_dense += 1;
                made_dense - 1
            });
            let b = sparse.get_or_insert(key, || {
                made_sparse += 1;
                made_sparse - 1
            });
            assert_eq!(a, b, "{key:?}");
        }
        // Every one of the 2,000 pairs was met, each given one slot.
        assert_eq!((made_dense, made_sparse), (2_000, 2_000));
    }
}
