//! A re-plan after one node outage against re-solving the wave, side by
//! side in one run, on peak-s (1k orders, 20 nodes, 500 SKUs; the preset is
//! `DOMOPT_REROUTE_PRESET`). On peak-m the joint MIP of the ~4,800 orders an
//! outage of the busiest node re-plans does not finish in the time limit
//! yet. For each seed
//! the wave is solved (`auto`), its busiest node goes down for the wave's
//! first three days, and then (three times each, medians reported) the
//! plan is re-made with `reroute` and the wave with the outage applied is
//! solved from scratch. Criterion then measures the re-plan of seed 1.
//!
//!     cargo bench --bench reroute
//!     DOMOPT_REROUTE_PRESET=peak-s DOMOPT_REROUTE_SEEDS=1,2,3 cargo bench --bench reroute

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use domopt::format::{LoadedScenario, PolicyOverrides, read_scenario};
use domopt::generate::{GenConfig, generate};
use domopt::rerouting::{EventRecord, EventsFile, reroute};
use domopt::{CostModel, DEFAULT_MODEL, Plan, Settings, Strategy};

const RUNS: usize = 3;

struct Case {
    loaded: LoadedScenario,
    plan: Plan,
    events: EventsFile,
}

/// The preset's wave of `seed`, its plan, and the outage of its busiest node.
fn case(dir: &std::path::Path, preset: &str, seed: u64) -> Case {
    let cfg = GenConfig::preset(preset).expect("preset");
    let out = dir.join(format!("{preset}-{seed}"));
    generate(&cfg, seed, &format!("{preset}-{seed}"), &out).expect("generated");
    let loaded = read_scenario(&out).expect("readable");
    let (s, _) = domopt::load_scenario(&out, DEFAULT_MODEL, &[]).expect("valid");
    let plan = domopt::solve(&s, &Settings::default(), Strategy::Auto);
    let mut per_node: BTreeMap<&str, usize> = BTreeMap::new();
    for sh in &plan.shipments {
        *per_node.entry(&sh.node).or_default() += 1;
    }
    let busiest = per_node
        .iter()
        .max_by_key(|(n, c)| (**c, std::cmp::Reverse(**n)))
        .expect("a shipment")
        .0;
    let day = s.wave_time.date();
    let events = EventsFile {
        at: None,
        shipments: Vec::new(),
        events: vec![EventRecord::NodeOutage {
            node: busiest.to_string(),
            from: format!("{day}T00:00"),
            to: format!("{}T23:59", day + chrono::TimeDelta::days(2)),
        }],
    };
    Case {
        loaded,
        plan,
        events,
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn seeds() -> Vec<u64> {
    std::env::var("DOMOPT_REROUTE_SEEDS")
        .unwrap_or_else(|_| "1,2,3".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

fn register_chart_font() {
    const FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
    plotters::style::register_font("sans-serif", plotters::style::FontStyle::Normal, FONT)
        .unwrap_or_else(|_| panic!("the embedded chart font could not be read"));
}

fn bench(c: &mut Criterion) {
    register_chart_font();
    let dir = tempfile::tempdir().expect("temporary folder");
    let model = CostModel::load(DEFAULT_MODEL).expect("model");
    let run = PolicyOverrides::default();
    let settings = Settings::default();
    let preset = std::env::var("DOMOPT_REROUTE_PRESET").unwrap_or_else(|_| "peak-s".into());
    println!("{preset}, outage of the busiest node for 3 days; medians of {RUNS} runs");
    println!(
        "seed | packages at the node | orders re-planned | reroute (s) | re-solve (s) | ratio | cost reroute (+ stability) | cost re-solve"
    );
    let mut first = None;
    for seed in seeds() {
        let k = case(dir.path(), &preset, seed);
        let mut replan = None;
        let reroute_s = median(
            (0..RUNS)
                .map(|_| {
                    let t = Instant::now();
                    let r = reroute(&k.loaded, &model, &run, &k.plan, &k.events, &settings)
                        .expect("re-planned");
                    let s = t.elapsed().as_secs_f64();
                    replan = Some(r);
                    s
                })
                .collect(),
        );
        let r = replan.expect("ran");
        let report = r.check(&k.plan, &model, &run).expect("checked");
        assert!(report.ok(), "{:?}", report.violations);
        let mut resolved = None;
        let resolve_s = median(
            (0..RUNS)
                .map(|_| {
                    let t = Instant::now();
                    let (s, _) = domopt::validate(&r.scenario, &model, &run).expect("valid");
                    let p = domopt::solve(&s, &settings, Strategy::Auto);
                    let secs = t.elapsed().as_secs_f64();
                    resolved = Some(p);
                    secs
                })
                .collect(),
        );
        let p = resolved.expect("ran");
        let EventRecord::NodeOutage { node, .. } = &k.events.events[0] else {
            unreachable!()
        };
        let at_node = k.plan.shipments.iter().filter(|s| &s.node == node).count();
        println!(
            "{seed} | {at_node} | {} | {reroute_s:.2} | {resolve_s:.2} | {:.1}x | {:.0} (+ {:.0}) | {:.0}",
            r.summary.touched + r.summary.coupled,
            resolve_s / reroute_s,
            r.summary.cost_after,
            r.summary.stability_cost,
            p.kpis.cost.total
        );
        if first.is_none() {
            first = Some(k);
        }
    }
    let Some(k) = first else { return };
    let mut g = c.benchmark_group(format!("reroute {preset}"));
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    g.bench_function("outage of the busiest node", |b| {
        b.iter(|| {
            black_box(
                reroute(&k.loaded, &model, &run, &k.plan, &k.events, &settings)
                    .expect("re-planned"),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
