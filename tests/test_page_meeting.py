"""Meeting mode in AppTest: the agenda, stepping through the clients, saving a decision, the lists."""
from __future__ import annotations

import pytest

from kam_core import followup
from kam_core.store import Store
from tests.helpers import open_page

PAGE = "pages/7_meeting.py"


def _screen_name(at) -> str:
    """The client shown in large type."""
    names = [h.value for h in at.html if "kam-meet-name" in h.value]
    assert names, "a client is presented"
    return names[0]


def _agenda_names(at) -> list[str]:
    frame = at.dataframe[0].value
    return frame.iloc[:, 1].tolist()


@pytest.mark.parametrize("lang, title, start", [("zh", "经营分析会", "开始会议"), ("en", "Meeting mode", "Start the meeting")])
def test_agenda_in_both_languages(demo_db, lang, title, start):
    at = open_page(PAGE, lang)
    assert not at.exception, at.exception
    assert at.title[0].value == title
    assert at.button(key="mtg_start").label == start
    assert len(_agenda_names(at)) >= 1
    assert len(at.get("download_button")) == 2


def test_walk_through_and_save_a_decision(demo_db):
    at = open_page(PAGE, "en")
    agenda = _agenda_names(at)
    assert len(agenda) >= 2
    at.text_input(key="mtg_author").input("Wang Lei").run()
    at.button(key="mtg_start").click().run()
    assert not at.exception, at.exception
    assert agenda[0] in _screen_name(at)
    assert at.button(key="mtg_prev").disabled
    at.button(key="mtg_next").click().run()
    assert not at.exception, at.exception
    assert agenda[1] in _screen_name(at)
    # A decision on the second client goes to its follow-up log as a meeting note.
    at.text_area(key=[a.key for a in at.text_area][0]).input("Meet the purchasing director next week").run()
    at.button(key="mtg_save").click().run()
    assert not at.exception, at.exception
    store = Store(demo_db)
    try:
        from kam_core.ranks import unit_names

        names = unit_names(store, "client")
        key = next(k for k, v in names.items() if v == agenda[1])
        log = followup.followup_log(store, key)
    finally:
        store.close()
    assert log["text"].tolist()[0] == "Meet the purchasing director next week"
    assert log["kind"].tolist()[0] == "meeting" and log["author"].tolist()[0] == "Wang Lei"
    # The recorded decision shows on the client's screen; back to the first, then to the agenda.
    assert any("Meet the purchasing director" in str(df.value.values.tolist()) for df in at.dataframe)
    at.button(key="mtg_prev").click().run()
    assert agenda[0] in _screen_name(at)
    at.button(key="mtg_back").click().run()
    assert not at.exception, at.exception
    assert at.button(key="mtg_start")


def test_empty_note_is_not_saved(demo_db):
    at = open_page(PAGE, "en")
    at.button(key="mtg_start").click().run()
    at.button(key="mtg_save").click().run()
    assert not at.exception, at.exception
    assert any("Write the decision first" in w.value for w in at.warning)


def test_lists(demo_db):
    at = open_page(PAGE, "en")
    ka = _agenda_names(at)
    at.radio(key="mtg_list").set_value("tier").run()
    assert not at.exception, at.exception
    at.selectbox(key="mtg_tier").set_value("general").run()
    general = _agenda_names(at)
    assert general and not set(general) & set(ka)
    at.radio(key="mtg_list").set_value("custom").run()
    assert any("Pick the clients" in i.value for i in at.info)
    at.multiselect(key="mtg_custom").set_value([ka[-1], general[0]]).run()
    assert _agenda_names(at) == [ka[-1], general[0]]
    at.radio(key="mtg_list").set_value("watchlist").run()
    assert not at.exception, at.exception


def test_group_level_meeting(demo_db):
    at = open_page(PAGE, "zh", level="group")
    assert not at.exception, at.exception
    at.button(key="mtg_start").click().run()
    assert not at.exception, at.exception
    assert _screen_name(at)


def test_meeting_without_data(empty_db):
    at = open_page(PAGE, "en")
    assert not at.exception, at.exception


def test_client_screen_shows_followup_status_and_advances(demo_db):
    import datetime as dt

    from kam_core import advances
    from kam_core.ranks import unit_names

    at = open_page(PAGE, "en")
    first = _agenda_names(at)[0]
    store = Store(demo_db)
    try:
        key = next(k for k, v in unit_names(store, "client").items() if v == first)
        followup.set_status(store, key, "contacted", "Wang Lei", "Quarterly review")
        # 1 yuan from a year before the data end: recouped by the client's sales since.
        advances.add_advance(store, key, 1, store.data_end() - dt.timedelta(days=365), 12, "refund")
    finally:
        store.close()
    at.button(key="mtg_start").click().run()
    assert not at.exception, at.exception
    assert first in _screen_name(at)
    texts = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert "**Follow-up status**: Contacted · owner Wang Lei · next step\\: Quarterly review" in texts
    assert "Advance \\#1\\: ¥1, 100% recouped, Recouped" in texts
