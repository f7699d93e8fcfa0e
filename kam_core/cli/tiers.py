"""`tiers`: tier counts per period, strategic pins and tier migration headless (DESIGN.md,
Command line; Definitions "Tiers", "Complete period", "Migration")."""
from __future__ import annotations

import datetime as dt

from kam_core import periods, portfolio
from kam_core.cli.common import CliError, money, open_reader, pad, parse_date, term
from kam_core.i18n import t
from kam_core.migration import FROM_STATES, TO_STATES, check_pair, summary
from kam_core.ranks import LEVELS, MEASURES, TIERS
from kam_core.tiers import pins, rule_from_cli, saved_rule


def register(sub, common) -> None:
    p = sub.add_parser("tiers", parents=[common], help="client tiers per period, pins and tier migration")
    p.add_argument("--period", choices=periods.KINDS, default=None,
                   help="tier periods (default quarter, or the kind of --from/--to)")
    p.add_argument("--cuts", default=None, metavar="C1,C2,C3",
                   help="cumulative-share cuts, e.g. 0.5,0.8,0.95 (default: the team's saved rule)")
    p.add_argument("--measure", choices=MEASURES, default=None, help="default: the team's saved measure")
    p.add_argument("--start", default=None, metavar="D", help="first day (default: the first order)")
    p.add_argument("--end", default=None, metavar="D", help="last day (default: the data end)")
    p.add_argument("--from", dest="from_period", default=None, metavar="P", help="migration from period P (2024Q1)")
    p.add_argument("--to", dest="to_period", default=None, metavar="Q", help="migration to period Q (2024Q2)")
    p.add_argument("--level", choices=LEVELS, default="client", help="tier clients or groups")
    p.set_defaults(handler=run, render=render)


def _pair(args) -> tuple[periods.Period, periods.Period] | None:
    if (args.from_period is None) != (args.to_period is None):
        raise CliError(t("cli.err.from_to", args.lang))
    if args.from_period is None:
        return None
    try:
        p, q = periods.parse_label(args.from_period), periods.parse_label(args.to_period)
        check_pair(p, q)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if args.period and args.period != p.kind:
        raise CliError(t("cli.err.from_to_period", args.lang, p=p.label, q=q.label, period=args.period,
                          period_name=t(f"period.{args.period}", args.lang)))
    return p, q


def run(args) -> dict:
    pair = _pair(args)
    kind = args.period or (pair[0].kind if pair else "quarter")
    start, end = parse_date(args.start, args.lang), parse_date(args.end, args.lang)
    if start and end and end < start:
        raise CliError(t("cli.err.end_before_start", args.lang, start=start, end=end))
    store = open_reader(args)
    try:
        saved, saved_measure = saved_rule(store)
        try:
            rule = rule_from_cli(args.cuts) if args.cuts else saved
        except ValueError as exc:
            raise CliError(str(exc)) from None
        measure = args.measure or saved_measure
        bounds = portfolio.bounds(store)
        if measure == "profit" and not bounds.empty and not bounds.has_profit:
            raise CliError(t("cli.err.no_profit", args.lang))
        start = start or bounds.first_day or end
        end = end or bounds.data_end or start
        head = {"period": kind, "measure": measure, "level": args.level, "rule": _rule(rule),
                "data_end": bounds.data_end}
        if start is None or end is None or end < start:
            return {**head, "periods": [], "partial": [], "counts": {}, "pinned": _pins(store), "migration": []}
        result = summary(store, kind, start, end, measure, args.level, rule, bounds.data_end, pair)
        pinned = _pins(store)
    finally:
        store.close()
    return {**head, "periods": [p.label for p in result.periods], "partial": result.partial,
            "counts": _counts(result.counts), "pinned": pinned, "migration": _migration(result.matrices)}


def _rule(rule) -> dict:
    return {"mode": rule.mode, "cuts": [float(c) for c in rule.cuts],
            "thresholds": [money(v) for v in rule.thresholds] if rule.mode == "fixed" else None}


def _pins(store) -> list[dict]:
    return [{"client": r.client_name, "tier": r.tier, "reason": r.reason, "by": r.created_by,
             "at": r.created_at.isoformat(sep=" ", timespec="seconds") if isinstance(r.created_at, dt.datetime)
             else r.created_at}
            for r in pins(store).itertuples(index=False)]


def _counts(counts) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for r in counts.itertuples(index=False):
        out.setdefault(r.period, {})[r.tier] = int(r.clients)
    return out


def _migration(grids) -> list[dict]:
    out = []
    for (from_period, to_period), cells in grids.groupby(["from_period", "to_period"], sort=False):
        entry = {"from_period": from_period, "to_period": to_period}
        for name, field, as_money in (("matrix", "clients", False), ("revenue_from", "value_from", True),
                                      ("revenue_to", "value_to", True)):
            values = {(a, b): v for a, b, v in zip(cells["from_state"], cells["to_state"], cells[field])}
            entry[name] = {a: {b: (money(values[(a, b)]) if as_money else int(values[(a, b)])) for b in TO_STATES}
                           for a in FROM_STATES}
        out.append(entry)
    return out


def render(result: dict, lang: str = "en") -> str:
    lines = [_head(result, lang)]
    if not result["periods"]:
        lines.append(t("cli.tiers.no_data", lang))
    lines.append(pad(t("cli.tiers.period", lang), 12) + "".join(pad(term("tier", s, lang), 13, ">") for s in TIERS))
    for label in result["periods"]:
        mark = t("period.partial", lang) if label in result["partial"] else ""
        counts = result["counts"].get(label, {})
        lines.append(f"{label:<12}" + "".join(f"{counts.get(tier, 0):>13,}" for tier in TIERS) + mark)
    if result["pinned"]:
        each = [t("cli.tiers.pin", lang, client=p["client"], tier=term("tier", p["tier"], lang), reason=p["reason"])
                for p in result["pinned"]]
        lines.append(t("cli.tiers.pinned", lang, pins=t("cli.sep", lang).join(each)))
    for move in result["migration"]:
        lines += ["", t("cli.tiers.migration", lang, p=move["from_period"], q=move["to_period"],
                        units=term("side.level", result["level"], lang))]
        lines.append(" " * 13 + "".join(pad(_state(s, lang), 12, ">") for s in TO_STATES))
        for state in FROM_STATES:
            lines.append(pad(_state(state, lang), 13) + "".join(f"{move['matrix'][state][s]:>12,}" for s in TO_STATES))
    return "\n".join(lines)


def _head(result: dict, lang: str) -> str:
    rule = result["rule"]
    how = (t("cli.tiers.cuts", lang, cuts=" / ".join(f"{c:.0%}" for c in rule["cuts"])) if rule["mode"] == "share"
           else t("cli.tiers.fixed", lang))
    return t("cli.tiers.head", lang, period=term("period", result["period"], lang),
             measure=term("w", result["measure"], lang), level=term("side.level", result["level"], lang), how=how,
             data_end=result["data_end"] or t("cli.none", lang))


def _state(state: str, lang: str) -> str:
    """A row or column of the migration matrix: a tier, or new / lost / inactive."""
    return term("tier" if state in TIERS else "state", state, lang)
