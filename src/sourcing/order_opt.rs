//! The exact optimum of one order on its own: which packages to open and where
//! each unit goes, given per-unit limits and (possibly priced) costs. A
//! depth-first branch and bound over the order's units: each unit goes to an
//! open package, a new package (one per node) or stays unfilled; a branch is cut
//! when its cost plus the cheapest possible cost of the units left cannot beat
//! the best plan found. Orders are small (at most a few dozen units), so this is
//! fast; a node budget guards the rare large one, which is then reported inexact.

use ndarray::Array2;

use crate::network::candidates::{Candidate, CandidateSet};
use crate::network::domain::{NodeIdx, OrderIdx, Scenario};
use crate::solution::assignment::Assignment;

/// Costs and limits of one order's candidates as the search sees them.
#[derive(Clone)]
pub struct OrderView {
    /// Candidate indices (into the wave's candidate set).
    pub cands: Vec<usize>,
    /// Node of each candidate.
    pub node: Vec<NodeIdx>,
    /// Package cost of each candidate.
    pub pkg: Vec<f64>,
    /// Whether each candidate may be opened.
    pub openable: Vec<bool>,
    /// Per candidate and line: (unit cost, most units); `None` if it cannot carry the line.
    pub line: Array2<Option<(f64, u32)>>,
    /// Units of each line.
    pub quantity: Vec<u32>,
    /// The first line with the same SKU as each line: lines of one SKU share
    /// the node's stock.
    pub group: Vec<usize>,
    /// Per candidate and group (first line of the SKU): units of that SKU the
    /// node can give this order.
    pub group_cap: Array2<u32>,
    /// Unfilled penalty per unit of each line.
    pub penalty: Vec<f64>,
    /// Penalty per package beyond the first.
    pub split: f64,
    /// Most packages (1 for ship-complete).
    pub max_packages: Option<u32>,
    /// All lines filled or none.
    pub ship_complete: bool,
}

impl OrderView {
    /// The order's candidates with their own costs and limits.
    pub fn new(s: &Scenario, cs: &CandidateSet, o: OrderIdx) -> OrderView {
        let range = cs.range_of(o);
        OrderView::of(
            s,
            o,
            &cs.candidates[range.clone()],
            range.start,
            cs.unfilled_of(o),
        )
    }

    /// The view of order `o` over `cands` (numbered from `first` in the plans
    /// it makes), with unfilled penalties `penalty` per line.
    pub fn of(
        s: &Scenario,
        o: OrderIdx,
        cands: &[Candidate],
        first: usize,
        penalty: &[f64],
    ) -> OrderView {
        let numbered = cands.iter().enumerate().map(|(i, c)| (first + i, c));
        OrderView::numbered(s, o, numbered, penalty)
    }

    /// The view of order `o` over some of its candidates in the wave's set,
    /// `picked` (indices into `cs`, ascending).
    pub fn picked(s: &Scenario, cs: &CandidateSet, o: OrderIdx, picked: &[u32]) -> OrderView {
        let numbered = picked.iter().map(|&ci| (ci as usize, &cs.candidates[ci as usize]));
        OrderView::numbered(s, o, numbered, cs.unfilled_of(o))
    }

    /// The view of order `o` over candidates numbered as its plans will name them.
    fn numbered<'c>(
        s: &Scenario,
        o: OrderIdx,
        numbered: impl ExactSizeIterator<Item = (usize, &'c Candidate)> + Clone,
        penalty: &[f64],
    ) -> OrderView {
        let order = &s.orders[o];
        let n = numbered.len();
        let n_lines = order.lines.len();
        let mut v = OrderView {
            cands: numbered.clone().map(|(i, _)| i).collect(),
            node: Vec::with_capacity(n),
            pkg: Vec::with_capacity(n),
            openable: vec![true; n],
            line: Array2::from_elem((n, n_lines), None),
            quantity: order.lines.iter().map(|l| l.quantity).collect(),
            group: (0..n_lines)
                .map(|i| {
                    (0..n_lines)
                        .find(|&j| order.lines[j].sku == order.lines[i].sku)
                        .expect("a line matches itself")
                })
                .collect(),
            group_cap: Array2::zeros((n, n_lines)),
            penalty: penalty.to_vec(),
            split: s.policy.split_penalty,
            max_packages: if order.ship_complete {
                Some(1)
            } else {
                order.max_packages
            },
            ship_complete: order.ship_complete,
        };
        // A SKU on one line only is capped by the line's own limit (already at
        // most the stock); the stock is looked up only for repeated SKUs.
        let repeated: Vec<bool> = (0..n_lines)
            .map(|i| (0..n_lines).any(|j| j != i && v.group[j] == v.group[i]))
            .collect();
        for (p, (_, c)) in numbered.enumerate() {
            v.node.push(c.node);
            v.pkg.push(c.package.total());
            for cl in &c.lines {
                v.line[[p, cl.line]] = Some((cl.cost.total(), cl.max_units));
                v.group_cap[[p, cl.line]] = cl.max_units;
            }
            for (i, l) in order.lines.iter().enumerate() {
                if repeated[i] {
                    v.group_cap[[p, i]] = s.atp(c.node, l.sku);
                }
            }
        }
        v
    }
}

