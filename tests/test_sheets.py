"""A workbook kept as one sheet per month: the other sheets imported with the first one's mapping."""
from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest

from kam_core.ingest import importer
from kam_core.store import Store
from tests import workbooks
from tests.helpers import open_page


def monthly_workbook(path):
    """说明 (notes), 1月 and 2月 (same columns, 2月 with an extra column in another place), 3月 (the
    amount column renamed), 4月 (hidden)."""
    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "说明"
    notes.append(["本台账按月分表"])
    months = {
        "1月": (["日期", "客户", "销售额"], [[dt.date(2024, 1, 3), "华润万家", 100], [dt.date(2024, 1, 9), "永辉", 50.5]]),
        "2月": (["备注", "日期", "客户", "销售额"], [["", dt.date(2024, 2, 1), "华润万家", 30],
                                                [None, "2024/2/20", "永辉", "1,000"], ["急", "合计", None, 1030]]),
        "3月": (["日期", "客户", "回款额"], [[dt.date(2024, 3, 1), "华润万家", 7]]),
        "4月": (["日期", "客户", "销售额"], [[dt.date(2024, 4, 1), "华润万家", 9]]),
    }
    for name, (head, rows) in months.items():
        ws = wb.create_sheet(name)
        ws.append(head)
        for row in rows:
            ws.append(row)
    wb["4月"].sheet_state = "hidden"
    wb.save(path)
    return path


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "kam.duckdb")
    yield s
    s.close()


def test_other_sheets_are_imported_by_header_with_reasons_for_the_rest(store, tmp_path):
    path = monthly_workbook(tmp_path / "台账.xlsx")
    ins = importer.inspect(store, str(path), path.name, sheet="1月", today=workbooks.TODAY)
    importer.commit(store, ins, importer.preview(store, ins, today=workbooks.TODAY))
    sheets = importer.other_sheets(ins)
    assert sheets == ["2月", "3月"]                  # neither the notes nor the hidden 4月
    outcomes = importer.import_other_sheets(store, str(path), path.name, "orders", ins.mapping_labels(),
                                            ["说明", *sheets], today=workbooks.TODAY)
    assert [o.sheet for o in outcomes] == ["说明", *sheets]
    notes, feb, march = outcomes
    assert notes.report is None and notes.refused is not None
    assert (feb.report.rows_read, feb.report.rows_loaded, feb.report.rows_skipped) == (3, 2, 1)
    assert feb.report.mapping == {"date": "日期", "client": "客户", "amount": "销售额"}
    assert march.report is None and march.refused.code == "sheet_columns_differ"
    assert march.refused.message("zh") == "工作表「3月」没有这些列：销售额，未导入。"
    with store.reader() as cur:
        got = cur.execute("SELECT d.sheet, t.client_key, t.order_date, CAST(t.amount AS DOUBLE) FROM transactions t "
                          "JOIN datasets d USING (dataset_id) ORDER BY t.order_date").fetchall()
    assert got == [("1月", "华润万家", dt.date(2024, 1, 3), 100.0), ("1月", "永辉", dt.date(2024, 1, 9), 50.5),
                   ("2月", "华润万家", dt.date(2024, 2, 1), 30.0), ("2月", "永辉", dt.date(2024, 2, 20), 1000.0)]
    again = importer.import_other_sheets(store, str(path), path.name, "orders", ins.mapping_labels(), ["2月"],
                                         today=workbooks.TODAY)
    assert again[0].refused.code == "duplicate"               # the same sheet of the same file twice: refused


def test_import_page_offers_the_other_sheets(demo_db):
    path = monthly_workbook(demo_db.parent / "台账.xlsx")
    at = open_page("pages/13_import.py", "zh")
    at.file_uploader[0].set_value(("台账.xlsx", path.read_bytes(), "application/vnd.ms-excel")).run()
    sheet = next(s for s in at.selectbox if s.label == "工作表")
    assert sheet.value == "2月"                               # the largest sheet first
    sheet.select("1月").run()
    # the mapping follows the sheet's own columns, not the choices made for 2月
    assert "将导入 2 行，拒绝 0 行，跳过 0 行（共读取 2 行）。" in [i.value for i in at.info]
    next(b for b in at.button if b.label == "确认导入").click().run()
    assert not at.exception, at.exception
    offer = next(i.value for i in at.info if "还有 2 个工作表" in i.value)
    assert "2月、3月" in offer and "说明" not in offer
    next(b for b in at.button if b.label == "导入其余 2 个工作表").click().run()
    assert not at.exception
    table = at.dataframe[-1].value
    assert list(table["工作表"]) == ["2月", "3月"]
    assert table["结果"].iloc[0].endswith("载入 2 行，拒绝 0，跳过 1")
    assert table["结果"].iloc[1] == "工作表「3月」没有这些列：销售额，未导入。"


def test_the_order_lines_sheet_is_chosen_over_a_bigger_customer_master(store, tmp_path):
    """A workbook with 客户档案 (more rows, an account number column) beside 销售明细: the import opens
    on the order lines; without a detail name, the sheet with the most content."""
    wb = openpyxl.Workbook()
    lines = wb.active
    lines.title = "销售明细"
    lines.append(["日期", "客户名称", "金额"])
    lines.append([dt.date(2024, 5, 6), "华润万家", 100])
    master = wb.create_sheet("客户档案")
    master.append(["客户编码", "客户名称", "账号", "建档日期"])
    for i in range(20):
        master.append([f"{i:05d}", f"客户{i}", 6222021234567890 + i, dt.date(2020, 1, 1)])
    wb.create_sheet("汇总").append(["合计", 100])
    path = tmp_path / "book.xlsx"
    wb.save(path)
    assert importer.inspect(store, str(path), path.name, today=workbooks.TODAY).sheet == "销售明细"
    lines.title = "Sheet1"
    wb.save(path)
    assert importer.inspect(store, str(path), path.name, today=workbooks.TODAY).sheet == "客户档案"


def test_command_line_names_the_other_sheets_and_imports_them_on_request(tmp_path, capsys):
    from kam_core.__main__ import main as cli

    path = monthly_workbook(tmp_path / "台账.xlsx")
    db = str(tmp_path / "cli.duckdb")
    assert cli(["import", str(path), "--db", db, "--sheet", "1月", "--lang", "zh"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "数据集 #1（订单明细）：读取 2 行，导入 2 行，拒绝 0 行，跳过 0 行",
        "日期 2024-01-03 至 2024-01-09，数据截至 2024-01-09",
        "工作簿里另有 2 个工作表有数据：2月、3月。加 --all-sheets 一并导入，或用 --sheet 名称 逐个导入。"]
    db2 = str(tmp_path / "all.duckdb")
    assert cli(["import", str(path), "--db", db2, "--sheet", "1月", "--all-sheets", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["other_sheets"] == []
    assert out["sheets"] == [{"sheet": "2月", "dataset_id": 2, "rows_loaded": 2, "rows_rejected": 0},
                             {"sheet": "3月", "refused": "Sheet “3月” has no column 销售额; it was not imported."}]
    assert cli(["pareto", "--db", db2, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 1180.5
