//! How the sales channels may claim one SKU's stock across requests: the
//! channel rules of available-to-promise (buffers, network shares) applied
//! to a ledger in which every channel already holds claims.
//!
//! - A **buffer** of `b` units for channel `c` at node `n` keeps
//!   `kept(n, c) = max(0, b - claims of c at n)` units there that no other
//!   channel may claim: the channel's own node-level holds and reservations
//!   at the node fill its buffer first.
//! - At a node, channel `c` may claim `view(n, c) = max(0, free(n) - sum
//!   over the other channels c' of kept(n, c'))`.
//! - **Network-level claims** must stay coverable by stock their channel
//!   may use at the nodes that ship to customers. Each such node's free
//!   units split into the part of each buffered channel
//!   (`own(n, c) = min(kept(n, c), view(n, c))`, usable by `c` alone) and
//!   the common part (`max(0, free(n) - sum of kept(n, .))`). A channel's
//!   network claims use its own parts first; what exceeds them must fit in
//!   the common parts. With `excess(c) = max(0, network(c) - own(c))`
//!   summed over the nodes, `slack = common - sum of excess(c)`, and a grant
//!   may not leave `slack` negative (nor lower it when a cycle count or a
//!   shipment already made it negative).
//! - A channel with a **network share** `s` may hold at most
//!   `floor(s * base)` units at the nodes that ship to customers and over
//!   the network, where `base` is the stock not claimed by other channels
//!   there (the free units, less every network claim, plus the channel's own
//!   claims): claiming more never changes `base`, so repeated requests
//!   cannot take more than the share.

use rustc_hash::FxHashMap;

use crate::network::domain::{NodeIdx, Scenario};

/// One node's stock of the SKU, as the channels may claim it.
#[derive(Debug, Clone)]
struct Slot {
    /// Free units: usable less held and reserved (negative if counted short).
    free: i64,
    /// Network-level claims may be served here.
    counts: bool,
    /// Per buffered channel covering the node: units its buffer still keeps.
    kept: Vec<(usize, i64)>,
}

impl Slot {
    fn kept_by(&self, channel: usize) -> i64 {
        self.kept.iter().filter(|(c, _)| *c == channel).map(|(_, k)| k).sum()
    }

    fn kept_by_others(&self, channel: usize) -> i64 {
        self.kept.iter().filter(|(c, _)| *c != channel).map(|(_, k)| k).sum()
    }

    /// What `channel` may claim here.
    fn view(&self, channel: usize) -> i64 {
        (self.free - self.kept_by_others(channel)).max(0)
    }

    /// The units no buffer keeps.
    fn common(&self) -> i64 {
        (self.free - self.kept.iter().map(|(_, k)| k).sum::<i64>()).max(0)
    }

    /// The slot after `channel` claims `q` units here.
    fn after_claim(&self, channel: usize, q: i64) -> Slot {
        let mut s = self.clone();
        s.free -= q;
        for (c, k) in &mut s.kept {
            if *c == channel {
                *k = (*k - q).max(0);
            }
        }
        s
    }
}

/// The stock of one SKU and the claims on it, per channel. Channels are
/// numbered as in the scenario; the default channel is the last number.
#[derive(Debug, Clone)]
pub struct Allocation {
    slots: Vec<Slot>,
    /// Network-level claims per channel.
    network: Vec<i64>,
    /// Per channel, the claims its network share counts: network-level and
    /// node-level at the nodes that ship to customers.
    counted: Vec<i64>,
    /// Per channel, its network share.
    shares: Vec<Option<f64>>,
}

/// One node's row for [`Allocation::new`].
#[derive(Debug, Clone, Copy)]
pub struct NodeStock {
    /// The node.
    pub node: NodeIdx,
    /// Free units on the date.
    pub free: i64,
    /// It ships to customers.
    pub counts: bool,
}

/// The claims of one channel for [`Allocation::new`]: at a node, or over
/// the network.
#[derive(Debug, Clone, Copy)]
pub struct ChannelClaims {
    /// The channel's number.
    pub channel: usize,
    /// The node; none: network level.
    pub node: Option<NodeIdx>,
    /// Units held and reserved.
    pub units: i64,
}

