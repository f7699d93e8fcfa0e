"""Prepayment sizing (预付款): how big an advance can we offer an expanding chain?

DESIGN.md, Definitions, "Prepayment" governs every number here. In short:

- monthly channel sales = sum over open stores of mature store sales
  x ramp(store age) x channel share; existing stores are mature;
- new store j of n opens in month floor(T * f((j - 1/2) / n)) + 1 of a T-month
  term, f(u) = u (even), u**2 (front), sqrt(u) (back), or a month table;
- Monte Carlo per path: one lognormal shock with mean 1 on mature sales (cv
  sales_cv), one channel share ~ Normal(S, S * share_cv) clipped to [0, 1],
  and for each new store a delay of delay_months with probability delay_prob;
- the advance recouped with probability p is the (1 - p) quantile of channel
  sales over the term; after the term (extend rule) sales stay at the last
  month's level.

Pure functions on numpy arrays; no I/O, no streamlit. Money stays float here;
rounding happens at output (the CLI, the pages).
"""
from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass, fields, replace
from functools import lru_cache
from numbers import Integral, Real
from typing import Any

import numpy as np

SCHEDULES = ("even", "front", "back", "table")
RULES = ("refund", "extend")

# Guards against inputs that would exhaust memory (paths x months float arrays,
# paths x new-stores uniforms); far above anything a KA team asks for.
MAX_PATHS = 200_000
MAX_TERM_MONTHS = 120

# Under the extend rule a path whose last month sells nothing never recoups.
# Its extra months (and every path needing more) are capped at ten years: a
# balance not recouped in ten years is a loss, not an extension. The number of
# paths at the cap is reported beside the expectation.
EXTRA_MONTHS_CAP = 120

# Stores per block when drawing per-store delay uniforms (bounds the paths x
# stores matrix held at once; the draws do not depend on the block size).
_DELAY_BLOCK_CELLS = 2_000_000

# SEED_CASE money figures, also the defaults of PrepayInputs (and of the CLI when
# --store-monthly-sales / --channel-share are not given). Both are assumptions,
# round and plausible for a mid-size restaurant chain, chosen so that the
# simulated P50 of term channel sales of the 17 -> 40 store case is about
# 80,000,000 (within 1% at the default seed):
# - 800,000 a month per mature store: ~26,000 a day, a busy mid-to-large format
#   restaurant (about 9.6 M a year);
# - 32% of the chain's sales through our channel: a large but ordinary share
#   for the leading channel of a chain negotiating an exclusive deal.
# Mature-store-months over the term: 17 x 12 = 204 from existing stores plus
# ~121 from the 23 new stores on schedule after the ramp (325 in all, i.e.
# 83.3 M without shocks or delays), ~320 once the 10% three-month delays are
# counted. 320 x 800,000 x 0.32 = 81.9 M expected; the median is a little
# lower (~79.7 M) because the lognormal sales shock is skewed to the right.
SEED_STORE_MONTHLY_SALES = 800_000.0
SEED_CHANNEL_SHARE = 0.32


def _is_int(x: Any) -> bool:
    return isinstance(x, Integral) and not isinstance(x, bool)


def _is_real(x: Any) -> bool:
    return isinstance(x, Real) and not isinstance(x, bool) and math.isfinite(float(x))


