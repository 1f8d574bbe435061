//! Validation: every problem of a scenario is reported at once, each with a
//! stable code, the record, the field and what to do about it.

use std::collections::BTreeSet;
use std::path::PathBuf;

use domopt::CostModel;
use domopt::domain::{NodeIdx, Scenario, SkuIdx};
use domopt::format::{LoadedScenario, PolicyOverrides, ScenarioFile};
use domopt::{Issue, IssueCode, Severity, ValidationReport, validate as build_scenario};
use serde_json::json;

/// A small legal scenario: one DC, one SKU in stock, one order.
fn legal() -> serde_json::Value {
    json!({
        "name": "legal",
        "wave_time": "2026-12-01T09:00",
        "nodes": [
            {
                "id": "dc",
                "kind": "dc",
                "lat": 41.0,
                "lon": -90.0,
                "services": [{ "service": "ground" }]
            }
        ],
        "skus": [{ "id": "widget", "weight_lb": 1.0 }],
        "inventory": [{ "node": "dc", "sku": "widget", "on_hand": 10 }],
        "orders": [
            {
                "id": "o1",
                "lat": 41.3,
                "lon": -90.0,
                "lines": [{ "sku": "widget", "quantity": 1 }]
            }
        ]
    })
}

fn file(v: serde_json::Value) -> ScenarioFile {
    serde_json::from_value(v).expect("well-formed scenario JSON")
}

fn validate_with(
    f: ScenarioFile,
    run: &PolicyOverrides,
) -> Result<(Scenario, ValidationReport), ValidationReport> {
    let loaded = LoadedScenario {
        file: f,
        orphan_lines: Vec::new(),
        source: PathBuf::from("test.json"),
    };
    let model = CostModel::load("us-parcel").expect("preset loads");
    build_scenario(&loaded, &model, run)
}

fn validate(f: ScenarioFile) -> Result<(Scenario, ValidationReport), ValidationReport> {
    validate_with(f, &PolicyOverrides::default())
}

/// The report of a scenario that must be rejected.
fn rejected(f: ScenarioFile) -> ValidationReport {
    match validate(f) {
        Ok(_) => panic!("the scenario was accepted"),
        Err(r) => r,
    }
}

fn codes(r: &ValidationReport) -> BTreeSet<&'static str> {
    r.issues.iter().map(|i| i.code.as_str()).collect()
}

/// The errors with `code`, asserting there is at least one.
fn errors_with<'a>(r: &'a ValidationReport, code: &str) -> Vec<&'a Issue> {
    let v: Vec<&Issue> = r.errors().filter(|i| i.code == code).collect();
    assert!(!v.is_empty(), "no {code} in {:#?}", r.issues);
    v
}

fn has(r: &ValidationReport, code: &str, record: &str, field: &str) -> bool {
    r.issues
        .iter()
        .any(|i| i.code == code && i.record == record && i.field == field)
}

#[test]
fn the_legal_base_scenario_validates_without_issues() {
    let (s, report) = validate(file(legal())).expect("legal");
    assert!(report.issues.is_empty(), "{:#?}", report.issues);
    assert_eq!(s.orders.len(), 1);
}

