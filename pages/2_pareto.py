"""Pareto (二八分析): which clients carry the window, how concentrated that is, and how it moved."""
from __future__ import annotations

from decimal import Decimal

import streamlit as st

from kam_core import fmt, pareto
from kam_core.charts import SERIES
from kam_core.charts import pareto as charts
from kam_core.i18n import scope_label
from ui import page_setup, widgets
from ui.layout import no_data
from ui.widgets import excel_download, md_plain

ctx = page_setup("pareto")
t = ctx.t
st.title(t("nav.pareto"))
if no_data(ctx):
    st.stop()

window = ctx.window
prev = window.previous()
level = ctx.level
units = t(f"par.units.{level}")
unit_column = t(f"w.{level}")
st.caption(t("par.intro"))
with st.expander(t("par.help.title"), icon=":material/help:"):
    st.markdown(t("par.help.body"))

# ---- what-if controls
measures = ["revenue", "profit"] if ctx.bounds.has_profit else ["revenue"]
if st.session_state.get("par_measure") not in measures:
    st.session_state["par_measure"] = "revenue"
left, middle, right = st.columns([1.2, 2, 1.4])
measure = left.segmented_control(t("w.measure"), measures, required=True, key="par_measure",
                                 format_func=lambda m: t(f"w.{m}"))
percent = middle.slider(t("par.threshold"), 60, 95, 80, step=1, format="%d%%", key="par_threshold",
                        help=t("par.threshold_help"))
compare = right.toggle(t("par.compare", prev=ctx.period_label(prev)), value=True, key="par_compare")
if not ctx.bounds.has_profit:
    st.caption(t("par.no_profit"))
theta = Decimal(int(percent)) / Decimal(100)
measure_word = t(f"par.word.{measure}")
value_header = t(f"w.{measure}")
window_label, prev_label = ctx.period_label(window), ctx.period_label(prev)

result = pareto.concentration(ctx.store, window.start, window.end, measure, level, theta)
before = pareto.concentration(ctx.store, prev.start, prev.end, measure, level, theta) if compare else None


def _answer(k: int, n: int, share, what: str) -> str:
    return t("par.answer", k=k, n=n, share=fmt.pct(share), theta=fmt.pct(float(theta), 0), units=units, measure=what)


# ---- the answer in words
if result.empty:
    st.info(t("par.empty", window=window_label, measure=measure_word, units=units), icon=":material/event_busy:")
else:
    st.markdown("### " + _answer(result.k, result.active, result.share, measure_word))

compared = before is not None and not before.empty and not result.empty


def _delta(now, then, kind: str):
    if not compared or now is None or then is None:
        return None
    if kind == "count":
        return f"{int(now - then):+,}"
    if kind == "money":
        return fmt.pct(now / then - 1, signed=True) if then else None
    if kind == "pp":
        return t("w.pp", v=(now - then) * 100)
    return f"{now - then:+.3f}" if kind == "gini" else f"{now - then:+,.0f}"


b = before if compared else None
cells = st.columns(5)
cells[0].metric(t("par.m.active", units=units), f"{result.active:,}", _delta(result.active, b and b.active, "count"),
                border=True)
# Fewer units carrying the same share is more concentration, the risk this page watches: a falling k
# shows red, a rising Gini or HHI too.
cells[1].metric(t("par.m.k", theta=fmt.pct(float(theta), 0)), f"{result.k:,}", _delta(result.k, b and b.k, "count"),
                border=True, help=t("par.m.k_help"))
cells[2].metric(t("par.m.share", units=units), fmt.pct(result.share), _delta(result.share, b and b.share, "pp"),
                border=True)
cells[3].metric("Gini", "—" if result.gini is None else f"{result.gini:.3f}",
                _delta(result.gini, b and b.gini, "gini"), delta_color="inverse", border=True,
                help=t("par.m.gini_help"))
cells[4].metric("HHI", "—" if result.hhi is None else f"{result.hhi:,.0f}", _delta(result.hhi, b and b.hhi, "hhi"),
                delta_color="inverse", border=True, help=t("par.m.hhi_help"))
total_line = t("par.total", measure=measure_word, units=units, total=fmt.money(result.total, ctx.lang))
if compared:
    total_line += t("par.total_prev", prev=prev_label, total=fmt.money(before.total, ctx.lang),
                    change=_delta(result.total, before.total, "money") or "—")
st.caption(total_line)

