//! Carrier calendars: the days a carrier service delivers on. A service
//! delivers Monday to Friday (and Saturday when it delivers on Saturdays),
//! except the non-delivery dates of the calendar it follows. The shipped
//! default is the US carrier calendar for 2026-2027 (`ups`, `fedex`, `usps`);
//! a scenario may add its own or replace one by name.
//!
//! Counting is in closed form over the weekdays plus a binary search in the
//! sorted holidays, so a date computation does not grow with the transit.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};

/// The shipped US carrier calendar (`datasets/reference/`, see its README):
/// `date,carrier,holiday,weekday` rows, one per (date, carrier).
pub const US_CARRIER_HOLIDAYS: &str =
    include_str!("../../datasets/reference/us-carrier-holidays-2026-2027.csv");

/// The built-in calendars, by name (the CSV's carrier column): their
/// non-delivery dates, ascending.
pub fn builtin_calendars() -> BTreeMap<String, Vec<NaiveDate>> {
    let mut out: BTreeMap<String, Vec<NaiveDate>> = BTreeMap::new();
    for row in US_CARRIER_HOLIDAYS.lines().skip(1) {
        let mut cols = row.split(',');
        let (Some(date), Some(carrier)) = (cols.next(), cols.next()) else {
            continue;
        };
        let date = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
            .expect("the embedded carrier calendar holds dates");
        out.entry(carrier.trim().to_string()).or_default().push(date);
    }
    for dates in out.values_mut() {
        dates.sort_unstable();
        dates.dedup();
    }
    out
}

/// The last day a plan or a promise can name: scenario, plan and cart dates
/// are written `YYYY-MM-DD` with years up to 9999 (`input::validate::limits::YEARS`),
/// so a ship, delivery or ready day after it is no day at all (the lane or
/// option is unavailable), never a date written `+10000-01-03`.
pub const LAST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(9999, 12, 31) {
    Some(d) => d,
    None => NaiveDate::MAX,
};

/// `d`, if a plan can name it (on or before [`LAST_DATE`]).
pub fn nameable(d: NaiveDate) -> Option<NaiveDate> {
    (d <= LAST_DATE).then_some(d)
}

/// Days from 0001-01-01 (a Monday in the proleptic Gregorian calendar).
fn day_index(d: NaiveDate) -> i64 {
    i64::from(d.num_days_from_ce()) - 1
}

fn from_index(i: i64) -> Option<NaiveDate> {
    i32::try_from(i.checked_add(1)?)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
}

/// Days in `[0001-01-01, day i]` whose weekday is among the first `k` of the
/// week (Monday first): 5 for Monday to Friday, 6 with Saturday.
fn weekdays_through(i: i64, k: i64) -> i64 {
    i.div_euclid(7) * k + (i.rem_euclid(7) + 1).min(k)
}

/// Index of the `n`-th (1-based) day since 0001-01-01 among the first `k`
/// weekdays of each week.
fn nth_weekday(n: i64, k: i64) -> i64 {
    (n - 1).div_euclid(k) * 7 + (n - 1).rem_euclid(k)
}

/// The days a service delivers on. The default is Monday to Friday with no
/// holidays, the rule before calendars existed. Clones share the date lists,
/// so that services following one calendar hold it once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryDays {
    /// Saturday is a delivery day.
    saturday: bool,
    /// Day indices of the non-delivery dates that fall on a delivery weekday
    /// (the others change no transit count), ascending, without repeats.
    holidays: Arc<[i64]>,
    /// Day indices of every non-delivery date, weekends included: the carrier
    /// does not pick up on them either (a Saturday pickup of a service that
    /// delivers Monday to Friday), ascending, without repeats.
    rest_days: Arc<[i64]>,
}

impl DeliveryDays {
    /// Monday to Friday, and Saturday if `saturday`, except `non_delivery`.
    pub fn new(saturday: bool, non_delivery: impl IntoIterator<Item = NaiveDate>) -> Self {
        let k = if saturday { 6 } else { 5 };
        let mut rest_days: Vec<i64> = non_delivery.into_iter().map(day_index).collect();
        rest_days.sort_unstable();
        rest_days.dedup();
        let holidays = rest_days
            .iter()
            .copied()
            .filter(|i| i.rem_euclid(7) < k)
            .collect();
        DeliveryDays {
            saturday,
            holidays,
            rest_days: rest_days.into(),
        }
    }

