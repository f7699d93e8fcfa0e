"""Churn signals (kam_core/churn_signals.py, sql/churn_features.sql): DESIGN.md, "Churn watchlist".

Each signal on hand-made order histories as of D = 2024-06-30, with the strength
computed by hand in the comments; the pure rules on hand-made measures; the
combined risk exactly.
"""
from __future__ import annotations

import datetime as dt
from fractions import Fraction as F

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kam_core import churn, tiers
from kam_core.churn_signals import (
    DEFAULT_RULES,
    SIGNALS,
    ChurnSettings,
    SignalRule,
    breadth_drop,
    combined_risk,
    decline_drop,
    frequency_drop,
    reason_lists,
    score,
    silence_ratio,
    strength,
    tiers_dropped,
)
from kam_core.store import Store
from tests.helpers import import_orders

D = dt.date(2024, 6, 30)


def before(days: int) -> dt.date:
    return D - dt.timedelta(days=days)


def lines(client: str, dates, amount=100, **extra) -> list[dict]:
    return [{"client": client, "date": day, "amount": amount, **extra} for day in dates]


def scored(store, settings: ChurnSettings = ChurnSettings()) -> pd.DataFrame:
    frame = churn.scores(store, D, "client", settings, "off").frame
    return frame.set_index("unit_key")


def build(tmp_path_factory, name: str, rows: list[dict]) -> Store:
    folder = tmp_path_factory.mktemp(name)
    store = Store(folder / "kam.duckdb")
    import_orders(store, folder, rows, data_through=D)
    return store


# ------------------------------------------------------------------ silence, decline, frequency

HISTORY = (
    # silence: order days D-55, -45, -35, -25: gaps 10, 10, 10, median 10; 25 days since: 25/10 = 2.5,
    # s = (2.5 - 1.5) / 1.5 = 2/3
    lines("silent", [before(n) for n in (55, 45, 35, 25)])
    # gaps 4, 10, 12, 30 (median (10 + 12) / 2 = 11); 24 days since: s = (24/11 - 1.5) / 1.5 = 5/11
    + lines("evengaps", [before(n) for n in (80, 76, 66, 54, 24)])
    # two order days only: the median gap needs three
    + lines("twodays", [before(100), before(60)])
    # three order days older than 24 months and two recent ones: two in the window
    + lines("olddays", [dt.date(2022, 1, 10), dt.date(2022, 1, 20), dt.date(2022, 1, 30), before(100), before(60)])
    # ordering on rhythm: 10 days since, gap 10: ratio 1, s 0
    + lines("onrhythm", [before(n) for n in (30, 20, 10)])
    # exactly at the threshold: 15 / 10 = 1.5, s = 0
    + lines("atthreshold", [before(n) for n in (35, 25, 15)])
    # three lines on one day count as one order day: days D-50, -40, -30; 30 / 10 = 3, s = 1
    + lines("sameday", [before(50)] * 3 + [before(40), before(30)])
    # decline: previous 90 days (D-180, D-90] hold D-90 (1000); last 90 days hold D-89 (450):
    # d = 1 - 450/1000 = 0.55, s = (0.55 - 0.2) / 0.5 = 0.7
    + [{"client": "declineprev", "date": before(90), "amount": 1000}, {"client": "declineprev", "date": before(89), "amount": 450}]
    # a year earlier: (2023-04-01, 2023-06-30] holds 500, last 90 days 300: d = 0.4, s = 0.4
    + [{"client": "declineyear", "date": dt.date(2023, 5, 15), "amount": 500},
       {"client": "declineyear", "date": before(30), "amount": 300}]
    # both references: prev 1000 (d 0.55), a year earlier 600 (d 0.25): the larger, 0.55 -> s 0.7
    + [{"client": "declineboth", "date": before(120), "amount": 1000},
       {"client": "declineboth", "date": dt.date(2023, 5, 15), "amount": 600},
       {"client": "declineboth", "date": before(30), "amount": 450}]
    # prev 500 (d 0.1), a year earlier 1000 (d 0.55): the year wins, s 0.7
    + [{"client": "declineyearwins", "date": before(120), "amount": 500},
       {"client": "declineyearwins", "date": dt.date(2023, 5, 15), "amount": 1000},
       {"client": "declineyearwins", "date": before(30), "amount": 450}]
    # exactly at the threshold: d = 1 - 80/100 = 0.2, s = 0 (however floating point rounds it)
    + [{"client": "declineedge", "date": before(120), "amount": 100}, {"client": "declineedge", "date": before(30), "amount": 80}]
    # a refund larger than the sales: d = 1 - (-100)/1000 = 1.1, s clipped to 1
    + [{"client": "declinerefund", "date": before(120), "amount": 1000},
       {"client": "declinerefund", "date": before(30), "amount": 50},
       {"client": "declinerefund", "date": before(29), "amount": -150}]
    # growth: d = 1 - 200/100 < 0, s 0
    + [{"client": "growing", "date": before(120), "amount": 100}, {"client": "growing", "date": before(30), "amount": 200}]
    # frequency: 8 order days in the 365 days before the last 90, (D-455, D-90], 1 in the last 90:
    # usual = 8 x 90/365, f = 1 - 365/720 = 355/720, s = (355/720 - 0.25) / 0.5 = 350/720
    + lines("fewer", [before(n) for n in (400, 350, 300, 250, 200, 150, 120, 100, 10)])
    # none in the last 90: f = 1, s = 1
    + lines("stopped", [before(n) for n in (400, 350, 300, 250, 200, 150, 120, 100)])
    # D-455 lies outside the base window, D-90 inside: 4 base days, 1 now: f = 1 - 365/360 < 0, s 0
    + lines("usual", [before(n) for n in (455, 400, 300, 200, 90, 10)])
)


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    store = build(tmp_path_factory, "history", HISTORY)
    yield scored(store)
    store.close()


