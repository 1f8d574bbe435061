//! Re-plans (`domopt reroute`): one test per event type, stability (orders
//! the events do not reach keep their packages), picked and shipped packages
//! pinned, the move penalties, and bad events refused with their codes and
//! nothing written. Every new plan goes through the independent checker
//! against the scenario with the events applied.

use std::path::{Path, PathBuf};
use std::process::Command;

use domopt::format::{LoadedScenario, PolicyOverrides, read_scenario};
use domopt::rerouting::{Change, EventsFile, Mode, Reroute, reroute, reroute_with};
use domopt::{CostModel, DEFAULT_MODEL, IssueCode, Plan, Settings, Strategy};

const BIN: &str = env!("CARGO_BIN_EXE_domopt");

fn dataset(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("datasets/reroute")
        .join(name)
}

/// The shipped wave and its optimal plan.
fn wave() -> (LoadedScenario, Plan) {
    let loaded = read_scenario(&dataset("wave")).unwrap();
    let (s, _) = domopt::load_scenario(&dataset("wave"), DEFAULT_MODEL, &[]).unwrap();
    let plan = domopt::solve(&s, &Settings::default(), Strategy::Monolithic);
    (loaded, plan)
}

fn events(json: &str) -> EventsFile {
    serde_json::from_str(json).unwrap()
}

