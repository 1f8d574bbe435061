//! The ledger's rules, written once over a back end's transaction
//! ([`Store`]): an operation loads the rows it needs into a partial
//! [`State`], checks the request, emits its events, folds them into the
//! state with the same fold a replay uses, checks the invariant on what it
//! changed and writes the changed rows back. A back end runs
//! [`execute`] inside one serialised transaction and commits only on `Ok`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use rustc_hash::FxHashMap;

use crate::input::validate::limits::{MAX_DAYS, MAX_LINES_PER_ORDER, MAX_UNITS};
use crate::network::domain::{ChannelIdx, NodeIdx, Scenario, SkuIdx};

use super::allocation::{Allocation, ChannelClaims, NodeStock};
use super::{
    Adjustment, Answer, ChannelRow, Claim, ClaimKind, ClaimLine, ClaimStatus, Event, Guard,
    LedgerAvailability, LedgerError, NetRow, NodeAvailability, Request, State, StockRow,
};

/// A back end's open transaction: reads and writes of the stored state, the
/// event history and the answers of past requests.
pub trait Store {
    /// The content and answer of an earlier request with this id.
    fn stored_request(&mut self, id: &str) -> Result<Option<(String, String)>, LedgerError>;
    /// Records a request's content and answer.
    fn put_request(&mut self, id: &str, content: &str, answer: &str) -> Result<(), LedgerError>;
    /// Every stock row of a SKU.
    fn stock_of(&mut self, sku: &str) -> Result<Vec<StockRow>, LedgerError>;
    /// The network row of a SKU.
    fn network_of(&mut self, sku: &str) -> Result<Option<NetRow>, LedgerError>;
    /// The named channels' rows of a SKU.
    fn channels_of(&mut self, sku: &str) -> Result<Vec<ChannelRow>, LedgerError>;
    /// A claim by id.
    fn claim(&mut self, id: &str) -> Result<Option<Claim>, LedgerError>;
    /// The active reservations of an order.
    fn active_claims_of_order(&mut self, order: &str) -> Result<Vec<Claim>, LedgerError>;
    /// Ids of the active holds that expire at or before `now`.
    fn due_holds(&mut self, now: NaiveDateTime) -> Result<Vec<String>, LedgerError>;
    /// Appends an event; its sequence number.
    fn append(&mut self, request: &str, at: NaiveDateTime, e: &Event) -> Result<i64, LedgerError>;
    /// Writes a stock row.
    fn put_stock(&mut self, row: &StockRow) -> Result<(), LedgerError>;
    /// Writes a network row.
    fn put_network(&mut self, row: &NetRow) -> Result<(), LedgerError>;
    /// Writes a channel row.
    fn put_channel(&mut self, row: &ChannelRow) -> Result<(), LedgerError>;
    /// Writes a claim.
    fn put_claim(&mut self, claim: &Claim) -> Result<(), LedgerError>;
    /// The events after sequence number `seq`, in order, with their numbers.
    fn events_after(&mut self, seq: i64) -> Result<Vec<(i64, Event)>, LedgerError>;
}

/// The stored rows of `sku` (stock, network, channels): what its
/// availability reads.
pub fn sku_state<S: Store>(store: &mut S, sku: &str) -> Result<State, LedgerError> {
    let mut state = State::default();
    for row in store.stock_of(sku)? {
        state.stock.insert((row.node.clone(), row.sku.clone()), row);
    }
    if let Some(n) = store.network_of(sku)? {
        state.network.insert(sku.to_string(), n);
    }
    for row in store.channels_of(sku)? {
        state.channels.insert(row.key(), row);
    }
    Ok(state)
}

/// What the ledger knows of the network: the scenario it was made from,
/// without orders (ids, which nodes ship to customers, channel rules).
#[derive(Debug, Clone)]
pub struct Base {
    scenario: Scenario,
    /// Node and SKU indices by id: a request looks up every row it reads.
    nodes: FxHashMap<String, NodeIdx>,
    skus: FxHashMap<String, SkuIdx>,
}

impl Base {
    /// The base of a validated scenario.
    pub fn new(mut scenario: Scenario) -> Self {
        scenario.orders.clear();
        let nodes = NodeIdx::all(scenario.nodes.len())
            .map(|n| (scenario.nodes[n].id.clone(), n))
            .collect();
        let skus = (0..scenario.skus.len())
            .map(|k| (scenario.skus[k].id.clone(), SkuIdx::new(k)))
            .collect();
        Base {
            scenario,
            nodes,
            skus,
        }
    }

