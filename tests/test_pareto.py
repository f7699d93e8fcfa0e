"""Pareto concentration: exact k, share, Gini, HHI on hand-checkable data, the clients listed apart,
segments, the region -> city map, the stress test, coverage fit, and the `pareto` command."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kam_core import pareto, periods, portfolio
from kam_core.__main__ import main as cli_main
from kam_core.store import Store, rebuild_client_dim
from tests.helpers import d, store_with_orders

Y24 = (d("2024-01-01"), d("2024-12-31"))


def line(client, date, amount, **extra):
    return {"client": client, "date": date, "amount": amount, **extra}


# Window 2024. Active: A 50, B 30, C 10, D 10 -> total 100. E: +5 and a refund of 8 -> -3. F: +10 and -10
# -> 0. G sells only in 2023 (outside the window). C and D tie at 10: by key, c before d.
BASIC = [
    line("A", "2024-02-01", 20, region="华东", city="上海", chain_scope="全国连锁", owner="总部张"),
    line("A", "2024-06-01", 30, region="华东", city="上海", chain_scope="全国连锁", owner="总部张"),
    line("B", "2024-03-01", 30, region="华南", city="广州", chain_scope="区域连锁", owner="华南李"),
    line("C", "2024-04-01", 10, region="华东", city="杭州", chain_scope="单城", owner="华南李"),
    line("D", "2024-05-01", 10, region="华南", city="深圳", chain_scope="单城", owner="深圳王"),
    line("E", "2024-05-02", 5, region="华南", city="深圳", chain_scope="单城", owner="深圳王"),
    line("E", "2024-07-02", -8, region="华南", city="深圳", chain_scope="单城", owner="深圳王"),
    line("F", "2024-08-01", 10, region="华北", city="北京", chain_scope="单城", owner="总部张"),
    line("F", "2024-09-01", -10, region="华北", city="北京", chain_scope="单城", owner="总部张"),
    line("G", "2023-06-01", 999, region="华北", city="北京", chain_scope="单城", owner="总部张"),
]


@pytest.fixture
def basic(tmp_path):
    store = store_with_orders(tmp_path, BASIC)
    yield store
    store.close()


# ------------------------------------------------------------------ exact answers

@pytest.mark.parametrize("theta, k", [
    ("0.5", 1),     # A alone is 50 = 0.5 x 100: reached exactly, so k = 1
    ("0.8", 2),     # A + B = 80 = 0.8 x 100 exactly: the tie at the threshold stops at B
    ("0.81", 3),    # 80 < 81: C is needed
    ("0.9", 3),     # A + B + C = 90
    ("0.95", 4),
    ("1", 4),
])
def test_k_is_exact_at_the_threshold(basic, theta, k):
    result = pareto.concentration(basic, *Y24, theta=theta)
    assert result.k == k
    assert result.active == 4
    assert result.share == k / 4
    assert result.total == 100.0
    assert int(result.ranked["in_top"].sum()) == k


def test_ranking_gini_hhi_and_shares(basic):
    result = pareto.concentration(basic, *Y24, theta="0.8")
    assert list(result.ranked["unit_name"]) == ["A", "B", "C", "D"]        # C before D: tie broken by key
    assert list(result.ranked["rank"]) == [1, 2, 3, 4]
    assert list(result.ranked["share"]) == pytest.approx([0.5, 0.3, 0.1, 0.1])
    assert list(result.ranked["cum_share"]) == pytest.approx([0.5, 0.8, 0.9, 1.0])
    # ascending 10, 10, 30, 50: (-3·10 - 1·10 + 1·30 + 3·50) / (4·100) = 140 / 400
    assert result.gini == pytest.approx(0.35)
    # 50² + 30² + 10² + 10²
    assert result.hhi == pytest.approx(3600.0)
    assert result.reached == pytest.approx(0.8)
    assert not result.empty


def test_refunds_that_make_a_client_negative_are_listed_apart(basic):
    result = pareto.concentration(basic, *Y24)
    apart = result.nonpositive
    assert list(apart["unit_name"]) == ["E", "F"]          # most negative first
    assert list(apart["value"]) == [-3.0, 0.0]
    assert "E" not in set(result.ranked["unit_name"])
    assert "G" not in set(result.ranked["unit_name"]) | set(apart["unit_name"])   # outside the window


def test_decimal_exactness_where_floats_would_miss_the_tie(tmp_path):
    # 0.7 + 0.1 is 0.7999999999999999 in binary floating point; in DECIMAL it is exactly 0.8 x 1.0.
    rows = [line("A", "2024-01-05", "0.7"), line("B", "2024-01-06", "0.1"), line("C", "2024-01-07", "0.1"),
            line("D", "2024-01-08", "0.1")]
    store = store_with_orders(tmp_path, rows)
    assert 0.7 + 0.1 < 0.8
    assert pareto.concentration(store, *Y24, theta="0.8").k == 2
    store.close()


def test_a_single_client(tmp_path):
    store = store_with_orders(tmp_path, [line("Solo", "2024-03-03", 1234.5)])
    result = pareto.concentration(store, *Y24, theta="0.8")
    assert (result.active, result.k, result.share) == (1, 1, 1.0)
    assert result.total == 1234.5
    assert result.gini == 0.0
    assert result.hhi == pytest.approx(10_000.0)
    store.close()


def test_an_empty_window_is_an_answer_not_an_error(basic):
    result = pareto.concentration(basic, d("2030-01-01"), d("2030-12-31"))
    assert result.empty
    assert (result.active, result.k, result.total) == (0, 0, 0.0)
    assert result.share is None and result.gini is None and result.hhi is None
    assert pareto.stress_test(result)["drop"].tolist() == [0.0, 0.0, 0.0, 0.0]
    assert pareto.curve(result.ranked).to_dict("list") == {"x": [0.0], "y": [0.0]}


def test_bad_arguments_are_refused(basic):
    with pytest.raises(ValueError):
        pareto.concentration(basic, *Y24, theta="1.2")
    with pytest.raises(ValueError):
        pareto.concentration(basic, *Y24, theta="0")
    with pytest.raises(ValueError):
        pareto.concentration(basic, d("2024-12-31"), d("2024-01-01"))
    with pytest.raises(ValueError):
        pareto.concentration(basic, *Y24, measure="margin")
    with pytest.raises(ValueError):
        pareto.segments(basic, *Y24, dimension="channel")


def test_profit_measure_ranks_profit(tmp_path):
    # A sells most but loses money; B and C carry the profit.
    rows = [line("A", "2024-01-05", 100, profit=-5), line("B", "2024-01-06", 50, profit=30),
            line("C", "2024-01-07", 40, profit=10)]
    store = store_with_orders(tmp_path, rows)
    result = pareto.concentration(store, *Y24, measure="profit", theta="0.75")
    assert list(result.ranked["unit_name"]) == ["B", "C"]
    assert result.total == 40.0
    assert result.k == 1                                       # 30 >= 0.75 x 40
    assert result.nonpositive.to_dict("list") == {"unit_key": ["a"], "unit_name": ["A"], "value": [-5.0]}
    store.close()


def test_group_level_sums_the_group(tmp_path):
    rows = [line("A", "2024-01-05", 40, group="华润集团"), line("B", "2024-01-06", 35, group="华润集团"),
            line("C", "2024-01-07", 25)]
    store = store_with_orders(tmp_path, rows)
    result = pareto.concentration(store, *Y24, level="group", theta="0.7")
    assert list(result.ranked["unit_name"]) == ["华润集团", "C"]
    assert list(result.ranked["value"]) == [75.0, 25.0]
    assert result.k == 1
    assert pareto.concentration(store, *Y24, level="client", theta="0.7").k == 2   # 40 < 70 <= 75
    store.close()


# ------------------------------------------------------------------ stress test, movement, curve

def test_stress_test(basic):
    stress = pareto.stress_test(pareto.concentration(basic, *Y24))
    assert stress["n"].tolist() == [1, 3, 5, 10]
    assert stress["leaving"].tolist() == [1, 3, 4, 4]         # only 4 are active
    assert stress["value"].tolist() == [50.0, 90.0, 100.0, 100.0]
    assert stress["drop"].tolist() == pytest.approx([0.5, 0.9, 1.0, 1.0])


def test_movement_and_top_set_changes(tmp_path):
    rows = [line("A", "2023-03-01", 60), line("B", "2023-03-02", 30), line("C", "2023-03-03", 10),
            line("A", "2024-03-01", 40), line("B", "2024-03-02", 10), line("C", "2024-03-03", 45),
            line("D", "2024-03-04", 5)]
    store = store_with_orders(tmp_path, rows)
    now = pareto.concentration(store, *Y24, theta="0.8")
    before = pareto.concentration(store, d("2023-01-01"), d("2023-12-31"), theta="0.8")
    assert (before.k, now.k) == (2, 2)                 # 2023: A + B = 90; 2024: C + A = 85
    moved = pareto.movement(now, before)
    assert moved["k_change"] == 0
    assert moved["share_change"] == pytest.approx(2 / 4 - 2 / 3)
    changes = pareto.top_set_changes(now, before)
    assert changes[["change", "unit_name", "value", "prev_value"]].values.tolist() == [
        ["joined", "C", 45.0, 10.0], ["left", "B", 10.0, 30.0]]
    store.close()


def test_curve_starts_at_origin_and_ends_at_one(basic):
    points = pareto.curve(pareto.concentration(basic, *Y24).ranked)
    assert points["x"].tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert points["y"].tolist() == pytest.approx([0.0, 0.5, 0.8, 0.9, 1.0])


@pytest.mark.parametrize("values, expected", [
    ([5], 0.0),
    ([1, 1, 1, 1], 0.0),
    ([0.0001, 100], (-1 * 0.0001 + 1 * 100) / (2 * 100.0001)),
    ([], None),
])
def test_gini_table(values, expected):
    assert pareto.gini(values) == (None if expected is None else pytest.approx(expected))


@given(st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=60))
def test_gini_and_hhi_bounds(values):
    n = len(values)
    g, h = pareto.gini(values), pareto.hhi(values)
    assert -1e-12 <= g <= (n - 1) / n + 1e-12
    assert 10_000 / n - 1e-6 <= h <= 10_000 + 1e-6


# ------------------------------------------------------------------ invariant: k against exact fractions

def _fast_store(path, amounts: list[Decimal]) -> Store:
    """A store holding one line per client, written straight into the canonical table."""
    store = Store(path)
    with store.write() as cur:
        cur.executemany(
            "INSERT INTO transactions (dataset_id, source_row, client_key, client_name, order_date, amount) "
            "VALUES (1, ?, ?, ?, DATE '2024-06-01', ?)",
            [(i, f"c{i:03d}", f"C{i:03d}", str(a)) for i, a in enumerate(amounts)])
        rebuild_client_dim(cur)
    return store


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cents=st.lists(st.integers(min_value=-500, max_value=100_000), min_size=1, max_size=40),
       theta_pct=st.integers(min_value=1, max_value=100))
def test_k_matches_exact_arithmetic(tmp_path_factory, cents, theta_pct):
    amounts = [Decimal(c) / 100 for c in cents]
    store = _fast_store(tmp_path_factory.mktemp("k") / "kam.duckdb", amounts)
    theta = Fraction(theta_pct, 100)
    result = pareto.concentration(store, *Y24, theta=str(Decimal(theta_pct) / 100))
    active = sorted(((Fraction(a), f"c{i:03d}") for i, a in enumerate(amounts) if a > 0),
                    key=lambda p: (-p[0], p[1]))
    total = sum(v for v, _ in active)
    k, running = 0, Fraction(0)
    while k < len(active) and running < theta * total:
        running += active[k][0]
        k += 1
    assert result.active == len(active)
    assert result.k == k
    assert list(result.ranked["unit_key"]) == [key for _, key in active]
    assert len(result.nonpositive) == sum(1 for a in amounts if a <= 0)
    store.close()


# ------------------------------------------------------------------ segments

def test_segments_by_region(basic):
    seg = pareto.segments(basic, *Y24, "region", theta="0.8")
    summary = seg.summary.set_index("segment")
    # 华东: A 50, C 10 (total 60; 0.8 x 60 = 48 -> A alone). 华南: B 30, D 10, E -3 not active
    # (total 40; 32 -> B 30 is short, so B + D). 华北: F is 0, not active.
    assert list(seg.summary["segment"]) == ["华东", "华南"]
    assert summary.loc["华东", ["active", "total", "k"]].tolist() == [2, 60.0, 1]
    assert summary.loc["华南", ["active", "total", "k"]].tolist() == [2, 40.0, 2]
    assert summary.loc["华东", "share"] == 0.5 and summary.loc["华南", "share"] == 1.0
    assert summary.loc["华东", "portfolio_share"] == pytest.approx(0.6)
    # 华东 ascending 10, 50: (-10 + 50) / (2 x 60); HHI (50/60)² + (10/60)² in percent
    assert summary.loc["华东", "gini"] == pytest.approx(40 / 120)
    assert summary.loc["华东", "hhi"] == pytest.approx((500 / 6) ** 2 + (100 / 6) ** 2)
    assert summary.loc["华南", "top_unit"] == "B"
    inside = seg.units[seg.units["segment"] == "华南"]
    assert inside["cum_share"].tolist() == pytest.approx([0.75, 1.0])


def test_segments_by_owner_and_missing_values(tmp_path):
    rows = [line("A", "2024-01-05", 70, owner="王"), line("B", "2024-01-06", 20, owner="王"),
            line("C", "2024-01-07", 10)]
    store = store_with_orders(tmp_path, rows)
    summary = pareto.segments(store, *Y24, "owner", theta="0.8").summary
    assert summary[["segment", "active", "k"]].values.tolist() == [["王", 2, 2], ["", 1, 1]]
    store.close()


def test_segments_at_group_level_count_a_group_in_each_city(tmp_path):
    rows = [line("A", "2024-01-05", 40, group="万达集团", city="上海"),
            line("B", "2024-01-06", 30, group="万达集团", city="北京"),
            line("C", "2024-01-07", 50, city="北京")]
    store = store_with_orders(tmp_path, rows)
    seg = pareto.segments(store, *Y24, "city", level="group", theta="0.5")
    by_city = {s: list(zip(f["unit_name"], f["value"])) for s, f in seg.units.groupby("segment")}
    assert by_city == {"北京": [("C", 50.0), ("万达集团", 30.0)], "上海": [("万达集团", 40.0)]}
    assert seg.summary.set_index("segment").loc["北京", "k"] == 1          # 50 >= 0.5 x 80
    store.close()


# ------------------------------------------------------------------ region -> city -> client

def test_places_give_the_share_of_the_city(basic):
    located = pareto.places(basic, *Y24).set_index("unit_name")
    assert located.loc["A", ["region", "city", "city_share", "city_rank"]].tolist() == ["华东", "上海", 1.0, 1]
    assert located.loc["D", "city_share"] == 1.0                  # E is negative, so D is all of 深圳
    assert located.loc["D", "total_share"] == pytest.approx(0.1)
    assert set(located.index) == {"A", "B", "C", "D"}


def test_local_anchors_are_outside_the_top_set(basic):
    located = pareto.places(basic, *Y24)
    result = pareto.concentration(basic, *Y24, theta="0.8")
    top = set(result.ranked.loc[result.ranked["in_top"], "unit_key"])
    anchors = pareto.local_anchors(located, top)
    assert sorted(anchors["unit_name"]) == ["C", "D"]       # small nationally, all of 杭州 and 深圳


def _places_frame(values_by_city: dict[tuple[str, str], list[float]]) -> pd.DataFrame:
    rows = []
    for (region, city), values in values_by_city.items():
        total = sum(values)
        for rank, v in enumerate(sorted(values, reverse=True), start=1):
            rows.append({"region": region, "city": city, "unit_key": f"{city}{rank}", "unit_name": f"{city}{rank}",
                         "value": v, "city_total": total, "city_share": v / total, "city_rank": rank})
    frame = pd.DataFrame(rows)
    frame["total_share"] = frame["value"] / frame["value"].sum()
    return frame


def test_treemap_keeps_the_largest_per_city_and_lumps_the_rest():
    frame = _places_frame({("华东", "上海"): [50, 20, 5, 3, 2], ("华南", "广州"): [10]})
    nodes = pareto.treemap_nodes(frame, per_city=2).set_index("id")
    assert nodes.loc["r:华东/c:上海/others", ["value", "count"]].tolist() == [10.0, 3]
    assert nodes.loc["r:华东/c:上海/others", "city_share"] == pytest.approx(0.125)
    assert nodes.loc["r:华东/c:上海/u:上海1", "city_share"] == pytest.approx(0.625)
    assert nodes.loc["r:华东", "value"] == 80.0
    assert (nodes["kind"] == "unit").sum() == 3


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.tuples(st.sampled_from(["华东", "华南", ""]), st.sampled_from(["上海", "广州", "成都", ""])),
                       st.lists(st.integers(min_value=1, max_value=10_000), min_size=1, max_size=30),
                       min_size=1, max_size=8),
       st.integers(min_value=1, max_value=12), st.integers(min_value=1, max_value=60))
def test_treemap_parents_hold_exactly_their_children(cities, per_city, max_leaves):
    nodes = pareto.treemap_nodes(_places_frame({k: [float(v) for v in vs] for k, vs in cities.items()}),
                                 per_city=per_city, max_leaves=max_leaves)
    assert nodes["id"].is_unique
    children = nodes[nodes["parent"] != ""].groupby("parent")["value"].sum()
    parents = nodes.set_index("id").loc[children.index, "value"]
    assert np.allclose(children.to_numpy(), parents.to_numpy())
    assert nodes.loc[nodes["parent"] == "", "value"].sum() == pytest.approx(sum(sum(v) for v in cities.values()))
    assert nodes.loc[nodes["kind"].isin(["unit", "others"]), "count"].sum() == sum(len(v) for v in cities.values())


# ------------------------------------------------------------------ coverage: chain scope vs owner reach

@pytest.mark.parametrize("scope, team", [("全国连锁", "hq"), ("区域连锁", "regional"), ("单城", "city"),
                                         (None, None), ("加盟", None)])
def test_suggested_team(scope, team):
    assert pareto.suggested_team(scope) == team


@pytest.mark.parametrize("regions, cities, reach", [
    (3, 9, "hq"), (2, 2, "hq"), (1, 4, "regional"), (1, 1, "city"), (0, 1, "city"), (1, 0, "regional"),
    (0, 0, None)])
def test_owner_reach(regions, cities, reach):
    assert pareto.owner_reach(regions, cities) == reach


@pytest.mark.parametrize("suggested, reach, verdict", [
    ("hq", "hq", "fits"), ("hq", "regional", "under"), ("hq", "city", "under"), ("regional", "city", "under"),
    ("city", "hq", "over"), ("regional", "hq", "over"), ("city", "city", "fits"), (None, "hq", "unknown"),
    ("hq", None, "unknown")])
def test_fit(suggested, reach, verdict):
    assert pareto.fit(suggested, reach) == verdict


def test_coverage_fit_reads_each_owner_from_everything_they_hold(basic):
    cover = pareto.coverage_fit(basic, *Y24).set_index("client_name")
    # 总部张 holds A (华东/上海), F and G (华北/北京): two regions -> hq.
    # 华南李 holds B (华南/广州) and C (华东/杭州): two regions -> hq.
    # 深圳王 holds D and E, both 深圳: one city -> city team.
    assert list(cover.index) == ["A", "B", "C", "D"]             # active clients, largest first
    assert cover.loc["A", ["suggested", "reach", "fit"]].tolist() == ["hq", "hq", "fits"]
    assert cover.loc["B", ["suggested", "reach", "fit"]].tolist() == ["regional", "hq", "over"]
    assert cover.loc["C", ["suggested", "reach", "fit"]].tolist() == ["city", "hq", "over"]
    assert cover.loc["D", ["suggested", "reach", "fit"]].tolist() == ["city", "city", "fits"]
    assert cover.loc["A", ["owner_clients", "owner_regions", "owner_cities"]].tolist() == [3, 2, 2]


def test_coverage_flags_a_national_chain_held_by_a_city_owner(tmp_path):
    rows = [line("全国甲", "2024-01-05", 100, chain_scope="全国", owner="小周", region="华东", city="上海"),
            line("本地乙", "2024-01-06", 10, chain_scope="单城", owner="小周", region="华东", city="上海"),
            line("无主丙", "2024-01-07", 10, chain_scope="区域连锁")]
    store = store_with_orders(tmp_path, rows)
    cover = pareto.coverage_fit(store, *Y24).set_index("client_name")
    assert cover.loc["全国甲", ["chain_scope", "suggested", "reach", "fit"]].tolist() == ["全国连锁", "hq", "city", "under"]
    assert cover.loc["本地乙", "fit"] == "fits"
    assert cover.loc["无主丙", "fit"] == "unknown"
    store.close()


# ------------------------------------------------------------------ the demo portfolio

def test_demo_portfolio_is_consistent(demo_store):
    b = portfolio.bounds(demo_store)
    window = periods.default_window(b.first_day, b.data_end)
    result = pareto.concentration(demo_store, window.start, window.end)
    ranked = result.ranked
    assert result.active > 100 and 0 < result.k < result.active
    # k is the first rank whose cumulative share reaches 80%
    assert ranked["cum_share"].iloc[result.k - 1] >= 0.8 - 1e-12
    assert ranked["cum_share"].iloc[result.k - 2] < 0.8
    assert ranked["value"].is_monotonic_decreasing and (ranked["value"] > 0).all()
    assert result.total == pytest.approx(ranked["value"].sum())
    lower = pareto.concentration(demo_store, window.start, window.end, theta="0.6")
    assert lower.k <= result.k
    # each client is in exactly one region, so the segments add up to the portfolio
    seg = pareto.segments(demo_store, window.start, window.end, "region")
    assert seg.summary["total"].sum() == pytest.approx(result.total)
    assert seg.summary["active"].sum() == result.active
    cover = pareto.coverage_fit(demo_store, window.start, window.end)
    assert set(cover["fit"]) <= {"fits", "under", "over", "unknown"}
    assert (cover["fit"] == "under").any()                      # the demo holds national chains with a regional owner
    located = pareto.places(demo_store, window.start, window.end, level="group")
    assert located["value"].sum() == pytest.approx(
        pareto.concentration(demo_store, window.start, window.end, level="group").total)


# ------------------------------------------------------------------ command line

def _cli(capsys, *argv) -> tuple[int, str, str]:
    code = cli_main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_json_fields(basic, capsys):
    path = str(basic.path)
    basic.close()
    code, out, _ = _cli(capsys, "pareto", "--db", path, "--start", "2024-01-01", "--end", "2024-12-31", "--json")
    assert code == 0
    result = json.loads(out)
    assert set(result) == {"active_clients", "total", "k", "share", "gini", "hhi", "empty", "top", "nonpositive"}
    assert (result["active_clients"], result["total"], result["k"], result["share"]) == (4, 100.0, 2, 0.5)
    assert result["gini"] == pytest.approx(0.35) and result["hhi"] == pytest.approx(3600)
    assert result["empty"] is False
    assert result["top"] == [{"client": "A", "value": 50.0, "cum_share": 0.5}, {"client": "B", "value": 30.0, "cum_share": 0.8},
                             {"client": "C", "value": 10.0, "cum_share": 0.9}, {"client": "D", "value": 10.0, "cum_share": 1.0}]
    assert result["nonpositive"] == [{"client": "E", "value": -3.0}, {"client": "F", "value": 0.0}]


def test_cli_open_window_means_all_data_and_threshold(basic, capsys):
    path = str(basic.path)
    basic.close()
    code, out, _ = _cli(capsys, "pareto", "--db", path, "--threshold", "0.9", "--json")
    result = json.loads(out)
    # all data: G's 999 from 2023 joins: G 999, A 50, B 30, C 10, D 10 -> total 1099; 0.9 x 1099 = 989.1
    assert code == 0 and result["active_clients"] == 5 and result["total"] == 1099.0 and result["k"] == 1
    code, out, _ = _cli(capsys, "pareto", "--db", path, "--start", "2030-01-01", "--json")
    assert code == 0
    assert json.loads(out) == {"active_clients": 0, "total": 0.0, "k": 0, "share": None, "gini": None,
                                    "hhi": None, "empty": True, "top": [], "nonpositive": []}
    code, out, _ = _cli(capsys, "pareto", "--db", path)
    assert code == 0 and "reach the threshold" in out


@pytest.mark.parametrize("argv, message", [
    (["--threshold", "1.5"], "--threshold"),
    (["--threshold", "eighty"], "--threshold"),
    (["--start", "2024-13-01"], "ISO date"),
    (["--start", "2024-06-01", "--end", "2024-01-01"], "before"),
    (["--measure", "profit"], "profit"),
])
def test_cli_bad_input_exits_2(basic, capsys, argv, message):
    path = str(basic.path)
    basic.close()
    code, out, err = _cli(capsys, "pareto", "--db", path, *argv)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1


def test_cli_missing_database(tmp_path, capsys):
    code, _, err = _cli(capsys, "pareto", "--db", str(tmp_path / "none.duckdb"))
    assert code == 2 and "none.duckdb" in err
    assert not (tmp_path / "none.duckdb").exists()


def test_cli_group_level_on_the_demo(demo_db, capsys):
    code, out, _ = _cli(capsys, "pareto", "--db", str(demo_db), "--level", "group", "--measure", "profit",
                        "--start", "2025-01-01", "--end", "2025-12-31", "--json")
    assert code == 0
    result = json.loads(out)
    store = Store(demo_db)
    expected = pareto.concentration(store, dt.date(2025, 1, 1), dt.date(2025, 12, 31), "profit", "group")
    store.close()
    assert (result["k"], result["active_clients"]) == (expected.k, expected.active)
    assert len(result["top"]) == expected.active
    assert [row["client"] for row in result["top"][:3]] == list(expected.ranked["unit_name"][:3])


# ------------------------------------------------------------------ figures

def _synthetic(n: int, theta: str = "0.8") -> pareto.Concentration:
    """A Concentration over n units with Zipf-like values, built without a store."""
    value = 1e6 / np.arange(1, n + 1) ** 1.1
    total = value.sum()
    cum = np.cumsum(value)
    in_top = (cum - value) < float(theta) * total
    ranked = pd.DataFrame({"rank": np.arange(1, n + 1), "unit_key": [f"k{i}" for i in range(n)],
                           "unit_name": [f"客户{i}" for i in range(n)], "value": value, "share": value / total,
                           "cum_share": cum / total, "in_top": in_top})
    return pareto.Concentration(d("2024-01-01"), d("2024-12-31"), "revenue", "client", Decimal(theta), float(total),
                                int(in_top.sum()), ranked, pd.DataFrame(columns=pareto.NONPOSITIVE_COLUMNS))


def test_concentration_figure_is_thinned_but_the_marker_is_exact():
    from kam_core.charts import figure_bytes
    from kam_core.charts.pareto import CurveSpec, concentration_figure

    big = _synthetic(20_000)
    fig = concentration_figure([CurveSpec("Revenue · 2024", big), CurveSpec("Revenue · 2023", _synthetic(15_000),
                                                                           dash="dash")], 0.8, "en")
    curve_trace, marker = fig.data[1], fig.data[2]
    assert curve_trace.name == "Revenue · 2024"
    assert 1_900 <= len(curve_trace.x) <= 2_001
    assert marker.x[0] == big.k / 20_000 and marker.y[0] == big.reached
    # the thinned curve still passes through the marker
    hit = np.flatnonzero(np.asarray(curve_trace.x) == big.k / 20_000)
    assert hit.size == 1 and curve_trace.y[hit[0]] == big.reached
    assert curve_trace.x[0] == 0 and curve_trace.x[-1] == 1
    assert marker.text == ("k = " + str(big.k),)
    assert fig.data[2].mode == "markers+text" and fig.data[4].mode == "markers"   # only the first is labelled
    assert figure_bytes(fig) < 1_000_000


def test_empty_curves_are_left_out():
    from kam_core.charts.pareto import CurveSpec, concentration_figure

    empty = _synthetic(1)
    empty = pareto.Concentration(empty.start, empty.end, "revenue", "client", Decimal("0.8"), 0.0, 0,
                                 empty.ranked.iloc[0:0], empty.nonpositive)
    fig = concentration_figure([CurveSpec("empty", empty)], 0.8, "zh")
    assert [trace.name for trace in fig.data] == ["完全平均"]


def test_stress_and_segment_figures(basic):
    from kam_core.charts.pareto import segments_figure, stress_figure

    fig = stress_figure(pareto.stress_test(pareto.concentration(basic, *Y24)), "en")
    assert list(fig.data[0].x) == ["Top 1", "Top 3", "Top 5", "Top 10"]
    assert list(fig.data[0].text) == ["-50.0%", "-90.0%", "-100.0%", "-100.0%"]
    seg = pareto.segments(basic, *Y24, "region")
    fig = segments_figure(seg, "zh")
    titles = [a.text for a in fig.layout.annotations]
    assert titles == ["华东 · k 1/2", "华南 · k 2/2"]
    markers = [trace for trace in fig.data if trace.mode == "markers"]
    assert [(m.x[0], m.y[0]) for m in markers] == [(0.5, pytest.approx(50 / 60)), (1.0, 1.0)]


def test_treemap_figure_labels_the_share_of_the_city(basic):
    from kam_core.charts import figure_bytes
    from kam_core.charts.pareto import treemap_figure

    nodes = pareto.treemap_nodes(pareto.places(basic, *Y24))
    fig = treemap_figure(nodes, "en")
    tree = fig.data[0]
    by_id = dict(zip(tree.ids, zip(tree.labels, tree.text)))
    assert by_id["r:华东/c:上海/u:a"] == ("A", "100.0% of city")
    assert by_id["r:华东"] == ("华东", "60.0% of all")
    big = _places_frame({("华东", f"城{i}"): [float(v) for v in range(1, 400)] for i in range(30)})
    fig = treemap_figure(pareto.treemap_nodes(big), "zh")
    assert figure_bytes(fig) < 1_000_000
    assert any(label.startswith("其他") for label in fig.data[0].labels)


def test_segment_labels_translate_chain_scopes_only():
    from kam_core.charts.pareto import segment_label

    assert segment_label("单城", "chain_scope", "en") == "Single city"
    assert segment_label("区域连锁", "chain_scope", "zh") == "区域连锁"
    assert segment_label("加盟", "chain_scope", "en") == "加盟"           # a value the export made up stays
    assert segment_label("单城", "city", "en") == "单城"
    assert segment_label("", "region", "en") == "(not set)"
