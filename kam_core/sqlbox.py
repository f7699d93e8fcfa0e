"""The SQL box: power users query read-only views of the canonical tables.

A query is code execution (DuckDB's own security model says so), so it never
runs in the app's process nor on the app's connection: a child process
(kam_core/sqlbox_child.py) opens the snapshot file read-only with external
access off, a memory limit and a locked configuration, and is killed at the
time limit. The text is checked here first (one SELECT, exposed tables only)
so a refusal comes back at once with a clear reason.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from kam_core.sqlbox_child import TABLES, Refused, check_select

CHILD = Path(__file__).with_name("sqlbox_child.py")
ROW_CAP = 10_000
TIME_LIMIT = 20.0
MEMORY_LIMIT = "1GB"
THREADS = 1

__all__ = ["TABLES", "Refused", "SqlResult", "check", "run_sql", "columns_of"]


@dataclass
class SqlResult:
    ok: bool
    frame: pd.DataFrame | None = None
    rows: int = 0
    truncated: bool = False
    code: str | None = None       # why it was refused or stopped (see locales/explore.py sql.err.*)
    detail: str = ""
    seconds: float = 0.0


def check(text: str) -> None:
    """Refused(code, detail) unless the text is one SELECT over the exposed tables."""
    con = duckdb.connect(":memory:", config={"autoload_known_extensions": False,
                                             "autoinstall_known_extensions": False,
                                             "enable_external_access": False})
    try:
        check_select(text, con)
    finally:
        con.close()


def _frame(table: pa.Table) -> pd.DataFrame:
    """Arrow to pandas with DECIMAL money as floats (display only)."""
    columns = []
    for field in table.schema:
        column = table.column(field.name)
        if pa.types.is_decimal(field.type):
            column = column.cast(pa.float64())
        columns.append(column)
    safe = pa.table(columns, names=[f"{i}" for i in range(len(columns))])
    frame = safe.to_pandas()
    frame.columns = table.schema.names   # duplicate names (SELECT a, a) survive
    return frame


def run_sql(store, text: str, row_cap: int = ROW_CAP, time_limit: float = TIME_LIMIT,
            memory_limit: str = MEMORY_LIMIT, threads: int = THREADS) -> SqlResult:
    """Run one SELECT in the child process on the store's snapshot; never raises for the user's text."""
    started = time.monotonic()
    try:
        check(text)
    except Refused as exc:
        return SqlResult(False, code=exc.code, detail=exc.detail)
    snapshot = store.ensure_snapshot()
    if not Path(snapshot).exists():
        return SqlResult(False, code="no_snapshot")
    request = {"snapshot": str(snapshot), "sql": text, "row_cap": int(row_cap), "memory_limit": memory_limit,
               "threads": int(threads)}
    with tempfile.TemporaryDirectory(prefix="kam_sqlbox_") as scratch:
        # Isolated mode, an empty working folder, a bare environment: the child sees nothing it does not need.
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": scratch, "LANG": "C.UTF-8"}
        proc = subprocess.Popen([sys.executable, "-I", str(CHILD)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, cwd=scratch, env=env, start_new_session=True)
        try:
            out, err = proc.communicate(json.dumps(request).encode("utf-8"), timeout=time_limit)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            return SqlResult(False, code="timeout", detail=f"{time_limit:g}", seconds=time.monotonic() - started)
    seconds = time.monotonic() - started
    head, _, body = out.partition(b"\n")
    try:
        status = json.loads(head.decode("utf-8"))
    except ValueError:
        # The child died without answering (killed by the system for memory, or crashed).
        detail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit {proc.returncode}"]
        return SqlResult(False, code="crashed", detail=detail[0][:300], seconds=seconds)
    if not status.get("ok"):
        return SqlResult(False, code=status.get("code", "error"), detail=status.get("detail", ""), seconds=seconds)
    table = pa.ipc.open_stream(body).read_all()
    return SqlResult(True, frame=_frame(table), rows=int(status["rows"]), truncated=bool(status["truncated"]),
                     seconds=seconds)


def columns_of(store) -> pd.DataFrame:
    """The exposed views and their columns, for the box's reference: table, column, type."""
    return store.query("explore_sql_columns", tables=list(TABLES))