    /// The scenario.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    fn node(&self, id: &str) -> Result<NodeIdx, LedgerError> {
        self.nodes.get(id).copied().ok_or(LedgerError::UnknownId {
            what: "node",
            id: id.into(),
        })
    }

    fn sku(&self, id: &str) -> Result<SkuIdx, LedgerError> {
        self.skus.get(id).copied().ok_or(LedgerError::UnknownId {
            what: "SKU",
            id: id.into(),
        })
    }

    fn channel(&self, id: Option<&str>) -> Result<Option<ChannelIdx>, LedgerError> {
        id.map(|c| {
            self.scenario
                .channel_index(c)
                .ok_or_else(|| LedgerError::UnknownChannel(c.into()))
        })
        .transpose()
    }

    /// Whether network-level claims may be served from `node` (it ships to
    /// customers), as the network figures of available-to-promise count it.
    pub(super) fn counts(&self, node: &str) -> bool {
        self.nodes
            .get(node)
            .is_some_and(|&n| self.scenario.nodes[n].capabilities.ship_to_home)
    }

    /// Availability of `sku` in `state` for `channel` at `now`: per node
    /// and over the network, what a request of the channel may get under
    /// the channel rules of `ledger::allocation` (buffers filled by their
    /// channel's claims, network claims kept covered, network shares).
    pub fn availability(
        &self,
        state: &State,
        sku: &str,
        channel: Option<&str>,
        now: NaiveDateTime,
    ) -> Result<LedgerAvailability, LedgerError> {
        let slot = self.channel_slot(channel)?;
        let date = now.date();
        let (rows, alloc) = self.allocation(state, sku, date)?;
        let nodes = rows
            .iter()
            .zip(alloc.nodes_available(slot))
            .map(|(r, available)| node_line(r, date, available.max(0) as u64))
            .collect();
        Ok(LedgerAvailability {
            sku: sku.into(),
            at: now,
            channel: channel.map(String::from),
            network_claimed: alloc.network_claimed(),
            network_available: alloc.network_available(slot).max(0) as u64,
            share_left: alloc.share_left(slot).map(|v| v.max(0) as u64),
            nodes,
        })
    }

    /// The number of `channel` in an [`Allocation`] (the default channel's
    /// is the last).
    pub(super) fn channel_slot(&self, channel: Option<&str>) -> Result<usize, LedgerError> {
        Ok(self
            .channel(channel)?
            .map_or(self.scenario.channels.len(), ChannelIdx::index))
    }

    /// The stock rows of `sku` in `state` (in node order) and how the
    /// channels may claim them on `date`.
    pub(super) fn allocation<'s>(
        &self,
        state: &'s State,
        sku: &str,
        date: NaiveDate,
    ) -> Result<(Vec<&'s StockRow>, Allocation), LedgerError> {
        self.sku(sku)?;
        let rows: Vec<&StockRow> = state.stock.values().filter(|r| r.sku == sku).collect();
        let nodes = rows
            .iter()
            .map(|r| {
                Ok(NodeStock {
                    node: self.node(&r.node)?,
                    free: r.free(date),
                    counts: self.counts(&r.node),
                })
            })
            .collect::<Result<Vec<_>, LedgerError>>()?;
        let mut claims = Vec::new();
        for r in state.channels.values().filter(|r| r.sku == sku) {
            // Requests name known channels, so every stored one is known;
            // an unknown one is skipped rather than failing reads.
            let Some(c) = self.scenario.channel_index(&r.channel) else {
                continue;
            };
            let node = r.node.as_deref().map(|n| self.node(n)).transpose()?;
            claims.push(ChannelClaims {
                channel: c.index(),
                node,
                units: r.claimed(),
            });
        }
        let network = state.network.get(sku).map_or(0, |n| n.held + n.reserved);
        Ok((rows, Allocation::new(&self.scenario, &nodes, &claims, network)))
    }

    /// Where the invariant does not hold for `sku` on `date`.
    pub fn breaches(&self, state: &State, sku: &str, date: NaiveDate) -> Vec<Breach> {
        let mut out = Vec::new();
        let mut network_free = 0i64;
        for r in state.stock.values().filter(|r| r.sku == sku) {
            // A count below safety stock with nothing claimed is no breach.
            if r.held + r.reserved > r.usable(date).max(0) {
                out.push(Breach {
                    sku: sku.into(),
                    node: Some(r.node.clone()),
                    claimed: r.held + r.reserved,
                    usable: r.usable(date),
                });
            }
            if self.counts(&r.node) {
                network_free += r.free(date).max(0);
            }
        }
        if let Some(n) = state.network.get(sku)
            && n.held + n.reserved > network_free
        {
            out.push(Breach {
                sku: sku.into(),
                node: None,
                claimed: n.held + n.reserved,
                usable: network_free,
            });
        }
        out
    }
}

