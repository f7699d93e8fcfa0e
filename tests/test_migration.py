"""Tier migration P -> Q (kam_core/migration.py): DESIGN.md, Definitions "Migration"."""
from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kam_core import migration, periods, portfolio, tiers
from kam_core.migration import FROM_STATES, TO_STATES
from kam_core.ranks import TIERS
from kam_core.store import Store, rebuild_client_dim
from tests.helpers import d, store_with_orders


def P(label: str) -> periods.Period:
    return periods.parse_label(label)


# Three quarters of 2024 after a quarter of history (2023Q4). Tiers by hand (cuts 50 / 80 / 95):
#   2023Q4: A 100, Old 100 (tie: a before old)          -> A key (cum 0), Old important (cum 50%)
#   2024Q1: A 600, B 300, D 100 (total 1000)            -> A key, B important (60%), D general (90%)
#   2024Q2: A 500, C 300; D only a refund of -50        -> A key, C important (62.5%); D not active
#   2024Q3: A 400, B 300, C 200, E 100 (total 1000)     -> A key, B key (40%), C important (70%), E general (90%)
ROWS = [("Old", "2023-11-10", "100"), ("A", "2023-11-12", "100"),
        ("A", "2024-01-20", "600"), ("B", "2024-02-11", "300"), ("D", "2024-03-01", "100"),
        ("A", "2024-04-15", "500"), ("C", "2024-05-05", "300"), ("D", "2024-06-01", "-50"),
        ("A", "2024-07-10", "400"), ("B", "2024-08-01", "300"), ("C", "2024-09-02", "200"), ("E", "2024-09-20", "100")]


@pytest.fixture
def three(tmp_path):
    store = store_with_orders(tmp_path, [{"client": c, "date": day, "amount": a} for c, day, a in ROWS],
                              data_through=d("2024-09-30"))
    yield store
    store.close()


def cells(moves: pd.DataFrame) -> dict[tuple[str, str], tuple[int, float, float]]:
    """The non-empty cells of one pair: (from, to) -> (clients, P value, Q value)."""
    grid = migration.matrix(moves)
    grid = grid[grid["clients"] > 0]
    return {(a, b): (n, vf, vt) for a, b, n, vf, vt in grid[["from_state", "to_state", "clients", "value_from",
                                                             "value_to"]].itertuples(index=False)}


def states(moves: pd.DataFrame) -> dict[str, tuple[str, str]]:
    return {k: (a, b) for k, a, b in zip(moves["unit_name"], moves["from_state"], moves["to_state"])}


def test_migration_matrix_q1_to_q2(three):
    moves = migration.migration(three, P("2024Q1"), P("2024Q2"))
    # E first buys in 2024Q3, after Q's end: not in the population.
    assert states(moves) == {"A": ("key", "key"), "B": ("important", "lost"), "D": ("general", "lost"),
                             "C": ("new", "important"), "Old": ("inactive", "inactive")}
    assert cells(moves) == {("key", "key"): (1, 600.0, 500.0), ("important", "lost"): (1, 300.0, 0.0),
                            ("general", "lost"): (1, 100.0, -50.0), ("new", "important"): (1, 0.0, 300.0),
                            ("inactive", "inactive"): (1, 0.0, 0.0)}


def test_migration_matrix_q2_to_q3(three):
    moves = migration.migration(three, P("2024Q2"), P("2024Q3"))
    assert states(moves) == {"A": ("key", "key"), "B": ("inactive", "key"), "C": ("important", "important"),
                             "D": ("inactive", "inactive"), "E": ("new", "general"), "Old": ("inactive", "inactive")}
    assert cells(moves) == {("key", "key"): (1, 500.0, 400.0), ("inactive", "key"): (1, 0.0, 300.0),
                            ("important", "important"): (1, 300.0, 200.0), ("new", "general"): (1, 0.0, 100.0),
                            ("inactive", "inactive"): (2, -50.0, 0.0)}


