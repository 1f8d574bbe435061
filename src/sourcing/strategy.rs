//! One solve from scenario to plan: network, candidates, strategy, decoding,
//! with the time of each phase in the solve record.

use std::time::{Duration, Instant};

use crate::input::settings::{Settings, Strategy};
use crate::network::candidates::{self, CandidateSet};
use crate::network::domain::{NodeIdx, OrderIdx, Scenario, SkuIdx};
use crate::network::lanes::Network;
use crate::solution::assignment::Assignment;
use crate::solution::decode;
use crate::solution::plan::{
    Decomposition, DecompositionPhases, Neighbourhood, PhaseTimes, Plan, SolveRecord, Status,
};

use crate::sourcing::baselines::greedy;
use crate::sourcing::baselines::rules::{self, Rule};
use crate::sourcing::decompose;
use crate::sourcing::decompose::Coupling;
use crate::sourcing::formulation::{self, MipResult};

/// Routes a wave with a strategy.
pub fn run(s: &Scenario, settings: &Settings, strategy: Strategy) -> Plan {
    run_with_progress(s, settings, strategy, &|_| {})
}

/// Routes a wave with a strategy; `progress` hears a line per phase and per
/// round of the decomposition (for a terminal).
pub fn run_with_progress(
    s: &Scenario,
    settings: &Settings,
    strategy: Strategy,
    progress: &dyn Fn(&str),
) -> Plan {
    run_inner(s, settings, strategy, progress, &UnitPrices::default())
}

/// Extra cost per unit taken from a node's stock of a SKU: an opportunity
/// cost the objective sees but the plan does not pay.
pub type UnitPrices = rustc_hash::FxHashMap<(NodeIdx, SkuIdx), f64>;

/// Routes a wave with a strategy whose objective also charges `prices` per
/// unit taken from each (node, SKU). The plan reports what it truly costs
/// (the prices are not in it); the solver's bound was on the priced
/// objective, so the plan carries none and is `heuristic` for the true costs.
pub fn run_priced(s: &Scenario, settings: &Settings, strategy: Strategy, prices: &UnitPrices) -> Plan {
    let mut plan = run_inner(s, settings, strategy, &|_| {}, prices);
    if !prices.is_empty() {
        plan.solve.best_bound = None;
        plan.solve.gap = None;
        plan.solve.status = Status::Heuristic;
        plan.solve.priced_rows = Some(prices.len());
        plan.solve.message.push_str("; solved with opportunity prices on stock, bound not valid for the true costs");
    }
    plan
}

fn run_inner(
    s: &Scenario,
    settings: &Settings,
    strategy: Strategy,
    progress: &dyn Fn(&str),
    prices: &UnitPrices,
) -> Plan {
    let start = Instant::now();
    progress("candidates");
    let net = Network::build(s);
    let true_cs = candidates::generate(s, &net, settings.candidates);
    // The strategy routes on the priced candidates; decoding reads the true ones.
    let priced = (!prices.is_empty()).then(|| with_prices(s, &true_cs, prices));
    let cs = priced.as_ref().unwrap_or(&true_cs);
    progress(&format!("{} candidates", cs.candidates.len()));
    let mut phases = PhaseTimes {
        candidates_s: start.elapsed().as_secs_f64(),
        ..Default::default()
    };
    let mut record = SolveRecord::heuristic(strategy, cs.stats.clone());
    let mut regained: Option<CandidateSet> = None;
    let wave = Wave {
        s,
        net: &net,
        cs,
        settings,
        progress,
        started: start,
        may_regain: priced.is_none(),
        reserve_s: 0.0,
    };
    let assignments = match strategy {
        Strategy::GreedyCost => greedy::greedy_cost(s, cs),
        Strategy::Ranked => rules::route_wave(s, cs, Rule::Ranked),
        Strategy::Closest => rules::route_wave(s, cs, Rule::Closest),
        Strategy::Shopify => rules::route_wave(s, cs, Rule::Shopify),
        Strategy::Monolithic => monolithic(s, cs, settings, start, &mut record, &mut phases),
        Strategy::Auto | Strategy::Decompose => {
            let polish = strategy == Strategy::Auto;
            let (plan, larger) = decompose(&wave, &mut record, &mut phases, polish);
            regained = larger;
            plan
        }
    };
    let t = Instant::now();
    let decoded = regained.as_ref().unwrap_or(&true_cs);
    let mut plan = decode::assemble(s, decoded, &assignments, record);
    if cs.stats.pruned {
        settle_pruned(&mut plan.solve, settings);
    }
    phases.decode_s = t.elapsed().as_secs_f64();
    plan.solve.phases = phases;
    plan.solve.time_s = start.elapsed().as_secs_f64();
    plan.solve.peak_memory_mb = crate::solution::plan::peak_memory_mb();
    // Freeing the candidates (a million small vectors on peak-m) takes a
    // tenth of a second that the plan need not wait for.
    std::thread::spawn(move || drop((true_cs, priced, regained, net)));
    plan
}

