//! The events a re-plan answers, as written (JSON), checked all at once
//! against the scenario and the plan, and applied to the scenario's records.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, NaiveDateTime};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{Issue, IssueCode, Severity, ValidationReport};
use crate::input::format::{InventoryRecord, ScenarioFile};
use crate::input::validate::limits::{MAX_DAYS, MAX_UNITS};
use crate::solution::plan::Plan;

/// A re-plan's input beside the scenario and the plan: the state of the
/// plan's shipments and what happened since it was made.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventsFile {
    /// When the re-plan is made (`YYYY-MM-DDTHH:MM`, on the scenario's
    /// clock; default: the plan's wave time). Dates and cutoffs count from
    /// it, so a holiday ship-by deadline before it has passed.
    #[serde(default)]
    pub at: Option<String>,
    /// Shipments that are no longer only planned, by (order, node); the
    /// others are `planned`.
    #[serde(default)]
    pub shipments: Vec<ShipmentState>,
    /// What happened, in any order.
    #[serde(default)]
    pub events: Vec<EventRecord>,
}

/// Where a shipment of the plan stands.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ShipmentState {
    /// Order id.
    pub order: String,
    /// Node id (an order has at most one package per node).
    pub node: String,
    /// Its state.
    pub state: Stage,
}

/// A shipment's state: what moving it costs, or that it cannot move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Planned only: moving it costs the planned-move penalty.
    Planned,
    /// Released to the node: moving it costs the released-move penalty.
    Released,
    /// Picked: it stays as it is.
    Picked,
    /// Shipped: it stays as it is.
    Shipped,
}

impl Stage {
    /// Whether the shipment stays whatever happens.
    pub fn fixed(self) -> bool {
        matches!(self, Stage::Picked | Stage::Shipped)
    }

    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Planned => "planned",
            Stage::Released => "released",
            Stage::Picked => "picked",
            Stage::Shipped => "shipped",
        }
    }
}

/// One thing that happened.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum EventRecord {
    /// A node ships nothing from `from` to `to` (whole days: every date the
    /// window touches is closed).
    NodeOutage {
        /// Node id.
        node: String,
        /// Start, `YYYY-MM-DDTHH:MM` or `YYYY-MM-DD`.
        from: String,
        /// End, the same forms.
        to: String,
    },
    /// A node's capacity for this wave drops.
    CapacityDrop {
        /// Node id.
        node: String,
        /// Orders (packages) it can still handle.
        #[serde(default)]
        capacity_orders: Option<f64>,
        /// Units it can still handle.
        #[serde(default)]
        capacity_units: Option<f64>,
    },
    /// Units of a SKU found missing at a node (a short pick, a count).
    ShortPick {
        /// Node id.
        node: String,
        /// SKU id.
        sku: String,
        /// Units missing (at least 1).
        missing: f64,
    },
    /// Units of a SKU found or received at a node.
    InventoryFound {
        /// Node id.
        node: String,
        /// SKU id.
        sku: String,
        /// Units found (at least 1).
        units: f64,
    },
    /// A carrier service stops, at one node or everywhere.
    ServiceSuspended {
        /// Service id.
        service: String,
        /// Node id; absent: every node.
        #[serde(default)]
        node: Option<String>,
    },
    /// An order is cancelled: its units go back to stock.
    OrderCancelled {
        /// Order id.
        order: String,
    },
    /// A node's pickup by a service left without this wave's packages:
    /// they ship at the next pickup.
    MissedCutoff {
        /// Node id.
        node: String,
        /// Service id.
        service: String,
    },
    /// An order's lines are replaced.
    OrderChanged {
        /// Order id.
        order: String,
        /// Its new lines.
        lines: Vec<crate::input::format::LineRecord>,
    },
    /// An order's destination changes.
    AddressChanged {
        /// Order id.
        order: String,
        /// The new ZIP code.
        zip: String,
    },
}

