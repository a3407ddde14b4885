"""Importing files into the store: plan what each file will change, then write it.

`plan_import` reads every file and says, before anything is written, what it would do:
new, replaces, unchanged or refused (with every problem). `import_files` (on an open store)
and `import_into_store` (opening it) make the same plans and write each accepted file, all
of it or none of it. The CLI and the dashboard's import page both use these, so a user sees
the same outcome and the same messages in both.

A batch is planned once its files are read: workbooks and Piloter tables first, then milestone
and budget tables, which may refer to pilots of files before them, and in each group the dated
files oldest first, so the newest report of a submission is the current one. It is written in
one transaction at the end.
"""

from __future__ import annotations

import datetime as dt
import gc
import heapq
import itertools
from collections import Counter
from collections.abc import Callable, Container, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from loaders.batch import parsed_in_order
from loaders.contract import BUDGET, MILESTONES, PILOTS, SUBMISSION
from loaders.parsing import ParsedFile, SubmissionData, check_budget_sums, check_union_involvement, resolve_pilots
from loaders.problems import Problem
from loaders.register import Reference
from loaders.values import format_date, format_kroner, format_number, name_key, norwegian_now, norwegian_today
from store import database

TABLE_SHEETS = {"pilots": PILOTS.sheet, "milestones": MILESTONES.sheet, "budget": BUDGET.sheet}
OUTCOME_TEXT = {"new": "ny", "replaces": "erstatter", "unchanged": "uendret", "refused": "avvist",
                "imported": "importert"}


@dataclass
class FilePlan:
    """What importing one file will do (or did): outcome, a one-line summary, problems."""

    parsed: ParsedFile
    outcome: str = "refused"  # new | replaces | unchanged | refused; 'imported' once written
    summary: str = ""
    changes: list[str] = field(default_factory=list)
    replaces_existing: bool = False
    stored_file_id: int | None = None  # the same bytes are in the store: imported again to be current again
    differences: list[str] = field(default_factory=list)  # what changes against the stored version, in words
    # the submissions this file makes current though it is dated before the version it replaces (an old copy?),
    # in words: «Statsbygg 2024: innsendt 25.10.2023, versjonen den erstatter 06.11.2023»
    older: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The file's name as given."""
        return self.parsed.name

    @property
    def problems(self) -> list[Problem]:
        """Errors and warnings for this file."""
        return self.parsed.problems

    @property
    def line(self) -> str:
        """One line per file, as the CLI prints it."""
        return f"{self.name}: {OUTCOME_TEXT[self.outcome]} – {self.summary}"


def reported(parsed: ParsedFile) -> list[str]:
    """«Statsbygg 2024» for each submission a file reports, as far as it could be read (also when it is refused)."""
    return list(dict.fromkeys([*parsed.reported_for, *(f"{d.agency} {d.start_year}" for d in
                                                       (parsed.submissions or parsed.refused_submissions))]))


def reported_at(parsed: ParsedFile, problem: Problem) -> str:
    """Whose report a problem is about, «Statsbygg 2024», for a list of problems to send back: in a CSV of many
    agencies, the one on the problem's row; a problem of the whole file (no row, or above the data), the file's one
    report; "" where that is not known (a row whose Virksomhet or Oppstartsår could not be read)."""
    if parsed.first_data_row is not None and problem.row is not None and problem.row >= parsed.first_data_row:
        return parsed.row_reports.get(problem.row, "")  # a row nobody's: another row's agency would be a guess
    who = reported(parsed)
    return who[0] if len(who) == 1 else ""


def _refused_summary(parsed: ParsedFile) -> str:
    """«Statsbygg 2024: 3 feil; ingenting fra filen importeres», naming what the file reports where it is known."""
    reports = reported(parsed)
    return f"{', '.join(reports) + ': ' if reports else ''}{len(parsed.errors)} feil; ingenting fra filen importeres"


def _counts(data: SubmissionData) -> str:
    """'3 piloter, 12 milepæler, 6 budsjettrader' for what a submission carries."""
    parts = []
    for key, one, many in (("pilots", "pilot", "piloter"), ("milestones", "milepæl eller fase", "milepæler og faser"),
                           ("budget", "budsjettrad", "budsjettrader")):
        rows = data.tables[key]
        if rows is not None:
            parts.append(f"{len(rows)} {one if len(rows) == 1 else many}")
    if data.fields.get("has_plans") is False:
        parts.append("ingen planer om piloter (vurderinger rapportert)")
    return ", ".join(parts)