/// The candidates with each unit's cost raised by its (node, SKU) price.
fn with_prices(s: &Scenario, cs: &CandidateSet, prices: &UnitPrices) -> CandidateSet {
    let mut priced = cs.clone();
    for c in &mut priced.candidates {
        let order = &s.orders[c.order];
        for l in &mut c.lines {
            if let Some(p) = prices.get(&(c.node, order.lines[l.line].sku)) {
                l.cost.handling += p;
            }
        }
    }
    priced
}

/// A plan over pruned candidates is a heuristic plan unless its gap to the
/// bound valid for the whole wave (if any) proves it within the requested gap:
/// a solver's `optimal` over the kept candidates says nothing of the others.
fn settle_pruned(record: &mut SolveRecord, settings: &Settings) {
    if !matches!(
        record.status,
        Status::Optimal | Status::GapLimit | Status::Converged | Status::TimeLimit
    ) {
        return;
    }
    let before = record.status;
    record.status = match record.gap {
        Some(g) if g <= 1e-9 => Status::Optimal,
        Some(g) if g <= settings.mip_rel_gap => Status::GapLimit,
        _ => Status::Heuristic,
    };
    if record.status != before {
        record.message.push_str(&format!(
            "; candidates pruned: {} over the kept candidates, {} against the wave's bound",
            before.as_str(),
            record.status.as_str()
        ));
    }
}

/// The LP relaxation's optimum of the full model (exact candidates): a lower
/// bound valid for the whole wave, whatever strategy made the plan.
pub fn lp_bound(s: &Scenario, settings: &Settings) -> Option<f64> {
    let net = Network::build(s);
    let exact = Settings {
        candidates: crate::input::settings::CandidateMode::Exact,
        ..settings.clone()
    };
    let cs = candidates::generate(s, &net, exact.candidates);
    formulation::build(s, &cs).lp_bound(&exact)
}

/// Waves with at most this many candidates are polished by the MIP in `auto`.
const POLISH_MAX_CANDIDATES: usize = 30_000;

/// What a decomposing run works on.
#[derive(Clone, Copy)]
struct Wave<'a> {
    s: &'a Scenario,
    net: &'a Network,
    cs: &'a CandidateSet,
    settings: &'a Settings,
    progress: &'a dyn Fn(&str),
    /// Start of the run: the time limit counts from here.
    started: Instant,
    /// Whether `cs` are the candidates decoding reads, so that a run may
    /// route over a larger set it makes (not under unit prices, which
    /// route over a priced copy).
    may_regain: bool,
    /// Seconds at the end of the time limit kept for a step after this
    /// wave's run ([`fill_unfilled`]).
    reserve_s: f64,
}

impl Wave<'_> {
    /// Seconds left of the time limit, which counts from the start of the
    /// run, less the reserve.
    fn left(&self) -> f64 {
        (self.settings.time_limit_s - self.reserve_s - self.started.elapsed().as_secs_f64()).max(0.0)
    }
}

/// The best plan of a decomposing run so far, its cost, the best bound, and
/// the status of the last MIP whose plan or proof counts for the wave.
struct Incumbent {
    plan: Vec<Assignment>,
    cost: f64,
    bound: f64,
    solver_status: Option<Status>,
}

