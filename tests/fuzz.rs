//! A structured mutation fuzzer of the command line, on stable Rust (no
//! libFuzzer): the shipped scenarios (JSON files, a CSV folder, a generated
//! tiny wave) are parsed and mutated as trees and tables (extreme and
//! non-finite numbers, type confusions, missing and extra fields, duplicate
//! and dangling ids, unicode and control characters, truncation, wrong CSV
//! headers, removed files, non-UTF-8 bytes, huge line counts; channels,
//! chosen services, time zones, transfer lanes, a model's `[transfers]` and
//! `[calendars]`) and the CLI flags are mutated too. One case in seven is a
//! `promise` (with a mutated cart file) or an `atp` query on the promise
//! network or the store-transfer scenario. Each case runs the built binary
//! in a child process under a memory limit, a file-size limit and a
//! wall-clock limit.
//!
//! The invariant of every case: the run ends with exit code 0, 2 or 3 (no
//! signal, no panic message, no time-out, no memory or file blow-up); a case
//! whose mutation makes the input certainly invalid (an unknown field or
//! column, a dangling or duplicate id, a type confusion, a truncated or
//! non-UTF-8 file) exits 2; exit 2 writes nothing; `--json` prints JSON; an
//! exit-0 plan passes `domopt check`; an exit-0 `generate` validates. For
//! `promise` and `atp` only exit 0 or 2 is allowed, and their `--json`
//! answers are checked: one promise per cart and one option per service,
//! every available option covering the cart line by line, dated by its
//! latest package and no earlier than any ship date, at a finite cost >= 0;
//! one ATP answer per `--sku`, never more available than ATP.
//!
//! Environment (the defaults are CI's bounded run, about a minute on two cores):
//! - `DOMOPT_FUZZ_SEED=S`: the run's seed (default 1); each case's seed derives
//!   from it and the case's number, so a run is reproducible.
//! - `DOMOPT_FUZZ_CASES=N`: how many cases (default 2000; unbounded when only
//!   `DOMOPT_FUZZ_SECONDS` is given).
//! - `DOMOPT_FUZZ_SECONDS=S`: stop starting cases after S seconds.
//! - `DOMOPT_FUZZ_CASE=I`: run case I of the seed alone (to reproduce one).
//! - `DOMOPT_FUZZ_JOBS=J`: cases run at once (default 2).
//! - `DOMOPT_FUZZ_CORPUS=DIR`: the corpus the replay test reads (default
//!   `tests/fuzz-corpus`); point it at `target/fuzz-failures` to replay those.
//!
//! A failing case is written to `target/fuzz-failures/<seed>-<case>/` in the
//! corpus layout: the scenario files and `case.json` (the arguments, with
//! `{case}` for the case's folder and `{out}` for a fresh output folder; the
//! exit codes allowed; strings that must not be printed; what was mutated).
//! Copied into `tests/fuzz-corpus/<defect-name>/`, the replay test keeps it.

use std::collections::BTreeMap;
use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_domopt");
/// Address space of a run: a scenario of a few kilobytes needs far less.
const MEMORY_LIMIT: u64 = 4 << 30;
/// Largest file a run may write.
const FILE_LIMIT: u64 = 256 << 20;
/// Most order lines a mutated scenario gets from the scale mutations. The
/// plan of a wave grows with its lines (a 75 MB scenario of 2.5 million
/// unfilled lines has a 350 MB plan.json, beyond [`FILE_LIMIT`] and beyond
/// what this harness can hold parsed): scale is the business of the peak
/// benchmarks; here it only has to cross the engine's own limits.
const MAX_LINES: usize = 200_000;
/// A run (with `--time-limit 2`) that takes longer has hung.
const WALL_LIMIT: Duration = Duration::from_secs(30);
/// Output kept of a run; the rest is read and dropped (a plan of 5,000
/// orders printed by `--json` is 2 MiB: a cap of 1 MiB cut it and failed
/// the JSON check).
const OUTPUT_CAP: usize = 64 << 20;
/// The secret a `--model` path points at: it must never be printed.
const SECRET: &str = "FUZZ-SECRET-do-not-echo";
const DEFAULT_CASES: u64 = 2000;

// ---------------------------------------------------------------- cases

/// One run: the files of its folder, its arguments and what it must do.
#[derive(Clone, Debug, Default)]
struct Case {
    /// Relative path -> contents.
    files: BTreeMap<String, Vec<u8>>,
    /// Arguments of `domopt`; `{case}` is the case's folder, `{out}` a fresh folder.
    args: Vec<String>,
    /// Exit codes allowed.
    expect: Vec<i32>,
    /// Strings that must appear in neither stdout nor stderr.
    forbid: Vec<String>,
    /// What was mutated (or, in the corpus, the defect).
    note: String,
    /// Why the input must be rejected (the mutations that make it invalid).
    reject: String,
    /// Corpus only: an exit-0 plan fills at least this share of the units.
    min_fill_rate: Option<f64>,
}

impl Case {
    fn write(&self, dir: &Path) {
        std::fs::create_dir_all(dir).unwrap();
        for (rel, bytes) in &self.files {
            let p = dir.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
        }
        let meta = json!({
            "args": self.args, "expect": self.expect, "forbid": self.forbid, "note": self.note,
            "reject": self.reject,
        });
        let mut meta = meta;
        if let Some(m) = self.min_fill_rate {
            meta["min_fill_rate"] = json!(m);
        }
        std::fs::write(
            dir.join("case.json"),
            serde_json::to_string_pretty(&meta).unwrap() + "\n",
        )
        .unwrap();
    }

    fn read(dir: &Path) -> Case {
        let meta: Value = serde_json::from_slice(
            &std::fs::read(dir.join("case.json"))
                .unwrap_or_else(|e| panic!("{}/case.json: {e}", dir.display())),
        )
        .unwrap_or_else(|e| panic!("{}/case.json: {e}", dir.display()));
        let strings = |k: &str| -> Vec<String> {
            meta[k]
                .as_array()
                .map(|a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect())
                .unwrap_or_default()
        };
        let mut files = BTreeMap::new();
        fn walk(root: &Path, dir: &Path, files: &mut BTreeMap<String, Vec<u8>>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    walk(root, &p, files);
                } else {
                    let rel = p.strip_prefix(root).unwrap().to_str().unwrap().to_string();
                    if rel != "case.json" {
                        files.insert(rel, std::fs::read(&p).unwrap());
                    }
                }
            }
        }
        walk(dir, dir, &mut files);
        Case {
            files,
            args: strings("args"),
            expect: meta["expect"]
                .as_array()
                .map(|a| a.iter().map(|c| c.as_i64().unwrap() as i32).collect())
                .unwrap_or_else(|| vec![0, 2, 3]),
            forbid: strings("forbid"),
            note: meta["note"].as_str().unwrap_or("").to_string(),
            reject: meta["reject"].as_str().unwrap_or("").to_string(),
            min_fill_rate: meta["min_fill_rate"].as_f64(),
        }
    }
}

// ---------------------------------------------------------------- running

struct Outcome {
    code: Option<i32>,
    signal: Option<i32>,
    timed_out: bool,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    secs: f64,
}

fn drain(mut r: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buf = [0u8; 65536];
        while let Ok(n) = r.read(&mut buf) {
            if n == 0 {
                break;
            }
            let room = OUTPUT_CAP.saturating_sub(kept.len()).min(n);
            kept.extend_from_slice(&buf[..room]);
        }
        kept
    })
}

/// Lines of an order record (0 if it has none or is not an order).
fn line_count(order: &Value) -> usize {
    order["lines"].as_array().map_or(0, Vec::len)
}