#[test]
fn a_scenario_with_many_problems_reports_every_error_code_in_one_run() {
    let mut f = file(json!({
        "wave_time": "2026-12-01T09:00",
        "nodes": [
            {
                "id": "dc", "kind": "dc", "lat": 41.0, "lon": -90.0,
                "handling_per_package": -1.0,
                "services": [{ "service": "ground" }]
            },
            { "id": "dc", "kind": "dc", "lat": 41.0, "lon": -90.0,
              "time_zone": "America/Chicago" },
            {
                "id": "odd", "kind": "warehouse", "lat": 95.0, "lon": 0.0,
                "time_zone": "Mars/Olympus",
                "services": [{ "service": "ground" }]
            },
            {
                "id": "store", "kind": "store", "lat": 41.9, "lon": -87.6,
                "services": [{ "service": "ground" }]
            }
        ],
        "skus": [
            { "id": "widget", "weight_lb": 1.0 },
            { "id": "gadget", "weight_lb": 1.0 }
        ],
        "services": [
            {
                "id": "short",
                "per_package": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
                "transit_days": [1, 1, 1, 1, 1, 1, 1, 1]
            },
            {
                "id": "no-calendar",
                "per_package": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
                "transit_days": [1, 1, 1, 1, 1, 1, 1, 1],
                "calendar": "nope"
            }
        ],
        "inventory": [
            { "node": "dc", "sku": "widget", "on_hand": 1, "reserved": 3 },
            { "node": "nowhere", "sku": "gadget", "on_hand": 5 }
        ],
        "orders": [
            { "id": "negative", "lat": 41.3, "lon": -90.0,
              "lines": [{ "sku": "widget", "quantity": -1 }] },
            { "id": "fraction", "lat": 41.3, "lon": -90.0,
              "lines": [{ "sku": "widget", "quantity": 2.5 }] },
            { "id": "bad-zip", "zip": "00000",
              "lines": [{ "sku": "widget", "quantity": 1 }] },
            { "id": "no-place",
              "lines": [{ "sku": "widget", "quantity": 1 }] },
            { "id": "empty", "lat": 41.3, "lon": -90.0, "lines": [] },
            { "id": "bad-date", "lat": 41.3, "lon": -90.0, "promised_date": "2026-02-30",
              "lines": [{ "sku": "widget", "quantity": 1 }] },
            { "id": "collect", "lat": 41.9, "lon": -87.6, "pickup_node": "store",
              "lines": [{ "sku": "widget", "quantity": 1 }] },
            { "id": "huge", "lat": 41.3, "lon": -90.0,
              "lines": [{ "sku": "widget", "quantity": 2147483648u64 }] },
            { "id": "unknown-channel", "lat": 41.3, "lon": -90.0, "channel": "telephone",
              "lines": [{ "sku": "widget", "quantity": 1 }] },
            { "id": "collect-by-ground", "lat": 41.9, "lon": -87.6, "pickup_node": "store",
              "service": "ground", "lines": [{ "sku": "widget", "quantity": 1 }] }
        ],
        "channels": [
            { "id": "marketplace", "network_share": 1.5 },
            { "id": "walk_in", "buffer": { "units": 2, "node_kinds": ["kiosk"] } }
        ],
        "policy": { "split_penalty": -1.0 },
        "transfer_lanes": [
            { "from": "dc", "to": "store" },
            { "from": "store", "to": "store" }
        ]
    }));
    // JSON has no NaN: the non-finite number is set in Rust.
    f.skus[1].weight_lb = f64::NAN;
    let report = rejected(f);

    let found = codes(&report);
    // Codes of errors met before or beside validation (a malformed or missing
    // file, an unknown model, a bad run setting, an unreadable file, the
    // reservation ledger's E140-E152, the returns file's E160-E169, a
    // re-plan's events E170-E174, explanations' E180-E183, tunes' E190-E193 and simulations'
    // E194-E197, tested in tests/returns.rs, tests/reroute.rs, tests/explain.rs, tests/tune.rs
    // and tests/simulate.rs).
    let not_from_validation = [
        "E100", "E118", "E119", "E120", "E121", "E122", "E130", "E140", "E141", "E142", "E143",
        "E144", "E145", "E146", "E147", "E148", "E149", "E150", "E151", "E152", "E160", "E161",
        "E162", "E163", "E164", "E165", "E166", "E167", "E168", "E169", "E170", "E171", "E172",
        "E173", "E174", "E180", "E181", "E182", "E183", "E190", "E191", "E192", "E193", "E194",
        "E195", "E196", "E197",
    ];
    let wanted: Vec<&str> = IssueCode::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| c.starts_with('E') && !not_from_validation.contains(c))
        .collect();
    assert!(
        wanted.len() >= 20,
        "IssueCode::ALL lists E101..E117 and E123..E125"
    );
    for code in &wanted {
        assert!(
            found.contains(code),
            "{code} missing from {:#?}",
            report.issues
        );
    }
    for issue in &report.issues {
        assert!(
            !issue.record.is_empty() && !issue.field.is_empty() && !issue.action.is_empty(),
            "issue without record, field or action: {issue:?}"
        );
        assert!(
            !issue.message.is_empty(),
            "issue without message: {issue:?}"
        );
        assert!(
            IssueCode::ALL.contains(&issue.code),
            "{} is not in IssueCode::ALL",
            issue.code
        );
    }
    // Each problem is pinned to its record and field.
    assert!(has(&report, "E101", "node dc", "id"));
    assert!(has(&report, "E124", "node odd", "time_zone"));
    assert!(has(&report, "E125", "node dc", "time_zone"));
    assert!(has(
        &report,
        "E102",
        "inventory row 2 (nowhere / gadget)",
        "node"
    ));
    assert!(has(&report, "E103", "order negative", "lines[0].quantity"));
    assert!(has(&report, "E104", "order fraction", "lines[0].quantity"));
    assert!(has(
        &report,
        "E105",
        "inventory row 1 (dc / widget)",
        "reserved"
    ));
    assert!(has(&report, "E106", "order bad-zip", "zip"));
    assert!(has(&report, "E107", "order no-place", "zip"));
    assert!(has(&report, "E108", "sku gadget", "weight_lb"));
    assert!(has(&report, "E109", "order empty", "lines"));
    assert!(has(&report, "E110", "order bad-date", "promised_date"));
    assert!(has(&report, "E111", "policy", "split_penalty"));
    assert!(has(&report, "E112", "node odd", "kind"));
    assert!(has(&report, "E113", "service short", "per_package"));
    assert!(has(&report, "E114", "order collect", "pickup_node"));
    assert!(has(&report, "E115", "node odd", "lat/lon"));
    assert!(has(&report, "E116", "node dc", "handling_per_package"));
    assert!(has(&report, "E117", "order huge", "lines[0].quantity"));
}

