"""parse_file against every rule and variation of the reporting-form contract."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import io
import random
import re
import struct
import tracemalloc
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from openpyxl import load_workbook
from openpyxl.styles import Font

from loaders import reading
from loaders.contract import BUDGET, MILESTONES, PILOTS, SUBMISSION
from loaders.parsing import parse_file
from loaders.problems import Problem
from loaders.reading import Limits, column_letters
from loaders.values import format_number as fmt_number
from tests.form_files import (
    OMIT,
    budget_line,
    csv_bytes,
    csv_grid,
    csv_pilot,
    csv_row,
    grid_csv_bytes,
    milestone,
    no_plans_submission,
    raw_workbook,
    rezipped,
    submission_grid,
    valid_pilot,
    valid_submission,
    with_sheets_rewritten,
    with_stray_cell,
    workbook,
    workbook_sheets,
)


def parse(reference, content: bytes, name: str = "skjema.xlsx"):
    return parse_file(name, content, reference)


def accepted(reference, content: bytes, name: str = "skjema.xlsx"):
    """Parse a file that must be accepted; returns its one submission."""
    parsed = parse(reference, content, name)
    assert [str(e) for e in parsed.errors] == []
    assert len(parsed.submissions) == 1
    return parsed.submissions[0]


def only_error(parsed):
    """The single error of a refused file (and no submissions)."""
    assert len(parsed.errors) == 1, [str(e) for e in parsed.errors]
    assert parsed.submissions == []
    return parsed.errors[0]


def errors_at(parsed) -> set[tuple]:
    """(sheet, row, column) of every error."""
    return {(e.sheet, e.row, e.column) for e in parsed.errors}


REQUIRED_PILOT_KEYS = [f.key for f in PILOTS.fields if f.required]
PARSED_PILOT = {"pilot_name": "Digital søknad", "needs_exemption": False, "budget_total_nok": 1_500_000,
                "start_date": dt.date(2024, 3, 1), "within_budget_frame": "Ja"}


# ---------------------------------------------------------------------------------------------
# Header row


def test_a_filled_in_form_gives_one_submission_with_its_pilot(reference):
    sub = accepted(reference, workbook())
    assert (sub.agency, sub.start_year) == ("Husbanken", 2024)
    assert sub.fields["submitted_on"] == dt.date(2023, 10, 15)
    assert sub.fields["has_plans"] is True
    [pilot] = sub.pilots
    assert pilot["pilot_name"] == "Digital søknad"
    assert pilot["start_date"] == dt.date(2024, 3, 1)
    assert pilot["budget_total_nok"] == 1_500_000
    assert pilot["needs_exemption"] is False


def test_header_row_below_title_rows_is_found_and_errors_name_the_excel_row(reference):
    content = workbook(pilots=[valid_pilot(), valid_pilot(pilot_name="Uten mål", goals=None)], title_rows=3)
    parsed = parse(reference, content)
    # title in row 1, blank rows 2-3, header row 4, pilots on rows 5 and 6
    assert errors_at(parsed) == {("Piloter", 6, "Mål")}


def test_header_row_on_row_ten_is_still_found(reference):
    sub = accepted(reference, workbook(title_rows=9))
    assert [p["pilot_name"] for p in sub.pilots] == ["Digital søknad"]
    assert sub.pilots[0]["_row"] == 11


def test_header_row_on_row_eleven_is_not_found_and_refuses_the_sheet(reference):
    error = only_error(parse(reference, workbook(title_rows=10)))
    assert error.sheet == "Piloter"
    assert "første ti radene" in error.expected
    assert "Pilotnavn" in error.expected


def test_blank_rows_above_the_header_and_blank_columns_left_of_it_keep_excel_row_numbers(reference):
    header = [PILOTS.field(k).label for k in valid_pilot()]
    grid = [[], [], [None, *header], [None, *valid_pilot().values()],
            [None, *valid_pilot(pilot_name="B", problem=None).values()]]
    parsed = parse(reference, raw_workbook({"Innsending": submission_grid(valid_submission()), "Piloter": grid}))
    assert errors_at(parsed) == {("Piloter", 5, "Problembeskrivelse")}


def test_columns_in_any_order_are_read_by_their_labels(reference):
    keys = list(valid_pilot(pilot_ref="P1", status="Pågår"))
    sub = accepted(reference, workbook(pilots=[valid_pilot(pilot_ref="P1", status="Pågår")],
                                       headers={"pilots": list(reversed(keys))}))
    pilot = sub.pilots[0]
    assert (pilot["pilot_ref"], pilot["pilot_name"], pilot["status"]) == ("P1", "Digital søknad", "Pågår")
    assert pilot["budget_total_nok"] == 1_500_000
    assert pilot["end_date"] == dt.date(2024, 12, 31)


@pytest.mark.parametrize(("key", "header"), [
    ("pilot_name", "PILOTNAVN"),
    ("pilot_name", "  pilotnavn  "),
    ("pilot_name", "Pilotnavn*"),
    ("pilot_name", "Pilotnavn *"),
    ("pilot_name", "Pilotnavn:"),
    ("needs_exemption", "Behov for unntak\nfra regelverk"),
    ("needs_exemption", "Behov for unntak fra regelverk *"),
    ("budget_total_nok", "Budsjett totalt"),
    ("budget_total_nok", "Budsjett totalt (kr)"),
    ("budget_total_nok", "Budsjett\ntotalt (kr)"),
    ("budget_total_nok", "BUDSJETT TOTALT (KR) *"),
    ("budget_total_nok", "Budsjett totalt (kr):"),
    ("start_date", "Startdato\n"),
    ("within_budget_frame", "Innenfor gjeldende\r\nrammer"),
])
def test_header_labels_match_ignoring_case_spaces_line_breaks_stars_colons_and_unit(reference, key, header):
    row = {(header if k == key else k): v for k, v in valid_pilot().items()}
    parsed = parse(reference, workbook(pilots=[row]))
    assert parsed.problems == []
    assert parsed.submissions[0].pilots[0][key] == PARSED_PILOT[key]


@pytest.mark.parametrize("header", ["Beløp", "Beløp (kr)", "beløp (KR):", "Beløp\n(kr) *"])
def test_budget_amount_column_matches_with_or_without_its_unit(reference, header):
    line = {"pilot": "Digital søknad", "year": 2024, header: 1_500_000}
    sub = accepted(reference, workbook(budget=[line]))
    assert sub.budget[0]["amount_nok"] == 1_500_000


def test_unknown_column_is_a_warning_naming_it_and_the_file_is_still_accepted(reference):
    parsed = parse(reference, workbook(pilots=[valid_pilot(**{"Kommentar fra leder": "Viktig!"})]))
    assert parsed.errors == []
    assert len(parsed.submissions) == 1
    [warning] = parsed.warnings
    assert warning.sheet == "Piloter"
    assert warning.row == 1
    assert "Kommentar fra leder" in warning.expected


@pytest.mark.parametrize(("header", "value"), [("Staus", "Pågår"), ("Satus", None), ("Pilotstatus", "Pågår")])
def test_a_column_likely_the_forms_absent_status_refuses_the_file_naming_both(reference, header, value):
    # «Staus» was a warning, the column unread, and every pilot «Planlagt»: the count against the ambition fell
    pilots = [valid_pilot(**{header: value}), valid_pilot(pilot_name="B", **{header: value})]
    parsed = parse(reference, workbook(pilots=pilots))
    assert [(e.sheet, e.row, e.column, e.value) for e in parsed.errors] == [("Piloter", 1, "Status", header)]
    assert "overskriften «Status» i kolonne I" in parsed.errors[0].message
    assert "legg til kolonnen «Status» (den kan stå tom)" in parsed.errors[0].message
    assert "alle radene får «Planlagt»" in parsed.errors[0].message
    assert parsed.warnings == []  # the error says it; no «ukjent kolonne» beside it


def test_an_unread_column_of_an_absent_choice_columns_values_refuses_the_file(reference):
    # «Fremdrift» over Pågår and Ferdig: every milestone was read as «Ikke startet», with a warning only
    steps = [milestone(**{"Fremdrift": "Pågår"}), milestone(name="Slutt", **{"Fremdrift": "Ferdig"})]
    error = only_error(parse(reference, workbook(pilots=[valid_pilot()], milestones=steps)))
    assert (error.sheet, error.column, error.value) == ("Milepæler", "Status", "Fremdrift")
    assert "verdiene under («Pågår» …) er valg i «Status»" in error.message
    assert "alle radene får «Ikke startet»" in error.message


def test_a_column_without_a_header_holding_an_absent_columns_choices_refuses_the_file(reference):
    lines = [budget_line(**{"": "Ekstra behov"})]
    error = only_error(parse(reference, workbook(pilots=[valid_pilot()], budget=lines)))
    assert (error.sheet, error.column, error.value) == ("Budsjett", "Finansiering", None)
    assert error.message.startswith("kolonne D har ingen overskrift; forventet overskriften «Finansiering» i kolonne D")
    assert "alle radene får «Innenfor rammer»" in error.message


@pytest.mark.parametrize(("header", "value", "hint"), [
    ("Evaluering", "Følgeevaluering", "; skjemaets kolonne «Evaluering og gevinstmåling» mangler i filen: er det "
                                      "den, gi kolonnen den overskriften"),
    ("Dokumentasjon (lenke)", "https://example.no", "; skjemaets kolonne «Dokumentasjon av funn» mangler"),
    ("Omfang", "Hele landet", "; skjemaets kolonner «Omfang av tjenesten», «Omfang i virksomheten» og «Omfanget skal "
                              "utvides» mangler i filen: er det en av dem, gi kolonnen dens overskrift"),
    ("Statusdato", dt.date(2024, 5, 1), "; skjemaets kolonne «Status» mangler"),
    ("Kommentar", "Se vedlegg", ""),
])
def test_an_unknown_column_holding_an_absent_columns_name_is_a_warning_saying_so(reference, header, value, hint):
    # agencies add their own columns («Dokumentasjon (lenke)», «Statusdato»): the form promises those are read past
    # with a warning, and the name of an absent one beside it may be what was meant
    parsed = parse(reference, workbook(pilots=[valid_pilot(**{header: value})]))
    assert parsed.errors == [] and len(parsed.submissions) == 1
    [warning] = parsed.warnings
    assert warning.expected.startswith(f"ukjent kolonne «{header}» (kolonne I) ble ikke lest{hint}")
    assert hint or warning.expected.endswith("ble ikke lest")


@pytest.mark.parametrize("pilot", [valid_pilot(status="Pågår", **{"Statuskommentar": "Pågår"}),  # Status is there
                                   valid_pilot(**{"Ansvarlig leder": "Kari Nordmann"})])
def test_an_unknown_column_unlike_any_absent_one_stays_a_warning(reference, pilot):
    parsed = parse(reference, workbook(pilots=[pilot]))
    assert parsed.errors == [] and len(parsed.submissions) == 1
    [warning] = parsed.warnings
    assert "ukjent kolonne" in warning.expected


def test_an_unknown_column_is_still_named_when_a_required_one_is_missing(reference):
    # «Navn på pilot» beside «Pilotnavn: kolonnen mangler» says what happened
    parsed = parse(reference, workbook(pilots=[valid_pilot(pilot_name=OMIT, **{"Navn på pilot": "A"})]))
    assert [e.column for e in parsed.errors] == ["Pilotnavn"]
    assert [w.expected for w in parsed.warnings] == ["ukjent kolonne «Navn på pilot» (kolonne H) ble ikke lest"]


def test_a_csv_of_no_plans_misses_no_pilot_columns(reference):
    # «Tema» in a report of no plans was refused as the pilots' «Temaer», and adding that column asked for eight more
    row = {"agency": "Husbanken", "start_year": 2024, "submitted_on": "15.10.2023", "has_plans": "Nei",
           "assessment": "Vurdert, ingen planer nå", "union_involvement": "Drøftet med tillitsvalgte",
           "Tema": "Digitalisering", "Kommentar": "Pågår"}
    parsed = parse(reference, csv_bytes([row]), "ingen.csv")
    assert parsed.errors == [] and len(parsed.submissions) == 1
    assert sorted(w.expected.split(" (")[0] for w in parsed.warnings) == [
        "ukjent kolonne «Kommentar»", "ukjent kolonne «Tema»"]


@pytest.mark.parametrize("key", REQUIRED_PILOT_KEYS)
def test_missing_required_pilot_column_is_an_error_naming_that_column(reference, key):
    parsed = parse(reference, workbook(pilots=[valid_pilot(**{key: OMIT})], title_rows=2))
    error = only_error(parsed)
    assert (error.sheet, error.row, error.column) == ("Piloter", 3, PILOTS.field(key).label)
    assert "mangler" in error.expected


@pytest.mark.parametrize(("table", "key"), [("milestones", "pilot"), ("milestones", "name"),
                                            ("milestones", "from_date"), ("budget", "pilot"),
                                            ("budget", "year"), ("budget", "amount_nok")])
def test_missing_required_milestone_or_budget_column_is_an_error_naming_that_column(reference, table, key):
    rows = {"milestones": [milestone(**{key: OMIT})], "budget": [budget_line(**{key: OMIT})]}
    parsed = parse(reference, workbook(**{table: rows[table]}))
    sheet = {"milestones": MILESTONES, "budget": BUDGET}[table]
    assert (sheet.sheet, 1, sheet.field(key).label) in errors_at(parsed)
    assert parsed.submissions == []


def test_a_column_given_twice_is_an_error(reference):
    content = raw_workbook({"Innsending": submission_grid(valid_submission()),
                            "Piloter": [[*[PILOTS.field(k).label for k in valid_pilot()], "Mål"],
                                        [*valid_pilot().values(), "Igjen"]]})
    error = only_error(parse(reference, content))
    assert (error.sheet, error.row, error.column) == ("Piloter", 1, "Mål")


# ---------------------------------------------------------------------------------------------
# Required cells, blank rows


@pytest.mark.parametrize("key", REQUIRED_PILOT_KEYS)
def test_required_pilot_cell_left_blank_is_an_error_naming_sheet_excel_row_and_column(reference, key):
    pilots = [valid_pilot(pilot_name="Første"), valid_pilot(**{"pilot_name": "Andre", key: None})]
    error = only_error(parse(reference, workbook(pilots=pilots, title_rows=1)))
    # title row 1, header row 2, pilots on rows 3 and 4
    assert (error.file, error.sheet, error.row, error.column) == ("skjema.xlsx", "Piloter", 4, PILOTS.field(key).label)
    assert "påkrevd" in error.expected
    assert "rad 4" in str(error) and f"«{PILOTS.field(key).label}»" in str(error)


def test_blank_rows_between_and_after_data_are_skipped(reference):
    pilots = [valid_pilot(pilot_name="A"), None, None, valid_pilot(pilot_name="B"), None, None]
    sub = accepted(reference, workbook(pilots=pilots, milestones=[None, milestone(pilot="B"), None]))
    assert [p["pilot_name"] for p in sub.pilots] == ["A", "B"]
    assert [m["pilot_name"] for m in sub.milestones] == ["B"]


def test_errors_after_blank_rows_still_name_the_row_excel_shows(reference):
    pilots = [valid_pilot(pilot_name="A"), None, None, valid_pilot(pilot_name="B", budget_total_nok="mye"), None]
    error = only_error(parse(reference, workbook(pilots=pilots)))
    # header row 1, A on row 2, blank rows 3-4, B on row 5
    assert (error.sheet, error.row, error.column, error.value) == ("Piloter", 5, "Budsjett totalt (kr)", "mye")
    assert "kroner" in error.expected


def test_an_invalid_value_names_the_value_found_and_what_was_expected(reference):
    error = only_error(parse(reference, workbook(pilots=[valid_pilot(start_date="snart")])))
    assert (error.sheet, error.row, error.column, error.value) == ("Piloter", 2, "Startdato", "snart")
    assert "fant «snart», forventet en dato som 31.10.2023" in str(error)


# ---------------------------------------------------------------------------------------------
# Defaults for blank choices


def test_blank_status_means_planlagt(reference):
    sub = accepted(reference, workbook(pilots=[valid_pilot(status=None)]))
    assert sub.pilots[0]["status"] == "Planlagt"


def test_blank_type_means_milepael_and_blank_status_means_ikke_startet(reference):
    sub = accepted(reference, workbook(milestones=[milestone(kind=None, status=None)]))
    assert (sub.milestones[0]["kind"], sub.milestones[0]["status"]) == ("Milepæl", "Ikke startet")


def test_blank_kategori_means_annet_and_blank_finansiering_means_innenfor_rammer(reference):
    sub = accepted(reference, workbook(budget=[budget_line(category=None, financing=None)]))
    assert (sub.budget[0]["category"], sub.budget[0]["financing"]) == ("Annet", "Innenfor rammer")


def test_choices_are_read_in_any_case(reference):
    sub = accepted(reference, workbook(
        pilots=[valid_pilot(status="PÅGÅR", trust_relation="ledere og ansatte", within_budget_frame="delvis")],
        budget=[budget_line(category="lønn", financing="ekstra BEHOV")]))
    pilot = sub.pilots[0]
    assert (pilot["status"], pilot["trust_relation"], pilot["within_budget_frame"]) == (
        "Pågår", "Ledere og ansatte", "Delvis")
    assert (sub.budget[0]["category"], sub.budget[0]["financing"]) == ("Lønn", "Ekstra behov")


def test_a_value_outside_a_closed_list_is_an_error_listing_the_allowed_values(reference):
    error = only_error(parse(reference, workbook(pilots=[valid_pilot(status="Snart ferdig")])))
    assert (error.column, error.value) == ("Status", "Snart ferdig")
    assert error.expected == "en av: Planlagt, Pågår, Gjennomført, Avbrutt"


# ---------------------------------------------------------------------------------------------
# Rules within a pilot and across rows


def test_behov_for_unntak_ja_without_regelverk_is_an_error(reference):
    error = only_error(parse(reference, workbook(pilots=[valid_pilot(needs_exemption="x")])))
    assert (error.sheet, error.row, error.column) == ("Piloter", 2, "Regelverk det søkes unntak fra")


def test_behov_for_unntak_ja_with_regelverk_makes_a_valid_forsok(reference):
    sub = accepted(reference, workbook(pilots=[valid_pilot(needs_exemption="Ja", exemption_rules="Husbankloven § 3")]))
    assert sub.pilots[0]["needs_exemption"] is True
    assert sub.pilots[0]["exemption_rules"] == "Husbankloven § 3"


def test_sluttdato_before_startdato_is_an_error(reference):
    error = only_error(parse(reference, workbook(pilots=[valid_pilot(start_date="1.3.2024",
                                                                     end_date="28.02.2024")])))
    assert (error.row, error.column, error.value) == (2, "Sluttdato", dt.date(2024, 2, 28))
    assert "01.03.2024" in error.expected


def test_sluttdato_on_the_startdato_is_accepted(reference):
    sub = accepted(reference, workbook(pilots=[valid_pilot(start_date="1.3.2024", end_date="01.03.2024")]))
    assert sub.pilots[0]["end_date"] == dt.date(2024, 3, 1)


def test_a_phase_without_til_dato_is_an_error(reference):
    content = workbook(milestones=[milestone(name="Oppstart"), milestone(name="Testfase", kind="Fase")])
    error = only_error(parse(reference, content))
    assert (error.sheet, error.row, error.column) == ("Milepæler", 3, "Til dato")


def test_a_phase_ending_before_it_starts_is_an_error(reference):
    content = workbook(milestones=[milestone(kind="Fase", from_date="1.6.2024", to_date="1.5.2024")])
    error = only_error(parse(reference, content))
    assert (error.row, error.column, error.value) == (2, "Til dato", dt.date(2024, 5, 1))


def test_a_phases_til_dato_that_cannot_be_read_is_one_error_saying_what_was_found(reference):
    # it was two on the same cell: the date not read, then «påkrevd for en fase» as if it were blank
    content = workbook(milestones=[milestone(kind="Fase", from_date="1.6.2024", to_date="snart")])
    error = only_error(parse(reference, content))
    assert (error.row, error.column, error.value) == (2, "Til dato", "snart")
    assert error.expected.startswith("en dato")


def test_a_cells_second_error_that_says_the_cause_is_kept_beside_the_first(reference):
    # one error per cell kept the first: a stray quote's cell lost «slutter på sin egen rad», an American date in
    # «Til dato» its «måneden først» for «før Fra dato», a date the agency never typed
    lines = csv_bytes([csv_pilot(pilot_name=f"P{i}") for i in range(3)]).decode("utf-8-sig").splitlines()
    header, cells = lines[0].split(";"), lines[1].split(";")
    at = header.index("Budsjett totalt (kr)")
    cells[at] = '"' + cells[at]
    lines[1] = ";".join(cells)
    errors = parse(reference, "\r\n".join(lines).encode(), "piloter.csv").errors
    assert any("en celle som slutter på sin egen" in e.expected for e in errors if e.column == header[at])
    content = workbook(pilots=[valid_pilot(start_date="10/31/2023", end_date="12/31/2024")],
                       milestones=[milestone(kind="Fase", from_date="03/05/2024", to_date="04/02/2024")])
    told = [e.expected for e in parse(reference, content).errors if (e.sheet, e.column) == ("Milepæler", "Til dato")]
    assert any("måneden først" in text for text in told), told


@pytest.mark.parametrize("kind", [None, "Milepæl"])
def test_a_milestone_with_a_til_dato_is_warned_of_as_perhaps_a_phase(reference, kind):
    # «Til dato» filled in and «Type» left blank: kept as a Milepæl, drawn on its day, the end never shown
    content = workbook(milestones=[milestone(name="Testperiode", kind=kind, from_date="1.9.2024", to_date="1.10.2024")])
    parsed = parse(reference, content)
    assert parsed.errors == []
    [warning] = parsed.warnings
    assert (warning.sheet, warning.row, warning.column) == ("Milepæler", 2, "Type")
    assert "Er det en fase, skriv Fase i «Type»" in warning.expected


def test_a_note_typed_under_the_pilots_is_one_error_saying_it_may_be_a_note(reference):
    # «NB: Pilot 3 er foreløpig» under the pilots was seven «påkrevd», with no word of what the row was
    content = workbook(pilots=[valid_pilot(), None, {"pilot_name": "NB: Pilot 3 er foreløpig"}])
    [error] = parse(reference, content).errors
    assert (error.sheet, error.row, error.column, error.value) == ("Piloter", 4, "Pilotnavn",
                                                                    "NB: Pilot 3 er foreløpig")
    assert "her står bare «Pilotnavn», og «Problembeskrivelse», «Mål»" in error.expected
    assert error.expected.endswith("Er raden en merknad, slett den; ellers fyll ut feltene")
    # two fields left empty in a pilot otherwise filled in: each is named, as before
    errors = parse(reference, workbook(pilots=[valid_pilot(problem=None, goals=None)])).errors
    assert [e.column for e in errors] == ["Problembeskrivelse", "Mål"]


def test_a_phase_with_til_dato_is_accepted(reference):
    sub = accepted(reference, workbook(milestones=[milestone(kind="fase", from_date="mars 2024",
                                                             to_date=dt.date(2024, 6, 30))]))
    m = sub.milestones[0]
    assert (m["kind"], m["from_date"], m["to_date"]) == ("Fase", dt.date(2024, 3, 1), dt.date(2024, 6, 30))


def test_duplicate_pilotnavn_is_an_error_even_in_another_case(reference):
    content = workbook(pilots=[valid_pilot(pilot_name="Digital søknad"), valid_pilot(pilot_name="DIGITAL SØKNAD")])
    error = only_error(parse(reference, content))
    assert (error.row, error.column, error.value) == (3, "Pilotnavn", "DIGITAL SØKNAD")
    assert "rad 2" in error.expected


def test_duplicate_pilot_id_is_an_error(reference):
    content = workbook(pilots=[valid_pilot(pilot_ref="HB-1"), valid_pilot(pilot_name="Annen", pilot_ref="hb-1")])
    error = only_error(parse(reference, content))
    assert (error.row, error.column, error.value) == (3, "Pilot-ID", "hb-1")


def test_names_differing_only_in_aeoeaa_are_two_pilots_and_rows_find_each(reference):
    # «Tillit i Ås» and «Tillit i As» were refused as one name written twice: æøå were folded for the comparison
    pilots = [valid_pilot(pilot_name="Tillit i Ås", budget_total_nok=100), valid_pilot(pilot_name="Tillit i As",
                                                                                       budget_total_nok=200)]
    sub = accepted(reference, workbook(pilots=pilots, milestones=[milestone(pilot="tillit i ås"),
                                                                  milestone(pilot="Tillit i As", name="Slutt")],
                                       budget=[budget_line(pilot="Tillit i Ås", amount=100),
                                               budget_line(pilot="TILLIT I AS", amount=200)]))
    assert [p["pilot_name"] for p in sub.pilots] == ["Tillit i Ås", "Tillit i As"]
    assert [m["pilot_name"] for m in sub.milestones] == ["Tillit i Ås", "Tillit i As"]
    assert [b["pilot_name"] for b in sub.budget] == ["Tillit i Ås", "Tillit i As"]


def test_a_row_written_without_aeoeaa_still_finds_its_one_pilot(reference):
    sub = accepted(reference, workbook(milestones=[milestone(pilot="Digital soknad")]))
    assert sub.milestones[0]["pilot_name"] == "Digital søknad"


def test_a_reference_that_is_one_pilots_id_and_anothers_name_is_refused(reference):
    # It used to land on the pilot with that ID, without a word: the agency may have meant the other one
    pilots = [valid_pilot(pilot_ref="Veiledning", pilot_name="Tillitsbasert tilsyn"),
              valid_pilot(pilot_ref="P2", pilot_name="Veiledning")]
    error = only_error(parse(reference, workbook(pilots=pilots, milestones=[milestone(pilot="Veiledning")])))
    assert (error.sheet, error.row, error.column, error.value) == ("Milepæler", 2, "Pilot", "Veiledning")
    assert "Tillitsbasert tilsyn (Pilot-ID Veiledning)" in error.expected and "«Veiledning»" in error.expected
    sub = accepted(reference, workbook(pilots=pilots, milestones=[milestone(pilot="P2")]))
    assert sub.milestones[0]["pilot_name"] == "Veiledning"


@pytest.mark.parametrize("reference_text", ["HB-1", "hb-1", "Digital søknad", "digital SØKNAD", "  Digital søknad "])
def test_milestones_and_budget_refer_to_a_pilot_by_id_or_name_in_any_case(reference, reference_text):
    sub = accepted(reference, workbook(pilots=[valid_pilot(pilot_ref="HB-1"), valid_pilot(pilot_name="Annen")],
                                       milestones=[milestone(pilot=reference_text)],
                                       budget=[budget_line(pilot=reference_text)]))
    assert sub.milestones[0]["pilot_name"] == "Digital søknad"
    assert sub.budget[0]["pilot_name"] == "Digital søknad"


def test_a_numeric_pilot_id_matches_the_same_number_in_milestones(reference):
    sub = accepted(reference, workbook(pilots=[valid_pilot(pilot_ref=7)], milestones=[milestone(pilot=7)]))
    assert sub.milestones[0]["pilot_name"] == "Digital søknad"


@pytest.mark.parametrize(("table", "sheet"), [("milestones", "Milepæler"), ("budget", "Budsjett")])
def test_unknown_pilot_reference_is_an_error_naming_the_value(reference, table, sheet):
    rows = {"milestones": [milestone(), milestone(pilot="Digital sknad")],
            "budget": [budget_line(amount=1_000_000), budget_line(pilot="Digital sknad", amount=500_000)]}
    error = only_error(parse(reference, workbook(**{table: rows[table]})))
    assert (error.sheet, error.row, error.column, error.value) == (sheet, 3, "Pilot", "Digital sknad")
    assert "Digital søknad" in error.expected  # names the pilots that do exist


def test_budget_rows_not_adding_up_to_the_total_is_only_a_warning(reference):
    parsed = parse(reference, workbook(budget=[budget_line(year=2024, amount=1_000_000),
                                               budget_line(year=2025, amount="250 000")]))
    assert parsed.errors == []
    assert len(parsed.submissions) == 1
    [warning] = parsed.warnings
    assert (warning.sheet, warning.row, warning.column) == ("Piloter", 2, "Budsjett totalt (kr)")
    assert "Digital søknad" in warning.expected and "Budsjett" in warning.expected
    assert "1\u00a0250\u00a0000\u00a0kr" in warning.expected and "1\u00a0500\u00a0000\u00a0kr" in warning.expected
    assert parsed.submissions[0].pilots[0]["budget_total_nok"] == 1_500_000


def test_the_import_writes_an_amount_with_ore_as_the_pages_do(reference):
    from ui import formatting as fmt

    parsed = parse(reference, workbook(pilots=[valid_pilot(budget_total_nok=2_000_000.5)],
                                       budget=[budget_line(amount=1_000_000.5)]))
    [warning] = parsed.warnings
    assert fmt.kr(1_000_000.5) == "1\u00a0000\u00a0001\u00a0kr"  # half up, as on the pages and slides
    assert fmt.kr(1_000_000.5) in warning.expected and fmt.kr(2_000_000.5) in warning.expected


def test_budget_rows_adding_up_give_no_warning(reference):
    parsed = parse(reference, workbook(budget=[budget_line(year=2024, amount="1 mill."),
                                               budget_line(year=2025.0, amount=500_000)]))
    assert parsed.problems == []
    assert [b["year"] for b in parsed.submissions[0].budget] == [2024, 2025]


# ---------------------------------------------------------------------------------------------
# Innsending and the agency register


@pytest.mark.parametrize(("written", "canonical"), [
    ("Husbanken", "Husbanken"), ("husbanken", "Husbanken"), ("HB", "Husbanken"), ("hb", "Husbanken"),
    ("Den norske stats husbank", "Husbanken"), ("  DEN NORSKE  stats husbank ", "Husbanken"),
    ("dibk", "Direktoratet for byggkvalitet"), ("Statens bygningstekniske etat", "Direktoratet for byggkvalitet"),
    ("Difi", "Digitaliseringsdirektoratet"), ("direktoratet for forvaltning og ikt", "Digitaliseringsdirektoratet"),
    ("valgdir", "Valgdirektoratet"), ("datatilsynet", "Datatilsynet"),
    # «any case and spacing», as the form says: a space missing or one too many inside the name was refused
    ("Departementenes sikkerhets-og serviceorganisasjon", "Departementenes sikkerhets- og serviceorganisasjon"),
    ("Valg direktoratet", "Valgdirektoratet"), ("Hus banken", "Husbanken"),
])
def test_agency_by_name_abbreviation_or_alias_in_any_case_becomes_its_canonical_name(reference, written, canonical):
    sub = accepted(reference, workbook(innsending=valid_submission(agency=written)))
    assert sub.agency == canonical


@pytest.mark.parametrize(("written", "canonical"), [
    ("Husbanken (HB)", "Husbanken"), ("Digitaliseringsdirektoratet (Digdir)", "Digitaliseringsdirektoratet"),
    ("Direktoratet for byggkvalitet (DiBK)", "Direktoratet for byggkvalitet"), ("Valgdirektoratet / VDIR",
                                                                               "Valgdirektoratet"),
    ("HB – Husbanken", "Husbanken"), ("Departementenes sikkerhets- og serviceorganisasjon (DSS)",
                                      "Departementenes sikkerhets- og serviceorganisasjon"),
])
def test_an_agency_written_by_its_name_and_abbreviation_together_is_that_agency(reference, written, canonical):
    # «Husbanken (HB)» was «forventet en virksomhet i registeret; nærmest er Husbanken»
    assert accepted(reference, workbook(innsending=valid_submission(agency=written))).agency == canonical


@pytest.mark.parametrize("written", ["Husbanken (Kartverket)", "HB / KV", "Husbanken (region vest)"])
def test_two_agencies_or_an_agency_and_something_else_together_are_refused(reference, written):
    error = only_error(parse(reference, workbook(innsending=valid_submission(agency=written))))
    assert (error.column, error.value) == ("Virksomhet", written)


@pytest.mark.parametrize("written", ["Husbanken 974760843", "Husbanken (org.nr. 974 760 843)",
                                     "Husbanken, org.nr 974760843", "HB – 974 760 843"])
def test_an_agency_written_with_its_organisation_number_is_that_agency(reference, written):
    # «Husbanken 974760843» was refused, and without even «nærmest er Husbanken»
    assert accepted(reference, workbook(innsending=valid_submission(agency=written))).agency == "Husbanken"


def test_a_misspelt_agency_with_its_organisation_number_gets_the_nearest_name(reference):
    error = only_error(parse(reference, workbook(innsending=valid_submission(agency="Husbank 974760843"))))
    assert "nærmest er Husbanken" in error.message


@pytest.mark.parametrize("invisible", ["\u200b", "\u00ad", "\ufeff", "\u200e", "\u2060"])
def test_characters_that_show_as_nothing_make_no_other_agency_label_or_pilot(reference, invisible):
    # pasted from a web page, Teams or Word: «fant «Husbanken», forventet …; nærmest er Husbanken», «kolonnen
    # mangler» of a column that is there, and a milestone's «Digital søknad» no pilot beside «Digital søknad»
    pilot = {("Pilot" + invisible + "navn" if k == "pilot_name" else k): v
             for k, v in valid_pilot(pilot_name="Digital søknad" + invisible).items()}
    content = workbook(innsending=valid_submission(agency="Hus" + invisible + "banken" + invisible), pilots=[pilot],
                       milestones=[milestone(pilot="Digital søknad")],
                       budget=[budget_line(pilot=invisible + "digital søknad")])
    sub = accepted(reference, content)
    assert sub.agency == "Husbanken"
    assert [m["pilot_name"] for m in sub.milestones + sub.budget] == [sub.pilots[0]["pilot_name"]] * 2

def test_dfo_is_not_taken_for_digdir(reference):
    # The register had DFØ's name as an alias of Digdir (Difi's tasks went to both in 2020): a DFØ report
    # replaced Digdir's submission, and its plans were gone from every figure.
    for written in ("Direktoratet for forvaltning og økonomistyring", "DFØ"):
        error = only_error(parse(reference, workbook(innsending=valid_submission(agency=written))))
        assert (error.sheet, error.column, error.value) == ("Innsending", "Virksomhet", written)
        assert error.expected.startswith("en virksomhet i registeret")


@pytest.mark.parametrize(("written", "nearest"), [("Husbankn", "Husbanken"), ("Kartverk", "Kartverket"),
                                                  ("Statsbyg", "Statsbygg"), ("Valgdirektorat", "Valgdirektoratet"),
                                                  ("Datatilsynett", "Datatilsynet"),
                                                  ("Kartverket Hønefoss", "Kartverket")])
def test_unknown_agency_is_an_error_naming_the_nearest_known_agencies(reference, written, nearest):
    error = only_error(parse(reference, workbook(innsending=valid_submission(agency=written))))
    assert (error.sheet, error.row, error.column, error.value) == ("Innsending", 2, "Virksomhet", written)
    assert "nærmest er" in error.expected
    assert nearest in error.expected


def test_an_error_on_the_innsending_sheet_names_the_field_of_its_row_not_a_column(reference):
    # «Innsending › rad 2 › kolonne «Virksomhet»»: that sheet's columns are Felt and Verdi
    error = only_error(parse(reference, workbook(innsending=valid_submission(agency="Fiskeridirektoratet"))))
    assert error.where == "skjema.xlsx › Innsending › rad 2 › feltet «Virksomhet»"
    error = only_error(parse(reference, workbook(pilots=[valid_pilot(start_date="snart")])))
    assert error.where == "skjema.xlsx › Piloter › rad 2 › kolonne «Startdato»"


@pytest.mark.parametrize("written", ["Fiskeridirektoratet", "Arbeidstilsynet", "Lotteritilsynet", "Kystverket",
                                     "Statens vegvesen", "Direktoratet for e-helse"])
def test_an_agency_the_register_lacks_is_not_told_as_a_misspelling_of_one_sharing_only_its_ending(reference, written):
    # «Fiskeridirektoratet» was «nærmest er Digitaliseringsdirektoratet, Valgdirektoratet, Direktoratet for …»
    error = only_error(parse(reference, workbook(innsending=valid_submission(agency=written))))
    assert "nærmest" not in error.expected and "ingen ligner" in error.expected
    assert "av den som drifter Pilotoversikt" in error.expected


def test_innsending_fields_match_label_variants_below_a_title_without_felt_verdi_header(reference):
    grid = [["Rapportering om piloter"], [], ["VIRKSOMHET:", "kartverket"], ["Oppstartsår *", 2023.0],
            ["Innsendt\ndato", "1. august 2023"], ["har planer om piloter", "X"], ["e-post", "post@kartverket.no"]]
    content = raw_workbook({"Innsending": grid, "Piloter": workbook_pilot_grid()})
    sub = accepted(reference, content)
    assert (sub.agency, sub.start_year, sub.fields["submitted_on"]) == ("Kartverket", 2023, dt.date(2023, 8, 1))
    assert (sub.fields["has_plans"], sub.fields["email"]) == (True, "post@kartverket.no")


def test_an_unknown_field_with_a_value_is_warned_of_even_without_felt_verdi_header(reference):
    # Without the header row, every row the form did not know vanished without a word; a title still may
    grid = [["Rapportering om piloter"], [], ["Virksomhet", "Kartverket"], ["Oppstartsår", 2024.0],
            ["Innsendt dato", "1. august 2023"], ["Har planer om piloter", "Ja"], ["E-postadresse", "post@kv.no"],
            ["Involvering av tillitsvalgte", "Drøftet i august"]]
    parsed = parse(reference, raw_workbook({"Innsending": grid, "Piloter": workbook_pilot_grid()}))
    assert parsed.errors == []
    assert [(w.sheet, w.row, w.expected) for w in parsed.warnings] == [
        ("Innsending", 7, "ukjent felt «E-postadresse» ble ikke lest")]


def workbook_pilot_grid() -> list[list]:
    pilot = valid_pilot()
    return [[PILOTS.field(k).label for k in pilot], list(pilot.values())]


@pytest.mark.parametrize("key", ["agency", "start_year", "submitted_on", "has_plans"])
def test_a_required_innsending_field_left_out_is_an_error_naming_it(reference, key):
    error = only_error(parse(reference, workbook(innsending=valid_submission(**{key: OMIT}))))
    assert (error.sheet, error.column) == ("Innsending", SUBMISSION.field(key).label)


@pytest.mark.parametrize("key", ["agency", "start_year", "submitted_on", "has_plans"])
def test_a_required_innsending_value_left_blank_is_an_error_naming_its_row(reference, key):
    innsending = valid_submission(**{key: OMIT})
    innsending[key] = None  # the row is there, the value is blank (and last in the sheet)
    error = only_error(parse(reference, workbook(innsending=innsending)))
    assert (error.sheet, error.row, error.column) == ("Innsending", len(innsending) + 1,
                                                      SUBMISSION.field(key).label)
    assert not error.expected.endswith("forventet en verdi")  # what a blank Virksomhet was told


@pytest.mark.parametrize(("key", "written", "expected_text"), [("has_plans", "kanskje", "Ja eller Nei"),
                                                                ("start_year", "tjuefire", "årstall"),
                                                                ("submitted_on", "31.13.2023", "dato")])
def test_an_invalid_innsending_value_is_an_error_naming_row_value_and_expectation(reference, key, written,
                                                                                  expected_text):
    innsending = valid_submission()
    row = list(innsending).index(key) + 2
    error = only_error(parse(reference, workbook(innsending=valid_submission(**{key: written}))))
    assert (error.sheet, error.row, error.column, error.value) == ("Innsending", row,
                                                                   SUBMISSION.field(key).label, written)
    assert expected_text in error.expected


@pytest.mark.parametrize("layout", [("Felt", "Forklaring", "Verdi"), ("Nr", "Felt", "Verdi"), ("Verdi", "Felt")])
def test_innsending_values_are_read_from_the_verdi_column_wherever_it_is(reference, layout):
    # «Felt, Forklaring, Verdi» read the explanation as the value («fant «Påkrevd.»»), and «Nr, Felt, Verdi» the
    # number as the label: every field «mangler i arket»
    cells = {"Forklaring": "Påkrevd.", "Nr": 7.0}
    grid = [list(layout), *([{"Felt": SUBMISSION.field(k).label, "Verdi": v}.get(h, cells.get(h)) for h in layout]
                            for k, v in valid_submission().items())]
    sub = accepted(reference, raw_workbook({"Innsending": grid, "Piloter": workbook_pilot_grid()}))
    assert (sub.agency, sub.start_year, sub.fields["contact_person"]) == ("Husbanken", 2024, "Kari Nordmann")


@pytest.mark.parametrize("with_header", [False, True])
def test_an_innsending_label_and_its_value_in_one_cell_are_read(reference, with_header):
    # «Virksomhet: Husbanken» was «feltet «Virksomhet» mangler i arket», and «Kontaktperson: Kari» dropped unsaid
    items = [(SUBMISSION.field(k).label, v) for k, v in valid_submission(submitted_on="15.10.2023").items()]
    grid = [["Felt", "Verdi"]] if with_header else [["Rapportering om piloter"]]
    grid += [[f"{name}: {value}"] if name in ("Virksomhet", "Kontaktperson") else [name, value]
             for name, value in items]
    sub = accepted(reference, raw_workbook({"Innsending": grid, "Piloter": workbook_pilot_grid()}))
    assert (sub.agency, sub.fields["contact_person"]) == ("Husbanken", "Kari Nordmann")

def test_an_unknown_innsending_field_numbered_by_a_number_cell_is_named_as_excel_shows_it(reference):
    grid = [*submission_grid(valid_submission()), [7.0, "Tekst"]]
    parsed = parse(reference, raw_workbook({"Innsending": grid, "Piloter": workbook_pilot_grid()}))
    assert [w.expected for w in parsed.warnings] == ["ukjent felt «7» ble ikke lest"]

def test_an_innsending_field_written_twice_is_refused_naming_both_rows(reference):
    # Last year's block pasted below this year's: the agency of the second would otherwise win, silently, and the
    # file could replace another agency's submission.
    items = [*valid_submission().items(), ("agency", "Kartverket")]
    error = only_error(parse(reference, raw_workbook({"Innsending": submission_grid(items),
                                                      "Piloter": workbook_pilot_grid()})))
    first = list(valid_submission()).index("agency") + 2
    assert (error.sheet, error.row, error.column) == ("Innsending", len(items) + 1, SUBMISSION.field("agency").label)
    assert f"rad {first} og rad {len(items) + 1}, her med «Kartverket»" in error.expected
    assert "fant «" not in str(error)  # «fant «Kartverket», forventet feltet står to ganger …» read garbled


@pytest.mark.parametrize(("table", "key", "error_value"), [
    ("pilots", "status", "#N/A"),  # optional with a default: a failed lookup became «Planlagt»
    ("pilots", "trust_relation", "#REF!"),  # optional text: it was emptied
    ("pilots", "budget_total_nok", "#DIV/0!"),  # required: it was «påkrevd, men tomt» of a cell showing #DIV/0!
    ("pilots", "themes", "#NAME?"),
    ("milestones", "kind", "#N/A"),  # a Fase became a Milepæl
    ("budget", "category", "#VALUE!"),
    ("submission", "agency", "#N/A"),
])
def test_an_excel_error_value_is_refused_as_what_the_cell_shows(reference, table, key, error_value):
    # openpyxl writes a string of Excel's error codes as an error cell (t="e"), as Excel saves a failed formula.
    tables = {"pilots": [valid_pilot()], "milestones": [milestone()], "budget": [budget_line()]}
    innsending = valid_submission()
    if table == "submission":
        innsending[key] = error_value
    else:
        tables[table][0] = {**tables[table][0], key: error_value}
    content = workbook(innsending=innsending, pilots=tables["pilots"], milestones=tables["milestones"],
                       budget=tables["budget"])
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert any(b't="e"' in archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/"))
    field = {"pilots": PILOTS, "milestones": MILESTONES, "budget": BUDGET, "submission": SUBMISSION}[table].field(key)
    error = only_error(parse(reference, content))
    assert (error.column, error.value, error.row) == (field.label, error_value,
                                                      list(innsending).index(key) + 2 if table == "submission" else 2)
    assert "feil fra Excel" in error.expected
    assert f"fant «{error_value}»" in str(error)


def test_an_excel_error_in_a_sheet_that_is_not_read_is_not_blamed(reference):
    content = workbook(innsending=valid_submission(), pilots=[valid_pilot(status="#N/A")],
                       extra_sheets={"Notater": [["Oppslag"], ["#REF!"]]})
    error = only_error(parse(reference, content))
    assert (error.sheet, error.value) == ("Piloter", "#N/A")



# openpyxl (and other libraries) write a formula without its value, for Excel to work out when the file is opened
@pytest.mark.parametrize(("key", "formula"), [
    ("budget_total_nok", "=SUM(Budsjett!C2:C3)"),  # required: it was «påkrevd, men tomt» of a cell showing 1 500 000
    ("person_years", "=3/2"),  # optional: it was dropped unsaid
    ("themes", '="Bolig; "&"Lån"'),
])
def test_a_formula_saved_without_its_value_is_refused_as_a_formula_not_read_as_blank(reference, key, formula):
    content = workbook(pilots=[valid_pilot(**{key: formula})], budget=[budget_line(amount=500_000),
                                                                      budget_line(year=2025, amount=1_000_000)])
    error = only_error(parse(reference, content))
    assert (error.sheet, error.row, error.column, error.value) == ("Piloter", 2, PILOTS.field(key).label, formula)
    assert "formel uten utregnet verdi" in error.expected and "lagre den" in error.expected


def test_a_formula_saved_without_its_value_in_innsending_is_refused_as_a_formula(reference):
    error = only_error(parse(reference, workbook(innsending=valid_submission(start_year="=2023+1"))))
    assert (error.sheet, error.row, error.column, error.value) == ("Innsending", 3, "Oppstartsår", "=2023+1")
    assert "formel uten utregnet verdi" in error.expected


def xlsxwriter_workbook(sheets: dict[str, list[list]], number_formats: dict[str, str] | None = None) -> bytes:
    """The sheets as XlsxWriter writes them (as pandas does through it): a text starting with = is a formula, saved
    with the value 0, and the workbook asks Excel to work out every formula on opening. number_formats: the format
    of the cells under a header (label), as a date's is dd.mm.yyyy."""
    out = io.BytesIO()
    with xlsxwriter.Workbook(out) as book:
        dates = book.add_format({"num_format": "dd.mm.yyyy"})
        formats = {label: book.add_format({"num_format": code}) for label, code in (number_formats or {}).items()}
        for name, rows in sheets.items():
            sheet = book.add_worksheet(name)
            header = rows[0] if rows else []
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    shown = formats.get(header[c]) if r and c < len(header) else None
                    if isinstance(value, dt.date):
                        sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), shown or dates)
                    elif value is not None:
                        sheet.write(r, c, value, shown)
    return out.getvalue()


