"""Service levels, contact cadence, the contact log and who is overdue for contact.

DESIGN.md, Definitions, "Service levels": the current tier gives the level
(关键 -> A, 重点 -> B, 一般 -> C, 维持 -> none); the archive may set a client's
level by hand. Each level has a contact cadence in days (settings; defaults
A 30, B 60, C 90). Overdue at D: days since the last contact on or before D
> cadence, or no contact ever; contacts after D are ignored.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa

from kam_core import periods, portfolio, tiers
from kam_core.cache import by_version
from kam_core.ingest import clean
from kam_core.store import sql

LEVELS = ("A", "B", "C")
TIER_LEVEL = {"key": "A", "important": "B", "general": "C", "maintenance": None}
DEFAULT_CADENCE = {"A": 30, "B": 60, "C": 90}
CADENCE_SETTING = "coverage_cadence"
MAX_CADENCE_DAYS = 3660

# Contact kinds entered in the app; imported logs keep their own wording, mapped here where known.
KINDS = ("visit", "call", "meeting", "review")
KIND_ALIASES = {"拜访": "visit", "走访": "visit", "上门": "visit", "visit": "visit",
                "电话": "call", "通话": "call", "call": "call", "phone": "call",
                "会议": "meeting", "会面": "meeting", "meeting": "meeting",
                "经营回顾": "review", "业务回顾": "review", "复盘": "review", "review": "review",
                "businessreview": "review"}
# An archive level written as one of these means "no service level" on purpose.
NO_LEVEL = {"无", "none", "-", "—", "n/a", "na", "不适用", "0"}

TABLE_COLUMNS = ["client_key", "client", "tier", "service_level", "level_source", "last_contact", "days_since",
                 "cadence_days", "overdue", "owner", "t12m", "contacts"]


# ------------------------------------------------------------------ cadence (settings)

def cadence(store) -> dict[str, int]:
    """Days between contacts per level: the saved setting over the defaults."""
    saved = store.setting(CADENCE_SETTING, None) or {}
    return {level: int(saved.get(level, DEFAULT_CADENCE[level])) for level in LEVELS}


def save_cadence(store, days: dict[str, int]) -> dict[str, int]:
    """Save the cadence of each level (whole days, 1 .. 3660); ValueError otherwise."""
    checked = {}
    for level in LEVELS:
        value = days.get(level, DEFAULT_CADENCE[level])
        if isinstance(value, bool) or not float(value).is_integer() or not 1 <= int(value) <= MAX_CADENCE_DAYS:
            raise ValueError(f"cadence of level {level} must be whole days between 1 and {MAX_CADENCE_DAYS}, "
                             f"got {value!r}")
        checked[level] = int(value)
    store.save_setting(CADENCE_SETTING, checked)
    return checked


# ------------------------------------------------------------------ service levels (pure)

def archive_level(text) -> str | None:
    """The archive's level: 'A' / 'B' / 'C', 'none' when it says no level, None when it says nothing."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return None
    norm = clean.nfkc(str(text)).strip()
    if not norm:
        return None
    if norm.lower() in NO_LEVEL:
        return "none"
    head = norm[:1].upper()
    return head if head in LEVELS and len(norm) <= 3 else None


def service_level(tier: str | None, archive: str | None) -> str | None:
    """A client's level: the archive's when it sets one (or sets none), else from the current tier."""
    set_by_hand = archive_level(archive)
    if set_by_hand == "none":
        return None
    if set_by_hand:
        return set_by_hand
    return TIER_LEVEL.get(tier) if tier else None


def is_overdue(days_since: float | None, cadence_days: int) -> bool:
    """Overdue: never contacted, or more days since the last contact than the cadence allows."""
    return days_since is None or pd.isna(days_since) or days_since > cadence_days


def contact_kind(text: str | None) -> str | None:
    """visit | call | meeting | review for a known wording (拜访, 电话, 会议, 经营回顾 ...), else None."""
    if not text:
        return None
    return KIND_ALIASES.get(clean.client_key(str(text)))


# ------------------------------------------------------------------ the coverage table

