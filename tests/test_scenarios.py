"""Saved prepayment scenarios (kam_core/scenarios.py): save, list, get, delete,
compare, export; they survive order re-imports."""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import replace

import numpy as np
import openpyxl
import pytest

from kam_core import scenarios
from kam_core.export import xlsx_bytes
from kam_core.prepay import SEED_CASE, PrepayInputs, Simulation, inputs_from_dict, inputs_to_dict, simulate, summarize
from kam_core.store import Store
from tests.helpers import import_orders, store_with_orders

ORDERS = [{"client": "华润 万家", "date": "2025-03-01", "amount": 1000, "store_count": 10},
          {"client": "Beta", "date": "2025-04-01", "amount": 500}]

# The settlement hand case of test_prepay.py: three paths over 3 months, advance 100.
HAND_PATHS = np.array([[40.0, 40.0, 40.0], [30.0, 20.0, 20.0], [10.0, 10.0, 0.0]])
HAND_INPUTS = PrepayInputs(stores_now=1, stores_target=1, term_months=3, commission=0.1, cost_of_capital=0.12)


@pytest.fixture
def store(tmp_path):
    s = store_with_orders(tmp_path, ORDERS)
    yield s
    s.close()


def _seed_summary(advance=None, inputs=SEED_CASE):
    small = replace(inputs, paths=500)
    return small, summarize(simulate(small), small, advance=advance)


def test_round_trip(store):
    inputs, summary = _seed_summary(advance=70_000_000)
    version = store.version()
    before = dt.datetime.now() - dt.timedelta(minutes=1)
    scenario_id = scenarios.save(store, "  华润 17→40  ", inputs, summary, client_key="华润万家")
    got = scenarios.get(store, scenario_id)
    assert got["name"] == "华润 17→40"  # trimmed
    assert got["inputs"] == inputs and isinstance(got["inputs"], PrepayInputs)
    assert (got["client_key"], got["client_name"]) == ("华润万家", "华润 万家")
    assert got["data_version"] == version  # the data the run was computed on
    assert before <= got["created_at"] <= dt.datetime.now() + dt.timedelta(minutes=1)
    r = got["results"]
    assert r["forecast"] == summary["forecast"] and r["recommended_advance"] == summary["recommended_advance"]
    assert r["cumulative_fan"] == summary["cumulative_fan"] and r["monthly_fan"] == summary["monthly_fan"]
    for key in ("advance", "recoup_probability", "expected_shortfall", "expected_extra_months", "financing_cost"):
        assert r[key] == summary[key]

    listed = scenarios.list_scenarios(store)
    assert list(listed.columns) == scenarios.LIST_COLUMNS and len(listed) == 1
    row = listed.iloc[0]
    assert (row["scenario_id"], row["name"], row["client_name"]) == (scenario_id, "华润 17→40", "华润 万家")
    assert (row["stores_now"], row["stores_target"], row["term_months"], row["rule"]) == (17, 40, 12, "refund")
    assert row["p50"] == summary["forecast"]["p50"] and row["advance"] == 70_000_000
    assert row["recoup_probability"] == summary["recoup_probability"]


def test_without_an_advance_no_advance_figures(store):
    inputs, summary = _seed_summary()
    scenario_id = scenarios.save(store, "plain", inputs, summary)
    r = scenarios.get(store, scenario_id)["results"]
    assert "advance" not in r and "recoup_probability" not in r
    row = scenarios.list_scenarios(store).iloc[0]
    assert np.isnan(row["advance"]) and np.isnan(row["recoup_probability"]) and row["client_key"] is None


def test_month_table_round_trips(store):
    inputs = PrepayInputs(stores_now=2, stores_target=5, term_months=4, schedule="table", month_table=(0, 2, 0, 1),
                          paths=100)
    scenario_id = scenarios.save(store, "table", inputs, summarize(simulate(inputs), inputs))
    assert scenarios.get(store, scenario_id)["inputs"].month_table == (0, 2, 0, 1)


