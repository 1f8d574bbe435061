//! A re-plan after one node outage against re-solving the wave, side by
//! side in one run, on peak-s (1k orders, 20 nodes, 500 SKUs) and peak-m
//! (20k orders, 100 nodes, 5k SKUs). For each case (`DOMOPT_REROUTE_CASES`,
//! preset:seed, by default peak-s seeds 1-3 and peak-m seeds 1-2) the wave
//! is solved (`auto`), its busiest node goes down for the wave's first three
//! days, and then (`DOMOPT_REROUTE_RUNS` times each, default 3, medians
//! reported) the plan is re-made with `reroute` and the wave with the
//! outage applied is solved from scratch. Criterion then measures the
//! re-plan of the first case.
//!
//!     cargo bench --bench reroute
//!     DOMOPT_REROUTE_CASES=peak-m:1,peak-m:2 DOMOPT_REROUTE_RUNS=1 cargo bench --bench reroute

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use domopt::format::{LoadedScenario, PolicyOverrides, read_scenario};
use domopt::generate::{GenConfig, generate};
use domopt::rerouting::{EventRecord, EventsFile, reroute};
use domopt::{CostModel, DEFAULT_MODEL, Plan, Settings, Strategy};

fn runs() -> usize {
    std::env::var("DOMOPT_REROUTE_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(3)
}

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

/// (preset, seed) of each case.
fn cases() -> Vec<(String, u64)> {
    std::env::var("DOMOPT_REROUTE_CASES")
        .unwrap_or_else(|_| "peak-s:1,peak-s:2,peak-s:3,peak-m:1,peak-m:2".into())
        .split(',')
        .filter_map(|c| {
            let (preset, seed) = c.trim().split_once(':')?;
            Some((preset.to_string(), seed.parse().ok()?))
        })
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
    let runs = runs();
    println!("outage of the busiest node for 3 days; medians of {runs} runs");
    println!(
        "preset | seed | packages at the node | orders re-planned | reroute (s) | re-solve (s) | ratio | cost reroute (+ stability) | cost re-solve | re-plan status (gap to its bound)"
    );
    let mut first = None;
    for (preset, seed) in cases() {
        let k = case(dir.path(), &preset, seed);
        let mut replan = None;
        let reroute_s = median(
            (0..runs)
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
            (0..runs)
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
        let gap = r.summary.best_bound.map_or("no bound".into(), |b| {
            format!(
                "{:.3} %",
                100.0 * (r.summary.objective - b) / r.summary.objective
            )
        });
        println!(
            "{preset} | {seed} | {at_node} | {} | {reroute_s:.2} | {resolve_s:.2} | {:.1}x | {:.0} (+ {:.0}) | {:.0} | {} ({gap})",
            r.summary.touched + r.summary.coupled,
            resolve_s / reroute_s,
            r.summary.cost_after,
            r.summary.stability_cost,
            p.kpis.cost.total,
            r.summary.status.as_str()
        );
        if first.is_none() {
            first = Some((preset, k));
        }
    }
    let Some((preset, k)) = first else { return };
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
