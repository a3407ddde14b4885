"""Cell values as people write them: Ja/Nei, Norwegian dates and amounts, years and lists.

Each parser takes what a cell holds (a string from CSV, or a typed value from a workbook)
and returns the clean value, None for a blank cell, or raises ValueProblem saying what
was expected. The reader adds file, sheet, row and column to that message.
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import functools
import math
import re
import unicodedata
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Context, Decimal
from zoneinfo import ZoneInfo


class ValueProblem(ValueError):
    """A cell value that does not fit its field; the message says what was expected."""

    def __init__(self, expected: str):
        super().__init__(expected)
        self.expected = expected


MONTHS = {
    "januar": 1, "jan": 1, "februar": 2, "feb": 2, "mars": 3, "mar": 3, "april": 4, "apr": 4,
    "mai": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11,
    "desember": 12, "des": 12,
}
MONTH_NAMES = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august",
               "september", "oktober", "november", "desember")

YES = {"ja", "j", "yes", "y", "true", "1", "x", "sann"}
NO = {"nei", "n", "no", "false", "0", "usann"}

EXPECTED = {
    "yes_no": "Ja eller Nei (også j/n, yes/no, x for ja)",
    "date": "en dato som 31.10.2023, 1. mars 2024, mars 2024 eller 2024-03-01",
    # non-breaking spaces: a narrow Importer page broke «1 500 ⏎ 000» in two
    "amount": "et beløp i kroner som 1\u00a0500\u00a0000, 1\u00a0500\u00a0000\u00a0kr, 2,5\u00a0mill. eller "
              "1,2\u00a0mrd. (ikke negativt)",
    "number": "et tall som ikke er negativt, f.eks. 1,5",
    "year": "et årstall som 2024 (mellom 2000 og 2099)",
    "agency": "virksomhetens navn eller forkortelse slik registeret har dem, f.eks. Husbanken eller HB",
}

# Another currency than kroner, as a header's brackets, a number format or a typed amount may name it
OTHER_CURRENCY = (r"[€$£¥]|\b[mkt]?eur\b|\beuro|\b[mkt]?usd\b|\bdollar|\b[mkt]?sek\b|\b[mkt]?dkk\b|"
                  r"\b[mkt]?gbp\b|\bpund\b|\b[mkt]?chf\b|\bsvenske kr|\bdanske kr")  # MEUR, kEUR: thousands, millions
_OTHER_CURRENCY = re.compile(OTHER_CURRENCY, re.IGNORECASE)
IN_OTHER_CURRENCY = ("et beløp i kroner, ikke i en annen valuta (regn det om til kroner, skriv det som f.eks. "
                     "1\u00a0500\u00a0000 og la cellen være uten valutaformat)")

EXCEL_ERROR = ("en verdi, ikke en feil fra Excel (cellen viser en feil, ofte fra en formel som ikke fant det den "
               "slo opp)")
UNCOMPUTED_FORMULA = ("en verdi, ikke en formel uten utregnet verdi (filen er laget av et program som ikke regner ut "
                      "formler, så verdien Excel viser er ikke lagret i filen); åpne filen i Excel eller LibreOffice "
                      "og lagre den, så lagres verdiene, og importer den på nytt")


class CellError(str):
    """An Excel error value in a cell (#N/A, #REF!, #DIV/0! …), as Excel shows it.

    calamine reads an error as a blank cell, so a failed lookup became the field's default
    («Planlagt») or nothing at all; reading.read_workbook puts these in its place, and every
    cell parser refuses one, with its expected text.
    """

    expected = EXCEL_ERROR


class FormulaWithoutValue(CellError):
    """A formula cell saved without its value («=SUM(C2:C3)»), as openpyxl and other libraries write formulas:
    calamine reads it as a blank cell, though Excel shows a value there. Not nothing to read, as an error is (a row
    of such cells may be a row of data): every cell parser refuses one."""

    expected = UNCOMPUTED_FORMULA

# Excel stores dates as days since 1899-12-30 (after the 1900 leap-year bug).
EXCEL_EPOCH = dt.date(1899, 12, 30)
# The dates a plan can hold: 31.12.9999 ("no end") or a year 1000 are slips of the keyboard,
# and they broke the timeline's axis and the deck's year labels. Years (Oppstartsår, a budget row's
# År) are held to the same span: a budget year 2150 is the same slip.
FIRST_DATE, LAST_DATE = dt.date(2000, 1, 1), dt.date(2099, 12, 31)
SERIAL_RANGE = ((FIRST_DATE - EXCEL_EPOCH).days, (LAST_DATE - EXCEL_EPOCH).days + 1)
SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007]+")


def is_blank(value: object) -> bool:
    """True for an empty cell: None, NaN or only white space."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


# Caches remember only texts this short: labels, choices, names, dates and amounts; a longer
# text is worked out every time. With the caches' sizes, what the server keeps between files
# is bounded (about 25 MB at the very worst, of distinct texts just under the limit), whatever
# the files hold.
MEMO_TEXT_CHARS = 256


def memo_short_texts(maxsize: int, longest: int = MEMO_TEXT_CHARS) -> Callable:
    """functools.lru_cache for a function of one text, remembering only texts of up to longest characters."""
    def decorate(func: Callable[[str], object]) -> Callable[[str], object]:
        cached = functools.lru_cache(maxsize=maxsize)(func)

        @functools.wraps(func)
        def call(text: str) -> object:
            return cached(text) if len(text) <= longest else func(text)

        call.cache_info, call.cache_clear = cached.cache_info, cached.cache_clear
        return call
    return decorate


def fold(text: str) -> str:
    """Fold text for matching: lower case, single spaces, no accents, æøå spelled out."""
    return _fold(str(text))


# Characters that show as nothing: zero-width spaces and joiners, the soft hyphen, direction marks, a byte order
# mark. Pasted from a web page, Teams or Word they made «Husbanken» no agency («nærmest er Husbanken»), «Pilotnavn»
# no column of the form, and a milestone's «Digital søknad» no pilot beside the pilot «Digital søknad».
INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


@memo_short_texts(maxsize=8192)
def _fold(text: str) -> str:
    """fold() for a str; cached, as the same labels and choices recur in every file."""
    if not text.isascii():
        text = INVISIBLE.sub("", text)
    text = SPACES.sub(" ", text).strip().lower()
    text = text.replace("æ", "ae").replace("ø", "o").replace("å", "a")
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


def name_key(text: str) -> str:
    """What makes two names one name: case, spacing and invisible characters aside, the same letters. «Tillit i Ås»
    and «Tillit i As» are two pilots (fold() would make them one); «tillit  i ås» is the first of them."""
    return _name_key(str(text))


@memo_short_texts(maxsize=8192)
def _name_key(text: str) -> str:
    """name_key() for a str; cached, as every milestone and budget row names its pilot again."""
    if not text.isascii():
        text = INVISIBLE.sub("", text)
    return SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip().casefold()


class Percent(float):
    """A number cell Excel shows as a percentage: «20 %» typed into a cell is 0.2 with a percent format;
    decimals are the format's (0 for 0 %, 1 for 0,0 %)."""

    def __new__(cls, value: float, decimals: int = 0) -> Percent:
        number = super().__new__(cls, value)
        number.decimals = decimals  # (a copy through pickle is made with the default, then given its own)
        return number


class ShownYear(int):
    """A date cell Excel shows as its year alone (format «yyyy»), holding the 1st of January: «2025» to the reader,
    the year typed as a date. As a year it starts a period on the 1st of January and ends one on the 31st of
    December, as a month shown alone does on its first and last day; it was read as ending on the 1st of January."""


def _number_shown(value: object) -> str | None:
    """A number or TRUE/FALSE cell as Norwegian Excel shows it: 12000, 1,5 (not 1.5), 20 %, SANN; None for any
    other value."""
    if isinstance(value, bool):
        return "SANN" if value else "USANN"
    if type(value) is Percent:
        return f"{format_number(value * 100, value.decimals)} %"
    if not isinstance(value, float):
        return None
    if value.is_integer():
        return str(int(value))
    text = repr(value)
    return text.replace(".", ",") if "e" not in text else text


def parse_text(value: object) -> str | None:
    """Text as written, trimmed; numbers from a workbook become their plain text."""
    if is_blank(value):
        return None
    if isinstance(value, CellError):  # #N/A is no one's text
        raise ValueProblem(value.expected)
    if (number := _number_shown(value)) is not None:
        return number
    if isinstance(value, (dt.datetime, dt.date)):
        return format_date(value if isinstance(value, dt.date) else value.date())
    return str(value).strip()


def parse_list(value: object) -> list[str]:
    """A list separated by ';' or line breaks; empty items are dropped."""
    text = parse_text(value)
    if text is None:
        return []
    return [item.strip() for item in re.split(r"[;\n\r]+", text) if item.strip()]


def parse_yes_no(value: object) -> bool | None:
    """Ja/Nei in the ways people write it."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    key = fold(str(value)).rstrip(".")
    if key in YES:
        return True
    if key in NO:
        return False
    raise ValueProblem(EXPECTED["yes_no"])


def parse_choice(value: object, choices: tuple[str, ...], default: str | None) -> str | None:
    """One value of a closed list, matched ignoring case, spacing and accents."""
    if is_blank(value):
        return default
    key = fold(str(value))
    for choice in choices:
        if fold(choice) == key:
            return choice
    if "Ja" in choices and "Nei" in choices:  # Ja / Nei / Delvis: Ja and Nei as any Ja/Nei answer is written
        with contextlib.suppress(ValueProblem):
            return "Ja" if parse_yes_no(value) else "Nei"
    raise ValueProblem("en av: " + ", ".join(choices))


def parse_end_date(value: object) -> dt.date | None:
    """parse_date for a date that ends a period: a month alone is its last day («desember 2024» is 31.12.2024)."""
    return parse_date(value, month_end=True)


def parse_date(value: object, month_end: bool = False) -> dt.date | None:
    """A date cell, or text in the Norwegian and ISO forms of the contract (a month alone is its first day)."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return _plausible(value.date())
    if isinstance(value, dt.date):
        return _plausible(value)
    if type(value) is ShownYear:
        return _plausible(dt.date(value, 12, 31) if month_end else dt.date(value, 1, 1))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _excel_serial(value)
    text = SPACES.sub(" ", str(value)).strip().lower()
    try:
        date = _date_from_text(text, month_end)
    except ValueProblem:
        raise
    except ValueError:
        raise ValueProblem(EXPECTED["date"]) from None
    return _plausible(date)


def _calendar_date(year: int, month: int, day: int) -> dt.date:
    """The date; a day its month does not have is named («31.02.2024» was only «forventet en dato»)."""
    try:
        return dt.date(year, month, day)
    except ValueError:
        if 1 <= month <= 12 and 1 <= year <= 9999 and day > 0:
            days = calendar.monthrange(year, month)[1]
            raise ValueProblem(f"{EXPECTED['date']} ({MONTH_NAMES[month - 1]} {year} har {days} dager)") from None
        raise


def _plausible(date: dt.date) -> dt.date:
    """The date, if a plan can hold it (FIRST_DATE to LAST_DATE)."""
    if not FIRST_DATE <= date <= LAST_DATE:
        raise ValueProblem(f"{EXPECTED['date']}, mellom {format_date(FIRST_DATE)} og {format_date(LAST_DATE)}")
    return date


def _excel_serial(value: float) -> dt.date:
    """A date stored as an Excel serial number in a cell without a date format.

    Only serials of plausible dates (2000–2099) are taken as dates: a year typed into a date
    cell (2024) or a date typed as digits (1032024) is an error, not 16.07.1905 or a year 4725.
    """
    if not SERIAL_RANGE[0] <= value < SERIAL_RANGE[1]:
        raise ValueProblem(EXPECTED["date"])
    return EXCEL_EPOCH + dt.timedelta(days=int(value))


_TIME_OF_DAY = r"(?:[ t]\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)?"  # a time after the date, as a datetime cell saved to CSV
_WEEKDAY = r"(?:(?:man|tirs|ons|tors|fre|l[øo]r|s[øo]n)dag,? )?"


# Day, month and year, with dots or slashes (31.10.2023, 31/10/23), as _date_from_text and slashed_day_month read it
_DAY_FIRST = re.compile(_WEEKDAY + r"(\d{1,2})([./])(\d{1,2})\2(\d{4}|\d{2})" + _TIME_OF_DAY)


def slashed_day_month(value: object) -> tuple[int, int] | None:
    """The two numbers before the year of a date written with slashes (03/01/2024 gives 3 and 1), as parse_date
    reads the text; None for anything else."""
    if type(value) is not str or "/" not in value:
        return None
    m = _DAY_FIRST.fullmatch(SPACES.sub(" ", value).strip().lower())
    return (int(m[1]), int(m[3])) if m and m[2] == "/" else None


def _date_from_text(text: str, month_end: bool = False) -> dt.date:
    """Parse 31.10.2023, 31.10.23, 31/10/2023, 31-10-2023, 2024-03-01, 1. mars 2024, mars 2024; ValueError otherwise.

    Day before month, as Norwegians write it whatever the separator (10/31/2023 is refused, not
    turned around). A two-digit year is 2000–2069 (and 70–99 the last century's, which no plan
    holds); with hyphens the year is written whole, as 24-03-01 could be either end first.
    """
    if m := _DAY_FIRST.fullmatch(text) or \
            re.fullmatch(_WEEKDAY + r"(\d{1,2})(-)(\d{1,2})-(\d{4})" + _TIME_OF_DAY, text):
        year = int(m[4]) if len(m[4]) == 4 else int(m[4]) + (2000 if int(m[4]) < 70 else 1900)
        return _calendar_date(year, int(m[3]), int(m[1]))
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME_OF_DAY, text):
        return _calendar_date(int(m[1]), int(m[2]), int(m[3]))
    if m := re.fullmatch(_WEEKDAY + r"(\d{1,2})\.? ?([a-zæøå]+)\.? ?(\d{4})", text):
        return _calendar_date(int(m[3]), _month(m[2]), int(m[1]))
    if m := re.fullmatch(r"([a-zæøå]+)\.? (\d{4})", text):
        year, month = int(m[2]), _month(m[1])
        return dt.date(year, month, calendar.monthrange(year, month)[1] if month_end else 1)
    raise ValueError(text)


