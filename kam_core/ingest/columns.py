"""Whole-column conversions on Arrow arrays, with the rules of clean.py.

Typed columns (numbers, dates the reader already recognised) are converted by
Arrow casts. Text columns whose values repeat (dates, names, regions) arrive
dictionary-encoded (encode_repeating), and every conversion then runs once per
distinct value. Text takes a vectorised fast path for the plain forms and sends
only the remaining distinct values through the Python parsers, so a million rows
cost Python work proportional to their distinct odd spellings.
Each function returns the converted array and a mask of cells that were present
but unreadable (for the reject list).
"""
from __future__ import annotations

import datetime as dt
import functools
from typing import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kam_core.ingest import clean

_PLAIN_NUMBER = r"^\s*-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$"
_CANONICAL_DATETIME = r"^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$"


def as_array(column) -> pa.Array:
    if isinstance(column, pa.ChunkedArray):
        return column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    return column


def encode_repeating(column) -> pa.Array:
    """A text column as a dictionary array when its values repeat; mostly distinct ones (order ids) as they are."""
    array = as_array(column)
    if not is_text(array) or pa.types.is_dictionary(array.type) or _mostly_distinct(array):
        return array
    return pc.dictionary_encode(array)


def _take(values: pa.Array, indices: pa.Array) -> pa.Array:
    if pa.types.is_boolean(values.type):
        if not pc.any(values).as_py():      # no distinct value holds: nothing to spread over the rows
            return _false(len(indices))
        return pc.fill_null(pc.take(values, indices), False)
    return pc.take(values, indices)


def per_distinct(convert: Callable) -> Callable:
    """Run a conversion on a dictionary array's distinct values, then spread the results to the rows."""
    @functools.wraps(convert)
    def run(column, *args, **kwargs):
        array = as_array(column)
        if not pa.types.is_dictionary(array.type):
            return convert(array, *args, **kwargs)
        out = convert(array.dictionary, *args, **kwargs)
        if isinstance(out, tuple):
            return tuple(_take(part, array.indices) for part in out)
        return _take(out, array.indices)
    return run


def _false(n: int) -> pa.Array:
    return pa.array(np.zeros(n, dtype=bool))


def _map_distinct(values: pa.Array, parse: Callable, out_type: pa.DataType):
    """Apply a Python parser once per distinct value; return (converted, bad mask)."""
    encoded = pc.dictionary_encode(values)
    parsed, bad = [], []
    for raw in encoded.dictionary.to_pylist():
        try:
            parsed.append(parse(raw))
            bad.append(False)
        except clean.ValueBad:
            parsed.append(None)
            bad.append(True)
    indices = encoded.indices
    converted = pc.take(pa.array(parsed, type=out_type), indices)
    bad_mask = pc.fill_null(pc.take(pa.array(bad, type=pa.bool_()), indices), False)
    return converted, bad_mask


def is_text(array: pa.Array) -> bool:
    kind = array.type.value_type if pa.types.is_dictionary(array.type) else array.type
    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


def _text_of(array: pa.Array) -> pa.Array:
    """Any column as text (for the Python fallback and for messages)."""
    if is_text(array):
        return array
    if pa.types.is_null(array.type):
        return pa.nulls(len(array), pa.string())
    return pc.cast(array, pa.string())


# A count written with its unit, as order systems print quantities: 282箱, 12 瓶, 3pcs.
_COUNT_UNIT = (r"(?i)(\d)\s*(箱|件|个|瓶|盒|袋|包|台|套|只|支|张|桶|罐|听|条|片|本|双|对|组|提|板|托|份|吨|公斤|千克|斤"
               r"|kg|pcs|pc|ea|ctn|cs)\s*$")


@per_distinct
def to_number(column, scale: int = 1, count_units: bool = False):
    """Money or quantities as float64 (None where missing) and the unreadable mask.
    count_units: a unit after the number (282箱) is dropped, for quantities."""
    array = as_array(column)
    n = len(array)
    if pa.types.is_null(array.type):
        return pa.nulls(n, pa.float64()), _false(n)
    if pa.types.is_integer(array.type) or pa.types.is_floating(array.type) or pa.types.is_decimal(array.type):
        numbers = pc.cast(array, pa.float64())
        return (pc.multiply(numbers, float(scale)) if scale != 1 else numbers), _false(n)
    if pa.types.is_boolean(array.type) or pa.types.is_temporal(array.type):
        bad = pc.is_valid(array)
        return pa.nulls(n, pa.float64()), bad
    text = _text_of(array)
    if count_units:
        text = pc.replace_substring_regex(text, _COUNT_UNIT, r"\1")
    plain = pc.fill_null(pc.match_substring_regex(text, _PLAIN_NUMBER), False)
    fast = pc.cast(pc.utf8_trim_whitespace(pc.if_else(plain, text, None)), pa.float64())
    if scale != 1:
        fast = pc.multiply(fast, float(scale))
    if pc.all(pc.or_(plain, pc.is_null(text))).as_py():
        return fast, _false(n)

    def parse(raw):
        number = clean.parse_number(raw)
        if number is None:
            return None
        return float(number) * (1 if clean.has_unit(raw) else scale)

    slow, bad = _map_distinct(pc.if_else(plain, None, text), parse, pa.float64())
    return pc.coalesce(fast, slow), bad


