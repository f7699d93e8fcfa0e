"""Explore: a pivot of the order lines over any mapped dimension, with filters.

One SQL (sql/explore_pivot.sql) aggregates by the chosen row and column
dimensions with grouping sets, so every total (including distinct client counts)
is exact rather than a sum of cells.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from kam_core.cache import by_version

PLACE_DIMENSIONS = ("region", "city", "owner", "category", "chain_scope", "channel")   # filterable
UNIT_DIMENSIONS = ("client", "group")
PERIOD_DIMENSIONS = ("month", "quarter", "year")
DIMENSIONS = PLACE_DIMENSIONS + UNIT_DIMENSIONS + PERIOD_DIMENSIONS
MEASURES = ("revenue", "profit", "clients", "lines")
NONE = "none"
TOTAL = "__total__"
BLANK = ""   # a blank dimension value, in filters and in results


@dataclass(frozen=True)
class PivotSpec:
    rows: str
    cols: str = NONE
    measure: str = "revenue"
    filters: tuple[tuple[str, tuple[str, ...]], ...] = field(default_factory=tuple)

    def __post_init__(self):
        if self.rows not in DIMENSIONS:
            raise ValueError(f"unknown dimension {self.rows!r}")
        if self.cols != NONE and self.cols not in DIMENSIONS:
            raise ValueError(f"unknown dimension {self.cols!r}")
        if self.measure not in MEASURES:
            raise ValueError(f"unknown measure {self.measure!r}")
        for dim, _ in self.filters:
            if dim not in PLACE_DIMENSIONS:
                raise ValueError(f"cannot filter on {dim!r}")

    @classmethod
    def make(cls, rows: str, cols: str = NONE, measure: str = "revenue",
             filters: dict[str, list[str]] | None = None) -> "PivotSpec":
        kept = tuple((dim, tuple(values)) for dim, values in sorted((filters or {}).items()) if values)
        return cls(rows, cols, measure, kept)


@by_version()
def mapped_dimensions(store) -> tuple[str, ...]:
    """The dimensions the loaded data fills (periods and clients always), in DIMENSIONS order."""
    counts = store.query("explore_mapped").iloc[0]
    filled = {dim for dim in PLACE_DIMENSIONS if int(counts[dim]) > 0}
    if int(counts["group"]) > 0:
        filled.add("group")
    filled |= {"client", *PERIOD_DIMENSIONS}
    return tuple(d for d in DIMENSIONS if d in filled)


@by_version()
def dimension_values(store, dim: str, start: dt.date, end: dt.date, limit: int = 2000) -> pd.DataFrame:
    """value ('' for blank), revenue, lines of a filterable dimension in the window, largest first."""
    if dim not in PLACE_DIMENSIONS:
        raise ValueError(f"cannot filter on {dim!r}")
    frame = store.query("explore_values", dim=dim, start=start, end=end, limit=limit)
    frame["revenue"] = frame["revenue"].astype(float)
    return frame


@by_version()
def pivot_long(store, spec: PivotSpec, start: dt.date, end: dt.date) -> pd.DataFrame:
    """row, col, value: one row per cell, with TOTAL standing for the row and column totals.
    Blank dimension values come back as '' (BLANK)."""
    filters = dict(spec.filters)
    params = {f"f_{dim}": list(filters.get(dim, ())) for dim in PLACE_DIMENSIONS}
    frame = store.query("explore_pivot", rows=spec.rows, cols=spec.cols, start=start, end=end, **params)
    if spec.cols == NONE:
        frame = frame[frame["all_cols"]]
    row = frame["row_value"].astype(object).where(frame["row_value"].notna(), BLANK)
    col = frame["col_value"].astype(object).where(frame["col_value"].notna(), BLANK)
    out = pd.DataFrame({"row": row.where(~frame["all_rows"], TOTAL),
                        "col": col.where(~frame["all_cols"], TOTAL),
                        "value": frame[spec.measure].astype(float)})
    return out.reset_index(drop=True)


def pivot(store, spec: PivotSpec, start: dt.date, end: dt.date, max_cols: int = 30) -> pd.DataFrame:
    """The wide table: one row per row value (largest total first; periods in time order), one column per
    column value (the max_cols largest; the rest summed into '…'), and TOTAL. The last row is the grand
    total. Index: the row values."""
    long = pivot_long(store, spec, start, end)
    if long.empty or long["value"].isna().all() and (long["row"] == TOTAL).all():
        return pd.DataFrame(columns=[TOTAL])
    cells = long[(long["row"] != TOTAL) & (long["col"] != TOTAL)]
    row_totals = long[(long["row"] != TOTAL) & (long["col"] == TOTAL)].set_index("row")["value"]
    col_totals = long[(long["row"] == TOTAL) & (long["col"] != TOTAL)].set_index("col")["value"]
    grand = long[(long["row"] == TOTAL) & (long["col"] == TOTAL)]["value"]
    if spec.cols == NONE:
        wide = pd.DataFrame(index=row_totals.index)
    else:
        wide = cells.set_index(["row", "col"])["value"].unstack("col")     # one cell per (row, col) from SQL
        columns = _ordered(col_totals, spec.cols)
        if len(columns) > max_cols and spec.measure in ("revenue", "profit", "lines"):
            keep, rest = columns[:max_cols], columns[max_cols:]
            wide["…"] = wide[rest].sum(axis=1, min_count=1)
            columns = keep + ["…"]
            col_totals = pd.concat([col_totals.loc[keep], pd.Series({"…": col_totals.loc[rest].sum()})])
        elif len(columns) > max_cols:
            columns = columns[:max_cols]
        wide = wide.reindex(columns=columns)
    wide[TOTAL] = row_totals
    wide = wide.loc[_ordered(row_totals, spec.rows)]
    total_row = col_totals.reindex(wide.columns[:-1]) if spec.cols != NONE else pd.Series(dtype=float)
    total_row[TOTAL] = float(grand.iloc[0]) if len(grand) else 0.0
    wide.loc[TOTAL] = total_row.reindex(wide.columns)
    wide.index.name = spec.rows
    wide.columns.name = None if spec.cols == NONE else spec.cols
    return wide


def _ordered(totals: pd.Series, dim: str) -> list:
    """Periods in time order; everything else by its total, largest first (blank last)."""
    if dim in PERIOD_DIMENSIONS:
        return sorted(totals.index, key=lambda v: (v == BLANK, v))
    order = totals.sort_values(ascending=False, kind="stable")
    return [v for v in order.index if v != BLANK] + [v for v in order.index if v == BLANK]