/// A row where held and reserved units exceed what may be claimed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breach {
    /// SKU id.
    pub sku: String,
    /// The node; none: the network.
    pub node: Option<String>,
    /// Units held and reserved.
    pub claimed: i64,
    /// Units that may be claimed (at a node: on hand less safety stock
    /// plus inbound arrived; over the network: the nodes' free units).
    pub usable: i64,
}

impl std::fmt::Display for Breach {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = self.node.as_deref().unwrap_or("network");
        write!(
            f,
            "{at} / {}: {} held and reserved, {} usable",
            self.sku, self.claimed, self.usable
        )
    }
}

impl From<Breach> for LedgerError {
    fn from(b: Breach) -> Self {
        LedgerError::Insufficient {
            sku: b.sku,
            node: b.node,
            requested: b.claimed.max(0) as u64,
            available: b.usable.max(0) as u64,
        }
    }
}

fn node_line(r: &StockRow, date: NaiveDate, available: u64) -> NodeAvailability {
    NodeAvailability {
        node: r.node.clone(),
        on_hand: r.on_hand,
        safety: r.safety,
        inbound_arrived: r.arrived(date),
        held: r.held,
        reserved: r.reserved,
        committed: r.committed,
        free: r.free(date),
        available,
    }
}

/// Runs `request` at `now` on the store: the stored answer of an identical
/// earlier request, or the request applied (holds past their time expired
/// first). On an error the caller must roll back.
pub fn execute<S: Store>(
    store: &mut S,
    base: &Base,
    request: &Request,
    now: NaiveDateTime,
) -> Result<Answer, LedgerError> {
    check_texts(request)?;
    let content = serde_json::to_string(request)?;
    if let Some((stored, answer)) = store.stored_request(request.id())? {
        if stored != content {
            return Err(LedgerError::IdempotencyConflict(request.id().into()));
        }
        let mut answer: Answer = serde_json::from_str(&answer)?;
        answer.replayed = true;
        return Ok(answer);
    }
    let mut op = Session::new(store, base, request.id(), now);
    op.expire_due()?;
    let answer = op.apply(request)?;
    op.flush()?;
    store.put_request(request.id(), &content, &serde_json::to_string(&answer)?)?;
    Ok(answer)
}

/// Runs `requests` in order as one operation: every answer, or the first
/// refusal (the caller then rolls back, so nothing of the batch is
/// written). With a `guard`, the batch is refused first (E150) when an
/// event after the guard's version touched one of its SKUs.
pub fn execute_all<S: Store>(
    store: &mut S,
    base: &Base,
    requests: &[Request],
    guard: Option<&Guard>,
    now: NaiveDateTime,
) -> Result<Vec<Answer>, LedgerError> {
    if let Some(g) = guard {
        check_unchanged(store, g)?;
    }
    requests
        .iter()
        .map(|r| execute(store, base, r, now))
        .collect()
}

/// Refuses when an event after `guard.seq` touched one of `guard.skus`.
fn check_unchanged<S: Store>(store: &mut S, guard: &Guard) -> Result<(), LedgerError> {
    let mut changed = BTreeSet::new();
    let mut last = guard.seq;
    for (seq, e) in store.events_after(guard.seq)? {
        last = seq;
        for sku in skus_touched(store, &e)? {
            if guard.skus.contains(&sku) {
                changed.insert(sku);
            }
        }
    }
    if changed.is_empty() {
        return Ok(());
    }
    Err(LedgerError::Changed {
        seq: guard.seq,
        now: last,
        skus: changed.into_iter().collect::<Vec<_>>().join(", "),
    })
}

/// The SKUs an event changes the availability of.
fn skus_touched<S: Store>(store: &mut S, e: &Event) -> Result<Vec<String>, LedgerError> {
    let lines = |lines: &[ClaimLine]| lines.iter().map(|l| l.sku.clone()).collect();
    Ok(match e {
        Event::Stocked { sku, .. } | Event::Received { sku, .. } | Event::Adjusted { sku, .. } => {
            vec![sku.clone()]
        }
        Event::Claimed { claim } => lines(&claim.lines),
        Event::Assigned { lines: l, .. } => lines(l),
        Event::Released { claim } | Event::Committed { claim } | Event::Expired { claim } => {
            store.claim(claim)?.map_or_else(Vec::new, |c| lines(&c.lines))
        }
    })
}

/// Expires the holds past their time at `now`; their ids.
pub fn expire<S: Store>(
    store: &mut S,
    base: &Base,
    now: NaiveDateTime,
) -> Result<Vec<String>, LedgerError> {
    let request = format!("expire@{}", now.format("%Y-%m-%dT%H:%M:%S%.f"));
    let mut op = Session::new(store, base, &request, now);
    let ids = op.expire_due()?;
    op.flush()?;
    Ok(ids)
}

