"""The archive, targets and visit-log imports on messy sheets: exact counts, rejects, stored rows."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import openpyxl
import pytest

from kam_core.__main__ import main as cli
from kam_core.ingest import importer
from kam_core.store import Store

TODAY = dt.date(2025, 1, 10)


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "kam.duckdb")
    yield s
    s.close()


def sheet(path, header: list, rows: list, title: str = "导出报表", sheet_name: str = "Sheet1"):
    """A sheet as sales systems export it: a merged title, a note line, a blank row, then the header (row 4)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet_name
    ws["A1"] = title
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws["A2"] = "制表：KA部  导出时间：2025-01-05"
    ws.append([])
    ws.append(header)
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def counts(report) -> tuple:
    return report.rows_read, report.rows_loaded, report.rows_rejected, report.rows_skipped


# ------------------------------------------------------------------ the archive

ARCHIVE_HEADER = ["客户名称", "所属集团", "连锁类型", "门店数", "客户经理", "大区", "服务等级", "年潜力（万元）", "备注"]
ARCHIVE_ROWS = [                                                                # Excel row
    (" 华润万家 ", "华润集团", "全国", 500, "王磊", "华东", "A级", 3000, None),      # 5  loaded (then row 11 wins)
    ("ＡＢＣ超市", None, "区域连锁", "120", "李娜", "华南", "b", "800", "扩张中"),    # 6  loaded: 8,000,000
    (None,) * 9,                                                               # 7  skipped: blank
    tuple(ARCHIVE_HEADER),                                                     # 8  skipped: repeated header
    (None, "某集团", "单城", 3, None, None, None, 10, None),                     # 9  rejected: no client
    ("永辉", None, "单城", "十二", None, "华南", "C类", "abc", None),             # 10 loaded; stores, potential unreadable
    ("华润 万家", "华润集团", "全国连锁", 520, "王磊", "华东", "A", "3,200", "续约"),  # 11 loaded: the later row wins
    ("合计", None, None, 1140, None, None, None, 4000, None),                  # 12 skipped: total
    ("物美", None, None, None, None, "华北", None, "1.5亿", None),                # 13 loaded: the cell unit, not scaled again
]


def test_archive_sheet_exact(store, tmp_path):
    path = sheet(tmp_path / "档案.xlsx", ARCHIVE_HEADER, ARCHIVE_ROWS, "2025年大客户档案")
    ins = importer.inspect(store, str(path), path.name)
    assert ins.kind == "clients"                 # detected from the headers
    assert ins.excel_header_row == 4
    report = importer.commit(store, ins, importer.preview(store, ins, today=TODAY))
    assert counts(report) == (9, 5, 1, 3)
    assert report.skipped_by == {"blank": 1, "header": 1, "totals": 1}
    assert [(r.row, r.code) for r in report.rejects] == [(9, "missing_client")]
    assert [(w.column, w.rows) for w in report.warnings] == [("门店数", [10]), ("年潜力（万元）", [10])]
    with store.reader() as cur:
        rows = cur.execute("SELECT client_key, client_name, group_name, chain_scope, store_count, owner, region, "
                           "service_level, potential, note, updated_by FROM clients ORDER BY client_key").fetchall()
    assert rows == [
        ("abc超市", "ＡＢＣ超市", None, "区域连锁", 120, "李娜", "华南", "B", Decimal("8000000"), "扩张中", "import"),
        ("华润万家", "华润 万家", "华润集团", "全国连锁", 520, "王磊", "华东", "A", Decimal("32000000"), "续约", "import"),
        ("永辉", "永辉", None, "单城", None, None, "华南", "C", None, None, "import"),
        ("物美", "物美", None, None, None, None, "华北", None, Decimal("150000000"), None, "import"),
    ]


