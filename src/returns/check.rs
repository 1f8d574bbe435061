//! The independent checker of a returns plan: recomputes every reported
//! number and every capacity and rule from the scenario and the returns
//! batch, without the optimiser's code (its zones, rates and values are
//! computed here again, from the definitions in models/README.md).

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::network::domain::{NodeIdx, NodeKind, Scenario, SkuIdx};
use crate::network::geo::{great_circle_miles, zone_for_miles};

use super::model::{Condition, Disposition, ReturnRequest, ReturnsBatch, Shares};
use super::plan::{DispositionRow, ReturnsPlan};

/// What the check found: every violation, in words.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReturnsCheck {
    /// Rows checked.
    pub rows: usize,
    /// Every violation found.
    pub violations: Vec<String>,
}

impl ReturnsCheck {
    /// No violation.
    pub fn ok(&self) -> bool {
        self.violations.is_empty()
    }
}

/// Two amounts agree to a millionth of a cent on amounts up to a few
/// thousand, and relatively beyond.
fn same(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * (1.0 + a.abs().max(b.abs()))
}

/// Checks a plan against the scenario and the batch it was made from.
pub fn check_returns(
    scenario: &Scenario,
    batch: &ReturnsBatch,
    plan: &ReturnsPlan,
) -> ReturnsCheck {
    let mut c = Checker {
        scenario,
        batch,
        out: ReturnsCheck {
            rows: plan.rows.len(),
            violations: Vec::new(),
        },
        routed: HashMap::new(),
        inspected: HashMap::new(),
        into_demand: BTreeMap::new(),
    };
    let by_id: HashMap<&str, usize> = batch
        .requests
        .iter()
        .enumerate()
        .map(|(k, r)| (r.id.as_str(), k))
        .collect();
    let mut units = vec![0u64; batch.requests.len()];
    let mut unrouted = vec![false; batch.requests.len()];
    for (i, row) in plan.rows.iter().enumerate() {
        let Some(&k) = by_id.get(row.return_id.as_str()) else {
            c.bad(i, format!("return `{}` is not in the batch", row.return_id));
            continue;
        };
        units[k] += u64::from(row.units);
        unrouted[k] |= row.disposition == Disposition::NotRouted;
        c.row(i, row, &batch.requests[k]);
    }
    for (k, r) in batch.requests.iter().enumerate() {
        if units[k] != u64::from(r.quantity) {
            c.out.violations.push(format!(
                "return {}: {} units decided, {} returned",
                r.id, units[k], r.quantity
            ));
        }
        if unrouted[k] {
            c.unrouted_with_room(r);
        }
    }
    c.capacities();
    c.totals(plan);
    c.out
}

struct Checker<'a> {
    scenario: &'a Scenario,
    batch: &'a ReturnsBatch,
    out: ReturnsCheck,
    routed: HashMap<NodeIdx, u64>,
    inspected: HashMap<NodeIdx, u64>,
    into_demand: BTreeMap<(NodeIdx, SkuIdx), u64>,
}

