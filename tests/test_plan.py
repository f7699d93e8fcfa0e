"""Targets, attainment and time progress, potential and headroom, the matrix, the owner scorecard,
and the `plan` command, on hand-made data whose answers are worked out in the comments."""
from __future__ import annotations

import csv
import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kam_core import archive, coverage, periods, plan
from kam_core.__main__ import main as cli
from kam_core.ingest import importer
from tests.helpers import TODAY, d, store_with_orders


def import_targets(store, tmp_path, rows: list[tuple], name: str = "targets.csv"):
    """rows: (client, owner, period, target in yuan) through the real import path."""
    path = tmp_path / name
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["客户名称", "客户经理", "期间", "目标"])
        writer.writerows([["" if v is None else v for v in row] for row in rows])
    return importer.import_file(store, str(path), name, kind="targets", today=TODAY)


# ------------------------------------------------------------------ time progress

Q1_2024 = periods.parse_label("2024Q1")      # 2024-01-01 .. 2024-03-31: 31 + 29 + 31 = 91 days


@pytest.mark.parametrize("as_of,elapsed", [
    ("2023-12-31", 0),     # before the period: nothing elapsed
    ("2024-01-01", 1),     # the first day counts
    ("2024-01-10", 10),
    ("2024-02-15", 46),    # 31 + 15
    ("2024-02-29", 60),    # leap day: 31 + 29
    ("2024-03-31", 91),
    ("2024-06-30", 91),    # after the period: all of it
])
def test_elapsed_days_and_time_progress(as_of, elapsed):
    assert plan.elapsed_days(Q1_2024, d(as_of)) == elapsed
    assert plan.time_progress(Q1_2024, d(as_of)) == elapsed / 91


@given(st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)), st.integers(0, 400),
       st.sampled_from(["2024", "2024Q3", "2024-02", "2025-12"]))
def test_time_progress_is_a_monotone_fraction(as_of, later, label):
    span = periods.parse_label(label)
    first, second = plan.time_progress(span, as_of), plan.time_progress(span, as_of + dt.timedelta(days=later))
    assert 0 <= first <= second <= 1
    assert (first == 1) == (as_of >= span.end) and (first == 0) == (as_of < span.start)


# ------------------------------------------------------------------ attainment at several as-of dates

ORDERS = [
    {"client": "甲超市", "date": "2023-12-31", "amount": 999, "owner": "王磊"},   # before the period
    {"client": "甲超市", "date": "2024-01-10", "amount": 100, "owner": "王磊"},
    {"client": "甲超市", "date": "2024-02-15", "amount": 200, "owner": "王磊"},
    {"client": "甲超市", "date": "2024-03-20", "amount": 300, "owner": "王磊"},
    {"client": "甲超市", "date": "2024-04-01", "amount": 50, "owner": "王磊"},    # after the period
    {"client": "乙连锁", "date": "2024-01-05", "amount": 400, "owner": "李娜"},   # the archive moves 乙 to 王磊
    {"client": "乙连锁", "date": "2024-03-31", "amount": -100, "owner": "李娜"},  # a refund counts
    {"client": "丙餐饮", "date": "2024-02-01", "amount": 1000, "owner": "李娜"},
]
TARGETS = [("甲超市", None, "2024Q1", 910), ("乙 连锁", None, "2024年第1季度", 455),
           (None, "王 磊", "2024Q1", 1820), (None, "李娜", "2024Q1", 2000), ("丁商贸", None, "2024Q1", 100)]


@pytest.fixture
def planned(tmp_path):
    store = store_with_orders(tmp_path, ORDERS)
    archive.update_clients(store, {"乙连锁": {"owner": "王磊"}})
    import_targets(store, tmp_path, TARGETS)
    yield store
    store.close()