fn run(
    loaded: &LoadedScenario,
    plan: &Plan,
    e: &EventsFile,
    set: &[&str],
) -> Result<Reroute, domopt::DomoptError> {
    let model = CostModel::load(DEFAULT_MODEL).unwrap();
    let run =
        PolicyOverrides::from_assignments(&set.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .unwrap();
    let r = reroute(loaded, &model, &run, plan, e, &Settings::default())?;
    let report = r.check(plan, &model, &run).unwrap();
    assert!(report.ok(), "{:?}", report.violations);
    Ok(r)
}

/// Every order the re-plan did not solve again has its packages as before.
fn assert_untouched_orders_kept(before: &Plan, r: &Reroute) {
    let solved: Vec<&str> = r.orders.iter().map(|o| o.order.as_str()).collect();
    let key = |p: &Plan, o: &str| {
        let mut v: Vec<String> = p
            .shipments
            .iter()
            .filter(|s| s.order == o)
            .map(|s| format!("{}/{}/{:?}", s.node, s.service, s.items))
            .collect();
        v.sort();
        v
    };
    for o in before
        .orders
        .iter()
        .map(|o| o.order.as_str())
        .filter(|o| !solved.contains(o))
    {
        assert_eq!(
            key(before, o),
            key(&r.plan, o),
            "order {o} was not solved again yet changed"
        );
    }
}

/// `domopt solve` of the shipped wave into `dir/plan`; that folder.
fn solved_into(dir: &Path) -> PathBuf {
    let plan_dir = dir.join("plan");
    let ok = Command::new(BIN)
        .args([
            "solve",
            dataset("wave").to_str().unwrap(),
            "--out",
            plan_dir.to_str().unwrap(),
        ])
        .status()
        .unwrap();
    assert!(ok.success());
    plan_dir
}

fn code_of(e: domopt::DomoptError) -> Vec<IssueCode> {
    match e {
        domopt::DomoptError::Invalid(report) => report.issues.iter().map(|i| i.code).collect(),
        other => other.code().into_iter().collect(),
    }
}

#[test]
fn an_outage_moves_the_nodes_planned_packages_keeps_the_picked_one_and_leaves_other_orders_alone() {
    let (loaded, plan) = wave();
    let e: EventsFile =
        serde_json::from_str(&std::fs::read_to_string(dataset("outage.json")).unwrap()).unwrap();
    let r = run(&loaded, &plan, &e, &[]).unwrap();
    assert_untouched_orders_kept(&plan, &r);
    // Nothing ships from DC-OAK4 in the window but the picked package.
    for s in r.plan.shipments.iter().filter(|s| s.node == "DC-OAK4") {
        let in_window = s.ship_date <= chrono::NaiveDate::from_ymd_opt(2026, 12, 20).unwrap();
        assert!(!in_window || s.order == "O0000005", "{s:?}");
    }
    let picked = |p: &Plan| {
        p.shipments
            .iter()
            .find(|s| s.order == "O0000005" && s.node == "DC-OAK4")
            .cloned()
    };
    assert_eq!(
        picked(&plan).map(|s| s.items),
        picked(&r.plan).map(|s| s.items)
    );
    assert!(r.summary.touched > 0 && r.summary.moved_packages > 0);
    assert!(r.orders.iter().any(|o| o.changes.contains(&Change::Moved)));
    // The re-plan's objective is the cost plus the stability cost, above its bound.
    let s = &r.summary;
    assert!((s.objective - r.plan.kpis.cost.total - s.stability_cost).abs() < 1e-6);
    assert!(
        s.best_bound.is_some_and(|b| b <= s.objective + 1e-6),
        "{s:?}"
    );
}

#[test]
fn a_capacity_drop_moves_packages_off_the_node_down_to_its_new_capacity() {
    let (loaded, plan) = wave();
    let at_oak = plan
        .shipments
        .iter()
        .filter(|s| s.node == "DC-OAK4")
        .count();
    let e = events(
        r#"{"events": [{"type": "capacity_drop", "node": "DC-OAK4", "capacity_orders": 4}]}"#,
    );
    let r = run(&loaded, &plan, &e, &[]).unwrap();
    assert!(at_oak > 4);
    assert!(
        r.plan
            .shipments
            .iter()
            .filter(|s| s.node == "DC-OAK4")
            .count()
            <= 4
    );
    assert_untouched_orders_kept(&plan, &r);
}

#[test]
fn a_short_pick_re_plans_the_orders_on_that_row_and_found_stock_fills_a_backorder() {
    let (loaded, plan) = wave();
    let s = plan.shipments.iter().find(|s| s.node == "DC-OAK4").unwrap();
    let sku = &s.items[0].sku;
    let used: u32 = plan
        .shipments
        .iter()
        .filter(|x| x.node == "DC-OAK4")
        .flat_map(|x| &x.items)
        .filter(|i| &i.sku == sku)
        .map(|i| i.quantity)
        .sum();
    let on_hand: f64 = loaded
        .file
        .inventory
        .iter()
        .find(|r| r.node == "DC-OAK4" && &r.sku == sku)
        .unwrap()
        .on_hand;
    let missing = on_hand as u32 - used + 1;
    let e = events(&format!(
        r#"{{"events": [{{"type": "short_pick", "node": "DC-OAK4", "sku": "{sku}", "missing": {missing}}}]}}"#
    ));
    let r = run(&loaded, &plan, &e, &[]).unwrap();
    assert!(r.orders.iter().any(|o| o.order == s.order));
    assert_untouched_orders_kept(&plan, &r);
    // Units found where a backorder's SKU had none fill it.
    let b = &plan
        .backorders
        .iter()
        .find(|b| b.sku != "SKU000035" && b.sku != "SKU000036");
    if let Some(b) = b {
        let e = events(&format!(
            r#"{{"events": [{{"type": "inventory_found", "node": "DC-ONT6", "sku": "{}", "units": 50}}]}}"#,
            b.sku
        ));
        let r = run(&loaded, &plan, &e, &[]).unwrap();
        let o = r.orders.iter().find(|o| o.order == b.order).unwrap();
        assert!(o.changes.contains(&Change::NewlyFilled), "{o:?}");
    }
}

#[test]
fn a_suspended_service_is_used_by_no_re_planned_package() {
    let (loaded, plan) = wave();
    let e = events(r#"{"events": [{"type": "service_suspended", "service": "two_day"}]}"#);
    let r = run(&loaded, &plan, &e, &[]).unwrap();
    assert!(r.plan.shipments.iter().all(|s| s.service != "two_day"));
    assert_untouched_orders_kept(&plan, &r);
}

#[test]
fn a_cancelled_order_leaves_the_plan_and_a_shipped_one_cannot_be_cancelled() {
    let (loaded, plan) = wave();
    let o = &plan.shipments[0];
    let e = events(&format!(
        r#"{{"events": [{{"type": "order_cancelled", "order": "{}"}}]}}"#,
        o.order
    ));
    let r = run(&loaded, &plan, &e, &[]).unwrap();
    assert!(r.plan.shipments.iter().all(|s| s.order != o.order));
    assert_eq!(r.summary.cancelled, 1);
    let shipped = events(&format!(
        r#"{{"shipments": [{{"order": "{}", "node": "{}", "state": "shipped"}}],
            "events": [{{"type": "order_cancelled", "order": "{}"}}]}}"#,
        o.order, o.node, o.order
    ));
    let refused = run(&loaded, &plan, &shipped, &[]).unwrap_err();
    assert_eq!(code_of(refused), vec![IssueCode::EventOnFixedShipment]);
}