/// The result of one order's search.
#[derive(Debug, Clone)]
pub struct OrderPlan {
    /// Packages and units.
    pub assignments: Vec<Assignment>,
    /// Cost under the view's costs.
    pub cost: f64,
    /// A lower bound on the view's optimum (equal to `cost` when `exact`).
    pub bound: f64,
    /// Whether the search finished (the plan is optimal for the view).
    pub exact: bool,
}

/// Search nodes allowed per order before giving up optimality.
const NODE_BUDGET: usize = 200_000;

struct Search<'a> {
    v: &'a OrderView,
    /// Unit index -> line.
    unit_line: Vec<usize>,
    /// Cheapest possible cost of units k.. (suffix sums).
    rest: Vec<f64>,
    /// Open candidates (positions in the view).
    open: Vec<usize>,
    /// Units placed per (view candidate, line).
    used: Array2<u32>,
    /// Units placed per (view candidate, SKU group).
    used_group: Array2<u32>,
    /// Position chosen for each unit ([`UNFILLED`] if none).
    choice: Vec<usize>,
    best_cost: f64,
    best_choice: Option<Vec<usize>>,
    nodes: usize,
    /// Per line: (position, package + unit cost) of the openable candidates
    /// that carry it, cheapest first.
    by_line: Vec<Vec<(usize, f64)>>,
}

/// The choice of a unit left unfilled. It sorts after every candidate
/// position, which the search relies on: a line's units take non-decreasing
/// positions, so once one unit is unfilled the rest of its line are too.
const UNFILLED: usize = usize::MAX;

impl Search<'_> {
    fn dfs(&mut self, k: usize, cost: f64) {
        self.nodes += 1;
        if self.nodes > NODE_BUDGET {
            return;
        }
        if cost + self.rest[k] >= self.best_cost - 1e-9 {
            return;
        }
        if k == self.unit_line.len() {
            self.best_cost = cost;
            self.best_choice = Some(self.choice.clone());
            return;
        }
        let v = self.v;
        let line = self.unit_line[k];
        let group = v.group[line];
        let after = self.rest[k + 1];
        // Units of one line go to candidates in non-decreasing position, so each
        // split of a line is visited once; unfilled comes last.
        let min_pos = if k > 0 && self.unit_line[k - 1] == line {
            self.choice[k - 1]
        } else {
            0
        };
        // Packages already open (few), then new packages cheapest first, stopping
        // as soon as the cheapest remaining one cannot lead to a better plan.
        for j in 0..self.open.len() {
            let p = self.open[j];
            if p < min_pos {
                continue;
            }
            let Some((uc, ub)) = v.line[[p, line]] else {
                continue;
            };
            if self.used[[p, line]] >= ub || self.used_group[[p, group]] >= v.group_cap[[p, group]]
            {
                continue;
            }
            self.used[[p, line]] += 1;
            self.used_group[[p, group]] += 1;
            self.choice[k] = p;
            self.dfs(k + 1, cost + uc);
            self.used[[p, line]] -= 1;
            self.used_group[[p, group]] -= 1;
        }
        let may_open = v.max_packages.is_none_or(|m| (self.open.len() as u32) < m);
        if may_open && min_pos != UNFILLED {
            let extra = if self.open.is_empty() { 0.0 } else { v.split };
            for j in 0..self.by_line[line].len() {
                let (p, delta) = self.by_line[line][j];
                if cost + delta + extra + after >= self.best_cost - 1e-9 {
                    break;
                }
                if p < min_pos
                    || v.group_cap[[p, group]] == 0
                    || self.open.iter().any(|&q| v.node[q] == v.node[p])
                {
                    continue;
                }
                self.open.push(p);
                self.used[[p, line]] += 1;
                self.used_group[[p, group]] += 1;
                self.choice[k] = p;
                self.dfs(k + 1, cost + delta + extra);
                self.used[[p, line]] -= 1;
                self.used_group[[p, group]] -= 1;
                self.open.pop();
            }
        }
        self.choice[k] = UNFILLED;
        self.dfs(k + 1, cost + v.penalty[line]);
    }
}

