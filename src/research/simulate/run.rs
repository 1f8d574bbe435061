//! One strategy over the horizon: each wave built from the stock and
//! capacity the earlier waves left, solved, checked and booked; orders
//! cancelled before their packages leave give their units back; returns
//! come back and are routed.

use std::collections::HashMap;
use std::time::Instant;

use chrono::{NaiveDateTime, NaiveTime};

use super::options::SimStrategy;
use super::report::{HorizonKpis, WaveRow, ratio};
use super::stock::Stock;
use super::books::{Booked, Books, Package};
use super::wave::{validated, wave_file};
use super::{Ctx, lookahead, returns};
use crate::error::DomoptError;
use crate::input::settings::Strategy;
use crate::network::domain::Scenario;
use crate::solution::check;
use crate::solution::plan::Plan;
use crate::sourcing;

/// What one strategy did.
#[derive(Debug, Clone)]
pub struct StrategyRun {
    /// Its name.
    pub strategy: String,
    /// One row per wave.
    pub waves: Vec<WaveRow>,
    /// The horizon's KPIs.
    pub horizon: HorizonKpis,
    /// Units added beyond the start's stock: (node, SKU, units).
    pub added: Vec<(String, String, u64)>,
    /// Packages and units each node shipped over the horizon (by node index).
    pub shipped_by_node: Vec<(u64, u64)>,
}

/// Runs `strategy` over every wave of the schedule.
pub(super) fn run(ctx: &Ctx, strategy: SimStrategy) -> Result<StrategyRun, DomoptError> {
    let started = Instant::now();
    let file = &ctx.loaded.file;
    let mut cancels: Vec<(NaiveDateTime, usize)> = ctx
        .schedule
        .fates
        .iter()
        .enumerate()
        .filter_map(|(k, f)| f.cancel_at.map(|t| (t, k)))
        .collect();
    cancels.sort_by(|a, b| b.cmp(a));
    let stock = Stock::new(file, ctx.schedule.days);
    let mut books = Books {
        added: vec![0; stock.records.len()],
        stock,
        packages: Vec::new(),
        orders: vec![Booked::default(); file.orders.len()],
        cancels,
        cancelled_too_late: 0,
        returned: Vec::new(),
        returned_units: 0,
        returns_net: 0.0,
    };
    let mut rows = Vec::with_capacity(ctx.schedule.waves.len());
    for (w, cut) in ctx.schedule.waves.iter().enumerate() {
        rows.push(wave(ctx, strategy, &mut books, w, cut.at, &cut.orders)?);
        (ctx.progress)(strategy.name(), w + 1, ctx.schedule.waves.len());
    }
    let mut horizon = horizon_kpis(&books, started.elapsed().as_secs_f64());
    horizon.strategy = strategy.name().to_string();
    let added = books
        .added
        .iter()
        .enumerate()
        .filter(|(_, q)| **q > 0)
        .map(|(k, &q)| (books.stock.records[k].node.clone(), books.stock.records[k].sku.clone(), q))
        .collect();
    let mut shipped_by_node = vec![(0, 0); file.nodes.len()];
    for p in books.packages.iter().filter(|p| !p.released) {
        shipped_by_node[p.node].0 += 1;
        shipped_by_node[p.node].1 += p.total_units();
    }
    Ok(StrategyRun {
        strategy: strategy.name().to_string(),
        waves: rows,
        horizon,
        added,
        shipped_by_node,
    })
}

