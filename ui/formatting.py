"""Norwegian formats, in one place: 1 500 000 kr, 2,5 mill. kr, 31.10.2023, 31. oktober 2023.

Used by the pages, the charts and the exports alike. Thousands are separated by a
non-breaking space so an amount never breaks across lines.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from loaders.values import format_number

NBSP = "\u00a0"
FIGURE_SPACE = "\u2007"  # as wide as a digit
MONTHS = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september",
          "oktober", "november", "desember")


def _missing(value: object) -> bool:
    """None, NaN, NaT and pandas' NA."""
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def number(value: float | int | None, decimals: int = 0) -> str:
    """1 500 000 or 2,5 — Norwegian separators, a half rounded up as on paper (loaders.values.format_number)."""
    if _missing(value) or not math.isfinite(float(value)):
        return "–"
    return format_number(value, decimals)


def aligned_numbers(values: pd.Series, decimals: int = 0) -> pd.Series:
    """Numbers as text (number()), padded on the left with figure spaces to the longest: a table column of
    them lines up on the right, and sorts as numbers where the table sorts text (a space comes before
    every digit). Missing values stay missing (the table's placeholder).

    For a column that needs the decimal comma, which no number column format of Streamlit's writes.
    """
    texts = [None if _missing(v) else number(v, decimals) for v in values]
    width = max((len(t) for t in texts if t is not None), default=0)
    return pd.Series([None if t is None else t.rjust(width, FIGURE_SPACE) for t in texts], index=values.index,
                     dtype=object)


def kr(value: float | int | None) -> str:
    """An amount in whole kroner: 1 500 000 kr."""
    return "–" if _missing(value) else f"{number(value)}{NBSP}kr"


def whole_kroner(values: pd.Series | np.ndarray) -> pd.Series | np.ndarray:
    """Amounts rounded to whole kroner, a half away from zero as kr() rounds, for a table's number column
    (ui.page_parts.KRONER: its %d would cut the decimals off).

    Taking the whole part off first keeps the test exact: 0.49999999999999994 + 0.5 is 1.0 in floating point.
    """
    values = pd.to_numeric(values).astype("float64")
    size = np.abs(values)
    whole = np.floor(size)
    return np.sign(values) * np.where(size - whole >= 0.5, whole + 1, whole)


MILLION, BILLION = 1_000_000, 1_000_000_000


@dataclass(frozen=True)
class Scale:
    """The unit amounts are counted in: millions, or billions for a figure of its own that reaches one (a card,
    the deck's big number: at L, the whole state, «121 868,6 mill. kr» is what a reader says as «121,9 milliarder»).
    A chart's labels stay in millions: in billions 49 mill. kr read «0,05» beside 51 mill. kr as «0,1»."""

    unit: str  # «mill. kr», as a label or an axis title says it
    divisor: int


MILLIONS = Scale("mill. kr", MILLION)
BILLIONS = Scale("mrd. kr", BILLION)


# Billions from 10 000 mill. kr: a figure of four digits in millions reads well («8 804,4»), and the cards beside a
# total of 1,2 mrd. kr lost their precision (211 and 296 mill. kr as «0,2» and «0,3»)
BILLIONS_FROM = 10 * BILLION


def scale_for(largest: float | int | None) -> Scale:
    """The unit for amounts up to largest: billions from 10 000 mill. kr (9 999,9 mill. kr stays in millions)."""
    return BILLIONS if not _missing(largest) and abs(float(largest)) >= BILLIONS_FROM - 50_000 else MILLIONS


def millions(value: float | int | None, decimals: int = 1, scale: Scale = MILLIONS) -> str:
    """An amount in millions (or the scale's unit), for a «mill. kr» label: 2,5.

    An amount that is not zero never shows as zero: 40 000 kr is 0,04, and less than 5 000 kr
    is «under 0,01» (a pilot of 40 000 kr read as «0,0 mill. kr» looks like one without budget).
    """
    if _missing(value):
        return "–"
    amount = float(value) / scale.divisor
    if amount == 0 or abs(amount) >= 0.5 * 10 ** -decimals:
        return number(amount, decimals)
    if abs(amount) >= 0.005:
        return number(amount, 2)
    return f"under{NBSP}0,01"


