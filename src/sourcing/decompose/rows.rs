//! The rows that tie orders together: stock per (node, SKU) and node capacity
//! in packages and units, those that can bind ([`crate::sourcing::bindable`]);
//! every other row holds whatever each order does and is left out. Pricing
//! the rows that can bind splits the wave into independent orders.

use petgraph::unionfind::UnionFind;
use rayon::prelude::*;
use smallvec::SmallVec;

use crate::network::candidates::{Candidate, CandidateSet};
use crate::network::domain::{NodeIdx, OrderIdx, Scenario, SkuIdx};
use crate::solution::assignment::Assignment;
pub use crate::sourcing::bindable::Row;
use crate::sourcing::bindable::{BindableRows, Usage};
use crate::sourcing::order_opt::OrderView;

/// A price no plan of a realistic wave pays: above its plans' costs, so
/// leaving lines unfilled is cheaper than using a row priced at it. (With
/// unfilled penalties above it, an ascent step only moves a price less; the
/// bound is valid at any prices.)
const FORBIDDEN: f64 = 1e12;

/// The coupling rows of a wave: the rows that can bind over all its
/// candidates, and the rows each order can use.
pub struct Coupling {
    /// The rows that can bind; candidates by their index in the wave's set.
    bindable: BindableRows,
    /// Rows each order can use (sorted); empty for an independent order.
    pub order_rows: Vec<Vec<usize>>,
}

