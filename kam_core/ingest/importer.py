"""An import in three steps, as the page and the command line both run it.

inspect()  bytes checked, sheet chosen, header found, whole sheet read once (child
           process), mapping proposed or remembered. Nothing written.
preview()  the cleaning dry-run for a mapping: counts, rejects, date range, overlaps.
commit()   one transaction: dataset row, canonical rows, rejects, remembered
           mapping, derived tables. A failure leaves the store as it was.
"""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import io
import json
import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kam_core.ingest import canonical, clean, guard, header, reader, roles
from kam_core.ingest.errors import ImportRefused
from kam_core.store import Store, rebuild_client_dim, run_script, sql

PROFILE_ROWS = 2000
_HASHER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sha256")


@dataclass
class SheetChoice:
    name: str | None
    visible: bool = True
    size: int = 0


@dataclass
class Inspection:
    path: str
    file_name: str
    sha256: str
    fmt: str
    sheets: list[SheetChoice]
    sheet: str | None
    head: list[list]              # the first rows as read, for showing where the header was found
    header_row: int | None        # 0-based index into head (None: the file names its columns, e.g. Parquet)
    labels: list[str]             # one unique label per read column
    header_texts: list            # the header cells as written, per read column
    read: reader.SheetRead
    kind: str
    mapping: dict[str, int]
    mapping_source: str           # remembered | proposed
    duplicate_of: dict | None
    csv_options: dict = field(default_factory=dict)
    header_lines: int = 1         # 2 where the header continues on the next line (grouped columns)

    @property
    def excel_header_row(self) -> int | None:
        return None if self.header_row is None else self.header_row + 1

    def mapping_labels(self, mapping: dict[str, int] | None = None) -> dict[str, str]:
        return {role: self.labels[i] for role, i in (mapping or self.mapping).items()}

    def source_rows(self) -> np.ndarray:
        return self._source_rows


@dataclass
class Preview:
    cleaned: canonical.Cleaned
    mapping: dict[str, int]
    missing: list[str]
    date_min: dt.date | None
    date_max: dt.date | None
    overlaps: list[dict]


@dataclass
class ImportReport:
    dataset_id: int
    kind: str
    file_name: str
    sheet: str | None
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    rows_skipped: int
    skipped_by: dict[str, int]
    mapping: dict[str, str]
    rejects: list[canonical.Reject]
    warnings: list[canonical.Warning]
    overlaps: list[dict]
    replaced: int
    date_min: dt.date | None
    date_max: dt.date | None
    data_through: dt.date | None
    formulas_without_value: int = 0
    other_sheets: list[str] = field(default_factory=list)   # visible sheets with rows not imported here


# ------------------------------------------------------------------ inspect

def sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_DUPLICATE = ("SELECT dataset_id, file_name, imported_at FROM datasets "
              "WHERE sha256 = $s AND sheet IS NOT DISTINCT FROM $sheet")


def find_duplicate(cur, sha: str, sheet: str | None) -> dict | None:
    """The dataset already loaded from this very file and sheet (another sheet of it is new data)."""
    row = cur.execute(_DUPLICATE, {"s": sha, "sheet": sheet}).fetchone()
    if row is None:
        return None
    return {"dataset_id": row[0], "file_name": row[1], "imported_at": row[2].strftime("%Y-%m-%d %H:%M")}


def _sheets(path: str, sniffed: guard.Sniffed) -> list[SheetChoice]:
    if sniffed.fmt == "xlsx":
        return [SheetChoice(s.name, s.visible, s.size) for s in sniffed.sheets]
    if sniffed.fmt in ("csv", "parquet"):
        return [SheetChoice(None)]
    return [SheetChoice(s["name"], s["visible"], s["rows"] * max(s["width"], 1)) for s in reader.list_sheets(path)]


# Sheet names that say "the lines are here" (销售明细, 订单) or "not here" (说明, 汇总, 透视).
_DETAIL_SHEET = re.compile(r"明细|订单|销售|出库|开票|发货|流水|交易|(?i:sales|orders?|detail|transactions?|lines)")
_AUX_SHEET = re.compile(r"说明|目录|汇总|统计|图表|参数|封面|透视|(?i:readme|summary|chart|pivot|cover|notes?)")


