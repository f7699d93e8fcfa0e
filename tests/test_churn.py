"""The churn watchlist (kam_core/churn.py) and the `churn` command: DESIGN.md, "Churn watchlist".

The model on a degenerate portfolio (falls back) and on one drawn from the
BG/NBD process (used); the watchlist's scope, order and money on hand-made
lines and on the demo portfolio; the command line's JSON.
"""
from __future__ import annotations

import datetime as dt
import io
import json

import numpy as np
import openpyxl
import pandas as pd
import pytest

from kam_core import advances, bgnbd, churn, coverage, followup
from kam_core.__main__ import main
from kam_core.churn_signals import SIGNALS, ChurnSettings
from kam_core.export import xlsx_bytes
from kam_core.store import Store
from tests.helpers import import_orders

D = dt.date(2024, 6, 30)


def steady_rows(as_of: dt.date, n: int = 400, seed: int = 7) -> list[dict]:
    """Clients buying on a fixed cycle right up to as_of: nobody ever drops out (a -> 0)."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(n):
        day = dt.date(2023, 1, 2) + dt.timedelta(days=int(rng.integers(0, 365)))
        cycle = int(rng.integers(7, 36))
        while day <= as_of:
            rows.append({"client": f"steady{c:03d}", "date": day, "amount": 100})
            day += dt.timedelta(days=cycle)
    return rows


def bgnbd_rows(as_of: dt.date, n: int = 500, seed: int = 3, r: float = 0.6, alpha: float = 12.0, a: float = 0.8,
               b: float = 2.5) -> list[dict]:
    """Order days drawn from the BG/NBD process (rate per day), first orders 200..700 days before as_of."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(n):
        day = as_of - dt.timedelta(days=int(rng.integers(200, 700)))
        rate, dropout = rng.gamma(r, 1 / alpha), rng.beta(a, b)
        rows.append({"client": f"c{c:03d}", "date": day, "amount": 100 + c})
        while True:
            wait = rng.exponential(1 / rate)
            if wait > (as_of - day).days:
                break
            day += dt.timedelta(days=max(1, round(wait)))
            rows.append({"client": f"c{c:03d}", "date": day, "amount": 100 + c})
            if rng.random() < dropout:
                break
    return rows


def make_store(folder, rows, data_through=D) -> Store:
    store = Store(folder / "kam.duckdb")
    import_orders(store, folder, rows, data_through=data_through)
    return store


@pytest.fixture(scope="module")
def steady(tmp_path_factory):
    store = make_store(tmp_path_factory.mktemp("steady"), steady_rows(D))
    yield store
    store.close()


@pytest.fixture(scope="module")
def process(tmp_path_factory):
    rows = bgnbd_rows(D)
    store = make_store(tmp_path_factory.mktemp("process"), rows)
    yield store, rows
    store.close()


# ------------------------------------------------------------------ the model

def test_degenerate_fit_falls_back_to_the_rules(steady):
    listed = churn.watchlist(steady, D, scope="all", model="auto")
    assert listed.model.state == "fallback"
    assert listed.model.reason == "degenerate"
    assert listed.model.fit.converged and listed.model.fit.a < bgnbd.MIN_USABLE_A
    frame = churn.scores(steady, D, "client", ChurnSettings(), "auto").frame
    assert frame["p_alive"].isna().all()
    assert (frame["risk"] == frame["rule_risk"]).all()
    # "on" cannot force a degenerate fit either
    assert churn.watchlist(steady, D, model="on").model.state == "fallback"