/// Loads the stock of `rows` into events that start a ledger: one
/// `Stocked` per row, and a node-level reservation `initial:NODE:SKU` for
/// units the scenario already counts as reserved.
pub fn initial_events(rows: &[crate::input::format::InventoryRecord], now: NaiveDateTime) -> Vec<Event> {
    let mut out = Vec::new();
    for r in rows {
        // Validation made every quantity a whole number within MAX_UNITS.
        let units = |v: Option<f64>| v.unwrap_or(0.0) as i64;
        out.push(Event::Stocked {
            node: r.node.clone(),
            sku: r.sku.clone(),
            on_hand: units(Some(r.on_hand)),
            safety: units(r.safety_stock),
            inbound: units(r.inbound_quantity),
            inbound_date: r
                .inbound_date
                .as_deref()
                .and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok()),
        });
        let reserved = units(r.reserved);
        if reserved > 0 {
            out.push(Event::Claimed {
                claim: Claim {
                    id: format!("initial:{}:{}", r.node, r.sku),
                    kind: ClaimKind::Reservation,
                    order: None,
                    channel: None,
                    created: now,
                    expires: None,
                    status: ClaimStatus::Active,
                    lines: vec![ClaimLine {
                        sku: r.sku.clone(),
                        node: Some(r.node.clone()),
                        quantity: reserved as u32,
                    }],
                },
            });
        }
    }
    out
}

/// One operation: the partial state it loaded and the events it emitted.
struct Session<'a, S: Store> {
    store: &'a mut S,
    base: &'a Base,
    request: &'a str,
    now: NaiveDateTime,
    state: State,
    loaded: BTreeSet<String>,
    seq: i64,
}

impl<'a, S: Store> Session<'a, S> {
    fn new(store: &'a mut S, base: &'a Base, request: &'a str, now: NaiveDateTime) -> Self {
        Session {
            store,
            base,
            request,
            now,
            state: State::default(),
            loaded: BTreeSet::new(),
            seq: 0,
        }
    }

    /// Loads every row of `sku`, once.
    fn load_sku(&mut self, sku: &str) -> Result<(), LedgerError> {
        if !self.loaded.insert(sku.to_string()) {
            return Ok(());
        }
        let rows = sku_state(self.store, sku)?;
        self.state.stock.extend(rows.stock);
        self.state.network.extend(rows.network);
        self.state.channels.extend(rows.channels);
        Ok(())
    }

    /// Loads a claim and the rows of its SKUs.
    fn load_claim(&mut self, id: &str) -> Result<Option<Claim>, LedgerError> {
        if !self.state.claims.contains_key(id) {
            let Some(c) = self.store.claim(id)? else {
                return Ok(None);
            };
            self.state.claims.insert(id.to_string(), c);
        }
        let claim = self.state.claims[id].clone();
        for l in &claim.lines {
            self.load_sku(&l.sku)?;
        }
        Ok(Some(claim))
    }

    /// Folds an event into the state and appends it to the history.
    fn emit(&mut self, e: Event) -> Result<(), LedgerError> {
        self.state.apply(&e);
        self.seq = self.store.append(self.request, self.now, &e)?;
        Ok(())
    }

    /// Writes back the rows the events changed.
    fn flush(&mut self) -> Result<(), LedgerError> {
        let dirty = self.state.take_dirty();
        for key in &dirty.stock {
            self.store.put_stock(&self.state.stock[key])?;
        }
        for sku in &dirty.network {
            self.store.put_network(&self.state.network[sku])?;
        }
        for id in &dirty.claims {
            self.store.put_claim(&self.state.claims[id])?;
        }
        for key in &dirty.channels {
            self.store.put_channel(&self.state.channels[key])?;
        }
        Ok(())
    }

    fn expire_due(&mut self) -> Result<Vec<String>, LedgerError> {
        let due = self.store.due_holds(self.now)?;
        for id in &due {
            self.load_claim(id)?;
            self.emit(Event::Expired { claim: id.clone() })?;
        }
        Ok(due)
    }