if compare and before is not None:
    if before.empty:
        st.caption(t("par.prev_empty", prev=prev_label))
    elif not result.empty:
        moved = result.k - before.k
        trend = "par.moved.more" if moved < 0 else "par.moved.less" if moved > 0 else "par.moved.same"
        st.markdown(t("par.moved", prev=prev_label, k_prev=before.k, n_prev=before.active,
                      share_prev=fmt.pct(before.share), k=result.k, n=result.active, share=fmt.pct(result.share),
                      units=units, trend=t(trend)))

money_column = widgets.money_column()
percent_column = widgets.percent_column()


def _table(frame, columns: dict[str, str]):
    """The chosen columns under their translated names."""
    return frame[list(columns)].rename(columns=columns)


tab_keys = ["curve", "top", "stress", "segments", "map", "coverage"]
tabs = dict(zip(tab_keys, st.tabs([t(f"par.tab.{k}") for k in tab_keys], key="par_tab",
                                  on_change="rerun")))

# ---- the curve: revenue and profit, this window and the previous one
with tabs["curve"]:
    if tabs["curve"].open is not False and not result.empty:
        specs = [charts.CurveSpec(t("par.curve.name", measure=t(f"w.{measure}"), window=window_label), result,
                                  SERIES[0])]
        other = None
        if ctx.bounds.has_profit:
            other_measure = "profit" if measure == "revenue" else "revenue"
            other = pareto.concentration(ctx.store, window.start, window.end, other_measure, level, theta)
            specs.append(charts.CurveSpec(t("par.curve.name", measure=t(f"w.{other_measure}"),
                                            window=window_label), other, SERIES[1]))
        if compared:
            specs.append(charts.CurveSpec(t("par.curve.name", measure=t(f"w.{measure}"), window=prev_label), before,
                                          "#8FB3E0", "dash"))
        st.plotly_chart(charts.concentration_figure(specs, float(theta), ctx.lang, level), width="stretch",
                        key="par_curve")
        st.caption(t("par.curve.read"))
        if other is not None:
            if other.empty:
                st.caption(t("par.empty", window=window_label, measure=t(f"par.word.{other.measure}"), units=units))
            else:
                st.caption(_answer(other.k, other.active, other.share, t(f"par.word.{other.measure}")))
        if compared:
            changed = pareto.top_set_changes(result, before)
            joined, left_set = changed[changed["change"] == "joined"], changed[changed["change"] == "left"]
            cols = st.columns(2)
            for column, title, frame in ((cols[0], t("par.joined", prev=prev_label), joined),
                                         (cols[1], t("par.left", prev=prev_label), left_set)):
                column.markdown(f"**{title}** ({len(frame):,})")
                if frame.empty:
                    column.caption(t("w.none"))
                else:
                    column.dataframe(_table(frame, {"unit_name": unit_column, "value": window_label,
                                                    "prev_value": prev_label}),
                                     hide_index=True, width="stretch", height=min(36 * (len(frame) + 1) + 2, 300),
                                     column_config={window_label: money_column, prev_label: money_column})

# ---- the ranked list, the export and the clients listed apart
ranked_columns = {"rank": t("w.rank"), "unit_name": unit_column, "value": value_header, "share": t("w.share"),
                  "cum_share": t("w.cum_share"), "in_top": t("par.in_top", theta=fmt.pct(float(theta), 0))}
table_config = {value_header: money_column, t("w.share"): percent_column, t("w.cum_share"): percent_column}
with tabs["top"]:
    if tabs["top"].open is not False:
        options = ["top", 10, 20, 50, 100, "all"]
        size = st.segmented_control(t("par.top.n"), options, default="top", required=True, key="par_top_n",
                                    format_func=lambda o: t(f"par.top.{o}") if isinstance(o, str) else str(o))
        shown = result.ranked[result.ranked["in_top"]] if size == "top" else (
            result.ranked if size == "all" else result.ranked.head(int(size)))
        if result.empty:
            st.info(t("par.empty", window=window_label, measure=measure_word, units=units))
        else:
            st.dataframe(widgets.percent_view(_table(shown, ranked_columns), [t("w.share"), t("w.cum_share")]),
                         hide_index=True, width="stretch", column_config=table_config)
        nonpositive = _table(result.nonpositive, {"unit_name": unit_column, "value": value_header})
        excel_download(t("w.export_xlsx"),
                       lambda: {t("par.sheet.ranked"): _table(result.ranked, ranked_columns),
                                t("par.sheet.nonpositive"): nonpositive},
                       file_name=f"pareto_{window.label}_{measure}.xlsx", key="par_export")
        st.markdown(f"**{t('par.nonpos.title', measure=measure_word, units=units)}** ({len(nonpositive):,})")
        st.caption(t("par.nonpos.why", measure=measure_word))
        if nonpositive.empty:
            st.caption(t("w.none"))
        else:
            st.dataframe(nonpositive, hide_index=True, width="stretch", column_config={value_header: money_column})

