"""The DuckDB store: the only module that opens a connection or writes a row.

The dashboard opens short-lived read-only connections and caches what it reads; an import
opens a read-write connection for the few milliseconds of its transaction. So a CLI import
and a running dashboard live side by side: whoever finds the file locked waits briefly.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import duckdb
import pyarrow as pa

from loaders.contract import ELEMENTS, PILOTS
from loaders.register import Reference
from loaders.values import name_key

HERE = Path(__file__).resolve().parent
PROJECT_DIR = HERE.parent
DEFAULT_DB = PROJECT_DIR / "data" / "pilots.duckdb"
LOCK_WAIT_SECONDS = 10.0
T = TypeVar("T")

# In one process the same file cannot be open read-write and read-only at once, so every
# connection this process opens is taken under this lock (queries are short and cached).
_process_lock = threading.RLock()


class StoreBusy(RuntimeError):
    """Another process holds the database file; the message says what to do."""


class StoreMissing(RuntimeError):
    """The database file does not exist yet."""


class StoreUnreadable(RuntimeError):
    """The file is there and free, but is no DuckDB database (damaged, or another kind of file)."""


def db_path(explicit: str | os.PathLike | None = None) -> Path:
    """Where the store lives: --db, else $PILOT_DB, else data/pilots.duckdb."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("PILOT_DB")
    return Path(env) if env else DEFAULT_DB


def signature(path: Path) -> tuple:
    """What changes whenever the store's content changes: size and mtime of file and WAL."""
    parts: list[object] = [str(path)]
    for p in (path, Path(f"{path}.wal")):
        try:
            stat = os.stat(p)
            parts += [stat.st_size, stat.st_mtime_ns]
        except FileNotFoundError:
            parts += [None, None]
    return tuple(parts)


def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    """Open the file, waiting while another process holds its lock."""
    if read_only and not path.exists():
        raise StoreMissing(f"Databasen {path} finnes ikke ennå")
    # Writing is importing: small inserts, each slower on two threads than on one.
    return _waiting_for_lock(path, read_only, lambda: duckdb.connect(
        str(path), read_only=read_only, config={"threads": 2 if read_only else 1}))


def _waiting_for_lock(path: Path, read_only: bool, open_file: Callable[[], T]) -> T:
    """open_file(), tried again for LOCK_WAIT_SECONDS while another process holds the file's lock.

    Anything else that stops DuckDB opening the file is StoreUnreadable, saying why.
    """
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            return open_file()
        except duckdb.Error as exc:
            if read_only and not path.exists():  # gone since it was looked for
                raise StoreMissing(f"Databasen {path} finnes ikke ennå") from None
            if "could not set lock" not in str(exc).lower():  # no lock in the way: waiting will not help
                raise _unreadable(path, exc) from None
            if time.monotonic() > deadline:
                raise StoreBusy(
                    f"Databasen {path} er i bruk av en annen prosess og kunne ikke åpnes "
                    f"({'lesing' if read_only else 'skriving'}). Prøv igjen om litt."
                ) from None
            time.sleep(0.1)


def _reason(exc: Exception) -> str:
    """The first line of an error's text (DuckDB's go on with hints and a stack)."""
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def read_failure(path: Path, exc: Exception) -> str:
    """What to tell the user when the store is open but a query on it fails."""
    if _damaged(exc):
        return _damaged_text(path, exc)
    return (f"Databasen {path} kunne ikke leses: {_reason(exc)}. Sjekk at filen er en Pilotoversikt-database "
            "(PILOT_DB eller --db), eller importer på nytt.")


def _damaged(exc: Exception) -> bool:
    """Whether DuckDB says the file is damaged or no database of its."""
    return any(sign in _reason(exc).lower() for sign in ("not a valid duckdb database", "corrupt"))


def _damaged_text(path: Path, exc: Exception) -> str:
    return (f"Databasen {path} kan ikke leses: filen er skadet eller ikke en Pilotoversikt-database "
            f"({_reason(exc)}). Sett PILOT_DB (eller --db) til riktig fil, eller flytt filen og importer på nytt.")


