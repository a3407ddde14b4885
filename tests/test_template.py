"""The blank reporting form: its sheets, labels, drop-downs and formats, and that it round-trips the parser."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from loaders.contract import (
    BUDGET,
    DATA_TABLES,
    ELEMENTS,
    GUIDE_SHEET,
    LISTS_SHEET,
    MILESTONES,
    PILOTS,
    SUBMISSION,
    SUBMISSION_HEADERS,
    Field,
    Table,
)
from loaders.parsing import ParsedFile, parse_file
from loaders.register import Reference, load_reference
from loaders.template import (
    DATA_FIRST_ROW,
    DATA_HEADER_ROW,
    DATA_LAST_ROW,
    FORM_SHEETS,
    SUBMISSION_FIRST_ROW,
    SUBMISSION_HEADER_ROW,
    SUBMISSION_VALUE_COLUMN,
    build_template,
    data_column,
    submission_row,
    template_bytes,
    write_template,
)


@pytest.fixture(scope="module")
def reference() -> Reference:
    """The project's own reference data."""
    return load_reference()


@pytest.fixture
def template_path(tmp_path: Path, reference: Reference) -> Path:
    """The blank template written to a file."""
    path = tmp_path / "rapporteringsskjema.xlsx"
    write_template(path, reference)
    return path


@pytest.fixture
def book(template_path: Path) -> Workbook:
    """The blank template as an agency opens it."""
    return openpyxl.load_workbook(template_path)


def _validation_at(sheet: Worksheet, coordinate: str) -> DataValidation | None:
    """The data validation covering a cell, if any."""
    return next((dv for dv in sheet.data_validations.dataValidation if coordinate in dv.sqref), None)


def _listed_values(book: Workbook, dv: DataValidation) -> list[str]:
    """The values a list validation offers: inline, or read from the range it points at."""
    formula = dv.formula1
    if formula.startswith('"'):
        return formula.strip('"').split(",")
    sheet_name, cells = formula.rsplit("!", 1)
    sheet = book[sheet_name.strip("'")]
    min_col, min_row, max_col, max_row = range_boundaries(cells.replace("$", ""))
    return [sheet.cell(r, c).value for r in range(min_row, max_row + 1) for c in range(min_col, max_col + 1)]


def _header(sheet: Worksheet) -> list[str]:
    """The labels of a data sheet's header row."""
    return [c.value for c in sheet[DATA_HEADER_ROW] if c.value is not None]


def _closed_list_fields(table: Table) -> list[Field]:
    """A table's fields that take a value from a closed list."""
    return [f for f in table.fields if f.kind in ("yes_no", "choice")]


def _set_submission(sheet: Worksheet, values: dict[str, object]) -> None:
    """Fill Innsending's Verdi cells by field key."""
    for key, value in values.items():
        sheet.cell(submission_row(key), SUBMISSION_VALUE_COLUMN, value)


def _add_rows(sheet: Worksheet, table: Table, rows: list[dict[str, object]]) -> None:
    """Fill a data sheet's rows below its header, columns by field key."""
    for index, row in enumerate(rows):
        for key, value in row.items():
            sheet.cell(DATA_FIRST_ROW + index, data_column(table, key), value)


def _save_and_parse(book: Workbook, path: Path, reference: Reference) -> ParsedFile:
    """Save a filled-in workbook and parse its bytes as an upload."""
    book.save(path)
    return parse_file(path.name, path.read_bytes(), reference)


