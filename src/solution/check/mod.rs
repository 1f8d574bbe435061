//! The independent checker: recomputes every number a plan reports from the
//! input alone and says where the plan disagrees.
//!
//! - [`input`] reads the scenario's wire records and the cost model with the
//!   checker's own code: availability, promised dates, the policy merge. It
//!   does not use the loader's domain, `calendar`, `network` or `candidates`.
//! - [`dates`] has the date rules (business days, open days, ship dates,
//!   lateness) and [`costs`] the distances, zones and every cost of a package
//!   and a unit, from that reading.
//! - this module checks feasibility (stock, capacity, coverage, order rules)
//!   and each shipment's dates, miles, zone and cost;
//! - [`report`] checks the backorders, per-order summaries, KPIs and the solve
//!   record (objective, bound, gap, status);
//! - [`files`] checks that the CSV files of a plan folder say what `plan.json` says.

pub mod costs;
pub mod dates;
pub mod files;
pub mod input;
pub mod model;
pub mod report;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::Serialize;

pub use input::Input;

use costs::Lane;
use input::COrder;

use crate::error::DomoptError;
use crate::network::domain::Scenario;
use crate::solution::plan::{CostBreakdown, Plan, Shipment};

/// One thing wrong with a plan.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Violation {
    /// What kind: `unknown-id`, `not-offered`, `market`, `dates`, `miles`,
    /// `no-ship-date`, `no-delivery-date`, `holiday`, `service`, `items`, `stock`, `capacity`, `coverage`,
    /// `one-service-per-node`, `ship-complete`, `max-packages`, `pickup`, `transfer`,
    /// `cost`, `backorder`, `summary`, `kpi`, `solve`, `file`.
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
pub(crate) fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 + 1e-9 * a.abs().max(b.abs())
}

/// Collects violations.
#[derive(Default)]
pub(crate) struct Findings(pub Vec<Violation>);

impl Findings {
    pub(crate) fn add(&mut self, kind: &'static str, record: impl Into<String>, message: String) {
        self.0.push(Violation {
            kind,
            record: record.into(),
            message,
        });
    }
}

/// What the checker derived from the shipments, for the summaries and KPIs.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    /// Units shipped per order and line.
    pub shipped: Vec<Vec<u64>>,
    /// Packages per order.
    pub packages: Vec<u64>,
    /// Cost of each order's packages.
    pub order_cost: Vec<f64>,
    /// Some package of the order is late.
    pub order_late: Vec<bool>,
    /// Packages and units per node.
    pub node_packages: Vec<u64>,
    /// Units per node.
    pub node_units: Vec<u64>,
    /// Packages of orders with a promise, and those on time.
    pub with_promise: u64,
    /// On time among them.
    pub on_time: u64,
    /// The cost by component (shipments only until the orders are counted).
    pub cost: CostBreakdown,
}

/// Checks a plan against a scenario already loaded (for callers that built
/// it in memory). Availability, promises and locations are the loader's
/// here; [`check_files`] reads them from the input itself.
pub fn check(s: &Scenario, plan: &Plan) -> CheckReport {
    check_input(&Input::from_scenario(s), plan)
}

/// Checks the plan at `plan_path` (plan.json, or the folder `solve --out`
/// wrote: then its CSV files too) against the scenario at `scenario` under
/// cost model `model` and `--set` overrides, reading the input with the
/// checker's own code. The tables beside `plan.json` must also match its
/// manifest. Returns the report (manifest mismatches included, of kind
/// `file`), the plan, and what the manifest check covered.
pub fn check_files(
    scenario: &Path,
    model: &str,
    overrides: &[String],
    plan_path: &Path,
) -> Result<(CheckReport, Plan, crate::solution::plan_dir::FilesReport), DomoptError> {
    let input = Input::read(scenario, model, overrides)?;
    let plan = Plan::read(plan_path)?;
    let mut report = check_input(&input, &plan);
    if plan_path.is_dir() {
        report
            .violations
            .extend(files::check_dir(plan_path, &plan)?);
    }
    // The manifest: every table beside plan.json has the size and hash it lists.
    let manifest = crate::solution::plan_dir::verify_files(plan_path, &plan);
    report
        .violations
        .extend(manifest.problems.iter().map(|p| Violation {
            kind: "file",
            record: p.name().to_string(),
            message: p.to_string(),
        }));
    Ok((report, plan, manifest))
}

