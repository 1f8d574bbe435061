//! Store transfers: a pickup order at store `p` may take stock of another
//! node `m` moved over a transfer lane `m -> p`. This file prices one lane
//! and dates it, for the optimiser's candidates and the promise alike:
//!
//! - release: the first day `m` can release the work (its processing days
//!   and closed days, as for in-store pickup: no carrier, so no cutoff and no
//!   carrier pickup day);
//! - ready: release plus the lane's `lead_days` business days, moved forward
//!   to the first day the store is open;
//! - package: the lane's cost per package plus `m`'s handling per package;
//! - unit: the lane's cost per unit plus `m`'s handling per unit, plus the
//!   store premium when `m` is a store (as for any unit a store ships).
//!
//! Lateness is counted from the ready date against the order's promise; a
//! transfer carries no cross-market penalty (the lane itself allows it).

use chrono::{Days, NaiveDate, NaiveDateTime};

use crate::network::calendar;
use crate::network::candidates::{Candidate, CandidateLine, PackageCost, UnitCost};
use crate::network::domain::{
    NodeIdx, NodeKind, NodeService, OrderIdx, PICKUP_SERVICE, Scenario, ServiceIdx, TRANSFER_SERVICE,
    TransferLane,
};
use crate::network::lanes::Network;

/// How far ahead an open day of the store is searched.
const HORIZON_DAYS: u64 = 366;

/// Dates and costs of one transfer lane for work released at a wave time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TransferQuote {
    /// First day the source node releases the work.
    pub release: NaiveDate,
    /// Day the units are ready for pickup at the store.
    pub ready: NaiveDate,
    /// Cost of the transfer package, lateness not included (it depends on
    /// the order's promise: `Policy::late_penalty_per_day` per business day
    /// from `ready` past it).
    pub package: PackageCost,
    /// Cost per unit moved (the same for every SKU: a transfer is priced per
    /// unit, not by weight or distance).
    pub unit: UnitCost,
}

/// The quote of `lane` for work released at `wave`; `None` when the source
/// never releases within a year or the store is never open after arrival.
pub fn quote(s: &Scenario, lane: &TransferLane, wave: NaiveDateTime) -> Option<TransferQuote> {
    let pickup = s.service_index(PICKUP_SERVICE)?;
    let source = &s.nodes[lane.from];
    let store = &s.nodes[lane.to];
    // The built-in pickup service: processing and closed days only.
    let offer = NodeService {
        service: pickup,
        cutoff: None,
    };
    let release = calendar::ship_date(wave, source, &offer, &s.services[pickup])?;
    let arrival = calendar::add_business_days(release, lane.lead_days)?;
    let ready = (0..HORIZON_DAYS)
        .map_while(|k| arrival.checked_add_days(Days::new(k)))
        .find(|&d| calendar::node_open(store, d))?;
    Some(TransferQuote {
        release,
        ready,
        package: PackageCost {
            shipping: lane.per_package,
            handling: source.handling_per_package,
            lateness: 0.0,
            cross_market: 0.0,
        },
        unit: UnitCost {
            shipping: lane.per_unit,
            handling: source.handling_per_unit,
            store_premium: if source.kind == NodeKind::Store {
                s.policy.store_premium_per_unit
            } else {
                0.0
            },
        },
    })
}

/// The transfer candidate of pickup order `o` from node `from`, if a lane
/// goes from `from` to the order's pickup store, before looking at stock.
/// Zone and miles are those of `from` to the order's destination, as for any
/// candidate.
pub(crate) fn candidate_from(
    s: &Scenario,
    net: &Network,
    o: OrderIdx,
    from: NodeIdx,
) -> Option<Candidate> {
    let into = s.lanes_into(s.orders[o].pickup_node?);
    let lane = &into[into.binary_search_by_key(&from, |l| l.from).ok()?];
    candidate(s, net, o, lane, s.service_index(TRANSFER_SERVICE)?)
}

/// The candidate of pickup order `o` over `lane`.
fn candidate(
    s: &Scenario,
    net: &Network,
    o: OrderIdx,
    lane: &TransferLane,
    service: ServiceIdx,
) -> Option<Candidate> {
    let order = &s.orders[o];
    let q = quote(s, lane, s.wave_time)?;
    let late_days = order
        .promised
        .map_or(0, |p| calendar::business_days_late(q.ready, p));
    let geo = net.lane(lane.from, o);
    let lines = order
        .lines
        .iter()
        .enumerate()
        .map(|(k, l)| CandidateLine {
            line: k,
            cost: q.unit,
            max_units: l.quantity.min(s.atp(lane.from, l.sku)),
        })
        .collect();
    Some(Candidate {
        order: o,
        node: lane.from,
        service,
        ship_date: q.release,
        delivery_date: q.ready,
        late_days,
        zone: geo.zone,
        miles: geo.miles,
        package: PackageCost {
            lateness: s.policy.late_penalty_per_day * late_days as f64,
            ..q.package
        },
        lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn scenario() -> Scenario {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("datasets/small/pickup-transfer.json");
        crate::load_scenario(&path, "us-parcel", &[])
            .expect("valid scenario")
            .0
    }

    fn lane_from(s: &Scenario, id: &str) -> TransferLane {
        let from = s.node_index(id).unwrap();
        *s.transfer_lanes.iter().find(|l| l.from == from).unwrap()
    }

    #[test]
    fn a_quote_adds_the_lead_time_to_the_release_and_waits_for_the_store_to_open() {
        let s = scenario();
        // Released Wednesday after a processing day, + 2 = Friday, closed: Saturday.
        let q = quote(&s, &lane_from(&s, "dc-knoxville"), s.wave_time).unwrap();
        assert_eq!((q.release, q.ready), (date("2026-12-02"), date("2026-12-05")));
        assert_eq!(q.package.total(), 3.0 + 1.0);
        assert_eq!(q.unit.total(), 0.25 + 0.25);
        // A store source: released on the wave day; its units carry the premium.
        let q = quote(&s, &lane_from(&s, "store-dayton"), s.wave_time).unwrap();
        assert_eq!((q.release, q.ready), (date("2026-12-01"), date("2026-12-02")));
        assert_eq!(q.unit.store_premium, 1.0);
    }

    #[test]
    fn a_quote_past_the_end_of_the_calendar_is_none_not_a_panic() {
        let s = scenario();
        let mut lane = lane_from(&s, "store-dayton");
        lane.lead_days = u32::MAX;
        assert_eq!(quote(&s, &lane, s.wave_time), None);
        let end = NaiveDate::MAX.and_hms_opt(12, 0, 0).unwrap();
        assert_eq!(quote(&s, &lane_from(&s, "dc-knoxville"), end), None);
    }
}
