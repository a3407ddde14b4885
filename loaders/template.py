"""The blank reporting form (rapporteringsskjema) that agencies fill in, built from the contract.

Every sheet name, label, closed list and element question comes from loaders.contract; the
agency names and the rounds with their deadlines come from the reference data. The layout is
fixed so code can fill the form in too: on Innsending, SUBMISSION.fields[i] is on row
SUBMISSION_FIRST_ROW + i with its label in column A and its value in column B; on a data sheet
the header is row DATA_HEADER_ROW, data start on DATA_FIRST_ROW, and the columns are in the
order of table.fields (see submission_row and data_column).
"""

from __future__ import annotations

import io
import math
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.protection import WorkbookProtection
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
    TRUST_RELATIONS,
    Field,
    Table,
    element_fields,
)
from loaders.register import Reference
from loaders.values import FIRST_DATE, LAST_DATE

# Layout: row and column numbers are 1-based, as in Excel and openpyxl.
SUBMISSION_HEADER_ROW = 1
SUBMISSION_FIRST_ROW = 2
SUBMISSION_LABEL_COLUMN = 1
SUBMISSION_VALUE_COLUMN = 2
SUBMISSION_HELP_COLUMN = 3
SUBMISSION_HELP_HEADER = "Forklaring"
DATA_HEADER_ROW = 1
DATA_FIRST_ROW = 2
DATA_LAST_ROW = 1000  # drop-down lists cover DATA_FIRST_ROW..DATA_LAST_ROW of each data sheet
LISTS_FIRST_ROW = 2  # the hidden Lister sheet: a title in row 1, the values below
FORM_SHEETS = (GUIDE_SHEET, SUBMISSION.sheet, *(t.sheet for t in DATA_TABLES))
FROZEN_COLUMNS = {"pilots": 2}  # Pilot-ID and Pilotnavn stay visible while scrolling right

TITLE = "Rapporteringsskjema for piloter i tillitsreformen"
DATE_FORMAT = "DD.MM.YYYY"
AMOUNT_FORMAT = "#,##0"
NUMBER_FORMAT = "0.0#"  # 0,25 årsverk showed as «0,3»
YEAR_FORMAT = "0"
NUMBER_FORMATS = {"date": DATE_FORMAT, "amount": AMOUNT_FORMAT, "number": NUMBER_FORMAT, "year": YEAR_FORMAT}
COLUMN_WIDTHS = {"text": 45, "list": 35, "agency": 30}
FIELD_WIDTHS = {"pilot_ref": 12}  # a short reference («P1»): frozen beside Pilotnavn, it took a laptop's width
SHORT_COLUMN_WIDTH = 16
WRAPPED_KINDS = ("text", "list")

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")
TITLE_FONT = Font(bold=True, size=14)
HEADING_FONT = Font(bold=True, size=12)
QUESTION_FONT = Font(italic=True)
HELP_FONT = Font(color="595959")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="center")
INPUT_BORDER = Border(*(Side(style="thin", color="BFBFBF"),) * 4)

KIND_HINTS = {
    "text": "Fritekst",
    "list": "Liste; skill flere med semikolon (;)",
    "yes_no": "Ja eller Nei (nedtrekksliste)",
    "date": "Dato, f.eks. 31.10.2023",
    "amount": "Hele kroner, f.eks. 1 500 000",
    "number": "Tall, f.eks. 1,5",
    "year": "Årstall, f.eks. 2024",
    "agency": "Virksomhetens navn (nedtrekksliste) eller forkortelse",
}
FIELD_HINTS = {"pilot": "Pilot-ID eller Pilotnavn fra arket Piloter", "email": "E-postadresse"}
TRUST_RELATION_NOTES = {
    "Departement og virksomhet": "i staten, mellom departementer og underliggende virksomheter",
    "Stat og kommunesektor": "mellom staten og kommunesektoren",
    "Ledere og ansatte": "mellom ledere og ansatte i virksomheten",
    "Arbeidsgiver og tillitsvalgte": "mellom arbeidsgiver og de tillitsvalgte",
    "Innbyggere og brukere": "reformens effektmål: tillit hos innbyggere og brukere av tjenestene",
}

