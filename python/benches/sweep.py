"""A 64-point tuning sweep measured three ways, side by side in one run:
one process solving one point at a time, rayon in one process (the
library's `parallel`), and a distributed.LocalCluster of worker processes
(domopt.dask). Prints a Markdown table and checks that the three sweeps
found the same points.

    python python/benches/sweep.py target/gen/peak-s --time-limit 3 --workers 2
"""

from __future__ import annotations

import argparse
import os
import time

import pandas as pd

import domopt
import domopt.dask

GRID = {
    "split_penalty": [0, 1, 2, 4, 8, 12, 16, 24],
    "late_penalty_per_day": [0, 2, 5, 10, 15, 20, 30, 50],
}
KPIS = ["point", "cost", "objective", "split_rate", "on_time", "status"]


def timed(run):
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario")
    parser.add_argument("--time-limit", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--strategy", default="auto")
    a = parser.parse_args()
    from distributed import Client, LocalCluster

    options = dict(strategy=a.strategy, time_limit=a.time_limit)
    rows = []
    one_s, one = timed(lambda: domopt.tune(a.scenario, GRID, parallel=1, **options).points)
    rows.append(("one process, one point at a time", 1, one_s))
    rayon_s, rayon = timed(lambda: domopt.tune(a.scenario, GRID, parallel=a.workers, **options).points)
    rows.append((f"rayon in one process (parallel={a.workers})", a.workers, rayon_s))
    start_s, cluster = timed(
        lambda: LocalCluster(
            n_workers=a.workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        )
    )
    with cluster, Client(cluster) as client:
        dask_s, spread = timed(lambda: domopt.dask.tune(a.scenario, GRID, client=client, **options))
    rows.append((f"Dask LocalCluster ({a.workers} worker processes)", a.workers, dask_s))

    kpis = [c for c in KPIS if c in one.columns]
    print(f"{len(one)} points, {a.strategy}, time limit {a.time_limit:g} s per point, on {a.scenario}")
    print("| how | solving at once | wall s | speed-up |")
    print("|---|---:|---:|---:|")
    for how, width, wall in rows:
        print(f"| {how} | {width} | {wall:.1f} | {one_s / wall:.2f}x |")
    print(f"(the cluster took {start_s:.1f} s to start, not counted)")
    for name, other in (("rayon", rayon), ("dask", spread)):
        same = other[kpis].reset_index(drop=True).equals(one[kpis].reset_index(drop=True))
        differ = (other["cost"].values != one["cost"].values).sum()
        print(f"{name}: same points as one process: {same} ({differ} of {len(one)} costs differ)")
    print(f"time-limited points: {(one['status'] == 'time_limit').sum()} of {len(one)}")


if __name__ == "__main__":
    main()
