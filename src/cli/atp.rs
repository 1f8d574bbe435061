//! `domopt atp`: stock available to promise by node and network.

use std::process::ExitCode;

use domopt::promising::{AtpQueryRecord, Promiser, query};

use super::common::{ScenarioArgs, print_report};
use super::{EXIT_INVALID, EXIT_OK};

/// Stock available to promise per node and over the network, for a date and
/// a channel.
///
/// At a node: on hand, less reserved and safety stock, plus an inbound
/// receipt once it has arrived by the date. A channel sees that less the
/// units buffers keep for other channels; a channel with a network share may
/// be promised at most that share of the network's stock. The network
/// figures add the nodes that ship to customers (in `--market` if given).
///
/// Examples:
///   domopt atp datasets/promise/network.json --sku jacket --sku pants
///   domopt atp datasets/promise/network.json --sku jacket --channel marketplace --date 2026-12-18 --json
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// A SKU id (repeatable).
    #[arg(long = "sku", required = true)]
    skus: Vec<String>,
    /// The date, YYYY-MM-DD (default: the scenario's wave date).
    #[arg(long)]
    date: Option<String>,
    /// The channel asking (default: the default channel).
    #[arg(long)]
    channel: Option<String>,
    /// Only nodes of this market.
    #[arg(long)]
    market: Option<String>,
    /// Print the answer as JSON on stdout.
    #[arg(long)]
    json: bool,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let s = match a.scenario.load(a.json) {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let promiser = Promiser::new(&s);
    let record = AtpQueryRecord {
        skus: a.skus,
        date: a.date,
        channel: a.channel,
        market: a.market,
    };
    let q = match promiser.validator().query(&record) {
        Ok(q) => q,
        Err(report) => {
            print_report(&report, a.json);
            return Ok(ExitCode::from(EXIT_INVALID));
        }
    };
    let answers = query(promiser.availability(), &q);
    if a.json {
        println!("{}", serde_json::to_string_pretty(&answers)?);
        return Ok(ExitCode::from(EXIT_OK));
    }
    for sku in &answers {
        let n = &sku.network;
        let cap = n.cap.map_or(String::new(), |c| format!(", cap {c}"));
        println!(
            "{} on {}: network {} available (atp {}, channel view {}{cap})",
            sku.sku, sku.date, n.available, n.atp, n.channel_atp
        );
        for node in &sku.nodes {
            println!(
                "  {:<16} {:<8} {:<4} atp {:>6}  available {:>6}",
                node.node, node.kind, node.market, node.atp, node.available
            );
        }
    }
    Ok(ExitCode::from(EXIT_OK))
}
