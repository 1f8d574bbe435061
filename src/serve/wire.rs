//! The service's own request and response types (the promise and
//! availability types are the library's), for the routes and the OpenAPI
//! document.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::input::cart::{CartFile, CartRecord};
use crate::ledger::{
    Adjustment, Answer, Claim, ClaimKind, ClaimLine, ClaimStatus, LedgerAvailability, LedgerError,
    Request, StockRow, VerifyReport,
};

/// `{"status": "ok"}`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Health {
    /// Always `ok` when the process answers.
    pub status: &'static str,
}

/// Ready to answer: the scenario is loaded and validated (it is, once the
/// router exists) and the ledger, if any, answers; with the scenario's size.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Readiness {
    /// `ready`, or `not_ready` (with status 503) when the ledger does not
    /// answer.
    pub status: &'static str,
    /// The reservation ledger: `none` (no --ledger), `ok`, `unavailable`.
    pub ledger: &'static str,
    /// When not ready: the code of why (E147: the ledger failed or did
    /// not answer within the probe's bound).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// When not ready: why, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The scenario's name.
    pub scenario: String,
    /// Nodes, SKUs and services (the built-ins included).
    pub nodes: usize,
    /// SKUs.
    pub skus: usize,
    /// Services.
    pub services: usize,
}

/// One cart, or `{"carts": [...]}`: the body of `/v1/promise`.
#[derive(Debug, schemars::JsonSchema)]
#[serde(untagged)]
pub enum PromiseRequest {
    /// Several carts.
    Many(CartFile),
    /// One cart.
    One(CartRecord),
}

// ---------------------------------------------------------------------------
// The reservation ledger's wire types. They mirror the library's `Request`,
// `Answer`, `Claim`, ... but are kept apart from them, so that the HTTP
// contract (and its OpenAPI schemas) changes only on purpose.

/// A whole number as sent: any JSON number, checked when the request is
/// built, so that a negative, fractional or too large quantity is refused
/// with E145 and the field's name rather than with a parse error. A whole
/// number written as a float (`1.0`, `2e3`) is that number.
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct Units(serde_json::Number);

impl Units {
    /// The number as a `u32`, or E145 naming `field`.
    pub fn count(&self, field: &str) -> Result<u32, LedgerError> {
        let n = self.whole(field)?;
        if n < 0 {
            return Err(LedgerError::quantity(
                field,
                format!("{}: negative, at least 1 unit", self.0),
            ));
        }
        u32::try_from(n).map_err(|_| LedgerError::quantity(field, format!("{}: too large", self.0)))
    }

    /// The number as an `i64` (a signed difference), or E145.
    pub fn signed(&self, field: &str) -> Result<i64, LedgerError> {
        i64::try_from(self.whole(field)?)
            .map_err(|_| LedgerError::quantity(field, format!("{}: out of range", self.0)))
    }

    /// The number when it is whole (an integer, or a float without a
    /// fraction), else E145 saying it is not.
    fn whole(&self, field: &str) -> Result<i128, LedgerError> {
        let n = &self.0;
        if let Some(v) = n.as_i64() {
            return Ok(i128::from(v));
        }
        if let Some(v) = n.as_u64() {
            return Ok(i128::from(v));
        }
        let f = n.as_f64().unwrap_or(f64::NAN);
        if f.is_finite() && f.fract() == 0.0 {
            // Beyond i128 the float saturates: still out of every range.
            return Ok(f as i128);
        }
        Err(LedgerError::quantity(
            field,
            format!("{n}: not a whole number of units"),
        ))
    }
}

/// Units of one SKU at a node, or over the network (no node).
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LineBody {
    /// SKU id.
    pub sku: String,
    /// Node id; absent: a network-level claim, assigned to nodes later.
    #[serde(default)]
    pub node: Option<String>,
    /// Units: a whole number from 1 (else 422 E145).
    #[schemars(with = "u32")]
    pub quantity: Units,
}

impl LineBody {
    fn line(&self) -> Result<ClaimLine, LedgerError> {
        Ok(ClaimLine {
            sku: self.sku.clone(),
            node: self.node.clone(),
            quantity: self.quantity.count(&format!("quantity of {}", self.sku))?,
        })
    }
}

fn lines(lines: &[LineBody]) -> Result<Vec<ClaimLine>, LedgerError> {
    lines.iter().map(LineBody::line).collect()
}

