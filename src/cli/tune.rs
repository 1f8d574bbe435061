//! `domopt tune`: a wave solved at every point of a grid of policy knobs.

use std::path::PathBuf;
use std::process::ExitCode;

use domopt::tuning::{
    Answer, Frontier, Grid, KPIS, PointResult, Question, Sense, Tune, TuneOptions, parse_request,
    tune,
};
use domopt::{DomoptError, Settings, Strategy};

use super::EXIT_OK;
use super::bench::charts::{Chart, ScatterChart};
use super::bench::draw::chart_bytes;
use super::common::{ScenarioArgs, report_error};

/// Tune the cost model: solve a wave at every point of a grid of knobs.
///
/// Each --grid gives a knob and its values, as a list (KNOB=A,B,C) or a
/// range (KNOB=FROM:TO:STEP, TO included); the grid is their product, at
/// most 10,000 points (1,000,000 with --yes). Knobs: split_penalty,
/// late_penalty_per_day, unfilled_penalty_per_unit, store_premium_per_unit,
/// cross_market_penalty, planned_move_penalty, released_move_penalty
/// (numbers from 0 to 1e9), unfilled_rule (fixed, twice-worst),
/// cross_market (forbid, penalty) and candidates (exact, pruned:K). Points
/// are solved --parallel at a time (one HiGHS thread each), each plan
/// checked by the independent checker. Prints the Pareto frontiers of cost
/// (shipping, handling, store premium and the unfilled penalty: what the
/// plan costs without the split, lateness and cross-market penalties, which
/// are the knobs' means) against the split rate and against the on-time
/// rate, and answers
/// the --target question: the point meeting every target with the best
/// --minimise (or --maximise) KPI, or, if none does, the closest. KPIs:
/// cost, objective (the solver's, penalties included), shipping, handling,
/// store_premium, split, lateness, cross_market, unfilled, split_rate, packages_per_order, on_time, fill, gap, time.
///
/// --out writes points.csv (one row per point), tune.json, and the
/// frontiers as PNG and SVG, all or nothing.
///
/// Examples:
///   domopt tune datasets/reroute/wave --grid split_penalty=0,2,4,8 --grid store_premium_per_unit=0:2:1
///   domopt tune datasets/reroute/wave --grid split_penalty=0:8:2 --target "on_time>=0.95" --minimise cost --out tune/
///   domopt tune datasets/reroute/wave --grid late_penalty_per_day=0,5,20 --grid candidates=exact,pruned:2 --json
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// A knob and its values: KNOB=A,B,C or KNOB=FROM:TO:STEP (repeatable).
    #[arg(long = "grid", value_name = "KNOB=VALUES", required = true)]
    grid: Vec<String>,
    /// A target every answer must meet: KPI>=X or KPI<=X (repeatable).
    #[arg(long, value_name = "KPI>=X")]
    target: Vec<String>,
    /// The KPI to minimise among the points meeting the targets.
    #[arg(
        long,
        value_name = "KPI",
        default_value = "cost",
        conflicts_with = "maximise"
    )]
    minimise: String,
    /// The KPI to maximise instead.
    #[arg(long, value_name = "KPI")]
    maximise: Option<String>,
    /// Strategy of every solve: auto (default), decompose, monolithic, greedy-cost, ranked, closest, shopify.
    #[arg(long, default_value = "auto")]
    strategy: String,
    /// Solver time limit per point, in seconds.
    #[arg(long, default_value_t = Settings::default().time_limit_s)]
    time_limit: f64,
    /// Points solved at once (default: the machine's cores).
    #[arg(long)]
    parallel: Option<usize>,
    /// Allow a grid of over 10,000 points.
    #[arg(long)]
    yes: bool,
    /// Folder to write points.csv, tune.json and the frontier charts into.
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// Print the tune as JSON on stdout.
    #[arg(long)]
    json: bool,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    match run_tune(&a) {
        Ok(code) => Ok(code),
        Err(e) => Ok(report_error(&e, a.json)),
    }
}

/// The grid and the question, every bad part reported at once.
fn parse(a: &Args) -> Result<(Grid, Question), DomoptError> {
    let (objective, sense) = match &a.maximise {
        Some(k) => (k.as_str(), Sense::Maximise),
        None => (a.minimise.as_str(), Sense::Minimise),
    };
    parse_request(&a.grid, &a.target, objective, sense, a.yes)
}

