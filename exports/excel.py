"""The data behind the dashboard as a workbook and as CSV, for Norwegian Excel.

    excel_bytes(con, f)  ->  .xlsx with the sheets Piloter, Milepæler, Budsjett, Innsendinger
                             and «Om uttrekket» (filter, data date, what each sheet holds)
    csv_bytes(df)        ->  UTF-8 with BOM, «;», decimal comma, dates 31.10.2023
    frames(con, f)       ->  the same four tables as DataFrames with Norwegian headers

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
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from exports.common import (
    as_date,
    as_datetime,
    as_float,
    as_list,
    data_date,
    defuse,
    filter_text,
    looks_like_formula,
    missing,
    source_line,
)
from loaders.contract import BUDGET, ELEMENTS, MILESTONES, PILOTS, SUBMISSION
from loaders.values import format_number, norwegian_now
from store import queries
from store.queries import ALL_PLANS, PilotFilter, PlanChoice

# Format codes are stored locale-neutral in the file: Norwegian Excel shows «#,##0» as
# 1 500 000 (its own dialog calls it «# ##0»). A literal «# ##0» would show 1500 000.
AMOUNT_FORMAT = "#,##0"
DATE_FORMAT = "DD.MM.YYYY"
DATETIME_FORMAT = "DD.MM.YYYY HH:MM"
INTEGER_FORMAT = "0"
ACCENT = "1F4E79"
ABOUT_SHEET = "Om uttrekket"
# Characters an .xlsx cannot hold (openpyxl refuses them); tab, LF and CR are allowed.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class Column:
    """One column of an exported sheet: its header, where the value comes from, and its kind.

    kind: text, amount, number, integer, date, datetime, yes_no or list.
    """

    header: str
    source: str | Callable[[Mapping], object]
    kind: str = "text"

    def value(self, row: Mapping) -> object:
        """The cell's value for a source row, converted to a plain Python value."""
        raw = self.source(row) if callable(self.source) else row.get(self.source)
        return convert(raw, self.kind)


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
    """Piloter: agency and round, every field of the form's Piloter sheet, the six elements, evaluation or not."""
    columns = [Column(AGENCY, "agency"), Column("Departement", "ministry"),
               Column(START_YEAR, "start_year", "integer")]
    columns += [Column(f.label, f.key, _FIELD_KINDS.get(f.kind, "text")) for f in PILOTS.fields]
    columns += [Column(f"Element {e.number}: {e.name}", f"covers_e{e.number}", "yes_no") for e in ELEMENTS]
    columns.append(Column("Elementer dekket (av 6)", "elements_covered", "integer"))
    columns.append(Column("Evaluering beskrevet", "describes_evaluation", "yes_no"))
    return columns


def milestone_columns() -> list[Column]:
    """Milepæler, with the form's labels."""
    label = {f.key: f.label for f in MILESTONES.fields}
    return [Column(AGENCY, "agency"), Column(START_YEAR, "start_year", "integer"),
            Column(label["pilot"], "pilot_name"), Column(label["name"], "name"), Column(label["kind"], "kind"),
            Column(label["from_date"], "from_date", "date"), Column(label["to_date"], "to_date", "date"),
            Column(label["status"], "status")]


def budget_columns() -> list[Column]:
    """Budsjett, with the form's labels."""
    label = {f.key: f.label for f in BUDGET.fields}
    return [Column(AGENCY, "agency"), Column(START_YEAR, "start_year", "integer"),
            Column(label["pilot"], "pilot_name"), Column(label["year"], "year", "integer"),
            Column(label["amount_nok"], "amount_nok", "amount"), Column(label["category"], "category"),
            Column(label["financing"], "financing")]


def submission_columns() -> list[Column]:
    """Innsendinger: one row per round and agency, asked or not, delivered or not."""
    label = {f.key: f.label for f in SUBMISSION.fields}
    return [Column(AGENCY, "agency"), Column("Departement", "ministry"),
            Column(START_YEAR, "start_year", "integer"), Column("Frist", "deadline", "date"),
            Column("Bedt om å rapportere", "was_asked", "yes_no"),
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
    "Innsendinger": submission_columns,
}