/// The events checked and applied.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    /// The stated state of each shipment of the plan, by order, then node
    /// (nested, so a look-up borrows the ids instead of building a key).
    pub stages: BTreeMap<String, BTreeMap<String, Stage>>,
    /// Orders the events touch directly, with why.
    pub touched: BTreeMap<String, Vec<String>>,
    /// Orders cancelled.
    pub cancelled: BTreeSet<String>,
    /// (node or none for every node, service) no longer offered.
    pub suspended: Vec<(Option<String>, String)>,
    /// (node, SKU) rows whose stock changed.
    pub stock_changed: BTreeSet<(String, String)>,
    /// The shipped packages (indices into the plan's shipments): they left
    /// the re-plan's scenario with their units.
    pub shipped: Vec<usize>,
    /// Per order that lost fully shipped lines: each old line's index in
    /// the re-plan's scenario (none: shipped in full).
    pub line_map: BTreeMap<String, Vec<Option<usize>>>,
}

impl Applied {
    /// The index in the re-plan's scenario of line `line` of `order`.
    pub fn line(&self, order: &str, line: usize) -> Option<usize> {
        match self.line_map.get(order) {
            Some(map) => map.get(line).copied().flatten(),
            None => Some(line),
        }
    }

    /// A shipment's state (planned unless said otherwise).
    pub fn stage(&self, order: &str, node: &str) -> Stage {
        self.stages
            .get(order)
            .and_then(|at| at.get(node))
            .copied()
            .unwrap_or(Stage::Planned)
    }

    /// The picked packages, as (order, node).
    pub fn picked(&self) -> impl Iterator<Item = (&str, &str)> {
        self.stages.iter().flat_map(|(order, at)| {
            at.iter()
                .filter(|(_, st)| **st == Stage::Picked)
                .map(move |(node, _)| (order.as_str(), node.as_str()))
        })
    }

    fn touch(&mut self, order: &str, why: String) {
        let reasons = self.touched.entry(order.to_string()).or_default();
        if !reasons.contains(&why) {
            reasons.push(why);
        }
    }
}

