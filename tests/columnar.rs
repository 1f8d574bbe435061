//! Columnar I/O: Parquet scenario and plan tables, and Arrow record batches
//! in and out, read and written as the CSV tables are.

use std::path::Path;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, DictionaryArray, Float64Array, Int64Array, RecordBatch, StringArray,
    TimestampNanosecondArray,
};
use arrow::datatypes::Int32Type;
use domopt::columnar::{ScenarioTables, plan_tables, read_parquet, scenario_from_tables};
use domopt::format::{TableFormat, convert_folder_tables, read_scenario};
use domopt::prelude::*;
use domopt::{CostModel, check_files};

fn tiny(dir: &Path) {
    let cfg = domopt::generate::GenConfig::preset("tiny").unwrap();
    domopt::generate::generate(&cfg, 5, "tiny", dir).unwrap();
}

fn plan_of(path: &Path) -> (Scenario, Plan) {
    let (scenario, _) = load_scenario(path, "us-parcel", &[]).unwrap();
    let plan = solve(&scenario, &Settings::default(), Strategy::Auto);
    (scenario, plan)
}

/// The plan without its timings, which differ between two solves.
fn comparable(plan: &Plan) -> serde_json::Value {
    let mut v = serde_json::to_value(plan).unwrap();
    v["solve"] = serde_json::Value::Null;
    v
}

#[test]
fn a_folder_converted_to_parquet_gives_the_same_scenario_and_plan() {
    let root = tempfile::tempdir().unwrap();
    let (csv, parquet) = (root.path().join("csv"), root.path().join("pq"));
    tiny(&csv);
    tiny(&parquet);
    convert_folder_tables(&parquet, TableFormat::Parquet).unwrap();
    for stem in ["inventory", "orders", "order_lines"] {
        assert!(parquet.join(format!("{stem}.parquet")).exists(), "{stem}");
        assert!(!parquet.join(format!("{stem}.csv")).exists(), "{stem}");
    }
    let a = read_scenario(&csv).unwrap();
    let b = read_scenario(&parquet).unwrap();
    assert_eq!(
        serde_json::to_value(&a.file).unwrap(),
        serde_json::to_value(&b.file).unwrap()
    );
    let (scenario, plan) = plan_of(&parquet);
    assert!(check(&scenario, &plan).ok());
    assert_eq!(comparable(&plan), comparable(&plan_of(&csv).1));
    // And back to CSV.
    convert_folder_tables(&parquet, TableFormat::Csv).unwrap();
    assert!(!parquet.join("orders.parquet").exists());
    let c = read_scenario(&parquet).unwrap();
    assert_eq!(
        serde_json::to_value(&a.file).unwrap(),
        serde_json::to_value(&c.file).unwrap()
    );
}

#[test]
fn a_table_in_both_formats_is_refused_rather_than_one_silently_read() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("s");
    tiny(&dir);
    let copy = root.path().join("copy");
    tiny(&copy);
    convert_folder_tables(&copy, TableFormat::Parquet).unwrap();
    std::fs::copy(copy.join("orders.parquet"), dir.join("orders.parquet")).unwrap();
    let err = read_scenario(&dir).unwrap_err();
    assert_eq!(err.code(), Some(domopt::IssueCode::Malformed));
    assert!(err.to_string().contains("keep one of the two"), "{err}");
}

fn batch(columns: Vec<(&str, ArrayRef)>) -> RecordBatch {
    RecordBatch::try_from_iter(columns).unwrap()
}

fn strings(v: &[&str]) -> ArrayRef {
    Arc::new(StringArray::from(v.to_vec()))
}

