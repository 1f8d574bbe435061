//! `domopt schema`: the JSON Schema of the scenario format.

use std::process::ExitCode;

use super::EXIT_OK;

/// Print the JSON Schema of the scenario file (generated from the types).
///
/// Examples:
///   domopt schema > docs/scenario.schema.json
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {}

pub fn run(_: Args) -> anyhow::Result<ExitCode> {
    println!(
        "{}",
        serde_json::to_string_pretty(&domopt::format::scenario_schema())?
    );
    Ok(ExitCode::from(EXIT_OK))
}
