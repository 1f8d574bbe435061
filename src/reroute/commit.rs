//! A re-plan written to the reservation ledger: the orders whose packages
//! moved, or that were cancelled, give back what they reserved and reserve
//! their new packages, in one ledger transaction.

use std::collections::{BTreeMap, BTreeSet};

use crate::error::DomoptError;
use crate::input::cost_model::CostModel;
use crate::input::format::PolicyOverrides;
use crate::input::validate::build_scenario;
use crate::ledger::Ledger;
use crate::ledger::wave::{WaveCommit, WaveError, commit_replan};
use crate::solution::plan::{Plan, Shipment};

use super::Reroute;

/// Commits the re-plan `r` of `previous` to `ledger`: for each order whose
/// units per (SKU, node) changed, or that was cancelled, its active holds
/// and reservations are released and its units in the new plan reserved
/// (`reroute-SEQ:ORDER`), all in one batch: freed stock returns to the
/// ledger. Shipped packages stay in the order's reservation. Refused with
/// nothing written when the ledger cannot reserve the new units (the stock
/// was taken since the wave) or the orders' SKUs changed during the commit.
pub fn commit(
    ledger: &dyn Ledger,
    r: &Reroute,
    previous: &Plan,
    model: &CostModel,
    run: &PolicyOverrides,
) -> Result<WaveCommit, WaveError> {
    let (s, _) = build_scenario(&r.scenario, model, run).map_err(DomoptError::Invalid)?;
    let orders = changed_orders(r, previous);
    // The new plan with the shipped packages, which the orders still hold.
    let mut plan = r.plan.clone();
    plan.shipments
        .extend(r.shipped.iter().filter_map(|&k| previous.shipments.get(k)).cloned());
    Ok(commit_replan(ledger, &s, &plan, &orders)?)
}

/// The orders re-planned or cancelled whose units per (SKU, node) differ
/// from the previous plan's.
fn changed_orders(r: &Reroute, previous: &Plan) -> BTreeSet<String> {
    let ids: BTreeSet<&str> = r.orders.iter().map(|c| c.order.as_str()).collect();
    let shipped = r.shipped.iter().filter_map(|&k| previous.shipments.get(k));
    let before = units(previous.shipments.iter(), &ids);
    let after = units(r.plan.shipments.iter().chain(shipped), &ids);
    ids.into_iter()
        .filter(|id| before.get(id) != after.get(id))
        .map(str::to_string)
        .collect()
}

/// Units per (SKU, node) of each order of `ids`.
fn units<'a>(
    shipments: impl Iterator<Item = &'a Shipment>,
    ids: &BTreeSet<&str>,
) -> BTreeMap<&'a str, BTreeMap<(&'a str, &'a str), u32>> {
    let mut out: BTreeMap<&str, BTreeMap<(&str, &str), u32>> = BTreeMap::new();
    for x in shipments.filter(|x| ids.contains(x.order.as_str())) {
        let per = out.entry(x.order.as_str()).or_default();
        for item in &x.items {
            *per.entry((item.sku.as_str(), x.node.as_str())).or_default() += item.quantity;
        }
    }
    out
}
