"""`prepay`: size an advance against an expanding chain's channel sales (DESIGN.md,
Command line and Definitions, "Prepayment"). Needs no database (--db is ignored)."""
from __future__ import annotations

import argparse
import math
import re
import sys
from typing import Any, NoReturn

from kam_core.cli.common import EXIT_BAD_INPUT, CliError, money, term, yuan
from kam_core.i18n import t
from kam_core.prepay import (
    SEED_CHANNEL_SHARE,
    SEED_STORE_MONTHLY_SALES,
    PrepayInputs,
    simulate,
    summarize,
)


def _one_line_error(parser: argparse.ArgumentParser):
    """argparse prints its usage block on a bad option; DESIGN.md wants one clear
    line on stderr and exit 2."""

    def error(message: str) -> NoReturn:
        print(f"{parser.prog}: {message}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)

    return error


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "prepay",
        parents=[common],
        help="size a prepayment (预付款) against a growing chain's channel sales",
        description="Monte Carlo forecast of a chain's sales through our channel over the "
        "term, the advance recouped with a chosen probability, and for --advance its "
        "refund / extension exposure.",
    )
    p.error = _one_line_error(p)  # type: ignore[method-assign]
    p.add_argument("--stores-now", type=int, required=True, metavar="N", help="stores open today")
    p.add_argument("--stores-target", type=int, required=True, metavar="M", help="stores at term end")
    p.add_argument("--term-months", type=int, default=12, metavar="T")
    p.add_argument(
        "--store-monthly-sales", type=float, default=SEED_STORE_MONTHLY_SALES, metavar="X",
        help=f"sales of a mature store per month (default {SEED_STORE_MONTHLY_SALES:,.0f}, the seed case)",
    )
    p.add_argument(
        "--channel-share", type=float, default=SEED_CHANNEL_SHARE, metavar="S",
        help=f"share of the chain's sales through our channel (default {SEED_CHANNEL_SHARE:g}, the seed case)",
    )
    p.add_argument("--schedule", choices=["even", "front", "back"], default="even",
                   help="when the new stores open over the term")
    p.add_argument("--month-table", type=_month_table, default=None, metavar="N,N,...",
                   help="new stores opening in each month of the term, month 1 first (e.g. 0,2,0,1); "
                        "replaces --schedule and must add up to --stores-target minus --stores-now")
    p.add_argument("--ramp-start", type=float, default=0.6, help="first-month sales of a new store vs a mature one")
    p.add_argument("--ramp-months", type=int, default=6, help="months for a new store to mature (0 = at once)")
    p.add_argument("--sales-cv", type=float, default=0.2, help="coefficient of variation of mature sales")
    p.add_argument("--share-cv", type=float, default=0.1, help="coefficient of variation of the channel share")
    p.add_argument("--delay-prob", type=float, default=0.1, help="probability a new store opens late")
    p.add_argument("--delay-months", type=int, default=3, help="months a late store is late")
    p.add_argument("--commission", type=float, default=0.0, help="our income as a fraction of channel sales")
    p.add_argument("--cost-of-capital", type=float, default=0.0, help="annual cost of the advanced money")
    p.add_argument("--rule", choices=["refund", "extend"], default="refund",
                   help="shortfall at term end: refunded, or the term extends until recouped")
    p.add_argument("--probability", type=float, default=0.8, help="chance the recommended advance is recouped")
    p.add_argument("--advance", type=float, default=None, metavar="X", help="an advance to evaluate")
    p.add_argument("--paths", type=int, default=10_000)
    p.add_argument("--seed", type=int, default=1)
    p.set_defaults(handler=run, render=render)


def _month_table(text: str) -> tuple[int, ...]:
    """"0,2,0,1" -> (0, 2, 0, 1): whole numbers >= 0, comma separated."""
    parts = [x.strip() for x in text.split(",")]
    if not parts or not all(x.isdigit() for x in parts):
        raise argparse.ArgumentTypeError(
            f"expects whole numbers >= 0 separated by commas (new stores per month), got {text!r}")
    return tuple(int(x) for x in parts)


