"""Prepayment sizing (kam_core/prepay.py, the `prepay` command): DESIGN.md,
Definitions, "Prepayment"."""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from fractions import Fraction
from math import isqrt
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kam_core.__main__ import main
from kam_core.prepay import (
    EXTRA_MONTHS_CAP,
    SEED_CASE,
    PrepayInputs,
    Simulation,
    deterministic_monthly_sales,
    opening_months,
    ramp,
    ramp_matrix,
    sensitivity,
    settle,
    simulate,
    summarize,
    term_sales,
)

ROOT = Path(__file__).resolve().parents[1]

QUIET = dict(sales_cv=0.0, share_cv=0.0, delay_prob=0.0)  # no randomness at all


# ---------------------------------------------------------------- the identity

# Values exact in binary floating point, so "exactly" means ==.
@pytest.mark.parametrize(
    "stores, sales, share, months",
    [(10, 1000.0, 0.25, 12), (7, 123456.5, 0.375, 5), (1, 800000.0, 0.5, 36), (0, 1000.0, 0.5, 12)],
)
def test_identity_without_spreads_or_growth(stores, sales, share, months):
    inp = PrepayInputs(
        stores_now=stores, stores_target=stores, term_months=months, store_monthly_sales=sales,
        channel_share=share, ramp_months=0, paths=50, **QUIET,
    )
    expected = stores * sales * months * share
    assert deterministic_monthly_sales(inp).sum() == expected
    sim = simulate(inp)
    assert sim.monthly.shape == (50, months)
    assert np.all(sim.term_sales == expected)
    s = summarize(sim, inp)
    assert s["forecast"] == {"p10": expected, "p50": expected, "p90": expected}
    assert s["recommended_advance"] == expected


def test_identity_holds_with_any_ramp_when_nothing_opens():
    # Existing stores are mature: the ramp only touches new stores.
    inp = PrepayInputs(stores_now=3, stores_target=3, term_months=4, store_monthly_sales=100.0,
                       channel_share=0.5, ramp_start=0.1, ramp_months=9, paths=5, **QUIET)
    assert deterministic_monthly_sales(inp).tolist() == [150.0] * 4
    assert simulate(inp).term_sales.tolist() == [600.0] * 5


# ---------------------------------------------------------------- hand-checked


def test_ramp_values():
    # a-th month: 0.5 + 0.5 (a - 1) / 2, capped at 1; not open yet (a < 1): 0.
    assert ramp([0, 1, 2, 3, 4, 10], 0.5, 2).tolist() == [0.0, 0.5, 0.75, 1.0, 1.0, 1.0]
    assert ramp([-1, 0, 1, 2], 0.6, 0).tolist() == [0.0, 0.0, 1.0, 1.0]  # mature at once
    assert ramp([1, 2, 3], 1.0, 6).tolist() == [1.0, 1.0, 1.0]
    assert ramp_matrix(3, 0.5, 2).tolist() == [[0.5, 0.75, 1.0], [0.0, 0.5, 0.75], [0.0, 0.0, 0.5]]


def test_hand_case_even_schedule_with_ramp():
    # 2 -> 4 stores over 4 months, even schedule, n = 2 new stores:
    #   store 1: u = 1/4, floor(4 x 1/4) + 1 = month 2
    #   store 2: u = 3/4, floor(4 x 3/4) + 1 = month 4
    # ramp_start 0.5, ramp_months 2: age 1 -> 0.5, age 2 -> 0.75, age 3+ -> 1.
    # Mature-store equivalents: m1 2; m2 2 + 0.5 = 2.5; m3 2 + 0.75 = 2.75;
    #   m4 2 + 1 + 0.5 = 3.5.  x 1000 sales x 0.5 share = 1000, 1250, 1375, 1750.
    inp = PrepayInputs(stores_now=2, stores_target=4, term_months=4, store_monthly_sales=1000.0,
                       channel_share=0.5, ramp_start=0.5, ramp_months=2, paths=3, **QUIET)
    assert opening_months(2, 4, "even").tolist() == [2, 4]
    assert deterministic_monthly_sales(inp).tolist() == [1000.0, 1250.0, 1375.0, 1750.0]
    assert simulate(inp).monthly.tolist() == [[1000.0, 1250.0, 1375.0, 1750.0]] * 3
    assert summarize(simulate(inp), inp)["recommended_advance"] == 5375.0


