//! Dates by the checker's own rules: business days, the days a service
//! delivers on, the node's open days, the wave on a node's clock, the first
//! ship date after a wave, lateness. Independent of `calendar` and
//! `holidays`: day by day, hour by hour.

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone};
use chrono_tz::Tz;

use super::model::{CNode, CService};

/// The last day a plan can name: dates are written `YYYY-MM-DD`, years up
/// to 9999. A day computed past it is no day (the lane does not exist).
pub const LAST: NaiveDate = match NaiveDate::from_ymd_opt(9999, 12, 31) {
    Some(d) => d,
    None => NaiveDate::MAX,
};

/// The day after `d`, if a plan can name it.
fn next(d: NaiveDate) -> Option<NaiveDate> {
    d.succ_opt().filter(|n| *n <= LAST)
}

/// Monday to Friday.
pub fn business_day(d: NaiveDate) -> bool {
    d.weekday().number_from_monday() <= 5
}

/// `from` plus `n` business days (counting starts the day after `from`);
/// `None` past [`LAST`].
pub fn plus_business_days(from: NaiveDate, n: u32) -> Option<NaiveDate> {
    let mut d = from;
    let mut counted = 0;
    while counted < n {
        d = next(d)?;
        counted += u32::from(business_day(d));
    }
    (d <= LAST).then_some(d)
}

/// Whether `service` delivers on `d`: Monday to Friday, Saturday if it
/// delivers on Saturdays, never on a date of its calendar.
pub fn delivers_on(service: &CService, d: NaiveDate) -> bool {
    let weekday = d.weekday().number_from_monday();
    (weekday <= 5 || (weekday == 6 && service.saturday)) && !service.no_delivery.contains(&d)
}

/// `ship` plus `n` days `service` delivers on (counting starts the day after
/// `ship`); `None` past [`LAST`].
pub fn plus_delivery_days(service: &CService, ship: NaiveDate, n: u32) -> Option<NaiveDate> {
    let mut d = ship;
    let mut counted = 0;
    while counted < n {
        d = next(d)?;
        counted += u32::from(delivers_on(service, d));
    }
    (d <= LAST).then_some(d)
}

/// Whether `d` is a day `node` works.
pub fn open(node: &CNode, d: NaiveDate) -> bool {
    !node.closed_weekdays.contains(&d.weekday()) && !node.closed_dates.contains(&d)
}

/// `wave`, written on the clock of `written_in`, on `node`'s clock (its zone,
/// else `written_in`'s); as written without a scenario zone. A wall time
/// skipped or repeated by a daylight-saving change is read with the offset
/// of the last wall time before it that exists once.
pub fn wave_at(wave: NaiveDateTime, written_in: Option<Tz>, node: &CNode) -> NaiveDateTime {
    let Some(from) = written_in else {
        return wave;
    };
    let to = node.zone.unwrap_or(from);
    // Step back an hour at a time to a wall time that exists (a gap is at
    // most a day), take the earliest instant it names, and add the steps back.
    for back in 0..=26 {
        let Some(earlier) = wave.checked_sub_signed(TimeDelta::hours(back)) else {
            break;
        };
        if let Some(instant) = from.from_local_datetime(&earlier).earliest() {
            let Some(instant) = instant.checked_add_signed(TimeDelta::hours(back)) else {
                break;
            };
            return instant.with_timezone(&to).naive_local();
        }
    }
    wave
}

/// First ship date for work released at `wave` (on the node's clock) at
/// `node` by `service` with cutoff `cutoff`: a carrier picks up on its pickup
/// weekdays except its calendar's dates; `None` beyond 366 days or [`LAST`].
pub fn ship_date(
    wave: NaiveDateTime,
    node: &CNode,
    cutoff: Option<NaiveTime>,
    service: &CService,
) -> Option<NaiveDate> {
    let missed = cutoff.is_some_and(|c| wave.time() > c);
    let start = if missed { next(wave.date())? } else { wave.date() };
    // Each open day after `start` is one processing day.
    let mut day = start;
    let mut done = 0;
    for _ in 0..366 {
        if done == node.processing_days {
            break;
        }
        day = next(day)?;
        done += u32::from(open(node, day));
    }
    if done < node.processing_days {
        return None;
    }
    let mut days = (0..366u64).map_while(|k| day.checked_add_days(Days::new(k)).filter(|d| *d <= LAST));
    days.find(|d| {
        open(node, *d)
            && (service.in_store
                || (service.pickup_days.contains(&d.weekday()) && !service.no_delivery.contains(d)))
    })
}

