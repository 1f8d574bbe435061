//! When each order of a simulation arrives: drawn from a time-of-day (and,
//! over a week, day-of-week) profile, read from an arrival file, or taken
//! from the orders' own `placed_at`.

use std::collections::HashMap;
use std::path::Path;

use chrono::{Duration, NaiveDateTime};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::error::{DomoptError, Issue, IssueCode, Severity, ValidationReport};
use crate::input::format::OrderRecord;
use crate::research::generate::sampling::Cumulative;

/// The shape of demand over the horizon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// One peak day: quiet at night, a lunch and an evening peak.
    Day,
    /// A peak week from the start date: the day profile on each of seven
    /// days, Monday heaviest, Saturday lightest.
    Week,
}

impl Profile {
    /// Parses `day` or `week`.
    pub fn parse(s: &str) -> Option<Profile> {
        match s {
            "day" => Some(Profile::Day),
            "week" => Some(Profile::Week),
            _ => None,
        }
    }

    /// Days the profile spans.
    pub fn days(self) -> i64 {
        match self {
            Profile::Day => 1,
            Profile::Week => 7,
        }
    }
}

/// Share of a day's orders placed in each hour (US e-commerce on a peak day:
/// a night trough, a morning climb, a lunch peak and the evening peak).
const HOUR_WEIGHTS: [f64; 24] = [
    1.6, 1.0, 0.6, 0.4, 0.4, 0.6, 1.2, 2.4, 3.6, 4.4, 4.8, 5.2, 5.8, 5.6, 5.0, 4.8, 4.8, 5.0,
    5.4, 6.2, 6.8, 6.6, 5.0, 3.0,
];

/// Weight of each weekday, Monday first (Cyber-week shape: Monday heaviest,
/// the weekend lightest).
const WEEKDAY_WEIGHTS: [f64; 7] = [1.35, 1.10, 1.00, 0.95, 0.90, 0.80, 0.90];

/// The profile's weight of the hour starting at `at`.
pub fn weight(profile: Profile, at: NaiveDateTime) -> f64 {
    let day = match profile {
        Profile::Day => 1.0,
        Profile::Week => {
            WEEKDAY_WEIGHTS[chrono::Datelike::weekday(&at.date()).num_days_from_monday() as usize]
        }
    };
    day * HOUR_WEIGHTS[chrono::Timelike::hour(&at) as usize]
}

/// An arrival time for each of `orders` orders from `start` over the
/// profile. Each hour of the horizon is drawn in proportion to its weight,
/// then a second within it uniformly; the times go to the orders in a
/// seeded shuffle, so that arrival order does not follow the scenario's
/// order of ids. Deterministic for a seed.
pub fn generate(orders: usize, start: NaiveDateTime, profile: Profile, seed: u64) -> Vec<NaiveDateTime> {
    let hours = profile.days() * 24;
    let hour = Cumulative::new((0..hours).map(|h| weight(profile, start + Duration::hours(h))));
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut times: Vec<NaiveDateTime> = (0..orders)
        .map(|_| {
            let h = hour.sample(&mut rng) as i64;
            start + Duration::hours(h) + Duration::seconds(rng.random_range(0..3600))
        })
        .collect();
    times.shuffle(&mut rng);
    times
}

/// Reads an arrival file: a CSV with columns `order` and `at`
/// (`YYYY-MM-DDTHH:MM` or `YYYY-MM-DDTHH:MM:SS`), one row per order of the
/// scenario, in ascending time. Returns each order's arrival, in
/// `order_ids` order. Every problem is reported at once: E194 unreadable
/// rows and timestamps, E195 a time before the row above it, E196 unknown,
/// repeated and missing orders.
pub fn read(path: &Path, order_ids: &[&str]) -> Result<Vec<NaiveDateTime>, DomoptError> {
    let file = std::fs::File::open(path).map_err(|e| DomoptError::io(path, e))?;
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(file);
    let header = reader
        .headers()
        .map_err(|e| DomoptError::parse(path, e.to_string()))?
        .clone();
    let (Some(order_col), Some(at_col)) = (
        header.iter().position(|h| h == "order"),
        header.iter().position(|h| h == "at"),
    ) else {
        return Err(DomoptError::parse(
            path,
            "an arrival file needs the columns `order` and `at`",
        ));
    };
    let index: HashMap<&str, usize> = order_ids.iter().enumerate().map(|(k, id)| (*id, k)).collect();
    let mut times: Vec<Option<NaiveDateTime>> = vec![None; order_ids.len()];
    let mut issues = Vec::new();
    let mut last: Option<NaiveDateTime> = None;
    for (row, record) in reader.records().enumerate() {
        let line = format!("arrivals row {}", row + 2);
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                issues.push(issue(IssueCode::BadArrivalTime, &line, "", e.to_string()));
                continue;
            }
        };
        let order = record.get(order_col).unwrap_or("");
        let at = record.get(at_col).unwrap_or("");
        let Some(time) = parse_time(at) else {
            let msg = format!("`{}` is not YYYY-MM-DDTHH:MM[:SS]", at.escape_debug());
            issues.push(issue(IssueCode::BadArrivalTime, &line, "at", msg));
            continue;
        };
        if let Some(before) = last.filter(|b| time < *b) {
            let msg = format!("{time} is before {before}, the time of the row above");
            issues.push(issue(IssueCode::UnsortedArrivals, &line, "at", msg));
        }
        last = Some(last.map_or(time, |b| b.max(time)));
        match index.get(order) {
            None => {
                let msg = format!("order `{}` is not in the scenario", order.escape_debug());
                issues.push(issue(IssueCode::UnknownArrivalOrder, &line, "order", msg));
            }
            Some(&k) if times[k].is_some() => {
                let msg = format!("order `{}` arrives twice", order.escape_debug());
                issues.push(issue(IssueCode::UnknownArrivalOrder, &line, "order", msg));
            }
            Some(&k) => times[k] = Some(time),
        }
    }
    let missing: Vec<&str> = order_ids
        .iter()
        .zip(&times)
        .filter(|(_, t)| t.is_none())
        .map(|(id, _)| *id)
        .collect();
    if !missing.is_empty() {
        let shown: Vec<&str> = missing.iter().take(5).copied().collect();
        let msg = format!(
            "{} order(s) of the scenario have no arrival: {}{}",
            missing.len(),
            shown.join(", "),
            if missing.len() > shown.len() { ", ..." } else { "" }
        );
        issues.push(issue(IssueCode::UnknownArrivalOrder, "arrivals", "order", msg));
    }
    if !issues.is_empty() {
        return Err(DomoptError::Invalid(ValidationReport { issues: capped(issues) }));
    }
    Ok(times.into_iter().flatten().collect())
}