# (as-of, {name: (actual, expected, behind)}); expected = target x elapsed / 91. A client target shows
# the client's display name (乙连锁, as its lines spell it, not 乙 连锁 as the target file wrote it).
# 王磊 holds 甲 and 乙 (the archive wins over 乙's lines); 李娜 holds 丙 only.
CASES = [
    ("2023-12-31", {"甲超市": (0, 0, False), "乙连锁": (0, 0, False), "王 磊": (0, 0, False), "李娜": (0, 0, False)}),
    # day 10: 甲 100 against 910 x 10/91 = 100 exactly: on pace, not behind
    ("2024-01-10", {"甲超市": (100, 100, False), "乙连锁": (400, 50, False), "王 磊": (500, 200, False),
                    "李娜": (0, 2000 * 10 / 91, True)}),
    # day 46: 甲 300 vs 460; 乙 400 vs 230; 王磊 700 vs 920; 李娜 1000 vs 1010.99
    ("2024-02-15", {"甲超市": (300, 460, True), "乙连锁": (400, 230, False), "王 磊": (700, 920, True),
                    "李娜": (1000, 2000 * 46 / 91, True)}),
    # the period's end and after it: the April line never counts; 乙's refund does
    ("2024-03-31", {"甲超市": (600, 910, True), "乙连锁": (300, 455, True), "王 磊": (900, 1820, True),
                    "李娜": (1000, 2000, True)}),
    ("2024-06-30", {"甲超市": (600, 910, True), "乙连锁": (300, 455, True), "王 磊": (900, 1820, True),
                    "李娜": (1000, 2000, True)}),
]


@pytest.mark.parametrize("as_of,expected", CASES)
def test_attainment_at_several_as_of_dates(planned, as_of, expected):
    frame = plan.attainment(planned, "2024Q1", d(as_of)).set_index("name")
    for name, (actual, due, behind) in expected.items():
        row = frame.loc[name]
        assert row["actual"] == pytest.approx(actual)
        assert row["expected"] == pytest.approx(due)
        assert row["gap_to_pace"] == pytest.approx(actual - due)
        assert row["attainment"] == pytest.approx(actual / row["target"])
        assert bool(row["behind"]) is behind


def test_attainment_rows_levels_and_unknowns(planned):
    frame = plan.attainment(planned, "2024Q1", d("2024-03-31"))
    assert list(zip(frame["level"], frame["name_key"])) == [
        ("client", "丁商贸"), ("client", "乙连锁"), ("client", "甲超市"), ("owner", "李娜"), ("owner", "王磊")]
    by_key = frame.set_index("name_key")
    assert by_key.loc["王磊", "clients"] == 2 and by_key.loc["李娜", "clients"] == 1
    assert by_key.loc["乙连锁", "owner"] == "王磊"              # the archive's owner
    assert not by_key.loc["丁商贸", "known"] and by_key.loc["丁商贸", "actual"] == 0
    assert plan.attainment(planned, "2024Q2", d("2024-03-31")).empty
    assert plan.team_level(frame) == "owner"
    total = plan.totals(frame[frame["level"] == "owner"], Q1_2024, d("2024-03-31"))
    assert (total["target"], total["actual"], total["behind"]) == (3820, 1900, 2)
    assert total["attainment"] == pytest.approx(1900 / 3820)
    behind = plan.behind_pace(frame, "client")
    # gaps at the end: 甲 600 - 910 = -310, 乙 300 - 455 = -155, 丁 0 - 100 = -100; the largest gap first
    assert list(behind["name_key"]) == ["甲超市", "乙连锁", "丁商贸"]


def test_pace_curve_monthly_cumulative(planned):
    # owners: 王磊 (甲 + 乙) and 李娜 (丙), targets 1820 + 2000 = 3820 over 91 days
    curve = plan.pace_curve(planned, "2024Q1", d("2024-02-15"), "owner")
    assert [c.isoformat() for c in curve["day"]] == ["2024-01-31", "2024-02-15", "2024-02-29", "2024-03-31"]
    assert curve["cum_actual"].tolist()[:2] == [500, 1700]          # Jan: 100 + 400; to Feb 15: + 200 + 1000
    assert curve["cum_actual"].isna().tolist() == [False, False, True, True]
    assert curve["cum_target"].tolist() == pytest.approx([3820 * 31 / 91, 3820 * 46 / 91, 3820 * 60 / 91, 3820])
    one = plan.pace_curve(planned, "2024Q1", d("2024-03-31"), "client", "甲超市")
    assert one["cum_actual"].tolist() == [100, 300, 600] and one["cum_target"].tolist()[-1] == pytest.approx(910)