def tier_quarter(store, as_of: dt.date) -> periods.Period | None:
    """The quarter whose tiers are current at as_of (None before the first complete one)."""
    facts = portfolio.bounds(store)
    if facts.data_end is None:
        return None
    quarter = tiers.current_period(as_of, facts.data_end)
    return quarter if quarter.end >= facts.first_day else None


@by_version()
def coverage_table(store, as_of: dt.date) -> pd.DataFrame:
    """Every client with a service level as of a date, overdue first.

    Columns: client_key, client, tier (key | important | general | maintenance, None when not
    active in the tier quarter), service_level (A | B | C), level_source (archive | tier),
    last_contact (None when never contacted on or before as_of), days_since, cadence_days,
    overdue, owner, t12m (revenue in the trailing 12 months, the revenue at stake), contacts.
    """
    t12m_start, _ = periods.trailing_year(as_of)
    frame = store.query("coverage_clients", as_of=as_of, t12m_start=t12m_start)
    frame = _with_levels(frame, _current_tier_series(store, as_of), cadence(store), as_of)
    frame["_level"] = frame["service_level"].map({lv: i for i, lv in enumerate(LEVELS)})
    frame = frame.sort_values(["overdue", "_level", "t12m", "client_key"], ascending=[False, True, False, True],
                              kind="stable")
    return frame[TABLE_COLUMNS].reset_index(drop=True)


@by_version()
def overdue_clients(store, as_of: dt.date, levels: tuple[str, ...] = ("A",)) -> pd.DataFrame:
    """The clients of these service levels overdue for contact at as_of, by client_key.

    The rows of coverage_table that are overdue at these levels, without t12m. It reads only the
    clients that can have these levels (the archive sets one, or the tier gives one), so asking
    for the few A-level clients stays cheap in a large portfolio. Cached per data version.
    """
    tier = _current_tier_series(store, as_of)
    by_tier = tier.index[tier.isin([name for name, level in TIER_LEVEL.items() if level in levels]).to_numpy()]
    with store.reader() as cur:
        cur.register("tier_candidates", pa.table({"client_key": pa.array(list(by_tier), pa.string())}))
        frame = cur.execute(sql("coverage_candidates"), {"as_of": as_of}).df()
        cur.unregister("tier_candidates")
    frame = _with_levels(frame, tier, cadence(store), as_of)
    hit = frame["overdue"] & frame["service_level"].isin(levels)
    return frame[hit].sort_values("client_key", kind="stable").reset_index(drop=True)


def _with_levels(frame: pd.DataFrame, tier: pd.Series, days: dict[str, int], as_of: dt.date) -> pd.DataFrame:
    """The rows of clients with a service level, with tier, service_level, level_source, last_contact
    (a date, None when never contacted), days_since, cadence_days and overdue; client_name -> client."""
    frame["tier"] = frame["client_key"].map(tier)
    archive_codes = {v: archive_level(v) for v in frame["archive_level"].dropna().unique()}
    by_hand = frame["archive_level"].map(archive_codes)
    from_tier = frame["tier"].map(TIER_LEVEL)
    level = by_hand.where(by_hand.notna(), from_tier).replace({"none": None})
    frame["service_level"] = level
    frame["level_source"] = np.where(by_hand.notna(), "archive", "tier")
    frame = frame[frame["service_level"].isin(LEVELS)].copy()
    last = pd.to_datetime(frame["last_contact"])
    frame["last_contact"] = pd.Series([None if pd.isna(x) else x.date() for x in last], index=frame.index,
                                      dtype=object)
    frame["days_since"] = (pd.Timestamp(as_of) - last).dt.days.astype("Int64")
    frame["cadence_days"] = frame["service_level"].map(days).astype(int)
    frame["overdue"] = (frame["days_since"].isna() | (frame["days_since"] > frame["cadence_days"])).astype(bool)
    frame = frame.rename(columns={"client_name": "client"})
    frame["tier"] = frame["tier"].astype(object).where(frame["tier"].notna(), None)
    return frame


