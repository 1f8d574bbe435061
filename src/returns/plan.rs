//! What `domopt returns` decides and writes: one row per (return, node,
//! disposition) with its units, economics and reason in words; the totals;
//! `returns.json` and `dispositions.csv` in a folder written all at once.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::DomoptError;
use crate::network::domain::Scenario;
use crate::solution::plan_dir::{RETURNS_FILES, write_files};

use super::model::{Condition, Disposition, ReturnRequest, ReturnsBatch};
use super::value::{UnitOption, best_after_inspection};

/// Units of one return given one disposition at one node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DispositionRow {
    /// The return's id.
    pub return_id: String,
    /// Its order reference.
    pub order: Option<String>,
    /// SKU id.
    pub sku: String,
    /// Condition as declared.
    pub condition: Condition,
    /// Units.
    pub units: u32,
    /// What happens to them.
    pub disposition: Disposition,
    /// The node they are sent to (none when not routed).
    pub node: Option<String>,
    /// Parcel zone from the customer to the node.
    pub zone: Option<u8>,
    /// A restock that fills the node's demand for the SKU.
    pub fills_demand: bool,
    /// Value recovered per unit (an inspection: the expected value after it).
    pub value_per_unit: f64,
    /// Return label per unit.
    pub shipping_per_unit: f64,
    /// Restock handling or inspection per unit.
    pub handling_per_unit: f64,
    /// Value less costs per unit.
    pub net_per_unit: f64,
    /// `units` times `net_per_unit`.
    pub net: f64,
    /// Why, in words.
    pub reason: String,
}

/// The batch's totals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ReturnsTotals {
    /// Units returned.
    pub units: u64,
    /// Units not routed (no capacity left).
    pub not_routed_units: u64,
    /// Units by disposition (wire name).
    pub by_disposition: BTreeMap<String, u64>,
    /// Restocked units that fill demand.
    pub demand_filled_units: u64,
    /// Value recovered.
    pub value: f64,
    /// Return shipping.
    pub shipping: f64,
    /// Restock handling and inspection.
    pub handling: f64,
    /// Value less costs.
    pub net: f64,
}

/// How the decision was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ReturnsSolve {
    /// `min_cost_flow` (the optimiser) or `nearest_node` (the baseline).
    pub method: String,
    /// Seconds spent deciding.
    pub seconds: f64,
    /// LP columns at the end (0 for the baseline).
    pub columns: usize,
    /// LP rows.
    pub rows: usize,
    /// Pricing rounds (LP solves).
    pub rounds: usize,
    /// Penalty per unit left unrouted in the objective.
    pub not_routed_penalty: f64,
}

/// The decision for a batch of returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReturnsPlan {
    /// The scenario's name.
    pub scenario: String,
    /// Totals.
    pub totals: ReturnsTotals,
    /// How it was decided.
    pub solve: ReturnsSolve,
    /// One row per (return, node, disposition), in return order.
    pub rows: Vec<DispositionRow>,
}

/// Units of a request given one option (`None`: not routed).
#[derive(Debug, Clone, Copy)]
pub struct Assigned {
    /// Index of the request in the batch.
    pub request: usize,
    /// The option, or `None` for units not routed.
    pub option: Option<UnitOption>,
    /// Units.
    pub units: u32,
}

/// Builds the plan from assignments: rows in request order, reasons and totals.
pub fn build_plan(
    scenario: &Scenario,
    batch: &ReturnsBatch,
    mut assigned: Vec<Assigned>,
    solve: ReturnsSolve,
) -> ReturnsPlan {
    assigned.sort_by(|a, b| {
        a.request.cmp(&b.request).then_with(|| {
            let key = |x: &Assigned| x.option.map(|o| (o.node, o.disposition, o.fills_demand));
            key(a).cmp(&key(b))
        })
    });
    let rows: Vec<DispositionRow> = assigned
        .iter()
        .map(|a| {
            row(
                scenario,
                batch,
                &batch.requests[a.request],
                a.option,
                a.units,
            )
        })
        .collect();
    ReturnsPlan {
        scenario: scenario.name.clone(),
        totals: totals(&rows),
        solve,
        rows,
    }
}

impl DispositionRow {
    /// `units` of return `r` left unrouted, for `reason`: no node, no value.
    pub fn not_routed(scenario: &Scenario, r: &ReturnRequest, units: u32, reason: String) -> Self {
        DispositionRow {
            return_id: r.id.clone(),
            order: r.order.clone(),
            sku: scenario.skus[r.sku].id.clone(),
            condition: r.condition,
            units,
            disposition: Disposition::NotRouted,
            node: None,
            zone: None,
            fills_demand: false,
            value_per_unit: 0.0,
            shipping_per_unit: 0.0,
            handling_per_unit: 0.0,
            net_per_unit: 0.0,
            net: 0.0,
            reason,
        }
    }
}