impl Allocation {
    /// The allocation of one SKU: its nodes' free units, the named channels'
    /// claims and the network-level claims of all channels together.
    pub fn new(s: &Scenario, nodes: &[NodeStock], claims: &[ChannelClaims], network_total: i64) -> Self {
        let default = s.channels.len();
        let mut at_node: FxHashMap<(usize, NodeIdx), i64> = FxHashMap::default();
        let mut network = vec![0; default + 1];
        let mut counted = vec![0; default + 1];
        for c in claims {
            match c.node {
                Some(n) => *at_node.entry((c.channel, n)).or_default() += c.units,
                None => network[c.channel] += c.units,
            }
        }
        network[default] = network_total - network[..default].iter().sum::<i64>();
        let slots = nodes
            .iter()
            .map(|n| {
                for (ch, claimed) in counted.iter_mut().enumerate().take(default) {
                    if n.counts {
                        *claimed += at_node.get(&(ch, n.node)).copied().unwrap_or(0);
                    }
                }
                Slot {
                    free: n.free,
                    counts: n.counts,
                    kept: kept_at(s, n.node, &at_node),
                }
            })
            .collect();
        for (c, units) in counted.iter_mut().zip(&network) {
            *c += units;
        }
        Allocation {
            slots,
            network,
            counted,
            shares: s.channels.iter().map(|c| c.network_share).chain([None]).collect(),
        }
    }

    /// Network-level claims of every channel.
    pub fn network_claimed(&self) -> i64 {
        self.network.iter().sum()
    }

    /// How far the network-level claims are from needing stock their
    /// channels may not use (negative: short by that much).
    pub fn slack(&self) -> i64 {
        self.slack_of(&self.totals())
    }

    /// Per channel, the units of buffer parts usable by it alone, and the
    /// common units, over the nodes that ship to customers.
    fn totals(&self) -> Totals {
        let mut t = Totals {
            own: vec![0; self.network.len()],
            common: 0,
        };
        for slot in &self.slots {
            t.add(slot, 1);
        }
        t
    }

    fn slack_of(&self, t: &Totals) -> i64 {
        let excess: i64 = self.network.iter().zip(&t.own).map(|(g, o)| (g - o).max(0)).sum();
        t.common - excess
    }

    /// What `channel`'s network share still lets it claim at the nodes that
    /// ship to customers and over the network (none: it has no share).
    pub fn share_left(&self, channel: usize) -> Option<i64> {
        let share = self.shares[channel]?;
        let free: i64 = self.slots.iter().filter(|s| s.counts).map(|s| s.free.max(0)).sum();
        let base = (free - self.network_claimed() + self.counted[channel]).max(0);
        Some(((share * base as f64).floor() as i64 - self.counted[channel]).max(0))
    }

    /// What a network-level request of `channel` may get.
    pub fn network_available(&self, channel: usize) -> i64 {
        let floor = self.slack().min(0);
        // Adding q to the channel's network claims lowers the slack by q
        // less what its own buffer parts still absorb.
        let mut own = 0;
        for s in self.slots.iter().filter(|s| s.counts) {
            own += s.kept_by(channel).min(s.view(channel));
        }
        let absorbed = (own - self.network[channel]).max(0);
        let q = (self.slack() - floor + absorbed).max(0);
        self.share_left(channel).map_or(q, |left| q.min(left))
    }

    /// What a node-level request of `channel` may get at each slot.
    pub fn nodes_available(&self, channel: usize) -> Vec<i64> {
        let totals = self.totals();
        let floor = self.slack_of(&totals).min(0);
        let share_left = self.share_left(channel);
        (0..self.slots.len())
            .map(|i| self.node_available(i, channel, &totals, floor, share_left))
            .collect()
    }

