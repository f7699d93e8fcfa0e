"""Months, quarters, years and custom windows: labels, bounds, the previous one, completeness.

Labels as DESIGN.md writes them: 2024, 2024Q1, 2024-03. Windows include both ends.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

KINDS = ("month", "quarter", "year")


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    end: dt.date
    kind: str          # month | quarter | year | custom | all
    label: str

    def previous(self) -> "Period":
        """The previous month, quarter or year; before a custom window, as many days before it."""
        if self.kind in KINDS:
            return period_of(self.start - dt.timedelta(days=1), self.kind)
        days = (self.end - self.start).days + 1
        end = self.start - dt.timedelta(days=1)
        return custom(end - dt.timedelta(days=days - 1), end)

    def next(self) -> "Period":
        return period_of(self.end + dt.timedelta(days=1), self.kind)

    def complete(self, data_end: dt.date | None) -> bool:
        """Complete when its last day is on or before the data end."""
        return data_end is not None and self.end <= data_end

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def period_of(day: dt.date, kind: str) -> Period:
    """The month, quarter or year containing day."""
    if kind == "month":
        return Period(dt.date(day.year, day.month, 1), _month_end(day.year, day.month), "month",
                      f"{day.year:04d}-{day.month:02d}")
    if kind == "quarter":
        q = (day.month - 1) // 3 + 1
        first = 3 * (q - 1) + 1
        return Period(dt.date(day.year, first, 1), _month_end(day.year, first + 2), "quarter", f"{day.year:04d}Q{q}")
    if kind == "year":
        return Period(dt.date(day.year, 1, 1), dt.date(day.year, 12, 31), "year", f"{day.year:04d}")
    raise ValueError(f"unknown period kind {kind!r}")


# An en dash between the days: two labels with "~" in one line of Markdown strike out the text between.
def _span(start: dt.date, end: dt.date) -> str:
    return f"{start.isoformat()} – {end.isoformat()}"


def custom(start: dt.date, end: dt.date) -> Period:
    if end < start:
        raise ValueError("window ends before it starts")
    return Period(start, end, "custom", _span(start, end))


def all_time(start: dt.date, end: dt.date) -> Period:
    return Period(start, end, "all", _span(start, end))


_LABEL = re.compile(r"^(\d{4})(?:Q([1-4])|-(\d{2}))?$")


def parse_label(label: str) -> Period:
    """2024 / 2024Q3 / 2024-07 to its period."""
    match = _LABEL.match(label.strip())
    if not match:
        raise ValueError(f"not a period: {label!r} (use 2024, 2024Q3 or 2024-07)")
    year = int(match.group(1))
    if match.group(2):
        return period_of(dt.date(year, 3 * int(match.group(2)), 1), "quarter")
    if match.group(3):
        month = int(match.group(3))
        if not 1 <= month <= 12:
            raise ValueError(f"not a month: {label!r}")
        return period_of(dt.date(year, month, 1), "month")
    return period_of(dt.date(year, 1, 1), "year")


def span(kind: str, first_day: dt.date, last_day: dt.date) -> list[Period]:
    """Every period of a kind from the one containing first_day to the one containing last_day."""
    out = []
    current = period_of(first_day, kind)
    while current.start <= last_day:
        out.append(current)
        current = current.next()
    return out


def latest_complete(kind: str, data_end: dt.date) -> Period:
    """The latest period of a kind whose last day is on or before data_end."""
    current = period_of(data_end, kind)
    return current if current.complete(data_end) else current.previous()


def default_window(first_day: dt.date, data_end: dt.date) -> Period:
    """The overview's default: the latest full year in the data, else the latest year."""
    year = latest_complete("year", data_end)
    if year.end < first_day:
        return period_of(data_end, "year")
    return year


def trailing_year(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """Trailing 12 months at D: dates in (D - 1 year, D]."""
    try:
        back = as_of.replace(year=as_of.year - 1)
    except ValueError:  # 29 February
        back = as_of.replace(year=as_of.year - 1, day=28)
    return back + dt.timedelta(days=1), as_of


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day n months later, clipped to that month's last day."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    return dt.date(year, month0 + 1, min(day.day, _month_end(year, month0 + 1).day))