impl Checker<'_> {
    fn bad(&mut self, row: usize, what: String) {
        self.out.violations.push(format!("row {row}: {what}"));
    }

    fn row(&mut self, i: usize, row: &DispositionRow, r: &ReturnRequest) {
        let sku = &self.scenario.skus[r.sku];
        if row.sku != sku.id || row.condition != r.condition {
            self.bad(
                i,
                format!(
                    "SKU {} / condition {} differ from return {}",
                    row.sku,
                    row.condition.as_str(),
                    r.id
                ),
            );
        }
        if row.units == 0 {
            self.bad(i, "zero units".into());
        }
        if row.reason.trim().is_empty() {
            self.bad(i, "no reason given".into());
        }
        if row.disposition == Disposition::NotRouted {
            let zeros = [
                row.value_per_unit,
                row.shipping_per_unit,
                row.handling_per_unit,
                row.net_per_unit,
                row.net,
            ];
            if row.node.is_some()
                || row.zone.is_some()
                || row.fills_demand
                || zeros.iter().any(|v| *v != 0.0)
            {
                self.bad(
                    i,
                    "a unit not routed has a node, a zone, demand or amounts".into(),
                );
            }
            return;
        }
        let Some(node) = row
            .node
            .as_deref()
            .and_then(|id| self.scenario.node_index(id))
        else {
            self.bad(i, format!("unknown node {:?}", row.node));
            return;
        };
        if let Some(why) = forbidden(self.scenario, r, node, row.disposition, row.fills_demand) {
            self.bad(i, why);
        }
        let units = u64::from(row.units);
        *self.routed.entry(node).or_default() += units;
        if row.disposition == Disposition::Inspect {
            *self.inspected.entry(node).or_default() += units;
        }
        if row.fills_demand {
            *self.into_demand.entry((node, r.sku)).or_default() += units;
        }
        self.amounts(i, row, r, node);
    }

    /// The row's zone and amounts, recomputed.
    fn amounts(&mut self, i: usize, row: &DispositionRow, r: &ReturnRequest, node: NodeIdx) {
        let e = unit_economics(
            self.scenario,
            self.batch,
            r,
            node,
            row.disposition,
            row.fills_demand,
        );
        let net = e.value - e.shipping - e.handling;
        let checks = [
            ("value_per_unit", row.value_per_unit, e.value),
            ("shipping_per_unit", row.shipping_per_unit, e.shipping),
            ("handling_per_unit", row.handling_per_unit, e.handling),
            ("net_per_unit", row.net_per_unit, net),
            ("net", row.net, net * f64::from(row.units)),
        ];
        for (what, got, want) in checks {
            if !same(got, want) {
                self.bad(i, format!("{what} {got} differs from {want} recomputed"));
            }
        }
        if row.zone != Some(e.zone) {
            self.bad(i, format!("zone {:?}, recomputed {}", row.zone, e.zone));
        }
    }

    /// Units left unrouted while a node that could take them has room.
    fn unrouted_with_room(&mut self, r: &ReturnRequest) {
        for (k, n) in self.scenario.nodes.iter().enumerate() {
            let node = NodeIdx::new(k);
            let unknown = r.condition == Condition::Unknown;
            if !n.capabilities.returns || (unknown && !n.capabilities.inspection) {
                continue;
            }
            let used = self.routed.get(&node).copied().unwrap_or(0);
            let room = self.batch.returns_capacity[k].is_none_or(|cap| used < u64::from(cap));
            let used_i = self.inspected.get(&node).copied().unwrap_or(0);
            let room_i = !unknown
                || self.batch.inspection_capacity[k].is_none_or(|cap| used_i < u64::from(cap));
            if room && room_i {
                self.out.violations.push(format!(
                    "return {}: units not routed while node {} has room",
                    r.id, n.id
                ));
                return;
            }
        }
    }

    fn capacities(&mut self) {
        for (&node, &used) in &self.routed {
            if let Some(cap) =
                self.batch.returns_capacity[node.index()].filter(|&c| used > u64::from(c))
            {
                let id = &self.scenario.nodes[node].id;
                self.out
                    .violations
                    .push(format!("node {id} receives {used} units, capacity {cap}"));
            }
        }
        for (&node, &used) in &self.inspected {
            if let Some(cap) =
                self.batch.inspection_capacity[node.index()].filter(|&c| used > u64::from(c))
            {
                let id = &self.scenario.nodes[node].id;
                self.out
                    .violations
                    .push(format!("node {id} inspects {used} units, capacity {cap}"));
            }
        }
        for (&(node, sku), &used) in &self.into_demand {
            let wanted = self
                .batch
                .demand
                .get(&(node, sku))
                .map_or(0, |d| u64::from(d.backorders) + u64::from(d.shortfall));
            if used > wanted {
                let (n, s) = (&self.scenario.nodes[node].id, &self.scenario.skus[sku].id);
                self.out.violations.push(format!(
                    "{used} units of {s} fill demand at {n}, which wants {wanted}"
                ));
            }
        }
    }

    fn totals(&mut self, plan: &ReturnsPlan) {
        let t = &plan.totals;
        let (mut units, mut not_routed, mut filled) = (0u64, 0u64, 0u64);
        let (mut value, mut shipping, mut handling, mut net) = (0.0, 0.0, 0.0, 0.0);
        let mut by: BTreeMap<String, u64> = BTreeMap::new();
        for r in &plan.rows {
            let u = u64::from(r.units);
            units += u;
            *by.entry(r.disposition.as_str().into()).or_default() += u;
            not_routed += if r.disposition == Disposition::NotRouted {
                u
            } else {
                0
            };
            filled += if r.fills_demand { u } else { 0 };
            value += r.value_per_unit * u as f64;
            shipping += r.shipping_per_unit * u as f64;
            handling += r.handling_per_unit * u as f64;
            net += r.net;
        }
        let counts_agree = t.units == units
            && t.not_routed_units == not_routed
            && t.demand_filled_units == filled
            && t.by_disposition == by;
        if !counts_agree {
            self.out
                .violations
                .push("the totals' unit counts differ from the rows'".into());
        }
        for (what, got, want) in [
            ("value", t.value, value),
            ("shipping", t.shipping, shipping),
            ("handling", t.handling, handling),
            ("net", t.net, net),
        ] {
            if !same(got, want) {
                self.out
                    .violations
                    .push(format!("total {what} {got} differs from the rows' {want}"));
            }
        }
    }
}

