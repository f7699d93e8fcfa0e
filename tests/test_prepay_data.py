"""The prepayment model's inputs from the data (kam_core/prepay_data.py): a chain's
history, the prefill, and the expanding chains."""
from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kam_core import prepay_data
from kam_core.ingest import importer
from kam_core.prepay import SEED_CASE, deterministic_monthly_sales
from kam_core.store import Store
from tests.helpers import TODAY, d, store_with_orders

AS_OF = d("2025-12-31")  # data through; year ago 2024-12-31, two years ago 2023-12-31

# Alpha: 12 monthly lines in 2025 (the 15th), 10 stores Jan-Jun and 20 Jul-Dec,
# sales per store 100, 120, 80 repeating -> amounts stores x that.
ALPHA_PER_STORE = [100, 120, 80] * 4
ALPHA_STORES = [10] * 6 + [20] * 6
ALPHA = [{"client": "Alpha餐饮", "date": f"2025-{m:02d}-15", "amount": s * v, "store_count": s}
         for m, (s, v) in enumerate(zip(ALPHA_STORES, ALPHA_PER_STORE), start=1)]
ALPHA += [{"client": "Alpha餐饮", "date": "2024-06-15", "amount": 600, "store_count": 6},
          {"client": "Alpha餐饮", "date": "2024-12-15", "amount": 800, "store_count": 8}]

OTHERS = [
    # Beta: 5 stores both years, revenue flat -> not expanding.
    {"client": "Beta", "date": "2024-05-01", "amount": 1000, "store_count": 5},
    {"client": "Beta", "date": "2025-05-01", "amount": 1000, "store_count": 5},
    # Gamma: no store counts, revenue 1000 -> 1300: exactly +30% counts (a tie is expanding).
    {"client": "Gamma", "date": "2024-03-01", "amount": 1000},
    {"client": "Gamma", "date": "2025-03-01", "amount": 1300},
    # Delta: 10 -> 12 stores: exactly +20% and +2 stores; revenue flat.
    {"client": "Delta", "date": "2024-04-01", "amount": 1000, "store_count": 10},
    {"client": "Delta", "date": "2025-04-01", "amount": 1000, "store_count": 12},
    # Epsilon: 5 -> 6 stores (+20% but one store), revenue +20%: neither signal.
    {"client": "Epsilon", "date": "2024-04-01", "amount": 1000, "store_count": 5},
    {"client": "Epsilon", "date": "2025-04-01", "amount": 1200, "store_count": 6},
    # Zeta: 10 -> 15 stores but only a refund in the last 12 months: not active.
    {"client": "Zeta", "date": "2024-05-01", "amount": 1000, "store_count": 10},
    {"client": "Zeta", "date": "2025-05-01", "amount": -50, "store_count": 15},
    # Eta: new this year, no base to grow from.
    {"client": "Eta", "date": "2025-03-01", "amount": 5000, "store_count": 30},
]


@pytest.fixture
def chains(tmp_path):
    store = store_with_orders(tmp_path, ALPHA + OTHERS, data_through=AS_OF)
    yield store
    store.close()


def test_alpha_history_month_by_month(chains):
    found = prepay_data.prefill(chains, "alpha餐饮")
    assert found.as_of == AS_OF and found.last_month == d("2025-12-01")
    h = found.history
    # 2024-06 .. 2025-12: 19 months; empty months sell 0 and keep the last count.
    assert len(h) == 19 and h["month"].iloc[0] == d("2024-06-01") and h["month"].iloc[-1] == d("2025-12-01")
    assert h["revenue"].sum() == 18000 + 600 + 800
    jul = h[h["month"] == d("2024-07-01")].iloc[0]
    assert (jul["revenue"], jul["store_count"]) == (0.0, 6)
    assert h["store_count"].tolist()[-12:] == ALPHA_STORES
    assert h["sales_per_store"].tolist()[-12:] == [float(v) for v in ALPHA_PER_STORE]


