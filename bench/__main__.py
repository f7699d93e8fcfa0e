"""python -m bench: import ratios, analysis timings, page reruns, figure sizes and peak memory, in one run.

Prints a table, writes bench/out/results.json and puts the table into README.md
between the bench markers. Options: --sizes 10k,100k,1m,10m  --no-pages  --no-readme.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from bench import analyses, generate
from kam_core import advances
from kam_core.ingest import importer, reader
from kam_core.store import Store

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
WORK = generate.CACHE / "work"

# DESIGN.md, Budgets: at 1,000,000 lines per analysis; at 10,000,000 lines every analysis under 3 s.
BUDGET_ANALYSIS = {"1m": 0.3, "10m": 3.0}
BUDGET_SPECIAL = {"tiers + migration, 12 quarters": {"1m": 0.5, "10m": 3.0},
                  "tiers + migration, group level": {"1m": 0.5, "10m": 3.0},
                  "churn watchlist, rules": {"1m": 1.0, "10m": 3.0},
                  "churn watchlist, with model": {"1m": 5.0, "10m": 3.0},
                  "prepayment 10,000 paths x 36 months": {"any": 0.5},
                  "prepayment rerun after a slider move": {"any": 0.5}}


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def raw_read(path: Path) -> None:
    """The fastest plain reader of the same file, no cleaning: fastexcel (xlsx), pyarrow (csv, parquet)."""
    if path.suffix == ".xlsx":
        import fastexcel
        fastexcel.read_excel(str(path)).load_sheet(0, header_row=3).to_arrow()
    elif path.suffix == ".csv":
        import pyarrow.csv as pacsv
        pacsv.read_csv(path)
    else:
        import pyarrow.parquet as pq
        pq.read_table(path)


def bare_store(path: Path, db: Path) -> None:
    """DuckDB storing the file as it is, no checks and no cleaning: the floor under any import that
    keeps the rows in DuckDB (CSV and Parquet; DuckDB reads no xlsx without an extension download)."""
    con = duckdb.connect(str(db))
    try:
        source = "read_parquet" if path.suffix == ".parquet" else "read_csv"
        con.execute(f"CREATE TABLE lines AS SELECT * FROM {source}(?)", [str(path)])
        con.execute("CHECKPOINT")
    finally:
        con.close()


def fresh_db(name: str) -> Path:
    WORK.mkdir(parents=True, exist_ok=True)
    db = WORK / f"{name}.duckdb"
    for p in WORK.glob(f"{name}.*"):
        p.unlink()
    return db


def our_import(path: Path, db: Path) -> dict:
    store = Store(db)
    try:
        report = importer.import_file(store, str(path), path.name)
    finally:
        store.close()
    return {"rows_loaded": report.rows_loaded, "rows_rejected": report.rows_rejected,
            "rows_skipped": report.rows_skipped}


def import_ratio(label: str, path: Path, repeat: int) -> dict:
    """Raw read and our full import, interleaved so both see the same machine; best of each.

    Our import twice: as the import page runs it, with the parsing child started when the page
    showed (reader.warm; the pause stands for the user picking the file), and from a cold start,
    as the command line runs it.
    """
    raw, ours, cold, bare, counts = [], [], [], [], None
    for _ in range(repeat):
        reader.stop_warm()
        raw += timed(lambda: raw_read(path), 1)
        if path.suffix in (".csv", ".parquet"):
            db = fresh_db(f"bare_{path.suffix[1:]}")
            bare += timed(lambda: bare_store(path, db), 1)
            fresh_db(f"bare_{path.suffix[1:]}")
        db = fresh_db(f"{label}_{path.suffix[1:]}")
        t0 = time.perf_counter()
        our_import(path, db)
        cold.append(time.perf_counter() - t0)
        importer.get_ready()
        time.sleep(1)
        db = fresh_db(f"{label}_{path.suffix[1:]}")
        t0 = time.perf_counter()
        counts = our_import(path, db)
        ours.append(time.perf_counter() - t0)
    reader.stop_warm()
    return {"file": path.name, "size_mb": round(path.stat().st_size / 1e6, 1), "raw_s": min(raw),
            "import_s": min(ours), "ratio": min(ours) / min(raw), "cold_s": min(cold), "cold_ratio": min(cold) / min(raw),
            "bare_s": min(bare) if bare else None, "raw_all": raw, "import_all": ours, "cold_all": cold,
            "bare_all": bare, **counts}


def import_peak_mb(path: Path) -> dict:
    """Peak resident memory of an import: the importing process and its parsing child."""
    code = ("import json, resource, sys; from bench.__main__ import our_import, fresh_db; from pathlib import Path;"
            "our_import(Path(sys.argv[1]), fresh_db('memory'));"
            "print(json.dumps({'process': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,"
            " 'parse_child': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))")
    out = subprocess.run([sys.executable, "-c", code, str(path)], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def archive(clients: list[str], share: float = 0.2, seed: int = 7):
    """The archive rows of the grouped clients (集团客户): groups of 2 to 12 branch companies."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    members = rng.permutation(len(clients))[: int(len(clients) * share)]
    rows, g = [], 0
    while len(members):
        take = int(rng.integers(2, 13))
        rows += [{"客户名称": clients[i], "所属集团": f"集团{g:05d}"} for i in members[:take]]
        members, g = members[take:], g + 1
    return pd.DataFrame(rows, columns=["客户名称", "所属集团"])