@pytest.mark.parametrize(
    "n, T, schedule, table, expected",
    [
        # even: floor(T (2j - 1) / 2n) + 1
        (2, 4, "even", None, [2, 4]),
        (4, 2, "even", None, [1, 1, 2, 2]),        # 0.25, 0.75, 1.25, 1.75
        (1, 2, "even", None, [2]),                 # 2 x 1/2 = 1 exactly -> month 2
        (3, 12, "even", None, [3, 7, 11]),         # 2, 6, 10
        # front: u^2 -> 4/16 = 0.25, 4 x 9/16 = 2.25
        (2, 4, "front", None, [1, 3]),
        (1, 4, "front", None, [2]),                # 4 x 1/4 = 1 exactly
        (3, 12, "front", None, [1, 4, 9]),         # 12/36, 12 x 9/36 = 3, 12 x 25/36 = 8.33
        # back: sqrt(u) -> 4 x 0.5 = 2, 4 x 0.866 = 3.46
        (2, 4, "back", None, [3, 4]),
        (3, 12, "back", None, [5, 9, 11]),         # 12 x 0.408 = 4.9, 12 x 0.707 = 8.5, 12 x 0.913 = 10.95
        (50, 10, "back", None, None),              # checked against the reference below
        (0, 12, "even", None, []),
        # table: counts per month
        (3, 4, "table", (0, 2, 0, 1), [2, 2, 4]),
        (2, 6, "table", (1, 1), [1, 2]),           # a shorter table: later months open none
    ],
)
def test_opening_months(n, T, schedule, table, expected):
    got = opening_months(n, T, schedule, table).tolist()
    if expected is None:
        expected = _reference_months(n, T, schedule)
    assert got == expected


