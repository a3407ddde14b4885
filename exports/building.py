"""The dashboard's downloads, built one at a time and kept as files.

    built(kind, sig, key, choice)  ->  the deck («deck»), the workbook («excel») or the pilots as CSV
                                       («csv») for a store signature, a filter key and Planer's choice

A whole-sector workbook at L takes some 200 MB while it is built, and the finished files are
up to 42 MB (the pilots as CSV). Kept in Streamlit's cache, 32 of them stayed in the server's
memory, and two users building at once needed twice the memory: an exploratory test at L
took the server past 1 GB (issue 5). Here one build runs at a time (another click waits for
it), and each file is written to a folder of its own under the system's temporary folder,
named after the store, the filter and the choice. A second click on the same filter, a second
user, or the same click after a restart of the server reads the file as it is. An import
changes the store's signature, and with it the name, so a file never outlives its data; the
newest KEEP_FILES files of a store are kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import threading
from pathlib import Path

SUFFIXES = {"deck": ".pptx", "excel": ".xlsx", "csv": ".csv"}
KEEP_FILES = 24
CACHE_ROOT = Path(tempfile.gettempdir()) / "pilotoversikt-nedlastinger"

_one_at_a_time = threading.Lock()


def built(kind: str, sig: tuple, key: tuple, choice: tuple = ()) -> bytes:
    """The download's bytes: its file when built before for this store, filter and choice, else built now."""
    folder = cache_folder(Path(sig[0]))
    target = folder / f"{_digest(kind, sig, key, choice)}{SUFFIXES[kind]}"
    with contextlib.suppress(OSError):  # not built yet, trimmed meanwhile, or no folder to keep files in
        return target.read_bytes()
    with _one_at_a_time:
        with contextlib.suppress(OSError):
            return target.read_bytes()  # built by the click this one waited for
        content = build(kind, Path(sig[0]), key, choice)
        try:
            _write(target, content)
            _trim(folder)
        except OSError:  # a full or read-only disk: the user gets the file all the same, built again next time
            pass
        return content


def cache_folder(store: Path) -> Path:
    """Where the downloads of a store are kept: one folder per store file."""
    name = hashlib.sha256(str(store.resolve()).encode()).hexdigest()[:16]
    return CACHE_ROOT / name


def build(kind: str, store: Path, key: tuple, choice: tuple = ()) -> bytes:
    """Build a download from the store, read-only."""
    from exports.deck import build_deck
    from exports.excel import csv_bytes, excel_bytes, frames
    from store import database
    from store.queries import PilotFilter, PlanChoice

    with database.reading(store) as con:
        f, chosen = PilotFilter(*key), PlanChoice(*choice)
        if kind == "deck":
            return build_deck(con, f)
        if kind == "csv":
            return csv_bytes(frames(con, f, chosen)["Piloter"])
        return excel_bytes(con, f, chosen)


def _digest(kind: str, sig: tuple, key: tuple, choice: tuple) -> str:
    return hashlib.sha256(repr((kind, sig, key, choice)).encode()).hexdigest()[:32]


def _write(path: Path, content: bytes) -> None:
    """Write a file whole or not at all: a reader never sees half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    partial.write_bytes(content)
    partial.replace(path)


def _trim(folder: Path) -> None:
    """Delete all but the KEEP_FILES newest downloads of a store."""
    dated = []
    for p in folder.glob("*"):
        if p.suffix in SUFFIXES.values():
            try:
                dated.append((p.stat().st_mtime_ns, p))
            except FileNotFoundError:  # deleted by another server meanwhile
                continue
    for _, old in sorted(dated, reverse=True)[KEEP_FILES:]:
        old.unlink(missing_ok=True)
