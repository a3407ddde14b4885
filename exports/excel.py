"""The data behind the dashboard as a workbook and as CSV, for Norwegian Excel.

    excel_bytes(store, f)  ->  .xlsx with the sheets Piloter, Milepæler, Budsjett, Innsendinger
                               and «Om uttrekket» (filter, data date, what each sheet holds)
    csv_bytes(df)          ->  UTF-8 with BOM, «;», decimal comma, dates 31.10.2023
    frames(store, f)       ->  the same four tables as DataFrames with Norwegian headers
    pilot_sheet(store, f)  ->  only the first of them, Piloter
    pilot_csv(store, f)    ->  Piloter as CSV, converted and written a slice of rows at a time

The store is a connection, or a function that opens it for each read (exports.common.Reads):
then it is held only while a sheet's rows are read, not while they are written.

Headers are the reporting form's labels (loaders/contract.py) where the form has the field.
Amounts and dates are real numbers and dates. Text that a spreadsheet could take for a
formula (= + - @, tab, CR first) is always written as text: a string cell marked with
Excel's quote prefix in the workbook, a leading ' in CSV.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tempfile
import textwrap
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from exports.common import (
    SUBMISSIONS_SHEET,
    Reads,
    as_date,
    as_datetime,
    as_float,
    as_list,
    budget_gap_words,
    budget_gaps,
    data_date,
    defuse,
    filter_text,
    looks_like_formula,
    missing,
    reads_of,
    source_line,
)
from loaders.contract import BUDGET, ELEMENTS, MILESTONES, PILOTS, SUBMISSION
from loaders.values import norwegian_now, norwegian_today
from store import queries
from store.queries import ALL_PLANS, CANCELLED, PilotFilter, PlanChoice
from ui.formatting import kr, plural

# Format codes are stored locale-neutral in the file: Norwegian Excel shows «#,##0» as
# 1 500 000 (its own dialog calls it «# ##0»). A literal «# ##0» would show 1500 000.
AMOUNT_FORMAT = "#,##0"
DATE_FORMAT = "DD.MM.YYYY"
DATETIME_FORMAT = "DD.MM.YYYY HH:MM"
INTEGER_FORMAT = "0"
ACCENT = "1F4E79"
ABOUT_SHEET = "Om uttrekket"
# Characters an .xlsx cannot hold as text (XML 1.0 has no place for them); tab, LF and CR are allowed.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class Column:
    """One column of an exported sheet: its header, where the value comes from, and its kind.

    kind: text, amount, number, integer, date, datetime, yes_no or list.
    """

    header: str
    source: str  # the store's column
    kind: str = "text"

    def values(self, rows: pd.DataFrame) -> list[object]:
        """The cells' values for source rows, converted to plain Python values, a column at a time."""
        if self.source not in rows:
            return [None] * len(rows)
        return [convert(raw, self.kind) for raw in rows[self.source].tolist()]


def convert(raw: object, kind: str) -> object:
    """A store value as what the sheet should hold (None for an empty cell)."""
    if kind == "list":
        items = as_list(raw)
        return "; ".join(items) if items else None
    if missing(raw):
        return None
    if kind == "amount" or kind == "number":
        return as_float(raw)
    if kind == "integer":
        return int(raw)
    if kind == "date":
        return as_date(raw)
    if kind == "datetime":
        return as_datetime(raw)
    if kind == "yes_no":
        return "Ja" if bool(raw) else "Nei"
    return str(raw)


_FIELD_KINDS = {"amount": "amount", "number": "number", "date": "date", "yes_no": "yes_no", "list": "list",
                "year": "integer"}
AGENCY = SUBMISSION.field("agency").label
START_YEAR = SUBMISSION.field("start_year").label


def pilot_columns() -> list[Column]:
    """Piloter: agency and the pilot's name (the columns kept in view), ministry and round, every other field of the
    form's Piloter sheet, the six elements, evaluation or not."""
    columns = [Column(AGENCY, "agency"), Column(PILOTS.field("pilot_name").label, "pilot_name"),
               Column("Departement", "ministry"), Column(START_YEAR, "start_year", "integer")]
    columns += [Column(f.label, f.key, _FIELD_KINDS.get(f.kind, "text")) for f in PILOTS.fields
                if f.key != "pilot_name"]
    columns += [Column(f"Element {e.number}: {e.name}", f"covers_e{e.number}", "yes_no") for e in ELEMENTS]
    columns.append(Column("Elementer dekket (av 6)", "elements_covered", "integer"))
    columns.append(Column("Evaluering beskrevet", "describes_evaluation", "yes_no"))
    return columns