def _month(name: str) -> int:
    """The month number of a Norwegian month name or abbreviation."""
    if name not in MONTHS:
        raise ValueError(name)
    return MONTHS[name]


AMOUNT_SCALES = (
    (re.compile(r"(mrd|milliard(?:er)?|bnok)\.?$"), 1_000_000_000),
    (re.compile(r"(mill|mill\.|million(?:er)?|mnok|mln)\.?$"), 1_000_000),
    # a cell shown in thousands («1 500 tkr», «1 500 tusen kr»), as reading.read_workbook gives it
    (re.compile(r"(tusen|tkr|tnok|knok)\.?$"), 1_000),
)


# No pilot costs a thousand billion kroner (about half the state budget): more is extra digits or a stray paste.
MAX_AMOUNT = 1e12
TOO_LARGE_AMOUNT = "et beløp under 1 000 milliarder kr; sjekk om det er kommet med ekstra sifre"


def parse_amount(value: object) -> float | None:
    """An amount in kroner, written as a number cell or as Norwegian text."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValueProblem(EXPECTED["amount"])
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        number = _amount_from_text(str(value))
    if math.isnan(number) or number < 0:
        raise ValueProblem(EXPECTED["amount"])
    if number >= MAX_AMOUNT:  # infinity too: digits beyond what a float holds
        raise ValueProblem(TOO_LARGE_AMOUNT)
    return number


def _amount_from_text(text: str) -> float:
    """Parse '1 500 000 kr', 'kr 1 500 000,-', 'NOK 250000', '2,5 mill.', '1,2 mrd.', '1 500 000 kroner'."""
    t = SPACES.sub(" ", text).strip().lower()
    if _OTHER_CURRENCY.search(t):  # «€ 250 000», «250 000 EUR»: not a number of kroner, whatever its digits
        raise ValueProblem(IN_OTHER_CURRENCY)
    t = re.sub(r"^(kr\.?|nok)\s*", "", t)
    # A currency word only when it stands alone: the "nok" of "2,5 mnok" is part of the scale.
    t = re.sub(r"\s*(?<![a-z])(kr\.?|kroner|nok|,-|,–|\.-)\s*$", "", t)
    t = re.sub(r"\s*(?<![a-z])(kr\.?|kroner|nok|,-)\s*$", "", t)
    scale = 1
    for pattern, factor in AMOUNT_SCALES:
        stripped = pattern.sub("", t).strip()
        if stripped != t:
            t, scale = stripped, factor
            t = re.sub(r"\s*(kr\.?|kroner|nok)$", "", t)
            break
    # Spaces group thousands: «1 5000 000» (a digit too many, or a space too few) is not 15 000 000, whatever was meant
    if " " in t and not re.fullmatch(r"\d+( \d{3})+([.,]\d+)?", t):
        raise ValueProblem(EXPECTED["amount"])
    t = t.replace(" ", "")
    # Kroner have no thousandths: «250,000 kr» (as English Excel writes it) is a quarter million;
    # with a scale, «1,250 mill.» and «1.250 mill.» are 1,25 million, not 1 250.
    # In thousands, «1.500 tkr» is 1 500 thousand, as without a scale.
    number = _number_from_text(t, EXPECTED["amount"], comma_thousands=scale == 1, dot_thousands=scale <= 1_000)
    return number * scale


def _number_from_text(t: str, expected: str, comma_thousands: bool = False, dot_thousands: bool = True) -> float:
    """A number with Norwegian or English separators: 1.500.000, 1500000, 2,5, 0,250, 1,500,000, 1,234.5.

    One comma is a decimal comma, as Norwegians write it, also before three digits (0,250
    årsverk is a quarter); commas are thousands where that is the one reading (two or more
    groups, or a decimal point after), and with comma_thousands also a single group (250,000).
    Dots are thousands (1.500.000) unless the number starts with 0 (0.500 is a half), and with
    dot_thousands off a single dot is a decimal point (1.250 mill., 1.5 årsverk).
    """
    groups = r"\d{1,3}(,\d{3})+(\.\d+)?" if comma_thousands else r"\d{1,3}(,\d{3}){2,}(\.\d+)?|\d{1,3},\d{3}\.\d+"
    dots = (r"[1-9]\d{0,2}(\.\d{3})+(,\d+)?" if dot_thousands  # with a decimal comma, a dot is thousands anyway
            else r"[1-9]\d{0,2}(\.\d{3}){2,}(,\d+)?|[1-9]\d{0,2}\.\d{3},\d+")
    if re.fullmatch(dots, t):  # 1.500.000 or 1.500.000,50
        t = t.replace(".", "").replace(",", ".")
    elif re.fullmatch(groups, t):  # 1,500,000, 1,500.50 (and for kroner 250,000)
        t = t.replace(",", "")
    elif re.fullmatch(r"\d+,\d+", t):  # 2,5
        t = t.replace(",", ".")
    if not re.fullmatch(r"\d+(\.\d+)?", t):
        raise ValueProblem(expected)
    return float(t)


def parse_number(value: object) -> float | None:
    """A non-negative number such as person-years: 1,5 or 1.5."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValueProblem(EXPECTED["number"])
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        number = _number_from_text(SPACES.sub("", str(value)), EXPECTED["number"], dot_thousands=False)
    if math.isnan(number) or math.isinf(number) or number < 0:
        raise ValueProblem(EXPECTED["number"])
    return number


