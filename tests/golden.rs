//! Golden tests: every shipped dataset is solved with the monolithic MIP (and
//! with auto and decompose on one and two threads) and
//! compared with the expectation written next to it (`expected.json`), whose
//! objectives were derived by hand from models/us-parcel.toml (see the
//! datasets' README.md). Every plan must also pass the independent checker.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use domopt::Settings;
use domopt::check;
use domopt::domain::Scenario;
use domopt::plan::{Plan, Status};
use domopt::{Strategy, solve as run};
use serde::Deserialize;

/// One dataset's expectation.
#[derive(Debug, Deserialize)]
struct Expected {
    status: String,
    objective: f64,
    shipments: usize,
    backorder_units: u32,
    derivation: String,
    plan: ExpectedPlan,
}

#[derive(Debug, Deserialize)]
struct ExpectedPlan {
    shipments: Vec<ExpectedShipment>,
    backorders: Vec<ExpectedBackorder>,
}

#[derive(Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord, Clone)]
struct ExpectedShipment {
    order: String,
    node: String,
    service: String,
    items: BTreeMap<String, u32>,
}

#[derive(Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord, Clone)]
struct ExpectedBackorder {
    order: String,
    sku: String,
    units: u32,
}

const TOLERANCE: f64 = 1e-6;

fn datasets() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets")
}

fn expectations(folder: &str) -> BTreeMap<String, Expected> {
    let path = datasets().join(folder).join("expected.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

/// The scenarios shipped in a dataset folder: every `.json` file except
/// `expected.json`, and every sub-folder holding a `scenario.json`.
fn shipped(folder: &str) -> BTreeSet<String> {
    let dir = datasets().join(folder);
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir:?}: {e}"))
        .map(|e| e.expect("readable entry").path())
        .filter(|p| {
            if p.is_dir() {
                p.join("scenario.json").is_file()
            } else {
                p.extension().is_some_and(|x| x == "json")
                    && p.file_name().is_some_and(|n| n != "expected.json")
            }
        })
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

fn solve(folder: &str, name: &str) -> (Scenario, Plan) {
    let path = datasets().join(folder).join(name);
    let (scenario, _warnings) = domopt::load_scenario(&path, "us-parcel", &[])
        .unwrap_or_else(|e| panic!("{path:?} does not load: {e}"));
    let plan = run(&scenario, &Settings::default(), Strategy::Monolithic);
    (scenario, plan)
}

fn plan_shipments(plan: &Plan) -> Vec<ExpectedShipment> {
    let mut v: Vec<ExpectedShipment> = plan
        .shipments
        .iter()
        .map(|s| {
            let mut items = BTreeMap::new();
            for i in &s.items {
                *items.entry(i.sku.clone()).or_insert(0) += i.quantity;
            }
            ExpectedShipment {
                order: s.order.clone(),
                node: s.node.clone(),
                service: s.service.clone(),
                items,
            }
        })
        .collect();
    v.sort();
    v
}

fn plan_backorders(plan: &Plan) -> Vec<ExpectedBackorder> {
    let mut v: Vec<ExpectedBackorder> = plan
        .backorders
        .iter()
        .map(|b| ExpectedBackorder {
            order: b.order.clone(),
            sku: b.sku.clone(),
            units: b.units,
        })
        .collect();
    v.sort();
    v
}

/// Solves `folder/name` and asserts everything `expected.json` says about it,
/// plus a clean bill from the checker. Returns the plan for further checks.
fn assert_meets_expectation(folder: &str, name: &str) -> Plan {
    let all = expectations(folder);
    let want = all
        .get(name)
        .unwrap_or_else(|| panic!("{folder}/expected.json has no entry for {name}"));
    let (_, plan) = solve(folder, name);
    let what = format!("{folder}/{name} (expected: {})", want.derivation);

    assert_eq!(plan.solve.status.as_str(), want.status, "status of {what}");
    let reported = plan.solve.objective.expect("the MIP reports an objective");
    assert!(
        (reported - want.objective).abs() <= TOLERANCE,
        "solver objective {reported} != {} for {what}",
        want.objective
    );
    assert!(
        (plan.kpis.cost.total - want.objective).abs() <= TOLERANCE,
        "plan cost {} != {} for {what}",
        plan.kpis.cost.total,
        want.objective
    );
    assert_eq!(plan.shipments.len(), want.shipments, "shipments of {what}");
    let units: u32 = plan.backorders.iter().map(|b| b.units).sum();
    assert_eq!(units, want.backorder_units, "backordered units of {what}");

    let mut ws = want.plan.shipments.clone();
    ws.sort();
    assert_eq!(plan_shipments(&plan), ws, "shipments of {what}");
    let mut wb = want.plan.backorders.clone();
    wb.sort();
    assert_eq!(plan_backorders(&plan), wb, "backorders of {what}");

    // The checker reads the input itself, not the loader's scenario.
    let path = datasets().join(folder).join(name);
    let input = domopt::solution::check::Input::read(&path, "us-parcel", &[])
        .expect("the checker reads it");
    let report = domopt::solution::check::check_input(&input, &plan);
    assert!(
        report.violations.is_empty(),
        "checker found violations in {what}: {:#?}",
        report.violations
    );
    assert!(
        (report.recomputed.total - want.objective).abs() <= TOLERANCE,
        "checker recomputes {} for {what}",
        report.recomputed.total
    );
    plan
}

fn shipment<'a>(plan: &'a Plan, order: &str) -> &'a domopt::plan::Shipment {
    plan.shipments
        .iter()
        .find(|s| s.order == order)
        .unwrap_or_else(|| panic!("no shipment for {order}"))
}

