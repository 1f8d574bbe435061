"""The GIL is released while the core works: a Python thread keeps running
during a solve."""

from __future__ import annotations

import threading
import time

import domopt


def count_while(worker: threading.Thread) -> int:
    """Starts `worker` and counts in pure Python until it ends."""
    n = 0
    worker.start()
    while worker.is_alive():
        n += 1
    worker.join()
    return n


def test_a_python_thread_runs_while_a_wave_is_solved(tmp_path) -> None:
    wave = domopt.generate("tiny", seed=2, out=tmp_path / "wave", overrides={"orders": 400})
    scenario = domopt.load(wave["path"])
    # The loop's rate while the other thread sleeps (holding no GIL).
    rate = count_while(threading.Thread(target=time.sleep, args=(0.3,))) / 0.3
    done: dict[str, float] = {}

    def solve() -> None:
        start = time.perf_counter()
        domopt.solve(scenario, "monolithic", time_limit=30)
        done["seconds"] = time.perf_counter() - start

    counted = count_while(threading.Thread(target=solve))
    # The solve must last long enough for the count to tell anything.
    assert done["seconds"] > 0.2, f"the solve took {done['seconds']:.3f} s: use a larger wave"
    # With the GIL held through the solve this thread would count (almost)
    # nothing; released, it counts at a good share of its free rate.
    assert counted > 0.25 * rate * done["seconds"], (counted, rate, done)
