"""Nothing loaded is ever lost: kills at random points, a full disk, concurrent imports,
reads during an import, mutated workbooks, separate sessions, the login gate."""
from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import threading
import time

import duckdb
import pytest

from kam_core import ranks
from kam_core.ingest import importer
from kam_core.ingest.errors import ImportRefused
from kam_core.store import Store
from tests import workbooks
from tests.helpers import ROOT, import_orders, open_page

KILLS = int(os.environ.get("KAM_KILLS", "200"))


def check_consistent(db) -> tuple[int, float]:
    """The file opens; every dataset has exactly its rows; no row without a dataset."""
    store = Store(db)
    try:
        with store.reader() as cur:
            bad = cur.execute("""
                SELECT d.dataset_id FROM datasets d
                LEFT JOIN (SELECT dataset_id, count(*) AS n FROM transactions GROUP BY 1) t USING (dataset_id)
                WHERE d.kind = 'orders' AND coalesce(t.n, 0) <> d.rows_loaded - d.rows_replaced""").fetchall()
            assert bad == [], f"datasets with a half import: {bad}"
            orphans = cur.execute("SELECT count(*) FROM transactions WHERE dataset_id NOT IN "
                                  "(SELECT dataset_id FROM datasets)").fetchone()[0]
            assert orphans == 0
            base = cur.execute("SELECT count(*), sum(amount) FROM transactions WHERE dataset_id = 1").fetchone()
        return int(base[0]), None if base[1] is None else float(base[1])
    finally:
        store.close()


def test_kill_at_random_points_never_loses_or_halves_an_import(tmp_path):
    db = tmp_path / "kam.duckdb"
    store = Store(db)
    import_orders(store, tmp_path, [{"client": "基准客户", "date": "2023-06-01", "amount": 1000},
                                    {"client": "基准客户", "date": "2023-06-02", "amount": 234.5}], name="base.csv")
    store.close()
    baseline = check_consistent(db)
    rng = random.Random(20261123)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    imports_seen = 0
    for _ in range(KILLS):
        worker = subprocess.Popen([sys.executable, "-m", "tests.kill_worker", str(db), str(tmp_path)], cwd=ROOT,
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(rng.uniform(0.8, 3.0))   # start-up takes about a second; then an import a second
        worker.send_signal(signal.SIGKILL)
        out, _ = worker.communicate()
        imports_seen += len(out.splitlines())
        assert check_consistent(db) == baseline
    snapshot = db.with_name("kam.snapshot.duckdb")
    if snapshot.exists():
        duckdb.connect(str(snapshot), read_only=True).close()
    assert imports_seen > 0, "the kills should interrupt a running sequence of imports, some finishing"


def test_full_disk_gives_a_clear_message_and_changes_nothing(tmp_path, monkeypatch):
    store = Store(tmp_path / "kam.duckdb")
    import_orders(store, tmp_path, [{"client": "甲", "date": "2024-01-01", "amount": 5}], name="a.csv")
    version = store.version()
    path = workbooks.messy_orders(tmp_path / "m.xlsx")
    ins = importer.inspect(store, str(path), path.name, today=workbooks.TODAY)
    pre = importer.preview(store, ins, today=workbooks.TODAY)
    real_register = duckdb.DuckDBPyConnection.register

    def failing_register(self, name, obj):
        if name == "staging":
            raise duckdb.IOException("Could not write file: No space left on device")
        return real_register(self, name, obj)

    monkeypatch.setattr(duckdb.DuckDBPyConnection, "register", failing_register)
    with pytest.raises(ImportRefused) as err:
        importer.commit(store, ins, pre)
    assert err.value.code == "disk_full"
    assert "磁盘空间不足" in err.value.message("zh")
    monkeypatch.undo()
    assert store.version() == version
    with store.reader() as cur:
        assert cur.execute("SELECT count(*), sum(amount) FROM transactions").fetchone() == (1, 5)
        assert cur.execute("SELECT count(*) FROM datasets").fetchone()[0] == 1
    store.close()


def test_read_only_data_directory_gives_a_clear_message(tmp_path, monkeypatch):
    store = Store(tmp_path / "kam.duckdb")
    path = workbooks.gbk_csv(tmp_path / "g.csv")
    ins = importer.inspect(store, str(path), path.name, today=workbooks.TODAY)
    pre = importer.preview(store, ins, today=workbooks.TODAY)
    monkeypatch.setattr(store, "write", lambda **_: (_ for _ in ()).throw(PermissionError(13, "Read-only file system")))
    with pytest.raises(ImportRefused) as err:
        importer.commit(store, ins, pre)
    assert err.value.code == "read_only"
    store.close()


def test_two_imports_at_the_same_time_both_succeed(tmp_path):
    store = Store(tmp_path / "kam.duckdb")
    files = []
    for k in range(2):
        folder = tmp_path / f"s{k}"
        folder.mkdir()
        rows = [{"client": f"客户{k}-{i % 50}", "date": f"2024-0{1 + k}-{1 + i % 28:02d}", "amount": i} for i in range(3000)]
        from tests.helpers import write_orders_csv

        files.append(write_orders_csv(folder / f"f{k}.csv", rows))
    errors, reports = [], []

    def run(path):
        try:
            reports.append(importer.import_file(store, str(path), path.name, today=workbooks.TODAY))
        except Exception as exc:  # pragma: no cover - the assertion below shows it
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(f,)) for f in files]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == [] and sorted(r.rows_loaded for r in reports) == [3000, 3000]
    with store.reader() as cur:
        assert cur.execute("SELECT count(*) FROM transactions").fetchone()[0] == 6000
    store.close()


