"""Layouts of common ERP exports (金蝶, 用友): their column names map themselves and the figures load exactly."""
from __future__ import annotations

import datetime as dt

import pytest

from kam_core.ingest import importer
from kam_core.store import Store
from tests import workbooks


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "kam.duckdb")
    yield s
    s.close()


def test_kingdee_style_gbk_csv(store, tmp_path):
    """A GBK CSV with a title and a print-time line, ￥ amounts with thousands separators, unpadded
    dates, a quoted field holding a comma, a blank line and a totals line."""
    lines = ["金蝶K/3 销售出库单序时簿", "打印时间：2025/1/3 10:22",
             "日期,单据编号,购货单位,部门,业务员,物料名称,实发数量,单价,金额,备注",
             '2024-3-5,XOUT0001,深圳华润万家,KA部,刘洋,"可乐,330ml",10,3.5,"￥35.00",',
             '2024-3-15,XOUT0002,东莞美宜佳便利店,KA部,陈晨,雪碧,1200,3,"￥3,600.00",加急',
             '2024-11-2,XOUT0003,深圳华润万家,KA部,刘洋,雪碧,-2,3,"-￥6.00",退货',
             ",,,,,,,,,",
             '合计,,,,,,1208,,"￥3,629.00",']
    path = tmp_path / "出库序时簿.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    ins = importer.inspect(store, str(path), path.name, today=workbooks.TODAY)
    assert ins.excel_header_row == 3
    assert ins.mapping_labels() == {"client": "购货单位", "date": "日期", "amount": "金额", "unit_price": "单价",
                                    "order_id": "单据编号", "category": "物料名称", "owner": "业务员",
                                    "quantity": "实发数量"}
    report = importer.commit(store, ins, importer.preview(store, ins, today=workbooks.TODAY))
    assert (report.rows_read, report.rows_loaded, report.rows_rejected, report.rows_skipped) == (5, 3, 0, 2)
    with store.reader() as cur:
        got = cur.execute("SELECT source_row, client_name, order_date, CAST(amount AS DOUBLE), category, owner "
                          "FROM transactions ORDER BY source_row").fetchall()
    assert got == [(4, "深圳华润万家", dt.date(2024, 3, 5), 35.0, "可乐,330ml", "刘洋"),
                   (5, "东莞美宜佳便利店", dt.date(2024, 3, 15), 3600.0, "雪碧", "陈晨"),
                   (6, "深圳华润万家", dt.date(2024, 11, 2), -6.0, "雪碧", "刘洋")]


