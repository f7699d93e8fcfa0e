"""BG/NBD model: CDNOW reproduction, summaries, P(alive), degenerate fits."""
from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, special

from kam_core import bgnbd
from kam_core.bgnbd import BgNbdFit

CDNOW = Path(__file__).parent / "data" / "cdnow"
CALIBRATION_END = dt.date(1997, 9, 30)
# Fader, Hardie & Lee (2005), parameter estimates on the CDNOW sample.
PUBLISHED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_LL = -9582.4


def params(r, alpha, a, b) -> BgNbdFit:
    """A fit object with given parameters (for formula checks)."""
    return BgNbdFit(r=r, alpha=alpha, a=a, b=b, log_likelihood=0.0, converged=True, n=1)


@pytest.fixture(scope="module")
def cdnow_summary() -> pd.DataFrame:
    return pd.read_csv(CDNOW / "cdnow_customers_summary.csv")


@pytest.fixture(scope="module")
def cdnow_orders() -> pd.DataFrame:
    raw = pd.read_csv(
        CDNOW / "CDNOW_sample.txt", sep=r"\s+", header=None,
        names=["sample_id", "client", "date", "cds", "value"], dtype={"date": str},
    )
    return pd.DataFrame({
        "client": raw["client"],
        "order_date": pd.to_datetime(raw["date"], format="%Y%m%d"),
    })


@pytest.fixture(scope="module")
def cdnow_fit(cdnow_summary) -> BgNbdFit:
    s = cdnow_summary
    return bgnbd.fit(s["frequency"], s["recency"], s["T"])


# --- fit on CDNOW -------------------------------------------------------------

def test_fit_reproduces_published_cdnow_estimates(cdnow_fit):
    f = cdnow_fit
    for name, published in PUBLISHED.items():
        assert getattr(f, name) == pytest.approx(published, rel=0.02), name
    assert f.log_likelihood == pytest.approx(PUBLISHED_LL, abs=0.1)
    assert f.n == 2357
    assert f.converged and f.usable


def test_fit_is_the_maximum(cdnow_fit, cdnow_summary):
    s = cdnow_summary
    best = np.array([cdnow_fit.r, cdnow_fit.alpha, cdnow_fit.a, cdnow_fit.b])
    ll = bgnbd.log_likelihood(best, s["frequency"], s["recency"], s["T"])
    assert ll == pytest.approx(cdnow_fit.log_likelihood, abs=1e-6)
    # Moving any parameter by 1% either way lowers the likelihood.
    for i in range(4):
        for step in (0.99, 1.01):
            moved = best.copy()
            moved[i] *= step
            assert bgnbd.log_likelihood(moved, s["frequency"], s["recency"], s["T"]) < ll


def test_fit_is_deterministic(cdnow_summary):
    s = cdnow_summary
    assert bgnbd.fit(s["frequency"], s["recency"], s["T"]) == bgnbd.fit(
        s["frequency"].to_numpy(), s["recency"].tolist(), s["T"].to_numpy()
    )


def test_log_likelihood_matches_the_paper_formula_for_one_client():
    # The paper's likelihood written out with gamma and beta functions.
    r, alpha, a, b, x, tx, T = 0.5, 3.0, 0.8, 2.5, 3, 10.0, 20.0
    lik = (
        special.beta(a, b + x) / special.beta(a, b)
        * math.gamma(r + x) * alpha**r / (math.gamma(r) * (alpha + T) ** (r + x))
        + special.beta(a + 1, b + x - 1) / special.beta(a, b)
        * math.gamma(r + x) * alpha**r / (math.gamma(r) * (alpha + tx) ** (r + x))
    )
    assert bgnbd.log_likelihood([r, alpha, a, b], [x], [tx], [T]) == pytest.approx(math.log(lik), rel=1e-12)


def test_log_likelihood_is_finite_for_heavy_buyers():
    # (alpha+T)^-(r+x) underflows to 0 in plain floats here.
    ll = bgnbd.log_likelihood([0.5, 2.0, 0.3, 5.0], [5000, 800], [1000.0, 300.0], [1040.0, 300.5])
    assert np.isfinite(ll)


def test_fit_rejects_bad_input():
    with pytest.raises(ValueError):
        bgnbd.fit([], [], [])
    with pytest.raises(ValueError):
        bgnbd.fit([1, 2], [1.0], [3.0, 4.0])
    with pytest.raises(ValueError):
        bgnbd.fit([1], [5.0], [3.0])  # recency after T
    with pytest.raises(ValueError):
        bgnbd.fit([1.5], [1.0], [3.0])  # fractional frequency