# ---- stress test
with tabs["stress"]:
    if tabs["stress"].open is not False:
        if result.empty:
            st.info(t("par.empty", window=window_label, measure=measure_word, units=units))
        else:
            stress = pareto.stress_test(result)
            st.plotly_chart(charts.stress_figure(stress, ctx.lang, level), width="stretch", key="par_stress")
            for row in stress.itertuples():
                key = "par.stress.line" if row.leaving == row.n else "par.stress.line_all"
                st.markdown("- " + t(key, n=row.n, leaving=row.leaving, units=units,
                                     measure=measure_word, drop=fmt.pct(row.drop),
                                     value=fmt.money(row.value, ctx.lang)))

# ---- by region / city / chain scope / owner
with tabs["segments"]:
    if tabs["segments"].open is not False:
        dimension = st.segmented_control(t("par.seg.dimension"), list(pareto.DIMENSIONS), default="region",
                                         required=True, key="par_dimension", format_func=lambda d: t(f"w.{d}"))
        seg = pareto.segments(ctx.store, window.start, window.end, dimension, measure, level, theta)
        summary = seg.summary
        if summary.empty:
            st.info(t("par.empty", window=window_label, measure=measure_word, units=units))
        elif (summary["segment"] == "").all():
            st.info(t("par.seg.unmapped", dimension=t(f"w.{dimension}")))
        else:
            labelled = summary.assign(segment=[charts.segment_label(s, dimension, ctx.lang) for s in summary["segment"]])
            segment_columns = {"segment": t(f"w.{dimension}"), "active": t("par.m.active", units=units),
                               "total": value_header, "portfolio_share": t("par.seg.portfolio_share"),
                               "k": t("par.m.k", theta=fmt.pct(float(theta), 0)),
                               "share": t("par.m.share", units=units), "gini": "Gini", "hhi": "HHI",
                               "top_unit": t("par.seg.top_unit", units=units)}
            segment_table = _table(labelled, segment_columns)
            st.dataframe(widgets.percent_view(segment_table, [t("par.seg.portfolio_share"),
                                                              t("par.m.share", units=units)]),
                         hide_index=True, width="stretch",
                         column_config={value_header: money_column, t("par.seg.portfolio_share"): percent_column,
                                        t("par.m.share", units=units): percent_column,
                                        "Gini": st.column_config.NumberColumn(format="%.3f"),
                                        "HHI": st.column_config.NumberColumn(format="%.0f")})
            st.plotly_chart(charts.segments_figure(seg, ctx.lang), width="stretch", key="par_segments")
            if len(summary) > 12:
                st.caption(t("par.seg.more", shown=12, n=len(summary)))
            focus = st.selectbox(t("par.seg.focus", dimension=t(f"w.{dimension}")), list(labelled["segment"]),
                                 key=f"par_focus_{dimension}")
            row = labelled[labelled["segment"] == focus].iloc[0]
            inside = seg.units[seg.units["segment"] == summary.loc[row.name, "segment"]]
            st.markdown(f"**{md_plain(focus)}** · "
                        + _answer(int(row["k"]), int(row["active"]), row["share"], measure_word))
            inside_table = _table(inside[inside["in_top"]], {"rank": t("w.rank"), "unit_name": unit_column,
                                                             "value": value_header, "cum_share": t("w.cum_share")})
            st.dataframe(widgets.percent_view(inside_table, [t("w.cum_share")]),
                         hide_index=True, width="stretch", column_config=table_config)
            excel_download(t("w.export_xlsx"), lambda: {t(f"w.{dimension}"): segment_table},
                           file_name=f"pareto_{dimension}_{window.label}.xlsx", key="par_segments_export")

