//! Decoding: any strategy's choice of packages and units becomes a plan with
//! shipments, backorders, per-order summaries and KPIs.

use crate::network::candidates::CandidateSet;
use crate::network::domain::Scenario;
use crate::solution::plan::*;

/// Units a strategy puts in one candidate package.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// Index into [`CandidateSet::candidates`].
    pub candidate: usize,
    /// (line index, units) pairs.
    pub units: Vec<(usize, u32)>,
}

impl Assignment {
    /// One package carrying every line of `order` in full.
    pub fn whole_order(candidate: usize, order: &crate::network::domain::Order) -> Assignment {
        Assignment {
            candidate,
            units: order
                .lines
                .iter()
                .enumerate()
                .map(|(k, l)| (k, l.quantity))
                .collect(),
        }
    }
}

/// Builds the plan. Packages without units are dropped. `record.objective` is
/// set to the plan's cost (whatever a solver reported for another plan) and
/// `record.gap` from it and `record.best_bound`: the one place where the
/// record learns what the plan costs.
pub fn assemble(
    s: &Scenario,
    cs: &CandidateSet,
    assignments: &[Assignment],
    mut record: SolveRecord,
) -> Plan {
    let mut shipped: Vec<Vec<u32>> = s.orders.iter().map(|o| vec![0; o.lines.len()]).collect();
    let mut order_packages = vec![0u32; s.orders.len()];
    let mut order_cost = vec![0.0f64; s.orders.len()];
    let mut order_late = vec![false; s.orders.len()];
    let mut node_packages = vec![0u32; s.nodes.len()];
    let mut node_units = vec![0u32; s.nodes.len()];
    let mut cost = CostBreakdown::default();
    let mut shipments = Vec::new();
    let (mut with_promise, mut on_time) = (0usize, 0usize);

    let mut sorted: Vec<&Assignment> = assignments.iter().collect();
    sorted.sort_by_key(|a| a.candidate);
    for a in sorted {
        let c = &cs.candidates[a.candidate];
        let order = &s.orders[c.order];
        let mut items = Vec::new();
        let mut sc = ShipmentCost {
            shipping: c.package.shipping,
            handling: c.package.handling,
            lateness: c.package.lateness,
            cross_market: c.package.cross_market,
            ..Default::default()
        };
        let mut units = 0;
        for &(line, q) in &a.units {
            if q == 0 {
                continue;
            }
            let cl = &c.lines[c.line_position(line)];
            sc.shipping += cl.cost.shipping * q as f64;
            sc.handling += cl.cost.handling * q as f64;
            sc.store_premium += cl.cost.store_premium * q as f64;
            shipped[c.order][line] += q;
            units += q;
            items.push(Item {
                line,
                sku: s.skus[order.lines[line].sku].id.clone(),
                quantity: q,
            });
        }
        if items.is_empty() {
            continue;
        }
        items.sort_by_key(|i| i.line);
        sc.total = sc.shipping + sc.handling + sc.store_premium + sc.lateness + sc.cross_market;
        cost.shipping += sc.shipping;
        cost.handling += sc.handling;
        cost.store_premium += sc.store_premium;
        cost.lateness += sc.lateness;
        cost.cross_market += sc.cross_market;
        order_packages[c.order] += 1;
        order_cost[c.order] += sc.total;
        node_packages[c.node] += 1;
        node_units[c.node] += units;
        if order.promised.is_some() {
            with_promise += 1;
            if c.late_days == 0 {
                on_time += 1;
            } else {
                order_late[c.order] = true;
            }
        }
        shipments.push(Shipment {
            order: order.id.clone(),
            node: s.nodes[c.node].id.clone(),
            service: s.services[c.service].id.clone(),
            items,
            ship_date: c.ship_date,
            delivery_date: c.delivery_date,
            promised_date: order.promised,
            late_days: c.late_days,
            zone: c.zone,
            miles: c.miles,
            cost: sc,
        });
    }

    let mut backorders = Vec::new();
    let mut orders = Vec::with_capacity(s.orders.len());
    let (mut units_ordered, mut units_shipped) = (0u64, 0u64);
    let (mut split_base, mut split_count) = (0usize, 0usize);
    for (o, order) in s.orders.iter().enumerate() {
        let mut ord_units = 0;
        let mut ord_shipped = 0;
        for (k, l) in order.lines.iter().enumerate() {
            let missing = l.quantity - shipped[o][k];
            ord_units += l.quantity;
            ord_shipped += shipped[o][k];
            if missing > 0 {
                let pen = cs.unfilled_penalty[o][k];
                cost.unfilled += pen * missing as f64;
                order_cost[o] += pen * missing as f64;
                backorders.push(Backorder {
                    order: order.id.clone(),
                    line: k,
                    sku: s.skus[l.sku].id.clone(),
                    units: missing,
                    penalty_per_unit: pen,
                });
            }
        }
        let extra = order_packages[o].saturating_sub(1) as f64 * s.policy.split_penalty;
        cost.split += extra;
        order_cost[o] += extra;
        units_ordered += ord_units as u64;
        units_shipped += ord_shipped as u64;
        if ord_units >= 2 && ord_shipped > 0 {
            split_base += 1;
            if order_packages[o] > 1 {
                split_count += 1;
            }
        }
        orders.push(OrderSummary {
            order: order.id.clone(),
            packages: order_packages[o],
            units_ordered: ord_units,
            units_shipped: ord_shipped,
            on_time: (order.promised.is_some() && order_packages[o] > 0).then_some(!order_late[o]),
            cost: order_cost[o],
        });
    }
    cost.total = cost.shipping
        + cost.handling
        + cost.store_premium
        + cost.split
        + cost.lateness
        + cost.cross_market
        + cost.unfilled;

    let node_utilisation = s
        .nodes
        .iter()
        .enumerate()
        .filter(|(n, node)| {
            node_packages[*n] > 0 || node.capacity_orders.is_some() || node.capacity_units.is_some()
        })
        .map(|(n, node)| {
            let shares = [
                node.capacity_orders
                    .map(|c| node_packages[n] as f64 / c.max(1) as f64),
                node.capacity_units
                    .map(|c| node_units[n] as f64 / c.max(1) as f64),
            ];
            NodeUse {
                node: node.id.clone(),
                packages: node_packages[n],
                units: node_units[n],
                utilisation: shares.into_iter().flatten().reduce(f64::max),
            }
        })
        .collect();

    let packages = shipments.len();
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let kpis = Kpis {
        cost,
        orders: s.orders.len(),
        packages,
        packages_per_order: ratio(packages, s.orders.len()),
        split_rate: ratio(split_count, split_base),
        on_time_rate: (with_promise > 0).then(|| ratio(on_time, with_promise)),
        fill_rate: if units_ordered == 0 {
            1.0
        } else {
            units_shipped as f64 / units_ordered as f64
        },
        node_utilisation,
    };
    record.objective = Some(cost.total);
    record.gap = record.best_bound.map(|b| relative_gap(cost.total, b));
    Plan {
        scenario: s.name.clone(),
        model: s.model_name.clone(),
        shipments,
        backorders,
        orders,
        kpis,
        solve: record,
        files: Vec::new(),
    }
}

