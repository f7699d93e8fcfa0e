"""Figures of the explore page: the pivot as bars (or lines over periods)."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from kam_core.charts import SERIES, money_axis, style
from kam_core.charts.profile import label
from kam_core.explore import PERIOD_DIMENSIONS, TOTAL

MAX_BARS = 30
MAX_SERIES = 10
# one colour per series shown: the shared palette and two more
PALETTE = [*SERIES, "#4C9BE8", "#9AA54B"][:MAX_SERIES]


def pivot_figure(wide: pd.DataFrame, rows: str, cols: str, measure_label: str, blank: str,
                 height: int = 440, money_lang: str | None = None) -> go.Figure:
    """Row totals as bars when there is no column dimension; otherwise the largest columns as stacked
    bars per row (or one line each when the rows are periods). The TOTAL row and column are left out."""
    body = wide.drop(index=TOTAL, errors="ignore")
    names = [label(blank if v == "" else v) for v in body.index]
    fig = go.Figure()
    over_time = rows in PERIOD_DIMENSIONS
    if cols == "none" or len(body.columns) <= 1:
        shown = body.head(MAX_BARS) if not over_time else body
        fig.add_bar(x=names[:len(shown)], y=shown[TOTAL], name=measure_label, marker_color=SERIES[0],
                    hovertemplate="%{x}<br>%{y:,.2f}<extra></extra>")
        fig.update_layout(showlegend=False)
        reach = shown[TOTAL]
    else:
        columns = [c for c in body.columns if c != TOTAL][:MAX_SERIES]
        shown = body if over_time else body.head(MAX_BARS)
        for i, column in enumerate(columns):
            name = label(blank if column == "" else column)
            color = PALETTE[i]
            values = shown[column]
            if over_time:
                fig.add_scatter(x=names[:len(shown)], y=values, name=name, mode="lines+markers",
                                line={"color": color}, hovertemplate=f"{name}<br>%{{x}}: %{{y:,.2f}}<extra></extra>")
            else:
                fig.add_bar(x=names[:len(shown)], y=values, name=name, marker_color=color,
                            hovertemplate=f"{name}<br>%{{x}}: %{{y:,.2f}}<extra></extra>")
        fig.update_layout(barmode="stack")
        reach = shown[columns].stack() if over_time else shown[TOTAL]   # stacked bars reach their row totals
    fig.update_xaxes(type="category")
    if money_lang:    # money in 万 / 亿 or K / M
        fig.update_yaxes(title=measure_label, **money_axis(reach, money_lang))
    else:
        fig.update_yaxes(title=measure_label, tickformat="~s")
    return style(fig, height=height, legend=cols != "none")
