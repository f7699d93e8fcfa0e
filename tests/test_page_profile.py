"""The client profile page in AppTest: figures, switching client, notes and the stakeholder map, both languages."""
from __future__ import annotations

import pytest

from kam_core import profile, stakeholders
from kam_core.ranks import unit_names
from kam_core.store import Store
from tests.helpers import open_page

PAGE = "pages/6_profile.py"


def _texts(at) -> str:
    return " ".join([m.value for m in at.markdown] + [c.value for c in at.caption] + [s.value for s in at.subheader]
                    + [h.value for h in at.header] + [i.value for i in at.info])


@pytest.mark.parametrize("lang, words", [("zh", ["客户画像", "全盘排名", "决策链", "客户备注"]),
                                         ("en", ["Client profile", "Rank in portfolio", "Stakeholder map",
                                                 "Profile notes"])])
def test_profile_page_in_both_languages(demo_db, lang, words):
    at = open_page(PAGE, lang)
    assert not at.exception, at.exception
    assert at.title[0].value == words[0]
    labels = [m.label for m in at.metric]
    assert words[1] in labels
    tabs = [tab.label for tab in at.tabs]
    assert words[2] in tabs and words[3] in tabs
    assert len(at.get("plotly_chart")) >= 1


def test_switching_client_reruns(demo_db):
    at = open_page(PAGE, "en")
    picker = at.selectbox(key="prof_unit_client")
    first_name = at.subheader[0].value
    store = Store(demo_db)
    other = next(k for k in sorted(unit_names(store, "client")) if k != picker.value)
    store.close()
    picker.set_value(other).run()
    assert not at.exception, at.exception
    assert at.subheader[0].value != first_name
    assert at.selectbox(key="prof_unit_client").value == other


def test_notes_form_saves(demo_db):
    at = open_page(PAGE, "en")
    key = at.selectbox(key="prof_unit_client").value
    areas = at.text_area
    areas[0].input("One delivery schedule for all stores")
    areas[1].input("Stock-outs in peak season")
    areas[2].input("=HYPERLINK(\"x\")")
    submit = [b for b in at.get("button") if getattr(b, "label", "") == "Save"]
    assert submit, "the notes form has a Save button"
    submit[0].click().run()
    assert not at.exception, at.exception
    store = Store(demo_db)
    try:
        saved = profile.notes(store, key)
    finally:
        store.close()
    assert saved["needs"] == "One delivery schedule for all stores"
    assert saved["pain_points"] == "Stock-outs in peak season"
    assert saved["competitors"] == "=HYPERLINK(\"x\")"


def test_stakeholder_map_shows(demo_db):
    store = Store(demo_db)
    names = unit_names(store, "client")
    first = sorted(names, key=lambda k: names[k])[0]
    stakeholders.add_stakeholder(store, first, "张总", "总经理", "decision_maker", -3)
    stakeholders.add_stakeholder(store, first, "李经理", "采购", "influencer", 4)
    store.close()
    at = open_page(PAGE, "zh", prof_focus=first)
    assert not at.exception, at.exception
    assert at.selectbox(key="prof_unit_client").value == first
    # The decision maker is against us: the page warns.
    assert any("决策者" in w.value for w in at.warning)
    assert any("共 2 人" in w.value for w in at.warning)


def test_opens_on_the_largest_client(demo_db):
    at = open_page(PAGE, "en")
    store = Store(demo_db)
    try:
        from kam_core import periods, portfolio

        b = portfolio.bounds(store)
        window = periods.default_window(b.first_day, b.data_end)
        expected = profile.largest_unit(store, "client", window.start, window.end)
    finally:
        store.close()
    assert at.selectbox(key="prof_unit_client").value == expected


def test_profile_page_group_level(demo_db):
    at = open_page(PAGE, "en", level="group")
    assert not at.exception, at.exception
    assert at.selectbox(key="prof_unit_group").value is not None


def test_profile_page_without_data(empty_db):
    at = open_page(PAGE, "en")
    assert not at.exception, at.exception
    assert any("No order data yet" in i.value for i in at.info)


def test_followup_status_cadence_and_advances_show(demo_db):
    from kam_core import advances, followup

    store = Store(demo_db)
    try:
        import datetime as dt

        end = store.data_end()
        first = profile.largest_unit(store, "client", end - dt.timedelta(days=364), end)
        followup.set_status(store, first, "recovering", "王磊", "*补货* 计划")
        # 1 yuan from a year before the data end: the client's sales since then recoup it.
        advances.add_advance(store, first, 1, end - dt.timedelta(days=365), 12, "extend")
    finally:
        store.close()
    at = open_page(PAGE, "en", prof_focus=first)
    assert not at.exception, at.exception
    texts = _texts(at) + " ".join(w.value for w in at.warning)
    # Markdown characters of the next step are shown as typed (escaped), not as emphasis.
    assert "Follow-up status: Recovering · owner 王磊 · next step\\: \\*补货\\* 计划" in texts
    # The largest client of the last year is 关键: level A, a contact every 30 days.
    assert "Level A service\\: a contact at least every 30 days" in texts
    advance_tables = [df.value for df in at.dataframe if "Recouped share" in df.value.columns]
    assert len(advance_tables) == 1
    table = advance_tables[0]
    assert table["Status"].tolist() == ["Recouped"] and table["Settlement"].tolist() == ["Extend until recouped"]
    assert table["Recouped share"].tolist() == ["100%"]


def test_chain_scope_reads_in_the_page_language(demo_db):
    """The demo's chains are 全国连锁 / 区域连锁 / 单城; in English the facts line says so in English."""
    for lang, words in (("en", ("National chain", "Regional chain", "Single city")), ("zh", ("全国连锁", "区域连锁", "单城"))):
        at = open_page(PAGE, lang)
        line = next(c.value for c in at.caption if "Chain scope:" in c.value or "连锁范围:" in c.value)
        assert any(word in line for word in words), line
        if lang == "en":
            assert not any(word in line for word in ("全国连锁", "区域连锁", "单城")), line
