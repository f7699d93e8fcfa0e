"""Advance ledger figures: one advance month by month against its scenario fan; all advances at a glance."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from kam_core.charts import BAD, GOOD, NEUTRAL, SERIES, money_axis, style

STATUS_COLORS = {"recouped": GOOD, "on_track": SERIES[0], "behind": "#E07A1F", "overdue": BAD}


def progress_chart(frame: pd.DataFrame, amount: float, term_months: int, labels: dict[str, str],
                   lang: str = "zh") -> go.Figure:
    """frame: advances.progress. Cumulative counted sales (line) and counted per month (bars) against
    the advance (a level line) and, when signed from a scenario, its P10-P90 band and P50.
    labels: title, cumulative, monthly, amount, fan, p50, month, term_end."""
    months = frame["month"].tolist()
    fig = go.Figure()
    has_fan = frame["p50"].notna().any()
    if has_fan:
        fan = frame[frame["p50"].notna()]
        fig.add_scatter(x=fan["month"], y=fan["p90"], mode="lines", line={"width": 0}, showlegend=False,
                        hoverinfo="skip")
        fig.add_scatter(x=fan["month"], y=fan["p10"], mode="lines", line={"width": 0}, fill="tonexty",
                        fillcolor="rgba(76,155,232,0.20)", name=labels["fan"],
                        customdata=fan[["p90"]], hovertemplate="P10 %{y:,.0f} – P90 %{customdata[0]:,.0f}"
                                                               "<extra></extra>")
        fig.add_scatter(x=fan["month"], y=fan["p50"], mode="lines", line={"color": SERIES[1], "dash": "dash"},
                        name=labels["p50"], hovertemplate="P50 %{y:,.0f}<extra></extra>")
    known = frame[frame["started"]]
    fig.add_bar(x=known["month"], y=known["counted"], name=labels["monthly"], marker_color="#A9C7EA", opacity=0.8,
                hovertemplate="%{y:,.0f}<extra>" + labels["monthly"] + "</extra>")
    fig.add_scatter(x=known["month"], y=known["cumulative"], mode="lines+markers", name=labels["cumulative"],
                    line={"color": SERIES[0], "width": 3},
                    hovertemplate="%{y:,.0f}<extra>" + labels["cumulative"] + "</extra>")
    fig.add_hline(y=amount, line={"color": BAD, "dash": "dot"}, annotation_text=labels["amount"],
                  annotation_position="top left")
    if months and max(months) > term_months:
        fig.add_vline(x=term_months + 0.5, line={"color": NEUTRAL, "dash": "dot"}, annotation_text=labels["term_end"])
    style(fig, height=420)
    reach = [amount, 0.0, *known["cumulative"], *known["counted"], *frame["p90"].dropna()]
    fig.update_layout(title=labels["title"], xaxis={"title": labels["month"], "dtick": 1 if len(months) <= 24 else 3},
                      yaxis=money_axis(reach, lang), bargap=0.3, legend={"x": 1, "xanchor": "right"})
    return fig


def ledger_chart(ledger: pd.DataFrame, labels: dict[str, str], max_rows: int = 30, lang: str = "zh") -> go.Figure:
    """ledger: advances.ledger. Horizontal bars per advance: recouped (coloured by status) and remaining;
    the max_rows advances with the most remaining when there are more. labels: title, recouped,
    remaining, and status.<code> names."""
    if len(ledger) > max_rows:
        ledger = ledger.nlargest(max_rows, "remaining").sort_values("advance_id")
    names = [f"#{i} {c}" for i, c in zip(ledger["advance_id"], ledger["client"])]
    colors = [STATUS_COLORS.get(s, SERIES[0]) for s in ledger["status"]]
    status_names = [labels[f"status.{s}"] for s in ledger["status"]]
    fig = go.Figure()
    fig.add_bar(y=names, x=ledger["recouped"], orientation="h", name=labels["recouped"], marker_color=colors,
                customdata=list(zip(status_names, ledger["progress"].fillna(0))),
                hovertemplate="%{y}<br>%{x:,.0f} (%{customdata[1]:.0%})<br>%{customdata[0]}<extra></extra>")
    fig.add_bar(y=names, x=ledger["remaining"], orientation="h", name=labels["remaining"], marker_color="#E3E7ED",
                hovertemplate="%{y}<br>%{x:,.0f}<extra>" + labels["remaining"] + "</extra>")
    style(fig, height=max(220, 90 + 34 * len(names)))
    fig.update_layout(title=labels["title"], barmode="stack", yaxis={"autorange": "reversed", "type": "category"},
                      xaxis=money_axis([0.0, *(ledger["recouped"] + ledger["remaining"])], lang),
                      legend={"x": 1, "xanchor": "right"})
    return fig
