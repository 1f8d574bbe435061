//! Carrier calendars: transit and delivery dates skip a carrier's
//! non-delivery days in the optimiser and in the independent checker alike,
//! on hand-made cases (Christmas 2026, New Year 2028 observed on Friday
//! 2027-12-31, a Saturday-delivery service, a user calendar, a long holiday
//! stretch), and bad calendars are refused with a code.

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
    let l = loaded(v);
    let model = CostModel::load("us-parcel").unwrap();
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
