//! What a solve produces and how it is verified: decoding chosen packages into
//! a plan, the plan and its folder, and the independent checker.

pub mod check;
pub mod decode;
pub mod plan;
pub mod plan_dir;
