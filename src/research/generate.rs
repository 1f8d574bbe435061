//! Realistic peak-season instances: a US network (DCs at research fulfillment
//! sites, stores in the 99 largest metros, 3PLs, drop-ship suppliers), demand in
//! proportion to metro population at real ZIPs near each metro, Zipf SKU
//! popularity, an e-commerce order-size mix, stock concentrated in DCs and thin
//! (partly reserved) in stores. Deterministic for a seed; orders and inventory are
//! streamed to CSV so that a million orders never sit in memory.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Zipf};
use serde::{Deserialize, Serialize};

use crate::error::DomoptError;
use crate::input::format::{
    NodeRecord, NodeServiceRecord, PolicyOverrides, ScenarioFile, SkuRecord,
};
use crate::network::geo;

const METROS_CSV: &str = include_str!("../../datasets/reference/us-metros.csv");
const SITES_CSV: &str = include_str!("../../datasets/reference/fulfillment-centers.csv");

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

    fn validate(&self) -> Result<(), DomoptError> {
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

/// A node capacity of `share` packages rounded up, at least `floor`, and
/// within what validation accepts.
fn capacity(share: f64, floor: f64) -> f64 {
    share
        .ceil()
        .max(floor)
        .min(f64::from(crate::input::validate::limits::MAX_UNITS))
}

struct Metro {
    name: String,
    lat: f64,
    lon: f64,
    population: f64,
}

fn metros() -> Vec<Metro> {
    let mut r = csv::Reader::from_reader(METROS_CSV.as_bytes());
    r.records()
        .map(|rec| {
            let rec = rec.expect("embedded metros parse");
            Metro {
                name: rec[0].to_string(),
                lat: rec[2].parse().expect("lat"),
                lon: rec[3].parse().expect("lon"),
                population: rec[4].parse().expect("population"),
            }
        })
        .collect()
}

fn sites() -> Vec<(String, f64, f64)> {
    let mut r = csv::Reader::from_reader(SITES_CSV.as_bytes());
    r.records()
        .map(|rec| {
            let rec = rec.expect("embedded sites parse");
            (
                rec[0].to_string(),
                rec[2].parse().expect("lat"),
                rec[3].parse().expect("lon"),
            )
        })
        .collect()
}

/// Real ZIPs within `radius` miles of each metro (the nearest one if none).
fn metro_zips(metros: &[Metro], radius: f64) -> Vec<Vec<String>> {
    let zips = geo::all_zips();
    metros
        .iter()
        .map(|m| {
            let mut near: Vec<(f64, &String)> = zips
                .iter()
                .map(|(z, lat, lon)| (geo::great_circle_miles(m.lat, m.lon, *lat, *lon), z))
                .filter(|(d, _)| *d <= radius)
                .collect();
            if near.is_empty() {
                let nearest = zips
                    .iter()
                    .map(|(z, lat, lon)| (geo::great_circle_miles(m.lat, m.lon, *lat, *lon), z))
                    .min_by(|a, b| a.0.total_cmp(&b.0))
                    .expect("the ZIP table is not empty");
                near.push(nearest);
            }
            near.sort_by(|a, b| a.1.cmp(b.1));
            near.into_iter().map(|(_, z)| z.clone()).collect()
        })
        .collect()
}

/// Sampling from cumulative weights.
struct Cumulative(Vec<f64>);

impl Cumulative {
    fn new(weights: impl IntoIterator<Item = f64>) -> Self {
        let mut acc = 0.0;
        let mut v: Vec<f64> = weights
            .into_iter()
            .map(|w| {
                acc += w;
                acc
            })
            .collect();
        let total = acc.max(f64::MIN_POSITIVE);
        v.iter_mut().for_each(|x| *x /= total);
        Cumulative(v)
    }
    fn sample(&self, rng: &mut impl Rng) -> usize {
        let u: f64 = rng.random();
        self.0.partition_point(|&c| c < u).min(self.0.len() - 1)
    }
}

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

fn io_err(path: &Path, e: impl Into<std::io::Error>) -> DomoptError {
    DomoptError::io(path, e)
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
    let metros = metros();
    let zips = metro_zips(&metros, cfg.zip_radius_miles);
    let metro_pick = Cumulative::new(metros.iter().map(|m| m.population));

    // SKU popularity: Zipf over ranks, ranks shuffled over ids so that id order says nothing.
    let zipf =
        Zipf::new(cfg.skus as f64, cfg.zipf_exponent).map_err(|e| DomoptError::Settings {
            field: "zipf_exponent".into(),
            detail: e.to_string(),
        })?;
    let harmonic: f64 = (1..=cfg.skus)
        .map(|k| (k as f64).powf(-cfg.zipf_exponent))
        .sum();
    let popularity = |rank: usize| (rank as f64 + 1.0).powf(-cfg.zipf_exponent) / harmonic;
    let mut rank_to_sku: Vec<usize> = (0..cfg.skus).collect();
    rank_to_sku.shuffle(&mut rng);
    let mut sku_rank = vec![0; cfg.skus];
    for (rank, &s) in rank_to_sku.iter().enumerate() {
        sku_rank[s] = rank;
    }
    let sku_id = |s: usize| format!("SKU{s:06}");
    let skus: Vec<SkuRecord> = (0..cfg.skus)
        .map(|s| {
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
        })
        .collect();
    let scarce: Vec<bool> = (0..cfg.skus)
        .map(|_| rng.random_bool(cfg.scarce_share))
        .collect();

    // Nodes.
    let mut nodes = Vec::new();
    let svc = |id: &str, cutoff: &str| NodeServiceRecord {
        service: id.into(),
        cutoff: Some(cutoff.into()),
    };
    let site_list = sites();
    for k in 0..cfg.dcs {
        let (code, lat, lon) = &site_list[k % site_list.len()];
        let suffix = if k < site_list.len() {
            String::new()
        } else {
            format!("-{}", k / site_list.len() + 1)
        };
        nodes.push(NodeRecord {
            id: format!("DC-{code}{suffix}"),
            kind: "dc".into(),
            zip: None,
            lat: Some(*lat),
            lon: Some(*lon),
            market: None,
            capabilities: None,
            handling_per_package: Some(1.0),
            handling_per_unit: Some(0.25),
            capacity_orders: None,
            capacity_units: None,
            services: vec![
                svc("ground", "18:00"),
                svc("two_day", "17:00"),
                svc("overnight", "16:00"),
            ],
            processing_days: Some(0.0),
            closed_weekdays: vec!["Sun".into()],
            closed_dates: vec![],
            rank: Some(k as f64),
        });
    }
    let metro_zip = |rng: &mut ChaCha8Rng, m: usize| -> String {
        let list = &zips[m];
        list[rng.random_range(0..list.len())].clone()
    };
    // Stores go to metros largest first, wrapping round with more stores per metro.
    for k in 0..cfg.stores {
        let m = k % metros.len();
        nodes.push(NodeRecord {
            id: format!("ST-{:04}-{}", k + 1, metros[m].name.replace(' ', "")),
            kind: "store".into(),
            zip: Some(metro_zip(&mut rng, m)),
            lat: None,
            lon: None,
            market: None,
            capabilities: Some(vec![
                "ship_to_home".into(),
                "pickup".into(),
                "returns".into(),
            ]),
            handling_per_package: Some(1.5),
            handling_per_unit: Some(0.5),
            capacity_orders: None,
            capacity_units: None,
            services: if k % 3 == 0 {
                vec![svc("ground", "15:00"), svc("two_day", "14:00")]
            } else {
                vec![svc("ground", "15:00")]
            },
            processing_days: Some(0.0),
            closed_weekdays: vec![],
            closed_dates: vec!["2026-12-25".into()],
            rank: Some((cfg.dcs + k) as f64),
        });
    }
    for k in 0..cfg.tpls {
        let m = (k * 7 + 3) % metros.len();
        nodes.push(NodeRecord {
            id: format!("3PL-{:03}", k + 1),
            kind: "3pl".into(),
            zip: Some(metro_zip(&mut rng, m)),
            lat: None,
            lon: None,
            market: None,
            capabilities: None,
            handling_per_package: Some(3.0),
            handling_per_unit: Some(0.75),
            capacity_orders: None,
            capacity_units: None,
            services: vec![svc("ground", "17:00"), svc("two_day", "16:00")],
            processing_days: Some(0.0),
            closed_weekdays: vec!["Sat".into(), "Sun".into()],
            closed_dates: vec![],
            rank: Some((cfg.dcs + cfg.stores + k) as f64),
        });
    }
    for k in 0..cfg.suppliers {
        let m = (k * 11 + 5) % metros.len();
        nodes.push(NodeRecord {
            id: format!("SUP-{:03}", k + 1),
            kind: "supplier".into(),
            zip: Some(metro_zip(&mut rng, m)),
            lat: None,
            lon: None,
            market: None,
            capabilities: None,
            handling_per_package: Some(2.0),
            handling_per_unit: Some(0.5),
            capacity_orders: None,
            capacity_units: None,
            services: vec![svc("ground", "12:00")],
            processing_days: Some(2.0),
            closed_weekdays: vec!["Sat".into(), "Sun".into()],
            closed_dates: vec![],
            rank: Some((cfg.dcs + cfg.stores + cfg.tpls + k) as f64),
        });
    }
    // Capacities: stores and 3PLs get a multiple of a fair share of the wave.
    let fair = cfg.orders as f64 / nodes.len() as f64;
    for n in nodes.iter_mut() {
        match n.kind.as_str() {
            "store" => n.capacity_orders = Some(capacity(fair * cfg.capacity_slack * 0.5, 2.0)),
            "3pl" => n.capacity_orders = Some(capacity(fair * cfg.capacity_slack, 5.0)),
            _ => {}
        }
    }

    let wave_date = crate::input::validate::parse_datetime(&cfg.wave_time)
        .expect("validated")
        .date();
    let mut services = Vec::new();
    if cfg.holiday {
        // Ground ships by the wave date to arrive by Christmas Eve.
        let mut ground = crate::input::cost_model::CostModel::load("us-parcel")?
            .services
            .into_iter()
            .find(|s| s.id == "ground")
            .expect("us-parcel has ground");
        ground
            .holiday_deadlines
            .push(crate::input::format::HolidayDeadlineRecord {
                ship_by: wave_date.to_string(),
                arrive_by: format!("{}-12-24", chrono::Datelike::year(&wave_date)),
            });
        services.push(ground);
    }

    std::fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
    let head = ScenarioFile {
        name: Some(name.into()),
        wave_time: cfg.wave_time.clone(),
        nodes: nodes.clone(),
        skus,
        services,
        inventory: vec![],
        orders: vec![],
        policy: PolicyOverrides::default(),
        explicit_costs: None,
    };
    let json = serde_json::to_string(&head).map_err(|e| io_err(dir, e))?;
    std::fs::write(dir.join("scenario.json"), json + "\n").map_err(|e| io_err(dir, e))?;

    // Inventory, streamed.
    let mean_lines: f64 = {
        let total: f64 = cfg.lines_mix.iter().sum();
        cfg.lines_mix
            .iter()
            .enumerate()
            .map(|(k, p)| (k + 1) as f64 * p / total)
            .sum()
    };
    let mean_units = 1.0 + cfg.multi_unit_share * 1.2;
    let mut inv = csv::Writer::from_writer(std::io::BufWriter::new(
        std::fs::File::create(dir.join("inventory.csv")).map_err(|e| io_err(dir, e))?,
    ));
    inv.write_record(["node", "sku", "on_hand", "reserved", "safety_stock"])
        .map_err(|e| io_err(dir, e))?;
    let mut inventory_rows = 0;
    let dc_idx: Vec<usize> = (0..cfg.dcs).collect();
    for s in 0..cfg.skus {
        let rank = sku_rank[s];
        let demand = cfg.orders as f64 * mean_lines * mean_units * popularity(rank);
        let cover = if scarce[s] { 0.5 } else { cfg.dc_cover };
        // Popular SKUs sit in more DCs.
        let carriers = ((cfg.dcs as f64) * if rank < cfg.skus / 10 { 0.8 } else { 0.4 })
            .ceil()
            .max(1.0) as usize;
        let mut chosen = dc_idx.clone();
        chosen.shuffle(&mut rng);
        chosen.truncate(carriers.min(cfg.dcs));
        chosen.sort_unstable();
        let total = demand * cover;
        for &d in &chosen {
            let q = (total / chosen.len() as f64 * rng.random_range(0.6..1.4)).round() as u64;
            // Slow movers still sit in a DC or two; scarce ones may be out.
            let q = if scarce[s] { q } else { q.max(2) };
            if q > 0 {
                inv.write_record([&nodes[d].id, &sku_id(s), &q.to_string(), "0", "0"])
                    .map_err(|e| io_err(dir, e))?;
                inventory_rows += 1;
            }
        }
        // Stores: the popular part of the catalogue, thin and partly reserved.
        let in_assortment = (rank as f64) < cfg.store_assortment * cfg.skus as f64;
        for k in 0..cfg.stores {
            if !in_assortment || !rng.random_bool(0.6) {
                continue;
            }
            let on_hand: u32 = rng.random_range(1..=4);
            let reserved = (0..on_hand)
                .filter(|_| rng.random_bool(cfg.store_reserved_share))
                .count() as u32;
            let safety = cfg.store_safety_stock.min(on_hand - reserved);
            inv.write_record([
                &nodes[cfg.dcs + k].id,
                &sku_id(s),
                &on_hand.to_string(),
                &reserved.to_string(),
                &safety.to_string(),
            ])
            .map_err(|e| io_err(dir, e))?;
            inventory_rows += 1;
        }
        for k in 0..cfg.tpls {
            if rank < cfg.skus / 5 && rng.random_bool(0.5) {
                let q = (demand * 0.3 * rng.random_range(0.5..1.5)).round().max(1.0) as u64;
                inv.write_record([
                    &nodes[cfg.dcs + cfg.stores + k].id,
                    &sku_id(s),
                    &q.to_string(),
                    "0",
                    "0",
                ])
                .map_err(|e| io_err(dir, e))?;
                inventory_rows += 1;
            }
        }
        if cfg.suppliers > 0 && rng.random_bool(0.3) {
            // Drop-ship: one supplier holds deep stock of its SKUs.
            let k = s % cfg.suppliers;
            let q = (demand * 2.0).round().max(5.0) as u64;
            inv.write_record([
                &nodes[cfg.dcs + cfg.stores + cfg.tpls + k].id,
                &sku_id(s),
                &q.to_string(),
                "0",
                "0",
            ])
            .map_err(|e| io_err(dir, e))?;
            inventory_rows += 1;
        }
    }
    inv.flush().map_err(|e| io_err(dir, e))?;

    // Orders, streamed.
    let lines_pick = Cumulative::new(cfg.lines_mix.iter().copied());
    let mut orders = csv::Writer::from_writer(std::io::BufWriter::new(
        std::fs::File::create(dir.join("orders.csv")).map_err(|e| io_err(dir, e))?,
    ));
    let mut lines = csv::Writer::from_writer(std::io::BufWriter::new(
        std::fs::File::create(dir.join("order_lines.csv")).map_err(|e| io_err(dir, e))?,
    ));
    orders
        .write_record(["id", "placed_at", "zip", "service_level", "ship_complete"])
        .map_err(|e| io_err(dir, e))?;
    lines
        .write_record(["order", "sku", "quantity"])
        .map_err(|e| io_err(dir, e))?;
    let wave = crate::input::validate::parse_datetime(&cfg.wave_time).expect("validated");
    let mut line_count = 0;
    let mut order_skus: BTreeMap<usize, u32> = BTreeMap::new();
    for o in 0..cfg.orders {
        let id = format!("O{:07}", o + 1);
        let m = metro_pick.sample(&mut rng);
        let zip = metro_zip(&mut rng, m);
        // Placed in the four hours before the cut, in arrival order.
        let minutes_before = 240 - (240 * o / cfg.orders) as i64;
        let placed = wave - chrono::Duration::minutes(minutes_before);
        let u: f64 = rng.random();
        let level = if u < cfg.overnight_share {
            "overnight"
        } else if u < cfg.overnight_share + cfg.two_day_share {
            "two_day"
        } else {
            "standard"
        };
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
        let n_lines = (lines_pick.sample(&mut rng) + 1).min(cfg.skus);
        order_skus.clear();
        // A steep Zipf law draws the same few SKUs again and again: after a
        // bounded number of draws, the most popular SKUs not yet drawn fill
        // the order (never reached at the presets' exponents).
        let mut draws = 0;
        while order_skus.len() < n_lines {
            draws += 1;
            if draws > 64 * n_lines {
                for &sku in &rank_to_sku {
                    if order_skus.len() == n_lines {
                        break;
                    }
                    order_skus.entry(sku).or_insert(1);
                }
                break;
            }
            let rank = zipf.sample(&mut rng) as usize - 1;
            let q = if rng.random_bool(cfg.multi_unit_share) {
                if rng.random_bool(0.2) { 3 } else { 2 }
            } else {
                1
            };
            order_skus
                .entry(rank_to_sku[rank.min(cfg.skus - 1)])
                .or_insert(q);
        }
        for (&s, &q) in &order_skus {
            lines
                .write_record([id.as_str(), &sku_id(s), &q.to_string()])
                .map_err(|e| io_err(dir, e))?;
            line_count += 1;
        }
    }
    orders.flush().map_err(|e| io_err(dir, e))?;
    lines.flush().map_err(|e| io_err(dir, e))?;
    let mut readme = std::fs::File::create(dir.join("GENERATED.md")).map_err(|e| io_err(dir, e))?;
    writeln!(
        readme,
        "Generated by `domopt generate` (seed {seed}).\n\nKnobs:\n\n```toml\n{}```\n\nMetro populations: simplemaps.com US Cities (CC BY 4.0); fulfillment sites: Jasin & Sinha (2015) setup.",
        toml::to_string(cfg).unwrap_or_default()
    )
    .map_err(|e| io_err(dir, e))?;
    Ok(GenSummary {
        nodes: nodes.len(),
        skus: cfg.skus,
        orders: cfg.orders,
        lines: line_count,
        inventory_rows,
    })
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
