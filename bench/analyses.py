"""Each analysis the pages and the command line run, as one callable on a loaded store.

Timings are cold: every cached result is forgotten before each run, so a
figure is what the first view of a page after an import costs.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from kam_core import (advances, cache, churn, coverage, migration, overview, pareto, periods, plan, portfolio,
                      prepay)


def catalogue(store) -> dict[str, Callable[[], object]]:
    b = portfolio.bounds(store)
    end = b.data_end
    window = periods.default_window(b.first_day, end)
    quarters = periods.span("quarter", b.first_day, end)
    last12 = [q for q in quarters if q.end <= end][-12:]
    year = periods.period_of(end, "year")
    return {
        "overview KPIs": lambda: overview.kpis(store, window, data_end=end),
        "Pareto": lambda: pareto.concentration(store, window.start, window.end),
        "Pareto, group level": lambda: pareto.concentration(store, window.start, window.end, level="group"),
        "tiers + migration, 12 quarters": lambda: migration.summary(store, "quarter", last12[0].start,
                                                                    last12[-1].end, data_end=end),
        "tiers + migration, group level": lambda: migration.summary(store, "quarter", last12[0].start,
                                                                    last12[-1].end, level="group", data_end=end),
        "churn watchlist, rules": lambda: churn.watchlist(store, end, model="off"),
        "churn watchlist, with model": lambda: churn.watchlist(store, end, model="on"),
        "plan (targets + potential)": lambda: (plan.attainment(store, year, end), plan.potential(store, end)),
        "coverage": lambda: coverage.coverage_table(store, end),
        "advance ledger": lambda: advances.ledger(store, end),
    }


def prepay_runs() -> dict[str, Callable[[], object]]:
    """10,000 paths over a 36-month term: a fresh run, and the rerun after a slider moves the share."""
    base = dataclasses.replace(prepay.SEED_CASE, term_months=36, paths=10_000)
    seeds = iter(range(1_000, 10_000_000))
    moved = iter(x / 1000 for x in range(200, 100_000))

    def fresh():
        inputs = dataclasses.replace(base, seed=next(seeds))
        return prepay.summarize(prepay.simulate(inputs), inputs)

    def slider():
        inputs = dataclasses.replace(base, channel_share=next(moved) % 0.6 + 0.1)
        return prepay.summarize(prepay.simulate(inputs), inputs)

    return {"prepayment 10,000 paths x 36 months": fresh, "prepayment rerun after a slider move": slider}


def cold(fn: Callable[[], object]) -> Callable[[], object]:
    def run():
        cache.clear_all()
        return fn()
    return run


def data_end(store) -> dt.date:
    return portfolio.bounds(store).data_end
