//! Research benchmark harness: every instance x every strategy, each run in a
//! child process of the `domopt` executable (so that peak memory is per run and a
//! crash costs one row, not the bench), against the LP bound of the instance.
//! Writes `results.csv`, a readable table (`results.md`) and charts (PNG + SVG).
//!
//! The pure parts (rows, gaps, CSV records, tables, charts) are separate from
//! the child-process runner so that they can be tested without solving anything.

use std::ffi::OsString;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow};
use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::prelude::*;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::solution::plan::{CostBreakdown, Kpis, Status};

/// The strategy the table's saving column compares against.
pub const BASELINE: &str = "shopify";

/// Columns of `results.csv`, in order.
pub const CSV_HEADER: [&str; 22] = [
    "instance",
    "orders",
    "strategy",
    "status",
    "objective",
    "lower_bound",
    "gap",
    "shipping",
    "handling",
    "store_premium",
    "split",
    "lateness",
    "cross_market",
    "unfilled",
    "packages_per_order",
    "split_rate",
    "on_time_rate",
    "fill_rate",
    "wall_time_s",
    "peak_memory_mb",
    "over_limit_s",
    // Kept last so that scripts reading by position see the documented columns.
    "error",
];

/// What to run.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchConfig {
    /// The `domopt` executable to run as a child (normally the current one).
    pub exe: PathBuf,
    /// Scenario files or folders (see [`expand_instances`]).
    pub instances: Vec<PathBuf>,
    /// Strategy names, in the order of the table's rows.
    pub strategies: Vec<String>,
    /// Cost model handed to every child.
    pub model: String,
    /// Solver time limit per run, seconds.
    pub time_limit_s: f64,
    /// Relative MIP gap per run (the solver's default when None).
    pub gap: Option<f64>,
    /// Solver threads per run (the solver's default when None).
    pub threads: Option<u32>,
    /// Kill a child that runs longer than this many seconds (never when None).
    pub kill_after_s: Option<f64>,
    /// Skip the LP bound (for waves whose compact LP does not fit in memory).
    pub no_bound: bool,
    /// Folder for results.csv, results.md and the charts.
    pub out: PathBuf,
}

/// Progress of a bench, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Event<'a> {
    /// A child was started: `step` is `bound` or a strategy name.
    Started {
        /// Instance name.
        instance: &'a str,
        /// `bound` or the strategy.
        step: &'a str,
    },
    /// A child ended, with the last line of its stderr if it failed.
    Finished {
        /// Instance name.
        instance: &'a str,
        /// `bound` or the strategy.
        step: &'a str,
        /// Why it failed.
        error: Option<&'a str>,
    },
}

/// One run: an instance with a strategy. A failed run has status `error`, no
/// KPIs and the reason in `error`.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Instance name.
    pub instance: String,
    /// Orders in the instance (from any successful plan of it).
    pub orders: Option<usize>,
    /// Strategy name.
    pub strategy: String,
    /// Plan status (`optimal`, `heuristic`, ...) or `error`.
    pub status: String,
    /// Plan cost (kpis.cost.total).
    pub objective: Option<f64>,
    /// The best lower bound known for the instance: the LP bound and every
    /// MIP run's best bound (each valid for the whole wave), so that all rows of
    /// an instance are measured against the same bound.
    pub lower_bound: Option<f64>,
    /// (objective - lower bound) / objective.
    pub gap: Option<f64>,
    /// Cost by component.
    pub cost: Option<CostBreakdown>,
    /// Packages over orders.
    pub packages_per_order: Option<f64>,
    /// Split rate of multi-unit orders.
    pub split_rate: Option<f64>,
    /// On-time rate of promised packages.
    pub on_time_rate: Option<f64>,
    /// Units shipped over units ordered.
    pub fill_rate: Option<f64>,
    /// Wall-clock time of the child process: loading, solving and writing the plan.
    pub wall_time_s: f64,
    /// The child's peak resident memory, as its solve record reports it.
    pub peak_memory_mb: Option<f64>,
    /// Wall time past the time limit (0 when within it; None when unknown).
    pub over_limit_s: Option<f64>,
    /// Why the run failed (the last line of the child's stderr).
    pub error: Option<String>,
}

/// One instance: its LP bound and a row per strategy.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceResult {
    /// Name (file stem or folder name).
    pub name: String,
    /// Path handed to the children.
    pub path: PathBuf,
    /// Orders (from any successful plan).
    pub orders: Option<usize>,
    /// LP relaxation bound of the full model.
    pub lp_bound: Option<f64>,
    /// Time `domopt bound` took by its own account.
    pub bound_time_s: Option<f64>,
    /// Why the bound could not be computed.
    pub bound_error: Option<String>,
    /// One per strategy, in the order asked for.
    pub rows: Vec<Row>,
}

impl InstanceResult {
    /// The row of a strategy.
    pub fn row(&self, strategy: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.strategy == strategy)
    }
}

/// `domopt bound --json` output.
#[derive(Debug, Deserialize)]
struct BoundOutput {
    lp_bound: Option<f64>,
    time_s: Option<f64>,
}

/// The parts of a plan the bench reads. Deserialising only these (serde skips
/// the shipments without building them) keeps the bench small next to its
/// children on large instances; field names and types are those of
/// [`crate::solution::plan::Plan`].
#[derive(Debug, Deserialize)]
struct PlanDigest {
    kpis: Kpis,
    solve: SolveDigest,
}

#[derive(Debug, Deserialize)]
struct SolveDigest {
    status: Status,
    best_bound: Option<f64>,
    #[serde(default)]
    peak_memory_mb: Option<f64>,
}

// ---------------------------------------------------------------- numbers

/// Relative gap (objective - bound) / |objective|. Differences within solver
/// tolerance (1e-6 relative) count as zero; a larger negative gap is kept, as
/// it means the bound is not valid and should be seen.
pub fn gap(objective: f64, bound: f64) -> f64 {
    let diff = objective - bound;
    let scale = objective.abs().max(1e-9);
    if diff.abs() <= 1e-6 * objective.abs().max(1.0) {
        0.0
    } else {
        diff / scale
    }
}

/// The largest of the known bounds.
pub fn best_bound(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    }
}

