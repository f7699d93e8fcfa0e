"""Group level: a group's summed lines are the unit of Pareto and tiers; a group opens its members."""
from __future__ import annotations

from decimal import Decimal

import pytest

from kam_core import archive, ranks, tiers
from tests.helpers import d, store_with_orders

# 2024: A 300 and B 200 belong to one group (spelled two ways), C 400 and D 100 stand alone.
ORDERS = [
    {"client": "A", "date": "2024-01-10", "amount": 100, "group": "华润集团"},
    {"client": "A", "date": "2024-05-10", "amount": 200, "group": "华润集团"},
    {"client": "B", "date": "2024-02-10", "amount": 250, "group": "华润 集团"},
    {"client": "B", "date": "2024-08-10", "amount": -50, "group": "华润 集团"},   # a refund
    {"client": "C", "date": "2024-03-10", "amount": 400},
    {"client": "D", "date": "2024-04-10", "amount": 100},
]
GROUP = "g:华润集团"


@pytest.fixture
def store(tmp_path):
    s = store_with_orders(tmp_path, ORDERS)
    yield s
    s.close()


def ranked(store, level: str) -> list[tuple]:
    frame = ranks.period_ranks(store, "window", d("2024-01-01"), d("2024-12-31"), "revenue", level)
    return [(r.unit_key, r.value, r.rank, r.cum_before, r.in_top, r.tier) for r in frame.itertuples()]


def test_pareto_and_tiers_roll_up_to_groups(store):
    # client level: C 400, A 300, B 200, D 100 (total 1000); cum_before 0, 400, 700, 900
    # tiers (cuts 0.5 / 0.8 / 0.95 of 1000): key, key, important, general; top 80%: C, A, B
    assert ranked(store, "client") == [
        ("c", 400, 1, 0, True, "key"), ("a", 300, 2, 400, True, "key"),
        ("b", 200, 3, 700, True, "important"), ("d", 100, 4, 900, False, "general")]
    # group level: the group 500, C 400, D 100; cum_before 0, 500, 900
    # the group key; C: 500 is not < 500, but < 800: important; D general; top 80%: the group and C
    assert ranked(store, "group") == [
        (GROUP, 500, 1, 0, True, "key"), ("c", 400, 2, 500, True, "important"),
        ("d", 100, 3, 900, False, "general")]
    frame = ranks.period_ranks(store, "window", d("2024-01-01"), d("2024-12-31"), "revenue", "group")
    assert frame["total"].iloc[0] == 1000 and frame["active"].iloc[0] == 3


def test_group_tiers_per_quarter(store):
    # Q1: A 100 + B 250 = 350 for the group, C 400: C key, group 400 < 0.8 x 750: important
    # Q2: A 200, D 100 (total 300): the group key; D with 200 before it < 0.8 x 300 = 240: important
    # Q3: B -50 alone: nobody active
    frame = tiers.period_tiers(store, "quarter", d("2024-01-01"), d("2024-12-31"), "revenue", "group",
                               data_end=d("2024-12-31"))
    got = [(r.period, r.unit_key, r.value, r.tier) for r in frame.itertuples()]
    assert got == [("2024Q1", "c", 400, "key"), ("2024Q1", GROUP, 350, "important"),
                   ("2024Q2", GROUP, 200, "key"), ("2024Q2", "d", 100, "important")]
    names = dict(zip(frame["unit_key"], frame["unit_name"]))
    assert names[GROUP] in ("华润集团", "华润 集团") and names["c"] == "C"
    assert tiers.ka_keys(frame[frame["period"] == "2024Q1"]) == {"c", GROUP}


def test_the_archive_moves_a_client_into_a_group(store):
    archive.update_clients(store, {"d": {"group_name": "华润集团"}})
    # the group now 600, C 400: the group key (0 < 500), C 600 < 800: important
    assert ranked(store, "group") == [(GROUP, 600, 1, 0, True, "key"), ("c", 400, 2, 600, True, "important")]
    members = archive.group_members(store, GROUP)
    assert members["client_key"].tolist() == ["a", "b", "d"]        # by revenue: 300, 200, 100
    assert members["revenue"].tolist() == [300, 200, 100]
    assert members["in_archive"].tolist() == [False, False, True]
    # the client level is untouched by grouping
    assert [r[0] for r in ranked(store, "client")] == ["c", "a", "b", "d"]


def test_members_of_a_group_sum_to_the_group(demo_store):
    end = demo_store.data_end()
    start = end.replace(year=end.year - 1)
    groups = ranks.period_ranks(demo_store, "window", start, end, "revenue", "group")
    named = archive.groups(demo_store, start, end)
    assert not named.empty
    for row in named.itertuples():
        members = archive.group_members(demo_store, row.group_key, start, end)
        assert len(members) == row.members
        total = Decimal(str(round(members["revenue"].sum(), 4)))
        ranked_value = groups.loc[groups["unit_key"] == row.group_key, "value"]
        if total > 0:
            assert float(ranked_value.iloc[0]) == pytest.approx(float(total))