/// The legal scenario with `edit` applied to its JSON.
fn legal_with(edit: impl FnOnce(&mut serde_json::Value)) -> ScenarioFile {
    let mut v = legal();
    edit(&mut v);
    file(v)
}

#[test]
fn quantities_days_amounts_and_line_counts_above_the_stated_limits_are_refused_with_e117() {
    use domopt::limits::*;
    let over_units = f64::from(MAX_UNITS) + 1.0;
    let cases: Vec<(&str, &str, ScenarioFile)> = vec![
        (
            "inventory row 1 (dc / widget)",
            "on_hand",
            legal_with(|v| v["inventory"][0]["on_hand"] = json!(4294967295u64)),
        ),
        (
            "inventory row 1 (dc / widget)",
            "inbound_quantity",
            legal_with(|v| v["inventory"][0]["inbound_quantity"] = json!(over_units)),
        ),
        (
            "order o1",
            "lines[0].quantity",
            legal_with(|v| v["orders"][0]["lines"][0]["quantity"] = json!(over_units)),
        ),
        (
            "node dc",
            "processing_days",
            legal_with(|v| v["nodes"][0]["processing_days"] = json!(MAX_DAYS + 1)),
        ),
        (
            "service slow",
            "transit_days[3]",
            legal_with(|v| {
                v["services"] = json!([{
                    "id": "slow", "per_package": [1, 1, 1, 1, 1, 1, 1, 1],
                    "transit_days": [1, 1, 1, 1e9, 1, 1, 1, 1]
                }]);
            }),
        ),
        (
            "order o1",
            "lines[0].unfilled_penalty",
            legal_with(|v| v["orders"][0]["lines"][0]["unfilled_penalty"] = json!(1e308)),
        ),
        (
            "sku widget",
            "weight_lb",
            legal_with(|v| v["skus"][0]["weight_lb"] = json!(MAX_AMOUNT * 10.0)),
        ),
        (
            "policy",
            "split_penalty",
            legal_with(|v| v["policy"] = json!({ "split_penalty": 1e300 })),
        ),
        (
            "order o1",
            "lines",
            legal_with(|v| {
                let line = v["orders"][0]["lines"][0].clone();
                v["orders"][0]["lines"] = json!(vec![line; MAX_LINES_PER_ORDER + 1]);
            }),
        ),
        (
            "orders",
            "units ordered in the wave",
            legal_with(|v| {
                let order = v["orders"][0].clone();
                let orders: Vec<serde_json::Value> = (0..5)
                    .map(|k| {
                        let mut o = order.clone();
                        o["id"] = json!(format!("o{k}"));
                        o["lines"][0]["quantity"] = json!(MAX_UNITS);
                        o
                    })
                    .collect();
                v["orders"] = json!(orders);
            }),
        ),
    ];
    for (record, field, f) in cases {
        let r = rejected(f);
        assert!(
            has(&r, "E117", record, field),
            "{record} {field}: {:#?}",
            r.issues
        );
    }
}

