"""Overview KPIs against the previous window: a hand-made two-year case checked figure by figure,
group level, custom windows, empty windows, the monthly trend, movers, and the demo portfolio."""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kam_core import overview, pareto, periods, portfolio, tiers
from kam_core.charts import figure_bytes, money_ticks, tick_label
from kam_core.charts.overview import movers_figure, trend_figure
from tests.helpers import d, store_with_orders


def line(client, date, amount, **extra):
    return {"client": client, "date": date, "amount": amount, "profit": round(amount * 0.2, 2), **extra}


# Window 2024 against 2023 (and 2022 behind it). Every 2023 and 2024 line sits in Q4, so the tiers of
# 2023Q4 and 2024Q4 are the KA sets at each window's end.
#   2022: A 80, F 10
#   2023: A 100, B 50, C 30, D 20                     -> 200
#   2024: A 120, B 40, C +5 -15 = -10, E 60, F 25     -> 235 (active A, B, E, F: 245)
# B and C form the group 百联 (at group level).
TWO_YEARS = [
    line("A", "2022-05-01", 80), line("F", "2022-06-01", 10),
    line("A", "2023-10-02", 100), line("B", "2023-11-03", 50, group="百联"), line("C", "2023-11-04", 30, group="百联"),
    line("D", "2023-12-05", 20),
    line("A", "2024-10-02", 120), line("B", "2024-11-03", 40, group="百联"), line("C", "2024-11-04", 5, group="百联"),
    line("C", "2024-12-01", -15, group="百联"), line("E", "2024-10-20", 60), line("F", "2024-12-24", 25),
]
Y2024 = periods.parse_label("2024")


@pytest.fixture
def two_years(tmp_path):
    store = store_with_orders(tmp_path, TWO_YEARS, data_through=d("2024-12-31"))
    yield store
    store.close()


def test_kpis_on_a_hand_made_two_year_case(two_years):
    k = overview.kpis(two_years, Y2024, "client", d("2024-12-31"))
    current, previous = k["current"], k["previous"]
    assert current["revenue"] == pytest.approx(235) and previous["revenue"] == pytest.approx(200)
    assert k.at["revenue", "change"] == pytest.approx(235 / 200 - 1)
    assert current["profit"] == pytest.approx(47) and previous["profit"] == pytest.approx(40)
    assert (current["active"], previous["active"]) == (4, 4)
    # new: E (first sale 2024); F sold in 2022, so it returns rather than arrives.
    # 2023: B, C, D are new; A sold in 2022.
    assert (current["new"], previous["new"], k.at["new", "change"]) == (1, 3, -2)
    # lost: C (net -10) and D (nothing) in 2024; F (active 2022, silent 2023) in 2023
    assert (current["lost"], previous["lost"], k.at["lost", "change"]) == (2, 1, 1)
    # NRR over 2023's active A, B, C, D: (120 + 40 - 10 + 0) / 200; GRR: (100 + 40 + 0 + 0) / 200
    assert current["nrr"] == pytest.approx(0.75)
    assert current["grr"] == pytest.approx(0.70)
    # 2023 over 2022's active A, F: NRR (100 + 0) / 90; GRR (min(100, 80) + 0) / 90
    assert previous["nrr"] == pytest.approx(100 / 90)
    assert previous["grr"] == pytest.approx(80 / 90)
    assert k.at["nrr", "change"] == pytest.approx(0.75 - 100 / 90)
    # top 20%: ⌈0.2 x 4⌉ = 1 -> A: 120 / 245 (2024); 100 / 200 (2023)
    assert current["top20_share"] == pytest.approx(120 / 245)
    assert previous["top20_share"] == pytest.approx(0.5)
    # KA at 2024Q4 (total 245): A cum 0, E 120 < 122.5 -> key; B 180 < 196 -> important; F 220 -> general.
    # KA at 2023Q4 (total 200): A key; B cum 100 is not < 100 -> important; C 150 < 160 -> important.
    assert (current["ka_clients"], previous["ka_clients"]) == (3, 3)
    assert current["ka_share"] == pytest.approx(220 / 245)
    assert previous["ka_share"] == pytest.approx(180 / 200)
    assert list(k.index) == list(overview.METRICS)
    assert set(k["kind"]) == {"money", "count", "ratio"}


def test_ka_figures_follow_current_tiers(two_years):
    keys = tiers.ka_keys(tiers.current_tiers(two_years, d("2024-12-31"), "client", d("2024-12-31")))
    assert keys == {"a", "b", "e"}


def test_group_level_changes_retention(two_years):
    # Units: A, 百联 (B + C), D, E, F. 2023 active: A 100, 百联 80, D 20.
    # NRR (120 + 30 + 0) / 200 as before; GRR (100 + min(30, 80) + 0) / 200 = 0.65 (client level: 0.70).
    k = overview.kpis(two_years, Y2024, "group", d("2024-12-31"))
    assert k.at["nrr", "current"] == pytest.approx(0.75)
    assert k.at["grr", "current"] == pytest.approx(0.65)
    assert k.at["active", "current"] == 4            # A, 百联 (30), E, F
    assert k.at["lost", "current"] == 1              # D only: 百联 stays active
    assert k.at["new", "current"] == 1