    fn apply(&mut self, request: &Request) -> Result<Answer, LedgerError> {
        match request {
            Request::Hold {
                id,
                order,
                channel,
                ttl_seconds,
                lines,
            } => {
                if *ttl_seconds == 0 || *ttl_seconds > MAX_DAYS * 86_400 {
                    return Err(LedgerError::quantity(
                        "ttl_seconds",
                        format!("{ttl_seconds}: from 1 to {} seconds", MAX_DAYS * 86_400),
                    ));
                }
                let expires = self.now + TimeDelta::seconds(i64::from(*ttl_seconds));
                let claim = self.new_claim(id, ClaimKind::Hold, order, channel, lines, Some(expires))?;
                self.grant(claim)
            }
            Request::Reserve {
                id,
                order,
                channel,
                from_hold,
                lines,
            } => {
                let claim = self.new_claim(id, ClaimKind::Reservation, order, channel, lines, None)?;
                if let Some(hold) = from_hold {
                    self.release_hold_for(hold)?;
                }
                self.grant(claim)
            }
            Request::Assign { order, lines, .. } => self.assign(order, lines),
            Request::Release { claim, .. } => {
                let c = self.active_claim(claim, "released")?;
                self.emit(Event::Released { claim: c.id.clone() })?;
                self.claim_answer(&c.id)
            }
            Request::Commit { claim, .. } => self.commit(claim),
            Request::Receive {
                node, sku, units, ..
            } => self.receive(node, sku, *units),
            Request::Adjust {
                node, sku, change, ..
            } => self.adjust(node, sku, *change),
        }
    }

    /// A new claim, checked (ids, channel, quantities) but not yet granted.
    fn new_claim(
        &mut self,
        id: &str,
        kind: ClaimKind,
        order: &Option<String>,
        channel: &Option<String>,
        lines: &[ClaimLine],
        expires: Option<NaiveDateTime>,
    ) -> Result<Claim, LedgerError> {
        check_lines(self.base, lines)?;
        self.base.channel(channel.as_deref())?;
        if self.load_claim(id)?.is_some() {
            return Err(LedgerError::IdempotencyConflict(id.into()));
        }
        Ok(Claim {
            id: id.into(),
            kind,
            order: order.clone(),
            channel: channel.clone(),
            created: self.now,
            expires,
            status: ClaimStatus::Active,
            lines: lines.to_vec(),
        })
    }

    /// Releases the hold a reservation replaces.
    fn release_hold_for(&mut self, hold: &str) -> Result<(), LedgerError> {
        let c = self.active_claim(hold, "reserved")?;
        if c.kind != ClaimKind::Hold {
            return Err(LedgerError::Mismatch(format!(
                "`{hold}` is a reservation, not a hold"
            )));
        }
        self.emit(Event::Released { claim: c.id })
    }

    /// The claim `id`, active, or why not (`action`: what was asked).
    fn active_claim(&mut self, id: &str, action: &'static str) -> Result<Claim, LedgerError> {
        let c = self
            .load_claim(id)?
            .ok_or_else(|| LedgerError::UnknownClaim(id.into()))?;
        match c.status {
            ClaimStatus::Active => Ok(c),
            ClaimStatus::Expired => Err(LedgerError::Expired(id.into())),
            s => Err(LedgerError::NotActive {
                id: id.into(),
                status: s.as_str(),
                action,
            }),
        }
    }

    /// Grants a claim in full if its channel's availability covers it.
    fn grant(&mut self, claim: Claim) -> Result<Answer, LedgerError> {
        let mut before = BTreeMap::new();
        for sku in skus_of(&claim.lines) {
            self.load_sku(&sku)?;
            let available = self.check_available(&claim, &sku)?;
            before.insert(sku.clone(), (self.slack(&sku)?, available));
        }
        let id = claim.id.clone();
        let lines = claim.lines.clone();
        self.emit(Event::Claimed { claim })?;
        self.check_invariant()?;
        self.check_coverage(&before, &lines)?;
        self.claim_answer(&id)
    }

    /// Whether the claim's lines of `sku` fit what the channel may get; what
    /// a network-level request of the channel could get.
    fn check_available(&self, claim: &Claim, sku: &str) -> Result<u64, LedgerError> {
        let av = self
            .base
            .availability(&self.state, sku, claim.channel.as_deref(), self.now)?;
        let mut at_nodes: BTreeMap<&str, u64> = BTreeMap::new();
        let mut network = 0u64;
        for l in claim.lines.iter().filter(|l| l.sku == sku) {
            match &l.node {
                Some(n) => *at_nodes.entry(n).or_default() += u64::from(l.quantity),
                None => network += u64::from(l.quantity),
            }
        }
        let mut from_counted = 0u64;
        for (node, &q) in &at_nodes {
            let available = av.nodes.iter().find(|n| n.node == *node).map_or(0, |n| n.available);
            if q > available {
                return Err(insufficient(sku, Some(node), q, available));
            }
            if self.base.counts(node) {
                from_counted += q;
            }
        }
        if let Some(left) = av.share_left
            && from_counted + network > left
        {
            return Err(insufficient(sku, None, from_counted + network, left));
        }
        let left = av.network_available.saturating_sub(from_counted);
        if network > left {
            return Err(insufficient(sku, None, network, left));
        }
        Ok(av.network_available)
    }

