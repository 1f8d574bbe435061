//! Returns in a simulation: the units of returned orders reach the network
//! some days after delivery, are routed in one batch per wave by the
//! returns optimiser, and those restocked count as stock again.

use chrono::NaiveDateTime;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::Ctx;
use super::books::Books;
use crate::error::DomoptError;
use crate::returns::format::{ReturnRecord, ReturnsFile};
use crate::returns::model::Disposition;

/// The condition a returned unit comes back in, by the seed: 60 % new,
/// 25 % open box, 15 % damaged.
fn condition(rng: &mut ChaCha8Rng) -> &'static str {
    match rng.random::<f64>() {
        x if x < 0.60 => "new",
        x if x < 0.85 => "open_box",
        _ => "damaged",
    }
}

/// Routes the returns that reached the network by `at` and puts the
/// restocked units back on hand. Returns the units restocked.
pub(super) fn restock_until(ctx: &Ctx, books: &mut Books, at: NaiveDateTime) -> Result<u64, DomoptError> {
    let Some(template) = &ctx.options.return_costs else {
        return Ok(0);
    };
    let due: Vec<usize> = (0..books.packages.len())
        .filter(|&p| {
            let pkg = &books.packages[p];
            !pkg.released
                && !books.returned[p]
                && ctx.schedule.fates[pkg.order].returned
                && pkg.delivery_date + chrono::Duration::days(ctx.options.return_days) <= at.date()
        })
        .collect();
    if due.is_empty() {
        return Ok(0);
    }
    let mut returns = Vec::new();
    for &p in &due {
        books.returned[p] = true;
        let pkg = &books.packages[p];
        let order = &ctx.loaded.file.orders[pkg.order];
        let mut rng = ChaCha8Rng::seed_from_u64(ctx.options.seed ^ (p as u64).wrapping_mul(0x9E37_79B9));
        for (i, &(rec, q)) in pkg.units.iter().enumerate() {
            returns.push(ReturnRecord {
                id: format!("R-{p}-{i}"),
                order: Some(order.id.clone()),
                sku: books.stock.records[rec].sku.clone(),
                quantity: q as f64,
                condition: condition(&mut rng).into(),
                zip: order.zip.clone(),
                lat: order.lat,
                lon: order.lon,
            });
        }
    }
    let file = ReturnsFile {
        returns,
        demand: Vec::new(),
        ..template.clone()
    };
    let batch = crate::returns::validate::build_batch(&ctx.base, &file).map_err(|r| {
        let first = r.errors().next().map(|i| i.to_string()).unwrap_or_default();
        DomoptError::NoPlan(format!("the returns of {at} could not be routed: {first}"))
    })?;
    let plan = crate::returns::route(&ctx.base, &batch)
        .map_err(|e| DomoptError::NoPlan(format!("the returns of {at} could not be routed: {e}")))?;
    books.returns_net += plan.totals.net;
    books.returned_units += plan.totals.units;
    let mut restocked = 0;
    for row in plan.rows.iter().filter(|r| matches!(r.disposition, Disposition::RestockStore | Disposition::RestockDc)) {
        let Some(node) = &row.node else { continue };
        let rec = books.stock.record(node, &row.sku);
        books.added.resize(books.stock.records.len(), 0);
        let q = u64::from(row.units);
        books.stock.on_hand[rec] = books.stock.on_hand[rec].saturating_add(q);
        books.added[rec] += q;
        restocked += q;
    }
    Ok(restocked)
}
