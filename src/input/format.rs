//! Wire types: the scenario exactly as people write it (JSON, or a folder with
//! CSV for the big tables). Numbers that must be whole are read as `f64` so that
//! validation can say "2.5 is not a whole number" instead of a parse error;
//! dates are strings so that an unparseable one is reported with its record.
//! Nothing here is used by the solver: `validate` turns these into `domain` types.

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::error::DomoptError;

/// One wave of orders with the network that can serve it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// A name for reports.
    #[serde(default)]
    pub name: Option<String>,
    /// When the wave is cut: `YYYY-MM-DDTHH:MM`, on the clock of `time_zone`
    /// (without it, the one local time of the whole network).
    pub wave_time: String,
    /// IANA time zone (`America/New_York`) in which `wave_time` and the
    /// orders' `placed_at` are written; a node's cutoffs are then compared with
    /// the wave time on the node's own clock (its `time_zone`, else this one).
    /// Default: none, one local time for everything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// Fulfillment nodes: DCs, stores, 3PLs and drop-ship suppliers.
    pub nodes: Vec<NodeRecord>,
    /// Items that can be ordered.
    pub skus: Vec<SkuRecord>,
    /// Carrier services added to (or replacing, by id) the cost model's services.
    #[serde(default)]
    pub services: Vec<ServiceRecord>,
    /// Stock per (node, SKU). In a folder scenario this is `inventory.csv`.
    #[serde(default)]
    pub inventory: Vec<InventoryRecord>,
    /// The orders of the wave. In a folder scenario: `orders.csv` + `order_lines.csv`.
    #[serde(default)]
    pub orders: Vec<OrderRecord>,
    /// Cost-model values that override the chosen model for this scenario.
    #[serde(default)]
    pub policy: PolicyOverrides,
    /// Carrier calendars: name -> non-delivery dates (`YYYY-MM-DD`). They add
    /// to the built-in `ups`, `fedex` and `usps`, or replace one of the same
    /// name; a service follows one with `calendar`.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub calendars: std::collections::BTreeMap<String, Vec<String>>,
    /// Sales channels and their share of the stock (buffers kept for a
    /// channel, caps on a channel); orders and carts name one with `channel`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<ChannelRecord>,
    /// Costs given directly (research instances). When present, only the listed
    /// (order, node) pairs can ship, at exactly these costs, with no carrier
    /// service, dates or zones; coordinates become optional. In a folder
    /// scenario: `package_costs.csv` and `unit_costs.csv`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explicit_costs: Option<ExplicitCostsRecord>,
    /// Transfer lanes: a pickup order at `to` may be filled with stock of
    /// `from` moved there (pickup in store with a store transfer). In a folder
    /// scenario they may also be in `transfer_lanes.csv`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transfer_lanes: Vec<TransferLaneRecord>,
}

/// One transfer lane (one row of `transfer_lanes.csv`). Absent costs and lead
/// time come from the cost model's `[transfers]` table.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TransferLaneRecord {
    /// Node id that gives the stock (any kind).
    pub from: String,
    /// Node id of the pickup store that receives it (needs the `pickup` capability).
    pub to: String,
    /// Cost per transfer package.
    #[serde(default)]
    pub per_package: Option<f64>,
    /// Cost per unit moved.
    #[serde(default)]
    pub per_unit: Option<f64>,
    /// Whole business days from release at `from` to arrival at `to`.
    #[serde(default)]
    pub lead_days: Option<f64>,
}

/// Costs given directly instead of derived from services, zones and handling.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, Default, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ExplicitCostsRecord {
    /// Cost of one package of an order from a node.
    #[serde(default)]
    pub packages: Vec<PackageCostRecord>,
    /// Cost of one unit of an order line from a node.
    #[serde(default)]
    pub units: Vec<UnitCostRecord>,
}

/// One row of `package_costs.csv`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PackageCostRecord {
    /// Order id.
    pub order: String,
    /// Node id.
    pub node: String,
    /// Cost of the package.
    pub cost: f64,
}

/// One row of `unit_costs.csv`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct UnitCostRecord {
    /// Order id.
    pub order: String,
    /// Line index within the order (0-based).
    pub line: f64,
    /// Node id.
    pub node: String,
    /// Cost per unit.
    pub cost: f64,
}

/// A sales channel (web, marketplace, walk-in, ...) and its allocation rule.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ChannelRecord {
    /// Unique channel id.
    pub id: String,
    /// Units of every SKU kept at some nodes for this channel alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buffer: Option<BufferRecord>,
    /// Most of a SKU's network stock this channel may be promised, as a
    /// share in (0, 1] (e.g. 0.3 for a marketplace capped at 30 %).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_share: Option<f64>,
}

