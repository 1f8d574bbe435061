//! Plans: what to ship from where, what is backordered, per-order summaries,
//! KPIs and the solve record; JSON and CSV writers and a terminal summary.

use std::io::Write;
use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::DomoptError;
use crate::input::settings::Strategy;
use crate::network::candidates::CandidateStats;

/// How a plan came about. "Solved" is not one status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Proven optimal (within the solver's gap tolerance of 1e-4 or the set gap).
    Optimal,
    /// Stopped at the time limit with a feasible plan; see the gap.
    TimeLimit,
    /// Stopped at the requested relative gap.
    GapLimit,
    /// The model has no feasible solution (cannot happen with unfilled variables;
    /// kept for completeness).
    Infeasible,
    /// The solver gave no plan; this is the greedy plan instead.
    Fallback,
    /// A feasible plan with no optimality claim: a rule-based strategy; or a
    /// plan over pruned candidates (`--candidates pruned:K`), or of a
    /// decomposition with orders too large for the exact per-order search,
    /// whose gap to the valid bound is above the requested one (see the gap).
    Heuristic,
    /// The decomposition ran its course before the time limit (master LP at
    /// its bound, every order priced exactly, plans rounded from it) with a
    /// proven gap above the requested one; see the gap.
    Converged,
}

impl Status {
    /// snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Optimal => "optimal",
            Status::TimeLimit => "time_limit",
            Status::GapLimit => "gap_limit",
            Status::Infeasible => "infeasible",
            Status::Fallback => "fallback",
            Status::Heuristic => "heuristic",
            Status::Converged => "converged",
        }
    }
}

/// Units of one order line in a shipment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// Line index within the order (0-based).
    pub line: usize,
    /// SKU id.
    pub sku: String,
    /// Units.
    pub quantity: u32,
}

/// Cost components of a shipment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct ShipmentCost {
    /// Carrier charges.
    pub shipping: f64,
    /// Node handling.
    pub handling: f64,
    /// Ship-from-store premium.
    pub store_premium: f64,
    /// Lateness penalty.
    pub lateness: f64,
    /// Cross-market penalty.
    pub cross_market: f64,
    /// Sum.
    pub total: f64,
}

/// One package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shipment {
    /// Order id.
    pub order: String,
    /// Node id.
    pub node: String,
    /// Service id.
    pub service: String,
    /// For a store transfer (service `transfer`): the pickup store the units
    /// go to from `node`. Absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_node: Option<String>,
    /// Contents.
    pub items: Vec<Item>,
    /// Ship date.
    pub ship_date: NaiveDate,
    /// Estimated delivery date.
    pub delivery_date: NaiveDate,
    /// The order's promised date.
    pub promised_date: Option<NaiveDate>,
    /// Business days late.
    pub late_days: u32,
    /// Parcel zone.
    pub zone: u8,
    /// Great-circle miles.
    pub miles: f64,
    /// Cost.
    pub cost: ShipmentCost,
}

/// One row of the shipments table: an item of a package, with its
/// package's node, service, dates and cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShipmentRow {
    /// Order id.
    pub order: String,
    /// The package's index in the plan's shipments.
    pub package: usize,
    /// Shipping node.
    pub node: String,
    /// Carrier service.
    pub service: String,
    /// The order line (0-based).
    pub line: usize,
    /// SKU.
    pub sku: String,
    /// Units of the line in this package.
    pub quantity: u32,
    /// Ship date, `YYYY-MM-DD` (an Arrow date in the columnar tables).
    pub ship_date: String,
    /// Delivery date, `YYYY-MM-DD` (an Arrow date in the columnar tables).
    pub delivery_date: String,
    /// Business days late against the promise.
    pub late_days: u32,
    /// Shipping zone.
    pub zone: u8,
    /// The package's total cost.
    pub package_cost: f64,
    /// The store a transfer goes to, for store pickup.
    pub to_node: Option<String>,
}

/// Units of a line not shipped in this wave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Backorder {
    /// Order id.
    pub order: String,
    /// Line index.
    pub line: usize,
    /// SKU id.
    pub sku: String,
    /// Units.
    pub units: u32,
    /// Penalty per unit.
    pub penalty_per_unit: f64,
}

/// Per-order result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderSummary {
    /// Order id.
    pub order: String,
    /// Packages.
    pub packages: u32,
    /// Units ordered.
    pub units_ordered: u32,
    /// Units shipped.
    pub units_shipped: u32,
    /// Every package arrives by the promise (None without promise or packages).
    pub on_time: Option<bool>,
    /// Cost of the order: its shipments, split penalty and unfilled penalty.
    pub cost: f64,
}

