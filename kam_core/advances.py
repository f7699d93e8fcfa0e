"""The advance ledger (预付款台账): signed prepayments against the sales that recoup them.

DESIGN.md, Definitions, "Advance ledger", as of a date D:
- term end = start + N months - 1 day;
- counted = recoup rate x the client's revenue from the start to D (to the term
  end under the refund rule; beyond it under extend);
- recouped = min(amount, counted); remaining = amount - recouped;
- run rate = counted over the last min(90, days counted) days, per 30.44 days;
- projected at term end = counted + run rate x days left / 30.44;
- status: recouped (remaining 0), overdue (term ended, not recouped), behind
  (projection below the amount), else on track; an advance with fewer than 30
  days of sales is not projected yet (on track, no projection, no refund);
- refund due (refund rule) = what remains at term end; extension months
  (extend rule) = what remains at term end / run rate. Before the term end
  both are projections (the projected remainder); after it, the remainder.

Days are counted with both ends included (the start day is a day of sales). The
SQL sums per advance in one set-based pass; the rules are a small pure function
on exact Decimals.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from kam_core import fmt, periods, scenarios
from kam_core.cache import by_version
from kam_core.coverage import find_client
from kam_core.i18n import t
from kam_core.store import sql

RULES = ("refund", "extend")
STATUSES = ("recouped", "on_track", "behind", "overdue")
DAYS_PER_MONTH = Decimal("30.44")
RUN_RATE_DAYS = 90
# Fewer days of sales than this project nothing: a deal signed today is not "behind" with its whole
# amount to refund. Until then the advance is on track with no projection.
MIN_PROJECTION_DAYS = 30
MAX_TERM_MONTHS = 120
MAX_AMOUNT = Decimal("1e13")   # DECIMAL(18,4) holds 14 integer digits

LEDGER_COLUMNS = ["advance_id", "client_key", "client", "owner", "amount", "start", "end", "term_months", "rule",
                  "recoup_rate", "scenario_id", "note", "counted", "recouped", "remaining", "run_rate",
                  "projected_at_end", "refund_due", "extension_months", "status", "days_left", "term_ended",
                  "progress"]


# ------------------------------------------------------------------ the rules (pure)

@dataclass(frozen=True)
class Standing:
    recouped: Decimal
    remaining: Decimal
    run_rate: Decimal | None            # per 30.44 days; None before the start
    projected_at_end: Decimal | None    # None before the start
    shortfall_at_end: Decimal | None    # what remains at term end (projected while the term runs)
    refund_due: Decimal | None          # refund rule only
    extension_months: Decimal | None    # extend rule only; None when the run rate never recoups it
    status: str


def standing(amount: Decimal, counted: Decimal, rate_counted: Decimal, rate_days: int, days_left: int,
             term_ended: bool, rule: str) -> Standing:
    """An advance's position from its sums. The status test is exact: projected < amount is
    counted x rate_days + rate_counted x days_left < amount x rate_days (the 30.44 cancels)."""
    amount, counted, rate_counted = Decimal(amount), Decimal(counted), Decimal(rate_counted)
    recouped = min(amount, counted)
    remaining = amount - recouped
    run_rate = rate_counted / rate_days * DAYS_PER_MONTH if rate_days > 0 else None
    if rate_days >= MIN_PROJECTION_DAYS or (rate_days > 0 and term_ended):
        projected = counted + rate_counted * days_left / rate_days
        projected_short = counted * rate_days + rate_counted * days_left < amount * rate_days
    else:                   # not started, or too early to project
        projected = None
        projected_short = False
    if remaining <= 0:
        status = "recouped"
    elif term_ended:
        status = "overdue"
    elif projected_short:
        status = "behind"
    else:
        status = "on_track"
    if projected is None:
        shortfall = None
    elif status == "recouped" or not projected_short:
        shortfall = Decimal(0)
    else:
        shortfall = amount - projected
    refund = shortfall if rule == "refund" else None
    extension = None
    if rule == "extend" and shortfall is not None:
        if shortfall == 0:
            extension = Decimal(0)
        elif run_rate is not None and run_rate > 0:
            extension = shortfall / run_rate
    return Standing(recouped, remaining, run_rate, projected, shortfall, refund, extension, status)


def term_end(start: dt.date, term_months: int) -> dt.date:
    """start + N months - 1 day (the month-end clipped like the calendar: 31 Jan + 1 month = 29 Feb)."""
    return periods.add_months(start, term_months) - dt.timedelta(days=1)


# ------------------------------------------------------------------ the ledger

def _num(x) -> float | None:
    return None if x is None else float(x)


@by_version()
def ledger(store, as_of: dt.date) -> pd.DataFrame:
    """Every advance as of a date, in signing order.

    Columns: advance_id, client_key, client, owner, amount, start, end, term_months, rule,
    recoup_rate, scenario_id, note, counted, recouped, remaining, run_rate (per 30.44 days),
    projected_at_end, refund_due (refund rule), extension_months (extend rule; NaN when the
    current run rate never recoups it), status (recouped | on_track | behind | overdue),
    days_left, term_ended, progress (recouped / amount). Money as floats for display; missing
    figures (run rate and projection before the start, the other rule's figure) are NaN.
    """
    with store.reader() as cur:
        cur.execute(sql("advances_ledger"), {"as_of": as_of})
        names = [c[0] for c in cur.description]
        rows = [dict(zip(names, r)) for r in cur.fetchall()]
    out = []
    for r in rows:
        s = standing(r["amount"], r["counted"], r["rate_counted"], int(r["rate_days"]), int(r["days_left"]),
                     bool(r["term_ended"]), r["rule"])
        out.append({
            "advance_id": int(r["advance_id"]), "client_key": r["client_key"], "client": r["client_name"],
            "owner": r["owner"], "amount": float(r["amount"]), "start": r["start_date"], "end": r["end_date"],
            "term_months": int(r["term_months"]), "rule": r["rule"], "recoup_rate": float(r["recoup_rate"]),
            "scenario_id": None if r["scenario_id"] is None else int(r["scenario_id"]), "note": r["note"],
            "counted": float(r["counted"]), "recouped": float(s.recouped), "remaining": float(s.remaining),
            "run_rate": _num(s.run_rate), "projected_at_end": _num(s.projected_at_end),
            "refund_due": _num(s.refund_due), "extension_months": _num(s.extension_months), "status": s.status,
            "days_left": int(r["days_left"]), "term_ended": bool(r["term_ended"]),
            "progress": float(s.recouped / r["amount"]) if r["amount"] else None,
        })
    frame = pd.DataFrame(out, columns=LEDGER_COLUMNS)
    numeric = ["amount", "recoup_rate", "counted", "recouped", "remaining", "run_rate", "projected_at_end",
               "refund_due", "extension_months", "progress"]
    frame[numeric] = frame[numeric].astype(float)   # None -> NaN (missing), whatever the first row holds
    return frame


def behind(store, as_of: dt.date, lang: str = "zh") -> pd.DataFrame:
    """Advances behind or overdue as of a date, with the reason in words: the public call for the
    overview's box and the churn watchlist ("an advance going behind appears with its reason").

    Empty (with these columns) when every advance is recouped or on track, or none is signed.
    Columns: advance_id, client_key, client, owner, status, reason_code (overdue | quiet | behind),
    reason, amount, remaining, projected_at_end, shortfall_at_end, end, days_left; overdue first,
    then the largest shortfall.
    """
    table = ledger(store, as_of)
    hit = table[table["status"].isin(("behind", "overdue"))].copy()
    columns = ["advance_id", "client_key", "client", "owner", "status", "reason_code", "reason", "amount",
               "remaining", "projected_at_end", "shortfall_at_end", "end", "days_left"]
    if hit.empty:
        return pd.DataFrame(columns=columns)
    hit["shortfall_at_end"] = hit["amount"] - hit["projected_at_end"]
    quiet = hit["run_rate"].fillna(0) <= 0
    hit["reason_code"] = ["overdue" if s == "overdue" else "quiet" if q else "behind"
                          for s, q in zip(hit["status"], quiet)]
    hit["reason"] = [reason_text(row, lang) for row in hit.to_dict("records")]
    hit = hit.sort_values(["term_ended", "shortfall_at_end"], ascending=[False, False], kind="stable")
    return hit[columns].reset_index(drop=True)


def reason_text(row: dict, lang: str = "zh") -> str:
    """Why an advance needs attention, in a sentence (row: a ledger or behind() row)."""
    money = fmt.money
    code = row.get("reason_code") or row["status"]
    args = {"remaining": money(row["remaining"], lang), "end": row["end"],
            "projected": money(row["projected_at_end"], lang),
            "short": money(row["amount"] - (row["projected_at_end"] or 0), lang),
            "rate": money(row.get("run_rate"), lang), "amount": money(row["amount"], lang)}
    return t(f"adv.reason.{code}", lang, **args)


# ------------------------------------------------------------------ month by month

@by_version()
def progress(store, advance_id: int, as_of: dt.date) -> pd.DataFrame:
    """One advance month by month: month (1 = the start month), month_start, month_end, started,
    partial (the month runs past as_of), counted (in the month, up to as_of), cumulative (NaN for
    months not started), and the signed scenario's cumulative fan p10 / p50 / p90 x the recoup rate
    (None without a scenario or beyond its months). Months: the term; under the extend rule also
    the months after it up to as_of."""
    row = _advance_row(store, advance_id)
    if row is None:
        raise ValueError(f"no advance #{advance_id}")
    months = int(row["term_months"])
    if row["rule"] == "extend" and as_of > term_end(row["start_date"], months):
        while periods.add_months(row["start_date"], months) <= as_of:
            months += 1
    frame = store.query("advances_progress", id=advance_id, as_of=as_of, months=months)
    frame["month_start"] = pd.to_datetime(frame["month_start"]).dt.date
    frame["month_end"] = pd.to_datetime(frame["month_end"]).dt.date
    frame["counted"] = frame["counted"].astype(float)
    frame["cumulative"] = frame["counted"].cumsum().where(frame["started"])
    fan = _scenario_fan(store, row["scenario_id"])
    rate = float(row["recoup_rate"])
    for q in ("p10", "p50", "p90"):
        frame[q] = [fan[m][q] * rate if m in fan else None for m in frame["month"]]
    return frame


def _advance_row(store, advance_id: int) -> dict | None:
    with store.reader() as cur:
        cur.execute(sql("advances_get"), {"id": int(advance_id)})
        names = [c[0] for c in cur.description]
        row = cur.fetchone()
    return dict(zip(names, row)) if row else None


# ------------------------------------------------------------------ signing

class UnknownClient(ValueError):
    """The client named is not in the orders or the archive."""


def add_advance(store, client: str, amount, start: dt.date, term_months: int, rule: str = "refund",
                recoup_rate: float = 1.0, scenario_id: int | None = None, note: str | None = None,
                who: str | None = None) -> int:
    """Sign an advance; returns its id. Clients are matched like uploaded names (UnknownClient when
    not found); other bad terms raise ValueError. Nothing is written on an error."""
    amount = _check_amount(amount)
    if not isinstance(start, dt.date):
        raise ValueError("the advance needs a start date")
    if isinstance(start, dt.datetime):
        start = start.date()
    if isinstance(term_months, bool) or not float(term_months).is_integer() \
            or not 1 <= int(term_months) <= MAX_TERM_MONTHS:
        raise ValueError(f"term must be whole months between 1 and {MAX_TERM_MONTHS}, got {term_months!r}")
    if rule not in RULES:
        raise ValueError(f"rule must be refund or extend, got {rule!r}")
    rate = float(recoup_rate)
    if not (math.isfinite(rate) and 0 < rate <= 1):
        raise ValueError(f"recoup rate must be above 0 and at most 1, got {recoup_rate!r}")
    found = find_client(store, client)
    if found is None:
        raise UnknownClient(f"unknown client {client!r}")
    with store.write() as cur:
        row = cur.execute(sql("advances_insert"), {
            "key": found[0], "name": found[1], "amount": str(amount), "start": start,
            "term_months": int(term_months), "rule": rule, "recoup_rate": rate,
            "scenario_id": None if scenario_id is None else int(scenario_id),
            "note": (note or "").strip() or None, "who": who}).fetchone()
    return int(row[0])


def _check_amount(amount) -> Decimal:
    try:
        value = Decimal(str(amount))
    except ArithmeticError:
        raise ValueError(f"amount must be a number, got {amount!r}") from None
    if not value.is_finite() or value <= 0 or value >= MAX_AMOUNT:
        raise ValueError(f"amount must be above 0 and below {MAX_AMOUNT:,.0f}, got {amount!r}")
    return value.quantize(Decimal("0.0001"))


def sign_scenario(store, scenario_id: int, start: dt.date, amount=None, client: str | None = None,
                  recoup_rate: float = 1.0, note: str | None = None, who: str | None = None) -> int:
    """Sign a saved prepayment scenario: its term and rule, its client (or the one given), and the
    amount given, else the advance typed in the scenario, else its recommended advance."""
    found = scenario(store, scenario_id)
    if found is None:
        raise ValueError(f"no saved scenario #{scenario_id}")
    inputs, results = found["inputs"], found["results"]
    chosen = client or found.get("client_key")
    if not chosen:
        raise UnknownClient("the scenario names no client; choose one")
    if amount is None:
        amount = results.get("advance") or results["recommended_advance"]
    return add_advance(store, chosen, amount, start, inputs.term_months, inputs.rule, recoup_rate,
                       scenario_id=int(scenario_id), note=note or found.get("name"), who=who)


def delete_advance(store, advance_id: int) -> None:
    with store.write() as cur:
        cur.execute(sql("advances_delete"), {"id": int(advance_id)})


# ------------------------------------------------------------------ saved scenarios

def scenario(store, scenario_id: int) -> dict | None:
    """A saved prepayment scenario (kam_core.scenarios.get): scenario_id, name, client_key,
    inputs (PrepayInputs), results (forecast, recommended_advance, cumulative_fan ...); None when
    there is none."""
    try:
        return scenarios.get(store, int(scenario_id))
    except KeyError:
        return None


def saved_scenarios(store, client_key: str | None = None) -> pd.DataFrame:
    """Saved prepayment scenarios to sign, newest first: scenario_id, name, client_key, client,
    term_months, rule, recommended_advance, advance (typed in the scenario, else NaN), p50."""
    frame = scenarios.list_scenarios(store, client_key)
    return pd.DataFrame({
        "scenario_id": frame["scenario_id"].astype(int), "name": frame["name"], "client_key": frame["client_key"],
        "client": frame["client_name"], "term_months": frame["term_months"], "rule": frame["rule"],
        "recommended_advance": frame["recommended_advance"], "advance": frame["advance"], "p50": frame["p50"]})


def _scenario_fan(store, scenario_id) -> dict[int, dict[str, float]]:
    """month -> {p10, p50, p90} of the scenario's cumulative channel sales; {} without one."""
    if scenario_id is None or pd.isna(scenario_id):
        return {}
    found = scenario(store, int(scenario_id))
    return fan_by_month(found["results"].get("cumulative_fan")) if found else {}


def fan_by_month(fan) -> dict[int, dict[str, float]]:
    """A fan as {month: [...], p10: [...], p50: [...], p90: [...]} or as a list of {month, p10, p50, p90}
    -> {month: {p10, p50, p90}}."""
    if not fan:
        return {}
    if isinstance(fan, dict):
        return {int(m): {q: float(fan[q][i]) for q in ("p10", "p50", "p90")} for i, m in enumerate(fan["month"])}
    return {int(p["month"]): {q: float(p[q]) for q in ("p10", "p50", "p90")} for p in fan}
