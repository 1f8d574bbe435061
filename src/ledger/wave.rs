//! A wave solved from the ledger and committed back to it.
//!
//! The wave's stock is the ledger's, read in one snapshot: per node and SKU
//! the free units (on hand less safety stock, plus inbound arrived, less
//! holds and reservations), plus what the wave's own orders already hold or
//! reserve at that node (the wave re-sources them). Network-level claims of
//! orders outside the wave stay covered: their units come off the nodes that
//! serve network claims, the fullest first, so that whatever the wave takes
//! the network can still honour them. The scenario's own inventory is not
//! read.
//!
//! The commit is one batch, all or nothing: the wave's orders' holds and
//! reservations are released and each order's planned units reserved at
//! their nodes (`wave-SEQ:ORDER`); an order whose network-level reservations
//! the plan fills exactly keeps them, assigned to the plan's nodes instead.
//! The batch carries a [`Guard`]: if anything touched the wave's SKUs after
//! the snapshot, it is refused (E150) and the wave is solved again on the
//! new stock, a bounded number of times. Whatever happens, the ledger's
//! rules check every reservation, so a wave is never oversold.

use std::collections::{BTreeMap, BTreeSet};

use crate::error::{DomoptError, IssueCode};
use crate::input::cost_model::CostModel;
use crate::input::format::{InventoryRecord, LoadedScenario, PolicyOverrides};
use crate::input::settings::Settings;
use crate::input::validate::build_scenario;
use crate::network::domain::Scenario;
use crate::solution::plan::{Plan, Status};
use crate::sourcing::{Strategy, run_with_progress};

use super::rules::Base;
use super::{
    Answer, Claim, ClaimKind, ClaimLine, ClaimStatus, Guard, Ledger, LedgerError, Request,
    Snapshot, keep_for_network,
};

/// Why a wave could not be solved from, or committed to, the ledger.
#[derive(Debug, thiserror::Error)]
pub enum WaveError {
    /// The scenario (with the ledger's stock) or the run failed.
    #[error(transparent)]
    Scenario(#[from] DomoptError),
    /// The ledger refused or failed; nothing was committed.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

impl WaveError {
    /// The stable code (none for a validation report, which has one per issue).
    pub fn code(&self) -> Option<IssueCode> {
        match self {
            WaveError::Scenario(e) => e.code(),
            WaveError::Ledger(e) => Some(e.code()),
        }
    }
}

/// How a wave uses the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaveOptions {
    /// Commit the plan as node-level reservations.
    pub commit: bool,
    /// Solves after the first when the commit finds that the stock changed.
    pub retries: u32,
}

/// A wave solved from the ledger.
#[derive(Debug)]
pub struct LedgerWave {
    /// The plan.
    pub plan: Plan,
    /// The scenario it was solved on (the ledger's stock).
    pub scenario: Scenario,
    /// The ledger version the stock was read at.
    pub read_at: i64,
    /// How many times the wave was solved (more than once when the stock
    /// changed before a commit).
    pub attempts: u32,
    /// The commit, when asked for.
    pub committed: Option<WaveCommit>,
}

/// What a wave's commit wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct WaveCommit {
    /// Claims of the wave's orders released (re-sourced).
    pub released: Vec<String>,
    /// Network-level reservations assigned to the plan's nodes.
    pub assigned: Vec<String>,
    /// New node-level reservations.
    pub reserved: Vec<String>,
    /// The ledger version after the commit.
    pub seq: i64,
}

/// The inputs of a wave other than the ledger.
#[derive(Debug, Clone, Copy)]
pub struct WaveInput<'a> {
    /// The scenario: network, services, orders (its inventory is replaced).
    pub loaded: &'a LoadedScenario,
    /// The cost model.
    pub model: &'a CostModel,
    /// Policy overrides of the run.
    pub overrides: &'a PolicyOverrides,
    /// Solver settings.
    pub settings: &'a Settings,
    /// The strategy.
    pub strategy: Strategy,
}