def _reference_months(n: int, T: int, schedule: str) -> list[int]:
    """DESIGN.md's formula in exact rational arithmetic."""
    out = []
    for j in range(1, n + 1):
        u = Fraction(2 * j - 1, 2 * n)
        if schedule == "even":
            k = int(T * u // 1)
        elif schedule == "front":
            k = int(T * u * u // 1)
        else:  # floor(T sqrt(u)) = isqrt(floor(T^2 u))
            k = isqrt(int(T * T * u // 1))
        out.append(k + 1)
    return out


@settings(max_examples=200, deadline=None)
@given(n=st.integers(0, 300), T=st.integers(1, 120), schedule=st.sampled_from(["even", "front", "back"]))
def test_opening_months_match_exact_formula(n, T, schedule):
    got = opening_months(n, T, schedule)
    assert got.tolist() == _reference_months(n, T, schedule)
    assert np.all((got >= 1) & (got <= T)) and np.all(np.diff(got) >= 0)


@pytest.mark.parametrize(
    "table, match",
    [(None, "needs a month_table"), ((1, 1, 1, 1, 1), "more than the 4-month term"), ((1, 0, 1), "opens 2 stores")],
)
def test_table_errors(table, match):
    with pytest.raises(ValueError, match=match):
        PrepayInputs(stores_now=1, stores_target=4, term_months=4, schedule="table", month_table=table)


def test_table_schedule_simulates():
    # 1 -> 3 stores, table (0, 2, 0): both open in month 2, mature at once.
    inp = PrepayInputs(stores_now=1, stores_target=3, term_months=3, store_monthly_sales=100.0,
                       channel_share=1.0, schedule="table", month_table=[0, 2, 0], ramp_months=0,
                       paths=2, **QUIET)
    assert inp.month_table == (0, 2, 0)
    assert simulate(inp).monthly.tolist() == [[100.0, 300.0, 300.0]] * 2


def test_delay_past_the_term_means_no_opening():
    # 1 -> 2 stores, 4 months: the new store is scheduled in month floor(4 x 1/2) + 1 = 3;
    # delay_prob 1 delays every store (uniforms are < 1).
    base = PrepayInputs(stores_now=1, stores_target=2, term_months=4, store_monthly_sales=100.0,
                        channel_share=1.0, ramp_months=0, sales_cv=0.0, share_cv=0.0, delay_prob=1.0,
                        paths=4)
    late = simulate(replace(base, delay_months=3)).monthly  # month 6: never within the term
    assert late.tolist() == [[100.0] * 4] * 4
    one = simulate(replace(base, delay_months=1)).monthly   # month 4
    assert one.tolist() == [[100.0, 100.0, 100.0, 200.0]] * 4


# ---------------------------------------------------------------- the random parts


def test_random_parts_have_the_stated_distributions():
    n = 100_000
    # Sales shock: lognormal, mean 1, cv 0.2 (no new stores, share fixed).
    inp = PrepayInputs(stores_now=1, stores_target=1, term_months=1, store_monthly_sales=1.0,
                       channel_share=1.0, sales_cv=0.2, share_cv=0.0, paths=n)
    x = simulate(inp).monthly[:, 0]
    assert abs(x.mean() - 1) < 0.005 and abs(x.std() / x.mean() - 0.2) < 0.005
    assert np.all(x > 0)
    # Channel share: Normal(0.4, 0.04).
    inp = replace(inp, channel_share=0.4, sales_cv=0.0, share_cv=0.1)
    s = simulate(inp).monthly[:, 0]
    assert abs(s.mean() - 0.4) < 0.001 and abs(s.std() - 0.04) < 0.001
    # Clipped to [0, 1].
    s = simulate(replace(inp, channel_share=0.9, share_cv=1.0)).monthly[:, 0]
    assert s.min() == 0.0 and s.max() == 1.0
    # Delay: the single new store (month 7 of 12) is late in ~10% of paths.
    inp = PrepayInputs(stores_now=0, stores_target=1, term_months=12, store_monthly_sales=1.0,
                       channel_share=1.0, sales_cv=0.0, share_cv=0.0, delay_prob=0.1, paths=n)
    m = simulate(inp).monthly
    assert abs((m[:, 6] == 0).mean() - 0.1) < 0.005
    assert set(np.unique(m[:, 9])) == {0.6, 0.6 + 0.4 * 3 / 6}  # opened in month 10 or 7


def test_an_added_store_keeps_the_others_delay_draws():
    # 0 -> 5 vs 0 -> 6 stores, half of them late: each of the first five stores
    # opens no later with six (earlier slot, same draw), so no path sells less.
    five = PrepayInputs(stores_now=0, stores_target=5, term_months=12, delay_prob=0.5, paths=2000)
    six = replace(five, stores_target=6)
    a, b = simulate(five).monthly, simulate(six).monthly
    assert np.all(b >= a - 1e-9 * a.max())
    assert np.any(b > a)


def test_same_seed_same_numbers_other_seed_close():
    a, b = simulate(SEED_CASE), simulate(SEED_CASE)
    assert np.array_equal(a.monthly, b.monthly)
    assert summarize(a, SEED_CASE) == summarize(b, SEED_CASE)
    c = simulate(replace(SEED_CASE, seed=2))
    assert not np.array_equal(a.monthly, c.monthly)
    fa, fc = summarize(a, SEED_CASE)["forecast"], summarize(c, SEED_CASE)["forecast"]
    for k in ("p10", "p50", "p90"):
        assert fc[k] == pytest.approx(fa[k], rel=0.02)


def test_seed_case_p50_is_about_80_million():
    assert (SEED_CASE.stores_now, SEED_CASE.stores_target, SEED_CASE.term_months) == (17, 40, 12)
    s = summarize(simulate(SEED_CASE), SEED_CASE)
    assert s["forecast"]["p50"] == pytest.approx(80_000_000, rel=0.02)
    assert s["forecast"]["p10"] < s["recommended_advance"] < s["forecast"]["p50"] < s["forecast"]["p90"]


# ---------------------------------------------------------------- properties


def _not_lower(high: PrepayInputs, low: PrepayInputs) -> bool:
    """high's forecast is nowhere below low's: path by path (the same seed gives
    the same random numbers) and so in every quantile (float noise aside)."""
    a, b = simulate(high), simulate(low)
    tol = 1e-9 * max(1.0, float(np.abs(b.term_sales).max()))
    if not np.all(a.term_sales >= b.term_sales - tol):
        return False
    sa, sb = summarize(a, high), summarize(b, low)
    qa = [*sa["forecast"].values(), sa["recommended_advance"]]
    qb = [*sb["forecast"].values(), sb["recommended_advance"]]
    return all(x >= y - tol for x, y in zip(qa, qb))


small_inputs = st.builds(
    lambda now, new, T, sched, share, rs, rm, dp, dm, seed: PrepayInputs(
        stores_now=now, stores_target=now + new, term_months=T, schedule=sched, channel_share=share,
        ramp_start=rs, ramp_months=rm, delay_prob=dp, delay_months=dm, paths=300, seed=seed,
    ),
    st.integers(0, 30), st.integers(0, 40), st.integers(1, 36), st.sampled_from(["even", "front", "back"]),
    st.floats(0.0, 0.8), st.floats(0.0, 1.0), st.integers(0, 12), st.floats(0.0, 1.0), st.integers(0, 6),
    st.integers(0, 2**32),
)


@settings(max_examples=25, deadline=None)
@given(inp=small_inputs, more=st.integers(1, 10), where=st.sampled_from(["target", "both"]))
def test_more_stores_never_lower_the_forecast(inp, more, where):
    bigger = replace(inp, stores_target=inp.stores_target + more,
                     stores_now=inp.stores_now + (more if where == "both" else 0))
    assert _not_lower(bigger, inp)


@settings(max_examples=25, deadline=None)
@given(inp=small_inputs, factor=st.floats(1.0, 2.0))
def test_higher_share_never_lowers_the_forecast(inp, factor):
    higher = replace(inp, channel_share=min(1.0, inp.channel_share * factor + 0.01))
    assert _not_lower(higher, inp)


@settings(max_examples=25, deadline=None)
@given(inp=small_inputs, p=st.floats(0.01, 0.98), dp=st.floats(0.001, 0.5))
def test_higher_recoup_probability_never_raises_the_advance(inp, p, dp):
    q = min(0.99, p + dp)
    sim = simulate(inp)
    low = summarize(sim, replace(inp, probability=p))["recommended_advance"]
    high = summarize(sim, replace(inp, probability=q))["recommended_advance"]
    assert high <= low


@settings(max_examples=15, deadline=None)
@given(inp=small_inputs, dp=st.floats(0.01, 0.5))
def test_more_delays_never_raise_the_forecast(inp, dp):
    later = replace(inp, delay_prob=min(1.0, inp.delay_prob + dp))
    assert _not_lower(inp, later)


# ---------------------------------------------------------------- settlement

# Three hand-made paths over a 3-month term, advance 100, cost of capital 12%
# a year (1% a month), commission 10%:
#   A [40, 40, 40] term 120: recouped. Balances during months 1-3 (advance less
#     the sales before the month): 100, 60, 20 -> 180.
#   B [30, 20, 20] term 70: shortfall 30, last month 20 -> 1.5 extra months.
#     In-term balances 100, 70, 50 -> 220; extend adds months 4, 5 with 30, 10 -> 40.
#   C [10, 10, 0] term 20: shortfall 80, last month 0 -> capped at 120 months.
#     In-term balances 100, 90, 80 -> 270; extend adds 120 months x 80 = 9600.
# recoup 1/3; shortfall (0 + 30 + 80)/3; extra (0 + 1.5 + 120)/3 = 40.5.
# Refund: balance-months (180 + 220 + 270)/3 = 670/3, cost 0.01 x 670/3.
# Extend: (180 + 260 + 9870)/3 = 10310/3, cost 0.01 x 10310/3; recouped after
# the term: B 30, C 0 -> 10 on average.
# Commission: 0.1 x mean term sales 70 = 7 (refund); 0.1 x (70 + 10) = 8 (extend).
HAND_PATHS = np.array([[40.0, 40.0, 40.0], [30.0, 20.0, 20.0], [10.0, 10.0, 0.0]])
HAND_INPUTS = PrepayInputs(stores_now=1, stores_target=1, term_months=3, commission=0.1,
                           cost_of_capital=0.12, probability=0.8)


@pytest.mark.parametrize(
    "rule, balance_months, after, commission_income",
    [("refund", 670 / 3, 0.0, 7.0), ("extend", 10310 / 3, 10.0, 8.0)],
)
def test_settlement_on_hand_made_paths(rule, balance_months, after, commission_income):
    inp = replace(HAND_INPUTS, rule=rule)
    s = summarize(Simulation(HAND_PATHS), inp, advance=100)
    exact = pytest.approx  # float division only; rel 1e-12 is "exactly" here
    assert s["recoup_probability"] == 1 / 3
    assert s["expected_shortfall"] == exact(110 / 3, rel=1e-12)
    assert s["expected_extra_months"] == exact(40.5, rel=1e-12)
    assert s["extra_months_capped_paths"] == 1
    assert s["expected_balance_months"] == exact(balance_months, rel=1e-12)
    assert s["financing_cost"] == exact(0.01 * balance_months, rel=1e-12)
    assert s["recouped_after_term"] == exact(after, rel=1e-12)
    assert s["commission_income"] == exact(commission_income, rel=1e-12)
    assert s["deal_margin"] == exact(commission_income - 0.01 * balance_months, rel=1e-12)


def test_forecast_and_fans_on_hand_made_paths():
    s = summarize(Simulation(HAND_PATHS), HAND_INPUTS)
    # Term sales 20, 70, 120 (sorted); linear quantiles: 0.1 -> 20 + 0.2 x 50,
    # 0.5 -> 70, 0.9 -> 70 + 0.8 x 50; advance at p 0.8: 0.2 -> 20 + 0.4 x 50.
    assert s["forecast"] == pytest.approx({"p10": 30.0, "p50": 70.0, "p90": 110.0}, rel=1e-12)
    assert s["recommended_advance"] == pytest.approx(40.0, rel=1e-12)
    assert s["expected_sales"] == 70.0
    assert s["commission_income"] == pytest.approx(7.0, rel=1e-12)
    assert "recoup_probability" not in s and "financing_cost" not in s
    assert s["monthly_fan"]["month"] == [1, 2, 3]
    assert s["monthly_fan"]["p50"] == [30.0, 20.0, 20.0]
    assert s["cumulative_fan"]["p50"] == [30.0, 50.0, 70.0]


def test_recoup_at_exactly_the_advance_and_zero_advance():
    s = settle(HAND_PATHS, 70.0, "refund", 0.0)
    assert s["recoup_probability"] == 2 / 3  # 70 >= 70 counts as recouped
    z = settle(HAND_PATHS, 0.0, "extend", 0.1)
    assert (z["recoup_probability"], z["expected_shortfall"], z["expected_extra_months"],
            z["financing_cost"]) == (1.0, 0.0, 0.0, 0.0)


def test_extension_cap_with_sales_left():
    # [1, 1, 1], advance 1000: shortfall 997 at 1 a month needs 997 months > cap.
    # Balances: in term 1000 + 999 + 998 = 2997; after it 120 months
    # 997, 996, ..., 878 = 120 x 997 - 120 x 119 / 2 = 112,500.
    s = settle(np.array([[1.0, 1.0, 1.0]]), 1000.0, "extend", 0.12)
    assert EXTRA_MONTHS_CAP == 120
    assert s["expected_extra_months"] == 120.0 and s["extra_months_capped_paths"] == 1
    assert s["expected_balance_months"] == 2997.0 + 112_500.0
    assert s["recouped_after_term"] == 120.0


def test_summarize_checks_its_inputs():
    with pytest.raises(ValueError, match="3 months but the inputs a 4-month term"):
        summarize(Simulation(HAND_PATHS), replace(HAND_INPUTS, term_months=4))
    with pytest.raises(ValueError, match="advance must be"):
        summarize(Simulation(HAND_PATHS), HAND_INPUTS, advance=-1)
    with pytest.raises(ValueError, match="finite and >= 0"):
        Simulation(np.array([[1.0, float("nan")]]))


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "change, match",
    [
        (dict(stores_now=-1), "stores_now must be at least 0"),
        (dict(stores_now=1.5), "stores_now must be a whole number"),
        (dict(stores_target=10), r"stores_target \(10\) must not be below stores_now \(17\)"),
        (dict(channel_share=1.5), "channel_share must be between 0 and 1"),
        (dict(channel_share=-0.1), "channel_share must be between 0 and 1"),
        (dict(probability=1.0), "probability must be strictly between 0 and 1"),
        (dict(probability=0.0), "probability must be strictly between 0 and 1"),
        (dict(store_monthly_sales=float("nan")), "store_monthly_sales must be a finite number"),
        (dict(store_monthly_sales=-1.0), "store_monthly_sales must be at least 0"),
        (dict(term_months=0), "term_months must be between 1 and 120"),
        (dict(ramp_start=1.2), "ramp_start must be between 0 and 1"),
        (dict(ramp_months=-1), "ramp_months must be at least 0"),
        (dict(sales_cv=-0.1), "sales_cv must be at least 0"),
        (dict(delay_prob=1.1), "delay_prob must be between 0 and 1"),
        (dict(delay_months=True), "delay_months must be a whole number"),
        (dict(commission=2.0), "commission must be between 0 and 1"),
        (dict(cost_of_capital=-0.05), "cost_of_capital must be at least 0"),
        (dict(schedule="random"), "schedule must be one of even, front, back, table"),
        (dict(rule="forgive"), "rule must be refund or extend"),
        (dict(paths=0), "paths must be between 1 and 200,000"),
        (dict(seed=-1), "seed must be at least 0"),
    ],
)
def test_invalid_inputs(change, match):
    with pytest.raises(ValueError, match=match):
        replace(SEED_CASE, **change)


# ---------------------------------------------------------------- sensitivity


def test_sensitivity_rows():
    inp = SEED_CASE
    rows = sensitivity(inp, advance=60_000_000)
    names = [r["input"] for r in rows]
    assert sorted(names) == sorted(["store_monthly_sales", "channel_share", "stores_target", "ramp_start",
                                    "ramp_months", "sales_cv", "delay_prob"])
    swings = [round(r["swing"], 2) for r in rows]  # to the cent: float noise is no swing
    assert swings == sorted(swings, reverse=True)
    by = {r["input"]: r for r in rows}
    base = summarize(simulate(inp), inp)["recommended_advance"]
    # The reruns go through term_sales(): equal to simulate() up to float rounding.
    assert all(r["base_advance"] == pytest.approx(base, rel=1e-12) for r in rows)
    base = rows[0]["base_advance"]
    # Same random numbers: sales scale every path, so the advance scales exactly.
    s = by["store_monthly_sales"]
    assert (s["low"], s["high"]) == (640_000.0, 960_000.0)
    assert s["advance_low"] == pytest.approx(0.8 * base, rel=1e-12)
    assert s["advance_high"] == pytest.approx(1.2 * base, rel=1e-12)
    # Sales and share +-20% are the same move: a tie, kept in the listed order.
    assert names[:2] == ["store_monthly_sales", "channel_share"]
    t = by["stores_target"]  # 23 new stores +-20% -> +-5
    assert (t["low"], t["high"]) == (35, 45) and t["advance_low"] < base < t["advance_high"]
    assert by["ramp_months"]["low"] == 5 and by["ramp_months"]["high"] == 7
    assert by["delay_prob"]["advance_high"] <= base <= by["delay_prob"]["advance_low"]
    assert s["recoup_probability_low"] < s["recoup_probability_high"]


def test_sensitivity_hand_case():
    # The hand case above (2 -> 4 stores, 4 months, 500 per mature-store-month)
    # with p 0.5 and no randomness: the advance is the term sales, 5375.
    # Mature-store-months over the term of a store opened in month 1..4 (ramp
    # 0.5, 0.75, 1, ...): 3.25, 2.25, 1.25, 0.5; existing stores 2 x 4 = 8.
    # - sales +-20%: 0.8 / 1.2 x 5375 = 4300 / 6450;
    # - new stores 2 +-1: 3 stores opens one in month floor(4 x 1/2) + 1 = 3:
    #   8 + 1.25 = 9.25 -> 4625; 5 opens months 1, 3, 4 (4 x 1/6, 4 x 1/2,
    #   4 x 5/6): 8 + 3.25 + 1.25 + 0.5 = 13 -> 6500;
    # - ramp start 0.4 / 0.6 (ages 1, 2, 3: 0.4, 0.7, 1 | 0.6, 0.8, 1), stores
    #   opened in months 2 and 4: 8 + 2.1 + 0.4 = 10.5 -> 5250; 8 + 2.4 + 0.6 = 11 -> 5500;
    # - ramp months 2 -+1: 1 month (0.5, 1, 1): 8 + 2.5 + 0.5 = 11 -> 5500;
    #   3 months (0.5, 2/3, 5/6): 8 + 2 + 0.5 = 10.5 -> 5250;
    # - the sales spread and the delay probability are 0: +-20% of 0 moves nothing.
    inp = PrepayInputs(stores_now=2, stores_target=4, term_months=4, store_monthly_sales=1000.0,
                       channel_share=0.5, ramp_start=0.5, ramp_months=2, paths=3, probability=0.5, **QUIET)
    assert term_sales(inp).tolist() == [5375.0] * 3
    rows = sensitivity(inp, advance=5000.0)
    by = {r["input"]: r for r in rows}
    exact = lambda x: pytest.approx(x, rel=1e-12)  # noqa: E731
    expected = {"store_monthly_sales": (4300, 6450), "channel_share": (4300, 6450), "stores_target": (4625, 6500),
                "ramp_start": (5250, 5500), "ramp_months": (5500, 5250), "sales_cv": (5375, 5375),
                "delay_prob": (5375, 5375)}
    for name, (low, high) in expected.items():
        assert (by[name]["advance_low"], by[name]["advance_high"]) == (exact(low), exact(high)), name
    assert (by["stores_target"]["low"], by["stores_target"]["high"]) == (3, 5)
    assert (by["ramp_months"]["low"], by["ramp_months"]["high"]) == (1, 3)
    assert [r["input"] for r in rows] == ["store_monthly_sales", "channel_share", "stores_target", "ramp_start",
                                          "ramp_months", "sales_cv", "delay_prob"]  # swings 2150, 2150, 1875, 250, 250, 0, 0
    assert by["sales_cv"]["swing"] == 0.0 and by["delay_prob"]["swing"] == 0.0
    # An offer of 5000: recouped on no path with 20% lower sales, on all with 20% higher.
    assert (by["store_monthly_sales"]["recoup_probability_low"],
            by["store_monthly_sales"]["recoup_probability_high"]) == (0.0, 1.0)


@pytest.mark.parametrize("change", [dict(), dict(term_months=36, stores_target=80, schedule="back"),
                                    dict(schedule="front", ramp_months=0, delay_prob=0.5),
                                    dict(stores_now=0, stores_target=0)])
def test_term_sales_equal_the_simulated_paths(change):
    inp = replace(SEED_CASE, paths=2000, **change)
    assert term_sales(inp) == pytest.approx(simulate(inp).term_sales, rel=1e-12)


def test_sensitivity_skips_stores_target_with_a_table():
    inp = PrepayInputs(stores_now=1, stores_target=3, term_months=3, schedule="table", month_table=(1, 1, 0),
                       paths=100)
    rows = sensitivity(inp)
    assert "stores_target" not in [r["input"] for r in rows] and len(rows) == 6
    assert "recoup_probability_low" not in rows[0]


# ---------------------------------------------------------------- command line

FIELDS = {"forecast", "recommended_advance"}
ADVANCE_FIELDS = {"recoup_probability", "expected_shortfall", "expected_extra_months", "financing_cost"}


def test_cli_json(capsys):
    assert main(["prepay", "--stores-now", "17", "--stores-target", "40", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert FIELDS <= out.keys() and not ADVANCE_FIELDS & out.keys()
    s = summarize(simulate(SEED_CASE), SEED_CASE)  # the CLI defaults are the seed case
    assert out["forecast"] == {k: round(v, 2) for k, v in s["forecast"].items()}
    assert out["recommended_advance"] == round(s["recommended_advance"], 2)


def test_cli_json_with_advance(capsys):
    argv = ["prepay", "--stores-now", "2", "--stores-target", "4", "--term-months", "4",
            "--store-monthly-sales", "1000", "--channel-share", "0.5", "--ramp-start", "0.5",
            "--ramp-months", "2", "--sales-cv", "0", "--share-cv", "0", "--delay-prob", "0",
            "--advance", "6000", "--rule", "extend", "--cost-of-capital", "0.12", "--paths", "10", "--json"]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert FIELDS | ADVANCE_FIELDS <= out.keys()
    # The hand case above: term 5375, last month 1750; advance 6000 falls short
    # by 625 -> 625/1750 extra months; balances 6000, 5000, 3750, 2375, then 625.
    assert out["forecast"] == {"p10": 5375.0, "p50": 5375.0, "p90": 5375.0}
    assert out["recoup_probability"] == 0.0
    assert out["expected_shortfall"] == 625.0
    assert out["expected_extra_months"] == round(625 / 1750, 2)
    assert out["financing_cost"] == round(0.01 * (6000 + 5000 + 3750 + 2375 + 625), 2)


def test_cli_text(capsys):
    assert main(["prepay", "--stores-now", "17", "--stores-target", "40", "--advance", "7e7",
                 "--paths", "500"]) == 0
    text = capsys.readouterr().out
    assert "Recommended advance" in text and "Advance 70,000,000.00 (refund rule)" in text


def test_cli_month_table(capsys):
    # The table case above: 1 -> 3 stores, both opening in month 2, mature at once,
    # 100 a month each through the channel: 100 + 300 + 300 = 700 on every path.
    argv = ["prepay", "--stores-now", "1", "--stores-target", "3", "--term-months", "3", "--month-table", "0,2,0",
            "--store-monthly-sales", "100", "--channel-share", "1", "--ramp-months", "0", "--sales-cv", "0",
            "--share-cv", "0", "--delay-prob", "0", "--paths", "5", "--advance", "800", "--json"]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["inputs"]["schedule"], out["inputs"]["month_table"]) == ("table", [0, 2, 0])
    assert out["forecast"] == {"p10": 700.0, "p50": 700.0, "p90": 700.0}
    # 800 falls short by 100; the last month sells 300 -> 1/3 extra month.
    assert (out["recoup_probability"], out["expected_shortfall"], out["expected_extra_months"]) == (0.0, 100.0, 0.33)


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--month-table", "1,2"], "--month-table opens 3 stores but the chain grows by 23"),
        (["--month-table", ",".join(["2"] * 13)], "--month-table has 13 months, more than the 12-month term"),
        (["--channel-share", "1.5"], "--channel-share must be between 0 and 1, got 1.5"),
        (["--probability", "1"], "--probability must be strictly between 0 and 1"),
        (["--stores-now", "50"], "--stores-target (40) must not be below --stores-now (50)"),
        (["--advance", "-5"], "--advance must be a finite amount >= 0"),
    ],
)
def test_cli_bad_input_exits_2_with_one_line(capsys, extra, message):
    assert main(["prepay", "--stores-now", "17", "--stores-target", "40", *extra]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and message in captured.err


@pytest.mark.parametrize(
    "argv",
    [["--stores-now", "17"], ["--stores-now", "17", "--stores-target", "40", "--paths", "abc"],
     ["--stores-now", "17", "--stores-target", "40", "--schedule", "table"],
     ["--stores-now", "17", "--stores-target", "40", "--month-table", "1,-2"],
     ["--stores-now", "17", "--stores-target", "40", "--month-table", "a,b"]],
)
def test_cli_unparsable_options_exit_2_with_one_line(capsys, argv):
    with pytest.raises(SystemExit) as exc:
        main(["prepay", *argv])
    assert exc.value.code == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_core_imports_neither_streamlit_nor_pandas():
    code = ("import sys, kam_core.prepay, kam_core.cli.prepay; "
            "print(sorted(m for m in ('streamlit', 'pandas', 'scipy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
