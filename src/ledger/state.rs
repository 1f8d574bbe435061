//! The ledger's state and its events. Every change is an [`Event`]; the
//! state is the fold of the events in order ([`State::apply`]). The back
//! ends keep the state materialised beside the history and fold each
//! operation's events into the rows it touched, so that the stored state and
//! the replayed history must agree (`verify`).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

/// One (node, SKU) of the ledger. Quantities are `i64` so that no sum of
/// them can overflow (each is at most a few times `MAX_UNITS`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockRow {
    /// Node id.
    pub node: String,
    /// SKU id.
    pub sku: String,
    /// Units physically on hand.
    pub on_hand: i64,
    /// Units kept back from every request.
    pub safety: i64,
    /// Units of an inbound receipt not yet received.
    pub inbound: i64,
    /// When the inbound units arrive (none: they count now).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inbound_date: Option<NaiveDate>,
    /// Units of active node-level holds.
    pub held: i64,
    /// Units of active node-level reservations.
    pub reserved: i64,
    /// Units committed (shipped) so far.
    pub committed: i64,
}

impl StockRow {
    /// An empty row.
    pub fn empty(node: &str, sku: &str) -> Self {
        StockRow {
            node: node.into(),
            sku: sku.into(),
            on_hand: 0,
            safety: 0,
            inbound: 0,
            inbound_date: None,
            held: 0,
            reserved: 0,
            committed: 0,
        }
    }

    /// The inbound units that count on `date`.
    pub fn arrived(&self, date: NaiveDate) -> i64 {
        match self.inbound_date {
            Some(d) if d > date => 0,
            _ => self.inbound,
        }
    }

    /// What holds and reservations may take here on `date`: on hand less
    /// safety stock plus inbound arrived.
    pub fn usable(&self, date: NaiveDate) -> i64 {
        self.on_hand - self.safety + self.arrived(date)
    }

    /// Free units before a dated inbound receipt arrives (an undated one
    /// counts now): what a promise reads as stock, with the dated receipt
    /// apart. Negative when held and reserved units count on the receipt.
    pub fn free_before_receipt(&self) -> i64 {
        let undated = if self.inbound_date.is_none() { self.inbound } else { 0 };
        self.on_hand - self.safety - self.held - self.reserved + undated
    }

    /// Usable units not held or reserved (negative only if the invariant is broken).
    pub fn free(&self, date: NaiveDate) -> i64 {
        self.usable(date) - self.held - self.reserved
    }
}

/// Network-level claims of one SKU (made before sourcing).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetRow {
    /// SKU id.
    pub sku: String,
    /// Units of active network-level holds.
    pub held: i64,
    /// Units of active network-level reservations.
    pub reserved: i64,
}

/// The units one named sales channel holds and reserves of a SKU at a node,
/// or over the network: what its buffers and network share count against.
/// (The default channel's are the rest of the totals.)
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelRow {
    /// SKU id.
    pub sku: String,
    /// Node id; none: network-level claims.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// Channel id.
    pub channel: String,
    /// Units of the channel's active holds.
    pub held: i64,
    /// Units of the channel's active reservations.
    pub reserved: i64,
}

/// Key of a [`ChannelRow`]: (SKU, node or none, channel).
pub type ChannelKey = (String, Option<String>, String);

impl ChannelRow {
    /// Its key.
    pub fn key(&self) -> ChannelKey {
        (self.sku.clone(), self.node.clone(), self.channel.clone())
    }

    /// Held and reserved units.
    pub fn claimed(&self) -> i64 {
        self.held + self.reserved
    }
}

/// A soft hold (a cart, with an expiry) or a hard reservation (an order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimKind {
    /// A cart's soft hold, until it expires.
    Hold,
    /// An order's hard reservation, until released or committed.
    Reservation,
}

/// Where a hold or reservation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimStatus {
    /// It holds its units.
    Active,
    /// Given back.
    Released,
    /// Shipped: its units left on hand.
    Committed,
    /// A hold past its time.
    Expired,
}

impl ClaimStatus {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimStatus::Active => "active",
            ClaimStatus::Released => "released",
            ClaimStatus::Committed => "committed",
            ClaimStatus::Expired => "expired",
        }
    }
}

/// Units of one SKU claimed at a node, or over the network (no node).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimLine {
    /// SKU id.
    pub sku: String,
    /// Node id; absent: a network-level claim, to be assigned to nodes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// Units.
    pub quantity: u32,
}