PILOT_ROWS = [
    {"pilot_ref": "P1", "pilot_name": "Tillitsbasert saksbehandling", "status": "Pågår",
     "trust_relation": "Ledere og ansatte", "problem": "For mye detaljstyring", "goals": "Mer handlingsrom",
     "themes": "Styring; Rapportering", "needs_exemption": "Nei", "start_date": dt.date(2024, 3, 1),
     "end_date": dt.date(2025, 6, 30), "budget_total_nok": 1_500_000, "within_budget_frame": "Ja",
     "person_years": 1.5, "documentation": "Logg og intervjuer", "evaluation": "Følgeevaluering"},
    {"pilot_name": "Færre rapporteringskrav", "problem": "Dobbel rapportering", "goals": "Halvere rapporteringen",
     "needs_exemption": "Ja", "exemption_rules": "Økonomiregelverket", "start_date": dt.date(2024, 9, 1),
     "end_date": dt.date(2024, 12, 31), "budget_total_nok": 250_000, "within_budget_frame": "Delvis"},
]
MILESTONE_ROWS = [
    {"pilot": "P1", "name": "Oppstart", "from_date": dt.date(2024, 3, 1)},
    {"pilot": "P1", "name": "Utprøving", "kind": "Fase", "from_date": dt.date(2024, 4, 1),
     "to_date": dt.date(2025, 3, 31), "status": "Pågår"},
    {"pilot": "Færre rapporteringskrav", "name": "Evaluering", "from_date": dt.date(2024, 12, 1)},
]
BUDGET_ROWS = [
    {"pilot": "P1", "year": 2024, "amount_nok": 1_000_000, "category": "Lønn"},
    {"pilot": "P1", "year": 2025, "amount_nok": 500_000, "category": "Drift", "financing": "Ekstra behov"},
    {"pilot": "Færre rapporteringskrav", "year": 2024, "amount_nok": 250_000},
]


def test_the_template_has_the_form_sheets_in_order_and_a_hidden_lists_sheet(book: Workbook) -> None:
    visible = [s.title for s in book.worksheets if s.sheet_state == "visible"]
    assert visible == [GUIDE_SHEET, SUBMISSION.sheet, PILOTS.sheet, MILESTONES.sheet, BUDGET.sheet]
    assert tuple(visible) == FORM_SHEETS
    assert book.sheetnames == [*FORM_SHEETS, LISTS_SHEET]
    assert book[LISTS_SHEET].sheet_state == "hidden"


def test_each_data_sheet_carries_every_contract_label_in_order(book: Workbook) -> None:
    for table in DATA_TABLES:
        assert _header(book[table.sheet]) == [f.label for f in table.fields]


def test_innsending_has_felt_and_verdi_then_one_row_per_field_with_a_blank_value(book: Workbook) -> None:
    sheet = book[SUBMISSION.sheet]
    assert [sheet.cell(SUBMISSION_HEADER_ROW, c).value for c in (1, 2)] == list(SUBMISSION_HEADERS)
    labels = [sheet.cell(SUBMISSION_FIRST_ROW + i, 1).value for i in range(len(SUBMISSION.fields))]
    assert labels == [f.label for f in SUBMISSION.fields]
    assert all(sheet.cell(submission_row(f.key), SUBMISSION_VALUE_COLUMN).value is None for f in SUBMISSION.fields)


def test_every_closed_list_column_has_a_drop_down_of_exactly_its_choices(book: Workbook) -> None:
    for table in DATA_TABLES:
        sheet = book[table.sheet]
        for f in _closed_list_fields(table):
            letter = get_column_letter(data_column(table, f.key))
            dv = _validation_at(sheet, f"{letter}{DATA_FIRST_ROW}")
            assert dv is not None and dv.type == "list", f.label
            assert f"{letter}{DATA_LAST_ROW}" in dv.sqref
            assert _listed_values(book, dv) == list(f.choices), f.label


def test_innsending_offers_yes_no_the_register_agency_names_and_the_rounds(
        book: Workbook, reference: Reference) -> None:
    sheet = book[SUBMISSION.sheet]
    has_plans = _validation_at(sheet, sheet.cell(submission_row("has_plans"), SUBMISSION_VALUE_COLUMN).coordinate)
    assert _listed_values(book, has_plans) == list(SUBMISSION.field("has_plans").choices)
    agency = _validation_at(sheet, sheet.cell(submission_row("agency"), SUBMISSION_VALUE_COLUMN).coordinate)
    assert LISTS_SHEET in agency.formula1
    assert sorted(_listed_values(book, agency)) == sorted(a.name for a in reference.agencies)
    year = _validation_at(sheet, sheet.cell(submission_row("start_year"), SUBMISSION_VALUE_COLUMN).coordinate)
    assert _listed_values(book, year) == [str(y) for y in sorted({r.start_year for r in reference.rounds})]
    assert year.errorStyle == "warning" and agency.errorStyle == "warning"


