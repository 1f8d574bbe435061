//! The generated network: DCs at the research fulfillment sites, stores in
//! the largest metros, 3PLs and drop-ship suppliers, with their services,
//! cut-offs, calendars and capacities; and the holiday deadline if asked for.

use rand_chacha::ChaCha8Rng;

use super::GenConfig;
use super::places::{Places, sites};
use crate::error::DomoptError;
use crate::input::format::{HolidayDeadlineRecord, NodeRecord, NodeServiceRecord, ServiceRecord};

/// Every node, in the order DCs, stores, 3PLs, suppliers (inventory and the
/// node ranks rely on it).
pub(super) fn nodes(cfg: &GenConfig, places: &Places, rng: &mut ChaCha8Rng) -> Vec<NodeRecord> {
    let mut nodes = dcs(cfg);
    // Stores go to metros largest first, wrapping round with more stores per metro.
    for k in 0..cfg.stores {
        let m = k % places.metros.len();
        let id = format!("ST-{:04}-{}", k + 1, places.metros[m].name.replace(' ', ""));
        nodes.push(store(cfg, k, id, places.draw_zip(rng, m)));
    }
    for k in 0..cfg.tpls {
        let m = (k * 7 + 3) % places.metros.len();
        nodes.push(tpl(cfg, k, places.draw_zip(rng, m)));
    }
    for k in 0..cfg.suppliers {
        let m = (k * 11 + 5) % places.metros.len();
        nodes.push(supplier(cfg, k, places.draw_zip(rng, m)));
    }
    set_capacities(cfg, &mut nodes);
    nodes
}

fn service(id: &str, cutoff: &str) -> NodeServiceRecord {
    NodeServiceRecord {
        service: id.into(),
        cutoff: Some(cutoff.into()),
    }
}

/// DCs at the research sites, cycling through them (with a `-2`, `-3`, ...
/// suffix) when there are more DCs than sites.
fn dcs(cfg: &GenConfig) -> Vec<NodeRecord> {
    let site_list = sites();
    (0..cfg.dcs)
        .map(|k| {
            let (code, lat, lon) = &site_list[k % site_list.len()];
            let suffix = if k < site_list.len() {
                String::new()
            } else {
                format!("-{}", k / site_list.len() + 1)
            };
            NodeRecord {
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
                    service("ground", "18:00"),
                    service("two_day", "17:00"),
                    service("overnight", "16:00"),
                ],
                processing_days: Some(0.0),
                closed_weekdays: vec!["Sun".into()],
                closed_dates: vec![],
                rank: Some(k as f64),
                time_zone: None,
            }
        })
        .collect()
}

/// Store `k`: a third of the stores also ship two-day.
fn store(cfg: &GenConfig, k: usize, id: String, zip: String) -> NodeRecord {
    NodeRecord {
        id,
        kind: "store".into(),
        zip: Some(zip),
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
        services: if k.is_multiple_of(3) {
            vec![service("ground", "15:00"), service("two_day", "14:00")]
        } else {
            vec![service("ground", "15:00")]
        },
        processing_days: Some(0.0),
        closed_weekdays: vec![],
        closed_dates: vec!["2026-12-25".into()],
        rank: Some((cfg.dcs + k) as f64),
        time_zone: None,
    }
}

fn tpl(cfg: &GenConfig, k: usize, zip: String) -> NodeRecord {
    NodeRecord {
        id: format!("3PL-{:03}", k + 1),
        kind: "3pl".into(),
        zip: Some(zip),
        lat: None,
        lon: None,
        market: None,
        capabilities: None,
        handling_per_package: Some(3.0),
        handling_per_unit: Some(0.75),
        capacity_orders: None,
        capacity_units: None,
        services: vec![service("ground", "17:00"), service("two_day", "16:00")],
        processing_days: Some(0.0),
        closed_weekdays: vec!["Sat".into(), "Sun".into()],
        closed_dates: vec![],
        rank: Some((cfg.dcs + cfg.stores + k) as f64),
        time_zone: None,
    }
}

fn supplier(cfg: &GenConfig, k: usize, zip: String) -> NodeRecord {
    NodeRecord {
        id: format!("SUP-{:03}", k + 1),
        kind: "supplier".into(),
        zip: Some(zip),
        lat: None,
        lon: None,
        market: None,
        capabilities: None,
        handling_per_package: Some(2.0),
        handling_per_unit: Some(0.5),
        capacity_orders: None,
        capacity_units: None,
        services: vec![service("ground", "12:00")],
        processing_days: Some(2.0),
        closed_weekdays: vec!["Sat".into(), "Sun".into()],
        closed_dates: vec![],
        rank: Some((cfg.dcs + cfg.stores + cfg.tpls + k) as f64),
        time_zone: None,
    }
}

/// Stores and 3PLs get a multiple of a fair share of the wave.
fn set_capacities(cfg: &GenConfig, nodes: &mut [NodeRecord]) {
    let fair = cfg.orders as f64 / nodes.len() as f64;
    for n in nodes.iter_mut() {
        match n.kind.as_str() {
            "store" => n.capacity_orders = Some(capacity(fair * cfg.capacity_slack * 0.5, 2.0)),
            "3pl" => n.capacity_orders = Some(capacity(fair * cfg.capacity_slack, 5.0)),
            _ => {}
        }
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

/// The scenario's own services: none, or with `holiday` on, us-parcel's
/// ground with a deadline (ship by the wave date to arrive by Christmas Eve).
pub(super) fn services(cfg: &GenConfig) -> Result<Vec<ServiceRecord>, DomoptError> {
    let mut services = Vec::new();
    if cfg.holiday {
        let wave_date = crate::input::validate::parse_datetime(&cfg.wave_time)
            .expect("validated")
            .date();
        let mut ground = crate::input::cost_model::CostModel::load("us-parcel")?
            .services
            .into_iter()
            .find(|s| s.id == "ground")
            .expect("us-parcel has ground");
        ground.holiday_deadlines.push(HolidayDeadlineRecord {
            ship_by: wave_date.to_string(),
            arrive_by: format!("{}-12-24", chrono::Datelike::year(&wave_date)),
        });
        services.push(ground);
    }
    Ok(services)
}
