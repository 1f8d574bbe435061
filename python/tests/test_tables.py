"""Tables in and out: a plan's DataFrames have the columns and rows of the
plan folder's CSV tables, DataFrames in make the same plan as the files,
and Parquet round trips."""

from __future__ import annotations

import csv
import json

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import domopt
from conftest import DATASETS, plan_json

WAVE = DATASETS / "reroute" / "wave"


def csv_table(path) -> tuple[list[str], int]:
    """A CSV file's header and number of rows."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], len(rows) - 1


def test_the_plan_tables_have_the_columns_and_rows_of_the_csv_files(tiny, tmp_path) -> None:
    plan = domopt.solve(tiny, "greedy-cost")
    plan.write(tmp_path / "plan")
    for name in ["shipments", "backorders", "orders"]:
        header, rows = csv_table(tmp_path / "plan" / f"{name}.csv")
        frame = plan.table(name)
        assert isinstance(frame, pd.DataFrame)
        assert list(frame.columns) == header, name
        assert len(frame) == rows, name
    assert len(plan.shipments) >= plan.packages > 0
    written = pd.read_csv(tmp_path / "plan" / "shipments.csv")
    assert plan.shipments["quantity"].sum() == written["quantity"].sum()
    kpis = plan.kpis
    assert len(kpis) == 1
    assert kpis["cost_total"][0] == pytest.approx(plan.objective)
    assert kpis["packages"][0] == plan.packages
    assert kpis["strategy"][0] == "greedy-cost"


def test_the_plan_tables_come_as_polars_and_arrow_with_the_same_shapes(crunch) -> None:
    plan = domopt.solve(crunch)
    frames = plan.tables()
    for kind, cls in [("polars", pl.DataFrame), ("arrow", pa.Table)]:
        other = plan.tables(kind=kind)
        assert list(other) == ["shipments", "backorders", "orders", "kpis"]
        for name, table in other.items():
            assert isinstance(table, cls)
            assert table.shape == frames[name].shape, (kind, name)
            assert list(table.columns if kind == "polars" else table.column_names) == list(
                frames[name].columns
            )
    with pytest.raises(ValueError):
        plan.tables(kind="excel")


def test_dataframes_in_make_the_same_plan_as_the_folder(tmp_path) -> None:
    from_files = domopt.solve(domopt.load(WAVE), "auto")
    # ZIP codes are read as text (as numbers, 07072 would lose its zero);
    # empty cells come as NaN, which the core reads as empty CSV cells.
    frames = {
        "inventory": pd.read_csv(WAVE / "inventory.csv"),
        "orders": pd.read_csv(WAVE / "orders.csv", dtype={"zip": str}),
        "lines": pd.read_csv(WAVE / "order_lines.csv"),
    }
    head = json.loads((WAVE / "scenario.json").read_text())
    scenario = domopt.load(head, **frames)
    from_frames = domopt.solve(scenario, "auto")
    assert scenario.counts() == domopt.load(WAVE).counts()
    assert plan_json(from_frames.to_json()) == plan_json(from_files.to_json())
    # polars and pyarrow tables too.
    polars_in = {k: pl.from_pandas(v) for k, v in frames.items()}
    arrow_in = {k: pa.Table.from_pandas(v) for k, v in frames.items()}
    for tables in (polars_in, arrow_in):
        plan = domopt.solve(domopt.load(WAVE / "scenario.json", **tables), "auto")
        assert plan_json(plan.to_json()) == plan_json(from_files.to_json())


def test_a_table_with_an_unknown_column_is_a_parse_error() -> None:
    orders = pd.read_csv(WAVE / "orders.csv", dtype={"zip": str}).assign(colour="red")
    lines = pd.read_csv(WAVE / "order_lines.csv")
    with pytest.raises(domopt.ParseError) as caught:
        domopt.load(WAVE / "scenario.json", orders=orders, lines=lines)
    assert caught.value.code == "E100"
    assert "colour" in str(caught.value)
    with pytest.raises(TypeError):
        domopt.load(WAVE / "scenario.json", orders=[{"id": "x"}])


def test_a_line_of_no_order_is_a_validation_issue() -> None:
    orders = pd.read_csv(WAVE / "orders.csv", dtype={"zip": str})
    lines = pd.read_csv(WAVE / "order_lines.csv")
    lines.loc[0, "order"] = "no-such-order"
    issues = domopt.validate(WAVE / "scenario.json", orders=orders, lines=lines)
    assert "E102" in {i["code"] for i in issues}


def test_parquet_files_round_trip_and_a_parquet_folder_loads(tiny_wave, tmp_path) -> None:
    plan = domopt.solve(domopt.load(tiny_wave), "greedy-cost")
    plan.write(tmp_path / "plan", tables="parquet")
    shipments = domopt.read_parquet(tmp_path / "plan" / "shipments.parquet")
    assert list(shipments.columns) == list(plan.shipments.columns)
    assert len(shipments) == len(plan.shipments)
    domopt.write_parquet(plan.orders, tmp_path / "orders.parquet")
    again = domopt.read_parquet(tmp_path / "orders.parquet", kind="polars")
    assert again.shape == plan.orders.shape
    wave = domopt.generate("tiny", seed=1, out=tmp_path / "pq", tables="parquet")
    assert (tmp_path / "pq" / "orders.parquet").exists()
    assert domopt.load(wave["path"]).counts() == domopt.load(tiny_wave).counts()
    with pytest.raises(domopt.SettingsError):
        plan.write(tmp_path / "other", tables="xlsx")
