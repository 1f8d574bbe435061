//! Research tools: the instance generator. (The benchmark harness, which runs
//! the `domopt` executable and draws charts, is the CLI's `bench` subcommand.)

pub mod generate;
