"""Targets and attainment, time progress, potential and headroom, the owner scorecard.

Definitions (DESIGN.md): attainment = actual / target, actual = revenue of the
client (or of the owner's clients) in the target's period up to the as-of date;
time progress (时间进度) = elapsed days, both ends counted / days in the period;
gap to pace = actual - target x time progress. Potential (潜力) = the archive's
entered annual potential, else stores x the 75th percentile (linear
interpolation) of trailing-12-month revenue per store among active clients of
the same chain scope with a store count; headroom = max(0, potential - t12m).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kam_core import periods, portfolio, tiers
from kam_core.cache import by_version
from kam_core.ingest.clean import client_key
from kam_core.i18n import t

PLAN_LEVELS = ("client", "owner")
QUADRANTS = ("grow", "keep", "nurture", "maintain")
SOURCES = ("entered", "estimated")

ATTAINMENT_COLUMNS = ["level", "name_key", "name", "owner", "target", "actual", "attainment", "expected",
                      "gap_to_pace", "behind", "clients", "known"]
POTENTIAL_COLUMNS = ["client_key", "client_name", "owner", "region", "city", "chain_scope", "store_count",
                     "group_key", "group_label", "in_archive", "has_orders", "last_order", "t12m", "entered",
                     "per_store_p75", "peers", "estimated", "potential", "source", "headroom"]
SCORECARD_COLUMNS = ["owner_key", "owner", "clients", "revenue", "revenue_prev", "change", "target", "attainment",
                     "gap_to_pace", "behind", "ka_clients", "ka_won", "ka_lost", "watchlist", "overdue", "ab_share"]


# ------------------------------------------------------------------ time progress

def elapsed_days(period: periods.Period, as_of: dt.date) -> int:
    """Days of the period up to as_of, both ends counted: 0 before it starts, all of it after it ends."""
    return min(max((as_of - period.start).days + 1, 0), period.days)


def time_progress(period: periods.Period, as_of: dt.date) -> float:
    """时间进度: elapsed days / days in the period."""
    return elapsed_days(period, as_of) / period.days


def upto(period: periods.Period, as_of: dt.date) -> dt.date:
    """The last day whose revenue counts: the as-of date, at most the period's end."""
    return min(as_of, period.end)


def resolve(period: str | periods.Period | None, as_of: dt.date) -> periods.Period:
    """A period label (2024, 2024Q3, 2024-07) or Period; None means the as-of date's year."""
    if period is None:
        return periods.period_of(as_of, "year")
    if isinstance(period, periods.Period):
        return period
    return periods.parse_label(period)


# ------------------------------------------------------------------ owners

