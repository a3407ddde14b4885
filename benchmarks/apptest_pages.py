"""Render time of each page in AppTest, on one store: one cold run, then warm reruns.

Run in its own process per store (`python -m benchmarks.apptest_pages --db … --out …`) so
Streamlit's caches and the process's memory start clean for every size. Each page is opened
as a browser would: the entry file (dashboard.py) first, then st.switch_page to the page.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("dashboard.py", "pages/1_virksomheter.py", "pages/2_budsjett.py", "pages/3_tidslinje.py",
         "pages/4_planer.py", "pages/5_importer.py")


def _errors(at) -> list[str]:
    return [(e.message or "").splitlines()[0][:200] for e in at.exception]


def measure_page(page: str, reps: int, timeout: float) -> dict:
    """Cold and warm render times of one page, with any exception the page raised."""
    from streamlit.testing.v1 import AppTest

    result: dict = {"page": page, "cold_s": None, "warm_s": [], "median_s": None, "errors": []}
    try:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=timeout)
        start = time.perf_counter()
        at.run()
        if page != "dashboard.py":
            at.switch_page(page)
            start = time.perf_counter()
            at.run()
        result["cold_s"] = time.perf_counter() - start
        errors = set(_errors(at))
        for _ in range(reps):
            start = time.perf_counter()
            at.run()
            result["warm_s"].append(time.perf_counter() - start)
            errors.update(_errors(at))
        result["errors"] = sorted(errors)
        result["median_s"] = statistics.median(result["warm_s"])
        result["elements"] = len(list(at.main)) if hasattr(at, "main") else None
    except Exception as exc:  # a page that cannot even be run (timeout, import error) is reported
        result["errors"].append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}")
        result["traceback"] = traceback.format_exc(limit=6)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--timeout", type=float, default=180)
    parser.add_argument("--pages", nargs="*", default=list(PAGES))
    args = parser.parse_args(argv)
    os.environ["PILOT_DB"] = str(Path(args.db).resolve())
    sys.path.insert(0, str(ROOT))
    # Import what every page imports, so the first page's cold run is not also the process's start.
    import pandas  # noqa: F401
    import plotly.graph_objects  # noqa: F401
    import streamlit  # noqa: F401
    from streamlit.testing.v1 import AppTest  # noqa: F401

    for module in ("ui.charts", "ui.timeline", "ui.layout", "ui.store_access", "loaders.importer"):
        with contextlib.suppress(Exception):  # a module still being written shows up as the page's error
            __import__(module)
    results = [measure_page(page, args.reps, args.timeout) for page in args.pages]
    Path(args.out).write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