#[test]
fn service_levels_set_for_a_run_are_held_to_the_day_limit() {
    let run = PolicyOverrides::from_assignments(&["service_levels={two_day=4000000000}".into()])
        .expect("well-formed assignment");
    let r = match validate_with(file(legal()), &run) {
        Ok(_) => panic!("a four-billion-day service level was accepted"),
        Err(r) => r,
    };
    assert!(
        has(&r, "E117", "policy", "service_levels.two_day"),
        "{:#?}",
        r.issues
    );
}

#[test]
fn stock_at_the_limits_adds_up_without_wrapping() {
    use domopt::limits::MAX_UNITS;
    let f = legal_with(|v| {
        v["inventory"][0]["on_hand"] = json!(MAX_UNITS);
        v["inventory"][0]["inbound_quantity"] = json!(MAX_UNITS);
    });
    let (s, _) = validate(f).expect("stock at the limits is legal");
    assert_eq!(
        u64::from(s.atp(NodeIdx::new(0), SkuIdx::new(0))),
        2 * u64::from(MAX_UNITS)
    );
}

#[test]
fn dates_outside_the_supported_years_are_refused() {
    for date in ["1899-12-31", "+10000-01-01"] {
        let r = rejected(legal_with(|v| {
            v["orders"][0]["promised_date"] = json!(date)
        }));
        assert!(
            has(&r, "E110", "order o1", "promised_date"),
            "{date}: {:#?}",
            r.issues
        );
    }
    let r = rejected(legal_with(|v| v["wave_time"] = json!("1000-01-01T09:00")));
    assert!(has(&r, "E110", "scenario", "wave_time"), "{:#?}", r.issues);
}

/// The legal scenario written as a CSV folder in a fresh temporary folder.
fn csv_folder() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = dir.path().join("wave");
    domopt::format::write_scenario_folder(&file(legal()), &folder).expect("folder written");
    (dir, folder)
}

fn load_error(folder: &std::path::Path) -> domopt::DomoptError {
    match domopt::load_scenario(folder, "us-parcel", &[]) {
        Ok(_) => panic!("{} was accepted", folder.display()),
        Err(e) => e,
    }
}

#[test]
fn a_misspelt_csv_column_is_an_error_with_a_code_not_a_silently_ignored_value() {
    for (table, column) in [
        ("orders.csv", "ship_complete"),
        ("order_lines.csv", "quantity"),
        ("inventory.csv", "on_hand"),
    ] {
        let (_dir, folder) = csv_folder();
        let path = folder.join(table);
        let text = std::fs::read_to_string(&path).expect("table");
        let misspelt = text.replacen(column, &column.to_uppercase(), 1);
        std::fs::write(&path, misspelt).expect("table rewritten");
        let e = load_error(&folder);
        assert_eq!(e.code(), Some(IssueCode::Malformed), "{table}: {e}");
        assert!(e.to_string().contains(&column.to_uppercase()), "{e}");
    }
}

#[test]
fn one_order_table_without_the_other_is_a_missing_file_error() {
    for (removed, kept) in [
        ("orders.csv", "order_lines.csv"),
        ("order_lines.csv", "orders.csv"),
    ] {
        let (_dir, folder) = csv_folder();
        std::fs::remove_file(folder.join(removed)).expect("table removed");
        let e = load_error(&folder);
        assert_eq!(e.code(), Some(IssueCode::MissingTable), "{e}");
        assert!(e.to_string().contains(removed), "{kept} kept: {e}");
    }
}

