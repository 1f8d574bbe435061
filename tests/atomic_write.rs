//! `solve --out DIR` writes the plan all at once: killed at any point, DIR
//! holds the complete old plan or the complete new one; links are never
//! followed; an unusable DIR fails before solving; no temporary file stays.
//! The kill test uses the test hook `DOMOPT_TEST_WRITE_DELAY_MS`, which
//! announces each step of the write on stderr and sleeps before it.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_domopt");
const STEP: &str = "domopt-test-write-step: ";
const PLAN_FILES: [&str; 4] = ["backorders.csv", "orders.csv", "plan.json", "shipments.csv"];

fn dataset(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("datasets")
        .join(rel)
}

/// Two scenarios whose plans the checker tells apart.
fn scenario_a() -> PathBuf {
    dataset("small/capacity-crunch.json")
}

fn scenario_b() -> PathBuf {
    dataset("small/lateness.json")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn domopt(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("the binary runs")
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exited with a code")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn solve(scenario: &Path, dir: &Path) -> Output {
    domopt(&["solve", s(scenario), "--out", s(dir)])
}

fn checks(scenario: &Path, dir: &Path) -> bool {
    let out = domopt(&["check", s(scenario), s(dir)]);
    code(&out) == 0
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("folder readable")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Starts `solve scenario --out dir` with the write hook and returns it with
/// a reader of its step announcements.
fn start_slow_solve(
    scenario: &Path,
    dir: &Path,
    delay_ms: u64,
) -> (
    std::process::Child,
    std::io::Lines<BufReader<std::process::ChildStderr>>,
) {
    let mut child = Command::new(BIN)
        .args(["solve", s(scenario), "--out", s(dir)])
        .env("DOMOPT_TEST_WRITE_DELAY_MS", delay_ms.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let lines = BufReader::new(child.stderr.take().unwrap()).lines();
    (child, lines)
}

/// Reads announcements until the `n`-th step (1-based) is announced; returns
/// its name, or None if the process ended first.
fn wait_for_step(
    lines: &mut std::io::Lines<BufReader<std::process::ChildStderr>>,
    n: usize,
) -> Option<String> {
    let mut seen = 0;
    for line in lines.by_ref() {
        let line = line.ok()?;
        if let Some(step) = line.strip_prefix(STEP) {
            seen += 1;
            if seen == n {
                return Some(step.to_string());
            }
        }
    }
    None
}

#[test]
fn kill_during_write_leaves_old_or_new_plan() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("plan");
    let out = solve(&scenario_a(), &dir);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let (a, b) = (scenario_a(), scenario_b());

    // The steps of one write, from a run to the end.
    let (mut child, lines) = start_slow_solve(&b, &dir, 1);
    let steps: Vec<String> = lines
        .map_while(Result::ok)
        .filter_map(|l| l.strip_prefix(STEP).map(str::to_string))
        .collect();
    assert!(child.wait().unwrap().success());
    assert!(steps.len() >= 10, "{steps:?}");
    assert!(checks(&b, &dir) && !checks(&a, &dir));

    // Kill at each step, just as it is announced and a little into it,
    // solving each time the scenario DIR does not hold.
    let delay_ms = 20;
    let mut current = b.clone();
    let (mut kept_old, mut got_new) = (0, 0);
    for n in 1..=steps.len() {
        for offset_ms in [0, delay_ms / 2, delay_ms + 2] {
            let next = if current == a { b.clone() } else { a.clone() };
            let (mut child, mut lines) = start_slow_solve(&next, &dir, delay_ms);
            let step = wait_for_step(&mut lines, n);
            std::thread::sleep(Duration::from_millis(offset_ms));
            let _ = child.kill();
            child.wait().unwrap();
            let (old_ok, new_ok) = (checks(&current, &dir), checks(&next, &dir));
            assert!(
                old_ok != new_ok,
                "killed at step {n} ({step:?}) +{offset_ms} ms: old plan checks {old_ok}, \
                 new plan checks {new_ok}; folder holds {:?}",
                names(&dir)
            );
            assert_eq!(names(&dir), PLAN_FILES, "killed at step {n} ({step:?})");
            if new_ok {
                got_new += 1;
                current = next;
            } else {
                kept_old += 1;
            }
        }
    }
    // Kills before the swap kept the old plan, kills after it the new one.
    assert!(kept_old > 0 && got_new > 0, "old {kept_old}, new {got_new}");

    // A write to the end removes what the killed ones left beside DIR.
    let next = if current == a { b.clone() } else { a.clone() };
    let out = solve(&next, &dir);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(checks(&next, &dir));
    assert_eq!(names(root.path()), ["plan"]);
}

#[test]
fn kill_during_a_first_write_leaves_no_folder_or_the_complete_plan() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("plan");
    let (mut child, lines) = start_slow_solve(&scenario_a(), &dir, 1);
    let steps = lines
        .map_while(Result::ok)
        .filter(|l| l.starts_with(STEP))
        .count();
    assert!(child.wait().unwrap().success());
    let (mut absent, mut complete) = (0, 0);
    for n in 1..=steps {
        std::fs::remove_dir_all(&dir).unwrap_or_default();
        let (mut child, mut lines) = start_slow_solve(&scenario_a(), &dir, 10);
        let step = wait_for_step(&mut lines, n);
        let _ = child.kill();
        child.wait().unwrap();
        if dir.exists() {
            assert!(checks(&scenario_a(), &dir), "killed at step {n} ({step:?})");
            assert_eq!(names(&dir), PLAN_FILES, "killed at step {n} ({step:?})");
            complete += 1;
        } else {
            absent += 1;
        }
    }
    assert!(
        absent > 0 && complete > 0,
        "absent {absent}, complete {complete}"
    );
}

#[test]
fn a_symlink_at_the_out_folder_is_not_followed() {
    let root = tempfile::tempdir().unwrap();
    let victim = root.path().join("victim");
    std::fs::create_dir(&victim).unwrap();
    std::fs::write(victim.join("plan.json"), "precious").unwrap();
    let link = root.path().join("plan");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let out = solve(&scenario_a(), &link);
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert!(text(&out).contains("symbolic link"), "{}", text(&out));
    assert_eq!(names(&victim), ["plan.json"]);
    assert_eq!(
        std::fs::read(victim.join("plan.json")).unwrap(),
        b"precious"
    );
    assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
}

#[test]
fn symlinks_planted_at_temporary_names_are_not_followed() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("plan");
    let victim = root.path().join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    let victim_dir = root.path().join("victim-dir");
    std::fs::create_dir(&victim_dir).unwrap();
    std::fs::write(victim_dir.join("keep.txt"), "precious").unwrap();
    // Where an older domopt put its temporary files, and a name like ours.
    let out = solve(&scenario_a(), &dir);
    assert_eq!(code(&out), 0, "{}", text(&out));
    std::os::unix::fs::symlink(&victim, dir.join(".plan.json.tmp")).unwrap();
    let planted = root.path().join(".plan.domopt-planted");
    std::os::unix::fs::symlink(&victim_dir, &planted).unwrap();

    // The link inside DIR is not ours: refused, nothing changed.
    let out = solve(&scenario_b(), &dir);
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert!(text(&out).contains(".plan.json.tmp"), "{}", text(&out));
    assert!(checks(&scenario_a(), &dir));
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious");

    // Without it the write succeeds and the planted link beside DIR is left
    // alone, its target untouched.
    std::fs::remove_file(dir.join(".plan.json.tmp")).unwrap();
    let out = solve(&scenario_b(), &dir);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(checks(&scenario_b(), &dir));
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
    assert_eq!(names(&victim_dir), ["keep.txt"]);
    assert!(planted.symlink_metadata().unwrap().file_type().is_symlink());
}