def test_totals_written_with_full_width_characters_are_skipped(store, tmp_path):
    """Reports padded for print: 合　计 with an ideographic space, 华东区　小计, Ｔｏｔａｌ in full-width letters."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["客户名称", "日期", "金额"])
    ws.append(["永辉超市", dt.datetime(2024, 5, 6), 1200.5])
    ws.append(["华东区\u3000小计", None, 1200.5])
    ws.append(["物美", dt.datetime(2024, 5, 7), 300])
    ws.append(["合\u3000计", None, 1500.5])
    ws.append(["Ｔｏｔａｌ", None, 1500.5])
    path = tmp_path / "print.xlsx"
    wb.save(path)
    ins = importer.inspect(store, str(path), path.name, today=workbooks.TODAY)
    report = importer.commit(store, ins, importer.preview(store, ins, today=workbooks.TODAY))
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (5, 2, 0)
    assert report.skipped_by == {"blank": 0, "header": 0, "totals": 3}
    with store.reader() as cur:
        assert cur.execute("SELECT CAST(sum(amount) AS DOUBLE) FROM transactions").fetchone()[0] == 1500.5


def test_a_monthly_summary_is_told_apart_from_unreadable_dates(store, tmp_path):
    """A BI export by client and month (2024-03, 2024年4月, 202405 as a number) is not order lines:
    those rows are rejected with that reason, not as unreadable or future dates."""
    import openpyxl

    from kam_core.ingest.report import reject_sentence

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["客户名称", "月份", "销售额"])
    ws.append(["永辉超市", "2024-03", 1200])
    ws.append(["永辉超市", "2024年4月", 1300])
    ws.append(["物美", 202405, 800])
    ws.append(["物美", "2024-05-06", 500])
    ws.append(["物美", "2024-05-32", 500])
    path = tmp_path / "monthly.xlsx"
    wb.save(path)
    ins = importer.inspect(store, str(path), path.name, today=workbooks.TODAY)
    assert ins.mapping_labels() == {"client": "客户名称", "date": "月份", "amount": "销售额"}
    pre = importer.preview(store, ins, today=workbooks.TODAY)
    report = importer.commit(store, ins, pre)
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (5, 1, 4)
    assert [(r.row, r.code) for r in report.rejects] == [(2, "date_month_only"), (3, "date_month_only"),
                                                        (4, "date_month_only"), (6, "bad_date")]
    assert reject_sentence(report.rejects[0], "zh") == (
        "第 2 行：日期只有年月、没有日，请导出逐笔订单明细（列「月份」，值“2024-03”）")
    assert reject_sentence(report.rejects[2], "en").startswith("Row 4: The date has a year and month but no day")


def test_the_reason_behind_most_rejects_is_said_first():
    from kam_core.ingest.canonical import Reject
    from kam_core.ingest.report import main_reject, main_reject_line

    rejects = [Reject(r, "date_month_only", "月份", "2024-03", {}) for r in (2, 3, 4)] + [Reject(6, "bad_date", "月份", "x", {})]
    assert main_reject(rejects, 6) == ("date_month_only", 3)
    assert main_reject(rejects, 7) is None                      # under half of the rows read
    assert main_reject([], 6) is None
    assert main_reject_line(rejects, 6, "zh") == "读取的 6 行中有 3 行被拒绝，原因是：日期只有年月、没有日，请导出逐笔订单明细。"
    assert main_reject_line(rejects, 6, "en") == ("3 of the 6 rows read are rejected because: the date has a year and "
                                                   "month but no day; export the order lines, not a monthly summary.")


@pytest.mark.parametrize("headers,kind,mapping", [
    # a bare 时间 or 付款时间 is the order time when no column names a date outright
    (["客户", "时间", "金额"], "orders", {"client": 0, "date": 1, "amount": 2}),
    (["买家", "付款时间", "实付款"], "orders", {"client": 0, "date": 1, "amount": 2}),
    (["客户", "付款时间", "下单日期", "金额"], "orders", {"client": 0, "date": 2, "amount": 3}),
    # a shop's order export
    (["订单编号", "买家会员名", "买家实际支付金额", "订单创建时间", "订单付款时间", "宝贝标题"], "orders",
     {"order_id": 0, "client": 1, "amount": 2, "date": 3}),
    # a month maps as the date only of a monthly summary, and a target sheet stays a target sheet
    (["客户名称", "月份", "销售额"], "orders", {"client": 0, "date": 1, "amount": 2}),
    (["月份", "客户名称", "订单日期", "销售额"], "orders", {"client": 1, "date": 2, "amount": 3}),
    (["客户经理", "月份", "目标"], "targets", {"owner": 0, "period": 1, "target": 2}),
    (["客户名称", "拜访时间", "拜访方式", "内容"], "contacts", {"client": 0, "date": 1, "kind": 2, "note": 3}),
    # a bare 商品 is the product; 商品数量, 商品单价 and 商品金额 keep their own roles
    (["单据日期", "客户名称", "商品", "数量", "单价", "金额（元）"], "orders",
     {"date": 0, "client": 1, "category": 2, "quantity": 3, "unit_price": 4, "amount": 5}),
    (["日期", "客户", "货品", "商品数量", "商品单价", "商品金额"], "orders",
     {"date": 0, "client": 1, "category": 2, "quantity": 3, "unit_price": 4, "amount": 5}),
    # order lines without their amount column stay order lines (the missing amount is then named),
    # neither a visit log nor an archive; an archive's 建档日期 is no order date
    (["客户名称", "订单日期", "大区", "客户经理"], "orders", {"client": 0, "date": 1, "region": 2, "owner": 3}),
    (["客户编码", "客户名称", "地址", "建档日期", "信用额度"], "clients", {"client_id": 0, "client": 1}),
    (["客户名称", "拜访日期"], "contacts", {"client": 0, "date": 1}),
    (["客户名称", "日期", "拜访人"], "contacts", {"client": 0, "date": 1, "who": 2}),
    # 金额 over 不含税 | 含税: revenue is the tax-inclusive column, whichever comes first
    (["日期", "客户", "金额 不含税", "金额 含税"], "orders", {"date": 0, "client": 1, "amount": 3}),
    (["日期", "客户", "无税金额"], "orders", {"date": 0, "client": 1, "amount": 2}),
    # SAP billing: 净值 is the net value; 开票凭证 (the document number) is no amount
    (["开票凭证", "项目", "开票日期", "客户编号", "客户名称", "开票数量", "净值", "税额"], "orders",
     {"order_id": 0, "date": 2, "client_id": 3, "client": 4, "quantity": 5, "amount": 6}),
])
def test_kind_and_mapping_from_headers(headers, kind, mapping):
    from kam_core.ingest import roles

    assert roles.detect_kind(headers) == kind
    assert roles.propose(headers, kind) == mapping


@pytest.mark.parametrize("header, known", [
    ("客户名称", True), (" 客户 名称 ", True), ("金额（元）", True), ("拜访时间", True), ("Amount", True),
    ("客户名称备注", False), ("月份", True), ("产品说明书", False), ("华润万家", False), ("", False), (None, False)])
def test_known_header_name_is_an_exact_role_name_in_some_kind(header, known):
    """The header search counts a cell as a column name exactly when some role's name scores 100."""
    from kam_core.ingest import roles

    exact = any(roles.name_score(header, kind, role) >= 100 for kind in roles.KINDS for role in roles.ROLES[kind])
    assert roles.is_known_name(header) is known is exact


