//! `domopt simulate`: orders arriving over a day or a week, cut into waves,
//! several strategies side by side against a clairvoyant run.

use std::path::PathBuf;
use std::process::ExitCode;

use domopt::DomoptError;
use domopt::simulation::{SimRequest, Simulation, simulate};

use super::EXIT_OK;
use super::bench::charts::{Chart, LinesChart};
use super::bench::draw::chart_bytes;
use super::common::{ScenarioArgs, report_error};

/// Simulate a peak day or week: rolling waves with carried stock.
///
/// The scenario's orders arrive over the horizon, at times drawn from a
/// --profile (day: a night trough, lunch and evening peaks; week: that day
/// on seven days, Monday heaviest) from --start, read from --arrivals (a
/// CSV with columns order,at, one row per order in ascending time), or,
/// with --arrivals placed_at, taken from the orders' own placed_at. They
/// are cut into waves every --wave-every minutes (or every --wave-orders
/// orders); each wave is routed by each strategy on the stock and capacity
/// its earlier waves left (node capacity is per working day: the scenario's
/// spread over the horizon's days, a wave packing on its own date), with the wave's cut as its wave time, so
/// cutoffs pass and holiday deadlines come with the clock. Inbound receipts
/// arrive on their date; --replenish-at brings DC and 3PL stock back to its
/// start each day. A --cancel-rate share of orders is cancelled
/// --cancel-after minutes after it is placed (a package not yet left gives
/// its units back); a --return-rate share of shipped orders comes back
/// --return-days after delivery and is routed by the returns optimiser
/// with the costs of --return-costs (a returns file), restocked units
/// selling again.
///
/// Strategies: any solve strategy (auto, decompose, monolithic,
/// greedy-cost, ranked, closest, shopify) and opportunity: auto with each
/// unit charged the shadow price of its stock row in a look-ahead LP over
/// the wave and --look-ahead hours of forecast demand (drawn from the
/// horizon's order mix) over the 4 cheapest nodes per line. The
/// clairvoyant run solves every order that is not cancelled as one wave,
/// known from the start, with all the horizon's stock and capacity: its
/// bound is below every strategy's objective.
/// Every wave plan and the clairvoyant plan pass the independent checker.
///
/// --out writes waves.csv (a row per strategy and wave), horizon.csv,
/// simulation.json, report.md and charts over time (cost per order, split
/// rate, on-time rate, stock-outs) as PNG and SVG, all or nothing.
///
/// Examples:
///   domopt simulate datasets/reroute/wave --strategies shopify,auto --wave-every 60
///   domopt simulate datasets/reroute/wave --wave-orders 4 --cancel-rate 0.1 --no-clairvoyant --json
///   domopt simulate datasets/reroute/wave --profile week --replenish-at 05:00 --out sim/
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// Arrival times: a CSV with columns order,at (YYYY-MM-DDTHH:MM[:SS]), ascending; or
    /// `placed_at`: each order's own placed_at, the orders in ascending time.
    #[arg(long, conflicts_with_all = ["profile", "start"])]
    arrivals: Option<PathBuf>,
    /// The demand profile arrivals are drawn from: day (default) or week.
    #[arg(long)]
    profile: Option<String>,
    /// Start of the horizon, YYYY-MM-DDTHH:MM (default: midnight of the scenario's wave date).
    #[arg(long)]
    start: Option<String>,
    /// Seed of the arrivals, cancellations, returns and forecasts.
    #[arg(long, default_value_t = 1)]
    seed: i64,
    /// Minutes between wave cuts (default 15).
    #[arg(long, conflicts_with = "wave_orders")]
    wave_every: Option<i64>,
    /// Cut a wave every this many orders instead.
    #[arg(long)]
    wave_orders: Option<i64>,
    /// Strategies, comma-separated.
    #[arg(
        long,
        default_value = "shopify,greedy-cost,auto,opportunity",
        value_delimiter = ','
    )]
    strategies: Vec<String>,
    /// Skip the clairvoyant run.
    #[arg(long)]
    no_clairvoyant: bool,
    /// Time limit of the clairvoyant solve, seconds.
    #[arg(long, default_value_t = 300.0)]
    clairvoyant_time_limit: f64,
    /// Solver time limit per wave, seconds.
    #[arg(long, default_value_t = 10.0)]
    time_limit: f64,
    /// Share of orders cancelled.
    #[arg(long, default_value_t = 0.0)]
    cancel_rate: f64,
    /// Minutes after placing that a cancelled order is cancelled.
    #[arg(long, default_value_t = 30)]
    cancel_after: i64,
    /// Share of shipped orders returned.
    #[arg(long, default_value_t = 0.0)]
    return_rate: f64,
    /// Days after delivery a return reaches the network.
    #[arg(long, default_value_t = 5)]
    return_days: i64,
    /// A returns file whose costs and capacities route the returns.
    #[arg(long)]
    return_costs: Option<PathBuf>,
    /// Each day at HH:MM, bring DC and 3PL stock back to its start.
    #[arg(long)]
    replenish_at: Option<String>,
    /// Hours of forecast demand in the opportunity strategy's look-ahead LP.
    #[arg(long, default_value_t = 4.0)]
    look_ahead: f64,
    /// Strategies run at once (default: the machine's cores, at most 64).
    #[arg(long)]
    parallel: Option<usize>,
    /// Folder to write the CSVs, JSON, report and charts into.
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// Print the simulation as JSON on stdout.
    #[arg(long)]
    json: bool,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    match run_simulation(&a) {
        Ok(code) => Ok(code),
        Err(e) => Ok(report_error(&e, a.json)),
    }
}