@pytest.mark.parametrize("client, expected", [
    ("silent", F(2, 3)), ("evengaps", F(5, 11)), ("twodays", 0), ("olddays", 0), ("onrhythm", 0),
    ("atthreshold", 0), ("sameday", 1),
])
def test_silence(history, client, expected):
    assert history.loc[client, "s_silence"] == pytest.approx(float(expected), abs=1e-9)


def test_silence_measures(history):
    row = history.loc["evengaps"]
    assert (row["days_since"], row["median_gap"], row["dates_24m"]) == (24, 11.0, 5)
    assert history.loc["olddays", "dates_24m"] == 2
    assert history.loc["sameday", "dates_24m"] == 3


@pytest.mark.parametrize("client, expected, reference", [
    ("declineprev", 0.7, "prev"), ("declineyear", 0.4, "year"), ("declineboth", 0.7, "prev"),
    ("declineyearwins", 0.7, "year"), ("declineedge", 0.0, "prev"), ("declinerefund", 1.0, "prev"),
    ("growing", 0.0, "prev"), ("silent", 0.0, ""),
])
def test_decline(history, client, expected, reference):
    row = history.loc[client]
    assert row["s_decline"] == pytest.approx(expected, abs=1e-9)
    assert row["decline_ref"] == reference


def test_decline_at_the_threshold_shows_no_signal(history):
    row = history.loc[["declineedge"]].assign(model_drives=False)
    assert row["x_decline"].iloc[0] == pytest.approx(0.2)
    assert "decline" not in [r["signal"] for r in reason_lists(row, "en")[0]]


@pytest.mark.parametrize("client, expected", [
    ("fewer", F(350, 720)), ("stopped", 1), ("usual", 0), ("silent", 0),
])
def test_frequency(history, client, expected):
    assert history.loc[client, "s_frequency"] == pytest.approx(float(expected), abs=1e-9)


def test_frequency_windows(history):
    assert (history.loc["usual", "days_base"], history.loc["usual", "days_last"]) == (4, 1)
    assert (history.loc["fewer", "days_base"], history.loc["fewer", "days_last"]) == (8, 1)


def test_no_breadth_without_categories_or_cities(history):
    assert (history["s_breadth"] == 0).all()


def test_trailing_year_revenue(history):
    # (D - 1 year, D] = (2023-06-30, 2024-06-30]: the 2023-05-15 line is outside
    assert history.loc["declineboth", "t12m_revenue"] == 1450
    assert history.loc["declinerefund", "t12m_revenue"] == 900


def test_history_after_as_of_is_ignored(tmp_path):
    store = Store(tmp_path / "kam.duckdb")
    import_orders(store, tmp_path, lines("late", [before(55), before(45), before(35), before(25)])
                  + lines("late", [D + dt.timedelta(days=5)]), data_through=D + dt.timedelta(days=5))
    frame = churn.scores(store, D, "client", ChurnSettings(), "off").frame.set_index("unit_key")
    assert frame.loc["late", "days_since"] == 25
    assert frame.loc["late", "s_silence"] == pytest.approx(2 / 3)
    store.close()


