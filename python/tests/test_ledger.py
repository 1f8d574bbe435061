"""`domopt.solve` on the reservation ledger's stock (the ledger options of
`domopt solve`): ledgers made by the CLI, the commit checked with the CLI,
the settings refused as the CLI refuses them, and the ledger's own codes."""

from __future__ import annotations

import datetime
import json
import os
import pickle
import re
import shutil
import subprocess
import urllib.parse
import uuid
from collections import Counter
from pathlib import Path

import pytest

import domopt
from conftest import DATASETS, cli_binary, plan_json, run_cli

SEED = DATASETS / "seed-example" / "two-shipments.json"


def make_ledger(url: str) -> str:
    """`domopt ledger init URL --scenario SEED`; returns the URL."""
    run_cli("ledger", "init", url, "--scenario", str(SEED))
    return url


def reserved(url: str) -> Counter:
    """Units reserved per (node, SKU) of the seed scenario's SKUs, as
    `domopt ledger availability --json` reports them (the scenario's own
    reserved units are reservations `initial:NODE:SKU` from `ledger init`)."""
    counts: Counter = Counter()
    for sku in (s["id"] for s in json.loads(SEED.read_text())["skus"]):
        out = run_cli("ledger", "availability", url, "--sku", sku, "--json").stdout
        for node in json.loads(out)["nodes"]:
            counts[(node["node"], sku)] += node["reserved"]
    return +counts  # without the (node, SKU) rows that reserve nothing


def planned(plan: domopt.Plan) -> Counter:
    """Units the plan ships per (node, SKU)."""
    counts: Counter = Counter()
    for s in plan.to_dict()["shipments"]:
        for item in s["items"]:
            counts[(s["node"], item["sku"])] += item["quantity"]
    return counts


@pytest.fixture
def seed() -> domopt.Scenario:
    return domopt.load(SEED)


def test_a_committed_wave_reserves_its_planned_units_and_its_plan_passes_the_cli_check(
    tmp_path: Path, seed: domopt.Scenario
) -> None:
    url = make_ledger(str(tmp_path / "ledger.db"))
    before = reserved(url)
    assert before  # the scenario's own reserved units
    plan = domopt.solve(seed, ledger=url, commit=True)
    assert plan.ledger is not None and plan.ledger.committed
    assert plan.ledger.attempts == 1
    assert plan.ledger.commit_version > plan.ledger.read_at
    # One reservation per order the plan ships, named by the version read.
    orders = {s["order"] for s in plan.to_dict()["shipments"]}
    assert sorted(plan.ledger.reserved) == sorted(
        f"wave-{plan.ledger.read_at}:{o}" for o in orders
    )
    # The ledger holds the plan's units as reservations, beside the others.
    assert reserved(url) == before + planned(plan)
    assert sum(planned(plan).values()) > 0
    # The plan passes `domopt check` against the scenario (the fresh ledger's
    # stock is the scenario's inventory).
    plan.write(tmp_path / "plan")
    out = run_cli("check", str(SEED), str(tmp_path / "plan"), "--json").stdout
    report = json.loads(out)
    assert report["violations"] == [] and report["shipments"] == plan.packages
    run_cli("ledger", "verify", url)


def test_the_package_and_the_cli_make_the_same_plan_and_versions_on_the_same_ledger(
    tmp_path: Path, seed: domopt.Scenario
) -> None:
    ours = make_ledger(str(tmp_path / "ours.db"))
    theirs = make_ledger("sqlite:" + str(tmp_path / "theirs.db"))
    plan = domopt.solve(seed, ledger=ours, commit=True)
    done = run_cli("solve", str(SEED), "--ledger", theirs, "--commit", "--json")
    assert plan_json(plan.to_json()) == plan_json(done.stdout)
    read = re.search(r"at version (\d+) \((\d+) solve", done.stderr)
    committed = re.search(
        r"committed at version (\d+): (\d+) reservation\(s\) made, (\d+) assigned to nodes, "
        r"(\d+) hold", done.stderr
    )
    assert read and committed, done.stderr
    run = plan.ledger
    assert (run.read_at, run.attempts) == (int(read[1]), int(read[2]))
    assert (run.commit_version, len(run.reserved), len(run.assigned), len(run.released)) == tuple(
        int(committed[k]) for k in range(1, 5)
    )


