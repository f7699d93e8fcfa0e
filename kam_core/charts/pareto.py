"""Figures of the Pareto page: concentration curves, stress test, small multiples, treemap."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from kam_core import fmt
from kam_core.charts import NEUTRAL, SERIES, downsample_indices, style
from kam_core.i18n import scope_label, t
from kam_core.pareto import Concentration, Segments, curve

PANEL_POINTS = 300          # points per small-multiple curve (the marker stays exact)


@dataclass(frozen=True)
class CurveSpec:
    """One curve on the concentration chart: its label, result, colour and line dash."""

    name: str
    result: Concentration
    color: str = SERIES[0]
    dash: str = "solid"


def _curve_xy(result: Concentration, max_points: int) -> tuple[np.ndarray, np.ndarray]:
    """The curve downsampled to about max_points, always keeping the point after the top k."""
    points = curve(result.ranked)
    index = downsample_indices(len(points), keep=[result.k], max_points=max_points)
    return points["x"].to_numpy()[index], points["y"].to_numpy()[index]


def concentration_figure(curves: list[CurveSpec], theta: float, lang: str = "zh", unit: str = "client") -> go.Figure:
    """Cumulative share of value against cumulative share of units, one trace per curve, each with
    an exact marker at its top k, the threshold line and the line of equal shares."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line={"color": NEUTRAL, "dash": "dot", "width": 1},
                             name=t("par.chart.equal", lang), hoverinfo="skip"))
    units = t(f"par.units.{unit}", lang)
    for position, spec in enumerate(curves):
        if spec.result.empty:
            continue
        x, y = _curve_xy(spec.result, 2000)
        fig.add_trace(go.Scatter(
            x=x, y=y, mode="lines", name=spec.name, line={"color": spec.color, "dash": spec.dash, "width": 2.5},
            hovertemplate=t("par.chart.hover", lang, units=units) + f"<extra>{spec.name}</extra>"))
        if spec.result.k:
            k, n = spec.result.k, spec.result.active
            fig.add_trace(go.Scatter(
                x=[k / n], y=[spec.result.reached], mode="markers+text" if position == 0 else "markers",
                showlegend=False, marker={"color": spec.color, "size": 11, "line": {"color": "white", "width": 1.5}},
                text=[t("par.chart.marker", lang, k=k, n=n)], textposition="bottom right",
                textfont={"color": spec.color}, name=spec.name,
                hovertemplate=t("par.chart.marker_hover", lang, k=k, n=n, units=units,
                                share=fmt.pct(k / n), reached=fmt.pct(spec.result.reached)) + "<extra></extra>"))
    fig.add_hline(y=theta, line={"color": NEUTRAL, "dash": "dash", "width": 1},
                  annotation_text=t("par.chart.threshold", lang, theta=fmt.pct(theta, 0)),
                  annotation_position="bottom right")
    fig.update_xaxes(title=t("par.chart.x", lang, units=units), tickformat=".0%", range=[0, 1.001])
    fig.update_yaxes(title=t("par.chart.y", lang), tickformat=".0%", range=[0, 1.02])
    return style(fig, height=460)


def stress_figure(stress: pd.DataFrame, lang: str = "zh", unit: str = "client") -> go.Figure:
    """If the top n left: the share of the total that would go, one bar per n."""
    labels = [t("par.stress.label", lang, n=int(n), units=t(f"par.units.{unit}", lang)) for n in stress["n"]]
    fig = go.Figure(go.Bar(
        x=labels, y=stress["drop"], marker_color=SERIES[3], text=[f"-{fmt.pct(v)}" for v in stress["drop"]],
        textposition="outside", customdata=[fmt.money(v, lang) for v in stress["value"]],
        hovertemplate="%{x}: -%{y:.1%} (%{customdata})<extra></extra>"))
    top = float(stress["drop"].max()) if len(stress) else 0.0
    fig.update_yaxes(title=t("par.stress.axis", lang), tickformat=".0%", range=[0, min(1.0, top * 1.2 + 0.05)])
    return style(fig, height=320, legend=False)