/// Checks a plan against the checker's reading of the input: each shipment,
/// then each order, then stock and capacity, then the derived parts and the
/// solve record (findings in that order).
pub fn check_input(inp: &Input, plan: &Plan) -> CheckReport {
    let mut bad = Findings::default();
    let mut t = Tally::new(inp);
    let mut drawn = Drawn::new(inp);
    for (p, sh) in plan.shipments.iter().enumerate() {
        check_shipment(inp, p, sh, &mut t, &mut drawn, &mut bad);
    }
    check_orders(inp, plan, &mut t, &mut bad);
    check_stock(inp, drawn.stock, &mut bad);
    check_capacity(inp, &t, &mut bad);
    let c = &mut t.cost;
    c.total = c.shipping
        + c.handling
        + c.store_premium
        + c.split
        + c.lateness
        + c.cross_market
        + c.unfilled;
    report::backorders(inp, plan, &t, &mut bad);
    report::summaries(inp, plan, &t, &mut bad);
    report::kpis(inp, plan, &t, &mut bad);
    report::solve_record(plan, &t, &mut bad);
    CheckReport {
        violations: bad.0,
        recomputed: t.cost,
        shipments: plan.shipments.len(),
    }
}

impl Tally {
    /// Nothing shipped yet.
    fn new(inp: &Input) -> Tally {
        Tally {
            shipped: inp.orders.iter().map(|o| vec![0; o.lines.len()]).collect(),
            packages: vec![0; inp.orders.len()],
            order_cost: vec![0.0; inp.orders.len()],
            order_late: vec![false; inp.orders.len()],
            node_packages: vec![0; inp.nodes.len()],
            node_units: vec![0; inp.nodes.len()],
            ..Default::default()
        }
    }
}

/// What the shipments draw on besides the tally: the nodes each order ships
/// from (one service per node) and the units per node and SKU.
struct Drawn {
    nodes_used: Vec<HashSet<usize>>,
    stock: HashMap<(usize, usize), u64>,
}

impl Drawn {
    fn new(inp: &Input) -> Drawn {
        Drawn {
            nodes_used: vec![HashSet::new(); inp.orders.len()],
            stock: HashMap::new(),
        }
    }
}

/// One shipment: its ids, its lane (dates, miles, zone), one service per
/// node, its items and its cost; counts it into the tally.
fn check_shipment(
    inp: &Input,
    p: usize,
    sh: &Shipment,
    t: &mut Tally,
    drawn: &mut Drawn,
    bad: &mut Findings,
) {
    let rec = format!("order {} shipment {p}", sh.order);
    let (Some(&o), Some(&n), Some(&v)) = (
        inp.order_ix.get(&sh.order),
        inp.node_ix.get(&sh.node),
        inp.service_ix.get(&sh.service),
    ) else {
        bad.add(
            "unknown-id",
            rec,
            format!(
                "order `{}`, node `{}` or service `{}` is not in the scenario",
                sh.order, sh.node, sh.service
            ),
        );
        return;
    };
    let l = match costs::lane(inp, o, n, v) {
        Ok(l) => l,
        Err(refusal) => {
            bad.add(refusal.kind, rec, refusal.detail);
            return;
        }
    };
    check_lane(&inp.orders[o], sh, &l, &rec, bad);
    check_destination(inp, o, v, sh, &rec, bad);
    if !drawn.nodes_used[o].insert(n) {
        bad.add(
            "one-service-per-node",
            rec.clone(),
            format!("second package from `{}`", sh.node),
        );
    }
    if sh.items.is_empty() {
        bad.add("items", rec.clone(), "empty package".into());
    }
    count_package(inp, o, n, &l, t);
    let at = Package {
        o,
        n,
        v,
        sh,
        lane: &l,
        rec: &rec,
    };
    let sc = check_items(inp, &at, t, drawn, bad);
    check_shipment_cost(sh, o, sc, rec, t, bad);
}

/// A shipment whose ids and lane are known: order `o` from node `n` by
/// service `v`.
struct Package<'a> {
    o: usize,
    n: usize,
    v: usize,
    sh: &'a Shipment,
    lane: &'a Lane,
    /// How findings name the shipment.
    rec: &'a str,
}

