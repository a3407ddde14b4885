"""The dashboard's downloads, built one at a time and kept as files beside the store.

    built(kind, sig, key, choice)  ->  the deck («deck»), the workbook («excel») or the pilots as CSV
                                       («csv») for a store signature, a filter key and Planer's choice

A whole-sector workbook at L takes some 200 MB while it is built, and the finished files are
up to 42 MB (the pilots as CSV). Kept in Streamlit's cache, 32 of them stayed in the server's
memory, and two users building at once needed twice the memory: an exploratory test at L
took the server past 1 GB (issue 5). Here one build runs at a time, for every server on the
store (a thread lock and a file lock): another click, on any download, waits for it (memory
before speed; at L a whole-sector workbook is about 20 s).

Each file is written to a folder beside the store (`pilots.duckdb.nedlastinger/`, made for the
server's user alone, as the files hold contact people), named after what it shows: the day (the
deck and the workbook say when they were made, and which statuses look out of date by today),
the store's content (its signature: an import changes it), the code that builds it (hashed when
the server loads it), the filter and Planer's choice. A second click, a second user, or the same
click after a restart reads the file as it is. Writing a file deletes those of other days or
other data, and all but the KEEP_FILES most recently used of the rest.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from loaders.values import norwegian_today

SUFFIXES = {"deck": ".pptx", "excel": ".xlsx", "csv": ".csv"}
KEEP_FILES = 24
PARTIAL_MAX_AGE_S = 3600  # a .part older than this was left by a build that failed or was killed

_one_at_a_time = threading.Lock()  # in this server; _store_lock for servers sharing a store


def built(kind: str, sig: tuple, key: tuple, choice: tuple = (), plans: int = 0) -> bytes:
    """The download's bytes: its file when built before for this store, day, code, filter and choice, else built now.

    plans: how many plans the filter holds; from SEPARATE_PROCESS_PLANS the build runs in a process of its own.
    """
    store = Path(sig[0])
    folder = cache_folder(store)
    with contextlib.suppress(OSError):  # not built yet, trimmed meanwhile, or no folder to keep files in
        return _read(_target(folder, kind, sig, key, choice))
    with _one_at_a_time, _store_lock(folder):
        target = _target(folder, kind, sig, key, choice)  # again: the wait may have run past midnight
        with contextlib.suppress(OSError):
            return _read(target)  # built by the click this one waited for
        build = build_apart if plans >= SEPARATE_PROCESS_PLANS else build_here
        content, shows = build(kind, store, key, choice)
        # Kept under the store's content it shows (an import since the click: the new one); one that mixes two
        # versions is given, never kept. A full or read-only disk: the user gets the file all the same.
        if shows is not None:
            with contextlib.suppress(OSError):
                _write(_target(folder, kind, shows, key, choice), content)
                _trim(folder, _prefix(shows))
        return content


def _prefix(sig: tuple) -> str:
    """What a file's name starts with: the day and the store's content (its signature, the path resolved, so two
    servers that name the store differently share its files)."""
    store, *stat = sig
    return f"{norwegian_today().isoformat()}_{_digest(str(Path(store).resolve()), *stat)}"


def _target(folder: Path, kind: str, sig: tuple, key: tuple, choice: tuple) -> Path:
    return folder / f"{_prefix(sig)}_{_digest(CODE_VERSION, kind, key, choice)}{SUFFIXES[kind]}"


@contextlib.contextmanager
def _store_lock(folder: Path) -> Iterator[None]:
    """Hold the store's build lock: one build at a time for every server on the store (none where the folder
    cannot be made: the build goes on, unkept)."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle = open(folder / ".bygger", "a")  # noqa: SIM115 (held across the yield)
    except OSError:
        yield
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def cache_folder(store: Path) -> Path:
    """Where the downloads of a store are kept: a folder beside it."""
    return store.with_name(f"{store.name}.nedlastinger")


BUILD_ATTEMPTS = 3  # an import that lands during a build makes it start again, at most this often


def build(kind: str, store: Path, key: tuple, choice: tuple = ()) -> bytes:
    """Build a download from the store, read-only.

    The workbook and the CSV take the store for each sheet's read only, so the server's other users and an
    import need not wait while the rows are written (at L the workbook takes 20 s, its reads about 1 s). An
    import between two reads would mix two versions in one file: the build then starts again.
    """
    return build_here(kind, store, key, choice)[0]


def build_here(kind: str, store: Path, key: tuple, choice: tuple) -> tuple[bytes, tuple | None]:
    """build() in this process, and the store's signature while it was built; None if the store changed in every
    attempt."""
    from store import database

    content = b""
    for _ in range(BUILD_ATTEMPTS):
        before = database.signature(store)
        content = _build_once(kind, store, key, choice)
        if database.signature(store) == before:
            return content, before
    return content, None


