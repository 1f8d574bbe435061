//! A wave as a scenario of its own: the network and policy of the
//! scenario, the stock and capacity a run has left, and the orders placed
//! at their arrival; validated like any scenario.

use chrono::NaiveDateTime;

use super::Ctx;
use super::stock::Stock;
use crate::error::DomoptError;
use crate::input::format::{OrderRecord, ScenarioFile};
use crate::input::validate::build_scenario;
use crate::network::domain::Scenario;

/// Validates a wave built from a scenario that validated: an error here is
/// the simulator's, reported with the wave.
pub(crate) fn validated(ctx: &Ctx, f: &ScenarioFile, w: usize) -> Result<Scenario, DomoptError> {
    let loaded = crate::input::format::LoadedScenario {
        file: f.clone(),
        orphan_lines: Vec::new(),
        source: ctx.loaded.source.clone(),
    };
    build_scenario(&loaded, ctx.model, ctx.overrides)
        .map(|(s, _)| s)
        .map_err(|report| {
            let first = report.errors().next().map(|i| i.to_string()).unwrap_or_default();
            DomoptError::NoPlan(format!("wave {} could not be built: {first}", w + 1))
        })
}

/// The wave's scenario: the network and policy of the scenario, the stock
/// and capacity left, and the orders placed at their arrival.
pub(crate) fn wave_file(ctx: &Ctx, stock: &Stock, at: NaiveDateTime, orders: &[usize]) -> ScenarioFile {
    let base = &ctx.loaded.file;
    let nodes = base
        .nodes
        .iter()
        .enumerate()
        .map(|(n, r)| {
            let (packages, units) = stock.capacity(n, at);
            crate::input::format::NodeRecord {
                capacity_orders: packages,
                capacity_units: units,
                ..r.clone()
            }
        })
        .collect();
    ScenarioFile {
        name: base.name.clone(),
        wave_time: stamp(at),
        time_zone: base.time_zone.clone(),
        nodes,
        skus: base.skus.clone(),
        services: base.services.clone(),
        inventory: stock.inventory(),
        orders: orders.iter().map(|&k| placed(&base.orders[k], ctx.schedule.arrivals[k])).collect(),
        policy: base.policy.clone(),
        calendars: base.calendars.clone(),
        channels: base.channels.clone(),
        explicit_costs: None,
        transfer_lanes: base.transfer_lanes.clone(),
    }
}

/// An order placed at `at`.
pub(crate) fn placed(o: &OrderRecord, at: NaiveDateTime) -> OrderRecord {
    OrderRecord {
        placed_at: Some(stamp(at)),
        ..o.clone()
    }
}

/// A date-time as the scenario format writes it.
pub(crate) fn stamp(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

