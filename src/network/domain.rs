//! Domain types: the validated, indexed scenario the engine works on. Built only
//! by `validate`; every id is resolved to a typed index ([`NodeIdx`], [`SkuIdx`],
//! [`ServiceIdx`], [`OrderIdx`]) and every quantity is whole.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Weekday};
pub use chrono_tz::Tz;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

pub use crate::network::holidays::DeliveryDays;

/// Defines a typed index into one of the scenario's vectors: a position that
/// cannot be mixed up with the position of another kind of thing. It holds a
/// `usize` (no count limit to check, the same size as before), hashes and
/// orders like it, and indexes its vector (`scenario.nodes[node]`).
macro_rules! typed_index {
    ($(#[$doc:meta])* $name:ident => $item:ty) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(usize);

        impl $name {
            /// The index at position `index`.
            pub const fn new(index: usize) -> Self {
                Self(index)
            }
            /// The position, to index other per-item tables.
            pub const fn index(self) -> usize {
                self.0
            }
            /// The indices of a vector of `len` items, in order.
            pub fn all(len: usize) -> impl DoubleEndedIterator<Item = Self> + Clone {
                (0..len).map(Self)
            }
        }

        impl std::ops::Index<$name> for [$item] {
            type Output = $item;
            fn index(&self, index: $name) -> &$item {
                &self[index.0]
            }
        }

        impl std::ops::IndexMut<$name> for [$item] {
            fn index_mut(&mut self, index: $name) -> &mut $item {
                &mut self[index.0]
            }
        }

        impl std::ops::Index<$name> for Vec<$item> {
            type Output = $item;
            fn index(&self, index: $name) -> &$item {
                &self[index.0]
            }
        }

        impl std::ops::IndexMut<$name> for Vec<$item> {
            fn index_mut(&mut self, index: $name) -> &mut $item {
                &mut self[index.0]
            }
        }
    };
}

typed_index!(
    /// Index of a node in [`Scenario::nodes`].
    NodeIdx => Node
);
typed_index!(
    /// Index of a SKU in [`Scenario::skus`].
    SkuIdx => Sku
);
typed_index!(
    /// Index of a carrier service in [`Scenario::services`].
    ServiceIdx => Service
);
typed_index!(
    /// Index of an order in [`Scenario::orders`].
    OrderIdx => Order
);
typed_index!(
    /// Index of a sales channel in [`Scenario::channels`].
    ChannelIdx => Channel
);

/// Number of parcel zones (1..=8).
pub const ZONES: usize = 8;

/// What kind of place a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeKind {
    /// Distribution center.
    Dc,
    /// Retail store (ship-from-store carries the store premium).
    Store,
    /// Third-party logistics warehouse.
    #[serde(rename = "3pl")]
    ThirdParty,
    /// Drop-ship supplier.
    Supplier,
}

impl NodeKind {
    /// Parses the wire spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "dc" => Some(Self::Dc),
            "store" => Some(Self::Store),
            "3pl" => Some(Self::ThirdParty),
            "supplier" => Some(Self::Supplier),
            _ => None,
        }
    }
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dc => "dc",
            Self::Store => "store",
            Self::ThirdParty => "3pl",
            Self::Supplier => "supplier",
        }
    }
}

/// What a node can do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Capabilities {
    /// Ships parcels to customers.
    pub ship_to_home: bool,
    /// Hands orders to customers who collect them.
    pub pickup: bool,
    /// Accepts returns.
    pub returns: bool,
    /// Inspects returns.
    pub inspection: bool,
}

/// A carrier service offered at a node.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeService {
    /// The service.
    pub service: ServiceIdx,
    /// Daily pickup cutoff; `None` means the end of the day.
    pub cutoff: Option<NaiveTime>,
}

/// A place that can ship.
#[derive(Debug, Clone)]
pub struct Node {
    /// Id as given.
    pub id: String,
    /// Kind.
    pub kind: NodeKind,
    /// Latitude (degrees).
    pub lat: f64,
    /// Longitude (degrees).
    pub lon: f64,
    /// Market.
    pub market: String,
    /// Capabilities.
    pub capabilities: Capabilities,
    /// Handling cost per package.
    pub handling_per_package: f64,
    /// Handling cost per unit.
    pub handling_per_unit: f64,
    /// Most packages (orders) per wave.
    pub capacity_orders: Option<u32>,
    /// Most units per wave.
    pub capacity_units: Option<u32>,
    /// Services offered here.
    pub services: Vec<NodeService>,
    /// Days to pick and pack.
    pub processing_days: u32,
    /// Weekdays it does not ship.
    pub closed_weekdays: Vec<Weekday>,
    /// Dates it does not ship.
    pub closed_dates: BTreeSet<NaiveDate>,
    /// Rule priority (lower first).
    pub rank: Option<f64>,
    /// The node's own time zone, its cutoffs' clock; `None`: the scenario's
    /// (see `network::calendar::local_wave_time`).
    pub time_zone: Option<Tz>,
}