def test_a_wave_solved_again_replaces_its_own_reservations_and_reads_them_as_its_stock(
    tmp_path: Path, seed: domopt.Scenario
) -> None:
    url = make_ledger(str(tmp_path / "ledger.db"))
    before = reserved(url)
    first = domopt.solve(seed, ledger=url, commit=True, retries=0)
    second = domopt.solve(seed, ledger=url, commit=True)
    assert sorted(second.ledger.released) == sorted(first.ledger.reserved)
    assert second.ledger.read_at == first.ledger.commit_version
    assert second.objective == pytest.approx(first.objective)
    assert reserved(url) == before + planned(second)


def test_without_commit_the_ledger_is_read_and_left_as_it_was(
    tmp_path: Path, seed: domopt.Scenario
) -> None:
    url = make_ledger(str(tmp_path / "ledger.db"))
    before = reserved(url)
    plan = domopt.solve(seed, ledger=url, at="2026-11-30T12:00", store_timeout=2.5)
    assert plan.ledger.commit_version is None and not plan.ledger.committed
    assert plan.ledger.reserved == plan.ledger.assigned == plan.ledger.released == ()
    assert reserved(url) == before
    assert plan.ledger.url == url
    # The same wave on the scenario's own inventory, which the fresh ledger copies.
    assert plan.objective == pytest.approx(domopt.solve(seed).objective)
    assert domopt.solve(seed).ledger is None


def test_a_plan_keeps_its_ledger_facts_through_pickling_and_a_datetime_clock(
    tmp_path: Path, seed: domopt.Scenario
) -> None:
    url = make_ledger(str(tmp_path / "ledger.db"))
    at = datetime.datetime(2026, 11, 30, 13, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))
    plan = domopt.solve(seed, ledger=url, commit=True, at=at)
    again = pickle.loads(pickle.dumps(plan))
    assert again.ledger == plan.ledger
    assert again.to_json() == plan.to_json()


@pytest.mark.parametrize(
    "options, field",
    [
        ({"commit": True}, "commit"),
        ({"retries": 2}, "retries"),
        ({"ledger": "LEDGER", "retries": 2}, "retries"),
        ({"at": "2026-11-30T12:00"}, "at"),
        ({"store_timeout": 1.0}, "store_timeout"),
    ],
)
def test_a_ledger_option_without_the_one_it_goes_with_is_a_settings_error_e120(
    tmp_path: Path, seed: domopt.Scenario, options: dict, field: str
) -> None:
    url = make_ledger(str(tmp_path / "ledger.db"))
    before = reserved(url)
    options = {k: (url if v == "LEDGER" else v) for k, v in options.items()}
    with pytest.raises(domopt.SettingsError) as caught:
        domopt.solve(seed, **options)
    assert caught.value.code == "E120"
    assert f"invalid setting {field}: only with" in str(caught.value)
    assert reserved(url) == before


@pytest.mark.parametrize(
    "options, field",
    [
        ({"at": "tomorrow"}, "at"),
        ({"at": "9999-01-01T00:00"}, "at"),
        ({"store_timeout": 0}, "store_timeout"),
        ({"store_timeout": -1.0}, "store_timeout"),
        ({"store_timeout": 3601}, "store_timeout"),
        ({"store_timeout": float("nan")}, "store_timeout"),
        ({"commit": True, "retries": -1}, "retries"),
    ],
)
def test_a_bad_clock_time_store_timeout_or_retry_count_is_e120_as_the_cli_says(
    tmp_path: Path, seed: domopt.Scenario, options: dict, field: str
) -> None:
    url = make_ledger(str(tmp_path / "ledger.db"))
    with pytest.raises(domopt.SettingsError) as caught:
        domopt.solve(seed, ledger=url, **options)
    assert caught.value.code == "E120"
    assert f"invalid setting {field}" in str(caught.value)
    # The CLI refuses the same clock time and timeout with the same code.
    cli_option = {"at": "--at", "store_timeout": "--store-timeout"}.get(field)
    if cli_option:
        value = str(options[field])
        done = subprocess.run(
            [str(cli_binary()), "solve", str(SEED), "--ledger", url, cli_option, value, "--json"],
            capture_output=True, text=True, timeout=120,
        )
        assert done.returncode == 2
        assert json.loads(done.stdout)["code"] == "E120"