fn run_tune(a: &Args) -> Result<ExitCode, DomoptError> {
    let (grid, question) = parse(a)?;
    let strategy: Strategy =
        a.strategy
            .parse()
            .map_err(|e: domopt::UnknownStrategy| DomoptError::Settings {
                field: "--strategy".into(),
                detail: e.to_string(),
            })?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let parallel = a.parallel.unwrap_or(cores).clamp(1, 256);
    let options = TuneOptions::new(strategy, a.time_limit, parallel, a.yes)?;
    if let Some(dir) = &a.out {
        domopt::plan::check_out_dir(dir)?;
    }
    let inputs = a.scenario.inputs()?;
    let bar = progress(grid.points() as u64, a.json);
    let t = tune(
        &inputs.loaded,
        &inputs.model,
        &inputs.overrides,
        &grid,
        &options,
        &|_| bar.inc(1),
    )?;
    bar.finish_and_clear();
    let answer = t.answer(&question);
    if let Some(dir) = &a.out {
        let charts =
            charts(&t).map_err(|e| DomoptError::NoPlan(format!("drawing the frontiers: {e:#}")))?;
        let files: Vec<(&str, Vec<u8>)> = charts
            .iter()
            .map(|(n, b)| (n.as_str(), b.clone()))
            .collect();
        t.write_dir(dir, answer.as_ref().map(|ans| (&question, ans)), &files)?;
    }
    if a.json {
        let out = serde_json::json!({ "tune": t, "question": question, "answer": answer });
        let text =
            serde_json::to_string_pretty(&out).map_err(|e| DomoptError::NoPlan(e.to_string()))?;
        println!("{text}");
    } else {
        print_tune(&t, &question, answer.as_ref(), options.parallel);
        if let Some(dir) = &a.out {
            println!("written to {}", dir.display());
        }
    }
    Ok(ExitCode::from(EXIT_OK))
}

/// A bar with the points done and the time left, for when a person watches.
fn progress(points: u64, quiet: bool) -> indicatif::ProgressBar {
    if quiet {
        return indicatif::ProgressBar::hidden();
    }
    let pb = indicatif::ProgressBar::new(points);
    pb.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} points, {elapsed_precise} elapsed, ETA {eta}",
        )
        .expect("static template"),
    );
    pb
}

/// A KPI of a point.
type KpiOf = fn(&PointResult) -> Option<f64>;

/// The two frontier charts as (file name, bytes), PNG and SVG each.
fn charts(t: &Tune) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let scratch = tempfile::tempdir()?;
    let mut out = Vec::new();
    let specs: [(&str, &str, &Frontier, KpiOf); 2] = [
        ("frontier-split", "split rate", &t.split_frontier, |p| {
            Some(p.split_rate)
        }),
        (
            "frontier-on-time",
            "on-time rate",
            &t.on_time_frontier,
            |p| p.on_time,
        ),
    ];
    for (stem, x_desc, frontier, x) in specs {
        let at = |p: &PointResult| x(p).map(|v| (v, p.cost()));
        let chart = Chart::Scatter(ScatterChart {
            title: format!("Cost against the {x_desc}, {} points", t.points.len()),
            x_desc: x_desc.into(),
            y_desc: "cost (shipping, handling, store premium, unfilled)".into(),
            points: t.points.iter().filter_map(at).collect(),
            line: (
                "Pareto frontier".into(),
                frontier
                    .points
                    .iter()
                    .filter_map(|&k| at(&t.points[k]))
                    .collect(),
            ),
        });
        let [png, svg] = chart_bytes(&chart, scratch.path(), stem)?;
        out.push((format!("{stem}.png"), png));
        out.push((format!("{stem}.svg"), svg));
    }
    Ok(out)
}

fn knobs(p: &PointResult) -> String {
    p.knobs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn print_tune(t: &Tune, q: &Question, answer: Option<&Answer>, parallel: usize) {
    let unchecked = t.points.iter().filter(|p| !p.checked).count();
    println!(
        "{} points solved in {:.1} s ({parallel} at a time); the checker {}",
        t.points.len(),
        t.time_s,
        if unchecked == 0 {
            "accepted every plan".to_string()
        } else {
            format!("REFUSED {unchecked} plans")
        }
    );
    for (name, frontier, x) in [
        ("split rate", &t.split_frontier, "split_rate"),
        ("on-time rate", &t.on_time_frontier, "on_time"),
    ] {
        println!("\nPareto frontier, cost against the {name}:");
        for &k in &frontier.points {
            let p = &t.points[k];
            println!(
                "  {:>12.2}  {x} {:.4}  {}",
                p.cost(),
                p.kpi(x).unwrap_or(f64::NAN),
                knobs(p)
            );
        }
    }
    let Some(a) = answer else { return };
    let p = &t.points[a.point];
    let wanted: Vec<String> = q
        .targets
        .iter()
        .map(|t| {
            format!(
                "{}{}{}",
                t.kpi,
                if t.op == domopt::tuning::Op::AtLeast {
                    ">="
                } else {
                    "<="
                },
                t.value
            )
        })
        .collect();
    let sense = if q.sense == Sense::Minimise {
        "least"
    } else {
        "most"
    };
    let kpis: Vec<String> = KPIS
        .iter()
        .filter(|k| q.targets.iter().any(|t| t.kpi == **k) || **k == q.objective)
        .map(|k| {
            format!(
                "{k} {}",
                p.kpi(k).map_or("-".to_string(), |v| format!("{v:.4}"))
            )
        })
        .collect();
    if a.met {
        println!(
            "\nAnswer: {} meets {} with the {sense} {}: {}",
            knobs(p),
            if wanted.is_empty() {
                "no target".to_string()
            } else {
                wanted.join(", ")
            },
            q.objective,
            kpis.join(", ")
        );
    } else {
        println!(
            "\nAnswer: no point meets {}; the closest is {} ({}; relative shortfall {:.4})",
            wanted.join(", "),
            knobs(p),
            kpis.join(", "),
            a.shortfall
        );
    }
}
