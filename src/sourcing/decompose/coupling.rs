//! The rows that tie orders together: stock per (node, SKU) and node capacity
//! in packages and units. A row can bind only if the candidates touching it
//! could use more than its limit; every other row holds whatever each order
//! does and is left out. Pricing the rows that can bind splits the wave into
//! independent orders.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::network::candidates::{Candidate, CandidateSet, map_exact};
use crate::network::domain::{NodeIdx, Scenario, SkuIdx};
use crate::network::lanes::Network;
use crate::sourcing::order_opt::{OrderView, best_plan};

/// Which limit a coupling row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Row {
    /// Units of a SKU at a node.
    Stock(NodeIdx, SkuIdx),
    /// Packages a node can ship.
    Packages(NodeIdx),
    /// Units a node can ship.
    Units(NodeIdx),
}

/// No row.
const NONE: u32 = u32::MAX;

/// The coupling rows of a wave and, per candidate, the rows it uses. Flat
/// arrays: a wave may hold tens of millions of candidates.
pub struct Coupling {
    /// Rows that can bind, in a fixed order (stock, then packages, then units).
    pub rows: Vec<Row>,
    /// Limit of each row.
    pub limit: Vec<f64>,
    /// Rows each order can use (sorted); empty for an independent order.
    pub order_rows: Vec<Vec<usize>>,
    pkg_row: Vec<u32>,
    units_row: Vec<u32>,
    /// Offset of each candidate's lines in `line_stock_row` (one extra at the end).
    line_start: Vec<u32>,
    line_stock_row: Vec<u32>,
}

fn opt(r: u32) -> Option<usize> {
    (r != NONE).then_some(r as usize)
}

impl Coupling {
    /// The rows that can bind for a candidate set.
    pub fn new(s: &Scenario, cs: &CandidateSet) -> Coupling {
        let n_nodes = s.nodes.len();
        // Stock slots: one per stocked (node, SKU), in sorted order.
        let mut stocked: Vec<(NodeIdx, SkuIdx)> = s.atp.keys().copied().collect();
        stocked.sort_unstable();
        let slot: FxHashMap<(NodeIdx, SkuIdx), u32> = stocked
            .iter()
            .enumerate()
            .map(|(i, k)| (*k, i as u32))
            .collect();
        let mut line_start = Vec::with_capacity(cs.candidates.len() + 1);
        let mut line_slot = Vec::new();
        let mut stock_ub = vec![0u64; stocked.len()];
        let mut pkg_ub = vec![0u64; n_nodes];
        let mut units_ub = vec![0u64; n_nodes];
        for c in &cs.candidates {
            line_start.push(line_slot.len() as u32);
            pkg_ub[c.node] += 1;
            for cl in &c.lines {
                let sku = s.orders[c.order].lines[cl.line].sku;
                let k = slot.get(&(c.node, sku)).copied().unwrap_or(NONE);
                if k != NONE {
                    stock_ub[k as usize] += u64::from(cl.max_units);
                }
                units_ub[c.node] += u64::from(cl.max_units);
                line_slot.push(k);
            }
        }
        line_start.push(line_slot.len() as u32);

        let mut rows = Vec::new();
        let mut limit = Vec::new();
        let mut stock_row = vec![NONE; stocked.len()];
        for (i, &(n, k)) in stocked.iter().enumerate() {
            let l = s.atp(n, k) as u64;
            if stock_ub[i] > l {
                stock_row[i] = rows.len() as u32;
                rows.push(Row::Stock(n, k));
                limit.push(l as f64);
            }
        }
        let mut node_rows =
            |ub: &[u64], cap: &dyn Fn(NodeIdx) -> Option<u32>, row: fn(NodeIdx) -> Row| {
                (0..n_nodes)
                    .map(|n| match cap(n) {
                        Some(l) if ub[n] > u64::from(l) => {
                            rows.push(row(n));
                            limit.push(f64::from(l));
                            (rows.len() - 1) as u32
                        }
                        _ => NONE,
                    })
                    .collect::<Vec<u32>>()
            };
        let pkg_row = node_rows(&pkg_ub, &|n| s.nodes[n].capacity_orders, Row::Packages);
        let units_row = node_rows(&units_ub, &|n| s.nodes[n].capacity_units, Row::Units);
        let line_stock_row: Vec<u32> = line_slot
            .into_iter()
            .map(|k| {
                if k == NONE {
                    NONE
                } else {
                    stock_row[k as usize]
                }
            })
            .collect();

        let mut cp = Coupling {
            rows,
            limit,
            order_rows: Vec::new(),
            pkg_row,
            units_row,
            line_start,
            line_stock_row,
        };
        cp.order_rows = (0..s.orders.len())
            .into_par_iter()
            .map(|o| {
                let mut list = Vec::new();
                for ci in cs.by_order[o].clone() {
                    let c = &cs.candidates[ci];
                    list.extend(opt(cp.pkg_row[c.node]));
                    for k in 0..c.lines.len() {
                        let (stock, units) = cp.line_rows(cs, ci, k);
                        list.extend(stock);
                        list.extend(units);
                    }
                }
                list.sort_unstable();
                list.dedup();
                list
            })
            .collect();
        cp
    }