impl Incumbent {
    fn gap(&self) -> f64 {
        decode::relative_gap(self.cost, self.bound)
    }
}

/// Routes a wave by decomposition. A wave priced by the ascent over pruned
/// candidates is routed twice over (see [`regain_pruned`]): the plan then
/// indexes the larger candidate set returned beside it.
fn decompose(
    wave: &Wave,
    record: &mut SolveRecord,
    phases: &mut PhaseTimes,
    polish: bool,
) -> (Vec<Assignment>, Option<CandidateSet>) {
    let (s, cs) = (wave.s, wave.cs);
    let t = Instant::now();
    // The start plan and the coupling rows do not depend on each other. The
    // start is the greedy plan alone: column generation soon beats both
    // routers, and on peak-l the Shopify router beside it doubled this phase.
    let (warm, cp) = rayon::join(|| greedy::greedy_cost(s, cs), || Coupling::new(s, cs));
    phases.build_s = t.elapsed().as_secs_f64();
    let coupled = cp.order_rows.iter().filter(|r| !r.is_empty()).count();
    if !(cs.stats.pruned && wave.may_regain && coupled >= decompose::ASCENT_ORDERS) {
        return (decompose_over(wave, warm, cp, None, record, phases, polish), None);
    }
    let regained = match regain_pruned(wave, warm, cp, phases) {
        Ok(regained) => regained,
        Err(start) => {
            let (warm, cp) = *start;
            return (decompose_over(wave, warm, cp, None, record, phases, polish), None);
        }
    };
    let larger = Wave {
        cs: &regained.cs,
        reserve_s: FILL_SHARE * wave.settings.time_limit_s,
        ..*wave
    };
    let t = Instant::now();
    let (warm, cp) = rayon::join(
        || greedy::greedy_cost(s, larger.cs),
        || Coupling::new(s, larger.cs),
    );
    phases.build_s += t.elapsed().as_secs_f64();
    let plan = decompose_over(&larger, warm, cp, Some(&regained), record, phases, polish);
    let Regained { cs: larger, rebuild, .. } = regained;
    let (larger, plan) = fill_unfilled(wave, larger, plan, rebuild, record, phases);
    record.candidates = larger.stats.clone();
    (plan, Some(larger))
}

/// Share of the time limit the run over the larger set leaves for
/// [`fill_unfilled`] (43 s of 540 on peak-xl, where the two gained 0.14-0.36M
/// in about 30 s, and the neighbourhoods before them about 2,000 a second).
const FILL_SHARE: f64 = 0.08;

/// Package slots are exchanged at the nodes out of capacity
/// ([`decompose::exchange::exchange_slots`]), then the orders of `plan`
/// with units unfilled get the pruned candidates at the nodes that still
/// hold them and are re-solved
/// ([`decompose::polish::fill_from_every_candidate`]), then slots are
/// exchanged again; the record follows the plan.
fn fill_unfilled(
    wave: &Wave,
    cs: CandidateSet,
    plan: Vec<Assignment>,
    rebuild: Duration,
    record: &mut SolveRecord,
    phases: &mut PhaseTimes,
) -> (CandidateSet, Vec<Assignment>) {
    let s = wave.s;
    let t = Instant::now();
    let before = decode::plan_cost(s, &cs, &plan);
    let deadline = run_deadline(wave.started, wave.settings);
    // Exchanges first: they need no candidate the set lacks, and the fill's
    // rebuild of the set may not fit in what is left.
    let (plan, first) = decompose::exchange::exchange_slots(s, &cs, plan, deadline);
    (wave.progress)(&format!(
        "plan {:.2} ({first} package slots exchanged at full nodes)",
        decode::plan_cost(s, &cs, &plan)
    ));
    let (cs, plan, given) = decompose::polish::fill_from_every_candidate(s, wave.net, cs, plan, rebuild, deadline, wave.progress);
    (wave.progress)(&format!(
        "plan {:.2} ({given} orders with units unfilled given the pruned candidates at nodes with stock left)",
        decode::plan_cost(s, &cs, &plan)
    ));
    let (plan, second) = decompose::exchange::exchange_slots(s, &cs, plan, deadline);
    let exchanged = first + second;
    let cost = decode::plan_cost(s, &cs, &plan);
    phases.solve_s += t.elapsed().as_secs_f64();
    (wave.progress)(&format!("plan {cost:.2} ({second} more package slots exchanged)"));
    record.objective = Some(cost);
    let closed = record
        .best_bound
        .is_some_and(|b| decode::relative_gap(cost, b) <= wave.settings.mip_rel_gap);
    if closed && matches!(record.status, Status::Heuristic | Status::TimeLimit) {
        record.status = Status::GapLimit;
    }
    record.message.push_str(&format!(
        "; {given} orders with units unfilled given the pruned candidates at nodes with stock left, {exchanged} package slots exchanged at full nodes ({before:.2} before)"
    ));
    (cs, plan)
}

