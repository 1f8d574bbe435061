//! `domopt bench`: every instance with every strategy against the LP bound.
//! Writes `results.csv`, a readable table (`results.md`) and charts (PNG +
//! SVG).
//!
//! The pure parts (rows, gaps, CSV records, tables, charts) are apart from
//! the child-process runner so that they can be tested without solving
//! anything.

pub(crate) mod charts;
pub(crate) mod draw;
#[cfg(test)]
mod fixtures;
mod instances;
mod records;
mod runner;
mod summary;
mod table;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use domopt::Strategy;
use indicatif::{ProgressBar, ProgressStyle};

use super::{EXIT_FAILURE, EXIT_INVALID, EXIT_OK};
use records::InstanceResult;
use runner::{BenchConfig, Event};

/// Benchmark strategies on instances against the LP bound.
///
/// For each instance, computes the LP relaxation bound once (`domopt bound`),
/// then routes the wave with each strategy (`domopt solve`), each run in its own
/// process of this executable, so that peak memory is per run and a crash costs
/// one row. Writes into --out: results.csv (one row per run), results.md (the
/// table as Markdown), and charts as PNG and SVG: cost.* (cost per order by
/// strategy, with the lower bound), split_rate.* and time_vs_size.* (wall time
/// against orders, log-log). Prints the table, one block per instance.
///
/// An instance is a scenario JSON file or folder; a folder without
/// scenario.json stands for the scenarios directly in it. A failed run is a row
/// with status `error` and the last line of its stderr; the bench goes on and
/// exits with 1 at the end.
///
/// Examples:
///   domopt generate --preset peak-s --seed 1 --out target/gen/peak-s
///   domopt bench --instances target/gen/peak-s --time-limit 60 --out target/bench-s
///   domopt bench --instances datasets/small --strategies monolithic,shopify --out b/
///   domopt bench --instances datasets/jasin-sinha/items-2 --model jasin-sinha --strategies auto,shopify --threads 2 --gap 0.001 --out b/
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Scenario files or folders (a folder without scenario.json: the scenarios in it).
    #[arg(long, required = true, num_args = 1.., value_name = "DIR_OR_JSON")]
    instances: Vec<PathBuf>,
    /// Comma-separated strategies, in table order (default: all).
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    strategies: Vec<String>,
    /// Solver time limit per run, seconds.
    #[arg(long, default_value_t = 60.0, value_name = "SECS")]
    time_limit: f64,
    /// Folder for results.csv, results.md and the charts.
    #[arg(long, short)]
    out: PathBuf,
    /// Relative MIP gap per run (default: solve's).
    #[arg(long, value_name = "G")]
    gap: Option<f64>,
    /// Solver threads per run (default: solve's).
    #[arg(long, value_name = "N")]
    threads: Option<u32>,
    /// Cost model: a preset (us-parcel, jasin-sinha) or a TOML file.
    #[arg(long, default_value = domopt::DEFAULT_MODEL)]
    model: String,
    /// Kill a run (or bound) that takes longer than this, seconds (default: never).
    #[arg(long, value_name = "SECS")]
    kill_after: Option<f64>,

    /// Skip the LP bound (for waves whose compact LP does not fit in memory);
    /// gaps are then taken against the best bound of the runs.
    #[arg(long)]
    no_bound: bool,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let cfg = match config(a)? {
        Ok(cfg) => cfg,
        Err(code) => return Ok(code),
    };
    let (results, failed) = run_with_progress(&cfg);
    let results = results?;

    print!("{}", table::render_text(&results));
    let files = write_report(&results, &cfg.out)?;
    println!(
        "wrote {} and {} more file(s) into {}",
        cfg.out.join("results.csv").display(),
        files.len(),
        cfg.out.display()
    );
    Ok(ExitCode::from(if failed > 0 {
        EXIT_FAILURE
    } else {
        EXIT_OK
    }))
}

