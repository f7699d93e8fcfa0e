"""Numbers as managers read them: 万 / 亿 in Chinese, K / M / B in English."""
from __future__ import annotations

import math


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def money(x, lang: str = "zh", digits: int = 1) -> str:
    """Compact money: ¥1,234.5万 / ¥1.23亿 (zh), ¥12.3K / ¥1.23M (en)."""
    if _missing(x):
        return "—"
    x = float(x)
    sign = "-" if x < 0 else ""
    a = abs(x)
    if lang == "zh":
        if a >= 1e8:
            return f"{sign}¥{a / 1e8:,.2f}亿"
        if a >= 1e4:
            return f"{sign}¥{a / 1e4:,.{digits}f}万"
        return f"{sign}¥{a:,.0f}"
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if a >= size:
            return f"{sign}¥{a / size:,.{2 if size > 1e3 else digits}f}{suffix}"
    return f"{sign}¥{a:,.0f}"


def money_full(x) -> str:
    """Exact to the yuan with separators, for tables."""
    return "—" if _missing(x) else f"{float(x):,.2f}"


def pct(x, digits: int = 1, signed: bool = False) -> str:
    if _missing(x):
        return "—"
    return f"{x * 100:+.{digits}f}%" if signed else f"{x * 100:.{digits}f}%"


def risk(x) -> str:
    """A churn risk in whole percent; a risk above zero that rounds to 0% reads <1% (its revenue at
    risk is not zero)."""
    if _missing(x):
        return "—"
    shown = pct(x, 0)
    return "<1%" if shown == "0%" and float(x) > 0 else shown


def number(x, digits: int = 0) -> str:
    return "—" if _missing(x) else f"{float(x):,.{digits}f}"


def delta_pct(current, previous) -> float | None:
    """Relative change; None where the base is zero or missing."""
    if _missing(current) or _missing(previous) or float(previous) == 0:
        return None
    return float(current) / float(previous) - 1
