"""`churn`: the watchlist of KA clients quietly leaving, headless (DESIGN.md, Command line)."""
from __future__ import annotations

from kam_core import churn
from kam_core.cli.common import CliError, money, parse_date
from kam_core.i18n import t
from kam_core.store import StoreLocked, open_for_cli


def register(sub, common) -> None:
    p = sub.add_parser("churn", parents=[common], help="the churn watchlist: KA clients at risk, with reasons")
    p.add_argument("--as-of", default=None, metavar="D", help="history up to this date (default: the data end)")
    p.add_argument("--top", type=int, default=None, metavar="N", help="only the first N of the list")
    p.add_argument("--model", choices=churn.MODEL_MODES, default="auto",
                   help="BG/NBD model: auto (where the history allows), on, off (rules only)")
    p.add_argument("--level", choices=churn.LEVELS, default="client")
    p.set_defaults(handler=run, render=render)


def run(args) -> dict:
    as_of = parse_date(args.as_of)
    if args.top is not None and args.top < 1:
        raise CliError("--top must be at least 1")
    try:
        store = open_for_cli(args.db, write=False)
    except FileNotFoundError as exc:
        raise CliError(t("cli.no_db", args.lang, path=str(exc))) from None
    except StoreLocked:
        raise CliError(t("churn.cli.locked", args.lang)) from None
    try:
        listed = churn.watchlist(store, as_of, level=args.level, model=args.model, lang=args.lang, top=args.top)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    finally:
        store.close()
    if listed.as_of is None:
        raise CliError(t("churn.cli.no_orders", args.lang))
    return {
        "as_of": listed.as_of,
        "model": listed.model.state,
        "watchlist": [
            {"client": row.unit_name, "risk": round(float(row.risk), 4),
             "revenue_at_risk": money(row.revenue_at_risk),
             "reasons": [{"signal": r["signal"], "strength": round(r["strength"], 4), "text": r["text"]}
                         for r in row.reasons]}
            for row in listed.frame.itertuples(index=False)
        ],
    }


def render(result: dict) -> str:
    lines = [f"churn watchlist as of {result['as_of']} (model: {result['model']}): {len(result['watchlist'])} on the list"]
    for i, entry in enumerate(result["watchlist"], start=1):
        lines.append(f"{i:>3}. {entry['client']}  risk {entry['risk']:.0%}  at risk {entry['revenue_at_risk']:,.2f}")
        lines.extend(f"       - {r['text']}" for r in entry["reasons"])
    return "\n".join(lines)
