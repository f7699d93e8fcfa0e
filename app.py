"""KA Cockpit: the entry page is the portfolio overview — the window's headline figures against
the previous window, the monthly trend, the top movers, and who arrived and who left."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from kam_core import advances, fmt, overview
from kam_core.charts.overview import movers_figure, trend_figure
from ui import page_setup
from ui.layout import no_data
from ui.nav import script_of
from ui.widgets import excel_download, money_column, percent_column, percent_view

ctx = page_setup("overview")
t = ctx.t
st.title(t("nav.overview"))
if no_data(ctx):
    st.stop()

window = ctx.window
prev = window.previous()
units = t(f"par.units.{ctx.level}")
st.caption(t("ov.caption", window=ctx.period_label(window), prev=ctx.period_label(prev)))
with st.expander(t("ov.help.title"), icon=":material/help:"):
    st.markdown(t("ov.help.body", units=units))

# ---- headline figures
figures = overview.kpis(ctx.store, window, ctx.level, ctx.data_end)
if figures.at["active", "current"] == 0:
    st.info(t("w.empty_window"), icon=":material/event_busy:")


def _value(kind: str, value) -> str:
    if value is None:
        return "—"
    if kind == "money":
        return fmt.money(value, ctx.lang)
    if kind == "count":
        return f"{int(value):,}"
    return fmt.pct(value)


def _delta(kind: str, change) -> str | None:
    if change is None:
        return None
    if kind == "money":
        return fmt.pct(change, signed=True)
    if kind == "count":
        return f"{int(change):+,}"
    return t("w.pp", v=change * 100)


shown = [m for m in overview.METRICS if m != "profit" or ctx.bounds.has_profit]
for row_start in range(0, len(shown), 5):
    columns = st.columns(5)
    for column, metric in zip(columns, shown[row_start:row_start + 5]):
        row = figures.loc[metric]
        colour = "off" if not row["change"] else ("inverse" if metric == "lost" else "normal")
        column.metric(t(f"ov.m.{metric}", units=units), _value(row["kind"], row["current"]),
                      _delta(row["kind"], row["change"]), delta_color=colour, border=True,
                      help=t(f"ov.mhelp.{metric}", units=units, prev=_value(row["kind"], row["previous"])))

# ---- advances going behind as of the data end, whatever the window (hidden when none)
attention = advances.behind(ctx.store, ctx.data_end, ctx.lang)
if not attention.empty:
    with st.container(border=True, key="ov_advances"):
        st.markdown(f"**:material/account_balance: {t('adv.ov.title', n=len(attention), as_of=ctx.data_end)}**")
        st.dataframe(pd.DataFrame({
            t("adv.col.client"): attention["client"],
            t("adv.col.status"): [t(f"adv.status.{s}") for s in attention["status"]],
            t("adv.col.reason"): attention["reason"],
            t("adv.col.remaining"): attention["remaining"].round(2),
            t("adv.col.end"): attention["end"],
            t("adv.col.owner"): attention["owner"].fillna(""),
        }), hide_index=True, width="stretch",
            column_config={t("adv.col.remaining"): money_column()})
        st.page_link(script_of("advances"), label=t("adv.ov.open"), icon=":material/account_balance:")

# ---- monthly trend
st.subheader(t("ov.trend.title"))
monthly = overview.monthly_trend(ctx.store, window, ctx.level, ctx.bounds.first_day, ctx.data_end)
st.plotly_chart(trend_figure(monthly, ctx.lang, ctx.bounds.has_profit), width="stretch", key="ov_trend")

# ---- top movers
st.subheader(t("ov.movers.title", units=units, prev=ctx.period_label(prev)))
moved = overview.movers(ctx.store, window, ctx.level)
if moved.empty:
    st.caption(t("ov.movers.none"))
else:
    st.plotly_chart(movers_figure(moved, ctx.lang), width="stretch", key="ov_movers")

# ---- the lists behind the figures
unit_column = t(f"w.{ctx.level}")
prev_revenue = t("ov.prev_revenue", prev=prev.label)
money = money_column()
config = {t("ov.movers.prev"): money, t("ov.movers.now"): money, t("w.change"): money,
          t("ov.movers.pct"): percent_column(), t("w.revenue"): money,
          prev_revenue: money}


def _table(frame, columns: dict[str, str]):
    """The chosen columns under their translated names."""
    return frame[list(columns)].rename(columns=columns)


mover_columns = {"unit_name": unit_column, "previous": t("ov.movers.prev"), "current": t("ov.movers.now"),
                 "change": t("w.change"), "change_pct": t("ov.movers.pct")}
rose = _table(moved[moved["direction"] == "rose"], mover_columns)
fell = _table(moved[moved["direction"] == "fell"], mover_columns)
changes = overview.arrivals_and_departures(ctx.store, window, ctx.level)
new = _table(changes[changes["status"] == "new"],
             {"unit_name": unit_column, "revenue": t("w.revenue"), "first_sale": t("ov.first_sale")})
lost = _table(changes[changes["status"] == "lost"], {"unit_name": unit_column, "prev_revenue": prev_revenue})

with st.expander(t("ov.lists.title", new=len(new), lost=len(lost), units=units), icon=":material/swap_vert:"):
    left, right = st.columns(2)
    for column, title, table in ((left, t("ov.movers.rose"), rose), (right, t("ov.movers.fell"), fell),
                                 (left, t("ov.new", units=units), new), (right, t("ov.lost", units=units), lost)):
        column.markdown(f"**{title}** ({len(table):,})")
        if table.empty:
            column.caption(t("w.none"))
        else:
            column.dataframe(percent_view(table, [t("ov.movers.pct")]), hide_index=True, width="stretch",
                             column_config=config, placeholder="—")
    excel_download(t("w.export_xlsx"), lambda: {t("ov.movers.rose"): rose, t("ov.movers.fell"): fell,
                                                t("ov.new", units=units): new, t("ov.lost", units=units): lost},
                   file_name=f"overview_{window.label}.xlsx", key="ov_export")