def _current_tier_series(store, as_of: dt.date) -> pd.Series:
    """client_key -> current tier."""
    quarter = tier_quarter(store, as_of)
    if quarter is None:
        return pd.Series(dtype=object)
    return tiers.current_tier_of(store, as_of, "client", portfolio.bounds(store).data_end)


def overdue_keys(store, as_of: dt.date, levels: tuple[str, ...] = ("A",)) -> set[str]:
    """Keys (client_key) of the clients of these service levels overdue for contact at as_of.

    The default is the A-level clients: the set the churn watchlist flags ("overdue A client").
    Overdue follows the definition: more days since the last contact on or before as_of than the
    level's cadence, or no contact ever; contacts after as_of are ignored. Empty when no client
    has a level (no complete tier quarter yet).
    """
    return set(overdue_clients(store, as_of, tuple(levels))["client_key"])


def watchlist_keys(store, as_of: dt.date) -> set[str]:
    """Keys of the clients on the churn watchlist at as_of (the team's saved settings, KA scope),
    the same list the churn page shows by default. Past the data end it is the list at the data
    end (the latest the orders can tell). Empty without orders."""
    from kam_core import churn   # read only; imported here so coverage stays usable on its own

    data_end = portfolio.bounds(store).data_end
    if data_end is None:
        return set()
    return set(churn.watchlist(store, min(as_of, data_end), level="client").frame["unit_key"])


def flag_watchlist(table: pd.DataFrame, on_watchlist: set[str]) -> pd.DataFrame:
    """The coverage table with two flags: watchlist (the client is on the churn watchlist) and
    alert (an overdue A client on the watchlist: the case flagged on the coverage and churn pages)."""
    out = table.copy()
    out["watchlist"] = out["client_key"].isin(on_watchlist).astype(bool)
    out["alert"] = (out["watchlist"] & out["overdue"] & (out["service_level"] == "A")).astype(bool)
    return out


def _share(within: int, clients: int) -> float | None:
    return within / clients if clients else None


def coverage_kpi(store, as_of: dt.date) -> dict:
    """The team KPI: the share of A / B clients contacted within cadence, and what is overdue.

    Keys: as_of, tier_period (label or None), cadence (level -> days), levels (level ->
    {clients, within, share}), ab_clients, ab_within, ab_share (None without A / B clients),
    overdue (clients), overdue_t12m (their trailing-12-month revenue).
    """
    table = coverage_table(store, as_of)
    quarter = tier_quarter(store, as_of)
    within = ~table["overdue"]
    levels = {}
    for level in LEVELS:
        mine = table["service_level"] == level
        n, ok = int(mine.sum()), int((mine & within).sum())
        levels[level] = {"clients": n, "within": ok, "share": _share(ok, n)}
    ab_n = levels["A"]["clients"] + levels["B"]["clients"]
    ab_ok = levels["A"]["within"] + levels["B"]["within"]
    return {"as_of": as_of, "tier_period": quarter.label if quarter else None, "cadence": cadence(store),
            "levels": levels, "ab_clients": ab_n, "ab_within": ab_ok, "ab_share": _share(ab_ok, ab_n),
            "overdue": int(table["overdue"].sum()), "overdue_t12m": float(table.loc[table["overdue"], "t12m"].sum())}


