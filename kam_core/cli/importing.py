"""`import`: load a file headless, with the same guarded path as the page."""
from __future__ import annotations

import json
import os

from kam_core.cli.common import CliError, StoreHeld, parse_date
from kam_core.ingest import importer
from kam_core.ingest.errors import ImportRefused
from kam_core.ingest.roles import KINDS
from kam_core.i18n import t
from kam_core.store import StoreLocked, open_for_cli


def register(sub, common) -> None:
    p = sub.add_parser("import", parents=[common], help="import an export (xlsx, xls, csv, parquet)")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--kind", choices=KINDS, default="orders")
    p.add_argument("--sheet", default=None, help="sheet name (default: the sheet holding the data)")
    p.add_argument("--mapping", default=None, metavar="FILE.json", help='JSON role -> column header')
    p.add_argument("--on-overlap", choices=["keep", "replace"], default="keep")
    p.add_argument("--data-end", default=None, metavar="D", help="data through (default: the last order date)")
    p.add_argument("--all-sheets", action="store_true",
                   help="also import the workbook's other sheets (one per month) with the same columns")
    p.set_defaults(handler=run, render=render)


def _mapping(path: str | None, lang: str = "en") -> dict | None:
    if not path:
        return None
    try:
        with open(path, encoding="utf-8") as fh:
            mapping = json.load(fh)
    except (OSError, ValueError) as exc:
        raise CliError(t("cli.err.mapping_unreadable", lang, path=path, error=exc)) from None
    if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
        raise CliError(t("cli.err.mapping_shape", lang, path=path))
    return mapping


def run(args) -> dict:
    if not os.path.isfile(args.file):
        raise CliError(t("cli.err.no_file", args.lang, path=args.file))
    mapping = _mapping(args.mapping, args.lang)
    data_end = parse_date(args.data_end, args.lang)
    try:
        store = open_for_cli(args.db, write=True)
    except StoreLocked:
        raise StoreHeld(t("cli.held", args.lang)) from None
    more = []
    try:
        report = importer.import_file(store, args.file, os.path.basename(args.file), kind=args.kind,
                                      sheet=args.sheet, mapping_by_header=mapping, on_overlap=args.on_overlap,
                                      data_through=data_end)
        if args.all_sheets and report.other_sheets:
            # each sheet its own dataset and transaction; one that does not fit is named, the rest stay
            more = importer.import_other_sheets(store, args.file, os.path.basename(args.file), report.kind,
                                                report.mapping, report.other_sheets, args.on_overlap)
    except ImportRefused as exc:
        raise CliError(exc.message(args.lang)) from None
    except OSError as exc:
        raise CliError(t("refused.disk_full" if exc.errno == 28 else "refused.read_only", args.lang)) from None
    finally:
        store.close()
    return {
        "dataset_id": report.dataset_id, "kind": report.kind, "file": report.file_name, "sheet": report.sheet,
        "rows_read": report.rows_read, "rows_loaded": report.rows_loaded, "rows_rejected": report.rows_rejected,
        "rows_skipped": report.rows_skipped, "skipped_by": report.skipped_by, "mapping": report.mapping,
        "rejects": [{"row": r.row, "reason": t(f"reject.{r.code}", args.lang), "code": r.code, "column": r.column,
                     "value": r.value} for r in report.rejects],
        "warnings": [w.__dict__ for w in report.warnings],
        "other_sheets": [] if args.all_sheets else report.other_sheets,
        "sheets": [{"sheet": o.sheet, "dataset_id": o.report.dataset_id, "rows_loaded": o.report.rows_loaded,
                    "rows_rejected": o.report.rows_rejected} if o.report else
                   {"sheet": o.sheet, "refused": o.refused.message(args.lang)} for o in more],
        "formulas_without_value": report.formulas_without_value,
        "overlaps": [{k: v for k, v in o.items()} for o in report.overlaps],
        "replaced": report.replaced, "date_min": report.date_min, "date_max": report.date_max,
        "data_through": report.data_through,
    }


def render(result: dict, lang: str = "en") -> str:
    lines = [t("cli.import.done", lang, id=result["dataset_id"], kind=t(f"kind.{result['kind']}", lang),
               read=result["rows_read"], loaded=result["rows_loaded"], rejected=result["rows_rejected"],
               skipped=result["rows_skipped"])]
    if result["date_min"]:
        lines.append(t("cli.import.dates", lang, lo=result["date_min"], hi=result["date_max"],
                       through=result["data_through"]))
    for reject in result["rejects"][:20]:
        key = "reject.detail" if reject["value"] is not None else "reject.detail_novalue"
        lines.append("  " + t(key, lang, row=reject["row"], reason=reject["reason"], column=reject["column"],
                              value=reject["value"]))
    if len(result["rejects"]) > 20:
        lines.append("  " + t("cli.import.more_rejects", lang, n=len(result["rejects"]) - 20))
    for warning in result["warnings"]:
        lines.append(t("warn.unreadable", lang, column=warning["column"], count=warning["count"],
                       rows="、".join(map(str, warning["rows"]))))
    if result["formulas_without_value"]:
        lines.append(t("warn.formulas", lang, count=result["formulas_without_value"]))
    for overlap in result["overlaps"]:
        lines.append(t("cli.import.overlap", lang, id=overlap["dataset_id"], file=overlap["file_name"],
                       lines=overlap["lines_in_range"]))
    for sheet in result["sheets"]:
        lines.append(t("cli.import.sheet_done", lang, **sheet) if "refused" not in sheet
                     else t("cli.import.sheet_refused", lang, **sheet))
    if result["other_sheets"]:
        lines.append(t("cli.import.other_sheets", lang, n=len(result["other_sheets"]),
                       names="、".join(result["other_sheets"])))
    return "\n".join(lines)
