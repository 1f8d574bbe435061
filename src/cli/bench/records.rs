//! The bench's results: a row per run, an instance's rows, and their CSV
//! records (`results.csv`).

use std::path::PathBuf;

use serde::Deserialize;

use domopt::plan::{CostBreakdown, Kpis, Status};

use super::summary::{best_bound, gap};

/// Columns of `results.csv`, in order.
pub const CSV_HEADER: [&str; 22] = [
    "instance",
    "orders",
    "strategy",
    "status",
    "objective",
    "lower_bound",
    "gap",
    "shipping",
    "handling",
    "store_premium",
    "split",
    "lateness",
    "cross_market",
    "unfilled",
    "packages_per_order",
    "split_rate",
    "on_time_rate",
    "fill_rate",
    "wall_time_s",
    "peak_memory_mb",
    "over_limit_s",
    // Kept last so that scripts reading by position see the documented columns.
    "error",
];

/// One run: an instance with a strategy. A failed run has status `error`, no
/// KPIs and the reason in `error`.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Instance name.
    pub instance: String,
    /// Orders in the instance (from any successful plan of it).
    pub orders: Option<usize>,
    /// Strategy name.
    pub strategy: String,
    /// Plan status (`optimal`, `heuristic`, ...) or `error`.
    pub status: String,
    /// Plan cost (kpis.cost.total).
    pub objective: Option<f64>,
    /// The best lower bound known for the instance: the LP bound and every
    /// MIP run's best bound (each valid for the whole wave), so that all rows of
    /// an instance are measured against the same bound.
    pub lower_bound: Option<f64>,
    /// (objective - lower bound) / objective.
    pub gap: Option<f64>,
    /// Cost by component.
    pub cost: Option<CostBreakdown>,
    /// Packages over orders.
    pub packages_per_order: Option<f64>,
    /// Split rate of multi-unit orders.
    pub split_rate: Option<f64>,
    /// On-time rate of promised packages.
    pub on_time_rate: Option<f64>,
    /// Units shipped over units ordered.
    pub fill_rate: Option<f64>,
    /// Wall-clock time of the child process: loading, solving and writing the plan.
    pub wall_time_s: f64,
    /// The child's peak resident memory, as its solve record reports it.
    pub peak_memory_mb: Option<f64>,
    /// Wall time past the time limit (0 when within it; None when unknown).
    pub over_limit_s: Option<f64>,
    /// Why the run failed (the last line of the child's stderr).
    pub error: Option<String>,
}

/// One instance: its LP bound and a row per strategy.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceResult {
    /// Name (file stem or folder name).
    pub name: String,
    /// Path handed to the children.
    pub path: PathBuf,
    /// Orders (from any successful plan).
    pub orders: Option<usize>,
    /// LP relaxation bound of the full model.
    pub lp_bound: Option<f64>,
    /// Time `domopt bound` took by its own account.
    pub bound_time_s: Option<f64>,
    /// Why the bound could not be computed.
    pub bound_error: Option<String>,
    /// One per strategy, in the order asked for.
    pub rows: Vec<Row>,
}

impl InstanceResult {
    /// The row of a strategy.
    pub fn row(&self, strategy: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.strategy == strategy)
    }
}

/// [`domopt::plan::Plan`].
/// The parts of a plan the bench reads. Deserialising only these (serde skips
/// the shipments without building them) keeps the bench small next to its
/// children on large instances; field names and types are those of
#[derive(Debug, Deserialize)]
pub struct PlanDigest {
    kpis: Kpis,
    solve: SolveDigest,
}

#[derive(Debug, Deserialize)]
struct SolveDigest {
    status: Status,
    best_bound: Option<f64>,
    #[serde(default)]
    peak_memory_mb: Option<f64>,
}

