//! `domopt reroute`: re-plan a wave after events, moving as little as pays.

use std::path::PathBuf;
use std::process::ExitCode;

use domopt::rerouting::{EventsFile, Mode, reroute_with};
use domopt::reservations::{LedgerError, WaveCommit, WaveError};
use domopt::{DomoptError, Plan, Settings};

use super::common::{Inputs, ScenarioArgs, report_error, report_ledger_error, store_options};
use super::{EXIT_FAILURE, EXIT_OK};

/// Re-plan a wave after events: a node outage, a capacity drop, a short
/// pick or found stock, a suspended service, a cancelled order.
///
/// Only the orders the events touch, and those sharing with them a stock
/// or capacity row that can bind, are solved again, jointly (one MIP, or
/// column generation from 200 orders on); every other order keeps its
/// packages. Picked and shipped packages (listed with their
/// state in EVENTS) stay; moving a planned package costs the policy's
/// planned_move_penalty (default 1), a released one released_move_penalty
/// (default 10). The new plan is checked by the independent checker against
/// the scenario with the events applied, and picked and shipped packages
/// are verified unmoved. Prints what changed per order and why.
///
/// EVENTS (JSON, see docs/format.md "Re-plan events"):
///   {"shipments": [{"order": "o1", "node": "dc-a", "state": "picked"}],
///    "events": [{"type": "node_outage", "node": "dc-b",
///                "from": "2026-12-18T12:00", "to": "2026-12-19T23:59"}]}
///
/// Examples:
///   domopt solve datasets/reroute/wave --out plan/
///   domopt reroute datasets/reroute/wave plan/ datasets/reroute/outage.json --out replan/
///   domopt reroute datasets/reroute/wave plan/ datasets/reroute/outage.json --one-at-a-time
///   domopt solve datasets/reroute/holiday.json --out holiday-plan/
///   domopt reroute datasets/reroute/holiday.json holiday-plan/ datasets/reroute/holiday-missed.json --json --set planned_move_penalty=5
///
/// With --ledger URL --commit, a plan that `solve --ledger --commit` wrote
/// to the reservation ledger is re-planned there too: the orders whose
/// packages moved, or cancelled, release their reservations and reserve
/// their new packages (`reroute-SEQ:ORDER`), in one transaction; when the
/// ledger refuses (stock taken meanwhile) it exits 2 with the ledger's
/// code and writes nothing, to the ledger or --out:
///   domopt ledger init target/rr.db --scenario datasets/reroute/wave
///   domopt solve datasets/reroute/wave --ledger target/rr.db --commit --out plan/
///   domopt reroute datasets/reroute/wave plan/ datasets/reroute/outage.json --ledger target/rr.db --commit
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// The plan to re-make: plan.json or the folder `solve --out` wrote.
    plan: PathBuf,
    /// The events and shipment states (JSON).
    events: PathBuf,
    /// Write the new plan as a folder, like `solve --out`.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Solver time limit in seconds for the orders solved again.
    #[arg(long, default_value_t = Settings::default().time_limit_s)]
    time_limit: f64,
    /// Re-plan the touched orders one at a time, in order id order, each on
    /// what the ones before it left, as a rule cascade would (to compare
    /// with the joint re-plan).
    #[arg(long)]
    one_at_a_time: bool,
    /// Print the changes, the summary and the check as JSON.
    #[arg(long)]
    json: bool,
    /// The reservation ledger the plan was committed to (a path,
    /// sqlite:PATH or postgres://...); with --commit.
    #[arg(long, requires = "commit")]
    ledger: Option<String>,
    /// With --ledger: release the moved and cancelled orders' reservations
    /// and reserve their new packages, in one transaction.
    #[arg(long, requires = "ledger")]
    commit: bool,
    /// The ledger's clock, YYYY-MM-DDTHH:MM[:SS] in UTC (default: now).
    #[arg(long, value_name = "TIME", requires = "ledger")]
    at: Option<String>,
    /// With --ledger: how long to wait for the ledger's write lock or a
    /// connection, in seconds (then E147, exit 1; default 5).
    #[arg(
        long,
        value_name = "SECS",
        requires = "ledger",
        allow_hyphen_values = true
    )]
    store_timeout: Option<String>,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    match replan(&a) {
        Ok(code) => Ok(code),
        Err(Failed::Domopt(e)) => Ok(report_error(&e, a.json)),
        Err(Failed::Ledger(e)) => Ok(report_ledger_error(&e, a.json)),
    }
}

/// Why a re-plan stopped.
enum Failed {
    Domopt(DomoptError),
    Ledger(LedgerError),
}

impl From<DomoptError> for Failed {
    fn from(e: DomoptError) -> Self {
        Failed::Domopt(e)
    }
}

impl From<WaveError> for Failed {
    fn from(e: WaveError) -> Self {
        match e {
            WaveError::Scenario(e) => Failed::Domopt(e),
            WaveError::Ledger(e) => Failed::Ledger(e),
        }
    }
}