/// Saving of `cost` against `baseline` as a share of the baseline (positive:
/// cheaper than the baseline).
pub fn saving(cost: f64, baseline: f64) -> Option<f64> {
    (baseline.abs() > 1e-9).then(|| (baseline - cost) / baseline)
}

// ---------------------------------------------------------------- rows

impl Row {
    /// A row for a run that produced a plan.
    fn from_plan(
        instance: &str,
        strategy: &str,
        plan: &PlanDigest,
        lp_bound: Option<f64>,
        wall_time_s: f64,
    ) -> Row {
        let k = &plan.kpis;
        let objective = k.cost.total;
        let lower_bound = best_bound(lp_bound, plan.solve.best_bound);
        Row {
            instance: instance.to_string(),
            orders: Some(k.orders),
            strategy: strategy.to_string(),
            status: plan.solve.status.as_str().to_string(),
            objective: Some(objective),
            lower_bound,
            gap: lower_bound.map(|b| gap(objective, b)),
            cost: Some(k.cost),
            packages_per_order: Some(k.packages_per_order),
            split_rate: Some(k.split_rate),
            on_time_rate: k.on_time_rate,
            fill_rate: Some(k.fill_rate),
            wall_time_s,
            peak_memory_mb: plan.solve.peak_memory_mb,
            over_limit_s: None,
            error: None,
        }
    }

    /// A row for a run that failed.
    pub fn failed(instance: &str, strategy: &str, error: String, wall_time_s: f64) -> Row {
        Row {
            instance: instance.to_string(),
            orders: None,
            strategy: strategy.to_string(),
            status: "error".to_string(),
            objective: None,
            lower_bound: None,
            gap: None,
            cost: None,
            packages_per_order: None,
            split_rate: None,
            on_time_rate: None,
            fill_rate: None,
            wall_time_s,
            peak_memory_mb: None,
            over_limit_s: None,
            error: Some(error),
        }
    }

    /// The row as CSV fields in [`CSV_HEADER`] order; unknown values are empty.
    pub fn csv_record(&self) -> Vec<String> {
        let f = |v: Option<f64>| v.map_or(String::new(), csv_number);
        let c = |get: fn(&CostBreakdown) -> f64| f(self.cost.as_ref().map(get));
        vec![
            self.instance.clone(),
            self.orders.map_or(String::new(), |o| o.to_string()),
            self.strategy.clone(),
            self.status.clone(),
            f(self.objective),
            f(self.lower_bound),
            f(self.gap),
            c(|c| c.shipping),
            c(|c| c.handling),
            c(|c| c.store_premium),
            c(|c| c.split),
            c(|c| c.lateness),
            c(|c| c.cross_market),
            c(|c| c.unfilled),
            f(self.packages_per_order),
            f(self.split_rate),
            f(self.on_time_rate),
            f(self.fill_rate),
            format!("{:.3}", self.wall_time_s),
            f(self.peak_memory_mb),
            f(self.over_limit_s),
            self.error.clone().unwrap_or_default(),
        ]
    }
}

/// A number for the CSV: rounded to six decimals (a millionth of a dollar, a
/// ten-thousandth of a percent), in its shortest form.
pub fn csv_number(v: f64) -> String {
    let r = (v * 1e6).round() / 1e6;
    if r == 0.0 { 0.0 } else { r }.to_string()
}

/// Gives every row of an instance the instance's order count and its best
/// bound (the largest of the rows' bounds: the LP bound and each MIP run's own
/// bound are all valid for the whole wave), and recomputes the gaps. A
/// heuristic that matches the proven optimum then shows a zero gap, as the
/// optimal run does.
pub fn share_instance_facts(rows: &mut [Row]) {
    let orders = rows.iter().find_map(|r| r.orders);
    let bound = rows.iter().fold(None, |b, r| best_bound(b, r.lower_bound));
    for r in rows {
        r.orders = orders;
        if let Some(obj) = r.objective {
            r.lower_bound = bound;
            r.gap = bound.map(|b| gap(obj, b));
        }
    }
}

/// Writes rows to a CSV writer (the header is the caller's).
pub fn write_csv_rows<W: std::io::Write>(w: &mut csv::Writer<W>, rows: &[Row]) -> csv::Result<()> {
    for r in rows {
        w.write_record(r.csv_record())?;
    }
    w.flush()?;
    Ok(())
}

// ---------------------------------------------------------------- instances

/// The name of an instance: a file's stem or a folder's name.
pub fn instance_name(path: &Path) -> String {
    let p = if path.is_file() {
        path.file_stem()
    } else {
        path.file_name()
    };
    p.map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Instances from the command line: a JSON file or a folder with
/// `scenario.json` is one instance; any other folder stands for the scenario
/// folders and the scenario JSON files directly in it (files that do not read
/// as a scenario, such as `expected.json`, are skipped and returned second).
pub fn expand_instances(paths: &[PathBuf]) -> anyhow::Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    let mut found = Vec::new();
    let mut skipped = Vec::new();
    for p in paths {
        if p.is_file() || p.join("scenario.json").is_file() {
            found.push(p.clone());
            continue;
        }
        if !p.is_dir() {
            return Err(anyhow!("{}: no such scenario file or folder", p.display()));
        }
        let mut children: Vec<PathBuf> = std::fs::read_dir(p)
            .with_context(|| p.display().to_string())?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        children.sort();
        for c in children {
            if c.join("scenario.json").is_file() {
                found.push(c);
            } else if c.extension().is_some_and(|e| e == "json") {
                if crate::input::format::read_scenario(&c).is_ok() {
                    found.push(c);
                } else {
                    skipped.push(c);
                }
            }
        }
    }
    if found.is_empty() {
        return Err(anyhow!("no scenario among the instances given"));
    }
    Ok((found, skipped))
}

// ---------------------------------------------------------------- children

