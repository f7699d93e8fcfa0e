"""Client tiers per period (关键 / 重点 / 一般 / 维持), strategic pins, and the current tier.

Definitions in DESIGN.md: with cum_before the cumulative share of the clients
ranked above, 关键 if cum_before < 0.50, 重点 if < 0.80, 一般 if < 0.95, else 维持
(cuts are settings). A pin fixes one client's tier in every period, even one
without revenue, and changes no other client's tier.
"""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pandas as pd

from kam_core import periods
from kam_core.cache import by_version
from kam_core.ingest.clean import client_key
from kam_core.ranks import DEFAULT_CUTS, TIERS, TierRule, period_ranks, unit_names

TIER_ORDER = {tier: i for i, tier in enumerate(TIERS)}   # key 0 .. maintenance 3
KA_TIERS = ("key", "important")
SETTING_KEY = "tier_rule"


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


def pin(store, client_name: str, tier: str, reason: str, who: str | None = None) -> str:
    """Pin a client to a tier with a reason; returns the client key. ValueError for bad input."""
    if tier not in TIERS:
        raise ValueError(f"unknown tier {tier!r}")
    if not reason or not reason.strip():
        raise ValueError("a pin needs a reason")
    key = client_key(client_name)
    with store.write() as cur:
        known = cur.execute("SELECT count(*) FROM client_dim WHERE client_key = $k", {"k": key}).fetchone()[0]
        if not known:
            raise ValueError(f"unknown client {client_name!r}")
        cur.execute("INSERT OR REPLACE INTO tier_overrides VALUES ($k, $tier, $reason, $who, now()::TIMESTAMP)",
                    {"k": key, "tier": tier, "reason": reason.strip(), "who": who})
    return key


def unpin(store, key: str) -> None:
    with store.write() as cur:
        cur.execute("DELETE FROM tier_overrides WHERE client_key = $k", {"k": key})


# ------------------------------------------------------------------ tiers per period

@by_version()
def period_tiers(store, kind: str, start: dt.date, end: dt.date, measure: str = "revenue", level: str = "client",
                 rule: TierRule = TierRule(), data_end: dt.date | None = None) -> pd.DataFrame:
    """Each period's tiers: period, complete, unit_key, unit_name, value, rank, tier, computed_tier, pinned, reason.

    Periods are the months / quarters / years overlapping [start, end]; partial periods are marked
    (complete False). At client level pinned clients appear in every period with their pinned
    tier (value 0 when they bought nothing); the tiers of everyone else are as computed.
    """
    ranked = period_ranks(store, kind, start, end, measure, level, rule)
    names = unit_names(store, level)
    frame = ranked[["period_start", "unit_key", "value", "rank", "tier"]].copy()
    frame["computed_tier"] = frame["tier"]
    frame["pinned"] = False
    frame["reason"] = None
    span = periods.span(kind, start, end)
    if level == "client":
        pinned = pins(store)
        if not pinned.empty:
            frame = _apply_pins(frame, pinned, [p.start for p in span])
    by_start = {p.start: p for p in span}
    frame["period"] = [by_start[s].label for s in frame["period_start"]]
    frame["complete"] = [by_start[s].complete(data_end) for s in frame["period_start"]]
    frame["unit_name"] = frame["unit_key"].map(names).fillna(frame["unit_key"])
    columns = ["period", "period_start", "complete", "unit_key", "unit_name", "value", "rank", "tier",
               "computed_tier", "pinned", "reason"]
    return frame[columns].sort_values(["period_start", "pinned", "rank"], ascending=[True, False, True],
                                      kind="stable").reset_index(drop=True)


def _apply_pins(frame: pd.DataFrame, pinned: pd.DataFrame, starts: list[dt.date]) -> pd.DataFrame:
    pin_tier = dict(zip(pinned["client_key"], pinned["tier"]))
    pin_reason = dict(zip(pinned["client_key"], pinned["reason"]))
    hit = frame["unit_key"].isin(pin_tier)
    frame.loc[hit, "tier"] = frame.loc[hit, "unit_key"].map(pin_tier)
    frame.loc[hit, "pinned"] = True
    frame.loc[hit, "reason"] = frame.loc[hit, "unit_key"].map(pin_reason)
    present = set(zip(frame["period_start"], frame["unit_key"]))
    extra = [{"period_start": s, "unit_key": k, "value": 0.0, "rank": pd.NA, "tier": pin_tier[k],
              "computed_tier": None, "pinned": True, "reason": pin_reason[k]}
             for s in starts for k in pin_tier if (s, k) not in present]
    if extra:
        frame = pd.concat([frame, pd.DataFrame(extra)], ignore_index=True)
    return frame


def current_period(as_of: dt.date, data_end: dt.date | None) -> periods.Period:
    """The latest complete quarter ending on or before as_of (and on or before the data end)."""
    limit = min(as_of, data_end) if data_end else as_of
    return periods.latest_complete("quarter", limit)


def current_tiers(store, as_of: dt.date, level: str = "client", data_end: dt.date | None = None) -> pd.DataFrame:
    """The current tier at a date: quarters, the saved rule, pins. Columns of period_tiers."""
    rule, measure = saved_rule(store)
    quarter = current_period(as_of, data_end)
    return period_tiers(store, "quarter", quarter.start, quarter.end, measure, level, rule, data_end)


def ka_keys(tiers: pd.DataFrame) -> set[str]:
    """关键 + 重点: the KA clients of a tier table."""
    return set(tiers.loc[tiers["tier"].isin(KA_TIERS), "unit_key"])


def rule_from_cli(cuts: str | None) -> TierRule:
    """'0.5,0.8,0.95' to a TierRule; ValueError when malformed."""
    if not cuts:
        return TierRule()
    parts = [p.strip() for p in cuts.split(",")]
    if len(parts) != 3:
        raise ValueError("--cuts needs three numbers, e.g. 0.5,0.8,0.95")
    return TierRule(cuts=tuple(Decimal(p) for p in parts))


def dumps_rule(rule: TierRule) -> str:
    return json.dumps({"mode": rule.mode, "cuts": [str(c) for c in rule.cuts]})
