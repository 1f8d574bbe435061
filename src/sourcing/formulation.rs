//! The fulfillment MIP of models/README.md, built with good_lp. Variables exist
//! only for candidates; rows that cannot bind (stock or capacity above what all
//! their variables could use) are left out, which changes nothing.

use std::collections::HashMap;
use std::time::Instant;

use good_lp::{Constraint, Expression, ProblemVariables, Variable, VariableDefinition, variable};

use crate::network::candidates::CandidateSet;
use crate::network::domain::{NodeIdx, Scenario, SkuIdx};

/// A variable with its column index (good_lp numbers columns in creation order
/// and does not expose the number, so it is counted here).
#[derive(Debug, Clone, Copy)]
pub struct Col {
    /// The good_lp variable.
    pub var: Variable,
    /// Its HiGHS column.
    pub index: usize,
}

/// The built model.
pub struct Formulation {
    /// Variables.
    pub vars: ProblemVariables,
    /// Objective to minimise.
    pub objective: Expression,
    /// Rows.
    pub constraints: Vec<Constraint>,
    /// The candidate of each `y` (every candidate, in order, for the whole
    /// wave; those of the free orders for a part).
    pub candidates: Vec<usize>,
    /// `y` per candidate of the model.
    pub y: Vec<Col>,
    /// `x` per candidate of the model: (line index, column).
    pub x: Vec<Vec<(usize, Col)>>,
    /// `u` per free order and line.
    pub u: Vec<Vec<Col>>,
    /// Number of columns.
    pub columns: usize,
}

struct Columns {
    vars: ProblemVariables,
    n: usize,
}

impl Columns {
    fn add(&mut self, def: VariableDefinition) -> Col {
        let var = self.vars.add(def);
        self.n += 1;
        Col {
            var,
            index: self.n - 1,
        }
    }
}

/// Builds the MIP for a candidate set.
pub fn build(s: &Scenario, cs: &CandidateSet) -> Formulation {
    let all: Vec<usize> = (0..s.orders.len()).collect();
    build_part(s, cs, &all, &[], None).expect("no deadline")
}

/// Builds the MIP for a candidate set, or nothing if that is not done by
/// `deadline` (a million candidates take tens of seconds on a busy machine).
pub fn build_within(s: &Scenario, cs: &CandidateSet, deadline: Instant) -> Option<Formulation> {
    let all: Vec<usize> = (0..s.orders.len()).collect();
    build_part(s, cs, &all, &[], Some(deadline))
}