def test_list_by_client_newest_first(store):
    inputs, summary = _seed_summary()
    a = scenarios.save(store, "a", inputs, summary, client_key="华润万家")
    b = scenarios.save(store, "b", inputs, summary, client_key="beta")
    c = scenarios.save(store, "c", inputs, summary, client_key="华润万家")
    assert scenarios.list_scenarios(store)["scenario_id"].tolist() == [c, b, a]
    assert scenarios.list_scenarios(store, "华润万家")["scenario_id"].tolist() == [c, a]
    assert scenarios.list_scenarios(store, "nobody").empty


def test_delete(store):
    inputs, summary = _seed_summary()
    keep = scenarios.save(store, "keep", inputs, summary)
    gone = scenarios.save(store, "gone", inputs, summary)
    scenarios.delete(store, gone)
    with pytest.raises(KeyError):
        scenarios.get(store, gone)
    with pytest.raises(KeyError):
        scenarios.delete(store, gone)
    assert scenarios.list_scenarios(store)["scenario_id"].tolist() == [keep]


def test_a_scenario_behind_a_signed_advance_stays(store):
    inputs, summary = _seed_summary()
    scenario_id = scenarios.save(store, "signed", inputs, summary, client_key="华润万家")
    with store.write() as cur:
        cur.execute("INSERT INTO advances (advance_id, client_key, client_name, amount, start_date, term_months, "
                    "rule, scenario_id, created_at) VALUES (7, '华润万家', '华润 万家', 1000, DATE '2025-01-01', "
                    "12, 'refund', $id, now()::TIMESTAMP)", {"id": scenario_id})
    with pytest.raises(scenarios.ScenarioInUse) as exc:
        scenarios.delete(store, scenario_id)
    assert exc.value.advance_ids == [7]
    assert scenarios.get(store, scenario_id)["name"] == "signed"


def test_scenarios_survive_order_reimports(store, tmp_path):
    inputs, summary = _seed_summary(advance=60_000_000)
    scenario_id = scenarios.save(store, "before", inputs, summary, client_key="华润万家")
    saved = scenarios.get(store, scenario_id)
    # A second export replacing the overlapping lines, then the first import deleted.
    first = int(store.datasets()["dataset_id"].min())
    import_orders(store, tmp_path, [{"client": "华润万家", "date": "2025-03-01", "amount": 1200, "store_count": 12},
                                    {"client": "Gamma", "date": "2025-05-01", "amount": 10}],
                  name="orders2.csv", on_overlap="replace")
    store.delete_dataset(first)
    after = scenarios.get(store, scenario_id)
    assert {k: after[k] for k in ("inputs", "results", "data_version", "created_at", "client_key")} == \
        {k: saved[k] for k in ("inputs", "results", "data_version", "created_at", "client_key")}
    assert after["client_name"] == "华润万家"  # the client as the data now spells it
    assert scenarios.list_scenarios(store, "华润万家")["scenario_id"].tolist() == [scenario_id]
    # A client gone from the data keeps its scenarios, named by its key.
    beta = scenarios.save(store, "beta", inputs, summary, client_key="beta-gone")
    assert scenarios.get(store, beta)["client_name"] == "beta-gone"


@pytest.mark.parametrize(
    "name, summary_for, error, match",
    [("", SEED_CASE, ValueError, "needs a name"), ("   ", SEED_CASE, ValueError, "needs a name"),
     ("x" * 121, SEED_CASE, ValueError, "at most 120"),
     ("other", replace(SEED_CASE, term_months=6), ValueError, "disagree on the term")],
)
def test_save_refuses_bad_input_and_changes_nothing(store, name, summary_for, error, match):
    small = replace(summary_for, paths=50)
    summary = summarize(simulate(small), small)
    version = store.version()
    with pytest.raises(error, match=match):
        scenarios.save(store, name, replace(SEED_CASE, paths=50), summary)
    assert store.version() == version and scenarios.list_scenarios(store).empty
    with pytest.raises(ValueError, match="lacks"):
        scenarios.save(store, "x", SEED_CASE, {"forecast": {}})
    with pytest.raises(TypeError):
        scenarios.save(store, "x", inputs_to_dict(SEED_CASE), summary)


