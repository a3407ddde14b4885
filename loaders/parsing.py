"""From raw grids to validated submissions, by the reporting form's contract.

`parse_file` is the one entry: it reads an .xlsx or .csv file's bytes and returns a
ParsedFile holding the submissions found and every problem, each naming file, sheet,
Excel row, column label, the value found and what was expected.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from loaders.contract import (
    BUDGET,
    CSV_KEY_FIELDS,
    CSV_PILOT_EXTRA_FIELDS,
    DATA_TABLES,
    GUIDE_SHEET,
    LISTS_SHEET,
    MILESTONES,
    PILOTS,
    SUBMISSION,
    SUBMISSION_HEADERS,
    Field,
    Table,
    covered_elements,
)
from loaders.problems import Problem
from loaders.reading import (
    PEEK,
    Grid,
    SheetGrid,
    UnreadableFile,
    check_size,
    column_letters,
    decode_text,
    file_kind,
    first_csv_rows,
    read_workbook,
    split_csv,
)
from loaders.register import Reference
from loaders.values import (
    EXPECTED,
    MEMO_TEXT_CHARS,
    MONTH_NAMES,
    OTHER_CURRENCY,
    CellError,
    ValueProblem,
    cell_parser,
    fold,
    format_date,
    format_kroner,
    format_number,
    is_blank,
    name_key,
    parse_text,
    shown,
    slashed_day_month,
)

HEADER_SEARCH_ROWS = 10
SUBMISSION_FIELD_KEYS = tuple(f.key for f in SUBMISSION.fields if f.key not in ("agency", "start_year"))


@dataclass
class SubmissionData:
    """One agency's report for one round, as far as one file holds it.

    A table is None when the file does not hold it (a CSV of another table); an empty
    list when the file holds it with no rows.
    """

    agency: str
    start_year: int
    fields: dict[str, object]
    pilots: list[dict] | None = None
    milestones: list[dict] | None = None
    budget: list[dict] | None = None
    year_row: int | None = None  # where Oppstartsår stands: its Innsending row, or the CSV's first row of it
    date_row: int | None = None  # where Innsendt dato stands, likewise
    absent_sheets: tuple[str, ...] = ()  # tables of a workbook without their sheet (held as no rows)

    @property
    def tables(self) -> dict[str, list[dict] | None]:
        """The three data tables by key."""
        return {"pilots": self.pilots, "milestones": self.milestones, "budget": self.budget}


@dataclass
class ParsedFile:
    """What one file holds: its bytes, its submissions and its problems."""

    name: str
    content: bytes
    kind: str = ""
    table: str = ""  # 'workbook', or the table a CSV holds: 'pilots', 'milestones', 'budget'
    submissions: list[SubmissionData] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # What a refused CSV holds: not imported, but its rows' pilots are looked up all the same, so that the agency
    # hears of every error at once (a pilot that does not exist was told only once the cells were mended)
    refused_submissions: list[SubmissionData] = field(default_factory=list)
    # Dates written with slashes, noted table by table and judged for the whole file (judge_slashed_dates):
    # (sheet, row, column, text, first number, second number)
    slashed_dates: list[tuple[str, int, str, str, int, int]] = field(default_factory=list)
    # «Statsbygg 2024»: the submission a workbook reports, as far as its Innsending sheet could be read (refused
    # files among several of one name, the template's, were told apart by their errors alone)
    reported_for: list[str] = field(default_factory=list)
    # In a CSV, whose each data row is, «Statsbygg 2024», for every row whose Virksomhet and Oppstartsår were read,
    # and the row its data start on (its header's next)
    row_reports: dict[int, str] = field(default_factory=dict)
    first_data_row: int | None = None

    @functools.cached_property
    def sha256(self) -> str:
        """The hash that recognises the same bytes imported again (computed once)."""
        return hashlib.sha256(self.content).hexdigest()

    @property
    def errors(self) -> list[Problem]:
        """Problems that refuse the file."""
        return [p for p in self.problems if not p.is_warning]

    @property
    def warnings(self) -> list[Problem]:
        """Problems reported while the file is still imported."""
        return [p for p in self.problems if p.is_warning]

    def error(self, expected: str, sheet: str | None = None, row: int | None = None,
              column: str | None = None, value: object = None) -> None:
        """Record an error that refuses the file."""
        self.problems.append(Problem(self.name, expected, sheet, row, column, value))

    def warn(self, expected: str, sheet: str | None = None, row: int | None = None,
             column: str | None = None, value: object = None) -> None:
        """Record a warning; the file is still imported."""
        self.problems.append(Problem(self.name, expected, sheet, row, column, value, is_warning=True))


# ---------------------------------------------------------------------------------------
# Labels and headers


def label_key(text: object) -> str:
    """A header label folded for matching: case, spacing, line breaks, trailing * or :, (unit)."""
    text = str(text)
    if len(text) > MEMO_TEXT_CHARS:
        text = text.strip()
        if len(text) > MEMO_TEXT_CHARS:  # longer than any label (a text in a row the header search looks at)
            return text                  # matches none, as a key longer than every label's
    return _label_key(text)


@functools.lru_cache(maxsize=4096)
def _label_key(text: str) -> str:
    """label_key() for a str; cached, as every file repeats the same headers."""
    key = fold(text)
    previous = None
    while key != previous:
        previous = key
        key = re.sub(r"\s*\([^)]*\)$", "", key.rstrip(" *:"))
    return key


@dataclass
class Header:
    """Where a table's header row is and which column holds which field."""

    row_index: int
    columns: dict[str, int]
    unknown: list[tuple[int, str]]
    duplicates: list[str]
    other_units: list[tuple[str, str]] = field(default_factory=list)  # (field label, header as written)


@functools.lru_cache(maxsize=64)
def _label_lookup(fields: tuple[Field, ...]) -> dict[str, Field]:
    """Folded label → field, for a table's fields."""
    return {label_key(f.label): f for f in fields}


def find_header(grid: Grid, fields: tuple[Field, ...]) -> Header | None:
    """The row among the first ten that names most of the fields, or None."""
    best: Header | None = None
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        if index == 0 and _cacheable(row):  # where the form's header is: looked up once per sheet layout
            columns, unknown, duplicates, other_units, complete = _header_row(fields, tuple(row))
        else:
            columns, unknown, duplicates, other_units, complete = _header_row.__wrapped__(fields, row)
        if columns and (best is None or len(columns) > len(best.columns)):
            best = Header(index, dict(columns), list(unknown), list(duplicates), list(other_units))
            if complete:
                break  # a row of nothing but the form's labels is the header; rows below it are data
    return best


# A first row is remembered only when it is small like a header: a CSV's first line can be
# megabytes of one cell, and the cache must not keep 256 of those alive.
CACHED_HEADER_CELLS = 64
CACHED_HEADER_CHARS = 4096


def _cacheable(row: list[object]) -> bool:
    """Whether a first row is short text cells only, the kind worth remembering as a header."""
    return (len(row) <= CACHED_HEADER_CELLS and all(type(cell) is str for cell in row)
            and sum(map(len, row)) <= CACHED_HEADER_CHARS)


@functools.lru_cache(maxsize=256)
def _header_row(fields: tuple[Field, ...], row: tuple[object, ...]) -> tuple[dict, list, list, list, bool]:
    """Which field each cell of a row names, the cells naming none, the fields named twice, the amounts headed
    in another unit than kroner, and whether the row is nothing but the form's labels with every required one
    (the callers copy what they keep)."""
    lookup = _label_lookup(fields)
    columns: dict[str, int] = {}
    unknown: list[tuple[int, str]] = []
    duplicates: list[str] = []
    other_units: list[tuple[str, str]] = []
    for col, cell in enumerate(row):
        if is_blank(cell):
            continue
        found = lookup.get(label_key(cell))
        if found is None:
            unknown.append((col, str(cell).strip()))
        elif found.key in columns:
            duplicates.append(found.label)
        else:
            columns[found.key] = col
            if found.kind == "amount" and names_other_unit(cell):
                other_units.append((found.label, str(cell).strip()))
    complete = not unknown and not duplicates and all(f.key in columns for f in fields if f.required)
    return columns, unknown, duplicates, other_units, complete


# A unit in a header's brackets that is not kroner: «(1000 kr)», «(1 000 kr)», «(mill. kr)», «(MNOK)», «(tusen
# kroner)», or another currency («(EUR)», «(USD)», «(€)»: the amounts were stored as kroner). A year or a per cent
# in the brackets («2024-kroner», «inkl. 25 % mva») says nothing of the unit, and «ikke tusen» says it is not one.
_OTHER_UNIT = re.compile(r"(?<![\d.,])1[ .]?000(?![\d.,])|\btusen|\bmill|\bmrd|\bmilliard|\bmnok|\btnok|\bknok|\bkkr|"
                         r"\bk ?kr\b|\bt ?kr\b|" + OTHER_CURRENCY)
_NEGATED = re.compile(r"\bikke( i)? \S+")