#[test]
fn every_shipped_dataset_has_an_expectation_and_every_expectation_a_dataset() {
    for folder in ["seed-example", "small"] {
        let files = shipped(folder);
        let expected: BTreeSet<String> = expectations(folder).into_keys().collect();
        assert_eq!(files, expected, "datasets/{folder}");
    }
}

#[test]
fn every_shipped_dataset_solves_to_its_hand_derived_optimum() {
    for folder in ["seed-example", "small"] {
        for name in shipped(folder) {
            assert_meets_expectation(folder, &name);
        }
    }
}

#[test]
fn seed_example_ships_t_shirt_from_warehouse_and_jacket_with_pants_from_store() {
    let plan = assert_meets_expectation("seed-example", "two-shipments.json");
    assert!(plan.backorders.is_empty());
    assert_eq!(plan.orders[0].packages, 2);
    assert_eq!(plan.kpis.cost.split, 4.0);
    assert_eq!(plan.kpis.cost.store_premium, 2.0);
}

#[test]
fn seed_example_without_free_pants_backorders_them_and_ships_the_rest_from_the_warehouse() {
    let plan = assert_meets_expectation("seed-example", "backorder.json");
    assert_eq!(plan.backorders.len(), 1);
    assert_eq!(plan.backorders[0].sku, "pants");
    assert_eq!(plan.backorders[0].penalty_per_unit, 60.0);
    assert_eq!(plan.kpis.cost.split, 0.0);
}

#[test]
fn capacity_crunch_sends_the_order_that_saves_least_to_the_dearer_node() {
    let plan = assert_meets_expectation("small", "capacity-crunch.json");
    let near = plan
        .kpis
        .node_utilisation
        .iter()
        .find(|u| u.node == "dc-near")
        .expect("dc-near is reported");
    assert_eq!(near.packages, 2);
    assert_eq!(near.utilisation, Some(1.0));
    assert_eq!(shipment(&plan, "one-unit").node, "dc-far");
    assert_eq!(shipment(&plan, "one-unit").zone, 5);
}

#[test]
fn capacity_crunch_greedy_fills_the_cheap_node_in_arrival_order_and_pays_more() {
    // Greedy takes dc-near for one-unit (17.15) and two-units (17.48), then
    // must send three-units far (21.25): 55.88, against the optimum 55.34.
    let (scenario, _) = solve("small", "capacity-crunch.json");
    let greedy = run(&scenario, &Settings::default(), Strategy::GreedyCost);
    assert_eq!(greedy.solve.status, Status::Heuristic);
    assert!((greedy.kpis.cost.total - 55.88).abs() <= TOLERANCE);
    assert_eq!(shipment(&greedy, "three-units").node, "dc-far");
    assert!(check(&scenario, &greedy).ok());
}

#[test]
fn ship_complete_order_no_node_can_fill_is_backordered_while_a_normal_order_splits() {
    let plan = assert_meets_expectation("small", "ship-complete.json");
    assert!(plan.shipments.iter().all(|s| s.order == "may-split"));
    let summary = |id: &str| plan.orders.iter().find(|o| o.order == id).unwrap();
    assert_eq!(summary("all-or-nothing").packages, 0);
    assert_eq!(summary("all-or-nothing").cost, 120.0);
    assert_eq!(summary("may-split").packages, 2);
    assert_eq!(plan.kpis.cost.split, 4.0);
}

#[test]
fn csv_folder_holds_the_same_scenario_as_its_json_twin() {
    let json = domopt::format::read_scenario(&datasets().join("small/ship-complete.json"))
        .expect("json reads");
    let folder =
        domopt::format::read_scenario(&datasets().join("small/csv-folder")).expect("folder reads");
    assert!(folder.orphan_lines.is_empty());
    let (mut a, mut b) = (json.file, folder.file);
    a.name = None;
    b.name = None;
    assert_eq!(
        serde_json::to_value(&a).unwrap(),
        serde_json::to_value(&b).unwrap()
    );
}

