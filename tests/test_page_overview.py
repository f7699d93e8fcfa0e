"""The overview page (app.py) in AppTest: both languages, the figures of a hand-made case, widget changes."""
from __future__ import annotations

import pytest

from tests.helpers import d, open_page, store_with_orders
from tests.test_page_pareto import untranslated
from tests.test_overview import TWO_YEARS


def metrics(at) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


@pytest.fixture
def two_years_db(tmp_path, monkeypatch):
    store = store_with_orders(tmp_path, TWO_YEARS, data_through=d("2024-12-31"))
    path = store.path
    store.close()
    monkeypatch.setenv("KAM_DB", str(path))
    return path


@pytest.mark.parametrize("lang, labels", [
    ("zh", ["销售额", "毛利", "活跃客户", "KA客户", "净收入留存 NRR", "毛收入留存 GRR"]),
    ("en", ["Revenue", "Profit", "Active clients", "KA clients", "NRR", "GRR"]),
])
def test_overview_on_the_demo(demo_db, lang, labels):
    at = open_page("app.py", lang)
    assert not at.exception, at.exception
    assert at.title[0].value == ("经营总览" if lang == "zh" else "Overview")
    shown = metrics(at)
    assert len(shown) == 10
    assert all(label in shown for label in labels)
    assert len(at.get("plotly_chart")) == 2                      # trend and movers
    assert at.caption[0].value.startswith("2025")
    assert len(at.get("download_button")) == 1
    assert not untranslated(at)


def test_overview_shows_the_hand_made_figures(two_years_db):
    at = open_page("app.py", "en")
    assert not at.exception, at.exception
    shown = metrics(at)
    assert shown["Revenue"] == ("¥235", "+17.5%")
    assert shown["Active clients"] == ("4", "+0")
    assert shown["New clients"] == ("1", "-2")
    assert shown["Lost clients"] == ("2", "+1")
    assert shown["NRR"][0] == "75.0%"
    assert shown["GRR"][0] == "70.0%"
    assert shown["KA clients"][0] == "3"
    assert shown["KA share of revenue"] == ("89.8%", "-0.2 pp")
    expander = [e for e in at.expander if "new" in e.label]
    assert expander and "1 new and 2 lost clients" in expander[0].label


def test_switching_to_groups_reruns(two_years_db):
    at = open_page("app.py", "en")
    at.radio(key="level").set_value("group").run()
    assert not at.exception, at.exception
    shown = metrics(at)
    assert "Active groups" in shown and "Lost groups" in shown
    assert shown["GRR"][0] == "65.0%"        # B and C count as one group


def test_changing_the_window_reruns(demo_db):
    at = open_page("app.py", "zh")
    at.selectbox(key="win_kind").set_value("quarter").run()
    assert not at.exception, at.exception
    assert at.caption[0].value.startswith("2026Q3 对比 2026Q2")
    at.selectbox(key="win_kind").set_value("month").run()
    assert at.caption[0].value.startswith("2026-09 对比 2026-08")
    assert len(metrics(at)) == 10


def test_an_empty_window_says_so(two_years_db):
    at = open_page("app.py", "en", win_kind="custom", win_range=(d("2023-01-01"), d("2023-06-30")))
    assert not at.exception, at.exception
    assert any("no sales in the chosen window" in i.value for i in at.info)
    assert metrics(at)["Active clients"][0] == "0"
    # both windows in one Markdown caption: no "~" pair to strike the text between
    assert at.caption[0].value.startswith("2023-01-01 – 2023-06-30 against 2022-07-04 – 2022-12-31")


def test_without_profit_the_profit_figure_is_left_out(tmp_path, monkeypatch):
    store = store_with_orders(tmp_path, [{"client": "A", "date": "2024-03-01", "amount": 10},
                                         {"client": "B", "date": "2025-03-01", "amount": 20}])
    monkeypatch.setenv("KAM_DB", str(store.path))
    store.close()
    at = open_page("app.py", "zh")
    assert not at.exception, at.exception
    assert "毛利" not in metrics(at) and len(metrics(at)) == 9
