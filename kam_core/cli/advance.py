"""`advance add` and `advance list`: sign a prepayment and read the ledger (DESIGN.md, "Advance ledger")."""
from __future__ import annotations

import datetime as dt
import math
import os

from kam_core import advances, config, portfolio
from kam_core.cli.common import CliError, StoreHeld, money, parse_date, term, yuan
from kam_core.cli.coverage import open_reader
from kam_core.i18n import t
from kam_core.store import StoreLocked, open_for_cli


def register(sub, common) -> None:
    p = sub.add_parser("advance", help="sign an advance (预付款) or list the ledger")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", parents=[common], help="sign an advance")
    add.add_argument("--client", required=True, metavar="NAME", help="the client, matched like uploaded names")
    add.add_argument("--amount", required=True, type=float, metavar="X")
    add.add_argument("--start", required=True, metavar="D", help="start date (ISO)")
    add.add_argument("--term-months", required=True, type=int, metavar="N")
    add.add_argument("--rule", choices=advances.RULES, default="refund",
                     help="a shortfall at term end is refunded, or the term extends until recouped")
    add.add_argument("--recoup-rate", type=float, default=1.0, metavar="R",
                     help="share of the client's sales set against the advance (default 1)")
    add.set_defaults(handler=run_add, render=render_add)
    listing = actions.add_parser("list", parents=[common], help="the ledger as of a date")
    listing.add_argument("--as-of", default=None, metavar="D", help="as of this date (default: the data end)")
    listing.set_defaults(handler=run_list, render=render_list)


def run_add(args) -> dict:
    start = parse_date(args.start, args.lang)
    if not math.isfinite(args.amount) or args.amount <= 0:
        raise CliError(t("cli.err.amount", args.lang, value=f"{args.amount:g}"))
    db = args.db or str(config.db_path())
    if not os.path.exists(db):
        raise CliError(t("cli.no_db", args.lang, path=db))
    try:
        store = open_for_cli(db, write=True)
    except StoreLocked:
        raise StoreHeld(t("cli.held", args.lang)) from None
    try:
        new_id = advances.add_advance(store, args.client, args.amount, start, args.term_months, args.rule,
                                      args.recoup_rate)
    except ValueError as exc:
        raise CliError(str(exc).replace("term must", "--term-months must")
                       .replace("recoup rate must", "--recoup-rate must")) from None
    finally:
        store.close()
    return {"id": new_id}


def run_list(args) -> dict:
    as_of = parse_date(args.as_of, args.lang)
    store = open_reader(args)
    try:
        as_of = as_of or portfolio.bounds(store).data_end or dt.date.today()
        table = advances.ledger(store, as_of)
    finally:
        store.close()
    return {
        "as_of": as_of,
        "advances": [{
            "id": int(r.advance_id), "client": r.client, "amount": money(r.amount), "start": r.start, "end": r.end,
            "rule": r.rule, "counted": money(r.counted), "recouped": money(r.recouped),
            "remaining": money(r.remaining), "run_rate": money(r.run_rate),
            "projected_at_end": money(r.projected_at_end), "refund_due": money(r.refund_due),
            "extension_months": None if r.extension_months is None or math.isnan(r.extension_months)
            else round(float(r.extension_months), 2),
            "status": r.status,
        } for r in table.itertuples(index=False)],
    }


def render_add(result: dict, lang: str = "en") -> str:
    return t("cli.advance.signed", lang, id=result["id"])


def render_list(result: dict, lang: str = "en") -> str:
    lines = [t("cli.advance.head", lang, as_of=result["as_of"], n=len(result["advances"]))]
    for a in result["advances"]:
        lines.append("  " + t("cli.advance.row", lang, id=a["id"], client=a["client"], amount=yuan(a["amount"], lang),
                              start=a["start"], end=a["end"], rule=term("adv.rule", a["rule"], lang),
                              recouped=yuan(a["recouped"], lang), remaining=yuan(a["remaining"], lang),
                              projected=yuan(a["projected_at_end"], lang), owed=_owed(a, lang),
                              status=term("adv.status", a["status"], lang)))
    return "\n".join(lines)


def _owed(advance: dict, lang: str) -> str:
    """What the settlement rule asks at term end: the refund due, or the months of extension."""
    if advance["rule"] == "refund":
        return t("cli.advance.refund_due", lang, amount=yuan(advance["refund_due"], lang))
    if advance["extension_months"] is None:
        return t("adv.never", lang)
    return t("cli.advance.extension", lang, months=advance["extension_months"])
