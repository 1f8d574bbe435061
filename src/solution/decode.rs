//! Decoding: any strategy's choice of packages and units becomes a plan with
//! shipments, backorders, per-order summaries and KPIs; and what such a
//! choice costs, for the strategies that compare plans before decoding one.

use crate::network::candidates::{Candidate, CandidateSet};
use crate::network::domain::{OrderIdx, Scenario, TRANSFER_SERVICE};
use crate::solution::assignment::Assignment;
use crate::solution::plan::*;

/// Re-exported where the strategies have always called it; defined with the
/// other gaps in [`crate::solution::gap`].
pub use crate::solution::gap::relative_gap;

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
    let mut t = Tally::new(s);
    // Shipments in candidate order: the plan does not depend on the order in
    // which a strategy listed its packages.
    let mut sorted: Vec<&Assignment> = assignments.iter().collect();
    sorted.sort_by_key(|a| a.candidate);
    let shipments: Vec<Shipment> = sorted
        .into_iter()
        .filter_map(|a| t.ship(s, cs, a))
        .collect();
    let counts = t.count_orders(s, cs);
    let cost = &mut t.cost;
    cost.total = cost.shipping
        + cost.handling
        + cost.store_premium
        + cost.split
        + cost.lateness
        + cost.cross_market
        + cost.unfilled;
    let kpis = kpis(s, &t, shipments.len(), &counts);
    record.objective = Some(t.cost.total);
    record.gap = record.best_bound.map(|b| relative_gap(t.cost.total, b));
    Plan {
        scenario: s.name.clone(),
        model: s.model_name.clone(),
        shipments,
        backorders: counts.backorders,
        orders: counts.orders,
        kpis,
        solve: record,
        files: Vec::new(),
    }
}

/// What the packages of a plan add up to, per order and per node.
struct Tally {
    /// Units shipped per order and line.
    shipped: Vec<Vec<u32>>,
    /// Packages per order.
    order_packages: Vec<u32>,
    /// Cost per order (packages first, then unfilled units and splits).
    order_cost: Vec<f64>,
    /// Some package of the order is late.
    order_late: Vec<bool>,
    /// Packages per node.
    node_packages: Vec<u32>,
    /// Units per node.
    node_units: Vec<u32>,
    /// The plan's cost by component.
    cost: CostBreakdown,
    /// Packages of orders with a promise.
    with_promise: usize,
    /// Those among them on time.
    on_time: usize,
}

/// What counting the orders gives besides costs.
struct OrderCounts {
    backorders: Vec<Backorder>,
    orders: Vec<OrderSummary>,
    units_ordered: u64,
    units_shipped: u64,
    /// Orders that could be split (two or more units, something shipped).
    split_base: usize,
    /// Those among them shipped in more than one package.
    split_count: usize,
}

impl Tally {
    fn new(s: &Scenario) -> Tally {
        Tally {
            shipped: s.orders.iter().map(|o| vec![0; o.lines.len()]).collect(),
            order_packages: vec![0; s.orders.len()],
            order_cost: vec![0.0; s.orders.len()],
            order_late: vec![false; s.orders.len()],
            node_packages: vec![0; s.nodes.len()],
            node_units: vec![0; s.nodes.len()],
            cost: CostBreakdown::default(),
            with_promise: 0,
            on_time: 0,
        }
    }

