"""The spare parsing child (reader.warm): started before the upload, used for one file only."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from kam_core.ingest import importer, reader
from kam_core.store import Store
from tests.helpers import ROOT, import_orders

ROWS = [{"client": "甲公司", "date": dt.date(2024, 3, 1), "amount": "1,200.50"},
        {"client": "乙公司", "date": dt.date(2024, 3, 2), "amount": "1.2万"}]


@pytest.fixture(autouse=True)
def no_spare_left():
    reader.stop_warm()
    yield
    reader.stop_warm()


def _spare_pid() -> int:
    assert reader._spare is not None
    return reader._spare[1].pid


def test_the_spare_reads_the_next_file_and_is_then_gone(tmp_path, monkeypatch):
    importer.get_ready()
    pid = _spare_pid()
    importer.get_ready()                       # a second call keeps the one waiting
    assert _spare_pid() == pid
    started = []
    real_start = reader._start_child
    monkeypatch.setattr(reader, "_start_child", lambda memory: started.append(memory) or real_start(memory))
    store = Store(tmp_path / "kam.duckdb")
    try:
        report = import_orders(store, tmp_path, ROWS)
        assert report.rows_loaded == 2
        with store.reader() as cur:
            assert cur.execute("SELECT sum(amount) FROM transactions").fetchone()[0] == pytest.approx(13_200.50)
    finally:
        store.close()
    assert started == [] and reader._spare is None    # the spare read the file; no new one was started


def test_a_spare_started_under_other_limits_is_not_used(tmp_path, monkeypatch):
    importer.get_ready()
    old = reader._spare[1]
    monkeypatch.setattr(reader, "MEMORY_LIMIT", reader.MEMORY_LIMIT // 2)
    store = Store(tmp_path / "kam.duckdb")
    try:
        assert import_orders(store, tmp_path, ROWS).rows_loaded == 2
    finally:
        store.close()
    assert old.wait(timeout=10) != 0            # ended, not used: the file was read under the new limit


def test_warming_under_new_limits_replaces_the_spare_and_ends_the_old_one(monkeypatch):
    importer.get_ready()
    old = reader._spare[1]
    monkeypatch.setattr(reader, "MEMORY_LIMIT", reader.MEMORY_LIMIT // 2)
    importer.get_ready()
    assert reader._spare[1] is not old and reader._spare[0] == reader.MEMORY_LIMIT
    assert old.poll() is not None                # ended, not left waiting


def test_a_spare_whose_parent_has_gone_ends_quietly():
    proc = subprocess.run([sys.executable, "-m", "kam_core.ingest.child"], input=b"", capture_output=True,
                          cwd=ROOT, timeout=60)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"", b"")


def test_a_path_relative_to_the_callers_folder_reads_that_file(tmp_path, monkeypatch):
    """The child runs in the package's folder; the file named relative to ours is the one read."""
    from tests.helpers import write_orders_csv

    write_orders_csv(tmp_path / "orders.csv", ROWS)
    monkeypatch.chdir(tmp_path)
    store = Store(tmp_path / "kam.duckdb")
    try:
        report = importer.import_file(store, "orders.csv")
        assert (report.rows_read, report.rows_loaded) == (2, 2)
    finally:
        store.close()