# ------------------------------------------------------------------ downgrade

TIERED = [
    # Q1 (total 200): a 100 key (cum before 0), b 50 important (.50), c 30 important (.75), d 15 general (.90),
    # e 5 maintenance (.975). Q2 (total 200): b 100 key, c 50 important (.50), d 30 important (.75),
    # a 20 general (.90); e bought nothing.
    *[{"client": c, "date": dt.date(2024, 2, 15), "amount": v} for c, v in
      (("a", 100), ("b", 50), ("c", 30), ("d", 15), ("e", 5))],
    *[{"client": c, "date": dt.date(2024, 5, 15), "amount": v} for c, v in (("b", 100), ("c", 50), ("d", 30), ("a", 20))],
]


@pytest.fixture
def tiered(tmp_path):
    store = Store(tmp_path / "kam.duckdb")
    import_orders(store, tmp_path, TIERED, data_through=D)
    yield store
    store.close()


def test_downgrade(tiered):
    frame = scored(tiered)
    # a: key -> general, 2 tiers: s = 2/3; e: maintenance -> no tier (one below), s = 1/3; others steady or up
    expected = {"a": 2 / 3, "b": 0, "c": 0, "d": 0, "e": 1 / 3}
    assert {k: round(frame.loc[k, "s_downgrade"], 9) for k in expected} == {k: round(v, 9) for k, v in expected.items()}
    assert (frame.loc["a", "tier"], frame.loc["a", "prev_tier"]) == ("general", "key")
    assert (frame.loc["a", "period"], frame.loc["a", "prev_period"]) == ("2024Q2", "2024Q1")


def test_a_pinned_client_is_not_downgraded(tiered):
    tiers.pin(tiered, "a", "key", "strategic account")
    frame = scored(tiered)
    assert frame.loc["a", "s_downgrade"] == 0
    assert frame.loc["a", "tier"] == "key"


def test_downgrade_follows_the_saved_tier_rule(tiered):
    # cuts 0.95 / 0.97 / 0.99: in Q2 a (cum before 0.90) is key, so it keeps its tier
    tiers.save_rule(tiered, tiers.TierRule(cuts=("0.95", "0.97", "0.99")))
    frame = scored(tiered)
    assert frame.loc["a", "s_downgrade"] == 0


# ------------------------------------------------------------------ breadth

BROAD = (
    # categories x, y, z, w in (D-180, D-90], x, y in the last 90: b = 0.5, s = (0.5 - 0.25)/0.5 = 0.5
    [{"client": "cats", "date": before(120), "amount": 10, "category": c, "city": "上海"} for c in "xyzw"]
    + [{"client": "cats", "date": before(30), "amount": 10, "category": c, "city": "上海"} for c in "xy"]
    # cities c1..c5 before, c1, c2 now: b = 0.6, s = 0.7 (categories steady: b 0)
    + [{"client": "cities", "date": before(120), "amount": 10, "category": "x", "city": f"c{i}"} for i in range(1, 6)]
    + [{"client": "cities", "date": before(30), "amount": 10, "category": "x", "city": f"c{i}"} for i in (1, 2)]
    # nothing in the 90 days before: no reference, no signal
    + [{"client": "fresh", "date": before(30), "amount": 10, "category": "x", "city": "上海"}]
    # category not filled in on its lines: only cities count (1 -> 1: b 0)
    + [{"client": "blank", "date": before(120), "amount": 10, "city": "上海"},
       {"client": "blank", "date": before(30), "amount": 10, "city": "上海"}]
)


@pytest.fixture(scope="module")
def broad(tmp_path_factory):
    store = build(tmp_path_factory, "broad", BROAD)
    yield scored(store)
    store.close()


@pytest.mark.parametrize("client, expected, dimension", [
    ("cats", 0.5, "category"), ("cities", 0.7, "city"), ("fresh", 0.0, ""), ("blank", 0.0, "city"),
])
def test_breadth(broad, client, expected, dimension):
    assert broad.loc[client, "s_breadth"] == pytest.approx(expected, abs=1e-9)
    assert broad.loc[client, "breadth_dim"] == dimension


# ------------------------------------------------------------------ the rules on hand-made measures