    /// The package row of a candidate, if it can bind.
    pub fn pkg_row(&self, cs: &CandidateSet, ci: usize) -> Option<usize> {
        opt(self.pkg_row[cs.candidates[ci].node])
    }

    /// The stock row and the units row of a candidate's `k`-th line (in its
    /// `lines` order), each if it can bind.
    pub fn line_rows(
        &self,
        cs: &CandidateSet,
        ci: usize,
        k: usize,
    ) -> (Option<usize>, Option<usize>) {
        let stock = self.line_stock_row[self.line_start[ci] as usize + k];
        (opt(stock), opt(self.units_row[cs.candidates[ci].node]))
    }

    /// The rows a plan of one order uses, with amounts (sorted by row).
    pub fn plan_usage(
        &self,
        cs: &CandidateSet,
        plan: &[crate::solution::assignment::Assignment],
    ) -> Vec<(usize, f64)> {
        let mut entries: Vec<(usize, f64)> = Vec::new();
        let mut add = |r: usize, v: f64| match entries.iter_mut().find(|(x, _)| *x == r) {
            Some(e) => e.1 += v,
            None => entries.push((r, v)),
        };
        for a in plan {
            if let Some(r) = self.pkg_row(cs, a.candidate) {
                add(r, 1.0);
            }
            let c = &cs.candidates[a.candidate];
            for &(line, q) in &a.units {
                let (stock, units) = self.line_rows(cs, a.candidate, c.line_position(line));
                for r in [stock, units].into_iter().flatten() {
                    add(r, f64::from(q));
                }
            }
        }
        entries.sort_unstable_by_key(|e| e.0);
        entries
    }

    /// Adds row prices to an order's view: each package pays its package
    /// row's price, each unit its stock and units rows' prices.
    pub fn price_view(&self, cs: &CandidateSet, price: &[f64], v: &mut OrderView) {
        for (p, &ci) in v.cands.iter().enumerate() {
            if let Some(r) = self.pkg_row(cs, ci) {
                v.pkg[p] += price[r];
            }
            for (k, cl) in cs.candidates[ci].lines.iter().enumerate() {
                let (stock, units) = self.line_rows(cs, ci, k);
                if let Some((uc, _)) = v.line[[p, cl.line]].as_mut() {
                    *uc += stock.map_or(0.0, |r| price[r]) + units.map_or(0.0, |r| price[r]);
                }
            }
        }
    }

    /// Caps an order's view by row limits (what a partial plan leaves): a
    /// plan that alone breaks a stock or package limit is never chosen.
    pub fn limit_view(&self, cs: &CandidateSet, limit: &[f64], v: &mut OrderView) {
        for (p, &ci) in v.cands.iter().enumerate() {
            if let Some(r) = self.pkg_row(cs, ci) {
                v.openable[p] &= limit[r] >= 1.0;
            }
            for (k, cl) in cs.candidates[ci].lines.iter().enumerate() {
                let (stock, _) = self.line_rows(cs, ci, k);
                if let Some(r) = stock {
                    let cap = limit[r].max(0.0) as u32;
                    if let Some((_, ub)) = v.line[[p, cl.line]].as_mut() {
                        *ub = (*ub).min(cap);
                    }
                    let g = v.group[cl.line];
                    v.group_cap[[p, g]] = v.group_cap[[p, g]].min(cap);
                }
            }
        }
    }

    /// Prices `price` (one per row) keyed by what each row limits, so that
    /// candidates made apart from this wave's set can be priced.
    pub fn row_prices(&self, price: &[f64]) -> RowPrices {
        let mut p = RowPrices::none(self.pkg_row.len());
        for ((row, &pi), &l) in self.rows.iter().zip(price).zip(&self.limit) {
            if pi <= 0.0 {
                continue;
            }
            p.limit_term += pi * l;
            match *row {
                Row::Stock(n, k) => {
                    p.stock.insert((n, k), pi);
                }
                Row::Packages(n) => p.packages[n] = pi,
                Row::Units(n) => p.units[n] = pi,
            }
        }
        p
    }

