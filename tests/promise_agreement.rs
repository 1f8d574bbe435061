//! A promise and the later plan agree: carts of a generated wave are
//! promised, each order then asks for the service it was promised with that
//! date, the wave is solved, and every order arrives on exactly its promised
//! date, by the promised service, at no more than the promised cost. Where
//! orders compete for scarce stock, no order arrives before its promise.

use std::collections::HashMap;
use std::path::PathBuf;

use chrono::NaiveDate;
use domopt::format::{LoadedScenario, ScenarioFile, read_scenario};
use domopt::generate::{GenConfig, generate};
use domopt::promising::{CartLineRecord, CartRecord, Outcome, Promiser};
use domopt::{CostModel, Plan, Scenario, Settings, Strategy, check, solve};

fn generated(seed: u64, orders: usize) -> ScenarioFile {
    let dir: PathBuf = std::env::temp_dir().join(format!(
        "domopt-promise-agreement-{}-{seed}",
        std::process::id()
    ));
    let cfg = GenConfig::preset("peak-s")
        .unwrap()
        .with_overrides(&[format!("orders={orders}")])
        .unwrap();
    generate(&cfg, seed, "agreement", &dir).expect("generates");
    let file = read_scenario(&dir).expect("reads").file;
    std::fs::remove_dir_all(&dir).ok();
    file
}

fn build(file: &ScenarioFile) -> Scenario {
    let loaded = LoadedScenario {
        file: file.clone(),
        orphan_lines: vec![],
        source: "agreement.json".into(),
    };
    let model = CostModel::load("us-parcel").unwrap();
    // Lateness dearer than any saving: the wave keeps a promise it can keep.
    let run =
        domopt::format::PolicyOverrides::from_assignments(&["late_penalty_per_day=1000".into()])
            .unwrap();
    match domopt::validate(&loaded, &model, &run) {
        Ok((s, _)) => s,
        Err(r) => panic!("invalid: {:#?}", r.errors().collect::<Vec<_>>()),
    }
}

/// What was promised to an order: the service, its date and its cost.
struct Promised {
    service: String,
    date: NaiveDate,
    cost: f64,
}

/// Promises every order of `file` as a cart quoted at the wave's time; each
/// order takes one available service, in turn, and asks for it with the
/// promised date. Orders nothing can be promised to leave the wave.
fn promise_the_wave(file: &mut ScenarioFile) -> HashMap<String, Promised> {
    let s = build(file);
    let promiser = Promiser::new(&s);
    let mut promised = HashMap::new();
    let mut kept = Vec::new();
    for (k, o) in file.orders.iter().enumerate() {
        let cart = CartRecord {
            id: Some(o.id.clone()),
            lat: Some(s.orders[k].lat),
            lon: Some(s.orders[k].lon),
            market: o.market.clone(),
            pickup_node: o.pickup_node.clone(),
            lines: o
                .lines
                .iter()
                .map(|l| CartLineRecord {
                    sku: l.sku.clone(),
                    quantity: l.quantity,
                })
                .collect(),
            ..Default::default()
        };
        let carts = promiser.validator().carts(&[cart]).expect("a valid cart");
        let p = promiser.quote(&carts[0]);
        let offers: Vec<_> = p
            .options
            .iter()
            .filter(|opt| o.pickup_node.is_none() || opt.service == "pickup")
            .filter_map(|opt| match &opt.outcome {
                Outcome::Available(offer) => Some((opt.service.clone(), offer.clone())),
                Outcome::Unavailable { .. } => None,
            })
            .collect();
        if offers.is_empty() {
            continue;
        }
        let (service, offer) = offers[k % offers.len()].clone();
        let mut order = o.clone();
        order.placed_at = None;
        order.service_level = None;
        order.promised_date = Some(offer.delivery_date.to_string());
        order.ship_complete = None;
        order.max_packages = None;
        order.service = o.pickup_node.is_none().then(|| service.clone());
        promised.insert(
            o.id.clone(),
            Promised {
                service,
                date: offer.delivery_date,
                cost: offer.cost,
            },
        );
        kept.push(order);
    }
    file.orders = kept;
    promised
}

