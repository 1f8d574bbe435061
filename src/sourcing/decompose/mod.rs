//! Peak-scale solving by column generation (Dantzig–Wolfe). Orders interact
//! only through the coupling rows that can bind ([`rows`]); the
//! master LP chooses a convex combination of per-order plans (columns) under
//! those rows:
//!
//! ```text
//! min  sum_o sum_p c_op l_op
//! s.t. sum_o sum_p a_rop l_op <= limit_r   (dual -pi_r, pi_r >= 0)
//!      sum_p l_op = 1  for each order o    (dual mu_o)
//!      l >= 0
//! ```
//!
//! Its duals price the rows; each order then finds its cheapest plan at those
//! prices exactly ([`crate::sourcing::order_opt`], in parallel). That plan enters the
//! master if its reduced cost is negative, and the priced optima give the
//! Lagrangian bound `sum_o min_o(c + pi a) - sum_r pi_r limit_r`, valid for the
//! whole wave at any prices. When no order finds a better plan the master LP
//! equals the bound (the Dantzig–Wolfe bound, never weaker than the compact
//! LP relaxation).
//!
//! Plans come from MIPs over neighbourhoods (HiGHS, whose cuts close most of
//! the gap the LP leaves). The first rounds the master LP: orders whose LP
//! plan is whole keep it unless it sits on a row where the fractional orders
//! conflict; the others choose among all their columns and two plans that
//! fit alone in what the kept plans leave. From then on each
//! neighbourhood starts from the best plan and frees the orders around the
//! rows with the highest prices (large neighbourhood search), one per pricing
//! round, solved beside the next round, and then until a pass over the priced
//! rows improves nothing.
//! Leaving an order unfilled uses no row, so every restricted master is
//! feasible.
//!
//! The parts: [`rows`] (the coupling rows), `master` (the restricted master
//! LP), `pricing`, `shortlists` (the candidates pricing looks at for an order
//! of one unit), `neighbourhoods` (the MIPs), [`polish`] (the local search),
//! [`exchange`] (package slots traded at full nodes),
//! [`bound`] (the bound over every candidate), `budget` (the shares of the
//! time limit) and `search` (the run that drives them).

mod ascent;
pub mod bound;
mod budget;
pub mod exchange;
mod master;
mod neighbourhoods;
pub mod polish;
mod pricing;
pub mod rows;
mod search;
mod shortlists;
pub mod sku_prices;

pub use ascent::ASCENT_ORDERS;
pub use bound::{bound_and_pruned_used, exact_bound};
pub use rows::{Coupling, RowPrices};

use crate::solver::SolverError;
use crate::input::settings::Settings;
use crate::network::candidates::CandidateSet;
use crate::network::domain::{OrderIdx, Scenario};
use crate::solution::assignment::Assignment;
use crate::sourcing::decompose::master::Ctx;
use crate::sourcing::decompose::shortlists::Shortlists;
use crate::sourcing::decompose::search::Search;

/// Settings of one run.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Stop when (cost - bound) / cost is at most this.
    pub target_gap: f64,
    /// Wall-clock budget in seconds.
    pub time_limit_s: f64,
    /// Most pricing rounds (or steps of the ascent).
    pub max_iterations: usize,
    /// Coupled orders from which the rows are priced by the ascent
    /// ([`ascent`]) rather than by the master LP ([`ASCENT_ORDERS`] unless
    /// a test wants the ascent on a small wave).
    pub ascent_orders: usize,
}

/// Seconds spent in each part of a run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Phases {
    /// Finding the rows that can bind and the independent orders.
    pub coupling_s: f64,
    /// Solving the master LP.
    pub master_s: f64,
    /// Pricing orders.
    pub pricing_s: f64,
    /// Neighbourhood MIPs and the local search.
    pub primal_s: f64,
}

/// What a run found.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Best feasible plan.
    pub assignments: Vec<Assignment>,
    /// Its cost.
    pub cost: f64,
    /// Best valid lower bound of the wave.
    pub bound: f64,
    /// Value of the last master LP (with the independent orders).
    pub lp_value: Option<f64>,
    /// Whether the master LP reached the Dantzig–Wolfe bound (no column left to add).
    pub lp_converged: bool,
    /// Pricing rounds of the column generation.
    pub iterations: usize,
    /// Steps of the ascent, if it priced the rows instead (0 if the master
    /// LP did).
    pub ascent_steps: usize,
    /// Columns generated.
    pub columns: usize,
    /// Coupling rows that can bind.
    pub rows: usize,
    /// Orders whose exact search ran out of budget in the last pricing (their
    /// bound is the search's root bound).
    pub inexact_orders: usize,
    /// Those orders, ascending.
    pub inexact: Vec<OrderIdx>,
    /// Orders that share no row that can bind (solved once, exactly, alone).
    pub independent_orders: usize,
    /// Sizes (orders) of the connected components of orders linked by rows
    /// that can bind, largest first.
    pub component_sizes: Vec<usize>,
    /// Neighbourhood MIPs run, with (free orders, plan cost found).
    pub neighbourhoods: Vec<(usize, Option<f64>)>,
    /// Time per phase.
    pub phases: Phases,
    /// Why the master LP stopped early, if it did (HiGHS's words).
    pub master_stopped: Option<SolverError>,
    /// The row prices of the best bound (none if no round finished).
    pub prices: RowPrices,
}