/// Checks `events` against the scenario `file` and `plan` (every problem at
/// once) and applies them to `file`.
pub fn apply(file: &mut ScenarioFile, plan: &Plan, events: &EventsFile) -> Result<Applied, ValidationReport> {
    let mut c = Check::default();
    let wave = parse_time(&file.wave_time);
    let mut applied = Applied::default();
    if let Some(at) = &events.at {
        replan_time(&mut c, file, at, wave);
    }
    stages(&mut c, plan, events, &mut applied);
    let mut outages: BTreeMap<&str, Vec<(NaiveDateTime, NaiveDateTime)>> = BTreeMap::new();
    for (i, e) in events.events.iter().enumerate() {
        let at = format!("events[{i}]");
        match e {
            EventRecord::NodeOutage { node, from, to } => {
                let Some(window) = c.window(&at, from, to, wave) else { continue };
                if c.node(file, &at, node) {
                    outages.entry(node).or_default().push(window);
                    outage(file, plan, &mut applied, node, window);
                }
            }
            EventRecord::CapacityDrop {
                node,
                capacity_orders,
                capacity_units,
            } => {
                let orders = capacity_orders.and_then(|v| c.units(&at, "capacity_orders", v, 0));
                let units = capacity_units.and_then(|v| c.units(&at, "capacity_units", v, 0));
                if capacity_orders.is_none() && capacity_units.is_none() {
                    c.error(IssueCode::BadEvent, &at, "capacity_orders", "neither capacity given".into());
                }
                if c.node(file, &at, node) {
                    capacity(file, plan, &mut applied, node, orders, units);
                }
            }
            EventRecord::ShortPick { node, sku, missing } => {
                let n = c.units(&at, "missing", *missing, 1);
                if c.node(file, &at, node) & c.sku(file, &at, sku)
                    && let Some(n) = n
                {
                    stock_change(&mut c, file, plan, &mut applied, &at, node, sku, -i64::from(n));
                }
            }
            EventRecord::InventoryFound { node, sku, units } => {
                let n = c.units(&at, "units", *units, 1);
                if c.node(file, &at, node) & c.sku(file, &at, sku)
                    && let Some(n) = n
                {
                    stock_change(&mut c, file, plan, &mut applied, &at, node, sku, i64::from(n));
                }
            }
            EventRecord::ServiceSuspended { service, node } => {
                let known_node = node.as_ref().is_none_or(|n| c.node(file, &at, n));
                let known = plan.shipments.iter().any(|s| &s.service == service)
                    || file.nodes.iter().any(|n| n.services.iter().any(|s| &s.service == service));
                if !known {
                    c.unknown(&at, "service", service);
                } else if known_node {
                    suspend(&mut c, plan, &mut applied, &at, node.as_deref(), service);
                }
            }
            EventRecord::OrderCancelled { order } => cancel(&mut c, file, plan, &mut applied, &at, order),
            EventRecord::MissedCutoff { node, service } => {
                if c.node(file, &at, node) {
                    let today = wave.map(|w| w.date());
                    missed_cutoff(&mut c, file, plan, &mut applied, (&at, node, service), today);
                }
            }
            EventRecord::OrderChanged { order, lines } => {
                if c.order_not_shipped(file, plan, &applied, &at, order) {
                    if lines.is_empty() {
                        c.error(IssueCode::BadEvent, &at, "lines", "no lines: cancel the order instead".into());
                    }
                    if let Some(o) = file.orders.iter_mut().find(|o| &o.id == order) {
                        o.lines = lines.clone();
                    }
                    applied.touch(order, "the order changed".into());
                }
            }
            EventRecord::AddressChanged { order, zip } => {
                if c.order_not_shipped(file, plan, &applied, &at, order) {
                    if let Some(o) = file.orders.iter_mut().find(|o| &o.id == order) {
                        o.zip = Some(zip.clone());
                        o.lat = None;
                        o.lon = None;
                    }
                    applied.touch(order, format!("its address changed to {zip}"));
                }
            }
        }
    }
    overlapping(&mut c, &outages);
    take_out_shipped(&mut c, file, plan, &mut applied);
    c.finish().map(|()| applied)
}

/// The stated shipment states: each of a shipment of the plan, once.
fn stages(c: &mut Check, plan: &Plan, events: &EventsFile, applied: &mut Applied) {
    let planned: BTreeSet<(&str, &str)> = plan
        .shipments
        .iter()
        .map(|s| (s.order.as_str(), s.node.as_str()))
        .collect();
    for (i, st) in events.shipments.iter().enumerate() {
        let at = format!("shipments[{i}]");
        if !planned.contains(&(st.order.as_str(), st.node.as_str())) {
            c.error(
                IssueCode::UnknownShipment,
                &at,
                "order",
                format!("the plan has no shipment of order `{}` from `{}`", st.order, st.node),
            );
            continue;
        }
        let at_order = applied.stages.entry(st.order.clone()).or_default();
        if at_order.insert(st.node.clone(), st.state).is_some() {
            c.error(
                IssueCode::DuplicateId,
                &at,
                "order",
                format!("the shipment of `{}` from `{}` is given twice", st.order, st.node),
            );
        }
    }
}

/// Closes the node on every date the window touches; touches the orders of
/// its movable shipments that ship in the window.
fn outage(file: &mut ScenarioFile, plan: &Plan, applied: &mut Applied, node: &str, w: (NaiveDateTime, NaiveDateTime)) {
    let (first, last) = (w.0.date(), w.1.date());
    if let Some(rec) = file.nodes.iter_mut().find(|n| n.id == node) {
        let mut d = first;
        loop {
            let text = d.format("%Y-%m-%d").to_string();
            if !rec.closed_dates.contains(&text) {
                rec.closed_dates.push(text);
            }
            match d.succ_opt() {
                Some(next) if next <= last => d = next,
                _ => break,
            }
        }
    }
    for s in plan.shipments.iter().filter(|s| s.node == node) {
        if !applied.stage(&s.order, node).fixed() && (first..=last).contains(&s.ship_date) {
            let f = |t: NaiveDateTime| t.format("%Y-%m-%dT%H:%M").to_string();
            applied.touch(&s.order, format!("{node} is out from {} to {}", f(w.0), f(w.1)));
        }
    }
}

