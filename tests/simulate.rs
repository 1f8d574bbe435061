//! Peak simulation (`domopt simulate`): stock, capacity, cancellations,
//! replenishment and returns carried from wave to wave; the clairvoyant
//! bound below every strategy; the same run for a seed whatever the thread
//! count; bad arrival files and settings refused with their codes and
//! nothing written.

use std::path::Path;
use std::process::Command;

use chrono::NaiveDateTime;
use domopt::format::{LoadedScenario, PolicyOverrides, read_scenario};
use domopt::simulation::{
    Forecast, Profile, SimOptions, SimStrategy, Simulation, WaveRule, parse_time, simulate,
};
use domopt::{CostModel, DEFAULT_MODEL, DomoptError, IssueCode, Settings, Strategy};
use serde_json::json;

use crate::common;

const BIN: &str = env!("CARGO_BIN_EXE_domopt");

fn t(s: &str) -> NaiveDateTime {
    parse_time(s).unwrap()
}

/// One DC in Chicago with `stock` units of one SKU (and `capacity`
/// packages), and one order of one unit per arrival time.
fn one_node(dir: &Path, stock: u32, capacity: Option<u32>, orders: usize) -> LoadedScenario {
    // The DC takes returns too; the mug is dear enough that a returned one
    // is worth restocking rather than sending back to the vendor.
    let orders: Vec<_> = (0..orders)
        .map(|k| json!({"id": format!("O{k}"), "zip": "60611", "lines": [{"sku": "mug", "quantity": 1}]}))
        .collect();
    let scenario = json!({
        "name": "one-node",
        "wave_time": "2026-12-14T00:00",
        "nodes": [{
            "id": "dc", "kind": "dc", "zip": "60607",
            "capacity_orders": capacity,
            "capabilities": ["ship_to_home", "returns"],
            "services": [{"service": "ground", "cutoff": "23:00"}]
        }],
        "skus": [{"id": "mug", "weight_lb": 1.0, "price": 100.0}],
        "inventory": [{"node": "dc", "sku": "mug", "on_hand": stock}],
        "orders": orders
    });
    let path = dir.join("s.json");
    std::fs::write(&path, serde_json::to_vec(&scenario).unwrap()).unwrap();
    read_scenario(&path).unwrap()
}

fn options(strategies: &[SimStrategy]) -> SimOptions {
    let mut o = SimOptions::new(Settings {
        threads: 1,
        time_limit_s: 10.0,
        ..Settings::default()
    });
    o.strategies = strategies.to_vec();
    o.waves = WaveRule::Every(chrono::Duration::hours(1));
    o.parallel = 2;
    o
}

fn run(
    loaded: &LoadedScenario,
    arrivals: Vec<NaiveDateTime>,
    o: &SimOptions,
) -> Result<Simulation, DomoptError> {
    let model = CostModel::load(DEFAULT_MODEL).unwrap();
    let start = arrivals
        .iter()
        .min()
        .unwrap()
        .date()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let end = *arrivals.iter().max().unwrap();
    simulate(
        loaded,
        &model,
        &PolicyOverrides::default(),
        arrivals,
        Forecast::Flat { start, end },
        o,
        &|_, _, _| {},
    )
}

fn hourly(n: usize) -> Vec<NaiveDateTime> {
    (0..n)
        .map(|k| t("2026-12-14T09:30") + chrono::Duration::hours(k as i64))
        .collect()
}

const AUTO: SimStrategy = SimStrategy::Plan(Strategy::Auto);

#[test]
fn stock_shipped_in_one_wave_is_gone_for_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let loaded = one_node(dir.path(), 3, None, 5);
    let sim = run(&loaded, hourly(5), &options(&[AUTO])).unwrap();
    let waves = &sim.runs[0].waves;
    assert_eq!(waves.len(), 5);
    let stockouts: Vec<u64> = waves.iter().map(|w| w.stockout_units).collect();
    assert_eq!(stockouts, vec![0, 0, 0, 1, 1]);
    assert_eq!(sim.runs[0].horizon.stockout_units, 2);
    assert_eq!(sim.runs[0].horizon.packages, 3);
}

#[test]
fn daily_capacity_is_shared_by_the_waves_of_a_day() {
    let dir = tempfile::tempdir().unwrap();
    let loaded = one_node(dir.path(), 10, Some(2), 3);
    let sim = run(&loaded, hourly(3), &options(&[AUTO])).unwrap();
    let packages: Vec<usize> = sim.runs[0].waves.iter().map(|w| w.packages).collect();
    assert_eq!(packages, vec![1, 1, 0], "the node ships two packages a day");
}

