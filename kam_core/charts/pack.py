"""Figures of the meeting pack's portfolio summary (the client pages reuse charts.profile)."""
from __future__ import annotations

import plotly.graph_objects as go

from kam_core.charts import TIER_COLORS, money_axis, style
from kam_core.i18n import t
from kam_core.ranks import TIERS


def tier_counts_figure(counts: dict[str, int], lang: str, height: int = 300) -> go.Figure:
    """Units per current tier, 关键 first."""
    fig = go.Figure(go.Bar(x=[t(f"tier.{tier}", lang) for tier in TIERS], y=[counts.get(tier, 0) for tier in TIERS],
                           marker_color=[TIER_COLORS[tier] for tier in TIERS],
                           text=[counts.get(tier, 0) for tier in TIERS], textposition="auto",
                           hovertemplate="%{x}: %{y:,}<extra></extra>"))
    fig.update_yaxes(title=t("pack.units", lang))
    return style(fig, height=height, legend=False)


def agenda_figure(agenda, lang: str, height: int | None = None) -> go.Figure:
    """Revenue of the clients on the agenda in the window, the first on the agenda at the top."""
    from kam_core.charts.profile import label
    from kam_core import fmt

    shown = agenda.iloc[::-1]
    names = [f"{int(i)}. {label(n)}" for i, n in zip(shown["order"], shown["unit_name"])]
    fig = go.Figure(go.Bar(x=shown["revenue"], y=names, orientation="h", marker_color=TIER_COLORS["key"],
                           customdata=[fmt.money(v, lang) for v in shown["revenue"]],
                           hovertemplate="%{y}<br>%{customdata}<extra></extra>"))
    fig.update_xaxes(title=t("w.revenue", lang), **money_axis(shown["revenue"], lang))
    return style(fig, height=height or max(260, 60 + 22 * len(shown)), legend=False)
