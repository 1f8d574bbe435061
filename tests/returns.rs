//! Returns routing: the decisions on small cases, capacities, bad input,
//! the CLI end to end, optimality against an exhaustive enumeration on tiny
//! instances, and a property test against the nearest-node baseline. Every
//! plan goes through the independent checker.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use domopt::returns::check::{forbidden, unit_economics};
use domopt::returns_routing::{
    Condition, Disposition, DispositionRow, OptimiseOptions, ReturnsBatch, ReturnsFile,
    ReturnsPlan, build_batch, check_returns, nearest_node, optimise,
};
use domopt::{CostModel, Scenario};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_domopt");

/// A validated scenario from its JSON.
fn scenario(v: Value) -> Scenario {
    let loaded = domopt::format::LoadedScenario {
        file: serde_json::from_value(v).expect("a scenario file"),
        orphan_lines: Vec::new(),
        source: PathBuf::from("test.json"),
    };
    let model = CostModel::load("us-parcel").expect("the preset");
    domopt::validate(&loaded, &model, &Default::default())
        .expect("a valid scenario")
        .0
}

fn node(id: &str, kind: &str, lat: f64, lon: f64, caps: &[&str]) -> Value {
    json!({"id": id, "kind": kind, "lat": lat, "lon": lon, "capabilities": caps})
}

/// Chicago store, New Jersey DC (inspects), a Los Angeles store.
fn network() -> Scenario {
    scenario(json!({
        "wave_time": "2026-12-28T09:00",
        "nodes": [
            node("store-chicago", "store", 41.89, -87.62, &["returns"]),
            node("dc-east", "dc", 40.52, -74.41, &["returns", "inspection"]),
            node("store-la", "store", 34.05, -118.24, &["returns"]),
        ],
        "skus": [
            {"id": "sneakers", "weight_lb": 3.0, "price": 90.0},
            {"id": "jacket", "weight_lb": 6.0, "price": 120.0},
            {"id": "gift-card", "weight_lb": 0.1, "price": 50.0, "returnable": false},
            {"id": "sample", "weight_lb": 0.1},
        ],
    }))
}

fn costs() -> Value {
    json!({
        "shipping": {"per_package": [5.5, 6.0, 6.5, 7.0, 7.5, 8.0, 8.5, 9.5],
                     "per_lb": [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6]},
        "inspection_per_unit": 3.0,
        "restock_per_unit": 1.5,
        "restock_share": {"new": 1.0, "open_box": 0.7},
        "no_demand_factor": 0.6,
        "liquidation_share": {"new": 0.35, "open_box": 0.3, "damaged": 0.1},
        "vendor_share": {"new": 0.5, "open_box": 0.35, "damaged": 0.15},
        "inspection_outcomes": {"new": 0.5, "open_box": 0.3, "damaged": 0.2}
    })
}

fn ret(id: &str, sku: &str, quantity: f64, condition: &str, zip: &str) -> Value {
    json!({"id": id, "order": "W-1", "sku": sku, "quantity": quantity, "condition": condition, "zip": zip})
}

/// A batch of `returns` with the fields of `extra` (demand, capacities), at
/// [`costs`].
fn batch_at_usual_costs(s: &Scenario, returns: Value, mut extra: Value) -> ReturnsBatch {
    extra["returns"] = returns;
    extra["costs"] = costs();
    batch(s, extra)
}

/// The checked plan of [`batch_at_usual_costs`].
fn route(s: &Scenario, returns: Value, extra: Value) -> ReturnsPlan {
    routed(s, &batch_at_usual_costs(s, returns, extra))
}

/// The one row of return `id` in `plan`.
fn only_row<'a>(plan: &'a ReturnsPlan, id: &str) -> &'a DispositionRow {
    let rows = rows_of(plan, id);
    assert_eq!(rows.len(), 1, "{rows:#?}");
    rows[0]
}

fn batch(s: &Scenario, returns: Value) -> ReturnsBatch {
    let file: ReturnsFile = serde_json::from_value(returns).expect("a returns file");
    build_batch(s, &file).expect("a valid batch")
}

