"""Churn signals as pure functions: settings, strengths, the combined risk, the reasons in words.

Definitions in DESIGN.md ("Churn watchlist"). Every signal reads one measure x
of a unit's history and turns it into a strength s = (x - threshold) / span,
clipped to [0, 1]; a signal shows when s > 0:

    silence    x = days since the last order / median gap between order days
    decline    x = 1 - revenue of the last 90 days / a reference (the larger over
               the 90 days before and the same 90 days a year earlier)
    frequency  x = 1 - order days in the last 90 / the average per 90 days over
               the 365 days before those
    downgrade  x = tiers dropped, current quarter vs the one before
    breadth    x = 1 - categories (or cities) in the last 90 days / in the 90 before

"Orders" are counted as order days (days with at least one line), so an export
that splits one order into many lines counts it once. risk = 1 - Π(1 - w·s).
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import pandas as pd

from kam_core import fmt
from kam_core.i18n import t

SIGNALS = ("silence", "decline", "frequency", "downgrade", "breadth")
# A strength this close to 0 is 0 (and this close to 1 is 1): a measure exactly at its threshold
# shows no signal however floating point rounds the ratio (1 - 80/100 = 0.19999999999999996).
STRENGTH_EPSILON = 1e-9
# A unit that left every tier (no revenue in the current quarter) sits one step below 维持.
INACTIVE_LEVEL = 4


@dataclass(frozen=True)
class SignalRule:
    """One signal's weight in the risk and where its strength starts and reaches 1."""

    weight: float
    threshold: float
    span: float

    def __post_init__(self):
        for name in ("weight", "threshold", "span"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"{name} must be a finite number")
            object.__setattr__(self, name, float(value))
        if not 0 <= self.weight <= 1:
            raise ValueError("a weight lies in [0, 1]")
        if self.threshold < 0:
            raise ValueError("a threshold is >= 0")
        if self.span <= 0:
            raise ValueError("a span is > 0")


DEFAULT_RULES = {
    "silence": SignalRule(0.6, 1.5, 1.5),
    "decline": SignalRule(0.5, 0.2, 0.5),
    "frequency": SignalRule(0.4, 0.25, 0.5),
    "downgrade": SignalRule(0.3, 0.0, 3.0),
    "breadth": SignalRule(0.2, 0.25, 0.5),
}


@dataclass(frozen=True)
class ChurnSettings:
    """The team's weights and thresholds (hashable: analyses are cached by it)."""

    silence: SignalRule = field(default_factory=lambda: DEFAULT_RULES["silence"])
    decline: SignalRule = field(default_factory=lambda: DEFAULT_RULES["decline"])
    frequency: SignalRule = field(default_factory=lambda: DEFAULT_RULES["frequency"])
    downgrade: SignalRule = field(default_factory=lambda: DEFAULT_RULES["downgrade"])
    breadth: SignalRule = field(default_factory=lambda: DEFAULT_RULES["breadth"])

    def rule(self, signal: str) -> SignalRule:
        return getattr(self, signal)

    def with_rule(self, signal: str, **changes) -> "ChurnSettings":
        return replace(self, **{signal: replace(self.rule(signal), **changes)})

    def to_json(self) -> dict:
        return {signal: asdict(self.rule(signal)) for signal in SIGNALS}

    @classmethod
    def from_json(cls, data: dict | None) -> "ChurnSettings":
        """Saved settings back; signals or fields missing from the saved value keep their defaults."""
        data = data or {}
        rules = {}
        for signal in SIGNALS:
            saved = data.get(signal) or {}
            default = DEFAULT_RULES[signal]
            rules[signal] = SignalRule(**{k: saved.get(k, getattr(default, k)) for k in ("weight", "threshold", "span")})
        return cls(**rules)


# ------------------------------------------------------------------ measures (x per signal)

def _ratio(numerator, denominator) -> np.ndarray:
    """numerator / denominator where the denominator is > 0, else NaN."""
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    ok = den > 0
    np.divide(num, den, out=out, where=ok)
    return out


def silence_ratio(days_since, median_gap, dates_24m, min_dates: int = 3) -> np.ndarray:
    """Days since the last order over the median gap; NaN with fewer than min_dates order days in 24 months."""
    ratio = _ratio(days_since, median_gap)
    return np.where(np.asarray(dates_24m, dtype=float) >= min_dates, ratio, np.nan)


