//! Explanations (`domopt explain`): the order's cost and packages as the
//! checked plan has them, every alternative, shadow prices that bound what
//! one unit more or less of a row does to the LP, what-ifs that re-solve,
//! and bad requests refused with their codes. What-ifs are proven against
//! exhaustive enumeration in tests/exhaustive.rs.

use std::path::{Path, PathBuf};
use std::process::Command;

use domopt::explaining::{Explanation, Request, WhatIfKind, explain};
use domopt::format::{LoadedScenario, read_scenario};
use domopt::{CostModel, DEFAULT_MODEL, DomoptError, IssueCode, Plan, Settings, Strategy};

const BIN: &str = env!("CARGO_BIN_EXE_domopt");

fn wave_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/reroute/wave")
}

/// The shipped wave and its optimal plan, checked.
fn wave() -> (LoadedScenario, Plan) {
    let loaded = read_scenario(&wave_dir()).unwrap();
    let (s, _) = domopt::load_scenario(&wave_dir(), DEFAULT_MODEL, &[]).unwrap();
    let plan = domopt::solve(&s, &Settings::default(), Strategy::Monolithic);
    assert!(domopt::check(&s, &plan).ok());
    (loaded, plan)
}

fn explain_order(
    loaded: &LoadedScenario,
    plan: &Plan,
    request: Request,
) -> Result<Explanation, DomoptError> {
    let model = CostModel::load(DEFAULT_MODEL).unwrap();
    explain(
        loaded,
        &model,
        &Default::default(),
        plan,
        &request,
        &Settings::default(),
    )
}

fn ask(order: &str) -> Request {
    Request {
        order: order.into(),
        ..Request::default()
    }
}

fn codes(e: &DomoptError) -> Vec<IssueCode> {
    match e {
        DomoptError::Invalid(report) => report.issues.iter().map(|i| i.code).collect(),
        other => panic!("expected a validation report, got {other}"),
    }
}

#[test]
fn an_explanation_costs_each_order_as_the_checked_plan_does_and_lists_its_packages() {
    let (loaded, plan) = wave();
    for summary in &plan.orders {
        let e = explain_order(&loaded, &plan, ask(&summary.order)).unwrap();
        assert!(
            (e.cost - summary.cost).abs() < 1e-6,
            "{}: {} vs {}",
            summary.order,
            e.cost,
            summary.cost
        );
        assert_eq!(e.units_shipped, summary.units_shipped);
        let mine: Vec<(&str, &str)> = plan
            .shipments
            .iter()
            .filter(|sh| sh.order == summary.order)
            .map(|sh| (sh.node.as_str(), sh.service.as_str()))
            .collect();
        let shown: Vec<(&str, &str)> = e
            .packages
            .iter()
            .map(|p| (p.node.as_str(), p.service.as_str()))
            .collect();
        assert_eq!(shown, mine);
        // Every package of the plan is an alternative marked as in it; the
        // alternatives run cheapest first and are priced against the plan.
        for (node, service) in &mine {
            assert!(
                e.alternatives
                    .iter()
                    .any(|a| a.in_plan && a.node == *node && a.service == *service)
            );
        }
        assert!(e.alternatives.windows(2).all(|w| w[0].cost <= w[1].cost));
        assert!(
            e.alternatives
                .iter()
                .all(|a| (a.versus_plan - (a.cost - e.cost)).abs() < 1e-9)
        );
    }
}

#[test]
fn an_order_shipped_whole_from_its_cheapest_package_has_no_cheaper_alternative_that_displaces_nothing()
 {
    let (loaded, plan) = wave();
    for summary in plan
        .orders
        .iter()
        .filter(|o| o.packages == 1 && o.units_shipped == o.units_ordered)
    {
        let e = explain_order(&loaded, &plan, ask(&summary.order)).unwrap();
        // A cheaper single package that takes nobody's units or capacity
        // would make the plan cheaper: the optimum has none.
        let better = e.alternatives.iter().find(|a| {
            a.versus_plan < -1e-6 && a.displaces.is_empty() && a.units == a.units_ordered
        });
        assert!(better.is_none(), "{}: {better:?}", summary.order);
    }
}

