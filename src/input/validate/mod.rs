//! Validation: turns wire records into the domain, reporting every problem at
//! once. Each issue has a stable code, the record, the field and what to do.
//! Errors stop the run (exit code 2, nothing written); warnings do not.
//!
//! [`build_scenario`] checks the parts in a fixed order (wave time and time
//! zone, policy, calendars, services, SKUs, nodes, inventory, orders, explicit
//! costs, transfer lanes), so that a report lists its issues in the same order
//! on every run; one file per part.

mod calendars;
mod carts;
mod channels;
mod collector;
mod coordinates;
mod dates;
mod explicit;
mod inventory;
pub mod limits;
mod nodes;
mod orders;
mod policy;
mod services;
mod skus;
mod transfers;
mod zones;

pub use crate::error::ValidationReport;
pub use carts::CartValidator;
pub use dates::parse_datetime;

use crate::input::cost_model::CostModel;
use crate::input::format::{LoadedScenario, PolicyOverrides};
use crate::network::domain::Scenario;

use collector::Collector;

/// Validates a scenario under a cost model and run overrides. On success returns
/// the domain scenario and the warnings; on failure the full report.
pub fn build_scenario(
    loaded: &LoadedScenario,
    model: &CostModel,
    run: &PolicyOverrides,
) -> Result<(Scenario, ValidationReport), ValidationReport> {
    let mut c = Collector::default();
    let f = &loaded.file;

    let wave_time = c.datetime("scenario", "wave_time", &f.wave_time);
    let time_zone = f
        .time_zone
        .as_deref()
        .and_then(|z| zones::time_zone(&mut c, "scenario", "time_zone", z));
    zones::node_zones_need_a_scenario_zone(&mut c, f);
    let merged = model.policy.overlaid(&f.policy).overlaid(run);
    let policy = policy::policy(&mut c, &merged);
    let explicit_mode = f.explicit_costs.is_some();
    let calendars = calendars::calendars(&mut c, &model.calendars, &f.calendars);
    let catalog = services::services(
        &mut c,
        &model.services,
        &f.services,
        &calendars,
        explicit_mode,
    );
    let (skus, sku_index) = skus::skus(&mut c, &f.skus);
    let (nodes, node_index) = nodes::nodes(&mut c, &f.nodes, &catalog, explicit_mode);
    let channels = channels::channels(&mut c, &f.channels, &node_index);
    let mut stock = inventory::inventory(
        &mut c,
        &f.inventory,
        &node_index,
        &sku_index,
        &skus,
        wave_time,
    );
    let context = orders::OrderContext {
        sku_index: &sku_index,
        stocked: &stock.stocked,
        nodes: &nodes,
        node_index: &node_index,
        policy: policy.as_ref(),
        wave_time,
        explicit_mode,
        channels: &channels,
        services: &catalog.services,
    };
    let orders = orders::orders(&mut c, &f.orders, &loaded.orphan_lines, &context);
    let explicit = f
        .explicit_costs
        .as_ref()
        .map(|e| explicit::explicit_costs(&mut c, e, &orders, &node_index));
    let lanes = transfers::LaneContext {
        defaults: &model.transfers,
        nodes: &nodes,
        node_index: &node_index,
        explicit_mode,
    };
    let transfer_lanes = transfers::transfer_lanes(&mut c, &f.transfer_lanes, &lanes);

    let report = c.into_report();
    if report.has_errors() {
        return Err(report);
    }
    let buffers = channels::wave_buffers(&channels, &orders, &nodes);
    let withheld = channels::hold_back(&mut stock.atp, &buffers);
    let scenario = Scenario {
        name: f.name.clone().unwrap_or_else(|| {
            loaded
                .source
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        }),
        wave_time: wave_time.expect("no errors means the wave time parsed"),
        time_zone,
        nodes,
        skus,
        services: catalog.services,
        orders,
        atp: stock.atp,
        withheld,
        receipts: stock.receipts,
        channels,
        policy: policy.expect("no errors means the policy is complete"),
        model_name: model.name.clone(),
        explicit,
        transfer_lanes,
    };
    Ok((scenario, report))
}
