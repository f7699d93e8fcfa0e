"""The coverage page in AppTest: KPIs, the overdue list, filters, the cadence, the contact log, both languages."""
from __future__ import annotations

import datetime as dt

import pytest

from kam_core import coverage
from kam_core.store import Store
from tests.helpers import open_page

PAGE = "pages/10_coverage.py"


def _store(db) -> Store:
    return Store(db)


@pytest.mark.parametrize("lang, title, kpi", [("zh", "服务覆盖", "A/B 客户按期联系率"),
                                              ("en", "Coverage", "A/B clients contacted within cadence")])
def test_page_shows_kpis_list_and_charts(demo_db, lang, title, kpi):
    at = open_page(PAGE, lang)
    assert not at.exception, at.exception
    assert at.title[0].value == title
    labels = [m.label for m in at.metric]
    assert kpi in labels and len(labels) == 5
    s = _store(demo_db)
    expected = coverage.coverage_kpi(s, s.data_end())
    s.close()
    overdue = next(m for m in at.metric if m.label == ("逾期未联系" if lang == "zh" else "Overdue for contact"))
    assert str(expected["overdue"]) in overdue.value
    assert len(at.dataframe) >= 3   # overdue list, owners, contact history
    assert len(_client_list(at)) == expected["overdue"]
    assert at.get("plotly_chart"), "the owner chart and the heat map are drawn"


def test_filters_and_as_of_rerun(demo_db):
    at = open_page(PAGE, "en")
    overdue_rows = len(_client_list(at))
    at.toggle(key="cov_overdue_only").set_value(False).run()
    assert not at.exception
    s = _store(demo_db)
    everyone = len(coverage.coverage_table(s, s.data_end()))
    s.close()
    assert len(_client_list(at)) == everyone > overdue_rows
    at.multiselect(key="cov_levels").set_value(["A"]).run()
    assert set(_client_list(at)["Level"]) == {"Level A"}
    at.date_input(key="cov_as_of").set_value(dt.date(2026, 3, 31)).run()
    assert not at.exception
    assert any("2026Q1" in c.value for c in at.caption)


def test_cadence_is_saved(demo_db):
    at = open_page(PAGE, "en")
    at.number_input(key="cov_cad_A").set_value(400)
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception
    s = _store(demo_db)
    assert coverage.cadence(s)["A"] == 400
    s.close()
    level_a = next(m for m in at.metric if m.label == "Level A within cadence")
    assert level_a.value == "100.0%"


def test_add_a_contact(demo_db):
    at = open_page(PAGE, "zh")
    s = _store(demo_db)
    table = coverage.coverage_table(s, s.data_end())
    first_overdue = table[table["overdue"]].iloc[0]
    s.close()
    assert at.selectbox(key="cov_log_client").value == first_overdue["client_key"]
    at.date_input(key="cov_log_date").set_value(dt.date(2026, 10, 30))
    at.selectbox(key="cov_log_kind").set_value("review")
    at.text_input(key="cov_log_who").set_value("王经理")
    at.text_area(key="cov_log_note").set_value("年度经营回顾")
    next(b for b in at.button if b.label == "添加记录").click().run()
    assert not at.exception, at.exception
    s = _store(demo_db)
    log = coverage.contacts_of(s, first_overdue["client_key"])
    s.close()
    top = log.iloc[0]
    assert (top["contact_date"], top["kind"], top["who"], top["note"], top["source"]) == \
           (dt.date(2026, 10, 30), "review", "王经理", "年度经营回顾", "app")
    history = at.dataframe[-1].value
    assert history.iloc[0]["方式"] == "经营回顾" and history.iloc[0]["来源"] == "手工录入"


def test_page_without_levels(tmp_path, monkeypatch):
    from tests.helpers import store_with_orders

    s = store_with_orders(tmp_path, [{"client": "甲", "date": "2024-01-10", "amount": 5}])
    s.save_setting("demo_seeded", True)
    s.close()
    monkeypatch.setenv("KAM_DB", str(tmp_path / "kam.duckdb"))
    at = open_page(PAGE, "en")
    assert not at.exception
    assert any("No client has a service level" in i.value for i in at.info)


def test_overdue_a_clients_on_the_watchlist_are_flagged(demo_db):
    s = _store(demo_db)
    alerts = coverage.flag_watchlist(coverage.coverage_table(s, s.data_end()), coverage.watchlist_keys(s, s.data_end()))
    s.close()
    expected = sorted(alerts.loc[alerts["alert"], "client"])
    assert "家乐联食品有限公司" in expected          # the demo's quiet leaver, not called for months
    at = open_page(PAGE, "en")
    assert not at.exception, at.exception
    assert any(f"{len(expected)} A-level clients are overdue" in w.value for w in at.warning)
    box = next(df.value for df in at.dataframe if list(df.value.columns)[:2] == ["Client", "Owner"]
               and "Level" not in df.value.columns)
    assert sorted(box["Client"]) == expected
    listed = _client_list(at)
    assert sorted(listed.loc[listed["Churn watchlist"] == "⚠ overdue A", "Client"]) == expected


def _client_list(at):
    """The page's client list (the widest table; the alert box above it is narrower)."""
    return max((df.value for df in at.dataframe), key=lambda frame: len(frame.columns))


def test_no_contacts_in_the_last_weeks_says_so_instead_of_a_blank_heat_map(demo_db):
    from kam_core.store import Store

    store = Store(demo_db)
    with store.write() as cur:
        cur.execute("DELETE FROM contacts")
    store.close()
    at = open_page(PAGE, "en")
    assert not at.exception, at.exception
    assert any(i.value.startswith("No contacts in the last 26 weeks") for i in at.info)


def test_heat_map_of_weeks_without_contacts_stays_pale():
    import datetime as dt

    import pandas as pd

    from kam_core.charts.coverage import contact_heatmap

    grid = pd.DataFrame([[0, 0], [0, 2]], index=["李娜", ""], columns=[dt.date(2024, 1, 1), dt.date(2024, 1, 8)])
    labels = {"title": "t", "owner": "o", "week": "w", "contacts": "c", "no_owner": "(none)"}
    assert (contact_heatmap(grid, labels).data[0].zmin, contact_heatmap(grid, labels).data[0].zmax) == (0, 2)
    assert contact_heatmap(grid * 0, labels).data[0].zmax == 1
