//! Nodes: unique ids, kind, place, capabilities, handling costs, capacities,
//! the carrier services offered with their cutoffs, closed days and time zone.

use std::collections::BTreeSet;

use chrono::{NaiveDate, Weekday};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::error::IssueCode;
use crate::input::format::{NodeRecord, NodeServiceRecord};
use crate::network::domain::{
    Capabilities, Node, NodeIdx, NodeKind, NodeService, ServiceIdx, TRANSFER_SERVICE,
};

use super::collector::Collector;
use super::coordinates::place;
use super::services::Catalog;

/// The nodes (each id once; a repeated id is E101 and skipped) and their index by id.
pub(super) fn nodes(
    c: &mut Collector,
    records: &[NodeRecord],
    catalog: &Catalog,
    explicit_mode: bool,
) -> (Vec<Node>, HashMap<String, NodeIdx>) {
    let service_index: HashMap<&str, ServiceIdx> = catalog
        .services
        .iter()
        .enumerate()
        .map(|(k, s)| (s.id.as_str(), ServiceIdx::new(k)))
        .collect();
    let mut nodes = Vec::new();
    let mut node_index: HashMap<String, NodeIdx> = HashMap::default();
    for n in records {
        let rec = format!("node {}", n.id);
        if node_index.contains_key(&n.id) {
            c.error(
                IssueCode::DuplicateId,
                &rec,
                "id",
                "duplicate node id".into(),
                "give every node its own id",
            );
            continue;
        }
        let node = node(c, &rec, n, catalog, &service_index, explicit_mode);
        node_index.insert(n.id.clone(), NodeIdx::new(nodes.len()));
        nodes.push(node);
    }
    (nodes, node_index)
}

/// One node; wrong values are reported and replaced by defaults (the report
/// stops the run).
fn node(
    c: &mut Collector,
    rec: &str,
    n: &NodeRecord,
    catalog: &Catalog,
    service_index: &HashMap<&str, ServiceIdx>,
    explicit_mode: bool,
) -> Node {
    let kind = NodeKind::parse(&n.kind);
    if kind.is_none() {
        c.error(
            IssueCode::UnknownListValue,
            rec,
            "kind",
            format!("`{}` is not a node kind", n.kind),
            "use dc, store, 3pl or supplier",
        );
    }
    let loc = place(c, explicit_mode, rec, &n.zip, n.lat, n.lon);
    let caps = capabilities(c, rec, n.capabilities.as_deref());
    let hpp = c.non_negative(
        rec,
        "handling_per_package",
        n.handling_per_package.unwrap_or(0.0),
    );
    let hpu = c.non_negative(rec, "handling_per_unit", n.handling_per_unit.unwrap_or(0.0));
    let cap_o = n
        .capacity_orders
        .and_then(|v| c.quantity(rec, "capacity_orders", v));
    let cap_u = n
        .capacity_units
        .and_then(|v| c.quantity(rec, "capacity_units", v));
    let processing = c.days(rec, "processing_days", n.processing_days.unwrap_or(0.0));
    let offers = offers(c, rec, &n.services, catalog, service_index);
    if offers.is_empty() && caps.ship_to_home && !explicit_mode {
        c.warn(
            IssueCode::NodeWithoutService,
            rec,
            "services",
            "offers no carrier service: it cannot ship to homes".into(),
            "add services, or drop the ship_to_home capability",
        );
    }
    let (closed_weekdays, closed_dates) = closed_days(c, rec, n);
    let rank = n.rank.and_then(|r| c.finite(rec, "rank", r));
    let time_zone = n
        .time_zone
        .as_deref()
        .and_then(|z| super::zones::time_zone(c, rec, "time_zone", z));
    let (lat, lon) = loc.unwrap_or((0.0, 0.0));
    Node {
        id: n.id.clone(),
        kind: kind.unwrap_or(NodeKind::Dc),
        lat,
        lon,
        market: n.market.clone().unwrap_or_else(|| "US".into()),
        capabilities: caps,
        handling_per_package: hpp.unwrap_or(0.0),
        handling_per_unit: hpu.unwrap_or(0.0),
        capacity_orders: cap_o,
        capacity_units: cap_u,
        services: offers,
        processing_days: processing.unwrap_or(0),
        closed_weekdays,
        closed_dates,
        rank,
        time_zone,
    }
}