def test_archive_reimport_updates_only_the_columns_it_carries(store, tmp_path):
    importer.import_file(store, str(sheet(tmp_path / "a.xlsx", ARCHIVE_HEADER, ARCHIVE_ROWS)), "a.xlsx",
                         kind="clients", today=TODAY)
    # next month: only names and owners; 永辉 gets an owner, 华润万家 changes owner, a new client arrives
    owners = sheet(tmp_path / "b.xlsx", ["客户名称", "客户经理"], [("华润万家", "陈静"), ("永辉", "黄伟"), ("家乐福", "李娜")])
    report = importer.import_file(store, str(owners), "b.xlsx", kind="clients", today=TODAY)
    assert counts(report) == (3, 3, 0, 0)
    with store.reader() as cur:
        rows = {key: rest for key, *rest in cur.execute(
            "SELECT client_key, owner, potential, store_count FROM clients").fetchall()}
    assert rows["华润万家"] == ["陈静", Decimal("32000000"), 520]      # potential and stores kept
    assert rows["永辉"] == ["黄伟", None, None]
    assert rows["家乐福"] == ["李娜", None, None]
    assert len(rows) == 5


# ------------------------------------------------------------------ targets

TARGET_HEADER = ["客户名称", "客户经理", "期间", "目标（万元）"]
TARGET_ROWS = [                                                   # Excel row
    ("华润万家", None, 2024, 120),                                 # 5  client 2024: 1,200,000 (row 6 wins)
    ("华润 万家", None, "2024年", 130),                             # 6  same client and period: 1,300,000
    ("ＡＢＣ超市 ", None, "2024Q3", 30),                            # 7  abc超市 2024Q3 (row 8 wins)
    ("ABC超市", None, "2024年第3季度", "25"),                        # 8  250,000
    (None, "王磊", "2024-07", 10),                                  # 9  owner 2024-07 (row 10 wins)
    (None, " 王 磊", "2024年7月", 12),                               # 10 120,000
    ("永辉", None, "2024年第三季度", "8万"),                          # 11 80,000: the cell's unit wins
    ("永辉", None, dt.datetime(2024, 8, 1), 5),                     # 12 a date cell: its month, 50,000
    ("永辉", None, "下半年", 5),                                     # 13 rejected: period not readable
    ("永辉", None, None, 5),                                        # 14 rejected: no period
    ("永辉", None, "2024", "abc"),                                  # 15 rejected: target not a number
    ("永辉", None, "2024", None),                                   # 16 rejected: no target
    (None, None, "2024", 5),                                       # 17 rejected: neither client nor owner
    ("合计", None, None, 200),                                      # 18 skipped: total
    ("大润发", "王磊", "FY2024", 50),                                 # 19 a client target (its owner beside it)
]


def test_targets_sheet_exact(store, tmp_path):
    path = sheet(tmp_path / "目标.xlsx", TARGET_HEADER, TARGET_ROWS, "2024年度销售目标")
    ins = importer.inspect(store, str(path), path.name)
    assert ins.kind == "targets"
    assert ins.mapping_labels() == {"client": "客户名称", "owner": "客户经理", "period": "期间", "target": "目标（万元）"}
    report = importer.commit(store, ins, importer.preview(store, ins, today=TODAY))
    assert counts(report) == (15, 9, 5, 1)
    assert [(r.row, r.code) for r in report.rejects] == [
        (13, "bad_period"), (14, "missing_period"), (15, "bad_target"), (16, "missing_target"),
        (17, "missing_target_name")]
    with store.reader() as cur:
        rows = cur.execute("SELECT level, name_key, name, period, target FROM targets "
                           "ORDER BY level, name_key, period").fetchall()
    assert rows == [
        ("client", "abc超市", "ABC超市", "2024Q3", Decimal("250000")),
        ("client", "华润万家", "华润 万家", "2024", Decimal("1300000")),
        ("client", "大润发", "大润发", "2024", Decimal("500000")),
        ("client", "永辉", "永辉", "2024-08", Decimal("50000")),
        ("client", "永辉", "永辉", "2024Q3", Decimal("80000")),
        ("owner", "王磊", "王 磊", "2024-07", Decimal("120000")),
    ]