def _default_sheet(sheets: list[SheetChoice]) -> str | None:
    """The sheet holding the data: visible; named like order lines rather than a summary or notes
    (a customer master beside 销售明细 is often the bigger sheet); then the most content."""
    visible = [s for s in sheets if s.visible] or sheets
    if not visible:
        raise ImportRefused("empty_file")

    def rank(sheet: SheetChoice) -> tuple[bool, int, int]:
        name = sheet.name or ""
        hint = bool(_DETAIL_SHEET.search(name)) - bool(_AUX_SHEET.search(name))
        return sheet.size > 0, hint, sheet.size
    return max(visible, key=rank).name


def inspect(store: Store, path: str, file_name: str, sheet: str | None = None, header_row: int | None = None,
            kind: str | None = None, today: dt.date | None = None) -> Inspection:
    """Check, read and understand a file; nothing is written. ImportRefused for unusable files."""
    sniffed = guard.sniff(path, file_name)
    sheets = _sheets(path, sniffed)
    if sheet is None:
        sheet = _default_sheet(sheets)
    elif sheet not in [s.name for s in sheets]:
        raise ImportRefused("sheet_missing", sheet=sheet)
    sniffed.check_width(sheet)
    part = next((s.part for s in sniffed.sheets if s.name == sheet), None)
    digest = _HASHER.submit(sha256_of, path)    # hashing releases the GIL: it runs beside the read
    try:
        found = reader.inspect_file(path, sniffed.fmt, sheet, header_row, part, sniffed.shared_part)
    except ImportRefused as exc:
        raise _text_named_as_workbook(exc, sniffed, file_name) from None
    head_rows, header_row, read, csv_options = found.head, found.header_row, found.read, found.csv_options
    if header_row is None:
        header_texts = list(read.names or [])
    else:
        header_cells = head_rows[header_row] if header_row < len(head_rows) else []
        header_texts = [header_cells[p] if p < len(header_cells) else None for p in read.positions]
    if read.table.num_rows == 0:
        raise ImportRefused("no_rows", row=(header_row or 0) + 1)
    if read.table.num_columns > guard.MAX_COLUMNS:
        raise ImportRefused("too_wide", columns=read.table.num_columns, limit=guard.MAX_COLUMNS)
    if sniffed.fmt == "csv":
        read = _without_trailing_blank_rows(_unwrap_excel_text(_merge_csv_invalid(read, header_row, csv_options)))
        if read.table.num_rows == 0:
            raise ImportRefused("no_rows", row=header_row + 1)
    header_lines = 1
    if header_row is not None and _second_header_line(head_rows, header_row, read):
        header_lines = 2
        header_cells = header.joined_header(head_rows[header_row], head_rows[header_row + 1], read.merged,
                                            header_row)
        header_texts = [header_cells[p] if p < len(header_cells) else None for p in read.positions]
        read = _without_first_row(read)
        if read.table.num_rows == 0:
            raise ImportRefused("no_rows", row=header_row + 2)
    labels = (header.column_labels(header_texts, list(range(len(header_texts)))) if header_row is None
              else header.column_labels(header_cells, read.positions))
    remembered = remembered_mapping(store, labels)
    if remembered:
        chosen_kind = kind or remembered[0]
        mapping = remembered[1] if chosen_kind == remembered[0] else roles.propose(labels, chosen_kind, profile(read.table))
        source = "remembered" if chosen_kind == remembered[0] else "proposed"
    else:
        chosen_kind = kind or roles.detect_kind(labels)
        mapping = roles.propose(labels, chosen_kind, profile(read.table))
        source = "proposed"
    inspection = Inspection(path, file_name, digest.result(), sniffed.fmt, sheets, sheet, head_rows, header_row,
                            labels, header_texts, read, chosen_kind, mapping, source, None, csv_options, header_lines)
    inspection._source_rows = _source_rows(read, header_row, header_lines)
    with store.reader() as cur:
        inspection.duplicate_of = find_duplicate(cur, inspection.sha256, sheet)
    return inspection