PILOT_STATUS = "Pilotens status"  # on Milepæler and Budsjett: to leave out a cancelled pilot's rows


def _of_the_pilot() -> list[Column]:
    """Milepæler's and Budsjett's last columns: the pilot's status, its Pilot-ID and ministry, as on Piloter, so
    a cancelled pilot's rows can be left out and the sheets filtered per ministry and joined on Pilot-ID."""
    return [Column(PILOT_STATUS, "pilot_status"), Column(PILOTS.field("pilot_ref").label, "pilot_ref"),
            Column("Departement", "ministry")]


def milestone_columns() -> list[Column]:
    """Milepæler, with the form's labels."""
    label = {f.key: f.label for f in MILESTONES.fields}
    return [Column(AGENCY, "agency"), Column(label["pilot"], "pilot_name"), Column(START_YEAR, "start_year", "integer"),
            Column(label["name"], "name"), Column(label["kind"], "kind"),
            Column(label["from_date"], "from_date", "date"), Column(label["to_date"], "to_date", "date"),
            Column(label["status"], "status"), *_of_the_pilot()]


def budget_columns() -> list[Column]:
    """Budsjett, with the form's labels."""
    label = {f.key: f.label for f in BUDGET.fields}
    return [Column(AGENCY, "agency"), Column(label["pilot"], "pilot_name"), Column(START_YEAR, "start_year", "integer"),
            Column(label["year"], "year", "integer"),
            Column(label["amount_nok"], "amount_nok", "amount"), Column(label["category"], "category"),
            Column(label["financing"], "financing"), *_of_the_pilot()]


def submission_columns() -> list[Column]:
    """Innsendinger: one row per round and agency, asked or not, delivered or not."""
    label = {f.key: f.label for f in SUBMISSION.fields}
    return [Column(AGENCY, "agency"), Column("Departement", "ministry"),
            Column(START_YEAR, "start_year", "integer"), Column("Frist", "deadline", "date"),
            Column("Bedt om å rapportere", "was_asked", "yes_no"),
            # Nei: the register of requests has a row for it, but neither the letter's date nor its reference
            Column("Brevet registrert", "letter_registered", "yes_no"),
            Column("Rapporteringsstatus", "reporting_state"),
            Column(label["submitted_on"], "submitted_on", "date"), Column("Versjon", "version", "integer"),
            Column(label["has_plans"], "has_plans", "yes_no"), Column("Antall piloter", "pilot_count", "integer"),
            Column(label["contact_person"], "contact_person"), Column(label["email"], "email"),
            Column(label["assessment"], "assessment"), Column(label["union_involvement"], "union_involvement"),
            Column("Kildefil", "file_name"), Column("Importert", "imported_at", "datetime")]


SHEETS: dict[str, Callable[[], list[Column]]] = {
    PILOTS.sheet: pilot_columns,
    MILESTONES.sheet: milestone_columns,
    BUDGET.sheet: budget_columns,
    SUBMISSIONS_SHEET: submission_columns,
}


def _submission_rows(con: duckdb.DuckDBPyConnection, f: PilotFilter) -> pd.DataFrame:
    """Reporting status per round and agency, with the current submission's details."""
    status = queries.reporting_status(con, f, norwegian_today())
    details = queries.submissions(con, f)[["agency", "start_year", "contact_person", "email", "assessment",
                                           "union_involvement", "file_name", "imported_at"]]
    return status.merge(details, on=["agency", "start_year"], how="left")


def source_rows(store: duckdb.DuckDBPyConnection | Reads, f: PilotFilter,
                choice: PlanChoice = ALL_PLANS) -> dict[str, pd.DataFrame]:
    """The store's rows behind each sheet, filtered; with a choice, only its plans and their rows."""
    return dict(each_sheets_rows(store, f, choice))


