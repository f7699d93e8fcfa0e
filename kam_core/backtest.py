"""Backtest of the watchlist: the list the settings would have produced at a past date vs what followed.

Eligible units: in scope at the as-of date (by default KA: 关键 + 重点) with
revenue in the horizon before it. A unit churned when its revenue in the next
90 (or 180) days fell by 80% or more against the same number of days before
(sql/churn_outcome.sql, exact DECIMAL). The list: eligible units with at least
one signal, by revenue at risk; its top k is scored by precision (churned among
the top k) and recall (top-k churners among all churners). Picking k clients at
random would have a precision equal to the churn rate of the eligible units: the
lift is precision over that rate.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd

from kam_core import churn, portfolio
from kam_core.cache import by_version
from kam_core.churn_signals import ChurnSettings, tier_name
from kam_core.i18n import t
from kam_core.store import sql

HORIZONS = (90, 180)
CHURN_DROP = Decimal("0.8")
FRAME_COLUMNS = ["unit_key", "unit_name", "tier", "listed", "rank", "in_top", "risk", "revenue_at_risk",
                 "before", "after", "change", "churned"]


@dataclass(frozen=True)
class Backtest:
    as_of: dt.date
    horizon: int
    top_k: int
    scope: str
    model: churn.ModelStatus
    eligible: int                 # units in scope with revenue before
    churned: int                  # of which churned
    listed: int                   # eligible units with a signal (the list)
    hits: int                     # churned among the top k
    precision: float | None       # hits / min(k, listed)
    recall: float | None          # hits / churned
    base_rate: float | None       # churned / eligible: a random pick's precision
    lift: float | None            # precision / base_rate
    frame: pd.DataFrame           # FRAME_COLUMNS, one row per eligible unit, listed first by rank
    curve: pd.DataFrame           # k, precision, recall for k = 1 .. listed

    @property
    def k_used(self) -> int:
        """The top k actually scored: k, or the whole list when it is shorter."""
        return min(self.top_k, self.listed)


def latest_as_of(data_end: dt.date, horizon: int) -> dt.date:
    """The last as-of date whose next horizon days the data covers."""
    return data_end - dt.timedelta(days=horizon)


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def backtest(store, as_of: dt.date, horizon: int = 90, top_k: int = 20, level: str = "client",
             settings: ChurnSettings | None = None, model: str = "auto", scope: str = "ka") -> Backtest:
    """Score the list at as_of against the next horizon days. ValueError when the data stops before them."""
    if horizon not in HORIZONS:
        raise ValueError(f"horizon must be one of {HORIZONS}")
    if top_k < 1:
        raise ValueError("top k must be at least 1")
    data_end = portfolio.bounds(store).data_end
    if data_end is None or as_of > latest_as_of(data_end, horizon):
        raise ValueError(f"the {horizon} days after {as_of} run past the data end {data_end}")
    settings = settings if settings is not None else churn.saved_settings(store)
    return _backtest(store, as_of, horizon, top_k, level, settings, model, scope)


@by_version()
def _backtest(store, as_of, horizon, top_k, level, settings, model, scope) -> Backtest:
    scored = churn.scores(store, as_of, level, settings, model)
    outcome = outcomes(store, as_of, horizon, level)
    frame = scored.frame[churn.in_scope(scored.frame, scope)].merge(outcome, on="unit_key", how="inner")
    frame["listed"] = frame["signals"] > 0
    listed = churn.ranked(frame[frame["listed"]])
    listed["rank"] = np.arange(1, len(listed) + 1)
    rest = frame[~frame["listed"]].sort_values("unit_key", kind="stable")
    frame = pd.concat([listed, rest], ignore_index=True)
    frame["rank"] = frame["rank"].astype("Int64")
    frame["in_top"] = (frame["rank"] <= top_k).fillna(False).astype(bool)
    frame["change"] = frame["after"] / frame["before"] - 1

    eligible, churned = len(frame), int(frame["churned"].sum())
    top = frame[frame["in_top"]]
    hits = int(top["churned"].sum())
    precision = _ratio(hits, len(top))
    recall = _ratio(hits, churned)
    base_rate = _ratio(churned, eligible)
    lift = precision / base_rate if precision is not None and base_rate else None
    hits_by_k = np.cumsum(listed["churned"].to_numpy(dtype=int))
    ks = np.arange(1, len(listed) + 1)
    curve = pd.DataFrame({"k": ks, "precision": hits_by_k / ks,
                          "recall": hits_by_k / churned if churned else np.full(len(ks), np.nan)})
    return Backtest(as_of, horizon, top_k, scope, scored.model, eligible, churned, len(listed), hits, precision,
                    recall, base_rate, lift, frame[FRAME_COLUMNS].reset_index(drop=True), curve)


def outcomes(store, as_of: dt.date, horizon: int, level: str = "client") -> pd.DataFrame:
    """unit_key, before, after, churned for units with revenue in the horizon before as_of."""
    days = dt.timedelta(days=horizon)
    with store.reader() as cur:
        frame = cur.execute(sql("churn_outcome"), {
            "level": level, "as_of": as_of, "before_after": as_of - days, "after_until": as_of + days,
            "drop": str(CHURN_DROP)}).df()
    frame["before"] = frame["before"].astype(float)
    frame["after"] = frame["after"].astype(float)
    frame["churned"] = frame["churned"].astype(bool)
    return frame


def export_frame(result: Backtest, lang: str, level: str = "client") -> pd.DataFrame:
    """The backtest client by client, localized headers (money to 2 decimals, change as a ratio)."""
    frame = result.frame
    return pd.DataFrame({
        t("churn.col.rank", lang): frame["rank"],
        t(f"w.{level}", lang): frame["unit_name"],
        t("w.tier", lang): [tier_name(v, lang) for v in frame["tier"]],
        t("churn.col.risk", lang): frame["risk"].astype(float).round(4),
        t("churn.col.at_risk", lang): frame["revenue_at_risk"].astype(float).round(2),
        t("churn.bt.before", lang): frame["before"].round(2),
        t("churn.bt.after", lang): frame["after"].round(2),
        t("w.change", lang): frame["change"].astype(float).round(4),
        t("churn.bt.listed", lang): [t("w.yes" if v else "w.no", lang) for v in frame["listed"]],
        t("churn.bt.in_top", lang): [t("w.yes" if v else "w.no", lang) for v in frame["in_top"]],
        t("churn.bt.churned", lang): [t("w.yes" if v else "w.no", lang) for v in frame["churned"]],
    })
