"""The Excel and CSV exports, the `python -m exports` command and the dashboard's download buttons.

The store is a small sector built here from form files, so every figure is known; it includes
pilots named like formulas («=SUM(A1)», «+47 22 00 00 00», «@cmd») that must stay text.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import subprocess
import sys
import textwrap
import threading
import time
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
from pptx import Presentation

from exports.__main__ import main as cli
from exports.excel import ABOUT_SHEET, BUDGET_GAPS_NAMED, csv_bytes, excel_bytes, frames
from loaders.importer import import_files
from store import database, queries
from store.queries import ALL_PLANS, PilotFilter, PlanChoice
from tests.form_files import budget_line as budget_row
from tests.form_files import csv_bytes as form_csv
from tests.form_files import csv_pilot, milestone, no_plans_submission, valid_pilot, valid_submission, workbook
from ui.formatting import kr

D = dt.date
FORMULA_NAMES = ("=SUM(A1)", "+47 22 00 00 00", "@cmd")


# ---------------------------------------------------------------------------------------------
# A small sector with known figures (shared with test_deck.py)


def _pilot(name: str, status: str, start: dt.date, end: dt.date, budget: int, *, forsok: bool = False,
           evaluation: bool = True, scope: bool = True, **extra) -> dict:
    if scope:
        extra.setdefault("service_scope", "Hele tjenesten i to regioner")
        extra.setdefault("users", "Kommuner og innbyggere")
    row = valid_pilot(pilot_name=name, status=status, start_date=start, end_date=end, budget_total_nok=budget,
                      needs_exemption="Ja" if forsok else "Nei", **extra)
    if forsok:
        row["exemption_rules"] = "Forskrift om saksbehandling § 3"
    if evaluation:
        row["evaluation"] = "Før- og etter-måling av saksbehandlingstid"
    return row


def _submission(agency: str, year: int, on: dt.date) -> dict:
    return valid_submission(agency=agency, start_year=year, submitted_on=on)


def sector_files() -> list[tuple[str, bytes]]:
    """Eight agencies, 21 pilots, two rounds; two late and several missing submissions."""
    husbanken_2024 = [  # a CSV, so the formula-like name reaches the store as typed
        csv_pilot("Husbanken", 2024, "15.10.2023", pilot_name="Digital søknad om startlån", status="Pågår",
                  start_date=D(2024, 3, 1), end_date=D(2025, 6, 30), budget_total_nok=1_500_000,
                  evaluation="Måling av saksbehandlingstid", users="Lånesøkere"),
        csv_pilot("Husbanken", 2024, "15.10.2023", pilot_name="=SUM(A1)", status="Planlagt",
                  start_date=D(2024, 9, 1), end_date=D(2025, 12, 31), budget_total_nok=800_000),
        csv_pilot("Husbanken", 2024, "15.10.2023", pilot_name="Tillitsbasert oppfølging av kommunene",
                  status="Gjennomført", start_date=D(2024, 1, 15), end_date=D(2024, 12, 15),
                  budget_total_nok=2_500_000, needs_exemption="Ja", exemption_rules="Forskrift om startlån § 5",
                  evaluation="Evaluering ved ekstern part"),
    ]
    return [
        ("husbanken_2024_piloter.csv", form_csv(husbanken_2024)),
        ("husbanken_2023.xlsx", workbook(_submission("Husbanken", 2023, D(2023, 9, 1)), [
            _pilot("Færre rapporteringskrav for kommunene", "Pågår", D(2023, 6, 1), D(2024, 5, 31), 650_000,
                   evaluation=False)],
            milestones=[milestone("Færre rapporteringskrav for kommunene", "Oppstart", D(2023, 6, 1))],
            budget=[budget_row("Færre rapporteringskrav for kommunene", 2023, 300_000),
                    budget_row("Færre rapporteringskrav for kommunene", 2024, 350_000, financing="Ekstra behov")])),
        ("kartverket_2024.xlsx", workbook(_submission("Kartverket", 2024, D(2023, 11, 6)), [
            _pilot("Selvbetjent eiendomsregistrering", "Planlagt", D(2024, 5, 1), D(2026, 4, 30), 4_200_000,
                   forsok=True),
            _pilot("+47 22 00 00 00", "Planlagt", D(2024, 2, 1), D(2024, 10, 31), 300_000, evaluation=False),
            _pilot("Ledelse med tillit i regionene", "Pågår", D(2024, 1, 1), D(2025, 12, 31), 1_200_000)],
            milestones=[milestone("Ledelse med tillit i regionene", "Oppstart", D(2024, 1, 1)),
                        milestone("Ledelse med tillit i regionene", "Pilotfase", D(2024, 2, 1), kind="Fase",
                                  to_date=D(2025, 6, 30)),
                        milestone("Ledelse med tillit i regionene", "Evaluering", D(2025, 11, 1))],
            budget=[budget_row("Ledelse med tillit i regionene", 2024, 600_000),
                    budget_row("Ledelse med tillit i regionene", 2025, 600_000)])),
        ("statsbygg_2023.xlsx", workbook(_submission("Statsbygg", 2023, D(2023, 8, 20)), [
            _pilot("Byggeprosjekter med tillitsmodell", "Pågår", D(2023, 9, 1), D(2025, 8, 31), 3_000_000),
            _pilot("Ny dialog med leietakere", "Avbrutt", D(2023, 10, 1), D(2024, 3, 31), 400_000,
                   evaluation=False)])),
        ("statsbygg_2024.xlsx", workbook(_submission("Statsbygg", 2024, D(2023, 10, 30)), [
            _pilot("@cmd", "Planlagt", D(2024, 4, 1), D(2024, 12, 31), 250_000)])),
        ("valgdir_2024.xlsx", workbook(no_plans_submission(agency="Valgdirektoratet", start_year=2024,
                                                           submitted_on=D(2023, 10, 25)), [])),
        ("dibk_2024.xlsx", workbook(_submission("Direktoratet for byggkvalitet", 2024, D(2023, 10, 31)), [
            _pilot("Veiledning i stedet for tilsyn", "Planlagt", D(2024, 6, 1), D(2025, 5, 31), 900_000,
                   forsok=True),
            _pilot("Felles kompetanseløft for byggesak i kommunene", "Planlagt", D(2024, 8, 15), D(2025, 12, 31),
                   1_750_000),
            _pilot("Enklere rapportering til departementet", "Pågår", D(2024, 1, 1), D(2024, 12, 31), 150_000,
                   evaluation=False)])),
        ("digdir_2023.xlsx", workbook(_submission("Digitaliseringsdirektoratet", 2023, D(2023, 8, 24)), [
            _pilot("Medbestemmelse i digitaliseringsprosjekter", "Gjennomført", D(2023, 3, 1), D(2023, 12, 31),
                   500_000),
            _pilot("Tillitsbasert styring av fellesløsninger", "Pågår", D(2023, 9, 1), D(2024, 12, 31), 2_200_000),
            # Documents its findings (element 6 covered) but says nothing about evaluation.
            _pilot("Lærende nettverk for ledere", "Pågår", D(2023, 10, 1), D(2024, 6, 30), 350_000,
                   evaluation=False, documentation="Logg over funn fra hver samling"),
            _pilot("Forenklet tilskuddsforvaltning med en lang tittel som må kortes ned i tabellene", "Planlagt",
                   D(2024, 1, 1), D(2025, 3, 31), 1_100_000, forsok=True)])),
        ("dss_2024.xlsx", workbook(_submission("DSS", 2024, D(2023, 11, 2)), [
            _pilot("Felles tjenesteleveranser med tillit som styringsprinsipp i departementsfellesskapet", "Pågår",
                   D(2024, 1, 1), D(2025, 12, 31), 5_400_000, scope=False)])),
        ("kdu_2024.xlsx", workbook(_submission("Distriktssenteret", 2024, D(2023, 10, 20)), [
            _pilot("Kommunenettverk for tillitsbasert ledelse", "Pågår", D(2024, 2, 1), D(2025, 1, 31), 600_000),
            _pilot("Samskaping med innbyggere", "Planlagt", D(2024, 9, 1), D(2025, 8, 31), 450_000,
                   evaluation=False),
            _pilot("Kortere søknader for distriktsmidler", "Planlagt", D(2024, 10, 1), D(2025, 9, 30), 700_000)])),
    ]


def build_sector(path: Path, reference) -> Path:
    """Import the small sector into a new store at path."""
    with database.open_store(path) as con:
        plans = import_files(con, sector_files(), reference)
    refused = [str(problem) for plan in plans if plan.outcome == "refused" for problem in plan.problems]
    assert not refused, refused
    return path


@pytest.fixture(scope="module")
def sector(tmp_path_factory, reference) -> Path:
    """The small sector's store (read it, do not write to it)."""
    return build_sector(tmp_path_factory.mktemp("sector") / "sector.duckdb", reference)


