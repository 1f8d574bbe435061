"""domopt: distributed order management as optimisation, from Python.

Each wave of orders becomes one mixed-integer program over (order, node,
service) packages, solved with HiGHS and decoded into a plan that an
independent checker re-verifies from the input. This package is the same
engine as the ``domopt`` command line, built from the same Rust crate::

    import domopt
    scenario = domopt.load("datasets/small/capacity-crunch.json")
    plan = domopt.solve(scenario, "auto", time_limit=30)
    assert domopt.check(scenario, plan).ok
    plan.kpis            # a pandas DataFrame (one row)
    plan.shipments       # one row per item of every package
    plan.to_json()       # exactly what `domopt solve --json` prints

Scenarios come from a path (a JSON file or a scenario folder), a dict (the
scenario JSON), and DataFrames (pandas, polars or pyarrow) of nodes,
inventory, orders and order lines added to it. Errors are
:class:`domopt.errors.DomoptError` exceptions carrying the stable codes of
docs/format.md. The GIL is released while solving, tuning, simulating and
generating, so other Python threads run meanwhile.
"""

from __future__ import annotations

import datetime as _dt
import json as _json
import os

import pyarrow as pa
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

from . import _domopt, _frames
from ._domopt import DEFAULT_MODEL, PRESETS, STRATEGIES, Scenario, __version__
from .errors import (
    DomoptError,
    FileError,
    LedgerError,
    ParseError,
    SettingsError,
    SolveError,
    ValidationError,
)

__all__ = [
    "load",
    "validate",
    "solve",
    "check",
    "read_plan",
    "read_parquet",
    "write_parquet",
    "generate",
    "tune",
    "simulate",
    "Scenario",
    "Plan",
    "LedgerRun",
    "CheckReport",
    "TuneResult",
    "SimulationResult",
    "DomoptError",
    "ValidationError",
    "ParseError",
    "FileError",
    "SettingsError",
    "SolveError",
    "LedgerError",
    "STRATEGIES",
    "SIMULATION_STRATEGIES",
    "PRESETS",
    "DEFAULT_MODEL",
    "__version__",
]

#: The library's solve defaults (the same as `domopt solve`'s).
_DEFAULTS: dict[str, Any] = _domopt.default_settings()

#: The defaults of `domopt simulate`'s options.
_SIM_DEFAULTS: dict[str, Any] = _domopt.simulation_defaults()

#: Strategies a simulation runs: every solve strategy and ``opportunity``.
SIMULATION_STRATEGIES: tuple[str, ...] = (*STRATEGIES, "opportunity")

#: A scenario source: a path (JSON file or scenario folder) or the scenario JSON as a dict.
Source = Union[str, "os.PathLike[str]", Mapping[str, Any]]
#: Overrides of the cost model: ``{"split_penalty": 12}`` or ``["split_penalty=12"]``.
Overrides = Union[Mapping[str, Any], Sequence[str], None]


# --- arguments ---------------------------------------------------------------


