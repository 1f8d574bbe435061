//! Explicit costs (research instances): package and unit costs per (order,
//! node), each naming a known order, node and line, once.

use rustc_hash::FxHashMap as HashMap;

use crate::error::IssueCode;
use crate::input::format::{ExplicitCostsRecord, PackageCostRecord, UnitCostRecord};
use crate::network::domain::{ExplicitCosts, NodeIdx, Order, OrderIdx};

use super::collector::Collector;

/// Order and node indexes by id, to resolve the cost rows' references.
struct Resolver<'a> {
    orders: HashMap<&'a str, OrderIdx>,
    nodes: &'a HashMap<String, NodeIdx>,
}

impl Resolver<'_> {
    /// The (order, node) a row names, or E102 for each unknown one.
    fn resolve(
        &self,
        c: &mut Collector,
        rec: &str,
        order: &str,
        node: &str,
    ) -> Option<(OrderIdx, NodeIdx)> {
        let o = self.orders.get(order).copied();
        if o.is_none() {
            c.error(
                IssueCode::UnknownReference,
                rec,
                "order",
                format!("unknown order `{order}`"),
                "fix the order id",
            );
        }
        let n = self.nodes.get(node).copied();
        if n.is_none() {
            c.error(
                IssueCode::UnknownReference,
                rec,
                "node",
                format!("unknown node `{node}`"),
                "fix the node id",
            );
        }
        o.zip(n)
    }
}

/// The explicit costs: the package rows, then the unit rows.
pub(super) fn explicit_costs(
    c: &mut Collector,
    e: &ExplicitCostsRecord,
    orders: &[Order],
    node_index: &HashMap<String, NodeIdx>,
) -> ExplicitCosts {
    let resolver = Resolver {
        orders: orders
            .iter()
            .enumerate()
            .map(|(k, o)| (o.id.as_str(), OrderIdx::new(k)))
            .collect(),
        nodes: node_index,
    };
    let mut out = ExplicitCosts::default();
    package_costs(c, &e.packages, &resolver, &mut out);
    unit_costs(c, &e.units, orders, &resolver, &mut out);
    out
}

/// One cost per (order, node) package (E101 for a second).
fn package_costs(
    c: &mut Collector,
    rows: &[PackageCostRecord],
    resolver: &Resolver,
    out: &mut ExplicitCosts,
) {
    for (k, r) in rows.iter().enumerate() {
        let rec = format!("package cost row {} ({} / {})", k + 1, r.order, r.node);
        let cost = c.non_negative(&rec, "cost", r.cost);
        if let (Some((o, n)), Some(cost)) = (resolver.resolve(c, &rec, &r.order, &r.node), cost)
            && out.package.insert((o, n), cost).is_some()
        {
            c.error(
                IssueCode::DuplicateId,
                &rec,
                "order+node",
                "second package cost for the pair".into(),
                "give one row per order and node",
            );
        }
    }
}

/// One cost per (order, line, node) unit, for a line the order has (E102)
/// and once (E101).
fn unit_costs(
    c: &mut Collector,
    rows: &[UnitCostRecord],
    orders: &[Order],
    resolver: &Resolver,
    out: &mut ExplicitCosts,
) {
    for (k, r) in rows.iter().enumerate() {
        let rec = format!(
            "unit cost row {} ({} line {} / {})",
            k + 1,
            r.order,
            r.line,
            r.node
        );
        let cost = c.non_negative(&rec, "cost", r.cost);
        let line = c.quantity(&rec, "line", r.line).map(|l| l as usize);
        let (Some((o, n)), Some(cost), Some(line)) =
            (resolver.resolve(c, &rec, &r.order, &r.node), cost, line)
        else {
            continue;
        };
        if line >= orders[o].lines.len() {
            c.error(
                IssueCode::UnknownReference,
                &rec,
                "line",
                format!("order `{}` has {} lines", r.order, orders[o].lines.len()),
                "lines are numbered from 0",
            );
        } else if out.unit.insert((o, line, n), cost).is_some() {
            c.error(
                IssueCode::DuplicateId,
                &rec,
                "order+line+node",
                "second unit cost for the line and node".into(),
                "give one row per line and node",
            );
        }
    }
}
