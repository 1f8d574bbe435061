//! Research tools: the instance generator and cost-model tuning. (The benchmark harness, which runs
//! the `domopt` executable and draws charts, is the CLI's `bench` subcommand.)

pub mod generate;
pub mod tune;