/// The request id of a body: its `id`, or the `Idempotency-Key` header when
/// the body has none. Both present must agree, and it may not start with a
/// prefix the ledger keeps for the ids it makes (`wave-`, `initial:`).
fn request_id(body: Option<String>, header: Option<String>) -> Result<String, String> {
    let id = match (body, header) {
        (Some(b), Some(h)) if b != h => {
            return Err(format!(
                "the body's id `{b}` and the Idempotency-Key `{h}` differ"
            ));
        }
        (Some(id), _) | (None, Some(id)) => id,
        (None, None) => {
            return Err(
                "a request id is needed: `id` in the body or an Idempotency-Key header".into(),
            );
        }
    };
    crate::ledger::check_client_id(&id).map_err(|e| e.to_string())?;
    Ok(id)
}

/// Why a ledger body cannot become a request: its id (400 E100) or a
/// quantity (422 E145).
#[derive(Debug)]
pub enum BodyError {
    /// No id, or two that differ.
    Id(String),
    /// A quantity out of range.
    Ledger(LedgerError),
}

impl From<LedgerError> for BodyError {
    fn from(e: LedgerError) -> Self {
        BodyError::Ledger(e)
    }
}

/// A body of a ledger change: it becomes the library's [`Request`].
pub trait ChangeBody: serde::de::DeserializeOwned + Send + 'static {
    /// The request, with `key` the `Idempotency-Key` header if any.
    fn request(self, key: Option<String>) -> Result<Request, BodyError>;
}

macro_rules! id_of {
    ($body:expr, $key:expr) => {
        request_id($body.id.clone(), $key).map_err(BodyError::Id)?
    };
}

/// `POST /v1/holds`: a cart's soft hold for `ttl_seconds`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HoldBody {
    /// Request id and hold id (or the Idempotency-Key header); not
    /// starting with `wave-`, `reroute-` or `initial:`, which the ledger keeps for the
    /// ids it makes (400 E100).
    #[serde(default)]
    pub id: Option<String>,
    /// The order or cart it is for.
    #[serde(default)]
    pub order: Option<String>,
    /// Sales channel (absent: the default).
    #[serde(default)]
    pub channel: Option<String>,
    /// Time to live, in seconds.
    #[schemars(with = "u32")]
    pub ttl_seconds: Units,
    /// Units per SKU, at a node or over the network.
    pub lines: Vec<LineBody>,
}

impl ChangeBody for HoldBody {
    fn request(self, key: Option<String>) -> Result<Request, BodyError> {
        Ok(Request::Hold {
            id: id_of!(self, key),
            ttl_seconds: self.ttl_seconds.count("ttl_seconds")?,
            lines: lines(&self.lines)?,
            order: self.order,
            channel: self.channel,
        })
    }
}

/// `POST /v1/reservations`: an order's hard reservation.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReservationBody {
    /// Request id and reservation id (or the Idempotency-Key header); not
    /// starting with `wave-`, `reroute-` or `initial:` (400 E100).
    #[serde(default)]
    pub id: Option<String>,
    /// The order.
    #[serde(default)]
    pub order: Option<String>,
    /// Sales channel (absent: the default).
    #[serde(default)]
    pub channel: Option<String>,
    /// A live hold of the cart that the reservation replaces (released in
    /// the same transaction, so its units count as free).
    #[serde(default)]
    pub from_hold: Option<String>,
    /// Units per SKU, at a node or over the network.
    pub lines: Vec<LineBody>,
}

impl ChangeBody for ReservationBody {
    fn request(self, key: Option<String>) -> Result<Request, BodyError> {
        Ok(Request::Reserve {
            id: id_of!(self, key),
            lines: lines(&self.lines)?,
            order: self.order,
            channel: self.channel,
            from_hold: self.from_hold,
        })
    }
}

/// `POST /v1/assignments`: an order's network-level reservations become
/// node-level ones, all or nothing.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentBody {
    /// Request id (or the Idempotency-Key header); not starting with
    /// `wave-`, `reroute-` or `initial:` (400 E100).
    #[serde(default)]
    pub id: Option<String>,
    /// The order.
    pub order: String,
    /// Units per (SKU, node); per SKU they add up to the order's
    /// network-level units.
    pub lines: Vec<LineBody>,
}

impl ChangeBody for AssignmentBody {
    fn request(self, key: Option<String>) -> Result<Request, BodyError> {
        Ok(Request::Assign {
            id: id_of!(self, key),
            lines: lines(&self.lines)?,
            order: self.order,
        })
    }
}

/// `POST /v1/releases` and `POST /v1/commits`: a hold or reservation given
/// back, or a node-level reservation shipped.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimRefBody {
    /// Request id (or the Idempotency-Key header); not starting with
    /// `wave-`, `reroute-` or `initial:` (400 E100).
    #[serde(default)]
    pub id: Option<String>,
    /// The hold or reservation.
    pub claim: String,
}