/// (cost - bound) / |cost|, zero when both are zero, never negative.
pub fn relative_gap(cost: f64, bound: f64) -> f64 {
    let diff = (cost - bound).max(0.0);
    if diff <= 1e-9 {
        0.0
    } else {
        diff / cost.abs().max(1e-9)
    }
}

/// Total cost of a strategy's packages (what [`assemble`] would report).
pub fn plan_cost(s: &Scenario, cs: &CandidateSet, assignments: &[Assignment]) -> f64 {
    let mut shipped: Vec<Vec<u32>> = s.orders.iter().map(|o| vec![0; o.lines.len()]).collect();
    let mut packages = vec![0u32; s.orders.len()];
    let mut cost = 0.0;
    for a in assignments {
        let c = &cs.candidates[a.candidate];
        let mut any = false;
        for &(line, q) in &a.units {
            if q == 0 {
                continue;
            }
            any = true;
            let cl = &c.lines[c.line_position(line)];
            cost += cl.cost.total() * q as f64;
            shipped[c.order][line] += q;
        }
        if any {
            cost += c.package.total();
            packages[c.order] += 1;
        }
    }
    for (o, order) in s.orders.iter().enumerate() {
        for (k, l) in order.lines.iter().enumerate() {
            cost += cs.unfilled_penalty[o][k] * (l.quantity - shipped[o][k]) as f64;
        }
        cost += packages[o].saturating_sub(1) as f64 * s.policy.split_penalty;
    }
    cost
}

/// Cost of one order's packages: packages, units, splits and unfilled units.
pub fn order_cost(s: &Scenario, cs: &CandidateSet, o: usize, plan: &[Assignment]) -> f64 {
    let order = &s.orders[o];
    let mut shipped = vec![0u32; order.lines.len()];
    let mut cost = 0.0;
    for a in plan {
        let c = &cs.candidates[a.candidate];
        cost += c.package.total();
        for &(line, q) in &a.units {
            let cl = &c.lines[c.line_position(line)];
            cost += cl.cost.total() * q as f64;
            shipped[line] += q;
        }
    }
    cost += plan.len().saturating_sub(1) as f64 * s.policy.split_penalty;
    for (k, l) in order.lines.iter().enumerate() {
        cost += cs.unfilled_penalty[o][k] * (l.quantity - shipped[k]) as f64;
    }
    cost
}
