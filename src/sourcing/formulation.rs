//! The fulfillment MIP of models/README.md, built with good_lp. Variables exist
//! only for candidates; rows that cannot bind (stock or capacity above what all
//! their variables could use) are left out, which changes nothing.

use std::collections::HashMap;
use std::time::Instant;

use good_lp::{Expression, ProblemVariables, Variable, VariableDefinition, variable};

use crate::input::settings::Settings;
use crate::network::candidates::CandidateSet;
use crate::network::domain::{NodeIdx, OrderIdx, Scenario};
use crate::solution::assignment::Assignment;
use crate::solution::plan::Status;
use crate::solver::{self, MipModel, SolverOutcome};
use crate::sourcing::bindable::{BindableRows, Row, Usage};

/// A variable with its column index (good_lp numbers columns in creation order
/// and does not expose the number, so it is counted here).
#[derive(Debug, Clone, Copy)]
pub struct Col {
    /// The good_lp variable.
    pub var: Variable,
    /// Its HiGHS column.
    pub index: usize,
}

/// The built model, and what its columns mean.
pub struct Formulation {
    /// The MIP handed to the solver.
    pub model: MipModel,
    /// The candidate of each `y` (every candidate, in order, for the whole
    /// wave; those of the free orders for a part).
    pub candidates: Vec<usize>,
    /// `y` per candidate of the model.
    pub y: Vec<Col>,
    /// `x` per candidate of the model: (line index, column).
    pub x: Vec<Vec<(usize, Col)>>,
    /// The stock and capacity rows that can bind: the model's last rows, in
    /// this order.
    pub rows: Vec<Row>,
}

/// What the solver returned for a formulation, its columns read back as
/// packages and units.
#[derive(Debug, Clone)]
pub struct MipResult {
    /// Our status.
    pub status: Status,
    /// Dual bound (valid lower bound), if any.
    pub best_bound: Option<f64>,
    /// The incumbent's packages and units, if any.
    pub assignments: Option<Vec<Assignment>>,
    /// The solver's words.
    pub message: String,
    /// Rows in the model.
    pub rows: usize,
}

impl MipResult {
    /// The result of a model that was not built within the time limit.
    pub fn not_built() -> MipResult {
        MipResult::from_solver(solver::not_built(), |_| Vec::new())
    }

    fn from_solver(out: SolverOutcome, read: impl FnOnce(&[f64]) -> Vec<Assignment>) -> MipResult {
        MipResult {
            status: out.status,
            best_bound: out.best_bound,
            assignments: out.values.as_deref().map(read),
            message: out.message,
            rows: out.rows,
        }
    }
}

impl Formulation {
    /// Number of columns.
    pub fn columns(&self) -> usize {
        self.model.columns
    }

    /// Solves the model (see [`solver::solve`]) and reads the incumbent's
    /// packages and units back from its columns.
    pub fn solve(self, settings: &Settings) -> MipResult {
        let Formulation {
            model,
            candidates,
            y,
            x,
            ..
        } = self;
        let out = solver::solve(model, settings);
        MipResult::from_solver(out, |values| {
            y.iter()
                .enumerate()
                .filter(|(_, yc)| values[yc.index] > 0.5)
                .map(|(k, _)| Assignment {
                    candidate: candidates[k],
                    units: x[k]
                        .iter()
                        .map(|(line, c)| (*line, values[c.index].round().max(0.0) as u32))
                        .filter(|(_, q)| *q > 0)
                        .collect(),
                })
                .collect()
        })
    }

    /// The optimum of the LP relaxation, if it solved (see [`solver::lp_bound`]).
    pub fn lp_bound(self, settings: &Settings) -> Option<f64> {
        solver::lp_bound(self.model, settings)
    }

    /// The LP relaxation's optimum and the shadow price of each row that
    /// can bind (in [`Formulation::rows`] order): what one more unit of the
    /// row's limit would save, `>= 0`. `None` if the LP did not solve.
    pub fn lp_prices(self, settings: &Settings) -> Option<(f64, Vec<f64>)> {
        let bindable = self.rows.len();
        let lp = solver::lp_relaxation(self.model, settings)?;
        let first = lp.row_duals.len().checked_sub(bindable)?;
        // A `<=` row's dual is `<= 0` when minimising: its price is the negation.
        let prices = lp.row_duals[first..].iter().map(|d| (-d).max(0.0)).collect();
        Some((lp.objective, prices))
    }
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
    let all: Vec<OrderIdx> = OrderIdx::all(s.orders.len()).collect();
    build_part(s, cs, &all, &[], None).expect("no deadline")
}

/// Builds the MIP for a candidate set, or nothing if that is not done by
/// `deadline` (a million candidates take tens of seconds on a busy machine).
pub fn build_within(s: &Scenario, cs: &CandidateSet, deadline: Instant) -> Option<Formulation> {
    let all: Vec<OrderIdx> = OrderIdx::all(s.orders.len()).collect();
    build_part(s, cs, &all, &[], Some(deadline))
}

/// Builds the MIP of the orders `free` (ascending) alone, the other orders
/// keeping the packages `fixed`: stock and capacity rows have what `fixed`
/// leaves. Its optimum plus the cost of `fixed` is the best plan of the wave
/// that changes only the free orders. Nothing if not built by `deadline`.
pub fn build_part(
    s: &Scenario,
    cs: &CandidateSet,
    free: &[OrderIdx],
    fixed: &[crate::solution::assignment::Assignment],
    deadline: Option<Instant>,
) -> Option<Formulation> {
    build_steered(s, cs, free, fixed, &Steering::default(), deadline)
}