    /// Sizes (orders) of the connected components of orders linked by shared
    /// rows, largest first.
    pub fn component_sizes(&self) -> Vec<usize> {
        let n = self.order_rows.len();
        // Union-find over orders, joined through the first order seen on each row.
        let mut parent: Vec<usize> = (0..n).collect();
        fn find(p: &mut [usize], mut x: usize) -> usize {
            while p[x] != x {
                p[x] = p[p[x]];
                x = p[x];
            }
            x
        }
        let mut first = vec![usize::MAX; self.rows.len()];
        for (o, rs) in self.order_rows.iter().enumerate() {
            for &r in rs {
                if first[r] == usize::MAX {
                    first[r] = o;
                } else {
                    let (a, b) = (find(&mut parent, first[r]), find(&mut parent, o));
                    if a != b {
                        parent[a] = b;
                    }
                }
            }
        }
        let mut size = vec![0usize; n];
        for o in 0..n {
            size[find(&mut parent, o)] += 1;
        }
        let mut v: Vec<usize> = size.into_iter().filter(|&x| x > 0).collect();
        v.sort_unstable_by(|a, b| b.cmp(a));
        v
    }
}

/// Row prices by what each row limits (rows without a price are free).
#[derive(Debug, Clone)]
pub struct RowPrices {
    /// Per node: price of a package.
    pub packages: Vec<f64>,
    /// Per node: price of a unit.
    pub units: Vec<f64>,
    /// Per stocked (node, SKU): price of a unit.
    pub stock: FxHashMap<(NodeIdx, SkuIdx), f64>,
    /// The prices times the limits of their rows.
    pub limit_term: f64,
}

impl RowPrices {
    /// No row priced, on a network of `n_nodes` nodes.
    pub fn none(n_nodes: usize) -> RowPrices {
        RowPrices {
            packages: vec![0.0; n_nodes],
            units: vec![0.0; n_nodes],
            stock: FxHashMap::default(),
            limit_term: 0.0,
        }
    }

    /// Whether no row has a price.
    pub fn is_zero(&self) -> bool {
        self.stock.is_empty()
            && self.packages.iter().all(|&p| p == 0.0)
            && self.units.iter().all(|&p| p == 0.0)
    }

    /// Adds the prices times `scale` to the view of order `o` over `cands`
    /// (as [`Coupling::price_view`] does for the wave's own candidates).
    pub fn price_view(
        &self,
        s: &Scenario,
        o: usize,
        cands: &[Candidate],
        v: &mut OrderView,
        scale: f64,
    ) {
        let order = &s.orders[o];
        for (p, c) in cands.iter().enumerate() {
            v.pkg[p] += scale * self.packages[c.node];
            for cl in &c.lines {
                let sku = order.lines[cl.line].sku;
                let unit =
                    self.units[c.node] + self.stock.get(&(c.node, sku)).copied().unwrap_or(0.0);
                if let Some((uc, _)) = v.line[[p, cl.line]].as_mut() {
                    *uc += scale * unit;
                }
            }
        }
    }
}

/// Scales of the prices at which [`exact_bound`] evaluates the Lagrangian.
/// Prices found over pruned candidates can overprice: the orders escape to
/// candidates the pruning dropped (whose rows have no price) while the priced
/// limits still count, so the bound at full prices can fall below the one at
/// zero prices. The pass evaluates several scales at once.
pub const BOUND_SCALES: [f64; 4] = [0.0, 0.25, 0.5, 1.0];

/// A lower bound valid for the whole wave over every candidate, whichever
/// were kept: the best Lagrangian value at `prices` scaled by each of
/// [`BOUND_SCALES`], each order's exact optimum over its exact candidates at
/// those prices (made one order at a time, never all held), minus the priced
/// limits. With rows the kept candidates could not bind left unpriced it is
/// still a relaxation. Returns the bound and how many orders' searches ran out
/// of budget at the best scale (their amortized bound counts).
pub fn exact_bound(s: &Scenario, net: &Network, prices: &RowPrices) -> (f64, usize) {
    // Without a priced row every scale gives the zero-price bound: one
    // search per order, not four (a wave whose master LP never solved).
    let scales: &[f64] = if prices.is_zero() {
        &[0.0]
    } else {
        &BOUND_SCALES
    };
    let per_order = map_exact(s, net, |o, cands, penalty| {
        let unpriced = OrderView::of(s, o, cands, 0, penalty);
        scales
            .iter()
            .map(|&scale| {
                let mut v = unpriced.clone();
                if scale > 0.0 {
                    prices.price_view(s, o, cands, &mut v, scale);
                }
                let p = best_plan(&v);
                (p.bound, p.exact)
            })
            .collect::<Vec<_>>()
    });
    scales
        .iter()
        .enumerate()
        .map(|(i, &scale)| {
            let sum: f64 = per_order.iter().map(|b| b[i].0).sum();
            let inexact = per_order.iter().filter(|b| !b[i].1).count();
            (sum - scale * prices.limit_term, inexact)
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .expect("scales")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_are_zero_only_when_no_row_has_a_price() {
        assert!(RowPrices::none(3).is_zero());
        let mut p = RowPrices::none(3);
        p.stock.insert((1, 7), 0.5);
        assert!(!p.is_zero());
        let mut p = RowPrices::none(3);
        p.packages[2] = 1.0;
        assert!(!p.is_zero());
        let mut p = RowPrices::none(3);
        p.units[0] = 0.25;
        assert!(!p.is_zero());
    }
}
