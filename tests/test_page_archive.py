"""The KA archive page (pages/8_archive.py) in AppTest, on the demo portfolio, in both languages."""
from __future__ import annotations

import pytest

from kam_core import archive, plan
from kam_core.i18n import t
from kam_core.store import Store
from tests.helpers import open_page

PAGE = "pages/8_archive.py"


def tab(at, name: str, lang: str):
    at.session_state["arc_tab"] = t(f"arc.tab.{name}", lang)
    return at.run()


def texts(at) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "success", "warning", "error")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def demo_table(db):
    store = Store(db)
    try:
        return archive.archive_table(store, store.data_end())
    finally:
        store.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_archive_page(demo_db, lang):
    at = open_page(PAGE, lang)
    assert not at.exception, at.exception
    assert at.title[0].value == t("nav.archive", lang)
    table = demo_table(demo_db)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("arc.kpi.archived", lang)] == f"{int(table['in_archive'].sum()):,}"
    assert metrics[t("arc.kpi.prospects", lang)] == "6"
    assert metrics[t("arc.kpi.missing", lang)] == f"{len(archive.missing_from_archive(table)):,}"
    assert [x.label for x in at.tabs] == [t(f"arc.tab.{n}", lang) for n in
                                          ("table", "edit", "grid", "missing", "matrix", "groups")]
    shown = at.dataframe[0].value
    assert len(shown) == len(table) and shown["client_name"].tolist() == table["client_name"].tolist()
    assert at.get("download_button")


def test_filters_rerun_the_table(demo_db):
    at = open_page(PAGE, "en")
    at.segmented_control(key="arc_t_scope").set_value("prospects").run()
    assert not at.exception
    assert len(at.dataframe[0].value) == 6 and (at.dataframe[0].value["t12m"] == 0).all()
    at.segmented_control(key="arc_t_scope").set_value("all").run()
    at.multiselect(key="arc_t_tiers").set_value(["key"]).run()
    table = demo_table(demo_db)
    assert len(at.dataframe[0].value) == int((table["tier"] == "key").sum())
    at.text_input(key="arc_t_search").set_value("no such client anywhere").run()
    assert t("arc.nothing", "en") in texts(at)


def test_edit_one_client_in_the_form(demo_db):
    at = open_page(PAGE, "zh")
    tab(at, "edit", "zh")
    assert not at.exception, at.exception
    key = at.selectbox(key="arc_edit_pick").value
    at.text_input(key=f"arc_f_owner_{key}").set_value("新经理")
    at.number_input(key=f"arc_f_potential_{key}").set_value(12345.6)      # 万元
    next(b for b in at.button if b.label == t("w.save", "zh")).click().run()
    assert not at.exception, at.exception
    store = Store(demo_db)
    with store.reader() as cur:
        owner, potential, by = cur.execute("SELECT owner, potential, updated_by FROM clients WHERE client_key = $k",
                                           {"k": key}).fetchone()
    store.close()
    assert (owner, float(potential), by) == ("新经理", 123_456_000.0, "app")
    assert at.selectbox(key="arc_edit_pick").value == key


def test_add_a_prospect_and_refuse_a_bad_one(demo_db):
    at = open_page(PAGE, "en")
    tab(at, "edit", "en")
    at.selectbox(key="arc_edit_pick").set_value("__new__").run()
    next(b for b in at.button if b.label == "Save").click().run()
    assert t("arc.err.missing_name", "en") in [e.value for e in at.error]
    at.text_input(key="arc_f_name___new__").set_value("  新开 连锁 ")
    at.selectbox(key="arc_f_scope___new__").set_value("区域连锁")
    at.number_input(key="arc_f_stores___new__").set_value(25)
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception, at.exception
    assert at.selectbox(key="arc_edit_pick").value == "新开连锁"
    table = demo_table(demo_db).set_index("client_key")
    assert table.loc["新开连锁", "store_count"] == 25 and not table.loc["新开连锁", "has_orders"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_other_tabs(demo_db, lang):
    at = open_page(PAGE, lang)
    for name in ("grid", "missing", "matrix", "groups"):
        tab(at, name, lang)
        assert not at.exception, (name, at.exception)
    tab(at, "grid", lang)
    assert t("arc.grid_changes", lang, n=0) in texts(at)
    tab(at, "missing", lang)
    table = demo_table(demo_db)
    assert len(at.dataframe[0].value) == len(archive.missing_from_archive(table))
    tab(at, "matrix", lang)
    assert len(at.get("plotly_chart")) == 1
    assert [m.label for m in at.metric][-4:] == [t(f"plan.q.{q}", lang) for q in plan.QUADRANTS]
    at.segmented_control(key="arc_quadrant").set_value("keep").run()
    assert not at.exception
    tab(at, "groups", lang)
    assert len(at.dataframe) == 2


def test_group_level_opens_members(demo_db):
    at = open_page(PAGE, "en", level="group")
    assert not at.exception, at.exception
    assert t("arc.group_level", "en") in texts(at)
    store = Store(demo_db)
    named = archive.groups(store)
    store.close()
    group = named["group_key"].iloc[0]
    at.selectbox(key="arc_group_pick").set_value(group).run()
    assert not at.exception
    members = at.dataframe[1].value
    assert len(members) == int(named["members"].iloc[0])


def test_page_without_data(empty_db):
    at = open_page(PAGE, "en")
    assert not at.exception
    assert t("w.no_data_page", "en") in [i.value for i in at.info]