def test_measures_are_missing_without_a_reference():
    assert np.isnan(silence_ratio([30], [10], [2])[0])
    assert np.isnan(decline_drop([10], [0], [0])[0][0])
    assert np.isnan(frequency_drop([1], [0])[0])
    assert np.isnan(tiers_dropped([1], [np.nan])[0])
    assert np.isnan(breadth_drop([1], [0], [1], [0])[0][0])


def test_tiers_dropped():
    # key -> maintenance 3, important -> no tier 3, general -> key 0 (up), steady 0
    assert tiers_dropped([3, np.nan, 0, 2], [0, 1, 2, 2]).tolist() == [3, 3, 0, 0]


def test_strength_clips_and_ignores_missing():
    rule = SignalRule(0.5, 0.2, 0.5)
    assert strength([np.nan, -1.0, 0.2, 0.45, 0.7, 5.0], rule).tolist() == [0.0, 0.0, 0.0, 0.5, 1.0, 1.0]


FULL_ROW = {
    "days_since": 25, "median_gap": 10.0, "dates_24m": 4,           # silence 2/3
    "rev_last": 450.0, "rev_prev": 1000.0, "rev_year_ago": 0.0,      # decline 0.7
    "days_last": 1, "days_base": 8,                                  # frequency 350/720
    "tier": "general", "prev_tier": "key", "period": "2024Q2", "prev_period": "2024Q1",
    "tier_level": 2.0, "prev_tier_level": 0.0,                       # downgrade 2/3
    "cats_last": 2, "cats_prev": 4, "cities_last": 0, "cities_prev": 0,   # breadth 0.5
}


def test_combined_risk_exactly():
    out = score(pd.DataFrame([FULL_ROW]), ChurnSettings()).iloc[0]
    s = {"silence": F(2, 3), "decline": F(7, 10), "frequency": F(350, 720), "downgrade": F(2, 3), "breadth": F(1, 2)}
    w = {"silence": F(6, 10), "decline": F(5, 10), "frequency": F(4, 10), "downgrade": F(3, 10), "breadth": F(2, 10)}
    keep = F(1)
    for signal in SIGNALS:
        assert out[f"s_{signal}"] == pytest.approx(float(s[signal]), abs=1e-9)
        keep *= 1 - w[signal] * s[signal]
    # 1 - 0.6 x 0.65 x (1 - 0.4 x 350/720) x 0.8 x 0.9 = 0.7738
    assert out["rule_risk"] == pytest.approx(float(1 - keep), abs=1e-12)
    assert float(1 - keep) == pytest.approx(0.7738, abs=1e-12)
    assert out["signals"] == 5


def test_settings_change_the_strengths_and_weights():
    settings = ChurnSettings().with_rule("silence", threshold=2.0, span=1.0).with_rule("decline", weight=0.0)
    out = score(pd.DataFrame([FULL_ROW]), settings).iloc[0]
    assert out["s_silence"] == pytest.approx(0.5)          # (2.5 - 2) / 1
    keep = (1 - 0.6 * 0.5) * 1 * (1 - 0.4 * 350 / 720) * (1 - 0.3 * 2 / 3) * (1 - 0.2 * 0.5)
    assert out["rule_risk"] == pytest.approx(1 - keep, abs=1e-12)


def test_reasons_in_words_with_numbers():
    row = score(pd.DataFrame([FULL_ROW]), ChurnSettings())
    row["model_drives"] = False
    row["p_alive"] = np.nan
    en = reason_lists(row, "en")[0]
    texts = {r["signal"]: r["text"] for r in en}
    assert texts["silence"] == "last order 25 days ago; usually every 10 days"
    assert texts["decline"] == "revenue -55% vs the previous 90 days"
    assert texts["frequency"] == "ordered on 1 of the last 90 days; usually on 2.0"
    assert texts["downgrade"] == "tier fell from Key to General (2024Q1 → 2024Q2)"
    assert texts["breadth"] == "categories bought: 2 in the last 90 days, 4 in the 90 before"
    # strongest first: decline 0.7, then silence and downgrade (2/3, in signal order), frequency, breadth
    assert [r["signal"] for r in en] == ["decline", "silence", "downgrade", "breadth", "frequency"]
    zh = {r["signal"]: r["text"] for r in reason_lists(row, "zh")[0]}
    assert zh["silence"] == "最近一次下单在 25 天前；通常每 10 天一单"
    assert zh["decline"] == "近 90 天销售额较前 90 天 -55%"
    assert zh["downgrade"] == "等级从关键降为一般（2024Q1 → 2024Q2）"


