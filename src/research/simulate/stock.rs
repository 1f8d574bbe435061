//! What carries from wave to wave in one strategy's run: units on hand per
//! inventory record, the scenario's inbound receipts still to arrive, and
//! each node's packages and units per working day (the date of the wave
//! that planned them) against its daily capacity.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use crate::input::format::{InventoryRecord, NodeRecord, ScenarioFile};
use crate::input::validate::limits::MAX_UNITS;

/// Stock and capacity as the waves leave them.
#[derive(Debug, Clone)]
pub struct Stock {
    /// Units on hand per record (the scenario's inventory records, then
    /// records opened by returns restocked where none was).
    pub on_hand: Vec<u64>,
    /// The records, their `on_hand` as at the start.
    pub records: Vec<InventoryRecord>,
    /// Record of each (node, SKU).
    index: HashMap<(String, String), usize>,
    /// Inbound receipts still to come: (arrival date, record, units).
    pending: Vec<(NaiveDate, usize, u64)>,
    /// Packages and units planned per (node, date of the wave that planned them).
    used: HashMap<(usize, NaiveDate), (u64, u64)>,
    /// Each node's packages and units per day (`None`: no limit).
    daily: Vec<(Option<u64>, Option<u64>)>,
    /// The day replenishment last ran.
    replenished: Option<NaiveDate>,
}

/// Units that came in before a wave.
#[derive(Debug, Clone, Copy, Default)]
pub struct Received {
    /// From the scenario's inbound receipts.
    pub receipts: u64,
    /// From order-up-to replenishment.
    pub replenished: u64,
}

impl Stock {
    /// The scenario's stock and capacity; node capacity, given for the
    /// horizon, is spread evenly over its `days`.
    pub fn new(file: &ScenarioFile, days: i64) -> Stock {
        let mut index = HashMap::new();
        let mut pending = Vec::new();
        let mut on_hand = Vec::with_capacity(file.inventory.len());
        for (k, r) in file.inventory.iter().enumerate() {
            index.insert((r.node.clone(), r.sku.clone()), k);
            on_hand.push(whole(r.on_hand));
            let arrival = r.inbound_date.as_deref().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
            if let (Some(q), Some(d)) = (r.inbound_quantity, arrival) {
                pending.push((d, k, whole(q)));
            }
        }
        let per_day = |c: Option<f64>| c.map(|c| whole(c).div_ceil(days.max(1) as u64));
        Stock {
            on_hand,
            records: file.inventory.clone(),
            index,
            pending,
            used: HashMap::new(),
            daily: file
                .nodes
                .iter()
                .map(|n| (per_day(n.capacity_orders), per_day(n.capacity_units)))
                .collect(),
            replenished: None,
        }
    }

    /// Receipts arrived by `at`, and (once a day, at `replenish_at`) the
    /// DCs' and 3PLs' stock brought back up to its start.
    pub fn receive(&mut self, at: NaiveDateTime, nodes: &[NodeRecord], replenish_at: Option<NaiveTime>) -> Received {
        let mut got = Received::default();
        let date = at.date();
        let on_hand = &mut self.on_hand;
        self.pending.retain(|&(d, k, q)| {
            if d > date {
                return true;
            }
            on_hand[k] = on_hand[k].saturating_add(q);
            got.receipts = got.receipts.saturating_add(q);
            false
        });
        let due = replenish_at.is_some_and(|t| at.time() >= t) && self.replenished != Some(date);
        if due {
            self.replenished = Some(date);
            let warehouse: std::collections::HashSet<&str> = nodes
                .iter()
                .filter(|n| n.kind == "dc" || n.kind == "3pl")
                .map(|n| n.id.as_str())
                .collect();
            for (k, r) in self.records.iter().enumerate() {
                let start = whole(r.on_hand);
                if warehouse.contains(r.node.as_str()) && self.on_hand[k] < start {
                    got.replenished += start - self.on_hand[k];
                    self.on_hand[k] = start;
                }
            }
        }
        got
    }

    /// The record of (node, SKU), opened with nothing on hand if new.
    pub fn record(&mut self, node: &str, sku: &str) -> usize {
        if let Some(&k) = self.index.get(&(node.to_string(), sku.to_string())) {
            return k;
        }
        let k = self.records.len();
        self.records.push(InventoryRecord {
            node: node.to_string(),
            sku: sku.to_string(),
            on_hand: 0.0,
            reserved: None,
            safety_stock: None,
            inbound_quantity: None,
            inbound_date: None,
        });
        self.on_hand.push(0);
        self.index.insert((node.to_string(), sku.to_string()), k);
        k
    }

    /// The inventory records of a wave: what is on hand now, receipts
    /// already counted (they arrive through [`Stock::receive`]).
    pub fn inventory(&self) -> Vec<InventoryRecord> {
        self.records
            .iter()
            .zip(&self.on_hand)
            .filter(|(_, q)| **q > 0)
            .map(|(r, &q)| InventoryRecord {
                // More than a wave may order changes nothing and would
                // break validation's limit.
                on_hand: q.min(u64::from(MAX_UNITS)) as f64,
                inbound_quantity: None,
                inbound_date: None,
                ..r.clone()
            })
            .collect()
    }

    /// Node `n`'s capacity for a wave cut at `at`: what its day has left.
    /// A node picks and packs a day's waves that day, whatever day their
    /// packages are picked up.
    pub fn capacity(&self, n: usize, at: NaiveDateTime) -> (Option<f64>, Option<f64>) {
        let (packages, units) = self.daily[n];
        let used = self.used.get(&(n, at.date())).copied().unwrap_or((0, 0));
        (
            packages.map(|l| l.saturating_sub(used.0) as f64),
            units.map(|l| l.saturating_sub(used.1) as f64),
        )
    }

    /// A package of `units` planned at node `n` by a wave of `date`.
    pub fn ship(&mut self, n: usize, date: NaiveDate, units: u64) {
        let e = self.used.entry((n, date)).or_default();
        e.0 += 1;
        e.1 += units;
    }

    /// A package of a wave of `date` released before it left.
    pub fn unship(&mut self, n: usize, date: NaiveDate, units: u64) {
        let e = self.used.entry((n, date)).or_default();
        e.0 = e.0.saturating_sub(1);
        e.1 = e.1.saturating_sub(units);
    }
}

/// A validated whole, non-negative count (validation has passed, so the
/// value is whole; anything else reads as zero).
fn whole(x: f64) -> u64 {
    if x.is_finite() && x > 0.0 { x.round() as u64 } else { 0 }
}