/// "Keep 2 units in each store for walk-in customers".
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BufferRecord {
    /// Units of each SKU kept at each covered node.
    pub units: f64,
    /// Node kinds covered (`dc`, `store`, `3pl`, `supplier`); default all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub node_kinds: Vec<String>,
    /// Node ids covered; default every node of the kinds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<String>,
}

/// A place that can ship.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NodeRecord {
    /// Unique node id.
    pub id: String,
    /// `dc`, `store`, `3pl` or `supplier`.
    pub kind: String,
    /// US ZIP code; geocoded when `lat`/`lon` are not given.
    #[serde(default)]
    pub zip: Option<String>,
    /// Latitude in degrees.
    #[serde(default)]
    pub lat: Option<f64>,
    /// Longitude in degrees.
    #[serde(default)]
    pub lon: Option<f64>,
    /// Market the node belongs to (default `US`).
    #[serde(default)]
    pub market: Option<String>,
    /// Any of `ship_to_home`, `pickup`, `returns`, `inspection` (default: `ship_to_home`).
    #[serde(default)]
    pub capabilities: Option<Vec<String>>,
    /// Handling cost per package.
    #[serde(default)]
    pub handling_per_package: Option<f64>,
    /// Handling cost per unit.
    #[serde(default)]
    pub handling_per_unit: Option<f64>,
    /// Most orders (packages) the node can ship in this wave.
    #[serde(default)]
    pub capacity_orders: Option<f64>,
    /// Most units the node can ship in this wave.
    #[serde(default)]
    pub capacity_units: Option<f64>,
    /// Carrier services offered here, with their daily pickup cutoff.
    #[serde(default)]
    pub services: Vec<NodeServiceRecord>,
    /// Whole days needed to pick and pack before the first possible pickup.
    #[serde(default)]
    pub processing_days: Option<f64>,
    /// Weekdays the node does not ship (`Sat`, `Sun`, ...).
    #[serde(default)]
    pub closed_weekdays: Vec<String>,
    /// Dates the node is closed (`YYYY-MM-DD`).
    #[serde(default)]
    pub closed_dates: Vec<String>,
    /// Priority for rule-based routers and tie-breaks (lower ships first).
    #[serde(default)]
    pub rank: Option<f64>,
    /// IANA time zone of the node (`America/Los_Angeles`): its cutoffs and ship
    /// days are on this clock. Default: the scenario's `time_zone`; used only
    /// when the scenario has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
}

/// A carrier service as offered at one node.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NodeServiceRecord {
    /// Service id (from the cost model or the scenario's `services`).
    pub service: String,
    /// Daily pickup cutoff `HH:MM`; work released after it ships the next pickup day.
    #[serde(default)]
    pub cutoff: Option<String>,
}

/// An item.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SkuRecord {
    /// Unique SKU id.
    pub id: String,
    /// Shipping weight of one unit in pounds.
    pub weight_lb: f64,
    /// Length, width, height in inches.
    #[serde(default)]
    pub dims_in: Option<[f64; 3]>,
    /// Unit price.
    #[serde(default)]
    pub price: Option<f64>,
    /// Must travel in a package of its own.
    #[serde(default)]
    pub ship_alone: bool,
    /// Hazardous material (informational in model version 1).
    #[serde(default)]
    pub hazmat: bool,
    /// Can be returned (informational in model version 1).
    #[serde(default)]
    pub returnable: Option<bool>,
}

/// Stock of one SKU at one node. One CSV row of `inventory.csv`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InventoryRecord {
    /// Node id.
    pub node: String,
    /// SKU id.
    pub sku: String,
    /// Units physically on hand.
    pub on_hand: f64,
    /// Units already promised to other orders.
    #[serde(default)]
    pub reserved: Option<f64>,
    /// Units kept back to avoid overselling.
    #[serde(default)]
    pub safety_stock: Option<f64>,
    /// Units of an inbound receipt.
    #[serde(default)]
    pub inbound_quantity: Option<f64>,
    /// Arrival date of the inbound receipt (`YYYY-MM-DD`); counts once arrived by the wave date.
    #[serde(default)]
    pub inbound_date: Option<String>,
}

