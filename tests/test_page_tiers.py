"""The tiers page in AppTest: tier list, calibration, migration, the mix over time, pins; both languages."""
from __future__ import annotations

import pytest

from kam_core import migration, periods, tiers
from kam_core.ranks import TierRule
from kam_core.store import Store
from tests.helpers import open_page

PAGE = "pages/3_tiers.py"


def show(at, tab: str):
    """Open one tab of the page (only the open tab runs) and rerun."""
    at.session_state["tiers_tab"] = tab
    return at.run()


def _core(db, fn, *args, **kwargs):
    store = Store(db)
    try:
        return fn(store, *args, **kwargs)
    finally:
        store.close()


def _period_table(db, label: str, rule=TierRule(), level="client"):
    store = Store(db)
    try:
        return tiers.tiers_in(store, periods.parse_label(label), "revenue", level, rule, store.data_end())
    finally:
        store.close()


@pytest.mark.parametrize("lang, title, tabs, key_tier", [
    ("zh", "客户分级与升降级", ["分级名单", "切点校准", "升降级", "分级趋势", "战略锁定"], "关键"),
    ("en", "Client tiers and migration", ["Tier list", "Calibrate cuts", "Migration", "Over time", "Strategic pins"],
     "Key")])
def test_page_shows_every_part(demo_db, lang, title, tabs, key_tier):
    at = open_page(PAGE, lang)
    assert not at.exception, at.exception
    assert at.title[0].value == title
    assert [tab.label for tab in at.tabs] == tabs
    assert len(at.get("plotly_chart")) == 0   # only the open tab (the tier list) ran
    # the tier list: the sidebar window is 2025, so its latest complete quarter, 2025Q4
    assert at.selectbox(key="tiers_period_quarter").value == "2025Q4"
    table = _period_table(demo_db, "2025Q4")
    assert len(at.dataframe[0].value) == len(table)
    key_metric = next(m for m in at.metric if m.label == key_tier)
    assert str((table["tier"] == "key").sum()) in key_metric.value
    # migration: the last two complete quarters of the window, the matrix, the four lists, the Sankey
    show(at, tabs[2])
    assert not at.exception, at.exception
    assert at.selectbox(key="tiers_mig_p_quarter").value == "2025Q3"
    assert at.selectbox(key="tiers_mig_q_quarter").value == "2025Q4"
    assert any("→" in m.value for m in at.markdown)     # the listed matrix cell
    assert len(at.get("plotly_chart")) == 1              # the Sankey
    assert sum(label.startswith(("升级", "Upgrades")) for label in (tab.label for tab in at.tabs)) == 1
    texts = [e.value for kind in (at.caption, at.markdown, at.info, at.error) for e in kind]
    for tab, charts in ((tabs[1], 1), (tabs[3], 2), (tabs[4], 0)):
        show(at, tab)
        assert not at.exception, at.exception
        assert len(at.get("plotly_chart")) == charts
        texts += [e.value for kind in (at.caption, at.markdown, at.info, at.error) for e in kind]
    for text in texts:
        assert "tiers." not in text, f"untranslated key in {text!r}"


def test_changing_the_period_kind_and_period_reruns(demo_db):
    at = open_page(PAGE, "en")
    at.segmented_control(key="tiers_kind").set_value("month").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="tiers_period_month").value == "2025-12"
    assert len(at.dataframe[0].value) == len(_period_table(demo_db, "2025-12"))
    at.selectbox(key="tiers_period_month").set_value("2024-03").run()
    assert not at.exception
    assert len(at.dataframe[0].value) == len(_period_table(demo_db, "2024-03"))
    at.multiselect(key="tiers_filter").set_value(["key"]).run()
    table = _period_table(demo_db, "2024-03")
    assert len(at.dataframe[0].value) == (table["tier"] == "key").sum()


def test_a_shifted_cut_is_calibrated_then_saved(demo_db):
    at = show(open_page(PAGE, "en"), "Calibrate cuts")
    at.number_input(key="tiers_cut_1").set_value(70.0).run()
    assert not at.exception, at.exception
    draft = TierRule(cuts=("0.5", "0.7", "0.95"))
    store = Store(demo_db)
    cal = tiers.calibration(store, periods.parse_label("2025Q4"), TierRule(), draft, data_end=store.data_end())
    store.close()
    moved = next(m for m in at.metric if m.label == "Clients changing tier")
    assert moved.value == f"{int(cal['moved'].sum())} clients" and cal["moved"].sum() > 0
    next(b for b in at.button if b.label == "Save as team standard").click().run()
    assert not at.exception
    assert _core(demo_db, tiers.saved_rule) == (draft, "revenue")
    # a falling set of cuts is refused with a sentence, not an exception
    at.number_input(key="tiers_cut_0").set_value(90.0).run()
    assert not at.exception
    assert any("cuts must rise" in e.value for e in at.error)