def test_model_summary_counts_order_days_before_and_within_the_24_months(tmp_path):
    """The summary joins the order days older than the features' 24 months to those within them."""
    day = lambda n: D - dt.timedelta(days=n)      # noqa: E731
    rows = [{"client": "A", "date": day(1000), "amount": 1}, {"client": "A", "date": day(900), "amount": 1},
            {"client": "A", "date": day(900), "amount": 2},              # the same day again
            {"client": "A", "date": day(100), "amount": 1},
            {"client": "B", "date": day(1000), "amount": 1}, {"client": "B", "date": day(950), "amount": 1},
            {"client": "C", "date": day(50), "amount": 1}, {"client": "C", "date": day(10), "amount": 1},
            {"client": "D", "date": day(800), "amount": 1}]
    store = make_store(tmp_path, rows)
    try:
        summary = churn.model_summary(store, D, "client")
        in_days = summary.assign(recency=(summary["recency"] * 7).round(9), T=(summary["T"] * 7).round(9))
        # the units of the features first (A and C ordered within 24 months), in their order; then B, D
        features = churn.features(store, D, "client")["unit_key"].tolist()
        assert sorted(features) == ["a", "c"] and in_days["unit_key"].tolist() == [*features, "b", "d"]   # keys casefold
        got = {r.unit_key: (r.frequency, r.recency, r.T) for r in in_days.itertuples()}
        assert got == {"a": (2, 900, 1000), "b": (1, 50, 1000), "c": (1, 40, 50), "d": (0, 0, 800)}
        direct = bgnbd.summarize(pd.DataFrame(rows).rename(columns={"date": "order_date"}), D).set_index("client")
        for key, (frequency, recency, age) in got.items():
            assert direct.loc[key.upper(), "frequency"] == frequency
            assert direct.loc[key.upper(), "recency"] == pytest.approx(recency / 7)
            assert direct.loc[key.upper(), "T"] == pytest.approx(age / 7)
    finally:
        store.close()

def test_group_model_summary_counts_a_day_two_members_share_once(tmp_path):
    """A group's order days are the union of its members' days, older than 24 months and within them."""
    day = lambda n: D - dt.timedelta(days=n)      # noqa: E731
    rows = [{"client": "north", "date": day(1200), "amount": 1, "group": "G"},
            {"client": "north", "date": day(1000), "amount": 1, "group": "G"},
            {"client": "south", "date": day(1000), "amount": 1, "group": "G"},    # the same day as north
            {"client": "south", "date": day(800), "amount": 1, "group": "G"},
            {"client": "south", "date": day(30), "amount": 1, "group": "G"},
            {"client": "north", "date": day(30), "amount": 1, "group": "G"},      # and again within 24 months
            {"client": "solo", "date": day(1100), "amount": 1}]
    store = make_store(tmp_path, rows)
    try:
        summary = churn.model_summary(store, D, "group")
        got = {r.unit_key: (r.frequency, round(r.recency * 7, 9), round(r.T * 7, 9)) for r in summary.itertuples()}
        # G: order days 1200, 1000, 800, 30 days back; solo: one day
        assert got == {"g:g": (3, 1170, 1200), "solo": (0, 0, 1100)}     # group keys carry a "g:" prefix
        clients = churn.model_summary(store, D, "client").set_index("unit_key")["frequency"].to_dict()
        assert clients == {"north": 2, "south": 2, "solo": 0}
    finally:
        store.close()


def test_model_used_where_it_converges(process):
    store, rows = process
    status = churn.model_status(store, D, "client", "auto")
    assert status.state == "used" and status.fit.usable
    # The SQL summary is bgnbd.summarize's: the same fit on the same order days.
    orders = pd.DataFrame(rows).rename(columns={"date": "order_date"})
    summary = bgnbd.summarize(orders, D)
    direct = bgnbd.fit(summary["frequency"], summary["recency"], summary["T"])
    for name in ("r", "alpha", "a", "b", "log_likelihood"):
        assert getattr(status.fit, name) == pytest.approx(getattr(direct, name), rel=1e-9)
    # alpha in weeks: 12 days = 1.71 weeks; a and b near the process's 0.8 and 2.5
    assert status.fit.a == pytest.approx(0.8, rel=0.25) and status.fit.b == pytest.approx(2.5, rel=0.25)

    frame = churn.scores(store, D, "client", ChurnSettings(), "auto").frame.set_index("unit_key")
    expected = pd.Series(bgnbd.p_alive(direct, summary["frequency"], summary["recency"], summary["T"]),
                         index=summary["client"])
    assert np.allclose(frame["p_alive"], expected.reindex(frame.index), rtol=1e-9)
    assert np.allclose(frame["risk"], np.maximum(frame["rule_risk"], 1 - frame["p_alive"]), rtol=0, atol=0)
    assert frame["model_drives"].any()


def test_the_model_is_a_reason_where_it_sets_the_risk(process):
    store, _ = process
    listed = churn.watchlist(store, D, scope="all", model="auto", lang="en")
    driven = listed.frame[listed.frame["risk"] > listed.frame["rule_risk"]]
    assert len(driven)
    for reasons, p in zip(driven["reasons"], driven["p_alive"]):
        if 1 - p >= 0.005:
            assert reasons[-1]["signal"] == "model"
            assert reasons[-1]["strength"] == pytest.approx(1 - p)
        else:      # a risk that shows as 0% is not a reason to talk about
            assert all(r["signal"] != "model" for r in reasons)