/// A release (the route decides between release and commit).
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct ReleaseBody(pub ClaimRefBody);

/// A commit.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct CommitBody(pub ClaimRefBody);

impl ChangeBody for ReleaseBody {
    fn request(self, key: Option<String>) -> Result<Request, BodyError> {
        Ok(Request::Release {
            id: id_of!(self.0, key),
            claim: self.0.claim,
        })
    }
}

impl ChangeBody for CommitBody {
    fn request(self, key: Option<String>) -> Result<Request, BodyError> {
        Ok(Request::Commit {
            id: id_of!(self.0, key),
            claim: self.0.claim,
        })
    }
}

/// `POST /v1/receipts`: units arrive at a node (counted first against its
/// inbound).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiptBody {
    /// Request id (or the Idempotency-Key header); not starting with
    /// `wave-`, `reroute-` or `initial:` (400 E100).
    #[serde(default)]
    pub id: Option<String>,
    /// Node id.
    pub node: String,
    /// SKU id.
    pub sku: String,
    /// Units received.
    #[schemars(with = "u32")]
    pub units: Units,
}

impl ChangeBody for ReceiptBody {
    fn request(self, key: Option<String>) -> Result<Request, BodyError> {
        Ok(Request::Receive {
            id: id_of!(self, key),
            units: self.units.count("units")?,
            node: self.node,
            sku: self.sku,
        })
    }
}

/// `POST /v1/adjustments`: a cycle count, exactly one of `set` (on hand
/// becomes this count) and `delta` (on hand moves by this many units).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentBody {
    /// Request id (or the Idempotency-Key header); not starting with
    /// `wave-`, `reroute-` or `initial:` (400 E100).
    #[serde(default)]
    pub id: Option<String>,
    /// Node id.
    pub node: String,
    /// SKU id.
    pub sku: String,
    /// The counted on-hand units.
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub set: Option<Units>,
    /// The difference of on hand, signed.
    #[serde(default)]
    #[schemars(with = "Option<i64>")]
    pub delta: Option<Units>,
}

impl ChangeBody for AdjustmentBody {
    fn request(self, key: Option<String>) -> Result<Request, BodyError> {
        let change = match (&self.set, &self.delta) {
            (Some(s), None) => Adjustment::Set(s.count("set")?),
            (None, Some(d)) => Adjustment::Delta(d.signed("delta")?),
            _ => {
                return Err(
                    LedgerError::quantity("change", "give exactly one of set and delta").into(),
                );
            }
        };
        Ok(Request::Adjust {
            id: id_of!(self, key),
            node: self.node,
            sku: self.sku,
            change,
        })
    }
}

/// Hold or reservation.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClaimKindOut {
    /// A cart's soft hold, until it expires.
    Hold,
    /// An order's hard reservation, until released or committed.
    Reservation,
}

/// Where a hold or reservation stands.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClaimStatusOut {
    /// It holds its units.
    Active,
    /// Given back.
    Released,
    /// Shipped: its units left on hand.
    Committed,
    /// A hold past its time.
    Expired,
}

/// Units of one SKU claimed at a node, or over the network (no node).
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct LineOut {
    /// SKU id.
    pub sku: String,
    /// Node id; absent: network level.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// Units.
    pub quantity: u32,
}

/// A hold or a reservation.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ClaimOut {
    /// Its id (the request id that made it).
    pub id: String,
    /// Hold or reservation.
    pub kind: ClaimKindOut,
    /// The order it is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
    /// The sales channel asking (absent: the default channel).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// When it was made (UTC).
    pub created: NaiveDateTime,
    /// When a hold expires (UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<NaiveDateTime>,
    /// Where it stands.
    pub status: ClaimStatusOut,
    /// What it claims.
    pub lines: Vec<LineOut>,
}

impl From<Claim> for ClaimOut {
    fn from(c: Claim) -> Self {
        ClaimOut {
            id: c.id,
            kind: match c.kind {
                ClaimKind::Hold => ClaimKindOut::Hold,
                ClaimKind::Reservation => ClaimKindOut::Reservation,
            },
            order: c.order,
            channel: c.channel,
            created: c.created,
            expires: c.expires,
            status: match c.status {
                ClaimStatus::Active => ClaimStatusOut::Active,
                ClaimStatus::Released => ClaimStatusOut::Released,
                ClaimStatus::Committed => ClaimStatusOut::Committed,
                ClaimStatus::Expired => ClaimStatusOut::Expired,
            },
            lines: c
                .lines
                .into_iter()
                .map(|l| LineOut {
                    sku: l.sku,
                    node: l.node,
                    quantity: l.quantity,
                })
                .collect(),
        }
    }
}

