"""Tiers per period, pins, the current tier, calibration (kam_core/tiers.py, kam_core/ranks.py):
DESIGN.md, Definitions "Tiers" and "Complete period"."""
from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from kam_core import periods, portfolio, tiers
from kam_core.ranks import TierRule, period_ranks
from kam_core.store import Store
from tests.helpers import d, import_orders, store_with_orders

Q1 = periods.parse_label("2024Q1")
Q2 = periods.parse_label("2024Q2")


def one_quarter(tmp_path, amounts: dict[str, str], day: str = "2024-02-10", **kw) -> Store:
    return store_with_orders(tmp_path, [{"client": c, "date": day, "amount": a} for c, a in amounts.items()], **kw)


def tiers_of(store, period=Q1, rule=TierRule(), **kw) -> dict[str, str]:
    table = tiers.tiers_in(store, period, rule=rule, **kw)
    return dict(zip(table["unit_name"], table["tier"]))


# ------------------------------------------------------------------ exact assignment at and around the cuts

# Totals of 100: cum_before of the 2nd, 3rd and 4th client sits exactly on, just under or just over
# the cuts 50 / 80 / 95 (关键 if cum_before < 50% x total, 重点 < 80%, 一般 < 95%, else 维持).
CUT_CASES = [
    # A, B, C, D amounts -> tiers of A, B, C, D
    (("50", "30", "15", "5"), ("key", "important", "general", "maintenance")),          # 50 / 80 / 95 exactly
    (("49.99", "30", "15", "5.01"), ("key", "key", "important", "general")),           # 49.99 / 79.99 / 94.99
    (("50.01", "30", "15", "4.99"), ("key", "important", "general", "maintenance")),   # 50.01 / 80.01 / 95.01
    (("60", "20", "15", "5"), ("key", "important", "general", "maintenance")),          # 60 / 80 / 95
    (("40", "39.99", "15.01", "5"), ("key", "key", "important", "maintenance")),       # 40 / 79.99 / 95
]


@pytest.mark.parametrize("amounts, expected", CUT_CASES)
def test_tiers_at_and_around_each_cut(tmp_path, amounts, expected):
    store = one_quarter(tmp_path, dict(zip("ABCD", amounts)))
    assert tiers_of(store) == dict(zip("ABCD", expected))


def test_cut_compared_in_exact_decimals(tmp_path):
    # 0.05 + 0.03 = 0.08 = 0.8 x 0.10 exactly, so C is not below the 80% cut: 一般. In binary floating
    # point 0.05 + 0.03 < 0.8 * 0.1 and C would wrongly become 重点. B: cum_before 0.05 = 0.5 x 0.10 -> 重点.
    store = one_quarter(tmp_path, {"A": "0.05", "B": "0.03", "C": "0.02"})
    assert tiers_of(store) == {"A": "key", "B": "important", "C": "general"}


def test_ties_fall_by_client_key(tmp_path):
    # C 40 first; Alpha and Beta tie at 30: code-point order of the keys puts alpha (cum 40%, 关键)
    # before beta (cum 70%, 重点), on every run.
    store = one_quarter(tmp_path, {"Beta": "30", "C": "40", "Alpha": "30"})
    table = tiers.tiers_in(store, Q1)
    assert list(table["unit_name"]) == ["C", "Alpha", "Beta"]
    assert list(table["rank"]) == [1, 2, 3]
    assert list(table["tier"]) == ["key", "key", "important"]
    assert table["cum_share"].round(6).tolist() == [0.4, 0.7, 1.0]


def test_refunds_and_inactive_clients_get_no_tier(tmp_path):
    # R bought 50 and returned 60 (value -10): not active, no tier; Z only returned goods.
    rows = [{"client": "A", "date": "2024-01-05", "amount": "100"},
            {"client": "R", "date": "2024-01-06", "amount": "50"}, {"client": "R", "date": "2024-02-06", "amount": "-60"},
            {"client": "Z", "date": "2024-03-01", "amount": "-5"}]
    store = store_with_orders(tmp_path, rows)
    assert tiers_of(store) == {"A": "key"}