#[test]
fn replenishment_brings_a_dc_back_to_its_start_the_next_day() {
    let dir = tempfile::tempdir().unwrap();
    let loaded = one_node(dir.path(), 1, None, 3);
    let arrivals = vec![
        t("2026-12-14T10:00"),
        t("2026-12-14T11:00"),
        t("2026-12-15T10:00"),
    ];
    let mut o = options(&[AUTO]);
    let without = run(&loaded, arrivals.clone(), &o).unwrap();
    assert_eq!(without.runs[0].horizon.stockout_units, 2);
    o.replenish_at = Some(chrono::NaiveTime::from_hms_opt(5, 0, 0).unwrap());
    let with = run(&loaded, arrivals, &o).unwrap();
    let w = &with.runs[0].waves;
    assert_eq!(
        w.iter().map(|r| r.replenished_units).collect::<Vec<_>>(),
        vec![0, 0, 1]
    );
    assert_eq!(
        with.runs[0].horizon.stockout_units, 1,
        "the second order still finds none"
    );
}

#[test]
fn a_cancelled_order_gives_its_units_back_before_its_package_leaves() {
    let dir = tempfile::tempdir().unwrap();
    let loaded = one_node(dir.path(), 1, None, 2);
    let mut o = options(&[AUTO]);
    // Order 0 comes at 09:30 and is planned at 10:00; every order is
    // cancelled 40 minutes after it is placed, before the 23:00 cutoff
    // (order 1's at 11:10, after the last cut: outside the horizon).
    o.cancel_rate = 1.0;
    o.cancel_after = chrono::Duration::minutes(40);
    let sim = run(
        &loaded,
        vec![t("2026-12-14T09:30"), t("2026-12-14T10:30")],
        &o,
    )
    .unwrap();
    let w = &sim.runs[0].waves;
    assert_eq!(w[0].packages, 1);
    assert_eq!(w[1].released_units, 1, "order 0's unit comes back at 10:10");
    assert_eq!(w[1].stockout_units, 0, "so order 1 is filled");
    let h = &sim.runs[0].horizon;
    assert_eq!((h.orders, h.cancelled), (1, 1));
    assert_eq!(h.packages, 1, "order 0's package does not count");
}

#[test]
fn a_cancellation_after_the_package_left_is_too_late() {
    let dir = tempfile::tempdir().unwrap();
    let loaded = one_node(dir.path(), 5, None, 2);
    let mut o = options(&[AUTO]);
    o.cancel_rate = 1.0;
    o.cancel_after = chrono::Duration::days(2);
    let sim = run(
        &loaded,
        vec![t("2026-12-14T09:30"), t("2026-12-16T12:30")],
        &o,
    )
    .unwrap();
    let h = &sim.runs[0].horizon;
    assert_eq!(h.cancelled_too_late, 1, "order 0 left at 23:00 on the 14th");
    assert_eq!(h.packages, 2);
}

#[test]
fn returned_units_are_routed_restocked_and_sold_again() {
    let dir = tempfile::tempdir().unwrap();
    let loaded = one_node(dir.path(), 1, None, 2);
    let costs: domopt::returns_routing::ReturnsFile =
        domopt::returns_routing::read_returns(Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/datasets/returns/returns.json"
        )))
        .unwrap();
    let mut o = options(&[AUTO]);
    o.return_rate = 1.0;
    o.return_days = 0;
    o.return_costs = Some(domopt::returns_routing::ReturnsFile {
        capacities: Vec::new(),
        ..costs
    });
    o.seed = 4; // a seed whose return comes back new or open box
    let sim = run(
        &loaded,
        vec![t("2026-12-14T09:30"), t("2026-12-28T09:30")],
        &o,
    )
    .unwrap();
    let h = &sim.runs[0].horizon;
    assert_eq!(h.returned_units, 1);
    let w = &sim.runs[0].waves;
    assert_eq!(w[1].restocked_units, 1, "the mug is back in the DC");
    assert_eq!(w[1].stockout_units, 0, "and ships to the second order");
}

/// A generated tiny wave (about 50 orders).
fn tiny(dir: &Path) -> LoadedScenario {
    read_scenario(&common::generate_tiny(BIN, dir, 3)).unwrap()
}

