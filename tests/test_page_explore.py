"""The explore page in AppTest: the pivot reruns on a widget change; the SQL box runs and refuses."""
from __future__ import annotations

import pytest

from tests.helpers import open_page

PAGE = "pages/12_explore.py"


@pytest.mark.parametrize("lang, words", [("zh", ["自由探索", "透视表", "SQL 查询", "执行"]),
                                         ("en", ["Explore", "Pivot", "SQL", "Run"])])
def test_explore_in_both_languages(demo_db, lang, words):
    at = open_page(PAGE, lang)
    assert not at.exception, at.exception
    assert at.title[0].value == words[0]
    assert [tab.label for tab in at.tabs][:2] == words[1:3]
    assert at.button(key="sql_run").label == words[3]
    assert len(at.dataframe) >= 1 and len(at.get("plotly_chart")) == 1


def test_pivot_widgets_rerun(demo_db):
    at = open_page(PAGE, "en")
    assert at.dataframe[0].value.index.name == "Region"
    at.selectbox(key="exp_rows").set_value("owner").run()
    assert not at.exception, at.exception
    by_owner = at.dataframe[0].value
    assert by_owner.index.name == "Owner"
    assert "王磊" in by_owner.index and by_owner.index[-1] == "Total"
    at.selectbox(key="exp_cols").set_value("quarter").run()
    at.selectbox(key="exp_measure").set_value("clients").run()
    assert not at.exception, at.exception
    wide = at.dataframe[0].value
    assert wide.shape[1] >= 2 and wide.columns[-1] == "Total"
    region = at.multiselect(key="exp_f_region")
    region.set_value([region.options[0]]).run()
    assert not at.exception, at.exception


def test_sql_box_runs_and_refuses(demo_db):
    at = open_page(PAGE, "en")
    at.text_area(key="sql_text").input("SELECT count(*) AS n FROM transactions").run()
    at.button(key="sql_run").click().run()
    assert not at.exception, at.exception
    frames = [df.value for df in at.dataframe if list(df.value.columns) == ["n"]]
    assert frames and int(frames[0].iloc[0, 0]) > 0
    at.text_area(key="sql_text").input("SELECT * FROM read_csv('/etc/passwd')").run()
    at.button(key="sql_run").click().run()
    assert any("read_csv" in e.value and "not available" in e.value for e in at.error)
    at.text_area(key="sql_text").input("DELETE FROM transactions").run()
    at.button(key="sql_run").click().run()
    assert any("DELETE" in e.value for e in at.error)


def test_explore_without_data(empty_db):
    at = open_page(PAGE, "en")
    assert not at.exception, at.exception


def test_more_columns_than_the_chart_draws_are_named(demo_db):
    """Months by owner: 11 owners, 10 drawn, each its own colour, and the caption says so."""
    at = open_page(PAGE, "zh")
    at.selectbox(key="exp_rows").set_value("month").run()
    at.selectbox(key="exp_cols").set_value("owner").run()
    assert not at.exception, at.exception
    owners = [c for c in at.dataframe[0].value.columns if c != "合计"]
    assert len(owners) == 11
    assert "图中画出最大的 10 列（共 11 列），全部数字见下表。" in [c.value for c in at.caption]
    import json

    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    colours = [trace["line"]["color"] for trace in figure["data"]]
    assert len(colours) == 10 and len(set(colours)) == 10
