"""Raw reading: the bytes of an .xlsx or .csv file into grids of cell values.

Nothing here knows the form; it only turns bytes into rows, keeping row numbers as the
user sees them in Excel (grid index + 1), and refuses what cannot be read with a message.
"""

from __future__ import annotations

import csv
import io
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
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        raise UnreadableFile(
            "filen er ikke en gyldig Excel-arbeidsbok (.xlsx): den er skadet, avkortet eller "
            "av en annen type. Lagre den på nytt som Excel-arbeidsbok"
        ) from None
    if "xl/workbook.xml" not in names:
        raise UnreadableFile("filen er en zip-fil, men ikke en Excel-arbeidsbok (.xlsx)")
    if unpacked > limits.max_unpacked_bytes:
        raise UnreadableFile(
            f"arbeidsboken pakker seg ut til {_mb(unpacked)} MB; grensen er {_mb(limits.max_unpacked_bytes)} MB"
        )


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
    """CSV text into rows with the given delimiter."""
    try:
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise UnreadableFile(f"CSV-filen kan ikke leses ({_short(exc)})") from None


def _short(exc: Exception) -> str:
    """The first line of an exception's message, cut short."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


def _mb(size: int) -> str:
    """Megabytes with a decimal comma and no needless decimals: 20, 1,5, 0,01."""
    text = f"{size / 1_048_576:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")
