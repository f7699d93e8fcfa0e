"""The prepayment page (pages/5_prepay.py) in AppTest: the example, a typed advance,
saving and comparing scenarios, expanding chains opening the page prefilled."""
from __future__ import annotations

from dataclasses import replace

import pytest
from streamlit.testing.v1 import AppTest

from kam_core import fmt, prepay_data, scenarios
from kam_core.prepay import SEED_CASE, evaluate
from kam_core.store import Store
from tests.helpers import ROOT, open_page

PAGE = "pages/5_prepay.py"


def _metric(at, label: str) -> str:
    found = [m.value for m in at.metric if m.label == label]
    assert found, f"no metric {label!r} in {[m.label for m in at.metric]}"
    return found[0]


def _button(at, label: str):
    found = [b for b in at.button if b.label == label]
    assert found, f"no button {label!r} in {[b.label for b in at.button]}"
    return found[0]


def _ok(at) -> None:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


@pytest.mark.parametrize("lang, title, p50_label", [("en", "Prepayment sizing", "Channel sales P50"),
                                                    ("zh", "预付款测算", "期内渠道销售 P50")])
def test_example_case_loads_and_edits(demo_db, lang, title, p50_label):
    at = open_page(PAGE, lang)
    _ok(at)
    assert at.title[0].value == title
    seed_p50 = fmt.money(evaluate(SEED_CASE)["forecast"]["p50"], lang, digits=0)
    assert _metric(at, p50_label) == seed_p50
    # About 80 million: the example the issue describes.
    assert 78e6 < evaluate(SEED_CASE)["forecast"]["p50"] < 82e6

    at.number_input(key="pp_stores_target").set_value(45).run()
    _ok(at)
    more = evaluate(replace(SEED_CASE, stores_target=45))["forecast"]["p50"]
    assert _metric(at, p50_label) == fmt.money(more, lang, digits=0) != seed_p50

    _button(at, "Load the example: 17 → 40 stores" if lang == "en" else "载入示例：17 → 40 家店").click().run()
    _ok(at)
    assert at.number_input(key="pp_stores_target").value == 40
    assert _metric(at, p50_label) == seed_p50


def test_typed_advance_shows_its_probability(demo_db):
    at = open_page(PAGE, "en")
    assert not [m for m in at.metric if m.label == "Recouped within the term"]
    at.number_input(key="pp_advance").set_value(70_000_000.0).run()
    _ok(at)
    s = evaluate(SEED_CASE, 70_000_000.0)
    assert _metric(at, "Recouped within the term") == fmt.pct(s["recoup_probability"])
    assert _metric(at, "Expected shortfall (refund)") == fmt.money(s["expected_shortfall"], "en")
    assert _metric(at, "Expected extra months (extend)") == fmt.number(s["expected_extra_months"], 2)
    # A competitor's bigger offer is less likely to come back.
    at.number_input(key="pp_advance").set_value(90_000_000.0).run()
    bigger = evaluate(SEED_CASE, 90_000_000.0)["recoup_probability"]
    assert bigger < s["recoup_probability"]
    assert _metric(at, "Recouped within the term") == fmt.pct(bigger)
    assert len(at.get("plotly_chart")) == 3  # cumulative, monthly, tornado


def test_a_scenario_saves_and_appears_in_the_comparison(demo_db):
    at = open_page(PAGE, "en")
    at.number_input(key="pp_advance").set_value(60_000_000.0).run()
    at.text_input(key="pp_save_name").input("Offer A").run()
    _button(at, "Save scenario").click().run()
    _ok(at)
    assert at.success and "saved" in at.success[0].value
    at.segmented_control(key="pp_view").set_value("scenarios").run()
    _ok(at)
    chosen = at.multiselect(key="pp_compare").value
    assert len(chosen) == 1
    side = [df.value for df in at.dataframe if "Figure" in df.value.columns]
    assert side, "the side-by-side comparison is shown"
    column = [c for c in side[0].columns if c.endswith("Offer A")]
    assert column
    by = side[0].set_index("Figure")[column[0]]
    s = evaluate(SEED_CASE, 60_000_000.0)
    assert by["Channel sales P50"] == fmt.money(s["forecast"]["p50"], "en")
    assert by["Recouped within the term"] == fmt.pct(s["recoup_probability"])
    assert [b for b in at.get("download_button")], "the comparison can be exported"


def test_saved_scenario_loads_back_and_deletes(demo_db):
    at = open_page(PAGE, "en")
    at.number_input(key="pp_stores_now").set_value(20).run()
    at.text_input(key="pp_save_name").input("Twenty").run()
    _button(at, "Save scenario").click().run()
    _button(at, "Load the example: 17 → 40 stores").click().run()
    assert at.number_input(key="pp_stores_now").value == 17
    at.segmented_control(key="pp_view").set_value("scenarios").run()
    _button(at, "Load into the sizing").click().run()
    _ok(at)
    assert at.session_state["pp_view"] == "sizing"
    assert at.number_input(key="pp_stores_now").value == 20
    assert any("Twenty" in c.value for c in at.caption)

    at.segmented_control(key="pp_view").set_value("scenarios").run()
    _button(at, "Confirm").click().run()
    _ok(at)
    assert any("deleted" in s.value for s in at.success)
    assert any("No saved scenario yet" in i.value for i in at.info)


