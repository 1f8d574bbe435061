//! Properties of every plan on random small waves: the independent checker
//! accepts the plans of the MIP and of the greedy router, the MIP is never
//! dearer than the greedy plan (it is warm-started from a plan at least as
//! cheap), and the same input and settings give the same plan twice.
//!
//! The waves mix what makes routing hard: reserved and safety stock, node
//! capacities, ship-complete orders, package limits, in-store pickup, a second
//! market that is forbidden or penalised, promises that make lateness matter,
//! orders with two lines of the same SKU, sales channels with store or
//! network-wide buffers (and orders in some of them), orders that chose a
//! carrier service, and store-transfer lanes to pickup stores. Every plan
//! keeps the wave's stock (ATP less the buffers of channels with no order in
//! the wave, recomputed here from the file) and ships an order that chose a
//! service only by it.
//!
//! On the same generated scenarios, random carts (two lines of one SKU,
//! channels, pickup stores with transfer lanes, quoted later than the wave)
//! are promised: every available offer covers exactly the cart's units per
//! line, takes from each node no more than its stock for the cart's channel
//! (recomputed here), keeps within the channel's network share, is dated by
//! its latest package, and a second quote gives the same answer.

use domopt::Settings;
use domopt::domain::Scenario;
use domopt::format::{
    BufferRecord, ChannelRecord, HolidayDeadlineRecord, InventoryRecord, LineRecord, NodeRecord,
    NodeServiceRecord, OrderRecord, PolicyOverrides, ScenarioFile, ServiceRecord, SkuRecord,
    TransferLaneRecord,
};
use domopt::plan::Plan;
use domopt::promising::{CartLineRecord, CartRecord, Offer, Outcome, Promiser};
use domopt::solution::check;
use domopt::sourcing::{self, Strategy as Routing};

use crate::common;
use common::{build, compact_json, panic_message};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

const ZIPS: &[&str] = &[
    "10001", "60614", "90012", "77002", "30303", "98101", "02108", "07030", "60611",
];
const KINDS: &[&str] = &["dc", "store", "3pl", "supplier"];
/// The model's three services and a scenario-defined regional one.
const SERVICES: &[&str] = &["ground", "two_day", "overnight", "regional"];
const CUTOFFS: &[Option<&str>] = &[None, Some("12:00"), Some("14:00"), Some("17:00")];
/// 2026-12-01 is a Tuesday, 2026-12-04 a Friday, 2026-12-05 a Saturday.
const WAVES: &[&str] = &[
    "2026-12-01T09:00",
    "2026-12-02T15:00",
    "2026-12-04T16:30",
    "2026-12-05T10:00",
];
const MAX_NODES: usize = 5;
const MAX_SKUS: usize = 6;

#[derive(Debug, Clone)]
struct NodeSpec {
    kind: usize,
    zip: usize,
    /// Bit k set: offers `SERVICES[k]`.
    services: u8,
    cutoff: usize,
    pickup: bool,
    ship_to_home: bool,
    handling_per_package: u8,
    handling_per_unit: u8,
    capacity_orders: Option<u8>,
    capacity_units: Option<u8>,
    foreign: bool,
    processing_day: bool,
    closed_weekends: bool,
    /// Closed on the wave's date plus this many days.
    closed_date: Option<u8>,
}

fn node_spec() -> impl Strategy<Value = NodeSpec> {
    (
        (0..KINDS.len(), 0..ZIPS.len(), 1u8..16, 0..CUTOFFS.len()),
        (prop::bool::weighted(0.4), prop::bool::weighted(0.9)),
        (0u8..5, 0u8..5),
        (
            prop::option::weighted(0.25, 0u8..4),
            prop::option::weighted(0.25, 1u8..7),
        ),
        (
            prop::bool::weighted(0.2),
            prop::bool::weighted(0.2),
            prop::bool::weighted(0.4),
            prop::option::weighted(0.15, 0u8..3),
        ),
    )
        .prop_map(
            |(
                (kind, zip, services, cutoff),
                (pickup, ship_to_home),
                (hpp, hpu),
                (capacity_orders, capacity_units),
                (foreign, processing_day, closed_weekends, closed_date),
            )| NodeSpec {
                kind,
                zip,
                services,
                cutoff,
                pickup,
                ship_to_home,
                handling_per_package: hpp,
                handling_per_unit: hpu,
                capacity_orders,
                capacity_units,
                foreign,
                processing_day,
                closed_weekends,
                closed_date,
            },
        )
}

