//! `domopt validate`: report every problem of a scenario at once.

use std::process::ExitCode;

use super::EXIT_OK;
use super::common::{ScenarioArgs, print_report};

/// Check a scenario without solving it.
///
/// Every problem is reported at once, each with a stable code, the record,
/// the field and what to do. Exit code 2 if any error was found.
///
/// Codes E101..E117, E123..E129 and E131 (calendars, time zones, store
/// transfers, channels, a chosen service) and warnings W201..W203 are listed
/// in docs/format.md.
/// E117 marks a value above a stated limit: 1,000,000,000 units in any
/// quantity and in the whole wave, 366 days in any day count, 1e9 in any
/// cost, rate, penalty or weight, 1,000 lines per order; dates run from
/// 1900 to 9999 (E110). Files that cannot be read as their type get E100.
///
/// Examples:
///   domopt validate datasets/seed-example/two-shipments.json
///   domopt validate datasets/jasin-sinha/items-2 --model jasin-sinha --json
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// Print the report as JSON on stdout.
    #[arg(long)]
    json: bool,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let s = match domopt::load_scenario(&a.scenario.scenario, &a.scenario.model, &a.scenario.set) {
        Ok((s, report)) => {
            print_report(&report, a.json);
            s
        }
        Err(e) => return Ok(super::common::report_error(&e, a.json)),
    };
    if !a.json {
        let lines: usize = s.orders.iter().map(|o| o.lines.len()).sum();
        println!(
            "valid: {} nodes, {} SKUs, {} services, {} orders, {} lines, model {}",
            s.nodes.len(),
            s.skus.len(),
            // The built-in pickup and transfer are not counted.
            s.services.len() - 2,
            s.orders.len(),
            lines,
            s.model_name
        );
    }
    Ok(ExitCode::from(EXIT_OK))
}
