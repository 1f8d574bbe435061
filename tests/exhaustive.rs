//! The MIP optimum against brute force on tiny waves.
//!
//! Every assignment of every ordered unit to a (node, service) pair, or to
//! "unfilled", is enumerated over all nodes and all services of the scenario.
//! Each assignment becomes a plan whose dates come from `calendar` and whose
//! zones come from `geo`; the independent checker decides whether it is
//! feasible and what it costs. Nothing here uses the candidate, formulation or
//! decoding code, so the cheapest feasible plan found this way is the true
//! optimum of the model, and the MIP must reach it.
//!
//! The units of one line are interchangeable, so a line of `q` units takes every
//! multiset of `q` choices: a line can be split across nodes and services in any
//! way. Choices are discarded early only when the checker itself rejects them for
//! a reason that no completion could repair: a shipment that is not allowed at
//! all (service not offered, wrong market, pickup or transfer rules, no ship
//! date, holiday),
//! more stock or capacity than exists (adding shipments only uses more), or an
//! order rule (one service per node, ship-complete, max packages) broken by the
//! order's own complete assignment.

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::{Days, NaiveDate};
use domopt::domain::{NodeIdx, NodeService, Scenario, ServiceIdx, TRANSFER_SERVICE};
use domopt::format::{
    HolidayDeadlineRecord, InventoryRecord, LineRecord, NodeRecord, NodeServiceRecord, OrderRecord,
    PolicyOverrides, ScenarioFile, ServiceRecord, SkuRecord, TransferLaneRecord,
};
use domopt::network::calendar;
use domopt::network::geo;
use domopt::network::transfers;
use domopt::plan::{Backorder, Item, Plan, Shipment, ShipmentCost};
use domopt::solution::check::{self, CheckReport};
use domopt::sourcing::{self, Strategy};
use domopt::{CandidateMode, Settings};

use crate::common;
use common::{build, compact_json, panic_message};

/// Instances to prove.
const INSTANCES: usize = 400;
/// Most complete plans an instance may need to enumerate (bigger draws are redrawn).
const MAX_PLANS: u64 = 50_000;
/// Master seed of the instance generator.
const SEED: u64 = 0x5EED_D0D0_2026_0001;

const ZIPS: &[&str] = &[
    "10001", "60614", "90012", "77002", "30303", "98101", "02108", "07030", "60611",
];

/// A tiny xorshift64* generator: deterministic and dependency-free.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
    /// A multiple of `step` in `[0, max]`.
    fn money(&mut self, max: f64, step: f64) -> f64 {
        self.below((max / step) as u64 + 1) as f64 * step
    }
}

