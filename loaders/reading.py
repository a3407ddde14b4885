"""Raw reading: the bytes of an .xlsx or .csv file into grids of cell values.

Nothing here knows the form; it only turns bytes into rows, keeping row numbers as the
user sees them in Excel (grid index + 1), and refuses what cannot be read with a message.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import functools
import html
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

from loaders.values import (
    MONTH_NAMES,
    OTHER_CURRENCY,
    CellError,
    FormulaWithoutValue,
    Percent,
    ShownYear,
    format_number,
)

Grid = list[list[object]]


class UnreadableFile(Exception):
    """The file cannot be read at all; the message says why, in Norwegian."""


@dataclass(frozen=True)
class Limits:
    """How large a file may be before it is refused unread."""

    max_file_bytes: int = 20 * 1024 * 1024
    max_unpacked_bytes: int = 200 * 1024 * 1024


# LibreOffice's own format, which its users send unless told otherwise
OPEN_DOCUMENT_KIND = "et OpenDocument-regneark (.ods, fra LibreOffice eller OpenOffice)"
OPEN_DOCUMENT_SAVE = "lagre det som Excel-arbeidsbok (Fil › Lagre som, filtype «Excel 2007-365 (.xlsx)»)"
OPEN_DOCUMENT = f"{OPEN_DOCUMENT_KIND}, som ikke kan leses; {OPEN_DOCUMENT_SAVE}"


def file_kind(name: str) -> str:
    """'xlsx' or 'csv' from the file name; anything else is refused."""
    lower = name.lower()
    if lower.endswith((".xlsx", ".xlsm")):
        return "xlsx"
    if lower.endswith((".csv", ".txt")):
        return "csv"
    if lower.endswith(".xls"):
        raise UnreadableFile("gammelt Excel-format (.xls), som ikke kan leses; åpne filen i Excel og lagre den som "
                             "Excel-arbeidsbok (.xlsx)")
    if lower.endswith((".ods", ".fods")):
        raise UnreadableFile(OPEN_DOCUMENT)
    raise UnreadableFile("filtypen støttes ikke: forventet en Excel-arbeidsbok (.xlsx) eller CSV (.csv)")


def check_size(content: bytes, limits: Limits) -> None:
    """Refuse empty files and files over the size limit before reading them."""
    if not content:
        raise UnreadableFile("filen er tom (0 byte)")
    if len(content) > limits.max_file_bytes:
        raise UnreadableFile(
            f"filen er {megabytes(len(content))} MB; grensen er {megabytes(limits.max_file_bytes)} MB per fil. "
            "Del den opp, eller send én fil per virksomhet"
        )


PEEK = "peek"  # wanted's answer for a sheet to read only if it is small enough (see read_workbook)


def read_workbook(content: bytes, limits: Limits,
                  wanted: Callable[[str, Sequence[str]], bool | str] | None = None) -> dict[str, Grid | None]:
    """Every sheet of a workbook as a grid, sheet name → rows; None for a sheet not wanted (it is not read).

    wanted(name, names) tells whether to read a sheet, given the names of all the workbook's sheets: True, False,
    or PEEK, to read it only if it is not too large to read (a sheet looked at for a form table's header: one that
    is too large holds no table of the form, and is left unread rather than refusing the file).

    A grid starts at A1 (row index + 1 is the Excel row); a cell holding an Excel error is a CellError, a formula
    without a value (or with a placeholder's) a FormulaWithoutValue, and a number cell is read as its format shows
    it where that differs (a percentage, an amount in thousands or millions, a date shown as its month: _Shown).
    """
    members = _check_zip(content, limits)
    marks, too_large = _scan_sheets(content, members, wanted)
    reading = None  # the sheet being read, for a message if it cannot be
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        grids: dict[str, Grid | None] = {}
        merges: dict[str, list[tuple[int, int, int, int]]] = {}
        for name in book.sheet_names:
            if (wanted is not None and not wanted(name, book.sheet_names)) or name in too_large:
                grids[name] = None
                continue
            reading = name
            sheet = book.get_sheet_by_name(name)
            grids[name] = sheet.to_python(skip_empty_area=False)
            merged = [(first, last, col, last_col) for (first, col), (last, last_col) in sheet.merged_cell_ranges or ()
                      if last > first or last_col > col]
            if merged:
                merges[name] = merged
        hidden = {m.name for m in book.sheets_metadata if m.visible != SheetVisibleEnum.Visible}
        reading = None
        if marks or hidden or merges:
            _mark(content, marks, hidden, merges, grids)
        return grids
    except (CalamineError, ValueError, OSError) as exc:
        if "password" in str(exc).lower() or type(exc).__name__ == "PasswordError":
            raise UnreadableFile("arbeidsboken er passordbeskyttet; lagre den uten passord") from None
        raise UnreadableFile(_unreadable(reading, exc)) from None
    except BaseException as exc:  # a panic in calamine's Rust, which is no Exception: one file, not the batch
        if type(exc).__name__ != "PanicException":
            raise
        raise UnreadableFile(_unreadable(reading, exc)) from None


def _unreadable(sheet: str | None, exc: BaseException) -> str:
    """Why a workbook cannot be read, naming the sheet that could not be where it was one: «(t)» alone, calamine's
    word for a damaged sheet, told nobody where or what to do."""
    where = (f"arket «{sheet}» er skadet og kan ikke leses" if sheet else
             "filen kan ikke leses som en Excel-arbeidsbok (er den skadet, eller ikke kommet fram hel?)")
    detail = _short(exc)  # for whoever helps: calamine's «t» or «Cannot detect file format» says nothing to others
    return f"{where}; åpne filen i Excel og lagre den på nytt, eller be om den på nytt" + (
        f" (teknisk feilmelding: {detail})" if len(detail) > 3 else "")


def _check_zip(content: bytes, limits: Limits) -> list[Member] | None:
    """An .xlsx is a zip: refuse what is no zip, is truncated, or unpacks to too much.

    Returns the members as the central directory lists them, or None where zipfile had to judge.
    """
    members = _members(content)
    listing = _listing(members) if members is not None else None
    if listing is None:  # not the plain layout Excel writes (zip64, a comment, damage): let zipfile judge
        listing = _zipfile_listing(content)
    unpacked, names = listing
    if "xl/workbook.xml" not in names:
        if "content.xml" in names and b"opendocument.spreadsheet" in content[:200]:  # its first member: «mimetype»
            raise UnreadableFile(f"filen er {OPEN_DOCUMENT_KIND}, selv om navnet slutter på .xlsx; "
                                 f"{OPEN_DOCUMENT_SAVE}")
        raise UnreadableFile("filen er en zip-fil, men ikke en Excel-arbeidsbok (.xlsx)")
    if unpacked > limits.max_unpacked_bytes:
        raise UnreadableFile(
            f"arbeidsboken pakker seg ut til {megabytes(unpacked)} MB; "
            f"grensen er {megabytes(limits.max_unpacked_bytes)} MB"
        )
    return members


_END = struct.Struct("<4s4H2LH")  # end of central directory: signature, disks, entries, size, offset, comment
_ENTRY = struct.Struct("<4s6H3L5H2L")  # a central directory entry, up to its file name
_LOCAL = struct.Struct("<4s5H3L2H")  # a member's local header, up to its file name


class Member(NamedTuple):
    """A zip member as the central directory lists it."""

    name: str
    method: int  # 0 stored, 8 deflated
    compressed: int
    unpacked: int
    offset: int  # of its local header


def _central_directory(content: bytes) -> tuple[int, set[str]] | None:
    """Unpacked size and member names from the zip's central directory, read directly.

    For the layout Excel and openpyxl write: no archive comment, no zip64, one disk, no extra
    fields. Anything else, and anything that does not add up, gives None, and zipfile reads the
    file instead.
    The listing is the same as zipfile's for the files it accepts.
    """
    members = _members(content)
    return _listing(members) if members is not None else None


def _listing(members: list[Member]) -> tuple[int, set[str]]:
    return sum(m.unpacked for m in members), {m.name for m in members}


def _members(content: bytes) -> list[Member] | None:
    """The central directory's entries, for the plain layout (see _central_directory); None for any other."""
    if len(content) < _END.size:
        return None
    end = len(content) - _END.size
    signature, disk, cd_disk, _, entries, cd_size, cd_offset, comment = _END.unpack_from(content, end)
    if (signature != b"PK\x05\x06" or comment or disk or cd_disk or entries == 0xFFFF
            or cd_offset + cd_size != end or (end >= 20 and content[end - 20:end - 16] == b"PK\x06\x07")):
        return None  # the last test: a zip64 locator just before, which zipfile would follow
    members, at = [], cd_offset
    for _ in range(entries):
        if at + _ENTRY.size > len(content):
            return None
        fields = _ENTRY.unpack_from(content, at)
        name_length, extra_length, comment_length = fields[10:13]
        if (fields[0] != b"PK\x01\x02" or fields[2] > zipfile.MAX_EXTRACT_VERSION or 0xFFFFFFFF in fields[8:10]
                or extra_length):  # what zipfile checks besides: a version it cannot extract, its extra fields
            return None
        start = at + _ENTRY.size
        try:
            raw = content[start:start + name_length]
            name = raw.decode("utf-8" if fields[3] & 0x800 else "ascii" if raw.isascii() else "cp437")
        except UnicodeDecodeError:  # a name flagged as UTF-8 that is not: zipfile refuses it with the rest
            return None
        # as zipfile: a name ends at its first NUL
        members.append(Member(name.partition("\x00")[0], fields[4], fields[8], fields[9], fields[16]))
        at = start + name_length + extra_length + comment_length
    return members if at == cd_offset + cd_size else None


# calamine lays a sheet out as a grid from its first cell with content to its last: one stray
# character in XFD1048576 asks it for 17 billion cells, and the process dies on the allocation
# (taking the rest of an import, or the dashboard's server, with it). 2 million cells are
# 64 MB to calamine and far more than any table of the form.
MAX_SHEET_CELLS = 2_000_000
# A sheet whose every row and cell names its place, none past column FZ (182) or row 9 999, lays out at most
# 1 819 818 cells: these find what is not such a sheet, each from fixed text (_extent).
_FAR_PLACE = re.compile(rb"""r=["']\$?(?:[A-Z]{3}|[G-Z][A-Z]|[A-Z]{0,2}\$?\d{5})""")
_UNPLACED_CELL = re.compile(rb"<c(?=[\s>/])(?! r=)")
_UNPLACED_ROW = re.compile(rb"<row(?=[\s>/])(?! r=)")
_PREFIXED = re.compile(rb"<\w+:(?:c|row)[\s>/]")  # <x:c>, as the .NET OpenXML SDK writes: walked
# Every pattern over a sheet's XML runs in time linear in its length, whatever the XML holds: a tag's
# attributes are taken whole and at most 1 000 bytes (possessively: never tried again shorter), a formula is
# at most Excel's 8 192 characters, and what is looked for in the attributes is looked for after. With
# open-ended repeats, a workbook of 7 kB of unclosed tags took 10 s to look at.
_ATTRIBUTES = rb"([^>]{0,1000}+)(?<!/)>"  # a start tag's attributes, not those of an empty element (<c …/>)
_FORMULA = rb"(?:<(?:\w+:)?f\b[^>]{0,1000}+(?:(?<=/)>|>[^<]{0,8192}+</(?:\w+:)?f>))?"
_VALUED_CELL = re.compile(  # a cell with a value: calamine skips a cell that only keeps a format
    rb"<(?:\w+:)?c\b" + _ATTRIBUTES + _FORMULA + rb"<(?:\w+:)?(?:v|is)\b")
# Rows and cells with or without a namespace prefix, in order; the third group holds a cell's value's start (a
# formula may come before it), empty for a row and for a cell without a value.
_ROW_OR_CELL = re.compile(rb"<(?:\w+:)?(row|c)\b([^>]{0,1000}+)>((?:" + _FORMULA + rb"<(?:\w+:)?(?:v|is)\b)?)")


class SheetGrid(list):
    """A sheet's grid that Excel shows otherwise than it is read: the sheet or rows of it hidden, cells merged
    down a column (Excel keeps the value in the first cell only, yet shows it on every row) or across columns,
    or error values that name no cell.

    read_workbook gives one only for such a sheet (any other is a plain list); the form's reader,
    which knows where the header is, decides what that means for the rows it reads.
    """

    hidden: bool = False
    hidden_rows: tuple[int, ...] = ()  # row indices (Excel's row numbers - 1)
    hidden_columns: frozenset[int] = frozenset()  # column indices (A is 0)
    merged_down: tuple[tuple[int, int, int], ...] = ()  # (first row index, last row index, column index)
    # cells merged across columns (Excel keeps the value in the first column only): (first row, last row, first
    # column, last column) indices
    merged_across: tuple[tuple[int, int, int, int], ...] = ()
    unplaced_errors: tuple[str, ...] = ()  # error values (#N/A) in cells without a reference


@dataclass
class _Marks:
    """What one sheet's XML shows that calamine's values do not."""

    errors: list[tuple[int, int, str]] = field(default_factory=list)  # (row index, column index, as Excel shows it)
    hidden_rows: list[int] = field(default_factory=list)
    hidden_columns: frozenset[int] = frozenset()
    shown: list[tuple[int, int, _Shown]] = field(default_factory=list)  # number cells to read as shown
    # formula cells without a value: (row index, column index, formula, the value calamine reads there)
    uncomputed: list[tuple[int, int, str, object]] = field(default_factory=list)


def _scan_sheets(content: bytes, members: list[Member] | None,
                 wanted: Callable[[str, Sequence[str]], bool | str] | None) -> tuple[dict[str, _Marks], set[str]]:
    """Look at every sheet's XML once before calamine reads it: refuse a sheet to be read that reaches far
    beyond any table, and find the cells holding an Excel error (calamine reads those as blank), the
    hidden rows, the number cells to read as shown (a percentage, an amount in thousands or millions, a
    date shown as its month) and the formulas without a value (calamine reads those as blank too).

    A sheet's extent is found from its cells (_extent), never from its dimension element, which a
    file can get wrong. Returns the
    marks by sheet part, for the parts that have any, and the names of the sheets only to peek at
    (PEEK) that are too large to read.
    """
    too_large: dict[str, tuple[int, int, str]] = {}
    marks: dict[str, _Marks] = {}
    shown_styles = _shown_styles(content, members)
    placeholders: bool | None = None  # whether formulas' values are placeholders: asked of a workbook with formulas
    for part, data in _sheet_parts(content, members):  # one at a time: a large sheet's text is not kept
        extent = _extent(data)
        if extent and extent[0] * extent[1] > MAX_SHEET_CELLS:
            too_large[part] = extent
        # nearly every sheet has none of these: a search of its text each (8 ms over M's 10 MB of sheets per search)
        errors = _error_cells(data) if b't="e"' in data or b"t='e'" in data else []
        hides = b"hidden=" in data
        hidden_rows = _hidden_rows(data) if hides else []
        hidden_columns = _hidden_columns(data) if hides else frozenset()
        shown = _shown_cells(data, shown_styles) if shown_styles else []
        uncomputed = []
        if _has_formulas(data):
            if placeholders is None:
                placeholders = _calculated_on_opening(content, members)
            uncomputed = _uncomputed_formulas(data, placeholders)
        if errors or hidden_rows or hidden_columns or shown or uncomputed:
            marks[part] = _Marks(errors, hidden_rows, hidden_columns, shown, uncomputed)
    left_unread: set[str] = set()
    if too_large:
        names = _sheet_names_by_part(content)
        for part, (rows, columns, last_cell) in too_large.items():
            sheet = names.get(part, part)
            choice = wanted(sheet, list(names.values())) if wanted is not None else True
            if choice == PEEK:
                left_unread.add(sheet)
            elif choice:
                raise UnreadableFile(
                    f"arket «{sheet}» har innhold helt ut til celle {last_cell}, langt utenfor tabellen "
                    f"({format_number(rows)} rader og {format_number(columns)} kolonner). Slett innholdet i cellene "
                    "utenfor tabellen (Ctrl+End i Excel går til den siste cellen med innhold) og lagre filen på nytt")
    return marks, left_unread


def _sheet_parts(content: bytes, members: list[Member] | None) -> Iterator[tuple[str, bytes]]:
    """Each sheet part's name and unpacked XML (empty where it cannot be unpacked: calamine then judges)."""
    if members is None:  # an unusual zip: zipfile finds the parts
        yield from _parts_by_zipfile(content).items()
        return
    for m in members:
        if _is_sheet_part(m.name):
            yield m.name, _unpacked(content, m)


# A cell, its attributes, then a formula, if any, and its value; the error cells are those of type e.
_CELL_WITH_VALUE = re.compile(rb"<(?:\w+:)?c\b" + _ATTRIBUTES + _FORMULA +
                              rb"(?:<(?:\w+:)?v>([^<]{0,100}+)</(?:\w+:)?v>)?")
_ERROR_TYPE = re.compile(rb"""\bt=["']e["']""")
_CELL_REF = re.compile(rb"""\br=["']\$?([A-Z]{1,3})\$?(\d+)["']""")
NOWHERE = -1  # the row of an error cell without a reference (OOXML allows leaving it out)


def _error_cells(data: bytes) -> list[tuple[int, int, str]]:
    """(row index, column index, text) of each error cell in a sheet's XML; NOWHERE as the row of one
    that names no cell."""
    found = []
    for cell in _CELL_WITH_VALUE.finditer(data):
        if not _ERROR_TYPE.search(cell.group(1)):
            continue
        ref, value = _CELL_REF.search(cell.group(1)), cell.group(2)
        text = html.unescape(value.decode("utf-8", "replace")).strip() if value else ""
        if ref is None:
            found.append((NOWHERE, NOWHERE, text or "#VERDI!"))
        else:
            found.append((int(ref.group(2)) - 1, _column_number(ref.group(1)) - 1, text or "#VERDI!"))
    return found


# A formula cell with no value: no <v> at all, or an empty one that is no empty text (Excel writes a formula giving
# "" as t="str" with <v></v>). openpyxl and other libraries write formulas so, leaving Excel to work them out when
# the file is opened; calamine reads such a cell as blank, so a budget total worked out by =SUM(…) was «påkrevd, men
# tomt», and an optional field's value was dropped unsaid.
# XlsxWriter (and pandas through it) writes 0 as every formula's value and asks Excel to work them all out on
# opening (fullCalcOnLoad): a budget total of =SUM(…) went in as 0 kr. Excel and LibreOffice never save that flag.
_UNCOMPUTED_FORMULA = re.compile(
    rb"<(?:\w+:)?c\b" + _ATTRIBUTES + rb"<(?:\w+:)?f\b[^>]{0,1000}+(?:(?<=/)>|>([^<]{0,8192}+)</(?:\w+:)?f>)"
    rb"(<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*(0?)\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>")
_EMPTY_TEXT_TYPE = re.compile(rb"""\bt=["'](?:str|inlineStr)["']""")
_FULL_CALCULATION_ON_LOAD = re.compile(rb"""<(?:\w+:)?calcPr\b[^>]{0,1000}?\bfullCalcOnLoad=["'](?:1|true)["']""")


def _has_formulas(data: bytes) -> bool:
    """Whether a sheet's XML may hold a formula: the end of a formula's text, </f> or </x:f> (a shared formula's
    other cells, <f t="shared" si="0"/>, come with the cell that has its text).

    One search of the whole text where the sheet's elements have no prefix (<sheetData> is found near the top):
    «<f» is in every data validation's <formula1>, and a search for it and «:f» took 20 ms over M's 10 MB of
    sheets, one for «</f>» 8 ms.
    """
    if b"<sheetData" in data:
        return b"</f>" in data
    return b"</f>" in data or b":f>" in data


def _calculated_on_opening(content: bytes, members: list[Member] | None) -> bool:
    """Whether the workbook asks Excel to work out every formula when it is opened: its formulas' values are the
    placeholders of a program that does not work them out."""
    return bool(_FULL_CALCULATION_ON_LOAD.search(_part(content, members, "xl/workbook.xml")))


def _part(content: bytes, members: list[Member] | None, name: str) -> bytes:
    """A part of the workbook, unpacked; b"" where it is missing or cannot be unpacked (calamine then judges)."""
    if members is None:  # an unusual zip: zipfile finds the part
        with contextlib.suppress(Exception), zipfile.ZipFile(io.BytesIO(content)) as archive:
            return archive.read(name)
        return b""
    return next((_unpacked(content, m) for m in members if m.name == name), b"")


def _uncomputed_formulas(data: bytes, placeholders: bool = False) -> list[tuple[int, int, str, object]]:
    """(row index, column index, formula as Excel shows it, what calamine reads there) of each formula cell in a
    sheet's XML that has no value, or (placeholders) the 0 of a program that leaves them to Excel (a cell without its
    reference is left as it is)."""
    found = []
    for cell in _UNCOMPUTED_FORMULA.finditer(data):
        attributes, formula, value, zero = cell.groups()
        computed_empty_text = value is not None and not zero and _EMPTY_TEXT_TYPE.search(attributes)
        if computed_empty_text or (zero and not placeholders) or not (ref := _CELL_REF.search(attributes)):
            continue
        text = html.unescape(formula.decode("utf-8", "replace")).strip() if formula else "…"
        found.append((int(ref.group(2)) - 1, _column_number(ref.group(1)) - 1, f"={text}", 0.0 if zero else ""))
    return found


_STYLE = re.compile(rb"""\bs=["'](\d+)["']""")
_TEXT_TYPE = re.compile(rb"""\bt=["'](?:s|str|inlineStr|b|e)["']""")


@dataclass(frozen=True)
class _Shown:
    """How a number format shows a number cell, where the loader must read it as shown: a percentage («20 %» for
    0,2), an amount in millions with its unit («2,5 mill. kr» for 2,5, which is 2 500 000 kr to the reader), an
    amount in another currency («€ 250 000», not kroner to the reader), or a date as its month («des.25» for
    01.12.2025, which ends a period on the 31st to the reader) or its year («2025» for 01.01.2025, which ends one on
    the 31st of December)."""

    decimals: int
    divisor: int = 1  # what the format divides the number by before it is shown (1000 for each comma after it)
    percent: bool = False
    before: str = ""  # what a format in millions writes before the number, and after it
    after: str = ""
    month: bool = False  # a date shown as its month and year only («des.25», «desember 2025»)
    year: bool = False  # a date shown as its year only («2025»)

    def takes(self, value: object) -> bool:
        """Whether a cell's value is what this format shows otherwise: a number, or for a month, the first of a month
        (as Excel makes a month typed into a cell; another day was typed as a date, and the date is what it holds)."""
        if self.year:
            return isinstance(value, dt.date) and (value.month, value.day) == (1, 1)
        if self.month:
            return isinstance(value, dt.date) and value.day == 1
        return type(value) in (float, int)

    def shown(self, value: object) -> object:
        """The cell as the loader reads it: a Percent; the text a number cell shows («2,5 mill. kr»); a month as its
        name and year, «desember 2025», which parse_date reads as the first day and parse_end_date as the last, as it
        reads that text typed."""
        if self.year:
            return ShownYear(value.year)
        if self.month:
            return f"{MONTH_NAMES[value.month - 1]} {value.year}"
        if self.percent:
            return Percent(value, self.decimals)
        return f"{self.before}{format_number(value / self.divisor, self.decimals)}{self.after}".strip()


def _shown_cells(data: bytes, styles: dict[int, _Shown]) -> list[tuple[int, int, _Shown]]:
    """(row index, column index, how it is shown) of each number cell in a sheet's XML whose style shows it as a
    percentage, in millions or as a month (a cell without its reference, which Excel always writes, is left as it
    is)."""
    found = []
    for attributes in _VALUED_CELL.findall(data):
        style = _STYLE.search(attributes)
        if (style and int(style.group(1)) in styles and not _TEXT_TYPE.search(attributes)
                and (ref := _CELL_REF.search(attributes))):
            found.append((int(ref.group(2)) - 1, _column_number(ref.group(1)) - 1, styles[int(style.group(1))]))
    return found


# Excel's own 0%, 0.00% and mmm-yy (what Norwegian Excel makes of «desember 2025» typed into a cell)
_BUILT_IN_SHOWN = {9: _Shown(0, percent=True), 10: _Shown(2, percent=True), 17: _Shown(0, month=True)}
_NUMBER_FORMATS = re.compile(rb"<(?:\w+:)?numFmts\b[^>]{0,1000}+>(.*?)</(?:\w+:)?numFmts>", re.DOTALL)
_NUMBER_FORMAT = re.compile(rb"<(?:\w+:)?numFmt\b([^>]{0,2000}+)>")
_BUILT_IN_SHOWN_ID = re.compile(rb"""numFmtId=["'](?:9|10|17)["']""")  # of _BUILT_IN_SHOWN
# of a format to read as shown (looked for in lower case): per cent, millions and billions, thousands
_SIGNS = (b"%", b"mill", b"mnok", b"mrd", b"bnok", b"tkr", b"tnok", b"knok", b"tusen",
          # another currency: €, £ (as UTF-8 or a character reference), a currency code
          b"\xe2\x82\xac", b"&#8364;", b"&#x20ac;", b"\xc2\xa3", b"eur", b"usd", b"gbp", b"sek", b"dkk", b"chf")
# a dollar sign that is not Excel's locale tag ([$-414]) or a kroner tag ([$kr-414], [$NOK])
_DOLLAR = re.compile(rb"\$(?![-\]]|kr|nok)")
_FORMAT_ID = re.compile(rb"""\bnumFmtId=["'](\d+)["']""")
_FORMAT_CODE = re.compile(rb"""\bformatCode=(?:"([^"]*)"|'([^']*)')""")
_CELL_FORMATS = re.compile(rb"<(?:\w+:)?cellXfs\b[^>]{0,1000}+>(.*?)</(?:\w+:)?cellXfs>", re.DOTALL)
_CELL_FORMAT = re.compile(rb"<(?:\w+:)?xf\b([^>]{0,1000}+)>")
# A format's parts: quoted text, an escaped character, the number, a padding or repeat, a currency tag's symbol
# ([$€-2], [$EUR]; nothing of a locale tag [$-414]), another tag ([Red], [>=100]), anything else
_FORMAT_PART = re.compile(r'"([^"]*)"|\\(.)|([#0?][#0?,.]*)|[_*].|\[\$([^\]-]*)[^\]]*\]|\[[^\]]*\]|(.)')
_MILLIONS = re.compile(r"\b(?:mill|million|mnok|mrd|milliard|bnok|tkr|tnok|knok|tusen)", re.IGNORECASE)
_OTHER_CURRENCY = re.compile(OTHER_CURRENCY, re.IGNORECASE)


_FORMAT_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|[_*].')  # quoted text, escaped characters, [$-414], padding


def _date_letters(code: str) -> set[str]:
    """The parts of a date a number format (its first section) shows: d, m, y, h, s."""
    return {c for c in _FORMAT_LITERALS.sub("", code.split(";")[0]).lower() if c in "dmyhs"}


def _month_only(code: str) -> bool:
    """Whether a number format (its first section) shows a date as its month and year, without its day or time."""
    return _date_letters(code) == {"m", "y"}


def _shown_format(code: str) -> _Shown | None:
    """How a number format code (its first section, for positive numbers) shows a number, where the loader must
    read it as shown: «0.0%» a percentage of one decimal, «0.0 "mill. kr"» an amount in millions, «# ##0 "tkr"» one
    in thousands, «[$€-2] # ##0» one in another currency (which no amount field takes). A format that divides by a
    million or a thousand itself («#,##0.0,, "mill."», «#,##0, "tkr"») shows a cell holding whole kroner: read as it
    is (None)."""
    if _month_only(code):
        return _Shown(0, month=True)
    if _date_letters(code) == {"y"}:
        return _Shown(0, year=True)
    before, after, number, percent = [], [], None, False
    for part in _FORMAT_PART.finditer(code.split(";")[0]):
        quoted, escaped, digits, symbol, other = part.groups()
        if digits is not None and number is None:
            number = digits
            continue
        literal = next((text for text in (quoted, escaped, symbol, other) if text is not None), None)
        if literal is None:
            continue
        percent = percent or (other == "%")
        (after if number is not None else before).append(literal)
    if number is None:
        return None
    decimals = len(m.group(1)) if (m := re.search(r"\.([0#?]+)", number)) else 0
    if percent:
        return _Shown(decimals, percent=True)
    words = "".join(before + after)
    if _OTHER_CURRENCY.search(words):  # «#,##0.0,, "mill. EUR"» shows 2 500 000 as «2,5 mill. EUR»
        return _Shown(decimals, 1000 ** (len(number) - len(number.rstrip(","))), before="".join(before),
                      after="".join(after))
    if _MILLIONS.search(words) and not number.endswith(","):
        return _Shown(decimals, before="".join(before), after="".join(after))
    return None


def _shown_styles(content: bytes, members: list[Member] | None) -> dict[int, _Shown]:
    """The cell styles (their index, as a cell's s="…" names them) whose number format the loader must read as
    shown (_shown_format)."""
    member = next((m for m in members or () if m.name == "xl/styles.xml"), None)
    if member is not None:
        return _packed_styles_shown(bytes(_packed(content, member)), member.method, member.unpacked)
    return _styles_shown(_part(content, members, "xl/styles.xml"))


@functools.lru_cache(maxsize=16)
def _packed_styles_shown(packed: bytes, method: int, size: int) -> dict[int, _Shown]:
    """_styles_shown of a styles part as the zip holds it, packed: the workbooks of one template share theirs,
    which is read once (the callers only read what it returns)."""
    return _styles_shown(_inflated(packed, method, size))


def _styles_shown(styles: bytes) -> dict[int, _Shown]:
    """_shown_styles of a workbook's styles part."""
    own = _NUMBER_FORMATS.search(styles)  # the workbook's own formats; those of conditional formats come after
    codes = own.group(1) if own else b""
    lowered = codes.lower()  # plain searches first: a case-blind pattern of the same words took 50 ms at M
    if (not any(sign in lowered for sign in _SIGNS) and b"yy" not in lowered
            and not (b"$" in lowered and _DOLLAR.search(lowered))
            and not _BUILT_IN_SHOWN_ID.search(styles)):
        return {}
    formats = dict(_BUILT_IN_SHOWN)
    for attributes in _NUMBER_FORMAT.findall(codes):
        number, code = _FORMAT_ID.search(attributes), _FORMAT_CODE.search(attributes)
        if number and code:
            text = html.unescape((code.group(1) or code.group(2) or b"").decode("utf-8", "replace"))
            if (shown := _shown_format(text)) is not None:
                formats[int(number.group(1))] = shown
    cell_formats = _CELL_FORMATS.search(styles)
    if cell_formats is None:
        return {}
    return {index: formats[int(number.group(1))]
            for index, attributes in enumerate(_CELL_FORMAT.findall(cell_formats.group(1)))
            if (number := _FORMAT_ID.search(attributes)) and int(number.group(1)) in formats}


_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]{0,1000}+)>")
_HIDDEN = re.compile(rb"""\bhidden=["'](?:1|true)["']""")
_ROW_NUMBER = re.compile(rb"""\br=["'](\d+)["']""")


