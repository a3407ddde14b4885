"""The DuckDB store: the only module that opens a connection or writes a row.

The dashboard opens short-lived read-only connections and caches what it reads; an import
opens a read-write connection for the few milliseconds of its transaction. So a CLI import
and a running dashboard live side by side: whoever finds the file locked waits briefly.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from loaders.contract import ELEMENTS, PILOTS
from loaders.register import Reference

HERE = Path(__file__).resolve().parent
PROJECT_DIR = HERE.parent
DEFAULT_DB = PROJECT_DIR / "data" / "pilots.duckdb"
LOCK_WAIT_SECONDS = 10.0

# In one process the same file cannot be open read-write and read-only at once, so every
# connection this process opens is taken under this lock (queries are short and cached).
_process_lock = threading.RLock()


class StoreBusy(RuntimeError):
    """Another process holds the database file; the message says what to do."""


class StoreMissing(RuntimeError):
    """The database file does not exist yet."""


def db_path(explicit: str | os.PathLike | None = None) -> Path:
    """Where the store lives: --db, else $PILOT_DB, else data/pilots.duckdb."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("PILOT_DB")
    return Path(env) if env else DEFAULT_DB


def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    """Open the file, waiting while another process holds its lock."""
    if read_only and not path.exists():
        raise StoreMissing(f"Databasen {path} finnes ikke ennå")
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config={"threads": 2})
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise StoreBusy(
                    f"Databasen {path} er i bruk av en annen prosess og kunne ikke åpnes "
                    f"({'lesing' if read_only else 'skriving'}). Prøv igjen om litt."
                ) from None
            time.sleep(0.1)