/// A random tiny wave: 2-3 orders of 1-2 lines (sometimes of the same SKU) of
/// 1-2 units, 2-3 nodes offering the carrier services `ground` and/or
/// `two_day`, ample, spread-thin or scarce stock, and sometimes capacities,
/// ship-complete, max packages, promises, pickup, a second market, low line
/// penalties and the twice-worst unfilled rule.
fn tiny_instance(rng: &mut Rng, name: &str) -> ScenarioFile {
    // 2026-12-01 is a Tuesday, 2026-12-04 a Friday, 2026-12-05 a Saturday.
    let wave = *rng.pick(&[
        "2026-12-01T09:00",
        "2026-12-02T15:00",
        "2026-12-04T15:30",
        "2026-12-05T10:00",
    ]);
    let wave_date = NaiveDate::parse_from_str(&wave[..10], "%Y-%m-%d").unwrap();
    let two_markets = rng.chance(0.15);

    let n_skus = rng.range(1, 2) as usize;
    let skus: Vec<SkuRecord> = (0..n_skus)
        .map(|k| SkuRecord {
            id: format!("S{k}"),
            weight_lb: *rng.pick(&[0.5, 1.0, 2.5, 6.0, 12.0]),
            dims_in: None,
            price: None,
            ship_alone: false,
            hazmat: false,
            returnable: None,
        })
        .collect();

    // Sometimes a scenario-defined service: priced per mile and per pound,
    // picking up on Saturdays too, with a holiday ship-by around the wave.
    let custom = rng.chance(0.35).then(|| regional_service(rng, wave_date));
    let offered: &[&str] = if custom.is_some() {
        &["ground", "two_day", "overnight", "regional"]
    } else {
        &["ground", "two_day", "overnight"]
    };

    let n_nodes = rng.range(2, 3) as usize;
    let mut nodes = Vec::new();
    for k in 0..n_nodes {
        let mut services = Vec::new();
        // One or two services per node, so that instances stay enumerable.
        let first = rng.below(offered.len() as u64) as usize;
        let second = rng
            .chance(0.5)
            .then(|| rng.below(offered.len() as u64) as usize);
        for (j, id) in offered.iter().enumerate() {
            if j == first || second == Some(j) {
                services.push(NodeServiceRecord {
                    service: id.to_string(),
                    cutoff: match rng.below(3) {
                        0 => None,
                        1 => Some("14:00".into()),
                        _ => Some("16:00".into()),
                    },
                });
            }
        }
        let pickup = rng.chance(0.25);
        nodes.push(NodeRecord {
            id: format!("N{k}"),
            kind: rng.pick(&["dc", "store", "3pl", "supplier"]).to_string(),
            zip: Some(rng.pick(ZIPS).to_string()),
            lat: None,
            lon: None,
            market: (two_markets && k == 0).then(|| "CA".to_string()),
            capabilities: pickup.then(|| vec!["ship_to_home".into(), "pickup".into()]),
            handling_per_package: Some(rng.money(2.0, 0.5)),
            handling_per_unit: Some(rng.money(1.0, 0.25)),
            capacity_orders: rng.chance(0.2).then(|| rng.range(0, 4).min(2) as f64),
            capacity_units: rng.chance(0.2).then(|| rng.range(1, 3) as f64),
            services,
            processing_days: rng.chance(0.2).then_some(1.0),
            closed_weekdays: if rng.chance(0.3) {
                vec!["Sat".into(), "Sun".into()]
            } else {
                vec![]
            },
            closed_dates: if rng.chance(0.15) {
                vec![(wave_date + Days::new(rng.range(0, 2))).to_string()]
            } else {
                vec![]
            },
            rank: None,
            time_zone: None,
        });
    }

    // A third of the waves have stock to spare; a third have one unit of
    // everything everywhere (so a two-unit line must split or stay short);
    // the rest are short here and there, partly through reserved and safety stock.
    let mode = rng.below(3);
    let mut inventory = Vec::new();
    for node in &nodes {
        for sku in &skus {
            let (on_hand, reserved, safety) = match mode {
                0 => (rng.range(3, 6), None, None),
                1 => (1, None, None),
                _ => {
                    if rng.chance(0.2) {
                        continue;
                    }
                    let on_hand = rng.range(0, 3);
                    (
                        on_hand,
                        rng.chance(0.3).then(|| rng.range(0, on_hand)),
                        rng.chance(0.2).then_some(1),
                    )
                }
            };
            // Inbound counts only once arrived by the wave's date.
            let inbound = rng.chance(0.2).then(|| {
                let when = if rng.chance(0.5) {
                    wave_date - Days::new(1)
                } else {
                    wave_date + Days::new(1)
                };
                (rng.range(1, 2) as f64, when.to_string())
            });
            inventory.push(InventoryRecord {
                node: node.id.clone(),
                sku: sku.id.clone(),
                on_hand: on_hand as f64,
                reserved: reserved.map(|r| r as f64),
                safety_stock: safety.map(|r| r as f64),
                inbound_quantity: inbound.as_ref().map(|i| i.0),
                inbound_date: inbound.map(|i| i.1),
            });
        }
    }

    let pickup_nodes: Vec<String> = nodes
        .iter()
        .filter(|n| n.capabilities.is_some())
        .map(|n| n.id.clone())
        .collect();
    let n_orders = rng.range(2, 3) as usize;
    let mut orders = Vec::new();
    for k in 0..n_orders {
        let n_lines = rng.range(1, 2) as usize;
        let lines = (0..n_lines)
            .map(|_| LineRecord {
                sku: rng.pick(&skus).id.clone(),
                quantity: if rng.chance(0.1) {
                    3.0
                } else {
                    rng.range(1, 2) as f64
                },
                unfilled_penalty: rng.chance(0.15).then(|| rng.range(2, 12) as f64 * 5.0),
            })
            .collect();
        // A promise as a date, as a service level of the policy, or none.
        let (promised, level) = match rng.below(5) {
            0..=1 => (
                Some(
                    (wave_date + Days::new(rng.range(0, 5)))
                        .format("%Y-%m-%d")
                        .to_string(),
                ),
                None,
            ),
            2 => (
                None,
                Some(rng.pick(&["next", "soon", "standard"]).to_string()),
            ),
            _ => (None, None),
        };
        let flag = rng.below(6);
        orders.push(OrderRecord {
            id: format!("O{k}"),
            placed_at: None,
            zip: Some(rng.pick(ZIPS).to_string()),
            lat: None,
            lon: None,
            market: (two_markets && rng.chance(0.5)).then(|| "CA".to_string()),
            lines,
            service_level: level,
            promised_date: promised,
            ship_complete: (flag == 0).then_some(true),
            max_packages: (flag == 1).then_some(1.0),
            pickup_node: if !pickup_nodes.is_empty() && rng.chance(0.15) {
                Some(rng.pick(&pickup_nodes).clone())
            } else {
                None
            },
            priority: None,
            channel: None,
            service: None,
        });
    }

    let policy = PolicyOverrides {
        split_penalty: rng.chance(0.3).then(|| rng.money(10.0, 2.0)),
        late_penalty_per_day: rng.chance(0.3).then(|| rng.money(30.0, 5.0)),
        unfilled_rule: rng.chance(0.15).then(|| "twice-worst".to_string()),
        cross_market: two_markets.then(|| {
            if rng.chance(0.5) {
                "forbid".to_string()
            } else {
                "penalty".to_string()
            }
        }),
        cross_market_penalty: two_markets.then(|| rng.money(8.0, 1.0)),
        store_premium_per_unit: rng.chance(0.3).then(|| rng.money(3.0, 0.5)),
        service_levels: Some(
            [("next", 1.0), ("soon", 2.0), ("standard", 4.0)]
                .into_iter()
                .map(|(k, d)| (k.to_string(), d))
                .collect(),
        ),
        ..Default::default()
    };

    ScenarioFile {
        name: Some(name.to_string()),
        wave_time: wave.to_string(),
        nodes,
        skus,
        services: custom.into_iter().collect(),
        inventory,
        orders,
        policy,
        // The regional carrier (which delivers on Saturdays) rests two and
        // three days after the wave: its transit skips them.
        calendars: [(
            "regional".to_string(),
            [2, 3]
                .map(|k| (wave_date + Days::new(k)).to_string())
                .to_vec(),
        )]
        .into(),
        ..Default::default()
    }
}