/// The horizon's KPIs of a run's books.
fn horizon_kpis(books: &Books, time_s: f64) -> HorizonKpis {
    let mut h = HorizonKpis {
        cancelled_too_late: books.cancelled_too_late,
        returned_units: books.returned_units,
        returns_net: books.returns_net,
        time_s,
        ..Default::default()
    };
    let (mut shipped, mut split, mut splittable, mut late, mut promised) = (0u64, 0u64, 0u64, 0u64, 0u64);
    for o in &books.orders {
        if o.cancelled {
            h.cancelled += 1;
            continue;
        }
        if !o.planned {
            continue;
        }
        h.orders += 1;
        h.units_ordered += o.ordered;
        h.unfilled_units += o.unfilled;
        h.stockout_units += o.stockout;
        h.cost += o.unfilled_cost;
        h.objective += o.unfilled_cost + o.split_cost;
        let left = o.packages.iter().map(|&p| &books.packages[p]).filter(|p| !p.released);
        let mut n = 0;
        for p in left {
            n += 1;
            shipped += p.units.iter().map(|u| u.1).sum::<u64>();
            let c = &p.cost;
            h.shipping += c.shipping;
            h.cost += c.shipping + c.handling + c.store_premium;
            h.objective += c.total;
            if let Some(on_time) = p.on_time {
                promised += 1;
                late += u64::from(!on_time);
            }
        }
        h.packages += n;
        if o.ordered >= 2 && n > 0 {
            splittable += 1;
            split += u64::from(n > 1);
        }
    }
    h.cost_per_order = ratio(h.cost, h.orders as f64);
    h.split_rate = ratio(split as f64, splittable as f64);
    h.on_time = (promised > 0).then(|| 1.0 - late as f64 / promised as f64);
    h.fill = if h.units_ordered > 0 { shipped as f64 / h.units_ordered as f64 } else { 1.0 };
    h
}

/// One wave: events up to its cut, then its orders routed and booked.
fn wave(
    ctx: &Ctx,
    strategy: SimStrategy,
    books: &mut Books,
    w: usize,
    at: NaiveDateTime,
    arrived: &[usize],
) -> Result<WaveRow, DomoptError> {
    let file = &ctx.loaded.file;
    let received = books.stock.receive(at, &file.nodes, ctx.options.replenish_at);
    books.added.resize(books.stock.records.len(), 0);
    let released = cancel_until(books, at);
    let restocked = returns::restock_until(ctx, books, at)?;
    let orders: Vec<usize> = arrived.iter().copied().filter(|&k| !books.orders[k].cancelled).collect();
    let wave_file = wave_file(ctx, &books.stock, at, &orders);
    let scenario = validated(ctx, &wave_file, w)?;
    let t = Instant::now();
    let (plan, priced_rows) = match strategy {
        SimStrategy::Plan(s) => (sourcing::run(&scenario, &ctx.options.settings, s), 0),
        SimStrategy::Opportunity => {
            let prices = lookahead::prices(ctx, &wave_file, w, at)?;
            let n = prices.len();
            (sourcing::run_priced(&scenario, &ctx.options.settings, Strategy::Auto, &prices), n)
        }
    };
    let solve_s = t.elapsed().as_secs_f64();
    let report = check::check(&scenario, &plan);
    if !report.ok() {
        let first = report
            .violations
            .first()
            .map(|v| format!("{} {}: {}", v.kind, v.record, v.message))
            .unwrap_or_default();
        return Err(DomoptError::NoPlan(format!(
            "wave {} ({at}): the checker refused the {} plan: {first}",
            w + 1,
            strategy.name()
        )));
    }
    let exhausted = exhausted_skus(&scenario, &plan);
    book(ctx, books, &plan, &orders, at, &exhausted);
    let mut row = WaveRow::of(strategy.name(), w, at, &plan, solve_s);
    row.stockout_units = plan
        .backorders
        .iter()
        .filter(|b| exhausted.contains(b.sku.as_str()))
        .map(|b| u64::from(b.units))
        .sum();
    row.cancelled = (arrived.len() - orders.len()) as u64;
    row.received_units = received.receipts;
    row.replenished_units = received.replenished;
    row.released_units = released;
    row.restocked_units = restocked;
    row.priced_rows = priced_rows as u64;
    Ok(row)
}

/// Cancellations up to `at`: a planned order whose packages have not left
/// gives back its units and capacity; one not yet planned never will be.
/// Returns the units given back.
fn cancel_until(books: &mut Books, at: NaiveDateTime) -> u64 {
    let mut released = 0;
    while books.cancels.last().is_some_and(|&(t, _)| t <= at) {
        let (t, k) = books.cancels.pop().expect("checked");
        let order = &books.orders[k];
        if !order.planned {
            books.orders[k].cancelled = true;
            continue;
        }
        let pkgs = order.packages.clone();
        if pkgs.iter().any(|&p| books.packages[p].leaves_at <= t) {
            books.cancelled_too_late += 1;
            continue;
        }
        for p in pkgs {
            let pkg = &mut books.packages[p];
            pkg.released = true;
            for &(rec, q) in &pkg.units {
                books.stock.on_hand[rec] += q;
                released += q;
            }
            let (node, date, units) = (pkg.node, pkg.worked_on, pkg.total_units());
            books.stock.unship(node, date, units);
        }
        books.orders[k].cancelled = true;
    }
    released
}