/// Runs `domopt args` in `cwd` under the memory, file-size and wall-clock limits.
fn run_limited(args: &[String], cwd: &Path) -> Outcome {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .current_dir(cwd)
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: only setrlimit, which is async-signal-safe, runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            for (res, v) in [
                (libc::RLIMIT_AS, MEMORY_LIMIT),
                (libc::RLIMIT_FSIZE, FILE_LIMIT),
                (libc::RLIMIT_CORE, 0),
            ] {
                let lim = libc::rlimit {
                    rlim_cur: v as libc::rlim_t,
                    rlim_max: v as libc::rlim_t,
                };
                if libc::setrlimit(res, &lim) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
    let start = Instant::now();
    let mut child = cmd.spawn().expect("domopt starts");
    let out = drain(child.stdout.take().unwrap());
    let err = drain(child.stderr.take().unwrap());
    let (status, timed_out) = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break (s, false);
        }
        if start.elapsed() > WALL_LIMIT {
            let _ = child.kill();
            break (child.wait().expect("wait"), true);
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Outcome {
        code: status.code(),
        signal: status.signal(),
        timed_out,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
        secs: start.elapsed().as_secs_f64(),
    }
}

/// A failed invariant: its class (for counting) and the details.
struct Failure {
    class: String,
    detail: String,
}

/// Digits and quoted text out, so that one defect is one class.
fn normalise(s: &str) -> String {
    let s: Vec<&str> = s
        .split(' ')
        .map(|w| if w.starts_with('/') { "<path>" } else { w })
        .collect();
    let mut out = String::new();
    let mut quoted = false;
    for c in s.join(" ").chars() {
        match c {
            '`' | '"' => {
                quoted = !quoted;
                out.push('_');
            }
            _ if quoted => {}
            '0'..='9' => {
                if !out.ends_with('#') {
                    out.push('#')
                }
            }
            _ => out.push(c),
        }
    }
    out.chars().take(110).collect()
}

fn tail(bytes: &[u8], lines: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

fn signal_name(sig: i32) -> &'static str {
    match sig {
        libc::SIGABRT => "SIGABRT",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGKILL => "SIGKILL",
        libc::SIGXFSZ => "SIGXFSZ (file-size limit)",
        libc::SIGBUS => "SIGBUS",
        libc::SIGILL => "SIGILL",
        _ => "signal",
    }
}

/// The cause of a run that broke the invariant, if it did.
fn crash_of(
    o: &Outcome,
    expect: &[i32],
    forbid: &[String],
    what: &str,
    reject: &str,
) -> Option<Failure> {
    let stderr = String::from_utf8_lossy(&o.stderr);
    let panic_line = stderr
        .lines()
        .find(|l| l.contains("panicked") || l.contains("overflowed its stack"));
    let reason = stderr
        .lines()
        .find(|l| l.contains("memory allocation of") || l.contains("overflowed its stack"))
        .or(panic_line);
    let (class, detail) = if o.timed_out {
        (
            format!("{what}: time-out"),
            format!("killed after {:.0} s", o.secs),
        )
    } else if let Some(sig) = o.signal {
        (
            format!(
                "{what}: {} {}",
                signal_name(sig),
                normalise(reason.unwrap_or(""))
            ),
            format!("killed by signal {sig} ({})", signal_name(sig)),
        )
    } else if let Some(p) = panic_line {
        // The location, and the message on the next line.
        let at = p.split("panicked at ").nth(1).unwrap_or(p);
        let message = stderr.lines().skip_while(|l| *l != p).nth(1).unwrap_or("");
        (
            format!("{what}: panic at {} {}", normalise(at), normalise(message)),
            "panicked".into(),
        )
    } else if o.code == Some(0) && !reject.is_empty() && !expect.contains(&0) {
        (
            format!("{what}: exit 0 on invalid input ({reject})"),
            "exit code 0, expected 2".into(),
        )
    } else if !expect.contains(&o.code.unwrap_or(-1)) {
        let last = stderr.lines().rev().find(|l| !l.trim().is_empty());
        (
            format!(
                "{what}: exit {} (expected {expect:?}) {}",
                o.code.unwrap_or(-1),
                normalise(last.unwrap_or(""))
            ),
            format!("exit code {:?}, expected one of {expect:?}", o.code),
        )
    } else if let Some(f) = forbid.iter().find(|f| {
        stderr.contains(f.as_str()) || String::from_utf8_lossy(&o.stdout).contains(f.as_str())
    }) {
        (
            format!("{what}: printed a forbidden string"),
            format!("printed `{f}`"),
        )
    } else {
        return None;
    };
    Some(Failure {
        class,
        detail: format!(
            "{detail} after {:.2} s\n--- stderr (tail)\n{}",
            o.secs,
            tail(&o.stderr, 6)
        ),
    })
}

fn substitute(args: &[String], case_dir: &Path, out: &Path) -> Vec<String> {
    args.iter()
        .map(|a| {
            a.replace("{case}", case_dir.to_str().unwrap())
                .replace("{out}", out.to_str().unwrap())
        })
        .collect()
}

fn is_empty_or_absent(dir: &Path) -> bool {
    !dir.exists() || std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none())
}

/// Runs a case in `dir` and checks the invariant.
fn verify(case: &Case, dir: &Path) -> Result<(), Failure> {
    let case_dir = dir.join("case");
    let out = dir.join("out");
    std::fs::create_dir_all(&case_dir).unwrap();
    for (rel, bytes) in &case.files {
        let p = case_dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    let args = substitute(&case.args, &case_dir, &out);
    let cmd = args.first().map(String::as_str).unwrap_or("");
    let o = run_limited(&args, dir);
    if let Some(f) = crash_of(&o, &case.expect, &case.forbid, cmd, &case.reject) {
        return Err(f);
    }
    let fail = |class: &str, detail: String| {
        Err(Failure {
            class: format!("{cmd}: {class}"),
            detail,
        })
    };
    let code = o.code.unwrap();
    let writes_out = args.iter().any(|a| a == "--out" || a == "-o");
    if code == 2 && writes_out && !is_empty_or_absent(&out) {
        return fail("exit 2 but wrote into --out", String::new());
    }
    let json_out = serde_json::from_slice::<Value>(&o.stdout);
    if let (0, true, Err(e)) = (code, args.iter().any(|a| a == "--json"), &json_out) {
        return fail(
            "--json printed no JSON",
            format!("{e}: {}", tail(&o.stdout, 3)),
        );
    }
    if let (0, Ok(answer)) = (code, &json_out) {
        let broken = match cmd {
            "promise" => promise_broken(answer, case),
            "atp" => atp_broken(answer, &args),
            _ => None,
        };
        if let Some((class, detail)) = broken {
            return fail(class, detail);
        }
    }
    if code == 0 && cmd == "solve" && writes_out {
        // The plan's figures are sane: rates are fractions, costs finite numbers.
        let plan: Value = match std::fs::read(out.join("plan.json"))
            .map_err(|e| e.to_string())
            .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
        {
            Ok(p) => p,
            Err(e) => return fail("exit 0 without a readable plan.json", e),
        };
        for rate in ["fill_rate", "split_rate", "on_time_rate"] {
            let r = &plan["kpis"][rate];
            // With no package (or no multi-unit order) a rate is undefined: null.
            let undefined = r.is_null() && rate != "fill_rate";
            if !undefined && !r.as_f64().is_some_and(|r| (0.0..=1.0).contains(&r)) {
                return fail(
                    &format!("kpis.{rate} not in [0, 1]"),
                    format!("{rate} = {r}"),
                );
            }
        }
        // (A baseline's solve.objective is null: it solves no model. A
        // non-finite cost is written as null too.)
        let total = &plan["kpis"]["cost"]["total"];
        if !total.as_f64().is_some_and(f64::is_finite) {
            return fail(
                "kpis.cost.total is not a finite number",
                format!("kpis.cost.total = {total}"),
            );
        }
        if let Some(min) = case.min_fill_rate {
            let r = plan["kpis"]["fill_rate"].as_f64().unwrap_or(0.0);
            if r < min {
                return fail(
                    "fill rate below the case's minimum",
                    format!("fill_rate = {r}, the case needs at least {min}"),
                );
            }
        }
        // A twin (the same scenario with stock as unlimited another way)
        // gets the same plan.
        if case.files.contains_key("twin/scenario.json") {
            let twin_out = dir.join("out-twin");
            let twin_args: Vec<String> = args
                .iter()
                .map(|a| {
                    a.replace("/case/scenario.json", "/case/twin/scenario.json")
                        .replace(out.to_str().unwrap(), twin_out.to_str().unwrap())
                })
                .collect();
            let t = run_limited(&twin_args, dir);
            if let Some(f) = crash_of(&t, &[0], &case.forbid, "twin", "") {
                return Err(f);
            }
            let twin: Value = std::fs::read(twin_out.join("plan.json"))
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
                .unwrap_or_default();
            for k in ["fill_rate", "packages"] {
                if plan["kpis"][k] != twin["kpis"][k] {
                    return fail(
                        "more stock than u32::MAX changed the plan",
                        format!(
                            "kpis.{k} {} with the inbound, {} without",
                            plan["kpis"][k], twin["kpis"][k]
                        ),
                    );
                }
            }
        }
        // The same scenario and cost model, checked independently.
        let mut check = vec![
            "check".to_string(),
            args[1].clone(),
            out.to_str().unwrap().into(),
        ];
        for (i, a) in args.iter().enumerate() {
            if (a == "--model" || a == "--set") && i + 1 < args.len() {
                check.extend([a.clone(), args[i + 1].clone()]);
            }
        }
        let c = run_limited(&check, dir);
        if let Some(f) = crash_of(&c, &[0], &case.forbid, "check of an exit-0 plan", "") {
            return Err(Failure {
                class: f.class,
                detail: format!("{}\n--- check stdout\n{}", f.detail, tail(&c.stdout, 4)),
            });
        }
    }
    if code == 0 && cmd == "generate" {
        let v = vec!["validate".to_string(), out.to_str().unwrap().into()];
        let c = run_limited(&v, dir);
        if let Some(f) = crash_of(&c, &[0], &[], "validate of a generated wave", "") {
            return Err(f);
        }
    }
    Ok(())
}

/// What is wrong with a `promise --json` answer, if anything: one promise
/// per cart, in order; one option per service (the same services for every
/// cart, `pickup` as well exactly when the cart names a pickup node); an
/// available option's packages cover the cart's units line by line, and it
/// delivers no earlier than they ship, on its latest package's date, at a
/// finite cost >= 0.
fn promise_broken(answer: &Value, case: &Case) -> Option<(&'static str, String)> {
    let cart_file: Value = case
        .files
        .get("carts.json")
        .and_then(|b| serde_json::from_slice(b).ok())?;
    let carts = match cart_file.get("carts") {
        Some(list) => list.as_array()?.clone(),
        None => vec![cart_file],
    };
    let Some(promises) = answer.as_array().filter(|p| p.len() == carts.len()) else {
        return Some((
            "not one promise per cart",
            format!("{} cart(s)", carts.len()),
        ));
    };
    let mut services: Option<Vec<&str>> = None;
    for (k, (p, cart)) in promises.iter().zip(&carts).enumerate() {
        let id = cart["id"]
            .as_str()
            .map_or(format!("{}", k + 1), String::from);
        if p["cart"].as_str() != Some(&id) {
            return Some(("promises not in the carts' order", format!("{p}")));
        }
        let options = p["options"].as_array().map(Vec::as_slice).unwrap_or(&[]);
        let mut names: Vec<&str> = options
            .iter()
            .filter_map(|o| o["service"].as_str())
            .collect();
        let pickup = names.iter().position(|s| *s == "pickup");
        if pickup.is_some() != cart["pickup_node"].is_string() {
            return Some(("a pickup option without a pickup node or none with one", id));
        }
        if let Some(i) = pickup {
            names.remove(i);
        }
        let mut distinct = names.clone();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() != names.len() || services.get_or_insert(names.clone()) != &names {
            return Some((
                "not one option per service",
                format!("cart {id}: {names:?}"),
            ));
        }
        let wanted: Vec<f64> = cart["lines"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|l| l["quantity"].as_f64().unwrap_or(0.0))
            .collect();
        for o in options.iter().filter(|o| o["status"] == "available") {
            if let Some(why) = option_broken(o, &wanted) {
                return Some((why, format!("cart {id}: {o}")));
            }
        }
    }
    None
}

/// Whether `d` is written `YYYY-MM-DD`: dates compare as text only then,
/// and a plan can name no other (chrono writes year 10000 as `+10000-01-03`).
fn written_as_a_date(d: &str) -> bool {
    d.len() == 10
        && d.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
}

/// What is wrong with an available option of a cart of `wanted` units per
/// line, if anything.
fn option_broken(o: &Value, wanted: &[f64]) -> Option<&'static str> {
    let date = o["delivery_date"].as_str()?;
    if !o["cost"]
        .as_f64()
        .is_some_and(|c| c.is_finite() && c >= 0.0)
    {
        return Some("an option's cost is not a finite number >= 0");
    }
    let packages = o["packages"].as_array().filter(|p| !p.is_empty());
    let Some(packages) = packages else {
        return Some("an available option without packages");
    };
    let mut latest = "";
    let mut covered = vec![0.0; wanted.len()];
    for pkg in packages {
        for pair in pkg["lines"].as_array().into_iter().flatten() {
            let line = pair[0].as_u64().map_or(usize::MAX, |l| l as usize);
            let Some(c) = covered.get_mut(line) else {
                return Some("a package of a line the cart does not have");
            };
            *c += pair[1].as_f64().unwrap_or(f64::NAN);
        }
        let (Some(ship), Some(ready)) = (pkg["ship_date"].as_str(), pkg["delivery_date"].as_str())
        else {
            return Some("a package without its dates");
        };
        if ![date, ship, ready].into_iter().all(written_as_a_date) {
            return Some("a date not written YYYY-MM-DD (past 9999-12-31)");
        }
        if ship > date || ship > ready {
            return Some("an option delivers before a package ships");
        }
        if !pkg["cost"]
            .as_f64()
            .is_some_and(|c| c.is_finite() && c >= 0.0)
        {
            return Some("a package's cost is not a finite number >= 0");
        }
        latest = latest.max(ready);
    }
    if covered != wanted {
        return Some("an option's packages do not cover the cart's units line by line");
    }
    (latest != date).then_some("an option's date is not its latest package's")
}

