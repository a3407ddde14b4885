"""Running the app in AppTest the way a browser would, and reading the store a test checks against."""

from __future__ import annotations

from pathlib import Path

import duckdb
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


def open_app(monkeypatch, db: Path, page: str = "dashboard.py", query: dict | None = None) -> AppTest:
    """Open a page cold on a store, as a deep link would: the entry file does not run first."""
    monkeypatch.setenv("PILOT_DB", str(db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    if page != "dashboard.py":
        at.switch_page(page)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def rows(db: Path, query: str, params: list | None = None) -> list[tuple]:
    """All rows of a query on the store."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(query, params or []).fetchall()


def agency_without_pilots(db: Path) -> str:
    """The first registered agency (by name) that has no current pilot in the store."""
    (agency,) = rows(db, "SELECT name FROM agencies WHERE name NOT IN (SELECT agency FROM pilots_current) "
                         "ORDER BY name LIMIT 1")[0]
    return agency


NEW_ROUND = 2099  # a round no data/rounds.csv will have, and no date of an import will name


def add_round(db: Path, year: int, deadline, agencies: list[str]) -> None:
    """A new round in the store's register, as data/rounds.csv and data/requests.csv give it: its deadline (None:
    requests.csv asks for a round rounds.csv lacks), and a registered letter asking each of these agencies to report."""
    with duckdb.connect(str(db)) as con:
        if deadline is not None:
            con.execute("INSERT INTO rounds VALUES (?, ?, 'Ny runde')", [year, deadline])
        con.executemany("INSERT INTO requests VALUES (?, ?, DATE '2026-11-02', 'KDD 26/1234', NULL)",
                        [[year, agency] for agency in agencies])