def decline_drop(rev_last, rev_prev, rev_year_ago) -> tuple[np.ndarray, np.ndarray]:
    """d = 1 - last / reference, the larger over the references with revenue > 0; and which one won.

    Returns (d, reference) with reference 'prev' | 'year' | '' (none usable; d NaN).
    """
    d_prev = 1 - _ratio(rev_last, rev_prev)
    d_year = 1 - _ratio(rev_last, rev_year_ago)
    year_wins = ~np.isnan(d_year) & (np.isnan(d_prev) | (d_year > d_prev))
    d = np.where(year_wins, d_year, d_prev)
    reference = np.where(year_wins, "year", np.where(np.isnan(d_prev), "", "prev"))
    return d, reference


def frequency_drop(days_last, days_base, base_days: int = 365, window_days: int = 90) -> np.ndarray:
    """f = 1 - order days in the last 90 / the average per 90 days over the 365 days before."""
    usual = np.asarray(days_base, dtype=float) * window_days / base_days
    return 1 - _ratio(days_last, usual)


def tiers_dropped(current_level, previous_level) -> np.ndarray:
    """Tiers lost since the period before (0 when steady or up; NaN without a tier then)."""
    cur = np.asarray(current_level, dtype=float)
    prev = np.asarray(previous_level, dtype=float)
    cur = np.where(np.isnan(cur), INACTIVE_LEVEL, cur)
    return np.where(np.isnan(prev), np.nan, np.maximum(cur - prev, 0))


def breadth_drop(cats_last, cats_prev, cities_last, cities_prev) -> tuple[np.ndarray, np.ndarray]:
    """b = 1 - count now / count in the 90 days before, the larger of categories and cities (where mapped).

    Returns (b, dimension) with dimension 'category' | 'city' | ''.
    """
    b_cat = 1 - _ratio(cats_last, cats_prev)
    b_city = 1 - _ratio(cities_last, cities_prev)
    city_wins = ~np.isnan(b_city) & (np.isnan(b_cat) | (b_city > b_cat))
    b = np.where(city_wins, b_city, b_cat)
    dimension = np.where(city_wins, "city", np.where(np.isnan(b_cat), "", "category"))
    return b, dimension


# ------------------------------------------------------------------ strengths and risk

def strength(x, rule: SignalRule) -> np.ndarray:
    """s = (x - threshold) / span, clipped to [0, 1]; 0 where the measure is missing."""
    s = np.nan_to_num((np.asarray(x, dtype=float) - rule.threshold) / rule.span, nan=0.0)
    s = np.where(s < STRENGTH_EPSILON, 0.0, np.where(s > 1 - STRENGTH_EPSILON, 1.0, s))
    return s


def combined_risk(strengths: dict[str, np.ndarray], settings: ChurnSettings) -> np.ndarray:
    """1 - Π(1 - w·s) over the signals."""
    keep = None
    for signal, s in strengths.items():
        factor = 1 - settings.rule(signal).weight * np.asarray(s, dtype=float)
        keep = factor if keep is None else keep * factor
    return 1 - keep


def score(features: pd.DataFrame, settings: ChurnSettings) -> pd.DataFrame:
    """Measures, strengths and the rule risk per unit.

    features (one row per unit): days_since, median_gap, dates_24m, rev_last, rev_prev, rev_year_ago,
    days_last, days_base, tier_level, prev_tier_level, cats_last, cats_prev, cities_last, cities_prev.
    Adds x_<signal>, s_<signal> for each signal, decline_ref, breadth_dim, signals (how many show)
    and rule_risk.
    """
    out = features.copy(deep=False)    # copy-on-write: the new columns never reach the cached features
    d, reference = decline_drop(out["rev_last"], out["rev_prev"], out["rev_year_ago"])
    b, dimension = breadth_drop(out["cats_last"], out["cats_prev"], out["cities_last"], out["cities_prev"])
    measures = {
        "silence": silence_ratio(out["days_since"], out["median_gap"], out["dates_24m"]),
        "decline": d,
        "frequency": frequency_drop(out["days_last"], out["days_base"]),
        "downgrade": tiers_dropped(out["tier_level"], out["prev_tier_level"]),
        "breadth": b,
    }
    strengths = {}
    for signal in SIGNALS:
        out[f"x_{signal}"] = measures[signal]
        strengths[signal] = strength(measures[signal], settings.rule(signal))
        out[f"s_{signal}"] = strengths[signal]
    out["decline_ref"] = reference
    out["breadth_dim"] = dimension
    out["signals"] = sum((s > 0).astype(int) for s in strengths.values())
    out["rule_risk"] = combined_risk(strengths, settings)
    return out


