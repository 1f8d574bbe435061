//! Research formats: the explicit-cost example reproduces its hand-derived
//! optimum, and the Jasin–Sinha network solves under its cost model; every
//! plan passes the independent checker.

use std::path::Path;

use domopt::Settings;
use domopt::check;
use domopt::plan::Status;
use domopt::{Strategy, solve as run};

fn dataset(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("datasets")
        .join(rel)
}

#[test]
fn explicit_cost_example_reproduces_its_hand_derived_optimum_of_27() {
    let (s, _) =
        domopt::load_scenario(&dataset("explicit-cost/example.json"), "us-parcel", &[]).unwrap();
    let plan = run(&s, &Settings::default(), Strategy::Monolithic);
    assert_eq!(plan.solve.status, Status::Optimal);
    assert!(
        (plan.kpis.cost.total - 27.0).abs() < 1e-6,
        "{}",
        plan.kpis.cost.total
    );
    assert_eq!(plan.shipments.len(), 4);
    assert!(plan.backorders.is_empty());
    let report = check(&s, &plan);
    assert!(report.ok(), "{:?}", report.violations);
}

#[test]
fn explicit_cost_plans_of_every_strategy_pass_the_checker() {
    let (s, _) =
        domopt::load_scenario(&dataset("explicit-cost/example.json"), "us-parcel", &[]).unwrap();
    for (strategy, name) in Strategy::ALL {
        let plan = run(&s, &Settings::default(), *strategy);
        let report = check(&s, &plan);
        assert!(report.ok(), "{name}: {:?}", report.violations);
        assert!(
            plan.kpis.cost.total >= 27.0 - 1e-6,
            "{name} beats the optimum"
        );
    }
}

#[test]
fn a_plan_using_a_pair_without_explicit_cost_is_rejected_by_the_checker() {
    let (s, _) =
        domopt::load_scenario(&dataset("explicit-cost/example.json"), "us-parcel", &[]).unwrap();
    let mut plan = run(&s, &Settings::default(), Strategy::Monolithic);
    // o3 has no package cost at C.
    let o3 = plan.shipments.iter_mut().find(|x| x.order == "o3").unwrap();
    o3.node = "C".into();
    assert!(
        check(&s, &plan)
            .violations
            .iter()
            .any(|v| v.kind == "not-offered")
    );
}

#[test]
fn jasin_sinha_two_item_instance_solves_to_optimality_and_checks() {
    let (s, _) =
        domopt::load_scenario(&dataset("jasin-sinha/items-2"), "jasin-sinha", &[]).unwrap();
    assert_eq!(s.nodes.len(), 10);
    assert_eq!(s.orders.len(), 1000);
    let plan = run(&s, &Settings::default(), Strategy::Monolithic);
    assert_eq!(plan.solve.status, Status::Optimal);
    assert!(plan.kpis.fill_rate > 0.999);
    let report = check(&s, &plan);
    assert!(report.ok(), "{:?}", report.violations);
    let greedy = run(&s, &Settings::default(), Strategy::GreedyCost);
    assert!(plan.kpis.cost.total <= greedy.kpis.cost.total + 1e-6);
}