def _hidden_rows(data: bytes) -> list[int]:
    """The row indices a sheet's XML marks hidden."""
    return [int(number.group(1)) - 1 for row in _ROW.finditer(data)
            if _HIDDEN.search(row.group(1)) and (number := _ROW_NUMBER.search(row.group(1)))]


MAX_HIDDEN_COLUMN = 256  # no table of the form is wider
_COLUMN_SPAN = re.compile(rb"<(?:\w+:)?col\b([^>]{0,1000}+)>")
_MIN_MAX = re.compile(rb"""\bmin=["'](\d+)["'][^>]*?\bmax=["'](\d+)["']""")


def _hidden_columns(data: bytes) -> frozenset[int]:
    """The column indices (A is 0) a sheet's XML marks hidden, up to the last a table could have (a column span
    to XFD is one element, and hides the sheet's unused columns)."""
    hidden: set[int] = set()
    for span in _COLUMN_SPAN.findall(data):
        if _HIDDEN.search(span) and (bounds := _MIN_MAX.search(span)):
            hidden.update(range(int(bounds.group(1)) - 1, min(int(bounds.group(2)), MAX_HIDDEN_COLUMN)))
    return frozenset(hidden)


def _mark(content: bytes, marks: dict[str, _Marks], hidden: set[str],
          merges: dict[str, list[tuple[int, int, int, int]]], grids: dict[str, Grid | None]) -> None:
    """Put a CellError where a sheet that was read has an error cell (calamine left the cell blank), a
    FormulaWithoutValue where a formula has no value or a placeholder's, a number cell shown as a percentage, in
    millions or thousands, or a date shown as its month, as the loader reads it (_Shown), and make a sheet with more
    to say a SheetGrid saying it."""
    names = _sheet_names_by_part(content) if marks else {}
    by_sheet = {names[part]: found for part, found in marks.items() if part in names}
    for name, grid in grids.items():
        found = by_sheet.get(name, _Marks())
        if grid is None:
            continue
        # formulas first, as calamine read them: a placeholder 0 in a cell shown in thousands, as a percentage or
        # as a date was «0 tkr», 0 % or 00:00 by the time it was looked at, and went in as 0 kr
        for row, col, formula, placeholder in found.uncomputed:
            # a row of formulas alone, below the cells calamine read, is a row too (within the cells a sheet may have)
            width = max(col + 1, len(grid[0]) if grid else 0)
            if row >= len(grid) and (row + 1) * width <= MAX_SHEET_CELLS:
                grid.extend([] for _ in range(row + 1 - len(grid)))
            if row < len(grid) and _read_as(grid[row][col] if col < len(grid[row]) else None, placeholder):
                values = grid[row]
                values.extend([""] * (col + 1 - len(values)))
                values[col] = FormulaWithoutValue(formula)
        for row, col, shown in found.shown:
            if row < len(grid) and col < len(grid[row]) and shown.takes(grid[row][col]):
                grid[row][col] = shown.shown(grid[row][col])
        if not (found.errors or found.hidden_rows or found.hidden_columns or name in hidden or name in merges):
            continue
        unplaced = []
        for row, col, text in found.errors:
            if row == NOWHERE:
                unplaced.append(text)
            elif row < len(grid):  # beyond what calamine read there is nothing to misread
                values = grid[row]
                values.extend([""] * (col + 1 - len(values)))
                values[col] = CellError(text)
        marked = grids[name] = SheetGrid(grid)
        marked.hidden = name in hidden
        marked.hidden_rows = tuple(r for r in found.hidden_rows if r < len(grid))
        marked.hidden_columns = found.hidden_columns
        merged = merges.get(name, ())
        marked.merged_down = tuple((first, last, col) for first, last, col, last_col in merged
                                   if col == last_col and last > first)
        marked.merged_across = tuple((first, last, col, last_col) for first, last, col, last_col in merged
                                     if last_col > col)
        marked.unplaced_errors = tuple(unplaced)


