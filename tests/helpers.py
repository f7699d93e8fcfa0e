"""Building small stores from hand-made order lines, through the real import path."""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from kam_core.ingest import importer
from kam_core.store import Store

TODAY = dt.date(2026, 11, 23)

# role -> the header written to the test CSV (English synonyms the importer knows)
HEADERS = {"client": "customer", "date": "date", "amount": "amount", "profit": "profit", "quantity": "qty",
           "unit_price": "unit price", "order_id": "order id", "category": "category", "region": "region",
           "city": "city", "chain_scope": "chain scope", "store_count": "stores", "owner": "owner",
           "channel": "channel", "group": "group", "client_id": "customer id"}


def write_orders_csv(path: Path, rows: list[dict]) -> Path:
    """rows: dicts keyed by role (client, date, amount, ...); dates as date or ISO text."""
    roles = [r for r in HEADERS if any(r in row for row in rows)]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow([HEADERS[r] for r in roles])
        for row in rows:
            writer.writerow(["" if row.get(r) is None else str(row[r]) for r in roles])
    return path


def import_orders(store: Store, tmp_path: Path, rows: list[dict], name: str = "orders.csv",
                  data_through: dt.date | None = None, on_overlap: str = "keep"):
    """Import hand-made order lines with an explicit mapping; returns the ImportReport."""
    path = write_orders_csv(tmp_path / name, rows)
    roles = [r for r in HEADERS if any(r in row for row in rows)]
    return importer.import_file(store, str(path), name, kind="orders",
                                mapping_by_header={r: HEADERS[r] for r in roles},
                                data_through=data_through, on_overlap=on_overlap, today=TODAY)


def store_with_orders(tmp_path: Path, rows: list[dict], data_through: dt.date | None = None) -> Store:
    """A fresh store holding exactly these order lines."""
    store = Store(tmp_path / "kam.duckdb")
    import_orders(store, tmp_path, rows, data_through=data_through)
    return store


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


ROOT = Path(__file__).resolve().parent.parent


def open_page(script: str = "app.py", lang: str = "en", timeout: int = 60, **state):
    """An AppTest on a page, reached as a user does: the entry page first, then the page.

    (Pages link to each other with st.page_link, which needs the real entry point.)
    """
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at.session_state["lang"] = lang
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    if script != "app.py":
        at.switch_page(script)
        at.run()
    return at