#[test]
fn a_scenario_that_is_not_utf8_is_invalid_input_not_an_io_failure() {
    let (_dir, folder) = csv_folder();
    let mut bytes = std::fs::read(folder.join("scenario.json")).expect("scenario.json");
    bytes.extend_from_slice(b"\xff\xfe");
    std::fs::write(folder.join("scenario.json"), &bytes).expect("rewritten");
    assert_eq!(load_error(&folder).code(), Some(IssueCode::Malformed));
    let lines = folder.join("order_lines.csv");
    std::fs::write(folder.join("scenario.json"), &bytes[..bytes.len() - 2]).expect("restored");
    let mut text = std::fs::read(&lines).expect("lines");
    text.extend_from_slice(b"o1,wid\xffget,1,\n");
    std::fs::write(&lines, text).expect("lines rewritten");
    assert_eq!(load_error(&folder).code(), Some(IssueCode::Malformed));
}

#[test]
fn a_newline_in_a_run_assignment_cannot_set_another_key() {
    let e = PolicyOverrides::from_assignments(&["split_penalty=1\nlate_penalty_per_day=0".into()])
        .expect_err("a newline was accepted");
    assert_eq!(e.code(), Some(IssueCode::BadSetting));
    let e = PolicyOverrides::from_assignments(&["split\npenalty=1".into()])
        .expect_err("a newline in the key was accepted");
    assert_eq!(e.code(), Some(IssueCode::BadSetting));
}

#[test]
fn a_model_file_that_is_not_a_cost_model_is_not_quoted_in_the_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let secret = dir.path().join("secret.txt");
    std::fs::write(&secret, "root:hunter2:0:0\n").expect("written");
    let e = CostModel::load(secret.to_str().expect("utf-8 path")).expect_err("not a model");
    assert_eq!(e.code(), Some(IssueCode::Malformed));
    assert!(!e.to_string().contains("hunter2"), "{e}");
    assert!(e.to_string().contains("line 1"), "{e}");
}

#[test]
fn a_legal_scenario_still_warns_about_unstocked_skus_and_nodes_without_services() {
    let mut v = legal();
    v["nodes"].as_array_mut().unwrap().push(json!({
        "id": "idle", "kind": "dc", "lat": 40.0, "lon": -90.0
    }));
    v["skus"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "id": "ghost", "weight_lb": 1.0 }));
    v["orders"][0]["lines"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "sku": "ghost", "quantity": 1 }));
    let (s, report) = validate(file(v)).expect("warnings do not reject");
    assert!(!report.has_errors());
    assert_eq!(
        codes(&report),
        BTreeSet::from(["W201", "W202", "W203"]),
        "{:#?}",
        report.issues
    );
    assert!(
        report
            .issues
            .iter()
            .all(|i| i.severity == Severity::Warning)
    );
    assert!(has(&report, "W201", "sku ghost", "inventory"));
    assert!(has(&report, "W202", "node idle", "services"));
    assert!(has(&report, "W203", "order o1", "lines[1].sku"));
    assert_eq!(s.orders[0].lines.len(), 2);
}

#[test]
fn non_integer_and_negative_quantities_are_rejected_where_they_occur() {
    let mut v = legal();
    v["orders"][0]["lines"] = json!([
        { "sku": "widget", "quantity": 2.5 },
        { "sku": "widget", "quantity": -3 },
        { "sku": "widget", "quantity": 0 }
    ]);
    v["inventory"][0]["on_hand"] = json!(1.5);
    v["inventory"][0]["safety_stock"] = json!(-2);
    v["nodes"][0]["capacity_orders"] = json!(-1);
    let r = rejected(file(v));
    assert!(has(&r, "E104", "order o1", "lines[0].quantity"));
    assert!(has(&r, "E103", "order o1", "lines[1].quantity"));
    assert!(has(&r, "E103", "order o1", "lines[2].quantity"));
    assert!(has(&r, "E104", "inventory row 1 (dc / widget)", "on_hand"));
    assert!(has(
        &r,
        "E103",
        "inventory row 1 (dc / widget)",
        "safety_stock"
    ));
    assert!(has(&r, "E103", "node dc", "capacity_orders"));
}

