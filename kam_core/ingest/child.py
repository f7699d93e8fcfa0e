"""The parsing child process: python -m kam_core.ingest.child < request.json

Every parser that touches uploaded bytes runs here, under the memory and time
limits reader.py sets, so a hostile file can at worst kill this process. The
request and the answer are JSON on stdin/stdout; tables travel back as an Arrow
IPC file. Ops:
  sheets   (xls, xlsb, ods)  -> sheet names, visibility and row counts
  inspect  the first rows (the header search runs here when no header row is given), then
           the whole sheet below the header row -> Arrow IPC file; one process per file
"""
from __future__ import annotations

import csv
import datetime as dt
import importlib
import io
import json
import os
import re
import sys
import threading
import zipfile

HEAD_ROWS = 40
_MERGE = re.compile(rb'<mergeCell\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def _col(letters: bytes) -> int:
    number = 0
    for ch in letters.decode():
        number = number * 26 + (ord(ch) - 64)
    return number - 1


def _jsonable(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float) and value != value:
        return None
    return value


# ------------------------------------------------------------------ sheets

def op_sheets(req: dict) -> dict:
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(req["path"])
    sheets = []
    for meta in book.sheets_metadata:
        if "WorkSheet" not in str(meta.typ):
            continue
        sheet = book.get_sheet_by_name(meta.name)
        sheets.append({"name": meta.name, "visible": "Visible" in str(meta.visible) and "Very" not in str(meta.visible)
                       and "Hidden" not in str(meta.visible), "rows": sheet.total_height, "width": sheet.total_width})
    return {"sheets": sheets}


# ------------------------------------------------------------------ head

def op_head(req: dict) -> dict:
    fmt = req["fmt"]
    if fmt == "xlsx":
        from kam_core.ingest.xlsx_head import head_rows

        rows = head_rows(req["path"], req["part"], req.get("shared_part"), HEAD_ROWS)
        return {"rows": rows}
    if fmt == "csv":
        return _csv_head(req["path"])
    import fastexcel

    sheet = fastexcel.read_excel(req["path"]).load_sheet(req["sheet"], header_row=None, skip_rows=0,
                                                         n_rows=HEAD_ROWS, dtypes="string")
    rows = [list(r.values()) for r in sheet.to_arrow().to_pylist()]
    return {"rows": [[_jsonable(v) for v in r] for r in rows]}


# UTF-8 with some lines in GBK: files joined from two systems. Each line is read in its own encoding.
MIXED = "utf-8+gb18030"


def detect_encoding(sample: bytes) -> str:
    """BOMs first; then UTF-8 if the sample decodes; UTF-8 with GBK lines where most lines with
    Chinese text are UTF-8; else GB18030 (a superset of GBK and GB2312)."""
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    for encoding in ("utf-8", "gb18030"):
        try:
            sample.decode(encoding)
            return encoding
        except UnicodeDecodeError as exc:
            if exc.start >= len(sample) - 4:  # a character cut at the end of the sample
                return encoding
            if encoding == "utf-8" and _mostly_utf8(sample):
                return MIXED
    raise ValueError("encoding")


def _mostly_utf8(sample: bytes) -> bool:
    """More lines with non-ASCII bytes read as UTF-8 than fail to (GBK text almost never reads as UTF-8)."""
    good = bad = 0
    lines = sample.splitlines()
    if not sample.endswith((b"\n", b"\r")):
        lines = lines[:-1]                     # the last line may be cut
    for line in lines:
        if max(line, default=0) < 0x80:
            continue
        try:
            line.decode("utf-8")
            good += 1
        except UnicodeDecodeError:
            bad += 1
    return good > bad


def _decode_line(line: bytes) -> bytes:
    """A line of a MIXED file as UTF-8: GBK where it is GBK; a UTF-8 line with a stray byte or two
    (a Latin-1 é) keeps its text, the stray bytes marked �."""
    try:
        line.decode("utf-8")
        return line
    except UnicodeDecodeError:
        pass
    as_utf8 = line.decode("utf-8", errors="replace")
    if as_utf8.count("\ufffd") * 4 <= sum(1 for byte in line if byte >= 0x80):
        return as_utf8.encode("utf-8")
    return line.decode("gb18030", errors="replace").encode("utf-8")


def decode(data: bytes, encoding: str) -> str:
    if encoding == MIXED:
        return b"".join(_decode_line(line) for line in data.splitlines(keepends=True)).decode("utf-8", "ignore")
    return data.decode(encoding, errors="ignore")


def _as_utf8_copy(path: str, out: str) -> str:
    """A MIXED file rewritten as UTF-8 beside the answer file, for the CSV reader."""
    copy = out + ".utf8.csv"
    with open(path, "rb") as src, open(copy, "wb") as dst:
        for line in src:
            dst.write(_decode_line(line))
    return copy


def _csv_head(path: str) -> dict:
    with open(path, "rb") as fh:
        sample = fh.read(256 * 1024)
    try:
        encoding = detect_encoding(sample)
    except ValueError:
        return {"error": "csv_encoding"}
    text = decode(sample, encoding)
    # Line breaks as the CSV reader counts them (str.splitlines would also break at a form feed)
    lines = _LINE_BREAK.split(text)[: HEAD_ROWS + 1]
    if len(sample) == 256 * 1024:
        lines = lines[:-1]  # the last line may be cut
    delimiter = _delimiter(lines)
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
    rows, lines_through = [], []    # each row, and the lines read up to its end (a quoted cell spans lines)
    for row in reader:
        rows.append([cell if cell.strip() else None for cell in row])
        lines_through.append(reader.line_num)
        if len(rows) == HEAD_ROWS:
            break
    return {"rows": rows, "encoding": encoding, "delimiter": delimiter, "lines_through": lines_through}


_LINE_BREAK = re.compile(r"\r\n|\n|\r")


def _delimiter(lines: list[str]) -> str:
    """The separator that splits most lines into the same number of fields."""
    best, best_score = ",", -1
    for candidate in (",", "\t", ";", "|"):
        counts = [line.count(candidate) for line in lines if line.strip()]
        if not counts:
            continue
        common = max(set(counts), key=counts.count)
        score = counts.count(common) * common
        if score > best_score:
            best, best_score = candidate, score
    return best


# ------------------------------------------------------------------ read

_FORMULA_NO_VALUE = re.compile(rb"(?:</f>|<f\b[^>]*/>)(?:<v\s*/>|<v></v>)?</c>")
# An error cell (#N/A, #VALUE!): the reader gives it as empty; its text names the reject's cause.
_ERROR_CELL = re.compile(rb'<c\s+r="([A-Z]+)(\d+)"[^>]*?\bt="e"[^>]*>(?:<f\b[^>]*/>|<f\b[^>]*>.*?</f>)?<v>([^<]*)</v>')
MAX_ERROR_CELLS = 10_000


def _scan_sheet(path: str, part: str, found: dict) -> None:
    """Stream the sheet XML beside the read: merged ranges (they sit after the cell data), formula
    cells saved without a value (written by a program that never calculated them), and error cells
    ([excel row, 0-based column, #N/A])."""
    merged, no_value, errors = [], 0, []
    tail = b""
    with zipfile.ZipFile(path) as archive, archive.open(part) as fh:
        while True:
            chunk = fh.read(1 << 22)
            data = tail + chunk
            cut = data.rfind(b"<") if chunk else len(data)
            scan, tail = (data[:cut], data[cut:]) if cut > 0 else (data, b"")
            if b"<f" in scan:
                no_value += len(_FORMULA_NO_VALUE.findall(scan))
            if b't="e"' in scan and len(errors) < MAX_ERROR_CELLS:
                errors += [[int(m.group(2)), _col(m.group(1)), m.group(3).decode("utf-8", "replace")]
                           for m in _ERROR_CELL.finditer(scan)][: MAX_ERROR_CELLS - len(errors)]
            if b"<mergeCell " in scan:
                for m in _MERGE.finditer(scan):
                    first_col, first_row = _col(m.group(1)), int(m.group(2)) - 1
                    last_col = _col(m.group(3)) if m.group(3) else first_col
                    last_row = int(m.group(4)) - 1 if m.group(4) else first_row
                    merged.append([first_row, first_col, last_row, last_col])
            if not chunk:
                break
    found["merged"], found["formulas_without_value"], found["error_cells"] = merged, no_value, errors


def _write_ipc(table, out: str) -> None:
    import pyarrow as pa

    with pa.OSFile(out, "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table, max_chunksize=1 << 20)


def _plain_columns(table):
    """Parquet columns as the cleaning reads them: categories (dictionary-encoded, as pandas writes
    them) as their values; lists, structs and maps as JSON text; times and durations as text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for index, field in enumerate(table.schema):
        kind = field.type
        if pa.types.is_dictionary(kind):
            column = pc.cast(table.column(index), kind.value_type)
        elif pa.types.is_nested(kind):
            column = pa.array([None if v is None else json.dumps(v, ensure_ascii=False, default=str)
                               for v in table.column(index).to_pylist()], pa.string())
        elif pa.types.is_time(kind) or pa.types.is_duration(kind):
            column = pc.cast(table.column(index), pa.string())
        else:
            continue
        table = table.set_column(index, pa.field(field.name, column.type), column)
    return table


def op_read(req: dict) -> dict:
    fmt = req["fmt"]
    if fmt == "csv":
        return _read_csv(req)
    if fmt == "parquet":
        import pyarrow.parquet as pq

        table = _plain_columns(pq.read_table(req["path"]))
        _write_ipc(table, req["out"])
        return {"names": table.column_names, "n_rows": table.num_rows, "merged": []}
    import fastexcel

    scanned: dict = {"merged": [], "formulas_without_value": 0, "error_cells": []}
    scanner = None
    if fmt == "xlsx" and req.get("part"):
        scanner = threading.Thread(target=_scan_sheet, args=(req["path"], req["part"], scanned))
        scanner.start()
    sheet = fastexcel.read_excel(req["path"]).load_sheet(req["sheet"], header_row=req["header_row"],
                                                         schema_sample_rows=None)
    import pyarrow as pa

    table = pa.Table.from_batches([sheet.to_arrow()])
    positions = [info.absolute_index for info in sheet.available_columns()]
    # names are positional from here on: the parent maps roles to column indices
    table = table.rename_columns([f"c{i}" for i in range(table.num_columns)])
    _write_ipc(table, req["out"])
    if scanner:
        scanner.join()
    return {"positions": positions, "n_rows": table.num_rows, **scanned}


def _read_csv(req: dict) -> dict:
    import pyarrow as pa
    import pyarrow.csv as pv

    width = req["width"]
    invalid: list = []

    def on_invalid(row):
        invalid.append([row.number, row.text])
        return "skip"

    names = [f"c{i}" for i in range(width)]

    def read(path: str, encoding: str):
        invalid.clear()
        return pv.read_csv(
            path,
            read_options=pv.ReadOptions(encoding=encoding, skip_rows=req["skip_lines"],
                                        column_names=names, use_threads=False, block_size=1 << 24),
            parse_options=pv.ParseOptions(delimiter=req["delimiter"], ignore_empty_lines=False,
                                          invalid_row_handler=on_invalid, newlines_in_values=True),
            convert_options=pv.ConvertOptions(column_types={n: pa.string() for n in names},
                                              strings_can_be_null=False, quoted_strings_can_be_null=False),
        )

    encoding = req["encoding"]
    if encoding == "utf-8":
        try:
            table = read(req["path"], encoding)
        except pa.ArrowInvalid as exc:     # a GBK line after the sample the encoding was judged on
            if "utf8" not in str(exc).lower().replace("-", ""):
                raise
            encoding = MIXED
    if encoding == MIXED:
        copy = _as_utf8_copy(req["path"], req["out"])
        try:
            table = read(copy, "utf-8")
        finally:
            os.unlink(copy)
    elif encoding != "utf-8":
        table = read(req["path"], encoding)
    _write_ipc(table, req["out"])
    return {"positions": list(range(width)), "n_rows": table.num_rows, "merged": [], "invalid": invalid}


def op_inspect(req: dict) -> dict:
    """Head rows, header row, then the full read: one child process per inspection."""
    from kam_core.ingest.header import SEARCH_ROWS, find_header

    if req["fmt"] == "parquet":
        return {"rows": [], "header_row": None, **op_read(req)}
    head = op_head(req)
    if "error" in head:
        return head
    rows = head["rows"]
    if not any(any(v not in (None, "") and str(v).strip() for v in row) for row in rows):
        return {"error": "empty_sheet", "sheet": req["sheet"]} if req.get("sheet") else {"error": "empty_file"}
    header_row = req.get("header_row")
    if header_row is None:
        header_row = find_header(rows)
        if header_row is None:
            return {"error": "no_header", "rows_searched": SEARCH_ROWS}
    read_req = dict(req, header_row=header_row)
    if req["fmt"] == "csv":
        read_req.update(encoding=head["encoding"], delimiter=head["delimiter"],
                        width=max((len(r) for r in rows[header_row:]), default=0),
                        skip_lines=(head["lines_through"][header_row] if header_row < len(head["lines_through"])
                                    else header_row + 1))
    return {**head, "header_row": header_row, **op_read(read_req)}


OPS = {"sheets": op_sheets, "inspect": op_inspect}


# What a worksheet or CSV request uses loads before the request arrives: a spare child
# (reader.warm) has it ready. pyarrow.parquet (23 ms) loads on demand: Parquet files are large.
PRELOAD = ("fastexcel", "pyarrow.ipc", "pyarrow.csv", "kam_core.ingest.header", "kam_core.ingest.xlsx_head")


def main() -> int:
    for module in PRELOAD:
        importlib.import_module(module)

    raw = sys.stdin.buffer.read()
    if not raw:    # a spare whose parent has gone
        return 0
    request = json.loads(raw)
    try:
        answer = OPS[request["op"]](request)
    except Exception as exc:  # the parent turns this into one sentence for the user
        answer = {"error": "parse_failed", "detail": f"{type(exc).__name__}: {exc}"[:500]}
    json.dump(answer, sys.stdout, ensure_ascii=False, default=_jsonable)
    return 0


if __name__ == "__main__":
    code = main()
    # The parent waits for the exit: skip the interpreter's teardown of pyarrow and the readers
    # (tens of milliseconds); the answer and the Arrow file are complete and closed by now.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
