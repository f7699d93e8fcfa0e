"""Every cleaning rule, as a finance person reads a cell: (input, expected) tables."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kam_core.ingest import canonical, clean, columns

D = Decimal

NUMBERS = [
    ("12345.60", D("12345.60")),
    ("12,345.60", D("12345.60")),
    ("1,234,567", D("1234567")),
    ("¥1,200", D("1200")),
    ("￥1,200.5", D("1200.5")),
    ("RMB 88", D("88")),
    ("88元", D("88")),
    ("人民币88元", D("88")),
    ("1.2万", D("12000")),
    ("1.2 万", D("12000")),
    ("3万元", D("30000")),
    ("2亿", D("200000000")),
    ("0.5亿元", D("50000000")),
    ("5千", D("5000")),
    ("12.5k", D("12500")),
    ("12.5K", D("12500")),
    ("1.2w", D("12000")),
    ("3W", D("30000")),
    ("-300", D("-300")),
    ("(300)", D("-300")),
    ("（300）", D("-300")),
    ("300-", D("-300")),
    ("-¥1,200", D("-1200")),
    ("¥-1,200", D("-1200")),
    ("(¥1,200.00)", D("-1200.00")),
    ("−5", D("-5")),           # unicode minus
    ("+5", D("5")),
    ("１２３", D("123")),        # full-width digits
    (" 42 ", D("42")),
    ("1e3", D("1000")),
    (".5", D("0.5")),
    (12.5, D("12.5")),
    (7, D("7")),
    ("", None),
    ("-", None),
    ("—", None),
    ("N/A", None),
    (None, None),
    (float("nan"), None),
]

BAD_NUMBERS = ["abc", "12%", "1,2,3", "12,34", "1.2.3", "万", "¥", "2024-03-05", "()", "k", "5kg", "12km"]


@pytest.mark.parametrize("raw,expected", NUMBERS)
def test_parse_number(raw, expected):
    assert clean.parse_number(raw) == expected


@pytest.mark.parametrize("raw", BAD_NUMBERS)
def test_parse_number_refuses(raw):
    with pytest.raises(clean.ValueBad) as err:
        clean.parse_number(raw)
    assert err.value.code == "not_number"


DATES = [
    ("2024-03-05", dt.date(2024, 3, 5)),
    ("2024/3/5", dt.date(2024, 3, 5)),
    ("2024.3.5", dt.date(2024, 3, 5)),
    ("2024年3月5日", dt.date(2024, 3, 5)),
    ("2024年3月5号", dt.date(2024, 3, 5)),
    ("20240305", dt.date(2024, 3, 5)),
    ("2024-03-05 14:22:01", dt.date(2024, 3, 5)),
    ("2024/3/5 9:05", dt.date(2024, 3, 5)),
    ("2024年3月5日 14:05", dt.date(2024, 3, 5)),
    ("2024-03-05T14:22:01", dt.date(2024, 3, 5)),
    ("２０２４－０３－０５", dt.date(2024, 3, 5)),  # full-width
    (45356, dt.date(2024, 3, 5)),                 # Excel serial
    (45356.75, dt.date(2024, 3, 5)),              # serial with a time
    ("45356", dt.date(2024, 3, 5)),               # serial that arrived as text
    (20240305, dt.date(2024, 3, 5)),              # yyyymmdd stored as a number
    (dt.datetime(2024, 3, 5, 10, 0), dt.date(2024, 3, 5)),
    (dt.date(2024, 3, 5), dt.date(2024, 3, 5)),
    ("5-Mar-2024", dt.date(2024, 3, 5)),          # English exports name the month
    ("05 March 2024", dt.date(2024, 3, 5)),
    ("05-MAR-2024 14:22", dt.date(2024, 3, 5)),
    ("Mar 5, 2024", dt.date(2024, 3, 5)),
    ("Sept. 30 2024", dt.date(2024, 9, 30)),
    ("2024-03-05T14:22:01Z", dt.date(2024, 3, 5)),          # ISO from an API, the day as written
    ("2024-03-05 23:30:00.000+08:00", dt.date(2024, 3, 5)),
    ("2024/3/5 下午 2:22:01", dt.date(2024, 3, 5)),          # Chinese Excel's text datetime
    ("2024年3月5日 上午9:05", dt.date(2024, 3, 5)),
    ("2024-3-5 2:22 PM", dt.date(2024, 3, 5)),
    ("Mar 5, 2024 2:22 PM", dt.date(2024, 3, 5)),
    ("", None),
    (None, None),
]

BAD_DATES = ["2024-02-30", "2024-13-01", "2024/13/45", "yesterday", "3/5/2024", "2024-3", "13.45", True,
             "31-Feb-2024", "5-Maz-2024", "Mar 2024", "05.03.2024", "2024.03", "2024", "2024-03-05 25:61x"]


@pytest.mark.parametrize("raw,expected", DATES)
def test_parse_date(raw, expected):
    assert clean.parse_date(raw) == expected


@pytest.mark.parametrize("raw", BAD_DATES)
def test_parse_date_refuses(raw):
    with pytest.raises(clean.ValueBad):
        clean.parse_date(raw)


def test_date_range_rule():
    today = dt.date(2025, 1, 10)
    clean.check_date_range(dt.date(1990, 1, 1), today)
    clean.check_date_range(today, today)
    with pytest.raises(clean.ValueBad) as err:
        clean.check_date_range(dt.date(1989, 12, 31), today)
    assert err.value.code == "date_too_old"
    with pytest.raises(clean.ValueBad) as err:
        clean.check_date_range(dt.date(2025, 1, 11), today)
    assert err.value.code == "date_in_future"


NAMES = [
    ("华润万家", "华润万家"),
    ("华润 万家", "华润万家"),
    (" 华润万家\u3000", "华润万家"),
    ("ＡＢＣ超市", "abc超市"),
    ("ABC超市", "abc超市"),
    ("永辉（福州）", "永辉(福州)"),
    ("永辉(福州)", "永辉(福州)"),
    ("Wal-Mart  China", "wal-martchina"),
]


@pytest.mark.parametrize("raw,key", NAMES)
def test_client_key(raw, key):
    assert clean.client_key(raw) == key


def test_display_name_is_trimmed_original():
    assert clean.display_name("  华润 万家 ") == "华润 万家"


PERIODS = [
    ("2024", "2024"), ("2024年", "2024"), ("2024年度", "2024"), (2024, "2024"), (2024.0, "2024"),
    ("2024Q3", "2024Q3"), ("2024 Q3", "2024Q3"), ("2024-q3", "2024Q3"), ("2024年第3季度", "2024Q3"),
    ("2024年三季度", "2024Q3"), ("2024第三季度", "2024Q3"),
    ("2024-07", "2024-07"), ("2024/7", "2024-07"), ("2024年7月", "2024-07"), ("202407", "2024-07"),
    (dt.date(2024, 7, 1), "2024-07"), (None, None), ("", None),
]


@pytest.mark.parametrize("raw,expected", PERIODS)
def test_parse_period(raw, expected):
    assert clean.parse_period(raw) == expected


@pytest.mark.parametrize("raw", ["2024Q5", "2024-13", "Q3", "next year"])
def test_parse_period_refuses(raw):
    with pytest.raises(clean.ValueBad):
        clean.parse_period(raw)


HEADER_UNITS = [("销售额（万元）", 10_000), ("销售额(万元)", 10_000), ("金额（元）", 1), ("目标[亿元]", 100_000_000),
                ("收入（千元）", 1_000), ("销售额", 1), ("年潜力（万）", 10_000), ("单价(元/件)", 1),
                ("销售额（单位：万元）", 10_000), ("销售额（万元，含税）", 10_000), ("销售额(人民币万元)", 10_000),
                ("销售额/万元", 10_000), ("销售额 单位:千元", 1_000), ("金额（元，含税）", 1), ("单价(元/千克)", 1),
                ("金额(RMB)", 1), ("万元户数", 1)]


@pytest.mark.parametrize("header,scale", HEADER_UNITS)
def test_header_scale(header, scale):
    assert clean.header_scale(header) == scale


TOTALS = [("合计", True), ("总计", True), ("小计", True), ("合 计", True), ("合计：", True), ("Total", True),
          ("GRAND TOTAL", True), ("Subtotal", True), ("合计科技有限公司", False), ("总计划部", False), (None, False),
          ("本页小计", True), ("华北区 小计", True), ("小计（北京）", True), ("小计(北京)", True), ("本年累计", True),
          ("汇总", True), ("Total (North)", True), ("累计采购商贸有限公司", False), ("汇总科技", False),
          ("设计院小计划", False), ("北京市第一百货商店合计有限公司", False),
          ("合\u3000计", True), ("\u3000合计：", True), ("Ｔｏｔａｌ", True), ("ＧＲＡＮＤ ＴＯＴＡＬ", True)]


@pytest.mark.parametrize("value,is_total", TOTALS)
def test_totals_label(value, is_total):
    assert clean.is_totals_label(value) is is_total


# ---- the column-wise conversions agree with the cell parsers

def test_totals_column_rule_matches_cell_rule():
    values = [v for v, _ in TOTALS]
    expected = [clean.is_totals_label(v) for v in values]
    assert canonical._totals_cells(pa.array(values)).to_pylist() == expected
    assert canonical._totals_cells(pa.array(values).dictionary_encode()).to_pylist() == expected


def test_to_number_column_matches_cell_parser():
    raw = ["12,345.60", "1.2万", "(300)", "abc", "", None, "¥88", "300-", "42"]
    values, bad = columns.to_number(pa.array(raw))
    expected = []
    for cell in raw:
        try:
            number = clean.parse_number(cell)
            expected.append(None if number is None else float(number))
        except clean.ValueBad:
            expected.append(None)
    assert values.to_pylist() == expected
    assert bad.to_pylist() == [False, False, False, True, False, False, False, False, False]


def test_to_number_header_unit_does_not_rescale_cells_with_units():
    values, _ = columns.to_number(pa.array(["1.5", "1.2万", "2", "3200元", "0.5万元", "¥2"]), scale=10_000)
    assert values.to_pylist() == [15_000.0, 12_000.0, 20_000.0, 3_200.0, 5_000.0, 20_000.0]


def test_to_date_column_mixed_formats():
    raw = ["2024-03-05 00:00:00", "2024/3/6", "2024年3月7日", "45359", "2024-02-30", None, "20240309"]
    values, bad = columns.to_date(pa.array(raw))
    assert values.to_pylist() == [dt.date(2024, 3, 5), dt.date(2024, 3, 6), dt.date(2024, 3, 7), dt.date(2024, 3, 8),
                                  None, None, dt.date(2024, 3, 9)]
    assert bad.to_pylist() == [False, False, False, False, True, False, False]


REPEATING = ["2024-03-05 00:00:00", " 1.2万 ", "2024/3/6", None, "", "abc", "2024-03-05 00:00:00", "(300)", " 1.2万 ",
             "2024-02-30", None, "A 客户", "a客户"] * 3


@pytest.mark.parametrize("convert", [columns.to_number, columns.to_date, columns.to_text, columns.to_client,
                                     columns.to_period])
def test_dictionary_encoded_column_converts_like_the_plain_one(convert):
    """Repeating text is converted once per distinct value: the rows get exactly what the plain path gives."""
    plain = pa.array(REPEATING)
    encoded = columns.encode_repeating(plain)
    assert pa.types.is_dictionary(encoded.type)
    as_lists = lambda out: [part.to_pylist() for part in out] if isinstance(out, tuple) else out.to_pylist()
    assert as_lists(convert(encoded)) == as_lists(convert(plain))


def test_mostly_distinct_text_is_not_encoded():
    ids = pa.array([f"SO{i:07d}" for i in range(5000)])
    assert columns.encode_repeating(ids).type == pa.string()
    assert columns.encode_repeating(pa.array([1.5, 2.5] * 1000)).type == pa.float64()


@given(st.decimals(min_value=-10**12, max_value=10**12, places=2, allow_nan=False, allow_infinity=False))
def test_number_round_trip_through_formats(value):
    """A number printed the ways exports print it reads back as the same number."""
    plain = f"{value:.2f}"
    grouped = f"{value:,.2f}"
    parens = f"({abs(value):,.2f})" if value < 0 else grouped
    trailing = f"{abs(value):.2f}-" if value < 0 else plain
    for text in (plain, grouped, parens, trailing, f"¥{grouped}"):
        assert clean.parse_number(text) == value


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_date_round_trip_through_formats(day):
    for text in (day.isoformat(), f"{day.year}/{day.month}/{day.day}", f"{day.year}.{day.month}.{day.day}",
                 f"{day.year}年{day.month}月{day.day}日", day.strftime("%Y%m%d"), f"{day.isoformat()} 23:59:59"):
        assert clean.parse_date(text) == day
    serial = (day - clean.EXCEL_EPOCH).days
    assert clean.parse_date(float(serial)) == day


@given(st.text(max_size=30))
def test_parsers_never_raise_anything_but_valuebad(text):
    for parser in (clean.parse_number, clean.parse_date, clean.parse_period):
        try:
            parser(text)
        except clean.ValueBad:
            pass


@given(st.text(min_size=1, max_size=20))
def test_client_key_is_idempotent_and_whitespace_free(name):
    key = clean.client_key(name)
    assert clean.client_key(key) == key
    assert not any(ch.isspace() for ch in key)


# ---- row classes on a mix of repeating (dictionary) and mostly distinct columns

def _mixed_sheet():
    from kam_core.ingest import columns as c

    n = 3000
    ids = [f"SO{i:06d}" for i in range(n)]
    clients = ["客户甲", "客户乙", "客户丙"] * (n // 3)
    amounts = [f"{i}.5" for i in range(n)]
    ids[10], clients[10], amounts[10] = "订单号", "客户名称", "金额"          # a repeated header
    ids[20], clients[20], amounts[20] = None, "  ", ""                    # a blank row
    ids[30], clients[30] = " 订单号 ", "客户名称"                           # header text in 2 of 3 columns
    ids[40], clients[40], amounts[40] = None, None, "0"                    # not blank: a value
    table = pa.table({"c0": c.encode_repeating(pa.array(ids)), "c1": c.encode_repeating(pa.array(clients)),
                      "c2": pa.array(amounts)})
    assert pa.types.is_dictionary(table.column(1).type) and not pa.types.is_dictionary(table.column(0).type)
    return table


def test_repeated_header_rows_found_across_repeating_and_distinct_columns():
    from kam_core.ingest import canonical

    mask = canonical._repeated_header_mask(_mixed_sheet(), ["订单号", "客户名称", "金额"], ["订单号", "客户名称", "金额"])
    assert np.flatnonzero(mask).tolist() == [10, 30]


def test_blank_rows_are_empty_in_every_column():
    from kam_core.ingest import canonical

    assert np.flatnonzero(canonical.blank_rows(_mixed_sheet())).tolist() == [20]


def test_run_together_reads_the_cells_of_a_slice_without_a_copy():
    cells = pa.array(["SO1", None, "合计", "SO2"] * 2)
    assert columns.run_together(cells).to_pylist() == ["SO1合计SO2SO1合计SO2"]
    assert columns.run_together(cells.slice(3, 3)).to_pylist() == ["SO2SO1"]
    assert columns.run_together(pa.array(["ab", "c"], pa.large_string()).slice(1)).to_pylist() == ["c"]
    assert columns.run_together(pa.array([None, None], pa.string())).to_pylist() == [""]


@pytest.mark.parametrize("at", [0, 6_000, 11_999])
def test_totals_row_in_a_long_order_id_column_is_found(at):
    """Long mostly distinct columns are scanned run together first; a totals cell anywhere is still found."""
    ids = [f"SO{i:07d}" for i in range(12_000)]
    assert not canonical._totals_cells(pa.array(ids)).to_pylist().count(True)
    ids[at] = "合 计"
    assert np.flatnonzero(canonical._totals_cells(pa.array(ids)).to_numpy(zero_copy_only=False)).tolist() == [at]
    ids[at] = "SO-TOT"
    ids[at + 1 if at < 11_999 else at - 1] = "AL-1"     # "TOTAL" only across two cells: no totals row
    assert not canonical._totals_cells(pa.array(ids)).to_pylist().count(True)


def test_repeated_header_in_a_repeating_column_is_matched_once_per_value():
    from kam_core.ingest import columns as c

    regions = c.encode_repeating(pa.array(["华东", "华北", " 大区 "] * 1000))
    names = c.encode_repeating(pa.array(["客户甲", "客户乙", "客户名称"] * 1000))
    never = c.encode_repeating(pa.array(["A", "B", "C"] * 1000))
    table = pa.table({"c0": regions, "c1": names, "c2": never})
    mask = canonical._repeated_header_mask(table, ["大区", "客户名称", "品类"], ["大区", "客户名称", "品类"])
    assert np.flatnonzero(mask).tolist() == list(range(2, 3000, 3))