@dataclass(frozen=True, kw_only=True)
class PrepayInputs:
    """Every input of the prepayment model; validated on construction (ValueError).

    Money (store_monthly_sales) is per mature store per month in the data's
    currency; rates are fractions (channel_share 0.4 = 40%); cost_of_capital is
    annual; commission is our income as a fraction of channel sales.
    month_table (new-store openings per month, month 1 first) is used only when
    schedule == "table"; otherwise it is ignored.
    """

    stores_now: int
    stores_target: int
    term_months: int = 12
    store_monthly_sales: float = SEED_STORE_MONTHLY_SALES
    channel_share: float = SEED_CHANNEL_SHARE
    schedule: str = "even"
    month_table: tuple[int, ...] | None = None
    ramp_start: float = 0.6
    ramp_months: int = 6
    sales_cv: float = 0.2
    share_cv: float = 0.1
    delay_prob: float = 0.1
    delay_months: int = 3
    commission: float = 0.0
    cost_of_capital: float = 0.0
    rule: str = "refund"
    probability: float = 0.8
    paths: int = 10_000
    seed: int = 1

    def __post_init__(self) -> None:
        def need_int(name: str, lo: int, hi: int | None = None) -> None:
            v = getattr(self, name)
            if not _is_int(v):
                raise ValueError(f"{name} must be a whole number, got {v!r}")
            if v < lo or (hi is not None and v > hi):
                span = f"at least {lo}" if hi is None else f"between {lo} and {hi:,}"
                raise ValueError(f"{name} must be {span}, got {v}")
            object.__setattr__(self, name, int(v))

        def need_real(name: str, lo: float, hi: float | None = None) -> None:
            v = getattr(self, name)
            if not _is_real(v):
                raise ValueError(f"{name} must be a finite number, got {v!r}")
            if v < lo or (hi is not None and v > hi):
                span = f"at least {lo:g}" if hi is None else f"between {lo:g} and {hi:g}"
                raise ValueError(f"{name} must be {span}, got {v:g}")
            object.__setattr__(self, name, float(v))

        need_int("stores_now", 0)
        need_int("stores_target", 0)
        if self.stores_target < self.stores_now:
            raise ValueError(
                f"stores_target ({self.stores_target}) must not be below stores_now "
                f"({self.stores_now}): the model covers a growing chain"
            )
        need_int("term_months", 1, MAX_TERM_MONTHS)
        need_real("store_monthly_sales", 0.0)
        need_real("channel_share", 0.0, 1.0)
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule must be one of {', '.join(SCHEDULES)}, got {self.schedule!r}")
        need_real("ramp_start", 0.0, 1.0)
        need_int("ramp_months", 0)
        need_real("sales_cv", 0.0)
        need_real("share_cv", 0.0)
        need_real("delay_prob", 0.0, 1.0)
        need_int("delay_months", 0)
        need_real("commission", 0.0, 1.0)
        need_real("cost_of_capital", 0.0)
        if self.rule not in RULES:
            raise ValueError(f"rule must be refund or extend, got {self.rule!r}")
        p = self.probability
        if not _is_real(p) or not 0.0 < p < 1.0:
            raise ValueError(f"probability must be strictly between 0 and 1, got {p!r}")
        object.__setattr__(self, "probability", float(p))
        need_int("paths", 1, MAX_PATHS)
        need_int("seed", 0)
        if self.month_table is not None:
            table = tuple(self.month_table)
            if not all(_is_int(c) and c >= 0 for c in table):
                raise ValueError("month_table must hold whole numbers of new stores >= 0")
            object.__setattr__(self, "month_table", tuple(int(c) for c in table))
        if self.schedule == "table":
            _check_table(self.month_table, self.new_stores, self.term_months)

    @property
    def new_stores(self) -> int:
        return self.stores_target - self.stores_now


def _check_table(month_table: Any, n_new: int, term_months: int) -> None:
    if month_table is None:
        raise ValueError("schedule 'table' needs a month_table (new stores per month)")
    if len(month_table) > term_months:
        raise ValueError(
            f"month_table has {len(month_table)} months, more than the {term_months}-month term"
        )
    if sum(month_table) != n_new:
        raise ValueError(
            f"month_table opens {sum(month_table)} stores but the chain grows by {n_new}"
        )


SEED_CASE = PrepayInputs(stores_now=17, stores_target=40, term_months=12)
"""The 17 -> 40 stores, 12-month case with every other input at its default."""


# ---------------------------------------------------------------- deterministic


