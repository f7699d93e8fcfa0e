"""The import path end to end on realistic files: exact counts, totals, rejects; nothing lost."""
from __future__ import annotations

import csv
import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kam_core.__main__ import main as cli
from kam_core.ingest import importer
from kam_core.ingest.errors import ImportRefused
from kam_core.store import Store
from tests import workbooks
from tests.helpers import import_orders


def _snapshot(store: Store) -> tuple:
    """Everything an import could change, to prove a refused one changed nothing."""
    with store.reader() as cur:
        return (store.version(),
                cur.execute("SELECT count(*), coalesce(sum(amount), 0) FROM transactions").fetchone(),
                cur.execute("SELECT count(*) FROM datasets").fetchone(),
                cur.execute("SELECT count(*) FROM rejects").fetchone())


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "kam.duckdb")
    yield s
    s.close()


def test_messy_workbook_exact(store, tmp_path):
    path = workbooks.messy_orders(tmp_path / "销售明细.xlsx")
    ins = importer.inspect(store, str(path), path.name, today=workbooks.TODAY)
    assert ins.sheet == "销售明细"              # not the notes sheet, not the larger hidden one
    assert ins.excel_header_row == workbooks.MESSY_EXPECTED["header_row"]
    assert ins.kind == "orders"
    assert ins.mapping_labels() == {"client": "客户名称", "date": "下单日期", "order_id": "订单号",
                                    "amount": "销售额（万元）", "profit": "毛利", "quantity": "数量",
                                    "region": "大区", "city": "城市"}
    report = importer.commit(store, ins, importer.preview(store, ins, today=workbooks.TODAY))
    exp = workbooks.MESSY_EXPECTED
    assert (report.rows_read, report.rows_loaded, report.rows_rejected, report.rows_skipped) == (
        exp["rows_read"], exp["rows_loaded"], exp["rows_rejected"], exp["rows_skipped"])
    assert report.rows_read == report.rows_loaded + report.rows_rejected + report.rows_skipped
    assert report.skipped_by == exp["skipped_by"]
    assert [(r.row, r.code) for r in report.rejects] == exp["rejects"]
    assert [w.column for w in report.warnings] == ["毛利"] and report.warnings[0].rows == [10]
    with store.reader() as cur:
        total, profit = cur.execute("SELECT sum(amount), sum(profit) FROM transactions").fetchone()
        assert float(total) == exp["amount_total"]
        assert float(profit) == exp["profit_total"]
        clients = {k: (name, lines, float(rev)) for k, name, lines, rev in cur.execute(
            "SELECT client_key, any_value(d.client_name), count(*), sum(amount) FROM transactions "
            "JOIN client_dim d USING (client_key) GROUP BY client_key").fetchall()}
        assert clients == exp["clients"]
        dates = [r[0] for r in cur.execute("SELECT order_date FROM transactions WHERE client_key = '永辉' "
                                           "ORDER BY source_row").fetchall()]
        assert dates == [dt.date(2024, 3, 6), dt.date(2024, 3, 7), dt.date(2024, 3, 8)]
        rows = [r[0] for r in cur.execute("SELECT source_row FROM transactions ORDER BY source_row").fetchall()]
        assert rows == [5, 6, 7, 8, 9, 10, 11, 21, 22, 23]


def test_reject_messages_name_row_column_and_value(store, tmp_path):
    from kam_core.ingest.report import reject_sentence

    path = workbooks.messy_orders(tmp_path / "m.xlsx")
    report = importer.import_file(store, str(path), today=workbooks.TODAY)
    by_row = {r.row: r for r in report.rejects}
    assert reject_sentence(by_row[15], "zh") == "第 15 行：日期无法识别（列「下单日期」，值“2024-13-45”）"
    assert reject_sentence(by_row[18], "en") == "Row 18: Amount is not a number (column “销售额（万元）”, value “abc”)"
    assert reject_sentence(by_row[14], "en") == "Row 14: No client (column “客户名称” is empty)"