/// Units an order may have for the unit-by-unit search. The search recurses
/// once per unit and keeps per-unit vectors, so a larger order would need a
/// stack and memory that grow with its quantity; it gets the line-by-line
/// plan of [`large_order_plan`] instead, reported inexact with a valid bound.
const SEARCH_UNITS: u64 = 256;

/// The best plan of one order for a view.
pub fn best_plan(v: &OrderView) -> OrderPlan {
    if v.ship_complete {
        return ship_complete_plan(v);
    }
    let units: u64 = v.quantity.iter().map(|&q| u64::from(q)).sum();
    if units > SEARCH_UNITS {
        return large_order_plan(v);
    }
    if units == 1 {
        return single_unit_plan(v);
    }
    searched_plan(v)
}

/// The plan of an order of one unit (half the orders of a peak wave): its
/// cheapest package, or unfilled, chosen as [`searched_plan`] would (ties to
/// the lowest position, unfilled only when strictly cheaper) without its
/// per-order set-up.
fn single_unit_plan(v: &OrderView) -> OrderPlan {
    let line = v.quantity.iter().position(|&q| q == 1).expect("one unit");
    let group = v.group[line];
    let penalty = v.penalty[line];
    let may_open = v.max_packages.is_none_or(|m| m > 0);
    let mut best: Option<(f64, usize)> = None;
    for p in (0..v.cands.len()).filter(|&p| may_open && v.openable[p]) {
        let Some((uc, ub)) = v.line[[p, line]] else {
            continue;
        };
        if ub == 0 || v.group_cap[[p, group]] == 0 {
            continue;
        }
        let cost = v.pkg[p] + uc;
        if best.is_none_or(|(b, _)| cost.total_cmp(&b).is_lt()) {
            best = Some((cost, p));
        }
    }
    // The search starts from leaving the unit unfilled (plus a margin) and
    // keeps a plan only when it is cheaper by more than 1e-9.
    let shipped = best.filter(|&(cost, _)| cost < penalty + 1e-6 - 1e-9 && penalty >= cost - 1e-9);
    let (cost, assignments) = match shipped {
        Some((cost, p)) => (
            cost,
            vec![Assignment {
                candidate: v.cands[p],
                units: vec![(line, 1)],
            }],
        ),
        None => (penalty, Vec::new()),
    };
    OrderPlan {
        assignments,
        cost,
        bound: cost,
        exact: true,
    }
}