    /// How far the network-level claims of `sku` are from needing stock
    /// their channels may not use (see `Allocation::slack`).
    fn slack(&self, sku: &str) -> Result<i64, LedgerError> {
        Ok(self.base.allocation(&self.state, sku, self.now.date())?.1.slack())
    }

    /// Refuses a grant or an assignment that left network-level claims
    /// needing stock their channels may not use (or short by more than
    /// before): `before` holds each SKU's slack before and what to report
    /// as available.
    fn check_coverage(&self, before: &BTreeMap<String, (i64, u64)>, lines: &[ClaimLine]) -> Result<(), LedgerError> {
        for (sku, &(slack, available)) in before {
            if self.slack(sku)? < slack.min(0) {
                let units = lines.iter().filter(|l| &l.sku == sku).map(|l| u64::from(l.quantity)).sum();
                return Err(insufficient(sku, None, units, available));
            }
        }
        Ok(())
    }

    /// Refuses the operation if a changed row breaks the invariant (the
    /// checks before the events should prevent it; this is the guard).
    fn check_invariant(&self) -> Result<(), LedgerError> {
        let dirty = &self.state.dirty;
        let skus: BTreeSet<&String> = dirty
            .stock
            .iter()
            .map(|(_, k)| k)
            .chain(&dirty.network)
            .collect();
        for sku in skus {
            if let Some(b) = self.base.breaches(&self.state, sku, self.now.date()).into_iter().next() {
                return Err(b.into());
            }
        }
        Ok(())
    }

    fn assign(&mut self, order: &str, lines: &[ClaimLine]) -> Result<Answer, LedgerError> {
        check_lines(self.base, lines)?;
        if let Some(l) = lines.iter().find(|l| l.node.is_none()) {
            return Err(LedgerError::Mismatch(format!(
                "assignment line of {} names no node",
                l.sku
            )));
        }
        let claims: Vec<Claim> = self
            .store
            .active_claims_of_order(order)?
            .into_iter()
            .filter(|c| c.kind == ClaimKind::Reservation && c.lines.iter().any(|l| l.node.is_none()))
            .collect();
        if claims.is_empty() {
            return Err(LedgerError::Mismatch(format!(
                "order `{order}` has no network-level reservation to assign"
            )));
        }
        let mut pool = pool_of(lines);
        let wanted = network_units(&claims);
        let given: BTreeMap<String, u64> = pool
            .iter()
            .map(|(sku, v)| (sku.clone(), v.iter().map(|(_, q)| *q).sum()))
            .collect();
        if wanted != given {
            return Err(LedgerError::Mismatch(format!(
                "the assignment gives {given:?} units per SKU, the order's network reservations hold {wanted:?}"
            )));
        }
        let mut before = BTreeMap::new();
        for sku in wanted.keys() {
            self.load_sku(sku)?;
            let slack = self.slack(sku)?;
            before.insert(sku.clone(), (slack, slack.max(0) as u64));
        }
        let mut last = String::new();
        for c in claims {
            self.load_claim(&c.id)?;
            let new_lines = take_from_pool(&c.lines, &mut pool);
            self.check_assignable(&c, &new_lines)?;
            last = c.id.clone();
            self.emit(Event::Assigned {
                claim: c.id,
                lines: new_lines,
            })?;
        }
        self.check_invariant()?;
        self.check_coverage(&before, lines)?;
        self.claim_answer(&last)
    }

    /// Whether each node of an assignment lets the claim's channel have the
    /// units: free and not kept by another channel's buffer (the channel's
    /// network share was applied when its network units were reserved, and
    /// moving them to a node leaves its claims as they were).
    fn check_assignable(&self, c: &Claim, new_lines: &[ClaimLine]) -> Result<(), LedgerError> {
        let slot = self.base.channel_slot(c.channel.as_deref())?;
        let mut moved: BTreeMap<(&str, &str), u64> = BTreeMap::new();
        for l in new_lines.iter().filter(|l| !c.lines.contains(l)) {
            let node = l.node.as_deref().unwrap_or_default();
            *moved.entry((&l.sku, node)).or_default() += u64::from(l.quantity);
        }
        for ((sku, node), q) in moved {
            let (rows, alloc) = self.base.allocation(&self.state, sku, self.now.date())?;
            let view = rows
                .iter()
                .position(|r| r.node == node)
                .map_or(0, |i| alloc.view(i, slot).max(0) as u64);
            if q > view {
                return Err(insufficient(sku, Some(node), q, view));
            }
        }
        Ok(())
    }

