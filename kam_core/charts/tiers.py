"""Figures of the tiers page: tier mix over time, the migration matrix, the Sankey, the cut curve."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from kam_core import fmt
from kam_core.charts import TIER_COLORS, downsample_indices, style
from kam_core.i18n import t
from kam_core.migration import FROM_STATES, TO_STATES, matrix_table
from kam_core.migration import state_text as state_label
from kam_core.ranks import TIERS

SANKEY_ORDER = (*TIERS, "new", "lost", "inactive")


def _titled(fig: go.Figure, title: str, height: int) -> go.Figure:
    """The house style with the title above the legend (both over the plot)."""
    style(fig, height=height)
    fig.update_layout(title={"text": title, "y": 0.98, "yanchor": "top", "x": 0.01},
                      margin={"l": 10, "r": 10, "t": 80, "b": 10})
    return fig


def _period_ticks(frame: pd.DataFrame, lang: str) -> list[str]:
    return [p + ("" if c else t("period.partial", lang)) for p, c in zip(frame["period"], frame["complete"])]


def distribution_figure(dist: pd.DataFrame, lang: str, field: str = "clients") -> go.Figure:
    """Stacked bars per period: clients (or value) per tier; partial periods faded and labelled."""
    fig = go.Figure()
    for tier in TIERS:
        part = dist.loc[dist["tier"] == tier]
        values = part[field].astype(float)
        text = [fmt.money(v, lang) for v in values] if field == "value" else None
        fig.add_bar(x=_period_ticks(part, lang), y=values, name=t(f"tier.{tier}", lang),
                    marker={"color": TIER_COLORS[tier], "opacity": [1.0 if c else 0.45 for c in part["complete"]]},
                    hovertext=text, hovertemplate="%{x}<br>%{fullData.name}: " +
                    ("%{hovertext}" if text else "%{y:,}") + "<extra></extra>")
    title = t("tiers.chart.dist_clients" if field == "clients" else "tiers.chart.dist_value", lang)
    fig.update_layout(barmode="stack", xaxis={"type": "category"}, legend={"traceorder": "normal"})
    if field == "value":
        _money_axis(fig, float(dist.groupby("period_start")["value"].sum().max() or 0), lang)
    return _titled(fig, title, 420)


def _money_axis(fig: go.Figure, top: float, lang: str) -> None:
    """Y ticks written the way managers read money (万 / 亿 in Chinese, K / M in English)."""
    if top <= 0:
        return
    raw = top / 4
    magnitude = 10 ** np.floor(np.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    ticks = np.arange(0, top + step, step)
    # ¥2.00亿 -> ¥2亿, ¥2.50亿 -> ¥2.5亿: round ticks need no trailing zeros
    text = [re.sub(r"\.?0+(?=[^\d.,]*$)", "", s) if "." in s else s for s in (fmt.money(v, lang, digits=1) for v in ticks)]
    fig.update_yaxes(tickvals=ticks, ticktext=text)


def matrix_figure(grid: pd.DataFrame, lang: str, field: str = "clients") -> go.Figure:
    """The migration matrix as a heatmap: rows P states, columns Q states, each cell labelled."""
    table = matrix_table(grid, field).astype(float)
    z = table.to_numpy()
    text = [[(f"{int(v):,}" if field == "clients" else fmt.money(v, lang)) if v else "·" for v in row] for row in z]
    fig = go.Figure(go.Heatmap(
        z=np.log1p(np.abs(z)), x=[state_label(s, lang) for s in TO_STATES], y=[state_label(s, lang) for s in FROM_STATES],
        text=text, texttemplate="%{text}", showscale=False, colorscale="Blues",
        hovertemplate="%{y} → %{x}: %{text}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", title=t("tiers.mig.rows", lang))
    fig.update_xaxes(side="top", title=t("tiers.mig.cols", lang))
    return style(fig, height=380, legend=False)


def matrix_styles(table: pd.DataFrame, color: str = "#1F5FAD") -> pd.DataFrame:
    """CSS per cell of a matrix table (pandas Styler.apply with axis=None): shades of blue by
    log-size, white text on the dark ones; empty cells stay white."""
    values = np.log1p(np.abs(table.to_numpy(dtype=float)))
    top = values.max() if values.size and values.max() > 0 else 1.0
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    css = []
    for row in values / top:
        line = []
        for x in row:
            if x <= 0:
                line.append("")
                continue
            mix = 0.12 + 0.78 * x
            shade = tuple(round(255 + (c - 255) * mix) for c in (r, g, b))
            line.append(f"background-color: rgb{shade}; color: {'white' if mix > 0.6 else 'black'}")
        css.append(line)
    return pd.DataFrame(css, index=table.index, columns=table.columns)


def sankey_figure(flows: pd.DataFrame, lang: str, field: str = "clients") -> go.Figure:
    """Flows between consecutive periods. Each period is a column of state nodes; new units enter
    from the column of the period before them, lost ones leave into the column of the period after."""
    starts = sorted(set(flows["from_start"]) | set(flows["to_start"]))
    labels = {**dict(zip(flows["from_start"], flows["from_period"])), **dict(zip(flows["to_start"], flows["to_period"]))}
    column = {s: i for i, s in enumerate(starts)}
    weight = flows[field].astype(float).abs()
    size: dict[tuple, float] = {}
    for (start, state, w) in zip(flows["from_start"], flows["from_state"], weight):
        size[(start, state, "out")] = size.get((start, state, "out"), 0.0) + w
    for (start, state, w) in zip(flows["to_start"], flows["to_state"], weight):
        size[(start, state, "in")] = size.get((start, state, "in"), 0.0) + w
    nodes = sorted({(s, st) for (s, st, _) in size}, key=lambda n: (column[n[0]], SANKEY_ORDER.index(n[1])))
    index = {n: i for i, n in enumerate(nodes)}
    x, y = _node_positions(nodes, size, column, len(starts))
    fig = go.Figure(go.Sankey(
        arrangement="fixed",
        node={"label": [state_label(st, lang) for _, st in nodes], "x": x, "y": y, "pad": 12, "thickness": 14,
              "color": [TIER_COLORS[st] for _, st in nodes],
              "customdata": [labels[s] for s, _ in nodes],
              "hovertemplate": "%{customdata} %{label}: %{value:,}<extra></extra>"},
        link={"source": [index[(s, st)] for s, st in zip(flows["from_start"], flows["from_state"])],
              "target": [index[(s, st)] for s, st in zip(flows["to_start"], flows["to_state"])],
              "value": weight.tolist(),
              "color": [_fade(TIER_COLORS[st]) for st in flows["from_state"]]}))
    for s in starts:
        fig.add_annotation(x=_column_x(column[s], len(starts)), y=1.06, xref="paper", yref="paper",
                           text=f"<b>{labels[s]}</b>", showarrow=False)
    fig.update_layout(title=t("tiers.chart.sankey", lang))
    fig = style(fig, height=460, legend=False)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 70, "b": 10})
    return fig


def _column_x(i: int, n: int) -> float:
    return 0.001 + 0.998 * (i / (n - 1) if n > 1 else 0.5)


def _node_positions(nodes, size, column, n_columns) -> tuple[list[float], list[float]]:
    """Nodes (sorted by column, then state) stacked top to bottom within their period's column."""
    heights = {n: max(size.get((*n, "in"), 0.0), size.get((*n, "out"), 0.0)) for n in nodes}
    floor = 0.02 * max(heights.values(), default=1.0)  # tiny nodes keep room for their label
    heights = {n: max(h, floor) for n, h in heights.items()}
    x, y = [], []
    for col in range(n_columns):
        mine = [n for n in nodes if column[n[0]] == col]
        total = sum(heights[n] for n in mine) or 1.0
        gap = 0.04
        usable = 1 - gap * (len(mine) + 1)
        top = gap
        for n in mine:
            h = heights[n] / total * max(usable, 0.1)
            x.append(_column_x(col, n_columns))
            y.append(min(max(top + h / 2, 0.001), 0.999))
            top += h + gap
    return x, y