def names_other_unit(header: object) -> bool:
    """Whether a header names a unit other than kroner in brackets: the amounts below are not in kroner."""
    return any(_OTHER_UNIT.search(_NEGATED.sub("", unit)) for unit in re.findall(r"\(([^)]*)\)", fold(str(header))))


def _cell(row: list[object], col: int | None) -> object:
    """The cell at col, or None when the row is shorter or the column absent."""
    if col is None or col >= len(row):
        return None
    return row[col]


# ---------------------------------------------------------------------------------------
# Values


class Converter:
    """Turns cells into the values of their fields, using the register for agencies."""

    def __init__(self, reference: Reference):
        self.reference = reference

    def parser(self, f: Field) -> Callable[[object], object]:
        """The function from a cell to the clean value of field f; it raises ValueProblem."""
        if f.kind == "agency":
            return self._agency
        if f.ends_period:
            return cell_parser("end_date")
        return cell_parser(f.kind, f.choices, f.default)

    def convert(self, f: Field, raw: object) -> object:
        """The clean value of a cell for field f; raises ValueProblem."""
        return self.parser(f)(raw)

    def _agency(self, raw: object) -> str | None:
        """The register's name of the agency a cell names."""
        text = parse_text(raw)
        return None if text is None else self.reference.match_agency(text).name


def required_message(f: Field) -> str:
    """What to say when a required field is blank."""
    hint = EXPECTED.get(f.kind) or ("en av: " + ", ".join(f.choices) if f.choices else "en verdi")
    return f"feltet er påkrevd, men tomt; forventet {hint}"


def read_table(parsed: ParsedFile, grid: Grid, sheet: str, header: Header,
               fields: tuple[Field, ...], converter: Converter,
               optional_when_blank: tuple[str, ...] = ()) -> list[dict]:
    """The data rows below a header as dicts of clean values, with '_row' the Excel row.

    Blank rows are skipped. Fields in optional_when_blank are not required on rows where
    every one of them is blank (a Piloter CSV row that carries only Innsending fields).
    """
    columns = [(f, header.columns.get(f.key), converter.parser(f), f.required, f.key in optional_when_blank)
               for f in fields]
    optional_columns = [header.columns.get(k) for k in optional_when_blank]
    merged_away = _fill_merged_down(grid, header, columns) if isinstance(grid, SheetGrid) else set()
    merged_left = _merged_across(grid, header, columns) if isinstance(grid, SheetGrid) else {}
    records = []
    for index in range(header.row_index + 1, len(grid)):
        row = grid[index]
        if _nothing_to_read(row):
            continue
        excel_row = index + 1
        record: dict[str, object] = {"_row": excel_row}
        skip_required = bool(optional_columns) and all(is_blank(_cell(row, col)) for col in optional_columns)
        width = len(row)
        missing = []
        for f, col, parse, required, optional in columns:
            raw = row[col] if col is not None and col < width else None
            try:
                value = parse(raw)
            except ValueProblem as problem:
                parsed.error(problem.expected, sheet, excel_row, f.label, raw)
                continue
            if required and value in (None, []) and not (skip_required and optional):
                missing.append((f, col))
            record[f.key] = value
        if missing:
            _tell_missing(parsed, sheet, excel_row, row, columns, missing, merged_left, merged_away, index)
        records.append(record)
    _note_slashed_dates(parsed, grid, sheet, header, fields)
    _warn_of_unlabelled_content(parsed, grid, sheet, header)
    if isinstance(grid, SheetGrid):
        _warn_of_hidden_rows(parsed, grid, sheet, header)
        _warn_of_hidden_columns(parsed, grid, sheet, header, fields)
    return records


def _note_slashed_dates(parsed: ParsedFile, grid: Grid, sheet: str, header: Header, fields: tuple[Field, ...]) -> None:
    """Note the table's dates written with slashes that could be read either way (03/01/2024), and the first that
    can only be month first (10/31/2023), for judge_slashed_dates."""
    dated = [(f, col) for f in fields if f.kind in ("date", "end_date")
             and (col := header.columns.get(f.key)) is not None]
    for index in range(header.row_index + 1, len(grid)):
        row = grid[index]
        for f, col in dated:
            value = row[col] if col < len(row) else None
            if type(value) is not str or "/" not in value or (numbers := slashed_day_month(value)) is None:
                continue  # (the first two tests: nearly every cell, a date cell or text without a slash)
            first, second = numbers
            only_month_first = 1 <= first <= 12 < second <= 31
            if only_month_first or (1 <= first <= 12 and 1 <= second <= 12 and first != second):
                parsed.slashed_dates.append((sheet, index + 1, f.label, value.strip(), first, second))


def judge_slashed_dates(parsed: ParsedFile) -> None:
    """Refuse dates such as 03/01/2024 in a file that also has a date with the month first (10/31/2023), and
    otherwise say once how such dates were read.

    Slashed dates are read day first, as Norwegians write them; a file with a date that can only
    be month first was saved with American dates (an English Excel or LibreOffice), and then
    03/01/2024 is more likely 1 March than 3 January. The date that cannot be day first is refused
    on its own; without this, the others would go in turned around, unseen. The whole file is
    judged, every sheet of a workbook: its sheets are saved alike.
    """
    noted, parsed.slashed_dates = parsed.slashed_dates, []
    month_first = next(((sheet, row, value) for sheet, row, _, value, first, second in noted if second > 12), None)
    either_way = [n for n in noted if n[5] <= 12]
    if month_first is None:
        if either_way:
            sheet, row, label, value, first, second = either_way[0]
            parsed.warn(f"datoer med skråstrek er lest med dagen først, som vi skriver dem i Norge: «{value}» er "
                        f"{first}. {MONTH_NAMES[second - 1]}. Er filen lagret med amerikanske datoer (måneden først), "
                        "lagre den med norske datoer og importer den på nytt", sheet, row, label)
        return
    for sheet, row, label, value, first, second in either_way:
        where = f"rad {month_first[1]}" + (f" på arket {month_first[0]}" if month_first[0] != sheet else "")
        parsed.error(f"en dato skrevet som 31.10.2023: filen har datoer med måneden først (som «{month_first[2]}» på "
                     f"{where}), så denne kan være {first}. {MONTH_NAMES[second - 1]} eller {second}. "
                     f"{MONTH_NAMES[first - 1]}. Lagre filen med norske datoer, eller skriv dem som 31.10.2023, og "
                     "importer den på nytt", sheet, row, label, value)


def _nothing_to_read(row: list[object]) -> bool:
    """A row of blanks, or of blanks and Excel errors only: a lookup formula dragged below the data shows #N/A
    on rows nobody filled in (as calamine read them before errors were, those rows were blank and skipped)."""
    return all(is_blank(c) or type(c) is CellError for c in row)


# Fields whose value merged down a column means the same on every row; an amount merged over two rows does not
# mean that amount twice.
_NOT_FILLED_DOWN = ("amount", "number")


MERGED_AMOUNT = ("cellen er slått sammen med cellen over, så tallet står bare på den første raden; del opp "
                 "cellene og skriv tallet for hver rad")


NOTE_ROW_MISSING = 3  # required fields left empty beside the one cell filled: a note typed under the table


def _tell_missing(parsed: ParsedFile, sheet: str, excel_row: int, row: list[object], columns: list[tuple],
                  missing: list[tuple[Field, int | None]], merged_left: dict, merged_away: set, index: int) -> None:
    """The required fields a row leaves empty: one error each, or one for the row when a single cell is filled and
    several required ones are not («NB: Pilot 3 er foreløpig» under the pilots was seven «påkrevd»)."""
    filled = [(f, row[col]) for f, col, *_ in columns if col is not None and col < len(row) and not is_blank(row[col])]
    if len(filled) == 1 and len(missing) >= NOTE_ROW_MISSING:
        f, value = filled[0]
        names = ", ".join(f"«{m.label}»" for m, _ in missing)
        parsed.error(f"en rad med de påkrevde feltene fylt ut; her står bare «{f.label}», og {names} er tomme. Er "
                     "raden en merknad, slett den; ellers fyll ut feltene", sheet, excel_row, f.label, value)
        return
    for f, col in missing:
        if (index, col) in merged_left:
            message = merged_across_message(merged_left[(index, col)], f)
        else:
            message = MERGED_AMOUNT if (index, col) in merged_away else required_message(f)
        parsed.error(message, sheet, excel_row, f.label)


def _fill_merged_down(grid: SheetGrid, header: Header, columns: list[tuple]) -> set[tuple[int, int]]:
    """Give a value merged down a column of the table to every row it covers, as Excel shows it: a Status merged
    over two pilots reads «Pågår» for both (the second got the default). Merges in or above the header row
    (a header of two rows) and of amounts are left as they are; returns the cells an amount was merged away
    from (row index, column index), so a blank there is told as what it is."""
    fields = {col: f for f, col, *_ in columns if col is not None}
    merged_away = set()
    for first, last, col in grid.merged_down:
        f = fields.get(col)
        if first <= header.row_index or f is None or first >= len(grid):
            continue
        if f.kind in _NOT_FILLED_DOWN:
            merged_away.update((index, col) for index in range(first + 1, last + 1))
            continue
        value = _cell(grid[first], col)
        for row in grid[first + 1:last + 1]:
            if col < len(row) and is_blank(row[col]):
                row[col] = value
    return merged_away