/// Share of the time left after the build that the ascent over the pruned
/// candidates may use before the pass over every candidate.
const REGAIN_ASCENT_SHARE: f64 = 0.25;

/// Steps of the ascent over the larger set, from the prices found over the
/// pruned one, before the auction.
const REGAINED_STEPS: usize = 3;

/// What a run over pruned candidates regained from the pruned ones.
struct Regained {
    /// The kept candidates plus the pruned ones that some order's best plan
    /// at the ascent's prices uses.
    cs: CandidateSet,
    /// Those prices.
    prices: decompose::AscentPrices,
    /// The bound over every candidate at them.
    bound: decompose::bound::WaveBound,
    /// Orders given candidates back, and how many.
    orders: usize,
    added: usize,
    /// Seconds of the pass.
    pass_s: f64,
    /// How long making the larger set took: what the fill's rebuild of it
    /// is expected to take on this machine.
    rebuild: Duration,
}

/// Prices the pruned candidates back in: an ascent over the kept ones, then
/// the pass over every candidate at its best prices. That pass gives the
/// wave's bound, and it finds the orders whose best plan there uses pruned
/// candidates (15 % of peak-xl's orders, and the bound over every candidate
/// 1.9 % below the one over the kept: their nodes' stock had no price
/// because no kept candidate used it). The plan is then made over the kept
/// candidates plus those. If the ascent failed, the start plan and the
/// coupling rows are given back for the run over the kept candidates.
fn regain_pruned(
    wave: &Wave,
    warm: Vec<Assignment>,
    cp: Coupling,
    phases: &mut PhaseTimes,
) -> Result<Regained, Box<(Vec<Assignment>, Coupling)>> {
    let (s, cs, settings) = (wave.s, wave.cs, wave.settings);
    let limits = decompose::Limits {
        target_gap: settings.mip_rel_gap,
        time_limit_s: REGAIN_ASCENT_SHARE * wave.left(),
        max_iterations: 1_000,
        ascent_orders: decompose::ASCENT_ORDERS,
    };
    let t = Instant::now();
    // The ascent takes its own copy of the start (a million assignments are
    // tens of MB), so that both can be given back if it fails.
    let Ok(prices) = decompose::ascent_prices(s, cs, &cp, warm.clone(), limits, settings, wave.progress) else {
        return Err(Box::new((warm, cp)));
    };
    drop((warm, cp));
    phases.solve_s += t.elapsed().as_secs_f64();
    (wave.progress)("bound over every candidate");
    let t = Instant::now();
    let pass = decompose::bound_and_pruned_used(s, wave.net, cs, &prices.prices, wave.progress);
    let orders = pass.pruned_used.len();
    let added = pass.pruned_used.iter().map(|(_, c)| c.len()).sum();
    let copied = Instant::now();
    let larger = cs.with_added(pass.pruned_used);
    let rebuild = copied.elapsed();
    let pass_s = t.elapsed().as_secs_f64();
    phases.solve_s += pass_s;
    (wave.progress)(&format!(
        "{added} pruned candidates given back to {orders} orders, bound {:.2}",
        pass.bound.value
    ));
    Ok(Regained {
        cs: larger,
        prices,
        bound: pass.bound,
        orders,
        added,
        pass_s,
        rebuild,
    })
}

