//! Orders: unique ids, destination, placement time, lines, promised date
//! (given, or from a service level), package limit, pickup node and the
//! wave's total units; and order lines whose order does not exist.

use chrono::{NaiveDate, NaiveDateTime};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::error::IssueCode;
use crate::input::format::{LineRecord, OrderRecord, OrphanLine};
use crate::network::domain::{
    Channel, Line, Node, NodeIdx, Order, Policy, Service, ServiceIdx, SkuIdx,
};

use super::collector::Collector;
use super::coordinates::place;
use super::limits::{MAX_LINES_PER_ORDER, MAX_UNITS};

/// What the orders refer to, validated before them.
pub(super) struct OrderContext<'a> {
    /// SKU index by id.
    pub sku_index: &'a HashMap<String, SkuIdx>,
    /// Whether a SKU has stock somewhere, by index.
    pub stocked: &'a [bool],
    /// The nodes.
    pub nodes: &'a [Node],
    /// Node index by id.
    pub node_index: &'a HashMap<String, NodeIdx>,
    /// The policy, if valid (for service levels).
    pub policy: Option<&'a Policy>,
    /// The wave's time, if valid (the default placement time).
    pub wave_time: Option<NaiveDateTime>,
    /// Whether costs are given explicitly (coordinates then optional).
    pub explicit_mode: bool,
    /// The sales channels.
    pub channels: &'a [Channel],
    /// The carrier services (the built-ins last).
    pub services: &'a [Service],
}

/// The orders (each id once; a repeated id is E101 and skipped), then the
/// wave's total units (E117) and the orphan order lines (E102).
pub(super) fn orders(
    c: &mut Collector,
    records: &[OrderRecord],
    orphans: &[OrphanLine],
    cx: &OrderContext,
) -> Vec<Order> {
    let mut orders = Vec::new();
    let mut order_ids = HashSet::default();
    for o in records {
        let rec = format!("order {}", o.id);
        if !order_ids.insert(o.id.clone()) {
            c.error(
                IssueCode::DuplicateId,
                &rec,
                "id",
                "duplicate order id".into(),
                "give every order its own id",
            );
            continue;
        }
        orders.push(order(c, &rec, o, cx));
    }
    let wave_units: u64 = orders.iter().map(Order::units).sum();
    c.at_most(
        "orders",
        "units ordered in the wave",
        wave_units,
        u64::from(MAX_UNITS),
    );
    for orphan in orphans {
        c.error(
            IssueCode::UnknownReference,
            &format!("order_lines.csv row {}", orphan.row),
            "order",
            format!("unknown order `{}`", orphan.order),
            "add the order to orders.csv or fix the id",
        );
    }
    orders
}

/// One order; wrong values are reported and replaced by defaults (the report
/// stops the run).
fn order(c: &mut Collector, rec: &str, o: &OrderRecord, cx: &OrderContext) -> Order {
    let loc = place(c, cx.explicit_mode, rec, &o.zip, o.lat, o.lon);
    let placed = match &o.placed_at {
        Some(p) => c.datetime(rec, "placed_at", p),
        None => cx.wave_time,
    };
    if o.lines.is_empty() {
        c.error(
            IssueCode::OrderWithoutLines,
            rec,
            "lines",
            "the order has no lines".into(),
            "add lines or drop the order",
        );
    }
    c.at_most(rec, "lines", o.lines.len(), MAX_LINES_PER_ORDER);
    let lines = o
        .lines
        .iter()
        .enumerate()
        .filter_map(|(k, l)| line(c, rec, k, l, cx))
        .collect();
    let promised = promised_date(c, rec, o, placed, cx.policy);
    let max_packages = max_packages(c, rec, o.max_packages);
    let pickup_node = pickup_node(c, rec, o.pickup_node.as_deref(), cx);
    let priority = o
        .priority
        .and_then(|p| c.finite(rec, "priority", p))
        .unwrap_or(0.0);
    let channel = super::channels::channel_of(c, rec, o.channel.as_deref(), cx.channels);
    let service = requested_service(c, rec, o, cx);
    let (lat, lon) = loc.unwrap_or((0.0, 0.0));
    Order {
        id: o.id.clone(),
        placed_at: placed.unwrap_or_default(),
        lat,
        lon,
        market: o.market.clone().unwrap_or_else(|| "US".into()),
        lines,
        promised,
        ship_complete: o.ship_complete.unwrap_or(false),
        max_packages,
        pickup_node,
        priority,
        channel,
        service,
    }
}

