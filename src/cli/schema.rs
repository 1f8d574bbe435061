//! `domopt schema`: the JSON Schema of the scenario format, or the OpenAPI
//! document of `domopt serve`.

use std::process::ExitCode;

use super::EXIT_OK;

/// Print the JSON Schema of the scenario file, or with --openapi the OpenAPI
/// document of `domopt serve` (both generated from the types).
///
/// Examples:
///   domopt schema > docs/scenario.schema.json
///   domopt schema --openapi > docs/openapi.json
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Print the OpenAPI document of the HTTP service instead.
    #[arg(long)]
    openapi: bool,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let document = if a.openapi {
        domopt::http::openapi_document()
    } else {
        domopt::format::scenario_schema()
    };
    println!("{}", serde_json::to_string_pretty(&document)?);
    Ok(ExitCode::from(EXIT_OK))
}