def test_the_form_guards_against_the_fillers_common_slips(book: Workbook) -> None:
    # from a review as an agency would fill it in: a pilot misspelt on Milepæler was found only at the import, a
    # budget in thousands went in as kroner, a deleted sheet as «no milestones», choices were cut in their column
    piloter = f"{get_column_letter(data_column(PILOTS, 'pilot_name'))}${DATA_FIRST_ROW}"
    for table in (MILESTONES, BUDGET):
        letter = get_column_letter(data_column(table, "pilot"))
        pilot = _validation_at(book[table.sheet], f"{letter}{DATA_FIRST_ROW}")
        assert pilot.type == "list" and pilot.errorStyle == "warning" and f"'Piloter'!${piloter}" in pilot.formula1
        assert f"{letter}{DATA_LAST_ROW}" in pilot.sqref
    for table, key in ((PILOTS, "budget_total_nok"), (BUDGET, "amount_nok")):
        amount = _validation_at(book[table.sheet], f"{get_column_letter(data_column(table, key))}{DATA_FIRST_ROW}")
        assert amount.showInputMessage and "ikke i tusen" in amount.prompt and amount.errorStyle == "warning"
    assert book.security.lockStructure
    for table in DATA_TABLES:
        sheet = book[table.sheet]
        for f in table.fields:
            width = sheet.column_dimensions[get_column_letter(data_column(table, f.key))].width
            assert width >= max((len(c) for c in f.choices or ()), default=0), f.label
        assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.page_setup.orientation == "landscape"


def test_free_text_columns_have_no_drop_down(book: Workbook) -> None:
    sheet = book[PILOTS.sheet]
    for f in PILOTS.fields:
        if f.kind == "text":
            letter = get_column_letter(data_column(PILOTS, f.key))
            assert _validation_at(sheet, f"{letter}{DATA_FIRST_ROW}") is None, f.label


def test_date_amount_and_person_year_columns_are_formatted(book: Workbook) -> None:
    # as a Norwegian Excel shows them: 31.10.2023, 1 500 000, 0,25
    formats = {"date": "DD.MM.YYYY", "amount": "#,##0", "number": "0.0#"}
    for table in DATA_TABLES:
        sheet = book[table.sheet]
        for f in table.fields:
            if f.kind in formats:
                letter = get_column_letter(data_column(table, f.key))
                assert sheet.column_dimensions[letter].number_format == formats[f.kind], f.label
    submitted = book[SUBMISSION.sheet].cell(submission_row("submitted_on"), SUBMISSION_VALUE_COLUMN)
    assert submitted.number_format == "DD.MM.YYYY"


def test_header_rows_are_frozen(book: Workbook) -> None:
    for name in (SUBMISSION.sheet, *(t.sheet for t in DATA_TABLES)):
        frozen = book[name].freeze_panes
        assert frozen is not None and int(frozen.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) == DATA_FIRST_ROW, name


def test_required_columns_are_marked_alike_and_apart_from_the_others(book: Workbook) -> None:
    sheet = book[PILOTS.sheet]
    fills = {f.required: set() for f in PILOTS.fields}
    for f in PILOTS.fields:
        cell = sheet.cell(DATA_HEADER_ROW, data_column(PILOTS, f.key))
        assert cell.font.bold
        fills[f.required].add(cell.fill.fgColor.rgb)
    assert len(fills[True]) == 1 and len(fills[False]) == 1 and fills[True] != fills[False]


def test_the_guide_explains_every_field_element_question_and_round_deadline(book: Workbook,
                                                                          reference: Reference) -> None:
    text = "\n".join(str(v) for row in book[GUIDE_SHEET].iter_rows(values_only=True) for v in row if v)
    for table in (SUBMISSION, *DATA_TABLES):
        for f in table.fields:
            assert f.label in text and f.help in text, f.label
    for element in ELEMENTS:
        assert f"{element.number} {element.name}" in text and element.questions in text
    for round_ in reference.rounds:
        assert f"{round_.deadline:%d.%m.%Y}" in text
    for phrase in ("31.10.2023", "1 500 000", "semikolon (;)", "Pilot-ID", "Pilotnavn", "gul bakgrunn"):
        assert phrase in text
    # the loader reads a month alone as the month's last day where a date ends something: the agencies are told
    assert "«desember 2024» er 31.12.2024" in text and "«Sluttdato» og «Til dato»" in text


def test_the_workbook_has_a_title(book: Workbook) -> None:
    assert book.properties.title == "Rapporteringsskjema for piloter i tillitsreformen"  # File › Info in Excel


