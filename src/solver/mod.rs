//! The only module that touches the solver: hands a MIP to HiGHS with the
//! settings, reads back status, dual bound and the column values. What the
//! columns mean is the formulation's business (`sourcing::formulation`).

use good_lp::{SolverModel, highs};
use highs::HighsModelStatus;

use crate::input::settings::Settings;
use crate::solution::plan::Status;

mod error;
// The few HiGHS C calls the `highs` crate lacks: the one place that calls
// the HiGHS C API directly, and the only module that may use `unsafe`.
#[allow(unsafe_code)]
mod ffi;
mod master;
pub use error::SolverError;
pub(crate) use master::{Master, MasterColumn, MasterLp, MipRun};

/// A MIP as good_lp builds it: everything HiGHS is given.
pub struct MipModel {
    /// Variables.
    pub vars: good_lp::ProblemVariables,
    /// Objective to minimise.
    pub objective: good_lp::Expression,
    /// Rows.
    pub constraints: Vec<good_lp::Constraint>,
    /// Number of columns (good_lp numbers them in creation order).
    pub columns: usize,
}

/// What HiGHS returned.
#[derive(Debug, Clone)]
pub struct SolverOutcome {
    /// Our status.
    pub status: Status,
    /// Dual bound (valid lower bound), if any.
    pub best_bound: Option<f64>,
    /// The incumbent's column values, if any.
    pub values: Option<Vec<f64>>,
    /// Solver's words.
    pub message: String,
    /// Rows in the model.
    pub rows: usize,
}

/// How long past its time limit a solve waits for HiGHS before it gives up
/// on it: HiGHS checks its clock in most places, but not in all of its
/// presolve (its clique code ran minutes past the limit on a 20,000-order
/// wave).
pub const GRACE_S: f64 = 2.0;

/// Solves the formulation within `settings.time_limit_s` (from this call)
/// plus [`GRACE_S`].
///
/// HiGHS runs on a thread of its own, which gives it a task scheduler of its
/// own with `settings.threads` threads (HiGHS keeps one scheduler per calling
/// thread and refuses a second thread count on a thread that already ran an
/// instance with another one, such as the one-thread masters of column
/// generation). If HiGHS has not returned by the limit plus the grace, the
/// run is abandoned: the outcome is a `fallback` without a plan and the
/// thread is left to finish on its own (a process exits without waiting for
/// it; in a long-lived process it holds its memory until HiGHS returns).
pub fn solve(f: MipModel, settings: &Settings) -> SolverOutcome {
    let started = std::time::Instant::now();
    let rows = f.constraints.len();
    let deadline = started + std::time::Duration::from_secs_f64(settings.time_limit_s.min(1e9));
    let (tx, rx) = std::sync::mpsc::channel();
    let settings_in = settings.clone();
    let spawned = std::thread::Builder::new()
        .name("highs-mip".into())
        .spawn(move || {
            let out = solve_here(f, &settings_in, deadline);
            // The caller may have given up on us: nobody to tell then.
            let _ = tx.send(out);
        });
    if let Err(e) = spawned {
        return failed(format!("could not start the solver thread: {e}"), rows);
    }
    let wait = (deadline + std::time::Duration::from_secs_f64(GRACE_S))
        .saturating_duration_since(std::time::Instant::now());
    match rx.recv_timeout(wait) {
        Ok(out) => out,
        Err(_) => failed(
            format!(
                "HiGHS had not returned {GRACE_S} s after the time limit ({:.1} s in all): abandoned",
                started.elapsed().as_secs_f64()
            ),
            rows,
        ),
    }
}