/// An item.
#[derive(Debug, Clone)]
pub struct Sku {
    /// Id as given.
    pub id: String,
    /// Pounds per unit.
    pub weight_lb: f64,
    /// Unit price.
    pub price: Option<f64>,
    /// Must ship alone (informational in model version 1).
    pub ship_alone: bool,
    /// Hazmat (informational in model version 1).
    pub hazmat: bool,
    /// Returnable.
    pub returnable: bool,
}

/// A carrier service with its rates and transit times.
#[derive(Debug, Clone)]
pub struct Service {
    /// Id as given.
    pub id: String,
    /// Carrier.
    pub carrier: String,
    /// Name.
    pub name: String,
    /// Per-package rate by zone (index zone - 1).
    pub per_package: [f64; ZONES],
    /// Per-pound rate by zone.
    pub per_lb: [f64; ZONES],
    /// Per-unit rate.
    pub per_unit: f64,
    /// Per-unit per-mile rate.
    pub per_unit_per_mile: f64,
    /// Transit days by zone: days the service delivers on (see `delivery`).
    pub transit_days: [u32; ZONES],
    /// Weekdays the carrier collects.
    pub pickup_weekdays: Vec<Weekday>,
    /// (ship by, arrive by) holiday deadlines.
    pub holiday_deadlines: Vec<(NaiveDate, NaiveDate)>,
    /// The built-in in-store pickup "service": no carrier, no transit.
    pub is_pickup: bool,
    /// The days it delivers on: Monday to Friday (and Saturday with
    /// `saturday_delivery`), except its calendar's non-delivery dates.
    pub delivery: DeliveryDays,
}

/// Id of the built-in pickup service.
pub const PICKUP_SERVICE: &str = "pickup";

/// Id of the built-in store-transfer "service": stock moved over a transfer
/// lane to the pickup store of a pickup order (no carrier rates, no zones).
pub const TRANSFER_SERVICE: &str = "transfer";

/// A transfer lane: stock of `from` can be moved to the pickup store `to`
/// for the pickup orders of `to`, at these costs and this lead time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TransferLane {
    /// The node that gives the stock.
    pub from: NodeIdx,
    /// The pickup store that receives it.
    pub to: NodeIdx,
    /// Cost per transfer package (the lane's share of the truck move).
    pub per_package: f64,
    /// Cost per unit moved.
    pub per_unit: f64,
    /// Business days from the day `from` releases the work to its arrival at `to`.
    pub lead_days: u32,
}

/// One line of an order.
#[derive(Debug, Clone)]
pub struct Line {
    /// Item.
    pub sku: SkuIdx,
    /// Units.
    pub quantity: u32,
    /// Penalty per unit left unfilled, when the line overrides the policy.
    pub unfilled_penalty: Option<f64>,
}

/// A customer order.
#[derive(Debug, Clone)]
pub struct Order {
    /// Id as given.
    pub id: String,
    /// Placement time.
    pub placed_at: NaiveDateTime,
    /// Destination latitude.
    pub lat: f64,
    /// Destination longitude.
    pub lon: f64,
    /// Destination market.
    pub market: String,
    /// Lines.
    pub lines: Vec<Line>,
    /// Promised delivery date.
    pub promised: Option<NaiveDate>,
    /// One package or nothing.
    pub ship_complete: bool,
    /// Package limit.
    pub max_packages: Option<u32>,
    /// Buy online, pick up in store.
    pub pickup_node: Option<NodeIdx>,
    /// Priority (higher first in baselines).
    pub priority: f64,
    /// The sales channel it was taken in (`None`: the default channel).
    pub channel: Option<ChannelIdx>,
    /// The only service that may ship it, when the customer chose one.
    pub service: Option<ServiceIdx>,
}

impl Order {
    /// Units ordered over all lines.
    pub fn units(&self) -> u64 {
        self.lines.iter().map(|l| l.quantity as u64).sum()
    }
    /// Units of `sku` over all lines (lines of one SKU draw on the same stock).
    pub fn units_of(&self, sku: SkuIdx) -> u32 {
        self.lines
            .iter()
            .filter(|l| l.sku == sku)
            .map(|l| l.quantity)
            .sum()
    }
}

