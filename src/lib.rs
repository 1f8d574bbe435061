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

pub mod error;
pub mod input;
pub mod network;
pub mod research;
pub mod solution;
pub mod solver;
pub mod sourcing;

pub use error::DomoptError;

use std::path::Path;

/// Reads, merges with the cost model (a preset name or a TOML path) and the
/// run's `key=value` overrides, and validates a scenario.
pub fn load_scenario(
    path: &Path,
    model: &str,
    overrides: &[String],
) -> Result<(network::domain::Scenario, input::validate::ValidationReport), DomoptError> {
    let loaded = input::format::read_scenario(path)?;
    let model = input::cost_model::CostModel::load(model)?;
    let run = input::format::PolicyOverrides::from_assignments(overrides)?;
    input::validate::build_scenario(&loaded, &model, &run).map_err(DomoptError::Invalid)
}