def _fade(color: str, alpha: float = 0.35) -> str:
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def cuts_figure(tiers: pd.DataFrame, cuts: tuple | None, lang: str) -> go.Figure:
    """Cumulative share by rank, coloured by computed tier, with the share cuts drawn across.
    Long curves are downsampled; each tier's first and last point are kept."""
    ranked = tiers.loc[tiers["rank"].notna()].sort_values("rank")
    fig = go.Figure()
    for tier in TIERS:
        part = ranked.loc[ranked["computed_tier"] == tier]
        if part.empty:
            continue
        keep = downsample_indices(len(part), keep=[0, len(part) - 1])
        part = part.iloc[keep]
        fig.add_scatter(x=part["rank"].astype(int), y=part["cum_share"], mode="lines+markers",
                        marker={"size": 4, "color": TIER_COLORS[tier]}, line={"color": TIER_COLORS[tier], "width": 2},
                        name=t(f"tier.{tier}", lang), customdata=part["unit_name"],
                        hovertemplate="#%{x} %{customdata}<br>%{y:.1%}<extra></extra>")
    for cut in cuts or ():
        fig.add_hline(y=float(cut), line={"dash": "dash", "color": "#8A94A6", "width": 1},
                      annotation_text=fmt.pct(float(cut), 0), annotation_position="top left")
    fig.update_layout(xaxis_title=t("w.rank", lang),
                      yaxis={"title": t("w.cum_share", lang), "tickformat": ".0%", "range": [0, 1.02]})
    return _titled(fig, t("tiers.chart.curve", lang), 400)
