//! Dates: when a node can hand a package to a carrier, when it arrives, and how
//! late that is against a promise. Business days are Monday to Friday; a
//! service's transit counts the days it delivers on (its `DeliveryDays`: its
//! carrier calendar's holidays skipped, Saturday counted when it delivers then).
//! A carrier picks up on none of its calendar's non-delivery dates, and a
//! node's cutoffs are read on its own clock ([`local_wave_time`]).

use chrono::{Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeZone};

use crate::network::domain::{DeliveryDays, Node, NodeService, Scenario, Service, Tz};

/// How far ahead a ship date is searched before a (node, service) is declared unusable.
const HORIZON_DAYS: u64 = 366;

pub use crate::network::holidays::nameable;
#[cfg(doc)]
use crate::network::holidays::LAST_DATE;

/// The day after `d`, if a plan can name it.
fn next_day(d: NaiveDate) -> Option<NaiveDate> {
    d.succ_opt().and_then(nameable)
}

/// Days from 0001-01-01 (a Monday in the proleptic Gregorian calendar).
fn day_index(d: NaiveDate) -> i64 {
    i64::from(d.num_days_from_ce()) - 1
}

/// Business days in `[0001-01-01, d]`: counting in closed form, so that the
/// cost of a date computation does not grow with the number of days.
fn business_days_through(d: NaiveDate) -> i64 {
    let i = day_index(d);
    i.div_euclid(7) * 5 + (i.rem_euclid(7) + 1).min(5)
}

/// `date` moved forward by `n` business days (a weekend start counts from
/// Monday); `None` past [`LAST_DATE`].
pub fn add_business_days(date: NaiveDate, n: u32) -> Option<NaiveDate> {
    if n == 0 {
        return nameable(date);
    }
    // The wanted day is the `target`-th business day since 0001-01-01 (1-based).
    let target = business_days_through(date) + i64::from(n);
    let index = (target - 1).div_euclid(5) * 7 + (target - 1).rem_euclid(5);
    i32::try_from(index + 1)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .and_then(nameable)
}

/// Business days in `(promised, delivery]`: how late a delivery is (0 if on time).
pub fn business_days_late(delivery: NaiveDate, promised: NaiveDate) -> u32 {
    let late = business_days_through(delivery) - business_days_through(promised);
    // At most ~2.6 million business days separate two dates chrono can hold.
    u32::try_from(late.max(0)).unwrap_or(u32::MAX)
}

/// Whether `node` works on `d` (neither a closed weekday nor a closed date).
pub fn node_open(node: &Node, d: NaiveDate) -> bool {
    !node.closed_weekdays.contains(&d.weekday()) && !node.closed_dates.contains(&d)
}

/// The wave time on `node`'s clock: what its cutoffs and its ship day are
/// compared with. The same as written when the scenario has no time zone;
/// otherwise converted to the node's zone (a node without one has the
/// scenario's), see [`local_time`].
pub fn local_wave_time(s: &Scenario, node: &Node) -> NaiveDateTime {
    local_time(s.time_zone, node, s.wave_time)
}

/// `t`, written on the clock of `written_in`, on `node`'s clock (its own zone,
/// else `written_in`'s): unchanged without `written_in`. A wall time
/// the clocks skip or repeat at a daylight-saving change is read with the
/// offset in force before the change (02:30 on a spring-forward night is
/// 03:30 daylight time; 01:30 on a fall-back night is the first 01:30).
pub fn local_time(written_in: Option<Tz>, node: &Node, t: NaiveDateTime) -> NaiveDateTime {
    let Some(from) = written_in else {
        return t;
    };
    let to = node.time_zone.unwrap_or(from);
    // Beyond the dates chrono holds (never for a validated wave): unchanged.
    offset_seconds(from, t)
        .and_then(|east| t.checked_sub_signed(Duration::seconds(i64::from(east))))
        .map_or(t, |utc| to.from_utc_datetime(&utc).naive_local())
}

