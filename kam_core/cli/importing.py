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
    p.set_defaults(handler=run, render=render)


def _mapping(path: str | None) -> dict | None:
    if not path:
        return None
    try:
        with open(path, encoding="utf-8") as fh:
            mapping = json.load(fh)
    except (OSError, ValueError) as exc:
        raise CliError(f"cannot read mapping file {path}: {exc}") from None
    if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
        raise CliError(f"mapping file {path} must be a JSON object of role -> column header")
    return mapping


def run(args) -> dict:
    if not os.path.isfile(args.file):
        raise CliError(f"no such file: {args.file}")
    mapping = _mapping(args.mapping)
    data_end = parse_date(args.data_end)
    try:
        store = open_for_cli(args.db, write=True)
    except StoreLocked:
        raise StoreHeld(t("cli.held", args.lang)) from None
    try:
        report = importer.import_file(store, args.file, os.path.basename(args.file), kind=args.kind,
                                      sheet=args.sheet, mapping_by_header=mapping, on_overlap=args.on_overlap,
                                      data_through=data_end)
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
        "formulas_without_value": report.formulas_without_value,
        "overlaps": [{k: v for k, v in o.items()} for o in report.overlaps],
        "replaced": report.replaced, "date_min": report.date_min, "date_max": report.date_max,
        "data_through": report.data_through,
    }


def render(result: dict) -> str:
    lines = [f"dataset #{result['dataset_id']} ({result['kind']}): read {result['rows_read']:,}, "
             f"loaded {result['rows_loaded']:,}, rejected {result['rows_rejected']:,}, "
             f"skipped {result['rows_skipped']:,}"]
    if result["date_min"]:
        lines.append(f"dates {result['date_min']} .. {result['date_max']}, data through {result['data_through']}")
    for reject in result["rejects"][:20]:
        lines.append(f"  row {reject['row']}: {reject['reason']} ({reject['column']}: {reject['value']})")
    if len(result["rejects"]) > 20:
        lines.append(f"  … {len(result['rejects']) - 20} more rejects (use --json)")
    for overlap in result["overlaps"]:
        lines.append(f"overlaps dataset #{overlap['dataset_id']} {overlap['file_name']} "
                     f"({overlap['lines_in_range']:,} lines in range)")
    return "\n".join(lines)