def test_auto_needs_enough_history_and_off_is_rules_only(tmp_path):
    rows = [{"client": f"k{i}", "date": D - dt.timedelta(days=d), "amount": 10 * (i + 1)}
            for i in range(5) for d in (200, 100, 60, 30)]
    store = make_store(tmp_path, rows)
    assert churn.model_status(store, D, "client", "auto").reason == "little_history"
    assert churn.model_status(store, D, "client", "off").state == "off"
    assert churn.model_status(store, D, "client", "on").state in ("used", "fallback")
    assert churn.scores(store, D, "client", ChurnSettings(), "off").frame["p_alive"].isna().all()
    store.close()


def test_the_fit_is_cached_per_data_version(process, monkeypatch):
    store, _ = process
    calls = []
    real_fit = bgnbd.fit
    monkeypatch.setattr(churn.bgnbd, "fit", lambda *a: calls.append(1) or real_fit(*a))
    day = D - dt.timedelta(days=1)          # a date no other test fitted
    churn.watchlist(store, day, scope="all", lang="en")
    churn.watchlist(store, day, scope="ka", lang="zh")
    churn.client_signals(store, "c001", day)
    assert len(calls) == 1
    store.save_setting("an unrelated edit", 1)     # a new data version
    churn.watchlist(store, day, scope="all", lang="en")
    assert len(calls) == 2


# ------------------------------------------------------------------ the list on hand-made lines

QUIET = (
    # big: 4 x 1000 in Q2 (key); order days D-55..D-25 every 10 days, silent for 25: silence s = 2/3,
    # risk = 0.6 x 2/3 = 0.4, revenue at risk = 4000 x 0.4 = 1600
    [{"client": "big", "date": D - dt.timedelta(days=n), "amount": 1000, "owner": "王磊"} for n in (55, 45, 35, 25)]
    # small: 3 x 10 on rhythm, 维持 (cum before 4000 / 4030); would show silence if it were listed
    + [{"client": "small", "date": D - dt.timedelta(days=n), "amount": 10, "owner": "李娜"} for n in (90, 80, 10)]
    # gone: 维持-sized, silent for 60 days after a 10-day rhythm: signals, but not KA
    + [{"client": "gone", "date": D - dt.timedelta(days=n), "amount": 5, "owner": "李娜"} for n in (80, 70, 60)]
)


@pytest.fixture
def quiet(tmp_path):
    store = make_store(tmp_path, QUIET)
    yield store
    store.close()


def test_watchlist_on_hand_made_lines(quiet):
    listed = churn.watchlist(quiet, lang="en")
    assert listed.as_of == D and listed.model.state == "fallback" and listed.model.reason == "little_history"
    frame = listed.frame
    assert frame["unit_key"].tolist() == ["big"]
    row = frame.iloc[0]
    assert row["risk"] == pytest.approx(0.4)
    assert row["t12m_revenue"] == 4000
    assert row["revenue_at_risk"] == pytest.approx(1600)
    assert (row["tier"], row["owner"], row["rank"]) == ("key", "王磊", 1)
    assert row["reasons"] == [{"signal": "silence", "strength": pytest.approx(2 / 3),
                               "text": "last order 25 days ago; usually every 10 days"}]
    # big is 关键, so service level A, and no contact was ever logged: flagged (coverage's rule).
    assert row["flags"] == [{"flag": "contact", "text": "overdue for contact: never contacted, cadence 30"}]
    assert bool(row["contact_overdue"]) and not bool(row["advance_behind"])
    assert row["reason_text"] == ("last order 25 days ago; usually every 10 days; "
                                  "overdue for contact: never contacted, cadence 30")


def test_scope_and_owner_filters(quiet):
    everyone = churn.watchlist(quiet, scope="all").frame
    assert everyone["unit_key"].tolist() == ["big", "gone"]       # small shows no signal
    assert churn.watchlist(quiet, scope="maintenance").frame["unit_key"].tolist() == ["gone"]
    assert churn.watchlist(quiet, scope="all", owner="李娜").frame["unit_key"].tolist() == ["gone"]
    assert churn.watchlist(quiet, scope="ka", owner="李娜").empty
    assert churn.owners(quiet) == sorted(["王磊", "李娜"])


