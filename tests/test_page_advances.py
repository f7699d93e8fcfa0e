"""The advance ledger page in AppTest: the empty state, signing a saved scenario, typing terms, both languages."""
from __future__ import annotations

import datetime as dt

import pytest

from kam_core import advances
from kam_core.prepay import PrepayInputs
from kam_core.store import Store
from tests.helpers import open_page
from tests.test_advances import save_scenario

PAGE = "pages/11_advances.py"


def _biggest_client(db) -> tuple[str, str]:
    s = Store(db)
    try:
        return s.con.execute("SELECT client_key, client_name FROM client_dim ORDER BY lines DESC LIMIT 1").fetchone()
    finally:
        s.close()


@pytest.mark.parametrize("lang, title, empty", [("zh", "预付款台账", "还没有登记预付款"),
                                               ("en", "Advance ledger", "No advance signed yet")])
def test_empty_ledger(demo_db, lang, title, empty):
    at = open_page(PAGE, lang)
    assert not at.exception, at.exception
    assert at.title[0].value == title
    assert any(empty in i.value for i in at.info)
    assert len(at.tabs) == 2


def test_sign_a_saved_scenario_and_see_it_in_the_ledger(demo_db):
    key, name = _biggest_client(demo_db)
    s = Store(demo_db)
    inputs = PrepayInputs(stores_now=17, stores_target=40, term_months=12, rule="refund", paths=500)
    sid = save_scenario(s, "扩店 17→40", key, inputs)
    recommended = advances.scenario(s, sid)["results"]["recommended_advance"]
    s.close()
    at = open_page(PAGE, "en")
    assert at.selectbox(key="adv_scenario").value == sid
    at.date_input(key=f"adv_sign_start_{sid}").set_value(dt.date(2026, 1, 1))
    next(b for b in at.button if b.label == "Sign").click().run()
    assert not at.exception, at.exception
    assert any("signed" in m.value for m in at.success)
    ledger = next(df.value for df in at.dataframe if "Term end" in df.value.columns)
    assert len(ledger) == 1
    row = ledger.iloc[0]
    assert row["Client"] == name and row["Scenario"] == f"#{sid}"
    assert row["Amount"] == pytest.approx(round(recommended, 2))
    assert str(row["Term end"]) == "2026-12-31"
    assert at.selectbox(key="adv_pick").value == 1
    s = Store(demo_db)
    months = advances.progress(s, 1, s.data_end())
    s.close()
    assert months["p50"].notna().all()   # the scenario's fan is drawn beside the actuals


def test_type_the_terms_and_switch_date_and_language(demo_db):
    key, name = _biggest_client(demo_db)
    at = open_page(PAGE, "zh")
    assert any("还没有保存的预付款测算方案" in i.value for i in at.info)
    at.selectbox(key="adv_terms_client").set_value(key)
    at.number_input(key="adv_terms_amount").set_value(2_000_000.0)
    at.date_input(key="adv_terms_start").set_value(dt.date(2026, 3, 1))
    at.number_input(key="adv_terms_term").set_value(6)
    at.selectbox(key="adv_terms_rule").set_value("extend")
    next(b for b in at.button if b.label == "登记").click().run()
    assert not at.exception, at.exception
    s = Store(demo_db)
    table = advances.ledger(s, s.data_end())
    s.close()
    assert len(table) == 1 and table.iloc[0]["rule"] == "extend" and table.iloc[0]["end"] == dt.date(2026, 8, 31)
    status_zh = {"recouped": "已回收", "on_track": "进度正常", "behind": "落后", "overdue": "已逾期"}
    assert any(status_zh[table.iloc[0]["status"]] in m.value for m in at.metric)
    # Before the start the advance has not begun.
    at.date_input(key="adv_as_of").set_value(dt.date(2026, 2, 1)).run()
    assert not at.exception
    assert any("尚未开始" in i.value for i in at.info)
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    assert at.title[0].value == "Advance ledger"


def test_refused_terms_show_an_error(demo_db):
    key, _ = _biggest_client(demo_db)
    at = open_page(PAGE, "en")
    assert at.selectbox(key="adv_terms_client").value is None      # no client is picked for the user
    next(b for b in at.button if b.label == "Add").click().run()
    assert not at.exception
    assert any(e.value == "Choose the client of this advance first; nothing was signed." for e in at.error)
    at.selectbox(key="adv_terms_client").set_value(key)
    at.number_input(key="adv_terms_amount").set_value(0.0)
    next(b for b in at.button if b.label == "Add").click().run()
    assert not at.exception
    assert any("Cannot sign" in e.value for e in at.error)
    s = Store(demo_db)
    assert advances.ledger(s, s.data_end()).empty
    s.close()


def test_the_overview_lists_advances_going_behind(demo_db):
    at = open_page("app.py", "en")
    assert not at.exception, at.exception
    assert not any("behind or overdue" in m.value for m in at.markdown)     # hidden when none
    key, name = _biggest_client(demo_db)
    s = Store(demo_db)
    end = s.data_end()
    # Far more than the client's sales could recoup in the term: behind from its first months on.
    advances.add_advance(s, key, 10_000_000_000, end - dt.timedelta(days=300), 24, "refund")
    s.close()
    at = open_page("app.py", "en")
    assert not at.exception, at.exception
    assert any(f"Advances behind or overdue as of {end}: 1" in m.value for m in at.markdown)
    box = next(df.value for df in at.dataframe if "Reason" in df.value.columns)
    assert box["Client"].tolist() == [name] and box["Status"].tolist() == ["Behind"]
    assert "projected at term end" in box["Reason"].iloc[0]
