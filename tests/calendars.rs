//! Carrier calendars: transit and delivery dates skip a carrier's
//! non-delivery days in the optimiser and in the independent checker alike,
//! on hand-made cases (Christmas 2026, New Year 2028 observed on Friday
//! 2027-12-31, a Saturday-delivery service, a user calendar, a long holiday
//! stretch), and bad calendars are refused with a code. A carrier picks up
//! on none of its calendar's dates; cutoffs are read on the node's clock
//! when the scenario and the node have time zones; a cost model may define
//! calendars (`tests/models/calendar-model.toml`).

use std::path::PathBuf;

use chrono::NaiveDate;
use domopt::format::{LoadedScenario, PolicyOverrides, ScenarioFile};
use domopt::plan::Plan;
use domopt::solution::check::{Input, check_input};
use domopt::{CostModel, IssueCode, Settings, Severity, Strategy, solve, validate};
use serde_json::{Value, json};

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// One DC near Chicago shipping one widget to a destination in zone 2, by the
/// services named (the preset's, or the scenario's own in `services`).
fn wave(wave_time: &str, offered: &[&str], services: Value, calendars: Value) -> Value {
    json!({
        "name": "calendar-case",
        "wave_time": wave_time,
        "nodes": [{
            "id": "dc",
            "kind": "dc",
            "lat": 41.0,
            "lon": -88.0,
            "services": offered.iter().map(|s| json!({ "service": s })).collect::<Vec<_>>()
        }],
        "skus": [{ "id": "widget", "weight_lb": 1.0 }],
        "services": services,
        "calendars": calendars,
        "inventory": [{ "node": "dc", "sku": "widget", "on_hand": 5 }],
        "orders": [{
            "id": "o1",
            "lat": 42.0,
            "lon": -88.0,
            "lines": [{ "sku": "widget", "quantity": 1 }]
        }]
    })
}

/// A scenario service `id` with one transit day in every zone.
fn service(id: &str, extra: Value) -> Value {
    let mut s = json!({
        "id": id,
        "per_package": [5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0],
        "transit_days": [1, 1, 1, 1, 1, 1, 1, 1]
    });
    s.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    s
}

fn loaded(v: Value) -> LoadedScenario {
    let file: ScenarioFile = serde_json::from_value(v).expect("well-formed scenario");
    LoadedScenario {
        file,
        orphan_lines: Vec::new(),
        source: PathBuf::from("calendar-case.json"),
    }
}

/// Solves the wave under us-parcel, checks the plan with the checker's own
/// reading of the input, and returns the plan.
fn solve_and_check(v: Value) -> (Plan, Input) {
    solve_and_check_under(v, &CostModel::load("us-parcel").unwrap())
}

/// Solves the wave under `model` and checks the plan as [`solve_and_check`].
fn solve_and_check_under(v: Value, model: &CostModel) -> (Plan, Input) {
    let l = loaded(v);
    let model = model.clone();
    let run = PolicyOverrides::default();
    let (s, _) = validate(&l, &model, &run).expect("valid scenario");
    let plan = solve(&s, &Settings::default(), Strategy::Monolithic);
    let input = Input::from_wire(&l, &model, &run).expect("the checker reads the input");
    let report = check_input(&input, &plan);
    assert!(report.ok(), "{:?}", report.violations);
    assert!(domopt::check(&s, &plan).ok());
    (plan, input)
}

fn only_delivery(plan: &Plan) -> (NaiveDate, NaiveDate) {
    assert_eq!(plan.shipments.len(), 1);
    (plan.shipments[0].ship_date, plan.shipments[0].delivery_date)
}

#[test]
fn a_christmas_eve_wave_overnight_delivers_monday_28_december_not_christmas_day() {
    // Thursday 24 Dec 2026; us-parcel's overnight follows the UPS calendar.
    let (plan, _) = solve_and_check(wave(
        "2026-12-24T09:00",
        &["overnight"],
        json!([]),
        json!({}),
    ));
    assert_eq!(
        only_delivery(&plan),
        (date("2026-12-24"), date("2026-12-28"))
    );
}

#[test]
fn a_service_without_a_calendar_keeps_counting_monday_to_friday() {
    let (plan, _) = solve_and_check(wave(
        "2026-12-24T09:00",
        &["own"],
        json!([service("own", json!({}))]),
        json!({}),
    ));
    assert_eq!(only_delivery(&plan).1, date("2026-12-25"));
}

