"""Run the parsing child (child.py) under memory and time limits and bring its answer back."""
from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field

import pyarrow as pa

from kam_core.ingest.errors import ImportRefused

MEMORY_LIMIT = int(os.environ.get("KAM_PARSE_MEMORY_GB", "6")) * 1024**3
BASE_SECONDS = 60
SECONDS_PER_MB = 4          # about 2 s per compressed MB is normal; twice that is the limit


def _limits(memory: int):
    def apply():
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        os.setsid()  # its own group: a timeout kills the child and anything it started
    return apply


def _start_child(memory: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT")}
    env["RUST_BACKTRACE"] = "0"
    return subprocess.Popen([sys.executable, "-m", "kam_core.ingest.child"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            preexec_fn=_limits(memory), cwd=_package_root())


# A started child waiting for its request, so that the interpreter start and the parser imports
# (about 0.2 s, half a small file's import) are paid before the upload. The import page asks for
# one each time it shows (warm); the command line never does. Each child still reads one file.
_spare: tuple[int, subprocess.Popen] | None = None
_spare_lock = threading.Lock()


def _usable(spare: tuple[int, subprocess.Popen] | None) -> bool:
    """Still waiting, and started under today's limits."""
    return spare is not None and spare[0] == MEMORY_LIMIT and spare[1].poll() is None


def _end(spare: tuple[int, subprocess.Popen] | None) -> None:
    if spare is not None:
        spare[1].kill()        # harmless when it has already exited
        spare[1].communicate()


def warm() -> None:
    """Have a child ready for the next file."""
    global _spare
    with _spare_lock:
        if _usable(_spare):
            return
        old, _spare = _spare, (MEMORY_LIMIT, _start_child(MEMORY_LIMIT))
    _end(old)


def stop_warm() -> None:
    """End the waiting child, if any."""
    global _spare
    with _spare_lock:
        old, _spare = _spare, None
    _end(old)


def _take_child() -> subprocess.Popen:
    """The spare when it is usable, else a new child."""
    global _spare
    with _spare_lock:
        spare, _spare = _spare, None
    if _usable(spare):
        return spare[1]
    _end(spare)
    return _start_child(MEMORY_LIMIT)


def run_child(request: dict, path: str) -> dict:
    """One child call. ImportRefused when the child dies, times out or reports a failure."""
    size_mb = os.path.getsize(path) / 1024**2
    timeout = BASE_SECONDS + SECONDS_PER_MB * size_mb
    # the child runs in the package's folder: a path relative to ours would name another file
    return _answer(_take_child(), dict(request, path=os.path.abspath(path)), timeout)


def _answer(proc: subprocess.Popen, request: dict, timeout: float) -> dict:
    try:
        out, err = proc.communicate(json.dumps(request).encode(), timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise ImportRefused("too_slow", seconds=int(timeout)) from None
    if proc.returncode != 0:
        if b"memory allocation" in err or proc.returncode in (-signal.SIGABRT, -signal.SIGKILL, -signal.SIGSEGV):
            raise ImportRefused("too_big_to_read")
        raise ImportRefused("corrupt")
    answer = json.loads(out.decode("utf-8"))
    if "error" in answer:
        raise _refusal(answer)
    return answer


def _refusal(answer: dict) -> ImportRefused:
    if answer["error"] == "no_header":
        return ImportRefused("no_header", rows=answer.get("rows_searched", 30))
    if answer["error"] == "empty_sheet":
        return ImportRefused("empty_sheet", sheet=answer.get("sheet", ""))
    if answer["error"] != "parse_failed":
        return ImportRefused(answer["error"])
    detail = answer.get("detail", "").lower()
    if "password" in detail or "encrypt" in detail:
        return ImportRefused("password_protected")
    if "sheet" in detail and "not found" in detail:
        return ImportRefused("sheet_missing")
    return ImportRefused("corrupt")


def _package_root() -> str:
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@dataclass
class SheetRead:
    """A sheet read below its header row: positional columns c0..cN and where rows came from."""

    table: pa.Table
    positions: list[int]            # 0-based sheet column of each table column (A = 0)
    names: list[str] | None = None  # Parquet: the file's own column names
    merged: list[list[int]] = field(default_factory=list)   # [first_row, first_col, last_row, last_col], 0-based
    invalid: list[list] = field(default_factory=list)      # CSV lines that did not split into the header's width
    rows: list[int] | None = None                           # each row's line number, where not consecutive
    formulas_without_value: int = 0                         # formula cells saved without a calculated value
    error_cells: list[list] = field(default_factory=list)   # [excel row, 0-based column, "#N/A"], read as empty


def list_sheets(path: str) -> list[dict]:
    return run_child({"op": "sheets", "path": path}, path)["sheets"]


@dataclass
class Inspected:
    """What one child process found: the first rows, the header row, and the sheet read below it."""

    head: list[list]
    header_row: int | None
    read: SheetRead
    csv_options: dict


def inspect_file(path: str, fmt: str, sheet: str | None, header_row: int | None = None, part: str | None = None,
                 shared_part: str | None = None, workdir: str | None = None) -> Inspected:
    """Head rows, header search (unless header_row is given) and the full read, in one child process."""
    fd, out = tempfile.mkstemp(suffix=".arrow", dir=workdir)
    os.close(fd)
    request = {"op": "inspect", "path": path, "fmt": fmt, "sheet": sheet, "header_row": header_row,
               "part": part, "shared_part": shared_part, "out": out}
    try:
        answer = run_child(request, path)
        with pa.memory_map(out) as source:
            table = pa.ipc.open_file(source).read_all()
    finally:
        try:
            os.unlink(out)  # the mapping keeps the data readable until the table is dropped
        except OSError:
            pass
    positions = answer.get("positions") or list(range(table.num_columns))
    read = SheetRead(table, positions, answer.get("names"), answer.get("merged", []), answer.get("invalid", []),
                     formulas_without_value=answer.get("formulas_without_value", 0),
                     error_cells=answer.get("error_cells", []))
    csv_options = {k: answer[k] for k in ("encoding", "delimiter") if k in answer}
    return Inspected(answer.get("rows", []), answer.get("header_row"), read, csv_options)