def _toml(value: Any) -> str:
    """A value as one TOML value (what `--set KEY=VALUE` takes after `=`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, int) else _float(value)
    if isinstance(value, str):
        return _json.dumps(value)
    if isinstance(value, Mapping):
        items = ", ".join(f"{_json.dumps(str(k))} = {_toml(v)}" for k, v in value.items())
        return "{ " + items + " }"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    raise TypeError(f"override value {value!r}: use a number, a string, a bool, a dict or a list")


def _float(x: float) -> str:
    if x != x:
        return "nan"
    if x in (float("inf"), float("-inf")):
        return "inf" if x > 0 else "-inf"
    return repr(x)


def _assignments(overrides: Overrides) -> list[str]:
    """Overrides as `key=value` assignments, as `--set` takes them."""
    if overrides is None:
        return []
    if isinstance(overrides, Mapping):
        return [f"{k}={_toml(v)}" for k, v in overrides.items()]
    if isinstance(overrides, str):
        return [overrides]
    return [str(a) for a in overrides]


def _source(source: Source) -> dict[str, Any]:
    """The source as the core takes it: ``path=`` or ``json=``."""
    if isinstance(source, Mapping):
        return {"json": _json.dumps(source)}
    if isinstance(source, (str, os.PathLike)):
        return {"path": os.fspath(source)}
    raise TypeError(
        f"source: expected a path or a dict, not {type(source).__name__}"
    )


def _tables(**tables: Any) -> dict[str, Any]:
    """The tables given, as pyarrow Tables (the others left out)."""
    return {k: _frames.to_arrow(t, k) for k, t in tables.items() if t is not None}


def _scenario(scenario: Union[Scenario, Source], model: str, overrides: Overrides) -> Scenario:
    """A loaded scenario as is, or a source loaded."""
    if isinstance(scenario, Scenario):
        return scenario
    return load(scenario, model=model, overrides=overrides)


# --- scenarios ---------------------------------------------------------------


def load(
    source: Source,
    *,
    model: str = DEFAULT_MODEL,
    overrides: Overrides = None,
    nodes: Any = None,
    inventory: Any = None,
    orders: Any = None,
    lines: Any = None,
) -> Scenario:
    """Reads and validates a scenario.

    Args:
        source: a path to a scenario JSON file or a scenario folder
            (scenario.json with CSV tables), or the scenario JSON as a dict.
        model: the cost model, a preset (``us-parcel``, ``jasin-sinha``) or
            the path of a TOML file.
        overrides: cost-model values for this run, as a dict
            (``{"split_penalty": 12}``) or `--set` assignments
            (``["split_penalty=12"]``).
        nodes, inventory, orders, lines: tables (pandas or polars DataFrames
            or pyarrow Tables) with the columns of a scenario folder's CSV
            files (docs/format.md; ``nodes`` with the fields of a node
            record, its services a list of structs). Their rows are appended
            to ``source``'s records as a folder's tables join its
            scenario.json, so ``source`` gives the rest (name, wave time,
            SKUs, services, policy, ...); each line joins its order.
            Columns are cast to the records' types (integers where numbers
            are wanted, categoricals, dates and timestamps where text is);
            read ZIP codes as text (a number loses a leading zero).

    Returns:
        The validated :class:`Scenario` (its ``warnings`` list what is legal
        but suspicious).

    Raises:
        ValidationError: the scenario has errors (``.issues`` lists them).
        ParseError: a file or table is malformed (E100).
        FileError: a file cannot be read (E121).
        SettingsError: an unknown cost model (E119) or a bad override (E120).
    """
    tables = _tables(nodes=nodes, inventory=inventory, orders=orders, lines=lines)
    return _domopt.load(
        **_source(source), **tables, model=model, overrides=_assignments(overrides)
    )


def validate(
    source: Source,
    *,
    model: str = DEFAULT_MODEL,
    overrides: Overrides = None,
    nodes: Any = None,
    inventory: Any = None,
    orders: Any = None,
    lines: Any = None,
) -> list[dict[str, Any]]:
    """Every problem of a scenario, without raising for them.

    Takes the arguments of :func:`load`. Returns the issues, errors and
    warnings, each a dict with ``code`` (e.g. ``E101``), ``severity``
    (``error`` or ``warning``), ``record`` (e.g. ``order O-17``), ``field``,
    ``message`` and ``action`` (what to do); an empty list for a clean
    scenario. Raises only when the input cannot be read at all (a malformed
    file E100, a missing one E121, an unknown model E119, a bad override E120).
    """
    tables = _tables(nodes=nodes, inventory=inventory, orders=orders, lines=lines)
    return _domopt.validate(
        **_source(source), **tables, model=model, overrides=_assignments(overrides)
    )


# --- plans -------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerRun:
    """What a solve on the reservation ledger read and wrote (what
    `domopt solve --ledger` prints on stderr)."""

    #: The ledger: a file's path, or the PostgreSQL URL without its password.
    url: str
    #: The ledger version the stock was read at (the last read, after retries).
    read_at: int
    #: How many times the wave was solved (more than 1 when the stock of its
    #: SKUs changed before the commit and it was solved again).
    attempts: int
    #: The ledger version after the commit; ``None`` without ``commit``.
    commit_version: Optional[int] = None
    #: The node-level reservations the commit made (``wave-SEQ:ORDER``).
    reserved: tuple[str, ...] = ()
    #: The network-level reservations it assigned to the plan's nodes.
    assigned: tuple[str, ...] = ()
    #: The wave's orders' holds and reservations it replaced.
    released: tuple[str, ...] = ()

    @property
    def committed(self) -> bool:
        """Whether the plan was committed to the ledger."""
        return self.commit_version is not None

    @classmethod
    def _of(cls, facts: Optional[Mapping[str, Any]]) -> Optional["LedgerRun"]:
        if facts is None:
            return None
        lists = {k: tuple(facts[k]) for k in ("reserved", "assigned", "released")}
        return cls(
            url=facts["url"],
            read_at=facts["read_at"],
            attempts=facts["attempts"],
            commit_version=facts["commit_version"],
            **lists,
        )


class Plan:
    """A wave's plan: shipments, backorders, per-order summaries, KPIs and
    the solve record.

    The tables (:attr:`shipments`, :attr:`backorders`, :attr:`orders`,
    :attr:`kpis`) are pandas DataFrames with the columns of the CSV files
    `domopt solve --out` writes (the KPIs, which are in plan.json only,
    one row); :meth:`tables` gives them as polars DataFrames or pyarrow
    Tables too.
    """

    __slots__ = ("_plan", "_arrow", "_ledger")

    def __init__(self, plan: "_domopt.Plan", ledger: Optional[LedgerRun] = None) -> None:
        self._plan = plan
        self._arrow: Optional[dict[str, Any]] = None
        self._ledger = ledger if ledger is not None else LedgerRun._of(plan.ledger)

    # The solve record.
    @property
    def status(self) -> str:
        """The solve's status: optimal, time_limit, gap_limit, feasible, fallback, ..."""
        return self._plan.status

    @property
    def strategy(self) -> str:
        """The strategy that made the plan."""
        return self._plan.strategy

    @property
    def objective(self) -> float:
        """The plan's cost, penalties included (the solver's objective)."""
        return self._plan.objective

    @property
    def best_bound(self) -> Optional[float]:
        """A lower bound on the cost valid for the whole wave, if one was proven."""
        return self._plan.best_bound

    @property
    def gap(self) -> Optional[float]:
        """(cost - bound) / |cost|, if a bound was proven."""
        return self._plan.gap

    @property
    def time_s(self) -> float:
        """Wall seconds of the solve."""
        return self._plan.time_s

    @property
    def message(self) -> str:
        """The solve record's message (solver message, fallback reason)."""
        return self._plan.message

    @property
    def scenario(self) -> str:
        """The scenario's name."""
        return self._plan.scenario

    @property
    def packages(self) -> int:
        """How many packages (shipments) the plan has."""
        return self._plan.packages

    @property
    def ledger(self) -> Optional[LedgerRun]:
        """What the solve read from and wrote to the reservation ledger
        (``solve(..., ledger=...)``); ``None`` when it used none."""
        return self._ledger

    # JSON and files.
    def to_json(self) -> str:
        """The plan as JSON text, exactly as `domopt solve --json` prints it."""
        return self._plan.to_json()

    @property
    def json(self) -> str:
        """The plan as JSON text (the same as :meth:`to_json`)."""
        return self._plan.to_json()

    def to_dict(self) -> dict[str, Any]:
        """The plan's JSON as a dict."""
        return _json.loads(self._plan.to_json())

    def write(self, dir: Union[str, "os.PathLike[str]"], tables: str = "csv") -> None:
        """Writes the plan folder as `domopt solve --out DIR` does: plan.json,
        shipments.csv, backorders.csv and orders.csv (``tables="parquet"``:
        the same tables as .parquet files), all at once. The folder must be
        new, empty, or one that holds a plan (FileError E122 otherwise,
        before anything is written)."""
        self._plan.write(os.fspath(dir), tables)

    # Tables.
    def _tables_arrow(self) -> dict[str, Any]:
        if self._arrow is None:
            batches = self._plan.tables()
            self._arrow = {
                name: pa.Table.from_batches([batch])
                for name, batch in zip(_PLAN_TABLES, batches)
            }
        return self._arrow

    def tables(self, kind: str = "pandas") -> dict[str, Any]:
        """The four tables, ``shipments``, ``backorders``, ``orders`` and
        ``kpis``, as ``kind``: ``pandas`` (default), ``polars`` or ``arrow``
        (pyarrow Tables, made without copying the data)."""
        _frames.check_kind(kind)
        return {k: _frames.convert(t, kind) for k, t in self._tables_arrow().items()}

    def table(self, name: str, kind: str = "pandas") -> Any:
        """One table (``shipments``, ``backorders``, ``orders`` or ``kpis``) as ``kind``."""
        if name not in _PLAN_TABLES:
            raise ValueError(f"table {name!r}: use one of {', '.join(_PLAN_TABLES)}")
        return _frames.convert(self._tables_arrow()[name], kind)

    @property
    def shipments(self) -> Any:
        """One row per item of every package (the columns of shipments.csv), pandas."""
        return self.table("shipments")

    @property
    def backorders(self) -> Any:
        """One row per line left (partly) unfilled (backorders.csv), pandas."""
        return self.table("backorders")

    @property
    def orders(self) -> Any:
        """One row per order: packages, units, cost, on time (orders.csv), pandas."""
        return self.table("orders")

    @property
    def kpis(self) -> Any:
        """The wave's KPIs as one row (cost by component, packages, rates), pandas."""
        return self.table("kpis")

    def __reduce__(self):
        return (Plan, (self._plan, self._ledger))

    def __repr__(self) -> str:
        return repr(self._plan)