def test_custom_cuts_and_fixed_thresholds(tmp_path):
    store = one_quarter(tmp_path, dict(zip("ABCD", ("50", "30", "15", "5"))))
    # cuts 0.2 / 0.6 / 0.9: cum_before 0, 50, 80, 95 -> key, important, general, maintenance
    assert tiers_of(store, rule=TierRule(cuts=("0.2", "0.6", "0.9"))) == {
        "A": "key", "B": "important", "C": "general", "D": "maintenance"}
    # cuts 0.6 / 0.85 / 0.99: 0 < 60 key, 50 < 60 key, 80 < 85 important, 95 < 99 general
    assert tiers_of(store, rule=TierRule(cuts=("0.6", "0.85", "0.99"))) == {
        "A": "key", "B": "key", "C": "important", "D": "general"}
    # fixed thresholds: value >= 30 key, >= 15 important, >= 5 general (each exactly at its threshold)
    fixed = TierRule(mode="fixed", thresholds=("30", "15", "5"))
    assert tiers_of(store, rule=fixed) == {"A": "key", "B": "key", "C": "important", "D": "general"}
    fixed = TierRule(mode="fixed", thresholds=("30.01", "15.01", "5.01"))
    assert tiers_of(store, rule=fixed) == {"A": "key", "B": "important", "C": "general", "D": "maintenance"}


def test_rule_validation():
    with pytest.raises(ValueError):
        TierRule(cuts=("0.8", "0.5", "0.95"))
    with pytest.raises(ValueError):
        TierRule(cuts=("0", "0.5", "0.95"))
    with pytest.raises(ValueError):
        TierRule(mode="fixed", thresholds=("1", "5", "0"))
    assert tiers.rule_from_cli("0.5,0.8,0.95") == TierRule()
    assert tiers.rule_from_cli("0.4, 0.7, 0.9").cuts == (Decimal("0.4"), Decimal("0.7"), Decimal("0.9"))
    for bad in ("0.5,0.8", "a,b,c", "0.5,0.8,NaN", "0.9,0.8,0.95", "50,80,95"):
        with pytest.raises(ValueError):
            tiers.rule_from_cli(bad)


def test_saved_rule_round_trip(tmp_path):
    store = one_quarter(tmp_path, {"A": "1"})
    assert tiers.saved_rule(store) == (TierRule(), "revenue")
    rule = TierRule(mode="fixed", cuts=("0.4", "0.7", "0.9"), thresholds=("1000", "100", "10"))
    tiers.save_rule(store, rule, "profit")
    assert tiers.saved_rule(store) == (rule, "profit")


# ------------------------------------------------------------------ periods, partial periods, levels

def test_periods_are_whole_and_partial_marked(tmp_path):
    rows = [{"client": "A", "date": "2024-01-15", "amount": "10"}, {"client": "B", "date": "2024-02-20", "amount": "5"},
            {"client": "A", "date": "2024-04-02", "amount": "7"}]
    store = store_with_orders(tmp_path, rows, data_through=d("2024-04-30"))
    end = portfolio.bounds(store).data_end
    # a start in mid-February still covers all of 2024Q1 (a tier belongs to a whole period)
    table = tiers.period_tiers(store, "quarter", d("2024-02-15"), d("2024-04-10"), data_end=end)
    assert list(zip(table["period"], table["unit_name"], table["value"], table["complete"])) == [
        ("2024Q1", "A", 10.0, True), ("2024Q1", "B", 5.0, True), ("2024Q2", "A", 7.0, False)]
    months = tiers.period_tiers(store, "month", d("2024-01-01"), d("2024-04-30"), data_end=end)
    assert sorted(set(months["period"])) == ["2024-01", "2024-02", "2024-04"]
    assert set(months.loc[months["period"] == "2024-04", "complete"]) == {True}