def test_pages_keep_answering_while_an_import_runs(tmp_path):
    store = Store(tmp_path / "kam.duckdb")
    import_orders(store, tmp_path, [{"client": "甲", "date": "2024-01-01", "amount": 5}], name="a.csv")
    rows = [{"client": f"客户{i % 500}", "date": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}", "amount": i} for i in range(60_000)]
    from tests.helpers import write_orders_csv

    big = write_orders_csv(tmp_path / "big.csv", rows)
    failure: list[BaseException] = []

    def run_import():
        try:
            importer.import_file(store, str(big), today=workbooks.TODAY)
        except BaseException as exc:   # reported below: a failed import must fail the test, not hang it
            failure.append(exc)

    importer_thread = threading.Thread(target=run_import)
    importer_thread.start()
    answers = 0
    while importer_thread.is_alive():
        with store.reader() as cur:
            total = cur.execute("SELECT sum(amount) FROM transactions").fetchone()[0]
        assert total in (5, 5 + sum(range(60_000)))   # before or after, never half
        ranks.period_ranks.cache_clear()
        ranks.period_ranks(store, "window", dt.date(2024, 1, 1), dt.date(2024, 12, 31))
        answers += 1
    importer_thread.join()
    assert failure == []
    assert answers > 0
    store.close()


def test_mutated_workbooks_never_crash_the_reader(tmp_path):
    """A bounded fuzz run: flipped bytes give a loaded file or a refusal, never another error or a hang."""
    good = workbooks.messy_orders(tmp_path / "good.xlsx").read_bytes()
    rng = random.Random(7)
    store = Store(tmp_path / "kam.duckdb")
    outcomes = {"loaded": 0, "refused": 0}
    for i in range(int(os.environ.get("KAM_FUZZ", "40"))):
        data = bytearray(good)
        for _ in range(rng.randint(1, 12)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        path = tmp_path / f"fuzz{i}.xlsx"
        path.write_bytes(bytes(data))
        started = time.monotonic()
        try:
            importer.import_file(store, str(path), path.name, today=workbooks.TODAY)
            outcomes["loaded"] += 1
        except ImportRefused:
            outcomes["refused"] += 1
        assert time.monotonic() - started < 60
    assert sum(outcomes.values()) == int(os.environ.get("KAM_FUZZ", "40"))
    store.close()
    check_consistent(tmp_path / "kam.duckdb")


def test_an_upload_in_one_session_does_not_reach_another(demo_db):
    one = open_page("pages/13_import.py", "en")
    two = open_page("pages/13_import.py", "en")
    path = workbooks.messy_orders(demo_db.parent / "m.xlsx")
    one.file_uploader[0].set_value(("m.xlsx", path.read_bytes(), "application/vnd.ms-excel")).run()
    assert "imp" in one.session_state
    two.run()
    assert "imp" not in two.session_state
    assert not any("m.xlsx" in str(getattr(e, "value", "")) for e in two.main)


def test_login_gate_shows_no_data_before_sign_in(demo_db):
    from kam_core.auth import hash_password
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["kam"] = {"password_hash": hash_password("team-secret-1", iterations=1000)}
    at.session_state["lang"] = "en"
    at.run()
    assert [t.value for t in at.title] == ["Please sign in"]
    assert not at.dataframe and not at.metric and not at.sidebar.button
    at.text_input[0].input("wrong")
    at.button[0].click().run()
    assert at.error and at.title[0].value == "Please sign in"
    at.text_input[0].input("team-secret-1")
    at.button[0].click().run()
    assert at.title[0].value != "Please sign in"
    assert not at.exception


def test_hash_and_check_password():
    from kam_core.auth import check_password, hash_password

    stored = hash_password("correct horse", iterations=1000)
    assert check_password("correct horse", stored)
    assert not check_password("correct hors", stored)
    assert not check_password("x", "garbage")


def test_a_csv_with_a_title_line_shows_its_first_rows(demo_db):
    """A title line has one field and the header ten: the first rows still show, as read."""
    page = open_page("pages/13_import.py", "en")
    text = "2024年销售明细\n导出人：王五,,导出时间：2025/01/03\n客户名称,日期,金额\n永辉超市,2024-03-01,\"1,200.50\"\n"
    page.file_uploader[0].set_value(("t.csv", text.encode("gbk"), "text/csv")).run()
    assert "imp" in page.session_state and not page.exception
    head = page.session_state["imp"].head
    assert [row[:3] for row in head[:3]] == [["2024年销售明细"], ["导出人：王五", None, "导出时间：2025/01/03"],
                                             ["客户名称", "日期", "金额"]]
