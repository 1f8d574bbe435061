"""Solving from Python gives the CLI's plans: the same JSON as `domopt
solve --json`, the same folder as `--out`, and every strategy's plan passes
the independent checker."""

from __future__ import annotations

import json
import pickle

import pytest

import domopt
from conftest import DATASETS, plan_json, run_cli


@pytest.mark.parametrize("strategy", ["auto", "greedy-cost"])
def test_a_dict_solves_to_the_same_json_as_the_cli(strategy: str) -> None:
    path = DATASETS / "small" / "capacity-crunch.json"
    scenario = domopt.load(json.loads(path.read_text()))
    plan = domopt.solve(scenario, strategy, time_limit=20)
    cli = run_cli("solve", str(path), "--strategy", strategy, "--time-limit", "20", "--json")
    assert plan_json(plan.to_json()) == plan_json(cli.stdout)
    assert plan.json == plan.to_json()
    assert plan.to_dict()["solve"]["strategy"] == strategy


def test_a_folder_with_a_model_and_overrides_solves_as_the_cli_does() -> None:
    path = DATASETS / "jasin-sinha" / "items-2"
    plan = domopt.solve(
        domopt.load(path, model="jasin-sinha", overrides={"split_penalty": 12}), "monolithic"
    )
    cli = run_cli(
        "solve", str(path), "--model", "jasin-sinha", "--set", "split_penalty=12",
        "--strategy", "monolithic", "--json",
    )
    assert plan_json(plan.to_json()) == plan_json(cli.stdout)


@pytest.mark.parametrize("strategy", domopt.STRATEGIES)
def test_every_strategy_makes_a_plan_the_checker_accepts(tiny, strategy: str) -> None:
    plan = domopt.solve(tiny, strategy, time_limit=20)
    report = domopt.check(tiny, plan)
    assert report.ok, report.violations
    assert report.shipments > 0
    assert plan.strategy == strategy
    assert plan.objective == pytest.approx(report.recomputed["total"], rel=1e-6)


def test_pruned_candidates_and_solver_settings_reach_the_solve(tiny) -> None:
    plan = domopt.solve(
        tiny, "monolithic", candidates="pruned:2", threads=2, seed=7, mip_rel_gap=0.01
    )
    assert domopt.check(tiny, plan).ok
    assert plan.to_dict()["solve"]["candidates"]["pruned"] is True


def test_a_plan_written_to_a_folder_reads_back_and_the_cli_checks_it(crunch, tmp_path) -> None:
    plan = domopt.solve(crunch)
    out = tmp_path / "plan"
    plan.write(out)
    assert sorted(p.name for p in out.iterdir()) == [
        "backorders.csv", "orders.csv", "plan.json", "shipments.csv",
    ]
    again = domopt.read_plan(out)
    assert plan_json(again.to_json())["shipments"] == plan_json(plan.to_json())["shipments"]
    run_cli("check", str(DATASETS / "small" / "capacity-crunch.json"), str(out))


def test_scenarios_and_plans_survive_pickling(crunch) -> None:
    plan = domopt.solve(crunch)
    assert pickle.loads(pickle.dumps(plan)).to_json() == plan.to_json()
    scenario = pickle.loads(pickle.dumps(crunch))
    assert scenario.counts() == crunch.counts()
    assert domopt.check(scenario, plan).ok


def test_a_loaded_scenario_gives_back_its_records_as_a_dict(crunch) -> None:
    again = domopt.load(crunch.to_dict())
    assert again.counts() == crunch.counts()
    assert again.name == crunch.name
    assert domopt.solve(again).objective == pytest.approx(domopt.solve(crunch).objective)


def test_validate_lists_warnings_without_raising() -> None:
    doc = json.loads((DATASETS / "small" / "capacity-crunch.json").read_text())
    doc["skus"].append({"id": "NEVER-STOCKED", "weight_lb": 1.0})
    issues = domopt.validate(doc)
    assert [i["code"] for i in issues] == ["W201"]
    assert issues[0]["severity"] == "warning"
    assert set(issues[0]) == {"code", "severity", "record", "field", "message", "action"}
    assert [w["code"] for w in domopt.load(doc).warnings] == ["W201"]