# From this many plans in the filter a download is built in a process of its own (python -m exports.worker). At L
# the whole sector's pilots as CSV took the server from 420 to 720 MB while it was built, and kept much of it after
# (a process seldom gives freed memory back); the workbook held the server's one core that runs Python for 15 s,
# slowing every other user's page. A process of its own starts in about half a second, gives all its memory back
# when it ends, and leaves the server free; below this it would cost more than it saves.
SEPARATE_PROCESS_PLANS = 2_000
APART_TIMEOUT_S = 900
ROOT = Path(__file__).resolve().parents[1]


class BuildFailed(RuntimeError):
    """A download's own process failed; the message says why, in the user's words where it can."""


def build_apart(kind: str, store: Path, key: tuple, choice: tuple) -> tuple[bytes, tuple | None]:
    """build_here in a process of its own (exports.worker)."""
    with tempfile.TemporaryDirectory(prefix="pilotoversikt-bygg-") as scratch:  # made for this user alone
        out = Path(scratch) / f"nedlasting{SUFFIXES[kind]}"
        request = pickle.dumps((kind, str(Path(store).resolve()), key, choice, str(out)))
        try:
            done = subprocess.run([sys.executable, "-m", "exports.worker"], input=request, capture_output=True,
                                  cwd=ROOT, timeout=APART_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired as exc:
            raise BuildFailed(f"Nedlastingen ble ikke ferdig på {APART_TIMEOUT_S // 60} minutter. Velg færre "
                              "virksomheter i filteret og prøv igjen.") from exc
        if done.returncode != 0:
            said = done.stderr.decode("utf-8", "replace")
            sys.stderr.write(said)  # the worker's traceback, for the server's log
            lines = said.strip().splitlines()
            reason = lines[-1] if lines else f"prosessen endte med kode {done.returncode}"
            raise BuildFailed(f"Nedlastingen kunne ikke lages: {reason}")
        return out.read_bytes(), pickle.loads(done.stdout)


def _build_once(kind: str, store: Path, key: tuple, choice: tuple) -> bytes:
    from exports.deck import build_deck
    from exports.excel import excel_bytes, pilot_csv
    from store import database
    from store.queries import PilotFilter, PlanChoice

    f, chosen = PilotFilter(*key), PlanChoice(*choice)
    if kind == "deck":  # its reads come between its slides, and it takes a second or two at L
        with database.reading(store) as con:
            return build_deck(con, f)
    reads = lambda: database.reading(store)  # noqa: E731 (a function to open the store for each read)
    if kind == "csv":
        return pilot_csv(reads, f, chosen)
    return excel_bytes(reads, f, chosen)


def _digest(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:20]


def source_hash(*folders: str) -> str:
    """A hash of the project's .py and .sql files in these folders: it changes when their code does."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for path in sorted(p for folder in folders for p in (root / folder).glob("*.*") if p.suffix in (".py", ".sql")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


# The code a download is built by (labels, formats and queries come from all four), hashed when this module is
# loaded (with the server): a file built before a change of it is never served after, even when the files change
# under a running server.
CODE_VERSION = source_hash("exports", "store", "loaders", "ui")


def _read(path: Path) -> bytes:
    content = path.read_bytes()
    with contextlib.suppress(OSError):
        os.utime(path)  # used now: the trim keeps the most recently used
    return content


def _write(path: Path, content: bytes) -> None:
    """Write a file whole or not at all: a reader never sees half of one, and a failure leaves nothing."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")  # a name no other writer has
    partial = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())  # a crash after the rename cannot leave an empty file to be served
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _trim(folder: Path, prefix: str) -> None:
    """Delete the files no click can ask for any more (another day, or data an import has replaced), and all but
    the KEEP_FILES most recently used of the rest. Files of other code age out with the day: a second server on
    the same store, with other code, keeps its own."""
    kept = []
    for p in folder.iterdir():
        try:
            used = p.stat().st_mtime
            if p.name.startswith(".") and p.name.endswith(".part"):
                if used < time.time() - PARTIAL_MAX_AGE_S:  # left by a build that failed or was killed
                    p.unlink()
            elif p.suffix in SUFFIXES.values():
                if p.name.startswith(f"{prefix}_"):
                    kept.append((used, p))
                else:
                    p.unlink()
        except OSError:  # deleted by another server meanwhile, or not ours to delete: the next file
            continue
    for _, old in sorted(kept, reverse=True)[KEEP_FILES:]:
        with contextlib.suppress(OSError):
            old.unlink()


def _forget_the_old_place() -> None:
    """Delete the downloads an earlier version kept in the temporary folder, readable by every user there."""
    shutil.rmtree(Path(tempfile.gettempdir()) / "pilotoversikt-nedlastinger", ignore_errors=True)


_forget_the_old_place()