def store_frame(path: Path, sql: str, params: list | None = None) -> pd.DataFrame:
    with database.open_store(path, read_only=True) as con:
        return con.execute(sql, params or []).df()


def export(path: Path, f: PilotFilter | None = None, choice: PlanChoice = ALL_PLANS) -> bytes:
    with database.open_store(path, read_only=True) as con:
        return excel_bytes(con, f or PilotFilter(), choice)


def slide_texts(deck: bytes) -> str:
    """Every text of a deck, slide after slide."""
    from pptx import Presentation

    prs = Presentation(io.BytesIO(deck))
    return "\n".join(shape.text_frame.text for slide in prs.slides for shape in slide.shapes if shape.has_text_frame)


def column_widths(content: bytes, sheet_number: int) -> dict[int, float]:
    """Column number → width from a sheet's <col> elements, each range (min..max) for every column in it."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = archive.read(f"xl/worksheets/sheet{sheet_number}.xml").decode()
    widths = {}
    for col in re.finditer(r"<col\b([^>]*)/>", xml):
        attrs = dict(re.findall(r'(\w+)="([^"]*)"', col.group(1)))
        for number in range(int(attrs["min"]), int(attrs["max"]) + 1):
            widths[number] = float(attrs["width"])
    return widths


def about_sheet(content: bytes) -> dict:
    """The «Om uttrekket» sheet of a workbook as label → value."""
    rows = openpyxl.load_workbook(io.BytesIO(content))[ABOUT_SHEET].iter_rows(min_row=3, values_only=True)
    return {row[0]: row[1] for row in rows if row[0]}


@pytest.fixture(scope="module")
def workbook_bytes(sector) -> bytes:
    return export(sector)


# ---------------------------------------------------------------------------------------------
# The workbook


def test_the_workbook_has_the_four_data_sheets_and_an_about_sheet(workbook_bytes):
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes))
    # what «Om uttrekket» says of the sums was on the last tab, found last or never; the workbook opens on Piloter
    assert book.sheetnames == [ABOUT_SHEET, "Piloter", "Milepæler", "Budsjett", "Innsendinger"]
    assert book.active.title == "Piloter"


def test_the_workbook_round_trips_the_stores_rows_and_amounts(sector, workbook_bytes):
    sheets = pd.read_excel(io.BytesIO(workbook_bytes), sheet_name=None, engine="openpyxl")
    pilots = store_frame(sector, "SELECT * FROM pilots_current")
    budget = store_frame(sector, "SELECT * FROM budget_lines_current")
    assert len(sheets["Piloter"]) == len(pilots) == 21
    assert sheets["Piloter"]["Budsjett totalt (kr)"].sum() == pilots["budget_total_nok"].sum()
    assert len(sheets["Milepæler"]) == len(store_frame(sector, "SELECT * FROM milestones_current"))
    assert len(sheets["Budsjett"]) == len(budget)
    assert sheets["Budsjett"]["Beløp (kr)"].sum() == budget["amount_nok"].sum()
    assert len(sheets["Innsendinger"]) == len(store_frame(sector, "SELECT * FROM reporting_status"))
    # whether the register of requests has the letter: data/requests.csv has Statsbygg's, not Husbanken's
    letter = sheets["Innsendinger"].set_index(["Virksomhet", "Oppstartsår"])["Brevet registrert"]
    assert (letter[("Statsbygg", 2023)], letter[("Husbanken", 2023)]) == ("Ja", "Nei")
    for column in ("Startdato", "Sluttdato"):
        assert pd.api.types.is_datetime64_any_dtype(sheets["Piloter"][column]), column
    assert pd.api.types.is_datetime64_any_dtype(sheets["Milepæler"]["Fra dato"])
    assert pd.api.types.is_datetime64_any_dtype(sheets["Innsendinger"]["Innsendt dato"])


def test_the_about_sheet_says_why_the_budget_sheet_and_the_pilots_totals_differ(sector, workbook_bytes):
    # A pivot of the sheet Budsjett gave another sum than Piloter's «Budsjett totalt (kr)» and the dashboard's key
    # figures, and only the Budsjett page said why
    sheets = pd.read_excel(io.BytesIO(workbook_bytes), sheet_name=None, engine="openpyxl")
    rows, pilots = sheets["Budsjett"], sheets["Piloter"]
    with_rows = set(zip(rows["Virksomhet"], rows["Pilot"]))
    without = sum((a, p) not in with_rows and total > 0
                  for a, p, total in zip(pilots["Virksomhet"], pilots["Pilotnavn"], pilots["Budsjett totalt (kr)"]))
    assert without > 0 and rows["Beløp (kr)"].sum() != pilots["Budsjett totalt (kr)"].sum()
    note = about_sheet(workbook_bytes)["Merk om budsjett"]
    assert note.startswith(f"{without} piloter har ingen budsjettrader (se siden Budsjett i Pilotoversikt). ")
    assert (f"Arket Budsjett summerer til {kr(rows['Beløp (kr)'].sum())}; «Budsjett totalt (kr)» på arket Piloter til "
            f"{kr(pilots['Budsjett totalt (kr)'].sum())}.") in note
    # a few are named, with both sums
    few = about_sheet(export(sector, PilotFilter(agencies=("Husbanken",))))["Merk om budsjett"]
    assert few.startswith("3 piloter har ingen budsjettrader – Husbanken (oppstart 2024): «Digital søknad om "
                          "startlån», ingen budsjettrader, totalt 1\u00a0500\u00a0000\u00a0kr; ")
    # Planer's choice of plans: not sent to the Budsjett page, which does not make that choice
    chosen = about_sheet(export(sector, choice=PlanChoice(text="e")))["Merk om budsjett"]
    assert int(chosen.split()[0]) > BUDGET_GAPS_NAMED  # too many to name: the whole filter's would get the pointer
    assert "(se siden Budsjett" not in chosen and "piloter har ingen budsjettrader" in chosen
    # a selection whose budget rows add up has nothing to explain
    summed = export(sector, PilotFilter(agencies=("Kartverket",), statuses=("Pågår",)))
    assert "Merk om budsjett" not in about_sheet(summed)
    # each budget row says its pilot's status, so a cancelled pilot's rows can be left out as its total can
    status = dict(zip(zip(pilots["Virksomhet"], pilots["Pilotnavn"]), pilots["Status"]))
    assert len(rows) > 0
    assert list(rows["Pilotens status"]) == [status[(a, p)] for a, p in zip(rows["Virksomhet"], rows["Pilot"])]


def test_rows_written_a_slice_at_a_time_are_every_row_in_order(sector, workbook_bytes, monkeypatch):
    # The workbook converts the store's rows a slice at a time (CHUNK_ROWS, 2 000): with slices of 3 rows the
    # sample's 21 pilots, 4 milestones and its budget rows cross slices, and each sheet must come out the same.
    import exports.excel as excel

    monkeypatch.setattr(excel, "CHUNK_ROWS", 3)
    sliced = pd.read_excel(io.BytesIO(export(sector)), sheet_name=None, engine="openpyxl")
    whole = pd.read_excel(io.BytesIO(workbook_bytes), sheet_name=None, engine="openpyxl")
    assert len(sliced["Piloter"]) == 21 and len(sliced["Milepæler"]) > 3 and len(sliced["Budsjett"]) > 3
    for name in ("Piloter", "Milepæler", "Budsjett", "Innsendinger"):
        pd.testing.assert_frame_equal(sliced[name], whole[name], obj=name)
    with database.open_store(sector, read_only=True) as con:
        expected = frames(con, PilotFilter())["Piloter"]
    assert sliced["Piloter"]["Pilotnavn"].str.removeprefix("'").tolist() == expected["Pilotnavn"].tolist()


def test_amounts_and_dates_are_real_excel_numbers_and_dates_in_norwegian_formats(workbook_bytes):
    sheet = openpyxl.load_workbook(io.BytesIO(workbook_bytes))["Piloter"]
    headers = [c.value for c in sheet[1]]
    row = {h: c for h, c in zip(headers, sheet[2])}
    amount = row["Budsjett totalt (kr)"]
    assert amount.data_type == "n" and amount.value > 0
    # Stored locale-neutral: Norwegian Excel shows «#,##0» as 1 500 000.
    assert amount.number_format == "#,##0"
    start = row["Startdato"]
    assert start.is_date and isinstance(start.value, dt.datetime)
    assert start.number_format == "DD.MM.YYYY"
    assert row["Oppstartsår"].value in (2023, 2024) and row["Oppstartsår"].data_type == "n"
    assert row["Behov for unntak fra regelverk"].value in ("Ja", "Nei")


def test_headers_are_the_forms_labels_frozen_filtered_and_the_columns_sized(workbook_bytes):
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes))
    pilots = book["Piloter"]
    headers = [c.value for c in pilots[1]]
    for label in ("Virksomhet", "Oppstartsår", "Pilotnavn", "Status", "Startdato", "Sluttdato",
                  "Budsjett totalt (kr)", "Evaluering og gevinstmåling", "Element 6: Dokumentasjon og evaluering"):
        assert label in headers
    assert [c.value for c in book["Budsjett"][1]] == ["Virksomhet", "Pilot", "Oppstartsår", "År", "Beløp (kr)",
                                                      "Kategori", "Finansiering", "Pilotens status", "Pilot-ID",
                                                      "Departement"]
    # scrolled right, the agency and the pilot's name stay in view (past Piloter's fifth column of forty nothing
    # said whose plan a row was); on Innsendinger the agency
    assert headers[:2] == ["Virksomhet", "Pilotnavn"]
    assert [c.value for c in book["Milepæler"][1]][:2] == ["Virksomhet", "Pilot"]
    frozen = {name: book[name].freeze_panes for name in ("Piloter", "Milepæler", "Budsjett", "Innsendinger")}
    assert frozen == {"Piloter": "C2", "Milepæler": "C2", "Budsjett": "C2", "Innsendinger": "B2"}
    for name in ("Piloter", "Milepæler", "Budsjett", "Innsendinger"):
        sheet = book[name]
        assert sheet.auto_filter.ref, name
        widths = column_widths(workbook_bytes, book.sheetnames.index(name) + 1)
        assert sorted(widths) == list(range(1, sheet.max_column + 1)), (name, widths)  # every column is sized
        # Stored as Excel stores a width of n characters: n plus the cell's padding (60 → 60.71).
        assert all(8 <= w <= 61 for w in widths.values()), (name, widths)
        # Every header shows whole: its words wrapped into its column's width fit the header row's lines (15 pt
        # each). At a fixed 30 pt «Element 5: Økonomi og administrative konsekvenser» was cut after two lines.
        # printed on A4 landscape, as wide as the page, the header on every page
        assert sheet.oddHeader.left.text == "Pilotoversikt – Hele sektoren", name  # printed, each page says what
        setup = sheet.page_setup
        assert (setup.orientation, setup.paperSize, sheet.print_title_rows) == ("landscape", 9, "$1:$1"), name
        # as wide as the page where the text stays readable: Budsjett, not Piloter's forty columns
        fitted = bool(sheet.sheet_properties.pageSetUpPr and sheet.sheet_properties.pageSetUpPr.fitToPage)
        assert fitted == (sum(widths.values()) <= 230), (name, sum(widths.values()))
        # run on over pages, each page repeats whose rows they are (a page of «Problembeskrivelse» alone said not)
        kept = chr(ord(frozen[name][0]) - 1)  # the columns kept in view on screen
        assert sheet.print_title_cols == (None if fitted else f"$A:${kept}"), name
        assert fitted or setup.scale == 70, name  # shrunk as far as fitting may: at full size a page held a column
        assert sheet.oddFooter.center.text == "Side &P av &N", name  # whether a printed stack is whole
        lines = int(sheet.row_dimensions[1].height // 15)
        for c, cell in enumerate(sheet[1], 1):
            wrapped = textwrap.wrap(cell.value, int(widths[c]) - 2, break_long_words=False)
            assert len(wrapped) <= lines, (name, cell.value, widths[c], sheet.row_dimensions[1].height)


def test_milestones_and_budget_rows_say_their_pilots_status_id_and_ministry_as_piloter_does(sample_db_master):
    # a cancelled pilot's milestones could not be left out, and a sum per ministry needed a lookup in Piloter
    sheets = pd.read_excel(io.BytesIO(export(sample_db_master)), sheet_name=None, engine="openpyxl")
    pilots = sheets["Piloter"].set_index(["Virksomhet", "Oppstartsår", "Pilotnavn"])
    for name in ("Milepæler", "Budsjett"):
        rows = sheets[name]
        assert "Avbrutt" in set(rows["Pilotens status"]) and set(rows["Departement"]) == {"KDD", "DFD"}, name
        assert rows["Pilot-ID"].notna().any(), name
        theirs = pilots.loc[list(zip(rows["Virksomhet"], rows["Oppstartsår"], rows["Pilot"]))]
        for column, of_pilot in (("Pilotens status", "Status"), ("Pilot-ID", "Pilot-ID"),
                                 ("Departement", "Departement")):
            assert rows[column].fillna("").tolist() == theirs[of_pilot].fillna("").tolist(), (name, column)


def test_the_about_sheet_says_what_a_forsok_is_and_that_the_sums_count_cancelled_pilots(sector, workbook_bytes):
    about = about_sheet(workbook_bytes)
    assert "Et forsøk er en pilot med «Behov for unntak fra regelverk» Ja" in about["Merk"]
    cancelled = store_frame(sector, "SELECT count(*) AS n, sum(budget_total_nok) AS kr FROM pilots_current "
                                    "WHERE status = 'Avbrutt'").iloc[0]
    assert cancelled["n"] == 1
    assert (f"«Budsjett totalt (kr)» og budsjettradene tar med 1 avbrutt pilot ({kr(cancelled['kr'])}), som "
            "Pilotoversikts budsjettall gjør. Filtrer på kolonnen Status") in about["Merk om budsjett"]
    # without cancelled pilots in the selection, nothing to say of them
    going = about_sheet(export(sector, PilotFilter(statuses=("Pågår", "Planlagt"))))
    assert "avbrutt" not in going.get("Merk om budsjett", "")
    # a long text's row is as tall as its lines: drawn one line high, it ran over the rows below
    sheet = openpyxl.load_workbook(io.BytesIO(workbook_bytes))[ABOUT_SHEET]
    for row in sheet.iter_rows(min_row=3):
        text = row[1].value
        if isinstance(text, str) and len(text) > 110:  # more than a line of the 90-wide column holds
            height = sheet.row_dimensions[row[0].row].height
            assert height and height >= 15 * -(-len(text) // 110), (row[0].value, height)
    assert sheet.page_setup.orientation != "landscape" and sheet.sheet_properties.pageSetUpPr.fitToPage


def test_the_about_sheet_says_that_a_ministry_is_the_one_agencies_are_under_today(sector):
    # A workbook for KDD left out the agencies moved to DFD, and said nothing of it
    kdd = about_sheet(export(sector, PilotFilter(ministries=("KDD",))))
    assert kdd["Departement"] == "Tallene tar ikke med virksomhetene som gikk over fra KDD til DFD 01.01.2024."
    # the whole sector's takes them in, and says so, as Oversikt does
    whole = about_sheet(export(sector, PilotFilter()))
    assert whole["Departement"] == "Tallene tar med virksomhetene som gikk over fra KDD til DFD 01.01.2024."
    husbanken = about_sheet(export(sector, PilotFilter(agencies=("Husbanken",), start_year=2024)))
    assert "Departement" not in husbanken
    assert husbanken["Arket Innsendinger"].startswith("1 rad – ")  # not «1 rader»


def test_every_printed_page_says_the_selection_even_with_an_ampersand_in_it(sector):
    content = export(sector, PilotFilter(agencies=("Husbanken",)), PlanChoice(text="R&D"))
    book = openpyxl.load_workbook(io.BytesIO(content))
    for name in ("Piloter", "Milepæler", "Budsjett", "Innsendinger"):
        # stored as Excel writes a printed «&»: doubled (a lone & starts a code such as &P, the page number)
        assert book[name].oddHeader.left.text == "Pilotoversikt – Husbanken; søk «R&&D»", name
        assert book[name].oddHeader.right.text.startswith("Pilotoversikt, data per "), name


def test_the_about_sheet_names_the_filter_and_the_date_of_the_data(sector):
    content = export(sector, PilotFilter(agencies=("Husbanken",), start_year=2024))
    about = about_sheet(content)
    assert about["Utvalg"] == "Husbanken; oppstartsår 2024"
    last_import = store_frame(sector, "SELECT max(imported_at) AS t FROM source_files")["t"][0]
    assert about["Data per"].date() == last_import.date()
    assert about["Kilde"] == f"Pilotoversikt, data per {last_import:%d.%m.%Y}"  # not «Kilde: Kilde: …» as read


def test_the_filter_is_applied_to_every_sheet(sector):
    content = export(sector, PilotFilter(agencies=("Husbanken",), start_year=2024))
    sheets = pd.read_excel(io.BytesIO(content), sheet_name=None, engine="openpyxl")
    assert set(sheets["Piloter"]["Virksomhet"]) == {"Husbanken"}
    assert set(sheets["Piloter"]["Oppstartsår"]) == {2024}
    assert len(sheets["Piloter"]) == 3
    assert sheets["Milepæler"].empty and sheets["Budsjett"].empty  # Husbanken's are in the 2023 round
    assert sheets["Innsendinger"][["Virksomhet", "Oppstartsår"]].values.tolist() == [["Husbanken", 2024]]


def test_planers_choice_narrows_the_pilots_and_their_rows_and_is_named_on_the_about_sheet(sector):
    content = export(sector, PilotFilter(), PlanChoice(only_missing_evaluation=True))
    sheets = pd.read_excel(io.BytesIO(content), sheet_name=None, engine="openpyxl")
    lacking = store_frame(sector, "SELECT agency, pilot_name FROM pilot_plans_current WHERE NOT describes_evaluation")
    assert 0 < len(lacking) < len(store_frame(sector, "SELECT * FROM pilot_plans_current"))
    shown = sheets["Piloter"]
    assert sorted(zip(shown["Virksomhet"], shown["Pilotnavn"].str.removeprefix("'"))) == sorted(
        zip(lacking["agency"], lacking["pilot_name"]))
    assert set(shown["Evaluering beskrevet"]) == {"Nei"}
    kept = set(zip(lacking["agency"], lacking["pilot_name"]))
    for sheet in ("Milepæler", "Budsjett"):
        rows = set(zip(sheets[sheet]["Virksomhet"], sheets[sheet]["Pilot"]))
        assert rows <= kept, sheet
    milestones = store_frame(sector, "SELECT agency, pilot_name FROM milestones_current")
    assert len(sheets["Milepæler"]) == sum((a, p) in kept for a, p in zip(milestones["agency"],
                                                                            milestones["pilot_name"]))
    # Innsendinger follows the filter, as the about sheet says: the choice is about plans.
    assert len(sheets["Innsendinger"]) == len(store_frame(sector, "SELECT * FROM reporting_status"))
    about = about_sheet(content)
    assert about["Utvalg"] == "Hele sektoren; bare uten evaluering"
    assert "valgene på siden Planer" in about["Merk"]


def test_a_search_in_the_choice_keeps_only_the_plans_whose_text_has_it(sector):
    content = export(sector, PilotFilter(agencies=("Husbanken",)), PlanChoice(text="STARTLÅN"))
    shown = pd.read_excel(io.BytesIO(content), sheet_name="Piloter", engine="openpyxl")
    plans = store_frame(sector, "SELECT pilot_name, strpos(lower(p::VARCHAR), 'startlån') > 0 AS has_it "
                                "FROM pilot_plans_current p WHERE agency = 'Husbanken' ORDER BY pilot_name")
    assert plans["has_it"].any() and not plans["has_it"].all()
    assert sorted(shown["Pilotnavn"]) == plans.loc[plans["has_it"], "pilot_name"].tolist()
    about = about_sheet(content)
    assert about["Utvalg"] == "Husbanken; søk «STARTLÅN»"


def test_formula_like_pilot_names_stay_text_in_the_workbook(workbook_bytes):
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} er en formel: {cell.value!r}"
    names = {c.value: c for c in next(book["Piloter"].iter_cols(min_col=2, max_col=2))}
    assert book["Piloter"]["B1"].value == "Pilotnavn"
    for name in FORMULA_NAMES:
        cell = names[name]
        assert cell.data_type == "s" and cell.value == name
        assert cell.quotePrefix, "Excel should keep it text when the cell is edited"
    # And in the file itself: a string cell, never an <f> element.
    with zipfile.ZipFile(io.BytesIO(workbook_bytes)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet2.xml").decode()  # Piloter, after «Om uttrekket»
    assert "<f>" not in sheet_xml
    assert 't="inlineStr"><is><t>=SUM(A1)</t>' in sheet_xml


def test_text_that_reads_like_an_excel_error_stays_text_in_the_workbook(tmp_path, reference):
    # A text «#N/A» or «#REF!» in the store (a CSV imported before such cells were refused as Excel's errors kept
    # it as text) stays text in the workbook; openpyxl would make it an error cell.
    names = ("#N/A", "#REF!", "#DIV/0!")
    rows = [csv_pilot("Husbanken", 2024, "15.10.2023", pilot_name=f"Pilot {i}", users="brukere", status="Planlagt")
            for i in range(len(names))]
    path = tmp_path / "errors.duckdb"
    with database.open_store(path) as con:
        plans = import_files(con, [("husbanken_piloter.csv", form_csv(rows))], reference)
        for i, name in enumerate(names):
            con.execute("UPDATE pilots SET pilot_name = ?, users = ? WHERE pilot_name = ?", [name, name, f"Pilot {i}"])
    assert [p.outcome for p in plans] == ["imported"], [str(x) for p in plans for x in p.problems]
    book = openpyxl.load_workbook(io.BytesIO(export(path)))
    sheet = book["Piloter"]
    header = [c.value for c in sheet[1]]
    cells = [row[header.index("Pilotnavn")] for row in sheet.iter_rows(min_row=2)]
    assert sorted(c.value for c in cells) == ["#DIV/0!", "#N/A", "#REF!"]
    assert all(c.data_type == "s" for c in cells), [(c.value, c.data_type) for c in cells]


def test_the_pilot_sheet_says_which_plans_describe_evaluation_as_the_store_does(sector, workbook_bytes):
    sheet = pd.read_excel(io.BytesIO(workbook_bytes), sheet_name="Piloter", engine="openpyxl")
    store = store_frame(sector, "SELECT pilot_name, describes_evaluation, covers_e6 FROM pilot_plans_current")
    expected = {r.pilot_name: "Ja" if r.describes_evaluation else "Nei" for r in store.itertuples()}
    shown = dict(zip(sheet["Pilotnavn"], sheet["Evaluering beskrevet"]))
    assert shown == expected
    # The sector has a plan that documents (element 6 covered) without saying anything about evaluation.
    assert (store["covers_e6"] & ~store["describes_evaluation"]).any()


def test_the_frames_behind_the_sheets_hold_the_plans_the_forsok_filter_keeps(sector):
    with database.open_store(sector, read_only=True) as con:
        tables = frames(con, PilotFilter(forsok=True))
        forsok = con.execute("SELECT count(*) FROM pilots_current WHERE needs_exemption").fetchone()[0]
        plans = con.execute("SELECT count(*) FROM pilots_current").fetchone()[0]
    assert 0 < forsok < plans
    assert set(tables) == {"Piloter", "Milepæler", "Budsjett", "Innsendinger"}
    assert set(tables["Piloter"]["Behov for unntak fra regelverk"]) == {"Ja"}
    assert len(tables["Piloter"]) == forsok


# ---------------------------------------------------------------------------------------------
# CSV


def test_csv_starts_with_the_utf8_bom_and_uses_semicolons_and_norwegian_numbers():
    df = pd.DataFrame({"Virksomhet": ["Husbanken", "Kartverket"], "Beløp (kr)": [1_500_000.0, 2.5],
                       "Startdato": [D(2023, 10, 31), None], "Forsøk": [True, False],
                       "Importert": [pd.Timestamp("2023-10-31 14:05"), pd.NaT]})
    content = csv_bytes(df)
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    lines = text.split("\r\n")
    assert not lines[0].lower().startswith("sep=")
    assert lines[0] == "Virksomhet;Beløp (kr);Startdato;Forsøk;Importert"
    assert lines[1] == "Husbanken;1500000;31.10.2023;Ja;31.10.2023 14:05"
    assert lines[2] == "Kartverket;2,5;;Nei;"


def test_csv_reads_back_as_numbers_and_dates_with_norwegian_settings():
    df = pd.DataFrame({"Pilot": ["Ett; to", "Tre «sitat»"], "Beløp (kr)": [1_500_000, 250_000],
                       "Årsverk": [1.5, 0.25], "Startdato": [D(2024, 3, 1), D(2024, 12, 31)]})
    back = pd.read_csv(io.BytesIO(csv_bytes(df)), sep=";", decimal=",", encoding="utf-8-sig")
    assert back["Pilot"].tolist() == ["Ett; to", "Tre «sitat»"]
    assert back["Beløp (kr)"].tolist() == [1_500_000, 250_000]
    assert back["Årsverk"].tolist() == [1.5, 0.25]
    assert pd.to_datetime(back["Startdato"], format="%d.%m.%Y").dt.date.tolist() == [D(2024, 3, 1), D(2024, 12, 31)]


@pytest.mark.parametrize("text", [*FORMULA_NAMES, "-2+3", "\t=1", "\r=1"])
def test_formula_like_text_gets_a_quote_in_front_in_csv(text):
    content = csv_bytes(pd.DataFrame({"Pilotnavn": [text], "Beløp (kr)": [-5]}))
    rows = pd.read_csv(io.BytesIO(content), sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert rows["Pilotnavn"][0] == "'" + text
    assert rows["Beløp (kr)"][0] == "-5", "a negative number is a number, not text to defuse"


def test_csv_of_the_exported_pilots_keeps_formula_like_names_as_text(sector):
    with database.open_store(sector, read_only=True) as con:
        pilots = frames(con, PilotFilter())["Piloter"]
    text = csv_bytes(pilots).decode("utf-8-sig")
    for name in FORMULA_NAMES:
        assert f";'{name};" in text
        assert f";{name};" not in text


# ---------------------------------------------------------------------------------------------
# The command line


def test_the_command_line_writes_a_workbook_for_agencies_given_by_any_spelling(sector, tmp_path, capsys):
    out = tmp_path / "uttrekk.xlsx"
    code = cli(["excel", "--db", str(sector), "--out", str(out), "--virksomhet", "HB",
                "--virksomhet", "statens kartverk", "--aar", "2024"])
    assert code == 0
    assert "Husbanken, Kartverket; oppstartsår 2024" in capsys.readouterr().out
    pilots = pd.read_excel(out, sheet_name="Piloter", engine="openpyxl")
    assert set(pilots["Virksomhet"]) == {"Husbanken", "Kartverket"}
    assert len(pilots) == 6


def test_the_command_line_writes_a_deck(sector, tmp_path):
    out = tmp_path / "presentasjon.pptx"
    assert cli(["deck", "--db", str(sector), "--out", str(out), "--virksomhet", "Valgdir"]) == 0
    title = Presentation(str(out)).slides[0]
    assert "Utvalg: Valgdirektoratet" in " ".join(s.text_frame.text for s in title.shapes if s.has_text_frame)


def test_an_unknown_agency_is_refused_in_norwegian_with_exit_code_2(sector, tmp_path, capsys):
    out = tmp_path / "x.pptx"
    assert cli(["deck", "--db", str(sector), "--out", str(out), "--virksomhet", "Husbankn"]) == 2
    error = capsys.readouterr().err
    assert "Ukjent virksomhet: «Husbankn»" in error and "Husbanken" in error
    assert not out.exists()


def test_the_command_lines_own_help_and_errors_are_norwegian(sector, tmp_path, capsys):
    # argparse's «usage:», «error: the following arguments are required» were the only English a user met
    with pytest.raises(SystemExit) as exit_code:
        cli(["deck", "--db", str(sector)])
    error = capsys.readouterr().err
    assert exit_code.value.code == 2
    assert error.startswith("bruk:  python -m exports deck") and "feil: dette må oppgis: --out" in error
    with pytest.raises(SystemExit):
        cli(["deck", "--out", str(tmp_path / "x.pptx"), "--aar", "x"])
    assert "feil: --aar: forventet et heltall, fikk 'x'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli(["--help"])
    help_text = capsys.readouterr().out
    assert "valg:" in help_text and "vis denne hjelpen og avslutt" in help_text and "usage" not in help_text
    result = subprocess.run([sys.executable, "-m", "loaders", "lag"], cwd=Path(__file__).resolve().parent.parent,
                            capture_output=True, text=True)
    assert result.returncode == 2 and "feil: kommando: ugyldig valg 'lag' (velg blant 'template'" in result.stderr


def test_a_year_with_no_round_is_refused_and_nothing_is_written(sector, tmp_path, capsys):
    # «--aar 1999» used to write a workbook with no plans and exit 0: an empty file passed on as a report
    out = tmp_path / "x.xlsx"
    assert cli(["excel", "--db", str(sector), "--out", str(out), "--aar", "1999"]) == 2
    error = capsys.readouterr().err
    assert "Ingen runde har oppstartsår 1999" in error and "2023, 2024" in error
    assert not out.exists()


def test_a_missing_store_is_reported_without_a_traceback(tmp_path, capsys):
    assert cli(["excel", "--db", str(tmp_path / "finnes-ikke.duckdb"), "--out", str(tmp_path / "x.xlsx")]) == 1
    assert "finnes ikke" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# The dashboard's buttons

BUTTONS_APP = """
import pandas as pd
from store.queries import PilotFilter
from ui.downloads import csv_button, export_buttons