def _merged_across(grid: SheetGrid, header: Header, columns: list[tuple]) -> dict[tuple[int, int], str | None]:
    """The cells of data rows that a merge across columns covers without holding its value (row index, column
    index), each with the label of the column that holds it (None where that column is not the form's): such a
    cell is blank to the reader, and a required field there was only «påkrevd»."""
    labels = {col: f.label for f, col, *_ in columns if col is not None}
    covered: dict[tuple[int, int], str | None] = {}
    for first, last, col, last_col in grid.merged_across:
        for index in range(max(first, header.row_index + 1), last + 1):
            covered.update({(index, c): labels.get(col) for c in range(col + 1, last_col + 1)})
    return covered


def merged_across_message(holder: str | None, f: Field) -> str:
    """What a required cell merged with a cell to its left is told."""
    where = f"med «{holder}» til venstre" if holder else "med cellen til venstre"
    return (f"cellen er slått sammen {where}, så verdien står bare der og denne er tom; del opp de sammenslåtte "
            f"cellene og fyll ut «{f.label}»")


ROWS_NAMED = 6  # rows a warning about several names by number before «…»


def _first_rows(rows: list, separator: str = ", ") -> str:
    """«3, 5, 9», the first ROWS_NAMED of rows (numbers, or texts naming rows), and «…» after them when there are
    more."""
    return separator.join(map(str, rows[:ROWS_NAMED])) + (" …" if len(rows) > ROWS_NAMED else "")


def _warn_of_hidden_rows(parsed: ParsedFile, grid: SheetGrid, sheet: str, header: Header) -> None:
    """Say that rows Excel hides were read: a pilot «avlyst» and hidden instead of deleted is counted with the
    others."""
    rows = [index + 1 for index in grid.hidden_rows
            if index > header.row_index and not _nothing_to_read(grid[index])]
    if rows:
        parsed.warn(f"{'rad' if len(rows) == 1 else 'radene'} {_first_rows(rows)} er skjult i Excel, men ble lest og "
                    "er tatt med; slett rader som ikke skal være med i stedet for å skjule dem", sheet)


def _warn_of_hidden_columns(parsed: ParsedFile, grid: SheetGrid, sheet: str, header: Header,
                             fields: tuple[Field, ...]) -> None:
    """Say that a column Excel hides was read, where it holds something: a hidden «Læringsmål» was stored without
    a word, while hidden rows were told of."""
    for f in fields:
        col = header.columns.get(f.key)
        if col in grid.hidden_columns and any(col < len(row) and not is_blank(row[col])
                                              for row in grid[header.row_index + 1:]):
            parsed.warn(f"kolonnen er skjult i Excel (kolonne {column_letters(col + 1)}), men ble lest og er tatt med; "
                        "tøm den i stedet for å skjule den om innholdet ikke skal være med", sheet,
                        header.row_index + 1, f.label)


def _warn_of_unlabelled_content(parsed: ParsedFile, grid: Grid, sheet: str, header: Header) -> None:
    """Warn of a column with content below the header but no label there: it is not read (a note in
    the margin, a column added without a heading), and the form promises nothing is dropped unsaid."""
    below = grid[header.row_index + 1:]
    width = max(map(len, below), default=0)
    labelled = set(header.columns.values()) | {col for col, _ in header.unknown}  # unknown ones are warned of
    for col in range(width):
        if col in labelled:
            continue
        for offset, row in enumerate(below):
            if col < len(row) and not is_blank(row[col]):
                parsed.warn(f"kolonne {column_letters(col + 1)} har innhold («{shown(row[col])}») men ingen "
                            "overskrift, og ble ikke lest; gi den en overskrift fra skjemaet eller flytt innholdet",
                            sheet, header.row_index + 2 + offset)
                break


def check_header(parsed: ParsedFile, sheet: str, header: Header, fields: tuple[Field, ...], grid: Grid) -> bool:
    """Report missing required columns (error), duplicates (error), unknown ones (warning), and a column not read
    that the form's absent column is likely in (error: Status, Type, Finansiering fall to their defaults)."""
    absent = [f for f in fields if f.key not in header.columns]
    refused = _refuse_columns_meant_for_absent_ones(parsed, sheet, header, absent, grid)
    ok = not refused
    for f in fields:
        if f.required and f.key not in header.columns:
            parsed.error("kolonnen mangler i overskriftsraden", sheet, header.row_index + 1, f.label)
            ok = False
    for label in header.duplicates:
        parsed.error("kolonnen står to ganger i overskriftsraden; fjern den ene", sheet,
                     header.row_index + 1, label)
        ok = False
    for label, written in header.other_units:
        parsed.error(f"overskriften «{written}» oppgir en annen enhet enn skjemaet, som vil ha beløpene i hele "
                     f"kroner; regn dem om til kroner og skriv overskriften «{label}»", sheet,
                     header.row_index + 1, label)
        ok = False
    for col, label in header.unknown:
        if col not in refused:
            parsed.warn(f"ukjent kolonne «{label}» (kolonne {column_letters(col + 1)}) ble ikke lest"
                        + _absent_hint(label, absent), sheet, header.row_index + 1)
    return ok


MEANT_SAMPLE_ROWS = 50  # the values of an unread column compared with an absent column's choices


def _refuse_columns_meant_for_absent_ones(parsed: ParsedFile, sheet: str, header: Header, absent: list[Field],
                                          grid: Grid) -> set[int]:
    """Refuse a column that is not read while the form's column it most likely is, is absent: a header spelled
    near the form's («Staus»), or values all of one absent column's closed list under a header of other words or
    none («Fremdrift» over Pågår and Ferdig). Read as it was, every pilot was «Planlagt» and every budget row
    «Innenfor rammer», with a warning only. Returns the columns refused."""
    if not absent:
        return set()
    refused = set()
    below = grid[header.row_index + 1:header.row_index + 1 + MEANT_SAMPLE_ROWS]
    named = dict(header.unknown)
    for col in range(max(len(grid[header.row_index]), *map(len, below), 0)):
        if col in header.columns.values():
            continue
        values = [row[col] for row in below if col < len(row) and not is_blank(row[col])]
        written = named.get(col)
        if meant := _spelled_near(written, absent) if written else None:
            why = "skjemaets kolonne mangler"
        elif meant := _values_of(values, absent):
            why = f"verdiene under («{shown(values[0])}» …) er valg i «{meant.label}», og den kolonnen mangler"
        else:
            continue
        refused.add(col)
        letter = column_letters(col + 1)
        wanted = f"overskriften «{meant.label}» i kolonne {letter} ({why}); er kolonne {letter} noe annet, legg " \
                 f"til kolonnen «{meant.label}» (den kan stå tom). Slik den står, blir kolonne {letter} ikke lest" + (
                     f", og alle radene får «{meant.default}»" if meant.default else "")
        parsed.error(wanted if written else f"kolonne {letter} har ingen overskrift; forventet {wanted}", sheet,
                     header.row_index + 1, meant.label, written)
    return refused


def _spelled_near(written: str, absent: list[Field]) -> Field | None:
    """The absent field a header not of the form is a misspelling of («Staus», «Kategorie»), if any."""
    keys = {label_key(f.label): f for f in absent}
    close = difflib.get_close_matches(label_key(written), keys, n=1, cutoff=0.85)
    return keys[close[0]] if close else None


def _absent_hint(written: str, absent: list[Field]) -> str:
    """For an unknown column's warning: the absent fields whose label it holds or is held in (Norwegian joins
    words: «Evaluering» for «Evaluering og gevinstmåling», «Pilotstatus»), which it may be meant for."""
    key = label_key(written)
    held = [f.label for f in absent if len(key) >= 4 and (label_key(f.label) in key or key in label_key(f.label))]
    if not held:
        return ""
    if len(held) == 1:
        return f"; skjemaets kolonne «{held[0]}» mangler i filen: er det den, gi kolonnen den overskriften"
    named = ", ".join(f"«{label}»" for label in held[:-1]) + f" og «{held[-1]}»"
    return f"; skjemaets kolonner {named} mangler i filen: er det en av dem, gi kolonnen dens overskrift"


def _values_of(values: list[object], absent: list[Field]) -> Field | None:
    """The one absent choice field (Status, Type, Kategori, Finansiering) every value is a choice of, if any."""
    if not values:
        return None
    fitting = []
    for f in absent:
        if f.kind != "choice":
            continue
        parse = cell_parser(f.kind, f.choices, f.default)
        try:
            for value in values:
                parse(value)
        except ValueProblem:
            continue
        fitting.append(f)
    return fitting[0] if len(fitting) == 1 else None


# ---------------------------------------------------------------------------------------
# Rules across rows


# kroner: a pilot's budget below it is an amount in thousands or millions (1 500 for 1,5 million passed at 1 000),
# and a budget row below SMALLEST_LIKELY_ROW
SMALLEST_LIKELY_TOTAL = 10_000
SMALLEST_LIKELY_ROW = 1_000


