"""The client profile (客户画像): one client, or one group, on a page.

Figures from the order lines (revenue and profit by month, rank and share in
the portfolio and in its city, category and city mix), the archive's facts
(owner, chain scope, stores), the team's notes (needs, pain points,
competitors) and what the other areas know of it (tier path, churn signals and
follow-ups, saved prepayment scenarios, contacts, stakeholders). Everything is
keyed by the unit key, so notes and maps survive re-imports of order lines.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import pandas as pd

from kam_core import periods, stakeholders
from kam_core.cache import by_version
from kam_core.store import sql

MIX_DIMENSIONS = ("category", "city", "region", "channel")
NOTE_FIELDS = ("needs", "pain_points", "competitors")


def _float(x) -> float | None:
    if x is None or x is pd.NA:
        return None
    value = float(x)
    return None if math.isnan(value) else value


def _int(x) -> int | None:
    value = _float(x)
    return None if value is None else int(value)


# ------------------------------------------------------------------ facts and figures

@by_version()
def facts(store, unit_key: str, level: str = "client") -> dict | None:
    """name, owner, region, city, chain_scope, store_count, group_name, service_level, potential,
    first_order, last_order, lines, members, in_archive; None for an unknown unit."""
    frame = store.query("profile_facts", unit=unit_key, level=level)
    if frame.empty or int(frame.loc[0, "members"]) == 0:
        return None
    row = frame.iloc[0].to_dict()
    out = {k: (None if (v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))) else v)
           for k, v in row.items()}
    for k in ("first_order", "last_order"):
        if out[k] is not None:
            out[k] = pd.Timestamp(out[k]).date()
    out["store_count"] = _int(out["store_count"])
    out["potential"] = _float(out["potential"])
    out["lines"] = int(out["lines"] or 0)
    out["members"] = int(out["members"])
    out["in_archive"] = bool(out["in_archive"])
    return out


@by_version()
def monthly(store, unit_key: str, level: str, start: dt.date, end: dt.date,
            data_end: dt.date | None = None) -> pd.DataFrame:
    """Every calendar month of [start, end] (up to the data end) with the unit's revenue, profit, lines and
    orders: 0 when none, profit NaN when no line carries one. Columns: month (label 2024-03), month_start,
    revenue, profit, lines, orders, partial (the month is cut by the window or runs past the data end)."""
    last = min(end, data_end) if data_end else end
    got = store.query("profile_monthly", unit=unit_key, level=level, start=start, end=last)
    got["month"] = pd.to_datetime(got["month"]).dt.date
    by_month = got.set_index("month")
    rows = []
    for p in (periods.span("month", start, last) if last >= start else []):
        hit = p.start in by_month.index
        rows.append({"month": p.label, "month_start": p.start,
                     "revenue": float(by_month.at[p.start, "revenue"]) if hit else 0.0,
                     "profit": _float(by_month.at[p.start, "profit"]) if hit else None,
                     "lines": int(by_month.at[p.start, "lines"]) if hit else 0,
                     "orders": int(by_month.at[p.start, "orders"]) if hit else 0,
                     "partial": p.start < start or p.end > last})
    frame = pd.DataFrame(rows, columns=["month", "month_start", "revenue", "profit", "lines", "orders", "partial"])
    frame["profit"] = frame["profit"].astype(float)
    return frame


@by_version()
def standings(store, level: str, start: dt.date, end: dt.date, measure: str = "revenue") -> pd.DataFrame:
    """Every unit with lines in [start, end], indexed by unit_key: value, city, rank, city_rank,
    city_active, city_total (ranks among active units; NaN where not active), active, total."""
    if measure not in ("revenue", "profit"):
        raise ValueError(f"unknown measure {measure!r}")
    frame = store.query("profile_standing", level=level, start=start, end=end, measure=measure)
    for column in ("value", "city_total", "total"):
        frame[column] = frame[column].astype(float)
    return frame.set_index("unit_key")


def standing(store, unit_key: str, level: str, start: dt.date, end: dt.date, measure: str = "revenue") -> dict:
    """value, rank, active, total, share (value / total of active units), and at client level the same
    in its city: city, city_rank, city_active, city_total, city_share. Rank and shares are None when the
    unit is not active in the window (value <= 0 or no lines)."""
    frame = standings(store, level, start, end, measure)
    active = int(frame["active"].iloc[0]) if len(frame) else 0
    total = _float(frame["total"].iloc[0]) if len(frame) else None
    if unit_key not in frame.index:
        return {"value": 0.0, "rank": None, "active": active, "total": total or 0.0, "share": None, "city": None,
                "city_rank": None, "city_active": None, "city_total": None, "city_share": None}
    row = frame.loc[unit_key]
    value, city_total = _float(row["value"]) or 0.0, _float(row["city_total"])
    rank, city_rank = _int(row["rank"]), _int(row["city_rank"])
    city = row["city"] if isinstance(row["city"], str) else None
    return {"value": value, "rank": rank, "active": active, "total": total or 0.0,
            "share": value / total if rank is not None and total else None,
            "city": city if rank is not None else None,
            "city_rank": city_rank, "city_active": _int(row["city_active"]), "city_total": city_total,
            "city_share": value / city_total if city_rank is not None and city_total else None}


@by_version()
def mix(store, unit_key: str, level: str, start: dt.date, end: dt.date, dim: str = "category") -> pd.DataFrame:
    """The unit's revenue split by category (or city, region, channel) of its lines in [start, end].
    Columns: item (None where lines leave it blank), revenue, profit, lines, share (of the unit's revenue;
    None when that is not positive)."""
    if dim not in MIX_DIMENSIONS:
        raise ValueError(f"unknown dimension {dim!r}")
    frame = store.query("profile_mix", unit=unit_key, level=level, start=start, end=end, dim=dim)
    frame["revenue"] = frame["revenue"].astype(float)
    frame["profit"] = frame["profit"].astype(float)
    total = frame["revenue"].sum()
    frame["share"] = frame["revenue"] / total if total > 0 else None
    frame["item"] = frame["item"].astype(object).where(frame["item"].notna(), None)
    return frame[["item", "revenue", "profit", "lines", "share"]]


def largest_unit(store, level: str, start: dt.date, end: dt.date) -> str | None:
    """The unit with the most revenue in the window (the profile opens on it); None when none is active."""
    from kam_core.ranks import period_ranks

    ranked = period_ranks(store, "window", start, end, "revenue", level)
    return None if ranked.empty else ranked["unit_key"].iloc[0]


def members(store, unit_key: str, level: str) -> list[str]:
    """The client keys a unit stands for."""
    return store.query("profile_members", unit=unit_key, level=level)["client_key"].tolist()


# ------------------------------------------------------------------ the team's notes

def notes(store, unit_key: str) -> dict:
    """needs, pain_points, competitors (None where empty) and updated_at (None when never saved)."""
    frame = store.query("profile_notes_get", unit=unit_key)
    if frame.empty:
        return {**{k: None for k in NOTE_FIELDS}, "updated_at": None}
    row = frame.iloc[0]
    return {**{k: (None if row[k] is None or row[k] is pd.NA else row[k]) for k in NOTE_FIELDS},
            "updated_at": row["updated_at"]}


def save_notes(store, unit_key: str, needs: str | None, pain_points: str | None, competitors: str | None) -> None:
    """Keep the profile notes of a unit (blank text is stored as empty)."""
    def clean(text):
        return (text or "").strip() or None

    with store.write() as cur:
        cur.execute(sql("profile_notes_upsert"), {"unit": unit_key, "needs": clean(needs),
                                                  "pain_points": clean(pain_points),
                                                  "competitors": clean(competitors)})


# ------------------------------------------------------------------ what the other areas know of it

def _per_member(store, unit_key: str, level: str, read) -> pd.DataFrame:
    """read(client_key) for the unit's clients, stacked with their key (one client at client level)."""
    keys = [unit_key] if level == "client" else members(store, unit_key, level)
    frames = [read(key).assign(member_key=key) for key in keys]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return read(keys[0] if keys else unit_key).assign(member_key=None).iloc[0:0]
    return pd.concat(frames, ignore_index=True)


