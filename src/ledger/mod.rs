//! The reservation ledger: which stock is held for whom between checkout
//! and shipment. Per (node, SKU) it keeps on hand, safety stock, dated
//! inbound, soft holds (carts, with an expiry), hard node-level reservations
//! and what was committed (shipped); per SKU the network-level reservations
//! made at order capture, before sourcing.
//!
//! The invariant, at every instant: per node, held + reserved <= on hand -
//! safety stock + inbound arrived (or nothing claimed); per SKU, the
//! network-level claims <= the sum of what is free at the nodes that ship
//! to customers. Requests also follow the channel rules across requests
//! (buffers filled by their channel's claims, network claims kept covered
//! by stock their channel may use, network shares; `allocation.rs`). A request is
//! granted in full or refused with what is available, inside one
//! serialised transaction, so concurrent requests for the last units get
//! exactly what there is.
//!
//! Every change is an [`Event`] in an append-only history; the stored state
//! is the fold of the history (`verify` replays and compares, `rebuild`
//! replaces the state by the replay). Requests are idempotent by their id.
//!
//! [`Ledger`] is the one interface of the back ends; [`rules`] holds the
//! rules once, over a back end's transaction ([`rules::Store`]);
//! [`sqlite::SqliteLedger`] is the embedded back end, `postgres::PostgresLedger`
//! (feature `postgres`) the one several servers share.

mod allocation;
mod error;
mod options;
#[cfg(feature = "postgres")]
pub mod postgres;
mod reserved;
pub mod rules;
pub mod sqlite;
mod state;
mod stored;
mod url;
pub mod wave;

use chrono::{NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

pub use error::LedgerError;
pub use options::{clock_at, parse_clock_time};
pub use reserved::{RESERVED_ID_PREFIXES, check_client_id};
pub use url::{
    DEFAULT_STORE_TIMEOUT, LedgerUrl, MAX_STORE_TIMEOUT, StoreOptions, create, create_with, open,
    open_with,
};
pub use state::{
    ChannelRow, Claim, ClaimKind, ClaimLine, ClaimStatus, Event, NetRow, State, StockRow,
};

/// Where a ledger reads the time: holds expire by it, inbound counts by it.
pub trait Clock: Send + Sync {
    /// Now, in UTC.
    fn now(&self) -> NaiveDateTime;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> NaiveDateTime {
        Utc::now().naive_utc()
    }
}

/// A clock that stands still until moved (tests, scripted replays).
#[derive(Debug)]
pub struct FixedClock(std::sync::Mutex<NaiveDateTime>);

impl FixedClock {
    /// A clock at `t`.
    pub fn new(t: NaiveDateTime) -> Self {
        FixedClock(std::sync::Mutex::new(t))
    }

    /// Moves it to `t`.
    pub fn set(&self, t: NaiveDateTime) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = t;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> NaiveDateTime {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl<C: Clock + ?Sized> Clock for std::sync::Arc<C> {
    fn now(&self) -> NaiveDateTime {
        (**self).now()
    }
}

/// A change asked of the ledger. Its `id` makes it idempotent: the same id
/// with the same content gets the first answer again, with other content an
/// error (E144).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Request {
    /// A cart's soft hold for `ttl_seconds`; its id names the hold.
    Hold {
        /// Request id and hold id.
        id: String,
        /// The order or cart it is for.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        order: Option<String>,
        /// Sales channel (absent: the default).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        channel: Option<String>,
        /// Time to live.
        ttl_seconds: u32,
        /// Units per SKU, at a node or over the network.
        lines: Vec<ClaimLine>,
    },
    /// A hard reservation at order capture; its id names the reservation.
    Reserve {
        /// Request id and reservation id.
        id: String,
        /// The order.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        order: Option<String>,
        /// Sales channel (absent: the default).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        channel: Option<String>,
        /// A hold of the cart that the reservation replaces (released in
        /// the same transaction, so its units count as free).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from_hold: Option<String>,
        /// Units per SKU, at a node or over the network.
        lines: Vec<ClaimLine>,
    },
    /// Turns the network-level reservations of an order into node-level
    /// ones, as a wave sources it: all or nothing.
    Assign {
        /// Request id.
        id: String,
        /// The order.
        order: String,
        /// Units per (SKU, node); per SKU they add up to the order's
        /// network-level units.
        lines: Vec<ClaimLine>,
    },
    /// Gives a hold or reservation back.
    Release {
        /// Request id.
        id: String,
        /// The hold or reservation.
        claim: String,
    },
    /// Ships a node-level reservation: its units leave on hand.
    Commit {
        /// Request id.
        id: String,
        /// The reservation.
        claim: String,
    },
    /// A receipt: units arrive at a node (counted first against its inbound).
    Receive {
        /// Request id.
        id: String,
        /// Node id.
        node: String,
        /// SKU id.
        sku: String,
        /// Units received.
        units: u32,
    },
    /// A cycle count: on hand set to a count, or moved by a difference.
    Adjust {
        /// Request id.
        id: String,
        /// Node id.
        node: String,
        /// SKU id.
        sku: String,
        /// The new count or the difference.
        change: Adjustment,
    },
}

/// A cycle count's change of on hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Adjustment {
    /// On hand becomes this count.
    Set(u32),
    /// On hand moves by this many units.
    Delta(i64),
}

impl Request {
    /// The request id.
    pub fn id(&self) -> &str {
        match self {
            Request::Hold { id, .. }
            | Request::Reserve { id, .. }
            | Request::Assign { id, .. }
            | Request::Release { id, .. }
            | Request::Commit { id, .. }
            | Request::Receive { id, .. }
            | Request::Adjust { id, .. } => id,
        }
    }
}

/// What a granted request answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    /// The request id.
    pub request: String,
    /// The sequence number of the request's last event.
    pub seq: i64,
    /// The hold or reservation it made or changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim: Option<Claim>,
    /// The stock row it changed (receipts, adjustments).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock: Option<StockRow>,
    /// True when this is the stored answer of an earlier identical request.
    #[serde(default)]
    pub replayed: bool,
}