def test_pace_curve_of_a_month_is_daily(planned):
    import_targets(planned, planned.path.parent, [("甲超市", None, "2024-02", 290)], "feb.csv")
    curve = plan.pace_curve(planned, "2024-02", d("2024-02-20"), "client")
    assert len(curve) == 29 and curve["cum_target"].iloc[-1] == pytest.approx(290)
    assert curve.set_index("day").loc[d("2024-02-15"), "cum_actual"] == 200
    assert curve["cum_actual"].notna().sum() == 20


# ------------------------------------------------------------------ potential and headroom

POTENTIAL_ORDERS = [
    # 区域连锁 with store counts, active in the trailing year at 2024-12-31: revenue per store
    {"client": "P1", "date": "2024-03-01", "amount": 1000, "chain_scope": "区域连锁", "store_count": 10},  # 100
    {"client": "P2", "date": "2024-04-01", "amount": 4000, "chain_scope": "区域连锁", "store_count": 20},  # 200
    {"client": "P3", "date": "2024-05-01", "amount": 1500, "chain_scope": "区域连锁", "store_count": 5},   # 300
    {"client": "P4", "date": "2024-06-01", "amount": 1600, "chain_scope": "区域连锁", "store_count": 4},   # 400
    {"client": "P5", "date": "2023-06-01", "amount": 9000, "chain_scope": "区域连锁", "store_count": 8},   # inactive
    {"client": "P6", "date": "2024-07-01", "amount": 700, "chain_scope": "区域连锁"},                      # no stores
    {"client": "P7", "date": "2024-08-01", "amount": 500, "chain_scope": "单城", "store_count": 2},       # 250
]


@pytest.fixture
def potential_store(tmp_path):
    store = store_with_orders(tmp_path, POTENTIAL_ORDERS)
    archive.update_clients(store, {"p2": {"potential": 3000}})                       # entered beats estimated
    archive.add_client(store, "X 潜在", {"chain_scope": "区域连锁", "store_count": 3})  # a prospect
    archive.add_client(store, "Y 潜在", {"potential": 5000})                          # a prospect, entered
    yield store
    store.close()


def test_potential_estimate_and_headroom_exact(potential_store):
    # 区域连锁 per-store revenue of active clients with stores: 100, 200, 300, 400 (P5 inactive, P6
    # no stores); 75th percentile, linear: position 0.75 x 3 = 2.25 -> 300 + 0.25 x 100 = 325.
    # 单城: only P7, 250.
    frame = plan.potential(potential_store, d("2024-12-31")).set_index("client_key")
    expected = {   # key: (t12m, potential, source, headroom)
        "p1": (1000, 3250, "estimated", 2250),
        "p2": (4000, 3000, "entered", 0),          # max(0, 3000 - 4000)
        "p3": (1500, 1625, "estimated", 125),
        "p4": (1600, 1300, "estimated", 0),
        "p5": (0, 2600, "estimated", 2600),       # 8 x 325, nothing in the trailing year
        "p6": (700, None, None, None),             # no store count: no estimate
        "p7": (500, 500, "estimated", 0),          # 2 x 250
        "x潜在": (0, 975, "estimated", 975),        # a prospect: 3 x 325, revenue 0
        "y潜在": (0, 5000, "entered", 5000),
    }
    assert set(frame.index) == set(expected)
    for key, (t12m, potential, source, headroom) in expected.items():
        row = frame.loc[key]
        assert row["t12m"] == t12m, key
        assert row["source"] == source, key
        if potential is None:
            assert row["potential"] != row["potential"] and row["headroom"] != row["headroom"], key
        else:
            assert row["potential"] == pytest.approx(potential), key
            assert row["headroom"] == pytest.approx(headroom), key
    assert frame.loc["p1", "per_store_p75"] == pytest.approx(325) and frame.loc["p1", "peers"] == 4
    assert not frame.loc["x潜在", "has_orders"] and frame.loc["x潜在", "in_archive"]