def _submission_rows(con: duckdb.DuckDBPyConnection, f: PilotFilter) -> pd.DataFrame:
    """Reporting status per round and agency, with the current submission's details."""
    status = queries.reporting_status(con, f)
    details = queries.submissions(con, f)[["agency", "start_year", "contact_person", "email", "assessment",
                                           "union_involvement", "file_name", "imported_at"]]
    return status.merge(details, on=["agency", "start_year"], how="left")


def source_rows(con: duckdb.DuckDBPyConnection, f: PilotFilter,
                choice: PlanChoice = ALL_PLANS) -> dict[str, pd.DataFrame]:
    """The store's rows behind each sheet, filtered; with a choice, only its plans and their rows."""
    rows = {
        PILOTS.sheet: queries.chosen_pilots(con, f, choice) if choice else queries.pilots(con, f),
        MILESTONES.sheet: queries.milestones(con, f),
        BUDGET.sheet: queries.budget_lines(con, f),
        "Innsendinger": _submission_rows(con, f),
    }
    if choice:
        kept = rows[PILOTS.sheet][queries.PLAN_KEYS].drop_duplicates()
        for sheet in (MILESTONES.sheet, BUDGET.sheet):
            rows[sheet] = rows[sheet].merge(kept, on=queries.PLAN_KEYS, how="inner")
    return rows


def _table(rows: pd.DataFrame, columns: list[Column]) -> pd.DataFrame:
    """Source rows as a sheet: Norwegian headers, plain Python values."""
    records = rows.to_dict("records")
    data = {c.header: [c.value(r) for r in records] for c in columns}
    return pd.DataFrame(data, columns=[c.header for c in columns], dtype=object)


def frames(con: duckdb.DuckDBPyConnection, f: PilotFilter,
           choice: PlanChoice = ALL_PLANS) -> dict[str, pd.DataFrame]:
    """The four data sheets as DataFrames with Norwegian headers (for CSV downloads too)."""
    rows = source_rows(con, f, choice)
    return {name: _table(rows[name], make()) for name, make in SHEETS.items()}


# ---------------------------------------------------------------------------------------
# Workbook


_FORMATS = {"amount": AMOUNT_FORMAT, "date": DATE_FORMAT, "datetime": DATETIME_FORMAT, "integer": INTEGER_FORMAT}


def _text_cell(cell: Cell, text: str) -> None:
    """Write text as a string cell, never a formula (openpyxl would make «=…» a formula)."""
    cell.value = _ILLEGAL.sub("", text)
    cell.data_type = "s"
    if looks_like_formula(text):
        cell.quotePrefix = True  # what Excel itself does for text typed as '=…: stays text on edit


def _write_value(cell: Cell, value: object, kind: str) -> None:
    """Write a converted value with the number format of its kind (text always as text)."""
    if value is None:
        return
    if isinstance(value, str):
        _text_cell(cell, value)
        return
    cell.value = value
    if kind in _FORMATS:
        cell.number_format = _FORMATS[kind]


def _cell_value(ws: WriteOnlyWorksheet, value: object, kind: str) -> object:
    """What to append for a value: plain text and numbers as they are (the sheet writes them through one
    shared cell), a cell of its own where it needs a number format, or is text openpyxl would take for a
    formula or an error value («=SUM(A1)», «#N/A»)."""
    if value is None:
        return None
    if isinstance(value, str):
        text = _ILLEGAL.sub("", value)
        if not looks_like_formula(text) and text not in ERROR_CODES:
            return text
    elif kind not in _FORMATS:
        return value
    return _styled(ws, value, kind)


def _styled(ws: WriteOnlyWorksheet, value: object, kind: str = "text", **style) -> Cell:
    """A cell of its own: the value with its kind's number format, and any font, fill or alignment given."""
    cell = WriteOnlyCell(ws)
    _write_value(cell, value, kind)
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


_WIDTHS = {"amount": 14, "date": 12, "datetime": 17, "integer": 10, "yes_no": 8, "number": 10}


def _width(column: Column, values: list[object]) -> float:
    """A column width that shows the header's longest word and most values, within bounds."""
    longest_word = max((len(w) for w in column.header.split()), default=4)
    base = _WIDTHS.get(column.kind)
    if base is None:
        lengths = sorted(len(str(v)) for v in values if v is not None)
        base = lengths[int(len(lengths) * 0.9)] if lengths else 8  # the 90th percentile, not one outlier
    return float(min(60, max(longest_word + 3, base + 2, 8)))


