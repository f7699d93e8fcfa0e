"""`coverage`: service levels and who is overdue for contact as of a date (DESIGN.md, "Service levels")."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from kam_core import coverage, portfolio
from kam_core.cli.common import open_reader, parse_date, term
from kam_core.i18n import t


def register(sub, common) -> None:
    p = sub.add_parser("coverage", parents=[common], help="service levels and clients overdue for contact")
    p.add_argument("--as-of", default=None, metavar="D", help="as of this date (default: the data end)")
    p.set_defaults(handler=run, render=render)


def run(args) -> dict:
    as_of = parse_date(args.as_of, args.lang)
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
    cadence = t("cli.list_sep", lang).join(t("cli.coverage.cadence", lang, level=term("cov.level", k, lang), days=v)
                                           for k, v in result["cadence"].items())
    lines = [t("cli.coverage.head", lang, as_of=result["as_of"], cadence=cadence, n=len(overdue),
               tier_period=result["tier_period"] or t("cli.none", lang), total=len(result["clients"]))]
    lines.extend("  " + _overdue(c, lang) for c in overdue[:30])
    if len(overdue) > 30:
        lines.append("  " + t("cli.more", lang, n=len(overdue) - 30))
    return "\n".join(lines)


def _overdue(client: dict, lang: str) -> str:
    since = (t("cli.coverage.since", lang, days=client["days_since"], last=client["last_contact"])
             if client["last_contact"] else t("cli.coverage.never", lang))
    return t("cli.coverage.client", lang, level=term("cov.level", client["service_level"], lang),
             client=client["client"], since=since, cadence=client["cadence_days"])
