//! Dates: when a node can hand a package to a carrier, when it arrives, and how
//! late that is against a promise. Business days are Monday to Friday.

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, Weekday};

use crate::domain::{Node, NodeService, Service};

/// How far ahead a ship date is searched before a (node, service) is declared unusable.
const HORIZON_DAYS: u64 = 366;

/// Monday to Friday.
pub fn is_business_day(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// `date` moved forward by `n` business days (a weekend start counts from Monday).
pub fn add_business_days(date: NaiveDate, n: u32) -> NaiveDate {
    let mut d = date;
    let mut left = n;
    while left > 0 {
        d = d + Days::new(1);
        if is_business_day(d) {
            left -= 1;
        }
    }
    d
}

/// Business days in `(promised, delivery]`: how late a delivery is (0 if on time).
pub fn business_days_late(delivery: NaiveDate, promised: NaiveDate) -> u32 {
    let mut late = 0;
    let mut d = promised;
    while d < delivery {
        d = d + Days::new(1);
        if is_business_day(d) {
            late += 1;
        }
    }
    late
}

fn node_open(node: &Node, d: NaiveDate) -> bool {
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
        earliest = earliest + Days::new(1);
    }
    // Processing consumes open days of the node.
    let mut left = node.processing_days;
    let mut d = earliest;
    let mut steps = 0;
    while left > 0 {
        d = d + Days::new(1);
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
        d = d + Days::new(1);
    }
    None
}

/// Estimated delivery: ship date plus the service's transit business days.
pub fn delivery_date(ship: NaiveDate, transit_days: u32) -> NaiveDate {
    add_business_days(ship, transit_days)
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
    use crate::domain::{Capabilities, NodeKind};
    use chrono::NaiveTime;

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
        }
    }

    fn offer(cutoff: &str) -> NodeService {
        NodeService {
            service: 0,
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
        let delivery = delivery_date(date("2026-12-04"), 2);
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
}
