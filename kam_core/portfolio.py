"""Facts about what is loaded that every page needs: the span of the data and its columns."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kam_core.cache import by_version
from kam_core.store import sql


@dataclass(frozen=True)
class Bounds:
    first_day: dt.date | None
    data_end: dt.date | None
    lines: int
    clients: int
    has_profit: bool
    demo_datasets: int
    datasets: int

    @property
    def empty(self) -> bool:
        return self.lines == 0


@by_version()
def bounds(store) -> Bounds:
    with store.reader() as cur:
        row = cur.execute(sql("bounds")).fetchone()
    return Bounds(row[0], row[1], int(row[2]), int(row[3]), bool(row[4]), int(row[5]), int(row[6]))


def remove_demo(store) -> int:
    """Delete every dataset marked demo; returns how many."""
    ids = [int(i) for i in store.query("demo_datasets")["dataset_id"]]
    store.delete_datasets(ids)
    return len(ids)
