"""Tuning sweeps and simulated days spread over a Dask cluster.

:func:`tune` cuts a grid of cost-model knobs into chunks of points and
:func:`simulate_days` runs one simulated day (or week) per start or seed;
each chunk or day is a Dask task that solves in a worker process with this
same package, and the rows come back gathered into one pandas DataFrame::

    from distributed import Client, LocalCluster
    import domopt.dask

    with LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1") as cluster, \\
            Client(cluster) as client:
        points = domopt.dask.tune("wave/", {"split_penalty": [0, 4, 8, 16]}, client=client)

A scheduler elsewhere is named by its address (``address="tcp://host:8786"``);
its workers need ``domopt`` installed and the scenario at the same path (a
path or a dict travels to them, never a loaded :class:`domopt.Scenario`).
Each worker loads the scenario once and keeps it for its next tasks.

Where each task ran does not change its result, as long as no solve stops
at its time limit: a plan that the limit cut short depends on how fast the
worker was, on a cluster as in one process.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import os
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

import pandas as pd

import domopt

__all__ = ["tune", "simulate_days", "grid_size"]

#: A scenario a worker can load: a path (JSON file or folder) or the scenario JSON as a dict.
Source = Union[str, "os.PathLike[str]", Mapping[str, Any]]


def grid_size(grid: Mapping[str, Sequence[Any]]) -> int:
    """The number of points of a grid given as knob -> list of values."""
    _check_grid(grid)
    size = 1
    for values in grid.values():
        size *= len(values)
    return size


def tune(
    scenario: Source,
    grid: Mapping[str, Sequence[Any]],
    *,
    client: Any = None,
    address: Optional[str] = None,
    chunk: int = 1,
    strategy: str = "auto",
    time_limit: float = 60.0,
    model: str = domopt.DEFAULT_MODEL,
    overrides: domopt.Overrides = None,
) -> pd.DataFrame:
    """Solves a wave at every point of a grid, each chunk of points a Dask task.

    Args:
        scenario: a path or a dict (what each worker loads; not a loaded
            :class:`domopt.Scenario`, which does not travel between processes).
        grid: knob -> list of values (the knobs of :func:`domopt.tune`); the
            points are their product, numbered as :func:`domopt.tune` numbers them.
        client: a ``distributed.Client``; by default ``address``'s, or the
            client of the current context (``distributed.get_client()``).
        address: a scheduler address, e.g. ``"tcp://127.0.0.1:8786"``.
        chunk: points per task (1: one solve per task, the finest spread).
        strategy, time_limit, model, overrides: as :func:`domopt.tune`; each
            task solves its points one at a time (``parallel=1``), the
            cluster's workers supply the parallelism.

    Returns:
        One row per point, sorted by point number: the columns of
        :attr:`domopt.TuneResult.points` (each plan checked), except the
        frontier flags, which only the whole grid can say.

    Raises:
        TypeError, ValueError: a grid that is not knob -> non-empty list, a chunk below 1.
        domopt.DomoptError: from the first task that failed (a bad knob, a
            scenario that does not validate), with its code.
    """
    if chunk < 1:
        raise ValueError(f"chunk: expected at least 1 point per task, got {chunk}")
    size = grid_size(grid)
    source = _travelling(scenario)
    grid = {k: list(v) for k, v in grid.items()}
    chunks = [list(range(a, min(a + chunk, size))) for a in range(0, size, chunk)]
    options = dict(strategy=strategy, time_limit=time_limit, model=model, overrides=overrides)
    with _connected(client, address) as client:
        futures = client.map(_tune_chunk, chunks, source=source, grid=grid, options=options, pure=False)
        frames = client.gather(futures)
    points = pd.concat(frames, ignore_index=True)
    return points.sort_values("point", kind="stable").reset_index(drop=True)


def simulate_days(
    scenario: Source,
    *,
    starts: Optional[Iterable[str]] = None,
    seeds: Optional[Iterable[int]] = None,
    table: str = "horizon",
    client: Any = None,
    address: Optional[str] = None,
    model: str = domopt.DEFAULT_MODEL,
    overrides: domopt.Overrides = None,
    **options: Any,
) -> pd.DataFrame:
    """Simulates several days (or weeks), each a Dask task.

    Give ``starts`` (each a start of the horizon, ``YYYY-MM-DDTHH:MM``),
    ``seeds`` (each a seed of the arrivals, cancellations and returns), or
    both (their product). Every other keyword is an option of
    :func:`domopt.simulate` (``strategies``, ``profile``, ``wave_every``,
    ``time_limit``, ...), the same for every day; ``parallel`` defaults to 1
    per task.

    Returns:
        ``table="horizon"``: one row per day and run (each strategy and the
        clairvoyant one), the horizon's KPIs; ``table="waves"``: one row per
        day, strategy and wave. Either with the columns ``start`` and
        ``seed`` first, in the order of the days asked for.

    Raises:
        ValueError: no day to simulate, or an unknown ``table``.
        domopt.DomoptError: from the first day that failed, with its code.
    """
    if table not in ("horizon", "waves"):
        raise ValueError(f"table: expected 'horizon' or 'waves', got {table!r}")
    starts = list(starts) if starts is not None else [None]
    seeds = list(seeds) if seeds is not None else [options.pop("seed", None)]
    days = list(itertools.product(starts, seeds))
    if not starts or not seeds:
        raise ValueError("give at least one start or seed to simulate")
    source = _travelling(scenario)
    options.setdefault("parallel", 1)
    options.update(model=model, overrides=overrides)
    with _connected(client, address) as client:
        futures = client.map(_simulate_day, days, source=source, table=table, options=options, pure=False)
        frames = client.gather(futures)
    return pd.concat(frames, ignore_index=True)


# --- in the workers -------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _loaded(source_key: str, model: str, overrides_key: str) -> domopt.Scenario:
    """The scenario, loaded once per worker process and kept for its next tasks."""
    source = json.loads(source_key)
    overrides = json.loads(overrides_key)
    return domopt.load(source, model=model, overrides=overrides)


def _scenario(source: Any, model: str, overrides: Any) -> domopt.Scenario:
    return _loaded(json.dumps(source, sort_keys=True), model, json.dumps(overrides, sort_keys=True))


def _tune_chunk(points: list[int], *, source: Any, grid: dict, options: dict) -> pd.DataFrame:
    options = dict(options)
    scenario = _scenario(source, options.pop("model"), options.pop("overrides"))
    result = domopt.tune(scenario, grid, points=points, parallel=1, **options)
    # Frontiers are of the whole grid; a chunk's would mislead.
    return result.points.drop(columns=[c for c in result.points.columns if "frontier" in c])


def _simulate_day(day: tuple, *, source: Any, table: str, options: dict) -> pd.DataFrame:
    start, seed = day
    options = dict(options)
    scenario = _scenario(source, options.pop("model"), options.pop("overrides"))
    if start is not None:
        options["start"] = start
    if seed is not None:
        options["seed"] = seed
    result = domopt.simulate(scenario, **options)
    rows = (result.horizon if table == "horizon" else result.waves).copy()
    rows.insert(0, "seed", seed)
    rows.insert(0, "start", start)
    return rows


# --- helpers ----------------------------------------------------------------------


def _check_grid(grid: Any) -> None:
    if not isinstance(grid, Mapping) or not grid:
        raise TypeError("grid: expected a dict of knob -> list of values, e.g. {'split_penalty': [0, 4, 8]}")
    for knob, values in grid.items():
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not values:
            raise TypeError(f"grid: {knob}: expected a non-empty list of values, got {values!r}")


def _travelling(scenario: Any) -> Any:
    """What a task carries to its worker: an absolute path, or the dict."""
    if isinstance(scenario, domopt.Scenario):
        raise TypeError(
            "scenario: give a path or a dict, which each worker loads; a loaded Scenario stays in its process"
        )
    if isinstance(scenario, Mapping):
        return dict(scenario)
    return os.path.abspath(os.fspath(scenario))


@contextlib.contextmanager
def _connected(client: Any, address: Optional[str]):
    """The client given, the current one, or one to ``address`` that is
    closed after use (a client left open would keep reconnecting)."""
    from distributed import Client, get_client

    if client is not None:
        yield client
    elif address is not None:
        with Client(address) as own:
            yield own
    else:
        yield get_client()