/// Solves the formulation on this thread, HiGHS's clock set to end at `deadline`.
///
/// No starting solution is handed to HiGHS: with HiGHS 1.16 a start that is
/// feasible in the original space was seen to be valued differently in the
/// presolved space and returned, wrongly, as optimal (HiGHS values a start
/// in its presolved space, `HighsMipSolverData::checkAddSolution`). On the
/// current formulation that was not seen again, but starts did not pay: on
/// `domopt tune` over peak-s (commit 24be8ac, models/README.md "Tuning")
/// they left plans no better on two seeds of three and made HiGHS overrun
/// its limit past [`GRACE_S`] on 17 points of 45 against 1. Callers keep
/// the better of the solver's plan and their own instead.
fn solve_here(f: MipModel, settings: &Settings, deadline: std::time::Instant) -> SolverOutcome {
    let MipModel {
        vars,
        objective,
        constraints,
        columns,
    } = f;
    let rows = constraints.len();
    if columns == 0 {
        // A wave without orders: HiGHS gives a model without columns a
        // solution status the highs crate panics on, and there is nothing to decide.
        return SolverOutcome {
            status: Status::Optimal,
            best_bound: Some(0.0),
            values: Some(Vec::new()),
            message: "no columns: nothing to decide".into(),
            rows,
        };
    }
    let mut model = match highs_model(vars, objective, constraints, settings) {
        Ok(m) => m,
        Err(e) => return failed(e.to_string(), rows),
    };
    // Building the model took some of the time.
    let left = deadline.saturating_duration_since(std::time::Instant::now());
    model.set_option(&b"time_limit"[..], left.as_secs_f64().max(0.01));
    model.set_option(&b"mip_rel_gap"[..], settings.mip_rel_gap);
    model.set_option(&b"random_seed"[..], settings.seed as i32);

    let solved = match model.try_solve() {
        Ok(s) => s,
        Err(e) => return failed(format!("HiGHS failed: {e:?}"), rows),
    };
    let hs = solved.status();
    let has_solution = solved.primal_solution_status() == highs::HighsSolutionStatus::Feasible;
    let bound = solved
        .double_info_value(c"mip_dual_bound")
        .ok()
        .filter(|b| b.is_finite());
    let status = match hs {
        HighsModelStatus::Optimal => {
            let gap = solved.mip_gap();
            if gap.is_finite() && gap > 1e-4 {
                Status::GapLimit
            } else {
                Status::Optimal
            }
        }
        HighsModelStatus::ObjectiveBound | HighsModelStatus::ObjectiveTarget => Status::GapLimit,
        HighsModelStatus::ReachedTimeLimit
        | HighsModelStatus::ReachedIterationLimit
        | HighsModelStatus::ReachedSolutionLimit
        | HighsModelStatus::ReachedInterrupt
        | HighsModelStatus::ReachedMemoryLimit => Status::TimeLimit,
        HighsModelStatus::Infeasible | HighsModelStatus::UnboundedOrInfeasible => {
            Status::Infeasible
        }
        other => {
            return SolverOutcome {
                best_bound: bound,
                ..failed(format!("HiGHS status {other:?}"), rows)
            };
        }
    };
    if !has_solution {
        return SolverOutcome {
            status: if status == Status::Infeasible {
                Status::Infeasible
            } else {
                Status::Fallback
            },
            best_bound: bound,
            ..failed(
                format!("HiGHS stopped ({hs:?}) without a feasible plan"),
                rows,
            )
        };
    }
    let values = solved.get_solution().columns().to_vec();
    // For a pure LP (no integer columns) HiGHS reports no dual bound: the
    // optimum is its own bound.
    let best_bound = bound.or((status == Status::Optimal).then(|| solved.objective_value()));
    SolverOutcome {
        status,
        best_bound,
        values: Some(values),
        message: format!("HiGHS {hs:?}"),
        rows,
    }
}

/// Where `--solver-log` sends HiGHS's log: its console would be stdout.
pub(crate) const LOG_FILE: &str = "/dev/stderr";

/// The outcome of a MIP whose model could not be built within the time limit.
pub fn not_built() -> SolverOutcome {
    failed(
        "the model was not built within the time limit: HiGHS not started".into(),
        0,
    )
}

fn failed(message: String, rows: usize) -> SolverOutcome {
    SolverOutcome {
        status: Status::Fallback,
        best_bound: None,
        values: None,
        message,
        rows,
    }
}

/// Optimum of the LP relaxation (HiGHS `solve_relaxation`), if it solved to
/// optimality within the time limit.
pub fn lp_bound(f: MipModel, settings: &Settings) -> Option<f64> {
    lp_relaxation(f, settings).map(|lp| lp.objective)
}

/// The optimum of a MIP's LP relaxation with the duals of its rows.
#[derive(Debug, Clone)]
pub struct LpOptimum {
    /// Objective value.
    pub objective: f64,
    /// Dual of each row, in the order the rows were given (HiGHS's sign:
    /// `<= 0` on an active upper bound when minimising).
    pub row_duals: Vec<f64>,
}

/// Solves the LP relaxation of `f` (HiGHS `solve_relaxation`) and returns
/// its optimum with the row duals, if it solved to optimality within the
/// time limit. A model without columns has nothing to price: every dual 0.
pub fn lp_relaxation(f: MipModel, settings: &Settings) -> Option<LpOptimum> {
    let MipModel {
        vars,
        objective,
        constraints,
        columns,
    } = f;
    let rows = constraints.len();
    if columns == 0 {
        return Some(LpOptimum {
            objective: 0.0,
            row_duals: vec![0.0; rows],
        });
    }
    let mut model = highs_model(vars, objective, constraints, settings).ok()?;
    model.try_set_option(&b"solve_relaxation"[..], true).ok()?;
    let solved = model.try_solve().ok()?;
    if solved.status() != HighsModelStatus::Optimal {
        return None;
    }
    let row_duals = solved.get_solution().dual_rows().to_vec();
    // good_lp hands HiGHS one row per constraint, in order.
    (row_duals.len() == rows).then(|| LpOptimum {
        objective: solved.objective_value(),
        row_duals,
    })
}

/// The HiGHS model of a formulation with the options every solve shares: log,
/// time limit and threads.
fn highs_model(
    vars: good_lp::ProblemVariables,
    objective: good_lp::Expression,
    constraints: Vec<good_lp::Constraint>,
    settings: &Settings,
) -> Result<highs::Model, SolverError> {
    let mut problem = vars.minimise(objective).using(highs);
    for c in constraints {
        problem.add_constraint(c);
    }
    let mut model = problem
        .try_into_inner()
        .map_err(|e| SolverError::Refused(e.to_string()))?;
    if settings.solver_log {
        // HiGHS's console is stdout, which carries `--json`: log to stderr.
        model.set_option(&b"output_flag"[..], true);
        model.set_option(&b"log_to_console"[..], false);
        model.set_option(&b"log_file"[..], LOG_FILE);
    } else {
        model.make_quiet();
    }
    model.set_option(&b"time_limit"[..], settings.time_limit_s);
    model.set_option(&b"threads"[..], settings.threads as i32);
    Ok(model)
}