def test_group_level_sums_members(tmp_path):
    rows = [{"client": "A1", "date": "2024-01-05", "amount": "30", "group": "Group A"},
            {"client": "A2", "date": "2024-01-05", "amount": "30", "group": "Group A"},
            {"client": "B", "date": "2024-01-05", "amount": "40"}]
    store = store_with_orders(tmp_path, rows)
    # clients: B 40 (key), A1 30 (cum 40%: key), A2 30 (cum 70%: important); group A 60 key, B cum 60% important
    assert tiers_of(store) == {"B": "key", "A1": "key", "A2": "important"}
    assert tiers_of(store, level="group") == {"Group A": "key", "B": "important"}


# ------------------------------------------------------------------ pins

def test_pin_fixes_one_tier_in_every_period(tmp_path):
    rows = [{"client": c, "date": "2024-02-10", "amount": a} for c, a in (("A", "50"), ("B", "30"), ("C", "15"), ("D", "5"))]
    rows.append({"client": "A", "date": "2024-05-10", "amount": "10"})
    store = store_with_orders(tmp_path, rows)
    before = tiers.period_tiers(store, "quarter", Q1.start, Q2.end)
    key = tiers.pin(store, "d", "key", "  opens the hotel industry ", who="Wang")
    assert key == "d"
    after = tiers.period_tiers(store, "quarter", Q1.start, Q2.end)
    q1 = after[after["period"] == "2024Q1"].set_index("unit_name")
    # D is 关键 by pin; nobody else's tier changes; the computed tier is kept beside it
    assert q1["tier"].to_dict() == {"A": "key", "B": "important", "C": "general", "D": "key"}
    assert q1.loc["D", "computed_tier"] == "maintenance" and bool(q1.loc["D", "pinned"])
    assert q1.loc["D", "reason"] == "opens the hotel industry"
    assert before.loc[before["period"] == "2024Q1", "tier"].tolist() == ["key", "important", "general", "maintenance"]
    # in 2024Q2 D bought nothing: it still appears, pinned, value 0, no rank, after the ranked clients
    q2 = after[after["period"] == "2024Q2"]
    assert list(zip(q2["unit_name"], q2["tier"], q2["value"], q2["pinned"])) == [
        ("A", "key", 10.0, False), ("D", "key", 0.0, True)]
    assert pd.isna(q2["rank"].iloc[1])
    listed = tiers.pins(store)
    assert list(zip(listed["client_name"], listed["tier"], listed["reason"], listed["created_by"])) == [
        ("D", "key", "opens the hotel industry", "Wang")]
    assert listed["created_at"].notna().all()
    # pins apply to clients only; at group level nothing is pinned
    assert not tiers.period_tiers(store, "quarter", Q1.start, Q2.end, level="group")["pinned"].any()
    tiers.unpin(store, "d")
    assert tiers.pins(store).empty
    again = tiers.period_tiers(store, "quarter", Q1.start, Q2.end)
    assert again[["period", "unit_key", "tier"]].equals(before[["period", "unit_key", "tier"]])


def test_pin_input_checks(tmp_path):
    store = one_quarter(tmp_path, {"A": "1"})
    with pytest.raises(ValueError):
        tiers.pin(store, "nobody", "key", "why")
    with pytest.raises(ValueError):
        tiers.pin(store, "A", "platinum", "why")
    with pytest.raises(ValueError):
        tiers.pin(store, "A", "key", "   ")
    # names are matched like uploaded names (width, case and spaces do not matter)
    assert tiers.pin(store, " ａ ", "general", "test") == "a"
    tiers.pin(store, "A", "important", "changed my mind")   # a second pin replaces the first
    assert tiers.pins(store)[["tier", "reason"]].values.tolist() == [["important", "changed my mind"]]