/// A sales channel and how much of the stock it may take.
#[derive(Debug, Clone, PartialEq)]
pub struct Channel {
    /// Id as given.
    pub id: String,
    /// Units kept at some nodes for this channel alone.
    pub buffer: Option<ChannelBuffer>,
    /// Most of each SKU's network stock (a share in (0, 1]) this channel
    /// may be promised.
    pub network_share: Option<f64>,
}

/// Units of every SKU that the nodes a buffer covers keep for its channel:
/// no other channel may take them ("keep 2 units in each store for walk-in
/// customers").
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelBuffer {
    /// Units per SKU at each covered node.
    pub units: u32,
    /// Node kinds covered (empty: every kind).
    pub kinds: Vec<NodeKind>,
    /// Nodes covered (empty: every node of the kinds).
    pub nodes: BTreeSet<NodeIdx>,
}

impl ChannelBuffer {
    /// Whether the buffer keeps units at `node`.
    pub fn covers(&self, index: NodeIdx, node: &Node) -> bool {
        (self.kinds.is_empty() || self.kinds.contains(&node.kind))
            && (self.nodes.is_empty() || self.nodes.contains(&index))
    }
}

/// An inbound receipt that has not arrived by the wave's date: it adds to
/// the stock available to promise from its arrival date on.
#[derive(Debug, Clone, PartialEq)]
pub struct Receipt {
    /// Where it arrives.
    pub node: NodeIdx,
    /// What arrives.
    pub sku: SkuIdx,
    /// The arrival date.
    pub arrives: NaiveDate,
    /// Units arriving.
    pub units: u32,
    /// On hand minus reserved minus safety stock of its row, which may be
    /// negative: the receipt first makes up for that.
    pub usable_before: i64,
}

/// A shopping cart to quote at checkout: what may be promised for it.
#[derive(Debug, Clone)]
pub struct Cart {
    /// Id as given (or its position).
    pub id: String,
    /// When it is quoted: ship dates count from here.
    pub at: NaiveDateTime,
    /// Destination latitude.
    pub lat: f64,
    /// Destination longitude.
    pub lon: f64,
    /// Destination market.
    pub market: String,
    /// Lines.
    pub lines: Vec<Line>,
    /// The store the customer would collect from, if any.
    pub pickup_node: Option<NodeIdx>,
    /// The sales channel (`None`: the default channel).
    pub channel: Option<ChannelIdx>,
    /// The date the customer needs it by, if any (holiday deadlines apply).
    pub deliver_by: Option<NaiveDate>,
}

/// A question about stock available to promise: what may be promised of
/// these SKUs on a date, to a channel, in a market.
#[derive(Debug, Clone, PartialEq)]
pub struct AtpQuery {
    /// The SKUs.
    pub skus: Vec<SkuIdx>,
    /// The date (inbound arrived by then counts).
    pub date: NaiveDate,
    /// The channel asking (`None`: the default channel).
    pub channel: Option<ChannelIdx>,
    /// Only nodes of this market (`None`: all).
    pub market: Option<String>,
}

/// What to do with shipments that cross markets.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum CrossMarket {
    /// Not allowed.
    Forbid,
    /// Allowed at this cost per package.
    Penalty(f64),
}

/// How an unfilled unit is priced.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum UnfilledRule {
    /// The policy's fixed penalty per unit.
    Fixed(f64),
    /// Twice the dearest package cost plus twice the dearest unit cost among the
    /// line's candidates (Jasin & Sinha), so shipping is always preferred.
    TwiceWorst,
}

/// The cost model in force for a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// Re-plans: penalty for moving a planned package off its node or service.
    pub planned_move_penalty: f64,
    /// Re-plans: penalty for moving a package already released to its node.
    pub released_move_penalty: f64,
    /// Per package beyond the first.
    pub split_penalty: f64,
    /// Per package per business day late.
    pub late_penalty_per_day: f64,
    /// Unfilled pricing.
    pub unfilled: UnfilledRule,
    /// Per unit shipped from a store.
    pub store_premium_per_unit: f64,
    /// Cross-market rule.
    pub cross_market: CrossMarket,
    /// Service level name -> business days to promise.
    pub service_levels: BTreeMap<String, u32>,
}

