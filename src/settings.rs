//! The one settings struct of a solve: limits, determinism and candidate mode.

use serde::{Deserialize, Serialize};

use crate::error::DomoptError;

/// Which (order, node, service) combinations get variables.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CandidateMode {
    /// Every eligible combination: the optimum is the model's optimum.
    Exact,
    /// Only the `k` cheapest nodes per order line: a heuristic, reported as such.
    Pruned {
        /// Nodes kept per line.
        k: usize,
    },
}

/// Solver settings with documented defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Wall-clock limit for the solver in seconds (default 60).
    pub time_limit_s: f64,
    /// Relative MIP gap at which the solver stops (default 1e-4).
    pub mip_rel_gap: f64,
    /// Solver threads (default 1, for repeatable runs).
    pub threads: u32,
    /// Random seed handed to the solver (default 42).
    pub seed: u32,
    /// Candidate generation mode (default exact).
    pub candidates: CandidateMode,
    /// Print the solver's own log on stderr (default off).
    #[serde(default)]
    pub solver_log: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            time_limit_s: 60.0,
            mip_rel_gap: 1e-4,
            threads: 1,
            seed: 42,
            candidates: CandidateMode::Exact,
            solver_log: false,
        }
    }
}

impl Settings {
    /// Checks every value's range.
    pub fn validate(&self) -> Result<(), DomoptError> {
        let bad = |field: &str, detail: &str| {
            Err(DomoptError::Settings {
                field: field.into(),
                detail: detail.into(),
            })
        };
        if !(self.time_limit_s.is_finite() && self.time_limit_s > 0.0) {
            return bad("time_limit_s", "must be a positive number of seconds");
        }
        if !(self.mip_rel_gap.is_finite() && (0.0..1.0).contains(&self.mip_rel_gap)) {
            return bad("mip_rel_gap", "must be in [0, 1)");
        }
        if self.threads == 0 {
            return bad("threads", "must be at least 1");
        }
        if let CandidateMode::Pruned { k } = self.candidates
            && k == 0
        {
            return bad("candidates", "pruned k must be at least 1");
        }
        Ok(())
    }
}
