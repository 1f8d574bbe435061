//! Returns routing, the sixth decision: where each returned unit goes and
//! what happens to it there (restock at a store or a DC, inspection first,
//! liquidation or return to the vendor), decided for a whole batch at once
//! as a min-cost flow that maximises the value recovered less shipping,
//! handling and inspection within the nodes' capacities and demand.
//!
//! The returns file ([`format`]) is validated against the scenario
//! ([`validate`], codes E160-E169), routed ([`optimise`], or the
//! [`baseline`]), written ([`plan`]) and re-verified by an independent
//! checker ([`check`]). The math is in models/README.md, "Returns routing".

pub mod baseline;
pub mod check;
pub mod format;
pub mod model;
pub mod optimise;
pub mod plan;
pub mod validate;
pub mod value;

use std::path::Path;

use crate::error::{DomoptError, IssueCode};
use crate::network::domain::Scenario;

/// What routing a batch of returns can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ReturnsError {
    /// The returns file cannot be read (E121), parsed (E100) or is invalid
    /// (a report of every issue, E160-E169).
    #[error(transparent)]
    Input(#[from] DomoptError),
    /// The LP solver failed or returned a flow that is not whole (E169).
    #[error("the returns optimisation failed: {0}")]
    Solver(String),
}

impl ReturnsError {
    /// The stable code (`None` for a validation report: one per issue).
    pub fn code(&self) -> Option<IssueCode> {
        match self {
            ReturnsError::Input(e) => e.code(),
            ReturnsError::Solver(_) => Some(IssueCode::ReturnsSolverFailed),
        }
    }
}

/// Reads a returns file and validates it against the scenario.
pub fn load_batch(scenario: &Scenario, path: &Path) -> Result<model::ReturnsBatch, DomoptError> {
    let file = format::read_returns(path)?;
    validate::build_batch(scenario, &file).map_err(DomoptError::Invalid)
}

/// Routes a batch with the optimiser (default options).
pub fn route(
    scenario: &Scenario,
    batch: &model::ReturnsBatch,
) -> Result<plan::ReturnsPlan, ReturnsError> {
    optimise::optimise(scenario, batch, &optimise::OptimiseOptions::default())
}
