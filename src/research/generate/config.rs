//! The knobs of a generated instance: presets, `--set` overrides and their
//! validation.

use serde::{Deserialize, Serialize};

use crate::error::DomoptError;

/// Every knob of a generated instance. Presets fill them; `--set key=value`
/// overrides any of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenConfig {
    /// Orders in the wave.
    pub orders: usize,
    /// SKUs in the catalogue.
    pub skus: usize,
    /// Distribution centers (at the research fulfillment sites, cycling if more than 10).
    pub dcs: usize,
    /// Stores (in metros, largest first, several per metro when needed).
    pub stores: usize,
    /// Third-party warehouses.
    pub tpls: usize,
    /// Drop-ship suppliers.
    pub suppliers: usize,
    /// Zipf exponent of SKU popularity.
    pub zipf_exponent: f64,
    /// Probability of an order having 1, 2, ... lines (normalised).
    pub lines_mix: Vec<f64>,
    /// Probability that a line asks for 2 units (3 units at a fifth of it).
    pub multi_unit_share: f64,
    /// Total DC stock of a SKU as a multiple of its expected demand.
    pub dc_cover: f64,
    /// Share of the catalogue (by popularity) a store carries.
    pub store_assortment: f64,
    /// Share of store stock already reserved for other orders.
    pub store_reserved_share: f64,
    /// Share of SKUs that are scarce (total stock about half their demand).
    pub scarce_share: f64,
    /// Safety stock held back at stores, units.
    pub store_safety_stock: u32,
    /// Node capacity (packages) as a multiple of the node's fair share of orders.
    pub capacity_slack: f64,
    /// Share of orders promised two-day / overnight (rest standard).
    pub two_day_share: f64,
    /// Share of orders promised overnight.
    pub overnight_share: f64,
    /// Share of orders that must ship complete.
    pub ship_complete_share: f64,
    /// Wave cut time.
    pub wave_time: String,
    /// Add a holiday deadline (ground: ship by the wave date to arrive by Dec 24).
    pub holiday: bool,
    /// Radius (miles) around a metro from which destination ZIPs are drawn.
    pub zip_radius_miles: f64,
}

/// The presets: (name, what it is).
pub const PRESETS: &[(&str, &str)] = &[
    ("tiny", "about 50 orders, 10 nodes, 40 SKUs (tests)"),
    ("peak-s", "1k orders, 20 nodes, 500 SKUs"),
    ("peak-m", "20k orders, 100 nodes, 5k SKUs"),
    ("peak-l", "100k orders, 500 nodes, 20k SKUs"),
    ("peak-xl", "1M orders, 2,000 nodes, 100k SKUs"),
];

impl GenConfig {
    /// A preset by name.
    pub fn preset(name: &str) -> Option<GenConfig> {
        let base = GenConfig {
            orders: 1000,
            skus: 500,
            dcs: 6,
            stores: 12,
            tpls: 1,
            suppliers: 1,
            zipf_exponent: 1.0,
            lines_mix: vec![0.56, 0.2, 0.1, 0.055, 0.035, 0.025, 0.015, 0.01],
            multi_unit_share: 0.12,
            dc_cover: 1.3,
            store_assortment: 0.3,
            store_reserved_share: 0.3,
            scarce_share: 0.05,
            store_safety_stock: 1,
            capacity_slack: 1.5,
            two_day_share: 0.15,
            overnight_share: 0.04,
            ship_complete_share: 0.03,
            wave_time: "2026-12-14T10:00".into(),
            holiday: false,
            zip_radius_miles: 30.0,
        };
        let (orders, skus, dcs, stores, tpls, suppliers) = match name {
            "tiny" => (50, 40, 3, 5, 1, 1),
            "peak-s" => (1_000, 500, 6, 12, 1, 1),
            "peak-m" => (20_000, 5_000, 10, 84, 4, 2),
            "peak-l" => (100_000, 20_000, 10, 470, 12, 8),
            "peak-xl" => (1_000_000, 100_000, 10, 1_940, 30, 20),
            _ => return None,
        };
        Some(GenConfig {
            orders,
            skus,
            dcs,
            stores,
            tpls,
            suppliers,
            store_assortment: if stores > 100 {
                0.1
            } else {
                base.store_assortment
            },
            ..base
        })
    }