def followups(store, unit_key: str, level: str = "client") -> pd.DataFrame:
    """The follow-up log (notes) of the unit's clients, latest first (followup.followup_log columns
    and member_key)."""
    from kam_core import followup

    frame = _per_member(store, unit_key, level, lambda key: followup.followup_log(store, key))
    return frame.sort_values(["note_date", "note_id"], ascending=False, kind="stable").reset_index(drop=True)


def contacts(store, unit_key: str, level: str = "client") -> pd.DataFrame:
    """Visits, calls and meetings with the unit's clients, newest first (coverage.contacts_of columns
    and member_key)."""
    from kam_core import coverage

    frame = _per_member(store, unit_key, level, lambda key: coverage.contacts_of(store, key))
    return frame.sort_values(["contact_date", "contact_id"], ascending=False, kind="stable").reset_index(drop=True)


def saved_scenarios(store, unit_key: str, level: str = "client") -> pd.DataFrame:
    """Prepayment scenarios saved for the unit's clients, newest first (scenarios.list_scenarios columns)."""
    from kam_core import scenarios

    frame = _per_member(store, unit_key, level, lambda key: scenarios.list_scenarios(store, key))
    return frame.sort_values("created_at", ascending=False, kind="stable").reset_index(drop=True)


def advances_of(store, unit_key: str, level: str, as_of: dt.date) -> pd.DataFrame:
    """The advances signed with the unit's clients as of a date, in signing order (advances.ledger
    columns: amount, recouped, remaining, progress, status ...)."""
    from kam_core import advances

    keys = {unit_key} if level == "client" else set(members(store, unit_key, level))
    frame = advances.ledger(store, as_of)
    return frame[frame["client_key"].isin(keys)].reset_index(drop=True)


