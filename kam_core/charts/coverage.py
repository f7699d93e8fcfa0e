"""Coverage figures: contacts per owner and week, overdue clients per owner."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from kam_core.charts import BAD, SERIES, style

LEVEL_COLORS = {"A": BAD, "B": SERIES[1], "C": "#E8B04A"}


def contact_heatmap(grid: pd.DataFrame, labels: dict[str, str]) -> go.Figure:
    """grid: owners x week starts (coverage.weekly_contacts). labels: title, owner, week, contacts,
    no_owner (the row label for clients without an owner)."""
    owners = [o if o else labels["no_owner"] for o in grid.index]
    weeks = [w.isoformat() for w in grid.columns]
    fig = go.Figure(go.Heatmap(
        # zmax at least 1: weeks without contacts stay the palest colour, never mid-scale
        z=grid.to_numpy(), x=weeks, y=owners, colorscale="Blues", zmin=0, zmax=max(1, float(grid.to_numpy().max(initial=0))),
        colorbar={"title": {"text": labels["contacts"]}, "thickness": 12},
        hovertemplate=f"{labels['owner']}: %{{y}}<br>{labels['week']}: %{{x}}<br>{labels['contacts']}: %{{z}}"
                      "<extra></extra>"))
    fig.update_layout(title=labels["title"], xaxis={"title": labels["week"], "type": "category"},
                      yaxis={"autorange": "reversed", "type": "category"})
    return style(fig, height=max(260, 60 + 28 * len(owners)), legend=False)


def overdue_by_owner(by_owner: pd.DataFrame, labels: dict[str, str]) -> go.Figure:
    """by_owner: coverage.coverage_by_owner. Stacked bars of overdue clients per level.
    labels: title, clients, no_owner, A, B, C (level names)."""
    owners = [o if o else labels["no_owner"] for o in by_owner["owner"]]
    fig = go.Figure()
    for level in ("A", "B", "C"):
        fig.add_bar(x=owners, y=by_owner[f"overdue_{level}"], name=labels[level], marker_color=LEVEL_COLORS[level],
                    hovertemplate="%{x}: %{y}<extra>" + labels[level] + "</extra>")
    style(fig, height=340)
    fig.update_layout(title=labels["title"], barmode="stack", yaxis={"title": labels["clients"]},
                      xaxis={"type": "category"}, legend={"x": 1, "xanchor": "right"})
    return fig