def test_value_headroom_matrix_quadrants(potential_store):
    # units with a potential: t12m [0, 0, 0, 500, 1000, 1500, 1600, 4000] -> median 750;
    # headroom [0, 0, 0, 125, 975, 2250, 2600, 5000] -> median 550; high = strictly above.
    matrix = plan.value_headroom_matrix(potential_store, d("2024-12-31"))
    assert matrix.value_cut == 750 and matrix.headroom_cut == 550 and matrix.without_potential == 1
    got = dict(zip(matrix.units["unit_key"], matrix.units["quadrant"]))
    assert got == {"p1": "grow", "p2": "keep", "p3": "keep", "p4": "keep", "p5": "nurture", "p7": "maintain",
                   "x潜在": "nurture", "y潜在": "nurture"}
    summary = plan.quadrant_summary(matrix.units).set_index("quadrant")
    assert summary["units"].to_dict() == {"grow": 1, "keep": 3, "nurture": 3, "maintain": 1}
    assert summary.loc["nurture", "headroom"] == pytest.approx(2600 + 975 + 5000)


def test_matrix_filters_do_not_move_units(potential_store):
    archive.update_clients(potential_store, {"p1": {"region": "华东", "owner": "王磊"}, "p5": {"region": "华东"}})
    matrix = plan.value_headroom_matrix(potential_store, d("2024-12-31"))
    east = plan.filter_units(matrix.units, regions=["华东"])
    assert dict(zip(east["unit_key"], east["quadrant"])) == {"p1": "grow", "p5": "nurture"}
    assert list(plan.filter_units(matrix.units, owners=["王磊"])["unit_key"]) == ["p1"]
    no_tier = plan.filter_units(matrix.units, tier_names=["none"])
    assert set(no_tier["unit_key"]) >= {"x潜在", "y潜在"}


@pytest.mark.parametrize("value,room,expected", [
    (10, 10, "grow"), (10, 5, "keep"), (5, 10, "nurture"), (5, 5, "maintain"),
    (7, 7, "maintain"),   # at both medians: low, low
])
def test_quadrant_rule(value, room, expected):
    assert plan.quadrant(value, room, 7, 7) == expected


def test_potential_on_the_demo_portfolio(demo_store):
    frame = plan.potential(demo_store, demo_store.data_end())
    with demo_store.reader() as cur:
        known = cur.execute("SELECT count(*) FROM client_dim").fetchone()[0]
        entered = cur.execute("SELECT count(*) FROM clients WHERE potential IS NOT NULL").fetchone()[0]
    assert len(frame) == known                            # every client in the archive or with orders
    assert (frame["source"] == "entered").sum() == entered
    assert (frame["headroom"].dropna() >= 0).all()
    with_potential = frame.dropna(subset=["potential"])
    assert ((with_potential["headroom"] - (with_potential["potential"] - with_potential["t12m"]).clip(lower=0))
            .abs() < 1e-6).all()
    prospects = frame[~frame["has_orders"]]
    assert len(prospects) == 6 and (prospects["t12m"] == 0).all()


# ------------------------------------------------------------------ the owner scorecard

SCORECARD_ORDERS = [
    # Q1 2024: A 600, C 300, D 100 (total 1000): A key, C important (600 < 800), D general -> KA {A, C}
    # Q2 2024: B 700, C 200, A 60, D 40: B key, C important (700 < 800), A general -> KA {B, C}
    {"client": "A", "date": "2023-03-01", "amount": 680, "owner": "王磊"},
    {"client": "A", "date": "2024-02-01", "amount": 600, "owner": "王磊"},
    {"client": "C", "date": "2024-02-02", "amount": 300, "owner": "李娜"},
    {"client": "D", "date": "2024-02-03", "amount": 100, "owner": "李娜"},
    {"client": "B", "date": "2024-05-01", "amount": 700, "owner": "王磊"},
    {"client": "C", "date": "2024-05-02", "amount": 200, "owner": "李娜"},
    {"client": "A", "date": "2024-05-03", "amount": 60, "owner": "王磊"},
    {"client": "D", "date": "2024-06-30", "amount": 40, "owner": "李娜"},
]


