"""The DuckDB file: schema, one write transaction at a time, datasets, snapshot for other processes.

One read-write connection per process. Readers take a cursor each (DuckDB
connections are not thread-safe; cursors are). Every write runs in
`Store.write()`: one transaction, the data version bumped inside it, then a
CHECKPOINT, so a crash at any point leaves the file as before or as after. A
snapshot copy beside the file serves readers in other processes, since a file
held read-write cannot be opened by anyone else.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import threading
import time
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

import duckdb
import pandas as pd

from kam_core import config

SQL_DIR = Path(__file__).with_name("sql")
SNAPSHOT_MIN_INTERVAL = 60.0


@lru_cache(maxsize=None)
def sql(name: str) -> str:
    """The text of kam_core/sql/<name>.sql."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


class StoreLocked(Exception):
    """The file is held read-write by another process (the running app)."""


class Store:
    def __init__(self, path: str | os.PathLike, read_only: bool = False):
        self.path = Path(path)
        self.read_only = read_only
        self.snapshot_path = snapshot_path_for(self.path)
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise StoreLocked(str(exc)) from None
            raise
        self._lock = threading.RLock()
        self._last_snapshot = 0.0
        self._snapshot_timer: threading.Timer | None = None
        if not read_only:
            self.con.execute(sql("schema"))
            self.con.execute("CREATE TABLE IF NOT EXISTS client_dim AS " + sql("client_dim_select"))

    # ---------------------------------------------------------------- reading

    @contextlib.contextmanager
    def reader(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of its own for one reader (a page run, a thread)."""
        cur = self.con.cursor()
        try:
            yield cur
        finally:
            cur.close()

    def query(self, name: str, **params: Any) -> pd.DataFrame:
        """Run kam_core/sql/<name>.sql with $named parameters; a DataFrame back."""
        with self.reader() as cur:
            return cur.execute(sql(name), params or None).df()

    def query_arrow(self, name: str, **params: Any):
        """As query, an Arrow table back (dates stay dates). cur.sql: Arrow out of execute() is an
        extra copy, and DuckDB warns about it."""
        with self.reader() as cur:
            return cur.sql(sql(name), params=params or None).to_arrow_table()

    def version(self) -> int:
        """The data version: changes with every committed write (cache keys use it)."""
        with self.reader() as cur:
            row = cur.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        return int(row[0]) if row else 0

    @property
    def key(self) -> tuple[str, int]:
        """Identity of what this store holds now, for caches."""
        return (str(self.path.resolve()), self.version())

    # ---------------------------------------------------------------- writing

    @contextlib.contextmanager
    def write(self, snapshot: str = "soon") -> Iterator[duckdb.DuckDBPyConnection]:
        """One transaction; imports serialise here. snapshot: 'now' (imports) or 'soon' (edits)."""
        if self.read_only:
            raise StoreLocked("read-only store")
        with self._lock:
            cur = self.con.cursor()
            try:
                cur.execute("BEGIN TRANSACTION")
                yield cur
                cur.execute("INSERT OR REPLACE INTO meta VALUES ('version', "
                            "CAST(coalesce((SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'version'), 0) + 1 "
                            "AS VARCHAR))")
                cur.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(Exception):
                    cur.execute("ROLLBACK")
                raise
            finally:
                cur.close()
            # The commit is durable in the WAL; a checkpoint that must wait for a reader's
            # transaction is retried with the snapshot, never reported as a failed write.
            if snapshot == "now" and self._checkpoint():
                self._write_snapshot()
            else:
                self._snapshot_soon()

    def _checkpoint(self) -> bool:
        try:
            self.con.execute("CHECKPOINT")
            return True
        except duckdb.TransactionException:
            return False

    def _write_snapshot(self) -> None:
        """Copy the checkpointed file beside itself: temp file, then rename (readers never see half)."""
        with self._lock:
            if not self._checkpoint():
                self._last_snapshot = time.monotonic()
                self._snapshot_soon()
                return
            tmp = self.snapshot_path.with_name(self.snapshot_path.name + ".tmp")
            shutil.copyfile(self.path, tmp)
            os.replace(tmp, self.snapshot_path)
            self._last_snapshot = time.monotonic()

    def ensure_snapshot(self) -> Path:
        """The snapshot file readers in other processes open; written now when there is none yet."""
        if self.read_only:
            return self.path
        if not self.snapshot_path.exists():
            self._write_snapshot()
        return self.snapshot_path

    def _snapshot_soon(self) -> None:
        wait = SNAPSHOT_MIN_INTERVAL - (time.monotonic() - self._last_snapshot)
        if wait <= 0:
            self._write_snapshot()
            return
        if self._snapshot_timer is None or not self._snapshot_timer.is_alive():
            self._snapshot_timer = threading.Timer(wait, self._write_snapshot)
            self._snapshot_timer.daemon = True
            self._snapshot_timer.start()

    def close(self) -> None:
        if self._snapshot_timer is not None:
            self._snapshot_timer.cancel()
        self.con.close()

    # ---------------------------------------------------------------- datasets

    def datasets(self) -> pd.DataFrame:
        return self.query("datasets_list")

    def has_data(self) -> bool:
        with self.reader() as cur:
            return cur.execute("SELECT count(*) FROM datasets").fetchone()[0] > 0

    def data_end(self) -> dt.date | None:
        """The last day the data speaks for: the latest 'data through' of the order imports."""
        with self.reader() as cur:
            row = cur.execute(sql("data_end")).fetchone()
        return row[0] if row else None

    def delete_dataset(self, dataset_id: int) -> None:
        self.delete_datasets([dataset_id])

    def delete_datasets(self, dataset_ids: list[int]) -> None:
        """Remove imports and everything they brought, in one transaction."""
        if not dataset_ids:
            return
        with self.write(snapshot="now") as cur:
            for dataset_id in dataset_ids:
                run_script(cur, "delete_dataset", id=dataset_id)
            run_script(cur, "after_delete")
            rebuild_client_dim(cur)

    def setting(self, key: str, default: Any = None) -> Any:
        with self.reader() as cur:
            row = cur.execute("SELECT value FROM settings WHERE key = $k", {"k": key}).fetchone()
        return json.loads(row[0]) if row else default

    def save_setting(self, key: str, value: Any) -> None:
        with self.write() as cur:
            cur.execute("INSERT OR REPLACE INTO settings VALUES ($k, $v)",
                        {"k": key, "v": json.dumps(value, ensure_ascii=False)})


def run_script(cur: duckdb.DuckDBPyConnection, name: str, **params: Any) -> None:
    """A .sql file of several statements, each run with the parameters it uses."""
    text = "\n".join(line for line in sql(name).splitlines() if not line.strip().startswith("--"))
    for statement in text.split(";"):
        body = statement.strip()
        if body:
            used = {k: v for k, v in params.items() if f"${k}" in body}
            cur.execute(body, used or None)


def rebuild_client_dim(cur: duckdb.DuckDBPyConnection) -> None:
    """Recompute the per-client facts (display name, owner, group...) inside the caller's transaction."""
    from kam_core.ingest.clean import client_key

    new_groups = cur.execute(
        "SELECT DISTINCT group_name FROM (SELECT group_name FROM transactions UNION ALL "
        "SELECT group_name FROM clients) WHERE group_name IS NOT NULL "
        "AND group_name NOT IN (SELECT group_name FROM group_keys)").fetchall()
    if new_groups:
        cur.executemany("INSERT INTO group_keys VALUES (?, ?)",
                        [(name, "g:" + client_key(name)) for (name,) in new_groups])
    cur.execute("DELETE FROM client_dim")
    cur.execute("INSERT INTO client_dim " + sql("client_dim_select"))


def snapshot_path_for(path: Path) -> Path:
    return path.with_name(path.stem + ".snapshot" + path.suffix)


def open_store(path: str | os.PathLike | None = None) -> Store:
    return Store(path or config.db_path())


def open_for_cli(path: str | None, write: bool) -> Store:
    """The CLI's store: the file itself, or, when the app holds it, the snapshot (reads only)."""
    db = Path(path or config.db_path())
    try:
        if not write and not db.exists():
            raise FileNotFoundError(str(db))
        return Store(db)
    except StoreLocked:
        if write:
            raise
        snap = snapshot_path_for(db)
        if not snap.exists():
            raise
        return Store(snap, read_only=True)