/// The issue codes a returns file is refused with.
fn refused(s: &Scenario, returns: Value) -> Vec<String> {
    let file: ReturnsFile = serde_json::from_value(returns).expect("a returns file");
    let report = build_batch(s, &file).expect_err("refused");
    report.issues.iter().map(|i| i.code.to_string()).collect()
}

/// The optimiser's plan, after the checker passed it.
fn routed(s: &Scenario, b: &ReturnsBatch) -> ReturnsPlan {
    let plan = optimise(s, b, &OptimiseOptions::default()).expect("a plan");
    let check = check_returns(s, b, &plan);
    assert!(check.ok(), "{:#?}", check.violations);
    plan
}

fn rows_of<'a>(plan: &'a ReturnsPlan, id: &str) -> Vec<&'a DispositionRow> {
    plan.rows.iter().filter(|r| r.return_id == id).collect()
}

/// What the optimiser maximises: net value less the penalty of units not routed.
fn objective(plan: &ReturnsPlan, penalty: f64) -> f64 {
    plan.totals.net - penalty * plan.totals.not_routed_units as f64
}

#[test]
fn the_store_with_a_backorder_for_the_sku_gets_the_restock() {
    let s = network();
    // From Indianapolis: about as far from Chicago as from nowhere else.
    let plan = route(
        &s,
        json!([ret("R-1", "sneakers", 1.0, "new", "46204")]),
        json!({"demand": [{"node": "store-chicago", "sku": "sneakers", "backorders": 3}]}),
    );
    let row = only_row(&plan, "R-1");
    assert_eq!(row.disposition, Disposition::RestockStore);
    assert_eq!(row.node.as_deref(), Some("store-chicago"));
    assert!(row.fills_demand);
    assert!(row.reason.contains("3 units backordered"), "{}", row.reason);
    // Without the backorder the unit would not be worth as much there.
    let without = route(
        &s,
        json!([ret("R-1", "sneakers", 1.0, "new", "46204")]),
        json!({}),
    );
    assert!(plan.totals.net > without.totals.net + 30.0);
}

#[test]
fn the_backorder_is_filled_from_the_return_that_gains_most_and_no_further() {
    let s = network();
    let plan = route(
        &s,
        json!([ret("R-1", "sneakers", 3.0, "new", "60614")]),
        json!({"demand": [{"node": "store-chicago", "sku": "sneakers", "backorders": 1, "shortfall": 1}]}),
    );
    assert_eq!(plan.totals.demand_filled_units, 2, "{:#?}", plan.rows);
    assert_eq!(plan.totals.units, 3);
}

#[test]
fn a_unit_of_unknown_condition_goes_through_inspection() {
    let s = network();
    // Next to the Chicago store, which cannot inspect: it goes to the DC.
    let plan = route(
        &s,
        json!([ret("R-1", "sneakers", 2.0, "unknown", "60614")]),
        json!({"demand": [{"node": "store-chicago", "sku": "sneakers", "backorders": 5}]}),
    );
    let row = only_row(&plan, "R-1");
    assert_eq!(row.disposition, Disposition::Inspect);
    assert_eq!(row.node.as_deref(), Some("dc-east"));
    assert!(row.reason.contains("expected"), "{}", row.reason);
}

#[test]
fn returns_capacity_binds_and_the_rest_goes_to_the_next_best_node() {
    let s = network();
    let plan = route(
        &s,
        json!([ret("R-1", "sneakers", 5.0, "new", "60614")]),
        json!({"capacities": [{"node": "store-chicago", "returns_units": 2}]}),
    );
    let at = |node: &str| -> u32 {
        plan.rows
            .iter()
            .filter(|r| r.node.as_deref() == Some(node))
            .map(|r| r.units)
            .sum()
    };
    assert_eq!(at("store-chicago"), 2);
    assert_eq!(at("dc-east") + at("store-la"), 3);
    assert_eq!(plan.totals.not_routed_units, 0);
}

