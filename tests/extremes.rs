//! Waves at the stated limits: huge quantities, a thousand-line order, stock
//! near the largest accepted value. Every strategy plans them without
//! recursing or allocating per unit, and every plan passes the checker.

use domopt::CostModel;
use domopt::Settings;
use domopt::check;
use domopt::domain::Scenario;
use domopt::format::{LoadedScenario, ScenarioFile};
use domopt::limits::{MAX_LINES_PER_ORDER, MAX_UNITS};
use domopt::sourcing::{self, Strategy};
use serde_json::json;

/// Two DCs and a store; `orders` as given.
fn wave(skus: usize, stock: u32, orders: serde_json::Value) -> ScenarioFile {
    let nodes = json!([
        { "id": "dc-east", "kind": "dc", "zip": "08831",
          "services": [{ "service": "ground" }, { "service": "two_day" }] },
        { "id": "dc-west", "kind": "dc", "zip": "91761",
          "services": [{ "service": "ground" }] },
        { "id": "store-chi", "kind": "store", "zip": "60611",
          "services": [{ "service": "ground" }] }
    ]);
    let sku_ids: Vec<String> = (0..skus).map(|k| format!("sku-{k}")).collect();
    let inventory: Vec<serde_json::Value> = ["dc-east", "dc-west", "store-chi"]
        .iter()
        .flat_map(|n| {
            sku_ids
                .iter()
                .map(move |s| json!({ "node": n, "sku": s, "on_hand": stock }))
        })
        .collect();
    serde_json::from_value(json!({
        "name": "extremes",
        "wave_time": "2026-12-01T09:00",
        "nodes": nodes,
        "skus": sku_ids.iter().map(|s| json!({ "id": s, "weight_lb": 1.5 })).collect::<Vec<_>>(),
        "inventory": inventory,
        "orders": orders,
    }))
    .expect("well-formed scenario")
}

fn build(file: &ScenarioFile) -> Scenario {
    let loaded = LoadedScenario {
        file: file.clone(),
        orphan_lines: vec![],
        source: "extremes.json".into(),
    };
    let model = CostModel::load("us-parcel").expect("preset");
    match domopt::validate(&loaded, &model, &Default::default()) {
        Ok((s, _)) => s,
        Err(r) => panic!("invalid: {:#?}", r.errors().collect::<Vec<_>>()),
    }
}

/// Every strategy's plan of `file` passes the checker and fills at most what was ordered.
fn every_strategy_plans_and_passes_the_checker(file: &ScenarioFile) {
    let s = build(file);
    let settings = Settings {
        time_limit_s: 10.0,
        ..Settings::default()
    };
    for &(strategy, name) in Strategy::ALL {
        let plan = sourcing::run(&s, &settings, strategy);
        let report = check(&s, &plan);
        assert!(report.ok(), "{name}: {:#?}", report.violations);
        assert!(
            plan.kpis.fill_rate <= 1.0 + 1e-12,
            "{name}: fill {}",
            plan.kpis.fill_rate
        );
        assert!(plan.kpis.cost.total.is_finite(), "{name}");
    }
}

#[test]
fn lines_of_tens_of_thousands_of_units_are_planned_without_deep_recursion() {
    let file = wave(
        3,
        100_000,
        json!([
            { "id": "bulk", "zip": "10001",
              "lines": [{ "sku": "sku-0", "quantity": 65_536 }] },
            { "id": "mixed", "zip": "60601",
              "lines": [
                  { "sku": "sku-1", "quantity": 17_000 },
                  { "sku": "sku-2", "quantity": 3 },
                  { "sku": "sku-1", "quantity": 40 }
              ] },
            { "id": "small", "zip": "94105",
              "lines": [{ "sku": "sku-2", "quantity": 2 }] }
        ]),
    );
    every_strategy_plans_and_passes_the_checker(&file);
}

#[test]
fn quantities_at_the_unit_limit_are_planned_and_add_up_without_wrapping() {
    let half = MAX_UNITS / 2;
    let file = wave(
        2,
        MAX_UNITS,
        json!([
            { "id": "a", "zip": "10001",
              "lines": [{ "sku": "sku-0", "quantity": half }, { "sku": "sku-1", "quantity": 7 }] },
            { "id": "b", "zip": "60601",
              "lines": [{ "sku": "sku-0", "quantity": MAX_UNITS - half - 7 }] }
        ]),
    );
    every_strategy_plans_and_passes_the_checker(&file);
}

#[test]
fn an_order_of_the_most_lines_accepted_is_planned() {
    let lines: Vec<serde_json::Value> = (0..MAX_LINES_PER_ORDER)
        .map(|k| json!({ "sku": format!("sku-{}", k % 250), "quantity": 1 + k % 3 }))
        .collect();
    let file = wave(
        250,
        20,
        json!([{ "id": "b2b", "zip": "30303", "lines": lines }]),
    );
    every_strategy_plans_and_passes_the_checker(&file);
}