class _Planner:
    """Plans a batch: pilot tables first, so milestone and budget CSVs can refer to them."""

    def __init__(self, con: duckdb.DuckDBPyConnection, reference: Reference):
        self.con = con
        self.reference = reference
        self.plans: dict[int, FilePlan] = {}  # id of a ParsedFile → its plan
        self.pending_pilots: dict[tuple[str, int], list[dict]] = {}
        self.pending_exists: dict[tuple[str, int], str] = {}
        self.refused_pilots: dict[tuple[str, int], str] = {}  # submissions whose Piloter CSV was refused → its name
        self.pending_fields: dict[tuple[str, int], dict] = {}  # Innsending fields of versions planned in this batch
        self.pending_budget: dict[tuple[str, int], list[dict]] = {}  # and their budget rows, where a file gave them
        # the milestone and budget rows versions planned in this batch hold (a Piloter CSV keeps its pilots' rows)
        self.pending_rows: dict[tuple[str, int], dict[str, list[dict]]] = {}
        self.table_files: dict[tuple[tuple[str, int], str], str] = {}  # the CSV of this batch a table's rows are from
        # Piloter CSVs that changed a total, with the budget rows they keep: checked once the batch shows
        # that no later file replaces those rows
        self.kept_budget_checks: dict[tuple[str, int], list[tuple[ParsedFile, list[dict], list[dict]]]] = {}
        # The last accepted file with an Innsendt dato for each submission, and the newest date it replaces in this
        # import; with the store's date, checked once the batch shows which file ends up current
        self.last_dated: dict[tuple[str, int], tuple[ParsedFile, SubmissionData, object]] = {}
        self.newest_before_batch: dict[tuple[str, int], object] = {}
        self.seen_hashes: dict[str, str] = {}
        # What files change against the stored versions: found while a file is planned, and given to it (and
        # taken back from an earlier file of the import about the same) once the file is accepted
        self.differences_found: list[tuple[tuple[str, int], str, str]] = []  # (submission, what about, line)
        self.differences_told: dict[tuple[tuple[str, int], str], tuple[FilePlan, list[str]]] = {}
        self.current = database.current_versions(con)
        self.rounds_of: dict[str, set[int]] = {}  # the rounds each agency has pilots for, stored or in this import
        self.pilots_from: dict[tuple[str, int], tuple[ParsedFile, SubmissionData]] = {}  # the file giving them
        for agency, year in self.current:
            self.rounds_of.setdefault(agency, set()).add(year)
        self.stored_hashes = database.known_hashes(con)
        self.stored_rows: dict[tuple[str, int], list[tuple]] = {}  # (table, version) → its rows, read once
        self.asked = {(r.start_year, r.agency) for r in reference.requests}

    def plan_all(self, parsed_files: Iterable[ParsedFile]) -> Iterator[FilePlan]:
        """Plans for a batch: workbooks and Piloter tables first, milestone and budget tables last, and in each
        group the dated files oldest first (_newest_last), so that of two reports of one submission the newest
        is what ends up current, whatever the files are called.

        Checks that need the whole batch run after the last plan and may add warnings to earlier
        files (before anything is written: the writer asks for a file's warnings when it flushes).
        """
        first, later = [], []
        for parsed in parsed_files:
            (later if _batch_order(parsed) else first).append(parsed)
        for parsed in (*_newest_last(first, self.stored_hashes), *_newest_last(later, self.stored_hashes)):
            yield self.plan(parsed)
        for checks in self.kept_budget_checks.values():
            for parsed, pilots, kept_budget in checks:
                check_budget_sums(parsed, f"{BUDGET.sheet} (beholdt fra versjonen før)", pilots, kept_budget,
                                  f"CSV ({PILOTS.sheet})")
        for key, (parsed, data, replaced) in self.last_dated.items():
            self._check_not_older(parsed, data, self.newest_before_batch.get(key), replaced)
        self._warn_of_pilots_in_two_rounds()

    def plan(self, parsed: ParsedFile) -> FilePlan:
        """The plan for one parsed file, given the store and the files planned before it."""
        plan = self.plans[id(parsed)] = FilePlan(parsed)
        self._tell_of_refused_pilots(parsed)
        if parsed.errors:
            self._note_refused_pilots(parsed, parsed.refused_submissions)
            self._check_pilots_of_refused(parsed)
            plan.summary = _refused_summary(parsed)
            return plan
        earlier = self.seen_hashes.get(parsed.sha256) or self._stored_hash(parsed.sha256)
        again = self._current_again(parsed) if earlier and not self.seen_hashes.get(parsed.sha256) else []
        if again:  # only the submissions an older copy replaced: for the others the file is current as it is
            plan.stored_file_id = self.stored_hashes[parsed.sha256][2]
            parsed.submissions[:] = again
        elif earlier:
            plan.outcome = "unchanged"
            plan.summary = f"samme innhold som {earlier}; ingenting endret{self._only_history(parsed)}"
            parsed.problems[:] = [p for p in parsed.problems if not p.is_warning]
            return plan
        elif (same := self._saved_again(parsed)) is not None:
            plan.outcome = "unchanged"
            plan.summary = f"samme innhold som {same}, bare lagret på nytt; ingenting endret"
            parsed.problems[:] = [p for p in parsed.problems if not p.is_warning]
            return plan
        kept_budget_checks = [self._plan_submission(plan, data) for data in parsed.submissions]
        if plan.stored_file_id is not None:
            plan.changes.append(f"samme innhold som {earlier}, men en eldre fil ble gjeldende etter den, så denne "
                                "blir gjeldende igjen")
        if parsed.errors:
            self.differences_found.clear()
            self._note_refused_pilots(parsed, parsed.submissions)
            plan.outcome = "refused"
            plan.summary = _refused_summary(parsed)
            return plan
        self._tell_differences(plan)
        self.seen_hashes[parsed.sha256] = f"«{parsed.name}» i samme import"
        for data in parsed.submissions:
            key = (data.agency, data.start_year)
            self.pending_fields[key] = self._kept_fields(parsed, data)
            if data.budget is not None:
                self.pending_budget[key] = data.budget
                self.kept_budget_checks.pop(key, None)  # its budget rows are replaced, not kept
            if data.fields.get("submitted_on") is not None:
                self._note_date(parsed, data)
            if data.pilots is not None or key not in self.pending_exists:
                self.pending_exists[key] = parsed.name
            held = self.pending_rows.get(key)
            if held is None:  # the batch's first version of it: a CSV starts from the stored version's rows
                previous, held = self.current.get(key), {}
                if previous is not None and parsed.table != "workbook":
                    held = self._row_dicts(previous)
                self.pending_rows[key] = held
            for table in ("milestones", "budget"):
                if data.tables[table] is not None:
                    other = self.table_files.get((key, table)) if parsed.table == table else None
                    if other and held.get(table):  # two CSVs of one table: the later's rows are all there is
                        parsed.warn(f"{data.agency} {data.start_year} har {TABLE_SHEETS[table]} også i «{other}» i "
                                    "samme import; denne filen kommer etter den og erstatter radene derfra. Skal "
                                    "radene i begge gjelde, samle dem i én fil og importer den",
                                    f"CSV ({TABLE_SHEETS[table]})")
                    held[table] = data.tables[table]
                    if parsed.table == table:
                        self.table_files[(key, table)] = parsed.name
                elif parsed.table == "pilots" and table in held:  # kept, for the pilots the CSV still has
                    held[table] = _rows_of(held[table], data.pilots)
            if data.pilots is not None:
                self.pending_pilots[key] = data.pilots
                self.pilots_from[key] = (parsed, data)
                self.rounds_of.setdefault(data.agency, set()).add(data.start_year)
        for check in filter(None, kept_budget_checks):
            key, pilots, kept_budget = check
            self.kept_budget_checks.setdefault(key, []).append((parsed, pilots, kept_budget))
        plan.outcome = "replaces" if plan.replaces_existing else "new"
        plan.summary = "; ".join(plan.changes)
        return plan

    def _note_refused_pilots(self, parsed: ParsedFile, submissions: list[SubmissionData]) -> None:
        """Remember the submissions whose Piloter table this import refused, in a Piloter CSV."""
        if parsed.table == "pilots":
            for data in submissions:
                self.refused_pilots.setdefault((data.agency, data.start_year), parsed.name)

    def _tell_of_refused_pilots(self, parsed: ParsedFile) -> None:
        """Say so in a milestone or budget CSV whose submission's Piloter CSV in this import was refused: its rows are
        looked up among the pilots imported before, and «ingen piloter er registrert», or «importer Piloter-tabellen
        … sammen med denne», read as if the Piloter CSV beside it had not been there."""
        if parsed.table not in ("milestones", "budget"):
            return
        for data in parsed.submissions or parsed.refused_submissions:
            key = (data.agency, data.start_year)
            if (other := self.refused_pilots.get(key)) is not None and key not in self.pending_pilots:
                parsed.warn(f"pilotene til {data.agency} {data.start_year} står i «{other}» i samme import, som ble "
                            "avvist; radene her er slått opp blant pilotene som var importert fra før. Rett feilene "
                            f"i «{other}» og importer filene sammen på nytt", f"CSV ({TABLE_SHEETS[parsed.table]})")

    def _check_pilots_of_refused(self, parsed: ParsedFile) -> None:
        """Look up the pilots a refused milestone or budget CSV names, as for one accepted, so that its errors are
        told together rather than one kind per round of mending and sending."""
        if parsed.table not in ("milestones", "budget"):
            return
        for data in parsed.refused_submissions:
            key = (data.agency, data.start_year)
            pilots, previous = self.pending_pilots.get(key), self.current.get(key)
            if pilots is None and previous is not None:
                pilots = database.current_pilot_keys(self.con, previous["submission_id"])
            if pilots is not None:  # without a submission to add to, that is the error (told once the rest is right)
                resolve_pilots(parsed, f"CSV ({TABLE_SHEETS[parsed.table]})", data.tables[parsed.table], pilots)

    def _current_again(self, parsed: ParsedFile) -> list[SubmissionData]:
        """The submissions of a file imported before that it should be current for again: what it holds of them
        was replaced since by a file dated before it (an old copy imported after it, which its warning tells to
        mend by importing the newest again), or is replaced by one earlier in this import (a folder of the newest,
        imported before, and an old copy beside it). Not one replaced by a file of the same or a later date, or by
        a milestone or budget table (which carries no date of its own), nor any of a file with no Innsendt dato: a
        folder imported again must not bring back its old copies, nor undo a correction. (A CSV of two agencies
        may be the newest for one and not the other: it is current again for the one.)"""
        if parsed.table not in ("workbook", "pilots"):
            return []
        sheet = None if parsed.table == "workbook" else TABLE_SHEETS[parsed.table]
        again = []
        for data in parsed.submissions:
            ours, key = _ranking(data.fields.get("submitted_on")), (data.agency, data.start_year)
            if key in self.pending_exists:  # replaced earlier in this import (by an older file, as it is ordered)
                kind, theirs = "pilots", (self.pending_fields.get(key) or {}).get("submitted_on")
            else:
                source = database.current_source(self.con, data.agency, data.start_year, sheet)
                if source is None or source[0] == parsed.sha256:
                    continue
                _, kind, theirs = source
            theirs = _ranking(theirs)
            if kind in ("workbook", "pilots") and ours is not None and theirs is not None and ours > theirs:
                again.append(data)
        return again

    def _saved_again(self, parsed: ParsedFile) -> str | None:
        """«versjon 2 av Husbanken 2024 (innsendt 30.10.2023)» when a workbook holds exactly what the current version
        of each of its submissions holds: the same form saved again (new bytes, nothing changed), which was
        «erstatter alt i versjon 2» with no change to tell of, and made a version 3 like it. Likewise for a
        submission an earlier file of this import holds: «Husbanken 2024 i «husbanken.xlsx» i samme import». None
        otherwise."""
        if parsed.table != "workbook" or not parsed.submissions:
            return None
        same = []
        for data in parsed.submissions:
            key = (data.agency, data.start_year)
            if key in self.pending_exists:  # saved again beside itself in one import: as if imported one by one
                if not self._holds_the_pending(key, data):
                    return None
                same.append(f"{data.agency} {data.start_year} i «{self.pending_exists[key]}» i samme import")
                continue
            version = self.current.get(key)
            if version is None or not database.holds_the_same(self.con, version, data.fields, data.tables):
                return None
            same.append(f"versjon {version['version']} av {data.agency} {data.start_year} "
                        f"(innsendt {format_date(version['submitted_on'])})")
        return ", ".join(same)

    def _holds_the_pending(self, key: tuple[str, int], data: SubmissionData) -> bool:
        """Whether a submission holds exactly what the files planned before it in this import leave of it: the
        version they make, which importing them first would have stored."""
        fields, held = self.pending_fields.get(key), self.pending_rows.get(key, {})
        if fields is None or any(fields.get(k) != data.fields.get(k) for k in database.SUBMISSION_FIELDS):
            return False
        pending = {"pilots": self.pending_pilots.get(key), "milestones": held.get("milestones"),
                   "budget": held.get("budget")}
        return all(rows is None or (pending[table] is not None
                                    and database.as_stored(table, pending[table]) == database.as_stored(table, rows))
                   for table, rows in data.tables.items())

    def _only_history(self, parsed: ParsedFile) -> str:
        """For a file imported before whose submissions show another file's pilots now: «; filen er historikk:
        gjeldende for Statsbygg 2024 er versjon 2 (innsendt 06.11.2023)» (it said «ingenting endret», as of the
        current one)."""
        if self.seen_hashes.get(parsed.sha256) or parsed.table not in ("workbook", "pilots"):
            return ""
        later = []
        for data in parsed.submissions:
            if (data.agency, data.start_year) in self.pending_exists:  # a file of this import replaces it anyway
                continue
            # whose pilots it shows: a Milepæler CSV after the workbook leaves the workbook current for its pilots
            source = database.current_source(self.con, data.agency, data.start_year, TABLE_SHEETS["pilots"])
            current = self.current.get((data.agency, data.start_year))
            if source is not None and source[0] != parsed.sha256 and current is not None:
                later.append(f"{data.agency} {data.start_year} er versjon {current['version']} "
                             f"(innsendt {format_date(current['submitted_on'])})")
        return f"; filen er historikk: gjeldende for {', '.join(later)}" if later else ""

    def _stored_hash(self, sha256: str) -> str | None:
        """'«name» (importert 01.11.2023)' when the same bytes are in the store."""
        found = self.stored_hashes.get(sha256)
        return f"«{found[0]}», importert {format_date(found[1].date())}" if found else None

    def _plan_submission(self, plan: FilePlan, data: SubmissionData) -> tuple | None:
        """Check one submission against the store and describe what it changes.

        Returns the kept-budget check a Piloter CSV asks for (see _check_carried_over), or None.
        """
        parsed = plan.parsed
        key = (data.agency, data.start_year)
        previous = self.current.get(key)
        label = f"{data.agency} {data.start_year}"
        if previous is None and key not in self.pending_exists and data.pilots is None:
            sheet = f"CSV ({TABLE_SHEETS[parsed.table]})"
            parsed.error(f"et oppstartsår der {data.agency} har en innsending som dette kan legges til (det finnes "
                         f"ingen for {data.start_year}); importer Piloter-tabellen (eller arbeidsboken) først, eller "
                         "sammen med denne", sheet, data.year_row, "Oppstartsår", data.start_year)
            return None
        check = None
        if data.pilots is None:
            pilots = self.pending_pilots.get(key)
            if pilots is None and previous is not None:
                pilots = database.current_pilot_keys(self.con, previous["submission_id"])
            sheet = f"CSV ({TABLE_SHEETS[parsed.table]})"
            rows = data.tables[parsed.table]
            resolve_pilots(parsed, sheet, rows, pilots or [])
            if parsed.table == "budget":
                check_budget_sums(parsed, sheet, pilots or [], rows)
        elif parsed.table == "pilots":
            check = self._check_carried_over(parsed, data, previous)
        elif (previous is not None and data.absent_sheets and key not in self.pending_exists
              and data.fields.get("has_plans") is not False):  # with no plans the sheets are to be empty anyway
            self._warn_of_absent_sheets(parsed, data, previous)
        self._check_round(parsed, data)
        sent = data.fields.get("submitted_on")
        if _ranking(sent) == dt.date.min:  # after today: a typo (2033 for 2023) that would outrank every correction
            parsed.warn(f"«Innsendt dato» {format_date(sent)} er etter i dag; rett den om den er feil: den avgjør om "
                        "innsendingen kom i tide (en dato etter i dag teller ikke når versjoner rangeres etter dato)",
                        _innsending_sheet(parsed), data.date_row, SUBMISSION.field("submitted_on").label)
        elif isinstance(sent, dt.date) and sent.year < data.start_year - 1:  # 2013 for 2023: «I tide», unsaid
            parsed.warn(f"«Innsendt dato» {format_date(sent)} er mer enn ett år før oppstartsåret {data.start_year}; "
                        "rett den om årstallet er feil: den avgjør om innsendingen kom i tide",
                        _innsending_sheet(parsed), data.date_row, SUBMISSION.field("submitted_on").label)
        if parsed.table == "pilots":  # the involvement the new version holds: the CSV's, or the one before's
            check_union_involvement(parsed, f"CSV ({PILOTS.sheet})", self._kept_fields(parsed, data), data.year_row)
        what = "alt" if parsed.table == "workbook" else TABLE_SHEETS[parsed.table]
        if key in self.pending_exists:
            plan.replaces_existing = plan.replaces_existing or previous is not None or data.pilots is not None
            # what the file does to the version an earlier file of the batch made: a CSV replaces its one table
            if parsed.table == "workbook":
                verb = "erstatter"
            elif parsed.table == "pilots" or self.pending_rows.get(key, {}).get(parsed.table):
                verb = f"erstatter {TABLE_SHEETS[parsed.table]} i"
            else:
                verb = "legges til"
            if data.pilots is not None:  # two reports of one submission: the newer is current, the other history
                sent_then = (self.pending_fields.get(key) or {}).get("submitted_on")
                ours, theirs = _ranking(data.fields.get("submitted_on")), _ranking(sent_then)
                other = self.pending_exists[key]
                if ours is not None and theirs is not None and ours > theirs:
                    parsed.warn(f"{label} står også i «{other}» i samme import, innsendt {format_date(sent_then)}; "
                                "denne filen er nyere og blir gjeldende, den andre blir historikk")
                elif ours is not None and theirs is not None and ours < theirs:  # files of several, in opposite orders
                    parsed.warn(f"{label} står også i «{other}» i samme import, innsendt {format_date(sent_then)}, som "
                                "er nyere; filene holder flere innsendinger og kunne ikke leses i datoenes rekkefølge "
                                f"for alle, så denne blir gjeldende. Importer «{other}» alene etterpå")
                else:  # the same date, or none to tell by: the one read last wins
                    parsed.warn(f"{label} står også i «{other}» i samme import med samme eller uten «Innsendt dato»; "
                                "denne filen kommer etter den og blir gjeldende. Er den andre den nyeste, rett "
                                "«Innsendt dato» i den til dagen den ble sendt, og importer den på nytt")
            plan.changes.append(f"{label}: {_counts(data)} – {verb} innsendingen fra «{self.pending_exists[key]}» "
                                "i samme import")
        elif previous is not None:
            plan.replaces_existing = True
            plan.changes.append(f"{label}: {_counts(data)} – erstatter {what} i versjon {previous['version']} "
                                f"(innsendt {format_date(previous['submitted_on'])})")
        else:
            plan.changes.append(f"{label}: {_counts(data)} – ny innsending")
        if previous is not None:  # against what is stored; told once the file is accepted (plan)
            self.differences_found += [(key, aspect, f"{label}: {line}")
                                       for aspect, line in self._differences(data, previous)]
        return check

    def _differences(self, data: SubmissionData, previous: dict) -> list[tuple[str, str]]:
        """What a new version changes against the stored one, in words, each with what it is about (the
        Innsending fields, or a table): whether it has plans, whether it was delivered on time, the pilots
        (pilot_differences), and how many milestones and budget rows change (row_differences)."""
        lines = []
        plans_before, plans_now = previous.get("has_plans"), data.fields.get("has_plans")
        if plans_now is not None and plans_before is not None and plans_now != plans_before:
            answer = {True: "Ja", False: "Nei"}
            lines.append(("submission", f"«Har planer om piloter» {answer[plans_before]} → {answer[plans_now]}"))
        rnd = self.reference.round_for(data.start_year)
        sent_before, sent_now = previous.get("submitted_on"), data.fields.get("submitted_on")
        if sent_now is not None and sent_before is not None and sent_now != sent_before and (
                rnd is None or (sent_before > rnd.deadline) == (sent_now > rnd.deadline)):
            lines.append(("submission", f"Innsendt dato {format_date(sent_before)} → {format_date(sent_now)}"))
        if rnd is not None and sent_now is not None and sent_before is not None:
            late_before, late_now = sent_before > rnd.deadline, sent_now > rnd.deadline
            if late_before != late_now:
                words = {False: "I tide", True: "For sent"}
                lines.append(("submission",
                              f"rapporteringen går fra «{words[late_before]}» til «{words[late_now]}» (innsendt "
                              f"{format_date(sent_now)}, frist {format_date(rnd.deadline)})"
                              + ("; er filen en rettelse av en rapport levert i tide, la «Innsendt dato» stå som i "
                                 "rapporten som kom i tide" if late_now else "")))
        if data.pilots is not None:
            before = database.current_pilot_keys(self.con, previous["submission_id"])
            lines += [("pilots", line) for line in pilot_differences(before, data.pilots)]
        for key, words in (("milestones", "milepæler og faser"), ("budget", "budsjettrader")):
            rows = data.tables[key]
            if rows is not None:
                after = [tuple(r.get(c) for c in database.ROW_COLUMNS[key][1:]) for r in rows]
                lines += [(key, line) for line in row_differences(
                    self._stored_rows(key, previous["submission_id"]), after, words)]
        return lines

    def _stored_rows(self, table: str, submission_id: int) -> list[tuple]:
        """A stored version's milestones or budget rows (database.version_rows), read once for every check of it."""
        if (table, submission_id) not in self.stored_rows:
            self.stored_rows[(table, submission_id)] = database.version_rows(self.con, table, submission_id)
        return self.stored_rows[(table, submission_id)]

    def _row_dicts(self, previous: dict) -> dict[str, list[dict]]:
        """A stored version's milestone and budget rows as dicts of their columns, as a file's rows are."""
        return {table: [dict(zip(database.ROW_COLUMNS[table][1:], row, strict=True))
                        for row in self._stored_rows(table, previous["submission_id"])]
                for table in ("milestones", "budget")}

    def _tell_differences(self, plan: FilePlan) -> None:
        """Give an accepted file the differences found for it. Of two files in one import about the same thing
        (the Innsending fields, or a table) of a submission, the later one's are what happens: the earlier
        one's lines about that thing are taken back."""
        found, self.differences_found = self.differences_found, []
        for key, aspect in dict.fromkeys((key, aspect) for key, aspect, _ in found):
            earlier = self.differences_told.pop((key, aspect), None)
            if earlier is not None:
                told, lines = earlier
                told.differences[:] = [line for line in told.differences if line not in lines]
        for key, aspect, line in found:
            plan.differences.append(line)
            self.differences_told.setdefault((key, aspect), (plan, []))[1].append(line)

    def _check_carried_over(self, parsed: ParsedFile, data: SubmissionData, previous: dict | None) -> tuple | None:
        """A Piloter CSV keeps the milestones and budget before it: warn of rows left behind, and return the check
        of kept budget rows against the totals it changed ((agency, year), those pilots, the rows), run once the
        batch is planned and no later file replaces the rows (see plan_all)."""
        key, label = (data.agency, data.start_year), f"{data.agency} {data.start_year}"
        kept_budget, pilots_before = self.pending_budget.get(key), self.pending_pilots.get(key)
        if key in self.pending_rows:  # the version before is one of this batch: its rows, not the store's
            dropped = {table: len(rows) - len(_rows_of(rows, data.pilots))
                       for table, rows in self.pending_rows[key].items()}
            where = f"i «{self.pending_exists[key]}» i samme import"
        elif previous is not None:
            dropped = {table: len(rows) - len(_rows_of(rows, data.pilots))
                       for table, rows in self._row_dicts(previous).items()}
            where = "i historikken"
        else:
            dropped, where = {}, ""
        for table, count in dropped.items():
            if count:
                rows = "1 rad" if count == 1 else f"{count} rader"
                parsed.warn(f"{rows} i {TABLE_SHEETS[table]} for {label} viser til piloter som ikke lenger finnes "
                            f"og blir ikke med i den nye versjonen (de finnes {where})")
        if previous is not None:
            if kept_budget is None:
                kept_budget = self._row_dicts(previous)["budget"]
            if pilots_before is None:
                pilots_before = database.current_pilot_keys(self.con, previous["submission_id"])
        totals_before = {p["pilot_name"]: p.get("budget_total_nok") for p in pilots_before or []}
        changed = [p for p in data.pilots
                   if p["pilot_name"] in totals_before and p.get("budget_total_nok") != totals_before[p["pilot_name"]]]
        return (key, changed, kept_budget) if kept_budget and changed else None

    def _warn_of_pilots_in_two_rounds(self) -> None:
        """Warn of a pilot an agency has in two rounds once the batch is planned, as the store will hold them: each
        round's pilots are counted, so a pilot reported again for the next round counts twice towards the ambition,
        and its budget is added twice. Told to the file whose pilots end up current for a round (by name: a
        Pilot-ID is unique within one file only)."""
        for (agency, year), (parsed, data) in self.pilots_from.items():
            others: dict[str, int] = {}  # the agency's pilots of its other rounds, by name → their round
            for other in sorted(self.rounds_of.get(agency, ())):
                key = (agency, other)
                pilots = self.pending_pilots.get(key)
                if pilots is None and key in self.current:
                    pilots = database.current_pilot_keys(self.con, self.current[key]["submission_id"])
                if other != year:
                    for pilot in pilots or []:
                        others.setdefault(name_key(pilot["pilot_name"]), other)
            sheet = PILOTS.sheet if parsed.table == "workbook" else f"CSV ({PILOTS.sheet})"
            for pilot in data.pilots:
                if (other := others.get(name_key(pilot["pilot_name"]))) is not None:
                    parsed.warn(f"{agency} har rapportert «{pilot['pilot_name']}» for Oppstartsår {other} også; hver "
                                "rundes piloter telles, så den teller to ganger mot ambisjonen og budsjettet legges "
                                "sammen. Er det samme pilot, ta den bare med i runden den starter i", sheet,
                                pilot.get("_row"), "Pilotnavn")

    def _warn_of_absent_sheets(self, parsed: ParsedFile, data: SubmissionData, previous: dict) -> None:
        """A workbook replaces everything: a sheet left out of a correction takes the version before's rows with it."""
        held = {table: len(rows) for table, rows in self._row_dicts(previous).items()}
        for key in data.absent_sheets:
            if held.get(key):
                rows = "den ene raden" if held[key] == 1 else f"de {held[key]} radene"
                parsed.warn(f"arket «{TABLE_SHEETS[key]}» mangler i arbeidsboken, så {rows} der i versjon "
                            f"{previous['version']} blir ikke med i den nye versjonen (de finnes i historikken). "
                            "Skal de være med, legg arket tilbake med radene og importer på nytt")

    def _note_date(self, parsed: ParsedFile, data: SubmissionData) -> None:
        """Remember the last accepted dated file of each submission, and the newest date of what it replaces."""
        key = (data.agency, data.start_year)
        if key not in self.newest_before_batch and key in self.current:
            self.newest_before_batch[key] = self.current[key]["submitted_on"]
        before, replaced = self.last_dated.get(key), None
        if before is not None:  # this file replaces that one, and what that one replaced
            replaced = max(filter(None, (before[2], before[1].fields["submitted_on"])), default=None)
        self.last_dated[key] = (parsed, data, replaced)

    def _check_not_older(self, parsed: ParsedFile, data: SubmissionData, stored: object, replaced: object) -> None:
        """Warn when the file that ends up current for a submission is dated before a version it replaces: the
        one in the store, or an earlier file of the same import (an old copy sent again)."""
        new = data.fields.get("submitted_on")
        if _ranking(new) in (None, dt.date.min):  # none, or after today, which has a warning of its own
            return
        old = max((d for d in (stored, replaced) if _ranking(d) not in (None, dt.date.min)), default=None)
        if old is None or new >= old:
            return
        where = (_innsending_sheet(parsed), data.date_row)
        self.plans[id(parsed)].older.append(f"{data.agency} {data.start_year}: innsendt {format_date(new)}, versjonen "
                                            f"den erstatter {format_date(old)}")
        parsed.warn(f"er {format_date(new)}, tidligere enn versjonen den erstatter ({format_date(old)}). Filen blir "
                    f"likevel gjeldende for {data.agency} {data.start_year}; er den en eldre kopi, importer den "
                    "nyeste på nytt", *where, SUBMISSION.field("submitted_on").label)

    def _kept_fields(self, parsed: ParsedFile, data: SubmissionData) -> dict:
        """The Innsending fields the new version will hold: a CSV's blanks keep the version before's values."""
        key = (data.agency, data.start_year)
        before = self.pending_fields.get(key) or self.current.get(key)
        if parsed.table == "workbook" or before is None:
            return dict(data.fields)
        return {k: before.get(k) if data.fields.get(k) is None else data.fields[k] for k in database.SUBMISSION_FIELDS}

    def _check_round(self, parsed: ParsedFile, data: SubmissionData) -> None:
        """Refuse a year with no round in the data (a typo, or a round to add); warn if the agency was not asked."""
        rnd = self.reference.round_for(data.start_year)
        if rnd is None:
            known = ", ".join(str(r.start_year) for r in self.reference.rounds)
            sheet = _innsending_sheet(parsed)
            parsed.error(f"et oppstartsår med en rapporteringsrunde ({known}); en ny runde legges inn i "
                         "data/rounds.csv med frist", sheet, data.year_row, "Oppstartsår", data.start_year)
            return
        if (data.start_year, data.agency) not in self.asked:
            parsed.warn(f"{data.agency} er ikke registrert som bedt om å rapportere for {data.start_year} "
                        "(data/requests.csv); innsendingen tas likevel med")