/// What is wrong with an `atp --json` answer, if anything: one answer per
/// `--sku`, and no node or network figure available beyond its ATP.
fn atp_broken(answer: &Value, args: &[String]) -> Option<(&'static str, String)> {
    let skus = args.iter().filter(|a| *a == "--sku").count();
    let Some(rows) = answer.as_array().filter(|r| r.len() == skus) else {
        return Some(("not one answer per --sku", format!("{skus} --sku")));
    };
    for r in rows {
        let within = |x: &Value| {
            x["available"]
                .as_u64()
                .zip(x["atp"].as_u64())
                .is_some_and(|(a, atp)| a <= atp)
        };
        if !within(&r["network"]) || !r["nodes"].as_array().is_some_and(|n| n.iter().all(within)) {
            return Some(("more available than ATP", format!("{r}")));
        }
    }
    None
}

// ---------------------------------------------------------------- seeds

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[derive(Clone)]
enum Seed {
    /// A JSON scenario.
    File(Value),
    /// A folder: scenario.json (parsed) and CSV tables by name.
    Folder(Value, BTreeMap<String, Vec<u8>>),
}

fn read_folder(dir: &Path) -> Seed {
    let mut tables = BTreeMap::new();
    let mut json = Value::Null;
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_str().unwrap().to_string();
        if name == "scenario.json" {
            json = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
        } else if name.ends_with(".csv") {
            tables.insert(name, std::fs::read(&p).unwrap());
        }
    }
    Seed::Folder(json, tables)
}

/// The shipped datasets and a generated tiny wave.
fn seeds(tmp: &Path) -> Vec<(String, Seed)> {
    let mut seeds = Vec::new();
    for rel in [
        "seed-example/two-shipments.json",
        "seed-example/backorder.json",
        "small/capacity-crunch.json",
        "small/ship-complete.json",
        "small/holiday-deadline.json",
        "small/pickup-and-market.json",
        "small/lateness.json",
        "explicit-cost/example.json",
        "small/pickup-transfer.json",
        "promise/network.json",
    ] {
        let text = std::fs::read(manifest().join("datasets").join(rel)).unwrap();
        seeds.push((
            rel.to_string(),
            Seed::File(serde_json::from_slice(&text).unwrap()),
        ));
    }
    seeds.push((
        "small/csv-folder".into(),
        read_folder(&manifest().join("datasets/small/csv-folder")),
    ));
    let tiny = tmp.join("tiny");
    let st = Command::new(BIN)
        .args(["generate", "--preset", "tiny", "--seed", "1", "--out"])
        .arg(&tiny)
        .output()
        .expect("generate runs");
    assert!(st.status.success(), "generate --preset tiny failed");
    seeds.push(("generate --preset tiny --seed 1".into(), read_folder(&tiny)));
    seeds
}

// ---------------------------------------------------------------- JSON mutations

#[derive(Clone, Debug)]
enum Seg {
    K(String),
    I(usize),
}

fn all_paths(v: &Value, prefix: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                prefix.push(Seg::K(k.clone()));
                out.push(prefix.clone());
                all_paths(c, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                prefix.push(Seg::I(i));
                out.push(prefix.clone());
                all_paths(c, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

fn at<'a>(v: &'a mut Value, path: &[Seg]) -> &'a mut Value {
    path.iter().fold(v, |v, s| match s {
        Seg::K(k) => &mut v[k.as_str()],
        Seg::I(i) => &mut v[*i],
    })
}

/// The nearest key at or above the end of `path`.
fn key_of(path: &[Seg]) -> &str {
    path.iter()
        .rev()
        .find_map(|s| match s {
            Seg::K(k) => Some(k.as_str()),
            Seg::I(_) => None,
        })
        .unwrap_or("")
}

fn type_of(v: &Value) -> u8 {
    match v {
        Value::Null => 0,
        Value::Bool(_) => 1,
        Value::Number(_) => 2,
        Value::String(_) => 3,
        Value::Array(_) => 4,
        Value::Object(_) => 5,
    }
}

fn extreme_number(rng: &mut ChaCha8Rng) -> Value {
    [
        json!(0),
        json!(-1),
        json!(1.5),
        json!(17000),
        json!(65536),
        json!(2147483648u64),
        json!(4294967294u64),
        json!(4294967295u64),
        json!(4294967296u64),
        json!(u64::MAX),
        json!(1e308),
        json!(-1e308),
        json!(1e-300),
        json!(9007199254740993u64),
        json!(-0.0),
        json!(1e15),
    ]
    .choose(rng)
    .unwrap()
    .clone()
}

fn weird_string(rng: &mut ChaCha8Rng) -> String {
    let pool = [
        String::new(),
        "\u{0}".into(),
        "\u{1b}[31mred\u{7f}".into(),
        "\u{202e}gnp.exe".into(),
        "日本語の注文".into(),
        "🦀🦀".into(),
        "a\nb\r\nc\t".into(),
        "x".repeat(100_000),
        "2026-02-30".into(),
        "9999-12-31T23:59".into(),
        "0001-01-01".into(),
        "2026-12-01T24:00".into(),
        "+2026-12-01".into(),
        " 60611 ".into(),
        "00000".into(),
        "-1".into(),
        "NaN".into(),
        "Infinity".into(),
        "1e999".into(),
        "a,b\"c".into(),
        "../../etc/passwd".into(),
        "%s%n{}".into(),
    ];
    pool.choose(rng).unwrap().clone()
}

fn get<'a>(v: &'a Value, path: &[Seg]) -> &'a Value {
    path.iter().fold(v, |v, s| match s {
        Seg::K(k) => &v[k.as_str()],
        Seg::I(i) => &v[*i],
    })
}

fn paths_where(v: &Value, pred: impl Fn(&[Seg], &Value) -> bool) -> Vec<Vec<Seg>> {
    let mut all = Vec::new();
    all_paths(v, &mut Vec::new(), &mut all);
    all.into_iter().filter(|p| pred(p, get(v, p))).collect()
}

/// What a mutation did: notes, and whether the input is now certainly invalid.
#[derive(Default)]
struct Effect {
    notes: Vec<String>,
    /// Why the input is now certainly invalid (empty: it may be valid).
    reject: Vec<&'static str>,
    /// An inventory row whose stock is u32::MAX or so with and without its
    /// inbound: unlimited either way, so dropping the inbound changes no plan.
    unlimited_row: Option<usize>,
}

impl Effect {
    fn reject(&mut self, why: &'static str) {
        if !self.reject.contains(&why) {
            self.reject.push(why);
        }
    }
}

fn path_text(p: &[Seg]) -> String {
    p.iter()
        .map(|s| match s {
            Seg::K(k) => format!(".{k}"),
            Seg::I(i) => format!("[{i}]"),
        })
        .collect()
}

