//! What a re-plan changed, per order solved again or cancelled.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use rustc_hash::FxHashMap;
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

/// A plan's shipments, unfilled units and cost, by order id: indexed once,
/// so the diff is linear in the plan's size.
struct ByOrder<'a> {
    shipments: FxHashMap<&'a str, Vec<&'a Shipment>>,
    unfilled: FxHashMap<&'a str, u32>,
    cost: FxHashMap<&'a str, f64>,
}

impl<'a> ByOrder<'a> {
    fn of(p: &'a Plan) -> ByOrder<'a> {
        let mut shipments: FxHashMap<&str, Vec<&Shipment>> = FxHashMap::default();
        for x in &p.shipments {
            shipments.entry(x.order.as_str()).or_default().push(x);
        }
        let mut unfilled: FxHashMap<&str, u32> = FxHashMap::default();
        for b in &p.backorders {
            *unfilled.entry(b.order.as_str()).or_default() += b.units;
        }
        // The first record of an order, as a search would find it.
        let mut cost = FxHashMap::default();
        for o in &p.orders {
            cost.entry(o.order.as_str()).or_insert(o.cost);
        }
        ByOrder { shipments, unfilled, cost }
    }

    fn shipments(&self, id: &str) -> Vec<&'a Shipment> {
        self.shipments.get(id).cloned().unwrap_or_default()
    }

    fn unfilled(&self, id: &str) -> u32 {
        self.unfilled.get(id).copied().unwrap_or(0)
    }

    fn cost(&self, id: &str) -> f64 {
        self.cost.get(id).copied().unwrap_or(0.0)
    }
}

/// The changes of the orders the re-plan solved again or cancelled.
pub(crate) fn changes(
    previous: &Plan,
    plan: &Plan,
    applied: &Applied,
    reasons: &BTreeMap<String, Vec<String>>,
    s: &Scenario,
) -> Vec<OrderChange> {
    let (was, now) = (ByOrder::of(previous), ByOrder::of(plan));
    let ids: BTreeSet<&String> = reasons.keys().chain(&applied.cancelled).collect();
    ids.into_iter()
        .map(|id| {
            let mut why = reasons.get(id).cloned().unwrap_or_default();
            if applied.cancelled.contains(id) {
                why.push("cancelled".into());
            }
            order_change((&was, &now), applied, s, id, why)
        })
        .collect()
}

fn order_change(
    (was, now): (&ByOrder, &ByOrder),
    applied: &Applied,
    s: &Scenario,
    id: &str,
    reasons: Vec<String>,
) -> OrderChange {
    let before = was.shipments(id);
    let after = now.shipments(id);
    let unfilled = (was.unfilled(id), now.unfilled(id));
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
        cost: (was.cost(id), now.cost(id)),
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