/// Runs `exe args`, parsing its stdout as JSON while it runs. Returns the value
/// (or why there is none: the last line of stderr, a kill, unreadable output)
/// and the wall time. Never panics on the child's account.
pub fn run_child<T: DeserializeOwned + Send + 'static>(
    exe: &Path,
    args: &[OsString],
    kill_after_s: Option<f64>,
) -> (Result<T, String>, f64) {
    let start = Instant::now();
    let mut child = match Command::new(exe)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => return (Err(format!("cannot start {}: {e}", exe.display())), 0.0),
    };
    let (Some(stdout), Some(mut stderr)) = (child.stdout.take(), child.stderr.take()) else {
        let _ = child.kill();
        let _ = child.wait();
        return (Err("no pipes to the child".into()), 0.0);
    };
    let reader = std::thread::spawn(move || {
        let mut r = BufReader::new(stdout);
        let parsed = serde_json::from_reader::<_, T>(&mut r);
        // Drain what is left so that the child never blocks on a full pipe.
        let _ = std::io::copy(&mut r, &mut std::io::sink());
        parsed.map_err(|e| e.to_string())
    });
    let errors = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr.read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    });
    let mut killed = false;
    let mut pause = Duration::from_millis(1);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) => {}
            Err(e) => break Err(e),
        }
        if !killed && kill_after_s.is_some_and(|k| start.elapsed().as_secs_f64() > k) {
            let _ = child.kill();
            killed = true;
        }
        std::thread::sleep(pause);
        // At most 5 ms late: the wall time is a measurement (peak-m's target is 5 s).
        pause = (pause * 2).min(Duration::from_millis(5));
    };
    let wall = start.elapsed().as_secs_f64();
    let parsed = reader
        .join()
        .unwrap_or_else(|_| Err("reading the output failed".into()));
    let stderr = errors.join().unwrap_or_default();
    let last_line = || last_stderr_line(&stderr);
    let result = match status {
        Err(e) => Err(format!("waiting for the child: {e}")),
        Ok(_) if killed => Err(format!(
            "killed after {:.0} s (--kill-after)",
            kill_after_s.unwrap_or_default()
        )),
        Ok(s) if !s.success() => Err(last_line().unwrap_or_else(|| format!("exited with {s}"))),
        Ok(_) => parsed.map_err(|e| {
            format!(
                "unreadable output ({e}){}",
                last_line().map_or(String::new(), |l| format!(": {l}"))
            )
        }),
    };
    (result, wall)
}

/// The last line of a child's stderr that says something: blank lines and the
/// argument parser's closing hints (`Usage: ...`, `For more information ...`)
/// are passed over.
pub fn last_stderr_line(stderr: &str) -> Option<String> {
    stderr
        .lines()
        .map(str::trim)
        .rfind(|l| {
            !l.is_empty() && !l.starts_with("Usage:") && !l.starts_with("For more information")
        })
        .map(str::to_string)
}

fn bound_args(cfg: &BenchConfig, instance: &Path) -> Vec<OsString> {
    let mut a: Vec<OsString> = vec![
        "bound".into(),
        instance.into(),
        "--json".into(),
        "--model".into(),
        cfg.model.clone().into(),
        "--time-limit".into(),
        cfg.time_limit_s.to_string().into(),
    ];
    if let Some(t) = cfg.threads {
        a.extend(["--threads".into(), t.to_string().into()]);
    }
    a
}

fn solve_args(cfg: &BenchConfig, instance: &Path, strategy: &str) -> Vec<OsString> {
    let mut a: Vec<OsString> = vec![
        "solve".into(),
        instance.into(),
        "--strategy".into(),
        strategy.into(),
        "--json".into(),
        "--time-limit".into(),
        cfg.time_limit_s.to_string().into(),
        "--model".into(),
        cfg.model.clone().into(),
    ];
    if let Some(g) = cfg.gap {
        a.extend(["--gap".into(), g.to_string().into()]);
    }
    if let Some(t) = cfg.threads {
        a.extend(["--threads".into(), t.to_string().into()]);
    }
    a
}

/// The LP bound of one instance, computed by a child (`domopt bound`): bound,
/// its time, or why there is none.
fn lp_bound_of(
    cfg: &BenchConfig,
    path: &Path,
    name: &str,
    on_event: &mut dyn FnMut(Event<'_>),
) -> (Option<f64>, Option<f64>, Option<String>) {
    on_event(Event::Started {
        instance: name,
        step: "bound",
    });
    let (bound, _) = run_child::<BoundOutput>(&cfg.exe, &bound_args(cfg, path), cfg.kill_after_s);
    let (lp_bound, bound_time_s, bound_error) = match bound {
        Ok(b) if b.lp_bound.is_some() => (b.lp_bound, b.time_s, None),
        Ok(_) => (None, None, Some("no LP bound reported".to_string())),
        // `bound --json` says nothing on stderr when the LP does not solve in time.
        Err(e) if e.starts_with("exited with") => (
            None,
            None,
            Some(format!(
                "the LP relaxation did not solve within {} s ({e})",
                cfg.time_limit_s
            )),
        ),
        Err(e) => (None, None, Some(e)),
    };
    on_event(Event::Finished {
        instance: name,
        step: "bound",
        error: bound_error.as_deref(),
    });
    (lp_bound, bound_time_s, bound_error)
}

/// Runs the bench: per instance the bound, then every strategy; appends each
/// instance's rows to `out/results.csv` as soon as they are known.
pub fn run(
    cfg: &BenchConfig,
    on_event: &mut dyn FnMut(Event<'_>),
) -> anyhow::Result<Vec<InstanceResult>> {
    std::fs::create_dir_all(&cfg.out).with_context(|| cfg.out.display().to_string())?;
    let csv_path = cfg.out.join("results.csv");
    let mut csv =
        csv::Writer::from_path(&csv_path).with_context(|| csv_path.display().to_string())?;
    csv.write_record(CSV_HEADER)?;
    csv.flush()?;
    let mut results = Vec::new();
    for path in &cfg.instances {
        let name = instance_name(path);
        let (lp_bound, bound_time_s, bound_error) = if cfg.no_bound {
            (None, None, None)
        } else {
            lp_bound_of(cfg, path, &name, on_event)
        };
        let mut rows = Vec::new();

        for s in &cfg.strategies {
            on_event(Event::Started {
                instance: &name,
                step: s,
            });
            let (plan, wall) =
                run_child::<PlanDigest>(&cfg.exe, &solve_args(cfg, path, s), cfg.kill_after_s);
            let mut row = match plan {
                Ok(p) => Row::from_plan(&name, s, &p, lp_bound, wall),
                Err(e) => Row::failed(&name, s, e, wall),
            };
            row.over_limit_s = Some((wall - cfg.time_limit_s).max(0.0));
            on_event(Event::Finished {
                instance: &name,
                step: s,
                error: row.error.as_deref(),
            });
            rows.push(row);
        }
        share_instance_facts(&mut rows);
        let orders = rows.iter().find_map(|r| r.orders);
        write_csv_rows(&mut csv, &rows).with_context(|| csv_path.display().to_string())?;
        results.push(InstanceResult {
            name,
            path: path.clone(),
            orders,
            lp_bound,
            bound_time_s,
            bound_error,
            rows,
        });
    }
    Ok(results)
}

// ---------------------------------------------------------------- tables

/// `1234567.891` as `1,234,567.89`.
pub fn thousands(v: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(i, f)| (i, f));
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    if v < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.insert(0, '-');
    }
    out
}