def inputs_from_args(args: argparse.Namespace) -> PrepayInputs:
    table = getattr(args, "month_table", None)
    try:
        return PrepayInputs(
            stores_now=args.stores_now,
            stores_target=args.stores_target,
            term_months=args.term_months,
            store_monthly_sales=args.store_monthly_sales,
            channel_share=args.channel_share,
            schedule="table" if table is not None else args.schedule,
            month_table=table,
            ramp_start=args.ramp_start,
            ramp_months=args.ramp_months,
            sales_cv=args.sales_cv,
            share_cv=args.share_cv,
            delay_prob=args.delay_prob,
            delay_months=args.delay_months,
            commission=args.commission,
            cost_of_capital=args.cost_of_capital,
            rule=args.rule,
            probability=args.probability,
            paths=args.paths,
            seed=args.seed,
        )
    except ValueError as exc:
        raise CliError(_option_names(str(exc))) from None


_OPTION_NAMES = re.compile(
    r"\b(stores_now|stores_target|term_months|store_monthly_sales|channel_share|ramp_start"
    r"|ramp_months|sales_cv|share_cv|delay_prob|delay_months|commission|cost_of_capital"
    r"|probability|paths|seed|month_table)\b"
)


def _option_names(message: str) -> str:
    """Speak the command line's language: stores_now -> --stores-now."""
    return _OPTION_NAMES.sub(lambda m: "--" + m.group(1).replace("_", "-"), message)


def run(args: argparse.Namespace) -> dict[str, Any]:
    inputs = inputs_from_args(args)
    advance = args.advance
    if advance is not None and not (math.isfinite(advance) and advance >= 0):
        raise CliError(t("cli.err.advance", args.lang, value=f"{advance:g}"))
    s = summarize(simulate(inputs), inputs, advance=advance)
    out: dict[str, Any] = {
        "inputs": {
            "stores_now": inputs.stores_now,
            "stores_target": inputs.stores_target,
            "term_months": inputs.term_months,
            "store_monthly_sales": money(inputs.store_monthly_sales),
            "channel_share": inputs.channel_share,
            "schedule": inputs.schedule,
            "month_table": None if inputs.month_table is None else list(inputs.month_table),
            "rule": inputs.rule,
            "probability": inputs.probability,
            "paths": inputs.paths,
            "seed": inputs.seed,
        },
        "forecast": {k: money(v) for k, v in s["forecast"].items()},
        "expected_sales": money(s["expected_sales"]),
        "recommended_advance": money(s["recommended_advance"]),
        "commission_income": money(s["commission_income"]),
    }
    if advance is not None:
        out.update(
            advance=money(advance),
            recoup_probability=s["recoup_probability"],
            expected_shortfall=money(s["expected_shortfall"]),
            expected_extra_months=round(s["expected_extra_months"], 2),
            extra_months_capped_paths=s["extra_months_capped_paths"],
            financing_cost=money(s["financing_cost"]),
            deal_margin=money(s["deal_margin"]),
        )
    return out


def render(result: dict[str, Any], lang: str = "en") -> str:
    i, f = result["inputs"], result["forecast"]
    lines = [
        t("cli.prepay.forecast", lang, term=i["term_months"], now=i["stores_now"], target=i["stores_target"],
          paths=i["paths"], p10=yuan(f["p10"], lang), p50=yuan(f["p50"], lang), p90=yuan(f["p90"], lang)),
        t("cli.prepay.recommended", lang, p=i["probability"], amount=yuan(result["recommended_advance"], lang)),
    ]
    if "advance" in result:
        lines += [
            t("cli.prepay.advance", lang, amount=yuan(result["advance"], lang), rule=term("pp.rule", i["rule"], lang),
              p=result["recoup_probability"]),
            "  " + t("cli.prepay.shortfall", lang, shortfall=yuan(result["expected_shortfall"], lang),
                     months=result["expected_extra_months"]),
            "  " + t("cli.prepay.margin", lang, income=yuan(result["commission_income"], lang),
                     cost=yuan(result["financing_cost"], lang), margin=yuan(result["deal_margin"], lang)),
        ]
    return "\n".join(lines)