def test_inputs_json_is_forgiving():
    values = inputs_to_dict(SEED_CASE)
    assert values["month_table"] is None and values["stores_now"] == 17
    assert inputs_from_dict({**values, "from_a_later_version": 1}) == SEED_CASE
    assert inputs_from_dict({"stores_now": 3, "stores_target": 5}) == PrepayInputs(stores_now=3, stores_target=5)
    with pytest.raises(ValueError):
        inputs_from_dict({**values, "channel_share": 2})


# ---------------------------------------------------------------- comparing and exporting


def test_compare_side_by_side_and_export(store):
    refund = replace(HAND_INPUTS, rule="refund")
    extend = replace(HAND_INPUTS, rule="extend")
    a = scenarios.save(store, "refund", refund, summarize(Simulation(HAND_PATHS), refund, advance=100))
    b = scenarios.save(store, "extend", extend, summarize(Simulation(HAND_PATHS), extend, advance=100))
    frame = scenarios.compare(store, [b, a, 999])  # the order given; unknown ids skipped
    assert list(frame.columns) == scenarios.COMPARE_COLUMNS
    assert frame["scenario_id"].tolist() == [b, a] and frame["rule"].tolist() == ["extend", "refund"]
    # The hand case: P50 of term sales 20, 70, 120 is 70; recoup 1/3; shortfall 110/3;
    # financing 0.01 x 10310/3 (extend) and 0.01 x 670/3 (refund).
    assert frame["p50"].tolist() == [70.0, 70.0]
    assert frame["recoup_probability"].tolist() == [1 / 3, 1 / 3]
    assert frame["financing_cost"].tolist() == pytest.approx([0.01 * 10310 / 3, 0.01 * 670 / 3], rel=1e-12)

    side = scenarios.side_by_side(frame, "en")
    assert list(side.columns) == ["Figure", f"#{b} extend", f"#{a} refund"]
    by = side.set_index("Figure")
    assert by.loc["Shortfall settlement"].tolist() == ["Extend until recouped", "Refund at term end"]
    assert by.loc["Recouped within the term"].tolist() == ["33.3%", "33.3%"]
    assert by.loc["Channel sales P50"].tolist() == ["¥70", "¥70"]
    zh = scenarios.side_by_side(frame, "zh").set_index("项目")
    assert zh.loc["差额结算"].tolist() == ["延长期限直至收回", "期末退还差额"]

    sheets = scenarios.export_sheets(store, [a, b], "en")
    assert list(sheets) == ["Comparison", "Sales fans"]
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(sheets)))
    rows = {r[0]: r[1:] for r in book["Comparison"].iter_rows(values_only=True)}
    assert rows["Channel sales P50"] == (70, 70)  # numbers, not text
    assert rows["Financing cost"] == (round(0.01 * 670 / 3, 2), round(0.01 * 10310 / 3, 2))
    fans = list(book["Sales fans"].iter_rows(values_only=True))
    assert fans[0][:3] == ("Scenario ID", "Scenario", "Month") and len(fans) == 1 + 2 * 3
    assert fans[3][-2] == 70.0  # refund's cumulative P50 at month 3


def test_current_sheets(store):
    inputs, summary = _seed_summary(advance=1e7)
    rows = [{"input": "channel_share", "base": 0.32, "low": 0.256, "high": 0.384, "base_advance": 1.0,
             "advance_low": 0.8, "advance_high": 1.2, "swing": 0.4}]
    sheets = scenarios.current_sheets(inputs, summary, rows, "zh", client_name="华润 万家")
    assert list(sheets) == ["输入与结果", "销售区间", "敏感性"]
    figures = sheets["输入与结果"].set_index("项目")["数值"]
    assert figures["客户"] == "华润 万家" and figures["当前门店数"] == 17
    assert figures["期内渠道销售 P50"] == round(summary["forecast"]["p50"], 2)
    assert len(sheets["销售区间"]) == 12 and sheets["敏感性"].iloc[0, 0] == "我方渠道份额 %"


def test_an_empty_store_lists_nothing(tmp_path):
    empty = Store(tmp_path / "empty.duckdb")
    assert scenarios.list_scenarios(empty).empty and scenarios.compare(empty, [1]).empty
    assert scenarios.fans(empty, [1]).empty
    empty.close()
