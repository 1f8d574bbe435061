//! The `domopt` command line: a thin layer over the library.

mod cli;

use std::process::ExitCode;

use clap::Parser;

/// A wave of millions of records allocates and frees tens of millions of
/// strings; glibc's allocator spent a quarter of a peak-xl load in malloc
/// and free, mimalloc a fraction of that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("domopt: {}", message(&e));
            ExitCode::from(cli::EXIT_FAILURE)
        }
    }
}

/// The error and its causes, `outer: inner: ...` as anyhow's `{:#}` prints
/// them, but ending at the first library error: its message already quotes
/// the cause it keeps as its source.
fn message(e: &anyhow::Error) -> String {
    let mut parts = Vec::new();
    for cause in e.chain() {
        parts.push(cause.to_string());
        if cause.is::<domopt::DomoptError>() {
            break;
        }
    }
    parts.join(": ")
}
