//! The opportunity-cost strategy's prices (after Acimovic and Graves, 2015):
//! before each wave, an LP over the wave's orders and the demand forecast
//! for the next hours, on the stock and capacity left; the shadow price of
//! each (node, SKU) stock row is what one unit there is worth to the
//! demand to come, and the wave's solve charges it per unit taken.

use chrono::{Duration, NaiveDateTime};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::arrivals::Profile;
use super::options::MAX_FORECAST_ORDERS;
use super::wave::{placed, validated};
use super::Ctx;
use crate::error::DomoptError;
use crate::input::format::ScenarioFile;
use crate::network::candidates;
use crate::network::lanes::Network;
use crate::sourcing::bindable::Row;
use crate::sourcing::formulation;
use crate::sourcing::UnitPrices;

/// The look-ahead LP's candidates: the cheapest nodes per line.
const LOOKAHEAD_CANDIDATES: candidates::CandidateMode = candidates::CandidateMode::Pruned { k: 4 };

/// Prices below this are zero (the LP's tolerance).
const PRICE_TOLERANCE: f64 = 1e-6;

/// How many orders are expected when.
#[derive(Debug, Clone, Copy)]
pub enum Forecast {
    /// Drawn from a profile from `start`: the expected count in a window is
    /// the profile's share of it.
    Profile {
        /// The profile.
        profile: Profile,
        /// Its start.
        start: NaiveDateTime,
    },
    /// Read from a file: a flat rate over the horizon.
    Flat {
        /// The horizon's start.
        start: NaiveDateTime,
        /// Its end.
        end: NaiveDateTime,
    },
}

impl Forecast {
    /// The share of the horizon's orders expected in `[from, to)`.
    pub fn share(&self, from: NaiveDateTime, to: NaiveDateTime) -> f64 {
        match *self {
            Forecast::Profile { profile, start } => {
                let hours = profile.days() * 24;
                let (mut inside, mut total) = (0.0, 0.0);
                for h in 0..hours {
                    let a = start + Duration::hours(h);
                    let b = a + Duration::hours(1);
                    let w = super::arrivals::weight(profile, a);
                    total += w;
                    inside += w * overlap(a, b, from, to) / 3600.0;
                }
                if total > 0.0 { inside / total } else { 0.0 }
            }
            Forecast::Flat { start, end } => {
                let len = (end - start).num_seconds() as f64;
                if len > 0.0 { overlap(start, end, from, to) / len } else { 0.0 }
            }
        }
    }
}

/// Seconds `[a, b)` and `[c, d)` share.
fn overlap(a: NaiveDateTime, b: NaiveDateTime, c: NaiveDateTime, d: NaiveDateTime) -> f64 {
    let (lo, hi) = (a.max(c), b.min(d));
    if hi > lo { (hi - lo).num_seconds() as f64 } else { 0.0 }
}

/// The stock rows' prices for wave `w` cut at `at`, whose scenario is
/// `wave`. The forecast orders are drawn, with replacement, from the
/// horizon's order mix (what a forecaster fits from history: SKUs, sizes,
/// destinations and promises, not the times), as many as expected in the
/// look-ahead window. No prices if the LP does not solve: the wave is then
/// routed myopically.
pub(super) fn prices(ctx: &Ctx, wave: &ScenarioFile, w: usize, at: NaiveDateTime) -> Result<UnitPrices, DomoptError> {
    let options = ctx.options;
    let pool = &ctx.loaded.file.orders;
    let expected = ctx.forecast.share(at, at + options.look_ahead) * pool.len() as f64;
    let n = (expected.round() as usize).min(MAX_FORECAST_ORDERS);
    if n == 0 || pool.is_empty() {
        return Ok(UnitPrices::default());
    }
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed.wrapping_add(0x00F0_CA57_u64.wrapping_mul(w as u64 + 1)));
    let mut f = wave.clone();
    f.orders.extend((0..n).map(|k| {
        let mut o = placed(&pool[rng.random_range(0..pool.len())], at);
        o.id = format!("forecast~{k}");
        o
    }));
    let s = validated(ctx, &f, w)?;
    let net = Network::build(&s);
    // The cheapest few nodes per line carry the prices: an LP over every
    // candidate of thousands of orders does not solve in a wave's time.
    let cs = candidates::generate(&s, &net, LOOKAHEAD_CANDIDATES);
    let model = formulation::build(&s, &cs);
    let rows = model.rows.clone();
    let Some((_, duals)) = model.lp_prices(&options.settings) else {
        return Ok(UnitPrices::default());
    };
    Ok(rows
        .into_iter()
        .zip(duals)
        .filter_map(|(row, price)| match row {
            Row::Stock(node, sku) if price > PRICE_TOLERANCE => Some(((node, sku), price)),
            _ => None,
        })
        .collect())
}
