//! The independent checker: recomputes a plan's feasibility and every cost from
//! the scenario alone. It never calls the candidate, formulation or decoding
//! code, so a mistake there shows up here as a violation or a cost mismatch.
//! It shares only the input model (`domain`), distances (`geo`) and the date
//! rules (`calendar`), which it must agree with by definition.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::calendar;
use crate::domain::*;
use crate::geo;
use crate::plan::{CostBreakdown, Plan};

/// One thing wrong with a plan.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Violation {
    /// What kind: `unknown-id`, `not-offered`, `market`, `dates`, `no-ship-date`, `holiday`,
    /// `items`, `stock`, `capacity`, `coverage`, `one-service-per-node`,
    /// `ship-complete`, `max-packages`, `pickup`, `cost`, and `files` (a
    /// table beside `plan.json` that does not match its manifest).
    pub kind: &'static str,
    /// The record, e.g. `order O-1 shipment 2`.
    pub record: String,
    /// Details.
    pub message: String,
}

/// The checker's verdict.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CheckReport {
    /// Every violation found.
    pub violations: Vec<Violation>,
    /// The cost recomputed from the input.
    pub recomputed: CostBreakdown,
    /// Shipments checked.
    pub shipments: usize,
}

impl CheckReport {
    /// No violation.
    pub fn ok(&self) -> bool {
        self.violations.is_empty()
    }
}

/// Absolute tolerance per compared cost, plus a relative part for big totals.
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 + 1e-9 * a.abs().max(b.abs())
}

/// Package and per-unit cost of shipping `order` from `node` with `service`,
/// and the delivery facts, computed from first principles. `None` if the
/// combination is not allowed or has no ship date.
struct Lane {
    ship: chrono::NaiveDate,
    delivery: chrono::NaiveDate,
    late: u32,
    zone: u8,
    package: [f64; 4], // shipping, handling, lateness, cross-market
}

fn lane(
    s: &Scenario,
    oi: OrderIdx,
    n: NodeIdx,
    v: ServiceIdx,
) -> Result<Lane, (&'static str, String)> {
    let o = &s.orders[oi];
    let node = &s.nodes[n];
    let service = &s.services[v];
    if let Some(e) = &s.explicit {
        if service.id != EXPLICIT_SERVICE {
            return Err((
                "not-offered",
                "explicit-cost scenarios ship only by the `explicit` service".into(),
            ));
        }
        let Some(&pc) = e.package.get(&(oi, n)) else {
            return Err((
                "not-offered",
                format!("no package cost for order `{}` at `{}`", o.id, node.id),
            ));
        };
        let day = s.wave_time.date();
        return Ok(Lane {
            ship: day,
            delivery: day,
            late: 0,
            zone: 0,
            package: [pc, 0.0, 0.0, 0.0],
        });
    }
    let offer = if service.is_pickup {
        if o.pickup_node != Some(n) {
            return Err((
                "pickup",
                format!(
                    "pickup service at `{}`, not the order's pickup node",
                    node.id
                ),
            ));
        }
        NodeService {
            service: v,
            cutoff: None,
        }
    } else {
        if o.pickup_node.is_some() {
            return Err((
                "pickup",
                "a pickup order ships only by in-store pickup".into(),
            ));
        }
        if !node.capabilities.ship_to_home {
            return Err((
                "not-offered",
                format!("`{}` does not ship to homes", node.id),
            ));
        }
        match node.services.iter().find(|x| x.service == v) {
            Some(x) => x.clone(),
            None => {
                return Err((
                    "not-offered",
                    format!("`{}` does not offer `{}`", node.id, service.id),
                ));
            }
        }
    };
    let cross = !service.is_pickup && node.market != o.market;
    let cross_cost = match (cross, s.policy.cross_market) {
        (false, _) => 0.0,
        (true, CrossMarket::Forbid) => {
            return Err((
                "market",
                format!(
                    "`{}` ({}) may not serve market {}",
                    node.id, node.market, o.market
                ),
            ));
        }
        (true, CrossMarket::Penalty(p)) => p,
    };
    let Some(ship) = calendar::ship_date(s.wave_time, node, &offer, service) else {
        return Err(("no-ship-date", "no ship date within a year".into()));
    };
    if calendar::misses_holiday_deadline(service, ship, o.promised) {
        return Err((
            "holiday",
            format!("`{}` ships {ship}, after its holiday ship-by", service.id),
        ));
    }
    let miles = geo::great_circle_miles(node.lat, node.lon, o.lat, o.lon);
    let zone = geo::zone_for_miles(miles);
    let z = zone as usize - 1;
    let delivery = if service.is_pickup {
        ship
    } else {
        match calendar::add_business_days(ship, service.transit_days[z]) {
            Some(d) => d,
            None => {
                return Err((
                    "date",
                    format!("delivery after {ship} is past the end of the calendar"),
                ));
            }
        }
    };
    let late = o
        .promised
        .map_or(0, |p| calendar::business_days_late(delivery, p));
    Ok(Lane {
        ship,
        delivery,
        late,
        zone,
        package: [
            service.per_package[z],
            node.handling_per_package,
            s.policy.late_penalty_per_day * late as f64,
            cross_cost,
        ],
    })
}

