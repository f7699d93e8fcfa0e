"""Deleting an import brings back what it replaced: order lines, targets, archive fields."""
from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest

from kam_core import archive
from kam_core.ingest import importer
from kam_core.store import Store
from tests.helpers import import_orders
from tests.test_import_kinds import TARGET_HEADER, TODAY, sheet


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "kam.duckdb")
    yield s
    s.close()


def _lines(store) -> list[tuple]:
    with store.reader() as cur:
        return cur.execute("SELECT dataset_id, CAST(order_date AS VARCHAR), client_name, amount FROM transactions "
                           "ORDER BY order_date, dataset_id").fetchall()


def _replaced_counts(store) -> dict[int, int]:
    with store.reader() as cur:
        return dict(cur.execute("SELECT dataset_id, rows_replaced FROM datasets ORDER BY 1").fetchall())


H1 = [{"client": "甲", "date": f"2024-{m:02d}-10", "amount": 100 * m} for m in range(1, 7)]     # Jan..Jun
H2 = [{"client": "乙", "date": f"2024-{m:02d}-15", "amount": 10 * m} for m in range(6, 9)]      # Jun..Aug
FIX = [{"client": "甲", "date": "2024-05-01", "amount": 999}, {"client": "甲", "date": "2024-05-31", "amount": 1}]


def test_deleting_a_replacing_import_brings_the_replaced_lines_back(store, tmp_path):
    import_orders(store, tmp_path, H1, name="h1.csv")
    before = _lines(store)
    import_orders(store, tmp_path, FIX, name="fix.csv", on_overlap="replace")
    assert ("2024-05-10", "甲", Decimal("500")) not in [row[1:] for row in _lines(store)]
    assert _replaced_counts(store) == {1: 1, 2: 0}
    store.delete_dataset(2)
    assert _lines(store) == before
    assert _replaced_counts(store) == {1: 0}


def test_a_line_stays_replaced_while_a_later_replacing_import_stands(store, tmp_path):
    """h1 (Jan–Jun), h2 replaces Jun–Aug, fix replaces May: deleting h2 brings back h1's June only,
    deleting fix then brings back May; deleting h1 drops its lines set aside too."""
    import_orders(store, tmp_path, H1, name="h1.csv")
    import_orders(store, tmp_path, H2, name="h2.csv", on_overlap="replace")
    import_orders(store, tmp_path, [{"client": "甲", "date": "2024-05-01", "amount": 7},
                                    {"client": "甲", "date": "2024-06-30", "amount": 8}], name="fix.csv",
                  on_overlap="replace")
    # fix replaced May–Jun: h1's May 10 and h2's Jun 15 (h1's Jun 10 was already out, by h2)
    assert _replaced_counts(store) == {1: 2, 2: 1, 3: 0}
    store.delete_dataset(2)
    assert [row[1] for row in _lines(store)] == ["2024-01-10", "2024-02-10", "2024-03-10", "2024-04-10",
                                                 "2024-05-01", "2024-06-30"]
    assert _replaced_counts(store) == {1: 2, 3: 0}      # June 10 still under fix's May–Jun
    store.delete_dataset(3)
    assert _lines(store) == [(1, f"2024-{m:02d}-10", "甲", Decimal(100 * m)) for m in range(1, 7)]
    with store.reader() as cur:
        assert cur.execute("SELECT count(*) FROM replaced_lines").fetchone()[0] == 0


def test_deleting_the_replaced_import_removes_its_lines_set_aside(store, tmp_path):
    import_orders(store, tmp_path, H1, name="h1.csv")
    import_orders(store, tmp_path, FIX, name="fix.csv", on_overlap="replace")
    store.delete_dataset(1)
    store.delete_dataset(2)
    assert _lines(store) == []
    with store.reader() as cur:
        assert cur.execute("SELECT count(*) FROM replaced_lines").fetchone()[0] == 0


def _targets(store) -> list[tuple]:
    with store.reader() as cur:
        return cur.execute("SELECT name_key, period, target, dataset_id FROM targets ORDER BY 1, 2").fetchall()


def test_deleting_a_revised_targets_import_brings_the_earlier_targets_back(store, tmp_path):
    def targets(name, rows):
        importer.import_file(store, str(sheet(tmp_path / name, TARGET_HEADER, rows)), name, kind="targets",
                             today=TODAY)
    targets("t1.xlsx", [("华润万家", None, "2024", 100), ("永辉", None, "2024", 50)])
    targets("t2.xlsx", [("华润万家", None, "2024", 110), ("大润发", None, "2024", 20)])
    targets("t3.xlsx", [("华润万家", None, "2024", 120)])
    assert _targets(store) == [("华润万家", "2024", Decimal("1200000"), 3), ("大润发", "2024", Decimal("200000"), 2),
                               ("永辉", "2024", Decimal("500000"), 1)]
    store.delete_dataset(2)          # the middle revision: t3 still stands for 华润万家
    assert _targets(store) == [("华润万家", "2024", Decimal("1200000"), 3), ("永辉", "2024", Decimal("500000"), 1)]
    store.delete_dataset(3)          # t2's version went with t2: t1's comes back
    assert _targets(store) == [("华润万家", "2024", Decimal("1000000"), 1), ("永辉", "2024", Decimal("500000"), 1)]
    with store.reader() as cur:
        assert cur.execute("SELECT count(*) FROM replaced_targets").fetchone()[0] == 0


