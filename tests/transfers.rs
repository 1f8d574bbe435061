//! Pickup in store with store transfers: a pickup order whose store lacks a
//! line takes it over a transfer lane, dated by the lane's lead time, in
//! every strategy; the checker verifies transfers from the input alone; bad
//! lanes are refused with their codes, all at once.

use std::path::{Path, PathBuf};

use domopt::plan::Plan;
use domopt::solution::check::{Input, check_input};
use domopt::{Settings, Strategy, solve as run};
use serde_json::{Value, json};

fn dataset() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/small/pickup-transfer.json")
}

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("domopt-transfer-{}-{name}", std::process::id()));
    std::fs::remove_dir_all(&d).ok();
    d
}

fn date(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The shipped instance solved by `strategy`, checked against the checker's
/// own reading of the file.
fn solved(strategy: Strategy) -> Plan {
    let (s, _) = domopt::load_scenario(&dataset(), "us-parcel", &[]).expect("valid scenario");
    let plan = run(&s, &Settings::default(), strategy);
    let input = Input::read(&dataset(), "us-parcel", &[]).expect("the checker reads it");
    let report = check_input(&input, &plan);
    assert!(report.ok(), "{}: {:#?}", strategy.name(), report.violations);
    plan
}

#[test]
fn a_store_short_of_a_line_gets_it_by_transfer_ready_after_the_lane_lead_time() {
    let plan = solved(Strategy::Monolithic);
    assert_eq!(plan.kpis.cost.total, 23.0);
    let transfer = |order: &str| {
        plan.shipments
            .iter()
            .find(|sh| sh.order == order && sh.service == "transfer")
            .unwrap_or_else(|| panic!("no transfer for {order}"))
    };
    // store-dayton releases on the wave day, Tuesday; one business day of lead.
    let lamp = transfer("book-and-lamp");
    assert_eq!(lamp.node, "store-dayton");
    assert_eq!(lamp.to_node.as_deref(), Some("store-columbus"));
    assert_eq!(
        (lamp.ship_date, lamp.delivery_date),
        (date("2026-12-01"), date("2026-12-02"))
    );
    assert_eq!(lamp.late_days, 0);
    // dc-knoxville releases Wednesday (a processing day), + 2 = Friday, when
    // the store is closed: ready Saturday.
    let lamps = transfer("two-lamps");
    assert_eq!(lamps.node, "dc-knoxville");
    assert_eq!(
        (lamps.ship_date, lamps.delivery_date),
        (date("2026-12-02"), date("2026-12-05"))
    );
    // The cost model's lane: 3.00 per package, 0.25 per unit, plus handling.
    assert_eq!(lamps.cost.shipping, 3.0 + 2.0 * 0.25);
    assert_eq!(lamps.cost.handling, 1.0 + 2.0 * 0.25);
    // A transfer package is a package of the order: the split penalty applies.
    let order = plan
        .orders
        .iter()
        .find(|o| o.order == "book-and-lamp")
        .unwrap();
    assert_eq!(order.packages, 2);
    assert_eq!(plan.kpis.cost.split, 4.0);
    // The order is ready when its last package is: Wednesday.
    let ready = plan
        .shipments
        .iter()
        .filter(|sh| sh.order == "book-and-lamp")
        .map(|sh| sh.delivery_date)
        .max();
    assert_eq!(ready, Some(date("2026-12-02")));
}

#[test]
fn every_strategy_carries_transfers_and_passes_the_checker() {
    for strategy in [
        Strategy::Auto,
        Strategy::Decompose,
        Strategy::GreedyCost,
        Strategy::Shopify,
        Strategy::Closest,
        Strategy::Ranked,
    ] {
        let plan = solved(strategy);
        assert!(
            plan.backorders.is_empty(),
            "{}: {:?}",
            strategy.name(),
            plan.backorders
        );
        // Every lamp must come by transfer: the pickup store has none.
        assert!(
            plan.shipments
                .iter()
                .filter(|sh| sh.items.iter().any(|i| i.sku == "lamp"))
                .all(|sh| sh.service == "transfer"),
            "{}",
            strategy.name()
        );
        if matches!(strategy, Strategy::Auto | Strategy::Decompose) {
            assert!(
                (plan.kpis.cost.total - 23.0).abs() < 1e-6,
                "{}",
                strategy.name()
            );
        }
    }
}

#[test]
fn rule_routers_take_the_stores_own_stock_before_a_transfer() {
    // dc-knoxville ranks first; the books are in the store.
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(dataset()).unwrap()).unwrap();
    v["nodes"][2]["rank"] = json!(1);
    v["nodes"][0]["rank"] = json!(5);
    let path = temp("ranked.json");
    std::fs::write(&path, v.to_string()).unwrap();
    let (s, _) = domopt::load_scenario(&path, "us-parcel", &[]).unwrap();
    for strategy in [Strategy::Ranked, Strategy::Closest] {
        let plan = run(&s, &Settings::default(), strategy);
        let books = plan
            .shipments
            .iter()
            .find(|sh| sh.order == "book-and-lamp" && sh.items.iter().any(|i| i.sku == "book"))
            .expect("books shipped");
        assert_eq!(
            (books.node.as_str(), books.service.as_str()),
            ("store-columbus", "pickup"),
            "{}",
            strategy.name()
        );
        assert!(domopt::check(&s, &plan).ok());
    }
    // Shopify minimises packages first: knoxville has the whole order, so one
    // transfer carries it (the store would need a second package).
    let plan = run(&s, &Settings::default(), Strategy::Shopify);
    let of_order: Vec<_> = plan
        .shipments
        .iter()
        .filter(|sh| sh.order == "book-and-lamp")
        .map(|sh| (sh.node.as_str(), sh.service.as_str()))
        .collect();
    assert_eq!(of_order, [("dc-knoxville", "transfer")]);
    assert!(domopt::check(&s, &plan).ok());
    std::fs::remove_file(&path).ok();
}

