"""BG/NBD model (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way").

Used by the churn watchlist to estimate, per client, the probability that the
client is still active ("alive"). Pure numpy/scipy/pandas; no UI imports.

Model, per client: while alive, purchases follow a Poisson process with rate
lambda ~ Gamma(r, alpha); after each repeat purchase the client drops out with
probability p ~ Beta(a, b). A client's history is summarised by
(frequency x, recency t_x, age T); see `summarize`.
"""
from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special

SUMMARY_COLUMNS = ["client", "frequency", "recency", "T"]

# A below this makes the dropout probability collapse to 0: every client
# looks alive, so the watchlist must not use the fit.
MIN_USABLE_A = 0.01

# Box on the log-parameters: keeps exp() finite when the likelihood keeps
# improving towards 0 or infinity (degenerate portfolios). A fit that ends on
# this box has no interior maximum and is reported as not converged.
_LOG_BOUND = 18.0
_AT_BOUND = 1e-3


def summarize(orders: pd.DataFrame, as_of: _dt.date, unit_days: float = 7.0) -> pd.DataFrame:
    """One row per client: `client, frequency, recency, T` as of `as_of`.

    Only orders dated on or before `as_of` count (missing dates never do);
    several orders on the same calendar day are one purchase occasion.
    frequency = distinct purchase days - 1 (repeat purchases); recency = days
    from first to last purchase day; T = days from first purchase day to
    `as_of`; recency and T are divided by `unit_days` (weeks by default).

    Time convention: whole calendar days, T = (as_of - first_day).days. A client
    whose only purchase is on `as_of` has T = 0. This is the convention of the
    CDNOW summary used by Fader, Hardie & Lee: calibration ending 1997-09-30, a
    first purchase on 1997-01-01 gives T = 272 days = 38.86 weeks (counting to
    the end of 1997-09-30, i.e. 1997-10-01, would give 39.00).
    Clients with no order on or before `as_of` are absent from the result.
    """
    if unit_days <= 0:
        raise ValueError("unit_days must be positive")
    cutoff = np.datetime64(pd.Timestamp(as_of).date(), "D")
    dates = pd.to_datetime(orders["order_date"])
    if getattr(dates.dt, "tz", None) is not None:
        # Calendar days are meant in the orders' own time zone.
        dates = dates.dt.tz_localize(None)
    # Integer day numbers: cheap to compare, deduplicate and subtract.
    days = dates.to_numpy(dtype="datetime64[D]")
    keep = ~np.isnat(days) & (days <= cutoff)
    keep &= orders["client"].notna().to_numpy()
    if not keep.any():
        return _empty_summary(orders["client"].dtype)
    day_no = days[keep].astype(np.int64)
    # Series.factorize keeps pandas' fast paths (e.g. Arrow-backed strings).
    codes, clients = orders["client"][keep].factorize(sort=True)
    # One occasion per (client, day): dedupe a packed integer key by sorting
    # (np.sort + neighbour compare is much faster than np.unique here).
    span = int(day_no.max() - day_no.min()) + 1
    key = np.sort(codes.astype(np.int64) * span + (day_no - day_no.min()))
    key = key[np.r_[True, key[1:] != key[:-1]]]
    code_u, day_u = np.divmod(key, span)
    # `key` is sorted, so each client's days are a contiguous ascending run.
    starts = np.flatnonzero(np.r_[True, code_u[1:] != code_u[:-1]])
    n_days = np.diff(np.r_[starts, code_u.size])
    first = day_u[starts]
    last = day_u[starts + n_days - 1]
    cutoff_no = int(cutoff.astype(np.int64) - day_no.min())
    return pd.DataFrame(
        {
            "client": clients[code_u[starts]],
            "frequency": (n_days - 1).astype(np.int64),
            "recency": (last - first) / unit_days,
            "T": (cutoff_no - first) / unit_days,
        },
        columns=SUMMARY_COLUMNS,
    )


def _empty_summary(client_dtype) -> pd.DataFrame:
    """The summary frame with no rows (nobody had bought by `as_of`)."""
    return pd.DataFrame(
        {
            "client": pd.Series([], dtype=client_dtype),
            "frequency": pd.Series([], dtype=np.int64),
            "recency": pd.Series([], dtype=float),
            "T": pd.Series([], dtype=float),
        },
        columns=SUMMARY_COLUMNS,
    )


@dataclass(frozen=True)
class BgNbdFit:
    """Maximum-likelihood BG/NBD parameters and how trustworthy they are.

    r, alpha: Gamma heterogeneity of purchase rates (alpha in summary time units).
    a, b: Beta heterogeneity of the dropout probability after each purchase.
    log_likelihood: summed over the n clients.
    """

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    converged: bool
    n: int

    @property
    def usable(self) -> bool:
        """False if the optimiser failed or a ~ 0 (nobody ever drops out)."""
        return bool(self.converged and self.a >= MIN_USABLE_A)


