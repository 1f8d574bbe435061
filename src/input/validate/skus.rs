//! SKUs: unique ids, and a weight, price and dimensions that are amounts.

use rustc_hash::FxHashMap as HashMap;

use crate::error::IssueCode;
use crate::input::format::SkuRecord;
use crate::network::domain::{Sku, SkuIdx};

use super::collector::Collector;

/// The SKUs (each id once; a repeated id is E101 and skipped) and their index by id.
pub(super) fn skus(
    c: &mut Collector,
    records: &[SkuRecord],
) -> (Vec<Sku>, HashMap<String, SkuIdx>) {
    let mut skus = Vec::new();
    let mut sku_index: HashMap<String, SkuIdx> = HashMap::default();
    for s in records {
        let rec = format!("sku {}", s.id);
        if sku_index.contains_key(&s.id) {
            c.error(
                IssueCode::DuplicateId,
                &rec,
                "id",
                "duplicate SKU id".into(),
                "give every SKU its own id",
            );
            continue;
        }
        sku_index.insert(s.id.clone(), SkuIdx::new(skus.len()));
        skus.push(sku(c, &rec, s));
    }
    (skus, sku_index)
}

/// One SKU; a wrong weight is reported and read as 0 (the report stops the run).
fn sku(c: &mut Collector, rec: &str, s: &SkuRecord) -> Sku {
    let weight = c.non_negative(rec, "weight_lb", s.weight_lb);
    if let Some(p) = s.price {
        c.non_negative(rec, "price", p);
    }
    if let Some(d) = s.dims_in {
        for (k, x) in d.iter().enumerate() {
            c.non_negative(rec, &format!("dims_in[{k}]"), *x);
        }
    }
    Sku {
        id: s.id.clone(),
        weight_lb: weight.unwrap_or(0.0),
        price: s.price,
        ship_alone: s.ship_alone,
        hazmat: s.hazmat,
        returnable: s.returnable.unwrap_or(true),
    }
}