# ---------------------------------------------------------------------------------------
# Public API


def build_template(reference: Reference) -> Workbook:
    """The blank form: Veiledning, Innsending, Piloter, Milepæler, Budsjett and a hidden Lister."""
    book = Workbook()
    guide = book.active
    guide.title = GUIDE_SHEET
    lists = _lists_sheet(book, reference)
    _write_submission_sheet(book.create_sheet(SUBMISSION.sheet), lists, reference)
    for table in DATA_TABLES:
        _write_data_sheet(book.create_sheet(table.sheet), table, lists)
    book.move_sheet(lists, offset=len(book.sheetnames) - 1 - book.index(lists))
    _write_guide(guide, reference)
    for sheet in (guide, book[SUBMISSION.sheet]):
        _print_setup(sheet)
    # Sheets cannot be deleted, renamed or added (no password: Se gjennom › Beskytt arbeidsbok lifts it): a deleted
    # Milepæler sheet was read as a plan without milestones
    book.security = WorkbookProtection(lockStructure=True)
    _set_properties(book)
    return book


def template_bytes(reference: Reference) -> bytes:
    """The blank form as .xlsx bytes, for a download button."""
    buffer = io.BytesIO()
    build_template(reference).save(buffer)
    return buffer.getvalue()


def write_template(path: Path, reference: Reference) -> None:
    """Write the blank form to an .xlsx file."""
    Path(path).write_bytes(template_bytes(reference))


def submission_row(key: str) -> int:
    """The Innsending row of a field: its label in column A, its value in column B."""
    return SUBMISSION_FIRST_ROW + [f.key for f in SUBMISSION.fields].index(key)


def data_column(table: Table, key: str) -> int:
    """The 1-based column of a field on a data sheet: the order of table.fields."""
    return 1 + [f.key for f in table.fields].index(key)


# ---------------------------------------------------------------------------------------
# Closed lists


def _lists_sheet(book: Workbook, reference: Reference) -> Worksheet:
    """The hidden sheet holding the agency names for the Virksomhet drop-down."""
    sheet = book.create_sheet(LISTS_SHEET)
    sheet.sheet_state = "hidden"
    sheet.cell(1, 1, SUBMISSION.field("agency").label).font = HEADER_FONT
    for row, name in enumerate(_agency_names(reference), start=LISTS_FIRST_ROW):
        sheet.cell(row, 1, name)
    sheet.column_dimensions["A"].width = 45
    return sheet


def _agency_names(reference: Reference) -> list[str]:
    """The register's agency names in Norwegian alphabetical order (æ, ø, å last)."""
    order = str.maketrans({"æ": "{", "ø": "|", "å": "}"})
    return sorted({a.name for a in reference.agencies}, key=lambda name: name.casefold().translate(order))


def _list_source(lists: Worksheet, values: tuple[str, ...]) -> str:
    """A list validation's formula: the values inline when they fit, else a new column on Lister."""
    inline = '"' + ",".join(values) + '"'
    if len(inline) <= 255 and not any("," in v or '"' in v for v in values):
        return inline
    column = lists.max_column + 1
    for row, value in enumerate(values, start=LISTS_FIRST_ROW):
        lists.cell(row, column, value)
    return _lists_range(lists, column, len(values))


def _lists_range(lists: Worksheet, column: int, count: int) -> str:
    """An absolute reference to count values of a Lister column, e.g. 'Lister'!$A$2:$A$13."""
    letter = get_column_letter(column)
    last = LISTS_FIRST_ROW + max(count, 1) - 1
    return f"{quote_sheetname(lists.title)}!${letter}${LISTS_FIRST_ROW}:${letter}${last}"


