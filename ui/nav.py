"""The translated menu: st.navigation and a pages/ folder conflict, so links are drawn by hand."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (script, i18n key, icon, section)
PAGES = [
    ("app.py", "nav.overview", ":material/dashboard:", "analyse"),
    ("pages/2_pareto.py", "nav.pareto", ":material/stacked_line_chart:", "analyse"),
    ("pages/3_tiers.py", "nav.tiers", ":material/military_tech:", "analyse"),
    ("pages/4_churn.py", "nav.churn", ":material/notifications_active:", "analyse"),
    ("pages/5_prepay.py", "nav.prepay", ":material/payments:", "analyse"),
    ("pages/6_profile.py", "nav.profile", ":material/person_search:", "manage"),
    ("pages/7_meeting.py", "nav.meeting", ":material/co_present:", "manage"),
    ("pages/8_archive.py", "nav.archive", ":material/folder_shared:", "manage"),
    ("pages/9_targets.py", "nav.targets", ":material/flag:", "manage"),
    ("pages/10_coverage.py", "nav.coverage", ":material/event_available:", "manage"),
    ("pages/11_advances.py", "nav.advances", ":material/account_balance:", "manage"),
    ("pages/12_explore.py", "nav.explore", ":material/query_stats:", "data"),
    ("pages/13_import.py", "nav.import", ":material/upload_file:", "data"),
    ("pages/14_datasets.py", "nav.datasets", ":material/database:", "data"),
]
SECTIONS = ("analyse", "manage", "data")


def available() -> list[tuple[str, str, str, str]]:
    """The pages that exist in this checkout."""
    return [p for p in PAGES if (ROOT / p[0]).exists()]


def script_of(key: str) -> str:
    return next(p[0] for p in PAGES if p[1] == f"nav.{key}")