/// Runs column generation over the coupling rows `cp` of `cs` from a
/// feasible plan `start`; `progress` hears one line per pricing round and per
/// plan found.
pub fn solve(
    s: &Scenario,
    cs: &CandidateSet,
    cp: &Coupling,
    start: Vec<Assignment>,
    limits: Limits,
    settings: &Settings,
    progress: &dyn Fn(&str),
) -> Result<Outcome, SolverError> {
    solve_from(s, cs, cp, start, limits, settings, None, progress)
}

/// [`solve`], whose ascent (on a wave that ascends) starts from the row
/// prices `from` found by another run over fewer candidates
/// ([`ascent_prices`]), if any.
#[allow(clippy::too_many_arguments)]
pub fn solve_from(
    s: &Scenario,
    cs: &CandidateSet,
    cp: &Coupling,
    start: Vec<Assignment>,
    limits: Limits,
    settings: &Settings,
    from: Option<&RowPrices>,
    progress: &dyn Fn(&str),
) -> Result<Outcome, SolverError> {
    let run = Run {
        s,
        cs,
        cp,
        settings,
        limits,
        progress,
    };
    run.search(start, |mut search| {
        let pending = if search.ascends() {
            search.ascend(from.map(|p| cp.price_vector(p)));
            None
        } else {
            search.price_rounds()
        };
        search.plans(pending);
        search.polish();
        search.outcome()
    })
}

/// What a run is over.
struct Run<'a> {
    s: &'a Scenario,
    cs: &'a CandidateSet,
    cp: &'a Coupling,
    settings: &'a Settings,
    limits: Limits,
    progress: &'a dyn Fn(&str),
}

impl Run<'_> {
    /// `then` of the search over this run from the plan `start`.
    fn search<T>(&self, start: Vec<Assignment>, then: impl FnOnce(Search) -> T) -> Result<T, SolverError> {
        let short = Shortlists::new(self.s, self.cs, self.cp);
        let ctx = Ctx {
            s: self.s,
            cs: self.cs,
            cp: self.cp,
            settings: self.settings,
            short: &short,
        };
        Ok(then(Search::new(ctx, start, self.limits, self.progress)?))
    }
}

/// The prices of an ascent run alone.
#[derive(Debug, Clone)]
pub struct AscentPrices {
    /// The row prices of its best bound.
    pub prices: RowPrices,
    /// That bound, valid over the run's candidates only.
    pub bound: f64,
    /// Its steps.
    pub steps: usize,
}

/// Row prices of `cs` by the ascent alone, for its whole time limit (or
/// until its bound stops improving, or the plans at its prices fit): the
/// start of a run over more candidates ([`solve_from`]).
pub fn ascent_prices(
    s: &Scenario,
    cs: &CandidateSet,
    cp: &Coupling,
    start: Vec<Assignment>,
    limits: Limits,
    settings: &Settings,
    progress: &dyn Fn(&str),
) -> Result<AscentPrices, SolverError> {
    let run = Run {
        s,
        cs,
        cp,
        settings,
        limits,
        progress,
    };
    run.search(start, |mut search| {
        search.ascend_alone();
        search.prices()
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::network::candidates::{self, CandidateMode, CandidateSet};
    use crate::network::domain::Scenario;
    use crate::network::lanes::Network;
    use crate::research::generate::{GenConfig, generate};

    /// A generated `tiny` wave of `orders` orders (seed `seed`, written under
    /// `dir`) with its exact candidates.
    pub(super) fn tiny_wave(dir: &Path, seed: u64, orders: usize) -> (Scenario, CandidateSet) {
        with_candidates(tiny_scenario(dir, seed, orders))
    }

    /// [`tiny_wave`] with small capacities (the generator sets none): at most
    /// a few units at every other node and two packages at every third, so
    /// that plans compete for a node's units and packages, not only for its
    /// stock.
    pub(super) fn tiny_capped_wave(
        dir: &Path,
        seed: u64,
        orders: usize,
    ) -> (Scenario, CandidateSet) {
        let mut s = tiny_scenario(dir, seed, orders);
        for (i, n) in s.nodes.iter_mut().enumerate() {
            if i % 2 == 0 {
                n.capacity_units = Some(3 + (i % 4) as u32);
            }
            if i % 3 == 0 {
                n.capacity_orders = Some(2);
            }
        }
        with_candidates(s)
    }

    fn tiny_scenario(dir: &Path, seed: u64, orders: usize) -> Scenario {
        let cfg = GenConfig::preset("tiny")
            .expect("a preset")
            .with_overrides(&[format!("orders={orders}")])
            .expect("valid knobs");
        let path = dir.join(format!("w{seed}"));
        generate(&cfg, seed, "tiny", &path).expect("the generator writes");
        crate::load_scenario(&path, "us-parcel", &[]).expect("a valid wave").0
    }

    fn with_candidates(s: Scenario) -> (Scenario, CandidateSet) {
        let cs = candidates::generate(&s, &Network::build(&s), CandidateMode::Exact);
        (s, cs)
    }
}
