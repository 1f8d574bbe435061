//! Transfer lanes: each names two known, different nodes, goes to a node that
//! hands out pickup orders, is listed once, and has a cost per package, a cost
//! per unit and a lead time (its own or the cost model's `[transfers]`).

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::error::IssueCode;
use crate::input::cost_model::TransferDefaults;
use crate::input::format::TransferLaneRecord;
use crate::network::domain::{Node, NodeIdx, TransferLane};

use super::collector::Collector;

/// What the lanes are checked against.
pub(super) struct LaneContext<'a> {
    /// The cost model's defaults.
    pub defaults: &'a TransferDefaults,
    /// Valid nodes.
    pub nodes: &'a [Node],
    /// Node index by id.
    pub node_index: &'a HashMap<String, NodeIdx>,
    /// Explicit-cost scenarios have no dates or rates a lane could add to.
    pub explicit_mode: bool,
}

/// The lanes, sorted by (to, from); every problem of every lane is reported.
pub(super) fn transfer_lanes(
    c: &mut Collector,
    records: &[TransferLaneRecord],
    at: &LaneContext,
) -> Vec<TransferLane> {
    defaults(c, at.defaults);
    let mut seen = HashSet::default();
    let mut lanes = Vec::new();
    for (k, r) in records.iter().enumerate() {
        let rec = format!("transfer_lanes[{k}] {} -> {}", r.from, r.to);
        let ends = ends(c, &rec, r, at);
        let costs = costs(c, &rec, r, at.defaults);
        if let (Some((from, to)), Some((per_package, per_unit, lead_days))) = (ends, costs) {
            if !seen.insert((from, to)) {
                c.error(
                    IssueCode::DuplicateId,
                    &rec,
                    "from",
                    "this lane is listed twice".into(),
                    "list each (from, to) pair once",
                );
                continue;
            }
            lanes.push(TransferLane {
                from,
                to,
                per_package,
                per_unit,
                lead_days,
            });
        }
    }
    lanes.sort_by_key(|l| (l.to, l.from));
    lanes
}

/// The cost model's own `[transfers]` values, checked even when no lane uses them.
fn defaults(c: &mut Collector, d: &TransferDefaults) {
    let rec = "cost model [transfers]";
    if let Some(v) = d.per_package {
        c.non_negative(rec, "per_package", v);
    }
    if let Some(v) = d.per_unit {
        c.non_negative(rec, "per_unit", v);
    }
    if let Some(v) = d.lead_days {
        c.days(rec, "lead_days", v);
    }
}

/// The lane's (from, to): known (E102), different (E127), to a pickup node
/// (E126), and not in an explicit-cost scenario (E127).
fn ends(
    c: &mut Collector,
    rec: &str,
    r: &TransferLaneRecord,
    at: &LaneContext,
) -> Option<(NodeIdx, NodeIdx)> {
    let mut known = |field: &str, id: &str| {
        let n = at.node_index.get(id).copied();
        if n.is_none() {
            c.error(
                IssueCode::UnknownReference,
                rec,
                field,
                format!("unknown node `{id}`"),
                "fix the node id",
            );
        }
        n
    };
    let (from, to) = (known("from", &r.from), known("to", &r.to));
    let mut ok = true;
    if at.explicit_mode {
        c.error(
            IssueCode::BadTransferLane,
            rec,
            "transfer_lanes",
            "an explicit-cost scenario has no dates or rates for a transfer".into(),
            "remove the lanes, or give the scenario its nodes' services instead of explicit costs",
        );
        ok = false;
    }
    if from.is_some() && from == to {
        c.error(
            IssueCode::BadTransferLane,
            rec,
            "to",
            "a lane from a node to itself".into(),
            "name two different nodes; a store's own stock needs no lane",
        );
        ok = false;
    }
    if let Some(t) = to
        && !at.nodes[t].capabilities.pickup
    {
        c.error(
            IssueCode::TransferToNonPickup,
            rec,
            "to",
            format!("`{}` has no `pickup` capability", r.to),
            "send the lane to a pickup store, or add the `pickup` capability to it",
        );
        ok = false;
    }
    from.zip(to).filter(|_| ok)
}

/// (per package, per unit, lead days): the lane's own values (checked
/// here), else the cost model's (checked once, by `defaults`: a bad one has
/// stopped the run already); a value neither gives is E127.
fn costs(
    c: &mut Collector,
    rec: &str,
    r: &TransferLaneRecord,
    d: &TransferDefaults,
) -> Option<(f64, f64, u32)> {
    let package = match (r.per_package, d.per_package) {
        (Some(v), _) => c.non_negative(rec, "per_package", v),
        (None, Some(v)) => Some(v),
        (None, None) => missing(c, rec, "per_package"),
    };
    let unit = match (r.per_unit, d.per_unit) {
        (Some(v), _) => c.non_negative(rec, "per_unit", v),
        (None, Some(v)) => Some(v),
        (None, None) => missing(c, rec, "per_unit"),
    };
    let lead = match (r.lead_days, d.lead_days) {
        (Some(v), _) => c.days(rec, "lead_days", v),
        // Saturating: a bad model value has been reported and stops the run.
        (None, Some(v)) => Some(v as u32),
        (None, None) => missing(c, rec, "lead_days"),
    };
    Some((package?, unit?, lead?))
}

/// E127 for a lane value that neither the lane nor the cost model gives.
fn missing<T>(c: &mut Collector, rec: &str, field: &str) -> Option<T> {
    c.error(
        IssueCode::BadTransferLane,
        rec,
        field,
        format!("no {field}: neither the lane nor the cost model's [transfers] gives one"),
        "give it on the lane or in the cost model's [transfers] table",
    );
    None
}