/// `--ledger --commit`: the re-plan's changes written to the ledger.
fn commit_to_ledger(
    a: &Args,
    r: &domopt::rerouting::Reroute,
    previous: &Plan,
    inputs: &Inputs,
) -> Result<Option<WaveCommit>, Failed> {
    let (Some(url), true) = (a.ledger.as_deref(), a.commit) else {
        return Ok(None);
    };
    let store = store_options(a.store_timeout.as_deref())?;
    let ledger = domopt::reservations::open_with(
        url,
        domopt::reservations::clock_at(a.at.as_deref())?,
        store,
    )
    .map_err(Failed::Ledger)?;
    Ok(Some(domopt::rerouting::commit(
        &*ledger,
        r,
        previous,
        &inputs.model,
        &inputs.overrides,
    )?))
}

fn replan(a: &Args) -> Result<ExitCode, Failed> {
    let inputs = a.scenario.inputs()?;
    let previous = Plan::read(&a.plan)?;
    let events = read_events(&a.events)?;
    let settings = Settings {
        time_limit_s: a.time_limit,
        ..Settings::default()
    };
    settings.validate()?;
    if let Some(dir) = &a.out {
        domopt::plan::check_out_dir(dir)?;
    }
    let mode = if a.one_at_a_time {
        Mode::OneAtATime
    } else {
        Mode::Joint
    };
    let r = reroute_with(
        &inputs.loaded,
        &inputs.model,
        &inputs.overrides,
        &previous,
        &events,
        &settings,
        mode,
    )?;
    let check = r.check(&previous, &inputs.model, &inputs.overrides)?;
    // A plan the checker refuses is not committed.
    let committed = if check.ok() {
        commit_to_ledger(a, &r, &previous, &inputs)?
    } else {
        None
    };
    if let Some(dir) = &a.out {
        r.plan.write_dir(dir)?;
    }
    if let Some(c) = &committed {
        eprintln!(
            "domopt: committed at version {}: {} reservation(s) made, {} replaced",
            c.seq,
            c.reserved.len(),
            c.released.len()
        );
    }
    if a.json {
        let ledger = committed.as_ref().map(|c| {
            serde_json::json!({ "seq": c.seq, "reserved": c.reserved, "released": c.released, "assigned": c.assigned })
        });
        let out = serde_json::json!({ "summary": r.summary, "orders": r.orders, "check": check, "ledger": ledger });
        println!(
            "{}",
            serde_json::to_string_pretty(&out)
                .map_err(|e| Failed::Domopt(DomoptError::NoPlan(e.to_string())))?
        );
    } else {
        print_changes(&r);
        for v in &check.violations {
            println!("violation {}: {}: {}", v.kind, v.record, v.message);
        }
        println!("check: {}", if check.ok() { "ok" } else { "FAILED" });
        if let Some(dir) = &a.out {
            println!("plan written to {}", dir.display());
        }
    }
    Ok(ExitCode::from(if check.ok() {
        EXIT_OK
    } else {
        EXIT_FAILURE
    }))
}

pub(super) fn read_events(path: &std::path::Path) -> Result<EventsFile, DomoptError> {
    let text = std::fs::read_to_string(path).map_err(|e| DomoptError::io(path, e))?;
    serde_json::from_str(&text).map_err(|e| DomoptError::Parse {
        path: path.to_path_buf(),
        detail: format!("line {}, column {}: {e}", e.line(), e.column()),
        source: None,
    })
}

fn print_changes(r: &domopt::rerouting::Reroute) {
    let s = &r.summary;
    println!(
        "re-planned {} orders ({} touched by the events, {} sharing their rows), {} cancelled, {} kept as planned",
        s.touched + s.coupled,
        s.touched,
        s.coupled,
        s.cancelled,
        s.kept
    );
    println!(
        "cost {:.2} -> {:.2}; {} packages moved, stability cost {:.2}; status {}",
        s.cost_before,
        s.cost_after,
        s.moved_packages,
        s.stability_cost,
        s.status.as_str()
    );
    for o in &r.orders {
        let changes: Vec<String> = o
            .changes
            .iter()
            .map(|c| {
                serde_json::to_value(c)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default()
            })
            .collect();
        let before: Vec<String> = o
            .before
            .iter()
            .map(|p| format!("{}/{}", p.node, p.service))
            .collect();
        let after: Vec<String> = o
            .after
            .iter()
            .map(|p| format!("{}/{}", p.node, p.service))
            .collect();
        println!(
            "order {}: {} ({}); [{}] -> [{}]; cost {:.2} -> {:.2}",
            o.order,
            changes.join(", "),
            o.reasons.join("; "),
            before.join(" "),
            after.join(" "),
            o.cost.0,
            o.cost.1
        );
    }
}