    /// The shipment of one package, counted in; `None` for a package
    /// without units (dropped: it only adds cost).
    fn ship(&mut self, s: &Scenario, cs: &CandidateSet, a: &Assignment) -> Option<Shipment> {
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
            self.shipped[c.order.index()][line] += q;
            units += q;
            items.push(Item {
                line,
                sku: s.skus[order.lines[line].sku].id.clone(),
                quantity: q,
            });
        }
        if items.is_empty() {
            return None;
        }
        items.sort_by_key(|i| i.line);
        sc.total = sc.shipping + sc.handling + sc.store_premium + sc.lateness + sc.cross_market;
        self.cost.shipping += sc.shipping;
        self.cost.handling += sc.handling;
        self.cost.store_premium += sc.store_premium;
        self.cost.lateness += sc.lateness;
        self.cost.cross_market += sc.cross_market;
        self.order_packages[c.order.index()] += 1;
        self.order_cost[c.order.index()] += sc.total;
        self.node_packages[c.node.index()] += 1;
        self.node_units[c.node.index()] += units;
        if order.promised.is_some() {
            self.with_promise += 1;
            if c.late_days == 0 {
                self.on_time += 1;
            } else {
                self.order_late[c.order.index()] = true;
            }
        }
        Some(Shipment {
            order: order.id.clone(),
            node: s.nodes[c.node].id.clone(),
            service: s.services[c.service].id.clone(),
            to_node: transfer_destination(s, c),
            items,
            ship_date: c.ship_date,
            delivery_date: c.delivery_date,
            promised_date: order.promised,
            late_days: c.late_days,
            zone: c.zone,
            miles: c.miles,
            cost: sc,
        })
    }

    /// Backorders and per-order summaries, once every package is counted;
    /// adds the unfilled units' penalties and the split penalties to the costs.
    fn count_orders(&mut self, s: &Scenario, cs: &CandidateSet) -> OrderCounts {
        let mut counts = OrderCounts {
            backorders: Vec::new(),
            orders: Vec::with_capacity(s.orders.len()),
            units_ordered: 0,
            units_shipped: 0,
            split_base: 0,
            split_count: 0,
        };
        for (o, order) in s.orders.iter().enumerate() {
            let mut ord_units = 0;
            let mut ord_shipped = 0;
            for (k, l) in order.lines.iter().enumerate() {
                let missing = l.quantity - self.shipped[o][k];
                ord_units += l.quantity;
                ord_shipped += self.shipped[o][k];
                if missing > 0 {
                    let pen = cs.unfilled_penalty[o][k];
                    self.cost.unfilled += pen * missing as f64;
                    self.order_cost[o] += pen * missing as f64;
                    counts.backorders.push(Backorder {
                        order: order.id.clone(),
                        line: k,
                        sku: s.skus[l.sku].id.clone(),
                        units: missing,
                        penalty_per_unit: pen,
                    });
                }
            }
            let packages = self.order_packages[o];
            let extra = split_cost(s, packages);
            self.cost.split += extra;
            self.order_cost[o] += extra;
            counts.units_ordered += ord_units as u64;
            counts.units_shipped += ord_shipped as u64;
            if ord_units >= 2 && ord_shipped > 0 {
                counts.split_base += 1;
                if packages > 1 {
                    counts.split_count += 1;
                }
            }
            counts.orders.push(OrderSummary {
                order: order.id.clone(),
                packages,
                units_ordered: ord_units,
                units_shipped: ord_shipped,
                on_time: (order.promised.is_some() && packages > 0).then_some(!self.order_late[o]),
                cost: self.order_cost[o],
            });
        }
        counts
    }
}

/// The plan's KPIs (metric definitions in `models/README.md`).
fn kpis(s: &Scenario, t: &Tally, packages: usize, counts: &OrderCounts) -> Kpis {
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    Kpis {
        cost: t.cost,
        orders: s.orders.len(),
        packages,
        packages_per_order: ratio(packages, s.orders.len()),
        split_rate: ratio(counts.split_count, counts.split_base),
        on_time_rate: (t.with_promise > 0).then(|| ratio(t.on_time, t.with_promise)),
        fill_rate: if counts.units_ordered == 0 {
            1.0
        } else {
            counts.units_shipped as f64 / counts.units_ordered as f64
        },
        node_utilisation: node_utilisation(s, t),
    }
}

/// Packages, units and the larger capacity share of every node that ships or
/// has a capacity.
fn node_utilisation(s: &Scenario, t: &Tally) -> Vec<NodeUse> {
    s.nodes
        .iter()
        .enumerate()
        .filter(|(n, node)| {
            t.node_packages[*n] > 0
                || node.capacity_orders.is_some()
                || node.capacity_units.is_some()
        })
        .map(|(n, node)| {
            let shares = [
                node.capacity_orders
                    .map(|c| t.node_packages[n] as f64 / c.max(1) as f64),
                node.capacity_units
                    .map(|c| t.node_units[n] as f64 / c.max(1) as f64),
            ];
            NodeUse {
                node: node.id.clone(),
                packages: t.node_packages[n],
                units: t.node_units[n],
                utilisation: shares.into_iter().flatten().reduce(f64::max),
            }
        })
        .collect()
}

// ---------------------------------------------------------------- costs
//
// What a strategy's packages cost, term by term as `models/README.md` has it:
// a package that carries units costs its package cost plus its units' costs;
// one without units is dropped and costs nothing; each order pays for its
// unfilled units and for its packages beyond the first. `plan_cost` and
// `order_cost` add up the same terms, each in its own fixed order (a plan's
// running sum over its packages, then over its orders; an order's over its
// packages, then its splits and unfilled units), which the strategies'
// comparisons and the reported neighbourhood costs depend on to the last bit.
// [`assemble`] computes the reported cost by component instead.

/// Whether a package counts: one without units is dropped from the plan.
/// The pickup store a transfer candidate goes to; `None` for any other service.
fn transfer_destination(s: &Scenario, c: &Candidate) -> Option<String> {
    if s.services[c.service].id != TRANSFER_SERVICE {
        return None;
    }
    s.orders[c.order].pickup_node.map(|p| s.nodes[p].id.clone())
}

fn carries_units(a: &Assignment) -> bool {
    a.units.iter().any(|&(_, q)| q > 0)
}

/// Cost of `q` units of `line` in candidate package `c`.
fn units_cost(c: &Candidate, line: usize, q: u32) -> f64 {
    c.lines[c.line_position(line)].cost.total() * q as f64
}

/// Penalty for the units of line `k` of order `o` that no package carries.
fn unfilled_cost(cs: &CandidateSet, o: OrderIdx, k: usize, missing: u32) -> f64 {
    cs.unfilled_of(o)[k] * missing as f64
}

/// Penalty for an order's packages beyond the first.
fn split_cost(s: &Scenario, packages: u32) -> f64 {
    packages.saturating_sub(1) as f64 * s.policy.split_penalty
}