    /// What a node-level request of `channel` at slot `i` may get: its view
    /// and, where the node ships to customers, as far as the share and the
    /// slack (kept at `floor` or above) allow.
    fn node_available(&self, i: usize, channel: usize, totals: &Totals, floor: i64, share_left: Option<i64>) -> i64 {
        let slot = &self.slots[i];
        let view = slot.view(channel);
        if !slot.counts {
            return view;
        }
        let most = share_left.map_or(view, |left| view.min(left));
        let mut others = totals.clone();
        others.add(slot, -1);
        let fits = |q: i64| {
            let mut t = others.clone();
            t.add(&slot.after_claim(channel, q), 1);
            self.slack_of(&t) >= floor
        };
        if fits(most) {
            return most;
        }
        // The slack only falls as q grows: the largest q that fits.
        let (mut lo, mut hi) = (0i64, most);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if fits(mid) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// What `channel` may claim at slot `i` by moving its own network-level
    /// units there (an assignment): the node's view, since the units it
    /// takes were already covered over the network.
    pub fn view(&self, i: usize, channel: usize) -> i64 {
        self.slots[i].view(channel)
    }
}

/// Sums over the nodes that ship to customers (see [`Allocation::slack`]).
#[derive(Debug, Clone)]
struct Totals {
    /// Per channel, the buffer parts only it may use.
    own: Vec<i64>,
    /// The units no buffer keeps.
    common: i64,
}

impl Totals {
    /// Adds (`sign` 1) or takes out (-1) a slot's parts.
    fn add(&mut self, slot: &Slot, sign: i64) {
        if !slot.counts {
            return;
        }
        self.common += sign * slot.common();
        for &(c, k) in &slot.kept {
            self.own[c] += sign * k.min(slot.view(c));
        }
    }
}

/// Per buffered channel covering `node`: what its buffer still keeps there.
fn kept_at(s: &Scenario, node: NodeIdx, at_node: &FxHashMap<(usize, NodeIdx), i64>) -> Vec<(usize, i64)> {
    s.channels
        .iter()
        .enumerate()
        .filter_map(|(c, ch)| {
            let b = ch.buffer.as_ref()?;
            if !b.covers(node, &s.nodes[node]) {
                return None;
            }
            let filled = at_node.get(&(c, node)).copied().unwrap_or(0);
            Some((c, (i64::from(b.units) - filled).max(0)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Channels 0 and 1 have buffers, channel 2 is the default.
    const CHANNELS: usize = 3;

    /// Every way to spread `units` over `nodes` nodes.
    fn spreads(units: i64, nodes: usize) -> Vec<Vec<i64>> {
        if nodes == 1 {
            return vec![vec![units]];
        }
        (0..=units)
            .flat_map(|first| {
                spreads(units - first, nodes - 1).into_iter().map(move |mut rest| {
                    rest.insert(0, first);
                    rest
                })
            })
            .collect()
    }

    /// Whether the network claims `network` can be placed at the nodes so
    /// that at every node each channel's placed units and each buffer's
    /// unfilled units fit in the free units (by enumeration).
    fn placeable(slots: &[Slot], network: &[i64]) -> bool {
        let per_channel: Vec<Vec<Vec<i64>>> = network.iter().map(|&g| spreads(g, slots.len())).collect();
        let mut pick = [0usize; CHANNELS];
        loop {
            let fits = slots.iter().enumerate().all(|(n, s)| {
                let used: i64 = (0..CHANNELS)
                    .map(|c| per_channel[c][pick[c]][n].max(s.kept_by(c)))
                    .sum();
                used <= s.free
            });
            if fits {
                return true;
            }
            let mut c = 0;
            loop {
                if c == CHANNELS {
                    return false;
                }
                pick[c] += 1;
                if pick[c] < per_channel[c].len() {
                    break;
                }
                pick[c] = 0;
                c += 1;
            }
        }
    }

    fn allocation(slots: Vec<Slot>, network: Vec<i64>) -> Allocation {
        Allocation {
            slots,
            counted: network.clone(),
            network,
            shares: vec![None; CHANNELS],
        }
    }

    fn instance() -> impl Strategy<Value = (Vec<Slot>, Vec<i64>)> {
        let slot = (0i64..8, 0i64..3, 0i64..3).prop_map(|(free, k0, k1)| Slot {
            free,
            counts: true,
            kept: vec![(0, k0), (1, k1)],
        });
        (
            proptest::collection::vec(slot, 1..=3),
            proptest::collection::vec(0i64..4, CHANNELS),
        )
            .prop_filter("no node keeps more than it has", |(slots, _)| {
                slots.iter().all(|s| s.free >= s.kept_by(0) + s.kept_by(1))
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn the_slack_is_non_negative_exactly_when_the_network_claims_can_be_placed(
            (slots, network) in instance()
        ) {
            let a = allocation(slots.clone(), network.clone());
            prop_assert_eq!(a.slack() >= 0, placeable(&slots, &network));
        }

        #[test]
        fn what_is_available_is_the_most_that_keeps_the_network_claims_placeable(
            (slots, network) in instance()
        ) {
            let a = allocation(slots.clone(), network.clone());
            prop_assume!(a.slack() >= 0);
            for c in 0..CHANNELS {
                let most = (0..=20)
                    .take_while(|&q| {
                        let mut more = network.clone();
                        more[c] += q;
                        placeable(&slots, &more)
                    })
                    .last()
                    .unwrap_or(0);
                prop_assert_eq!(a.network_available(c), most, "network, channel {}", c);
                for (i, got) in a.nodes_available(c).into_iter().enumerate() {
                    let most = (0..=slots[i].view(c))
                        .take_while(|&q| {
                            let mut after = slots.clone();
                            after[i] = slots[i].after_claim(c, q);
                            placeable(&after, &network)
                        })
                        .last()
                        .unwrap_or(0);
                    prop_assert_eq!(got, most, "node {}, channel {}", i, c);
                }
            }
        }
    }
}