/// A carrier service and its rates.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceRecord {
    /// Unique service id.
    pub id: String,
    /// Carrier name.
    #[serde(default)]
    pub carrier: Option<String>,
    /// Service name.
    #[serde(default)]
    pub name: Option<String>,
    /// Rate per package by zone 1..8 (eight numbers).
    pub per_package: Vec<f64>,
    /// Rate per pound by zone 1..8 (eight numbers; default all zero).
    #[serde(default)]
    pub per_lb: Option<Vec<f64>>,
    /// Rate per unit, independent of zone.
    #[serde(default)]
    pub per_unit: Option<f64>,
    /// Rate per unit per great-circle mile.
    #[serde(default)]
    pub per_unit_per_mile: Option<f64>,
    /// Transit days by zone 1..8 (eight whole numbers): days the service
    /// delivers on (Monday to Friday, Saturday too with `saturday_delivery`,
    /// less its calendar's non-delivery dates).
    pub transit_days: Vec<f64>,
    /// Weekdays the carrier picks up (default Mon..Fri).
    #[serde(default)]
    pub pickup_weekdays: Option<Vec<String>>,
    /// The carrier calendar whose non-delivery dates transit skips: a
    /// built-in (`ups`, `fedex`, `usps`) or one of the scenario's `calendars`
    /// (default: none, no holidays).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<String>,
    /// Saturday counts as a delivery day (unless a non-delivery date); default false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saturday_delivery: Option<bool>,
    /// Holiday deadlines: shipping after `ship_by` cannot arrive by `arrive_by`.
    #[serde(default)]
    pub holiday_deadlines: Vec<HolidayDeadlineRecord>,
}

/// "Ship by Dec 19 to arrive by Dec 24".
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HolidayDeadlineRecord {
    /// Last ship date (`YYYY-MM-DD`).
    pub ship_by: String,
    /// The delivery date it protects (`YYYY-MM-DD`).
    pub arrive_by: String,
}

/// A customer order.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderRecord {
    /// Unique order id.
    pub id: String,
    /// When the order was placed (`YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`); default: the wave time.
    #[serde(default)]
    pub placed_at: Option<String>,
    /// Destination US ZIP code.
    #[serde(default)]
    pub zip: Option<String>,
    /// Destination latitude.
    #[serde(default)]
    pub lat: Option<f64>,
    /// Destination longitude.
    #[serde(default)]
    pub lon: Option<f64>,
    /// Destination market (default `US`).
    #[serde(default)]
    pub market: Option<String>,
    /// Order lines.
    #[serde(default)]
    pub lines: Vec<LineRecord>,
    /// Service level name from the policy's `service_levels` (promised date = placed + days).
    #[serde(default)]
    pub service_level: Option<String>,
    /// Promised delivery date (`YYYY-MM-DD`); overrides the service level's.
    #[serde(default)]
    pub promised_date: Option<String>,
    /// Ship everything in one package or nothing.
    #[serde(default)]
    pub ship_complete: Option<bool>,
    /// Most packages this order may arrive in.
    #[serde(default)]
    pub max_packages: Option<f64>,
    /// Buy online, pick up in store: the node the customer collects from.
    #[serde(default)]
    pub pickup_node: Option<String>,
    /// Priority (informational in model version 1; higher first for baselines).
    #[serde(default)]
    pub priority: Option<f64>,
    /// Sales channel the order was taken in (one of the scenario's
    /// `channels`); default: the default channel, which no rule names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// The carrier service the customer chose at checkout: only it ships
    /// the order (default: any service). Not for pickup orders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
}

/// One line of an order.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LineRecord {
    /// SKU id.
    pub sku: String,
    /// Units ordered.
    pub quantity: f64,
    /// Penalty per unit left unfilled, overriding the policy's.
    #[serde(default)]
    pub unfilled_penalty: Option<f64>,
}

/// Cost-model values a scenario or a run may override. Every field is optional;
/// absent fields keep the cost model's value.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, Default, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PolicyOverrides {
    /// Penalty per package beyond the first.
    #[serde(default)]
    pub split_penalty: Option<f64>,
    /// Penalty per package per business day late.
    #[serde(default)]
    pub late_penalty_per_day: Option<f64>,
    /// Penalty per unit left unfilled (`unfilled_rule = "fixed"`).
    #[serde(default)]
    pub unfilled_penalty_per_unit: Option<f64>,
    /// `fixed` or `twice-worst` (twice the package cost plus twice the dearest unit cost of the line).
    #[serde(default)]
    pub unfilled_rule: Option<String>,
    /// Extra cost per unit shipped from a store.
    #[serde(default)]
    pub store_premium_per_unit: Option<f64>,
    /// `forbid` or `penalty`.
    #[serde(default)]
    pub cross_market: Option<String>,
    /// Penalty per package shipped across markets (`cross_market = "penalty"`).
    #[serde(default)]
    pub cross_market_penalty: Option<f64>,
    /// Service levels: name -> business days from the order's placement to its promise.
    #[serde(default)]
    pub service_levels: Option<std::collections::BTreeMap<String, f64>>,
    /// Re-plans: penalty for moving a planned package off its node or service (default 1).
    #[serde(default)]
    pub planned_move_penalty: Option<f64>,
    /// Re-plans: penalty for moving a package released to its node (default 10).
    #[serde(default)]
    pub released_move_penalty: Option<f64>,
}