fn row(
    scenario: &Scenario,
    batch: &ReturnsBatch,
    r: &ReturnRequest,
    option: Option<UnitOption>,
    units: u32,
) -> DispositionRow {
    let full = "not routed: every node that can take it is full in this batch";
    let base = DispositionRow::not_routed(scenario, r, units, full.into());
    let Some(o) = option else { return base };
    DispositionRow {
        disposition: o.disposition,
        node: Some(scenario.nodes[o.node].id.clone()),
        zone: Some(o.zone),
        fills_demand: o.fills_demand,
        value_per_unit: o.value,
        shipping_per_unit: o.shipping,
        handling_per_unit: o.handling,
        net_per_unit: o.net(),
        net: o.net() * f64::from(units),
        reason: reason(scenario, batch, r, &o),
        ..base
    }
}

/// The reason in words, with the numbers of the decision.
fn reason(scenario: &Scenario, batch: &ReturnsBatch, r: &ReturnRequest, o: &UnitOption) -> String {
    let node = &scenario.nodes[o.node].id;
    let costs = format!("- shipping {:.2} (zone {})", o.shipping, o.zone);
    let net = format!("= {:.2} per unit", o.net());
    let price = scenario.skus[r.sku].price.unwrap_or(0.0);
    let liquidation = batch.costs.liquidation_share.of(r.condition) * price;
    let vendor = batch.costs.vendor_share.of(r.condition) * price;
    let demand = batch
        .demand
        .get(&(o.node, r.sku))
        .copied()
        .unwrap_or_default();
    match o.disposition {
        Disposition::RestockStore | Disposition::RestockDc if o.fills_demand => format!(
            "restocked at {node}: {} there, value {:.2} {costs} - handling {:.2} {net}",
            demand_words(demand),
            o.value,
            o.handling
        ),
        Disposition::RestockStore | Disposition::RestockDc => {
            let why = if demand.units() > 0 {
                format!("its demand there ({}) already filled", demand_words(demand))
            } else {
                "no demand for it there".to_string()
            };
            format!(
                "restocked at {node} with {why}: shelf value {:.2} ({:.0} % of {:.2}) {costs} - handling {:.2} {net}; liquidation {liquidation:.2} and vendor credit {vendor:.2} pay less",
                o.value,
                batch.costs.no_demand_factor * 100.0,
                batch.costs.restock_share.of(r.condition) * price,
                o.handling
            )
        }
        Disposition::Liquidate | Disposition::ReturnToVendor => {
            let (what, other) = if o.disposition == Disposition::Liquidate {
                ("liquidated at", format!("vendor credit {vendor:.2}"))
            } else {
                (
                    "returned to the vendor from",
                    format!("liquidation {liquidation:.2}"),
                )
            };
            let restock = if r.condition == Condition::Damaged {
                "a damaged unit is never restocked".to_string()
            } else {
                "restocking here pays less".to_string()
            };
            format!(
                "{what} {node}: {} unit, {} {:.2} against {other}; {restock} {costs} {net}",
                r.condition.as_str(),
                if o.disposition == Disposition::Liquidate {
                    "liquidation"
                } else {
                    "vendor credit"
                },
                o.value
            )
        }
        Disposition::Inspect => inspect_reason(scenario, batch, r, o, &costs, &net),
        Disposition::NotRouted => "not routed".into(),
    }
}

/// "2 units backordered and 1 short of forecast".
fn demand_words(d: super::model::Demand) -> String {
    let plural = |n: u32| if n == 1 { "unit" } else { "units" };
    match (d.backorders, d.shortfall) {
        (b, 0) => format!("{b} {} backordered", plural(b)),
        (0, s) => format!("{s} {} short of forecast", plural(s)),
        (b, s) => format!("{b} {} backordered and {s} short of forecast", plural(b)),
    }
}

fn inspect_reason(
    scenario: &Scenario,
    batch: &ReturnsBatch,
    r: &ReturnRequest,
    o: &UnitOption,
    costs: &str,
    net: &str,
) -> String {
    let node = &scenario.nodes[o.node];
    let price = scenario.skus[r.sku].price.unwrap_or(0.0);
    let restocks = super::model::restock_at(node.kind).is_some();
    let parts: Vec<String> = Condition::INSPECTED
        .iter()
        .map(|&c| {
            let (d, v) = best_after_inspection(batch, c, price, restocks);
            let what = if d.is_restock() {
                "restock"
            } else {
                d.as_str()
            };
            format!(
                "{} {:.0} %: {what} {v:.2}",
                c.as_str(),
                batch.costs.inspection_outcomes.of(c) * 100.0
            )
        })
        .collect();
    format!(
        "inspected at {} (condition unknown): expected {:.2} after inspection ({}) {costs} - inspection {:.2} {net}",
        node.id,
        o.value,
        parts.join("; "),
        o.handling
    )
}