/// The checker's findings on the monolithic plan after `edit`.
fn findings_after(edit: impl Fn(&mut Value), input: &Input) -> Vec<&'static str> {
    let mut v = serde_json::to_value(solved(Strategy::Monolithic)).unwrap();
    edit(&mut v);
    let plan: Plan = serde_json::from_value(v).unwrap();
    check_input(input, &plan)
        .violations
        .iter()
        .map(|x| x.kind)
        .collect()
}

fn transfer_index(v: &Value, order: &str) -> usize {
    v["shipments"]
        .as_array()
        .unwrap()
        .iter()
        .position(|sh| sh["order"] == order && sh["service"] == "transfer")
        .unwrap()
}

#[test]
fn the_checker_refuses_a_transfer_with_a_wrong_cost_date_store_or_no_lane() {
    let input = Input::read(&dataset(), "us-parcel", &[]).unwrap();
    let cost = findings_after(
        |v| {
            let i = transfer_index(v, "two-lamps");
            v["shipments"][i]["cost"]["shipping"] = json!(3.0);
        },
        &input,
    );
    assert!(cost.contains(&"cost"), "{cost:?}");
    let dated = findings_after(
        |v| {
            let i = transfer_index(v, "two-lamps");
            // Friday: the lane's arrival day, but the store is closed.
            v["shipments"][i]["delivery_date"] = json!("2026-12-04");
        },
        &input,
    );
    assert!(dated.contains(&"dates"), "{dated:?}");
    let store = findings_after(
        |v| {
            let i = transfer_index(v, "two-lamps");
            v["shipments"][i]["to_node"] = json!("store-dayton");
        },
        &input,
    );
    assert_eq!(store, ["transfer"]);
    let unnamed = findings_after(
        |v| {
            let i = transfer_index(v, "two-lamps");
            v["shipments"][i].as_object_mut().unwrap().remove("to_node");
        },
        &input,
    );
    assert_eq!(unnamed, ["transfer"]);
    // The same plan against the scenario without dc-knoxville's lane.
    let mut scenario: Value =
        serde_json::from_str(&std::fs::read_to_string(dataset()).unwrap()).unwrap();
    scenario["transfer_lanes"].as_array_mut().unwrap().remove(0);
    let path = temp("no-lane.json");
    std::fs::write(&path, scenario.to_string()).unwrap();
    let without = Input::read(&path, "us-parcel", &[]).unwrap();
    let no_lane = findings_after(|_| {}, &without);
    assert!(no_lane.contains(&"transfer"), "{no_lane:?}");
    std::fs::remove_file(&path).ok();
}

