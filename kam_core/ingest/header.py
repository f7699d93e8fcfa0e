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
    known = sum(1 for value in texts if roles.is_known_name(value))
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


def is_sub_header(header_row: list, next_row: list, positions: list[int], merged: list[list[int]],
                  header_index: int) -> bool:
    """Whether the row under the header is its second line (含税金额 | 无税金额 under a merged 金额),
    as ERP exports write grouped columns. Only text, at least one cell under a blank header cell, and
    at least half of its cells under a blank or a merged-across header cell: a data row always holds a
    date or an amount, and sits under named columns."""
    filled = [p for p in positions if p < len(next_row) and not clean.is_blank(next_row[p])]
    if not filled or not all(_is_texty(next_row[p]) for p in filled):
        return False

    def blank_above(p: int) -> bool:
        return p >= len(header_row) or clean.is_blank(header_row[p])

    def merged_across(p: int) -> bool:
        return any(r0 <= header_index <= r1 and c0 <= p <= c1 and c1 > c0 for r0, c0, r1, c1 in merged)

    loose = sum(1 for p in filled if blank_above(p) or merged_across(p))
    return any(blank_above(p) for p in filled) and 2 * loose >= len(filled)


def joined_header(header_row: list, next_row: list, merged: list[list[int]], header_index: int) -> list:
    """One header from two lines: a merged-across group name carried over its columns, then the
    second line's text (金额 含税金额, 金额 无税金额); cells blank on the second line keep the first's."""
    width = max(len(header_row), len(next_row))
    top = [header_row[p] if p < len(header_row) else None for p in range(width)]
    for r0, c0, r1, c1 in merged:
        if r0 <= header_index <= r1 and c1 > c0 and c0 < width:
            for p in range(c0 + 1, min(c1, width - 1) + 1):
                if clean.is_blank(top[p]):
                    top[p] = top[c0]
    out = []
    for p in range(width):
        below = next_row[p] if p < len(next_row) else None
        parts = [str(clean.clean_text(v)).strip() for v in (top[p], below) if not clean.is_blank(v)]
        out.append(" ".join(parts) if parts else None)
    return out


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