/// The shipment's dates, lateness, zone, promise and miles are the lane's.
fn check_lane(order: &COrder, sh: &Shipment, l: &Lane, rec: &str, bad: &mut Findings) {
    if (
        sh.ship_date,
        sh.delivery_date,
        sh.late_days,
        sh.zone,
        sh.promised_date,
    ) != (l.ship, l.delivery, l.late, l.zone, order.promised)
    {
        bad.add(
            "dates",
            rec,
            format!(
                "plan says ship {} arrive {} late {} zone {} promised {:?}, input gives {} {} {} {} {:?}",
                sh.ship_date,
                sh.delivery_date,
                sh.late_days,
                sh.zone,
                sh.promised_date,
                l.ship,
                l.delivery,
                l.late,
                l.zone,
                order.promised
            ),
        );
    }
    if !(sh.miles - l.miles).abs().le(&(1e-6 * l.miles.max(1.0))) {
        bad.add(
            "miles",
            rec,
            format!("plan says {} miles, input gives {}", sh.miles, l.miles),
        );
    }
}

/// A store transfer names the order's pickup store as its `to_node`; no
/// other shipment names one.
fn check_destination(inp: &Input, o: usize, v: usize, sh: &Shipment, rec: &str, bad: &mut Findings) {
    let transfer = inp.services[v].id == crate::network::domain::TRANSFER_SERVICE;
    let store = inp.orders[o].pickup_node.map(|p| inp.nodes[p].id.as_str());
    let expected = if transfer { store } else { None };
    if sh.to_node.as_deref() != expected {
        bad.add(
            "transfer",
            rec,
            format!(
                "plan sends it to {:?}, input gives {:?}",
                sh.to_node, expected
            ),
        );
    }
}

/// Counts one package of order `o` at node `n`, on time or late.
fn count_package(inp: &Input, o: usize, n: usize, l: &Lane, t: &mut Tally) {
    t.packages[o] += 1;
    t.node_packages[n] += 1;
    if inp.orders[o].promised.is_some() {
        t.with_promise += 1;
        if l.late == 0 {
            t.on_time += 1;
        } else {
            t.order_late[o] = true;
        }
    }
}

/// Each item names a line of the order once, with its SKU and some units,
/// offered at the node; counts the units. Returns the package's cost by
/// component: shipping, handling, store premium, lateness, cross-market.
fn check_items(
    inp: &Input,
    at: &Package,
    t: &mut Tally,
    drawn: &mut Drawn,
    bad: &mut Findings,
) -> [f64; 5] {
    let &Package {
        o,
        n,
        v,
        sh,
        lane: l,
        rec,
    } = at;
    let order = &inp.orders[o];
    let mut sc = [l.package[0], l.package[1], 0.0, l.package[2], l.package[3]];
    let mut lines_seen = HashSet::new();
    for it in &sh.items {
        let Some(line) = order.lines.get(it.line) else {
            bad.add("items", rec, format!("line {} does not exist", it.line));
            continue;
        };
        if inp.sku_ids[line.sku] != it.sku || it.quantity == 0 || !lines_seen.insert(it.line) {
            bad.add(
                "items",
                rec,
                format!(
                    "line {} item `{}` x{} does not match the order",
                    it.line, it.sku, it.quantity
                ),
            );
            continue;
        }
        let q = u64::from(it.quantity);
        t.shipped[o][it.line] += q;
        *drawn.stock.entry((n, line.sku)).or_default() += q;
        t.node_units[n] += q;
        let Some(u) = costs::unit(inp, o, n, v, it.line, l) else {
            bad.add(
                "not-offered",
                rec,
                format!("no unit cost for line {} at `{}`", it.line, sh.node),
            );
            continue;
        };
        for k in 0..3 {
            sc[k] += u[k] * q as f64;
        }
    }
    sc
}

/// The shipment's reported cost is the input's, component by component; adds
/// it to the order's and the plan's costs.
fn check_shipment_cost(
    sh: &Shipment,
    o: usize,
    sc: [f64; 5],
    rec: String,
    t: &mut Tally,
    bad: &mut Findings,
) {
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
        bad.add(
            "cost",
            rec,
            format!("shipment cost {reported:?} but the input gives {expected:?}"),
        );
    }
    t.order_cost[o] += total;
    t.cost.shipping += sc[0];
    t.cost.handling += sc[1];
    t.cost.store_premium += sc[2];
    t.cost.lateness += sc[3];
    t.cost.cross_market += sc[4];
}