/// Total cost by component.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct CostBreakdown {
    /// Carrier charges.
    pub shipping: f64,
    /// Node handling.
    pub handling: f64,
    /// Store premium.
    pub store_premium: f64,
    /// Split penalties.
    pub split: f64,
    /// Lateness penalties.
    pub lateness: f64,
    /// Cross-market penalties.
    pub cross_market: f64,
    /// Unfilled penalties.
    pub unfilled: f64,
    /// Sum: the objective.
    pub total: f64,
}

/// Use of one node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeUse {
    /// Node id.
    pub node: String,
    /// Packages shipped.
    pub packages: u32,
    /// Units shipped.
    pub units: u32,
    /// Highest share of a capacity used (packages or units), if it has one.
    pub utilisation: Option<f64>,
}

/// Wave KPIs (definitions in models/README.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Kpis {
    /// Total cost by component.
    pub cost: CostBreakdown,
    /// Orders in the wave.
    pub orders: usize,
    /// Packages.
    pub packages: usize,
    /// Packages over orders.
    pub packages_per_order: f64,
    /// Among orders of two or more units at least partly filled, the share in more than one package.
    pub split_rate: f64,
    /// Among packages with a promise, the share arriving by it (None if none has one).
    pub on_time_rate: Option<f64>,
    /// Units shipped over units ordered.
    pub fill_rate: f64,
    /// Nodes that shipped, or that have a capacity.
    pub node_utilisation: Vec<NodeUse>,
}

/// Per-phase wall-clock time in seconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PhaseTimes {
    /// Network and candidates.
    pub candidates_s: f64,
    /// Building the model (for `auto` and `decompose`: the start plan and the
    /// coupling rows, made side by side).
    pub build_s: f64,
    /// The solver.
    pub solve_s: f64,
    /// Decoding.
    pub decode_s: f64,
}

/// How the plan was obtained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SolveRecord {
    /// Status.
    pub status: Status,
    /// The strategy that made the plan.
    pub strategy: Strategy,
    /// Cost of the plan returned (equal to `kpis.cost.total`, for every
    /// strategy; a solver's objective of a plan not kept is not reported).
    pub objective: Option<f64>,
    /// A lower bound valid for the whole wave, if known.
    pub best_bound: Option<f64>,
    /// (plan cost - bound) / |plan cost|.
    pub gap: Option<f64>,
    /// Total wall time in seconds.
    pub time_s: f64,
    /// Time per phase.
    pub phases: PhaseTimes,
    /// Candidate counts.
    pub candidates: CandidateStats,
    /// Model columns.
    pub variables: usize,
    /// Model rows.
    pub constraints: usize,
    /// Anything worth knowing (solver message, fallback reason).
    pub message: String,
    /// Peak resident memory of the process in MiB (Linux; None elsewhere).
    #[serde(default)]
    pub peak_memory_mb: Option<f64>,
    /// How the wave decomposed (decomposing strategies only).
    #[serde(default)]
    pub decomposition: Option<Decomposition>,
    /// A re-plan's own figures (`domopt reroute` only): its plan is a
    /// heuristic one for the wave, made by re-solving some orders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replan: Option<Replan>,
    /// Stock rows whose units the objective charged an opportunity price
    /// (`domopt simulate`'s opportunity strategy only): the solver
    /// minimised the priced cost, so the plan is a heuristic one for the
    /// true costs, without a bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priced_rows: Option<usize>,
}

impl SolveRecord {
    /// The record of a plan made by `strategy` without a solver: status
    /// heuristic, no bound, nothing timed yet.
    pub fn heuristic(strategy: Strategy, candidates: CandidateStats) -> SolveRecord {
        SolveRecord {
            status: Status::Heuristic,
            strategy,
            objective: None,
            best_bound: None,
            gap: None,
            time_s: 0.0,
            phases: PhaseTimes::default(),
            candidates,
            variables: 0,
            constraints: 0,
            message: String::new(),
            peak_memory_mb: None,
            decomposition: None,
            replan: None,
            priced_rows: None,
        }
    }
}

/// What a re-plan solved: its status and bound are for its own objective
/// (the cost plus the stability cost, the other orders kept), not for the
/// plan's cost over the whole wave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Replan {
    /// Orders solved again.
    pub orders: usize,
    /// The solver's status for the re-plan's objective.
    pub status: Status,
    /// The re-plan's objective.
    pub objective: f64,
    /// Its lower bound, if the solver proved one.
    #[serde(default)]
    pub best_bound: Option<f64>,
}