/// Total cost of a strategy's packages (what [`assemble`] would report, up to
/// rounding): the sum of [`order_cost`] over the orders.
pub fn plan_cost(s: &Scenario, cs: &CandidateSet, assignments: &[Assignment]) -> f64 {
    let mut shipped: Vec<Vec<u32>> = s.orders.iter().map(|o| vec![0; o.lines.len()]).collect();
    let mut packages = vec![0u32; s.orders.len()];
    let mut cost = 0.0;
    for a in assignments.iter().filter(|a| carries_units(a)) {
        let c = &cs.candidates[a.candidate];
        for &(line, q) in a.units.iter().filter(|&&(_, q)| q > 0) {
            cost += units_cost(c, line, q);
            shipped[c.order.index()][line] += q;
        }
        cost += c.package.total();
        packages[c.order.index()] += 1;
    }
    for (o, order) in s.orders.iter().enumerate() {
        for (k, l) in order.lines.iter().enumerate() {
            cost += unfilled_cost(cs, OrderIdx::new(o), k, l.quantity - shipped[o][k]);
        }
        cost += split_cost(s, packages[o]);
    }
    cost
}

/// Cost of one order's packages (`plan` holds only packages of order `o`):
/// packages, units, splits and unfilled units.
pub fn order_cost(s: &Scenario, cs: &CandidateSet, o: OrderIdx, plan: &[Assignment]) -> f64 {
    let order = &s.orders[o];
    let mut shipped = vec![0u32; order.lines.len()];
    let mut packages = 0u32;
    let mut cost = 0.0;
    for a in plan.iter().filter(|a| carries_units(a)) {
        let c = &cs.candidates[a.candidate];
        cost += c.package.total();
        for &(line, q) in &a.units {
            cost += units_cost(c, line, q);
            shipped[line] += q;
        }
        packages += 1;
    }
    cost += split_cost(s, packages);
    for (k, l) in order.lines.iter().enumerate() {
        cost += unfilled_cost(cs, o, k, l.quantity - shipped[k]);
    }
    cost
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::settings::CandidateMode;
    use crate::network::candidates;
    use crate::network::lanes::Network;

    /// A shipped scenario, its candidates, and a plan that ships one unit of
    /// every line its first candidate offers, for each order.
    fn wave() -> (Scenario, CandidateSet, Vec<Assignment>) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("datasets/small/capacity-crunch.json");
        let (s, _) = crate::load_scenario(&path, "us-parcel", &[]).expect("valid scenario");
        let cs = candidates::generate(&s, &Network::build(&s), CandidateMode::Exact);
        let plan = (0..s.orders.len())
            .filter_map(|o| cs.by_order[o].clone().next())
            .map(|ci| Assignment {
                candidate: ci,
                units: cs.candidates[ci]
                    .lines
                    .iter()
                    .map(|l| (l.line, 1))
                    .collect(),
            })
            .collect();
        (s, cs, plan)
    }

    fn record() -> SolveRecord {
        SolveRecord::heuristic(crate::input::settings::Strategy::Auto, Default::default())
    }

    #[test]
    fn a_plan_costs_the_sum_of_its_orders_and_what_assemble_reports() {
        let (s, cs, plan) = wave();
        assert!(!plan.is_empty());
        let total = plan_cost(&s, &cs, &plan);
        let by_order: f64 = OrderIdx::all(s.orders.len())
            .map(|o| {
                let mine: Vec<Assignment> = plan
                    .iter()
                    .filter(|a| cs.candidates[a.candidate].order == o)
                    .cloned()
                    .collect();
                order_cost(&s, &cs, o, &mine)
            })
            .sum();
        let reported = assemble(&s, &cs, &plan, record()).kpis.cost.total;
        assert!((total - by_order).abs() <= 1e-9 * total.abs().max(1.0));
        assert!((total - reported).abs() <= 1e-9 * total.abs().max(1.0));
    }

    #[test]
    fn a_package_without_units_costs_nothing_and_is_dropped() {
        let (s, cs, plan) = wave();
        let a = &plan[0];
        let o = cs.candidates[a.candidate].order;
        let spare = cs.range_of(o).find(|&ci| ci != a.candidate);
        let Some(spare) = spare else {
            panic!("the first order has a second candidate");
        };
        let empty = Assignment {
            candidate: spare,
            units: cs.candidates[spare]
                .lines
                .iter()
                .map(|l| (l.line, 0))
                .collect(),
        };
        let with_empty: Vec<Assignment> = plan.iter().cloned().chain([empty.clone()]).collect();
        assert_eq!(
            plan_cost(&s, &cs, &with_empty).to_bits(),
            plan_cost(&s, &cs, &plan).to_bits()
        );
        assert_eq!(
            order_cost(&s, &cs, o, &[a.clone(), empty]).to_bits(),
            order_cost(&s, &cs, o, std::slice::from_ref(a)).to_bits()
        );
        let assembled = assemble(&s, &cs, &with_empty, record());
        assert_eq!(assembled.shipments.len(), plan.len());
    }
}