def coverage_by_owner(store, as_of: dt.date) -> pd.DataFrame:
    """Per owner: owner ('' when none), clients, overdue, overdue per level (overdue_A/B/C),
    ab_clients, ab_within, ab_share, overdue_t12m; most overdue revenue first."""
    table = coverage_table(store, as_of).copy()
    table["owner"] = table["owner"].fillna("")
    table["ab"] = table["service_level"].isin(("A", "B"))
    table["ab_ok"] = table["ab"] & ~table["overdue"]
    table["overdue_t12m"] = table["t12m"].where(table["overdue"], 0.0)
    for level in LEVELS:
        table[f"overdue_{level}"] = table["overdue"] & (table["service_level"] == level)
    columns = ["owner", "clients", "overdue"] + [f"overdue_{lv}" for lv in LEVELS] + \
              ["ab_clients", "ab_within", "ab_share", "overdue_t12m"]
    if table.empty:
        return pd.DataFrame(columns=columns)
    grouped = table.groupby("owner", sort=False).agg(
        clients=("client_key", "size"), overdue=("overdue", "sum"), overdue_A=("overdue_A", "sum"),
        overdue_B=("overdue_B", "sum"), overdue_C=("overdue_C", "sum"), ab_clients=("ab", "sum"),
        ab_within=("ab_ok", "sum"), overdue_t12m=("overdue_t12m", "sum")).reset_index()
    grouped["ab_share"] = (grouped["ab_within"] / grouped["ab_clients"]).where(grouped["ab_clients"] > 0)
    grouped = grouped.sort_values(["overdue_t12m", "overdue", "owner"], ascending=[False, False, True], kind="stable")
    return grouped[columns].reset_index(drop=True)


@by_version()
def weekly_contacts(store, as_of: dt.date, weeks: int = 26) -> pd.DataFrame:
    """Contacts per owner and week over the `weeks` weeks ending with the week of as_of, zeros
    included: a frame indexed by owner ('' when none) with one column per week start (Monday)."""
    first_week = as_of - dt.timedelta(days=as_of.weekday() + 7 * (weeks - 1))
    counts = store.query("coverage_weekly", start=first_week, end=as_of)
    week_starts = [first_week + dt.timedelta(days=7 * i) for i in range(weeks)]
    owners = sorted(set(coverage_table(store, as_of)["owner"].fillna("")) | set(counts["owner"]))
    if counts.empty:
        return pd.DataFrame(0, index=pd.Index(owners, name="owner"), columns=week_starts)
    counts["week_start"] = pd.to_datetime(counts["week_start"]).dt.date
    grid = counts.pivot_table(index="owner", columns="week_start", values="contacts", aggfunc="sum", fill_value=0)
    return grid.reindex(index=pd.Index(owners, name="owner"), columns=week_starts, fill_value=0).astype(int)


# ------------------------------------------------------------------ the contact log

def find_client(store, name_or_key: str) -> tuple[str, str] | None:
    """(client_key, display name) of a known client, matched like uploaded names; None when unknown."""
    text = str(name_or_key or "").strip()
    if not text:
        return None
    with store.reader() as cur:
        row = cur.execute(sql("coverage_find_client"), {"given": text, "from_name": clean.client_key(text)}).fetchone()
    return (row[0], row[1]) if row else None


def contacts_of(store, client_key: str) -> pd.DataFrame:
    """One client's contacts, newest first: contact_id, contact_date, kind, kind_code (visit | call |
    meeting | review where the wording is known), who, note, source (import | app | followup | meeting),
    created_at."""
    frame = store.query("coverage_contacts_of", key=client_key)
    frame["contact_date"] = pd.to_datetime(frame["contact_date"]).dt.date
    frame.insert(2, "kind_code", [contact_kind(k) for k in frame["kind"]])
    return frame


def add_contact(store, client_name_or_key: str, contact_date: dt.date, kind: str | None, who: str | None,
                note: str | None, source: str = "app") -> int:
    """Record a visit, call, meeting or review; returns its contact_id. ValueError for an unknown
    client or a missing date. Known wordings of the kind (拜访, 电话 ...) are stored as their code."""
    found = find_client(store, client_name_or_key)
    if found is None:
        raise ValueError(f"unknown client {client_name_or_key!r}")
    if not isinstance(contact_date, dt.date):
        raise ValueError("a contact needs a date")
    if isinstance(contact_date, dt.datetime):
        contact_date = contact_date.date()
    kind_text = (kind or "").strip() or None
    kind_text = contact_kind(kind_text) or kind_text
    with store.write() as cur:
        row = cur.execute(sql("coverage_insert_contact"), {
            "key": found[0], "name": found[1], "date": contact_date, "kind": kind_text,
            "who": (who or "").strip() or None, "note": (note or "").strip() or None,
            "source": source or "app"}).fetchone()
    return int(row[0])
