//! Orders, streamed to `orders.csv` and `order_lines.csv`: destinations at
//! ZIPs near metros drawn by population, placed in the four hours before the
//! cut, an e-commerce mix of service levels and order sizes, SKUs drawn by
//! Zipf popularity.

use std::collections::BTreeMap;
use std::path::Path;

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Zipf};

use super::GenConfig;
use super::catalogue::{Catalogue, sku_id};
use super::places::Places;
use super::sampling::Cumulative;
use super::write::{io_err, table};
use crate::error::DomoptError;

/// Writes `orders.csv` and `order_lines.csv`; returns the number of lines.
pub(super) fn write(
    dir: &Path,
    cfg: &GenConfig,
    catalogue: &Catalogue,
    places: &Places,
    zipf: &Zipf<f64>,
    rng: &mut ChaCha8Rng,
) -> Result<usize, DomoptError> {
    let lines_pick = Cumulative::new(cfg.lines_mix.iter().copied());
    let order_header = ["id", "placed_at", "zip", "service_level", "ship_complete"];
    let mut orders = table(dir, "orders.csv", &order_header)?;
    let mut lines = table(dir, "order_lines.csv", &["order", "sku", "quantity"])?;
    let wave = crate::input::validate::parse_datetime(&cfg.wave_time).expect("validated");
    let mut line_count = 0;
    let mut order_skus: BTreeMap<usize, u32> = BTreeMap::new();
    for o in 0..cfg.orders {
        let id = format!("O{:07}", o + 1);
        let m = places.draw_metro(rng);
        let zip = places.draw_zip(rng, m);
        // Placed in the four hours before the cut, in arrival order.
        let minutes_before = 240 - (240 * o / cfg.orders) as i64;
        let placed = wave - chrono::Duration::minutes(minutes_before);
        let level = draw_service_level(cfg, rng);
        let ship_complete = rng.random_bool(cfg.ship_complete_share);
        orders
            .write_record([
                id.as_str(),
                &placed.format("%Y-%m-%dT%H:%M").to_string(),
                &zip,
                level,
                if ship_complete { "true" } else { "false" },
            ])
            .map_err(|e| io_err(dir, e))?;
        let n_lines = (lines_pick.sample(rng) + 1).min(cfg.skus);
        draw_skus(cfg, catalogue, zipf, n_lines, rng, &mut order_skus);
        for (&s, &q) in &order_skus {
            lines
                .write_record([id.as_str(), &sku_id(s), &q.to_string()])
                .map_err(|e| io_err(dir, e))?;
            line_count += 1;
        }
    }
    orders.flush().map_err(|e| io_err(dir, e))?;
    lines.flush().map_err(|e| io_err(dir, e))?;
    Ok(line_count)
}

/// Overnight, two-day or standard, by their shares.
fn draw_service_level(cfg: &GenConfig, rng: &mut ChaCha8Rng) -> &'static str {
    let u: f64 = rng.random();
    if u < cfg.overnight_share {
        "overnight"
    } else if u < cfg.overnight_share + cfg.two_day_share {
        "two_day"
    } else {
        "standard"
    }
}

/// Fills `order_skus` (cleared first) with `n_lines` distinct SKUs and their
/// quantities, in SKU order.
fn draw_skus(
    cfg: &GenConfig,
    catalogue: &Catalogue,
    zipf: &Zipf<f64>,
    n_lines: usize,
    rng: &mut ChaCha8Rng,
    order_skus: &mut BTreeMap<usize, u32>,
) {
    order_skus.clear();
    // A steep Zipf law draws the same few SKUs again and again: after a
    // bounded number of draws, the most popular SKUs not yet drawn fill
    // the order (never reached at the presets' exponents).
    let mut draws = 0;
    while order_skus.len() < n_lines {
        draws += 1;
        if draws > 64 * n_lines {
            for &sku in &catalogue.rank_to_sku {
                if order_skus.len() == n_lines {
                    break;
                }
                order_skus.entry(sku).or_insert(1);
            }
            break;
        }
        let rank = zipf.sample(rng) as usize - 1;
        let q = if rng.random_bool(cfg.multi_unit_share) {
            if rng.random_bool(0.2) { 3 } else { 2 }
        } else {
            1
        };
        order_skus
            .entry(catalogue.rank_to_sku[rank.min(cfg.skus - 1)])
            .or_insert(q);
    }
}