DIFFERENCES_NAMED = 8  # pilots named one by one before «og N til»


def pilot_differences(before: list[dict], after: list[dict]) -> list[str]:
    """What a new version changes in the pilots, in words: pilots added and removed, and for the others a
    changed status, budget total or period; then the budget total of all of them, when it changes (and is not
    the one pilot's own)."""
    old = {name_key(p["pilot_name"]): p for p in before}  # one pilot, whatever the case its name is written in
    new = {name_key(p["pilot_name"]): p for p in after}
    lines = []
    added = [new[k]["pilot_name"] for k in new if k not in old]
    removed = [old[k]["pilot_name"] for k in old if k not in new]
    if added:
        lines.append(f"{'ny pilot' if len(added) == 1 else 'nye piloter'}: {_names(added)}")
    if removed:
        lines.append(f"{'pilot' if len(removed) == 1 else 'piloter'} som ikke er med lenger: {_names(removed)}")
    changed = []
    for key in (k for k in new if k in old):
        a, b = old[key], new[key]
        name = b["pilot_name"]
        parts = [f"skrevet «{a['pilot_name']}» før"] if a["pilot_name"] != name else []
        if (a.get("status") or "Planlagt") != (b.get("status") or "Planlagt"):
            parts.append(f"status {a.get('status')} → {b.get('status')}")
        if a.get("budget_total_nok") != b.get("budget_total_nok"):
            parts.append(f"budsjett {_change(a.get('budget_total_nok'), b.get('budget_total_nok'))}")
        if (a.get("start_date"), a.get("end_date")) != (b.get("start_date"), b.get("end_date")):
            parts.append(f"periode {_period(a)} → {_period(b)}")
        if parts:
            changed.append(f"{name}: {', '.join(parts)}")
    lines += changed[:DIFFERENCES_NAMED]
    if len(changed) > DIFFERENCES_NAMED:
        lines.append(f"… og {len(changed) - DIFFERENCES_NAMED} piloter til med endringer")
    total_before = sum(p.get("budget_total_nok") or 0 for p in before)
    total_after = sum(p.get("budget_total_nok") or 0 for p in after)
    # of one pilot, before and after, the total is that pilot's budget: the line above says it already
    one_and_the_same = len(old) == len(new) == 1 and old.keys() == new.keys()
    if total_before != total_after and not one_and_the_same:
        lines.append(f"budsjett totalt {_change(total_before, total_after)}")
    return lines