/// Per-unit cost (shipping, handling, store premium) of line `k` on a lane;
/// `None` if an explicit-cost scenario gives no cost for it.
fn unit(s: &Scenario, oi: OrderIdx, n: NodeIdx, v: ServiceIdx, k: usize) -> Option<[f64; 3]> {
    if let Some(e) = &s.explicit {
        return e.unit.get(&(oi, k, n)).map(|&c| [c, 0.0, 0.0]);
    }
    let o = &s.orders[oi];
    let sku = o.lines[k].sku;
    let node = &s.nodes[n];
    let service = &s.services[v];
    let miles = geo::great_circle_miles(node.lat, node.lon, o.lat, o.lon);
    let z = geo::zone_for_miles(miles) as usize - 1;
    Some([
        s.skus[sku].weight_lb * service.per_lb[z]
            + service.per_unit
            + service.per_unit_per_mile * miles,
        node.handling_per_unit,
        if node.kind == NodeKind::Store {
            s.policy.store_premium_per_unit
        } else {
            0.0
        },
    ])
}

/// Penalty per unfilled unit of line `k`, by the policy's rule.
fn unfilled_penalty(s: &Scenario, oi: OrderIdx, k: usize) -> f64 {
    if let Some(p) = s.orders[oi].lines[k].unfilled_penalty {
        return p;
    }
    match s.policy.unfilled {
        UnfilledRule::Fixed(p) => p,
        UnfilledRule::TwiceWorst => {
            let (mut pkg, mut per) = (0.0f64, 0.0f64);
            for n in 0..s.nodes.len() {
                for v in 0..s.services.len() {
                    if let Ok(l) = lane(s, oi, n, v) {
                        pkg = pkg.max(l.package.iter().sum());
                        if let Some(u) = unit(s, oi, n, v, k) {
                            per = per.max(u.iter().sum());
                        }
                    }
                }
            }
            2.0 * pkg + 2.0 * per
        }
    }
}

