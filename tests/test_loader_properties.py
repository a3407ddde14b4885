"""Properties of the loaders for any input: never raise, never half-import.

For random bytes, valid files with one cell replaced, and truncated files: parse_file returns
problems instead of raising; a file with errors yields no submissions; every error says what was
expected and names the file; and importing it either imports it completely or leaves every table
of the store exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import struct

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from loaders.importer import import_files
from loaders.parsing import parse_file
from loaders.reading import UnreadableFile, _central_directory, _zipfile_listing
from store import database
from tests.form_files import (
    budget_line,
    csv_grid,
    csv_pilot,
    csv_row,
    grid_csv_bytes,
    milestone,
    raw_workbook,
    rezipped,
    valid_pilot,
    valid_submission,
    workbook,
    workbook_sheets,
)

TABLES = ("source_files", "submissions", "pilots", "milestones", "budget_lines")
VIEWS = {"pilots": "pilots_current", "milestones": "milestones_current", "budget": "budget_lines_current"}

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# A valid workbook with every sheet, as grids (sheet name → rows) to mutate one cell of.
BASE_SHEETS = workbook_sheets(
    innsending=valid_submission(),
    pilots=[valid_pilot(pilot_ref="HB-1", themes="Digitalisering; Ledelse", person_years=1.5),
            valid_pilot(pilot_name="Veiledning", needs_exemption="Ja", exemption_rules="Forskrift § 2",
                        budget_total_nok="400 000 kr", status="Pågår")],
    milestones=[milestone(pilot="HB-1", name="Fase 1", kind="Fase", from_date="1.3.2024", to_date="30.6.2024"),
                milestone(pilot="Veiledning", name="Lansering")],
    budget=[budget_line(pilot="HB-1", amount=1_000_000), budget_line(pilot="HB-1", year=2025, amount="0,5 mill.")],
    title_rows=1)
BASE_WORKBOOK = raw_workbook(BASE_SHEETS)

# Valid CSVs of each table, as grids; the milestone and budget CSVs refer to the base workbook's pilots.
BASE_CSVS = {
    "piloter.csv": csv_grid([csv_pilot(agency="Kartverket", pilot_ref="K1"),
                             csv_pilot(agency="Kartverket", pilot_name="Kart for alle", status="Planlagt")]),
    "milepæler.csv": csv_grid([csv_row(milestone(pilot="HB-1", name="Start")),
                               csv_row(milestone(pilot="Veiledning", name="Fase", kind="Fase",
                                                 to_date="1.8.2024"))]),
    "budsjett.csv": csv_grid([csv_row(budget_line(pilot="hb-1", amount="1 500 000")),
                              csv_row(budget_line(pilot="Veiledning", amount=400_000))]),
}
BASE_CSV_BYTES = {name: grid_csv_bytes(grid) for name, grid in BASE_CSVS.items()}


@pytest.fixture(scope="module")
def con(tmp_path_factory, reference):
    """One store for the module, holding the base workbook so CSVs have a submission to update."""
    path = tmp_path_factory.mktemp("properties") / "pilots.duckdb"
    with database.open_store(path) as connection:
        plans = import_files(connection, [("base.xlsx", BASE_WORKBOOK)], reference)
        assert [p.outcome for p in plans] == ["imported"], [str(x) for p in plans for x in p.problems]
        yield connection


def table_counts(con) -> dict[str, int]:
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def check_file(con, reference, name: str, content: bytes) -> None:
    """The properties every file must have, whatever its bytes."""
    parsed = parse_file(name, content, reference)  # must not raise
    if parsed.errors:
        assert parsed.submissions == []
    for problem in parsed.errors:
        assert problem.expected.strip()
        assert problem.file == name
        assert name in str(problem)

    before = table_counts(con)
    [plan] = import_files(con, [(name, content)], reference)
    after = table_counts(con)
    event(f"outcome: {plan.outcome}")
    if plan.outcome != "imported":
        assert plan.outcome in ("refused", "unchanged")
        assert after == before, [str(p) for p in plan.problems]
        return
    # imported completely: the file, one version per submission, and the current views hold its rows
    assert not plan.parsed.errors
    # a file imported before and replaced since by an older copy is current again with its stored bytes
    assert after["source_files"] == before["source_files"] + (plan.stored_file_id is None)
    assert after["submissions"] == before["submissions"] + len(plan.parsed.submissions)
    for data in plan.parsed.submissions:
        for key, rows in data.tables.items():
            if rows is None:
                continue
            stored = con.execute(f"SELECT count(*) FROM {VIEWS[key]} WHERE agency = ? AND start_year = ?",
                                 [data.agency, data.start_year]).fetchone()[0]
            assert stored == len(rows), (key, data.agency, data.start_year)


# ---------------------------------------------------------------------------------------------
# (a) random bytes


@FAST
@given(content=st.one_of(st.binary(max_size=3000),
                         st.binary(max_size=3000).map(lambda b: b"PK\x03\x04" + b),
                         st.binary(max_size=600).map(lambda b: BASE_WORKBOOK[:200] + b + BASE_WORKBOOK[-200:])),
       name=st.sampled_from(["skjema.xlsx", "skjema.csv", "Husbanken 2024.xlsm"]))
def test_random_bytes_never_raise_and_never_change_the_store(con, reference, content, name):
    check_file(con, reference, name, content)


CENTRAL = BASE_WORKBOOK.find(b"PK\x01\x02")  # the zip's central directory: the loader reads it itself


@FAST
@given(at=st.integers(min_value=CENTRAL, max_value=len(BASE_WORKBOOK) - 1), patch=st.binary(min_size=1, max_size=4))
def test_a_workbook_with_its_zip_listing_damaged_never_raises_and_never_half_imports(con, reference, at, patch):
    content = BASE_WORKBOOK[:at] + patch + BASE_WORKBOOK[at + len(patch):]
    check_file(con, reference, "skjema.xlsx", content[:len(BASE_WORKBOOK)])


# a zip64 locator (spanning two disks) where zipfile looks for one: zipfile refuses the file
ZIP64_LOCATOR = rezipped(BASE_WORKBOOK, last_member_comment=b"PK\x06\x07" + struct.pack("<LQL", 0, 0, 2))


@FAST
@given(at=st.integers(min_value=CENTRAL, max_value=len(BASE_WORKBOOK) - 1),
       patch=st.one_of(st.binary(min_size=1, max_size=4), st.just(b"\x00")))
@example(at=CENTRAL + 46, patch=b"\x00").via("a member name starting with NUL, which zipfile cuts short")
def test_the_loaders_own_zip_listing_is_what_zipfile_reads(at, patch):
    # the loader reads the zip listing of the usual layout itself, to judge size and type quickly;
    # where it does, its answer must be zipfile's
    content = (BASE_WORKBOOK[:at] + patch + BASE_WORKBOOK[at + len(patch):])[:len(BASE_WORKBOOK)]
    event("read by the loader" if _central_directory(content) is not None else "left to zipfile")
    check_listing(content)


def test_the_loader_reads_the_listing_of_the_usual_layout_itself_and_as_zipfile_does():
    # the property above holds trivially if the loader never reads a listing: here it must
    for content in (BASE_WORKBOOK, workbook(pilots=[valid_pilot()])):
        assert _central_directory(content) == _zipfile_listing(content)


def test_a_zip64_locator_before_the_end_record_leaves_the_listing_to_zipfile():
    check_listing(ZIP64_LOCATOR)
    with pytest.raises(UnreadableFile):
        _zipfile_listing(ZIP64_LOCATOR)


def check_listing(content: bytes) -> None:
    """The loader's own zip listing, where it gives one, is zipfile's."""
    own = _central_directory(content)
    if own is not None:
        try:
            assert own == _zipfile_listing(content)
        except UnreadableFile:
            pytest.fail("the loader read a zip listing zipfile refuses")


# ---------------------------------------------------------------------------------------------
# (b) a valid file with one cell replaced

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\n\t"), max_size=25)
LIKELY = st.sampled_from(["", " ", "Ja", "Nei", "x", "kanskje", "2024", "2024.0", "tjuefire", "31.10.2023",
                          "31.13.2023", "mars 2024", "snart", "-5", "2,5 MNOK", "1 500 000 kr", "Fase", "Milepæl",
                          "Pågår", "HB-1", "hb-1", "Veiledning", "Ukjent pilot", "Husbanken", "Husbankn", "HB",
                          "Kartverket", "Pilotnavn", "Status", "Virksomhet", "Oppstartsår", "Felt", "Verdi", ";",
                          ",", '"', "\n", "=1+1", "Digital søknad"])
CELL_VALUES = st.one_of(
    TEXT, LIKELY, st.none(), st.booleans(),
    st.integers(min_value=-10**12, max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15),
    st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2100, 12, 31)),
)


@st.composite
def workbook_with_one_cell_replaced(draw) -> bytes:
    sheets = {name: [list(row) for row in rows] for name, rows in BASE_SHEETS.items()}
    sheet = draw(st.sampled_from([name for name in sheets if name != "Veiledning"]))
    rows = sheets[sheet]
    r = draw(st.integers(min_value=0, max_value=len(rows)))  # one past the end appends a row
    if r == len(rows):
        rows.append([])
    width = max(len(row) for row in rows)
    c = draw(st.integers(min_value=0, max_value=width))      # one past the end adds a column
    row = rows[r]
    row.extend([None] * (c + 1 - len(row)))
    row[c] = draw(CELL_VALUES)
    return raw_workbook(sheets)


@st.composite
def csv_with_one_cell_replaced(draw) -> tuple[str, bytes]:
    name = draw(st.sampled_from(sorted(BASE_CSVS)))
    grid = [list(row) for row in BASE_CSVS[name]]
    r = draw(st.integers(min_value=0, max_value=len(grid) - 1))
    c = draw(st.integers(min_value=0, max_value=len(grid[r])))
    grid[r].extend([""] * (c + 1 - len(grid[r])))
    grid[r][c] = draw(CELL_VALUES)
    delimiter = draw(st.sampled_from([";", ",", "\t"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig"]))
    return name, grid_csv_bytes(grid, delimiter, encoding)


@FAST
@given(content=workbook_with_one_cell_replaced())
def test_a_workbook_with_one_cell_replaced_imports_completely_or_not_at_all(con, reference, content):
    check_file(con, reference, "skjema.xlsx", content)


@FAST
@given(file=csv_with_one_cell_replaced())
def test_a_csv_with_one_cell_replaced_imports_completely_or_not_at_all(con, reference, file):
    name, content = file
    check_file(con, reference, name, content)


# ---------------------------------------------------------------------------------------------
# (c) truncated files


@FAST
@given(cut=st.integers(min_value=0, max_value=len(BASE_WORKBOOK) - 1))
def test_a_truncated_workbook_is_refused_with_one_error_and_nothing_written(con, reference, cut):
    content = BASE_WORKBOOK[:cut]
    parsed = parse_file("skjema.xlsx", content, reference)
    assert len(parsed.errors) == 1 and parsed.submissions == []
    check_file(con, reference, "skjema.xlsx", content)


@FAST
@given(name=st.sampled_from(sorted(BASE_CSV_BYTES)), data=st.data())
def test_a_truncated_csv_imports_completely_or_not_at_all(con, reference, name, data):
    content = BASE_CSV_BYTES[name]
    cut = data.draw(st.integers(min_value=0, max_value=len(content) - 1))
    check_file(con, reference, name, content[:cut])
