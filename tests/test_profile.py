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


# ------------------------------------------------------------------ what the other areas know of it

@pytest.fixture
def closed_q1(tmp_path):
    """The same lines with the data through 2025-03-31, so 2025Q1 is complete and has tiers:
    乙 400 (cum_before 0) and 甲 320 (400 / 970 = 0.41) are 关键 (level A, every 30 days), 丙 250
    (720 / 970 = 0.74) is 重点 (level B, every 60 days); 丁 (only a refund) has no tier."""
    s = store_with_orders(tmp_path, ROWS, data_through=d("2025-03-31"))
    yield s
    s.close()


def test_advances_on_the_profile(closed_q1):
    from kam_core import advances

    # 甲: 1,000 from 2025-01-01 for 12 months, half of its sales count: counted 0.5 x 320 = 160 by the
    # data end, recouped 160, remaining 840 (16%). The run rate (160 over the 90 days of 2025-01-01 ..
    # 2025-03-31) projects 160 + 160 x 275 / 90 = 648.89 by the term end (275 days left): behind.
    # 丙's advance is not 甲's.
    advances.add_advance(closed_q1, "甲超市", 1000, d("2025-01-01"), 12, "refund", 0.5)
    advances.add_advance(closed_q1, "丙餐饮", 100, d("2025-01-01"), 3, "extend")
    p = profile.client_profile(closed_q1, "甲超市", "client", Q1, True, d("2025-03-31"), "en")
    assert p.as_of == d("2025-03-31")
    row = p.advances.iloc[0]
    assert len(p.advances) == 1
    assert (row["client"], row["amount"], row["counted"], row["recouped"], row["remaining"]) == (
        "甲超市", 1000.0, 160.0, 160.0, 840.0)
    assert row["progress"] == pytest.approx(0.16) and row["status"] == "behind"
    assert row["projected_at_end"] == pytest.approx(160 + 160 * 275 / 90)
    assert profile.advance_lines(p, "en") == [("Advance #1: ¥1.0K, 16% recouped, Behind", True)]
    # 丙's own advance: 250 counted (extend rule) against 100 -> recouped.
    other = profile.client_profile(closed_q1, "丙餐饮", "client", Q1, True, d("2025-03-31"), "zh")
    assert other.advances["status"].tolist() == ["recouped"] and other.advances["remaining"].tolist() == [0.0]
    # The group 联华集团 (甲 + 乙) carries 甲's advance, named.
    group = profile.client_profile(closed_q1, "g:联华集团", "group", Q1, True, d("2025-03-31"), "en")
    assert group.advances["client"].tolist() == ["甲超市"]
    assert profile.advance_lines(group, "en")[0][0].startswith("甲超市: Advance #1")


def test_contact_cadence_on_the_profile(closed_q1):
    from kam_core import coverage

    # 甲 (level A, 30 days) was visited on 2025-03-01: 30 days before the data end, not over 30 -> in time.
    coverage.add_contact(closed_q1, "甲超市", d("2025-03-01"), "拜访", "王磊", None)
    p = profile.client_profile(closed_q1, "甲超市", "client", Q1, True, d("2025-03-31"), "en")
    assert p.service[["service_level", "cadence_days", "days_since", "overdue"]].values.tolist() == [["A", 30, 30, False]]
    assert profile.cadence_lines(p, "en") == [
        ("Level A service: a contact at least every 30 days; last contact 2025-03-01 (30 days before 2025-03-31).",
         False)]
    # At group level each member with a level: 乙 never contacted (overdue) comes first.
    group = profile.client_profile(closed_q1, "g:联华集团", "group", Q1, True, d("2025-03-31"), "zh")
    assert profile.cadence_lines(group, "zh") == [
        ("乙便利店: 服务等级：A 级，每 30 天至少联系一次；从未联系。 已逾期。", True),
        ("甲超市: 服务等级：A 级，每 30 天至少联系一次；最近联系 2025-03-01（至 2025-03-31 已 30 天）。", False)]
    # 丁 has no tier, so no level and no cadence.
    assert profile.client_profile(closed_q1, "丁药房", "client", Q1, True, d("2025-03-31")).service.empty


def test_followup_status_and_meeting_decision_on_the_profile(closed_q1):
    from kam_core import followup, pack

    followup.set_status(closed_q1, "甲超市", "contacted", "王磊", "约采购总监面谈")
    pack.save_decision(closed_q1, "甲超市", "client", "Q2 返利方案", "陈静", d("2025-04-02"))
    p = profile.client_profile(closed_q1, "甲超市", "client", Q1, True, d("2025-03-31"), "en")
    assert profile.status_lines(p, "en") == ["Contacted · owner 王磊 · next step: 约采购总监面谈"]
    assert p.followups[["note_date", "kind", "author", "text"]].values.tolist() == [
        [d("2025-04-02"), "meeting", "陈静", "Q2 返利方案"]]
    # The decision is also a contact (after the data end, so the cadence at 2025-03-31 does not see it).
    assert p.contacts[["contact_date", "kind", "source"]].values.tolist() == [[d("2025-04-02"), "meeting", "followup"]]
    assert profile.cadence_lines(p, "en")[0] == (
        "Level A service: a contact at least every 30 days; never contacted. Overdue.", True)
    # Nothing for a client without a follow-up.
    assert profile.status_lines(profile.client_profile(closed_q1, "丙餐饮", "client", Q1), "en") == []