def test_top_and_as_of(quiet):
    assert len(churn.watchlist(quiet, scope="all", top=1).frame) == 1
    # A week earlier the current tier is 2024Q1's, when big had not bought yet: not KA then.
    # Among all clients: 18 days since its last order, usual gap 10: ratio 1.8, s = 0.2, risk 0.12.
    week = D - dt.timedelta(days=7)
    assert churn.watchlist(quiet, week).empty
    earlier = churn.watchlist(quiet, week, scope="all").frame.set_index("unit_key")
    assert earlier.loc["big", "risk"] == pytest.approx(0.12)
    with pytest.raises(ValueError, match="after the data end"):
        churn.watchlist(quiet, D + dt.timedelta(days=1))
    for bad in ({"scope": "vip"}, {"level": "region"}, {"model": "maybe"}):
        with pytest.raises(ValueError):
            churn.watchlist(quiet, **bad)


# ------------------------------------------------------------------ what coverage and the advance ledger add

def test_an_overdue_a_client_is_flagged_with_days_and_cadence(quiet):
    # A call 31 days before D: one day past the A cadence of 30.
    coverage.add_contact(quiet, "big", D - dt.timedelta(days=31), "call", "王磊", None)
    row = churn.watchlist(quiet, lang="en").frame.iloc[0]
    assert row["flags"] == [{"flag": "contact", "text": "overdue for contact: last contact 31 days ago, cadence 30"}]
    zh = churn.watchlist(quiet, lang="zh").frame.iloc[0]
    assert zh["reason_text"] == "最近一次下单在 25 天前；通常每 10 天一单；超期未联系：上次联系在 31 天前，应每 30 天联系一次"
    # A visit 30 days before D is within cadence: no flag, the list and its risk unchanged.
    coverage.add_contact(quiet, "big", D - dt.timedelta(days=30), "visit", "王磊", None)
    row = churn.watchlist(quiet, lang="en").frame.iloc[0]
    assert row["flags"] == [] and not bool(row["contact_overdue"]) and row["risk"] == pytest.approx(0.4)
    assert row["reason_text"] == "last order 25 days ago; usually every 10 days"


def test_an_advance_behind_puts_its_client_on_the_list(quiet):
    # small (维持, no signal) got 1000 on 2024-06-01 for 3 months (to 2024-08-31). By D it bought 10
    # (2024-06-20): run rate 10 / 30 days x 30.44 = 10.15 a month, projected 10 + 10 x 62 / 30 = 30.67
    # at term end, 969.33 short: behind (money in words to the yuan).
    advance_id = advances.add_advance(quiet, "small", 1000, dt.date(2024, 6, 1), 3)
    listed = churn.watchlist(quiet, lang="en")
    assert listed.frame["unit_key"].tolist() == ["big", "small"]
    small = listed.frame.iloc[1]
    assert (small["risk"], small["revenue_at_risk"], small["signals"], small["tier"]) == (0, 0, 0, "maintenance")
    assert small["reasons"] == [] and bool(small["advance_behind"])
    assert small["reason_text"] == (f"advance #{advance_id} behind: at the run rate of ¥10 a month, "
                                    "¥31 projected at term end, ¥969 short")
    # In a tier scope only with that tier; the owner filter still applies.
    assert churn.watchlist(quiet, scope="maintenance").frame["unit_key"].tolist() == ["gone", "small"]
    assert churn.watchlist(quiet, scope="important").empty
    assert churn.watchlist(quiet, owner="王磊").frame["unit_key"].tolist() == ["big"]
    assert churn.client_signals(quiet, "small", lang="en")["on_watchlist"]
    # Before the advance started nothing is behind.
    assert churn.watchlist(quiet, dt.date(2024, 5, 31)).frame["unit_key"].tolist() == []


def test_an_overdue_advance_says_so_in_both_languages(quiet):
    # 500 for 1 month from 2024-05-01 (to 2024-05-31): small bought nothing then; at D the term is over.
    advance_id = advances.add_advance(quiet, "small", 500, dt.date(2024, 5, 1), 1)
    en = churn.watchlist(quiet, lang="en").frame.set_index("unit_key").loc["small", "flags"]
    zh = churn.watchlist(quiet, lang="zh").frame.set_index("unit_key").loc["small", "flags"]
    assert en == [{"flag": "advance", "text": f"advance #{advance_id} overdue: term ended 2024-05-31 with ¥500 not recouped"}]
    assert zh == [{"flag": "advance", "text": f"预付款 #{advance_id} 已逾期：已于 2024-05-31 到期，仍有 ¥500 未回收"}]


