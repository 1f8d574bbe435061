//! Baselines: the greedy router and the rule cascades commerce platforms use,
//! each routing orders one at a time.

pub mod greedy;
pub mod rules;
