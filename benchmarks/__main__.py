"""`python -m benchmarks`: generate, import, measure, and report, in one run.

    python -m benchmarks                      everything at S, M and L (what `make bench` runs)
    python -m benchmarks --sizes S --quick    the two-minute check for developers
    python -m benchmarks --parts import,pages fewer measurements (import, pages, browser, memory, downloads)

Targets (all upper bounds) apply where they are defined: import ≤ 1.5 × the parse floor at M;
each page ≤ 250 ms in AppTest at M and L ≤ 3 × M; overview ≤ 1.5 × a bare page in Chromium at M;
a filter change ≤ 500 ms at M; the server's peak RSS ≤ 600 MB at L. Other rows are information.
A full run (all sizes and parts, not --quick) writes benchmarks/results.json (the rows),
results-details.json (every sample) and results.md, and rewrites the «Ytelse / Benchmarks»
section at the end of README.md; other runs write the same files under benchmarks/work/.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import generate, report, stores
from benchmarks.report import Row

ROOT = generate.ROOT
HERE = Path(__file__).resolve().parent
SIZES = ("S", "M", "L")
PARTS = ("import", "pages", "browser", "memory", "downloads")
PAGE_LABELS = {"dashboard.py": "Oversikt", "pages/1_virksomheter.py": "Virksomheter",
               "pages/2_budsjett.py": "Budsjett", "pages/3_tidslinje.py": "Tidslinje",
               "pages/4_planer.py": "Planer", "pages/5_importer.py": "Importer"}
TARGETS = {"import_ratio": 1.5, "page_ms": 250.0, "page_l_over_m": 3.0, "overview_ratio": 1.5,
           "filter_ms": 500.0, "peak_rss_mb": 600.0}


class Run:
    """One benchmark run: options, timing, rows and raw details."""

    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.started = time.monotonic()
        self.rows: list[Row] = []
        self.details: dict = {}
        self.quick = args.quick
        self.reps_import = 1 if args.quick else 3
        self.reps_pages = 5 if args.quick else 7
        self.reps_browser = 3 if args.quick else 5  # filter changes (each a new agency)
        # Overview and bare page visits, alternated: the bare page alone varies by ±50 ms between
        # visits, so a median of 5 let the ratio swing by ±0.1; 11 of each keep it within a few hundredths.
        self.reps_overview = 3 if args.quick else 11

    def log(self, text: str) -> None:
        print(f"[{time.monotonic() - self.started:6.1f} s] {text}", flush=True)

    def target(self, key: str, size: str, at: str) -> float | None:
        """A target only at the size it is defined for."""
        return TARGETS[key] if size == at else None

    def add(self, name: str, size: str, value: float | None, unit: str, target: float | None, note: str = "",
            fails: bool = False) -> None:
        if target is None:  # information; a failed measurement still shows as not holding
            self.rows.append(Row(name, size, value, unit, None, False if fails else None, note))
        else:
            self.rows.append(Row.check(name, size, value, unit, target, note, fails))


# ---------------------------------------------------------------------------------------


def part_import(run: Run, size: str) -> None:
    """(a) import of every file of a size into a fresh store, against the parse floor."""
    run.log(f"(a) import {size}: {run.reps_import} time(s), interleaved with the parse floor …")
    r = stores.measure_import(size, run.reps_import, run.log)
    run.details[f"import_{size}"] = r
    floor, imported = statistics.median(r["floor_s"]), statistics.median(r["import_s"])
    refused = r["outcomes"].get("refused", 0)
    note = f"{r['files']} files; imported {r['outcomes'].get('imported', 0)}, refused {refused}"
    if refused:
        note += f" ({'; '.join(r['refused'][:2])})"
    run.add("import / parse floor", size, imported / floor, "×", run.target("import_ratio", size, "M"), note,
            fails=bool(refused))
    run.add("import, all files", size, imported, "s", None, f"median of {len(r['import_s'])}")
    run.add("parse floor (calamine)", size, floor, "s", None, "calamine, every sheet / CSV split, nothing else")
    run.log(f"    import {imported:.2f} s, floor {floor:.3f} s, ratio {imported / floor:.1f}")


def part_pages(run: Run, size: str, db: Path) -> dict:
    """(b) each page in AppTest, in its own process for this store."""
    run.log(f"(b) pages in AppTest, {size}: 1 cold + {run.reps_pages} warm runs per page …")
    out = generate.size_dir(size) / "apptest.json"
    log = generate.size_dir(size) / "apptest.log"
    with log.open("w") as handle:
        proc = subprocess.run([sys.executable, "-m", "benchmarks.apptest_pages", "--db", str(db), "--out", str(out),
                               "--reps", str(run.reps_pages)], cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT,
                              timeout=900)
    if proc.returncode or not out.exists():
        run.add("AppTest", size, None, "ms", run.target("page_ms", size, "M"), f"the run failed; see {log}",
                fails=True)
        return {}
    results = {r["page"]: r for r in json.loads(out.read_text(encoding="utf-8"))}
    run.details[f"pages_{size}"] = results
    for page, r in results.items():
        label = PAGE_LABELS.get(page, page)
        median = None if r["median_s"] is None else r["median_s"] * 1000
        note = "" if r["cold_s"] is None else f"cold {r['cold_s'] * 1000:.0f} ms"
        if r["errors"]:
            note += ("; " if note else "") + "ERROR: " + " / ".join(r["errors"])[:160]
        run.add(f"page (AppTest): {label}", size, median, "ms", run.target("page_ms", size, "M"), note,
                fails=bool(r["errors"]))
        run.log(f"    {label:13s} {'–' if median is None else f'{median:7.0f} ms'}  {note}")
    return results


def part_browser(run: Run, size: str, db: Path, agencies: list[str]) -> None:
    """(c) overview against a bare page and (d) a filter change, in Chromium."""
    from playwright.sync_api import sync_playwright

    from benchmarks import browser

    bare = generate.write_bare_page(generate.WORK / "bare.py")
    logs = generate.size_dir(size)
    run.log(f"(c, d) Chromium, {size}: overview against a bare page ({run.reps_overview} times), filter change …")
    app_proc, app_url = browser.start_server(ROOT / "dashboard.py", db, logs / "server_app.log")
    bare_proc, bare_url = browser.start_server(bare, None, logs / "server_bare.log")
    try:
        with sync_playwright() as pw:
            chromium = browser.launch(pw)
            try:
                c = browser.overview_vs_bare(chromium, app_url, bare_url, run.reps_overview)
                run.details[f"overview_{size}"] = c
                note = (f"fully drawn: overview {c['app_median_ms']:.0f} ms against bare page "
                        f"{c['bare_median_ms']:.0f} ms, median of {c['reps']}")
                if c["reps"] < run.reps_overview:
                    note += " (fewer repetitions: the page is slow)"
                if c["errors"]:
                    note += "; ERROR: " + " / ".join(c["errors"])[:120]
                run.add("overview / bare page (Chromium)", size, c["ratio"], "×",
                        run.target("overview_ratio", size, "M"), note, fails=bool(c["errors"]))
                run.add("overview / bare page, visit by visit", size, c["paired_ratio"], "×", None,
                        f"median of the {c['reps']} ratios of each overview visit to the bare page's visit "
                        "just before it")
                run.add("overview fully drawn (Chromium)", size, c["app_median_ms"], "ms", None,
                        "navigation → script finished, key figures visible, main thread free")
                run.add("bare page fully drawn (Chromium)", size, c["bare_median_ms"], "ms", None, "st.write('x')")
                run.add("overview / bare page, first frame", size, c["drawn_ratio"], "×", None,
                        f"first frame with the key figures: {c['app_drawn_median_ms']:.0f} ms against "
                        f"{c['bare_drawn_median_ms']:.0f} ms")
                charts = c["charts_median_ms"]
                slow = [x for x in c["charts_ms"] if x is None]
                run.add("overview: every chart drawn", size, charts, "ms", None,
                        f"{len(slow)} of {len(c['charts_ms'])} not drawn within 20 s of the page" if slow else
                        "navigation → every chart drawn (plotly: its axes; HTML: visible)")
                run.log(f"    overview {c['app_median_ms']:.0f} ms, bare page {c['bare_median_ms']:.0f} ms, "
                        f"ratio {c['ratio']:.2f} (first frame {c['drawn_ratio']:.2f}); figures {charts}")
            except Exception as exc:
                run.add("overview / bare page (Chromium)", size, None, "×", run.target("overview_ratio", size, "M"),
                        f"ERROR: {type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''}",
                        fails=True)
                run.log(f"    failed: {exc!r}"[:300])
            try:
                d = browser.filter_change(chromium, app_url, agencies[:run.reps_browser])
                run.details[f"filter_{size}"] = d
                note = ("; ".join(f"{x:.0f}" for x in d["ms"])
                        + " ms (first from the whole sector, then one more each time); "
                        f"first frame after Enter {d['drawn_median_ms']:.0f} ms")
                if not d["selected_ok"]:
                    note += f"; selected in the URL: {d['selected']}"
                if d["errors"]:
                    note += "; ERROR: " + " / ".join(d["errors"])[:120]
                run.add("filter change → fully drawn (Chromium)", size, d["median_ms"], "ms",
                        run.target("filter_ms", size, "M"), note, fails=bool(d["errors"]) or not d["selected_ok"])
                run.log(f"    filter change median {d['median_ms']:.0f} ms ({note})")
            except Exception as exc:
                run.add("filter change → fully drawn (Chromium)", size, None, "ms",
                        run.target("filter_ms", size, "M"),
                        f"ERROR: {type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''}",
                        fails=True)
                run.log(f"    failed: {exc!r}"[:300])
            chromium.close()
        mem = browser.memory_kb(app_proc.pid)
        run.details[f"server_memory_{size}_after_overview"] = mem
        run.add("server peak RSS after overview and filter", size, mem["VmHWM"] / 1024, "MB", None, "VmHWM")
    finally:
        browser.stop_server(app_proc)
        browser.stop_server(bare_proc)


def part_memory(run: Run, size: str, db: Path) -> None:
    """(e) the server's peak RSS after every page has been visited, and then after the whole sector's workbook,
    deck and pilots as CSV have been downloaded from it (the target is on the latter: a server's peak is what its
    users do). From 2 000 plans these are built in a process of their own; its peak is measured in (f)."""
    from playwright.sync_api import sync_playwright

    from benchmarks import browser
    from exports import building

    run.log(f"(e) Chromium, {size}: every page visited, then the sector's downloads; the server's VmHWM …")
    # The downloads are kept as files between servers (exports.building): without these the clicks would read them.
    shutil.rmtree(building.cache_folder(db), ignore_errors=True)
    proc, url = browser.start_server(ROOT / "dashboard.py", db, generate.size_dir(size) / "server_memory.log")
    try:
        with sync_playwright() as pw:
            chromium = browser.launch(pw)
            visits = browser.visit_every_page(chromium, url, timeout_s=60 if run.quick else 90)
            time.sleep(0.5)
            pages_mem = browser.memory_kb(proc.pid)
            downloads = browser.download_exports(chromium, url)
            chromium.close()
        time.sleep(0.5)
        mem = browser.memory_kb(proc.pid)
    finally:
        browser.stop_server(proc)
    run.details[f"memory_{size}"] = {"visits": visits, "memory_kb_pages": pages_mem, "downloads": downloads,
                                     "memory_kb": mem}
    errors = [f"{page}: {' / '.join(v['errors'])}" for page, v in visits.items() if v["errors"]]
    errors += [f"{label}: {d['error']}" for label, d in downloads.items() if d["error"]]
    run.add("server peak RSS, every page visited", size, pages_mem["VmHWM"] / 1024, "MB", None,
            "VmHWM after " + ", ".join(visits))
    run.add("server peak RSS, pages and downloads", size, mem["VmHWM"] / 1024, "MB",
            run.target("peak_rss_mb", size, "L"),
            "VmHWM after every page, then Excel, the deck and the pilots CSV of the whole sector from Oversikt "
            "(built in their own process from 2 000 plans: see the downloads' rows)"
            + ("; a download FAILED" if any(d["error"] for d in downloads.values()) else ""),
            fails=any(d["error"] for d in downloads.values()))
    for page, v in visits.items():
        run.add(f"page fully drawn (Chromium): {page}", size, v["drawn_ms"], "ms", None,
                ("ERROR: " + " / ".join(v["errors"])[:140]) if v["errors"] else "first visit, new session")
    for label, d in downloads.items():
        run.add(f"download in the browser: {label}", size, d["s"], "s", None,
                f"click → file, {d['bytes'] / 1e6:.1f} MB" if d["bytes"] else f"ERROR: {d['error']}"[:160])
    run.log(f"    VmHWM {pages_mem['VmHWM'] / 1024:.0f} MB after the pages, {mem['VmHWM'] / 1024:.0f} MB after the "
            "downloads; pages: "
            + ", ".join(f"{p} {'–' if v['drawn_ms'] is None else round(v['drawn_ms'])}" for p, v in visits.items())
            + "; downloads: " + ", ".join(f"{k} {'–' if d['s'] is None else round(d['s'], 1)} s"
                                          for k, d in downloads.items()))
    if errors:
        run.log("    errors: " + "; ".join(errors)[:400])


def part_downloads(run: Run, size: str, db: Path) -> None:
    """(f) the whole sector's deck, workbook and pilots as CSV: build time and memory, each in a process of its
    own, as the dashboard builds them from 2 000 plans (exports.worker)."""
    run.log(f"(f) downloads, {size}: the deck, the workbook and the pilots CSV of the whole sector …")
    for kind, label in (("deck", "presentasjon (.pptx)"), ("excel", "Excel (.xlsx)"), ("csv", "piloter (.csv)")):
        name = f"download, whole sector: {label}"
        out = generate.size_dir(size) / f"download_{kind}.json"
        log = generate.size_dir(size) / f"download_{kind}.log"
        out.unlink(missing_ok=True)
        with log.open("w") as handle:
            proc = subprocess.run([sys.executable, "-m", "benchmarks.downloads", "--db", str(db), "--kind", kind,
                                   "--out", str(out)], cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, timeout=900)
        if proc.returncode or not out.exists():
            run.add(name, size, None, "s", None, f"the run failed; see {log}", fails=True)
            continue
        r = json.loads(out.read_text(encoding="utf-8"))
        run.details[f"download_{kind}_{size}"] = r
        run.add(name, size, r["s"], "s", None, f"{r['bytes'] / 1e6:.1f} MB file; the process's peak RSS "
                                             f"{r['peak_before_mb']:.0f} → {r['peak_mb']:.0f} MB")
        run.log(f"    {label}: {r['s']:.1f} s, {r['bytes'] / 1e6:.1f} MB, peak RSS {r['peak_mb']:.0f} MB")


def filter_agencies(db: Path, count: int) -> list[str]:
    """Agencies with pilots, spread over the register, for the filter change."""
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        names = [r[0] for r in con.execute(
            "SELECT agency FROM pilots_current GROUP BY agency ORDER BY agency").fetchall()]
    if len(names) <= count:
        return names
    step = len(names) / count
    return [names[int(i * step + step / 2)] for i in range(count)]


# ---------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="S,M,L", help="comma-separated: S, M, L (default all)")
    parser.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated: {', '.join(PARTS)}")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a quick check, not the figures)")
    parser.add_argument("--readme", choices=("auto", "yes", "no"), default="auto",
                        help="rewrite the README section: auto = only after a full run")
    args = parser.parse_args(argv)
    args.sizes = [s.strip().upper() for s in args.sizes.split(",") if s.strip()]
    args.parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    bad = [s for s in args.sizes if s not in SIZES] + [p for p in args.parts if p not in PARTS]
    if bad:
        parser.error(f"unknown: {', '.join(bad)}")
    args.sizes = [s for s in SIZES if s in args.sizes]
    args.parts = [p for p in PARTS if p in args.parts]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    run = Run(args)
    machine = report.machine()
    run.log(f"machine: {report.machine_line(machine)}; load {machine['loadavg'][0]:.2f}")
    sizes = args.sizes
    for size in sizes:
        manifest = generate.ensure(size, run.log)
        run.details[f"generated_{size}"] = {k: v for k, v in manifest.items() if k != "file_names"}
        run.log(f"data {size}: {manifest.get('files')} files{' (cached)' if manifest.get('cached') else ''}"
                + (f", {manifest['counts']}" if "counts" in manifest else ""))

    # Stores: the import size's store comes from its measured import; the others are cached.
    import_size = "M" if "M" in sizes else sizes[0]
    dbs: dict[str, Path] = {}
    if "import" in args.parts:
        part_import(run, import_size)
        dbs[import_size] = generate.size_dir(import_size) / "store.duckdb"
    for size in sizes:
        if size not in dbs:
            meta = stores.cached_store(size, run.log)
            dbs[size] = Path(meta["path"])
            run.details[f"store_{size}"] = meta
            if not meta["cached"]:
                run.add("import, all files", size, meta["import_s"], "s", None,
                        f"{meta['files']} files; imported {meta['outcomes'].get('imported', 0)}, "
                        f"refused {meta['outcomes'].get('refused', 0)} (the store for the measurements)")
            run.log(f"store {size}: {dbs[size]}{' (cached)' if meta['cached'] else ''}")

    if "pages" in args.parts:
        pages = {size: part_pages(run, size, dbs[size]) for size in sizes}
        if "M" in pages and "L" in pages:
            for page, m in pages["M"].items():
                big = pages["L"].get(page)
                if not big or not m["median_s"] or not big["median_s"]:
                    continue
                ratio = big["median_s"] / m["median_s"]
                run.add(f"page L / M (AppTest): {PAGE_LABELS.get(page, page)}", "L", ratio, "×",
                        TARGETS["page_l_over_m"],
                        f"{big['median_s'] * 1000:.0f} ms against {m['median_s'] * 1000:.0f} ms",
                        fails=bool(big["errors"] or m["errors"]))

    browser_size = "M" if "M" in sizes else sizes[0]
    if "browser" in args.parts:
        part_browser(run, browser_size, dbs[browser_size], filter_agencies(dbs[browser_size], run.reps_browser))
    memory_size = "L" if "L" in sizes else sizes[-1]
    if "memory" in args.parts:
        part_memory(run, memory_size, dbs[memory_size])
    if "downloads" in args.parts:
        for size in sizes:
            if size != "S":  # the sample's downloads are the test suite's
                part_downloads(run, size, dbs[size])

    wall = time.monotonic() - run.started
    machine["loadavg_end"] = list(__import__("os").getloadavg())
    made = {prefix: any(not v.get("cached", True) for k, v in run.details.items()  # S is always re-imported
                        if k.startswith(prefix) and not k.endswith("_S")) for prefix in ("generated_", "store_")}
    machine["generated"], machine["imported"] = made["generated_"], made["store_"]
    run.details["options"] = {"sizes": sizes, "parts": args.parts, "quick": args.quick}
    full = sizes == list(SIZES) and args.parts == list(PARTS) and not args.quick
    out_dir = HERE if full else generate.WORK  # a partial or quick run never overwrites the full run's results
    report.save(run.rows, run.details, machine, out_dir, wall)
    print()
    print(report.text_table(run.rows))
    held = [r for r in run.rows if r.holds is not None]
    print(f"\n{sum(r.holds for r in held)} of {len(held)} targets hold. Time: {wall / 60:.1f} min. "
          f"Results: {out_dir / 'results.json'}")
    if args.readme == "yes" or (args.readme == "auto" and full):
        report.update_readme(report.readme_section(run.rows, machine, wall))
        print("README.md: the section «Ytelse / Benchmarks» is updated.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
