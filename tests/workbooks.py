"""Messy workbooks as real sales systems export them, with the exact outcome each must give."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

# The import date the expectations assume (2030-01-01 is in the future, 1985 before 1990).
TODAY = dt.date(2025, 1, 10)

HEADER = ["客户名称", "下单日期", "订单号", "销售额（万元）", "毛利", "数量", "大区", "城市"]

# (client, date, order id, amount in 万元, profit, quantity, region, city); Excel row = index + 5
DATA_ROWS = [
    ("华润万家", dt.datetime(2024, 1, 15), "SO1", 1.5, 3000, 10, "华东", "上海"),          # 5  loaded 15,000
    ("华润 万家", "2024/2/3", "SO2", "1.2万", "1,200.50", 5, "华东", "上海"),             # 6  loaded 12,000 (cell unit wins)
    ("ＡＢＣ超市", 45350, "SO3", "￥0.8", "(500)", 1, "华南", "广州"),                    # 7  loaded 8,000, serial date
    ("ABC超市", "2024.3.5", "SO4", "-0.3", None, 1, "华南", "广州"),                      # 8  loaded -3,000 (refund)
    ("永辉", "2024年3月6日", "SO5", 2, "n/a", 2, "华南", "福州"),                         # 9  loaded 20,000
    ("永辉", "20240307", "SO6", "3万元", "x", 3, "华南", "福州"),                        # 10 loaded 30,000, profit unreadable
    ("永辉", "2024-03-08 14:22:01", "SO7", "1.5-", None, 1, "华南", "福州"),              # 11 loaded -15,000 (trailing minus)
    (None, None, None, None, None, None, None, None),                                   # 12 skipped: blank
    tuple(HEADER),                                                                      # 13 skipped: repeated header
    (None, "2024-03-09", "SO8", 1, None, 1, "华北", "北京"),                              # 14 rejected: no client
    ("大润发", "2024-13-45", "SO9", 1, None, 1, "华东", "苏州"),                           # 15 rejected: bad date
    ("大润发", dt.datetime(1985, 5, 1), "SO10", 1, None, 1, "华东", "苏州"),               # 16 rejected: before 1990
    ("大润发", dt.datetime(2030, 1, 1), "SO11", 1, None, 1, "华东", "苏州"),               # 17 rejected: future
    ("大润发", "2024-04-01", "SO12", "abc", None, 1, "华东", "苏州"),                      # 18 rejected: amount text
    ("大润发", "2024-04-02", "SO13", None, None, 1, "华东", "苏州"),                       # 19 rejected: no amount
    ("小计", None, None, 10, None, None, None, None),                                    # 20 skipped: subtotal
    ("物美", dt.datetime(2024, 5, 1), "SO14", 0, None, 1, "华北", "北京"),                 # 21 loaded 0
    ("物美", dt.datetime(2024, 6, 1), "SO15", 1, None, 1, "华北", "北京"),                 # 22 loaded 10,000 (A22:A23 merged)
    (None, "2024-06-02", "SO16", 2, None, 1, "华北", "北京"),                              # 23 loaded 20,000 (client from merge)
    ("合计", None, None, 97, None, None, None, None),                                    # 24 skipped: total
]

MESSY_EXPECTED = {
    "rows_read": 20, "rows_loaded": 10, "rows_rejected": 6, "rows_skipped": 4,
    "skipped_by": {"blank": 1, "header": 1, "totals": 2},
    "amount_total": 97_000.0,
    "rejects": [(14, "missing_client"), (15, "bad_date"), (16, "date_too_old"), (17, "date_in_future"),
                (18, "bad_amount"), (19, "missing_amount")],
    "clients": {"华润万家": ("华润 万家", 2, 27_000.0), "abc超市": ("ABC超市", 2, 5_000.0),
                "永辉": ("永辉", 3, 35_000.0), "物美": ("物美", 3, 30_000.0)},
    "header_row": 4,
    "profit_total": 3_700.5,   # 3000 + 1200.50 - 500
}


def messy_orders(path: Path) -> Path:
    """Title rows (a merged title), a header in row 4, mixed date formats, 万 and text numbers,
    refunds, a blank line, a repeated header, bad rows, merged client cells, a subtotal and a
    total; a notes sheet and a larger hidden sheet that must not be picked."""
    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "说明"
    notes.append(["本文件由系统导出"])
    ws = wb.create_sheet("销售明细")
    ws["A1"] = "2024年度大客户销售明细表"
    ws.merge_cells("A1:H1")
    ws["A2"] = "导出时间：2025-01-05  制表人：财务部"
    ws.append([])                      # row 3 blank
    ws.append(HEADER)                  # row 4
    for row in DATA_ROWS:
        ws.append(list(row))
    ws.merge_cells("A22:A23")
    hidden = wb.create_sheet("旧数据")
    hidden.sheet_state = "hidden"
    hidden.append(["客户名称", "日期", "订单号", "金额"])
    for i in range(300):
        hidden.append(["旧客户", dt.datetime(2020, 1, 1), i, i])
    wb.save(path)
    return path


def gbk_csv(path: Path, encoding: str = "gbk") -> Path:
    """A CSV as Chinese Excel saves it: GBK, a title line, Chinese headers and names."""
    text = ("销售报表（2024年）\n"
            "客户名称,日期,金额\n"
            "华润万家,2024-01-05,\"1,000.50\"\n"
            "永辉超市,2024/1/6,2000\n"
            "合计,,3000.50\n")
    path.write_bytes(text.encode(encoding))
    return path
