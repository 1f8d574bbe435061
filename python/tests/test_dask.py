"""domopt.dask on a real distributed.LocalCluster: two worker processes on
loopback, small waves, bounded in time."""

from __future__ import annotations

import pandas as pd
import pytest

import domopt
import domopt.dask

distributed = pytest.importorskip("distributed")

GRID = {"split_penalty": [0, 8], "late_penalty_per_day": [0, 20]}
KPIS = ["point", "split_penalty", "late_penalty_per_day", "cost", "objective", "split_rate", "on_time", "status"]


@pytest.fixture(scope="module")
def cluster():
    """Two single-threaded worker processes, every socket on 127.0.0.1."""
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster, distributed.Client(cluster, timeout="60s") as client:
        yield cluster, client


def _columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in KPIS if c in frame.columns]


def test_a_sweep_on_two_workers_gives_the_rows_of_the_sweep_in_one_process(cluster, tiny_wave) -> None:
    _, client = cluster
    spread = domopt.dask.tune(tiny_wave, GRID, client=client, time_limit=20)
    here = domopt.tune(tiny_wave, GRID, parallel=1, time_limit=20).points
    assert len(spread) == domopt.dask.grid_size(GRID) == 4
    assert list(spread["point"]) == [0, 1, 2, 3]
    assert set(_columns(here)) >= {"point", "cost", "split_rate"}
    pd.testing.assert_frame_equal(spread[_columns(here)], here[_columns(here)], check_dtype=False)
    assert spread["checked"].all() if "checked" in spread.columns else True
    # Both workers took tasks: each point was a task of its own.
    assert len(client.scheduler_info()["workers"]) == 2


def test_a_sweep_reaches_the_scheduler_by_its_address_in_chunks(cluster, tiny_wave) -> None:
    c, _ = cluster
    spread = domopt.dask.tune(tiny_wave, GRID, address=c.scheduler_address, chunk=3, time_limit=20)
    assert list(spread["point"]) == [0, 1, 2, 3]


def test_a_bad_knob_in_a_worker_raises_its_domopt_error_here(cluster, tiny_wave) -> None:
    _, client = cluster
    with pytest.raises(domopt.DomoptError) as raised:
        domopt.dask.tune(tiny_wave, {"split_penalty": [-1]}, client=client)
    assert raised.value.code


def test_a_bad_grid_or_a_loaded_scenario_is_refused_before_any_task(cluster, tiny_wave) -> None:
    _, client = cluster
    with pytest.raises(TypeError):
        domopt.dask.tune(tiny_wave, {"split_penalty": "0:8:4"}, client=client)
    with pytest.raises(TypeError):
        domopt.dask.tune(domopt.load(tiny_wave), GRID, client=client)
    with pytest.raises(ValueError):
        domopt.dask.tune(tiny_wave, GRID, client=client, chunk=0)


def test_simulated_days_by_seed_are_each_the_simulation_in_one_process(cluster, tiny_wave) -> None:
    _, client = cluster
    options = dict(strategies=["greedy-cost", "auto"], wave_every=240, time_limit=5, clairvoyant=False)
    days = domopt.dask.simulate_days(tiny_wave, seeds=[1, 2], client=client, **options)
    assert list(days["seed"].unique()) == [1, 2]
    for seed in (1, 2):
        here = domopt.simulate(tiny_wave, seed=seed, parallel=1, **options).horizon
        mine = days[days["seed"] == seed].drop(columns=["start", "seed"]).reset_index(drop=True)
        costs = [c for c in here.columns if "cost" in c or c in ("strategy", "orders")]
        pd.testing.assert_frame_equal(mine[costs], here[costs], check_dtype=False)
    waves = domopt.dask.simulate_days(tiny_wave, seeds=[3], table="waves", client=client, **options)
    assert len(waves) > 0 and set(waves["seed"]) == {3}