fn mutate_json(v: &mut Value, rng: &mut ChaCha8Rng, e: &mut Effect) {
    let wave_date: String = v["wave_time"]
        .as_str()
        .unwrap_or("2026-12-01")
        .chars()
        .take(10)
        .collect();
    match rng.random_range(0..18) {
        // Issue 12's fields: channels, an order's channel and service, time
        // zones, transfer lanes.
        14 => mutate_channels(v, rng, e),
        15 => mutate_order_channel_or_service(v, rng, e),
        16 => mutate_time_zones(v, rng, e),
        17 => mutate_transfer_lanes(v, rng, e),
        // An extreme number anywhere a number is.
        0 | 1 => {
            let ps = paths_where(v, |_, x| x.is_number());
            if let Some(p) = ps.choose(rng) {
                let n = extreme_number(rng);
                e.notes.push(format!("{} = {n}", path_text(p)));
                *at(v, p) = n;
            }
        }
        // A huge order line.
        2 => {
            let ps = paths_where(v, |p, x| x.is_number() && key_of(p) == "quantity");
            if let Some(p) = ps.choose(rng) {
                let n = *[17000u64, 65536, 100_000, 2147483648, 4294967295]
                    .choose(rng)
                    .unwrap();
                e.notes.push(format!("{} = {n}", path_text(p)));
                *at(v, p) = json!(n);
                if rng.random_bool(0.5) {
                    // ... and in stock, so that the search places every unit.
                    // Rows an earlier mutation turned into other types are left alone.
                    for row in v["inventory"].as_array_mut().into_iter().flatten() {
                        if let Some(row) = row.as_object_mut() {
                            row.insert("on_hand".into(), json!(n.min(1 << 20) * 2));
                        }
                    }
                    e.notes.push("every inventory row in stock for it".into());
                }
            }
        }
        // Stock near u32::MAX plus inbound on the wave date.
        3 => {
            if let Some(rows) = v["inventory"].as_array_mut().filter(|a| !a.is_empty()) {
                let i = rng.random_range(0..rows.len());
                if !rows[i].is_object() {
                    return;
                }
                let on_hand = *[4294967295u64, 4294967294, 2147483648].choose(rng).unwrap();
                let inbound = *[1u64, 2, 10, 4294967295].choose(rng).unwrap();
                rows[i]["on_hand"] = json!(on_hand);
                rows[i]["inbound_quantity"] = json!(inbound);
                rows[i]["inbound_date"] = json!(wave_date);
                if on_hand >= 4294967294 && inbound <= 10 {
                    e.unlimited_row = Some(i);
                }
                e.notes.push(format!(
                    ".inventory[{i}] on_hand {on_hand} + inbound {inbound}"
                ));
            }
        }
        // An extreme policy value or service level.
        4 => {
            let key = *[
                "split_penalty",
                "late_penalty_per_day",
                "unfilled_penalty_per_unit",
                "store_premium_per_unit",
                "cross_market_penalty",
                "service_levels",
            ]
            .choose(rng)
            .unwrap();
            let n = extreme_number(rng);
            if !v["policy"].is_object() {
                v["policy"] = json!({});
            }
            if key == "service_levels" {
                let name = *["standard", "two_day", "overnight", "express"]
                    .choose(rng)
                    .unwrap();
                v["policy"][key] = json!({ name: n });
            } else {
                v["policy"][key] = n.clone();
                if key == "unfilled_penalty_per_unit" && rng.random_bool(0.5) {
                    // The per-unit penalty counts only under the fixed rule.
                    v["policy"]["unfilled_rule"] = json!("fixed");
                }
            }
            e.notes
                .push(format!(".policy.{key} = {}", v["policy"][key]));
        }
        // A carrier service with an extreme transit or rate.
        5 => {
            let id = *["ground", "two_day", "overnight"].choose(rng).unwrap();
            let mut transit = vec![json!(1); 8];
            let mut rate = vec![json!(5.0); 8];
            let z = rng.random_range(0..8);
            if rng.random_bool(0.7) {
                transit[z] = extreme_number(rng);
            } else {
                rate[z] = extreme_number(rng);
            }
            let svc = json!({ "id": id, "per_package": rate, "transit_days": transit });
            e.notes.push(format!(".services += {svc}"));
            if !v["services"].is_array() {
                v["services"] = json!([]);
            }
            v["services"].as_array_mut().unwrap().push(svc);
        }
        // Any value of another type.
        6 => {
            let ps = paths_where(v, |_, _| true);
            if let Some(p) = ps.choose(rng) {
                let new = [
                    json!(null),
                    json!(true),
                    json!("fuzz"),
                    json!(7),
                    json!([]),
                    json!({}),
                    json!([1, 2]),
                    json!({"a": 1}),
                ]
                .choose(rng)
                .unwrap()
                .clone();
                let old = at(v, p);
                let was = type_of(old);
                // A number where a string was, or anything else of another type
                // (not null: many fields are optional), cannot parse. Maps
                // (service_levels) take any key; whole-number lists are excluded.
                if was != 0 && type_of(&new) != 0 && type_of(&new) != was {
                    e.reject("type confusion");
                }
                e.notes
                    .push(format!("{} = {new} (was {})", path_text(p), old));
                *old = new;
            }
        }
        // A field removed.
        7 => {
            let ps = paths_where(v, |p, _| matches!(p.last(), Some(Seg::K(_))));
            if let Some(p) = ps.choose(rng) {
                let (last, parent) = p.split_last().unwrap();
                if let (Seg::K(k), Some(m)) = (last, at(v, parent).as_object_mut()) {
                    m.remove(k);
                    e.notes.push(format!("removed {}", path_text(p)));
                }
            }
        }
        // An unknown field.
        8 => {
            let ps = paths_where(v, |p, x| x.is_object() && key_of(p) != "service_levels");
            let mut ps = ps;
            ps.push(vec![]);
            let p = ps.choose(rng).unwrap();
            let key = *["fuzz_extra", "Quantity", "ship-complete", "ID"]
                .choose(rng)
                .unwrap();
            at(v, p)[key] = json!(1);
            e.reject("unknown field");
            e.notes
                .push(format!("{}.{key} = 1 (unknown field)", path_text(p)));
        }
        // A duplicate record (duplicate id).
        9 => {
            let list = *[
                "nodes",
                "skus",
                "orders",
                "inventory",
                "channels",
                "transfer_lanes",
            ]
            .choose(rng)
            .unwrap();
            if let Some(a) = v[list].as_array_mut().filter(|a| !a.is_empty()) {
                let i = rng.random_range(0..a.len());
                let dup = a[i].clone();
                a.push(dup);
                e.reject("duplicate record");
                e.notes.push(format!(".{list}[{i}] duplicated"));
            }
        }
        // A dangling reference.
        10 => {
            let ps = paths_where(v, |p, x| {
                x.is_string()
                    && (matches!(p.first(), Some(Seg::K(k)) if k == "inventory")
                        && ["node", "sku"].contains(&key_of(p))
                        || matches!(p.first(), Some(Seg::K(k)) if k == "orders")
                            && ["sku", "channel", "service"].contains(&key_of(p))
                        || matches!(p.first(), Some(Seg::K(k)) if k == "transfer_lanes")
                            && ["from", "to"].contains(&key_of(p)))
            });
            if let Some(p) = ps.choose(rng) {
                *at(v, p) = json!("fuzz-missing");
                e.reject("dangling reference");
                e.notes
                    .push(format!("{} = fuzz-missing (dangling)", path_text(p)));
            }
        }
        // A weird string.
        11 => {
            let ps = paths_where(v, |_, x| x.is_string());
            if let Some(p) = ps.choose(rng) {
                let s = weird_string(rng);
                e.notes.push(format!(
                    "{} = {:?}",
                    path_text(p),
                    s.chars().take(40).collect::<String>()
                ));
                *at(v, p) = json!(s);
            }
        }
        // Many orders (renamed copies) or one order with many lines.
        12 => {
            if let Some(orders) = v["orders"].as_array_mut().filter(|a| !a.is_empty()) {
                if rng.random_bool(0.5) {
                    let n = *[200usize, 2000, 5000].choose(rng).unwrap();
                    let base = orders.clone();
                    let mut lines: usize = orders.iter().map(line_count).sum();
                    let mut k = 0;
                    while orders.len() < n {
                        let mut o = base[k % base.len()].clone();
                        lines += line_count(&o);
                        if lines > MAX_LINES {
                            break;
                        }
                        if let Some(m) = o.as_object_mut() {
                            let id = m.get("id").and_then(Value::as_str).unwrap_or("o");
                            let id = format!("{id}-fuzz{k}");
                            m.insert("id".into(), json!(id));
                        }
                        orders.push(o);
                        k += 1;
                    }
                    e.notes.push(format!("{n} orders"));
                } else {
                    let n = *[50usize, 500, 5000].choose(rng).unwrap();
                    let i = rng.random_range(0..orders.len());
                    let others: usize =
                        orders.iter().map(line_count).sum::<usize>() - line_count(&orders[i]);
                    let n = n.min(MAX_LINES.saturating_sub(others));
                    if let Some(lines) = orders[i]
                        .get_mut("lines")
                        .and_then(Value::as_array_mut)
                        .filter(|a| !a.is_empty())
                    {
                        let base = lines.clone();
                        while lines.len() < n {
                            lines.push(base[lines.len() % base.len()].clone());
                        }
                        e.notes.push(format!(".orders[{i}] has {n} lines"));
                    }
                }
            }
        }
        // A number as a string ("NaN", "1e999"): a type confusion.
        _ => {
            let ps = paths_where(v, |_, x| x.is_number());
            if let Some(p) = ps.choose(rng) {
                let s = *["NaN", "inf", "-Infinity", "1e999", "1"]
                    .choose(rng)
                    .unwrap();
                e.reject("number as a string");
                e.notes.push(format!("{} = \"{s}\"", path_text(p)));
                *at(v, p) = json!(s);
            }
        }
    }
}

// ---------------------------------------------------------------- issue 12's scenario fields

/// The ids of a scenario's records in `list` (nodes, channels, ...).
fn ids_of(v: &Value, list: &str) -> Vec<String> {
    v[list]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["id"].as_str().map(String::from))
        .collect()
}

/// The scenario's `channels`, made a list if it is not one.
fn channels_mut(v: &mut Value) -> &mut Vec<Value> {
    if !v["channels"].is_array() {
        v["channels"] = json!([]);
    }
    v["channels"].as_array_mut().unwrap()
}

