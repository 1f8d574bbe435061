//! One solve from scenario to plan: network, candidates, strategy, decoding,
//! with the time of each phase in the solve record.

use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::baseline::{self, Rule};
use crate::candidates::{self, CandidateSet};
use crate::decode::{self, Assignment};
use crate::domain::Scenario;
use crate::formulation;
use crate::greedy;
use crate::lagrange;
use crate::network::Network;
use crate::plan::{PhaseTimes, Plan, SolveRecord, Status};
use crate::settings::Settings;
use crate::solve;

/// How a wave is routed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Strategy {
    /// Lagrangian decomposition with exact per-order solves; small waves are
    /// then polished by the MIP. The default.
    Auto,
    /// Lagrangian decomposition only.
    Decompose,
    /// The whole wave as one MIP (model.md); the greedy/Shopify plan if the solver stops before beating it.
    Monolithic,
    /// Orders in arrival order, each at its myopic cheapest.
    GreedyCost,
    /// Static location priority list, each line top-down.
    Ranked,
    /// Nearest location first, each line top-down.
    Closest,
    /// Fewest packages, then in market, then nearest (Shopify's routing rules).
    Shopify,
}

impl Strategy {
    /// Every strategy with its name.
    pub const ALL: &'static [(Strategy, &'static str)] = &[
        (Strategy::Auto, "auto"),
        (Strategy::Decompose, "decompose"),
        (Strategy::Monolithic, "monolithic"),
        (Strategy::GreedyCost, "greedy-cost"),
        (Strategy::Ranked, "ranked"),
        (Strategy::Closest, "closest"),
        (Strategy::Shopify, "shopify"),
    ];
    /// The name on the command line.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(s, _)| *s == self)
            .map(|(_, n)| *n)
            .expect("listed")
    }
    /// Parses a name.
    pub fn parse(name: &str) -> Option<Strategy> {
        Self::ALL.iter().find(|(_, n)| *n == name).map(|(s, _)| *s)
    }
}

/// Routes a wave with a strategy.
pub fn run(s: &Scenario, settings: &Settings, strategy: Strategy) -> Plan {
    let start = Instant::now();
    let net = Network::build(s);
    let cs = candidates::generate(s, &net, settings.candidates);
    let mut phases = PhaseTimes {
        candidates_s: start.elapsed().as_secs_f64(),
        ..Default::default()
    };
    let mut record = SolveRecord {
        status: Status::Heuristic,
        strategy: strategy.name().to_string(),
        objective: None,
        best_bound: None,
        gap: None,
        time_s: 0.0,
        phases: PhaseTimes::default(),
        candidates: cs.stats.clone(),
        variables: 0,
        constraints: 0,
        message: String::new(),
        peak_memory_mb: None,
        decomposition: None,
    };
    let assignments = match strategy {
        Strategy::GreedyCost => greedy::greedy_cost(s, &cs),
        Strategy::Ranked => baseline::route_wave(s, &cs, Rule::Ranked),
        Strategy::Closest => baseline::route_wave(s, &cs, Rule::Closest),
        Strategy::Shopify => baseline::route_wave(s, &cs, Rule::Shopify),
        Strategy::Monolithic => monolithic(s, &cs, settings, &mut record, &mut phases),
        Strategy::Auto => decompose(s, &cs, settings, &mut record, &mut phases, true),
        Strategy::Decompose => decompose(s, &cs, settings, &mut record, &mut phases, false),
    };
    let t = Instant::now();
    let mut plan = decode::assemble(s, &cs, &assignments, record);
    phases.decode_s = t.elapsed().as_secs_f64();
    plan.solve.phases = phases;
    plan.solve.time_s = start.elapsed().as_secs_f64();
    plan.solve.peak_memory_mb = crate::plan::peak_memory_mb();
    plan
}

/// The LP relaxation's optimum of the full model (exact candidates): a lower
/// bound valid for the whole wave, whatever strategy made the plan.
pub fn lp_bound(s: &Scenario, settings: &Settings) -> Option<f64> {
    let net = Network::build(s);
    let exact = Settings {
        candidates: crate::settings::CandidateMode::Exact,
        ..settings.clone()
    };
    let cs = candidates::generate(s, &net, exact.candidates);
    solve::lp_bound(formulation::build(s, &cs), &exact)
}

/// Waves with at most this many candidates are polished by the MIP in `auto`.
const POLISH_MAX_CANDIDATES: usize = 30_000;

