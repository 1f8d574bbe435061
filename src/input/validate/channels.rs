//! Sales channels: unique ids, buffers of whole units at known node kinds
//! and nodes, network shares in (0, 1] (E129 for a rule out of range); the
//! channel an order or a cart names (E128); and the stock a wave leaves for
//! the buffers of channels it has no order of.

use std::collections::BTreeSet;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::error::IssueCode;
use crate::input::format::{BufferRecord, ChannelRecord};
use crate::network::domain::{
    Channel, ChannelBuffer, ChannelIdx, Node, NodeIdx, NodeKind, Order, SkuIdx,
};

use super::collector::Collector;

/// The channels (each id once, E101), their rules checked.
pub(super) fn channels(
    c: &mut Collector,
    records: &[ChannelRecord],
    node_index: &HashMap<String, NodeIdx>,
) -> Vec<Channel> {
    let mut seen = HashSet::default();
    let mut out = Vec::new();
    for r in records {
        let rec = format!("channel {}", r.id);
        if !seen.insert(r.id.as_str()) {
            c.error(
                IssueCode::DuplicateId,
                &rec,
                "id",
                "duplicate channel id".into(),
                "give every channel its own id",
            );
            continue;
        }
        out.push(Channel {
            id: r.id.clone(),
            buffer: r.buffer.as_ref().and_then(|b| buffer(c, &rec, b, node_index)),
            network_share: r.network_share.and_then(|s| share(c, &rec, s)),
        });
    }
    out
}

/// A buffer: whole units (E103, E104, E117), known node kinds and nodes (E129).
fn buffer(
    c: &mut Collector,
    rec: &str,
    b: &BufferRecord,
    node_index: &HashMap<String, NodeIdx>,
) -> Option<ChannelBuffer> {
    let units = c.quantity(rec, "buffer.units", b.units);
    let mut kinds = Vec::new();
    for (k, kind) in b.node_kinds.iter().enumerate() {
        match NodeKind::parse(kind) {
            Some(kind) => kinds.push(kind),
            None => rule_error(
                c,
                rec,
                &format!("buffer.node_kinds[{k}]"),
                format!("`{kind}` is not a node kind"),
                "use dc, store, 3pl or supplier",
            ),
        }
    }
    let mut nodes = BTreeSet::new();
    for (k, id) in b.nodes.iter().enumerate() {
        match node_index.get(id) {
            Some(&n) => {
                nodes.insert(n);
            }
            None => rule_error(
                c,
                rec,
                &format!("buffer.nodes[{k}]"),
                format!("unknown node `{id}`"),
                "name a node of the scenario",
            ),
        }
    }
    Some(ChannelBuffer {
        units: units?,
        kinds,
        nodes,
    })
}

/// A network share in (0, 1], or E108/E129.
fn share(c: &mut Collector, rec: &str, s: f64) -> Option<f64> {
    let s = c.finite(rec, "network_share", s)?;
    if s > 0.0 && s <= 1.0 {
        return Some(s);
    }
    rule_error(
        c,
        rec,
        "network_share",
        format!("{s} is not a share in (0, 1]"),
        "give a share such as 0.3 for 30 %",
    );
    None
}

fn rule_error(c: &mut Collector, rec: &str, field: &str, message: String, action: &str) {
    c.error(IssueCode::BadChannelRule, rec, field, message, action);
}

/// The channel `id` names (E128 when the scenario has none of that id).
pub(super) fn channel_of(
    c: &mut Collector,
    rec: &str,
    id: Option<&str>,
    channels: &[Channel],
) -> Option<ChannelIdx> {
    let id = id?;
    let found = channels.iter().position(|ch| ch.id == id);
    if found.is_none() {
        let known: Vec<&str> = channels.iter().map(|ch| ch.id.as_str()).collect();
        c.error(
            IssueCode::UnknownChannel,
            rec,
            "channel",
            format!("unknown channel `{id}` (the scenario defines: {})", list(&known)),
            "add the channel to the scenario's `channels` or fix the id",
        );
    }
    found.map(ChannelIdx::new)
}

fn list(ids: &[&str]) -> String {
    if ids.is_empty() {
        "none".into()
    } else {
        ids.join(", ")
    }
}

/// Units per SKU each node keeps for the buffers of channels that no order
/// of the wave belongs to (the wave may not take them); empty when no such
/// buffer covers the node.
pub(super) fn wave_buffers(channels: &[Channel], orders: &[Order], nodes: &[Node]) -> Vec<u64> {
    let present: HashSet<ChannelIdx> = orders.iter().filter_map(|o| o.channel).collect();
    let absent: Vec<&ChannelBuffer> = channels
        .iter()
        .enumerate()
        .filter(|(k, _)| !present.contains(&ChannelIdx::new(*k)))
        .filter_map(|(_, ch)| ch.buffer.as_ref())
        .collect();
    NodeIdx::all(nodes.len())
        .map(|n| {
            absent
                .iter()
                .filter(|b| b.covers(n, &nodes[n]))
                .map(|b| u64::from(b.units))
                .sum()
        })
        .collect()
}

/// Splits the stock available at the wave's time into what the wave may
/// use and what it leaves for absent channels' buffers (`withheld`).
pub(super) fn hold_back(
    atp: &mut HashMap<(NodeIdx, SkuIdx), u32>,
    buffers: &[u64],
) -> HashMap<(NodeIdx, SkuIdx), u32> {
    let mut withheld = HashMap::default();
    if buffers.iter().all(|&b| b == 0) {
        return withheld;
    }
    atp.retain(|&(n, k), units| {
        let kept = u64::from(*units).min(buffers[n.index()]) as u32;
        if kept > 0 {
            withheld.insert((n, k), kept);
        }
        *units -= kept;
        *units > 0
    });
    withheld
}
