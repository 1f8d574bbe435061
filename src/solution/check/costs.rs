//! What a package and a unit cost, and when they ship and arrive, recomputed
//! by the checker from its own reading of the input ([`Input`]).

use chrono::NaiveDate;

use super::dates;
use super::input::Input;

/// Dates, distance and package cost of one (order, node, service).
#[derive(Debug, Clone, PartialEq)]
pub struct Lane {
    /// Ship date.
    pub ship: NaiveDate,
    /// Estimated delivery.
    pub delivery: NaiveDate,
    /// Business days late.
    pub late: u32,
    /// Zone (0 for explicit costs).
    pub zone: u8,
    /// Great-circle miles (0 for explicit costs).
    pub miles: f64,
    /// Shipping, handling, lateness, cross-market.
    pub package: [f64; 4],
}

/// Why an (order, node, service) cannot ship.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    /// The kind of violation it makes (a `Violation`'s kind).
    pub kind: &'static str,
    /// What is wrong, for the report.
    pub detail: String,
}

impl Refusal {
    fn new(kind: &'static str, detail: String) -> Refusal {
        Refusal { kind, detail }
    }
}

/// The lane of order `o` from node `n` by service `v`, or why it is not allowed.
pub fn lane(inp: &Input, o: usize, n: usize, v: usize) -> Result<Lane, Refusal> {
    let order = &inp.orders[o];
    let node = &inp.nodes[n];
    let service = &inp.services[v];
    if let Some(e) = &inp.explicit {
        if service.id != crate::network::domain::EXPLICIT_SERVICE {
            return Err(Refusal::new(
                "not-offered",
                "explicit-cost scenarios ship only by the `explicit` service".into(),
            ));
        }
        let Some(&cost) = e.package.get(&(o, n)) else {
            return Err(Refusal::new(
                "not-offered",
                format!("no package cost for order `{}` at `{}`", order.id, node.id),
            ));
        };
        let day = inp.wave.date();
        return Ok(Lane {
            ship: day,
            delivery: day,
            late: 0,
            zone: 0,
            miles: 0.0,
            package: [cost, 0.0, 0.0, 0.0],
        });
    }
    if service.id == crate::network::domain::TRANSFER_SERVICE {
        return transfer_lane(inp, o, n);
    }
    let cutoff = if service.in_store {
        if order.pickup_node != Some(n) {
            return Err(Refusal::new(
                "pickup",
                format!("pickup at `{}`, not the order's pickup node", node.id),
            ));
        }
        None
    } else {
        if order.pickup_node.is_some() {
            return Err(Refusal::new("pickup", "a pickup order ships only by pickup".into()));
        }
        if let Some(w) = order.service
            && w != v
        {
            return Err(Refusal::new(
                "service",
                format!("the order asked for `{}`", inp.services[w].id),
            ));
        }
        if !node.ship_to_home {
            return Err(Refusal::new(
                "not-offered",
                format!("`{}` does not ship to homes", node.id),
            ));
        }
        match node.offers.iter().find(|(s, _)| *s == v) {
            Some(&(_, cutoff)) => cutoff,
            None => {
                return Err(Refusal::new(
                    "not-offered",
                    format!("`{}` does not offer `{}`", node.id, service.id),
                ));
            }
        }
    };
    let cross = if service.in_store || node.market == order.market {
        0.0
    } else {
        match inp.policy.cross_market {
            Some(p) => p,
            None => {
                return Err(Refusal::new(
                    "market",
                    format!(
                        "`{}` ({}) may not serve market {}",
                        node.id, node.market, order.market
                    ),
                ));
            }
        }
    };
    let wave = dates::wave_at(inp.wave, inp.zone, node);
    let Some(ship) = dates::ship_date(wave, node, cutoff, service) else {
        return Err(Refusal::new("no-ship-date", "no ship date within a year and by 9999-12-31".into()));
    };
    if let Some(p) = order.promised
        && service
            .deadlines
            .iter()
            .any(|&(ship_by, arrive_by)| p <= arrive_by && ship > ship_by)
    {
        return Err(Refusal::new(
            "holiday",
            format!("`{}` ships {ship}, after its holiday ship-by", service.id),
        ));
    }
    let miles = miles(node.lat, node.lon, order.lat, order.lon);
    let zone = zone(miles);
    let z = usize::from(zone) - 1;
    let delivery = if service.in_store {
        ship
    } else {
        match dates::plus_delivery_days(service, ship, service.transit[z]) {
            Some(d) => d,
            None => {
                return Err(Refusal::new(
                    "no-delivery-date",
                    "no delivery date within the calendar".into(),
                ));
            }
        }
    };
    let late = order.promised.map_or(0, |p| dates::days_late(delivery, p));
    Ok(Lane {
        ship,
        delivery,
        late,
        zone,
        miles,
        package: [
            service.per_package[z],
            node.per_package,
            inp.policy.late * f64::from(late),
            cross,
        ],
    })
}