_WORKBOOK_NAME = re.compile(r"\.(xlsx|xlsm|xlsb|xls|ods)$", re.IGNORECASE)


def _text_named_as_workbook(exc: ImportRefused, sniffed: guard.Sniffed, file_name: str) -> ImportRefused:
    """Plain text under a workbook's name is read as CSV (systems export tab-separated .xls); when no
    header is found in it, the refusal says the file is not a workbook at all."""
    named = _WORKBOOK_NAME.search(file_name)
    if exc.code != "no_header" or sniffed.fmt != "csv" or not named:
        return exc
    return ImportRefused("text_named_as_workbook", ext=named.group(0).lower(), **exc.args_)


def _source_rows(read: reader.SheetRead, header_row: int | None, header_lines: int = 1) -> np.ndarray:
    """Each read row's number as the user sees it: Excel's 1-based row (CSV: line)."""
    if read.rows is not None:
        return np.asarray(read.rows, dtype=np.int64)
    first = (header_row + 1 + header_lines) if header_row is not None else 2
    return np.arange(first, first + read.table.num_rows, dtype=np.int64)


def _second_header_line(head_rows: list[list], header_row: int, read: reader.SheetRead) -> bool:
    """The header continues on the next line, and that line is the first row read."""
    if header_row + 1 >= len(head_rows) or read.table.num_rows == 0:
        return False
    below = head_rows[header_row + 1]
    if not header.is_sub_header(head_rows[header_row], below, read.positions, read.merged, header_row):
        return False
    first = read.table.slice(0, 1).to_pylist()[0].values()
    return all(clean.is_blank(value) or str(value).strip() == str(below[p]).strip()
               for value, p in zip(first, read.positions) if p < len(below))


def _without_first_row(read: reader.SheetRead) -> reader.SheetRead:
    rows = read.rows[1:] if read.rows is not None else None
    return dataclasses.replace(read, table=read.table.slice(1), rows=rows)


def _unwrap_excel_text(read: reader.SheetRead) -> reader.SheetRead:
    """="000123" is how exports keep Excel from reading a code or a date as a number: the text inside."""
    table = read.table
    for index, column in enumerate(table.columns):
        if pa.types.is_string(column.type) and pc.any(pc.starts_with(column, '="')).as_py():
            table = table.set_column(index, table.field(index),
                                     pc.replace_substring_regex(column, r'^="(.*)"$', r"\1"))
    return dataclasses.replace(read, table=table)


def _without_trailing_blank_rows(read: reader.SheetRead) -> reader.SheetRead:
    """Rows read run to the last line holding something: blank lines at the end of a CSV are not rows."""
    keep, end, step = 0, read.table.num_rows, 1024
    while end > 0:          # look back from the end only as far as the blank tail reaches
        start = max(0, end - step)
        filled = np.flatnonzero(~canonical.blank_rows(read.table.slice(start, end - start)))
        if len(filled):
            keep = start + int(filled[-1]) + 1
            break
        end, step = start, step * 4
    if keep == read.table.num_rows:
        return read
    rows = read.rows[:keep] if read.rows is not None else None
    return dataclasses.replace(read, table=read.table.slice(0, keep), rows=rows)


def _merge_csv_invalid(read: reader.SheetRead, header_row: int, options: dict) -> reader.SheetRead:
    """Lines with fewer or more fields than the header are kept (padded or cut), in file order."""
    if not read.invalid:
        return read
    width = read.table.num_columns
    invalid_lines = {int(number): text for number, text in read.invalid}
    total = read.table.num_rows + len(invalid_lines)
    first = header_row + 2
    all_lines = np.arange(first, first + total, dtype=np.int64)
    valid_lines = all_lines[~np.isin(all_lines, list(invalid_lines))]
    extra_rows = []
    for number, text in sorted(invalid_lines.items()):
        fields = next(csv.reader(io.StringIO(text), delimiter=options["delimiter"]), [])
        fields = (fields + [""] * width)[:width]
        extra_rows.append(fields)
    extra = pa.table({f"c{i}": pa.array([r[i] for r in extra_rows], pa.string()) for i in range(width)})
    combined = pa.concat_tables([read.table, extra])
    lines = np.concatenate([valid_lines[: read.table.num_rows], np.array(sorted(invalid_lines), dtype=np.int64)])
    order = np.argsort(lines, kind="stable")
    table = combined.take(pa.array(order))
    return reader.SheetRead(table, read.positions, read.names, read.merged, read.invalid, lines[order].tolist(),
                            read.formulas_without_value)


