"""The meeting (经营分析会): which clients to walk through, the agenda, the notes, and the pack.

The pack is the portfolio summary and the chosen clients' profiles, as
(a) one self-contained HTML file with interactive charts that works offline
(plotly.js inlined once; every text escaped) and (b) an Excel workbook with the
tables and native Excel charts (every text written as a text cell, chart titles
taken from cells, so nothing from an uploaded file becomes a formula).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from kam_core import periods, portfolio
from kam_core.cache import by_version
from kam_core.i18n import t
from kam_core.profile import Profile, client_profile
from kam_core.ranks import TIERS, unit_names

LISTS = ("ka", "watchlist", "tier", "custom")
SUMMARY_METRICS = ("revenue", "profit", "active", "ka_clients", "ka_share", "top20_share", "new", "lost", "nrr", "grr")
AGENDA_COLUMNS = ["order", "unit_key", "unit_name", "owner", "tier", "revenue", "prev_revenue", "change",
                  "risk", "revenue_at_risk", "reasons"]
TIER_ORDER = {tier: i for i, tier in enumerate(TIERS)}


# ------------------------------------------------------------------ who is on the list

def window_of(start: dt.date, end: dt.date) -> periods.Period:
    """The calendar year, quarter or month when [start, end] is exactly one (so it is compared with the
    previous one), else a custom window."""
    for kind in ("year", "quarter", "month"):
        candidate = periods.period_of(start, kind)
        if candidate.start == start and candidate.end == end:
            return candidate
    return periods.custom(start, end)


def as_of_for(window: periods.Period, data_end: dt.date | None) -> dt.date:
    """The meeting looks at the window's end, never past the data end."""
    return min(window.end, data_end) if data_end else window.end


def meeting_keys(store, which: str, as_of: dt.date, level: str = "client", tier: str | None = None,
                 keys: list[str] | None = None, data_end: dt.date | None = None,
                 window: periods.Period | None = None) -> list[str]:
    """The units to walk through, in meeting order.

    ka: 关键 + 重点 by current tier at as_of (关键 first, then largest first: by revenue in the
    meeting's window where given, as the agenda shows it, else in the tier's period); tier: one
    current tier; watchlist: the churn watchlist at as_of (largest revenue at risk first); custom:
    keys as given.
    """
    from kam_core import churn, overview, tiers

    if which == "custom":
        known = unit_names(store, level)
        return [k for k in dict.fromkeys(keys or []) if k in known]
    if which == "watchlist":
        return churn.watchlist(store, as_of, level).frame["unit_key"].tolist()
    if which not in ("ka", "tier"):
        raise ValueError(f"unknown list {which!r} ({', '.join(LISTS)})")
    if which == "tier" and tier not in TIERS:
        raise ValueError(f"unknown tier {tier!r}")
    current = tiers.current_tiers(store, as_of, level, data_end)
    wanted = set(tiers.KA_TIERS) if which == "ka" else {tier}
    chosen = current[current["tier"].isin(wanted)].copy()
    chosen["order"] = chosen["tier"].map(TIER_ORDER)
    if window is not None:
        revenue = overview.unit_windows(store, window, level).set_index("unit_key")["revenue"]
        chosen["value"] = chosen["unit_key"].map(revenue).astype(float).fillna(0.0)
    chosen = chosen.sort_values(["order", "value", "unit_key"], ascending=[True, False, True], kind="stable")
    return chosen["unit_key"].tolist()


@by_version()
def agenda(store, keys: tuple[str, ...], level: str, window: periods.Period, data_end: dt.date | None,
           lang: str = "zh") -> pd.DataFrame:
    """One row per unit on the list, in order: AGENDA_COLUMNS. Revenue in the window and the previous
    one; tier, risk, revenue at risk and reasons at the meeting date (as_of_for)."""
    from kam_core import churn, overview, tiers

    if not keys:
        return pd.DataFrame(columns=AGENDA_COLUMNS)
    as_of = as_of_for(window, data_end)
    names = unit_names(store, level)
    units = overview.unit_windows(store, window, level).set_index("unit_key")
    current = tiers.current_tiers(store, as_of, level, data_end).set_index("unit_key")["tier"]
    owners = store.query("pack_owners", level=level).set_index("unit_key")["owner"]
    pictures = churn.units_signals(store, keys, as_of, level, lang)
    rows = []
    for i, key in enumerate(keys, start=1):
        revenue = float(units.at[key, "revenue"]) if key in units.index else 0.0
        previous = float(units.at[key, "prev_revenue"]) if key in units.index else 0.0
        revenue = 0.0 if pd.isna(revenue) else revenue
        previous = 0.0 if pd.isna(previous) else previous
        signals = pictures.get(key)
        reasons = [r["text"] for r in signals["reasons"]] if signals else []
        rows.append({"order": i, "unit_key": key, "unit_name": names.get(key, key),
                     "owner": owners.get(key), "tier": current.get(key), "revenue": revenue,
                     "prev_revenue": previous, "change": revenue / previous - 1 if previous > 0 else None,
                     "risk": signals["risk"] if signals else None,
                     "revenue_at_risk": signals["revenue_at_risk"] if signals else None,
                     "reasons": ("；" if lang == "zh" else "; ").join(reasons)})
    frame = pd.DataFrame(rows, columns=AGENDA_COLUMNS)
    frame["owner"] = frame["owner"].astype(object).where(frame["owner"].notna(), None)
    return frame


