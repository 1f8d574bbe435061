//! The command line, end to end: the built `domopt` binary on the shipped
//! datasets and on scenarios written into temporary folders.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_domopt");

fn dataset(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("datasets")
        .join(rel)
}

fn seed() -> PathBuf {
    dataset("seed-example/two-shipments.json")
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

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// A shipped instance given by coordinates (no ZIP geocoding, so it loads fast).
fn crunch() -> PathBuf {
    dataset("small/capacity-crunch.json")
}

/// Solves `scenario` into `dir` and returns the plan folder.
fn solved(dir: &Path, scenario: &Path) -> PathBuf {
    let out_dir = dir.join("plan");
    let out = domopt(&["solve", s(scenario), "--out", s(&out_dir)]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    out_dir
}

/// The seed scenario with one line's quantity made fractional: invalid (E104).
fn invalid_scenario(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(seed()).expect("seed readable");
    let mut v: serde_json::Value = serde_json::from_str(&text).expect("seed is JSON");
    v["orders"][0]["lines"][0]["quantity"] = serde_json::json!(1.5);
    v["orders"][0]["zip"] = serde_json::json!("00000");
    let path = dir.join("invalid.json");
    std::fs::write(&path, serde_json::to_string_pretty(&v).unwrap()).expect("written");
    path
}

fn edit_plan(plan_dir: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let file = plan_dir.join("plan.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("plan.json")).expect("JSON");
    edit(&mut v);
    std::fs::write(&file, serde_json::to_string_pretty(&v).unwrap()).expect("rewritten");
}

#[test]
fn solve_prints_the_two_shipment_plan_of_the_seed_example() {
    let out = domopt(&["solve", s(&seed())]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("status optimal"), "{text}");
    assert!(text.contains("packages 2"), "{text}");
    assert!(
        text.contains("ship shopper-1 from store-chicago by ground: jacket x1, pants x1"),
        "{text}"
    );
    assert!(
        text.contains("ship shopper-1 from dc-ontario by ground: t-shirt x1"),
        "{text}"
    );
    assert!(!text.contains("backorder"), "{text}");
    assert!(text.contains("cost 48.47"), "{text}");
}

#[test]
fn solve_json_prints_a_plan_with_both_shipments() {
    let out = domopt(&["solve", s(&seed()), "--json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).expect("plan JSON");
    assert_eq!(plan["shipments"].as_array().unwrap().len(), 2);
    assert_eq!(plan["solve"]["status"], "optimal");
}

#[test]
fn solve_with_out_writes_the_plan_and_its_tables_and_check_accepts_them() {
    let dir = tempfile::tempdir().unwrap();
    let plan = solved(dir.path(), &seed());
    for name in ["plan.json", "shipments.csv", "backorders.csv", "orders.csv"] {
        assert!(plan.join(name).is_file(), "{name} missing");
    }
    let shipments = std::fs::read_to_string(plan.join("shipments.csv")).unwrap();
    assert!(shipments.starts_with("order,package,node,service,line,sku,quantity"));
    assert_eq!(
        shipments.lines().count(),
        1 + 3,
        "header + one row per item"
    );
    let orders = std::fs::read_to_string(plan.join("orders.csv")).unwrap();
    assert_eq!(orders.lines().count(), 1 + 1);

    let out = domopt(&["check", s(&seed()), s(&plan)]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).starts_with("ok"), "{}", stdout(&out));
    // plan.json itself is accepted too.
    let out = domopt(&["check", s(&seed()), s(&plan.join("plan.json")), "--json"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["violations"].as_array().unwrap().is_empty());
}

#[test]
fn check_rejects_a_plan_whose_quantity_was_tampered_with() {
    let dir = tempfile::tempdir().unwrap();
    let plan = solved(dir.path(), &crunch());
    edit_plan(&plan, |v| {
        v["shipments"][0]["items"][0]["quantity"] = serde_json::json!(2);
    });
    let out = domopt(&["check", s(&crunch()), s(&plan)]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert!(stdout(&out).contains("violation"), "{}", stdout(&out));
    assert!(stdout(&out).contains("FAILED"), "{}", stdout(&out));
}

#[test]
fn check_rejects_a_plan_whose_cost_was_tampered_with() {
    let dir = tempfile::tempdir().unwrap();
    let plan = solved(dir.path(), &crunch());
    edit_plan(&plan, |v| {
        let total = v["shipments"][1]["cost"]["total"].as_f64().unwrap();
        v["shipments"][1]["cost"]["total"] = serde_json::json!(total - 1.0);
    });
    let out = domopt(&["check", s(&crunch()), s(&plan), "--json"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let kinds: Vec<&str> = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"cost"), "{kinds:?}");
}

#[test]
fn check_rejects_a_plan_whose_total_cost_was_understated() {
    let dir = tempfile::tempdir().unwrap();
    let plan = solved(dir.path(), &crunch());
    edit_plan(&plan, |v| {
        v["kpis"]["cost"]["total"] = serde_json::json!(1.0);
    });
    let out = domopt(&["check", s(&crunch()), s(&plan)]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
}

#[test]
fn check_rejects_a_plan_folder_whose_shipments_csv_was_edited() {
    let dir = tempfile::tempdir().unwrap();
    let plan = solved(dir.path(), &crunch());
    let file = plan.join("shipments.csv");
    let text = std::fs::read_to_string(&file).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    // One item's quantity doubled in the CSV only; plan.json is untouched.
    let row = lines[1].replacen(",1,", ",2,", 1);
    assert_ne!(row, lines[1], "the row has a quantity of 1");
    lines[1] = &row;
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let out = domopt(&["check", s(&crunch()), s(&plan), "--json"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        report["violations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["kind"] == "file" && v["record"] == "shipments.csv row 1"),
        "{report}"
    );
    // A copy of plan.json elsewhere still passes: only the tables beside a
    // plan are read, and none are beside the copy.
    let lone = dir.path().join("lone-plan.json");
    std::fs::copy(plan.join("plan.json"), &lone).unwrap();
    let out = domopt(&["check", s(&crunch()), s(&lone)]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
}

#[test]
fn an_invalid_scenario_exits_2_and_writes_nothing_into_out() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = invalid_scenario(dir.path());
    // A folder that does not exist yet is not created...
    let fresh = dir.path().join("fresh");
    let out = domopt(&["solve", s(&scenario), "--out", s(&fresh)]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(!fresh.exists(), "--out folder was created");
    assert!(stderr(&out).contains("E104"), "{}", stderr(&out));
    assert!(stderr(&out).contains("E106"), "{}", stderr(&out));
    // ...and an existing one stays empty.
    let existing = dir.path().join("existing");
    std::fs::create_dir(&existing).unwrap();
    let out = domopt(&["solve", s(&scenario), "--out", s(&existing)]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert_eq!(std::fs::read_dir(&existing).unwrap().count(), 0);
}

#[test]
fn validate_json_lists_every_issue_with_code_record_field_and_action() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = invalid_scenario(dir.path());
    let out = domopt(&["validate", s(&scenario), "--json"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("report JSON");
    let issues = report["issues"].as_array().expect("issues array");
    let codes: Vec<&str> = issues.iter().map(|i| i["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"E104"), "{codes:?}");
    assert!(codes.contains(&"E106"), "{codes:?}");
    for i in issues {
        for key in ["record", "field", "message", "action"] {
            assert!(!i[key].as_str().unwrap_or("").is_empty(), "{key} of {i}");
        }
        assert_eq!(i["severity"], "error");
    }
}

#[test]
fn validate_accepts_every_shipped_small_dataset() {
    for name in [
        "seed-example/two-shipments.json",
        "seed-example/backorder.json",
        "small/capacity-crunch.json",
        "small/ship-complete.json",
        "small/holiday-deadline.json",
        "small/pickup-and-market.json",
        "small/lateness.json",
        "small/csv-folder",
    ] {
        let out = domopt(&["validate", s(&dataset(name))]);
        assert_eq!(code(&out), 0, "{name}: {}", stderr(&out));
        assert!(stdout(&out).starts_with("valid:"), "{name}");
    }
}

#[test]
fn a_tiny_time_limit_still_exits_0_with_a_plan_that_checks() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan");
    let out = domopt(&[
        "solve",
        s(&crunch()),
        "--time-limit",
        "0.000001",
        "--json",
        "--out",
        s(&plan),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("plan JSON");
    let status = v["solve"]["status"].as_str().unwrap();
    assert!(
        ["optimal", "time_limit", "gap_limit", "fallback"].contains(&status),
        "{status}"
    );
    let shipped = v["shipments"].as_array().unwrap().len();
    let backordered = v["backorders"].as_array().unwrap().len();
    assert!(shipped + backordered > 0);
    let out = domopt(&["check", s(&crunch()), s(&plan)]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
}

#[test]
fn an_unknown_strategy_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan");
    let out = domopt(&["solve", s(&seed()), "--strategy", "nope", "--out", s(&plan)]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("nope"), "{}", stderr(&out));
    assert!(!plan.exists());
}

#[test]
fn a_zero_time_limit_is_invalid_input() {
    let out = domopt(&["solve", s(&seed()), "--time-limit", "0"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
}

#[test]
fn help_of_solve_check_and_validate_shows_examples() {
    for sub in ["solve", "check", "validate"] {
        let out = domopt(&[sub, "--help"]);
        assert_eq!(code(&out), 0, "{sub}");
        assert!(stdout(&out).contains("Examples"), "{sub} --help");
    }
}

#[test]
fn help_of_schema_shows_examples() {
    let out = domopt(&["schema", "--help"]);
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains("Examples"), "{}", stdout(&out));
}

#[test]
fn help_lists_the_exit_codes() {
    let out = domopt(&["--help"]);
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains("Exit codes"), "{}", stdout(&out));
}