def _as_arrays(frequency, recency, T) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Float arrays of equal length, checked for a valid BG/NBD summary."""
    x = np.asarray(frequency, dtype=float).ravel()
    tx = np.asarray(recency, dtype=float).ravel()
    t_age = np.asarray(T, dtype=float).ravel()
    if not (x.size == tx.size == t_age.size):
        raise ValueError("frequency, recency and T must have the same length")
    if not (np.isfinite(x).all() and np.isfinite(tx).all() and np.isfinite(t_age).all()):
        raise ValueError("frequency, recency and T must be finite")
    if (x < 0).any() or (x != np.round(x)).any():
        raise ValueError("frequency must be a non-negative whole number")
    # Small tolerance: recency and T are often rounded separately.
    if (tx < 0).any() or (tx > t_age + 1e-9).any():
        raise ValueError("recency must lie between 0 and T")
    return x, tx, t_age


def _loglik_terms(params, x, tx, t_age, by_x=None):
    """Per-row log-likelihood and its gradient w.r.t. (r, alpha, a, b).

    by_x: (distinct frequencies, each row's index into them), np.unique(x, return_inverse=True).
    The gamma-family terms depend on x alone and are evaluated once per distinct x: a portfolio
    has thousands of histories but a few hundred frequencies.

    ll = ln G(r+x) - ln G(r) + r ln alpha + ln B(a, b+x) - ln B(a, b)
         + ln[ (alpha+T)^-(r+x) + [x>0] a/(b+x-1) (alpha+t_x)^-(r+x) ],
    the paper's likelihood with B(a+1, b+x-1) = B(a, b+x) a/(b+x-1). The last
    bracket is combined in log space (logaddexp): both powers underflow for
    large x or T.
    """
    r, alpha, a, b = params
    xs, at = by_x if by_x is not None else np.unique(x, return_inverse=True)
    rx = r + x
    log_at = np.log(alpha + t_age)
    log_atx = np.log(alpha + tx)
    u1 = -rx * log_at
    repeat = x > 0
    # b+x-1 is only meaningful (and positive) for repeat buyers.
    bx1 = np.where(repeat, b + x - 1.0, 1.0)
    u2 = np.where(repeat, np.log(a) - np.log(bx1) - rx * log_atx, -np.inf)
    lse = np.logaddexp(u1, u2)
    # Shares of the two scenarios "still alive at T" / "dropped at t_x".
    w1 = np.exp(u1 - lse)
    w2 = np.exp(u2 - lse)
    ll = (
        special.gammaln(r + xs)[at] - special.gammaln(r) + r * np.log(alpha)
        + special.betaln(a, b + xs)[at] - special.betaln(a, b) + lse
    )
    d_r = special.digamma(r + xs)[at] - special.digamma(r) + np.log(alpha) - w1 * log_at - w2 * log_atx
    d_alpha = r / alpha - rx * (w1 / (alpha + t_age) + w2 / (alpha + tx))
    psi_ab = special.digamma(a + b)
    psi_abx = special.digamma(a + b + xs)[at]
    d_a = psi_ab - psi_abx + w2 / a
    d_b = special.digamma(b + xs)[at] - psi_abx - special.digamma(b) + psi_ab - w2 / bx1
    return ll, np.stack([d_r, d_alpha, d_a, d_b])


def log_likelihood(params, frequency, recency, T) -> float:
    """Summed BG/NBD log-likelihood at params = (r, alpha, a, b)."""
    x, tx, t_age = _as_arrays(frequency, recency, T)
    return float(_loglik_terms(np.asarray(params, dtype=float), x, tx, t_age)[0].sum())


def _unique_rows(x, tx, t_age) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The distinct (x, tx, T) rows in ascending order, and how often each occurs.

    What np.unique(..., axis=0, return_counts=True) gives, about three times faster.
    """
    order = np.lexsort((t_age, tx, x))
    sx, stx, st = x[order], tx[order], t_age[order]
    first = np.ones(sx.size, dtype=bool)
    first[1:] = (sx[1:] != sx[:-1]) | (stx[1:] != stx[:-1]) | (st[1:] != st[:-1])
    starts = np.flatnonzero(first)
    return sx[starts], stx[starts], st[starts], np.diff(np.append(starts, sx.size))


def fit(frequency, recency, T) -> BgNbdFit:
    """Maximum-likelihood BG/NBD fit (L-BFGS-B on log-parameters).

    Deterministic: fixed start r = a = b = 1 and alpha matched to the mean
    purchase rate, so alpha's start follows the time unit of the data.
    `converged` is False if the optimiser fails, a parameter ends on the
    internal bound |log p| = 18, or nobody made a repeat purchase: in those
    cases the likelihood has no interior maximum.
    """
    x, tx, t_age = _as_arrays(frequency, recency, T)
    if x.size == 0:
        raise ValueError("cannot fit BG/NBD on zero clients")
    # Identical histories share one likelihood term: fit on unique rows with
    # counts (summaries in weeks rounded to days repeat a lot).
    ux, utx, ut, counts = _unique_rows(x, tx, t_age)
    weights = counts / x.size  # mean log-likelihood: tolerances independent of n
    by_x = np.unique(ux, return_inverse=True)

    def objective(theta):
        params = np.exp(theta)
        ll, grad = _loglik_terms(params, ux, utx, ut, by_x)
        value = -(weights @ ll)
        if not np.isfinite(value):
            return np.inf, np.zeros_like(theta)
        # Chain rule for log-parameters: d/d(log p) = p * d/dp.
        return value, -(grad @ weights) * params

    # fsum rounds exactly: the same start, to the last bit, in whatever order the units come
    rate = max(math.fsum(x), 1.0) / max(math.fsum(t_age), 1e-9)
    start = np.log([1.0, 1.0 / rate, 1.0, 1.0])
    start = np.clip(start, -_LOG_BOUND + 1, _LOG_BOUND - 1)
    result = optimize.minimize(
        objective, start, jac=True, method="L-BFGS-B",
        bounds=[(-_LOG_BOUND, _LOG_BOUND)] * 4,
        options={"maxiter": 1000, "ftol": 1e-13, "gtol": 1e-9},
    )
    r, alpha, a, b = np.exp(result.x)
    total_ll = -float(result.fun) * x.size
    at_bound = bool((np.abs(result.x) > _LOG_BOUND - _AT_BOUND).any())
    # Without a single repeat purchase the best fit is "rate -> 0" on the
    # boundary and a, b are not identified, however the optimiser stopped.
    has_repeats = bool((x > 0).any())
    converged = bool(result.success and np.isfinite(total_ll) and not at_bound and has_repeats)
    return BgNbdFit(
        r=float(r), alpha=float(alpha), a=float(a), b=float(b),
        log_likelihood=total_ll, converged=converged, n=int(x.size),
    )


def _log_odds_dead(fit: BgNbdFit, x, tx, t_age) -> np.ndarray:
    """ln of a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x); -inf for x = 0."""
    repeat = x > 0
    bx1 = np.where(repeat, fit.b + x - 1.0, 1.0)
    log_ratio = np.log(fit.alpha + t_age) - np.log(fit.alpha + tx)
    return np.where(repeat, np.log(fit.a) - np.log(bx1) + (fit.r + x) * log_ratio, -np.inf)


def p_alive(fit: BgNbdFit, frequency, recency, T) -> np.ndarray:
    """P(client still active at T | x, t_x, T), closed form from the paper.

    1 / (1 + [x>0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)). Clients without
    a repeat purchase get 1: in BG/NBD dropout only happens right after a
    purchase, a known property of the model.
    """
    x, tx, t_age = _as_arrays(frequency, recency, T)
    # expit(-z) = 1/(1+e^z) without overflow for long silences.
    return special.expit(-_log_odds_dead(fit, x, tx, t_age))


def expected_purchases(fit: BgNbdFit, t: float, frequency, recency, T) -> np.ndarray:
    """E[purchases in (T, T+t] | x, t_x, T], the paper's conditional expectation.

    [(a+b+x-1)/(a-1)] [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)]
    times p_alive, with z = t/(alpha+T+t). The 2F1 is evaluated after Euler's
    transformation, 2F1(A,B;C;z) = (1-z)^(C-A-B) 2F1(C-A, C-B; C; z): the
    original 2F1 grows like (1-z)^-(r+x) and overflows for heavy buyers, the
    transformed one stays of order 1. Near a = 1 the two factors are 0/0;
    a is nudged off 1 by 1e-6 there (relative error ~1e-7).
    """
    x, tx, t_age = _as_arrays(frequency, recency, T)
    if t < 0:
        raise ValueError("t must be non-negative")
    r, alpha, b = fit.r, fit.alpha, fit.b
    a = fit.a if abs(fit.a - 1.0) > 1e-6 else 1.0 + 1e-6
    big_a, big_b, big_c = r + x, b + x, a + b + x - 1.0
    z = t / (alpha + t_age + t)
    # ((alpha+T)/(alpha+T+t))^(r+x) = (1-z)^(r+x); with Euler's factor the
    # power becomes (1-z)^(C-B) = (1-z)^(a-1).
    hyp = special.hyp2f1(big_c - big_a, big_c - big_b, big_c, z)
    bracket = 1.0 - np.exp((a - 1.0) * np.log1p(-z)) * hyp
    return (big_c / (a - 1.0)) * bracket * p_alive(fit, x, tx, t_age)