def test_same_file_twice_is_refused_and_changes_nothing(store, tmp_path):
    path = workbooks.messy_orders(tmp_path / "m.xlsx")
    importer.import_file(store, str(path), today=workbooks.TODAY)
    before = _snapshot(store)
    with pytest.raises(ImportRefused) as err:
        importer.import_file(store, str(path), "renamed.xlsx", today=workbooks.TODAY)
    assert err.value.code == "duplicate"
    assert "已经导入过" in err.value.message("zh")
    assert _snapshot(store) == before


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig", "utf-16"])
def test_csv_encodings_are_detected(store, tmp_path, encoding):
    path = workbooks.gbk_csv(tmp_path / f"sales_{encoding}.csv", encoding)
    report = importer.import_file(store, str(path), today=workbooks.TODAY)
    assert (report.rows_read, report.rows_loaded, report.rows_skipped) == (3, 2, 1)
    with store.reader() as cur:
        assert cur.execute("SELECT client_name, amount FROM transactions ORDER BY source_row").fetchall() == [
            ("华润万家", 1000.5), ("永辉超市", 2000)]
        assert cur.execute("SELECT source_row FROM transactions ORDER BY source_row").fetchall() == [(3,), (4,)]


@pytest.mark.parametrize("filler", [10, 20_000], ids=["gbk_line_in_sample", "gbk_line_after_sample"])
def test_utf8_csv_with_gbk_lines_reads_each_line_in_its_encoding(store, tmp_path, filler):
    """Files joined from two systems: UTF-8 lines, one GBK line (inside or beyond the part the encoding
    is judged on), one UTF-8 line with a stray Latin-1 byte. No client name comes out garbled."""
    lines = ["客户名称,日期,金额,备注".encode("utf-8")]
    lines += [f"永辉超市,2024-01-{1 + i % 28:02d},1,".encode("utf-8") for i in range(filler)]
    lines += ["华润万家,2024-02-01,100,".encode("gbk"), "物美,2024-02-02,10,Caf".encode("utf-8") + b"\xe9"]
    path = tmp_path / "joined.csv"
    path.write_bytes(b"\r\n".join(lines) + b"\r\n")
    report = importer.import_file(store, str(path), path.name, today=workbooks.TODAY)
    assert (report.rows_read, report.rows_loaded) == (filler + 2, filler + 2)
    with store.reader() as cur:
        assert dict(cur.execute("SELECT client_name, sum(amount) FROM transactions GROUP BY 1").fetchall()) == {
            "永辉超市": filler, "华润万家": 100, "物美": 10}


