//! # domopt: distributed order management as optimisation
//!
//! Each wave of orders becomes one mixed-integer program over (order, node,
//! service) packages and their units, with shipping, handling, store, lateness,
//! split and unfilled costs, solved with HiGHS and decoded into a plan that an
//! independent checker re-verifies from the input.
//!
//! ```
//! use domopt::prelude::*;
//!
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/seed-example/two-shipments.json");
//! let (scenario, _warnings) = load_scenario(path.as_ref(), "us-parcel", &[])?;
//! let plan = solve(&scenario, &Settings::default(), Strategy::Monolithic);
//! assert_eq!(plan.solve.status, Status::Optimal);
//! assert_eq!(plan.shipments.len(), 2);
//! assert!(check(&scenario, &plan).ok());
//! println!("{} shipments, cost {:.2}, status {}", plan.shipments.len(),
//!          plan.kpis.cost.total, plan.solve.status.as_str());
//! # Ok::<(), DomoptError>(())
//! ```
//!
//! ## The API
//! - Load and validate: [`load_scenario`] (a file or folder, a cost model and
//!   overrides), or [`format::read_scenario`] then [`validate`]; problems
//!   come back all at once in a [`ValidationReport`] with stable
//!   [`IssueCode`]s.
//! - Solve: [`solve`] with a [`Strategy`] and [`Settings`]; [`lp_bound`] for
//!   the LP relaxation's bound alone.
//! - Gaps: [`relative_gap`] (the solve record's) and [`signed_gap`] (research
//!   tables, where a bound above the cost must show).
//! - Check: [`check`] recomputes every number of a [`Plan`] from the scenario;
//!   [`check_files`] does so from the files of a plan folder.
//! - Promise: [`promising::Promiser`] quotes carts at checkout (every
//!   service's earliest delivery, cost and nodes, or why not), and
//!   [`promising::query`] answers what is available to promise by node,
//!   date and channel.
//! - Reserve: [`reservations::SqliteLedger`] keeps holds, reservations and
//!   commits per node and SKU without ever granting more than is free, with
//!   an append-only event history it can be rebuilt and verified from;
//!   `reservations::PostgresLedger` (feature `postgres`) is the same ledger
//!   in a PostgreSQL database that several servers share.
//! - Route returns: [`returns_routing::route`] sends each returned unit to
//!   a node and a disposition (restock at a store or a DC, inspect, liquidate,
//!   return to the vendor) in one min-cost flow over the batch;
//!   [`returns_routing::check_returns`] re-verifies the result.
//! - Tune and simulate: [`tuning::tune`] solves a wave at every point of a
//!   grid of policy knobs; [`simulation::simulate`] runs orders arriving
//!   over a day or a week through rolling waves with carried stock, several
//!   strategies against a clairvoyant run.
//! - Explain a plan: [`explaining::explain`] says, for one order, what each
//!   other node and service would cost and whose units it would take, which
//!   rows bind near it with their shadow prices, and what forcing or
//!   forbidding a node would cost after a re-solve.
//! - Columnar I/O (feature `columnar`, on with the CLI): `columnar` reads a
//!   scenario's tables from Arrow record batches and gives a plan's tables
//!   as record batches; scenario and plan folders may hold Parquet tables
//!   ([`format::TableFormat`]). The Python package goes through it.
//! - Types: [`domain`] (the validated scenario), [`plan`] (what a solve
//!   returns and writes), [`format`](mod@format) (the wire format), [`generate`] (the
//!   research instance generator). [`prelude`] imports the common ones.
//!
//! Errors are [`DomoptError`], each with a stable code.
//!
//! ## Module map
//! The folders follow a wave through the engine. Imports run one way, from a
//! layer to the ones listed before it (`tests/layering.rs` checks it, and
//! that no modules import each other in a circle):
//!
//! | layer | what it holds |
//! |---|---|
//! | `error` | [`DomoptError`], the issue codes and the validation report |
//! | `network` | the typed domain (nodes, SKUs, services, orders, channels, carts), geography (ZIP to coordinates, zones), calendars, lanes, pricing, store transfers, candidate (order, node, service) packages |
//! | `input` | the wire format (JSON, CSV folders), cost models, settings, validation (one rule per function) into the domain |
//! | `solution` | the shared solution concepts (an assignment, the stock left), decoding into a plan, the plan and its folder, the gap, the independent checker |
//! | `solver` | the only code that touches HiGHS: the MIP through good_lp, the column-generation master through the `highs` crate, raw FFI in one private file |
//! | `sourcing` | the sourcing and splitting decision: the strategies, the MIP formulation, the rows that can bind, the per-order exact search, the decomposition (rows, master, pricing, neighbourhoods, bound, time budget, polish) and the baselines |
//! | `promise` | the promising decision: available to promise by node, date and channel; every service's option for a cart, with the wave's own date and cost rules |
//! | `ledger` | the reservation ledger: holds, reservations, assignment to nodes, commits, receipts and counts, the event history and its fold, the embedded SQLite back end and the shared PostgreSQL one |
//! | `reroute` | exception handling: a plan re-made after events (outages, capacity drops, short picks, suspended services, cancellations), only the orders they touch and those sharing a row that can bind solved again |
//! | `returns` | the returns routing decision: the returns file and its validation, each unit's options (restock at a store or a DC, inspect, liquidate, return to the vendor), the batch min-cost flow over the solver layer's LP, the nearest-node baseline, the plan and its folder, the independent checker |
//! | `explain` | why a plan ships an order as it does: each alternative node and service with its cost and whose units it would take, the binding rows near it with LP shadow prices, force/forbid what-ifs re-solving it with its competitors |
//! | `research` | the instance generator; cost-model tuning (grids of policy knobs, Pareto frontiers, targets); peak simulation (arrival streams, rolling waves with carried stock, strategies against a clairvoyant run) |
//!
//! The CLI, the bench runner and its charts are in the binary (`src/cli/`),
//! behind the default `cli` feature: `default-features = false` embeds the
//! library without clap, anyhow, indicatif or plotters. The internal modules
//! are private; the `internals` feature (unstable, for this repository's own
//! tests and benchmarks) makes them reachable.
#![deny(unsafe_code)]
#![warn(missing_docs)]