def parse_year(value: object) -> int | None:
    """A year such as 2024, also 2024.0 from a number cell."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValueProblem(EXPECTED["year"])
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if re.fullmatch(r"\d{4}(\.0+)?", text):
        year = int(text.split(".")[0])
        if FIRST_DATE.year <= year <= LAST_DATE.year:
            return year
    raise ValueProblem(EXPECTED["year"])


_EVERY_DIGIT = Context(prec=400)  # a float's whole part has up to 309 digits; the default 28 raised on larger amounts


def format_number(value: float, decimals: int = 0) -> str:
    """1 500 000 or 2,5: Norwegian separators (non-breaking spaces), a half rounded up as on paper.

    Rounded from the decimal the number prints as, not its binary value: 8 350 000 kr is
    8,4 mill. kr as 3 350 000 kr is 3,4 (binary rounding gave 8,3 beside 3,4 on one slide).
    The pages, the exports and the import's messages all write numbers with it.
    """
    rounded = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP,
                                                    context=_EVERY_DIGIT)
    return f"{rounded:,.{decimals}f}".replace(",", " ").replace(".", ",").replace(" ", "\u00a0")


def format_kroner(amount: float) -> str:
    """An amount as 1 500 000 kr, for the import's messages: as the pages write it."""
    return f"{format_number(amount)}\u00a0kr"