# What calamine reads for the number 0 in a cell formatted as a date or time, or as a duration
_ZERO_AS_TIME = (dt.time(0), dt.timedelta(0))


def _read_as(value: object, placeholder: object) -> bool:
    """Whether calamine read a cell as a formula's placeholder: nothing (None or an empty text), or 0 (as a number,
    or as the time 00:00 a date format makes of it)."""
    if value is None:
        return True
    if placeholder == 0 and type(value) in (dt.time, dt.timedelta):
        return value in _ZERO_AS_TIME
    return value == placeholder and type(value) in (str, float, int)


def _parts_by_zipfile(content: bytes) -> dict[str, bytes]:
    """The sheet parts zipfile can unpack; one it cannot is left to calamine, which refuses the file."""
    parts = {}
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if _is_sheet_part(name):
                with contextlib.suppress(Exception):  # any way of failing to unpack (zlib, lzma, bz2, damage)
                    parts[name] = archive.read(name)
    return parts


def _is_sheet_part(name: str) -> bool:
    return name.startswith("xl/worksheets/") and name.endswith(".xml") and name.count("/") == 2


def _unpacked(content: bytes, member: Member) -> bytes:
    return _inflated(_packed(content, member), member.method, member.unpacked)


def _inflated(data: bytes | memoryview, method: int, size: int) -> bytes:
    """A member's bytes from its packed bytes (b"" where they cannot be unpacked)."""
    if method == 0:
        return bytes(data)
    try:
        return zlib.decompressobj(-15).decompress(data, size + 1)
    except zlib.error:
        return b""