/// The LP objective of the explanation of `order` over the whole wave,
/// with `change` applied to the scenario's records (and a plan of the
/// changed scenario: over the whole wave the LP does not depend on it).
fn lp_with(loaded: &LoadedScenario, order: &str, change: impl Fn(&mut LoadedScenario)) -> f64 {
    let mut changed = loaded.clone();
    change(&mut changed);
    let model = CostModel::load(DEFAULT_MODEL).unwrap();
    let (s, _) = domopt::validate(&changed, &model, &Default::default()).unwrap();
    let plan = domopt::solve(&s, &Settings::default(), Strategy::Monolithic);
    let request = Request {
        whole_wave: true,
        ..ask(order)
    };
    explain_order(&changed, &plan, request)
        .unwrap()
        .neighbourhood
        .lp_objective
        .unwrap()
}

#[test]
fn a_shadow_price_bounds_what_one_unit_more_or_less_of_its_row_does_to_the_lp() {
    let (loaded, plan) = wave();
    let mut checked = 0;
    for summary in &plan.orders {
        let request = Request {
            whole_wave: true,
            ..ask(&summary.order)
        };
        let e = explain_order(&loaded, &plan, request).unwrap();
        let lp = e.neighbourhood.lp_objective.unwrap();
        // A handful of rows is enough; each costs two solves of the wave.
        for r in e
            .rows
            .iter()
            .filter(|r| r.price > 0.0 && r.limit > 0)
            .take(2)
        {
            let step = |delta: f64| {
                move |l: &mut LoadedScenario| match &r.sku {
                    Some(sku) => {
                        let rec = l
                            .file
                            .inventory
                            .iter_mut()
                            .find(|i| i.node == r.node && i.sku == *sku)
                            .unwrap();
                        rec.on_hand += delta;
                    }
                    None => {
                        let node = l.file.nodes.iter_mut().find(|n| n.id == r.node).unwrap();
                        let cap = if r.row == "packages" {
                            &mut node.capacity_orders
                        } else {
                            &mut node.capacity_units
                        };
                        *cap = cap.map(|c| c + delta);
                    }
                }
            };
            // The LP's value is convex in the row's limit and -price is a
            // subgradient: one more saves at most the price, one fewer
            // costs at least it.
            let more = lp_with(&loaded, &summary.order, step(1.0));
            let fewer = lp_with(&loaded, &summary.order, step(-1.0));
            let tol = 1e-6 * lp.abs().max(1.0);
            assert!(
                lp - more <= r.price + tol,
                "{r:?}: one more saves {}",
                lp - more
            );
            assert!(
                fewer - lp >= r.price - tol,
                "{r:?}: one fewer costs {}",
                fewer - lp
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 3,
        "only {checked} priced rows: the wave binds too little to test prices"
    );
}

#[test]
fn without_asked_what_ifs_an_explanation_forbids_its_nodes_and_forces_the_cheapest_other() {
    let (loaded, plan) = wave();
    let split = plan.orders.iter().find(|o| o.packages >= 1).unwrap();
    let e = explain_order(&loaded, &plan, ask(&split.order)).unwrap();
    let forbidden: Vec<&str> = e
        .what_ifs
        .iter()
        .filter(|w| w.kind == WhatIfKind::Forbid)
        .map(|w| w.node.as_str())
        .collect();
    let mut nodes: Vec<&str> = e.packages.iter().map(|p| p.node.as_str()).collect();
    nodes.dedup();
    assert_eq!(forbidden, nodes);
    for w in e.what_ifs.iter().filter(|w| w.kind == WhatIfKind::Forbid) {
        assert!(w.packages.iter().all(|p| p.node != w.node), "{w:?}");
        // Optimal re-solves: forbidding never saves.
        assert!(w.difference.unwrap() >= -1e-6, "{w:?}");
    }
    for w in e.what_ifs.iter().filter(|w| w.kind == WhatIfKind::Force) {
        assert!(w.packages.iter().any(|p| p.node == w.node), "{w:?}");
        assert!(w.difference.unwrap() >= -1e-6, "{w:?}");
    }
}

#[test]
fn forcing_a_node_that_cannot_ship_the_order_says_so_without_a_cost() {
    let (loaded, plan) = wave();
    let order = &plan.orders[0].order;
    let e = explain_order(&loaded, &plan, ask(order)).unwrap();
    let unusable = loaded
        .file
        .nodes
        .iter()
        .map(|n| n.id.clone())
        .find(|id| e.alternatives.iter().all(|a| a.node != *id))
        .expect("some node cannot ship the first order");
    let request = Request {
        force: vec![unusable.clone()],
        ..ask(order)
    };
    let e = explain_order(&loaded, &plan, request).unwrap();
    assert_eq!(e.what_ifs.len(), 1);
    assert!(e.what_ifs[0].cost.is_none());
    assert!(
        e.what_ifs[0].message.contains(&unusable),
        "{}",
        e.what_ifs[0].message
    );
}

#[test]
fn an_unknown_order_and_unknown_what_if_nodes_are_reported_together_with_their_codes() {
    let (loaded, plan) = wave();
    let request = Request {
        order: "NO-SUCH-ORDER".into(),
        force: vec!["NOWHERE".into()],
        forbid: vec!["NEVER".into()],
        whole_wave: false,
    };
    let err = explain_order(&loaded, &plan, request).unwrap_err();
    assert_eq!(
        codes(&err),
        [
            IssueCode::UnknownExplainedOrder,
            IssueCode::UnknownWhatIfNode,
            IssueCode::UnknownWhatIfNode
        ]
    );
}

#[test]
fn a_plan_that_is_not_of_the_scenario_is_refused_with_every_bad_package() {
    let (loaded, plan) = wave();
    let order = plan.shipments[0].order.clone();
    let mut other = plan.clone();
    other.shipments[0].service = "no-such-service".into();
    other.shipments[1].order = "NO-SUCH-ORDER".into();
    let err = explain_order(&loaded, &other, ask(&order)).unwrap_err();
    assert_eq!(
        codes(&err),
        [IssueCode::PlanNotOfScenario, IssueCode::UnknownReference]
    );
    // Twice the units of a line: not a plan of this scenario either.
    let mut doubled = plan.clone();
    doubled.shipments[0].items[0].quantity *= 2;
    let err = explain_order(&loaded, &doubled, ask(&order)).unwrap_err();
    assert_eq!(codes(&err), [IssueCode::PlanNotOfScenario]);
}

#[test]
fn the_cli_explains_in_sentences_and_in_json_and_refuses_an_unknown_order_with_its_code() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan");
    let solved = Command::new(BIN)
        .arg("solve")
        .arg(wave_dir())
        .arg("--out")
        .arg(&plan)
        .output()
        .unwrap();
    assert!(solved.status.success());
    let run = |extra: &[&str]| {
        Command::new(BIN)
            .arg("explain")
            .arg(wave_dir())
            .arg(&plan)
            .args(extra)
            .output()
            .unwrap()
    };
    let text = run(&["--order", "O0000010"]);
    assert!(text.status.success());
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.starts_with("Order O0000010 ships "), "{text}");
    assert!(
        text.contains("Each way to ship it as one package"),
        "{text}"
    );
    assert!(text.contains("forbid "), "{text}");

    let json = run(&["--order", "O0000010", "--forbid", "DC-OAK4", "--json"]);
    assert!(json.status.success());
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["order"], "O0000010");
    assert_eq!(v["what_ifs"][0]["kind"], "forbid");
    assert_eq!(v["what_ifs"][0]["node"], "DC-OAK4");
    assert!(v["alternatives"].as_array().unwrap().len() > 1);

    let bad = run(&["--order", "NOPE", "--json"]);
    assert!(!bad.status.success());
    let out =
        String::from_utf8_lossy(&bad.stdout).to_string() + &String::from_utf8_lossy(&bad.stderr);
    assert!(out.contains("E180"), "{out}");
}

