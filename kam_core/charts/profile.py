"""Figures of the client profile: revenue and profit by month, the mix, the tier path, the stakeholder map."""
from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from kam_core import fmt
from kam_core.charts import BAD, GOOD, NEUTRAL, SERIES, TIER_COLORS, money_axis, style
from kam_core.i18n import t
from kam_core.stakeholders import ATTITUDES, DECISION_ROLES

TIER_LEVELS = ("key", "important", "general", "maintenance")


def label(text) -> str:
    """Text from uploaded files or the team, made inert for plotly's HTML-like labels."""
    return html.escape(str(text), quote=False)


def monthly_figure(frame: pd.DataFrame, lang: str, has_profit: bool = True, height: int = 360) -> go.Figure:
    """Revenue bars by month (partial months lighter) and the profit line."""
    fig = go.Figure()
    colors = ["#A9C7EA" if partial else SERIES[0] for partial in frame["partial"]]
    fig.add_bar(x=frame["month"], y=frame["revenue"], name=t("w.revenue", lang), marker_color=colors,
                customdata=[fmt.money(v, lang) for v in frame["revenue"]],
                hovertemplate="%{x}<br>%{customdata}<extra></extra>")
    if has_profit and frame["profit"].notna().any():
        fig.add_scatter(x=frame["month"], y=frame["profit"], name=t("w.profit", lang), mode="lines+markers",
                        line={"color": SERIES[1], "width": 2},
                        customdata=[fmt.money(v, lang) for v in frame["profit"]],
                        hovertemplate="%{x}<br>%{customdata}<extra></extra>")
    fig.update_xaxes(type="category")
    shown = [frame["revenue"], frame["profit"]] if has_profit else [frame["revenue"]]
    fig.update_yaxes(**money_axis(pd.concat(shown), lang))
    return style(fig, height=height)


def mix_figure(frame: pd.DataFrame, lang: str, blank_label: str, top: int = 12, height: int = 300) -> go.Figure:
    """Horizontal bars of revenue by item (the largest first), with shares."""
    shown = frame.head(top).iloc[::-1]
    names = [label(blank_label if item is None else item) for item in shown["item"]]
    shares = ["" if pd.isna(s) else fmt.pct(s) for s in shown["share"]]
    fig = go.Figure(go.Bar(x=shown["revenue"], y=names, orientation="h", marker_color=SERIES[0],
                           text=shares, textposition="auto",
                           customdata=[fmt.money(v, lang) for v in shown["revenue"]],
                           hovertemplate="%{y}<br>%{customdata} · %{text}<extra></extra>"))
    fig.update_xaxes(**money_axis(shown["revenue"], lang))
    return style(fig, height=max(height, 40 + 26 * len(shown)), legend=False)


def tier_path_figure(frame: pd.DataFrame, lang: str, height: int = 260) -> go.Figure:
    """The tier in each period as a step line: 关键 at the top; periods without revenue left empty.

    frame: period, tier (key | important | general | maintenance, or None when inactive)."""
    levels = {tier: len(TIER_LEVELS) - i for i, tier in enumerate(TIER_LEVELS)}
    y = [levels.get(tier) for tier in frame["tier"]]
    colors = [TIER_COLORS.get(tier, NEUTRAL) for tier in frame["tier"]]
    names = [t(f"tier.{tier}", lang) if tier in levels else t("state.inactive", lang) for tier in frame["tier"]]
    fig = go.Figure(go.Scatter(x=frame["period"], y=y, mode="lines+markers", line={"shape": "hv", "color": NEUTRAL},
                               marker={"size": 12, "color": colors, "line": {"width": 1, "color": "#555"}},
                               text=names, hovertemplate="%{x}: %{text}<extra></extra>", connectgaps=False))
    fig.update_yaxes(range=[0.5, len(TIER_LEVELS) + 0.5], tickvals=list(levels.values()),
                     ticktext=[t(f"tier.{tier}", lang) for tier in levels])
    fig.update_xaxes(type="category")
    return style(fig, height=height, legend=False)


def stakeholder_figure(frame: pd.DataFrame, lang: str, height: int = 380) -> go.Figure:
    """The stakeholder map: one lane per decision role, attitude from -10 (leans to a competitor) to +5
    (fully supports us); people without an attitude sit at 0 in grey."""
    lanes = {role: len(DECISION_ROLES) - i for i, role in enumerate(DECISION_ROLES)}
    fig = go.Figure()
    fig.add_vrect(x0=-10.8, x1=0, fillcolor=BAD, opacity=0.06, line_width=0)
    fig.add_vrect(x0=0, x1=5.8, fillcolor=GOOD, opacity=0.06, line_width=0)
    people = frame.reset_index(drop=True)
    seen: dict[tuple, int] = {}
    xs, ys, texts, colors, hovers = [], [], [], [], []
    for row in people.itertuples():
        attitude = None if pd.isna(row.attitude) else int(row.attitude)
        lane = lanes.get(row.decision_role, 0)
        x = 0 if attitude is None else attitude
        slot = seen.get((lane, x), 0)
        seen[(lane, x)] = slot + 1
        xs.append(x)
        ys.append(lane + 0.22 * ((slot + 1) // 2) * (1 if slot % 2 else -1))
        texts.append(label(row.name))
        colors.append(NEUTRAL if attitude is None else (GOOD if attitude > 0 else BAD))
        title = "" if pd.isna(row.title) or row.title is None else f" · {label(row.title)}"
        stance = t(f"stk.att.{attitude}", lang) if attitude is not None else t("stk.att.none", lang)
        hovers.append(f"{label(row.name)}{title}<br>{stance}")
    fig.add_scatter(x=xs, y=ys, mode="markers+text", text=texts, textposition="top center",
                    marker={"size": 18, "color": colors, "line": {"width": 1, "color": "#333"}},
                    hovertext=hovers, hoverinfo="text", showlegend=False)
    ticks = [a for a in ATTITUDES]
    fig.update_xaxes(range=[-10.8, 5.8], tickvals=ticks, ticktext=[f"{a:+d}" for a in ticks], zeroline=True,
                     zerolinecolor="#999", title=t("stk.attitude_axis", lang))
    fig.update_yaxes(range=[0.4, len(DECISION_ROLES) + 0.7], tickvals=list(lanes.values()),
                     ticktext=[t(f"stk.role.{role}", lang) for role in lanes], showgrid=True)
    return style(fig, height=height, legend=False)