def test_subtotals_under_long_names_and_in_other_columns_are_skipped(store, tmp_path):
    """A subtotal after a long branch name; a region subtotal in 大区 with the client cell empty; 合计
    written under 数量. A client whose note says 累计 still loads."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["大区", "客户名称", "日期", "数量", "金额", "备注"])
    ws.append(["华东", "上海联华快客便利有限公司第一分公司", dt.datetime(2024, 5, 6), 2, 1200.5, None])
    ws.append(["华东", "上海联华快客便利有限公司第一分公司 小计", None, 2, 1200.5, None])
    ws.append(["华东", "物美", dt.datetime(2024, 5, 7), 1, 300, "本月累计"])
    ws.append(["华东区 小计", None, None, 3, 1500.5, None])
    ws.append([None, None, None, "合计", 1500.5, None])
    path = tmp_path / "subtotals.xlsx"
    wb.save(path)
    report = importer.import_file(store, str(path), path.name, today=workbooks.TODAY)
    assert (report.rows_loaded, report.rows_rejected, report.skipped_by["totals"]) == (2, 0, 3)
    with store.reader() as cur:
        assert cur.execute("SELECT sum(amount) FROM transactions").fetchone()[0] == 1500.5


def test_quantities_written_with_their_unit_derive_the_amount(store, tmp_path):
    """282箱 is 282; a quantity that is no number rejects its row saying so, not 'no quantity'."""
    path = tmp_path / "lines.csv"
    path.write_text("客户名称,日期,数量,单价\n甲,2024-05-06,282箱,2.5\n甲,2024-05-07,12 瓶,10\n"
                    "乙,2024-05-08,3pcs,1\n乙,2024-05-09,若干,1\n", encoding="utf-8")
    report = importer.import_file(store, str(path), path.name, today=workbooks.TODAY)
    assert [(r.row, r.code, r.column, r.value) for r in report.rejects] == [(5, "bad_quantity", "数量", "若干")]
    assert report.warnings == []
    with store.reader() as cur:
        assert cur.execute("SELECT client_key, sum(amount), sum(quantity) FROM transactions GROUP BY 1 "
                           "ORDER BY 1").fetchall() == [("乙", 3, 3), ("甲", 825, 294)]


def test_an_amount_guessed_from_values_is_never_a_document_or_account_number():
    """No header names the amount: the numeric column with the largest sum is the guess, unless its
    header says it is a number of another kind (凭证号, 账号)."""
    from kam_core.ingest import roles

    profiles = [roles.ColumnProfile(0, 10, 0, 10, 10, 9e9, 0), roles.ColumnProfile(1, 10, 10, 0, 10, 0, 0),
                roles.ColumnProfile(2, 10, 0, 0, 3, 0, 10), roles.ColumnProfile(3, 10, 0, 10, 10, 5e4, 0),
                roles.ColumnProfile(4, 10, 0, 10, 10, 8e9, 0)]
    headers = ["凭证号", "过账日期", "客商", "本期发生", "银行账号"]
    assert roles.propose(headers, "orders", profiles)["amount"] == 3


def test_csv_title_with_a_form_feed_or_a_quoted_line_break_keeps_every_row(store, tmp_path):
    """A printed title ending in a form feed, and a title cell saved with a line break inside quotes
    (Alt+Enter): the header is found where the CSV reader sees it, and no data row is lost."""
    feed = tmp_path / "feed.csv"
    feed.write_bytes("销售明细\f\r\n客户名称,日期,金额\r\n甲,2024-01-05,100\r\n乙,2024-01-06,200\r\n".encode("gbk"))
    report = importer.import_file(store, str(feed), feed.name, today=workbooks.TODAY)
    assert (report.rows_read, report.rows_loaded) == (2, 2)
    quoted = tmp_path / "quoted.csv"
    quoted.write_text('"销售明细\n2024年1月"\n客户名称,日期,金额\n丙,2024-01-05,100\n丁,2024-01-06,待定\n', encoding="utf-8")
    report = importer.import_file(store, str(quoted), quoted.name, today=workbooks.TODAY)
    assert (report.rows_read, report.rows_loaded) == (2, 1)
    assert [(r.row, r.code) for r in report.rejects] == [(4, "bad_amount")]     # Excel shows 丁 on row 4
    with store.reader() as cur:
        assert cur.execute("SELECT sum(amount) FROM transactions").fetchone()[0] == 400


def test_csv_blank_lines_at_the_end_are_not_rows(store, tmp_path):
    path = tmp_path / "tail.csv"
    path.write_bytes(b"customer,date,amount\r\nA,2024-01-05,1\r\n\r\nB,2024-01-06,2\r\n\r\n\r\n,,\r\n")
    report = importer.import_file(store, str(path), path.name, today=workbooks.TODAY)
    assert (report.rows_read, report.rows_loaded, report.rows_skipped) == (3, 2, 1)


def test_csv_cells_kept_as_text_for_excel_are_read_inside(store, tmp_path):
    """="000123" keeps Excel from dropping a code's leading zeros; the same wrapper around a date."""
    path = tmp_path / "codes.csv"
    path.write_text('客户编码,客户名称,日期,金额\n="000123",甲,="2024-01-05",100\n="000123",甲,2024-01-06,"=""x"""\n'
                    '="000045",乙,="2024-01-07",7\n', encoding="utf-8")
    report = importer.import_file(store, str(path), path.name, today=workbooks.TODAY)
    assert (report.rows_loaded, [r.code for r in report.rejects]) == (2, ["bad_amount"])
    with store.reader() as cur:
        assert cur.execute("SELECT client_id, client_name, order_date, amount FROM transactions ORDER BY 1"
                           ).fetchall() == [("000045", "乙", dt.date(2024, 1, 7), 7), ("000123", "甲", dt.date(2024, 1, 5), 100)]