/// Declares the layers: private modules, public (and hidden from the docs)
/// only with the unstable `internals` feature.
macro_rules! layers {
    ($($layer:ident),*) => {$(
        #[cfg(feature = "internals")]
        #[doc(hidden)]
        pub mod $layer;
        #[cfg(not(feature = "internals"))]
        mod $layer;
    )*};
}

// The layers, lowest first (see the module map above).
layers!(
    error, network, input, solution, solver, sourcing, promise, ledger, reroute, returns, explain,
    research
);
// The HTTP service, the top layer, only with the `serve` feature.
#[cfg(all(feature = "serve", feature = "internals"))]
#[doc(hidden)]
pub mod serve;
#[cfg(all(feature = "serve", not(feature = "internals")))]
mod serve;

use std::path::Path;

pub use error::{DomoptError, Issue, IssueCode, Severity, ValidationReport};
pub use input::cost_model::{CostModel, DEFAULT_MODEL};
pub use input::settings::{CandidateMode, Settings};
pub use input::validate::build_scenario as validate;
pub use input::validate::limits;
pub use network::domain::Scenario;
pub use solution::check::{CheckReport, Violation, check, check_files};
pub use solution::gap::{relative_gap, signed_gap};
pub use solution::plan::{Plan, Status};
pub use sourcing::{
    Strategy, UnknownStrategy, lp_bound, run as solve, run_with_progress as solve_with_progress,
};

/// The validated scenario a wave is solved on: nodes, SKUs, services,
/// orders and policy, every id resolved to an index.
pub mod domain {
    pub use crate::network::domain::*;
}