/// The best plan of an order of a few units, by the depth-first search.
fn searched_plan(v: &OrderView) -> OrderPlan {
    let mut unit_line = Vec::new();
    for (i, &q) in v.quantity.iter().enumerate() {
        unit_line.extend(std::iter::repeat_n(i, q as usize));
    }
    let cheapest: Vec<f64> = (0..v.quantity.len())
        .map(|i| {
            (0..v.cands.len())
                .filter(|&p| v.openable[p])
                .filter_map(|p| v.line[[p, i]].filter(|x| x.1 > 0).map(|x| x.0))
                .fold(v.penalty[i], f64::min)
        })
        .collect();
    let mut rest = vec![0.0; unit_line.len() + 1];
    for k in (0..unit_line.len()).rev() {
        rest[k] = rest[k + 1] + cheapest[unit_line[k]];
    }
    let all_unfilled: f64 = unit_line.iter().map(|&i| v.penalty[i]).sum();
    let mut search = Search {
        v,
        rest,
        open: Vec::new(),
        used: Array2::zeros((v.cands.len(), v.quantity.len())),
        used_group: Array2::zeros((v.cands.len(), v.quantity.len())),
        choice: vec![UNFILLED; unit_line.len()],
        unit_line,
        best_cost: all_unfilled + 1e-6,
        best_choice: None,
        nodes: 0,
        by_line: (0..v.quantity.len())
            .map(|i| {
                let mut l: Vec<(usize, f64)> = (0..v.cands.len())
                    .filter(|&p| v.openable[p])
                    .filter_map(|p| {
                        v.line[[p, i]]
                            .filter(|x| x.1 > 0)
                            .map(|x| (p, v.pkg[p] + x.0))
                    })
                    .collect();
                l.sort_unstable_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
                l
            })
            .collect(),
    };
    search.dfs(0, 0.0);
    let exact = search.nodes <= NODE_BUDGET;
    let (cost, choice) = match search.best_choice.take() {
        Some(c) => (search.best_cost, c),
        None => (all_unfilled, vec![UNFILLED; search.unit_line.len()]),
    };
    let mut assignments: Vec<Assignment> = Vec::new();
    for (k, &p) in choice.iter().enumerate() {
        if p == UNFILLED {
            continue;
        }
        let line = search.unit_line[k];
        let ci = v.cands[p];
        match assignments.iter_mut().find(|a| a.candidate == ci) {
            Some(a) => match a.units.iter_mut().find(|(l, _)| *l == line) {
                Some((_, q)) => *q += 1,
                None => a.units.push((line, 1)),
            },
            None => assignments.push(Assignment {
                candidate: ci,
                units: vec![(line, 1)],
            }),
        }
    }
    assignments.sort_by_key(|a| a.candidate);
    OrderPlan {
        assignments,
        cost,
        // The root bound costs a pass over every candidate: only a search cut
        // short needs it.
        bound: if exact {
            cost
        } else {
            amortized_bound(v).max(search.rest[0]).min(cost)
        },
        exact,
    }
}

/// A plan for an order too large for the unit search, in time and memory
/// that do not depend on its quantities: line by line, units go in blocks to
/// the candidate with the least cost per unit for the block (an open package,
/// or a new one carrying its package cost and the split penalty), as long as
/// that beats leaving them unfilled. Its bound is the amortized bound.
fn large_order_plan(v: &OrderView) -> OrderPlan {
    let mut used = Array2::<u32>::zeros((v.cands.len(), v.quantity.len()));
    let mut used_group = Array2::<u32>::zeros((v.cands.len(), v.quantity.len()));
    let mut open: Vec<usize> = Vec::new();
    let mut cost = 0.0;
    for (line, &quantity) in v.quantity.iter().enumerate() {
        let group = v.group[line];
        let mut need = quantity;
        while need > 0 {
            let may_open = v
                .max_packages
                .is_none_or(|m| (open.len() as u64) < u64::from(m));
            let best = (0..v.cands.len())
                .filter_map(|p| {
                    let (uc, ub) = v.line[[p, line]]?;
                    let is_open = open.contains(&p);
                    let opens_ok = is_open
                        || (may_open
                            && v.openable[p]
                            && !open.iter().any(|&q| v.node[q] == v.node[p]));
                    let room = (ub - used[[p, line]])
                        .min(v.group_cap[[p, group]].saturating_sub(used_group[[p, group]]));
                    let take = need.min(room);
                    if !opens_ok || take == 0 {
                        return None;
                    }
                    let opening = match (is_open, open.is_empty()) {
                        (true, _) => 0.0,
                        (false, true) => v.pkg[p],
                        (false, false) => v.pkg[p] + v.split,
                    };
                    let per_unit = uc + opening / f64::from(take);
                    (per_unit < v.penalty[line]).then_some((per_unit, p, take))
                })
                .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let Some((per_unit, p, take)) = best else {
                break;
            };
            if !open.contains(&p) {
                open.push(p);
            }
            used[[p, line]] += take;
            used_group[[p, group]] += take;
            cost += per_unit * f64::from(take);
            need -= take;
        }
        cost += v.penalty[line] * f64::from(need);
    }
    open.sort_unstable();
    let assignments = open
        .iter()
        .map(|&p| Assignment {
            candidate: v.cands[p],
            units: (0..v.quantity.len())
                .filter(|&i| used[[p, i]] > 0)
                .map(|i| (i, used[[p, i]]))
                .collect(),
        })
        .collect();
    OrderPlan {
        assignments,
        cost,
        bound: amortized_bound(v).min(cost),
        exact: false,
    }
}

