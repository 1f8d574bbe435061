"""generate, tune and simulate: the CLI's research commands, with their
results as DataFrames."""

from __future__ import annotations

import json

import pandas as pd
import polars as pl
import pytest

import domopt
from conftest import DATASETS, run_cli

WAVE = DATASETS / "reroute" / "wave"


def test_generate_writes_the_folder_the_cli_writes(tmp_path) -> None:
    summary = domopt.generate("tiny", seed=3, out=tmp_path / "py", overrides={"orders": 30})
    run_cli("generate", "--preset", "tiny", "--seed", "3", "--set", "orders=30",
            "--out", str(tmp_path / "cli"))
    assert summary["orders"] == 30 and summary["path"] == str(tmp_path / "py")
    for name in ["scenario.json", "inventory.csv", "orders.csv", "order_lines.csv"]:
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes()
    assert domopt.load(summary["path"]).counts()["orders"] == 30


def test_a_bad_generator_knob_is_an_error_with_a_code(tmp_path) -> None:
    with pytest.raises(domopt.DomoptError) as caught:
        domopt.generate("tiny", out=tmp_path / "x", overrides={"orders": -1})
    assert caught.value.code is not None


def test_tune_gives_the_rows_of_points_csv() -> None:
    grid = {"split_penalty": [0, 8], "candidates": ["exact", "pruned:2"]}
    result = domopt.tune(WAVE, grid, strategy="greedy-cost", parallel=2,
                         targets=["fill>=0.5"])
    points = result.points
    assert isinstance(points, pd.DataFrame)
    assert list(points["point"]) == [0, 1, 2, 3]
    assert list(points.columns[:3]) == ["point", "split_penalty", "candidates"]
    assert list(points.columns[-4:]) == ["status", "time", "checked", "frontier"]
    assert points["checked"].all()
    assert list(points["split_penalty"]) == [0.0, 0.0, 8.0, 8.0]
    assert result.answer is not None and result.answer["met"]
    cli = json.loads(run_cli("tune", str(WAVE), "--grid", "split_penalty=0,8", "--grid",
                             "candidates=exact,pruned:2", "--strategy", "greedy-cost",
                             "--target", "fill>=0.5", "--json").stdout)
    assert result.json["answer"] == cli["answer"]
    assert result.split_frontier == cli["tune"]["split_frontier"]["points"]
    assert [p["cost"] for p in result.json["tune"]["points"]] == [
        p["cost"] for p in cli["tune"]["points"]
    ]


def test_tune_on_some_points_gives_those_rows_of_the_whole_grid() -> None:
    grid = {"split_penalty": "0:8:4", "store_premium_per_unit": [0, 2]}
    whole = domopt.tune(WAVE, grid, strategy="greedy-cost", parallel=1)
    part = domopt.tune(WAVE, grid, strategy="greedy-cost", points=[5, 1], parallel=2,
                       kind="polars")
    assert isinstance(part.points, pl.DataFrame)
    assert part.points["point"].to_list() == [5, 1]
    drop = ["time"]
    expected = whole.points.drop(columns=drop + ["frontier"]).set_index("point").loc[[5, 1]]
    got = part.points.to_pandas().drop(columns=drop + ["frontier"]).set_index("point")
    pd.testing.assert_frame_equal(got, expected)


def test_a_bad_grid_is_a_validation_error_with_its_codes() -> None:
    with pytest.raises(domopt.ValidationError) as caught:
        domopt.tune(WAVE, {"speed": [1, 2], "split_penalty": []})
    assert sorted(i["code"] for i in caught.value.issues) == ["E190", "E191"]
    with pytest.raises(domopt.ValidationError) as caught:
        domopt.tune(WAVE, {"split_penalty": [1, 2]}, points=[2])
    assert caught.value.code == "E191"
    with pytest.raises(domopt.SettingsError):
        domopt.tune(WAVE, {"split_penalty": [1]}, parallel=0)


def test_simulate_gives_the_rows_of_waves_csv_and_horizon_csv() -> None:
    sim = domopt.simulate(WAVE, strategies=["shopify", "auto"], wave_orders=4,
                          cancel_rate=0.1, time_limit=5, clairvoyant_time_limit=20)
    assert list(sim.horizon["strategy"]) == ["shopify", "auto", "clairvoyant"]
    assert set(sim.waves["strategy"]) == {"shopify", "auto"}
    waves = sim.json["waves"]
    assert len(sim.waves) == 2 * waves
    cli = json.loads(run_cli("simulate", str(WAVE), "--strategies", "shopify,auto",
                             "--wave-orders", "4", "--cancel-rate", "0.1", "--time-limit",
                             "5", "--clairvoyant-time-limit", "20", "--json").stdout)
    assert waves == cli["waves"]
    ours = sim.horizon.set_index("strategy")["objective"]
    theirs = {r["strategy"]: r["horizon"]["objective"] for r in cli["strategies"]}
    for name, objective in theirs.items():
        assert ours[name] == pytest.approx(objective, rel=1e-6)
    assert sim.markdown.startswith("# Simulation of")


def test_simulation_options_out_of_range_are_reported_at_once() -> None:
    with pytest.raises(domopt.ValidationError) as caught:
        domopt.simulate(WAVE, strategies=["auto", "psychic"], cancel_rate=2.0,
                        replenish_at="25:99", wave_every=0)
    fields = sorted(i["field"] for i in caught.value.issues)
    assert {i["code"] for i in caught.value.issues} == {"E197"}
    assert fields == ["--cancel-rate", "--replenish-at", "--strategies", "--wave-every"]
