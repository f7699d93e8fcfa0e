"""The portfolio overview: a window's headline figures against the previous window.

Definitions (DESIGN.md, "Overview KPIs"): the previous window is the previous
month, quarter or year (before a custom window, as many days before it).
Revenue is the sum of all lines, refunds included; a unit (client or group) is
active with revenue > 0. Shares are of the revenue of active units.
- KA units: 关键 + 重点 by current tier at the window's end (tiers.current_tier_of).
- Top 20%: the ⌈0.2 N⌉ top active units.
- New: active in the window and no sale (positive line) before it.
- Lost: active in the previous window, not active in this one.
- Over the previous window's active units: NRR = Σ current / Σ previous revenue;
  GRR = Σ min(max(current, 0), previous) / Σ previous.
"""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from kam_core import periods, tiers
from kam_core.cache import by_version
from kam_core.pareto import display_names
from kam_core.ranks import LEVELS

# metric -> how its change is read: money (relative), count (difference), ratio (points)
METRICS = {"revenue": "money", "profit": "money", "active": "count", "ka_clients": "count", "ka_share": "ratio",
           "top20_share": "ratio", "new": "count", "lost": "count", "nrr": "ratio", "grr": "ratio"}
TREND_MONTHS = 24
UNIT_COLUMNS = ["unit_key", "revenue", "profit", "prev_revenue", "prev_profit", "prev2_revenue", "first_sale",
                "active", "prev_active", "prev2_active"]


def _check(level: str) -> None:
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}")


# ------------------------------------------------------------------ pure rules

def top_share(values, fraction: float = 0.2) -> float | None:
    """The share of the ⌈fraction x N⌉ largest positive values in their sum; None when there are none."""
    x = np.sort(np.asarray(values, dtype=float))[::-1]
    x = x[x > 0]
    if len(x) == 0:
        return None
    n = math.ceil(round(fraction * len(x), 9))       # round first: 0.2 x 15 is 3.0000000000000004
    return float(x[:n].sum() / x.sum())


def retention(previous, current) -> tuple[float | None, float | None]:
    """(NRR, GRR) over the previous window's active units: previous > 0 revenues and their current ones."""
    prev = np.asarray(previous, dtype=float)
    cur = np.nan_to_num(np.asarray(current, dtype=float))
    base = prev.sum()
    if len(prev) == 0 or base <= 0:
        return None, None
    return float(cur.sum() / base), float(np.minimum(np.maximum(cur, 0), prev).sum() / base)


def change(metric: str, current, previous):
    """The change of a metric: relative for money, difference for counts, points for ratios."""
    if current is None or previous is None or (isinstance(current, float) and math.isnan(current)) \
            or (isinstance(previous, float) and math.isnan(previous)):
        return None
    if METRICS[metric] == "money":
        return None if previous == 0 else current / previous - 1
    return current - previous


# ------------------------------------------------------------------ data

@by_version()
def unit_windows(store, window: periods.Period, level: str = "client") -> pd.DataFrame:
    """Per unit: revenue and profit in the window and the previous one, revenue in the one before
    that, active flags and the first sale (UNIT_COLUMNS). Cached per data version and arguments."""
    _check(level)
    prev = window.previous()
    prev2 = prev.previous()
    frame = store.query("overview_units", start=window.start, end=window.end, prev_start=prev.start,
                        prev_end=prev.end, prev2_start=prev2.start, prev2_end=prev2.end, level=level)
    for column in ("revenue", "profit", "prev_revenue", "prev_profit", "prev2_revenue"):
        frame[column] = frame[column].astype(float)
    frame["first_sale"] = pd.to_datetime(frame["first_sale"]).dt.date
    return frame[UNIT_COLUMNS]


def _ka_keys(store, as_of: dt.date, level: str, data_end: dt.date | None) -> set[str]:
    current = tiers.current_tier_of(store, as_of, level, data_end)
    return set(current.index[current.isin(tiers.KA_TIERS)])


def _figures(units: pd.DataFrame, start: dt.date, revenue: str, profit: str, active: str, prev_revenue: str,
             prev_active: str, ka: set[str]) -> dict:
    """The headline figures of one window, from per-unit columns of unit_windows (vectorised)."""
    value = units[revenue].to_numpy(dtype=float)
    on = units[active].to_numpy(dtype=bool)
    prior = units[prev_active].to_numpy(dtype=bool)
    total = value[on].sum()
    first = pd.to_datetime(units["first_sale"]).to_numpy()
    in_ka = units["unit_key"].isin(ka).to_numpy()
    nrr, grr = retention(units[prev_revenue].to_numpy(dtype=float)[prior], value[prior])
    profits = units[profit].to_numpy(dtype=float)
    return {"revenue": float(np.nansum(value)),
            "profit": float(np.nansum(profits)) if (~np.isnan(profits)).any() else None,
            "active": int(on.sum()), "ka_clients": len(ka),
            "ka_share": float(value[on & in_ka].sum() / total) if total else None,
            "top20_share": top_share(value[on]),
            "new": int((on & (first >= np.datetime64(start))).sum()),
            "lost": int((prior & ~on).sum()), "nrr": nrr, "grr": grr}