/// Builds the MIP of the orders `free` (ascending) alone, the other orders
/// keeping the packages `fixed`: stock and capacity rows have what `fixed`
/// leaves. Its optimum plus the cost of `fixed` is the best plan of the wave
/// that changes only the free orders. Nothing if not built by `deadline`.
pub fn build_part(
    s: &Scenario,
    cs: &CandidateSet,
    free: &[usize],
    fixed: &[crate::solution::assignment::Assignment],
    deadline: Option<Instant>,
) -> Option<Formulation> {
    // The clock is read once every 4,096 candidates or orders.
    let late = |k: usize| k % 4096 == 4095 && deadline.is_some_and(|d| Instant::now() >= d);
    // What the fixed packages use, per (node, sku) and per node.
    let mut used_stock: HashMap<(NodeIdx, SkuIdx), u64> = HashMap::new();
    let mut used_pkgs: HashMap<NodeIdx, u64> = HashMap::new();
    let mut used_units: HashMap<NodeIdx, u64> = HashMap::new();
    for a in fixed {
        let c = &cs.candidates[a.candidate];
        let units: u64 = a.units.iter().map(|&(_, q)| q as u64).sum();
        if units == 0 {
            continue;
        }
        for &(line, q) in &a.units {
            let sku = s.orders[c.order].lines[line].sku;
            *used_stock.entry((c.node, sku)).or_default() += q as u64;
        }
        *used_pkgs.entry(c.node).or_default() += 1;
        *used_units.entry(c.node).or_default() += units;
    }
    let left = |cap: u64, used: Option<&u64>| cap.saturating_sub(used.copied().unwrap_or(0));
    let mut cols = Columns {
        vars: ProblemVariables::new(),
        n: 0,
    };
    let mut objective = Expression::default();
    let mut constraints = Vec::new();
    let model_candidates: Vec<usize> = free.iter().flat_map(|&o| cs.by_order[o].clone()).collect();
    let mut y = Vec::with_capacity(model_candidates.len());
    let mut x = Vec::with_capacity(model_candidates.len());
    // Per (node, sku): the x columns drawing on its stock and their total upper bound.
    let mut stock_use: HashMap<(NodeIdx, SkuIdx), (Expression, u64)> = HashMap::new();
    let mut node_pkgs: HashMap<NodeIdx, (Expression, u64)> = HashMap::new();
    let mut node_units: HashMap<NodeIdx, (Expression, u64)> = HashMap::new();

    for (k, &ci) in model_candidates.iter().enumerate() {
        if late(k) {
            return None;
        }
        let c = &cs.candidates[ci];
        let order = &s.orders[c.order];
        let yc = cols.add(variable().binary());
        objective += c.package.total() * yc.var;
        let mut xs = Vec::with_capacity(c.lines.len());
        for cl in &c.lines {
            let q = cl.max_units;
            let xc = cols.add(variable().integer().min(0).max(q as f64));
            objective += cl.cost.total() * xc.var;
            // Link: no units without the package.
            constraints.push((xc.var - (q as f64) * yc.var).leq(0.0));
            let sku = order.lines[cl.line].sku;
            let e = stock_use.entry((c.node, sku)).or_default();
            e.0 += xc.var;
            e.1 += q as u64;
            let e = node_units.entry(c.node).or_default();
            e.0 += xc.var;
            e.1 += q as u64;
            xs.push((cl.line, xc));
        }
        let e = node_pkgs.entry(c.node).or_default();
        e.0 += yc.var;
        e.1 += 1;
        y.push(yc);
        x.push(xs);
    }

    let mut u = Vec::with_capacity(free.len());
    // Position in `y` of each free order's first candidate.
    let mut first = 0;
    for (k, &o) in free.iter().enumerate() {
        if late(k) {
            return None;
        }
        let order = &s.orders[o];
        let range = first..first + cs.by_order[o].len();
        first = range.end;
        // Unfilled units; for ship-complete orders all lines move together with
        // one binary `f` (filled) instead.
        let fill = order.ship_complete.then(|| cols.add(variable().binary()));
        let mut uo = Vec::with_capacity(order.lines.len());
        for (k, l) in order.lines.iter().enumerate() {
            let uc = cols.add(variable().integer().min(0).max(l.quantity as f64));
            objective += cs.unfilled_penalty[o][k] * uc.var;
            let mut cover = Expression::from(uc.var);
            for ci in range.clone() {
                for (line, xc) in &x[ci] {
                    if *line == k {
                        cover += xc.var;
                    }
                }
            }
            constraints.push(cover.eq(l.quantity as f64));
            if let Some(f) = fill {
                // u = q (1 - f): all lines filled or none.
                constraints.push((uc.var + (l.quantity as f64) * f.var).eq(l.quantity as f64));
            }
            uo.push(uc);
        }
        u.push(uo);

        let packages: Expression = range.clone().map(|ci| y[ci].var).sum();
        let n_cands = range.len();
        // One service per node and order.
        let mut per_node: HashMap<NodeIdx, Vec<Variable>> = HashMap::new();
        for ci in range.clone() {
            per_node
                .entry(cs.candidates[model_candidates[ci]].node)
                .or_default()
                .push(y[ci].var);
        }
        let mut nodes: Vec<_> = per_node.into_iter().filter(|(_, v)| v.len() > 1).collect();
        nodes.sort_by_key(|(n, _)| *n);
        for (_, vs) in nodes {
            constraints.push(vs.into_iter().sum::<Expression>().leq(1.0));
        }
        let limit = if order.ship_complete {
            Some(1)
        } else {
            order.max_packages
        };
        if let Some(m) = limit
            && (m as usize) < n_cands
        {
            constraints.push(packages.clone().leq(m as f64));
        }
        if n_cands > 1 && s.policy.split_penalty > 0.0 && limit != Some(1) {
            let sc = cols.add(variable().min(0));
            objective += s.policy.split_penalty * sc.var;
            constraints.push((packages - sc.var).leq(1.0));
        }
    }

    // Stock rows that can bind.
    let mut stock: Vec<_> = stock_use.into_iter().collect();
    stock.sort_by_key(|(k, _)| *k);
    for ((n, sku), (expr, ub)) in stock {
        let atp = left(s.atp(n, sku) as u64, used_stock.get(&(n, sku)));
        if ub > atp {
            constraints.push(expr.leq(atp as f64));
        }
    }
    // Capacity rows that can bind.
    let mut pk: Vec<_> = node_pkgs.into_iter().collect();
    pk.sort_by_key(|(k, _)| *k);
    for (n, (expr, ub)) in pk {
        if let Some(cap) = s.nodes[n]
            .capacity_orders
            .map(|c| left(c as u64, used_pkgs.get(&n)))
            && ub > cap
        {
            constraints.push(expr.leq(cap as f64));
        }
    }
    let mut un: Vec<_> = node_units.into_iter().collect();
    un.sort_by_key(|(k, _)| *k);
    for (n, (expr, ub)) in un {
        if let Some(cap) = s.nodes[n]
            .capacity_units
            .map(|c| left(c as u64, used_units.get(&n)))
            && ub > cap
        {
            constraints.push(expr.leq(cap as f64));
        }
    }

    Some(Formulation {
        columns: cols.n,
        vars: cols.vars,
        objective,
        constraints,
        candidates: model_candidates,
        y,
        x,
        u,
    })
}