@pytest.mark.parametrize(
    "url, code",
    [
        ("{tmp}/no-such-ledger.db", "E147"),
        ("{tmp}/missing-folder/ledger.db", "E147"),
        ("mysql://shop/ledger", "E151"),
        ("sqlite:", "E151"),
    ],
)
def test_a_ledger_that_cannot_be_opened_raises_ledger_error_with_its_code(
    tmp_path: Path, seed: domopt.Scenario, url: str, code: str
) -> None:
    url = url.format(tmp=tmp_path)
    with pytest.raises(domopt.LedgerError) as caught:
        domopt.solve(seed, ledger=url, commit=True)
    assert isinstance(caught.value, domopt.DomoptError)
    assert caught.value.code == code
    assert str(caught.value).startswith(code + ": ")
    assert not (tmp_path / "no-such-ledger.db").exists()


# --- PostgreSQL ----------------------------------------------------------------


def postgres_admin() -> urllib.parse.ParseResult:
    """The admin URL the Rust tests use (`DOMOPT_TEST_POSTGRES`, default the
    local cluster `scripts/postgres.sh` readies)."""
    url = os.environ.get(
        "DOMOPT_TEST_POSTGRES", "postgres://domopt:domopt@127.0.0.1:5432/postgres"
    )
    return urllib.parse.urlparse(url)


def psql(admin: urllib.parse.ParseResult, sql: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PGPASSWORD": admin.password or "", "PGCONNECT_TIMEOUT": "5"}
    return subprocess.run(
        ["psql", "-X", "-q", "-h", admin.hostname or "127.0.0.1", "-p", str(admin.port or 5432),
         "-U", admin.username or "domopt", "-d", admin.path.lstrip("/") or "postgres",
         "-v", "ON_ERROR_STOP=1", "-c", sql],
        env=env, capture_output=True, text=True, timeout=60,
    )


@pytest.fixture
def postgres_ledger():
    """A new PostgreSQL database on the local cluster, dropped afterwards.
    Skipped where no PostgreSQL answers, unless CI or DOMOPT_TEST_POSTGRES
    says it must (scripts/test.sh starts it with scripts/postgres.sh)."""
    admin = postgres_admin()
    required = bool(os.environ.get("CI") or os.environ.get("DOMOPT_TEST_POSTGRES"))
    assert admin.hostname in ("127.0.0.1", "localhost", "::1"), "loopback only"
    if shutil.which("psql") is None or psql(admin, "SELECT 1").returncode != 0:
        if required:
            pytest.fail("PostgreSQL does not answer: run scripts/postgres.sh")
        pytest.skip("no local PostgreSQL (scripts/postgres.sh starts it)")
    name = f"domopt_py_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    made = psql(admin, f"CREATE DATABASE {name}")
    assert made.returncode == 0, made.stderr
    netloc = admin.netloc
    yield f"postgres://{netloc}/{name}"
    psql(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_a_wave_commits_to_a_postgres_ledger_as_to_an_sqlite_one(
    tmp_path: Path, seed: domopt.Scenario, postgres_ledger: str
) -> None:
    shared = make_ledger(postgres_ledger)
    embedded = make_ledger(str(tmp_path / "ledger.db"))
    on_postgres = domopt.solve(seed, ledger=shared, commit=True)
    on_sqlite = domopt.solve(seed, ledger=embedded, commit=True)
    assert plan_json(on_postgres.to_json()) == plan_json(on_sqlite.to_json())
    assert reserved(shared) == reserved(embedded)
    assert on_postgres.ledger.reserved == on_sqlite.ledger.reserved
    # The password is not shown.
    assert "domopt:domopt@" not in on_postgres.ledger.url
    assert on_postgres.ledger.url.startswith("postgres://")