@pytest.mark.parametrize("key", ["budget_total_nok", "person_years", "users"])
def test_a_formula_saved_with_xlsxwriters_placeholder_value_is_refused_not_read_as_0(reference, key):
    # a budget total of =SUM(…) went in as 0 kr, and a text of a formula as «0»
    sheets = workbook_sheets(pilots=[valid_pilot(**{key: "=SUM(Budsjett!C2:C3)"})],
                             budget=[budget_line(amount=500_000), budget_line(year=2025, amount=1_000_000)])
    error = only_error(parse(reference, xlsxwriter_workbook(sheets)))
    assert (error.row, error.column, error.value) == (2, PILOTS.field(key).label, "=SUM(Budsjett!C2:C3)")
    assert "formel uten utregnet verdi" in error.expected


@pytest.mark.parametrize(("key", "number_format"), [
    ("budget_total_nok", '#,##0 "tkr"'),  # was read as «0 tkr»: the file went in with a budget of 0 kr
    ("budget_total_nok", '0.0 "mill. kr"'),
    ("person_years", "0%"),
    ("end_date", "dd.mm.yyyy"),  # calamine reads a date cell's 0 as 00:00: «fant «00:00:00», forventet en dato»
    ("end_date", "mmm.yy"),
])
def test_xlsxwriters_placeholder_in_a_cell_with_a_number_format_is_refused_as_a_formula(reference, key, number_format):
    sheets = workbook_sheets(pilots=[valid_pilot(**{key: "=SUM(Budsjett!C2:C3)"})],
                             budget=[budget_line(amount=500_000), budget_line(year=2025, amount=1_000_000)])
    content = xlsxwriter_workbook(sheets, {PILOTS.field(key).label: number_format})
    error = only_error(parse(reference, content))
    assert (error.row, error.column, error.value) == (2, PILOTS.field(key).label, "=SUM(Budsjett!C2:C3)")
    assert "formel uten utregnet verdi" in error.expected