# --- summarize --------------------------------------------------------------

def test_summarize_reproduces_cdnow_summary(cdnow_orders, cdnow_summary):
    out = bgnbd.summarize(cdnow_orders, CALIBRATION_END)
    assert list(out.columns) == ["client", "frequency", "recency", "T"]
    merged = cdnow_summary.merge(out, left_on="ID", right_on="client", suffixes=("_paper", ""), validate="1:1")
    assert len(out) == len(cdnow_summary) == len(merged) == 2357
    assert (merged["frequency"] == merged["frequency_paper"]).all()
    assert (merged["recency"] - merged["recency_paper"]).abs().max() < 0.01
    assert (merged["T"] - merged["T_paper"]).abs().max() < 0.01
    # The summary is our figures rounded to 2 decimals, client by client.
    assert (merged["recency"].round(2) == merged["recency_paper"]).all()
    assert (merged["T"].round(2) == merged["T_paper"]).all()


def test_cdnow_t_counts_whole_days_to_calibration_end(cdnow_orders, cdnow_summary):
    # Client 1 first bought on 1997-01-01: 272 days to 1997-09-30 = 38.86 weeks;
    # counting to the end of that day (273 days) would give 39.00.
    assert cdnow_summary.loc[cdnow_summary["ID"] == 1, "T"].item() == 38.86
    out = bgnbd.summarize(cdnow_orders, CALIBRATION_END).set_index("client")
    assert out.loc[1, "T"] == pytest.approx(272 / 7)
    # Counting to the next day breaks the match.
    shifted = bgnbd.summarize(cdnow_orders, dt.date(1997, 10, 1)).set_index("client")
    assert shifted.loc[1, "T"].round(2) == 39.0


def test_summarize_rules_on_a_small_book():
    orders = pd.DataFrame({
        "client": ["A", "A", "A", "A", "B", "B", "C", "D", "E", "E"],
        "order_date": pd.to_datetime([
            "2024-01-01 09:00", "2024-01-01 17:30",  # same day: one occasion
            "2024-01-15", "2024-03-01",              # after as_of: ignored
            "2024-01-10", "2024-01-31",
            "2024-01-31",                            # only purchase on as_of
            "2024-02-05",                            # not a client yet
            None, "2024-01-03",                      # missing date ignored
        ], format="ISO8601"),
    })
    out = bgnbd.summarize(orders, dt.date(2024, 1, 31), unit_days=1.0)
    assert out.to_dict("list") == {
        "client": ["A", "B", "C", "E"],
        "frequency": [1, 1, 0, 0],
        "recency": [14.0, 21.0, 0.0, 0.0],
        "T": [30.0, 21.0, 0.0, 28.0],
    }
    # Weeks by default.
    weekly = bgnbd.summarize(orders, dt.date(2024, 1, 31))
    assert weekly["T"].tolist() == pytest.approx([30 / 7, 3.0, 0.0, 4.0])


def test_summarize_accepts_python_dates(cdnow_orders):
    as_dates = cdnow_orders.assign(order_date=cdnow_orders["order_date"].dt.date)
    pd.testing.assert_frame_equal(
        bgnbd.summarize(as_dates, CALIBRATION_END), bgnbd.summarize(cdnow_orders, CALIBRATION_END)
    )


def test_summarize_with_nothing_before_as_of():
    orders = pd.DataFrame({"client": ["A"], "order_date": pd.to_datetime(["2024-05-01"])})
    out = bgnbd.summarize(orders, dt.date(2024, 1, 1))
    assert out.empty and list(out.columns) == ["client", "frequency", "recency", "T"]


# --- p_alive -----------------------------------------------------------------

def test_p_alive_is_one_without_repeat_purchase(cdnow_fit):
    assert bgnbd.p_alive(cdnow_fit, [0, 0], [0.0, 0.0], [1.0, 500.0]).tolist() == [1.0, 1.0]