/// Totals of rows.
pub fn totals(rows: &[DispositionRow]) -> ReturnsTotals {
    let mut t = ReturnsTotals::default();
    for r in rows {
        let u = u64::from(r.units);
        let units = f64::from(r.units);
        t.units += u;
        *t.by_disposition
            .entry(r.disposition.as_str().to_string())
            .or_default() += u;
        if r.disposition == Disposition::NotRouted {
            t.not_routed_units += u;
        }
        if r.fills_demand {
            t.demand_filled_units += u;
        }
        t.value += r.value_per_unit * units;
        t.shipping += r.shipping_per_unit * units;
        t.handling += r.handling_per_unit * units;
        t.net += r.net;
    }
    t
}

/// The CSV columns of `dispositions.csv`.
const CSV_HEADER: [&str; 15] = [
    "return_id",
    "order",
    "sku",
    "condition",
    "units",
    "disposition",
    "node",
    "zone",
    "fills_demand",
    "value_per_unit",
    "shipping_per_unit",
    "handling_per_unit",
    "net_per_unit",
    "net",
    "reason",
];

impl ReturnsPlan {
    /// The plan as pretty JSON.
    pub fn json_bytes(&self) -> Result<Vec<u8>, DomoptError> {
        let mut v =
            serde_json::to_vec_pretty(self).map_err(|e| DomoptError::io("returns.json", e))?;
        v.push(b'\n');
        Ok(v)
    }

    /// The rows as CSV (money to the cent, the reason last).
    pub fn csv_bytes(&self) -> Result<Vec<u8>, DomoptError> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let err = |e: csv::Error| DomoptError::io("dispositions.csv", e);
        w.write_record(CSV_HEADER).map_err(err)?;
        for r in &self.rows {
            let money = |x: f64| format!("{x:.2}");
            w.write_record([
                r.return_id.clone(),
                r.order.clone().unwrap_or_default(),
                r.sku.clone(),
                r.condition.as_str().to_string(),
                r.units.to_string(),
                r.disposition.as_str().to_string(),
                r.node.clone().unwrap_or_default(),
                r.zone.map(|z| z.to_string()).unwrap_or_default(),
                r.fills_demand.to_string(),
                money(r.value_per_unit),
                money(r.shipping_per_unit),
                money(r.handling_per_unit),
                money(r.net_per_unit),
                money(r.net),
                r.reason.clone(),
            ])
            .map_err(err)?;
        }
        w.into_inner()
            .map_err(|e| DomoptError::io("dispositions.csv", e.into_error()))
    }

    /// Writes `dispositions.csv` and `returns.json` as the folder `dir`, all
    /// at once, as `solve --out` writes a plan: `dir` holds the old result
    /// or the new one at every instant; it must not exist, or hold nothing
    /// but files domopt writes there.
    pub fn write_dir(&self, dir: &Path) -> Result<(), DomoptError> {
        let csv = self.csv_bytes()?;
        let json = self.json_bytes()?;
        write_files(dir, &[(RETURNS_FILES[1], &csv), (RETURNS_FILES[0], &json)])
    }

    /// A summary for people: totals, units by disposition, the first rows.
    pub fn write_summary(&self, w: &mut dyn std::io::Write, show: usize) -> std::io::Result<()> {
        let t = &self.totals;
        writeln!(
            w,
            "returns: {} units, net {:.2} (value {:.2} - shipping {:.2} - handling and inspection {:.2}); {} units fill demand; {} not routed",
            t.units,
            t.net,
            t.value,
            t.shipping,
            t.handling,
            t.demand_filled_units,
            t.not_routed_units
        )?;
        let by: Vec<String> = t
            .by_disposition
            .iter()
            .map(|(d, u)| format!("{d} {u}"))
            .collect();
        writeln!(w, "by disposition: {}", by.join(", "))?;
        writeln!(
            w,
            "decided by {} in {:.3} s ({} LP columns, {} rows, {} LP solves)",
            self.solve.method,
            self.solve.seconds,
            self.solve.columns,
            self.solve.rows,
            self.solve.rounds
        )?;
        for r in self.rows.iter().take(show) {
            writeln!(w, "  {} x{} {}: {}", r.return_id, r.units, r.sku, r.reason)?;
        }
        if self.rows.len() > show {
            writeln!(w, "  ... {} more rows", self.rows.len() - show)?;
        }
        Ok(())
    }
}
