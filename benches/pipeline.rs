//! The phases of a solve on a generated `peak-s` wave (1k orders, 20 nodes,
//! 500 SKUs): network and candidates, model building, the decomposition's
//! per-order exact search, coupling rows and the column generation (master LP,
//! pricing and neighbourhood MIPs), decoding and checking.
//! The solver itself is left out: its time depends on HiGHS and the time limit,
//! and `domopt bench` measures it end to end.
//!
//!     cargo bench --bench pipeline

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use domopt::domain::OrderIdx;
use domopt::generate::{GenConfig, generate};
use domopt::network::candidates;
use domopt::network::lanes::Network;
use domopt::solution::check;
use domopt::solution::decode;
use domopt::sourcing::baselines::greedy;
use domopt::sourcing::decompose;
use domopt::sourcing::decompose::Coupling;
use domopt::sourcing::formulation;
use domopt::sourcing::order_opt;
use domopt::sourcing::{self, Strategy};
use domopt::{CandidateMode, Settings};

/// Registers the font domopt embeds as plotters' `sans-serif`: with plotters'
/// `ab_glyph` feature on (see Cargo.toml), criterion's report charts find no
/// font for their text otherwise.
fn register_chart_font() {
    const FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
    plotters::style::register_font("sans-serif", plotters::style::FontStyle::Normal, FONT)
        .unwrap_or_else(|_| panic!("the embedded chart font could not be read"));
}

fn pipeline(c: &mut Criterion) {
    register_chart_font();
    // Setup, outside every timed loop: the instance, its candidates, a plan.
    let dir = tempfile::tempdir().expect("temporary folder");
    let cfg = GenConfig::preset("peak-s").expect("preset");
    generate(&cfg, 1, "peak-s-seed1", dir.path()).expect("generated");
    let (s, _) = domopt::load_scenario(dir.path(), "us-parcel", &[]).expect("valid scenario");
    let net = Network::build(&s);
    let cs = candidates::generate(&s, &net, CandidateMode::Exact);
    let assignments = greedy::greedy_cost(&s, &cs);
    let plan = sourcing::run(&s, &Settings::default(), Strategy::GreedyCost);
    let record = plan.solve.clone();

    let mut g = c.benchmark_group("peak-s");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    g.bench_function("network + candidates", |b| {
        b.iter_with_large_drop(|| {
            let net = Network::build(black_box(&s));
            candidates::generate(&s, &net, CandidateMode::Exact)
        })
    });
    g.bench_function("formulation::build", |b| {
        b.iter_with_large_drop(|| formulation::build(black_box(&s), black_box(&cs)))
    });
    g.bench_function("greedy::greedy_cost", |b| {
        b.iter_with_large_drop(|| greedy::greedy_cost(black_box(&s), black_box(&cs)))
    });
    g.bench_function("order_opt::best_plan (every order alone)", |b| {
        b.iter(|| {
            OrderIdx::all(s.orders.len())
                .map(|o| order_opt::best_plan(&order_opt::OrderView::new(&s, &cs, o)).cost)
                .sum::<f64>()
        })
    });
    g.bench_function("coupling::Coupling::new", |b| {
        b.iter_with_large_drop(|| Coupling::new(black_box(&s), black_box(&cs)))
    });
    let settings = Settings::default();
    let coupling = Coupling::new(&s, &cs);
    g.bench_function(
        "decompose::solve (to the master LP optimum, then plans)",
        |b| {
            b.iter_with_large_drop(|| {
                decompose::solve(
                    black_box(&s),
                    black_box(&cs),
                    &coupling,
                    assignments.clone(),
                    decompose::Limits {
                        target_gap: 0.0,
                        time_limit_s: f64::INFINITY,
                        max_iterations: 1_000,
                        ascent_orders: decompose::ASCENT_ORDERS,
                    },
                    &settings,
                    &|_| {},
                )
            })
        },
    );
    g.bench_function("decode::assemble (greedy plan)", |b| {
        b.iter_with_large_drop(|| {
            decode::assemble(
                black_box(&s),
                black_box(&cs),
                black_box(&assignments),
                record.clone(),
            )
        })
    });
    g.bench_function("check::check", |b| {
        b.iter_with_large_drop(|| check::check(black_box(&s), black_box(&plan)))
    });
    g.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