#[test]
fn the_clairvoyant_bound_is_below_every_strategys_objective_and_every_wave_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let loaded = tiny(dir.path());
    let arrivals = domopt::simulation::generate_arrivals(
        loaded.file.orders.len(),
        t("2026-12-14T00:00"),
        Profile::Day,
        2,
    );
    let all = [
        SimStrategy::Plan(Strategy::Shopify),
        SimStrategy::Plan(Strategy::GreedyCost),
        SimStrategy::Plan(Strategy::Closest),
        AUTO,
        SimStrategy::Opportunity,
    ];
    let mut o = options(&all);
    o.waves = WaveRule::Every(chrono::Duration::minutes(90));
    o.look_ahead = chrono::Duration::hours(6);
    let sim = run(&loaded, arrivals, &o).unwrap();
    let c = sim.clairvoyant.as_ref().unwrap();
    let bound = c.bound.unwrap();
    assert!(bound <= c.horizon.objective + 1e-6);
    for r in &sim.runs {
        assert!(
            bound <= r.horizon.objective + 1e-6,
            "{} {} < {bound}",
            r.strategy,
            r.horizon.objective
        );
        assert_eq!(r.horizon.orders as usize, loaded.file.orders.len());
        assert!(r.waves.len() >= 10);
    }
    let priced: u64 = sim.runs[4].waves.iter().map(|w| w.priced_rows).sum();
    assert!(priced > 0, "the look-ahead priced some stock");
}

