"""Explore (自由探索): a pivot over any mapped dimension with filters and a chart, and a guarded SQL box."""
from __future__ import annotations

import streamlit as st

from kam_core import explore, sqlbox
from kam_core.charts.explore import MAX_SERIES, pivot_figure
from ui import page_setup
from ui.layout import no_data
from ui.widgets import excel_download

ctx = page_setup("explore")
t = ctx.t
st.title(t("nav.explore"))
if no_data(ctx):
    st.stop()

tab_pivot, tab_sql = st.tabs([t("exp.tab.pivot"), t("exp.tab.sql")])

# ------------------------------------------------------------------ pivot
with tab_pivot:
    window = ctx.window
    st.caption(t("exp.intro", window=ctx.period_label(window)))
    dims = list(explore.mapped_dimensions(ctx.store))
    measures = [m for m in explore.MEASURES if m != "profit" or ctx.bounds.has_profit]
    c1, c2, c3 = st.columns(3)
    rows = c1.selectbox(t("exp.rows"), dims, key="exp_rows", format_func=lambda d: t(f"exp.dim.{d}"))
    cols = c2.selectbox(t("exp.cols"), [explore.NONE] + [d for d in dims if d != rows], key="exp_cols",
                        format_func=lambda d: t(f"exp.dim.{d}"))
    measure = c3.selectbox(t("w.measure"), measures, key="exp_measure", format_func=lambda m: t(f"exp.measure.{m}"))
    filters: dict[str, list[str]] = {}
    filterable = [d for d in explore.PLACE_DIMENSIONS if d in dims]
    with st.expander(t("exp.filters"), icon=":material/filter_alt:"):
        fcols = st.columns(3)
        for i, dim in enumerate(filterable):
            values = explore.dimension_values(ctx.store, dim, window.start, window.end)["value"].tolist()
            filters[dim] = fcols[i % 3].multiselect(
                t(f"exp.dim.{dim}"), values, key=f"exp_f_{dim}", placeholder=t("exp.filter_all"),
                format_func=lambda v: t("prof.blank") if v == explore.BLANK else v)
    spec = explore.PivotSpec.make(rows, cols, measure, filters)
    wide = explore.pivot(ctx.store, spec, window.start, window.end)
    if wide.empty or len(wide) <= 1:
        st.info(t("exp.empty"))
    else:
        shown = wide.copy()
        blank, total = t("prof.blank"), t("w.total")
        shown.index = [total if v == explore.TOTAL else blank if v == explore.BLANK else v for v in shown.index]
        shown.columns = [total if c == explore.TOTAL else blank if c == explore.BLANK else c for c in shown.columns]
        shown.index.name = t(f"exp.dim.{rows}")
        counts = measure in ("clients", "lines")
        st.plotly_chart(pivot_figure(wide, rows, cols, t(f"exp.measure.{measure}"), blank,
                                     money_lang=None if counts else ctx.lang), width="stretch")
        column_count = len([c for c in wide.columns if c != explore.TOTAL])
        if cols != explore.NONE and column_count > MAX_SERIES:
            st.caption(t("exp.top_series", shown=MAX_SERIES, n=column_count))
        number = "%,.0f" if counts else "%,.2f"
        st.dataframe(shown, width="stretch",
                     column_config={c: st.column_config.NumberColumn(format=number) for c in shown.columns})
        if cols == explore.NONE:
            st.caption(t("exp.shape_rows", rows=len(shown) - 1))
        else:
            st.caption(t("exp.shape", rows=len(shown) - 1, cols=len(shown.columns) - 1))
        excel_download(t("w.export_xlsx"), lambda: {t("exp.tab.pivot"): shown.reset_index()},
                       file_name=f"pivot_{rows}_{cols}_{window.label}.xlsx", key="exp_xlsx")

# ------------------------------------------------------------------ SQL box
with tab_sql:
    st.caption(t("sql.intro", cap=sqlbox.ROW_CAP, seconds=int(sqlbox.TIME_LIMIT)))
    with st.expander(t("sql.tables"), icon=":material/table_chart:"):
        columns = sqlbox.columns_of(ctx.store)
        for table in sqlbox.TABLES:
            mine = columns[columns["table"] == table]
            if not mine.empty:
                st.markdown(f"**{table}** — {t(f'sql.table.{table}')}")
                st.caption(", ".join(f"{c} ({ty})" for c, ty in zip(mine["column"], mine["type"])))
    st.session_state.setdefault("sql_text", t("sql.example"))
    text = st.text_area(t("sql.query"), key="sql_text", height=160)
    if st.button(t("sql.run"), type="primary", icon=":material/play_arrow:", key="sql_run"):
        with st.spinner(t("sql.running")):
            st.session_state["sql_result"] = sqlbox.run_sql(ctx.store, text)
    result = st.session_state.get("sql_result")
    if result is not None:
        if not result.ok:
            st.error(t(f"sql.err.{result.code}", detail=result.detail), icon=":material/block:")
        else:
            st.caption(t("sql.done", rows=result.rows, seconds=f"{result.seconds:.1f}"))
            if result.truncated:
                st.warning(t("sql.truncated", cap=sqlbox.ROW_CAP), icon=":material/content_cut:")
            st.dataframe(result.frame, hide_index=True, width="stretch")
            excel_download(t("w.export_xlsx"), lambda: {"SQL": result.frame}, file_name="query.xlsx",
                           key="sql_xlsx")