def test_owner_scorecard(tmp_path):
    store = store_with_orders(tmp_path, SCORECARD_ORDERS)
    import_targets(store, tmp_path, [(None, "王磊", "2024", 2000), (None, "赵婷", "2024", 500)])
    card = plan.owner_scorecard(store, d("2024-06-30"), "2024").set_index("owner_key")
    assert list(card.index) == ["王磊", "李娜", "赵婷"]                 # by revenue; 赵婷 holds no client
    wang, li, zhao = card.loc["王磊"], card.loc["李娜"], card.loc["赵婷"]
    # 2024 up to 06-30: 王磊 A 660 + B 700; the same days of 2023: A 680 -> change 1360 / 680 - 1 = 1
    assert (wang["clients"], wang["revenue"], wang["revenue_prev"], wang["change"]) == (2, 1360, 680, 1.0)
    assert (li["clients"], li["revenue"], li["revenue_prev"]) == (2, 640, 0) and li["change"] != li["change"]
    # 王磊's target 2000, 182 of 366 days elapsed: due 2000 x 182 / 366 = 994.5; 1360 is ahead
    assert wang["target"] == 2000 and wang["attainment"] == pytest.approx(0.68)
    assert wang["gap_to_pace"] == pytest.approx(1360 - 2000 * 182 / 366) and not wang["behind"]
    assert li["target"] != li["target"]                                  # no target: missing
    assert (zhao["clients"], zhao["revenue"], zhao["target"]) == (0, 0, 500)
    # KA now (Q2) {B, C}, before (Q1) {A, C}: 王磊 won B, lost A; 李娜 kept C
    assert (wang["ka_clients"], wang["ka_won"], wang["ka_lost"]) == (1, 1, 1)
    assert (li["ka_clients"], li["ka_won"], li["ka_lost"]) == (1, 0, 0)
    # no contact ever: every client with a service level (B: A, C: B, A: C; D maintenance has none) is overdue
    assert (wang["overdue"], li["overdue"], zhao["overdue"]) == (2, 1, 0)
    assert wang["ab_share"] == 0.0 and li["ab_share"] == 0.0 and zhao["ab_share"] != zhao["ab_share"]
    # The churn watchlist watches KA now (B, C) and KA the quarter before (A, fallen to 一般).
    # A: 60 in the last 90 days (04-02 .. 06-30) against 600 in the 90 before: decline d = 0.9, s = 1;
    # key -> general is 2 tiers down: s = 2/3; risk = 1 - (1 - 0.5)(1 - 0.3 x 2/3) = 0.6, at risk 0.6 x 660.
    # C: 200 against 300: d = 1/3, s = (1/3 - 0.2) / 0.5, risk = 0.5 s = 0.1333, at risk x 500.
    from kam_core import churn

    listed = churn.watchlist(store, d("2024-06-30")).frame
    assert listed["unit_key"].tolist() == ["a", "c"]
    assert listed["risk"].tolist() == pytest.approx([0.6, 0.4 / 3])
    assert listed["revenue_at_risk"].tolist() == pytest.approx([396, 500 * 0.4 / 3])
    assert (wang["watchlist"], li["watchlist"], zhao["watchlist"]) == (1, 1, 0)
    # A call to C (level B, cadence 60) 29 days before: 李娜's A / B client is within cadence, 王磊's B
    # (level A) was never contacted.
    coverage.add_contact(store, "C", d("2024-06-01"), "call", "李娜", None)
    card = plan.owner_scorecard(store, d("2024-06-30"), "2024").set_index("owner_key")
    assert card["overdue"].tolist() == [2, 0, 0]
    assert card["ab_share"].tolist()[:2] == [0.0, 1.0] and card.loc["赵婷", "ab_share"] != card.loc["赵婷", "ab_share"]
    # Past the data end (2024-06-30) the watchlist is the one at the data end; C's call is now 60 days old.
    past = plan.owner_scorecard(store, d("2024-07-31"), "2024").set_index("owner_key")
    assert past["watchlist"].tolist() == [1, 1, 0] and past.loc["李娜", "ab_share"] == 1.0
    store.close()


