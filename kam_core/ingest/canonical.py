"""From a sheet read below its header to canonical rows, rejects and counts.

Every row read ends in exactly one of: loaded, rejected (with a reason), skipped
(blank, repeated header, totals line). The conversion is column-wise on Arrow
arrays; Python touches only distinct odd values (columns.py) and rejected rows.
"""
from __future__ import annotations

import datetime as dt
import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kam_core.ingest import clean, columns, roles

TEXT_ROLES = ("order_id", "category", "region", "city", "owner", "channel", "note", "kind", "who", "service_level")

CHAIN_SCOPES = {
    "全国连锁": ("全国连锁", "全国", "全国性连锁", "全国性", "national", "nationalchain", "全国ka"),
    "区域连锁": ("区域连锁", "区域", "区域性连锁", "省级连锁", "地区连锁", "regional", "regionalchain", "区域ka"),
    "单城": ("单城", "单城连锁", "本地", "本地连锁", "城市连锁", "单店", "local", "singlecity", "city"),
}
# Arrow kernels release the GIL: independent columns convert side by side.
_POOL = ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1), thread_name_prefix="clean")

_SCOPE_LOOKUP = {roles.normalize_header(v): k for k, vs in CHAIN_SCOPES.items() for v in vs}

# Canonical columns per kind, in table order (besides source_row).
OUTPUT = {
    "orders": ("client_key", "client_name", "client_id", "order_date", "amount", "profit", "quantity", "unit_price",
               "order_id", "category", "region", "city", "chain_scope", "store_count", "owner", "channel",
               "group_name"),
    "clients": ("client_key", "client_name", "client_id", "group_name", "chain_scope", "store_count", "owner",
                "region", "city", "service_level", "potential", "note"),
    "targets": ("level", "name_key", "name", "period", "target"),
    "contacts": ("client_key", "client_name", "contact_date", "kind", "who", "note"),
}


@dataclass
class Reject:
    row: int
    code: str
    column: str | None
    value: str | None
    raw: dict


@dataclass
class Warning:
    column: str
    count: int
    rows: list[int]


@dataclass
class Cleaned:
    """The converted rows of a sheet. `rows` holds every data row read, `keep` marks those that load;
    the loaded table is filtered only when someone reads it (the import filters inside DuckDB)."""

    kind: str
    rows: pa.Table
    rejects: list[Reject]
    rows_read: int
    rows_skipped: int
    skipped_by: dict[str, int]
    warnings: list[Warning] = field(default_factory=list)
    keep: np.ndarray | None = None         # None: every row loads

    @property
    def rows_loaded(self) -> int:
        return self.rows.num_rows if self.keep is None else int(self.keep.sum())

    @property
    def rows_rejected(self) -> int:
        return len(self.rejects)

    @cached_property
    def table(self) -> pa.Table:
        """The rows that load."""
        return self.rows if self.keep is None else self.rows.filter(pa.array(self.keep))

    def head(self, n: int) -> pa.Table:
        if self.keep is None:
            return self.rows.slice(0, n)
        return self.rows.take(pa.array(np.flatnonzero(self.keep)[:n]))

    def with_keep_column(self) -> pa.Table:
        """Every row with a boolean `keep`, for an insert that filters as it reads."""
        keep = np.ones(self.rows.num_rows, dtype=bool) if self.keep is None else self.keep
        return self.rows.append_column("keep", pa.array(keep))

    def date_range(self) -> tuple[dt.date | None, dt.date | None]:
        name = {"orders": "order_date", "contacts": "contact_date"}.get(self.kind)
        if not name or self.rows_loaded == 0:
            return None, None
        dates = self.rows[name] if self.keep is None else self.rows[name].filter(pa.array(self.keep))
        bounds = pc.min_max(dates).as_py()
        return bounds["min"], bounds["max"]


# ------------------------------------------------------------------ helpers

def _chain_scope(column) -> pa.Array:
    text = columns.to_text(column)
    encoded = pc.dictionary_encode(text)
    mapped = [None if v is None else _SCOPE_LOOKUP.get(roles.normalize_header(v), v)
              for v in encoded.dictionary.to_pylist()]
    return pc.take(pa.array(mapped, pa.string()), encoded.indices)


