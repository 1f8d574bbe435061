"""Type hints of the extension module domopt._domopt (the Rust core).

The public API is the package `domopt`, which wraps these functions: it
turns DataFrames into pyarrow Tables, dicts into JSON, and results into
DataFrames. Defaults given as ``None`` here are the library's own.
"""

from typing import Any, Optional

import pyarrow

__version__: str
#: The solve strategies, by name.
STRATEGIES: list[str]
#: The generator's presets, by name.
PRESETS: list[str]
#: The cost model used when none is named.
DEFAULT_MODEL: str

class Scenario:
    """A validated scenario with the records, cost model and overrides it
    was made from. Made by :func:`domopt.load`; pickles as its records."""

    @property
    def name(self) -> str:
        """The scenario's name."""
    @property
    def model(self) -> str:
        """The cost model's name."""
    @property
    def overrides(self) -> list[str]:
        """The run's overrides as ``key=value`` assignments."""
    @property
    def source(self) -> str:
        """Where the records came from: a path, ``<dict>`` or ``<tables>``."""
    @property
    def warnings(self) -> list[dict[str, Any]]:
        """The warnings validation found, as records (code, severity, record, field, message, action)."""
    def counts(self) -> dict[str, int]:
        """Sizes: nodes, skus, services, orders, lines."""
    def to_json(self) -> str:
        """The records as JSON text, the scenario file's format."""
    def to_dict(self) -> dict[str, Any]:
        """The records as a dict (what :func:`domopt.load` takes back)."""

class Plan:
    """A wave's plan as the core holds it (wrapped by :class:`domopt.Plan`)."""

    @property
    def status(self) -> str: ...
    @property
    def strategy(self) -> str: ...
    @property
    def objective(self) -> float: ...
    @property
    def best_bound(self) -> Optional[float]: ...
    @property
    def gap(self) -> Optional[float]: ...
    @property
    def time_s(self) -> float: ...
    @property
    def message(self) -> str: ...
    @property
    def scenario(self) -> str: ...
    @property
    def packages(self) -> int: ...
    @property
    def ledger(self) -> Optional[dict[str, Any]]:
        """What a solve on the ledger read and wrote: url, read_at,
        attempts, commit_version, reserved, assigned, released; ``None``
        without a ledger (and after unpickling: :class:`domopt.Plan` keeps it)."""
    def to_json(self) -> str:
        """The plan as `domopt solve --json` prints it."""
    def write(self, dir: str, tables: str = "csv") -> None:
        """Writes the plan folder as `domopt solve --out` does (tables csv or parquet)."""
    def tables(
        self,
    ) -> tuple[
        pyarrow.RecordBatch, pyarrow.RecordBatch, pyarrow.RecordBatch, pyarrow.RecordBatch
    ]:
        """shipments, backorders, orders and kpis as pyarrow RecordBatches."""

def load(
    *,
    path: Optional[str] = None,
    json: Optional[str] = None,
    model: str,
    overrides: list[str],
    nodes: Optional[pyarrow.Table] = None,
    inventory: Optional[pyarrow.Table] = None,
    orders: Optional[pyarrow.Table] = None,
    lines: Optional[pyarrow.Table] = None,
) -> Scenario:
    """Reads (a path, or a scenario's JSON text, with the tables' rows
    appended) and validates; raises domopt.errors exceptions."""

def validate(
    *,
    path: Optional[str] = None,
    json: Optional[str] = None,
    model: str,
    overrides: list[str],
    nodes: Optional[pyarrow.Table] = None,
    inventory: Optional[pyarrow.Table] = None,
    orders: Optional[pyarrow.Table] = None,
    lines: Optional[pyarrow.Table] = None,
) -> list[dict[str, Any]]:
    """Every validation issue as a record; raises only for unreadable input."""

def solve(
    scenario: Scenario,
    strategy: str = "auto",
    *,
    time_limit: Optional[float] = None,
    mip_rel_gap: Optional[float] = None,
    threads: Optional[int] = None,
    seed: Optional[int] = None,
    candidates: str = "exact",
    solver_log: bool = False,
    ledger: Optional[str] = None,
    commit: bool = False,
    retries: Optional[int] = None,
    at: Optional[str] = None,
    store_timeout: Optional[float] = None,
) -> Plan:
    """Routes the wave with the GIL released: on the scenario's inventory,
    or on the stock of the ledger at ``ledger`` (committed with ``commit``,
    solved again up to ``retries`` times, default 3, when the stock changed;
    ``at`` the ledger's clock, ``store_timeout`` seconds). A ledger option
    without the one it goes with is a SettingsError (E120); a ledger that
    refuses or fails a LedgerError with its code."""

def check(scenario: Scenario, plan: Plan) -> dict[str, Any]:
    """The checker's report: ok, violations, recomputed, shipments."""

def read_plan(path: str) -> Plan:
    """A plan from plan.json or a plan folder."""

def plan_from_json(text: str) -> Plan:
    """A plan from its JSON text."""

def generate(
    preset: str, *, out: str, seed: int = 1, overrides: list[str] = ..., tables: str = "csv"
) -> dict[str, Any]:
    """Writes a research instance; returns nodes, skus, orders, lines, inventory_rows."""

def tune(
    scenario: Scenario,
    grid: list[str],
    *,
    strategy: str = "auto",
    time_limit: Optional[float] = None,
    parallel: Optional[int] = None,
    targets: list[str] = ...,
    minimise: Optional[str] = None,
    maximise: Optional[str] = None,
    allow_large: bool = False,
    points: Optional[list[int]] = None,
) -> dict[str, Any]:
    """``{"points": rows of points.csv, "json": what tune --json prints}``."""

def simulate(
    scenario: Scenario,
    *,
    strategies: Optional[list[str]] = None,
    arrivals: Optional[str] = None,
    profile: Optional[str] = None,
    start: Optional[str] = None,
    seed: int = 1,
    wave_every: Optional[int] = None,
    wave_orders: Optional[int] = None,
    clairvoyant: bool = True,
    clairvoyant_time_limit: Optional[float] = None,
    time_limit: float = 10.0,
    cancel_rate: float = 0.0,
    cancel_after: Optional[int] = None,
    return_rate: float = 0.0,
    return_days: Optional[int] = None,
    return_costs: Optional[str] = None,
    replenish_at: Optional[str] = None,
    look_ahead: Optional[float] = None,
    parallel: Optional[int] = None,
) -> dict[str, Any]:
    """``{"waves", "horizon": rows, "json": simulate --json, "markdown": report.md}``."""

def read_parquet(path: str) -> pyarrow.RecordBatch:
    """A Parquet file as one record batch."""

def write_parquet(table: pyarrow.Table, path: str) -> None:
    """Writes a table as a zstd-compressed Parquet file, all at once."""

def default_settings() -> dict[str, Any]:
    """The library's solve defaults: time_limit, mip_rel_gap, threads, seed, candidates."""

def simulation_defaults() -> dict[str, Any]:
    """The defaults of `domopt simulate`'s options."""