#[test]
fn a_dearer_move_keeps_more_packages_where_they_were() {
    let (loaded, plan) = wave();
    let e: EventsFile =
        serde_json::from_str(&std::fs::read_to_string(dataset("outage.json")).unwrap()).unwrap();
    let free = run(&loaded, &plan, &e, &["planned_move_penalty=0"]).unwrap();
    let sticky = run(&loaded, &plan, &e, &["planned_move_penalty=500"]).unwrap();
    let moved = |r: &Reroute| r.orders.iter().filter(|o| !o.moved.is_empty()).count();
    assert!(
        moved(&sticky) <= moved(&free),
        "{} > {}",
        moved(&sticky),
        moved(&free)
    );
    assert!(free.summary.cost_after <= sticky.summary.cost_after + 1e-6);
}

#[test]
fn bad_events_are_refused_all_at_once_with_their_codes_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let plan_dir = solved_into(dir.path());
    let bad = r#"{
      "shipments": [{"order": "O0000001", "node": "NOWHERE", "state": "picked"}],
      "events": [
        {"type": "node_outage", "node": "DC-OAK4", "from": "2026-12-15T00:00", "to": "2026-12-16T00:00"},
        {"type": "node_outage", "node": "DC-OAK4", "from": "2026-12-15T12:00", "to": "2026-12-17T00:00"},
        {"type": "node_outage", "node": "DC-ONT6", "from": "2026-12-01T00:00", "to": "2026-12-02T00:00"},
        {"type": "short_pick", "node": "DC-ONT6", "sku": "SKU000001", "missing": 1.5},
        {"type": "order_cancelled", "order": "NO-SUCH-ORDER"}
      ]
    }"#;
    let events = dir.path().join("events.json");
    std::fs::write(&events, bad).unwrap();
    let out = dir.path().join("replan");
    let o = Command::new(BIN)
        .args([
            "reroute",
            dataset("wave").to_str().unwrap(),
            plan_dir.to_str().unwrap(),
        ])
        .args([
            events.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = String::from_utf8_lossy(&o.stdout);
    for code in ["E171", "E173", "E174", "E170", "E102"] {
        assert!(text.contains(code), "{code} missing from {text}");
    }
    assert!(!out.exists(), "nothing is written");
    // An unknown event type or field is a parse error.
    std::fs::write(
        &events,
        r#"{"events": [{"type": "meteor", "node": "DC-OAK4"}]}"#,
    )
    .unwrap();
    let o = Command::new(BIN)
        .args([
            "reroute",
            dataset("wave").to_str().unwrap(),
            plan_dir.to_str().unwrap(),
            events.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn the_command_writes_a_plan_that_domopt_check_reads_and_prints_the_changes() {
    let dir = tempfile::tempdir().unwrap();
    let plan_dir = solved_into(dir.path());
    let out = dir.path().join("replan");
    let o = Command::new(BIN)
        .args([
            "reroute",
            dataset("wave").to_str().unwrap(),
            plan_dir.to_str().unwrap(),
        ])
        .args([
            dataset("outage.json").to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        text.contains("check: ok") && text.contains("DC-OAK4 is out"),
        "{text}"
    );
    let replanned = Plan::read(&out).unwrap();
    assert!(replanned.solve.replan.is_some());
}

#[test]
fn a_missed_cutoff_re_plans_the_packages_that_were_to_ship_today() {
    let (loaded, plan) = wave();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 14).unwrap();
    let hit: Vec<&str> = plan
        .shipments
        .iter()
        .filter(|s| s.node == "DC-ONT6" && s.service == "ground" && s.ship_date == today)
        .map(|s| s.order.as_str())
        .collect();
    assert!(!hit.is_empty());
    let e = events(
        r#"{"events": [{"type": "missed_cutoff", "node": "DC-ONT6", "service": "ground"}]}"#,
    );
    let r = run(&loaded, &plan, &e, &[]).unwrap();
    for o in &hit {
        assert!(r.orders.iter().any(|c| c.order == *o), "{o} not re-planned");
    }
    // Nothing leaves DC-ONT6 by ground today any more.
    assert!(
        r.plan
            .shipments
            .iter()
            .all(|s| !(s.node == "DC-ONT6" && s.service == "ground" && s.ship_date == today))
    );
    assert_untouched_orders_kept(&plan, &r);
}

#[test]
fn a_changed_order_and_a_changed_address_are_re_planned_and_a_picked_order_cannot_change() {
    let (loaded, plan) = wave();
    let o = &plan.shipments[3];
    let e = events(&format!(
        r#"{{"events": [
            {{"type": "order_changed", "order": "{}", "lines": [{{"sku": "SKU000001", "quantity": 2}}]}},
            {{"type": "address_changed", "order": "{}", "zip": "98101"}}
        ]}}"#,
        o.order, plan.shipments[5].order
    ));
    let r = run(&loaded, &plan, &e, &[]).unwrap();
    let mine: Vec<_> = r
        .plan
        .shipments
        .iter()
        .filter(|s| s.order == o.order)
        .collect();
    assert!(
        mine.iter()
            .flat_map(|s| &s.items)
            .all(|i| i.sku == "SKU000001")
    );
    let moved = r
        .orders
        .iter()
        .find(|c| c.order == plan.shipments[5].order)
        .unwrap();
    assert!(moved.reasons.iter().any(|w| w.contains("98101")));
    assert_untouched_orders_kept(&plan, &r);
    let picked = events(&format!(
        r#"{{"shipments": [{{"order": "{}", "node": "{}", "state": "picked"}}],
            "events": [{{"type": "address_changed", "order": "{}", "zip": "98101"}}]}}"#,
        o.order, o.node, o.order
    ));
    assert_eq!(
        code_of(run(&loaded, &plan, &picked, &[]).unwrap_err()),
        vec![IssueCode::EventOnFixedShipment]
    );
}