/// Routes a wave by decomposition over `wave.cs` from the greedy plan
/// `warm`, with its coupling rows `cp`; `regained` if the candidates are a
/// pruned set given some back, whose ascent starts from its prices and whose
/// bound is its pass's.
fn decompose_over(
    wave: &Wave,
    warm: Vec<Assignment>,
    cp: Coupling,
    regained: Option<&Regained>,
    record: &mut SolveRecord,
    phases: &mut PhaseTimes,
    polish: bool,
) -> Vec<Assignment> {
    let (s, cs, settings) = (wave.s, wave.cs, wave.settings);
    let t = Instant::now();
    // A wave small enough for the full MIP gives the decomposition a third of
    // the time and the MIP the rest (its bound can prove optimality); on
    // bigger waves the MIP is too slow to pay, so the decomposition gets all.
    let full = cs.candidates.len() <= POLISH_MAX_CANDIDATES;
    let budget = if polish && full {
        wave.left() / 3.0
    } else {
        wave.left()
    };
    let limits = decompose::Limits {
        target_gap: settings.mip_rel_gap,
        time_limit_s: budget,
        max_iterations: if regained.is_some() { REGAINED_STEPS } else { 1_000 },
        ascent_orders: decompose::ASCENT_ORDERS,
    };
    let from = regained.map(|r| &r.prices.prices);
    let mut out = match decompose::solve_from(s, cs, &cp, warm.clone(), limits, settings, from, wave.progress) {
        Ok(out) => out,
        Err(e) => {
            // The master's solver failed: the rule-based start, flagged.
            phases.solve_s += t.elapsed().as_secs_f64();
            record.status = Status::Fallback;
            record.objective = Some(decode::plan_cost(s, cs, &warm));
            record.message = format!("column generation failed ({e}); using the greedy plan");
            return warm;
        }
    };
    phases.solve_s += t.elapsed().as_secs_f64();
    record.objective = Some(out.cost);
    record.message = outcome_message(&out, regained);
    let mut decomposition = decomposition_record(&out);
    let mut best = Incumbent {
        plan: std::mem::take(&mut out.assignments),
        cost: out.cost,
        bound: out.bound,
        solver_status: None,
    };
    if !out.inexact.is_empty() && best.gap() > settings.mip_rel_gap && wave.left() > 0.05 {
        decomposition.large_orders_mip = true;
        let share_all = !(polish && full) || out.inexact.len() == s.orders.len();
        large_orders_mip(wave, &out.inexact, share_all, &mut best, record, phases);
    }
    if polish && full && best.gap() > settings.mip_rel_gap && wave.left() > 0.5 {
        decomposition.mip_polish = true;
        full_mip(wave, &mut best, record, phases);
    }
    let hit_limit = wave.left() <= 0.01 * settings.time_limit_s;
    if let Some(r) = regained {
        best.bound = r.bound.value;
        decomposition.ascent_steps += r.prices.steps;
        decomposition.inexact_orders = decomposition.inexact_orders.max(r.bound.inexact);
        decomposition.lagrangian_bound = Some(r.bound.value);
        decomposition.phases.exact_bound_s = r.pass_s;
        record.message.push_str(&format!(
            "; the bound over every candidate at {} ({:.2} over the kept ones)",
            r.bound.source, r.prices.bound
        ));
    } else if cs.stats.pruned {
        // Bounds over the kept candidates say nothing of the ones pruned: the
        // wave's bound is the pass over every candidate at the best prices.
        (wave.progress)("bound over every candidate");
        let t = Instant::now();
        let b = decompose::exact_bound(s, wave.net, cs, &out.prices, wave.progress);
        best.bound = b.value;
        decomposition.phases.exact_bound_s = t.elapsed().as_secs_f64();
        phases.solve_s += decomposition.phases.exact_bound_s;
        decomposition.inexact_orders = decomposition.inexact_orders.max(b.inexact);
        decomposition.lagrangian_bound = Some(b.value);
        record.message.push_str(&format!("; the bound over every candidate at {}", b.source));
        if let Some(zero) = b.zero_prices {
            record.message.push_str(&format!(" ({zero:.2} at zero prices)"));
        }
    }
    record.best_bound = best.bound.is_finite().then_some(best.bound);
    record.status = decomposition_status(&best, &decomposition, hit_limit, settings);
    record.decomposition = Some(decomposition);
    best.plan
}