#[test]
fn inspection_capacity_binds_and_units_beyond_every_capacity_are_not_routed() {
    let s = network();
    let plan = route(
        &s,
        json!([ret("R-1", "jacket", 4.0, "unknown", "10001")]),
        json!({"capacities": [{"node": "dc-east", "inspection_units": 3}]}),
    );
    assert_eq!(plan.totals.by_disposition.get("inspect"), Some(&3));
    assert_eq!(plan.totals.not_routed_units, 1);
    let unrouted = plan
        .rows
        .iter()
        .find(|r| r.disposition == Disposition::NotRouted)
        .unwrap();
    assert!(unrouted.reason.contains("not routed"));
}

#[test]
fn a_damaged_unit_goes_to_the_vendor_or_the_liquidator_whichever_pays_more() {
    let s = network();
    let mut c = costs();
    let plan = routed(
        &s,
        &batch(
            &s,
            json!({
                "returns": [ret("R-1", "jacket", 1.0, "damaged", "10001")],
                "costs": c.clone(),
            }),
        ),
    );
    assert_eq!(plan.rows[0].disposition, Disposition::ReturnToVendor);
    assert!((plan.rows[0].value_per_unit - 18.0).abs() < 1e-9);
    c["liquidation_share"]["damaged"] = json!(0.2);
    let plan = routed(
        &s,
        &batch(
            &s,
            json!({
                "returns": [ret("R-1", "jacket", 1.0, "damaged", "10001")],
                "costs": c,
            }),
        ),
    );
    assert_eq!(plan.rows[0].disposition, Disposition::Liquidate);
    assert!((plan.rows[0].value_per_unit - 24.0).abs() < 1e-9);
    assert!(plan.rows.iter().all(|r| !r.disposition.is_restock()));
}

#[test]
fn a_new_unit_is_sold_off_rather_than_restocked_when_that_pays_more() {
    let s = network();
    let mut c = costs();
    c["restock_per_unit"] = json!(60.0);
    let plan = routed(
        &s,
        &batch(
            &s,
            json!({
                "returns": [ret("R-1", "sneakers", 1.0, "new", "60614")],
                "costs": c,
            }),
        ),
    );
    assert_eq!(plan.rows[0].disposition, Disposition::ReturnToVendor);
}

#[test]
fn bad_input_is_refused_with_every_problem_and_its_code() {
    let s = network();
    let mut c = costs();
    c["shipping"]["per_package"] = json!([1.0, 2.0]);
    c["restock_share"]["new"] = json!(1.5);
    c["inspection_outcomes"]["new"] = json!(0.9);
    let codes = refused(
        &s,
        json!({
            "returns": [
                ret("R-1", "nope", 1.0, "new", "60614"),
                ret("R-1", "sneakers", 0.0, "new", "60614"),
                ret("R-2", "sneakers", -2.0, "new", "60614"),
                ret("R-3", "sneakers", 1.5, "new", "60614"),
                ret("R-4", "sneakers", 2e9, "new", "60614"),
                ret("R-5", "sneakers", 1.0, "mint", "60614"),
                ret("R-6", "gift-card", 1.0, "new", "60614"),
                ret("R-7", "sample", 1.0, "new", "60614"),
                ret("R-8", "sneakers", 1.0, "new", "00000"),
            ],
            "capacities": [
                {"node": "store-chicago", "returns_units": -1},
                {"node": "store-chicago", "inspection_units": 2},
                {"node": "ghost", "returns_units": 1},
            ],
            "demand": [{"node": "store-la", "sku": "ghost", "backorders": 1.5}],
            "costs": c,
        }),
    );
    for want in [
        "E160", "E161", "E162", "E163", "E164", "E165", "E166", "E167", "E168",
    ] {
        assert!(
            codes.iter().any(|c| c == want),
            "{want} missing from {codes:?}"
        );
    }
    // Zero, negative, fractional and huge quantities: four E162.
    assert!(
        codes.iter().filter(|c| *c == "E162").count() >= 5,
        "{codes:?}"
    );
}

