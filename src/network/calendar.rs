//! Dates: when a node can hand a package to a carrier, when it arrives, and how
//! late that is against a promise. Business days are Monday to Friday; a
//! service's transit counts the days it delivers on (its `DeliveryDays`: its
//! carrier calendar's holidays skipped, Saturday counted when it delivers then).

use chrono::{Datelike, NaiveDate, NaiveDateTime};

use crate::network::domain::{DeliveryDays, Node, NodeService, Service};

/// How far ahead a ship date is searched before a (node, service) is declared unusable.
const HORIZON_DAYS: u64 = 366;

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
/// Monday); `None` past the last date the calendar can hold.
pub fn add_business_days(date: NaiveDate, n: u32) -> Option<NaiveDate> {
    if n == 0 {
        return Some(date);
    }
    // The wanted day is the `target`-th business day since 0001-01-01 (1-based).
    let target = business_days_through(date) + i64::from(n);
    let index = (target - 1).div_euclid(5) * 7 + (target - 1).rem_euclid(5);
    i32::try_from(index + 1)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
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

/// First date the package can leave `node` with `service`, for work released at
/// `wave`: a wave after the cutoff misses that day's pickup; processing takes
/// `processing_days` open days; the day must be open at the node and a pickup
/// day of the carrier. `None` if no such day exists within a year.
pub fn ship_date(
    wave: NaiveDateTime,
    node: &Node,
    offer: &NodeService,
    service: &Service,
) -> Option<NaiveDate> {
    let mut earliest = wave.date();
    if let Some(cutoff) = offer.cutoff
        && wave.time() > cutoff
    {
        earliest = earliest.succ_opt()?;
    }
    // Processing consumes open days of the node.
    let mut left = node.processing_days;
    let mut d = earliest;
    let mut steps = 0;
    while left > 0 {
        d = d.succ_opt()?;
        steps += 1;
        if steps > HORIZON_DAYS {
            return None;
        }
        if node_open(node, d) {
            left -= 1;
        }
    }
    for _ in 0..HORIZON_DAYS {
        let carrier_ok = service.is_pickup || service.pickup_weekdays.contains(&d.weekday());
        if node_open(node, d) && carrier_ok {
            return Some(d);
        }
        d = d.succ_opt()?;
    }
    None
}

/// Estimated delivery: ship date plus `transit_days` days the service
/// delivers on (`days`, see [`DeliveryDays::add`]); `None` past the last date
/// the calendar can hold.
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
}
