"""`pareto`: the Pareto answer of a window headless (DESIGN.md, Command line and Definitions)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from kam_core import portfolio
from kam_core.cli.common import CliError, money, open_reader, parse_date, yuan
from kam_core.i18n import t
from kam_core.pareto import as_theta, concentration
from kam_core.ranks import LEVELS, MEASURES


def register(sub, common) -> None:
    p = sub.add_parser("pareto", parents=[common], help="who carries the revenue or profit of a window (80/20)")
    p.add_argument("--measure", choices=MEASURES, default="revenue")
    p.add_argument("--start", default=None, metavar="D", help="first day of the window (default: the first order)")
    p.add_argument("--end", default=None, metavar="D", help="last day of the window (default: the data end)")
    p.add_argument("--threshold", default="0.8", metavar="THETA", help="share of the total to reach, in (0, 1]")
    p.add_argument("--level", choices=LEVELS, default="client", help="rank clients or groups")
    p.set_defaults(handler=run, render=render)


def _threshold(text: str, lang: str = "en") -> Decimal:
    try:
        return as_theta(Decimal(text))
    except (InvalidOperation, ValueError):
        raise CliError(t("cli.err.threshold", lang, text=repr(text))) from None


def run(args) -> dict:
    theta = _threshold(args.threshold, args.lang)
    start, end = parse_date(args.start, args.lang), parse_date(args.end, args.lang)
    if start and end and end < start:
        raise CliError(t("cli.err.end_before_start", args.lang, start=start, end=end))
    store = open_reader(args)
    try:
        bounds = portfolio.bounds(store)
        if args.measure == "profit" and not bounds.empty and not bounds.has_profit:
            raise CliError(t("cli.err.no_profit", args.lang))
        # A window left open means all data.
        start = start or bounds.first_day or end
        end = end or bounds.data_end or start
        if start is None or end is None or end < start:
            return _empty()
        result = concentration(store, start, end, args.measure, args.level, theta)
    finally:
        store.close()
    top = result.ranked
    return {
        "active_clients": result.active,
        "total": money(result.total),
        "k": result.k,
        "share": result.share,
        "gini": result.gini,
        "hhi": result.hhi,
        "empty": result.empty,
        "top": [{"client": name, "value": money(value), "cum_share": round(float(cum), 6)}
                for name, value, cum in zip(top["unit_name"], top["value"], top["cum_share"])],
        "nonpositive": [{"client": name, "value": money(value)}
                        for name, value in zip(result.nonpositive["unit_name"], result.nonpositive["value"])],
    }


def _empty() -> dict:
    """No data at all in the window: active 0, k 0, total 0 (not an error)."""
    return {"active_clients": 0, "total": 0.0, "k": 0, "share": None, "gini": None, "hhi": None, "empty": True,
            "top": [], "nonpositive": []}


def render(result: dict, lang: str = "en") -> str:
    if result["empty"]:
        return t("cli.pareto.empty", lang)
    lines = [t("cli.pareto.answer", lang, k=result["k"], n=result["active_clients"], share=result["share"],
               total=yuan(result["total"], lang), gini=result["gini"], hhi=result["hhi"])]
    for rank, row in enumerate(result["top"][:20], start=1):
        lines.append(f"{rank:>4}  {row['value']:>18,.2f}  {row['cum_share']:>7.1%}  {row['client']}")
    if len(result["top"]) > 20:
        lines.append("   " + t("cli.more", lang, n=len(result["top"]) - 20))
    if result["nonpositive"]:
        lines.append(t("cli.pareto.nonpositive", lang, n=len(result["nonpositive"])))
        lines.extend(f"      {row['value']:>18,.2f}  {row['client']}" for row in result["nonpositive"][:20])
    return "\n".join(lines)