def add_plans(db: Path, size: generate.Size) -> dict:
    """An archive that puts a fifth of the clients into groups, targets for every client, a visit log
    and 500 signed advances, as a team would have them."""
    import pandas as pd

    store = Store(db)
    try:
        with store.reader() as cur:
            top = [r[0] for r in cur.execute(
                "SELECT any_value(client_name), sum(amount) AS v FROM transactions GROUP BY client_key "
                "ORDER BY v DESC").fetchall()]
        year = analyses.data_end(store).year
        targets = pd.DataFrame({"客户名称": top, "期间": f"{year}年",
                                "目标（万元）": [round(1 + (i % 97) * 3.7, 1) for i in range(len(top))]})
        target_csv = WORK / f"targets_{size.label}.csv"
        targets.to_csv(target_csv, index=False)
        n_contacts = max(1000, size.lines // 5)
        contact_csv = WORK / f"contacts_{size.label}.csv"
        generate.contacts(size.clients, n_contacts, top).to_csv(contact_csv, index=False, date_format="%Y-%m-%d")
        archive_csv = WORK / f"archive_{size.label}.csv"
        grouped = archive(top)
        grouped.to_csv(archive_csv, index=False)
        for path, kind in ((archive_csv, "clients"), (target_csv, "targets"), (contact_csv, "contacts")):
            importer.import_file(store, str(path), path.name, kind=kind)
        end = analyses.data_end(store)
        for i, client in enumerate(top[:500]):
            advances.add_advance(store, client, 1_000_000 + i * 10_000, end - dt.timedelta(days=30 * (i % 18)),
                                 12 + i % 13, rule="refund" if i % 2 else "extend")
    finally:
        store.close()
    return {"grouped clients": len(grouped), "targets": len(top), "contacts": n_contacts,
            "advances": min(500, len(top))}


def time_analyses(db: Path, repeat: int) -> dict:
    store = Store(db)
    try:
        results = {}
        for name, fn in analyses.catalogue(store).items():
            runs = timed(analyses.cold(fn), repeat)
            t0 = time.perf_counter()
            fn()      # cached: what an unrelated widget change costs
            results[name] = {"cold_s": statistics.median(runs), "cold_all": runs,
                             "cached_s": time.perf_counter() - t0}
        for name, fn in analyses.prepay_runs().items():   # every run differs: nothing to take from a cache
            runs = timed(fn, max(repeat, 5))
            results[name] = {"cold_s": statistics.median(runs), "cold_all": runs, "cached_s": None}
    finally:
        store.close()
    return results


GROUP_PAIRS = {"Pareto": ("Pareto", "Pareto, group level"),
               "tiers + migration": ("tiers + migration, 12 quarters", "tiers + migration, group level")}


def group_ratios(db: Path, pairs: int = 7) -> dict:
    """Group level over client level, cold, run in alternation so both see the same machine; median of
    the pair ratios (budget 1.2x)."""
    store = Store(db)
    try:
        cat = analyses.catalogue(store)
        out = {}
        for label, (client, group) in GROUP_PAIRS.items():
            ratios = []
            for _ in range(pairs):
                c = timed(analyses.cold(cat[client]), 1)[0]
                g = timed(analyses.cold(cat[group]), 1)[0]
                ratios.append(g / c)
            out[label] = {"ratio": statistics.median(ratios), "all": ratios}
    finally:
        store.close()
    return out


def time_pages(db: Path) -> dict:
    out = subprocess.run([sys.executable, "-m", "bench.pages", str(db)], cwd=ROOT, capture_output=True, text=True,
                         timeout=3600)
    if out.returncode != 0:
        return {"error": out.stderr[-2000:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               platform.processor())
    mem = next((int(line.split()[1]) // 1024 // 1024 for line in open("/proc/meminfo")
                if line.startswith("MemTotal")), None)
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": mem, "python": platform.python_version(),
            "duckdb": duckdb.__version__, "load_at_start": os.getloadavg()[0],
            "date": dt.datetime.now().isoformat(timespec="minutes")}


def budget_of(name: str, size: str) -> float | None:
    special = BUDGET_SPECIAL.get(name)
    if special:
        return special.get("any", special.get(size))
    return BUDGET_ANALYSIS.get(size)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench")
    ap.add_argument("--sizes", default="10k,100k,1m,10m")
    ap.add_argument("--no-pages", action="store_true")
    ap.add_argument("--no-readme", action="store_true")
    args = ap.parse_args(argv)
    sizes = [generate.SIZES[s] for s in args.sizes.split(",")]
    result = {"machine": machine(), "imports": [], "analyses": {}, "pages": {}, "memory": {}}

    for size in sizes:
        print(f"[{size.label}] generating", flush=True)
        files = [generate.xlsx(size)] if size.lines <= 1_000_000 else [generate.parquet(size), generate.csv(size)]
        for path in files:
            print(f"[{size.label}] import {path.name}", flush=True)
            row = import_ratio(size.label, path, repeat=3 if size.lines <= 100_000 else 2 if size.lines <= 1_000_000
                               else 1)
            result["imports"].append({"size": size.label, "lines": size.lines, **row})
        if size.lines == 1_000_000:
            result["memory"]["import_1m_xlsx_mb"] = import_peak_mb(files[0])
        if size.lines < 1_000_000:
            continue
        db = WORK / f"{size.label}_{files[0].suffix[1:]}.duckdb"
        print(f"[{size.label}] targets, contacts, advances", flush=True)
        result.setdefault("plans", {})[size.label] = add_plans(db, size)
        print(f"[{size.label}] analyses", flush=True)
        result["analyses"][size.label] = time_analyses(db, repeat=3 if size.lines <= 1_000_000 else 2)
        if size.lines == 1_000_000:
            result["group_ratios"] = group_ratios(db)
        if not args.no_pages:
            print(f"[{size.label}] pages", flush=True)
            result["pages"][size.label] = time_pages(db)
    OUT.mkdir(exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    table = render(result)
    print(table)
    if not args.no_readme:
        readme = ROOT / "README.md"
        text = readme.read_text(encoding="utf-8")
        head, rest = text.split("<!-- bench:start -->", 1)
        _, tail = rest.split("<!-- bench:end -->", 1)
        readme.write_text(f"{head}<!-- bench:start -->\n{table}\n<!-- bench:end -->{tail}", encoding="utf-8")
    shutil.rmtree(WORK, ignore_errors=True)
    return 0


def _s(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f} s" if x < 10 else f"{x:.1f} s"


def render(r: dict) -> str:
    m = r["machine"]
    lines = [f"Measured {m['date']} on {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB, Python {m['python']}, "
             f"DuckDB {m['duckdb']} (load average {m['load_at_start']:.1f} at start).", "",
             "| Import | lines | file | raw read | import page | ratio (budget 1.5x) | command line (cold start) | ratio |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for i in r["imports"]:
        lines.append(f"| {i['file']} | {i['rows_loaded']:,} | {i['size_mb']} MB | {_s(i['raw_s'])} | {_s(i['import_s'])} "
                     f"| {i['ratio']:.2f}x | {_s(i['cold_s'])} | {i['cold_ratio']:.2f}x |")
    lines += ["", "The import page starts the parsing child when it shows, before the file is picked; the command "
                  "line starts it with the import."]
    bare = [i for i in r["imports"] if i.get("bare_s")]
    if bare:
        lines += ["", "The floor under any import that keeps the lines in DuckDB: DuckDB storing the same file as it is "
                      "(CREATE TABLE AS from the file, then CHECKPOINT; no checks, no cleaning, no parsing child):", ""]
        lines += [f"- {i['file']}: {_s(i['bare_s'])}, {i['bare_s'] / i['raw_s']:.2f}x the raw read; the import page "
                  f"takes {i['import_s'] / i['bare_s']:.2f}x that." for i in bare]
    mem = r["memory"].get("import_1m_xlsx_mb")
    if mem:
        lines += ["", f"Peak memory of the 1,000,000-line xlsx import: {mem['process']:.0f} MB (importing process) + "
                      f"{mem['parse_child']:.0f} MB (parsing child); budget 4 GB."]
    for size, table in r["analyses"].items():
        lines += ["", f"| Analysis at {size} lines (cold, median) | time | cached | budget |", "|---|---:|---:|---:|"]
        for name, v in table.items():
            budget = budget_of(name, size)
            mark = "" if budget is None else (" ✓" if v["cold_s"] <= budget else " ✗")
            lines.append(f"| {name} | {_s(v['cold_s'])}{mark} | {_s(v['cached_s'])} | {_s(budget)} |")
    ratios = r.get("group_ratios")
    if ratios:
        lines += ["", "Group level over client level at 1,000,000 lines (cold, alternating runs, median of 7 pairs; "
                      "budget 1.2x): " + "; ".join(f"{k} {v['ratio']:.2f}x" for k, v in ratios.items()) + "."]
    for size, pages in r["pages"].items():
        if "error" in pages:
            lines += ["", f"Pages at {size}: failed: {pages['error'][-300:]}"]
            continue
        lines += ["", f"| Page at {size} lines | first view | rerun after a change (budget 1 s) | widget changed "
                      f"| figures | largest figure (budget 1 MB) |", "|---|---:|---:|---|---:|---:|"]
        for p in pages["pages"]:
            lines.append(f"| {p['page']} | {_s(p['first_run_s'])} | {_s(p['rerun_s'])} | {p['changed'] or '–'} "
                         f"| {p['figures']} | {p['largest_figure_bytes'] / 1024:.0f} KB |"
                         + (f" errors: {len(p['errors'])}" if p["errors"] else ""))
        lines.append(f"\nPeak memory of the page session at {size}: {pages['peak_mb']:.0f} MB.")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
