//! Research tools: the instance generator and the benchmark harness.

pub mod bench;
pub mod generate;