def test_targets_reimport_replaces_the_same_level_name_and_period(store, tmp_path):
    first = sheet(tmp_path / "t1.xlsx", TARGET_HEADER, [("华润万家", None, "2024", 100), ("永辉", None, "2024", 50)])
    importer.import_file(store, str(first), "t1.xlsx", kind="targets", today=TODAY)
    second = sheet(tmp_path / "t2.xlsx", TARGET_HEADER, [("华润万家", None, "2024年", 110), ("华润万家", None, "2024Q1", 30)])
    importer.import_file(store, str(second), "t2.xlsx", kind="targets", today=TODAY)
    with store.reader() as cur:
        rows = cur.execute("SELECT name_key, period, target FROM targets ORDER BY name_key, period").fetchall()
    assert rows == [("华润万家", "2024", Decimal("1100000")), ("华润万家", "2024Q1", Decimal("300000")),
                    ("永辉", "2024", Decimal("500000"))]


SPELLINGS = [
    ("2024", "2024"), (2024, "2024"), ("2024年", "2024"), ("2024年度", "2024"), ("FY2024", "2024"),
    ("2024Q3", "2024Q3"), ("2024 q3", "2024Q3"), ("Q3 2024", "2024Q3"), ("2024年Q3", "2024Q3"),
    ("2024年第3季度", "2024Q3"), ("2024年度第三季度", "2024Q3"), ("2024第三季", "2024Q3"),
    ("2024-07", "2024-07"), ("2024/7", "2024-07"), ("2024.07", "2024-07"), (202407, "2024-07"),
    ("2024年7月", "2024-07"), ("2024年07月份", "2024-07"), (dt.datetime(2024, 7, 1), "2024-07"),
]


def test_period_spellings_in_one_column(store, tmp_path):
    """Every spelling lands on its canonical label, in a column mixing text, numbers and dates."""
    rows = [(f"客户{i}", None, written, 1) for i, (written, _) in enumerate(SPELLINGS)]
    path = sheet(tmp_path / "p.xlsx", TARGET_HEADER, rows)
    report = importer.import_file(store, str(path), "p.xlsx", kind="targets", today=TODAY)
    assert counts(report) == (len(SPELLINGS), len(SPELLINGS), 0, 0)
    with store.reader() as cur:
        got = dict(cur.execute("SELECT name, period FROM targets").fetchall())
    assert got == {f"客户{i}": label for i, (_, label) in enumerate(SPELLINGS)}


def test_owner_targets_sheet_in_english(store, tmp_path):
    path = sheet(tmp_path / "quota.xlsx", ["Account manager", "Period", "Quota (万元)"],
                 [("Wang Lei", "2024Q1", 50), ("wang  lei", "2024Q2", 60), ("Li Na", "2024Q1", "n/a")])
    ins = importer.inspect(store, str(path), path.name)
    assert ins.kind == "targets" and set(ins.mapping) == {"owner", "period", "target"}
    report = importer.commit(store, ins, importer.preview(store, ins, today=TODAY))
    assert counts(report) == (3, 2, 1, 0)
    assert [(r.row, r.code) for r in report.rejects] == [(7, "missing_target")]
    with store.reader() as cur:
        rows = cur.execute("SELECT level, name_key, period, target FROM targets ORDER BY period").fetchall()
    assert rows == [("owner", "wanglei", "2024Q1", Decimal("500000")),
                    ("owner", "wanglei", "2024Q2", Decimal("600000"))]


# ------------------------------------------------------------------ the visit log