fn pct(v: Option<f64>, decimals: usize) -> String {
    v.map_or("-".into(), |v| format!("{:.*}%", decimals, v * 100.0))
}

fn seconds(s: f64) -> String {
    if s < 10.0 {
        format!("{s:.2} s")
    } else {
        format!("{s:.1} s")
    }
}

/// Column titles of the table.
pub const TABLE_HEADER: [&str; 12] = [
    "strategy",
    "status",
    "cost",
    "gap to bound",
    "split rate",
    "pkg/order",
    "fill",
    "on-time",
    "time",
    "over limit",
    "memory",
    "saving vs shopify",
];

/// The table's cells for an instance, one row per strategy.
pub fn table_cells(inst: &InstanceResult) -> Vec<Vec<String>> {
    let base = inst.row(BASELINE).and_then(|r| r.objective);
    inst.rows
        .iter()
        .map(|r| {
            let saving_cell = match (r.objective, base) {
                _ if r.strategy == BASELINE && r.objective.is_some() => "base".to_string(),
                (Some(c), Some(b)) => {
                    saving(c, b).map_or("-".into(), |s| format!("{:+.1}%", s * 100.0))
                }
                _ => "-".into(),
            };
            vec![
                r.strategy.clone(),
                r.status.clone(),
                r.objective.map_or("-".into(), |c| thousands(c, 2)),
                pct(r.gap, 2),
                pct(r.split_rate, 1),
                r.packages_per_order
                    .map_or("-".into(), |p| format!("{p:.3}")),
                pct(r.fill_rate, 1),
                pct(r.on_time_rate, 1),
                seconds(r.wall_time_s),
                r.over_limit_s
                    .filter(|&o| o > 0.0)
                    .map_or("-".into(), seconds),
                r.peak_memory_mb
                    .map_or("-".into(), |m| format!("{m:.0} MB")),
                saving_cell,
            ]
        })
        .collect()
}

/// The line above an instance's table.
pub fn instance_caption(inst: &InstanceResult) -> String {
    let orders = inst.orders.map_or("? orders".into(), |o| {
        format!("{} orders", thousands(o as f64, 0))
    });
    let bound = match (inst.lp_bound, &inst.bound_error) {
        (Some(b), _) => format!(
            "LP bound {}{}",
            thousands(b, 2),
            inst.bound_time_s
                .map_or(String::new(), |t| format!(" ({})", seconds(t)))
        ),
        (None, Some(e)) => format!("no LP bound: {e}"),
        (None, None) => "no LP bound".into(),
    };
    let best = inst
        .rows
        .iter()
        .fold(None, |b, r| best_bound(b, r.lower_bound));
    let best = match (best, inst.lp_bound) {
        (Some(b), Some(lp)) if b > lp + 1e-9 * lp.abs().max(1.0) => {
            format!(", best bound {}", thousands(b, 2))
        }
        (Some(b), None) => format!(", best bound {}", thousands(b, 2)),
        _ => String::new(),
    };
    format!("{}: {orders}, {bound}{best}", inst.name)
}

fn failures(inst: &InstanceResult) -> impl Iterator<Item = (&str, &str)> {
    inst.rows
        .iter()
        .filter_map(|r| r.error.as_deref().map(|e| (r.strategy.as_str(), e)))
}

/// The terminal table: one block per instance, columns aligned, the reason of
/// each failed run below its block.
pub fn render_text(results: &[InstanceResult]) -> String {
    let mut out = String::new();
    for inst in results {
        let cells = table_cells(inst);
        let mut widths: Vec<usize> = TABLE_HEADER.iter().map(|h| h.chars().count()).collect();
        for row in &cells {
            for (w, c) in widths.iter_mut().zip(row) {
                *w = (*w).max(c.chars().count());
            }
        }
        let line = |row: &[String]| {
            let parts: Vec<String> = row
                .iter()
                .zip(&widths)
                .enumerate()
                .map(|(i, (c, w))| {
                    if i < 2 {
                        format!("{c:<w$}")
                    } else {
                        format!("{c:>w$}")
                    }
                })
                .collect();
            format!("  {}\n", parts.join("  ").trim_end())
        };
        out.push_str(&instance_caption(inst));
        out.push('\n');
        let header: Vec<String> = TABLE_HEADER.iter().map(|h| h.to_string()).collect();
        out.push_str(&line(&header));
        for row in &cells {
            out.push_str(&line(row));
        }
        for (s, e) in failures(inst) {
            out.push_str(&format!("  {s} failed: {e}\n"));
        }
        out.push('\n');
    }
    out
}