def segments_figure(segments: Segments, lang: str = "zh", max_panels: int = 12, columns: int = 4) -> go.Figure:
    """Small multiples: the concentration curve of each of the largest segments with its top-k marker."""
    summary = segments.summary.head(max_panels)
    count = len(summary)
    rows = max(1, math.ceil(count / columns))
    titles = [t("par.seg.panel", lang, segment=segment_label(s, segments.dimension, lang), k=int(k), n=int(n))
              for s, k, n in zip(summary["segment"], summary["k"], summary["active"])]
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=titles or None, horizontal_spacing=0.04,
                        vertical_spacing=0.14 if rows > 1 else 0.1, shared_yaxes=True)
    by_segment = {s: frame for s, frame in segments.units.groupby("segment", sort=False)}
    for i, row in enumerate(summary.itertuples()):
        units = by_segment[row.segment]
        r, c = divmod(i, columns)
        n, k = len(units), int(row.k)
        x = np.arange(n + 1) / n
        y = np.concatenate([[0.0], units["cum_share"].to_numpy(dtype=float)])
        index = downsample_indices(n + 1, keep=[k], max_points=PANEL_POINTS)
        fig.add_trace(go.Scatter(x=x[index], y=y[index], mode="lines", line={"color": SERIES[0], "width": 2},
                                 hovertemplate="%{x:.0%} → %{y:.0%}<extra></extra>"), row=r + 1, col=c + 1)
        fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", hoverinfo="skip",
                                 line={"color": NEUTRAL, "dash": "dot", "width": 1}), row=r + 1, col=c + 1)
        if k:
            fig.add_trace(go.Scatter(x=[k / n], y=[y[k]], mode="markers", marker={"color": SERIES[1], "size": 8},
                                     hovertemplate=f"k = {k} / {n}<extra></extra>"), row=r + 1, col=c + 1)
    fig.update_xaxes(tickformat=".0%", range=[0, 1], nticks=3)
    fig.update_yaxes(tickformat=".0%", range=[0, 1.02], nticks=3)
    fig.update_annotations(font_size=12)
    return style(fig, height=max(260, 220 * rows), legend=False)


def segment_label(segment: str, dimension: str, lang: str) -> str:
    """A segment as the reader says it (chain scopes translated); a blank one as 'not given'."""
    if not segment:
        return t("par.seg.missing", lang)
    return scope_label(segment, lang) if dimension == "chain_scope" else segment


def treemap_figure(nodes: pd.DataFrame, lang: str = "zh", unit: str = "client") -> go.Figure:
    """Region -> city -> unit sized by value; a unit's label shows its share of its city."""
    units = t(f"par.units.{unit}", lang)
    labels, texts = [], []
    for kind, label, city_share, total_share, count in zip(nodes["kind"], nodes["label"], nodes["city_share"],
                                                             nodes["total_share"], nodes["count"]):
        if kind == "others":
            labels.append(t("par.map.others", lang, n=int(count), units=units))
        else:
            labels.append(label if label else t("par.seg.missing", lang))
        if kind in ("unit", "others"):
            texts.append(t("par.map.city_share", lang, share=fmt.pct(city_share)))
        else:
            texts.append(t("par.map.total_share", lang, share=fmt.pct(total_share)))
    money = [fmt.money(v, lang) for v in nodes["value"]]
    fig = go.Figure(go.Treemap(
        ids=nodes["id"], parents=nodes["parent"], labels=labels, values=nodes["value"], branchvalues="total",
        text=texts,
        customdata=np.column_stack([money, [fmt.pct(v) for v in nodes["total_share"]]]) if len(nodes) else None,
        texttemplate="%{label}<br>%{text}", maxdepth=3,
        hovertemplate="%{label}<br>%{customdata[0]} · %{text}<br>" + t("par.map.of_total", lang) +
                      " %{customdata[1]}<extra></extra>",
        marker={"colorscale": [[0, "#DCE8F6"], [1, SERIES[0]]], "colors": nodes["total_share"]},
        pathbar={"visible": True}))
    fig.update_layout(margin={"l": 0, "r": 0, "t": 30, "b": 0})
    return style(fig, height=560, legend=False)