/// Solves the wave of `input` on the ledger's stock and, if asked, commits
/// it; solved again (up to `options.retries` times) when the stock of its
/// SKUs changed between the read and the commit.
pub fn solve_from_ledger(
    ledger: &dyn Ledger,
    input: WaveInput<'_>,
    options: WaveOptions,
    progress: &dyn Fn(&str),
) -> Result<LedgerWave, WaveError> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        let snapshot = ledger.snapshot()?;
        let (scenario, guard, own) = wave_scenario(ledger.base(), &snapshot, input)?;
        let plan = run_with_progress(&scenario, input.settings, input.strategy, progress);
        if matches!(plan.solve.status, Status::Infeasible) {
            return Err(DomoptError::NoPlan(plan.solve.message.clone()).into());
        }
        let mut wave = LedgerWave {
            plan,
            scenario,
            read_at: snapshot.seq,
            attempts,
            committed: None,
        };
        if !options.commit {
            return Ok(wave);
        }
        let batch = commit_batch(&wave.scenario, &wave.plan, &own, snapshot.seq);
        match ledger.execute_all(&batch.requests, Some(&guard)) {
            Ok(answers) => {
                wave.committed = Some(batch.commit(&answers));
                return Ok(wave);
            }
            Err(LedgerError::Changed { .. }) if attempts <= options.retries => {
                progress("the ledger's stock changed since it was read: solving again");
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Refuses (E146) a scenario whose nodes or SKUs are not those of the
/// ledger's network: its stock would be read against other ids.
pub fn same_network(base: &Base, nodes: &[&str], skus: &[&str]) -> Result<(), LedgerError> {
    let ledger = base.scenario();
    let differ = |what: &str, ours: BTreeSet<&str>, theirs: BTreeSet<&str>| {
        let missing: Vec<&&str> = ours.symmetric_difference(&theirs).take(5).collect();
        (!missing.is_empty()).then(|| {
            LedgerError::Mismatch(format!(
                "the ledger was made from another network: {what} differ ({missing:?} ...); make a ledger from this scenario with `domopt ledger init`"
            ))
        })
    };
    let ledger_nodes = ledger.nodes.iter().map(|n| n.id.as_str()).collect();
    let ledger_skus = ledger.skus.iter().map(|k| k.id.as_str()).collect();
    match differ("nodes", nodes.iter().copied().collect(), ledger_nodes)
        .or_else(|| differ("SKUs", skus.iter().copied().collect(), ledger_skus))
    {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// The wave's scenario on the snapshot's stock, the guard of its SKUs, and
/// the active claims of its orders.
fn wave_scenario(
    base: &Base,
    snapshot: &Snapshot,
    input: WaveInput<'_>,
) -> Result<(Scenario, Guard, Vec<Claim>), WaveError> {
    let orders: BTreeSet<&str> = input
        .loaded
        .file
        .orders
        .iter()
        .map(|o| o.id.as_str())
        .collect();
    let file = &input.loaded.file;
    same_network(
        base,
        &file.nodes.iter().map(|n| n.id.as_str()).collect::<Vec<_>>(),
        &file.skus.iter().map(|k| k.id.as_str()).collect::<Vec<_>>(),
    )?;
    refuse_shipped(snapshot, &orders)?;
    let own: Vec<Claim> = snapshot
        .state
        .claims
        .values()
        .filter(|c| c.status == ClaimStatus::Active)
        .filter(|c| c.order.as_deref().is_some_and(|o| orders.contains(o)))
        .cloned()
        .collect();
    let mut loaded = input.loaded.clone();
    loaded.file.inventory = wave_stock(base, snapshot, &own);
    let (scenario, _) = build_scenario(&loaded, input.model, input.overrides)
        .map_err(DomoptError::Invalid)?;
    let skus = scenario
        .orders
        .iter()
        .flat_map(|o| &o.lines)
        .map(|l| scenario.skus[l.sku].id.clone())
        .collect();
    let guard = Guard {
        seq: snapshot.seq,
        skus,
    };
    Ok((scenario, guard, own))
}

/// An order of the wave that already shipped would ship twice.
fn refuse_shipped(snapshot: &Snapshot, orders: &BTreeSet<&str>) -> Result<(), LedgerError> {
    let shipped = snapshot.state.claims.values().find(|c| {
        c.status == ClaimStatus::Committed
            && c.order.as_deref().is_some_and(|o| orders.contains(o))
    });
    match shipped {
        Some(c) => Err(LedgerError::Mismatch(format!(
            "order `{}` already shipped (reservation `{}` was committed): it cannot be in a wave again",
            c.order.as_deref().unwrap_or_default(),
            c.id
        ))),
        None => Ok(()),
    }
}

/// The inventory rows of the wave: free units plus the wave's own
/// node-level claims, less the network-level claims of other orders.
fn wave_stock(base: &Base, snapshot: &Snapshot, own: &[Claim]) -> Vec<InventoryRecord> {
    let date = snapshot.at.date();
    let mut units: BTreeMap<(String, String), i64> = snapshot
        .state
        .stock
        .iter()
        .map(|(key, row)| (key.clone(), row.free(date).max(0)))
        .collect();
    let mut own_network: BTreeMap<&str, i64> = BTreeMap::new();
    for l in own.iter().flat_map(|c| &c.lines) {
        match &l.node {
            Some(n) => {
                if let Some(u) = units.get_mut(&(n.clone(), l.sku.clone())) {
                    *u += i64::from(l.quantity);
                }
            }
            None => *own_network.entry(&l.sku).or_default() += i64::from(l.quantity),
        }
    }
    for (sku, net) in &snapshot.state.network {
        let others = net.held + net.reserved - own_network.get(sku.as_str()).copied().unwrap_or(0);
        keep_sku_for_network(base, &mut units, sku, others);
    }
    units
        .into_iter()
        .filter(|(_, u)| *u > 0)
        .map(|((node, sku), u)| InventoryRecord {
            node,
            sku,
            on_hand: u as f64,
            reserved: None,
            safety_stock: None,
            inbound_quantity: None,
            inbound_date: None,
        })
        .collect()
}

/// Takes `claimed` units of `sku` off the nodes that serve network claims
/// (see [`keep_for_network`]).
fn keep_sku_for_network(
    base: &Base,
    units: &mut BTreeMap<(String, String), i64>,
    sku: &str,
    claimed: i64,
) {
    let mut rows: Vec<(i64, &String)> = units
        .iter()
        .filter(|((node, s), u)| s == sku && **u > 0 && base.counts(node))
        .map(|((node, _), u)| (*u, node))
        .collect();
    keep_for_network(&mut rows, claimed);
    let left: Vec<(String, i64)> = rows.into_iter().map(|(u, n)| (n.clone(), u)).collect();
    for (node, u) in left {
        units.insert((node, sku.to_string()), u);
    }
}

/// The requests of a commit and what each is.
struct Batch {
    requests: Vec<Request>,
    released: Vec<String>,
    assigned: Vec<String>,
    reserved: Vec<String>,
}

impl Batch {
    fn commit(self, answers: &[Answer]) -> WaveCommit {
        WaveCommit {
            released: self.released,
            assigned: self.assigned,
            reserved: self.reserved,
            seq: answers.iter().map(|a| a.seq).max().unwrap_or_default(),
        }
    }
}

/// The plan's units per order, as node-level lines (sorted by SKU, node).
fn planned_lines(plan: &Plan) -> BTreeMap<&str, Vec<ClaimLine>> {
    let mut units: BTreeMap<&str, BTreeMap<(&str, &str), u32>> = BTreeMap::new();
    for s in &plan.shipments {
        for item in &s.items {
            *units
                .entry(&s.order)
                .or_default()
                .entry((&item.sku, &s.node))
                .or_default() += item.quantity;
        }
    }
    units
        .into_iter()
        .map(|(order, lines)| {
            let lines = lines
                .into_iter()
                .map(|((sku, node), quantity)| ClaimLine {
                    sku: sku.into(),
                    node: Some(node.into()),
                    quantity,
                })
                .collect();
            (order, lines)
        })
        .collect()
}

/// Units per SKU of `lines`.
fn per_sku<'a>(lines: impl IntoIterator<Item = &'a ClaimLine>) -> BTreeMap<&'a str, u64> {
    let mut out = BTreeMap::new();
    for l in lines {
        *out.entry(l.sku.as_str()).or_default() += u64::from(l.quantity);
    }
    out
}

/// Whether an order's claims are network-level reservations that its
/// planned lines fill exactly: they are then assigned, not replaced.
fn assignable(claims: &[&Claim], planned: &[ClaimLine]) -> bool {
    !claims.is_empty()
        && claims
            .iter()
            .all(|c| c.kind == ClaimKind::Reservation && c.lines.iter().all(|l| l.node.is_none()))
        && per_sku(claims.iter().flat_map(|c| &c.lines)) == per_sku(planned)
}

/// The commit of `plan`: releases first (so that their units are free to
/// the reservations after them), then assignments, then reservations.
fn commit_batch(scenario: &Scenario, plan: &Plan, own: &[Claim], seq: i64) -> Batch {
    commit_lines(scenario, planned_lines(plan), own, "wave", seq)
}

/// The commit of the `planned` lines per order, replacing the claims `own`
/// of those orders; request ids `PREFIX-SEQ:...`.
fn commit_lines(
    scenario: &Scenario,
    planned: BTreeMap<&str, Vec<ClaimLine>>,
    own: &[Claim],
    prefix: &str,
    seq: i64,
) -> Batch {
    let mut claims_of: BTreeMap<&str, Vec<&Claim>> = BTreeMap::new();
    for c in own {
        claims_of.entry(c.order.as_deref().unwrap_or_default()).or_default().push(c);
    }
    let channel_of: BTreeMap<&str, Option<String>> = scenario
        .orders
        .iter()
        .map(|o| (o.id.as_str(), o.channel.map(|c| scenario.channels[c].id.clone())))
        .collect();
    let (mut releases, mut assigns, mut reserves) = (Vec::new(), Vec::new(), Vec::new());
    let mut batch = Batch {
        requests: Vec::new(),
        released: Vec::new(),
        assigned: Vec::new(),
        reserved: Vec::new(),
    };
    let orders: BTreeSet<&str> = planned.keys().chain(claims_of.keys()).copied().collect();
    for order in orders {
        let claims = claims_of.get(order).map_or(&[][..], Vec::as_slice);
        let lines = planned.get(order).cloned().unwrap_or_default();
        if assignable(claims, &lines) {
            batch.assigned.extend(claims.iter().map(|c| c.id.clone()));
            assigns.push(Request::Assign {
                id: format!("{prefix}-{seq}:assign:{order}"),
                order: order.into(),
                lines,
            });
            continue;
        }
        for c in claims {
            batch.released.push(c.id.clone());
            releases.push(Request::Release {
                id: format!("{prefix}-{seq}:release:{}", c.id),
                claim: c.id.clone(),
            });
        }
        if !lines.is_empty() {
            let id = format!("{prefix}-{seq}:{order}");
            batch.reserved.push(id.clone());
            reserves.push(Request::Reserve {
                id,
                order: Some(order.into()),
                channel: channel_of.get(order).cloned().flatten(),
                from_hold: None,
                lines,
            });
        }
    }
    batch.requests = releases.into_iter().chain(assigns).chain(reserves).collect();
    batch
}

/// Commits a re-plan to the ledger: the active holds and reservations of
/// each of `orders` (the orders whose packages moved, or cancelled) are
/// released, and the orders' units in `plan` reserved at their new nodes
/// (`reroute-SEQ:ORDER`), in one batch, all or nothing. Refused, with
/// nothing written, when the ledger's rules do not let the units be
/// reserved (stock taken since the wave) or when the orders' SKUs changed
/// between the read and the commit (E150).
pub fn commit_replan(
    ledger: &dyn Ledger,
    scenario: &Scenario,
    plan: &Plan,
    orders: &BTreeSet<String>,
) -> Result<WaveCommit, LedgerError> {
    let snapshot = ledger.snapshot()?;
    let own: Vec<Claim> = snapshot
        .state
        .claims
        .values()
        .filter(|c| c.status == ClaimStatus::Active)
        .filter(|c| c.order.as_ref().is_some_and(|o| orders.contains(o)))
        .cloned()
        .collect();
    let mut planned = planned_lines(plan);
    planned.retain(|order, _| orders.contains(*order));
    let skus = own
        .iter()
        .flat_map(|c| &c.lines)
        .chain(planned.values().flatten())
        .map(|l| l.sku.clone())
        .collect();
    let guard = Guard {
        seq: snapshot.seq,
        skus,
    };
    let batch = commit_lines(scenario, planned, &own, "reroute", snapshot.seq);
    let answers = ledger.execute_all(&batch.requests, Some(&guard))?;
    Ok(batch.commit(&answers))
}