#[test]
fn an_unusable_out_folder_fails_before_solving_and_writes_nothing() {
    let root = tempfile::tempdir().unwrap();
    let file = root.path().join("file");
    std::fs::write(&file, "x").unwrap();
    // Under a regular file (fails even for root), deeper under it, the file itself.
    for dir in [file.join("plan"), file.join("deeper/plan"), file.clone()] {
        let out = solve(&scenario_a(), &dir);
        assert_eq!(code(&out), 2, "{}: {}", dir.display(), text(&out));
        assert!(
            text(&out).contains("cannot write the plan here"),
            "{}",
            text(&out)
        );
        assert!(String::from_utf8_lossy(&out.stdout).is_empty());
        let mut want = vec!["file".to_string()];
        want.sort();
        assert_eq!(names(root.path()), want);
        assert_eq!(std::fs::read(&file).unwrap(), b"x");
    }
    // Checked before the scenario is even read.
    let out = domopt(&[
        "solve",
        s(&root.path().join("no-such-scenario.json")),
        "--out",
        s(&file.join("plan")),
    ]);
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert!(
        text(&out).contains("cannot write the plan here"),
        "{}",
        text(&out)
    );
}

#[test]
fn missing_parents_of_the_out_folder_are_created_on_writing() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("missing/deeper/plan");
    let out = solve(&scenario_a(), &dir);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(checks(&scenario_a(), &dir));
    assert_eq!(names(&root.path().join("missing/deeper")), ["plan"]);
}