def opening_months(
    n_new: int, term_months: int, schedule: str, month_table: tuple[int, ...] | None = None
) -> np.ndarray:
    """Scheduled opening month (1-based, ascending) of each of n_new new stores.

    Store j of n opens in month floor(T * f((j - 1/2) / n)) + 1 with f(u) = u
    (even), u**2 (front), sqrt(u) (back); with schedule "table", month_table[m-1]
    stores open in month m. The floor is taken in exact integer arithmetic, so
    a product landing on a whole number is never pushed down by rounding.
    """
    if not _is_int(n_new) or n_new < 0:
        raise ValueError(f"n_new must be a whole number >= 0, got {n_new!r}")
    if not _is_int(term_months) or term_months < 1:
        raise ValueError(f"term_months must be a whole number >= 1, got {term_months!r}")
    T = int(term_months)
    if schedule == "table":
        _check_table(month_table, n_new, T)
        return np.repeat(np.arange(1, len(month_table) + 1, dtype=np.int64), month_table)
    # u_j = (2j - 1) / (2n): floor(T * f(u)) with integers only.
    odd = 2 * np.arange(1, n_new + 1, dtype=np.int64) - 1
    if schedule == "even":
        k = (T * odd) // (2 * n_new)
    elif schedule == "front":
        k = (T * odd * odd) // (4 * n_new * n_new)
    elif schedule == "back":
        # floor(T sqrt(q)) = floor(sqrt(T^2 q)) = isqrt(floor(T^2 q)), q = odd / 2n.
        inner = (T * T * odd) // (2 * n_new)
        k = np.floor(np.sqrt(inner.astype(np.float64))).astype(np.int64)
        # Exact for these sizes (< 2**52); kept as a guard should a float root round.
        k -= k * k > inner
        k += (k + 1) * (k + 1) <= inner
    else:
        raise ValueError(f"schedule must be one of {', '.join(SCHEDULES)}, got {schedule!r}")
    return k + 1


def ramp(age: Any, ramp_start: float, ramp_months: int) -> np.ndarray:
    """Share of a mature store's sales a store sells in its a-th month (a = 1 the
    month it opens): ramp_start + (1 - ramp_start)(a - 1) / ramp_months, capped
    at 1; ramp_months 0 means mature at once. Ages below 1 (not open yet) give 0.
    """
    a = np.asarray(age, dtype=np.float64)
    if ramp_months == 0:
        level = np.ones_like(a)
    else:
        level = np.minimum(1.0, ramp_start + (1.0 - ramp_start) * (a - 1.0) / ramp_months)
    return np.where(a >= 1, level, 0.0)


def ramp_matrix(term_months: int, ramp_start: float, ramp_months: int) -> np.ndarray:
    """T x T matrix R with R[m-1, t-1] = ramp(t - m + 1): mature-store
    equivalents in month t of one store opened in month m."""
    months = np.arange(1, term_months + 1)
    return ramp(months[None, :] - months[:, None] + 1, ramp_start, ramp_months)


def _schedule(inputs: PrepayInputs) -> np.ndarray:
    return opening_months(inputs.new_stores, inputs.term_months, inputs.schedule, inputs.month_table)


def deterministic_monthly_sales(inputs: PrepayInputs) -> np.ndarray:
    """Monthly channel sales (length T) without shocks or delays: every store opens
    on schedule, mature sales and channel share at their central values."""
    T = inputs.term_months
    counts = np.bincount(_schedule(inputs) - 1, minlength=T).astype(np.float64)
    stores = inputs.stores_now + counts @ ramp_matrix(T, inputs.ramp_start, inputs.ramp_months)
    return inputs.store_monthly_sales * inputs.channel_share * stores


# ---------------------------------------------------------------- simulation


@dataclass(frozen=True, eq=False)
class Simulation:
    """Monte Carlo result: monthly channel sales, one row per path (paths x T)."""

    monthly: np.ndarray

    def __post_init__(self) -> None:
        m = np.asarray(self.monthly, dtype=np.float64)
        if m.ndim != 2 or m.shape[0] < 1 or m.shape[1] < 1:
            raise ValueError("monthly must be a non-empty paths x months array")
        if not np.all(np.isfinite(m)) or np.any(m < 0):
            raise ValueError("monthly sales must be finite and >= 0")
        object.__setattr__(self, "monthly", m)

    @property
    def paths(self) -> int:
        return self.monthly.shape[0]

    @property
    def term_months(self) -> int:
        return self.monthly.shape[1]

    @property
    def term_sales(self) -> np.ndarray:
        """Channel sales over the term, per path."""
        return self.monthly.sum(axis=1)


class _ArrayCache:
    """The most recent results, kept while their arrays fit a budget of cells
    (a 200,000-path, 120-month run is 24 million cells: kept alone, if at all)."""

    def __init__(self, max_cells: int):
        self.max_cells = max_cells
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            if key not in self._entries:
                return None
            self._entries.move_to_end(key)
            return self._entries[key][0]

    def put(self, key: Any, value: Any, cells: int) -> None:
        if cells > self.max_cells:
            return
        with self._lock:
            self._entries[key] = (value, cells)
            self._entries.move_to_end(key)
            while sum(c for _, c in self._entries.values()) > self.max_cells:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