/// The capabilities listed (ship to home when no list is given); unknown
/// ones are E112.
fn capabilities(c: &mut Collector, rec: &str, list: Option<&[String]>) -> Capabilities {
    let mut caps = Capabilities::default();
    let Some(list) = list else {
        caps.ship_to_home = true;
        return caps;
    };
    for (k, cap) in list.iter().enumerate() {
        match cap.trim() {
            "ship_to_home" => caps.ship_to_home = true,
            "pickup" => caps.pickup = true,
            "returns" => caps.returns = true,
            "inspection" => caps.inspection = true,
            other => c.error(
                IssueCode::UnknownListValue,
                rec,
                &format!("capabilities[{k}]"),
                format!("`{other}` is not a capability"),
                "use ship_to_home, pickup, returns or inspection",
            ),
        }
    }
    caps
}

/// The carrier services offered at the node, each known (E102), not the
/// built-in pickup or transfer (E112) and listed once (E101), with a valid cutoff (E110).
fn offers(
    c: &mut Collector,
    rec: &str,
    listed: &[NodeServiceRecord],
    catalog: &Catalog,
    service_index: &HashMap<&str, ServiceIdx>,
) -> Vec<NodeService> {
    let mut offers = Vec::new();
    let mut offered = HashSet::default();
    for (k, o) in listed.iter().enumerate() {
        let field = format!("services[{k}]");
        let Some(&sidx) = service_index.get(o.service.as_str()) else {
            // A service that was rejected has been reported already.
            if catalog.all_valid || !catalog.records.iter().any(|r| r.id == o.service) {
                c.error(
                    IssueCode::UnknownReference,
                    rec,
                    &field,
                    format!("unknown service `{}`", o.service),
                    "use a service of the cost model or the scenario's `services`",
                );
            }
            continue;
        };
        if catalog.services[sidx].is_pickup {
            c.error(
                IssueCode::UnknownListValue,
                rec,
                &field,
                "`pickup` is implied by the `pickup` capability".into(),
                "remove it and add the `pickup` capability",
            );
            continue;
        }
        if catalog.services[sidx].id == TRANSFER_SERVICE {
            c.error(
                IssueCode::UnknownListValue,
                rec,
                &field,
                "`transfer` is implied by a transfer lane".into(),
                "remove it and list the lane in the scenario's `transfer_lanes`",
            );
            continue;
        }
        if !offered.insert(sidx) {
            c.error(
                IssueCode::DuplicateId,
                rec,
                &field,
                format!("service `{}` listed twice", o.service),
                "list each service once",
            );
            continue;
        }
        let cutoff = o
            .cutoff
            .as_ref()
            .and_then(|t| c.time_of_day(rec, &format!("{field}.cutoff"), t));
        offers.push(NodeService {
            service: sidx,
            cutoff,
        });
    }
    offers
}

/// The weekdays and dates the node does not ship; wrong ones are reported
/// and left out.
fn closed_days(
    c: &mut Collector,
    rec: &str,
    n: &NodeRecord,
) -> (Vec<Weekday>, BTreeSet<NaiveDate>) {
    let weekdays = n
        .closed_weekdays
        .iter()
        .enumerate()
        .filter_map(|(k, w)| c.weekday(rec, &format!("closed_weekdays[{k}]"), w))
        .collect();
    let dates = n
        .closed_dates
        .iter()
        .enumerate()
        .filter_map(|(k, d)| c.date(rec, &format!("closed_dates[{k}]"), d))
        .collect();
    (weekdays, dates)
}