/// Seconds east of UTC of the wall time `t` in `zone`, by the rule of
/// [`local_time`] for skipped and repeated wall times.
fn offset_seconds(zone: Tz, t: NaiveDateTime) -> Option<i32> {
    let offset = match zone.offset_from_local_datetime(&t) {
        LocalResult::Single(o) => o,
        LocalResult::Ambiguous(first, _) => first,
        // In a gap: the offset two days earlier is the one before the change
        // (offsets stay within a day, gaps within a day, changes days apart).
        LocalResult::None => zone.offset_from_utc_datetime(&t.checked_sub_signed(Duration::days(2))?),
    };
    Some(offset.fix().local_minus_utc())
}

/// First date the package can leave `node` with `service`, for work released at
/// `wave` (on the node's clock, see [`local_wave_time`]): a wave after the
/// cutoff misses that day's pickup; processing takes `processing_days` open
/// days; the day must be open at the node and, for a carrier, a pickup
/// weekday that is not a non-delivery date of its calendar (the in-store
/// pickup service needs only the node open). `None` if no such day exists
/// within a year and on or before [`LAST_DATE`].
pub fn ship_date(
    wave: NaiveDateTime,
    node: &Node,
    offer: &NodeService,
    service: &Service,
) -> Option<NaiveDate> {
    let mut earliest = nameable(wave.date())?;
    if let Some(cutoff) = offer.cutoff
        && wave.time() > cutoff
    {
        earliest = next_day(earliest)?;
    }
    // Processing consumes open days of the node.
    let mut left = node.processing_days;
    let mut d = earliest;
    let mut steps = 0;
    while left > 0 {
        d = next_day(d)?;
        steps += 1;
        if steps > HORIZON_DAYS {
            return None;
        }
        if node_open(node, d) {
            left -= 1;
        }
    }
    for _ in 0..HORIZON_DAYS {
        let carrier_ok = service.is_pickup
            || (service.pickup_weekdays.contains(&d.weekday()) && !service.delivery.rests_on(d));
        if node_open(node, d) && carrier_ok {
            return Some(d);
        }
        d = next_day(d)?;
    }
    None
}

/// Estimated delivery: ship date plus `transit_days` days the service
/// delivers on (`days`, see [`DeliveryDays::add`]); `None` past [`LAST_DATE`].
pub fn delivery_date(ship: NaiveDate, transit_days: u32, days: &DeliveryDays) -> Option<NaiveDate> {
    days.add(ship, transit_days)
}