def test_pins_survive_reimports(tmp_path):
    rows = [{"client": "华润 万家", "date": "2024-02-10", "amount": "5"}, {"client": "B", "date": "2024-02-10", "amount": "95"}]
    store = store_with_orders(tmp_path, rows)
    tiers.pin(store, "华润万家", "key", "national flagship")
    # another month's export arrives; then the first import is deleted and loaded again
    import_orders(store, tmp_path, [{"client": "华润万家", "date": "2024-05-03", "amount": "7"}], name="may.csv")
    assert tiers.pins(store)["client_key"].tolist() == ["华润万家"]
    store.delete_dataset(1)
    import_orders(store, tmp_path, rows, name="again.csv")
    listed = tiers.pins(store)
    assert listed[["client_key", "tier", "reason"]].values.tolist() == [["华润万家", "key", "national flagship"]]
    q1 = tiers.tiers_in(store, Q1)
    assert dict(zip(q1["unit_key"], q1["tier"])) == {"b": "key", "华润万家": "key"}
    assert q1.set_index("unit_key").loc["华润万家", "computed_tier"] == "maintenance"


def test_tier_label_marks_pins():
    assert tiers.tier_label("key", False, "zh") == "关键"
    assert tiers.tier_label("key", True, "en") == "Key (pinned)"
    assert tiers.tier_label("important", True, "zh") == "重点（锁定）"
    assert tiers.tier_label(None, False, "en") == "—"


# ------------------------------------------------------------------ current tier, tier path

def test_current_tier_uses_latest_complete_quarter_and_saved_rule(tmp_path):
    rows = [{"client": "A", "date": "2024-02-01", "amount": "50"}, {"client": "B", "date": "2024-02-01", "amount": "50"},
            {"client": "B", "date": "2024-05-01", "amount": "90"}, {"client": "A", "date": "2024-05-01", "amount": "10"}]
    store = store_with_orders(tmp_path, rows, data_through=d("2024-06-15"))
    end = portfolio.bounds(store).data_end
    # 2024Q2 is partial at 2024-06-15: the current quarter is 2024Q1 (A 50 key, B cum 50% important)
    current = tiers.current_tiers(store, d("2024-06-15"), data_end=end)
    assert set(current["period"]) == {"2024Q1"}
    assert dict(zip(current["unit_name"], current["tier"])) == {"A": "key", "B": "important"}
    assert tiers.ka_keys(current) == {"a", "b"}
    tiers.save_rule(store, TierRule(cuts=("0.6", "0.8", "0.95")))
    current = tiers.current_tiers(store, d("2024-06-15"), data_end=end)
    assert dict(zip(current["unit_name"], current["tier"])) == {"A": "key", "B": "key"}


def test_current_tier_of_is_current_tiers_as_a_lookup(tmp_path):
    rows = [{"client": c, "date": day, "amount": a} for c, day, a in [
        ("A", "2024-02-01", "50"), ("B", "2024-02-01", "30"), ("C", "2024-03-01", "20"),
        ("A", "2024-05-01", "10"), ("B", "2024-05-01", "90"), ("D", "2024-11-01", "5")]]
    store = store_with_orders(tmp_path, rows, data_through=d("2024-12-31"))
    tiers.pin(store, "C", "key", "strategic")         # pinned, and idle in 2024Q2
    end = portfolio.bounds(store).data_end
    for as_of in (d("2024-03-31"), d("2024-06-30"), d("2024-12-31")):
        table = tiers.current_tiers(store, as_of, data_end=end)
        lookup = tiers.current_tier_of(store, as_of, data_end=end)
        assert lookup.sort_index().to_dict() == dict(zip(table["unit_key"], table["tier"]))
    # 2024Q2: B 90 of 100 key; A's cum_before 90% is under 95%: general; C pinned key without a sale
    assert tiers.current_tier_of(store, d("2024-06-30"), data_end=end).to_dict() == {
        "b": "key", "a": "general", "c": "key"}


