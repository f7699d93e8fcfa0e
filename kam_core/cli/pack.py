"""`pack`: write the meeting pack (HTML + Excel) headless, for a pack prepared before the meeting or on
a schedule (DESIGN.md, Command line). A window left open means all data."""
from __future__ import annotations

from kam_core import pack, portfolio
from kam_core.cli.common import CliError, open_reader, parse_date
from kam_core.i18n import t


def register(sub, common) -> None:
    p = sub.add_parser("pack", parents=[common], help="write the meeting pack: one offline HTML file and a workbook",
                       description="The portfolio summary and the listed clients' profiles as a self-contained "
                                   "HTML file (interactive charts, works offline) and an Excel workbook with "
                                   "native charts. --lang sets the pack's language.")
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write into (created when missing)")
    p.add_argument("--list", choices=["ka", "watchlist"], default="ka", dest="which",
                   help="ka: 关键 + 重点 by current tier at the window's end; watchlist: the churn watchlist then")
    p.add_argument("--start", default=None, metavar="D", help="window start (default: the first order)")
    p.add_argument("--end", default=None, metavar="D", help="window end (default: the data end)")
    p.set_defaults(handler=run, render=render)


def run(args) -> dict:
    start, end = parse_date(args.start, args.lang), parse_date(args.end, args.lang)
    store = open_reader(args)
    try:
        bounds = portfolio.bounds(store)
        if bounds.empty:
            raise CliError(t("pack.cli.no_data", args.lang))
        start = start or bounds.first_day
        end = end or bounds.data_end
        if end < start:
            raise CliError(t("pack.cli.bad_window", args.lang, start=start, end=end))
        window = pack.window_of(start, end)
        keys = pack.meeting_keys(store, args.which, pack.as_of_for(window, bounds.data_end), "client",
                                 data_end=bounds.data_end, window=window)
        content = pack.prepare(store, keys, "client", window, bounds.data_end, args.lang, args.which, None,
                               bounds.has_profit)
        try:
            html_path, xlsx_path = pack.write_pack(content, args.out)
        except OSError as exc:
            raise CliError(t("pack.cli.cannot_write", args.lang, path=args.out, reason=exc.strerror or exc)) from None
    finally:
        store.close()
    return {"files": [str(html_path), str(xlsx_path)]}


def render(result: dict, lang: str = "en") -> str:
    return "\n".join(result["files"])
