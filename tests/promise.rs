//! Promising at checkout: stock available to promise by node, date and
//! channel, every service's option for a cart, and the wave keeping what
//! was promised.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use domopt::format::{LoadedScenario, ScenarioFile, read_scenario};
use domopt::promising::{
    AtpQueryRecord, Availability, CartLineRecord, CartRecord, Outcome, Promise, Promiser, Reason,
    query,
};
use domopt::{CostModel, Scenario, Settings, Strategy, check, solve};

fn dataset(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn network() -> ScenarioFile {
    read_scenario(&dataset("datasets/promise/network.json"))
        .expect("the promise network reads")
        .file
}

fn build(file: &ScenarioFile, overrides: &[String]) -> Scenario {
    let loaded = LoadedScenario {
        file: file.clone(),
        orphan_lines: vec![],
        source: "test.json".into(),
    };
    let model = CostModel::load("us-parcel").unwrap();
    let run = domopt::format::PolicyOverrides::from_assignments(overrides).unwrap();
    match domopt::validate(&loaded, &model, &run) {
        Ok((s, _)) => s,
        Err(report) => panic!("invalid: {:#?}", report.errors().collect::<Vec<_>>()),
    }
}

fn shipped(plan: &domopt::Plan) -> u32 {
    plan.orders.iter().map(|o| o.units_shipped).sum()
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn cart(zip: &str, lines: &[(&str, f64)]) -> CartRecord {
    CartRecord {
        zip: Some(zip.into()),
        lines: lines
            .iter()
            .map(|&(sku, quantity)| CartLineRecord {
                sku: sku.into(),
                quantity,
            })
            .collect(),
        ..Default::default()
    }
}

/// An order of `lines` to `zip`, every option at its default.
fn order(id: &str, zip: &str, lines: &[(&str, f64)]) -> domopt::format::OrderRecord {
    domopt::format::OrderRecord {
        id: id.into(),
        placed_at: None,
        zip: Some(zip.into()),
        lat: None,
        lon: None,
        market: None,
        lines: lines
            .iter()
            .map(|&(sku, quantity)| domopt::format::LineRecord {
                sku: sku.into(),
                quantity,
                unfilled_penalty: None,
            })
            .collect(),
        service_level: None,
        promised_date: None,
        ship_complete: None,
        max_packages: None,
        pickup_node: None,
        priority: None,
        channel: None,
        service: None,
    }
}

/// A transfer lane at the model's prices.
fn lane(from: &str, to: &str, lead_days: Option<f64>) -> domopt::format::TransferLaneRecord {
    domopt::format::TransferLaneRecord {
        from: from.into(),
        to: to.into(),
        per_package: None,
        per_unit: None,
        lead_days,
    }
}

fn quote(s: &Scenario, c: CartRecord) -> Promise {
    let p = Promiser::new(s);
    let carts = p.validator().carts(&[c]).expect("a valid cart");
    p.quote(&carts[0])
}

fn available(p: &Promise, service: &str) -> domopt::promising::Offer {
    match &p.option(service).expect("the service is listed").outcome {
        Outcome::Available(o) => o.clone(),
        other => panic!("{service} is not available: {other:?}"),
    }
}

fn reason(p: &Promise, service: &str) -> Reason {
    match &p.option(service).expect("the service is listed").outcome {
        Outcome::Unavailable { reason, .. } => *reason,
        other => panic!("{service} is available: {other:?}"),
    }
}

fn atp(s: &Scenario, sku: &str, day: &str, channel: Option<&str>) -> domopt::promising::SkuAtp {
    let p = Promiser::new(s);
    let q = p
        .validator()
        .query(&AtpQueryRecord {
            skus: vec![sku.into()],
            date: Some(day.into()),
            channel: channel.map(Into::into),
            market: None,
        })
        .expect("a valid query");
    query(&Availability::new(s), &q).remove(0)
}

fn at_node(a: &domopt::promising::SkuAtp, node: &str) -> u32 {
    a.nodes
        .iter()
        .find(|n| n.node == node)
        .map_or(0, |n| n.available)
}

#[test]
fn a_store_keeps_its_walk_in_buffer_from_every_other_channel() {
    let s = build(&network(), &[]);
    // Manhattan: 5 pants on hand, 1 reserved: 4 available, 2 kept for walk-in.
    let walk_in = atp(&s, "pants", "2026-12-18", Some("walk_in"));
    let web = atp(&s, "pants", "2026-12-18", Some("web"));
    let default = atp(&s, "pants", "2026-12-18", None);
    assert_eq!(at_node(&walk_in, "store-manhattan"), 4);
    assert_eq!(at_node(&web, "store-manhattan"), 2);
    assert_eq!(at_node(&default, "store-manhattan"), 2);
    // A DC keeps nothing for walk-in customers; its safety stock is out.
    assert_eq!(at_node(&web, "dc-reno"), 8);
    // Network: 4 + 3 + 8 before rules; the web sees 2 + 1 + 8.
    assert_eq!(web.network.atp, 15);
    assert_eq!(web.network.available, 11);
    assert_eq!(walk_in.network.available, 15);
}

#[test]
fn a_marketplace_is_promised_at_most_its_network_share() {
    let s = build(&network(), &[]);
    let market = atp(&s, "jacket", "2026-12-18", Some("marketplace"));
    // 29 jackets in the network: 30 % is 8.7, so 8.
    assert_eq!(market.network.atp, 29);
    assert_eq!(market.network.cap, Some(8));
    assert_eq!(market.network.available, 8);
    assert_eq!(
        at_node(&market, "dc-reno"),
        8,
        "a node shows at most the cap"
    );
    let mut c = cart("10001", &[("jacket", 9.0)]);
    c.channel = Some("marketplace".into());
    let p = quote(&s, c.clone());
    assert!(p.options.iter().all(|o| matches!(
        o.outcome,
        Outcome::Unavailable {
            reason: Reason::ChannelCap,
            ..
        }
    )));
    c.lines[0].quantity = 8.0;
    available(&quote(&s, c), "ground");
}

#[test]
fn a_buffer_can_cover_named_nodes_only() {
    let mut f = network();
    f.channels[1].buffer.as_mut().unwrap().node_kinds.clear();
    f.channels[1].buffer.as_mut().unwrap().nodes = vec!["dc-reno".into()];
    let s = build(&f, &[]);
    let web = atp(&s, "pants", "2026-12-18", Some("web"));
    assert_eq!(at_node(&web, "dc-reno"), 6);
    assert_eq!(at_node(&web, "store-manhattan"), 4);
}

#[test]
fn inbound_stock_counts_from_its_arrival_date() {
    let s = build(&network(), &[]);
    assert_eq!(atp(&s, "boots", "2026-12-18", None).network.atp, 0);
    assert_eq!(atp(&s, "boots", "2026-12-20", None).network.atp, 0);
    assert_eq!(atp(&s, "boots", "2026-12-21", None).network.atp, 10);
    let mut c = cart("10001", &[("boots", 2.0)]);
    assert_eq!(
        reason(&quote(&s, c.clone()), "ground"),
        Reason::NoStockInMarket
    );
    c.at = Some("2026-12-21T09:00".into());
    assert_eq!(
        available(&quote(&s, c), "ground").delivery_date,
        date("2026-12-22")
    );
}

#[test]
fn a_cart_no_node_holds_whole_splits_and_one_a_node_holds_ships_complete() {
    let s = build(&network(), &[]);
    let p = quote(
        &s,
        cart("10001", &[("jacket", 1.0), ("tshirt", 1.0), ("pants", 1.0)]),
    );
    // Ground: Newark has the jacket and the t-shirt, Manhattan the pants,
    // both a day away: Monday; Reno would take longer.
    let ground = available(&p, "ground");
    assert!(!ground.ships_complete);
    assert_eq!(ground.packages.len(), 2);
    assert_eq!(ground.delivery_date, date("2026-12-21"));
    let units: u32 = ground
        .packages
        .iter()
        .flat_map(|k| &k.lines)
        .map(|l| l.1)
        .sum();
    assert_eq!(units, 3);
    // Reno holds all three: overnight ships complete from there.
    let overnight = available(&p, "overnight");
    assert!(overnight.ships_complete);
    assert_eq!(overnight.packages[0].node, "dc-reno");
    let split = ground.packages.iter().map(|k| k.cost).sum::<f64>() + 4.0;
    assert!(
        (ground.cost - split).abs() < 1e-9,
        "the split penalty is in the cost"
    );
}

#[test]
fn two_lines_of_one_sku_split_over_packages_each_get_their_own_units() {
    // (Found by the property test: each package spread its units over the
    // lines from the first, so the second package filled line 0 again.)
    let s = build(&network(), &[]);
    let p = quote(&s, cart("10001", &[("jacket", 12.0), ("jacket", 12.0)]));
    // No node holds 24 jackets: Reno's 20 and Newark's 5 cover them.
    let ground = available(&p, "ground");
    assert_eq!(ground.packages.len(), 2);
    let mut per_line = [0u32; 2];
    for &(line, units) in ground.packages.iter().flat_map(|k| &k.lines) {
        per_line[line] += units;
    }
    assert_eq!(per_line, [12, 12]);
}

#[test]
fn pickup_is_offered_at_the_cart_s_pickup_store_the_same_day() {
    let s = build(&network(), &[]);
    let mut c = cart("10001", &[("jacket", 1.0), ("pants", 1.0)]);
    assert!(quote(&s, c.clone()).option("pickup").is_none());
    c.pickup_node = Some("store-manhattan".into());
    let pickup = available(&quote(&s, c.clone()), "pickup");
    assert_eq!(pickup.delivery_date, date("2026-12-18"));
    assert_eq!(pickup.packages[0].node, "store-manhattan");
    c.pickup_node = Some("store-brooklyn".into());
    // Brooklyn has no jacket for the web.
    assert_eq!(reason(&quote(&s, c), "pickup"), Reason::NoStockInMarket);
}

#[test]
fn no_service_promises_delivery_on_christmas_day() {
    let s = build(&network(), &[]);
    for at in [
        "2026-12-22T09:00",
        "2026-12-23T09:00",
        "2026-12-23T20:00",
        "2026-12-24T09:00",
    ] {
        for (zip, sku) in [
            ("10001", "tshirt"),
            ("90012", "jacket"),
            ("07102", "jacket"),
        ] {
            let mut c = cart(zip, &[(sku, 1.0)]);
            c.at = Some(at.into());
            for o in &quote(&s, c).options {
                if let Outcome::Available(offer) = &o.outcome {
                    for k in &offer.packages {
                        assert_ne!(
                            k.delivery_date,
                            date("2026-12-25"),
                            "{at} {zip} {}",
                            o.service
                        );
                    }
                }
            }
        }
    }
    // Overnight from Newark on Christmas Eve arrives on Monday the 28th.
    let mut c = cart("07102", &[("tshirt", 1.0)]);
    c.at = Some("2026-12-24T09:00".into());
    assert_eq!(
        available(&quote(&s, c), "overnight").delivery_date,
        date("2026-12-28")
    );
}

#[test]
fn a_late_option_says_whether_a_cutoff_a_holiday_deadline_or_the_service_is_to_blame() {
    let s = build(&network(), &[]);
    let mut c = cart("07102", &[("tshirt", 1.0)]);
    c.at = Some("2026-12-23T18:00".into());
    c.deliver_by = Some("2026-12-24".into());
    let p = quote(&s, c.clone());
    assert_eq!(reason(&p, "overnight"), Reason::CutoffPassed);
    assert_eq!(reason(&p, "two_day"), Reason::TooLate);
    c.at = Some("2026-12-23T09:00".into());
    assert_eq!(
        available(&quote(&s, c.clone()), "overnight").delivery_date,
        date("2026-12-24")
    );

    // Ground may not ship after the 21st for Christmas Eve.
    let mut f = network();
    let mut ground = CostModel::load("us-parcel").unwrap().services[0].clone();
    assert_eq!(ground.id, "ground");
    ground.holiday_deadlines = vec![domopt::format::HolidayDeadlineRecord {
        ship_by: "2026-12-21".into(),
        arrive_by: "2026-12-24".into(),
    }];
    f.services.push(ground);
    let s = build(&f, &[]);
    c.at = Some("2026-12-22T09:00".into());
    assert_eq!(
        reason(&quote(&s, c.clone()), "ground"),
        Reason::HolidayDeadline
    );
    c.deliver_by = None;
    available(&quote(&s, c), "ground");
}

#[test]
fn nodes_without_capacity_are_not_promised() {
    let mut f = network();
    for n in &mut f.nodes {
        n.capacity_orders = Some(0.0);
    }
    let s = build(&f, &[]);
    let p = quote(&s, cart("10001", &[("tshirt", 1.0)]));
    assert_eq!(reason(&p, "ground"), Reason::Capacity);
}

#[test]
fn a_service_no_node_offers_to_the_destination_is_not_offered() {
    let mut f = network();
    // Only the Manhattan store keeps pants for the walk-in channel's web view... make
    // every node but Brooklyn drop overnight: Brooklyn offers only ground.
    f.nodes.retain(|n| n.id == "store-brooklyn");
    f.inventory.retain(|r| r.node == "store-brooklyn");
    let s = build(&f, &[]);
    let p = quote(&s, cart("11201", &[("pants", 1.0)]));
    available(&p, "ground");
    assert_eq!(reason(&p, "overnight"), Reason::NotOffered);
}

#[test]
fn bad_carts_are_refused_all_at_once_with_codes() {
    let s = build(&network(), &[]);
    let p = Promiser::new(&s);
    let mut many = cart("10001", &[]);
    many.lines = (0..101)
        .map(|_| CartLineRecord {
            sku: "tshirt".into(),
            quantity: 1.0,
        })
        .collect();
    let mut unknown_channel = cart("10001", &[("tshirt", 1.0)]);
    unknown_channel.channel = Some("telephone".into());
    let mut no_pickup = cart("10001", &[("tshirt", 1.0)]);
    no_pickup.pickup_node = Some("dc-newark".into());
    let mut unknown_node = cart("10001", &[("tshirt", 1.0)]);
    unknown_node.pickup_node = Some("store-mars".into());
    let carts = [
        cart("10001", &[("socks", 1.0)]),
        cart("10001", &[("tshirt", 0.0)]),
        cart("10001", &[("tshirt", -1.0)]),
        cart("10001", &[("tshirt", 1.5)]),
        cart("10001", &[]),
        cart("00000", &[("tshirt", 1.0)]),
        many,
        unknown_channel,
        no_pickup,
        unknown_node,
    ];
    let report = p.validator().carts(&carts).expect_err("bad carts");
    let codes: Vec<&str> = report.errors().map(|i| i.code.as_str()).collect();
    for code in [
        "E102", "E103", "E104", "E109", "E106", "E117", "E128", "E114",
    ] {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
    // One bad cart among good ones: none is quoted.
    let report = p
        .validator()
        .carts(&[
            cart("10001", &[("tshirt", 1.0)]),
            cart("10001", &[("socks", 1.0)]),
        ])
        .expect_err("one bad cart");
    assert_eq!(report.errors().count(), 1);
}

#[test]
fn an_explicit_cost_scenario_has_nothing_to_quote() {
    let (s, _) = domopt::load_scenario(
        &dataset("datasets/explicit-cost/example.json"),
        "us-parcel",
        &[],
    )
    .unwrap();
    let report = Promiser::new(&s)
        .validator()
        .carts(&[cart("10001", &[(&s.skus[0].id.clone(), 1.0)])])
        .expect_err("explicit costs");
    assert!(report.errors().any(|i| i.code == "E130"));
}

#[test]
fn a_wave_leaves_the_buffers_of_channels_it_has_no_order_of() {
    let mut f = network();
    // Three web orders for pants from the Manhattan store's neighbourhood:
    // the store has 4, keeps 2 for walk-in, so the wave takes 2 there.
    f.nodes.retain(|n| n.id == "store-manhattan");
    f.inventory.retain(|r| r.node == "store-manhattan");
    f.orders = (0..3)
        .map(|k| domopt::format::OrderRecord {
            channel: Some("web".into()),
            ..order(&format!("o{k}"), "10001", &[("pants", 1.0)])
        })
        .collect();
    let s = build(&f, &[]);
    let plan = solve(&s, &Settings::default(), Strategy::Monolithic);
    assert!(check(&s, &plan).ok());
    assert_eq!(shipped(&plan), 2);
    // A walk-in order in the wave may use the walk-in units too.
    f.orders[2].channel = Some("walk_in".into());
    let s = build(&f, &[]);
    let plan = solve(&s, &Settings::default(), Strategy::Monolithic);
    assert!(check(&s, &plan).ok());
    assert_eq!(shipped(&plan), 3);
}

#[test]
fn an_order_that_chose_a_service_ships_only_by_it_and_the_checker_holds_it_to_that() {
    let mut f = network();
    let order = |service: Option<&str>| domopt::format::OrderRecord {
        service: service.map(Into::into),
        ..order("chose-overnight", "10001", &[("tshirt", 1.0)])
    };
    f.orders = vec![order(None)];
    let cheapest = solve(&build(&f, &[]), &Settings::default(), Strategy::Monolithic);
    assert_eq!(cheapest.shipments[0].service, "ground");
    f.orders = vec![order(Some("overnight"))];
    let s = build(&f, &[]);
    let mut plan = solve(&s, &Settings::default(), Strategy::Monolithic);
    assert!(check(&s, &plan).ok());
    assert_eq!(plan.shipments[0].service, "overnight");
    plan.shipments[0].service = "ground".into();
    let report = check(&s, &plan);
    assert!(
        report.violations.iter().any(|v| v.kind == "service"),
        "{report:#?}"
    );
}

#[test]
fn a_pickup_store_short_of_a_line_is_promised_a_transfer_ready_after_its_lead_time() {
    let mut f = network();
    f.transfer_lanes
        .push(lane("dc-newark", "store-brooklyn", None));
    let s = build(&f, &[]);
    let mut c = cart("11201", &[("jacket", 1.0), ("pants", 1.0)]);
    c.pickup_node = Some("store-brooklyn".into());
    let pickup = available(&quote(&s, c.clone()), "pickup");
    // Newark releases on Friday the 18th; two business days: Tuesday.
    assert_eq!(pickup.delivery_date, date("2026-12-22"));
    assert!(!pickup.ships_complete);
    let from: Vec<&str> = pickup.packages.iter().map(|k| k.node.as_str()).collect();
    assert_eq!(from, ["store-brooklyn", "dc-newark"]);
    // us-parcel's [transfers]: 3.00 a package and 0.25 a unit, plus Newark's
    // handling (1.50 and 0.25).
    assert!((pickup.packages[1].cost - (3.0 + 1.5 + 0.25 + 0.25)).abs() < 1e-9);
    // The wave plans the same: the order collected on the promised day.
    f.orders = vec![domopt::format::OrderRecord {
        promised_date: Some("2026-12-22".into()),
        pickup_node: Some("store-brooklyn".into()),
        ..order("collect", "11201", &[("jacket", 1.0), ("pants", 1.0)])
    }];
    let s = build(&f, &[]);
    let plan = solve(&s, &Settings::default(), Strategy::Monolithic);
    assert!(check(&s, &plan).ok());
    let transfer = plan
        .shipments
        .iter()
        .find(|k| k.service == "transfer")
        .expect("a transfer");
    assert_eq!(transfer.delivery_date, date("2026-12-22"));
    assert!((plan.orders[0].cost - pickup.cost).abs() < 1e-6);
}

#[test]
fn a_transfer_is_released_on_its_source_s_clock_in_the_wave_and_the_promise_alike() {
    let mut f = network();
    // 10:00 in New York on Wednesday is midnight into Thursday in Tokyo.
    f.wave_time = "2026-12-16T10:00".into();
    f.time_zone = Some("America/New_York".into());
    for n in &mut f.nodes {
        if n.id == "dc-reno" {
            n.time_zone = Some("Asia/Tokyo".into());
        }
    }
    f.transfer_lanes
        .push(lane("dc-reno", "store-brooklyn", Some(1.0)));
    let s = build(&f, &[]);
    let mut c = cart("11201", &[("tshirt", 1.0)]);
    c.pickup_node = Some("store-brooklyn".into());
    let pickup = available(&quote(&s, c), "pickup");
    assert_eq!(pickup.packages[0].ship_date, date("2026-12-17"));
    assert_eq!(pickup.delivery_date, date("2026-12-18"));
    f.orders = vec![domopt::format::OrderRecord {
        promised_date: None,
        pickup_node: Some("store-brooklyn".into()),
        ..order("collect", "11201", &[("tshirt", 1.0)])
    }];
    let s = build(&f, &[]);
    let plan = solve(&s, &Settings::default(), Strategy::Monolithic);
    let report = check(&s, &plan);
    assert!(report.ok(), "{report:#?}");
    assert_eq!(plan.shipments[0].service, "transfer");
    assert_eq!(plan.shipments[0].ship_date, date("2026-12-17"));
    assert_eq!(plan.shipments[0].delivery_date, date("2026-12-18"));
}

#[test]
fn nothing_is_promised_or_planned_for_after_9999_12_31_the_last_day_a_plan_can_name() {
    let mut f = network();
    f.transfer_lanes
        .push(lane("dc-newark", "store-brooklyn", None));
    let s = build(&f, &[]);
    let last = date("9999-12-31");
    // Friday 9999-12-31: Brooklyn's pants are ready that day, Newark's
    // jacket (a transfer) two business days later, in year 10000.
    let mut c = cart("11201", &[("pants", 1.0), ("jacket", 1.0)]);
    c.at = Some("9999-12-31T09:00".into());
    c.pickup_node = Some("store-brooklyn".into());
    let p = quote(&s, c.clone());
    assert_eq!(reason(&p, "pickup"), Reason::NoDate);
    for service in ["ground", "two_day", "overnight"] {
        assert_eq!(reason(&p, service), Reason::NoDate, "{service}");
    }
    c.lines.pop();
    let one = available(&quote(&s, c), "pickup");
    assert_eq!((one.delivery_date, one.packages[0].ship_date), (last, last));
    // The wave of that day plans alike: Brooklyn's pants, the jacket unfilled.
    f.wave_time = "9999-12-31T09:00".into();
    f.orders = vec![
        domopt::format::OrderRecord {
            pickup_node: Some("store-brooklyn".into()),
            ..order("collect", "11201", &[("pants", 1.0), ("jacket", 1.0)])
        },
        order("home", "11201", &[("tshirt", 1.0)]),
    ];
    let s = build(&f, &[]);
    let plan = solve(&s, &Settings::default(), Strategy::Monolithic);
    let report = check(&s, &plan);
    assert!(report.ok(), "{report:#?}");
    assert_eq!(shipped(&plan), 1);
    assert!(plan.shipments.iter().all(|k| k.delivery_date <= last));
}