def test_scorecard_on_the_demo_portfolio(demo_store):
    end = demo_store.data_end()
    card = plan.owner_scorecard(demo_store, end, str(end.year))
    frame = plan.attainment(demo_store, str(end.year), end)
    owners = frame[frame["level"] == "owner"].set_index("name_key")
    assert set(owners.index) <= set(card["owner_key"].dropna())
    with demo_store.reader() as cur:
        held = cur.execute("SELECT count(*) FROM client_dim").fetchone()[0]
    assert card["clients"].sum() == held                     # every client is held by exactly one row
    matched = card.set_index("owner_key").loc[owners.index]
    assert (matched["revenue"] - owners["actual"]).abs().max() < 1e-6
    assert card["ka_clients"].sum() == len({k for k in _ka(demo_store, end)})


def _ka(store, end):
    from kam_core import tiers

    return tiers.ka_keys(tiers.current_tiers(store, end, "client", end))


# ------------------------------------------------------------------ the command line

def test_plan_command_json(planned, capsys):
    db = str(planned.path)
    planned.close()
    assert cli(["plan", "--db", db, "--period", "2024Q1", "--as-of", "2024-02-15", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["period"], out["as_of"]) == ("2024Q1", "2024-02-15")
    assert out["time_progress"] == pytest.approx(46 / 91, abs=1e-6)
    rows = {(r["level"], r["name"]): r for r in out["targets"]}
    assert rows[("client", "甲超市")] == {"level": "client", "name": "甲超市", "target": 910.0, "actual": 300.0,
                                         "attainment": pytest.approx(300 / 910, abs=1e-6), "gap_to_pace": -160.0,
                                         "behind": True}
    assert rows[("owner", "李娜")]["gap_to_pace"] == round(1000 - 2000 * 46 / 91, 2)
    assert {r["client"] for r in out["potential"]} == {"甲超市", "乙连锁", "丙餐饮"}
    first = out["potential"][0]
    assert set(first) >= {"client", "potential", "source", "t12m", "headroom"}
    assert all(r["source"] is None and r["potential"] is None for r in out["potential"])  # no stores, no entry


def test_plan_command_defaults_and_errors(planned, capsys):
    db = str(planned.path)
    planned.close()
    assert cli(["plan", "--db", db, "--json"]) == 0          # as of the data end (2024-04-01), its year
    out = json.loads(capsys.readouterr().out)
    assert (out["period"], out["as_of"], out["targets"]) == ("2024", "2024-04-01", [])
    assert cli(["plan", "--db", db, "--period", "2024Q5"]) == 2
    assert "2024Q5" in capsys.readouterr().err
    assert cli(["plan", "--db", db, "--as-of", "2024/02/15"]) == 2
    assert cli(["plan", "--db", str(planned.path.parent / "none.duckdb")]) == 2
    assert "none.duckdb" in capsys.readouterr().err


def test_pace_chart_dates_read_as_numbers_in_chinese():
    """Plotly names months in English (Mar 2026); a Chinese reader gets 2026-03."""
    import pandas as pd

    from kam_core.charts.plan import pace_figure

    curve = pd.DataFrame({"day": pd.date_range("2026-01-01", periods=90).date, "cum_target": range(90),
                          "cum_actual": [float(i) for i in range(60)] + [None] * 30})
    assert pace_figure(curve, "zh").layout.xaxis.tickformat == "%Y-%m"
    assert pace_figure(curve, "en").layout.xaxis.tickformat is None