def test_p_alive_hand_computed():
    # a/(b+x-1) * ((alpha+T)/(alpha+t_x))^(r+x) = 1/2 * (4/2)^2 = 2  ->  1/3
    assert bgnbd.p_alive(params(1.0, 1.0, 1.0, 2.0), [1], [1.0], [3.0])[0] == pytest.approx(1 / 3, rel=1e-12)
    # 3/5 * (8/4)^4 = 9.6  ->  1/10.6
    assert bgnbd.p_alive(params(2.0, 2.0, 3.0, 4.0), [2], [2.0], [6.0])[0] == pytest.approx(1 / 10.6, rel=1e-12)
    # Bought on the last day: only the "still alive" odds remain, 1/(1+a/(b+x-1)).
    assert bgnbd.p_alive(params(2.0, 2.0, 3.0, 4.0), [2], [6.0], [6.0])[0] == pytest.approx(5 / 8, rel=1e-12)


def test_p_alive_falls_with_longer_silence(cdnow_fit):
    T = np.array([31.0, 35.0, 40.0, 60.0, 120.0, 1000.0])
    p = bgnbd.p_alive(cdnow_fit, np.full(T.size, 4), np.full(T.size, 30.0), T)
    assert (np.diff(p) < 0).all()
    assert p[0] > 0.8 and p[-1] < 1e-5 and p[-1] >= 0.0


def test_p_alive_rises_with_later_last_purchase(cdnow_fit):
    tx = np.array([1.0, 10.0, 20.0, 30.0, 38.86])
    p = bgnbd.p_alive(cdnow_fit, np.full(tx.size, 2), tx, np.full(tx.size, 38.86))
    assert (np.diff(p) > 0).all()


# --- expected_purchases ------------------------------------------------------

def expected_by_quadrature(r, alpha, a, b, t, x, tx, T):
    """E[Y(t) | x, t_x, T] integrated numerically over the dropout probability p.

    Independent of the closed form: given (lambda, p) and alive at T,
    E[Y(t)] = (1 - exp(-lambda p t)) / p; integrating lambda against its
    posterior-weighted gamma leaves a 1-D integral over p with the beta weight
    p^(a-1) (1-p)^(b-1) handled exactly by QUADPACK's algebraic weight.
    """
    k = r + x

    def bracket_over_p(p):
        if p == 0.0:
            return k * t / (alpha + T)
        return -math.expm1(-k * math.log1p(p * t / (alpha + T))) / p

    num, _ = integrate.quad(bracket_over_p, 0.0, 1.0, weight="alg", wvar=(a - 1.0, x + b - 1.0),
                            epsabs=0.0, epsrel=1e-12, limit=200)
    num /= special.beta(a, b)
    den = math.exp(special.betaln(a, b + x) - special.betaln(a, b))
    if x > 0:
        den += math.exp(special.betaln(a + 1, b + x - 1) - special.betaln(a, b)
                        + k * (math.log(alpha + T) - math.log(alpha + tx)))
    return num / den


@pytest.mark.parametrize(("pr", "t", "x", "tx", "T"), [
    ((0.243, 4.414, 0.793, 2.426), 39.0, 2, 30.43, 38.86),
    ((0.243, 4.414, 0.793, 2.426), 39.0, 0, 0.0, 38.86),
    ((0.243, 4.414, 0.793, 2.426), 10.0, 29, 38.43, 38.86),
    ((0.243, 4.414, 0.793, 2.426), 52.0, 200, 100.0, 100.5),  # far from 2F1's comfort zone
    ((2.0, 3.0, 3.5, 6.0), 26.0, 5, 20.0, 40.0),               # a > 1
    ((1.0, 1.0, 0.2, 0.5), 1.0, 3, 2.0, 5.0),
    ((0.5, 2.0, 1.5, 3.0), 1000.0, 10, 30.0, 31.0),
])
def test_expected_purchases_matches_quadrature(pr, t, x, tx, T):
    closed = bgnbd.expected_purchases(params(*pr), t, [x], [tx], [T])[0]
    assert closed == pytest.approx(expected_by_quadrature(*pr, t, x, tx, T), rel=1e-9)


def test_expected_purchases_near_a_equal_one():
    # (a+b+x-1)/(a-1) is 0/0 at a = 1; the result must stay continuous.
    pr = (2.0, 3.0, 1.0, 6.0)
    closed = bgnbd.expected_purchases(params(*pr), 26.0, [5], [20.0], [40.0])[0]
    assert closed == pytest.approx(expected_by_quadrature(*pr, 26.0, 5, 20.0, 40.0), rel=1e-6)


