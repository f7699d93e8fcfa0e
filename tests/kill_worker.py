"""Imports fresh files into a store, one after another, until it is killed (see test_reliability)."""
from __future__ import annotations

import csv
import os
import random
import sys
import time
from pathlib import Path

from kam_core.ingest import importer
from kam_core.store import Store


def main(db: str, folder: str) -> None:
    store = Store(db)
    rng = random.Random(os.getpid() ^ time.time_ns())
    n = 0
    while True:
        n += 1
        path = Path(folder) / f"w{os.getpid()}_{n}.csv"
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["客户名称", "日期", "金额"])
            for i in range(rng.randint(500, 3000)):
                writer.writerow([f"客户{rng.randint(1, 300)}", f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                                 rng.randint(-50, 5000)])
        importer.import_file(store, str(path), path.name, on_overlap=rng.choice(["keep", "replace"]))
        print(n, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