#[test]
fn new_year_2028_observed_on_friday_31_december_2027_is_skipped() {
    // Thursday 30 Dec 2027 + 1 delivery day: Friday 31 is New Year observed.
    for calendar in ["ups", "fedex", "usps"] {
        let (plan, _) = solve_and_check(wave(
            "2027-12-30T09:00",
            &["own"],
            json!([service("own", json!({ "calendar": calendar }))]),
            json!({}),
        ));
        assert_eq!(only_delivery(&plan).1, date("2028-01-03"), "{calendar}");
    }
}

#[test]
fn a_saturday_delivery_service_delivers_on_saturday_but_not_on_christmas_day() {
    let sat = json!({ "calendar": "ups", "saturday_delivery": true });
    let (plan, _) = solve_and_check(wave(
        "2026-12-24T09:00",
        &["own"],
        json!([service("own", sat.clone())]),
        json!({}),
    ));
    assert_eq!(only_delivery(&plan).1, date("2026-12-26"));
    // A Friday wave delivers the next day, Saturday 5 December.
    let (plan, _) = solve_and_check(wave(
        "2026-12-04T09:00",
        &["own"],
        json!([service("own", sat)]),
        json!({}),
    ));
    assert_eq!(only_delivery(&plan).1, date("2026-12-05"));
}

#[test]
fn a_user_calendar_and_a_long_holiday_stretch_are_skipped() {
    // The carrier rests from Monday 21 Dec 2026 to Friday 8 Jan 2027.
    let closed: Vec<String> = (0..19)
        .map(|k| (date("2026-12-21") + chrono::Days::new(k)).to_string())
        .collect();
    let (plan, _) = solve_and_check(wave(
        "2026-12-18T09:00",
        &["own"],
        json!([service("own", json!({ "calendar": "my-carrier" }))]),
        json!({ "my-carrier": closed }),
    ));
    assert_eq!(
        only_delivery(&plan),
        (date("2026-12-18"), date("2027-01-11"))
    );
}

#[test]
fn a_user_calendar_of_a_built_in_name_replaces_it() {
    // `ups` redefined to rest on Christmas Eve only: Christmas Day delivers.
    let (plan, _) = solve_and_check(wave(
        "2026-12-23T09:00",
        &["overnight"],
        json!([]),
        json!({ "ups": ["2026-12-24"] }),
    ));
    assert_eq!(only_delivery(&plan).1, date("2026-12-25"));
}

#[test]
fn the_checker_catches_a_plan_that_claims_delivery_on_christmas_day() {
    let (mut plan, input) = solve_and_check(wave(
        "2026-12-24T09:00",
        &["overnight"],
        json!([]),
        json!({}),
    ));
    plan.shipments[0].delivery_date = date("2026-12-25");
    let report = check_input(&input, &plan);
    assert!(!report.ok());
    assert!(
        report.violations.iter().any(|v| v.kind == "dates"),
        "{:?}",
        report.violations
    );
}

/// The errors (not the warnings) of a refused scenario: code and field.
fn codes(v: Value) -> Vec<(IssueCode, String)> {
    let model = CostModel::load("us-parcel").unwrap();
    let report = validate(&loaded(v), &model, &PolicyOverrides::default())
        .expect_err("the scenario is refused");
    report
        .issues
        .iter()
        .filter(|i| i.severity == Severity::Error)
        .map(|i| (i.code, i.field.clone()))
        .collect()
}

#[test]
fn an_unknown_calendar_is_e123() {
    let found = codes(wave(
        "2026-12-24T09:00",
        &["own"],
        json!([service("own", json!({ "calendar": "dhl" }))]),
        json!({}),
    ));
    assert_eq!(
        found,
        [(IssueCode::UnknownCalendar, "calendar".to_string())]
    );
}

#[test]
fn an_unparseable_or_out_of_range_calendar_date_is_e110() {
    let found = codes(wave(
        "2026-12-24T09:00",
        &["own"],
        json!([service("own", json!({ "calendar": "mine" }))]),
        json!({ "mine": ["2026-12-24", "24/12/2026", "1899-12-25", "2026-02-30"] }),
    ));
    assert_eq!(
        found,
        [
            (IssueCode::BadDate, "calendars.mine[1]".to_string()),
            (IssueCode::BadDate, "calendars.mine[2]".to_string()),
            (IssueCode::BadDate, "calendars.mine[3]".to_string()),
        ]
    );
}

