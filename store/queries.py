"""Read queries: the only place the dashboard and the exports get data from the store.

Every function takes a connection (and a PilotFilter where it applies) and returns a
DataFrame, so tests can pass any store and callers can cache at the edge. One filter
clause serves every query, so two figures on a screen can never disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import astuple, dataclass

import duckdb
import pandas as pd
import pyarrow as pa

from loaders.contract import PILOT_STATUSES, PILOTS
from loaders.values import format_date
from store import database

CANCELLED = PILOT_STATUSES[-1]  # «Avbrutt»


@dataclass(frozen=True)
class PilotFilter:
    """The one filter of the app: agencies, ministries, round, statuses, forsøk or not."""

    agencies: tuple[str, ...] = ()
    ministries: tuple[str, ...] = ()
    start_year: int | None = None
    statuses: tuple[str, ...] = ()
    forsok: bool | None = None

    def key(self) -> tuple:
        """The filter as a plain tuple, for cache keys; PilotFilter(*f.key()) gives it back."""
        return astuple(self)

    def submission_clause(self, alias: str = "") -> tuple[str, list]:
        """WHERE conditions on agency, ministry and round, with their parameters."""
        a = f"{alias}." if alias else ""
        parts, params = ["TRUE"], []
        if self.agencies:
            parts.append(f"{a}agency IN (SELECT unnest(?::VARCHAR[]))")
            params.append(list(self.agencies))
        if self.ministries:
            parts.append(f"{a}agency IN (SELECT name FROM agencies WHERE ministry IN (SELECT unnest(?::VARCHAR[])))")
            params.append(list(self.ministries))
        if self.start_year is not None:
            parts.append(f"{a}start_year = ?")
            params.append(self.start_year)
        return " AND ".join(parts), params

    def pilot_clause(self, alias: str = "") -> tuple[str, list]:
        """WHERE conditions for pilots: the submission's, plus status and forsøk."""
        sql, params = self.submission_clause(alias)
        a = f"{alias}." if alias else ""
        if self.statuses:
            sql += f" AND {a}status IN (SELECT unnest(?::VARCHAR[]))"
            params.append(list(self.statuses))
        if self.forsok is not None:
            sql += f" AND {a}needs_exemption = ?"
            params.append(self.forsok)
        return sql, params

    @property
    def is_empty(self) -> bool:
        """True when nothing is filtered."""
        return self == PilotFilter()

    def describe(self) -> str:
        """The filter in words, for captions, slides and file names."""
        parts = []
        if self.agencies:
            parts.append(", ".join(self.agencies))
        if self.ministries:
            parts.append("departement " + ", ".join(self.ministries))
        if self.start_year is not None:
            parts.append(f"oppstartsår {self.start_year}")
        if self.statuses:
            parts.append("status " + ", ".join(self.statuses))
        if self.forsok is not None:
            parts.append("bare forsøk" if self.forsok else "ikke forsøk")
        return "; ".join(parts) if parts else "hele sektoren"


# Yes/no and whole-number columns with a blank among them become pandas' nullable types, as
# DuckDB's own .df() makes them; without blanks they stay plain bool and int.
_NULLABLE = {pa.bool_(): pd.BooleanDtype(), pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(),
             pa.int32(): pd.Int32Dtype(), pa.int64(): pd.Int64Dtype(), pa.uint8(): pd.UInt8Dtype(),
             pa.uint16(): pd.UInt16Dtype(), pa.uint32(): pd.UInt32Dtype(), pa.uint64(): pd.UInt64Dtype()}