/// An order row of `orders.csv` (the lines are in `order_lines.csv`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OrderRow {
    id: String,
    #[serde(default)]
    placed_at: Option<String>,
    #[serde(default)]
    zip: Option<String>,
    #[serde(default)]
    lat: Option<f64>,
    #[serde(default)]
    lon: Option<f64>,
    #[serde(default)]
    market: Option<String>,
    #[serde(default)]
    service_level: Option<String>,
    #[serde(default)]
    promised_date: Option<String>,
    #[serde(default)]
    ship_complete: Option<bool>,
    #[serde(default)]
    max_packages: Option<f64>,
    #[serde(default)]
    pickup_node: Option<String>,
    #[serde(default)]
    priority: Option<f64>,
    #[serde(default)]
    channel: Option<String>,
    #[serde(default)]
    service: Option<String>,
}

/// A row of `order_lines.csv`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OrderLineRow {
    order: String,
    sku: String,
    quantity: f64,
    #[serde(default)]
    unfilled_penalty: Option<f64>,
}

/// A line that names an order the orders table does not have; kept so that
/// validation can report it with the rest.
#[derive(Debug, Clone)]
pub struct OrphanLine {
    /// Row number in `order_lines.csv` (1 = first data row).
    pub row: usize,
    /// The order id it names.
    pub order: String,
}

/// A scenario as read from disk, with what reading could not attach.
#[derive(Debug, Clone)]
pub struct LoadedScenario {
    /// The scenario.
    pub file: ScenarioFile,
    /// Order lines whose order is unknown.
    pub orphan_lines: Vec<OrphanLine>,
    /// Where it came from.
    pub source: PathBuf,
}

/// Reads a scenario: a `.json` file, or a folder with `scenario.json` and
/// optional `inventory.csv`, `orders.csv`, `order_lines.csv` and
/// `transfer_lanes.csv`.
pub fn read_scenario(path: &Path) -> Result<LoadedScenario, DomoptError> {
    if path.is_dir() {
        read_folder(path)
    } else {
        let file = parse_scenario_json(path, &read_text(path)?)?;
        Ok(LoadedScenario {
            file,
            orphan_lines: Vec::new(),
            source: path.to_path_buf(),
        })
    }
}

/// Parses a scenario file's JSON text (`path` names it in errors; the
/// Python package passes a dict's JSON with a name of its own). serde also
/// reads a struct from an array of its fields in order (`"policy": [1, 2]`
/// would set the first two penalties): an array where the schema wants an
/// object is refused.
pub fn parse_scenario_json(path: &Path, text: &str) -> Result<ScenarioFile, DomoptError> {
    let file: ScenarioFile = serde_json::from_str(text).map_err(|e| malformed(path, e))?;
    let raw: &RawValue = serde_json::from_str(text).map_err(|e| malformed(path, e))?;
    let schema = scenario_schema();
    objects_where_wanted(raw, &schema, &schema, "scenario").map_err(|e| malformed(path, e))?;
    Ok(file)
}

/// A parse error of `path` whose message is the parser's, kept as the source.
pub(crate) fn malformed(
    path: &Path,
    e: impl std::error::Error + Send + Sync + 'static,
) -> DomoptError {
    DomoptError::parse_with(path, e.to_string(), e)
}

/// Why a record's JSON does not have the shape its schema wants.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ShapeError {
    /// An array where the schema wants an object.
    #[error("{path}: an object is expected, not an array")]
    ArrayForObject {
        /// Where, e.g. `scenario.policy`.
        path: String,
    },
    /// A value that cannot be read as JSON.
    #[error("{path}: {source}")]
    Json {
        /// Where, e.g. `scenario.nodes[2]`.
        path: String,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
}