#[test]
fn reserved_above_on_hand_is_an_error() {
    let mut v = legal();
    v["inventory"][0]["on_hand"] = json!(2);
    v["inventory"][0]["reserved"] = json!(3);
    let r = rejected(file(v));
    let e = errors_with(&r, "E105");
    assert_eq!(e[0].record, "inventory row 1 (dc / widget)");
    assert_eq!(e[0].field, "reserved");
    assert_eq!(r.errors().count(), 1, "{:#?}", r.issues);
}

#[test]
fn reserved_equal_to_on_hand_is_legal_and_leaves_nothing_to_promise() {
    let mut v = legal();
    v["inventory"][0]["reserved"] = json!(10);
    let (s, _) = validate(file(v)).expect("legal");
    assert_eq!(s.atp(NodeIdx::new(0), SkuIdx::new(0)), 0);
}

#[test]
fn an_unknown_zip_is_reported_for_nodes_and_orders() {
    let mut v = legal();
    v["orders"][0].as_object_mut().unwrap().remove("lat");
    v["orders"][0].as_object_mut().unwrap().remove("lon");
    v["orders"][0]["zip"] = json!("00000");
    v["nodes"][0].as_object_mut().unwrap().remove("lat");
    v["nodes"][0].as_object_mut().unwrap().remove("lon");
    v["nodes"][0]["zip"] = json!("00000");
    let r = rejected(file(v));
    assert!(has(&r, "E106", "order o1", "zip"));
    assert!(has(&r, "E106", "node dc", "zip"));
}

#[test]
fn a_known_zip_is_geocoded() {
    let mut v = legal();
    v["orders"][0].as_object_mut().unwrap().remove("lat");
    v["orders"][0].as_object_mut().unwrap().remove("lon");
    v["orders"][0]["zip"] = json!("60614");
    let (s, _) = validate(file(v)).expect("legal");
    assert!((s.orders[0].lat - 41.92).abs() < 0.1 && (s.orders[0].lon + 87.65).abs() < 0.1);
}

#[test]
fn missing_coordinates_are_an_error_even_with_only_one_of_lat_and_lon() {
    let mut v = legal();
    v["orders"][0].as_object_mut().unwrap().remove("lon");
    v["nodes"][0].as_object_mut().unwrap().remove("lat");
    v["nodes"][0].as_object_mut().unwrap().remove("lon");
    let r = rejected(file(v));
    assert!(has(&r, "E107", "order o1", "zip"));
    assert!(has(&r, "E107", "node dc", "zip"));
}

#[test]
fn non_finite_numbers_are_rejected() {
    let mut f = file(legal());
    f.skus[0].weight_lb = f64::NAN;
    f.nodes[0].lat = Some(f64::INFINITY);
    f.nodes[0].handling_per_unit = Some(f64::NEG_INFINITY);
    f.orders[0].lines[0].quantity = f64::NAN;
    f.inventory[0].on_hand = f64::INFINITY;
    let r = rejected(f);
    assert!(has(&r, "E108", "sku widget", "weight_lb"));
    assert!(has(&r, "E108", "node dc", "lat"));
    assert!(has(&r, "E108", "node dc", "handling_per_unit"));
    assert!(has(&r, "E108", "order o1", "lines[0].quantity"));
    assert!(has(&r, "E108", "inventory row 1 (dc / widget)", "on_hand"));
}

#[test]
fn an_order_without_lines_is_an_error() {
    let mut v = legal();
    v["orders"][0]["lines"] = json!([]);
    let r = rejected(file(v));
    let e = errors_with(&r, "E109");
    assert_eq!(
        (e[0].record.as_str(), e[0].field.as_str()),
        ("order o1", "lines")
    );
}

