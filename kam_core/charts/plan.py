"""Figures of the targets page and the potential matrix: data in, figure out."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from kam_core import fmt
from kam_core.charts import BAD, GOOD, MAX_POINTS, NEUTRAL, SERIES, money_ticks, style, titled
from kam_core.i18n import t

QUADRANT_COLORS = {"grow": "#1F5FAD", "keep": "#2CA58D", "nurture": "#E07A1F", "maintain": "#B0B0B0"}


def pace_figure(curve: pd.DataFrame, lang: str, title: str = "") -> go.Figure:
    """Cumulative actual against the linear target pace; the target itself at the period's end."""
    fig = go.Figure()
    days = [d.isoformat() for d in curve["day"]]
    fig.add_trace(go.Scatter(x=days, y=curve["cum_target"], name=t("plan.chart.pace", lang), mode="lines",
                             line={"color": NEUTRAL, "dash": "dash"},
                             hovertemplate="%{x}<br>%{customdata}<extra></extra>",
                             customdata=[fmt.money(v, lang) for v in curve["cum_target"]]))
    reached = curve[curve["cum_actual"].notna()]
    fig.add_trace(go.Scatter(x=[d.isoformat() for d in reached["day"]], y=reached["cum_actual"],
                             name=t("plan.chart.actual", lang), mode="lines+markers",
                             line={"color": SERIES[0], "width": 3},
                             hovertemplate="%{x}<br>%{customdata}<extra></extra>",
                             customdata=[fmt.money(v, lang) for v in reached["cum_actual"]]))
    top = max(float(curve["cum_target"].max()), float(reached["cum_actual"].max()) if len(reached) else 0.0)
    values, texts = money_ticks(top, lang)
    fig.update_layout(hovermode="x unified")
    fig.update_yaxes(title=t("plan.chart.cumulative", lang), tickvals=values, ticktext=texts)
    if lang == "zh":
        fig.update_xaxes(tickformat="%Y-%m")        # plotly's own month names are English
    return titled(fig, title, 380)


def attainment_figure(frame: pd.DataFrame, progress: float, lang: str, title: str = "") -> go.Figure:
    """Attainment per target as horizontal bars, the time progress as a line: a bar short of the
    line is behind pace."""
    frame = frame.sort_values("attainment", ascending=True, na_position="first")
    colors = [BAD if behind else GOOD for behind in frame["behind"]]
    fig = go.Figure(go.Bar(x=frame["attainment"].fillna(0), y=frame["name"], orientation="h", marker_color=colors,
                           customdata=np.stack([[fmt.money(v, lang) for v in frame["actual"]],
                                                [fmt.money(v, lang) for v in frame["target"]],
                                                [fmt.pct(v) for v in frame["attainment"]]], axis=-1),
                           hovertemplate="%{y}<br>%{customdata[2]} · %{customdata[0]} / %{customdata[1]}"
                                         "<extra></extra>"))
    fig.add_vline(x=progress, line={"color": NEUTRAL, "dash": "dash"},
                  annotation_text=t("plan.chart.progress", lang, pct=fmt.pct(progress)),
                  annotation_position="top")
    fig.update_layout(xaxis={"tickformat": ".0%", "title": t("plan.col.attainment", lang)}, yaxis={"title": None})
    # a taller top margin: the title on its own line, clear of the progress label on the line's top
    return titled(fig, title, max(280, 26 * len(frame) + 110), legend=False, top=72)


def matrix_figure(units: pd.DataFrame, value_cut: float, headroom_cut: float, lang: str,
                  max_points: int = MAX_POINTS) -> go.Figure:
    """Value (t12m revenue) against headroom on log axes, one colour per quadrant, the median cuts
    as lines. Zero values sit at the axis floor (hover shows the true value). Past max_points the
    largest units by value + headroom are drawn."""
    if len(units) > max_points:
        order = (units["t12m"] + units["headroom"]).to_numpy().argsort()[::-1][:max_points]
        units = units.iloc[np.sort(order)]
    positive = pd.concat([units["t12m"], units["headroom"], pd.Series([value_cut, headroom_cut])])
    positive = positive[positive > 0]
    floor = float(positive.min()) / 2 if len(positive) else 1.0
    fig = go.Figure()
    for quadrant in ("grow", "keep", "nurture", "maintain"):
        part = units[units["quadrant"] == quadrant]
        if part.empty:
            continue
        fig.add_trace(go.Scatter(
            x=part["t12m"].clip(lower=floor), y=part["headroom"].clip(lower=floor), mode="markers",
            name=t(f"plan.q.{quadrant}", lang), marker={"color": QUADRANT_COLORS[quadrant], "size": 9, "opacity": 0.8},
            text=part["unit_name"],
            customdata=np.stack([[fmt.money(v, lang) for v in part["t12m"]],
                                 [fmt.money(v, lang) for v in part["headroom"]],
                                 [fmt.money(v, lang) for v in part["potential"]]], axis=-1),
            hovertemplate=("%{text}<br>" + t("plan.col.t12m", lang) + " %{customdata[0]}<br>"
                           + t("plan.col.headroom", lang) + " %{customdata[1]}<br>"
                           + t("plan.col.potential", lang) + " %{customdata[2]}<extra></extra>")))
    fig.add_vline(x=max(value_cut, floor), line={"color": NEUTRAL, "dash": "dot"})
    fig.add_hline(y=max(headroom_cut, floor), line={"color": NEUTRAL, "dash": "dot"})
    fig.update_layout(xaxis={"type": "log", "title": t("plan.col.t12m", lang)},
                      yaxis={"type": "log", "title": t("plan.col.headroom", lang)})
    return style(fig, height=460)