/// A regional carrier defined in the scenario: cheap per package, priced per
/// pound and per unit-mile, fast near and slow far, picking up Monday to
/// Saturday, sometimes with a holiday ship-by on or just before the wave.
fn regional_service(rng: &mut Rng, wave_date: NaiveDate) -> ServiceRecord {
    let base = rng.money(6.0, 1.0);
    ServiceRecord {
        id: "regional".into(),
        carrier: Some("regional".into()),
        name: None,
        per_package: (0..8).map(|z| base + z as f64).collect(),
        per_lb: Some(vec![rng.money(0.5, 0.25); 8]),
        per_unit: Some(rng.money(1.0, 0.5)),
        per_unit_per_mile: Some(rng.money(0.004, 0.001)),
        transit_days: vec![1.0, 1.0, 2.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        pickup_weekdays: Some(
            ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
                .iter()
                .map(|d| d.to_string())
                .collect(),
        ),
        holiday_deadlines: if rng.chance(0.4) {
            vec![HolidayDeadlineRecord {
                ship_by: (wave_date - Days::new(rng.range(0, 1))).to_string(),
                arrive_by: (wave_date + Days::new(rng.range(2, 5))).to_string(),
            }]
        } else {
            vec![]
        },
        calendar: Some("regional".into()),
        saturday_delivery: Some(true),
    }
}

/// Sometimes (drawing on its own random stream, so that the instances of the
/// main stream stay as they were) makes a node a pickup store, one order a
/// pickup order there, and gives the store transfer lanes from the other
/// nodes: their own costs and lead time of 0-3 business days, or the cost
/// model's.
fn with_transfers(mut file: ScenarioFile, rng: &mut Rng) -> ScenarioFile {
    if !rng.chance(0.3) {
        return file;
    }
    let p = rng.below(file.nodes.len() as u64) as usize;
    file.nodes[p].capabilities = Some(vec!["ship_to_home".into(), "pickup".into()]);
    let store = file.nodes[p].id.clone();
    let o = rng.below(file.orders.len() as u64) as usize;
    file.orders[o].pickup_node = Some(store.clone());
    for m in 0..file.nodes.len() {
        if m == p || !rng.chance(0.7) {
            continue;
        }
        let own = rng.chance(0.7);
        file.transfer_lanes.push(TransferLaneRecord {
            from: file.nodes[m].id.clone(),
            to: store.clone(),
            per_package: own.then(|| rng.money(8.0, 1.0)),
            per_unit: own.then(|| rng.money(1.5, 0.5)),
            lead_days: own.then(|| rng.range(0, 3) as f64),
        });
    }
    file
}

/// Where one unit goes: a (node, service) pair, or nowhere (unfilled).
type Choice = Option<(NodeIdx, ServiceIdx)>;

/// One order's complete assignment: for each line, the choice of each unit
/// (a sorted multiset, as units of a line are interchangeable).
type OrderOption = Vec<Vec<Choice>>;

/// A shipment from first principles: dates from `calendar`, zone from `geo`,
/// placeholder costs (the checker recomputes them).
fn shipment(
    s: &Scenario,
    o: usize,
    n: NodeIdx,
    v: ServiceIdx,
    units: &BTreeMap<usize, u32>,
) -> Shipment {
    let order = &s.orders[o];
    let node = &s.nodes[n];
    let service = &s.services[v];
    let offer = if service.is_pickup {
        Some(NodeService {
            service: v,
            cutoff: None,
        })
    } else {
        node.services.iter().find(|x| x.service == v).cloned()
    };
    let miles = geo::great_circle_miles(node.lat, node.lon, order.lat, order.lon);
    let zone = geo::zone_for_miles(miles);
    // A store transfer: dated by its lane (a shipment without one the checker refuses).
    let lane = (service.id == TRANSFER_SERVICE)
        .then_some(order.pickup_node)
        .flatten()
        .and_then(|p| s.lanes_into(p).iter().find(|l| l.from == n));
    if let Some(q) = lane.and_then(|l| transfers::quote(s, l, s.wave_time)) {
        let items = units
            .iter()
            .map(|(&line, &quantity)| Item {
                line,
                sku: s.skus[order.lines[line].sku].id.clone(),
                quantity,
            })
            .collect();
        return Shipment {
            order: order.id.clone(),
            node: node.id.clone(),
            service: service.id.clone(),
            to_node: order.pickup_node.map(|p| s.nodes[p].id.clone()),
            items,
            ship_date: q.release,
            delivery_date: q.ready,
            promised_date: order.promised,
            late_days: order
                .promised
                .map_or(0, |p| calendar::business_days_late(q.ready, p)),
            zone,
            miles,
            cost: ShipmentCost::default(),
        };
    }
    let ship = offer
        .and_then(|offer| calendar::ship_date(s.wave_time, node, &offer, service))
        .unwrap_or(s.wave_time.date());
    let delivery = if service.is_pickup {
        ship
    } else {
        calendar::delivery_date(
            ship,
            service.transit_days[zone as usize - 1],
            &service.delivery,
        )
        .expect("a 2026 wave delivers within the calendar")
    };
    Shipment {
        order: order.id.clone(),
        node: node.id.clone(),
        service: service.id.clone(),
        to_node: None,
        items: units
            .iter()
            .map(|(&line, &quantity)| Item {
                line,
                sku: s.skus[order.lines[line].sku].id.clone(),
                quantity,
            })
            .collect(),
        ship_date: ship,
        delivery_date: delivery,
        promised_date: order.promised,
        late_days: order
            .promised
            .map_or(0, |p| calendar::business_days_late(delivery, p)),
        zone,
        miles,
        cost: ShipmentCost::default(),
    }
}

/// The plan that gives order `o` its option `opts[o]` (orders with `None`
/// ship nothing). Everything but shipments and backorders comes from `template`.
fn plan_of(s: &Scenario, template: &Plan, opts: &[Option<&OrderOption>]) -> Plan {
    let mut plan = template.clone();
    plan.shipments.clear();
    plan.backorders.clear();
    plan.orders.clear();
    for (o, order) in s.orders.iter().enumerate() {
        let mut packages: BTreeMap<(NodeIdx, ServiceIdx), BTreeMap<usize, u32>> = BTreeMap::new();
        let mut unfilled = vec![0u32; order.lines.len()];
        match opts[o] {
            Some(opt) => {
                for (line, units) in opt.iter().enumerate() {
                    for choice in units {
                        match choice {
                            Some(key) => {
                                *packages.entry(*key).or_default().entry(line).or_default() += 1
                            }
                            None => unfilled[line] += 1,
                        }
                    }
                }
            }
            None => {
                for (line, l) in order.lines.iter().enumerate() {
                    unfilled[line] = l.quantity;
                }
            }
        }
        for ((n, v), units) in &packages {
            plan.shipments.push(shipment(s, o, *n, *v, units));
        }
        for (line, &units) in unfilled.iter().enumerate() {
            if units > 0 {
                plan.backorders.push(Backorder {
                    order: order.id.clone(),
                    line,
                    sku: s.skus[order.lines[line].sku].id.clone(),
                    units,
                    penalty_per_unit: 0.0,
                });
            }
        }
    }
    plan
}

/// Whether the checker accepts the plan, apart from the costs, dates and
/// aggregates (summaries, KPIs, solve record) it reports (our placeholders)
/// and the kinds in `also_ignore`.
fn acceptable(report: &CheckReport, also_ignore: &[&str]) -> bool {
    report.violations.iter().all(|v| {
        matches!(v.kind, "cost" | "dates" | "summary" | "kpi" | "solve")
            || also_ignore.contains(&v.kind)
    })
}

/// Every multiset of `q` elements of `choices`.
fn multisets(choices: &[Choice], q: u32) -> Vec<Vec<Choice>> {
    if q == 0 {
        return vec![vec![]];
    }
    let mut out = Vec::new();
    for (k, c) in choices.iter().enumerate() {
        for mut rest in multisets(&choices[k..], q - 1) {
            rest.insert(0, *c);
            out.push(rest);
        }
    }
    out
}

/// The enumeration of one instance: every complete assignment the checker can
/// accept, with its cost.
struct Enumerated {
    /// Cheapest feasible plan and its checked cost.
    best: (f64, Plan),
    /// Complete plans checked.
    plans: u64,
}

/// Options per order that survive the early rejections, or `None` when the
/// complete enumeration would exceed `MAX_PLANS`.
fn order_options(s: &Scenario, template: &Plan) -> Option<Vec<Vec<OrderOption>>> {
    let mut all: Vec<Choice> = vec![None];
    for n in NodeIdx::all(s.nodes.len()) {
        for v in ServiceIdx::all(s.services.len()) {
            all.push(Some((n, v)));
        }
    }
    let none: Vec<Option<&OrderOption>> = vec![None; s.orders.len()];
    let mut per_order = Vec::new();
    let mut total: u64 = 1;
    for (o, order) in s.orders.iter().enumerate() {
        // Unit level: one unit of the line in a package of its own. What the
        // checker rejects here (other than an incomplete ship-complete order,
        // which more units may complete) every plan containing it breaks too.
        let mut per_line: Vec<Vec<Vec<Choice>>> = Vec::new();
        for (line, l) in order.lines.iter().enumerate() {
            let usable: Vec<Choice> = all
                .iter()
                .copied()
                .filter(|c| {
                    let Some(_) = c else { return true };
                    let mut opt: OrderOption = order
                        .lines
                        .iter()
                        .map(|l| vec![None; l.quantity as usize])
                        .collect();
                    opt[line][0] = *c;
                    let mut opts = none.clone();
                    opts[o] = Some(&opt);
                    let report = check::check(s, &plan_of(s, template, &opts));
                    acceptable(&report, &["ship-complete"])
                })
                .collect();
            per_line.push(multisets(&usable, l.quantity));
        }
        // Order level: the order's complete assignment alone.
        let mut options: Vec<OrderOption> = vec![vec![]];
        for line_sets in &per_line {
            let mut next = Vec::new();
            for partial in &options {
                for set in line_sets {
                    let mut opt = partial.clone();
                    opt.push(set.clone());
                    next.push(opt);
                }
            }
            options = next;
        }
        options.retain(|opt| {
            let mut opts = none.clone();
            opts[o] = Some(opt);
            acceptable(&check::check(s, &plan_of(s, template, &opts)), &[])
        });
        total = total.saturating_mul(options.len() as u64);
        if total > MAX_PLANS {
            return None;
        }
        per_order.push(options);
    }
    Some(per_order)
}

/// Checks every combination of the orders' options and keeps the cheapest.
fn enumerate(s: &Scenario, template: &Plan, per_order: &[Vec<OrderOption>]) -> Enumerated {
    let mut best: Option<(f64, Plan)> = None;
    let plans = for_each_feasible(s, template, per_order, |cost, plan| {
        if best.as_ref().is_none_or(|(b, _)| cost < *b) {
            best = Some((cost, plan));
        }
    });
    Enumerated {
        best: best.expect("leaving every unit unfilled is always feasible"),
        plans,
    }
}

/// Calls `visit` with the checked cost of every feasible combination of
/// the orders' options; returns how many combinations were checked.
fn for_each_feasible(
    s: &Scenario,
    template: &Plan,
    per_order: &[Vec<OrderOption>],
    mut visit: impl FnMut(f64, Plan),
) -> u64 {
    let mut plans = 0u64;
    let mut pick = vec![0usize; per_order.len()];
    loop {
        let opts: Vec<Option<&OrderOption>> = pick
            .iter()
            .enumerate()
            .map(|(o, &k)| Some(&per_order[o][k]))
            .collect();
        let plan = plan_of(s, template, &opts);
        let report = check::check(s, &plan);
        plans += 1;
        if acceptable(&report, &[]) {
            visit(report.recomputed.total, plan);
        }
        // Next combination (odometer).
        let mut o = 0;
        loop {
            if o == pick.len() {
                return plans;
            }
            pick[o] += 1;
            if pick[o] < per_order[o].len() {
                break;
            }
            pick[o] = 0;
            o += 1;
        }
    }
}

fn describe(plan: &Plan) -> String {
    let mut out = String::new();
    for sh in &plan.shipments {
        let items: Vec<String> = sh
            .items
            .iter()
            .map(|i| format!("line {} {} x{}", i.line, i.sku, i.quantity))
            .collect();
        out.push_str(&format!(
            "  {} from {} by {}: {} (ship {} arrive {} late {} zone {})\n",
            sh.order,
            sh.node,
            sh.service,
            items.join(", "),
            sh.ship_date,
            sh.delivery_date,
            sh.late_days,
            sh.zone
        ));
    }
    for b in &plan.backorders {
        out.push_str(&format!(
            "  {} line {} {} x{} unfilled\n",
            b.order, b.line, b.sku, b.units
        ));
    }
    out
}

/// What the optima of the proven instances exercised, so that a generator
/// change that makes the instances trivial does not go unnoticed.
#[derive(Debug, Default)]
struct Coverage {
    with_backorders: usize,
    all_unfilled: usize,
    split_orders: usize,
    line_split_across_nodes: usize,
    late: usize,
    ship_complete_shipped: usize,
    pickup_shipped: usize,
    transfer_shipped: usize,
    capacity_full: usize,
    overnight_shipped: usize,
    regional_shipped: usize,
}

impl Coverage {
    fn add(&mut self, s: &Scenario, best: &Plan) {
        let report = check::check(s, best);
        // Our dates and zones must be the checker's: only our placeholder
        // costs and the aggregates made of them differ.
        assert!(
            report
                .violations
                .iter()
                .all(|v| matches!(v.kind, "cost" | "summary" | "kpi" | "solve")),
            "the enumeration's own plan has {:?}",
            report.violations
        );
        self.with_backorders += usize::from(!best.backorders.is_empty());
        self.all_unfilled += usize::from(best.shipments.is_empty());
        self.late += usize::from(report.recomputed.lateness > 0.0);
        let mut split = false;
        let mut line_split = false;
        let mut complete = false;
        for order in &s.orders {
            let shipments: Vec<&Shipment> = best
                .shipments
                .iter()
                .filter(|sh| sh.order == order.id)
                .collect();
            split |= shipments.len() > 1;
            complete |= order.ship_complete && !shipments.is_empty();
            for line in 0..order.lines.len() {
                let carrying = shipments
                    .iter()
                    .filter(|sh| sh.items.iter().any(|i| i.line == line))
                    .count();
                line_split |= carrying > 1;
            }
        }
        self.split_orders += usize::from(split);
        self.line_split_across_nodes += usize::from(line_split);
        self.ship_complete_shipped += usize::from(complete);
        self.pickup_shipped += usize::from(best.shipments.iter().any(|sh| sh.service == "pickup"));
        self.transfer_shipped +=
            usize::from(best.shipments.iter().any(|sh| sh.service == "transfer"));
        let ships_by = |id: &str| usize::from(best.shipments.iter().any(|sh| sh.service == id));
        self.overnight_shipped += ships_by("overnight");
        self.regional_shipped += ships_by("regional");

        self.capacity_full += usize::from(s.nodes.iter().any(|n| {
            let packages = best.shipments.iter().filter(|sh| sh.node == n.id).count() as u32;
            let units: u32 = best
                .shipments
                .iter()
                .filter(|sh| sh.node == n.id)
                .flat_map(|sh| sh.items.iter().map(|i| i.quantity))
                .sum();
            n.capacity_orders.is_some_and(|c| packages == c && c > 0)
                || n.capacity_units.is_some_and(|c| units == c)
        }));
    }
}

#[test]
fn mip_and_auto_optima_equal_exhaustive_enumeration_on_tiny_instances() {
    let start = Instant::now();
    let mut rng = Rng::new(SEED);
    let mut lanes_rng = Rng::new(SEED ^ 0x7A4E_5FE4);
    let mut failures = Vec::new();
    let (mut proven, mut redrawn, mut plans_checked, mut biggest) = (0usize, 0usize, 0u64, 0u64);
    let mut coverage = Coverage::default();
    let mut dw_checked = 0;
    let mut pruned_away = 0;
    // The enumerated plans take everything but shipments and backorders from
    // this plan of an empty wave, so that which instances are drawn does not
    // depend on the engine.
    let template = {
        let mut empty = tiny_instance(&mut Rng::new(SEED), "empty");
        empty.orders.clear();
        sourcing::run(&build(&empty), &Settings::default(), Strategy::GreedyCost)
    };
    while proven < INSTANCES {
        let name = format!("tiny-{proven:02}-{redrawn}");
        let file = with_transfers(tiny_instance(&mut rng, &name), &mut lanes_rng);
        let s = build(&file);
        let Some(per_order) = order_options(&s, &template) else {
            redrawn += 1;
            continue;
        };
        proven += 1;
        let mip = match std::panic::catch_unwind(|| {
            sourcing::run(&s, &Settings::default(), Strategy::Monolithic)
        }) {
            Ok(plan) => plan,
            Err(panic) => {
                failures.push(format!(
                    "instance {name}: sourcing::run panicked: {}\nscenario: {}",
                    panic_message(&*panic),
                    compact_json(&file)
                ));
                continue;
            }
        };
        let found = enumerate(&s, &template, &per_order);
        plans_checked += found.plans;
        biggest = biggest.max(found.plans);
        let (best_cost, best_plan) = &found.best;
        coverage.add(&s, best_plan);

        // `auto` (the default) must reach the same optimum, and every bound a
        // strategy reports must be valid.
        let two_threads = Settings {
            threads: 2,
            ..Settings::default()
        };
        for (strategy, settings) in [
            (Strategy::Auto, Settings::default()),
            (Strategy::Auto, two_threads),
            (Strategy::Decompose, Settings::default()),
        ] {
            let plan = sourcing::run(&s, &settings, strategy);
            let report = check::check(&s, &plan);
            let cost = plan.kpis.cost.total;
            let exact_required = strategy == Strategy::Auto;
            let bound_ok = plan.solve.best_bound.is_none_or(|b| b <= best_cost + 1e-6);
            if !report.ok() || !bound_ok || (exact_required && (cost - best_cost).abs() > 1e-6) {
                failures.push(format!(
                    "instance {name}: {} ({} threads) plan cost {cost} (status {:?}, bound {:?}), \
                     enumerated optimum {best_cost}; checker: {:?}\nscenario: {}",
                    strategy.name(),
                    settings.threads,
                    plan.solve.status,
                    plan.solve.best_bound,
                    report.violations,
                    compact_json(&file)
                ));
            }
        }
        // Pruning drops candidates, but the bound a pruned run reports is over
        // every candidate: never above the optimum of the whole wave.
        let pruned_settings = Settings {
            candidates: CandidateMode::Pruned { k: 1 },
            ..Settings::default()
        };
        let plan = sourcing::run(&s, &pruned_settings, Strategy::Decompose);
        let stats = &plan.solve.candidates;
        pruned_away += usize::from(stats.kept < stats.eligible - stats.dominated);
        let report = check::check(&s, &plan);
        if !report.ok() || plan.solve.best_bound.is_none_or(|b| b > best_cost + 1e-6) {
            failures.push(format!(
                "instance {name}: pruned decompose bound {:?}, enumerated optimum {best_cost}; \
                 checker: {:?}\nscenario: {}",
                plan.solve.best_bound,
                report.violations,
                compact_json(&file)
            ));
        }
        // The Dantzig–Wolfe bound of a converged column generation is never
        // weaker than the LP relaxation of the compact model.
        let decomposed = sourcing::run(&s, &Settings::default(), Strategy::Decompose);
        let d = decomposed
            .solve
            .decomposition
            .as_ref()
            .expect("decomposition record");
        if let (true, Some(dw), Some(lp)) = (
            d.lp_converged,
            d.lagrangian_bound,
            sourcing::lp_bound(&s, &Settings::default()),
        ) {
            dw_checked += 1;
            if dw < lp - 1e-6 * lp.abs().max(1.0) {
                failures.push(format!(
                    "instance {name}: Dantzig-Wolfe bound {dw} below the LP bound {lp}\nscenario: {}",
                    compact_json(&file)
                ));
            }
        }
        if let Some(b) = mip.solve.best_bound.filter(|b| *b > best_cost + 1e-6) {
            failures.push(format!(
                "instance {name}: MIP bound {b} above the optimum {best_cost}"
            ));
        }

        let report = check::check(&s, &mip);
        let mip_cost = mip.kpis.cost.total;
        if !report.ok() || (mip_cost - best_cost).abs() > 1e-6 {
            failures.push(format!(
                "instance {name}: MIP plan cost {mip_cost} (status {:?}, solver objective {:?}, \
                 bound {:?}), enumerated optimum {best_cost} over {} plans\n\
                 checker on the MIP plan: {:?}\nMIP plan:\n{}enumerated optimum:\n{}scenario: {}",
                mip.solve.status,
                mip.solve.objective,
                mip.solve.best_bound,
                found.plans,
                report.violations,
                describe(&mip),
                describe(best_plan),
                compact_json(&file)
            ));
        }
    }
    eprintln!(
        "{proven} instances proven ({redrawn} redrawn as too big to enumerate), {plans_checked} \
         complete plans checked (at most {biggest} per instance) in {:.1} s; optima: {coverage:?}",
        start.elapsed().as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "{} of {proven} instances disagree:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(
        pruned_away >= 20,
        "pruning to one node per line dropped candidates on {pruned_away} instances only"
    );
    assert!(
        dw_checked >= 50,
        "the Dantzig-Wolfe bound was compared with the LP bound on {dw_checked} instances only"
    );
    let c = &coverage;
    for (what, count) in [
        ("with backorders", c.with_backorders),
        ("with a split order", c.split_orders),
        ("with a line split across nodes", c.line_split_across_nodes),
        ("with a late package", c.late),
        ("shipping a ship-complete order", c.ship_complete_shipped),
        ("shipping a pickup order", c.pickup_shipped),
        (
            "filling a pickup order by a store transfer",
            c.transfer_shipped,
        ),
        ("filling a node's capacity", c.capacity_full),
        ("shipping overnight", c.overnight_shipped),
        ("shipping by a scenario-defined service", c.regional_shipped),
    ] {
        assert!(
            count >= 2,
            "only {count} optima {what}: the instances are too easy"
        );
    }
}

/// Instances on which explanations' what-ifs are proven.
const WHAT_IF_INSTANCES: usize = 60;

/// Whether a plan ships a package of `order` from `node`.
fn ships_from(plan: &Plan, order: &str, node: &str) -> bool {
    plan.shipments
        .iter()
        .any(|sh| sh.order == order && sh.node == node)
}

#[test]
fn whole_wave_what_ifs_cost_the_enumerated_optimum_under_the_same_constraint() {
    use domopt::explaining::{Request, WhatIfKind, explain};
    use domopt::format::LoadedScenario;
    use domopt::{CostModel, Status};

    let mut rng = Rng::new(SEED ^ 0x00E8_A1A1);
    let template = {
        let mut empty = tiny_instance(&mut Rng::new(SEED), "empty");
        empty.orders.clear();
        sourcing::run(&build(&empty), &Settings::default(), Strategy::GreedyCost)
    };
    let model = CostModel::load("us-parcel").expect("the us-parcel preset loads");
    let (mut proven, mut redrawn, mut what_ifs, mut moved_others, mut priced) = (0, 0, 0, 0, 0);
    let mut failures = Vec::new();
    while proven < WHAT_IF_INSTANCES {
        let name = format!("explain-{proven:02}-{redrawn}");
        let file = tiny_instance(&mut rng, &name);
        let s = build(&file);
        let Some(per_order) = order_options(&s, &template) else {
            redrawn += 1;
            continue;
        };
        proven += 1;
        let plan = sourcing::run(&s, &Settings::default(), Strategy::Monolithic);
        let loaded = LoadedScenario {
            file: file.clone(),
            orphan_lines: vec![],
            source: format!("{name}.json").into(),
        };
        // Each order, forced onto every node and kept from every node.
        let nodes: Vec<String> = s.nodes.iter().map(|n| n.id.clone()).collect();
        for order in &s.orders {
            let request = Request {
                order: order.id.clone(),
                force: nodes.clone(),
                forbid: nodes.clone(),
                whole_wave: true,
            };
            let e = explain(
                &loaded,
                &model,
                &Default::default(),
                &plan,
                &request,
                &Settings::default(),
            )
            .expect("an order of the scenario explains");
            priced += usize::from(e.rows.iter().any(|r| r.price > 0.0));
            let mut best: Vec<Option<f64>> = vec![None; e.what_ifs.len()];
            let mut unconstrained: Option<f64> = None;
            for_each_feasible(&s, &template, &per_order, |cost, p| {
                unconstrained = Some(unconstrained.map_or(cost, |b: f64| b.min(cost)));
                for (k, w) in e.what_ifs.iter().enumerate() {
                    let holds = ships_from(&p, &order.id, &w.node) == (w.kind == WhatIfKind::Force);
                    if holds && best[k].is_none_or(|b| cost < b) {
                        best[k] = Some(cost);
                    }
                }
            });
            let optimum = unconstrained.expect("leaving every unit unfilled is feasible");
            if (e.baseline.cost - optimum).abs() > 1e-6 {
                failures.push(format!(
                    "{name} {}: baseline {} but optimum {optimum}",
                    order.id, e.baseline.cost
                ));
            }
            for (w, enumerated) in e.what_ifs.iter().zip(best) {
                what_ifs += 1;
                moved_others += usize::from(!w.moved.is_empty());
                let agrees = match (w.cost, enumerated) {
                    (Some(c), Some(b)) => w.status == Status::Optimal && (c - b).abs() <= 1e-6,
                    (None, None) => true,
                    _ => false,
                };
                let diff_ok = w
                    .difference
                    .is_none_or(|d| (d - (w.cost.unwrap_or(0.0) - optimum)).abs() <= 1e-6);
                if !agrees || !diff_ok {
                    failures.push(format!(
                        "{name} {} {} {}: explain {:?} ({:?}, {}) but enumeration {enumerated:?}\nscenario: {}",
                        order.id,
                        w.kind.as_str(),
                        w.node,
                        w.cost,
                        w.status,
                        w.message,
                        compact_json(&file)
                    ));
                }
            }
        }
    }
    eprintln!(
        "{what_ifs} what-ifs on {proven} instances ({redrawn} redrawn); {moved_others} moved another order; {priced} explanations priced a row"
    );
    assert!(
        failures.is_empty(),
        "{} what-ifs disagree:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(
        moved_others >= 5,
        "only {moved_others} what-ifs moved another order: the instances are too easy"
    );
    assert!(
        priced >= 5,
        "only {priced} explanations priced a row: the instances are too easy"
    );
}
