"""Tables in and out: pandas and polars DataFrames and pyarrow Tables.

Everything crosses into the Rust core as Arrow (pyarrow, through the Arrow
C data interface); DataFrames are made from Arrow here, on the Python side.
polars is imported only when asked for.
"""

from __future__ import annotations

from typing import Any, Iterable, Optional

import pyarrow as pa

#: The kinds of table a result can be had as.
KINDS = ("pandas", "polars", "arrow")


def to_arrow(table: Any, name: str) -> pa.Table:
    """``table`` (a pyarrow Table or RecordBatch, a pandas or polars
    DataFrame, or anything with ``__arrow_c_stream__``) as a pyarrow Table."""
    if isinstance(table, pa.Table):
        return table
    if isinstance(table, pa.RecordBatch):
        return pa.Table.from_batches([table])
    module = type(table).__module__.split(".")[0]
    if module == "pandas":
        return pa.Table.from_pandas(table, preserve_index=False)
    if module == "polars":
        return table.to_arrow()
    if hasattr(table, "__arrow_c_stream__"):
        return pa.table(table)
    raise TypeError(
        f"{name}: expected a pandas or polars DataFrame or a pyarrow Table, "
        f"not {type(table).__name__}"
    )


def check_kind(kind: str) -> None:
    """Raises ``ValueError`` for a kind other than pandas, polars or arrow."""
    if kind not in KINDS:
        raise ValueError(f"kind {kind!r}: use one of {', '.join(KINDS)}")


def convert(table: pa.Table, kind: str) -> Any:
    """``table`` as a pandas DataFrame, a polars DataFrame or itself."""
    check_kind(kind)
    if kind == "pandas":
        return table.to_pandas()
    if kind == "polars":
        import polars

        return polars.from_arrow(table)
    return table


def from_records(
    records: Iterable[dict[str, Any]], kind: str, columns: Optional[list[str]] = None
) -> Any:
    """Rows (dicts with the same keys, in column order) as a table of ``kind``."""
    rows = list(records)
    if not rows and columns is not None:
        table = pa.table({c: pa.array([], pa.null()) for c in columns})
    else:
        table = pa.Table.from_pylist(rows)
    return convert(table, kind)
