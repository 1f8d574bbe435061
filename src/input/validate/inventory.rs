//! Inventory: one row per (node, SKU), whole quantities, reserved within
//! on hand, and the units available to promise at the wave's time.

use std::fmt::Display;

use chrono::{NaiveDate, NaiveDateTime};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::error::IssueCode;
use crate::input::format::InventoryRecord;
use crate::network::domain::{NodeIdx, Receipt, Sku, SkuIdx};

use super::collector::Collector;

/// What the inventory rows give the orders.
pub(super) struct Stock {
    /// Units available to promise per (node, SKU), where positive.
    pub atp: HashMap<(NodeIdx, SkuIdx), u32>,
    /// Whether a SKU has units on hand or inbound at some node, by index.
    pub stocked: Vec<bool>,
    /// Inbound receipts that arrive after the wave's date.
    pub receipts: Vec<Receipt>,
}

/// Rows checked side by side, a block at a time; each block's results are
/// then taken in row order, so the issues come out as from one pass.
const BLOCK_ROWS: usize = 1 << 16;

/// What a row is checked against.
struct RowContext<'a> {
    node_index: &'a HashMap<String, NodeIdx>,
    sku_index: &'a HashMap<String, SkuIdx>,
    wave_time: Option<NaiveDateTime>,
}

/// One row checked on its own: its node and SKU (with E102 when unknown),
/// and its quantities (with their issues, reported only if the row is the
/// first for its node and SKU).
struct CheckedRow {
    node: Option<NodeIdx>,
    sku: Option<SkuIdx>,
    references: Collector,
    quantities: Option<RowQuantities>,
    quantity_issues: Collector,
}

/// The inventory's stock, then a warning (W201) for every SKU stocked nowhere.
pub(super) fn inventory(
    c: &mut Collector,
    rows: &[InventoryRecord],
    node_index: &HashMap<String, NodeIdx>,
    sku_index: &HashMap<String, SkuIdx>,
    skus: &[Sku],
    wave_time: Option<NaiveDateTime>,
) -> Stock {
    use rayon::prelude::*;
    let cx = RowContext {
        node_index,
        sku_index,
        wave_time,
    };
    let mut stock = Stock {
        // Every known (node, SKU) row gets an entry, zero when it has nothing
        // to promise, so that one lookup both finds a second row for the
        // pair and stores the first; the zeros go at the end.
        atp: HashMap::with_capacity_and_hasher(rows.len(), Default::default()),
        stocked: vec![false; skus.len()],
        receipts: Vec::new(),
    };
    // Rows naming an unknown node or SKU are told apart by their ids.
    let mut seen_unknown = HashSet::default();
    for (b, block) in rows.chunks(BLOCK_ROWS).enumerate() {
        let first_row = b * BLOCK_ROWS + 1;
        let checked: Vec<CheckedRow> = block
            .par_iter()
            .enumerate()
            .map(|(k, r)| check_row(&RowLabel { row: first_row + k, r }, &cx))
            .collect();
        for (k, (r, row)) in block.iter().zip(checked).enumerate() {
            c.append(row.references);
            let first = match (row.node, row.sku) {
                (Some(n), Some(s)) => stock.atp.insert((n, s), 0).is_none(),
                _ => seen_unknown.insert((r.node.as_str(), r.sku.as_str())),
            };
            if !first {
                c.error(
                    IssueCode::DuplicateId,
                    &RowLabel { row: first_row + k, r },
                    "node+sku",
                    "second row for the same node and SKU".into(),
                    "merge the rows into one",
                );
                continue;
            }
            c.append(row.quantity_issues);
            if let (Some(quantities), Some(n), Some(s)) = (row.quantities, row.node, row.sku) {
                add_row(&mut stock, n, s, quantities);
            }
        }
    }
    stock.atp.retain(|_, units| *units > 0);
    warn_unstocked(c, skus, &stock.stocked);
    stock
}

/// A row's references and quantities, checked without the other rows.
fn check_row(rec: &RowLabel, cx: &RowContext) -> CheckedRow {
    let mut references = Collector::default();
    let node = known(&mut references, rec, "node", "node", &rec.r.node, cx.node_index);
    let sku = known(&mut references, rec, "sku", "SKU", &rec.r.sku, cx.sku_index);
    let mut quantity_issues = Collector::default();
    let quantities = row_quantities(&mut quantity_issues, rec, rec.r, cx.wave_time);
    CheckedRow {
        node,
        sku,
        references,
        quantities,
        quantity_issues,
    }
}