# About 120 MB of float64 for each cache.
_DRAWS = _ArrayCache(15_000_000)
_RUNS = _ArrayCache(15_000_000)


def _draws(paths: int, seed: int, term_months: int, schedule: str, month_table: tuple[int, ...] | None,
           n_new: int, delay_prob: float, delay_months: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The random numbers of a run and the openings they imply (see simulate):
    the sales-shock and share normals per path and the paths x T matrix of
    stores opening each month. Read-only arrays, shared by every run with the
    same arguments."""
    key = (paths, seed, term_months, schedule, month_table, n_new, delay_prob, delay_months)
    found = _DRAWS.get(key)
    if found is None:
        found = _draw(*key)
        _DRAWS.put(key, found, paths * (term_months + 2))
    return found


def _draw(paths: int, seed: int, term_months: int, schedule: str, month_table: tuple[int, ...] | None,
          n_new: int, delay_prob: float, delay_months: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    T, P = term_months, paths
    rng = np.random.default_rng(seed)
    z_sales = rng.standard_normal(P)
    z_share = rng.standard_normal(P)

    scheduled = opening_months(n_new, T, schedule, month_table)  # ascending, 1-based
    if n_new == 0:
        counts = np.zeros((P, T))
    elif delay_prob == 0.0 or delay_months == 0:
        counts = np.broadcast_to(np.bincount(scheduled - 1, minlength=T).astype(np.float64), (P, T))
    else:
        flat = np.zeros(P * (T + 1), dtype=np.int64)  # column T collects "after the term"
        row = (np.arange(P, dtype=np.int64) * (T + 1))[None, :]
        block = max(1, _DELAY_BLOCK_CELLS // P)
        for start in range(0, n_new, block):  # blocks of stores, not single stores
            stop = min(n_new, start + block)
            u = rng.random((stop - start, P))  # store-major: row j is store j's draws
            month = scheduled[start:stop, None] + delay_months * (u < delay_prob)
            idx = row + np.minimum(month, T + 1) - 1
            flat += np.bincount(idx.ravel(), minlength=P * (T + 1))
        counts = flat.reshape(P, T + 1)[:, :T].astype(np.float64)
    for array in (z_sales, z_share, counts):
        array.setflags(write=False)
    return z_sales, z_share, counts


def simulate(inputs: PrepayInputs) -> Simulation:
    """Monthly channel sales per path (inputs.paths x inputs.term_months).

    Draws, in this order, from numpy's default Generator seeded with inputs.seed:
    one standard normal per path for the sales shock, one per path for the
    channel share, then one uniform per new store per path (store-major) for
    its delay. The draws never depend on the other inputs, so two runs with the
    same seed share their random numbers (common random numbers): a higher
    channel share, an extra existing store, or a higher delay probability moves
    every path the same way, and sensitivity() compares like with like. New
    store j keeps its uniforms when stores are added behind it.

    - shock = exp(sigma z - sigma^2 / 2), sigma^2 = log(1 + sales_cv^2):
      lognormal with mean 1 and coefficient of variation sales_cv;
    - share = clip(S (1 + share_cv z'), 0, 1), i.e. Normal(S, S share_cv) clipped;
    - store j is delayed delay_months when its uniform < delay_prob; a store
      delayed past the term does not open within it.
    Openings per path per month form a paths x T count matrix; a product with the
    T x T ramp matrix gives the new stores' mature-store equivalents per month.
    The draws and the count matrix are kept for the most recent inputs that
    shape them (_draws), so moving sales, share, ramp or spreads reruns without
    drawing again.
    """
    T = inputs.term_months
    month_table = inputs.month_table if inputs.schedule == "table" else None
    z_sales, z_share, counts = _draws(inputs.paths, inputs.seed, T, inputs.schedule, month_table,
                                      inputs.new_stores, inputs.delay_prob, inputs.delay_months)

    new_equiv = counts @ ramp_matrix(T, inputs.ramp_start, inputs.ramp_months)
    scale = _scale(inputs, z_sales, z_share)
    return Simulation(scale[:, None] * (inputs.stores_now + new_equiv))


def _scale(inputs: PrepayInputs, z_sales: np.ndarray, z_share: np.ndarray) -> np.ndarray:
    """Per path: sales shock x channel share x mature sales per store (see simulate)."""
    sigma2 = math.log1p(inputs.sales_cv**2)
    shock = np.exp(math.sqrt(sigma2) * z_sales - sigma2 / 2.0)
    share = np.clip(inputs.channel_share * (1.0 + inputs.share_cv * z_share), 0.0, 1.0)
    return shock * share * inputs.store_monthly_sales


def term_sales(inputs: PrepayInputs) -> np.ndarray:
    """Channel sales over the term per path, as simulate(inputs).term_sales (the
    same random numbers, equal up to float rounding) without building the
    paths x months matrix: a store opened in month m sells the row sum of the
    ramp matrix in mature-store-months over the term, so the term needs one
    matrix-vector product. sensitivity() reruns the model this way.
    """
    T = inputs.term_months
    month_table = inputs.month_table if inputs.schedule == "table" else None
    z_sales, z_share, counts = _draws(inputs.paths, inputs.seed, T, inputs.schedule, month_table,
                                      inputs.new_stores, inputs.delay_prob, inputs.delay_months)
    per_store = ramp_matrix(T, inputs.ramp_start, inputs.ramp_months).sum(axis=1)
    store_months = inputs.stores_now * T + counts @ per_store
    return _scale(inputs, z_sales, z_share) * store_months


# ---------------------------------------------------------------- summaries


def _fan(values: np.ndarray) -> dict[str, list]:
    q = np.quantile(values, [0.1, 0.5, 0.9], axis=0)
    return {
        "month": list(range(1, values.shape[1] + 1)),
        "p10": q[0].tolist(),
        "p50": q[1].tolist(),
        "p90": q[2].tolist(),
    }


def recommended_advance(term_sales: np.ndarray, probability: float) -> float:
    """The advance recouped with probability p: the (1 - p) quantile of term
    channel sales (numpy's default linear interpolation between paths)."""
    return float(np.quantile(term_sales, 1.0 - probability))


def settle(monthly: np.ndarray, advance: float, rule: str, cost_of_capital: float) -> dict[str, Any]:
    """Settlement figures of an advance paid at the start of month 1, on the given
    paths (paths x T monthly channel sales).

    - recoup_probability: share of paths whose term sales >= advance;
    - expected_shortfall: mean of max(0, advance - term sales); under the refund
      rule this is the expected refund at term end;
    - expected_extra_months: the extension the extend rule needs (reported under
      both rules, so the two can be compared): after the term sales stay at the
      path's last month level L, extra months = shortfall / L (fractional, 0 when
      recouped). Each path is capped at EXTRA_MONTHS_CAP months; paths with
      L = 0 and a shortfall, or needing more, count at the cap and are reported
      as extra_months_capped_paths;
    - financing_cost = cost_of_capital / 12 x the sum over months of the expected
      balance outstanding during the month. The balance during month m is
      max(0, advance - sales of months 1..m-1): the advance is out from the
      start of month 1 and each month's sales recoup it at the month's end.
      Refund: months 1..T (the refund at term end clears the rest). Extend:
      months 1..T and then T+1, T+2, ... while the balance is positive (at most
      EXTRA_MONTHS_CAP extra months), the balance falling by L a month;
    - recouped_after_term: expected sales recouped during the extension
      (extend rule; 0 under refund).
    """
    if rule not in RULES:
        raise ValueError(f"rule must be refund or extend, got {rule!r}")
    if not _is_real(advance) or advance < 0:
        raise ValueError(f"advance must be a finite amount >= 0, got {advance!r}")
    if not _is_real(cost_of_capital) or cost_of_capital < 0:
        raise ValueError(f"cost_of_capital must be a finite rate >= 0, got {cost_of_capital!r}")
    monthly = np.asarray(monthly, dtype=np.float64)
    advance = float(advance)
    cum = np.cumsum(monthly, axis=1)
    term = cum[:, -1]
    last = monthly[:, -1]

    shortfall = np.maximum(0.0, advance - term)
    short = shortfall > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        raw_extra = np.where(short, shortfall / np.where(last > 0, last, 1.0), 0.0)
    capped = short & ((last <= 0) | (raw_extra > EXTRA_MONTHS_CAP))
    extra = np.where(capped, float(EXTRA_MONTHS_CAP), raw_extra)

    # Balance during month m: advance less the sales of the months before it.
    before = np.concatenate([np.zeros((monthly.shape[0], 1)), cum[:, :-1]], axis=1)
    balance_months = np.maximum(0.0, advance - before).sum(axis=1)
    if rule == "extend":
        # Months T+1 .. T+n carry shortfall, shortfall - L, ...: n = ceil(extra).
        n = np.where(short, np.minimum(np.ceil(raw_extra), EXTRA_MONTHS_CAP), 0.0)
        n = np.where(capped, float(EXTRA_MONTHS_CAP), n)
        balance_months = balance_months + n * shortfall - last * n * (n - 1.0) / 2.0
        recouped_after = np.minimum(shortfall, last * n)
    else:
        recouped_after = np.zeros_like(term)

    return {
        "advance": advance,
        "recoup_probability": float(np.mean(term >= advance)),
        "expected_shortfall": float(shortfall.mean()),
        "expected_extra_months": float(extra.mean()),
        "extra_months_capped_paths": int(capped.sum()),
        "expected_balance_months": float(balance_months.mean()),
        "financing_cost": float(cost_of_capital / 12.0 * balance_months.mean()),
        "recouped_after_term": float(recouped_after.mean()),
    }


def summarize(sim: Simulation, inputs: PrepayInputs, advance: float | None = None) -> dict[str, Any]:
    """Forecast, fans, recommended advance and, for a given advance, its settlement.

    Keys: forecast {p10, p50, p90} and expected_sales (mean) of term channel
    sales; monthly_fan and cumulative_fan ({month, p10, p50, p90} lists);
    recommended_advance (the (1 - probability) quantile of term sales);
    commission_income = commission x expected channel sales until settlement
    (the term; under extend with an advance, plus the sales recouped after it).
    With an advance: the settle() figures and deal_margin = commission_income -
    financing_cost (the refund itself is not a cost: it returns our money).
    """
    if sim.term_months != inputs.term_months:
        raise ValueError(
            f"simulation has {sim.term_months} months but the inputs a {inputs.term_months}-month term"
        )
    term = sim.term_sales
    q = np.quantile(term, [0.1, 0.5, 0.9])
    out: dict[str, Any] = {
        "forecast": {"p10": float(q[0]), "p50": float(q[1]), "p90": float(q[2])},
        "expected_sales": float(term.mean()),
        "monthly_fan": _fan(sim.monthly),
        "cumulative_fan": _fan(np.cumsum(sim.monthly, axis=1)),
        "probability": inputs.probability,
        "recommended_advance": recommended_advance(term, inputs.probability),
        "rule": inputs.rule,
        "commission_income": inputs.commission * float(term.mean()),
    }
    if advance is not None:
        s = settle(sim.monthly, advance, inputs.rule, inputs.cost_of_capital)
        out.update(s)
        out["commission_income"] = inputs.commission * (float(term.mean()) + s["recouped_after_term"])
        out["deal_margin"] = out["commission_income"] - s["financing_cost"]
    return out


# ---------------------------------------------------------------- sensitivity

# (input, kind): "rel" moves a real input +-20% (clipped to its valid range),
# "int" moves a whole number +-20% rounded (at least 1), "new" moves the
# number of new stores +-20% rounded (at least 1): stores_target +-20% would
# move the growth, the thing the deal is about, by a third.
SENSITIVITY_STEP = 0.2
_SENSITIVITY_INPUTS = (
    ("store_monthly_sales", "rel"),
    ("channel_share", "rel"),
    ("stores_target", "new"),
    ("ramp_start", "rel"),
    ("ramp_months", "int"),
    ("sales_cv", "rel"),
    ("delay_prob", "rel"),
)
_UPPER = {"channel_share": 1.0, "ramp_start": 1.0, "delay_prob": 1.0}


def _moved(inputs: PrepayInputs, name: str, kind: str) -> tuple[Any, Any]:
    base = getattr(inputs, name)
    if kind == "rel":
        hi = base * (1 + SENSITIVITY_STEP)
        return base * (1 - SENSITIVITY_STEP), min(hi, _UPPER.get(name, hi))
    if kind == "int":
        d = max(1, round(base * SENSITIVITY_STEP))
        return max(0, base - d), base + d
    d = max(1, round(inputs.new_stores * SENSITIVITY_STEP))  # "new"
    return max(inputs.stores_now, base - d), base + d


def sensitivity(inputs: PrepayInputs, advance: float | None = None) -> list[dict[str, Any]]:
    """Which input moves the recommended advance most (rows for a tornado chart).

    Each listed input is moved down and up one step (see _SENSITIVITY_INPUTS),
    everything else held, and the model rerun with the same seed (common random
    numbers, so the swing is the input's effect, not noise; term_sales(), so a
    rerun costs a matrix-vector product once the draws are kept). Rows: input, base,
    low, high (input values), advance_low, advance_high, base_advance, swing =
    |advance_high - advance_low|; with an advance also recoup_probability_low /
    _high. Sorted by swing, largest first (ties in the listed order). With a
    month table the number of new stores is fixed, so stores_target is left out.
    """
    def run(inp: PrepayInputs) -> tuple[float, float | None]:
        term = term_sales(inp)
        rec = recommended_advance(term, inp.probability)
        prob = None if advance is None else float(np.mean(term >= advance))
        return rec, prob

    base_advance, _ = run(inputs)
    rows = []
    for name, kind in _SENSITIVITY_INPUTS:
        if name == "stores_target" and inputs.schedule == "table":
            continue  # the month table fixes the number of new stores
        low, high = _moved(inputs, name, kind)
        a_low, p_low = run(replace(inputs, **{name: low}))
        a_high, p_high = run(replace(inputs, **{name: high}))
        row = {
            "input": name,
            "base": getattr(inputs, name),
            "low": low,
            "high": high,
            "base_advance": base_advance,
            "advance_low": a_low,
            "advance_high": a_high,
            "swing": abs(a_high - a_low),
        }
        if advance is not None:
            row["recoup_probability_low"] = p_low
            row["recoup_probability_high"] = p_high
        rows.append(row)
    # Swings equal to the cent are ties (e.g. sales and share scale the same
    # way); the sort is stable, so ties keep the listed order.
    rows.sort(key=lambda r: -round(r["swing"], 2))
    return rows


# ---------------------------------------------------------------- pages and saved scenarios

# How many recent input sets keep their summary and sensitivity: a page rerun
# after a widget change answers from here when the inputs did not change.
_CACHED_RUNS = 16


def opening_counts(inputs: PrepayInputs) -> tuple[int, ...]:
    """New stores opening in each month of the term under the inputs' schedule
    (the month table, or the one an even / front / back schedule implies)."""
    counts = np.bincount(_schedule(inputs) - 1, minlength=inputs.term_months)
    return tuple(int(c) for c in counts)


def cached_simulation(inputs: PrepayInputs) -> Simulation:
    """simulate(), kept for the most recent inputs (PrepayInputs is frozen and
    hashable, so equal inputs share one run). The array is read-only: a cached
    run is shared by every caller."""
    sim = _RUNS.get(inputs)
    if sim is None:
        sim = simulate(inputs)
        sim.monthly.setflags(write=False)
        _RUNS.put(inputs, sim, sim.monthly.size)
    return sim


@lru_cache(maxsize=_CACHED_RUNS * 4)
def evaluate(inputs: PrepayInputs, advance: float | None = None) -> dict[str, Any]:
    """summarize() on the cached simulation: what the page shows for one set of
    inputs and an optional typed advance."""
    return summarize(cached_simulation(inputs), inputs, advance=advance)


@lru_cache(maxsize=_CACHED_RUNS)
def cached_sensitivity(inputs: PrepayInputs, advance: float | None = None) -> tuple[dict[str, Any], ...]:
    """sensitivity(), kept for the most recent inputs (rows as a tuple)."""
    return tuple(sensitivity(inputs, advance=advance))


def inputs_to_dict(inputs: PrepayInputs) -> dict[str, Any]:
    """Every field of the inputs as plain JSON values (month_table a list or null)."""
    out = asdict(inputs)
    if out["month_table"] is not None:
        out["month_table"] = list(out["month_table"])
    return out


def inputs_from_dict(values: dict[str, Any]) -> PrepayInputs:
    """Inputs back from inputs_to_dict(); a missing field takes its default, an
    unknown one is ignored (a scenario saved by another version still loads).
    Invalid values raise ValueError as on construction."""
    names = {f.name for f in fields(PrepayInputs)}
    kept = {k: v for k, v in values.items() if k in names}
    if kept.get("month_table") is not None:
        kept["month_table"] = tuple(kept["month_table"])
    return PrepayInputs(**kept)