/// The options as the library reads them (E197 for any out of range).
fn request(a: &Args) -> SimRequest {
    SimRequest {
        strategies: Some(a.strategies.clone()),
        arrivals: a.arrivals.clone(),
        profile: a.profile.clone(),
        start: a.start.clone(),
        seed: a.seed,
        wave_every: a.wave_every,
        wave_orders: a.wave_orders,
        clairvoyant: !a.no_clairvoyant,
        clairvoyant_time_limit: Some(a.clairvoyant_time_limit),
        time_limit: a.time_limit,
        cancel_rate: a.cancel_rate,
        cancel_after: Some(a.cancel_after),
        return_rate: a.return_rate,
        return_days: Some(a.return_days),
        return_costs: a.return_costs.clone(),
        replenish_at: a.replenish_at.clone(),
        look_ahead: Some(a.look_ahead),
        parallel: a.parallel,
    }
}

fn run_simulation(a: &Args) -> Result<ExitCode, DomoptError> {
    let request = request(a);
    let mut options = request.options()?;
    if let Some(dir) = &a.out {
        domopt::plan::check_out_dir(dir)?;
    }
    let inputs = a.scenario.inputs()?;
    let (arrivals, forecast, start) = request.arrivals(&inputs.loaded, options.start)?;
    options.start = start;
    let bar = progress(a.json);
    let sim = simulate(
        &inputs.loaded,
        &inputs.model,
        &inputs.overrides,
        arrivals,
        forecast,
        &options,
        &|name, done, of| {
            bar.set_message(format!("{name}: wave {done} of {of}"));
            if done == of && !a.json {
                bar.suspend(|| eprintln!("{name}: done"));
            }
        },
    )?;
    bar.finish_and_clear();
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    if let Some(dir) = &a.out {
        let charts =
            charts(&sim).map_err(|e| DomoptError::NoPlan(format!("drawing the charts: {e:#}")))?;
        let files: Vec<(&str, Vec<u8>)> = charts
            .iter()
            .map(|(n, b)| (n.as_str(), b.clone()))
            .collect();
        sim.write_dir(dir, &command, &files)?;
    }
    if a.json {
        let text = serde_json::to_string_pretty(&sim.json())
            .map_err(|e| DomoptError::NoPlan(e.to_string()))?;
        println!("{text}");
    } else {
        print!("{}", sim.markdown(&command));
        if let Some(dir) = &a.out {
            println!("\nwritten to {}", dir.display());
        }
    }
    Ok(ExitCode::from(EXIT_OK))
}

/// A spinner with the latest wave of a run, for when a person watches.
fn progress(quiet: bool) -> indicatif::ProgressBar {
    if quiet {
        return indicatif::ProgressBar::hidden();
    }
    let pb = indicatif::ProgressBar::new_spinner();
    pb.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}")
            .expect("static template"),
    );
    pb.enable_steady_tick(std::time::Duration::from_millis(200));
    pb
}

type WaveKpi = fn(&domopt::simulation::WaveRow) -> Option<f64>;

/// The four charts over time as (file name, bytes), PNG and SVG each.
fn charts(sim: &Simulation) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let scratch = tempfile::tempdir()?;
    let specs: [(&str, &str, WaveKpi); 4] = [
        ("cost-per-order", "cost per order", |r| {
            (r.orders > 0).then_some(r.cost_per_order)
        }),
        ("split-rate", "split rate", |r| {
            (r.orders > 0).then_some(r.split_rate)
        }),
        ("on-time", "on-time rate", |r| r.on_time),
        ("stock-outs", "units left unfilled", |r| {
            Some(r.stockout_units as f64)
        }),
    ];
    let mut out = Vec::new();
    for (stem, what, kpi) in specs {
        let series = sim
            .runs
            .iter()
            .map(|run| {
                let pts = run
                    .waves
                    .iter()
                    .filter_map(|r| {
                        let at = domopt::simulation::parse_time(&r.at)?;
                        Some(((at - sim.start).num_seconds() as f64 / 3600.0, kpi(r)?))
                    })
                    .collect();
                (run.strategy.clone(), pts)
            })
            .collect();
        let chart = Chart::Lines(LinesChart {
            title: format!("{what} per wave, {}", sim.scenario),
            x_desc: "hours from the start".into(),
            y_desc: what.into(),
            series,
        });
        let [png, svg] = chart_bytes(&chart, scratch.path(), stem)?;
        out.push((format!("{stem}.png"), png));
        out.push((format!("{stem}.svg"), svg));
    }
    Ok(out)
}
