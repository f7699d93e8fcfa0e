"""The first rows of an xlsx sheet, streamed, for finding the header row.

Readers such as calamine materialise the whole sheet (and the whole shared-string
table) even when asked for 40 rows: seconds on a million-row export. The header
sits in the first rows, so we stream just those rows of the sheet XML and resolve
only the shared strings they use. Runs in the child process (child.py).
"""
from __future__ import annotations

import re
import zipfile
import xml.etree.ElementTree as ET

CHUNK = 64 * 1024
MAX_HEAD_BYTES = 16 * 1024**2
_REF = re.compile(r"([A-Z]+)(\d+)")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _column_index(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + (ord(ch) - 64)
    return number - 1


def _cell_value(cell: ET.Element):
    """(kind, value): kind 's' shared-string index, 'str' text, 'n' number, None empty."""
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        text = "".join(node.text or "" for node in cell.iter() if _local(node.tag) == "t")
        return "str", text
    value = None
    for child in cell:
        if _local(child.tag) == "v":
            value = child.text
    if value is None:
        return None, None
    if kind == "s":
        return "s", int(value)
    if kind in ("str", "e"):
        return "str", value
    if kind == "b":
        return "str", "TRUE" if value == "1" else "FALSE"
    try:
        return "n", float(value)
    except ValueError:
        return "str", value


def head_rows(path: str, part: str, shared_part: str | None, n_rows: int = 40) -> list[list]:
    """The first n_rows rows of the sheet (absolute, row 1 first) as lists of str / float / None."""
    rows: dict[int, dict[int, tuple]] = {}
    with zipfile.ZipFile(path) as archive, archive.open(part) as fh:
        parser = ET.XMLPullParser(events=("end",))
        read = 0
        done = False
        while not done and read < MAX_HEAD_BYTES:
            chunk = fh.read(CHUNK)
            if not chunk:
                break
            read += len(chunk)
            parser.feed(chunk)
            for _, element in parser.read_events():
                if _local(element.tag) != "row":
                    continue
                row_number = int(element.get("r", len(rows) + 1))
                if row_number > n_rows:
                    done = True
                    break
                cells = {}
                for position, cell in enumerate(c for c in element if _local(c.tag) == "c"):
                    ref = _REF.match(cell.get("r", ""))
                    column = _column_index(ref.group(1)) if ref else position
                    kind, value = _cell_value(cell)
                    if kind:
                        cells[column] = (kind, value)
                rows[row_number] = cells
                element.clear()
        needed = {v for cells in rows.values() for k, v in cells.values() if k == "s"}
        strings = _shared_strings(archive, shared_part, max(needed)) if needed and shared_part else {}
    if not rows:
        return []
    width = max((max(cells) + 1 for cells in rows.values() if cells), default=0)
    last = max(rows)
    out = []
    for number in range(1, last + 1):
        cells = rows.get(number, {})
        line = [None] * width
        for column, (kind, value) in cells.items():
            line[column] = strings.get(value) if kind == "s" else value
        out.append(line)
    return out


def _shared_strings(archive: zipfile.ZipFile, part: str, last_index: int) -> dict[int, str]:
    """Shared strings 0..last_index, streamed; rich-text runs joined."""
    found: dict[int, str] = {}
    index = 0
    with archive.open(part) as fh:
        parser = ET.XMLPullParser(events=("end",))
        while index <= last_index:
            chunk = fh.read(CHUNK)
            if not chunk:
                break
            parser.feed(chunk)
            for _, element in parser.read_events():
                name = _local(element.tag)
                if name != "si":
                    continue
                found[index] = "".join(node.text or "" for node in element.iter()
                                       if _local(node.tag) == "t" and not _in_phonetic(element, node))
                index += 1
                element.clear()
                if index > last_index:
                    break
    return found


def _in_phonetic(si: ET.Element, node: ET.Element) -> bool:
    """Phonetic runs (<rPh>) carry readings, not the cell's text."""
    for child in si:
        if _local(child.tag) == "rPh" and any(n is node for n in child.iter()):
            return True
    return False