def _validation(f: Field, lists: Worksheet) -> DataValidation | None:
    """The drop-down list for a field's cells, or None when the field has no closed list."""
    if f.kind == "agency":
        source = _lists_range(lists, 1, lists.max_row - LISTS_FIRST_ROW + 1)
        return _drop_down(source, f, "velg virksomheten fra listen, eller skriv navnet eller forkortelsen "
                          "slik den står i registeret", strict=False)
    if f.kind in ("yes_no", "choice") and f.choices:
        return _drop_down(_list_source(lists, f.choices), f, "velg en av: " + ", ".join(f.choices), strict=True)
    return None


def _rounds_drop_down(f: Field, lists: Worksheet, reference: Reference) -> DataValidation | None:
    """The known rounds' start years as a drop-down that warns about, but allows, other years."""
    years = tuple(str(y) for y in sorted({r.start_year for r in reference.rounds}))
    if not years:
        return None
    return _drop_down(_list_source(lists, years), f, "et oppstartsår som ikke er en kjent rapporteringsrunde; "
                      "sjekk året", strict=False)


def _drop_down(formula: str, f: Field, message: str, strict: bool) -> DataValidation:
    """A list validation with a Norwegian message; strict refuses other values, else warns."""
    return DataValidation(
        type="list", formula1=formula, allow_blank=True, showErrorMessage=True,
        errorStyle="stop" if strict else "warning", errorTitle=f.label[:32],
        error=f"Ugyldig verdi: {message}."[:255],
    )


# ---------------------------------------------------------------------------------------
# Innsending and the data sheets