def _is_text(kind: pa.DataType) -> bool:
    """A text column, or an ENUM of texts."""
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind)


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pd.DataFrame:
    """Run a query and return its rows as a DataFrame; missing text is None, never NaN (which is truthy).

    Through Arrow rather than DuckDB's .df(): for 20 000 pilots with their texts, the server's
    peak memory while reading is about a third lower, and less of it stays taken after (issue 5).
    The columns are what .df() gives: dates as datetime64[us], decimals (a sum of whole numbers)
    as floats. On a cursor of its own, as a relation refuses to run on a connection with a
    result still open (a fetchone() before it); a cursor sees what is committed, which is all
    any reader here needs.
    """
    with database.cursor(con) as cursor:
        table = cursor.sql(sql, params=params or None).to_arrow_table()
    frame = table.to_pandas(date_as_object=False)
    # Each column is judged by its Arrow type and null count, and only those to change are taken out of the
    # frame: taking every column out (iloc) and asking pandas for its blanks was half the time of a small read.
    for index, arrow in enumerate(table.columns):  # by position: a query may name two columns alike
        kind = arrow.type
        if arrow.null_count and kind in _NULLABLE:
            frame.isetitem(index, arrow.to_pandas(types_mapper=_NULLABLE.get))
        elif pa.types.is_decimal(kind):
            frame.isetitem(index, arrow.cast(pa.float64()).to_pandas())
        elif pa.types.is_list(kind) and arrow.null_count:
            values = frame.iloc[:, index]
            frame.isetitem(index, values.where(values.notna(), pd.NA))
        elif pa.types.is_date(kind):
            frame.isetitem(index, frame.iloc[:, index].astype("datetime64[us]"))
        elif arrow.null_count and _is_text(kind):  # None for a blank, not NaN
            if pa.types.is_dictionary(kind):  # an ENUM: its values, not its codes
                arrow = arrow.cast(kind.value_type)
            frame.isetitem(index, pd.Series(arrow.to_numpy(zero_copy_only=False), dtype=object, index=frame.index))
    return frame


# ---------------------------------------------------------------------------------------
# Reference data