def _packed(content: bytes, member: Member) -> memoryview:
    """A member's packed bytes, without copying them."""
    if member.offset + _LOCAL.size > len(content) or member.method not in (0, 8):
        return memoryview(b"")
    fields = _LOCAL.unpack_from(content, member.offset)
    if fields[0] != b"PK\x03\x04":
        return memoryview(b"")
    start = member.offset + _LOCAL.size + fields[9] + fields[10]
    return memoryview(content)[start:start + member.compressed]


def _extent(data: bytes) -> tuple[int, int, str] | None:
    """Rows and columns from A1 to the last cell with a value, and that cell, when they may be too many.

    calamine's grid starts at A1 and reaches the last cell it reads. The dimension element is not asked:
    a file can say A1:AC2 and hold a cell in XFD1048576, and calamine then asked for 512 GB and the
    process died. Where every row and cell names its place (<row r="5">, <c r="B5">) and none is beyond
    column FZ or row 9 999, the grid is small: four searches tell (about 45 ms over M's 10 MB of sheets, one core).
    Otherwise the sheet is walked, as calamine places its cells.
    """
    if not (_FAR_PLACE.search(data) or _UNPLACED_CELL.search(data) or _UNPLACED_ROW.search(data)
            or _PREFIXED.search(data)):
        return None
    rows, columns = _walked_extent(data)
    if rows * columns <= MAX_SHEET_CELLS:
        return None
    return rows, columns, f"{column_letters(columns)}{rows}"


