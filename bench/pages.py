"""Every page through AppTest on a loaded store: first run, a rerun after one widget changes,
and the JSON size of each figure the page sends to the browser.

Run as a child process (python -m bench.pages DB) so its peak memory is the page session's own.
"""
from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _change_one(at) -> str | None:
    """Move the first widget a user would touch: a number, a slider, a date, a select box
    (main area first, then the sidebar's dates)."""
    import datetime as dt

    candidates = [(kind, w) for kind in ("number_input", "slider", "date_input", "selectbox")
                  for w in getattr(at.main, kind)] + [("date_input", w) for w in at.sidebar.date_input]
    for kind, w in candidates:
        if getattr(w, "disabled", False):
            continue
        if kind == "selectbox":
            if len(w.options) < 2:
                continue
            w.select_index(((w.index or 0) + 1) % len(w.options))
        elif kind == "number_input":
            w.increment()
        elif kind == "date_input":
            if not isinstance(w.value, dt.date):
                continue
            w.set_value(w.value - dt.timedelta(days=7))
        else:
            value = w.value
            if not isinstance(value, (int, float)) or w.max is None or value >= w.max:
                continue
            w.set_value(type(value)(min(w.max, value + (w.step or 1))))
        return f"{kind}: {w.label}"
    return None


def figure_sizes(at) -> list[int]:
    return [len(el.proto.spec.encode()) for el in at.get("plotly_chart")]


def _open(page: str, lang: str):
    """The page reached as a user does (the entry page first); its own first run timed."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.session_state["lang"] = lang
    at.run()
    at.first_run_s = None
    if page != "app.py":
        t0 = time.perf_counter()
        at.switch_page(page)
        at.run()
        at.first_run_s = time.perf_counter() - t0
    return at


def measure(page: str, lang: str = "en") -> dict:
    t0 = time.perf_counter()
    at = _open(page, lang)
    first = time.perf_counter() - t0 if page == "app.py" else at.first_run_s
    errors = [e.value for e in at.exception]
    sizes = figure_sizes(at)
    changed = _change_one(at) or "nothing (plain rerun)"
    t0 = time.perf_counter()
    try:
        at.run()
    except ValueError:   # AppTest cannot set a select box whose labels are formatted: rerun as is
        at = _open(page, lang)
        changed = "nothing (plain rerun)"
        t0 = time.perf_counter()
        at.run()
    rerun = time.perf_counter() - t0
    errors += [e.value for e in at.exception]
    sizes = max(sizes, figure_sizes(at), key=lambda s: sum(s))
    return {"page": page, "first_run_s": first, "rerun_s": rerun, "changed": changed,
            "figures": len(sizes), "largest_figure_bytes": max(sizes, default=0), "errors": errors}


def main(db: str) -> None:
    os.environ["KAM_DB"] = db
    sys.path.insert(0, str(ROOT))
    from ui import nav

    results = [measure(script) for script, *_ in nav.available()]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"pages": results, "peak_mb": peak}, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1])
