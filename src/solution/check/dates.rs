//! Dates by the checker's own rules: business days, the node's open days,
//! the first ship date after a wave, lateness. Independent of `calendar`.

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime};

use super::model::{CNode, CService};

/// Monday to Friday.
pub fn business_day(d: NaiveDate) -> bool {
    d.weekday().number_from_monday() <= 5
}

/// `from` plus `n` business days (counting starts the day after `from`).
pub fn plus_business_days(from: NaiveDate, n: u32) -> NaiveDate {
    let mut d = from;
    let mut counted = 0;
    while counted < n {
        d = d.succ_opt().expect("date in range");
        counted += u32::from(business_day(d));
    }
    d
}

/// Whether `d` is a day `node` works.
pub fn open(node: &CNode, d: NaiveDate) -> bool {
    !node.closed_weekdays.contains(&d.weekday()) && !node.closed_dates.contains(&d)
}

/// First ship date for work released at `wave` at `node` by `service` with
/// cutoff `cutoff`; `None` beyond 366 days.
pub fn ship_date(
    wave: NaiveDateTime,
    node: &CNode,
    cutoff: Option<NaiveTime>,
    service: &CService,
) -> Option<NaiveDate> {
    let missed = cutoff.is_some_and(|c| wave.time() > c);
    let start = wave.date() + Days::new(u64::from(missed));
    // Each open day after `start` is one processing day.
    let mut day = start;
    let mut done = 0;
    for _ in 0..366 {
        if done == node.processing_days {
            break;
        }
        day = day.succ_opt()?;
        done += u32::from(open(node, day));
    }
    if done < node.processing_days {
        return None;
    }
    (0..366u64).map(|k| day + Days::new(k)).find(|d| {
        open(node, *d) && (service.in_store || service.pickup_days.contains(&d.weekday()))
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
        assert_eq!(plus_business_days(d("2026-12-04"), 2), d("2026-12-08"));
        assert_eq!(days_late(d("2026-12-08"), d("2026-12-05")), 2);
        assert_eq!(days_late(d("2026-12-08"), d("2026-12-08")), 0);
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
}