def test_a_group_flag_names_its_member(tmp_path):
    # big and its sister shop form 大集团; big (关键, level A) was never contacted; so was the sister (重点, B: not flagged).
    rows = [{**r, "group": "大集团"} if r["client"] == "big" else r for r in QUIET]
    rows += [{"client": "east", "date": D - dt.timedelta(days=n), "amount": 300, "group": "大集团"} for n in (40, 30, 20)]
    store = make_store(tmp_path, rows)
    try:
        advance_id = advances.add_advance(store, "east", 5000, dt.date(2024, 6, 1), 2)
        flagged = churn.attention(store, D, "group", "en").set_index("unit_key")
        group_key = churn.units(store, "group").set_index("client_key").loc["big", "unit_key"]
        assert churn.units(store, "group").set_index("client_key").loc["east", "unit_key"] == group_key
        assert flagged.loc[group_key, "flags"][0] == {
            "flag": "contact", "text": "big: overdue for contact: never contacted, cadence 30"}
        assert flagged.loc[group_key, "flags"][1]["text"].startswith(f"east: advance #{advance_id} behind: ")
        assert bool(flagged.loc[group_key, "contact_overdue"]) and bool(flagged.loc[group_key, "advance_behind"])
        # At client level the same flags, without the member's name.
        by_client = churn.attention(store, D, "client", "en").set_index("unit_key")
        assert by_client.loc["big", "flags"] == [
            {"flag": "contact", "text": "overdue for contact: never contacted, cadence 30"}]
        assert by_client.loc["east", "flags"][0]["text"].startswith(f"advance #{advance_id} behind: ")
    finally:
        store.close()


def test_client_signals(quiet):
    picture = churn.client_signals(quiet, "big", lang="zh")
    assert picture["risk"] == pytest.approx(0.4) and picture["revenue_at_risk"] == pytest.approx(1600)
    assert picture["on_watchlist"] and picture["tier"] == "key" and picture["model"] == "fallback"
    assert picture["reasons"][0]["text"] == "最近一次下单在 25 天前；通常每 10 天一单"
    assert churn.client_signals(quiet, "small")["reasons"] == []
    assert churn.client_signals(quiet, "nobody") is None


def test_units_signals_are_each_units_client_signals(quiet):
    """The agenda's batch: one picture per unit with orders, the same as asking unit by unit."""
    pictures = churn.units_signals(quiet, ["small", "nobody", "big"], lang="en")
    assert sorted(pictures) == ["big", "small"]
    assert pictures["big"] == churn.client_signals(quiet, "big", lang="en")
    assert pictures["small"] == churn.client_signals(quiet, "small", lang="en")
    assert pictures["big"]["revenue_at_risk"] == pytest.approx(1600)
    assert churn.units_signals(quiet, []) == {}


def test_saved_settings_drive_the_list(quiet):
    churn.save_settings(quiet, ChurnSettings().with_rule("silence", weight=0.3))
    assert churn.saved_settings(quiet).silence.weight == 0.3
    assert churn.watchlist(quiet).frame.iloc[0]["risk"] == pytest.approx(0.2)


def test_an_empty_store(empty_db):
    store = Store(empty_db)
    listed = churn.watchlist(store)
    assert listed.as_of is None and listed.empty
    assert churn.client_signals(store, "x") is None
    store.close()


# ------------------------------------------------------------------ the demo portfolio