#[test]
fn a_christmas_eve_wave_after_the_cutoff_is_picked_up_monday_28_december_not_christmas_day() {
    // Thursday 24 Dec 2026 16:00, after a 15:00 cutoff: UPS rests on Friday
    // 25, so ground picks up on Monday 28 and, two days to zone 2, delivers
    // on Wednesday 30.
    let mut v = wave("2026-12-24T16:00", &["ground"], json!([]), json!({}));
    v["nodes"][0]["services"][0]["cutoff"] = json!("15:00");
    let (plan, _) = solve_and_check(v);
    assert_eq!(
        only_delivery(&plan),
        (date("2026-12-28"), date("2026-12-30"))
    );
}

#[test]
fn a_cutoff_just_missed_before_new_year_observed_on_a_friday_ships_the_next_monday() {
    // Thursday 30 Dec 2027; UPS observes New Year 2028 on Friday 31.
    let at = |t: &str| {
        let mut v = wave(t, &["overnight"], json!([]), json!({}));
        v["nodes"][0]["services"][0]["cutoff"] = json!("15:00");
        only_delivery(&solve_and_check(v).0)
    };
    assert_eq!(
        at("2027-12-30T15:00"),
        (date("2027-12-30"), date("2028-01-03"))
    );
    assert_eq!(
        at("2027-12-30T15:01"),
        (date("2028-01-03"), date("2028-01-04"))
    );
}

#[test]
fn a_user_calendar_stops_the_carriers_pickups_too() {
    // The carrier rests on Friday 4 and Monday 7 December 2026.
    let (plan, _) = solve_and_check(wave(
        "2026-12-04T09:00",
        &["own"],
        json!([service("own", json!({ "calendar": "mine" }))]),
        json!({ "mine": ["2026-12-04", "2026-12-07"] }),
    ));
    assert_eq!(
        only_delivery(&plan),
        (date("2026-12-08"), date("2026-12-09"))
    );
}

#[test]
fn a_saturday_delivery_service_picked_up_on_friday_delivers_on_saturday() {
    let sat = json!({ "calendar": "ups", "saturday_delivery": true });
    let (plan, _) = solve_and_check(wave(
        "2026-12-11T09:00",
        &["own"],
        json!([service("own", sat)]),
        json!({}),
    ));
    assert_eq!(
        only_delivery(&plan),
        (date("2026-12-11"), date("2026-12-12"))
    );
}

#[test]
fn the_checker_catches_a_plan_that_ships_on_a_carrier_holiday() {
    let mut v = wave("2026-12-24T16:00", &["ground"], json!([]), json!({}));
    v["nodes"][0]["services"][0]["cutoff"] = json!("15:00");
    let (mut plan, input) = solve_and_check(v);
    plan.shipments[0].ship_date = date("2026-12-25");
    plan.shipments[0].delivery_date = date("2026-12-28");
    let report = check_input(&input, &plan);
    assert!(
        report.violations.iter().any(|v| v.kind == "dates"),
        "{:?}",
        report.violations
    );
}

/// The test model defining calendars of its own.
fn calendar_model() -> CostModel {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/models/calendar-model.toml"
    );
    CostModel::load(path).expect("the test model loads")
}

#[test]
fn a_cost_model_defines_a_calendar_that_pickups_and_transit_skip() {
    // `regional` rests on 24, 25 and 28 December: a Thursday 24 wave is
    // picked up on Tuesday 29 and delivered on Wednesday 30.
    let (plan, _) = solve_and_check_under(
        wave("2026-12-24T09:00", &["regional"], json!([]), json!({})),
        &calendar_model(),
    );
    assert_eq!(
        only_delivery(&plan),
        (date("2026-12-29"), date("2026-12-30"))
    );
}

#[test]
fn a_cost_model_calendar_replaces_a_built_in_and_a_scenario_calendar_replaces_the_models() {
    // The model's `ups` rests on Wednesday 23 only: picked up Thursday 24,
    // delivered on Christmas Day.
    let (plan, _) = solve_and_check_under(
        wave("2026-12-23T09:00", &["parcel"], json!([]), json!({})),
        &calendar_model(),
    );
    assert_eq!(
        only_delivery(&plan),
        (date("2026-12-24"), date("2026-12-25"))
    );
    // The scenario's `regional` (no rest day) wins over the model's.
    let (plan, _) = solve_and_check_under(
        wave(
            "2026-12-24T09:00",
            &["regional"],
            json!([]),
            json!({ "regional": [] }),
        ),
        &calendar_model(),
    );
    assert_eq!(
        only_delivery(&plan),
        (date("2026-12-24"), date("2026-12-25"))
    );
}

