"""The reference data under data/: the agency register, rounds, requests and settings.

These are data, not code: a ministry advisor edits the CSV and TOML files, and the next
`python -m loaders init` (or import) copies them into the store.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from loaders.reading import Limits
from loaders.values import ValueProblem, fold

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
# Two spellings of one agency in one cell, as a folded text: «husbanken (hb)», «valgdirektoratet / vdir»,
# «hb – husbanken» (a dash between spaces only: «sikkerhets- og serviceorganisasjon» is one name)
_TWO_SPELLINGS = (re.compile(r"(.+?)\s*\((.+)\)"), re.compile(r"(.+?)(?:\s+[-–]\s+|\s*/\s*)(.+)"))
# An organisation number after the name, as a folded text: «husbanken 974760843», «husbanken (org.nr. 974 760 843)»
_ORGANISATION_NUMBER = re.compile(r"[\s,;:(–-]*(?:org\.?\s*(?:nr|nummer)\.?:?\s*)?\d{3}\s?\d{3}\s?\d{3}\s*\)?$")


@dataclass(frozen=True)
class Agency:
    """An agency in the register, with the names it may be written as."""

    name: str
    short_name: str
    aliases: tuple[str, ...]
    ministry: str
    previous_ministry: str
    ministry_changed_on: dt.date | None

    @property
    def spellings(self) -> tuple[str, ...]:
        """Every way this agency may be written in a form."""
        return tuple(s for s in (self.name, self.short_name, *self.aliases) if s)


@dataclass(frozen=True)
class Round:
    """A reporting round: plans for pilots starting in start_year, due by deadline."""

    start_year: int
    deadline: dt.date
    description: str


@dataclass(frozen=True)
class Request:
    """That an agency was asked to report for a round, and by which letter."""

    start_year: int
    agency: str
    letter_date: dt.date | None
    letter_ref: str
    note: str


@dataclass(frozen=True)
class Event:
    """A date or period worth a reference line on the timeline (the seminar)."""

    label: str
    start: dt.date
    end: dt.date
    note: str = ""


@dataclass(frozen=True)
class Settings:
    """The ambition band, the reform period, timeline events and file limits."""

    ambition_min: int
    ambition_max: int
    counting_statuses: tuple[str, ...]
    reform_start: dt.date
    reform_end: dt.date
    events: tuple[Event, ...]
    limits: Limits


@dataclass
class Reference:
    """All reference data, with agency look-up by any spelling."""

    agencies: list[Agency]
    ministries: dict[str, str]
    rounds: list[Round]
    requests: list[Request]
    settings: Settings
    _by_spelling: dict[str, Agency] = field(default_factory=dict, repr=False)
    # by a spelling without its spaces: «sikkerhets-og», «Valg direktoratet» («any case and spacing», the form says);
    # None where two agencies would share one
    _by_letters: dict[str, Agency | None] = field(default_factory=dict, repr=False)
    # nearest_agencies by folded text: a CSV of 8 000 rows naming an agency the register lacks asked 8 000 times
    _nearest: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for agency in self.agencies:
            for spelling in agency.spellings:
                self._by_spelling.setdefault(fold(spelling), agency)
                letters = _letters(fold(spelling))
                self._by_letters[letters] = agency if self._by_letters.get(letters, agency) is agency else None
        # A request names its agency as the register does, whatever requests.csv writes: an agency renamed in
        # agencies.csv alone (its old name an alias) was «Ikke levert» under the old name and unasked under the new
        self.requests = [r if (a := self.agency_named(r.agency)) is None or a.name == r.agency
                         else dataclasses.replace(r, agency=a.name) for r in self.requests]

    def match_agency(self, text: str) -> Agency:
        """The agency written as text (name, abbreviation or alias, any case and spacing), also as two of its
        spellings together: «Husbanken (HB)», «Valgdirektoratet / VDIR», «HB – Husbanken»."""
        key = fold(text)
        if key in self._by_spelling:
            return self._by_spelling[key]
        # with its organisation number after it («Husbanken, org.nr. 974 760 843»), the name decides; the nearest
        # names are those of the name, not of the digits
        name = _ORGANISATION_NUMBER.sub("", key).strip() or key
        for written in dict.fromkeys((key, name)):
            if (agency := self._by_spelling.get(written) or self._both_spellings(written)) is not None:
                return agency
        if (agency := self._by_letters.get(_letters(name))) is not None:
            return agency
        raise ValueProblem(self._nearest_message(name))

    def _both_spellings(self, key: str) -> Agency | None:
        """The agency a folded text names twice, by a spelling and another in brackets or after a dash or slash; None
        when either part names no agency, or they name two."""
        for pattern in _TWO_SPELLINGS:
            if parts := pattern.fullmatch(key):
                first, second = (self._by_spelling.get(part.strip()) for part in parts.group(1, 2))
                return first if first is not None and first == second else None
        return None

    @property
    def unknown_requests(self) -> list[str]:
        """«Kartverkt (2024)» for each request in requests.csv that names no agency of the register: it would show
        as an agency of its own that never reported, and the agency meant as reporting without being asked."""
        names = {a.name for a in self.agencies}
        return [f"{r.agency} ({r.start_year})" for r in self.requests if r.agency not in names]

    @property
    def requests_without_deadline(self) -> list[str]:
        """«Husbanken (2027)» for each request in requests.csv for a round rounds.csv has no deadline for: no report
        for it can be late or missing, so it stays «Frist ikke ute»."""
        years = {r.start_year for r in self.rounds}
        return [f"{r.agency} ({r.start_year})" for r in self.requests if r.start_year not in years]

    def agency_named(self, text: str) -> Agency | None:
        """The agency written as text, as match_agency, or None for no agency of the register."""
        return self._by_spelling.get(fold(text))

    def nearest_agencies(self, text: str) -> list[str]:
        """The register's names closest to a misspelt agency, closest first (at most three), and those written whole
        in it («Kartverket Hønefoss»).

        Names that share only a generic part are not near: «Fiskeridirektoratet» was «nærmest
        Digitaliseringsdirektoratet, Valgdirektoratet», an agency the register lacks told as a misspelling.
        """
        key = fold(text)
        if key in self._nearest:
            return list(self._nearest[key])
        names: list[str] = []
        close = difflib.get_close_matches(key, self._by_spelling, n=6, cutoff=0.5)
        whole = [s for s in self._by_spelling if len(s) >= 4 and re.search(rf"(?<!\w){re.escape(s)}(?!\w)", key)]
        for spelling in [*close, *whole]:
            if spelling not in whole and not _alike(key, spelling):
                continue
            name = self._by_spelling[spelling].name
            if name not in names:
                names.append(name)
        if len(self._nearest) < 4096:
            self._nearest[key] = names[:3]
        return names[:3]

    def _nearest_message(self, key: str) -> str:
        """'en virksomhet i registeret; nærmest: …' with the closest known names."""
        names = self.nearest_agencies(key)
        missing = ("Mangler virksomheten i registeret, må den legges inn i data/agencies.csv av den som drifter "
                   "Pilotoversikt")
        if not names:
            return f"en virksomhet i registeret, skrevet med navn eller forkortelse; ingen ligner. {missing}"
        return f"en virksomhet i registeret; nærmest er {', '.join(names)}. {missing}"

    def round_for(self, start_year: int) -> Round | None:
        """The round of this start year, if it is in the data."""
        return next((r for r in self.rounds if r.start_year == start_year), None)


def _letters(key: str) -> str:
    """A folded spelling without its spaces."""
    return key.replace(" ", "")


def _date(text: str) -> dt.date | None:
    """An ISO date from a reference file, or None when blank."""
    return dt.date.fromisoformat(text) if text and text.strip() else None


def _rows(path: Path) -> list[dict[str, str]]:
    """The rows of a reference CSV (UTF-8, comma-separated, header row)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