def agencies(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The register: name, short_name, ministry, ministry's full name, aliases, and the ministry before a move."""
    return _frame(con, "SELECT a.name, a.short_name, a.ministry, m.name AS ministry_name, a.aliases, "
                       "a.previous_ministry, a.ministry_changed_on "
                       "FROM agencies a LEFT JOIN ministries m ON m.short_name = a.ministry ORDER BY a.name")


def ministry_moves_note(f: PilotFilter, register: pd.DataFrame, whole_sector: bool = False, advice: bool = True) -> str:
    """What the ministry filter means for the agencies that moved ministry: it takes the ministry an agency is under
    today. «Tallene tar ikke med virksomhetene som gikk over fra KDD til DFD 01.01.2024; velg også DFD for å ta dem
    med.» for KDD alone (without advice, for a file, no «velg …»). With whole_sector, a selection of no ministry says
    that they are in; '' where no moved agency is in question (a selection of agencies names them itself).
    """
    if f.agencies:
        return _chosen_outside(f, register)
    if not (f.ministries or whole_sector):
        return ""
    moved = register[register["previous_ministry"].notna()]
    notes = []
    for (before, after), group in moved.groupby(["previous_ministry", "ministry"], sort=True):
        days = sorted({d for d in group["ministry_changed_on"] if not pd.isna(d)})
        one = len(group) == 1
        what = (f"{'virksomheten' if one else 'virksomhetene'} som gikk over fra {before} til {after}"
                + (f" {format_date(days[0])}" if len(days) == 1 else ""))
        if not f.ministries or after in f.ministries:
            notes.append(f"Tallene tar med {what}" + ("." if not f.ministries else
                                                        " (filteret gjelder departementet i dag)."))
        elif before in f.ministries:
            notes.append(f"Tallene tar ikke med {what}"
                         + (f"; velg også {after} for å ta {'den' if one else 'dem'} med." if advice else "."))
    if notes and not f.ministries and advice:  # once, after every move
        notes[-1] = notes[-1][:-1] + "; velg departement i filteret for å avgrense."
    return " ".join(notes)


def _chosen_outside(f: PilotFilter, register: pd.DataFrame) -> str:
    """For agencies chosen with a ministry they are not under today: that they are left out, and why (with
    «?virksomhet=Statsbygg&departement=KDD» Statsbygg went without a word)."""
    if not f.ministries:
        return ""
    by_name = register.set_index("name")
    notes = []
    for name in f.agencies:
        if name not in by_name.index or by_name.at[name, "ministry"] in f.ministries:
            continue
        now, before, on = (by_name.at[name, c] for c in ("ministry", "previous_ministry", "ministry_changed_on"))
        if isinstance(before, str) and before in f.ministries:
            when = "" if pd.isna(on) else f" {format_date(on)}"
            notes.append(f"{name} gikk over fra {before} til {now}{when} og er ikke med (filteret gjelder "
                         "departementet i dag).")
        elif isinstance(now, str) and now:
            notes.append(f"{name} hører under {now} og er ikke med i departement {', '.join(f.ministries)}.")
        else:
            notes.append(f"{name} har ikke noe departement i registeret og er ikke med i departement "
                         f"{', '.join(f.ministries)}.")
    return " ".join(notes)


def rounds(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The reporting rounds with their deadlines."""
    return _frame(con, "SELECT start_year, deadline, description FROM rounds ORDER BY start_year")


def settings(con: duckdb.DuckDBPyConnection) -> dict:
    """The ambition band and reform period."""
    cur = con.execute("SELECT * FROM settings")
    row = cur.fetchone()
    if row is None:
        return {}
    return dict(zip([d[0] for d in cur.description], row, strict=True))


def events(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Dates worth a reference line (the seminar)."""
    return _frame(con, "SELECT label, start_date, end_date, note FROM events ORDER BY start_date")


def schema_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    """The fingerprint of the tables and views the store was given (store.database.ensure_schema)."""
    return database.schema_fingerprint(con)


def store_summary(con: duckdb.DuckDBPyConnection) -> dict:
    """How much the store holds, when it was last imported into, and the date of the newest submission it holds."""
    row = con.execute("SELECT (SELECT count(*) FROM submissions), (SELECT count(*) FROM source_files), "
                      "(SELECT max(imported_at) FROM source_files), "
                      # of the current versions, from the table itself: the first read of every page, it must
                      # not fail on another table's damage (submissions_current joins rounds)
                      "(SELECT max(submitted_on) FROM submissions JOIN current_submission_ids USING (submission_id))"
                      ).fetchone()
    return {"submissions": row[0], "files": row[1], "last_import": row[2], "newest_submission": row[3]}


# ---------------------------------------------------------------------------------------
# Filtered data


def pilots(con: duckdb.DuckDBPyConnection, f: PilotFilter, columns: Sequence[str] = ()) -> pd.DataFrame:
    """Every current pilot plan that passes the filter: all its fields, or only the columns named (ours, never
    user input; at L a plan's texts are most of the 20 000 plans' memory)."""
    where, params = f.pilot_clause()
    selected = ", ".join(columns) or "*"
    return _frame(con, f"SELECT {selected} FROM pilot_plans_current WHERE {where} "
                       "ORDER BY agency, start_year, position", params)


def status_summary(con: duckdb.DuckDBPyConnection, f: PilotFilter, today: dt.date) -> pd.DataFrame:
    """Per status: pilots, forsøk among them and their total budget, for the pilots that pass the filter;
    and how many look out of date by today: «Planlagt» past their start date, «Pågår» past their end.

    The overview's figures, counted here rather than from every pilot's fields on each page view.
    """
    where, params = f.pilot_clause()
    return _frame(con, f"""
        SELECT status, count(*) AS pilots, count(*) FILTER (WHERE needs_exemption) AS forsok,
               coalesce(sum(budget_total_nok), 0) AS budget_nok,
               count(*) FILTER (WHERE (status = 'Planlagt' AND start_date < ?)
                                   OR (status = 'Pågår' AND end_date < ?)) AS out_of_date
        FROM pilot_plans_current WHERE {where} GROUP BY status""", [today, today, *params])


def _rows_of_pilots(con: duckdb.DuckDBPyConnection, view: str, f: PilotFilter, order: str,
                    extra: str = "", extra_params: tuple = (), also: str = "") -> pd.DataFrame:
    """Rows of a *_current view (milestones, budget lines) whose pilot passes the filter; also: more columns,
    from the pilot (p).

    view, order and also are ours, never user input; values travel as parameters.
    """
    where, params = f.pilot_clause("p")
    return _frame(con, f"""
        SELECT t.*{also} FROM {view} t
        JOIN pilot_plans_current p USING (agency, start_year, pilot_name)
        WHERE {where} {extra} ORDER BY {order}""", [*params, *extra_params])


# A milestone's or budget row's pilot: its status (a cancelled pilot's rows can be left out, as its total can), its
# Pilot-ID and ministry, so the workbook's sheets can be filtered and joined as its Piloter sheet is
_OF_THE_PILOT = ", p.status AS pilot_status, p.pilot_ref, p.ministry"


def milestones(con: duckdb.DuckDBPyConnection, f: PilotFilter) -> pd.DataFrame:
    """Milestones and phases of the pilots that pass the filter, with their pilot's status, Pilot-ID and ministry."""
    # to the last column: a phase and a milestone of one pilot on one day came in either order, and a deck of the
    # whole sector listed Digdir's in another order than a deck of its round
    return _rows_of_pilots(con, "milestones_current", f,
                           "t.from_date, t.agency, t.pilot_name, t.start_year, t.to_date NULLS FIRST, t.name, t.kind, "
                           "t.status",
                           also=_OF_THE_PILOT)


def budget_lines(con: duckdb.DuckDBPyConnection, f: PilotFilter) -> pd.DataFrame:
    """Annual budget rows of the pilots that pass the filter, with the pilot's status (pilot_status): a row of a
    cancelled pilot counts in the sums as its «Budsjett totalt (kr)» does, and the workbook lets one filter it;
    and the pilot's Pilot-ID and ministry."""
    return _rows_of_pilots(con, "budget_lines_current", f, "t.agency, t.pilot_name, t.year, t.start_year, t.category, "
                           "t.financing, t.amount_nok", also=_OF_THE_PILOT)


def requests_without_letter(status: pd.DataFrame) -> tuple[int, int]:
    """Of reporting_status's rows, how many requests have no letter in the register (neither its date nor its
    reference), and how many requests there are: «Ikke levert» rests on those as on the others."""
    asked = status[status["was_asked"].astype(bool)]
    return int((~asked["letter_registered"].astype("boolean").fillna(False)).sum()), len(asked)


OPEN = "Frist ikke ute"  # asked, nothing delivered yet, and the round's deadline is today or later (or not set)


def reporting_status(con: duckdb.DuckDBPyConnection, f: PilotFilter, today: dt.date) -> pd.DataFrame:
    """Per round and agency: asked or not, submitted when, on time or late, with or without plans.

    A report asked for and not delivered is «Ikke levert» once the round's deadline has passed, and OPEN until then
    (a report delivered on the deadline is in time): the day a new round's letters went out, every agency asked
    read «Ikke levert» and was listed to follow up. A request for a round data/rounds.csv gives no deadline is OPEN
    too: nobody is behind a deadline that is not set (init and import warn of it).
    """
    where, params = f.submission_clause()
    return _frame(con, f"""
        SELECT * REPLACE (CASE WHEN reporting_state = 'Ikke levert' AND (deadline IS NULL OR deadline >= ?)
                               THEN '{OPEN}'
                               ELSE reporting_state END AS reporting_state)
        FROM reporting_status WHERE {where} ORDER BY start_year, agency""", [today, *params])


def to_follow_up(status: pd.DataFrame) -> pd.Series:
    """The rows of reporting_status to follow up: asked, and not reported on time (late, or not at all by the
    deadline)."""
    return status["was_asked"].astype(bool) & status["reporting_state"].isin(["For sent", "Ikke levert"])


def submissions(con: duckdb.DuckDBPyConnection, f: PilotFilter) -> pd.DataFrame:
    """The current version of each submission that passes the filter, with its texts; its file_name is the file
    the rows are shown from, or for a round whose sheets came from more than one file each sheet's («Piloter:
    a.csv; Budsjett: …», from sheet_sources): the current version's file alone named the last CSV for all."""
    where, params = f.submission_clause("h")
    return _frame(con, f"""
        WITH files AS (
            SELECT agency, start_year, count(DISTINCT file_name) AS file_count,
                   string_agg(sheet || ': ' || file_name, '; ' ORDER BY sheet_order) AS per_sheet
            FROM sheet_sources GROUP BY agency, start_year)
        SELECT h.* REPLACE (CASE WHEN files.file_count > 1 THEN files.per_sheet ELSE h.file_name END AS file_name)
        FROM submission_history h LEFT JOIN files USING (agency, start_year)
        WHERE h.is_current AND {where}
        ORDER BY h.start_year, h.agency""", params)


def answers_without_plans(con: duckdb.DuckDBPyConnection, f: PilotFilter) -> pd.DataFrame:
    """The current submissions that pass the filter and answer «no plans», with what each assessed and how the
    union representatives took part (from the table: the deck needs these columns alone)."""
    where, params = f.submission_clause("s")
    return _frame(con, "SELECT s.agency, s.start_year, s.assessment, s.union_involvement FROM submissions s "
                       f"JOIN current_submission_ids USING (submission_id) WHERE s.has_plans = false AND {where} "
                       "ORDER BY s.start_year, s.agency", params)


def history(con: duckdb.DuckDBPyConnection, agency: str) -> pd.DataFrame:
    """Every version of an agency's submissions, newest first; shown_sheets names the sheets its round shows now
    from this version's file («Piloter, Budsjett», from sheet_sources; None for none): a round sent as three CSVs
    is shown from three versions."""
    return _frame(con, """
        SELECT h.*, x.shown_sheets
        FROM submission_history h
        LEFT JOIN (SELECT submission_id, string_agg(sheet, ', ' ORDER BY sheet_order) AS shown_sheets
                   FROM sheet_sources WHERE agency = ? GROUP BY submission_id) x USING (submission_id)
        WHERE h.agency = ? ORDER BY h.start_year DESC, h.version DESC""", [agency, agency])


def pilots_of_version(con: duckdb.DuckDBPyConnection, submission_id: int) -> pd.DataFrame:
    """The pilots of one (possibly earlier) version of a submission."""
    return _frame(con, "SELECT pilot_name, status, start_date, end_date, budget_total_nok, needs_exemption "
                       "FROM pilots WHERE submission_id = ? ORDER BY position", [submission_id])


def source_file(con: duckdb.DuckDBPyConnection, file_id: int) -> tuple[str, bytes] | None:
    """An imported file's name and original bytes."""
    row = con.execute("SELECT file_name, content FROM source_files WHERE file_id = ?", [file_id]).fetchone()
    return (row[0], bytes(row[1])) if row else None


def import_log(con: duckdb.DuckDBPyConnection, limit: int = 200) -> pd.DataFrame:
    """The latest imported files, newest first, with what they held."""
    return _frame(con, """
        SELECT f.file_id, f.imported_at, f.file_name, f.file_kind, f.table_kind, f.size_bytes,
               len(f.warnings) AS warning_count,
               string_agg(s.agency || ' ' || s.start_year || ' v' || s.version, '; ' ORDER BY s.agency) AS versions
        FROM source_files f LEFT JOIN submissions s USING (file_id)
        GROUP BY ALL ORDER BY f.imported_at DESC, f.file_id DESC LIMIT ?""", [limit])


SEARCHED_FIELDS = tuple(f for f in PILOTS.fields if f.kind in ("text", "list", "choice"))


def search_plans(con: duckdb.DuckDBPyConnection, f: PilotFilter, text: str) -> pd.DataFrame:
    """Pilots passing the filter whose plan texts contain text literally, ignoring case."""
    where, params = f.pilot_clause()
    parts = [f"coalesce(array_to_string({x.key}, ' '), '')" if x.kind == "list" else f"coalesce({x.key}, '')"
             for x in SEARCHED_FIELDS]
    haystack = " || ' ' || ".join(parts)
    return _frame(con, f"SELECT * FROM pilot_plans_current WHERE {where} AND strpos(lower({haystack}), lower(?)) > 0 "
                       "ORDER BY agency, pilot_name", [*params, text])


PLAN_KEYS = ["agency", "start_year", "pilot_name"]
PLAN_ORDER = ["agency", "start_year", "position"]  # as pilots() reads them: a plan's place in its agency's form


def lacks_evaluation(pilots: pd.DataFrame) -> pd.Series:
    """Plans that say nothing in «Evaluering og gevinstmåling» (the view's describes_evaluation)."""
    return ~pilots["describes_evaluation"].astype(bool)


@dataclass(frozen=True)
class PlanChoice:
    """Planer's own narrowing within the filter: plans that say nothing about evaluation, and a search.

    The page shows the plans it leaves, and its Excel and CSV downloads hold the same plans.
    """

    only_missing_evaluation: bool = False
    text: str = ""

    def __bool__(self) -> bool:
        return self.only_missing_evaluation or bool(self.text)

    def describe(self) -> str:
        """«bare uten evaluering, søk «kommune»», or '' when nothing is narrowed."""
        parts = [("bare uten evaluering", self.only_missing_evaluation), (f"søk «{self.text}»", bool(self.text))]
        return ", ".join(words for words, on in parts if on)

    def apply(self, pilots: pd.DataFrame, matches: pd.DataFrame | None) -> pd.DataFrame:
        """The pilots this choice keeps, given the search's hits (search_plans), in the order of every other list
        of plans (the deck's, the workbook's): by agency and round, then as the agency wrote them in its form."""
        rows = pilots
        if self.only_missing_evaluation:
            rows = rows[lacks_evaluation(rows)]
        if self.text and matches is not None:
            rows = rows.merge(matches[PLAN_KEYS].drop_duplicates(), on=PLAN_KEYS, how="inner")
        return rows.sort_values(PLAN_ORDER, kind="stable").reset_index(drop=True)


ALL_PLANS = PlanChoice()  # nothing narrowed: every plan the filter passes


def chosen_pilots(con: duckdb.DuckDBPyConnection, f: PilotFilter, choice: PlanChoice) -> pd.DataFrame:
    """The pilots passing the filter that the choice keeps, all their fields."""
    return choice.apply(pilots(con, f), search_plans(con, f, choice.text) if choice.text else None)


def upcoming_milestones(con: duckdb.DuckDBPyConnection, f: PilotFilter, today: dt.date, limit: int = 8) -> pd.DataFrame:
    """The next milestones and phase starts on or after today; those of one day by agency, pilot and name (the
    same ones, in the same order, on every view of the page). Those of cancelled pilots only when the filter asks
    for them: the next milestones read as what is coming, and a cancelled pilot's are not."""
    order = "t.from_date, t.agency, t.pilot_name, t.name, t.start_year, t.kind LIMIT ?"
    cancelled = "" if CANCELLED in f.statuses else f"AND p.status IS DISTINCT FROM '{CANCELLED}'"
    return _rows_of_pilots(con, "milestones_current", f, order, f"AND t.from_date >= ? {cancelled}", (today, limit))
