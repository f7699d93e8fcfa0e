"""Prepayment charts: sales fans, cumulative sales against the advance, the
sensitivity tornado, a chain's history, saved scenarios compared.

Money axes are scaled to the unit a manager reads (万 / 亿 in Chinese, K / M / B
in English); hover texts carry the exact compact figure. A term is at most 120
months and a history a few hundred, far below the downsampling threshold.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from kam_core import fmt
from kam_core.charts import BAD, GOOD, NEUTRAL, SERIES, style, titled
from kam_core.i18n import t

BAND = "rgba(31, 95, 173, 0.18)"


def money_scale(max_abs: float, lang: str) -> tuple[float, str]:
    """(divisor, unit label) for money whose largest absolute value is max_abs."""
    a = abs(float(max_abs or 0.0))
    if lang == "zh":
        steps = ((1e8, "pp.unit.yi"), (1e4, "pp.unit.wan"))
    else:
        steps = ((1e9, "pp.unit.b"), (1e6, "pp.unit.m"), (1e3, "pp.unit.k"))
    for size, key in steps:
        if a >= size:
            return size, t(key, lang)
    return 1.0, t("pp.unit.yuan", lang)


def table_scale(lang: str) -> tuple[float, str]:
    """One money unit for a whole table, so small and large rows stay readable
    side by side: 万元 in Chinese, millions in English."""
    return (1e4, t("pp.unit.wan", lang)) if lang == "zh" else (1e6, t("pp.unit.m", lang))


def _fan_traces(fig: go.Figure, fan: dict[str, Sequence[float]], divisor: float, lang: str) -> None:
    months = list(fan["month"])
    p10, p50, p90 = (np.asarray(fan[k], dtype=float) for k in ("p10", "p50", "p90"))
    hover = [f"P10 {fmt.money(a, lang)}<br>P50 {fmt.money(b, lang)}<br>P90 {fmt.money(c, lang)}"
             for a, b, c in zip(p10, p50, p90)]
    fig.add_trace(go.Scatter(x=months, y=p90 / divisor, mode="lines", line={"width": 0}, hoverinfo="skip",
                             showlegend=False))
    fig.add_trace(go.Scatter(x=months, y=p10 / divisor, mode="lines", line={"width": 0}, fill="tonexty",
                             fillcolor=BAND, name=t("pp.chart.band", lang), hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=months, y=p50 / divisor, mode="lines+markers", line={"color": SERIES[0], "width": 2.5},
                             marker={"size": 5}, name="P50", customdata=hover,
                             hovertemplate="%{x}: %{customdata}<extra></extra>"))


def monthly_fan_figure(fan: dict[str, Sequence[float]], lang: str) -> go.Figure:
    """Monthly channel sales: the P10-P90 band and the P50 line."""
    divisor, unit = money_scale(max(fan["p90"], default=0.0), lang)
    fig = go.Figure()
    _fan_traces(fig, fan, divisor, lang)
    fig.update_layout(xaxis_title=t("pp.chart.month", lang), yaxis_title=unit, hovermode="x unified")
    fig.update_xaxes(dtick=_month_tick(len(fan["month"])))
    fig.update_yaxes(rangemode="tozero")
    return titled(fig, t("pp.chart.monthly", lang), 360)


def cumulative_figure(fan: dict[str, Sequence[float]], lang: str, advance: float | None = None,
                      recommended: float | None = None) -> go.Figure:
    """Cumulative channel sales (band and P50) against the advance and the recommended advance."""
    top = max([*fan["p90"], advance or 0.0, recommended or 0.0], default=0.0)
    divisor, unit = money_scale(top, lang)
    fig = go.Figure()
    _fan_traces(fig, fan, divisor, lang)
    # Level lines as traces (cheaper than shapes with annotations, and named in the legend).
    ends = [0.5, len(fan["month"]) + 0.5]
    for value, key, color, dash in ((recommended, "pp.chart.recommended_line", GOOD, "dot"),
                                    (advance, "pp.chart.advance_line", BAD, "dash")):
        if value is not None:
            label = t(key, lang, amount=fmt.money(value, lang))
            fig.add_trace(go.Scatter(x=ends, y=[value / divisor] * 2, mode="lines", name=label,
                                     line={"color": color, "dash": dash, "width": 2}, hoverinfo="skip"))
    fig.update_layout(xaxis_title=t("pp.chart.month", lang), yaxis_title=unit, hovermode="x unified")
    fig.update_xaxes(dtick=_month_tick(len(fan["month"])))
    fig.update_yaxes(rangemode="tozero")
    return titled(fig, t("pp.chart.cumulative", lang), 380)


def _month_tick(n: int) -> int:
    return 1 if n <= 12 else 3 if n <= 36 else 6 if n <= 72 else 12


def tornado_figure(rows: Sequence[dict[str, Any]], lang: str) -> go.Figure:
    """Sensitivity rows (kam_core.prepay.sensitivity): for each input, the
    recommended advance with the input lower and higher, around the base; the
    largest swing on top."""
    fig = go.Figure()
    if not rows:
        return style(fig, height=200)
    base = float(rows[0]["base_advance"])
    divisor, unit = money_scale(max(max(abs(r["advance_low"]), abs(r["advance_high"])) for r in rows), lang)
    ordered = list(reversed(rows))  # plotly draws the first category at the bottom
    labels = [t(f"pp.in.{r['input']}", lang) for r in ordered]
    for side, key, color in (("low", "advance_low", SERIES[1]), ("high", "advance_high", SERIES[0])):
        values = np.array([r[key] for r in ordered], dtype=float)
        text = [f"{_input_value(r['input'], r[side], lang)} → {fmt.money(v, lang)}" for r, v in zip(ordered, values)]
        fig.add_trace(go.Bar(y=labels, x=(values - base) / divisor, base=base / divisor, orientation="h",
                             name=t(f"pp.chart.{side}", lang), marker_color=color, customdata=text,
                             hovertemplate="%{y}: %{customdata}<extra></extra>"))
    fig.update_layout(shapes=[{"type": "line", "xref": "x", "yref": "paper", "x0": base / divisor,
                               "x1": base / divisor, "y0": 0, "y1": 1, "line": {"color": NEUTRAL, "width": 1.5}}])
    axis = t("pp.chart.tornado_axis", lang, unit=unit, base=fmt.money(base, lang))
    fig.update_layout(barmode="overlay", xaxis_title=axis, yaxis={"automargin": True})
    return titled(fig, t("pp.chart.tornado", lang), max(300, 90 + 42 * len(rows)))


def _input_value(name: str, value: Any, lang: str) -> str:
    if name in ("channel_share", "ramp_start", "sales_cv", "delay_prob"):
        return fmt.pct(value)
    if name == "store_monthly_sales":
        return fmt.money(value, lang)
    return fmt.number(value)


def history_figure(history: pd.DataFrame, lang: str) -> go.Figure:
    """A chain's monthly sales through us (bars) and its store count (line)."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    if history.empty:
        return style(fig, height=300)
    divisor, unit = money_scale(float(history["revenue"].abs().max()), lang)
    months = pd.to_datetime(history["month"])
    revenue = history["revenue"].astype(float)
    fig.add_trace(go.Bar(x=months, y=revenue / divisor, name=t("pp.chart.revenue", lang), marker_color=SERIES[0],
                         opacity=0.75, customdata=[fmt.money(v, lang) for v in revenue],
                         hovertemplate="%{x|%Y-%m}: %{customdata}<extra></extra>"), secondary_y=False)
    stores = history["store_count"].astype("Float64")
    if stores.notna().any():
        fig.add_trace(go.Scatter(x=months, y=stores.astype(float), name=t("pp.chart.stores", lang), mode="lines",
                                 line={"color": SERIES[1], "width": 2.5, "shape": "hv"},
                                 hovertemplate="%{x|%Y-%m}: %{y:,.0f}<extra></extra>"), secondary_y=True)
    fig.update_layout(hovermode="x unified")
    fig.update_yaxes(title_text=unit, secondary_y=False, rangemode="tozero")
    fig.update_yaxes(title_text=t("pp.chart.stores", lang), secondary_y=True, rangemode="tozero", showgrid=False,
                     tickmode="auto", tickformat=",d")
    fig.update_xaxes(tickformat="%Y-%m")
    return titled(fig, t("pp.chart.history", lang), 320)