def _unreadable(path: Path, exc: Exception) -> StoreUnreadable:
    """Why DuckDB could not open the file: damaged (or no database), or not allowed, or DuckDB's own words."""
    if _damaged(exc):
        return StoreUnreadable(_damaged_text(path, exc))
    # Not allowed to open it, a disk that fails, a DuckDB too old for the file: the file may be
    # fine, so nothing here suggests moving it.
    return StoreUnreadable(f"Databasen {path} kunne ikke åpnes: {_reason(exc)}. Sjekk at stien er riktig (PILOT_DB "
                           "eller --db), og at brukeren som kjører Pilotoversikt har lov til å lese filen (og "
                           "skrive den, for å importere).")


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


# The dashboard reads the store many times over, each read a short block (an import must not
# find the file locked in between). Opening DuckDB for each cost about 15 ms and closing it 3:
# most of a filter change's time on the server (issue 5). Instead the process keeps one DuckDB
# in memory and attaches the store file to it for each block: about 1.5 ms, and detaching
# releases the file's lock as closing did.
READ_ALIAS = "pilotstore"
_reader: duckdb.DuckDBPyConnection | None = None


@contextmanager
def reading(path: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """The store for reading only, for the block: open_store(path, read_only=True), quicker to open.

    The connection is this process's reading DuckDB with the store attached and in use; it is
    detached when the block ends. Take cursors with database.cursor(con), which start in the
    store as well.
    """
    global _reader
    path = db_path(path)
    with _process_lock:
        if not path.exists():
            raise StoreMissing(f"Databasen {path} finnes ikke ennå")
        if _reader is None:
            # Without a flush the process keeps what its reads freed: 110 MB more at L (issue 5). A flush after
            # every read (0b) made each read twice as slow: the three of a new filter on Oversikt took 37 ms at M
            # instead of 12. Flushing after what frees 8 MB or more keeps the large reads' memory in check (the
            # server's peak at L: 542 MB against 536) and leaves the small reads alone.
            # Reads name only the store's tables: a table missing from a damaged store must be an error,
            # not a Python variable of that name found in the caller (DuckDB's replacement scan).
            _reader = duckdb.connect(config={"threads": 2, "allocator_bulk_deallocation_flush_threshold": "8MB",
                                             "python_enable_replacements": False})
        con = _reader
        _waiting_for_lock(path, True, lambda: con.execute(f"ATTACH $1 AS {READ_ALIAS} (READ_ONLY)", [str(path)]))
        try:
            con.execute(f"USE {READ_ALIAS}")
            yield con
        finally:
            try:
                con.execute("USE memory")
                con.execute(f"DETACH {READ_ALIAS}")
            except duckdb.Error:  # whatever state it is in, closing the instance releases the file
                _reader = None
                con.close()


def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor of con reading what con reads (a cursor starts in its instance's first database)."""
    cur = con.cursor()
    if con is _reader:
        cur.execute(f"USE {READ_ALIAS}")
    return cur


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection, write_through: bool = False) -> Iterator[None]:
    """All of the block's writes or none of them.

    write_through commits straight into the store file (a checkpoint at commit) rather than into
    the write-ahead log, which the store's close then copies into the file: for a large block,
    such as an import batch, the data are written once instead of twice.
    """
    if write_through:
        con.execute("SET checkpoint_threshold = '0b'")
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
    finally:
        if write_through:
            con.execute("RESET checkpoint_threshold")


def submission_count(con: duckdb.DuckDBPyConnection) -> int:
    """How many submission versions the store holds."""
    return int(con.execute("SELECT count(*) FROM submissions").fetchone()[0])


SCHEMA_VERSION_TABLE = "CREATE TABLE IF NOT EXISTS schema_version (fingerprint VARCHAR NOT NULL)"


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the tables if missing and (re)create the views, in one transaction.

    The store keeps a fingerprint of the schema it was given; when it is this code's, there is
    nothing to do (opening a store for writing used to rewrite every view each time).
    """
    sql, fingerprint = schema_sql()
    con.execute(SCHEMA_VERSION_TABLE)  # (asking for a missing table costs more: DuckDB looks for names like it)
    if con.execute("SELECT fingerprint FROM schema_version").fetchall() == [(fingerprint,)]:
        return
    with transaction(con):
        con.execute(sql)
        con.execute("DELETE FROM schema_version")
        con.execute("INSERT INTO schema_version VALUES (?)", [fingerprint])


@functools.cache
def schema_sql() -> tuple[str, str]:
    """This code's tables and views (schema.sql, views.sql) as SQL, and its fingerprint."""
    sql = "\n".join((HERE / name).read_text(encoding="utf-8") for name in ("schema.sql", "views.sql"))
    return sql, hashlib.sha256(sql.encode()).hexdigest()


def schema_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    """The fingerprint of the tables and views the store was last given (None: never given one)."""
    try:
        row = con.execute("SELECT fingerprint FROM schema_version").fetchone()
    except duckdb.CatalogException:
        return None
    return row[0] if row else None


def has_schema(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the store has been initialised (its tables exist)."""
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_name = 'submissions' AND table_catalog = current_database()").fetchone()
    return bool(row and row[0])


def sync_reference(con: duckdb.DuckDBPyConnection, reference: Reference) -> None:
    """Copy the register, rounds, requests and settings from data/ into the store.

    The store keeps a fingerprint of what it was last given; when data/ holds the same, the
    tables are left as they are (every import used to rewrite them).
    """
    s = reference.settings
    rows = {
        "agencies": [(a.name, a.short_name or None, list(a.aliases), a.ministry, a.previous_ministry or None,
                      a.ministry_changed_on) for a in reference.agencies],
        "ministries": list(reference.ministries.items()),
        "rounds": [(r.start_year, r.deadline, r.description) for r in reference.rounds],
        "requests": [(r.start_year, r.agency, r.letter_date, r.letter_ref or None, r.note or None)
                     for r in reference.requests],
        "events": [(e.label, e.start, e.end, e.note) for e in s.events],
        "settings": [(s.ambition_min, s.ambition_max, list(s.counting_statuses), s.reform_start, s.reform_end)],
    }
    fingerprint = hashlib.sha256(repr(rows).encode()).hexdigest()
    renames = _renames(con, reference)
    if not renames and con.execute("SELECT fingerprint FROM reference_version").fetchall() == [(fingerprint,)]:
        return
    with transaction(con):
        for table, table_rows in rows.items():
            con.execute(f"DELETE FROM {table}")
            insert_rows(con, table, table_rows)
        for old, new in renames:
            con.execute("UPDATE submissions SET agency = $new WHERE agency = $old AND start_year NOT IN "
                        "(SELECT start_year FROM submissions WHERE agency = $new)", {"new": new, "old": old})
        con.execute("DELETE FROM reference_version")
        con.execute("INSERT INTO reference_version VALUES (?)", [fingerprint])


def _renames(con: duckdb.DuckDBPyConnection, reference: Reference) -> list[tuple[str, str]]:
    """(stored name, the register's name now) for submissions stored under a name the register no longer has.

    A submission keeps the agency's name as the register had it at import. Renamed in data/agencies.csv (the old
    name kept as an alias), the agency showed «Ikke levert» under its new name, and its pilots under the old name
    without a ministry. Looked for at every sync, not only when data/ changed: a store renamed by a version before
    this one is mended too. A stored name no agency answers to stays as it is; so does a round the agency also
    has a report of its own for (two agencies merged: which report is current is not for a rename to decide).
    """
    names = {a.name for a in reference.agencies}
    rounds: dict[str, set[int]] = {}
    for agency, year in con.execute("SELECT DISTINCT agency, start_year FROM submissions").fetchall():
        rounds.setdefault(agency, set()).add(year)
    return [(old, agency.name) for old in rounds
            if old not in names and (agency := reference.agency_named(old)) is not None and agency.name != old
            and rounds[old] - rounds.get(agency.name, set())]  # a round left to move


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list[list] | list[tuple]) -> None:
    """Insert rows, each in the order of TABLE_COLUMNS[table], converted to the table's types.

    The types are the store's, never guessed from the values, so a column of blanks or of mixed
    Python types is converted the same way every time.
    """
    if not rows:
        return
    schema = arrow_schema(con, table)
    columns = zip(*rows, strict=True)
    # DuckDB finds incoming_rows among this function's locals (a replacement scan): registering
    # and unregistering it as a view costs more than the insert of a small table. A table of that
    # name in the store would be read instead; schema.sql has none, and nothing else creates tables.
    incoming_rows = pa.Table.from_arrays(  # noqa: F841 (read by the SQL below)
        [pa.array(values, type=t) for values, t in zip(columns, schema.types, strict=True)], schema=schema)
    names = ", ".join(schema.names)
    con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM incoming_rows")


# ---------------------------------------------------------------------------------------
# Writing imports

PILOT_KEYS = [f.key for f in PILOTS.fields]
PILOT_COLUMNS = ["position", *PILOT_KEYS, *(f"covers_e{e.number}" for e in ELEMENTS)]
MILESTONE_COLUMNS = ["position", "pilot_name", "name", "kind", "from_date", "to_date", "status"]
BUDGET_COLUMNS = ["position", "pilot_name", "year", "amount_nok", "category", "financing"]
TABLE_NAMES = {"pilots": "pilots", "milestones": "milestones", "budget": "budget_lines"}


def known_hashes(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, dt.datetime, int]]:
    """Every imported file's hash, with its name, import time and id: the same bytes again change nothing."""
    return {h: (name, at, file_id) for h, name, at, file_id in con.execute(
        "SELECT sha256, file_name, imported_at, file_id FROM source_files").fetchall()}


def current_source(con: duckdb.DuckDBPyConnection, agency: str, start_year: int,
                   sheet: str | None) -> tuple[str, str, dt.date | None] | None:
    """The file whose rows a submission shows now: of its latest version (sheet None: a workbook, which every later
    version replaces some of), or of the latest that replaced the sheet's table. Its hash, its kind (workbook,
    pilots, milestones or budget) and the version's Innsendt dato; None for no such version."""
    row = con.execute(
        "SELECT f.sha256, f.table_kind, s.submitted_on FROM submissions s JOIN source_files f USING (file_id) "
        "WHERE s.agency = $agency AND s.start_year = $year "
        "AND ($sheet IS NULL OR list_contains(string_split(s.replaced_tables, ', '), $sheet)) "
        "ORDER BY s.version DESC LIMIT 1", {"agency": agency, "year": start_year, "sheet": sheet}).fetchone()
    return tuple(row) if row else None


COMPARED_PILOT_KEYS = ("status", "start_date", "end_date")  # what an import preview says changed, with the total


def current_pilot_keys(con: duckdb.DuckDBPyConnection, submission_id: int) -> list[dict]:
    """Name, reference and total of each pilot of a submission version, with its status and dates."""
    rows = con.execute(
        f"SELECT pilot_name, pilot_ref, budget_total_nok, {', '.join(COMPARED_PILOT_KEYS)} FROM pilots "
        "WHERE submission_id = ? ORDER BY position", [submission_id]).fetchall()
    return [dict(zip(("pilot_name", "pilot_ref", "budget_total_nok", *COMPARED_PILOT_KEYS), row, strict=True))
            for row in rows]


# The Innsending fields a version stores; a CSV that does not carry them keeps the previous version's.
SUBMISSION_FIELDS = ("submitted_on", "contact_person", "email", "has_plans", "assessment", "union_involvement")
SUBMISSION_COLUMNS = ["submission_id", "agency", "start_year", "version", "file_id", "replaced_tables",
                      *SUBMISSION_FIELDS, "imported_at"]
FILE_COLUMNS = ["file_id", "file_name", "sha256", "content", "size_bytes", "file_kind", "table_kind", "imported_at",
                "warnings"]
ROW_COLUMNS = {"pilots": PILOT_COLUMNS, "milestones": MILESTONE_COLUMNS, "budget": BUDGET_COLUMNS}
PILOT_NAME = 1 + PILOT_COLUMNS.index("pilot_name")  # its place in a pilots row, after submission_id

# The columns written from Python, in the order the rows hold them; their types are the store's own.
TABLE_COLUMNS: dict[str, list[str]] = {
    "source_files": FILE_COLUMNS,
    "submissions": SUBMISSION_COLUMNS,
    **{table: ["submission_id", *ROW_COLUMNS[key]] for key, table in TABLE_NAMES.items()},
    "agencies": ["name", "short_name", "aliases", "ministry", "previous_ministry", "ministry_changed_on"],
    "ministries": ["short_name", "name"],
    "rounds": ["start_year", "deadline", "description"],
    "requests": ["start_year", "agency", "letter_date", "letter_ref", "note"],
    "events": ["label", "start_date", "end_date", "note"],
    "settings": ["ambition_min", "ambition_max", "counting_statuses", "reform_start", "reform_end"],
}
_ARROW_SCHEMAS: dict[str, pa.Schema] = {}


def arrow_schema(con: duckdb.DuckDBPyConnection, table: str) -> pa.Schema:
    """The Arrow types of TABLE_COLUMNS[table] as schema.sql declares them, asked of the store once per process."""
    if table not in _ARROW_SCHEMAS:
        names = ", ".join(TABLE_COLUMNS[table])
        _ARROW_SCHEMAS[table] = con.sql(f"SELECT {names} FROM {table} LIMIT 0").to_arrow_table().schema
    return _ARROW_SCHEMAS[table]


def current_versions(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, int], dict]:
    """The current version of every submission, by (agency, start_year)."""
    cur = con.execute("SELECT s.* FROM submissions s JOIN current_submission_ids USING (submission_id)")
    names = [d[0] for d in cur.description]
    return {(r["agency"], r["start_year"]): r for r in (dict(zip(names, row, strict=True)) for row in cur.fetchall())}


class BatchWriter:
    """Writes files and submission versions with one bulk insert per table, inside the caller's transaction.

    Ids are assigned here, so rows of many files can be buffered and inserted together; a table a
    file does not hold is carried over from the previous version, whether that is stored or buffered.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        self.next_file_id = 1 + con.execute("SELECT coalesce(max(file_id), 0) FROM source_files").fetchone()[0]
        self.next_submission_id = 1 + con.execute(
            "SELECT coalesce(max(submission_id), 0) FROM submissions").fetchone()[0]
        self.current = current_versions(con)
        self.files: list[list] = []
        self.submissions: list[list] = []
        self.rows: dict[str, dict[int, list[list]]] = {key: {} for key in TABLE_NAMES}  # table → version → rows

    def add_file(self, name: str, sha256: str, content: bytes, file_kind: str, table_kind: str,
                 warnings: Callable[[], list[str]], imported_at: dt.datetime, stored_id: int | None = None) -> int:
        """Keep an imported file's bytes; returns its id (stored_id for a file the store holds already).

        warnings is asked for when the batch is flushed: checks that need the whole batch may
        add to a file's warnings until then.
        """
        if stored_id is not None:  # imported again to be current again: its versions share the one copy
            return stored_id
        file_id = self.next_file_id
        self.next_file_id += 1
        self.files.append([file_id, name, sha256, content, len(content), file_kind, table_kind, imported_at, warnings])
        return file_id

    def add_version(self, *, agency: str, start_year: int, file_id: int, replaced_tables: str, fields: dict,
                    imported_at: dt.datetime, tables: dict[str, list[dict] | None]) -> int:
        """A new version of a submission: the tables given replace, the others are carried over.

        Milestones and budget rows carried over are kept only when their pilot still exists.
        Returns the new version number.
        """
        previous = self.current.get((agency, start_year))
        version = (previous["version"] + 1) if previous else 1
        new_id = self.next_submission_id
        self.next_submission_id += 1
        record = {"submission_id": new_id, "agency": agency, "start_year": start_year, "version": version,
                  "file_id": file_id, "replaced_tables": replaced_tables, "imported_at": imported_at,
                  **{k: fields.get(k) for k in SUBMISSION_FIELDS}}
        self.submissions.append([record[c] for c in SUBMISSION_COLUMNS])
        for key in TABLE_NAMES:
            if tables.get(key) is not None:
                self.rows[key][new_id] = self._rows(new_id, key, tables[key])
            elif previous is not None:
                names = {r[PILOT_NAME] for r in self.rows["pilots"].get(new_id, [])} if key != "pilots" else None
                self.rows[key][new_id] = self._carried(key, previous["submission_id"], new_id, names)
            else:  # a first version without this table has none of its rows; a later one need not ask the store
                self.rows[key][new_id] = []
        self.current[(agency, start_year)] = record
        return version

    @staticmethod
    def _rows(submission_id: int, key: str, rows: list[dict]) -> list[list]:
        """Parsed rows of one table as table rows of a submission version."""
        if key == "pilots":
            return [[submission_id, i, *map(r.get, PILOT_KEYS), *r["elements"]] for i, r in enumerate(rows, 1)]
        keys = ROW_COLUMNS[key][1:]
        return [[submission_id, i, *map(r.get, keys)] for i, r in enumerate(rows, 1)]

    def _carried(self, key: str, old_id: int, new_id: int, pilot_names: set[str] | None) -> list[list]:
        """A table's rows of the previous version (buffered or stored), for the new one."""
        old = self.rows[key].get(old_id)
        if old is None:
            columns = ", ".join(["submission_id", *ROW_COLUMNS[key]])
            old = self.con.execute(f"SELECT {columns} FROM {TABLE_NAMES[key]} WHERE submission_id = ? "
                                   "ORDER BY position", [old_id]).fetchall()
        if pilot_names is None:
            return [[new_id, *r[1:]] for r in old]
        # A Piloter CSV that writes a pilot's name in other case («Digital Søknad») keeps its rows, under the new name
        names = {name_key(n): n for n in pilot_names}
        return [[new_id, r[1], names[name_key(r[2])], *r[3:]] for r in old
                if r[2] is not None and name_key(r[2]) in names]

    def flush(self) -> None:
        """Insert everything buffered: one insert per table."""
        insert_rows(self.con, "source_files", [[*row[:-1], row[-1]()] for row in self.files])
        insert_rows(self.con, "submissions", self.submissions)
        for key, table in TABLE_NAMES.items():
            insert_rows(self.con, table, [r for part in self.rows[key].values() for r in part])
        self.files, self.submissions = [], []
        self.rows = {key: {} for key in TABLE_NAMES}


def holds_the_same(con: duckdb.DuckDBPyConnection, version: dict, fields: dict,
                   tables: dict[str, list[dict] | None]) -> bool:
    """Whether a stored version (a row of current_versions) holds exactly these Innsending fields and these tables'
    rows, as BatchWriter would write them: a workbook saved again with nothing changed in it."""
    if any(version[k] != fields.get(k) for k in SUBMISSION_FIELDS):
        return False
    for key, table in TABLE_NAMES.items():
        rows = tables.get(key)
        if rows is None:
            continue
        stored = con.execute(f"SELECT {', '.join(ROW_COLUMNS[key])} FROM {table} WHERE submission_id = ? "
                             "ORDER BY position", [version["submission_id"]]).fetchall()
        if stored != as_stored(key, rows):
            return False
    return True


def as_stored(key: str, rows: list[dict]) -> list[tuple]:
    """Parsed rows of one table (key as in TABLE_NAMES) as the store would hold them, from the position on: what
    tells two tables' content apart, and nothing else a parsed row carries."""
    return [tuple(row[1:]) for row in BatchWriter._rows(0, key, rows)]


def version_rows(con: duckdb.DuckDBPyConnection, key: str, submission_id: int) -> list[tuple]:
    """A version's milestones or budget rows (key as in TABLE_NAMES), each its columns after the position."""
    columns = ", ".join(ROW_COLUMNS[key][1:])
    return con.execute(f"SELECT {columns} FROM {TABLE_NAMES[key]} WHERE submission_id = ? ORDER BY position",
                       [submission_id]).fetchall()