def test_short_and_long_period_ranges_rank_alike(tmp_path):
    """A current quarter sums its own dates; 12 quarters read the all-data sums: same tiers."""
    rows = [{"client": f"C{i}", "date": f"2023-{1 + i % 12:02d}-{1 + i % 27:02d}", "amount": str(10 + i * 7 % 53)}
            for i in range(60)]
    store = store_with_orders(tmp_path, rows, data_through=d("2023-12-31"))
    whole = tiers.period_tiers(store, "quarter", d("2023-01-01"), d("2023-12-31"))
    for q in ("2023Q1", "2023Q2", "2023Q3", "2023Q4"):
        one = tiers.tiers_in(store, periods.parse_label(q))
        part = whole[whole["period"] == q]
        assert one[["unit_key", "rank", "tier"]].values.tolist() == part[["unit_key", "rank", "tier"]].values.tolist()


def test_tier_path(tmp_path):
    rows = [{"client": "A", "date": "2024-02-01", "amount": "50"}, {"client": "B", "date": "2024-02-01", "amount": "50"},
            {"client": "B", "date": "2024-08-01", "amount": "90"}, {"client": "A", "date": "2024-08-01", "amount": "10"}]
    store = store_with_orders(tmp_path, rows, data_through=d("2024-08-31"))
    path = tiers.tier_path(store, "a")
    assert path.columns.tolist()[:6] == ["period", "period_start", "complete", "tier", "pinned", "value"]
    # Q1: A ties B at 50, key order puts a first (key); Q2 no sales; Q3 A 10 of 100 (cum 90%: general), partial
    assert path[["period", "tier", "value", "complete"]].values.tolist() == [
        ["2024Q1", "key", 50.0, True], ["2024Q2", None, 0.0, True], ["2024Q3", "general", 10.0, False]]
    tiers.pin(store, "A", "important", "strategic")
    path = tiers.tier_path(store, "a")
    assert path["tier"].tolist() == ["important"] * 3 and path["pinned"].all()
    assert tiers.tier_path(store, "nobody")["tier"].isna().all()
    assert tiers.tier_path(store, "a", kind="year")["period"].tolist() == ["2024"]


# ------------------------------------------------------------------ calibration, capacity, distribution

def test_calibration_counts_what_a_cut_shift_moves(tmp_path):
    store = one_quarter(tmp_path, dict(zip("ABCDE", ("40", "25", "15", "12", "8"))))
    # cum_before: A 0, B 40, C 65, D 80, E 92. Saved cuts 50/80/95: A key, B key, C important, D general,
    # E general. Shift the first cut to 0.35: B (cum 40) drops to important; nothing else moves.
    cal = tiers.calibration(store, Q1, TierRule(), TierRule(cuts=("0.35", "0.8", "0.95")))
    moved = cal[cal["moved"]]
    assert list(zip(moved["unit_name"], moved["tier_from"], moved["tier_to"])) == [("B", "key", "important")]
    summary = tiers.calibration_summary(cal)
    assert summary == {"clients": 5, "moved_clients": 1, "moved_value": 25.0, "moved_value_share": 0.25,
                       "ka_from": 3, "ka_to": 3}
    grid = tiers.calibration_matrix(cal).set_index(["tier_from", "tier_to"])
    assert grid.loc[("key", "important"), "clients"] == 1 and grid.loc[("key", "key"), "clients"] == 1
    assert grid["clients"].sum() == 5
    # raising the second cut to 0.85 brings D (cum 80) into 重点: one more KA
    cal = tiers.calibration(store, Q1, TierRule(), TierRule(cuts=("0.5", "0.85", "0.95")))
    assert tiers.calibration_summary(cal)["ka_to"] == 4
    # a pinned client does not move with the cuts
    tiers.pin(store, "B", "key", "flagship")
    cal = tiers.calibration(store, Q1, TierRule(), TierRule(cuts=("0.35", "0.8", "0.95")))
    assert not cal["moved"].any()


