//! Rows and instances for the bench's unit tests.

use super::records::{InstanceResult, Row};
use super::summary::gap;
use domopt::plan::CostBreakdown;

pub fn ok_row(strategy: &str, objective: f64, bound: Option<f64>) -> Row {
    Row {
        instance: "peak-s".into(),
        orders: Some(1000),
        strategy: strategy.into(),
        status: "optimal".into(),
        objective: Some(objective),
        lower_bound: bound,
        gap: bound.map(|b| gap(objective, b)),
        cost: Some(CostBreakdown {
            shipping: objective - 10.0,
            handling: 4.0,
            store_premium: 1.0,
            split: 2.0,
            lateness: 0.5,
            cross_market: 0.0,
            unfilled: 2.5,
            total: objective,
        }),
        packages_per_order: Some(1.25),
        split_rate: Some(0.125),
        on_time_rate: Some(0.97),
        fill_rate: Some(0.995),
        wall_time_s: 1.5,
        over_limit_s: Some(0.0),
        peak_memory_mb: Some(42.0),
        error: None,
    }
}

pub fn instance(rows: Vec<Row>) -> InstanceResult {
    InstanceResult {
        name: "peak-s".into(),
        path: "target/gen/peak-s".into(),
        orders: Some(1000),
        lp_bound: Some(9000.0),
        bound_time_s: Some(0.5),
        bound_error: None,
        rows,
    }
}