#[test]
fn unparseable_dates_times_and_weekdays_are_reported_with_their_field() {
    let mut v = legal();
    v["wave_time"] = json!("next Tuesday");
    v["orders"][0]["placed_at"] = json!("2026-12-01T25:00");
    v["orders"][0]["promised_date"] = json!("12/24/2026");
    v["nodes"][0]["closed_dates"] = json!(["2026-02-30"]);
    v["nodes"][0]["closed_weekdays"] = json!(["Funday"]);
    v["nodes"][0]["services"] = json!([{ "service": "ground", "cutoff": "5pm" }]);
    v["inventory"][0]["inbound_quantity"] = json!(3);
    v["inventory"][0]["inbound_date"] = json!("soon");
    let r = rejected(file(v));
    assert!(r.errors().all(|i| i.code == "E110"), "{:#?}", r.issues);
    assert!(has(&r, "E110", "scenario", "wave_time"));
    assert!(has(&r, "E110", "order o1", "placed_at"));
    assert!(has(&r, "E110", "order o1", "promised_date"));
    assert!(has(&r, "E110", "node dc", "closed_dates[0]"));
    assert!(has(&r, "E110", "node dc", "closed_weekdays[0]"));
    assert!(has(&r, "E110", "node dc", "services[0].cutoff"));
    assert!(has(
        &r,
        "E110",
        "inventory row 1 (dc / widget)",
        "inbound_date"
    ));
}

#[test]
fn a_policy_out_of_range_in_the_run_overrides_is_an_error() {
    let run = PolicyOverrides {
        split_penalty: Some(-1.0),
        late_penalty_per_day: Some(-15.0),
        ..Default::default()
    };
    let r = match validate_with(file(legal()), &run) {
        Ok(_) => panic!("negative penalties accepted"),
        Err(r) => r,
    };
    assert!(has(&r, "E111", "policy", "split_penalty"));
    assert!(has(&r, "E111", "policy", "late_penalty_per_day"));
    assert_eq!(r.errors().count(), 2, "{:#?}", r.issues);
}

#[test]
fn run_overrides_given_as_assignments_are_validated_like_the_model() {
    let run = PolicyOverrides::from_assignments(&[
        "store_premium_per_unit=-0.5".into(),
        "unfilled_rule=sometimes".into(),
    ])
    .expect("well-formed assignments");
    let r = match validate_with(file(legal()), &run) {
        Ok(_) => panic!("bad overrides accepted"),
        Err(r) => r,
    };
    assert!(has(&r, "E111", "policy", "store_premium_per_unit"));
    assert!(has(&r, "E112", "policy", "unfilled_rule"));
}

#[test]
fn an_orphan_order_line_in_a_csv_folder_is_reported_with_its_row() {
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = dir.path().join("wave");
    domopt::format::write_scenario_folder(&file(legal()), &folder).expect("folder written");
    let lines = folder.join("order_lines.csv");
    let mut text = std::fs::read_to_string(&lines).expect("order_lines.csv");
    text.push_str("o-missing,widget,2,\n");
    std::fs::write(&lines, text).expect("order_lines.csv rewritten");

    let err = match domopt::load_scenario(&folder, "us-parcel", &[]) {
        Ok(_) => panic!("orphan line accepted"),
        Err(e) => e,
    };
    let domopt::DomoptError::Invalid(r) = err else {
        panic!("not a validation error: {err}");
    };
    let e = errors_with(&r, "E102");
    assert_eq!(e.len(), 1, "{:#?}", r.issues);
    assert_eq!(e[0].record, "order_lines.csv row 2");
    assert_eq!(e[0].field, "order");
    assert!(e[0].message.contains("o-missing"));
}

#[test]
fn a_csv_folder_without_orphans_loads_like_its_json() {
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = dir.path().join("wave");
    domopt::format::write_scenario_folder(&file(legal()), &folder).expect("folder written");
    let (s, report) = domopt::load_scenario(&folder, "us-parcel", &[]).expect("legal");
    assert!(report.issues.is_empty(), "{:#?}", report.issues);
    assert_eq!(s.orders[0].lines.len(), 1);
    assert_eq!(s.atp(NodeIdx::new(0), SkuIdx::new(0)), 10);
}

