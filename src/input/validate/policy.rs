//! The policy: the cost model's penalties and rules, overlaid by the
//! scenario's and the run's, each present and in range.

use std::collections::BTreeMap;

use crate::error::IssueCode;
use crate::input::format::PolicyOverrides;
use crate::network::domain::{CrossMarket, Policy, UnfilledRule};

use super::collector::Collector;
use super::limits::MAX_AMOUNT;

const REC: &str = "policy";

/// Re-plan penalties when neither the cost model nor the scenario sets them:
/// moving a planned package costs little (nothing was done yet); moving a
/// released one undoes a node's work.
const DEFAULT_PLANNED_MOVE: f64 = 1.0;
const DEFAULT_RELEASED_MOVE: f64 = 10.0;

/// The merged policy, or `None` if a value is missing or wrong (each reported).
pub(super) fn policy(c: &mut Collector, p: &PolicyOverrides) -> Option<Policy> {
    let split = penalty(c, "split_penalty", p.split_penalty);
    let late = penalty(c, "late_penalty_per_day", p.late_penalty_per_day);
    let store = penalty(c, "store_premium_per_unit", p.store_premium_per_unit);
    let unfilled = unfilled_rule(c, p);
    let cross = cross_market(c, p);
    let levels = service_levels(c, p);
    let planned = penalty(c, "planned_move_penalty", p.planned_move_penalty.or(Some(DEFAULT_PLANNED_MOVE)));
    let released = penalty(c, "released_move_penalty", p.released_move_penalty.or(Some(DEFAULT_RELEASED_MOVE)));
    Some(Policy {
        planned_move_penalty: planned?,
        released_move_penalty: released?,
        split_penalty: split?,
        late_penalty_per_day: late?,
        unfilled: unfilled?,
        store_premium_per_unit: store?,
        cross_market: cross?,
        service_levels: levels,
    })
}

/// A penalty that must be set: finite, non-negative, within the limit (E111).
fn penalty(c: &mut Collector, field: &str, v: Option<f64>) -> Option<f64> {
    match v {
        Some(v) => {
            let v = c.finite(REC, field, v)?;
            if v < 0.0 {
                c.error(
                    IssueCode::PolicyOutOfRange,
                    REC,
                    field,
                    format!("{v} is negative"),
                    "penalties are zero or positive",
                );
                return None;
            }
            c.at_most(REC, field, v, MAX_AMOUNT)
        }
        None => {
            c.error(
                IssueCode::PolicyOutOfRange,
                REC,
                field,
                "no value in the cost model, scenario or run".into(),
                "set it in the model's [policy] or with --set",
            );
            None
        }
    }
}

/// `fixed` (with its penalty per unit) or `twice-worst`, or E112.
fn unfilled_rule(c: &mut Collector, p: &PolicyOverrides) -> Option<UnfilledRule> {
    match p.unfilled_rule.as_deref().unwrap_or("fixed") {
        "fixed" => penalty(c, "unfilled_penalty_per_unit", p.unfilled_penalty_per_unit)
            .map(UnfilledRule::Fixed),
        "twice-worst" => Some(UnfilledRule::TwiceWorst),
        other => {
            c.error(
                IssueCode::UnknownListValue,
                REC,
                "unfilled_rule",
                format!("`{other}` is not a rule"),
                "use `fixed` or `twice-worst`",
            );
            None
        }
    }
}

/// `forbid` or `penalty` (with its penalty per package), or E112.
fn cross_market(c: &mut Collector, p: &PolicyOverrides) -> Option<CrossMarket> {
    match p.cross_market.as_deref().unwrap_or("forbid") {
        "forbid" => Some(CrossMarket::Forbid),
        "penalty" => {
            penalty(c, "cross_market_penalty", p.cross_market_penalty).map(CrossMarket::Penalty)
        }
        other => {
            c.error(
                IssueCode::UnknownListValue,
                REC,
                "cross_market",
                format!("`{other}` is not a rule"),
                "use `forbid` or `penalty`",
            );
            None
        }
    }
}

/// The service levels whose day count is valid; wrong ones are reported and left out.
fn service_levels(c: &mut Collector, p: &PolicyOverrides) -> BTreeMap<String, u32> {
    let mut levels = BTreeMap::new();
    for (name, &days) in p.service_levels.iter().flatten() {
        if let Some(d) = c.days(REC, &format!("service_levels.{name}"), days) {
            levels.insert(name.clone(), d);
        }
    }
    levels
}
