"""Rejects and warnings as tables a manager reads: row, reason in their language, column, value."""
from __future__ import annotations

from collections import Counter

import pandas as pd

from kam_core.i18n import t
from kam_core.ingest.canonical import Reject, Warning


def rejects_frame(rejects: list[Reject], lang: str) -> pd.DataFrame:
    """One row per rejected source row, in file order."""
    return pd.DataFrame({
        t("imp.col_row", lang): [r.row for r in rejects],
        t("imp.col_reason", lang): [t(f"reject.{r.code}", lang) for r in rejects],
        t("imp.col_column", lang): [r.column for r in rejects],
        t("imp.col_value", lang): [r.value for r in rejects],
        t("imp.col_raw", lang): [" | ".join(f"{k}: {v}" for k, v in r.raw.items()) for r in rejects],
    })


def rejects_by_reason(rejects: list[Reject], lang: str) -> pd.DataFrame:
    """Counts per reason, largest first, with the first rows of each as examples."""
    groups: dict[str, list[int]] = {}
    for r in rejects:
        groups.setdefault(r.code, []).append(r.row)
    rows = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return pd.DataFrame({
        t("imp.col_reason", lang): [t(f"reject.{code}", lang) for code, _ in rows],
        t("imp.count", lang): [len(r) for _, r in rows],
        t("imp.col_row", lang): [", ".join(str(x) for x in r[:8]) + (" …" if len(r) > 8 else "") for _, r in rows],
    })


def main_reject(rejects: list[Reject], rows_read: int) -> tuple[str, int] | None:
    """The reason behind at least half of the rows read, with its count: the file as a whole has
    that problem (a wrong column mapped, a monthly summary), worth saying before any detail."""
    counts = Counter(r.code for r in rejects)
    if not counts:
        return None
    code, count = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
    return (code, count) if rows_read and 2 * count >= rows_read else None


def main_reject_line(rejects: list[Reject], rows_read: int, lang: str) -> str | None:
    """main_reject in one sentence, or None."""
    main = main_reject(rejects, rows_read)
    if main is None:
        return None
    reason = t(f"reject.{main[0]}", lang)
    if lang == "en":
        reason = reason[:1].lower() + reason[1:]
    return t("imp.main_reject", lang, count=main[1], read=rows_read, reason=reason)


def warning_lines(warnings: list[Warning], lang: str) -> list[str]:
    return [t("warn.unreadable", lang, column=w.column, count=w.count, rows=", ".join(map(str, w.rows)))
            for w in warnings]


def reject_sentence(r: Reject, lang: str) -> str:
    """"Row 12: Date not readable (column “下单日期”, value “2024-13-45”)"."""
    reason = t(f"reject.{r.code}", lang)
    if r.value in (None, ""):
        return t("reject.detail_novalue", lang, row=r.row, reason=reason, column=r.column or "")
    return t("reject.detail", lang, row=r.row, reason=reason, column=r.column or "", value=r.value)


PREVIEW_COLUMNS = {  # canonical column -> role, in the order a manager reads a line
    "orders": [("source_row", None), ("client_name", "client"), ("client_id", "client_id"), ("order_date", "date"),
               ("amount", "amount"), ("profit", "profit"), ("quantity", "quantity"), ("unit_price", "unit_price"),
               ("order_id", "order_id"), ("category", "category"), ("region", "region"), ("city", "city"),
               ("chain_scope", "chain_scope"), ("store_count", "store_count"), ("owner", "owner"),
               ("channel", "channel"), ("group_name", "group")],
    "clients": [("source_row", None), ("client_name", "client"), ("client_id", "client_id"), ("group_name", "group"),
                ("chain_scope", "chain_scope"), ("store_count", "store_count"), ("owner", "owner"),
                ("region", "region"), ("city", "city"), ("service_level", "service_level"),
                ("potential", "potential"), ("note", "note")],
    "targets": [("source_row", None), ("name", "client"), ("level", None), ("period", "period"), ("target", "target")],
    "contacts": [("source_row", None), ("contact_date", "date"), ("client_name", "client"), ("kind", "kind"),
                 ("who", "who"), ("note", "note")],
}


def preview_frame(table, kind: str, mapping: dict, lang: str, rows: int = 20) -> pd.DataFrame:
    """The first cleaned rows with the mapped fields only, headed in the user's language."""
    frame = table.slice(0, rows).to_pandas()
    out = {}
    for column, role in PREVIEW_COLUMNS[kind]:
        if column not in frame.columns:
            continue
        if role is None:
            label = t("imp.col_row", lang) if column == "source_row" else t("imp.level", lang)
        elif role in mapping or (role == "amount" and kind == "orders"):
            label = t(f"role.{role}", lang)
        else:
            continue
        out[label] = frame[column]
    # a field the row leaves empty shows as — (a preview to read, not to sort)
    return pd.DataFrame(out).astype(object).where(lambda f: f.notna(), "—")
