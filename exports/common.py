"""What every export shares: the data date, the filter in words, the source line, and the
guard that keeps text that looks like a formula from ever becoming one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager

import duckdb
import numpy as np
import pandas as pd

from loaders.values import norwegian_today
from store import queries
from store.queries import PilotFilter
from ui import formatting

SUBMISSIONS_SHEET = "Innsendinger"  # the workbook's sheet of rounds and agencies, which the deck points to

# OWASP's list for CSV/formula injection: a cell beginning with one of these may be evaluated.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet could take this text for a formula."""
    return isinstance(text, str) and text.startswith(FORMULA_STARTS)


def defuse(text: str) -> str:
    """Text that can never become a formula: a single quote in front when it could (OWASP)."""
    return "'" + text if looks_like_formula(text) else text


def missing(value: object) -> bool:
    """None, NaN, NaT and pandas' NA (lists and arrays are never missing)."""
    if value is None:
        return True
    if isinstance(value, (list, tuple, dict, set, np.ndarray)):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def as_date(value: object) -> dt.date | None:
    """A date from a date, datetime or Timestamp (None when missing)."""
    if missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return pd.Timestamp(value).date()


def as_datetime(value: object) -> dt.datetime | None:
    """A naive datetime from a datetime or Timestamp (None when missing)."""
    if missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().replace(tzinfo=None)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    return pd.Timestamp(value).to_pydatetime()


def as_list(value: object) -> list[str]:
    """A list column (themes, partner agencies) as a list of strings."""
    if missing(value):
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value if not missing(v)]


def as_float(value: object) -> float | None:
    """A number, or None when missing."""
    if missing(value):
        return None
    number = float(value)
    return None if math.isnan(number) else number


# The store for one read: a function that opens it for a block. An export that reads a little at a time and
# writes a long while in between (the workbook at L: 20 s) holds the store only while it reads, so the
# dashboard's other users (whose reads take the store in turn) and an import need not wait for the writing.
Reads = Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]]


def reads_of(store: duckdb.DuckDBPyConnection | Reads) -> Reads:
    """The reads of a store given as a connection the caller holds open throughout, or as a function opening it."""
    if isinstance(store, duckdb.DuckDBPyConnection):
        return lambda: contextlib.nullcontext(store)
    return store


def data_date(con: duckdb.DuckDBPyConnection) -> dt.datetime | None:
    """When the store was last imported into: the date the figures are «per»."""
    return as_datetime(queries.store_summary(con)["last_import"])


def source_line(when: dt.datetime | None) -> str:
    """«Kilde: Pilotoversikt, data per 31.10.2023» for every slide and sheet."""
    if when is None:
        return "Kilde: Pilotoversikt, ingen data importert ennå"
    return f"Kilde: Pilotoversikt, data per {formatting.date(when)}"


def abbreviated(f: PilotFilter, short_names: Mapping[str, str]) -> PilotFilter:
    """The filter with its agencies by their abbreviations, where the register has one (a footer, a file name)."""
    return dataclasses.replace(f, agencies=tuple(short_names.get(a) or a for a in f.agencies))


def short_names(register: pd.DataFrame) -> dict[str, str]:
    """Each agency's abbreviation in the register (queries.agencies), '' for one without."""
    return {name: short if isinstance(short, str) else "" for name, short in zip(register["name"],
                                                                                register["short_name"], strict=True)}


def filter_text(f: PilotFilter) -> str:
    """The filter in words, with a capital first letter: «Hele sektoren», «Husbanken; oppstartsår 2024»."""
    text = f.describe()
    return text[:1].upper() + text[1:]


SLUG_CHARS = 80
_NORWEGIAN_LETTERS = str.maketrans({"æ": "ae", "ø": "o", "å": "a"})


def slug(text: str) -> str:
    """Words for a file name: «Husbanken; oppstartsår 2024» → husbanken-oppstartsar-2024.

    At most 80 characters: a longer text is cut at a word and ends in a short hash of the whole,
    so two filters that differ only at the end still give two names.
    """
    words = _file_words(text)
    if len(words) <= SLUG_CHARS:
        return words
    digest = hashlib.sha256(words.encode()).hexdigest()[:8]
    cut = words[:SLUG_CHARS - len(digest) - 1]
    return f"{cut.rsplit('-', 1)[0] if '-' in cut else cut}-{digest}"


def fits_file_name(text: str) -> bool:
    """Whether slug(text) keeps all of the text's words."""
    return len(_file_words(text)) <= SLUG_CHARS


def _file_words(text: str) -> str:
    """The text's words in ASCII, joined by hyphens."""
    folded = unicodedata.normalize("NFKD", text.lower().translate(_NORWEGIAN_LETTERS))
    return "-".join(re.findall(r"[a-z0-9]+", folded.encode("ascii", "ignore").decode()))


def file_stem(today: dt.date | None = None, scope: str = "") -> str:
    """pilotoversikt_husbanken_2026-11-23: the start of every downloaded file's name, with what it holds.

    Two downloads for different agencies on the same day then get different names, not «(1)».
    """
    words = slug(scope)
    return f"pilotoversikt_{f'{words}_' if words else ''}{(today or norwegian_today()).isoformat()}"


def budget_gaps(totals: pd.Series, row_sums: pd.Series) -> pd.DataFrame:
    """The pilots whose budget rows do not add up to «Budsjett totalt (kr)», or that have none while it is above 0.

    totals: «Budsjett totalt (kr)» per plan (indexed by queries.PLAN_KEYS); row_sums: the sum of each plan's
    budget rows, for the plans that have any. Columns total and rows (NaN: no rows). The Budsjett page and the
    workbook's «Om uttrekket» both tell of them: the two sums each gives are not the same figure.
    """
    joined = totals.rename("total").to_frame().join(row_sums.rename("rows"))
    without = joined["rows"].isna() & (joined["total"] > 0)
    differs = (joined["total"] - joined["rows"]).abs() >= 0.5
    return joined[without | differs]


def budget_gap_words(gaps: pd.DataFrame) -> str:
    """budget_gaps in words: «2 piloter har budsjettrader som ikke summerer til «Budsjett totalt (kr)», og …»."""
    without = int(gaps["rows"].isna().sum())
    differs = len(gaps) - without
    parts = ([f"{formatting.plural(differs, 'pilot', 'piloter')} har budsjettrader som ikke summerer til "
              "«Budsjett totalt (kr)»"] if differs else [])
    parts += [f"{formatting.plural(without, 'pilot', 'piloter')} har ingen budsjettrader"] if without else []
    return ", og ".join(parts)