/// One (node, SKU) of the ledger.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct StockOut {
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
    /// When the inbound units arrive (absent: they count now).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inbound_date: Option<NaiveDate>,
    /// Units of active node-level holds.
    pub held: i64,
    /// Units of active node-level reservations.
    pub reserved: i64,
    /// Units committed (shipped) so far.
    pub committed: i64,
}

impl From<StockRow> for StockOut {
    fn from(r: StockRow) -> Self {
        StockOut {
            node: r.node,
            sku: r.sku,
            on_hand: r.on_hand,
            safety: r.safety,
            inbound: r.inbound,
            inbound_date: r.inbound_date,
            held: r.held,
            reserved: r.reserved,
            committed: r.committed,
        }
    }
}

/// What a granted ledger change answers.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct LedgerAnswer {
    /// The request id.
    pub request: String,
    /// The sequence number of the request's last event (the ledger's
    /// version after it).
    pub seq: i64,
    /// The hold or reservation it made or changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim: Option<ClaimOut>,
    /// The stock row it changed (receipts, adjustments).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stock: Option<StockOut>,
    /// True when this is the stored answer of an earlier identical request
    /// (nothing was applied again).
    pub replayed: bool,
}

impl From<Answer> for LedgerAnswer {
    fn from(a: Answer) -> Self {
        LedgerAnswer {
            request: a.request,
            seq: a.seq,
            claim: a.claim.map(ClaimOut::from),
            stock: a.stock.map(StockOut::from),
            replayed: a.replayed,
        }
    }
}

/// `GET /v1/ledger/availability` query: `?sku=..&channel=..`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LedgerQuery {
    /// The SKU.
    pub sku: String,
    /// The channel asking (absent: the default).
    #[serde(default)]
    pub channel: Option<String>,
}

/// One node's availability in the ledger.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct NodeAvailabilityOut {
    /// Node id.
    pub node: String,
    /// On hand.
    pub on_hand: i64,
    /// Safety stock.
    pub safety: i64,
    /// Inbound arrived by now.
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

/// Availability of one SKU in the ledger, per node and over the network.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct LedgerAvailabilityOut {
    /// SKU id.
    pub sku: String,
    /// As of this time (UTC).
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
    pub nodes: Vec<NodeAvailabilityOut>,
}

impl From<LedgerAvailability> for LedgerAvailabilityOut {
    fn from(a: LedgerAvailability) -> Self {
        LedgerAvailabilityOut {
            sku: a.sku,
            at: a.at,
            channel: a.channel,
            network_claimed: a.network_claimed,
            network_available: a.network_available,
            share_left: a.share_left,
            nodes: a
                .nodes
                .into_iter()
                .map(|n| NodeAvailabilityOut {
                    node: n.node,
                    on_hand: n.on_hand,
                    safety: n.safety,
                    inbound_arrived: n.inbound_arrived,
                    held: n.held,
                    reserved: n.reserved,
                    committed: n.committed,
                    free: n.free,
                    available: n.available,
                })
                .collect(),
        }
    }
}

/// What `GET /v1/ledger/verify` found: the history replayed and compared
/// with the stored state.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct VerifyOut {
    /// The state reconciles with its history and keeps the invariant.
    pub ok: bool,
    /// Events replayed.
    pub events: i64,
    /// Stock rows compared.
    pub stock_rows: usize,
    /// Claims compared.
    pub claims: usize,
    /// Where the stored state and the replay differ.
    pub differences: Vec<String>,
    /// Rows where the invariant does not hold now.
    pub invariant_breaches: Vec<String>,
}

impl From<VerifyReport> for VerifyOut {
    fn from(r: VerifyReport) -> Self {
        VerifyOut {
            ok: r.ok(),
            events: r.events,
            stock_rows: r.stock_rows,
            claims: r.claims,
            differences: r.differences,
            invariant_breaches: r.invariant_breaches,
        }
    }
}