/// The status of a decomposing run: the last counting MIP's, or what the
/// gap, the pricing's exactness and the time say.
fn decomposition_status(
    best: &Incumbent,
    decomposition: &Decomposition,
    hit_limit: bool,
    settings: &Settings,
) -> Status {
    let gap = best.gap();
    match best.solver_status {
        Some(st) => st,
        None if gap <= 1e-9 => Status::Optimal,
        None if gap <= settings.mip_rel_gap => Status::GapLimit,
        // An order too large for the exact search was priced by its root
        // bound only: the master LP did not converge over every plan.
        None if decomposition.inexact_orders > 0 && !hit_limit => Status::Heuristic,
        None if decomposition.lp_converged && !hit_limit => Status::Converged,
        None => Status::TimeLimit,
    }
}

/// The solve record's words for a column-generation run.
fn outcome_message(out: &decompose::Outcome, regained: Option<&Regained>) -> String {
    let prices = if let Some(r) = regained {
        format!(
            "prices by an ascent (too many orders for the master LP) of {} steps over the pruned candidates, then {} over them and the {} pruned candidates given back to the {} orders whose best plan at its prices uses them",
            r.prices.steps, out.ascent_steps, r.added, r.orders
        )
    } else if out.ascent_steps > 0 {
        format!("prices by an ascent of {} steps (too many orders for the master LP)", out.ascent_steps)
    } else {
        format!("column generation: {} rounds", out.iterations)
    };
    let mut message = format!(
        "{prices}, {} columns, {} coupling rows, {} components (largest {} orders), {} independent orders{}",
        out.columns,
        out.rows,
        out.component_sizes.len(),
        out.component_sizes.first().copied().unwrap_or(0),
        out.independent_orders,
        if out.lp_converged {
            "; master LP converged"
        } else {
            ""
        }
    );
    if let Some(why) = &out.master_stopped {
        message.push_str(&format!("; master LP stopped: {why}"));
    }
    message
}

/// The solve record's account of a column-generation run.
fn decomposition_record(out: &decompose::Outcome) -> Decomposition {
    Decomposition {
        coupling_rows: out.rows,
        components: out.component_sizes.len(),
        largest_component: out.component_sizes.first().copied().unwrap_or(0),
        component_sizes: out.component_sizes.iter().take(10).copied().collect(),
        independent_orders: out.independent_orders,
        iterations: out.iterations,
        ascent_steps: out.ascent_steps,
        columns: out.columns,
        inexact_orders: out.inexact_orders,
        lagrangian_bound: out.bound.is_finite().then_some(out.bound),
        master_lp: out.lp_value,
        lp_converged: out.lp_converged,
        neighbourhoods: out
            .neighbourhoods
            .iter()
            .map(|&(free_orders, cost)| Neighbourhood { free_orders, cost })
            .collect(),
        phases: DecompositionPhases {
            coupling_s: out.phases.coupling_s,
            master_s: out.phases.master_s,
            pricing_s: out.phases.pricing_s,
            primal_s: out.phases.primal_s,
            exact_bound_s: 0.0,
        },
        mip_polish: false,
        large_orders_mip: false,
    }
}

