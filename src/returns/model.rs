//! The validated returns batch: every id resolved against the scenario,
//! every quantity whole, every cost checked. Built only by
//! `returns::validate`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::network::domain::{NodeIdx, NodeKind, Scenario, SkuIdx, ZONES};

/// The condition a unit comes back in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// Unused, in its packaging.
    New,
    /// Opened, complete, sellable as open-box.
    OpenBox,
    /// Damaged: never restocked.
    Damaged,
    /// Not known: inspected before anything else.
    Unknown,
}

impl Condition {
    /// Parses the wire spelling.
    pub fn parse(s: &str) -> Option<Condition> {
        match s {
            "new" => Some(Condition::New),
            "open_box" => Some(Condition::OpenBox),
            "damaged" => Some(Condition::Damaged),
            "unknown" => Some(Condition::Unknown),
            _ => None,
        }
    }

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Condition::New => "new",
            Condition::OpenBox => "open_box",
            Condition::Damaged => "damaged",
            Condition::Unknown => "unknown",
        }
    }

    /// The conditions inspection can find, in the order of `Shares`.
    pub const INSPECTED: [Condition; 3] = [Condition::New, Condition::OpenBox, Condition::Damaged];
}

/// What happens to a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    /// Put back in stock at a store.
    RestockStore,
    /// Put back in stock at a DC or 3PL warehouse.
    RestockDc,
    /// Inspected at the node, then restocked, liquidated or sent to the
    /// vendor by what inspection finds.
    Inspect,
    /// Sold to a liquidator.
    Liquidate,
    /// Sent back to the vendor for credit.
    ReturnToVendor,
    /// No node had capacity left for it in this batch.
    NotRouted,
}

impl Disposition {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Disposition::RestockStore => "restock_store",
            Disposition::RestockDc => "restock_dc",
            Disposition::Inspect => "inspect",
            Disposition::Liquidate => "liquidate",
            Disposition::ReturnToVendor => "return_to_vendor",
            Disposition::NotRouted => "not_routed",
        }
    }

    /// Every disposition a unit can be routed to (all but `NotRouted`).
    pub const ROUTED: [Disposition; 5] = [
        Disposition::RestockStore,
        Disposition::RestockDc,
        Disposition::Inspect,
        Disposition::Liquidate,
        Disposition::ReturnToVendor,
    ];

    /// Parses the wire spelling.
    pub fn parse(s: &str) -> Option<Disposition> {
        Self::ROUTED
            .into_iter()
            .chain([Disposition::NotRouted])
            .find(|d| d.as_str() == s)
    }

    /// Whether the unit goes back in stock.
    pub fn is_restock(self) -> bool {
        matches!(self, Disposition::RestockStore | Disposition::RestockDc)
    }
}

/// The restock disposition a node of this kind offers (suppliers restock
/// nothing: they are other companies' warehouses).
pub fn restock_at(kind: NodeKind) -> Option<Disposition> {
    match kind {
        NodeKind::Store => Some(Disposition::RestockStore),
        NodeKind::Dc | NodeKind::ThirdParty => Some(Disposition::RestockDc),
        NodeKind::Supplier => None,
    }
}

/// A share of the unit price per condition (inspection's outcome shares too).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Shares {
    /// New.
    pub new: f64,
    /// Open box.
    pub open_box: f64,
    /// Damaged.
    pub damaged: f64,
}

impl Shares {
    /// The share of a condition (0 for `unknown`).
    pub fn of(&self, c: Condition) -> f64 {
        match c {
            Condition::New => self.new,
            Condition::OpenBox => self.open_box,
            Condition::Damaged => self.damaged,
            Condition::Unknown => 0.0,
        }
    }
}

/// One return request, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct ReturnRequest {
    /// Id as given.
    pub id: String,
    /// The order reference, as given.
    pub order: Option<String>,
    /// The SKU.
    pub sku: SkuIdx,
    /// Units.
    pub quantity: u32,
    /// Condition as declared.
    pub condition: Condition,
    /// Customer latitude.
    pub lat: f64,
    /// Customer longitude.
    pub lon: f64,
}

/// Costs and values, validated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReturnCosts {
    /// Return label per package (one unit), by zone 1..8.
    pub per_package: [f64; ZONES],
    /// Return label per pound, by zone 1..8.
    pub per_lb: [f64; ZONES],
    /// Per unit inspected.
    pub inspection_per_unit: f64,
    /// Per unit restocked.
    pub restock_per_unit: f64,
    /// Value restocked where demand is, share of price.
    pub restock_share: Shares,
    /// Restocked without demand: this share of the demand value.
    pub no_demand_factor: f64,
    /// Liquidation value, share of price.
    pub liquidation_share: Shares,
    /// Return-to-vendor credit, share of price.
    pub vendor_share: Shares,
    /// What inspection finds (adds up to 1).
    pub inspection_outcomes: Shares,
}

/// Demand for a SKU at a node: units a restock there fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Demand {
    /// Open backorders.
    pub backorders: u32,
    /// Shortfall against forecast.
    pub shortfall: u32,
}

impl Demand {
    /// Units of demand in all.
    pub fn units(&self) -> u64 {
        u64::from(self.backorders) + u64::from(self.shortfall)
    }
}

/// A validated returns batch, read against one scenario.
#[derive(Debug, Clone)]
pub struct ReturnsBatch {
    /// The requests, in file order.
    pub requests: Vec<ReturnRequest>,
    /// Most units each node receives (index by node; `None`: no limit).
    pub returns_capacity: Vec<Option<u32>>,
    /// Most units each node inspects (`None`: no limit).
    pub inspection_capacity: Vec<Option<u32>>,
    /// Demand per (node, SKU), where given.
    pub demand: BTreeMap<(NodeIdx, SkuIdx), Demand>,
    /// Costs and values.
    pub costs: ReturnCosts,
}

impl ReturnsBatch {
    /// Demand units of `sku` at `node`.
    pub fn demand_units(&self, node: NodeIdx, sku: SkuIdx) -> u64 {
        self.demand.get(&(node, sku)).map_or(0, Demand::units)
    }

    /// Units returned in all.
    pub fn units(&self) -> u64 {
        self.requests.iter().map(|r| u64::from(r.quantity)).sum()
    }
}

/// Whether a node receives returns (the `returns` capability).
pub fn receives(scenario: &Scenario, node: NodeIdx) -> bool {
    scenario.nodes[node].capabilities.returns
}

/// Whether a node inspects returns (`returns` and `inspection`).
pub fn inspects(scenario: &Scenario, node: NodeIdx) -> bool {
    let c = &scenario.nodes[node].capabilities;
    c.returns && c.inspection
}
