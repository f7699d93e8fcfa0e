"""Client profile figures on hand-made clients (hand-computed), notes, and a check on the demo portfolio."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from kam_core import periods, profile
from kam_core.ranks import period_ranks
from tests.helpers import d, import_orders, store_with_orders

Q1 = periods.period_of(dt.date(2025, 1, 1), "quarter")

# 甲 and 乙 belong to 联华集团 and sit in 上海 with 丁; 丙 is in 北京.
ROWS = [
    {"client": "甲超市", "date": "2025-01-10", "amount": 100, "profit": 20, "category": "饮料", "city": "上海",
     "owner": "王磊", "chain_scope": "区域连锁", "store_count": 17, "group": "联华集团"},
    {"client": "甲超市", "date": "2025-01-20", "amount": 50, "profit": 10, "category": "零食", "city": "上海",
     "owner": "王磊", "group": "联华集团"},
    {"client": "甲超市", "date": "2025-03-05", "amount": 200, "profit": 30, "category": "饮料", "city": "上海",
     "owner": "王磊", "group": "联华集团"},
    {"client": "甲超市", "date": "2025-03-06", "amount": -30, "profit": -5, "category": "饮料", "city": "上海",
     "owner": "王磊", "group": "联华集团"},
    {"client": "乙便利店", "date": "2025-02-01", "amount": 400, "profit": 40, "category": "饮料", "city": "上海",
     "owner": "陈静", "group": "联华集团"},
    {"client": "丙餐饮", "date": "2025-02-15", "amount": 250, "profit": 25, "category": "调味品", "city": "北京",
     "owner": "张强"},
    {"client": "丁药房", "date": "2025-01-05", "amount": -10, "profit": -1, "category": "饮料", "city": "上海",
     "owner": "王磊"},
]


@pytest.fixture
def store(tmp_path):
    s = store_with_orders(tmp_path, ROWS)
    yield s
    s.close()


def test_monthly_by_hand(store):
    # 甲: January 100 + 50 = 150 (profit 30), February nothing, March 200 - 30 = 170 (profit 25).
    # The data end is the last order, 2025-03-06, so March is partial.
    frame = profile.monthly(store, "甲超市", "client", Q1.start, Q1.end, d("2025-03-06"))
    assert frame["month"].tolist() == ["2025-01", "2025-02", "2025-03"]
    assert frame["revenue"].tolist() == [150.0, 0.0, 170.0]
    assert frame["profit"].iloc[0] == 30.0 and pd.isna(frame["profit"].iloc[1]) and frame["profit"].iloc[2] == 25.0
    assert frame["lines"].tolist() == [2, 0, 2]
    assert frame["partial"].tolist() == [False, False, True]


def test_monthly_stops_at_data_end(store):
    # A year window: only the months up to the data end (2025-03-06) are listed.
    year = periods.period_of(dt.date(2025, 1, 1), "year")
    frame = profile.monthly(store, "甲超市", "client", year.start, year.end, d("2025-03-06"))
    assert frame["month"].tolist() == ["2025-01", "2025-02", "2025-03"]


def test_standing_in_portfolio_and_city(store):
    # Active in Q1: 乙 400, 甲 320, 丙 250 (丁 only refunded: -10, not active). Total 970.
    # 上海: 乙 400, 甲 320 -> 甲 is 2nd of 2, 320 / 720 of the city.
    s = profile.standing(store, "甲超市", "client", Q1.start, Q1.end)
    assert s["value"] == 320.0
    assert (s["rank"], s["active"], s["total"]) == (2, 3, 970.0)
    assert s["share"] == pytest.approx(320 / 970)
    assert (s["city"], s["city_rank"], s["city_active"], s["city_total"]) == ("上海", 2, 2, 720.0)
    assert s["city_share"] == pytest.approx(320 / 720)


def test_standing_by_profit(store):
    # Profit: 甲 20 + 10 + 30 - 5 = 55, 乙 40, 丙 25 -> 甲 first of 3, total 120.
    s = profile.standing(store, "甲超市", "client", Q1.start, Q1.end, "profit")
    assert (s["value"], s["rank"], s["active"], s["total"]) == (55.0, 1, 3, 120.0)


def test_inactive_client_has_no_rank(store):
    s = profile.standing(store, "丁药房", "client", Q1.start, Q1.end)
    assert s["value"] == -10.0
    assert s["rank"] is None and s["share"] is None and s["city_rank"] is None
    assert s["active"] == 3


def test_category_mix(store):
    # 甲's 饮料 100 + 200 - 30 = 270 (profit 45), 零食 50 (profit 10); shares of 320.
    mix = profile.mix(store, "甲超市", "client", Q1.start, Q1.end, "category")
    assert mix["item"].tolist() == ["饮料", "零食"]
    assert mix["revenue"].tolist() == [270.0, 50.0]
    assert mix["profit"].tolist() == [45.0, 10.0]
    assert mix["share"].tolist() == pytest.approx([270 / 320, 50 / 320])


def test_facts(store):
    f = profile.facts(store, "甲超市", "client")
    assert f["name"] == "甲超市" and f["owner"] == "王磊" and f["city"] == "上海"
    assert f["chain_scope"] == "区域连锁" and f["store_count"] == 17 and f["group_name"] == "联华集团"
    assert (f["first_order"], f["last_order"], f["lines"], f["members"]) == (d("2025-01-10"), d("2025-03-06"), 4, 1)
    assert profile.facts(store, "nobody", "client") is None


def test_group_level(store):
    # 联华集团 = 甲 320 + 乙 400 = 720, first of 2 active groups (丙 250 is its own group); no city rank.
    key = "g:联华集团"
    s = profile.standing(store, key, "group", Q1.start, Q1.end)
    assert (s["value"], s["rank"], s["active"], s["total"]) == (720.0, 1, 2, 970.0)
    assert s["city_rank"] is None
    f = profile.facts(store, key, "group")
    assert f["name"] == "联华集团" and f["members"] == 2 and f["owner"] == "王磊 / 陈静"
    assert sorted(profile.members(store, key, "group")) == ["乙便利店", "甲超市"]
    months = profile.monthly(store, key, "group", Q1.start, Q1.end)
    assert months["revenue"].tolist() == [150.0, 400.0, 170.0]


def test_rank_agrees_with_period_ranks(store):
    ranks = period_ranks(store, "window", Q1.start, Q1.end)
    for key, rank in zip(ranks["unit_key"], ranks["rank"]):
        assert profile.standing(store, key, "client", Q1.start, Q1.end)["rank"] == rank


def test_notes_round_trip_and_survive_reimport(store, tmp_path):
    assert profile.notes(store, "甲超市")["needs"] is None
    profile.save_notes(store, "甲超市", "  统一配送 ", "", "某品牌降价")
    saved = profile.notes(store, "甲超市")
    assert (saved["needs"], saved["pain_points"], saved["competitors"]) == ("统一配送", None, "某品牌降价")
    # Re-import the same client's lines (replacing the overlap) and delete the first import: notes stay.
    report = import_orders(store, tmp_path, [{"client": "甲超市", "date": "2025-01-10", "amount": 120}],
                           name="again.csv", on_overlap="replace")
    store.delete_dataset(1)
    assert report.dataset_id != 1
    assert profile.notes(store, "甲超市")["needs"] == "统一配送"


def test_client_profile_bundle(store):
    p = profile.client_profile(store, "甲超市", "client", Q1, True, d("2025-03-06"), "en")
    assert p.name == "甲超市"
    assert p.standing["rank"] == 2 and p.profit_standing["rank"] == 1
    assert p.categories["item"].tolist() == ["饮料", "零食"] and p.cities["item"].tolist() == ["上海"]
    assert p.tier_path["period"].tolist() == ["2025Q1"]
    assert p.stakeholders.empty and p.followups.empty and p.scenarios.empty and p.contacts.empty
    assert profile.client_profile(store, "nobody", "client", Q1) is None


def test_demo_profile_is_consistent(demo_store):
    window = periods.period_of(demo_store.data_end(), "year")
    ranks = period_ranks(demo_store, "window", window.start, window.end)
    top = ranks.iloc[0]
    p = profile.client_profile(demo_store, top["unit_key"], "client", window, True, demo_store.data_end(), "zh")
    assert p.standing["rank"] == 1
    assert p.standing["value"] == pytest.approx(float(top["value"]))
    # Months, categories and cities each add up to the client's revenue in the window.
    assert p.monthly["revenue"].sum() == pytest.approx(p.standing["value"])
    assert p.categories["revenue"].sum() == pytest.approx(p.standing["value"])
    assert p.cities["revenue"].sum() == pytest.approx(p.standing["value"])
    assert p.categories["share"].sum() == pytest.approx(1.0)
    assert p.standing["city_rank"] >= 1 and p.standing["city_active"] <= p.standing["active"]
