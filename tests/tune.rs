//! Cost-model tuning (`domopt tune`): grids as products of their knobs,
//! every point solved as a solve with its settings would be, frontiers and
//! answers against brute force, and bad grids and targets refused with
//! their codes and nothing written.

use std::path::{Path, PathBuf};
use std::process::Command;

use domopt::format::{LoadedScenario, PolicyOverrides, read_scenario};
use domopt::tuning::{Grid, Question, Sense, Tune, TuneOptions, Value, tune};
use domopt::{CostModel, DEFAULT_MODEL, DomoptError, IssueCode, Settings, Strategy};

use crate::common;

const BIN: &str = env!("CARGO_BIN_EXE_domopt");

fn specs(s: &[&str]) -> Vec<String> {
    s.iter().map(|x| x.to_string()).collect()
}

fn codes(e: &DomoptError) -> Vec<IssueCode> {
    match e {
        DomoptError::Invalid(r) => r.issues.iter().map(|i| i.code).collect(),
        other => panic!("expected a report, got {other}"),
    }
}

/// A generated tiny wave (about 50 orders), in a folder kept for the test.
fn tiny() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let wave = common::generate_tiny(BIN, dir.path(), 3);
    (dir, wave)
}

fn options() -> TuneOptions {
    TuneOptions {
        strategy: Strategy::Monolithic,
        settings: Settings {
            threads: 1,
            ..Settings::default()
        },
        parallel: 2,
        allow_large: false,
    }
}

fn run(loaded: &LoadedScenario, grid: &[&str]) -> Tune {
    let model = CostModel::load(DEFAULT_MODEL).unwrap();
    let grid = Grid::parse(&specs(grid)).unwrap();
    tune(
        loaded,
        &model,
        &PolicyOverrides::default(),
        &grid,
        &options(),
        &|_| {},
    )
    .unwrap()
}

#[test]
fn a_grid_is_the_product_of_its_knobs_with_the_last_varying_fastest_and_ranges_include_their_end() {
    let g = Grid::parse(&specs(&[
        "split_penalty=0:1:0.25",
        "cross_market=forbid,penalty",
        "candidates=exact,pruned:3",
    ]))
    .unwrap();
    assert_eq!(g.points(), 5 * 2 * 2);
    let values = |k: usize| {
        g.point(k)
            .values
            .into_iter()
            .map(|(_, v)| v)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        values(0),
        [
            Value::Number(0.0),
            Value::Word("forbid".into()),
            Value::Candidates(domopt::CandidateMode::Exact)
        ]
    );
    assert_eq!(
        values(19),
        [
            Value::Number(1.0),
            Value::Word("penalty".into()),
            Value::Candidates(domopt::CandidateMode::Pruned { k: 3 })
        ]
    );
    assert_eq!(
        values(1)[2],
        Value::Candidates(domopt::CandidateMode::Pruned { k: 3 })
    );
    assert_eq!(values(4)[0], Value::Number(0.25));
    // Every point is distinct.
    let all: Vec<String> = (0..g.points())
        .map(|k| format!("{:?}", values(k)))
        .collect();
    let mut unique = all.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), all.len());
}

#[test]
fn bad_grids_and_targets_are_reported_all_at_once_with_their_codes() {
    let e = Grid::parse(&specs(&[
        "split_penality=1,2",
        "late_penalty_per_day=",
        "store_premium_per_unit=3:1:1",
        "unfilled_rule=never",
        "candidates=pruned:0",
        "split_penalty=-1",
        "nothing",
    ]))
    .unwrap_err();
    assert_eq!(
        codes(&e),
        [
            IssueCode::UnknownKnob,
            IssueCode::BadGrid,
            IssueCode::BadGrid,
            IssueCode::BadGrid,
            IssueCode::BadGrid,
            IssueCode::BadGrid,
            IssueCode::BadGrid
        ]
    );
    assert_eq!(codes(&Grid::parse(&[]).unwrap_err()), [IssueCode::BadGrid]);
    assert_eq!(
        codes(&Grid::parse(&specs(&["split_penalty=1", "split_penalty=2"])).unwrap_err()),
        [IssueCode::BadGrid]
    );
    let e = Question::parse(
        &specs(&["ontime>=0.9", "on_time=0.9", "fill>=x"]),
        "profit",
        Sense::Minimise,
    )
    .unwrap_err();
    assert_eq!(codes(&e), [IssueCode::BadTarget; 4]);
}

#[test]
fn every_point_costs_what_a_solve_with_its_settings_costs_and_its_plan_is_checked() {
    let (_keep, wave) = tiny();
    let loaded = read_scenario(&wave).unwrap();
    let t = run(
        &loaded,
        &[
            "split_penalty=0,8",
            "late_penalty_per_day=0,20",
            "candidates=exact,pruned:2",
        ],
    );
    assert_eq!(t.points.len(), 8);
    for p in &t.points {
        assert!(p.checked, "point {} refused by the checker", p.index);
        let set: Vec<String> = p
            .knobs
            .iter()
            .filter(|(k, _)| k != "candidates")
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let (s, _) = domopt::load_scenario(&wave, DEFAULT_MODEL, &set).unwrap();
        let candidates = if p
            .knobs
            .iter()
            .any(|(k, v)| k == "candidates" && v == "pruned:2")
        {
            domopt::CandidateMode::Pruned { k: 2 }
        } else {
            domopt::CandidateMode::Exact
        };
        let settings = Settings {
            threads: 1,
            candidates,
            ..Settings::default()
        };
        let plan = domopt::solve(&s, &settings, Strategy::Monolithic);
        assert!(
            (plan.kpis.cost.total - p.cost.total).abs() < 1e-6,
            "point {}: {} vs {}",
            p.index,
            plan.kpis.cost.total,
            p.cost.total
        );
        assert_eq!(plan.kpis.split_rate, p.split_rate);
    }
    // The late penalty buys punctuality: more of it never lowers on-time.
    let on_time = |k: usize| t.points[k].on_time.unwrap();
    assert!(on_time(2) >= on_time(0));
}