#[test]
fn a_return_no_node_can_receive_is_refused() {
    let s = scenario(json!({
        "wave_time": "2026-12-28T09:00",
        "nodes": [node("store", "store", 41.89, -87.62, &["returns"])],
        "skus": [{"id": "sneakers", "weight_lb": 3.0, "price": 90.0}],
    }));
    let codes = refused(
        &s,
        json!({
            "returns": [ret("R-1", "sneakers", 1.0, "unknown", "60614")],
            "costs": costs(),
        }),
    );
    assert_eq!(codes, ["E166"]);
}

#[test]
fn the_checker_catches_a_changed_amount_an_overfilled_demand_and_an_uninspected_unit() {
    let s = network();
    let b = batch_at_usual_costs(
        &s,
        json!([
            ret("R-1", "sneakers", 2.0, "new", "60614"),
            ret("R-2", "jacket", 1.0, "unknown", "10001")
        ]),
        json!({"demand": [{"node": "store-chicago", "sku": "sneakers", "backorders": 2}], "capacities": [{"node": "store-la", "returns_units": 0}]}),
    );
    let plan = routed(&s, &b);
    let mut changed = plan.clone();
    changed.rows[0].net += 1.0;
    assert!(!check_returns(&s, &b, &changed).ok());
    let mut tampered = plan.clone();
    let k = tampered
        .rows
        .iter()
        .position(|r| r.return_id == "R-2")
        .unwrap();
    tampered.rows[k].disposition = Disposition::RestockDc;
    let v = check_returns(&s, &b, &tampered).violations;
    assert!(v.iter().any(|v| v.contains("unknown condition")), "{v:?}");
    let b_less = batch_at_usual_costs(
        &s,
        json!([
            ret("R-1", "sneakers", 2.0, "new", "60614"),
            ret("R-2", "jacket", 1.0, "unknown", "10001")
        ]),
        json!({"demand": [{"node": "store-chicago", "sku": "sneakers", "backorders": 1}], "capacities": [{"node": "store-la", "returns_units": 0}]}),
    );
    let v = check_returns(&s, &b_less, &plan).violations;
    assert!(v.iter().any(|v| v.contains("fill demand")), "{v:?}");
}

