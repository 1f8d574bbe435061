//! What a re-plan changed, per order solved again or cancelled.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Serialize;

use crate::network::domain::Scenario;
use crate::solution::plan::{Plan, Shipment};

use super::{Applied, Stage};

/// One kind of change of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Its packages are as they were.
    Unchanged,
    /// A package left its node.
    Moved,
    /// A package stayed at its node with another service.
    ServiceChanged,
    /// More units are unfilled than before.
    NewlyBackordered,
    /// Fewer units are unfilled than before.
    NewlyFilled,
    /// It arrives late where it did not.
    NewlyLate,
    /// Cancelled.
    Cancelled,
}

/// A package as the diff shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Package {
    /// Node id.
    pub node: String,
    /// Service id.
    pub service: String,
    /// Units.
    pub units: u32,
    /// Ship date.
    pub ship_date: NaiveDate,
    /// Estimated delivery.
    pub delivery_date: NaiveDate,
    /// Business days late.
    pub late_days: u32,
    /// Its state in the previous plan (previous packages only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
}

/// A package of the previous plan that the re-plan dropped.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MovedPackage {
    /// Node id.
    pub node: String,
    /// Service id.
    pub service: String,
    /// Its state.
    pub stage: Stage,
    /// The penalty of moving it.
    pub penalty: f64,
}

/// What changed for one order, and why it was solved again.
#[derive(Debug, Clone, Serialize)]
pub struct OrderChange {
    /// Order id.
    pub order: String,
    /// What changed (`unchanged` alone if nothing did).
    pub changes: Vec<Change>,
    /// Why it was solved again: the events that touched it, or the row it
    /// shares with orders they touched.
    pub reasons: Vec<String>,
    /// Its packages before.
    pub before: Vec<Package>,
    /// Its packages after.
    pub after: Vec<Package>,
    /// Packages dropped, with their penalty.
    pub moved: Vec<MovedPackage>,
    /// Units unfilled before and after.
    pub unfilled: (u32, u32),
    /// Its cost before and after (without the stability cost).
    pub cost: (f64, f64),
}

/// The changes of the orders the re-plan solved again or cancelled.
pub(crate) fn changes(
    previous: &Plan,
    plan: &Plan,
    applied: &Applied,
    reasons: &BTreeMap<String, Vec<String>>,
    s: &Scenario,
) -> Vec<OrderChange> {
    let ids: BTreeSet<&String> = reasons.keys().chain(&applied.cancelled).collect();
    ids.into_iter()
        .map(|id| {
            let mut why = reasons.get(id).cloned().unwrap_or_default();
            if applied.cancelled.contains(id) {
                why.push("cancelled".into());
            }
            order_change(previous, plan, applied, s, id, why)
        })
        .collect()
}

fn order_change(previous: &Plan, plan: &Plan, applied: &Applied, s: &Scenario, id: &str, reasons: Vec<String>) -> OrderChange {
    let before: Vec<&Shipment> = previous.shipments.iter().filter(|x| x.order == id).collect();
    let after: Vec<&Shipment> = plan.shipments.iter().filter(|x| x.order == id).collect();
    let unfilled = |p: &Plan| p.backorders.iter().filter(|b| b.order == id).map(|b| b.units).sum::<u32>();
    let cost = |p: &Plan| p.orders.iter().find(|o| o.order == id).map_or(0.0, |o| o.cost);
    let unfilled = (unfilled(previous), unfilled(plan));
    let cancelled = applied.cancelled.contains(id);
    let moved: Vec<MovedPackage> = if cancelled {
        Vec::new()
    } else {
        before
            .iter()
            .filter(|b| !after.iter().any(|a| a.node == b.node && a.service == b.service))
            .filter_map(|b| {
                let stage = applied.stage(id, &b.node);
                let penalty = match stage {
                    Stage::Planned => s.policy.planned_move_penalty,
                    Stage::Released => s.policy.released_move_penalty,
                    Stage::Picked | Stage::Shipped => return None,
                };
                Some(MovedPackage {
                    node: b.node.clone(),
                    service: b.service.clone(),
                    stage,
                    penalty,
                })
            })
            .collect()
    };
    let mut changes = Vec::new();
    if cancelled {
        changes.push(Change::Cancelled);
    }
    if moved.iter().any(|m| !after.iter().any(|a| a.node == m.node)) {
        changes.push(Change::Moved);
    }
    if moved.iter().any(|m| after.iter().any(|a| a.node == m.node)) {
        changes.push(Change::ServiceChanged);
    }
    if !cancelled && unfilled.1 > unfilled.0 {
        changes.push(Change::NewlyBackordered);
    }
    if unfilled.1 < unfilled.0 {
        changes.push(Change::NewlyFilled);
    }
    let late = |v: &[&Shipment]| v.iter().any(|x| x.late_days > 0);
    if !late(&before) && late(&after) {
        changes.push(Change::NewlyLate);
    }
    if changes.is_empty() {
        changes.push(Change::Unchanged);
    }
    OrderChange {
        order: id.into(),
        changes,
        reasons,
        before: before.iter().map(|x| package(x, Some(applied.stage(id, &x.node)))).collect(),
        after: after.iter().map(|x| package(x, None)).collect(),
        moved,
        unfilled,
        cost: (cost(previous), cost(plan)),
    }
}

fn package(x: &Shipment, stage: Option<Stage>) -> Package {
    Package {
        node: x.node.clone(),
        service: x.service.clone(),
        units: x.items.iter().map(|i| i.quantity).sum(),
        ship_date: x.ship_date,
        delivery_date: x.delivery_date,
        late_days: x.late_days,
        stage,
    }
}