fn decompose(
    s: &Scenario,
    cs: &CandidateSet,
    settings: &Settings,
    record: &mut SolveRecord,
    phases: &mut PhaseTimes,
    polish: bool,
) -> Vec<Assignment> {
    let t = Instant::now();
    let warm = warm_start(s, cs);
    phases.build_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    // With a polish to follow, the decomposition gets a third of the time.
    // A wave small enough for the full MIP gives the decomposition a third of
    // the time; on bigger waves the MIP is too slow to pay, so the decomposition
    // gets all of it (and a restricted MIP only what it leaves).
    let full = cs.candidates.len() <= POLISH_MAX_CANDIDATES;
    let budget = if polish && full {
        settings.time_limit_s / 3.0
    } else {
        settings.time_limit_s
    };
    let limits = lagrange::Limits {
        target_gap: settings.mip_rel_gap,
        time_limit_s: budget,
        max_iterations: 300,
    };
    let out = if std::env::var_os("DOMOPT_CG").is_some() {
        crate::colgen::solve(s, cs, warm, limits, settings).expect("cg")
    } else {
        lagrange::solve(s, cs, warm, limits)
    };
    phases.solve_s = t.elapsed().as_secs_f64();
    record.objective = Some(out.cost);
    let mut bound = out.bound;
    record.message = format!(
        "Lagrangian decomposition: {} iterations, {} coupling rows, {} components (largest {} orders), {} independent orders",
        out.iterations,
        out.rows,
        out.component_sizes.len(),
        out.component_sizes.first().copied().unwrap_or(0),
        out.independent_orders
    );
    let mut decomposition = crate::plan::Decomposition {
        coupling_rows: out.rows,
        components: out.component_sizes.len(),
        largest_component: out.component_sizes.first().copied().unwrap_or(0),
        independent_orders: out.independent_orders,
        iterations: out.iterations,
        inexact_orders: out.inexact_orders,
        lagrangian_bound: out.bound,
        mip_polish: false,
    };
    let mut plan = out.assignments;
    let mut cost = out.cost;
    let left = settings.time_limit_s - t.elapsed().as_secs_f64();
    let mut solver_status = None;
    if polish && decode::relative_gap(cost, bound) > settings.mip_rel_gap && left > 1.0 {
        // The MIP with the time left (its plan replaces the decomposition's
        // only if cheaper): over every candidate on small waves (its bound is then valid
        // too), else over the candidates the decomposition found promising
        // (a restricted MIP: its plan is feasible, its bound is not used).
        let t = Instant::now();
        let (sub, old) = if full {
            (cs.clone(), (0..cs.candidates.len()).collect())
        } else {
            cs.restricted(&out.used_candidates)
        };
        let f = formulation::build(s, &sub);
        record.variables = f.columns;
        let mip = solve::solve(
            f,
            &Settings {
                time_limit_s: left,
                ..settings.clone()
            },
        );
        phases.solve_s += t.elapsed().as_secs_f64();
        record.constraints = mip.rows;
        decomposition.mip_polish = true;
        if let Some(a) = mip.assignments {
            let a: Vec<Assignment> = a
                .into_iter()
                .map(|x| Assignment {
                    candidate: old[x.candidate],
                    units: x.units,
                })
                .collect();
            let c = decode::plan_cost(s, cs, &a);
            if c <= cost + 1e-9 {
                plan = a;
                cost = c;
            }
            if full {
                solver_status = Some(mip.status);
            }
        }
        if let (Some(b), true) = (mip.best_bound, full) {
            bound = bound.max(b);
        }
        record.message.push_str(&format!(
            "; MIP polish over {} of {} candidates: {}",
            sub.candidates.len(),
            cs.candidates.len(),
            mip.message
        ));
    }
    let gap = decode::relative_gap(cost, bound);
    record.best_bound = (!cs.stats.pruned).then_some(bound);
    record.status = match solver_status {
        Some(st) => st,
        None if gap <= 1e-9 => Status::Optimal,
        None if gap <= settings.mip_rel_gap => Status::GapLimit,
        None if phases.solve_s >= settings.time_limit_s * 0.99 => Status::TimeLimit,
        // Stopped by the iteration cap with a proven gap above the target.
        None => Status::GapLimit,
    };
    record.decomposition = Some(decomposition);
    plan
}

/// The cheaper of the greedy and the Shopify-rule plans: a feasible start, so
/// that even a solve stopped early is no worse than either.
fn warm_start(s: &Scenario, cs: &CandidateSet) -> Vec<Assignment> {
    [
        greedy::greedy_cost(s, cs),
        baseline::route_wave(s, cs, Rule::Shopify),
    ]
    .into_iter()
    .map(|a| (decode::plan_cost(s, cs, &a), a))
    .min_by(|x, y| x.0.total_cmp(&y.0))
    .map(|(_, a)| a)
    .expect("two plans")
}

fn monolithic(
    s: &Scenario,
    cs: &CandidateSet,
    settings: &Settings,
    record: &mut SolveRecord,
    phases: &mut PhaseTimes,
) -> Vec<Assignment> {
    let t = Instant::now();
    let warm = warm_start(s, cs);
    let f = formulation::build(s, cs);
    record.variables = f.columns;
    phases.build_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let out = solve::solve(f, settings);
    phases.solve_s = t.elapsed().as_secs_f64();
    record.constraints = out.rows;
    record.objective = out.objective;
    record.message = out.message;
    // A bound from pruned candidates is a bound of the pruned model only.
    record.best_bound = if cs.stats.pruned {
        None
    } else {
        out.best_bound
    };
    if cs.stats.pruned {
        record
            .message
            .push_str("; candidates pruned: no wave-wide bound");
    }
    match out.assignments {
        Some(a) if decode::plan_cost(s, cs, &a) <= decode::plan_cost(s, cs, &warm) + 1e-9 => {
            record.status = out.status;
            a
        }
        Some(_) => {
            // Stopped before beating the rule-based start: keep the start.
            record.status = out.status;
            record
                .message
                .push_str("; kept the greedy/Shopify plan, cheaper than the solver's incumbent");
            warm
        }
        None => {
            record.status = Status::Fallback;
            record.message.push_str("; using the greedy plan");
            warm
        }
    }
}