PILOT_NAME_CHARS = 200


def check_pilots(parsed: ParsedFile, sheet: str, pilots: list[dict]) -> None:
    """Rules for pilots: unique names and IDs, exemption text, end not before start; a warning for a total so small
    that it is likely in thousands or millions."""
    seen_names: dict[str, int] = {}
    seen_refs: dict[str, int] = {}
    for p in pilots:
        row = p["_row"]
        name = p.get("pilot_name")
        if name and len(name) > PILOT_NAME_CHARS:  # a description in the name's cell filled every table and slide
            parsed.error(f"et pilotnavn på høyst {PILOT_NAME_CHARS} tegn (her {format_number(len(name))}); skriv "
                         "beskrivelsen i «Problembeskrivelse» eller «Mål»", sheet, row,
                         PILOTS.field("pilot_name").label, name)
        if name:
            key = name_key(name)
            if key in seen_names:
                parsed.error(f"et pilotnavn som ikke er brukt før i filen (det står også på rad {seen_names[key]})",
                             sheet, row, PILOTS.field("pilot_name").label, name)
            seen_names.setdefault(key, row)
        ref = p.get("pilot_ref")
        if ref:
            key = name_key(ref)
            if key in seen_refs:
                parsed.error(f"en Pilot-ID som ikke er brukt før i filen (den står også på rad {seen_refs[key]})",
                             sheet, row, PILOTS.field("pilot_ref").label, ref)
            seen_refs.setdefault(key, row)
        if p.get("needs_exemption") and not p.get("exemption_rules"):
            parsed.error("påkrevd når «Behov for unntak fra regelverk» er Ja: hvilket regelverk det søkes unntak fra",
                         sheet, row, PILOTS.field("exemption_rules").label)
        start, end = p.get("start_date"), p.get("end_date")
        if start and end and end < start:
            parsed.error(f"en sluttdato som ikke er før startdatoen ({start:%d.%m.%Y})",
                         sheet, row, PILOTS.field("end_date").label, end)
        total = p.get("budget_total_nok")
        if total is not None and 0 < total < SMALLEST_LIKELY_TOTAL:  # 2,5 meant as millions, in a cell formatted so
            parsed.warn("et beløp i kroner, som 2 500 000 eller «2,5 mill.»; under "
                        f"{format_kroner(SMALLEST_LIKELY_TOTAL)} er neppe en pilots budsjett. Filen importeres med "
                        "beløpet som det står; er det oppgitt i tusen eller millioner, rett det og importer filen "
                        "på nytt",
                        sheet, row, PILOTS.field("budget_total_nok").label, total)
        p["elements"] = covered_elements(p)


def check_pilots_start_in_round(parsed: ParsedFile, sheet: str, year: int, pilots: list[dict], row: int | None,
                                column: str) -> None:
    """Warn when no pilot starts in the Oppstartsår: the round is the year the pilots start, and a form filled in
    in the autumn of 2023 for pilots starting in 2024 was filed under 2023 («For sent» there, «Ikke levert» for 2024),
    without a word."""
    years = sorted({p["start_date"].year for p in pilots if p.get("start_date")})
    if years and year not in years:
        started = " og ".join(map(str, years[:3])) if len(years) <= 3 else f"{years[0]}–{years[-1]}"
        parsed.warn(f"ingen av pilotene starter i {year} (de starter i {started}), men Oppstartsår er runden for "
                    "pilotene som starter det året; gjelder rapporten en annen runde, rett Oppstartsår og importer "
                    "filen på nytt", sheet, row, column, year)


def check_milestones(parsed: ParsedFile, sheet: str, milestones: list[dict]) -> None:
    """Rules for milestones: a phase needs an end, not before its start."""
    for m in milestones:
        start, end = m.get("from_date"), m.get("to_date")
        if m.get("kind") != "Fase" and end:  # a blank Type is a Milepæl: its «Til dato» was kept and never drawn
            parsed.warn("en milepæl har bare «Fra dato»: «Til dato» er fylt ut, men «Type» er Milepæl eller tom "
                        "(som betyr Milepæl), og en milepæl vises på sin dag. Er det en fase, skriv Fase i «Type» og "
                        "importer filen på nytt", sheet, m["_row"], MILESTONES.field("kind").label)
        # a «Til dato» that could not be read has its own error (read_table leaves it out): not «påkrevd» as well
        if m.get("kind") == "Fase" and start and not end and "to_date" in m:
            parsed.error("påkrevd for en fase: datoen fasen slutter", sheet, m["_row"],
                         MILESTONES.field("to_date").label)
        if start and end and end < start:
            parsed.error(f"en dato som ikke er før «Fra dato» ({start:%d.%m.%Y})",
                         sheet, m["_row"], MILESTONES.field("to_date").label, end)


def resolve_pilots(parsed: ParsedFile, sheet: str, rows: list[dict], pilots: list[dict]) -> None:
    """Point each milestone or budget row at its pilot by Pilot-ID or Pilotnavn; set 'pilot_name'.

    A row's text is matched as written (case and spacing aside), else with accents and æøå folded when that
    finds one pilot. A text that is one pilot's ID and another's name is refused: guessing would put the row
    on a pilot the agency may not have meant.
    """
    exact: dict[str, set[int]] = {}
    loose: dict[str, set[int]] = {}
    for index, p in enumerate(pilots):  # a pilot without a name has an error of its own; rows naming it are not wrong
        for text in (p.get("pilot_ref"), p.get("pilot_name")):
            if text:
                exact.setdefault(name_key(text), set()).add(index)
                loose.setdefault(fold(text), set()).add(index)
    known = sorted({p["pilot_name"] for p in pilots if p.get("pilot_name")})
    for r in rows:
        text = r.get("pilot")
        if not text:
            continue
        found = exact.get(name_key(text)) or loose.get(fold(text)) or set()
        if len(found) > 1:
            meant = " og ".join(f"«{_pilot_words(pilots[i], text)}»" for i in sorted(found))
            parsed.error(f"en Pilot-ID eller et Pilotnavn som peker på én pilot; «{text}» peker på både {meant}. "
                         "Bruk en Pilot-ID eller et navn som bare den ene piloten har", sheet, r["_row"], "Pilot", text)
            r["pilot_name"] = None
            continue
        if not found:
            hint = ", ".join(known[:5]) + (" …" if len(known) > 5 else "") if known else "ingen piloter er registrert"
            parsed.error(f"en Pilot-ID eller et Pilotnavn fra Piloter ({hint})", sheet, r["_row"], "Pilot", text)
        r["pilot_name"] = pilots[next(iter(found))].get("pilot_name") if found else None


def _pilot_words(pilot: dict, text: str) -> str:
    """A pilot as a row's text meets it: «Tillitsbasert tilsyn» (Pilot-ID Veiledning), or just its name."""
    name, ref = pilot.get("pilot_name") or "uten navn", pilot.get("pilot_ref")
    if ref and name_key(ref) == name_key(text) and name_key(name) != name_key(text):
        return f"{name} (Pilot-ID {ref})"
    return name


def check_budget_sums(parsed: ParsedFile, sheet: str, pilots: list[dict], budget: list[dict],
                      pilot_sheet: str | None = None) -> None:
    """Warn where a pilot's budget rows do not add up to its Budsjett totalt (kr).

    In a workbook the warning points at the pilot's total in pilot_sheet; for a budget CSV, whose
    pilots are in another file or in the store, it points at the budget table itself.
    """
    sums: dict[str, float] = {}
    small = []
    for b in budget:
        if b.get("pilot_name") and b.get("amount_nok") is not None:
            sums[b["pilot_name"]] = sums.get(b["pilot_name"], 0.0) + b["amount_nok"]
            if 0 < b["amount_nok"] < SMALLEST_LIKELY_ROW and b.get("_row"):
                small.append(b["_row"])
    if small:  # rows in thousands («900» for 900 000) went in as kroner without a word
        parsed.warn(f"{len(small)} {'budsjettrad' if len(small) == 1 else 'budsjettrader'} er under "
                    f"{format_kroner(SMALLEST_LIKELY_ROW)} (rad {_first_rows(small)}); beløpene skal stå i hele "
                    "kroner. Er de oppgitt i tusen eller millioner, rett dem og importer filen på nytt", sheet, None,
                    BUDGET.field("amount_nok").label)
    _warn_of_years_outside(parsed, sheet, pilots, budget)
    for p in pilots:
        total = p.get("budget_total_nok")
        name = p.get("pilot_name")
        if name in sums and total is not None and abs(sums[name] - total) >= 0.5:
            parsed.warn(
                f"budsjettradene for «{name}» i {sheet} summerer til {format_kroner(sums[name])}, men «Budsjett "
                f"totalt (kr)» er {format_kroner(total)}; totalen gjelder",
                *((pilot_sheet, p.get("_row"), PILOTS.field("budget_total_nok").label) if pilot_sheet else (sheet,)))