impl Row {
    /// A row for a run that produced a plan.
    pub fn from_plan(
        instance: &str,
        strategy: &str,
        plan: &PlanDigest,
        lp_bound: Option<f64>,
        wall_time_s: f64,
    ) -> Row {
        let k = &plan.kpis;
        let objective = k.cost.total;
        let lower_bound = best_bound(lp_bound, plan.solve.best_bound);
        Row {
            instance: instance.to_string(),
            orders: Some(k.orders),
            strategy: strategy.to_string(),
            status: plan.solve.status.as_str().to_string(),
            objective: Some(objective),
            lower_bound,
            gap: lower_bound.map(|b| gap(objective, b)),
            cost: Some(k.cost),
            packages_per_order: Some(k.packages_per_order),
            split_rate: Some(k.split_rate),
            on_time_rate: k.on_time_rate,
            fill_rate: Some(k.fill_rate),
            wall_time_s,
            peak_memory_mb: plan.solve.peak_memory_mb,
            over_limit_s: None,
            error: None,
        }
    }

    /// A row for a run that failed.
    pub fn failed(instance: &str, strategy: &str, error: String, wall_time_s: f64) -> Row {
        Row {
            instance: instance.to_string(),
            orders: None,
            strategy: strategy.to_string(),
            status: "error".to_string(),
            objective: None,
            lower_bound: None,
            gap: None,
            cost: None,
            packages_per_order: None,
            split_rate: None,
            on_time_rate: None,
            fill_rate: None,
            wall_time_s,
            peak_memory_mb: None,
            over_limit_s: None,
            error: Some(error),
        }
    }

    /// The row as CSV fields in [`CSV_HEADER`] order; unknown values are empty.
    pub fn csv_record(&self) -> Vec<String> {
        let f = |v: Option<f64>| v.map_or(String::new(), csv_number);
        let c = |get: fn(&CostBreakdown) -> f64| f(self.cost.as_ref().map(get));
        vec![
            self.instance.clone(),
            self.orders.map_or(String::new(), |o| o.to_string()),
            self.strategy.clone(),
            self.status.clone(),
            f(self.objective),
            f(self.lower_bound),
            f(self.gap),
            c(|c| c.shipping),
            c(|c| c.handling),
            c(|c| c.store_premium),
            c(|c| c.split),
            c(|c| c.lateness),
            c(|c| c.cross_market),
            c(|c| c.unfilled),
            f(self.packages_per_order),
            f(self.split_rate),
            f(self.on_time_rate),
            f(self.fill_rate),
            format!("{:.3}", self.wall_time_s),
            f(self.peak_memory_mb),
            f(self.over_limit_s),
            self.error.clone().unwrap_or_default(),
        ]
    }
}

/// A number for the CSV: rounded to six decimals (a millionth of a dollar, a
/// ten-thousandth of a percent), in its shortest form.
pub fn csv_number(v: f64) -> String {
    let r = (v * 1e6).round() / 1e6;
    if r == 0.0 { 0.0 } else { r }.to_string()
}

/// Gives every row of an instance the instance's order count and its best
/// bound (the largest of the rows' bounds: the LP bound and each MIP run's own
/// bound are all valid for the whole wave), and recomputes the gaps. A
/// heuristic that matches the proven optimum then shows a zero gap, as the
/// optimal run does.
pub fn share_instance_facts(rows: &mut [Row]) {
    let orders = rows.iter().find_map(|r| r.orders);
    let bound = rows.iter().fold(None, |b, r| best_bound(b, r.lower_bound));
    for r in rows {
        r.orders = orders;
        if let Some(obj) = r.objective {
            r.lower_bound = bound;
            r.gap = bound.map(|b| gap(obj, b));
        }
    }
}

