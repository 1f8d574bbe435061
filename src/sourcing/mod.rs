//! Sourcing and splitting: which node ships what, in how many packages. The
//! optimiser (the MIP formulation and its decomposition) and the rule-based
//! baselines, behind one choice of [`Strategy`].

pub mod baselines;
pub mod bindable;
pub mod decompose;
pub mod formulation;
pub mod order_opt;
mod strategy;

pub use crate::input::settings::{Strategy, UnknownStrategy};
pub use strategy::{lp_bound, run, run_with_progress};