def test_migration_between_any_two_periods(three):
    moves = migration.migration(three, P("2024Q1"), P("2024Q3"))
    assert states(moves) == {"A": ("key", "key"), "B": ("important", "key"), "C": ("new", "important"),
                             "D": ("general", "lost"), "E": ("new", "general"), "Old": ("inactive", "inactive")}
    assert moves.set_index("unit_name").loc["B", "steps"] == 1


def test_the_first_period_has_no_history(three):
    # 2023Q4 is the first period of the data: from the quarter before, everyone in it is new.
    moves = migration.migration(three, P("2023Q3"), P("2023Q4"))
    assert states(moves) == {"A": ("new", "key"), "Old": ("new", "important")}
    moves = migration.migration(three, P("2023Q4"), P("2024Q1"))
    assert states(moves) == {"A": ("key", "key"), "Old": ("important", "lost"), "B": ("new", "important"),
                             "D": ("new", "general")}


def test_pinned_clients_count_as_active(three):
    tiers.pin(three, "E", "key", "new national chain")      # first buys in 2024Q3
    tiers.pin(three, "D", "important", "strategic")         # only a refund in 2024Q2
    moves = migration.migration(three, P("2024Q1"), P("2024Q2")).set_index("unit_name")
    assert moves.loc["E", ["from_state", "to_state", "value_from", "value_to"]].tolist() == ["key", "key", 0.0, 0.0]
    assert moves.loc["D", ["from_state", "to_state", "value_from", "value_to"]].tolist() == [
        "important", "important", 100.0, -50.0]
    assert bool(moves.loc["D", "pinned"]) and moves.loc["D", "reason"] == "strategic"
    assert not moves.loc["A", "pinned"] and pd.isna(moves.loc["A", "reason"])
    moves = migration.migration(three, P("2024Q2"), P("2024Q3")).set_index("unit_name")
    assert moves.loc["E", ["from_state", "to_state", "value_to"]].tolist() == ["key", "key", 100.0]


def test_matrices_in_sql_equal_the_per_client_moves(three):
    span = periods.span("quarter", d("2023-10-01"), d("2024-09-30"))
    pairs = tuple(migration.consecutive_pairs(span))
    grids = migration.matrices(three, pairs)
    assert len(grids) == len(pairs) * 36
    moves = migration.moves(three, pairs)
    for (p, q), grid in grids.groupby(["from_period", "to_period"], sort=False):
        one = migration.matrix(moves[(moves["from_period"] == p) & (moves["to_period"] == q)])
        assert grid[["from_state", "to_state", "clients", "value_from", "value_to"]].reset_index(drop=True).equals(one)
    summary = migration.summary(three, "quarter", d("2023-10-01"), d("2024-09-30"), data_end=d("2024-09-30"))
    assert [p.label for p in summary.periods] == ["2023Q4", "2024Q1", "2024Q2", "2024Q3"]
    assert summary.partial == []
    assert summary.matrices.equals(grids)


def test_movement_lists():
    frame = pd.DataFrame({
        "unit_key": ["u", "v", "w", "x", "y", "z"], "unit_name": list("UVWXYZ"),
        "from_state": ["general", "important", "key", "new", "key", "inactive"],
        "to_state": ["important", "general", "important", "key", "lost", "important"],
        "value_from": [10.0, 20.0, 30.0, 0.0, 50.0, 0.0], "value_to": [15.0, 5.0, 25.0, 40.0, 0.0, 12.0],
        "pinned": [False] * 6})
    frame["steps"] = (frame["from_state"].map(tiers.TIER_ORDER) - frame["to_state"].map(tiers.TIER_ORDER)).astype("Int64")
    frame["ka_exit"] = frame["from_state"].isin(tiers.KA_TIERS) & ~frame["to_state"].isin(tiers.KA_TIERS)
    lists = migration.movement_lists(frame)
    assert lists["upgrades"]["unit_key"].tolist() == ["u"]                 # general -> important
    assert lists["downgrades"]["unit_key"].tolist() == ["w", "v"]          # by P value: w 30, v 20
    assert lists["downgrades"]["ka_exit"].tolist() == [False, True]        # v leaves the top two
    assert lists["new_ka"]["unit_key"].tolist() == ["x", "u", "z"]         # by Q value: 40, 15, 12
    assert lists["lost_ka"]["unit_key"].tolist() == ["y", "v"]             # by P value 50, 20