/// Writes rows to a CSV writer (the header is the caller's).
pub fn write_csv_rows<W: std::io::Write>(w: &mut csv::Writer<W>, rows: &[Row]) -> csv::Result<()> {
    for r in rows {
        w.write_record(r.csv_record())?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::bench::fixtures::ok_row;

    #[test]
    fn every_run_of_an_instance_is_measured_against_the_best_bound_of_any_run() {
        let mut greedy = ok_row("greedy-cost", 159.08, Some(116.62));
        greedy.orders = None;
        let mut rows = vec![
            greedy,
            ok_row("monolithic", 159.08, Some(159.08)),
            Row::failed("peak-s", "shopify", "x".into(), 1.0),
        ];
        share_instance_facts(&mut rows);
        assert_eq!(rows[0].orders, Some(1000));
        assert_eq!(rows[0].lower_bound, Some(159.08));
        assert_eq!(rows[0].gap, Some(0.0));
        assert_eq!(rows[2].orders, Some(1000));
        assert_eq!((rows[2].lower_bound, rows[2].gap), (None, None));
    }

    #[test]
    fn a_csv_record_has_a_field_per_header_column_in_order() {
        let rec = ok_row("monolithic", 10_000.0, Some(9_000.0)).csv_record();
        assert_eq!(rec.len(), CSV_HEADER.len());
        assert_eq!(
            rec[..7],
            [
                "peak-s",
                "1000",
                "monolithic",
                "optimal",
                "10000",
                "9000",
                "0.1"
            ]
        );
        assert_eq!(rec[7], "9990");
        assert_eq!(rec[13], "2.5");
        assert_eq!(rec[18], "1.500");
        assert_eq!(rec[19], "42");
        assert_eq!(rec[20], "0");
        assert_eq!(rec[21], "");
    }

    #[test]
    fn a_failed_run_is_an_error_row_with_empty_measures_and_its_reason() {
        let rec = Row::failed("peak-s", "greedy-cost", "domopt: boom".into(), 0.25).csv_record();
        assert_eq!(rec[3], "error");
        assert!(rec[4..18].iter().all(String::is_empty));
        assert_eq!(rec[18], "0.250");
        assert_eq!(rec[20], "");
        assert_eq!(rec[21], "domopt: boom");
    }

    #[test]
    fn csv_rows_round_trip_through_the_csv_reader() {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(CSV_HEADER).unwrap();
        let rows = vec![
            ok_row("monolithic", 10_000.0, Some(9_000.0)),
            Row::failed("peak-s", "x", "a, \"quoted\" reason".into(), 1.0),
        ];
        write_csv_rows(&mut w, &rows).unwrap();
        let bytes = w.into_inner().unwrap();
        let mut r = csv::Reader::from_reader(bytes.as_slice());
        let recs: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
        assert_eq!(recs.len(), 2);
        assert_eq!(&recs[1][21], "a, \"quoted\" reason");
    }

    #[test]
    fn csv_numbers_are_rounded_to_six_decimals_in_their_shortest_form() {
        assert_eq!(csv_number(49.739999999999995), "49.74");
        assert_eq!(csv_number(0.17391304347826086), "0.173913");
        assert_eq!(csv_number(1000.0), "1000");
        assert_eq!(csv_number(-0.0000001), "0");
    }

    #[test]
    fn a_plan_digest_reads_a_plan_and_its_optional_peak_memory() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/datasets/seed-example/two-shipments.json"
        );
        let (s, _) = domopt::load_scenario(path.as_ref(), "us-parcel", &[]).unwrap();
        let plan = domopt::solve(
            &s,
            &domopt::Settings::default(),
            domopt::Strategy::GreedyCost,
        );
        let mut json = serde_json::to_value(&plan).unwrap();
        let d: PlanDigest = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(d.kpis, plan.kpis);
        json["solve"]["peak_memory_mb"] = serde_json::json!(12.5);
        let d: PlanDigest = serde_json::from_value(json).unwrap();
        let row = Row::from_plan("seed", "greedy-cost", &d, Some(40.0), 0.1);
        assert_eq!(row.peak_memory_mb, Some(12.5));
        assert_eq!(row.lower_bound, Some(40.0));
        assert_eq!(row.objective, Some(plan.kpis.cost.total));
        assert_eq!(row.status, "heuristic");
    }
}
