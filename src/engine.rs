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
use crate::network::Network;
use crate::plan::{PhaseTimes, Plan, SolveRecord, Status};
use crate::settings::Settings;
use crate::solve;

/// How a wave is routed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Strategy {
    /// The whole wave as one MIP (model.md), warm-started from the greedy plan.
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
    };
    let assignments = match strategy {
        Strategy::GreedyCost => greedy::greedy_cost(s, &cs),
        Strategy::Ranked => baseline::route_wave(s, &cs, Rule::Ranked),
        Strategy::Closest => baseline::route_wave(s, &cs, Rule::Closest),
        Strategy::Shopify => baseline::route_wave(s, &cs, Rule::Shopify),
        Strategy::Monolithic => monolithic(s, &cs, settings, &mut record, &mut phases),
    };
    let t = Instant::now();
    record.time_s = start.elapsed().as_secs_f64();
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

fn monolithic(
    s: &Scenario,
    cs: &CandidateSet,
    settings: &Settings,
    record: &mut SolveRecord,
    phases: &mut PhaseTimes,
) -> Vec<Assignment> {
    let t = Instant::now();
    // Warm start: the cheaper of the greedy and the Shopify-rule plans, so that
    // even a solve stopped early is no worse than either.
    let warm = [
        greedy::greedy_cost(s, cs),
        baseline::route_wave(s, cs, Rule::Shopify),
    ]
    .into_iter()
    .map(|a| (decode::plan_cost(s, cs, &a), a))
    .min_by(|x, y| x.0.total_cmp(&y.0))
    .map(|(_, a)| a)
    .expect("two plans");
    let f = formulation::build(s, cs);
    let start = f.start_values(s, cs, &warm);
    record.variables = f.columns;
    phases.build_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let out = solve::solve(f, settings, Some(start));
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
        Some(a) => {
            record.status = out.status;
            a
        }
        None => {
            record.status = Status::Fallback;
            record.message.push_str("; using the greedy plan");
            warm
        }
    }
}