def test_model_reason_when_the_model_sets_the_risk():
    row = score(pd.DataFrame([FULL_ROW]), ChurnSettings())
    row["p_alive"] = 0.1
    row["model_drives"] = True
    last = reason_lists(row, "en")[0][-1]
    assert last == {"signal": "model", "strength": pytest.approx(0.9), "text": "the model gives it a 10% chance of still being active"}


def test_no_model_reason_for_a_risk_that_shows_as_0_percent():
    row = score(pd.DataFrame([FULL_ROW, FULL_ROW]), ChurnSettings())
    row["p_alive"] = [0.996, 0.994]
    row["model_drives"] = True
    zh = reason_lists(row, "zh")
    assert all(r["signal"] != "model" for r in zh[0])       # 0.4%: it would read "仅 100%"
    assert zh[1][-1]["signal"] == "model" and zh[1][-1]["text"].endswith("99%")


def test_settings_round_trip_and_validation():
    custom = ChurnSettings().with_rule("breadth", weight=0.35, threshold=0.1, span=0.4)
    assert ChurnSettings.from_json(custom.to_json()) == custom
    assert ChurnSettings.from_json(None) == ChurnSettings()
    assert ChurnSettings.from_json({"silence": {"weight": 0.9}}).silence == SignalRule(0.9, 1.5, 1.5)
    assert ChurnSettings().rule("decline") == DEFAULT_RULES["decline"]
    for bad in ({"weight": 1.5}, {"threshold": -0.1}, {"span": 0}, {"weight": float("nan")}):
        with pytest.raises(ValueError):
            ChurnSettings().with_rule("silence", **bad)


def test_settings_from_an_edited_table():
    table = pd.DataFrame({"weight": [0.6, 0.5, 0.4, 0.3, 0.25], "threshold": [1.5, 0.2, 0.25, 0.0, 0.25],
                          "span": [1.5, 0.5, 0.5, 3.0, 0.5]})
    assert churn.settings_from_table(table) == ChurnSettings().with_rule("breadth", weight=0.25)
    table.loc[1, "span"] = 0
    with pytest.raises(ValueError, match="decline"):
        churn.settings_from_table(table)
    table.loc[1, "span"] = None
    with pytest.raises(ValueError):
        churn.settings_from_table(table)


unit = st.floats(min_value=0, max_value=1, allow_nan=False)


@given(st.lists(st.tuples(unit, unit), min_size=len(SIGNALS), max_size=len(SIGNALS)), unit)
def test_risk_is_a_probability_and_grows_with_every_signal(pairs, bump):
    settings = ChurnSettings(**{s: SignalRule(w, 0.0, 1.0) for s, (w, _) in zip(SIGNALS, pairs)})
    strengths = {s: np.array([v]) for s, (_, v) in zip(SIGNALS, pairs)}
    risk = combined_risk(strengths, settings)[0]
    assert 0 <= risk <= 1
    assert risk >= max(w * v for w, v in pairs) - 1e-12
    stronger = dict(strengths, silence=np.array([max(strengths["silence"][0], bump)]))
    assert combined_risk(stronger, settings)[0] >= risk - 1e-12


def test_a_group_is_the_sum_of_its_clients(tmp_path):
    # x1 orders on D-55 and D-35, x2 on D-45 and D-25, both in 集团A: each client has two order days
    # (no silence signal), the group four, 10 days apart, 25 days silent: s = 2/3. Revenue adds up.
    rows = [{"client": c, "date": before(n), "amount": 100, "group": "集团A"}
            for c, days in (("x1", (55, 35)), ("x2", (45, 25))) for n in days]
    store = Store(tmp_path / "kam.duckdb")
    import_orders(store, tmp_path, rows, data_through=D)
    clients = churn.scores(store, D, "client", ChurnSettings(), "off").frame.set_index("unit_key")
    groups = churn.scores(store, D, "group", ChurnSettings(), "off").frame.set_index("unit_name")
    assert (clients["s_silence"] == 0).all()
    assert groups.loc["集团A", "s_silence"] == pytest.approx(2 / 3)
    assert groups.loc["集团A", "t12m_revenue"] == 400
    assert groups.index.tolist() == ["集团A"]
    store.close()