def test_team_capacity(tmp_path):
    store = one_quarter(tmp_path, dict(zip("ABCDE", ("40", "25", "15", "12", "8"))))
    table = tiers.tiers_in(store, Q1)      # KA: A, B, C (cum 0, 40, 65 < 80)
    cap = tiers.team_capacity(table, managers=1, per_manager=2)
    assert cap == {"capacity": 2, "ka_count": 3, "gap": 1, "covered_share": 0.65, "managers_needed": 2}
    cap = tiers.team_capacity(table, managers=4, per_manager=5)
    assert cap["capacity"] == 20 and cap["gap"] == -17 and cap["covered_share"] == 1.0
    assert tiers.team_capacity(table, 0, 5)["covered_share"] == 0.0


def test_tier_distribution_fills_every_period_and_tier(tmp_path):
    rows = [{"client": "A", "date": "2024-02-01", "amount": "60"}, {"client": "B", "date": "2024-02-01", "amount": "40"},
            {"client": "A", "date": "2024-08-01", "amount": "10"}]
    store = store_with_orders(tmp_path, rows, data_through=d("2024-08-31"))
    dist = tiers.tier_distribution(store, "quarter", d("2024-01-01"), d("2024-08-31"), data_end=d("2024-08-31"))
    assert len(dist) == 3 * 4
    q1 = dist[dist["period"] == "2024Q1"].set_index("tier")
    assert q1["clients"].to_dict() == {"key": 1, "important": 1, "general": 0, "maintenance": 0}
    assert q1["value"].to_dict() == {"key": 60.0, "important": 40.0, "general": 0.0, "maintenance": 0.0}
    assert q1["value_share"].to_dict() == {"key": 0.6, "important": 0.4, "general": 0.0, "maintenance": 0.0}
    assert dist[dist["period"] == "2024Q2"]["clients"].sum() == 0
    assert dist.groupby("period")["complete"].first().to_dict() == {"2024Q1": True, "2024Q2": True, "2024Q3": False}


def test_default_period():
    end = d("2024-08-20")
    assert tiers.default_period("quarter", d("2023-01-01"), end).label == "2024Q2"
    assert tiers.default_period("quarter", d("2023-01-01"), end, until=d("2023-12-31")).label == "2023Q4"
    assert tiers.default_period("month", d("2023-01-01"), end).label == "2024-07"
    # data younger than one whole period: the partial period holding the data end
    assert tiers.default_period("quarter", d("2024-07-03"), end).label == "2024Q3"


# ------------------------------------------------------------------ the realistic portfolio

def test_demo_tiers_match_the_pareto_top_set(demo_store):
    """关键 + 重点 = the Pareto top set at 80% in every quarter; every active client has one tier."""
    b = portfolio.bounds(demo_store)
    table = tiers.period_tiers(demo_store, "quarter", b.first_day, b.data_end, data_end=b.data_end)
    ranks = period_ranks(demo_store, "quarter", periods.period_of(b.first_day, "quarter").start,
                         periods.period_of(b.data_end, "quarter").end)
    assert len(table) == len(ranks) and table["rank"].notna().all()
    merged = table.merge(ranks[["period_start", "unit_key", "in_top", "active"]], on=["period_start", "unit_key"])
    assert (merged["tier"].isin(tiers.KA_TIERS) == merged["in_top"]).all()
    counts = table.groupby("period")["unit_key"].count()
    assert (counts.to_numpy() == merged.groupby("period")["active"].first().to_numpy()).all()
    assert table.groupby("period")["rank"].apply(lambda r: list(r) == list(range(1, len(r) + 1))).all()
    assert table["complete"].tolist() == [periods.parse_label(p).complete(b.data_end) for p in table["period"]]