/// A channel with a buffer or a network share, or one of those out of range.
fn mutate_channels(v: &mut Value, rng: &mut ChaCha8Rng, e: &mut Effect) {
    let nodes = ids_of(v, "nodes");
    let id = format!("fuzz-channel-{}", rng.random_range(0..3));
    let channel = match rng.random_range(0..7) {
        0 => json!({ "id": id, "buffer": { "units": extreme_number(rng) } }),
        1 => {
            let kinds = *[&["store"][..], &["dc"], &["store", "dc"], &[]]
                .choose(rng)
                .unwrap();
            let units = *[0u64, 1, 2, 5, 4294967295].choose(rng).unwrap();
            json!({ "id": id, "buffer": { "units": units, "node_kinds": kinds } })
        }
        2 => {
            let some: Vec<&String> = nodes.iter().filter(|_| rng.random_bool(0.5)).collect();
            json!({ "id": id, "buffer": { "units": rng.random_range(0..4), "nodes": some } })
        }
        3 => {
            let share = *[1e-9, 0.3, 0.5, 1.0].choose(rng).unwrap();
            json!({ "id": id, "network_share": share })
        }
        4 => {
            let share = *[0.0, -0.5, 1.5, 1e308].choose(rng).unwrap();
            e.reject("network share outside (0, 1]");
            json!({ "id": id, "network_share": share })
        }
        5 => {
            e.reject("buffer of an unknown node kind or node");
            if rng.random_bool(0.5) {
                json!({ "id": id, "buffer": { "units": 1, "node_kinds": ["warehouse"] } })
            } else {
                json!({ "id": id, "buffer": { "units": 1, "nodes": ["fuzz-missing"] } })
            }
        }
        _ => json!({ "id": id }),
    };
    e.notes.push(format!(".channels += {channel}"));
    let list = channels_mut(v);
    if list.iter().any(|c| c["id"] == channel["id"]) {
        e.reject("duplicate record");
    }
    list.push(channel);
}

/// An order in a channel (made if need be) or naming a carrier service.
fn mutate_order_channel_or_service(v: &mut Value, rng: &mut ChaCha8Rng, e: &mut Effect) {
    let n = v["orders"].as_array().map_or(0, Vec::len);
    if n == 0 || !v["orders"].as_array().unwrap().iter().all(Value::is_object) {
        return;
    }
    let i = rng.random_range(0..n);
    if rng.random_bool(0.5) {
        let mut channels = ids_of(v, "channels");
        if channels.is_empty() || rng.random_bool(0.3) {
            let id = format!("fuzz-walk-in-{}", channels.len());
            let units = *[1u64, 2, 1000, 4294967295].choose(rng).unwrap();
            channels_mut(v).push(json!({ "id": id, "buffer": { "units": units } }));
            e.notes
                .push(format!(".channels += {id} with a buffer of {units}"));
            channels.push(id);
        }
        let id = channels.choose(rng).unwrap().clone();
        e.notes.push(format!(".orders[{i}].channel = {id}"));
        v["orders"][i]["channel"] = json!(id);
    } else {
        let service = *[
            "ground",
            "two_day",
            "overnight",
            "express",
            "pickup",
            "transfer",
        ]
        .choose(rng)
        .unwrap();
        if ["pickup", "transfer"].contains(&service) {
            e.reject("an order chose a built-in service");
        }
        e.notes.push(format!(".orders[{i}].service = {service}"));
        v["orders"][i]["service"] = json!(service);
    }
}

/// The scenario's and a node's time zones, real or unknown.
fn mutate_time_zones(v: &mut Value, rng: &mut ChaCha8Rng, e: &mut Effect) {
    let zones = [
        "America/New_York",
        "America/Los_Angeles",
        "Asia/Tokyo",
        "Pacific/Kiritimati",
        "Pacific/Pago_Pago",
        "UTC",
    ];
    let scenario_zone = v["time_zone"].as_str().map(String::from);
    let n = v["nodes"].as_array().map_or(0, Vec::len);
    if rng.random_bool(0.5) || n == 0 || !v["nodes"][0].is_object() {
        let z = if rng.random_bool(0.15) {
            e.reject("unknown time zone");
            "Mars/Olympus_Mons"
        } else {
            zones.choose(rng).unwrap()
        };
        e.notes.push(format!(".time_zone = {z}"));
        v["time_zone"] = json!(z);
    } else {
        let i = rng.random_range(0..n);
        if !v["nodes"][i].is_object() {
            return;
        }
        let z = zones.choose(rng).unwrap();
        if scenario_zone.is_none() {
            e.reject("a node's time zone without the scenario's");
        }
        e.notes.push(format!(".nodes[{i}].time_zone = {z}"));
        v["nodes"][i]["time_zone"] = json!(z);
    }
}

/// A transfer lane to a pickup store, with extreme values, to itself or twice.
fn mutate_transfer_lanes(v: &mut Value, rng: &mut ChaCha8Rng, e: &mut Effect) {
    let nodes = ids_of(v, "nodes");
    let stores: Vec<String> = v["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|n| {
            n["capabilities"]
                .as_array()
                .is_some_and(|c| c.contains(&json!("pickup")))
        })
        .filter_map(|n| n["id"].as_str().map(String::from))
        .collect();
    let (Some(from), Some(to)) = (nodes.choose(rng), stores.choose(rng)) else {
        return;
    };
    let mut lane = json!({ "from": from, "to": to });
    if from == to {
        e.reject("a transfer lane from a node to itself");
    }
    for key in ["per_package", "per_unit", "lead_days"] {
        if rng.random_bool(0.3) {
            lane[key] = extreme_number(rng);
        }
    }
    if !v["transfer_lanes"].is_array() {
        v["transfer_lanes"] = json!([]);
    }
    let lanes = v["transfer_lanes"].as_array_mut().unwrap();
    if lanes
        .iter()
        .any(|l| l["from"] == lane["from"] && l["to"] == lane["to"])
    {
        e.reject("duplicate record");
    }
    e.notes.push(format!(".transfer_lanes += {lane}"));
    lanes.push(lane);
}

// ---------------------------------------------------------------- CSV mutations

fn parse_csv(bytes: &[u8]) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

fn write_csv(rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.into_inner().unwrap()
}

fn mutate_csv(
    tables: &mut BTreeMap<String, Vec<u8>>,
    json: &Value,
    rng: &mut ChaCha8Rng,
    e: &mut Effect,
) {
    let names: Vec<String> = tables.keys().cloned().collect();
    let Some(name) = names.choose(rng).cloned() else {
        return;
    };
    let mut rows = parse_csv(&tables[&name]);
    if rows.is_empty() {
        return;
    }
    let width = rows[0].len();
    match rng.random_range(0..9) {
        // A header renamed: miscased or unknown.
        0 => {
            let c = rng.random_range(0..width);
            let old = rows[0][c].clone();
            let new = if rng.random_bool(0.5) {
                old.split('_')
                    .map(|w| {
                        let mut cs = w.chars();
                        cs.next()
                            .map(|f| f.to_uppercase().chain(cs).collect::<String>())
                            .unwrap_or_default()
                    })
                    .collect::<Vec<_>>()
                    .join("_")
            } else {
                format!("{old}_x")
            };
            if new != old {
                e.reject("renamed CSV header");
            }
            e.notes.push(format!("{name}: header {old} -> {new}"));
            rows[0][c] = new;
        }
        // A column dropped.
        1 => {
            let c = rng.random_range(0..width);
            e.notes
                .push(format!("{name}: column {} dropped", rows[0][c]));
            for r in &mut rows {
                if c < r.len() {
                    r.remove(c);
                }
            }
        }
        // An extra column.
        2 => {
            e.reject("extra CSV column");
            e.notes.push(format!("{name}: extra column"));
            for (i, r) in rows.iter_mut().enumerate() {
                r.push(if i == 0 {
                    "fuzz_extra".into()
                } else {
                    "1".into()
                });
            }
        }
        // A cell: an extreme number or a weird string.
        3 | 4 if rows.len() > 1 => {
            let r = rng.random_range(1..rows.len());
            let c = rng.random_range(0..rows[r].len().max(1));
            let s = if rng.random_bool(0.6) {
                [
                    "0",
                    "-1",
                    "1.5",
                    "17000",
                    "65536",
                    "2147483648",
                    "4294967295",
                    "4294967296",
                    "18446744073709551616",
                    "1e308",
                    "-1e308",
                    "NaN",
                    "inf",
                    "",
                    " 1",
                    "0x10",
                ]
                .choose(rng)
                .unwrap()
                .to_string()
            } else {
                weird_string(rng)
            };
            e.notes.push(format!(
                "{name}: row {r} {} = {:?}",
                rows[0].get(c).cloned().unwrap_or_default(),
                s.chars().take(40).collect::<String>()
            ));
            if c < rows[r].len() {
                rows[r][c] = s;
            }
        }
        // A short row.
        5 if rows.len() > 1 => {
            let r = rng.random_range(1..rows.len());
            let keep = rng.random_range(0..rows[r].len());
            rows[r].truncate(keep);
            e.notes
                .push(format!("{name}: row {r} cut to {keep} fields"));
        }
        // A file removed: order lines without their orders must be rejected.
        6 => {
            tables.remove(&name);
            let orphan_lines = name == "orders.csv"
                && tables
                    .get("order_lines.csv")
                    .is_some_and(|t| parse_csv(t).len() > 1)
                && json["orders"].as_array().is_none_or(|a| a.is_empty());
            if orphan_lines {
                e.reject("order lines without orders.csv");
            }
            e.notes.push(format!("{name} removed"));
            return;
        }
        // Many rows: orders copied under new ids with their lines, or one order's line repeated.
        _ => {
            if let (Some(o), Some(l)) = (tables.get("orders.csv"), tables.get("order_lines.csv")) {
                let (orders, lines) = (parse_csv(o), parse_csv(l));
                if orders.len() > 1 && lines.len() > 1 {
                    let (mut orders2, mut lines2) = (orders.clone(), lines.clone());
                    if rng.random_bool(0.5) {
                        let n = *[1000usize, 5000].choose(rng).unwrap();
                        let mut k = 0;
                        // At most about 50,000 lines: big, not a memory test.
                        while orders2.len() <= n && lines2.len() < 50_000 {
                            for r in &orders[1..] {
                                let mut r = r.clone();
                                let id = format!("{}-f{k}", r[0]);
                                for line in lines[1..].iter().filter(|x| x[0] == r[0]) {
                                    let mut line = line.clone();
                                    line[0] = id.clone();
                                    lines2.push(line);
                                }
                                r[0] = id;
                                orders2.push(r);
                            }
                            k += 1;
                        }
                        e.notes.push(format!("{} orders", orders2.len() - 1));
                    } else {
                        let n = *[100usize, 1000, 10000].choose(rng).unwrap();
                        let r = lines[rng.random_range(1..lines.len())].clone();
                        lines2.extend(std::iter::repeat_n(r, n));
                        e.notes
                            .push(format!("order_lines.csv: one line repeated {n} times"));
                    }
                    tables.insert("orders.csv".into(), write_csv(&orders2));
                    tables.insert("order_lines.csv".into(), write_csv(&lines2));
                    return;
                }
            }
        }
    }
    tables.insert(name, write_csv(&rows));
}