# ------------------------------------------------------------------ decisions taken in the meeting

def save_decision(store, unit_key: str, level: str, text: str, author: str | None,
                  meeting_date: dt.date) -> list[int]:
    """Record a meeting's decision on a unit in the follow-up log (and so as a contact of kind meeting).
    At group level the note goes to each client of the group. Returns the note ids; ValueError for an
    empty note or an unknown unit."""
    from kam_core import followup
    from kam_core.profile import members

    if not (text or "").strip():
        raise ValueError("a decision needs text")
    clients = [unit_key] if level == "client" else members(store, unit_key, level)
    if not clients:
        raise ValueError(f"unknown unit {unit_key!r}")
    return followup.add_notes(store, list(clients), text, author, meeting_date, kind="meeting")


# ------------------------------------------------------------------ the pack's content

@dataclass
class PackContent:
    lang: str
    level: str
    window: periods.Period
    data_end: dt.date | None
    as_of: dt.date
    list_name: str                    # ka | watchlist | tier | custom
    tier: str | None
    kpis: pd.DataFrame                # overview.kpis: metric -> current, previous, change, kind
    pareto_k: int
    pareto_active: int
    tier_counts: dict[str, int]
    trend: pd.DataFrame               # overview.monthly_trend
    agenda: pd.DataFrame
    profiles: list[Profile]
    has_profit: bool
    owners: pd.DataFrame              # plan.owner_scorecard for the window's period at as_of
    coverage: dict                    # coverage.coverage_kpi at as_of
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now().replace(microsecond=0))

    def t(self, key: str, **kwargs) -> str:
        return t(key, self.lang, **kwargs)

    @property
    def list_label(self) -> str:
        if self.list_name == "tier" and self.tier:
            return self.t("mtg.list.tier_named", tier=self.t(f"tier.{self.tier}"))
        return self.t(f"mtg.list.{self.list_name}")

    @property
    def window_label(self) -> str:
        partial = "" if self.window.complete(self.data_end) else self.t("period.partial")
        return self.window.label + partial


def prepare(store, keys: list[str], level: str, window: periods.Period, data_end: dt.date | None,
            lang: str = "zh", list_name: str = "custom", tier: str | None = None,
            has_profit: bool = True) -> PackContent:
    """Gather the portfolio summary and the profiles of the units in keys (in that order)."""
    from kam_core import coverage, overview, pareto, plan, tiers

    as_of = as_of_for(window, data_end)
    kpis = overview.kpis(store, window, level, data_end)
    conc = pareto.concentration(store, window.start, window.end, "revenue", level)
    counts = tiers.tier_counts(tiers.current_tiers(store, as_of, level, data_end))
    trend = overview.monthly_trend(store, window, level, portfolio.bounds(store).first_day, data_end)
    profiles = [p for key in keys
                if (p := client_profile(store, key, level, window, has_profit, data_end, lang, as_of)) is not None]
    return PackContent(lang=lang, level=level, window=window, data_end=data_end, as_of=as_of, list_name=list_name,
                       tier=tier, kpis=kpis, pareto_k=conc.k, pareto_active=conc.active, tier_counts=counts,
                       trend=trend, agenda=agenda(store, tuple(keys), level, window, data_end, lang),
                       profiles=profiles, has_profit=has_profit,
                       owners=plan.owner_scorecard(store, as_of, window if window.kind in periods.KINDS else None),
                       coverage=coverage.coverage_kpi(store, as_of))


def file_stem(content: PackContent) -> str:
    """meeting_pack_2026Q3_ka_20261123-0930: safe in any file system."""
    label = re.sub(r"[^0-9A-Za-z_-]+", "-", content.window.label).strip("-")
    return f"meeting_pack_{label}_{content.list_name}_{content.generated_at:%Y%m%d-%H%M%S}"


def write_pack(content: PackContent, out_dir: str | Path) -> tuple[Path, Path]:
    """Write the HTML and the workbook into out_dir (created when missing); their paths."""
    from kam_core.pack_html import render_html
    from kam_core.pack_xlsx import render_xlsx

    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    stem = file_stem(content)
    html_path, xlsx_path = folder / f"{stem}.html", folder / f"{stem}.xlsx"
    html_path.write_text(render_html(content), encoding="utf-8")
    xlsx_path.write_bytes(render_xlsx(content))
    return html_path, xlsx_path
