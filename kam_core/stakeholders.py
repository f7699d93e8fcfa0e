"""The stakeholder map of a client (or a group): who decides, who influences, and where they stand.

Attitude uses the scale sales teams use: +5 fully supports us, +4 champions us,
+3 supports, +2 interested, +1 open, -1 not opposed, -2 not interested,
-3 opposed, -5 strongly opposed, -10 leans to a competitor. The map lives in
the stakeholders table, keyed by the unit key, so it survives re-imports of
order lines (imports never touch it).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from kam_core.store import sql

DECISION_ROLES = ("decision_maker", "influencer", "user", "gatekeeper")
ATTITUDES = (5, 4, 3, 2, 1, -1, -2, -3, -5, -10)
COLUMNS = ["stakeholder_id", "name", "title", "decision_role", "attitude", "note", "updated_at"]
EDITABLE = ["name", "title", "decision_role", "attitude", "note"]


class InvalidStakeholder(ValueError):
    """A row of the map that cannot be saved: `problem` names what (i18n key suffix), `row` is 1-based."""

    def __init__(self, problem: str, row: int, value=None):
        super().__init__(f"row {row}: {problem} ({value!r})")
        self.problem = problem
        self.row = row
        self.value = value


@dataclass(frozen=True)
class Stakeholder:
    name: str
    title: str | None = None
    decision_role: str | None = None
    attitude: int | None = None
    note: str | None = None
    stakeholder_id: int | None = None


def stakeholders(store, unit_key: str) -> pd.DataFrame:
    """The map: stakeholder_id, name, title, decision_role, attitude, note, updated_at."""
    frame = store.query("stakeholders_list", unit=unit_key)
    frame["attitude"] = frame["attitude"].astype("Int64")
    return frame[COLUMNS]


def _blank(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)) or (
        isinstance(value, str) and not value.strip())


def _text(value) -> str | None:
    return None if _blank(value) else str(value).strip()


def clean_row(raw: dict, row: int) -> Stakeholder | None:
    """One edited row to a Stakeholder; None for an empty row; InvalidStakeholder when unusable."""
    if all(_blank(raw.get(c)) for c in EDITABLE):
        return None
    name = _text(raw.get("name"))
    if name is None:
        raise InvalidStakeholder("no_name", row)
    role = _text(raw.get("decision_role"))
    if role is not None and role not in DECISION_ROLES:
        raise InvalidStakeholder("bad_role", row, role)
    attitude = raw.get("attitude")
    if _blank(attitude):
        attitude = None
    else:
        try:
            attitude = int(attitude)
        except (TypeError, ValueError):
            raise InvalidStakeholder("bad_attitude", row, attitude) from None
        if attitude not in ATTITUDES:
            raise InvalidStakeholder("bad_attitude", row, attitude)
    sid = raw.get("stakeholder_id")
    return Stakeholder(name=name, title=_text(raw.get("title")), decision_role=role, attitude=attitude,
                       note=_text(raw.get("note")), stakeholder_id=None if _blank(sid) else int(sid))


def save_stakeholders(store, unit_key: str, edited: pd.DataFrame) -> int:
    """Make the unit's map exactly the edited table (rows kept by id, new rows added, missing rows
    removed), in one transaction. Returns the number of people on the map."""
    people = [p for i, raw in enumerate(edited.to_dict("records"), start=1) if (p := clean_row(raw, i)) is not None]
    keep = [p.stakeholder_id for p in people if p.stakeholder_id is not None]
    with store.write() as cur:
        cur.execute(sql("stakeholders_delete"), {"unit": unit_key, "keep": keep})
        for p in people:
            values = {"unit": unit_key, "name": p.name, "title": p.title, "role": p.decision_role,
                      "attitude": p.attitude, "note": p.note}
            if p.stakeholder_id is None:
                cur.execute(sql("stakeholders_insert"), values)
            else:
                cur.execute(sql("stakeholders_update"), {**values, "id": p.stakeholder_id})
    return len(people)


def add_stakeholder(store, unit_key: str, name: str, title: str | None = None, decision_role: str | None = None,
                    attitude: int | None = None, note: str | None = None) -> int:
    """Add one person to the map; returns their id."""
    p = clean_row({"name": name, "title": title, "decision_role": decision_role, "attitude": attitude,
                   "note": note}, 1)
    if p is None:
        raise InvalidStakeholder("no_name", 1)
    with store.write() as cur:
        row = cur.execute(sql("stakeholders_insert"), {"unit": unit_key, "name": p.name, "title": p.title,
                                                       "role": p.decision_role, "attitude": p.attitude,
                                                       "note": p.note}).fetchone()
    return int(row[0])


def support_balance(frame: pd.DataFrame) -> dict:
    """Where the room stands: people for us (attitude > 0), against (< 0), unknown, and the decision makers'
    lowest attitude (the vote that can stop a deal)."""
    att = frame["attitude"]
    makers = frame.loc[frame["decision_role"] == "decision_maker", "attitude"].dropna()
    return {"people": int(len(frame)), "for": int((att > 0).sum()), "against": int((att < 0).sum()),
            "unknown": int(att.isna().sum()),
            "decision_maker_min": None if makers.empty else int(makers.min())}
