//! The returns file as people write it (JSON): the return requests, the
//! nodes' returns and inspection capacities, the demand signal and the
//! costs. Numbers that must be whole are read as `f64` and strings stay
//! strings, so that validation can name every problem with its record
//! (`returns::validate`); nothing here reaches the optimiser.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::DomoptError;

/// Largest returns file read, in bytes (a million requests fit well below).
pub const MAX_RETURNS_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// One batch of returns to route, read with a scenario (its nodes, SKUs and
/// geography).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReturnsFile {
    /// The return requests.
    pub returns: Vec<ReturnRecord>,
    /// Capacities of the nodes that take returns; a node with the `returns`
    /// capability that is not listed has no limit.
    #[serde(default)]
    pub capacities: Vec<CapacityRecord>,
    /// Demand per (node, SKU): open backorders and shortfall against forecast.
    #[serde(default)]
    pub demand: Vec<DemandRecord>,
    /// Costs and values.
    pub costs: CostsRecord,
}

/// One return request: `quantity` units of one SKU, in one condition, sent
/// back from one place.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReturnRecord {
    /// Unique return id.
    pub id: String,
    /// The order it was bought with (free text: past orders are not in the
    /// scenario's wave).
    #[serde(default)]
    pub order: Option<String>,
    /// SKU id of the scenario.
    pub sku: String,
    /// Units returned (a whole number of at least 1).
    pub quantity: f64,
    /// `new`, `open_box`, `damaged` or `unknown`.
    pub condition: String,
    /// Customer's US ZIP (geocoded) when `lat`/`lon` are not given.
    #[serde(default)]
    pub zip: Option<String>,
    /// Customer latitude.
    #[serde(default)]
    pub lat: Option<f64>,
    /// Customer longitude.
    #[serde(default)]
    pub lon: Option<f64>,
}

/// Units a node can take in this batch.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CapacityRecord {
    /// Node id (with the `returns` capability).
    pub node: String,
    /// Most units received (every disposition counts); absent: no limit.
    #[serde(default)]
    pub returns_units: Option<f64>,
    /// Most units inspected (needs the `inspection` capability); absent: no limit.
    #[serde(default)]
    pub inspection_units: Option<f64>,
}

/// Units of a SKU wanted at a node now.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DemandRecord {
    /// Node id.
    pub node: String,
    /// SKU id.
    pub sku: String,
    /// Open backorders there, in units.
    #[serde(default)]
    pub backorders: Option<f64>,
    /// Shortfall against the forecast there, in units.
    #[serde(default)]
    pub shortfall: Option<f64>,
}

/// A share of the unit price for each condition (absent: 0).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SharesRecord {
    /// For a unit returned (or inspected) as new.
    #[serde(default)]
    pub new: Option<f64>,
    /// For an open-box unit.
    #[serde(default)]
    pub open_box: Option<f64>,
    /// For a damaged unit.
    #[serde(default)]
    pub damaged: Option<f64>,
}

/// The return label's rate card: per package plus per pound, by zone 1..8.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ShippingRecord {
    /// Per package (one unit travels as one package), by zone 1..8.
    pub per_package: Vec<f64>,
    /// Per pound, by zone 1..8 (default all zero).
    #[serde(default)]
    pub per_lb: Option<Vec<f64>>,
}

/// Costs and recovered values.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CostsRecord {
    /// Return shipping from the customer to the receiving node.
    pub shipping: ShippingRecord,
    /// Inspection cost per unit.
    pub inspection_per_unit: f64,
    /// Handling cost to put a unit back in stock.
    pub restock_per_unit: f64,
    /// Value of a unit restocked where it fills demand, as a share of the
    /// unit price, by condition (`damaged` is never restocked: ignored).
    pub restock_share: SharesRecord,
    /// A unit restocked where nothing waits for it recovers this share of
    /// the demand value (in [0, 1]; it waits on the shelf).
    pub no_demand_factor: f64,
    /// Liquidation value by condition, as a share of the unit price.
    pub liquidation_share: SharesRecord,
    /// Return-to-vendor credit by condition, as a share of the unit price.
    pub vendor_share: SharesRecord,
    /// What inspection finds in a unit of unknown condition: the shares of
    /// new, open-box and damaged (adding up to 1).
    pub inspection_outcomes: SharesRecord,
}

/// Reads a returns file (JSON). Unreadable: E121; not a returns file: E100.
pub fn read_returns(path: &Path) -> Result<ReturnsFile, DomoptError> {
    let meta = std::fs::metadata(path).map_err(|e| DomoptError::io(path, e))?;
    if meta.len() > MAX_RETURNS_FILE_BYTES {
        return Err(DomoptError::parse(
            path,
            format!(
                "{} bytes: a returns file is at most {MAX_RETURNS_FILE_BYTES} bytes",
                meta.len()
            ),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| DomoptError::io(path, e))?;
    parse_returns(path, &bytes)
}

/// Parses a returns file's bytes (`path` names it in errors).
pub fn parse_returns(path: &Path, bytes: &[u8]) -> Result<ReturnsFile, DomoptError> {
    serde_json::from_slice(bytes).map_err(|e| DomoptError::parse_with(path, e.to_string(), e))
}
