//! The horizon every strategy sees alike: the waves (their cut times and
//! orders) and the draws of which orders are cancelled or returned, made
//! once so that strategies are compared on the same events.

use chrono::{Duration, NaiveDateTime};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::options::{MAX_WAVES, SimOptions, WaveRule};
use crate::error::{DomoptError, IssueCode, ValidationReport};

/// One wave: when it is cut and the orders (indices into the scenario's
/// orders) that arrived since the last cut, in arrival order.
#[derive(Debug, Clone)]
pub struct WaveCut {
    /// The cut time: the wave's `wave_time`.
    pub at: NaiveDateTime,
    /// Orders, by index.
    pub orders: Vec<usize>,
}

/// What happens to each order besides being routed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Fate {
    /// When the customer cancels it, if they do.
    pub cancel_at: Option<NaiveDateTime>,
    /// Whether what it ships comes back.
    pub returned: bool,
}

/// The waves and the draws.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// The start of the horizon (`--start`, or midnight of the first arrival's day).
    pub start: NaiveDateTime,
    /// Days from the start's to the last arrival's, at least one: the days
    /// the scenario's node capacity is spread over.
    pub days: i64,
    /// The last cut.
    pub end: NaiveDateTime,
    /// Non-empty waves in time order.
    pub waves: Vec<WaveCut>,
    /// Per order.
    pub fates: Vec<Fate>,
    /// Arrival of each order.
    pub arrivals: Vec<NaiveDateTime>,
}

impl Schedule {
    /// Cuts the arrivals into waves from `options.start` (default: the
    /// first arrival's midnight) and draws the fates. No orders, an arrival
    /// before the start, a cut past the last date a scenario can name, or
    /// more than [`MAX_WAVES`] waves is E197.
    pub fn new(arrivals: Vec<NaiveDateTime>, options: &SimOptions) -> Result<Schedule, DomoptError> {
        let mut by_time: Vec<usize> = (0..arrivals.len()).collect();
        by_time.sort_by_key(|&k| (arrivals[k], k));
        let (Some(&first), Some(&last)) = (by_time.first(), by_time.last()) else {
            return Err(refuse("scenario", "the scenario has no orders to arrive".into()));
        };
        let start = options
            .start
            .unwrap_or_else(|| arrivals[first].date().and_time(chrono::NaiveTime::MIN));
        if arrivals[first] < start {
            return Err(refuse("--start", format!("order arrives at {}, before the start {start}", arrivals[first])));
        }
        let (waves, field) = match options.waves {
            WaveRule::Every(d) => (every(&arrivals, &by_time, start, d)?, "--wave-every"),
            WaveRule::Count(n) => (by_count(&arrivals, &by_time, n), "--wave-orders"),
        };
        if waves.len() > MAX_WAVES {
            return Err(refuse(field, format!("{} waves: a simulation cuts at most {MAX_WAVES}", waves.len())));
        }
        let fates = draw_fates(&arrivals, options);
        let end = waves.last().map_or(start, |w| w.at);
        let days = arrivals[last].date().signed_duration_since(start.date()).num_days() + 1;
        Ok(Schedule {
            start,
            end,
            days,
            waves,
            fates,
            arrivals,
        })
    }
}

/// A simulation setting refused (E197).
fn refuse(field: &str, msg: String) -> DomoptError {
    let issue = super::arrivals::issue(IssueCode::BadSimulation, "simulation", field, msg);
    DomoptError::Invalid(ValidationReport { issues: vec![issue] })
}

/// A wave at each multiple of `d` from `start` that closes after an arrival;
/// an order arriving exactly at a cut joins that wave. A cut past the last
/// date a scenario can name is E197.
fn every(
    arrivals: &[NaiveDateTime],
    by_time: &[usize],
    start: NaiveDateTime,
    d: Duration,
) -> Result<Vec<WaveCut>, DomoptError> {
    let step = d.num_seconds().max(1);
    let mut waves: Vec<WaveCut> = Vec::new();
    for &k in by_time {
        let t = arrivals[k];
        let since = (t - start).num_seconds();
        let steps = since.div_euclid(step) + i64::from(since.rem_euclid(step) > 0);
        let cut = steps
            .checked_mul(step)
            .and_then(Duration::try_seconds)
            .and_then(|off| start.checked_add_signed(off))
            .filter(|c| c.date() <= crate::network::holidays::LAST_DATE)
            .ok_or_else(|| refuse("--wave-every", format!("the wave of the order arriving at {t} would close after 9999-12-31")))?;
        match waves.last_mut() {
            Some(w) if w.at == cut => w.orders.push(k),
            _ => waves.push(WaveCut { at: cut, orders: vec![k] }),
        }
    }
    Ok(waves)
}

/// A wave at the arrival of every `n`-th order, and one for the rest.
fn by_count(arrivals: &[NaiveDateTime], by_time: &[usize], n: usize) -> Vec<WaveCut> {
    by_time
        .chunks(n)
        .map(|chunk| WaveCut {
            at: arrivals[*chunk.last().expect("chunks are not empty")],
            orders: chunk.to_vec(),
        })
        .collect()
}

/// Cancellations and returns, drawn per order from the seed.
fn draw_fates(arrivals: &[NaiveDateTime], options: &SimOptions) -> Vec<Fate> {
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed ^ 0x5EED_CA7C);
    arrivals
        .iter()
        .map(|&t| {
            let (c, r): (f64, f64) = (rng.random(), rng.random());
            Fate {
                // A cancellation past the last representable time never comes.
                cancel_at: (c < options.cancel_rate).then(|| t.checked_add_signed(options.cancel_after)).flatten(),
                returned: r < options.return_rate,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::settings::Settings;

    fn t(s: &str) -> NaiveDateTime {
        super::super::arrivals::parse_time(s).unwrap()
    }

    #[test]
    fn orders_fall_in_the_wave_that_closes_at_or_after_their_arrival() {
        let arrivals = vec![t("2026-12-14T00:14"), t("2026-12-14T00:15"), t("2026-12-14T00:15:01"), t("2026-12-14T01:00")];
        let s = Schedule::new(arrivals, &SimOptions::new(Settings::default())).unwrap();
        let cuts: Vec<(String, Vec<usize>)> =
            s.waves.iter().map(|w| (w.at.format("%H:%M").to_string(), w.orders.clone())).collect();
        assert_eq!(
            cuts,
            vec![("00:15".into(), vec![0, 1]), ("00:30".into(), vec![2]), ("01:00".into(), vec![3])]
        );
    }

    #[test]
    fn waves_by_count_close_at_their_last_order() {
        let arrivals = vec![t("2026-12-14T09:00"), t("2026-12-14T08:00"), t("2026-12-14T10:00")];
        let mut o = SimOptions::new(Settings::default());
        o.waves = WaveRule::Count(2);
        let s = Schedule::new(arrivals, &o).unwrap();
        assert_eq!(s.waves[0].orders, vec![1, 0]);
        assert_eq!(s.waves[0].at, t("2026-12-14T09:00"));
        assert_eq!(s.waves[1].orders, vec![2]);
    }
}