    /// The address of the shared list of non-delivery dates: equal for
    /// clones (services following one calendar), so that a caller can key
    /// what it derives from the dates by it instead of comparing them.
    pub fn dates_identity(&self) -> usize {
        Arc::as_ptr(&self.rest_days).cast::<i64>() as usize
    }

    /// Whether Saturday is a delivery day.
    pub fn saturday(&self) -> bool {
        self.saturday
    }

    /// The non-delivery dates that fall on delivery weekdays, ascending.
    pub fn holidays(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.holidays.iter().filter_map(|&i| from_index(i))
    }

    /// Every non-delivery date of its calendar, weekends included, ascending.
    pub fn non_delivery_dates(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.rest_days.iter().filter_map(|&i| from_index(i))
    }

    /// Whether `d` is a non-delivery date of its calendar: the carrier
    /// neither delivers nor picks up then, whatever the weekday.
    pub fn rests_on(&self, d: NaiveDate) -> bool {
        self.rest_days.binary_search(&day_index(d)).is_ok()
    }

    fn week(&self) -> i64 {
        if self.saturday { 6 } else { 5 }
    }

    /// Holidays on or before day `i`.
    fn holidays_through(&self, i: i64) -> i64 {
        self.holidays.partition_point(|&h| h <= i) as i64
    }

    /// Whether the service delivers on `d`.
    pub fn delivers_on(&self, d: NaiveDate) -> bool {
        let i = day_index(d);
        i.rem_euclid(7) < self.week() && self.holidays.binary_search(&i).is_err()
    }

