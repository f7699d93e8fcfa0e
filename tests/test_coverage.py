"""Service levels, contact cadence, the contact log and the `coverage` command."""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kam_core import coverage, tiers
from kam_core.__main__ import main
from kam_core.ingest import importer
from kam_core.ingest.clean import client_key
from kam_core.store import sql
from tests.helpers import TODAY, d, store_with_orders

# One complete quarter (2024Q1, data through 2024-03-31). Revenue: 甲 500, 乙 300, 丙 150, 丁 50 (total
# 1,000). cum_before: 甲 0 (< 0.50 key), 乙 500 = 0.50 (< 0.80 important), 丙 800 = 0.80 (< 0.95 general),
# 丁 950 = 0.95 (maintenance). Levels: 甲 A, 乙 B, 丙 C, 丁 none. 戊 bought only in 2023: no current tier.
ORDERS = [
    {"client": "甲", "date": "2024-01-10", "amount": 500, "owner": "王"},
    {"client": "乙", "date": "2024-02-10", "amount": 300, "owner": "李"},
    {"client": "丙", "date": "2024-03-10", "amount": 150, "owner": "王"},
    {"client": "丁", "date": "2024-03-20", "amount": 50, "owner": "李"},
    {"client": "戊", "date": "2023-01-05", "amount": 80, "owner": "李"},
]
THROUGH = d("2024-03-31")


@pytest.fixture
def store(tmp_path):
    s = store_with_orders(tmp_path, ORDERS, data_through=THROUGH)
    # 甲 on 2024-03-01 (30 days before 03-31) and 2024-04-15 (after it); 乙 on 2024-01-31 (60 days); 丙 never.
    coverage.add_contact(s, "甲", d("2024-03-01"), "visit", "王", "季度回顾")
    coverage.add_contact(s, "甲", d("2024-04-15"), "call", "王", None)
    coverage.add_contact(s, "乙", d("2024-01-31"), "电话", "李", None)
    yield s
    s.close()


def _row(table, client):
    hit = table[table["client"] == client]
    return None if hit.empty else hit.iloc[0]


def _import(store, tmp_path, name, header, rows, kind, mapping):
    path = tmp_path / name
    path.write_text("\n".join([",".join(header)] + [",".join(r) for r in rows]) + "\n", encoding="utf-8")
    return importer.import_file(store, str(path), name, kind=kind, mapping_by_header=mapping, today=TODAY)


# ------------------------------------------------------------------ service levels

@pytest.mark.parametrize("tier, archive, expected", [
    ("key", None, "A"), ("important", None, "B"), ("general", None, "C"), ("maintenance", None, None),
    (None, None, None), ("maintenance", "A", "A"), (None, "B级", "B"), ("key", "无", None),
    ("key", "none", None), ("important", "c", "C"), ("general", "  ", "C"), ("key", "VIP客户", "A"),
])
def test_service_level_rule(tier, archive, expected):
    assert coverage.service_level(tier, archive) == expected


def test_levels_from_tiers(store):
    table = coverage.coverage_table(store, THROUGH)
    assert dict(zip(table["client"], table["service_level"])) == {"甲": "A", "乙": "B", "丙": "C"}
    assert dict(zip(table["client"], table["tier"])) == {"甲": "key", "乙": "important", "丙": "general"}
    assert set(table["level_source"]) == {"tier"}
    assert "丁" not in set(table["client"]) and "戊" not in set(table["client"])


def test_archive_sets_levels(store, tmp_path):
    # 乙 set to none by hand, 丙 raised to A, 戊 (no current tier) a strategic small client at B.
    _import(store, tmp_path, "archive.csv", ["customer", "service level"],
            [["乙", "无"], ["丙", "A级"], ["戊", "B"]], "clients",
            {"client": "customer", "service_level": "service level"})
    table = coverage.coverage_table(store, THROUGH)
    levels = dict(zip(table["client"], table["service_level"]))
    assert levels == {"甲": "A", "丙": "A", "戊": "B"}
    wu = _row(table, "戊")
    assert wu["tier"] is None and wu["level_source"] == "archive" and wu["cadence_days"] == 60
    assert wu["last_contact"] is None and bool(wu["overdue"])
    assert _row(table, "丙")["cadence_days"] == 30
    assert _row(table, "甲")["level_source"] == "tier"