/// What a re-plan adds to the model of its free orders: packages that must
/// stay as they are, and a bonus for keeping a package of the previous plan.
#[derive(Debug, Clone, Default)]
pub struct Steering {
    /// Packages of free orders that stay with exactly their units (picked or
    /// shipped): `y = 1` and each `x` fixed.
    pub forced: Vec<Assignment>,
    /// Per candidate, what keeping it open saves (the penalty of moving the
    /// previous plan's package off it): its `y` costs that much less, and it
    /// may only be open with at least one unit.
    pub keep_bonus: rustc_hash::FxHashMap<usize, f64>,
    /// Candidates the free orders may not use (a suspended service).
    pub banned: rustc_hash::FxHashSet<usize>,
    /// Groups of candidates of which at least one must be open with units
    /// (an order forced to ship from a node).
    pub at_least_one: Vec<Vec<usize>>,
}

/// [`build_part`] with a re-plan's [`Steering`].
pub fn build_steered(
    s: &Scenario,
    cs: &CandidateSet,
    free: &[OrderIdx],
    fixed: &[crate::solution::assignment::Assignment],
    steering: &Steering,
    deadline: Option<Instant>,
) -> Option<Formulation> {
    let forced: rustc_hash::FxHashMap<usize, &Assignment> =
        steering.forced.iter().map(|a| (a.candidate, a)).collect();
    let required: rustc_hash::FxHashSet<usize> = steering.at_least_one.iter().flatten().copied().collect();
    // The clock is read once every 4,096 candidates or orders.
    let late = |k: usize| k % 4096 == 4095 && deadline.is_some_and(|d| Instant::now() >= d);
    let mut cols = Columns {
        vars: ProblemVariables::new(),
        n: 0,
    };
    let mut objective = Expression::default();
    let mut constraints = Vec::new();
    let model_candidates: Vec<usize> = free.iter().flat_map(|&o| cs.range_of(o)).collect();
    let mut y = Vec::with_capacity(model_candidates.len());
    let mut x = Vec::with_capacity(model_candidates.len());
    // The stock and capacity rows that can bind (what the fixed packages
    // leave), and per row the columns drawing on it.
    let bindable = BindableRows::new(
        s,
        model_candidates.iter().map(|&ci| &cs.candidates[ci]),
        &Usage::of(s, cs, fixed),
    );
    let mut row_use: Vec<Expression> = vec![Expression::default(); bindable.rows.len()];

    for (k, &ci) in model_candidates.iter().enumerate() {
        if late(k) {
            return None;
        }
        let c = &cs.candidates[ci];
        let yc = cols.add(variable().binary());
        let bonus = steering.keep_bonus.get(&ci).copied().unwrap_or(0.0);
        objective += (c.package.total() - bonus) * yc.var;
        let pinned = forced.get(&ci);
        if pinned.is_some() {
            constraints.push(Expression::from(yc.var).geq(1.0));
        } else if steering.banned.contains(&ci) {
            constraints.push(Expression::from(yc.var).leq(0.0));
        }
        let mut xs = Vec::with_capacity(c.lines.len());
        let mut units = Expression::default();
        for (line_k, cl) in c.lines.iter().enumerate() {
            let q = cl.max_units;
            let xc = cols.add(variable().integer().min(0).max(q as f64));
            objective += cl.cost.total() * xc.var;
            units += xc.var;
            // Link: no units without the package.
            constraints.push((xc.var - (q as f64) * yc.var).leq(0.0));
            if let Some(a) = pinned {
                let fixed_units = a.units.iter().filter(|(l, _)| *l == cl.line).map(|(_, u)| *u).sum::<u32>();
                constraints.push(Expression::from(xc.var).eq(fixed_units as f64));
            }
            for r in [bindable.stock(k, line_k), bindable.units(c.node)]
                .into_iter()
                .flatten()
            {
                row_use[r] += xc.var;
            }
            xs.push((cl.line, xc));
        }
        if bonus > 0.0 || required.contains(&ci) {
            // A kept package carries units: its bonus is not had for
            // nothing; a required one is not open empty.
            constraints.push((yc.var - units).leq(0.0));
        }
        if let Some(r) = bindable.packages(c.node) {
            row_use[r] += yc.var;
        }
        y.push(yc);
        x.push(xs);
    }

    // Position in `y` of each free order's first candidate.
    let mut first = 0;
    for (k, &o) in free.iter().enumerate() {
        if late(k) {
            return None;
        }
        let order = &s.orders[o];
        let range = first..first + cs.range_of(o).len();
        first = range.end;
        // Unfilled units; for ship-complete orders all lines move together with
        // one binary `f` (filled) instead.
        let fill = order.ship_complete.then(|| cols.add(variable().binary()));
        for (k, l) in order.lines.iter().enumerate() {
            let uc = cols.add(variable().integer().min(0).max(l.quantity as f64));
            objective += cs.unfilled_of(o)[k] * uc.var;
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
        }
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

    let position: rustc_hash::FxHashMap<usize, usize> =
        model_candidates.iter().enumerate().map(|(k, &ci)| (ci, k)).collect();
    for group in &steering.at_least_one {
        let open: Expression = group.iter().filter_map(|ci| position.get(ci)).map(|&k| y[k].var).sum();
        constraints.push(open.geq(1.0));
    }

    // Stock rows, then package rows, then units rows: the model's last rows.
    for (expr, &limit) in row_use.into_iter().zip(&bindable.limit) {
        constraints.push(expr.leq(limit));
    }

    Some(Formulation {
        model: MipModel {
            columns: cols.n,
            vars: cols.vars,
            objective,
            constraints,
        },
        candidates: model_candidates,
        y,
        x,
        rows: bindable.rows,
    })
}