def profile(table: pa.Table) -> list[roles.ColumnProfile]:
    """What each column's first rows look like, for guessing roles from values."""
    out = []
    for index, column in enumerate(table.columns):
        sample = column.slice(0, PROFILE_ROWS)
        values = [v for v in sample.to_pylist() if not clean.is_blank(v)]
        dates = numbers = text = 0
        total = 0.0
        is_temporal = pa.types.is_timestamp(column.type) or pa.types.is_date(column.type)
        for value, count in Counter(values).items():   # names and codes repeat: judge each once
            if is_temporal:
                dates += count
                continue
            if isinstance(value, str):
                try:
                    if clean.parse_date(value) is not None and not value.strip().lstrip("-").replace(".", "").isdigit():
                        dates += count
                        continue
                except clean.ValueBad:
                    pass
            try:
                number = clean.parse_number(value)
                numbers += count
                total += abs(float(number or 0)) * count
            except clean.ValueBad:
                text += count
        distinct = len({str(v) for v in values})
        out.append(roles.ColumnProfile(index, len(values), dates, numbers, distinct, total, text))
    return out


# ------------------------------------------------------------------ remembered mappings

def header_signature(labels: list[str]) -> str:
    normal = [roles.normalize_header(label) for label in labels]
    return hashlib.sha1(json.dumps(normal, ensure_ascii=False).encode()).hexdigest()


def remembered_mapping(store: Store, labels: list[str]) -> tuple[str, dict[str, int]] | None:
    with store.reader() as cur:
        row = cur.execute("SELECT kind, mapping FROM mappings WHERE signature = $s",
                          {"s": header_signature(labels)}).fetchone()
    if row is None:
        return None
    # The layout matches with units left out: 毛利（元） then 毛利（万元） is the same column, read in
    # this file's unit. A remembered column not found at all means the layout is not the same one.
    by_label = {label: i for i, label in enumerate(labels)}
    by_normal = {roles.normalize_header(label): i for i, label in reversed(list(enumerate(labels)))}
    mapping = {}
    for role, label in json.loads(row[1]).items():
        index = by_label.get(label, by_normal.get(roles.normalize_header(label)))
        if index is None:
            return None
        mapping[role] = index
    return row[0], mapping


def resolve_mapping(labels: list[str], by_header: dict[str, str], kind: str) -> dict[str, int]:
    """A mapping given as role -> header text (the --mapping file) as role -> column index."""
    out = {}
    normal = [roles.normalize_header(label) for label in labels]
    for role, header_text in by_header.items():
        if role not in roles.ROLES[kind]:
            raise ImportRefused("unknown_role", role=role, roles=", ".join(roles.ROLES[kind]))
        if header_text in labels:
            out[role] = labels.index(header_text)
        elif roles.normalize_header(header_text) in normal:
            out[role] = normal.index(roles.normalize_header(header_text))
        else:
            raise ImportRefused("unknown_column", column=header_text, columns="、".join(labels))
    return out


# ------------------------------------------------------------------ preview