/// On hand, reserved (capped at on hand), safety stock, and inbound units
/// with the days after the wave's date they arrive (-1: the day before).
type StockSpec = Option<(u8, u8, u8, Option<(u8, i8)>)>;

fn stock_spec() -> impl Strategy<Value = StockSpec> {
    prop::option::weighted(
        0.75,
        (
            0u8..7,
            prop_oneof![3 => Just(0u8), 1 => 1u8..4],
            prop_oneof![4 => Just(0u8), 1 => 1u8..3],
            prop::option::weighted(0.2, (1u8..4, -1i8..2)),
        ),
    )
}

#[derive(Debug, Clone)]
struct OrderSpec {
    zip: usize,
    foreign: bool,
    /// (SKU index, quantity, unfilled penalty override).
    lines: Vec<(usize, u8, Option<u8>)>,
    promised_in_days: Option<u8>,
    /// A service level of the policy instead of a promised date.
    service_level: Option<usize>,
    placed_hours_earlier: Option<u8>,
    ship_complete: bool,
    max_packages: Option<u8>,
    /// Pickup at the first pickup-capable node at or after this index.
    pickup: Option<usize>,
    /// The scenario's channel of this index (modulo their count), if any.
    channel: Option<usize>,
    /// The service of `SERVICES` the customer chose (not for a pickup order).
    service: Option<usize>,
}

fn order_spec() -> impl Strategy<Value = OrderSpec> {
    (
        (0..ZIPS.len(), prop::bool::weighted(0.2)),
        prop::collection::vec(
            (0..MAX_SKUS, 1u8..4, prop::option::weighted(0.15, 1u8..13)),
            1..4,
        ),
        (
            prop::option::weighted(0.5, 0u8..7),
            prop::option::weighted(0.4, 0..LEVELS.len()),
            prop::option::weighted(0.3, 1u8..48),
        ),
        (
            prop::bool::weighted(0.2),
            prop::option::weighted(0.2, 1u8..3),
            prop::option::weighted(0.15, 0..MAX_NODES),
        ),
        (
            prop::option::weighted(0.4, 0..2usize),
            prop::option::weighted(0.2, 0..SERVICES.len()),
        ),
    )
        .prop_map(
            |(
                (zip, foreign),
                lines,
                (promised_in_days, service_level, placed_hours_earlier),
                (ship_complete, max_packages, pickup),
                (channel, service),
            )| OrderSpec {
                zip,
                foreign,
                lines,
                promised_in_days,
                service_level,
                placed_hours_earlier,
                ship_complete,
                max_packages,
                pickup,
                channel,
                service,
            },
        )
}

/// A sales channel: a buffer of units at every node, or at the nodes of one
/// kind of `KINDS`; and a network share (which bounds promises, not waves).
#[derive(Debug, Clone)]
struct ChannelSpec {
    buffer: Option<(u8, Option<usize>)>,
    share: bool,
}

fn channel_spec() -> impl Strategy<Value = ChannelSpec> {
    (
        prop::option::weighted(0.8, (1u8..4, prop::option::weighted(0.5, 0..2usize))),
        prop::bool::weighted(0.3),
    )
        .prop_map(|(buffer, share)| ChannelSpec { buffer, share })
}

/// A store-transfer lane: from node, to node (kept when it is a pickup store
/// other than `from`), lead days; half the waves have none.
type LaneSpec = (usize, usize, u8);

fn lanes_spec() -> impl Strategy<Value = Vec<LaneSpec>> {
    prop_oneof![
        1 => Just(vec![]),
        1 => prop::collection::vec((0..MAX_NODES, 0..MAX_NODES, 0u8..3), 1..4),
    ]
}

#[derive(Debug, Clone)]
struct PolicySpec {
    /// `None`: forbid; `Some(p)`: penalty `p` per package.
    cross_market_penalty: Option<u8>,
    split_penalty: Option<u8>,
    late_penalty_per_day: Option<u8>,
    twice_worst: bool,
    store_premium_per_unit: Option<u8>,
    regional: RegionalSpec,
}

/// The scenario-defined service: per package, per pound (tenths), per
/// unit-mile (thousandths), Saturday pickup, and a holiday ship-by this many
/// days after the wave's date (-1: the day before) protecting two days later.
#[derive(Debug, Clone)]
struct RegionalSpec {
    per_package: u8,
    per_lb: u8,
    per_unit_mile: u8,
    saturday: bool,
    holiday_ship_by: Option<i8>,
}

