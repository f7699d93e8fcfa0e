"""The KA archive (大客户档案): reading it with the facts orders give, editing it, groups.

The archive holds one row per client (group, chain scope, store count, owner,
region, city, service level, entered annual potential, note) and wins over the
order lines where they disagree. Edits in the app write only the fields the
user changed, in one transaction that also rebuilds client_dim; they belong to
no import (dataset_id NULL), so they survive order re-imports and the deletion
of the archive's own import.
"""
from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal, InvalidOperation

import pandas as pd

from kam_core import periods, portfolio, tiers
from kam_core.cache import by_version
from kam_core.i18n import t
from kam_core.ingest.canonical import CHAIN_SCOPES
from kam_core.ingest.clean import client_key, display_name
from kam_core.plan import choice_mask
from kam_core.store import rebuild_client_dim, run_script

# Editable fields, in the order forms and exports show them.
FIELDS = ("group_name", "chain_scope", "store_count", "owner", "region", "city", "service_level", "potential", "note")
TEXT_FIELDS = ("group_name", "owner", "region", "city", "note")
SCOPES = tuple(CHAIN_SCOPES)                 # 全国连锁, 区域连锁, 单城
SERVICE_LEVELS = ("A", "B", "C")

TABLE_COLUMNS = ["client_key", "client_name", "in_archive", "has_orders", "group_name", "chain_scope", "store_count",
                 "owner", "region", "city", "service_level", "potential", "note", "t12m", "tier", "first_order",
                 "last_order", "group_key", "group_label", "updated_at", "updated_by"]


class ArchiveError(ValueError):
    """An edit that cannot be saved; `code` names why (arc.err.<code> in the locales)."""

    def __init__(self, code: str, **detail):
        super().__init__(code)
        self.code = code
        self.detail = detail

    def message(self, lang: str) -> str:
        return t(f"arc.err.{self.code}", lang, **self.detail)


# ------------------------------------------------------------------ reading

@by_version()
def archive_table(store, as_of: dt.date | None = None) -> pd.DataFrame:
    """Every client in the archive or with orders, with t12m revenue and the current tier at as_of.

    Columns: TABLE_COLUMNS. Fields are what the app uses (the archive's, else the latest order
    line's); in_archive says whether the client has an archive row, has_orders whether it has
    order lines. Prospects have t12m 0. tier is None without a current tier. Largest t12m first.
    """
    as_of = as_of or portfolio.bounds(store).data_end or dt.date.today()
    start, end = periods.trailing_year(as_of)
    frame = store.query("archive_clients", t12m_start=start, as_of=end)
    tier_of = _tier_map(store, as_of)
    frame["tier"] = frame["client_key"].map(tier_of).astype(object)
    frame["tier"] = frame["tier"].where(frame["tier"].notna(), None)
    frame["store_count"] = frame["store_count"].astype("Int64")
    frame["in_archive"] = frame["in_archive"].astype(bool)
    frame["has_orders"] = frame["has_orders"].astype(bool)
    return frame[TABLE_COLUMNS]


def _tier_map(store, as_of: dt.date) -> dict[str, str]:
    data_end = portfolio.bounds(store).data_end
    if data_end is None:
        return {}
    current = tiers.current_tiers(store, as_of, "client", data_end)
    return dict(zip(current["unit_key"], current["tier"]))


def prospects(table: pd.DataFrame) -> pd.DataFrame:
    """Archive clients without orders."""
    return table[table["in_archive"] & ~table["has_orders"]].reset_index(drop=True)


def missing_from_archive(table: pd.DataFrame) -> pd.DataFrame:
    """Order clients without an archive row, the largest t12m first: the ones to complete."""
    return table[~table["in_archive"]].reset_index(drop=True)


def filter_table(table: pd.DataFrame, scope: str = "all", regions=(), owners=(), tier_names=(),
                 search: str = "") -> pd.DataFrame:
    """Rows of a view: scope all | archive | prospects | missing; regions, owners, tiers ('none' = no
    tier) chosen (empty keeps all); search matches the name as identities match (NFKC, casefold)."""
    keep = pd.Series(True, index=table.index)
    if scope == "archive":
        keep &= table["in_archive"]
    elif scope == "prospects":
        keep &= table["in_archive"] & ~table["has_orders"]
    elif scope == "missing":
        keep &= ~table["in_archive"]
    keep &= choice_mask(table, regions, owners, tier_names)
    needle = client_key(search or "")
    if needle:
        keep &= table["client_key"].str.contains(needle, regex=False) | \
            table["group_label"].fillna("").map(client_key).str.contains(needle, regex=False)
    return table[keep].reset_index(drop=True)