/// Availability of one SKU from the ledger, per node and over the network.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LedgerAvailability {
    /// SKU id.
    pub sku: String,
    /// As of this time.
    pub at: NaiveDateTime,
    /// The channel asking (absent: the default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Units of network-level holds and reservations.
    pub network_claimed: i64,
    /// What a network-level request may get now.
    pub network_available: u64,
    /// What the channel's network share still lets it claim at the nodes
    /// that ship to customers and over the network (absent: no share).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_left: Option<u64>,
    /// Per node with a row.
    pub nodes: Vec<NodeAvailability>,
}

/// One node's line of [`LedgerAvailability`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeAvailability {
    /// Node id.
    pub node: String,
    /// On hand.
    pub on_hand: i64,
    /// Safety stock.
    pub safety: i64,
    /// Inbound arrived by the time asked.
    pub inbound_arrived: i64,
    /// Active holds.
    pub held: i64,
    /// Active reservations.
    pub reserved: i64,
    /// Committed so far.
    pub committed: i64,
    /// Free: usable less held and reserved.
    pub free: i64,
    /// What a node-level request of the channel may get now.
    pub available: u64,
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerifyReport {
    /// Events replayed.
    pub events: i64,
    /// Stock rows compared.
    pub stock_rows: usize,
    /// Claims compared.
    pub claims: usize,
    /// Where the stored state and the replay differ (empty: they agree).
    pub differences: Vec<String>,
    /// Rows where the invariant does not hold at the time of the check.
    pub invariant_breaches: Vec<String>,
}

impl VerifyReport {
    /// The state reconciles with its history and keeps the invariant.
    pub fn ok(&self) -> bool {
        self.differences.is_empty() && self.invariant_breaches.is_empty()
    }
}

/// The ledger's state and its version (the sequence number of the last
/// event), read in one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// The stored state.
    pub state: State,
    /// The last event's sequence number (0: none).
    pub seq: i64,
    /// The ledger's clock when it was read.
    pub at: NaiveDateTime,
}

/// What a batch computed on a [`Snapshot`] relies on: that no event after
/// `seq` touched `skus`. A wave's commit carries one, so that a plan solved
/// on availability that changed meanwhile is refused (E150) rather than
/// applied to stock it did not see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guard {
    /// The version the batch was computed on.
    pub seq: i64,
    /// The SKUs whose availability it used.
    pub skus: std::collections::BTreeSet<String>,
}

/// Takes `claimed` units off `rows` (free units, node) for network-level
/// claims, the fullest node first (ties by node), so that whatever a plan
/// or a promise then takes of the rest, the claims stay covered. Which nodes
/// give the units is a choice: the fullest keep the most choice elsewhere.
pub fn keep_for_network<N: Ord>(rows: &mut [(i64, N)], mut claimed: i64) {
    rows.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    for (free, _) in rows.iter_mut() {
        if claimed <= 0 {
            break;
        }
        let take = claimed.min((*free).max(0));
        *free -= take;
        claimed -= take;
    }
}

/// The one interface of the ledger's back ends (embedded SQLite; a shared
/// server database for several `domopt serve` instances).
pub trait Ledger: Send + Sync {
    /// Applies a request in one transaction, or refuses it having written
    /// nothing. Holds past their time are expired first, in the same
    /// transaction.
    fn execute(&self, request: &Request) -> Result<Answer, LedgerError>;

    /// Applies `requests` in order in one transaction: all of them, or none
    /// (the first refusal is the error). With a `guard`, refuses with E150
    /// when an event after its version touched its SKUs.
    fn execute_all(
        &self,
        requests: &[Request],
        guard: Option<&Guard>,
    ) -> Result<Vec<Answer>, LedgerError>;

    /// Expires the holds past their time; their ids.
    fn expire(&self) -> Result<Vec<String>, LedgerError>;

    /// Availability of `sku` for `channel` now (or at `at`).
    fn availability(
        &self,
        sku: &str,
        channel: Option<&str>,
        at: Option<NaiveDateTime>,
    ) -> Result<LedgerAvailability, LedgerError>;

    /// A hold or reservation by id.
    fn claim(&self, id: &str) -> Result<Option<Claim>, LedgerError>;

    /// The whole stored state and its version, read in one transaction.
    fn snapshot(&self) -> Result<Snapshot, LedgerError>;

    /// The version alone (the last event's sequence number): whether
    /// anything changed since a snapshot, without reading the state.
    fn version(&self) -> Result<i64, LedgerError> {
        Ok(self.snapshot()?.seq)
    }

    /// The whole stored state.
    fn state(&self) -> Result<State, LedgerError> {
        Ok(self.snapshot()?.state)
    }

    /// The scenario (network, SKUs, channels) the ledger was made from.
    fn base(&self) -> &rules::Base;

    /// Replays the history and compares it with the stored state.
    fn verify(&self) -> Result<VerifyReport, LedgerError>;

    /// Replaces the stored state by the replay of the history; the report
    /// of what differed before.
    fn rebuild(&self) -> Result<VerifyReport, LedgerError>;
}