def _warn_of_years_outside(parsed: ParsedFile, sheet: str, pilots: list[dict], budget: list[dict]) -> None:
    """One warning naming the budget rows whose year is more than a year outside their pilot's period (a year typed
    wrong, or a pilot's dates): they counted in that year's figures without a word. A year before (preparing) or
    after (evaluating) is common enough not to be told."""
    periods = {name_key(p["pilot_name"]): (p["start_date"].year, p["end_date"].year) for p in pilots
               if p.get("pilot_name") and p.get("start_date") and p.get("end_date")}
    outside = []
    for b in budget:
        period = periods.get(name_key(b["pilot_name"])) if b.get("pilot_name") else None
        if period and b.get("year") and b.get("_row") and not period[0] - 1 <= b["year"] <= period[1] + 1:
            span = str(period[0]) if period[0] == period[1] else f"{period[0]}–{period[1]}"
            outside.append(f"rad {b['_row']}: {b['year']}, «{b['pilot_name']}» {span}")
    if outside:
        parsed.warn(f"{len(outside)} {'budsjettrad har' if len(outside) == 1 else 'budsjettrader har'} et år mer enn "
                    f"ett år utenfor pilotens periode ({_first_rows(outside, '; ')}); sjekk året eller pilotens "
                    "datoer", sheet, None, BUDGET.field("year").label)


def warn_of_milestones_outside(parsed: ParsedFile, sheet: str, pilots: list[dict], milestones: list[dict]) -> None:
    """One warning naming the milestones and phases dated in a year more than a year outside their pilot's period,
    as for budget rows: «30.04.2030» of a pilot ending in 2026 drew the timeline four years on without a word."""
    periods = {name_key(p["pilot_name"]): (p["start_date"].year, p["end_date"].year) for p in pilots
               if p.get("pilot_name") and p.get("start_date") and p.get("end_date")}
    outside = []
    for m in milestones:
        period = periods.get(name_key(m["pilot_name"])) if m.get("pilot_name") else None
        dates = [d for d in (m.get("from_date"), m.get("to_date")) if d]
        if period and m.get("_row") and any(not period[0] - 1 <= d.year <= period[1] + 1 for d in dates):
            span = str(period[0]) if period[0] == period[1] else f"{period[0]}–{period[1]}"
            when = format_date(dates[0]) + (f"–{format_date(dates[1])}" if len(dates) > 1 else "")
            outside.append(f"rad {m['_row']}: {when}, «{m['pilot_name']}» {span}")
    if outside:
        parsed.warn(f"{len(outside)} {'milepæl eller fase er' if len(outside) == 1 else 'milepæler og faser er'} "
                    f"datert mer enn ett år utenfor pilotens periode ({_first_rows(outside, '; ')}); sjekk datoene "
                    "eller pilotens start- og sluttdato", sheet)  # Fra dato or Til dato: the text says which


# ---------------------------------------------------------------------------------------
# Workbooks


FORM_SHEET_KEYS = {label_key(t.sheet): t.key for t in (SUBMISSION, *DATA_TABLES)}
_DATA_SHEET_KEYS = frozenset(label_key(t.sheet) for t in DATA_TABLES)


_GUIDE_AND_LISTS = frozenset((label_key(GUIDE_SHEET), label_key(LISTS_SHEET)))  # in every form: named, not read
SHEET_NAME_CLOSENESS = 0.75  # difflib's ratio: «Pilotar» is 0,86 from «Piloter», «Budsjettnotat» 0,76 from «Budsjett»


def _worth_reading(name: str, names: Sequence[str]) -> bool | str:
    """Whether to read a sheet (_sheet_choice), asked for every sheet of every workbook."""
    return _sheet_choice(name, tuple(names))


@functools.lru_cache(maxsize=256)  # a batch's workbooks mostly share the form's sheet names
def _sheet_choice(name: str, names: tuple[str, ...]) -> bool | str:
    """Whether to read a sheet: a form sheet's, or one named close to one; in a workbook without a sheet of the
    form's names for every data table, any other sheet but the guide and the lists is peeked at (PEEK: read if not
    too large), to tell whether it holds a form table under another name («Tidsplan» with the Milepæler table
    was left out unread)."""
    key = label_key(name)
    if key in FORM_SHEET_KEYS or _form_sheets_like(key, FORM_SHEET_KEYS):
        return True
    if key in _GUIDE_AND_LISTS or _DATA_SHEET_KEYS.issubset(label_key(n) for n in names):
        return False
    return PEEK


def _form_sheets_like(key: str, form_keys: Iterable[str]) -> list[str]:
    """The form sheet names (folded) a sheet's folded name is one of renamed: by a letter or two («Pilotar»),
    or with words added («Piloter 2024», «Budsjett per år», «Milepæler og faser»)."""
    form_keys = list(form_keys)
    close = difflib.get_close_matches(key, form_keys, n=1, cutoff=SHEET_NAME_CLOSENESS)
    words = key.split()
    return close or [k for k in form_keys if k in words][:1]


def _has_table_header(table: Table, grid: Grid | None) -> bool:
    """Whether a sheet holds the table: Innsending by its name alone (the workbook has none without it), a data
    table by a header row with every required column."""
    if table.key == SUBMISSION.key:
        return True
    header = find_header(grid, table.fields) if grid else None
    return header is not None and all(f.key in header.columns for f in table.fields if f.required)


def _find_sheets(parsed: ParsedFile, sheets: dict[str, Grid | None]) -> tuple[dict[str, tuple[str, Grid]], set[str]]:
    """The form's sheets by table key, matched by name ignoring case and spacing, and the tables whose sheet is
    there under another name (the file is refused, naming both).

    A name with a note in brackets is taken too («Piloter (2024)»), but the form's own name
    comes first: a copy «Piloter (gammel)» in front of «Piloter» is not read instead of it. A
    sheet under another name is one of the form's when it is named close to one and has its
    table's header, or has the header of a table whose sheet is missing.
    """
    found: dict[str, tuple[str, Grid]] = {}
    unknown: list[str] = []
    own_name_first = sorted(sheets.items(), key=lambda item: label_key(item[0]) != fold(item[0]))
    for name, grid in own_name_first:
        key = FORM_SHEET_KEYS.get(label_key(name))
        if key and key not in found:  # a form sheet, so read_workbook read it
            found[key] = (name, grid)
        elif key:
            parsed.warn(f"arket «{name}» ble ikke lest: skjemaets ark for denne tabellen er «{found[key][0]}»")
        elif label_key(name) not in _GUIDE_AND_LISTS:
            unknown.append(name)
    missing = {label_key(t.sheet): t for t in (SUBMISSION, *DATA_TABLES) if t.key not in found}
    renamed: set[str] = set()
    for name in unknown:
        # A form sheet renamed by a letter («Pilotar»): its rows would be dropped, and every reference to them
        # reported instead of the one thing to fix. A data sheet counts as renamed only when it has that table's
        # header: «Budsjettnotat» beside a workbook without the (optional) Budsjett sheet is a note.
        close = _form_sheets_like(label_key(name), missing)
        grid = sheets.get(name)
        if close and _has_table_header(missing[close[0]], grid):
            key, found_so, after = close[0], f"arbeidsboken har arket «{name}»", ""
        elif held := [k for k, t in missing.items() if t.key != SUBMISSION.key and _has_table_header(t, grid)]:
            key, found_so, after = held[0], f"arket «{name}» har overskriftene til tabellen der", ", så radene blir med"
        else:
            parsed.warn(f"arket «{name}» er ikke en del av skjemaet og ble ikke lest")
            continue
        table = missing.pop(key)
        renamed.add(table.key)
        parsed.error(f"arket «{table.sheet}» mangler, men {found_so}; gi det skjemaets navn «{table.sheet}»{after}")
    return found, renamed