/// Books a checked wave plan: stock and capacity taken, packages and
/// orders recorded.
fn book(
    ctx: &Ctx,
    books: &mut Books,
    plan: &Plan,
    orders: &[usize],
    at: NaiveDateTime,
    exhausted: &std::collections::HashSet<&str>,
) {
    let by_id: HashMap<&str, usize> = orders
        .iter()
        .map(|&k| (ctx.loaded.file.orders[k].id.as_str(), k))
        .collect();
    for s in &plan.shipments {
        let (Some(&order), Some(&node)) = (by_id.get(s.order.as_str()), ctx.node_index.get(&s.node)) else {
            continue;
        };
        let units: Vec<(usize, u64)> = s
            .items
            .iter()
            .map(|i| {
                let rec = books.stock.record(&s.node, &i.sku);
                let q = u64::from(i.quantity);
                books.stock.on_hand[rec] = books.stock.on_hand[rec].saturating_sub(q);
                (rec, q)
            })
            .collect();
        let total: u64 = units.iter().map(|u| u.1).sum();
        books.stock.ship(node, at.date(), total);
        let cutoff = ctx.cutoffs.get(&(s.node.clone(), s.service.clone())).copied();
        books.orders[order].packages.push(books.packages.len());
        books.returned.push(false);
        books.packages.push(Package {
            order,
            node,
            units,
            worked_on: at.date(),
            leaves_at: s.ship_date.and_time(cutoff.unwrap_or(END_OF_DAY)),
            delivery_date: s.delivery_date,
            cost: s.cost,
            on_time: s.promised_date.map(|p| s.delivery_date <= p),
            released: false,
        });
    }
    let mut unfilled_cost: HashMap<&str, f64> = HashMap::new();
    let mut stockout: HashMap<&str, u64> = HashMap::new();
    for b in &plan.backorders {
        *unfilled_cost.entry(b.order.as_str()).or_default() += f64::from(b.units) * b.penalty_per_unit;
        if exhausted.contains(b.sku.as_str()) {
            *stockout.entry(b.order.as_str()).or_default() += u64::from(b.units);
        }
    }
    for o in &plan.orders {
        let Some(&k) = by_id.get(o.order.as_str()) else { continue };
        let shipped: f64 = books.orders[k].packages.iter().map(|&p| books.packages[p].cost.total).sum();
        let unfilled = unfilled_cost.get(o.order.as_str()).copied().unwrap_or(0.0);
        let b = &mut books.orders[k];
        b.planned = true;
        b.ordered = u64::from(o.units_ordered);
        b.unfilled = u64::from(o.units_ordered - o.units_shipped.min(o.units_ordered));
        b.unfilled_cost = unfilled;
        b.stockout = stockout.get(o.order.as_str()).copied().unwrap_or(0);
        b.split_cost = (o.cost - shipped - unfilled).max(0.0);
    }
}

/// The SKUs no node has a unit of left to promise once the wave's plan
/// ships: an unfilled unit of one is a stock-out, not a unit kept back by
/// capacity or cost.
pub(super) fn exhausted_skus<'p>(s: &Scenario, plan: &'p Plan) -> std::collections::HashSet<&'p str> {
    let mut left = vec![0u64; s.skus.len()];
    for (&(_, sku), &q) in &s.atp {
        left[sku.index()] += u64::from(q);
    }
    let index: HashMap<&str, usize> = s.skus.iter().enumerate().map(|(k, sku)| (sku.id.as_str(), k)).collect();
    for item in plan.shipments.iter().flat_map(|sh| &sh.items) {
        if let Some(&k) = index.get(item.sku.as_str()) {
            left[k] = left[k].saturating_sub(u64::from(item.quantity));
        }
    }
    plan.backorders
        .iter()
        .filter(|b| index.get(b.sku.as_str()).is_none_or(|&k| left[k] == 0))
        .map(|b| b.sku.as_str())
        .collect()
}

/// When a package without a cutoff leaves: the end of its ship date.
const END_OF_DAY: NaiveTime = match NaiveTime::from_hms_opt(23, 59, 59) {
    Some(t) => t,
    None => NaiveTime::MIN,
};