def each_sheets_rows(store: duckdb.DuckDBPyConnection | Reads, f: PilotFilter,
                     choice: PlanChoice = ALL_PLANS) -> Iterator[tuple[str, pd.DataFrame]]:
    """source_rows a sheet at a time, each read when the one before has been taken: a caller that lets each go
    before asking for the next holds one sheet's rows at a time (at L the plans with their texts are the most).
    The store is held for each sheet's read only, never while the caller has the rows."""
    reads = reads_of(store)
    with reads() as con:
        pilots = queries.chosen_pilots(con, f, choice) if choice else queries.pilots(con, f)
    kept = pilots[queries.PLAN_KEYS].drop_duplicates() if choice else None
    yield PILOTS.sheet, pilots
    del pilots
    for sheet, read in ((MILESTONES.sheet, queries.milestones), (BUDGET.sheet, queries.budget_lines)):
        with reads() as con:
            rows = read(con, f)
        yield sheet, rows if kept is None else rows.merge(kept, on=queries.PLAN_KEYS, how="inner")
        del rows
    with reads() as con:
        rows = _submission_rows(con, f)
    yield SUBMISSIONS_SHEET, rows


def _table(rows: pd.DataFrame, columns: list[Column]) -> pd.DataFrame:
    """Source rows as a sheet: Norwegian headers, plain Python values (as the workbook converts them)."""
    data = {c.header: c.values(rows) for c in columns}
    return pd.DataFrame(data, columns=[c.header for c in columns], dtype=object)


def frames(store: duckdb.DuckDBPyConnection | Reads, f: PilotFilter,
           choice: PlanChoice = ALL_PLANS) -> dict[str, pd.DataFrame]:
    """The four data sheets as DataFrames with Norwegian headers (for CSV downloads too)."""
    rows = source_rows(store, f, choice)
    return {name: _table(rows[name], make()) for name, make in SHEETS.items()}


def pilot_sheet(store: duckdb.DuckDBPyConnection | Reads, f: PilotFilter,
                choice: PlanChoice = ALL_PLANS) -> pd.DataFrame:
    """frames(...)["Piloter"] without reading the other sheets."""
    name, rows = next(each_sheets_rows(store, f, choice))
    return _table(rows, SHEETS[name]())


def pilot_csv(store: duckdb.DuckDBPyConnection | Reads, f: PilotFilter, choice: PlanChoice = ALL_PLANS) -> bytes:
    """csv_bytes(pilot_sheet(...)), the rows converted a slice at a time: the whole sheet as Python values and as
    one text took the dashboard's server from 190 to 490 MB for the 20 000 plans at L (issue 5)."""
    name, rows = next(each_sheets_rows(store, f, choice))
    columns = SHEETS[name]()
    return _csv_encoded([c.header for c in columns], _sliced_values(rows, columns))


def _sliced_values(rows: pd.DataFrame, columns: list[Column]) -> Iterator[tuple]:
    """Each source row as the sheet's values, converted CHUNK_ROWS rows at a time."""
    for first in range(0, len(rows), CHUNK_ROWS):
        part = rows.iloc[first:first + CHUNK_ROWS]
        yield from zip(*(column.values(part) for column in columns), strict=True)


# ---------------------------------------------------------------------------------------
# Workbook

_FORMATS = {"amount": AMOUNT_FORMAT, "date": DATE_FORMAT, "datetime": DATETIME_FORMAT, "integer": INTEGER_FORMAT}
# Rows converted to the cells' values at a time, so the converted values of only one slice are held at once.
CHUNK_ROWS = 2_000


class _Formats:
    """The workbook's cell formats, made once: number formats by kind, text kept text, and the header."""

    def __init__(self, book: xlsxwriter.Workbook):
        self.kinds = {kind: book.add_format({"num_format": code}) for kind, code in _FORMATS.items()}
        # Excel's own quote prefix for text typed as '=…: shown as typed, and it stays text when edited.
        self.quoted = book.add_format({"quote_prefix": True})
        self.header = book.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": f"#{ACCENT}",
                                       "pattern": 1, "text_wrap": True, "valign": "top"})
        self.title = book.add_format({"bold": True, "font_size": 14, "font_color": f"#{ACCENT}"})
        self.label = book.add_format({"bold": True, "valign": "top"})  # beside a text of many lines, at its top
        self.wrapped = book.add_format({"text_wrap": True, "valign": "top", "align": "left"})
        self.wrapped_kinds = {kind: book.add_format({"num_format": code, "text_wrap": True, "valign": "top",
                                                     "align": "left"}) for kind, code in _FORMATS.items()}