/// Why `units of r` may not get disposition `d` at `node`, if they may not:
/// the node takes returns; a unit of unknown condition is inspected, and
/// only it, at a node that inspects; a restock is of a unit that is not
/// damaged, at a store (`restock_store`) or a DC or 3PL (`restock_dc`);
/// only a restock fills demand.
pub fn forbidden(
    scenario: &Scenario,
    r: &ReturnRequest,
    node: NodeIdx,
    d: Disposition,
    fills_demand: bool,
) -> Option<String> {
    let n = &scenario.nodes[node];
    if d == Disposition::NotRouted {
        return Some("a unit not routed has no node".into());
    }
    if !n.capabilities.returns {
        return Some(format!("node {} does not take returns", n.id));
    }
    if r.condition == Condition::Unknown && d != Disposition::Inspect {
        return Some("a unit of unknown condition is not inspected".into());
    }
    if d == Disposition::Inspect && r.condition != Condition::Unknown {
        return Some("inspection is for units of unknown condition".into());
    }
    if d == Disposition::Inspect && !n.capabilities.inspection {
        return Some(format!("node {} does not inspect", n.id));
    }
    let restock_here = match n.kind {
        NodeKind::Store => Some(Disposition::RestockStore),
        NodeKind::Dc | NodeKind::ThirdParty => Some(Disposition::RestockDc),
        NodeKind::Supplier => None,
    };
    if d.is_restock() && (r.condition == Condition::Damaged || restock_here != Some(d)) {
        return Some(format!(
            "{} of a {} unit at {} ({})",
            d.as_str(),
            r.condition.as_str(),
            n.id,
            n.kind.as_str()
        ));
    }
    if fills_demand && !d.is_restock() {
        return Some("only a restock fills demand".into());
    }
    None
}

/// A unit's zone and amounts, from the definitions (models/README.md).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Economics {
    /// Parcel zone from the customer to the node.
    pub zone: u8,
    /// Value recovered per unit.
    pub value: f64,
    /// Return label per unit.
    pub shipping: f64,
    /// Restock handling or inspection per unit.
    pub handling: f64,
}

/// The zone and amounts of one unit of `r` given disposition `d` at `node`
/// (whether it is allowed there is [`forbidden`]'s question).
pub fn unit_economics(
    scenario: &Scenario,
    batch: &ReturnsBatch,
    r: &ReturnRequest,
    node: NodeIdx,
    d: Disposition,
    fills_demand: bool,
) -> Economics {
    let n = &scenario.nodes[node];
    let sku = &scenario.skus[r.sku];
    let costs = &batch.costs;
    let price = sku.price.unwrap_or(0.0);
    let zone = zone_for_miles(great_circle_miles(r.lat, r.lon, n.lat, n.lon));
    let z = usize::from(zone) - 1;
    let shipping = costs.per_package[z] + sku.weight_lb * costs.per_lb[z];
    let share = |s: &Shares, c: Condition| match c {
        Condition::New => s.new,
        Condition::OpenBox => s.open_box,
        Condition::Damaged => s.damaged,
        Condition::Unknown => 0.0,
    };
    let (value, handling) = match d {
        Disposition::RestockStore | Disposition::RestockDc => {
            let full = share(&costs.restock_share, r.condition) * price;
            let v = if fills_demand {
                full
            } else {
                full * costs.no_demand_factor
            };
            (v, costs.restock_per_unit)
        }
        Disposition::Liquidate => (share(&costs.liquidation_share, r.condition) * price, 0.0),
        Disposition::ReturnToVendor => (share(&costs.vendor_share, r.condition) * price, 0.0),
        Disposition::Inspect => {
            let restocks = n.kind != NodeKind::Supplier;
            let mut expected = 0.0;
            for c in [Condition::New, Condition::OpenBox, Condition::Damaged] {
                let disposal = share(&costs.liquidation_share, c) * price;
                let mut best = disposal.max(share(&costs.vendor_share, c) * price);
                if restocks && c != Condition::Damaged {
                    let shelf = share(&costs.restock_share, c) * price * costs.no_demand_factor;
                    best = best.max(shelf - costs.restock_per_unit);
                }
                expected += share(&costs.inspection_outcomes, c) * best;
            }
            (expected, costs.inspection_per_unit)
        }
        Disposition::NotRouted => (0.0, 0.0),
    };
    Economics {
        zone,
        value,
        shipping,
        handling,
    }
}
