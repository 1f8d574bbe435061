//! The SKU catalogue: apparel-like weights and prices, Zipf popularity over
//! ranks shuffled over ids (so that id order says nothing), and the scarce
//! SKUs.

use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rand_distr::Zipf;

use super::GenConfig;
use crate::error::DomoptError;
use crate::input::format::SkuRecord;

/// A SKU's id in the generated files.
pub(super) fn sku_id(s: usize) -> String {
    format!("SKU{s:06}")
}

/// Popularity and scarcity of every SKU.
pub(super) struct Catalogue {
    /// SKU ids (indices) from the most popular down.
    pub rank_to_sku: Vec<usize>,
    /// Popularity rank of each SKU (0: the most popular).
    pub sku_rank: Vec<usize>,
    /// Whether a SKU is scarce (total stock about half its demand).
    pub scarce: Vec<bool>,
    exponent: f64,
    /// Sum of rank^-exponent over all ranks.
    harmonic: f64,
}

impl Catalogue {
    /// Probability that a line asks for the SKU of popularity `rank`.
    pub(super) fn popularity(&self, rank: usize) -> f64 {
        (rank as f64 + 1.0).powf(-self.exponent) / self.harmonic
    }
}

/// The Zipf law of SKU ranks (1-based) that order lines draw from.
pub(super) fn zipf(cfg: &GenConfig) -> Result<Zipf<f64>, DomoptError> {
    Zipf::new(cfg.skus as f64, cfg.zipf_exponent).map_err(|e| DomoptError::Settings {
        field: "zipf_exponent".into(),
        detail: e.to_string(),
    })
}

/// Draws the catalogue: the SKU records of the scenario file and what demand
/// and stock need to know of each SKU.
pub(super) fn draw(cfg: &GenConfig, rng: &mut ChaCha8Rng) -> (Vec<SkuRecord>, Catalogue) {
    let harmonic: f64 = (1..=cfg.skus)
        .map(|k| (k as f64).powf(-cfg.zipf_exponent))
        .sum();
    let mut rank_to_sku: Vec<usize> = (0..cfg.skus).collect();
    rank_to_sku.shuffle(rng);
    let mut sku_rank = vec![0; cfg.skus];
    for (rank, &s) in rank_to_sku.iter().enumerate() {
        sku_rank[s] = rank;
    }
    let records: Vec<SkuRecord> = (0..cfg.skus).map(|s| sku_record(s, rng)).collect();
    let scarce: Vec<bool> = (0..cfg.skus)
        .map(|_| rng.random_bool(cfg.scarce_share))
        .collect();
    let catalogue = Catalogue {
        rank_to_sku,
        sku_rank,
        scarce,
        exponent: cfg.zipf_exponent,
        harmonic,
    };
    (records, catalogue)
}

fn sku_record(s: usize, rng: &mut ChaCha8Rng) -> SkuRecord {
    // Apparel-like weights: mostly light, some heavy.
    let weight = if rng.random_bool(0.15) {
        rng.random_range(3.0..12.0)
    } else {
        rng.random_range(0.2..2.5)
    };
    SkuRecord {
        id: sku_id(s),
        weight_lb: (weight * 10.0f64).round() / 10.0,
        dims_in: None,
        price: Some((rng.random_range(8.0..150.0f64) * 100.0).round() / 100.0),
        ship_alone: false,
        hazmat: false,
        returnable: None,
    }
}