def _write_cell(ws: Worksheet, row: int, col: int, value: object, kind: str, formats: _Formats,
                wrapped: bool = False) -> int:
    """Write a converted value: text always as text (never a formula or an error value), numbers and dates
    with their kind's format. Returns the length the column's width should allow for it."""
    if value is None:
        return 0
    if isinstance(value, str):
        text = _ILLEGAL.sub("", value)
        if looks_like_formula(text):
            ws.write_string(row, col, text, formats.quoted)
        else:
            ws.write_string(row, col, text, formats.wrapped if wrapped else None)
        return len(text)
    number_format = (formats.wrapped_kinds if wrapped else formats.kinds).get(kind)
    if isinstance(value, dt.date):  # a datetime is a date too
        ws.write_datetime(row, col, value, number_format)
    else:
        ws.write_number(row, col, value, number_format)
    return 0


_WIDTHS = {"amount": 14, "date": 12, "datetime": 17, "integer": 10, "yes_no": 8, "number": 10}


def _width(column: Column, lengths: list[int]) -> float:
    """A column width that shows the header's longest word and most values (their text lengths), within bounds."""
    longest_word = max((len(w) for w in column.header.split()), default=4)
    base = _WIDTHS.get(column.kind)
    if base is None:
        lengths = sorted(n for n in lengths if n)
        base = lengths[int(len(lengths) * 0.9)] if lengths else 8  # the 90th percentile, not one outlier
    return float(min(60, max(longest_word + 3, base + 2, 8)))


HEADER_LINE_POINTS = 15  # one line of the header's 11 pt text
PRINT_SCALE = 70  # per cent: the least a printed sheet is shrunk to, 11 pt text printed at about 8 pt
PRINT_FIT_CHARACTERS = 220  # column widths an A4 landscape page holds at PRINT_SCALE
PAGE_FOOTER = "&C&8Side &P av &N"


def _wrapped_lines(text: str, width: int) -> int:
    """The lines a text takes wrapped into a column of width characters (widths count the digit 0: most letters
    are narrower, so it is a little more than the text takes)."""
    return sum(len(textwrap.wrap(part, width, break_long_words=False)) or 1 for part in text.split("\n"))


def _header_height(columns: list[Column]) -> float:
    """The header row's height in points: every header wrapped whole into the narrowest width its column can get.

    The row is written before the values that size some columns are read (constant-memory mode), so a header is
    wrapped into the least width _width can give it. At a fixed 30 pt (two lines) «Element 5: Økonomi og
    administrative konsekvenser» and «Behov for unntak fra regelverk» were cut.
    """
    lines = 2
    for column in columns:
        width = int(_width(column, []))  # for a column sized by its values, the least it can get
        lines = max(lines, _wrapped_lines(column.header, max(1, width - 2)))
    return HEADER_LINE_POINTS * lines + 2