# What many agencies' names begin or end in, which says nothing of which agency is meant
_GENERIC_START = re.compile(r"^(statens|direktoratet for|norsk|norges|den norske)\s+")
_GENERIC_END = re.compile(r"(direktorat(et)?|tilsyn(et)?|senter(et)?|etat(en)?|departement(et)?|verk(et)?|"
                          r"vesen(et)?)\W*$")


def _alike(key: str, spelling: str) -> bool:
    """Whether a folded name is a plausible misspelling of a register spelling: all but alike, or alike in what is
    left without a generic beginning or ending («fiskeri» is not «digitaliserings», «kyst» not «kart»)."""
    if difflib.SequenceMatcher(None, key, spelling).ratio() >= 0.85:
        return True
    mine, theirs = (_GENERIC_END.sub("", _GENERIC_START.sub("", s)).strip(" -.") or s for s in (key, spelling))
    return difflib.SequenceMatcher(None, mine, theirs).ratio() >= 0.6


def load_reference(data_dir: Path = DATA_DIR) -> Reference:
    """Read the register, rounds, requests and settings from a data folder."""
    agencies = [
        Agency(r["name"], r["short_name"], tuple(a.strip() for a in r["aliases"].split("|") if a.strip()),
               r["ministry"], r.get("previous_ministry", ""), _date(r.get("ministry_changed_on", "")))
        for r in _rows(data_dir / "agencies.csv")
    ]
    ministries = {r["short_name"]: r["name"] for r in _rows(data_dir / "ministries.csv")}
    rounds = [Round(int(r["start_year"]), _date(r["deadline"]), r["description"])
              for r in _rows(data_dir / "rounds.csv")]
    requests = [Request(int(r["start_year"]), r["agency"], _date(r["letter_date"]), r["letter_ref"], r["note"])
                for r in _rows(data_dir / "requests.csv")]
    with (data_dir / "settings.toml").open("rb") as handle:
        raw = tomllib.load(handle)
    settings = Settings(
        ambition_min=int(raw["ambition"]["min_pilots"]),
        ambition_max=int(raw["ambition"]["max_pilots"]),
        counting_statuses=tuple(raw["ambition"]["counting_statuses"]),
        reform_start=raw["reform_period"]["start"],
        reform_end=raw["reform_period"]["end"],
        events=tuple(Event(e["label"], e["start"], e["end"], e.get("note", "")) for e in raw.get("events", [])),
        limits=Limits(int(raw["limits"]["max_file_mb"] * 1_048_576),
                      int(raw["limits"]["max_unpacked_mb"] * 1_048_576)),
    )
    return Reference(agencies, ministries, rounds, requests, settings)
