//! Stock, streamed to `inventory.csv`: concentrated in DCs (more DCs for
//! popular SKUs), thin and partly reserved in stores, deep at 3PLs for the
//! popular fifth and at a drop-ship supplier for some SKUs.

use std::path::Path;

use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::GenConfig;
use super::catalogue::{Catalogue, sku_id};
use super::write::{Table, io_err, table};
use crate::error::DomoptError;
use crate::input::format::NodeRecord;

/// The inventory table with the number of rows written.
struct Stock<'a> {
    table: Table,
    dir: &'a Path,
    rows: usize,
}

impl Stock<'_> {
    fn row(&mut self, record: [&str; 5]) -> Result<(), DomoptError> {
        self.table
            .write_record(record)
            .map_err(|e| io_err(self.dir, e))?;
        self.rows += 1;
        Ok(())
    }
}

/// Expected units ordered per order: mean lines per order times mean units
/// per line.
fn units_per_order(cfg: &GenConfig) -> (f64, f64) {
    let mean_lines: f64 = {
        let total: f64 = cfg.lines_mix.iter().sum();
        cfg.lines_mix
            .iter()
            .enumerate()
            .map(|(k, p)| (k + 1) as f64 * p / total)
            .sum()
    };
    let mean_units = 1.0 + cfg.multi_unit_share * 1.2;
    (mean_lines, mean_units)
}

/// Writes `inventory.csv`; returns its number of rows.
pub(super) fn write(
    dir: &Path,
    cfg: &GenConfig,
    catalogue: &Catalogue,
    nodes: &[NodeRecord],
    rng: &mut ChaCha8Rng,
) -> Result<usize, DomoptError> {
    let (mean_lines, mean_units) = units_per_order(cfg);
    let header = ["node", "sku", "on_hand", "reserved", "safety_stock"];
    let mut stock = Stock {
        table: table(dir, "inventory.csv", &header)?,
        dir,
        rows: 0,
    };
    for s in 0..cfg.skus {
        let rank = catalogue.sku_rank[s];
        let demand = cfg.orders as f64 * mean_lines * mean_units * catalogue.popularity(rank);
        let sku = SkuStock {
            id: sku_id(s),
            rank,
            demand,
            scarce: catalogue.scarce[s],
        };
        dc_rows(cfg, &sku, nodes, rng, &mut stock)?;
        store_rows(cfg, &sku, nodes, rng, &mut stock)?;
        tpl_rows(cfg, &sku, nodes, rng, &mut stock)?;
        supplier_row(cfg, s, &sku, nodes, rng, &mut stock)?;
    }
    stock.table.flush().map_err(|e| io_err(dir, e))?;
    Ok(stock.rows)
}

/// What the stock of one SKU depends on.
struct SkuStock {
    id: String,
    rank: usize,
    /// Expected units ordered in the wave.
    demand: f64,
    scarce: bool,
}

/// Popular SKUs sit in more DCs; a DC's share of the SKU's cover varies.
fn dc_rows(
    cfg: &GenConfig,
    sku: &SkuStock,
    nodes: &[NodeRecord],
    rng: &mut ChaCha8Rng,
    stock: &mut Stock,
) -> Result<(), DomoptError> {
    let cover = if sku.scarce { 0.5 } else { cfg.dc_cover };
    let carriers = ((cfg.dcs as f64) * if sku.rank < cfg.skus / 10 { 0.8 } else { 0.4 })
        .ceil()
        .max(1.0) as usize;
    let mut chosen: Vec<usize> = (0..cfg.dcs).collect();
    chosen.shuffle(rng);
    chosen.truncate(carriers.min(cfg.dcs));
    chosen.sort_unstable();
    let total = sku.demand * cover;
    for &d in &chosen {
        let q = (total / chosen.len() as f64 * rng.random_range(0.6..1.4)).round() as u64;
        // Slow movers still sit in a DC or two; scarce ones may be out.
        let q = if sku.scarce { q } else { q.max(2) };
        if q > 0 {
            stock.row([&nodes[d].id, &sku.id, &q.to_string(), "0", "0"])?;
        }
    }
    Ok(())
}

/// Stores: the popular part of the catalogue, thin and partly reserved.
fn store_rows(
    cfg: &GenConfig,
    sku: &SkuStock,
    nodes: &[NodeRecord],
    rng: &mut ChaCha8Rng,
    stock: &mut Stock,
) -> Result<(), DomoptError> {
    let in_assortment = (sku.rank as f64) < cfg.store_assortment * cfg.skus as f64;
    for k in 0..cfg.stores {
        if !in_assortment || !rng.random_bool(0.6) {
            continue;
        }
        let on_hand: u32 = rng.random_range(1..=4);
        let reserved = (0..on_hand)
            .filter(|_| rng.random_bool(cfg.store_reserved_share))
            .count() as u32;
        let safety = cfg.store_safety_stock.min(on_hand - reserved);
        stock.row([
            &nodes[cfg.dcs + k].id,
            &sku.id,
            &on_hand.to_string(),
            &reserved.to_string(),
            &safety.to_string(),
        ])?;
    }
    Ok(())
}

/// 3PLs: about half of them hold each SKU of the popular fifth.
fn tpl_rows(
    cfg: &GenConfig,
    sku: &SkuStock,
    nodes: &[NodeRecord],
    rng: &mut ChaCha8Rng,
    stock: &mut Stock,
) -> Result<(), DomoptError> {
    for k in 0..cfg.tpls {
        if sku.rank < cfg.skus / 5 && rng.random_bool(0.5) {
            let q = (sku.demand * 0.3 * rng.random_range(0.5..1.5))
                .round()
                .max(1.0) as u64;
            let node = &nodes[cfg.dcs + cfg.stores + k].id;
            stock.row([node, &sku.id, &q.to_string(), "0", "0"])?;
        }
    }
    Ok(())
}

/// Drop-ship: for some SKUs, one supplier (by SKU index) holds deep stock.
fn supplier_row(
    cfg: &GenConfig,
    s: usize,
    sku: &SkuStock,
    nodes: &[NodeRecord],
    rng: &mut ChaCha8Rng,
    stock: &mut Stock,
) -> Result<(), DomoptError> {
    if cfg.suppliers > 0 && rng.random_bool(0.3) {
        let k = s % cfg.suppliers;
        let q = (sku.demand * 2.0).round().max(5.0) as u64;
        let node = &nodes[cfg.dcs + cfg.stores + cfg.tpls + k].id;
        stock.row([node, &sku.id, &q.to_string(), "0", "0"])?;
    }
    Ok(())
}