def row_differences(before: list[tuple], after: list[tuple], words: str) -> list[str]:
    """How a table's rows change, counted: «milepæler og faser: 6 (var 5); 2 er nye eller endret, 4 er som før».

    Rows have no key to pair an old row with its changed self, so a changed row is new; with rows gone too,
    how many are as before tells the reader how many of the old ones are gone or changed (7 before, 5 after,
    «1 er ny eller endret, 4 er som før»: three of the seven are not there as they were).
    """
    old, new = Counter(before), Counter(after)
    added, gone = sum((new - old).values()), sum((old - new).values())
    counts = f"{words}: {len(after)} (var {len(before)})"
    if added:
        changed = f"{counts}; {added} {'er ny' if added == 1 else 'er nye'} eller endret"
        if not gone:
            return [changed]
        kept = len(after) - added
        return [f"{changed}, {kept if kept else 'ingen'} er som før"]
    return [f"{counts}; {gone} er fjernet"] if gone else []


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:DIFFERENCES_NAMED])
    return shown + (f" og {len(names) - DIFFERENCES_NAMED} til" if len(names) > DIFFERENCES_NAMED else "")


def _kr(amount: object) -> str:
    return "–" if amount is None else format_kroner(float(amount))


def _change(before: object, after: object) -> str:
    """«1 500 000 kr → 2 000 000 kr»; with øre where whole kroner read alike («3 800 000 kr → 3 800 000 kr» for a
    change of 0,40 kr told of a change and showed none)."""
    old, new = _kr(before), _kr(after)
    if old == new and None not in (before, after):
        old, new = (f"{format_number(float(x), 2)}\u00a0kr" for x in (before, after))
    return f"{old} → {new}"