/// Walks the JSON text `raw` beside its `schema` (whose `$ref`s point into
/// `root`) and fails at the first array given where an object is wanted. It
/// reads the text in place, one value at a time, so a large wave costs no
/// second tree in memory.
pub(crate) fn objects_where_wanted(
    raw: &RawValue,
    schema: &serde_json::Value,
    root: &serde_json::Value,
    path: &str,
) -> Result<(), ShapeError> {
    use serde_json::Value;
    let schema = match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => r
            .strip_prefix("#/$defs/")
            .and_then(|name| root["$defs"].get(name))
            .unwrap_or(&Value::Null),
        None => schema,
    };
    // An optional record: the branch that is not null.
    if let Some(branches) = schema.get("anyOf").and_then(Value::as_array) {
        return match branches
            .iter()
            .find(|b| b.get("type") != Some(&"null".into()))
        {
            Some(b) => objects_where_wanted(raw, b, root, path),
            None => Ok(()),
        };
    }
    let text = raw.get().trim_start();
    let bad = |source: serde_json::Error| ShapeError::Json {
        path: path.to_string(),
        source,
    };
    if text.starts_with('[') {
        if schema.get("properties").is_some() {
            return Err(ShapeError::ArrayForObject {
                path: path.to_string(),
            });
        }
        if let Some(item) = schema.get("items") {
            let items: Vec<&RawValue> = serde_json::from_str(text).map_err(bad)?;
            for (k, v) in items.iter().enumerate() {
                objects_where_wanted(v, item, root, &format!("{path}[{k}]"))?;
            }
        }
    } else if text.starts_with('{')
        && let Some(props) = schema.get("properties")
    {
        let fields: Vec<(String, &RawValue)> =
            serde_json::from_str::<std::collections::BTreeMap<String, &RawValue>>(text)
                .map_err(bad)?
                .into_iter()
                .collect();
        for (k, v) in fields {
            if let Some(p) = props.get(&k) {
                objects_where_wanted(v, p, root, &format!("{path}.{k}"))?;
            }
        }
    }
    Ok(())
}

/// A text file; bytes that are not UTF-8 are a parse error (invalid input),
/// not an I/O failure.
fn read_text(path: &Path) -> Result<String, DomoptError> {
    let bytes = std::fs::read(path).map_err(|e| DomoptError::io(path, e))?;
    String::from_utf8(bytes)
        .map_err(|e| DomoptError::parse_with(path, format!("not UTF-8 text: {e}"), e))
}

fn read_folder(dir: &Path) -> Result<LoadedScenario, DomoptError> {
    let main = dir.join("scenario.json");
    let mut file = parse_scenario_json(&main, &read_text(&main)?)?;
    // The three big tables are read side by side (each also in parallel
    // inside when it is Parquet); the first error in table order wins.
    let (inventory, (orders, lines)) = rayon::join(
        || read_table(dir, "inventory", true),
        || {
            rayon::join(
                || read_table(dir, "orders", true),
                || read_table(dir, "order_lines", true),
            )
        },
    );
    let tables = TableRows {
        nodes: read_table(dir, "nodes", false)?,
        inventory: inventory?,
        package_costs: read_table(dir, "package_costs", true)?,
        unit_costs: read_table(dir, "unit_costs", true)?,
        transfer_lanes: read_table(dir, "transfer_lanes", true)?,
        orders: orders?,
        lines: lines?,
    };
    // A missing table is named as its CSV file, the usual form.
    let names = (dir.join("orders.csv"), dir.join("order_lines.csv"));
    let orphan_lines = tables.attach_to(&mut file, &names)?;
    Ok(LoadedScenario {
        file,
        orphan_lines,
        source: dir.to_path_buf(),
    })
}

/// How a scenario folder's or a plan folder's tables are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TableFormat {
    /// Comma-separated text with a header row.
    #[default]
    Csv,
    /// Apache Parquet, zstd-compressed (feature `columnar`).
    #[cfg(feature = "columnar")]
    Parquet,
}

impl TableFormat {
    /// The file extension: `csv` or `parquet`.
    pub fn extension(self) -> &'static str {
        match self {
            TableFormat::Csv => "csv",
            #[cfg(feature = "columnar")]
            TableFormat::Parquet => "parquet",
        }
    }
}

impl std::str::FromStr for TableFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<TableFormat, String> {
        match s {
            "csv" => Ok(TableFormat::Csv),
            #[cfg(feature = "columnar")]
            "parquet" => Ok(TableFormat::Parquet),
            #[cfg(not(feature = "columnar"))]
            "parquet" => Err("Parquet needs domopt built with the `columnar` feature".into()),
            other => Err(format!("unknown table format `{other}`: use csv or parquet")),
        }
    }
}

/// The rows of a scenario's tables, read from CSV or Parquet files or from
/// Arrow record batches, before they join the JSON part. `None`: no table.
#[derive(Debug, Default)]
pub(crate) struct TableRows {
    pub nodes: Option<Vec<NodeRecord>>,
    pub inventory: Option<Vec<InventoryRecord>>,
    pub package_costs: Option<Vec<PackageCostRecord>>,
    pub unit_costs: Option<Vec<UnitCostRecord>>,
    pub transfer_lanes: Option<Vec<TransferLaneRecord>>,
    pub orders: Option<Vec<OrderRow>>,
    pub lines: Option<Vec<OrderLineRow>>,
}