/// The validated scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Name for reports.
    pub name: String,
    /// Wave cut time, on the clock of `time_zone`.
    pub wave_time: NaiveDateTime,
    /// The zone `wave_time` and the orders' placement times are written in;
    /// `None`: one local time for the whole network, node zones unused.
    pub time_zone: Option<Tz>,
    /// Nodes.
    pub nodes: Vec<Node>,
    /// SKUs.
    pub skus: Vec<Sku>,
    /// Services (the built-in pickup service included).
    pub services: Vec<Service>,
    /// Orders.
    pub orders: Vec<Order>,
    /// Available to promise per (node, SKU) to this wave's orders; absent
    /// means zero. Channel buffers of channels with no order in the wave are
    /// already taken out (they are in `withheld`).
    pub atp: FxHashMap<(NodeIdx, SkuIdx), u32>,
    /// Units the wave leaves for the buffers of channels it has no order of,
    /// per (node, SKU), where positive: `atp + withheld` is the stock
    /// available to promise at the wave's time.
    pub withheld: FxHashMap<(NodeIdx, SkuIdx), u32>,
    /// Inbound receipts that arrive after the wave's date.
    pub receipts: Vec<Receipt>,
    /// Sales channels and their allocation rules.
    pub channels: Vec<Channel>,
    /// The cost model.
    pub policy: Policy,
    /// Name of the cost model the policy came from.
    pub model_name: String,
    /// Costs given directly, if the scenario is in explicit-cost form.
    pub explicit: Option<ExplicitCosts>,
    /// Transfer lanes, sorted by (to, from), each pair once.
    pub transfer_lanes: Vec<TransferLane>,
}

/// Id of the built-in service of explicit-cost scenarios.
pub const EXPLICIT_SERVICE: &str = "explicit";

/// Costs given directly: only these (order, node) pairs can ship.
#[derive(Debug, Clone, Default)]
pub struct ExplicitCosts {
    /// Package cost per (order, node).
    pub package: HashMap<(OrderIdx, NodeIdx), f64>,
    /// Unit cost per (order, line, node).
    pub unit: HashMap<(OrderIdx, usize, NodeIdx), f64>,
}

impl Scenario {
    /// Available to promise of `sku` at `node`.
    pub fn atp(&self, node: NodeIdx, sku: SkuIdx) -> u32 {
        self.atp.get(&(node, sku)).copied().unwrap_or(0)
    }
    /// Index of a node by id.
    pub fn node_index(&self, id: &str) -> Option<NodeIdx> {
        self.nodes.iter().position(|n| n.id == id).map(NodeIdx::new)
    }
    /// Index of a channel by id.
    pub fn channel_index(&self, id: &str) -> Option<ChannelIdx> {
        self.channels
            .iter()
            .position(|c| c.id == id)
            .map(ChannelIdx::new)
    }
    /// The transfer lanes into pickup store `to`, by source node.
    pub fn lanes_into(&self, to: NodeIdx) -> &[TransferLane] {
        let start = self.transfer_lanes.partition_point(|l| l.to < to);
        let end = self.transfer_lanes.partition_point(|l| l.to <= to);
        &self.transfer_lanes[start..end]
    }
    /// Index of a service by id.
    pub fn service_index(&self, id: &str) -> Option<ServiceIdx> {
        self.services
            .iter()
            .position(|s| s.id == id)
            .map(ServiceIdx::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::{BuildHasher, BuildHasherDefault};

    #[test]
    fn an_index_orders_and_hashes_like_its_position_so_maps_iterate_as_before() {
        let fx = BuildHasherDefault::<rustc_hash::FxHasher>::default();
        for k in [0usize, 1, 7, 1 << 40] {
            assert_eq!(fx.hash_one(NodeIdx::new(k)), fx.hash_one(k));
            assert_eq!(NodeIdx::new(k).index(), k);
        }
        assert!(OrderIdx::new(2) < OrderIdx::new(10));
        let all: Vec<SkuIdx> = SkuIdx::all(3).collect();
        assert_eq!(all, [SkuIdx::new(0), SkuIdx::new(1), SkuIdx::new(2)]);
    }

    #[test]
    fn an_index_reads_its_own_vector() {
        let skus: Vec<Sku> = ["a", "b"]
            .iter()
            .map(|id| Sku {
                id: id.to_string(),
                weight_lb: 1.0,
                price: None,
                ship_alone: false,
                hazmat: false,
                returnable: true,
            })
            .collect();
        assert_eq!(skus[SkuIdx::new(1)].id, "b");
        assert_eq!(skus.as_slice()[SkuIdx::new(0)].id, "a");
    }
}