def _period(pilot: dict) -> str:
    start, end = pilot.get("start_date"), pilot.get("end_date")
    return f"{format_date(start) if start else '–'}–{format_date(end) if end else '–'}"


def _innsending_sheet(parsed: ParsedFile) -> str:
    """Where a file's Innsending fields are, for a message: the sheet of a workbook, or its CSV."""
    return "Innsending" if parsed.table == "workbook" else f"CSV ({TABLE_SHEETS[parsed.table]})"


def _rows_of(rows: list[dict], pilots: list[dict]) -> list[dict]:
    """The milestone or budget rows of these pilots (by name_key: a name in other case is the same pilot)."""
    names = {name_key(p["pilot_name"]) for p in pilots}
    return [r for r in rows if r.get("pilot_name") and name_key(r["pilot_name"]) in names]


def _ranking(date: object) -> object:
    """A date as it ranks reports against each other: one after today (a typo, 2033 for 2023) ranks below every
    other, so it cannot outrank the correction sent to mend it, nor come back in a folder imported again."""
    if date is None:
        return None
    return dt.date.min if date > norwegian_today() else date


def _newest_last(files: list[ParsedFile], known: Container[str] = ()) -> list[ParsedFile]:
    """The files in an order where, of two that report the same submission, the one with the older Innsendt dato
    for it comes first (so the newer ends up current); files of one date, and files that share no submission,
    keep their order.

    A folder is read in name order, where «Husbanken 2024 - korrigert.xlsx» comes before «Husbanken 2024.xlsx»:
    read in that order, the original was what ended up current. A file of several submissions (a CSV of two
    agencies) is ordered by each of them; where two files ask for opposite orders, files new to the store go
    first (one imported before may then be current again for what it is newer for: a new one is all or none),
    in the given order.
    """
    reports: dict[tuple[str, int], list[tuple[object, int]]] = {}  # submission → (date, file's place)
    for place, parsed in enumerate(files):
        for data in parsed.submissions:
            if (date := _ranking(data.fields.get("submitted_on"))) is not None:
                reports.setdefault((data.agency, data.start_year), []).append((date, place))
    later: list[set[int]] = [set() for _ in files]  # place → the places that must come after it
    for dated in reports.values():
        for (date_a, a), (date_b, b) in itertools.combinations(dated, 2):  # a < b: given order
            if a == b:
                continue
            first, then = (b, a) if date_b < date_a else (a, b)
            later[first].add(then)
    waiting = [0] * len(files)
    for after in later:
        for place in after:
            waiting[place] += 1
    ready = [place for place in range(len(files)) if not waiting[place]]
    heapq.heapify(ready)
    left, order = set(range(len(files))), []
    while left:
        # in a cycle (opposite orders asked for) the first new file left goes next
        place = heapq.heappop(ready) if ready else min(left, key=lambda p: (files[p].sha256 in known, p))
        if place not in left:
            continue
        left.discard(place)
        order.append(place)
        for then in later[place]:
            waiting[then] -= 1
            if waiting[then] == 0 and then in left:
                heapq.heappush(ready, then)
    return [files[place] for place in order]