/// The policy's service levels: name and business days.
const LEVELS: &[(&str, u8)] = &[("next", 1), ("soon", 2), ("standard", 4)];

fn policy_spec() -> impl Strategy<Value = PolicySpec> {
    (
        prop::option::of(0u8..12),
        prop::option::weighted(0.3, 0u8..10),
        prop::option::weighted(0.3, 0u8..40),
        prop::bool::weighted(0.2),
        prop::option::weighted(0.3, 0u8..4),
        (
            1u8..12,
            0u8..6,
            0u8..5,
            prop::bool::weighted(0.5),
            prop::option::weighted(0.4, -1i8..2),
        ),
    )
        .prop_map(
            |(
                cross_market_penalty,
                split_penalty,
                late_penalty_per_day,
                twice_worst,
                store_premium_per_unit,
                (per_package, per_lb, per_unit_mile, saturday, holiday_ship_by),
            )| PolicySpec {
                cross_market_penalty,
                split_penalty,
                late_penalty_per_day,
                twice_worst,
                store_premium_per_unit,
                regional: RegionalSpec {
                    per_package,
                    per_lb,
                    per_unit_mile,
                    saturday,
                    holiday_ship_by,
                },
            },
        )
}

#[derive(Debug, Clone)]
struct WaveSpec {
    wave: usize,
    nodes: Vec<NodeSpec>,
    /// Weights of the SKUs in tenths of a pound.
    skus: Vec<u16>,
    /// Stock per (node, SKU), row-major over `MAX_NODES x MAX_SKUS`.
    stock: Vec<StockSpec>,
    orders: Vec<OrderSpec>,
    policy: PolicySpec,
    /// Half the waves have none.
    channels: Vec<ChannelSpec>,
    lanes: Vec<LaneSpec>,
}

fn wave_spec() -> impl Strategy<Value = WaveSpec> {
    (
        0..WAVES.len(),
        prop::collection::vec(node_spec(), 1..=MAX_NODES),
        prop::collection::vec(1u16..150, 1..=MAX_SKUS),
        prop::collection::vec(stock_spec(), MAX_NODES * MAX_SKUS),
        prop::collection::vec(order_spec(), 1..=8),
        policy_spec(),
        (
            prop_oneof![1 => Just(vec![]), 1 => prop::collection::vec(channel_spec(), 1..=2)],
            lanes_spec(),
        ),
    )
        .prop_map(
            |(wave, nodes, skus, stock, orders, policy, (channels, lanes))| WaveSpec {
                wave,
                nodes,
                skus,
                stock,
                orders,
                policy,
                channels,
                lanes,
            },
        )
}

