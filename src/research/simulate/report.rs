//! What a simulation reports: a row per strategy and wave, the horizon's
//! KPIs per strategy and for the clairvoyant run, as CSV, JSON and a
//! Markdown report.

use chrono::NaiveDateTime;
use serde::Serialize;

use super::Simulation;
use crate::error::DomoptError;
use crate::solution::plan::Plan;

/// One wave of one strategy, as planned at its cut.
#[derive(Debug, Clone, Serialize)]
pub struct WaveRow {
    /// Strategy.
    pub strategy: String,
    /// Wave number, from 1.
    pub wave: usize,
    /// Cut time.
    pub at: String,
    /// Orders routed.
    pub orders: usize,
    /// Orders cancelled before their wave.
    pub cancelled: u64,
    /// Packages.
    pub packages: usize,
    /// Units ordered.
    pub units_ordered: u64,
    /// Units left unfilled.
    pub unfilled_units: u64,
    /// Of them, units of SKUs no node had left (stock-outs; the others were
    /// kept back by capacity, a ship-complete rule or cost).
    pub stockout_units: u64,
    /// Cost: shipping, handling, store premium and unfilled penalties.
    pub cost: f64,
    /// Cost per order.
    pub cost_per_order: f64,
    /// Shipping.
    pub shipping: f64,
    /// The plan's objective (cost plus split, lateness and cross-market penalties).
    pub objective: f64,
    /// Split rate (orders of 2+ units at least partly filled, in 2+ packages).
    pub split_rate: f64,
    /// On-time rate of the packages with a promise.
    pub on_time: Option<f64>,
    /// Fill rate.
    pub fill: f64,
    /// The solve's status.
    pub status: String,
    /// Seconds to route the wave (look-ahead LP included).
    pub solve_s: f64,
    /// Units received from inbound receipts before the wave.
    pub received_units: u64,
    /// Units replenished before the wave.
    pub replenished_units: u64,
    /// Units given back by cancellations before the wave.
    pub released_units: u64,
    /// Returned units restocked before the wave.
    pub restocked_units: u64,
    /// Stock rows priced by the look-ahead LP (opportunity strategy).
    pub priced_rows: u64,
}

impl WaveRow {
    /// The row of a checked wave plan.
    pub fn of(strategy: &str, w: usize, at: NaiveDateTime, plan: &Plan, solve_s: f64) -> WaveRow {
        let k = &plan.kpis;
        let c = &k.cost;
        let cost = c.shipping + c.handling + c.store_premium + c.unfilled;
        let ordered: u64 = plan.orders.iter().map(|o| u64::from(o.units_ordered)).sum();
        WaveRow {
            strategy: strategy.to_string(),
            wave: w + 1,
            at: at.format("%Y-%m-%dT%H:%M:%S").to_string(),
            orders: k.orders,
            cancelled: 0,
            packages: k.packages,
            units_ordered: ordered,
            unfilled_units: plan.backorders.iter().map(|b| u64::from(b.units)).sum(),
            stockout_units: 0,
            cost,
            cost_per_order: if k.orders > 0 { cost / k.orders as f64 } else { 0.0 },
            shipping: c.shipping,
            objective: c.total,
            split_rate: k.split_rate,
            on_time: k.on_time_rate,
            fill: k.fill_rate,
            status: plan.solve.status.as_str().to_string(),
            solve_s,
            received_units: 0,
            replenished_units: 0,
            released_units: 0,
            restocked_units: 0,
            priced_rows: 0,
        }
    }
}