def test_an_expanding_chain_opens_prefilled(demo_db):
    at = open_page(PAGE, "en")
    at.segmented_control(key="pp_view").set_value("candidates").run()
    _ok(at)
    table = at.dataframe[0].value
    assert "Stores now" in table.columns and len(table) >= 3
    key = at.selectbox(key="pp_cand_pick").value
    _button(at, "Size an advance from its history").click().run()
    _ok(at)
    assert at.session_state["pp_view"] == "sizing"
    store = Store(demo_db)
    try:
        expected = prepay_data.prefill(store, key).inputs(SEED_CASE)
    finally:
        store.close()
    assert at.number_input(key="pp_stores_now").value == expected.stores_now
    assert at.number_input(key="pp_stores_target").value == expected.stores_target
    assert at.number_input(key="pp_store_monthly_sales").value == expected.store_monthly_sales
    assert any(e.label.startswith("History of") for e in at.expander)
    assert any("channel share cannot be measured" in i.value for i in at.info)
    assert _metric(at, "Channel sales P50") == fmt.money(evaluate(expected)["forecast"]["p50"], "en", digits=0)


def test_a_link_with_a_client_opens_prefilled(demo_db):
    store = Store(demo_db)
    try:
        key = prepay_data.candidates(store)["client_key"].iloc[1]
        expected = prepay_data.prefill(store, key).inputs(SEED_CASE)
    finally:
        store.close()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["lang"] = "zh"
    at.run()
    at.switch_page(PAGE)
    at.query_params["client"] = key
    at.run()
    _ok(at)
    assert at.number_input(key="pp_stores_now").value == expected.stores_now
    assert at.selectbox(key="pp_client").value == key


def test_a_link_to_an_unknown_client_says_so(demo_db):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["lang"] = "en"
    at.run()
    at.switch_page(PAGE)
    at.query_params["client"] = "no such chain"
    at.run()
    assert not at.exception
    assert any("no client" in e.value for e in at.error)
    assert at.number_input(key="pp_stores_now").value == 17


def test_month_table_and_refused_inputs(demo_db):
    at = open_page(PAGE, "en")
    at.segmented_control(key="pp_schedule").set_value("table").run()
    _ok(at)
    assert at.data_editor, "the month table is editable"
    # The table starts as the even schedule of the 23 new stores.
    assert at.data_editor[0].value["new"].sum() == 23
    assert any("The table opens 23; the chain adds 23." in c.value for c in at.caption)
    # Growing to 41 needs 24: the table no longer adds up, the page says so.
    at.number_input(key="pp_stores_target").set_value(41).run()
    assert not at.exception
    assert any("needs 24" in e.value for e in at.error)
    at.number_input(key="pp_stores_target").set_value(10).run()
    assert any("cannot be below stores now (17)" in e.value for e in at.error)
    assert not [m for m in at.metric if m.label == "Channel sales P50"]


def test_views_persist_the_inputs(demo_db):
    at = open_page(PAGE, "en")
    at.number_input(key="pp_stores_now").set_value(21).run()
    at.segmented_control(key="pp_view").set_value("scenarios").run()
    at.segmented_control(key="pp_view").set_value("sizing").run()
    _ok(at)
    assert at.number_input(key="pp_stores_now").value == 21


def test_without_data_the_example_still_works(empty_db):
    at = open_page(PAGE, "en")
    _ok(at)
    assert any("No order data yet" in i.value for i in at.info)
    assert _metric(at, "Channel sales P50") == fmt.money(evaluate(SEED_CASE)["forecast"]["p50"], "en", digits=0)
    at.segmented_control(key="pp_view").set_value("candidates").run()
    _ok(at)
    assert any("No order data yet" in i.value for i in at.info)
    at.segmented_control(key="pp_view").set_value("scenarios").run()
    _ok(at)
    assert any("No saved scenario yet" in i.value for i in at.info)


def test_scenarios_saved_elsewhere_are_listed(demo_db):
    store = Store(demo_db)
    try:
        small = replace(SEED_CASE, paths=200)
        a = scenarios.save(store, "from the ledger side", small, evaluate(small))
    finally:
        store.close()
    at = open_page(PAGE, "zh")
    at.segmented_control(key="pp_view").set_value("scenarios").run()
    _ok(at)
    assert at.multiselect(key="pp_compare").value == [a]
    assert "from the ledger side" in at.dataframe[0].value["名称"].tolist()


def test_a_scenario_with_unusual_inputs_loads(demo_db):
    # Saved through kam_core (the ledger side): values beyond the sliders' usual ranges.
    unusual = replace(SEED_CASE, probability=0.995, paths=50, ramp_months=80, delay_months=40, cost_of_capital=1.5)
    store = Store(demo_db)
    try:
        scenarios.save(store, "unusual", unusual, evaluate(unusual))
    finally:
        store.close()
    at = open_page(PAGE, "en")
    at.segmented_control(key="pp_view").set_value("scenarios").run()
    _button(at, "Load into the sizing").click().run()
    _ok(at)
    assert at.slider(key="pp_probability").value == 99.5
    assert at.number_input(key="pp_paths").value == 50
    assert _metric(at, "Recommended advance") == fmt.money(evaluate(unusual)["recommended_advance"], "en", digits=0)