@pytest.mark.parametrize("levels", [("A",), ("B",), ("C",), ("A", "B", "C")])
def test_overdue_clients_are_the_overdue_rows_of_the_table(store, tmp_path, levels):
    # 甲 (key, A by tier) marked "VIP客户" (read as A); 乙 (important) raised to A; 丙 (general) set to none;
    # 丁 (maintenance, no level by tier) marked with a text that sets nothing; 戊 (no tier) at C.
    _import(store, tmp_path, "archive.csv", ["customer", "service level"],
            [["甲", "VIP客户"], ["乙", "A"], ["丙", "无"], ["丁", "战略"], ["戊", "C"]], "clients",
            {"client": "customer", "service_level": "service level"})
    as_of = d("2024-04-20")     # 甲's contact of 04-15 counts: 5 days; 乙 last contacted 01-31: 80 days
    table = coverage.coverage_table(store, as_of)
    expected = table[table["overdue"] & table["service_level"].isin(levels)]
    got = coverage.overdue_clients(store, as_of, levels)
    assert list(got["client"]) == sorted(expected["client"], key=client_key)
    assert list(got.columns[:2]) == ["client_key", "client"]
    by_client = {r.client: (r.service_level, r.days_since, r.cadence_days) for r in got.itertuples()}
    assert by_client == {r.client: (r.service_level, r.days_since, r.cadence_days) for r in expected.itertuples()}
    assert set(coverage.overdue_clients(store, as_of, ("A", "B", "C"))["client"]) == {"乙", "戊"}


# ------------------------------------------------------------------ overdue at and around the cadence

@pytest.mark.parametrize("as_of, client, days_since, overdue", [
    ("2024-03-31", "甲", 30, False),   # exactly at the A cadence (30): not overdue
    ("2024-04-01", "甲", 31, True),    # one day past; the 2024-04-15 call is after the date, ignored
    ("2024-04-14", "甲", 44, True),
    ("2024-04-15", "甲", 0, False),    # the call counts from its own day
    ("2024-03-31", "乙", 60, False),   # exactly at the B cadence (60)
    ("2024-04-01", "乙", 61, True),
    ("2024-03-31", "丙", None, True),  # never contacted
])
def test_overdue_at_and_around_cadence(store, as_of, client, days_since, overdue):
    row = _row(coverage.coverage_table(store, d(as_of)), client)
    if days_since is None:
        assert row["last_contact"] is None and pd.isna(row["days_since"])
    else:
        assert int(row["days_since"]) == days_since
    assert bool(row["overdue"]) is overdue


def test_contacts_after_the_date_are_ignored(store):
    coverage.add_contact(store, "丙", d("2024-05-01"), "visit", None, None)
    at_end = coverage.coverage_table(store, THROUGH)
    jia, bing = _row(at_end, "甲"), _row(at_end, "丙")
    assert jia["last_contact"] == d("2024-03-01") and jia["contacts"] == 1    # not the 2024-04-15 call
    assert bing["last_contact"] is None and bing["contacts"] == 0 and bool(bing["overdue"])
    later = coverage.coverage_table(store, d("2024-05-01"))
    assert _row(later, "甲")["last_contact"] == d("2024-04-15") and _row(later, "甲")["contacts"] == 2
    assert _row(later, "丙")["days_since"] == 0 and not bool(_row(later, "丙")["overdue"])


def test_tier_quarter_follows_the_date(store):
    # Past the data end the tiers stay those of the last complete quarter; on 2024-03-30 they are
    # those of 2023Q4, in which nobody bought: no client has a level then.
    assert coverage.tier_quarter(store, d("2024-06-30")).label == "2024Q1"
    assert coverage.tier_quarter(store, d("2024-03-30")).label == "2023Q4"
    assert coverage.coverage_table(store, d("2024-03-30")).empty


def test_kpi_and_overdue_keys(store):
    kpi = coverage.coverage_kpi(store, THROUGH)
    assert kpi["tier_period"] == "2024Q1"
    assert kpi["levels"]["A"] == {"clients": 1, "within": 1, "share": 1.0}
    assert kpi["levels"]["B"] == {"clients": 1, "within": 1, "share": 1.0}
    assert kpi["levels"]["C"] == {"clients": 1, "within": 0, "share": 0.0}
    assert (kpi["ab_clients"], kpi["ab_within"], kpi["ab_share"]) == (2, 2, 1.0)
    assert kpi["overdue"] == 1 and kpi["overdue_t12m"] == 150.0   # 丙's trailing year
    later = coverage.coverage_kpi(store, d("2024-04-01"))
    assert (later["ab_within"], later["ab_share"], later["overdue"]) == (0, 0.0, 3)
    assert later["overdue_t12m"] == 950.0                          # 500 + 300 + 150
    keys = {k: client_key(k) for k in ("甲", "乙", "丙")}
    assert coverage.overdue_keys(store, THROUGH) == set()
    assert coverage.overdue_keys(store, THROUGH, levels=("C",)) == {keys["丙"]}
    assert coverage.overdue_keys(store, d("2024-04-01"), levels=("A", "B")) == {keys["甲"], keys["乙"]}


