//! `domopt promise`: what may be promised for carts at checkout.

use std::path::PathBuf;
use std::process::ExitCode;

use domopt::promising::{Outcome, Promise, Promiser, read_carts};

use super::common::{ScenarioArgs, print_report, report_error};
use super::{EXIT_INVALID, EXIT_OK};

/// Quote carts at checkout: every service's earliest delivery, its cost,
/// the nodes that would ship and whether it splits, or why not.
///
/// A cart file holds one cart or {"carts": [...]}; each cart has `lines`
/// (sku, quantity), a destination (`zip`, or `lat` and `lon`), and optional
/// `market`, `channel`, `pickup_node` (adds the pickup option), `at` (when
/// it is quoted; default the scenario's wave time) and `deliver_by` (the
/// date it is needed by: later options are refused, holiday ship-by dates
/// apply). Dates and costs follow the optimiser's rules, so the wave keeps
/// what is promised. A promise is an estimate: nothing is reserved.
///
/// Unavailable options carry a reason: not_offered, no_stock_in_market,
/// channel_cap, capacity, holiday_deadline, cutoff_passed, too_late, no_date.
/// Bad carts are refused with codes (E102 unknown SKU or node, E103/E104
/// quantities, E109 no lines, E114 pickup node, E117 over 100 lines, E128
/// unknown channel), all at once; nothing is quoted half-way.
///
/// Examples:
///   domopt promise datasets/promise/network.json --cart datasets/promise/carts.json
///   domopt promise datasets/promise/network.json --cart datasets/promise/carts.json --json
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// The cart file (JSON).
    #[arg(long)]
    cart: PathBuf,
    /// Print the promises as JSON on stdout.
    #[arg(long)]
    json: bool,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let s = match a.scenario.load(a.json) {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let records = match read_carts(&a.cart) {
        Ok(r) => r,
        Err(e) => return Ok(report_error(&e, a.json)),
    };
    let promiser = Promiser::new(&s);
    let carts = match promiser.validator().carts(&records) {
        Ok(c) => c,
        Err(report) => {
            print_report(&report, a.json);
            return Ok(ExitCode::from(EXIT_INVALID));
        }
    };
    let promises: Vec<Promise> = carts.iter().map(|c| promiser.quote(c)).collect();
    if a.json {
        println!("{}", serde_json::to_string_pretty(&promises)?);
    } else {
        for p in &promises {
            print_promise(p);
        }
    }
    Ok(ExitCode::from(EXIT_OK))
}

fn print_promise(p: &Promise) {
    println!("cart {} (quoted {})", p.cart, p.at.format("%Y-%m-%d %H:%M"));
    for o in &p.options {
        match &o.outcome {
            Outcome::Available(offer) => {
                let nodes: Vec<&str> = offer.packages.iter().map(|k| k.node.as_str()).collect();
                println!(
                    "  {:<12} {}  {:>9.2}  {:<8} from {}",
                    o.service,
                    offer.delivery_date,
                    offer.cost,
                    if offer.ships_complete {
                        "complete"
                    } else {
                        "split"
                    },
                    nodes.join(", ")
                );
            }
            Outcome::Unavailable { reason, detail } => {
                let reason = serde_json::to_value(reason).unwrap_or_default();
                println!(
                    "  {:<12} unavailable: {} ({detail})",
                    o.service,
                    reason.as_str().unwrap_or("")
                );
            }
        }
    }
}
