"""python -m kam_core: the same analyses the pages show, headless (DESIGN.md, Command line)."""
from __future__ import annotations

import argparse
import importlib
import os
import sys

from kam_core.cli.common import EXIT_OK, CliError, dumps

# Each module registers one subcommand (register) and answers it (run).
COMMANDS = ["importing", "pareto", "tiers", "churn", "prepay", "pack", "plan", "coverage", "advance"]


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=None, help="DuckDB file (default data/kam.duckdb)")
    common.add_argument("--json", action="store_true", help="print the result as JSON")
    common.add_argument("--lang", choices=["zh", "en"], default="en", help="language of the printed summary and of messages")
    parser = argparse.ArgumentParser(prog="python -m kam_core", description="KA Cockpit command line")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"kam_core.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"kam_core.cli.{name}":
                raise
            continue
        module.register(sub, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result = args.handler(args)
    except CliError as exc:
        print(str(exc), file=sys.stderr)
        return exc.exit_code
    render = None if args.json else getattr(args, "render", None)
    try:
        print(render(result, args.lang) if render else dumps(result))
        sys.stdout.flush()
    except BrokenPipeError:
        # the reader stopped early (| head): the work is done, nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