ARCHIVE_V1 = (["客户名称", "所属集团", "门店数", "客户经理", "年潜力（万元）"],
              [("华润万家", "华润集团", 500, "王磊", 3000), ("永辉", None, 80, "李娜", 500)])
ARCHIVE_V2 = (["客户名称", "客户经理"], [("华润万家", "陈静"), ("家乐福", "黄伟")])


def _archive(store) -> dict:
    with store.reader() as cur:
        return {key: tuple(rest) for key, *rest in cur.execute(
            "SELECT client_key, group_name, store_count, owner, potential, dataset_id FROM clients").fetchall()}


def _import_archive(store, tmp_path, name, header_rows):
    importer.import_file(store, str(sheet(tmp_path / name, *header_rows)), name, kind="clients", today=TODAY)


def test_deleting_an_archive_update_leaves_the_archive_as_the_earlier_import_made_it(store, tmp_path):
    _import_archive(store, tmp_path, "v1.xlsx", ARCHIVE_V1)
    v1 = _archive(store)
    _import_archive(store, tmp_path, "v2.xlsx", ARCHIVE_V2)
    assert _archive(store)["华润万家"] == ("华润集团", 500, "陈静", Decimal("30000000"), 2)
    store.delete_dataset(2)
    assert _archive(store) == v1
    with store.reader() as cur:
        assert cur.execute("SELECT owner, group_name FROM client_dim WHERE client_key = '华润万家'").fetchone() == (
            "王磊", "华润集团")


def test_an_edit_in_the_app_outlives_the_import_under_it(store, tmp_path):
    """v1, then an edit of 永辉's owner, then v2: deleting v1 keeps the edited owner and v2's fields;
    what only v1 said (stores, potential) goes with it."""
    _import_archive(store, tmp_path, "v1.xlsx", ARCHIVE_V1)
    archive.update_clients(store, {"永辉": {"owner": "赵六"}})
    _import_archive(store, tmp_path, "v2.xlsx", ARCHIVE_V2)
    store.delete_dataset(1)
    rows = _archive(store)
    assert rows["永辉"] == (None, None, "赵六", None, None)
    assert rows["华润万家"] == (None, None, "陈静", None, 2)
    assert rows["家乐福"] == (None, None, "黄伟", None, 2)


def test_a_store_from_before_archive_layers_keeps_its_archive(tmp_path):
    """Opening a store written before layers were kept: each archive row becomes its first layer, so
    a later update and its deletion behave as for new stores."""
    path = tmp_path / "kam.duckdb"
    Store(path).close()
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO clients (client_key, client_name, owner, store_count, dataset_id, updated_at) "
                "VALUES ('永辉', '永辉', '李娜', 80, NULL, now()::TIMESTAMP)")
    con.execute("DROP TABLE client_layers")
    con.close()
    store = Store(path)
    try:
        _import_archive(store, tmp_path, "v2.xlsx", (["客户名称", "客户经理"], [("永辉", "黄伟")]))
        assert _archive(store)["永辉"] == (None, 80, "黄伟", None, 1)
        store.delete_dataset(1)
        assert _archive(store)["永辉"] == (None, 80, "李娜", None, None)
    finally:
        store.close()


def test_a_replacing_import_that_found_nothing_left_to_set_aside_still_replaces_its_dates(store, tmp_path):
    """h1 (Jan–Jun); h2 replaces Apr–Jun (h1's April to June go aside); fix replaces May while no
    line of May is loaded any more. Deleting h2 brings back h1's April and June, not May: fix
    still stands over May."""
    import_orders(store, tmp_path, H1, name="h1.csv")
    import_orders(store, tmp_path, [{"client": "乙", "date": "2024-04-01", "amount": 1},
                                    {"client": "乙", "date": "2024-06-30", "amount": 2}], name="h2.csv",
                  on_overlap="replace")
    report = import_orders(store, tmp_path, FIX, name="fix.csv", on_overlap="replace")
    assert report.replaced == 0 and [o["dataset_id"] for o in report.overlaps] == [1, 2]
    store.delete_dataset(2)
    assert [(row[0], row[1]) for row in _lines(store)] == [
        (1, "2024-01-10"), (1, "2024-02-10"), (1, "2024-03-10"), (1, "2024-04-10"), (3, "2024-05-01"),
        (3, "2024-05-31"), (1, "2024-06-10")]
