"""The prepayment model's inputs from the data: a chain's history and the expanding chains.

What the order lines say about a chain (DESIGN.md, Canonical data):
- its store count over time: each line may carry the chain's store count
  (门店数); the archive's count is the current one where it has one (the
  archive wins where it and the lines disagree);
- its sales through our channel: a client's revenue in our data is the
  chain's gross sales through us (the advance is recouped against it).

What they do not say: the chain's total sales. No import role carries them,
so the channel share cannot be measured; it stays an assumption, and the
mature sales per store are derived from it so that the model reproduces the
observed channel sales per store: store_monthly_sales = channel sales per
store-month / share.

Definitions used here (as of D, by default the data end):
- year ago = D - 1 year (29 February -> 28 February); trailing 12 months =
  dates in (D - 1 year, D], the 12 months before = (D - 2 years, D - 1 year];
- stores a year ago = the count on the latest line on or before D - 1 year;
- new stores a year = stores now - stores a year ago (at least 0);
- channel sales per store per month = revenue / store-months over the last
  12 complete calendar months, a month's store count being that of its
  latest line carrying one, carried forward into months without one; months
  before the first known count are left out;
- monthly spread = sample standard deviation / mean of the monthly sales per
  store over those n months (at least 3 of them); the model's sales spread is
  the uncertainty of the level a whole term sells at, not of one month, so
  the prefilled sales cv is that of the n-month mean: monthly spread / sqrt(n);
- an expanding chain (a candidate for an advance): active in the trailing 12
  months, and stores up by >= 20% and >= 2 stores on a year ago, or revenue
  up by >= 30% on the 12 months before (thresholds compared exactly in SQL).
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace
from decimal import Decimal

import numpy as np
import pandas as pd

from kam_core.cache import by_version
from kam_core.periods import add_months, latest_complete, trailing_year
from kam_core.prepay import PrepayInputs

MIN_STORE_GROWTH = Decimal("0.2")
MIN_NEW_STORES = 2
MIN_REVENUE_GROWTH = Decimal("0.3")
TRAILING_MONTHS = 12
MIN_SPREAD_MONTHS = 3

CANDIDATE_COLUMNS = ["client_key", "client_name", "chain_scope", "owner", "region", "stores_year_ago",
                     "stores_now", "new_stores", "store_growth", "revenue_prev12m", "revenue_t12m",
                     "revenue_growth", "by_stores", "by_revenue"]
HISTORY_COLUMNS = ["month", "revenue", "lines", "store_count", "sales_per_store"]


def year_back(day: dt.date) -> dt.date:
    """The same date a year earlier (29 February -> 28 February)."""
    return trailing_year(day)[0] - dt.timedelta(days=1)


def _growth_frame(store, as_of: dt.date, client_key: str | None, only_expanding: bool,
                  min_store_growth: Decimal, min_new_stores: int, min_revenue_growth: Decimal) -> pd.DataFrame:
    year_ago = year_back(as_of)
    return store.query("prepay_growth", as_of=as_of, year_ago=year_ago, two_years_ago=year_back(year_ago),
                       client_key=client_key, only_expanding=only_expanding,
                       min_store_growth=str(min_store_growth), min_new_stores=int(min_new_stores),
                       min_revenue_growth=str(min_revenue_growth))


def growth_ratio(now, before) -> float | None:
    """now / before - 1; None where before is missing or not positive."""
    if now is None or before is None or pd.isna(now) or pd.isna(before) or float(before) <= 0:
        return None
    return float(now) / float(before) - 1.0


@by_version()
def candidates(store, as_of: dt.date | None = None, min_store_growth: Decimal = MIN_STORE_GROWTH,
               min_new_stores: int = MIN_NEW_STORES, min_revenue_growth: Decimal = MIN_REVENUE_GROWTH) -> pd.DataFrame:
    """Expanding chains as of a date (default the data end), largest trailing
    12-month revenue first, with the figures behind the call (CANDIDATE_COLUMNS;
    growths as fractions, None where there is no base)."""
    as_of = as_of or store.data_end()
    if as_of is None:
        return pd.DataFrame(columns=CANDIDATE_COLUMNS)
    frame = _growth_frame(store, as_of, None, True, Decimal(str(min_store_growth)), min_new_stores,
                          Decimal(str(min_revenue_growth)))
    frame["new_stores"] = (frame["stores_now"] - frame["stores_year_ago"]).astype("Int64")
    frame["store_growth"] = [growth_ratio(n, b) for n, b in zip(frame["stores_now"], frame["stores_year_ago"])]
    frame["revenue_growth"] = [growth_ratio(n, b) for n, b in zip(frame["revenue_t12m"], frame["revenue_prev12m"])]
    for column in ("stores_now", "stores_year_ago"):
        frame[column] = frame[column].astype("Int64")
    for column in ("revenue_t12m", "revenue_prev12m"):
        frame[column] = frame[column].astype(float)
    return frame[CANDIDATE_COLUMNS].reset_index(drop=True)


# ---------------------------------------------------------------- one chain's history


def monthly_history(rows: pd.DataFrame, last_month: dt.date) -> pd.DataFrame:
    """Month by month from the first month with orders to last_month (first days):
    revenue 0 in months without orders, the store count carried forward from
    the latest month that had one, sales_per_store = revenue / store count
    (None before the first known count, or with 0 stores)."""
    if rows.empty:
        return pd.DataFrame(columns=HISTORY_COLUMNS)
    rows = rows.assign(month=[pd.Timestamp(m).date() for m in rows["month"]])
    first = rows["month"].min()
    if first > last_month:
        return pd.DataFrame(columns=HISTORY_COLUMNS)
    months = []
    m = first
    while m <= last_month:
        months.append(m)
        m = add_months(m, 1)
    by_month = rows.set_index("month")
    out = pd.DataFrame({"month": months})
    out["revenue"] = [float(by_month["revenue"].get(m, 0.0)) for m in months]
    out["lines"] = [int(by_month["lines"].get(m, 0)) for m in months]
    counts = pd.Series([by_month["store_count"].get(m) for m in months], dtype="Float64").ffill()
    out["store_count"] = counts.astype("Int64")
    stores = counts.to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_store = np.where(stores > 0, out["revenue"].to_numpy() / stores, np.nan)
    out["sales_per_store"] = per_store
    return out


def per_store_figures(history: pd.DataFrame) -> tuple[float | None, float | None, int]:
    """(channel sales per store-month, monthly spread (sample cv of the monthly
    sales per store), months used) over the last TRAILING_MONTHS months of the
    history that have a store count above 0."""
    window = history.tail(TRAILING_MONTHS)
    known = window[window["store_count"].notna() & (window["store_count"].fillna(0) > 0)]
    if known.empty:
        return None, None, 0
    store_months = float(known["store_count"].astype(float).sum())
    per_store = float(known["revenue"].sum()) / store_months
    values = known["sales_per_store"].astype(float)
    cv = None
    if len(values) >= MIN_SPREAD_MONTHS and values.mean() > 0:
        cv = float(values.std(ddof=1) / values.mean())
    return per_store, cv, len(known)


def _half_up(x: float) -> int:
    return int(math.floor(x + 0.5))


@dataclass(frozen=True)
class Prefill:
    """What a chain's history says about the model's inputs (see the module text)."""

    client_key: str
    client_name: str
    as_of: dt.date
    last_month: dt.date | None               # first day of the last complete month
    stores_now: int | None
    stores_source: str | None                # archive | orders | None
    stores_lines_now: int | None
    stores_year_ago: int | None
    new_stores_per_year: int | None
    channel_sales_per_store: float | None    # per store per month
    channel_sales_per_month: float | None    # the chain as a whole, per month
    monthly_cv: float | None                 # spread of one month's sales per store
    months_used: int
    revenue_t12m: float
    revenue_prev12m: float
    revenue_growth: float | None
    store_growth: float | None
    history: pd.DataFrame

    @property
    def sales_cv(self) -> float | None:
        """Spread of the level of sales per store: the monthly spread / sqrt(months)."""
        return None if self.monthly_cv is None else self.monthly_cv / math.sqrt(self.months_used)

    def inputs(self, base: PrepayInputs) -> PrepayInputs:
        """base with what the history knows put in: stores now and at the end of
        base's term (at the last year's pace of openings), mature sales per store
        (channel sales per store / base's share), the sales spread. What the
        history does not know stays as in base; a month table gives way to the
        even schedule (its stores would no longer add up)."""
        stores_now, stores_target = base.stores_now, base.stores_target
        if self.stores_now is not None:
            stores_now = self.stores_now
            per_year = self.new_stores_per_year or 0
            stores_target = stores_now + _half_up(per_year * base.term_months / 12)
        sales = base.store_monthly_sales
        share = base.channel_share
        if share > 0:
            if self.channel_sales_per_store is not None:
                sales = self.channel_sales_per_store / share
            elif self.channel_sales_per_month is not None and stores_now > 0:
                sales = self.channel_sales_per_month / stores_now / share
        sales_cv = base.sales_cv if self.sales_cv is None else round(self.sales_cv, 2)
        schedule = "even" if base.schedule == "table" else base.schedule
        return replace(base, stores_now=stores_now, stores_target=stores_target,
                       store_monthly_sales=round(max(sales, 0.0), 2), sales_cv=sales_cv,
                       schedule=schedule, month_table=None)


@by_version()
def prefill(store, client_key: str, as_of: dt.date | None = None) -> Prefill | None:
    """A chain's history as model inputs; None when the client is unknown or
    there is no data."""
    as_of = as_of or store.data_end()
    if as_of is None:
        return None
    growth = _growth_frame(store, as_of, client_key, False, MIN_STORE_GROWTH, MIN_NEW_STORES, MIN_REVENUE_GROWTH)
    if growth.empty:
        return None
    row = growth.iloc[0]
    last_month = latest_complete("month", as_of).start
    history = monthly_history(store.query("prepay_history", client_key=client_key, as_of=as_of), last_month)
    per_store, cv, months_used = per_store_figures(history) if not history.empty else (None, None, 0)
    window = history.tail(TRAILING_MONTHS)
    per_month = float(window["revenue"].mean()) if not window.empty else None

    def opt_int(value) -> int | None:
        return None if value is None or pd.isna(value) else int(value)

    stores_now = opt_int(row["stores_now"])
    lines_now, year_ago = opt_int(row["stores_lines_now"]), opt_int(row["stores_year_ago"])
    source = None if stores_now is None else ("archive" if opt_int(row["archive_stores"]) is not None else "orders")
    per_year = None if stores_now is None or year_ago is None else max(0, stores_now - year_ago)
    return Prefill(
        client_key=client_key, client_name=str(row["client_name"]), as_of=as_of,
        last_month=last_month if not history.empty else None,
        stores_now=stores_now, stores_source=source, stores_lines_now=lines_now, stores_year_ago=year_ago,
        new_stores_per_year=per_year, channel_sales_per_store=per_store, channel_sales_per_month=per_month,
        monthly_cv=cv, months_used=months_used,
        revenue_t12m=float(row["revenue_t12m"]), revenue_prev12m=float(row["revenue_prev12m"]),
        revenue_growth=growth_ratio(row["revenue_t12m"], row["revenue_prev12m"]),
        store_growth=growth_ratio(stores_now, year_ago), history=history,
    )


@by_version()
def chains(store) -> pd.DataFrame:
    """Every client that can be prefilled (with orders or in the archive):
    client_key, client_name, revenue_t12m (as of the data end), largest first."""
    as_of = store.data_end()
    if as_of is None:
        return pd.DataFrame(columns=["client_key", "client_name", "revenue_t12m"])
    frame = store.query("prepay_chains", as_of=as_of, year_ago=year_back(as_of))
    frame["revenue_t12m"] = frame["revenue_t12m"].astype(float)
    return frame