/// Byte-level damage after serialising: truncation, non-UTF-8, a stray quote.
fn mutate_bytes(bytes: &mut Vec<u8>, is_json: bool, rng: &mut ChaCha8Rng, e: &mut Effect) {
    if bytes.is_empty() {
        return;
    }
    let at = rng.random_range(0..bytes.len());
    match rng.random_range(0..3) {
        0 => {
            bytes.truncate(at);
            // A JSON object cut anywhere is no longer JSON.
            if is_json {
                e.reject("truncated JSON");
            }
            e.notes.push(format!("cut at byte {at}"));
        }
        1 => {
            bytes.insert(at, *[0xffu8, 0xc3, 0x80].choose(rng).unwrap());
            e.reject("non-UTF-8 byte");
            e.notes.push(format!("non-UTF-8 byte at {at}"));
        }
        _ => {
            bytes.insert(at, b'"');
            e.notes.push(format!("stray quote at {at}"));
        }
    }
}

// ---------------------------------------------------------------- flags

const STRATEGIES: [&str; 7] = [
    "auto",
    "decompose",
    "monolithic",
    "greedy-cost",
    "shopify",
    "closest",
    "ranked",
];

fn mutate_flags(args: &mut Vec<String>, case: &mut Case, rng: &mut ChaCha8Rng, e: &mut Effect) {
    let pick = |rng: &mut ChaCha8Rng, pool: &[&str]| pool.choose(rng).unwrap().to_string();
    let (flag, value): (&str, Option<String>) = match rng.random_range(0..9) {
        0 => (
            "--candidates",
            Some(pick(
                rng,
                &[
                    "exact",
                    "pruned:0",
                    "pruned:1",
                    "pruned:3",
                    "pruned:4294967295",
                    "pruned:18446744073709551615",
                    "pruned:-1",
                    "pruned:",
                    "pruned:x",
                    "Exact",
                ],
            )),
        ),
        1 => (
            "--threads",
            Some(pick(rng, &["0", "1", "2", "64", "4294967295", "-1"])),
        ),
        2 => (
            "--time-limit",
            Some(pick(rng, &["0.5", "1e-9", "0", "-1", "NaN", "inf", "x"])),
        ),
        3 => (
            "--gap",
            Some(pick(rng, &["0", "1", "-1", "NaN", "1e308", "0.5"])),
        ),
        4 if rng.random_bool(0.5) => (
            "--seed",
            Some(pick(rng, &["0", "4294967295", "4294967296"])),
        ),
        // A second --strategy (clap refuses it) or an unknown one.
        4 => (
            "--strategy",
            Some(pick(rng, &["AUTO", "", "nope", "greedy"])),
        ),
        5 => {
            let m = pick(
                rng,
                &[
                    "us-parcel",
                    "jasin-sinha",
                    "no-such-model",
                    "secret",
                    "scenario",
                    "toml",
                ],
            );
            let value = match m.as_str() {
                "secret" => {
                    case.files.insert(
                        "secret.txt".into(),
                        format!("root:x:0:0:{SECRET}:/root:/bin/sh\n").into_bytes(),
                    );
                    case.forbid.push(SECRET.into());
                    "{case}/secret.txt".to_string()
                }
                "scenario" => "{case}".to_string(),
                "toml" if rng.random_bool(0.5) => {
                    case.files
                        .insert("model.toml".into(), model_with_mutated_tables(rng, e));
                    "{case}/model.toml".to_string()
                }
                "toml" => {
                    let v = extreme_number(rng);
                    let key = pick(
                        rng,
                        &[
                            "split_penalty",
                            "unfilled_penalty_per_unit",
                            "late_penalty_per_day",
                        ],
                    );
                    case.files
                        .insert("model.toml".into(), format!("{key} = {v}\n").into_bytes());
                    "{case}/model.toml".to_string()
                }
                _ => m,
            };
            ("--model", Some(value))
        }
        6 => {
            let key = pick(
                rng,
                &[
                    "split_penalty",
                    "late_penalty_per_day",
                    "unfilled_penalty_per_unit",
                    "store_premium_per_unit",
                    "cross_market_penalty",
                    "unfilled_rule",
                    "cross_market",
                    "service_levels",
                    "no_such_key",
                ],
            );
            let value = if key == "service_levels" {
                pick(
                    rng,
                    &[
                        "{standard=4294967295}",
                        "{standard=2147483648, two_day=1e308}",
                        "{standard=-1}",
                        "{standard=3}",
                        "[1]",
                    ],
                )
            } else {
                pick(
                    rng,
                    &[
                        "12",
                        "-1",
                        "1e308",
                        "nan",
                        "inf",
                        "twice-worst",
                        "penalty",
                        "\"\"",
                        "{a=1}",
                    ],
                )
            };
            if rng.random_bool(0.2) {
                // A newline in a value must not set another key.
                e.reject("newline in a --set value");
                let first = pick(
                    rng,
                    &["unfilled_rule=\"fixed\"", "service_levels={standard=3}"],
                );
                ("--set", Some(format!("{first}\n{key}={value}")))
            } else {
                ("--set", Some(format!("{key}={value}")))
            }
        }
        7 => ("--json", None),
        _ => {
            // HiGHS's log must not break --json.
            args.push("--json".into());
            ("--solver-log", None)
        }
    };
    e.notes.push(format!(
        "{flag} {}",
        value.clone().unwrap_or_default().escape_debug()
    ));
    args.push(flag.into());
    args.extend(value);
}

/// The us-parcel model with its `[transfers]` table's values extreme or
/// missing, and sometimes a `[calendars]` table of odd dates.
fn model_with_mutated_tables(rng: &mut ChaCha8Rng, e: &mut Effect) -> Vec<u8> {
    let text = std::fs::read_to_string(manifest().join("models/us-parcel.toml")).unwrap();
    let (head, _) = text
        .split_once("[transfers]")
        .expect("us-parcel has [transfers]");
    let mut toml = format!("{head}[transfers]\n");
    for key in ["per_package", "per_unit", "lead_days"] {
        match rng.random_range(0..4) {
            0 => {}
            1 => toml.push_str(&format!("{key} = {}\n", extreme_number(rng))),
            _ => toml.push_str(&format!("{key} = 2\n")),
        }
    }
    if rng.random_bool(0.5) {
        let dates = *[
            "[\"2026-12-21\", \"2026-12-22\"]",
            "[]",
            "[\"2026-02-30\"]",
            "[\"9999-12-31\", \"0001-01-01\"]",
            "[1]",
        ]
        .choose(rng)
        .unwrap();
        let name = *["ups", "fuzz_calendar"].choose(rng).unwrap();
        toml.push_str(&format!("\n[calendars]\n{name} = {dates}\n"));
    }
    e.notes.push(format!(
        "model: {}",
        toml.split_once("[transfers]").unwrap().1.escape_debug()
    ));
    toml.into_bytes()
}

// ---------------------------------------------------------------- promise and atp cases

/// The carts quoted on `small/pickup-transfer.json`: pickup carts whose
/// lines need store transfers, and a home delivery.
fn transfer_carts() -> Value {
    json!({ "carts": [
        { "id": "book-and-lamp", "lat": 40.05, "lon": -83.0, "pickup_node": "store-columbus",
          "lines": [{ "sku": "book", "quantity": 2 }, { "sku": "lamp", "quantity": 1 }] },
        { "id": "two-lamps", "lat": 40.05, "lon": -83.0, "pickup_node": "store-columbus",
          "lines": [{ "sku": "lamp", "quantity": 2 }] },
        { "id": "home", "lat": 40.05, "lon": -83.0, "lines": [{ "sku": "book", "quantity": 1 }] }
    ]})
}

/// The carts of a cart file (one cart or `{"carts": [...]}`), if it is a list.
fn carts_of(v: &mut Value) -> Option<&mut Vec<Value>> {
    if v.get("carts").is_some() {
        v["carts"].as_array_mut()
    } else {
        None
    }
}

