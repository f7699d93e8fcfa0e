"""Figures of the overview: the monthly trend and the top movers."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from kam_core import fmt
from kam_core.charts import BAD, GOOD, SERIES, money_ticks, style
from kam_core.i18n import t

PART_COLORS = {"window": SERIES[0], "previous": "#8FB3E0", "other": "#D9DEE5"}


def trend_figure(monthly: pd.DataFrame, lang: str = "zh", show_profit: bool = False) -> go.Figure:
    """Revenue per month as bars (the window dark, the previous window lighter, earlier months grey;
    a partial month hatched), profit as a line where mapped, active units in the hover."""
    labels = [label + ("" if complete else t("period.partial", lang))
              for label, complete in zip(monthly["label"], monthly["complete"])]
    money = np.array([fmt.money(v, lang) for v in monthly["revenue"]], dtype=object)
    x = np.array(labels, dtype=object)
    fig = go.Figure()
    for part in ("other", "previous", "window"):
        rows = (monthly["part"] == part).to_numpy()
        if not rows.any():
            continue
        fig.add_trace(go.Bar(
            x=x[rows], y=monthly.loc[rows, "revenue"], name=t(f"ov.trend.{part}", lang),
            marker_color=PART_COLORS[part],
            marker_pattern_shape=["" if c else "/" for c in monthly.loc[rows, "complete"]],
            customdata=np.column_stack([money[rows], monthly.loc[rows, "active"].to_numpy()]),
            hovertemplate="%{x}<br>" + t("w.revenue", lang) + " %{customdata[0]}<br>" +
                          t("ov.trend.active", lang) + " %{customdata[1]}<extra></extra>"))
    top = float(monthly["revenue"].max()) if len(monthly) else 0.0
    if show_profit and monthly["profit"].notna().any():
        fig.add_trace(go.Scatter(
            x=labels, y=monthly["profit"], mode="lines+markers", name=t("w.profit", lang),
            line={"color": SERIES[1], "width": 2}, marker={"size": 5},
            customdata=[fmt.money(v, lang) for v in monthly["profit"]],
            hovertemplate="%{x}<br>" + t("w.profit", lang) + " %{customdata}<extra></extra>"))
        top = max(top, float(monthly["profit"].max()))
    values, texts = money_ticks(top, lang)
    fig.update_layout(barmode="overlay", bargap=0.25)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=labels, tickangle=-45)
    fig.update_yaxes(title=t("ov.trend.axis", lang), tickvals=values, ticktext=texts)
    return style(fig, height=380)


def movers_figure(movers: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """Two bar panels, each on its own scale: the largest rises (green) and the largest falls (red)
    in money against the previous window."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=[t("ov.movers.rose", lang), t("ov.movers.fell", lang)],
                        horizontal_spacing=0.22)
    for col, direction, color in ((1, "rose", GOOD), (2, "fell", BAD)):
        frame = movers[movers["direction"] == direction]
        if frame.empty:
            continue
        frame = frame.iloc[::-1]                       # largest at the top
        size = frame["change"].abs()
        custom = np.column_stack([[fmt.money(v, lang) for v in frame["previous"]],
                                  [fmt.money(v, lang) for v in frame["current"]]])
        fig.add_trace(go.Bar(
            x=size, y=frame["unit_name"], orientation="h", marker_color=color,
            text=[("+" if direction == "rose" else "-") + fmt.money(v, lang) for v in size],
            textposition="auto", customdata=custom,
            hovertemplate="%{y}<br>" + t("ov.movers.prev", lang) + " %{customdata[0]} → " +
                          t("ov.movers.now", lang) + " %{customdata[1]}<extra></extra>"), row=1, col=col)
        values, texts = money_ticks(float(size.max()), lang, count=3)
        fig.update_xaxes(tickvals=values, ticktext=texts, row=1, col=col)
    fig.update_yaxes(type="category", automargin=True)
    rows = int(movers["direction"].value_counts().max()) if len(movers) else 1
    return style(fig, height=max(300, 28 * rows + 110), legend=False)