def preview(store: Store, ins: Inspection, mapping: dict[str, int] | None = None, kind: str | None = None,
            today: dt.date | None = None, ignore_demo: bool = False) -> Preview:
    """Clean with this mapping, write nothing: what the import would load, reject and skip.

    ignore_demo: demo datasets about to be removed do not count as overlaps."""
    kind = kind or ins.kind
    mapping = dict(ins.mapping if mapping is None else mapping)
    missing = roles.missing_required(kind, mapping)
    if missing:
        empty = canonical.Cleaned(kind, pa.table({}), [], ins.read.table.num_rows, 0, {})
        return Preview(empty, mapping, missing, None, None, [])
    first_data_row = (ins.header_row + ins.header_lines) if ins.header_row is not None else 1
    two_line_header = None
    if ins.header_lines == 2:
        two_line_header = [[row[p] if p < len(row) else None for p in ins.read.positions]
                           for row in ins.head[ins.header_row: ins.header_row + 2]]
    cleaned = canonical.clean_sheet(ins.read.table, ins.labels, ins.header_texts, mapping, kind, ins.source_rows(),
                                    today or dt.date.today(), ins.read.merged, ins.read.positions, first_data_row,
                                    two_line_header)
    _name_error_cells(cleaned.rejects, ins)
    date_min, date_max = cleaned.date_range()
    overlaps = find_overlaps(store, date_min, date_max, ignore_demo) if kind == "orders" and date_min else []
    return Preview(cleaned, mapping, [], date_min, date_max, overlaps)


def _name_error_cells(rejects: list[canonical.Reject], ins: Inspection) -> None:
    """A row rejected for an empty cell that Excel shows as #N/A or #VALUE!: that is the reason."""
    errors = {(row, column): text for row, column, text in ins.read.error_cells}
    if not errors:
        return
    for reject in rejects:
        if reject.value is None and reject.column in ins.labels:
            text = errors.get((reject.row, ins.read.positions[ins.labels.index(reject.column)]))
            if text:
                reject.code, reject.value = "excel_error", text
                reject.raw[reject.column] = text


def find_overlaps(store: Store, date_min: dt.date, date_max: dt.date, ignore_demo: bool = False) -> list[dict]:
    """Loaded order datasets whose dates meet [date_min, date_max], with their lines inside it."""
    # through Arrow, not pandas: dates stay dates
    return store.query_arrow("overlaps", lo=date_min, hi=date_max, ignore_demo=ignore_demo).to_pylist()


# ------------------------------------------------------------------ commit

def commit(store: Store, ins: Inspection, pre: Preview, on_overlap: str = "keep",
           data_through: dt.date | None = None, is_demo: bool = False, remember: bool = True,
           remove_demo: bool = False) -> ImportReport:
    """Write the previewed rows in one transaction. ImportRefused (nothing written) when unusable.

    remove_demo: the demo datasets go in the same transaction (a failed import keeps them)."""
    if pre.missing:
        raise ImportRefused("missing_roles", roles_keys=[f"role.{r}" for r in pre.missing],
                            columns="、".join(ins.labels))
    cleaned = pre.cleaned
    if cleaned.rows_loaded == 0:
        raise _nothing_to_load(cleaned)
    if on_overlap not in ("keep", "replace"):
        raise ImportRefused("bad_option", option="on-overlap", value=on_overlap)
    try:
        return _write(store, ins, pre, on_overlap, data_through, is_demo, remember, remove_demo)
    except (duckdb.IOException, OSError) as exc:
        text = str(exc).lower()
        full = "no space" in text or getattr(exc, "errno", None) == 28
        raise ImportRefused("disk_full" if full else "read_only") from exc


def _nothing_to_load(cleaned: canonical.Cleaned) -> ImportRefused:
    """Every row rejected (or skipped): the commonest reason, how many rows it stopped, the first one."""
    if not cleaned.rejects:
        return ImportRefused("nothing_to_load_skipped", skipped=cleaned.rows_skipped)
    code, count = Counter(r.code for r in cleaned.rejects).most_common(1)[0]
    first = next(r for r in cleaned.rejects if r.code == code)
    return ImportRefused("nothing_to_load", rejected=cleaned.rows_rejected, reason_key=f"reject.{code}",
                         count=count, row=first.row, column=first.column or "—",
                         value="" if first.value is None else first.value)


