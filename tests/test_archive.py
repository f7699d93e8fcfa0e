"""The KA archive: reading it with derived facts, edits by form and grid, edits surviving order
re-imports, prospects and clients to complete, the Excel round trip."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest

from kam_core import archive
from kam_core.export import xlsx_bytes
from kam_core.ingest import importer
from tests.helpers import TODAY, d, import_orders, store_with_orders

ORDERS = [
    {"client": "华润万家", "date": "2024-01-10", "amount": 500, "owner": "王磊", "region": "华东", "store_count": 40},
    {"client": "华润万家", "date": "2024-06-10", "amount": 300, "owner": "王磊", "region": "华东", "store_count": 42},
    {"client": "永辉", "date": "2023-05-01", "amount": 900, "owner": "李娜", "region": "华南"},    # before the t12m
    {"client": "永辉", "date": "2024-03-01", "amount": 100, "owner": "李娜", "region": "华南"},
    {"client": "物美", "date": "2024-02-01", "amount": 50, "owner": "黄伟"},
]
AS_OF = d("2024-06-30")


@pytest.fixture
def store(tmp_path):
    s = store_with_orders(tmp_path, ORDERS)
    yield s
    s.close()


def row(store, key: str) -> dict:
    table = archive.archive_table(store, AS_OF)
    return table.set_index("client_key").loc[key].to_dict()


def stored(store, key: str) -> tuple | None:
    with store.reader() as cur:
        return cur.execute("SELECT owner, potential, store_count, service_level, note, dataset_id, updated_by "
                           "FROM clients WHERE client_key = $k", {"k": key}).fetchone()


def test_table_facts_prospects_and_missing(store):
    archive.add_client(store, "盒马 鲜生", {"chain_scope": "区域连锁", "store_count": 30, "potential": 2_000_000})
    archive.update_clients(store, {"华润万家": {"potential": 1000, "service_level": "a"}})
    table = archive.archive_table(store, AS_OF)
    # t12m at 2024-06-30: (2023-06-30, 2024-06-30]; 华润万家 500 + 300, 永辉 100 (its 2023-05 line is older)
    assert list(table["client_key"]) == ["华润万家", "永辉", "物美", "盒马鲜生"]
    assert list(table["t12m"]) == [800, 100, 50, 0]
    by_key = table.set_index("client_key")
    assert by_key.loc["华润万家", "store_count"] == 42                       # the latest line's
    assert by_key.loc["华润万家", "service_level"] == "A"
    assert (by_key.loc["盒马鲜生", "client_name"], by_key.loc["盒马鲜生", "has_orders"]) == ("盒马 鲜生", False)
    assert list(archive.prospects(table)["client_key"]) == ["盒马鲜生"]
    assert list(archive.missing_from_archive(table)["client_key"]) == ["永辉", "物美"]
    # tiers: the data end is 2024-06-10, so the current quarter is 2024Q1: 华润万家 500, 永辉 100, 物美 50
    # (total 650): 华润万家 key; 永辉 500 before it < 0.8 x 650 important; 物美 600 < 0.95 x 650 general
    assert [by_key.loc[k, "tier"] for k in ("华润万家", "永辉", "物美", "盒马鲜生")] == [
        "key", "important", "general", None]


def test_filters(store):
    archive.add_client(store, "盒马鲜生", {"region": "华东"})
    table = archive.archive_table(store, AS_OF)
    assert list(archive.filter_table(table, scope="prospects")["client_key"]) == ["盒马鲜生"]
    assert list(archive.filter_table(table, scope="missing")["client_key"]) == ["华润万家", "永辉", "物美"]
    assert list(archive.filter_table(table, regions=["华东"])["client_key"]) == ["华润万家", "盒马鲜生"]
    assert list(archive.filter_table(table, owners=["李娜"])["client_key"]) == ["永辉"]
    assert list(archive.filter_table(table, tier_names=["key"])["client_key"]) == ["华润万家"]
    assert list(archive.filter_table(table, search="华润 万家")["client_key"]) == ["华润万家"]
    assert list(archive.filter_table(table, search="ＨＥ")["client_key"]) == []


def test_form_save_writes_only_changed_fields(store):
    # 华润万家 is not in the archive: its owner and region come from its lines
    assert archive.save_client(store, "华润万家", {"owner": "王磊", "region": "华东", "note": "续约谈判"}) == 1
    # unchanged owner / region are not frozen into the archive: the lines keep supplying them
    assert stored(store, "华润万家")[:5] == (None, None, None, None, "续约谈判")
    assert stored(store, "华润万家")[5:] == (None, "app")
    archive.save_client(store, "华润万家", {"owner": "陈静", "potential": Decimal("1500000")})
    assert stored(store, "华润万家")[:3] == ("陈静", Decimal("1500000"), None)
    assert row(store, "华润万家")["owner"] == "陈静"                  # the archive wins in client_dim


def test_saving_an_unchanged_order_client_adds_it(store):
    archive.save_client(store, "物美", {})
    assert row(store, "物美")["in_archive"]
    assert stored(store, "物美")[0] is None                             # nothing copied it did not change


def test_validation_writes_nothing(store):
    before = store.version()
    for fields, code in [({"chain_scope": "全国"}, "bad_scope"), ({"service_level": "D"}, "bad_level"),
                         ({"store_count": -1}, "bad_stores"), ({"store_count": 2.5}, "bad_stores"),
                         ({"potential": "很多"}, "bad_potential"), ({"potential": -5}, "bad_potential"),
                         ({"colour": "red"}, "unknown_field")]:
        with pytest.raises(archive.ArchiveError) as err:
            archive.update_clients(store, {"永辉": {"owner": "新人", **fields}})
        assert err.value.code == code
        assert err.value.message("zh") and err.value.message("en") != f"arc.err.{code}"
    with pytest.raises(archive.ArchiveError) as err:
        archive.add_client(store, "  ")
    assert err.value.code == "missing_name"
    archive.add_client(store, "盒马")
    with pytest.raises(archive.ArchiveError) as err:
        archive.add_client(store, "盒 马")
    assert err.value.code == "exists"
    assert stored(store, "永辉") is None and store.version() == before + 1


def test_grid_changes_and_save(store):
    archive.add_from_orders(store, ["华润万家", "永辉"])
    table = archive.archive_table(store, AS_OF)
    before = archive.grid_frame(table, divisor=10_000)
    assert list(before.index) == ["华润万家", "永辉"]
    assert (before.loc["华润万家", "owner"], before.loc["华润万家", "store_count"]) == ("王磊", 42)
    after = before.copy()
    after.loc["永辉", "potential"] = 12.5                 # 万元
    after.loc["永辉", "chain_scope"] = "单城"
    after.loc["华润万家", "note"] = "  "                   # blank stays blank: no change
    assert archive.grid_changes(before, after) == {"永辉": {"chain_scope": "单城", "potential": 12.5}}
    assert archive.save_grid(store, before, after, divisor=10_000) == 1
    assert stored(store, "永辉")[1] == Decimal("125000")
    assert row(store, "永辉")["chain_scope"] == "单城"


def test_add_from_orders_copies_what_the_lines_say(store):
    assert archive.add_from_orders(store, ["华润万家", "永辉", "unknown"]) == 2
    assert stored(store, "华润万家")[:3] == ("王磊", None, 42)
    assert stored(store, "永辉")[0] == "李娜"
    assert list(archive.missing_from_archive(archive.archive_table(store, AS_OF))["client_key"]) == ["物美"]


def test_edits_survive_order_reimports_and_archive_deletion(store, tmp_path):
    path = tmp_path / "archive.csv"
    path.write_text("客户名称,客户经理,年潜力（万元）\n永辉,李娜,50\n物美,黄伟,20\n", encoding="utf-8")
    archive_report = importer.import_file(store, str(path), "archive.csv", kind="clients", today=TODAY)
    archive.update_clients(store, {"永辉": {"owner": "陈静", "potential": 800_000}})
    assert stored(store, "永辉") == ("陈静", Decimal("800000"), None, None, None, None, "app")
    # a re-import of orders that replaces the overlapping lines, with another owner on them
    again = [dict(r, owner="新经理") for r in ORDERS] + [{"client": "永辉", "date": "2024-06-20", "amount": 70,
                                                        "owner": "新经理"}]
    report = import_orders(store, tmp_path, again, name="orders_again.csv", on_overlap="replace")
    assert report.replaced == 5
    assert stored(store, "永辉") == ("陈静", Decimal("800000"), None, None, None, None, "app")
    assert row(store, "永辉")["owner"] == "陈静"              # the archive still wins
    assert row(store, "华润万家")["owner"] == "新经理"          # not in the archive: the latest line
    assert row(store, "永辉")["t12m"] == 170
    # deleting every order import leaves the archive; deleting the archive import keeps the edit
    store.delete_datasets([int(i) for i in store.datasets().query("kind == 'orders'")["dataset_id"]])
    store.delete_dataset(archive_report.dataset_id)
    assert stored(store, "永辉")[:2] == ("陈静", Decimal("800000"))
    assert stored(store, "物美") is None                       # imported, never edited: went with its import
    table = archive.archive_table(store, AS_OF)
    assert list(table["client_key"]) == ["永辉"] and table["t12m"].tolist() == [0]


def test_remove_client_keeps_its_orders(store):
    archive.add_from_orders(store, ["永辉"])
    archive.remove_client(store, "永辉")
    assert stored(store, "永辉") is None
    assert not row(store, "永辉")["in_archive"] and row(store, "永辉")["t12m"] == 100


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_export_reads_back_as_the_same_archive(store, tmp_path, lang):
    archive.add_from_orders(store, ["华润万家", "永辉"])
    archive.update_clients(store, {"华润万家": {"group_name": "华润集团", "chain_scope": "全国连锁",
                                              "service_level": "A", "potential": Decimal("12345.5"),
                                              "note": "=HYPERLINK(\"x\")"}})
    archive.add_client(store, "盒马", {"city": "上海", "potential": 900})
    table = archive.archive_table(store, AS_OF)
    rows = table[table["in_archive"]]
    sheet = archive.export_frame(rows, lang)
    path = tmp_path / f"archive_{lang}.xlsx"
    path.write_bytes(xlsx_bytes({"archive": sheet}))
    with store.reader() as cur:
        before = cur.execute("SELECT * EXCLUDE (dataset_id, updated_at, updated_by) FROM clients "
                             "ORDER BY client_key").fetchall()
    ins = importer.inspect(store, str(path), path.name)
    assert ins.kind == "clients"
    assert set(ins.mapping) == {"client", "group", "chain_scope", "store_count", "owner", "region", "city",
                                "service_level", "potential", "note"}
    report = importer.commit(store, ins, importer.preview(store, ins, today=TODAY))
    assert (report.rows_loaded, report.rows_rejected) == (3, 0)
    with store.reader() as cur:
        after = cur.execute("SELECT * EXCLUDE (dataset_id, updated_at, updated_by) FROM clients "
                            "ORDER BY client_key").fetchall()
    assert after == before


def test_groups_and_members(store):
    archive.update_clients(store, {"华润万家": {"group_name": "华润集团"}, "物美": {"group_name": "华润 集团"}})
    groups = archive.groups(store, d("2024-01-01"), d("2024-12-31"))
    assert groups[["group_key", "members", "revenue", "active_members"]].values.tolist() == [["g:华润集团", 2, 850.0, 2]]
    members = archive.group_members(store, "g:华润集团")
    assert members[["client_key", "revenue"]].values.tolist() == [["华润万家", 800.0], ["物美", 50.0]]
    window = archive.group_members(store, "g:华润集团", d("2024-02-01"), d("2024-12-31"))
    assert window["revenue"].tolist() == [300.0, 50.0]
    assert archive.group_members(store, "永辉")["client_key"].tolist() == ["永辉"]   # its own group


def test_demo_archive(demo_store):
    table = archive.archive_table(demo_store, demo_store.data_end())
    with demo_store.reader() as cur:
        in_archive = cur.execute("SELECT count(*) FROM clients").fetchone()[0]
        with_orders = cur.execute("SELECT count(DISTINCT client_key) FROM transactions").fetchone()[0]
    assert table["in_archive"].sum() == in_archive
    assert len(archive.missing_from_archive(table)) == with_orders - (table["in_archive"] & table["has_orders"]).sum()
    assert (archive.prospects(table)["t12m"] == 0).all() and len(archive.prospects(table)) == 6
    assert table["t12m"].is_monotonic_decreasing
    assert isinstance(table["first_order"].dropna().iloc[0], (dt.date, pd.Timestamp))
