"""The shared Excel download: small workbooks come with the page, big ones after a first click."""
from __future__ import annotations

import io

import openpyxl
from streamlit.testing.v1 import AppTest


def _page(rows: int):
    def script(rows):
        import pandas as pd
        import streamlit as st

        from ui.widgets import excel_download

        st.session_state.setdefault("lang", "en")
        excel_download("Export", {"List": pd.DataFrame({"client": ["=SUM(1)"] * rows, "value": range(rows)})},
                       "list.xlsx", key="export")

    at = AppTest.from_function(script, kwargs={"rows": rows}, default_timeout=60)
    at.run()
    return at


def test_a_small_workbook_comes_with_the_page():
    at = _page(3)
    assert not at.exception and not at.button
    assert len(at.get("download_button")) == 1


def test_a_big_workbook_is_prepared_on_request():
    at = _page(5_001)
    assert not at.exception and not at.get("download_button")
    assert at.button[0].label == "Prepare the Excel file (5,001 rows)"
    at.button[0].click().run()
    assert not at.exception
    assert len(at.get("download_button")) == 1
    at.run()                                   # it stays ready on later reruns
    assert len(at.get("download_button")) == 1 and not at.button


def test_the_workbook_writes_formula_like_text_as_text():
    from ui.widgets import _workbook
    import pandas as pd

    data = _workbook({"List": pd.DataFrame({"client": ["=SUM(1)", "+cmd"], "value": [1, 2]})})
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet["A"]][1:] == ["=SUM(1)", "+cmd"]
    assert all(c.data_type == "s" for c in sheet["A"][1:])


def test_a_costly_export_is_built_only_on_request():
    def script():
        import pandas as pd
        import streamlit as st

        from ui.widgets import excel_download

        st.session_state.setdefault("lang", "en")

        def sheets():
            st.session_state["built"] = st.session_state.get("built", 0) + 1
            return {"List": pd.DataFrame({"client": ["甲"], "value": [1]})}

        excel_download("Export", sheets, "list.xlsx", key="export", on_request=True)

    at = AppTest.from_function(script, default_timeout=60)
    at.run()
    at.run()
    assert not at.exception and not at.get("download_button") and "built" not in at.session_state
    assert at.button[0].label == "Prepare the Excel file"
    at.button[0].click().run()
    assert at.session_state["built"] == 1 and len(at.get("download_button")) == 1


def test_percent_view_shows_shares_as_points_with_one_decimal():
    import pandas as pd

    from ui.widgets import percent_column, percent_view

    frame = pd.DataFrame({"份额": [0.565, 0.0599, 1.0], "名称": ["甲", "乙", "丙"]})
    shown = percent_view(frame, ["份额", "没有的列"])
    assert shown["份额"].round(6).tolist() == [56.5, 5.99, 100.0]
    assert frame["份额"].tolist() == [0.565, 0.0599, 1.0]           # the data itself is left alone
    assert percent_column()["type_config"]["format"] == "%.1f%%"
    progress = percent_column(progress=True)["type_config"]
    assert (progress["format"], progress["min_value"], progress["max_value"]) == ("%.1f%%", 0, 100)
