"""`coverage`: service levels and who is overdue for contact as of a date (DESIGN.md, "Service levels")."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from kam_core import coverage, portfolio
from kam_core.cli.common import open_reader, parse_date


def register(sub, common) -> None:
    p = sub.add_parser("coverage", parents=[common], help="service levels and clients overdue for contact")
    p.add_argument("--as-of", default=None, metavar="D", help="as of this date (default: the data end)")
    p.set_defaults(handler=run, render=render)


def run(args) -> dict:
    as_of = parse_date(args.as_of)
    store = open_reader(args, locked="cov.cli.no_snapshot")
    try:
        as_of = as_of or portfolio.bounds(store).data_end or dt.date.today()
        table = coverage.coverage_table(store, as_of)
        quarter = coverage.tier_quarter(store, as_of)
        cadence = coverage.cadence(store)
    finally:
        store.close()
    return {
        "as_of": as_of,
        "tier_period": quarter.label if quarter else None,
        "cadence": cadence,
        "clients": [{"client": r.client, "tier": r.tier, "service_level": r.service_level,
                     "last_contact": r.last_contact, "days_since": None if pd.isna(r.days_since) else int(r.days_since),
                     "cadence_days": int(r.cadence_days), "overdue": bool(r.overdue)}
                    for r in table.itertuples(index=False)],
    }


def render(result: dict, lang: str = "en") -> str:
    overdue = [c for c in result["clients"] if c["overdue"]]
    cadence = ", ".join(f"{k} {v}d" for k, v in result["cadence"].items())
    lines = [f"as of {result['as_of']} (tiers of {result['tier_period'] or '-'}; cadence {cadence}): "
             f"{len(overdue)} of {len(result['clients'])} clients overdue for contact"]
    for c in overdue[:30]:
        since = f"{c['days_since']} days since {c['last_contact']}" if c["last_contact"] else "never contacted"
        lines.append(f"  [{c['service_level']}] {c['client']}: {since} (cadence {c['cadence_days']})")
    if len(overdue) > 30:
        lines.append(f"  … {len(overdue) - 30} more (use --json)")
    return "\n".join(lines)