/// A hold or a reservation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    /// Its id (the request id that made it).
    pub id: String,
    /// Hold or reservation.
    pub kind: ClaimKind,
    /// The order it is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
    /// The sales channel asking (absent: the default channel).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// When it was made.
    pub created: NaiveDateTime,
    /// When a hold expires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<NaiveDateTime>,
    /// Where it stands.
    pub status: ClaimStatus,
    /// What it claims.
    pub lines: Vec<ClaimLine>,
}

/// One change of the ledger, as stored (JSON) in the event history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// A (node, SKU) row loaded from the scenario's inventory.
    Stocked {
        /// Node id.
        node: String,
        /// SKU id.
        sku: String,
        /// On hand.
        on_hand: i64,
        /// Safety stock.
        safety: i64,
        /// Inbound units.
        inbound: i64,
        /// Their arrival.
        inbound_date: Option<NaiveDate>,
    },
    /// A hold or reservation made (active).
    Claimed {
        /// The claim.
        claim: Claim,
    },
    /// A reservation's lines replaced by node-level ones.
    Assigned {
        /// Its id.
        claim: String,
        /// The new lines.
        lines: Vec<ClaimLine>,
    },
    /// A claim released.
    Released {
        /// Its id.
        claim: String,
    },
    /// A reservation shipped: its units leave on hand.
    Committed {
        /// Its id.
        claim: String,
    },
    /// A hold past its time.
    Expired {
        /// Its id.
        claim: String,
    },
    /// Units received at a node (first counted against its inbound).
    Received {
        /// Node id.
        node: String,
        /// SKU id.
        sku: String,
        /// Units received.
        units: i64,
        /// Of which were the expected inbound.
        from_inbound: i64,
    },
    /// A cycle count: on hand set.
    Adjusted {
        /// Node id.
        node: String,
        /// SKU id.
        sku: String,
        /// The counted on-hand units.
        on_hand: i64,
    },
}

/// The ledger's state, whole (a replay) or the part an operation loaded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    /// Per (node, SKU).
    pub stock: BTreeMap<(String, String), StockRow>,
    /// Network-level claims per SKU.
    pub network: BTreeMap<String, NetRow>,
    /// Holds and reservations by id.
    pub claims: BTreeMap<String, Claim>,
    /// Claims of each named channel per (SKU, node or network).
    pub channels: BTreeMap<ChannelKey, ChannelRow>,
    /// What `apply` changed since the last `take_dirty`.
    pub dirty: Dirty,
}

/// Keys of the rows an operation changed, to write back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dirty {
    /// Stock rows.
    pub stock: BTreeSet<(String, String)>,
    /// Network rows.
    pub network: BTreeSet<String>,
    /// Claims.
    pub claims: BTreeSet<String>,
    /// Channel rows.
    pub channels: BTreeSet<ChannelKey>,
}

impl State {
    /// The fold of `events`, in order.
    pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> State {
        let mut s = State::default();
        for e in events {
            s.apply(e);
        }
        s.dirty = Dirty::default();
        s
    }

    /// Folds one event into the state.
    pub fn apply(&mut self, e: &Event) {
        match e {
            Event::Stocked {
                node,
                sku,
                on_hand,
                safety,
                inbound,
                inbound_date,
            } => {
                let row = self.row(node, sku);
                row.on_hand = *on_hand;
                row.safety = *safety;
                row.inbound = *inbound;
                row.inbound_date = *inbound_date;
            }
            Event::Claimed { claim } => {
                self.count(claim.kind, claim.channel.as_deref(), &claim.lines, 1);
                self.dirty.claims.insert(claim.id.clone());
                self.claims.insert(claim.id.clone(), claim.clone());
            }
            Event::Assigned { claim, lines } => {
                let (kind, channel, old) = self.claim_parts(claim);
                self.count(kind, channel.as_deref(), &old, -1);
                self.count(kind, channel.as_deref(), lines, 1);
                if let Some(c) = self.claims.get_mut(claim) {
                    c.lines = lines.clone();
                }
            }
            Event::Released { claim } => self.close(claim, ClaimStatus::Released),
            Event::Expired { claim } => self.close(claim, ClaimStatus::Expired),
            Event::Committed { claim } => {
                let (_, _, lines) = self.claim_parts(claim);
                for l in lines.iter() {
                    if let Some(node) = &l.node {
                        let row = self.row(node, &l.sku);
                        row.on_hand -= i64::from(l.quantity);
                        row.committed += i64::from(l.quantity);
                    }
                }
                self.close(claim, ClaimStatus::Committed);
            }
            Event::Received {
                node,
                sku,
                units,
                from_inbound,
            } => {
                let row = self.row(node, sku);
                row.on_hand += units;
                row.inbound -= from_inbound;
            }
            Event::Adjusted { node, sku, on_hand } => self.row(node, sku).on_hand = *on_hand,
        }
    }

