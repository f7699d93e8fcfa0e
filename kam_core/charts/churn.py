"""Figures of the churn watchlist and its backtest."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from kam_core import fmt
from kam_core.charts import BAD, NEUTRAL, SERIES, downsample_indices, style
from kam_core.i18n import t

TOP_BARS = 15


def watchlist_bars(frame: pd.DataFrame, lang: str, unit: str = "client", top: int = TOP_BARS) -> go.Figure:
    """The largest revenues at risk as horizontal bars, shaded by risk, with the reasons on hover."""
    head = frame.head(top).iloc[::-1]
    money = [fmt.money(v, lang) for v in head["revenue_at_risk"]]
    hover = [f"<b>{name}</b><br>{t('churn.col.at_risk', lang)}: {m}<br>{t('churn.col.risk', lang)}: "
             f"{fmt.pct(r, 0)}<br>{'<br>'.join(_wrap(text))}"
             for name, m, r, text in zip(head["unit_name"], money, head["risk"], head["reason_text"])]
    fig = go.Figure(go.Bar(
        x=head["revenue_at_risk"], y=head["unit_name"], orientation="h", text=money, textposition="auto",
        marker={"color": head["risk"], "colorscale": [[0, "#F4C7CD"], [1, BAD]], "cmin": 0, "cmax": 1,
                "colorbar": {"title": {"text": t("churn.col.risk", lang)}, "tickformat": ".0%", "thickness": 12}},
        hovertext=hover, hoverinfo="text"))
    # The bars carry their amounts in 万 / K; axis ticks would speak plotly's SI units instead.
    fig.update_layout(title=t("churn.chart_title", lang, n=len(head), unit=t(f"churn.unit.{unit}", lang)),
                      xaxis={"title": t("churn.col.at_risk", lang), "showticklabels": False},
                      yaxis={"automargin": True})
    return style(fig, height=max(260, 32 * len(head) + 110), legend=False)


def _wrap(text: str, width: int = 60) -> list[str]:
    """Reasons on hover, one per line."""
    parts = [p for chunk in str(text).split("；") for p in chunk.split("; ")]
    return [p[:width] for p in parts if p]


def backtest_curve(curve: pd.DataFrame, base_rate: float | None, top_k: int, lang: str) -> go.Figure:
    """Precision and recall of the top k for every k, against a random pick's precision."""
    keep = [top_k - 1] if 0 < top_k <= len(curve) else []
    rows = curve.iloc[downsample_indices(len(curve), keep)]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=rows["k"], y=rows["precision"], mode="lines", name=t("churn.bt.precision", lang, k="k"),
                             line={"color": SERIES[0], "width": 2.5}))
    fig.add_trace(go.Scatter(x=rows["k"], y=rows["recall"], mode="lines", name=t("churn.bt.recall", lang, k="k"),
                             line={"color": SERIES[2], "width": 2.5}))
    if base_rate is not None:
        fig.add_hline(y=base_rate, line={"color": NEUTRAL, "dash": "dash"},
                      annotation_text=t("churn.bt.random", lang), annotation_position="top left")
    if keep:
        at = curve.iloc[top_k - 1]
        fig.add_trace(go.Scatter(x=[at["k"], at["k"]], y=[at["precision"], at["recall"]], mode="markers",
                                 marker={"size": 10, "color": [SERIES[0], SERIES[2]], "line": {"width": 1, "color": "white"}},
                                 showlegend=False, hoverinfo="skip"))
        fig.add_vline(x=top_k, line={"color": NEUTRAL, "width": 1, "dash": "dot"})
    xaxis = {"title": t("churn.bt.k", lang)}
    if len(curve) <= 20:
        xaxis["dtick"] = 1          # k is a count: no ticks between clients
    fig.update_layout(title=t("churn.bt.chart_title", lang), xaxis=xaxis, yaxis={"tickformat": ".0%", "range": [0, 1.05]})
    style(fig, height=380)
    # Room for the title above the legend.
    fig.update_layout(margin={"t": 90}, legend={"y": 1.08})
    return fig