#[test]
fn column_generation_from_one_option_per_return_reaches_the_same_optimum() {
    let s = network();
    let b = batch_at_usual_costs(
        &s,
        json!([
            ret("R-1", "sneakers", 3.0, "new", "60614"),
            ret("R-2", "sneakers", 2.0, "open_box", "90012"),
            ret("R-3", "jacket", 2.0, "unknown", "10001"),
            ret("R-4", "jacket", 1.0, "damaged", "46204"),
        ]),
        json!({"capacities": [{"node": "store-chicago", "returns_units": 2}, {"node": "dc-east", "returns_units": 3}], "demand": [{"node": "store-la", "sku": "sneakers", "backorders": 1}]}),
    );
    let full = routed(&s, &b);
    let narrow = optimise(
        &s,
        &b,
        &OptimiseOptions {
            initial_per_return: 1,
            added_per_round: 1,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(check_returns(&s, &b, &narrow).ok());
    assert!(narrow.solve.rounds > 1, "pricing added columns");
    assert!((objective(&full, 0.0) - objective(&narrow, 0.0)).abs() < 1e-6);
}

// ---- tiny random instances: exhaustive enumeration and properties ----

/// A random instance: 2-3 nodes, 2 SKUs, 1-3 returns of 1-2 units, random
/// capabilities, capacities, demand and costs.
fn random_instance(seed: u64, max_returns: usize) -> (Scenario, ReturnsBatch) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let kinds = ["store", "dc", "3pl", "supplier"];
    let n_nodes = rng.random_range(2..=3);
    let mut nodes = Vec::new();
    for k in 0..n_nodes {
        let mut caps = vec!["returns"];
        if k == 0 || rng.random_bool(0.5) {
            caps.push("inspection");
        }
        let kind = kinds[rng.random_range(0..kinds.len())];
        nodes.push(node(
            &format!("n{k}"),
            kind,
            rng.random_range(30.0..45.0),
            rng.random_range(-120.0..-75.0),
            &caps,
        ));
    }
    let s = scenario(json!({
        "wave_time": "2026-12-28T09:00",
        "nodes": nodes,
        "skus": [
            {"id": "a", "weight_lb": rng.random_range(0.5..5.0), "price": rng.random_range(5.0..150.0)},
            {"id": "b", "weight_lb": rng.random_range(0.5..5.0), "price": rng.random_range(5.0..150.0)},
        ],
    }));
    let conditions = ["new", "open_box", "damaged", "unknown"];
    let returns: Vec<Value> = (0..rng.random_range(1..=max_returns))
        .map(|k| {
            json!({
                "id": format!("R-{k}"),
                "sku": if rng.random_bool(0.5) { "a" } else { "b" },
                "quantity": rng.random_range(1..=2),
                "condition": conditions[rng.random_range(0..4)],
                "lat": rng.random_range(30.0..45.0),
                "lon": rng.random_range(-120.0..-75.0),
            })
        })
        .collect();
    let mut capacities = Vec::new();
    let mut demand = Vec::new();
    for k in 0..n_nodes {
        let mut c = json!({"node": format!("n{k}")});
        if rng.random_bool(0.5) {
            c["returns_units"] = json!(rng.random_range(0..=3));
        }
        if s.nodes[k].capabilities.inspection && rng.random_bool(0.5) {
            c["inspection_units"] = json!(rng.random_range(0..=2));
        }
        capacities.push(c);
        for sku in ["a", "b"] {
            if rng.random_bool(0.4) {
                demand.push(json!({"node": format!("n{k}"), "sku": sku, "backorders": rng.random_range(0..=2), "shortfall": rng.random_range(0..=1)}));
            }
        }
    }
    let share = |rng: &mut ChaCha8Rng| rng.random_range(0.0..1.0f64);
    let (p_new, p_open) = (share(&mut rng) * 0.6, share(&mut rng) * 0.4);
    let costs = json!({
        "shipping": {"per_package": (0..8).map(|z| 4.0 + z as f64 + share(&mut rng)).collect::<Vec<_>>(),
                     "per_lb": (0..8).map(|_| share(&mut rng)).collect::<Vec<_>>()},
        "inspection_per_unit": rng.random_range(0.0..6.0),
        "restock_per_unit": rng.random_range(0.0..6.0),
        "restock_share": {"new": rng.random_range(0.6..1.0), "open_box": rng.random_range(0.3..0.8)},
        "no_demand_factor": share(&mut rng),
        "liquidation_share": {"new": share(&mut rng) * 0.5, "open_box": share(&mut rng) * 0.4, "damaged": share(&mut rng) * 0.2},
        "vendor_share": {"new": share(&mut rng) * 0.6, "open_box": share(&mut rng) * 0.4, "damaged": share(&mut rng) * 0.3},
        "inspection_outcomes": {"new": p_new, "open_box": p_open, "damaged": 1.0 - p_new - p_open},
    });
    let b = batch(
        &s,
        json!({"returns": returns, "capacities": capacities, "demand": demand, "costs": costs}),
    );
    (s, b)
}

/// A unit's (node index, disposition, fills demand), or `None`: not routed.
type Choice = Option<(usize, Disposition, bool)>;

/// Every (node, disposition, fills demand) a unit of return `k` may get,
/// by the checker's rules, and "not routed".
fn unit_choices(s: &Scenario, b: &ReturnsBatch, k: usize) -> Vec<Choice> {
    let r = &b.requests[k];
    let mut out = vec![None];
    for n in 0..s.nodes.len() {
        for d in Disposition::ROUTED {
            for fills in [false, true] {
                if forbidden(s, r, domopt::domain::NodeIdx::new(n), d, fills).is_none() {
                    out.push(Some((n, d, fills)));
                }
            }
        }
    }
    out
}

/// A plan with these choices per unit (rows from the checker's economics).
fn plan_of(s: &Scenario, b: &ReturnsBatch, units: &[(usize, Choice)]) -> ReturnsPlan {
    let mut rows: Vec<DispositionRow> = Vec::new();
    for &(k, choice) in units {
        let r = &b.requests[k];
        let mut row = DispositionRow::not_routed(s, r, 1, "enumerated".into());
        if let Some((n, d, fills)) = choice {
            let e = unit_economics(s, b, r, domopt::domain::NodeIdx::new(n), d, fills);
            let net = e.value - e.shipping - e.handling;
            row = DispositionRow {
                disposition: d,
                node: Some(s.nodes[n].id.clone()),
                zone: Some(e.zone),
                fills_demand: fills,
                value_per_unit: e.value,
                shipping_per_unit: e.shipping,
                handling_per_unit: e.handling,
                net_per_unit: net,
                net,
                ..row
            };
        }
        rows.push(row);
    }
    ReturnsPlan {
        scenario: String::new(),
        totals: domopt::returns::plan::totals(&rows),
        solve: Default::default(),
        rows,
    }
}

/// The best objective over every assignment of every unit that passes the checker.
fn enumerate_best(s: &Scenario, b: &ReturnsBatch, penalty: f64) -> f64 {
    let units: Vec<usize> = b
        .requests
        .iter()
        .enumerate()
        .flat_map(|(k, r)| std::iter::repeat_n(k, r.quantity as usize))
        .collect();
    let choices: Vec<_> = units.iter().map(|&k| unit_choices(s, b, k)).collect();
    let mut index = vec![0usize; units.len()];
    let mut best = f64::NEG_INFINITY;
    loop {
        let assignment: Vec<_> = units
            .iter()
            .enumerate()
            .map(|(u, &k)| (k, choices[u][index[u]]))
            .collect();
        let plan = plan_of(s, b, &assignment);
        if check_returns(s, b, &plan).ok() {
            best = best.max(objective(&plan, penalty));
        }
        // Next assignment, odometer style.
        let mut u = 0;
        loop {
            if u == units.len() {
                return best;
            }
            index[u] += 1;
            if index[u] < choices[u].len() {
                break;
            }
            index[u] = 0;
            u += 1;
        }
    }
}

#[test]
fn exhaustive_enumeration_finds_nothing_better_than_the_optimiser_on_tiny_instances() {
    let mut compared = 0;
    for seed in 0..40u64 {
        let (s, b) = random_instance(seed, 2);
        if b.units() > 4 {
            continue;
        }
        let plan = routed(&s, &b);
        let penalty = plan.solve.not_routed_penalty;
        let best = enumerate_best(&s, &b, penalty);
        let got = objective(&plan, penalty);
        assert!(
            (got - best).abs() <= 1e-6 * (1.0 + best.abs()),
            "seed {seed}: optimiser {got}, enumeration {best}"
        );
        compared += 1;
    }
    assert!(compared >= 20, "only {compared} instances compared");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn on_random_small_instances_the_checker_passes_and_the_optimiser_beats_the_nearest_node_baseline(seed in any::<u64>()) {
        let (s, b) = random_instance(seed, 6);
        let plan = routed(&s, &b);
        let base = nearest_node(&s, &b);
        let check = check_returns(&s, &b, &base);
        prop_assert!(check.ok(), "baseline: {:?}", check.violations);
        let penalty = plan.solve.not_routed_penalty;
        prop_assert!(objective(&plan, penalty) >= objective(&base, penalty) - 1e-6,
            "optimiser {} < baseline {}", objective(&plan, penalty), objective(&base, penalty));
        prop_assert!(plan.rows.iter().all(|r| r.condition != Condition::Unknown || r.disposition == Disposition::Inspect || r.disposition == Disposition::NotRouted));
    }
}

// ---- the command line ----

fn dataset(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("datasets/returns")
        .join(rel)
}

fn domopt(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("the binary runs")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn the_cli_routes_the_example_writes_its_folder_and_writes_it_again() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let scenario = dataset("scenario.json");
    let returns = dataset("returns.json");
    for _ in 0..2 {
        let out = domopt(&["returns", s(&scenario), s(&returns), "--out", s(&out_dir)]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            text.contains("restocked at store-chicago: 2 units backordered"),
            "{text}"
        );
        assert!(text.contains("no violation"), "{text}");
    }
    let mut names: Vec<_> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["dispositions.csv", "returns.json"]);
    let plan: ReturnsPlan =
        serde_json::from_slice(&std::fs::read(out_dir.join("returns.json")).unwrap()).unwrap();
    assert_eq!(plan.totals.units, 14);
    let csv = std::fs::read_to_string(out_dir.join("dispositions.csv")).unwrap();
    assert_eq!(csv.lines().count(), plan.rows.len() + 1);
    // The JSON on stdout is the same plan but for the time it took.
    let out = domopt(&["returns", s(&scenario), s(&returns), "--json"]);
    let printed: ReturnsPlan = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed.rows, plan.rows);
    // The baseline is worth less here.
    let out = domopt(&["returns", s(&scenario), s(&returns), "--baseline", "--json"]);
    let base: ReturnsPlan = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        base.totals.net < plan.totals.net,
        "{} vs {}",
        base.totals.net,
        plan.totals.net
    );
}