@per_distinct
def to_date(column):
    """Order dates as date32 (None where missing) and the unreadable mask."""
    array = as_array(column)
    n = len(array)
    if pa.types.is_null(array.type):
        return pa.nulls(n, pa.date32()), _false(n)
    if pa.types.is_timestamp(array.type) or pa.types.is_date(array.type):
        return pc.cast(array, pa.date32()), _false(n)
    if pa.types.is_integer(array.type) or pa.types.is_floating(array.type):
        return _map_distinct(array, clean.parse_date, pa.date32())
    text = _text_of(array)
    canonical = pc.fill_null(pc.match_substring_regex(text, _CANONICAL_DATETIME), False)
    padded = pc.if_else(pc.less(pc.utf8_length(text), 11), pc.binary_join_element_wise(text, " 00:00:00", ""), text)
    parsed = pc.cast(pc.strptime(pc.if_else(canonical, padded, None), format="%Y-%m-%d %H:%M:%S", unit="s",
                                 error_is_null=True), pa.date32())
    # strptime rolls impossible days over (2024-02-30 -> 03-01): keep only dates that print back the same
    same = pc.fill_null(pc.equal(pc.strftime(parsed, format="%Y-%m-%d"), pc.utf8_slice_codeunits(text, 0, 10)), False)
    fast = pc.if_else(same, parsed, None)
    rest = pc.if_else(same, None, text)
    slow, bad = _map_distinct(rest, clean.parse_date, pa.date32())
    return pc.coalesce(fast, slow), bad


# 2024-03, 2024/3, 2024.03, 2024年3月, 2024年3月份, 202403: a month, no day (a monthly report, not order lines)
_MONTH_ONLY = (r"^\s*(?:19|20)\d{2}\s*(?:[-/.]\s*(?:0?[1-9]|1[0-2])|年\s*(?:0?[1-9]|1[0-2])\s*月份?"
               r"|(?:0[1-9]|1[0-2]))\s*$")


@per_distinct
def month_only(column) -> pa.Array:
    """Where a date cell names only a year and a month: text as above, or a number such as 202403
    (never an Excel serial of an order date, which has five digits)."""
    array = as_array(column)
    if pa.types.is_integer(array.type) or pa.types.is_floating(array.type):
        values = pc.fill_null(pc.cast(array, pa.float64()), 0).to_numpy(zero_copy_only=False)
        return pa.array((values >= 190001) & (values <= 209912) & (values == np.floor(values))
                        & (values % 100 >= 1) & (values % 100 <= 12))
    if not is_text(array):
        return _false(len(array))
    return pc.fill_null(pc.match_substring_regex(array, _MONTH_ONLY), False)


_DAY_MONTH_ORDER = r"^\s*\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}(\s.*)?$"


@per_distinct
def day_month_order(column) -> pa.Array:
    """Where a date cell is written 3/5/2024: day and month cannot be told apart."""
    array = as_array(column)
    if not is_text(array):
        return _false(len(array))
    return pc.fill_null(pc.match_substring_regex(array, _DAY_MONTH_ORDER), False)


@per_distinct
def to_text(column):
    """A text column trimmed, with blanks as None; numbers written without a trailing .0.

    Repeating columns (names, regions, owners) arrive dictionary-encoded, so trimming runs
    once per distinct value (per_distinct): a few thousand values instead of a million.
    """
    array = as_array(column)
    n = len(array)
    if pa.types.is_null(array.type):
        return pa.nulls(n, pa.string())
    if pa.types.is_floating(array.type):
        return _map_distinct(array, clean.clean_text, pa.string())[0]
    trimmed = pc.utf8_trim_whitespace(_text_of(array))
    return pc.if_else(pc.equal(trimmed, ""), None, trimmed)


def run_together(array: pa.Array) -> pa.Array:
    """A text array's cells as one value, run together without a separator (no copy): one scan
    then tells whether any cell could match a pattern. A match across two cells is possible, so a
    hit only means "look cell by cell"; no hit means no cell matches."""
    array = as_array(array)
    wide = pa.types.is_large_string(array.type)
    width = 8 if wide else 4
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int64 if wide else np.int32, count=len(array) + 1,
                            offset=array.offset * width)
    start, end = (int(offsets[0]), int(offsets[-1])) if len(array) else (0, 0)
    data = array.buffers()[2] or pa.py_buffer(b"")
    return pa.Array.from_buffers(pa.large_string(), 1, [None, pa.py_buffer(np.array([0, end - start], np.int64)),
                                                         data.slice(start, end - start)])


def _mostly_distinct(text: pa.Array, sample: int = 20_000) -> bool:
    head = text.slice(0, sample)
    return len(head) > 1000 and pc.count_distinct(head).as_py() > 0.5 * len(head)


@per_distinct
def to_client(column):
    """Client display names (trimmed) and identity keys (NFKC, casefold, no whitespace)."""
    array = as_array(column)
    encoded = pc.dictionary_encode(to_text(array) if pa.types.is_floating(array.type) else _text_of(array))
    names = pc.utf8_trim_whitespace(encoded.dictionary)
    names = pc.if_else(pc.equal(names, ""), None, names)
    keys = [None if v is None else (clean.client_key(v) or None) for v in names.to_pylist()]
    return pc.take(names, encoded.indices), pc.take(pa.array(keys, type=pa.string()), encoded.indices)


@per_distinct
def to_period(column):
    """Target periods as canonical labels (2024, 2024Q3, 2024-07)."""
    array = as_array(column)
    if pa.types.is_timestamp(array.type) or pa.types.is_date(array.type):
        return _map_distinct(pc.cast(array, pa.date32()), clean.parse_period, pa.string())
    return _map_distinct(array, clean.parse_period, pa.string())


def date_range_mask(dates: pa.Array, today: dt.date):
    """(too old, in the future) masks for parsed dates."""
    too_old = pc.fill_null(pc.less(dates, pa.scalar(clean.FIRST_VALID_DATE, pa.date32())), False)
    future = pc.fill_null(pc.greater(dates, pa.scalar(today, pa.date32())), False)
    return too_old, future