#[test]
fn the_checker_refuses_a_transfer_for_an_order_that_is_not_a_pickup_order() {
    let mut scenario: Value =
        serde_json::from_str(&std::fs::read_to_string(dataset()).unwrap()).unwrap();
    scenario["nodes"][0]["capabilities"] = json!(["pickup", "ship_to_home"]);
    scenario["nodes"][0]["services"] = json!([{ "service": "ground" }]);
    scenario["orders"][1]
        .as_object_mut()
        .unwrap()
        .remove("pickup_node");
    let path = temp("home.json");
    std::fs::write(&path, scenario.to_string()).unwrap();
    let input = Input::read(&path, "us-parcel", &[]).unwrap();
    let kinds = findings_after(|_| {}, &input);
    assert!(kinds.contains(&"transfer"), "{kinds:?}");
    // And the optimiser never plans one for it.
    let (s, _) = domopt::load_scenario(&path, "us-parcel", &[]).unwrap();
    let plan = run(&s, &Settings::default(), Strategy::Monolithic);
    assert!(
        plan.shipments
            .iter()
            .all(|sh| sh.order != "two-lamps" || sh.service != "transfer")
    );
    assert!(check_input(&input, &plan).ok());
    std::fs::remove_file(&path).ok();
}

#[test]
fn a_plan_folder_keeps_the_transfer_store_and_passes_check_files() {
    let plan = solved(Strategy::Monolithic);
    let dir = temp("plan");
    plan.write_dir(&dir).unwrap();
    let csv = std::fs::read_to_string(dir.join("shipments.csv")).unwrap();
    assert!(csv.lines().next().unwrap().ends_with(",to_node"), "{csv}");
    assert!(csv.contains(",store-columbus\n"), "{csv}");
    let (report, back, manifest) =
        domopt::solution::check::check_files(&dataset(), "us-parcel", &[], &dir).unwrap();
    assert!(report.ok(), "{:#?}", report.violations);
    assert!(manifest.ok());
    assert_eq!(back.shipments, plan.shipments);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_folder_scenario_reads_its_lanes_from_transfer_lanes_csv() {
    let dir = temp("folder");
    std::fs::create_dir_all(&dir).unwrap();
    let mut scenario: Value =
        serde_json::from_str(&std::fs::read_to_string(dataset()).unwrap()).unwrap();
    scenario.as_object_mut().unwrap().remove("transfer_lanes");
    std::fs::write(dir.join("scenario.json"), scenario.to_string()).unwrap();
    std::fs::write(
        dir.join("transfer_lanes.csv"),
        "from,to,per_package,per_unit,lead_days\n\
         dc-knoxville,store-columbus,,,\n\
         store-dayton,store-columbus,5.0,0.5,1\n",
    )
    .unwrap();
    let (folder, _) = domopt::load_scenario(&dir, "us-parcel", &[]).unwrap();
    let (json, _) = domopt::load_scenario(&dataset(), "us-parcel", &[]).unwrap();
    assert_eq!(folder.transfer_lanes, json.transfer_lanes);
    assert_eq!(folder.transfer_lanes.len(), 2);
    std::fs::remove_dir_all(&dir).ok();
}

/// The validation report of the shipped instance with `edit` applied, under `model`.
fn report_after(model: &str, edit: impl Fn(&mut Value)) -> domopt::ValidationReport {
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(dataset()).unwrap()).unwrap();
    edit(&mut v);
    let loaded = domopt::format::LoadedScenario {
        file: serde_json::from_value(v).expect("well-formed"),
        orphan_lines: vec![],
        source: "test.json".into(),
    };
    let model = domopt::CostModel::load(model).unwrap();
    match domopt::validate(&loaded, &model, &Default::default()) {
        Ok(_) => panic!("the scenario was accepted"),
        Err(r) => r,
    }
}

/// (code, field) of each error.
fn errors(r: &domopt::ValidationReport) -> Vec<(&'static str, String)> {
    r.errors()
        .map(|i| (i.code.as_str(), i.field.clone()))
        .collect()
}

#[test]
fn every_bad_lane_is_reported_at_once_with_its_code() {
    let r = report_after("us-parcel", |v| {
        v["transfer_lanes"] = json!([
            { "from": "dc-nowhere", "to": "store-columbus" },
            { "from": "store-columbus", "to": "dc-knoxville" },
            { "from": "store-dayton", "to": "store-dayton" },
            { "from": "dc-knoxville", "to": "store-columbus", "per_package": -1.0 },
            { "from": "store-dayton", "to": "store-columbus", "lead_days": 1.5 },
            { "from": "dc-knoxville", "to": "store-dayton", "lead_days": 1000 },
            { "from": "dc-knoxville", "to": "store-columbus" },
            { "from": "store-dayton", "to": "store-columbus", "per_unit": 1e12 },
            { "from": "dc-knoxville", "to": "store-dayton", "lead_days": -2 }
        ]);
    });
    let got = errors(&r);
    for want in [
        ("E102", "from"),
        ("E126", "to"),
        ("E127", "to"),
        ("E116", "per_package"),
        ("E104", "lead_days"),
        ("E117", "lead_days"),
        ("E117", "per_unit"),
        ("E103", "lead_days"),
    ] {
        assert!(
            got.iter().any(|(c, f)| *c == want.0 && f == want.1),
            "no {want:?} in {got:?}"
        );
    }
    // The second knoxville -> columbus lane is a duplicate only once the
    // first one is valid: here the first has a negative cost.
    assert!(!got.iter().any(|(c, _)| *c == "E101"), "{got:?}");
}

