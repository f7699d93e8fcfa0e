"""`plan`: targets against time progress, and every client's potential and headroom (DESIGN.md)."""
from __future__ import annotations

from kam_core import periods, plan, portfolio
from kam_core.cli.common import CliError, money, open_reader, pad, parse_date, term, yuan
from kam_core.i18n import t


def register(sub, common) -> None:
    p = sub.add_parser("plan", parents=[common], help="targets, attainment and time progress; potential and headroom")
    p.add_argument("--period", default=None, metavar="P",
                   help="target period: 2024, 2024Q3 or 2024-07 (default: the as-of date's year)")
    p.add_argument("--as-of", default=None, metavar="D", help="count revenue up to this date (default: the data end)")
    p.set_defaults(handler=run, render=render)


def _ratio(x) -> float | None:
    return None if x is None or x != x else round(float(x), 6)


def run(args) -> dict:
    as_of = parse_date(args.as_of, args.lang)
    try:
        period = periods.parse_label(args.period) if args.period else None
    except ValueError as exc:
        raise CliError(str(exc)) from None
    store = open_reader(args)
    try:
        as_of = as_of or portfolio.bounds(store).data_end
        if as_of is None:
            raise CliError(t("plan.cli.no_orders", args.lang))
        span = period or periods.period_of(as_of, "year")
        targets = plan.attainment(store, span, as_of)
        potential = plan.potential(store, as_of)
    finally:
        store.close()
    return {
        "period": span.label,
        "as_of": as_of,
        "time_progress": _ratio(plan.time_progress(span, as_of)),
        "elapsed_days": plan.elapsed_days(span, as_of),
        "period_days": span.days,
        "targets": [{"level": r.level, "name": r.name, "target": money(r.target), "actual": money(r.actual),
                     "attainment": _ratio(r.attainment), "gap_to_pace": money(r.gap_to_pace),
                     "behind": bool(r.behind)}
                    for r in targets.itertuples(index=False)],
        "potential": [{"client": r.client_name, "potential": money(r.potential), "source": r.source,
                       "t12m": money(r.t12m), "headroom": money(r.headroom)}
                      for r in potential.itertuples(index=False)],
    }


def render(result: dict, lang: str = "en") -> str:
    lines = [t("cli.plan.head", lang, period=result["period"], as_of=result["as_of"],
               progress=result["time_progress"], elapsed=result["elapsed_days"], days=result["period_days"])]
    if not result["targets"]:
        lines.append(t("cli.plan.no_targets", lang))
    lines.extend("  " + _target(row, lang) for row in result["targets"])
    with_potential = [r for r in result["potential"] if r["source"]]
    lines.append(t("cli.plan.potential", lang, n=len(with_potential), total=len(result["potential"]),
                   entered=sum(r["source"] == "entered" for r in with_potential),
                   estimated=sum(r["source"] == "estimated" for r in with_potential)))
    for row in sorted(with_potential, key=lambda r: -r["headroom"])[:10]:
        lines.append("  " + t("cli.plan.headroom", lang, client=row["client"], potential=yuan(row["potential"], lang),
                              source=term("plan.src", row["source"], lang), t12m=yuan(row["t12m"], lang),
                              headroom=yuan(row["headroom"], lang)))
    return "\n".join(lines)


def _target(row: dict, lang: str) -> str:
    attainment = "—" if row["attainment"] is None else f"{row['attainment']:.1%}"
    line = t("cli.plan.target", lang, level=pad(term("plan.level", row["level"], lang), 6), name=row["name"],
             target=yuan(row["target"], lang), actual=yuan(row["actual"], lang), attainment=attainment,
             gap=yuan(row["gap_to_pace"], lang))
    return line + ("  " + t("cli.plan.behind", lang) if row["behind"] else "")