impl TableRows {
    /// Appends the rows to `file`, each line to its order; returns the lines
    /// whose order is unknown, for validation to report. `names`: what to
    /// call the orders and the lines tables if one is missing.
    pub(crate) fn attach_to(
        self,
        file: &mut ScenarioFile,
        names: &(PathBuf, PathBuf),
    ) -> Result<Vec<OrphanLine>, DomoptError> {
        file.nodes.extend(self.nodes.unwrap_or_default());
        append(&mut file.inventory, self.inventory);
        if self.package_costs.is_some() || self.unit_costs.is_some() {
            let explicit = file.explicit_costs.get_or_insert_with(Default::default);
            explicit.packages.extend(self.package_costs.unwrap_or_default());
            explicit.units.extend(self.unit_costs.unwrap_or_default());
        }
        file.transfer_lanes
            .extend(self.transfer_lanes.unwrap_or_default());
        // One table without the other would silently drop every order or line.
        let (orders, lines) = match (self.orders, self.lines) {
            (Some(o), Some(l)) => (o, l),
            (None, None) => return Ok(Vec::new()),
            (Some(_), None) => {
                return Err(missing(
                    &names.1,
                    "the orders table lists orders whose lines it needs",
                ));
            }
            (None, Some(_)) => {
                return Err(missing(
                    &names.0,
                    "the order_lines table names orders it needs",
                ));
            }
        };
        Ok(attach_orders(file, orders, lines))
    }
}

/// Appends `rows` to `to`, taking them without a copy when `to` is empty
/// (millions of inventory rows, usually all in the table).
fn append<T>(to: &mut Vec<T>, rows: Option<Vec<T>>) {
    match rows {
        Some(rows) if to.is_empty() => *to = rows,
        Some(rows) => to.extend(rows),
        None => {}
    }
}

fn attach_orders(
    file: &mut ScenarioFile,
    orders: Vec<OrderRow>,
    lines: Vec<OrderLineRow>,
) -> Vec<OrphanLine> {
    let first_new = file.orders.len();
    file.orders.extend(orders.into_iter().map(OrderRow::into_record));
    let owners = line_owners(&file.orders[first_new..], &lines);
    let mut orphan_lines = Vec::new();
    for (k, (row, owner)) in lines.into_iter().zip(owners).enumerate() {
        match owner {
            Some(o) => file.orders[first_new + o].lines.push(LineRecord {
                sku: row.sku,
                quantity: row.quantity,
                unfilled_penalty: row.unfilled_penalty,
            }),
            None => orphan_lines.push(OrphanLine {
                row: k + 1,
                order: row.order,
            }),
        }
    }
    orphan_lines
}

/// For each line, the position in `orders` of the order it names (the
/// first of that id), if any.
fn line_owners(orders: &[OrderRecord], lines: &[OrderLineRow]) -> Vec<Option<usize>> {
    let mut index = rustc_hash::FxHashMap::with_capacity_and_hasher(orders.len(), Default::default());
    for (k, o) in orders.iter().enumerate() {
        index.entry(o.id.as_str()).or_insert(k);
    }
    lines.iter().map(|l| index.get(l.order.as_str()).copied()).collect()
}

/// The table `STEM.csv` or `STEM.parquet` of a scenario folder, if there
/// is one (`csv`: whether the table may be CSV; nodes, with their lists of
/// services, are Parquet only).
fn read_table<T: serde::de::DeserializeOwned + Send>(
    dir: &Path,
    stem: &str,
    csv: bool,
) -> Result<Option<Vec<T>>, DomoptError> {
    let as_csv = dir.join(format!("{stem}.csv"));
    let as_parquet = dir.join(format!("{stem}.parquet"));
    match (csv && as_csv.exists(), as_parquet.exists()) {
        (true, true) => Err(DomoptError::parse(
            &as_parquet,
            format!("{stem}.csv is beside it: keep one of the two"),
        )),
        (true, false) => read_csv(&as_csv).map(Some),
        (false, true) => read_parquet_rows(&as_parquet).map(Some),
        (false, false) => Ok(None),
    }
}

/// A scenario's tables as Arrow record batches (feature `columnar`), with
/// the columns of the CSV tables (`nodes` with the fields of a node record,
/// its services a list of structs); any may be absent.
#[cfg(feature = "columnar")]
#[derive(Debug, Clone, Default)]
pub struct ScenarioTables {
    /// Nodes, added to the JSON part's.
    pub nodes: Option<arrow_array::RecordBatch>,
    /// Inventory rows, as `inventory.csv`.
    pub inventory: Option<arrow_array::RecordBatch>,
    /// Orders, as `orders.csv`.
    pub orders: Option<arrow_array::RecordBatch>,
    /// Order lines, as `order_lines.csv`.
    pub lines: Option<arrow_array::RecordBatch>,
}

