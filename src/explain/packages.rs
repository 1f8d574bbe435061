//! A plan read back onto the scenario's candidates: each order's packages as
//! assignments, and what every package takes from each stock and capacity
//! row, so that an explanation can say who holds what.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use crate::error::{DomoptError, Issue, IssueCode, Severity, ValidationReport};
use crate::network::candidates::CandidateSet;
use crate::network::domain::{NodeIdx, OrderIdx, Scenario, SkuIdx};
use crate::solution::assignment::Assignment;
use crate::solution::plan::{Plan, Shipment};

/// A plan's packages by order, and who uses each row.
pub(crate) struct PlanPackages {
    /// Per order (by index), its packages.
    by_order: Vec<Vec<Assignment>>,
    /// Per (node, SKU): the orders whose packages take its stock, and how much.
    pub stock_users: BTreeMap<(NodeIdx, SkuIdx), Vec<(OrderIdx, u64)>>,
    /// Per node: the orders with a package there, and its units.
    pub node_users: BTreeMap<NodeIdx, Vec<(OrderIdx, u64)>>,
}

impl PlanPackages {
    /// Maps every shipment of `plan` to a candidate of `cs`. A shipment
    /// naming an order, node or service the scenario does not have is E102;
    /// one that is no candidate (or carries more than it may) is E182. Every
    /// such shipment is reported at once.
    pub fn map(s: &Scenario, cs: &CandidateSet, plan: &Plan) -> Result<PlanPackages, DomoptError> {
        let order_of: FxHashMap<&str, OrderIdx> =
            OrderIdx::all(s.orders.len()).map(|o| (s.orders[o].id.as_str(), o)).collect();
        let mut out = PlanPackages {
            by_order: vec![Vec::new(); s.orders.len()],
            stock_users: BTreeMap::new(),
            node_users: BTreeMap::new(),
        };
        let mut issues = Vec::new();
        for sh in &plan.shipments {
            let Some(&o) = order_of.get(sh.order.as_str()) else {
                issues.push(not_of_scenario(sh, IssueCode::UnknownReference, "names an order the scenario does not have"));
                continue;
            };
            match candidate_of(s, cs, o, sh) {
                Some(a) => out.add(s, cs, o, a),
                None => issues.push(not_of_scenario(
                    sh,
                    IssueCode::PlanNotOfScenario,
                    "is not a package the scenario allows: its node, service, SKUs or units (none, or more than the node has)",
                )),
            }
        }
        issues.extend(out.overfilled(s));
        if issues.is_empty() {
            Ok(out)
        } else {
            Err(DomoptError::Invalid(ValidationReport { issues }))
        }
    }

    /// An issue per order line its packages carry more of than ordered, or
    /// per order with two packages from one node (not a plan of the scenario).
    fn overfilled(&self, s: &Scenario) -> Vec<Issue> {
        let mut issues = Vec::new();
        for (o, packages) in self.by_order.iter().enumerate() {
            let order = &s.orders[o];
            let mut shipped = vec![0u64; order.lines.len()];
            for &(line, u) in packages.iter().flat_map(|a| &a.units) {
                shipped[line] += u64::from(u);
            }
            let over = shipped.iter().zip(&order.lines).position(|(&q, l)| q > u64::from(l.quantity));
            let mut candidates: Vec<usize> = packages.iter().map(|a| a.candidate).collect();
            candidates.sort_unstable();
            candidates.dedup();
            let twice = candidates.len() < packages.len();
            if over.is_some() || twice {
                issues.push(Issue {
                    code: IssueCode::PlanNotOfScenario,
                    severity: Severity::Error,
                    record: format!("plan shipments of {}", order.id),
                    field: "shipments".into(),
                    message: match over {
                        Some(line) => format!("the plan ships more of line {line} than the order has"),
                        None => "the plan ships two packages from one node by one service".into(),
                    },
                    action: "explain a plan of this scenario (a re-plan is a plan of the scenario with its events applied)".into(),
                });
            }
        }
        issues
    }

    fn add(&mut self, s: &Scenario, cs: &CandidateSet, o: OrderIdx, a: Assignment) {
        let c = &cs.candidates[a.candidate];
        let units: u64 = a.units.iter().map(|&(_, u)| u64::from(u)).sum();
        self.node_users.entry(c.node).or_default().push((o, units));
        for &(line, u) in &a.units {
            let sku = s.orders[o].lines[line].sku;
            self.stock_users.entry((c.node, sku)).or_default().push((o, u64::from(u)));
        }
        self.by_order[o.index()].push(a);
    }

    /// The packages of order `o`.
    pub fn of(&self, o: OrderIdx) -> &[Assignment] {
        &self.by_order[o.index()]
    }

    /// Every package of the orders not in `free`.
    pub fn fixed_outside(&self, free: &[OrderIdx]) -> Vec<Assignment> {
        let mut is_free = vec![false; self.by_order.len()];
        for o in free {
            is_free[o.index()] = true;
        }
        self.by_order
            .iter()
            .zip(is_free)
            .filter(|(_, f)| !f)
            .flat_map(|(a, _)| a.iter().cloned())
            .collect()
    }

    /// Units of SKU `k` at node `n` that orders other than `o` take.
    pub fn stock_taken_by_others(&self, n: NodeIdx, k: SkuIdx, o: OrderIdx) -> u64 {
        others(self.stock_users.get(&(n, k)), o).map(|(_, u)| u).sum()
    }

    /// Packages and units at node `n` of orders other than `o`.
    pub fn node_taken_by_others(&self, n: NodeIdx, o: OrderIdx) -> (u64, u64) {
        others(self.node_users.get(&n), o).fold((0, 0), |(p, u), (_, x)| (p + 1, u + x))
    }
}

/// The entries of `users` of orders other than `o`.
pub(crate) fn others(users: Option<&Vec<(OrderIdx, u64)>>, o: OrderIdx) -> impl Iterator<Item = (OrderIdx, u64)> + '_ {
    users.into_iter().flatten().copied().filter(move |&(p, _)| p != o)
}

/// The candidate of order `o` a shipment is, with its units, if there is one
/// that may carry them.
fn candidate_of(s: &Scenario, cs: &CandidateSet, o: OrderIdx, sh: &Shipment) -> Option<Assignment> {
    let ci = cs.range_of(o).find(|&ci| {
        let c = &cs.candidates[ci];
        s.nodes[c.node].id == sh.node && s.services[c.service].id == sh.service
    })?;
    let c = &cs.candidates[ci];
    let order = &s.orders[o];
    let units = sh
        .items
        .iter()
        .map(|item| {
            let line = c.lines.iter().find(|l| l.line == item.line)?;
            let sku = &s.skus[order.lines[item.line].sku].id;
            let fits = item.quantity > 0 && line.max_units >= item.quantity && *sku == item.sku;
            fits.then_some((item.line, item.quantity))
        })
        .collect::<Option<Vec<_>>>()?;
    (!units.is_empty()).then_some(Assignment { candidate: ci, units })
}

fn not_of_scenario(sh: &Shipment, code: IssueCode, what: &str) -> Issue {
    Issue {
        code,
        severity: Severity::Error,
        record: format!("plan shipment of {} from {} by {}", sh.order, sh.node, sh.service),
        field: "shipments".into(),
        message: format!("the plan's package {what}"),
        action: "explain a plan of this scenario (a re-plan is a plan of the scenario with its events applied)".into(),
    }
}
