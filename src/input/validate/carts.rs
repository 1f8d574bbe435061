//! Carts for a checkout promise, checked against the validated scenario:
//! known SKUs (E102), whole positive quantities (E103, E104), at most
//! `MAX_CART_LINES` lines (E117), a destination (E106, E107, E115), a pickup
//! node that can hand out orders (E102, E114), a known channel (E128), valid
//! dates (E110); a scenario of explicit costs has no dates to promise (E130).

use rustc_hash::FxHashMap as HashMap;

use crate::error::{IssueCode, ValidationReport};
use crate::input::cart::{AtpQueryRecord, CartLineRecord, CartRecord};
use crate::network::domain::{AtpQuery, Cart, Line, NodeIdx, Scenario, SkuIdx};

use super::collector::Collector;
use super::coordinates::place;
use super::limits::MAX_CART_LINES;

/// Validates carts against one scenario; built once, it looks ids up in
/// hash maps, so that checking a cart costs about its lines.
pub struct CartValidator<'a> {
    scenario: &'a Scenario,
    sku_index: HashMap<&'a str, SkuIdx>,
    node_index: HashMap<&'a str, NodeIdx>,
}

impl<'a> CartValidator<'a> {
    /// A validator for carts quoted on `scenario`.
    pub fn new(scenario: &'a Scenario) -> Self {
        CartValidator {
            scenario,
            sku_index: SkuIdx::all(scenario.skus.len())
                .map(|k| (scenario.skus[k].id.as_str(), k))
                .collect(),
            node_index: NodeIdx::all(scenario.nodes.len())
                .map(|n| (scenario.nodes[n].id.as_str(), n))
                .collect(),
        }
    }

    /// The carts, or every problem of every cart at once.
    pub fn carts(&self, records: &[CartRecord]) -> Result<Vec<Cart>, ValidationReport> {
        let mut c = Collector::default();
        if self.scenario.explicit.is_some() {
            c.error(
                IssueCode::NotQuotable,
                "scenario",
                "explicit_costs",
                "the scenario gives costs explicitly, without services or dates".into(),
                "quote carts on a scenario with nodes, services and stock",
            );
        }
        let carts: Vec<Cart> = records
            .iter()
            .enumerate()
            .map(|(k, r)| self.cart(&mut c, k, r))
            .collect();
        let report = c.into_report();
        if report.has_errors() {
            return Err(report);
        }
        Ok(carts)
    }

    /// An availability question, or its problems (E102 unknown SKU, E110
    /// bad date, E128 unknown channel).
    pub fn query(&self, q: &AtpQueryRecord) -> Result<AtpQuery, ValidationReport> {
        let mut c = Collector::default();
        let rec = "query";
        let skus = q
            .skus
            .iter()
            .filter_map(|id| {
                let k = self.sku_index.get(id.as_str()).copied();
                if k.is_none() {
                    c.error(
                        IssueCode::UnknownReference,
                        rec,
                        "sku",
                        format!("unknown SKU `{id}`"),
                        "fix the SKU id",
                    );
                }
                k
            })
            .collect();
        let date = match &q.date {
            Some(d) => c.date(rec, "date", d),
            None => Some(self.scenario.wave_time.date()),
        };
        let channel =
            super::channels::channel_of(&mut c, rec, q.channel.as_deref(), &self.scenario.channels);
        let report = c.into_report();
        if report.has_errors() {
            return Err(report);
        }
        Ok(AtpQuery {
            skus,
            date: date.expect("no errors means the date parsed"),
            channel,
            market: q.market.clone(),
        })
    }

    fn cart(&self, c: &mut Collector, k: usize, r: &CartRecord) -> Cart {
        let id = r.id.clone().unwrap_or_else(|| (k + 1).to_string());
        let rec = format!("cart {id}");
        let s = self.scenario;
        let (lat, lon) = place(c, false, &rec, &r.zip, r.lat, r.lon).unwrap_or((0.0, 0.0));
        let at = match &r.at {
            Some(t) => c.datetime(&rec, "at", t).unwrap_or(s.wave_time),
            None => s.wave_time,
        };
        let deliver_by = r.deliver_by.as_ref().and_then(|d| c.date(&rec, "deliver_by", d));
        if r.lines.is_empty() {
            c.error(
                IssueCode::OrderWithoutLines,
                &rec,
                "lines",
                "the cart has no lines".into(),
                "add lines",
            );
        }
        c.at_most(&rec, "lines", r.lines.len(), MAX_CART_LINES);
        let lines = r
            .lines
            .iter()
            .enumerate()
            .filter_map(|(k, l)| self.line(c, &rec, k, l))
            .collect();
        Cart {
            id,
            at,
            lat,
            lon,
            market: r.market.clone().unwrap_or_else(|| "US".into()),
            lines,
            pickup_node: self.pickup_node(c, &rec, r.pickup_node.as_deref()),
            channel: super::channels::channel_of(c, &rec, r.channel.as_deref(), &s.channels),
            deliver_by,
        }
    }

    fn line(&self, c: &mut Collector, rec: &str, k: usize, l: &CartLineRecord) -> Option<Line> {
        let field = format!("lines[{k}]");
        let found = self.sku_index.get(l.sku.as_str()).copied();
        let sku = c.known_sku(found, rec, &format!("{field}.sku"), &l.sku);
        let q = c.units_asked(rec, &format!("{field}.quantity"), l.quantity);
        let (sku, quantity) = (sku?, q?);
        Some(Line {
            sku,
            quantity,
            unfilled_penalty: None,
        })
    }

    fn pickup_node(&self, c: &mut Collector, rec: &str, id: Option<&str>) -> Option<NodeIdx> {
        let id = id?;
        let Some(&n) = self.node_index.get(id) else {
            c.error(
                IssueCode::UnknownReference,
                rec,
                "pickup_node",
                format!("unknown node `{id}`"),
                "fix the node id",
            );
            return None;
        };
        if !self.scenario.nodes[n].capabilities.pickup {
            c.error(
                IssueCode::PickupNodeCannotHandOut,
                rec,
                "pickup_node",
                format!("node `{id}` has no `pickup` capability"),
                "choose a pickup node",
            );
        }
        Some(n)
    }
}