/// Business days in `(promised, delivery]`.
pub fn days_late(delivery: NaiveDate, promised: NaiveDate) -> u32 {
    let mut n = 0;
    let mut d = promised;
    while d < delivery {
        d = d.succ_opt().expect("date in range");
        n += u32::from(business_day(d));
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solution::check::input::builtin;
    use chrono::Weekday;
    use std::collections::HashSet;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn business_days_skip_weekends_and_lateness_counts_them() {
        // Friday + 2 business days = Tuesday.
        assert_eq!(plus_business_days(d("2026-12-04"), 2), Some(d("2026-12-08")));
        assert_eq!(days_late(d("2026-12-08"), d("2026-12-05")), 2);
        assert_eq!(days_late(d("2026-12-08"), d("2026-12-08")), 0);
    }

    fn carrier(saturday: bool, holidays: &[&str]) -> CService {
        let mut v = builtin("ground", false);
        v.saturday = saturday;
        v.no_delivery = std::sync::Arc::new(holidays.iter().map(|h| d(h)).collect());
        v
    }

    #[test]
    fn delivery_days_skip_the_carriers_holidays_and_count_saturday_only_when_it_delivers() {
        let ups = carrier(false, &["2026-12-25", "2027-01-01", "2027-12-31"]);
        // Thursday 24 Dec 2026 + 1: Christmas, the weekend, so Monday 28.
        assert_eq!(
            plus_delivery_days(&ups, d("2026-12-24"), 1),
            Some(d("2026-12-28"))
        );
        // Thursday 30 Dec 2027 + 1: New Year 2028 observed Friday 31.
        assert_eq!(
            plus_delivery_days(&ups, d("2027-12-30"), 1),
            Some(d("2028-01-03"))
        );
        let saturdays = carrier(true, &["2026-12-25", "2026-12-26"]);
        assert_eq!(
            plus_delivery_days(&saturdays, d("2026-12-24"), 1),
            Some(d("2026-12-28"))
        );
        assert_eq!(
            plus_delivery_days(&saturdays, d("2026-12-04"), 1),
            Some(d("2026-12-05"))
        );
        // No calendar: Monday to Friday, as business days.
        let none = carrier(false, &[]);
        assert_eq!(
            plus_delivery_days(&none, d("2026-12-24"), 1),
            plus_business_days(d("2026-12-24"), 1)
        );
        assert_eq!(plus_delivery_days(&none, NaiveDate::MAX, 1), None);
    }

    #[test]
    fn no_day_the_checker_computes_falls_after_9999_12_31() {
        // Friday 9999-12-31: the next business or delivery day is in 10000.
        let last = d("9999-12-31");
        assert_eq!(plus_business_days(last, 1), None);
        assert_eq!(plus_business_days(d("9999-12-30"), 1), Some(last));
        assert_eq!(plus_delivery_days(&carrier(true, &[]), last, 1), None);
        let late = last.and_hms_opt(23, 59, 0).unwrap();
        let cutoff = NaiveTime::from_hms_opt(15, 0, 0);
        assert_eq!(ship_date(late, &node(0, &[]), cutoff, &ground()), None);
        assert_eq!(ship_date(late, &node(0, &[]), None, &ground()), Some(last));
        assert_eq!(ship_date(late, &node(1, &[]), None, &ground()), None);
    }

    fn node(processing_days: u32, closed: &[Weekday]) -> CNode {
        CNode {
            id: "n".into(),
            store: false,
            lat: 0.0,
            lon: 0.0,
            market: "US".into(),
            ship_to_home: true,
            per_package: 0.0,
            per_unit: 0.0,
            cap_packages: None,
            cap_units: None,
            offers: vec![],
            processing_days,
            closed_weekdays: closed.iter().copied().collect(),
            closed_dates: HashSet::new(),
            zone: None,
        }
    }

    fn ground() -> CService {
        let mut v = builtin("ground", false);
        v.pickup_days = [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
        ]
        .into_iter()
        .collect();
        v
    }

    #[test]
    fn ship_dates_follow_cutoffs_processing_days_closed_days_and_pickup_days() {
        let cutoff = NaiveTime::from_hms_opt(15, 0, 0);
        // Tuesday 09:00, before the cutoff: the same day.
        let tue = d("2026-12-01").and_hms_opt(9, 0, 0).unwrap();
        assert_eq!(
            ship_date(tue, &node(0, &[]), cutoff, &ground()),
            Some(d("2026-12-01"))
        );
        // Friday 16:00, after it: Saturday, no pickup at weekends, so Monday.
        let fri = d("2026-12-04").and_hms_opt(16, 0, 0).unwrap();
        assert_eq!(
            ship_date(fri, &node(0, &[]), cutoff, &ground()),
            Some(d("2026-12-07"))
        );
        // Two processing days with Wednesday closed: Thursday, Friday.
        let n = node(2, &[Weekday::Wed]);
        assert_eq!(ship_date(tue, &n, cutoff, &ground()), Some(d("2026-12-04")));
        // In-store pickup needs only the node open: Saturday.
        let pickup = builtin("pickup", true);
        assert_eq!(
            ship_date(fri, &node(0, &[]), cutoff, &pickup),
            Some(d("2026-12-05"))
        );
        // A node closed every day never ships.
        let all = [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ];
        assert_eq!(ship_date(tue, &node(0, &all), cutoff, &ground()), None);
        assert_eq!(ship_date(tue, &node(1, &all), cutoff, &ground()), None);
    }

    #[test]
    fn a_carrier_picks_up_on_none_of_its_calendars_dates_in_store_pickup_ignores_them() {
        let cutoff = NaiveTime::from_hms_opt(15, 0, 0);
        let mut ups = ground();
        ups.no_delivery = std::sync::Arc::new([d("2026-12-25")].into_iter().collect());
        // Thursday 24 Dec 2026 after the cutoff: Christmas, the weekend, Monday.
        let late = d("2026-12-24").and_hms_opt(16, 0, 0).unwrap();
        assert_eq!(ship_date(late, &node(0, &[]), cutoff, &ups), Some(d("2026-12-28")));
        let mut pickup = builtin("pickup", true);
        pickup.no_delivery = ups.no_delivery.clone();
        assert_eq!(ship_date(late, &node(0, &[]), cutoff, &pickup), Some(d("2026-12-25")));
    }

    #[test]
    fn the_wave_is_read_on_the_nodes_clock_only_when_the_scenario_has_a_zone() {
        let ny: Tz = "America/New_York".parse().unwrap();
        let mut la = node(0, &[]);
        la.zone = "America/Los_Angeles".parse().ok();
        let t = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap();
        assert_eq!(wave_at(t("2026-12-01T16:30"), Some(ny), &la), t("2026-12-01T13:30"));
        assert_eq!(wave_at(t("2026-12-01T16:30"), None, &la), t("2026-12-01T16:30"));
        // Skipped 02:30 is 03:30 EDT, 23:30 PST the evening before.
        assert_eq!(wave_at(t("2026-03-08T02:30"), Some(ny), &la), t("2026-03-07T23:30"));
        // Repeated 01:30 is the first one, EDT.
        assert_eq!(wave_at(t("2026-11-01T01:30"), Some(ny), &la), t("2026-10-31T22:30"));
        // A node without a zone is on the scenario's clock.
        assert_eq!(
            wave_at(t("2026-12-01T16:30"), Some(ny), &node(0, &[])),
            t("2026-12-01T16:30")
        );
    }
}