export_buttons(PilotFilter(agencies=("Husbanken",)), key="oversikt")
csv_button(pd.DataFrame({"Pilotnavn": ["=SUM(A1)"], "Beløp (kr)": [1.5]}), "piloter", key="piloter_csv")
"""


def download_buttons(db: Path, tmp_path: Path, monkeypatch) -> dict:
    """BUTTONS_APP run in AppTest on the store db: its download buttons by key."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("PILOT_DB", str(db))
    script = tmp_path / "app.py"
    script.write_text(BUTTONS_APP, encoding="utf-8")
    at = AppTest.from_file(str(script), default_timeout=30)
    at.run()
    assert not at.exception
    return {b.key: b for b in at.get("download_button")}


def test_the_dashboard_shows_the_two_export_buttons_and_a_csv_button(sector, tmp_path, monkeypatch):
    buttons = download_buttons(sector, tmp_path, monkeypatch)
    assert [b.proto.label for b in buttons.values()] == ["Last ned presentasjon", "Last ned Excel",
                                                         "Last ned piloter (CSV)", "Last ned CSV"]
    assert set(buttons) == {"oversikt_pptx", "oversikt_xlsx", "oversikt_csv", "piloter_csv"}
    assert "Utvalg: Husbanken" in buttons["oversikt_pptx"].proto.help
    # The deck and workbook are built only on a click (deferred), so a rerun builds nothing.
    assert buttons["oversikt_pptx"].proto.deferred_file_id and buttons["oversikt_xlsx"].proto.deferred_file_id
    assert not buttons["oversikt_pptx"].proto.disabled


