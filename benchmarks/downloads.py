"""Build time and memory of the whole-sector downloads: the deck and the Excel workbook.

Run in its own process per store and kind (`python -m benchmarks.downloads --db … --kind deck --out …`),
so the peak RSS it reports is what building one adds to a process that has only opened the store.
The dashboard builds them on the server when a user clicks «Last ned presentasjon» or
«Last ned Excel» (ui/downloads.py), with the whole sector when no filter is set.
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
    """Seconds, bytes and peak RSS before and after, for the whole sector's deck or workbook."""
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
    parser.add_argument("--kind", required=True, choices=("deck", "excel"))
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    args.out.write_text(json.dumps(measure(args.db, args.kind), indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
