"""Build small reporting-form files (.xlsx and .csv) as bytes, with minimal boilerplate.

Rows are dicts keyed by a field key of loaders/contract.py (``"pilot_name"``) or by any header
text (``"Pilotnavn"``, ``"  PILOTNAVN* "``): a field key is written as the contract's label,
anything else is written as it is, so tests can write label variants and unknown columns.
A value of None leaves the cell blank; a row that is None is a blank row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterable

from openpyxl import Workbook, load_workbook

from loaders.contract import BUDGET, MILESTONES, PILOTS, SUBMISSION, SUBMISSION_HEADERS

OMIT = object()  # an override that removes the field from the row altogether

# Keys shared by several tables ("pilot", "status") have the same label in each.
LABELS = {f.key: f.label for table in (SUBMISSION, PILOTS, MILESTONES, BUDGET) for f in table.fields}

DEFAULT_SHEETS = {"submission": SUBMISSION.sheet, "pilots": PILOTS.sheet,
                  "milestones": MILESTONES.sheet, "budget": BUDGET.sheet}


def label(key: str) -> str:
    """The contract's label for a field key; other text is returned as it is."""
    return LABELS.get(key, key)


def _apply(row: dict, overrides: dict) -> dict:
    """The row with overrides applied; a field set to OMIT (here or in row) is left out."""
    return {k: v for k, v in {**row, **overrides}.items() if v is not OMIT}


def valid_submission(**overrides) -> dict:
    """The Innsending fields of a complete submission from Husbanken for Oppstartsår 2024."""
    return _apply({
        "agency": "Husbanken",
        "start_year": 2024,
        "submitted_on": dt.date(2023, 10, 15),
        "contact_person": "Kari Nordmann",
        "email": "kari@husbanken.no",
        "has_plans": "Ja",
        "union_involvement": "Drøftet med tillitsvalgte i august",
    }, overrides)


def no_plans_submission(**overrides) -> dict:
    """A submission answering Nei to «Har planer om piloter», with the two required texts."""
    return valid_submission(**{
        "has_plans": "Nei",
        "assessment": "Vi har vurdert tre områder, men ingen er modne ennå",
        "union_involvement": "Tillitsvalgte deltok i vurderingen",
        **overrides,
    })


def valid_pilot(**overrides) -> dict:
    """A Piloter row with every required field filled in (and nothing else)."""
    return _apply({
        "pilot_name": "Digital søknad",
        "problem": "Søknadsbehandlingen tar for lang tid",
        "goals": "Halvere saksbehandlingstiden",
        "needs_exemption": "Nei",
        "start_date": dt.date(2024, 3, 1),
        "end_date": dt.date(2024, 12, 31),
        "budget_total_nok": 1_500_000,
        "within_budget_frame": "Ja",
    }, overrides)


def milestone(pilot: str = "Digital søknad", name: str = "Oppstart", from_date=dt.date(2024, 3, 1),
              **overrides) -> dict:
    """A Milepæler row."""
    return _apply({"pilot": pilot, "name": name, "from_date": from_date}, overrides)


def budget_line(pilot: str = "Digital søknad", year=2024, amount=1_500_000, **overrides) -> dict:
    """A Budsjett row."""
    return _apply({"pilot": pilot, "year": year, "amount_nok": amount}, overrides)


def csv_row(row: dict, agency: str = "Husbanken", start_year=2024, **extra) -> dict:
    """A CSV row: the table's row with Virksomhet and Oppstartsår (and any extra columns) first."""
    return {"agency": agency, "start_year": start_year, **extra, **row}


def csv_pilot(agency: str = "Husbanken", start_year=2024, submitted_on="15.10.2023", **overrides) -> dict:
    """A Piloter CSV row: the key columns, Innsendt dato and a valid pilot."""
    return _apply({"agency": agency, "start_year": start_year, "submitted_on": submitted_on, **valid_pilot()},
                  overrides)


# ---------------------------------------------------------------------------------------------


def _headers(rows: Iterable[dict | None], headers: list[str] | None) -> list[str]:
    if headers is not None:
        return list(headers)
    seen: list[str] = []
    for row in rows:
        for key in row or {}:
            if key not in seen:
                seen.append(key)
    return seen


def _grid(rows: list[dict | None], headers: list[str] | None = None, title_rows: int = 0) -> list[list]:
    """A header row (after title_rows title/blank rows) and data rows, as a list of cell rows."""
    keys = _headers(rows, headers)
    grid: list[list] = []
    if title_rows:
        grid.append(["Rapportering om tillitsreformpiloter"])
        grid.extend([] for _ in range(title_rows - 1))
    grid.append([label(k) for k in keys])
    for row in rows:
        grid.append([] if row is None else [row.get(k) for k in keys])
    return grid


