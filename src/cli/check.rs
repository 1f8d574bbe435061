//! `domopt check`: verify a plan against its scenario, independently.

use std::path::PathBuf;
use std::process::ExitCode;

use domopt::check_files;

use super::common::{ScenarioArgs, report_error};
use super::{EXIT_FAILURE, EXIT_OK};

/// Verify a plan: every number it reports, recomputed from the input alone.
///
/// Reads the scenario and cost model with the checker's own code
/// (availability, promised dates, ship and delivery dates, miles, zones and
/// costs are recomputed, not taken from the loader) and checks feasibility
/// (stock, capacity, coverage, one service per node, ship-complete, max
/// packages, pickup, store transfers: lane, destination store and pickup
/// orders only, markets, holiday deadlines); each shipment's dates,
/// promise, zone, miles and cost; backorders (line, SKU, units, penalty);
/// per-order summaries; every KPI; and the solve record (objective = plan
/// cost, bound <= objective, gap from the two, status consistent with them
/// and with the strategy). Given the folder `solve --out` wrote, also checks
/// that shipments.csv, backorders.csv and orders.csv agree row by row with
/// plan.json, and that each has the size and SHA-256 plan.json lists (so
/// files of two plans are never taken for one); a lone plan.json printed by
/// `solve --json` has no such list. Exit code 1 on any violation.
///
/// The plan must be checked against the scenario, cost model and --set values
/// it was made with. A re-plan (`domopt reroute --out`) is checked with
/// --replan-of PREVIOUS --events EVENTS: against the scenario with the
/// events applied, and picked and shipped packages of PREVIOUS verified
/// unmoved.
///
/// Examples:
///   domopt solve datasets/small/capacity-crunch.json --out plan/
///   domopt check datasets/small/capacity-crunch.json plan/
///   domopt solve datasets/jasin-sinha/items-2 --model jasin-sinha --json > plan.json
///   domopt check datasets/jasin-sinha/items-2 plan.json --model jasin-sinha --json
///   domopt solve datasets/reroute/wave --out wave-plan/
///   domopt reroute datasets/reroute/wave wave-plan/ datasets/reroute/outage.json --out wave-replan/
///   domopt check datasets/reroute/wave wave-replan/ --replan-of wave-plan/ --events datasets/reroute/outage.json
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// The plan: plan.json or the folder `solve --out` wrote.
    plan: PathBuf,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// The plan is a re-plan of this plan (plan.json or its folder) ...
    #[arg(long, value_name = "PREVIOUS", requires = "events")]
    replan_of: Option<PathBuf>,
    /// ... after these events (JSON, as given to `domopt reroute`).
    #[arg(long, value_name = "EVENTS", requires = "replan_of")]
    events: Option<PathBuf>,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    // Validation first, for its report; the checker then reads the input itself.
    if let Err(code) = a.scenario.load(a.json) {
        return Ok(code);
    }
    if let (Some(previous), Some(events)) = (&a.replan_of, &a.events) {
        return Ok(match check_replan(&a, previous, events) {
            Ok((report, plan)) => print_report(&a, &report, &plan)?,
            Err(e) => report_error(&e, a.json),
        });
    }
    let s = &a.scenario;
    let (report, plan, files) = match check_files(&s.scenario, &s.model, &s.set, &a.plan) {
        Ok(r) => r,
        Err(e) => return Ok(report_error(&e, a.json)),
    };
    if !files.manifest {
        eprintln!(
            "note: plan.json lists no files (printed by `solve --json`, or written by an older \
             domopt): the tables beside it, if any, were not verified"
        );
    } else if files.verified == 0 && files.problems.is_empty() {
        eprintln!(
            "note: none of the {} tables plan.json lists is beside it: they were not verified",
            files.listed
        );
    }
    print_report(&a, &report, &plan)
}

/// Prints the report; the exit code of its verdict.
fn print_report(
    a: &Args,
    report: &domopt::CheckReport,
    plan: &domopt::Plan,
) -> anyhow::Result<ExitCode> {
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        for v in &report.violations {
            println!("violation {}: {}: {}", v.kind, v.record, v.message);
        }
        println!(
            "{}: {} shipments, recomputed cost {:.2} (plan reports {:.2})",
            if report.ok() { "ok" } else { "FAILED" },
            report.shipments,
            report.recomputed.total,
            plan.kpis.cost.total
        );
    }
    Ok(ExitCode::from(if report.ok() {
        EXIT_OK
    } else {
        EXIT_FAILURE
    }))
}

/// A re-plan checked against the scenario with its events applied.
fn check_replan(
    a: &Args,
    previous: &std::path::Path,
    events: &std::path::Path,
) -> Result<(domopt::CheckReport, domopt::Plan), domopt::DomoptError> {
    let inputs = a.scenario.inputs()?;
    let previous = domopt::Plan::read(previous)?;
    let plan = domopt::Plan::read(&a.plan)?;
    let events = super::reroute::read_events(events)?;
    let report = domopt::rerouting::check_replan(
        &inputs.loaded,
        &inputs.model,
        &inputs.overrides,
        &previous,
        &events,
        &plan,
    )?;
    Ok((report, plan))
}