impl WaveSpec {
    fn to_file(&self) -> ScenarioFile {
        let wave = WAVES[self.wave];
        let wave_time = chrono::NaiveDateTime::parse_from_str(wave, "%Y-%m-%dT%H:%M").unwrap();
        let nodes: Vec<NodeRecord> = self
            .nodes
            .iter()
            .enumerate()
            .map(|(k, n)| {
                let mut caps = Vec::new();
                if n.ship_to_home {
                    caps.push("ship_to_home".to_string());
                }
                if n.pickup {
                    caps.push("pickup".to_string());
                }
                NodeRecord {
                    id: format!("N{k}"),
                    kind: KINDS[n.kind].into(),
                    zip: Some(ZIPS[n.zip].into()),
                    lat: None,
                    lon: None,
                    market: n.foreign.then(|| "CA".to_string()),
                    capabilities: Some(caps),
                    handling_per_package: Some(n.handling_per_package as f64 * 0.5),
                    handling_per_unit: Some(n.handling_per_unit as f64 * 0.25),
                    capacity_orders: n.capacity_orders.map(f64::from),
                    capacity_units: n.capacity_units.map(f64::from),
                    services: SERVICES
                        .iter()
                        .enumerate()
                        .filter(|(b, _)| n.services & (1 << b) != 0)
                        .map(|(_, id)| NodeServiceRecord {
                            service: id.to_string(),
                            cutoff: CUTOFFS[n.cutoff].map(str::to_string),
                        })
                        .collect(),
                    processing_days: n.processing_day.then_some(1.0),
                    closed_weekdays: if n.closed_weekends {
                        vec!["Sat".into(), "Sun".into()]
                    } else {
                        vec![]
                    },
                    closed_dates: n
                        .closed_date
                        .map(|d| (wave_time.date() + chrono::Days::new(d.into())).to_string())
                        .into_iter()
                        .collect(),
                    rank: Some(k as f64),
                    time_zone: None,
                }
            })
            .collect();
        let skus: Vec<SkuRecord> = self
            .skus
            .iter()
            .enumerate()
            .map(|(k, &w)| SkuRecord {
                id: format!("S{k}"),
                weight_lb: w as f64 / 10.0,
                dims_in: None,
                price: None,
                ship_alone: false,
                hazmat: false,
                returnable: None,
            })
            .collect();
        let mut inventory = Vec::new();
        for (n, node) in nodes.iter().enumerate() {
            for (k, sku) in skus.iter().enumerate() {
                if let Some((on_hand, reserved, safety, inbound)) = self.stock[n * MAX_SKUS + k] {
                    inventory.push(InventoryRecord {
                        node: node.id.clone(),
                        sku: sku.id.clone(),
                        on_hand: on_hand as f64,
                        reserved: (reserved > 0).then(|| reserved.min(on_hand) as f64),
                        safety_stock: (safety > 0).then_some(safety as f64),
                        inbound_quantity: inbound.map(|(q, _)| f64::from(q)),
                        inbound_date: inbound.map(|(_, d)| {
                            (wave_time.date() + chrono::Duration::days(d.into())).to_string()
                        }),
                    });
                }
            }
        }
        let orders = self
            .orders
            .iter()
            .enumerate()
            .map(|(k, o)| {
                let pickup_node = o.pickup.and_then(|from| {
                    (0..nodes.len())
                        .map(|d| (from + d) % nodes.len())
                        .find(|&n| self.nodes[n].pickup)
                        .map(|n| nodes[n].id.clone())
                });
                OrderRecord {
                    id: format!("O{k}"),
                    placed_at: o.placed_hours_earlier.map(|h| {
                        (wave_time - chrono::Duration::hours(h as i64))
                            .format("%Y-%m-%dT%H:%M")
                            .to_string()
                    }),
                    zip: Some(ZIPS[o.zip].into()),
                    lat: None,
                    lon: None,
                    market: o.foreign.then(|| "CA".to_string()),
                    lines: o
                        .lines
                        .iter()
                        .map(|&(sku, q, pen)| LineRecord {
                            sku: skus[sku % skus.len()].id.clone(),
                            quantity: q as f64,
                            unfilled_penalty: pen.map(|p| p as f64 * 5.0),
                        })
                        .collect(),
                    service_level: o.service_level.map(|l| LEVELS[l].0.to_string()),
                    promised_date: o
                        .promised_in_days
                        .filter(|_| o.service_level.is_none())
                        .map(|d| {
                            (wave_time.date() + chrono::Days::new(d as u64))
                                .format("%Y-%m-%d")
                                .to_string()
                        }),
                    ship_complete: o.ship_complete.then_some(true),
                    max_packages: o.max_packages.map(f64::from),
                    service: o
                        .service
                        .filter(|_| pickup_node.is_none())
                        .map(|v| SERVICES[v].to_string()),
                    pickup_node,
                    priority: None,
                    channel: o
                        .channel
                        .filter(|_| !self.channels.is_empty())
                        .map(|c| format!("C{}", c % self.channels.len())),
                }
            })
            .collect();
        let p = &self.policy;
        let policy = PolicyOverrides {
            split_penalty: p.split_penalty.map(f64::from),
            late_penalty_per_day: p.late_penalty_per_day.map(f64::from),
            unfilled_rule: p.twice_worst.then(|| "twice-worst".to_string()),
            cross_market: Some(
                if p.cross_market_penalty.is_some() {
                    "penalty"
                } else {
                    "forbid"
                }
                .to_string(),
            ),
            cross_market_penalty: p.cross_market_penalty.map(f64::from),
            store_premium_per_unit: p.store_premium_per_unit.map(f64::from),
            service_levels: Some(
                LEVELS
                    .iter()
                    .map(|(name, days)| (name.to_string(), f64::from(*days)))
                    .collect(),
            ),
            ..Default::default()
        };
        let channels = self
            .channels
            .iter()
            .enumerate()
            .map(|(k, c)| ChannelRecord {
                id: format!("C{k}"),
                buffer: c.buffer.map(|(units, kind)| BufferRecord {
                    units: units.into(),
                    node_kinds: kind.map(|k| KINDS[k].to_string()).into_iter().collect(),
                    nodes: vec![],
                }),
                network_share: c.share.then_some(0.5),
            })
            .collect();
        let mut transfer_lanes: Vec<TransferLaneRecord> = Vec::new();
        for &(from, to, lead) in &self.lanes {
            let (from, to) = (from % nodes.len(), to % nodes.len());
            let new = |l: &&TransferLaneRecord| l.from == nodes[from].id && l.to == nodes[to].id;
            if from != to && self.nodes[to].pickup && !transfer_lanes.iter().any(|l| new(&l)) {
                transfer_lanes.push(TransferLaneRecord {
                    from: nodes[from].id.clone(),
                    to: nodes[to].id.clone(),
                    per_package: None,
                    per_unit: (lead == 2).then_some(1.0),
                    lead_days: Some(lead.into()),
                });
            }
        }
        ScenarioFile {
            name: Some("random-wave".into()),
            channels,
            transfer_lanes,
            wave_time: wave.into(),
            nodes,
            skus,
            services: vec![p.regional.to_record(wave_time.date())],
            inventory,
            orders,
            policy,
            // The regional carrier rests on the day after the wave and, with
            // a holiday ship-by, three days later too: transit skips them.
            calendars: [(
                "regional".to_string(),
                [1, 4]
                    .into_iter()
                    .take(if p.regional.holiday_ship_by.is_some() {
                        2
                    } else {
                        1
                    })
                    .map(|k| (wave_time.date() + chrono::Days::new(k)).to_string())
                    .collect(),
            )]
            .into(),
            ..Default::default()
        }
    }
}