def _write_sheet(ws: Worksheet, rows: pd.DataFrame, columns: list[Column], formats: _Formats) -> None:
    """A data sheet: styled header, the rows, sized columns, frozen header and an autofilter.

    The rows are converted a slice at a time and written to the file as they come (xlsxwriter's
    constant-memory mode): building the whole sector at L as Python objects and writing it with
    openpyxl took 40 s and took the dashboard's server from 420 to 660 MB (issue 5).
    """
    ws.set_row(0, _header_height(columns))
    for c, column in enumerate(columns):
        ws.write_string(0, c, column.header, formats.header)
    lengths: list[list[int]] = [[] for _ in columns]  # text lengths, for the columns sized by their values
    measured = [column.kind not in _WIDTHS for column in columns]
    kinds = [column.kind for column in columns]
    for first in range(0, len(rows), CHUNK_ROWS):
        values = [column.values(rows.iloc[first:first + CHUNK_ROWS]) for column in columns]
        for offset, row in enumerate(zip(*values, strict=True)):
            r = first + offset + 1
            for c, (value, kind) in enumerate(zip(row, kinds, strict=True)):
                if value is not None:
                    length = _write_cell(ws, r, c, value, kind, formats)
                    if measured[c]:
                        lengths[c].append(length)
    widths = [_width(column, lengths[c]) for c, column in enumerate(columns)]
    for c, width in enumerate(widths):
        ws.set_column(c, c, width)
    naming = _naming_columns(columns)
    frozen = _frozen_columns(widths[:naming])
    ws.freeze_panes(1, frozen)
    ws.autofilter(0, 0, len(rows), len(columns) - 1)
    # printed: A4 landscape with the header row on every page, and as wide as the page where that leaves the text
    # readable (Piloter's forty columns would print at a tenth of their size: they run on over pages instead, each
    # with the columns kept in view on screen, so a page of «Problembeskrivelse» alone still says whose it is)
    ws.set_paper(9)
    ws.set_landscape()
    ws.repeat_rows(0)
    if sum(widths) <= PRINT_FIT_CHARACTERS:
        ws.fit_to_pages(1, 0)
    else:  # at the size fitting is allowed down to: at full size most pages held one text column and the names
        ws.set_print_scale(PRINT_SCALE)
        if frozen:
            ws.repeat_columns(0, frozen - 1)


FROZEN_CHARACTERS = 100  # frozen columns at most this wide: on a laptop's Excel about half the window


def _naming_columns(columns: list[Column]) -> int:
    """How many leading columns say whose row it is: the agency and the pilot's name, or on Innsendinger the agency."""
    sources = [column.source for column in columns]
    for name in ("pilot_name", "agency"):
        if name in sources:
            return sources.index(name) + 1
    return 0


def _frozen_columns(widths: list[float]) -> int:
    """How many of the naming columns to keep in view while scrolling right: as many from the left as fit in
    FROZEN_CHARACTERS. Scrolled past Piloter's fifth column of forty, nothing said whose plan a row was."""
    frozen, used = 0, 0.0
    for width in widths:
        used += width
        if used > FROZEN_CHARACTERS:
            break
        frozen += 1
    return frozen


def selection_text(f: PilotFilter, choice: PlanChoice = ALL_PLANS) -> str:
    """The filter in words, and Planer's choice after it: «Husbanken; bare uten evaluering»."""
    return filter_text(f) + (f"; {choice.describe()}" if choice else "")


BUDGET_GAPS_NAMED = 5  # up to this many pilots whose budget rows do not add up are named in «Om uttrekket»


def _budget_note(totals: pd.Series, row_sums: pd.Series, choice: PlanChoice = ALL_PLANS) -> str:
    """What «Om uttrekket» says when the sheet Budsjett does not sum to the pilots' «Budsjett totalt (kr)», as the
    Budsjett page does: a pivot of the budget rows gave another sum than the dashboard's, with no word of why.
    Beyond a few pilots it points to the Budsjett page, which lists them; not for Planer's choice of plans,
    which that page does not make."""
    gaps = budget_gaps(totals, row_sums)
    if gaps.empty:
        return ""
    which = "; ".join(
        f"{agency} (oppstart {year}): «{pilot}», "
        f"{'ingen budsjettrader' if pd.isna(rows) else f'budsjettrader {kr(rows)}'}, totalt {kr(total)}"
        for (agency, year, pilot), total, rows in zip(gaps.index, gaps["total"], gaps["rows"]))
    where = "" if choice else " (se siden Budsjett i Pilotoversikt)"
    return (f"{budget_gap_words(gaps)}"
            + (f" – {which}" if len(gaps) <= BUDGET_GAPS_NAMED else where)
            + f". Arket {BUDGET.sheet} summerer til {kr(row_sums.sum())}; «Budsjett totalt (kr)» på arket "
            f"{PILOTS.sheet} til {kr(totals.sum())}. Pilotoversikts nøkkeltall og tall per virksomhet bygger på "
            "«Budsjett totalt (kr)», tallene per år på budsjettradene.")


