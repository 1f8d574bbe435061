//! A simulation's options as a person types them (names, times as text,
//! whole numbers that may be negative; `None` at the default), checked
//! into [`SimOptions`] with every bad one reported at once (E197), and the
//! arrivals they ask for. `domopt simulate` and the Python `simulate` both
//! read their options through here, so that they check them alike.

use std::path::PathBuf;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};

use crate::error::{DomoptError, Issue, IssueCode, ValidationReport};
use crate::input::format::LoadedScenario;
use crate::input::settings::Settings;

use super::arrivals::{self, Profile, issue};
use super::lookahead::Forecast;
use super::options::{SimOptions, SimStrategy, WaveRule};

/// The most strategies run at once ([`SimOptions::validate`]'s limit).
const MAX_PARALLEL: usize = 64;

/// The latest year a drawn horizon may start in (a week of waves and their
/// deliveries must stay inside the calendar).
const LAST_START_YEAR: i32 = 9000;

/// A simulation's options as given; [`SimRequest::default`] is every
/// default of `domopt simulate`.
#[derive(Debug, Clone)]
pub struct SimRequest {
    /// Strategy names (default: [`SimStrategy::defaults`]).
    pub strategies: Option<Vec<String>>,
    /// An arrival CSV, or `placed_at` (the orders' own times); not with
    /// `profile` or `start`.
    pub arrivals: Option<PathBuf>,
    /// `day` (default) or `week`.
    pub profile: Option<String>,
    /// Start of the horizon, `YYYY-MM-DDTHH:MM[:SS]` (default: midnight of
    /// the scenario's wave date).
    pub start: Option<String>,
    /// Seed of the arrivals and the events; must not be negative.
    pub seed: i64,
    /// Minutes between wave cuts (default 15); not with `wave_orders`.
    pub wave_every: Option<i64>,
    /// Orders per wave instead.
    pub wave_orders: Option<i64>,
    /// Run the clairvoyant plan too.
    pub clairvoyant: bool,
    /// Its time limit, seconds (default 300).
    pub clairvoyant_time_limit: Option<f64>,
    /// Solver time limit per wave, seconds.
    pub time_limit: f64,
    /// Share of orders cancelled.
    pub cancel_rate: f64,
    /// Minutes after placing that an order is cancelled (default 30).
    pub cancel_after: Option<i64>,
    /// Share of shipped orders returned.
    pub return_rate: f64,
    /// Days after delivery a return arrives (default 5).
    pub return_days: Option<i64>,
    /// A returns file whose costs route the returns.
    pub return_costs: Option<PathBuf>,
    /// `HH:MM` of the daily replenishment.
    pub replenish_at: Option<String>,
    /// Hours of forecast demand in the look-ahead LP (default 4).
    pub look_ahead: Option<f64>,
    /// Strategies run at once (default: the machine's cores, at most 64).
    pub parallel: Option<usize>,
}

impl Default for SimRequest {
    fn default() -> Self {
        SimRequest {
            strategies: None,
            arrivals: None,
            profile: None,
            start: None,
            seed: 1,
            wave_every: None,
            wave_orders: None,
            clairvoyant: true,
            clairvoyant_time_limit: None,
            time_limit: 10.0,
            cancel_rate: 0.0,
            cancel_after: None,
            return_rate: 0.0,
            return_days: None,
            return_costs: None,
            replenish_at: None,
            look_ahead: None,
            parallel: None,
        }
    }
}

/// A simulation option out of range (E197).
fn bad(field: &str, message: String) -> Issue {
    issue(IssueCode::BadSimulation, "simulation", field, message)
}

/// Minutes as a duration; out-of-range values become a length `validate` refuses.
fn minutes(m: i64) -> Duration {
    Duration::try_minutes(m).unwrap_or(Duration::days(365))
}

/// Each order's arrival, the forecast the look-ahead draws from, and the
/// horizon's start when the arrivals are drawn.
pub type Arrivals = (Vec<NaiveDateTime>, Forecast, Option<NaiveDateTime>);

