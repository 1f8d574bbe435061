//! Checkout promise latency on peak-l's network (500 nodes, 20k SKUs, 3
//! services): a five-line cart quoted by `Promiser::quote`, and validated
//! then quoted. Carts are the SKUs and destinations of the generated wave's
//! orders, five distinct SKUs each.
//!
//! Before criterion's own measurement, each quote of 20,000 (over 2,000
//! carts) is timed alone and the percentiles are printed, for the network of
//! seeds 1, 2 and 3: criterion reports means and medians, the target is a p99.
//!
//!     cargo bench --bench promise

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use domopt::Scenario;
use domopt::generate::{GenConfig, generate};
use domopt::promising::{CartLineRecord, CartRecord, Promiser};

const CART_LINES: usize = 5;
const CARTS: usize = 2_000;
const TIMED_QUOTES: usize = 20_000;

/// peak-l's network and stock, with 2,000 orders for the carts' SKUs and
/// destinations.
fn network(seed: u64, dir: &std::path::Path) -> Scenario {
    let cfg = GenConfig::preset("peak-l")
        .expect("preset")
        .with_overrides(&["orders=2000".into()])
        .expect("override");
    generate(&cfg, seed, "peak-l-network", dir).expect("generated");
    let (s, _) = domopt::load_scenario(dir, "us-parcel", &[]).expect("valid scenario");
    assert_eq!(s.nodes.len(), 500);
    s
}

/// Five-line carts: the wave's order lines in order, five distinct SKUs
/// each, to each order's destination.
fn carts(s: &Scenario) -> Vec<CartRecord> {
    let lines: Vec<&str> = s
        .orders
        .iter()
        .flat_map(|o| o.lines.iter().map(|l| s.skus[l.sku].id.as_str()))
        .collect();
    let mut out = Vec::new();
    let mut next = 0;
    for o in s.orders.iter().cycle().take(CARTS) {
        let mut skus: Vec<&str> = Vec::new();
        while skus.len() < CART_LINES {
            let sku = lines[next % lines.len()];
            next += 1;
            if !skus.contains(&sku) {
                skus.push(sku);
            }
        }
        out.push(CartRecord {
            lat: Some(o.lat),
            lon: Some(o.lon),
            lines: skus
                .into_iter()
                .map(|sku| CartLineRecord {
                    sku: sku.into(),
                    quantity: 1.0,
                })
                .collect(),
            ..Default::default()
        });
    }
    out
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

fn latency_table() {
    println!(
        "promise latency, five-line carts, peak-l network (500 nodes), {TIMED_QUOTES} quotes:"
    );
    println!(
        "seed | quote p50 / p99 / max (us) | validate + quote p50 / p99 / max (us) | options available"
    );
    for seed in [1, 2, 3] {
        let dir = tempfile::tempdir().expect("temporary folder");
        let s = network(seed, dir.path());
        let promiser = Promiser::new(&s);
        let records = carts(&s);
        let valid = promiser.validator().carts(&records).expect("valid carts");
        let quote = percentiles(TIMED_QUOTES, |k| {
            black_box(promiser.quote(&valid[k % CARTS]));
        });
        let both = percentiles(TIMED_QUOTES, |k| {
            let c = promiser
                .validator()
                .carts(std::slice::from_ref(&records[k % CARTS]))
                .expect("valid");
            black_box(promiser.quote(&c[0]));
        });
        let offered: usize = valid
            .iter()
            .map(|c| {
                promiser
                    .quote(c)
                    .options
                    .iter()
                    .filter(|o| matches!(o.outcome, domopt::promising::Outcome::Available(_)))
                    .count()
            })
            .sum();
        println!(
            "{seed} | {:.1} / {:.1} / {:.1} | {:.1} / {:.1} / {:.1} | {:.2} per cart",
            quote.0,
            quote.1,
            quote.2,
            both.0,
            both.1,
            both.2,
            offered as f64 / CARTS as f64
        );
    }
}

/// Registers the font domopt embeds as plotters' `sans-serif`, which
/// criterion's report charts need (see `benches/pipeline.rs`).
fn register_chart_font() {
    const FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
    plotters::style::register_font("sans-serif", plotters::style::FontStyle::Normal, FONT)
        .unwrap_or_else(|_| panic!("the embedded chart font could not be read"));
}

fn promise(c: &mut Criterion) {
    register_chart_font();
    latency_table();
    let dir = tempfile::tempdir().expect("temporary folder");
    let s = network(1, dir.path());
    let promiser = Promiser::new(&s);
    let records = carts(&s);
    let valid = promiser.validator().carts(&records).expect("valid carts");
    let mut g = c.benchmark_group("promise peak-l");
    g.warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    let mut k = 0;
    g.bench_function("quote a five-line cart", |b| {
        b.iter(|| {
            k = (k + 1) % CARTS;
            promiser.quote(black_box(&valid[k]))
        })
    });
    g.bench_function("validate and quote a five-line cart", |b| {
        b.iter(|| {
            k = (k + 1) % CARTS;
            let c = promiser
                .validator()
                .carts(std::slice::from_ref(black_box(&records[k])))
                .expect("valid");
            promiser.quote(&c[0])
        })
    });
    g.finish();
}

criterion_group!(benches, promise);
criterion_main!(benches);