ABOUT_TEXT_CHARACTERS = 90  # the width of «Om uttrekket»'s second column, where its texts wrap


def _cancelled_note(pilots: pd.DataFrame) -> str:
    """«Budsjett totalt (kr)» counts a cancelled pilot's budget, as the dashboard's sums do: said where the selection
    has any, with the way to leave them out."""
    cancelled = pilots[pilots["status"] == CANCELLED]
    if cancelled.empty:
        return ""
    count = plural(len(cancelled), "avbrutt pilot", "avbrutte piloter")
    amount = kr(cancelled["budget_total_nok"].sum())
    them = "den" if len(cancelled) == 1 else "dem"
    return (f"«Budsjett totalt (kr)» og budsjettradene tar med {count} ({amount}), som Pilotoversikts budsjettall "
            f"gjør. Filtrer på kolonnen Status på arket {PILOTS.sheet} (eller «{PILOT_STATUS}» på arket "
            f"{BUDGET.sheet}) for å holde {them} utenfor.")


def _write_about(ws: Worksheet, f: PilotFilter, choice: PlanChoice, when: dt.datetime | None,
                 counts: dict[str, int], formats: _Formats, moves: str = "", budget_note: str = "",
                 cancelled_note: str = "") -> None:
    """The «Om uttrekket» sheet: what was exported, for which filter, and as of when."""
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, ABOUT_TEXT_CHARACTERS)
    # printed on one page wide, upright: its labels were on one page and their texts on the next
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.write_string(0, 0, "Pilotoversikt – uttrekk", formats.title)
    lines: list[tuple[str, object, str]] = [
        ("Utvalg", selection_text(f, choice), "text"),
        *([("Departement", moves, "text")] if moves else []),
        ("Data per", when, "datetime"),
        ("Laget", norwegian_now(), "datetime"),
        ("Kilde", source_line(when).removeprefix("Kilde: "), "text"),
    ]
    notes = {
        PILOTS.sheet: "én rad per pilot i gjeldende versjon av hver innsending",
        MILESTONES.sheet: "milepæler og faser for pilotene i utvalget",
        BUDGET.sheet: "årlige budsjettrader (kr) for pilotene i utvalget",
        SUBMISSIONS_SHEET: "én rad per runde og virksomhet: bedt om å rapportere (og om brevet er registrert), "
                        "levert i tide, for sent eller ikke levert, frist ikke ute ennå, eller levert uten forespørsel",
    }
    for name, note in notes.items():
        lines.append((f"Arket {name}", f"{plural(counts[name], 'rad', 'rader')} – {note}", "text"))
    narrowed = " og valgene på siden Planer" if choice else ""
    lines.append(("Merk", f"Filter på status og forsøk{narrowed} gjelder pilotene og deres milepæler og budsjett; "
                          "Innsendinger følger utvalget av virksomheter, departement og runde. Et forsøk er en pilot "
                          f"med «{PILOTS.field('needs_exemption').label}» Ja (den krever unntak fra lov eller "
                          "forskrift).", "text"))
    if budget_note or cancelled_note:
        lines.append(("Merk om budsjett", " ".join(filter(None, (budget_note, cancelled_note))), "text"))
    for r, (label, value, kind) in enumerate(lines, 2):
        ws.write_string(r, 0, label, formats.label)
        shown, shown_kind = ("ingen data importert ennå", "text") if value is None else (value, kind)
        cell = convert(shown, shown_kind)
        _write_cell(ws, r, 1, cell, shown_kind, formats, wrapped=True)
        if isinstance(cell, str) and (lines_taken := _wrapped_lines(cell, ABOUT_TEXT_CHARACTERS)) > 1:
            # a wrapped text's row made as tall as its lines: LibreOffice drew it one line high, over the next
            ws.set_row(r, HEADER_LINE_POINTS * lines_taken)