impl Coupling {
    /// The rows that can bind for a candidate set.
    pub fn new(s: &Scenario, cs: &CandidateSet) -> Coupling {
        let mut cp = Coupling {
            bindable: BindableRows::new(s, cs.candidates.iter(), &Usage::default()),
            order_rows: Vec::new(),
        };
        cp.order_rows = (0..s.orders.len())
            .into_par_iter()
            .map(|o| {
                let mut list = Vec::new();
                for ci in cs.by_order[o].clone() {
                    let c = &cs.candidates[ci];
                    list.extend(cp.bindable.packages(c.node));
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

    /// Rows that can bind, in a fixed order (stock, then packages, then units).
    pub fn rows(&self) -> &[Row] {
        &self.bindable.rows
    }

    /// Limit of each row.
    pub fn limit(&self) -> &[f64] {
        &self.bindable.limit
    }

    /// The package row of a candidate, if it can bind.
    pub fn pkg_row(&self, cs: &CandidateSet, ci: usize) -> Option<usize> {
        self.bindable.packages(cs.candidates[ci].node)
    }

    /// The stock row and the units row of a candidate's `k`-th line (in its
    /// `lines` order), each if it can bind.
    pub fn line_rows(
        &self,
        cs: &CandidateSet,
        ci: usize,
        k: usize,
    ) -> (Option<usize>, Option<usize>) {
        (
            self.bindable.stock(ci, k),
            self.bindable.units(cs.candidates[ci].node),
        )
    }

    /// The rows a plan of one order uses, with amounts (sorted by row).
    pub fn plan_usage(&self, cs: &CandidateSet, plan: &[Assignment]) -> Vec<(usize, f64)> {
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
        self.adjust_view(cs, v, |r| price[r], |_| f64::INFINITY);
    }

    /// Caps an order's view by row limits (what a partial plan leaves): a
    /// plan that alone breaks a stock or package limit is never chosen.
    pub fn limit_view(&self, cs: &CandidateSet, limit: &[f64], v: &mut OrderView) {
        self.adjust_view(cs, v, |_| 0.0, |r| limit[r]);
    }

    /// [`Self::price_view`] and [`Self::limit_view`] in one pass over the
    /// view's candidates (what pricing does to every order each round).
    pub fn price_and_limit_view(
        &self,
        cs: &CandidateSet,
        price: &[f64],
        limit: &[f64],
        v: &mut OrderView,
    ) {
        self.adjust_view(cs, v, |r| price[r], |r| limit[r]);
    }

    /// [`Self::price_and_limit_view`] with row `forbidden` priced out of
    /// reach: the order's best plan that does not use it.
    pub fn price_and_limit_view_without(
        &self,
        cs: &CandidateSet,
        price: &[f64],
        limit: &[f64],
        forbidden: usize,
        v: &mut OrderView,
    ) {
        let price = |r: usize| if r == forbidden { FORBIDDEN } else { price[r] };
        self.adjust_view(cs, v, price, |r| limit[r]);
    }

    /// Adds `price(r)` and caps by `limit(r)` each row `r` of the view's
    /// candidates, in one pass.
    fn adjust_view(
        &self,
        cs: &CandidateSet,
        v: &mut OrderView,
        price: impl Fn(usize) -> f64,
        limit: impl Fn(usize) -> f64,
    ) {
        for (p, &ci) in v.cands.iter().enumerate() {
            if let Some(r) = self.pkg_row(cs, ci) {
                v.pkg[p] += price(r);
                v.openable[p] &= limit(r) >= 1.0;
            }
            let c = &cs.candidates[ci];
            let unit_price = self.bindable.units(c.node).map_or(0.0, &price);
            for (k, cl) in c.lines.iter().enumerate() {
                let stock = self.bindable.stock(ci, k);
                // Saturating: an infinite limit caps nothing.
                let cap = stock.map(|r| limit(r).max(0.0) as u32);
                if let Some((uc, ub)) = v.line[[p, cl.line]].as_mut() {
                    *uc += stock.map_or(0.0, &price) + unit_price;
                    if let Some(cap) = cap {
                        *ub = (*ub).min(cap);
                    }
                }
                if let Some(cap) = cap {
                    let g = v.group[cl.line];
                    v.group_cap[[p, g]] = v.group_cap[[p, g]].min(cap);
                }
            }
        }
    }

    /// Prices `price` (one per row) keyed by what each row limits, so that
    /// candidates made apart from this wave's set can be priced.
    pub fn row_prices(&self, price: &[f64]) -> RowPrices {
        let mut p = RowPrices::none(self.bindable.nodes());
        for ((row, &pi), &l) in self.rows().iter().zip(price).zip(self.limit()) {
            if pi <= 0.0 {
                continue;
            }
            p.limit_term += pi * l;
            match *row {
                Row::Stock(n, k) => p.set_stock_price(n, k, pi),
                Row::Packages(n) => p.packages[n.index()] = pi,
                Row::Units(n) => p.units[n.index()] = pi,
            }
        }
        p
    }

    /// One price per row, read from `prices` keyed by what each row limits
    /// (0 for a row they do not price): [`Coupling::row_prices`] undone, for
    /// the rows of another candidate set.
    pub fn price_vector(&self, prices: &RowPrices) -> Vec<f64> {
        self.rows()
            .iter()
            .map(|row| match *row {
                Row::Stock(n, k) => prices.stock_price(n, k),
                Row::Packages(n) => prices.packages[n.index()],
                Row::Units(n) => prices.units[n.index()],
            })
            .collect()
    }

    /// Sizes (orders) of the connected components of orders linked by shared
    /// rows, largest first.
    pub fn component_sizes(&self) -> Vec<usize> {
        component_sizes(&self.order_rows, self.rows().len())
    }
}

/// Sizes of the connected components of orders linked by shared rows
/// (`order_rows` per order, rows numbered below `rows`), largest first.
fn component_sizes(order_rows: &[Vec<usize>], rows: usize) -> Vec<usize> {
    let n = order_rows.len();
    // Orders are joined through the first order seen on each row.
    let mut components = UnionFind::<usize>::new(n);
    let mut first: Vec<Option<usize>> = vec![None; rows];
    for (o, rs) in order_rows.iter().enumerate() {
        for &r in rs {
            match first[r] {
                None => first[r] = Some(o),
                Some(f) => {
                    components.union(f, o);
                }
            }
        }
    }
    let mut size = vec![0usize; n];
    for o in 0..n {
        size[components.find_mut(o)] += 1;
    }
    let mut v: Vec<usize> = size.into_iter().filter(|&x| x > 0).collect();
    v.sort_unstable_by(|a, b| b.cmp(a));
    v
}

/// Row prices by what each row limits (rows without a price are free).
#[derive(Debug, Clone)]
pub struct RowPrices {
    /// Per node: price of a package.
    pub packages: Vec<f64>,
    /// Per node: price of a unit.
    pub units: Vec<f64>,
    /// Per SKU (by index; none past the end), the nodes whose stock of it
    /// has a price, ascending, with the price of a unit. Read a line at a
    /// time: the pass over every candidate looks up every candidate line of
    /// a million orders, and a hash map of a million stock rows spent 80 %
    /// of its pricing in cache misses.
    stock: Vec<Vec<(NodeIdx, f64)>>,
    /// The prices times the limits of their rows.
    pub limit_term: f64,
}

impl RowPrices {
    /// No row priced, on a network of `n_nodes` nodes.
    pub fn none(n_nodes: usize) -> RowPrices {
        RowPrices {
            packages: vec![0.0; n_nodes],
            units: vec![0.0; n_nodes],
            stock: Vec::new(),
            limit_term: 0.0,
        }
    }

    /// The nodes whose stock of `sku` has a price, ascending, with it.
    fn stock_of(&self, sku: SkuIdx) -> &[(NodeIdx, f64)] {
        self.stock.get(sku.index()).map_or(&[], Vec::as_slice)
    }

    /// The price of a unit of stock row (`node`, `sku`), 0 if it has none.
    pub fn stock_price(&self, node: NodeIdx, sku: SkuIdx) -> f64 {
        price_at(self.stock_of(sku), node)
    }

    /// Prices stock row (`node`, `sku`) at `price` a unit.
    pub fn set_stock_price(&mut self, node: NodeIdx, sku: SkuIdx, price: f64) {
        if self.stock.len() <= sku.index() {
            self.stock.resize_with(sku.index() + 1, Vec::new);
        }
        let list = &mut self.stock[sku.index()];
        match list.binary_search_by_key(&node, |&(n, _)| n) {
            Ok(i) => list[i].1 = price,
            Err(i) => list.insert(i, (node, price)),
        }
    }

    /// Whether no row has a price.
    pub fn is_zero(&self) -> bool {
        self.stock.iter().all(Vec::is_empty)
            && self.packages.iter().all(|&p| p == 0.0)
            && self.units.iter().all(|&p| p == 0.0)
    }

    /// Adds the prices times `scale` to the view of order `o` over `cands`
    /// (as [`Coupling::price_view`] does for the wave's own candidates).
    pub fn price_view(
        &self,
        s: &Scenario,
        o: OrderIdx,
        cands: &[Candidate],
        v: &mut OrderView,
        scale: f64,
    ) {
        let by_line: SmallVec<[&[(NodeIdx, f64)]; 8]> =
            s.orders[o].lines.iter().map(|l| self.stock_of(l.sku)).collect();
        for (p, c) in cands.iter().enumerate() {
            v.pkg[p] += scale * self.packages[c.node.index()];
            for cl in &c.lines {
                let unit = self.units[c.node.index()] + price_at(by_line[cl.line], c.node);
                if let Some((uc, _)) = v.line[[p, cl.line]].as_mut() {
                    *uc += scale * unit;
                }
            }
        }
    }
}

/// The price of `node` in `list` (ascending by node), 0 if it is not there.
fn price_at(list: &[(NodeIdx, f64)], node: NodeIdx) -> f64 {
    list.binary_search_by_key(&node, |&(n, _)| n)
        .map_or(0.0, |i| list[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_sharing_a_row_through_others_form_one_component() {
        // 0-1 share row 0, 1-3 share row 2; 2 is alone, 4 has no row.
        let order_rows = vec![vec![0], vec![0, 2], vec![1], vec![2], vec![]];
        assert_eq!(component_sizes(&order_rows, 3), vec![3, 1, 1]);
        assert!(component_sizes(&[], 0).is_empty());
    }

    #[test]
    fn a_stock_price_reads_back_as_set_and_an_unpriced_row_is_free() {
        let mut p = RowPrices::none(4);
        p.set_stock_price(NodeIdx::new(3), SkuIdx::new(2), 1.5);
        p.set_stock_price(NodeIdx::new(0), SkuIdx::new(2), 0.5);
        p.set_stock_price(NodeIdx::new(3), SkuIdx::new(2), 2.5);
        assert_eq!(p.stock_price(NodeIdx::new(3), SkuIdx::new(2)), 2.5);
        assert_eq!(p.stock_price(NodeIdx::new(0), SkuIdx::new(2)), 0.5);
        assert_eq!(p.stock_price(NodeIdx::new(1), SkuIdx::new(2)), 0.0);
        assert_eq!(p.stock_price(NodeIdx::new(3), SkuIdx::new(9)), 0.0);
    }

    #[test]
    fn prices_are_zero_only_when_no_row_has_a_price() {
        assert!(RowPrices::none(3).is_zero());
        let mut p = RowPrices::none(3);
        p.set_stock_price(NodeIdx::new(1), SkuIdx::new(7), 0.5);
        assert!(!p.is_zero());
        let mut p = RowPrices::none(3);
        p.packages[2] = 1.0;
        assert!(!p.is_zero());
        let mut p = RowPrices::none(3);
        p.units[0] = 0.25;
        assert!(!p.is_zero());
    }
}