def format_date(value: dt.date) -> str:
    """A date as Norwegians write it: 31.10.2023."""
    return value.strftime("%d.%m.%Y")


def shown(value: object) -> str:
    """A cell value as the user saw it, for error messages."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return format_date(value)
    if (number := _number_shown(value)) is not None:
        return number
    # a line break in the cell as a mark: each problem is one line, in the command line and in the page's lists
    text = _LINE_BREAKS.sub(" ↵ ", str(value))
    return text if len(text) <= 80 else text[:77] + "…"


_LINE_BREAKS = re.compile(r"[ \t]*(?:\r\n|\r|\n)[ \t]*")


# ---------------------------------------------------------------------------------------
# Cell parsers: the parse_* functions above, with fast paths for the cells most files hold


MEMO_SIZE = 4096  # distinct texts remembered per cell parser
MEMO_LIST_CHARS = 1024  # lists of names run longer than single values


@functools.lru_cache(maxsize=64)
def cell_parser(kind: str, choices: tuple[str, ...] = (), default: str | None = None) -> Callable[[object], object]:
    """The parse function for a field kind, with fast paths for cells that need no parsing.

    A workbook's typed cells (a date cell, a number cell), text that is already trimmed and
    text seen before are answered at once; anything else goes to the parse_* function, so a
    value and a problem's message are always what that function gives. Cached, so the texts
    remembered are shared by every file of an import.
    """
    if kind == "text":
        return _text_cell
    if kind == "list":
        return _list_cell
    if kind == "yes_no":
        return _remembering(parse_yes_no)
    if kind == "choice":
        return _remembering(functools.partial(parse_choice, choices=choices, default=default))
    if kind == "date":
        return _remembering(parse_date, dt.date, _plausible)  # a date cell: only its range to check
    if kind == "end_date":
        return _remembering(parse_end_date, dt.date, _plausible)
    if kind == "amount":
        return _remembering(parse_amount, float, _plain_amount)
    if kind == "number":
        return _remembering(parse_number, float, _plain_amount)
    if kind == "year":
        return _remembering(parse_year, float, _plain_year)
    raise AssertionError(f"unknown field kind {kind}")


def _text_cell(value: object) -> str | None:
    """parse_text(), without the detour for a str."""
    if type(value) is str:
        return value.strip() or None
    return parse_text(value)


def _list_cell(value: object) -> list[str]:
    """parse_list(), without the detour for a str holding one item, and from memory for a str seen before."""
    if type(value) is str:
        text = value.strip()
        if not text:
            return []
        if ";" not in text and "\n" not in text and "\r" not in text:
            return [text]
        return list(_split_list(text))  # a new list each time: the caller owns it
    return parse_list(value)


@memo_short_texts(maxsize=MEMO_SIZE, longest=MEMO_LIST_CHARS)
def _split_list(text: str) -> tuple[str, ...]:
    """parse_list() of a trimmed text, as a tuple."""
    return tuple(parse_list(text))


def _plain_amount(value: float) -> float | None:
    """A number cell's float when parse_amount/parse_number would take it as it is, else None."""
    return value if 0.0 <= value < MAX_AMOUNT else None