def _walked_extent(data: bytes) -> tuple[int, int]:
    """Rows and columns from A1 to the last cell with a value, every row and cell in order: one without its
    reference takes the place after the one before, as calamine places it. A cell without a value takes a
    place but widens nothing: Delete in Excel keeps the cell's format, and calamine skips it."""
    row = column = rows = columns = 0
    for tag, attributes, value in _ROW_OR_CELL.findall(data):
        if tag == b"row":
            number = _ROW_NUMBER.search(attributes)
            row, column = (int(number.group(1)) if number else row + 1), 0
            continue
        if ref := _CELL_REF.search(attributes):
            column, at_row = _column_number(ref.group(1)), int(ref.group(2))
        else:
            column, at_row = column + 1, max(row, 1)
        if value:
            rows, columns = max(rows, at_row), max(columns, column)
    return rows, columns


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def column_letters(number: int) -> str:
    """Excel's letters for a column number: 1 → A, 28 → AB."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _sheet_names_by_part(content: bytes) -> dict[str, str]:
    """Sheet part (xl/worksheets/sheet3.xml) → the sheet's name as the user sees it."""
    with contextlib.suppress(zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError, zlib.error,
                             NotImplementedError, RuntimeError), zipfile.ZipFile(io.BytesIO(content)) as archive:
        book = archive.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
        targets = {}
        for rel in re.finditer(r"<Relationship\b[^>]*>", rels):
            rel_id = re.search(r'\bId="([^"]+)"', rel.group(0))
            target = re.search(r'\bTarget="([^"]+)"', rel.group(0))
            if rel_id and target:
                path = target.group(1).lstrip("/")
                targets[rel_id.group(1)] = path if path.startswith("xl/") else f"xl/{path}"
        names = {}
        for sheet in re.finditer(r"<(?:\w+:)?sheet\b[^>]*>", book):
            name = re.search(r'\bname="([^"]*)"', sheet.group(0))
            rel_id = re.search(r'\b\w+:id="([^"]+)"', sheet.group(0))
            if name and rel_id and rel_id.group(1) in targets:
                names[targets[rel_id.group(1)]] = html.unescape(name.group(1))
        return names
    return {}


