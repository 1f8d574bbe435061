//! The `domopt` command line: a thin layer over the library.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("domopt: {e:#}");
            ExitCode::from(cli::EXIT_FAILURE)
        }
    }
}
