//! The one settings struct of a solve: limits, determinism and candidate mode.

use serde::{Deserialize, Serialize};

use crate::error::DomoptError;

pub use crate::network::candidates::CandidateMode;

/// How a wave is routed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Strategy {
    /// Column generation (Dantzig–Wolfe over per-order plans, exact pricing,
    /// neighbourhood MIPs); small waves are then polished by the full MIP.
    /// The default.
    Auto,
    /// Column generation only.
    Decompose,
    /// The whole wave as one MIP (model.md); the greedy/Shopify plan if the solver stops before beating it.
    Monolithic,
    /// Orders in arrival order, each at its myopic cheapest.
    GreedyCost,
    /// Static location priority list, each line top-down.
    Ranked,
    /// Nearest location first, each line top-down.
    Closest,
    /// Fewest packages, then in market, then nearest (Shopify's routing rules).
    Shopify,
}

impl Strategy {
    /// Every strategy with its name.
    pub const ALL: &'static [(Strategy, &'static str)] = &[
        (Strategy::Auto, "auto"),
        (Strategy::Decompose, "decompose"),
        (Strategy::Monolithic, "monolithic"),
        (Strategy::GreedyCost, "greedy-cost"),
        (Strategy::Ranked, "ranked"),
        (Strategy::Closest, "closest"),
        (Strategy::Shopify, "shopify"),
    ];

    /// The name on the command line and in a plan's solve record.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Auto => "auto",
            Strategy::Decompose => "decompose",
            Strategy::Monolithic => "monolithic",
            Strategy::GreedyCost => "greedy-cost",
            Strategy::Ranked => "ranked",
            Strategy::Closest => "closest",
            Strategy::Shopify => "shopify",
        }
    }
}

impl std::fmt::Display for Strategy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A strategy name that is not one of [`Strategy::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown strategy `{0}`: use one of {names}", names = Strategy::ALL.iter().map(|(_, n)| *n).collect::<Vec<_>>().join(", "))]
pub struct UnknownStrategy(pub String);

impl std::str::FromStr for Strategy {
    type Err = UnknownStrategy;

    fn from_str(name: &str) -> Result<Strategy, UnknownStrategy> {
        Strategy::ALL
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(s, _)| *s)
            .ok_or_else(|| UnknownStrategy(name.to_string()))
    }
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
    /// The longest time limit accepted, in seconds (about 11.6 days).
    pub const MAX_TIME_LIMIT_S: f64 = 1e6;
    /// The most solver threads accepted.
    pub const MAX_THREADS: u32 = 1024;
    /// The largest `pruned:K` accepted (more than any wave's nodes).
    pub const MAX_PRUNED_K: usize = 100_000;

    /// Checks every value's range.
    pub fn validate(&self) -> Result<(), DomoptError> {
        let bad = |field: &str, detail: &str| {
            Err(DomoptError::Settings {
                field: field.into(),
                detail: detail.into(),
            })
        };
        if !(self.time_limit_s.is_finite()
            && self.time_limit_s > 0.0
            && self.time_limit_s <= Self::MAX_TIME_LIMIT_S)
        {
            return bad(
                "time_limit_s",
                "must be a positive number of seconds, at most 1,000,000",
            );
        }
        if !(self.mip_rel_gap.is_finite() && (0.0..1.0).contains(&self.mip_rel_gap)) {
            return bad("mip_rel_gap", "must be in [0, 1)");
        }
        // HiGHS's random_seed is a non-negative C int.
        if i32::try_from(self.seed).is_err() {
            return bad("seed", "must be between 0 and 2,147,483,647");
        }
        if !(1..=Self::MAX_THREADS).contains(&self.threads) {
            return bad("threads", "must be between 1 and 1024");
        }
        if let CandidateMode::Pruned { k } = self.candidates
            && !(1..=Self::MAX_PRUNED_K).contains(&k)
        {
            return bad(
                "candidates",
                "pruned k must be between 1 and 100,000 (use `exact` for every node)",
            );
        }
        Ok(())
    }
}