/// `results.md`: the same tables in Markdown, with a legend.
pub fn render_markdown(results: &[InstanceResult]) -> String {
    let mut out = String::from(
        "Cost is the plan's total cost; gap is (cost - lower bound) / cost with the \
         lower bound the best known for the instance: the largest of the LP relaxation \
         bound and the MIP runs' own bounds, each valid for the whole wave; \
         split rate is the share of multi-unit orders shipped in more than one package; \
         time is the wall time of the run's process (loading, solving, writing); over \
         limit is how much of it was past the time limit (`-`: none); memory \
         its peak resident size; saving is against the `shopify` rule.\n\n",
    );
    for inst in results {
        out.push_str(&format!("**{}**\n\n", instance_caption(inst)));
        out.push_str(&format!("| {} |\n", TABLE_HEADER.join(" | ")));
        let align: Vec<&str> = (0..TABLE_HEADER.len())
            .map(|i| if i < 2 { "---" } else { "---:" })
            .collect();
        out.push_str(&format!("| {} |\n", align.join(" | ")));
        for row in table_cells(inst) {
            let escaped: Vec<String> = row.iter().map(|c| c.replace('|', "\\|")).collect();
            out.push_str(&format!("| {} |\n", escaped.join(" | ")));
        }
        for (s, e) in failures(inst) {
            out.push_str(&format!("\n`{s}` failed: {}\n", e.replace('|', "\\|")));
        }
        out.push('\n');
    }
    out
}

// ---------------------------------------------------------------- charts

const FONT: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");
const CHART_SIZE: (u32, u32) = (1000, 600);
/// Okabe-Ito colours, distinguishable with colour-blindness.
const COLOURS: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(213, 94, 0),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(240, 228, 66),
    RGBColor(0, 0, 0),
];

fn colour(i: usize) -> RGBColor {
    COLOURS[i % COLOURS.len()]
}

/// Registers the embedded font as plotters' `sans-serif` (once). With
/// plotters' `ab_glyph` feature on, which this crate turns on for every
/// plotters user in the build (criterion's reports too), text finds no font
/// until this is called: a criterion bench calls it before its first
/// benchmark.
pub fn register_chart_font() -> anyhow::Result<()> {
    static OK: OnceLock<bool> = OnceLock::new();
    let ok = *OK.get_or_init(|| {
        plotters::style::register_font("sans-serif", FontStyle::Normal, FONT).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(anyhow!("the embedded chart font could not be read"))
    }
}

/// Grouped bars: one group per instance, one bar per series (strategy), and
/// an optional marker line across each group.
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    /// Caption.
    pub title: String,
    /// Y axis description.
    pub y_desc: String,
    /// Group labels (instances).
    pub groups: Vec<String>,
    /// (series name, value per group).
    pub series: Vec<(String, Vec<Option<f64>>)>,
    /// (name, value per group) drawn as a black line across the group.
    pub marker: Option<(String, Vec<Option<f64>>)>,
}

/// Lines through points on log-log axes, one per series.
#[derive(Debug, Clone, PartialEq)]
pub struct LogLogChart {
    /// Caption.
    pub title: String,
    /// X axis description.
    pub x_desc: String,
    /// Y axis description.
    pub y_desc: String,
    /// (series name, points); non-positive values are left out.
    pub series: Vec<(String, Vec<(f64, f64)>)>,
}

/// A chart to draw.
#[derive(Debug, Clone, PartialEq)]
pub enum Chart {
    /// Grouped bars.
    Bars(BarChart),
    /// Log-log lines.
    LogLog(LogLogChart),
}

/// An x axis of `n` groups, one unit wide each, with a key point (and label)
/// at the centre of each group.
#[derive(Debug, Clone)]
struct GroupAxis(usize);

impl Ranged for GroupAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;
    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let share = v / self.0.max(1) as f64;
        limit.0 + ((limit.1 - limit.0) as f64 * share).round() as i32
    }
    fn key_points<Hint: KeyPointHint>(&self, _hint: Hint) -> Vec<f64> {
        (0..self.0).map(|i| i as f64 + 0.5).collect()
    }
    fn range(&self) -> std::ops::Range<f64> {
        0.0..self.0 as f64
    }
}

type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

fn draw_bars<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, c: &BarChart) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let n = c.groups.len().max(1);
    let values = c
        .series
        .iter()
        .flat_map(|s| s.1.iter())
        .chain(c.marker.iter().flat_map(|m| m.1.iter()))
        .flatten();
    let top = values.fold(0.0f64, |a, &v| a.max(v));
    // Head room for the legend in the upper right corner.
    let top = if top > 0.0 { top * 1.4 } else { 1.0 };
    let mut chart = ChartBuilder::on(root)
        .caption(&c.title, ("sans-serif", 24))
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(80)
        .build_cartesian_2d(GroupAxis(n), 0.0..top)?;
    let groups = c.groups.clone();
    let label = move |x: &f64| {
        let i = x.floor() as usize;
        groups.get(i).cloned().unwrap_or_default()
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_label_formatter(&label)
        .y_label_formatter(&|v: &f64| {
            if top >= 10.0 {
                thousands(*v, 0)
            } else {
                format!("{v:.2}")
            }
        })
        .y_desc(c.y_desc.as_str())
        .label_style(("sans-serif", 15))
        .axis_desc_style(("sans-serif", 16))
        .draw()?;
    let k = c.series.len().max(1) as f64;
    let width = 0.8 / k;
    for (j, (name, vals)) in c.series.iter().enumerate() {
        let col = colour(j);
        let bars = vals.iter().enumerate().filter_map(move |(i, v)| {
            v.map(|v| {
                let x0 = i as f64 + 0.1 + j as f64 * width;
                Rectangle::new(
                    [(x0 + width * 0.05, 0.0), (x0 + width * 0.95, v)],
                    col.filled(),
                )
            })
        });
        chart
            .draw_series(bars)?
            .label(name.as_str())
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], col.filled()));
    }
    if let Some((name, vals)) = &c.marker {
        let lines = vals.iter().enumerate().filter_map(|(i, v)| {
            v.map(|v| {
                PathElement::new(
                    vec![(i as f64 + 0.06, v), (i as f64 + 0.94, v)],
                    BLACK.stroke_width(2),
                )
            })
        });
        chart
            .draw_series(lines)?
            .label(name.as_str())
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], BLACK.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 15))
        .draw()?;
    root.present()
}

fn log_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, 0.0f64), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !lo.is_finite() || hi <= 0.0 {
        (0.1, 10.0)
    } else {
        (lo / 2.0, hi * 2.0)
    }
}

