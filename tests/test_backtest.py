"""Backtest of the watchlist (kam_core/backtest.py): DESIGN.md, "Backtest".

Generated books with planted quiet leavers: 50 steady weekly buyers and 10 that
thin out and go quiet before the backtest date, then stop. The list must put the
10 leavers on top: precision and recall 1 at k = 10, against a random pick's
10 / 60.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from kam_core import backtest
from kam_core.churn_signals import ChurnSettings
from kam_core.store import Store
from tests.helpers import import_orders

AS_OF = dt.date(2024, 3, 31)
DATA_END = AS_OF + dt.timedelta(days=180)
LEAVERS = {f"leaver{i:02d}" for i in range(10)}


def planted_book(seed: int = 11) -> list[dict]:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(60):
        leaver = i < 10
        name = f"leaver{i:02d}" if leaver else f"steady{i:02d}"
        size = rng.uniform(2000, 4000)
        day = dt.date(2022, 1, 1) + dt.timedelta(days=int(rng.integers(0, 7)))
        thinning, last = AS_OF - dt.timedelta(days=60), AS_OF - dt.timedelta(days=21)
        while day <= DATA_END:
            if leaver and day > last:
                break
            quiet = leaver and day > thinning
            rows.append({"client": name, "date": day, "amount": round(size * (0.5 if quiet else 1) * rng.uniform(0.9, 1.1), 2)})
            day += dt.timedelta(days=14 if quiet else 7)
    return rows


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("planted")
    store = Store(folder / "kam.duckdb")
    import_orders(store, folder, planted_book(), data_through=DATA_END)
    yield store
    store.close()


@pytest.mark.parametrize("horizon", [90, 180])
def test_planted_quiet_leavers_are_caught(planted, horizon):
    result = backtest.backtest(planted, AS_OF, horizon=horizon, top_k=10, scope="all", model="off")
    assert (result.eligible, result.churned) == (60, 10)
    top = set(result.frame.loc[result.frame["in_top"], "unit_key"])
    assert top == LEAVERS
    assert result.hits == 10
    assert result.precision == 1.0 and result.recall == 1.0
    assert result.base_rate == pytest.approx(10 / 60)
    assert result.lift == pytest.approx(6.0)
    churned = set(result.frame.loc[result.frame["churned"], "unit_key"])
    assert churned == LEAVERS


def test_precision_and_recall_beyond_the_leavers(planted):
    result = backtest.backtest(planted, AS_OF, horizon=90, top_k=20, scope="all", model="off")
    listed = result.listed
    assert listed >= 10
    k = min(20, listed)
    assert result.precision == pytest.approx(10 / k)
    assert result.recall == 1.0
    curve = result.curve.set_index("k")
    assert curve.loc[10, "precision"] == 1.0 and curve.loc[10, "recall"] == 1.0
    assert curve.loc[5, "recall"] == pytest.approx(0.5)
    assert curve["recall"].is_monotonic_increasing
    # every listed unit has a rank, the others none
    assert result.frame["rank"].notna().sum() == listed


def test_weaker_settings_find_fewer(planted):
    # only the tier signal counts: the leavers' silence, decline and frequency weigh nothing
    settings = ChurnSettings()
    for signal in ("silence", "decline", "frequency"):
        settings = settings.with_rule(signal, weight=0.0)
    result = backtest.backtest(planted, AS_OF, horizon=90, top_k=10, scope="all", model="off", settings=settings)
    assert result.precision < 1.0


def test_the_outcome_window_must_be_in_the_data(planted):
    with pytest.raises(ValueError, match="past the data end"):
        backtest.backtest(planted, DATA_END - dt.timedelta(days=89), horizon=90)
    assert backtest.latest_as_of(DATA_END, 180) == AS_OF
    backtest.backtest(planted, AS_OF, horizon=180)
    with pytest.raises(ValueError):
        backtest.backtest(planted, AS_OF, horizon=30)
    with pytest.raises(ValueError):
        backtest.backtest(planted, AS_OF, top_k=0)


def test_churned_means_a_fall_of_80_percent_or_more(tmp_path):
    day = dt.date(2024, 3, 31)
    rows = [
        # before (D-90, D] and after (D, D+90]: 1000 -> 200 is exactly -80%: churned
        {"client": "exact", "date": day - dt.timedelta(days=10), "amount": 1000},
        {"client": "exact", "date": day + dt.timedelta(days=10), "amount": 200},
        # 1000 -> 200.01: -79.999%, not churned
        {"client": "almost", "date": day - dt.timedelta(days=89), "amount": 1000},
        {"client": "almost", "date": day + dt.timedelta(days=90), "amount": 200.01},
        # D-90 is outside the window before, D+91 outside the one after: no revenue before, not eligible
        {"client": "outside", "date": day - dt.timedelta(days=90), "amount": 1000},
        {"client": "outside", "date": day + dt.timedelta(days=91), "amount": 1000},
        # a refund after: churned
        {"client": "refund", "date": day, "amount": 500},
        {"client": "refund", "date": day + dt.timedelta(days=1), "amount": -100},
    ]
    store = Store(tmp_path / "kam.duckdb")
    import_orders(store, tmp_path, rows, data_through=day + dt.timedelta(days=91))
    outcome = backtest.outcomes(store, day, 90).set_index("unit_key")
    assert sorted(outcome.index) == ["almost", "exact", "refund"]
    assert outcome["churned"].to_dict() == {"almost": False, "exact": True, "refund": True}
    assert outcome.loc["almost", "after"] == pytest.approx(200.01)
    store.close()


def test_demo_backtest_runs_in_both_languages(demo_store):
    as_of = backtest.latest_as_of(demo_store.data_end(), 180)
    result = backtest.backtest(demo_store, as_of, horizon=180, top_k=10, scope="all", model="off")
    assert result.eligible > 0 and 0 <= result.churned <= result.eligible
    assert result.base_rate == pytest.approx(result.churned / result.eligible)
    if result.precision is not None and result.base_rate:
        assert result.lift == pytest.approx(result.precision / result.base_rate)
    zh = backtest.export_frame(result, "zh")
    en = backtest.export_frame(result, "en")
    assert len(zh) == len(en) == result.eligible
    assert "实际流失" in zh.columns and "Churned" in en.columns