/// Orders too large for the exact search get a MIP of their own over their
/// candidates, the other orders keeping their packages: all the time left
/// if `share_all`, else half (the full MIP is still to come in `auto`).
fn large_orders_mip(
    wave: &Wave,
    inexact: &[OrderIdx],
    share_all: bool,
    best: &mut Incumbent,
    record: &mut SolveRecord,
    phases: &mut PhaseTimes,
) {
    let (s, cs) = (wave.s, wave.cs);
    (wave.progress)("MIP of the large orders");
    let t = Instant::now();
    let whole = inexact.len() == s.orders.len();
    let mut free = vec![false; s.orders.len()];
    for &o in inexact {
        free[o.index()] = true;
    }
    let fixed: Vec<Assignment> = best
        .plan
        .iter()
        .filter(|a| !free[cs.candidates[a.candidate].order.index()])
        .cloned()
        .collect();
    let share = if share_all { 1.0 } else { 0.5 };
    let limit = (wave.left() * share).max(0.01);
    let until = Instant::now() + std::time::Duration::from_secs_f64(limit);
    let mip = match formulation::build_part(s, cs, inexact, &fixed, Some(until)) {
        Some(f) => {
            let limit = until
                .saturating_duration_since(Instant::now())
                .as_secs_f64();
            f.solve(&Settings {
                time_limit_s: limit.max(0.01),
                ..wave.settings.clone()
            })
        }
        None => MipResult::not_built(),
    };
    phases.solve_s += t.elapsed().as_secs_f64();
    if let Some(a) = mip.assignments {
        let mut candidate_plan = fixed;
        candidate_plan.extend(a);
        let c = decode::plan_cost(s, cs, &candidate_plan);
        if c < best.cost - 1e-9 {
            best.plan = candidate_plan;
            best.cost = c;
        }
        if whole {
            best.solver_status = Some(mip.status);
        }
    }
    // With every order free the MIP is the wave's: its bound counts.
    if whole && let Some(b) = mip.best_bound {
        best.bound = best.bound.max(b);
    }
    record.message.push_str(&format!(
        "; MIP of {} large order(s): {}",
        inexact.len(),
        mip.message
    ));
}

/// The full MIP with the time left: its plan replaces the decomposition's
/// only if cheaper, its bound counts too.
fn full_mip(wave: &Wave, best: &mut Incumbent, record: &mut SolveRecord, phases: &mut PhaseTimes) {
    let (s, cs) = (wave.s, wave.cs);
    (wave.progress)("full MIP");
    let t = Instant::now();
    let mip = match formulation::build_within(s, cs, run_deadline(wave.started, wave.settings)) {
        Some(f) => {
            record.variables = f.columns();
            f.solve(&Settings {
                time_limit_s: wave.left().max(0.01),
                ..wave.settings.clone()
            })
        }
        None => MipResult::not_built(),
    };
    phases.solve_s += t.elapsed().as_secs_f64();
    record.constraints = mip.rows;
    if let Some(a) = mip.assignments {
        let c = decode::plan_cost(s, cs, &a);
        if c <= best.cost + 1e-9 {
            best.plan = a;
            best.cost = c;
        }
        best.solver_status = Some(mip.status);
    }
    if let Some(b) = mip.best_bound {
        best.bound = best.bound.max(b);
    }
    record
        .message
        .push_str(&format!("; full MIP: {}", mip.message));
}

/// When a run that started at `started` must end.
fn run_deadline(started: Instant, settings: &Settings) -> Instant {
    started + std::time::Duration::from_secs_f64(settings.time_limit_s.min(1e9))
}

/// The cheaper of the greedy and the Shopify-rule plans: `monolithic`'s
/// start, so that even a solve stopped early is no worse than either.
fn warm_start(s: &Scenario, cs: &CandidateSet) -> Vec<Assignment> {
    // Both are sequential: one per core.
    let (greedy, shopify) = rayon::join(
        || greedy::greedy_cost(s, cs),
        || rules::route_wave(s, cs, Rule::Shopify),
    );
    [greedy, shopify]
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
    started: Instant,
    record: &mut SolveRecord,
    phases: &mut PhaseTimes,
) -> Vec<Assignment> {
    let t = Instant::now();
    let warm = warm_start(s, cs);
    // The time limit counts from the start of the run (candidates, start
    // plan and model building included).
    let built = formulation::build_within(s, cs, run_deadline(started, settings));
    phases.build_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let out = match built {
        Some(f) => {
            record.variables = f.columns();
            let left = settings.time_limit_s - started.elapsed().as_secs_f64();
            f.solve(&Settings {
                time_limit_s: left.max(0.01),
                ..settings.clone()
            })
        }
        None => MipResult::not_built(),
    };
    phases.solve_s = t.elapsed().as_secs_f64();
    record.constraints = out.rows;
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