/// The horizon's KPIs of one strategy: every order that was not cancelled
/// and every package that left, whatever wave planned it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct HorizonKpis {
    /// The strategy (or `clairvoyant`).
    pub strategy: String,
    /// How far the objective is above the clairvoyant bound, as a share of it.
    pub objective_over_bound: Option<f64>,
    /// Orders routed and not cancelled.
    pub orders: u64,
    /// Orders cancelled (before their wave, or after it but before any package left).
    pub cancelled: u64,
    /// Cancellations that came after a package had left.
    pub cancelled_too_late: u64,
    /// Packages that left.
    pub packages: u64,
    /// Units ordered.
    pub units_ordered: u64,
    /// Units left unfilled.
    pub unfilled_units: u64,
    /// Of them, units of SKUs no node had left when their wave was planned
    /// (for the clairvoyant run: none left after its plan).
    pub stockout_units: u64,
    /// Shipping, handling, store premium and unfilled penalties.
    pub cost: f64,
    /// Cost per order.
    pub cost_per_order: f64,
    /// Shipping.
    pub shipping: f64,
    /// Cost plus split, lateness and cross-market penalties.
    pub objective: f64,
    /// Share of orders of 2+ units at least partly filled that split.
    pub split_rate: f64,
    /// Share of packages with a promise that arrive by it.
    pub on_time: Option<f64>,
    /// Units shipped over units ordered.
    pub fill: f64,
    /// Units returned and routed.
    pub returned_units: u64,
    /// What the routed returns recovered, net of their costs.
    pub returns_net: f64,
    /// Wall seconds of the run.
    pub time_s: f64,
}

impl HorizonKpis {
    /// The KPIs of one plan of the whole horizon (the clairvoyant run).
    pub fn of_plan(plan: &Plan, cancelled: u64, stockout_units: u64, time_s: f64) -> HorizonKpis {
        let row = WaveRow::of("", 0, NaiveDateTime::default(), plan, time_s);
        HorizonKpis {
            strategy: "clairvoyant".into(),
            orders: plan.kpis.orders as u64,
            cancelled,
            packages: plan.kpis.packages as u64,
            units_ordered: row.units_ordered,
            unfilled_units: row.unfilled_units,
            stockout_units,
            cost: row.cost,
            cost_per_order: row.cost_per_order,
            shipping: row.shipping,
            objective: row.objective,
            split_rate: row.split_rate,
            on_time: row.on_time,
            fill: row.fill,
            time_s,
            ..Default::default()
        }
    }
}

/// `a / b`, or 0 when `b` is not positive.
pub(super) fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}

impl Simulation {
    /// Every wave row of every strategy as CSV.
    pub fn waves_csv(&self) -> Result<Vec<u8>, DomoptError> {
        let mut w = csv::Writer::from_writer(Vec::new());
        for run in &self.runs {
            for row in &run.waves {
                w.serialize(row).map_err(csv_err)?;
            }
        }
        w.into_inner().map_err(|e| csv_err(e.into_error().into()))
    }

    /// One row per strategy (and the clairvoyant run) as CSV.
    pub fn horizon_csv(&self) -> Result<Vec<u8>, DomoptError> {
        let mut w = csv::Writer::from_writer(Vec::new());
        for (_, kpis) in self.lines() {
            w.serialize(kpis).map_err(csv_err)?;
        }
        w.into_inner().map_err(|e| csv_err(e.into_error().into()))
    }

    /// (name, KPIs) of each strategy, then the clairvoyant run.
    pub fn lines(&self) -> Vec<(&str, &HorizonKpis)> {
        let mut v: Vec<(&str, &HorizonKpis)> = self.runs.iter().map(|r| (r.strategy.as_str(), &r.horizon)).collect();
        if let Some(c) = &self.clairvoyant {
            v.push(("clairvoyant", &c.horizon));
        }
        v
    }

    /// How far an objective is above the clairvoyant bound, as a share of it.
    pub fn over_bound(&self, k: &HorizonKpis) -> Option<f64> {
        let b = self.clairvoyant.as_ref()?.bound?;
        (b > 0.0).then(|| k.objective / b - 1.0)
    }

    /// The share of the gap between `myopic` and the clairvoyant plan that
    /// `better` closes, on the objective (`None` without both, or no gap).
    pub fn gap_closed(&self, myopic: &str, better: &str) -> Option<f64> {
        let find = |n: &str| self.runs.iter().find(|r| r.strategy == n).map(|r| r.horizon.objective);
        let (m, b) = (find(myopic)?, find(better)?);
        let c = self.clairvoyant.as_ref()?.horizon.objective;
        (m - c > 1e-9).then(|| (m - b) / (m - c))
    }

