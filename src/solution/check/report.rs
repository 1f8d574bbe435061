//! The derived parts of a plan: backorders, per-order summaries, KPIs (with
//! the metric definitions of `models/README.md`) and the solve record.

use std::collections::HashSet;

use super::{Findings, Input, Tally, close, costs};
use crate::solution::plan::{Kpis, Plan, Status};

/// Strategies that route by rules and make no optimality claim.
pub const RULE_BASED: &[&str] = &["greedy-cost", "ranked", "closest", "shopify"];

/// The solver's relative gap tolerance behind an `optimal` status.
pub const OPTIMAL_GAP: f64 = 1e-4;

/// How far a solver's objective may be from the plan's recomputed cost.
pub fn objective_tolerance(cost: f64) -> f64 {
    1e-6 * cost.abs().max(1.0)
}

/// (cost - bound) / |cost|; 0 when the bound reaches the cost.
pub fn gap(cost: f64, bound: f64) -> f64 {
    let over = cost - bound;
    if over <= 1e-9 {
        0.0
    } else {
        over / cost.abs().max(1e-9)
    }
}

/// Every backorder names a line with missing units, with its SKU, units and
/// penalty; every line with missing units has one.
pub(crate) fn backorders(inp: &Input, plan: &Plan, t: &Tally, bad: &mut Findings) {
    let mut seen = HashSet::new();
    for (k, b) in plan.backorders.iter().enumerate() {
        let rec = format!("backorder {k} ({} line {})", b.order, b.line);
        let Some(&o) = inp.order_ix.get(&b.order) else {
            bad.add(
                "backorder",
                rec,
                format!("order `{}` does not exist", b.order),
            );
            continue;
        };
        let Some(line) = inp.orders[o].lines.get(b.line) else {
            bad.add("backorder", rec, format!("line {} does not exist", b.line));
            continue;
        };
        if !seen.insert((o, b.line)) {
            bad.add(
                "backorder",
                rec.clone(),
                "second backorder of the line".into(),
            );
        }
        let missing = line.quantity.saturating_sub(t.shipped[o][b.line]);
        let pen = costs::unfilled_penalty(inp, o, b.line);
        let sku = &inp.sku_ids[line.sku];
        if b.sku != *sku || u64::from(b.units) != missing || b.units == 0 {
            bad.add(
                "backorder",
                rec.clone(),
                format!(
                    "says {} x{}, the input gives {sku} x{missing}",
                    b.sku, b.units
                ),
            );
        }
        if !close(b.penalty_per_unit, pen) {
            bad.add(
                "cost",
                rec,
                format!(
                    "penalty {} per unit, the input gives {pen}",
                    b.penalty_per_unit
                ),
            );
        }
    }
    for (o, order) in inp.orders.iter().enumerate() {
        for (k, l) in order.lines.iter().enumerate() {
            if l.quantity > t.shipped[o][k] && !seen.contains(&(o, k)) {
                bad.add(
                    "backorder",
                    format!("order {} line {k}", order.id),
                    format!(
                        "{} units unfilled, no backorder",
                        l.quantity - t.shipped[o][k]
                    ),
                );
            }
        }
    }
}

