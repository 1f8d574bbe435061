//! How a ledger is opened, as a person types it: the clock's time
//! (`YYYY-MM-DDTHH:MM[:SS]`, UTC) and the store timeout in seconds. The CLI
//! and the Python package both read them here, so that both refuse the
//! same values with the same code (E120).

use std::sync::Arc;
use std::time::Duration;

use chrono::{Datelike, NaiveDateTime};

use crate::error::DomoptError;

use super::url::{MAX_STORE_TIMEOUT, StoreOptions};
use super::{Clock, FixedClock, SystemClock};

/// The years a ledger clock may be set to. The ledger keeps times as
/// fixed-width text whose order is time order only up to year 9999, and a
/// hold may last up to a year past the clock.
const CLOCK_YEARS: std::ops::RangeInclusive<i32> = 1..=9998;

/// The shortest store timeout waited: what SQLite and PostgreSQL can wait.
const MIN_WAIT: Duration = Duration::from_millis(1);

/// A settings error (E120) of the option `field`.
fn setting(field: &str, detail: String) -> DomoptError {
    DomoptError::Settings {
        field: field.into(),
        detail,
    }
}

/// A ledger clock's time as typed: `YYYY-MM-DDTHH:MM[:SS]`, UTC, in years 1
/// to 9998; E120 (setting `at`) saying what is wrong otherwise.
pub fn parse_clock_time(at: &str) -> Result<NaiveDateTime, DomoptError> {
    let t = ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(at, f).ok())
        .ok_or_else(|| setting("at", format!("{at}: expected YYYY-MM-DDTHH:MM[:SS]")))?;
    if !CLOCK_YEARS.contains(&t.year()) {
        let detail = format!(
            "{at}: a time in years {} to {} (the ledger orders its times as text up to \
             year 9999, and a hold may last a year)",
            CLOCK_YEARS.start(),
            CLOCK_YEARS.end()
        );
        return Err(setting("at", detail));
    }
    Ok(t)
}

/// The ledger's clock: standing at `at` (see [`parse_clock_time`]), or the
/// system's when `at` is `None`.
pub fn clock_at(at: Option<&str>) -> Result<Arc<dyn Clock>, DomoptError> {
    match at {
        None => Ok(Arc::new(SystemClock)),
        Some(at) => Ok(Arc::new(FixedClock::new(parse_clock_time(at)?))),
    }
}

impl StoreOptions {
    /// Options with a store timeout of `secs` seconds: more than 0 and at
    /// most [`MAX_STORE_TIMEOUT`] (E120, setting `store-timeout`, otherwise:
    /// NaN, zero, negative, infinite or over an hour). A timeout under a
    /// millisecond waits a millisecond.
    pub fn from_secs(secs: f64) -> Result<Self, DomoptError> {
        Self::checked(secs, &secs.to_string())
    }

    /// Options with the store timeout typed as `text` (seconds, a decimal
    /// number; see [`StoreOptions::from_secs`]); E120 when it is not a
    /// number too.
    pub fn parse_secs(text: &str) -> Result<Self, DomoptError> {
        match text.trim().parse::<f64>() {
            Ok(secs) => Self::checked(secs, text),
            Err(_) => Err(out_of_range(text, "not a number of ")),
        }
    }

    fn checked(secs: f64, shown: &str) -> Result<Self, DomoptError> {
        let max = MAX_STORE_TIMEOUT.as_secs_f64();
        if !(secs > 0.0 && secs <= max) {
            return Err(out_of_range(shown, ""));
        }
        let timeout = Duration::from_secs_f64(secs).max(MIN_WAIT);
        StoreOptions::with_timeout(timeout).map_err(|_| out_of_range(shown, ""))
    }
}

/// E120 for a store timeout that is not a number of seconds in range.
fn out_of_range(shown: &str, prefix: &str) -> DomoptError {
    let max = MAX_STORE_TIMEOUT.as_secs_f64();
    setting(
        "store-timeout",
        format!("`{shown}`: {prefix}seconds, more than 0 and at most {max}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::IssueCode;

    #[test]
    fn a_clock_time_takes_minutes_or_seconds_and_refuses_other_text_and_far_years() {
        assert!(parse_clock_time("2026-11-27T09:30").is_ok());
        assert!(parse_clock_time("2026-11-27T09:30:15").is_ok());
        for bad in ["", "tomorrow", "2026-11-27", "2026-13-01T00:00", "9999-01-01T00:00"] {
            let e = parse_clock_time(bad).unwrap_err();
            assert_eq!(e.code(), Some(IssueCode::BadSetting), "{bad}");
        }
    }

    #[test]
    fn a_store_timeout_out_of_range_or_not_a_number_is_e120_and_a_tiny_one_waits_a_millisecond()
    {
        for bad in ["0", "-1", "abc", "3601", "NaN", "inf", ""] {
            let e = StoreOptions::parse_secs(bad).unwrap_err();
            assert_eq!(e.code(), Some(IssueCode::BadSetting), "{bad}");
            assert!(e.to_string().contains("store-timeout"), "{e}");
        }
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 3600.5] {
            assert!(StoreOptions::from_secs(bad).is_err(), "{bad}");
        }
        assert_eq!(
            StoreOptions::parse_secs(" 0.25 ").unwrap().timeout,
            Duration::from_millis(250)
        );
        assert_eq!(
            StoreOptions::from_secs(1e-6).unwrap().timeout,
            Duration::from_millis(1)
        );
    }
}