/// The body of `/v1/solve`: a wave of orders (as in a scenario file's
/// `orders`, lines inline) to source on the ledger's stock.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SolveBody {
    /// The wave's orders.
    pub orders: Vec<crate::input::format::OrderRecord>,
    /// Commit the plan to the ledger as node-level reservations, in one
    /// transaction, all or nothing.
    #[serde(default)]
    pub commit: bool,
    /// Solves after the first when the stock changed before the commit.
    #[serde(default = "default_retries")]
    pub retries: u32,
    /// Strategy (default `auto`), as for `domopt solve --strategy`.
    #[serde(default)]
    pub strategy: Option<String>,
    /// Solver time limit in seconds (at most 60; default 10).
    #[serde(default = "default_time_limit")]
    pub time_limit_s: f64,
}

fn default_retries() -> u32 {
    3
}

fn default_time_limit() -> f64 {
    10.0
}

/// The answer of `/v1/solve`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct SolveOut {
    /// The plan, as `domopt solve --json` prints it (see docs/format.md).
    pub plan: serde_json::Value,
    /// The ledger version the stock was read at.
    pub read_at: i64,
    /// Solves made (more than one when the stock changed before a commit).
    pub attempts: u32,
    /// What the commit wrote, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub committed: Option<WaveCommitOut>,
}

/// What a wave's commit wrote.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct WaveCommitOut {
    /// Holds and reservations of the wave's orders released (re-sourced).
    pub released: Vec<String>,
    /// Network-level reservations assigned to the plan's nodes.
    pub assigned: Vec<String>,
    /// New node-level reservations, `wave-SEQ:ORDER`.
    pub reserved: Vec<String>,
    /// The ledger version after the commit.
    pub seq: i64,
}

/// The body of `/v1/reroute`: a plan of the server's scenario (as
/// `domopt solve --json` prints it) and what happened since.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RerouteBody {
    /// The plan to re-make.
    pub plan: serde_json::Value,
    /// The shipment states and the events (see docs/format.md, "Re-plan
    /// events").
    pub events: crate::reroute::EventsFile,
    /// Re-plan the touched orders one at a time (the rule-cascade
    /// baseline) instead of jointly.
    #[serde(default)]
    pub one_at_a_time: bool,
    /// Commit the re-plan to the server's ledger (the plan must have been
    /// committed by `/v1/solve` or `solve --ledger --commit`): the changed
    /// and cancelled orders' claims are released and their new packages
    /// reserved (`reroute-SEQ:ORDER`), all or nothing; not done when the
    /// checker refuses the new plan.
    #[serde(default)]
    pub commit: bool,
    /// Solver time limit in seconds (at most 60; default 10).
    #[serde(default = "default_time_limit")]
    pub time_limit_s: f64,
}

/// The answer of `/v1/reroute`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct RerouteOut {
    /// The new plan (of what is left to ship), as `domopt solve --json`
    /// prints a plan.
    pub plan: serde_json::Value,
    /// Per order re-planned or cancelled: what changed and why, its
    /// packages before and after, the packages moved with their penalty,
    /// and its cost before and after (as `domopt reroute --json` prints).
    pub orders: serde_json::Value,
    /// Orders touched, coupled, kept and cancelled; packages moved and the
    /// stability cost; costs before and after; the re-plan's objective,
    /// bound and status.
    pub summary: serde_json::Value,
    /// The independent checker's report on the new plan, against the
    /// scenario with the events applied (picked packages verified unmoved).
    pub check: serde_json::Value,
    /// With `commit`: what was written to the ledger (absent when the
    /// checker refused the plan, which is then not committed).
    pub committed: Option<WaveCommitOut>,
}

/// The body of `/v1/explain`: a plan of the server's scenario and the order
/// to explain.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExplainBody {
    /// The plan (as `domopt solve --json` prints it).
    pub plan: serde_json::Value,
    /// The order to explain.
    pub order: String,
    /// Nodes to force the order onto (at least one package from each), one
    /// what-if each.
    #[serde(default)]
    pub force: Vec<String>,
    /// Nodes to keep the order away from, one what-if each.
    #[serde(default)]
    pub forbid: Vec<String>,
    /// Re-solve every order of the wave in the what-ifs (exact, slow on a
    /// large wave) instead of the order and its competitors.
    #[serde(default)]
    pub whole_wave: bool,
    /// Solver time limit in seconds for each re-solve (at most 60; default 10).
    #[serde(default = "default_time_limit")]
    pub time_limit_s: f64,
}

/// The answer of `/v1/explain`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ExplainOut {
    /// The explanation as `domopt explain --json` prints it: the order's
    /// packages and cost, every alternative with its cost and what it
    /// would displace, the binding rows with their shadow prices, the
    /// neighbourhood, the baseline re-solve and the what-ifs.
    pub explanation: serde_json::Value,
    /// The same in sentences, as `domopt explain` prints it.
    pub sentences: String,
}