def service_of(store, unit_key: str, level: str, as_of: dt.date) -> pd.DataFrame:
    """The unit's clients that have a service level at as_of, with their contact cadence
    (coverage.coverage_table columns: service_level, last_contact, days_since, cadence_days, overdue ...).
    Empty when none of them has a level (no KA tier and none set in the archive)."""
    from kam_core import coverage

    keys = {unit_key} if level == "client" else set(members(store, unit_key, level))
    frame = coverage.coverage_table(store, as_of)
    return frame[frame["client_key"].isin(keys)].reset_index(drop=True)


FOLLOWUP_STATUS_COLUMNS = ["client_key", "client_name", "status", "owner", "next_step", "updated_at"]


def followup_status(store, unit_key: str, level: str = "client") -> pd.DataFrame:
    """The follow-up status of the unit's clients that have one (open, contacted, recovering, saved,
    lost), with its owner and next step: FOLLOWUP_STATUS_COLUMNS."""
    from kam_core import followup

    keys = {unit_key} if level == "client" else set(members(store, unit_key, level))
    board = followup.board(store)
    frame = board[board["client_key"].isin(keys)][FOLLOWUP_STATUS_COLUMNS].reset_index(drop=True)
    for column in ("owner", "next_step"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


CONTACT_KINDS = ("visit", "call", "meeting", "review")


def kind_label(kind, lang: str = "zh") -> str | None:
    """A contact or follow-up kind in words: the known codes (visit, call, meeting, review) translated,
    anything else (as imported) kept as it is."""
    from kam_core.i18n import t

    if kind is None or (isinstance(kind, float) and math.isnan(kind)):
        return None
    return t(f"cov.kind.{kind}", lang) if kind in CONTACT_KINDS else str(kind)


def status_lines(p: "Profile", lang: str = "zh") -> list[str]:
    """The follow-up status of the unit's clients in words: status · owner · next step (prefixed with the
    client's name at group level). Plain text (escape it for markdown or HTML)."""
    from kam_core.i18n import t

    lines = []
    for r in p.followup_status.itertuples():
        parts = [t(f"churn.status.{r.status}", lang)]
        if r.owner:
            parts.append(t("prof.fu_owner", lang, owner=r.owner))
        if r.next_step:
            parts.append(t("prof.fu_next", lang, step=r.next_step))
        lines.append((f"{r.client_name}: " if p.level == "group" else "") + " · ".join(parts))
    return lines


def cadence_lines(p: "Profile", lang: str = "zh") -> list[tuple[str, bool]]:
    """(the contact cadence in words, overdue) for each of the unit's clients with a service level:
    level, cadence, last contact and days since (prefixed with the client's name at group level)."""
    from kam_core.i18n import t

    lines = []
    for r in p.service.itertuples():
        last = t("prof.cadence_never", lang) if r.last_contact is None else t(
            "prof.cadence_last", lang, date=r.last_contact, days=int(r.days_since), as_of=p.as_of)
        line = t("prof.cadence_line", lang, level=t(f"cov.level.{r.service_level}", lang),
                 days=int(r.cadence_days), last=last)
        if r.overdue:
            line += " " + t("prof.cadence_overdue", lang)
        lines.append(((f"{r.client}: " if p.level == "group" else "") + line, bool(r.overdue)))
    return lines


def advance_lines(p: "Profile", lang: str = "zh") -> list[tuple[str, bool]]:
    """(an advance in words: number, amount, recouped share, status; needs attention) for each advance
    signed with the unit's clients (behind and overdue ones need attention)."""
    from kam_core import fmt
    from kam_core.i18n import t

    lines = []
    for r in p.advances.itertuples():
        line = t("prof.advance_line", lang, id=int(r.advance_id), amount=fmt.money(r.amount, lang),
                 progress=fmt.pct(r.progress, 0), status=t(f"adv.status.{r.status}", lang))
        lines.append(((f"{r.client}: " if p.level == "group" else "") + line, r.status in ("behind", "overdue")))
    return lines


# ------------------------------------------------------------------ the whole profile

@dataclass
class Profile:
    unit_key: str
    level: str
    window: periods.Period
    facts: dict
    standing: dict
    profit_standing: dict | None
    monthly: pd.DataFrame
    categories: pd.DataFrame
    cities: pd.DataFrame
    notes: dict
    stakeholders: pd.DataFrame
    tier_path: pd.DataFrame
    signals: dict | None           # churn.client_signals at the data end (None: no order by then)
    followups: pd.DataFrame
    scenarios: pd.DataFrame
    contacts: pd.DataFrame
    advances: pd.DataFrame = field(default_factory=pd.DataFrame)         # advances.ledger rows at as_of
    service: pd.DataFrame = field(default_factory=pd.DataFrame)          # coverage.coverage_table rows at as_of
    followup_status: pd.DataFrame = field(default_factory=pd.DataFrame)  # FOLLOWUP_STATUS_COLUMNS
    as_of: dt.date | None = None                                         # the date of signals, advances, cadence

    @property
    def name(self) -> str:
        return self.facts["name"]

    @property
    def current_tier(self) -> str | None:
        """The tier of the latest complete quarter (None when inactive in it)."""
        done = self.tier_path[self.tier_path["complete"]]
        return None if done.empty else done["tier"].iloc[-1]


def client_profile(store, unit_key: str, level: str, window: periods.Period, has_profit: bool = True,
                   data_end: dt.date | None = None, lang: str = "zh", as_of: dt.date | None = None) -> Profile | None:
    """Everything the profile page and the meeting pack show of one unit in a window; None when unknown.
    Churn signals, advances and the contact cadence are those at as_of (default: the data end, i.e. the
    current ones); the tier path spans all quarters of the data."""
    from kam_core import advances as advance_ledger
    from kam_core import churn, coverage, tiers

    known = facts(store, unit_key, level)
    if known is None:
        return None
    day = as_of or data_end
    return Profile(
        unit_key=unit_key, level=level, window=window, facts=known,
        standing=standing(store, unit_key, level, window.start, window.end, "revenue"),
        profit_standing=standing(store, unit_key, level, window.start, window.end, "profit") if has_profit else None,
        monthly=monthly(store, unit_key, level, window.start, window.end, data_end),
        categories=mix(store, unit_key, level, window.start, window.end, "category"),
        cities=mix(store, unit_key, level, window.start, window.end, "city"),
        notes=notes(store, unit_key),
        stakeholders=stakeholders.stakeholders(store, unit_key),
        tier_path=tiers.tier_path(store, unit_key, "quarter", level),
        signals=churn.client_signals(store, unit_key, day, level, lang) if day else None,
        followups=followups(store, unit_key, level),
        scenarios=saved_scenarios(store, unit_key, level),
        contacts=contacts(store, unit_key, level),
        advances=advances_of(store, unit_key, level, day) if day else
        pd.DataFrame(columns=advance_ledger.LEDGER_COLUMNS),
        service=service_of(store, unit_key, level, day) if day else pd.DataFrame(columns=coverage.TABLE_COLUMNS),
        followup_status=followup_status(store, unit_key, level),
        as_of=day,
    )
