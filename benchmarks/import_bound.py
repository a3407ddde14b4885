"""How close the import can come to the parse floor: the import as it is, and with its checks made free.

    python -m benchmarks.import_bound [M]

Not part of `make bench`. After a bench run has generated the size's files, it measures in one
process, interleaved, median of five: the parse floor (benchmarks.stores.parse_floor), the loader's
reading of every file on one core (parse_file, as the floor reads them), the import as `make bench`
measures it, and the same import with every file's checks computed beforehand, so
that reading a file costs what calamine costs and nothing more (the forked worker and the store
work as usual). The last is the least the import can take while it writes to the store.
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import sys
import time
from pathlib import Path

from benchmarks import generate, stores

REPS = 5


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.import_bound")
    parser.add_argument("size", nargs="?", default="M", choices=("S", "M", "L"))
    args = parser.parse_args(argv)
    from loaders import batch
    from loaders.parsing import parse_file
    from loaders.register import load_reference

    generate.ensure(args.size)
    reference = load_reference(generate.reference_dir(args.size))
    files = stores.read_files(args.size)
    checked = {name: parse_file(name, content, reference) for name, content in files}
    kept = pickle.dumps(checked)  # a fresh copy for each import: planning adds warnings to the results
    real_parse = batch.parse_file

    def calamine_only(name: str, content: bytes, _reference) -> object:
        """The floor's reading of the file, then the result computed beforehand."""
        stores.read_cells(name, content)
        parsed = checked[name]
        parsed.content = content
        return parsed

    store = generate.size_dir(args.size) / "import-bound.tmp.duckdb"
    stores.parse_floor(files)  # warm-up
    floors, imports, free, parses = [], [], [], []
    try:
        for _ in range(REPS):
            floors.append(stores.parse_floor(files))
            start = time.perf_counter()
            for name, content in files:  # the reading alone, one file after the other, as the floor does
                real_parse(name, content, reference)
            parses.append(time.perf_counter() - start)
            batch.parse_file = real_parse
            imports.append(stores.import_into(store, files, reference)[0])
            batch.parse_file = calamine_only
            checked = pickle.loads(kept)
            free.append(stores.import_into(store, files, reference)[0])
    finally:
        batch.parse_file = real_parse
        for p in (store, Path(f"{store}.wal")):
            p.unlink(missing_ok=True)
    floor = statistics.median(floors)
    print(f"{args.size}, {len(files)} files, median of {REPS}:")
    print(f"  parse floor                    {floor * 1000:5.0f} ms")
    for label, times in (("parse_file alone, one core", parses), ("import", imports),
                         ("import, checks made free", free)):
        value = statistics.median(times)
        print(f"  {label:<30} {value * 1000:5.0f} ms  {value / floor:.2f} × the floor")
    return 0


if __name__ == "__main__":
    sys.exit(main())
