//! What a solve produces and how it is verified: the packages a strategy
//! chooses ([`assignment`]) and the stock and capacity they leave
//! ([`remaining`]), decoding them into a plan and costing them ([`decode`]),
//! the gap to a bound ([`gap`]), the plan and its folder, and the independent
//! checker.

pub mod assignment;
pub mod check;
pub mod decode;
pub mod gap;
pub mod plan;
pub mod plan_dir;
#[cfg(feature = "columnar")]
pub mod plan_columns;
pub mod remaining;
