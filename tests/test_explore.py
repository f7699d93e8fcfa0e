"""The explore pivot: exact cells and totals on hand-made lines, filters, blanks, and the demo portfolio."""
from __future__ import annotations

import datetime as dt

import pytest

from kam_core import explore
from kam_core.explore import TOTAL, PivotSpec
from tests.helpers import store_with_orders

START, END = dt.date(2025, 1, 1), dt.date(2025, 12, 31)

ROWS = [
    {"client": "甲超市", "date": "2025-01-10", "amount": 100, "profit": 10, "category": "饮料", "region": "华东",
     "city": "上海", "owner": "王磊"},
    {"client": "甲超市", "date": "2025-04-10", "amount": 60, "profit": 6, "category": "零食", "region": "华东",
     "city": "上海", "owner": "王磊"},
    {"client": "乙便利店", "date": "2025-02-01", "amount": 40, "profit": 4, "category": "饮料", "region": "华东",
     "city": "杭州", "owner": "王磊"},
    {"client": "丙餐饮", "date": "2025-05-01", "amount": 300, "profit": 90, "category": None, "region": "华北",
     "city": "北京", "owner": "张强"},
    {"client": "丙餐饮", "date": "2024-12-31", "amount": 999, "profit": 1, "category": "饮料", "region": "华北",
     "city": "北京", "owner": "张强"},   # outside the window
]


@pytest.fixture
def store(tmp_path):
    s = store_with_orders(tmp_path, ROWS)
    yield s
    s.close()


def test_region_by_quarter(store):
    # 华东: Q1 100 + 40 = 140, Q2 60 -> 200; 华北: Q2 300. Grand total 500; Q1 140, Q2 360.
    wide = explore.pivot(store, PivotSpec.make("region", "quarter"), START, END)
    assert list(wide.index) == ["华北", "华东", TOTAL]          # largest total first
    assert list(wide.columns) == ["2025Q1", "2025Q2", TOTAL]    # periods in time order
    assert wide.loc["华东"].tolist() == [140.0, 60.0, 200.0]
    assert wide.loc["华北", "2025Q2"] == 300.0 and wide.loc["华北", TOTAL] == 300.0
    assert wide.loc[TOTAL].tolist() == [140.0, 360.0, 500.0]


def test_distinct_clients_total_is_exact(store):
    # 甲 buys in Q1 and Q2: 1 + 1 in the cells but 1 client in the row total; 3 clients overall.
    wide = explore.pivot(store, PivotSpec.make("owner", "quarter", "clients"), START, END)
    assert wide.loc["王磊"].tolist() == [2.0, 1.0, 2.0]
    assert wide.loc["张强"].tolist()[1:] == [1.0, 1.0]
    assert wide.loc[TOTAL].tolist() == [2.0, 2.0, 3.0]


def test_filters_and_blank_values(store):
    # 丙's category is blank: it is its own row ('') and can be filtered on.
    wide = explore.pivot(store, PivotSpec.make("category"), START, END)
    assert wide[TOTAL].to_dict() == {"": 300.0, "饮料": 140.0, "零食": 60.0, TOTAL: 500.0}
    assert list(wide.index) == ["饮料", "零食", "", TOTAL]      # blank last
    only_blank = explore.pivot(store, PivotSpec.make("client", filters={"category": [""]}), START, END)
    assert only_blank[TOTAL].to_dict() == {"丙餐饮": 300.0, TOTAL: 300.0}
    east_drinks = explore.pivot(store, PivotSpec.make("city", "month", "profit",
                                                      {"region": ["华东"], "category": ["饮料"]}), START, END)
    assert east_drinks.loc["上海", "2025-01"] == 10.0 and east_drinks.loc["杭州", "2025-02"] == 4.0
    assert east_drinks.loc[TOTAL, TOTAL] == 14.0


def test_lines_measure_and_empty_window(store):
    assert explore.pivot(store, PivotSpec.make("year", measure="lines"), START, END)[TOTAL].to_dict() == {
        "2025": 4.0, TOTAL: 4.0}
    empty = explore.pivot(store, PivotSpec.make("region"), dt.date(2030, 1, 1), dt.date(2030, 12, 31))
    assert len(empty) <= 1


def test_mapped_dimensions(store):
    dims = explore.mapped_dimensions(store)
    assert {"region", "city", "owner", "category", "client", "month"} <= set(dims)
    assert "channel" not in dims and "chain_scope" not in dims and "group" not in dims


def test_dimension_values(store):
    values = explore.dimension_values(store, "category", START, END)
    assert values["value"].tolist() == ["", "饮料", "零食"]
    assert values["revenue"].tolist() == [300.0, 140.0, 60.0]


@pytest.mark.parametrize("bad", [dict(rows="colour"), dict(rows="city", cols="size"),
                                 dict(rows="city", measure="margin"), dict(rows="city", filters={"month": ["x"]})])
def test_bad_specs(bad):
    with pytest.raises(ValueError):
        PivotSpec.make(**bad)


def test_many_columns_fold_into_the_rest(store):
    wide = explore.pivot(store, PivotSpec.make("region", "client"), START, END, max_cols=2)
    assert list(wide.columns) == ["丙餐饮", "甲超市", "…", TOTAL]
    assert wide.loc["华东", "…"] == 40.0 and wide.loc[TOTAL, "…"] == 40.0


def test_demo_totals_agree(demo_store):
    end = demo_store.data_end()
    start = dt.date(end.year, 1, 1)
    by_region = explore.pivot(demo_store, PivotSpec.make("region", "category"), start, end)
    by_month = explore.pivot(demo_store, PivotSpec.make("month"), start, end)
    total = by_region.loc[TOTAL, TOTAL]
    assert by_month.loc[TOTAL, TOTAL] == pytest.approx(total)
    assert by_region.drop(index=TOTAL)[TOTAL].sum() == pytest.approx(total)
    assert by_region.loc[TOTAL].drop(TOTAL).sum() == pytest.approx(total)
    with demo_store.reader() as cur:
        exact = cur.execute("SELECT sum(amount) FROM transactions WHERE order_date BETWEEN $s AND $e",
                            {"s": start, "e": end}).fetchone()[0]
    assert total == pytest.approx(float(exact))
