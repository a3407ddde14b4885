"""Shared fixtures: the reference data, an empty store, and the sample sector loaded once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from loaders.importer import import_files
from loaders.register import DATA_DIR, load_reference
from store import database

SAMPLE_DIR = DATA_DIR / "samples"


@pytest.fixture(scope="session")
def reference():
    """The register, rounds and settings from data/."""
    return load_reference()


@pytest.fixture
def store_path(tmp_path: Path, reference) -> Path:
    """A fresh, initialised store file with the reference data and no submissions."""
    path = tmp_path / "pilots.duckdb"
    with database.open_store(path) as con:
        database.sync_reference(con, reference)
    return path


def sample_files() -> list[tuple[str, bytes]]:
    """The bundled sample files, as the CLI would read them."""
    return [(p.name, p.read_bytes()) for p in sorted(SAMPLE_DIR.iterdir()) if p.suffix in (".xlsx", ".csv")]


@pytest.fixture(scope="session")
def sample_db_master(tmp_path_factory, reference) -> Path:
    """The sample sector imported once per test session (copy it before writing)."""
    path = tmp_path_factory.mktemp("sample") / "sample.duckdb"
    with database.open_store(path) as con:
        plans = import_files(con, sample_files(), reference)
    refused = [p for p in plans if p.outcome == "refused"]
    assert not refused, [str(x) for p in refused for x in p.problems]
    return path


@pytest.fixture
def sample_db(sample_db_master: Path, tmp_path: Path) -> Path:
    """A private copy of the sample store that a test may change."""
    path = tmp_path / "sample.duckdb"
    shutil.copy(sample_db_master, path)
    return path