/// Sets the node's capacity; touches every order with a movable shipment
/// there when the plan's packages or units there exceed it.
fn capacity(file: &mut ScenarioFile, plan: &Plan, applied: &mut Applied, node: &str, orders: Option<u32>, units: Option<u32>) {
    if let Some(rec) = file.nodes.iter_mut().find(|n| n.id == node) {
        if let Some(o) = orders {
            rec.capacity_orders = Some(f64::from(o));
        }
        if let Some(u) = units {
            rec.capacity_units = Some(f64::from(u));
        }
    }
    let here: Vec<_> = plan.shipments.iter().filter(|s| s.node == node).collect();
    let used_units: u64 = here.iter().flat_map(|s| &s.items).map(|i| u64::from(i.quantity)).sum();
    let over = orders.is_some_and(|o| here.len() as u64 > u64::from(o))
        || units.is_some_and(|u| used_units > u64::from(u));
    if over {
        let movable: Vec<&String> = here
            .iter()
            .filter(|s| !applied.stage(&s.order, node).fixed())
            .map(|s| &s.order)
            .collect();
        for order in movable {
            applied.touch(order, format!("{node}'s capacity dropped below the plan's use"));
        }
    }
}

/// Changes on hand of (node, SKU) by `change`; touches the orders whose
/// movable shipments carry the SKU there when the plan now uses more than
/// the stock, or the orders with backorders of it when units were found.
#[allow(clippy::too_many_arguments)]
fn stock_change(
    c: &mut Check,
    file: &mut ScenarioFile,
    plan: &Plan,
    applied: &mut Applied,
    at: &str,
    node: &str,
    sku: &str,
    change: i64,
) {
    let rec = match file.inventory.iter().position(|r| r.node == node && r.sku == sku) {
        Some(i) => &mut file.inventory[i],
        None => {
            file.inventory.push(InventoryRecord {
                node: node.into(),
                sku: sku.into(),
                on_hand: 0.0,
                reserved: None,
                safety_stock: None,
                inbound_quantity: None,
                inbound_date: None,
            });
            file.inventory.last_mut().expect("just pushed")
        }
    };
    let on_hand = rec.on_hand as i64 + change;
    if on_hand < 0 || on_hand > i64::from(MAX_UNITS) {
        c.error(
            IssueCode::BadEvent,
            at,
            "missing",
            format!("{node} holds {} of {sku}: on hand would be {on_hand}", rec.on_hand),
        );
        return;
    }
    rec.on_hand = on_hand as f64;
    let usable = on_hand - rec.reserved.unwrap_or(0.0) as i64 - rec.safety_stock.unwrap_or(0.0) as i64;
    applied.stock_changed.insert((node.into(), sku.into()));
    let carrying = |s: &&crate::solution::plan::Shipment| s.node == node && s.items.iter().any(|i| i.sku == sku);
    let units_of = |s: &crate::solution::plan::Shipment| -> i64 {
        s.items.iter().filter(|i| i.sku == sku).map(|i| i64::from(i.quantity)).sum()
    };
    let used: i64 = plan.shipments.iter().filter(carrying).map(units_of).sum();
    let fixed: i64 = plan
        .shipments
        .iter()
        .filter(carrying)
        .filter(|s| applied.stage(&s.order, node).fixed())
        .map(units_of)
        .sum();
    if fixed > usable {
        c.error(
            IssueCode::BadEvent,
            at,
            "missing",
            format!("picked and shipped packages hold {fixed} of {sku} at {node}, more than the {usable} left"),
        );
    } else if change < 0 && used > usable {
        for s in plan.shipments.iter().filter(carrying) {
            if !applied.stage(&s.order, node).fixed() {
                applied.touch(&s.order, format!("{} of {sku} missing at {node}", -change));
            }
        }
    } else if change > 0 {
        for b in plan.backorders.iter().filter(|b| b.sku == sku) {
            applied.touch(&b.order, format!("{change} of {sku} found at {node}"));
        }
    }
}