def _fill_merged(table: pa.Table, merged: list[list[int]], positions: list[int], first_data_row: int) -> pa.Table:
    """Cells merged down a column (a client spanning its order lines) take the top cell's value."""
    by_position = {p: i for i, p in enumerate(positions)}
    plans: dict[int, np.ndarray] = {}
    for first_row, first_col, last_row, last_col in merged:
        if last_row <= first_row or first_row < first_data_row:
            continue
        for position in range(first_col, last_col + 1):
            index = by_position.get(position)
            if index is None or position != first_col:
                continue
            plan = plans.setdefault(index, np.arange(table.num_rows))
            start, stop = first_row - first_data_row, min(last_row - first_data_row, table.num_rows - 1)
            plan[start + 1 : stop + 1] = start
    for index, plan in plans.items():
        table = table.set_column(index, table.field(index), pc.take(table.column(index), pa.array(plan)))
    return table


@columns.per_distinct
def _present_cells(column) -> pa.Array:
    if not columns.is_text(column):
        return pc.is_valid(column)
    empty = pc.or_kleene(pc.equal(pc.utf8_length(column), 0), pc.utf8_is_space(column))
    return pc.invert(pc.fill_null(empty, True))


def _present(column) -> np.ndarray:
    """Cells holding something: not null, not empty, not only whitespace (no string copies made)."""
    return pc.fill_null(_present_cells(column), False).to_numpy(zero_copy_only=False)


def blank_rows(table: pa.Table) -> np.ndarray:
    """Rows empty in every column. After the first column only the rows still blank are looked at."""
    if table.num_columns == 0:
        return np.ones(table.num_rows, dtype=bool)
    blank = ~_present(table.column(0))
    for column in table.columns[1:]:
        rows = np.flatnonzero(blank)
        if not len(rows):
            break
        blank[rows] = ~_present(columns.as_array(column).take(pa.array(rows)))
    return blank


@columns.per_distinct
def _trimmed_equal(column, value: str) -> pa.Array:
    return pc.equal(pc.utf8_trim_whitespace(column), value)


def _text_equal_mask(column, value: str) -> np.ndarray:
    if not columns.is_text(column):
        return np.zeros(len(column), dtype=bool)
    return pc.fill_null(_trimmed_equal(column, value), False).to_numpy(zero_copy_only=False)