# ---- region -> city -> client
with tabs["map"]:
    if tabs["map"].open is not False:
        located = pareto.places(ctx.store, window.start, window.end, measure, level)
        if located.empty:
            st.info(t("par.empty", window=window_label, measure=measure_word, units=units))
        elif ((located["region"] == "") & (located["city"] == "")).all():
            st.info(t("par.map.unmapped"))
        else:
            st.plotly_chart(charts.treemap_figure(pareto.treemap_nodes(located), ctx.lang, level), width="stretch",
                            key="par_map")
            st.caption(t("par.map.read", units=units))
            top_keys = set(result.ranked.loc[result.ranked["in_top"], "unit_key"])
            anchors = pareto.local_anchors(located, top_keys)
            st.markdown(f"**{t('par.map.anchors', units=units)}** ({len(anchors):,})")
            st.caption(t("par.map.anchors_why", units=units, theta=fmt.pct(float(theta), 0)))
            if anchors.empty:
                st.caption(t("w.none"))
            else:
                anchor_columns = {"unit_name": unit_column, "region": t("w.region"), "city": t("w.city"),
                                  "value": value_header, "city_share": t("par.map.col_city_share"),
                                  "total_share": t("par.map.col_total_share")}
                st.dataframe(widgets.percent_view(_table(anchors, anchor_columns),
                                                  [t("par.map.col_city_share"), t("par.map.col_total_share")]),
                             hide_index=True, width="stretch",
                             column_config={value_header: money_column, t("par.map.col_city_share"): percent_column,
                                            t("par.map.col_total_share"): percent_column})

# ---- coverage: does the owner's reach fit the chain's scope?
with tabs["coverage"]:
    if tabs["coverage"].open is not False:
        st.caption(t("par.cov.rule"))
        if level == "group":
            st.caption(t("par.cov.client_level"))
        cover = pareto.coverage_fit(ctx.store, window.start, window.end)
        if cover.empty:
            st.info(t("par.empty", window=window_label, measure=t("par.word.revenue"), units=t("par.units.client")))
        elif cover["chain_scope"].isna().all() or cover["owner"].isna().all():
            st.info(t("par.cov.unmapped"))
        else:
            counts = cover["fit"].value_counts()
            cells = st.columns(4)
            for cell, state in zip(cells, ("fits", "under", "over", "unknown")):
                cell.metric(t(f"par.cov.{state}"), f"{int(counts.get(state, 0)):,}", border=True,
                            help=t(f"par.cov.{state}_help"))
            labelled = cover.assign(
                suggested=[t(f"par.team.{s}") if s else "—" for s in cover["suggested"]],
                reach=[t(f"par.team.{r}") if r else "—" for r in cover["reach"]],
                chain_scope=[scope_label(s, ctx.lang) for s in cover["chain_scope"]])
            cover_columns = {"client_name": t("w.client"), "chain_scope": t("w.chain_scope"),
                             "suggested": t("par.cov.suggested"), "owner": t("w.owner"), "reach": t("par.cov.reach"),
                             "owner_regions": t("par.cov.regions"), "owner_cities": t("par.cov.cities"),
                             "region": t("w.region"), "city": t("w.city"), "revenue": t("w.revenue")}
            cover_config = {t("w.revenue"): money_column}
            under = _table(labelled[labelled["fit"] == "under"], cover_columns)
            over = _table(labelled[labelled["fit"] == "over"], cover_columns)
            st.markdown(f"**{t('par.cov.under_title')}** ({len(under):,})")
            if under.empty:
                st.caption(t("w.none"))
            else:
                st.dataframe(under, hide_index=True, width="stretch", column_config=cover_config)
            with st.expander(f"{t('par.cov.over_title')} ({len(over):,})"):
                st.dataframe(over, hide_index=True, width="stretch", column_config=cover_config)
            owners = labelled[labelled["owner"].notna()].drop_duplicates("owner")
            owner_table = _table(owners.sort_values(["owner_clients", "owner"], ascending=[False, True]),
                                 {"owner": t("w.owner"), "owner_clients": t("par.cov.clients"),
                                  "owner_regions": t("par.cov.regions"), "owner_cities": t("par.cov.cities"),
                                  "reach": t("par.cov.reach")})
            with st.expander(f"{t('par.cov.owners_title')} ({len(owner_table):,})"):
                st.dataframe(owner_table, hide_index=True, width="stretch")
            excel_download(t("w.export_xlsx"),
                           lambda: {t("par.cov.under_title"): under, t("par.cov.over_title"): over,
                                    t("par.cov.owners_title"): owner_table,
                                    t("par.cov.all"): _table(labelled, cover_columns)},
                           file_name=f"coverage_fit_{window.label}.xlsx", key="par_cover_export")