fn draw_loglog<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &LogLogChart,
) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let points = || {
        c.series
            .iter()
            .flat_map(|s| s.1.iter())
            .filter(|(x, y)| *x > 0.0 && *y > 0.0)
    };
    let (x0, x1) = log_range(points().map(|p| p.0));
    let (y0, y1) = log_range(points().map(|p| p.1));
    let mut chart = ChartBuilder::on(root)
        .caption(&c.title, ("sans-serif", 24))
        .margin(16)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale())?;
    let short = |v: &f64| {
        if *v >= 1000.0 {
            thousands(*v, 0)
        } else if *v >= 1.0 {
            format!("{v:.0}")
        } else {
            format!("{v:.2}")
        }
    };
    chart
        .configure_mesh()
        .x_desc(c.x_desc.as_str())
        .y_desc(c.y_desc.as_str())
        .x_label_formatter(&short)
        .y_label_formatter(&short)
        .label_style(("sans-serif", 15))
        .axis_desc_style(("sans-serif", 16))
        .draw()?;
    for (j, (name, pts)) in c.series.iter().enumerate() {
        let col = colour(j);
        let mut pts: Vec<(f64, f64)> = pts
            .iter()
            .copied()
            .filter(|(x, y)| *x > 0.0 && *y > 0.0)
            .collect();
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        chart
            .draw_series(LineSeries::new(pts.clone(), col.stroke_width(2)))?
            .label(name.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], col.stroke_width(2)));
        chart.draw_series(pts.into_iter().map(|p| Circle::new(p, 4, col.filled())))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 15))
        .draw()?;
    root.present()
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, chart: &Chart) -> DrawResult<DB> {
    match chart {
        Chart::Bars(c) => draw_bars(root, c),
        Chart::LogLog(c) => draw_loglog(root, c),
    }
}

/// Draws a chart to `dir/stem.png` and `dir/stem.svg`; returns both paths.
pub fn save_chart(chart: &Chart, dir: &Path, stem: &str) -> anyhow::Result<[PathBuf; 2]> {
    register_chart_font()?;
    std::fs::create_dir_all(dir).with_context(|| dir.display().to_string())?;
    let png = dir.join(format!("{stem}.png"));
    let svg = dir.join(format!("{stem}.svg"));
    {
        let root = BitMapBackend::new(&png, CHART_SIZE).into_drawing_area();
        draw(&root, chart).map_err(|e| anyhow!("{}: {e}", png.display()))?;
    }
    {
        let root = SVGBackend::new(&svg, CHART_SIZE).into_drawing_area();
        draw(&root, chart).map_err(|e| anyhow!("{}: {e}", svg.display()))?;
    }
    Ok([png, svg])
}

/// Strategies in the order they first appear in the results.
pub fn strategies_of(results: &[InstanceResult]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for r in results.iter().flat_map(|i| &i.rows) {
        if !names.contains(&r.strategy) {
            names.push(r.strategy.clone());
        }
    }
    names
}

/// The bench's charts: cost per order and split rate by strategy (grouped by
/// instance; cost per order so that instances of different sizes share an
/// axis, with the lower bound per order as a line), and wall time against
/// instance size on log-log axes.
pub fn charts(results: &[InstanceResult]) -> Vec<(&'static str, Chart)> {
    let strategies = strategies_of(results);
    let groups: Vec<String> = results.iter().map(|i| i.name.clone()).collect();
    let per_strategy = |f: &dyn Fn(&InstanceResult, &Row) -> Option<f64>| {
        strategies
            .iter()
            .map(|s| {
                let vals = results
                    .iter()
                    .map(|i| i.row(s).and_then(|r| f(i, r)))
                    .collect();
                (s.clone(), vals)
            })
            .collect::<Vec<_>>()
    };
    let per_order = |v: Option<f64>, i: &InstanceResult| match (v, i.orders) {
        (Some(v), Some(o)) if o > 0 => Some(v / o as f64),
        _ => None,
    };
    let bound_per_order: Vec<Option<f64>> = results
        .iter()
        .map(|i| {
            let best = i
                .rows
                .iter()
                .fold(i.lp_bound, |b, r| best_bound(b, r.lower_bound));
            per_order(best, i)
        })
        .collect();
    let cost = BarChart {
        title: "Cost per order by strategy".into(),
        y_desc: "cost per order".into(),
        groups: groups.clone(),
        series: per_strategy(&|i, r| per_order(r.objective, i)),
        marker: bound_per_order
            .iter()
            .any(Option::is_some)
            .then(|| ("lower bound".to_string(), bound_per_order)),
    };
    let split = BarChart {
        title: "Split rate by strategy".into(),
        y_desc: "multi-unit orders split (%)".into(),
        groups,
        series: per_strategy(&|_, r| r.split_rate.map(|s| s * 100.0)),
        marker: None,
    };
    let time = LogLogChart {
        title: "Wall time against instance size".into(),
        x_desc: "orders".into(),
        y_desc: "wall time (s)".into(),
        series: strategies
            .iter()
            .map(|s| {
                let pts = results
                    .iter()
                    .filter_map(|i| {
                        let r = i.row(s)?;
                        (r.error.is_none()).then_some((i.orders? as f64, r.wall_time_s))
                    })
                    .collect();
                (s.clone(), pts)
            })
            .collect(),
    };
    vec![
        ("cost", Chart::Bars(cost)),
        ("split_rate", Chart::Bars(split)),
        ("time_vs_size", Chart::LogLog(time)),
    ]
}