/// Every tenth order is collected at the store nearest to it, and every DC
/// may transfer stock to every store that hands out orders.
fn collect_every_tenth_order_in_store(file: &mut ScenarioFile) {
    let s = build(file);
    let stores: Vec<&domopt::domain::Node> =
        s.nodes.iter().filter(|n| n.capabilities.pickup).collect();
    assert!(!stores.is_empty());
    for (k, o) in file
        .orders
        .iter_mut()
        .enumerate()
        .filter(|(k, _)| k % 10 == 0)
    {
        let (lat, lon) = (s.orders[k].lat, s.orders[k].lon);
        let near = stores
            .iter()
            .min_by(|a, b| {
                let d = |n: &domopt::domain::Node| (n.lat - lat).powi(2) + (n.lon - lon).powi(2);
                d(a).total_cmp(&d(b))
            })
            .expect("a store");
        o.pickup_node = Some(near.id.clone());
    }
    for dc in s
        .nodes
        .iter()
        .filter(|n| n.kind == domopt::domain::NodeKind::Dc)
    {
        for store in &stores {
            file.transfer_lanes
                .push(domopt::format::TransferLaneRecord {
                    from: dc.id.clone(),
                    to: store.id.clone(),
                    per_package: None,
                    per_unit: None,
                    lead_days: None,
                });
        }
    }
}

fn solved(file: &ScenarioFile) -> (Scenario, Plan) {
    let s = build(file);
    let plan = solve(&s, &Settings::default(), Strategy::Monolithic);
    let report = check(&s, &plan);
    assert!(report.ok(), "{:#?}", report.violations);
    (s, plan)
}

/// The latest delivery of each order's shipments.
fn arrivals(plan: &Plan) -> HashMap<&str, NaiveDate> {
    let mut last: HashMap<&str, NaiveDate> = HashMap::new();
    for sh in &plan.shipments {
        let d = last.entry(sh.order.as_str()).or_insert(sh.delivery_date);
        *d = (*d).max(sh.delivery_date);
    }
    last
}

#[test]
fn with_stock_for_everyone_every_order_arrives_on_its_promised_date_by_its_service() {
    let mut file = generated(3, 300);
    for r in &mut file.inventory {
        r.on_hand *= 100.0;
    }
    for n in &mut file.nodes {
        n.capacity_orders = None;
        n.capacity_units = None;
    }
    collect_every_tenth_order_in_store(&mut file);
    let promised = promise_the_wave(&mut file);
    let pickups = promised.values().filter(|p| p.service == "pickup").count();
    assert!(pickups >= 20, "{pickups} pickup orders promised");
    assert!(
        promised.len() >= 280,
        "{} of 300 orders promised",
        promised.len()
    );
    let services: std::collections::HashSet<&str> =
        promised.values().map(|p| p.service.as_str()).collect();
    assert!(
        services.len() >= 3,
        "every kind of service is promised: {services:?}"
    );
    let (_, plan) = solved(&file);
    let arrive = arrivals(&plan);
    for o in &plan.orders {
        let p = &promised[&o.order];
        assert_eq!(
            o.units_shipped, o.units_ordered,
            "{} shipped whole",
            o.order
        );
        assert_eq!(
            arrive[o.order.as_str()],
            p.date,
            "{} arrives as promised",
            o.order
        );
        assert!(
            o.cost <= p.cost + 1e-6,
            "{}: the plan ({}) costs no more than the promise ({})",
            o.order,
            o.cost,
            p.cost
        );
    }
    let mut transfers = 0;
    for sh in &plan.shipments {
        let promised = &promised[&sh.order].service;
        if promised == "pickup" && sh.service == "transfer" {
            transfers += 1;
            continue;
        }
        assert_eq!(&sh.service, promised, "{}", sh.order);
    }
    assert!(
        transfers > 0,
        "some pickup stores are short and get a transfer"
    );
}

#[test]
fn where_orders_compete_for_stock_none_arrives_before_its_promise() {
    let mut file = generated(4, 300);
    let promised = promise_the_wave(&mut file);
    let (_, plan) = solved(&file);
    let arrive = arrivals(&plan);
    let mut on_promise = 0;
    for o in plan
        .orders
        .iter()
        .filter(|o| o.units_shipped == o.units_ordered)
    {
        let p = &promised[&o.order];
        assert!(
            arrive[o.order.as_str()] >= p.date,
            "{} arrives early",
            o.order
        );
        on_promise += usize::from(arrive[o.order.as_str()] == p.date);
    }
    assert!(
        on_promise * 10 >= plan.orders.len() * 8,
        "{on_promise} of {} on their date",
        plan.orders.len()
    );
}
