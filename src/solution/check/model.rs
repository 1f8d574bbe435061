//! The checker's own records of the input: a node, a service, an order and
//! its lines, the policy, explicit costs and transfer lanes as the checker reads them
//! ([`super::input`] builds them; [`super::dates`] and [`super::costs`] use them).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;

/// A node as the checker reads it.
#[derive(Debug, Clone)]
pub struct CNode {
    /// Id.
    pub id: String,
    /// A store (carries the store premium).
    pub store: bool,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Market.
    pub market: String,
    /// Ships parcels to homes.
    pub ship_to_home: bool,
    /// Handling per package.
    pub per_package: f64,
    /// Handling per unit.
    pub per_unit: f64,
    /// Most packages this wave.
    pub cap_packages: Option<u64>,
    /// Most units this wave.
    pub cap_units: Option<u64>,
    /// Services offered: (service index, cutoff).
    pub offers: Vec<(usize, Option<NaiveTime>)>,
    /// Open days to pick and pack.
    pub processing_days: u32,
    /// Weekdays closed.
    pub closed_weekdays: HashSet<Weekday>,
    /// Dates closed.
    pub closed_dates: HashSet<NaiveDate>,
    /// Its own time zone (else the scenario's).
    pub zone: Option<Tz>,
}

/// A carrier service as the checker reads it.
#[derive(Debug, Clone)]
pub struct CService {
    /// Id.
    pub id: String,
    /// Package rate by zone 1..8.
    pub per_package: Vec<f64>,
    /// Rate per pound by zone 1..8.
    pub per_lb: Vec<f64>,
    /// Rate per unit.
    pub per_unit: f64,
    /// Rate per unit per mile.
    pub per_unit_per_mile: f64,
    /// Transit days by zone 1..8, counted in the days it delivers on.
    pub transit: Vec<u32>,
    /// Delivers on Saturdays.
    pub saturday: bool,
    /// Dates it neither delivers nor picks up on (its calendar's, shared by
    /// the services following it).
    pub no_delivery: Arc<HashSet<NaiveDate>>,
    /// Weekdays the carrier collects.
    pub pickup_days: HashSet<Weekday>,
    /// (ship by, arrive by).
    pub deadlines: Vec<(NaiveDate, NaiveDate)>,
    /// The built-in in-store pickup.
    pub in_store: bool,
}

/// One order line.
#[derive(Debug, Clone)]
pub struct CLine {
    /// SKU index.
    pub sku: usize,
    /// Units ordered.
    pub quantity: u64,
    /// The line's own unfilled penalty.
    pub penalty: Option<f64>,
}

/// An order as the checker reads it.
#[derive(Debug, Clone)]
pub struct COrder {
    /// Id.
    pub id: String,
    /// Destination latitude.
    pub lat: f64,
    /// Destination longitude.
    pub lon: f64,
    /// Market.
    pub market: String,
    /// Lines.
    pub lines: Vec<CLine>,
    /// Promised delivery date.
    pub promised: Option<NaiveDate>,
    /// One package or nothing.
    pub ship_complete: bool,
    /// Package limit.
    pub max_packages: Option<u64>,
    /// Pickup node index.
    pub pickup_node: Option<usize>,
    /// The only service that may ship it, if the customer chose one.
    pub service: Option<usize>,
}

/// The cost model's penalties.
#[derive(Debug, Clone, PartialEq)]
pub struct CPolicy {
    /// Per package beyond the first.
    pub split: f64,
    /// Per package per business day late.
    pub late: f64,
    /// Fixed penalty per unfilled unit; `None` for `twice-worst`.
    pub unfilled: Option<f64>,
    /// Per unit from a store.
    pub store: f64,
    /// Penalty per cross-market package; `None` when forbidden.
    pub cross_market: Option<f64>,
}

/// Costs given directly (explicit-cost scenarios).
#[derive(Debug, Clone, Default)]
pub struct CExplicit {
    /// (order, node) -> package cost.
    pub package: HashMap<(usize, usize), f64>,
    /// (order, line, node) -> unit cost.
    pub unit: HashMap<(usize, usize, usize), f64>,
}

/// A transfer lane as the checker reads it (the lane's values, else the cost
/// model's `[transfers]`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CTransfer {
    /// Cost per transfer package.
    pub per_package: f64,
    /// Cost per unit moved.
    pub per_unit: f64,
    /// Business days from release at the source to arrival at the store.
    pub lead_days: u32,
}