/// The two-shipment seed example, its orders and lines moved into tables
/// typed as pandas makes them: int64 quantities, a nanosecond timestamp,
/// categorical (dictionary) SKUs.
fn seed_example_as_tables() -> (domopt::format::ScenarioFile, ScenarioTables) {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/seed-example/two-shipments.json");
    let mut head = read_scenario(&path).unwrap().file;
    let orders = std::mem::take(&mut head.orders);
    let ids: Vec<&str> = orders.iter().map(|o| o.id.as_str()).collect();
    let zips: Vec<Option<&str>> = orders.iter().map(|o| o.zip.as_deref()).collect();
    let levels: Vec<Option<&str>> = orders.iter().map(|o| o.service_level.as_deref()).collect();
    let placed: Vec<Option<i64>> = orders
        .iter()
        .map(|o| {
            o.placed_at.as_ref().map(|t| {
                let t = chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S")
                    .or_else(|_| chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M"))
                    .unwrap();
                t.and_utc().timestamp_nanos_opt().unwrap()
            })
        })
        .collect();
    let mut line_order = Vec::new();
    let mut line_sku = Vec::new();
    let mut line_qty = Vec::new();
    for o in &orders {
        for l in &o.lines {
            line_order.push(o.id.as_str());
            line_sku.push(l.sku.as_str());
            line_qty.push(l.quantity as i64);
        }
    }
    let skus: DictionaryArray<Int32Type> = line_sku.iter().copied().collect();
    let tables = ScenarioTables {
        orders: Some(batch(vec![
            ("id", strings(&ids)),
            ("zip", Arc::new(StringArray::from(zips)) as ArrayRef),
            (
                "service_level",
                Arc::new(StringArray::from(levels)) as ArrayRef,
            ),
            (
                "placed_at",
                Arc::new(TimestampNanosecondArray::from(placed)) as ArrayRef,
            ),
        ])),
        lines: Some(batch(vec![
            ("order", strings(&line_order)),
            ("sku", Arc::new(skus) as ArrayRef),
            ("quantity", Arc::new(Int64Array::from(line_qty)) as ArrayRef),
        ])),
        ..ScenarioTables::default()
    };
    (head, tables)
}

#[test]
fn arrow_tables_typed_as_pandas_makes_them_give_the_same_plan_as_the_json() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/seed-example/two-shipments.json");
    let (head, tables) = seed_example_as_tables();
    let loaded = scenario_from_tables(head, &tables).unwrap();
    assert!(loaded.orphan_lines.is_empty());
    let model = CostModel::load("us-parcel").unwrap();
    let (scenario, _) = domopt::validate(&loaded, &model, &Default::default()).unwrap();
    let plan = solve(&scenario, &Settings::default(), Strategy::Monolithic);
    assert!(check(&scenario, &plan).ok());
    assert_eq!(comparable(&plan), comparable(&plan_of(&path).1));
}

#[test]
fn a_misspelt_a_missing_and_a_negative_column_are_each_named() {
    let (head, mut tables) = seed_example_as_tables();
    let lines = tables.lines.take().unwrap();
    let mut misspelt = tables.clone();
    misspelt.lines = Some(batch(vec![
        ("order", lines.column(0).clone()),
        ("sku", lines.column(1).clone()),
        ("qty", lines.column(2).clone()),
    ]));
    let err = scenario_from_tables(head.clone(), &misspelt).unwrap_err();
    assert!(err.to_string().contains("unknown column(s) qty"), "{err}");
    let mut missing = tables.clone();
    missing.lines = Some(batch(vec![
        ("order", lines.column(0).clone()),
        ("sku", lines.column(1).clone()),
    ]));
    let err = scenario_from_tables(head.clone(), &missing).unwrap_err();
    assert!(
        err.to_string().contains("missing column(s) quantity"),
        "{err}"
    );
    let mut text = tables.clone();
    text.lines = Some(batch(vec![
        ("order", lines.column(0).clone()),
        ("sku", lines.column(1).clone()),
        ("quantity", strings(&["two", "1", "1"])),
    ]));
    let err = scenario_from_tables(head.clone(), &text).unwrap_err();
    assert_eq!(err.code(), Some(domopt::IssueCode::Malformed));
    assert!(err.to_string().contains("column quantity"), "{err}");
    // Orders without lines would drop every order.
    let err = scenario_from_tables(head, &tables).unwrap_err();
    assert_eq!(err.code(), Some(domopt::IssueCode::MissingTable));
}