def _write(store: Store, ins: Inspection, pre: Preview, on_overlap: str, data_through: dt.date | None,
           is_demo: bool, remember: bool, remove_demo: bool) -> ImportReport:
    cleaned, kind = pre.cleaned, pre.cleaned.kind
    mapping_labels = ins.mapping_labels(pre.mapping)
    through = data_through or pre.date_max
    replaced = 0
    # the dates this import replaces, also where nothing is left there to set aside (a line an
    # earlier replacing import holds comes back only when neither stands)
    replacing = kind == "orders" and on_overlap == "replace" and bool(pre.overlaps)
    with store.write(snapshot="now") as cur:
        duplicate = find_duplicate(cur, ins.sha256, ins.sheet)
        if duplicate:
            raise ImportRefused("duplicate", **duplicate)
        if remove_demo:
            for (demo_id,) in cur.execute(sql("demo_datasets")).fetchall():
                run_script(cur, "delete_dataset", id=demo_id)
            run_script(cur, "after_delete")
        dataset_id = cur.execute("SELECT nextval('dataset_seq')").fetchone()[0]
        if replacing:
            replaced = _replace_overlap(cur, [o["dataset_id"] for o in pre.overlaps], pre.date_min, pre.date_max)
        cur.execute(sql("insert_dataset"), {
            "id": dataset_id, "kind": kind, "file": ins.file_name, "sheet": ins.sheet, "sha": ins.sha256,
            "read": cleaned.rows_read, "loaded": cleaned.rows_loaded, "rejected": cleaned.rows_rejected,
            "skipped": cleaned.rows_skipped, "blank": cleaned.skipped_by.get("blank", 0),
            "header": cleaned.skipped_by.get("header", 0), "totals": cleaned.skipped_by.get("totals", 0),
            "header_row": ins.excel_header_row, "mapping": json.dumps(mapping_labels, ensure_ascii=False),
            "warnings": json.dumps([w.__dict__ for w in cleaned.warnings], ensure_ascii=False),
            "dmin": pre.date_min, "dmax": pre.date_max, "through": through if kind == "orders" else None,
            "demo": is_demo, "rlo": pre.date_min if replacing else None, "rhi": pre.date_max if replacing else None})
        cur.register("staging", cleaned.with_keep_column())   # rows that do not load are filtered as read
        run_script(cur, f"insert_{kind}", id=dataset_id, **_present_flags(kind, pre.mapping))
        cur.unregister("staging")
        if cleaned.rejects:
            rejects = pa.table({
                "dataset_id": pa.array([dataset_id] * len(cleaned.rejects), pa.int32()),
                "source_row": pa.array([r.row for r in cleaned.rejects], pa.int64()),
                "code": pa.array([r.code for r in cleaned.rejects], pa.string()),
                "column_name": pa.array([r.column for r in cleaned.rejects], pa.string()),
                "value": pa.array([r.value for r in cleaned.rejects], pa.string()),
                "raw": pa.array([canonical.reject_json(r) for r in cleaned.rejects], pa.string())})
            cur.register("staging_rejects", rejects)
            cur.execute("INSERT INTO rejects SELECT * FROM staging_rejects")
            cur.unregister("staging_rejects")
        if remember and not is_demo:
            cur.execute("INSERT OR REPLACE INTO mappings VALUES ($sig, $kind, $mapping, $headers, now())", {
                "sig": header_signature(ins.labels), "kind": kind,
                "mapping": json.dumps(mapping_labels, ensure_ascii=False),
                "headers": json.dumps(ins.labels, ensure_ascii=False)})
        if kind in ("orders", "clients") or remove_demo:
            rebuild_client_dim(cur)
    return ImportReport(dataset_id, kind, ins.file_name, ins.sheet, cleaned.rows_read, cleaned.rows_loaded,
                        cleaned.rows_rejected, cleaned.rows_skipped, cleaned.skipped_by, mapping_labels,
                        cleaned.rejects, cleaned.warnings, pre.overlaps, replaced, pre.date_min, pre.date_max,
                        through if kind == "orders" else None, ins.read.formulas_without_value, other_sheets(ins))


