//! # domopt: distributed order management as optimisation
//!
//! Each wave of orders becomes one mixed-integer program over (order, node,
//! service) packages and their units, with shipping, handling, store, lateness,
//! split and unfilled costs, solved with HiGHS and decoded into a plan that an
//! independent checker re-verifies from the input.
//!
//! ```
//! use domopt::{load_scenario, engine::{run, Strategy}, settings::Settings, check::check};
//! let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/seed-example/two-shipments.json");
//! let (scenario, _warnings) = load_scenario(dir.as_ref(), "us-parcel", &[]).unwrap();
//! let plan = run(&scenario, &Settings::default(), Strategy::Monolithic);
//! assert_eq!(plan.shipments.len(), 2);
//! assert!(check(&scenario, &plan).ok());
//! ```
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod baseline;
pub mod bench;
pub mod calendar;
pub mod candidates;
pub mod check;
pub mod colgen;
pub mod cost_model;
pub mod coupling;
pub mod decode;
pub mod domain;
pub mod engine;
pub mod error;
pub mod format;
pub mod formulation;
pub mod generate;
pub mod geo;
pub mod greedy;
pub mod network;
pub mod order_opt;
pub mod plan;
pub mod plan_dir;
pub mod polish;
pub mod settings;
pub mod solve;
pub mod validate;

pub use error::DomoptError;

use std::path::Path;

/// Reads, merges with the cost model (a preset name or a TOML path) and the
/// run's `key=value` overrides, and validates a scenario.
pub fn load_scenario(
    path: &Path,
    model: &str,
    overrides: &[String],
) -> Result<(domain::Scenario, validate::ValidationReport), DomoptError> {
    let loaded = format::read_scenario(path)?;
    let model = cost_model::CostModel::load(model)?;
    let run = format::PolicyOverrides::from_assignments(overrides)?;
    validate::build_scenario(&loaded, &model, &run).map_err(DomoptError::Invalid)
}