/// Bans the service (at a node or everywhere) from the re-plan; touches the
/// orders of its movable shipments; refuses when a picked one uses it.
fn suspend(c: &mut Check, plan: &Plan, applied: &mut Applied, at: &str, node: Option<&str>, service: &str) {
    applied.suspended.push((node.map(String::from), service.into()));
    let hit = plan
        .shipments
        .iter()
        .filter(|s| s.service == service && node.is_none_or(|n| s.node == n));
    for s in hit {
        match applied.stage(&s.order, &s.node) {
            Stage::Picked => c.error(
                IssueCode::EventOnFixedShipment,
                at,
                "service",
                format!("the picked package of `{}` at {} uses {service}", s.order, s.node),
            ),
            Stage::Shipped => {}
            _ => applied.touch(&s.order, format!("{service} is suspended")),
        }
    }
}

/// Removes the order from the scenario; refuses when it has shipped.
fn cancel(c: &mut Check, file: &mut ScenarioFile, plan: &Plan, applied: &mut Applied, at: &str, order: &str) {
    if !file.orders.iter().any(|o| o.id == order) {
        c.unknown(at, "order", order);
        return;
    }
    let shipped = plan
        .shipments
        .iter()
        .any(|s| s.order == order && applied.stage(order, &s.node) == Stage::Shipped);
    if shipped {
        c.error(
            IssueCode::EventOnFixedShipment,
            at,
            "order",
            format!("order `{order}` has shipped: it cannot be cancelled"),
        );
        return;
    }
    file.orders.retain(|o| o.id != order);
    applied.cancelled.insert(order.into());
}

/// Moves the wave's time to the re-plan's `at` (not before the wave),
/// keeping each order's placement time where it was.
fn replan_time(c: &mut Check, file: &mut ScenarioFile, at: &str, wave: Option<NaiveDateTime>) {
    let Some(t) = parse_time(at) else {
        c.error(IssueCode::BadDate, "events", "at", format!("`{at}`: YYYY-MM-DDTHH:MM wanted"));
        return;
    };
    if wave.is_some_and(|w| t < w) {
        c.error(IssueCode::EventInThePast, "events", "at", format!("{t} is before the plan's wave time"));
        return;
    }
    for o in &mut file.orders {
        if o.placed_at.is_none() {
            o.placed_at = Some(file.wave_time.clone());
        }
    }
    file.wave_time = t.format("%Y-%m-%dT%H:%M").to_string();
}

/// The node's pickup by `service` is gone for this wave: its cutoff becomes
/// midnight, so work ships at the next pickup; touches the orders of its
/// movable packages by that service that were to ship today.
fn missed_cutoff(
    c: &mut Check,
    file: &mut ScenarioFile,
    plan: &Plan,
    applied: &mut Applied,
    (at, node, service): (&str, &str, &str),
    today: Option<NaiveDate>,
) {
    let Some(rec) = file.nodes.iter_mut().find(|n| n.id == node) else { return };
    let Some(offered) = rec.services.iter_mut().find(|s| s.service == service) else {
        c.error(IssueCode::UnknownReference, at, "service", format!("{node} does not offer `{service}`"));
        return;
    };
    offered.cutoff = Some("00:00".into());
    let movable: Vec<String> = plan
        .shipments
        .iter()
        .filter(|s| s.node == node && s.service == service && Some(s.ship_date) == today)
        .filter(|s| !applied.stage(&s.order, node).fixed())
        .map(|s| s.order.clone())
        .collect();
    for o in movable {
        applied.touch(&o, format!("{node} missed the {service} cutoff"));
    }
}

