"""Two-line headers: grouped columns (金额 over 含税金额 | 无税金额), as ERP exports write them."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from kam_core.ingest import header, importer
from kam_core.store import Store
from tests import workbooks


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "kam.duckdb")
    yield s
    s.close()


def _grouped_workbook(path, merge: bool = True):
    """Title, date line, blank; header in rows 4-5 with 金额 merged over 含税金额 | 无税金额; 4 lines;
    a totals row and a signature line at the foot."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "销售明细"
    ws["A1"] = "销售明细表"
    ws["A2"] = "日期：2024-01-01 至 2024-03-31"
    ws.append([])
    ws.append(["单据日期", "客户", "数量", "金额", None])
    ws.append([None, None, None, "含税金额", "无税金额"])
    if merge:
        ws.merge_cells("D4:E4")
        for column in "ABC":
            ws.merge_cells(f"{column}4:{column}5")
    ws.append([dt.date(2024, 1, 5), "华润万家", 2, 1130, 1000])
    ws.append(["2024/02/06", "永辉超市", 1, "2,260.00", "2,000.00"])
    ws.append([dt.date(2024, 3, 7), "华润 万家", 3, "0.1万", 884.96])
    ws.append([dt.date(2024, 3, 8), "永辉超市", -1, "(113.00)", -100])
    ws.append(["合计", None, 5, 4277, 3784.96])
    wb.save(path)
    return path


@pytest.mark.parametrize("merge", [True, False], ids=["merged", "unmerged"])
def test_grouped_header_is_read_as_one_header(store, tmp_path, merge):
    path = _grouped_workbook(tmp_path / "明细.xlsx", merge)
    ins = importer.inspect(store, str(path), path.name, today=workbooks.TODAY)
    assert (ins.excel_header_row, ins.header_lines) == (4, 2)
    expected = ["单据日期", "客户", "数量", "金额 含税金额", "金额 无税金额" if merge else "无税金额"]
    assert ins.labels == expected
    assert ins.mapping["amount"] == 3                     # tax-inclusive, the first of the group
    report = importer.commit(store, ins, importer.preview(store, ins, today=workbooks.TODAY))
    # rows read start under the second header line: 4 lines + the totals row
    assert (report.rows_read, report.rows_loaded, report.rows_rejected, report.rows_skipped) == (5, 4, 0, 1)
    with store.reader() as cur:
        got = cur.execute("SELECT source_row, client_key, order_date, CAST(amount AS DOUBLE) FROM transactions "
                          "ORDER BY source_row").fetchall()
    assert got == [(6, "华润万家", dt.date(2024, 1, 5), 1130.0), (7, "永辉超市", dt.date(2024, 2, 6), 2260.0),
                   (8, "华润万家", dt.date(2024, 3, 7), 1000.0), (9, "永辉超市", dt.date(2024, 3, 8), -113.0)]


def test_text_only_first_row_under_named_columns_is_data(store, tmp_path):
    """A first line without date or amount is a data row to reject, not a header line: it sits under
    named columns."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["订单日期", "客户名称", "销售额"])
    ws.append(["待定", "华润万家", "未结算"])
    ws.append([dt.date(2024, 1, 5), "华润万家", 100])
    path = tmp_path / "orders.xlsx"
    wb.save(path)
    ins = importer.inspect(store, str(path), path.name, today=workbooks.TODAY)
    assert (ins.excel_header_row, ins.header_lines, ins.labels) == (1, 1, ["订单日期", "客户名称", "销售额"])
    pre = importer.preview(store, ins, today=workbooks.TODAY)
    assert [r.row for r in pre.cleaned.rejects] == [2]


@pytest.mark.parametrize("top,below,merged,expected", [
    (["日期", "金额", None], [None, "含税", "无税"], [], True),
    (["日期", "金额", None], [None, "含税", "无税"], [[0, 1, 0, 2]], True),
    (["日期", "客户", "金额"], ["待定", "华润", "未结"], [], False),            # under named columns only
    (["日期", "金额", None], [None, "含税", 100], [], False),                    # a number: data
    (["日期", "金额", None], [None, "含税", "2024-01-05"], [], False),           # a date: data
    (["日期", "金额", None], [None, None, None], [], False),                     # blank
])
def test_is_sub_header(top, below, merged, expected):
    assert header.is_sub_header(top, below, [0, 1, 2], merged, 0) is expected


def test_joined_header_carries_a_merged_group_name():
    top, below = ["日期", "金额", None, "备注"], [None, "含税", "无税", None]
    assert header.joined_header(top, below, [[0, 1, 0, 2]], 0) == ["日期", "金额 含税", "金额 无税", "备注"]
    assert header.joined_header(top, below, [], 0) == ["日期", "金额 含税", "无税", "备注"]


@pytest.mark.parametrize("merge", [True, False], ids=["merged", "unmerged"])
def test_grouped_header_repeated_on_every_page_is_skipped_whole(store, tmp_path, merge):
    """Exports printed with page breaks repeat both header lines; neither is data."""
    path = _grouped_workbook(tmp_path / "明细.xlsx", merge)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws.insert_rows(8, 2)          # between the second and third line: header again, both lines
    for column, value in zip("ABCDE", ["单据日期", "客户", "数量", "金额", None]):
        ws[f"{column}8"] = value
    ws["D9"], ws["E9"] = "含税金额", "无税金额"
    wb.save(path)
    report = importer.import_file(store, str(path), path.name, today=workbooks.TODAY)
    assert (report.rows_read, report.rows_loaded, report.rows_rejected, report.rows_skipped) == (7, 4, 0, 3)
    assert report.skipped_by == {"blank": 0, "header": 2, "totals": 1}
    with store.reader() as cur:
        assert cur.execute("SELECT sum(amount) FROM transactions").fetchone()[0] == 4277
