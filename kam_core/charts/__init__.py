"""Plotly figure builders, one module per area: data in, figure out.

Shared here: colours, the common layout, and downsampling so no figure sent to
the browser grows past ~2,000 points per trace (markers and answers stay exact).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

MAX_POINTS = 2000
FONT = "Noto Sans CJK SC, PingFang SC, Microsoft YaHei, Source Han Sans SC, sans-serif"
TIER_COLORS = {"key": "#1F5FAD", "important": "#4C9BE8", "general": "#A9C7EA", "maintenance": "#D9DEE5",
               "new": "#2CA58D", "lost": "#D1495B", "inactive": "#B0B0B0"}
SERIES = ["#1F5FAD", "#E07A1F", "#2CA58D", "#D1495B", "#7A5CC4", "#8C6D46", "#5B8E7D", "#C45BAA"]
GOOD, BAD, NEUTRAL = "#2CA58D", "#D1495B", "#8A94A6"


def style(fig: go.Figure, height: int = 420, legend: bool = True) -> go.Figure:
    """The house layout: CJK-capable font, white background, compact margins."""
    fig.update_layout(template="plotly_white", font={"family": FONT, "size": 13}, height=height,
                      margin={"l": 10, "r": 10, "t": 40, "b": 10}, showlegend=legend,
                      legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
                      hoverlabel={"font": {"family": FONT}})
    return fig


def titled(fig: go.Figure, title: str, height: int, legend: bool = True, top: int = 60) -> go.Figure:
    """The house style with the title on the left and the legend on the right above the plot, so a
    long title and the legend never overlap. top: the margin above the plot that holds the title."""
    style(fig, height=height, legend=legend)
    fig.update_layout(title={"text": title, "x": 0, "xanchor": "left", "y": 0.98, "yanchor": "top"},
                      margin={"t": top}, legend={"x": 1, "xanchor": "right", "y": 1.02, "yanchor": "bottom"})
    return fig


def tick_label(value: float, lang: str) -> str:
    """A short axis label: 2,000万 / 1.5亿 in Chinese, 20M / 1.5B in English."""
    a, sign = abs(value), "-" if value < 0 else ""
    steps = ((1e8, "亿"), (1e4, "万")) if lang == "zh" else ((1e9, "B"), (1e6, "M"), (1e3, "K"))
    for size, suffix in steps:
        if a >= size:
            return f"{sign}{a / size:,.6g}{suffix}"
    return f"{sign}{a:,.6g}"


def money_ticks(high: float, lang: str, count: int = 5, low: float = 0.0) -> tuple[list[float], list[str]]:
    """Round tick values from min(low, 0) to high (1, 2, 2.5 or 5 x 10^n apart) with their labels."""
    low = min(low, 0.0) if math.isfinite(low) else 0.0
    high = max(high, 0.0) if math.isfinite(high) else 0.0
    if high - low <= 0:
        return [0.0], ["0"]
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    values = list(np.arange(math.floor(low / step) * step, high + step * 0.999, step))
    return values, [tick_label(v, lang) for v in values]


def money_axis(values, lang: str) -> dict:
    """Axis settings for money: round ticks over the values' range, written in 万 / 亿 (Chinese) or
    K / M / B (English), where plotly's own SI ticks would say 100k to a Chinese reader."""
    numbers = pd.to_numeric(pd.Series(values), errors="coerce").astype("float64").dropna()
    if numbers.empty:
        return {}
    ticks, texts = money_ticks(float(numbers.max()), lang, low=float(numbers.min()))
    return {"tickvals": ticks, "ticktext": texts}


def downsample_indices(n: int, keep: list[int] | tuple[int, ...] = (), max_points: int = MAX_POINTS) -> np.ndarray:
    """Evenly spaced indices (first and last included) plus every index in keep."""
    if n <= max_points:
        return np.arange(n)
    base = np.unique(np.linspace(0, n - 1, max_points - len(keep)).round().astype(int))
    return np.unique(np.concatenate([base, np.asarray(list(keep), dtype=int)]))


def figure_bytes(fig: go.Figure) -> int:
    """Size of the figure's JSON as sent to the browser."""
    return len(fig.to_json().encode("utf-8"))