def test_alpha_prefill_figures(chains):
    found = prepay_data.prefill(chains, "alpha餐饮")
    assert found.client_name == "Alpha餐饮"
    # Stores: now 20 (latest line, no archive), a year ago 8 (latest line on or before
    # 2024-12-31) -> 12 new stores a year, growth 20/8 - 1 = 1.5.
    assert (found.stores_now, found.stores_source, found.stores_year_ago) == (20, "orders", 8)
    assert found.new_stores_per_year == 12 and found.store_growth == 1.5
    # Channel sales per store-month over Jan-Dec 2025: revenue 6,000 + 12,000 over
    # 6 x 10 + 6 x 20 = 180 store-months = 100.
    assert found.channel_sales_per_store == 100.0 and found.months_used == 12
    assert found.channel_sales_per_month == 1500.0
    # Monthly sales per store 100, 120, 80 x 4: mean 100, squared deviations
    # 4 x (0 + 400 + 400) = 3,200 over 11 -> sd sqrt(3200/11); over a 12-month level / sqrt(12).
    assert found.monthly_cv == pytest.approx(math.sqrt(3200 / 11) / 100, rel=1e-12)
    assert found.sales_cv == pytest.approx(math.sqrt(3200 / 11) / 100 / math.sqrt(12), rel=1e-12)
    # Revenue: (2024-12-31, 2025-12-31] 18,000 against (2023-12-31, 2024-12-31] 1,400.
    assert (found.revenue_t12m, found.revenue_prev12m) == (18000.0, 1400.0)
    assert found.revenue_growth == pytest.approx(18000 / 1400 - 1, rel=1e-12)


@pytest.mark.parametrize("term, target", [(12, 32), (18, 38), (6, 26), (1, 21)])
def test_alpha_inputs_on_a_base(chains, term, target):
    # 12 new stores a year: 20 + 12 x term / 12, halves rounded up (1 month: 21).
    found = prepay_data.prefill(chains, "alpha餐饮")
    inputs = found.inputs(replace(SEED_CASE, term_months=term))
    assert (inputs.stores_now, inputs.stores_target, inputs.term_months) == (20, target, term)
    # Mature sales so that mature sales x share = observed channel sales per store: 100 / 0.32.
    assert inputs.store_monthly_sales == 312.5
    assert inputs.sales_cv == 0.05  # 0.0492 rounded
    # What history does not know stays as in the base.
    assert (inputs.channel_share, inputs.ramp_start, inputs.delay_prob, inputs.rule) == (0.32, 0.6, 0.1, "refund")


def test_prefilled_model_reproduces_observed_channel_sales(chains):
    found = prepay_data.prefill(chains, "alpha餐饮")
    for share in (0.1, 0.32, 0.8):
        inputs = found.inputs(replace(SEED_CASE, channel_share=share))
        flat = replace(inputs, stores_target=inputs.stores_now, ramp_months=0)
        # 20 stores x 100 a store-month through us, whatever the assumed share.
        assert deterministic_monthly_sales(flat)[0] == pytest.approx(2000.0, rel=1e-6)


def test_month_table_gives_way_to_even(chains):
    base = replace(SEED_CASE, stores_now=1, stores_target=3, term_months=3, schedule="table", month_table=(1, 1, 0))
    inputs = prepay_data.prefill(chains, "alpha餐饮").inputs(base)
    assert inputs.schedule == "even" and inputs.month_table is None


def test_archive_store_count_wins(chains, tmp_path):
    path = tmp_path / "archive.csv"
    path.write_text("customer,stores\nAlpha餐饮,25\n", encoding="utf-8")
    importer.import_file(chains, str(path), "archive.csv", kind="clients",
                         mapping_by_header={"client": "customer", "store_count": "stores"}, today=TODAY)
    found = prepay_data.prefill(chains, "alpha餐饮")
    assert (found.stores_now, found.stores_source, found.stores_lines_now) == (25, "archive", 20)
    assert found.new_stores_per_year == 17  # 25 - 8
    assert found.inputs(SEED_CASE).stores_target == 42
    row = prepay_data.candidates(chains).set_index("client_key").loc["alpha餐饮"]
    assert (row["stores_now"], row["new_stores"]) == (25, 17)