#: The plan's tables, in the order the core returns them.
_PLAN_TABLES = ("shipments", "backorders", "orders", "kpis")


def solve(
    scenario: Union[Scenario, Source],
    strategy: str = "auto",
    *,
    time_limit: float = _DEFAULTS["time_limit"],
    mip_rel_gap: float = _DEFAULTS["mip_rel_gap"],
    threads: int = _DEFAULTS["threads"],
    seed: int = _DEFAULTS["seed"],
    candidates: str = _DEFAULTS["candidates"],
    solver_log: bool = False,
    model: str = DEFAULT_MODEL,
    overrides: Overrides = None,
    ledger: Optional[Union[str, "os.PathLike[str]"]] = None,
    commit: bool = False,
    retries: Optional[int] = None,
    at: Optional[Union[str, _dt.datetime]] = None,
    store_timeout: Optional[float] = None,
) -> Plan:
    """Routes a wave, as `domopt solve` does; the GIL is released meanwhile.

    Args:
        scenario: a :class:`Scenario` from :func:`load`, or a source that is
            loaded first with ``model`` and ``overrides``.
        strategy: ``auto`` (column generation, then the full MIP on waves of
            at most 30,000 candidates), ``decompose`` (column generation
            alone), ``monolithic`` (one MIP), or a baseline: ``greedy-cost``,
            ``ranked``, ``closest``, ``shopify``.
        time_limit: solver wall-clock limit in seconds; on a time-out the
            best plan found comes back with status ``time_limit``.
        mip_rel_gap: the relative MIP gap at which to stop.
        threads: solver threads.
        seed: the solver's random seed (same input and seed, same plan).
        candidates: ``exact`` (every eligible node) or ``pruned:K`` (the K
            cheapest nodes per line among its 4K nearest, plus its cheapest node
            without a capacity; a heuristic).
        solver_log: print HiGHS's log on stderr.
        ledger: read the stock from this reservation ledger (a path,
            ``sqlite:PATH`` or ``postgres://user:password@host:port/db``, as
            `domopt ledger init` made it) instead of the scenario's
            inventory: free units, plus what the wave's own orders hold or
            reserve. :attr:`Plan.ledger` then tells the version read.
        commit: with ``ledger``, commit the plan as node-level reservations
            in one transaction, all or nothing (the wave's orders' holds and
            reservations are replaced; network-level reservations the plan
            fills exactly are assigned to its nodes).
        retries: with ``commit``, how many times to solve again when the
            stock of the wave's SKUs changed between the read and the commit
            (default 3; then LedgerError E150, nothing committed).
        at: with ``ledger``, the ledger's clock: ``YYYY-MM-DDTHH:MM[:SS]`` in
            UTC, or a :class:`datetime.datetime` (naive is UTC; to the
            second); default now.
        store_timeout: with ``ledger``, seconds to wait for the ledger's
            write lock or a connection (default 5, at most 3600; then
            LedgerError E147).

    ``--out`` is :meth:`Plan.write` and ``--json`` is :meth:`Plan.to_json`.

    Raises:
        SettingsError: an unknown strategy or a setting out of range (E120),
            including a bad ``at`` or ``store_timeout`` and a ledger option
            without the one it goes with (``commit`` without ``ledger``,
            ``retries`` without ``commit``, ``at`` or ``store_timeout``
            without ``ledger``).
        SolveError: no plan could be made.
        LedgerError: the ledger refused or failed, with its code (E147 its
            store, E150 the stock kept changing, E151 a bad URL, ...);
            nothing was committed.
        ValidationError: the scenario fails validation with the ledger's stock.
    """
    s = _scenario(scenario, model, overrides)
    plan = _domopt.solve(
        s,
        strategy,
        time_limit=time_limit,
        mip_rel_gap=mip_rel_gap,
        threads=threads,
        seed=seed,
        candidates=candidates,
        solver_log=solver_log,
        ledger=None if ledger is None else os.fspath(ledger),
        commit=commit,
        retries=retries,
        at=_clock_time(at),
        store_timeout=store_timeout,
    )
    return Plan(plan)


