"""`churn`: the watchlist of KA clients quietly leaving, headless (DESIGN.md, Command line)."""
from __future__ import annotations

from kam_core import churn, followup
from kam_core.cli.common import CliError, money, open_reader, parse_date, term, yuan
from kam_core.i18n import t


def register(sub, common) -> None:
    p = sub.add_parser("churn", parents=[common], help="the churn watchlist: KA clients at risk, with reasons")
    p.add_argument("--as-of", default=None, metavar="D", help="history up to this date (default: the data end)")
    p.add_argument("--top", type=int, default=None, metavar="N", help="only the first N of the list")
    p.add_argument("--model", choices=churn.MODEL_MODES, default="auto",
                   help="BG/NBD model: auto (where the history allows), on, off (rules only)")
    p.add_argument("--level", choices=churn.LEVELS, default="client")
    p.set_defaults(handler=run, render=render)


def run(args) -> dict:
    as_of = parse_date(args.as_of, args.lang)
    if args.top is not None and args.top < 1:
        raise CliError(t("cli.err.top", args.lang))
    store = open_reader(args, locked="churn.cli.locked")
    try:
        listed = churn.watchlist(store, as_of, level=args.level, model=args.model, lang=args.lang, top=args.top)
        frame = listed.frame
        if listed.level == "client" and listed.as_of is not None:
            frame = followup.attach(store, frame)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    finally:
        store.close()
    if listed.as_of is None:
        raise CliError(t("churn.cli.no_orders", args.lang))
    return {
        "as_of": listed.as_of,
        "level": listed.level,
        "model": listed.model.state,
        "watchlist": [_entry(row, listed.level) for row in frame.to_dict("records")],
    }


def _entry(row: dict, level: str) -> dict:
    """One listed unit: client (the group's name at group level), risk, revenue at risk, reasons;
    flags (contact overdue, advance behind) and, per client, the follow-up (null when none)."""
    entry = {"client": row["unit_name"], "risk": round(float(row["risk"]), 4),
             "revenue_at_risk": money(row["revenue_at_risk"]),
             "reasons": [{"signal": r["signal"], "strength": round(r["strength"], 4), "text": r["text"]}
                         for r in row["reasons"]],
             "flags": [{"flag": f["flag"], "text": f["text"]} for f in row["flags"]]}
    if level == "client":
        entry["follow_up"] = None if row["status"] is None else {
            "status": row["status"], "owner": row["fu_owner"], "next_step": row["next_step"],
            "last_note_date": row["last_note_date"], "last_note": row["last_note"]}
    return entry


def render(result: dict, lang: str = "en") -> str:
    lines = [t("cli.churn.head", lang, as_of=result["as_of"], model=term("cli.churn.model", result["model"], lang),
               n=len(result["watchlist"]))]
    for i, entry in enumerate(result["watchlist"], start=1):
        lines.append(t("cli.churn.entry", lang, i=i, client=entry["client"], risk=entry["risk"],
                       at_risk=yuan(entry["revenue_at_risk"], lang)))
        # the reasons and flags were worded in --lang by the watchlist itself
        lines.extend(f"       - {r['text']}" for r in [*entry["reasons"], *entry["flags"]])
        if entry.get("follow_up"):
            status = term("churn.status", entry["follow_up"]["status"], lang)
            lines.append("       > " + t("cli.churn.follow_up", lang, status=status))
    return "\n".join(lines)
