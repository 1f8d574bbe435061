//! Realistic peak-season instances: a US network (DCs at research fulfillment
//! sites, stores in the 99 largest metros, 3PLs, drop-ship suppliers), demand in
//! proportion to metro population at real ZIPs near each metro, Zipf SKU
//! popularity, an e-commerce order-size mix, stock concentrated in DCs and thin
//! (partly reserved) in stores. Deterministic for a seed; orders and inventory are
//! streamed to CSV so that a million orders never sit in memory.
//!
//! One random stream draws, in this order, the catalogue, the network, the
//! inventory and the orders: a change to one part's draws changes every part
//! after it.

mod catalogue;
mod config;
mod inventory;
mod network;
mod orders;
mod places;
pub(crate) mod sampling;
mod write;

use std::path::Path;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

pub use config::{GenConfig, PRESETS};

use crate::error::DomoptError;
use places::Places;
use write::io_err;

/// What `generate` wrote.
#[derive(Debug, Clone, Serialize)]
pub struct GenSummary {
    /// Nodes.
    pub nodes: usize,
    /// SKUs.
    pub skus: usize,
    /// Orders.
    pub orders: usize,
    /// Order lines.
    pub lines: usize,
    /// Inventory rows.
    pub inventory_rows: usize,
}

/// Writes a scenario folder for `cfg` and `seed` into `dir`.
pub fn generate(
    cfg: &GenConfig,
    seed: u64,
    name: &str,
    dir: &Path,
) -> Result<GenSummary, DomoptError> {
    cfg.validate()?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let places = Places::new(cfg.zip_radius_miles);
    let zipf = catalogue::zipf(cfg)?;
    let (skus, catalogue) = catalogue::draw(cfg, &mut rng);
    let nodes = network::nodes(cfg, &places, &mut rng);
    let services = network::services(cfg)?;

    std::fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
    write::scenario_file(dir, name, cfg, &nodes, skus, services)?;
    let inventory_rows = inventory::write(dir, cfg, &catalogue, &nodes, &mut rng)?;
    let lines = orders::write(dir, cfg, &catalogue, &places, &zipf, &mut rng)?;
    write::readme(dir, cfg, seed)?;
    Ok(GenSummary {
        nodes: nodes.len(),
        skus: cfg.skus,
        orders: cfg.orders,
        lines,
        inventory_rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_writes_the_same_files() {
        let cfg = GenConfig::preset("tiny").unwrap();
        let base = std::env::temp_dir().join(format!("domopt-gen-{}", std::process::id()));
        let (a, b) = (base.join("a"), base.join("b"));
        generate(&cfg, 7, "t", &a).unwrap();
        generate(&cfg, 7, "t", &b).unwrap();
        for f in [
            "scenario.json",
            "inventory.csv",
            "orders.csv",
            "order_lines.csv",
        ] {
            assert_eq!(
                std::fs::read(a.join(f)).unwrap(),
                std::fs::read(b.join(f)).unwrap(),
                "{f}"
            );
        }
        std::fs::remove_dir_all(&base).ok();
    }
}
