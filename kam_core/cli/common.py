"""What every subcommand shares: errors with exit codes, opening the store to read, JSON output, money rounding,
and the words and amounts of the human-readable output in either language."""
from __future__ import annotations

import datetime as _dt
import decimal
import json
import math
import unicodedata
from typing import Any

from kam_core.i18n import t

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_HELD = 3


class CliError(Exception):
    """Unusable input: one clear line on stderr, exit 2, nothing changed."""

    exit_code = EXIT_BAD_INPUT


class StoreHeld(CliError):
    """A write found the database held by the running app: exit 3."""

    exit_code = EXIT_HELD


def money(x: Any) -> float | None:
    """Money in JSON: rounded to 2 decimals, missing values null."""
    if x is None:
        return None
    if isinstance(x, float) and math.isnan(x):
        return None
    return round(float(x), 2)


def to_jsonable(obj: Any) -> Any:
    """Dates as ISO strings, Decimals as floats, NaN as null; recursive."""
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, (_dt.date, _dt.datetime)):
        return obj.isoformat()
    if isinstance(obj, decimal.Decimal):
        return float(obj)
    if isinstance(obj, float) and (math.isnan(obj) or math.isinf(obj)):
        return None
    if hasattr(obj, "item") and callable(obj.item):  # numpy scalars
        return to_jsonable(obj.item())
    return obj


def dumps(obj: Any) -> str:
    return json.dumps(to_jsonable(obj), ensure_ascii=False, indent=2)


def parse_date(text: str | None, lang: str = "en") -> _dt.date | None:
    """ISO date from the command line; CliError when malformed."""
    if text is None:
        return None
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        raise CliError(t("cli.err.date", lang, text=repr(text))) from None


def open_reader(args, locked: str = "cli.held"):
    """The store to read (the file, or the running app's snapshot), or CliError with one clear line:
    no database yet, or held by the app with no snapshot to read (message key `locked`)."""
    # Imported here: the store brings pandas and DuckDB, which `prepay` (no store) never loads.
    from kam_core.store import StoreLocked, open_for_cli

    try:
        return open_for_cli(args.db, write=False)
    except FileNotFoundError as exc:
        raise CliError(t("cli.no_db", args.lang, path=str(exc))) from None
    except StoreLocked:
        raise CliError(t(locked, args.lang)) from None


def term(prefix: str, code: str, lang: str) -> str:
    """A code of the result (key, on_track, refund) as the reader says it: the product's own Chinese word
    (key prefix.code); in English the code itself, as --json and scripts spell it."""
    return t(f"{prefix}.{code}", lang) if lang == "zh" else code


def yuan(x: float | None, lang: str) -> str:
    """An amount in full (separators, two decimals), 元 after it in Chinese; a dash when missing."""
    return t("cli.none", lang) if x is None else t("cli.yuan", lang, x=x)


def pad(text: str, width: int, align: str = "<") -> str:
    """text padded to width terminal columns; a Chinese character takes two, so zh tables line up too."""
    gap = max(0, width - sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text))
    return text + " " * gap if align == "<" else " " * gap + text