#[test]
fn csv_folder_solves_like_the_json_scenario_it_was_written_from() {
    let plan = assert_meets_expectation("small", "csv-folder");
    let twin = assert_meets_expectation("small", "ship-complete.json");
    assert_eq!(plan_shipments(&plan), plan_shipments(&twin));
    assert_eq!(plan_backorders(&plan), plan_backorders(&twin));
}

#[test]
fn holiday_deadline_forces_two_day_for_the_christmas_eve_order_only() {
    let plan = assert_meets_expectation("small", "holiday-deadline.json");
    let eve = shipment(&plan, "for-christmas-eve");
    assert_eq!(eve.service, "two_day");
    assert!(eve.delivery_date <= eve.promised_date.unwrap());
    let new_year = shipment(&plan, "for-new-year");
    assert_eq!(new_year.service, "ground");
    assert_eq!(new_year.ship_date.to_string(), "2026-12-21");
    assert_eq!(plan.kpis.cost.lateness, 0.0);
}

#[test]
fn pickup_order_is_collected_in_store_and_the_cross_market_node_is_not_used() {
    let plan = assert_meets_expectation("small", "pickup-and-market.json");
    let pickup = shipment(&plan, "collect-in-store");
    assert_eq!(pickup.service, "pickup");
    assert_eq!(pickup.cost.shipping, 0.0);
    assert_eq!(pickup.delivery_date, pickup.ship_date);
    assert!(plan.shipments.iter().all(|s| s.node != "dc-windsor"));
    assert_eq!(plan.kpis.cost.cross_market, 0.0);
}

#[test]
fn lateness_is_paid_when_cheaper_than_a_faster_service() {
    let plan = assert_meets_expectation("small", "lateness.json");
    let heavy = shipment(&plan, "heavy-near");
    assert_eq!((heavy.service.as_str(), heavy.late_days), ("ground", 1));
    assert!((heavy.cost.lateness - 15.0).abs() <= TOLERANCE);
    let light = shipment(&plan, "light-far");
    assert_eq!((light.service.as_str(), light.late_days), ("two_day", 0));
    assert_eq!(plan.kpis.on_time_rate, Some(0.5));
}

#[test]
fn a_christmas_eve_wave_delivers_on_monday_28_december_never_on_christmas_day() {
    let plan = assert_meets_expectation("small", "christmas-calendar.json");
    let christmas = shipment(&plan, "for-christmas-day");
    assert_eq!(
        (
            christmas.service.as_str(),
            christmas.delivery_date.to_string().as_str(),
            christmas.late_days
        ),
        ("ground", "2026-12-28", 1)
    );
    let tuesday = shipment(&plan, "for-tuesday");
    assert_eq!(
        (tuesday.service.as_str(), tuesday.late_days),
        ("two_day", 0)
    );
    assert_eq!(tuesday.delivery_date.to_string(), "2026-12-29");
    assert!(
        plan.shipments
            .iter()
            .all(|s| s.delivery_date.to_string() != "2026-12-25")
    );
}

#[test]
fn every_shipped_dataset_is_proven_optimal_with_a_zero_gap() {
    for folder in ["seed-example", "small"] {
        for name in shipped(folder) {
            let (_, plan) = solve(folder, &name);
            assert_eq!(plan.solve.status, Status::Optimal, "{folder}/{name}");
            let gap = plan.solve.gap.expect("exact candidates give a bound");
            assert!(gap <= 1e-4, "{folder}/{name}: gap {gap}");
        }
    }
}

#[test]
fn auto_and_decompose_with_one_or_two_threads_reach_every_hand_derived_optimum_too() {
    for folder in ["seed-example", "small"] {
        let all = expectations(folder);
        for name in shipped(folder) {
            let want = &all[&name];
            let path = datasets().join(folder).join(&name);
            let (scenario, _) = domopt::load_scenario(&path, "us-parcel", &[])
                .unwrap_or_else(|e| panic!("{path:?} does not load: {e}"));
            for strategy in [Strategy::Auto, Strategy::Decompose] {
                for threads in [1, 2] {
                    let settings = Settings {
                        threads,
                        ..Settings::default()
                    };
                    let plan = run(&scenario, &settings, strategy);
                    let what = format!(
                        "{folder}/{name} by {} on {threads} threads",
                        strategy.name()
                    );
                    assert!(
                        (plan.kpis.cost.total - want.objective).abs() <= TOLERANCE,
                        "{what}: cost {} (status {:?}), optimum {}",
                        plan.kpis.cost.total,
                        plan.solve.status,
                        want.objective
                    );
                    if let Some(b) = plan.solve.best_bound {
                        assert!(b <= want.objective + TOLERANCE, "{what}: bound {b}");
                    }
                    let report = check(&scenario, &plan);
                    assert!(report.ok(), "{what}: {:#?}", report.violations);
                }
            }
        }
    }
}