def test_movers_and_lists(two_years):
    moved = overview.movers(two_years, Y2024)
    rose = moved[moved["direction"] == "rose"]
    fell = moved[moved["direction"] == "fell"]
    assert rose[["unit_name", "change"]].values.tolist() == [["E", 60.0], ["F", 25.0], ["A", 20.0]]
    assert fell[["unit_name", "change"]].values.tolist() == [["C", -40.0], ["D", -20.0], ["B", -10.0]]
    assert math.isnan(rose.iloc[0]["change_pct"])             # E had nothing before
    assert rose.iloc[2]["change_pct"] == pytest.approx(0.2)
    lists = overview.arrivals_and_departures(two_years, Y2024)
    assert lists[["status", "unit_name"]].values.tolist() == [["new", "E"], ["lost", "C"], ["lost", "D"]]
    assert lists.iloc[0]["first_sale"] == dt.date(2024, 10, 20)
    assert overview.movers(two_years, Y2024, n=1)["unit_name"].tolist() == ["E", "C"]


def test_custom_window_compares_with_as_many_days_before(two_years):
    window = periods.custom(d("2024-10-01"), d("2024-12-31"))     # 92 days
    previous = window.previous()
    assert (previous.start, previous.end) == (d("2024-07-01"), d("2024-09-30"))
    k = overview.kpis(two_years, window, "client", d("2024-12-31"))
    assert k.at["revenue", "current"] == pytest.approx(235)
    assert k.at["revenue", "previous"] == 0
    assert k.at["revenue", "change"] is None                     # nothing to compare with
    assert k.at["nrr", "current"] is None                        # no active client before
    assert k.at["new", "current"] == 1


def test_an_empty_window_answers_zero(two_years):
    k = overview.kpis(two_years, periods.parse_label("2030"), "client", d("2024-12-31"))
    assert k.at["active", "current"] == 0 and k.at["revenue", "current"] == 0
    assert k.at["top20_share", "current"] is None and k.at["ka_share", "current"] is None
    assert overview.movers(two_years, periods.parse_label("2030")).empty
    trend = overview.monthly_trend(two_years, periods.parse_label("2030"), "client", d("2022-05-01"), d("2024-12-31"))
    assert (trend[trend["part"] == "window"]["revenue"] == 0).all()


def test_monthly_trend(two_years):
    trend = overview.monthly_trend(two_years, Y2024, "client", d("2022-05-01"), d("2024-12-31"))
    assert trend["label"].iloc[0] == "2023-01" and trend["label"].iloc[-1] == "2024-12"   # 24 months back
    assert len(trend) == 24
    by_month = trend.set_index("label")
    assert by_month.at["2024-11", "revenue"] == pytest.approx(45)          # B 40 + C 5
    assert by_month.at["2024-12", "revenue"] == pytest.approx(10)          # C -15 + F 25
    assert by_month.at["2024-12", "active"] == 1                           # F only: C is negative
    assert by_month.at["2023-10", "part"] == "previous" and by_month.at["2024-10", "part"] == "window"
    assert trend["complete"].all()
    partial = overview.monthly_trend(two_years, Y2024, "client", d("2022-05-01"), d("2024-12-20"))
    assert not partial.set_index("label").at["2024-12", "complete"]
    quarter = overview.monthly_trend(two_years, periods.parse_label("2024Q4"), "client", d("2022-05-01"), None)
    assert quarter["label"].iloc[0] == "2023-01"       # 24 months back reach further than the previous quarter
    assert (quarter["part"] == "window").sum() == 3 and (quarter["part"] == "previous").sum() == 3


@pytest.mark.parametrize("values, expected", [
    ([5, 4, 3, 2, 1], 5 / 15),            # ⌈0.2 x 5⌉ = 1
    ([5, 4, 3, 2, 1, 1], 9 / 16),         # ⌈1.2⌉ = 2
    ([1] * 15, 3 / 15),                   # 0.2 x 15 = 3 exactly, not 4
    ([10, -5, 0], 1.0),                   # only positive values count
    ([], None),
])
def test_top_share(values, expected):
    assert overview.top_share(values) == (None if expected is None else pytest.approx(expected))


@given(st.lists(st.tuples(st.integers(min_value=1, max_value=10**6), st.integers(min_value=-10**6, max_value=10**7)),
                min_size=1, max_size=50))
def test_gross_retention_lies_between_zero_and_one(pairs):
    previous = [p for p, _ in pairs]
    current = [c for _, c in pairs]
    nrr, grr = overview.retention(previous, current)
    assert 0 <= grr <= 1 + 1e-12
    assert nrr == pytest.approx(sum(current) / sum(previous))