def excel_bytes(store: duckdb.DuckDBPyConnection | Reads, f: PilotFilter, choice: PlanChoice = ALL_PLANS) -> bytes:
    """The filtered data as an .xlsx workbook; with a choice (Planer's), only its plans and their rows."""
    with reads_of(store)() as con:
        when = data_date(con)
        moves = queries.ministry_moves_note(f, queries.agencies(con), whole_sector=True, advice=False)
    out = io.BytesIO()
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="pilotoversikt-xlsx-") as scratch:  # each sheet's rows, until closed
        book = xlsxwriter.Workbook(out, {"constant_memory": True, "tmpdir": scratch, "strings_to_formulas": False,
                                         "strings_to_numbers": False, "strings_to_urls": False})
        formats = _Formats(book)
        # printed, every page says what it shows: the selection was named on the last sheet only
        shown = f"Pilotoversikt – {selection_text(f, choice)}".replace("&", "&&")[:180]  # a lone & starts a code
        shown = shown[:-1] if (len(shown) - len(shown.rstrip("&"))) % 2 else shown  # no && cut in two
        header = f"&L&8{shown}&R&8{source_line(when).removeprefix('Kilde: ')}"
        sums: dict[str, pd.Series] = {}  # «Budsjett totalt (kr)» per plan, and its budget rows' sum
        # «Om uttrekket» is the first tab, so what it says of the sums is not found last; the workbook opens on
        # Piloter. Its rows are written once the sheets they count are (each sheet's rows go out in order).
        about = book.add_worksheet(ABOUT_SHEET)
        cancelled = ""
        for name, rows in each_sheets_rows(store, f, choice):  # in SHEETS' order
            sheet = book.add_worksheet(name)
            sheet.set_header(header)
            sheet.set_footer(PAGE_FOOTER)  # a printout of many pages: whether the stack is whole, and in order
            _write_sheet(sheet, rows, SHEETS[name](), formats)
            counts[name] = len(rows)
            if name == PILOTS.sheet:
                sheet.activate()
                sums[name] = rows.set_index(queries.PLAN_KEYS)["budget_total_nok"]
                cancelled = _cancelled_note(rows)
            elif name == BUDGET.sheet:
                sums[name] = rows.groupby(queries.PLAN_KEYS)["amount_nok"].sum()
            del rows  # written: let it go before the next sheet is read
        _write_about(about, f, choice, when, counts, formats, moves,
                     _budget_note(sums[PILOTS.sheet], sums[BUDGET.sheet], choice), cancelled)
        book.set_properties({"title": f"Pilotoversikt – {selection_text(f, choice)}", "author": "Pilotoversikt"})
        book.close()
    return out.getvalue()


# ---------------------------------------------------------------------------------------
# CSV


def _number_text(value: float) -> str:
    """1500000 or 2,5: no thousands separator (Excel reads it as a number), decimal comma."""
    if float(value).is_integer():
        return str(int(value))
    return np.format_float_positional(float(value), trim="-").replace(".", ",")


def csv_cell(value: object) -> str:
    """One value as CSV text for Norwegian Excel."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return defuse("; ".join(csv_cell(v) for v in value if not missing(v)))
    if missing(value):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "Ja" if value else "Nei"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return _number_text(float(value))
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        moment = as_datetime(value)
        assert moment is not None
        return moment.strftime("%d.%m.%Y" if moment.time() == dt.time() else "%d.%m.%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return defuse(str(value))


def csv_bytes(df: pd.DataFrame) -> bytes:
    """A table as CSV that opens correctly in Norwegian Excel: UTF-8 with BOM, «;», decimal comma."""
    return _csv_encoded([str(c) for c in df.columns], df.itertuples(index=False, name=None))


def _csv_encoded(header: list[str], rows: Iterable[Iterable[object]]) -> bytes:
    """A header and rows as csv_bytes gives them, encoded CHUNK_ROWS rows at a time (the text of every row at once
    is up to four bytes a character in Python: 170 MB for a CSV of 42 MB)."""
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    parts = ["\ufeff".encode()]

    def take_text() -> None:
        parts.append(text.getvalue().encode("utf-8"))
        text.seek(0)
        text.truncate()

    writer.writerow([csv_cell(c) for c in header])
    for count, row in enumerate(rows, 1):
        writer.writerow([csv_cell(v) for v in row])
        if count % CHUNK_ROWS == 0:
            take_text()
    take_text()
    return b"".join(parts)
