//! The plan's tables as Arrow record batches (feature `columnar`): the same
//! rows and columns as the CSV tables of a plan folder, plus a one-row KPI
//! table, for Parquet files and DataFrames.

use arrow_array::RecordBatch;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::DomoptError;
use crate::input::columnar::fields_with_dates;
use crate::solution::plan::Plan;

/// A plan's tables.
#[derive(Debug, Clone)]
pub struct PlanTables {
    /// One row per item of every shipment (as `shipments.csv`).
    pub shipments: RecordBatch,
    /// One row per backordered line (as `backorders.csv`).
    pub backorders: RecordBatch,
    /// One row per order (as `orders.csv`).
    pub orders: RecordBatch,
    /// One row: the wave's KPIs, cost components and solve record.
    pub kpis: RecordBatch,
}

/// The KPI table's one row: the plan's KPIs with the cost flattened into
/// `cost_*` columns, and the solve record's status, bound and gap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KpiRow {
    /// Scenario name.
    pub scenario: String,
    /// Strategy.
    pub strategy: String,
    /// Solve status.
    pub status: String,
    /// Orders in the wave.
    pub orders: usize,
    /// Packages shipped.
    pub packages: usize,
    /// Packages per order.
    pub packages_per_order: f64,
    /// Share of orders in more than one package.
    pub split_rate: f64,
    /// Share of promised packages delivered on time.
    pub on_time_rate: Option<f64>,
    /// Share of ordered units shipped.
    pub fill_rate: f64,
    /// Shipping cost.
    pub cost_shipping: f64,
    /// Handling cost.
    pub cost_handling: f64,
    /// Store premium.
    pub cost_store_premium: f64,
    /// Split penalties.
    pub cost_split: f64,
    /// Lateness penalties.
    pub cost_lateness: f64,
    /// Cross-market penalties.
    pub cost_cross_market: f64,
    /// Unfilled penalties.
    pub cost_unfilled: f64,
    /// Total cost.
    pub cost_total: f64,
    /// The solver's objective.
    pub objective: Option<f64>,
    /// The proven lower bound.
    pub best_bound: Option<f64>,
    /// The relative gap.
    pub gap: Option<f64>,
    /// Wall time of the solve, seconds.
    pub time_s: f64,
}

impl KpiRow {
    fn of(plan: &Plan) -> KpiRow {
        let k = &plan.kpis;
        let c = &k.cost;
        let s = &plan.solve;
        KpiRow {
            scenario: plan.scenario.clone(),
            strategy: s.strategy.name().to_string(),
            status: s.status.as_str().to_string(),
            orders: k.orders,
            packages: k.packages,
            packages_per_order: k.packages_per_order,
            split_rate: k.split_rate,
            on_time_rate: k.on_time_rate,
            fill_rate: k.fill_rate,
            cost_shipping: c.shipping,
            cost_handling: c.handling,
            cost_store_premium: c.store_premium,
            cost_split: c.split,
            cost_lateness: c.lateness,
            cost_cross_market: c.cross_market,
            cost_unfilled: c.unfilled,
            cost_total: c.total,
            objective: s.objective,
            best_bound: s.best_bound,
            gap: s.gap,
            time_s: s.time_s,
        }
    }
}

/// A plan's tables as record batches.
pub fn plan_tables(plan: &Plan) -> Result<PlanTables, DomoptError> {
    let shipments: Vec<_> = plan.shipment_rows().collect();
    Ok(PlanTables {
        shipments: batch("shipments", &shipments)?,
        backorders: batch("backorders", &plan.backorders)?,
        orders: batch("orders", &plan.orders)?,
        kpis: batch("kpis", &[KpiRow::of(plan)])?,
    })
}

/// Rows as a batch, with dates as Arrow dates rather than text.
fn batch<T: Serialize + DeserializeOwned>(table: &str, rows: &[T]) -> Result<RecordBatch, DomoptError> {
    let dates: &[&str] = if table == "shipments" {
        &["ship_date", "delivery_date"]
    } else {
        &[]
    };
    let fields = fields_with_dates::<T>(dates)?;
    serde_arrow::to_record_batch(&fields, &rows)
        .map_err(|e| DomoptError::parse_with(table, e.to_string(), e))
}