def _batch_order(parsed: ParsedFile) -> int:
    """Workbooks and Piloter tables first, then milestones and budget."""
    return 0 if parsed.table in ("workbook", "pilots", "") else 1


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a block that allocates many objects and no cycles.

    Reading a batch makes hundreds of thousands of cells, dicts and lists; each few hundred
    allocations set off a collection that walks every object of the process and frees nothing.
    Reference counting still frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def plan_import(con: duckdb.DuckDBPyConnection, files: Iterable[tuple[str, bytes]],
                reference: Reference) -> list[FilePlan]:
    """Read every file and say what importing it would do; writes nothing."""
    with _without_cycle_collection(), parsed_in_order(list(files), reference) as parsed:
        return list(_Planner(con, reference).plan_all(parsed))


def import_files(con: duckdb.DuckDBPyConnection, files: Iterable[tuple[str, bytes]], reference: Reference,
                 progress: Callable[[int, int, str], None] | None = None) -> list[FilePlan]:
    """Plan and write a batch of files; returns one plan per file with its final outcome."""
    files = list(files)
    with _without_cycle_collection(), parsed_in_order(files, reference) as parsed:
        return _import(con, parsed, len(files), reference, progress)


def import_into_store(path: Path | None, files: Iterable[tuple[str, bytes]], reference: Reference,
                      progress: Callable[[int, int, str], None] | None = None,
                      hold_older: bool = False) -> list[FilePlan]:
    """import_files on the store at path (the default store when None), opened for the import only.

    The files are being read (on a second core, where that pays) while the store is opened. With hold_older,
    nothing is written when a file would become current over a version dated later (its plan's «older»): the
    plans come back planned, not imported, for the caller to ask, as Importer's preview does.
    """
    files = list(files)
    with (_without_cycle_collection(), parsed_in_order(files, reference) as parsed,
          database.open_store(path) as con):
        return _import(con, parsed, len(files), reference, progress, hold_older)