def test_pair_checks(three):
    with pytest.raises(ValueError):
        migration.migration(three, P("2024Q2"), P("2024Q1"))
    with pytest.raises(ValueError):
        migration.migration(three, P("2024-01"), P("2024Q2"))
    assert migration.default_pair("quarter", d("2024-09-30")) == (P("2024Q2"), P("2024Q3"))
    assert migration.default_pair("quarter", d("2024-09-29")) == (P("2024Q1"), P("2024Q2"))
    assert migration.default_pair("month", d("2024-09-30"), until=d("2024-06-15")) == (P("2024-04"), P("2024-05"))


def test_group_level(tmp_path):
    rows = [{"client": "A1", "date": "2024-01-05", "amount": "30", "group": "G"},
            {"client": "A2", "date": "2024-04-05", "amount": "30", "group": "G"},
            {"client": "B", "date": "2024-01-05", "amount": "70"}]
    store = store_with_orders(tmp_path, rows)
    # group G: 30 in Q1 (cum 70% after B: important), 30 in Q2 (alone: key); B key then lost
    moves = migration.migration(store, P("2024Q1"), P("2024Q2"), level="group")
    assert states(moves) == {"G": ("important", "key"), "B": ("key", "lost")}


# ------------------------------------------------------------------ the invariant, on random portfolios

QUARTERS = periods.span("quarter", d("2024-01-01"), d("2024-12-31"))
AMOUNTS = st.sampled_from([None, None, "-20", "0", "10", "25", "40", "40"])


def _store(folder: Path, grid: list[list[str | None]], pinned: list[tuple[int, str]]) -> Store:
    """Order lines straight into the store (one line per client and quarter with an amount)."""
    store = Store(folder / "kam.duckdb")
    lines = [(1, i, f"c{c}", f"C{c}", QUARTERS[q].start + dt.timedelta(days=10), amount)
             for i, (c, q, amount) in enumerate((c, q, a) for c, row in enumerate(grid) for q, a in enumerate(row)
                                                if a is not None)]
    with store.write() as cur:
        if lines:
            cur.executemany("INSERT INTO transactions (dataset_id, source_row, client_key, client_name, order_date, "
                            "amount) VALUES (?, ?, ?, ?, ?, CAST(? AS DECIMAL(18,4)))", lines)
        rebuild_client_dim(cur)
    for c, tier in pinned:
        if c < len(grid) and any(a is not None for a in grid[c]):
            tiers.pin(store, f"C{c}", tier, "test")
    return store


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grid=st.lists(st.lists(AMOUNTS, min_size=4, max_size=4), min_size=1, max_size=7),
       pinned=st.lists(st.tuples(st.integers(0, 6), st.sampled_from(TIERS)), max_size=2, unique_by=lambda x: x[0]),
       pair=st.sampled_from([(0, 1), (1, 2), (2, 3), (0, 3), (1, 3)]))