def raw_workbook(sheets: dict[str, list[list]]) -> bytes:
    """A workbook with the given sheets, each a list of rows of cell values, as bytes."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for r, row in enumerate(rows, 1):
            for c, value in enumerate(row, 1):
                if value is not None:
                    sheet.cell(row=r, column=c, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def submission_grid(innsending: dict | list[tuple]) -> list[list]:
    """The Innsending sheet: Felt/Verdi header, then one row per field (label or key)."""
    items = innsending.items() if isinstance(innsending, dict) else innsending
    return [list(SUBMISSION_HEADERS), *([label(k), v] for k, v in items)]


def workbook(innsending: dict | None = None, pilots: list[dict | None] | None = None,
             milestones: list[dict | None] | None = None, budget: list[dict | None] | None = None,
             title_rows: int = 0, sheet_names: dict[str, str] | None = None,
             headers: dict[str, list[str]] | None = None, extra_sheets: dict[str, list[list]] | None = None,
             guide: bool = True) -> bytes:
    """A filled-in form as .xlsx bytes; the arguments are those of workbook_sheets."""
    return raw_workbook(workbook_sheets(innsending, pilots, milestones, budget, title_rows, sheet_names, headers,
                                        extra_sheets, guide))


def workbook_sheets(innsending: dict | None = None, pilots: list[dict | None] | None = None,
                    milestones: list[dict | None] | None = None, budget: list[dict | None] | None = None,
                    title_rows: int = 0, sheet_names: dict[str, str] | None = None,
                    headers: dict[str, list[str]] | None = None, extra_sheets: dict[str, list[list]] | None = None,
                    guide: bool = True) -> dict[str, list[list]]:
    """A filled-in form as sheet name → rows of cell values (write it with raw_workbook).

    innsending defaults to valid_submission(); pilots defaults to [valid_pilot()]. Pass [] for a
    sheet with only its header row, or leave milestones/budget as None to leave the sheet out.
    title_rows puts a title (and blank rows) above each data sheet's header. sheet_names renames
    sheets by table key ("submission", "pilots", "milestones", "budget"); headers fixes a table's
    header keys (so a column can be left out or put in a chosen order).
    """
    names = {**DEFAULT_SHEETS, **(sheet_names or {})}
    headers = headers or {}
    sheets: dict[str, list[list]] = {}
    if guide:
        sheets["Veiledning"] = [["Slik fyller dere ut skjemaet"], ["Fyll ut arkene Innsending og Piloter."]]
    sheets[names["submission"]] = submission_grid(valid_submission() if innsending is None else innsending)
    tables = {"pilots": [valid_pilot()] if pilots is None else pilots, "milestones": milestones, "budget": budget}
    for key, rows in tables.items():
        if rows is not None:
            sheets[names[key]] = _grid(rows, headers.get(key), title_rows)
    sheets.update(extra_sheets or {})
    return sheets


def _csv_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return str(value)


def csv_grid(rows: list[dict | None], headers: list[str] | None = None) -> list[list[str]]:
    """One CSV table as rows of text: a header row of labels, then the rows (None = a blank line)."""
    keys = _headers(rows, headers)
    return [[label(k) for k in keys], *([] if row is None else [_csv_text(row.get(k)) for k in keys]
                                         for row in rows)]


def grid_csv_bytes(grid: list[list], delimiter: str = ";", encoding: str = "utf-8-sig") -> bytes:
    """Rows of cells written as CSV bytes (an empty row is a blank line)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for row in grid:
        if row:
            writer.writerow([_csv_text(cell) for cell in row])
        else:
            out.write("\r\n")
    return out.getvalue().encode(encoding)


def csv_bytes(rows: list[dict | None], delimiter: str = ";", encoding: str = "utf-8-sig",
              headers: list[str] | None = None) -> bytes:
    """One CSV table as bytes: a header row of labels, then the rows (None = a blank line)."""
    return grid_csv_bytes(csv_grid(rows, headers), delimiter, encoding)


def rezipped(content: bytes, comment: bytes = b"", extra: bytes = b"", last_member_comment: bytes = b"") -> bytes:
    """The same workbook zipped again in a less common layout: an archive comment, an extra field on
    every member, or a comment on the last member (the bytes just before the zip's end record)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        infos = source.infolist()
        for info in infos:
            info.extra = extra
            info.comment = last_member_comment if info is infos[-1] else b""
            target.writestr(info, source.read(info.filename))
        target.comment = comment
    return out.getvalue()


def with_stray_cell(content: bytes, sheet: str, cell: str, keep_dimension: bool = True) -> bytes:
    """The workbook with one character typed far out in a sheet, as Excel saves it (with the sheet's
    extent in its dimension element), or as generators that leave the element out do."""
    book = load_workbook(io.BytesIO(content))
    book[sheet][cell] = " "
    out = io.BytesIO()
    book.save(out)
    if keep_dimension:
        return out.getvalue()
    return with_sheets_rewritten(out.getvalue(), lambda xml: re.sub(rb"<dimension [^>]*/>", b"", xml))


def with_sheets_rewritten(content: bytes, rewrite: Callable[[bytes], bytes]) -> bytes:
    """The workbook zipped again with rewrite applied to every sheet's XML."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info, rewrite(data) if info.filename.startswith("xl/worksheets/") else data)
    return out.getvalue()