_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a compound file: an old .xls, or a workbook with a password


def _zipfile_listing(content: bytes) -> tuple[int, set[str]]:
    """Unpacked size and member names as Python's zipfile reads them; refuses what is no readable zip."""
    if content.startswith(_OLE_SIGNATURE):
        if "EncryptedPackage".encode("utf-16-le") in content:
            raise UnreadableFile("arbeidsboken er passordbeskyttet; lagre den uten passord (Fil › Info › Beskytt "
                                 "arbeidsbok › Krypter med passord, og tøm feltet)")
        raise UnreadableFile("filen er i det gamle Excel-formatet (.xls), selv om navnet slutter på .xlsx; åpne den "
                             "i Excel og lagre den som Excel-arbeidsbok (.xlsx)")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return sum(info.file_size for info in archive.infolist()), set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        if _looks_like_text(content):
            raise UnreadableFile("filen er en tekstfil, ikke en Excel-arbeidsbok, selv om navnet slutter på .xlsx; er "
                                 "den en CSV-fil, gi den endelsen .csv og importer den på nytt") from None
        raise UnreadableFile(
            "filen er ikke en gyldig Excel-arbeidsbok (.xlsx): den er skadet, avkortet eller "
            "av en annen type. Lagre den på nytt som Excel-arbeidsbok"
        ) from None