    /// `date` moved forward by `n` delivery days: the `n`-th delivery day
    /// after `date` (`date` itself when `n` is 0), whether or not `date` is
    /// one; `None` past the last date a plan can name (9999-12-31).
    pub fn add(&self, date: NaiveDate, n: u32) -> Option<NaiveDate> {
        if n == 0 {
            return nameable(date);
        }
        let k = self.week();
        let start = day_index(date);
        let base = weekdays_through(start, k) + i64::from(n);
        let before = self.holidays_through(start);
        // Guess the day ignoring the holidays met so far, then add as many
        // weekdays as holidays fall between the start and the guess, until
        // no new holiday falls in the stretch added: at most one round per
        // holiday, whatever the transit.
        let mut skipped = 0;
        loop {
            let guess = nth_weekday(base + skipped, k);
            let met = self.holidays_through(guess) - before;
            if met == skipped {
                return from_index(guess).and_then(nameable);
            }
            skipped = met;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Days, Weekday};

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn ups() -> DeliveryDays {
        DeliveryDays::new(false, builtin_calendars()["ups"].clone())
    }

    #[test]
    fn the_shipped_calendar_names_ups_fedex_and_usps() {
        let all = builtin_calendars();
        assert_eq!(
            all.keys().map(String::as_str).collect::<Vec<_>>(),
            ["fedex", "ups", "usps"]
        );
        assert_eq!(all["ups"].len(), 13);
        assert_eq!(all["usps"].len(), 23);
        assert!(all["fedex"].contains(&date("2026-12-25")));
    }

    #[test]
    fn a_christmas_eve_wave_with_one_day_transit_delivers_monday_not_christmas_day() {
        // Thursday 24 Dec 2026 + 1 day: Friday 25 is Christmas, then the weekend.
        assert_eq!(ups().add(date("2026-12-24"), 1), Some(date("2026-12-28")));
        assert_eq!(
            DeliveryDays::default().add(date("2026-12-24"), 1),
            Some(date("2026-12-25"))
        );
    }

    #[test]
    fn new_year_2028_is_observed_on_friday_31_december_2027() {
        // Thursday 30 Dec 2027 + 1: Friday 31 is the observed holiday.
        assert!(!ups().delivers_on(date("2027-12-31")));
        assert_eq!(ups().add(date("2027-12-30"), 1), Some(date("2028-01-03")));
    }

    #[test]
    fn a_saturday_delivery_service_delivers_on_saturdays_but_not_on_holidays() {
        let sat = DeliveryDays::new(true, builtin_calendars()["ups"].clone());
        // Thursday 24 Dec 2026 + 1: Christmas Friday skipped, Saturday 26 delivers.
        assert_eq!(sat.add(date("2026-12-24"), 1), Some(date("2026-12-26")));
        // Friday 4 Dec + 2: Saturday, Monday.
        assert_eq!(sat.add(date("2026-12-04"), 2), Some(date("2026-12-07")));
        // A Saturday holiday of its own calendar is skipped.
        let own = DeliveryDays::new(true, [date("2026-12-05")]);
        assert_eq!(own.add(date("2026-12-04"), 1), Some(date("2026-12-07")));
        assert!(!own.delivers_on(date("2026-12-06")), "Sunday");
    }

    #[test]
    fn a_long_holiday_stretch_is_skipped_as_a_whole() {
        // A user calendar closing 21 Dec 2026 to 8 Jan 2027.
        let closed: Vec<NaiveDate> = (0..19)
            .map(|k| date("2026-12-21") + Days::new(k))
            .collect();
        let cal = DeliveryDays::new(false, closed);
        // Friday 18 Dec + 1: Monday 11 Jan; + 3: Wednesday 13 Jan.
        assert_eq!(cal.add(date("2026-12-18"), 1), Some(date("2027-01-11")));
        assert_eq!(cal.add(date("2026-12-18"), 3), Some(date("2027-01-13")));
        // Starting inside the stretch counts from its end.
        assert_eq!(cal.add(date("2026-12-25"), 1), Some(date("2027-01-11")));
    }

    /// The day-by-day definition the closed form must agree with.
    fn add_by_steps(days: &DeliveryDays, date: NaiveDate, n: u32) -> NaiveDate {
        let mut d = date;
        let mut left = n;
        while left > 0 {
            d = d.succ_opt().unwrap();
            if days.delivers_on(d) {
                left -= 1;
            }
        }
        d
    }

    #[test]
    fn delivery_day_arithmetic_agrees_with_counting_day_by_day() {
        let all = builtin_calendars();
        let calendars = [
            DeliveryDays::default(),
            DeliveryDays::new(true, []),
            DeliveryDays::new(false, all["usps"].clone()),
            DeliveryDays::new(true, all["usps"].clone()),
            DeliveryDays::new(false, (0..30).map(|k| date("2026-11-20") + Days::new(k))),
        ];
        for cal in &calendars {
            for offset in (0..760).step_by(3) {
                let d = date("2025-12-20") + Days::new(offset);
                for n in [0, 1, 2, 3, 5, 8, 13, 40] {
                    assert_eq!(cal.add(d, n), Some(add_by_steps(cal, d, n)), "{d} + {n}");
                }
            }
        }
    }

    #[test]
    fn holidays_on_a_weekend_change_no_transit_but_the_carrier_rests_then() {
        // Sunday 27 Dec 2026 for a Monday-to-Friday service.
        let cal = DeliveryDays::new(false, [date("2026-12-27")]);
        assert_eq!(date("2026-12-27").weekday(), Weekday::Sun);
        assert_eq!(cal.holidays().count(), 0);
        for offset in 0..14 {
            let d = date("2026-12-20") + Days::new(offset);
            assert_eq!(cal.add(d, 3), DeliveryDays::default().add(d, 3), "{d}");
        }
        assert!(cal.rests_on(date("2026-12-27")));
        assert!(!cal.rests_on(date("2026-12-26")));
        assert_eq!(
            cal.non_delivery_dates().collect::<Vec<_>>(),
            [date("2026-12-27")]
        );
    }

    #[test]
    fn dates_past_the_end_are_none() {
        assert_eq!(ups().add(NaiveDate::MAX, 1), None);
        assert_eq!(ups().add(date("2026-12-01"), u32::MAX), None);
        // Friday 9999-12-31 is the last day a plan can name; Saturday is past it.
        let saturdays = DeliveryDays::new(true, []);
        assert_eq!(saturdays.add(date("9999-12-30"), 1), Some(date("9999-12-31")));
        assert_eq!(saturdays.add(date("9999-12-31"), 1), None);
        assert_eq!(saturdays.add(date("9999-12-31"), 0), Some(date("9999-12-31")));
    }
}