def compare_figure(fans: pd.DataFrame, recommended: dict[int, float], lang: str) -> go.Figure:
    """Saved scenarios' cumulative P50 lines, each with its recommended advance dashed."""
    fig = go.Figure()
    if fans.empty:
        return style(fig, height=300)
    top = max([float(fans["cumulative_p50"].max()), *recommended.values()])
    divisor, unit = money_scale(top, lang)
    for i, (scenario_id, part) in enumerate(fans.groupby("scenario_id", sort=False)):
        color = SERIES[i % len(SERIES)]
        label = f"#{scenario_id} {part['name'].iloc[0]}"
        values = part["cumulative_p50"].astype(float)
        fig.add_trace(go.Scatter(x=part["month"], y=values / divisor, mode="lines", name=label,
                                 line={"color": color, "width": 2.5}, customdata=[fmt.money(v, lang) for v in values],
                                 hovertemplate=label + " · %{x}: %{customdata}<extra></extra>"))
        if scenario_id in recommended:
            rec = recommended[scenario_id]
            fig.add_trace(go.Scatter(x=[part["month"].min(), part["month"].max()], y=[rec / divisor] * 2, mode="lines",
                                     line={"color": color, "dash": "dash", "width": 1.5}, showlegend=False,
                                     name=t("pp.chart.advance_axis", lang),
                                     hovertemplate=f"{label} · {t('pp.chart.advance_axis', lang)}: "
                                                   f"{fmt.money(rec, lang)}<extra></extra>"))
    fig.update_layout(xaxis_title=t("pp.chart.month", lang), yaxis_title=unit)
    fig.update_yaxes(rangemode="tozero")
    fig = titled(fig, t("pp.chart.compare", lang), 420)
    # Scenario names are long: the legend goes under the plot.
    fig.update_layout(legend={"x": 0, "xanchor": "left", "y": -0.2, "yanchor": "top"}, margin={"b": 40})
    return fig