def test_template_bytes_is_an_xlsx_with_the_same_sheets(reference: Reference, tmp_path: Path) -> None:
    content = template_bytes(reference)
    assert content.startswith(b"PK")
    path = tmp_path / "fra_bytes.xlsx"
    path.write_bytes(content)
    assert openpyxl.load_workbook(path).sheetnames == build_template(reference).sheetnames


def test_the_blank_template_parses_to_a_clear_error_without_a_submission(template_path: Path,
                                                                        reference: Reference) -> None:
    parsed = parse_file(template_path.name, template_path.read_bytes(), reference)
    assert parsed.submissions == []
    assert parsed.errors
    assert {p.column for p in parsed.errors} >= {SUBMISSION.field("agency").label,
                                                 SUBMISSION.field("has_plans").label}
    assert not any(LISTS_SHEET in str(p) for p in parsed.problems)


def test_a_filled_in_template_with_two_pilots_parses_and_its_values_come_back(
        book: Workbook, tmp_path: Path, reference: Reference) -> None:
    _set_submission(book[SUBMISSION.sheet], {
        "agency": "HB", "start_year": 2024, "submitted_on": dt.date(2023, 10, 30),
        "contact_person": "Kari Nordmann", "email": "kari@example.no", "has_plans": "Ja",
        "union_involvement": "Tillitsvalgte er med i prosjektgruppen"})
    _add_rows(book[PILOTS.sheet], PILOTS, PILOT_ROWS)
    _add_rows(book[MILESTONES.sheet], MILESTONES, MILESTONE_ROWS)
    _add_rows(book[BUDGET.sheet], BUDGET, BUDGET_ROWS)

    parsed = _save_and_parse(book, tmp_path / "husbanken.xlsx", reference)

    assert parsed.errors == [] and parsed.warnings == []
    (submission,) = parsed.submissions
    assert (submission.agency, submission.start_year) == ("Husbanken", 2024)
    assert submission.fields["has_plans"] is True
    assert submission.fields["submitted_on"] == dt.date(2023, 10, 30)
    assert len(submission.pilots) == 2
    first, second = submission.pilots
    assert (first["start_date"], first["end_date"]) == (dt.date(2024, 3, 1), dt.date(2025, 6, 30))
    assert first["budget_total_nok"] == 1_500_000 and first["person_years"] == 1.5
    assert first["themes"] == ["Styring", "Rapportering"] and first["status"] == "Pågår"
    assert second["status"] == "Planlagt" and second["needs_exemption"] is True
    assert [m["pilot_name"] for m in submission.milestones] == [first["pilot_name"]] * 2 + [second["pilot_name"]]
    assert submission.milestones[1]["to_date"] == dt.date(2025, 3, 31)
    assert [b["amount_nok"] for b in submission.budget] == [1_000_000, 500_000, 250_000]
    assert submission.budget[2]["financing"] == "Innenfor rammer"


def test_a_template_with_no_plans_and_both_assessments_parses_with_zero_pilots(
        book: Workbook, tmp_path: Path, reference: Reference) -> None:
    _set_submission(book[SUBMISSION.sheet], {
        "agency": "Kartverket", "start_year": 2024, "submitted_on": dt.date(2023, 10, 31), "has_plans": "Nei",
        "assessment": "Vi har vurdert pilotering i to avdelinger, men venter til neste år.",
        "union_involvement": "Drøftet i informasjons- og drøftingsmøtet."})

    parsed = _save_and_parse(book, tmp_path / "kartverket.xlsx", reference)

    assert parsed.errors == [] and parsed.warnings == []
    (submission,) = parsed.submissions
    assert submission.agency == "Kartverket" and submission.fields["has_plans"] is False
    assert submission.pilots == [] and submission.milestones == [] and submission.budget == []
    assert submission.fields["assessment"].startswith("Vi har vurdert")


def test_no_plans_without_the_assessments_is_refused_naming_both_fields(
        book: Workbook, tmp_path: Path, reference: Reference) -> None:
    _set_submission(book[SUBMISSION.sheet], {
        "agency": "Kartverket", "start_year": 2024, "submitted_on": dt.date(2023, 10, 31), "has_plans": "Nei"})

    parsed = _save_and_parse(book, tmp_path / "kartverket.xlsx", reference)

    assert parsed.submissions == []
    assert {p.column for p in parsed.errors} == {SUBMISSION.field("assessment").label,
                                                 SUBMISSION.field("union_involvement").label}
