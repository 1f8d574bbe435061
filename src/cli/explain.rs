//! `domopt explain`: why a plan ships an order the way it does.

use std::path::PathBuf;
use std::process::ExitCode;

use domopt::explaining::{Request, explain};
use domopt::{DomoptError, Plan, Settings};

use super::EXIT_OK;
use super::common::{ScenarioArgs, report_error};

/// Explain one order of a plan: why this node and service.
///
/// Lists what each candidate node and service would cost the order as one
/// package and whose units or capacity it would take from the plan; the
/// stock and capacity rows the order could use that bind, with their shadow
/// prices from the LP relaxation; and what-ifs that force the order onto a
/// node (at least one package from it) or forbid a node, each re-solving
/// the order with the orders competing for the same stock and capacity
/// (every other order keeps its packages) and reporting the cost
/// difference and the orders it moves. Without --force or --forbid it
/// forbids each node the order ships from and forces its cheapest other
/// node. --whole-wave re-solves every order instead (exact, slow on a
/// large wave).
///
/// Examples:
///   domopt solve datasets/reroute/wave --out wave-plan/
///   domopt explain datasets/reroute/wave wave-plan/ --order O0000010
///   domopt explain datasets/reroute/wave wave-plan/ --order O0000010 --force ST-0003-Chicago --forbid DC-ONT6 --json
///   domopt explain datasets/reroute/wave wave-plan/ --order O0000010 --whole-wave
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// The plan: plan.json or the folder `solve --out` wrote.
    plan: PathBuf,
    /// The order to explain.
    #[arg(long)]
    order: String,
    /// Re-solve with the order shipping at least one package from NODE (repeatable).
    #[arg(long, value_name = "NODE")]
    force: Vec<String>,
    /// Re-solve with the order shipping nothing from NODE (repeatable).
    #[arg(long, value_name = "NODE")]
    forbid: Vec<String>,
    /// Re-solve every order of the wave in the what-ifs, not only the
    /// order's competitors.
    #[arg(long)]
    whole_wave: bool,
    /// Solver time limit in seconds for each re-solve.
    #[arg(long, default_value_t = Settings::default().time_limit_s)]
    time_limit: f64,
    /// Print the explanation as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    match explain_order(&a) {
        Ok(code) => Ok(code),
        Err(e) => Ok(report_error(&e, a.json)),
    }
}

fn explain_order(a: &Args) -> Result<ExitCode, DomoptError> {
    let inputs = a.scenario.inputs()?;
    let plan = Plan::read(&a.plan)?;
    let settings = Settings {
        time_limit_s: a.time_limit,
        ..Settings::default()
    };
    settings.validate()?;
    let request = Request {
        order: a.order.clone(),
        force: a.force.clone(),
        forbid: a.forbid.clone(),
        whole_wave: a.whole_wave,
    };
    let e = explain(
        &inputs.loaded,
        &inputs.model,
        &inputs.overrides,
        &plan,
        &request,
        &settings,
    )?;
    if a.json {
        let text =
            serde_json::to_string_pretty(&e).map_err(|e| DomoptError::NoPlan(e.to_string()))?;
        println!("{text}");
    } else {
        print!("{e}");
    }
    Ok(ExitCode::from(EXIT_OK))
}