#[test]
fn extreme_numbers_reach_validation_as_numbers_not_wrapped_values() {
    let (head, mut tables) = seed_example_as_tables();
    let lines = tables.lines.take().unwrap();
    tables.lines = Some(batch(vec![
        ("order", lines.column(0).clone()),
        ("sku", lines.column(1).clone()),
        (
            "quantity",
            Arc::new(Float64Array::from(vec![1e308, -1.0, 0.5])) as ArrayRef,
        ),
    ]));
    let loaded = scenario_from_tables(head, &tables).unwrap();
    let model = CostModel::load("us-parcel").unwrap();
    let report = domopt::validate(&loaded, &model, &Default::default()).unwrap_err();
    assert!(report.errors().count() >= 3, "{report:?}");
}

#[test]
fn a_plan_written_as_parquet_verifies_and_holds_the_csv_rows() {
    let root = tempfile::tempdir().unwrap();
    let scenario_dir = root.path().join("s");
    tiny(&scenario_dir);
    let (scenario, plan) = plan_of(&scenario_dir);
    let (csv, pq) = (root.path().join("csv"), root.path().join("pq"));
    plan.write_dir(&csv).unwrap();
    plan.write_dir_as(&pq, TableFormat::Parquet).unwrap();
    let (report, _, files) = check_files(&scenario_dir, "us-parcel", &[], &pq).unwrap();
    assert!(report.ok() && files.ok(), "{report:?} {files:?}");
    assert_eq!(files.verified, 3);
    let tables = plan_tables(&plan).unwrap();
    for (name, batch) in [
        ("shipments", &tables.shipments),
        ("backorders", &tables.backorders),
        ("orders", &tables.orders),
    ] {
        let read = read_parquet(&pq.join(format!("{name}.parquet"))).unwrap();
        assert_eq!(&read, batch, "{name}");
        let csv_rows = std::fs::read_to_string(csv.join(format!("{name}.csv")))
            .unwrap()
            .lines()
            .count();
        assert_eq!(read.num_rows() + 1, csv_rows, "{name}");
    }
    assert_eq!(tables.kpis.num_rows(), 1);
    let total = tables
        .kpis
        .column_by_name("cost_total")
        .unwrap()
        .as_any()
        .downcast_ref::<Float64Array>()
        .unwrap()
        .value(0);
    assert_eq!(total, plan.kpis.cost.total);
    // A Parquet table of another plan is caught by the manifest.
    let other = root.path().join("other");
    let mut changed = plan.clone();
    changed.orders.pop();
    changed.write_dir_as(&other, TableFormat::Parquet).unwrap();
    std::fs::copy(other.join("orders.parquet"), pq.join("orders.parquet")).unwrap();
    let (_, _, files) = check_files(&scenario_dir, "us-parcel", &[], &pq).unwrap();
    assert!(!files.ok());
    assert_eq!(files.problems[0].name(), "orders.parquet");
    assert!(check(&scenario, &plan).ok());
}

#[test]
fn a_parquet_table_without_rows_still_has_its_columns_checked() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("s");
    tiny(&dir);
    convert_folder_tables(&dir, TableFormat::Parquet).unwrap();
    let empty = |name: &str| {
        batch(vec![
            ("node", strings(&[])),
            ("sku", strings(&[])),
            (
                name,
                Arc::new(Float64Array::from(Vec::<f64>::new())) as ArrayRef,
            ),
        ])
    };
    let path = dir.join("inventory.parquet");
    domopt::columnar::write_parquet(&empty("onhand"), &path).unwrap();
    let err = read_scenario(&dir).unwrap_err();
    assert_eq!(err.code(), Some(domopt::IssueCode::Malformed));
    assert!(
        err.to_string().contains("unknown column(s) onhand"),
        "{err}"
    );
    // Spelt right, the empty table reads as no inventory rows.
    domopt::columnar::write_parquet(&empty("on_hand"), &path).unwrap();
    assert!(read_scenario(&dir).unwrap().file.inventory.is_empty());
}