/// Shipped packages are history: the re-plan plans what is left to ship.
/// Each shipped package's units leave on hand at its node and its order's
/// lines, and it keeps its place in the node's capacity; a line shipped in
/// full goes, and an order shipped in full leaves the re-plan.
fn take_out_shipped(c: &mut Check, file: &mut ScenarioFile, plan: &Plan, applied: &mut Applied) {
    // Indexed once: a wave can have many shipped packages.
    let order_at = first_index(file.orders.iter().map(|o| o.id.clone()));
    let row_at = first_index(file.inventory.iter().map(|r| (r.node.clone(), r.sku.clone())));
    let node_at = first_index(file.nodes.iter().map(|n| n.id.clone()));
    let mut remaining: BTreeMap<usize, Vec<f64>> = BTreeMap::new();
    for (k, s) in plan.shipments.iter().enumerate() {
        if applied.stage(&s.order, &s.node) != Stage::Shipped {
            continue;
        }
        applied.shipped.push(k);
        let Some(&o) = order_at.get(&s.order) else { continue };
        let lines = remaining
            .entry(o)
            .or_insert_with(|| file.orders[o].lines.iter().map(|l| l.quantity).collect());
        let mut units = 0.0;
        for item in &s.items {
            let q = f64::from(item.quantity);
            units += q;
            if let Some(left) = lines.get_mut(item.line) {
                *left -= q;
            }
            let row = row_at
                .get(&(s.node.clone(), item.sku.clone()))
                .map(|&i| &mut file.inventory[i]);
            match row {
                Some(r) if r.on_hand >= q => r.on_hand -= q,
                _ => c.error(
                    IssueCode::BadEvent,
                    &format!("shipment of {} from {}", s.order, s.node),
                    "state",
                    format!("{} of {} shipped from {}, which does not hold them", item.quantity, item.sku, s.node),
                ),
            }
        }
        if let Some(&n) = node_at.get(&s.node) {
            let n = &mut file.nodes[n];
            n.capacity_orders = n.capacity_orders.map(|v| (v - 1.0).max(0.0));
            n.capacity_units = n.capacity_units.map(|v| (v - units).max(0.0));
        }
    }
    for (o, left) in remaining {
        let rec = &mut file.orders[o];
        let mut map = Vec::with_capacity(left.len());
        let mut kept = Vec::new();
        for (line, q) in rec.lines.iter().zip(&left) {
            if *q > 0.0 {
                map.push(Some(kept.len()));
                kept.push(crate::input::format::LineRecord {
                    quantity: *q,
                    ..line.clone()
                });
            } else {
                map.push(None);
            }
        }
        rec.lines = kept;
        applied.line_map.insert(rec.id.clone(), map);
    }
    file.orders.retain(|o| !o.lines.is_empty());
}

/// Each key's first position (the record a linear search would find; the
/// records are not validated yet, so a key may repeat).
fn first_index<K: Ord>(keys: impl Iterator<Item = K>) -> BTreeMap<K, usize> {
    let mut out = BTreeMap::new();
    for (i, k) in keys.enumerate() {
        out.entry(k).or_insert(i);
    }
    out
}

/// Refuses two outages of one node whose windows overlap.
fn overlapping(c: &mut Check, outages: &BTreeMap<&str, Vec<(NaiveDateTime, NaiveDateTime)>>) {
    for (node, windows) in outages {
        let mut w = windows.clone();
        w.sort();
        for pair in w.windows(2) {
            if pair[1].0 <= pair[0].1 {
                c.error(
                    IssueCode::OverlappingEvents,
                    &format!("node {node}"),
                    "from",
                    format!("outages {} to {} and {} to {} overlap", pair[0].0, pair[0].1, pair[1].0, pair[1].1),
                );
            }
        }
    }
}

fn parse_time(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
}

