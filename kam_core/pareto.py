"""Pareto concentration (二八分析): who carries the revenue or profit of a window.

Definitions in DESIGN.md. Active units (value > 0) are ranked by value, ties by
key; total = the value of the active units; k(θ) = the smallest number of top
units whose cumulative value reaches θ x total, decided in exact DECIMAL in SQL
(ranks.period_ranks: in_top is cum_before < θ x total, so k = the rows in_top).
Units with value <= 0 are listed apart. An empty window answers active 0, k 0,
total 0; it is not an error.

Beside the portfolio answer: per segment (region, city, chain scope, owner),
the region -> city -> client map, the concentration stress test, and which
team the chain scope of a client calls for against the reach of its owner.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kam_core.cache import by_version
from kam_core.ranks import LEVELS, MEASURES, period_ranks, range_sums

DIMENSIONS = ("region", "city", "chain_scope", "owner")
STRESS_SIZES = (1, 3, 5, 10)
TEAMS = ("city", "regional", "hq")              # narrowest reach first
SCOPE_TEAM = {"全国连锁": "hq", "区域连锁": "regional", "单城": "city"}

RANKED_COLUMNS = ["rank", "unit_key", "unit_name", "value", "share", "cum_share", "in_top"]
NONPOSITIVE_COLUMNS = ["unit_key", "unit_name", "value"]


def as_theta(theta) -> Decimal:
    """The threshold as an exact decimal in (0, 1]; ValueError otherwise."""
    value = Decimal(str(theta))
    if not (Decimal(0) < value <= Decimal(1)):
        raise ValueError(f"threshold must lie in (0, 1], got {theta}")
    return value


def _check_window(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise ValueError("window ends before it starts")


def _check(measure: str, level: str) -> None:
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}")
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}")


# ------------------------------------------------------------------ pure figures

def gini(values) -> float | None:
    """Σ(2i - n - 1)·x_i / (n·Σx) over positive values sorted ascending (i from 1); None when empty."""
    x = np.sort(np.asarray(values, dtype=float))
    n = len(x)
    if n == 0 or x.sum() <= 0:
        return None
    i = np.arange(1, n + 1)
    return float(((2 * i - n - 1) * x).sum() / (n * x.sum()))


def hhi(values) -> float | None:
    """Σ share² on the 0-10,000 scale (shares in percent); None when empty."""
    x = np.asarray(values, dtype=float)
    if len(x) == 0 or x.sum() <= 0:
        return None
    return float(((100 * x / x.sum()) ** 2).sum())


# ------------------------------------------------------------------ the portfolio answer

@dataclass(frozen=True)
class Concentration:
    """The Pareto answer for one window, measure, level and threshold.

    ranked: every active unit by rank (RANKED_COLUMNS); nonpositive: units with value <= 0.
    """

    start: dt.date
    end: dt.date
    measure: str
    level: str
    theta: Decimal
    total: float
    k: int
    ranked: pd.DataFrame
    nonpositive: pd.DataFrame

    @property
    def active(self) -> int:
        return len(self.ranked)

    @property
    def empty(self) -> bool:
        return self.active == 0

    @property
    def share(self) -> float | None:
        """k as a share of the active units."""
        return self.k / self.active if self.active else None

    @property
    def reached(self) -> float | None:
        """The cumulative share the top k actually bring (>= θ)."""
        return float(self.ranked["cum_share"].iloc[self.k - 1]) if self.k else None

    @cached_property
    def gini(self) -> float | None:
        return gini(self.ranked["value"])

    @cached_property
    def hhi(self) -> float | None:
        return hhi(self.ranked["value"])


@by_version()
def concentration(store, start: dt.date, end: dt.date, measure: str = "revenue", level: str = "client",
                  theta: Decimal | str | float = Decimal("0.8")) -> Concentration:
    """The Pareto answer for [start, end]. Cached per data version and arguments; do not modify it."""
    _check(measure, level)
    _check_window(start, end)
    theta = as_theta(theta)
    ranks = period_ranks(store, "window", start, end, measure, level, theta=theta)
    ranked = pd.DataFrame({"rank": ranks["rank"].to_numpy(dtype=int), "unit_key": ranks["unit_key"].to_numpy(),
                           "value": ranks["value"].to_numpy(dtype=float),
                           "in_top": ranks["in_top"].to_numpy(dtype=bool)})
    total = float(ranks["total"].iloc[0]) if len(ranks) else 0.0
    ranked["unit_name"] = display_names(store, ranked["unit_key"], level)
    ranked["share"] = ranked["value"] / total if total else 0.0
    ranked["cum_share"] = ranked["value"].cumsum() / total if total else 0.0
    return Concentration(start, end, measure, level, theta, total, int(ranked["in_top"].sum()),
                         ranked[RANKED_COLUMNS], nonpositive(store, start, end, measure, level))


@by_version()
def nonpositive(store, start: dt.date, end: dt.date, measure: str = "revenue", level: str = "client") -> pd.DataFrame:
    """Units whose value in the window is zero or negative, most negative first (NONPOSITIVE_COLUMNS)."""
    _check(measure, level)
    _check_window(start, end)
    sums = range_sums(store, "window", start, end, measure, level)
    below = sums.filter(pc.less_equal(sums["value"], 0)).sort_by([("value", "ascending"), ("unit_key", "ascending")])
    out = pd.DataFrame({"unit_key": pd.Series(below["unit_key"].to_pylist(), dtype=object),
                        "value": pc.cast(below["value"], pa.float64()).to_numpy(zero_copy_only=False)})
    out["unit_name"] = display_names(store, out["unit_key"], level)
    return out[NONPOSITIVE_COLUMNS]


@by_version()
def names_index(store, level: str = "client") -> pd.Series:
    """Display names (client name, or group label) indexed by unit key, for vectorised look-ups."""
    frame = store.query("unit_names", level=level).drop_duplicates("unit_key", keep="last")
    return pd.Series(frame["unit_name"].to_numpy(dtype=object), index=frame["unit_key"].to_numpy(dtype=object))


def display_names(store, keys: pd.Series, level: str = "client") -> pd.Series:
    """The display name of each unit key; the key itself where none is known."""
    found = names_index(store, level).reindex(keys.to_numpy(dtype=object)).to_numpy(dtype=object)
    missing = pd.isna(found)
    found[missing] = keys.to_numpy(dtype=object)[missing]
    return pd.Series(found, index=keys.index, dtype=object)


def curve(ranked: pd.DataFrame) -> pd.DataFrame:
    """The concentration curve: x = cumulative share of units, y = cumulative share of value, from (0, 0)."""
    n = len(ranked)
    if n == 0:
        return pd.DataFrame({"x": [0.0], "y": [0.0]})
    x = np.arange(n + 1) / n
    y = np.concatenate([[0.0], ranked["cum_share"].to_numpy(dtype=float)])
    return pd.DataFrame({"x": x, "y": y})


def stress_test(result: Concentration, sizes: tuple[int, ...] = STRESS_SIZES) -> pd.DataFrame:
    """If the top n units left: columns n, leaving (units that would leave), value, drop (share of total)."""
    values = result.ranked["value"].to_numpy(dtype=float)
    rows = []
    for n in sizes:
        leaving = min(n, len(values))
        lost = float(values[:leaving].sum())
        rows.append({"n": n, "leaving": leaving, "value": lost, "drop": lost / result.total if result.total else 0.0})
    return pd.DataFrame(rows, columns=["n", "leaving", "value", "drop"])


def movement(current: Concentration, previous: Concentration) -> dict:
    """How concentration moved from the previous window to this one."""
    def change(now, before):
        return None if now is None or before is None else now - before

    return {"k": current.k, "k_prev": previous.k, "k_change": current.k - previous.k,
            "active": current.active, "active_prev": previous.active,
            "share": current.share, "share_prev": previous.share, "share_change": change(current.share, previous.share),
            "gini": current.gini, "gini_prev": previous.gini, "gini_change": change(current.gini, previous.gini),
            "hhi": current.hhi, "hhi_prev": previous.hhi, "hhi_change": change(current.hhi, previous.hhi)}


def top_set_changes(current: Concentration, previous: Concentration) -> pd.DataFrame:
    """Units that joined or left the top set between the previous window and this one:
    change (joined | left), unit_key, unit_name, value, prev_value (0 where not active), largest first."""
    now = current.ranked.set_index("unit_key")
    before = previous.ranked.set_index("unit_key")
    top_now = set(now.index[now["in_top"]])
    top_before = set(before.index[before["in_top"]])
    rows = [{"change": "joined", "unit_key": k} for k in top_now - top_before] + \
           [{"change": "left", "unit_key": k} for k in top_before - top_now]
    frame = pd.DataFrame(rows, columns=["change", "unit_key"])
    frame["unit_name"] = [now["unit_name"].get(k, before["unit_name"].get(k, k)) for k in frame["unit_key"]]
    frame["value"] = [float(now["value"].get(k, 0.0)) for k in frame["unit_key"]]
    frame["prev_value"] = [float(before["value"].get(k, 0.0)) for k in frame["unit_key"]]
    frame["size"] = frame[["value", "prev_value"]].max(axis=1)
    frame = frame.sort_values(["change", "size", "unit_key"], ascending=[True, False, True], kind="stable")
    return frame[["change", "unit_key", "unit_name", "value", "prev_value"]].reset_index(drop=True)


# ------------------------------------------------------------------ per segment

@dataclass(frozen=True)
class Segments:
    """units: segment, rank, unit_key, unit_name, value, cum_share, in_top (per segment ranking).
    summary: segment, active, total, portfolio_share, k, share, gini, hhi, top_unit (largest segment first)."""

    dimension: str
    units: pd.DataFrame
    summary: pd.DataFrame


@by_version()
def segments(store, start: dt.date, end: dt.date, dimension: str, measure: str = "revenue", level: str = "client",
             theta: Decimal | str | float = Decimal("0.8")) -> Segments:
    """The Pareto answer within each region, city, chain scope or owner (missing values are segment '')."""
    _check(measure, level)
    _check_window(start, end)
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    theta = as_theta(theta)
    frame = store.query("pareto_segments", start=start, end=end, dimension=dimension, measure=measure,
                        level=level, theta=str(theta))
    units = pd.DataFrame({"segment": frame["segment"].astype(object), "rank": frame["rank"].astype(int),
                          "unit_key": frame["unit_key"].astype(object), "value": frame["value"].astype(float),
                          "total": frame["total"].astype(float), "in_top": frame["in_top"].astype(bool)})
    units["unit_name"] = display_names(store, units["unit_key"], level)
    units["cum_share"] = units.groupby("segment", sort=False)["value"].cumsum() / units["total"]
    return Segments(dimension, units[["segment", "rank", "unit_key", "unit_name", "value", "cum_share", "in_top"]],
                    segment_summary(units))


def segment_summary(units: pd.DataFrame) -> pd.DataFrame:
    """Per segment: active, total, portfolio_share, k, share (k / active), gini, hhi, top_unit.

    units: one row per active unit and segment with segment, rank (1 = largest), value, in_top, unit_name.
    """
    columns = ["segment", "active", "total", "portfolio_share", "k", "share", "gini", "hhi", "top_unit"]
    if units.empty:
        return pd.DataFrame(columns=columns)
    frame = units[["segment", "rank", "value", "in_top", "unit_name"]].copy()
    by = frame.groupby("segment", sort=False)
    n = by["value"].transform("size")
    total = by["value"].transform("sum")
    # Gini with descending rank r: ascending index i = n - r + 1, so 2i - n - 1 = n + 1 - 2r.
    frame["gini_term"] = (n + 1 - 2 * frame["rank"]) * frame["value"] / (n * total)
    frame["hhi_term"] = (100 * frame["value"] / total) ** 2
    summary = by.agg(active=("value", "size"), total=("value", "sum"), k=("in_top", "sum"),
                     gini=("gini_term", "sum"), hhi=("hhi_term", "sum")).reset_index()
    summary["top_unit"] = frame.loc[frame["rank"] == 1].set_index("segment")["unit_name"].reindex(
        summary["segment"]).to_numpy()
    summary["k"] = summary["k"].astype(int)
    summary["share"] = summary["k"] / summary["active"]
    summary["portfolio_share"] = summary["total"] / summary["total"].sum()
    summary = summary.sort_values(["total", "segment"], ascending=[False, True], kind="stable")
    return summary[columns].reset_index(drop=True)


# ------------------------------------------------------------------ region -> city -> unit

@by_version()
def places(store, start: dt.date, end: dt.date, measure: str = "revenue", level: str = "client") -> pd.DataFrame:
    """Active units by region and city: region, city, unit_key, unit_name, value, city_total, city_share,
    city_rank, total_share. city_share is the unit's weight in its city (the local anchor),
    total_share its weight in the whole window."""
    _check(measure, level)
    _check_window(start, end)
    frame = store.query("pareto_places", start=start, end=end, measure=measure, level=level)
    out = pd.DataFrame({"region": frame["region"].astype(object), "city": frame["city"].astype(object),
                        "unit_key": frame["unit_key"].astype(object), "value": frame["value"].astype(float)})
    out["unit_name"] = display_names(store, out["unit_key"], level)
    by_city = out.groupby(["region", "city"], sort=False)["value"]
    out["city_total"] = by_city.transform("sum")
    out["city_share"] = out["value"] / out["city_total"]
    out["city_rank"] = by_city.cumcount() + 1           # rows come sorted by value within each city
    total = out["value"].sum()
    out["total_share"] = out["value"] / total if total else 0.0
    return out[["region", "city", "unit_key", "unit_name", "value", "city_total", "city_share", "city_rank",
                "total_share"]]


def treemap_nodes(places_frame: pd.DataFrame, per_city: int = 10, max_leaves: int = 1500) -> pd.DataFrame:
    """Nodes of the region -> city -> unit treemap: id, parent, label, kind (region|city|unit|others),
    value, city_share, total_share, count (units a node stands for).

    Each city keeps its largest per_city units (fewer when more than max_leaves would be drawn); the
    rest of the city is one 'others' node, so the figure stays small while every city's total is exact.
    """
    columns = ["id", "parent", "label", "kind", "value", "city_share", "total_share", "count"]
    if places_frame.empty:
        return pd.DataFrame(columns=columns)
    cities = places_frame.groupby(["region", "city"], sort=False).ngroups
    keep = max(1, min(per_city, max_leaves // max(cities, 1) - 1))
    frame = places_frame.copy()
    frame["region_id"] = "r:" + frame["region"]
    frame["city_id"] = frame["region_id"] + "/c:" + frame["city"]
    total = frame["value"].sum()
    shown = frame[frame["city_rank"] <= keep]
    rest = frame[frame["city_rank"] > keep]
    units = pd.DataFrame({"id": shown["city_id"] + "/u:" + shown["unit_key"], "parent": shown["city_id"],
                          "label": shown["unit_name"], "kind": "unit", "value": shown["value"],
                          "city_share": shown["city_share"], "total_share": shown["total_share"], "count": 1})
    others = rest.groupby(["region_id", "city_id"], sort=False).agg(
        value=("value", "sum"), city_share=("city_share", "sum"), count=("value", "size")).reset_index()
    others = pd.DataFrame({"id": others["city_id"] + "/others", "parent": others["city_id"], "label": "",
                           "kind": "others", "value": others["value"], "city_share": others["city_share"],
                           "total_share": others["value"] / total, "count": others["count"]})
    city = frame.groupby(["region_id", "city_id", "region", "city"], sort=False).agg(
        value=("value", "sum"), count=("value", "size")).reset_index()
    city_nodes = pd.DataFrame({"id": city["city_id"], "parent": city["region_id"], "label": city["city"],
                               "kind": "city", "value": city["value"], "city_share": 1.0,
                               "total_share": city["value"] / total, "count": city["count"]})
    region = frame.groupby(["region_id", "region"], sort=False).agg(
        value=("value", "sum"), count=("value", "size")).reset_index()
    region_nodes = pd.DataFrame({"id": region["region_id"], "parent": "", "label": region["region"],
                                 "kind": "region", "value": region["value"], "city_share": np.nan,
                                 "total_share": region["value"] / total, "count": region["count"]})
    parts = [p for p in (region_nodes, city_nodes, units, others) if not p.empty]
    return pd.concat(parts, ignore_index=True)[columns]


def local_anchors(places_frame: pd.DataFrame, top_keys: set[str], min_city_share: float = 0.3) -> pd.DataFrame:
    """Units outside the portfolio's top set that carry at least min_city_share of their city:
    small nationally, the anchor locally. Columns of places(), largest city share first."""
    hit = (places_frame["city_share"] >= min_city_share) & ~places_frame["unit_key"].isin(top_keys) \
        & (places_frame["city"] != "")
    return places_frame[hit].sort_values(["city_share", "value"], ascending=False).reset_index(drop=True)


# ------------------------------------------------------------------ coverage: scope vs owner reach

def suggested_team(chain_scope) -> str | None:
    """The team a chain scope calls for: 全国连锁 -> hq (headquarters KA team), 区域连锁 -> regional
    (regional KA team), 单城 -> city (city team); None for a missing or unknown scope."""
    return SCOPE_TEAM.get(chain_scope) if isinstance(chain_scope, str) else None


def owner_reach(regions: int, cities: int) -> str | None:
    """What an owner covers, read from the clients they hold (DESIGN: the archive's owner, else the
    latest line's): clients in several regions -> hq; one region and several cities -> regional;
    one city -> city; one region with no city known -> regional; nothing known -> None.
    An owner holding a single client is read from that client alone."""
    if regions >= 2:
        return "hq"
    if cities >= 2:
        return "regional"
    if cities == 1:
        return "city"
    if regions == 1:
        return "regional"
    return None


def fit(suggested: str | None, reach: str | None) -> str:
    """fits (same level), under (the owner's reach is narrower than the scope needs), over (broader),
    unknown (scope or owner's reach unknown)."""
    if suggested not in TEAMS or reach not in TEAMS:
        return "unknown"
    gap = TEAMS.index(reach) - TEAMS.index(suggested)
    return "fits" if gap == 0 else ("under" if gap < 0 else "over")


def _mapped(keys: pd.Series, lookup: dict) -> pd.Series:
    """keys looked up in lookup, as an object column (missing: None)."""
    return pd.Series([lookup.get(k) for k in keys], index=keys.index, dtype=object)


@by_version()
def coverage_fit(store, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Active clients of the window, largest first, with the team their chain scope suggests and
    the reach of their current owner: client_key, client_name, group_label, owner, region, city,
    chain_scope, revenue, suggested, owner_clients, owner_regions, owner_cities, reach, fit."""
    _check_window(start, end)
    frame = store.query("pareto_coverage", start=start, end=end)
    out = frame.astype({"revenue": float})
    for column in ("client_key", "client_name", "group_label", "owner", "region", "city", "chain_scope"):
        out[column] = out[column].astype(object).where(out[column].notna(), None)
    # The rules run once per distinct scope, owner and pair, then map onto the clients.
    owners = out.loc[out["owner"].notna(), ["owner", "owner_regions", "owner_cities"]].drop_duplicates("owner")
    reach = {o: owner_reach(int(r), int(c)) for o, r, c in owners.itertuples(index=False)}
    out["suggested"] = _mapped(out["chain_scope"], {s: suggested_team(s) for s in out["chain_scope"].unique()})
    out["reach"] = _mapped(out["owner"], reach)
    pairs = list(zip(out["suggested"], out["reach"]))
    verdicts = {pair: fit(*pair) for pair in set(pairs)}
    out["fit"] = pd.Series([verdicts[pair] for pair in pairs], index=out.index, dtype=object)
    return out.reset_index(drop=True)
