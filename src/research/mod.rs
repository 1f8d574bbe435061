//! Research tools: the instance generator, cost-model tuning and peak simulation. (The benchmark harness, which runs
//! the `domopt` executable and draws charts, is the CLI's `bench` subcommand.)

pub mod generate;
pub mod simulate;
pub mod tune;
