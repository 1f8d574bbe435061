//! Store transfers: a pickup order at store `p` may take stock of another
//! node `m` moved over a transfer lane `m -> p`. This file prices one lane
//! and dates it, for the optimiser's candidates (`candidates.rs` makes a
//! transfer candidate of a quote) and the promise alike:
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
use crate::network::domain::{
    NodeIdx, NodeKind, NodeService, PICKUP_SERVICE, Scenario, TransferLane,
};

/// How far ahead an open day of the store is searched.
const HORIZON_DAYS: u64 = 366;

/// Dates and costs of one transfer lane for work released at a wave time.
/// Lateness is not in it: it depends on the order's promise
/// (`Policy::late_penalty_per_day` per business day from `ready` past it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TransferQuote {
    /// First day the source node releases the work.
    pub release: NaiveDate,
    /// Day the units are ready for pickup at the store.
    pub ready: NaiveDate,
    /// The lane's cost per package.
    pub per_package: f64,
    /// The source's handling per package.
    pub handling_per_package: f64,
    /// The lane's cost per unit (the same for every SKU: a transfer is priced
    /// per unit, not by weight or distance).
    pub per_unit: f64,
    /// The source's handling per unit.
    pub handling_per_unit: f64,
    /// The store premium per unit when the source is a store, else 0.
    pub store_premium_per_unit: f64,
}

impl TransferQuote {
    /// Cost of the transfer package, lateness not included.
    pub fn package_cost(&self) -> f64 {
        self.per_package + self.handling_per_package
    }
    /// Cost of one unit moved.
    pub fn unit_cost(&self) -> f64 {
        self.per_unit + self.handling_per_unit + self.store_premium_per_unit
    }
}

/// The quote of `lane` for work released at `wave`; `None` when the source
/// never releases within a year or the store is never open after arrival
/// (within a year, and on or before [`LAST_DATE`](crate::network::holidays::LAST_DATE)).
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
        .map_while(|k| arrival.checked_add_days(Days::new(k)).and_then(calendar::nameable))
        .find(|&d| calendar::node_open(store, d))?;
    Some(TransferQuote {
        release,
        ready,
        per_package: lane.per_package,
        handling_per_package: source.handling_per_package,
        per_unit: lane.per_unit,
        handling_per_unit: source.handling_per_unit,
        store_premium_per_unit: if source.kind == NodeKind::Store {
            s.policy.store_premium_per_unit
        } else {
            0.0
        },
    })
}

/// The lane from `from` to pickup store `to`, if the scenario has one.
pub fn lane(s: &Scenario, from: NodeIdx, to: NodeIdx) -> Option<&TransferLane> {
    let into = s.lanes_into(to);
    into.binary_search_by_key(&from, |l| l.from)
        .ok()
        .map(|k| &into[k])
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
        let to = s.node_index("store-columbus").unwrap();
        *lane(s, from, to).unwrap()
    }

    #[test]
    fn a_quote_adds_the_lead_time_to_the_release_and_waits_for_the_store_to_open() {
        let s = scenario();
        // Released Wednesday after a processing day, + 2 = Friday, closed: Saturday.
        let q = quote(&s, &lane_from(&s, "dc-knoxville"), s.wave_time).unwrap();
        assert_eq!((q.release, q.ready), (date("2026-12-02"), date("2026-12-05")));
        assert_eq!(q.package_cost(), 3.0 + 1.0);
        assert_eq!(q.unit_cost(), 0.25 + 0.25);
        // A store source: released on the wave day; its units carry the premium.
        let q = quote(&s, &lane_from(&s, "store-dayton"), s.wave_time).unwrap();
        assert_eq!((q.release, q.ready), (date("2026-12-01"), date("2026-12-02")));
        assert_eq!(q.store_premium_per_unit, 1.0);
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

    #[test]
    fn a_transfer_ready_after_the_last_date_a_plan_can_name_has_no_quote() {
        let s = scenario();
        // Released Friday 9999-12-31 by the store: ready a business day later, in 10000.
        let last = date("9999-12-31").and_hms_opt(9, 0, 0).unwrap();
        assert_eq!(quote(&s, &lane_from(&s, "store-dayton"), last), None);
        let mut same_day = lane_from(&s, "store-dayton");
        same_day.lead_days = 0;
        let q = quote(&s, &same_day, last).unwrap();
        assert_eq!((q.release, q.ready), (date("9999-12-31"), date("9999-12-31")));
    }
}