def test_client_without_store_counts(chains):
    found = prepay_data.prefill(chains, "gamma")
    assert found.stores_now is None and found.stores_source is None and found.new_stores_per_year is None
    assert found.channel_sales_per_store is None and found.months_used == 0
    # Jan-Dec 2025 holds Gamma's 1,300 in March: 1300 / 12 a month.
    assert found.channel_sales_per_month == pytest.approx(1300 / 12, rel=1e-12)
    # Stores stay the base's (17 -> 40); sales per store from the chain's monthly sales.
    inputs = found.inputs(SEED_CASE)
    assert (inputs.stores_now, inputs.stores_target) == (17, 40)
    assert inputs.store_monthly_sales == round(1300 / 12 / 17 / 0.32, 2)
    assert found.revenue_growth == pytest.approx(0.3, rel=1e-12)


def test_young_client_has_no_pace(chains):
    found = prepay_data.prefill(chains, "eta")
    assert (found.stores_now, found.stores_year_ago, found.new_stores_per_year) == (30, None, None)
    assert found.store_growth is None and found.revenue_growth is None
    inputs = found.inputs(SEED_CASE)
    assert (inputs.stores_now, inputs.stores_target) == (30, 30)
    # The history starts in March 2025: 5,000 over 10 months x 30 stores = 300 store-months.
    assert found.channel_sales_per_store == pytest.approx(5000 / 300, rel=1e-12) and found.months_used == 10


def test_unknown_client_and_empty_store(chains, tmp_path):
    assert prepay_data.prefill(chains, "nobody") is None
    empty = Store(tmp_path / "empty.duckdb")
    assert prepay_data.prefill(empty, "alpha餐饮") is None
    frame = prepay_data.candidates(empty)
    assert frame.empty and list(frame.columns) == prepay_data.CANDIDATE_COLUMNS
    assert prepay_data.chains(empty).empty
    empty.close()


# ---------------------------------------------------------------- candidates


def test_candidates_on_hand_made_chains(chains):
    frame = prepay_data.candidates(chains)
    assert list(frame.columns) == prepay_data.CANDIDATE_COLUMNS
    # Largest trailing revenue first: Alpha 18,000, Gamma 1,300, Delta 1,000.
    assert frame["client_key"].tolist() == ["alpha餐饮", "gamma", "delta"]
    by = frame.set_index("client_key")
    assert by.loc["alpha餐饮", ["stores_year_ago", "stores_now", "new_stores"]].tolist() == [8, 20, 12]
    assert bool(by.loc["alpha餐饮", "by_stores"]) and bool(by.loc["alpha餐饮", "by_revenue"])
    assert by.loc["alpha餐饮", "store_growth"] == 1.5
    # Ties at the thresholds count: Gamma +30% revenue, Delta +20% and +2 stores.
    assert (bool(by.loc["gamma", "by_revenue"]), bool(by.loc["gamma", "by_stores"])) == (True, False)
    assert pd.isna(by.loc["gamma", "stores_now"]) and pd.isna(by.loc["gamma", "store_growth"])
    assert by.loc["gamma", "revenue_growth"] == pytest.approx(0.3, rel=1e-12)
    assert (bool(by.loc["delta", "by_stores"]), bool(by.loc["delta", "by_revenue"])) == (True, False)
    assert by.loc["delta", "store_growth"] == pytest.approx(0.2, rel=1e-12)
    assert (by.loc["delta", "revenue_prev12m"], by.loc["delta", "revenue_t12m"]) == (1000.0, 1000.0)