def _repeated_header_mask(table: pa.Table, labels: list[str], header_texts: list,
                          two_line_header: list[list] | None = None) -> np.ndarray:
    """Rows that repeat the header (exports that print it on every page): at least half the named
    columns hold their header text. Repeating columns are checked first (once per distinct value);
    the others only on the rows that could still reach the threshold. A two-line header
    (two_line_header: its two lines' cells per column) repeats as its first line, then its second."""
    if two_line_header:
        first, second = two_line_header
        mask = _repeated_header_mask(table, labels, first)
        _mark_second_lines(table, mask, second)
        return mask
    named = [(i, str(h).strip()) for i, h in enumerate(header_texts) if isinstance(h, str) and h.strip()]
    if len(named) < 2:
        return np.zeros(table.num_rows, dtype=bool)
    need = max(2, (len(named) + 1) // 2)
    texts = [(i, text) for i, text in named if columns.is_text(table.column(i))]    # numbers never hold a header
    encoded = [(i, text) for i, text in texts if pa.types.is_dictionary(table.column(i).type)]
    plain = [(i, text) for i, text in texts if not pa.types.is_dictionary(table.column(i).type)]
    hits = np.zeros(table.num_rows, dtype=np.int32)
    for index, text in encoded:
        hits += _text_equal_mask(table.column(index), text)
    rows = np.flatnonzero(hits >= need - len(plain))
    if plain and len(rows):
        part = table.select([i for i, _ in plain])
        if len(rows) < table.num_rows:
            part = part.take(pa.array(rows))
        for k, (_, text) in enumerate(plain):
            hits[rows] += _text_equal_mask(part.column(k), text)
    return hits >= need


def _mark_second_lines(table: pa.Table, mask: np.ndarray, second: list) -> None:
    """The row under each repeated first line, when every cell it fills holds the second line's text."""
    texts = [str(v).strip() if isinstance(v, str) and v.strip() else None for v in second]
    if not any(texts):
        return
    for row in np.flatnonzero(mask[:-1] if len(mask) else mask) + 1:
        cells = table.slice(int(row), 1).to_pylist()[0].values()
        filled = [(str(v).strip(), text) for v, text in zip(cells, texts) if not clean.is_blank(v)]
        if filled and all(value == text for value, text in filled):
            mask[row] = True


_TOTALS_HINT = "计|汇|(?i:total|ｔｏｔａｌ)"
_WHOLE_SCAN_ROWS = 10_000


@columns.per_distinct
def _totals_cells(column) -> pa.Array:
    # one cheap pass first (a literal alternation, a third of four substring passes on an order-id
    # column); the exact rule only where 计, 汇 or "total" (also full-width) occurs
    if len(column) > _WHOLE_SCAN_ROWS and not pc.match_substring_regex(columns.run_together(column), _TOTALS_HINT)[0].as_py():
        return pa.array(np.zeros(len(column), dtype=bool))   # an order-id column: one scan, no cell matches
    hint = pc.match_substring_regex(column, _TOTALS_HINT)
    rows = np.flatnonzero(pc.fill_null(hint, False).to_numpy(zero_copy_only=False))
    out = np.zeros(len(column), dtype=bool)
    if rows.size:
        # NFKC as clean.is_totals_label reads a cell: "合　计" (ideographic space) and "Ｔｏｔａｌ" are totals
        candidates = pc.utf8_normalize(column.take(pa.array(rows)), "NFKC")
        matched = pc.match_substring_regex(candidates, clean.TOTALS_REGEX, ignore_case=True)
        out[rows] = pc.fill_null(matched, False).to_numpy(zero_copy_only=False)
    return pa.array(out)


def _totals_mask(table: pa.Table, check: list[int]) -> np.ndarray:
    mask = np.zeros(table.num_rows, dtype=bool)
    for index in check:
        column = table.column(index)
        if columns.is_text(column):
            mask |= pc.fill_null(_totals_cells(column), False).to_numpy(zero_copy_only=False)
    return mask


def _unnamed_totals(table: pa.Table, mapping: dict[str, int], checked: list[int], totals: np.ndarray,
                    data: np.ndarray) -> None:
    """A row naming no client with a totals label in any other column (华北区 小计 under 大区, 合计
    under 数量) is a totals row too. Rows that name a client keep loading whatever their notes say."""
    name_columns = [mapping[r] for r in ("client", "client_id") if r in mapping]
    if not name_columns:
        return
    unnamed = data.copy()
    for index in name_columns:
        unnamed &= ~_present(table.column(index))
    rows = np.flatnonzero(unnamed)
    others = [i for i in range(table.num_columns) if i not in checked]
    if not len(rows) or not others:
        return
    part = table.select(others).take(pa.array(rows))
    totals[rows[_totals_mask(part, list(range(len(others))))]] = True


def _np(mask) -> np.ndarray:
    return mask.to_numpy(zero_copy_only=False) if not isinstance(mask, np.ndarray) else mask


# ------------------------------------------------------------------ the conversion

class _Rows:
    """Collects, row by row, the first reason a data row cannot load."""

    def __init__(self, table: pa.Table, labels: list[str], source_rows: np.ndarray, data: np.ndarray):
        self.table, self.labels, self.source_rows = table, labels, source_rows
        self.data = data                       # rows still candidates for loading
        self.codes: list[str] = []             # reason codes; a row holds 1 + its code's index, 0 = none
        self.code = np.zeros(table.num_rows, dtype=np.int16)
        self.column = np.full(table.num_rows, -1, dtype=np.int64)

    def reject(self, mask, code: str, column_index: int | None) -> None:
        mask = _np(mask) & self.data & (self.code == 0)
        if not mask.any():
            return
        if code not in self.codes:
            self.codes.append(code)
        self.code[mask] = self.codes.index(code) + 1
        self.column[mask] = -1 if column_index is None else column_index

    def rejected(self) -> np.ndarray:
        return self.data & (self.code != 0)

    def rejects(self) -> list[Reject]:
        idx = np.flatnonzero(self.rejected())
        if not len(idx):
            return []
        raw_rows = self.table.take(pa.array(idx)).to_pylist()
        out = []
        for i, raw in zip(idx, raw_rows):
            values = [None if v is None else str(v) for v in raw.values()]
            col = int(self.column[i])
            out.append(Reject(int(self.source_rows[i]), self.codes[self.code[i] - 1],
                              self.labels[col] if col >= 0 else None,
                              values[col] if col >= 0 else None,
                              {label: v for label, v in zip(self.labels, values) if v not in (None, "")}))
        return out


def clean_sheet(table: pa.Table, labels: list[str], header_texts: list, mapping: dict[str, int], kind: str,
                source_rows: np.ndarray, today: dt.date, merged: list | None = None,
                positions: list[int] | None = None, first_data_row: int = 0,
                two_line_header: list[list] | None = None) -> Cleaned:
    """Convert a read sheet (positional columns) into the canonical table of its kind.
    two_line_header: a two-line header's lines, cells per read column (to skip it where it repeats)."""
    if merged:
        table = _fill_merged(table, merged, positions or list(range(table.num_columns)), first_data_row)
    # one encoding per column: from here on, work on repeating text runs once per distinct value
    table = pa.table(list(_POOL.map(columns.encode_repeating, table.columns)), names=table.column_names)
    n = table.num_rows
    blank = blank_rows(table)
    header_repeat = _repeated_header_mask(table, labels, header_texts, two_line_header) & ~blank
    check = sorted(set(range(min(3, table.num_columns))) |
                   {mapping[r] for r in ("client", "client_id", "date", "order_id", "category", "owner", "period")
                    if r in mapping})
    totals = _totals_mask(table, check) & ~blank & ~header_repeat
    _unnamed_totals(table, mapping, check, totals, ~(blank | header_repeat | totals))
    data = ~(blank | header_repeat | totals)
    rows = _Rows(table, labels, source_rows, data)
    build = {"orders": _orders, "clients": _clients, "targets": _targets, "contacts": _contacts}[kind]
    out, warnings = build(table, labels, mapping, rows, today)
    keep = data & ~rows.rejected()
    canonical = pa.table({"source_row": pa.array(source_rows, pa.int64()), **out})
    skipped_by = {"blank": int(blank.sum()), "header": int(header_repeat.sum()), "totals": int(totals.sum())}
    return Cleaned(kind, canonical, rows.rejects(), n, int(n - data.sum()), skipped_by, warnings,
                   None if keep.all() else keep)


def _scale(labels: list[str], index: int) -> int:
    return clean.header_scale(labels[index])


def _parallel(calls: dict) -> dict:
    """Run independent column conversions on the pool; their results by name."""
    futures = {name: _POOL.submit(call) for name, call in calls.items()}
    return {name: future.result() for name, future in futures.items()}


# What the store's columns hold: money is DECIMAL(18,4), store counts INTEGER.
MONEY_LIMIT = 1e14
COUNT_LIMIT = 2**31 - 1


def _without_over(values, limit: float):
    """(values, over): values too large for the store's column (an id or a document number taken for
    money) emptied, and where they were."""
    over = pc.fill_null(pc.greater_equal(pc.abs(values), limit), False).to_numpy(zero_copy_only=False)
    return (pc.if_else(pa.array(over), None, values) if over.any() else values), over


def _number(table, labels, mapping, role, as_int=False):
    """(values, unreadable mask) of an optional number role; (None, None) when unmapped.
    A value too large for the store counts as unreadable (amount: _orders rejects it by name)."""
    if role not in mapping:
        return None, None
    index = mapping[role]
    column = table.column(index)
    if as_int:
        numbers, bad = columns.to_number(column)
        limit = COUNT_LIMIT
    else:
        numbers, bad = columns.to_number(column, _scale(labels, index) if role in roles.MONEY_ROLES else 1,
                                         count_units=role == "quantity")
        limit = MONEY_LIMIT if role in roles.MONEY_ROLES and role != "amount" else None
    if limit is not None:
        numbers, over = _without_over(numbers, limit)
        bad = _np(bad) | over
    return (pc.cast(pc.round(numbers), pa.int64()) if as_int else numbers), bad


def _number_or_nulls(parsed, labels, mapping, role, rows: _Rows, warnings: list, n: int, as_int=False):
    """An optional number column; unreadable cells become empty and are named in a warning."""
    values, bad = parsed
    if values is None:
        return pa.nulls(n, pa.int64() if as_int else pa.float64())
    bad = _np(bad) & rows.data & (rows.code == 0)   # rows already rejected say why elsewhere
    if bad.any():
        hit = np.flatnonzero(bad)
        warnings.append(Warning(labels[mapping[role]], int(bad.sum()), [int(rows.source_rows[i]) for i in hit[:5]]))
    return values


def _optional_number(table, labels, mapping, role, rows: _Rows, warnings: list, n: int, as_int=False):
    return _number_or_nulls(_number(table, labels, mapping, role, as_int), labels, mapping, role, rows, warnings, n,
                            as_int)


def _optional_text(table, mapping, role, n):
    if role not in mapping:
        return pa.nulls(n, pa.string())
    return columns.to_text(table.column(mapping[role]))


def _client_columns(table, mapping, n):
    """(key, name, client_id): the id identifies the client where mapped, the name is shown."""
    name_index = mapping.get("client")
    id_index = mapping.get("client_id")
    names, keys = (columns.to_client(table.column(name_index)) if name_index is not None
                   else (pa.nulls(n, pa.string()), pa.nulls(n, pa.string())))
    client_ids = pa.nulls(n, pa.string())
    if id_index is not None:
        client_ids, id_keys = columns.to_client(table.column(id_index))
        keys = pc.coalesce(id_keys, keys)
        names = pc.coalesce(names, client_ids)
    return keys, names, client_ids


def _client(table, mapping, rows: _Rows, n, required=True, parsed=None):
    keys, names, client_ids = parsed or _client_columns(table, mapping, n)
    if required:
        index = mapping.get("client", mapping.get("client_id"))
        rows.reject(pc.is_null(keys), "missing_client", index)
    return keys, names, client_ids


ORDER_NUMBERS = ("amount", "quantity", "unit_price", "profit")
ORDER_TEXTS = ("order_id", "category", "region", "city", "owner", "channel", "group")


def _reject_dates(rows: _Rows, column, dates, bad_dates, date_index: int, today) -> None:
    """The rows a date keeps out, first reason first: a month without a day, day and month in an
    order that cannot be told (3/5/2024), unreadable, missing, before 1990, after the import date."""
    too_old, future = columns.date_range_mask(dates, today)
    # a month-only cell is unreadable as text, or a number such as 202403 read as a far-future serial;
    # a file whose dates all read needs no look
    if _np(bad_dates).any() or _np(future).any():
        rows.reject(columns.month_only(column), "date_month_only", date_index)
    if _np(bad_dates).any():
        rows.reject(_np(bad_dates) & _np(columns.day_month_order(column)), "date_day_month_order", date_index)
    rows.reject(bad_dates, "bad_date", date_index)
    rows.reject(pc.is_null(dates), "missing_date", date_index)
    rows.reject(too_old, "date_too_old", date_index)
    rows.reject(future, "date_in_future", date_index)


def _orders(table, labels, mapping, rows: _Rows, today):
    n = table.num_rows
    warnings: list[Warning] = []
    date_index = mapping["date"]
    calls = {"client": lambda: _client_columns(table, mapping, n),
             "date": lambda: columns.to_date(table.column(date_index)),
             "store_count": lambda: _number(table, labels, mapping, "store_count", as_int=True),
             "chain_scope": lambda: (_chain_scope(table.column(mapping["chain_scope"])) if "chain_scope" in mapping
                                     else pa.nulls(n, pa.string()))}
    calls.update({role: (lambda r=role: _number(table, labels, mapping, r)) for role in ORDER_NUMBERS})
    calls.update({role: (lambda r=role: _optional_text(table, mapping, r, n)) for role in ORDER_TEXTS})
    parsed = _parallel(calls)
    # the first reason a row cannot load: client, then date, then amount
    keys, names, client_ids = _client(table, mapping, rows, n, parsed=parsed["client"])
    dates, bad_dates = parsed["date"]
    _reject_dates(rows, table.column(date_index), dates, bad_dates, date_index, today)
    if "amount" not in mapping:   # derived: an unreadable quantity or unit price is the row's reason
        for role in ("quantity", "unit_price"):
            if parsed[role][1] is not None:
                rows.reject(parsed[role][1], f"bad_{role}", mapping[role])
    quantity = _number_or_nulls(parsed["quantity"], labels, mapping, "quantity", rows, warnings, n)
    unit_price = _number_or_nulls(parsed["unit_price"], labels, mapping, "unit_price", rows, warnings, n)
    if "amount" in mapping:
        amount, bad = parsed["amount"]
        rows.reject(bad, "bad_amount", mapping["amount"])
        rows.reject(pc.is_null(amount), "missing_amount", mapping["amount"])
    else:  # derived, as the export has no amount column
        amount = pc.multiply(quantity, unit_price)
        rows.reject(pc.is_null(quantity), "missing_quantity", mapping.get("quantity"))
        rows.reject(pc.is_null(unit_price), "missing_unit_price", mapping.get("unit_price"))
    amount, over = _without_over(amount, MONEY_LIMIT)
    rows.reject(over, "amount_too_large", mapping.get("amount", mapping.get("quantity")))
    out = {
        "client_key": keys, "client_name": names, "client_id": client_ids, "order_date": dates, "amount": amount,
        "profit": _number_or_nulls(parsed["profit"], labels, mapping, "profit", rows, warnings, n),
        "quantity": quantity, "unit_price": unit_price,
        "order_id": parsed["order_id"], "category": parsed["category"], "region": parsed["region"],
        "city": parsed["city"], "chain_scope": parsed["chain_scope"],
        "store_count": _number_or_nulls(parsed["store_count"], labels, mapping, "store_count", rows, warnings, n,
                                        as_int=True),
        "owner": parsed["owner"], "channel": parsed["channel"], "group_name": parsed["group"],
    }
    return out, warnings


def _clients(table, labels, mapping, rows: _Rows, today):
    n = table.num_rows
    warnings: list[Warning] = []
    keys, names, client_ids = _client(table, mapping, rows, n)
    out = {
        "client_key": keys, "client_name": names, "client_id": client_ids,
        "group_name": _optional_text(table, mapping, "group", n),
        "chain_scope": _chain_scope(table.column(mapping["chain_scope"])) if "chain_scope" in mapping
        else pa.nulls(n, pa.string()),
        "store_count": _optional_number(table, labels, mapping, "store_count", rows, warnings, n, as_int=True),
        "owner": _optional_text(table, mapping, "owner", n),
        "region": _optional_text(table, mapping, "region", n),
        "city": _optional_text(table, mapping, "city", n),
        "service_level": _service_level(_optional_text(table, mapping, "service_level", n)),
        "potential": _optional_number(table, labels, mapping, "potential", rows, warnings, n),
        "note": _optional_text(table, mapping, "note", n),
    }
    return out, warnings


def _service_level(text: pa.Array) -> pa.Array:
    """A / B / C as written (A级, a, A类); anything else stays as typed."""
    encoded = pc.dictionary_encode(text)
    mapped = []
    for value in encoded.dictionary.to_pylist():
        norm = clean.nfkc(value or "").strip().upper()
        mapped.append(norm[0] if norm[:1] in ("A", "B", "C") and len(norm) <= 3 else (value or None))
    return pc.take(pa.array(mapped, pa.string()), encoded.indices)


def _targets(table, labels, mapping, rows: _Rows, today):
    n = table.num_rows
    period_index, target_index = mapping["period"], mapping["target"]
    periods, bad_periods = columns.to_period(table.column(period_index))
    rows.reject(bad_periods, "bad_period", period_index)
    rows.reject(pc.is_null(periods), "missing_period", period_index)
    target, bad = columns.to_number(table.column(target_index), _scale(labels, target_index))
    target, over = _without_over(target, MONEY_LIMIT)
    rows.reject(over, "bad_target", target_index)
    rows.reject(bad, "bad_target", target_index)
    rows.reject(pc.is_null(target), "missing_target", target_index)
    client_names, client_keys = (columns.to_client(table.column(mapping["client"])) if "client" in mapping
                                 else (pa.nulls(n, pa.string()), pa.nulls(n, pa.string())))
    owner_names, owner_keys = (columns.to_client(table.column(mapping["owner"])) if "owner" in mapping
                               else (pa.nulls(n, pa.string()), pa.nulls(n, pa.string())))
    level = pc.if_else(pc.is_valid(client_keys), "client", pc.if_else(pc.is_valid(owner_keys), "owner", None))
    rows.reject(pc.is_null(level), "missing_target_name", mapping.get("client", mapping.get("owner")))
    out = {"level": level, "name_key": pc.coalesce(client_keys, owner_keys),
           "name": pc.coalesce(client_names, owner_names), "period": periods, "target": target}
    return out, []


def _contacts(table, labels, mapping, rows: _Rows, today):
    n = table.num_rows
    keys, names, _ = _client(table, mapping, rows, n)
    date_index = mapping["date"]
    dates, bad_dates = columns.to_date(table.column(date_index))
    _reject_dates(rows, table.column(date_index), dates, bad_dates, date_index, today)
    out = {"client_key": keys, "client_name": names, "contact_date": dates,
           "kind": _optional_text(table, mapping, "kind", n), "who": _optional_text(table, mapping, "who", n),
           "note": _optional_text(table, mapping, "note", n)}
    return out, []


def reject_json(reject: Reject) -> str:
    return json.dumps(reject.raw, ensure_ascii=False)[:4000]
