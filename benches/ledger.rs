//! Reservation ledger latency on peak-l's network (500 nodes, 20k SKUs) on
//! the embedded SQLite back end, without HTTP: a one-line network-level
//! reservation (`execute`, one `BEGIN IMMEDIATE` transaction with an fsync
//! at commit), and the availability of one SKU. Each of 2,000 calls is timed
//! alone and the percentiles printed, then criterion measures the same.
//!
//!     cargo bench --bench ledger

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use domopt::generate::{GenConfig, generate};
use domopt::reservations::{ClaimLine, Ledger, Request, SqliteLedger, SystemClock};

const TIMED: usize = 2_000;

/// A ledger made from peak-l's network and stock (seed 1), and the SKUs
/// with the most stock, to reserve from.
fn ledger(dir: &std::path::Path) -> (SqliteLedger, Vec<String>) {
    let cfg = GenConfig::preset("peak-l")
        .expect("preset")
        .with_overrides(&["orders=100".into()])
        .expect("override");
    let scenario_dir = dir.join("scenario");
    generate(&cfg, 1, "peak-l-network", &scenario_dir).expect("generated");
    let loaded = domopt::format::read_scenario(&scenario_dir).expect("readable");
    let mut units: std::collections::BTreeMap<&str, f64> = Default::default();
    for r in &loaded.file.inventory {
        *units.entry(&r.sku).or_default() += r.on_hand;
    }
    let mut skus: Vec<(&str, f64)> = units.into_iter().collect();
    skus.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    let skus = skus.iter().take(100).map(|(k, _)| k.to_string()).collect();
    let db = dir.join("ledger.db");
    let l = SqliteLedger::create(&db, &loaded, domopt::DEFAULT_MODEL, Arc::new(SystemClock))
        .expect("ledger");
    (l, skus)
}

fn reserve(k: usize, skus: &[String], tag: &str) -> Request {
    Request::Reserve {
        id: format!("{tag}-{k}"),
        order: None,
        channel: None,
        from_hold: None,
        lines: vec![ClaimLine {
            sku: skus[k % skus.len()].clone(),
            node: None,
            quantity: 1,
        }],
    }
}

/// (p50, p99, max) in microseconds of `n` calls of `f(k)` timed one by one.
fn percentiles(n: usize, mut f: impl FnMut(usize)) -> (f64, f64, f64) {
    let mut times: Vec<f64> = (0..n)
        .map(|k| {
            let t = Instant::now();
            f(k);
            t.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((n as f64 * q) as usize).min(n - 1)];
    (at(0.5), at(0.99), times[n - 1])
}

/// Registers the font domopt embeds as plotters' `sans-serif`, which
/// criterion's report charts need (see `benches/pipeline.rs`).
fn register_chart_font() {
    const FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
    plotters::style::register_font("sans-serif", plotters::style::FontStyle::Normal, FONT)
        .unwrap_or_else(|_| panic!("the embedded chart font could not be read"));
}

fn bench(c: &mut Criterion) {
    register_chart_font();
    let dir = tempfile::tempdir().expect("temporary folder");
    let (l, skus) = ledger(dir.path());
    let r = percentiles(TIMED, |k| {
        black_box(l.execute(&reserve(k, &skus, "timed")).expect("granted"));
    });
    let a = percentiles(TIMED, |k| {
        black_box(
            l.availability(&skus[k % skus.len()], None, None)
                .expect("known"),
        );
    });
    println!("ledger on peak-l's network (500 nodes, 20k SKUs), SQLite, {TIMED} calls:");
    println!("call | p50 / p99 / max (us)");
    println!("reserve 1 unit | {:.0} / {:.0} / {:.0}", r.0, r.1, r.2);
    println!(
        "availability of 1 SKU | {:.0} / {:.0} / {:.0}",
        a.0, a.1, a.2
    );
    let mut g = c.benchmark_group("ledger peak-l");
    g.warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    let mut k = 0;
    g.bench_function("reserve one unit", |b| {
        b.iter(|| {
            k += 1;
            l.execute(&reserve(k, &skus, "criterion")).expect("granted")
        })
    });
    g.bench_function("availability of one SKU", |b| {
        b.iter(|| {
            k += 1;
            l.availability(&skus[k % skus.len()], None, None)
                .expect("known")
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