def parts_shown_sum(total: float, parts: list[float], scale: Scale = MILLIONS) -> str | None:
    """What parts shown with millions() add up to, where that is not their total as millions() shows it (10,8 +
    9,8 + 7,8 beside 28,3: each rounded on its own); None where they agree, or where one is «under 0,01»."""
    def shown(value: float) -> decimal.Decimal | None:
        text = millions(value, scale=scale).replace(NBSP, "").replace(" ", "").replace(",", ".")
        return None if text.startswith("under") or text == "–" else decimal.Decimal(text)  # «–»: missing

    values = [shown(p) for p in parts]
    whole = shown(total)
    if not values or whole is None or None in values or sum(values) == whole:
        return None
    places = max(-v.as_tuple().exponent for v in values)
    return number(float(sum(values)), places)


def mill_kr(value: float | int | None, decimals: int = 1, scale: Scale | None = None) -> str:
    """An amount in millions, 2,5 mill. kr, or in billions from 10 000 mill. kr, 121,9 mrd. kr (see millions for
    small amounts); in the given scale where it is shown beside others (a chart's labels: one unit)."""
    if _missing(value):
        return "–"
    scale = scale or scale_for(value)
    return f"{millions(value, decimals, scale)}{NBSP}{scale.unit.replace(' ', NBSP)}"


def kr_short(value: float | int | None) -> str:
    """Millions (or billions) from one million up, whole kroner below: for chart labels."""
    if _missing(value):
        return "–"
    return mill_kr(value) if abs(float(value)) >= MILLION else kr(value)


def cut(text: str, limit: int) -> str:
    """Text cut to limit characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def two_lines(text: str, width: int) -> str:
    """Text on at most two lines of width characters for a chart's tick label (plotly's «<br>»), broken between
    words, the second cut with an ellipsis: cut to one line, «Medarbeiderdrevet forbedring i landmå…» stood
    beside a half-empty chart."""
    lines = textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False)
    if len(lines) <= 1:
        return text if not lines else lines[0]
    return f"{lines[0]}<br>{cut(' '.join(lines[1:]), width)}"


def agency_label(name: str, short: str | None, limit: int) -> str:
    """An agency's name in at most limit characters: cut, with its abbreviation kept at the end where it has one.

    Cut alone, «Departementenes sikkerhets- og servic…» lost what tells it apart, and two long names that begin
    alike («Direktoratet for distriktsutvikling 0…») read as one.
    """
    if len(name) <= limit or not short or len(short) + 6 > limit:
        return cut(name, limit)
    return f"{cut(name, limit - len(short) - 3)} ({short})"


def agency_tick(name: object, abbreviations: Mapping[str, str] | None, limit: int) -> str:
    """An agency's name as a chart's tick label: agency_label with its abbreviation from the register's."""
    return agency_label(str(name), (abbreviations or {}).get(str(name)), limit)


def date(value: dt.date | dt.datetime | None) -> str:
    """31.10.2023."""
    if _missing(value):
        return "–"
    if isinstance(value, pd.Timestamp):
        value = value.date()
    return value.strftime("%d.%m.%Y")


def deadline_text(value: dt.date | dt.datetime | None) -> str:
    """«frist 31.10.2027», or for a round data/rounds.csv has no deadline for, «ingen frist satt»."""
    return "ingen frist satt" if _missing(value) else f"frist {date(value)}"


COVERED, MISSING, DOCUMENTED_ONLY = "✓", "–", "✓*"


def element_marks(covered: Sequence[bool], describes_evaluation: bool) -> list[str]:
    """A plan's marks under the letter's six elements: ✓ covered, – missing, and under 6 ✓* where only «Dokumentasjon
    av funn» covers it. A plain ✓ there, beside the same plan listed as saying nothing of evaluation, read as a
    contradiction."""
    marks = [COVERED if bool(c) else MISSING for c in covered]
    if bool(covered[-1]) and not describes_evaluation:
        marks[-1] = DOCUMENTED_ONLY
    return marks


def unregistered_letters_text(without: int, asked: int) -> str:
    """«20 av 23 forespørsler har ikke dato eller referanse til brevet …», and what to do, for Oversikt and the deck
    alike: «Ikke levert» rests on these requests as on the others, and a leader could chase an agency never asked."""
    return (f"{number(without)} av {plural(asked, 'forespørsel', 'forespørsler')} har ikke dato eller referanse til "
            "brevet i registeret over forespørsler. Kontroller at virksomhetene ble bedt om å rapportere før de følges "
            "opp for det de ikke har levert.")