def test_csv_ragged_and_blank_lines_keep_their_line_numbers(store, tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("客户,日期,金额,备注\n甲,2024-01-01,1\n\n乙,2024-01-02,2,x,extra\n丙,2024-01-03\n",
                    encoding="utf-8")
    report = importer.import_file(store, str(path), today=workbooks.TODAY)
    assert (report.rows_read, report.rows_loaded, report.rows_rejected, report.rows_skipped) == (4, 2, 1, 1)
    assert [(r.row, r.code) for r in report.rejects] == [(5, "missing_amount")]
    with store.reader() as cur:
        assert cur.execute("SELECT source_row, client_name FROM transactions ORDER BY 1").fetchall() == [
            (2, "甲"), (4, "乙")]


def test_amount_derived_from_quantity_and_unit_price(store, tmp_path):
    path = tmp_path / "qty.csv"
    path.write_text("客户,日期,数量,单价（元）\n甲,2024-01-01,3,2.5\n乙,2024-01-02,,4\n", encoding="utf-8")
    report = importer.import_file(store, str(path), today=workbooks.TODAY)
    assert report.mapping == {"client": "客户", "date": "日期", "quantity": "数量", "unit_price": "单价（元）"}
    assert report.rows_loaded == 1 and [(r.row, r.code) for r in report.rejects] == [(3, "missing_quantity")]
    with store.reader() as cur:
        assert cur.execute("SELECT amount FROM transactions").fetchone()[0] == 7.5


def test_confirmed_mapping_is_remembered_for_the_same_layout(store, tmp_path):
    first = tmp_path / "jan.csv"
    first.write_text("门店,日期,实收,应收\n甲,2024-01-01,90,100\n", encoding="utf-8")
    ins = importer.inspect(store, str(first), first.name, today=workbooks.TODAY)
    mapping = {"client": 0, "date": 1, "amount": 2}          # the manager picks 实收 (received), not 应收
    importer.commit(store, ins, importer.preview(store, ins, mapping, today=workbooks.TODAY))
    second = tmp_path / "feb.csv"
    second.write_text("门店,日期,实收,应收\n乙,2024-02-01,45,50\n", encoding="utf-8")
    ins2 = importer.inspect(store, str(second), second.name, today=workbooks.TODAY)
    assert ins2.mapping_source == "remembered"
    assert ins2.mapping_labels() == {"client": "门店", "date": "日期", "amount": "实收"}


def test_remembered_mapping_reads_a_column_whose_unit_changed(store, tmp_path):
    """The same layout with 毛利（万元） where the last file had 毛利（元）: profit stays mapped, in 万元."""
    first = tmp_path / "jan.csv"
    first.write_text("客户,日期,销售额（元）,毛利（元）\n甲,2024-01-01,900,100\n", encoding="utf-8")
    ins = importer.inspect(store, str(first), first.name, today=workbooks.TODAY)
    importer.commit(store, ins, importer.preview(store, ins, today=workbooks.TODAY))
    second = tmp_path / "feb.csv"
    second.write_text("客户,日期,销售额（万元）,毛利（万元）\n乙,2024-02-01,1.5,0.2\n", encoding="utf-8")
    ins2 = importer.inspect(store, str(second), second.name, today=workbooks.TODAY)
    assert ins2.mapping_source == "remembered"
    assert ins2.mapping_labels() == {"client": "客户", "date": "日期", "amount": "销售额（万元）",
                                     "profit": "毛利（万元）"}
    importer.commit(store, ins2, importer.preview(store, ins2, today=workbooks.TODAY))
    with store.reader() as cur:
        assert cur.execute("SELECT client_name, amount, profit FROM transactions ORDER BY order_date").fetchall() == [
            ("甲", 900, 100), ("乙", 15_000, 2_000)]


def test_overlap_keep_and_replace(store, tmp_path):
    rows = [{"client": "甲", "date": "2024-01-10", "amount": 100}, {"client": "甲", "date": "2024-02-10", "amount": 200}]
    import_orders(store, tmp_path, rows, name="first.csv")
    newer = [{"client": "甲", "date": "2024-02-05", "amount": 250}, {"client": "乙", "date": "2024-02-20", "amount": 50}]
    report = import_orders(store, tmp_path, newer, name="second.csv", on_overlap="replace")
    assert [o["dataset_id"] for o in report.overlaps] == [1] and report.replaced == 1
    with store.reader() as cur:
        assert cur.execute("SELECT sum(amount) FROM transactions").fetchone()[0] == 400   # 100 + 250 + 50
        assert cur.execute("SELECT rows_replaced FROM datasets WHERE dataset_id = 1").fetchone()[0] == 1
    third = [{"client": "乙", "date": "2024-02-15", "amount": 5}]
    report = import_orders(store, tmp_path, third, name="third.csv", on_overlap="keep")
    assert report.replaced == 0 and [o["dataset_id"] for o in report.overlaps] == [2]
    with store.reader() as cur:
        assert cur.execute("SELECT sum(amount) FROM transactions").fetchone()[0] == 405
    # overlaps name their days as dates (JSON prints 2024-02-05, not a timestamp), without DuckDB warnings
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        overlaps = importer.find_overlaps(store, dt.date(2024, 2, 1), dt.date(2024, 2, 28))
    assert [(o["dataset_id"], o["date_min"], o["date_max"], o["lines_in_range"]) for o in overlaps] == [
        (1, dt.date(2024, 1, 10), dt.date(2024, 2, 10), 0),   # its February line was replaced
        (2, dt.date(2024, 2, 5), dt.date(2024, 2, 20), 2), (3, dt.date(2024, 2, 15), dt.date(2024, 2, 15), 1)]


def test_delete_dataset_removes_only_its_rows(store, tmp_path):
    import_orders(store, tmp_path, [{"client": "甲", "date": "2024-01-10", "amount": 100}], name="a.csv")
    import_orders(store, tmp_path, [{"client": "乙", "date": "2024-01-11", "amount": 7}], name="b.csv")
    store.delete_dataset(1)
    with store.reader() as cur:
        assert cur.execute("SELECT client_key, amount FROM transactions").fetchall() == [("乙", 7)]
        assert cur.execute("SELECT client_key FROM client_dim").fetchall() == [("乙",)]
        assert cur.execute("SELECT dataset_id FROM datasets").fetchall() == [(2,)]


def test_client_id_identifies_and_name_is_shown(store, tmp_path):
    path = tmp_path / "ids.csv"
    path.write_text("客户编号,客户名称,日期,金额\nC001,华润万家,2024-01-01,1\nC001,华润万家超市,2024-01-02,2\n"
                    "C002,华润万家,2024-01-03,4\n", encoding="utf-8")
    importer.import_file(store, str(path), today=workbooks.TODAY)
    with store.reader() as cur:
        assert cur.execute("SELECT client_key, client_name FROM client_dim ORDER BY 1").fetchall() == [
            ("c001", "华润万家超市"), ("c002", "华润万家")]


def test_cli_import_json_and_exit_codes(tmp_path, capsys):
    path = workbooks.messy_orders(tmp_path / "m.xlsx")
    db = str(tmp_path / "cli.duckdb")
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"client": "客户名称", "date": "下单日期", "amount": "销售额（万元）"}), encoding="utf-8")
    assert cli(["import", str(path), "--db", db, "--json", "--mapping", str(mapping), "--data-end", "2024-12-31"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["rows_read"] == out["rows_loaded"] + out["rows_rejected"] + out["rows_skipped"]
    assert out["mapping"] == {"client": "客户名称", "date": "下单日期", "amount": "销售额（万元）"}
    assert out["data_through"] == "2024-12-31"
    assert {"row": 15, "reason": "Date not readable"}.items() <= out["rejects"][1].items()
    assert cli(["import", str(path), "--db", db, "--json"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "already imported" in err[0]
    assert cli(["import", str(tmp_path / "missing.xlsx"), "--db", db]) == 2
    bad_map = tmp_path / "bad.json"
    bad_map.write_text(json.dumps({"client": "不存在的列", "date": "下单日期", "amount": "销售额（万元）"}), encoding="utf-8")
    other = workbooks.gbk_csv(tmp_path / "o.csv")
    assert cli(["import", str(other), "--db", db, "--mapping", str(bad_map)]) == 2
    assert "不存在的列" in capsys.readouterr().err


# ---- no row is ever lost

_CELL = st.one_of(st.none(), st.text(max_size=8), st.sampled_from(["合计", "小计", "Total", "", " ", "-", "1.2万",
                                                                  "(5)", "2024-02-30", "2024/3/5", "abc"]),
                  st.integers(-1000, 100000).map(str), st.dates(dt.date(1980, 1, 1), dt.date(2035, 1, 1)).map(str))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(_CELL, _CELL, _CELL, _CELL), min_size=1, max_size=40))
def test_every_row_is_loaded_rejected_or_skipped(tmp_path_factory, rows):
    folder = tmp_path_factory.mktemp("prop")
    path = folder / "p.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["客户名称", "日期", "金额", "备注"])
        writer.writerow(["锚点客户", "2024-01-01", "1", ""])     # one good row, so the file always imports
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
    store = Store(folder / "p.duckdb")
    try:
        report = importer.import_file(store, str(path), today=dt.date(2025, 1, 1))
        assert report.rows_read == report.rows_loaded + report.rows_rejected + report.rows_skipped
        with store.reader() as cur:
            loaded = {r[0] for r in cur.execute("SELECT source_row FROM transactions").fetchall()}
        rejected = {r.row for r in report.rejects}
        assert not loaded & rejected
        assert len(loaded) == report.rows_loaded and len(rejected) == report.rows_rejected
    finally:
        store.close()


def test_first_real_import_can_replace_the_demo_in_one_transaction(demo_store, tmp_path):
    path = workbooks.gbk_csv(tmp_path / "mine.csv")
    ins = importer.inspect(demo_store, str(path), path.name, today=workbooks.TODAY)
    pre = importer.preview(demo_store, ins, today=workbooks.TODAY, ignore_demo=True)
    assert pre.overlaps == []
    importer.commit(demo_store, ins, pre, remove_demo=True)
    with demo_store.reader() as cur:
        assert cur.execute("SELECT count(*) FROM datasets WHERE is_demo").fetchone()[0] == 0
        assert cur.execute("SELECT count(*), sum(amount) FROM transactions").fetchone() == (2, 3000.5)
        assert cur.execute("SELECT count(*) FROM client_dim").fetchone()[0] == 2