def test_candidate_thresholds_are_settings(chains):
    keys = lambda frame: sorted(frame["client_key"])  # noqa: E731
    # Epsilon's +1 store (+20%) counts once one new store is enough.
    assert "epsilon" in keys(prepay_data.candidates(chains, min_new_stores=1))
    # Gamma's +30% drops out above 30%; Delta's +20% above 20%.
    assert keys(prepay_data.candidates(chains, min_revenue_growth=0.31)) == ["alpha餐饮", "delta"]
    assert keys(prepay_data.candidates(chains, min_store_growth=0.21)) == ["alpha餐饮", "gamma"]
    # As of a year earlier nobody has two years of history.
    assert prepay_data.candidates(chains, as_of=d("2024-12-31")).empty


def test_chains_lists_every_client_largest_first(chains):
    frame = prepay_data.chains(chains)
    assert frame["client_key"].tolist()[:3] == ["alpha餐饮", "eta", "gamma"]
    assert len(frame) == 7


# ---------------------------------------------------------------- monthly history, any shape


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.floats(-1e6, 1e6, allow_nan=False),
                          st.one_of(st.none(), st.integers(0, 500))),
                min_size=1, max_size=20, unique_by=lambda r: r[0]))
def test_monthly_history_keeps_every_month_and_carries_counts(rows):
    first = d("2023-01-01")
    month = lambda i: (pd.Timestamp(first) + pd.DateOffset(months=i)).date()  # noqa: E731
    frame = pd.DataFrame({"month": [month(i) for i, _, _ in rows], "revenue": [r for _, r, _ in rows],
                          "lines": [1] * len(rows), "store_count": [s for _, _, s in rows]})
    last = month(30)
    h = prepay_data.monthly_history(frame, last)
    start = min(i for i, _, _ in rows)
    assert len(h) == 31 - start and h["month"].tolist() == [month(i) for i in range(start, 31)]
    assert h["revenue"].sum() == pytest.approx(sum(r for _, r, _ in rows), abs=1e-6)
    given_counts = {i: s for i, _, s in rows}
    known = None
    for i, value in zip(range(start, 31), h["store_count"]):
        if given_counts.get(i) is not None:
            known = given_counts[i]
        assert (pd.isna(value) and known is None) or value == known


# ---------------------------------------------------------------- the demo portfolio


def test_demo_candidates_and_prefill(demo_store):
    frame = prepay_data.candidates(demo_store)
    assert len(frame) >= 3
    assert frame["revenue_t12m"].is_monotonic_decreasing and (frame["revenue_t12m"] > 0).all()
    for row in frame.itertuples():
        by_stores = (row.stores_year_ago is not pd.NA and row.stores_year_ago > 0 and row.new_stores >= 2
                     and row.stores_now >= 1.2 * row.stores_year_ago)
        by_revenue = row.revenue_prev12m > 0 and row.revenue_t12m >= 1.3 * row.revenue_prev12m - 1e-6
        assert row.by_stores == by_stores and row.by_revenue == by_revenue and (by_stores or by_revenue)
    top = frame.iloc[0]
    found = prepay_data.prefill(demo_store, top["client_key"])
    assert found.revenue_t12m == pytest.approx(top["revenue_t12m"], rel=1e-12)
    assert found.stores_now == top["stores_now"] and found.months_used == 12
    # The trailing year's revenue straight from the order lines.
    end = demo_store.data_end()
    with demo_store.reader() as cur:
        (direct,) = cur.execute(
            "SELECT sum(amount) FROM transactions WHERE client_key = ? AND order_date > ? AND order_date <= ?",
            [top["client_key"], prepay_data.year_back(end), end]).fetchone()
    assert found.revenue_t12m == pytest.approx(float(direct), rel=1e-12)
    inputs = found.inputs(SEED_CASE)
    assert inputs.stores_target > inputs.stores_now > 0 and 0 < inputs.sales_cv < 1
