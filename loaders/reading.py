"""Raw reading: the bytes of an .xlsx or .csv file into grids of cell values.

Nothing here knows the form; it only turns bytes into rows, keeping row numbers as the
user sees them in Excel (grid index + 1), and refuses what cannot be read with a message.
"""

from __future__ import annotations

import contextlib
import csv
import io
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from python_calamine import CalamineError, CalamineWorkbook

Grid = list[list[object]]


class UnreadableFile(Exception):
    """The file cannot be read at all; the message says why, in Norwegian."""


@dataclass(frozen=True)
class Limits:
    """How large a file may be before it is refused unread."""

    max_file_bytes: int = 20 * 1024 * 1024
    max_unpacked_bytes: int = 200 * 1024 * 1024


def file_kind(name: str) -> str:
    """'xlsx' or 'csv' from the file name; anything else is refused."""
    lower = name.lower()
    if lower.endswith((".xlsx", ".xlsm")):
        return "xlsx"
    if lower.endswith((".csv", ".txt")):
        return "csv"
    raise UnreadableFile("filtypen støttes ikke: forventet en Excel-arbeidsbok (.xlsx) eller CSV (.csv)")


def check_size(content: bytes, limits: Limits) -> None:
    """Refuse empty files and files over the size limit before reading them."""
    if not content:
        raise UnreadableFile("filen er tom (0 byte)")
    if len(content) > limits.max_file_bytes:
        raise UnreadableFile(
            f"filen er {_mb(len(content))} MB; grensen er {_mb(limits.max_file_bytes)} MB per fil. "
            "Del den opp, eller send én fil per virksomhet"
        )


def read_workbook(content: bytes, limits: Limits,
                  wanted: Callable[[str], bool] | None = None) -> dict[str, Grid | None]:
    """Every sheet of a workbook as a grid, sheet name → rows; None for a sheet not wanted (it is not read)."""
    _check_zip(content, limits)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        return {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False)
                if wanted is None or wanted(name) else None for name in book.sheet_names}
    except (CalamineError, ValueError, OSError) as exc:
        if "password" in str(exc).lower() or type(exc).__name__ == "PasswordError":
            raise UnreadableFile("arbeidsboken er passordbeskyttet; lagre den uten passord") from None
        raise UnreadableFile(f"filen kan ikke leses som en Excel-arbeidsbok ({_short(exc)})") from None


def _check_zip(content: bytes, limits: Limits) -> None:
    """An .xlsx is a zip: refuse what is no zip, is truncated, or unpacks to too much."""
    listing = _central_directory(content)
    if listing is None:  # not the plain layout Excel writes (zip64, a comment, damage): let zipfile judge
        listing = _zipfile_listing(content)
    unpacked, names = listing
    if "xl/workbook.xml" not in names:
        raise UnreadableFile("filen er en zip-fil, men ikke en Excel-arbeidsbok (.xlsx)")
    if unpacked > limits.max_unpacked_bytes:
        raise UnreadableFile(
            f"arbeidsboken pakker seg ut til {_mb(unpacked)} MB; grensen er {_mb(limits.max_unpacked_bytes)} MB"
        )


_END = struct.Struct("<4s4H2LH")  # end of central directory: signature, disks, entries, size, offset, comment
_ENTRY = struct.Struct("<4s6H3L5H2L")  # a central directory entry, up to its file name


def _central_directory(content: bytes) -> tuple[int, set[str]] | None:
    """Unpacked size and member names from the zip's central directory, read directly.

    For the layout Excel and openpyxl write: no archive comment, no zip64, one disk, no extra
    fields. Anything else, and anything that does not add up, gives None, and zipfile reads the
    file instead.
    The listing is the same as zipfile's for the files it accepts.
    """
    if len(content) < _END.size:
        return None
    end = len(content) - _END.size
    signature, disk, cd_disk, _, entries, cd_size, cd_offset, comment = _END.unpack_from(content, end)
    if (signature != b"PK\x05\x06" or comment or disk or cd_disk or entries == 0xFFFF
            or cd_offset + cd_size != end or (end >= 20 and content[end - 20:end - 16] == b"PK\x06\x07")):
        return None  # the last test: a zip64 locator just before, which zipfile would follow
    unpacked, names, at = 0, set(), cd_offset
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
            name = content[start:start + name_length].decode("utf-8" if fields[3] & 0x800 else "cp437")
        except UnicodeDecodeError:  # a name flagged as UTF-8 that is not: zipfile refuses it with the rest
            return None
        names.add(name.partition("\x00")[0])  # as zipfile: a name ends at its first NUL
        unpacked += fields[9]
        at = start + name_length + extra_length + comment_length
    return (unpacked, names) if at == cd_offset + cd_size else None


def _zipfile_listing(content: bytes) -> tuple[int, set[str]]:
    """Unpacked size and member names as Python's zipfile reads them; refuses what is no readable zip."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return sum(info.file_size for info in archive.infolist()), set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        raise UnreadableFile(
            "filen er ikke en gyldig Excel-arbeidsbok (.xlsx): den er skadet, avkortet eller "
            "av en annen type. Lagre den på nytt som Excel-arbeidsbok"
        ) from None


def decode_text(content: bytes) -> str:
    """CSV text in UTF-8 (with or without BOM), UTF-16 or Windows-1252, detected."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if b"\x00" in content:
        raise UnreadableFile("filen er ikke en tekstfil (CSV); den ser ut til å være binær")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError:
        raise UnreadableFile(
            "tegnkodingen er ukjent: forventet UTF-8 eller Windows-1252 (det Excel lagrer)"
        ) from None


def split_csv(text: str, delimiter: str) -> Grid:
    """CSV text into rows with the given delimiter.

    A row that cannot be read is refused with its number (as the other messages count rows:
    the header is row 1) and, where cells above hold line breaks, the line of the file it starts on.
    """
    reader = _csv_reader(text, delimiter)
    rows: Grid = []
    start = 1
    try:
        for row in reader:
            rows.append(row)
            start = reader.line_num + 1
    except csv.Error as exc:
        where = f"rad {len(rows) + 1}" + (f" (linje {start} i filen)" if start != len(rows) + 1 else "")
        if "field limit" in str(exc):
            limit = f"{csv.field_size_limit():,}".replace(",", "\u00a0")
            raise UnreadableFile(f"{where} har en celle på mer enn {limit} tegn; del teksten opp eller kort den ned"
                                 ) from None
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


def _mb(size: int) -> str:
    """Megabytes with a decimal comma and no needless decimals: 20, 1,5, 0,01."""
    text = f"{size / 1_048_576:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")
