"""Checks on a file's raw bytes before any parser sees it.

A 2 KB workbook whose cells claim columns A..XFD makes the Excel reader try a
512 GiB allocation, a zip bomb keeps XML parsers busy for minutes, and entity
declarations expand without bound. These checks read only the zip directory and
bounded stretches of the XML; the parse itself then runs in a child process with
memory and time limits (reader.py), so what slips through here still cannot take
the server down.
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass

from kam_core.ingest.errors import ImportRefused

MAX_ZIP_PARTS = 10_000
MAX_EXPANDED_BYTES = 3 * 1024**3          # a 1,048,576 x 20 sheet expands to about 1 GB
MAX_RATIO = 200                           # real sheets compress 5-30x; bombs 1000x and more
RATIO_MIN_BYTES = 1024**2                 # tiny parts can have any ratio
MAX_COLUMNS = 200                         # wider sheets are reports, not order lines
MAX_ROWS = 1_048_576
HEAD_BYTES = 64 * 1024
FULL_SCAN_BYTES = 64 * 1024**2            # sheets up to this size are scanned for their largest cell

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SIGNATURES = [
    (b"%PDF", "PDF"), (b"\x89PNG", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF8", "GIF"),
    (b"Rar!", "RAR"), (b"7z\xbc\xaf", "7z"), (b"\x1f\x8b", "gzip"), (b"BM", None),
]
_DIMENSION = re.compile(rb'<dimension\s+ref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')
_WIDE_REF = re.compile(rb'\sr="([A-Z]{3})(\d+)"')
_TWO_LETTER_REF = re.compile(rb'\sr="([A-Z]{2})\d+"')


@dataclass(frozen=True)
class SheetPart:
    name: str
    part: str          # the sheet's XML inside the zip
    visible: bool
    size: int          # expanded bytes: the largest visible sheet holds the data
    width: int         # the widest column its cells reach (1-based)


@dataclass(frozen=True)
class Sniffed:
    fmt: str                          # xlsx | xlsb | ods | xls | csv | parquet
    sheets: tuple[SheetPart, ...] = ()  # xlsx only; other formats list sheets in the child
    shared_part: str | None = None    # xlsx shared-string table

    def check_width(self, sheet: str) -> None:
        """Refuse a sheet wider than MAX_COLUMNS before it is parsed."""
        for info in self.sheets:
            if info.name == sheet and info.width > MAX_COLUMNS:
                raise ImportRefused("too_wide", columns=info.width, limit=MAX_COLUMNS)


def column_number(letters: str) -> int:
    """A1-style column letters to a 1-based number (A=1, XFD=16384)."""
    number = 0
    for ch in letters:
        number = number * 26 + (ord(ch) - 64)
    return number


def sniff(path: str, file_name: str) -> Sniffed:
    """Identify the file from its bytes and refuse what must never reach a parser."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if not head:
        raise ImportRefused("empty_file")
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _check_zip(path)
    if head.startswith(_OLE2):
        return _check_ole(path)
    if head.startswith(b"PAR1"):
        return Sniffed("parquet")
    for signature, kind in _SIGNATURES:
        if head.startswith(signature) and kind:
            raise ImportRefused("not_spreadsheet", kind=kind)
    if _looks_like_text(head) or (file_name.lower().endswith((".csv", ".txt", ".tsv")) and b"\x00" not in head):
        return Sniffed("csv")   # a .csv in an encoding we do not read gets its own message from the reader
    raise ImportRefused("not_spreadsheet", kind="binary")