def test_demo_watchlist_is_ka_with_signals_by_revenue_at_risk(demo_store):
    listed = churn.watchlist(demo_store, model="off", lang="en")
    frame = listed.frame
    assert listed.as_of == demo_store.data_end()
    assert not frame.empty
    # key accounts now, the quarter before, or gone quiet as big as one
    scored = churn.scores(demo_store, listed.as_of, "client", ChurnSettings(), "off").frame.set_index("unit_key")
    floor = scored.loc[scored["tier"].isin(["key", "important"]), "t12m_revenue"].min()
    for key in frame["unit_key"]:
        row = scored.loc[key]
        assert (row["tier"] in ("key", "important") or row["prev_tier"] in ("key", "important")
                or (pd.isna(row["tier"]) and row["t12m_revenue"] >= floor)), row
    assert (frame["signals"] > 0).all() and all(len(r) >= 1 for r in frame["reasons"])
    assert frame["revenue_at_risk"].is_monotonic_decreasing
    assert np.allclose(frame["revenue_at_risk"], frame["t12m_revenue"].clip(lower=0) * frame["risk"])
    settings = ChurnSettings()
    keep = np.prod([1 - settings.rule(s).weight * frame[f"s_{s}"] for s in SIGNALS], axis=0)
    assert np.allclose(frame["risk"], 1 - keep)


def test_a_big_client_that_stopped_ordering_stays_on_the_watchlist(tmp_path):
    """华润万家 ordered 1,000 every month to 2024-06, then stopped: no tier in 2024Q4 (no revenue), yet
    the largest trailing-year client. Silence, decline and frequency all at full strength:
    risk = 1 - (1 - 0.6)(1 - 0.5)(1 - 0.4) = 0.88; at risk 0.88 x 6,000 = 5,280."""
    rows = [{"client": "华润万家", "date": f"{y}-{m:02d}-15", "amount": 1000}
            for y in (2023, 2024) for m in range(1, 13) if (y, m) <= (2024, 6)]
    rows += [{"client": "永辉", "date": d, "amount": 500} for d in
             ("2023-02-10", "2023-05-10", "2023-08-10", "2023-11-10", "2024-02-10", "2024-05-10", "2024-08-10",
              "2024-11-10", "2024-12-31")]
    store = Store(tmp_path / "kam.duckdb")
    import_orders(store, tmp_path, rows)
    listed = churn.watchlist(store, dt.date(2024, 12, 31), model="off", lang="en")
    top = listed.frame.iloc[0]
    assert (top["unit_name"], round(top["risk"], 6), round(top["revenue_at_risk"], 2)) == ("华润万家", 0.88, 5280.0)
    assert pd.isna(top["tier"])
    store.close()


def test_demo_trailing_year_and_scopes(demo_store):
    as_of = demo_store.data_end()
    frame = churn.scores(demo_store, as_of, "client", ChurnSettings(), "off").frame.set_index("unit_key")
    start = as_of.replace(year=as_of.year - 1)
    with demo_store.reader() as cur:
        truth = cur.execute("SELECT client_key, sum(amount) FROM transactions WHERE order_date > $s AND order_date <= $e "
                            "GROUP BY 1", {"s": start, "e": as_of}).df().set_index("client_key").iloc[:, 0].astype(float)
    assert np.allclose(frame.loc[truth.index, "t12m_revenue"], truth)
    everyone = churn.watchlist(demo_store, scope="all", model="off").frame
    ka = churn.watchlist(demo_store, scope="ka", model="off").frame
    assert set(ka["unit_key"]) <= set(everyone["unit_key"]) and len(everyone) > len(ka)


def test_demo_group_level(demo_store):
    listed = churn.watchlist(demo_store, level="group", scope="all", model="off")
    groups = demo_store.query("unit_names", level="group")
    assert set(listed.frame["unit_key"]) <= set(groups["unit_key"])
    assert listed.frame["unit_key"].str.startswith("g:").any()


def test_demo_export(demo_store):
    listed = churn.watchlist(demo_store, scope="all", model="off", lang="zh")
    sheet = churn.export_frame(listed, "zh", demo_store)
    assert list(sheet.columns[:3]) == ["序号", "客户", "等级"]
    assert "跟进状态" in sheet.columns and set(sheet["跟进状态"]) == {"未跟进"}
    assert len(sheet) == len(listed.frame)
    assert xlsx_bytes({"预警名单": sheet})[:2] == b"PK"


