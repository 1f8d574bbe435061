//! Carrier services: the cost model's, replaced or extended by the
//! scenario's, each with its zone tables, pickup days and holiday deadlines,
//! plus the built-in pickup, transfer (and explicit-cost) services.

use chrono::Weekday;
// Fx hashing: the default SipHash was the largest cost of loading a wave.
use rustc_hash::FxHashSet as HashSet;

use crate::error::IssueCode;
use crate::input::format::{HolidayDeadlineRecord, ServiceRecord};
use crate::network::domain::{
    DeliveryDays, EXPLICIT_SERVICE, PICKUP_SERVICE, Service, TRANSFER_SERVICE, ZONES,
};

use super::calendars::Calendars;
use super::collector::Collector;

/// The services of a scenario, with what the nodes' checks need to know.
pub(super) struct Catalog {
    /// The valid services, then pickup, transfer (and explicit costs when used).
    pub services: Vec<Service>,
    /// Every service record considered, valid or not.
    pub records: Vec<ServiceRecord>,
    /// Whether every record became a service: if not, a node naming a
    /// rejected service is not reported again as naming an unknown one.
    pub all_valid: bool,
}

/// Validates the services: the model's, replaced or extended by the
/// scenario's, plus the built-in ones.
pub(super) fn services(
    c: &mut Collector,
    model: &[ServiceRecord],
    scenario: &[ServiceRecord],
    calendars: &Calendars,
    explicit_mode: bool,
) -> Catalog {
    let records = merged_records(c, model, scenario);
    let mut services: Vec<Service> = Vec::new();
    let mut all_valid = true;
    for r in &records {
        if [PICKUP_SERVICE, TRANSFER_SERVICE, EXPLICIT_SERVICE].contains(&r.id.as_str()) {
            c.error(
                IssueCode::DuplicateId,
                &format!("service {}", r.id),
                "id",
                format!("`{}` is a built-in service id", r.id),
                "rename the service",
            );
            all_valid = false;
            continue;
        }
        match service(c, r, calendars) {
            Some(s) => services.push(s),
            None => all_valid = false,
        }
    }
    services.push(pickup_service());
    services.push(transfer_service());
    if explicit_mode {
        services.push(explicit_service());
    }
    Catalog {
        services,
        records,
        all_valid,
    }
}

/// The model's records with the scenario's replacing those of the same id
/// (in place) or appended; a scenario id given twice is E101.
fn merged_records(
    c: &mut Collector,
    model: &[ServiceRecord],
    scenario: &[ServiceRecord],
) -> Vec<ServiceRecord> {
    let mut records: Vec<ServiceRecord> = model.to_vec();
    let mut seen = HashSet::default();
    for s in scenario {
        if !seen.insert(s.id.clone()) {
            c.error(
                IssueCode::DuplicateId,
                &format!("service {}", s.id),
                "id",
                "duplicate service id".into(),
                "give every service its own id",
            );
            continue;
        }
        match records.iter_mut().find(|m| m.id == s.id) {
            Some(m) => *m = s.clone(),
            None => records.push(s.clone()),
        }
    }
    records
}

/// One carrier service, or `None` if any of its values is wrong (each reported).
fn service(c: &mut Collector, r: &ServiceRecord, calendars: &Calendars) -> Option<Service> {
    let rec = format!("service {}", r.id);
    let per_package = zone_table(c, &rec, "per_package", &r.per_package);
    let per_lb = match &r.per_lb {
        Some(v) => zone_table(c, &rec, "per_lb", v),
        None => Some([0.0; ZONES]),
    };
    let per_unit = c.non_negative(&rec, "per_unit", r.per_unit.unwrap_or(0.0));
    let per_mile = c.non_negative(
        &rec,
        "per_unit_per_mile",
        r.per_unit_per_mile.unwrap_or(0.0),
    );
    let transit = transit_days(c, &rec, &r.transit_days);
    let weekdays = pickup_weekdays(c, &rec, r.pickup_weekdays.as_deref());
    let deadlines = holiday_deadlines(c, &rec, &r.holiday_deadlines);
    let delivery = delivery_days(c, &rec, r, calendars);
    Some(Service {
        id: r.id.clone(),
        carrier: r.carrier.clone().unwrap_or_default(),
        name: r.name.clone().unwrap_or_else(|| r.id.clone()),
        per_package: per_package?,
        per_lb: per_lb?,
        per_unit: per_unit?,
        per_unit_per_mile: per_mile?,
        transit_days: transit?,
        pickup_weekdays: weekdays,
        holiday_deadlines: deadlines,
        is_pickup: false,
        delivery: delivery?,
    })
}

