"""The dashboard's downloads, built one at a time and kept as files beside the store.

    built(kind, sig, key, choice)  ->  the deck («deck»), the workbook («excel») or the pilots as CSV
                                       («csv») for a store signature, a filter key and Planer's choice

A whole-sector workbook at L takes some 200 MB while it is built, and the finished files are
up to 42 MB (the pilots as CSV). Kept in Streamlit's cache, 32 of them stayed in the server's
memory, and two users building at once needed twice the memory: an exploratory test at L
took the server past 1 GB (issue 5). Here one build runs at a time: another click, on any
download, waits for it (memory before speed; at L a whole-sector workbook is about 20 s).

Each file is written to a folder beside the store (`pilots.duckdb.nedlastinger/`, made for the
server's user alone, as the files hold contact people), named after what it shows: the store's
signature (an import changes it), today's date (the deck and the workbook say when they were
made, and which statuses look out of date by today), the code that builds it, the filter and
Planer's choice. A second click, a second user, or the same click after a restart reads the
file as it is. Writing a file deletes those that can no longer be asked for (another
signature, day or code) and all but the KEEP_FILES most recently used of the rest.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import threading
import time
from pathlib import Path

from loaders.values import norwegian_today

SUFFIXES = {"deck": ".pptx", "excel": ".xlsx", "csv": ".csv"}
KEEP_FILES = 24
PARTIAL_MAX_AGE_S = 3600  # a .part older than this was left by a build that failed or was killed

_one_at_a_time = threading.Lock()


def built(kind: str, sig: tuple, key: tuple, choice: tuple = ()) -> bytes:
    """The download's bytes: its file when built before for this store, day, filter and choice, else built now."""
    store = Path(sig[0])
    folder = cache_folder(store)
    current = _digest(sig, norwegian_today().isoformat(), _code_version())
    target = folder / f"{current}-{_digest(kind, key, choice)}{SUFFIXES[kind]}"
    with contextlib.suppress(OSError):  # not built yet, trimmed meanwhile, or no folder to keep files in
        return _read(target)
    with _one_at_a_time:
        with contextlib.suppress(OSError):
            return _read(target)  # built by the click this one waited for
        content = build(kind, store, key, choice)
        # A full or read-only disk: the user gets the file all the same, built again next time.
        with contextlib.suppress(OSError):
            _write(target, content)
            _trim(folder, current)
        return content


def cache_folder(store: Path) -> Path:
    """Where the downloads of a store are kept: a folder beside it."""
    return store.with_name(f"{store.name}.nedlastinger")


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


def _digest(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:20]


@functools.cache
def _code_version() -> str:
    """The code a download is built by: a file built before a change of it is never served after."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for path in sorted(p for folder in ("exports", "store", "loaders", "ui") for p in (root / folder).glob("*.*")
                       if p.suffix in (".py", ".sql")):  # a build runs code of all four (labels, formats, queries)
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _read(path: Path) -> bytes:
    content = path.read_bytes()
    with contextlib.suppress(OSError):
        os.utime(path)  # used now: the trim keeps the most recently used
    return content


def _write(path: Path, content: bytes) -> None:
    """Write a file whole or not at all: a reader never sees half of one, and a failure leaves nothing."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        with open(partial, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())  # a crash after the rename cannot leave an empty file to be served
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _trim(folder: Path, current: str) -> None:
    """Delete the files no click can ask for any more, and all but the KEEP_FILES most recently used of the rest."""
    kept = []
    for p in folder.iterdir():
        try:
            used = p.stat().st_mtime
            if p.name.startswith(".") and p.name.endswith(".part"):
                if used < time.time() - PARTIAL_MAX_AGE_S:
                    p.unlink()
            elif p.suffix in SUFFIXES.values():
                if p.name.startswith(f"{current}-"):
                    kept.append((used, p))
                else:
                    p.unlink()  # another store signature, day or code: never asked for again
        except FileNotFoundError:  # deleted by another server meanwhile
            continue
    for _, old in sorted(kept, reverse=True)[KEEP_FILES:]:
        old.unlink(missing_ok=True)
