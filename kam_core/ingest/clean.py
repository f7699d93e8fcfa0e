"""Read cell values as a finance person reads them: numbers, dates, names, periods.

Each parser takes one raw value (str, number, date or None) and returns the clean
value, or raises ValueBad with a reason code that the import report translates.
Missing values (None, blank, a lone dash) return None: the caller decides whether
a missing value is allowed for its column.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation

EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01, Excel's 1900 leap-year bug folded in
FIRST_VALID_DATE = dt.date(1990, 1, 1)


class ValueBad(ValueError):
    """A value that is present but cannot be read; `code` names why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


# ---------------------------------------------------------------- text

_SPACES = re.compile(r"\s+")


def nfkc(text: str) -> str:
    """Full-width letters, digits and brackets folded to their ASCII forms."""
    return unicodedata.normalize("NFKC", text)


def is_blank(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def client_key(name: str) -> str:
    """The identity of a client: NFKC, casefolded, every whitespace removed.

    Repeated to a fixed point: casefolding and removing spaces can leave text that NFKC
    changes again (a spacing macron becomes space + combining mark), and a key must be
    its own key.
    """
    key = name
    for _ in range(4):
        folded = _SPACES.sub("", nfkc(nfkc(key).casefold()))
        if folded == key:
            break
        key = folded
    return key


def display_name(name: str) -> str:
    """A client's name as shown: the original spelling, trimmed."""
    return name.strip()


def clean_text(value) -> str | None:
    """A text cell: trimmed, None when blank. Numbers keep their plain form (1.0 -> '1')."""
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# ---------------------------------------------------------------- numbers

_MISSING_MARKS = {"", "-", "--", "—", "——", "/", "n/a", "na", "null", "none", "nan", "#n/a"}
_CURRENCY = re.compile(r"(人民币|rmb|cny|元|¥|\$|usd)", re.IGNORECASE)
# 1.2万, 3亿, 5千; and as typed by hand: 12.5k, 1.2w (w for 万)
_UNIT_SUFFIX = re.compile(r"(亿|万|千|k|w)$", re.IGNORECASE)
_UNIT_SCALE = {"万": Decimal(10_000), "亿": Decimal(100_000_000), "千": Decimal(1_000), "k": Decimal(1_000),
               "w": Decimal(10_000)}
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$", re.IGNORECASE)
_GROUPED_NUMBER = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


def parse_number(value) -> Decimal | None:
    """A money or quantity cell as a Decimal.

    Accepts thousands separators, currency signs and words (¥ ￥ RMB 元), the
    units 万 / 亿 / 千 (and k, w as typed by hand), negatives written -x, (x), （x） or x-, full-width digits.
    Raises ValueBad("not_number") for anything else (text, percentages, dates).
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            raise ValueBad("not_number")
        return Decimal(repr(value))
    if isinstance(value, (dt.date, dt.datetime)):
        raise ValueBad("not_number")
    text = nfkc(str(value)).strip().lower()
    text = text.replace("\u2212", "-").replace(" ", "")
    if text in _MISSING_MARKS:
        return None
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    text = _CURRENCY.sub("", text)
    if text.endswith("-") and len(text) > 1:  # trailing minus, as some ERPs print
        negative, text = not negative, text[:-1]
    if text.startswith("-"):
        negative, text = not negative, text[1:]
    elif text.startswith("+"):
        text = text[1:]
    text = _CURRENCY.sub("", text)  # "-¥1,200" and "¥-1,200" both reach here
    scale = Decimal(1)
    unit = _UNIT_SUFFIX.search(text)
    if unit:
        scale, text = _UNIT_SCALE[unit.group(1).lower()], text[: unit.start()]
    if "," in text:
        if not _GROUPED_NUMBER.match(text):
            raise ValueBad("not_number")
        text = text.replace(",", "")
    if not _PLAIN_NUMBER.match(text):
        raise ValueBad("not_number")
    try:
        number = Decimal(text) * scale
    except InvalidOperation:
        raise ValueBad("not_number") from None
    if not number.is_finite():
        raise ValueBad("not_number")
    return -number if negative else number


def has_unit(value) -> bool:
    """A cell that states its own unit (1.2万, 3200元) is not scaled again by its header's unit."""
    if not isinstance(value, str):
        return False
    text = nfkc(value).strip()
    return text.endswith("元") or _UNIT_SUFFIX.search(_CURRENCY.sub("", text)) is not None


# ---------------------------------------------------------------- units in headers

# 销售额（万元）, （单位：万元）, （万元，含税）, (人民币万元), 销售额/万元, 单位:万元. Not 千克 (a weight).
_HEADER_UNIT = re.compile(r"[(（\[【][^)）\]】]*?(亿元|万元|千元|亿|万|千(?!克))[^)）\]】]*[)）\]】]"
                          r"|[/／]\s*(亿元|万元|千元)\s*$|单位\s*[:：]?\s*(亿元|万元|千元)")
_HEADER_UNIT_SCALE = {"亿元": 100_000_000, "亿": 100_000_000, "万元": 10_000, "万": 10_000,
                      "千元": 1_000, "千": 1_000}


def header_scale(header: str) -> int:
    """The multiplier a unit in a column header implies: 销售额（万元） holds ten-thousands."""
    match = _HEADER_UNIT.search(nfkc(header or ""))
    if not match:
        return 1
    unit = next(group for group in match.groups() if group)
    return _HEADER_UNIT_SCALE[unit]


# ---------------------------------------------------------------- dates

# A time after the date, as exports write it: 14:22, 14:22:01.000, 下午 2:22:01, 2:22 PM, 14:22:01Z,
# 14:22:01+08:00. Only the date is kept: the day as written.
_CLOCK = (r"(?:上午|下午|中午|晚上|凌晨|am|pm)?\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:am|pm)?"
          r"\s*(?:z|[+-]\d{2}:?\d{2})?")
_DATE_PATTERNS = [
    # 2024-03-05, 2024/3/5, 2024.3.5, each optionally followed by a time
    re.compile(rf"^(?P<y>\d{{4}})[-/.](?P<m>\d{{1,2}})[-/.](?P<d>\d{{1,2}})(?:[ t]+{_CLOCK})?$"),
    # 2024年3月5日, 2024年3月5日 14:05
    re.compile(rf"^(?P<y>\d{{4}})年(?P<m>\d{{1,2}})月(?P<d>\d{{1,2}})[日号]?(?:\s*{_CLOCK})?$"),
    # 20240305, 20240305 140501
    re.compile(r"^(?P<y>(?:19|20)\d{2})(?P<m>\d{2})(?P<d>\d{2})(?:\s*(?P<time>\d{6}|\d{2}:\d{2}(?::\d{2})?))?$"),
    # 5-Mar-2024, 05 March 2024, Mar 5, 2024 (English exports; the month named, so never ambiguous)
    re.compile(rf"^(?P<d>\d{{1,2}})[-\s](?P<mon>[a-z]{{3,9}})\.?[-\s,]+(?P<y>\d{{4}})(?:[ t]+{_CLOCK})?$"),
    re.compile(rf"^(?P<mon>[a-z]{{3,9}})\.?\s+(?P<d>\d{{1,2}}),?\s+(?P<y>\d{{4}})(?:[ t]+{_CLOCK})?$"),
]
_MONTHS = {name: number for number, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")], start=1) for name in names}
_SERIAL_MIN, _SERIAL_MAX = 1, 2_958_465  # 1900-01-01 .. 9999-12-31


def _serial_to_date(serial: float) -> dt.date:
    if not (_SERIAL_MIN <= serial <= _SERIAL_MAX):
        raise ValueBad("bad_date")
    return EXCEL_EPOCH + dt.timedelta(days=int(math.floor(serial)))


def parse_date(value) -> dt.date | None:
    """An order date from an Excel date, an Excel serial or text in the common formats.

    Text: 2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日, 20240305, 5-Mar-2024 and Mar 5, 2024, each
    with an optional time (14:22, 下午 2:22:01, 2:22 PM, 14:22:01Z, 14:22:01+08:00). 3/5/2024 is refused: day and month cannot be told apart. Raises ValueBad("bad_date") for anything else, including
    impossible dates such as 2024-02-30.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise ValueBad("bad_date")
    if isinstance(value, (int, float, Decimal)):
        if isinstance(value, float) and math.isnan(value):
            return None
        number = float(value)
        if number.is_integer() and 19_000_101 <= number <= 20_991_231:
            return parse_date(str(int(number)))
        return _serial_to_date(number)
    text = nfkc(str(value)).strip().lower()
    if text in _MISSING_MARKS:
        return None
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            groups = match.groupdict()
            month = _MONTHS.get(groups["mon"]) if "mon" in groups else int(groups["m"])
            if month is None:
                raise ValueBad("bad_date")
            try:
                return dt.date(int(groups["y"]), month, int(groups["d"]))
            except ValueError:
                raise ValueBad("bad_date") from None
    # a serial that arrived as text (five digits: 1927 to 2173; "2024.03" is a year and month, not a serial)
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return _serial_to_date(float(text))
    raise ValueBad("bad_date")


def check_date_range(day: dt.date, today: dt.date) -> None:
    """Order dates before 1990 or after the import date are rejected."""
    if day < FIRST_VALID_DATE:
        raise ValueBad("date_too_old")
    if day > today:
        raise ValueBad("date_in_future")


# ---------------------------------------------------------------- periods (targets)

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_PERIOD_PATTERNS = [
    (re.compile(r"^(?:fy)?(?P<y>\d{4})年?(?:度|全年)?$"), "year"),
    (re.compile(r"^(?P<y>\d{4})\.0+$"), "year"),                        # a year that passed through a float
    (re.compile(r"^(?P<y>\d{4})(?:年度?)?[-\s]?q(?P<q>[1-4])$"), "quarter"),
    (re.compile(r"^q(?P<q>[1-4])[-/]?(?P<y>\d{4})年?$"), "quarter"),     # Q3 2024
    (re.compile(r"^(?P<y>\d{4})年?度?第?(?P<q>[1-4一二三四])季度?$"), "quarter"),
    (re.compile(r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})$"), "month"),
    (re.compile(r"^(?P<y>\d{4})年(?P<m>\d{1,2})月份?$"), "month"),
    (re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})$"), "month"),
    # a date cell in a text column (Excel turns a typed 2024-07 into 2024-07-01): its month
    (re.compile(r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.]\d{1,2}(?:t?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"), "month"),
    (re.compile(r"^(?P<y>\d{4})年(?P<m>\d{1,2})月\d{1,2}[日号]?$"), "month"),
]


def parse_period(value) -> str | None:
    """A target period written 2024, 2024年, 2024Q3, 2024年第3季度, 2024-07 or 2024年7月.

    Also 2024年度, FY2024, 2024年Q3, Q3 2024, 2024年度第三季度, and a date (its month, as
    Excel stores a typed 2024-07). Returns the canonical label: 2024, 2024Q3 or 2024-07.
    Raises ValueBad("bad_period").
    """
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value.year:04d}-{value.month:02d}"
    text = nfkc(str(value)).strip().lower().replace(" ", "")
    for pattern, kind in _PERIOD_PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        year = int(match["y"])
        if kind == "year":
            return f"{year:04d}"
        if kind == "quarter":
            return f"{year:04d}Q{_CN_DIGITS[match['q']]}"
        month = int(match["m"])
        if 1 <= month <= 12:
            return f"{year:04d}-{month:02d}"
    raise ValueBad("bad_period")


# ---------------------------------------------------------------- rows that are not data

# The word ends the label: 合计, 本页小计, 华北区 小计, 小计（北京）; a client named 合计科技 is a client.
TOTALS_REGEX = (r"^\s*(?:.{1,60}?)?(合\s*计|总\s*计|小\s*计|总合计|共\s*计|累\s*计|汇\s*总)\s*[:：]?\s*"
                r"(?:[(（][^()（）]{0,20}[)）])?\s*$"
                r"|^\s*(grand\s*total|sub\s*-?\s*total|total)\s*[:：]?\s*(?:\([^()]{0,20}\))?\s*$")


def is_totals_label(value) -> bool:
    """合计 / 总计 / 小计 / 累计 / 汇总 / Total ending a cell (a client named '合计科技' is a client)."""
    if not isinstance(value, str):
        return False
    return re.match(TOTALS_REGEX, nfkc(value), re.IGNORECASE) is not None
