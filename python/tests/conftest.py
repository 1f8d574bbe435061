"""What the tests share: the repository's folders, the CLI binary, a tiny
generated wave, and the JSON of a plan without its timings."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

import domopt

ROOT = Path(__file__).resolve().parents[2]
DATASETS = ROOT / "datasets"


def cli_binary() -> Path:
    """The `domopt` executable: $DOMOPT_BIN, else target/release/domopt
    (scripts/python.sh builds it before the tests)."""
    path = Path(os.environ.get("DOMOPT_BIN", ROOT / "target" / "release" / "domopt"))
    if not path.is_file():
        raise FileNotFoundError(
            f"{path}: build the CLI first (cargo build --release) or set DOMOPT_BIN"
        )
    return path


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Runs the CLI; fails the test with its stderr if it exits non-zero."""
    done = subprocess.run(
        [str(cli_binary()), *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, f"domopt {' '.join(args)}: {done.stderr}"
    return done


def without_timings(value: Any) -> Any:
    """A plan's JSON without what differs between two runs of the same solve:
    wall times (keys ending in `_s`) and the process's peak memory."""
    if isinstance(value, dict):
        return {
            k: without_timings(v)
            for k, v in value.items()
            if not k.endswith("_s") and k != "peak_memory_mb"
        }
    if isinstance(value, list):
        return [without_timings(v) for v in value]
    return value


def plan_json(text: str) -> Any:
    return without_timings(json.loads(text))


@pytest.fixture(scope="session")
def tiny_wave(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`domopt generate --preset tiny --seed 1` (about 50 orders), once."""
    out = tmp_path_factory.mktemp("gen") / "tiny"
    domopt.generate("tiny", seed=1, out=out)
    return out


@pytest.fixture(scope="session")
def tiny(tiny_wave: Path) -> domopt.Scenario:
    return domopt.load(tiny_wave)


@pytest.fixture(scope="session")
def crunch() -> domopt.Scenario:
    return domopt.load(DATASETS / "small" / "capacity-crunch.json")