/// The bench to run, or the exit code of arguments that make no bench (after
/// saying why on stderr).
fn config(a: Args) -> anyhow::Result<Result<BenchConfig, ExitCode>> {
    let invalid = Err(ExitCode::from(EXIT_INVALID));
    let names: Vec<&str> = Strategy::ALL.iter().map(|(_, n)| *n).collect();
    let strategies: Vec<String> = if a.strategies.is_empty() {
        names.iter().map(|n| n.to_string()).collect()
    } else {
        a.strategies.iter().map(|s| s.trim().to_string()).collect()
    };
    if let Some(bad) = strategies.iter().find(|s| !names.contains(&s.as_str())) {
        eprintln!(
            "domopt: unknown strategy `{bad}`: use one of {}",
            names.join(", ")
        );
        return Ok(invalid);
    }
    if !(a.time_limit.is_finite() && a.time_limit > 0.0) {
        eprintln!("domopt: --time-limit must be a positive number of seconds");
        return Ok(invalid);
    }
    let (instances, skipped) = match instances::expand_instances(&a.instances) {
        Ok(found) => found,
        Err(e) => {
            eprintln!("domopt: {e}");
            return Ok(invalid);
        }
    };
    for s in &skipped {
        eprintln!("skipped {}: not a scenario", s.display());
    }
    Ok(Ok(BenchConfig {
        exe: std::env::current_exe()?,
        instances,
        strategies,
        model: a.model,
        time_limit_s: a.time_limit,
        gap: a.gap,
        threads: a.threads,
        kill_after_s: a.kill_after,
        no_bound: a.no_bound,
        out: a.out,
    }))
}

/// Runs the bench under a progress bar (one step per bound and per run),
/// printing each failure as it happens; returns the results and how many
/// steps failed.
fn run_with_progress(cfg: &BenchConfig) -> (anyhow::Result<Vec<InstanceResult>>, usize) {
    let steps = cfg.instances.len() * (cfg.strategies.len() + 1);
    let bar = ProgressBar::new(steps as u64);
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} {msg}")
            .expect("valid template"),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let mut failed = 0usize;
    let results = runner::run(cfg, &mut |e| match e {
        Event::Started { instance, step } => bar.set_message(format!("{instance}: {step}")),
        Event::Finished {
            instance,
            step,
            error,
        } => {
            if let Some(err) = error {
                failed += 1;
                bar.println(format!("{instance}: {step} failed: {err}"));
            }
            bar.inc(1);
        }
    });
    bar.finish_and_clear();
    (results, failed)
}

/// Writes `results.md` and the charts into `dir`; returns the files written.
pub fn write_report(results: &[InstanceResult], dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| dir.display().to_string())?;
    let md = dir.join("results.md");
    std::fs::write(&md, table::render_markdown(results))
        .with_context(|| md.display().to_string())?;
    let mut files = vec![md];
    for (stem, chart) in charts::charts(results) {
        files.extend(draw::save_chart(&chart, dir, stem)?);
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::bench::fixtures::{instance, ok_row};
    use crate::cli::bench::records::{InstanceResult, Row};

    #[test]
    fn a_chart_written_to_a_folder_is_a_png_and_an_svg_of_non_zero_size() {
        let dir = tempfile::tempdir().unwrap();
        let results = vec![
            instance(vec![
                ok_row("monolithic", 9_500.0, Some(9_400.0)),
                ok_row("shopify", 10_000.0, Some(9_000.0)),
            ]),
            InstanceResult {
                name: "peak-m".into(),
                orders: Some(20_000),
                ..instance(vec![ok_row("monolithic", 190_000.0, None)])
            },
        ];
        let files = write_report(&results, dir.path()).unwrap();
        assert_eq!(files.len(), 7);
        for f in &files {
            assert!(std::fs::metadata(f).unwrap().len() > 0, "{}", f.display());
        }
        let png = std::fs::read(dir.path().join("cost.png")).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        let svg = std::fs::read_to_string(dir.path().join("time_vs_size.svg")).unwrap();
        assert!(svg.contains("monolithic"));
    }

    #[test]
    fn charts_of_failed_runs_only_are_still_drawn() {
        let dir = tempfile::tempdir().unwrap();
        let results = vec![InstanceResult {
            orders: None,
            lp_bound: None,
            ..instance(vec![Row::failed("peak-s", "monolithic", "x".into(), 1.0)])
        }];
        assert_eq!(write_report(&results, dir.path()).unwrap().len(), 7);
    }
}
