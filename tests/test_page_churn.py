"""The churn watchlist page (pages/4_churn.py) in AppTest, on the demo portfolio, in both languages."""
from __future__ import annotations

import datetime as dt

import pytest

from kam_core import advances, backtest, churn, coverage, fmt, followup
from kam_core.churn_signals import ChurnSettings
from kam_core.i18n import t
from kam_core.store import Store
from tests.helpers import open_page

PAGE = "pages/4_churn.py"


def tab(at, key: str, lang: str):
    at.session_state["churn_tab"] = t(key, lang)
    return at.run()


def texts(at) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "success", "warning", "error")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_watchlist_page(demo_db, lang):
    at = open_page(PAGE, lang)
    assert not at.exception, at.exception
    assert at.title[0].value == t("churn.title", lang)
    labels = [m.label for m in at.metric]
    assert labels == [t(k, lang) for k in ("churn.kpi.listed", "churn.kpi.at_risk", "churn.kpi.t12m", "churn.kpi.share")]
    store = Store(demo_db)
    expected = churn.watchlist(store, lang=lang)
    store.close()
    assert at.metric[0].value == t("w.clients_n", lang, n=len(expected.frame))
    assert [tb.label for tb in at.tabs] == [t(k, lang) for k in
                                            ("churn.tab.list", "churn.tab.followup", "churn.tab.backtest", "churn.tab.settings")]
    table = at.dataframe[0].value
    assert table[t("w.client", lang)].tolist() == expected.frame["unit_name"].tolist()
    assert table[t("churn.col.reasons", lang)].tolist() == expected.frame["reason_text"].tolist()
    assert len(at.get("plotly_chart")) == 1
    assert at.get("download_button")


def test_a_wider_scope_and_an_owner_rerun_the_list(demo_db):
    at = open_page(PAGE, "en")
    ka = int(at.metric[0].value.split()[0])
    at.selectbox(key="churn_scope").select("all").run()
    assert not at.exception
    everyone = int(at.metric[0].value.split()[0].replace(",", ""))
    assert everyone > ka
    owner = at.selectbox(key="churn_owner").options[1]
    at.selectbox(key="churn_owner").select(owner).run()
    owners = set(at.dataframe[0].value["Owner"])
    assert owners == {owner}
    at.selectbox(key="churn_model").select("off").run()
    assert t("churn.model_off", "en") in texts(at)


def test_an_earlier_date_and_an_empty_selection(demo_db):
    at = open_page(PAGE, "en")
    at.date_input(key="churn_as_of").set_value(dt.date(2024, 3, 31)).run()
    assert not at.exception
    at.selectbox(key="churn_owner").select(at.selectbox(key="churn_owner").options[-1]).run()
    at.selectbox(key="churn_scope").select("key").run()
    assert not at.exception
    if at.metric[0].value == "0 clients":
        assert "no client in this selection shows a sign of leaving" in texts(at)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_follow_up_tab_adds_a_note(demo_db, lang):
    at = tab(open_page(PAGE, lang), "churn.tab.followup", lang)
    assert not at.exception, at.exception
    client = at.selectbox(key="churn_fu_client").value
    assert t("churn.fu.no_notes", lang) in texts(at)
    at.text_area[0].input("电话沟通，对方在比价")
    next(b for b in at.button if b.label == t("churn.fu.add_note", lang)).click().run()
    assert not at.exception, at.exception
    log = at.dataframe[0].value
    assert log[t("churn.fu.text", lang)].tolist() == ["电话沟通，对方在比价"]
    store = Store(demo_db)
    with store.reader() as cur:
        assert cur.execute("SELECT client_key, source FROM contacts WHERE source = 'followup'").fetchall() == [
            (client, "followup")]
    store.close()
    # the status form
    status_box = next(s for s in at.selectbox if s.label == t("churn.fu.status", lang))
    status_box.select("contacted")
    next(b for b in at.button if b.label == t("churn.fu.save", lang)).click().run()
    assert not at.exception
    board = at.dataframe[-1].value
    assert board[t("churn.col.status", lang)].tolist() == [t("churn.status.contacted", lang)]


