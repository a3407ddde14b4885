"""Build time and memory of the whole-sector downloads: the deck, the Excel workbook and the pilots as CSV.

Run in its own process per store and kind (`python -m benchmarks.downloads --db … --kind deck --out …`),
so the peak RSS it reports is what building one adds to a process that has only opened the store.
The dashboard builds them when a user clicks «Last ned presentasjon», «Last ned Excel» or
«Last ned piloter (CSV)» (ui/downloads.py), with the whole sector when no filter is set: in the
server's process below 2 000 plans, from there in a process of its own (exports.worker), so the
peak reported here is the one that process reaches at M and L.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _peak_mb() -> float:
    """This process's peak RSS (VmHWM; ru_maxrss would carry the parent's over the exec)."""
    status = Path(f"/proc/{os.getpid()}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status)[1]) / 1024


def measure(db: Path, kind: str) -> dict:
    """Seconds, bytes and peak RSS before and after, for the whole sector's deck, workbook or pilots as CSV."""
    from exports import building
    from store import database, queries
    from store.queries import PilotFilter

    with database.reading(db) as con:  # the server's reading DuckDB, made by its first page
        queries.store_summary(con)
    before = _peak_mb()
    start = time.perf_counter()
    content = building.build(kind, db, PilotFilter().key())  # as a click builds it, without keeping the file
    return {"s": time.perf_counter() - start, "bytes": len(content), "peak_mb": _peak_mb(),
            "peak_before_mb": before}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--kind", required=True, choices=("deck", "excel", "csv"))
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    args.out.write_text(json.dumps(measure(args.db, args.kind), indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