@by_version()
def group_members(store, group_key: str, start: dt.date | None = None, end: dt.date | None = None) -> pd.DataFrame:
    """The member clients of a group, with their revenue in [start, end] (all data when open).

    Columns: client_key, client_name, group_label, owner, region, city, chain_scope, store_count,
    in_archive, revenue, first_order, last_order. A client without a group is its own group's
    only member.
    """
    return store.query("archive_group_members", group_key=group_key, start=start, end=end)


@by_version()
def groups(store, start: dt.date | None = None, end: dt.date | None = None) -> pd.DataFrame:
    """Named groups: group_key, group_label, members, revenue in [start, end], active_members."""
    return store.query("archive_groups", start=start, end=end)


# ------------------------------------------------------------------ editing

def clean_fields(fields: dict) -> dict:
    """Form or grid values as stored: text trimmed (blank -> None), scope and level checked,
    store count a whole number >= 0, potential a number >= 0. ArchiveError when unusable."""
    out = {}
    for name, value in fields.items():
        if name not in FIELDS and name != "client_name":
            raise ArchiveError("unknown_field", field=name)
        out[name] = _clean(name, value)
    return out


def is_blank(value) -> bool:
    """None, NaN, NA or blank text: a cell left empty."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _clean(name: str, value):
    if is_blank(value):
        return None
    if name in TEXT_FIELDS or name == "client_name":
        return display_name(str(value))
    if name == "chain_scope":
        text = str(value).strip()
        if text not in SCOPES:
            raise ArchiveError("bad_scope", value=text)
        return text
    if name == "service_level":
        text = str(value).strip().upper()
        if text not in SERVICE_LEVELS:
            raise ArchiveError("bad_level", value=str(value))
        return text
    if name == "store_count":
        number = _number(value, name)
        if number < 0 or number != number.to_integral_value():
            raise ArchiveError("bad_stores", value=str(value))
        return int(number)
    if name == "potential":
        number = _number(value, name)
        if number < 0:
            raise ArchiveError("bad_potential", value=str(value))
        return number
    return value


def _number(value, name: str) -> Decimal:
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise ArchiveError("bad_stores" if name == "store_count" else "bad_potential", value=str(value)) from None
    if not number.is_finite():
        raise ArchiveError("bad_stores" if name == "store_count" else "bad_potential", value=str(value))
    return number


def update_clients(store, changes: dict[str, dict], who: str = "app") -> int:
    """Write changed fields of several clients (client_key -> {field: value}) in one transaction.

    A client not yet in the archive gets a row holding only these fields (the order lines still
    fill the rest); a new client needs a client_name. Rebuilds client_dim in the same transaction.
    Returns the number of clients written. ArchiveError (nothing written) on an unusable value.
    """
    cleaned = {key: clean_fields(fields) for key, fields in changes.items() if fields}
    if not cleaned:
        return 0
    with store.write() as cur:
        known = dict(cur.execute("SELECT client_key, client_name FROM client_dim").fetchall())
        for key, fields in cleaned.items():
            name = fields.get("client_name") or known.get(key)
            if not name:
                raise ArchiveError("missing_name")
            params = {"key": key, "client_name": name, "who": who,
                      **{f: fields.get(f) for f in FIELDS},
                      **{f"set_{f}": f in fields for f in ("client_name",) + FIELDS}}
            params["potential"] = None if params["potential"] is None else str(params["potential"])
            run_script(cur, "archive_update", **params)
        rebuild_client_dim(cur)
    return len(cleaned)


def add_client(store, name: str, fields: dict | None = None, who: str = "app") -> str:
    """A client added to the archive by hand (a prospect, or an order client being completed).

    Returns its key. ArchiveError when the name is blank or the client is already in the archive.
    """
    if is_blank(name):
        raise ArchiveError("missing_name")
    key = client_key(str(name))
    if not key:
        raise ArchiveError("missing_name")
    with store.reader() as cur:
        exists = cur.execute("SELECT count(*) FROM clients WHERE client_key = $k", {"k": key}).fetchone()[0]
    if exists:
        raise ArchiveError("exists", name=display_name(str(name)))
    update_clients(store, {key: {"client_name": name, **(fields or {})}}, who)
    return key


def add_from_orders(store, keys: list[str], who: str = "app") -> int:
    """Order clients added to the archive with what their lines say (owner, region, scope...)."""
    if not keys:
        return 0
    table = archive_table(store)
    rows = table[table["client_key"].isin(keys) & ~table["in_archive"]]
    changes = {}
    for row in rows.itertuples(index=False):
        fields = {"client_name": row.client_name}
        for name in ("group_name", "chain_scope", "store_count", "owner", "region", "city"):
            value = getattr(row, name)
            if not is_blank(value):
                fields[name] = int(value) if name == "store_count" else value
        if fields.get("chain_scope") not in (None, *SCOPES):
            fields.pop("chain_scope")   # a scope the import could not name stays with the lines
        changes[row.client_key] = fields
    return update_clients(store, changes, who)


def save_client(store, key: str, entered: dict, who: str = "app") -> int:
    """Save one client's form: the fields that differ from what the app shows now are written.

    A client shown from its order lines only joins the archive on save even when nothing was
    changed (the user confirmed what the lines say is right for it). Returns clients written.
    """
    table = archive_table(store)
    rows = table[table["client_key"] == key]
    if rows.empty:
        raise ArchiveError("unknown_client", name=key)
    row = rows.iloc[0]
    before = pd.DataFrame([{f: row[f] for f in FIELDS}], index=[key])
    after = pd.DataFrame([{f: entered.get(f, row[f]) for f in FIELDS}], index=[key])
    changes = grid_changes(before, after)
    if not row["in_archive"]:
        changes.setdefault(key, {})["client_name"] = row["client_name"]
    return update_clients(store, changes, who)


def grid_frame(table: pd.DataFrame, divisor: float = 1.0) -> pd.DataFrame:
    """The archive rows for a bulk-edit grid: indexed by client_key, client_name then FIELDS,
    potential in units of divisor (万元: 10,000)."""
    rows = table[table["in_archive"]].set_index("client_key")[["client_name", *FIELDS]].copy()
    rows["potential"] = rows["potential"].astype(float) / divisor
    rows["store_count"] = rows["store_count"].astype("Float64")
    return rows


def in_yuan(value, divisor: float) -> Decimal | None:
    """Money typed in a unit (万元: divisor 10,000) as yuan, exactly; None when blank."""
    return None if is_blank(value) else Decimal(str(value)) * Decimal(str(divisor))


def save_grid(store, before: pd.DataFrame, after: pd.DataFrame, divisor: float = 1.0, who: str = "app") -> int:
    """Write the cells a grid edit changed (potential given in units of divisor)."""
    changes = grid_changes(before, after)
    for fields in changes.values():
        if "potential" in fields:
            fields["potential"] = in_yuan(fields["potential"], divisor)
    return update_clients(store, changes, who)


def remove_client(store, key: str) -> None:
    """Take a client out of the archive (its order lines stay)."""
    with store.write() as cur:
        cur.execute("DELETE FROM clients WHERE client_key = $k", {"k": key})
        cur.execute("DELETE FROM client_layers WHERE client_key = $k", {"k": key})
        rebuild_client_dim(cur)


def grid_changes(before: pd.DataFrame, after: pd.DataFrame) -> dict[str, dict]:
    """The cells a grid edit changed: client_key -> {field: new value}. Both frames are indexed by
    client_key with the editable FIELDS as columns; unchanged cells are not returned, so a value
    the order lines supply is never frozen into the archive by a save."""
    changes: dict[str, dict] = {}
    columns = [c for c in FIELDS if c in after.columns]
    for key in after.index:
        if key not in before.index:
            continue
        for name in columns:
            old, new = before.at[key, name], after.at[key, name]
            if _same(old, new):
                continue
            changes.setdefault(key, {})[name] = new
    return changes


def _same(old, new) -> bool:
    if is_blank(old) and is_blank(new):
        return True
    if is_blank(old) or is_blank(new):
        return False
    try:
        return Decimal(str(old)) == Decimal(str(new))
    except InvalidOperation:
        return str(old).strip() == str(new).strip()


# ------------------------------------------------------------------ export

EXPORT_FIELDS = ("client_name",) + FIELDS + ("t12m", "tier", "last_order")


def export_frame(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The archive as a workbook sheet whose headers the import reads back as an archive
    (client, group, scope, stores, owner, region, city, level, potential in yuan, note), followed
    by the derived facts (t12m revenue, current tier, last order)."""
    out = pd.DataFrame({t(f"arc.x.{name}", lang): table[name] for name in EXPORT_FIELDS})
    tier_column = t("arc.x.tier", lang)
    out[tier_column] = [t(f"tier.{x}", lang) if x else None for x in table["tier"]]
    out[t("arc.x.store_count", lang)] = table["store_count"].astype(object).where(table["store_count"].notna(), None)
    return out