def test_change_kinds():
    assert overview.change("revenue", 110.0, 100.0) == pytest.approx(0.1)
    assert overview.change("revenue", 5.0, 0.0) is None
    assert overview.change("active", 7, 9) == -2
    assert overview.change("nrr", 0.9, 1.1) == pytest.approx(-0.2)
    assert overview.change("nrr", None, 1.0) is None


# ------------------------------------------------------------------ figures

def test_trend_figure_reads_back(two_years):
    trend = overview.monthly_trend(two_years, Y2024, "client", d("2022-05-01"), d("2024-12-20"))
    fig = trend_figure(trend, "zh", show_profit=True)
    bars = {trace.name: trace for trace in fig.data if trace.type == "bar"}
    assert set(bars) == {"本期", "上期"}
    window = bars["本期"]
    assert len(window.x) == 12 and window.x[-1] == "2024-12（未完结）"
    assert list(window.y)[-2:] == pytest.approx([45, 10])
    assert window.marker.pattern.shape[-1] == "/" and window.marker.pattern.shape[0] == ""
    profit = [trace for trace in fig.data if trace.type == "scatter"][0]
    assert len(profit.x) == 24
    assert list(fig.layout.yaxis.ticktext)[0] == "0"


def test_movers_figure_reads_back(two_years):
    fig = movers_figure(overview.movers(two_years, Y2024), "en")
    rose, fell = fig.data
    assert list(rose.y) == ["A", "F", "E"] and list(rose.x) == [20, 25, 60]      # largest at the top
    assert list(fell.y) == ["B", "D", "C"] and list(fell.x) == [10, 20, 40]
    assert fell.text[-1] == "-¥40"


@pytest.mark.parametrize("value, lang, text", [
    (20_000_000, "zh", "2,000万"), (150_000_000, "zh", "1.5亿"), (2500, "zh", "2,500"),
    (20_000_000, "en", "20M"), (1_500_000_000, "en", "1.5B"), (2500, "en", "2.5K"), (0, "en", "0")])
def test_tick_labels(value, lang, text):
    assert tick_label(value, lang) == text


def test_money_ticks_are_round_and_cover_the_top():
    values, texts = money_ticks(83_000_000, "zh")
    assert values[0] == 0 and values[-1] >= 83_000_000
    assert texts[1] == "2,000万"


def test_money_ticks_reach_below_zero_for_refunds():
    values, texts = money_ticks(300_000, "zh", low=-120_000)
    assert values == [-200_000, -100_000, 0, 100_000, 200_000, 300_000]
    assert texts == ["-20万", "-10万", "0", "10万", "20万", "30万"]
    assert money_ticks(0, "zh", low=0) == ([0.0], ["0"])


def test_money_axis_speaks_wan_in_chinese_and_k_in_english():
    from kam_core.charts import money_axis

    zh = money_axis(pd.Series([66_000.0, 107_000.0, None, 12_000.5]), "zh")
    assert zh["tickvals"][0] == 0 and zh["tickvals"][-1] >= 107_000
    assert zh["ticktext"][:3] == ["0", "2.5万", "5万"]      # 107,000 / 5 rounds up to steps of 2.5万
    assert money_axis([66_000.0, 107_000.0], "en")["ticktext"][:3] == ["0", "25K", "50K"]
    assert money_axis(pd.Series([], dtype="float64"), "zh") == {}


# ------------------------------------------------------------------ the demo portfolio

def test_demo_overview_matches_the_other_analyses(demo_store):
    b = portfolio.bounds(demo_store)
    window = periods.default_window(b.first_day, b.data_end)
    assert window.label == "2025"
    k = overview.kpis(demo_store, window, "client", b.data_end)
    result = pareto.concentration(demo_store, window.start, window.end)
    assert k.at["active", "current"] == result.active
    ka = tiers.ka_keys(tiers.current_tiers(demo_store, window.end, "client", b.data_end))
    assert k.at["ka_clients", "current"] == len(ka)
    in_ka = result.ranked["unit_key"].isin(ka)
    assert k.at["ka_share", "current"] == pytest.approx(result.ranked.loc[in_ka, "value"].sum() / result.total)
    n = math.ceil(0.2 * result.active)
    assert k.at["top20_share", "current"] == pytest.approx(result.ranked["cum_share"].iloc[n - 1])
    assert 0 < k.at["grr", "current"] <= 1
    assert k.at["profit", "current"] > 0
    trend = overview.monthly_trend(demo_store, window, "group", b.first_day, b.data_end)
    assert trend.loc[trend["part"] == "window", "revenue"].sum() == pytest.approx(k.at["revenue", "current"])
    for level in ("client", "group"):
        fig = trend_figure(overview.monthly_trend(demo_store, window, level, b.first_day, b.data_end), "en", True)
        assert figure_bytes(fig) < 1_000_000
        assert figure_bytes(movers_figure(overview.movers(demo_store, window, level), "zh")) < 1_000_000
