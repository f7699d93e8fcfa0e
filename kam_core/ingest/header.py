"""Find the header row below title rows, and name the columns.

Exports put a title, a date range and blank lines above the table, often in
merged cells. The header is the row (within the first 30) that names the most
known columns, with text in several cells and data below it.
"""
from __future__ import annotations

from kam_core.ingest import clean, roles

SEARCH_ROWS = 30


def _is_texty(value) -> bool:
    if not isinstance(value, str) or not value.strip():
        return False
    try:
        clean.parse_number(value)
        return False
    except clean.ValueBad:
        pass
    try:
        clean.parse_date(value)
        return False
    except clean.ValueBad:
        return True


def _filled(row) -> int:
    return sum(1 for v in row if not clean.is_blank(v))


def row_score(row: list, below: list[list]) -> float:
    """Known column names weigh most; plain text cells next; a row of numbers is data, not a header."""
    texts = [v for v in row if _is_texty(v)]
    if len(texts) < 2:
        return 0.0
    numbers = _filled(row) - len(texts)
    known = 0
    for value in texts:
        if any(roles.name_score(value, kind, role) >= 100 for kind in roles.KINDS for role in roles.ROLES[kind]):
            known += 1
    data_below = sum(1 for r in below if _filled(r) >= max(2, len(texts) // 2))
    return 10 * known + len(texts) - 3 * numbers + (2 if data_below else -5)


def find_header(rows: list[list]) -> int | None:
    """0-based index of the header row among the first SEARCH_ROWS rows, or None."""
    best, best_score = None, 0.0
    for index, row in enumerate(rows[:SEARCH_ROWS]):
        score = row_score(row, rows[index + 1 : index + 6])
        if score > best_score:
            best, best_score = index, score
    return best


def column_letter(position: int) -> str:
    """0-based column number to Excel letters (0 -> A)."""
    letters = ""
    position += 1
    while position:
        position, rem = divmod(position - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_labels(header_row: list, positions: list[int]) -> list[str]:
    """One unique label per read column: the header text, blanks as (C), repeats as 金额_1."""
    labels, seen = [], {}
    for position in positions:
        raw = header_row[position] if position < len(header_row) else None
        text = clean.clean_text(raw) if not clean.is_blank(raw) else f"({column_letter(position)})"
        text = " ".join(str(text).split())
        if text in seen:
            seen[text] += 1
            text = f"{text}_{seen[text]}"
        else:
            seen[text] = 0
        labels.append(text)
    return labels
