"""The Pareto page in AppTest: the answer in words, the what-if widgets, every tab in both languages,
the curve's exact marker read back from the figure, and the empty and no-profit states."""
from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest

from kam_core import pareto
from kam_core.store import Store
from tests.helpers import d, open_page, store_with_orders
from tests.test_pareto import BASIC

PAGE = "pages/2_pareto.py"
TABS = {"en": ["Curve", "Ranking & export", "Stress test", "By segment", "Region map", "Coverage"],
        "zh": ["集中度曲线", "排名与导出", "压力测试", "按维度", "地域分布", "服务覆盖"]}


def answer(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("### "))


def figure(at, index: int = 0) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def values(array) -> np.ndarray:
    """A trace array as plotly writes it: a list, or base64 with a dtype."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"]))
    return np.asarray(array)


def untranslated(at) -> list[str]:
    """Texts on the page that show an i18n key instead of a sentence."""
    texts = [e.value for e in (*at.markdown, *at.caption, *at.info)] + [m.label for m in at.metric] + \
        [e.label for e in at.expander]
    return [text for text in texts if re.search(r"\b(par|ov|w|period)\.[a-z_]+", text)]


def open_tab(at, lang: str, tab: str):
    at.session_state["par_tab"] = tab
    return at.run()


@pytest.fixture
def basic_db(tmp_path, monkeypatch):
    store = store_with_orders(tmp_path, BASIC, data_through=d("2024-12-31"))
    path = store.path
    store.close()
    monkeypatch.setenv("KAM_DB", str(path))
    return path


def test_the_answer_in_words_on_the_demo(demo_db):
    store = Store(demo_db)
    expected = pareto.concentration(store, d("2025-01-01"), d("2025-12-31"))
    at_60 = pareto.concentration(store, d("2025-01-01"), d("2025-12-31"), theta="0.6")
    profit = pareto.concentration(store, d("2025-01-01"), d("2025-12-31"), measure="profit")
    store.close()
    at = open_page(PAGE, "en")
    assert not at.exception, at.exception
    assert answer(at) == (f"### **{expected.k}** clients ({expected.share * 100:.1f}% of {expected.active} active) "
                          f"bring 80% of revenue")
    at.slider(key="par_threshold").set_value(60).run()
    assert not at.exception, at.exception
    assert answer(at).startswith(f"### **{at_60.k}** clients") and answer(at).endswith("bring 60% of revenue")
    at.slider(key="par_threshold").set_value(80).run()
    at.segmented_control(key="par_measure").set_value("profit").run()
    assert answer(at) == (f"### **{profit.k}** clients ({profit.share * 100:.1f}% of {profit.active} active) "
                          f"bring 80% of profit")


def test_the_curve_marker_is_exact(demo_db):
    store = Store(demo_db)
    expected = pareto.concentration(store, d("2025-01-01"), d("2025-12-31"))
    store.close()
    at = open_page(PAGE, "zh")
    spec = figure(at)
    names = [trace.get("name") for trace in spec["data"]]
    assert names[:2] == ["完全平均", "销售额 · 2025"] and "毛利 · 2025" in names and "销售额 · 2024" in names
    marker = spec["data"][2]
    assert values(marker["x"])[0] == expected.k / expected.active
    assert values(marker["y"])[0] == pytest.approx(expected.reached)
    line = spec["data"][1]
    assert len(values(line["x"])) == expected.active + 1                # 146 points: nothing thinned
    at.toggle(key="par_compare").set_value(False).run()
    assert not at.exception, at.exception
    names = [trace.get("name") for trace in figure(at)["data"]]
    assert "销售额 · 2024" not in names
    assert not any(m.value.startswith("上期 2024") for m in at.markdown)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("tab", range(6))
def test_every_tab_runs(demo_db, lang, tab):
    at = open_page(PAGE, lang)
    at = open_tab(at, lang, TABS[lang][tab])
    assert not at.exception, at.exception
    assert not untranslated(at)
    assert at.title[0].value == ("二八分析" if lang == "zh" else "Pareto 80/20")


def test_tabs_at_group_level(demo_db):
    at = open_page(PAGE, "en")
    at.radio(key="level").set_value("group").run()
    assert "groups" in answer(at)
    for tab in TABS["en"]:
        at = open_tab(at, "en", tab)
        assert not at.exception, (tab, at.exception)
    assert any("judged per client" in c.value for c in at.caption)


def test_segments_tab_follows_the_dimension(basic_db):
    at = open_tab(open_page(PAGE, "en"), "en", "By segment")
    table = at.dataframe[0].value
    assert list(table.iloc[:, 0]) == ["华东", "华南"]
    assert list(table["k (to reach 80%)"]) == [1, 2]
    at.segmented_control(key="par_dimension").set_value("owner").run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert table.columns[0] == "Owner"
    assert set(table["Owner"]) == {"总部张", "华南李", "深圳王"}


def test_ranking_tab_lists_the_negative_clients_apart(basic_db):
    at = open_tab(open_page(PAGE, "en"), "en", "Ranking & export")
    assert answer(at) == "### **2** clients (50.0% of 4 active) bring 80% of revenue"
    top, apart = at.dataframe[0].value, at.dataframe[1].value
    assert list(top["Client"]) == ["A", "B"]                       # the top set: A + B reach 80 exactly
    assert list(apart["Client"]) == ["E", "F"] and list(apart["Revenue"]) == [-3.0, 0.0]
    at.segmented_control(key="par_top_n").set_value("all").run()
    assert list(at.dataframe[0].value["Client"]) == ["A", "B", "C", "D"]
    assert len(at.get("download_button")) == 1


def test_stress_and_coverage_tabs_on_hand_data(basic_db):
    at = open_tab(open_page(PAGE, "en"), "en", "Stress test")
    lines = [m.value for m in at.markdown if m.value.startswith("- If")]
    assert lines[0] == "- If the top 1 clients left, revenue would fall by **50.0%** (¥50)"
    assert lines[3].startswith("- If the top 10 clients left (only 4 are active)")
    at = open_tab(at, "en", "Coverage")
    counts = {m.label: m.value for m in at.metric}
    assert (counts["Fits"], counts["Over-covered"], counts["Under-covered"]) == ("2", "2", "0")


def test_an_empty_window_says_so(basic_db):
    at = open_page(PAGE, "en", win_kind="custom", win_range=(d("2023-07-01"), d("2023-12-31")))
    assert not at.exception, at.exception
    assert any("has no clients with positive revenue: active 0, k 0, total 0" in i.value for i in at.info)
    for tab in TABS["en"]:
        at = open_tab(at, "en", tab)
        assert not at.exception, (tab, at.exception)


def test_without_profit_only_revenue_is_offered(basic_db):
    at = open_page(PAGE, "zh")
    assert not at.exception, at.exception
    assert at.segmented_control(key="par_measure").options == ["销售额"]
    assert any("未映射毛利列" in c.value for c in at.caption)
    names = [trace.get("name") for trace in figure(at)["data"]]
    assert not any(name and name.startswith("毛利") for name in names)
