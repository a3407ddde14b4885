"""Stores for the benchmarks: import a size's files into a fresh DuckDB file, and the parse floor.

The import is the application's own, as the CLI runs it: loaders.importer.import_into_store,
with the size's reference folder read by load_reference. The parse floor is what no import
can avoid: calamine reading the same workbooks, every sheet, and nothing else (for CSV files,
loaders.reading's decode_text and split_csv). Both get the files' bytes from memory.
"""

from __future__ import annotations

import io
import json
import shutil
import time
from collections import Counter
from pathlib import Path

from benchmarks import generate

ROOT = generate.ROOT


def read_files(size: str) -> list[tuple[str, bytes]]:
    """A size's files as (name, bytes), sorted by name as the CLI imports a folder."""
    return [(p.name, p.read_bytes()) for p in generate.submission_files(size)]


def parse_floor(files: list[tuple[str, bytes]]) -> float:
    """Seconds to read every file's cells and nothing more (read_cells for each)."""
    start = time.perf_counter()
    for name, content in files:
        read_cells(name, content)
    return time.perf_counter() - start


def read_cells(name: str, content: bytes) -> None:
    """The floor's reading of one file.

    Workbooks: calamine opening it and turning every sheet into Python values, as the issue
    defines the floor; none of the loader's own checks (its zip check, its choice of sheets).
    CSV files, which calamine does not read: decoded and split, the least any reading does.
    """
    from python_calamine import CalamineWorkbook

    from loaders.reading import decode_text, split_csv

    if name.lower().endswith(".xlsx"):
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        for sheet in book.sheet_names:
            book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    else:
        split_csv(decode_text(content), ";")


def import_into(path: Path, files: list[tuple[str, bytes]], reference) -> tuple[float, Counter, list[str]]:
    """Import files into a fresh store at path; seconds, outcomes, and the first problems of refused files."""
    from loaders.importer import import_into_store

    for p in (path, Path(f"{path}.wal")):
        p.unlink(missing_ok=True)
    start = time.perf_counter()
    plans = import_into_store(path, files, reference)
    seconds = time.perf_counter() - start
    outcomes = Counter(p.outcome for p in plans)
    refused = [f"{p.name}: {p.parsed.problems[0] if p.parsed.problems else p.summary}"
               for p in plans if p.outcome == "refused"][:5]
    return seconds, outcomes, refused


def code_key() -> str:
    """A hash of the code an import runs (loaders/ and store/): a cached store is stale when it changes."""
    from exports.building import source_hash

    return source_hash("loaders", "store")


def cached_store(size: str, log=print) -> dict:
    """The store of a size, imported once and reused while the files and the import code are unchanged."""
    from loaders.register import load_reference

    folder = generate.size_dir(size)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "store.duckdb"
    meta_path = folder / "store.json"
    manifest = generate.ensure(size, log)
    key = f"{manifest.get('key', 'sample')}:{code_key()}"
    if size != "S" and path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("key") == key:
            return {**meta, "path": str(path), "cached": True}
    log(f"  importing {size} …")
    reference = load_reference(generate.reference_dir(size))
    files = read_files(size)
    tmp = folder / "store.tmp.duckdb"
    seconds, outcomes, refused = import_into(tmp, files, reference)
    for p in (path, Path(f"{path}.wal")):
        p.unlink(missing_ok=True)
    shutil.move(tmp, path)
    meta = {"key": key, "import_s": seconds, "files": len(files), "outcomes": dict(outcomes), "refused": refused}
    meta_path.write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return {**meta, "path": str(path), "cached": False}


def measure_import(size: str, reps: int, log=print) -> dict:
    """Import all files of a size into a fresh store reps times, and the parse floor as often, interleaved.

    The last import is kept as the size's store (benchmarks/work/<size>/store.duckdb).
    """
    from loaders.register import load_reference

    manifest = generate.ensure(size, log)
    reference = load_reference(generate.reference_dir(size))
    files = read_files(size)
    folder = generate.size_dir(size)
    folder.mkdir(parents=True, exist_ok=True)
    parse_floor(files)  # warm-up: modules, allocator
    floors, imports, outcomes, refused = [], [], Counter(), []
    tmp = folder / "import.tmp.duckdb"
    for _ in range(reps):
        floors.append(parse_floor(files))
        seconds, outcomes, refused = import_into(tmp, files, reference)
        imports.append(seconds)
    path = folder / "store.duckdb"
    for p in (path, Path(f"{path}.wal")):
        p.unlink(missing_ok=True)
    shutil.move(tmp, path)
    meta = {"key": f"{manifest.get('key', 'sample')}:{code_key()}", "import_s": min(imports), "files": len(files),
            "outcomes": dict(outcomes), "refused": refused}
    (folder / "store.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return {"floor_s": floors, "import_s": imports, "files": len(files), "outcomes": dict(outcomes),
            "refused": refused, "path": str(path), "counts": manifest.get("counts")}