def _looks_like_text(content: bytes) -> bool:
    """Whether a file's start is text in an encoding a CSV may have (a damaged workbook has NUL bytes at once)."""
    head = content[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "cp1252"):  # UTF-8 first: «”» (E2 80 9D) and Sami «č» (C4 8D) are no Windows-1252
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)  # (a character cut at 4 096 bytes)
        except UnicodeDecodeError:
            continue
        return True
    return False


_UTF8_NORWEGIAN = tuple(letter.encode() for letter in "æøåÆØÅ")  # each letter as UTF-8 writes it


def decode_text(content: bytes) -> str:
    """CSV text in UTF-8 (with or without BOM), UTF-16 or Windows-1252, detected."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if content.startswith(b"PK\x03\x04"):
        raise UnreadableFile("filen er en Excel-arbeidsbok eller en annen zip-fil, ikke en CSV-fil, selv om "
                             "navnet slutter på .csv; er den en Excel-arbeidsbok, gi den endelsen .xlsx og importer "
                             "den på nytt")
    if content.startswith(_OLE_SIGNATURE):
        raise UnreadableFile("filen er en Excel-arbeidsbok i det gamle formatet (.xls), ikke en CSV-fil, selv om "
                             "navnet slutter på .csv; åpne den i Excel og lagre den som Excel-arbeidsbok (.xlsx)")
    if b"\x00" in content:
        raise UnreadableFile("filen er ikke en tekstfil (CSV); den ser ut til å være binær")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # Mostly UTF-8 (a byte order mark, or æ, ø, å written so) with a stretch in another encoding, as a text
        # pasted in from elsewhere makes: read as Windows-1252 every «å» became «Ã¥», and the header's
        # «Oppstartsår» an unknown column, with no word of why
        if content.startswith(b"\xef\xbb\xbf") or any(letter in content for letter in _UTF8_NORWEGIAN):
            line = content.count(b"\n", 0, exc.start) + 1
            start = max(content.rfind(b"\n", 0, exc.start) + 1, exc.start - 30)
            around = " ".join(content[start:exc.start + 30].decode("utf-8", "replace").replace("\ufeff", "").split())
            raise UnreadableFile(
                f"tegnkodingen er blandet: filen er skrevet i UTF-8, men linje {line} har tegn i en annen koding "
                f"(«{around}»). Åpne filen i Excel og lagre den på nytt som «CSV UTF-8»") from None
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError:
        raise UnreadableFile(
            "tegnkodingen er ukjent: forventet UTF-8 eller Windows-1252 (det Excel lagrer)"
        ) from None


def split_csv(text: str, delimiter: str, lines_before: int = 0) -> Grid:
    """CSV text into rows with the given delimiter; lines_before are lines of the file before the text (a «sep=;»
    line, which Excel does not show as a row).

    A row that cannot be read is refused with its number (as the other messages count rows:
    the header is row 1) and, where it is not the same, the line of the file it starts on.
    """
    reader = _csv_reader(text, delimiter)
    rows: Grid = []
    start = 1 + lines_before
    try:
        for row in reader:
            rows.append(row)
            start = reader.line_num + 1 + lines_before
    except csv.Error as exc:
        where = f"rad {len(rows) + 1}" + (f" (linje {start} i filen)" if start != len(rows) + 1 else "")
        if "field limit" in str(exc):
            raise UnreadableFile(f"{where} har en celle på mer enn {format_number(csv.field_size_limit())} tegn; "
                                 "del teksten opp eller kort den ned") from None
        raise UnreadableFile(f"CSV-filen kan ikke leses: {where} ({_short(exc)})") from None
    return rows


def first_csv_rows(text: str, delimiter: str, count: int) -> Grid:
    """The first count rows of CSV text, up to the first row that cannot be read (for finding the header)."""
    rows: Grid = []
    with contextlib.suppress(csv.Error):
        for row in _csv_reader(text, delimiter):
            rows.append(row)
            if len(rows) == count:
                break
    return rows


def _csv_reader(text: str, delimiter: str):
    """csv's reader over text, line breaks inside quoted cells kept as written."""
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _short(exc: Exception) -> str:
    """The first line of an exception's message, cut short."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


def megabytes(size: int) -> str:
    """Megabytes with a decimal comma and no needless decimals: 20, 1,5, 0,01."""
    text = f"{size / 1_048_576:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")