def test_overdue_a_clients_on_the_watchlist_are_flagged(store):
    # At 2024-04-01 甲 (A, 31 days) and 乙 (B, 61 days) are overdue, 丙 (C) was never contacted.
    keys = {k: client_key(k) for k in ("甲", "乙", "丙")}
    assert coverage.overdue_keys(store, d("2024-04-01")) == {keys["甲"]}          # the A level by default
    table = coverage.flag_watchlist(coverage.coverage_table(store, d("2024-04-01")), {keys["甲"], keys["丙"]})
    flags = {c: (bool(w), bool(a)) for c, w, a in zip(table["client"], table["watchlist"], table["alert"])}
    assert flags == {"甲": (True, True), "乙": (False, False), "丙": (True, False)}   # 丙 is C: no alert
    at_end = coverage.flag_watchlist(coverage.coverage_table(store, THROUGH), {keys["甲"]})
    assert not at_end["alert"].any()                                               # 甲 within cadence
    from kam_core import churn

    assert coverage.watchlist_keys(store, THROUGH) == set(churn.watchlist(store, THROUGH).frame["unit_key"])


def test_kpi_without_levels_is_not_an_error(tmp_path):
    s = store_with_orders(tmp_path, [{"client": "甲", "date": "2024-01-10", "amount": 5}], data_through=d("2024-01-31"))
    kpi = coverage.coverage_kpi(s, d("2024-01-31"))
    assert kpi["ab_share"] is None and kpi["overdue"] == 0 and kpi["tier_period"] is None
    assert coverage.coverage_by_owner(s, d("2024-01-31")).empty
    s.close()


def test_by_owner(store):
    frame = coverage.coverage_by_owner(store, THROUGH).set_index("owner")
    # 王 holds 甲 (A, within) and 丙 (C, overdue, 150 at stake); 李 holds 乙 (B, within).
    assert frame.loc["王", ["clients", "overdue", "overdue_C", "ab_clients", "ab_within"]].tolist() == [2, 1, 1, 1, 1]
    assert frame.loc["王", "overdue_t12m"] == 150.0
    assert frame.loc["李", ["clients", "overdue", "ab_share"]].tolist() == [1, 0, 1.0]
    assert frame.index[0] == "王"   # the most revenue at stake first


def test_cadence_setting(store):
    assert coverage.cadence(store) == {"A": 30, "B": 60, "C": 90}
    coverage.save_cadence(store, {"A": 45, "B": 60, "C": 90})
    assert not bool(_row(coverage.coverage_table(store, d("2024-04-01")), "甲")["overdue"])   # 31 <= 45
    assert _row(coverage.coverage_table(store, d("2024-04-01")), "甲")["cadence_days"] == 45
    for bad in ({"A": 0}, {"B": 2.5}, {"C": 10_000}, {"A": True}):
        with pytest.raises(ValueError):
            coverage.save_cadence(store, bad)
    assert coverage.cadence(store)["A"] == 45


def test_weekly_contacts(store):
    grid = coverage.weekly_contacts(store, THROUGH)
    # 26 weeks ending with the week of Sunday 2024-03-31 (Monday 2024-03-25): from Monday 2023-10-02.
    assert grid.columns[0] == d("2023-10-02") and grid.columns[-1] == d("2024-03-25") and len(grid.columns) == 26
    assert grid.loc["王", d("2024-02-26")] == 1     # 甲, Friday 2024-03-01
    assert grid.loc["李", d("2024-01-29")] == 1     # 乙, Wednesday 2024-01-31
    assert int(grid.to_numpy().sum()) == 2            # the 2024-04-15 call is after the date


# ------------------------------------------------------------------ the contact log

def test_add_contact_and_list(store):
    before = len(coverage.contacts_of(store, "甲"))
    new_id = coverage.add_contact(store, " 甲 ", d("2024-03-20"), "拜访", "王", "  新品推广  ")
    log = coverage.contacts_of(store, "甲")
    assert len(log) == before + 1
    assert log["contact_date"].tolist() == [d("2024-04-15"), d("2024-03-20"), d("2024-03-01")]   # newest first
    added = log[log["contact_id"] == new_id].iloc[0]
    assert (added["kind"], added["kind_code"], added["who"], added["note"], added["source"]) == \
           ("visit", "visit", "王", "新品推广", "app")
    assert coverage.contacts_of(store, "乙").iloc[0]["kind"] == "call"   # 电话 stored as its code
    followup = coverage.add_contact(store, "乙", d("2024-03-25"), "meeting", None, "跟进", source="followup")
    assert coverage.contacts_of(store, "乙").set_index("contact_id").at[followup, "source"] == "followup"


