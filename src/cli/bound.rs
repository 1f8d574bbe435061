//! `domopt bound`: a lower bound valid for the whole wave.

use std::process::ExitCode;

use domopt::Settings;

use super::common::ScenarioArgs;
use super::{EXIT_NO_PLAN, EXIT_OK};

/// Print the LP relaxation bound of the full model (exact candidates).
///
/// No plan of any strategy can cost less; `domopt bench` uses it to give
/// every strategy a gap that is a proof, not an estimate.
///
/// Examples:
///   domopt bound datasets/seed-example/two-shipments.json
///   domopt generate --preset peak-m --seed 1 --out target/gen/peak-m
///   domopt bound target/gen/peak-m --json --time-limit 300
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// Time limit for the LP in seconds.
    #[arg(long, default_value_t = Settings::default().time_limit_s)]
    time_limit: f64,
    /// Solver threads.
    #[arg(long, default_value_t = Settings::default().threads)]
    threads: u32,
    /// Print `{"lp_bound": .., "time_s": ..}` as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let scenario = match a.scenario.load(a.json) {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let settings = Settings {
        time_limit_s: a.time_limit,
        threads: a.threads,
        ..Settings::default()
    };
    let t = std::time::Instant::now();
    let bound = domopt::lp_bound(&scenario, &settings);
    let time_s = t.elapsed().as_secs_f64();
    if a.json {
        println!(
            "{}",
            serde_json::json!({ "lp_bound": bound, "time_s": time_s })
        );
    } else {
        match bound {
            Some(b) => println!("LP bound {b:.4} ({time_s:.2}s)"),
            None => eprintln!(
                "domopt: the LP relaxation did not solve within {} s",
                a.time_limit
            ),
        }
    }
    Ok(ExitCode::from(if bound.is_some() {
        EXIT_OK
    } else {
        EXIT_NO_PLAN
    }))
}
