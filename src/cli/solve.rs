//! `domopt solve`: route a wave and write the plan.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use domopt::Strategy;
use domopt::format::TableFormat;
use domopt::plan::Status;
use domopt::{CandidateMode, Settings};

use domopt::reservations::{WaveError, WaveInput, WaveOptions, solve_from_ledger};

use super::common::{
    Inputs, ScenarioArgs, parse_table_format, report_error, report_ledger_error, store_options,
};
use super::{EXIT_INVALID, EXIT_NO_PLAN, EXIT_OK};

/// Route a wave of orders and write the plan.
///
/// Prints a summary (or the plan as JSON with --json); with --out, writes
/// plan.json, shipments.csv, backorders.csv and orders.csv into a folder,
/// all at once (the folder holds the old plan or the new one at every
/// instant); plan.json lists the tables with their size and SHA-256. The
/// folder must be new, empty, or one `solve --out` wrote: this is checked
/// before solving.
/// A solver time-out still writes the best plan found, with status
/// time_limit and its gap. On a terminal, each phase and each pricing round
/// of the decomposition is logged with its time.
///
/// Strategies: auto (column generation; on waves of at most 30,000
/// candidates then the full MIP), decompose (column generation alone),
/// monolithic (one MIP), and the baselines greedy-cost, shopify, closest,
/// ranked.
///
/// Examples (my-wave/ is a scenario of yours, e.g. one `domopt generate` wrote;
/// the jasin-sinha model has only its own carrier service, `standard`, so it
/// needs a scenario whose nodes offer it, such as datasets/jasin-sinha/*):
///   domopt solve datasets/seed-example/two-shipments.json
///   domopt solve datasets/small/capacity-crunch.json --out plan/
///   domopt solve my-wave/ --set split_penalty=12 --time-limit 30
///   domopt solve my-wave/ --strategy greedy-cost --json > plan.json
///   domopt solve my-wave/ --out plan/ --tables parquet
///   domopt solve my-wave/ --gap 0.005 --time-limit 20    # stop at a proven 0.5 %
///   domopt solve datasets/jasin-sinha/items-2 --model jasin-sinha --set split_penalty=12
///
/// With --ledger the stock is the reservation ledger's (free units plus what
/// the wave's own orders hold or reserve), and --commit writes the plan to it
/// as node-level reservations in one transaction, all or nothing; a commit on
/// stock that changed after the read is refused (E150) and the wave solved
/// again (--retries):
///   domopt ledger init target/seed.db --scenario datasets/seed-example/two-shipments.json
///   domopt solve datasets/seed-example/two-shipments.json --ledger target/seed.db --commit
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// Strategy: auto (default), decompose, monolithic, greedy-cost, ranked, closest, shopify.
    #[arg(long, default_value = "auto")]
    strategy: String,
    /// Solver time limit in seconds.
    #[arg(long, default_value_t = Settings::default().time_limit_s)]
    time_limit: f64,
    /// Relative MIP gap at which to stop.
    #[arg(long, default_value_t = Settings::default().mip_rel_gap)]
    gap: f64,
    /// Solver threads.
    #[arg(long, default_value_t = Settings::default().threads)]
    threads: u32,
    /// Solver random seed (same input and seed give the same plan).
    #[arg(long, default_value_t = Settings::default().seed)]
    seed: u32,
    /// Candidates: `exact` (every eligible node) or `pruned:K` (K cheapest nodes per line among its 4K nearest, plus every node of the line without a capacity; a heuristic for the plan: `auto` and `decompose` then bound the wave by a pass over every candidate after the time limit).
    #[arg(long, default_value = "exact")]
    candidates: String,
    /// Folder to write plan.json and the tables (CSV, or Parquet with --tables) into.
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// Format of the --out tables: csv, or parquet (shipments.parquet,
    /// backorders.parquet, orders.parquet; same columns).
    #[arg(long, default_value = "csv", value_parser = parse_table_format, requires = "out")]
    tables: TableFormat,
    /// Print the plan as JSON on stdout instead of the summary.
    #[arg(long)]
    json: bool,
    /// Print HiGHS's log on stderr.
    #[arg(long)]
    solver_log: bool,
    /// Shipments to list in the summary.
    #[arg(long, default_value_t = 20)]
    show: usize,
    /// Read the stock from this reservation ledger (a path, sqlite:PATH or
    /// postgres://...) instead of the scenario's inventory: free units, plus
    /// what the wave's own orders hold or reserve.
    #[arg(long, value_name = "URL")]
    ledger: Option<String>,
    /// With --ledger: commit the plan as node-level reservations in one
    /// transaction, all or nothing (the wave's orders' holds and
    /// reservations are replaced; network-level reservations the plan
    /// fills exactly are assigned to its nodes).
    #[arg(long, requires = "ledger")]
    commit: bool,
    /// With --commit: solves again when the stock of the wave's SKUs changed
    /// between the read and the commit, at most this many times (then exit
    /// 2 with E150, nothing committed).
    #[arg(long, default_value_t = 3, requires = "commit")]
    retries: u32,
    /// The ledger's clock, YYYY-MM-DDTHH:MM[:SS] in UTC (default: now).
    #[arg(long, value_name = "TIME", requires = "ledger")]
    at: Option<String>,
    /// With --ledger: how long to wait for the ledger's write lock or a
    /// connection, in seconds (then E147, exit 1; default 5).
    #[arg(
        long,
        value_name = "SECS",
        requires = "ledger",
        allow_hyphen_values = true
    )]
    store_timeout: Option<String>,
}