#[test]
fn a_record_written_as_an_array_of_its_fields_is_refused_wherever_it_stands() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut policy = legal();
    policy["policy"] = json!([1, 2]);
    let mut line = legal();
    line["orders"][0]["lines"][0] = json!(["widget", 1]);
    let mut node = legal();
    node["nodes"][0]["services"] = json!([["ground", "14:00"]]);
    for (name, v, at) in [
        ("policy", policy, "scenario.policy"),
        ("line", line, "scenario.orders[0].lines[0]"),
        ("offer", node, "scenario.nodes[0].services[0]"),
    ] {
        let path = dir.path().join(format!("{name}.json"));
        std::fs::write(&path, v.to_string()).expect("written");
        let e = match domopt::load_scenario(&path, "us-parcel", &[]) {
            Ok(_) => panic!("{name}: an array was read as a record"),
            Err(e) => e,
        };
        assert_eq!(e.code(), Some(IssueCode::Malformed), "{name}: {e}");
        assert!(e.to_string().contains(at), "{name}: {e}");
    }
}

#[test]
fn a_second_inventory_row_for_the_same_node_and_sku_is_e101_whether_or_not_the_ids_are_known() {
    let f = legal_with(|v| {
        v["inventory"] = json!([
            { "node": "dc", "sku": "widget", "on_hand": 10 },
            { "node": "dc", "sku": "widget", "on_hand": 0 },
            { "node": "dc", "sku": "ghost", "on_hand": 1 },
            { "node": "dc", "sku": "ghost", "on_hand": 1 },
            { "node": "nowhere", "sku": "widget", "on_hand": 1 }
        ]);
    });
    let report = rejected(f);
    let duplicates: Vec<&str> = errors_with(&report, "E101")
        .iter()
        .map(|i| i.record.as_str())
        .collect();
    assert_eq!(
        duplicates,
        [
            "inventory row 2 (dc / widget)",
            "inventory row 4 (dc / ghost)"
        ]
    );
    assert!(has(
        &report,
        "E102",
        "inventory row 5 (nowhere / widget)",
        "node"
    ));
}

#[test]
fn stock_of_zero_is_not_available_and_a_sku_stocked_nowhere_is_warned_about() {
    let f = legal_with(|v| {
        v["skus"] = json!([
            { "id": "widget", "weight_lb": 1.0 },
            { "id": "gadget", "weight_lb": 1.0 }
        ]);
        v["inventory"] = json!([
            { "node": "dc", "sku": "widget", "on_hand": 3, "reserved": 3 },
            { "node": "dc", "sku": "gadget", "on_hand": 0 }
        ]);
    });
    let (s, report) = validate(f).expect("legal");
    assert!(s.atp.is_empty(), "{:?}", s.atp);
    let warned: Vec<(&str, &str)> = report
        .issues
        .iter()
        .map(|i| (i.code.as_str(), i.record.as_str()))
        .collect();
    assert!(warned.contains(&("W201", "sku gadget")), "{warned:?}");
    assert!(!warned.contains(&("W201", "sku widget")), "{warned:?}");
}

#[test]
fn issues_of_an_inventory_larger_than_a_block_come_in_row_order_and_duplicates_are_found_across_blocks()
 {
    let rows = 70_000;
    let f = legal_with(|v| {
        let mut inventory: Vec<serde_json::Value> = (0..rows)
            .map(|k| json!({ "node": "dc", "sku": format!("s{k}"), "on_hand": 1 }))
            .collect();
        inventory.push(json!({ "node": "dc", "sku": "s0", "on_hand": -1 }));
        v["inventory"] = json!(inventory);
    });
    let report = rejected(f);
    let got: Vec<(&str, &str)> = report
        .errors()
        .map(|i| (i.code.as_str(), i.record.as_str()))
        .collect();
    let mut want: Vec<(&str, String)> = (0..=rows)
        .map(|k| {
            (
                "E102",
                format!("inventory row {} (dc / s{})", k + 1, k % rows),
            )
        })
        .collect();
    want.push(("E101", format!("inventory row {} (dc / s0)", rows + 1)));
    let want: Vec<(&str, &str)> = want.iter().map(|(c, r)| (*c, r.as_str())).collect();
    // The duplicate's negative quantity is not reported: the row is skipped.
    assert_eq!(got, want);
}
