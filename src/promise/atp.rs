//! Available to promise by node, date and channel. At a node, a SKU's stock
//! available to promise on a date is its on-hand units less those reserved
//! and the safety stock, plus an inbound receipt once it has arrived by that
//! date (never below zero). A channel sees that less the units buffers keep
//! at the node for other channels; a channel with a network share may be
//! promised at most that share of the network's stock of the SKU.

use chrono::NaiveDate;
use rustc_hash::FxHashMap;
use schemars::JsonSchema;
use serde::Serialize;

pub use crate::network::domain::AtpQuery;
use crate::network::domain::{ChannelIdx, NodeIdx, Receipt, Scenario, SkuIdx};

/// Stock available to promise on a scenario, by node, date and channel.
pub struct Availability<'a> {
    s: &'a Scenario,
    /// The receipt of each (node, SKU) still to arrive at the wave's date.
    receipts: FxHashMap<(NodeIdx, SkuIdx), Receipt>,
    /// Per channel (the default channel last), the units per SKU each node
    /// keeps for the buffers of the other channels.
    kept_for_others: Vec<Vec<u64>>,
}

impl<'a> Availability<'a> {
    /// Availability on `s`.
    pub fn new(s: &'a Scenario) -> Self {
        let slots = s.channels.len() + 1;
        let kept_for_others = (0..slots)
            .map(|slot| {
                NodeIdx::all(s.nodes.len())
                    .map(|n| {
                        s.channels
                            .iter()
                            .enumerate()
                            .filter(|&(k, _)| k != slot)
                            .filter_map(|(_, ch)| ch.buffer.as_ref())
                            .filter(|b| b.covers(n, &s.nodes[n]))
                            .map(|b| u64::from(b.units))
                            .sum()
                    })
                    .collect()
            })
            .collect();
        Availability {
            s,
            receipts: s.receipts.iter().map(|r| ((r.node, r.sku), r.clone())).collect(),
            kept_for_others,
        }
    }

    /// The scenario it reads.
    pub fn scenario(&self) -> &'a Scenario {
        self.s
    }

    /// Units of `sku` available to promise at `node` on `date`, before
    /// channel rules. A date before the wave's counts as the wave's.
    pub fn at_node(&self, node: NodeIdx, sku: SkuIdx, date: NaiveDate) -> u32 {
        if let Some(r) = self.receipts.get(&(node, sku))
            && r.arrives <= date
        {
            // Each term is at most MAX_UNITS: no overflow in i64, and the
            // sum of two fits in u32 once clamped at zero.
            return (r.usable_before + i64::from(r.units)).clamp(0, i64::from(u32::MAX)) as u32;
        }
        let withheld = self.s.withheld.get(&(node, sku)).copied().unwrap_or(0);
        self.s.atp(node, sku).saturating_add(withheld)
    }

    /// What `channel` may be promised of `raw` units at `node`: less what
    /// the node keeps for the buffers of the other channels.
    pub fn channel_view(&self, node: NodeIdx, raw: u32, channel: Option<ChannelIdx>) -> u32 {
        let kept = self.kept_for_others[self.slot(channel)][node.index()];
        u64::from(raw).saturating_sub(kept) as u32
    }

    /// Units of `sku` at `node` on `date` that `channel` may be promised,
    /// before its network share.
    pub fn for_channel(
        &self,
        node: NodeIdx,
        sku: SkuIdx,
        date: NaiveDate,
        channel: Option<ChannelIdx>,
    ) -> u32 {
        self.channel_view(node, self.at_node(node, sku, date), channel)
    }

    /// The most of `sku` the channel may be promised over the network on
    /// `date` (`None`: no share limits it): its share of the stock of the
    /// nodes that `counts`.
    pub fn network_cap(
        &self,
        sku: SkuIdx,
        date: NaiveDate,
        channel: Option<ChannelIdx>,
        counts: impl Fn(NodeIdx) -> bool,
    ) -> Option<u64> {
        let share = self.s.channels[channel?].network_share?;
        let total: u64 = NodeIdx::all(self.s.nodes.len())
            .filter(|&n| counts(n))
            .map(|n| u64::from(self.at_node(n, sku, date)))
            .sum();
        Some((share * total as f64).floor() as u64)
    }

    fn slot(&self, channel: Option<ChannelIdx>) -> usize {
        channel.map_or(self.s.channels.len(), ChannelIdx::index)
    }
}

