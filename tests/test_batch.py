"""Reading a batch of files with a forked worker gives what reading them one by one gives."""

from __future__ import annotations

import pytest

from loaders.batch import MIN_FILES, parse_files, worker_pays
from loaders.importer import import_files
from loaders.parsing import parse_file
from store import database
from tests.form_files import (
    budget_line,
    csv_bytes,
    csv_row,
    milestone,
    no_plans_submission,
    valid_pilot,
    valid_submission,
    workbook,
)

VIEWS = ("submissions_current", "pilots_current", "milestones_current", "budget_lines_current")
AGENCIES = ["Husbanken", "Kartverket", "Statsbygg", "Valgdirektoratet", "Datatilsynet", "Distriktssenteret",
            "Digitaliseringsdirektoratet"]


def mixed_batch() -> list[tuple[str, bytes]]:
    """Good workbooks, workbooks and CSVs with errors, garbage and a milestone CSV, more than MIN_FILES."""
    files = []
    for i in range(MIN_FILES + 4):
        agency, year = AGENCIES[i % len(AGENCIES)], 2023 + i % 2
        if i % 7 == 3:
            files.append((f"{i:02d}_feil.xlsx", workbook(pilots=[valid_pilot(start_date="snart", status="Kanskje")])))
        elif i % 7 == 5:
            files.append((f"{i:02d}_søppel.xlsx", b"PK\x03\x04 ikke en arbeidsbok"))
        elif i % 7 == 6:
            files.append((f"{i:02d}_ingen.xlsx", workbook(innsending=no_plans_submission(agency=agency), pilots=[])))
        else:
            pilots = [valid_pilot(pilot_name=f"Pilot {i}-{n}", pilot_ref=f"P{n}") for n in range(1 + i % 3)]
            files.append((f"{i:02d}.xlsx", workbook(innsending=valid_submission(agency=agency, start_year=year),
                                                    pilots=pilots, milestones=[milestone(pilot="P0")],
                                                    budget=[budget_line(pilot="P0")])))
    files.append(("zz_milepæler.csv", csv_bytes([csv_row(milestone(pilot="P0", name="Ny"), agency="Husbanken",
                                                         start_year=2023)])))
    return files


def outcome(parsed) -> tuple:
    """Everything a parsed file tells the user and the store."""
    return (parsed.name, parsed.content, parsed.kind, parsed.table, parsed.sha256,
            [str(p) for p in parsed.problems], [p.is_warning for p in parsed.problems],
            [(s.agency, s.start_year, s.fields, s.pilots, s.milestones, s.budget) for s in parsed.submissions])


@pytest.fixture
def batch() -> list[tuple[str, bytes]]:
    files = mixed_batch()
    if not worker_pays(len(files)):
        pytest.skip("this machine reads the batch without a worker (one CPU, or other threads running)")
    return files


def test_a_batch_read_with_the_worker_gives_every_file_what_reading_it_alone_gives(batch, reference):
    alone = [outcome(parse_file(name, content, reference)) for name, content in batch]
    assert [outcome(p) for p in parse_files(batch, reference)] == alone
    assert {len(o[5]) > 0 for o in alone} == {True, False}  # the batch has refused and accepted files


def test_a_batch_imported_with_the_worker_stores_what_importing_it_one_by_one_stores(batch, reference, tmp_path):
    def imported(path, batches):
        outcomes = []
        with database.open_store(path) as con:
            database.sync_reference(con, reference)
            for files in batches:
                plans = import_files(con, files, reference)
                outcomes += [(p.name, p.outcome, [str(e) for e in p.problems]) for p in plans]
            tables = {view: con.execute(f"SELECT * FROM {view} ORDER BY ALL").fetchall()
                      for view in VIEWS}
        return sorted(outcomes), tables

    together = imported(tmp_path / "together.duckdb", [batch])
    # one by one, yet in the order the batch is planned in: workbooks first, then the milestone CSV
    one_by_one = imported(tmp_path / "one_by_one.duckdb", [[f] for f in batch])
    assert together == one_by_one
    assert len(together[1]["submissions_current"]) >= 8 and together[1]["milestones_current"]