def test_a_large_selection_says_before_the_click_that_excel_takes_a_while(sector, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    import ui.downloads as downloads

    monkeypatch.setenv("PILOT_DB", str(sector))
    script = tmp_path / "app.py"
    script.write_text("from store.queries import PilotFilter\nfrom ui.downloads import export_buttons\n"
                      "export_buttons(PilotFilter(), key='oversikt')\n"
                      "export_buttons(PilotFilter(agencies=('Husbanken',)), key='husbanken')\n", encoding="utf-8")
    monkeypatch.setattr(downloads, "LARGE_EXPORT_PLANS", 10)  # the sample's sector has 21 plans, Husbanken 4
    at = AppTest.from_file(str(script), default_timeout=30).run()
    assert not at.exception
    notes = [c.value for c in at.caption if "Excel-filen med" in c.value]
    assert notes == ["Excel-filen med 21 planer tar noen sekunder å lage første gang, presentasjonen noen sekunder. "
                     "Mens filen lages, er knappen grå med et hjul som går rundt. Deretter hentes filene med en gang, "
                     "også for andre brukere, resten av dagen eller fram til neste import. Velg færre virksomheter i "
                     "filteret for mindre filer."]
    assert "opp mot et halvt minutt" in downloads.large_export_note(20_000)
    assert "20\u00a0000 planer" in downloads.large_export_note(20_000)


def test_the_export_behind_the_buttons_is_cached_per_store_and_filter(sector, tmp_path, monkeypatch, reference):
    from exports import building
    from ui.downloads import export_bytes, file_name

    path = tmp_path / "copy.duckdb"
    path.write_bytes(sector.read_bytes())
    monkeypatch.setenv("PILOT_DB", str(path))
    builds = []
    real_build = building._build_once
    monkeypatch.setattr(building, "_build_once", lambda *args: builds.append(args[0]) or real_build(*args))
    f = PilotFilter(agencies=("Kartverket",))
    deck = export_bytes("deck", f)
    assert export_bytes("deck", f) == deck
    assert builds == ["deck"]  # the second click is served what the first built
    assert zipfile.ZipFile(io.BytesIO(deck)).read("ppt/presentation.xml")
    # Streamlit runs a deferred download on another thread, without the script's context.
    result: dict[str, bytes] = {}
    thread = threading.Thread(target=lambda: result.setdefault("xlsx", export_bytes("excel", f)))
    thread.start()
    thread.join(60)
    assert pd.read_excel(io.BytesIO(result["xlsx"]), sheet_name="Piloter", engine="openpyxl")["Virksomhet"].eq(
        "Kartverket").all()
    pilots_csv = pd.read_csv(io.BytesIO(export_bytes("csv", f)), sep=";", encoding="utf-8-sig", dtype=str)
    kartverket = store_frame(path, "SELECT pilot_name FROM pilot_plans_current WHERE agency = 'Kartverket'")
    assert sorted(pilots_csv["Pilotnavn"].str.removeprefix("'")) == sorted(kartverket["pilot_name"])
    # An import changes the store's signature, so the next click builds afresh.
    with database.open_store(path) as con:
        import_files(con, [("kv.xlsx", workbook(_submission("Kartverket", 2023, D(2023, 8, 1)), [
            _pilot("Ny pilot etter import", "Planlagt", D(2024, 1, 1), D(2024, 6, 30), 100_000)]))], reference)
    assert export_bytes("deck", f) != deck
    assert builds == ["deck", "excel", "csv", "deck"]
    assert file_name(".pptx", today=D(2026, 11, 23)) == "pilotoversikt_2026-11-23.pptx"


def test_downloads_are_kept_beside_the_store_and_the_least_used_go(sector, tmp_path, monkeypatch):
    from exports import building
    from ui import store_access

    path = tmp_path / "kept.duckdb"
    path.write_bytes(sector.read_bytes())
    monkeypatch.setattr(building, "KEEP_FILES", 2)
    sig = store_access.signature(path)
    folder = building.cache_folder(path)
    assert folder.parent == tmp_path  # beside the store, not in a /tmp every user can read

    def download(agency: str) -> bytes:
        return building.built("excel", sig, PilotFilter(agencies=(agency,)).key())

    def files() -> dict[str, int]:
        return {p.name: p.stat().st_ino for p in folder.glob("*.xlsx")}

    first = download("Husbanken")
    assert folder.stat().st_mode & 0o077 == 0  # the files hold contact people: for the server's user alone
    (name, inode), = files().items()
    # The same click again (another user, or after the server restarted) reads the file, not a new build.
    assert download("Husbanken") == first and files() == {name: inode}
    time.sleep(0.01)
    download("Kartverket")
    time.sleep(0.01)
    download("Husbanken")  # used again: now the most recently used
    time.sleep(0.01)
    download("Statsbygg")
    left = files()
    assert len(left) == 2 and left.get(name) == inode  # Kartverket's, the least recently used, went
    assert not list(folder.glob(".*.part"))


def test_a_large_filters_downloads_are_built_in_a_process_of_their_own_with_the_same_content(sector, tmp_path,
                                                                                             monkeypatch):
    """From SEPARATE_PROCESS_PLANS plans the server hands the build to python -m exports.worker: the user gets the
    same workbook, CSV and deck, and the server's process is not the one that grows."""
    from exports import building
    from ui import store_access

    path = tmp_path / "apart.duckdb"
    path.write_bytes(sector.read_bytes())
    key, sig = PilotFilter().key(), store_access.signature(path)
    here = {kind: building.build_here(kind, path, key, ())[0] for kind in ("excel", "csv", "deck")}
    calls = []
    real_apart = building.build_apart
    monkeypatch.setattr(building, "build_apart", lambda *args: calls.append(args[0]) or real_apart(*args))
    apart = {kind: building.built(kind, sig, key, (), plans=building.SEPARATE_PROCESS_PLANS)
             for kind in ("excel", "csv", "deck")}
    assert calls == ["excel", "csv", "deck"]
    assert apart["csv"] == here["csv"]
    for name in ("Piloter", "Milepæler", "Budsjett", "Innsendinger"):
        assert (pd.read_excel(io.BytesIO(apart["excel"]), sheet_name=name, engine="openpyxl")
                .equals(pd.read_excel(io.BytesIO(here["excel"]), sheet_name=name, engine="openpyxl")))
    from pptx import Presentation
    texts = [[[s.text_frame.text for s in slide.shapes if s.has_text_frame]
              for slide in Presentation(io.BytesIO(deck)).slides] for deck in (apart["deck"], here["deck"])]
    assert texts[0] == texts[1] and len(texts[0]) > 3
    # Kept as files like any other build: the next click reads it and starts no process.
    assert building.built("excel", sig, key, (), plans=building.SEPARATE_PROCESS_PLANS) == apart["excel"]
    assert calls == ["excel", "csv", "deck"]
    # A filter with few plans is built here, as before.
    building.built("excel", sig, PilotFilter(agencies=("Husbanken",)).key(), (), plans=3)
    assert calls == ["excel", "csv", "deck"]


def test_a_build_that_fails_in_its_own_process_says_why_in_norwegian(tmp_path):
    from exports import building

    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(b"not a DuckDB file at all" * 100)
    with pytest.raises(building.BuildFailed, match=r"^Nedlastingen kunne ikke lages: .+") as failed:
        building.build_apart("excel", broken, PilotFilter().key(), ())
    assert "Traceback" not in str(failed.value)
    assert "kan ikke leses: filen er skadet eller ikke en Pilotoversikt-database" in str(failed.value)
    assert not list(building.cache_folder(broken).parent.glob("*.xlsx"))


def test_the_pilots_csv_converted_a_slice_at_a_time_is_the_whole_sheet_as_csv(sector, monkeypatch):
    from exports import excel

    with database.open_store(sector, read_only=True) as con:
        whole = csv_bytes(excel.pilot_sheet(con, PilotFilter()))
        monkeypatch.setattr(excel, "CHUNK_ROWS", 4)  # 21 plans: five slices, the last of one row
        sliced = excel.pilot_csv(con, PilotFilter())
    assert sliced == whole
    assert sliced.startswith("\ufeff".encode()) and sliced.count(b"\r\n") == 22


def test_a_download_of_yesterday_or_before_an_import_is_never_served(sector, tmp_path, monkeypatch, reference):
    from exports import building
    from ui import store_access

    path = tmp_path / "dated.duckdb"
    path.write_bytes(sector.read_bytes())
    folder = building.cache_folder(path)
    key = PilotFilter(agencies=("Kartverket",)).key()
    monkeypatch.setattr(building, "norwegian_today", lambda: D(2026, 11, 23))
    building.built("deck", store_access.signature(path), key)
    yesterdays = {p.name for p in folder.glob("*.pptx")}
    # The deck says when it was made and counts statuses out of date by today: a new day builds a new one,
    monkeypatch.setattr(building, "norwegian_today", lambda: D(2026, 11, 24))
    building.built("deck", store_access.signature(path), key)
    todays = {p.name for p in folder.glob("*.pptx")}
    assert len(todays) == 1 and todays != yesterdays  # and yesterday's, never asked for again, is gone
    # and so does an import, which changes the store's signature.
    with database.open_store(path) as con:
        import_files(con, [("kv.xlsx", workbook(_submission("Kartverket", 2023, D(2023, 8, 1)), [
            _pilot("Ny pilot etter import", "Planlagt", D(2024, 1, 1), D(2024, 6, 30), 100_000)]))], reference)
    after = building.built("deck", store_access.signature(path), key)
    assert "Ny pilot etter import" in slide_texts(after)
    assert {p.name for p in folder.glob("*.pptx")}.isdisjoint(todays)


def test_a_click_that_waited_past_midnight_keeps_its_file_under_the_new_day(sector, tmp_path, monkeypatch):
    from exports import building
    from ui import store_access

    path = tmp_path / "midnight.duckdb"
    path.write_bytes(sector.read_bytes())
    days = iter([D(2026, 11, 23)])  # the first look, before the wait for the lock; then the new day
    monkeypatch.setattr(building, "norwegian_today", lambda: next(days, D(2026, 11, 24)))
    building.built("deck", store_access.signature(path), PilotFilter(agencies=("Kartverket",)).key())
    names = [p.name for p in building.cache_folder(path).glob("*.pptx")]
    assert len(names) == 1 and names[0].startswith("2026-11-24_"), names


def test_servers_on_one_store_share_its_files_and_keep_each_others_code(sector, tmp_path, monkeypatch):
    from exports import building
    from ui import store_access

    (tmp_path / "x").mkdir()
    path = tmp_path / "shared.duckdb"
    path.write_bytes(sector.read_bytes())
    key = PilotFilter(agencies=("Husbanken",)).key()
    folder = building.cache_folder(path)
    building.built("excel", store_access.signature(path), key)
    # The same store named another way (PILOT_DB relative, or through a folder and back) is the same file.
    other_spelling = tmp_path / "x" / ".." / "shared.duckdb"
    building.built("excel", store_access.signature(other_spelling), key)
    assert len(list(folder.glob("*.xlsx"))) == 1
    # A second server with other code builds its own file, and neither deletes the other's.
    monkeypatch.setattr(building, "CODE_VERSION", "another version")
    building.built("excel", store_access.signature(path), key)
    monkeypatch.undo()
    building.built("deck", store_access.signature(path), key)
    assert len(list(folder.glob("*.xlsx"))) == 2


def test_downloads_kept_in_the_temporary_folder_by_an_earlier_version_are_deleted(tmp_path, monkeypatch):
    from exports import building

    monkeypatch.setattr(building.tempfile, "gettempdir", lambda: str(tmp_path))
    old = tmp_path / "pilotoversikt-nedlastinger" / "0123456789abcdef"
    old.mkdir(parents=True)
    (old / "workbook.xlsx").write_bytes(b"contact people, readable by every user")
    building._forget_the_old_place()
    assert not (tmp_path / "pilotoversikt-nedlastinger").exists()


def test_two_clicks_at_once_build_the_download_once(sector, tmp_path, monkeypatch):
    from exports import building
    from ui import store_access

    path = tmp_path / "twice.duckdb"
    path.write_bytes(sector.read_bytes())
    builds = []
    real_build = building._build_once

    def counted(*args):
        builds.append(args)
        return real_build(*args)

    monkeypatch.setattr(building, "_build_once", counted)
    sig, key = store_access.signature(path), PilotFilter(agencies=("Kartverket",)).key()
    results: list[bytes] = []
    threads = [threading.Thread(target=lambda: results.append(building.built("deck", sig, key))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results) == 2 and results[0] == results[1]
    assert len(builds) == 1


def test_the_dashboards_reads_go_on_while_a_workbook_is_written(sector, tmp_path, monkeypatch):
    # The workbook held the store from its first read to its last row written: at L every other user's read on
    # the server (and any import) waited some 14 s for a whole-sector workbook.
    from exports import building, excel
    from ui import store_access

    path = tmp_path / "busy.duckdb"
    path.write_bytes(sector.read_bytes())
    writing, read_taken = threading.Event(), threading.Event()
    real_write = excel._write_sheet

    def slow_write(*args):
        writing.set()
        read_taken.wait(20)  # the rows of a large sheet take a long time to write
        return real_write(*args)

    monkeypatch.setattr(excel, "_write_sheet", slow_write)
    built: list[bytes] = []
    builder = threading.Thread(target=lambda: built.append(
        building.built("excel", store_access.signature(path), PilotFilter().key())))
    builder.start()
    assert writing.wait(30)
    read: list[int] = []

    def another_users_read():
        with database.reading(path) as con:
            read.append(len(queries.pilots(con, PilotFilter())))

    reader = threading.Thread(target=another_users_read)
    reader.start()
    reader.join(10)
    read_while_writing = list(read)
    read_taken.set()
    builder.join(60)
    reader.join(10)
    assert read_while_writing == [21], "a read during the workbook's writing waited for the whole build"
    sheet = pd.read_excel(io.BytesIO(built[0]), sheet_name="Piloter", engine="openpyxl")
    assert len(sheet) == 21


def test_an_import_during_a_workbook_build_gives_the_new_data_in_every_sheet(sector, tmp_path, monkeypatch,
                                                                             reference):
    # With the store taken for each sheet's read only, an import can land between two of them: the workbook
    # would have the plans from before it and the submissions from after. The build starts again instead.
    from exports import building, excel
    from ui import store_access

    path = tmp_path / "changing.duckdb"
    path.write_bytes(sector.read_bytes())
    real_write, imported = excel._write_sheet, []

    def write_then_import(*args):
        if not imported:  # after the plans were read, before the submissions are
            new_file = workbook(_submission("Kartverket", 2023, D(2023, 8, 1)), [
                _pilot("Pilot importert under byggingen", "Planlagt", D(2023, 9, 1), D(2024, 6, 30), 300_000)])
            with database.open_store(path) as con:
                imported.extend(import_files(con, [("kv.xlsx", new_file)], reference))
        return real_write(*args)

    monkeypatch.setattr(excel, "_write_sheet", write_then_import)
    content = building.built("excel", store_access.signature(path), PilotFilter(agencies=("Kartverket",)).key())
    assert [plan.outcome for plan in imported] == ["imported"]
    pilots = pd.read_excel(io.BytesIO(content), sheet_name="Piloter", engine="openpyxl")
    submissions = pd.read_excel(io.BytesIO(content), sheet_name="Innsendinger", engine="openpyxl")
    assert "Pilot importert under byggingen" in set(pilots["Pilotnavn"])
    assert 2023 in set(submissions.loc[submissions["Virksomhet"] == "Kartverket", "Oppstartsår"])
    # kept under the store it shows: the next click, which sees the import, reads it rather than building again
    monkeypatch.setattr(building, "_build_once", lambda *args: pytest.fail("built again"))
    assert building.built("excel", store_access.signature(path), PilotFilter(agencies=("Kartverket",)).key()) == content


# A server's process, clicking a download: its build is slow enough that the other server clicks meanwhile.
SERVER_CLICK = """
import sys, time
from exports import building
from store.queries import PilotFilter
from ui import store_access

real_build = building._build_once

def slow_build(*args):
    with open(sys.argv[2], "a") as log:
        log.write("built\\n")
    time.sleep(2)
    return real_build(*args)

building._build_once = slow_build
path = __import__("pathlib").Path(sys.argv[1])
# both ask at once, however long each took to start: else the second could come after the first had finished
ready = path.parent / "ready"
ready.mkdir(exist_ok=True)
(ready / str(__import__("os").getpid())).touch()
deadline = time.monotonic() + 60
while len(list(ready.iterdir())) < 2 and time.monotonic() < deadline:
    time.sleep(0.01)
content = building.built("deck", store_access.signature(path), PilotFilter(agencies=("Kartverket",)).key())
sys.stdout.write(__import__("hashlib").sha256(content).hexdigest())
"""


def test_two_servers_on_one_store_build_a_download_once(sector, tmp_path):
    # Each server has its own thread lock; only the file lock beside the store keeps two builds (twice the
    # memory) from running at once, and lets the second server read the first one's file.
    path = tmp_path / "shared.duckdb"
    path.write_bytes(sector.read_bytes())
    log = tmp_path / "builds.log"
    root = Path(__file__).resolve().parents[1]
    servers = [subprocess.Popen([sys.executable, "-c", SERVER_CLICK, str(path), str(log)], cwd=root,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [server.communicate(timeout=120) for server in servers]
    assert [server.returncode for server in servers] == [0, 0], [err for _, err in outputs]
    assert outputs[0][0] == outputs[1][0], "both servers give the same file"
    assert log.read_text().splitlines() == ["built"]


def test_a_download_is_given_even_where_it_cannot_be_kept_and_leaves_no_part(sector, tmp_path):
    from exports import building
    from ui import store_access

    path = tmp_path / "nowhere.duckdb"
    path.write_bytes(sector.read_bytes())
    sig, key = store_access.signature(path), PilotFilter(agencies=("Husbanken",)).key()
    blocked = tmp_path / "nowhere.duckdb.nedlastinger"
    blocked.write_text("a file where the folder should be")
    sheet = pd.read_excel(io.BytesIO(building.built("excel", sig, key)), sheet_name="Piloter", engine="openpyxl")
    assert set(sheet["Virksomhet"]) == {"Husbanken"}
    # A folder that takes no file of this name (a write that fails at the end): nothing half-written stays.
    blocked.unlink()
    blocked.mkdir()
    stale = blocked / ".old.xlsx.1.part"  # left by a build that was killed an hour ago
    stale.write_bytes(b"half")
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    building.built("excel", sig, PilotFilter(agencies=("Statsbygg",)).key())
    target = next(blocked.glob("*.xlsx"))
    target.unlink()
    target.mkdir()  # the rename onto it fails
    assert building.built("excel", sig, PilotFilter(agencies=("Statsbygg",)).key())
    assert not list(blocked.glob(".*.part"))


def test_download_names_carry_the_filter_so_two_downloads_on_a_day_differ():
    from ui.downloads import file_name

    day = D(2026, 11, 23)
    assert file_name(".xlsx", "Husbanken; oppstartsår 2024", day) == \
        "pilotoversikt_husbanken-oppstartsar-2024_2026-11-23.xlsx"
    assert file_name(".pptx", "Direktoratet for byggkvalitet, Kartverket", day) == \
        "pilotoversikt_direktoratet-for-byggkvalitet-kartverket_2026-11-23.pptx"
    assert file_name("_piloter.csv", "Bare uten evaluering, søk «tillitsvalgte»", day) == \
        "pilotoversikt_bare-uten-evaluering-sok-tillitsvalgte_2026-11-23_piloter.csv"
    dss = "Departementenes sikkerhets- og serviceorganisasjon"
    assert file_name(".xlsx", f"{dss}; oppstartsår 2024", day) == \
        "pilotoversikt_departementenes-sikkerhets-og-serviceorganisasjon-oppstartsar-2024_2026-11-23.xlsx"
    # A filter too long for a file name is cut at a word, and what was cut still tells the names apart.
    many = [", ".join(f"Virksomhet nummer {n}" for n in range(40 + extra)) for extra in (0, 1)]
    names = [file_name(".xlsx", m, day) for m in many]
    assert names[0] != names[1]
    assert all(len(n) <= len("pilotoversikt__2026-11-23.xlsx") + 80 for n in names)
    assert all(n.startswith("pilotoversikt_virksomhet-nummer-0-virksomhet-nummer-1-") for n in names)
    assert file_name(".xlsx", "Tromsø – Ålesund", day) == "pilotoversikt_tromso-alesund_2026-11-23.xlsx"


def test_a_download_of_several_long_names_is_named_by_their_abbreviations_and_keeps_the_year(sector, monkeypatch):
    # Three long names were cut at 80 characters to two of them and a hash: Husbanken and «2024» were gone, and two
    # years of one choice differed only by the hash
    from ui.downloads import _words, file_name

    monkeypatch.setenv("PILOT_DB", str(sector))
    dss, staf = "Departementenes sikkerhets- og serviceorganisasjon", "Statsforvalterens fellestjenester"
    words = _words("", PilotFilter(agencies=(dss, staf, "Husbanken"), start_year=2024))
    assert words == "DSS, STAF, HB; oppstartsår 2024"
    assert file_name(".xlsx", words, D(2026, 12, 1)) == "pilotoversikt_dss-staf-hb-oppstartsar-2024_2026-12-01.xlsx"
    assert _words("", PilotFilter(agencies=("Husbanken",), start_year=2024)) == "Husbanken; oppstartsår 2024"


def test_the_export_buttons_are_disabled_when_there_is_no_store(tmp_path, monkeypatch):
    buttons = download_buttons(tmp_path / "finnes-ikke.duckdb", tmp_path, monkeypatch)
    assert all(buttons[f"oversikt_{kind}"].proto.disabled for kind in ("pptx", "xlsx", "csv"))
    assert not buttons["piloter_csv"].proto.disabled


def test_a_damaged_store_is_named_as_damaged_without_a_traceback(tmp_path, capsys):
    damaged = tmp_path / "skadet.duckdb"
    damaged.write_bytes(b"dette er ingen database " * 100)
    out = tmp_path / "x.xlsx"
    assert cli(["excel", "--db", str(damaged), "--out", str(out)]) == 1
    error = capsys.readouterr().err
    assert "skadet.duckdb kan ikke leses: filen er skadet eller ikke en Pilotoversikt-database" in error
    assert "i bruk" not in error and not out.exists()


def test_a_store_that_opens_but_cannot_be_read_is_reported_without_a_traceback(sector, tmp_path, capsys):
    store = tmp_path / "uten-visning.duckdb"
    store.write_bytes(sector.read_bytes())
    with duckdb.connect(str(store)) as con:
        con.execute("DROP VIEW pilot_plans_current")
    out = tmp_path / "x.xlsx"
    assert cli(["excel", "--db", str(store), "--out", str(out)]) == 1
    error = capsys.readouterr().err
    assert f"Databasen {store} kunne ikke leses: Catalog Error" in error and "importer på nytt" in error
    assert not out.exists()


def test_the_source_file_of_a_round_sent_as_a_csv_per_sheet_names_each_sheets_file(sample_db, reference):
    # «Kildefil» named Digdir's last CSV, the milestones, for a round whose pilots and budget came in two others
    content = export(sample_db, PilotFilter(agencies=("Digitaliseringsdirektoratet", "Husbanken"), start_year=2024))
    rows = pd.read_excel(io.BytesIO(content), sheet_name="Innsendinger", engine="openpyxl").set_index("Virksomhet")
    files = dict(store_frame(sample_db, "SELECT replaced_tables, file_name FROM submission_history WHERE agency = "
                                        "'Digitaliseringsdirektoratet' AND start_year = 2024").values.tolist())
    assert rows.at["Digitaliseringsdirektoratet", "Kildefil"] == (
        f"Piloter: {files['Piloter']}; Milepæler: {files['Milepæler']}; Budsjett: {files['Budsjett']}")
    assert rows.at["Husbanken", "Kildefil"] == "2024_husbanken.xlsx"  # one workbook: its name alone
    # a Piloter CSV after the workbook: the pilots from it, the milestones and the budget still from the workbook
    [name] = store_frame(sample_db, "SELECT pilot_name FROM pilots_current WHERE agency = 'Husbanken' "
                                    "AND start_year = 2024")["pilot_name"]
    with database.open_store(sample_db) as con:
        [plan] = import_files(con, [("hb_piloter.csv", form_csv([csv_pilot(pilot_name=name,
                                                                           submitted_on="30.10.2023")]))], reference)
    assert plan.outcome == "imported", plan.problems
    content = export(sample_db, PilotFilter(agencies=("Husbanken",), start_year=2024))
    rows = pd.read_excel(io.BytesIO(content), sheet_name="Innsendinger", engine="openpyxl")
    assert rows["Kildefil"].tolist() == [
        "Piloter: hb_piloter.csv; Milepæler: 2024_husbanken.xlsx; Budsjett: 2024_husbanken.xlsx"]