/// The service the customer chose: a known one (E102) that a shipped order
/// can go by (E131: not a pickup order, not a built-in service).
fn requested_service(
    c: &mut Collector,
    rec: &str,
    o: &OrderRecord,
    cx: &OrderContext,
) -> Option<ServiceIdx> {
    let id = o.service.as_deref()?;
    let Some(v) = cx.services.iter().position(|s| s.id == id) else {
        c.error(
            IssueCode::UnknownReference,
            rec,
            "service",
            format!("unknown service `{id}`"),
            "name a service of the cost model or the scenario",
        );
        return None;
    };
    let builtin = cx.services[v].is_pickup
        || id == crate::network::domain::EXPLICIT_SERVICE
        || id == crate::network::domain::TRANSFER_SERVICE;
    if o.pickup_node.is_some() || builtin {
        c.error(
            IssueCode::ServiceNotForOrder,
            rec,
            "service",
            format!("`{id}` cannot be asked for by this order"),
            "drop `service` (pickup orders are collected in store) or name a carrier service",
        );
        return None;
    }
    Some(ServiceIdx::new(v))
}

/// Line `k`: a known SKU (E102), a positive whole quantity (E103 for zero),
/// a valid penalty, and W203 when its SKU is stocked nowhere. `None` when
/// it is wrong.
fn line(c: &mut Collector, rec: &str, k: usize, l: &LineRecord, cx: &OrderContext) -> Option<Line> {
    // The field names are written out only when an issue is reported.
    let found = cx.sku_index.get(&l.sku).copied();
    let sku = c.known_sku(found, rec, &format_args!("lines[{k}].sku"), &l.sku);
    let q = c.units_asked(rec, &format_args!("lines[{k}].quantity"), l.quantity);
    let pen = l
        .unfilled_penalty
        .and_then(|p| c.non_negative(rec, &format_args!("lines[{k}].unfilled_penalty"), p));
    let (sku, q) = (sku?, q?);
    if cx.stocked.get(sku.index()) == Some(&false) {
        c.warn(
            IssueCode::LineWithoutStock,
            rec,
            &format_args!("lines[{k}].sku"),
            format!("SKU `{}` has no stock anywhere", l.sku),
            "expect the line to be unfilled",
        );
    }
    Some(Line {
        sku,
        quantity: q,
        unfilled_penalty: pen,
    })
}

/// The promised date as given, or else the order's service level counted in
/// business days from its placement (E112 for an unknown level, E110 past
/// the calendar).
fn promised_date(
    c: &mut Collector,
    rec: &str,
    o: &OrderRecord,
    placed: Option<NaiveDateTime>,
    policy: Option<&Policy>,
) -> Option<NaiveDate> {
    if let Some(d) = &o.promised_date {
        return c.date(rec, "promised_date", d);
    }
    let (Some(level), Some(p), Some(placed)) = (&o.service_level, policy, placed) else {
        return None;
    };
    let Some(&days) = p.service_levels.get(level) else {
        c.error(
            IssueCode::UnknownListValue,
            rec,
            "service_level",
            format!("unknown service level `{level}`"),
            "use a level of the policy's service_levels or give promised_date",
        );
        return None;
    };
    let promised = crate::network::calendar::add_business_days(placed.date(), days);
    if promised.is_none() {
        c.error(
            IssueCode::BadDate,
            rec,
            "service_level",
            format!("{days} business days after {placed} is past 9999-12-31, the last date a plan can name"),
            "give an earlier placed_at or a shorter service level",
        );
    }
    promised
}

/// The most packages allowed: a whole number of at least 1 (E111 for 0).
fn max_packages(c: &mut Collector, rec: &str, given: Option<f64>) -> Option<u32> {
    let max_packages = given.and_then(|m| c.quantity(rec, "max_packages", m));
    if max_packages == Some(0) {
        c.error(
            IssueCode::PolicyOutOfRange,
            rec,
            "max_packages",
            "0 packages allowed".into(),
            "allow at least 1 package or drop the limit",
        );
    }
    max_packages
}

/// The node a pickup order is collected from: known (E102) and able to hand
/// out orders (E114).
fn pickup_node(
    c: &mut Collector,
    rec: &str,
    id: Option<&str>,
    cx: &OrderContext,
) -> Option<NodeIdx> {
    let id = id?;
    let Some(&n) = cx.node_index.get(id) else {
        c.error(
            IssueCode::UnknownReference,
            rec,
            "pickup_node",
            format!("unknown node `{id}`"),
            "fix the node id",
        );
        return None;
    };
    if !cx.nodes[n].capabilities.pickup {
        c.error(
            IssueCode::PickupNodeCannotHandOut,
            rec,
            "pickup_node",
            format!("node `{id}` has no `pickup` capability"),
            "choose a pickup node or add the capability",
        );
    }
    Some(n)
}