CONTACT_HEADER = ["拜访日期", "客户名称", "方式", "拜访人", "内容"]
CONTACT_ROWS = [                                                       # Excel row
    (dt.datetime(2024, 3, 1), "华润万家", "拜访", "王磊", "季度回顾"),        # 5  loaded
    ("2024/3/5", "ＡＢＣ 超市", "电话", "李娜", None),                      # 6  loaded: abc超市
    ("2024年3月8日", " 永辉 ", "会议", None, None),                         # 7  loaded
    ("昨天", "永辉", "拜访", None, None),                                   # 8  rejected: date not readable
    (dt.datetime(2024, 3, 9), None, "拜访", "王磊", None),                   # 9  rejected: no client
    ("2030-01-01", "永辉", None, None, None),                             # 10 rejected: after the import date
    (None,) * 5,                                                         # 11 skipped: blank
    ("1985-01-01", "永辉", None, None, None),                             # 12 rejected: before 1990
    (None,) * 5,                                                         # after the last filled row: not read
]


def test_visit_log_sheet_exact(store, tmp_path):
    path = sheet(tmp_path / "拜访.xlsx", CONTACT_HEADER, CONTACT_ROWS, "拜访记录")
    ins = importer.inspect(store, str(path), path.name)
    assert ins.kind == "contacts"
    report = importer.commit(store, ins, importer.preview(store, ins, today=TODAY))
    assert counts(report) == (8, 3, 4, 1)
    assert [(r.row, r.code) for r in report.rejects] == [
        (8, "bad_date"), (9, "missing_client"), (10, "date_in_future"), (12, "date_too_old")]
    with store.reader() as cur:
        rows = cur.execute("SELECT client_key, client_name, contact_date, kind, who, note, source FROM contacts "
                           "ORDER BY contact_date").fetchall()
    assert rows == [
        ("华润万家", "华润万家", dt.date(2024, 3, 1), "拜访", "王磊", "季度回顾", "import"),
        ("abc超市", "ＡＢＣ 超市", dt.date(2024, 3, 5), "电话", "李娜", None, "import"),
        ("永辉", "永辉", dt.date(2024, 3, 8), "会议", None, None, "import"),
    ]


def test_kinds_through_the_command_line(tmp_path, capsys):
    db = str(tmp_path / "cli.duckdb")
    archive = sheet(tmp_path / "档案.xlsx", ARCHIVE_HEADER, ARCHIVE_ROWS)
    targets = sheet(tmp_path / "目标.xlsx", TARGET_HEADER, TARGET_ROWS)
    assert cli(["import", str(archive), "--kind", "clients", "--db", db, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["kind"], out["rows_read"], out["rows_loaded"], out["rows_rejected"], out["rows_skipped"]) == (
        "clients", 9, 5, 1, 3)
    assert out["mapping"]["potential"] == "年潜力（万元）"
    assert cli(["import", str(targets), "--kind", "targets", "--db", db, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["rows_loaded"], out["rows_rejected"]) == (9, 5)
    assert [r["row"] for r in out["rejects"]] == [13, 14, 15, 16, 17]


def test_order_lines_without_an_amount_column_are_not_taken_for_visits(empty_db):
    """The import page keeps such a file as order lines and names the missing amount, instead of
    quietly offering to load it as a visit log."""
    from tests.helpers import open_page

    data = "客户名称,订单日期,大区,客户经理\n永辉超市,2024-03-05,华东,李娜\n物美,2024-03-06,华北,王强\n".encode("utf-8")
    at = open_page("pages/13_import.py", "zh")
    at.file_uploader[0].set_value(("无金额列.csv", data, "text/csv")).run()
    assert not at.exception, at.exception
    assert any(w.value == "缺少必需字段：金额" for w in at.warning)
    assert not any(b.label == "确认导入" for b in at.button)


@pytest.mark.parametrize("lang, shown", [("zh", True), ("en", False)])
def test_upload_button_and_size_line_read_in_chinese(empty_db, lang, shown):
    """Streamlit's own uploader words are English; the Chinese page puts its words in their place."""
    from tests.helpers import open_page

    at = open_page("pages/13_import.py", lang)
    assert not at.exception, at.exception
    styles = " ".join(h.proto.body for h in at.get("html"))
    assert ('content: "上传文件"' in styles and "单个文件不超过 256 MB" in styles) is shown