def _read_submission_sheet(parsed: ParsedFile, sheet: str, grid: Grid,
                           converter: Converter) -> tuple[dict, dict[str, int]]:
    """The Innsending sheet's Felt/Verdi rows as clean values, and the Excel row of each field."""
    lookup = {label_key(f.label): f for f in SUBMISSION.fields}
    header_keys = {label_key(h) for h in SUBMISSION_HEADERS}
    header_index = next((i for i, row in enumerate(grid[:HEADER_SEARCH_ROWS])
                         if header_keys <= {label_key(c) for c in row if not is_blank(c)}), None)
    values: dict[str, object] = {}
    rows: dict[str, int] = {}
    start = 0 if header_index is None else header_index + 1
    # Under the header, the label is in its Felt column and the value in its Verdi column, wherever they are: with
    # a column between («Felt, Forklaring, Verdi») or before («Nr, Felt, Verdi») the explanation was read as the
    # value, or the number as the label. Without the header (or beside it), the value is right of the label.
    felt_col = verdi_col = None
    if header_index is not None:
        header = [label_key(cell) for cell in grid[header_index]]
        felt_col, verdi_col = (header.index(label_key(h)) for h in SUBMISSION_HEADERS)
    for index in range(start, len(grid)):
        row = grid[index]
        if felt_col is not None and not is_blank(_cell(row, felt_col)):
            col, value_col = felt_col, verdi_col
        else:
            col = None if _nothing_to_read(row) else next(c for c, cell in enumerate(row) if not is_blank(cell))
            value_col = None if col is None else col + 1
        if col is None:
            continue
        f = lookup.get(label_key(row[col]))
        raw = _cell(row, value_col)
        if f is None and is_blank(raw) and (in_one := _label_and_value(row[col], lookup)):
            f, raw = in_one  # «Virksomhet: Husbanken» in one cell was «feltet «Virksomhet» mangler i arket»
        if f is None:
            # Without the Felt/Verdi header, a lone text above the fields is a title; a label with a value beside
            # it is a field the form does not know (a label written otherwise), and must not vanish unseen.
            if header_index is not None or not is_blank(raw):
                parsed.warn(f"ukjent felt «{shown(row[col])}» ble ikke lest", sheet, index + 1)
            continue
        if f.key in rows:  # a block pasted twice (last year's form below): which one is meant is not ours to guess
            parsed.error(f"feltet står to ganger i arket (rad {rows[f.key]} og rad {index + 1}, her med "
                         f"«{shown(raw)}»); fjern den ene", sheet, index + 1, f.label)
            continue
        try:
            values[f.key] = converter.convert(f, raw)
        except ValueProblem as problem:
            parsed.error(problem.expected, sheet, index + 1, f.label, raw)
            values[f.key] = None
        rows[f.key] = index + 1
    for f in SUBMISSION.fields:
        if f.required and values.get(f.key) is None and not _already_reported(parsed, sheet, rows.get(f.key)):
            parsed.error(required_message(f) if f.key in rows else f"feltet «{f.label}» mangler i arket",
                         sheet, rows.get(f.key), f.label)
    _check_no_plans_fields(parsed, sheet, values, rows)
    return values, rows


def _label_and_value(cell: object, lookup: dict[str, Field]) -> tuple[Field, str] | None:
    """The field and value of a cell holding both, as «Virksomhet: Husbanken» or «Oppstartsår: 2024»; None for any
    other cell (a title, or a text whose words before a colon are no label of the form)."""
    if type(cell) is not str or ":" not in cell:
        return None
    label, _, value = cell.partition(":")
    f = lookup.get(label_key(label))
    return (f, value.strip()) if f is not None and value.strip() else None


def _already_reported(parsed: ParsedFile, sheet: str, row: int | None) -> bool:
    """Whether an error was already recorded for this sheet and row."""
    return row is not None and any(p.sheet == sheet and p.row == row for p in parsed.errors)


def check_union_involvement(parsed: ParsedFile, sheet: str, fields: dict, row: int | None) -> None:
    """With plans, how the union representatives are involved is expected: warn when it is blank."""
    if fields.get("has_plans") is True and not fields.get("union_involvement"):
        parsed.warn("er tomt; departementet forventer også ved Ja å få vite hvordan de tillitsvalgte er involvert",
                    sheet, row, SUBMISSION.field("union_involvement").label)


def _check_no_plans_fields(parsed: ParsedFile, sheet: str, values: dict, rows: dict,
                           complete: bool = True) -> None:
    """With no plans, the assessment and the union involvement are required; with plans, involvement is expected.

    complete is False for a Piloter CSV: a blank there keeps the version before's text, so the
    import, which knows that version, checks the involvement (importer._Planner).
    """
    if complete:
        check_union_involvement(parsed, sheet, values, rows.get("union_involvement"))
    if values.get("has_plans") is False:
        for key in ("assessment", "union_involvement"):
            if not values.get(key):
                f = SUBMISSION.field(key)
                parsed.error(f"påkrevd når «Har planer om piloter» er Nei: {f.help.split(': ', 1)[-1]}",
                             sheet, rows.get(key), f.label)


def _read_data_sheet(parsed: ParsedFile, found: dict, table: Table, converter: Converter) -> list[dict] | None:
    """One data sheet's rows; [] when the sheet is absent, None when its header is unusable."""
    if table.key not in found:
        return []
    sheet, grid = found[table.key]
    if all(_nothing_to_read(row) for row in grid):
        return []
    header = find_header(grid, table.fields)
    if header is None:
        parsed.error("fant ingen overskriftsrad med skjemaets kolonner i de første ti radene: "
                     + ", ".join(f.label for f in table.fields if f.required), sheet)
        return None
    if not check_header(parsed, sheet, header, table.fields, grid):
        return None
    return read_table(parsed, grid, sheet, header, table.fields, converter)


def parse_workbook(parsed: ParsedFile, reference: Reference) -> None:
    """Read a filled-in form: Innsending, Piloter, Milepæler and Budsjett."""
    converter = Converter(reference)
    sheets = read_workbook(parsed.content, reference.settings.limits, _worth_reading)
    if not any(_named_as_innsending(name) for name in sheets) and (in_csv_layout := _csv_table_in(sheets)):
        # a CSV's table filled in in Excel and saved as a workbook: «Innsending mangler», or «gi arket navnet
        # Piloter» (after which Innsending was still missing), said nothing of what it was
        name, table = in_csv_layout
        parsed.error(f"arbeidsboken har ikke arket «{SUBMISSION.sheet}», men arket «{name}» har tabellen "
                     f"{table.sheet} slik en CSV-fil har den, med kolonnene Virksomhet og Oppstartsår på hver rad. "
                     "Lagre arket som CSV (Fil › Lagre som, filtype «CSV (semikolondelt)») og importer CSV-filen, "
                     f"eller bruk rapporteringsskjemaet, som har arket «{SUBMISSION.sheet}»")
        return
    found, renamed = _find_sheets(parsed, sheets)
    for name, grid in found.values():
        if isinstance(grid, SheetGrid):
            _check_sheet_marks(parsed, name, grid)
    if "submission" not in found:
        if "submission" not in renamed:
            parsed.error(f"arket «{SUBMISSION.sheet}» mangler; det sier hvem som rapporterer og for hvilket år")
        return
    values, rows = _read_submission_sheet(parsed, *found["submission"], converter)
    if values.get("agency") and values.get("start_year"):
        parsed.reported_for = [f"{values['agency']} {values['start_year']}"]
    pilots = _read_data_sheet(parsed, found, PILOTS, converter)
    milestones = _read_data_sheet(parsed, found, MILESTONES, converter)
    budget = _read_data_sheet(parsed, found, BUDGET, converter)
    if pilots is None or milestones is None or budget is None:
        return
    psheet = found.get("pilots", (PILOTS.sheet,))[0]
    msheet = found.get("milestones", (MILESTONES.sheet,))[0]
    bsheet = found.get("budget", (BUDGET.sheet,))[0]
    check_pilots(parsed, psheet, pilots)
    if isinstance(values.get("start_year"), int):
        check_pilots_start_in_round(parsed, found["submission"][0], values["start_year"], pilots,
                                    rows.get("start_year"), SUBMISSION.field("start_year").label)
    check_milestones(parsed, msheet, milestones)
    judge_slashed_dates(parsed)
    if "pilots" not in found and "pilots" not in renamed:  # deleted: one error per sheet, not one per row
        for sheet, referring in ((msheet, milestones), (bsheet, budget)):
            if referring:
                count = f"{len(referring)} {'rad' if len(referring) == 1 else 'rader'}"
                parsed.error(f"arket har {count} som viser til piloter, men arbeidsboken har ikke arket «{psheet}»; "
                             "legg arket inn igjen fra rapporteringsskjemaet og fyll det ut", sheet)
    elif "pilots" not in renamed:  # a renamed Piloter sheet is reported once, not on every row that names a pilot
        resolve_pilots(parsed, msheet, milestones, pilots)
        resolve_pilots(parsed, bsheet, budget, pilots)
        warn_of_milestones_outside(parsed, msheet, pilots, milestones)
    if "pilots" not in renamed:
        # a budget amount that could not be read is missing from its pilot's sum: that warning would be false
        total = PILOTS.field("budget_total_nok").label
        if not any(p.sheet == bsheet or (p.sheet, p.column) == (psheet, total) for p in parsed.errors):
            check_budget_sums(parsed, bsheet, pilots, budget, psheet)
        _check_plans_match_rows(parsed, found["submission"][0], values, pilots, psheet, rows.get("has_plans"),
                                sheet_missing="pilots" not in found)
    if parsed.errors:
        return
    fields = {k: values.get(k) for k in SUBMISSION_FIELD_KEYS}
    absent = tuple(t.key for t in (MILESTONES, BUDGET) if t.key not in found)
    parsed.submissions.append(SubmissionData(values["agency"], values["start_year"], fields,
                                             pilots, milestones, budget, rows.get("start_year"),
                                             rows.get("submitted_on"), absent))


def _named_as_innsending(name: str) -> bool:
    """Whether a sheet is named Innsending, or close to it (_form_sheets_like)."""
    key = label_key(name)
    return FORM_SHEET_KEYS.get(key) == SUBMISSION.key or bool(_form_sheets_like(key, [label_key(SUBMISSION.sheet)]))