#[test]
fn the_frontiers_hold_exactly_the_points_no_other_beats_and_the_answer_is_the_cheapest_meeting_the_target()
 {
    let (_keep, wave) = tiny();
    let loaded = read_scenario(&wave).unwrap();
    let t = run(
        &loaded,
        &["split_penalty=0,4,16", "late_penalty_per_day=0,5,20,50"],
    );
    let beats = |a: &domopt::tuning::PointResult,
                 b: &domopt::tuning::PointResult,
                 x: &dyn Fn(&domopt::tuning::PointResult) -> f64| {
        a.cost() <= b.cost() && x(a) <= x(b) && (a.cost() < b.cost() || x(a) < x(b))
    };
    let split = |p: &domopt::tuning::PointResult| p.split_rate;
    let late = |p: &domopt::tuning::PointResult| -p.on_time.unwrap();
    for (frontier, x) in [
        (&t.split_frontier, &split as &dyn Fn(&_) -> f64),
        (&t.on_time_frontier, &late),
    ] {
        for p in &t.points {
            let dominated = t.points.iter().any(|q| beats(q, p, x));
            // Of points equal on both, the first stands for them.
            let twin_before = t
                .points
                .iter()
                .any(|q| q.index < p.index && q.cost() == p.cost() && x(q) == x(p));
            assert_eq!(
                frontier.points.contains(&p.index),
                !dominated && !twin_before,
                "point {}",
                p.index
            );
        }
    }
    assert!(
        t.on_time_frontier.points.len() >= 2,
        "the late penalty should trade cost for punctuality"
    );
    // The answer against brute force, for a target met and one not.
    for threshold in [0.8, 0.999] {
        let q =
            Question::parse(&[format!("on_time>={threshold}")], "cost", Sense::Minimise).unwrap();
        let a = t.answer(&q).unwrap();
        let meeting: Vec<_> = t
            .points
            .iter()
            .filter(|p| p.on_time.unwrap() >= threshold)
            .collect();
        match meeting
            .iter()
            .min_by(|a, b| a.cost().total_cmp(&b.cost()).then(a.index.cmp(&b.index)))
        {
            Some(best) => assert!(a.met && a.point == best.index, "{a:?}"),
            None => {
                let closest = t
                    .points
                    .iter()
                    .max_by(|a, b| {
                        a.on_time
                            .unwrap()
                            .total_cmp(&b.on_time.unwrap())
                            .then(b.index.cmp(&a.index))
                    })
                    .unwrap();
                assert!(!a.met && a.point == closest.index, "{a:?}");
            }
        }
    }
}

fn tune_cli(wave: &Path, args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .arg("tune")
        .arg(wave)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn the_cli_writes_the_points_and_frontiers_at_once_and_refuses_bad_input_writing_nothing() {
    let (keep, wave) = tiny();
    let out = keep.path().join("tune");
    let ok = tune_cli(
        &wave,
        &[
            "--grid",
            "split_penalty=0,4",
            "--grid",
            "late_penalty_per_day=0,20",
            "--target",
            "on_time>=0.9",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let text = String::from_utf8(ok.stdout).unwrap();
    assert!(
        text.contains("Pareto frontier, cost against the on-time rate"),
        "{text}"
    );
    assert!(text.contains("Answer: "), "{text}");
    for f in domopt::tuning::TUNE_FILES {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let csv = std::fs::read_to_string(out.join("points.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 4);
    assert!(csv.starts_with("point,split_penalty,late_penalty_per_day,cost,objective,"));
    let png = std::fs::read(out.join("frontier-split.png")).unwrap();
    assert_eq!(&png[..4], b"\x89PNG");

    // Bad input: a code, exit 2, nothing written.
    let none = keep.path().join("never");
    for (args, code) in [
        (vec!["--grid", "split_penality=1"], "E190"),
        (
            vec![
                "--grid",
                "split_penalty=0:9999:1",
                "--grid",
                "late_penalty_per_day=0,1",
            ],
            "E192",
        ),
        (
            vec!["--grid", "split_penalty=1", "--target", "profit>=1"],
            "E193",
        ),
        (vec!["--grid", "split_penalty=5:1:1"], "E191"),
    ] {
        let mut all = args.clone();
        all.extend(["--out", none.to_str().unwrap(), "--json"]);
        let bad = tune_cli(&wave, &all);
        assert_eq!(bad.status.code(), Some(2), "{args:?}");
        let printed = String::from_utf8_lossy(&bad.stdout);
        assert!(printed.contains(code), "{args:?}: {printed}");
        assert!(!none.exists(), "{args:?} wrote {}", none.display());
    }
}