/// A spinner with the elapsed time while a wave is routed, for when a person
/// watches.
fn spinner(message: String) -> indicatif::ProgressBar {
    let pb = indicatif::ProgressBar::new_spinner();
    pb.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}")
            .expect("static template"),
    );
    pb.set_message(message);
    pb.enable_steady_tick(std::time::Duration::from_millis(120));
    pb
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let strategy = match a.strategy.parse::<Strategy>() {
        Ok(strategy) => strategy,
        Err(e) => {
            eprintln!("domopt: {e}");
            return Ok(ExitCode::from(EXIT_INVALID));
        }
    };
    let Some(candidates) = CandidateMode::parse(&a.candidates) else {
        eprintln!(
            "domopt: --candidates `{}`: use `exact` or `pruned:K`",
            a.candidates
        );
        return Ok(ExitCode::from(EXIT_INVALID));
    };
    let settings = Settings {
        time_limit_s: a.time_limit,
        mip_rel_gap: a.gap,
        threads: a.threads,
        seed: a.seed,
        candidates,
        solver_log: a.solver_log,
    };
    if let Err(e) = settings.validate() {
        return Ok(report_error(&e, a.json));
    }
    // The output folder must be usable before the solve, not after it.
    if let Some(dir) = &a.out
        && let Err(e) = domopt::plan::check_out_dir(dir)
    {
        return Ok(report_error(&e, a.json));
    }
    if a.ledger.is_some() {
        return from_ledger(&a, &settings, strategy);
    }
    let scenario = match a.scenario.load(a.json) {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let spinner = (!a.json && std::io::stderr().is_terminal()).then(|| {
        spinner(format!(
            "{} routing {} orders (time limit {} s)",
            strategy.name(),
            scenario.orders.len(),
            settings.time_limit_s
        ))
    });
    // Each phase and round of the decomposition is logged above the spinner.
    let progress = |line: &str| {
        if let Some(pb) = &spinner {
            pb.println(format!("[{:>7.2}s] {line}", pb.elapsed().as_secs_f64()));
        }
    };
    let plan = domopt::solve_with_progress(&scenario, &settings, strategy, &progress);
    if let Some(pb) = spinner {
        pb.finish_and_clear();
    }
    if matches!(plan.solve.status, Status::Infeasible) {
        eprintln!("domopt: no plan could be made: {}", plan.solve.message);
        return Ok(ExitCode::from(EXIT_NO_PLAN));
    }
    write_plan(&a, &plan)
}

/// Writes the plan folder and prints the plan (JSON) or its summary.
fn write_plan(a: &Args, plan: &domopt::Plan) -> anyhow::Result<ExitCode> {
    if let Some(dir) = &a.out
        && let Err(e) = plan.write_dir_as(dir, a.tables)
    {
        return Ok(report_error(&e, a.json));
    }
    if a.json {
        use std::io::Write;
        std::io::stdout().write_all(&plan.json_bytes()?)?;
    } else {
        plan.write_summary(&mut std::io::stdout(), a.show)?;
        if let Some(dir) = &a.out {
            println!("plan written to {}", dir.display());
        }
    }
    Ok(ExitCode::from(EXIT_OK))
}

/// `--ledger`: the wave on the ledger's stock, committed with `--commit`.
fn from_ledger(a: &Args, settings: &Settings, strategy: Strategy) -> anyhow::Result<ExitCode> {
    let url = a.ledger.as_deref().unwrap_or_default();
    let Inputs {
        loaded,
        model,
        overrides,
    } = match a.scenario.inputs() {
        Ok(v) => v,
        Err(e) => return Ok(report_error(&e, a.json)),
    };
    let clock = match domopt::reservations::clock_at(a.at.as_deref()) {
        Ok(c) => c,
        Err(e) => return Ok(report_error(&e, a.json)),
    };
    let store = match store_options(a.store_timeout.as_deref()) {
        Ok(o) => o,
        Err(e) => return Ok(report_error(&e, a.json)),
    };
    let input = WaveInput {
        loaded: &loaded,
        model: &model,
        overrides: &overrides,
        settings,
        strategy,
    };
    let options = WaveOptions {
        commit: a.commit,
        retries: a.retries,
    };
    let progress = |line: &str| eprintln!("domopt: {line}");
    let wave = domopt::reservations::open_with(url, clock, store)
        .map_err(WaveError::from)
        .and_then(|ledger| solve_from_ledger(&*ledger, input, options, &progress));
    let wave = match wave {
        Ok(w) => w,
        Err(WaveError::Scenario(e)) => return Ok(report_error(&e, a.json)),
        Err(WaveError::Ledger(e)) => return Ok(report_ledger_error(&e, a.json)),
    };
    eprintln!(
        "domopt: stock read from the ledger at version {} ({} solve(s))",
        wave.read_at, wave.attempts
    );
    if let Some(c) = &wave.committed {
        eprintln!(
            "domopt: committed at version {}: {} reservation(s) made, {} assigned to nodes, {} hold(s) or reservation(s) replaced",
            c.seq,
            c.reserved.len(),
            c.assigned.len(),
            c.released.len()
        );
    }
    write_plan(a, &wave.plan)
}