@by_version()
def owner_keys(store) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Every owner spelling (clients held, owner targets) and its identity key (NFKC, casefold, no spaces)."""
    names = tuple(sorted(store.query("plan_owners")["owner"].dropna().astype(str)))
    return names, tuple(client_key(n) for n in names)


def _owner_params(store) -> dict:
    names, keys = owner_keys(store)
    return {"owner_names": list(names), "owner_keys": list(keys)}


# ------------------------------------------------------------------ targets

@by_version()
def target_periods(store) -> pd.DataFrame:
    """Periods named by targets: period, client_targets, owner_targets; latest first."""
    frame = store.query("plan_periods")
    if frame.empty:
        return frame
    frame["_start"] = [periods.parse_label(p).start if _is_label(p) else dt.date.min for p in frame["period"]]
    frame["_kind"] = [len(p) for p in frame["period"]]   # a year before its quarters before its months
    frame = frame.sort_values(["_start", "_kind"], ascending=[False, True], kind="stable")
    return frame.drop(columns=["_start", "_kind"]).reset_index(drop=True)


def _is_label(text: str) -> bool:
    try:
        periods.parse_label(text)
        return True
    except ValueError:
        return False


def default_period(store, as_of: dt.date, preferred: str | None = None) -> str:
    """The period a page opens on: the preferred label if targets name it, else the as-of year's
    if named, else the latest named period containing as_of, else the as-of year."""
    named = list(target_periods(store)["period"])
    if preferred in named:
        return preferred
    year = periods.period_of(as_of, "year").label
    if year in named:
        return year
    for label in named:
        if _is_label(label) and periods.parse_label(label).contains(as_of):
            return label
    return year


def period_options(store, as_of: dt.date, preferred: str | None = None) -> list[str]:
    """Periods to choose from: those the targets name, the as-of year and the preferred one; latest first."""
    labels = {label for label in target_periods(store)["period"] if _is_label(label)}
    labels.add(periods.period_of(as_of, "year").label)
    if preferred and _is_label(preferred):
        labels.add(preferred)
    return sorted(labels, key=lambda label: (periods.parse_label(label).start, -len(label)), reverse=True)


def period_caption(store, label: str, lang: str) -> str:
    """'2024Q3 · 40 targets' ('no targets' when none name it)."""
    named = target_periods(store)
    row = named[named["period"] == label]
    n = int(row["client_targets"].sum() + row["owner_targets"].sum())
    if not n:
        return t("plan.period_none", lang, period=label)
    return t("plan.period_caption_one" if n == 1 else "plan.period_caption", lang, period=label, n=n)


@by_version()
def attainment(store, period: str | periods.Period, as_of: dt.date) -> pd.DataFrame:
    """Every target of the period against the revenue up to as_of.

    Columns: level (client | owner), name_key, name, owner (a client's owner; the owner itself),
    target, actual, attainment (None for a zero target), expected (target x time progress),
    gap_to_pace (actual - expected), behind (gap < 0, decided exactly), clients (clients the
    owner holds; 1 / 0 for a client target), known (the client or owner is in the data).
    Clients first, then owners, each by key.
    """
    span = resolve(period, as_of)
    elapsed = elapsed_days(span, as_of)
    frame = store.query("plan_attainment", period=span.label, start=span.start, upto=upto(span, as_of),
                        days=span.days, elapsed=elapsed, **_owner_params(store))
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in ATTAINMENT_COLUMNS})
    frame["target"] = frame["target"].astype(float)
    frame["actual"] = frame["actual"].astype(float)
    frame["attainment"] = ratio(frame["actual"], frame["target"])
    frame["expected"] = frame["target"] * elapsed / span.days   # multiplied first: a tie stays a tie
    frame["gap_to_pace"] = frame["actual"] - frame["expected"]
    frame["behind"] = frame["behind"].astype(bool)
    frame["clients"] = frame["clients"].astype(int)
    frame["known"] = frame["clients"] > 0
    return frame[ATTAINMENT_COLUMNS]


def _dtype(column: str):
    return {"target": float, "actual": float, "attainment": float, "expected": float, "gap_to_pace": float,
            "behind": bool, "clients": int, "known": bool}.get(column, object)


def ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator, None (NaN) where the denominator is zero."""
    den = denominator.astype(float)
    return (numerator.astype(float) / den.where(den != 0)).astype(float)


def totals(frame: pd.DataFrame, period: periods.Period, as_of: dt.date) -> dict:
    """Sums over the rows of one level: target, actual, attainment, expected, gap_to_pace, behind (count)."""
    target = float(frame["target"].sum())
    actual = float(frame["actual"].sum())
    expected = target * elapsed_days(period, as_of) / period.days
    return {"targets": int(len(frame)), "target": target, "actual": actual,
            "attainment": actual / target if target else None, "expected": expected,
            "gap_to_pace": actual - expected, "behind": int(frame["behind"].sum())}


def team_level(frame: pd.DataFrame) -> str:
    """The level whose sum is the team's number: owner targets when there are any, else client targets."""
    return "owner" if (frame["level"] == "owner").any() else "client"


def behind_pace(frame: pd.DataFrame, level: str) -> pd.DataFrame:
    """The targets of a level behind pace, the largest gap first."""
    rows = frame[(frame["level"] == level) & frame["behind"]]
    return rows.sort_values(["gap_to_pace", "name_key"], kind="stable").reset_index(drop=True)


@by_version()
def pace_curve(store, period: str | periods.Period, as_of: dt.date, level: str = "owner",
               name_key: str | None = None) -> pd.DataFrame:
    """Cumulative actual against the target pace through the period.

    Points at each month's end (each day's for a month period) and at the as-of date.
    Columns: day, cum_actual (None after as_of), cum_target (target x elapsed / days).
    The target is the sum over the level's targets of the period (one target with name_key).
    """
    if level not in PLAN_LEVELS:
        raise ValueError(f"unknown level {level!r}")
    span = resolve(period, as_of)
    goals = attainment(store, span, as_of)
    goals = goals[(goals["level"] == level) & ((goals["name_key"] == name_key) if name_key else True)]
    target = float(goals["target"].sum())
    daily = store.query("plan_daily", period=span.label, level=level, name_key=name_key, start=span.start,
                        upto=upto(span, as_of), **_owner_params(store))
    return curve_points(span, as_of, target, daily)


def curve_points(span: periods.Period, as_of: dt.date, target: float, daily: pd.DataFrame) -> pd.DataFrame:
    """Cumulative actual and pace at the bucket ends of a period (months; days for a month)."""
    kind = "day" if span.kind == "month" else "month"
    if kind == "day":
        ends = [span.start + dt.timedelta(days=i) for i in range(span.days)]
    else:
        ends = [p.end for p in periods.span("month", span.start, span.end)]
    last = upto(span, as_of)
    if span.start <= last and last not in ends:
        ends = sorted(set(ends) | {last})
    days = pd.to_datetime(daily["day"]).dt.date.to_numpy() if not daily.empty else np.array([], dtype=object)
    revenue = daily["revenue"].astype(float).to_numpy() if not daily.empty else np.array([])
    cumulative = np.cumsum(revenue)
    rows = []
    for end in ends:
        reached = int(np.searchsorted(days, end, side="right")) if len(days) else 0
        actual = float(cumulative[reached - 1]) if reached else 0.0
        rows.append({"day": end, "cum_actual": actual if end <= last and as_of >= span.start else None,
                     "cum_target": target * elapsed_days(span, end) / span.days})
    return pd.DataFrame(rows, columns=["day", "cum_actual", "cum_target"])


# ------------------------------------------------------------------ potential

@by_version()
def potential(store, as_of: dt.date) -> pd.DataFrame:
    """Every client in the archive or with orders: potential, its source, t12m revenue and headroom.

    Columns: client_key, client_name, owner, region, city, chain_scope, store_count, group_key,
    group_label, in_archive, has_orders, last_order, t12m, entered, per_store_p75, peers (active
    clients of the scope with a store count), estimated, potential, source (entered | estimated |
    None), headroom. Prospects (archive clients without orders) have t12m 0.
    """
    start, end = periods.trailing_year(as_of)
    frame = store.query("plan_potential", t12m_start=start, as_of=end)
    frame["source"] = frame["source"].astype(object).where(frame["source"].notna(), None)
    frame["store_count"] = frame["store_count"].astype("Int64")
    frame["peers"] = frame["peers"].astype(int)
    return frame[POTENTIAL_COLUMNS]


def estimated_potential(store, as_of: dt.date, key: str) -> float | None:
    """A client's potential as estimated from its chain scope's peers (None when it cannot be)."""
    frame = potential(store, as_of)
    row = frame[frame["client_key"] == key]
    if row.empty or pd.isna(row["estimated"].iloc[0]):
        return None
    return float(row["estimated"].iloc[0])


@dataclass(frozen=True)
class Matrix:
    """Units placed by value (t12m revenue) and headroom, split at the medians of both."""

    units: pd.DataFrame       # unit_key, unit_name, owner, region, tier, t12m, potential, headroom, source, quadrant
    value_cut: float
    headroom_cut: float
    without_potential: int    # units left out: no potential entered and none could be estimated


def quadrant(value: float, headroom: float, value_cut: float, headroom_cut: float) -> str:
    """grow: high value, high headroom; keep: high value, low; nurture: low value, high; maintain: both low.

    High means strictly above the cut, so a unit at the median (and headroom 0 when the median
    headroom is 0) counts as low.
    """
    high_value, high_room = value > value_cut, headroom > headroom_cut
    if high_value:
        return "grow" if high_room else "keep"
    return "nurture" if high_room else "maintain"


@by_version()
def value_headroom_matrix(store, as_of: dt.date, level: str = "client") -> Matrix:
    """The value x headroom matrix of the clients (or groups) with a potential.

    At group level a group's value is its members' t12m revenue, its potential and headroom
    the sums over its members with a potential. The cuts are the medians over every unit with
    a potential, before any filter, so filtering never moves a unit between quadrants.
    """
    if level not in ("client", "group"):
        raise ValueError(f"unknown level {level!r}")
    frame = potential(store, as_of)
    data_end = portfolio.bounds(store).data_end
    tier_of = _tier_map(store, as_of, data_end, level)
    if level == "client":
        units = frame.rename(columns={"client_key": "unit_key", "client_name": "unit_name"})
        units = units[["unit_key", "unit_name", "owner", "region", "chain_scope", "t12m", "potential", "headroom",
                       "source"]].copy()
    else:
        units = _group_units(frame)
    known = units["potential"].notna()
    without = int((~known).sum())
    units = units[known].copy()
    units["tier"] = units["unit_key"].map(tier_of).astype(object)
    units["tier"] = units["tier"].where(units["tier"].notna(), None)
    value_cut = float(units["t12m"].median()) if len(units) else 0.0
    headroom_cut = float(units["headroom"].median()) if len(units) else 0.0
    units["quadrant"] = [quadrant(v, h, value_cut, headroom_cut) for v, h in zip(units["t12m"], units["headroom"])]
    units = units.sort_values(["headroom", "unit_key"], ascending=[False, True], kind="stable").reset_index(drop=True)
    return Matrix(units, value_cut, headroom_cut, without)


def _group_units(frame: pd.DataFrame) -> pd.DataFrame:
    with_potential = frame[frame["potential"].notna()]
    sums = with_potential.groupby("group_key").agg(potential=("potential", "sum"), headroom=("headroom", "sum"))
    sources = with_potential.groupby("group_key")["source"].agg(lambda s: s.iloc[0] if s.nunique() == 1 else "mixed")
    groups = frame.groupby("group_key").agg(unit_name=("group_label", "first"), t12m=("t12m", "sum"),
                                            owner=("owner", _most_common), region=("region", _most_common),
                                            chain_scope=("chain_scope", _most_common))
    groups = groups.join(sums).join(sources.rename("source"))
    groups = groups.reset_index().rename(columns={"group_key": "unit_key"})
    return groups[["unit_key", "unit_name", "owner", "region", "chain_scope", "t12m", "potential", "headroom",
                   "source"]]


def _most_common(values: pd.Series):
    counts = values.dropna().value_counts()
    return counts.index[0] if len(counts) else None


def _tier_map(store, as_of: dt.date, data_end: dt.date | None, level: str) -> dict[str, str]:
    if data_end is None:
        return {}
    current = tiers.current_tiers(store, as_of, level, data_end)
    return dict(zip(current["unit_key"], current["tier"]))


def filter_units(units: pd.DataFrame, regions=(), owners=(), tier_names=()) -> pd.DataFrame:
    """Units of the chosen regions, owners and tiers (an empty choice keeps all; 'none' = no tier)."""
    return units[choice_mask(units, regions, owners, tier_names)]


def choice_mask(frame: pd.DataFrame, regions=(), owners=(), tier_names=()) -> pd.Series:
    """Rows of the chosen regions, owners and tiers (an empty choice keeps all; 'none' = no tier)."""
    keep = pd.Series(True, index=frame.index)
    if regions:
        keep &= frame["region"].isin(list(regions))
    if owners:
        keep &= frame["owner"].isin(list(owners))
    if tier_names:
        wanted = set(tier_names)
        keep &= frame["tier"].map(lambda t: (t if t is not None else "none") in wanted)
    return keep


def quadrant_summary(units: pd.DataFrame) -> pd.DataFrame:
    """Per quadrant: units, t12m, potential and headroom summed (every quadrant, in order)."""
    grouped = units.groupby("quadrant").agg(units=("unit_key", "size"), t12m=("t12m", "sum"),
                                            potential=("potential", "sum"), headroom=("headroom", "sum"))
    return grouped.reindex(list(QUADRANTS), fill_value=0).reset_index().rename(columns={"index": "quadrant"})


# ------------------------------------------------------------------ owner scorecard

def owner_scorecard(store, as_of: dt.date, period: str | periods.Period | None = None) -> pd.DataFrame:
    """客户经理考核: one row per owner (and one for clients without an owner, owner None).

    Columns: owner_key, owner, clients (held), revenue (the period up to as_of), revenue_prev
    (the same days a year earlier), change (revenue / revenue_prev - 1), target, attainment,
    gap_to_pace, behind (the owner's target of the period), ka_clients (关键 + 重点 held, current
    tiers at as_of), ka_won and ka_lost (KA now and not in the quarter before, and the reverse),
    watchlist (clients on the churn watchlist at as_of), overdue (clients overdue for contact),
    ab_share (the share of the owner's A / B clients contacted within cadence; NaN without any).
    watchlist / overdue / ab_share are None where those analyses are not available.
    """
    span = resolve(period, as_of)
    return _scorecard(store, span, as_of)


@by_version()
def _scorecard(store, span: periods.Period, as_of: dt.date) -> pd.DataFrame:
    last = upto(span, as_of)
    prev_start, prev_upto = _year_before(span.start), _year_before(last)
    frame = store.query("plan_owner_revenue", start=span.start, upto=last, prev_start=prev_start,
                        prev_upto=prev_upto, **_owner_params(store))
    goals = attainment(store, span, as_of)
    goals = goals[goals["level"] == "owner"].set_index("name_key")
    keys = frame["owner_key"].dropna().tolist()
    extra = [k for k in goals.index if k not in keys]   # owners with a target but no clients
    if extra:
        frame = pd.concat([frame, pd.DataFrame({"owner_key": extra, "owner": goals.loc[extra, "name"].tolist(),
                                                "clients": 0, "revenue": 0.0, "revenue_prev": 0.0})],
                          ignore_index=True)
    frame["change"] = ratio(frame["revenue"], frame["revenue_prev"]) - 1
    frame["target"] = frame["owner_key"].map(goals["target"]).astype(float)
    frame["attainment"] = frame["owner_key"].map(goals["attainment"]).astype(float)
    frame["gap_to_pace"] = frame["owner_key"].map(goals["gap_to_pace"]).astype(float)
    frame["behind"] = frame["owner_key"].map(goals["behind"]).astype(object)
    owner_of = client_owner_keys(store)
    ka_now, ka_before = _ka_sets(store, as_of)
    frame["ka_clients"] = _count_by_owner(frame, owner_of, ka_now)
    frame["ka_won"] = _count_by_owner(frame, owner_of, ka_now - ka_before)
    frame["ka_lost"] = _count_by_owner(frame, owner_of, ka_before - ka_now)
    watch = _watchlist_keys(store, as_of)
    frame["watchlist"] = _count_by_owner(frame, owner_of, watch) if watch is not None else None
    contact = _coverage_table(store, as_of)
    if contact is None:
        frame["overdue"] = None
        frame["ab_share"] = None
    else:
        frame["overdue"] = _count_by_owner(frame, owner_of, set(contact.loc[contact["overdue"], "client_key"]))
        ab = contact[contact["service_level"].isin(("A", "B"))]
        ab_n = _count_by_owner(frame, owner_of, set(ab["client_key"]))
        ab_ok = _count_by_owner(frame, owner_of, set(ab.loc[~ab["overdue"], "client_key"]))
        frame["ab_share"] = [ok / n if n else float("nan") for ok, n in zip(ab_ok, ab_n)]
    frame["clients"] = frame["clients"].astype(int)
    frame = frame.sort_values(["revenue", "owner_key"], ascending=[False, True], na_position="last", kind="stable")
    frame["_unassigned"] = frame["owner_key"].isna()
    frame = frame.sort_values("_unassigned", kind="stable").drop(columns="_unassigned")
    return frame[SCORECARD_COLUMNS].reset_index(drop=True)


def _year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:   # 29 February
        return day.replace(year=day.year - 1, day=28)


@by_version()
def client_owner_keys(store) -> dict[str, str | None]:
    """client_key -> the identity key of its owner (None without an owner)."""
    names, keys = owner_keys(store)
    key_of = dict(zip(names, keys))
    with store.reader() as cur:
        rows = cur.execute("SELECT client_key, owner FROM client_dim").fetchall()
    return {client: key_of.get(owner) if owner is not None else None for client, owner in rows}


def _count_by_owner(frame: pd.DataFrame, owner_of: dict, clients: set[str]) -> list[int]:
    counts: dict = {}
    for key in clients:
        owner = owner_of.get(key)
        counts[owner] = counts.get(owner, 0) + 1
    return [counts.get(None if pd.isna(k) else k, 0) for k in frame["owner_key"]]


def _ka_sets(store, as_of: dt.date) -> tuple[set[str], set[str]]:
    """KA clients (关键 + 重点) in the current tier quarter at as_of and in the quarter before it."""
    bounds = portfolio.bounds(store)
    if bounds.data_end is None or bounds.first_day is None:
        return set(), set()
    quarter = tiers.current_period(as_of, bounds.data_end)
    if quarter.end < bounds.first_day:
        return set(), set()
    before = quarter.previous()
    rule, measure = tiers.saved_rule(store)
    both = tiers.period_tiers(store, "quarter", before.start, quarter.end, measure, "client", rule, bounds.data_end)
    now = tiers.ka_keys(both[both["period"] == quarter.label])
    then = tiers.ka_keys(both[both["period"] == before.label])
    return now, then


def _watchlist_keys(store, as_of: dt.date) -> set[str] | None:
    """Clients on the churn watchlist at as_of (at the data end when as_of is past it); None when the
    churn analysis is not installed."""
    try:
        from kam_core import coverage
    except ImportError:
        return None
    return coverage.watchlist_keys(store, as_of)   # the KA watchlist, the team's saved settings


def _coverage_table(store, as_of: dt.date) -> pd.DataFrame | None:
    """The coverage table at as_of (every client with a service level); None without the coverage analysis."""
    try:
        from kam_core import coverage
    except ImportError:
        return None
    return coverage.coverage_table(store, as_of)


# ------------------------------------------------------------------ display

def money_unit(lang: str) -> tuple[float, str]:
    """The unit money columns of tables use: 万元 in Chinese, thousands of yuan in English."""
    return (10_000.0, "万元") if lang == "zh" else (1_000.0, "¥K")


def matrix_export(units: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The matrix's units as a sheet: name, quadrant, money in yuan, source, tier, owner, region."""
    return pd.DataFrame({
        t("w.client", lang): units["unit_name"],
        t("plan.col.quadrant", lang): [t(f"plan.q.{q}", lang) for q in units["quadrant"]],
        t("plan.col.t12m", lang): units["t12m"],
        t("plan.col.potential", lang): units["potential"],
        t("plan.col.headroom", lang): units["headroom"],
        t("plan.col.source", lang): [t(f"plan.src.{s}", lang) if s else None for s in units["source"]],
        t("w.tier", lang): [t(f"tier.{x}", lang) if x else None for x in units["tier"]],
        t("w.owner", lang): units["owner"],
        t("w.region", lang): units["region"],
        t("w.chain_scope", lang): units["chain_scope"],
    })


def targets_export(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Targets with their attainment as a sheet (money in yuan, ratios as fractions)."""
    return pd.DataFrame({
        t("plan.col.level", lang): [t(f"plan.level.{v}", lang) for v in frame["level"]],
        t("plan.col.name", lang): frame["name"],
        t("w.owner", lang): frame["owner"],
        t("plan.col.target", lang): frame["target"],
        t("plan.col.actual", lang): frame["actual"],
        t("plan.col.attainment", lang): frame["attainment"],
        t("plan.col.expected", lang): frame["expected"],
        t("plan.col.gap", lang): frame["gap_to_pace"],
        t("plan.col.behind", lang): [t("w.yes", lang) if b else "" for b in frame["behind"]],
    })


def scorecard_export(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The owner scorecard as a sheet."""
    out = pd.DataFrame({t("w.owner", lang): frame["owner"].fillna(t("plan.unassigned", lang))})
    for column in SCORECARD_COLUMNS[2:]:
        out[t(f"plan.sc.{column}", lang)] = frame[column]
    return out