/// An inventory row as issues name it, written out only when one is
/// reported: a wave has millions of rows and almost all are clean.
struct RowLabel<'a> {
    /// The row's number, from 1.
    row: usize,
    r: &'a InventoryRecord,
}

impl Display for RowLabel<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "inventory row {} ({} / {})", self.row, self.r.node, self.r.sku)
    }
}

/// The index of `id`, a `what` (node or SKU) named in `field`, or E102.
fn known<I: Copy>(
    c: &mut Collector,
    rec: &RowLabel,
    field: &str,
    what: &str,
    id: &str,
    index: &HashMap<String, I>,
) -> Option<I> {
    let found = index.get(id).copied();
    if found.is_none() {
        c.error(
            IssueCode::UnknownReference,
            rec,
            field,
            format!("unknown {what} `{id}`"),
            &format!("add the {what} or fix the id"),
        );
    }
    found
}

/// A row's valid quantities.
struct RowQuantities {
    on_hand: u32,
    reserved: u32,
    safety: u32,
    inbound: u32,
    /// Whether the inbound receipt has arrived by the wave's date.
    arrived: bool,
    /// When it arrives, if dated.
    inbound_date: Option<NaiveDate>,
}

/// The row's quantities, each whole and within the limit, reserved at most
/// on hand (E105); `None` if any is wrong.
fn row_quantities(
    c: &mut Collector,
    rec: &RowLabel,
    r: &InventoryRecord,
    wave_time: Option<NaiveDateTime>,
) -> Option<RowQuantities> {
    let on_hand = c.quantity(rec, "on_hand", r.on_hand);
    let reserved = c.quantity(rec, "reserved", r.reserved.unwrap_or(0.0));
    let safety = c.quantity(rec, "safety_stock", r.safety_stock.unwrap_or(0.0));
    let inbound = c.quantity(rec, "inbound_quantity", r.inbound_quantity.unwrap_or(0.0));
    let inbound_date = r
        .inbound_date
        .as_ref()
        .and_then(|d| c.date(rec, "inbound_date", d));
    if let (Some(oh), Some(res)) = (on_hand, reserved)
        && res > oh
    {
        c.error(
            IssueCode::ReservedAboveOnHand,
            rec,
            "reserved",
            format!("{res} reserved but only {oh} on hand"),
            "lower reserved to at most on_hand, or correct on_hand",
        );
    }
    // Inbound counts once it has arrived by the wave's date.
    let arrived = match (inbound_date, wave_time) {
        (Some(d), Some(w)) => d <= w.date(),
        (None, _) => true,
        _ => false,
    };
    Some(RowQuantities {
        on_hand: on_hand?,
        reserved: reserved?,
        safety: safety?,
        inbound: inbound?,
        arrived,
        inbound_date,
    })
}

/// Adds a valid row's available units and marks its SKU stocked.
fn add_row(stock: &mut Stock, n: NodeIdx, s: SkuIdx, q: RowQuantities) {
    // Each term is at most MAX_UNITS, so the sum fits in u32 once positive.
    let usable = i64::from(q.on_hand) + if q.arrived { i64::from(q.inbound) } else { 0 }
        - i64::from(q.reserved)
        - i64::from(q.safety);
    if let Ok(usable) = u32::try_from(usable)
        && usable > 0
    {
        stock.atp.insert((n, s), usable);
    }
    if q.on_hand > 0 || q.inbound > 0 {
        stock.stocked[s.index()] = true;
    }
    if let (false, Some(arrives)) = (q.arrived, q.inbound_date)
        && q.inbound > 0
    {
        stock.receipts.push(Receipt {
            node: n,
            sku: s,
            arrives,
            units: q.inbound,
            usable_before: i64::from(q.on_hand) - i64::from(q.reserved) - i64::from(q.safety),
        });
    }
}

/// W201 for every SKU no row stocks.
fn warn_unstocked(c: &mut Collector, skus: &[Sku], stocked: &[bool]) {
    for (s, _) in skus.iter().zip(stocked).filter(|(_, stocked)| !**stocked) {
        c.warn(
            IssueCode::SkuWithoutStock,
            &format!("sku {}", s.id),
            "inventory",
            "no stock at any node".into(),
            "add inventory rows, or expect its lines to be unfilled",
        );
    }
}