def _clock_time(at: Optional[Union[str, _dt.datetime]]) -> Optional[str]:
    """A ledger clock time as `--at` takes it: text as is, a datetime in
    UTC (naive ones are taken as UTC) to the second."""
    if isinstance(at, _dt.datetime):
        if at.tzinfo is not None:
            at = at.astimezone(_dt.timezone.utc).replace(tzinfo=None)
        return at.replace(microsecond=0).isoformat()
    return at


@dataclass(frozen=True)
class CheckReport:
    """The independent checker's verdict on a plan: every number of the plan
    recomputed from the scenario alone."""

    #: No violation found.
    ok: bool
    #: Each violation: ``kind`` (stock, capacity, cost, ...), ``record``, ``message``.
    violations: list[dict[str, Any]] = field(default_factory=list)
    #: The plan's cost by component as the checker recomputed it.
    recomputed: dict[str, float] = field(default_factory=dict)
    #: Shipments checked.
    shipments: int = 0

    def __bool__(self) -> bool:
        return self.ok


def check(scenario: Scenario, plan: Plan) -> CheckReport:
    """Checks ``plan`` against ``scenario`` (the one it was made from, with
    the same model and overrides), as `domopt check` does."""
    if not isinstance(plan, Plan):
        raise TypeError(f"plan: expected a domopt.Plan, not {type(plan).__name__}")
    return CheckReport(**_domopt.check(scenario, plan._plan))