#[test]
fn after_the_holiday_ship_by_date_the_packages_move_to_a_service_that_still_arrives_and_shipped_ones_stay_out()
 {
    let loaded = read_scenario(&dataset("holiday.json")).unwrap();
    let (s, _) = domopt::load_scenario(&dataset("holiday.json"), DEFAULT_MODEL, &[]).unwrap();
    let plan = domopt::solve(&s, &Settings::default(), Strategy::Monolithic);
    assert!(
        plan.shipments
            .iter()
            .all(|s| s.service == "ground" && s.late_days == 0)
    );
    let e: EventsFile =
        serde_json::from_str(&std::fs::read_to_string(dataset("holiday-missed.json")).unwrap())
            .unwrap();
    let r = run(&loaded, &plan, &e, &[]).unwrap();
    // xmas-1 shipped: it left the re-plan; every other order still arrives
    // by Christmas Eve, by a faster service, or is reported late with its cost.
    assert!(r.plan.shipments.iter().all(|s| s.order != "xmas-1"));
    assert_eq!(r.summary.shipped_packages, 1);
    for o in ["xmas-2", "xmas-3", "xmas-4", "xmas-5"] {
        let s = r.plan.shipments.iter().find(|s| s.order == o).unwrap();
        let on_time = s.delivery_date <= chrono::NaiveDate::from_ymd_opt(2026, 12, 24).unwrap();
        assert!(
            s.service != "ground" && (on_time || s.late_days > 0),
            "{s:?}"
        );
        let c = r.orders.iter().find(|c| c.order == o).unwrap();
        assert!(c.cost.1 > c.cost.0, "a faster service costs more: {c:?}");
    }
    // A re-plan time before the wave is refused.
    let past = events(r#"{"at": "2026-12-01T09:00"}"#);
    assert_eq!(
        code_of(run(&loaded, &plan, &past, &[]).unwrap_err()),
        vec![IssueCode::EventInThePast]
    );
}

#[test]
fn the_joint_re_plan_beats_re_planning_the_touched_orders_one_at_a_time() {
    let (loaded, plan) = wave();
    let e: EventsFile =
        serde_json::from_str(&std::fs::read_to_string(dataset("outage.json")).unwrap()).unwrap();
    let model = CostModel::load(DEFAULT_MODEL).unwrap();
    let run = PolicyOverrides::default();
    let settings = Settings::default();
    let joint = reroute_with(&loaded, &model, &run, &plan, &e, &settings, Mode::Joint).unwrap();
    let cascade = reroute_with(
        &loaded,
        &model,
        &run,
        &plan,
        &e,
        &settings,
        Mode::OneAtATime,
    )
    .unwrap();
    for r in [&joint, &cascade] {
        let report = r.check(&plan, &model, &run).unwrap();
        assert!(report.ok(), "{:?}", report.violations);
        assert_untouched_orders_kept(&plan, r);
    }
    // The same orders re-planned; jointly at a lower objective (cost plus
    // stability cost), which the joint MIP's bound also proves.
    assert_eq!(
        joint.summary.touched + joint.summary.coupled,
        cascade.summary.touched + cascade.summary.coupled
    );
    assert!(
        joint.summary.objective < cascade.summary.objective - 1.0,
        "joint {} against one at a time {}",
        joint.summary.objective,
        cascade.summary.objective
    );
    assert!(
        joint
            .summary
            .best_bound
            .is_some_and(|b| b <= cascade.summary.objective)
    );
}

use crate::test_postgres;

/// Where a test's ledger lives: an SQLite file in its folder, or a fresh
/// PostgreSQL database (dropped with the test).
#[derive(Clone, Copy)]
enum Backend {
    Sqlite,
    Postgres,
}

on_both_back_ends!(
    an_outage_re_plan_committed_to_the_ledger_frees_the_old_node_and_reserves_the_new_ones,
    a_re_plan_commit_the_ledger_refuses_writes_nothing,
);

const LEDGER_AT: &str = "2026-12-14T08:00";

/// A ledger on `b` made from the shipped wave's records, with the wave
/// solved on it and committed (`solve --ledger --commit --out dir/plan`);
/// its URL, the plan folder and what keeps the database alive.
fn committed_wave(
    b: Backend,
    dir: &Path,
) -> (String, PathBuf, Option<test_postgres::TestDatabase>) {
    let (url, database) = match b {
        Backend::Sqlite => (format!("sqlite:{}", dir.join("ledger.db").display()), None),
        Backend::Postgres => {
            let db = test_postgres::TestDatabase::new();
            (db.url(), Some(db))
        }
    };
    let wave = dataset("wave");
    let wave = wave.to_str().unwrap();
    let plan = dir.join("plan");
    let init = [
        "ledger",
        "init",
        &url,
        "--scenario",
        wave,
        "--at",
        LEDGER_AT,
    ];
    let (code, _, err) = domopt_cli(&init);
    assert_eq!(code, 0, "{err}");
    let solve = [
        "solve",
        wave,
        "--ledger",
        &url,
        "--commit",
        "--at",
        LEDGER_AT,
        "--out",
        plan.to_str().unwrap(),
    ];
    let (code, _, err) = domopt_cli(&solve);
    assert_eq!(code, 0, "{err}");
    (url, plan, database)
}

fn domopt_cli(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn open_ledger(url: &str) -> Box<dyn domopt::reservations::Ledger> {
    let t = chrono::NaiveDateTime::parse_from_str(LEDGER_AT, "%Y-%m-%dT%H:%M").unwrap();
    domopt::reservations::open(
        url,
        std::sync::Arc::new(domopt::reservations::FixedClock::new(t)),
    )
    .unwrap()
}

/// Free units of `sku` at `node` in the ledger.
fn free_at(l: &dyn domopt::reservations::Ledger, sku: &str, node: &str) -> i64 {
    let av = l.availability(sku, None, None).unwrap();
    av.nodes
        .iter()
        .find(|n| n.node == node)
        .map_or(0, |n| n.free)
}

/// Units per SKU that `plan` ships from `node`.
fn units_from(plan: &Plan, node: &str) -> std::collections::BTreeMap<String, i64> {
    let mut out = std::collections::BTreeMap::new();
    for x in plan.shipments.iter().filter(|x| x.node == node) {
        for i in &x.items {
            *out.entry(i.sku.clone()).or_default() += i64::from(i.quantity);
        }
    }
    out
}

/// The outage of the shipped dataset, re-planned on the committed wave.
fn outage_replan(plan_dir: &Path) -> Reroute {
    let loaded = read_scenario(&dataset("wave")).unwrap();
    let previous = Plan::read(plan_dir).unwrap();
    let e: EventsFile =
        serde_json::from_str(&std::fs::read_to_string(dataset("outage.json")).unwrap()).unwrap();
    run(&loaded, &previous, &e, &[]).unwrap()
}

fn an_outage_re_plan_committed_to_the_ledger_frees_the_old_node_and_reserves_the_new_ones(
    b: Backend,
) {
    let dir = tempfile::tempdir().unwrap();
    let (url, plan_dir, _database) = committed_wave(b, dir.path());
    let previous = Plan::read(&plan_dir).unwrap();
    let r = outage_replan(&plan_dir);
    let l = open_ledger(&url);
    let out_node = "DC-OAK4";
    let before = units_from(&previous, out_node);
    let after = units_from(&r.plan, out_node);
    let free_before: Vec<(String, i64)> = before
        .keys()
        .map(|k| (k.clone(), free_at(&*l, k, out_node)))
        .collect();
    let replan = dir.path().join("replan");
    let (wave, outage) = (dataset("wave"), dataset("outage.json"));
    let args = [
        "reroute",
        wave.to_str().unwrap(),
        plan_dir.to_str().unwrap(),
        outage.to_str().unwrap(),
        "--ledger",
        &url,
        "--commit",
        "--at",
        LEDGER_AT,
        "--json",
        "--out",
        replan.to_str().unwrap(),
    ];
    let (code, out, err) = domopt_cli(&args);
    assert_eq!(code, 0, "{err}");
    let answer: serde_json::Value = serde_json::from_str(&out).unwrap();
    let reserved = answer["ledger"]["reserved"].as_array().unwrap();
    assert!(!reserved.is_empty(), "{out}");
    // The units moved off the outage node are free there again.
    let mut moved = 0;
    for (sku, was) in free_before {
        let gone = before[&sku] - after.get(&sku).copied().unwrap_or(0);
        moved += gone;
        assert_eq!(
            free_at(&*l, &sku, out_node),
            was + gone,
            "{sku} at {out_node}"
        );
    }
    assert!(moved > 0, "the outage moved nothing");
    // Each new reservation holds its order's units at their new nodes.
    let snapshot = l.snapshot().unwrap();
    for id in reserved {
        let claim = &snapshot.state.claims[id.as_str().unwrap()];
        let order = claim.order.as_deref().unwrap();
        let mut planned: Vec<(String, Option<String>, u32)> = r
            .plan
            .shipments
            .iter()
            .filter(|x| x.order == order)
            .flat_map(|x| {
                x.items
                    .iter()
                    .map(|i| (i.sku.clone(), Some(x.node.clone()), i.quantity))
            })
            .collect();
        let mut held: Vec<(String, Option<String>, u32)> = claim
            .lines
            .iter()
            .map(|c| (c.sku.clone(), c.node.clone(), c.quantity))
            .collect();
        planned.sort();
        held.sort();
        assert_eq!(held, planned, "{order}");
    }
    let (code, out, err) = domopt_cli(&["ledger", "verify", &url]);
    assert_eq!(code, 0, "{out}{err}");
}

fn a_re_plan_commit_the_ledger_refuses_writes_nothing(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let (url, plan_dir, _database) = committed_wave(b, dir.path());
    let previous = Plan::read(&plan_dir).unwrap();
    let r = outage_replan(&plan_dir);
    // Someone takes every free unit of a SKU at a node the re-plan moves
    // a package to.
    let target = r
        .plan
        .shipments
        .iter()
        .find(|x| {
            !previous
                .shipments
                .iter()
                .any(|p| p.order == x.order && p.node == x.node)
        })
        .expect("a package at a new node");
    let sku = &target.items[0].sku;
    let l = open_ledger(&url);
    let free = free_at(&*l, sku, &target.node);
    assert!(free > 0);
    l.execute(&domopt::reservations::Request::Reserve {
        id: "meanwhile".into(),
        order: Some("another".into()),
        channel: None,
        from_hold: None,
        lines: vec![domopt::reservations::ClaimLine {
            sku: sku.clone(),
            node: Some(target.node.clone()),
            quantity: u32::try_from(free).unwrap(),
        }],
    })
    .unwrap();
    let version = l.version().unwrap();
    let replan = dir.path().join("replan");
    let (wave, outage) = (dataset("wave"), dataset("outage.json"));
    let args = [
        "reroute",
        wave.to_str().unwrap(),
        plan_dir.to_str().unwrap(),
        outage.to_str().unwrap(),
        "--ledger",
        &url,
        "--commit",
        "--at",
        LEDGER_AT,
        "--out",
        replan.to_str().unwrap(),
    ];
    let (code, _, err) = domopt_cli(&args);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(IssueCode::InsufficientStock.as_str()), "{err}");
    assert_eq!(l.version().unwrap(), version, "the ledger changed");
    assert!(!replan.exists(), "a plan was written");
    let (code, out, err) = domopt_cli(&["ledger", "verify", &url]);
    assert_eq!(code, 0, "{out}{err}");
}

/// The re-plan of `e` by `mode`, checked.
fn run_mode(loaded: &LoadedScenario, plan: &Plan, e: &EventsFile, mode: Mode) -> Reroute {
    let model = CostModel::load(DEFAULT_MODEL).unwrap();
    let run = PolicyOverrides::default();
    let r = reroute_with(loaded, &model, &run, plan, e, &Settings::default(), mode).unwrap();
    let report = r.check(plan, &model, &run).unwrap();
    assert!(report.ok(), "{:?}", report.violations);
    r
}

#[test]
fn column_generation_keeps_the_steering_and_bounds_the_re_plan_of_the_mip() {
    let (loaded, plan) = wave();
    // A capacity drop at the node of a picked package: the order with it is
    // solved again (it shares the node's capacity), keeps the package, is
    // finished by the MIP, and no bound is claimed.
    let drop = events(
        r#"{"shipments": [{"order": "O0000005", "node": "DC-OAK4", "state": "picked"}],
            "events": [{"type": "capacity_drop", "node": "DC-OAK4", "capacity_orders": 1}]}"#,
    );
    let pinned = run_mode(&loaded, &plan, &drop, Mode::Columns);
    assert_untouched_orders_kept(&plan, &pinned);
    assert_eq!(pinned.plan.solve.strategy, Strategy::Decompose);
    assert!(
        pinned.orders.iter().any(|o| o.order == "O0000005"),
        "{:?}",
        pinned.summary
    );
    assert!(pinned.summary.best_bound.is_none(), "{:?}", pinned.summary);
    let kept = pinned
        .plan
        .shipments
        .iter()
        .any(|s| s.order == "O0000005" && s.node == "DC-OAK4");
    assert!(kept, "the picked package moved");
    // Without: the bound of column generation is below the MIP's optimum,
    // and its plan within 2 % of it.
    let e = events(
        r#"{"events": [{"type": "node_outage", "node": "DC-OAK4", "from": "2026-12-14T00:00", "to": "2026-12-20T23:59"}]}"#,
    );
    let mip = run_mode(&loaded, &plan, &e, Mode::Joint);
    let cg = run_mode(&loaded, &plan, &e, Mode::Columns);
    assert_eq!(mip.summary.status, domopt::Status::Optimal);
    let (best, s) = (mip.summary.objective, &cg.summary);
    assert!(
        s.best_bound.is_some_and(|b| b <= best + 1e-6),
        "{s:?} vs {best}"
    );
    assert!(
        s.objective >= best - 1e-6 && s.objective <= best * 1.02,
        "{s:?} vs {best}"
    );
    assert!(s.moved_packages > 0 && s.stability_cost > 0.0, "{s:?}");
}

