"""The targets page (pages/9_targets.py) in AppTest, on the demo portfolio, in both languages."""
from __future__ import annotations

import datetime as dt

import pytest

from kam_core import fmt, periods, plan
from kam_core.i18n import t
from kam_core.store import Store
from tests.helpers import open_page

PAGE = "pages/9_targets.py"


def tab(at, name: str, lang: str):
    at.session_state["plan_tab"] = t(f"plan.tab.{name}", lang)
    return at.run()


def texts(at) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "success", "warning", "error")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def expected(db, label: str, as_of: dt.date | None = None):
    store = Store(db)
    try:
        as_of = as_of or store.data_end()
        frame = plan.attainment(store, label, as_of)
        span = periods.parse_label(label)
        level = plan.team_level(frame)
        return as_of, plan.totals(frame[frame["level"] == level], span, as_of), frame
    finally:
        store.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_targets_page(demo_db, lang):
    at = open_page(PAGE, lang)
    assert not at.exception, at.exception
    assert at.title[0].value == t("nav.targets", lang)
    label = at.selectbox(key="plan_period").value
    as_of, total, frame = expected(demo_db, label)
    assert label == str(as_of.year)                          # the as-of year has targets in the demo
    metrics = {m.label: m.value for m in at.metric}
    span = periods.parse_label(label)
    assert metrics[t("plan.kpi.progress", lang)] == fmt.pct(plan.time_progress(span, as_of))
    assert metrics[t("plan.kpi.actual", lang)] == fmt.money(total["actual"], lang)
    assert metrics[t("plan.kpi.attainment", lang)] == fmt.pct(total["attainment"])
    # attainment against time progress is a difference of percentages: points, not per cent
    delta = next(m.delta for m in at.metric if m.label == t("plan.kpi.attainment", lang))
    assert delta == t("w.pp", lang, v=(total["attainment"] - plan.time_progress(span, as_of)) * 100)
    assert delta.endswith("个百分点" if lang == "zh" else "pp")
    assert [x.label for x in at.tabs] == [t(f"plan.tab.{n}", lang) for n in ("owners", "clients", "scorecard")]
    assert len(at.get("plotly_chart")) == 2                  # attainment bars and the cumulative curve
    behind = plan.behind_pace(frame, "owner")
    assert t("plan.behind_title", lang, n=len(behind)) in texts(at)
    prepare = next(b for b in at.button if b.key == "xlsx_ready_plan_download_prepare")
    assert prepare.label == t("w.prepare_xlsx_now", lang) and not at.get("download_button")
    prepare.click().run()
    assert not at.exception and at.get("download_button")


def test_period_and_as_of_rerun(demo_db):
    at = open_page(PAGE, "en")
    year = at.selectbox(key="plan_period").value
    quarter = f"{year}Q2"
    at.selectbox(key="plan_period").set_value(quarter).run()
    assert not at.exception, at.exception
    as_of, total, _ = expected(demo_db, quarter)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Time progress"] == "100.0%"               # Q2 is over at the data end
    assert metrics["Actual"] == fmt.money(total["actual"], "en")
    assert metrics["Target (sum of clients)"] == fmt.money(total["target"], "en")   # no owner targets per quarter
    mid = dt.date(int(year), 5, 16)                           # 31 + 30 + 16 = 46 of 91 days
    at.date_input(key="plan_as_of_input").set_value(mid).run()
    assert not at.exception
    _, total, _ = expected(demo_db, quarter, mid)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Time progress"] == fmt.pct(46 / 91)
    assert metrics["Actual"] == fmt.money(total["actual"], "en")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_clients_and_scorecard_tabs(demo_db, lang):
    at = open_page(PAGE, lang)
    tab(at, "clients", lang)
    assert not at.exception, at.exception
    assert len(at.get("plotly_chart")) == 2
    picked = at.selectbox(key="plan_curve_client").options[1]
    at.selectbox(key="plan_curve_client").select(picked).run()
    assert not at.exception
    tab(at, "scorecard", lang)
    assert not at.exception, at.exception
    card = at.dataframe[0].value
    store = Store(demo_db)
    expected_card = plan.owner_scorecard(store, store.data_end(), str(store.data_end().year))
    store.close()
    assert card["owner"].tolist() == expected_card["owner"].fillna(t("plan.unassigned", lang)).tolist()
    assert card["ka_clients"].tolist() == expected_card["ka_clients"].tolist()


def test_a_period_without_targets(demo_db):
    at = open_page(PAGE, "en")
    year = int(at.selectbox(key="plan_period").value)
    at.date_input(key="plan_as_of_input").set_value(dt.date(year - 2, 6, 30)).run()
    assert not at.exception
    label = str(year - 2)
    offered = [o.split(" · ")[0] for o in at.selectbox(key="plan_period").options]
    assert label in offered                                   # the as-of date's year is always offered
    at.selectbox(key="plan_period").set_value(label).run()
    assert not at.exception
    assert t("plan.no_targets", "en", period=label) in texts(at)
    tab(at, "scorecard", "en")
    assert not at.exception and len(at.dataframe) == 1       # the scorecard needs no targets


def test_page_without_data(empty_db):
    at = open_page(PAGE, "en")
    assert not at.exception
    assert t("w.no_data_page", "en") in [i.value for i in at.info]
