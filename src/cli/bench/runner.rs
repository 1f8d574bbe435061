//! Runs the bench: every instance with every strategy, each run in a child
//! process of the `domopt` executable (so that peak memory is per run and a
//! crash costs one row, not the bench), after the LP bound of the instance.

use std::ffi::OsString;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::instances::instance_name;
use super::records::{
    CSV_HEADER, InstanceResult, PlanDigest, Row, share_instance_facts, write_csv_rows,
};

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

/// `domopt bound --json` output.
#[derive(Debug, Deserialize)]
struct BoundOutput {
    lp_bound: Option<f64>,
    time_s: Option<f64>,
}

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