def test_expected_purchases_basic_shape(cdnow_fit):
    f = cdnow_fit
    assert bgnbd.expected_purchases(f, 0.0, [3], [20.0], [30.0])[0] == 0.0
    horizon = [bgnbd.expected_purchases(f, t, [3], [20.0], [30.0])[0] for t in (1.0, 10.0, 52.0)]
    assert horizon[0] < horizon[1] < horizon[2]


# --- usable / degenerate fits ---------------------------------------------------

def test_usable_flag():
    assert params(0.5, 5.0, 0.5, 2.0).usable
    assert not params(0.5, 5.0, 0.009, 2.0).usable
    assert not BgNbdFit(0.5, 5.0, 0.5, 2.0, log_likelihood=-1.0, converged=False, n=10).usable


def test_steady_buyers_who_never_stop_give_an_unusable_fit():
    # Every client buys on a fixed cycle right up to as_of: nobody ever drops
    # out, the likelihood pushes a to 0 and every client would look alive.
    rng = np.random.default_rng(7)
    as_of = dt.date(2025, 6, 30)
    books = []
    for c in range(400):
        start = pd.Timestamp("2023-01-02") + pd.Timedelta(days=int(rng.integers(0, 365)))
        cycle = int(rng.integers(7, 36))
        days = pd.date_range(start, pd.Timestamp(as_of), freq=f"{cycle}D")
        books.append(pd.DataFrame({"client": f"C{c:03d}", "order_date": days}))
    s = bgnbd.summarize(pd.concat(books, ignore_index=True), as_of)
    f = bgnbd.fit(s["frequency"], s["recency"], s["T"])
    assert f.a < bgnbd.MIN_USABLE_A
    assert not f.usable


def test_no_repeat_purchases_is_not_converged():
    f = bgnbd.fit([0, 0, 0], [0.0, 0.0, 0.0], [10.0, 20.0, 30.0])
    assert not f.converged and not f.usable


def simulate_bgnbd(n, r, alpha, a, b, seed):
    """(x, t_x, T) drawn from the BG/NBD process, T uniform on 26..78 weeks."""
    rng = np.random.default_rng(seed)
    T = rng.uniform(26.0, 78.0, n)
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    n_events = rng.poisson(lam * T)      # purchase opportunities in (0, T]
    k_drop = rng.geometric(p)            # repeat purchase after which the client leaves
    x = np.minimum(n_events, k_drop)
    # Given N events in (0, T], the x-th one sits at T * Beta(x, N - x + 1).
    tx = np.where(x > 0, T * rng.beta(np.maximum(x, 1), np.maximum(n_events - x + 1, 1)), 0.0)
    return x, tx, T


def test_fit_recovers_simulated_parameters():
    true = {"r": 0.8, "alpha": 6.0, "a": 0.9, "b": 3.5}
    f = bgnbd.fit(*simulate_bgnbd(20_000, **true, seed=3))
    assert f.usable
    assert f.r == pytest.approx(true["r"], rel=0.10)
    assert f.alpha == pytest.approx(true["alpha"], rel=0.10)
    assert f.a == pytest.approx(true["a"], rel=0.20)
    assert f.b == pytest.approx(true["b"], rel=0.20)
    # The well-identified combinations: mean purchase rate and mean dropout.
    assert f.r / f.alpha == pytest.approx(true["r"] / true["alpha"], rel=0.05)
    assert f.a / (f.a + f.b) == pytest.approx(true["a"] / (true["a"] + true["b"]), rel=0.10)


def test_unique_rows_match_numpy_unique():
    rng = np.random.default_rng(5)
    x = rng.integers(0, 4, 500).astype(float)
    tx = rng.integers(0, 6, 500) / 7
    t_age = rng.integers(3, 9, 500) / 7
    ux, utx, ut, counts = bgnbd._unique_rows(x, tx, t_age)
    rows, expected = np.unique(np.column_stack([x, tx, t_age]), axis=0, return_counts=True)
    assert np.array_equal(np.column_stack([ux, utx, ut]), rows)
    assert np.array_equal(counts, expected)
    assert counts.sum() == 500


def test_fit_does_not_depend_on_the_order_of_units(cdnow_summary):
    order = np.random.default_rng(3).permutation(len(cdnow_summary))
    shuffled = cdnow_summary.iloc[order]
    a = bgnbd.fit(cdnow_summary["frequency"], cdnow_summary["recency"], cdnow_summary["T"])
    b = bgnbd.fit(shuffled["frequency"], shuffled["recency"], shuffled["T"])
    assert a == b