/// A scenario from its JSON part (`head`: services, SKUs, policy, and any
/// records already in it) and Arrow tables appended to it, read as a folder's
/// CSV tables would be: unknown columns are an error, each line joins its
/// order, and lines naming no order are kept for validation to report.
#[cfg(feature = "columnar")]
pub fn scenario_from_tables(
    mut head: ScenarioFile,
    tables: &ScenarioTables,
) -> Result<LoadedScenario, DomoptError> {
    fn rows<T: serde::de::DeserializeOwned>(
        batch: &Option<arrow_array::RecordBatch>,
        name: &str,
    ) -> Result<Option<Vec<T>>, DomoptError> {
        batch
            .as_ref()
            .map(|b| super::columnar::rows_of(b, name))
            .transpose()
    }
    let rows = TableRows {
        nodes: rows(&tables.nodes, "nodes table")?,
        inventory: rows(&tables.inventory, "inventory table")?,
        orders: rows(&tables.orders, "orders table")?,
        lines: rows(&tables.lines, "order_lines table")?,
        ..TableRows::default()
    };
    let names = (PathBuf::from("orders table"), PathBuf::from("lines table"));
    let orphan_lines = rows.attach_to(&mut head, &names)?;
    Ok(LoadedScenario {
        file: head,
        orphan_lines,
        source: PathBuf::from("<tables>"),
    })
}

#[cfg(feature = "columnar")]
fn read_parquet_rows<T: serde::de::DeserializeOwned + Send>(
    path: &Path,
) -> Result<Vec<T>, DomoptError> {
    super::columnar::parquet_rows(path)
}

#[cfg(not(feature = "columnar"))]
fn read_parquet_rows<T>(path: &Path) -> Result<Vec<T>, DomoptError> {
    Err(DomoptError::parse(
        path,
        "Parquet tables need domopt built with the `columnar` feature",
    ))
}

fn missing(path: &Path, detail: &str) -> DomoptError {
    DomoptError::MissingFile {
        path: path.to_path_buf(),
        detail: detail.into(),
    }
}

/// Rows of a CSV table. Its header must name only columns of `T` (the row
/// types deny unknown fields), so a misspelt column is an error rather than
/// a silently ignored value.
fn read_csv<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Vec<T>, DomoptError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| DomoptError::io(path, e))?;
    // A header that is not UTF-8 would name no known column and be skipped.
    reader
        .headers()
        .map_err(|e| DomoptError::parse_with(path, format!("header: {e}"), e))?;
    let mut out = Vec::new();
    for (k, record) in reader.deserialize::<T>().enumerate() {
        out.push(
            record.map_err(|e| {
                DomoptError::parse_with(path, format!("data row {}: {e}", k + 1), e)
            })?,
        );
    }
    Ok(out)
}

/// Writes a scenario as a folder: `scenario.json` plus the three CSV tables.
pub fn write_scenario_folder(file: &ScenarioFile, dir: &Path) -> Result<(), DomoptError> {
    write_scenario_folder_as(file, dir, TableFormat::Csv)
}

/// Writes a scenario as a folder: `scenario.json` plus `inventory`,
/// `orders` and `order_lines` tables in `format`.
pub fn write_scenario_folder_as(
    file: &ScenarioFile,
    dir: &Path,
    format: TableFormat,
) -> Result<(), DomoptError> {
    // csv and serde_json errors convert into `io::Error`, keeping their text.
    std::fs::create_dir_all(dir).map_err(|e| DomoptError::io(dir, e))?;
    let head = ScenarioFile {
        inventory: Vec::new(),
        orders: Vec::new(),
        ..file.clone()
    };
    let json = serde_json::to_string_pretty(&head).map_err(|e| DomoptError::io(dir, e))?;
    std::fs::write(dir.join("scenario.json"), json + "\n").map_err(|e| DomoptError::io(dir, e))?;
    write_table(dir, "inventory", &file.inventory, format)?;
    let orders: Vec<OrderRow> = file.orders.iter().map(OrderRow::of).collect();
    write_table(dir, "orders", &orders, format)?;
    let lines: Vec<OrderLineRow> = file
        .orders
        .iter()
        .flat_map(|o| {
            o.lines.iter().map(|l| OrderLineRow {
                order: o.id.clone(),
                sku: l.sku.clone(),
                quantity: l.quantity,
                unfilled_penalty: l.unfilled_penalty,
            })
        })
        .collect();
    write_table(dir, "order_lines", &lines, format)
}