def test_add_contact_refuses_unknown_client(store):
    version = store.version()
    with pytest.raises(ValueError, match="unknown client"):
        coverage.add_contact(store, "不存在的客户", d("2024-03-01"), "visit", None, None)
    assert store.version() == version
    with pytest.raises(ValueError):
        coverage.add_contact(store, "甲", "2024-03-01", "visit", None, None)


def test_imported_visit_log_counts(store, tmp_path):
    report = _import(store, tmp_path, "visits.csv", ["拜访日期", "客户名称", "方式"],
                     [["2024-03-15", "丙", "经营回顾"]], "contacts",
                     {"date": "拜访日期", "client": "客户名称", "kind": "方式"})
    assert report.rows_loaded == 1
    row = _row(coverage.coverage_table(store, THROUGH), "丙")
    assert row["last_contact"] == d("2024-03-15") and int(row["days_since"]) == 16 and not bool(row["overdue"])
    log = coverage.contacts_of(store, "丙")
    assert (log.iloc[0]["kind"], log.iloc[0]["kind_code"], log.iloc[0]["source"]) == ("经营回顾", "review", "import")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offsets=st.lists(st.integers(-200, 60), max_size=5), cadence_a=st.integers(1, 120))
def test_overdue_matches_the_definition(store, offsets, cadence_a):
    """Overdue at D: no contact on or before D, or D - the last such contact > cadence."""
    with store.write() as cur:   # one transaction per example keeps the run short
        cur.execute("DELETE FROM contacts")
        for off in offsets:
            cur.execute(sql("coverage_insert_contact"), {
                "key": client_key("甲"), "name": "甲", "date": THROUGH + dt.timedelta(days=off), "kind": "call",
                "who": None, "note": None, "source": "app"})
    coverage.save_cadence(store, {"A": cadence_a, "B": 60, "C": 90})
    row = _row(coverage.coverage_table(store, THROUGH), "甲")
    past = [off for off in offsets if off <= 0]
    expected = not past or -max(past) > cadence_a
    assert bool(row["overdue"]) is expected
    assert (row["last_contact"] is None) is (not past)


# ------------------------------------------------------------------ the demo portfolio

def test_demo_portfolio_coverage(demo_store):
    as_of = demo_store.data_end()
    table = coverage.coverage_table(demo_store, as_of)
    archive = dict(demo_store.con.execute(
        "SELECT client_key, service_level FROM clients WHERE service_level IS NOT NULL").fetchall())
    current = tiers.current_tiers(demo_store, as_of, data_end=as_of)
    tier_of = dict(zip(current["unit_key"], current["tier"]))
    for r in table.itertuples():
        if r.client_key in archive:
            assert r.service_level == archive[r.client_key] and r.level_source == "archive"
        else:
            assert r.service_level == coverage.TIER_LEVEL[tier_of[r.client_key]] and r.level_source == "tier"
        assert r.cadence_days == coverage.DEFAULT_CADENCE[r.service_level]
        assert r.overdue == (r.last_contact is None or r.days_since > r.cadence_days)
        assert r.last_contact is None or r.last_contact <= as_of
    assert (table["service_level"] == "A").sum() == 12   # the demo archive's A clients
    kpi = coverage.coverage_kpi(demo_store, as_of)
    assert kpi["overdue"] == int(table["overdue"].sum()) > 0
    assert 0 < kpi["ab_share"] < 1
    earlier = coverage.coverage_table(demo_store, d("2026-01-31"))
    assert (earlier["last_contact"].dropna() <= d("2026-01-31")).all()


# ------------------------------------------------------------------ the command line

def test_cli_coverage_json(store, capsys):
    db = str(store.path)
    store.close()
    assert main(["coverage", "--db", db, "--json", "--as-of", "2024-04-01"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"as_of", "tier_period", "cadence", "clients"}
    assert out["as_of"] == "2024-04-01" and out["tier_period"] == "2024Q1"
    assert out["cadence"] == {"A": 30, "B": 60, "C": 90}
    by_client = {c["client"]: c for c in out["clients"]}
    assert by_client["甲"] == {"client": "甲", "tier": "key", "service_level": "A", "last_contact": "2024-03-01",
                              "days_since": 31, "cadence_days": 30, "overdue": True}
    assert by_client["丙"]["last_contact"] is None and by_client["丙"]["days_since"] is None
    assert main(["coverage", "--db", db]) == 0
    assert "overdue" in capsys.readouterr().out


def test_cli_coverage_bad_input(tmp_path, capsys):
    assert main(["coverage", "--db", str(tmp_path / "missing.duckdb")]) == 2
    assert "No database" in capsys.readouterr().err
    assert not (tmp_path / "missing.duckdb").exists()
    assert main(["coverage", "--db", str(tmp_path / "missing.duckdb"), "--as-of", "2024-02-30"]) == 2