def test_team_capacity_inputs(demo_db):
    at = show(open_page(PAGE, "zh"), "切点校准")
    at.number_input(key="tiers_cap_n").set_value(1).run()
    at.number_input(key="tiers_cap_m").set_value(3).run()
    assert not at.exception
    assert next(m for m in at.metric if m.label == "可覆盖客户数").value == "3 个客户"


def test_pin_and_unpin_a_client(demo_db):
    at = show(open_page(PAGE, "en"), "Strategic pins")
    table = _period_table(demo_db, "2025Q4")
    smallest = table.iloc[-1]
    at.selectbox(key="tiers_pin_client").set_value(smallest["unit_key"])
    at.selectbox(key="tiers_pin_tier").set_value("key")
    at.text_input(key="tiers_pin_reason").set_value("opens the hotel industry")
    at.text_input(key="tiers_pin_who").set_value("Zhou")
    next(b for b in at.button if b.label == "Pin").click().run()
    assert not at.exception, at.exception
    pinned = _core(demo_db, tiers.pins)
    assert pinned[["client_key", "tier", "reason", "created_by"]].values.tolist() == [
        [smallest["unit_key"], "key", "opens the hotel industry", "Zhou"]]
    assert at.dataframe[0].value["name"].tolist() == [smallest["unit_name"]]   # who / when / why
    # the tier list marks the pin
    show(at, "Tier list")
    listed = at.dataframe[0].value.set_index("name")
    assert listed.loc[smallest["unit_name"], "tier"] == "Key (pinned)"
    assert listed.loc[smallest["unit_name"], "reason"] == "opens the hotel industry"
    show(at, "Strategic pins")
    next(b for b in at.button if b.label == "Unpin").click().run()
    assert not at.exception
    assert _core(demo_db, tiers.pins).empty


def test_pin_needs_a_reason(demo_db):
    at = show(open_page(PAGE, "zh"), "战略锁定")
    at.selectbox(key="tiers_pin_client").set_value(_period_table(demo_db, "2025Q4").iloc[0]["unit_key"])
    next(b for b in at.button if b.label == "锁定").click().run()
    assert not at.exception
    assert any("锁定原因" in e.value for e in at.error)
    assert _core(demo_db, tiers.pins).empty


def test_migration_cell_and_order(demo_db):
    at = show(open_page(PAGE, "en"), "Migration")
    store = Store(demo_db)
    moves = migration.migration(store, periods.parse_label("2025Q3"), periods.parse_label("2025Q4"))
    store.close()
    # without a selection the largest move off the diagonal is listed
    grid = migration.matrix(moves)
    off = grid[grid["from_state"] != grid["to_state"]].sort_values("clients", ascending=False).iloc[0]
    assert (off["from_state"], off["to_state"]) == ("maintenance", "general")
    assert any(m.value == f"**Maintenance → General: {off['clients']} clients**" for m in at.markdown)
    # select the important -> general cell (row 1, column "General") as a click would
    at.session_state["tiers_mig_cells"] = {"selection": {"rows": [], "columns": [], "cells": [[1, "General"]]}}
    at.run()
    assert not at.exception, at.exception
    n = len(migration.cell(moves, "important", "general"))
    assert any(m.value == f"**Important → General: {n} clients**" for m in at.markdown)
    at.selectbox(key="tiers_mig_p_quarter").set_value("2026Q1").run()
    assert not at.exception
    assert any("must come before" in w.value for w in at.warning)


def test_group_level_and_profit(demo_db):
    at = open_page(PAGE, "en", level="group")
    assert not at.exception, at.exception
    assert len(at.dataframe[0].value) == len(_period_table(demo_db, "2025Q4", level="group"))
    at.segmented_control(key="tiers_measure").set_value("profit").run()
    assert not at.exception
    for tab in ("Calibrate cuts", "Migration", "Over time", "Strategic pins"):
        show(at, tab)
        assert not at.exception, at.exception
    assert any("do not apply at group level" in i.value for i in at.info)


def test_without_data(empty_db):
    at = open_page(PAGE, "en")
    assert not at.exception
    assert at.title[0].value == "Client tiers and migration"
    assert not at.dataframe
