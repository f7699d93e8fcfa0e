"""Where things live. Paths can be moved with environment variables (KAM_DB)."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
DEMO_WORKBOOK = DATA_DIR / "demo_portfolio.xlsx"


def db_path() -> Path:
    """The DuckDB file: $KAM_DB, else data/kam.duckdb beside the app."""
    return Path(os.environ.get("KAM_DB") or DATA_DIR / "kam.duckdb")