class _StoreRefused(Exception):
    """The store refused a write of the batch; its transaction is rolled back."""


class _HeldBack(Exception):
    """A file of the batch is older than the version it would replace, and the caller asked to hold the batch."""


def _import(con: duckdb.DuckDBPyConnection, parsed: Iterable[ParsedFile], count: int, reference: Reference,
            progress: Callable[[int, int, str], None] | None, hold_older: bool = False) -> list[FilePlan]:
    """Plan the files once all are read (telling progress as each is) and write the accepted ones: all of a file
    or none of it (with hold_older, none at all when one would replace a later version).

    The batch is buffered as it is planned and written in one transaction with one insert per
    table (inserting in chunks while reading went on cost more than it saved: each insert has a
    fixed price, and the commit's checkpoint does not shrink). Should the store refuse any of it,
    the transaction is rolled back, the rest is planned, and each accepted file is written again
    in its own transaction, so one bad file cannot take the others down with it.
    """
    database.sync_reference(con, reference)
    plans: list[FilePlan] = []
    accepted: list[FilePlan] = []

    def take(plan: FilePlan) -> bool:
        plans.append(plan)
        if plan.outcome in ("new", "replaces"):
            accepted.append(plan)
            return True
        return False

    stream = _Planner(con, reference).plan_all(_telling(parsed, count, progress))
    try:
        with database.transaction(con, write_through=True):
            writer = database.BatchWriter(con)
            for plan in stream:
                if take(plan):
                    _store(writer, plan)
            if hold_older and any(plan.older for plan in accepted):
                raise _HeldBack  # nothing is written before the flush below
            _store(writer, None)
    except _HeldBack:
        return plans
    except _StoreRefused:
        for plan in stream:
            take(plan)
        for plan in accepted:
            _write_alone(con, plan)
    else:
        for plan in accepted:
            plan.outcome = "imported"
    return plans


