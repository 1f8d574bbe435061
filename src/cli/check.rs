//! `domopt check`: verify a plan against its scenario, independently.

use std::path::PathBuf;
use std::process::ExitCode;

use domopt::check::check;
use domopt::plan::Plan;

use super::common::{ScenarioArgs, report_error};
use super::{EXIT_FAILURE, EXIT_OK};

/// Verify a plan: feasibility and every cost, recomputed from the input alone.
///
/// Checks stock, capacity, coverage (shipped + backordered = ordered),
/// one service per node, ship-complete, max packages, pickup, markets,
/// dates and holiday deadlines, and every cost component. Exit code 1 on
/// any violation or cost mismatch.
///
/// The plan must be checked against the scenario, cost model and --set values
/// it was made with.
///
/// Examples:
///   domopt solve datasets/small/capacity-crunch.json --out plan/
///   domopt check datasets/small/capacity-crunch.json plan/
///   domopt solve datasets/jasin-sinha/items-2 --model jasin-sinha --json > plan.json
///   domopt check datasets/jasin-sinha/items-2 plan.json --model jasin-sinha --json
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
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let scenario = match a.scenario.load(a.json) {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let plan = match Plan::read(&a.plan) {
        Ok(p) => p,
        Err(e) => return Ok(report_error(&e, a.json)),
    };
    let report = check(&scenario, &plan);
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
