//! What a package and a unit cost, and when they ship and arrive, recomputed
//! by the checker from its own reading of the input ([`Input`]).

use chrono::NaiveDate;

use super::input::{self, Input};

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

/// Why an (order, node, service) cannot ship: a violation kind and a message.
pub type Refusal = (&'static str, String);

/// The lane of order `o` from node `n` by service `v`, or why it is not allowed.
pub fn lane(inp: &Input, o: usize, n: usize, v: usize) -> Result<Lane, Refusal> {
    let order = &inp.orders[o];
    let node = &inp.nodes[n];
    let service = &inp.services[v];
    if let Some(e) = &inp.explicit {
        if service.id != crate::domain::EXPLICIT_SERVICE {
            return Err((
                "not-offered",
                "explicit-cost scenarios ship only by the `explicit` service".into(),
            ));
        }
        let Some(&cost) = e.package.get(&(o, n)) else {
            return Err((
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
    let cutoff = if service.in_store {
        if order.pickup_node != Some(n) {
            return Err((
                "pickup",
                format!("pickup at `{}`, not the order's pickup node", node.id),
            ));
        }
        None
    } else {
        if order.pickup_node.is_some() {
            return Err(("pickup", "a pickup order ships only by pickup".into()));
        }
        if !node.ship_to_home {
            return Err((
                "not-offered",
                format!("`{}` does not ship to homes", node.id),
            ));
        }
        match node.offers.iter().find(|(s, _)| *s == v) {
            Some(&(_, cutoff)) => cutoff,
            None => {
                return Err((
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
                return Err((
                    "market",
                    format!(
                        "`{}` ({}) may not serve market {}",
                        node.id, node.market, order.market
                    ),
                ));
            }
        }
    };
    let Some(ship) = input::ship_date(inp.wave, node, cutoff, service) else {
        return Err(("no-ship-date", "no ship date within a year".into()));
    };
    if let Some(p) = order.promised
        && service
            .deadlines
            .iter()
            .any(|&(ship_by, arrive_by)| p <= arrive_by && ship > ship_by)
    {
        return Err((
            "holiday",
            format!("`{}` ships {ship}, after its holiday ship-by", service.id),
        ));
    }
    let miles = input::miles(node.lat, node.lon, order.lat, order.lon);
    let zone = input::zone(miles);
    let z = usize::from(zone) - 1;
    let delivery = if service.in_store {
        ship
    } else {
        input::plus_business_days(ship, service.transit[z])
    };
    let late = order.promised.map_or(0, |p| input::days_late(delivery, p));
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
    let z = usize::from(lane.zone) - 1;
    Some([
        inp.sku_weight[line.sku] * service.per_lb[z]
            + service.per_unit
            + service.per_unit_per_mile * lane.miles,
        node.per_unit,
        if node.store { inp.policy.store } else { 0.0 },
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