def test_a_formula_excel_worked_out_to_0_is_read_as_0(reference):
    content = workbook(pilots=[valid_pilot(person_years="=1-1")])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)  # as Excel saves it: the value it worked out, and no fullCalcOnLoad
            data = data.replace(b"<f>1-1</f><v></v>", b"<f>1-1</f><v>0</v>").replace(b' fullCalcOnLoad="1"', b"")
            target.writestr(info, data)
    assert accepted(reference, out.getvalue()).pilots[0]["person_years"] == 0

def test_a_formula_with_the_value_excel_saved_is_read_as_that_value(reference):
    content = workbook(pilots=[valid_pilot(budget_total_nok="=SUM(Budsjett!C2:C3)", users='=IF(1=2,"x","")')],
                       budget=[budget_line(amount=1_500_000)])

    def as_excel_saves_them(xml: bytes) -> bytes:  # a number's value, and an empty text: t="str" and an empty <v>
        return xml.replace(b"<f>SUM(Budsjett!C2:C3)</f><v></v>", b"<f>SUM(Budsjett!C2:C3)</f><v>1500000</v>").replace(
            b'<c r="I2"><f>', b'<c r="I2" t="str"><f>')

    saved = with_sheets_rewritten(content, as_excel_saves_them)
    assert saved != content
    pilot = accepted(reference, saved).pilots[0]
    assert (pilot["budget_total_nok"], pilot["users"]) == (1_500_000, None)


@pytest.mark.parametrize(("key", "code"), [("trust_relation", "#N/A"), ("problem", "#N/A"), ("status", "#N/A"),
                                           # a Norwegian Excel writes its own words
                                           ("goals", "#I/T"), ("problem", "#VERDI!"), ("trust_relation", "#NAVN?")])
def test_an_excel_error_saved_to_csv_is_refused_as_in_a_workbook(reference, key, code):
    # Excel's «Lagre som CSV» writes a failed lookup as the text «#N/A»: a text field kept it as the pilot's text
    parsed = parse(reference, csv_bytes([csv_pilot(**{key: code})]), "piloter.csv")
    error = only_error(parsed)
    assert (error.column, error.value, error.row) == (PILOTS.field(key).label, code, 2)
    assert "feil fra Excel" in error.expected


def test_a_lookup_dragged_below_the_data_is_not_read_as_rows(reference):
    # #N/A in rows nobody filled in: before errors were read they were blank rows, and the file was imported
    pilots = [valid_pilot(status="Pågår"), *[{"status": "#N/A"} for _ in range(4)]]
    content = workbook(innsending=valid_submission(), pilots=pilots)
    sub = accepted(reference, content)
    assert [p["status"] for p in sub.pilots] == ["Pågår"]


def test_error_cells_are_found_however_the_xml_writes_them():
    xml = (b'<x:c r="B2" t="e"><x:f>VLOOKUP(A2,X,2)</x:f><x:v>#N/A</x:v></x:c><c t=\'e\'><v>#REF!</v></c>'
           b'<c r="C3" s="1" t=\'e\'><f t="shared" si="0"/><v>#DIV/0!</v></c><c r="D4" t="s"><v>3</v></c>')
    assert reading._error_cells(xml) == [(1, 1, "#N/A"), (reading.NOWHERE, reading.NOWHERE, "#REF!"),
                                          (2, 2, "#DIV/0!")]