#[test]
fn a_bad_date_in_a_cost_model_calendar_is_e110() {
    let mut model = calendar_model();
    model
        .calendars
        .insert("broken".into(), vec!["2026-13-01".into()]);
    let report = validate(
        &loaded(wave(
            "2026-12-24T09:00",
            &["regional"],
            json!([]),
            json!({}),
        )),
        &model,
        &PolicyOverrides::default(),
    )
    .expect_err("the model's calendar is refused");
    let errors: Vec<_> = report
        .errors()
        .map(|i| (i.code, i.record.clone()))
        .collect();
    assert_eq!(
        errors,
        [(IssueCode::BadDate, "model calendar broken".to_string())]
    );
}

/// The one-DC wave with a 15:00 cutoff on `own`, the scenario written on
/// `scenario_zone`'s clock and the DC on `node_zone`'s.
fn zoned_wave(wave_time: &str, scenario_zone: Option<&str>, node_zone: Option<&str>) -> Value {
    let mut v = wave(
        wave_time,
        &["own"],
        json!([service("own", json!({}))]),
        json!({}),
    );
    v["nodes"][0]["services"][0]["cutoff"] = json!("15:00");
    if let Some(z) = scenario_zone {
        v["time_zone"] = json!(z);
    }
    if let Some(z) = node_zone {
        v["nodes"][0]["time_zone"] = json!(z);
    }
    v
}

#[test]
fn a_new_york_wave_at_16_30_makes_a_15_00_cutoff_in_los_angeles_but_not_in_new_york() {
    // Tuesday 1 December 2026, 16:30 Eastern = 13:30 Pacific.
    let ship = |node_zone| {
        let v = zoned_wave("2026-12-01T16:30", Some("America/New_York"), node_zone);
        only_delivery(&solve_and_check(v).0).0
    };
    assert_eq!(ship(Some("America/Los_Angeles")), date("2026-12-01"));
    assert_eq!(ship(Some("America/New_York")), date("2026-12-02"));
    // A node without a zone is on the scenario's clock.
    assert_eq!(ship(None), date("2026-12-02"));
    // No zones at all: one local time, as before zones existed.
    let v = zoned_wave("2026-12-01T16:30", None, None);
    assert_eq!(only_delivery(&solve_and_check(v).0).0, date("2026-12-02"));
}

#[test]
fn a_new_york_wave_makes_a_london_cutoff_only_while_the_us_alone_is_on_summer_time() {
    // 10:30 in New York is 15:30 in London, but 14:30 between the US change
    // (8 March 2026) and the UK one (29 March).
    let ship = |t: &str| {
        let v = zoned_wave(t, Some("America/New_York"), Some("Europe/London"));
        only_delivery(&solve_and_check(v).0).0
    };
    assert_eq!(ship("2026-03-03T10:30"), date("2026-03-04"));
    assert_eq!(ship("2026-03-10T10:30"), date("2026-03-10"));
    assert_eq!(ship("2026-03-31T10:30"), date("2026-04-01"));
}

#[test]
fn the_checker_catches_a_plan_that_reads_the_cutoff_on_the_wrong_clock() {
    let v = zoned_wave(
        "2026-12-01T16:30",
        Some("America/New_York"),
        Some("America/Los_Angeles"),
    );
    let (mut plan, input) = solve_and_check(v);
    plan.shipments[0].ship_date = date("2026-12-02");
    plan.shipments[0].delivery_date = date("2026-12-03");
    let report = check_input(&input, &plan);
    assert!(
        report.violations.iter().any(|v| v.kind == "dates"),
        "{:?}",
        report.violations
    );
}

#[test]
fn an_unknown_time_zone_is_e124_and_a_node_zone_without_a_scenario_zone_is_e125() {
    let v = zoned_wave("2026-12-01T16:30", Some("Eastern"), Some("Mars/Olympus"));
    assert_eq!(
        codes(v),
        [
            (IssueCode::UnknownTimeZone, "time_zone".to_string()),
            (IssueCode::UnknownTimeZone, "time_zone".to_string()),
        ]
    );
    let v = zoned_wave("2026-12-01T16:30", None, Some("America/Los_Angeles"));
    assert_eq!(
        codes(v),
        [(
            IssueCode::NodeZoneWithoutScenarioZone,
            "time_zone".to_string()
        )]
    );
}