/// A lower bound on the view's optimum without search: each unit pays at
/// least its line's unit cost plus its package's cost shared by the most units
/// that package can carry, or else its unfilled penalty.
fn amortized_bound(v: &OrderView) -> f64 {
    let n_lines = v.quantity.len();
    let mut per_unit: Vec<f64> = v.penalty.clone();
    for p in (0..v.cands.len()).filter(|&p| v.openable[p]) {
        let carried: u32 = (0..n_lines)
            .filter_map(|i| v.line[[p, i]].map(|(_, ub)| ub.min(v.quantity[i])))
            .sum();
        if carried == 0 {
            continue;
        }
        // A package of negative cost could hold a single unit.
        let share = if v.pkg[p] >= 0.0 {
            v.pkg[p] / f64::from(carried)
        } else {
            v.pkg[p]
        };
        for (i, best) in per_unit.iter_mut().enumerate() {
            if let Some((uc, ub)) = v.line[[p, i]]
                && ub > 0
            {
                *best = best.min(uc + share);
            }
        }
    }
    per_unit
        .iter()
        .zip(&v.quantity)
        .map(|(c, &q)| c * f64::from(q))
        .sum()
}

fn ship_complete_plan(v: &OrderView) -> OrderPlan {
    let unfilled: f64 = v
        .quantity
        .iter()
        .zip(&v.penalty)
        .map(|(&q, &p)| q as f64 * p)
        .sum();
    let mut best: (f64, Option<usize>) = (unfilled, None);
    for p in 0..v.cands.len() {
        if !v.openable[p] {
            continue;
        }
        let mut cost = v.pkg[p];
        let mut ok = true;
        for (i, &q) in v.quantity.iter().enumerate() {
            match v.line[[p, i]] {
                Some((uc, ub)) if ub >= q => cost += uc * q as f64,
                _ => ok = false,
            }
        }
        // Lines of one SKU draw on the same stock.
        for (g, &cap) in v.group_cap.row(p).iter().enumerate() {
            let need: u32 = (0..v.quantity.len())
                .filter(|&i| v.group[i] == g)
                .map(|i| v.quantity[i])
                .sum();
            ok &= need <= cap || v.group[g] != g;
        }
        if ok && cost < best.0 - 1e-9 {
            best = (cost, Some(p));
        }
    }
    let assignments = best
        .1
        .map(|p| {
            vec![Assignment {
                candidate: v.cands[p],
                units: v
                    .quantity
                    .iter()
                    .enumerate()
                    .map(|(i, &q)| (i, q))
                    .collect(),
            }]
        })
        .unwrap_or_default();
    OrderPlan {
        assignments,
        cost: best.0,
        bound: best.0,
        exact: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A random view: `n` candidates at distinct nodes over `lines` lines.
    fn view(seed: u64, n: usize, lines: usize) -> OrderView {
        let mut x = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut next = |m: u64| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) % m
        };
        let quantity: Vec<u32> = (0..lines).map(|_| 1 + next(4) as u32).collect();
        let mut line = Array2::from_elem((n, lines), None);
        let mut group_cap = Array2::zeros((n, lines));
        for p in 0..n {
            for i in 0..lines {
                if next(3) > 0 {
                    let ub = next(u64::from(quantity[i]) + 1) as u32;
                    line[[p, i]] = Some((1.0 + next(20) as f64, ub));
                    group_cap[[p, i]] = ub;
                }
            }
        }
        OrderView {
            cands: (0..n).collect(),
            node: NodeIdx::all(n).collect(),
            pkg: (0..n).map(|_| next(30) as f64).collect(),
            openable: vec![true; n],
            line,
            quantity,
            group: (0..lines).collect(),
            group_cap,
            penalty: (0..lines).map(|_| 10.0 + next(40) as f64).collect(),
            split: next(10) as f64,
            max_packages: None,
            ship_complete: false,
        }
    }

    #[test]
    fn the_amortized_bound_never_exceeds_the_optimum_and_often_beats_the_unit_bound() {
        let mut stronger = 0;
        for seed in 0..500 {
            let v = view(seed, 1 + seed as usize % 6, 1 + seed as usize % 4);
            let best = best_plan(&v);
            assert!(best.exact);
            let bound = amortized_bound(&v);
            assert!(
                bound <= best.cost + 1e-9,
                "seed {seed}: bound {bound} above {}",
                best.cost
            );
            let unit_only: f64 = (0..v.quantity.len())
                .map(|i| {
                    let c = (0..v.cands.len())
                        .filter_map(|p| v.line[[p, i]].filter(|x| x.1 > 0).map(|x| x.0))
                        .fold(v.penalty[i], f64::min);
                    c * f64::from(v.quantity[i])
                })
                .sum();
            stronger += usize::from(bound > unit_only + 1e-9);
        }
        assert!(
            stronger > 250,
            "stronger than the unit-cost bound on {stronger} of 500 views"
        );
    }

    /// The cost of `plan` under `v`, and whether it keeps every limit of `v`.
    fn evaluate(v: &OrderView, plan: &[Assignment]) -> (f64, bool) {
        let mut cost = 0.0;
        let mut ok = v
            .max_packages
            .is_none_or(|m| plan.len() as u64 <= u64::from(m));
        let mut shipped = vec![0u64; v.quantity.len()];
        for a in plan {
            let p = v.cands.iter().position(|&c| c == a.candidate).unwrap();
            cost += v.pkg[p];
            for &(i, q) in &a.units {
                let (uc, ub) = v.line[[p, i]].expect("a carried line");
                ok &= q <= ub && q <= v.group_cap[[p, v.group[i]]];
                cost += uc * f64::from(q);
                shipped[i] += u64::from(q);
            }
        }
        cost += v.split * plan.len().saturating_sub(1) as f64;
        for (i, &q) in v.quantity.iter().enumerate() {
            ok &= shipped[i] <= u64::from(q);
            cost += v.penalty[i] * (u64::from(q) - shipped[i].min(u64::from(q))) as f64;
        }
        (cost, ok)
    }

    #[test]
    fn the_large_order_plan_keeps_the_limits_and_never_beats_the_exact_search() {
        for seed in 0..300 {
            let v = view(seed, 1 + seed as usize % 6, 1 + seed as usize % 4);
            let exact = best_plan(&v);
            let large = large_order_plan(&v);
            let (cost, ok) = evaluate(&v, &large.assignments);
            assert!(ok, "seed {seed}: a limit broken");
            assert!(
                (cost - large.cost).abs() < 1e-6,
                "seed {seed}: {cost} vs {}",
                large.cost
            );
            assert!(large.cost >= exact.cost - 1e-9, "seed {seed}");
            assert!(large.bound <= exact.cost + 1e-9, "seed {seed}");
        }
    }

    #[test]
    fn an_order_of_one_unit_gets_the_plan_the_search_would_find() {
        let mut shipped = 0;
        for seed in 0..2_000u64 {
            let mut v = view(seed, 1 + seed as usize % 7, 1);
            v.quantity = vec![1];
            // Unit costs and packages are whole numbers: ties are common.
            v.openable = (0..v.cands.len()).map(|p| (seed >> p) % 5 != 0).collect();
            v.max_packages = [None, Some(1), Some(0)][seed as usize % 3];
            v.penalty[0] = [10.0, 40.0, 80.0][(seed / 3) as usize % 3];
            if seed % 4 == 0 {
                v.group_cap[[0, 0]] = 0;
            }
            let fast = single_unit_plan(&v);
            let searched = searched_plan(&v);
            assert_eq!(
                fast.cost.to_bits(),
                searched.cost.to_bits(),
                "seed {seed}: {} vs {}",
                fast.cost,
                searched.cost
            );
            assert_eq!(fast.assignments, searched.assignments, "seed {seed}");
            assert!(fast.exact && fast.bound == fast.cost);
            shipped += usize::from(!fast.assignments.is_empty());
        }
        assert!(shipped > 500 && shipped < 1_900, "{shipped} of 2000 shipped");
    }

    #[test]
    fn an_order_of_two_billion_units_is_planned_in_blocks_with_a_valid_bound() {
        let mut v = view(7, 5, 3);
        let huge = 1u32 << 31;
        v.quantity = vec![huge, 65_536, 17_000];
        for p in 0..v.cands.len() {
            for i in 0..3 {
                if let Some((uc, _)) = v.line[[p, i]] {
                    v.line[[p, i]] = Some((uc, huge / 3));
                    v.group_cap[[p, i]] = huge / 3;
                }
            }
        }
        let plan = best_plan(&v);
        assert!(!plan.exact);
        let (cost, ok) = evaluate(&v, &plan.assignments);
        assert!(ok);
        assert!((cost - plan.cost).abs() <= 1e-9 * cost.abs().max(1.0));
        assert!(plan.bound <= plan.cost);
    }
}