def test_matrix_totals_equal_client_counts(grid, pinned, pair):
    with tempfile.TemporaryDirectory() as folder:
        store = _store(Path(folder), grid, pinned)
        try:
            p, q = QUARTERS[pair[0]], QUARTERS[pair[1]]
            moves = migration.migration(store, p, q)
            table = migration.matrix_table(migration.matrix(moves))
            both = tiers.period_tiers(store, "quarter", p.start, q.end)
            in_p = both[both["period_start"] == p.start]
            in_q = both[both["period_start"] == q.start]
            pins = set(tiers.pins(store)["client_key"])
            # the population: clients first active (sum > 0 in a quarter) by Q, plus pinned clients
            first = {f"c{c}": min((i for i, a in enumerate(row) if a is not None and float(a) > 0), default=None)
                     for c, row in enumerate(grid)}
            population = {k for k, i in first.items() if i is not None and i <= pair[1]} | pins
            assert int(table.to_numpy().sum()) == len(population) == len(moves)
            # each tier row holds P's clients of that tier, each tier column Q's
            for tier in TIERS:
                assert table.loc[tier].sum() == (in_p["tier"] == tier).sum()
                assert table[tier].sum() == (in_q["tier"] == tier).sum()
            # lost = active (or pinned) in P and not in Q; new = first active after P
            assert table["lost"].sum() == len(set(in_p["unit_key"]) - set(in_q["unit_key"]))
            new = {k for k in population - pins if first[k] > pair[0]}
            assert table.loc["new"].sum() == len(new)
            assert table.loc["inactive"].sum() == len(population) - len(in_p) - len(new)
            # the SQL-aggregated matrix is the same
            grids = migration.matrices(store, ((p, q),))
            assert grids["clients"].tolist() == migration.matrix(moves)["clients"].tolist()
        finally:
            store.close()


# ------------------------------------------------------------------ the realistic portfolio

def test_demo_migrations_are_consistent_with_the_tiers(demo_store):
    b = portfolio.bounds(demo_store)
    summary = migration.summary(demo_store, "quarter", b.first_day, b.data_end, data_end=b.data_end)
    assert summary.partial == ["2026Q4"]
    counts = summary.counts.pivot(index="period", columns="tier", values="clients")
    for (p, q), grid in summary.matrices.groupby(["from_period", "to_period"], sort=False):
        table = migration.matrix_table(grid)
        for tier in TIERS:
            assert table.loc[tier].sum() == counts.loc[p, tier]
            assert table[tier].sum() == counts.loc[q, tier]
        assert list(table.index) == list(FROM_STATES) and list(table.columns) == list(TO_STATES)
    first = summary.matrices[summary.matrices["from_period"] == "2023Q1"]
    assert first.loc[first["from_state"] == "inactive", "clients"].sum() == 0   # no history before the data


def test_migration_export(three):
    import io

    import openpyxl

    from kam_core.export import xlsx_bytes

    tiers.pin(three, "D", "important", "=HYPERLINK(\"x\")")     # text from users stays text
    moves = migration.migration(three, P("2024Q1"), P("2024Q2"))
    sheets = migration.export_sheets(moves, P("2024Q1"), P("2024Q2"), "zh")
    assert list(sheets) == ["迁移矩阵（客户数）", "P 期金额", "Q 期金额", "升级", "降级", "新增 KA", "失去的 KA", "全部客户"]
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(sheets)))
    matrix = list(book["迁移矩阵（客户数）"].values)
    assert matrix[0] == ("2024Q1 → 2024Q2", "关键", "重点", "一般", "维持", "流失", "未活跃")
    assert matrix[1] == ("关键", 1, 0, 0, 0, 0, 0)                  # A
    assert matrix[2][0] == "重点" and matrix[2][5] == 1              # B lost
    assert matrix[3][0] == "一般" and sum(matrix[3][1:]) == 0        # D is pinned to 重点 now
    rows = list(book["全部客户"].values)
    assert rows[0] == ("客户", "2024Q1", "2024Q2", "2024Q1 金额", "2024Q2 金额", "锁定", "锁定原因")
    d_row = next(r for r in rows if r[0] == "D")
    assert d_row[1:] == ("重点", "重点", 100, -50, "是", "=HYPERLINK(\"x\")")
    assert book["全部客户"].cell(row=rows.index(d_row) + 1, column=7).data_type == "s"
    lost = list(book["失去的 KA"].values)
    assert [r[0] for r in lost[1:]] == ["B"]