    fn commit(&mut self, id: &str) -> Result<Answer, LedgerError> {
        let c = self.active_claim(id, "committed")?;
        if c.kind == ClaimKind::Hold {
            return Err(LedgerError::Mismatch(format!(
                "`{id}` is a hold: reserve it before committing"
            )));
        }
        if c.lines.iter().any(|l| l.node.is_none()) {
            return Err(LedgerError::Mismatch(format!(
                "`{id}` has units not yet assigned to a node"
            )));
        }
        // Shipping takes the units off on hand: they must be there (not
        // only inbound counted as arrived).
        let mut shipped: BTreeMap<(String, String), u64> = BTreeMap::new();
        for l in &c.lines {
            let key = (l.node.clone().unwrap_or_default(), l.sku.clone());
            *shipped.entry(key).or_default() += u64::from(l.quantity);
        }
        for ((node, sku), q) in shipped {
            let on_hand = self.row(&node, &sku).on_hand.max(0) as u64;
            if q > on_hand {
                return Err(insufficient(&sku, Some(&node), q, on_hand));
            }
        }
        self.emit(Event::Committed { claim: id.into() })?;
        self.claim_answer(id)
    }

    fn receive(&mut self, node: &str, sku: &str, units: u32) -> Result<Answer, LedgerError> {
        self.base.node(node)?;
        self.base.sku(sku)?;
        check_quantity("units", units)?;
        self.load_sku(sku)?;
        let row = self.row(node, sku);
        let on_hand = row.on_hand + i64::from(units);
        if on_hand > i64::from(MAX_UNITS) {
            return Err(LedgerError::quantity(
                "units",
                format!("on hand would be {on_hand}, above {MAX_UNITS}"),
            ));
        }
        let from_inbound = row.inbound.min(i64::from(units));
        self.emit(Event::Received {
            node: node.into(),
            sku: sku.into(),
            units: i64::from(units),
            from_inbound,
        })?;
        self.check_invariant()?;
        Ok(self.stock_answer(node, sku))
    }

    fn adjust(&mut self, node: &str, sku: &str, change: Adjustment) -> Result<Answer, LedgerError> {
        self.base.node(node)?;
        self.base.sku(sku)?;
        self.load_sku(sku)?;
        let before = self.row(node, sku).on_hand;
        let after = match change {
            Adjustment::Set(v) => i64::from(v),
            Adjustment::Delta(d) if d.unsigned_abs() <= u64::from(MAX_UNITS) => before + d,
            Adjustment::Delta(d) => {
                return Err(LedgerError::quantity("delta", format!("{d}: above {MAX_UNITS} units")));
            }
        };
        if !(0..=i64::from(MAX_UNITS)).contains(&after) {
            return Err(LedgerError::quantity(
                "on_hand",
                format!("the count would make on hand {after}: from 0 to {MAX_UNITS}"),
            ));
        }
        self.emit(Event::Adjusted {
            node: node.into(),
            sku: sku.into(),
            on_hand: after,
        })?;
        self.check_invariant()?;
        Ok(self.stock_answer(node, sku))
    }

    fn row(&self, node: &str, sku: &str) -> StockRow {
        self.state
            .stock
            .get(&(node.to_string(), sku.to_string()))
            .cloned()
            .unwrap_or_else(|| StockRow::empty(node, sku))
    }

    fn claim_answer(&self, id: &str) -> Result<Answer, LedgerError> {
        Ok(Answer {
            request: self.request.into(),
            seq: self.seq,
            claim: self.state.claims.get(id).cloned(),
            stock: None,
            replayed: false,
        })
    }

    fn stock_answer(&self, node: &str, sku: &str) -> Answer {
        Answer {
            request: self.request.into(),
            seq: self.seq,
            claim: None,
            stock: Some(self.row(node, sku)),
            replayed: false,
        }
    }
}

fn insufficient(sku: &str, node: Option<&str>, requested: u64, available: u64) -> LedgerError {
    LedgerError::Insufficient {
        sku: sku.into(),
        node: node.map(String::from),
        requested,
        available,
    }
}

fn check_quantity(field: &str, q: u32) -> Result<(), LedgerError> {
    if q == 0 {
        return Err(LedgerError::quantity(field, "0: at least 1 unit"));
    }
    if q > MAX_UNITS {
        return Err(LedgerError::quantity(field, format!("{q}: above {MAX_UNITS} units")));
    }
    Ok(())
}

/// The longest id a request may carry, in bytes of UTF-8 (PostgreSQL's
/// indexes take about 2,700 bytes a row: 512 leaves room for every key).
pub const MAX_ID_BYTES: usize = 512;

