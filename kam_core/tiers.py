"""Client tiers per period (关键 / 重点 / 一般 / 维持), strategic pins, and the current tier.

Definitions in DESIGN.md: with cum_before the cumulative share of the clients
ranked above, 关键 if cum_before < 0.50, 重点 if < 0.80, 一般 if < 0.95, else 维持
(cuts are settings). A pin fixes one client's tier in every period, even one
without revenue, and changes no other client's tier.
"""
from __future__ import annotations

import datetime as dt
import decimal
import json
import math
from decimal import Decimal

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kam_core import periods, portfolio
from kam_core.cache import by_version
from kam_core.i18n import t
from kam_core.ingest.clean import client_key
from kam_core.ranks import DEFAULT_CUTS, TIERS, TierRule, names_relation, ranks_relation
from kam_core.store import sql

TIER_ORDER = {tier: i for i, tier in enumerate(TIERS)}   # key 0 .. maintenance 3
KA_TIERS = ("key", "important")
SETTING_KEY = "tier_rule"

TIER_COLUMNS = ["period", "period_start", "complete", "unit_key", "unit_name", "value", "share", "cum_share", "rank",
                "tier", "computed_tier", "pinned", "reason"]


# ------------------------------------------------------------------ settings

def saved_rule(store) -> tuple[TierRule, str]:
    """The team's saved tier rule and measure (defaults: cuts 0.50 / 0.80 / 0.95 on revenue)."""
    saved = store.setting(SETTING_KEY, None) or {}
    rule = TierRule(mode=saved.get("mode", "share"), cuts=tuple(saved.get("cuts", [str(c) for c in DEFAULT_CUTS])),
                    thresholds=tuple(saved.get("thresholds", ["0", "0", "0"])))
    return rule, saved.get("measure", "revenue")


def save_rule(store, rule: TierRule, measure: str = "revenue") -> None:
    store.save_setting(SETTING_KEY, {"mode": rule.mode, "cuts": [str(c) for c in rule.cuts],
                                     "thresholds": [str(v) for v in rule.thresholds], "measure": measure})


# ------------------------------------------------------------------ pins (strategic overrides)

def pins(store) -> pd.DataFrame:
    """Pinned clients: client_key, client_name, tier, reason, created_by, created_at."""
    return store.query("tier_pins")


def resolve_client(store, name: str) -> str | None:
    """A client's key from its key, or a name matched like uploaded names (also against display names,
    for clients keyed by a client id); None when unknown or ambiguous."""
    wanted = client_key(name)
    known = store.query("tiers_client_names")
    if name in set(known["client_key"]):
        return name
    if wanted in set(known["client_key"]):
        return wanted
    hits = {k for k, n in zip(known["client_key"], known["client_name"]) if client_key(n) == wanted}
    return hits.pop() if len(hits) == 1 else None


@by_version()
def client_names(store) -> dict[str, str]:
    """Every known client: key -> display name, by name."""
    known = store.query("tiers_client_names")
    pairs = sorted(zip(known["client_key"], known["client_name"]), key=lambda kv: (kv[1], kv[0]))
    return dict(pairs)


def pin(store, client_name: str, tier: str, reason: str, who: str | None = None) -> str:
    """Pin a client (by name or key) to a tier with a reason; returns the client key. ValueError for bad input."""
    if tier not in TIERS:
        raise ValueError(f"unknown tier {tier!r}")
    if not reason or not reason.strip():
        raise ValueError("a pin needs a reason")
    key = resolve_client(store, client_name)
    if key is None:
        raise ValueError(f"unknown client {client_name!r}")
    with store.write() as cur:
        cur.execute(sql("tiers_pin"), {"k": key, "tier": tier, "reason": reason.strip(), "who": (who or "").strip() or None})
    return key


def unpin(store, key: str) -> None:
    with store.write() as cur:
        cur.execute(sql("tiers_unpin"), {"k": key})


def tier_label(tier: str | None, pinned: bool, lang: str = "zh") -> str:
    """'关键（锁定）' / 'Key (pinned)' for a pinned client, '关键' otherwise; '—' without a tier.
    (Words, not a symbol: every font a browser may fall back to has them.)"""
    if tier is None or (isinstance(tier, float) and math.isnan(tier)):
        return "—"
    text = t(f"tier.{tier}", lang)
    return t("tiers.pinned_tier", lang, tier=text) if pinned else text


# ------------------------------------------------------------------ tiers per period