def test_follow_ups_are_per_client(demo_db):
    at = open_page(PAGE, "en", level="group")
    at = tab(at, "churn.tab.followup", "en")
    assert not at.exception
    assert t("churn.fu.group_level", "en") in texts(at)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_backtest_tab(demo_db, lang):
    at = tab(open_page(PAGE, lang), "churn.tab.backtest", lang)
    assert not at.exception, at.exception
    store = Store(demo_db)
    data_end = store.data_end()
    expected = backtest.backtest(store, backtest.latest_as_of(data_end, 90), 90, 20)
    store.close()
    k = expected.k_used
    assert [m.label for m in at.metric] == [t("churn.bt.precision", lang, k=k), t("churn.bt.recall", lang, k=k),
                                            t("churn.bt.base", lang), t("churn.bt.lift", lang)]
    assert at.metric[2].value == fmt.pct(expected.base_rate)
    at.selectbox(key="churn_scope").select("all").run()
    at.number_input(key="churn_bt_k").set_value(5).run()
    assert not at.exception
    assert at.metric[0].label == t("churn.bt.precision", lang, k=5)
    assert len(at.get("plotly_chart")) == 1
    at.segmented_control(key="churn_bt_horizon").set_value(180).run()
    assert not at.exception
    assert any("180" in c.value for c in at.caption)   # the summary speaks of the next 180 days


def test_settings_tab_applies_saves_and_restores(demo_db):
    at = tab(open_page(PAGE, "en"), "churn.tab.settings", "en")
    assert not at.exception, at.exception
    assert t("churn.set.applied", "en") not in texts(at)
    at.session_state["churn_unsaved"] = ChurnSettings().with_rule("silence", weight=0.1)
    at.run()
    assert t("churn.set.applied", "en") in texts(at)
    next(b for b in at.button if b.label == t("churn.set.save", "en")).click().run()
    assert not at.exception
    store = Store(demo_db)
    assert churn.saved_settings(store).silence.weight == 0.1
    store.close()
    assert t("churn.set.applied", "en") not in texts(at)
    at.button(key="churn_set_reset").click().run()
    assert at.session_state["churn_unsaved"] == ChurnSettings()
    assert t("churn.set.applied", "en") in texts(at)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_without_data(empty_db, lang):
    at = open_page(PAGE, lang)
    assert not at.exception
    assert at.title[0].value == t("churn.title", lang)
    assert [i.value for i in at.info] == [t("w.no_data_page", lang)]
    assert not at.tabs and not at.metric and not at.dataframe


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_group_level_watchlist(demo_db, lang):
    at = open_page(PAGE, lang, level="group")
    assert not at.exception, at.exception
    store = Store(demo_db)
    expected = churn.watchlist(store, level="group", lang=lang)
    store.close()
    assert at.metric[0].value == f"{len(expected.frame):,}"
    if expected.empty:
        assert t("churn.empty", lang, as_of=expected.as_of) in texts(at)
    else:
        table = at.dataframe[0].value
        assert table[t("w.group", lang)].tolist() == expected.frame["unit_name"].tolist()
        assert t("churn.col.status", lang) not in table.columns     # follow-ups are per client
        assert at.get("download_button")
    # back to clients: the same page, the client list
    at.radio(key="level").set_value("client").run()
    assert not at.exception
    assert t("w.client", lang) in at.dataframe[0].value.columns


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_flags_and_follow_ups_show_on_the_watchlist(demo_db, lang):
    store = Store(demo_db)
    end = store.data_end()
    # The largest 关键 client with no signal gets an advance it cannot recoup: it joins the list.
    scored = churn.scores(store, end, "client", churn.saved_settings(store), "auto").frame
    called = ~scored["unit_key"].isin(coverage.overdue_keys(store, end))
    quiet_key = scored[(scored["tier"] == "key") & (scored["signals"] == 0) & called] \
        .sort_values("t12m_revenue").iloc[-1]
    advance_id = advances.add_advance(store, quiet_key["unit_key"], 10 ** 10, end - dt.timedelta(days=29), 12)
    listed_key = churn.watchlist(store, lang=lang).frame.iloc[0]["unit_key"]
    followup.add_note(store, listed_key, "约了下周拜访", "王磊", end, "call")
    expected = churn.watchlist(store, lang=lang)
    store.close()
    at = open_page(PAGE, lang)
    assert not at.exception, at.exception
    late = int(expected.frame["contact_overdue"].sum())
    parts = ([t("churn.flags_summary.late", lang, n=late)] if late else []) + [t("churn.flags_summary.behind", lang, n=1)]
    assert [w.value for w in at.warning] == [t("churn.flags_summary", lang, parts=t("churn.flags_summary.sep", lang).join(parts))]
    table = at.dataframe[0].value.set_index(t("w.client", lang))
    row = expected.frame.set_index("unit_key").loc[quiet_key["unit_key"]]
    assert row["reasons"] == [] and [f["flag"] for f in row["flags"]] == ["advance"]
    head = {"zh": f"预付款 #{advance_id} 回收落后：", "en": f"advance #{advance_id} behind: "}[lang]
    assert row["reason_text"].startswith(head)
    assert table.loc[quiet_key["unit_name"], t("churn.col.reasons", lang)] == row["reason_text"]
    first = table.iloc[0]
    assert first[t("churn.col.status", lang)] == t("churn.status.open", lang)
    assert first[t("churn.col.last_note", lang)] == "约了下周拜访"