def test_demo_whole_period_ranking_equals_window_ranking(demo_store):
    """Ranking whole quarters from the shared per-period sums equals ranking each quarter as a window."""
    q = periods.parse_label("2025Q3")
    for level in ("client", "group"):
        quarter = period_ranks(demo_store, "quarter", q.start, q.end, "revenue", level)
        window = period_ranks(demo_store, "window", q.start, q.end, "revenue", level)
        cols = ["unit_key", "rank", "tier", "in_top", "value", "cum_before", "total"]
        assert quarter[cols].reset_index(drop=True).equals(window[cols].reset_index(drop=True))


# ------------------------------------------------------------------ the `tiers` command

def run_cli(capsys, *argv) -> tuple[int, dict | str, str]:
    import json

    from kam_core.__main__ import main

    code = main(["tiers", *argv])
    out, err = capsys.readouterr()
    try:
        return code, json.loads(out), err
    except ValueError:
        return code, out, err


@pytest.fixture
def cli_db(tmp_path):
    # 2024Q1: A 50, B 30, C 20 -> A key, B important (cum 50%), C general (cum 80%)
    # 2024Q2: C 40, A 10      -> C key, A general (cum 40 of 50 = 80%, not below the 80% cut)
    rows = [{"client": "A", "date": "2024-01-10", "amount": "50"}, {"client": "B", "date": "2024-02-10", "amount": "30"},
            {"client": "C", "date": "2024-03-10", "amount": "20"}, {"client": "A", "date": "2024-04-10", "amount": "10"},
            {"client": "C", "date": "2024-05-10", "amount": "40"}]
    store = store_with_orders(tmp_path, rows, data_through=d("2024-06-15"))
    tiers.pin(store, "B", "key", "flagship", who="Li")
    store.close()
    return str(tmp_path / "kam.duckdb")


def test_cli_json(capsys, cli_db):
    code, out, _ = run_cli(capsys, "--db", cli_db, "--json")
    assert code == 0
    assert out["periods"] == ["2024Q1", "2024Q2"] and out["partial"] == ["2024Q2"]
    # Q1: A key, B pinned key (computed important), C general (cum 80%). Q2: C 40 key, A cum 80% general,
    # B pinned key without sales.
    assert out["counts"] == {"2024Q1": {"key": 2, "important": 0, "general": 1, "maintenance": 0},
                             "2024Q2": {"key": 2, "important": 0, "general": 1, "maintenance": 0}}
    assert [(p["client"], p["tier"], p["reason"], p["by"]) for p in out["pinned"]] == [("B", "key", "flagship", "Li")]
    [move] = out["migration"]
    assert (move["from_period"], move["to_period"]) == ("2024Q1", "2024Q2")
    assert set(move["matrix"]) == {"key", "important", "general", "maintenance", "new", "inactive"}
    assert set(move["matrix"]["key"]) == {"key", "important", "general", "maintenance", "lost", "inactive"}
    nonzero = {(a, b): n for a, row in move["matrix"].items() for b, n in row.items() if n}
    assert nonzero == {("key", "key"): 1, ("key", "general"): 1, ("general", "key"): 1}   # B; A; C
    assert move["revenue_from"]["key"]["general"] == 50.0 and move["revenue_to"]["key"]["general"] == 10.0
    assert move["revenue_from"]["key"]["key"] == 30.0 and move["revenue_to"]["key"]["key"] == 0.0
    assert out["rule"]["cuts"] == [0.5, 0.8, 0.95]