@by_version()
def kpis(store, window: periods.Period, level: str = "client", data_end: dt.date | None = None) -> pd.DataFrame:
    """The overview KPIs: one row per metric (METRICS order) with current, previous, change, kind.

    kind says how change reads: money (relative), count (difference), ratio (points). Profit is
    None where no profit is mapped. KA units counted by current tier at each window's end.
    """
    units = unit_windows(store, window, level)
    prev = window.previous()
    now = _figures(units, window.start, "revenue", "profit", "active", "prev_revenue", "prev_active",
                   _ka_keys(store, window.end, level, data_end))
    before = _figures(units, prev.start, "prev_revenue", "prev_profit", "prev_active", "prev2_revenue", "prev2_active",
                      _ka_keys(store, prev.end, level, data_end))
    rows = [{"metric": m, "current": now[m], "previous": before[m], "change": change(m, now[m], before[m]),
             "kind": kind} for m, kind in METRICS.items()]
    # object columns: a missing figure stays None rather than turning into NaN
    return pd.DataFrame(rows, columns=["metric", "current", "previous", "change", "kind"], dtype=object).set_index(
        "metric")


def trend_range(window: periods.Period, first_day: dt.date | None) -> tuple[dt.date, dt.date]:
    """Months shown in the trend: from the earlier of the previous window's start and 24 months
    before the window's end, to the window's end; never before the data starts."""
    prev = window.previous()
    back = periods.add_months(periods.period_of(window.end, "month").start, -(TREND_MONTHS - 1))
    start = min(prev.start, back)
    if first_day is not None:
        start = max(start, periods.period_of(first_day, "month").start)
    return min(start, window.start), window.end


def _overlaps(a: periods.Period, b: periods.Period) -> bool:
    return a.start <= b.end and b.start <= a.end


@by_version()
def monthly_trend(store, window: periods.Period, level: str = "client", first_day: dt.date | None = None,
                  data_end: dt.date | None = None) -> pd.DataFrame:
    """Revenue, profit and active units per month (trend_range), with where each month sits:
    month (first day), label, revenue, profit, active, part (window | previous | other), complete."""
    _check(level)
    start, end = trend_range(window, first_day)
    frame = store.query("overview_monthly", start=start, end=end, level=level)
    months = pd.DataFrame({"month": [p.start for p in periods.span("month", start, end)]})
    frame["month"] = pd.to_datetime(frame["month"]).dt.date
    out = months.merge(frame, on="month", how="left")
    out["revenue"] = out["revenue"].astype(float).fillna(0.0)
    out["profit"] = out["profit"].astype(float)
    out["active"] = out["active"].fillna(0).astype(int)
    prev = window.previous()
    month_periods = [periods.period_of(m, "month") for m in out["month"]]
    out["part"] = ["window" if _overlaps(m, window) else "previous" if _overlaps(m, prev) else "other"
                   for m in month_periods]
    out["label"] = [m.label for m in month_periods]
    out["complete"] = [m.complete(data_end) for m in month_periods]
    return out[["month", "label", "revenue", "profit", "active", "part", "complete"]]


@by_version()
def movers(store, window: periods.Period, level: str = "client", n: int = 10) -> pd.DataFrame:
    """The units whose revenue rose most and fell most in money against the previous window:
    direction (rose | fell), unit_key, unit_name, previous, current, change, change_pct."""
    units = unit_windows(store, window, level)
    frame = pd.DataFrame({"unit_key": units["unit_key"], "previous": units["prev_revenue"].fillna(0.0),
                          "current": units["revenue"].fillna(0.0)})
    frame["change"] = frame["current"] - frame["previous"]
    frame["change_pct"] = np.where(frame["previous"] > 0, frame["change"] / frame["previous"].where(
        frame["previous"] > 0, 1.0), np.nan)
    rose = frame[frame["change"] > 0].sort_values(["change", "unit_key"], ascending=[False, True]).head(n)
    fell = frame[frame["change"] < 0].sort_values(["change", "unit_key"], ascending=[True, True]).head(n)
    out = pd.concat([rose.assign(direction="rose"), fell.assign(direction="fell")], ignore_index=True)
    out["unit_name"] = display_names(store, out["unit_key"], level)
    return out[["direction", "unit_key", "unit_name", "previous", "current", "change", "change_pct"]]


@by_version()
def arrivals_and_departures(store, window: periods.Period, level: str = "client") -> pd.DataFrame:
    """The new and the lost units of the window: status (new | lost), unit_key, unit_name,
    revenue (this window), prev_revenue, first_sale; largest first within each status."""
    units = unit_windows(store, window, level)
    first = pd.to_datetime(units["first_sale"])
    new = units[units["active"] & (first >= pd.Timestamp(window.start))].assign(status="new")
    lost = units[units["prev_active"] & ~units["active"]].assign(status="lost")
    new = new.sort_values(["revenue", "unit_key"], ascending=[False, True])
    lost = lost.sort_values(["prev_revenue", "unit_key"], ascending=[False, True])
    out = pd.concat([new, lost], ignore_index=True)
    out["unit_name"] = display_names(store, out["unit_key"], level)
    return out[["status", "unit_key", "unit_name", "revenue", "prev_revenue", "first_sale"]]
