//! Dates, date-times, times of day and weekdays: parsed, and kept within the
//! years the engine's calendar arithmetic can reach.

use std::fmt::Display;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Weekday};

use crate::error::IssueCode;

use super::collector::Collector;
use super::limits::YEARS;

/// Parses `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS]` or `YYYY-MM-DD HH:MM[:SS]`.
pub fn parse_datetime(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    for fmt in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(t);
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .map(|d| d.and_time(NaiveTime::MIN))
}

impl Collector {
    /// A date or date-time within `YEARS`, or E110.
    fn in_years<T: chrono::Datelike + std::fmt::Display>(
        &mut self,
        record: &(impl Display + ?Sized),
        field: &(impl Display + ?Sized),
        t: T,
    ) -> Option<T> {
        if YEARS.contains(&t.year()) {
            return Some(t);
        }
        self.error(
            IssueCode::BadDate,
            record,
            field,
            format!(
                "{t} is outside the years {}..={}",
                YEARS.start(),
                YEARS.end()
            ),
            "give a date between 1900 and 9999",
        );
        None
    }

    /// A `YYYY-MM-DD` date, or E110.
    pub(super) fn date(&mut self, record: &(impl Display + ?Sized), field: &(impl Display + ?Sized), s: &str) -> Option<NaiveDate> {
        match NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
            Ok(d) => self.in_years(record, field, d),
            Err(_) => {
                self.error(
                    IssueCode::BadDate,
                    record,
                    field,
                    format!("`{s}` is not a date"),
                    "write dates as YYYY-MM-DD",
                );
                None
            }
        }
    }

    /// A date or date-time (see [`parse_datetime`]), or E110.
    pub(super) fn datetime(&mut self, record: &(impl Display + ?Sized), field: &(impl Display + ?Sized), s: &str) -> Option<NaiveDateTime> {
        match parse_datetime(s) {
            Some(t) => self.in_years(record, field, t),
            None => {
                self.error(
                    IssueCode::BadDate,
                    record,
                    field,
                    format!("`{s}` is not a date or date-time"),
                    "write YYYY-MM-DD or YYYY-MM-DDTHH:MM",
                );
                None
            }
        }
    }

    /// A weekday (`Mon`, `Tue`, ...), or E110.
    pub(super) fn weekday(&mut self, record: &(impl Display + ?Sized), field: &(impl Display + ?Sized), s: &str) -> Option<Weekday> {
        match s.trim().parse::<Weekday>() {
            Ok(w) => Some(w),
            Err(_) => {
                self.error(
                    IssueCode::BadDate,
                    record,
                    field,
                    format!("`{s}` is not a weekday"),
                    "write Mon, Tue, ... Sun",
                );
                None
            }
        }
    }

    /// A daily `HH:MM` time (24 h), or E110.
    pub(super) fn time_of_day(&mut self, record: &(impl Display + ?Sized), field: &(impl Display + ?Sized), s: &str) -> Option<NaiveTime> {
        match NaiveTime::parse_from_str(s.trim(), "%H:%M") {
            Ok(t) => Some(t),
            Err(_) => {
                self.error(
                    IssueCode::BadDate,
                    record,
                    field,
                    format!("`{s}` is not a time"),
                    "write HH:MM (24 h)",
                );
                None
            }
        }
    }
}
