//! `domopt returns`: route a batch of returned units.

use std::path::PathBuf;
use std::process::ExitCode;

use domopt::returns_routing::{ReturnsError, check_returns, load_batch, nearest_node, route};

use super::common::{ScenarioArgs, report_error};
use super::{EXIT_FAILURE, EXIT_NO_PLAN, EXIT_OK};

/// Route a batch of returns: for every unit, restock at a store, restock at
/// a DC, inspect first, liquidate or return to the vendor.
///
/// One batch optimisation (a min-cost flow solved with HiGHS's simplex)
/// maximises the value recovered less return shipping, restock handling and
/// inspection, within each node's returns and inspection capacity; a
/// restock that fills a node's backorders or forecast shortfall for the SKU
/// is worth more, up to that demand. A unit of unknown condition is always
/// inspected first. RETURNS is a JSON file of return requests, capacities,
/// demand and costs (docs/format.md, "Returns").
///
/// Prints a summary with the reason for each decision (or the result as
/// JSON with --json); with --out, writes returns.json and dispositions.csv
/// into a folder, all at once, as `solve --out` does. Every result is
/// re-verified by an independent checker before it is printed or written.
///
/// Exit codes: 0 routed; 1 an I/O failure, or the checker found a
/// violation (nothing written); 2 invalid scenario or returns file (every
/// issue with its code, E160-E169 for the returns file) or unusable --out
/// folder, nothing written; 3 the optimisation failed (E169).
///
/// Examples:
///   domopt returns datasets/returns/scenario.json datasets/returns/returns.json
///   domopt returns datasets/returns/scenario.json datasets/returns/returns.json --out returns-out/
///   domopt returns datasets/returns/scenario.json datasets/returns/returns.json --baseline
///   domopt returns datasets/returns/scenario.json datasets/returns/returns.json --json > returns.json
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// The returns file (JSON).
    returns: PathBuf,
    /// Folder to write returns.json and dispositions.csv into.
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// Print the result as JSON on stdout instead of the summary.
    #[arg(long)]
    json: bool,
    /// Route with the nearest-node baseline instead of the optimiser (each
    /// unit to the nearest node with room, its best disposition there).
    #[arg(long)]
    baseline: bool,
    /// Rows to list in the summary.
    #[arg(long, default_value_t = 20)]
    show: usize,
}

/// The validated scenario. Its warnings are about its orders and stock,
/// which routing returns does not read: they are counted, not listed.
fn scenario(args: &ScenarioArgs, json: bool) -> Result<domopt::Scenario, ExitCode> {
    match domopt::load_scenario(&args.scenario, &args.model, &args.set) {
        Ok((s, report)) => {
            let warnings = report.warnings().count();
            if warnings > 0 && !json {
                eprintln!(
                    "domopt: the scenario has {warnings} warning(s) (`domopt validate` lists them)"
                );
            }
            Ok(s)
        }
        Err(e) => Err(report_error(&e, json)),
    }
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    if let Some(dir) = &a.out
        && let Err(e) = domopt::plan::check_out_dir(dir)
    {
        return Ok(report_error(&e, a.json));
    }
    let scenario = match scenario(&a.scenario, a.json) {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let batch = match load_batch(&scenario, &a.returns) {
        Ok(b) => b,
        Err(e) => return Ok(report_error(&e, a.json)),
    };
    let plan = if a.baseline {
        nearest_node(&scenario, &batch)
    } else {
        match route(&scenario, &batch) {
            Ok(p) => p,
            Err(ReturnsError::Input(e)) => return Ok(report_error(&e, a.json)),
            Err(e) => {
                let code = e.code().map_or("", domopt::IssueCode::as_str);
                if a.json {
                    println!(
                        "{}",
                        serde_json::json!({ "code": code, "error": e.to_string() })
                    );
                }
                eprintln!("domopt: error {code}: {e}");
                return Ok(ExitCode::from(EXIT_NO_PLAN));
            }
        }
    };
    let check = check_returns(&scenario, &batch, &plan);
    if !check.ok() {
        for v in &check.violations {
            eprintln!("domopt: check: {v}");
        }
        eprintln!("domopt: the returns plan failed its check; nothing written");
        return Ok(ExitCode::from(EXIT_FAILURE));
    }
    if let Some(dir) = &a.out
        && let Err(e) = plan.write_dir(dir)
    {
        return Ok(report_error(&e, a.json));
    }
    if a.json {
        use std::io::Write;
        std::io::stdout().write_all(&plan.json_bytes()?)?;
    } else {
        plan.write_summary(&mut std::io::stdout(), a.show)?;
        println!("checked: {} rows, no violation", check.rows);
        if let Some(dir) = &a.out {
            println!("written to {}", dir.display());
        }
    }
    Ok(ExitCode::from(EXIT_OK))
}