def read_plan(path: Union[str, "os.PathLike[str]"]) -> Plan:
    """Reads a plan from plan.json or the folder `domopt solve --out` wrote."""
    return Plan(_domopt.read_plan(os.fspath(path)))


# --- Parquet -----------------------------------------------------------------


def read_parquet(path: Union[str, "os.PathLike[str]"], kind: str = "pandas") -> Any:
    """Reads a Parquet file (a scenario folder's or a plan folder's table,
    or any other) as ``kind``: pandas (default), polars or arrow."""
    _frames.check_kind(kind)
    batch = _domopt.read_parquet(os.fspath(path))
    return _frames.convert(pa.Table.from_batches([batch]), kind)


def write_parquet(table: Any, path: Union[str, "os.PathLike[str]"]) -> None:
    """Writes a table (a pandas or polars DataFrame or a pyarrow Table) as a
    zstd-compressed Parquet file, all at once (a temporary file renamed over
    ``path``), as the core writes a folder's tables."""
    _domopt.write_parquet(_frames.to_arrow(table, "table"), os.fspath(path))


# --- research ----------------------------------------------------------------


def generate(
    preset: str,
    *,
    out: Union[str, "os.PathLike[str]"],
    seed: int = 1,
    overrides: Overrides = None,
    tables: str = "csv",
) -> dict[str, Any]:
    """Writes a realistic peak-season instance as a scenario folder, as
    `domopt generate` does (deterministic for a seed; the GIL is released).

    Args:
        preset: ``tiny`` (~50 orders), ``peak-s`` (1k orders, 20 nodes),
            ``peak-m`` (20k, 100), ``peak-l`` (100k, 500), ``peak-xl`` (1M, 2,000).
        out: the folder to write (made if missing).
        seed: the random seed.
        overrides: knobs of the generator, e.g. ``{"orders": 200}`` (see
            GENERATED.md in the output for every knob).
        tables: the folder's table format, ``csv`` or ``parquet``
            (zstd-compressed, loads several times faster).

    Returns:
        What was written: ``nodes``, ``skus``, ``orders``, ``lines``,
        ``inventory_rows`` and ``path`` (the folder, for :func:`load`).
    """
    summary = _domopt.generate(
        preset, out=os.fspath(out), seed=seed, overrides=_assignments(overrides), tables=tables
    )
    summary["path"] = os.fspath(out)
    return summary