def _write_submission_sheet(sheet: Worksheet, lists: Worksheet, reference: Reference) -> None:
    """Felt | Verdi | Forklaring, then one row per Innsending field with an empty value."""
    headers = (*SUBMISSION_HEADERS, SUBMISSION_HELP_HEADER)
    for column, text in enumerate(headers, start=1):
        _style_header(sheet.cell(SUBMISSION_HEADER_ROW, column, text), required=False)
    for f in SUBMISSION.fields:
        _write_submission_row(sheet, f, lists, reference)
    for letter, width in zip("ABC", (40, 50, 80), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = sheet.cell(SUBMISSION_FIRST_ROW, 1)


def _write_submission_row(sheet: Worksheet, f: Field, lists: Worksheet, reference: Reference) -> None:
    """One Innsending field: its label, an empty framed value cell, its help text."""
    row = submission_row(f.key)
    _style_header(sheet.cell(row, SUBMISSION_LABEL_COLUMN, f.label), f.required)
    value = sheet.cell(row, SUBMISSION_VALUE_COLUMN)
    value.border = INPUT_BORDER
    value.alignment = WRAP if f.kind in WRAPPED_KINDS else TOP
    value.number_format = NUMBER_FORMATS.get(f.kind, "General")
    help_cell = sheet.cell(row, SUBMISSION_HELP_COLUMN, _help_text(f))
    help_cell.font, help_cell.alignment = HELP_FONT, WRAP
    sheet.row_dimensions[row].height = 15 * max(2, math.ceil(len(_help_text(f)) / 75))
    rounds = f.key == "start_year"
    validation = _rounds_drop_down(f, lists, reference) if rounds else _validation(f, lists)
    if validation is not None:
        sheet.add_data_validation(validation)
        validation.add(value.coordinate)


def _write_data_sheet(sheet: Worksheet, table: Table, lists: Worksheet) -> None:
    """A header row of the table's labels in contract order, formatted columns and drop-downs."""
    for column, f in enumerate(table.fields, start=1):
        cell = sheet.cell(DATA_HEADER_ROW, column, f.label)
        _style_header(cell, f.required)
        cell.comment = _comment(f)
        _format_column(sheet, column, f)
        validation = _validation(f, lists) or _pilot_drop_down(f) or _amount_prompt(f)
        if validation is not None:
            sheet.add_data_validation(validation)
            letter = get_column_letter(column)
            validation.add(f"{letter}{DATA_FIRST_ROW}:{letter}{DATA_LAST_ROW}")
    sheet.row_dimensions[DATA_HEADER_ROW].height = 48
    sheet.freeze_panes = sheet.cell(DATA_FIRST_ROW, FROZEN_COLUMNS.get(table.key, 0) + 1)
    _print_setup(sheet)
    sheet.print_title_rows = f"{DATA_HEADER_ROW}:{DATA_HEADER_ROW}"


def _pilot_drop_down(f: Field) -> DataValidation | None:
    """Milepæler's and Budsjett's Pilot: the names on Piloter as a list that warns about, but allows, others (a
    Pilot-ID, or a pilot typed before it is on Piloter): a name spelt otherwise was found only at the import."""
    if f.key != "pilot":
        return None
    letter = get_column_letter(data_column(PILOTS, "pilot_name"))
    source = f"{quote_sheetname(PILOTS.sheet)}!${letter}${DATA_FIRST_ROW}:${letter}${DATA_LAST_ROW}"
    return _drop_down(source, f, f"velg pilotens navn slik det står på arket {PILOTS.sheet}, eller skriv Pilot-ID",
                      strict=False)


def _amount_prompt(f: Field) -> DataValidation | None:
    """An amount column's reminder, shown on the cell chosen: whole kroner, not thousands (1 500 written for
    1,5 million went into every figure as 1 500 kr). It warns about a negative number or text, and allows it."""
    if f.kind != "amount":
        return None
    return DataValidation(
        type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
        showInputMessage=True, promptTitle="Hele kroner"[:32],
        prompt="Skriv beløpet i hele kroner, ikke i tusen: 1 500 000, ikke 1 500.",
        showErrorMessage=True, errorStyle="warning", errorTitle=f.label[:32],
        error="Skriv helst bare tallet i hele kroner, ikke negativt (f.eks. 1 500 000). Tekst som «2,5 mill.» "
              "godtas også: velg Ja for å beholde den.")


def _print_setup(sheet: Worksheet) -> None:
    """Landscape, as wide as one page: the blank form printed on 40 pages, a column of Piloter on each."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _format_column(sheet: Worksheet, column: int, f: Field) -> None:
    """Width, wrapping and number format of a data column, for the cells typed into it."""
    dimension = sheet.column_dimensions[get_column_letter(column)]
    # a choice column as wide as its longest choice: Excel's list is as wide as the cell («Stat og kommunesektor»
    # was cut in a column of 18)
    choices = max((len(c) + 3 for c in f.choices or ()), default=0)
    dimension.width = FIELD_WIDTHS.get(f.key) or max(COLUMN_WIDTHS.get(f.kind, SHORT_COLUMN_WIDTH),
                                                      min(len(f.label) + 3, 24), choices)
    dimension.alignment = WRAP if f.kind in WRAPPED_KINDS else TOP
    if f.kind in NUMBER_FORMATS:
        dimension.number_format = NUMBER_FORMATS[f.kind]


def _style_header(cell: Cell, required: bool) -> None:
    """Bold on a light fill: yellow for a required field, blue for the others."""
    cell.font = HEADER_FONT
    cell.fill = REQUIRED_FILL if required else HEADER_FILL
    cell.alignment = HEADER_ALIGNMENT


def _comment(f: Field) -> Comment:
    """The field's help as a note on its header cell."""
    comment = Comment(_help_text(f), "Pilotoversikt")
    comment.width, comment.height = 300, 110
    return comment


def _help_text(f: Field) -> str:
    """The field's help, starting with «Påkrevd.» when the field is always required."""
    return f"Påkrevd. {f.help}" if f.required else f.help


# ---------------------------------------------------------------------------------------
# Veiledning


class _Guide:
    """Writes the Veiledning sheet row by row: headings, paragraphs and field tables."""

    WIDTHS = (38, 11, 80, 45)

    def __init__(self, sheet: Worksheet):
        self.sheet = sheet
        self.row = 1
        for letter, width in zip("ABCD", self.WIDTHS, strict=True):
            sheet.column_dimensions[letter].width = width
        sheet.sheet_view.showGridLines = False

    def heading(self, text: str, font: Font = HEADING_FONT) -> None:
        """A heading, with a blank row above it unless it is the first row."""
        if self.row > 1:
            self.row += 1
        self.sheet.cell(self.row, 1, text).font = font
        self.row += 1

    def paragraph(self, text: str, font: Font | None = None) -> None:
        """A paragraph across the four columns, wrapped."""
        self.sheet.merge_cells(start_row=self.row, start_column=1, end_row=self.row, end_column=4)
        cell = self.sheet.cell(self.row, 1, text)
        cell.alignment = WRAP
        if font is not None:
            cell.font = font
        self.sheet.row_dimensions[self.row].height = 15 * max(1, math.ceil(len(text) / 160))
        self.row += 1

    def table_header(self, *labels: str) -> None:
        """The header row of a table of fields."""
        for column, text in enumerate(labels, start=1):
            _style_header(self.sheet.cell(self.row, column, text), required=False)
        self.row += 1

    def table_row(self, *texts: str, required: bool = False) -> None:
        """A row of a table, wrapped; the first cell marked like the form's header."""
        for column, text in enumerate(texts, start=1):
            self.sheet.cell(self.row, column, text).alignment = WRAP
        first = self.sheet.cell(self.row, 1)
        first.font, first.fill = HEADER_FONT, REQUIRED_FILL if required else HEADER_FILL
        widths = [w - 4 for w in self.WIDTHS]
        lines = max(math.ceil(len(t) / w) for t, w in zip(texts, widths, strict=False))
        self.sheet.row_dimensions[self.row].height = 15 * max(1, lines)
        self.row += 1

    def fields(self, fields: tuple[Field, ...]) -> None:
        """One row per field: label, whether required, what to write, accepted values."""
        for f in fields:
            self.table_row(f.label, _required_text(f), f.help, _accepted_values(f), required=f.required)


def _required_text(f: Field) -> str:
    """Ja when always required, Betinget when required in some cases, else blank."""
    if f.required:
        return "Ja"
    return "Betinget" if f.help.startswith("Påkrevd") else ""


def _accepted_values(f: Field) -> str:
    """How a field's value is written, with a closed list's values."""
    if f.kind == "choice":
        text = "En av (nedtrekksliste): " + ", ".join(f.choices)
        return f"{text}. Tom betyr {f.default}." if f.default else text + "."
    return FIELD_HINTS.get(f.key, KIND_HINTS[f.kind])


def _write_guide(sheet: Worksheet, reference: Reference) -> None:
    """The guidance: how to fill in the form, how to write values, then every sheet and field."""
    guide = _Guide(sheet)
    guide.heading(TITLE, TITLE_FONT)
    _guide_introduction(guide)
    _guide_values(guide)
    _guide_rounds(guide, reference)
    _guide_submission(guide)
    _guide_pilots(guide)
    for table in (MILESTONES, BUDGET):
        _guide_table(guide, table)


def _guide_introduction(guide: _Guide) -> None:
    """What the form is for and how it is laid out."""
    guide.paragraph("Departementet ber virksomhetene rapportere planene sine for piloter i tillitsreformen. "
                    "Fyll ut én arbeidsbok per virksomhet og rapporteringsrunde, og send den til departementet "
                    "som Excel-arbeidsbok (.xlsx). Denne veiledningen forklarer hvert ark og hvert felt.")
    guide.heading("Slik fyller dere ut skjemaet")
    for text in (
        f"Arket «{SUBMISSION.sheet}»: skriv svarene i kolonnen «{SUBMISSION_HEADERS[1]}», ett felt per rad. "
        "Det sier hvem som rapporterer, for hvilken runde, og om dere har planer om piloter.",
        f"Arket «{PILOTS.sheet}»: én rad per pilot, fra rad {DATA_FIRST_ROW} og nedover.",
        f"Arket «{MILESTONES.sheet}»: én rad per milepæl eller fase. "
        f"Arket «{BUDGET.sheet}»: én rad per pilot, år og kategori (og per finansiering, om den er delt).",
        "Ikke endre navnene på arkene eller teksten i overskriftsradene, og ikke legg til egne ark. "
        "Kolonner dere ikke har noe å skrive i, kan stå tomme.",
        "Påkrevde felt har gul bakgrunn i overskriften (og i kolonnen «Felt» på arket "
        f"«{SUBMISSION.sheet}»); de andre har blå. «Betinget» i tabellene under betyr at feltet er påkrevd "
        "i visse tilfeller, som forklaringen sier.",
        "Hold musepekeren over en kolonneoverskrift for å se hva som skal stå i kolonnen. Felt med en "
        "fast liste av verdier har en nedtrekksliste: velg verdien fra listen.",
    ):
        guide.paragraph("• " + text)


def _quoted(table: Table, key: str) -> str:
    """A field's label in «», as the guidance names it."""
    return f"«{table.field(key).label}»"


def _guide_values(guide: _Guide) -> None:
    """How dates, amounts, Ja/Nei, lists and pilots are written."""
    lists = " og ".join(_quoted(PILOTS, f.key) for f in PILOTS.fields if f.kind == "list")
    pilots, total = PILOTS.sheet, _quoted(PILOTS, "budget_total_nok")
    guide.heading("Slik skriver dere verdiene")
    for text in (
        "Datoer: dag.måned.år, f.eks. 31.10.2023. Også 1.3.2024 og 2024-03-01 godtas. En måned alene («mars "
        f"2024») er den 1. i måneden, men i {_quoted(PILOTS, 'end_date')} og {_quoted(MILESTONES, 'to_date')} "
        "den siste («desember 2024» er 31.12.2024). En plan kan ha datoer "
        f"fra {FIRST_DATE.year} til og med {LAST_DATE.year}; la sluttdatoen være den planlagte, ikke 31.12.9999.",
        "Beløp: hele kroner, helst bare tallet, f.eks. 1 500 000 – ikke i tusen kroner (1 500 000, ikke 1 500). "
        "Også «1 500 000 kr» og «2,5 mill.» godtas. "
        "Beløp kan ikke være negative.",
        "Årsverk: et tall, gjerne med desimalkomma, f.eks. 1,5. År: fire sifre, f.eks. 2024.",
        "Ja/Nei: velg Ja eller Nei i nedtrekkslisten.",
        f"Lister ({lists}): skill flere verdier med semikolon (;), f.eks. «Husbanken; Kartverket».",
        "Felt med nedtrekksliste som står tomme, får standardverdien som forklaringen nevner "
        f"(f.eks. betyr tom {_quoted(PILOTS, 'status')} på en pilot {PILOTS.field('status').default}).",
        f"{_quoted(MILESTONES, 'pilot')} på arkene {MILESTONES.sheet} og {BUDGET.sheet} viser til en pilot på arket "
        f"{pilots}: skriv pilotens {_quoted(PILOTS, 'pilot_ref')} eller {_quoted(PILOTS, 'pilot_name')} nøyaktig "
        "slik det står der.",
        f"Summen av budsjettradene for en pilot bør være lik {total} på arket {pilots}. Er de ulike, er det "
        f"{total} som gjelder.",
    ):
        guide.paragraph("• " + text)
    _guide_no_plans(guide)


def _guide_no_plans(guide: _Guide) -> None:
    """What to fill in when the agency has no plans for pilots."""
    guide.heading("Har dere ikke planer om piloter?")
    guide.paragraph(
        f"Svar Nei i {_quoted(SUBMISSION, 'has_plans')} på arket {SUBMISSION.sheet}. Da skal arkene "
        f"{PILOTS.sheet}, {MILESTONES.sheet} og {BUDGET.sheet} stå tomme, men feltene "
        f"{_quoted(SUBMISSION, 'assessment')} og {_quoted(SUBMISSION, 'union_involvement')} må fylles ut. "
        f"Svarer dere Ja, må arket {PILOTS.sheet} ha minst én pilot.")


def _guide_rounds(guide: _Guide, reference: Reference) -> None:
    """The reporting rounds and their deadlines from the reference data."""
    guide.heading("Rapporteringsrunder og frister")
    guide.paragraph(f"{_quoted(SUBMISSION, 'start_year')} på arket {SUBMISSION.sheet} er rapporteringsrunden: "
                    f"året pilotene skal starte. En rapportering med {_quoted(SUBMISSION, 'submitted_on')} etter "
                    "fristen regnes som for sent innsendt.")
    guide.table_header(SUBMISSION.field("start_year").label, "Frist", "Runde")
    for round_ in sorted(reference.rounds, key=lambda r: r.start_year):
        deadline = f"{round_.deadline:%d.%m.%Y}" if round_.deadline else ""
        guide.table_row(str(round_.start_year), deadline, round_.description)


def _guide_submission(guide: _Guide) -> None:
    """The Innsending fields."""
    guide.heading(f"Arket «{SUBMISSION.sheet}»")
    guide.paragraph(f"Hvem som rapporterer og for hvilken runde. Skriv verdien i kolonnen «{SUBMISSION_HEADERS[1]}».")
    guide.table_header(SUBMISSION_HEADERS[0], "Påkrevd", "Hva skal fylles inn", "Slik skrives verdien")
    guide.fields(SUBMISSION.fields)


def _guide_pilots(guide: _Guide) -> None:
    """The Piloter columns, grouped by the six elements of the letter with its questions."""
    table = PILOTS
    guide.heading(f"Arket «{table.sheet}»")
    guide.paragraph("Én rad per pilot. Kolonnene følger de seks elementene i departementets brev som en plan bør "
                    "dekke; under hvert element står brevets egne spørsmål. Et element regnes som dekket når minst "
                    "ett av feltene er fylt ut (for Tid trengs begge datoene, for Økonomi budsjettet totalt).")
    guide.table_header("Kolonne", "Påkrevd", "Hva skal fylles inn", "Slik skrives verdien")
    guide.table_row("Pilot og status")
    guide.fields(tuple(f for f in table.fields if f.element is None))
    for element in ELEMENTS:
        guide.table_row(f"{element.number} {element.name}")
        guide.paragraph("Brevets spørsmål: " + element.questions, QUESTION_FONT)
        guide.fields(element_fields(element.number))
    guide.heading("Tillitsrelasjoner (fra notatet «Om tillitsreformen»)")
    for relation in TRUST_RELATIONS:
        note = TRUST_RELATION_NOTES.get(relation)
        guide.paragraph(f"• {relation} – {note}" if note else f"• {relation}")


def _guide_table(guide: _Guide, table: Table) -> None:
    """The columns of Milepæler or Budsjett."""
    guide.heading(f"Arket «{table.sheet}»")
    guide.table_header("Kolonne", "Påkrevd", "Hva skal fylles inn", "Slik skrives verdien")
    guide.fields(table.fields)


def _set_properties(book: Workbook) -> None:
    """Title, subject and language of the workbook, shown in Excel's file properties."""
    book.properties.title = TITLE
    book.properties.subject = "Planer for piloter i tillitsreformen"
    book.properties.creator = "Pilotoversikt"
    book.properties.language = "nb-NO"
    book.active = 0