#[test]
fn a_lane_listed_twice_is_a_duplicate() {
    let r = report_after("us-parcel", |v| {
        let lanes = v["transfer_lanes"].as_array_mut().unwrap();
        lanes.push(json!({ "from": "store-dayton", "to": "store-columbus", "per_unit": 2.0 }));
    });
    assert_eq!(errors(&r), [("E101", "from".to_string())]);
}

#[test]
fn a_lane_without_costs_under_a_model_without_transfers_is_e127() {
    // jasin-sinha has no [transfers] table: knoxville's lane gives nothing.
    let r = report_after("jasin-sinha", |_| {});
    let got = errors(&r);
    for field in ["per_package", "per_unit", "lead_days"] {
        assert!(
            got.iter().any(|(c, f)| *c == "E127" && f == field),
            "no E127 {field} in {got:?}"
        );
    }
}

#[test]
fn lanes_in_an_explicit_cost_scenario_are_e127() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/explicit-cost/example.json");
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let nodes: Vec<String> = v["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_string())
        .collect();
    v["nodes"][1]["capabilities"] = json!(["pickup"]);
    v["transfer_lanes"] = json!([{ "from": nodes[0], "to": nodes[1] }]);
    let loaded = domopt::format::LoadedScenario {
        file: serde_json::from_value(v).unwrap(),
        orphan_lines: vec![],
        source: "explicit.json".into(),
    };
    let model = domopt::CostModel::load("us-parcel").unwrap();
    let r = domopt::validate(&loaded, &model, &Default::default()).expect_err("accepted");
    assert!(
        errors(&r).iter().any(|(c, _)| *c == "E127"),
        "{:?}",
        errors(&r)
    );
}

#[test]
fn the_transfer_service_is_built_in_and_cannot_be_defined_or_offered() {
    let offered = report_after("us-parcel", |v| {
        v["nodes"][2]["services"] = json!([{ "service": "ground" }, { "service": "transfer" }]);
    });
    assert_eq!(errors(&offered), [("E112", "services[1]".to_string())]);
    let defined = report_after("us-parcel", |v| {
        v["services"] = json!([{
            "id": "transfer",
            "per_package": [1, 1, 1, 1, 1, 1, 1, 1],
            "transit_days": [1, 1, 1, 1, 1, 1, 1, 1]
        }]);
    });
    assert!(
        errors(&defined)
            .iter()
            .any(|(c, f)| *c == "E101" && f == "id")
    );
}

#[test]
fn an_order_cannot_ask_for_the_built_in_transfer_service() {
    // (Found by the fuzzer: `"service": "transfer"` on a home-delivery order
    // was accepted, and the order left unfilled: no carrier ships by it.)
    let r = report_after("us-parcel", |v| {
        v["orders"][0]
            .as_object_mut()
            .unwrap()
            .remove("pickup_node");
        v["orders"][0]["service"] = json!("transfer");
    });
    assert_eq!(errors(&r), [("E131", "service".to_string())]);
}

#[test]
fn a_bad_transfers_table_in_the_cost_model_is_reported() {
    let dir = temp("model");
    std::fs::create_dir_all(&dir).unwrap();
    let text = include_str!("../models/us-parcel.toml")
        .replace("name = \"us-parcel\"", "name = \"bad-transfers\"")
        .replace("lead_days = 2", "lead_days = 2.5");
    let model_path = dir.join("m.toml");
    std::fs::write(&model_path, text).unwrap();
    let model = domopt::CostModel::load(model_path.to_str().unwrap()).unwrap();
    let loaded = domopt::format::read_scenario(&dataset()).unwrap();
    let r = domopt::validate(&loaded, &model, &Default::default()).expect_err("accepted");
    assert_eq!(errors(&r), [("E104", "lead_days".to_string())]);
    assert_eq!(r.issues[0].record, "cost model [transfers]");
    std::fs::remove_dir_all(&dir).ok();
}