def _csv_table_in(sheets: dict[str, Grid | None]) -> tuple[str, Table] | None:
    """The first sheet read that holds a data table as a CSV file has it (Virksomhet and Oppstartsår as columns, and
    the table's required ones), with that table."""
    for name, grid in sheets.items():
        for table in DATA_TABLES if grid else ():
            header = find_header(grid, _csv_fields(table))
            needed = (*CSV_KEY_FIELDS, *(f for f in table.fields if f.required))
            if header is not None and all(f.key in header.columns for f in needed):
                return name, table
    return None


def _check_sheet_marks(parsed: ParsedFile, name: str, grid: SheetGrid) -> None:
    """Say that a hidden sheet of the form was read, and refuse error values that name no cell (they cannot be
    told from a blank)."""
    if grid.hidden:
        parsed.warn("arket er skjult i Excel, men det er dette arket som ble lest; vis det og sjekk innholdet, "
                    "eller slett det hvis det er en gammel kopi", name)
    if grid.unplaced_errors:
        parsed.error(f"arket har feilverdier fra Excel ({', '.join(sorted(set(grid.unplaced_errors)))}) i celler "
                     "uten adresse, så de kan ikke skilles fra tomme celler; rett formlene og lagre filen på nytt i "
                     "Excel", name)


def _check_plans_match_rows(parsed: ParsedFile, sheet: str, values: dict, pilots: list[dict], psheet: str,
                            row: int | None = None, sheet_missing: bool = False, rows_of: str = "") -> None:
    """«Har planer om piloter» must agree with whether Piloter has rows (and, for a workbook, is there at all).

    rows_of: in a CSV, whose rows these are («Husbanken 2024»): the CSV has no sheet to name, and may hold many.
    """
    label = SUBMISSION.field("has_plans").label
    if values.get("has_plans") is True and sheet_missing:
        # a deleted Piloter sheet was «arket «Piloter» har ingen piloter», as if it were there and empty
        parsed.error(f"«{label}» er Ja, men arbeidsboken har ikke arket «{psheet}»; legg arket inn igjen fra "
                     "rapporteringsskjemaet og fyll det ut, eller svar Nei", sheet, row, label)
    elif values.get("has_plans") is True and not pilots:
        if rows_of:  # in a CSV: the answer found, at its row
            parsed.error(f"Nei, for ingen av radene for {rows_of} har en pilot (eller fyll ut pilotkolonnene)",
                         sheet, row, label, "Ja")
        else:
            parsed.error(f"«{label}» er Ja, men arket «{psheet}» har ingen piloter; fyll ut Piloter eller svar Nei",
                         sheet, row, label)
    if values.get("has_plans") is False and pilots:
        count = f"{len(pilots)} {'pilot' if len(pilots) == 1 else 'piloter'}"
        if rows_of:
            parsed.error(f"Ja, for radene for {rows_of} har {count} (eller fjern pilotene)", sheet, row, label, "Nei")
        else:
            parsed.error(f"«{label}» er Nei, men arket «{psheet}» har {count}; svar Ja eller fjern dem",
                         sheet, row, label)


# ---------------------------------------------------------------------------------------
# CSV

CSV_DELIMITERS = (";", ",", "\t")
CSV_SHEET = "CSV"


def _csv_fields(table: Table) -> tuple[Field, ...]:
    """A CSV table's columns: the keys every row carries, then the table's own."""
    extra = CSV_PILOT_EXTRA_FIELDS if table.key == "pilots" else ()
    return (*CSV_KEY_FIELDS, *extra, *table.fields)


_SEP_LINE = re.compile(r"sep=(.)[ \t]*\r?\n", re.IGNORECASE)  # «sep=;», which Excel writes and reads


def _best_csv_layout(text: str) -> tuple[Grid, Table, Header, str] | None:
    """The delimiter and table whose header row matches best, and the file split at that delimiter.

    The delimiter is chosen from the first rows alone (at a wrong one, a long row can be one
    cell too long to read); only the chosen one splits the whole file, so a row it cannot
    read is refused with that delimiter's row number.
    """
    best: tuple[int, str, Table, Header] | None = None
    delimiters, lines_before = CSV_DELIMITERS, 0
    if declared := _SEP_LINE.match(text):  # Excel takes the line as the delimiter to use, and does not show it
        text, lines_before = text[declared.end():], 1
        delimiters = (declared[1],) if declared[1] in CSV_DELIMITERS else CSV_DELIMITERS
    for delimiter in delimiters:
        head = first_csv_rows(text, delimiter, HEADER_SEARCH_ROWS)
        for table in DATA_TABLES:
            header = find_header(head, _csv_fields(table))
            if header is None:
                continue
            own = sum(1 for f in table.fields if f.key in header.columns)
            required = sum(1 for f in table.fields if f.required and f.key in header.columns)
            score = required * 100 + own * 10 + len(header.columns)
            if best is None or score > best[0]:
                best = (score, delimiter, table, header)
    if best is None:
        return None
    _, delimiter, table, header = best
    return split_csv(text, delimiter, lines_before), table, header, delimiter


def parse_csv(parsed: ParsedFile, reference: Reference) -> None:
    """Read one CSV table (Piloter, Milepæler or Budsjett), every row carrying its agency and year."""
    converter = Converter(reference)
    layout = _best_csv_layout(decode_text(parsed.content))
    if layout is None:
        parsed.error("fant ingen overskriftsrad med skjemaets kolonner i de første ti radene (Piloter, "
                     "Milepæler eller Budsjett, med Virksomhet og Oppstartsår)", CSV_SHEET)
        return
    grid, table, header, delimiter = layout
    _mark_csv_errors(grid)
    parsed.table = table.key
    sheet = f"CSV ({table.sheet})"
    fields = _csv_fields(table)
    own_keys = tuple(f.key for f in table.fields) if table.key == "pilots" else ()
    # a report of no plans, with Innsending's columns and none of a pilot's: the form's «Nei» has no pilot rows
    no_pilot_columns = (table.key == "pilots" and "has_plans" in header.columns
                        and not set(own_keys) & set(header.columns))
    if table.key == "pilots":  # of the Innsending fields, a Piloter CSV must carry only Innsendt dato
        extra = {f.key for f in CSV_PILOT_EXTRA_FIELDS}
        fields = tuple(replace(f, required=f.key == "submitted_on") if f.key in extra
                       else replace(f, required=False) if no_pilot_columns and f.key in own_keys else f
                       for f in fields)
    checked = tuple(f for f in fields if f.key not in own_keys) if no_pilot_columns else fields  # none to miss
    if not check_header(parsed, sheet, header, checked, grid):
        return
    errors_before = len(parsed.errors)
    rows = read_table(parsed, grid, sheet, header, fields, converter, optional_when_blank=own_keys)
    if no_pilot_columns:  # a row answering Ja has pilots to report, and nowhere to write them; a blank is Nei
        label, needed = SUBMISSION.field("has_plans").label, [f"«{f.label}»" for f in table.fields if f.required]
        for row in rows:
            if row.get("has_plans") is True:
                who = f"{row['agency']} " if row.get("agency") else ""
                parsed.error(f"Nei i en CSV uten pilotkolonnene; har {who}planer, ta med kolonnene "
                             f"{', '.join(needed[:-1])} og {needed[-1]} og fyll dem ut", sheet, row["_row"], label,
                             "Ja")
    _explain_shifted_rows(parsed, grid, sheet, header, delimiter, errors_before)
    _refuse_swallowed_rows(parsed, grid, sheet, header, delimiter)
    _warn_of_short_rows(parsed, grid, sheet, header, delimiter)
    groups: dict[tuple[str, int], list[dict]] = {}
    for row in rows:
        if row.get("agency") and row.get("start_year"):
            groups.setdefault((row["agency"], row["start_year"]), []).append(row)
    if not rows:
        parsed.error("CSV-filen har ingen datarader under overskriftsraden", sheet, header.row_index + 1)
    parsed.row_reports = {row["_row"]: f"{agency} {year}" for (agency, year), group in groups.items() for row in group}
    parsed.first_data_row = header.row_index + 2
    for (agency, year), group in groups.items():
        _csv_submission(parsed, sheet, table, agency, year, group, pilot_columns=not no_pilot_columns)
    judge_slashed_dates(parsed)
    if parsed.errors:
        parsed.refused_submissions[:] = parsed.submissions
        parsed.submissions.clear()