/// Whether a holiday deadline of the service rules it out: the order needs its
/// parcel by a protected date (`promised <= arrive_by`) and the parcel would
/// leave after the matching `ship_by`.
pub fn misses_holiday_deadline(
    service: &Service,
    ship: NaiveDate,
    promised: Option<NaiveDate>,
) -> bool {
    let Some(p) = promised else { return false };
    service
        .holiday_deadlines
        .iter()
        .any(|&(ship_by, arrive_by)| p <= arrive_by && ship > ship_by)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::domain::{Capabilities, NodeKind, ServiceIdx};
    use chrono::{NaiveTime, Weekday};

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn node(processing_days: u32, closed: &[Weekday]) -> Node {
        Node {
            id: "n".into(),
            kind: NodeKind::Dc,
            lat: 0.0,
            lon: 0.0,
            market: "US".into(),
            capabilities: Capabilities {
                ship_to_home: true,
                ..Default::default()
            },
            handling_per_package: 0.0,
            handling_per_unit: 0.0,
            capacity_orders: None,
            capacity_units: None,
            services: vec![],
            processing_days,
            closed_weekdays: closed.to_vec(),
            closed_dates: Default::default(),
            rank: None,
            time_zone: None,
        }
    }

    fn service() -> Service {
        Service {
            id: "ground".into(),
            carrier: "c".into(),
            name: "g".into(),
            per_package: [0.0; 8],
            per_lb: [0.0; 8],
            per_unit: 0.0,
            per_unit_per_mile: 0.0,
            transit_days: [1, 2, 3, 3, 4, 4, 5, 5],
            pickup_weekdays: vec![
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
            ],
            holiday_deadlines: vec![(date("2026-12-19"), date("2026-12-24"))],
            is_pickup: false,
            delivery: DeliveryDays::default(),
        }
    }

    fn ups_service() -> Service {
        let ups = crate::network::holidays::builtin_calendars()["ups"].clone();
        Service {
            delivery: DeliveryDays::new(false, ups),
            ..service()
        }
    }

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
    }

    fn zoned(zone: Option<&str>) -> Node {
        Node {
            time_zone: zone.map(|z| z.parse().unwrap()),
            ..node(0, &[])
        }
    }

    fn offer(cutoff: &str) -> NodeService {
        NodeService {
            service: ServiceIdx::new(0),
            cutoff: Some(NaiveTime::parse_from_str(cutoff, "%H:%M").unwrap()),
        }
    }

    #[test]
    fn a_wave_before_the_cutoff_ships_the_same_day() {
        // 2026-12-01 is a Tuesday.
        let wave = date("2026-12-01").and_hms_opt(9, 0, 0).unwrap();
        assert_eq!(
            ship_date(wave, &node(0, &[]), &offer("15:00"), &service()),
            Some(date("2026-12-01"))
        );
    }

    #[test]
    fn a_wave_after_the_cutoff_ships_the_next_pickup_day() {
        // Friday after cutoff: Saturday and Sunday have no pickup, so Monday.
        let wave = date("2026-12-04").and_hms_opt(16, 0, 0).unwrap();
        assert_eq!(
            ship_date(wave, &node(0, &[]), &offer("15:00"), &service()),
            Some(date("2026-12-07"))
        );
    }

    #[test]
    fn a_christmas_eve_wave_after_the_cutoff_ships_monday_28_december_not_christmas_day() {
        // Thursday 24 Dec 2026 16:00: Friday 25 is a UPS holiday, then the weekend.
        let wave = at("2026-12-24T16:00");
        assert_eq!(
            ship_date(wave, &node(0, &[]), &offer("15:00"), &ups_service()),
            Some(date("2026-12-28"))
        );
        // Without a calendar the carrier picks up on Christmas Day.
        assert_eq!(
            ship_date(wave, &node(0, &[]), &offer("15:00"), &service()),
            Some(date("2026-12-25"))
        );
    }

    #[test]
    fn a_wave_just_after_the_cutoff_before_new_year_observed_on_friday_ships_monday() {
        // Thursday 30 Dec 2027; New Year 2028 is observed on Friday 31.
        let n = node(0, &[]);
        let (cutoff, v) = (offer("15:00"), ups_service());
        let on_time = at("2027-12-30T15:00");
        assert_eq!(ship_date(on_time, &n, &cutoff, &v), Some(date("2027-12-30")));
        let just_missed = on_time + chrono::Duration::seconds(1);
        assert_eq!(ship_date(just_missed, &n, &cutoff, &v), Some(date("2028-01-03")));
    }

    #[test]
    fn a_carrier_holiday_on_a_saturday_pickup_day_is_skipped_but_in_store_pickup_is_not() {
        // A carrier collecting on Saturdays (delivering Monday to Friday)
        // rests on Saturday 5 December 2026 by its own calendar.
        let v = Service {
            pickup_weekdays: vec![Weekday::Fri, Weekday::Sat, Weekday::Mon],
            delivery: DeliveryDays::new(false, [date("2026-12-05")]),
            ..service()
        };
        let friday_late = at("2026-12-04T16:00");
        assert_eq!(
            ship_date(friday_late, &node(0, &[]), &offer("15:00"), &v),
            Some(date("2026-12-07"))
        );
        let in_store = Service {
            is_pickup: true,
            ..ups_service()
        };
        assert_eq!(
            ship_date(at("2026-12-25T09:00"), &node(0, &[]), &offer("15:00"), &in_store),
            Some(date("2026-12-25"))
        );
    }

    #[test]
    fn a_new_york_wave_at_16_30_is_13_30_in_los_angeles_before_its_15_00_cutoff() {
        let ny = "America/New_York".parse().ok();
        // Tuesday 1 December 2026, 16:30 Eastern.
        let wave = at("2026-12-01T16:30");
        let la = zoned(Some("America/Los_Angeles"));
        assert_eq!(local_time(ny, &la, wave), at("2026-12-01T13:30"));
        assert_eq!(
            ship_date(local_time(ny, &la, wave), &la, &offer("15:00"), &service()),
            Some(date("2026-12-01"))
        );
        // A node without a zone is on the scenario's clock: cutoff missed.
        let own = zoned(None);
        assert_eq!(local_time(ny, &own, wave), wave);
        assert_eq!(
            ship_date(local_time(ny, &own, wave), &own, &offer("15:00"), &service()),
            Some(date("2026-12-02"))
        );
    }

    #[test]
    fn without_a_scenario_zone_node_zones_change_nothing() {
        let la = zoned(Some("America/Los_Angeles"));
        let wave = at("2026-12-01T16:30");
        assert_eq!(local_time(None, &la, wave), wave);
    }

    #[test]
    fn the_offset_between_new_york_and_london_follows_each_daylight_saving_change() {
        let ny = "America/New_York".parse().ok();
        let london = zoned(Some("Europe/London"));
        // The US springs forward on 8 March 2026, the UK on 29 March: four
        // hours apart in between, five before and after.
        assert_eq!(local_time(ny, &london, at("2026-03-02T10:30")), at("2026-03-02T15:30"));
        assert_eq!(local_time(ny, &london, at("2026-03-10T10:30")), at("2026-03-10T14:30"));
        assert_eq!(local_time(ny, &london, at("2026-03-31T10:30")), at("2026-03-31T15:30"));
        // So a 10:30 New York wave makes a 15:00 London cutoff only in between.
        let cutoff = offer("15:00");
        let ship = |t: &str| ship_date(local_time(ny, &london, at(t)), &london, &cutoff, &service());
        assert_eq!(ship("2026-03-10T10:30"), Some(date("2026-03-10")));
        assert_eq!(ship("2026-03-31T10:30"), Some(date("2026-04-01")));
    }

    #[test]
    fn skipped_and_repeated_wall_times_are_read_with_the_offset_before_the_change() {
        let ny = "America/New_York".parse().ok();
        let la = zoned(Some("America/Los_Angeles"));
        // 02:30 on 8 March 2026 does not exist in New York: 03:30 EDT, which
        // is 23:30 the evening before in Los Angeles (still on PST).
        assert_eq!(local_time(ny, &la, at("2026-03-08T02:30")), at("2026-03-07T23:30"));
        // 01:30 on 1 November 2026 happens twice: the first, 01:30 EDT.
        assert_eq!(local_time(ny, &la, at("2026-11-01T01:30")), at("2026-10-31T22:30"));
        // A wave past midnight in New York is the evening before in Los Angeles.
        assert_eq!(local_time(ny, &la, at("2026-12-02T01:00")), at("2026-12-01T22:00"));
    }

    #[test]
    fn processing_days_skip_closed_days_of_the_node() {
        // Tuesday + 2 open days, Wednesday closed: Thursday, Friday.
        let wave = date("2026-12-01").and_hms_opt(9, 0, 0).unwrap();
        assert_eq!(
            ship_date(wave, &node(2, &[Weekday::Wed]), &offer("15:00"), &service()),
            Some(date("2026-12-04"))
        );
    }

    #[test]
    fn transit_and_lateness_count_business_days() {
        // Friday + 2 business days = Tuesday; promised Monday -> 1 day late.
        let delivery = delivery_date(date("2026-12-04"), 2, &DeliveryDays::default()).unwrap();
        assert_eq!(delivery, date("2026-12-08"));
        assert_eq!(business_days_late(delivery, date("2026-12-07")), 1);
        assert_eq!(business_days_late(delivery, date("2026-12-08")), 0);
        // Promised on a Saturday: Monday and Tuesday are late.
        assert_eq!(business_days_late(delivery, date("2026-12-05")), 2);
    }

    #[test]
    fn a_service_past_its_holiday_ship_by_is_not_offered_for_holiday_promises() {
        let s = service();
        assert!(misses_holiday_deadline(
            &s,
            date("2026-12-21"),
            Some(date("2026-12-24"))
        ));
        assert!(!misses_holiday_deadline(
            &s,
            date("2026-12-18"),
            Some(date("2026-12-24"))
        ));
        assert!(!misses_holiday_deadline(
            &s,
            date("2026-12-21"),
            Some(date("2026-12-30"))
        ));
        assert!(!misses_holiday_deadline(&s, date("2026-12-21"), None));
    }

    /// The day-by-day definition the closed forms must agree with.
    fn add_business_days_by_steps(date: NaiveDate, n: u32) -> NaiveDate {
        let mut d = date;
        let mut left = n;
        while left > 0 {
            d = d.succ_opt().unwrap();
            if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
                left -= 1;
            }
        }
        d
    }

    #[test]
    fn business_day_arithmetic_agrees_with_counting_day_by_day() {
        let start = date("2026-11-01");
        for offset in 0..21 {
            let d = start + chrono::Days::new(offset);
            for n in 0..40 {
                let want = add_business_days_by_steps(d, n);
                assert_eq!(add_business_days(d, n), Some(want), "{d} + {n}");
                assert_eq!(business_days_late(want, d), n, "{d} .. {want}");
            }
        }
    }

    #[test]
    fn a_delivery_before_its_promise_is_not_late() {
        assert_eq!(
            business_days_late(date("2026-12-01"), date("2026-12-24")),
            0
        );
    }

    #[test]
    fn dates_past_the_end_of_the_calendar_are_none_not_a_panic() {
        assert_eq!(add_business_days(NaiveDate::MAX, 1), None);
        assert_eq!(add_business_days(date("2026-12-01"), u32::MAX), None);
        assert_eq!(delivery_date(NaiveDate::MAX, 5, &DeliveryDays::default()), None);
        let wave = NaiveDate::MAX.and_hms_opt(23, 0, 0).unwrap();
        assert_eq!(
            ship_date(wave, &node(3, &[]), &offer("15:00"), &service()),
            None
        );
        assert!(business_days_late(NaiveDate::MAX, NaiveDate::MIN) > 0);
    }

    #[test]
    fn no_ship_or_delivery_day_falls_after_the_last_date_a_plan_can_name() {
        // 9999-12-31 is a Friday: one business day later is in year 10000.
        let last = date("9999-12-31");
        assert_eq!(crate::network::holidays::LAST_DATE, last);
        assert_eq!(add_business_days(last, 0), Some(last));
        assert_eq!(add_business_days(last, 1), None);
        assert_eq!(add_business_days(date("9999-12-30"), 1), Some(last));
        assert_eq!(delivery_date(last, 1, &DeliveryDays::default()), None);
        assert_eq!(delivery_date(date("9999-12-29"), 2, &DeliveryDays::default()), Some(last));
        let on_time = last.and_hms_opt(9, 0, 0).unwrap();
        let v = service();
        assert_eq!(ship_date(on_time, &node(0, &[]), &offer("15:00"), &v), Some(last));
        // Past the cutoff, or a processing day, the next pickup is in 10000.
        let late = last.and_hms_opt(23, 59, 0).unwrap();
        assert_eq!(ship_date(late, &node(0, &[]), &offer("15:00"), &v), None);
        assert_eq!(ship_date(on_time, &node(1, &[]), &offer("15:00"), &v), None);
    }
}