/// How a wave decomposed into parts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Decomposition {
    /// Stock and capacity rows that can bind (priced).
    pub coupling_rows: usize,
    /// Components of orders linked by such rows.
    pub components: usize,
    /// Orders in the largest component.
    pub largest_component: usize,
    /// Sizes of the ten largest components (orders), largest first.
    #[serde(default)]
    pub component_sizes: Vec<usize>,
    /// Orders that share no such row.
    pub independent_orders: usize,
    /// Pricing rounds of the column generation.
    pub iterations: usize,
    /// Steps of the ascent that priced the rows instead of the master LP,
    /// on a wave of too many orders for it (0 when the master LP did).
    #[serde(default)]
    pub ascent_steps: usize,
    /// Per-order plans (columns) generated.
    #[serde(default)]
    pub columns: usize,
    /// Orders whose exact search ran out of budget (their bound is weaker).
    pub inexact_orders: usize,
    /// Best Lagrangian (Dantzig–Wolfe) bound found, valid for the whole wave.
    pub lagrangian_bound: Option<f64>,
    /// Value of the last master LP.
    #[serde(default)]
    pub master_lp: Option<f64>,
    /// Whether the master LP reached the bound (no plan left to add).
    #[serde(default)]
    pub lp_converged: bool,
    /// Neighbourhood MIPs: free orders and the plan cost each found.
    #[serde(default)]
    pub neighbourhoods: Vec<Neighbourhood>,
    /// Seconds per phase of the decomposition.
    #[serde(default)]
    pub phases: DecompositionPhases,
    /// Whether the full MIP polished the plan afterwards.
    pub mip_polish: bool,
    /// Whether the orders too large for the exact search (`inexact_orders`)
    /// got a MIP of their own, the other orders fixed.
    #[serde(default)]
    pub large_orders_mip: bool,
}

/// One neighbourhood MIP of the decomposition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Neighbourhood {
    /// Orders free to change.
    pub free_orders: usize,
    /// Cost of the plan it found, if it found one in time.
    pub cost: Option<f64>,
}

/// Seconds spent in each phase of the decomposition.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DecompositionPhases {
    /// Independent orders and the first columns.
    pub coupling_s: f64,
    /// Master LP solves.
    pub master_s: f64,
    /// Pricing (exact per-order searches).
    pub pricing_s: f64,
    /// Neighbourhood MIPs and the local search.
    pub primal_s: f64,
    /// The pass over every candidate that bounds a pruned wave (0 otherwise).
    #[serde(default)]
    pub exact_bound_s: f64,
}

/// Peak resident set size of this process in MiB, from `/proc/self/status`.
pub fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// One file of a plan folder, as listed in `plan.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// File name inside the plan folder.
    pub name: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the content, lower-case hex.
    pub sha256: String,
}

/// A fulfillment plan for a wave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Scenario name.
    pub scenario: String,
    /// Cost model name.
    pub model: String,
    /// Packages.
    pub shipments: Vec<Shipment>,
    /// Unfilled units.
    pub backorders: Vec<Backorder>,
    /// Per order.
    pub orders: Vec<OrderSummary>,
    /// KPIs.
    pub kpis: Kpis,
    /// Solve record.
    pub solve: SolveRecord,
    /// The tables written beside `plan.json` with their size and SHA-256
    /// (empty unless the plan was read from a folder `solve --out` wrote).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileEntry>,
}

fn io_err(path: &Path, e: impl Into<std::io::Error>) -> DomoptError {
    DomoptError::io(path, e)
}

impl Plan {
    /// Reads a plan from `plan.json` or a folder that holds one.
    pub fn read(path: &Path) -> Result<Plan, DomoptError> {
        let file = if path.is_dir() {
            path.join("plan.json")
        } else {
            path.to_path_buf()
        };
        let text = std::fs::read_to_string(&file).map_err(|e| io_err(&file, e))?;
        serde_json::from_str(&text).map_err(|e| DomoptError::parse_with(file, e.to_string(), e))
    }

    /// The plan as pretty JSON.
    pub fn json_bytes(&self) -> Result<Vec<u8>, DomoptError> {
        let mut v =
            serde_json::to_vec_pretty(self).map_err(|e| io_err(Path::new("plan.json"), e))?;
        v.push(b'\n');
        Ok(v)
    }

