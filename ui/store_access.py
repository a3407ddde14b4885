"""The dashboard's door to the store: cached reads keyed by the file's signature, and imports.

Reads open a short read-only connection and are cached (st.cache_resource) under the
file's size and modification time, so a CLI import (which changes both) is seen on the
next rerun without anyone clearing anything, and most reruns touch no file at all.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from exports.common import short_names
from loaders.importer import FilePlan, import_into_store, plan_import
from loaders.register import load_reference
from store import database, queries
from store.queries import PilotFilter


def store_path() -> Path:
    """The store the dashboard shows: $PILOT_DB or data/pilots.duckdb."""
    return database.db_path()


signature = database.signature  # the key of every cached read


@st.cache_resource(show_spinner=False, max_entries=64)
def _read(name: str, sig: tuple, filter_key: tuple | None, args: tuple) -> object:
    """Run queries.<name> on a read-only connection; cached per store signature and filter.

    A resource cache, shared and not copied on every hit (st.cache_data unpickles a full copy,
    which at 20 000 pilots costs more than the page); read() hands out shallow copies instead.
    """
    with database.reading(Path(sig[0])) as con:
        func = getattr(queries, name)
        try:
            if filter_key is None:
                return func(con, *args)
            return func(con, PilotFilter(*filter_key), *args)
        except duckdb.CatalogException:
            # Asked only when a table is missing: asking before every read was 4 ms of each (a filter change
            # makes three). A file without the store's tables is an uninitialised store, not a broken one.
            if not database.has_schema(con):
                raise database.StoreMissing("Databasen er ikke initialisert") from None
            raise


def read(name: str, f: PilotFilter | None = None, *args: object) -> object:
    """A query's result for the current store, through the cache; a store error stops the page with a message."""
    key = None if f is None else f.key()
    try:
        result = _read(name, signature(store_path()), key, args)
        # A shallow copy costs nothing under copy-on-write and keeps the cached frame safe from pages.
        return result.copy(deep=False) if isinstance(result, pd.DataFrame) else copy.copy(result)
    except database.StoreBusy as exc:
        st.error(str(exc), icon=":material/lock:")
    except database.StoreUnreadable as exc:
        st.error(str(exc), icon=":material/error:")
    except (database.StoreMissing, duckdb.Error) as exc:
        st.error(database.read_failure(store_path(), exc), icon=":material/error:")
    st.stop()


def state() -> str:
    """'missing' (no file or not a store), 'empty' (no submissions), 'broken' (a query fails) or 'ok'.

    Raises StoreBusy or StoreUnreadable when the file cannot be opened; their messages say why.
    """
    path = store_path()
    if not path.exists():
        return "missing"
    try:
        _bring_schema_up_to_date(path)
        summary = _read("store_summary", signature(path), None, ())
    except database.StoreMissing:
        return "missing"
    except duckdb.Error:
        return "broken"
    return "ok" if summary["submissions"] else "empty"


def _bring_schema_up_to_date(path: Path) -> None:
    """Give a store written by an earlier version this code's views (and new tables) before anything reads it.

    The dashboard reads; views were brought up to date only when a store was opened for writing (an import,
    `make run`'s `loaders init`). A server started on its own, after an update, failed on a view's new column.
    """
    fingerprint = _read("schema_fingerprint", signature(path), None, ())
    if fingerprint is not None and fingerprint != database.schema_sql()[1]:
        with database.open_store(path):  # ensure_schema, in one transaction; the file's signature changes with it
            pass


@st.cache_resource(show_spinner=False)
def reference():
    """The register and settings from data/ (read once per server)."""
    return load_reference()


def preview(files: list[tuple[str, bytes]]) -> list[FilePlan]:
    """What importing these files would do; writes nothing (an empty store is created if missing)."""
    path = store_path()
    if not path.exists():
        with database.open_store(path):
            pass
    with database.open_store(path, read_only=True) as con:
        return plan_import(con, files, reference())


def run_import(files: list[tuple[str, bytes]], progress: Callable[[int, int, str], None] | None = None
               ) -> list[FilePlan]:
    """Import files into the store and forget cached reads."""
    plans = import_into_store(store_path(), files, reference(), progress)
    _read.clear()  # the new signature would miss the cache anyway; this frees the memory
    return plans


def load_sample() -> list[FilePlan]:
    """Import the bundled sample sector."""
    from loaders.__main__ import SAMPLE_DIR

    files = [(p.name, p.read_bytes()) for p in sorted(SAMPLE_DIR.iterdir()) if p.suffix in (".xlsx", ".csv")]
    return run_import(files)


def frame(name: str, f: PilotFilter | None = None, *args: object) -> pd.DataFrame:
    """Typed shortcut for queries that return a DataFrame."""
    result = read(name, f, *args)
    assert isinstance(result, pd.DataFrame)
    return result


def abbreviations() -> dict[str, str]:
    """Each agency's abbreviation in the store's register, '' for one without (the charts' and files' short names)."""
    return short_names(frame("agencies"))