/// Every id of a request: not empty (but for optional ones, absent then),
/// at most [`MAX_ID_BYTES`], and without NUL, which PostgreSQL cannot store
/// in text (checked here so that both back ends refuse it alike, E100).
fn check_texts(request: &Request) -> Result<(), LedgerError> {
    let mut texts: Vec<(&'static str, &str)> = vec![("request id", request.id())];
    let mut lines: &[ClaimLine] = &[];
    match request {
        Request::Hold { order, channel, lines: l, .. } => {
            texts.extend(order.as_deref().map(|o| ("order", o)));
            texts.extend(channel.as_deref().map(|c| ("channel", c)));
            lines = l;
        }
        Request::Reserve { order, channel, from_hold, lines: l, .. } => {
            texts.extend(order.as_deref().map(|o| ("order", o)));
            texts.extend(channel.as_deref().map(|c| ("channel", c)));
            texts.extend(from_hold.as_deref().map(|h| ("hold", h)));
            lines = l;
        }
        Request::Assign { order, lines: l, .. } => {
            texts.push(("order", order));
            lines = l;
        }
        Request::Release { claim, .. } | Request::Commit { claim, .. } => texts.push(("claim", claim)),
        Request::Receive { node, sku, .. } | Request::Adjust { node, sku, .. } => {
            texts.extend([("node", node.as_str()), ("SKU", sku.as_str())]);
        }
    }
    for l in lines {
        texts.push(("SKU", &l.sku));
        texts.extend(l.node.as_deref().map(|n| ("node", n)));
    }
    for (field, text) in texts {
        check_id(field, text)?;
    }
    Ok(())
}

/// An id (of a request, claim, order, channel, node or SKU): not empty, at
/// most [`MAX_ID_BYTES`], without NUL; E100 otherwise. Reads check theirs
/// too, so that both back ends answer a bad id alike.
pub fn check_id(field: &'static str, text: &str) -> Result<(), LedgerError> {
    let detail = if text.is_empty() {
        "empty"
    } else if text.len() > MAX_ID_BYTES {
        "longer than 512 bytes"
    } else if text.contains('\0') {
        "holds a NUL character"
    } else {
        return Ok(());
    };
    let shown: String = text.chars().take(40).flat_map(char::escape_debug).collect();
    Err(LedgerError::BadText {
        field,
        shown,
        detail,
    })
}

/// Lines: some, not too many, known SKUs and nodes, quantities in range.
fn check_lines(base: &Base, lines: &[ClaimLine]) -> Result<(), LedgerError> {
    if lines.is_empty() {
        return Err(LedgerError::quantity("lines", "none: at least one line"));
    }
    if lines.len() > MAX_LINES_PER_ORDER {
        return Err(LedgerError::quantity(
            "lines",
            format!("{}: at most {MAX_LINES_PER_ORDER}", lines.len()),
        ));
    }
    for l in lines {
        base.sku(&l.sku)?;
        if let Some(n) = &l.node {
            base.node(n)?;
        }
        check_quantity(&format!("quantity of {}", l.sku), l.quantity)?;
    }
    Ok(())
}

fn skus_of(lines: &[ClaimLine]) -> BTreeSet<String> {
    lines.iter().map(|l| l.sku.clone()).collect()
}

/// Network-level units per SKU of the claims.
fn network_units(claims: &[Claim]) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for l in claims.iter().flat_map(|c| &c.lines).filter(|l| l.node.is_none()) {
        *out.entry(l.sku.clone()).or_default() += u64::from(l.quantity);
    }
    out
}

/// Per SKU, the (node, units) of an assignment, in the order given.
fn pool_of(lines: &[ClaimLine]) -> BTreeMap<String, Vec<(String, u64)>> {
    let mut out: BTreeMap<String, Vec<(String, u64)>> = BTreeMap::new();
    for l in lines {
        let node = l.node.clone().unwrap_or_default();
        out.entry(l.sku.clone())
            .or_default()
            .push((node, u64::from(l.quantity)));
    }
    out
}

/// A claim's lines with each network-level line replaced by node-level
/// lines taken from the pool (which covers them exactly).
fn take_from_pool(lines: &[ClaimLine], pool: &mut BTreeMap<String, Vec<(String, u64)>>) -> Vec<ClaimLine> {
    let mut out: Vec<ClaimLine> = lines.iter().filter(|l| l.node.is_some()).cloned().collect();
    for l in lines.iter().filter(|l| l.node.is_none()) {
        let mut need = u64::from(l.quantity);
        let parts = pool.entry(l.sku.clone()).or_default();
        while need > 0 {
            let Some((node, q)) = parts.first_mut() else {
                break;
            };
            let take = need.min(*q);
            out.push(ClaimLine {
                sku: l.sku.clone(),
                node: Some(node.clone()),
                quantity: take as u32,
            });
            need -= take;
            *q -= take;
            if *q == 0 {
                parts.remove(0);
            }
        }
    }
    out
}