def _write_sheet(ws: WriteOnlyWorksheet, table: pd.DataFrame, columns: list[Column]) -> None:
    """A data sheet: styled header, the rows, sized columns, frozen header and an autofilter.

    Written row by row to the file (openpyxl's write-only mode): holding every cell of 20 000 pilots
    and 60 000 milestones took 735 MB and 40 s at L, on the dashboard's server (issue 5).
    """
    for c, column in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(c)].width = _width(column, table[column.header].tolist())
    ws.row_dimensions[1].height = 30
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(table) + 1}"
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor=ACCENT)
    header_alignment = Alignment(wrap_text=True, vertical="top")
    ws.append([_styled(ws, column.header, font=header_font, fill=header_fill, alignment=header_alignment)
               for column in columns])
    kinds = [column.kind for column in columns]
    for row in table.itertuples(index=False, name=None):
        ws.append([_cell_value(ws, value, kind) for value, kind in zip(row, kinds)])


def selection_text(f: PilotFilter, choice: PlanChoice = ALL_PLANS) -> str:
    """The filter in words, and Planer's choice after it: «Husbanken; bare uten evaluering»."""
    return filter_text(f) + (f"; {choice.describe()}" if choice else "")


def _write_about(ws: WriteOnlyWorksheet, f: PilotFilter, choice: PlanChoice, when: dt.datetime | None,
                 counts: dict[str, int]) -> None:
    """The «Om uttrekket» sheet: what was exported, for which filter, and as of when."""
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 90
    ws.append([_styled(ws, "Pilotoversikt – uttrekk", font=Font(bold=True, size=14, color=ACCENT))])
    ws.append([])
    lines: list[tuple[str, object, str]] = [
        ("Utvalg", selection_text(f, choice), "text"),
        ("Data per", when, "datetime"),
        ("Laget", norwegian_now(), "datetime"),
        ("Kilde", source_line(when), "text"),
    ]
    notes = {
        PILOTS.sheet: "én rad per pilot i gjeldende versjon av hver innsending",
        MILESTONES.sheet: "milepæler og faser for pilotene i utvalget",
        BUDGET.sheet: "årlige budsjettrader (kr) for pilotene i utvalget",
        "Innsendinger": "én rad per runde og virksomhet: bedt om å rapportere, levert i tide, for sent "
                        "eller ikke levert",
    }
    for name, note in notes.items():
        lines.append((f"Arket {name}", f"{format_number(counts[name])} rader – {note}", "text"))
    narrowed = " og valgene på siden Planer" if choice else ""
    lines.append(("Merk", f"Filter på status og forsøk{narrowed} gjelder pilotene og deres milepæler og budsjett; "
                          "Innsendinger følger utvalget av virksomheter, departement og runde.", "text"))
    wrapped = Alignment(wrap_text=True, vertical="top", horizontal="left")
    for label, value, kind in lines:
        shown = ("ingen data importert ennå", "text") if value is None else (value, kind)
        ws.append([_styled(ws, label, font=Font(bold=True)), _styled(ws, *shown, alignment=wrapped)])


def excel_bytes(con: duckdb.DuckDBPyConnection, f: PilotFilter, choice: PlanChoice = ALL_PLANS) -> bytes:
    """The filtered data as an .xlsx workbook; with a choice (Planer's), only its plans and their rows."""
    tables = frames(con, f, choice)
    book = Workbook(write_only=True)
    for name, make in SHEETS.items():
        _write_sheet(book.create_sheet(name), tables[name], make())
    when = data_date(con)
    _write_about(book.create_sheet(ABOUT_SHEET), f, choice, when, {n: len(t) for n, t in tables.items()})
    book.active = 0
    book.properties.creator = "Pilotoversikt"
    book.properties.title = f"Pilotoversikt – {selection_text(f, choice)}"
    out = io.BytesIO()
    book.save(out)
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
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([csv_cell(str(c)) for c in df.columns])
    for row in df.itertuples(index=False, name=None):
        writer.writerow([csv_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