def _explain_shifted_rows(parsed: ParsedFile, grid: Grid, sheet: str, header: Header, delimiter: str,
                          errors_before: int) -> None:
    """Say why a row with content right of the header's last column has errors, before them: a delimiter in a text
    without quotes around it moves every cell after it one column to the right. Without it the agency read «fant
    «Halvere saksbehandlingstiden», forventet Ja eller Nei», «fant «Nei», forventet en dato» … of cells it wrote
    right."""
    width = _filled_width(grid[header.row_index])
    first_error: dict[int, Problem] = {}
    columns: dict[int, set] = {}  # the columns with errors, per row
    for problem in parsed.errors[errors_before:]:
        if problem.sheet == sheet and problem.row is not None:
            first_error.setdefault(problem.row, problem)
            columns.setdefault(problem.row, set()).add(problem.column)
    shown_delimiter = {"\t": "tabulator"}.get(delimiter, f"«{delimiter}»")
    before: dict[int, Problem] = {}  # id of a row's first error → the explanation to put before it
    for row_number, problem in first_error.items():
        filled = _filled_width(grid[row_number - 1])
        # moved cells go wrong in several columns at once: one error beside a note right of the table is that error
        if filled > width and len(columns[row_number]) >= 2:
            moved = {1: "én kolonne", 2: "to kolonner", 3: "tre kolonner"}.get(filled - width,
                                                                              f"{filled - width} kolonner")
            before[id(problem)] = Problem(
                parsed.name, f"raden har {filled} celler, men overskriftsraden har {width}: står det "
                f"{shown_delimiter} i en tekst uten anførselstegn rundt, er cellene etter den flyttet {moved} til "
                "høyre, og de andre feilene på raden kommer av det. Sett teksten i anførselstegn (\"…\"), eller "
                "lagre filen på nytt fra Excel", sheet, row_number)
    if before:  # one pass: an insert per row, each finding its place by comparing problems, took 25 s at 8 000 rows
        parsed.problems[:] = [placed for problem in parsed.problems
                              for placed in ((before[id(problem)], problem) if id(problem) in before else (problem,))]


SHORT_ROWS_NAMED = 3  # besides the first


def _warn_of_short_rows(parsed: ParsedFile, grid: Grid, sheet: str, header: Header, delimiter: str) -> None:
    """Warn of rows with fewer fields than the header: their last columns are read as blank. Excel writes every
    field, so a short row was cut (a file cut off in sending, fields deleted by hand); it was stored without a word."""
    labels = grid[header.row_index]
    read = sorted(header.columns.values())  # a column not read (an agency's own, a blank one) is nothing to miss
    width = read[-1] + 1
    short = [(index + 1, len(row)) for index, row in enumerate(grid[header.row_index + 1:], header.row_index + 1)
             if len(row) < width and not _nothing_to_read(row)]
    if not short:
        return
    row_number, fields = short[0]
    first_missing = next(col for col in read if col >= fields)
    others = ", ".join(str(r) for r, _ in short[1:SHORT_ROWS_NAMED + 1])
    if others:
        more = f" og {len(short) - 1 - SHORT_ROWS_NAMED} til" if len(short) > SHORT_ROWS_NAMED + 1 else ""
        others = f" (det samme gjelder {'rad' if len(short) == 2 else 'radene'} {others}{more})"
    shown_delimiter = {"\t": "tabulator"}.get(delimiter, f"«{delimiter}»")
    warning = Problem(
        parsed.name, f"raden har {fields} celler, men overskriftsraden har {_filled_width(labels)}, så kolonnene fra "
        f"«{shown(labels[first_missing])}» og utover leses som tomme{others}"
        f". Er filen kuttet, eller er celler og {shown_delimiter} slettet, send den på nytt fra Excel",
        sheet, row_number, is_warning=True)
    # before the row's errors («påkrevd, men tomt»), which it explains
    at = next((i for i, p in enumerate(parsed.problems) if p.sheet == sheet and p.row == row_number),
              len(parsed.problems))
    parsed.problems.insert(at, warning)


def _refuse_swallowed_rows(parsed: ParsedFile, grid: Grid, sheet: str, header: Header, delimiter: str) -> None:
    """Refuse a cell that holds a whole row of the file: a quote that opens a cell and is not closed on its line
    makes every line up to the next quote part of that cell. A file of two pilots was imported as one, the second
    inside the first's «Evaluering og gevinstmåling», without a word.

    A line of the cell after its first holding a delimiter for every column of the header is such a row: text
    people write has line breaks, but not a row's worth of delimiters on one line.
    """
    width = _filled_width(grid[header.row_index])
    if width < 3:
        return
    labels = {index: str(grid[header.row_index][index]).strip() for index in range(width)}
    for row_index in range(header.row_index + 1, len(grid)):
        for col, cell in enumerate(grid[row_index]):
            if not isinstance(cell, str) or "\n" not in cell:
                continue
            swallowed = next((line for line in cell.splitlines()[1:] if line.count(delimiter) >= width - 1), None)
            if swallowed is not None:
                parsed.error(f"en celle som slutter på sin egen rad: anførselstegnet («\"») foran den lukkes ikke, så "
                             f"linjen «{shown(swallowed)}» ble lest inn i cellen i stedet for som en egen rad. Fjern "
                             "anførselstegnet, eller sett et til der teksten i cellen slutter",
                             sheet, row_index + 1, labels.get(col), cell)
                break


def _filled_width(row: list[object]) -> int:
    """The cells of a row up to its last filled one: Excel pads every row of a CSV with empty cells to its widest."""
    return max((col for col, cell in enumerate(row) if not is_blank(cell)), default=-1) + 1


# What Excel writes to a CSV for a cell showing an error: the error's code, as text.
EXCEL_ERROR_CODES = frozenset(("#N/A", "#REF!", "#DIV/0!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!",
                               "#CALC!", "#GETTING_DATA",
                               # as a Norwegian Excel writes them into a CSV: «#I/T» was kept as a pilot's goals
                               "#I/T", "#VERDI!", "#NAVN?", "#TALL!", "#SØL!", "#BEREGN!", "#HENTER_DATA"))


def _mark_csv_errors(grid: Grid) -> None:
    """A CSV cell holding just an Excel error code is that error (a CellError), as in a workbook: saved from Excel,
    a failed lookup is «#N/A» in the text, and a text field would otherwise keep it as the pilot's text."""
    for row in grid:
        for index, cell in enumerate(row):
            if cell[:1] == "#" and cell.strip() in EXCEL_ERROR_CODES:
                row[index] = CellError(cell.strip())


def _as_written(value: object) -> str:
    """A read Innsending value in the form's words: Ja or Nei, 30.10.2023."""
    return ("Ja" if value else "Nei") if isinstance(value, bool) else shown(value)


def _csv_submission(parsed: ParsedFile, sheet: str, table: Table, agency: str, year: int, rows: list[dict],
                    pilot_columns: bool = True) -> None:
    """One agency's rows of a CSV as a submission holding that one table (pilot_columns: whether a Piloter CSV has
    them; without them, a Ja is told as such in parse_csv, not as «ingen av radene har en pilot» too)."""
    first_row = rows[0]["_row"]
    if table.key != "pilots":
        if table.key == "milestones":
            check_milestones(parsed, sheet, rows)
        data = SubmissionData(agency, year, {}, year_row=first_row)
        setattr(data, table.key, rows)
        parsed.submissions.append(data)
        return
    values: dict[str, object] = {}
    for key in SUBMISSION_FIELD_KEYS:
        seen = [(r[key], r["_row"]) for r in rows if r.get(key) not in (None, "")]
        if seen and any(v != seen[0][0] for v, _ in seen):
            other, row = next((v, r) for v, r in seen if v != seen[0][0])
            parsed.error(f"samme verdi på alle rader for {agency} {year} (rad {seen[0][1]} har "
                         f"«{_as_written(seen[0][0])}»)", sheet, row, SUBMISSION.field(key).label, _as_written(other))
        values[key] = seen[0][0] if seen else None
    pilots = [r for r in rows if r.get("pilot_name")]
    if values["has_plans"] is None:
        values["has_plans"] = bool(pilots)
    # a field the CSV leaves out is missing on every row of the agency and year: the first one is named
    _check_no_plans_fields(parsed, sheet, values, dict.fromkeys(SUBMISSION_FIELD_KEYS, first_row), complete=False)
    check_pilots(parsed, sheet, pilots)
    said = next((r["_row"] for r in rows if r.get("has_plans") not in (None, "")), first_row)  # where it is answered
    if pilot_columns:
        _check_plans_match_rows(parsed, sheet, values, pilots, sheet, said, rows_of=f"{agency} {year}")
    check_pilots_start_in_round(parsed, sheet, year, pilots, first_row, SUBMISSION.field("start_year").label)
    parsed.submissions.append(SubmissionData(agency, year, values, pilots=pilots, year_row=first_row,
                                             date_row=first_row))


# ---------------------------------------------------------------------------------------


def parse_file(name: str, content: bytes, reference: Reference) -> ParsedFile:
    """Read and validate one file; never raises for bad input, problems are in the result."""
    parsed = ParsedFile(name=name, content=content)
    try:
        parsed.kind = file_kind(name)
        check_size(content, reference.settings.limits)
        if parsed.kind == "xlsx":
            parsed.table = "workbook"
            parse_workbook(parsed, reference)
        else:
            parse_csv(parsed, reference)
    except UnreadableFile as exc:
        parsed.error(str(exc))
    if not parsed.errors and not parsed.submissions:
        parsed.error("filen inneholder ingen innsending (ingen rader med Virksomhet og Oppstartsår)")
    parsed.slashed_dates.clear()  # judged, or left unjudged by a file refused before its tables were read
    if parsed.errors:
        parsed.submissions.clear()
    return parsed