def test_cli_options(capsys, cli_db):
    # cuts 0.6/0.85/0.95 in Q1: A key, B cum 50% key, C cum 80% important
    code, out, _ = run_cli(capsys, "--db", cli_db, "--json", "--cuts", "0.6,0.85,0.95", "--end", "2024-03-31")
    assert code == 0 and out["periods"] == ["2024Q1"] and out["migration"] == []
    assert out["counts"]["2024Q1"] == {"key": 2, "important": 1, "general": 0, "maintenance": 0}
    code, out, _ = run_cli(capsys, "--db", cli_db, "--json", "--period", "month")
    assert out["periods"] == ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"]
    assert out["partial"] == ["2024-06"] and len(out["migration"]) == 5
    code, out, _ = run_cli(capsys, "--db", cli_db, "--json", "--from", "2024Q1", "--to", "2024Q2", "--level", "group")
    assert out["pinned"] and [(m["from_period"], m["to_period"]) for m in out["migration"]] == [("2024Q1", "2024Q2")]
    assert out["counts"]["2024Q1"] == {"key": 1, "important": 1, "general": 1, "maintenance": 0}   # no pins by group
    code, text, _ = run_cli(capsys, "--db", cli_db)
    assert code == 0 and "2024Q2" in text and "(partial)" in text and "migration 2024Q1 -> 2024Q2" in text


@pytest.mark.parametrize("argv, message", [
    (["--from", "2024Q1"], "--from and --to"),
    (["--from", "2024Q2", "--to", "2024Q1"], "before"),
    (["--from", "2024Q1", "--to", "2024-05"], "one kind"),
    (["--from", "2024Q1", "--to", "2024Q2", "--period", "month"], "not months"),
    (["--from", "24Q1", "--to", "2024Q2"], "not a period"),
    (["--cuts", "0.9,0.5,0.95"], "cuts"),
    (["--cuts", "half"], "--cuts"),
    (["--start", "2024-05-01", "--end", "2024-01-01"], "before --start"),
    (["--start", "2024-13-01"], "ISO date"),
    (["--measure", "profit"], "profit"),
])
def test_cli_bad_input(capsys, cli_db, argv, message):
    code, _, err = run_cli(capsys, "--db", cli_db, "--json", *argv)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1


def test_cli_missing_database(capsys, tmp_path):
    code, _, err = run_cli(capsys, "--db", str(tmp_path / "none.duckdb"), "--json")
    assert code == 2 and "none.duckdb" in err
    assert not (tmp_path / "none.duckdb").exists()


def test_cli_empty_store(capsys, tmp_path):
    Store(tmp_path / "kam.duckdb").close()
    code, out, _ = run_cli(capsys, "--db", str(tmp_path / "kam.duckdb"), "--json")
    assert code == 0 and out["periods"] == [] and out["counts"] == {} and out["migration"] == []


def test_cli_on_the_demo(capsys, demo_db):
    code, out, _ = run_cli(capsys, "--db", str(demo_db), "--json", "--period", "year")
    assert code == 0 and out["periods"] == ["2023", "2024", "2025", "2026"] and out["partial"] == ["2026"]
    for move in out["migration"]:
        clients = sum(n for row in move["matrix"].values() for n in row.values())
        p_active = sum(out["counts"][move["from_period"]].values())
        assert clients >= p_active
        assert sum(move["matrix"]["key"].values()) == out["counts"][move["from_period"]]["key"]


def test_tier_list_export(tmp_path):
    import io

    import openpyxl

    from kam_core.export import xlsx_bytes

    store = one_quarter(tmp_path, dict(zip("ABCD", ("50", "30", "15", "5"))))
    tiers.pin(store, "D", "key", "flagship")
    sheets = tiers.tier_list_sheets(tiers.tiers_in(store, Q1), Q1, "en")
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(sheets)))
    assert book.sheetnames == ["2024Q1"]
    rows = list(book["2024Q1"].values)
    assert rows[0] == ("Rank", "Client", "Revenue", "Share %", "Cumulative share %", "Tier", "By the rule", "Pin reason")
    assert rows[1] == (1, "A", 50, 50, 50, "Key", "Key", "")
    assert rows[4] == (4, "D", 5, 5, 100, "Key (pinned)", "Maintenance", "flagship")
