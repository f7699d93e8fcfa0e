"""The follow-up log of the churn watchlist: per client a status, an owner, a next step and dated notes.

Kept in the followups / followup_notes tables, which imports never touch, so
the log survives re-imports of orders. Each note is also recorded as a contact
(source 'followup') so the coverage page sees the visit or call.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from kam_core.cache import by_version
from kam_core.i18n import t
from kam_core.store import sql

STATUSES = ("open", "contacted", "recovering", "saved", "lost")
CONTACT_KINDS = ("visit", "call", "meeting", "review")
LOG_COLUMNS = ["note_id", "note_date", "kind", "author", "text", "created_at"]
BOARD_COLUMNS = ["client_key", "client_name", "status", "owner", "next_step", "updated_at", "notes",
                 "last_note_date", "last_note"]


def _blank_to_none(text: str | None) -> str | None:
    if text is None:
        return None
    text = str(text).strip()
    return text or None


def _require_client(cur, client_key: str) -> None:
    known = cur.execute("SELECT count(*) FROM client_dim WHERE client_key = $k", {"k": client_key}).fetchone()[0]
    if not known:
        raise ValueError(f"unknown client {client_key!r}")


def set_status(store, client_key: str, status: str, owner: str | None = None, next_step: str | None = None) -> None:
    """Set a client's follow-up status; owner and next step change only when given.

    ValueError for an unknown status or client.
    """
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r} ({', '.join(STATUSES)})")
    with store.write() as cur:
        _require_client(cur, client_key)
        cur.execute(sql("followup_upsert"), {"client_key": client_key, "status": status,
                                             "owner": _blank_to_none(owner), "next_step": _blank_to_none(next_step)})


def add_note(store, client_key: str, text: str, author: str | None, note_date: dt.date,
             kind: str | None = None) -> int:
    """Add a dated note (and the contact it records); returns the note id.

    A client without a follow-up gets one (status open). ValueError for an empty note or an
    unknown client.
    """
    return add_notes(store, [client_key], text, author, note_date, kind)[0]


def add_notes(store, client_keys: list[str], text: str, author: str | None, note_date: dt.date,
              kind: str | None = None) -> list[int]:
    """The same note for several clients (a group's members), all or none in one transaction."""
    text = _blank_to_none(text)
    if text is None:
        raise ValueError("a note needs text")
    if not isinstance(note_date, dt.date):
        raise ValueError("a note needs a date")
    ids = []
    with store.write() as cur:
        for client_key in client_keys:
            params = {"client_key": client_key, "note_date": note_date, "author": _blank_to_none(author),
                      "text": text, "kind": _blank_to_none(kind)}
            _require_client(cur, client_key)
            contact_id = cur.execute(sql("followup_contact_insert"), params).fetchone()[0]
            ids.append(int(cur.execute(sql("followup_note_insert"), {**params, "contact_id": contact_id}).fetchone()[0]))
            cur.execute(sql("followup_open"), {"client_key": client_key})
    return ids


def followup_log(store, client_key: str) -> pd.DataFrame:
    """One client's notes, latest first: note_id, note_date, kind, author, text, created_at."""
    frame = store.query("followup_log", client_key=client_key)
    frame["note_date"] = pd.to_datetime(frame["note_date"]).dt.date
    return frame[LOG_COLUMNS]


@by_version()
def board(store) -> pd.DataFrame:
    """Every follow-up with its latest note: BOARD_COLUMNS. Cached per data version."""
    frame = store.query("followup_board")
    frame["last_note_date"] = pd.to_datetime(frame["last_note_date"]).dt.date
    return frame[BOARD_COLUMNS]


def status_of(store, client_key: str) -> dict | None:
    """A client's follow-up (status, owner, next_step, updated_at), None when it has none."""
    frame = board(store)
    hit = frame[frame["client_key"] == client_key]
    if hit.empty:
        return None
    row = hit.iloc[0]
    return {"status": row["status"], "owner": row["owner"], "next_step": row["next_step"],
            "updated_at": row["updated_at"]}


def all_notes(store) -> pd.DataFrame:
    """Every note: client_key, client_name, note_date, kind, author, text, created_at (latest first)."""
    frame = store.query("followup_notes_all")
    frame["note_date"] = pd.to_datetime(frame["note_date"]).dt.date
    return frame


def attach(store, frame: pd.DataFrame, key: str = "unit_key") -> pd.DataFrame:
    """frame with each client's follow-up beside it: status (None when not followed up), fu_owner,
    next_step, last_note_date, last_note."""
    follow = board(store)[["client_key", "status", "owner", "next_step", "last_note_date", "last_note"]]
    follow = follow.rename(columns={"client_key": key, "owner": "fu_owner"})
    out = frame.merge(follow, on=key, how="left")
    for column in ("status", "fu_owner", "next_step", "last_note_date", "last_note"):
        out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out


# ------------------------------------------------------------------ sheets in the reader's language

def _status_word(status, lang: str) -> str:
    return t(f"churn.status.{status or 'none'}", lang)


def _kind_word(kind, lang: str) -> str | None:
    if kind is None or (isinstance(kind, float) and pd.isna(kind)):
        return None
    return t(f"churn.kind.{kind}", lang) if kind in CONTACT_KINDS else str(kind)


def export_frame(store, lang: str) -> pd.DataFrame:
    """Every follow-up as a sheet with localized headers."""
    frame = board(store)
    return pd.DataFrame({
        t("w.client", lang): frame["client_name"],
        t("churn.col.status", lang): [_status_word(s, lang) for s in frame["status"]],
        t("churn.col.fu_owner", lang): frame["owner"],
        t("churn.col.next_step", lang): frame["next_step"],
        t("churn.col.notes", lang): frame["notes"],
        t("churn.col.last_note_date", lang): frame["last_note_date"],
        t("churn.col.last_note", lang): frame["last_note"],
        t("churn.col.updated", lang): frame["updated_at"],
    })


def log_frame(log: pd.DataFrame, lang: str) -> pd.DataFrame:
    """One client's notes (followup_log) with localized headers."""
    return pd.DataFrame({
        t("churn.fu.note_date", lang): log["note_date"],
        t("churn.fu.kind", lang): [_kind_word(k, lang) for k in log["kind"]],
        t("churn.fu.author", lang): log["author"],
        t("churn.fu.text", lang): log["text"],
    })


def notes_frame(store, lang: str) -> pd.DataFrame:
    """Every note with its client, localized headers (the export's second sheet)."""
    notes = all_notes(store)
    return pd.DataFrame({t("w.client", lang): notes["client_name"], **log_frame(notes, lang).to_dict("series")})