@dataclass(frozen=True)
class TuneResult:
    """What :func:`tune` found."""

    #: One row per point solved: the columns of `domopt tune`'s points.csv
    #: (point, each knob, the KPIs, status, time, checked, frontier).
    points: Any
    #: The point meeting every target with the best objective, or the
    #: closest: ``{"met", "point", "shortfall"}``; ``None`` without points.
    answer: Optional[dict[str, Any]]
    #: Points on the cost / split-rate Pareto frontier.
    split_frontier: list[int]
    #: Points on the cost / on-time-rate Pareto frontier.
    on_time_frontier: list[int]
    #: The whole result as `domopt tune --json` prints it.
    json: dict[str, Any]


def _grid(grid: Mapping[str, Any]) -> list[str]:
    """A grid as `--grid` specifications: a list of values, or a range string."""
    if not isinstance(grid, Mapping):
        raise TypeError("grid: expected a dict of knob -> values, e.g. {'split_penalty': [0, 4, 8]}")
    specs = []
    for knob, values in grid.items():
        if isinstance(values, str):
            specs.append(f"{knob}={values}")
        else:
            specs.append(f"{knob}=" + ",".join(_value(v) for v in values))
    return specs


def _value(v: Any) -> str:
    return _float(v) if isinstance(v, float) else str(v)


def tune(
    scenario: Union[Scenario, Source],
    grid: Mapping[str, Union[Sequence[Any], str]],
    *,
    strategy: str = "auto",
    time_limit: float = _DEFAULTS["time_limit"],
    parallel: Optional[int] = None,
    targets: Iterable[str] = (),
    minimise: Optional[str] = None,
    maximise: Optional[str] = None,
    allow_large: bool = False,
    points: Optional[Iterable[int]] = None,
    kind: str = "pandas",
    model: str = DEFAULT_MODEL,
    overrides: Overrides = None,
) -> TuneResult:
    """Tunes the cost model: solves the wave at every point of a grid of
    knobs, as `domopt tune` does (each plan checked; the GIL is released).

    Args:
        scenario: a :class:`Scenario`, or a source loaded with ``model`` and
            ``overrides`` (the grid's knobs override these).
        grid: knob -> values, a list (``{"split_penalty": [0, 4, 8]}``) or a
            range ``"FROM:TO:STEP"`` (TO included). Knobs: split_penalty,
            late_penalty_per_day, unfilled_penalty_per_unit,
            store_premium_per_unit, cross_market_penalty,
            planned_move_penalty, released_move_penalty (numbers),
            unfilled_rule (fixed, twice-worst), cross_market (forbid,
            penalty), candidates (exact, pruned:K). The grid is their
            product, at most 10,000 points (1,000,000 with ``allow_large``).
        strategy: the strategy of every solve (see :func:`solve`).
        time_limit: solver time limit per point, seconds.
        parallel: points solved at once (default: the machine's cores).
        targets: ``KPI>=X`` or ``KPI<=X`` that the answer must meet.
        minimise, maximise: the KPI to optimise among the points meeting the
            targets (default: minimise ``cost``).
        points: solve only these point numbers of the grid (each row keeps
            its number; the frontiers are those of these points), so that a
            grid can be spread over several processes.
        kind: the table kind of ``points``: pandas, polars or arrow.

    Raises:
        ValidationError: a bad grid, target or point number (E190-E193).
        SettingsError: an unknown strategy or a setting out of range (E120).
    """
    _frames.check_kind(kind)
    s = _scenario(scenario, model, overrides)
    out = _domopt.tune(
        s,
        _grid(grid),
        strategy=strategy,
        time_limit=time_limit,
        parallel=parallel,
        targets=list(targets),
        minimise=minimise,
        maximise=maximise,
        allow_large=allow_large,
        points=None if points is None else [int(p) for p in points],
    )
    doc = out["json"]
    return TuneResult(
        points=_frames.from_records(out["points"], kind),
        answer=doc["answer"],
        split_frontier=doc["tune"]["split_frontier"]["points"],
        on_time_frontier=doc["tune"]["on_time_frontier"]["points"],
        json=doc,
    )


