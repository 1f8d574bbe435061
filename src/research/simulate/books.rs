//! The books of one strategy's run: every package booked (where its units
//! came from, when it leaves, whether a cancellation released it), every
//! order's outcome, and the stock and capacity they leave.

use chrono::{NaiveDate, NaiveDateTime};

use super::stock::Stock;
use crate::solution::plan::ShipmentCost;

/// A package as booked: where its units came from and when it leaves.
#[derive(Debug, Clone)]
pub(crate) struct Package {
    pub order: usize,
    pub node: usize,
    /// (inventory record, units).
    pub units: Vec<(usize, u64)>,
    /// The date of the wave that planned it: the day whose capacity it takes.
    pub worked_on: NaiveDate,
    /// When it leaves the node: its service's cutoff on the ship date.
    pub leaves_at: NaiveDateTime,
    pub delivery_date: NaiveDate,
    pub cost: ShipmentCost,
    /// Arrives by the promise (`None`: no promise).
    pub on_time: Option<bool>,
    /// Released by a cancellation before it left.
    pub released: bool,
}

impl Package {
    pub(crate) fn total_units(&self) -> u64 {
        self.units.iter().map(|u| u.1).sum()
    }
}

/// An order as booked.
#[derive(Debug, Clone, Default)]
pub(crate) struct Booked {
    pub planned: bool,
    pub cancelled: bool,
    pub packages: Vec<usize>,
    pub ordered: u64,
    pub unfilled: u64,
    /// Unfilled units of SKUs the network had none of left.
    pub stockout: u64,
    pub unfilled_cost: f64,
    pub split_cost: f64,
}

/// The books of one run.
pub(crate) struct Books {
    pub stock: Stock,
    pub packages: Vec<Package>,
    pub orders: Vec<Booked>,
    /// Cancellations not yet looked at, latest first.
    pub cancels: Vec<(NaiveDateTime, usize)>,
    /// Cancellations that came after a package had left.
    pub cancelled_too_late: u64,
    /// Units each inventory record received beyond its start (replenishment
    /// and restocked returns): what a clairvoyant run may also use.
    pub added: Vec<u64>,
    /// Per package: its return has been routed.
    pub returned: Vec<bool>,
    /// Units returned and routed.
    pub returned_units: u64,
    /// What the routed returns recovered, net of their costs.
    pub returns_net: f64,
}