/// The answer for one SKU.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct SkuAtp {
    /// SKU id.
    pub sku: String,
    /// The date asked for.
    pub date: NaiveDate,
    /// The channel asked for (absent: the default channel).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Over the network: the nodes that ship to customers, in the market.
    pub network: NetworkAtp,
    /// Per node holding any, in node order.
    pub nodes: Vec<NodeAtp>,
}

/// Network-level availability of a SKU.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct NetworkAtp {
    /// Available to promise before channel rules.
    pub atp: u64,
    /// What the channel's view of the nodes adds up to.
    pub channel_atp: u64,
    /// The channel's network share of `atp`, if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cap: Option<u64>,
    /// What may be promised to the channel: `channel_atp` within `cap`.
    pub available: u64,
}

/// Node-level availability of a SKU.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct NodeAtp {
    /// Node id.
    pub node: String,
    /// Node kind.
    pub kind: &'static str,
    /// Market.
    pub market: String,
    /// Ships to customers (counted in the network figures).
    pub ship_to_home: bool,
    /// Hands out pickup orders.
    pub pickup: bool,
    /// Available to promise before channel rules.
    pub atp: u32,
    /// What the channel may be promised here (within its network cap).
    pub available: u32,
}

/// Availability of each SKU of the query, per node and over the network.
pub fn query(a: &Availability, q: &AtpQuery) -> Vec<SkuAtp> {
    let s = a.scenario();
    let in_market = |n: NodeIdx| q.market.as_ref().is_none_or(|m| &s.nodes[n].market == m);
    let counts = |n: NodeIdx| in_market(n) && s.nodes[n].capabilities.ship_to_home;
    q.skus
        .iter()
        .map(|&k| {
            let cap = a.network_cap(k, q.date, q.channel, counts);
            let nodes: Vec<NodeAtp> = NodeIdx::all(s.nodes.len())
                .filter(|&n| in_market(n))
                .filter_map(|n| node_atp(a, q, n, k, cap))
                .collect();
            let counted = NodeIdx::all(s.nodes.len()).filter(|&n| counts(n));
            let (atp, channel_atp) = counted.fold((0u64, 0u64), |(t, c), n| {
                (
                    t + u64::from(a.at_node(n, k, q.date)),
                    c + u64::from(a.for_channel(n, k, q.date, q.channel)),
                )
            });
            SkuAtp {
                sku: s.skus[k].id.clone(),
                date: q.date,
                channel: q.channel.map(|c| s.channels[c].id.clone()),
                network: NetworkAtp {
                    atp,
                    channel_atp,
                    cap,
                    available: cap.map_or(channel_atp, |c| c.min(channel_atp)),
                },
                nodes,
            }
        })
        .collect()
}

/// One node's line of the answer, if it holds any of the SKU.
fn node_atp(a: &Availability, q: &AtpQuery, n: NodeIdx, k: SkuIdx, cap: Option<u64>) -> Option<NodeAtp> {
    let s = a.scenario();
    let atp = a.at_node(n, k, q.date);
    if atp == 0 {
        return None;
    }
    let view = a.for_channel(n, k, q.date, q.channel);
    let node = &s.nodes[n];
    Some(NodeAtp {
        node: node.id.clone(),
        kind: node.kind.as_str(),
        market: node.market.clone(),
        ship_to_home: node.capabilities.ship_to_home,
        pickup: node.capabilities.pickup,
        atp,
        available: cap.map_or(view, |c| c.min(u64::from(view)) as u32),
    })
}