/// What a solve returns and `solve --out` writes: shipments, backorders,
/// per-order summaries, KPIs and the solve record; the plan folder.
pub mod plan {
    pub use crate::solution::plan::*;
    pub use crate::solution::plan_dir::{
        FileProblem, FilesReport, PARQUET_TABLES, PLAN_JSON, TABLES, check_out_dir,
    };
}

/// Columnar I/O (feature `columnar`): a scenario's tables from Arrow record
/// batches, a plan's tables as record batches, and Parquet files; what
/// DataFrames and `.parquet` tables go through.
#[cfg(feature = "columnar")]
pub mod columnar {
    pub use crate::input::columnar::{parquet_bytes, read_parquet, write_parquet};
    pub use crate::input::format::{ScenarioTables, scenario_from_tables};
    pub use crate::solution::plan_columns::{KpiRow, PlanTables, plan_tables};
    pub use arrow_array::RecordBatch;
}

/// The wire format: scenario records as people write them (JSON, or a folder
/// with CSV or Parquet tables), reading, writing and the JSON Schema.
pub mod format {
    pub use crate::input::format::*;
}

/// Realistic peak-season instances for research (`domopt generate`).
pub mod generate {
    pub use crate::research::generate::{GenConfig, GenSummary, PRESETS, generate};
}

/// Promising at checkout: stock available to promise by node, date and
/// channel, and every service's option for a cart ([`Promiser`](promising::Promiser)).
pub mod promising {
    pub use crate::input::cart::{
        AtpQueryRecord, CartFile, CartLineRecord, CartRecord, parse_carts, read_carts,
    };
    pub use crate::input::validate::CartValidator;
    pub use crate::promise::atp::{AtpQuery, Availability, NetworkAtp, NodeAtp, SkuAtp, query};
    pub use crate::promise::quote::{
        Offer, Outcome, Promise, PromisedPackage, Promiser, Reason, ServiceOption,
    };
}

/// The HTTP service (`domopt serve`; feature `serve`): a router over one
/// scenario, the server with graceful shutdown, and its OpenAPI document.
#[cfg(feature = "serve")]
pub mod http {
    pub use crate::serve::{
        MAX_BODY_BYTES, MAX_SOLVE_SECONDS, MAX_STALENESS, WaveSource, openapi_document, router,
        router_with_ledger, router_with_source, serve,
    };
}

/// Re-plans after exceptions (`domopt reroute`): the events, what changed
/// per order, and the re-plan itself.
pub mod rerouting {
    pub use crate::reroute::{
        Change, EventRecord, EventsFile, Mode, OrderChange, Reroute, ShipmentState, Stage, Summary,
        check_replan, commit, reroute, reroute_with,
    };
}

/// Explanations (`domopt explain`): for one order of a plan, its
/// alternatives, the rows that bind near it with their shadow prices, and
/// force/forbid what-ifs.
pub mod explaining {
    pub use crate::explain::{
        Alternative, Baseline, Displacement, Explanation, MAX_COMPETITORS, MAX_WHAT_IFS,
        NeighbourhoodSummary, Package, PackageItem, Request, RowPrice, WhatIf, WhatIfKind, explain,
    };
}

/// Peak simulation (`domopt simulate`): orders arriving over a day or a
/// week, cut into waves routed one after another on the stock and capacity
/// the earlier ones left, several strategies side by side against a
/// clairvoyant run.
pub mod simulation {
    pub use crate::research::simulate::arrivals::{
        from_placed_at, generate as generate_arrivals, parse_time, read as read_arrivals,
    };
    pub use crate::research::simulate::options::{MAX_FORECAST_ORDERS, MAX_WAVES};
    pub use crate::research::simulate::request::Arrivals;
    pub use crate::research::simulate::{
        ClairvoyantRun, Forecast, HorizonKpis, Profile, SimOptions, SimRequest, SimStrategy,
        Simulation, StrategyRun, WaveRow, WaveRule, simulate,
    };
    pub use crate::solution::plan_dir::SIMULATE_FILES;
}