def _telling(parsed: Iterable[ParsedFile], count: int,
             progress: Callable[[int, int, str], None] | None) -> Iterator[ParsedFile]:
    """The files as they are read, telling progress of each: reading is the import's slow part (planning and
    writing wait for the last file, and take a fraction of its time)."""
    for done, parsed_file in enumerate(parsed, 1):
        if progress:
            progress(done, count, parsed_file.name)
        yield parsed_file


def _store(writer: database.BatchWriter, plan: FilePlan | None) -> None:
    """Buffer a file, or (None) insert everything buffered; a refusal of any kind rolls the batch back."""
    try:
        if plan is None:
            writer.flush()
        else:
            _write(writer, plan)
    except Exception as exc:  # whatever the store or the conversion refuses; each file then gets its reason
        raise _StoreRefused() from exc


def _write_alone(con: duckdb.DuckDBPyConnection, plan: FilePlan) -> None:
    """Write one file in its own transaction; a refusal becomes a message, not a traceback."""
    try:
        with database.transaction(con):
            writer = database.BatchWriter(con)
            _write(writer, plan)
            writer.flush()
        plan.outcome = "imported"
    except Exception as exc:  # the transaction is rolled back; the user gets the reason
        plan.outcome = "refused"
        first = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else type(exc).__name__
        plan.parsed.error(f"databasen avviste filen, og ingenting ble skrevet ({first})")
        plan.summary = "ingenting fra filen ble importert"


def _write(writer: database.BatchWriter, plan: FilePlan) -> None:
    """Buffer the file and a new version of each submission it holds."""
    parsed, now = plan.parsed, norwegian_now()
    file_id = writer.add_file(parsed.name, parsed.sha256, parsed.content, parsed.kind, parsed.table,
                              lambda: [str(w) for w in parsed.warnings], now, plan.stored_file_id)
    replaced = ", ".join(TABLE_SHEETS.values()) if parsed.table == "workbook" else TABLE_SHEETS[parsed.table]
    for data in parsed.submissions:
        previous = writer.current.get((data.agency, data.start_year))
        fields = dict(data.fields)
        if previous is not None and parsed.table != "workbook":  # a CSV carries only some Innsending fields
            for key in database.SUBMISSION_FIELDS:
                if fields.get(key) is None:
                    fields[key] = previous[key]
        writer.add_version(agency=data.agency, start_year=data.start_year, file_id=file_id,
                           replaced_tables=replaced, fields=fields, imported_at=now, tables=data.tables)