    /// The changed keys, cleared.
    pub fn take_dirty(&mut self) -> Dirty {
        std::mem::take(&mut self.dirty)
    }

    /// The row of (node, SKU), created empty, marked changed.
    fn row(&mut self, node: &str, sku: &str) -> &mut StockRow {
        let key = (node.to_string(), sku.to_string());
        self.dirty.stock.insert(key.clone());
        self.stock
            .entry(key)
            .or_insert_with(|| StockRow::empty(node, sku))
    }

    fn net(&mut self, sku: &str) -> &mut NetRow {
        self.dirty.network.insert(sku.to_string());
        self.network
            .entry(sku.to_string())
            .or_insert_with(|| NetRow {
                sku: sku.into(),
                ..NetRow::default()
            })
    }

    /// The row of a named channel's claims of `sku` at `node` (none: the
    /// network), created empty, marked changed.
    fn channel_row(&mut self, channel: &str, sku: &str, node: Option<&str>) -> &mut ChannelRow {
        let key = (sku.to_string(), node.map(String::from), channel.to_string());
        self.dirty.channels.insert(key.clone());
        self.channels.entry(key).or_insert_with(|| ChannelRow {
            sku: sku.into(),
            node: node.map(String::from),
            channel: channel.into(),
            ..ChannelRow::default()
        })
    }

    fn claim_parts(&mut self, id: &str) -> (ClaimKind, Option<String>, Vec<ClaimLine>) {
        self.dirty.claims.insert(id.to_string());
        self.claims.get(id).map_or((ClaimKind::Hold, None, Vec::new()), |c| {
            (c.kind, c.channel.clone(), c.lines.clone())
        })
    }

    /// Gives back a claim's units and sets its final status.
    fn close(&mut self, id: &str, status: ClaimStatus) {
        let (kind, channel, lines) = self.claim_parts(id);
        self.count(kind, channel.as_deref(), &lines, -1);
        if let Some(c) = self.claims.get_mut(id) {
            c.status = status;
        }
    }

    /// Adds (`sign` 1) or removes (-1) claimed units to the held or reserved
    /// counts of their nodes, or of the network, and of a named channel's.
    fn count(&mut self, kind: ClaimKind, channel: Option<&str>, lines: &[ClaimLine], sign: i64) {
        for l in lines {
            let q = sign * i64::from(l.quantity);
            let (held, reserved) = match &l.node {
                Some(node) => {
                    let r = self.row(node, &l.sku);
                    (&mut r.held, &mut r.reserved)
                }
                None => {
                    let r = self.net(&l.sku);
                    (&mut r.held, &mut r.reserved)
                }
            };
            add(kind, held, reserved, q);
            if let Some(c) = channel {
                let r = self.channel_row(c, &l.sku, l.node.as_deref());
                add(kind, &mut r.held, &mut r.reserved, q);
            }
        }
    }
}

/// Adds `q` units to the held or reserved count, by the claim's kind.
fn add(kind: ClaimKind, held: &mut i64, reserved: &mut i64, q: i64) {
    match kind {
        ClaimKind::Hold => *held += q,
        ClaimKind::Reservation => *reserved += q,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
    }

    #[test]
    fn a_reservation_committed_leaves_on_hand_and_its_reserved_count() {
        let stock = Event::Stocked {
            node: "n".into(),
            sku: "k".into(),
            on_hand: 5,
            safety: 1,
            inbound: 0,
            inbound_date: None,
        };
        let claim = Claim {
            id: "r".into(),
            kind: ClaimKind::Reservation,
            order: None,
            channel: None,
            created: at("2026-01-01T00:00"),
            expires: None,
            status: ClaimStatus::Active,
            lines: vec![ClaimLine {
                sku: "k".into(),
                node: Some("n".into()),
                quantity: 3,
            }],
        };
        let events = [
            stock,
            Event::Claimed { claim },
            Event::Committed { claim: "r".into() },
        ];
        let s = State::replay(&events[..2]);
        let row = &s.stock[&("n".to_string(), "k".to_string())];
        assert_eq!((row.on_hand, row.reserved, row.free(at("2026-01-01T00:00").date())), (5, 3, 1));
        let s = State::replay(&events);
        let row = &s.stock[&("n".to_string(), "k".to_string())];
        assert_eq!((row.on_hand, row.reserved, row.committed), (2, 0, 3));
        assert_eq!(s.claims["r"].status, ClaimStatus::Committed);
    }
}