/// Writes `dir/STEM.csv` or `dir/STEM.parquet`.
fn write_table<T: Serialize + serde::de::DeserializeOwned>(
    dir: &Path,
    stem: &str,
    rows: &[T],
    format: TableFormat,
) -> Result<(), DomoptError> {
    let path = dir.join(format!("{stem}.{}", format.extension()));
    match format {
        TableFormat::Csv => {
            let mut w = csv::Writer::from_path(&path).map_err(|e| DomoptError::io(&path, e))?;
            for r in rows {
                w.serialize(r).map_err(|e| DomoptError::io(&path, e))?;
            }
            w.flush().map_err(|e| DomoptError::io(&path, e))
        }
        #[cfg(feature = "columnar")]
        TableFormat::Parquet => {
            let name = path.display().to_string();
            let batch = super::columnar::batch_of(rows, &name)?;
            super::columnar::write_parquet(&batch, &path)
        }
    }
}

/// Rewrites a scenario folder's tables in `format` (CSV to Parquet or
/// back), each table read whole, written atomically, then its old file
/// removed.
pub fn convert_folder_tables(dir: &Path, format: TableFormat) -> Result<(), DomoptError> {
    convert::<InventoryRecord>(dir, "inventory", format)?;
    convert::<PackageCostRecord>(dir, "package_costs", format)?;
    convert::<UnitCostRecord>(dir, "unit_costs", format)?;
    convert::<TransferLaneRecord>(dir, "transfer_lanes", format)?;
    convert::<OrderRow>(dir, "orders", format)?;
    convert::<OrderLineRow>(dir, "order_lines", format)
}

fn convert<T: Serialize + serde::de::DeserializeOwned + Send>(
    dir: &Path,
    stem: &str,
    format: TableFormat,
) -> Result<(), DomoptError> {
    let target = dir.join(format!("{stem}.{}", format.extension()));
    if target.exists() {
        return Ok(());
    }
    let Some(rows) = read_table::<T>(dir, stem, true)? else {
        return Ok(());
    };
    write_table(dir, stem, &rows, format)?;
    for ext in ["csv", "parquet"] {
        let old = dir.join(format!("{stem}.{ext}"));
        if old != target && old.exists() {
            std::fs::remove_file(&old).map_err(|e| DomoptError::io(&old, e))?;
        }
    }
    Ok(())
}

impl OrderRow {
    fn of(o: &OrderRecord) -> OrderRow {
        OrderRow {
            id: o.id.clone(),
            placed_at: o.placed_at.clone(),
            zip: o.zip.clone(),
            lat: o.lat,
            lon: o.lon,
            market: o.market.clone(),
            service_level: o.service_level.clone(),
            promised_date: o.promised_date.clone(),
            ship_complete: o.ship_complete,
            max_packages: o.max_packages,
            pickup_node: o.pickup_node.clone(),
            priority: o.priority,
            channel: o.channel.clone(),
            service: o.service.clone(),
        }
    }

    fn into_record(self) -> OrderRecord {
        OrderRecord {
            id: self.id,
            placed_at: self.placed_at,
            zip: self.zip,
            lat: self.lat,
            lon: self.lon,
            market: self.market,
            lines: Vec::new(),
            service_level: self.service_level,
            promised_date: self.promised_date,
            ship_complete: self.ship_complete,
            max_packages: self.max_packages,
            pickup_node: self.pickup_node,
            priority: self.priority,
            channel: self.channel,
            service: self.service,
        }
    }
}

/// The JSON Schema of the scenario file, generated from these types.
pub fn scenario_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(ScenarioFile)).expect("schema serialises")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_schema_matches_the_types() {
        let committed: serde_json::Value =
            serde_json::from_str(include_str!("../../docs/scenario.schema.json"))
                .expect("docs/scenario.schema.json is JSON");
        assert_eq!(
            committed,
            scenario_schema(),
            "regenerate with: cargo run --release -- schema > docs/scenario.schema.json"
        );
    }

    #[test]
    fn a_malformed_scenario_keeps_the_parser_error_as_its_source() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        std::fs::write(&path, "{").unwrap();
        let e = read_scenario(&path).unwrap_err();
        assert!(std::error::Error::source(&e).is_some(), "{e:?}");
        let prefix = format!("{}: cannot parse: ", path.display());
        assert!(e.to_string().starts_with(&prefix), "{e}");
    }

    #[test]
    fn a_folder_scenario_round_trips_through_csv() {
        let text = include_str!("../../datasets/seed-example/two-shipments.json");
        let file: ScenarioFile = serde_json::from_str(text).unwrap();
        let dir = std::env::temp_dir().join(format!("domopt-roundtrip-{}", std::process::id()));
        write_scenario_folder(&file, &dir).unwrap();
        let back = read_scenario(&dir).unwrap();
        std::fs::remove_dir_all(&dir).ok();
        assert!(back.orphan_lines.is_empty());
        assert_eq!(
            serde_json::to_value(&back.file).unwrap(),
            serde_json::to_value(&file).unwrap()
        );
    }
}