    /// The plan as pretty JSON with `files` as its manifest.
    pub(crate) fn json_bytes_with_files(
        &self,
        files: &[FileEntry],
    ) -> Result<Vec<u8>, DomoptError> {
        if !self.files.is_empty() {
            let mut copy = self.clone();
            copy.files = files.to_vec();
            return copy.json_bytes();
        }
        #[derive(Serialize)]
        struct WithFiles<'a> {
            #[serde(flatten)]
            plan: &'a Plan,
            files: &'a [FileEntry],
        }
        let mut v = serde_json::to_vec_pretty(&WithFiles { plan: self, files })
            .map_err(|e| io_err(Path::new("plan.json"), e))?;
        v.push(b'\n');
        Ok(v)
    }

    fn csv_bytes<T: Serialize>(
        rows: impl Iterator<Item = T>,
        name: &str,
    ) -> Result<Vec<u8>, DomoptError> {
        let mut w = csv::Writer::from_writer(Vec::new());
        for r in rows {
            w.serialize(r).map_err(|e| io_err(Path::new(name), e))?;
        }
        w.into_inner()
            .map_err(|e| io_err(Path::new(name), e.into_error()))
    }

    /// One row per item of every shipment.
    pub fn shipments_csv(&self) -> Result<Vec<u8>, DomoptError> {
        Self::csv_bytes(self.shipment_rows(), "shipments.csv")
    }

    /// The rows of the shipments table: one per item of every shipment.
    pub(crate) fn shipment_rows(&self) -> impl Iterator<Item = ShipmentRow> + '_ {
        self.shipments.iter().enumerate().flat_map(|(p, s)| {
            s.items.iter().map(move |i| ShipmentRow {
                order: s.order.clone(),
                package: p,
                node: s.node.clone(),
                service: s.service.clone(),
                line: i.line,
                sku: i.sku.clone(),
                quantity: i.quantity,
                ship_date: s.ship_date.to_string(),
                delivery_date: s.delivery_date.to_string(),
                late_days: s.late_days,
                zone: s.zone,
                package_cost: s.cost.total,
                to_node: s.to_node.clone(),
            })
        })
    }

    /// One row per backordered line.
    pub fn backorders_csv(&self) -> Result<Vec<u8>, DomoptError> {
        Self::csv_bytes(self.backorders.iter(), "backorders.csv")
    }

    /// One row per order.
    pub fn orders_csv(&self) -> Result<Vec<u8>, DomoptError> {
        Self::csv_bytes(self.orders.iter(), "orders.csv")
    }

    /// A readable summary for the terminal.
    pub fn write_summary(&self, out: &mut dyn Write, max_shipments: usize) -> std::io::Result<()> {
        let k = &self.kpis;
        let s = &self.solve;
        writeln!(
            out,
            "scenario {}  model {}  strategy {}",
            self.scenario, self.model, s.strategy
        )?;
        let fmt = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.2}"));
        writeln!(
            out,
            "status {}  cost {:.2}  bound {}  gap {}  time {:.2}s",
            s.status.as_str(),
            k.cost.total,
            fmt(s.best_bound),
            s.gap
                .map_or("-".to_string(), |g| format!("{:.3}%", g * 100.0)),
            s.time_s
        )?;
        writeln!(
            out,
            "orders {}  packages {}  packages/order {:.3}  split rate {:.1}%  on-time {}  fill rate {:.1}%",
            k.orders,
            k.packages,
            k.packages_per_order,
            k.split_rate * 100.0,
            k.on_time_rate
                .map_or("-".into(), |r| format!("{:.1}%", r * 100.0)),
            k.fill_rate * 100.0
        )?;
        let c = &k.cost;
        writeln!(
            out,
            "cost: shipping {:.2}  handling {:.2}  store {:.2}  split {:.2}  late {:.2}  cross-market {:.2}  unfilled {:.2}",
            c.shipping,
            c.handling,
            c.store_premium,
            c.split,
            c.lateness,
            c.cross_market,
            c.unfilled
        )?;
        for sh in self.shipments.iter().take(max_shipments) {
            let items: Vec<String> = sh
                .items
                .iter()
                .map(|i| format!("{} x{}", i.sku, i.quantity))
                .collect();
            writeln!(
                out,
                "  ship {} from {} by {}: {}  (ships {}, arrives {}, cost {:.2})",
                sh.order,
                sh.node,
                sh.service,
                items.join(", "),
                sh.ship_date,
                sh.delivery_date,
                sh.cost.total
            )?;
        }
        if self.shipments.len() > max_shipments {
            writeln!(
                out,
                "  ... {} more shipments",
                self.shipments.len() - max_shipments
            )?;
        }
        for b in self.backorders.iter().take(max_shipments) {
            writeln!(
                out,
                "  backorder {} line {} ({}): {} unit(s)",
                b.order, b.line, b.sku, b.units
            )?;
        }
        if self.backorders.len() > max_shipments {
            writeln!(
                out,
                "  ... {} more backorders",
                self.backorders.len() - max_shipments
            )?;
        }
        Ok(())
    }
}