def test_an_error_value_in_a_cell_without_an_address_refuses_the_file_rather_than_read_as_blank(reference):
    content = workbook(innsending=valid_submission(), pilots=[valid_pilot(status="#N/A")])
    # some generators leave a cell's address out; calamine places it, and it reads as blank
    without_address = with_sheets_rewritten(content, lambda xml: re.sub(rb'(<c) r="[A-Z]+\d+"( t="e")', rb"\1\2", xml))
    archive = zipfile.ZipFile(io.BytesIO(without_address))
    sheets = b"".join(archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/"))
    assert b'<c t="e">' in sheets
    error = only_error(parse(reference, without_address))
    assert error.sheet == "Piloter" and "#N/A" in error.expected and "uten adresse" in error.expected


def test_a_sheet_of_unclosed_tags_is_refused_with_a_message_not_stuck_on(reference):
    # Every look at a sheet's XML is linear in its length: a few kB of unclosed error cells and hidden rows made
    # the old patterns rescan to the end for each one (10 s for 7 kB, hours for this much).
    hostile = b'<c r="A1" t="e"><v>#N/A</v>' * 60_000 + b'<row r="1" hidden="0" ' * 60_000
    content = with_sheets_rewritten(workbook(innsending=valid_submission(), pilots=[valid_pilot()]),
                                    lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + hostile, 1)
                                    if b"Pilotnavn" in xml or b"<sheetData>" in xml else xml)
    parsed = parse(reference, content)
    assert parsed.errors and parsed.submissions == []


@pytest.mark.parametrize("written", ["Budsjett totalt (1000 kr)", "Budsjett totalt (i 1 000 kr)",
                                     "Budsjett totalt (mill. kr)", "Budsjett totalt (MNOK)",
                                     "Budsjett totalt (tusen kroner)",
                                     # another currency: stored as kroner, unchanged
                                     "Budsjett totalt (EUR)", "Budsjett totalt (i euro)", "Budsjett totalt (USD)",
                                     "Budsjett totalt (€)", "Budsjett totalt (svenske kroner)"])
def test_an_amount_header_in_another_unit_than_kroner_is_refused_not_read_as_kroner(reference, written):
    # 1500 under «(1000 kr)» was stored as 1 500 kr: the bracket is dropped when labels are matched.
    pilot = valid_pilot(budget_total_nok=1500)
    headers = [written if k == "budget_total_nok" else PILOTS.field(k).label for k in pilot]
    error = only_error(parse(reference, raw_workbook({"Innsending": submission_grid(valid_submission()),
                                                      "Piloter": [headers, list(pilot.values())]})))
    assert (error.sheet, error.row, error.column) == ("Piloter", 1, "Budsjett totalt (kr)")
    assert f"«{written}»" in error.expected and "hele kroner" in error.expected


@pytest.mark.parametrize("written", ["Budsjett totalt (kr)", "Budsjett totalt (NOK)", "Budsjett totalt (i kroner)",
                                     "Budsjett totalt", "Budsjett totalt (kr, 2024-kroner)",
                                     "Budsjett totalt (kr) (inkl. 25 % mva)",
                                     "Budsjett totalt (hele kroner, ikke tusen)"])
def test_an_amount_header_in_kroner_is_read_however_the_unit_is_written(reference, written):
    pilot = valid_pilot(budget_total_nok=1500)
    headers = [written if k == "budget_total_nok" else PILOTS.field(k).label for k in pilot]
    sub = accepted(reference, raw_workbook({"Innsending": submission_grid(valid_submission()),
                                            "Piloter": [headers, list(pilot.values())]}))
    assert sub.pilots[0]["budget_total_nok"] == 1500