def test_every_churn_string_exists_in_both_languages():
    import re
    from pathlib import Path

    from kam_core import followup
    from kam_core.churn_signals import SIGNALS
    from kam_core.i18n import STRINGS

    root = Path(__file__).resolve().parent.parent
    used = set()
    for path in ("kam_core/churn.py", "kam_core/churn_signals.py", "kam_core/backtest.py", "kam_core/followup.py",
                 "kam_core/charts/churn.py", "kam_core/cli/churn.py", "pages/4_churn.py"):
        used |= set(re.findall(r'''\bt\(\s*["']((?:churn|w|tier)\.[a-z0-9_.]+)["']''', (root / path).read_text()))
    used |= {f"churn.status.{s}" for s in (*followup.STATUSES, "none")} | {f"churn.kind.{k}" for k in followup.CONTACT_KINDS}
    used |= {f"churn.signal.{s}" for s in SIGNALS} | {f"churn.set.measure.{s}" for s in SIGNALS}
    used |= {f"churn.fallback.{r}" for r in ("little_history", "not_converged", "degenerate")}
    used |= {f"churn.model.{m}" for m in churn.MODEL_MODES} | {f"churn.unit.{u}" for u in churn.LEVELS}
    used |= {"churn.why.decline_prev", "churn.why.decline_year", "churn.why.breadth_category", "churn.why.breadth_city"}
    used |= {"churn.flag.advance_behind", "churn.flag.advance_overdue", "churn.flags_summary.late",
             "churn.flags_summary.behind"}
    assert len(used) > 100
    missing = sorted(k for k in used if k not in STRINGS)
    assert missing == []
    assert all(zh and en for k, (zh, en) in STRINGS.items() if k.startswith("churn."))


def test_a_language_switch_keeps_codes_and_translates_the_tab(demo_db):
    """The model box holds the code off (an English word some string tables also use): it stays off.
    The tab's value is its label: 跟进记录 becomes its English label."""
    at = open_page(PAGE, "zh")
    at.selectbox(key="churn_model").set_value("off")
    tab(at, "churn.tab.followup", "zh")
    at.button_group(key="lang_switch_zh").set_value("en").run()
    assert not at.exception
    assert at.session_state["lang"] == "en"
    assert at.session_state["churn_model"] == "off"
    assert at.session_state["churn_tab"] == t("churn.tab.followup", "en")