#[test]
fn a_re_plan_read_back_from_its_folder_passes_check_and_a_moved_picked_package_fails_it() {
    let dir = tempfile::tempdir().unwrap();
    let (plan, replan) = (dir.path().join("plan"), dir.path().join("replan"));
    let (wave, outage) = (dataset("wave"), dataset("outage.json"));
    let (wave, outage) = (wave.to_str().unwrap(), outage.to_str().unwrap());
    let (code, _, err) = domopt_cli(&["solve", wave, "--out", plan.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = domopt_cli(&[
        "reroute",
        wave,
        plan.to_str().unwrap(),
        outage,
        "--out",
        replan.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let check = |p: &Path| {
        domopt_cli(&[
            "check",
            wave,
            p.to_str().unwrap(),
            "--replan-of",
            plan.to_str().unwrap(),
            "--events",
            outage,
        ])
    };
    let (code, out, err) = check(&replan);
    assert_eq!(code, 0, "{out}{err}");
    // Against the scenario without the events, the re-plan is not the wave's.
    let (code, _, _) = domopt_cli(&["check", wave, replan.to_str().unwrap()]);
    assert_eq!(code, 1);
    // O0000005's package at DC-OAK4 is picked: dropping it is a move.
    let mut moved = Plan::read(&replan).unwrap();
    moved
        .shipments
        .retain(|x| !(x.order == "O0000005" && x.node == "DC-OAK4"));
    let tampered = dir.path().join("tampered.json");
    std::fs::write(&tampered, serde_json::to_string(&moved).unwrap()).unwrap();
    let (code, out, _) = check(&tampered);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("violation fixed"), "{out}");
}