impl SimRequest {
    /// The options, every setting out of range reported at once (E197; a
    /// bad time limit is E120 and a returns file that cannot be read its
    /// own error). The returns file is read only when all else is right.
    pub fn options(&self) -> Result<SimOptions, DomoptError> {
        let settings = Settings {
            time_limit_s: self.time_limit,
            threads: 1,
            ..Settings::default()
        };
        settings.validate()?;
        let mut issues = self.conflicts();
        let mut o = SimOptions::new(settings);
        if let Some(names) = &self.strategies {
            o.strategies = names
                .iter()
                .filter_map(|s| {
                    let parsed = SimStrategy::parse(s.trim());
                    if parsed.is_none() {
                        let msg = format!("unknown strategy `{}`", s.escape_debug());
                        issues.push(bad("--strategies", msg));
                    }
                    parsed
                })
                .collect();
        }
        o.clairvoyant = self.clairvoyant;
        o.clairvoyant_time_limit_s = self
            .clairvoyant_time_limit
            .unwrap_or(o.clairvoyant_time_limit_s);
        if let Some(n) = self.wave_orders {
            // A negative count is refused as a wave of no order.
            o.waves = WaveRule::Count(usize::try_from(n).unwrap_or(0));
        } else if let Some(m) = self.wave_every {
            o.waves = WaveRule::Every(minutes(m));
        }
        o.cancel_rate = self.cancel_rate;
        o.cancel_after = self.cancel_after.map_or(o.cancel_after, minutes);
        o.return_rate = self.return_rate;
        o.return_days = self.return_days.unwrap_or(o.return_days);
        o.replenish_at = self.replenish_at.as_deref().and_then(|t| {
            let parsed = NaiveTime::parse_from_str(t, "%H:%M").ok();
            if parsed.is_none() {
                let msg = format!("`{}` is not HH:MM", t.escape_debug());
                issues.push(bad("--replenish-at", msg));
            }
            parsed
        });
        if let Some(h) = self.look_ahead {
            o.look_ahead = if h.is_finite() && (0.0..=168.0).contains(&h) {
                Duration::seconds((h * 3600.0).round() as i64)
            } else {
                // Out of range: a length `validate` refuses.
                Duration::days(8)
            };
        }
        if let Some(p) = &self.profile
            && Profile::parse(p).is_none()
        {
            issues.push(bad("--profile", format!("`{}`: day or week", p.escape_debug())));
        }
        o.start = self.start.as_deref().and_then(|s| {
            let parsed = arrivals::parse_time(s);
            if parsed.is_none() {
                let msg = format!("`{}` is not YYYY-MM-DDTHH:MM", s.escape_debug());
                issues.push(bad("--start", msg));
            }
            parsed
        });
        match u64::try_from(self.seed) {
            Ok(seed) => o.seed = seed,
            Err(_) => issues.push(bad("--seed", format!("{}: must not be negative", self.seed))),
        }
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        o.parallel = self.parallel.unwrap_or(cores.min(MAX_PARALLEL));
        if let Err(DomoptError::Invalid(r)) = o.validate() {
            issues.extend(r.issues);
        }
        if !issues.is_empty() {
            return Err(DomoptError::Invalid(ValidationReport { issues }));
        }
        o.return_costs = self
            .return_costs
            .as_deref()
            .map(crate::returns::format::read_returns)
            .transpose()?;
        Ok(o)
    }

    /// Options that exclude each other, given together.
    fn conflicts(&self) -> Vec<Issue> {
        let mut issues = Vec::new();
        if self.arrivals.is_some() && (self.profile.is_some() || self.start.is_some()) {
            let msg = "arrivals are given, or drawn from a profile from a start: not both";
            issues.push(bad("--arrivals", msg.into()));
        }
        if self.wave_every.is_some() && self.wave_orders.is_some() {
            let msg = "cut waves every so many minutes or every so many orders: not both";
            issues.push(bad("--wave-orders", msg.into()));
        }
        issues
    }

