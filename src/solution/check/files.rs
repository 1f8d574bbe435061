//! The CSV (or Parquet) tables of a plan folder, read back and compared with `plan.json`
//! row by row.

use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;

use super::{Findings, Violation, close};
use crate::error::DomoptError;
use crate::solution::plan::{Backorder, OrderSummary, Plan};

/// A row of `shipments.csv` (one per item of a package).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ShipmentRow {
    /// Order id.
    pub order: String,
    /// Index of the package in `plan.json`'s shipments.
    pub package: usize,
    /// Node id.
    pub node: String,
    /// Service id.
    pub service: String,
    /// Line index.
    pub line: usize,
    /// SKU id.
    pub sku: String,
    /// Units.
    pub quantity: u32,
    /// Ship date.
    pub ship_date: NaiveDate,
    /// Estimated delivery.
    pub delivery_date: NaiveDate,
    /// Business days late.
    pub late_days: u32,
    /// Zone.
    pub zone: u8,
    /// Total cost of the package.
    pub package_cost: f64,
    /// The pickup store of a transfer (empty otherwise).
    #[serde(default)]
    pub to_node: Option<String>,
}

/// Reads a CSV or Parquet table into rows; a missing or malformed file is
/// a violation, not an error (the folder is what is being checked).
fn rows<T: serde::de::DeserializeOwned>(
    dir: &Path,
    name: &str,
    bad: &mut Findings,
) -> Option<Vec<T>> {
    let path = dir.join(name);
    if name.ends_with(".parquet") {
        return parquet_rows(&path, name, bad);
    }
    let mut reader = match csv::ReaderBuilder::new().from_path(&path) {
        Ok(r) => r,
        Err(e) => {
            bad.add("file", name, format!("cannot read: {e}"));
            return None;
        }
    };
    let mut out = Vec::new();
    for (k, r) in reader.deserialize::<T>().enumerate() {
        match r {
            Ok(r) => out.push(r),
            Err(e) => {
                bad.add(
                    "file",
                    format!("{name} row {}", k + 1),
                    format!("cannot parse: {e}"),
                );
                return None;
            }
        }
    }
    Some(out)
}

#[cfg(feature = "columnar")]
fn parquet_rows<T: serde::de::DeserializeOwned>(
    path: &Path,
    name: &str,
    bad: &mut Findings,
) -> Option<Vec<T>> {
    use crate::input::columnar::{read_parquet, rows_as_written};
    match read_parquet(path).and_then(|b| rows_as_written(&b, name)) {
        Ok(rows) => Some(rows),
        Err(e) => {
            bad.add("file", name, format!("cannot read: {e}"));
            None
        }
    }
}

#[cfg(not(feature = "columnar"))]
fn parquet_rows<T>(_: &Path, name: &str, bad: &mut Findings) -> Option<Vec<T>> {
    let why = "Parquet tables need domopt built with the `columnar` feature";
    bad.add("file", name, why.to_string());
    None
}

fn compare<T: std::fmt::Debug>(
    name: &str,
    file: &[T],
    plan: &[T],
    same: impl Fn(&T, &T) -> bool,
    bad: &mut Findings,
) {
    if file.len() != plan.len() {
        bad.add(
            "file",
            name,
            format!("{} rows, plan.json gives {}", file.len(), plan.len()),
        );
    }
    for (k, (a, b)) in file.iter().zip(plan).enumerate() {
        if !same(a, b) {
            bad.add(
                "file",
                format!("{name} row {}", k + 1),
                format!("{a:?}, plan.json says {b:?}"),
            );
        }
    }
}

/// Compares `shipments.csv`, `backorders.csv` and `orders.csv` in `dir` with
/// `plan` (as read from the folder's `plan.json`).
pub fn check_dir(dir: &Path, plan: &Plan) -> Result<Vec<Violation>, DomoptError> {
    if !dir.is_dir() {
        return Err(DomoptError::io(
            dir,
            std::io::Error::other("not a plan folder"),
        ));
    }
    let mut bad = Findings::default();
    // The tables are CSV or, as `solve --tables parquet` writes them, Parquet.
    let ext = if dir.join("shipments.parquet").exists() && !dir.join("shipments.csv").exists() {
        "parquet"
    } else {
        "csv"
    };
    let [shipments, backorders, orders] =
        ["shipments", "backorders", "orders"].map(|t| format!("{t}.{ext}"));
    let expected: Vec<ShipmentRow> = plan
        .shipments
        .iter()
        .enumerate()
        .flat_map(|(p, s)| {
            s.items.iter().map(move |i| ShipmentRow {
                order: s.order.clone(),
                package: p,
                node: s.node.clone(),
                service: s.service.clone(),
                line: i.line,
                sku: i.sku.clone(),
                quantity: i.quantity,
                ship_date: s.ship_date,
                delivery_date: s.delivery_date,
                late_days: s.late_days,
                zone: s.zone,
                package_cost: s.cost.total,
                to_node: s.to_node.clone(),
            })
        })
        .collect();
    if let Some(file) = rows::<ShipmentRow>(dir, &shipments, &mut bad) {
        compare(
            &shipments,
            &file,
            &expected,
            |a, b| {
                ShipmentRow {
                    package_cost: 0.0,
                    ..a.clone()
                } == ShipmentRow {
                    package_cost: 0.0,
                    ..b.clone()
                } && close(a.package_cost, b.package_cost)
            },
            &mut bad,
        );
    }
    if let Some(file) = rows::<Backorder>(dir, &backorders, &mut bad) {
        compare(
            &backorders,
            &file,
            &plan.backorders,
            |a, b| {
                (&a.order, a.line, &a.sku, a.units) == (&b.order, b.line, &b.sku, b.units)
                    && close(a.penalty_per_unit, b.penalty_per_unit)
            },
            &mut bad,
        );
    }
    if let Some(file) = rows::<OrderSummary>(dir, &orders, &mut bad) {
        compare(
            &orders,
            &file,
            &plan.orders,
            |a, b| {
                (
                    &a.order,
                    a.packages,
                    a.units_ordered,
                    a.units_shipped,
                    a.on_time,
                ) == (
                    &b.order,
                    b.packages,
                    b.units_ordered,
                    b.units_shipped,
                    b.on_time,
                ) && close(a.cost, b.cost)
            },
            &mut bad,
        );
    }
    Ok(bad.0)
}