def _looks_like_text(head: bytes) -> bool:
    """Text a CSV reader can take: a Unicode BOM, or (almost) no NUL bytes and decodable as UTF-8 or GB18030."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return True
    if head.count(b"\x00") > max(4, len(head) // 100):   # a stray NUL in a cell is text; many: binary
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            head.replace(b"\x00", b"").decode(encoding)
            return True
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 4:  # a character cut at the end of the sample
                return True
    return False


def _check_ole(path: str) -> Sniffed:
    """OLE2 holds legacy .xls and also every password-protected .xlsx (an encrypted package)."""
    with open(path, "rb") as fh:
        data = fh.read(8 * 1024**2)
    if "EncryptedPackage".encode("utf-16-le") in data:
        raise ImportRefused("password_protected")
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return Sniffed("xls")
    raise ImportRefused("not_spreadsheet", kind="OLE")


def _check_zip(path: str) -> Sniffed:
    try:
        archive = zipfile.ZipFile(path)
    except Exception:  # BadZipFile, NotImplementedError (a damaged version field), ValueError...
        raise ImportRefused("corrupt") from None
    with archive:
        infos = archive.infolist()
        names = {info.filename for info in infos}
        if len(infos) > MAX_ZIP_PARTS:
            raise ImportRefused("zip_bomb")
        if sum(info.file_size for info in infos) > MAX_EXPANDED_BYTES:
            raise ImportRefused("zip_bomb")
        for info in infos:
            if info.file_size > RATIO_MIN_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise ImportRefused("zip_bomb")
        if "mimetype" in names and b"spreadsheet" in _read_head(archive, "mimetype", 200):
            return Sniffed("ods")
        if "xl/workbook.bin" in names:
            return Sniffed("xlsb")
        if "xl/workbook.xml" not in names:
            raise ImportRefused("not_spreadsheet", kind="zip")
        for info in infos:
            if info.filename.endswith((".xml", ".rels", ".vml")):
                _check_xml_head(archive, info.filename)
        sheets = tuple(
            SheetPart(name, part, visible, archive.getinfo(part).file_size,
                      _sheet_width(archive, part, archive.getinfo(part).file_size))
            for name, part, visible in _sheet_parts(archive) if part in names)
        shared = next((n for n in names if n.lower() == "xl/sharedstrings.xml"), None)
        return Sniffed("xlsx", sheets, shared)


def _read_head(archive: zipfile.ZipFile, name: str, n: int = HEAD_BYTES) -> bytes:
    try:
        with archive.open(name) as fh:
            return fh.read(n)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
        # RuntimeError: encrypted member; NotImplementedError: unknown compression
        raise ImportRefused("corrupt") from None
    except Exception:  # zlib.error and friends: a damaged stream
        raise ImportRefused("corrupt") from None


def _check_xml_head(archive: zipfile.ZipFile, name: str) -> None:
    """A DTD (and so any entity) can only sit before the root element: the head suffices."""
    head = _read_head(archive, name)
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise ImportRefused("xml_entities")


def _sheet_parts(archive: zipfile.ZipFile) -> list[tuple[str, str, bool]]:
    """(sheet name, its XML part, visible) in workbook order, from workbook.xml and its relationships."""
    workbook = _read_head(archive, "xl/workbook.xml", 4 * 1024**2).decode("utf-8", "replace")
    try:
        rels = _read_head(archive, "xl/_rels/workbook.xml.rels", 4 * 1024**2).decode("utf-8", "replace")
    except (ImportRefused, KeyError):
        rels = ""
    targets = {}
    for rel in re.finditer(r"<Relationship\b[^>]*>", rels):
        tag = rel.group(0)
        rid = re.search(r'\bId="([^"]+)"', tag)
        target = re.search(r'\bTarget="([^"]+)"', tag)
        if rid and target:
            path = target.group(1)
            targets[rid.group(1)] = path.lstrip("/") if path.startswith("/") else f"xl/{path}"
    sheets = []
    for sheet in re.finditer(r"<(?:\w+:)?sheet\b[^>]*>", workbook):
        tag = sheet.group(0)
        name = re.search(r'\bname="([^"]*)"', tag)
        rid = re.search(r'\b\w+:id="([^"]+)"', tag)
        state = re.search(r'\bstate="([^"]+)"', tag)
        if name and rid and rid.group(1) in targets:
            visible = not state or state.group(1) == "visible"
            sheets.append((_xml_unescape(name.group(1)), targets[rid.group(1)], visible))
    return sheets


def _xml_unescape(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))


def _sheet_width(archive: zipfile.ZipFile, part: str, size: int) -> int:
    """The widest column a sheet's cells reach (1-based); refuses rows beyond Excel's limit."""
    head = _read_head(archive, part)
    match = _DIMENSION.search(head)
    widest = 0
    if match and match.group(3):
        if int(match.group(4)) > MAX_ROWS:
            raise ImportRefused("corrupt")
        widest = column_number(match.group(3).decode())
    # The writer's stated range is enough (the parsing child's memory limit catches a lie);
    # without one, the cells themselves are scanned, up to a size.
    if widest or size > FULL_SCAN_BYTES:
        return widest
    body = _read_head(archive, part, size + 1)
    refs = list(_WIDE_REF.finditer(body)) or list(_TWO_LETTER_REF.finditer(body))
    for ref in refs:
        widest = max(widest, column_number(ref.group(1).decode()))
    return widest
