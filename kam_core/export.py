"""Excel and CSV exports in which text from uploaded files can never become a formula.

xlsxwriter writes every string as a string cell (strings_to_formulas off), so
'=HYPERLINK(...)' or '+cmd|...' arrive in Excel as the text they are. CSV has no
cell types: text starting with = + - @ (or a tab / carriage return) gets a
leading apostrophe, the convention spreadsheet programs honour.
"""
from __future__ import annotations

import io
import math

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_SHEET_NAME = 31


def _sheet_name(name: str, used: set[str]) -> str:
    clean = "".join("_" if ch in '[]:*?/\\' else ch for ch in str(name))[:MAX_SHEET_NAME] or "Sheet"
    candidate, n = clean, 1
    while candidate.lower() in used:
        n += 1
        candidate = f"{clean[:MAX_SHEET_NAME - 3]}_{n}"
    used.add(candidate.lower())
    return candidate


def write_frame(workbook, worksheet, frame: pd.DataFrame, first_row: int = 0, header_format=None) -> None:
    """A DataFrame into a worksheet: numbers as numbers, dates as dates, all text as text cells."""
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for col, name in enumerate(frame.columns):
        worksheet.write_string(first_row, col, str(name), header_format)
    for r, row in enumerate(frame.itertuples(index=False), start=first_row + 1):
        for c, value in enumerate(row):
            if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
                continue
            if isinstance(value, bool):
                worksheet.write_boolean(r, c, value)
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                if math.isinf(value):
                    worksheet.write_string(r, c, str(value))
                else:
                    worksheet.write_number(r, c, value)
            elif hasattr(value, "year") and hasattr(value, "month"):
                worksheet.write_datetime(r, c, pd.Timestamp(value).to_pydatetime(), date_format)
            elif hasattr(value, "is_finite"):  # Decimal
                worksheet.write_number(r, c, float(value))
            else:
                worksheet.write_string(r, c, str(value))
    for col, name in enumerate(frame.columns):
        width = max([len(str(name))] + [len(str(v)) for v in frame.iloc[:200, col].tolist()]) if len(frame) else len(str(name))
        worksheet.set_column(col, col, min(max(width * 1.2 + 2, 8), 60))


def xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """A workbook with one sheet per DataFrame."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False, "strings_to_numbers": False})
    bold = workbook.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1})
    used: set[str] = set()
    for name, frame in sheets.items():
        worksheet = workbook.add_worksheet(_sheet_name(name, used))
        write_frame(workbook, worksheet, frame, header_format=bold)
        worksheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()


def csv_safe_text(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM (Excel opens it with the right characters), formula-like text neutralised."""
    safe = frame.copy()
    safe.columns = [csv_safe_text(str(c)) for c in safe.columns]
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(csv_safe_text)
    return safe.to_csv(index=False).encode("utf-8-sig")