def merged(content: bytes, sheet: str, cells: str) -> bytes:
    """The workbook with cells merged as Excel merges them: the first cell's value kept, the others emptied."""
    book = load_workbook(io.BytesIO(content))
    book[sheet].merge_cells(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_value_merged_down_a_column_is_read_on_every_row_it_covers(reference):
    # Status «Pågår» merged over two pilots shows on both rows in Excel; the second was stored as «Planlagt».
    pilots = [valid_pilot(status="Pågår"), valid_pilot(pilot_name="Pilot B", status=None)]
    content = workbook(innsending=valid_submission(), pilots=pilots)
    column = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[list(pilots[0]).index("status")]
    sub = accepted(reference, merged(content, "Piloter", f"{column}2:{column}3"))
    assert [p["status"] for p in sub.pilots] == ["Pågår", "Pågår"]


def test_a_required_cell_merged_with_the_cell_to_its_left_says_it_is_merged_not_only_that_it_is_required(
        reference):
    # Problembeskrivelse and Mål merged into one wide box: «Mål: påkrevd», and the user saw text in it
    pilot = valid_pilot()
    columns = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    first, second = (columns[list(pilot).index(k)] for k in ("problem", "goals"))
    content = merged(workbook(innsending=valid_submission(), pilots=[pilot]), "Piloter", f"{first}2:{second}2")
    error = only_error(parse(reference, content))
    assert (error.sheet, error.row, error.column) == ("Piloter", 2, "Mål")
    assert error.expected.startswith("cellen er slått sammen med «Problembeskrivelse» til venstre")
    assert "fyll ut «Mål»" in error.expected


def test_a_tall_merged_field_in_innsending_is_read_once(reference):
    innsending = valid_submission(contact_person="Kari Nordmann")
    row = list(innsending).index("contact_person") + 2
    content = workbook(innsending=innsending)
    book = load_workbook(io.BytesIO(content))
    sheet = book["Innsending"]
    sheet.insert_rows(row + 1)  # a tall box: the label and the value merged over two rows
    sheet.merge_cells(f"A{row}:A{row + 1}")
    sheet.merge_cells(f"B{row}:B{row + 1}")
    out = io.BytesIO()
    book.save(out)
    assert accepted(reference, out.getvalue()).fields["contact_person"] == "Kari Nordmann"


def test_a_header_of_two_rows_merged_down_is_not_read_as_a_pilot(reference):
    pilot = valid_pilot()
    headers = [PILOTS.field(k).label for k in pilot]
    content = raw_workbook({"Innsending": submission_grid(valid_submission()),
                            "Piloter": [headers, [None] * len(headers), list(pilot.values())]})
    book = load_workbook(io.BytesIO(content))
    for col in range(1, len(headers) + 1):
        letter = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[col - 1]
        book["Piloter"].merge_cells(f"{letter}1:{letter}2")
    out = io.BytesIO()
    book.save(out)
    sub = accepted(reference, out.getvalue())
    assert [p["pilot_name"] for p in sub.pilots] == ["Digital søknad"]


def test_an_amount_merged_over_two_rows_is_not_counted_twice(reference):
    # a merged 1 000 000 over two budget rows is not 1 000 000 each: the second row is blank, as Excel stores it
    content = workbook(innsending=valid_submission(), pilots=[valid_pilot(budget_total_nok=2_000_000)],
                       budget=[budget_line(amount=1_000_000), budget_line(year=2025, amount=None)])
    column = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[list(budget_line()).index("amount_nok")]
    errors = parse(reference, merged(content, "Budsjett", f"{column}2:{column}3")).errors
    assert [(e.sheet, e.row, e.column) for e in errors] == [("Budsjett", 3, "Beløp (kr)")]
    assert errors[0].expected.startswith("cellen er slått sammen med cellen over")  # not «påkrevd, men tomt»


def test_cells_merged_across_columns_are_not_copied_sideways(reference):
    pilot = valid_pilot(trust_relation="Departement og virksomhet", status=None)
    content = workbook(innsending=valid_submission(), pilots=[pilot])
    keys = list(pilot)
    first, last = ("ABCDEFGHIJKLMNOPQRSTUVWXYZ"[keys.index(k)] for k in ("trust_relation", "status"))
    assert keys.index("status") == keys.index("trust_relation") + 1
    sub = accepted(reference, merged(content, "Piloter", f"{first}2:{last}2"))
    assert sub.pilots[0]["status"] == "Planlagt"


FILES = Path(__file__).resolve().parent / "files"


@pytest.mark.parametrize(("name", "expected"), [("passordbeskyttet.xlsx", "passordbeskyttet; lagre den uten passord"),
                                                ("gammelt_format_med_xlsx_navn.xlsx", "gamle Excel-formatet (.xls)")])
def test_a_workbook_with_a_password_or_in_the_old_format_is_refused_saying_which(reference, name, expected):
    # both are compound files, not zips: they were told «skadet, avkortet eller av en annen type»
    error = only_error(parse(reference, (FILES / name).read_bytes(), name))
    assert expected in error.expected



def open_document_spreadsheet() -> bytes:
    """The parts of a LibreOffice spreadsheet (.ods) that tell what it is: its mimetype first, then its content."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


@pytest.mark.parametrize("name", ["husbanken.ods", "husbanken.xlsx"])
def test_a_libreoffice_spreadsheet_is_refused_saying_what_it_is_and_how_to_save_it(reference, name):
    # LibreOffice saves .ods unless told otherwise: it was «filtypen støttes ikke», or, named .xlsx, «en zip-fil, men
    # ikke en Excel-arbeidsbok», neither saying what to do in LibreOffice
    error = only_error(parse(reference, open_document_spreadsheet(), name))
    assert "OpenDocument-regneark (.ods" in error.expected and "Excel 2007-365 (.xlsx)" in error.expected

@pytest.mark.parametrize(("name", "content", "expected"), [
    ("piloter.xlsx", csv_bytes([csv_pilot()]), "en tekstfil, ikke en Excel-arbeidsbok"),
    ("piloter.xlsx", csv_bytes([csv_pilot()], encoding="cp1252"), "gi den endelsen .csv"),
    # UTF-8 whose bytes Windows-1252 lacks (Word's «”», Sami «č»): was «skadet, avkortet eller av en annen type»
    ("piloter.xlsx", csv_bytes([csv_pilot(problem="Søknader «tar” for lang tid i Kárášjohka og Čáhcesuolu")]),
     "gi den endelsen .csv"),
    ("skjema.csv", workbook(), "gi den endelsen .xlsx"),
    ("skjema.csv", (FILES / "gammelt_format_med_xlsx_navn.xlsx").read_bytes(), "det gamle formatet (.xls)"),
])
def test_a_file_named_for_the_other_kind_is_refused_saying_what_it_is(reference, name, content, expected):
    # a CSV named .xlsx was «skadet, avkortet eller av en annen type», and a workbook named .csv «ser ut til å
    # være binær»: neither said to give the file its right ending
    assert expected in only_error(parse(reference, content, name)).expected


@pytest.mark.parametrize("closed_later", [False, True])
def test_a_quote_that_opens_a_csv_cell_and_never_closes_on_its_line_is_refused_not_one_pilot_less(reference,
                                                                                                   closed_later):
    # «"Måles» swallowed the next line: a file of two pilots was imported as one, the second inside the first's
    # «Evaluering og gevinstmåling», without a word
    rows = [csv_pilot(pilot_name="A", evaluation="Måles"), csv_pilot(pilot_name="B", evaluation="Telles")]
    text = csv_bytes(rows).decode("utf-8-sig").replace(";Måles", ';"Måles', 1)
    if closed_later:  # a quote further down ends the cell there
        text = text.replace(";Telles", ';Telles"', 1)
    error = only_error(parse(reference, text.encode("utf-8"), "piloter.csv"))
    assert (error.row, error.column) == (2, PILOTS.field("evaluation").label)
    assert str(error.value).startswith("Måles")
    assert "anførselstegnet («\"») foran den lukkes ikke, så linjen «Husbanken;2024;15.10.2023;B;" in error.expected
    # a text with line breaks of its own, quoted as Excel writes it, is read as ever
    plain = csv_bytes([csv_pilot(pilot_name="A", evaluation="Måles\nhvert kvartal;\nmed tall"),
                       csv_pilot(pilot_name="B")])
    assert [p["evaluation"] for p in accepted(reference, plain, "piloter.csv").pilots] == [
        "Måles\nhvert kvartal;\nmed tall", None]


def test_a_csv_row_moved_right_by_a_delimiter_in_a_text_without_quotes_says_so_before_its_other_errors(reference):
    # each cell after «…lang tid; særlig i ferien» was one column to the right: «fant «Halvere
    # saksbehandlingstiden», forventet Ja eller Nei», «fant «Nei», forventet en dato» … and no word of why
    text = csv_bytes([csv_pilot(), csv_pilot(pilot_name="B")]).decode("utf-8-sig").split("\r\n")
    text[2] = text[2].replace("tar for lang tid", "tar for lang tid; særlig i ferien")
    parsed = parse(reference, "\r\n".join(text).encode(), "piloter.csv")
    first, *others = parsed.errors
    assert (first.row, first.column) == (3, None) and "står det «;» i en tekst uten anførselstegn" in first.expected
    assert others and all(e.row == 3 for e in others)


def test_a_csv_row_with_fewer_cells_than_the_header_is_imported_with_a_warning_naming_what_is_read_blank(reference):
    # the last cells of a row deleted (or the file cut off) stored Dokumentasjon and Evaluering blank without a word
    rows = [csv_pilot(documentation="Rapport", evaluation="Følgeevaluering"),
            csv_pilot(pilot_name="B", documentation="Rapport", evaluation="Følgeevaluering")]
    grid = csv_grid(rows)
    assert grid[0][-2:] == ["Dokumentasjon av funn", "Evaluering og gevinstmåling"]
    grid[2] = grid[2][:-2]
    parsed = parse(reference, grid_csv_bytes(grid), "piloter.csv")
    assert parsed.errors == []
    [warning] = parsed.warnings
    assert (warning.sheet, warning.row) == ("CSV (Piloter)", 3)
    assert warning.expected.startswith("raden har 11 celler, men overskriftsraden har 13, så kolonnene fra "
                                       "«Dokumentasjon av funn» og utover leses som tomme. Er filen kuttet")
    assert [p.get("evaluation") for p in parsed.submissions[0].pilots] == ["Følgeevaluering", None]


def test_a_csv_row_short_only_of_columns_not_read_is_no_short_row(reference):
    # a header ending «…;;Kommentar» and rows ending at the form's last column: «kolonnene fra «» … leses som tomme»
    grid = csv_grid([csv_pilot(), csv_pilot(pilot_name="B")])
    grid[0] += ["", "Kommentar"]
    parsed = parse(reference, grid_csv_bytes(grid), "piloter.csv")
    assert parsed.errors == []
    assert [w.expected for w in parsed.warnings] == ["ukjent kolonne «Kommentar» (kolonne M) ble ikke lest"]


def test_many_short_csv_rows_are_one_warning_before_the_first_rows_errors(reference):
    grid = csv_grid([csv_pilot(pilot_name=f"Pilot {n}") for n in range(6)])
    grid[2:] = [row[:-2] for row in grid[2:]]  # rows 3–7 lose Budsjett totalt and Innenfor gjeldende rammer
    parsed = parse(reference, grid_csv_bytes(grid), "piloter.csv")
    first, *_ = (p for p in parsed.problems if p.row == 3)
    assert first.is_warning and "(det samme gjelder radene 4, 5, 6 og 1 til)" in first.expected
    assert len(parsed.warnings) == 1 and parsed.errors  # the blank required cells are still errors


@pytest.mark.parametrize(("delimiters", "header_padding", "said"), [
    (1, ";;;", "raden har 12 celler, men overskriftsraden har 11"),  # was «14 celler»: Excel pads the rows
    (2, "", "raden har 13 celler, men overskriftsraden har 11"),
])
def test_a_shifted_csv_row_is_told_by_its_filled_cells_and_how_far_it_moved(reference, delimiters, header_padding,
                                                                            said):
    head = ";".join(csv_grid([csv_pilot()])[0])  # Virksomhet … Innenfor gjeldende rammer: 11 columns
    problem = "Tar tid" + "; mye" * delimiters
    row = f"Husbanken;2024;15.10.2023;Søknad;{problem};Halvere;Nei;01.03.2024;31.12.2024;1500000;Ja"
    first = parse(reference, f"{head}{header_padding}\n{row}{header_padding}\n".encode(), "piloter.csv").errors[0]
    assert said in first.expected
    assert ("flyttet én kolonne" if delimiters == 1 else "flyttet to kolonner") in first.expected


def test_many_csv_rows_moved_right_are_explained_in_one_pass(reference, monkeypatch):
    # each explanation was inserted by list.index, comparing it with every problem before it: 8 000 such rows (a
    # description column with a «;» in every row) took 25 s to read, the import page waiting all the while
    text = csv_bytes([csv_pilot(pilot_name=f"Pilot {n}") for n in range(500)]).decode("utf-8-sig")
    text = text.replace("tar for lang tid", "tar for lang tid; særlig i ferien")
    compared = []
    equal = Problem.__eq__
    monkeypatch.setattr(Problem, "__eq__", lambda self, other: compared.append(1) or equal(self, other))
    parsed = parse(reference, text.encode(), "piloter.csv")
    assert len(compared) < 500, f"{len(compared)} comparisons of problems for 500 rows"
    explained = [e for e in parsed.errors if "i en tekst uten anførselstegn" in e.expected]
    assert [e.row for e in explained] == list(range(2, 502))
    assert all(parsed.errors[parsed.errors.index(e) + 1].row == e.row for e in explained)  # each before its row's


def test_a_note_right_of_a_csv_table_is_still_only_a_warning(reference):
    grid = csv_grid([csv_pilot(), csv_pilot(pilot_name="B")])
    grid[2].append("notat")
    parsed = parse(reference, grid_csv_bytes(grid), "piloter.csv")
    assert parsed.errors == [] and len(parsed.warnings) == 1


def test_one_error_on_a_csv_row_with_a_note_right_of_the_table_is_not_blamed_on_a_delimiter(reference):
    # «sjekk datoen med Kari» beside a Sluttdato of 31.13.2024 got «står det «;» i en tekst uten anførselstegn …, og
    # de andre feilene på raden kommer av det»: the one error was the date's own
    grid = csv_grid([csv_pilot(end_date="31.13.2024")])
    grid[1].append("sjekk datoen med Kari")
    [error] = parse(reference, grid_csv_bytes(grid), "piloter.csv").errors
    assert error.column == "Sluttdato" and "anførselstegn" not in error.expected

@pytest.mark.parametrize(("sheet", "grid"), [
    ("Piloter", csv_grid([csv_pilot(), csv_pilot(pilot_name="B")])),
    ("Ark1", csv_grid([csv_pilot()])),  # was «gi det skjemaets navn «Piloter»», after which Innsending still lacked
    ("Ark1", csv_grid([csv_row(milestone())])),
])
def test_a_csv_table_saved_as_a_workbook_is_refused_saying_to_save_it_as_csv(reference, sheet, grid):
    error = only_error(parse(reference, raw_workbook({sheet: grid})))
    assert f"arket «{sheet}» har tabellen" in error.expected and "CSV (semikolondelt)" in error.expected

def test_a_month_alone_is_the_first_day_as_a_start_and_the_last_as_an_end(reference):
    content = workbook(innsending=valid_submission(),
                       pilots=[valid_pilot(start_date="mars 2024", end_date="mars 2024")],
                       milestones=[milestone(name="Testfase", kind="Fase", from_date="april 2024",
                                             to_date="juni 2024")])
    sub = accepted(reference, content)
    assert (sub.pilots[0]["start_date"], sub.pilots[0]["end_date"]) == (dt.date(2024, 3, 1), dt.date(2024, 3, 31))
    assert (sub.milestones[0]["from_date"], sub.milestones[0]["to_date"]) == (dt.date(2024, 4, 1),
                                                                              dt.date(2024, 6, 30))


def edited(content: bytes, edit) -> bytes:
    """The workbook after edit(openpyxl workbook), saved again."""
    book = load_workbook(io.BytesIO(content))
    edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_hidden_pilot_row_is_read_and_warned_of(reference):
    # «Avlyst pilot» hidden rather than deleted was counted with the others, and nothing said so
    content = workbook(innsending=valid_submission(), pilots=[valid_pilot(), valid_pilot(pilot_name="Avlyst pilot")])
    parsed = parse(reference, edited(content, lambda book: setattr(book["Piloter"].row_dimensions[3], "hidden", True)))
    assert parsed.errors == [] and len(parsed.submissions[0].pilots) == 2
    [warning] = parsed.warnings
    assert (warning.sheet, warning.expected.split(" er skjult")[0]) == ("Piloter", "rad 3")


def test_a_hidden_empty_row_or_header_row_says_nothing(reference):
    # row 3 is empty between two pilots; row 1 is the header (deleting it, as the warning says, breaks the file)
    content = workbook(innsending=valid_submission(), pilots=[valid_pilot(), None, valid_pilot(pilot_name="B")])

    def hide(book):
        for row in (1, 3):
            book["Piloter"].row_dimensions[row].hidden = True
    parsed = parse(reference, edited(content, hide))
    assert parsed.problems == [] and len(parsed.submissions[0].pilots) == 2


def test_a_hidden_column_with_content_is_read_and_warned_of_an_empty_one_says_nothing(reference):
    # a hidden «Læringsmål» was stored without a word, while hidden rows were told of
    content = workbook(innsending=valid_submission(),
                       pilots=[valid_pilot(learning_goals="Lære av brukerne", users=None)])
    header = [c.value for c in load_workbook(io.BytesIO(content))["Piloter"][1]]
    letter = column_letters(header.index(PILOTS.field("learning_goals").label) + 1)

    def hide(*letters):
        def edit(book):
            for column in letters:
                book["Piloter"].column_dimensions[column].hidden = True
        return edit
    parsed = parse(reference, edited(content, hide(letter)))
    assert parsed.errors == [] and parsed.submissions[0].pilots[0]["learning_goals"] == "Lære av brukerne"
    [warning] = parsed.warnings
    assert (warning.sheet, warning.column) == ("Piloter", PILOTS.field("learning_goals").label)
    assert warning.expected.startswith(f"kolonnen er skjult i Excel (kolonne {letter}), men ble lest")
    # an empty hidden column of the form, or hidden columns beyond the table, are nothing to tell
    empty = column_letters(header.index(PILOTS.field("users").label) + 1)
    assert parse(reference, edited(content, hide(empty, "AZ"))).problems == []


def test_a_damaged_sheet_is_named_with_what_to_do(reference):
    # calamine's «(t)» or «(Cell string index not found in shared strings table)» alone told nobody where or what
    def damaged(xml: bytes) -> bytes:
        if b"<dimension" in xml and xml.count(b"<row") > 1:  # the sheets with a table: Innsending, Piloter
            return xml.replace(b"<sheetData>", b'<sheetData><row r="2"><c r="A2" t="s"><v>99999</v></c></row>', 1)
        return xml
    error = only_error(parse(reference, with_sheets_rewritten(workbook(pilots=[valid_pilot()]), damaged)))
    assert re.match(r"arket «(Innsending|Piloter)» er skadet og kan ikke leses; åpne filen i Excel og lagre den på "
                    r"nytt, eller be om den på nytt( \(teknisk feilmelding: .{4,}\))?$", error.expected), error.expected


def test_a_hidden_form_sheet_that_is_read_is_warned_of(reference):
    content = workbook(innsending=valid_submission(), pilots=[valid_pilot()])
    parsed = parse(reference, edited(content, lambda book: setattr(book["Piloter"], "sheet_state", "hidden")))
    assert [(w.sheet, w.expected.split(";")[0]) for w in parsed.warnings] == [
        ("Piloter", "arket er skjult i Excel, men det er dette arket som ble lest")]


def test_the_workbook_without_an_innsending_sheet_is_refused_saying_so(reference):
    error = only_error(parse(reference, raw_workbook({"Piloter": workbook_pilot_grid()})))
    assert "Innsending" in error.expected and "mangler" in error.expected


def test_sheet_names_match_ignoring_case_and_spaces(reference):
    content = workbook(sheet_names={"submission": " INNSENDING ", "pilots": "piloter", "milestones": "MILEPÆLER"},
                       milestones=[milestone()])
    sub = accepted(reference, content)
    assert len(sub.pilots) == 1 and len(sub.milestones) == 1


def test_an_extra_sheet_is_a_warning_but_veiledning_and_lister_are_ignored(reference):
    content = workbook(extra_sheets={"Lister": [["Ja"], ["Nei"]], "Notater": [["Husk å sende"]]})
    parsed = parse(reference, content)
    assert parsed.errors == []
    assert [w.expected for w in parsed.warnings] == ["arket «Notater» er ikke en del av skjemaet og ble ikke lest"]


def test_a_form_sheet_renamed_by_a_letter_is_one_error_naming_both_names_not_one_per_row(reference):
    content = workbook(sheet_names={"pilots": "Pilotar"}, pilots=[valid_pilot(pilot_ref="HB-1")],
                       milestones=[milestone(pilot="HB-1"), milestone(pilot="HB-1", name="Slutt")],
                       budget=[budget_line(pilot="HB-1")])
    error = only_error(parse(reference, content))
    assert error.expected == ("arket «Piloter» mangler, men arbeidsboken har arket «Pilotar»; gi det skjemaets navn "
                              "«Piloter»")


def test_a_renamed_milestone_sheet_is_refused_rather_than_its_rows_dropped_with_a_warning(reference):
    content = workbook(sheet_names={"milestones": "Milepæl"}, milestones=[milestone()])
    error = only_error(parse(reference, content))
    assert "arket «Milepæler» mangler" in error.expected and "«Milepæl»" in error.expected


@pytest.mark.parametrize("name", ["Budsjettnotat", "Budsjett2", "Milepæler 2023"])
def test_a_note_sheet_named_like_an_optional_form_sheet_is_a_warning_not_a_refusal(reference, name):
    parsed = parse(reference, workbook(extra_sheets={name: [["Husk å oppdatere budsjettet i mars"]]}))
    assert parsed.errors == []
    assert [w.expected for w in parsed.warnings] == [f"arket «{name}» er ikke en del av skjemaet og ble ikke lest"]


@pytest.mark.parametrize(("table", "name"), [("pilots", "Piloter 2024"), ("pilots", "Piloter - HB"),
                                             ("milestones", "Milepæler og faser"), ("budget", "Budsjett per år")])
def test_a_form_sheet_renamed_with_words_added_is_refused_naming_the_forms_name(reference, table, name):
    # «Budsjett per år» with the whole Budsjett header was imported with its rows dropped and a warning only;
    # «Piloter 2024» gave three errors about pilots missing, none of them saying to rename the sheet.
    rows = {"pilots": [valid_pilot()], "milestones": [milestone()], "budget": [budget_line()]}
    content = workbook(sheet_names={table: name}, **rows)
    form = {"pilots": PILOTS, "milestones": MILESTONES, "budget": BUDGET}[table].sheet
    error = only_error(parse(reference, content))
    assert error.expected == (f"arket «{form}» mangler, men arbeidsboken har arket «{name}»; gi det skjemaets "
                              f"navn «{form}»")


def test_a_budget_table_under_another_name_is_refused_naming_the_forms_name(reference):
    content = workbook(sheet_names={"budget": "Budsjett2"}, budget=[budget_line()])
    error = only_error(parse(reference, content))
    assert error.expected.startswith("arket «Budsjett» mangler, men arbeidsboken har arket «Budsjett2»")


@pytest.mark.parametrize(("table", "name"), [("milestones", "Tidsplan"), ("budget", "Økonomi"),
                                             ("pilots", "Våre planer")])
def test_a_form_sheet_under_a_name_of_its_own_is_refused_when_it_has_the_tables_header(reference, table, name):
    # «Tidsplan» with the whole Milepæler table was left unread with a warning: a correction imported so
    # dropped every milestone of the version before
    rows = {"pilots": [valid_pilot()], "milestones": [milestone()], "budget": [budget_line()]}
    form = {"pilots": PILOTS, "milestones": MILESTONES, "budget": BUDGET}[table].sheet
    error = only_error(parse(reference, workbook(sheet_names={table: name}, **rows)))
    assert error.expected == (f"arket «{form}» mangler, men arket «{name}» har overskriftene til tabellen der; gi "
                              f"det skjemaets navn «{form}», så radene blir med")


def test_a_pilot_without_a_name_is_one_error_and_rows_naming_its_id_are_not_blamed(reference):
    content = workbook(pilots=[valid_pilot(pilot_ref="HB-24-F1", pilot_name=None)],
                       milestones=[milestone(pilot="HB-24-F1")], budget=[budget_line(pilot="HB-24-F1")])
    error = only_error(parse(reference, content))
    assert (error.sheet, error.column) == ("Piloter", "Pilotnavn")


def test_typed_cells_are_read_as_values(reference):
    sub = accepted(reference, workbook(
        innsending=valid_submission(start_year=2024.0, has_plans=True, submitted_on=dt.datetime(2023, 10, 30, 14, 5)),
        pilots=[valid_pilot(budget_total_nok=2_500_000.0, person_years=1.5, needs_exemption=False,
                            scope_will_expand=1, start_date=dt.datetime(2024, 1, 15))]))
    assert sub.fields["submitted_on"] == dt.date(2023, 10, 30)
    pilot = sub.pilots[0]
    assert (pilot["budget_total_nok"], pilot["person_years"], pilot["scope_will_expand"]) == (2_500_000, 1.5, True)
    assert pilot["start_date"] == dt.date(2024, 1, 15)


def test_typed_workbook_cells_and_the_same_values_as_csv_text_give_the_same_pilots(reference):
    typed = [valid_pilot(pilot_name="A", budget_total_nok=2_500_000.0, person_years=1.5, status="pågår",
                         start_date=dt.date(2024, 1, 15), themes="Ledelse", scope_will_expand="ja"),
             valid_pilot(pilot_name="B", budget_total_nok="2,5 mill.", start_date="15.01.2024", status=None)]
    as_text = [csv_pilot(pilot_name="A", budget_total_nok="2 500 000", person_years="1,5", status=" Pågår ",
                         start_date="15.01.2024", themes=" Ledelse ", scope_will_expand="Ja"),
               csv_pilot(pilot_name="B", budget_total_nok="2500000 kr", start_date="2024-01-15", status="")]
    from_workbook = accepted(reference, workbook(pilots=typed)).pilots
    from_csv = accepted(reference, csv_bytes(as_text), "piloter.csv").pilots
    own = [f.key for f in PILOTS.fields]
    assert [{k: p[k] for k in own} for p in from_workbook] == [{k: p[k] for k in own} for p in from_csv]
    assert from_workbook[0]["budget_total_nok"] == from_workbook[1]["budget_total_nok"] == 2_500_000
    assert (from_workbook[0]["status"], from_workbook[1]["status"]) == ("Pågår", "Planlagt")


def test_the_same_bad_value_on_several_rows_is_an_error_on_each_with_the_same_message(reference):
    pilots = [valid_pilot(pilot_name=name, status=status, start_date=start)
              for name, status, start in (("A", "Pågår", dt.date(2024, 3, 1)), ("B", "Kanskje", "snart"),
                                          ("C", "Pågår", dt.date(2024, 3, 1)), ("D", "Kanskje", "snart"))]
    parsed = parse(reference, workbook(pilots=pilots))
    assert [(e.row, e.column, e.value) for e in parsed.errors] == [
        (3, "Status", "Kanskje"), (3, "Startdato", "snart"), (5, "Status", "Kanskje"), (5, "Startdato", "snart")]
    statuses = {e.expected for e in parsed.errors if e.column == "Status"}
    assert statuses == {"en av: Planlagt, Pågår, Gjennomført, Avbrutt"}
    assert "fant «snart», forventet en dato som 31.10.2023" in str(parsed.errors[-1])


def test_amounts_written_as_text_in_the_workbook_are_read(reference):
    sub = accepted(reference, workbook(pilots=[valid_pilot(pilot_name="A", budget_total_nok="2,5 MNOK"),
                                               valid_pilot(pilot_name="B", budget_total_nok="kr 1 500 000,-"),
                                               valid_pilot(pilot_name="C", budget_total_nok="1,2 mrd.")]))
    assert [p["budget_total_nok"] for p in sub.pilots] == [2_500_000, 1_500_000, 1_200_000_000]


def test_lists_in_a_workbook_cell_split_on_semicolons_and_line_breaks(reference):
    sub = accepted(reference, workbook(pilots=[valid_pilot(themes="Digitalisering; Ledelse\nKompetanse",
                                                           partner_agencies="Kartverket;\nDigdir")]))
    assert sub.pilots[0]["themes"] == ["Digitalisering", "Ledelse", "Kompetanse"]
    assert sub.pilots[0]["partner_agencies"] == ["Kartverket", "Digdir"]


# ---------------------------------------------------------------------------------------------
# Har planer om piloter


def no_pilots_workbook(innsending: dict, pilot_sheet: str = "header only") -> bytes:
    """A workbook whose Piloter sheet has only its header row (or is left out)."""
    sheets = {"Innsending": submission_grid(innsending)}
    if pilot_sheet == "header only":
        sheets["Piloter"] = [[PILOTS.field(k).label for k in valid_pilot()]]
    return raw_workbook(sheets)


@pytest.mark.parametrize("pilot_sheet", ["absent", "header only"])
def test_nei_with_assessment_and_union_involvement_and_no_pilots_is_accepted_with_zero_pilots(reference,
                                                                                              pilot_sheet):
    sub = accepted(reference, no_pilots_workbook(no_plans_submission(), pilot_sheet))
    assert sub.fields["has_plans"] is False
    assert sub.pilots == []
    assert sub.fields["assessment"] == "Vi har vurdert tre områder, men ingen er modne ennå"


@pytest.mark.parametrize("missing", ["assessment", "union_involvement"])
def test_nei_without_assessment_or_union_involvement_is_an_error_naming_the_missing_field(reference, missing):
    parsed = parse(reference, no_pilots_workbook(no_plans_submission(**{missing: OMIT})))
    assert {e.column for e in parsed.errors} == {SUBMISSION.field(missing).label}
    assert parsed.submissions == []


def test_nei_without_either_text_gives_an_error_for_each(reference):
    parsed = parse(reference, no_pilots_workbook(valid_submission(has_plans="Nei", union_involvement=OMIT)))
    assert {e.column for e in parsed.errors} == {"Vurderinger av muligheter for pilotering",
                                                 "Involvering av tillitsvalgte"}


def test_nei_with_pilot_rows_is_an_error(reference):
    error = only_error(parse(reference, workbook(innsending=no_plans_submission(), pilots=[valid_pilot()])))
    assert (error.sheet, error.column) == ("Innsending", "Har planer om piloter")
    assert "Nei" in error.expected and "1 pilot" in error.expected


@pytest.mark.parametrize(("innsending", "with_pilots"), [(no_plans_submission(), True), (valid_submission(), False)],
                         ids=["nei-with-pilots", "ja-without-pilots"])
def test_har_planer_disagreeing_with_the_pilot_rows_names_the_row_of_har_planer(reference, innsending, with_pilots):
    content = workbook(innsending=innsending) if with_pilots else no_pilots_workbook(innsending)
    error = only_error(parse(reference, content))
    assert (error.sheet, error.row, error.column) == ("Innsending", list(innsending).index("has_plans") + 2,
                                                      "Har planer om piloter")


def test_ja_with_no_pilot_rows_is_an_error(reference):
    error = only_error(parse(reference, no_pilots_workbook(valid_submission(), "header only")))
    assert error.column == "Har planer om piloter"
    assert "arket «Piloter» har ingen piloter" in error.expected


def test_ja_with_the_piloter_sheet_deleted_says_the_sheet_is_missing_not_empty(reference):
    error = only_error(parse(reference, no_pilots_workbook(valid_submission(), "absent")))
    assert error.column == "Har planer om piloter"
    assert "arbeidsboken har ikke arket «Piloter»" in error.expected


def test_milestones_and_budget_rows_without_their_piloter_sheet_are_one_error_per_sheet(reference):
    # twelve errors «fant «VDIR-F1», forventet … (ingen piloter er registrert)», one per row, came before the cause
    book = load_workbook(io.BytesIO(workbook(
        pilots=[valid_pilot()], milestones=[milestone(name=f"Steg {i}") for i in range(8)],
        budget=[budget_line(year=2024), budget_line(year=2025)])))
    del book["Piloter"]
    out = io.BytesIO()
    book.save(out)
    errors = parse(reference, out.getvalue()).errors
    assert [(e.sheet, e.row) for e in errors] == [("Milepæler", None), ("Budsjett", None),
                                                  ("Innsending", errors[2].row)]
    assert errors[0].expected.startswith("arket har 8 rader som viser til piloter, men arbeidsboken har ikke arket "
                                         "«Piloter»")
    assert errors[1].expected.startswith("arket har 2 rader som viser til piloter")
    assert "arbeidsboken har ikke arket «Piloter»" in errors[2].expected


def test_a_budget_amount_that_cannot_be_read_gives_no_warning_that_the_rows_do_not_add_up(reference):
    # «€ 50 000» refused, and then «summerer til 1 500 000 kr, men «Budsjett totalt (kr)» er 2 200 000 kr»
    content = workbook(pilots=[valid_pilot(budget_total_nok=2_200_000)],
                       budget=[budget_line(amount=1_500_000), budget_line(year=2025, amount="€ 700 000")])
    parsed = parse(reference, content)
    assert [(e.sheet, e.row) for e in parsed.errors] == [("Budsjett", 3)]
    assert parsed.warnings == []


# ---------------------------------------------------------------------------------------------
# Elements of the letter


def test_a_pilot_with_only_required_fields_covers_elements_one_three_and_five(reference):
    sub = accepted(reference, workbook())
    assert sub.pilots[0]["elements"] == (True, False, True, False, True, False)


def test_a_pilot_without_element_six_fields_does_not_cover_element_six(reference):
    sub = accepted(reference, workbook(pilots=[valid_pilot(service_scope="Hele landet", users="Alle søkere",
                                                           resources="To saksbehandlere")]))
    assert sub.pilots[0]["elements"][5] is False
    assert sub.pilots[0]["elements"][:5] == (True, True, True, True, True)


@pytest.mark.parametrize(("key", "element"), [("documentation", 6), ("evaluation", 6), ("org_scope", 2),
                                              ("partner_agencies", 2), ("scope_will_expand", 2),
                                              ("third_parties", 4), ("units_and_staff", 4)])
def test_one_filled_field_of_an_element_covers_it(reference, key, element):
    value = "Nei" if key == "scope_will_expand" else "Noe"
    sub = accepted(reference, workbook(pilots=[valid_pilot(**{key: value})]))
    assert sub.pilots[0]["elements"][element - 1] is True


# ---------------------------------------------------------------------------------------------
# CSV


@pytest.mark.parametrize(("rows", "table"), [
    ([csv_pilot()], "pilots"),
    ([csv_row(milestone())], "milestones"),
    ([csv_row(budget_line())], "budget"),
])
def test_csv_table_is_told_apart_by_its_header(reference, rows, table):
    parsed = parse(reference, csv_bytes(rows), "tabell.csv")
    assert parsed.errors == []
    assert parsed.table == table
    [sub] = parsed.submissions
    assert (sub.agency, sub.start_year) == ("Husbanken", 2024)
    assert [name for name, value in sub.tables.items() if value is not None] == [table]


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_csv_delimiter_semicolon_comma_or_tab_is_detected(reference, delimiter):
    rows = [csv_pilot(themes="Digitalisering; Ledelse", budget_total_nok="1 500 000,-"),
            csv_pilot(pilot_name="Andre, med komma", budget_total_nok="2,5 mill.")]
    sub = accepted(reference, csv_bytes(rows, delimiter=delimiter), "piloter.csv")
    assert [p["pilot_name"] for p in sub.pilots] == ["Digital søknad", "Andre, med komma"]
    assert [p["budget_total_nok"] for p in sub.pilots] == [1_500_000, 2_500_000]
    assert sub.pilots[0]["themes"] == ["Digitalisering", "Ledelse"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_encoding_is_detected_and_norwegian_letters_come_back_intact(reference, encoding):
    rows = [csv_pilot(pilot_name="Bærekraftig bygg på Ørland", problem="Åpne data for søkere – «raskt»",
                      status="Pågår", agency="Den norske stats husbank")]
    sub = accepted(reference, csv_bytes(rows, encoding=encoding), "piloter.csv")
    pilot = sub.pilots[0]
    assert (pilot["pilot_name"], pilot["problem"], pilot["status"]) == (
        "Bærekraftig bygg på Ørland", "Åpne data for søkere – «raskt»", "Pågår")
    assert sub.agency == "Husbanken"


def test_csv_in_windows_1252_with_oppstartsar_header_is_read(reference):
    content = csv_bytes([csv_row(milestone(name="Første fase, del én"))], encoding="cp1252")
    assert b"Oppstarts\xe5r" in content  # really Windows-1252
    sub = accepted(reference, content, "milepæler.csv")
    assert sub.milestones[0]["name"] == "Første fase, del én"


@pytest.mark.parametrize("written", ["a line pasted in from elsewhere", "a byte order mark over Windows-1252"])
def test_a_csv_in_mixed_encodings_is_refused_naming_the_line_not_its_columns_unknown(reference, written):
    # Read as Windows-1252, «Oppstartsår» became «OppstartsÃ¥r»: «kolonnen mangler» and «ukjent kolonne», and
    # never a word of the encoding
    rows = [csv_pilot(pilot_name="Første pilot"), csv_pilot(pilot_name="Andre – pilot")]
    if written.startswith("a line"):
        text = csv_bytes(rows).decode("utf-8-sig")
        first, second, third = text.split("\n", 2)
        content = (f"{first}\n{second}\n").encode() + third.encode("cp1252")  # «–» is 0x96 there
        line = 3
    else:
        content = b"\xef\xbb\xbf" + csv_bytes(rows, encoding="cp1252")
        line = 1
    error = only_error(parse(reference, content, "piloter.csv"))
    assert error.expected.startswith(f"tegnkodingen er blandet: filen er skrevet i UTF-8, men linje {line} har tegn i "
                                     "en annen koding")
    assert "lagre den på nytt som «CSV UTF-8»" in error.expected


def test_csv_quoted_fields_may_hold_delimiters_and_line_breaks(reference):
    rows = [csv_pilot(problem="Lang kø; mange, og\nsaker ligger\r\nlenge", themes="Tema 1\nTema 2")]
    for delimiter in (";", ","):
        sub = accepted(reference, csv_bytes(rows, delimiter=delimiter), "piloter.csv")
        assert sub.pilots[0]["problem"] == "Lang kø; mange, og\nsaker ligger\r\nlenge"
        assert sub.pilots[0]["themes"] == ["Tema 1", "Tema 2"]


@pytest.mark.parametrize("key", ["agency", "start_year"])
def test_csv_without_virksomhet_or_oppstartsar_column_is_an_error_naming_it(reference, key):
    for rows in ([csv_pilot(**{key: OMIT})], [{k: v for k, v in csv_row(milestone()).items() if k != key}]):
        error = only_error(parse(reference, csv_bytes(rows), "tabell.csv"))
        assert (error.row, error.column) == (1, SUBMISSION.field(key).label)
        assert "mangler" in error.expected


def test_csv_row_with_blank_virksomhet_is_an_error_naming_its_row(reference):
    rows = [csv_row(budget_line(amount=1_000_000)), csv_row(budget_line(year=2025, amount=500_000), agency=None)]
    error = only_error(parse(reference, csv_bytes(rows), "budsjett.csv"))
    assert (error.sheet, error.row, error.column) == ("CSV (Budsjett)", 3, "Virksomhet")


def test_piloter_csv_without_innsendt_dato_column_is_an_error(reference):
    error = only_error(parse(reference, csv_bytes([csv_pilot(submitted_on=OMIT)]), "piloter.csv"))
    assert (error.sheet, error.row, error.column) == ("CSV (Piloter)", 1, "Innsendt dato")


def test_piloter_csv_with_a_blank_innsendt_dato_is_an_error_naming_the_row(reference):
    rows = [csv_pilot(), csv_pilot(pilot_name="B", submitted_on=None)]
    error = only_error(parse(reference, csv_bytes(rows), "piloter.csv"))
    assert (error.row, error.column) == (3, "Innsendt dato")


def test_a_csv_with_rows_of_two_agencies_gives_two_submissions(reference):
    rows = [csv_pilot(agency="HB", pilot_name="A"), csv_pilot(agency="Kartverket", pilot_name="K"),
            csv_pilot(agency="husbanken", pilot_name="B")]
    parsed = parse(reference, csv_bytes(rows), "piloter.csv")
    assert parsed.errors == []
    found = {(s.agency, s.start_year): [p["pilot_name"] for p in s.pilots] for s in parsed.submissions}
    assert found == {("Husbanken", 2024): ["A", "B"], ("Kartverket", 2024): ["K"]}


def test_a_milestone_csv_with_rows_of_two_agencies_gives_two_submissions(reference):
    rows = [csv_row(milestone()), csv_row(milestone(pilot="K1"), agency="KV", start_year="2023")]
    parsed = parse(reference, csv_bytes(rows, delimiter=","), "milepæler.csv")
    assert parsed.errors == []
    assert sorted((s.agency, s.start_year, len(s.milestones)) for s in parsed.submissions) == [
        ("Husbanken", 2024, 1), ("Kartverket", 2023, 1)]


@pytest.mark.parametrize(("key", "first", "second", "words"), [
    ("has_plans", "Ja", "nei", ("Nei", "Ja")),
    ("submitted_on", "30.10.2023", "2023-10-31", ("31.10.2023", "30.10.2023")),
])
def test_a_piloter_csv_with_two_answers_for_its_submission_names_them_as_the_form_writes_them(
        reference, key, first, second, words):
    # The message said «fant «False» … (rad 2 har «True»)» and «rad 2 har «2023-10-30»» for 30.10.2023
    rows = [csv_pilot(**{key: first}), csv_pilot(pilot_name="Annen", **{key: second})]
    error = only_error(parse(reference, csv_bytes(rows), "piloter.csv"))
    found, before = words
    assert (error.row, error.column, str(error.value)) == (3, SUBMISSION.field(key).label, found)
    assert f"(rad 2 har «{before}»)" in error.expected


def test_piloter_csv_with_nei_and_no_pilot_fields_is_a_submission_with_zero_pilots(reference):
    row = {"agency": "Husbanken", "start_year": 2024, "submitted_on": "1.10.2023", "has_plans": "Nei",
           "assessment": "Vurdert, ikke modent", "union_involvement": "Drøftet i MBU",
           **{k: None for k in valid_pilot()}}
    sub = accepted(reference, csv_bytes([row]), "piloter.csv")
    assert sub.pilots == []
    assert (sub.fields["has_plans"], sub.fields["assessment"]) == (False, "Vurdert, ikke modent")


def test_a_piloter_csv_of_many_agencies_names_the_row_and_agency_whose_answer_disagrees_with_its_rows(reference):
    # «… er Nei, men arket «CSV (Piloter)» har 1 pilot» named no row nor agency in a file of five agencies
    no_plans = {"assessment": "Vurdert", "union_involvement": "Drøftet i MBU"}
    rows = [csv_pilot(agency="Husbanken"),
            csv_pilot(agency="Kartverket", has_plans="Nei", **no_plans),
            {"agency": "Statsbygg", "start_year": 2024, "submitted_on": "15.10.2023", "has_plans": None},
            {"agency": "Statsbygg", "start_year": 2024, "submitted_on": "15.10.2023", "has_plans": "Ja"}]
    parsed = parse(reference, csv_bytes(rows), "piloter.csv")
    label = SUBMISSION.field("has_plans").label
    assert {(e.row, e.column, e.value, e.expected) for e in parsed.errors} == {
        (3, label, "Nei", "Ja, for radene for Kartverket 2024 har 1 pilot (eller fjern pilotene)"),
        (5, label, "Ja", "Nei, for ingen av radene for Statsbygg 2024 har en pilot (eller fyll ut pilotkolonnene)")
    }, [str(e) for e in parsed.errors]


def test_a_piloter_csv_of_no_plans_needs_no_pilot_columns(reference):
    # an agency without plans, sending only the fields that apply to it, was refused for eight missing pilot columns
    rows = [{"agency": agency, "start_year": 2024, "submitted_on": "1.10.2023", "has_plans": "Nei",
             "assessment": "Vurdert, ikke modent", "union_involvement": "Drøftet i MBU"}
            for agency in ("Husbanken", "Kartverket")]
    parsed = parse(reference, csv_bytes(rows), "ingen_planer.csv")
    assert not parsed.errors, [str(e) for e in parsed.errors]
    assert [(s.agency, s.fields["has_plans"], s.pilots) for s in parsed.submissions] == [
        ("Husbanken", False, []), ("Kartverket", False, [])]
    # a blank answer is Nei, as in a CSV with the pilot columns left empty
    rows[0]["has_plans"] = None
    assert not parse(reference, csv_bytes(rows), "ingen_planer.csv").errors
    # a row answering Ja is told, at its row, that it needs the pilot columns
    rows[1]["has_plans"] = "Ja"
    parsed = parse(reference, csv_bytes(rows), "ingen_planer.csv")
    [error] = parsed.errors
    assert (error.row, error.column, error.value) == (3, "Har planer om piloter", "Ja")
    assert error.expected.startswith("Nei i en CSV uten pilotkolonnene; har Kartverket planer, ta med kolonnene "
                                     "«Pilotnavn», «Problembeskrivelse»")


def test_csv_row_numbers_count_blank_lines_as_excel_shows_them(reference):
    rows = [csv_row(milestone()), None, csv_row(milestone(name="Fase", kind="Fase"))]
    error = only_error(parse(reference, csv_bytes(rows), "milepæler.csv"))
    assert (error.sheet, error.row, error.column) == ("CSV (Milepæler)", 4, "Til dato")


@pytest.mark.parametrize("line", ["sep=;", "SEP=;"])
def test_csv_row_numbers_leave_out_the_sep_line_excel_does_not_show(reference, line):
    # Excel reads «sep=;» as the delimiter to use and hides it: the messages were a row off
    rows = [csv_row(milestone()), csv_row(milestone(name="Fase", kind="Fase"))]
    content = csv_bytes(rows)
    bom = "\ufeff".encode()
    error = only_error(parse(reference, bom + f"{line}\r\n".encode() + content.removeprefix(bom), "milepæler.csv"))
    assert (error.sheet, error.row, error.column) == ("CSV (Milepæler)", 3, "Til dato")


def test_a_csv_with_american_dates_is_refused_for_every_date_that_could_be_either_way(reference):
    # a LibreOffice export in English: 03/01/2024 went in as 3 January, unseen, beside a refused 10/31/2023
    rows = [csv_row(milestone(from_date="03/01/2024", name="Oppstart")),
            csv_row(milestone(from_date="10/31/2024", name="Midtveis")),
            csv_row(milestone(from_date="20/01/2024", name="Første samling"))]  # only day first: read as written
    errors = parse(reference, csv_bytes(rows), "milepæler.csv").errors
    assert sorted((e.row, e.column, e.value) for e in errors) == [(2, "Fra dato", "03/01/2024"),
                                                                  (3, "Fra dato", "10/31/2024")]
    assert next(e for e in errors if e.row == 2).expected == (
        "en dato skrevet som 31.10.2023: filen har datoer med måneden først (som «10/31/2024» på rad 3), så denne "
        "kan være 3. januar eller 1. mars. Lagre filen med norske datoer, eller skriv dem som 31.10.2023, og "
        "importer den på nytt")


def test_american_dates_on_one_sheet_refuse_the_dates_that_could_be_either_way_on_another(reference):
    # a workbook's sheets are saved alike: with only Piloter's cells mended, Milepæler's went in turned round
    content = workbook(pilots=[valid_pilot(start_date="03/01/2024", end_date="12/31/2024")],
                       milestones=[milestone(from_date="03/02/2024  10:00")])  # as a datetime cell saved to text
    errors = parse(reference, content).errors
    assert sorted((e.sheet, e.row, e.column) for e in errors) == [
        ("Milepæler", 2, "Fra dato"), ("Piloter", 2, "Sluttdato"), ("Piloter", 2, "Startdato")]
    [on_milestones] = [e for e in errors if e.sheet == "Milepæler"]
    assert "(som «12/31/2024» på rad 2 på arket Piloter)" in on_milestones.expected


def test_a_slashed_date_with_a_zero_is_no_sign_of_american_dates(reference):
    rows = [csv_row(milestone(from_date="00/31/2024")), csv_row(milestone(from_date="03/01/2024", name="Slutt"))]
    errors = parse(reference, csv_bytes(rows), "milepæler.csv").errors
    assert [(e.row, e.value) for e in errors] == [(2, "00/31/2024")]  # refused as no date, the other not doubted


def test_slashed_dates_are_read_day_first_with_one_warning_when_no_date_of_the_table_is_month_first(reference):
    rows = [csv_row(milestone(from_date="20/01/2024", name="Oppstart")), csv_row(milestone(from_date="03/01/2024")),
            csv_row(milestone(from_date="04/02/2024", name="Slutt"))]
    parsed = parse(reference, csv_bytes(rows), "milepæler.csv")
    assert [m["from_date"] for m in parsed.submissions[0].milestones] == [
        dt.date(2024, 1, 20), dt.date(2024, 1, 3), dt.date(2024, 2, 4)]
    [warning] = parsed.warnings  # one, at the first date that could be read either way
    assert (warning.row, warning.column) == (3, "Fra dato")
    assert warning.expected.startswith("datoer med skråstrek er lest med dagen først, som vi skriver dem i Norge: "
                                       "«03/01/2024» er 3. januar.")


def test_csv_with_only_a_header_is_refused(reference):
    error = only_error(parse(reference, csv_bytes([], headers=list(csv_pilot())), "piloter.csv"))
    assert "ingen datarader" in error.expected


def test_csv_without_any_known_header_is_refused_saying_what_was_expected(reference):
    error = only_error(parse(reference, b"Fornavn;Alder\nKari;40\n", "personer.csv"))
    assert "overskriftsrad" in error.expected


# ---------------------------------------------------------------------------------------------
# Files that cannot be read: one clear error, never an exception


VALID_BYTES = workbook(milestones=[milestone()], budget=[budget_line()])


@pytest.mark.parametrize(("name", "content", "says"), [
    ("skjema.xlsx", random.Random(0).randbytes(4000), "Excel-arbeidsbok"),
    ("skjema.xlsx", b"", "tom"),
    ("skjema.csv", b"", "tom"),
    ("skjema.xlsx", VALID_BYTES[: len(VALID_BYTES) // 2], "avkortet"),
    ("skjema.pdf", VALID_BYTES, "filtypen"),
    ("skjema", "Virksomhet;Oppstartsår\n".encode(), "filtypen"),
    ("skjema.csv", b"\x00\x01\x02PK\x03\x04" * 50, "binær"),
    ("skjema.xlsx", "Virksomhet;Oppstartsår\nHB;2024\n".encode(), "Excel-arbeidsbok"),
], ids=["random-bytes", "empty-xlsx", "empty-csv", "truncated", "pdf", "no-extension", "binary-csv", "csv-as-xlsx"])
def test_an_unreadable_file_gives_one_clear_error_and_no_exception(reference, name, content, says):
    error = only_error(parse(reference, content, name))
    assert error.file == name
    assert says in error.expected


def test_a_zip_that_is_no_workbook_is_refused(reference):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("rapport.txt", "hei")
    error = only_error(parse(reference, out.getvalue()))
    assert "ikke en Excel-arbeidsbok" in error.expected


def test_a_file_over_the_size_limit_is_refused_unread(reference):
    small = dataclasses.replace(reference, settings=dataclasses.replace(
        reference.settings, limits=Limits(max_file_bytes=2 * 1_048_576, max_unpacked_bytes=10 * 1_048_576)))
    big = b"Virksomhet;Oppstartsaar\n" + b"x" * (3 * 1_048_576)
    error = only_error(parse_file("stor.csv", big, small))
    assert error.file == "stor.csv"
    assert "filen er 3 MB" in error.expected and "grensen er 2 MB" in error.expected
    # the same reference limits do not refuse a normal workbook
    assert parse_file("liten.xlsx", workbook(), small).errors == []


def test_a_workbook_unpacking_to_more_than_the_limit_is_refused(reference):
    small = dataclasses.replace(reference, settings=dataclasses.replace(
        reference.settings, limits=Limits(max_file_bytes=1_048_576, max_unpacked_bytes=1_048_576)))
    content = workbook(pilots=[valid_pilot(pilot_name=f"P{i}", problem="x" * 3000) for i in range(400)])
    assert len(content) < 1_048_576
    error = only_error(parse_file("zip.xlsx", content, small))
    assert "pakker seg ut" in error.expected


@pytest.mark.parametrize("variation", [{"comment": b"Lagret av et annet program"}, {"extra": b"\xfe\xca\x00\x00"}])
def test_a_workbook_zipped_in_a_less_common_layout_is_read_like_any_other(reference, variation):
    # the loader reads the zip listing of the usual layout itself and leaves the rest to zipfile
    content = workbook(pilots=[valid_pilot()])
    assert accepted(reference, rezipped(content, **variation)) == accepted(reference, content)


def test_a_rezipped_workbook_unpacking_to_more_than_the_limit_is_refused(reference):
    small = dataclasses.replace(reference, settings=dataclasses.replace(
        reference.settings, limits=Limits(max_file_bytes=1_048_576, max_unpacked_bytes=1_048_576)))
    content = workbook(pilots=[valid_pilot(pilot_name=f"P{i}", problem="x" * 3000) for i in range(400)])
    error = only_error(parse_file("zip.xlsx", rezipped(content, comment=b"x"), small))
    assert "pakker seg ut" in error.expected


def test_a_workbook_whose_member_name_is_no_utf8_though_flagged_so_is_refused_not_raised(reference):
    content = bytearray(workbook())
    central = content.find(b"PK\x01\x02")
    flags = struct.unpack_from("<H", content, central + 8)[0]
    struct.pack_into("<H", content, central + 8, flags | 0x800)  # "the name is UTF-8"
    content[central + 46] = 0xFF  # the first byte of the name: never valid UTF-8
    error = only_error(parse(reference, bytes(content)))
    assert "ikke en gyldig Excel-arbeidsbok" in error.expected


def test_a_workbook_whose_zip_needs_an_unsupported_version_is_refused_not_raised(reference):
    content = bytearray(workbook())
    central = content.find(b"PK\x01\x02")
    struct.pack_into("<H", content, central + 6, 99)  # "version needed to extract" = 9.9
    error = only_error(parse(reference, bytes(content)))
    assert "Excel-arbeidsbok" in error.expected


def test_the_size_limit_message_shows_a_fractional_limit_as_it_is(reference):
    limit = Limits(max_file_bytes=int(1.5 * 1_048_576))
    small = dataclasses.replace(reference, settings=dataclasses.replace(reference.settings, limits=limit))
    error = only_error(parse_file("stor.csv", b"x" * int(1.6 * 1_048_576), small))
    assert "grensen er 1,5 MB" in error.expected and "filen er 1,6 MB" in error.expected


def test_every_error_of_a_bad_file_names_the_file(reference):
    content = workbook(innsending=valid_submission(agency="Ukjent etat", start_year="neste år"),
                       pilots=[valid_pilot(start_date="snart", budget_total_nok=-5)], milestones=[milestone(pilot="X")])
    parsed = parse(reference, content, "Husbanken 2024.xlsx")
    assert len(parsed.errors) >= 4
    assert {e.file for e in parsed.errors} == {"Husbanken 2024.xlsx"}
    assert all(e.expected for e in parsed.errors)
    assert parsed.submissions == []


def test_a_submission_with_plans_but_no_union_involvement_gets_a_warning_naming_the_field(reference):
    parsed = parse(reference, workbook(valid_submission(union_involvement=None)))
    assert parsed.errors == [] and len(parsed.submissions) == 1
    [warning] = parsed.warnings
    assert (warning.sheet, warning.column) == ("Innsending", "Involvering av tillitsvalgte")


def test_files_with_huge_cells_leave_nothing_of_them_in_the_servers_memory(reference):
    # the server imports file after file in its lifetime: what it remembers between files (labels,
    # choices, dates it has parsed) must stay small, whatever one odd file holds
    def parse_odd_files(seed: int) -> None:
        rng = random.Random(seed)

        def text(size: int = 100_000) -> str:
            return "".join(rng.choices("abcdefghij ", k=size))

        huge_labels = csv_grid([csv_pilot()])
        huge_labels[0] += [text() for _ in range(20)]  # 2 MB of unknown column labels
        huge_labels[1] += ["x"] * 20
        huge_cells = [csv_pilot(needs_exemption=text(), status=text(), start_date=text(), themes=text() + ";x")]
        accepted(reference, grid_csv_bytes(huge_labels), "stor.csv")
        assert parse(reference, csv_bytes(huge_cells), "stor.csv").errors

    parse_odd_files(0)  # whatever small things any parse remembers are remembered now
    gc.collect()
    tracemalloc.start()
    try:
        for seed in range(1, 4):
            parse_odd_files(seed)
        gc.collect()
        kept, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert kept < 500_000, f"{kept:,} bytes kept after three files with megabytes of cells"


def test_a_csv_with_a_long_line_is_read(reference):
    # 150 000 characters in a row, each cell well under the csv module's limit per cell
    pilot = csv_pilot(problem="p" * 60_000, goals="m" * 60_000, what_to_test="t" * 30_000)
    sub = accepted(reference, csv_bytes([pilot]), "piloter.csv")
    assert len(sub.pilots[0]["problem"]) == 60_000


@pytest.mark.parametrize(("delimiter", "text"), [
    (";", "p" * 200_000),
    (";", "Setninger, med komma, som vanlig prosa. " * 5_000),  # splits at «,» without an error
    (";", "Et avsnitt.\n" * 20_000),                          # line breaks inside the cell
    (",", "Tekst; med semikolon. " * 10_000),
], ids=["one-word", "prose-with-commas", "line-breaks", "comma-file"])
def test_a_csv_cell_longer_than_the_limit_is_refused_naming_its_row(reference, delimiter, text):
    rows = [csv_pilot(), csv_pilot(pilot_name="Lang", problem=text)]
    error = only_error(parse(reference, csv_bytes(rows, delimiter=delimiter), "piloter.csv"))
    assert error.expected.startswith("rad 3 har en celle på mer enn 131\u00a0072 tegn")


def test_a_csv_rows_line_in_the_file_is_named_when_cells_above_hold_line_breaks(reference):
    rows = [csv_pilot(problem="Linje én\nlinje to\nlinje tre"), csv_pilot(pilot_name="Lang", problem="p" * 200_000)]
    error = only_error(parse(reference, csv_bytes(rows), "piloter.csv"))
    assert error.expected.startswith("rad 3 (linje 5 i filen) har en celle på mer enn")
    with_sep = "\ufeffsep=;\r\n".encode() + csv_bytes(rows).removeprefix("\ufeff".encode())
    error = only_error(parse(reference, with_sep, "piloter.csv"))  # a line Excel hides, but an editor shows
    assert error.expected.startswith("rad 3 (linje 6 i filen) har en celle på mer enn")


# ---------------------------------------------------------------------------------------------
# A sheet that reaches far beyond its table


@pytest.mark.parametrize("keep_dimension", [True, False])
def test_a_stray_character_far_out_in_a_sheet_refuses_the_file_naming_sheet_and_cell(reference, keep_dimension):
    # calamine would lay the sheet out as 17 billion cells and take the process down with it
    content = with_stray_cell(workbook(pilots=[valid_pilot()]), PILOTS.sheet, "XFD1048576", keep_dimension)
    error = only_error(parse(reference, content))
    assert error.sheet is None and error.row is None
    assert ("arket «Piloter» har innhold helt ut til celle XFD1048576, langt utenfor tabellen "
            "(1\u00a0048\u00a0576 rader og 16\u00a0384 kolonner)") in error.expected
    assert "Ctrl+End" in error.expected


def test_a_stray_character_in_a_sheet_the_form_does_not_read_is_no_matter(reference):
    content = with_stray_cell(workbook(pilots=[valid_pilot()]), "Veiledning", "AD1048576")
    assert accepted(reference, content) == accepted(reference, workbook(pilots=[valid_pilot()]))


def test_a_stray_character_in_a_note_sheet_beside_a_workbook_without_budsjett_is_no_matter(reference):
    # without Budsjett, «Notater» is looked at for a form table's header: far too large to read, it refused the file
    plain = workbook(pilots=[valid_pilot()], milestones=[milestone()], extra_sheets={"Notater": [["Husk"]]})
    parsed = parse(reference, with_stray_cell(plain, "Notater", "XFD1048576"))
    assert parsed.errors == []
    assert parsed.submissions == parse(reference, plain).submissions
    assert "arket «Notater» er ikke en del av skjemaet og ble ikke lest" in [w.expected for w in parsed.warnings]


def test_a_sheet_with_a_blank_far_below_its_table_is_read_as_ever(reference):
    pilots = [valid_pilot(pilot_name=f"Pilot {i}") for i in range(300)]
    content = workbook(pilots=pilots, milestones=[milestone(pilot="Pilot 0")])
    stray = with_stray_cell(content, MILESTONES.sheet, "F60000")  # 60 000 rows of six columns
    assert accepted(reference, stray) == accepted(reference, content)


def test_a_report_whose_pilots_all_start_in_another_year_than_its_oppstartsar_is_warned_of(reference):
    # filled in in the autumn of 2023 for pilots starting in 2024, filed under 2023: «For sent» there, «Ikke levert»
    # for 2024, without a word
    content = workbook(innsending=valid_submission(start_year=2023), pilots=[valid_pilot()])
    parsed = parse(reference, content)
    assert parsed.errors == []
    [warning] = parsed.warnings
    assert (warning.sheet, warning.row, warning.column, warning.value) == ("Innsending", 3, "Oppstartsår", 2023)
    assert warning.expected.startswith("ingen av pilotene starter i 2023 (de starter i 2024)")
    csv = csv_bytes([csv_pilot(start_year=2023), csv_pilot(start_year=2023, pilot_name="B",
                                                           start_date=dt.date(2025, 1, 1))])
    [warning] = parse(reference, csv, "piloter.csv").warnings
    assert (warning.row, warning.column) == (2, "Oppstartsår")
    assert "(de starter i 2024 og 2025)" in warning.expected
    assert parse(reference, workbook(pilots=[valid_pilot()])).warnings == []  # 2024, as the pilot


def test_a_budget_total_of_a_few_kroner_is_imported_with_a_warning_that_it_may_be_in_millions(reference):
    # a cell formatted to show «2,5 mill. kr» holds 2,5: the ambition's budget figures were off by millions
    parsed = parse(reference, workbook(pilots=[valid_pilot(budget_total_nok=2.5)]))
    assert parsed.errors == []
    [warning] = parsed.warnings
    assert (warning.sheet, warning.row, warning.column) == ("Piloter", 2, "Budsjett totalt (kr)")
    assert str(warning).startswith("Advarsel: skjema.xlsx › Piloter › rad 2 › kolonne «Budsjett totalt (kr)»: fant "
                                   "«2,5», forventet et beløp i kroner, som 2 500 000 eller «2,5 mill.»")
    assert parse(reference, workbook(pilots=[valid_pilot(budget_total_nok=0)])).warnings == []  # no cost of its own
    assert parse(reference, workbook(pilots=[valid_pilot(budget_total_nok=1500)])).warnings  # 1,5 million in 1000s
    assert parse(reference, workbook(pilots=[valid_pilot(budget_total_nok=10_000)])).warnings == []


def test_budget_rows_in_a_year_outside_their_pilots_period_are_imported_with_one_warning_naming_them(reference):
    # a budget row for 2027 of a pilot of 2024 counted in 2027's figures without a word; a year after (evaluating)
    # is common enough not to be told
    content = workbook(pilots=[valid_pilot(budget_total_nok=4_500_000)],
                       budget=[budget_line(year=2024), budget_line(year=2025), budget_line(year=2027)])
    parsed = parse(reference, content)
    assert parsed.errors == []
    [warning] = [w for w in parsed.warnings if w.column == "År"]
    assert (warning.sheet, warning.row) == ("Budsjett", None)
    assert warning.expected.startswith("1 budsjettrad har et år mer enn ett år utenfor pilotens periode (rad 4: 2027, "
                                       "«Digital søknad» 2024)")


@pytest.mark.parametrize("name", ["Digital søknad" + " og mer" * 40, "x" * 30_000])
def test_a_pilot_name_longer_than_a_name_is_refused(reference, name):
    # a description pasted into Pilotnavn was stored whole and filled every table, chart label and slide
    error = only_error(parse(reference, workbook(pilots=[valid_pilot(pilot_name=name)])))
    assert (error.sheet, error.row, error.column) == ("Piloter", 2, "Pilotnavn")
    assert error.expected.startswith(f"et pilotnavn på høyst 200 tegn (her {fmt_number(len(name))})")


def test_milestones_dated_years_outside_their_pilots_period_are_imported_with_one_warning_naming_them(reference):
    # a milestone on 30.04.2030 of a pilot of 2024 drew the timeline six years on without a word; an evaluation the
    # year after is common enough not to be told
    steps = [milestone(), milestone(name="Evaluering", from_date=dt.date(2025, 6, 1)),
             milestone(name="Sluttrapport", from_date=dt.date(2030, 4, 30)),
             milestone(name="Fase", kind="Fase", from_date=dt.date(2024, 3, 1), to_date=dt.date(2027, 1, 31))]
    parsed = parse(reference, workbook(pilots=[valid_pilot()], milestones=steps))
    assert parsed.errors == []
    [warning] = parsed.warnings
    assert (warning.sheet, warning.row, warning.column) == ("Milepæler", None, None)
    assert warning.expected.startswith("2 milepæler og faser er datert mer enn ett år utenfor pilotens periode "
                                       "(rad 4: 30.04.2030, «Digital søknad» 2024; rad 5: 01.03.2024–31.01.2027, "
                                       "«Digital søknad» 2024)")


def test_budget_rows_of_a_few_hundred_kroner_are_imported_with_one_warning_that_they_may_be_in_thousands(reference):
    # «900» and «600» for 900 000 and 600 000 went into every budget figure as kroner, without a word
    content = workbook(pilots=[valid_pilot(budget_total_nok=1_500_000)],
                       budget=[budget_line(amount=900), budget_line(year=2025, amount=600),
                               budget_line(year=2025, amount=1_000, category="Drift")])
    parsed = parse(reference, content)
    assert parsed.errors == []
    small = [w for w in parsed.warnings if w.sheet == "Budsjett"]
    assert [(w.row, w.column) for w in small] == [(None, "Beløp (kr)")]
    assert small[0].expected.startswith("2 budsjettrader er under 1\u00a0000\u00a0kr (rad 2, 3); beløpene skal stå i "
                                        "hele kroner")


def with_pilot_cells_styled(pilot: dict, **number_formats: str) -> bytes:
    """A workbook of one pilot whose Piloter cells (by column label, underscores for spaces) have these number
    formats, as Excel saves them; a format of «bold» gives the cell a bold font instead."""
    book = load_workbook(io.BytesIO(workbook(pilots=[pilot])))
    sheet = book["Piloter"]
    header = [c.value for c in sheet[1]]
    for label, number_format in number_formats.items():
        cell = sheet.cell(2, next(i for i, h in enumerate(header, 1)
                                  if h.replace("(", "").replace(")", "") == label.replace("_", " ")))
        if number_format == "bold":
            cell.font = Font(bold=True)
        else:
            cell.number_format = number_format
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_percentage_typed_into_a_text_field_reads_as_excel_shows_it(reference):
    # Norwegian Excel turns «20 %» typed into a cell into 0,2 formatted as a percentage: Planer showed «0.2»
    content = with_pilot_cells_styled(valid_pilot(service_scope=0.2, org_scope=0.125, users=1.5),
                                      Omfang_av_tjenesten="0%", Omfang_i_virksomheten="0.0%")
    pilot = accepted(reference, content).pilots[0]
    assert (pilot["service_scope"], pilot["org_scope"], pilot["users"]) == ("20 %", "12,5 %", "1,5")


def test_a_percentage_shows_the_decimals_of_its_format_as_excel_does(reference):
    content = with_pilot_cells_styled(valid_pilot(service_scope=1 / 3, org_scope=0.2),
                                      Omfang_av_tjenesten="0%", Omfang_i_virksomheten="0.00%")
    pilot = accepted(reference, content).pilots[0]
    assert (pilot["service_scope"], pilot["org_scope"]) == ("33 %", "20,00 %")


@pytest.mark.parametrize(("total", "number_format"), [(2.5, '0.0 "mill. kr"'), (2.5, '0.00 "MNOK"'),
                                                    (2_500_000, '#,##0.0,, "mill. kr"')])
def test_a_budget_total_in_a_cell_shown_in_millions_is_read_as_the_amount_it_shows(reference, total, number_format):
    # a cell showing «2,5 mill. kr» holding 2,5 went into every budget figure as 2,50 kr
    content = with_pilot_cells_styled(valid_pilot(budget_total_nok=total), Budsjett_totalt_kr=number_format)
    parsed = parse(reference, content)
    assert parsed.errors == [] and parsed.warnings == []
    assert parsed.submissions[0].pilots[0]["budget_total_nok"] == 2_500_000


@pytest.mark.parametrize(("total", "number_format"), [(2_500, '# ##0 "tkr"'), (2_500, '#,##0 "tusen kr"'),
                                                    (2_500, '#,##0" kNOK"'), (2_500_000, '#,##0, "tkr"')])
def test_a_budget_total_in_a_cell_shown_in_thousands_is_read_as_the_amount_it_shows(reference, total, number_format):
    # a cell showing «2 500 tkr» holding 2 500 went into every budget figure as 2 500 kr, without a word: too large
    # for the warning of totals under 1 000 kr
    content = with_pilot_cells_styled(valid_pilot(budget_total_nok=total), Budsjett_totalt_kr=number_format)
    parsed = parse(reference, content)
    assert parsed.errors == [] and parsed.warnings == []
    assert parsed.submissions[0].pilots[0]["budget_total_nok"] == 2_500_000

@pytest.mark.parametrize("number_format", ["mmm-yy", "mmm.yy", "mmmm yyyy", "[$-414]mmmm\\ yyyy;@", "mm.yyyy"])
def test_a_date_cell_shown_as_a_month_ends_a_period_on_the_months_last_day_as_the_month_typed_as_text(
        reference, number_format):
    # Excel makes «desember 2025» typed into a cell the date 01.12.2025 shown «des.25»: the pilot ended on the 1st,
    # where the same text in a CSV ends it on the 31st
    pilot = valid_pilot(start_date=dt.date(2024, 3, 1), end_date=dt.date(2025, 12, 1))
    content = with_pilot_cells_styled(pilot, Startdato=number_format, Sluttdato=number_format)
    pilot = accepted(reference, content).pilots[0]
    assert (pilot["start_date"], pilot["end_date"]) == (dt.date(2024, 3, 1), dt.date(2025, 12, 31))


@pytest.mark.parametrize("number_format", ["yyyy", "[$-414]yyyy", "yyyy;@"])
def test_a_date_cell_shown_as_its_year_spans_the_year_as_the_reader_sees_it(reference, number_format):
    # «2025» in Sluttdato (the 1st of January, shown as its year) ended the pilot a year early, on 01.01.2025
    pilot = valid_pilot(start_date=dt.date(2024, 1, 1), end_date=dt.date(2025, 1, 1))
    content = with_pilot_cells_styled(pilot, Startdato=number_format, Sluttdato=number_format)
    pilot = accepted(reference, content).pilots[0]
    assert (pilot["start_date"], pilot["end_date"]) == (dt.date(2024, 1, 1), dt.date(2025, 12, 31))


def test_a_date_cell_shown_as_its_year_holding_another_day_is_read_as_that_day(reference):
    content = with_pilot_cells_styled(valid_pilot(end_date=dt.date(2025, 6, 30)), Sluttdato="yyyy")
    assert accepted(reference, content).pilots[0]["end_date"] == dt.date(2025, 6, 30)


@pytest.mark.parametrize(("end_date", "number_format"), [(dt.date(2025, 12, 1), "d. mmmm yyyy"),
                                                         (dt.date(2025, 12, 15), "mmm-yy")])  # a day typed: kept
def test_a_date_cell_of_a_day_is_read_as_that_day(reference, end_date, number_format):
    content = with_pilot_cells_styled(valid_pilot(end_date=end_date), Sluttdato=number_format)
    assert accepted(reference, content).pilots[0]["end_date"] == end_date

def test_a_percent_format_of_a_conditional_format_alone_makes_no_cell_a_percentage(reference):
    # a <numFmt> inside <dxfs> shares its id with a cell's own format: 12000 read as «1200000 %»
    # bold: a style of its own, with the General number format (id 0)
    content = with_pilot_cells_styled(valid_pilot(users=12000), Brukere_som_deltar="bold")
    with zipfile.ZipFile(io.BytesIO(content)) as source:
        styles = source.read("xl/styles.xml")
    styles = styles.replace(b"</styleSheet>", b'<dxfs count="1"><dxf><numFmt numFmtId="0" formatCode="0%"/></dxf>'
                                              b"</dxfs></styleSheet>")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, styles if info.filename == "xl/styles.xml" else source.read(info.filename))
    assert accepted(reference, out.getvalue()).pilots[0]["users"] == "12000"


def test_a_true_cell_where_a_date_belongs_is_shown_as_norwegian_excel_shows_it(reference):
    error = only_error(parse(reference, workbook(pilots=[valid_pilot(start_date=True)])))
    assert "fant «SANN»" in str(error)  # «True» is not what the user sees in the cell


def test_innenfor_gjeldende_rammer_takes_a_true_cell_as_ja(reference):
    assert accepted(reference, workbook(pilots=[valid_pilot(within_budget_frame=True)])).pilots[0][
        "within_budget_frame"] == "Ja"


@pytest.mark.parametrize(("field", "written", "shown"), [
    ("end_date", dt.date(9999, 12, 31), "31.12.9999"),  # a date cell meaning "no end"
    ("end_date", "31.12.9999", "31.12.9999"),
    ("start_date", "01.01.1000", "01.01.1000"),
    ("start_date", dt.datetime(1999, 12, 31), "31.12.1999"),
])
def test_a_date_no_plan_can_hold_is_an_error_saying_the_dates_it_can(reference, field, written, shown):
    error = only_error(parse(reference, workbook(pilots=[valid_pilot(**{field: written})])))
    label = PILOTS.field(field).label
    assert (error.sheet, error.row, error.column) == ("Piloter", 2, label)
    assert f"fant «{shown}»" in str(error)
    assert "mellom 01.01.2000 og 31.12.2099" in error.expected


def test_a_copy_of_a_form_sheet_in_front_of_it_is_not_read_instead_of_it(reference):
    # Excel's «Flytt eller kopier» puts a copy «Piloter (2)» in front; the user renames it as an old draft
    book = load_workbook(io.BytesIO(workbook(pilots=[valid_pilot(pilot_name="Den riktige")])))
    copy = book.copy_worksheet(book[PILOTS.sheet])
    copy.title = "Piloter (gammel)"
    copy["B2"] = "Gammelt utkast"
    book.move_sheet(copy, offset=book.sheetnames.index(PILOTS.sheet) - book.sheetnames.index(copy.title))
    assert book.sheetnames.index(copy.title) < book.sheetnames.index(PILOTS.sheet)
    out = io.BytesIO()
    book.save(out)
    parsed = parse(reference, out.getvalue())
    assert [p["pilot_name"] for p in parsed.submissions[0].pilots] == ["Den riktige"]
    assert [w.expected for w in parsed.warnings] == [
        "arket «Piloter (gammel)» ble ikke lest: skjemaets ark for denne tabellen er «Piloter»"]


def test_a_form_sheet_with_a_note_in_its_name_is_still_read(reference):
    book = load_workbook(io.BytesIO(workbook(pilots=[valid_pilot(pilot_name="Med merknad")])))
    book[PILOTS.sheet].title = "Piloter (2024)"
    out = io.BytesIO()
    book.save(out)
    assert [p["pilot_name"] for p in accepted(reference, out.getvalue()).pilots] == ["Med merknad"]


def test_content_in_a_column_without_a_heading_is_warned_of_not_dropped_unsaid(reference):
    book = load_workbook(io.BytesIO(workbook(pilots=[valid_pilot(), valid_pilot(pilot_name="Pilot to")])))
    sheet = book[PILOTS.sheet]
    free = sheet.max_column + 1
    sheet.cell(row=3, column=free, value="OBS: budsjettet er foreløpig")
    out = io.BytesIO()
    book.save(out)
    parsed = parse(reference, out.getvalue())
    assert parsed.errors == [] and len(parsed.submissions[0].pilots) == 2
    [warning] = parsed.warnings
    letter = sheet.cell(row=1, column=free).column_letter
    assert (warning.sheet, warning.row) == (PILOTS.sheet, 3)
    assert warning.expected.startswith(f"kolonne {letter} har innhold («OBS: budsjettet er foreløpig») men ingen "
                                       "overskrift, og ble ikke lest")


def test_a_far_cell_that_only_keeps_a_format_is_no_matter(reference):
    # Delete in Excel clears a value but keeps the cell's format, and the sheet's dimension grows to it;
    # calamine lays out only cells with a value
    book = load_workbook(io.BytesIO(workbook(pilots=[valid_pilot()])))
    book[PILOTS.sheet]["M1048576"].number_format = "dd.mm.yyyy"
    out = io.BytesIO()
    book.save(out)
    assert b'ref="A1:M1048576"' in zipfile.ZipFile(out).read("xl/worksheets/sheet3.xml")
    assert accepted(reference, out.getvalue()) == accepted(reference, workbook(pilots=[valid_pilot()]))


def test_a_sheet_holding_only_one_cell_far_out_is_refused_not_a_crash(reference):
    # calamine lays the grid out from A1: one cell in XFD1048576 is the whole sheet
    book = load_workbook(io.BytesIO(workbook(pilots=[valid_pilot()])))
    book.create_sheet(BUDGET.sheet)["XFD1048576"] = 1
    out = io.BytesIO()
    book.save(out)
    error = only_error(parse(reference, out.getvalue()))
    assert "arket «Budsjett» har innhold helt ut til celle XFD1048576" in error.expected


def prefixed(content: bytes) -> bytes:
    """The workbook with its sheets' elements written with a namespace prefix (<x:c>), as the .NET OpenXML SDK does."""
    return with_sheets_rewritten(content, lambda xml: re.sub(rb"<(/?)(?![?!])([A-Za-z]+[ />])", rb"<\1x:\2", xml)
                                 .replace(b"xmlns=", b"xmlns:x=", 1))


def test_a_stray_cell_in_a_sheet_written_with_a_namespace_prefix_is_found_too(reference):
    content = prefixed(workbook(pilots=[valid_pilot()]))
    assert b"<x:c " in zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet3.xml")
    assert accepted(reference, content) == accepted(reference, workbook(pilots=[valid_pilot()]))
    stray = prefixed(with_stray_cell(workbook(pilots=[valid_pilot()]), PILOTS.sheet, "XFD1048576"))
    assert "celle XFD1048576" in only_error(parse(reference, stray)).expected


def test_a_piloter_csv_saying_nei_without_an_assessment_names_the_agencys_first_row(reference):
    rows = [csv_pilot(agency="Kartverket", has_plans="Ja"),
            {"agency": "Husbanken", "start_year": 2024, "submitted_on": "15.10.2023", "has_plans": "Nei"}]
    parsed = parse(reference, csv_bytes(rows), "piloter.csv")
    missing = {e.column: e.row for e in parsed.errors}
    assert missing == {SUBMISSION.field("assessment").label: 3, SUBMISSION.field("union_involvement").label: 3}, \
        [str(e) for e in parsed.errors]


@pytest.mark.parametrize(("number_format", "shown"), [
    ("[$€-2] # ##0", "€ 250 000"),             # Norwegian Excel's «€ Euro (€ 123)»
    ("#,##0 [$€-1]", "250 000 €"),
    ('#,##0 "EUR"', "250 000 EUR"),
    ("[$USD-409] #,##0", "USD 250 000"),
    ('"$"#,##0', "$250 000"),
    ("\\£#,##0", "£250 000"),
    ('#,##0 "kEUR"', "250 000 kEUR"),
    ('#,##0.0,, "mill. EUR"', "0,3 mill. EUR"),  # the format divides by a million: shown as Excel shows it
])
def test_a_budget_total_in_a_cell_shown_in_another_currency_is_refused_naming_what_it_shows(
        reference, number_format, shown):
    # a cell showing «€ 250 000» went into every budget figure as 250 000 kr: about a tenth of what was meant
    content = with_pilot_cells_styled(valid_pilot(budget_total_nok=250_000), Budsjett_totalt_kr=number_format)
    error = only_error(parse(reference, content))
    assert (error.sheet, error.row, error.column) == ("Piloter", 2, PILOTS.field("budget_total_nok").label)
    assert f"fant «{shown}»" in str(error).replace("\u00a0", " ")
    assert "ikke i en annen valuta" in str(error)


@pytest.mark.parametrize("number_format", ["[$kr-414] # ##0", '#,##0\\ "kr"', "[$NOK] #,##0", "[$-414]#,##0",
                                           "#,##0 [$kr-414];[Red]-#,##0 [$kr-414]"])
def test_a_budget_total_in_a_cell_shown_in_kroner_is_read_as_it_is(reference, number_format):
    content = with_pilot_cells_styled(valid_pilot(budget_total_nok=250_000), Budsjett_totalt_kr=number_format)
    assert accepted(reference, content).pilots[0]["budget_total_nok"] == 250_000


@pytest.mark.parametrize("written", ["€ 250 000", "250 000 EUR", "USD 1,500", "250 000 svenske kr"])
def test_an_amount_typed_in_another_currency_in_a_csv_is_refused_saying_kroner(reference, written):
    content = csv_bytes([csv_pilot(budget_total_nok=written)])
    error = only_error(parse(reference, content, "piloter.csv"))
    assert error.column == PILOTS.field("budget_total_nok").label
    assert "ikke i en annen valuta" in str(error) and written in str(error)