/// A plan of the shipped wave edited by an outside tester (see each test).
fn edited_plan(name: &str) -> Plan {
    Plan::read(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/explain-plans")
            .join(name),
    )
    .unwrap()
}

#[test]
fn a_plan_the_checker_accepts_is_explained_even_where_it_uses_a_dominated_package() {
    // O0000040 ships from DC-OAK4 by two_day, which ground beats at the
    // same node: the solver never makes such a package, a person may.
    let (loaded, _) = wave();
    let (s, _) = domopt::load_scenario(&wave_dir(), DEFAULT_MODEL, &[]).unwrap();
    let plan = edited_plan("dominated-plan.json");
    assert!(domopt::check(&s, &plan).ok());
    let e = explain_order(&loaded, &plan, ask("O0000040")).unwrap();
    assert!(
        e.packages.iter().any(|p| p.service == "two_day"),
        "{:?}",
        e.packages
    );
    assert!(
        e.alternatives
            .iter()
            .any(|a| a.in_plan && a.service == "two_day")
    );
}

#[test]
fn a_plan_the_checker_refuses_is_refused_with_its_violations_and_empty_packages_with_e182() {
    let (loaded, _) = wave();
    let err =
        explain_order(&loaded, &edited_plan("oversold-plan.json"), ask("O0000013")).unwrap_err();
    assert!(
        codes(&err).iter().all(|c| *c == IssueCode::PlanFailsCheck),
        "{err:?}"
    );
    for name in [
        "zero-quantity-plan.json",
        "no-items-plan.json",
        "wrong-sku-plan.json",
    ] {
        let err = explain_order(&loaded, &edited_plan(name), ask("O0000013")).unwrap_err();
        assert!(
            codes(&err).contains(&IssueCode::PlanNotOfScenario),
            "{name}: {err:?}"
        );
    }
}