/// One summary per order, in input order, with its packages, units, on-time
/// flag and cost.
pub(crate) fn summaries(inp: &Input, plan: &Plan, t: &Tally, bad: &mut Findings) {
    if plan.orders.len() != inp.orders.len() {
        bad.add(
            "summary",
            "orders",
            format!(
                "{} summaries for {} orders",
                plan.orders.len(),
                inp.orders.len()
            ),
        );
    }
    for (o, (order, s)) in inp.orders.iter().zip(&plan.orders).enumerate() {
        let ordered: u64 = order.lines.iter().map(|l| l.quantity).sum();
        let shipped: u64 = t.shipped[o].iter().sum();
        let on_time = (order.promised.is_some() && t.packages[o] > 0).then_some(!t.order_late[o]);
        let same = s.order == order.id
            && u64::from(s.packages) == t.packages[o]
            && u64::from(s.units_ordered) == ordered
            && u64::from(s.units_shipped) == shipped
            && s.on_time == on_time
            && close(s.cost, t.order_cost[o]);
        if !same {
            bad.add(
                "summary",
                format!("order {}", order.id),
                format!(
                    "says {} packages, {}/{} units, on time {:?}, cost {} for `{}`; the input gives {}, {shipped}/{ordered}, {on_time:?}, {}",
                    s.packages, s.units_shipped, s.units_ordered, s.on_time, s.cost, s.order,
                    t.packages[o], t.order_cost[o]
                ),
            );
        }
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Every KPI recomputed with the metric definitions.
pub(crate) fn kpis(inp: &Input, plan: &Plan, t: &Tally, bad: &mut Findings) {
    let k = &plan.kpis;
    cost_kpis(k, t, bad);
    count_kpis(inp, k, t, bad);
    rate_kpis(inp, k, t, bad);
    node_kpis(inp, k, t, bad);
}

/// A finding on KPI `name` unless `ok`.
fn kpi(bad: &mut Findings, name: &str, ok: bool, says: String, gives: String) {
    if !ok {
        bad.add(
            "kpi",
            format!("kpis.{name}"),
            format!("says {says}, the input gives {gives}"),
        );
    }
}

/// The cost by component and in total.
fn cost_kpis(k: &Kpis, t: &Tally, bad: &mut Findings) {
    let c = &t.cost;
    let r = &k.cost;
    for (name, a, b) in [
        ("shipping", r.shipping, c.shipping),
        ("handling", r.handling, c.handling),
        ("store_premium", r.store_premium, c.store_premium),
        ("split", r.split, c.split),
        ("lateness", r.lateness, c.lateness),
        ("cross_market", r.cross_market, c.cross_market),
        ("unfilled", r.unfilled, c.unfilled),
        ("total", r.total, c.total),
    ] {
        kpi(
            bad,
            &format!("cost.{name}"),
            close(a, b),
            a.to_string(),
            b.to_string(),
        );
    }
}

/// Orders, packages and packages per order.
fn count_kpis(inp: &Input, k: &Kpis, t: &Tally, bad: &mut Findings) {
    let orders = inp.orders.len() as u64;
    let packages: u64 = t.packages.iter().sum();
    kpi(
        bad,
        "orders",
        k.orders as u64 == orders,
        k.orders.to_string(),
        orders.to_string(),
    );
    kpi(
        bad,
        "packages",
        k.packages as u64 == packages,
        k.packages.to_string(),
        packages.to_string(),
    );
    let ppo = ratio(packages, orders);
    kpi(
        bad,
        "packages_per_order",
        close(k.packages_per_order, ppo),
        k.packages_per_order.to_string(),
        ppo.to_string(),
    );
}

/// Split, on-time and fill rates.
fn rate_kpis(inp: &Input, k: &Kpis, t: &Tally, bad: &mut Findings) {
    // Split rate: among orders of two or more units at least partly filled,
    // the share in more than one package.
    let (mut base, mut split) = (0, 0);
    let (mut ordered, mut shipped) = (0u64, 0u64);
    for (o, order) in inp.orders.iter().enumerate() {
        let units: u64 = order.lines.iter().map(|l| l.quantity).sum();
        let sent: u64 = t.shipped[o].iter().sum();
        ordered += units;
        shipped += sent;
        if units >= 2 && sent > 0 {
            base += 1;
            split += u64::from(t.packages[o] > 1);
        }
    }
    let sr = ratio(split, base);
    kpi(
        bad,
        "split_rate",
        close(k.split_rate, sr),
        k.split_rate.to_string(),
        sr.to_string(),
    );
    let otr = (t.with_promise > 0).then(|| ratio(t.on_time, t.with_promise));
    let same = match (k.on_time_rate, otr) {
        (Some(a), Some(b)) => close(a, b),
        (a, b) => a == b,
    };
    kpi(
        bad,
        "on_time_rate",
        same,
        format!("{:?}", k.on_time_rate),
        format!("{otr:?}"),
    );
    let fill = if ordered == 0 {
        1.0
    } else {
        ratio(shipped, ordered)
    };
    kpi(
        bad,
        "fill_rate",
        close(k.fill_rate, fill),
        k.fill_rate.to_string(),
        fill.to_string(),
    );
}

/// Each node's packages, units and capacity share.
fn node_kpis(inp: &Input, k: &Kpis, t: &Tally, bad: &mut Findings) {
    // Node utilisation: nodes that shipped or have a capacity, in input order.
    let expected: Vec<(String, u64, u64, Option<f64>)> = inp
        .nodes
        .iter()
        .enumerate()
        .filter(|(n, x)| {
            t.node_packages[*n] > 0 || x.cap_packages.is_some() || x.cap_units.is_some()
        })
        .map(|(n, x)| {
            let share = |used: u64, cap: Option<u64>| cap.map(|c| used as f64 / c.max(1) as f64);
            let u = [
                share(t.node_packages[n], x.cap_packages),
                share(t.node_units[n], x.cap_units),
            ]
            .into_iter()
            .flatten()
            .reduce(f64::max);
            (x.id.clone(), t.node_packages[n], t.node_units[n], u)
        })
        .collect();
    let reported: Vec<(String, u64, u64, Option<f64>)> = k
        .node_utilisation
        .iter()
        .map(|u| {
            (
                u.node.clone(),
                u64::from(u.packages),
                u64::from(u.units),
                u.utilisation,
            )
        })
        .collect();
    let same = expected.len() == reported.len()
        && expected.iter().zip(&reported).all(|(a, b)| {
            a.0 == b.0
                && a.1 == b.1
                && a.2 == b.2
                && match (a.3, b.3) {
                    (Some(x), Some(y)) => close(x, y),
                    (x, y) => x == y,
                }
        });
    kpi(
        bad,
        "node_utilisation",
        same,
        format!("{reported:?}"),
        format!("{expected:?}"),
    );
}

/// The solve record: the objective is the plan's cost, the bound is at most
/// the cost, the gap follows from the two, and the status claims no more
/// than they prove.
pub(crate) fn solve_record(plan: &Plan, t: &Tally, bad: &mut Findings) {
    let s = &plan.solve;
    let cost = t.cost.total;
    let tol = objective_tolerance(cost);
    let mut wrong = |msg: String| bad.add("solve", "solve", msg);
    let rule_based = RULE_BASED.contains(&s.strategy.name());
    let inexact = s
        .decomposition
        .as_ref()
        .is_some_and(|d| d.inexact_orders > 0);
    match s.objective {
        Some(obj) if !obj.is_finite() || (obj - cost).abs() > tol => wrong(format!(
            "objective {obj} is not the plan's cost {cost} (tolerance {tol})"
        )),
        None if matches!(
            s.status,
            Status::Optimal | Status::GapLimit | Status::TimeLimit | Status::Converged
        ) =>
        {
            wrong(format!("status {} without an objective", s.status.as_str()))
        }
        _ => {}
    }
    if let Some(b) = s.best_bound {
        if !b.is_finite() || b > cost + tol {
            wrong(format!("bound {b} is above the plan's cost {cost}"));
        }
        if let Some(obj) = s.objective
            && b > obj + tol
        {
            wrong(format!("bound {b} is above the objective {obj}"));
        }
    }
    match (s.best_bound, s.gap) {
        (Some(b), Some(g)) => {
            let want = gap(cost, b);
            if !g.is_finite() || (g - want).abs() > 1e-9 + 1e-6 * want {
                wrong(format!(
                    "gap {g}, but cost {cost} and bound {b} give {want}"
                ));
            }
        }
        (None, None) => {}
        (b, g) => wrong(format!("gap {g:?} with bound {b:?}: one without the other")),
    }
    if s.priced_rows.is_some() && (s.status != Status::Heuristic || s.best_bound.is_some()) {
        wrong("a plan solved with opportunity prices is a heuristic one for the true costs, without a bound".into());
    }
    if s.replan.is_some() && (s.status != Status::Heuristic || s.best_bound.is_some()) {
        wrong("a re-plan's plan is a heuristic one for the wave, without a bound".into());
    }
    match s.status {
        Status::Infeasible => {
            wrong("status infeasible, but leaving every unit unfilled is always feasible".into())
        }
        // A solver strategy's plan is a heuristic only over pruned
        // candidates or with orders too large for the exact search.
        Status::Heuristic
            if !rule_based && !s.candidates.pruned && !inexact && s.replan.is_none() && s.priced_rows.is_none() =>
        {
            wrong(format!(
                "status heuristic from the solver strategy `{}` on exact candidates, every order searched exactly",
                s.strategy
            ))
        }
        Status::Heuristic if rule_based && s.best_bound.is_some() => {
            wrong("a rule-based plan reports a bound it did not prove".into())
        }
        st if st != Status::Heuristic && rule_based => wrong(format!(
            "status {} from the rule-based strategy `{}`",
            st.as_str(),
            s.strategy
        )),
        Status::Optimal => match s.best_bound {
            Some(b) if gap(cost, b) > OPTIMAL_GAP + 1e-9 => wrong(format!(
                "status optimal with a gap of {} (above {OPTIMAL_GAP})",
                gap(cost, b)
            )),
            None => wrong("status optimal without a bound".into()),
            _ => {}
        },
        _ => {}
    }
}