/// The transfer lane of pickup order `o` from node `n` to its pickup store:
/// released when `n` can release work (processing and closed days, no
/// carrier), ready `lead_days` business days later or on the store's next
/// open day; priced by the lane plus `n`'s handling.
fn transfer_lane(inp: &Input, o: usize, n: usize) -> Result<Lane, Refusal> {
    let order = &inp.orders[o];
    let node = &inp.nodes[n];
    let Some(p) = order.pickup_node else {
        return Err(Refusal::new(
            "transfer",
            "only a pickup order may take a store transfer".into(),
        ));
    };
    let store = &inp.nodes[p];
    let Some(t) = inp.transfers.get(&(n, p)) else {
        return Err(Refusal::new(
            "transfer",
            format!("no transfer lane from `{}` to `{}`", node.id, store.id),
        ));
    };
    let in_store = super::input::builtin(crate::network::domain::PICKUP_SERVICE, true);
    let wave = dates::wave_at(inp.wave, inp.zone, node);
    let Some(release) = dates::ship_date(wave, node, None, &in_store) else {
        return Err(Refusal::new("no-ship-date", "no release date within a year and by 9999-12-31".into()));
    };
    let arrival = dates::plus_business_days(release, t.lead_days);
    let Some(ready) = arrival.and_then(|arrival| {
        (0..366u64)
            .map_while(|k| arrival.checked_add_days(chrono::Days::new(k)))
            .take_while(|d| *d <= dates::LAST)
            .find(|d| dates::open(store, *d))
    }) else {
        return Err(Refusal::new(
            "no-delivery-date",
            format!("`{}` is not open within a year of the arrival, by 9999-12-31", store.id),
        ));
    };
    let late = order.promised.map_or(0, |p| dates::days_late(ready, p));
    let miles = miles(node.lat, node.lon, order.lat, order.lon);
    Ok(Lane {
        ship: release,
        delivery: ready,
        late,
        zone: zone(miles),
        miles,
        package: [
            t.per_package,
            node.per_package,
            inp.policy.late * f64::from(late),
            0.0,
        ],
    })
}

/// Per-unit shipping, handling and store premium of line `k` of order `o`
/// on `lane` from node `n` by service `v`; `None` when an explicit-cost
/// scenario lists no unit cost for it.
pub fn unit(inp: &Input, o: usize, n: usize, v: usize, k: usize, lane: &Lane) -> Option<[f64; 3]> {
    if let Some(e) = &inp.explicit {
        return e.unit.get(&(o, k, n)).map(|&c| [c, 0.0, 0.0]);
    }
    let line = inp.orders[o].lines.get(k)?;
    let node = &inp.nodes[n];
    let service = &inp.services[v];
    let premium = if node.store { inp.policy.store } else { 0.0 };
    if service.id == crate::network::domain::TRANSFER_SERVICE {
        let t = inp.transfers.get(&(n, inp.orders[o].pickup_node?))?;
        return Some([t.per_unit, node.per_unit, premium]);
    }
    let z = usize::from(lane.zone) - 1;
    Some([
        inp.sku_weight[line.sku] * service.per_lb[z]
            + service.per_unit
            + service.per_unit_per_mile * lane.miles,
        node.per_unit,
        premium,
    ])
}

/// Penalty per unfilled unit of line `k` of order `o`: the line's own, the
/// policy's fixed one, or (twice-worst) twice the dearest package plus twice
/// the dearest unit cost over every allowed (node, service), stock ignored.
pub fn unfilled_penalty(inp: &Input, o: usize, k: usize) -> f64 {
    if let Some(p) = inp.orders[o].lines[k].penalty {
        return p;
    }
    if let Some(p) = inp.policy.unfilled {
        return p;
    }
    let (mut package, mut per_unit) = (0.0f64, 0.0f64);
    for n in 0..inp.nodes.len() {
        for v in 0..inp.services.len() {
            if let Ok(l) = lane(inp, o, n, v) {
                package = package.max(l.package.iter().sum());
                if let Some(u) = unit(inp, o, n, v, k, &l) {
                    per_unit = per_unit.max(u.iter().sum());
                }
            }
        }
    }
    2.0 * package + 2.0 * per_unit
}

/// Great-circle miles by the haversine formula, Earth radius 3958.8 miles.
pub fn miles(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    const R: f64 = 3958.8;
    let rad = std::f64::consts::PI / 180.0;
    let (a1, a2) = (lat1 * rad, lat2 * rad);
    let h = ((a2 - a1) / 2.0).sin().powi(2)
        + a1.cos() * a2.cos() * (((lon2 - lon1) * rad) / 2.0).sin().powi(2);
    2.0 * R * h.sqrt().min(1.0).asin()
}

/// Parcel zone 1..8 of a distance: <= 50, 150, 300, 600, 1000, 1400, 1800 miles, beyond.
pub fn zone(miles: f64) -> u8 {
    let bands = [50.0, 150.0, 300.0, 600.0, 1000.0, 1400.0, 1800.0];
    1 + bands.iter().filter(|&&b| miles > b).count() as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_follow_the_documented_bands() {
        assert_eq!(zone(0.0), 1);
        assert_eq!(zone(50.0), 1);
        assert_eq!(zone(50.1), 2);
        assert_eq!(zone(1800.0), 7);
        assert_eq!(zone(2500.0), 8);
        let ny_la = miles(40.7128, -74.0060, 34.0522, -118.2437);
        assert!((ny_la - 2445.0).abs() < 15.0, "{ny_la}");
    }
}