#[test]
fn a_ship_complete_order_is_offered_only_packages_that_carry_all_of_it() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/small/ship-complete.json");
    let loaded = read_scenario(&path).unwrap();
    let (s, _) = domopt::load_scenario(&path, DEFAULT_MODEL, &[]).unwrap();
    let plan = domopt::solve(&s, &Settings::default(), Strategy::Monolithic);
    for order in &s.orders {
        let e = explain_order(&loaded, &plan, ask(&order.id)).unwrap();
        if order.ship_complete {
            assert!(
                e.alternatives.iter().all(|a| a.units == a.units_ordered),
                "{:?}",
                e.alternatives
            );
        }
    }
}

#[test]
fn a_node_asked_many_times_is_one_what_if_and_over_sixteen_what_ifs_are_refused() {
    let (loaded, plan) = wave();
    let request = Request {
        force: vec!["ST-0004-Miami".into(); 50],
        ..ask("O0000013")
    };
    let e = explain_order(&loaded, &plan, request).unwrap();
    assert_eq!(e.what_ifs.len(), 1);
    let nodes: Vec<String> = loaded.file.nodes.iter().map(|n| n.id.clone()).collect();
    assert!(nodes.len() > 8, "the wave has {} nodes", nodes.len());
    let request = Request {
        force: nodes.clone(),
        forbid: nodes,
        ..ask("O0000013")
    };
    let err = explain_order(&loaded, &plan, request).unwrap_err();
    assert_eq!(codes(&err), [IssueCode::UnknownWhatIfNode]);
}