/// Checks a plan against its scenario.
pub fn check(s: &Scenario, plan: &Plan) -> CheckReport {
    let mut out: Vec<Violation> = Vec::new();
    let mut bad = |kind: &'static str, record: String, message: String| {
        out.push(Violation {
            kind,
            record,
            message,
        })
    };
    let order_idx: HashMap<&str, OrderIdx> = s
        .orders
        .iter()
        .enumerate()
        .map(|(k, o)| (o.id.as_str(), k))
        .collect();
    let node_idx: HashMap<&str, NodeIdx> = s
        .nodes
        .iter()
        .enumerate()
        .map(|(k, n)| (n.id.as_str(), k))
        .collect();
    let service_idx: HashMap<&str, ServiceIdx> = s
        .services
        .iter()
        .enumerate()
        .map(|(k, v)| (v.id.as_str(), k))
        .collect();

    let mut cost = CostBreakdown::default();
    let mut shipped: Vec<Vec<u64>> = s.orders.iter().map(|o| vec![0; o.lines.len()]).collect();
    let mut packages = vec![0u32; s.orders.len()];
    let mut nodes_used: Vec<HashSet<NodeIdx>> = vec![HashSet::new(); s.orders.len()];
    let mut stock_used: HashMap<(NodeIdx, SkuIdx), u64> = HashMap::new();
    let mut node_pk = vec![0u64; s.nodes.len()];
    let mut node_units = vec![0u64; s.nodes.len()];

    for (p, sh) in plan.shipments.iter().enumerate() {
        let rec = format!("order {} shipment {p}", sh.order);
        let (Some(&o), Some(&n), Some(&v)) = (
            order_idx.get(sh.order.as_str()),
            node_idx.get(sh.node.as_str()),
            service_idx.get(sh.service.as_str()),
        ) else {
            bad(
                "unknown-id",
                rec,
                format!(
                    "order `{}`, node `{}` or service `{}` is not in the scenario",
                    sh.order, sh.node, sh.service
                ),
            );
            continue;
        };
        let order = &s.orders[o];
        let l = match lane(s, o, n, v) {
            Ok(l) => l,
            Err((kind, msg)) => {
                bad(kind, rec, msg);
                continue;
            }
        };
        if (sh.ship_date, sh.delivery_date, sh.late_days, sh.zone)
            != (l.ship, l.delivery, l.late, l.zone)
        {
            bad(
                "dates",
                rec.clone(),
                format!(
                    "plan says ship {} arrive {} late {} zone {}, input gives {} {} {} {}",
                    sh.ship_date,
                    sh.delivery_date,
                    sh.late_days,
                    sh.zone,
                    l.ship,
                    l.delivery,
                    l.late,
                    l.zone
                ),
            );
        }
        if !nodes_used[o].insert(n) {
            bad(
                "one-service-per-node",
                rec.clone(),
                format!("second package from `{}`", sh.node),
            );
        }
        if sh.items.is_empty() {
            bad("items", rec.clone(), "empty package".into());
        }
        packages[o] += 1;
        node_pk[n] += 1;
        let mut sc = [l.package[0], l.package[1], 0.0, l.package[2], l.package[3]];
        let mut lines_seen = HashSet::new();
        for it in &sh.items {
            let Some(line) = order.lines.get(it.line) else {
                bad(
                    "items",
                    rec.clone(),
                    format!("line {} does not exist", it.line),
                );
                continue;
            };
            if s.skus[line.sku].id != it.sku || it.quantity == 0 || !lines_seen.insert(it.line) {
                bad(
                    "items",
                    rec.clone(),
                    format!(
                        "line {} item `{}` x{} does not match the order",
                        it.line, it.sku, it.quantity
                    ),
                );
                continue;
            }
            let q = it.quantity as u64;
            shipped[o][it.line] += q;
            *stock_used.entry((n, line.sku)).or_default() += q;
            node_units[n] += q;
            let Some(u) = unit(s, o, n, v, it.line) else {
                bad(
                    "not-offered",
                    rec.clone(),
                    format!("no unit cost for line {} at `{}`", it.line, sh.node),
                );
                continue;
            };
            sc[0] += u[0] * q as f64;
            sc[1] += u[1] * q as f64;
            sc[2] += u[2] * q as f64;
        }
        let total: f64 = sc.iter().sum();
        let reported = [
            sh.cost.shipping,
            sh.cost.handling,
            sh.cost.store_premium,
            sh.cost.lateness,
            sh.cost.cross_market,
            sh.cost.total,
        ];
        let expected = [sc[0], sc[1], sc[2], sc[3], sc[4], total];
        if reported.iter().zip(&expected).any(|(a, b)| !close(*a, *b)) {
            bad(
                "cost",
                rec,
                format!("shipment cost {reported:?} but the input gives {expected:?}"),
            );
        }
        cost.shipping += sc[0];
        cost.handling += sc[1];
        cost.store_premium += sc[2];
        cost.lateness += sc[3];
        cost.cross_market += sc[4];
    }

    // Coverage, backorders and order rules.
    let mut backordered: HashMap<(&str, usize), u64> = HashMap::new();
    for b in &plan.backorders {
        *backordered.entry((b.order.as_str(), b.line)).or_default() += b.units as u64;
        if !order_idx.contains_key(b.order.as_str()) {
            bad(
                "unknown-id",
                format!("backorder {}", b.order),
                "unknown order".into(),
            );
        }
    }
    for (o, order) in s.orders.iter().enumerate() {
        let rec = format!("order {}", order.id);
        let mut all_filled = true;
        let mut any_filled = false;
        for (k, l) in order.lines.iter().enumerate() {
            let q = l.quantity as u64;
            let sh = shipped[o][k];
            let bo = backordered
                .get(&(order.id.as_str(), k))
                .copied()
                .unwrap_or(0);
            if sh + bo != q {
                bad(
                    "coverage",
                    rec.clone(),
                    format!("line {k}: {sh} shipped + {bo} backordered != {q} ordered"),
                );
            }
            let missing = q.saturating_sub(sh);
            all_filled &= missing == 0;
            any_filled |= sh > 0;
            cost.unfilled += unfilled_penalty(s, o, k) * missing as f64;
        }
        cost.split += packages[o].saturating_sub(1) as f64 * s.policy.split_penalty;
        if order.ship_complete && (packages[o] > 1 || (any_filled && !all_filled)) {
            bad(
                "ship-complete",
                rec.clone(),
                format!("{} packages, filled all lines: {all_filled}", packages[o]),
            );
        }
        if let Some(m) = order.max_packages
            && packages[o] > m
        {
            bad(
                "max-packages",
                rec.clone(),
                format!("{} packages, at most {m} allowed", packages[o]),
            );
        }
    }
    let mut stock: Vec<_> = stock_used.into_iter().collect();
    stock.sort();
    for ((n, sku), used) in stock {
        let atp = s.atp(n, sku) as u64;
        if used > atp {
            bad(
                "stock",
                format!("node {} sku {}", s.nodes[n].id, s.skus[sku].id),
                format!("{used} units shipped, {atp} available to promise"),
            );
        }
    }
    for (n, node) in s.nodes.iter().enumerate() {
        if node.capacity_orders.is_some_and(|c| node_pk[n] > c as u64)
            || node
                .capacity_units
                .is_some_and(|c| node_units[n] > c as u64)
        {
            bad(
                "capacity",
                format!("node {}", node.id),
                format!(
                    "{} packages / {} units against capacity {:?} / {:?}",
                    node_pk[n], node_units[n], node.capacity_orders, node.capacity_units
                ),
            );
        }
    }
    cost.total = cost.shipping
        + cost.handling
        + cost.store_premium
        + cost.split
        + cost.lateness
        + cost.cross_market
        + cost.unfilled;
    let r = &plan.kpis.cost;
    let pairs = [
        ("shipping", r.shipping, cost.shipping),
        ("handling", r.handling, cost.handling),
        ("store_premium", r.store_premium, cost.store_premium),
        ("split", r.split, cost.split),
        ("lateness", r.lateness, cost.lateness),
        ("cross_market", r.cross_market, cost.cross_market),
        ("unfilled", r.unfilled, cost.unfilled),
        ("total", r.total, cost.total),
    ];
    for (name, reported, expected) in pairs {
        if !close(reported, expected) {
            bad(
                "cost",
                "kpis.cost".into(),
                format!("{name}: plan reports {reported}, the input gives {expected}"),
            );
        }
    }
    CheckReport {
        violations: out,
        recomputed: cost,
        shipments: plan.shipments.len(),
    }
}
