"""Benchmark portfolios: heavy-tailed client revenue, Chinese headers, several years.

Files are written once into bench/.cache and reused; the 10,000,000-line
portfolio is ten copies of the 1,000,000-line one with distinct clients, so
it keeps the same shape at ten times the size.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute  # noqa: F401  (pa.compute)
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from kam_core.demo import ORDER_HEADERS, synth_portfolio

CACHE = Path(__file__).resolve().parent / ".cache"
HEADERS = list(ORDER_HEADERS.values())
START, END = dt.date(2022, 1, 1), dt.date(2026, 10, 31)   # 19 quarters: 12 full quarters fit easily


@dataclass(frozen=True)
class Size:
    label: str
    lines: int
    clients: int

    @property
    def stem(self) -> str:
        return f"orders_{self.label}"


SIZES = {s.label: s for s in (Size("10k", 10_000, 500), Size("100k", 100_000, 4_000),
                              Size("1m", 1_000_000, 20_000), Size("10m", 10_000_000, 200_000))}


def orders(size: Size) -> pd.DataFrame:
    """Order lines with the demo's headers, in the demo's column order."""
    if size.lines > 1_000_000:
        raise ValueError("build large portfolios with orders_table")
    p = synth_portfolio(n_clients=size.clients, n_lines=size.lines, start=START, end=END, seed=11, n_prospects=0)
    return p.orders[list(ORDER_HEADERS)].rename(columns=ORDER_HEADERS)


def orders_table(size: Size) -> pa.Table:
    """As orders(), as Arrow; beyond 1,000,000 lines, copies of the 1m portfolio with their own clients."""
    if size.lines <= 1_000_000:
        return pa.Table.from_pandas(orders(size), preserve_index=False)
    base = pa.Table.from_pandas(orders(SIZES["1m"]), preserve_index=False)
    copies = []
    for k in range(-(-size.lines // base.num_rows)):
        table = base
        for name in ("客户名称", "订单号"):
            i = table.schema.get_field_index(name)
            text = pa.compute.cast(table[name], pa.string())
            if k:
                text = pa.compute.binary_join_element_wise(text, f"{k:02d}", "")
            table = table.set_column(i, name, text)
        copies.append(table)
    return pa.concat_tables(copies).slice(0, size.lines)


def xlsx(size: Size) -> Path:
    """The export as a sales system writes it: a merged title, a note, a blank row, the header, a totals row."""
    path = CACHE / f"{size.stem}.xlsx"
    if path.exists():
        return path
    import xlsxwriter

    frame = orders(size)
    CACHE.mkdir(exist_ok=True)
    tmp = path.with_suffix(".tmp.xlsx")
    wb = xlsxwriter.Workbook(str(tmp), {"constant_memory": True, "strings_to_formulas": False,
                                         "strings_to_numbers": False})
    ws = wb.add_worksheet("销售明细")
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    money_fmt = wb.add_format({"num_format": "#,##0.00"})
    ws.write_string(0, 0, "大客户销售明细（基准测试数据）")
    ws.write_string(1, 0, f"导出范围：{START} 至 {END}")
    ws.write_row(3, 0, HEADERS)
    dates = frame["订单日期"].dt.to_pydatetime()
    money_cols = {HEADERS.index(h) for h in ("单价", "销售额（元）", "毛利（元）")}
    rows = frame.drop(columns=["订单日期"]).itertuples(index=False, name=None)
    for r, (day, row) in enumerate(zip(dates, rows), start=4):
        ws.write_datetime(r, 0, day, date_fmt)
        for c, value in enumerate(row, start=1):
            if isinstance(value, str):
                ws.write_string(r, c, value)
            else:
                ws.write_number(r, c, float(value), money_fmt if c in money_cols else None)
    last = 4 + len(frame)
    ws.write_string(last, 0, "合计")
    ws.write_number(last, HEADERS.index("销售额（元）"), float(frame["销售额（元）"].sum()), money_fmt)
    wb.close()
    tmp.rename(path)
    return path


def parquet(size: Size) -> Path:
    path = CACHE / f"{size.stem}.parquet"
    if not path.exists():
        CACHE.mkdir(exist_ok=True)
        pq.write_table(orders_table(size), path.with_suffix(".tmp"), compression="zstd")
        path.with_suffix(".tmp").rename(path)
    return path


def csv(size: Size) -> Path:
    """UTF-8 CSV with the same headers (dates as 2024-03-05 text, amounts as numbers)."""
    path = CACHE / f"{size.stem}.csv"
    if not path.exists():
        table = pq.read_table(parquet(size))
        i = table.schema.get_field_index("订单日期")
        table = table.set_column(i, "订单日期", pa.compute.strftime(table["订单日期"], format="%Y-%m-%d"))
        pacsv.write_csv(table, path.with_suffix(".tmp"))
        path.with_suffix(".tmp").rename(path)
    return path


def contacts(n_clients: int, n_contacts: int, names: list[str], seed: int = 3) -> pd.DataFrame:
    """A visit log of n_contacts rows over the most valuable clients, for the coverage timing."""
    rng = np.random.default_rng(seed)
    who = rng.integers(0, min(n_clients, len(names)), n_contacts)
    days = rng.integers(0, 540, n_contacts)
    return pd.DataFrame({"拜访日期": pd.Timestamp(END) - pd.to_timedelta(days, unit="D"),
                         "客户名称": np.asarray(names)[who],
                         "方式": rng.choice(["拜访", "电话", "会议", "经营回顾"], n_contacts),
                         "拜访人": rng.choice(["王磊", "李娜", "张伟", "刘洋", "陈静"], n_contacts)})