/// Arrivals from the orders' own `placed_at` (an orders file with
/// timestamps): each order must have one with a time of day, and the orders
/// must be in ascending time. Every problem is reported at once: E194 a
/// missing or unreadable `placed_at`, E195 one before the order above it.
pub fn from_placed_at(orders: &[OrderRecord]) -> Result<Vec<NaiveDateTime>, DomoptError> {
    let mut issues = Vec::new();
    let mut times = Vec::with_capacity(orders.len());
    let mut last: Option<NaiveDateTime> = None;
    for o in orders {
        let record = format!("order {}", o.id.escape_debug());
        let Some(time) = o.placed_at.as_deref().and_then(parse_time) else {
            let msg = match &o.placed_at {
                None => "no placed_at: an order needs its time to arrive".to_string(),
                Some(p) => format!("`{}` is not YYYY-MM-DDTHH:MM[:SS]", p.escape_debug()),
            };
            issues.push(issue(IssueCode::BadArrivalTime, &record, "placed_at", msg));
            continue;
        };
        if let Some(before) = last.filter(|b| time < *b) {
            let msg = format!("{time} is before {before}, the time of the order above");
            issues.push(issue(IssueCode::UnsortedArrivals, &record, "placed_at", msg));
        }
        last = Some(last.map_or(time, |b| b.max(time)));
        times.push(time);
    }
    if issues.is_empty() {
        Ok(times)
    } else {
        Err(DomoptError::Invalid(ValidationReport { issues: capped(issues) }))
    }
}

/// Most issues an arrival file reports one by one.
const MAX_ISSUES: usize = 100;

/// The first [`MAX_ISSUES`] issues and, if there were more, one that
/// counts the rest under the code of the last one shown.
fn capped(mut issues: Vec<Issue>) -> Vec<Issue> {
    if issues.len() <= MAX_ISSUES {
        return issues;
    }
    let more = issues.len() - MAX_ISSUES;
    issues.truncate(MAX_ISSUES);
    let code = issues[MAX_ISSUES - 1].code;
    issues.push(issue(code, "arrivals", "", format!("and {more} more problem(s) not listed")));
    issues
}

/// `YYYY-MM-DDTHH:MM` or `YYYY-MM-DDTHH:MM:SS`.
pub fn parse_time(s: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M"))
        .ok()
}

/// An error of a simulation's input.
pub(crate) fn issue(code: IssueCode, record: &str, field: &str, message: String) -> Issue {
    Issue {
        code,
        severity: Severity::Error,
        record: record.to_string(),
        field: field.to_string(),
        message,
        action: "see `domopt simulate --help` for the arrival file and the settings".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        parse_time(s).unwrap()
    }

    #[test]
    fn a_generated_day_is_sorted_within_the_day_and_busier_at_lunch_than_at_dawn() {
        let start = at("2026-12-14T00:00");
        let times = generate(20_000, start, Profile::Day, 3);
        assert!(times.windows(2).any(|w| w[0] > w[1]), "shuffled over the orders");
        assert!(times.iter().all(|t| *t >= start && *t < start + Duration::days(1)));
        let in_hour = |h: u32| times.iter().filter(|t| chrono::Timelike::hour(*t) == h).count();
        assert!(in_hour(12) > 5 * in_hour(4), "{} vs {}", in_hour(12), in_hour(4));
        assert_eq!(times, generate(20_000, start, Profile::Day, 3));
    }

    #[test]
    fn a_generated_week_puts_more_orders_on_monday_than_on_saturday() {
        let monday = at("2026-11-30T00:00");
        let times = generate(50_000, monday, Profile::Week, 1);
        let on = |d: i64| times.iter().filter(|t| (t.date() - monday.date()).num_days() == d).count();
        assert!(on(0) > on(5) * 3 / 2, "{} vs {}", on(0), on(5));
        assert!(times.iter().all(|t| (t.date() - monday.date()).num_days() < 7));
    }
}