    /// Each order's arrival (read, taken from `placed_at`, or drawn from the
    /// profile from `start`, by default the wave date's midnight), the
    /// forecast, and the horizon's start when drawn (for
    /// [`SimOptions::start`]).
    pub fn arrivals(
        &self,
        loaded: &LoadedScenario,
        start: Option<NaiveDateTime>,
    ) -> Result<Arrivals, DomoptError> {
        let orders = &loaded.file.orders;
        if let Some(path) = &self.arrivals {
            let times = if path.as_os_str() == "placed_at" {
                arrivals::from_placed_at(orders)?
            } else {
                let ids: Vec<&str> = orders.iter().map(|o| o.id.as_str()).collect();
                arrivals::read(path, &ids)?
            };
            let start = times
                .iter()
                .min()
                .map_or_else(Default::default, |t| t.date().and_time(NaiveTime::MIN));
            let end = times.iter().max().copied().unwrap_or(start);
            return Ok((times, Forecast::Flat { start, end }, None));
        }
        let profile = self
            .profile
            .as_deref()
            .and_then(Profile::parse)
            .unwrap_or(Profile::Day);
        let start = match start {
            Some(t) => t,
            None => wave_midnight(&loaded.file.wave_time)?,
        };
        if start.year() > LAST_START_YEAR {
            let msg = format!("{start}: the horizon must start before the year {LAST_START_YEAR}");
            return Err(invalid(bad("--start", msg)));
        }
        // A negative seed was refused by `options`.
        let seed = u64::try_from(self.seed).unwrap_or_default();
        let times = arrivals::generate(orders.len(), start, profile, seed);
        Ok((times, Forecast::Profile { profile, start }, Some(start)))
    }
}

/// The wave's date at midnight (a date-only wave time is that midnight).
fn wave_midnight(wave_time: &str) -> Result<NaiveDateTime, DomoptError> {
    arrivals::parse_time(wave_time)
        .map(|t| t.date())
        .or_else(|| NaiveDate::parse_from_str(wave_time.trim(), "%Y-%m-%d").ok())
        .map(|d| d.and_time(NaiveTime::MIN))
        .ok_or_else(|| {
            let msg = format!(
                "the scenario's wave_time `{wave_time}` is not a date: give the horizon's start"
            );
            invalid(bad("--start", msg))
        })
}

fn invalid(issue: Issue) -> DomoptError {
    DomoptError::Invalid(ValidationReport {
        issues: vec![issue],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(r: &SimRequest) -> Vec<(String, IssueCode)> {
        match r.options() {
            Err(DomoptError::Invalid(rep)) => {
                rep.issues.into_iter().map(|i| (i.field, i.code)).collect()
            }
            other => panic!("expected E197 issues, got {other:?}"),
        }
    }

    #[test]
    fn the_default_request_gives_the_default_options() {
        let o = SimRequest::default().options().unwrap();
        let d = SimOptions::new(Settings::default());
        assert_eq!(o.strategies, d.strategies);
        assert_eq!(o.waves, d.waves);
        assert_eq!(o.seed, 1);
        assert!((1..=MAX_PARALLEL).contains(&o.parallel));
    }

    #[test]
    fn every_bad_option_is_reported_at_once_with_e197() {
        let r = SimRequest {
            strategies: Some(vec!["fastest".into()]),
            arrivals: Some("placed_at".into()),
            profile: Some("month".into()),
            seed: -1,
            wave_every: Some(15),
            wave_orders: Some(-3),
            replenish_at: Some("5am".into()),
            ..SimRequest::default()
        };
        let found = codes(&r);
        for field in [
            "--strategies",
            "--arrivals",
            "--profile",
            "--seed",
            "--wave-orders",
            "--replenish-at",
        ] {
            assert!(
                found.iter().any(|(f, c)| f == field && *c == IssueCode::BadSimulation),
                "{field} in {found:?}"
            );
        }
    }

    #[test]
    fn a_wave_time_that_is_not_a_date_asks_for_a_start() {
        match wave_midnight("soon") {
            Err(DomoptError::Invalid(r)) => assert_eq!(r.issues[0].field, "--start"),
            other => panic!("expected E197 on --start, got {other:?}"),
        }
        assert_eq!(
            wave_midnight("2026-11-27").unwrap(),
            NaiveDate::from_ymd_opt(2026, 11, 27)
                .unwrap()
                .and_time(NaiveTime::MIN)
        );
    }
}
