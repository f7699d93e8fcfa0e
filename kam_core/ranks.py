"""Units ranked by value per period: the base of the Pareto set and of the tiers.

One SQL (sql/period_ranks.sql) ranks every active unit (value > 0) of every
period in one pass and decides tiers and the Pareto top set in exact DECIMAL
arithmetic (cum_before < cut x total). Python receives floats for display only.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from kam_core.cache import by_version

TIERS = ("key", "important", "general", "maintenance")
DEFAULT_CUTS = (Decimal("0.50"), Decimal("0.80"), Decimal("0.95"))
MEASURES = ("revenue", "profit")
LEVELS = ("client", "group")


@dataclass(frozen=True)
class TierRule:
    """How tiers are cut: by cumulative share (cuts) or by fixed value thresholds."""

    mode: str = "share"                                  # share | fixed
    cuts: tuple[Decimal, Decimal, Decimal] = DEFAULT_CUTS
    thresholds: tuple[Decimal, Decimal, Decimal] = (Decimal(0), Decimal(0), Decimal(0))

    def __post_init__(self):
        if self.mode not in ("share", "fixed"):
            raise ValueError(f"unknown tier mode {self.mode!r}")
        cuts = tuple(Decimal(str(c)) for c in self.cuts)
        if not (Decimal(0) < cuts[0] <= cuts[1] <= cuts[2] <= Decimal(1)):
            raise ValueError("cuts must rise within (0, 1]: e.g. 0.5, 0.8, 0.95")
        thresholds = tuple(Decimal(str(v)) for v in self.thresholds)
        if self.mode == "fixed" and not (thresholds[0] >= thresholds[1] >= thresholds[2] >= 0):
            raise ValueError("fixed thresholds must fall: key >= important >= general >= 0")
        object.__setattr__(self, "cuts", cuts)
        object.__setattr__(self, "thresholds", thresholds)

    def params(self) -> dict:
        return {"mode": self.mode, "c1": str(self.cuts[0]), "c2": str(self.cuts[1]), "c3": str(self.cuts[2]),
                "t1": str(self.thresholds[0]), "t2": str(self.thresholds[1]), "t3": str(self.thresholds[2])}


def _check(measure: str, level: str) -> None:
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}")
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}")


@by_version()
def period_ranks(store, kind: str, start: dt.date, end: dt.date, measure: str = "revenue", level: str = "client",
                 rule: TierRule = TierRule(), theta: Decimal | str | float = Decimal("0.8")) -> pd.DataFrame:
    """Every active unit of every period in [start, end] with rank, cum_before, total, tier and in_top.

    kind: month | quarter | year (periods by calendar), or window (one period: the whole range,
    labelled by start). Columns: period_start, unit_key, value, rank, cum_before, total, active,
    in_top, tier. Cached per data version and arguments; do not modify the result.
    """
    _check(measure, level)
    if kind not in ("month", "quarter", "year", "window"):
        raise ValueError(f"unknown period kind {kind!r}")
    params = {"kind": kind, "start": start, "end": end, "measure": measure, "level": level,
              "theta": str(Decimal(str(theta))), **rule.params()}
    with store.reader() as cur:
        from kam_core.store import sql

        frame = cur.execute(sql("period_ranks"), params).df()
    frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.date
    return frame


@by_version()
def unit_names(store, level: str = "client") -> dict[str, str]:
    """unit_key -> display name (client name, or group label)."""
    _check("revenue", level)
    frame = store.query("unit_names", level=level)
    return dict(zip(frame["unit_key"], frame["unit_name"]))
