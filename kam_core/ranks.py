"""Units ranked by value per period: the base of the Pareto set and of the tiers.

Two steps. Each unit's exact sum per period (sql/tiers_client_sums.sql, then
sql/tiers_unit_sums.sql for clients or groups) is computed once per data version,
period kind, measure and level over all the data, and shared by every ranking of
whole periods and by the tier migration. Then one SQL (sql/period_ranks.sql)
ranks every active unit (value > 0) of every period and decides tiers and the
Pareto top set in exact DECIMAL arithmetic (cum_before < cut x total). Python
receives floats for display only.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd
import pyarrow as pa

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
    labelled by start). Columns: period_start (date), unit_key, value, rank, cum_before, total, active,
    in_top, tier. Money columns are floats for display. Cached per data version and arguments; do
    not modify the result.
    """
    from kam_core.store import sql

    with store.reader() as cur:
        cur.register("ranked", ranks_relation(store, cur, kind, start, end, measure, level, rule, theta))
        # through Arrow: dates arrive as dates and text without a per-row conversion
        return cur.sql(sql("period_ranks_ordered")).to_arrow_table().to_pandas()


def ranks_relation(store, cur, kind: str, start: dt.date, end: dt.date, measure: str = "revenue",
                   level: str = "client", rule: TierRule = TierRule(), theta: Decimal | str | float = Decimal("0.8")):
    """period_ranks as a lazy DuckDB relation on the cursor cur (unordered), for queries that build
    on it (it registers `unit_sums` on cur)."""
    _check(measure, level)
    if kind not in ("month", "quarter", "year", "window"):
        raise ValueError(f"unknown period kind {kind!r}")
    from kam_core.store import sql

    cur.register("unit_sums", range_sums(store, kind, start, end, measure, level))
    params = {"start": start, "end": end, "theta": str(Decimal(str(theta))), **rule.params()}
    return cur.sql(sql("period_ranks"), params=params)


ALL_DATES = (dt.date(1, 1, 1), dt.date(9999, 12, 31))
# A range of this many whole periods or more reads the all-data sums (one scan shared by every
# page); a shorter one, such as the current quarter's tiers, sums only its own dates.
SHARED_FROM_PERIODS = 3


@by_version(maxsize=8)
def client_sums(store, kind: str, measure: str = "revenue") -> pa.Table:
    """Each client's exact sum per month, quarter or year over all the data (Arrow: period_start,
    client_key, value DECIMAL). Cached per data version."""
    _check(measure, "client")
    if kind not in ("month", "quarter", "year"):
        raise ValueError(f"unknown period kind {kind!r}")
    return _client_sums(store, kind, *ALL_DATES, measure)


@by_version(maxsize=8)
def unit_sums(store, kind: str, measure: str = "revenue", level: str = "client") -> pa.Table:
    """Each unit's (client's or group's) exact sum per month, quarter or year over all the data
    (Arrow: period_start, unit_key, value DECIMAL(18,4)). Cached per data version; shared by
    every ranking of whole periods and by the tier migration."""
    _check(measure, level)
    return _unit_sums(store, client_sums(store, kind, measure), level)


@by_version(maxsize=16)
def range_sums(store, kind: str, start: dt.date, end: dt.date, measure: str = "revenue",
               level: str = "client") -> pa.Table:
    """Each unit's exact sum per period over [start, end], refund-only units included (Arrow:
    period_start, unit_key, value DECIMAL(18,4)); whole calendar periods come from unit_sums, a
    window, or a short run of periods, is summed once per client over its own dates and shared by
    both levels. Cached per data version."""
    whole = kind != "window" and _whole_periods(kind, start, end)
    if whole and _period_count(kind, start, end) >= SHARED_FROM_PERIODS:
        return unit_sums(store, kind, measure, level)
    if level == "client":
        return _unit_sums(store, _client_sums(store, kind, start, end, measure), level)
    clients = range_sums(store, kind, start, end, measure, "client")
    return _unit_sums(store, clients.rename_columns(["period_start", "client_key", "value"]), level)


def _client_sums(store, kind: str, start: dt.date, end: dt.date, measure: str) -> pa.Table:
    from kam_core.store import sql

    with store.reader() as cur:
        return cur.sql(sql("tiers_client_sums"),
                       params={"kind": kind, "start": start, "end": end, "measure": measure}).to_arrow_table()


def _unit_sums(store, sums: pa.Table, level: str) -> pa.Table:
    from kam_core.store import sql

    if level == "client":  # the units are the clients
        return pa.table({"period_start": sums["period_start"], "unit_key": sums["client_key"], "value": sums["value"]})
    with store.reader() as cur:
        cur.register("client_sums", sums)
        return cur.sql(sql("tiers_unit_sums"), params={"level": level}).to_arrow_table()


def _period_count(kind: str, start: dt.date, end: dt.date) -> int:
    from kam_core.periods import span

    return len(span(kind, start, end))


def _whole_periods(kind: str, start: dt.date, end: dt.date) -> bool:
    from kam_core.periods import period_of

    return period_of(start, kind).start == start and period_of(end, kind).end == end


def names_relation(cur, level: str = "client"):
    """One display name per unit (client name, or group label) as a lazy relation on cur:
    unit_key, unit_name."""
    from kam_core.store import sql

    _check("revenue", level)
    return cur.sql(sql("tiers_unit_names"), params={"level": level})


@by_version()
def unit_names(store, level: str = "client") -> dict[str, str]:
    """unit_key -> display name (client name, or group label)."""
    _check("revenue", level)
    frame = store.query("unit_names", level=level)
    return dict(zip(frame["unit_key"], frame["unit_name"]))