def date_span(start: dt.date, end: dt.date | None) -> str:
    """A day, or the days from start to end: 01.09.–30.11.2023 (01.12.2023–31.01.2024 across a new year)."""
    if end is None or end == start:
        return date(start)
    return f"{start:%d.%m.}–{date(end)}" if start.year == end.year else f"{date(start)}–{date(end)}"


def long_date(value: dt.date | None) -> str:
    """31. oktober 2023."""
    if _missing(value):
        return "–"
    return f"{value.day}. {MONTHS[value.month - 1]} {value.year}"


def yes_no(value: object) -> str:
    """Ja, Nei or – for a boolean."""
    if _missing(value):
        return "–"
    return "Ja" if bool(value) else "Nei"


def percent(value: float | None) -> str:
    """75 %."""
    if _missing(value) or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{number(value * 100)}{NBSP}%"


def share_percent(part: float, whole: float) -> int:
    """part of whole in whole per cents, rounded, except that only all is 100 and only none is 0: 199 of 200 is
    99, 1 of 300 is 1 (a reader takes «100 %» for «all of them»)."""
    if not whole:
        return 0
    shown = math.floor(100 * part / whole + 0.5)  # a half up, as number() rounds
    return 99 if shown == 100 and part < whole else 1 if shown == 0 and part > 0 else shown


def join_words(items: Iterable[str]) -> str:
    """«a», «a og b», «a, b og c»."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " og " + items[-1]


def plural(n: int, one: str, many: str) -> str:
    """«1 pilot», «3 piloter», «20 000 piloter»."""
    return f"{number(n)} {one if n == 1 else many}"


def cancelled_words(count: int, amount: float) -> str:
    """«Summen tar med 1 avbrutt pilot (300 000 kr).» for budget totals, which count every pilot of the selection
    while the ambition leaves the cancelled out; '' when there are none."""
    if not count:
        return ""
    return f"Summen tar med {plural(count, 'avbrutt pilot', 'avbrutte piloter')} ({kr(amount)})."


def ambition_verdict(counted: int, band: tuple[int, int]) -> str:
    """«2 under ambisjonen», «innenfor ambisjonen» or «6 over ambisjonen»: the dashboard's and the deck's words."""
    low, high = band
    if counted < low:
        return f"{number(low - counted)} under ambisjonen"
    if counted > high:
        return f"{number(counted - high)} over ambisjonen"
    return "innenfor ambisjonen"


def ambition_words(counted: int, band: tuple[int, int], filtered: bool) -> str:
    """What follows «N piloter i gang eller gjennomført»: « – 2 under ambisjonen» for the whole sector, and for a
    filter's part of it « i utvalget – sektorens ambisjon er 3–5», with no verdict (two agencies are not «2 under
    ambisjonen»: the ambition is the sector's)."""
    if filtered:
        return f" i utvalget – sektorens ambisjon er {band[0]}–{band[1]}"
    return f" – {ambition_verdict(counted, band)}"


def largest_first(totals: pd.Series) -> pd.Series:
    """Totals per agency, largest first, agencies of equal totals by name."""
    return totals.sort_index().sort_values(ascending=False, kind="stable")


def rest_note(totals: pd.Series, shown: int, where: str) -> str:
    """What a chart of the `shown` largest of these totals leaves out, in words; "" when it leaves out none.

    The rest are not drawn as one summed bar: at L, 371 agencies' sum was 300 times the largest
    agency's and squeezed every other bar to a sliver.
    """
    rest = largest_first(totals).iloc[shown:]
    if rest.empty:
        return ""
    return (f"Figuren viser de {shown} største av {number(len(totals))} virksomheter. De "
            f"{number(len(rest))} andre har til sammen {kr_short(rest.sum())} og står i {where}.")


MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$~:])")


def escape_markdown(text: str) -> str:
    """Text safe to put in st.markdown as it is written (no markup, line breaks kept)."""
    return MD_SPECIAL.sub(r"\\\1", text).replace("\n", "  \n")