#[test]
fn the_checker_reads_every_wave_time_of_a_year_on_each_nodes_clock_as_the_optimiser_does() {
    use domopt::network::calendar::local_wave_time;
    let zones = [
        Some("America/Los_Angeles"),
        Some("Europe/London"),
        Some("Australia/Lord_Howe"),
        Some("Asia/Kathmandu"),
        Some("America/New_York"),
        None,
    ];
    for scenario_zone in ["America/New_York", "Australia/Lord_Howe", "UTC"] {
        let mut v = zoned_wave("2026-01-01T00:00", Some(scenario_zone), None);
        let dc = v["nodes"][0].clone();
        v["nodes"] = zones
            .iter()
            .enumerate()
            .map(|(k, z)| {
                let mut n = dc.clone();
                n["id"] = json!(if k == 0 { "dc".into() } else { format!("n{k}") });
                n["time_zone"] = json!(z);
                n
            })
            .collect();
        let model = CostModel::load("us-parcel").unwrap();
        let (mut s, _) = validate(&loaded(v), &model, &PolicyOverrides::default()).unwrap();
        let start = s.wave_time;
        let year = (0..(2 * 24 * 366)).map(|k| start + chrono::Duration::minutes(30 * k));
        // The first and last wave times validation accepts, and one far ahead.
        let ends = ["1900-01-01T00:00", "2100-07-01T16:30", "9999-12-31T23:59"]
            .map(|t| chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M").unwrap());
        for t in year.chain(ends) {
            s.wave_time = t;
            let input = Input::from_scenario(&s);
            for (node, cnode) in s.nodes.iter().zip(&input.nodes) {
                assert_eq!(
                    local_wave_time(&s, node),
                    domopt::solution::check::dates::wave_at(s.wave_time, input.zone, cnode),
                    "{scenario_zone} {} -> {:?}",
                    s.wave_time,
                    node.time_zone
                );
            }
        }
    }
}

#[test]
fn services_following_one_calendar_share_its_dates_instead_of_copying_them() {
    // Ten years of daily rest days, named by three services: held once.
    let long: Vec<String> = (0..3653)
        .map(|k| (date("2030-01-01") + chrono::Days::new(k)).to_string())
        .collect();
    let services = json!([
        service("a", json!({ "calendar": "long" })),
        service("b", json!({ "calendar": "long" })),
        service(
            "c",
            json!({ "calendar": "long", "saturday_delivery": true })
        ),
        service(
            "d",
            json!({ "calendar": "long", "saturday_delivery": true })
        ),
    ]);
    let v = wave(
        "2026-12-01T09:00",
        &["a"],
        services,
        json!({ "long": long }),
    );
    let model = CostModel::load("us-parcel").unwrap();
    let (s, _) = validate(&loaded(v), &model, &PolicyOverrides::default()).unwrap();
    let identity = |id: &str| {
        s.services[s.service_index(id).unwrap()]
            .delivery
            .dates_identity()
    };
    assert_eq!(identity("a"), identity("b"));
    assert_eq!(identity("c"), identity("d"));
    let input = Input::from_scenario(&s);
    let set = |id: &str| input.services[input.service_ix[id]].no_delivery.clone();
    assert!(std::sync::Arc::ptr_eq(&set("a"), &set("b")));
    assert_eq!(set("a").len(), 3653);
}

/// A loader bug applied to the domain of `v`: the plan solved on the wrong
/// domain must be refused by the checker's own reading of the input.
fn loader_bug_is_caught(v: Value, bug: fn(&mut domopt::Scenario)) {
    let l = loaded(v);
    let model = CostModel::load("us-parcel").unwrap();
    let run = PolicyOverrides::default();
    let (mut s, _) = validate(&l, &model, &run).expect("valid scenario");
    bug(&mut s);
    let plan = solve(&s, &Settings::default(), Strategy::Monolithic);
    assert!(domopt::check(&s, &plan).ok(), "the shared domain hides it");
    let own = Input::from_wire(&l, &model, &run).unwrap();
    let report = check_input(&own, &plan);
    assert!(
        report.violations.iter().any(|v| v.kind == "dates"),
        "{:#?}",
        report.violations
    );
}

#[test]
fn a_loader_that_drops_a_nodes_time_zone_or_a_carriers_calendar_is_caught_by_the_checker() {
    let zoned = zoned_wave(
        "2026-12-01T16:30",
        Some("America/New_York"),
        Some("America/Los_Angeles"),
    );
    loader_bug_is_caught(zoned.clone(), |s| s.nodes[0].time_zone = None);
    loader_bug_is_caught(zoned, |s| s.time_zone = None);
    let mut christmas = wave("2026-12-24T16:00", &["ground"], json!([]), json!({}));
    christmas["nodes"][0]["services"][0]["cutoff"] = json!("15:00");
    loader_bug_is_caught(christmas, |s| {
        for v in &mut s.services {
            v.delivery = Default::default();
        }
    });
}