#[test]
fn the_cli_refuses_bad_returns_with_codes_exit_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let scenario = dataset("scenario.json");
    let mut file: Value =
        serde_json::from_slice(&std::fs::read(dataset("returns.json")).unwrap()).unwrap();
    file["returns"][0]["sku"] = json!("gift-card");
    file["returns"][1]["quantity"] = json!(0);
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, serde_json::to_vec(&file).unwrap()).unwrap();
    let out = domopt(&["returns", s(&scenario), s(&bad), "--out", s(&out_dir)]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("E164") && err.contains("E162"), "{err}");
    assert!(!out_dir.exists());
    // Not JSON at all: E100, exit 2; a missing file: E121, exit 1.
    std::fs::write(&bad, "{ not json").unwrap();
    let out = domopt(&["returns", s(&scenario), s(&bad), "--out", s(&out_dir)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("E100"));
    let out = domopt(&["returns", s(&scenario), s(&dir.path().join("missing.json"))]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("E121"));
    assert!(!out_dir.exists());
    // A duplicate id with --json: the report on stdout.
    let mut file: Value =
        serde_json::from_slice(&std::fs::read(dataset("returns.json")).unwrap()).unwrap();
    file["returns"][1]["id"] = json!("R-1");
    std::fs::write(&bad, serde_json::to_vec(&file).unwrap()).unwrap();
    let out = domopt(&["returns", s(&scenario), s(&bad), "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["issues"][0]["code"], "E160");
}

#[test]
fn the_cli_refuses_an_out_folder_holding_other_files_and_leaves_it_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    std::fs::write(out_dir.join("notes.txt"), "mine").unwrap();
    let scenario = dataset("scenario.json");
    let returns = dataset("returns.json");
    let out = domopt(&["returns", s(&scenario), s(&returns), "--out", s(&out_dir)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("E122"));
    let names: Vec<_> = std::fs::read_dir(&out_dir).unwrap().collect();
    assert_eq!(names.len(), 1);
    assert_eq!(std::fs::read(out_dir.join("notes.txt")).unwrap(), b"mine");
}

#[test]
fn an_empty_batch_is_routed_to_an_empty_plan() {
    let s = network();
    let b = batch(&s, json!({"returns": [], "costs": costs()}));
    let plan = routed(&s, &b);
    assert!(plan.rows.is_empty());
    assert_eq!(plan.totals.units, 0);
    let base = nearest_node(&s, &b);
    assert!(check_returns(&s, &b, &base).ok() && base.rows.is_empty());
}