@contextmanager
def open_store(path: Path | None = None, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the store, closed (and the file's lock released) on exit."""
    path = db_path(path)
    with _process_lock:
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
        con = _connect(path, read_only)
        try:
            if not read_only:
                ensure_schema(con)
            yield con
        finally:
            con.close()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """All of the block's writes or none of them."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def submission_count(con: duckdb.DuckDBPyConnection) -> int:
    """How many submission versions the store holds."""
    return int(con.execute("SELECT count(*) FROM submissions").fetchone()[0])


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the tables if missing and (re)create the views."""
    con.execute((HERE / "schema.sql").read_text(encoding="utf-8"))
    con.execute((HERE / "views.sql").read_text(encoding="utf-8"))


def has_schema(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the store has been initialised (its tables exist)."""
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'submissions'").fetchone()
    return bool(row and row[0])


def sync_reference(con: duckdb.DuckDBPyConnection, reference: Reference) -> None:
    """Copy the register, rounds, requests and settings from data/ into the store."""
    agencies = pd.DataFrame(
        [(a.name, a.short_name or None, list(a.aliases), a.ministry, a.previous_ministry or None,
          a.ministry_changed_on) for a in reference.agencies],
        columns=["name", "short_name", "aliases", "ministry", "previous_ministry", "ministry_changed_on"])
    ministries = pd.DataFrame(list(reference.ministries.items()), columns=["short_name", "name"])
    rounds = pd.DataFrame([(r.start_year, r.deadline, r.description) for r in reference.rounds],
                          columns=["start_year", "deadline", "description"])
    requests = pd.DataFrame([(r.start_year, r.agency, r.letter_date, r.letter_ref or None, r.note or None)
                             for r in reference.requests],
                            columns=["start_year", "agency", "letter_date", "letter_ref", "note"])
    s = reference.settings
    events = pd.DataFrame([(e.label, e.start, e.end, e.note) for e in s.events],
                          columns=["label", "start_date", "end_date", "note"])
    with transaction(con):
        for table, frame in (("agencies", agencies), ("ministries", ministries), ("rounds", rounds),
                             ("requests", requests), ("events", events)):
            con.execute(f"DELETE FROM {table}")
            _insert_frame(con, table, frame)
        con.execute("DELETE FROM settings")
        con.execute("INSERT INTO settings VALUES (?, ?, ?, ?, ?)",
                    [s.ambition_min, s.ambition_max, list(s.counting_statuses), s.reform_start, s.reform_end])


def _insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """Insert a frame's rows into a table by column name (table names are ours, never user input)."""
    if frame.empty:
        return
    con.register("incoming_frame", frame)
    try:
        columns = ", ".join(frame.columns)
        con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM incoming_frame")
    finally:
        con.unregister("incoming_frame")


# ---------------------------------------------------------------------------------------
# Writing imports

PILOT_COLUMNS = ["position", *(f.key for f in PILOTS.fields), *(f"covers_e{e.number}" for e in ELEMENTS)]
MILESTONE_COLUMNS = ["position", "pilot_name", "name", "kind", "from_date", "to_date", "status"]
BUDGET_COLUMNS = ["position", "pilot_name", "year", "amount_nok", "category", "financing"]
TABLE_NAMES = {"pilots": "pilots", "milestones": "milestones", "budget": "budget_lines"}


def known_hash(con: duckdb.DuckDBPyConnection, sha256: str) -> tuple[str, dt.datetime] | None:
    """The name and import time of an earlier file with the same bytes, if any."""
    row = con.execute("SELECT file_name, imported_at FROM source_files WHERE sha256 = ?", [sha256]).fetchone()
    return (row[0], row[1]) if row else None


def current_version(con: duckdb.DuckDBPyConnection, agency: str, start_year: int) -> dict | None:
    """The current version of a submission (its row in submissions), or None."""
    cur = con.execute(
        "SELECT * FROM submissions WHERE agency = ? AND start_year = ? ORDER BY version DESC LIMIT 1",
        [agency, start_year])
    row = cur.fetchone()
    if row is None:
        return None
    return dict(zip([d[0] for d in cur.description], row, strict=True))


def current_pilot_keys(con: duckdb.DuckDBPyConnection, submission_id: int) -> list[dict]:
    """Name, reference and total of each pilot of a submission version."""
    rows = con.execute(
        "SELECT pilot_name, pilot_ref, budget_total_nok FROM pilots WHERE submission_id = ? ORDER BY position",
        [submission_id]).fetchall()
    return [{"pilot_name": n, "pilot_ref": r, "budget_total_nok": t} for n, r, t in rows]


def insert_file(con: duckdb.DuckDBPyConnection, name: str, sha256: str, content: bytes, file_kind: str,
                table_kind: str, warnings: list[str], imported_at: dt.datetime) -> int:
    """Keep an imported file's bytes; returns its id."""
    row = con.execute(
        "INSERT INTO source_files (file_name, sha256, content, size_bytes, file_kind, table_kind, imported_at, "
        "warnings) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING file_id",
        [name, sha256, content, len(content), file_kind, table_kind, imported_at, warnings]).fetchone()
    return int(row[0])


def insert_version(con: duckdb.DuckDBPyConnection, *, agency: str, start_year: int, file_id: int,
                   replaced_tables: str, fields: dict, imported_at: dt.datetime,
                   tables: dict[str, list[dict] | None], previous: dict | None) -> int:
    """Add a new version of a submission: the tables given replace, the others are carried over.

    Milestones and budget rows carried over from the previous version are kept only when their
    pilot still exists. Returns the new version number.
    """
    version = (previous["version"] + 1) if previous else 1
    row = con.execute(
        "INSERT INTO submissions (agency, start_year, version, file_id, replaced_tables, submitted_on, "
        "contact_person, email, has_plans, assessment, union_involvement, imported_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING submission_id",
        [agency, start_year, version, file_id, replaced_tables, fields["submitted_on"],
         fields.get("contact_person"), fields.get("email"), fields["has_plans"], fields.get("assessment"),
         fields.get("union_involvement"), imported_at]).fetchone()
    new_id = int(row[0])
    for key, table in TABLE_NAMES.items():
        rows = tables.get(key)
        if rows is not None:
            _insert_rows(con, key, new_id, rows)
        elif previous is not None:
            _carry_over(con, table, previous["submission_id"], new_id, only_existing_pilots=key != "pilots")
    return version


def _insert_rows(con: duckdb.DuckDBPyConnection, key: str, submission_id: int, rows: list[dict]) -> None:
    """Insert parsed rows of one table for a submission version."""
    if not rows:
        return
    if key == "pilots":
        columns = PILOT_COLUMNS
        records = [[i, *(r.get(f.key) for f in PILOTS.fields), *r["elements"]] for i, r in enumerate(rows, 1)]
    else:
        columns = MILESTONE_COLUMNS if key == "milestones" else BUDGET_COLUMNS
        records = [[i, *(r.get(c) for c in columns[1:])] for i, r in enumerate(rows, 1)]
    frame = pd.DataFrame(records, columns=columns, dtype=object)
    frame.insert(0, "submission_id", submission_id)
    _insert_frame(con, TABLE_NAMES[key], frame)


def _carry_over(con: duckdb.DuckDBPyConnection, table: str, old_id: int, new_id: int,
                only_existing_pilots: bool) -> None:
    """Copy a table's rows from the previous version to the new one."""
    keep = (" AND pilot_name IN (SELECT pilot_name FROM pilots WHERE submission_id = ?)"
            if only_existing_pilots else "")
    params = [new_id, old_id] + ([new_id] if only_existing_pilots else [])
    con.execute(f"INSERT INTO {table} SELECT * REPLACE (?::INTEGER AS submission_id) FROM {table} "
                f"WHERE submission_id = ?{keep}", params)


def dropped_on_carry_over(con: duckdb.DuckDBPyConnection, previous_id: int, pilot_names: list[str]) -> dict[str, int]:
    """How many milestones and budget rows of a version point at pilots not in pilot_names."""
    counts = {}
    for key in ("milestones", "budget"):
        table = TABLE_NAMES[key]
        rows = con.execute(f"SELECT pilot_name FROM {table} WHERE submission_id = ?", [previous_id]).fetchall()
        counts[key] = sum(1 for (name,) in rows if name not in set(pilot_names))
    return counts
