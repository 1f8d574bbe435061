//! Subcommands, one file each, and the exit codes they share.

mod atp;
mod bench;
mod bound;
mod check;
mod common;
mod explain;
mod generate;
mod ledger;
mod promise;
mod reroute;
mod returns;
mod schema;
mod serve;
mod simulate;
mod solve;
mod tune;
mod validate;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit code: a plan was written / the check passed.
pub const EXIT_OK: u8 = 0;
/// Exit code: the checker found violations, or an I/O failure.
pub const EXIT_FAILURE: u8 = 1;
/// Exit code: invalid input (scenario, model, settings, usage, or an `--out`
/// folder that cannot be written); nothing written.
pub const EXIT_INVALID: u8 = 2;
/// Exit code: no plan could be made.
pub const EXIT_NO_PLAN: u8 = 3;

/// domopt: distributed order management as optimisation.
///
/// Each wave of orders becomes one mixed-integer program (HiGHS) over
/// order x node x service packages, decoded into shipments, backorders and KPIs.
///
/// Exit codes: 0 plan written (or check passed), 1 check violations or I/O
/// failure, 2 invalid input or unusable --out folder (nothing written), 3 no
/// plan could be made.
#[derive(Debug, Parser)]
#[command(name = "domopt", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Solve(solve::Args),
    Check(check::Args),
    Validate(validate::Args),
    Schema(schema::Args),
    Generate(generate::Args),
    Bound(bound::Args),
    Bench(bench::Args),
    Promise(promise::Args),
    Atp(atp::Args),
    Serve(serve::Args),
    Ledger(ledger::Args),
    Hold(ledger::HoldArgs),
    Reserve(ledger::ReserveArgs),
    Assign(ledger::AssignArgs),
    Release(ledger::ReleaseArgs),
    Commit(ledger::CommitArgs),
    Receive(ledger::ReceiveArgs),
    Adjust(ledger::AdjustArgs),
    Reroute(reroute::Args),
    Returns(returns::Args),
    Explain(explain::Args),
    Tune(tune::Args),
    Simulate(simulate::Args),
}

/// Runs a subcommand.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Solve(a) => solve::run(a),
        Command::Check(a) => check::run(a),
        Command::Validate(a) => validate::run(a),
        Command::Schema(a) => schema::run(a),
        Command::Generate(a) => generate::run(a),
        Command::Bound(a) => bound::run(a),
        Command::Bench(a) => bench::run(a),
        Command::Promise(a) => promise::run(a),
        Command::Atp(a) => atp::run(a),
        Command::Serve(a) => serve::run(a),
        Command::Ledger(a) => ledger::run(a),
        Command::Hold(a) => ledger::hold(a),
        Command::Reserve(a) => ledger::reserve(a),
        Command::Assign(a) => ledger::assign(a),
        Command::Release(a) => ledger::release(a),
        Command::Commit(a) => ledger::commit(a),
        Command::Receive(a) => ledger::receive(a),
        Command::Adjust(a) => ledger::adjust(a),
        Command::Reroute(a) => reroute::run(a),
        Command::Returns(a) => returns::run(a),
        Command::Explain(a) => explain::run(a),
        Command::Tune(a) => tune::run(a),
        Command::Simulate(a) => simulate::run(a),
    }
}