# ------------------------------------------------------------------ reasons in words

def _days(x: float) -> str:
    return f"{x:.0f}" if float(x).is_integer() else f"{x:.1f}"


def tier_name(tier, lang: str) -> str:
    if tier is None or tier is pd.NA or (isinstance(tier, float) and math.isnan(tier)):
        return t("churn.tier_none", lang)
    return t(f"tier.{tier}", lang)


def _texts(signal: str, rows: pd.DataFrame, lang: str) -> list[str]:
    """The words for one signal on each of rows (the rows where it shows)."""
    if signal == "silence":
        template = t("churn.why.silence", lang)
        return [template.format(days=int(d), gap=_days(g)) for d, g in zip(rows["days_since"], rows["median_gap"])]
    if signal == "decline":
        return [t(f"churn.why.decline_{ref}", lang, change=fmt.pct(-x, 0, signed=True))
                for x, ref in zip(rows["x_decline"], rows["decline_ref"])]
    if signal == "frequency":
        template = t("churn.why.frequency", lang)
        return [template.format(n=int(n), usual=f"{base * 90 / 365:.1f}")
                for n, base in zip(rows["days_last"], rows["days_base"])]
    if signal == "downgrade":
        template = t("churn.why.downgrade", lang)
        return [template.format(before=tier_name(before, lang), now=tier_name(now, lang), p_before=p_before, p_now=p_now)
                for before, now, p_before, p_now in zip(rows["prev_tier"], rows["tier"], rows["prev_period"],
                                                        rows["period"])]
    if signal == "breadth":
        out = []
        for dim, cats, cats_prev, cities, cities_prev in zip(rows["breadth_dim"], rows["cats_last"], rows["cats_prev"],
                                                             rows["cities_last"], rows["cities_prev"]):
            now, before = (cats, cats_prev) if dim == "category" else (cities, cities_prev)
            out.append(t(f"churn.why.breadth_{dim}", lang, now=int(now), before=int(before)))
        return out
    if signal == "model":
        template = t("churn.why.model", lang)
        return [template.format(p=fmt.pct(p, 0)) for p in rows["p_alive"]]
    raise ValueError(f"unknown signal {signal!r}")


MODEL_REASON_MIN = 0.005    # rounds to 1% on the pages


def reason_lists(scored: pd.DataFrame, lang: str) -> list[list[dict]]:
    """Per scored row, the signals that show (s > 0), strongest first: signal, strength, text.

    Where the row's model_drives is true (the model's 1 - P(alive) set the risk) and that risk shows
    as 1% or more, the model is listed last as a reason too.
    """
    n = len(scored)
    if n == 0:
        return []
    strengths = np.column_stack([scored[f"s_{signal}"].to_numpy(dtype=float) for signal in SIGNALS])
    texts: dict[str, dict[int, str]] = {}
    for j, signal in enumerate(SIGNALS):
        shown = np.flatnonzero(strengths[:, j] > 0)
        texts[signal] = dict(zip(shown, _texts(signal, scored.iloc[shown], lang)))
    drives = scored["model_drives"].to_numpy(dtype=bool) if "model_drives" in scored else np.zeros(n, dtype=bool)
    p_alive = scored["p_alive"].to_numpy(dtype=float) if "p_alive" in scored else np.full(n, np.nan)
    # A model reason worth saying: 1 - P(alive) that shows as 1% or more. Below that the sentence
    # would read "still active with a probability of only 100%".
    drives = drives & ((1 - p_alive) >= MODEL_REASON_MIN)
    driven = np.flatnonzero(drives)
    model_texts = dict(zip(driven, _texts("model", scored.iloc[driven], lang)))
    # Strongest first; equal strengths keep the order of SIGNALS.
    order = np.argsort(-strengths, axis=1, kind="stable")
    out = []
    for i in range(n):
        row = [{"signal": SIGNALS[j], "strength": float(strengths[i, j]), "text": texts[SIGNALS[j]][i]}
               for j in order[i] if strengths[i, j] > 0]
        if drives[i]:
            row.append({"signal": "model", "strength": float(1 - p_alive[i]), "text": model_texts[i]})
        out.append(row)
    return out