/// One mutation of a cart file: quantities, ids, dates, sizes, destinations.
fn mutate_cart(v: &mut Value, scenario: &Value, rng: &mut ChaCha8Rng, e: &mut Effect) {
    let Some(carts) = carts_of(v).filter(|c| !c.is_empty() && c.iter().all(Value::is_object))
    else {
        return mutate_json(v, rng, e);
    };
    let i = rng.random_range(0..carts.len());
    let lines = carts[i]["lines"].as_array().map_or(0, Vec::len);
    match rng.random_range(0..12) {
        0 if lines > 0 && carts[i]["lines"][0].is_object() => {
            let q = [
                json!(0),
                json!(-1),
                json!(0.5),
                json!(1e-300),
                json!(1),
                json!(1e308),
                json!(4294967295u64),
                json!(9007199254740992u64),
                json!(100000),
            ]
            .choose(rng)
            .unwrap()
            .clone();
            if q.as_f64().is_some_and(|q| q <= 0.0 || q.fract() != 0.0) {
                e.reject("a cart line of no or part units");
            }
            e.notes.push(format!(".carts[{i}].lines[0].quantity = {q}"));
            carts[i]["lines"][0]["quantity"] = q;
        }
        1 => {
            let (key, value, why) = *[
                ("channel", "fuzz-missing", "unknown channel"),
                ("pickup_node", "fuzz-missing", "unknown pickup node"),
                (
                    "pickup_node",
                    "dc-newark",
                    "pickup at a node without pickup",
                ),
                ("market", "XX", ""),
                ("market", "", ""),
            ]
            .choose(rng)
            .unwrap();
            // (dc-newark is a DC without the pickup capability only in network.json.)
            if !why.is_empty()
                && (value != "dc-newark" || ids_of(scenario, "nodes").contains(&value.into()))
            {
                e.reject(why);
            }
            e.notes.push(format!(".carts[{i}].{key} = {value:?}"));
            carts[i][key] = json!(value);
        }
        2 if lines > 0 && carts[i]["lines"][0].is_object() => {
            e.reject("unknown SKU");
            e.notes
                .push(format!(".carts[{i}].lines[0].sku = fuzz-missing"));
            carts[i]["lines"][0]["sku"] = json!("fuzz-missing");
        }
        3 => {
            let mut channels = ids_of(scenario, "channels");
            channels.push(String::new());
            let c = channels.choose(rng).unwrap();
            if c.is_empty() {
                carts[i].as_object_mut().unwrap().remove("channel");
                e.notes.push(format!(".carts[{i}] in the default channel"));
            } else {
                e.notes.push(format!(".carts[{i}].channel = {c}"));
                carts[i]["channel"] = json!(c);
            }
        }
        4 => {
            let (at, bad) = *[
                ("2026-11-01T08:00", false),
                ("2026-12-18T09:59", false),
                ("2026-12-24T23:59", false),
                ("2027-03-14T02:30", false),
                ("1970-01-01T00:00", false),
                ("0001-01-01T00:00", false),
                ("9999-12-31T23:59", false),
                ("2026-12-18", false),
                ("2026-02-30T10:00", true),
                ("2026-12-18T25:00", true),
                ("yesterday", true),
            ]
            .choose(rng)
            .unwrap();
            if bad {
                e.reject("cart quoted at no date");
            }
            e.notes.push(format!(".carts[{i}].at = {at}"));
            carts[i]["at"] = json!(at);
        }
        5 => {
            let (by, bad) = *[
                ("1900-01-01", false),
                ("2026-12-17", false),
                ("2026-12-18", false),
                ("2026-12-24", false),
                ("2027-01-04", false),
                ("9999-12-31", false),
                ("0001-01-01", false),
                ("2026-13-01", true),
                ("soon", true),
            ]
            .choose(rng)
            .unwrap();
            if bad {
                e.reject("cart needed by no date");
            }
            e.notes.push(format!(".carts[{i}].deliver_by = {by}"));
            carts[i]["deliver_by"] = json!(by);
        }
        6 if lines > 0 => {
            // At and over the 100-line limit of one cart.
            let n = *[99usize, 100, 101, 5000].choose(rng).unwrap();
            if n > 100 {
                e.reject("more than 100 lines in a cart");
            }
            let base = carts[i]["lines"].as_array().unwrap().clone();
            let mut all = Vec::with_capacity(n);
            while all.len() < n {
                all.push(base[all.len() % base.len()].clone());
            }
            e.notes.push(format!(".carts[{i}] has {n} lines"));
            carts[i]["lines"] = json!(all);
        }
        7 => {
            // Many carts (renamed copies); each is quoted.
            let n = *[50usize, 300].choose(rng).unwrap();
            let base = carts.clone();
            let mut k = 0;
            while carts.len() < n {
                let mut c = base[k % base.len()].clone();
                c["id"] = json!(format!("fuzz-cart-{k}"));
                carts.push(c);
                k += 1;
            }
            e.notes.push(format!("{n} carts"));
        }
        8 => {
            let (key, value) = [
                ("zip", json!("00000")),
                ("zip", json!("99999")),
                ("zip", json!("ABCDE")),
                ("lat", json!(91.0)),
                ("lat", json!(-1e308)),
                ("lon", json!(180.0)),
                ("lat", json!(0.0)),
            ]
            .choose(rng)
            .unwrap()
            .clone();
            e.notes.push(format!(".carts[{i}].{key} = {value}"));
            carts[i][key] = value;
        }
        9 => {
            // No destination at all.
            let c = carts[i].as_object_mut().unwrap();
            for k in ["zip", "lat", "lon"] {
                c.remove(k);
            }
            e.reject("a cart without a destination");
            e.notes.push(format!(".carts[{i}] has no destination"));
        }
        10 => {
            // Carts are not required to have distinct ids: each is quoted.
            let dup = carts[i].clone();
            carts.push(dup);
            e.notes.push(format!(".carts[{i}] twice"));
        }
        _ => mutate_json(v, rng, e),
    }
}

/// Bytes of a cart file, sometimes with a field twice (serde refuses it).
fn cart_bytes(v: &Value, rng: &mut ChaCha8Rng, e: &mut Effect) -> Vec<u8> {
    let mut text = serde_json::to_string(v).unwrap();
    if let Some(at) = text
        .find("{\"quantity\":")
        .filter(|_| rng.random_bool(0.05))
    {
        text.insert_str(at + 1, "\"quantity\":1,");
        e.reject("a field twice");
        e.notes.push("a line's quantity twice".into());
    }
    let mut bytes = text.into_bytes();
    if rng.random_bool(0.05) {
        mutate_bytes(&mut bytes, true, rng, e);
    }
    bytes
}

/// A `promise` or `atp` case on the promise network (or the transfer
/// scenario), with the scenario and the cart file mutated.
fn make_promise_case(seeds: &[(String, Seed)], rng: &mut ChaCha8Rng) -> Case {
    let mut e = Effect::default();
    let mut case = Case {
        expect: vec![0, 2],
        ..Case::default()
    };
    let transfers = rng.random_bool(0.25);
    let (name, mut carts) = if transfers {
        ("small/pickup-transfer.json", transfer_carts())
    } else {
        let text = std::fs::read(manifest().join("datasets/promise/carts.json")).unwrap();
        (
            "promise/network.json",
            serde_json::from_slice(&text).unwrap(),
        )
    };
    let Some((_, Seed::File(mut scenario))) = seeds.iter().find(|(n, _)| n == name).cloned() else {
        panic!("{name} is a seed");
    };
    // Most cases quote the scenario as shipped: most scenario mutations
    // make it invalid, and the quote itself is what is fuzzed here.
    let rounds = if rng.random_bool(0.6) {
        0
    } else {
        rng.random_range(1..=2)
    };
    for _ in 0..rounds {
        if !e.reject.is_empty() {
            break;
        }
        mutate_json(&mut scenario, rng, &mut e);
    }
    let atp = rng.random_bool(0.3);
    let mut args: Vec<String> = vec![
        if atp { "atp" } else { "promise" }.into(),
        "{case}/scenario.json".into(),
    ];
    if atp {
        atp_flags(&mut args, &scenario, rng, &mut e);
    } else {
        for _ in 0..rng.random_range(0..=2) {
            if !e.reject.is_empty() {
                break;
            }
            mutate_cart(&mut carts, &scenario, rng, &mut e);
        }
        case.files
            .insert("carts.json".into(), cart_bytes(&carts, rng, &mut e));
        args.extend(["--cart".into(), "{case}/carts.json".into()]);
    }
    if rng.random_bool(0.85) {
        args.push("--json".into());
    }
    if rng.random_bool(0.1) {
        case.files
            .insert("model.toml".into(), model_with_mutated_tables(rng, &mut e));
        args.extend(["--model".into(), "{case}/model.toml".into()]);
    }
    case.files.insert(
        "scenario.json".into(),
        serde_json::to_vec_pretty(&scenario).unwrap(),
    );
    case.args = args;
    if !e.reject.is_empty() {
        case.expect = vec![2];
        case.reject = e.reject.join(", ");
    }
    case.note = format!("from {name}: {}", e.notes.join("; "));
    case
}

/// `atp`'s flags: SKUs (known, unknown, repeated), a date, a channel, a market.
fn atp_flags(args: &mut Vec<String>, scenario: &Value, rng: &mut ChaCha8Rng, e: &mut Effect) {
    let skus = ids_of(scenario, "skus");
    for _ in 0..rng.random_range(1..=3) {
        let sku = match skus.choose(rng) {
            Some(sku) if rng.random_bool(0.9) => sku.clone(),
            _ => {
                e.reject("unknown SKU");
                "fuzz-missing".into()
            }
        };
        args.extend(["--sku".into(), sku]);
    }
    if rng.random_bool(0.5) {
        let (date, bad) = *[
            ("2026-12-18", false),
            ("2026-12-21", false),
            ("1970-01-01", false),
            ("9999-12-31", false),
            ("0001-01-01", false),
            ("2026-02-30", true),
            ("2026-12-18T10:00", true),
            ("x", true),
        ]
        .choose(rng)
        .unwrap();
        if bad {
            e.reject("atp on no date");
        }
        args.extend(["--date".into(), date.into()]);
    }
    if rng.random_bool(0.5) {
        let mut channels = ids_of(scenario, "channels");
        channels.push("fuzz-missing".into());
        let c = channels.choose(rng).unwrap().clone();
        if c == "fuzz-missing" {
            e.reject("unknown channel");
        }
        args.extend(["--channel".into(), c]);
    }
    if rng.random_bool(0.3) {
        let m = *["US", "CA", "XX", ""].choose(rng).unwrap();
        args.extend(["--market".into(), m.into()]);
    }
    e.notes.push(args[2..].join(" "));
}

// ---------------------------------------------------------------- a case