/// Coverage (shipped plus backordered is ordered) and the order rules
/// (ship-complete, max packages); adds unfilled and split penalties.
fn check_orders(inp: &Input, plan: &Plan, t: &mut Tally, bad: &mut Findings) {
    let mut backordered: HashMap<(&str, usize), u64> = HashMap::new();
    for b in &plan.backorders {
        *backordered.entry((b.order.as_str(), b.line)).or_default() += u64::from(b.units);
    }
    for (o, order) in inp.orders.iter().enumerate() {
        let rec = format!("order {}", order.id);
        let mut all_filled = true;
        let mut any_filled = false;
        for (k, l) in order.lines.iter().enumerate() {
            let sh = t.shipped[o][k];
            let bo = backordered
                .get(&(order.id.as_str(), k))
                .copied()
                .unwrap_or(0);
            if sh + bo != l.quantity {
                bad.add(
                    "coverage",
                    rec.clone(),
                    format!(
                        "line {k}: {sh} shipped + {bo} backordered != {} ordered",
                        l.quantity
                    ),
                );
            }
            let missing = l.quantity.saturating_sub(sh);
            all_filled &= missing == 0;
            any_filled |= sh > 0;
            let pen = costs::unfilled_penalty(inp, o, k) * missing as f64;
            t.cost.unfilled += pen;
            t.order_cost[o] += pen;
        }
        let split = t.packages[o].saturating_sub(1) as f64 * inp.policy.split;
        t.cost.split += split;
        t.order_cost[o] += split;
        if order.ship_complete && (t.packages[o] > 1 || (any_filled && !all_filled)) {
            bad.add(
                "ship-complete",
                rec.clone(),
                format!("{} packages, filled all lines: {all_filled}", t.packages[o]),
            );
        }
        if let Some(m) = order.max_packages
            && t.packages[o] > m
        {
            bad.add(
                "max-packages",
                rec.clone(),
                format!("{} packages, at most {m} allowed", t.packages[o]),
            );
        }
    }
}

/// No node ships more of a SKU than it has available to promise (findings
/// by node, then SKU).
fn check_stock(inp: &Input, stock_used: HashMap<(usize, usize), u64>, bad: &mut Findings) {
    let mut stock: Vec<_> = stock_used.into_iter().collect();
    stock.sort();
    for ((n, sku), used) in stock {
        let atp = inp.atp(n, sku);
        if used > atp {
            bad.add(
                "stock",
                format!("node {} sku {}", inp.nodes[n].id, inp.sku_ids[sku]),
                format!("{used} units shipped, {atp} available to promise"),
            );
        }
    }
}

/// No node ships more packages or units than its capacity.
fn check_capacity(inp: &Input, t: &Tally, bad: &mut Findings) {
    for (n, node) in inp.nodes.iter().enumerate() {
        if node.cap_packages.is_some_and(|c| t.node_packages[n] > c)
            || node.cap_units.is_some_and(|c| t.node_units[n] > c)
        {
            bad.add(
                "capacity",
                format!("node {}", node.id),
                format!(
                    "{} packages / {} units against capacity {:?} / {:?}",
                    t.node_packages[n], t.node_units[n], node.cap_packages, node.cap_units
                ),
            );
        }
    }
}

/// The shipments of `previous` named in `fixed` (order, node: picked or
/// shipped) that `plan` does not carry as they were: same order, node,
/// service and items. A re-plan must leave them alone.
pub fn fixed_shipments(previous: &Plan, plan: &Plan, fixed: &[(String, String)]) -> Vec<Violation> {
    let mut out = Vec::new();
    for (order, node) in fixed {
        let Some(was) = previous.shipments.iter().find(|s| &s.order == order && &s.node == node) else {
            continue;
        };
        let same = plan.shipments.iter().any(|s| {
            s.order == was.order && s.node == was.node && s.service == was.service && s.items == was.items
        });
        if !same {
            out.push(Violation {
                kind: "fixed",
                record: format!("order {order}"),
                message: format!("its picked or shipped package from {node} by {} moved or changed", was.service),
            });
        }
    }
    out
}