def test_export_sheet_with_follow_up_and_flags(quiet):
    followup.set_status(quiet, "big", "recovering", owner="李娜", next_step="送样")
    followup.add_note(quiet, "big", "拜访采购总监", "李娜", D - dt.timedelta(days=3), "visit")
    listed = churn.watchlist(quiet, lang="en")
    sheet = churn.export_frame(listed, "en", quiet)
    assert sheet.to_dict("records") == [{
        "#": 1, "Client": "big", "Tier": "Key", "Risk": 0.4, "Revenue at risk": 1600.0,
        "Reasons": "last order 25 days ago; usually every 10 days", "Owner": "王磊",
        "Trailing 12-month revenue": 4000.0, "Follow-up": "Recovering", "Follow-up owner": "李娜",
        "Next step": "送样", "Note date": dt.date(2024, 6, 27), "Latest note": "拜访采购总监"}]
    # The note is a contact 3 days before D: within the A cadence, so no flag.
    assert listed.frame.iloc[0]["flags"] == []
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes({"Watchlist": sheet})))
    rows = list(workbook["Watchlist"].values)
    assert rows[0][:3] == ("#", "Client", "Tier") and rows[1][1] == "big" and rows[1][5].startswith("last order 25")


# ------------------------------------------------------------------ the command line

def run_cli(capsys, *args):
    code = main(["churn", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_json(quiet, capsys):
    code, out, _ = run_cli(capsys, "--db", str(quiet.path), "--json")
    assert code == 0
    result = json.loads(out)
    assert set(result) == {"as_of", "level", "model", "watchlist"}
    assert result["as_of"] == "2024-06-30" and result["model"] == "fallback" and result["level"] == "client"
    assert result["watchlist"] == [{"client": "big", "risk": 0.4, "revenue_at_risk": 1600.0, "reasons": [
        {"signal": "silence", "strength": 0.6667, "text": "last order 25 days ago; usually every 10 days"}],
        "flags": [{"flag": "contact", "text": "overdue for contact: never contacted, cadence 30"}],
        "follow_up": None}]


def test_cli_json_carries_the_follow_up_flags_and_groups(quiet, capsys):
    followup.set_status(quiet, "big", "contacted", next_step="季度回顾")
    followup.add_note(quiet, "big", "电话：在比价", "王磊", D - dt.timedelta(days=45), "call")
    advances.add_advance(quiet, "small", 1000, dt.date(2024, 6, 1), 3)
    result = json.loads(run_cli(capsys, "--db", str(quiet.path), "--json")[1])
    big, small = result["watchlist"]
    assert big["follow_up"] == {"status": "contacted", "owner": "王磊", "next_step": "季度回顾",
                                "last_note_date": "2024-05-16", "last_note": "电话：在比价"}
    assert big["flags"] == [{"flag": "contact", "text": "overdue for contact: last contact 45 days ago, cadence 30"}]
    assert small["client"] == "small" and small["risk"] == 0 and small["reasons"] == []
    assert [f["flag"] for f in small["flags"]] == ["advance"] and small["follow_up"] is None
    grouped = json.loads(run_cli(capsys, "--db", str(quiet.path), "--json", "--level", "group")[1])
    assert grouped["level"] == "group" and [e["client"] for e in grouped["watchlist"]] == ["big", "small"]
    assert all("follow_up" not in e for e in grouped["watchlist"])


def test_cli_options(quiet, capsys):
    db = str(quiet.path)
    assert json.loads(run_cli(capsys, "--db", db, "--json", "--model", "off")[1])["model"] == "off"
    earlier = json.loads(run_cli(capsys, "--db", db, "--json", "--as-of", "2024-06-23")[1])
    assert earlier["as_of"] == "2024-06-23"
    grouped = json.loads(run_cli(capsys, "--db", db, "--json", "--level", "group", "--top", "1")[1])
    assert [e["client"] for e in grouped["watchlist"]] == ["big"]
    code, out, _ = run_cli(capsys, "--db", db, "--lang", "zh")
    assert code == 0 and "最近一次下单在 25 天前" in out


@pytest.mark.parametrize("args, message", [
    (["--as-of", "2024-13-01"], "ISO date"),
    (["--as-of", "2024-07-01"], "after the data end"),
    (["--top", "0"], "--top"),
])
def test_cli_bad_input(quiet, capsys, args, message):
    code, out, err = run_cli(capsys, "--db", str(quiet.path), "--json", *args)
    assert code == 2 and out == "" and message in err and len(err.strip().splitlines()) == 1


def test_cli_missing_or_empty_database(tmp_path, empty_db, capsys):
    code, _, err = run_cli(capsys, "--db", str(tmp_path / "none.duckdb"))
    assert code == 2 and "none.duckdb" in err
    assert not (tmp_path / "none.duckdb").exists()
    code, _, err = run_cli(capsys, "--db", str(empty_db))
    assert code == 2 and "no orders" in err