/// Cost-model tuning (`domopt tune`): a wave solved at every point of a
/// grid of policy knobs, the Pareto frontiers, and the answer to a target.
pub mod tuning {
    pub use crate::research::tune::grid::{CANDIDATES, Knob, NUMBER_KNOBS, WORD_KNOBS};
    pub use crate::research::tune::{
        Answer, Frontier, Grid, KPIS, MAX_POINTS, MAX_POINTS_ALLOWED, Op, Point, PointResult,
        Question, Sense, Target, Tune, TuneOptions, Value, check_size, frontier, parse_request,
        tune,
    };
    pub use crate::solution::plan_dir::TUNE_FILES;
}

/// The reservation ledger: holds, reservations, commits, receipts and
/// counts per (node, SKU), with an append-only event history
/// ([`SqliteLedger`](reservations::SqliteLedger) is the embedded back end,
/// `PostgresLedger`, with the `postgres` feature, the one several servers
/// share; [`open`](reservations::open) and [`create`](reservations::create)
/// pick one by URL).
pub mod reservations {
    #[cfg(feature = "postgres")]
    pub use crate::ledger::postgres::{POOL_SIZE, PostgresLedger};
    pub use crate::ledger::rules::{Base, Breach};
    pub use crate::ledger::sqlite::{SCHEMA_VERSION, SqliteLedger};
    pub use crate::ledger::wave::{
        LedgerWave, WaveCommit, WaveError, WaveInput, WaveOptions, commit_replan, same_network,
        solve_from_ledger,
    };
    pub use crate::ledger::{
        Adjustment, Answer, Claim, ClaimKind, ClaimLine, ClaimStatus, Clock, Event, FixedClock,
        Guard, Ledger, LedgerAvailability, LedgerError, LedgerUrl, NetRow, NodeAvailability,
        Request, Snapshot, State, StockRow, SystemClock, VerifyReport, create, open,
    };
    pub use crate::ledger::{
        DEFAULT_STORE_TIMEOUT, MAX_STORE_TIMEOUT, RESERVED_ID_PREFIXES, StoreOptions,
        check_client_id, clock_at, create_with, open_with, parse_clock_time,
    };
}

/// Returns routing (`domopt returns`): a batch of returned units routed to
/// nodes and dispositions (restock, inspect, liquidate, return to vendor)
/// by a min-cost flow, with the reason for each decision, and checked by
/// an independent checker.
pub mod returns_routing {
    pub use crate::returns::baseline::nearest_node;
    pub use crate::returns::check::{ReturnsCheck, check_returns};
    pub use crate::returns::format::{
        CapacityRecord, CostsRecord, DemandRecord, ReturnRecord, ReturnsFile, SharesRecord,
        ShippingRecord, parse_returns, read_returns,
    };
    pub use crate::returns::model::{
        Condition, Demand, Disposition, ReturnCosts, ReturnRequest, ReturnsBatch, Shares,
    };
    pub use crate::returns::optimise::{OptimiseOptions, optimise};
    pub use crate::returns::plan::{DispositionRow, ReturnsPlan, ReturnsSolve, ReturnsTotals};
    pub use crate::returns::validate::build_batch;
    pub use crate::returns::{ReturnsError, load_batch, route};
}

/// The names most programs need: `use domopt::prelude::*;`.
pub mod prelude {
    pub use crate::{
        CandidateMode, CheckReport, DomoptError, Plan, Scenario, Settings, Status, Strategy,
        ValidationReport, check, load_scenario, solve,
    };
}

/// Reads, merges with the cost model (a preset name or a TOML path) and the
/// run's `key=value` overrides, and validates a scenario.
pub fn load_scenario(
    path: &Path,
    model: &str,
    overrides: &[String],
) -> Result<(Scenario, ValidationReport), DomoptError> {
    let loaded = input::format::read_scenario(path)?;
    let model = CostModel::load(model)?;
    let run = input::format::PolicyOverrides::from_assignments(overrides)?;
    validate(&loaded, &model, &run).map_err(DomoptError::Invalid)
}