fn make_case(seeds: &[(String, Seed)], rng: &mut ChaCha8Rng) -> Case {
    let mut case = Case {
        expect: vec![0, 2, 3],
        ..Case::default()
    };
    let mut e = Effect::default();
    if rng.random_bool(0.15) {
        return make_promise_case(seeds, rng);
    }
    if rng.random_bool(0.05) {
        // The generator's knobs.
        let knob = *[
            "orders",
            "skus",
            "stores",
            "dcs",
            "lines_mix",
            "zipf_exponent",
            "capacity_slack",
            "wave_time",
            "holiday",
        ]
        .choose(rng)
        .unwrap();
        let value = *[
            "0",
            "-1",
            "1.5",
            "4294967296",
            "100000000",
            "1e308",
            "nan",
            "x",
            "true",
            "[1]",
        ]
        .choose(rng)
        .unwrap();
        case.args = [
            "generate", "--preset", "tiny", "--seed", "2", "--out", "{out}", "--set",
        ]
        .map(String::from)
        .to_vec();
        case.args.push(format!("{knob}={value}"));
        case.note = format!("generate --set {knob}={value}");
        return case;
    }
    let (name, seed) = seeds.choose(rng).unwrap();
    let scenario_arg;
    let rounds = rng.random_range(1..=3);
    match seed.clone() {
        Seed::File(mut v) => {
            // No round after one that makes the input invalid: a later one
            // could undo it (rename the duplicate, drop the unknown field).
            for _ in 0..rounds {
                if !e.reject.is_empty() {
                    break;
                }
                mutate_json(&mut v, rng, &mut e);
            }
            let mut bytes = if rng.random_bool(0.5) {
                serde_json::to_vec_pretty(&v).unwrap()
            } else {
                serde_json::to_vec(&v).unwrap()
            };
            if rng.random_bool(0.1) {
                mutate_bytes(&mut bytes, true, rng, &mut e);
                e.unlimited_row = None;
            }
            let small_lines = paths_where(&v, |p, x| key_of(p) == "quantity" && x.is_number())
                .iter()
                .all(|p| get(&v, p).as_f64().is_some_and(|q| q < 1e9));
            // A later round may have changed that row (its stock set to -0.0,
            // say): the twins then differ by real stock, not by stock beyond
            // u32::MAX, and are not compared.
            let still_unlimited = e.unlimited_row.is_some_and(|i| {
                let row = &v["inventory"][i];
                row["on_hand"]
                    .as_f64()
                    .is_some_and(|q| q >= f64::from(u32::MAX))
                    && row.get("inbound_quantity").is_some()
            });
            if let (Some(i), true, true) = (e.unlimited_row, small_lines, still_unlimited) {
                // The twin: the same scenario without that row's inbound.
                let mut twin = v.clone();
                if let Some(row) = twin
                    .get_mut("inventory")
                    .and_then(|r| r.get_mut(i))
                    .and_then(Value::as_object_mut)
                {
                    row.remove("inbound_quantity");
                    row.remove("inbound_date");
                }
                case.files.insert(
                    "twin/scenario.json".into(),
                    serde_json::to_vec_pretty(&twin).unwrap(),
                );
                e.notes
                    .push(format!("twin without the inbound of .inventory[{i}]"));
            }
            case.files.insert("scenario.json".into(), bytes);
            scenario_arg = "{case}/scenario.json".to_string();
        }
        Seed::Folder(mut v, mut tables) => {
            for _ in 0..rounds {
                if !e.reject.is_empty() {
                    break;
                }
                if rng.random_bool(0.6) {
                    mutate_csv(&mut tables, &v, rng, &mut e);
                } else {
                    mutate_json(&mut v, rng, &mut e);
                }
            }
            // (A cut could drop a renamed header: no damage after an invalid round.)
            if e.reject.is_empty() && rng.random_bool(0.1) {
                let names: Vec<String> = tables.keys().cloned().collect();
                if let Some(n) = names.choose(rng) {
                    let mut bytes = tables[n].clone();
                    let before = e.notes.len();
                    mutate_bytes(&mut bytes, false, rng, &mut e);
                    if let Some(note) = e.notes.get_mut(before) {
                        *note = format!("{n}: {note}");
                    }
                    tables.insert(n.clone(), bytes);
                }
            }
            case.files.insert(
                "scenario/scenario.json".into(),
                serde_json::to_vec_pretty(&v).unwrap(),
            );
            for (n, t) in tables {
                case.files.insert(format!("scenario/{n}"), t);
            }
            scenario_arg = "{case}/scenario".to_string();
        }
    }
    let mut strategy = *STRATEGIES.choose(rng).unwrap();
    if case.files.contains_key("twin/scenario.json") {
        // Deterministic whatever the time: the twins' plans are compared.
        strategy = "greedy-cost";
    }
    let mut args: Vec<String> = vec![
        "solve".into(),
        scenario_arg,
        "--out".into(),
        "{out}".into(),
        "--time-limit".into(),
        "2".into(),
        "--strategy".into(),
        strategy.into(),
    ];
    if rng.random_bool(0.3) {
        for _ in 0..rng.random_range(1..=2) {
            mutate_flags(&mut args, &mut case, rng, &mut e);
        }
    }
    case.args = args;
    if !e.reject.is_empty() {
        case.expect = vec![2];
        case.reject = e.reject.join(", ");
    }
    case.note = format!("from {name}: {}", e.notes.join("; "));
    case
}

// ---------------------------------------------------------------- tests

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().map(|v| {
        v.trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v}: a whole number, please"))
    })
}

fn case_seed(seed: u64, i: u64) -> u64 {
    seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ i.wrapping_mul(0xD1B5_4A32_D192_ED03)
}

#[test]
fn random_mutations_of_the_shipped_scenarios_never_crash_hang_or_write_a_plan_that_check_rejects() {
    let seed = env_u64("DOMOPT_FUZZ_SEED").unwrap_or(1);
    let seconds = env_u64("DOMOPT_FUZZ_SECONDS");
    let cases = env_u64("DOMOPT_FUZZ_CASES").unwrap_or(if seconds.is_some() {
        u64::MAX
    } else {
        DEFAULT_CASES
    });
    let only = env_u64("DOMOPT_FUZZ_CASE");
    let jobs = env_u64("DOMOPT_FUZZ_JOBS").unwrap_or(2).max(1);
    let tmp = tempfile::tempdir().unwrap();
    let seeds = seeds(tmp.path());
    let start = Instant::now();
    let next = AtomicU64::new(only.unwrap_or(0));
    let last = only.map_or(cases, |i| i + 1);
    let ran = AtomicU64::new(0);
    // class -> (count, first failing case's folder, its details)
    let failures: Mutex<BTreeMap<String, (usize, PathBuf, String)>> = Mutex::default();
    std::thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| {
                loop {
                    if seconds.is_some_and(|t| start.elapsed().as_secs() >= t) {
                        break;
                    }
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= last {
                        break;
                    }
                    let mut rng = ChaCha8Rng::seed_from_u64(case_seed(seed, i));
                    let made = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        make_case(&seeds, &mut rng)
                    }));
                    let Ok(case) = made else {
                        // A bug of this file, not of domopt: counted, the run goes on.
                        let mut m = failures.lock().unwrap();
                        let class = "the fuzzer itself panicked while mutating".to_string();
                        m.entry(class).or_insert((0, PathBuf::new(), String::new())).0 += 1;
                        continue;
                    };
                    let dir = tmp.path().join(format!("case-{i}"));
                    let result = verify(&case, &dir);
                    ran.fetch_add(1, Ordering::SeqCst);
                    if let Err(f) = result {
                        let keep = manifest()
                            .join("target/fuzz-failures")
                            .join(format!("{seed}-{i}"));
                        let _ = std::fs::remove_dir_all(&keep);
                        case.write(&keep);
                        eprintln!(
                            "fuzz case {i} FAILED: {}\n  {}\n  kept in {}\n  rerun: DOMOPT_FUZZ_SEED={seed} DOMOPT_FUZZ_CASE={i} cargo test --release --test integration fuzz::random_mutations\n  by hand: cd {} && {BIN} {}\n  {}",
                            f.class,
                            case.note,
                            keep.display(),
                            keep.display(),
                            substitute(&case.args, Path::new("."), Path::new("/tmp/domopt-fuzz-out"))
                                .iter()
                                .map(|a| format!("{a:?}"))
                                .collect::<Vec<_>>()
                                .join(" "),
                            f.detail.replace('\n', "\n  ")
                        );
                        let mut m = failures.lock().unwrap();
                        let entry = m.entry(f.class).or_insert((0, keep, f.detail));
                        entry.0 += 1;
                    }
                    let _ = std::fs::remove_dir_all(&dir);
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    let ran = ran.into_inner();
    eprintln!(
        "fuzz: seed {seed}, {ran} cases in {:.0} s, {} failing class(es)",
        start.elapsed().as_secs_f64(),
        failures.len()
    );
    let summary: Vec<String> = failures
        .iter()
        .map(|(class, (n, keep, _))| format!("{n:>4} x {class}\n       e.g. {}", keep.display()))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {ran} fuzz cases broke the invariant:\n{}",
        failures.values().map(|f| f.0).sum::<usize>(),
        summary.join("\n")
    );
    assert!(ran > 0, "no case ran");
}

#[test]
fn every_case_of_the_committed_corpus_keeps_the_invariant() {
    let corpus = std::env::var_os("DOMOPT_FUZZ_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest().join("tests/fuzz-corpus"));
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .unwrap_or_else(|e| panic!("{}: {e}", corpus.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("case.json").is_file())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty(), "no case in {}", corpus.display());
    let tmp = tempfile::tempdir().unwrap();
    let mut failed = Vec::new();
    for d in &dirs {
        let case = Case::read(d);
        let name = d.file_name().unwrap().to_str().unwrap();
        let t = Instant::now();
        match verify(&case, &tmp.path().join(name)) {
            Ok(()) => eprintln!("ok     {name} ({:.1} s)", t.elapsed().as_secs_f64()),
            Err(f) => {
                eprintln!(
                    "FAILED {name}: {}\n       {}\n       {}",
                    f.class,
                    case.note,
                    f.detail.replace('\n', "\n       ")
                );
                failed.push(format!("{name}: {}", f.class));
            }
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} corpus cases broke the invariant:\n{}",
        failed.len(),
        dirs.len(),
        failed.join("\n")
    );
}