/// The days the service delivers on: its calendar's holidays (no calendar:
/// none) and Saturday if it says so; an unknown calendar is E123.
fn delivery_days(
    c: &mut Collector,
    rec: &str,
    r: &ServiceRecord,
    calendars: &Calendars,
) -> Option<DeliveryDays> {
    let saturday = r.saturday_delivery.unwrap_or(false);
    let Some(name) = &r.calendar else {
        return Some(DeliveryDays::new(saturday, []));
    };
    match calendars.get(name) {
        Some(days) => Some(days[usize::from(saturday)].clone()),
        None => {
            let known: Vec<&str> = calendars.keys().map(String::as_str).collect();
            c.error(
                IssueCode::UnknownCalendar,
                rec,
                "calendar",
                format!("no calendar `{name}` (known: {})", known.join(", ")),
                "name a built-in calendar (ups, fedex, usps) or add it to the scenario's calendars",
            );
            None
        }
    }
}

/// Eight non-negative rates, one per zone, or E113 (E108/E116/E117 per value).
fn zone_table(c: &mut Collector, record: &str, field: &str, v: &[f64]) -> Option<[f64; ZONES]> {
    if v.len() != ZONES {
        c.error(
            IssueCode::BadZoneTable,
            record,
            field,
            format!("has {} values", v.len()),
            "give exactly 8 values, one per zone 1..8",
        );
        return None;
    }
    let mut out = [0.0; ZONES];
    let mut ok = true;
    for (k, &x) in v.iter().enumerate() {
        match c.non_negative(record, &format!("{field}[{k}]"), x) {
            Some(x) => out[k] = x,
            None => ok = false,
        }
    }
    ok.then_some(out)
}

/// Eight whole transit day counts, one per zone, or E113 (day checks per value).
fn transit_days(c: &mut Collector, rec: &str, days: &[f64]) -> Option<[u32; ZONES]> {
    if days.len() != ZONES {
        c.error(
            IssueCode::BadZoneTable,
            rec,
            "transit_days",
            format!("has {} values", days.len()),
            "give exactly 8 whole numbers, one per zone 1..8",
        );
        return None;
    }
    let mut t = [0u32; ZONES];
    let mut ok = true;
    for (k, &x) in days.iter().enumerate() {
        match c.days(rec, &format!("transit_days[{k}]"), x) {
            Some(x) => t[k] = x,
            None => ok = false,
        }
    }
    ok.then_some(t)
}

/// The weekdays the carrier picks up (Mon..Fri when not given); wrong ones
/// are reported and left out.
fn pickup_weekdays(c: &mut Collector, rec: &str, given: Option<&[String]>) -> Vec<Weekday> {
    match given {
        Some(ws) => ws
            .iter()
            .enumerate()
            .filter_map(|(k, w)| c.weekday(rec, &format!("pickup_weekdays[{k}]"), w))
            .collect(),
        None => vec![
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
        ],
    }
}

/// (ship by, arrive by) pairs whose two dates both parse.
fn holiday_deadlines(
    c: &mut Collector,
    rec: &str,
    given: &[HolidayDeadlineRecord],
) -> Vec<(chrono::NaiveDate, chrono::NaiveDate)> {
    let mut deadlines = Vec::new();
    for (k, h) in given.iter().enumerate() {
        let a = c.date(rec, &format!("holiday_deadlines[{k}].ship_by"), &h.ship_by);
        let b = c.date(
            rec,
            &format!("holiday_deadlines[{k}].arrive_by"),
            &h.arrive_by,
        );
        if let (Some(a), Some(b)) = (a, b) {
            deadlines.push((a, b));
        }
    }
    deadlines
}

/// In-store pickup: free, no transit, implied by a node's `pickup` capability.
fn pickup_service() -> Service {
    Service {
        id: PICKUP_SERVICE.into(),
        carrier: String::new(),
        name: "In-store pickup".into(),
        per_package: [0.0; ZONES],
        per_lb: [0.0; ZONES],
        per_unit: 0.0,
        per_unit_per_mile: 0.0,
        transit_days: [0; ZONES],
        pickup_weekdays: vec![],
        holiday_deadlines: vec![],
        is_pickup: true,
        delivery: DeliveryDays::default(),
    }
}

/// A store transfer: priced by its transfer lane, not by these (zero) rates;
/// like pickup, it needs no carrier pickup day (see `network::transfers`).
fn transfer_service() -> Service {
    Service {
        id: TRANSFER_SERVICE.into(),
        name: "Store transfer".into(),
        is_pickup: false,
        ..pickup_service()
    }
}

/// The service every shipment of an explicit-cost scenario uses.
fn explicit_service() -> Service {
    Service {
        id: EXPLICIT_SERVICE.into(),
        name: "Explicit costs".into(),
        is_pickup: false,
        ..pickup_service()
    }
}