def _plain_year(value: float) -> int | None:
    """A number cell's year when parse_year would take it, else None."""
    return int(value) if value.is_integer() and FIRST_DATE.year <= value <= LAST_DATE.year else None


_MISSING = object()


def _remembering(parse: Callable[[object], object], typed: type | None = None,
                 take: Callable[[object], object] | None = None) -> Callable[[object], object]:
    """parse, answering a text it has parsed before from memory, and a cell of exactly type typed by take.

    take returns the value, or None to leave the cell to parse. Only values are remembered,
    never problems: a bad cell is parsed every time and its message comes from parse.
    """
    known: dict[str, object] = {}

    def convert(value: object) -> object:
        if type(value) is str:
            found = known.get(value, _MISSING)
            if found is _MISSING:
                found = parse(value)
                if len(known) < MEMO_SIZE and len(value) <= MEMO_TEXT_CHARS:
                    known[value] = found
            return found
        if isinstance(value, CellError):
            raise ValueProblem(value.expected)
        if typed is not None and type(value) is typed:
            found = take(value)
            if found is not None:
                return found
        return parse(value)

    return convert


# The ministry's clock. A server may run in UTC (this one does): an import at 09:15 in Oslo was kept as
# 08:15, and «today» changed an hour late. Times are kept without a zone, in Norwegian time.
NORWAY = ZoneInfo("Europe/Oslo")  # from the system, or from the tzdata package (requirements.txt)


def norwegian_now() -> dt.datetime:
    """The time in Norway now, to the second, without a zone (as the store keeps it)."""
    return dt.datetime.now(NORWAY).replace(microsecond=0, tzinfo=None)


def norwegian_today() -> dt.date:
    """Today's date in Norway."""
    return dt.datetime.now(NORWAY).date()