/// The issues found so far.
#[derive(Default)]
struct Check {
    issues: Vec<Issue>,
}

impl Check {
    fn error(&mut self, code: IssueCode, record: &str, field: &str, message: String) {
        let action = match code {
            IssueCode::UnknownShipment => "name a shipment of the plan by its order and node",
            IssueCode::EventOnFixedShipment => "a shipped or picked package stays as it is",
            IssueCode::OverlappingEvents => "give one outage per node and time",
            IssueCode::EventInThePast => "events happen after the plan's wave time",
            IssueCode::UnknownReference => "use an id of the scenario",
            IssueCode::DuplicateId => "give each shipment's state once",
            _ => "see docs/format.md, Re-plan events",
        };
        self.issues.push(Issue {
            code,
            severity: Severity::Error,
            record: record.into(),
            field: field.into(),
            message,
            action: action.into(),
        });
    }

    fn unknown(&mut self, record: &str, what: &str, id: &str) {
        self.error(IssueCode::UnknownReference, record, what, format!("unknown {what} `{id}`"));
    }

    fn node(&mut self, file: &ScenarioFile, record: &str, id: &str) -> bool {
        let known = file.nodes.iter().any(|n| n.id == id);
        if !known {
            self.unknown(record, "node", id);
        }
        known
    }

    /// Whether `order` exists and has no shipped package (else reported).
    fn order_not_shipped(&mut self, file: &ScenarioFile, plan: &Plan, applied: &Applied, record: &str, order: &str) -> bool {
        if !file.orders.iter().any(|o| o.id == order) {
            self.unknown(record, "order", order);
            return false;
        }
        let shipped = plan
            .shipments
            .iter()
            .any(|s| s.order == order && applied.stage(order, &s.node).fixed());
        if shipped {
            self.error(
                IssueCode::EventOnFixedShipment,
                record,
                "order",
                format!("order `{order}` has a picked or shipped package: it cannot change"),
            );
        }
        !shipped
    }

    fn sku(&mut self, file: &ScenarioFile, record: &str, id: &str) -> bool {
        let known = file.skus.iter().any(|k| k.id == id);
        if !known {
            self.unknown(record, "sku", id);
        }
        known
    }

    /// A whole number of units from `least` to `MAX_UNITS`.
    fn units(&mut self, record: &str, field: &str, v: f64, least: u32) -> Option<u32> {
        if v.is_finite() && v.fract() == 0.0 && v >= f64::from(least) && v <= f64::from(MAX_UNITS) {
            return Some(v as u32);
        }
        self.error(
            IssueCode::BadEvent,
            record,
            field,
            format!("{v}: a whole number from {least} to {MAX_UNITS} wanted"),
        );
        None
    }

    /// An outage window: both times readable, in order, and not over before
    /// the wave.
    fn window(&mut self, record: &str, from: &str, to: &str, wave: Option<NaiveDateTime>) -> Option<(NaiveDateTime, NaiveDateTime)> {
        let (Some(f), Some(t)) = (parse_time(from), parse_time(to)) else {
            self.error(IssueCode::BadDate, record, "from", format!("`{from}` to `{to}`: YYYY-MM-DDTHH:MM wanted"));
            return None;
        };
        if f > t {
            self.error(IssueCode::BadEvent, record, "to", format!("the outage ends ({t}) before it starts ({f})"));
            return None;
        }
        if (t - f).num_days() > i64::from(MAX_DAYS) {
            self.error(IssueCode::BadEvent, record, "to", format!("the outage lasts more than {MAX_DAYS} days"));
            return None;
        }
        if wave.is_some_and(|w| t < w) {
            self.error(IssueCode::EventInThePast, record, "to", format!("the outage ended ({t}) before the wave"));
            return None;
        }
        Some((f, t))
    }

    fn finish(self) -> Result<(), ValidationReport> {
        if self.issues.is_empty() {
            Ok(())
        } else {
            Err(ValidationReport { issues: self.issues })
        }
    }
}