#[test]
fn the_same_seed_gives_the_same_simulation_with_one_thread_or_two() {
    let dir = tempfile::tempdir().unwrap();
    let loaded = tiny(dir.path());
    let arrivals = domopt::simulation::generate_arrivals(
        loaded.file.orders.len(),
        t("2026-12-14T00:00"),
        Profile::Day,
        5,
    );
    let mut o = options(&[
        SimStrategy::Plan(Strategy::Shopify),
        AUTO,
        SimStrategy::Opportunity,
    ]);
    o.clairvoyant = false;
    o.cancel_rate = 0.2;
    let a = run(&loaded, arrivals.clone(), &o).unwrap();
    o.parallel = 1;
    let b = run(&loaded, arrivals, &o).unwrap();
    let rows = |s: &Simulation| {
        // Solve times differ run to run: compare everything else.
        let csv = String::from_utf8(s.waves_csv().unwrap()).unwrap();
        let at = csv
            .lines()
            .next()
            .unwrap()
            .split(',')
            .position(|h| h == "solve_s")
            .unwrap();
        csv.lines()
            .map(|l| {
                let mut f: Vec<&str> = l.split(',').collect();
                f.remove(at);
                f.join(",")
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(rows(&a), rows(&b));
}

fn codes(e: &DomoptError) -> Vec<IssueCode> {
    match e {
        DomoptError::Invalid(r) => r.issues.iter().map(|i| i.code).collect(),
        other => panic!("expected a report, got {other}"),
    }
}

#[test]
fn out_of_range_settings_are_refused_together_with_e197() {
    let mut o = options(&[AUTO, AUTO]);
    o.waves = WaveRule::Every(chrono::Duration::seconds(10));
    o.cancel_rate = 1.5;
    o.return_rate = 0.1;
    let e = o.validate().unwrap_err();
    assert_eq!(codes(&e), vec![IssueCode::BadSimulation; 4]);
}

#[test]
fn a_bad_arrival_file_is_refused_with_every_problem_and_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let loaded = one_node(dir.path(), 3, None, 4);
    let _ = loaded;
    let arrivals = dir.path().join("arrivals.csv");
    std::fs::write(
        &arrivals,
        "order,at\nO0,2026-12-14T10:00\nO1,2026-12-14T09:00\nO1,2026-12-14T11:00\nO9,2026-12-14T12:00\nO2,yesterday\n",
    )
    .unwrap();
    let ids = ["O0", "O1", "O2", "O3"];
    let e = domopt::simulation::read_arrivals(&arrivals, &ids).unwrap_err();
    assert_eq!(
        codes(&e),
        vec![
            IssueCode::UnsortedArrivals,
            IssueCode::UnknownArrivalOrder,
            IssueCode::UnknownArrivalOrder,
            IssueCode::BadArrivalTime,
            IssueCode::UnknownArrivalOrder,
        ],
        "O1 before O0, O1 twice, O9 unknown, `yesterday`, O2 and O3 missing"
    );
    let out = dir.path().join("sim");
    let run = Command::new(BIN)
        .arg("simulate")
        .arg(dir.path().join("s.json"))
        .arg("--arrivals")
        .arg(&arrivals)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    let err = String::from_utf8_lossy(&run.stderr);
    for code in ["E194", "E195", "E196"] {
        assert!(err.contains(code), "{err}");
    }
    assert!(!out.exists());
}

#[test]
fn the_cli_writes_every_file_of_a_simulation() {
    let dir = tempfile::tempdir().unwrap();
    let loaded = one_node(dir.path(), 3, None, 4);
    let _ = loaded;
    let arrivals = dir.path().join("arrivals.csv");
    std::fs::write(&arrivals, "order,at\nO0,2026-12-14T10:00\nO1,2026-12-14T10:20\nO2,2026-12-14T11:00:30\nO3,2026-12-14T13:00\n")
        .unwrap();
    let out = dir.path().join("sim");
    let run = Command::new(BIN)
        .arg("simulate")
        .arg(dir.path().join("s.json"))
        .args([
            "--strategies",
            "shopify,auto,opportunity",
            "--wave-every",
            "60",
            "--arrivals",
        ])
        .arg(&arrivals)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    for f in domopt::simulation::SIMULATE_FILES {
        assert!(out.join(f).is_file(), "{f}");
    }
    let waves = std::fs::read_to_string(out.join("waves.csv")).unwrap();
    assert_eq!(
        waves.lines().count(),
        1 + 4 * 3,
        "a header and four waves (10:00, 11:00, 12:00, 13:00) of three strategies"
    );
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(report.contains("| clairvoyant |"), "{report}");
}

#[test]
fn a_plan_solved_with_opportunity_prices_reports_its_true_cost_and_no_bound() {
    use domopt::domain::{NodeIdx, SkuIdx};
    let dir = tempfile::tempdir().unwrap();
    let loaded = one_node(dir.path(), 3, None, 1);
    let model = CostModel::load(DEFAULT_MODEL).unwrap();
    let (s, _) = domopt::validate(&loaded, &model, &PolicyOverrides::default()).unwrap();
    let settings = Settings::default();
    let plain = domopt::sourcing::run_priced(&s, &settings, Strategy::Auto, &Default::default());
    assert_eq!(plain.shipments.len(), 1);
    assert_eq!(plain.solve.priced_rows, None);

    // A unit at the DC priced above the unfilled penalty is kept back.
    let mut prices = domopt::sourcing::UnitPrices::default();
    prices.insert((NodeIdx::new(0), SkuIdx::new(0)), 1e6);
    let priced = domopt::sourcing::run_priced(&s, &settings, Strategy::Auto, &prices);
    assert!(priced.shipments.is_empty());
    assert_eq!(priced.solve.priced_rows, Some(1));
    assert_eq!(priced.solve.status, domopt::Status::Heuristic);
    assert_eq!(priced.solve.best_bound, None);
    assert!(
        domopt::check(&s, &priced).ok(),
        "the plan's costs are the true ones"
    );

    // A small price moves nothing, and the plan reports no price in its cost.
    prices.insert((NodeIdx::new(0), SkuIdx::new(0)), 0.5);
    let cheap = domopt::sourcing::run_priced(&s, &settings, Strategy::Auto, &prices);
    assert_eq!(cheap.kpis.cost.total, plain.kpis.cost.total);
    assert!(domopt::check(&s, &cheap).ok());

    let mut claims = cheap.clone();
    claims.solve.best_bound = claims.solve.objective;
    claims.solve.gap = Some(0.0);
    let report = domopt::check(&s, &claims);
    assert!(
        report
            .violations
            .iter()
            .any(|v| v.message.contains("opportunity prices")),
        "{:?}",
        report.violations
    );
}

#[test]
fn orders_arrive_at_their_own_placed_at_only_when_every_one_has_one_in_time_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut loaded = one_node(dir.path(), 3, None, 4);
    let stamps = [
        Some("2026-12-14T10:00"),
        Some("2026-12-14T09:00"),
        None,
        Some("noon"),
    ];
    for (o, p) in loaded.file.orders.iter_mut().zip(stamps) {
        o.placed_at = p.map(str::to_string);
    }
    let e = domopt::simulation::from_placed_at(&loaded.file.orders).unwrap_err();
    assert_eq!(
        codes(&e),
        vec![
            IssueCode::UnsortedArrivals,
            IssueCode::BadArrivalTime,
            IssueCode::BadArrivalTime
        ]
    );
    for (k, o) in loaded.file.orders.iter_mut().enumerate() {
        o.placed_at = Some(format!("2026-12-14T1{k}:30"));
    }
    let times = domopt::simulation::from_placed_at(&loaded.file.orders).unwrap();
    let sim = run(&loaded, times, &options(&[AUTO])).unwrap();
    assert_eq!(sim.runs[0].waves.len(), 4);
    assert_eq!(sim.runs[0].horizon.stockout_units, 1);
}

#[test]
fn arrivals_thousands_of_years_apart_are_cut_at_their_true_times() {
    let dir = tempfile::tempdir().unwrap();
    let loaded = one_node(dir.path(), 3, None, 2);
    let mut o = options(&[AUTO]);
    o.waves = WaveRule::Every(chrono::Duration::minutes(1));
    o.clairvoyant = false;
    let sim = run(
        &loaded,
        vec![t("1900-01-01T00:00:30"), t("6000-01-01T00:00:30")],
        &o,
    )
    .unwrap();
    let cuts: Vec<&str> = sim.runs[0].waves.iter().map(|w| w.at.as_str()).collect();
    assert_eq!(cuts, vec!["1900-01-01T00:01:00", "6000-01-01T00:01:00"]);
}

#[test]
fn units_kept_back_by_capacity_are_unfilled_but_not_stock_outs() {
    let dir = tempfile::tempdir().unwrap();
    let loaded = one_node(dir.path(), 10, Some(1), 2);
    let sim = run(&loaded, hourly(2), &options(&[AUTO])).unwrap();
    let h = &sim.runs[0].horizon;
    assert_eq!((h.unfilled_units, h.stockout_units), (1, 0));
    let loaded = one_node(dir.path(), 1, None, 2);
    let sim = run(&loaded, hourly(2), &options(&[AUTO])).unwrap();
    let h = &sim.runs[0].horizon;
    assert_eq!((h.unfilled_units, h.stockout_units), (1, 1));
}

#[test]
fn an_evening_wave_past_the_cutoff_uses_what_its_day_has_left() {
    let dir = tempfile::tempdir().unwrap();
    let loaded = one_node(dir.path(), 10, Some(2), 2);
    // The second order comes after the 23:00 cutoff: its package ships the
    // next day, but the node packs it tonight with the day's second slot.
    let sim = run(
        &loaded,
        vec![t("2026-12-14T10:30"), t("2026-12-14T23:20")],
        &options(&[AUTO]),
    )
    .unwrap();
    assert_eq!(sim.runs[0].horizon.packages, 2);
}

#[test]
fn orders_cancelled_after_the_last_cut_count_for_the_clairvoyant_run_too() {
    let dir = tempfile::tempdir().unwrap();
    let loaded = one_node(dir.path(), 5, None, 2);
    let mut o = options(&[AUTO]);
    o.cancel_rate = 1.0;
    o.cancel_after = chrono::Duration::days(2);
    let sim = run(&loaded, hourly(2), &o).unwrap();
    assert_eq!(sim.runs[0].horizon.orders, 2);
    assert_eq!(sim.clairvoyant.as_ref().unwrap().horizon.orders, 2);
}

#[test]
fn a_scenario_without_orders_has_nothing_to_simulate() {
    let dir = tempfile::tempdir().unwrap();
    let loaded = one_node(dir.path(), 5, None, 0);
    let model = CostModel::load(DEFAULT_MODEL).unwrap();
    let start = t("2026-12-14T00:00");
    let e = simulate(
        &loaded,
        &model,
        &PolicyOverrides::default(),
        Vec::new(),
        Forecast::Flat { start, end: start },
        &options(&[AUTO]),
        &|_, _, _| {},
    )
    .unwrap_err();
    assert_eq!(codes(&e), vec![IssueCode::BadSimulation]);
}

#[test]
fn a_million_bad_arrival_rows_are_reported_as_the_first_hundred_and_a_count() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("arrivals.csv");
    let mut text = String::from("order,at\nO0,2026-12-14T10:00\n");
    for k in 0..1_000_000 {
        text.push_str(&format!("X{k},2026-12-14T10:00\n"));
    }
    std::fs::write(&path, text).unwrap();
    let e = domopt::simulation::read_arrivals(&path, &["O0"]).unwrap_err();
    let DomoptError::Invalid(r) = e else { panic!() };
    assert_eq!(r.issues.len(), 101);
    assert!(
        r.issues[100].message.contains("999900 more"),
        "{}",
        r.issues[100].message
    );
}