#[test]
fn a_folder_with_files_not_of_a_plan_is_refused_and_kept() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("plan");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "mine").unwrap();
    let out = solve(&scenario_a(), &dir);
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert!(text(&out).contains("notes.txt"), "{}", text(&out));
    assert_eq!(names(&dir), ["notes.txt"]);
}

#[test]
fn a_folder_mixing_two_plans_fails_check_with_a_clear_message() {
    let root = tempfile::tempdir().unwrap();
    let dir_a = root.path().join("a");
    let dir_b = root.path().join("b");
    assert_eq!(code(&solve(&scenario_a(), &dir_a)), 0);
    assert_eq!(code(&solve(&scenario_b(), &dir_b)), 0);
    assert!(checks(&scenario_a(), &dir_a));
    std::fs::copy(dir_b.join("shipments.csv"), dir_a.join("shipments.csv")).unwrap();
    let out = domopt(&["check", s(&scenario_a()), s(&dir_a)]);
    assert_eq!(code(&out), 1, "{}", text(&out));
    let t = text(&out);
    assert!(t.contains("violation file: shipments.csv"), "{t}");
    assert!(t.contains("belongs to another plan"), "{t}");
    // A table missing is found too, and reported in --json.
    std::fs::remove_file(dir_a.join("orders.csv")).unwrap();
    let out = domopt(&["check", s(&scenario_a()), s(&dir_a), "--json"]);
    assert_eq!(code(&out), 1, "{}", text(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let files: Vec<&str> = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["kind"] == "file")
        .map(|v| v["record"].as_str().unwrap())
        .collect();
    // The manifest names each table; the checker's row-by-row comparison
    // of shipments.csv adds rows of its own.
    assert!(files.contains(&"shipments.csv"), "{files:?}");
    assert!(files.contains(&"orders.csv"), "{files:?}");
    assert!(!files.contains(&"backorders.csv"), "{files:?}");
}

#[test]
fn a_lone_plan_json_is_checked_and_says_its_tables_were_not_verified() {
    let root = tempfile::tempdir().unwrap();
    let out = domopt(&["solve", s(&scenario_a()), "--json"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let lone = root.path().join("plan.json");
    std::fs::write(&lone, &out.stdout).unwrap();
    let out = domopt(&["check", s(&scenario_a()), s(&lone)]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(text(&out).contains("were not verified"), "{}", text(&out));
}

#[test]
fn no_temporary_files_are_left_after_success_or_a_failed_write() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("plan");
    let out = solve(&scenario_a(), &dir);
    assert_eq!(code(&out), 0, "{}", text(&out));
    // A leftover of an older domopt goes with the plan it was beside.
    std::fs::write(dir.join(".orders.csv.tmp"), "old").unwrap();
    let out = solve(&scenario_b(), &dir);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert_eq!(names(&dir), PLAN_FILES);
    assert_eq!(names(root.path()), ["plan"]);

    // A write that fails after its files are written: a file not of a plan
    // appears in DIR before the swap. DIR keeps its plan and that file;
    // nothing else stays.
    let (mut child, mut lines) = start_slow_solve(&scenario_a(), &dir, 20);
    loop {
        let step = wait_for_step(&mut lines, 1).expect("the write reaches the swap");
        if step == "put the plan in place" {
            break;
        }
    }
    std::fs::write(dir.join("notes.txt"), "mine").unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(2));
    let mut want: Vec<&str> = PLAN_FILES.to_vec();
    want.push("notes.txt");
    want.sort();
    assert_eq!(names(&dir), want);
    assert!(checks(&scenario_b(), &dir));
    assert_eq!(names(root.path()), ["plan"]);
}