def _replace_overlap(cur, dataset_ids: list[int], lo: dt.date, hi: dt.date) -> int:
    """Set the older datasets' lines inside the new file's date range aside (deleting the new import
    brings them back); count what went."""
    total = 0
    for dataset_id in dataset_ids:
        params = {"id": dataset_id, "lo": lo, "hi": hi}
        inside = "FROM transactions WHERE dataset_id = $id AND order_date BETWEEN $lo AND $hi"
        n = cur.execute(f"SELECT count(*) {inside}", params).fetchone()[0]
        cur.execute(f"INSERT INTO replaced_lines SELECT * {inside}", params)
        cur.execute(f"DELETE {inside}", params)
        cur.execute("UPDATE datasets SET rows_replaced = rows_replaced + $n WHERE dataset_id = $id",
                    {"n": n, "id": dataset_id})
        total += n
    return total


def _present_flags(kind: str, mapping: dict[str, int]) -> dict:
    """For the archive: which fields this file carries (the others keep their stored values)."""
    if kind != "clients":
        return {}
    return {f"has_{role}": role in mapping for role in
            ("client_id", "group", "chain_scope", "store_count", "owner", "region", "city", "service_level",
             "potential", "note")}


# ------------------------------------------------------------------ the other sheets of a workbook

@dataclass
class SheetOutcome:
    """One further sheet: its report, or why it was not imported."""

    sheet: str
    report: ImportReport | None = None
    refused: ImportRefused | None = None


def other_sheets(ins: Inspection) -> list[str]:
    """The workbook's other visible sheets with rows: a year kept as one sheet per month (not the
    notes or summary sheets beside them)."""
    return [s.name for s in ins.sheets if s.name and s.name != ins.sheet and s.visible and s.size > 0
            and not _AUX_SHEET.search(s.name)]


def import_other_sheets(store: Store, path: str, file_name: str, kind: str, by_label: dict[str, str],
                        sheets: list[str], on_overlap: str = "keep", today: dt.date | None = None) -> list[SheetOutcome]:
    """Each sheet as its own dataset (its own transaction), mapped by the column headers confirmed for
    the first sheet (by_label: role -> header, Inspection.mapping_labels). A sheet lacking one of those
    columns, or with nothing to load, is left out with its reason; the sheets before it stay imported."""
    outcomes = []
    for sheet in sheets:
        try:
            other = inspect(store, path, file_name, sheet=sheet, kind=kind, today=today)
            if other.duplicate_of:
                raise ImportRefused("duplicate", **other.duplicate_of)
            missing = [label for label in by_label.values() if label not in other.labels]
            if missing:
                raise ImportRefused("sheet_columns_differ", sheet=sheet, columns="、".join(missing))
            sheet_mapping = {role: other.labels.index(label) for role, label in by_label.items()}
            pre = preview(store, other, sheet_mapping, kind, today)
            outcomes.append(SheetOutcome(sheet, commit(store, other, pre, on_overlap)))
        except ImportRefused as exc:
            outcomes.append(SheetOutcome(sheet, refused=exc))
    return outcomes


def get_ready() -> None:
    """Start the parsing child for the next upload ahead of it (the import page calls this)."""
    reader.warm()


# ------------------------------------------------------------------ one call

def import_file(store: Store, path: str, file_name: str | None = None, kind: str | None = None,
                sheet: str | None = None, mapping_by_header: dict[str, str] | None = None,
                on_overlap: str = "keep", data_through: dt.date | None = None, is_demo: bool = False,
                today: dt.date | None = None) -> ImportReport:
    """inspect -> preview -> commit with the remembered or proposed mapping (the command line's path)."""
    file_name = file_name or path.rsplit("/", 1)[-1]
    ins = inspect(store, path, file_name, sheet=sheet, kind=kind, today=today)
    if ins.duplicate_of:
        raise ImportRefused("duplicate", **ins.duplicate_of)
    mapping = resolve_mapping(ins.labels, mapping_by_header, kind or ins.kind) if mapping_by_header else ins.mapping
    pre = preview(store, ins, mapping, kind or ins.kind, today)
    return commit(store, ins, pre, on_overlap, data_through, is_demo)