/// Writes `results.md` and the charts into `dir`; returns the files written.
pub fn write_report(results: &[InstanceResult], dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| dir.display().to_string())?;
    let md = dir.join("results.md");
    std::fs::write(&md, render_markdown(results)).with_context(|| md.display().to_string())?;
    let mut files = vec![md];
    for (stem, chart) in charts(results) {
        files.extend(save_chart(&chart, dir, stem)?);
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok_row(strategy: &str, objective: f64, bound: Option<f64>) -> Row {
        Row {
            instance: "peak-s".into(),
            orders: Some(1000),
            strategy: strategy.into(),
            status: "optimal".into(),
            objective: Some(objective),
            lower_bound: bound,
            gap: bound.map(|b| gap(objective, b)),
            cost: Some(CostBreakdown {
                shipping: objective - 10.0,
                handling: 4.0,
                store_premium: 1.0,
                split: 2.0,
                lateness: 0.5,
                cross_market: 0.0,
                unfilled: 2.5,
                total: objective,
            }),
            packages_per_order: Some(1.25),
            split_rate: Some(0.125),
            on_time_rate: Some(0.97),
            fill_rate: Some(0.995),
            wall_time_s: 1.5,
            over_limit_s: Some(0.0),
            peak_memory_mb: Some(42.0),
            error: None,
        }
    }

    fn instance(rows: Vec<Row>) -> InstanceResult {
        InstanceResult {
            name: "peak-s".into(),
            path: "target/gen/peak-s".into(),
            orders: Some(1000),
            lp_bound: Some(9000.0),
            bound_time_s: Some(0.5),
            bound_error: None,
            rows,
        }
    }

    #[test]
    fn the_gap_is_the_distance_to_the_bound_as_a_share_of_the_cost() {
        assert!((gap(10_000.0, 9_000.0) - 0.1).abs() < 1e-12);
        assert_eq!(gap(0.0, 0.0), 0.0);
    }

    #[test]
    fn a_bound_above_the_cost_within_solver_tolerance_is_a_zero_gap() {
        assert_eq!(gap(1000.0, 1000.0000001), 0.0);
    }

    #[test]
    fn a_bound_clearly_above_the_cost_shows_as_a_negative_gap() {
        assert!(gap(1000.0, 1010.0) < -0.009);
    }

    #[test]
    fn the_lower_bound_is_the_larger_of_the_known_bounds() {
        assert_eq!(best_bound(Some(1.0), Some(2.0)), Some(2.0));
        assert_eq!(best_bound(None, Some(2.0)), Some(2.0));
        assert_eq!(best_bound(Some(1.0), None), Some(1.0));
        assert_eq!(best_bound(None, None), None);
    }

    #[test]
    fn every_run_of_an_instance_is_measured_against_the_best_bound_of_any_run() {
        let mut greedy = ok_row("greedy-cost", 159.08, Some(116.62));
        greedy.orders = None;
        let mut rows = vec![
            greedy,
            ok_row("monolithic", 159.08, Some(159.08)),
            Row::failed("peak-s", "shopify", "x".into(), 1.0),
        ];
        share_instance_facts(&mut rows);
        assert_eq!(rows[0].orders, Some(1000));
        assert_eq!(rows[0].lower_bound, Some(159.08));
        assert_eq!(rows[0].gap, Some(0.0));
        assert_eq!(rows[2].orders, Some(1000));
        assert_eq!((rows[2].lower_bound, rows[2].gap), (None, None));
    }

    #[test]
    fn a_csv_record_has_a_field_per_header_column_in_order() {
        let rec = ok_row("monolithic", 10_000.0, Some(9_000.0)).csv_record();
        assert_eq!(rec.len(), CSV_HEADER.len());
        assert_eq!(
            rec[..7],
            [
                "peak-s",
                "1000",
                "monolithic",
                "optimal",
                "10000",
                "9000",
                "0.1"
            ]
        );
        assert_eq!(rec[7], "9990");
        assert_eq!(rec[13], "2.5");
        assert_eq!(rec[18], "1.500");
        assert_eq!(rec[19], "42");
        assert_eq!(rec[20], "0");
        assert_eq!(rec[21], "");
    }

    #[test]
    fn a_failed_run_is_an_error_row_with_empty_measures_and_its_reason() {
        let rec = Row::failed("peak-s", "greedy-cost", "domopt: boom".into(), 0.25).csv_record();
        assert_eq!(rec[3], "error");
        assert!(rec[4..18].iter().all(String::is_empty));
        assert_eq!(rec[18], "0.250");
        assert_eq!(rec[20], "");
        assert_eq!(rec[21], "domopt: boom");
    }

    #[test]
    fn csv_rows_round_trip_through_the_csv_reader() {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(CSV_HEADER).unwrap();
        let rows = vec![
            ok_row("monolithic", 10_000.0, Some(9_000.0)),
            Row::failed("peak-s", "x", "a, \"quoted\" reason".into(), 1.0),
        ];
        write_csv_rows(&mut w, &rows).unwrap();
        let bytes = w.into_inner().unwrap();
        let mut r = csv::Reader::from_reader(bytes.as_slice());
        let recs: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
        assert_eq!(recs.len(), 2);
        assert_eq!(&recs[1][21], "a, \"quoted\" reason");
    }

    #[test]
    fn the_table_shows_a_run_past_its_time_limit_and_a_dash_for_one_within_it() {
        let mut late = ok_row("monolithic", 10_000.0, Some(9_000.0));
        late.over_limit_s = Some(25.0);
        let cells = table_cells(&instance(vec![
            late,
            ok_row("auto", 9_500.0, Some(9_000.0)),
        ]));
        let col = TABLE_HEADER
            .iter()
            .position(|h| *h == "over limit")
            .unwrap();
        assert_eq!(cells[0][col], "25.0 s");
        assert_eq!(cells[1][col], "-");
    }

    #[test]
    fn thousands_are_separated_by_commas() {
        assert_eq!(thousands(1_234_567.891, 2), "1,234,567.89");
        assert_eq!(thousands(999.0, 0), "999");
        assert_eq!(thousands(-1000.5, 1), "-1,000.5");
        assert_eq!(thousands(0.0, 2), "0.00");
    }

    #[test]
    fn the_saving_is_against_the_baseline_and_positive_when_cheaper() {
        assert!((saving(90.0, 100.0).unwrap() - 0.1).abs() < 1e-12);
        assert!(saving(110.0, 100.0).unwrap() < 0.0);
        assert_eq!(saving(1.0, 0.0), None);
    }

    #[test]
    fn the_text_table_has_a_row_per_strategy_with_saving_against_shopify() {
        let inst = instance(vec![
            ok_row("monolithic", 9_500.0, Some(9_400.0)),
            ok_row("shopify", 10_000.0, Some(9_000.0)),
            Row::failed("peak-s", "closest", "domopt: out of memory".into(), 2.0),
        ]);
        let text = render_text(&[inst]);
        assert!(text.starts_with("peak-s: 1,000 orders, LP bound 9,000.00 (0.50 s)"));
        let mono = text
            .lines()
            .find(|l| l.starts_with("  monolithic"))
            .unwrap();
        assert!(mono.contains("9,500.00"), "{mono}");
        assert!(mono.contains("1.05%"), "{mono}");
        assert!(mono.contains("+5.0%"), "{mono}");
        assert!(mono.contains("42 MB"), "{mono}");
        let shop = text.lines().find(|l| l.starts_with("  shopify")).unwrap();
        assert!(shop.trim_end().ends_with("base"), "{shop}");
        assert!(text.contains("closest failed: domopt: out of memory"));
        // Columns line up: every table line of the block is as long as the header
        // or shorter only by trailing blanks of the error row.
        let header = text.lines().nth(1).unwrap();
        assert!(header.contains("saving vs shopify"));
        assert_eq!(mono.len(), header.len());
    }

    #[test]
    fn the_markdown_table_has_as_many_cells_in_every_row_as_in_its_header() {
        let inst = instance(vec![
            ok_row("monolithic", 9_500.0, Some(9_400.0)),
            Row::failed("peak-s", "shopify", "bad | pipe".into(), 2.0),
        ]);
        let md = render_markdown(&[inst]);
        let table: Vec<&str> = md.lines().filter(|l| l.starts_with('|')).collect();
        assert_eq!(table.len(), 4);
        let cells = |l: &str| l.matches(" | ").count();
        assert!(table.iter().all(|l| cells(l) == cells(table[0])));
        assert!(table[1].contains("---:"));
        assert!(md.contains("`shopify` failed: bad \\| pipe"));
    }

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

    #[test]
    fn a_child_that_fails_gives_the_last_line_of_its_stderr() {
        let args: Vec<OsString> = vec!["-c".into(), "echo first >&2; echo last >&2; exit 3".into()];
        let (r, t) = run_child::<serde_json::Value>(Path::new("sh"), &args, None);
        assert_eq!(r.unwrap_err(), "last");
        assert!(t > 0.0);
    }

    #[test]
    fn the_reason_of_a_usage_error_is_its_error_line_not_the_closing_hint() {
        let clap = "error: unrecognized subcommand 'bound'\n\nUsage: domopt <COMMAND>\n\nFor more information, try '--help'.\n";
        assert_eq!(
            last_stderr_line(clap).as_deref(),
            Some("error: unrecognized subcommand 'bound'")
        );
        assert_eq!(last_stderr_line("\n \n"), None);
    }

    #[test]
    fn csv_numbers_are_rounded_to_six_decimals_in_their_shortest_form() {
        assert_eq!(csv_number(49.739999999999995), "49.74");
        assert_eq!(csv_number(0.17391304347826086), "0.173913");
        assert_eq!(csv_number(1000.0), "1000");
        assert_eq!(csv_number(-0.0000001), "0");
    }

    #[test]
    fn a_child_that_prints_json_is_parsed() {
        let args: Vec<OsString> = vec![
            "-c".into(),
            r#"echo '{"lp_bound": 1.5, "time_s": 0.25}'"#.into(),
        ];
        let (r, _) = run_child::<BoundOutput>(Path::new("sh"), &args, None);
        let b = r.unwrap();
        assert_eq!((b.lp_bound, b.time_s), (Some(1.5), Some(0.25)));
    }

    #[test]
    fn a_child_that_succeeds_with_unreadable_output_is_an_error() {
        let args: Vec<OsString> = vec!["-c".into(), "echo not json".into()];
        let (r, _) = run_child::<BoundOutput>(Path::new("sh"), &args, None);
        assert!(r.unwrap_err().starts_with("unreadable output"));
    }

    #[test]
    fn a_child_past_its_kill_time_is_killed() {
        let args: Vec<OsString> = vec!["-c".into(), "exec sleep 5".into()];
        let (r, _) = run_child::<BoundOutput>(Path::new("sh"), &args, Some(0.2));
        assert!(r.unwrap_err().starts_with("killed after"));
    }

    #[test]
    fn a_missing_executable_is_an_error_not_a_panic() {
        let (r, _) = run_child::<BoundOutput>(Path::new("/nonexistent/domopt"), &[], None);
        assert!(r.unwrap_err().starts_with("cannot start"));
    }

    #[test]
    fn a_plan_digest_reads_a_plan_and_its_optional_peak_memory() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/datasets/seed-example/two-shipments.json"
        );
        let (s, _) = crate::load_scenario(path.as_ref(), "us-parcel", &[]).unwrap();
        let plan = crate::sourcing::run(
            &s,
            &crate::input::settings::Settings::default(),
            crate::sourcing::Strategy::GreedyCost,
        );
        let mut json = serde_json::to_value(&plan).unwrap();
        let d: PlanDigest = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(d.kpis, plan.kpis);
        json["solve"]["peak_memory_mb"] = serde_json::json!(12.5);
        let d: PlanDigest = serde_json::from_value(json).unwrap();
        let row = Row::from_plan("seed", "greedy-cost", &d, Some(40.0), 0.1);
        assert_eq!(row.peak_memory_mb, Some(12.5));
        assert_eq!(row.lower_bound, Some(40.0));
        assert_eq!(row.objective, Some(plan.kpis.cost.total));
        assert_eq!(row.status, "heuristic");
    }

    #[test]
    fn a_folder_of_scenarios_expands_to_its_scenarios_and_skips_other_json() {
        let seed = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/datasets/seed-example/two-shipments.json"
        );
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(seed, dir.path().join("a.json")).unwrap();
        std::fs::write(dir.path().join("expected.json"), "{\"a.json\": {}}").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not a scenario").unwrap();
        let folder = dir.path().join("wave");
        std::fs::create_dir(&folder).unwrap();
        std::fs::copy(seed, folder.join("scenario.json")).unwrap();
        let (found, skipped) = expand_instances(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!(found, [dir.path().join("a.json"), folder.clone()]);
        assert_eq!(skipped, [dir.path().join("expected.json")]);
        assert_eq!(instance_name(&found[0]), "a");
        assert_eq!(instance_name(&found[1]), "wave");
        // A scenario folder given directly is one instance.
        assert_eq!(
            expand_instances(std::slice::from_ref(&folder)).unwrap().0,
            [folder]
        );
        assert!(expand_instances(&[dir.path().join("missing")]).is_err());
    }
}