    /// This config with `key=value` overrides (TOML values) applied.
    pub fn with_overrides(&self, assignments: &[String]) -> Result<GenConfig, DomoptError> {
        let mut table = toml::Table::try_from(self).map_err(|e| DomoptError::Settings {
            field: "preset".into(),
            detail: e.to_string(),
        })?;
        for a in assignments {
            let Some((k, v)) = a.split_once('=') else {
                return Err(DomoptError::Settings {
                    field: a.clone(),
                    detail: "expected KEY=VALUE, e.g. orders=5000".into(),
                });
            };
            let (k, v) = (k.trim(), v.trim());
            if !table.contains_key(k) {
                let keys: Vec<_> = table.keys().cloned().collect();
                return Err(DomoptError::Settings {
                    field: k.into(),
                    detail: format!("unknown knob; knobs are {}", keys.join(", ")),
                });
            }
            let parsed: toml::Value = toml::from_str::<toml::Table>(&format!("v = {v}"))
                .map(|t| t["v"].clone())
                .unwrap_or_else(|_| toml::Value::String(v.to_string()));
            table.insert(k.into(), parsed);
        }
        let cfg: GenConfig =
            table
                .try_into()
                .map_err(|e: toml::de::Error| DomoptError::Settings {
                    field: "--set".into(),
                    detail: e.to_string(),
                })?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks every knob, so that a typo cannot fill the disk or draw from
    /// an invalid distribution.
    pub(super) fn validate(&self) -> Result<(), DomoptError> {
        let bad = |field: &str, detail: &str| {
            Err(DomoptError::Settings {
                field: field.into(),
                detail: detail.into(),
            })
        };
        // Sizes are capped so that a typo cannot fill the disk: ten times
        // peak-xl's orders and SKUs, five times its nodes.
        if !(1..=10_000_000).contains(&self.orders) || !(1..=1_000_000).contains(&self.skus) {
            return bad(
                "orders/skus",
                "need 1 to 10,000,000 orders and 1 to 1,000,000 SKUs",
            );
        }
        let nodes = [self.dcs, self.stores, self.tpls, self.suppliers]
            .iter()
            .try_fold(0usize, |a, &b| a.checked_add(b));
        if !nodes.is_some_and(|n| (1..=10_000).contains(&n)) {
            return bad("dcs/stores/tpls/suppliers", "need 1 to 10,000 nodes in all");
        }
        if self.lines_mix.len() > crate::input::validate::limits::MAX_LINES_PER_ORDER
            || self.store_safety_stock > 1_000_000
        {
            return bad(
                "lines_mix/store_safety_stock",
                "at most 1,000 line counts and 1,000,000 units of safety stock",
            );
        }
        if self.lines_mix.is_empty()
            || self.lines_mix.iter().any(|p| !p.is_finite() || *p < 0.0)
            || self.lines_mix.iter().sum::<f64>() <= 0.0
        {
            return bad(
                "lines_mix",
                "needs non-negative weights with a positive sum",
            );
        }
        for (f, v) in [
            ("multi_unit_share", self.multi_unit_share),
            ("store_assortment", self.store_assortment),
            ("store_reserved_share", self.store_reserved_share),
            ("scarce_share", self.scarce_share),
            ("two_day_share", self.two_day_share),
            ("overnight_share", self.overnight_share),
            ("ship_complete_share", self.ship_complete_share),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return bad(f, "must be a share in [0, 1]");
            }
        }
        if self.two_day_share + self.overnight_share > 1.0 {
            return bad("two_day_share", "two-day plus overnight shares exceed 1");
        }
        if !((0.0..=100.0).contains(&self.zipf_exponent)
            && self.zipf_exponent > 0.0
            && (0.0..=1_000.0).contains(&self.dc_cover)
            && (0.0..=1_000.0).contains(&self.capacity_slack)
            && self.capacity_slack > 0.0
            && (0.0..=5_000.0).contains(&self.zip_radius_miles)
            && self.zip_radius_miles > 0.0)
        {
            return bad(
                "zipf_exponent/dc_cover/capacity_slack/zip_radius_miles",
                "must be positive and at most 100, 1,000, 1,000 and 5,000",
            );
        }
        if crate::input::validate::parse_datetime(&self.wave_time).is_none() {
            return bad("wave_time", "write YYYY-MM-DDTHH:MM");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_exists_and_validates() {
        for (name, _) in PRESETS {
            let cfg = GenConfig::preset(name).expect("preset");
            cfg.validate().unwrap();
        }
    }

    #[test]
    fn overrides_change_only_the_named_knobs() {
        let cfg = GenConfig::preset("tiny").unwrap();
        let o = cfg
            .with_overrides(&["orders=77".into(), "holiday=true".into()])
            .unwrap();
        assert_eq!(o.orders, 77);
        assert!(o.holiday);
        assert_eq!(o.skus, cfg.skus);
        assert!(cfg.with_overrides(&["nope=1".into()]).is_err());
        assert!(cfg.with_overrides(&["scarce_share=2".into()]).is_err());
    }
}