/// Runs a strategy, turning a panic into a test failure that shows the wave.
fn run(s: &Scenario, file: &ScenarioFile, strategy: Routing) -> Result<Plan, TestCaseError> {
    run_with(s, file, strategy, &Settings::default())
}

fn run_with(
    s: &Scenario,
    file: &ScenarioFile,
    strategy: Routing,
    settings: &Settings,
) -> Result<Plan, TestCaseError> {
    std::panic::catch_unwind(|| sourcing::run(s, settings, strategy)).map_err(|panic| {
        let why = panic_message(&*panic);
        TestCaseError::fail(format!(
            "{} panicked: {why}\nscenario: {}",
            strategy.name(),
            compact_json(file)
        ))
    })
}

impl RegionalSpec {
    fn to_record(&self, wave_date: chrono::NaiveDate) -> ServiceRecord {
        let mut days = vec!["Mon", "Tue", "Wed", "Thu", "Fri"];
        if self.saturday {
            days.push("Sat");
        }
        ServiceRecord {
            id: "regional".into(),
            carrier: Some("regional".into()),
            name: None,
            per_package: (0..8)
                .map(|z| f64::from(self.per_package) + f64::from(z))
                .collect(),
            per_lb: Some(vec![f64::from(self.per_lb) / 10.0; 8]),
            per_unit: None,
            per_unit_per_mile: Some(f64::from(self.per_unit_mile) / 1000.0),
            transit_days: vec![1.0, 1.0, 2.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            pickup_weekdays: Some(days.iter().map(|d| d.to_string()).collect()),
            holiday_deadlines: self
                .holiday_ship_by
                .map(|d| {
                    let ship_by = wave_date + chrono::Duration::days(d.into());
                    HolidayDeadlineRecord {
                        ship_by: ship_by.to_string(),
                        arrive_by: (ship_by + chrono::Days::new(2)).to_string(),
                    }
                })
                .into_iter()
                .collect(),
            calendar: Some("regional".into()),
            saturday_delivery: Some(self.saturday),
        }
    }
}

fn config() -> Config {
    Config {
        cases: 96,
        rng_seed: RngSeed::Fixed(0x00D0_2026),
        failure_persistence: None,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn every_plan_passes_the_checker_keeps_the_wave_s_stock_and_chosen_services_bounds_hold_and_optimisers_never_lose_to_greedy(spec in wave_spec()) {
        let file = spec.to_file();
        let s = build(&file);
        let mono = run(&s, &file, Routing::Monolithic)?;
        let greedy = run(&s, &file, Routing::GreedyCost)?;
        let mut others = Vec::new();
        for strategy in [Routing::Auto, Routing::Decompose, Routing::Ranked, Routing::Closest, Routing::Shopify] {
            others.push(run(&s, &file, strategy)?);
        }
        for plan in others.iter().chain([&mono, &greedy]) {
            // Every bound is a proof: never above a feasible plan's cost.
            if let Some(b) = plan.solve.best_bound {
                prop_assert!(
                    b <= mono.kpis.cost.total + 1e-6 && b <= plan.kpis.cost.total + 1e-6,
                    "{} reports bound {} above a feasible cost ({} / {})\nscenario: {}",
                    plan.solve.strategy, b, mono.kpis.cost.total, plan.kpis.cost.total, compact_json(&file)
                );
            }
        }
        let auto = &others[0];
        prop_assert!(
            auto.kpis.cost.total <= greedy.kpis.cost.total + 1e-6,
            "auto costs {}, greedy {}\nscenario: {}",
            auto.kpis.cost.total,
            greedy.kpis.cost.total,
            compact_json(&file)
        );
        for plan in others.iter().chain([&mono, &greedy]) {
            if let Some(why) = over_the_wave_s_stock(&file, plan).or_else(|| off_the_chosen_service(&file, plan)) {
                return Err(TestCaseError::fail(format!(
                    "{} plan: {why}\nscenario: {}",
                    plan.solve.strategy,
                    compact_json(&file)
                )));
            }
            let report = check::check_input(&checker_input(&file), plan);
            prop_assert!(
                report.ok(),
                "{} plan fails the checker: {:#?}\nscenario: {}",
                plan.solve.strategy,
                report.violations,
                compact_json(&file)
            );
        }
        prop_assert!(
            mono.kpis.cost.total <= greedy.kpis.cost.total + 1e-6,
            "monolithic costs {} (status {:?}), greedy {}\nscenario: {}",
            mono.kpis.cost.total,
            mono.solve.status,
            greedy.kpis.cost.total,
            compact_json(&file)
        );
    }

    #[test]
    fn the_same_wave_and_seed_give_the_same_plan_twice_and_with_two_threads(spec in wave_spec()) {
        let file = spec.to_file();
        let two_threads = Settings { threads: 2, ..Settings::default() };
        for strategy in [Routing::Auto, Routing::Decompose, Routing::Monolithic, Routing::GreedyCost] {
            let first = run(&build(&file), &file, strategy)?;
            let second = run_with(&build(&file), &file, strategy, &two_threads)?;
            prop_assert_eq!(
                &first.shipments,
                &second.shipments,
                "{} shipments differ between two runs\nscenario: {}",
                strategy.name(),
                compact_json(&file)
            );
            prop_assert_eq!(&first.backorders, &second.backorders);
            prop_assert_eq!(first.kpis.cost, second.kpis.cost);
        }
    }
}

/// ATP of `sku` at `node` on `date` (`YYYY-MM-DD`), recomputed from the
/// file: on hand, plus an inbound receipt dated on or before `date`, less
/// reserved and safety stock, at least 0.
fn node_atp(file: &ScenarioFile, node: &NodeRecord, sku: &str, date: &str) -> f64 {
    file.inventory
        .iter()
        .filter(|r| r.node == node.id && r.sku == sku)
        .map(|r| {
            let arrived = r.inbound_date.as_deref().is_some_and(|d| d <= date);
            r.on_hand
                + if arrived {
                    r.inbound_quantity.unwrap_or(0.0)
                } else {
                    0.0
                }
                - r.reserved.unwrap_or(0.0)
                - r.safety_stock.unwrap_or(0.0)
        })
        .sum::<f64>()
        .max(0.0)
}

/// Units the buffers of the channels `counted` keep at `node` (a buffer
/// covers the nodes of its kinds, all if none).
fn buffered(
    file: &ScenarioFile,
    node: &NodeRecord,
    counted: impl Fn(&ChannelRecord) -> bool,
) -> f64 {
    file.channels
        .iter()
        .filter(|c| counted(c))
        .filter_map(|c| c.buffer.as_ref())
        .filter(|b| b.node_kinds.is_empty() || b.node_kinds.contains(&node.kind))
        .filter(|b| b.nodes.is_empty() || b.nodes.contains(&node.id))
        .map(|b| b.units)
        .sum()
}

/// The units a wave may ship from `node` of `sku`: its ATP on the wave's
/// date less the buffers of the channels with no order in the wave.
fn wave_stock(file: &ScenarioFile, node: &NodeRecord, sku: &str) -> f64 {
    let in_the_wave = |c: &ChannelRecord| {
        file.orders
            .iter()
            .any(|o| o.channel.as_ref() == Some(&c.id))
    };
    let atp = node_atp(file, node, sku, &file.wave_time[..10]);
    (atp - buffered(file, node, |c| !in_the_wave(c))).max(0.0)
}

/// Why a plan ships more of a SKU from a node than the wave may, if it does.
fn over_the_wave_s_stock(file: &ScenarioFile, plan: &Plan) -> Option<String> {
    for node in &file.nodes {
        for sku in &file.skus {
            let shipped: u32 = plan
                .shipments
                .iter()
                .filter(|s| s.node == node.id)
                .flat_map(|s| &s.items)
                .filter(|i| i.sku == sku.id)
                .map(|i| i.quantity)
                .sum();
            let may = wave_stock(file, node, &sku.id);
            if f64::from(shipped) > may {
                return Some(format!(
                    "ships {shipped} of {} from {}, which the wave may ship {may} of",
                    sku.id, node.id
                ));
            }
        }
    }
    None
}

/// Why a plan ships an order that chose a service by another, if it does.
fn off_the_chosen_service(file: &ScenarioFile, plan: &Plan) -> Option<String> {
    file.orders.iter().find_map(|o| {
        let chosen = o.service.as_ref()?;
        plan.shipments
            .iter()
            .find(|s| s.order == o.id && &s.service != chosen)
            .map(|s| format!("order {} chose {chosen} and ships by {}", o.id, s.service))
    })
}

/// The checker's own reading of a generated file (not the loader's scenario).
fn checker_input(file: &domopt::format::ScenarioFile) -> check::Input {
    let loaded = domopt::format::LoadedScenario {
        file: file.clone(),
        orphan_lines: vec![],
        source: "generated.json".into(),
    };
    let model = domopt::CostModel::load("us-parcel").expect("preset");
    check::Input::from_wire(&loaded, &model, &Default::default()).expect("the checker reads it")
}

// ---------------------------------------------------------------- the promise

/// A cart on a generated wave: lines (SKU index, units), destination, the
/// channel of this index (modulo their count), a pickup node (the first
/// pickup store at or after this index), and hours after the wave it is
/// quoted.
#[derive(Debug, Clone)]
struct CartSpec {
    lines: Vec<(usize, u8)>,
    zip: usize,
    foreign: bool,
    channel: Option<usize>,
    pickup: Option<usize>,
    later_hours: Option<u8>,
}

fn cart_spec() -> impl Strategy<Value = CartSpec> {
    (
        prop::collection::vec((0..MAX_SKUS, 1u8..5), 1..4),
        (0..ZIPS.len(), prop::bool::weighted(0.15)),
        prop::option::weighted(0.5, 0..2usize),
        prop::option::weighted(0.3, 0..MAX_NODES),
        prop::option::weighted(0.4, 0u8..80),
    )
        .prop_map(
            |(lines, (zip, foreign), channel, pickup, later_hours)| CartSpec {
                lines,
                zip,
                foreign,
                channel,
                pickup,
                later_hours,
            },
        )
}

impl CartSpec {
    fn to_record(&self, spec: &WaveSpec, file: &ScenarioFile) -> CartRecord {
        let wave =
            chrono::NaiveDateTime::parse_from_str(&file.wave_time, "%Y-%m-%dT%H:%M").unwrap();
        CartRecord {
            zip: Some(ZIPS[self.zip].into()),
            market: self.foreign.then(|| "CA".to_string()),
            lines: self
                .lines
                .iter()
                .map(|&(k, q)| CartLineRecord {
                    sku: file.skus[k % file.skus.len()].id.clone(),
                    quantity: q.into(),
                })
                .collect(),
            channel: self
                .channel
                .filter(|_| !file.channels.is_empty())
                .map(|c| file.channels[c % file.channels.len()].id.clone()),
            pickup_node: self.pickup.and_then(|from| {
                let n = spec.nodes.len();
                (0..n)
                    .map(|d| (from + d) % n)
                    .find(|&k| spec.nodes[k].pickup)
                    .map(|k| file.nodes[k].id.clone())
            }),
            at: self.later_hours.map(|h| {
                (wave + chrono::Duration::hours(h.into()))
                    .format("%Y-%m-%dT%H:%M")
                    .to_string()
            }),
            ..Default::default()
        }
    }
}

/// Why an available offer is wrong, if it is: its packages cover exactly
/// the cart's units; each node gives no more of a SKU than its stock for
/// the cart's channel on the quote's date (ATP less the buffers of the
/// other channels, recomputed from the file); a carrier option takes no
/// more of a SKU than the channel's network share of the stock of the nodes
/// that ship to homes; the offer's date is its latest package's.
fn offer_broken(
    file: &ScenarioFile,
    cart: &CartRecord,
    service: &str,
    offer: &Offer,
) -> Option<String> {
    let date = cart.at.as_deref().unwrap_or(&file.wave_time)[..10].to_string();
    let mut covered = vec![0u32; cart.lines.len()];
    let mut taken: std::collections::BTreeMap<(&str, &str), u32> = Default::default();
    for p in &offer.packages {
        for &(line, units) in &p.lines {
            covered[line] += units;
            *taken
                .entry((p.node.as_str(), cart.lines[line].sku.as_str()))
                .or_default() += units;
        }
    }
    let wanted: Vec<u32> = cart.lines.iter().map(|l| l.quantity as u32).collect();
    if covered != wanted {
        return Some(format!(
            "{service}: packages cover {covered:?} of {wanted:?}"
        ));
    }
    let channel = cart.channel.as_deref();
    for (&(node, sku), &units) in &taken {
        let n = file
            .nodes
            .iter()
            .find(|n| n.id == node)
            .expect("a node of the file");
        let stock = (node_atp(file, n, sku, &date)
            - buffered(file, n, |c| Some(c.id.as_str()) != channel))
        .max(0.0);
        if f64::from(units) > stock {
            return Some(format!(
                "{service}: {units} of {sku} from {node}, which has {stock} for the channel"
            ));
        }
    }
    let share = file
        .channels
        .iter()
        .find(|c| Some(c.id.as_str()) == channel)
        .and_then(|c| c.network_share);
    if let (Some(share), false) = (share, service == "pickup") {
        for sku in &file.skus {
            let network: f64 = file
                .nodes
                .iter()
                .filter(|n| {
                    n.capabilities
                        .as_ref()
                        .is_some_and(|c| c.iter().any(|c| c == "ship_to_home"))
                })
                .map(|n| node_atp(file, n, &sku.id, &date))
                .sum();
            let units: u32 = taken
                .iter()
                .filter(|((_, k), _)| *k == sku.id)
                .map(|(_, u)| u)
                .sum();
            if f64::from(units) > (share * network).floor() {
                return Some(format!(
                    "{service}: {units} of {} beyond the share {share} of {network}",
                    sku.id
                ));
            }
        }
    }
    let latest = offer.packages.iter().map(|p| p.delivery_date).max();
    (latest != Some(offer.delivery_date)).then(|| {
        format!(
            "{service}: offer on {}, latest package {latest:?}",
            offer.delivery_date
        )
    })
}

proptest! {
    #![proptest_config(Config { cases: 128, ..config() })]

    #[test]
    fn every_offer_covers_the_cart_from_the_channel_s_stock_by_its_latest_package_and_quotes_the_same_twice(
        spec in wave_spec(),
        carts in prop::collection::vec(cart_spec(), 1..4),
    ) {
        let file = spec.to_file();
        let s = build(&file);
        let records: Vec<CartRecord> = carts.iter().map(|c| c.to_record(&spec, &file)).collect();
        let promiser = Promiser::new(&s);
        let valid = promiser.validator().carts(&records);
        let valid = valid.map_err(|r| TestCaseError::fail(format!("carts refused: {r:?}")))?;
        let again = Promiser::new(&s);
        for (record, cart) in records.iter().zip(&valid) {
            let promise = promiser.quote(cart);
            prop_assert_eq!(&promise, &promiser.quote(cart), "a second quote differs");
            prop_assert_eq!(&promise, &again.quote(cart), "another promiser's quote differs");
            for option in &promise.options {
                let Outcome::Available(offer) = &option.outcome else {
                    continue;
                };
                if let Some(why) = offer_broken(&file, record, &option.service, offer) {
                    return Err(TestCaseError::fail(format!(
                        "{why}\ncart: {record:?}\nscenario: {}",
                        compact_json(&file)
                    )));
                }
            }
        }
    }
}