@dataclass(frozen=True)
class SimulationResult:
    """What :func:`simulate` found."""

    #: One row per strategy and wave (the columns of waves.csv).
    waves: Any
    #: One row per strategy and the clairvoyant run: the horizon's KPIs (horizon.csv).
    horizon: Any
    #: The whole result as `domopt simulate --json` prints it.
    json: dict[str, Any]
    #: The Markdown report (report.md).
    markdown: str


def simulate(
    scenario: Union[Scenario, Source],
    *,
    strategies: Optional[Iterable[str]] = None,
    arrivals: Optional[Union[str, "os.PathLike[str]"]] = None,
    profile: Optional[str] = None,
    start: Optional[str] = None,
    seed: int = _SIM_DEFAULTS["seed"],
    wave_every: Optional[int] = None,
    wave_orders: Optional[int] = None,
    clairvoyant: bool = True,
    clairvoyant_time_limit: float = _SIM_DEFAULTS["clairvoyant_time_limit"],
    time_limit: float = 10.0,
    cancel_rate: float = 0.0,
    cancel_after: int = _SIM_DEFAULTS["cancel_after"],
    return_rate: float = 0.0,
    return_days: int = _SIM_DEFAULTS["return_days"],
    return_costs: Optional[Union[str, "os.PathLike[str]"]] = None,
    replenish_at: Optional[str] = None,
    look_ahead: float = _SIM_DEFAULTS["look_ahead"],
    parallel: Optional[int] = None,
    kind: str = "pandas",
    model: str = DEFAULT_MODEL,
    overrides: Overrides = None,
) -> SimulationResult:
    """Simulates a peak day or week, as `domopt simulate` does: the
    scenario's orders arrive over the horizon, are cut into waves, and each
    strategy routes each wave on the stock and capacity its earlier waves
    left, beside a clairvoyant run that knows every order from the start
    (the GIL is released meanwhile).

    Args:
        scenario: a :class:`Scenario`, or a source loaded with ``model`` and ``overrides``.
        strategies: any solve strategy and ``opportunity`` (default: shopify,
            greedy-cost, auto, opportunity).
        arrivals: a CSV with columns order,at (ascending), or ``"placed_at"``
            (the orders' own times); default: drawn from ``profile``.
        profile: ``day`` (default) or ``week``; not with ``arrivals``.
        start: start of the horizon, ``YYYY-MM-DDTHH:MM`` (default: midnight
            of the scenario's wave date); not with ``arrivals``.
        seed: seed of the arrivals, cancellations, returns and forecasts.
        wave_every: minutes between wave cuts (default 15).
        wave_orders: cut a wave every this many orders instead.
        clairvoyant: also run the clairvoyant plan (its bound is below
            every strategy's objective).
        clairvoyant_time_limit: its time limit, seconds.
        time_limit: solver time limit per wave, seconds.
        cancel_rate, cancel_after: share of orders cancelled, minutes after placing.
        return_rate, return_days, return_costs: share of shipped orders
            returned, days after delivery, and the returns file whose costs
            route them (needed with a return rate).
        replenish_at: each day at ``HH:MM``, bring DC and 3PL stock back to its start.
        look_ahead: hours of forecast demand in the opportunity strategy's LP.
        parallel: strategies run at once (default: the machine's cores).
        kind: the table kind of ``waves`` and ``horizon``: pandas, polars or arrow.

    Raises:
        ValidationError: an option out of range (E197, all at once) or bad
            arrivals (E194-E196).
    """
    _frames.check_kind(kind)
    s = _scenario(scenario, model, overrides)
    out = _domopt.simulate(
        s,
        strategies=None if strategies is None else list(strategies),
        arrivals=None if arrivals is None else os.fspath(arrivals),
        profile=profile,
        start=start,
        seed=seed,
        wave_every=wave_every,
        wave_orders=wave_orders,
        clairvoyant=clairvoyant,
        clairvoyant_time_limit=clairvoyant_time_limit,
        time_limit=time_limit,
        cancel_rate=cancel_rate,
        cancel_after=cancel_after,
        return_rate=return_rate,
        return_days=return_days,
        return_costs=None if return_costs is None else os.fspath(return_costs),
        replenish_at=replenish_at,
        look_ahead=look_ahead,
        parallel=parallel,
    )
    return SimulationResult(
        waves=_frames.from_records(out["waves"], kind),
        horizon=_frames.from_records(out["horizon"], kind),
        json=out["json"],
        markdown=out["markdown"],
    )