    /// The simulation as JSON: the horizon's KPIs per strategy, the
    /// clairvoyant run and every wave row.
    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "scenario": self.scenario,
            "orders": self.orders,
            "waves": self.waves,
            "start": self.start,
            "end": self.end,
            "time_s": self.time_s,
            "strategies": self.runs.iter().map(|r| serde_json::json!({
                "strategy": r.strategy,
                "horizon": r.horizon,
                "waves": r.waves,
            })).collect::<Vec<_>>(),
            "clairvoyant": self.clairvoyant,
            "opportunity_gap_closed": self.gap_closed("auto", "opportunity"),
        })
    }

    /// Writes the simulation as the folder `dir`, all or nothing:
    /// `simulation.json`, `report.md` (with `command`), `waves.csv`,
    /// `horizon.csv` and the `charts` given (names from
    /// [`crate::solution::plan_dir::SIMULATE_FILES`]).
    pub fn write_dir(&self, dir: &std::path::Path, command: &str, charts: &[(&str, Vec<u8>)]) -> Result<(), DomoptError> {
        let waves = self.waves_csv()?;
        let horizon = self.horizon_csv()?;
        let report = self.markdown(command);
        let json = serde_json::to_vec_pretty(&self.json())
            .map_err(|e| DomoptError::NoPlan(format!("writing the simulation: {e}")))?;
        let mut files: Vec<(&str, &[u8])> = vec![("waves.csv", &waves), ("horizon.csv", &horizon), ("report.md", report.as_bytes())];
        files.extend(charts.iter().map(|(n, b)| (*n, b.as_slice())));
        files.push(("simulation.json", &json));
        crate::solution::plan_dir::write_files(dir, &files)
    }

    /// The Markdown report.
    pub fn markdown(&self, command: &str) -> String {
        let mut s = String::new();
        s.push_str(&format!("# Simulation of {}\n\n", self.scenario.replace(['\n', '\r'], " ")));
        s.push_str(&format!(
            "{} orders from {} to {}, {} waves; {} s in all.\n\n",
            self.orders,
            self.start,
            self.end,
            self.waves,
            fmt2(self.time_s)
        ));
        s.push_str(&format!("Command: `{command}`\n\n"));
        s.push_str("| strategy | orders | cost | cost/order | objective | vs bound | split rate | on-time | fill | unfilled units | stock-out units | wall s |\n");
        s.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (name, k) in self.lines() {
            s.push_str(&format!(
                "| {name} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                k.orders,
                fmt2(k.cost),
                fmt2(k.cost_per_order),
                fmt2(k.objective),
                self.over_bound(k).map_or("-".into(), pct),
                pct(k.split_rate),
                k.on_time.map_or("-".into(), pct),
                pct(k.fill),
                k.unfilled_units,
                k.stockout_units,
                fmt2(k.time_s)
            ));
        }
        if let Some(c) = &self.clairvoyant {
            s.push_str(&format!(
                "\nThe clairvoyant run solves every order of the horizon as one wave, knowing them all from the start, \
                 with the stock the horizon receives and its capacity; its bound is {} ({}).\n",
                c.bound.map_or("not proven".into(), fmt2),
                c.status
            ));
        }
        if self.return_rate > 0.0 && self.runs.iter().all(|r| r.horizon.returned_units == 0) {
            s.push_str("\nNo return came back within the horizon (returns come back the return days after delivery).\n");
        }
        if let Some(g) = self.gap_closed("auto", "opportunity") {
            s.push_str(&format!(
                "\nThe opportunity-cost strategy closes {} of the objective gap between the per-wave optimiser and the clairvoyant plan.\n",
                pct(g)
            ));
        }
        s
    }
}

fn fmt2(x: f64) -> String {
    // `+ 0.0` writes a negative zero as 0.
    format!("{:.2}", x + 0.0)
}

fn pct(x: f64) -> String {
    format!("{:.1} %", 100.0 * x)
}

fn csv_err(e: csv::Error) -> DomoptError {
    DomoptError::NoPlan(format!("could not write the simulation's CSV: {e}"))
}