def whole_periods(kind: str, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """[start, end] widened to the whole periods it touches (a tier belongs to a whole period)."""
    return periods.period_of(start, kind).start, periods.period_of(end, kind).end


@by_version()
def period_tiers(store, kind: str, start: dt.date, end: dt.date, measure: str = "revenue", level: str = "client",
                 rule: TierRule = TierRule(), data_end: dt.date | None = None) -> pd.DataFrame:
    """Each period's tiers: period, period_start, complete, unit_key, unit_name, value, share, cum_share,
    rank, tier, computed_tier, pinned, reason.

    Periods are the whole months / quarters / years overlapping [start, end]; partial periods are
    marked (complete False). At client level pinned clients appear in every period with their pinned
    tier (value 0 and no rank when they bought nothing); the tiers of everyone else are as computed.
    share and cum_share are floats for display; the tiers were decided in exact decimals.
    Sorted by period, then rank (pinned clients without revenue last). Do not modify the result.
    """
    first, last = whole_periods(kind, start, end)
    with store.reader() as cur:
        cur.register("tiered", tier_table(store, kind, first, last, measure, level, rule))
        cur.register("names", names_relation(cur, level))
        frame = cur.sql(sql("tiers_listed")).to_arrow_table().to_pandas()
    span = periods.span(kind, first, last)
    frame.insert(0, "period", map_keys(frame["period_start"], {p.start: p.label for p in span}))
    frame.insert(2, "complete", map_keys(frame["period_start"], {p.start: p.complete(data_end) for p in span})
                 .astype(bool))
    frame["rank"] = frame["rank"].astype("Int64")
    return frame[TIER_COLUMNS]


@by_version()
def tier_table(store, kind: str, start: dt.date, end: dt.date, measure: str = "revenue", level: str = "client",
               rule: TierRule = TierRule()) -> pa.Table:
    """The final tiers of the whole periods from start to end as Arrow, unordered: period_start,
    unit_key, value, share, cum_share, rank, tier, computed_tier, pinned, reason. Ranks from
    ranks.period_ranks, pins applied in SQL (sql/tiers_pinned.sql)."""
    starts = [p.start for p in periods.span(kind, start, end)]
    with store.reader() as cur:
        cur.register("ranked", ranks_relation(store, cur, kind, start, end, measure, level, rule))
        return cur.sql(sql("tiers_pinned"), params={"level": level, "starts": starts}).to_arrow_table()


def map_keys(keys: pd.Series, mapping: dict) -> pd.Series:
    """keys.map(mapping), looking up each distinct key once (long columns, few distinct keys)."""
    codes, uniques = pd.factorize(keys)
    looked_up = pd.Series([mapping.get(k) for k in uniques], dtype=object)
    values = looked_up.to_numpy()[codes] if len(uniques) else []
    return pd.Series(values, index=keys.index, dtype=object)


def tiers_in(store, period: periods.Period, measure: str = "revenue", level: str = "client",
             rule: TierRule = TierRule(), data_end: dt.date | None = None) -> pd.DataFrame:
    """The tier table of one period (columns of period_tiers)."""
    return period_tiers(store, period.kind, period.start, period.end, measure, level, rule, data_end)


def default_period(kind: str, first_day: dt.date, data_end: dt.date, until: dt.date | None = None) -> periods.Period:
    """The latest complete period of a kind ending on or before `until` (and the data end); the
    period holding the data end when the data has no complete one."""
    limit = min(until, data_end) if until else data_end
    period = periods.latest_complete(kind, limit)
    return period if period.end >= first_day else periods.period_of(max(limit, first_day), kind)


def current_period(as_of: dt.date, data_end: dt.date | None) -> periods.Period:
    """The latest complete quarter ending on or before as_of (and on or before the data end)."""
    limit = min(as_of, data_end) if data_end else as_of
    return periods.latest_complete("quarter", limit)


def current_tiers(store, as_of: dt.date, level: str = "client", data_end: dt.date | None = None) -> pd.DataFrame:
    """The current tier at a date: quarters, the saved rule, pins. Columns of period_tiers."""
    rule, measure = saved_rule(store)
    quarter = current_period(as_of, data_end)
    return period_tiers(store, "quarter", quarter.start, quarter.end, measure, level, rule, data_end)


@by_version()
def current_tier_of(store, as_of: dt.date, level: str = "client", data_end: dt.date | None = None) -> pd.Series:
    """unit_key -> current tier at a date, as current_tiers decides it (saved rule, pins), without
    the names and ordering a table shown to people needs. Cached; do not modify the result."""
    rule, measure = saved_rule(store)
    quarter = current_period(as_of, data_end)
    table = tier_table(store, "quarter", quarter.start, quarter.end, measure, level, rule)
    # through NumPy object arrays: three times faster than Python lists for 100k units
    keys = pd.Index(table["unit_key"].to_numpy(zero_copy_only=False), dtype=object)
    return pd.Series(table["tier"].to_numpy(zero_copy_only=False), index=keys, dtype=object, name="tier")


def ka_keys(tiers: pd.DataFrame) -> set[str]:
    """关键 + 重点: the KA clients of a tier table."""
    return set(tiers.loc[tiers["tier"].isin(KA_TIERS), "unit_key"])


def tier_path(store, unit_key: str, kind: str = "quarter", level: str = "client") -> pd.DataFrame:
    """One unit's tier in every period of the data (the saved rule and measure, pins included):
    period, period_start, complete, tier, pinned, value. tier is None where the unit was not active."""
    b = portfolio.bounds(store)
    columns = ["period", "period_start", "complete", "tier", "pinned", "value"]
    if b.empty:
        return pd.DataFrame(columns=columns)
    rule, measure = saved_rule(store)
    first, last = whole_periods(kind, b.first_day, b.data_end)
    # the unit's rows of the cached tier table (every unit, every period), taken in Arrow: building
    # the whole ordered, named table only to keep one unit's rows cost seconds at 10M lines
    table = tier_table(store, kind, first, last, measure, level, rule)
    table = table.filter(pc.equal(table["unit_key"], unit_key)).select(["period_start", "tier", "pinned", "value"])
    mine = table.to_pandas().set_index("period_start")
    span = periods.span(kind, first, last)
    out = pd.DataFrame({"period": [p.label for p in span], "period_start": [p.start for p in span],
                        "complete": [p.complete(b.data_end) for p in span]})
    out["tier"] = out["period_start"].map(mine["tier"]).astype(object)
    out["tier"] = out["tier"].where(out["tier"].notna(), None)
    out["pinned"] = out["period_start"].isin(mine.index[mine["pinned"].to_numpy(dtype=bool)])
    out["value"] = out["period_start"].map(mine["value"]).fillna(0.0).astype(float)
    return out[columns]


# ------------------------------------------------------------------ distribution over time

def tier_distribution(store, kind: str, start: dt.date, end: dt.date, measure: str = "revenue",
                      level: str = "client", rule: TierRule = TierRule(),
                      data_end: dt.date | None = None) -> pd.DataFrame:
    """Clients and value per tier per period: period, period_start, complete, tier, clients, value, value_share.
    Every period of the span and every tier appear (zeros where empty)."""
    first, last = whole_periods(kind, start, end)
    with store.reader() as cur:
        cur.register("tiered", tier_table(store, kind, first, last, measure, level, rule))
        counts = cur.sql(sql("tiers_counts")).to_arrow_table().to_pandas()
    span = periods.span(kind, first, last)
    grid = pd.MultiIndex.from_product([[p.start for p in span], list(TIERS)], names=["period_start", "tier"])
    counts = counts.set_index(["period_start", "tier"]).reindex(grid, fill_value=0).reset_index()
    counts["period"] = counts["period_start"].map({p.start: p.label for p in span})
    counts["complete"] = counts["period_start"].map({p.start: p.complete(data_end) for p in span}).astype(bool)
    counts["clients"] = counts["clients"].astype(int)
    counts["value"] = counts["value"].astype(float)
    totals = counts.groupby("period_start")["value"].transform("sum")
    counts["value_share"] = (counts["value"] / totals.where(totals != 0)).fillna(0.0)
    return counts[["period", "period_start", "complete", "tier", "clients", "value", "value_share"]]


def tier_counts(tiers: pd.DataFrame) -> dict[str, int]:
    """tier -> units in a one-period tier table (every tier present)."""
    counts = tiers["tier"].value_counts()
    return {tier: int(counts.get(tier, 0)) for tier in TIERS}


# ------------------------------------------------------------------ calibration

def calibration(store, period: periods.Period, rule_from: TierRule, rule_to: TierRule, measure: str = "revenue",
                level: str = "client", data_end: dt.date | None = None) -> pd.DataFrame:
    """Each unit of a period under two rules: unit_key, unit_name, value, rank, pinned, tier_from, tier_to, moved.

    Both assignments are exact (SQL decimals). Pinned clients keep their pinned tier under both rules.
    """
    a = tiers_in(store, period, measure, level, rule_from, data_end)
    b = tiers_in(store, period, measure, level, rule_to, data_end)
    out = a[["unit_key", "unit_name", "value", "share", "rank", "pinned", "tier"]].rename(columns={"tier": "tier_from"})
    out["tier_to"] = out["unit_key"].map(dict(zip(b["unit_key"], b["tier"])))
    out["moved"] = out["tier_from"] != out["tier_to"]
    return out


def calibration_matrix(cal: pd.DataFrame) -> pd.DataFrame:
    """tier_from x tier_to: clients and value (all 16 cells)."""
    grid = pd.MultiIndex.from_product([TIERS, TIERS], names=["tier_from", "tier_to"])
    out = (cal.groupby(["tier_from", "tier_to"]).agg(clients=("unit_key", "size"), value=("value", "sum"))
           .reindex(grid, fill_value=0).reset_index())
    out["clients"] = out["clients"].astype(int)
    out["value"] = out["value"].astype(float)
    return out


def calibration_summary(cal: pd.DataFrame) -> dict:
    """How much a rule change moves: clients and value that change tier, KA count before and after."""
    moved = cal.loc[cal["moved"]]
    total = float(cal["value"].clip(lower=0).sum())
    return {"clients": int(len(cal)), "moved_clients": int(len(moved)), "moved_value": float(moved["value"].sum()),
            "moved_value_share": float(moved["value"].sum()) / total if total else 0.0,
            "ka_from": int(cal["tier_from"].isin(KA_TIERS).sum()), "ka_to": int(cal["tier_to"].isin(KA_TIERS).sum())}


def team_capacity(tiers: pd.DataFrame, managers: int, per_manager: int) -> dict:
    """How many KA clients a team of n account managers at m clients each can cover, against the
    关键 + 重点 count of a one-period tier table. covered_share: the value share of the top
    `capacity` ranked units (what the team would cover if it took the largest)."""
    if managers < 0 or per_manager < 0:
        raise ValueError("managers and clients per manager must be >= 0")
    capacity = managers * per_manager
    ka = int(tiers["tier"].isin(KA_TIERS).sum())
    ranked = tiers.loc[tiers["rank"].notna()].sort_values("rank")
    covered = float(ranked["cum_share"].iloc[min(capacity, len(ranked)) - 1]) if capacity and len(ranked) else 0.0
    needed = math.ceil(ka / per_manager) if per_manager else None
    return {"capacity": capacity, "ka_count": ka, "gap": ka - capacity, "covered_share": covered,
            "managers_needed": needed}


# ------------------------------------------------------------------ the list as shown and exported

LIST_COLUMNS = ["rank", "name", "value", "share", "cum_share", "tier", "computed", "reason"]


def tier_list_frame(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A one-period tier table as people read it: rank, name, value, share and cum_share in %,
    tier (pins marked), computed (the tier by the rule), reason (of a pin)."""
    return pd.DataFrame({
        "rank": table["rank"], "name": table["unit_name"], "value": table["value"],
        "share": table["share"] * 100, "cum_share": table["cum_share"] * 100,
        "tier": [tier_label(tier, pinned, lang) for tier, pinned in zip(table["tier"], table["pinned"])],
        "computed": [tier_label(tier, False, lang) for tier in table["computed_tier"]],
        "reason": table["reason"].astype(object).where(table["reason"].notna(), "")}, columns=LIST_COLUMNS)


def tier_list_headers(lang: str, measure: str = "revenue", level: str = "client") -> dict[str, str]:
    """LIST_COLUMNS -> the headers people read."""
    return {"rank": t("w.rank", lang), "name": t("w.group" if level == "group" else "w.client", lang),
            "value": t(f"w.{measure}", lang), "share": t("w.share", lang) + " %",
            "cum_share": t("w.cum_share", lang) + " %", "tier": t("w.tier", lang),
            "computed": t("tiers.col.computed", lang), "reason": t("tiers.col.reason", lang)}


def tier_list_sheets(table: pd.DataFrame, period: periods.Period, lang: str, measure: str = "revenue",
                     level: str = "client") -> dict[str, pd.DataFrame]:
    """The tier list export: one sheet named after the period."""
    frame = tier_list_frame(table, lang)
    frame["rank"] = frame["rank"].astype(float)      # numbers in Excel (no rank stays empty)
    return {period.label: frame.rename(columns=tier_list_headers(lang, measure, level))}


# ------------------------------------------------------------------ command line

def rule_from_cli(cuts: str | None) -> TierRule:
    """'0.5,0.8,0.95' to a TierRule; ValueError when malformed."""
    if not cuts:
        return TierRule()
    parts = [p.strip() for p in cuts.split(",")]
    if len(parts) != 3:
        raise ValueError("--cuts needs three numbers, e.g. 0.5,0.8,0.95")
    try:
        values = tuple(Decimal(p) for p in parts)
    except decimal.InvalidOperation:
        raise ValueError(f"--cuts needs three numbers, e.g. 0.5,0.8,0.95 (got {cuts!r})") from None
    if not all(v.is_finite() for v in values):
        raise ValueError(f"--cuts needs three finite numbers (got {cuts!r})")
    return TierRule(cuts=values)


def dumps_rule(rule: TierRule) -> str:
    return json.dumps({"mode": rule.mode, "cuts": [str(c) for c in rule.cuts]})
