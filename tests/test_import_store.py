"""Importing files into a real DuckDB store, and the command line that does it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loaders.importer import import_files, reported_at
from loaders.parsing import parse_file
from loaders.register import Reference
from loaders.values import norwegian_today
from store import database, queries
from store.queries import PilotFilter
from tests.form_files import (
    budget_line,
    csv_bytes,
    csv_pilot,
    csv_row,
    milestone,
    no_plans_submission,
    valid_pilot,
    valid_submission,
    with_sheets_rewritten,
    with_stray_cell,
    workbook,
)

PROJECT_DIR = Path(__file__).resolve().parents[1]
TABLES = ("source_files", "submissions", "pilots", "milestones", "budget_lines")


def run_import(store_path: Path, reference, *files: tuple[str, bytes]):
    """Import files into the store; returns {file name: plan}."""
    with database.open_store(store_path) as con:
        plans = import_files(con, list(files), reference)
    return {p.name: p for p in plans}


def rows(store_path: Path, sql: str, params: list | None = None) -> list[dict]:
    with database.open_store(store_path, read_only=True) as con:
        cur = con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def counts(store_path: Path) -> dict[str, int]:
    with database.open_store(store_path, read_only=True) as con:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def history(store_path: Path) -> list[dict]:
    return rows(store_path, "SELECT * FROM submission_history ORDER BY submission_id")


def errors_of(plan) -> list[str]:
    return [str(p) for p in plan.problems if not p.is_warning]


FULL_WORKBOOK = workbook(
    innsending=valid_submission(agency="hb", submitted_on="30.10.2023"),
    pilots=[valid_pilot(pilot_ref="HB-1", needs_exemption="Ja", exemption_rules="Husbankloven § 3",
                        start_date="1.3.2024", end_date="31. desember 2024", budget_total_nok="2,5 MNOK",
                        status="pågår", documentation="Logg", evaluation="Følgeevaluering"),
            valid_pilot(pilot_name="Veiledning på nett", start_date="mars 2024", end_date=dt.date(2025, 6, 30),
                        budget_total_nok=400_000, within_budget_frame="Delvis")],
    milestones=[milestone(pilot="hb-1", name="Testfase", kind="Fase", from_date="1.3.2024", to_date="30.6.2024",
                          status="Pågår"),
                milestone(pilot="Veiledning på nett", name="Lansering", from_date="1. april 2024")],
    budget=[budget_line(pilot="HB-1", year=2024, amount="1 500 000 kr", category="Lønn"),
            budget_line(pilot="HB-1", year="2025", amount="1 mill.", financing="Ekstra behov")])


# ---------------------------------------------------------------------------------------------
# A workbook into the four views


def test_importing_a_workbook_fills_submissions_current(store_path, reference):
    plans = run_import(store_path, reference, ("husbanken.xlsx", FULL_WORKBOOK))
    assert plans["husbanken.xlsx"].outcome == "imported"
    assert rows(store_path, "SELECT * FROM submissions_current") == [{
        "agency": "Husbanken", "start_year": 2024, "submitted_on": dt.date(2023, 10, 30),
        "deadline": reference.round_for(2024).deadline, "is_late": False, "has_plans": True,
        "source_file": "husbanken.xlsx"}]


def test_importing_a_workbook_fills_pilots_current_with_dates_booleans_and_amounts(store_path, reference):
    run_import(store_path, reference, ("husbanken.xlsx", FULL_WORKBOOK))
    pilots = rows(store_path, "SELECT * FROM pilots_current ORDER BY pilot_name")
    assert pilots == [
        {"agency": "Husbanken", "start_year": 2024, "pilot_name": "Digital søknad", "status": "Pågår",
         "trust_relation": None, "start_date": dt.date(2024, 3, 1), "end_date": dt.date(2024, 12, 31),
         "budget_total_nok": 2_500_000.0, "within_budget_frame": "Ja", "needs_exemption": True,
         "elements_covered": 4},
        {"agency": "Husbanken", "start_year": 2024, "pilot_name": "Veiledning på nett", "status": "Planlagt",
         "trust_relation": None, "start_date": dt.date(2024, 3, 1), "end_date": dt.date(2025, 6, 30),
         "budget_total_nok": 400_000.0, "within_budget_frame": "Delvis", "needs_exemption": False,
         "elements_covered": 3},
    ]
    types = rows(store_path, "SELECT typeof(start_date) AS d, typeof(needs_exemption) AS b, "
                             "typeof(budget_total_nok) AS a FROM pilots_current LIMIT 1")
    assert types == [{"d": "DATE", "b": "BOOLEAN", "a": "DOUBLE"}]


def test_importing_a_workbook_fills_milestones_and_budget_lines_resolved_to_pilot_names(store_path, reference):
    run_import(store_path, reference, ("husbanken.xlsx", FULL_WORKBOOK))
    assert rows(store_path, "SELECT pilot_name, name, kind, from_date, to_date, status FROM milestones_current "
                            "ORDER BY from_date") == [
        {"pilot_name": "Digital søknad", "name": "Testfase", "kind": "Fase", "from_date": dt.date(2024, 3, 1),
         "to_date": dt.date(2024, 6, 30), "status": "Pågår"},
        {"pilot_name": "Veiledning på nett", "name": "Lansering", "kind": "Milepæl",
         "from_date": dt.date(2024, 4, 1), "to_date": None, "status": "Ikke startet"},
    ]
    assert rows(store_path, "SELECT agency, pilot_name, year, amount_nok, category, financing "
                            "FROM budget_lines_current ORDER BY year") == [
        {"agency": "Husbanken", "pilot_name": "Digital søknad", "year": 2024, "amount_nok": 1_500_000.0,
         "category": "Lønn", "financing": "Innenfor rammer"},
        {"agency": "Husbanken", "pilot_name": "Digital søknad", "year": 2025, "amount_nok": 1_000_000.0,
         "category": "Annet", "financing": "Ekstra behov"},
    ]


def test_a_submission_with_no_plans_is_stored_with_its_assessment_and_zero_pilots(store_path, reference):
    content = workbook(innsending=no_plans_submission(agency="Kartverket"), pilots=[],
                       headers={"pilots": list(valid_pilot())})
    assert run_import(store_path, reference, ("kv.xlsx", content))["kv.xlsx"].outcome == "imported"
    [sub] = rows(store_path, "SELECT has_plans, assessment, union_involvement, pilot_count, is_current "
                             "FROM submission_history")
    assert sub == {"has_plans": False, "assessment": "Vi har vurdert tre områder, men ingen er modne ennå",
                   "union_involvement": "Tillitsvalgte deltok i vurderingen", "pilot_count": 0, "is_current": True}
    assert rows(store_path, "SELECT count(*) AS n FROM pilots_current") == [{"n": 0}]


# ---------------------------------------------------------------------------------------------
# Submissions over time


def test_the_same_bytes_imported_again_are_unchanged_and_the_store_is_untouched(store_path, reference):
    run_import(store_path, reference, ("husbanken.xlsx", FULL_WORKBOOK))
    before_counts, before_history = counts(store_path), history(store_path)
    plan = run_import(store_path, reference, ("kopi av husbanken.xlsx", FULL_WORKBOOK))["kopi av husbanken.xlsx"]
    assert plan.outcome == "unchanged"
    assert "husbanken.xlsx" in plan.summary and "ingenting endret" in plan.summary
    assert counts(store_path) == before_counts
    assert history(store_path) == before_history


def _dated(on: dt.date, budget: int) -> bytes:
    return workbook(valid_submission(submitted_on=on), [valid_pilot(budget_total_nok=budget)])


NEWEST, OLD_COPY = _dated(dt.date(2023, 10, 28), 2_000_000), _dated(dt.date(2023, 10, 20), 1_500_000)


def current_husbanken(store_path: Path) -> tuple:
    [row] = rows(store_path, "SELECT s.submitted_on, s.source_file, p.budget_total_nok FROM submissions_current s "
                             "JOIN pilots_current p USING (agency, start_year) WHERE agency = 'Husbanken'")
    return row["submitted_on"], row["source_file"], row["budget_total_nok"]


def test_the_newest_file_imported_again_after_an_old_copy_becomes_current_again(store_path, reference):
    # The old copy's warning says «importer den nyeste på nytt», but the newest's bytes were known, so the import
    # said «uendret» and the old copy's figures stayed in every view.
    run_import(store_path, reference, ("husbanken.xlsx", NEWEST))
    old = run_import(store_path, reference, ("husbanken gammel.xlsx", OLD_COPY))["husbanken gammel.xlsx"]
    [warning] = [w for w in old.problems if "importer den nyeste på nytt" in str(w)]
    assert (warning.sheet, warning.row, warning.column) == ("Innsending", 4, "Innsendt dato")
    assert current_husbanken(store_path) == (dt.date(2023, 10, 20), "husbanken gammel.xlsx", 1_500_000)
    files_before = counts(store_path)["source_files"]
    again = run_import(store_path, reference, ("husbanken.xlsx", NEWEST))["husbanken.xlsx"]
    assert again.outcome == "imported"
    assert "blir gjeldende igjen" in again.summary
    assert current_husbanken(store_path) == (dt.date(2023, 10, 28), "husbanken.xlsx", 2_000_000)
    assert [h["version"] for h in history(store_path)] == [1, 2, 3]
    assert counts(store_path)["source_files"] == files_before  # the one copy of its bytes serves both versions


def test_an_old_copy_imported_again_after_the_newest_changes_nothing(store_path, reference):
    # A folder imported again must not bring back its old copies
    run_import(store_path, reference, ("husbanken gammel.xlsx", OLD_COPY))
    run_import(store_path, reference, ("husbanken.xlsx", NEWEST))
    before = history(store_path)
    plans = import_files_in_order(store_path, reference, [("husbanken gammel.xlsx", OLD_COPY),
                                                          ("husbanken.xlsx", NEWEST)])
    assert [p.outcome for p in plans] == ["unchanged", "unchanged"]
    assert history(store_path) == before
    assert current_husbanken(store_path) == (dt.date(2023, 10, 28), "husbanken.xlsx", 2_000_000)


def test_a_folder_imported_again_keeps_a_correction_of_the_same_date_or_by_a_milestone_table(store_path, reference):
    # The review found both brought back the first file: an equal date counted as older, and a milestone CSV's
    # version carries the workbook's date, not one of its own
    same_day = dt.date(2023, 10, 28)
    first, corrected = _dated(same_day, 1_000_000), _dated(same_day, 2_000_000)
    run_import(store_path, reference, ("v1.xlsx", first))
    run_import(store_path, reference, ("v2.xlsx", corrected))
    plans = import_files_in_order(store_path, reference, [("v1.xlsx", first), ("v2.xlsx", corrected)])
    assert [p.outcome for p in plans] == ["unchanged", "unchanged"]
    assert current_husbanken(store_path)[2] == 2_000_000
    milestones = csv_bytes([csv_row(milestone(name="Korrigert oppstart"))])
    run_import(store_path, reference, ("milepaeler.csv", milestones))
    plans = import_files_in_order(store_path, reference, [("v2.xlsx", corrected), ("milepaeler.csv", milestones)])
    assert [p.outcome for p in plans] == ["unchanged", "unchanged"]
    assert rows(store_path, "SELECT name FROM milestones_current") == [{"name": "Korrigert oppstart"}]


def test_a_csv_of_two_agencies_made_current_again_makes_a_version_only_for_the_one_replaced(store_path, reference):
    both = csv_bytes([csv_pilot(pilot_name="A"), csv_pilot(agency="Kartverket", pilot_name="K")])
    run_import(store_path, reference, ("begge.csv", both))
    run_import(store_path, reference, ("gammel.csv", csv_bytes([csv_pilot(submitted_on="01.10.2023",
                                                                           pilot_name="A gammel")])))
    plan = run_import(store_path, reference, ("begge.csv", both))["begge.csv"]
    assert plan.outcome == "imported" and "Kartverket" not in plan.summary
    assert [(h["agency"], h["version"]) for h in history(store_path)] == [
        ("Husbanken", 1), ("Kartverket", 1), ("Husbanken", 2), ("Husbanken", 3)]
    assert rows(store_path, "SELECT pilot_name FROM pilots_current WHERE agency = 'Husbanken'") == [
        {"pilot_name": "A"}]


def test_the_same_bytes_twice_in_one_import_are_written_once(store_path, reference):
    plans = import_files_in_order(store_path, reference, [("a.xlsx", FULL_WORKBOOK), ("b.xlsx", FULL_WORKBOOK)])
    assert [p.outcome for p in plans] == ["imported", "unchanged"]
    assert counts(store_path)["submissions"] == 1


def test_a_store_made_before_the_current_views_gets_them_when_opened_and_keeps_its_data(store_path, reference):
    run_import(store_path, reference, ("husbanken.xlsx", FULL_WORKBOOK))
    with database.open_store(store_path) as con:  # as a store from an earlier version of the views would be
        con.execute("DROP VIEW pilots_current")
        con.execute("CREATE VIEW pilots_current AS SELECT 'gammel' AS agency")
        con.execute("UPDATE schema_version SET fingerprint = 'earlier'")
    before = counts(store_path)
    assert [r["agency"] for r in rows(store_path, "SELECT agency FROM pilots_current")] == ["gammel"]
    with database.open_store(store_path):
        pass
    assert [r["agency"] for r in rows(store_path, "SELECT agency FROM pilots_current")] == ["Husbanken"] * 2
    assert counts(store_path) == before


def test_reference_data_edited_in_data_reach_the_store_with_the_next_import_and_back_again(store_path, reference):
    def stored():
        ambition = rows(store_path, "SELECT ambition_min, ambition_max FROM settings")
        return ambition, [r["name"] for r in rows(store_path, "SELECT name FROM agencies ORDER BY name")]

    before = stored()
    edited = dataclasses.replace(reference, agencies=reference.agencies[1:],
                                 settings=dataclasses.replace(reference.settings, ambition_min=7, ambition_max=9))
    run_import(store_path, edited, ("husbanken.xlsx", FULL_WORKBOOK))
    assert stored() == ([{"ambition_min": 7, "ambition_max": 9}], sorted(a.name for a in edited.agencies))
    assert len(before[1]) == len(reference.agencies)
    run_import(store_path, reference, ("kartverket.xlsx", workbook(innsending=valid_submission(agency="Kartverket"))))
    assert stored() == before


def round_warnings(plan) -> list:
    return [p for p in plan.problems if p.is_warning and "også; hver rundes piloter telles" in p.expected]


def test_a_pilot_reported_again_for_the_next_round_is_warned_of_as_counted_twice(store_path, reference):
    # Reported again in round 2024, a 2023 pilot counted twice towards the ambition and its budget twice, unwarned
    first = workbook(valid_submission(start_year=2023, submitted_on="20.08.2023"),
                     [valid_pilot(pilot_ref="HB-01", pilot_name="Digital søknad", start_date="1.9.2023")])
    run_import(store_path, reference, ("2023.xlsx", first))
    again = workbook(valid_submission(), [valid_pilot(pilot_ref="HB-01", pilot_name="Digital  SØKNAD",
                                                      start_date="1.9.2023"),
                                          valid_pilot(pilot_name="Ny plan for 2024")])
    plan = run_import(store_path, reference, ("2024.xlsx", again))["2024.xlsx"]
    assert plan.outcome == "imported"
    [warning] = round_warnings(plan)
    assert "Husbanken har rapportert «Digital  SØKNAD» for Oppstartsår 2023 også" in warning.expected
    assert (warning.sheet, warning.row, warning.column) == ("Piloter", 2, "Pilotnavn")
    assert "fant «" not in str(warning)  # a sentence, not «fant «X», forventet Husbanken har rapportert …»
    # two rounds in one import: each is told of the other; another agency's pilot of the same name is not
    both = run_import(store_path.parent / "both.duckdb", reference,
                      ("a.xlsx", first), ("b.xlsx", again),
                      ("kv.xlsx", workbook(valid_submission(agency="Kartverket"), [valid_pilot()])))
    assert [len(round_warnings(p)) for p in both.values()] == [1, 1, 0]


def test_a_pilot_moved_to_the_next_round_or_an_id_used_again_is_not_warned_of(store_path, reference):
    run_import(store_path, reference, ("2023.xlsx", workbook(
        valid_submission(start_year=2023, submitted_on="20.08.2023"),
        [valid_pilot(pilot_ref="1", pilot_name="Flyttes", start_date="1.9.2023"),
         valid_pilot(pilot_ref="2", pilot_name="Blir", start_date="1.9.2023")])))
    # a 2023 correction that takes the pilot out, and the 2024 report that has it, in one import, in either order
    correction = workbook(valid_submission(start_year=2023, submitted_on="20.10.2023"),
                          [valid_pilot(pilot_ref="2", pilot_name="Blir", start_date="1.9.2023")])
    report = workbook(valid_submission(submitted_on="15.10.2023"),
                      [valid_pilot(pilot_ref="1", pilot_name="Flyttes"), valid_pilot(pilot_ref="2", pilot_name="Ny")])
    plans = run_import(store_path, reference, ("a 2023 rettet.xlsx", correction), ("b 2024.xlsx", report))
    assert [round_warnings(p) for p in plans.values()] == [[], []]  # and «2» is another pilot in each round


def test_a_piloter_csv_of_two_rounds_warns_of_a_pilot_in_both(store_path, reference):
    both = csv_bytes([csv_pilot(start_year=2023, submitted_on="20.08.2023", pilot_name="Samme", start_date="1.9.2023"),
                      csv_pilot(pilot_name="Samme", start_date="1.9.2023")])
    [plan] = run_import(store_path, reference, ("to_runder.csv", both)).values()
    assert {w.row for w in round_warnings(plan)} == {2, 3}


def renamed(reference, old: str, new: str):
    """The reference with an agency renamed in data/agencies.csv alone, its old name kept as an alias (requests.csv
    still names it the old way)."""
    agencies = [dataclasses.replace(a, name=new, aliases=(*a.aliases, old)) if a.name == old else a
                for a in reference.agencies]
    return Reference(agencies, reference.ministries, reference.rounds, reference.requests, reference.settings)


def test_an_agency_renamed_in_the_register_keeps_what_it_reported_under_its_old_name(store_path, reference):
    # Its submissions kept the old name: the renamed agency showed «Ikke levert», its pilots no ministry
    run_import(store_path, reference, ("husbanken.xlsx", FULL_WORKBOOK))
    new_name = "Den norske stats husbank"
    run_import(store_path, renamed(reference, "Husbanken", new_name),
               ("kartverket.xlsx", workbook(innsending=valid_submission(agency="Kartverket"))))
    assert rows(store_path, "SELECT DISTINCT agency, ministry FROM pilot_plans_current WHERE agency <> 'Kartverket'"
                ) == [{"agency": new_name, "ministry": "KDD"}]
    # asked under its old name in requests.csv: the request is the renamed agency's, so no «Ikke levert» for the old
    status = rows(store_path, "SELECT agency, was_asked, reporting_state FROM reporting_status "
                              "WHERE agency IN ('Husbanken', $1) ORDER BY start_year", [new_name])
    assert status == [{"agency": new_name, "was_asked": True, "reporting_state": "Ikke levert"},  # 2023: not sent
                      {"agency": new_name, "was_asked": True, "reporting_state": "I tide"}]
    run_import(store_path, renamed(reference, "Husbanken", new_name),  # a correction under the new name: version 2
               ("rettet.xlsx", workbook(valid_submission(agency=new_name, submitted_on="20.10.2023"), [valid_pilot()])))
    assert [(h["agency"], h["version"], h["is_current"]) for h in history(store_path) if h["start_year"] == 2024
            and h["agency"] != "Kartverket"] == [(new_name, 1, False), (new_name, 2, True)]


def test_two_agencies_merged_in_the_register_keep_their_reports_for_one_round_apart(store_path, reference):
    # Which of two reports for one round is current is not for a change of the register to decide; a round only
    # one of them reported for moves
    run_import(store_path, reference, ("husbanken.xlsx", FULL_WORKBOOK),
               ("husbanken_2023.xlsx", workbook(innsending=valid_submission(start_year=2023))),
               ("kartverket.xlsx", workbook(innsending=valid_submission(agency="Kartverket"))))
    merged = renamed(Reference([a for a in reference.agencies if a.name != "Kartverket"], reference.ministries,
                               reference.rounds, reference.requests, reference.settings), "Husbanken", "Kartverket")
    run_import(store_path, merged, ("valgdir.xlsx", workbook(innsending=valid_submission(agency="Valgdirektoratet"))))
    assert sorted((h["agency"], h["start_year"], h["version"]) for h in history(store_path)) == [
        ("Husbanken", 2024, 1), ("Kartverket", 2023, 1), ("Kartverket", 2024, 1), ("Valgdirektoratet", 2024, 1)]


def test_a_store_renamed_by_an_earlier_version_is_mended_at_the_next_sync(store_path, reference):
    # The register's fingerprint was unchanged, so nothing was looked at: the agency stayed «Ikke levert»
    new_name = "Den norske stats husbank"
    run_import(store_path, renamed(reference, "Husbanken", new_name), ("husbanken.xlsx", FULL_WORKBOOK))
    with duckdb.connect(str(store_path)) as con:  # as a version before the rename left it
        con.execute("UPDATE submissions SET agency = 'Husbanken'")
    with database.open_store(store_path) as con:
        database.sync_reference(con, renamed(reference, "Husbanken", new_name))
    assert [h["agency"] for h in history(store_path)] == [new_name]


def test_when_the_store_refuses_a_files_rows_only_that_file_is_left_out_and_says_why(tmp_path, reference):
    path = tmp_path / "strict.duckdb"
    with database.open_store(path) as con:  # a store stricter than the form: «Brukere som deltar» required
        con.execute("ALTER TABLE pilots ALTER COLUMN users SET NOT NULL")
    files = [("med_piloter.xlsx", FULL_WORKBOOK),
             ("uten_piloter.xlsx", workbook(innsending=no_plans_submission(agency="Kartverket"), pilots=[]))]
    plans = {p.name: p for p in import_files_in_order(path, reference, files)}
    assert (plans["med_piloter.xlsx"].outcome, plans["uten_piloter.xlsx"].outcome) == ("refused", "imported")
    assert "databasen avviste filen, og ingenting ble skrevet" in errors_of(plans["med_piloter.xlsx"])[0]
    assert [r["agency"] for r in rows(path, "SELECT agency FROM submissions")] == ["Kartverket"]


def import_files_in_order(store_path, reference, files):
    with database.open_store(store_path) as con:
        return import_files(con, files, reference)


def test_a_later_workbook_replaces_the_submission_in_every_view_and_keeps_the_earlier_as_history(
        store_path, reference):
    run_import(store_path, reference, ("v1.xlsx", FULL_WORKBOOK))
    later = workbook(innsending=valid_submission(agency="Husbanken", submitted_on="2.11.2023"),
                     pilots=[valid_pilot(pilot_name="Ny pilot", budget_total_nok=900_000)],
                     milestones=[milestone(pilot="Ny pilot", name="Start")])   # no Budsjett sheet at all
    plan = run_import(store_path, reference, ("v2.xlsx", later))["v2.xlsx"]
    assert plan.outcome == "imported"
    assert plan.replaces_existing

    assert rows(store_path, "SELECT agency, submitted_on, is_late, source_file FROM submissions_current") == [
        {"agency": "Husbanken", "submitted_on": dt.date(2023, 11, 2), "is_late": True, "source_file": "v2.xlsx"}]
    assert rows(store_path, "SELECT pilot_name, budget_total_nok FROM pilots_current") == [
        {"pilot_name": "Ny pilot", "budget_total_nok": 900_000.0}]
    assert rows(store_path, "SELECT pilot_name, name FROM milestones_current") == [
        {"pilot_name": "Ny pilot", "name": "Start"}]
    assert rows(store_path, "SELECT * FROM budget_lines_current") == []

    assert rows(store_path, "SELECT version, file_name, is_current, pilot_count, submitted_on "
                            "FROM submission_history ORDER BY version") == [
        {"version": 1, "file_name": "v1.xlsx", "is_current": False, "pilot_count": 2,
         "submitted_on": dt.date(2023, 10, 30)},
        {"version": 2, "file_name": "v2.xlsx", "is_current": True, "pilot_count": 1,
         "submitted_on": dt.date(2023, 11, 2)},
    ]
    # the earlier version's rows are still there to be looked at
    assert rows(store_path, "SELECT count(*) AS n FROM budget_lines b JOIN submission_history h "
                            "USING (submission_id) WHERE NOT h.is_current") == [{"n": 2}]


def test_a_later_workbook_for_another_year_does_not_replace_the_first(store_path, reference):
    run_import(store_path, reference, ("2024.xlsx", FULL_WORKBOOK))
    other = workbook(innsending=valid_submission(start_year=2023, submitted_on="20.08.2023"))
    run_import(store_path, reference, ("2023.xlsx", other))
    assert rows(store_path, "SELECT start_year, source_file FROM submissions_current ORDER BY start_year") == [
        {"start_year": 2023, "source_file": "2023.xlsx"}, {"start_year": 2024, "source_file": "2024.xlsx"}]


def test_a_later_workbook_replaces_the_innsending_fields_too_even_when_left_blank(store_path, reference):
    run_import(store_path, reference, ("nei.xlsx", workbook(innsending=no_plans_submission(), pilots=[],
                                                            headers={"pilots": list(valid_pilot())})))
    later = workbook(innsending=valid_submission(contact_person=None, email=None, union_involvement=None))
    assert run_import(store_path, reference, ("ja.xlsx", later))["ja.xlsx"].outcome == "imported"
    current = rows(store_path, "SELECT has_plans, assessment, contact_person, union_involvement "
                               "FROM submission_history WHERE is_current")
    assert current == [{"has_plans": True, "assessment": None, "contact_person": None, "union_involvement": None}]


def test_a_milestone_csv_replaces_only_the_milestones_and_leaves_the_pilots(store_path, reference):
    run_import(store_path, reference, ("husbanken.xlsx", FULL_WORKBOOK))
    pilots_before = rows(store_path, "SELECT * FROM pilots_current ORDER BY pilot_name")
    budget_before = rows(store_path, "SELECT * FROM budget_lines_current ORDER BY year")
    content = csv_bytes([csv_row(milestone(pilot="HB-1", name="Evaluering", from_date="1.12.2024"), agency="HB")])
    plan = run_import(store_path, reference, ("milepæler.csv", content))["milepæler.csv"]
    assert plan.outcome == "imported", errors_of(plan)
    assert rows(store_path, "SELECT pilot_name, name, from_date FROM milestones_current") == [
        {"pilot_name": "Digital søknad", "name": "Evaluering", "from_date": dt.date(2024, 12, 1)}]
    assert rows(store_path, "SELECT * FROM pilots_current ORDER BY pilot_name") == pilots_before
    assert rows(store_path, "SELECT * FROM budget_lines_current ORDER BY year") == budget_before
    assert rows(store_path, "SELECT version, replaced_tables, submitted_on FROM submission_history "
                            "WHERE is_current") == [
        {"version": 2, "replaced_tables": "Milepæler", "submitted_on": dt.date(2023, 10, 30)}]


def test_a_budget_csv_replaces_only_the_budget_lines(store_path, reference):
    run_import(store_path, reference, ("husbanken.xlsx", FULL_WORKBOOK))
    milestones_before = rows(store_path, "SELECT * FROM milestones_current ORDER BY from_date")
    content = csv_bytes([csv_row(budget_line(pilot="Veiledning på nett", year=2024, amount="400 000"))],
                        delimiter=",")
    plan = run_import(store_path, reference, ("budsjett.csv", content))["budsjett.csv"]
    assert plan.outcome == "imported", errors_of(plan)
    assert rows(store_path, "SELECT pilot_name, amount_nok FROM budget_lines_current") == [
        {"pilot_name": "Veiledning på nett", "amount_nok": 400_000.0}]
    assert rows(store_path, "SELECT * FROM milestones_current ORDER BY from_date") == milestones_before
    assert rows(store_path, "SELECT count(*) AS n FROM pilots_current") == [{"n": 2}]


def test_a_piloter_csv_replaces_the_pilots_and_keeps_milestones_only_of_pilots_that_remain(store_path, reference):
    run_import(store_path, reference, ("husbanken.xlsx", FULL_WORKBOOK))
    content = csv_bytes([csv_pilot(pilot_name="Digital søknad", submitted_on="5.11.2023", budget_total_nok="3 mill.")])
    plan = run_import(store_path, reference, ("piloter.csv", content))["piloter.csv"]
    assert plan.outcome == "imported", errors_of(plan)
    assert any("Milepæler" in p.expected and "historikken" in p.expected for p in plan.problems if p.is_warning)
    assert rows(store_path, "SELECT pilot_name, budget_total_nok FROM pilots_current") == [
        {"pilot_name": "Digital søknad", "budget_total_nok": 3_000_000.0}]
    assert rows(store_path, "SELECT pilot_name, name FROM milestones_current") == [
        {"pilot_name": "Digital søknad", "name": "Testfase"}]
    assert rows(store_path, "SELECT count(*) AS n FROM budget_lines_current") == [{"n": 2}]
    assert rows(store_path, "SELECT submitted_on, is_late FROM submissions_current") == [
        {"submitted_on": dt.date(2023, 11, 5), "is_late": True}]


def test_a_file_dated_before_the_version_it_replaces_is_imported_with_a_warning(store_path, reference):
    run_import(store_path, reference, ("ny.xlsx", workbook(valid_submission(submitted_on="20.11.2023"))))
    older = workbook(valid_submission(submitted_on="01.10.2023"), [valid_pilot(pilot_name="Gammel plan")])
    plan = run_import(store_path, reference, ("gammel.xlsx", older))["gammel.xlsx"]
    assert plan.outcome == "imported", errors_of(plan)
    [warning] = [p for p in plan.problems if p.is_warning and p.column == "Innsendt dato"]
    assert "01.10.2023" in warning.expected and "20.11.2023" in warning.expected
    assert warning.sheet == "Innsending"
    newer = workbook(valid_submission(submitted_on="25.11.2023"))
    plan = run_import(store_path, reference, ("nyest.xlsx", newer))["nyest.xlsx"]
    assert not [p for p in plan.problems if p.is_warning and p.column == "Innsendt dato"]


def test_a_piloter_csv_for_two_agencies_lets_milestone_csvs_of_both_refer_to_its_pilots(store_path, reference):
    pilots = csv_bytes([csv_pilot(agency="Husbanken", pilot_name="Digital søknad"),
                        csv_pilot(agency="Kartverket", pilot_name="Åpne kart")])
    milestones = csv_bytes([csv_row(milestone(pilot="Digital søknad"), agency="Husbanken"),
                            csv_row(milestone(pilot="Åpne kart"), agency="Kartverket")])
    plans = run_import(store_path, reference, ("piloter.csv", pilots), ("milepaeler.csv", milestones))
    assert [p.outcome for p in plans.values()] == ["imported", "imported"], [errors_of(p) for p in plans.values()]
    assert sorted(rows(store_path, "SELECT agency, pilot_name FROM milestones_current"), key=str) == [
        {"agency": "Husbanken", "pilot_name": "Digital søknad"}, {"agency": "Kartverket", "pilot_name": "Åpne kart"}]


def dated_warnings(plan) -> list:
    return [p for p in plan.problems if p.is_warning and p.column == "Innsendt dato"]


def test_an_older_file_followed_by_a_newer_one_in_the_same_import_is_not_warned_of(store_path, reference):
    run_import(store_path, reference, ("v1.xlsx", workbook(valid_submission(submitted_on="10.11.2023"))))
    older = workbook(valid_submission(submitted_on="01.10.2023"), [valid_pilot(pilot_name="Gammel plan")])
    newer = workbook(valid_submission(submitted_on="20.11.2023"), [valid_pilot(pilot_name="Ny plan")])
    plans = run_import(store_path, reference, ("a_gammel.xlsx", older), ("b_ny.xlsx", newer))
    assert [dated_warnings(p) for p in plans.values()] == [[], []]  # the newest one is what ends up current
    assert rows(store_path, "SELECT pilot_name FROM pilots_current") == [{"pilot_name": "Ny plan"}]


def test_a_correction_named_before_its_original_in_one_import_is_what_ends_up_current(store_path, reference):
    # A folder is read in name order, and «… - korrigert.xlsx» sorts before «….xlsx»: the original was read last and
    # became current, so the figures showed the report the agency had corrected.
    original = workbook(valid_submission(submitted_on="15.10.2023"), [valid_pilot(pilot_name="Første plan")])
    correction = workbook(valid_submission(submitted_on="20.10.2023"),
                          [valid_pilot(pilot_name="Første plan", status="Pågår"), valid_pilot(pilot_name="Ny plan")])
    folder = store_path.parent / "innsendt"
    folder.mkdir()
    (folder / "Husbanken 2024 - korrigert.xlsx").write_bytes(correction)
    (folder / "Husbanken 2024.xlsx").write_bytes(original)
    result = subprocess.run([sys.executable, "-m", "loaders", "import", "--db", str(store_path), str(folder)],
                            capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert rows(store_path, "SELECT pilot_name, status FROM pilots_current ORDER BY pilot_name") == [
        {"pilot_name": "Første plan", "status": "Pågår"}, {"pilot_name": "Ny plan", "status": "Planlagt"}]
    assert [(h["version"], h["file_name"]) for h in history(store_path)] == [
        (1, "Husbanken 2024.xlsx"), (2, "Husbanken 2024 - korrigert.xlsx")]
    assert "innsendt 15.10.2023; denne filen er nyere og blir gjeldende" in result.stdout


def test_the_order_of_an_import_goes_by_each_submissions_date_not_a_files_newest(store_path, reference):
    # A CSV of two agencies, Husbanken's dated 01.10 and Kartverket's 25.10, and Husbanken's correction of 10.10: put
    # after the CSV by the CSV's newest date, the correction lost to Husbanken's older report
    both = csv_bytes([csv_pilot(submitted_on="01.10.2023", pilot_name="HB gammel"),
                      csv_pilot(agency="Kartverket", submitted_on="25.10.2023", pilot_name="KV plan")])
    correction = workbook(valid_submission(submitted_on="10.10.2023"), [valid_pilot(pilot_name="HB rettet")])
    plans = run_import(store_path, reference, ("a.csv", both), ("b.xlsx", correction))
    assert [p.outcome for p in plans.values()] == ["imported", "imported"]
    assert rows(store_path, "SELECT agency, pilot_name FROM pilots_current ORDER BY agency") == [
        {"agency": "Husbanken", "pilot_name": "HB rettet"}, {"agency": "Kartverket", "pilot_name": "KV plan"}]
    # given the other way round, the same outcome
    again = run_import(store_path.parent / "b.duckdb", reference, ("a.xlsx", correction), ("b.csv", both))
    assert list(again) == ["b.csv", "a.xlsx"]


def test_a_folder_of_the_imported_correction_and_its_never_imported_original_keeps_the_correction(store_path,
                                                                                                   reference):
    # The correction, imported before, was «uendret» beside the original new to the store, which became current
    original = workbook(valid_submission(submitted_on="15.10.2023"), [valid_pilot(pilot_name="Første plan")])
    correction = workbook(valid_submission(submitted_on="20.10.2023"), [valid_pilot(pilot_name="Rettet plan")])
    run_import(store_path, reference, ("Husbanken 2024 - korrigert.xlsx", correction))
    plans = run_import(store_path, reference, ("Husbanken 2024 - korrigert.xlsx", correction),
                       ("Husbanken 2024.xlsx", original))
    assert rows(store_path, "SELECT pilot_name FROM pilots_current") == [{"pilot_name": "Rettet plan"}]
    assert [(h["version"], h["file_name"], h["is_current"]) for h in history(store_path)] == [
        (1, "Husbanken 2024 - korrigert.xlsx", False), (2, "Husbanken 2024.xlsx", False),
        (3, "Husbanken 2024 - korrigert.xlsx", True)]
    assert counts(store_path)["source_files"] == 2  # the correction's bytes are kept once
    # the same folder once more: nothing changes
    again = run_import(store_path, reference, ("Husbanken 2024 - korrigert.xlsx", correction),
                       ("Husbanken 2024.xlsx", original))
    assert [p.outcome for p in again.values()] == ["unchanged", "unchanged"]
    assert len(history(store_path)) == 3 and list(plans) == ["Husbanken 2024.xlsx", "Husbanken 2024 - korrigert.xlsx"]


def test_two_csvs_asking_for_opposite_orders_can_be_mended_by_importing_the_newer_again(store_path, reference):
    # Each of two CSVs is the newest for one agency: read in the given order, b won for both; importing a again, as
    # the warning says, was «uendret», since a was older than b for Husbanken
    a = csv_bytes([csv_pilot(submitted_on="10.10.2023", pilot_name="HB fra A"),
                   csv_pilot(agency="Kartverket", submitted_on="20.10.2023", pilot_name="KV fra A")])
    b = csv_bytes([csv_pilot(submitted_on="20.10.2023", pilot_name="HB fra B"),
                   csv_pilot(agency="Kartverket", submitted_on="10.10.2023", pilot_name="KV fra B")])
    plans = run_import(store_path, reference, ("a.csv", a), ("b.csv", b))
    [told] = [w.expected for w in plans["b.csv"].parsed.warnings if "Kartverket 2024 står også i «a.csv»" in w.expected]
    assert told.endswith("Importer «a.csv» alene etterpå")
    again = run_import(store_path, reference, ("a.csv", a))
    assert again["a.csv"].outcome == "imported"
    assert rows(store_path, "SELECT agency, pilot_name FROM pilots_current ORDER BY agency") == [
        {"agency": "Husbanken", "pilot_name": "HB fra B"}, {"agency": "Kartverket", "pilot_name": "KV fra A"}]


def test_an_older_file_after_a_newer_one_in_the_same_import_becomes_history_not_current(store_path, reference):
    newer = workbook(valid_submission(submitted_on="20.11.2023"), [valid_pilot(pilot_name="Ny plan")])
    older = workbook(valid_submission(submitted_on="01.10.2023"), [valid_pilot(pilot_name="Gammel plan")])
    plans = run_import(store_path, reference, ("a_ny.xlsx", newer), ("b_gammel.xlsx", older))
    assert [p.outcome for p in plans.values()] == ["imported", "imported"]
    assert not dated_warnings(plans["a_ny.xlsx"]) and not dated_warnings(plans["b_gammel.xlsx"])
    assert rows(store_path, "SELECT pilot_name FROM pilots_current") == [{"pilot_name": "Ny plan"}]


def test_two_workbooks_of_one_submission_in_one_import_warn_which_one_ends_up_current(store_path, reference):
    # A browser names the second download «skjema (1).xlsx», which sorts first: the original is read last and wins,
    # with the same Innsendt dato and nothing but the summary line to tell.
    original = workbook(valid_submission(), [valid_pilot(pilot_name="Første plan")])
    correction = workbook(valid_submission(), [valid_pilot(pilot_name="Rettet plan")])
    plans = run_import(store_path, reference, ("skjema (1).xlsx", correction), ("skjema.xlsx", original))
    assert not plans["skjema (1).xlsx"].parsed.warnings
    [warning] = plans["skjema.xlsx"].parsed.warnings
    assert "Husbanken 2024 står også i «skjema (1).xlsx»" in warning.expected and "gjeldende" in warning.expected
    # the way out: importing the other alone was «uendret» (same date), so the advice is to date it as sent
    assert warning.expected.endswith("rett «Innsendt dato» i den til dagen den ble sendt, og importer den på nytt")
    assert rows(store_path, "SELECT pilot_name FROM pilots_current") == [{"pilot_name": "Første plan"}]


def test_a_workbook_and_milestone_csv_of_one_submission_in_one_import_are_not_warned_of(store_path, reference):
    plans = run_import(store_path, reference, ("a.xlsx", workbook(valid_submission(), [valid_pilot()])),
                       ("b_milepaeler.csv", csv_bytes([csv_row(milestone())])))
    assert [p.outcome for p in plans.values()] == ["imported", "imported"]
    assert not any("samme import" in w.expected for p in plans.values() for w in p.parsed.warnings)


def test_two_milestone_csvs_of_one_submission_in_one_import_warn_that_the_later_replaces_the_first(
        store_path, reference):
    # one CSV per pilot: the first file's milestones were gone, with nothing said
    pilots = csv_bytes([csv_pilot(pilot_name="Digital søknad"), csv_pilot(pilot_name="Ny veileder")])
    first = csv_bytes([csv_row(milestone(pilot="Digital søknad", name="Oppstart"))])
    second = csv_bytes([csv_row(milestone(pilot="Ny veileder", name="Utprøving"))])
    plans = import_files_in_order(store_path, reference, [("piloter.csv", pilots), ("milepaeler_1.csv", first),
                                                          ("milepaeler_2.csv", second)])
    assert [p.outcome for p in plans] == ["imported", "imported", "imported"]
    [warning] = plans[2].parsed.warnings
    assert warning.expected == ("Husbanken 2024 har Milepæler også i «milepaeler_1.csv» i samme import; denne filen "
                                "kommer etter den og erstatter radene derfra. Skal radene i begge gjelde, samle dem "
                                "i én fil og importer den")
    assert warning.sheet == "CSV (Milepæler)"
    assert plans[1].parsed.warnings == []
    assert rows(store_path, "SELECT name FROM milestones_current") == [{"name": "Utprøving"}]


def test_a_correction_without_the_milestone_sheet_warns_that_the_milestones_go(store_path, reference):
    run_import(store_path, reference, ("v1.xlsx", workbook(valid_submission(), [valid_pilot()],
                                                           [milestone(), milestone(name="Slutt")], [budget_line()])))
    without = workbook(valid_submission(), [valid_pilot(goals="Rettet mål")], milestones=None, budget=[budget_line()])
    plan = run_import(store_path, reference, ("v2.xlsx", without))["v2.xlsx"]
    assert plan.outcome == "imported"  # a workbook replaces everything, as the form says
    [warning] = plan.parsed.warnings
    assert "arket «Milepæler» mangler" in warning.expected and "de 2 radene der i versjon 1" in warning.expected
    assert counts(store_path)["milestones"] == 2  # only in the history
    assert rows(store_path, "SELECT count(*) AS n FROM milestones_current") == [{"n": 0}]


def test_a_correction_with_an_emptied_milestone_sheet_is_not_warned_of(store_path, reference):
    run_import(store_path, reference, ("v1.xlsx", workbook(valid_submission(), [valid_pilot()], [milestone()])))
    plan = run_import(store_path, reference, ("v2.xlsx", workbook(valid_submission(), [valid_pilot()], [])))["v2.xlsx"]
    assert plan.parsed.warnings == []


def test_a_correction_says_what_it_changes_against_the_stored_version(store_path, reference):
    # what an advisor checks before pressing «Importer»: the status moved, the budget rose, a pilot came and went
    run_import(store_path, reference, ("v1.xlsx", workbook(valid_submission(), [
        valid_pilot(), valid_pilot(pilot_name="Gammel pilot"), valid_pilot(pilot_name="Uendret")])))
    correction = workbook(valid_submission(), [
        valid_pilot(status="Pågår", budget_total_nok=2_000_000, end_date=dt.date(2025, 6, 30)),
        valid_pilot(pilot_name="Uendret"), valid_pilot(pilot_name="Ny pilot")])
    plan = run_import(store_path, reference, ("v2.xlsx", correction))["v2.xlsx"]
    nb = "\u00a0"
    assert plan.differences == [
        "Husbanken 2024: ny pilot: Ny pilot",
        "Husbanken 2024: pilot som ikke er med lenger: Gammel pilot",
        f"Husbanken 2024: Digital søknad: status Planlagt → Pågår, budsjett 1{nb}500{nb}000{nb}kr → "
        f"2{nb}000{nb}000{nb}kr, periode 01.03.2024–31.12.2024 → 01.03.2024–30.06.2025",
        f"Husbanken 2024: budsjett totalt 4{nb}500{nb}000{nb}kr → 5{nb}000{nb}000{nb}kr"]


def test_a_submission_date_years_before_its_round_is_imported_with_a_warning(store_path, reference):
    # 27.10.2013 for 27.10.2023 made a report «I tide» without a word
    content = workbook(valid_submission(submitted_on=dt.date(2013, 10, 27)), [valid_pilot()])
    plan = run_import(store_path, reference, ("typo.xlsx", content))["typo.xlsx"]
    assert plan.outcome == "imported"
    [warning] = [w for w in plan.parsed.warnings if w.column == "Innsendt dato"]
    assert warning.expected == ("«Innsendt dato» 27.10.2013 er mer enn ett år før oppstartsåret 2024; rett den om "
                                "årstallet er feil: den avgjør om innsendingen kom i tide")
    on_time = workbook(valid_submission(submitted_on=dt.date(2023, 10, 27)), [valid_pilot(pilot_name="B")])
    plan = run_import(store_path, reference, ("rett.xlsx", on_time))["rett.xlsx"]
    assert not [w for w in plan.parsed.warnings if w.column == "Innsendt dato"]


def test_a_budget_change_of_less_than_a_krone_is_shown_with_ore(store_path, reference):
    # «budsjett 3 800 000 kr → 3 800 000 kr» told of a change and showed none
    first = workbook(valid_submission(), [valid_pilot(budget_total_nok=3_800_000)])
    run_import(store_path, reference, ("v1.xlsx", first))
    later = workbook(valid_submission(), [valid_pilot(budget_total_nok=3_800_000.4)])
    plan = run_import(store_path, reference, ("v2.xlsx", later))["v2.xlsx"]
    nb = "\u00a0"
    assert plan.differences == [
        f"Husbanken 2024: Digital søknad: budsjett 3{nb}800{nb}000,00{nb}kr → 3{nb}800{nb}000,40{nb}kr"]


def test_a_correction_dated_after_the_deadline_says_the_agency_turns_late(store_path, reference):
    # the Innsendt dato decides on time or late (the form says so); a correction sent later makes a report that
    # came on time «For sent», and the advisor must see that before importing
    run_import(store_path, reference, ("v1.xlsx", workbook(valid_submission(), [valid_pilot()])))
    late = workbook(valid_submission(submitted_on=dt.date(2023, 11, 20)), [valid_pilot(status="Pågår")])
    plan = run_import(store_path, reference, ("v2.xlsx", late))["v2.xlsx"]
    assert plan.differences[0] == (
        "Husbanken 2024: rapporteringen går fra «I tide» til «For sent» (innsendt 20.11.2023, frist 31.10.2023); "
        "er filen en rettelse av en rapport levert i tide, la «Innsendt dato» stå som i rapporten som kom i tide")
    assert rows(store_path, "SELECT is_late FROM submissions_current") == [{"is_late": True}]


def test_a_correction_with_a_new_submission_date_says_so_though_it_stays_on_time(store_path, reference):
    # The preview listed the budget's changes but not the new Innsendt dato, which decides on time or late
    run_import(store_path, reference, ("v1.xlsx", workbook(valid_submission(submitted_on=dt.date(2023, 10, 27)),
                                                           [valid_pilot()])))
    later = workbook(valid_submission(submitted_on=dt.date(2023, 10, 30)), [valid_pilot()])
    plan = run_import(store_path, reference, ("v2.xlsx", later))["v2.xlsx"]
    assert plan.differences == ["Husbanken 2024: Innsendt dato 27.10.2023 → 30.10.2023"]
    assert plan.summary == ("Husbanken 2024: 1 pilot, 0 milepæler og faser, 0 budsjettrader – erstatter alt i "
                            "versjon 1 (innsendt 27.10.2023)")


def test_a_piloter_csv_without_a_pilot_warns_of_its_milestones_and_budget_rows_left_behind(store_path, reference):
    run_import(store_path, reference, ("v1.xlsx", workbook(valid_submission(), [
        valid_pilot(), valid_pilot(pilot_name="Gammel pilot", budget_total_nok=500_000)],
        [milestone(), milestone(pilot="Gammel pilot"), milestone(pilot="Gammel pilot", name="Slutt")],
        [budget_line(), budget_line(pilot="Gammel pilot", amount=500_000)])))
    plan = run_import(store_path, reference, ("p.csv", csv_bytes([csv_pilot()])))["p.csv"]
    assert plan.outcome == "imported"
    assert [w.expected for w in plan.parsed.warnings if "ikke lenger finnes" in w.expected] == [
        "2 rader i Milepæler for Husbanken 2024 viser til piloter som ikke lenger finnes og blir ikke med i den nye "
        "versjonen (de finnes i historikken)",
        "1 rad i Budsjett for Husbanken 2024 viser til piloter som ikke lenger finnes og blir ikke med i den nye "
        "versjonen (de finnes i historikken)"]
    assert rows(store_path, "SELECT count(*) AS n FROM milestones_current") == [{"n": 1}]


def test_a_piloter_csv_writing_a_name_in_other_case_keeps_its_milestones_and_budget(store_path, reference):
    # A file takes «Digital Søknad» for «Digital søknad», but the rows carried over matched names exactly: the
    # pilot's milestones and budget rows were dropped from the new version
    run_import(store_path, reference, ("v1.xlsx", workbook(valid_submission(), [valid_pilot()], [milestone()],
                                                           [budget_line()])))
    plan = run_import(store_path, reference, ("p.csv", csv_bytes([csv_pilot(pilot_name="Digital Søknad")])))["p.csv"]
    assert plan.outcome == "imported"
    assert not [w for w in plan.parsed.warnings if "ikke lenger finnes" in w.expected]
    assert plan.differences == ["Husbanken 2024: Digital Søknad: skrevet «Digital søknad» før"]  # not removed + new
    assert rows(store_path, "SELECT pilot_name FROM milestones_current") == [{"pilot_name": "Digital Søknad"}]
    assert rows(store_path, "SELECT pilot_name FROM budget_lines_current") == [{"pilot_name": "Digital Søknad"}]


def test_a_correction_to_no_plans_says_so_and_is_not_told_to_put_the_sheets_back(store_path, reference):
    run_import(store_path, reference, ("v1.xlsx", workbook(valid_submission(), [valid_pilot()], [milestone()],
                                                           [budget_line()])))
    plan = run_import(store_path, reference, ("v2.xlsx", workbook(no_plans_submission(), pilots=[])))["v2.xlsx"]
    assert plan.outcome == "imported" and plan.parsed.warnings == []
    assert plan.differences[:2] == ["Husbanken 2024: «Har planer om piloter» Ja → Nei",
                                    "Husbanken 2024: pilot som ikke er med lenger: Digital søknad"]


def test_two_corrections_in_one_import_show_the_changes_of_the_one_that_ends_current(store_path, reference):
    run_import(store_path, reference, ("v1.xlsx", workbook(valid_submission(), [valid_pilot()])))
    plans = run_import(store_path, reference,
                       ("a.xlsx", workbook(valid_submission(), [valid_pilot(budget_total_nok=2_000_000)])),
                       ("b.xlsx", workbook(valid_submission(), [valid_pilot(budget_total_nok=3_000_000)])))
    nb = "\u00a0"
    assert plans["a.xlsx"].differences == []
    # the one pilot's budget is the submission's: said once (the preview listed the same change twice)
    assert plans["b.xlsx"].differences == [f"Husbanken 2024: Digital søknad: budsjett 1{nb}500{nb}000{nb}kr → "
                                           f"3{nb}000{nb}000{nb}kr"]


def test_a_correction_counts_the_milestones_and_budget_rows_it_changes(store_path, reference):
    # a phase moved to 30.06.2025 and a milestone added went unmentioned when only pilots were compared
    phase = milestone(name="Utprøving", kind="Fase", from_date=dt.date(2024, 4, 1), to_date=dt.date(2024, 12, 1))
    run_import(store_path, reference, ("v1.xlsx", workbook(valid_submission(), [valid_pilot()], [milestone(), phase],
                                                           [budget_line()])))
    moved = {**phase, "to_date": dt.date(2024, 12, 20)}
    correction = workbook(valid_submission(), [valid_pilot()], [milestone(), moved, milestone(name="Evaluering")],
                          [budget_line()])
    plan = run_import(store_path, reference, ("v2.xlsx", correction))["v2.xlsx"]
    assert plan.differences == ["Husbanken 2024: milepæler og faser: 3 (var 2); 2 er nye eller endret, 1 er som før"]
    fewer = workbook(valid_submission(), [valid_pilot()], [milestone()], [budget_line()])
    plan = run_import(store_path, reference, ("v3.xlsx", fewer))["v3.xlsx"]
    assert plan.differences == ["Husbanken 2024: milepæler og faser: 1 (var 3); 2 er fjernet"]


def test_a_milestone_or_budget_csv_says_what_it_changes(store_path, reference):
    two = [milestone(), milestone(name="Slutt", from_date=dt.date(2024, 12, 1))]
    run_import(store_path, reference, ("v1.xlsx", workbook(valid_submission(), [valid_pilot()], two,
                                                           [budget_line(), budget_line(year=2025, amount=500_000)])))
    plans = run_import(store_path, reference, ("m.csv", csv_bytes([csv_row(two[0])])),
                       ("b.csv", csv_bytes([csv_row(budget_line(amount=1_200_000))])))
    assert plans["m.csv"].differences == ["Husbanken 2024: milepæler og faser: 1 (var 2); 1 er fjernet"]
    assert plans["b.csv"].differences == [
        "Husbanken 2024: budsjettrader: 1 (var 2); 1 er ny eller endret, ingen er som før"]


def test_two_files_about_different_tables_of_one_submission_each_say_their_own_changes(store_path, reference):
    two = [milestone(), milestone(name="Slutt", from_date=dt.date(2024, 12, 1))]
    run_import(store_path, reference, ("v1.xlsx", workbook(valid_submission(), [valid_pilot()], two)))
    plans = run_import(store_path, reference,
                       ("a.xlsx", workbook(valid_submission(), [valid_pilot()], two[:1])),  # drops a milestone
                       ("p.csv", csv_bytes([csv_pilot(status="Pågår")])))  # then the pilots, by CSV
    assert plans["a.xlsx"].differences == ["Husbanken 2024: milepæler og faser: 1 (var 2); 1 er fjernet"]
    assert plans["p.csv"].differences == ["Husbanken 2024: Digital søknad: status Planlagt → Pågår"]


def test_a_later_file_that_is_refused_takes_nothing_back_from_the_one_before(store_path, reference):
    run_import(store_path, reference, ("v1.xlsx", workbook(valid_submission(), [valid_pilot()])))
    refused = csv_bytes([csv_pilot(status="Avbrutt"), csv_pilot(start_year=2099, pilot_name="Annen")])
    plans = run_import(store_path, reference, ("a.xlsx", workbook(valid_submission(), [valid_pilot(status="Pågår")])),
                       ("p.csv", refused))
    assert plans["p.csv"].outcome == "refused" and plans["p.csv"].differences == []
    assert plans["a.xlsx"].differences == ["Husbanken 2024: Digital søknad: status Planlagt → Pågår"]


def test_a_first_version_and_an_unchanged_correction_say_no_changes(store_path, reference):
    first = run_import(store_path, reference, ("v1.xlsx", workbook(valid_submission(), [valid_pilot()])))["v1.xlsx"]
    same = workbook(valid_submission(contact_person="Ny kontakt"), [valid_pilot()])
    again = run_import(store_path, reference, ("v2.xlsx", same))["v2.xlsx"]
    assert (first.differences, again.outcome, again.differences) == ([], "imported", [])


def involvement_warnings(plan) -> list:
    return [p for p in plan.problems if p.is_warning and p.column == "Involvering av tillitsvalgte"]


def test_a_piloter_csv_without_union_involvement_keeps_the_stored_text_and_does_not_warn_of_it(store_path, reference):
    run_import(store_path, reference, ("husbanken.xlsx", FULL_WORKBOOK))
    [stored] = rows(store_path, "SELECT union_involvement FROM submission_history WHERE is_current")
    assert stored["union_involvement"]
    content = csv_bytes([csv_pilot(pilot_name="Digital søknad", submitted_on="5.11.2023")])
    plan = run_import(store_path, reference, ("piloter.csv", content))["piloter.csv"]
    assert plan.outcome == "imported", errors_of(plan)
    assert not involvement_warnings(plan), [str(p) for p in plan.problems]
    assert plan.summary.startswith("Husbanken 2024: 1 pilot – erstatter Piloter i versjon 1"), plan.summary
    assert rows(store_path, "SELECT union_involvement FROM submission_history WHERE is_current") == [stored]


def test_a_piloter_csv_without_union_involvement_is_warned_of_when_nothing_before_says_it(store_path, reference):
    content = csv_bytes([csv_pilot(agency="Kartverket", pilot_name="Åpne kart")])
    plan = run_import(store_path, reference, ("kartverket.csv", content))["kartverket.csv"]
    assert plan.outcome == "imported", errors_of(plan)
    assert len(involvement_warnings(plan)) == 1


def test_a_piloter_csv_after_a_workbook_in_the_same_batch_keeps_its_union_involvement_unwarned(store_path, reference):
    content = csv_bytes([csv_pilot(pilot_name="Digital søknad", submitted_on="5.11.2023")])
    plans = run_import(store_path, reference, ("husbanken.xlsx", FULL_WORKBOOK), ("piloter.csv", content))
    assert plans["piloter.csv"].outcome == "imported", errors_of(plans["piloter.csv"])
    assert not involvement_warnings(plans["piloter.csv"])
    [current] = rows(store_path, "SELECT union_involvement FROM submission_history WHERE is_current")
    assert current["union_involvement"]


def kept_budget_warnings(plan) -> list:
    return [p for p in plan.problems if p.is_warning and "beholdt fra versjonen før" in p.expected]


@pytest.mark.parametrize("same_batch", [False, True])
def test_a_piloter_csv_that_changes_a_total_is_warned_that_the_kept_budget_rows_no_longer_add_up(
        store_path, reference, same_batch):
    changed = csv_bytes([csv_pilot(pilot_name="Digital søknad", submitted_on="5.11.2023", budget_total_nok="3 mill.")])
    if same_batch:
        plan = run_import(store_path, reference, ("husbanken.xlsx", FULL_WORKBOOK), ("piloter.csv", changed))
    else:
        run_import(store_path, reference, ("husbanken.xlsx", FULL_WORKBOOK))
        plan = run_import(store_path, reference, ("piloter.csv", changed))
    assert plan["piloter.csv"].outcome == "imported", errors_of(plan["piloter.csv"])
    [warning] = kept_budget_warnings(plan["piloter.csv"])
    kept = rows(store_path, "SELECT sum(amount_nok) AS s FROM budget_lines_current WHERE pilot_name = 'Digital søknad'")
    assert kept == [{"s": 2_500_000.0}]  # the rows are kept, and the total of the CSV is what counts
    assert "«Digital søknad»" in warning.expected
    assert "2\u00a0500\u00a0000\u00a0kr" in warning.expected and "3\u00a0000\u00a0000\u00a0kr" in warning.expected
    assert (warning.sheet, warning.row, warning.column) == ("CSV (Piloter)", 2, "Budsjett totalt (kr)")


def test_the_kept_budget_warning_is_stored_with_the_file_as_its_other_warnings(store_path, reference):
    run_import(store_path, reference, ("husbanken.xlsx", FULL_WORKBOOK))
    changed = csv_bytes([csv_pilot(pilot_name="Digital søknad", submitted_on="5.11.2023", budget_total_nok="3 mill.")])
    run_import(store_path, reference, ("piloter.csv", changed))
    [stored] = rows(store_path, "SELECT warnings FROM source_files WHERE file_name = 'piloter.csv'")
    assert any("beholdt fra versjonen før" in w for w in stored["warnings"]), stored


def test_a_budget_csv_in_the_same_batch_replaces_the_rows_so_the_piloter_csv_is_not_warned_of_them(
        store_path, reference):
    run_import(store_path, reference, ("husbanken.xlsx", FULL_WORKBOOK))
    changed = csv_bytes([csv_pilot(pilot_name="Digital søknad", submitted_on="5.11.2023", budget_total_nok="3 mill.")])
    budget = csv_bytes([csv_row(budget_line(pilot="Digital søknad", year=2024, amount=3_000_000))])
    plans = run_import(store_path, reference, ("piloter.csv", changed), ("budsjett.csv", budget))
    assert [p.outcome for p in plans.values()] == ["imported", "imported"], [errors_of(p) for p in plans.values()]
    assert rows(store_path, "SELECT sum(amount_nok) AS s FROM budget_lines_current "
                            "WHERE pilot_name = 'Digital søknad'") == [{"s": 3_000_000.0}]
    assert not kept_budget_warnings(plans["piloter.csv"]), [str(p) for p in plans["piloter.csv"].problems]


def test_a_piloter_csv_that_keeps_a_total_already_at_odds_with_its_rows_is_not_warned_again(store_path, reference):
    at_odds = workbook(valid_submission(), [valid_pilot(budget_total_nok=2_000_000)],
                       budget=[budget_line(amount=1_000_000)])
    first = run_import(store_path, reference, ("hb.xlsx", at_odds))["hb.xlsx"]
    assert any("summerer til" in p.expected for p in first.problems if p.is_warning)  # told once, at the workbook
    same_total = csv_bytes([csv_pilot(submitted_on="5.11.2023", budget_total_nok=2_000_000, status="Pågår")])
    plan = run_import(store_path, reference, ("piloter.csv", same_total))["piloter.csv"]
    assert plan.outcome == "imported", errors_of(plan)
    assert not kept_budget_warnings(plan), [str(p) for p in plan.problems]


def test_a_changed_total_is_warned_of_even_when_a_later_csv_in_the_import_is_refused(
        store_path, reference):
    run_import(store_path, reference, ("husbanken.xlsx", FULL_WORKBOOK))
    changed = csv_pilot(pilot_name="Digital søknad", submitted_on="5.11.2023", budget_total_nok="3 mill.")
    refused = csv_bytes([changed, csv_pilot(pilot_name="Annen", start_year=2019)])  # no round 2019: refused
    plans = run_import(store_path, reference, ("a.csv", csv_bytes([changed])), ("b.csv", refused))
    assert plans["b.csv"].outcome == "refused"
    assert len(kept_budget_warnings(plans["a.csv"])) == 1



def test_a_changed_total_sent_twice_in_one_import_is_warned_of_once_at_the_file_that_changed_it(
        store_path, reference):
    run_import(store_path, reference, ("husbanken.xlsx", FULL_WORKBOOK))
    changed = csv_pilot(pilot_name="Digital søknad", submitted_on="5.11.2023", budget_total_nok="3 mill.")
    plans = run_import(store_path, reference, ("a.csv", csv_bytes([changed])),
                       ("b.csv", csv_bytes([{**changed, "status": "Pågår"}])))
    assert [len(kept_budget_warnings(p)) for p in plans.values()] == [1, 0]


def test_a_piloter_csv_that_keeps_the_total_gets_no_warning_about_the_kept_budget_rows(store_path, reference):
    run_import(store_path, reference, ("husbanken.xlsx", FULL_WORKBOOK))
    same = csv_bytes([csv_pilot(pilot_name="Digital søknad", submitted_on="5.11.2023", budget_total_nok="2,5 mill.")])
    plan = run_import(store_path, reference, ("piloter.csv", same))["piloter.csv"]
    assert plan.outcome == "imported", errors_of(plan)
    assert not kept_budget_warnings(plan), [str(p) for p in plan.problems]


def test_a_budget_csv_that_does_not_add_up_is_warned_about_in_its_own_table_not_in_the_piloter_file(
        store_path, reference):
    pilots = csv_bytes([csv_pilot(agency="Kartverket", pilot_ref="KV-7", pilot_name="Åpne kart",
                                  budget_total_nok=1_000_000)])
    budget = csv_bytes([csv_row(budget_line(pilot="KV-7", amount=400_000), agency="Kartverket")])
    plans = {p.name: p for p in import_files_in_order(store_path, reference, [("budsjett.csv", budget),
                                                                                ("piloter.csv", pilots)])}
    assert plans["budsjett.csv"].outcome == "imported"
    [warning] = [str(w) for w in plans["budsjett.csv"].parsed.warnings if "summerer til" in str(w)]
    assert warning.startswith("Advarsel: budsjett.csv › CSV (Budsjett):"), warning
    assert "rad" not in warning.split(":")[1]


def test_a_milestone_csv_and_its_piloter_csv_imported_together_succeed_because_piloter_goes_first(
        store_path, reference):
    milestones = csv_bytes([csv_row(milestone(pilot="kv-7", name="Oppstart"), agency="Kartverket")])
    pilots = csv_bytes([csv_pilot(agency="Kartverket", pilot_ref="KV-7", pilot_name="Åpne kart")])
    plans = import_files_in_order(store_path, reference, [("milepæler.csv", milestones), ("piloter.csv", pilots)])
    assert {p.name: p.outcome for p in plans} == {"milepæler.csv": "imported", "piloter.csv": "imported"}
    assert rows(store_path, "SELECT agency, pilot_name, name FROM milestones_current") == [
        {"agency": "Kartverket", "pilot_name": "Åpne kart", "name": "Oppstart"}]
    assert rows(store_path, "SELECT agency, pilot_name FROM pilots_current") == [
        {"agency": "Kartverket", "pilot_name": "Åpne kart"}]


def test_a_milestone_csv_for_a_submission_that_does_not_exist_is_refused_with_a_message(store_path, reference):
    before = counts(store_path)
    content = csv_bytes([csv_row(milestone(), agency="Statsbygg")])
    plan = run_import(store_path, reference, ("milepæler.csv", content))["milepæler.csv"]
    assert plan.outcome == "refused"
    [error] = errors_of(plan)
    assert "milepæler.csv" in error and "Statsbygg" in error and "2024" in error
    assert "importer Piloter-tabellen" in error
    assert "rad 2" in error and "Oppstartsår" in error  # the row to look at, in a CSV of many agencies and years
    assert counts(store_path) == before


@pytest.mark.parametrize("stored", [False, True])
def test_a_milestone_and_a_budget_csv_beside_a_refused_piloter_csv_say_why_their_pilots_are_not_found(
        store_path, reference, stored):
    # «ingen piloter er registrert», or «importer Piloter-tabellen … sammen med denne», of a set whose Piloter CSV
    # was imported with them and refused: the user was sent to mend files that were right
    if stored:
        run_import(store_path, reference, ("nei.xlsx", workbook(innsending=no_plans_submission(), pilots=[])))
    before = counts(store_path)
    plans = run_import(store_path, reference, ("piloter.csv", csv_bytes([csv_pilot(start_date="31.02.2024")])),
                       ("milepæler.csv", csv_bytes([csv_row(milestone())])),
                       ("budsjett.csv", csv_bytes([csv_row(budget_line())])))
    assert [p.outcome for p in plans.values()] == ["refused"] * 3
    for name in ("milepæler.csv", "budsjett.csv"):
        [warning] = [str(p) for p in plans[name].problems if p.is_warning]
        assert "«piloter.csv» i samme import, som ble avvist" in warning and "Husbanken 2024" in warning
    assert counts(store_path) == before

def test_a_milestone_csv_naming_a_pilot_the_stored_submission_lacks_is_refused(store_path, reference):
    run_import(store_path, reference, ("husbanken.xlsx", FULL_WORKBOOK))
    before = counts(store_path)
    content = csv_bytes([csv_row(milestone(pilot="HB-1")), csv_row(milestone(pilot="HB-99"))])
    plan = run_import(store_path, reference, ("milepæler.csv", content))["milepæler.csv"]
    assert plan.outcome == "refused"
    [problem] = [p for p in plan.problems if not p.is_warning]
    assert (problem.row, problem.column, problem.value) == (3, "Pilot", "HB-99")
    assert counts(store_path) == before


def test_a_budget_csv_with_a_bad_cell_also_names_the_pilot_that_does_not_exist(store_path, reference):
    # «ca. 2 mill» on one row and a pilot unknown on the next: the second was told only after the first was mended
    run_import(store_path, reference, ("husbanken.xlsx", FULL_WORKBOOK))
    content = csv_bytes([csv_row(budget_line(pilot="HB-1", amount_nok="ca. 2 mill")),
                         csv_row(budget_line(pilot="Finnes ikke"))])
    plan = run_import(store_path, reference, ("budsjett.csv", content))["budsjett.csv"]
    assert plan.outcome == "refused"
    errors = [(p.row, p.column, p.value) for p in plan.problems if not p.is_warning]
    assert (2, "Beløp (kr)", "ca. 2 mill") in errors and (3, "Pilot", "Finnes ikke") in errors
    assert plan.summary == f"Husbanken 2024: {len(errors)} feil; ingenting fra filen importeres"


def test_a_workbook_saved_again_with_nothing_changed_is_unchanged_and_makes_no_version(store_path, reference):
    # opened and saved again (new bytes): «erstatter alt i versjon 1» with no change to tell of, and a version 2 like it
    run_import(store_path, reference, ("husbanken.xlsx", FULL_WORKBOOK))
    book = openpyxl.load_workbook(io.BytesIO(FULL_WORKBOOK))
    book["Piloter"].column_dimensions["A"].width = 40  # a wider column: the content is the same
    saved_again = io.BytesIO()
    book.save(saved_again)
    assert saved_again.getvalue() != FULL_WORKBOOK
    plan = run_import(store_path, reference, ("husbanken (1).xlsx", saved_again.getvalue()))["husbanken (1).xlsx"]
    assert plan.outcome == "unchanged"
    assert plan.summary.startswith("samme innhold som versjon 1 av Husbanken 2024 (innsendt ")
    assert plan.summary.endswith("bare lagret på nytt; ingenting endret")
    assert rows(store_path, "SELECT max(version) AS v FROM submissions")[0]["v"] == 1
    book["Milepæler"].cell(2, 2).value = "Et annet navn"  # one cell changed: a new version
    changed = io.BytesIO()
    book.save(changed)
    plan = run_import(store_path, reference, ("husbanken (2).xlsx", changed.getvalue()))["husbanken (2).xlsx"]
    assert plan.outcome == "imported"
    assert rows(store_path, "SELECT max(version) AS v FROM submissions")[0]["v"] == 2


def test_a_workbook_saved_again_beside_itself_in_one_import_is_unchanged_as_it_is_one_by_one(
        store_path, reference, tmp_path):
    # «husbanken.xlsx» and «husbanken (1).xlsx» in one upload, the same form saved twice: the second made a version 2
    # like the first, where importing them one after the other said «bare lagret på nytt» and made none
    book = openpyxl.load_workbook(io.BytesIO(FULL_WORKBOOK))
    book["Piloter"].column_dimensions["A"].width = 40
    saved_again = io.BytesIO()
    book.save(saved_again)
    files = [("husbanken.xlsx", FULL_WORKBOOK), ("husbanken (1).xlsx", saved_again.getvalue())]
    together = run_import(store_path, reference, *files)
    assert [together[name].outcome for name, _ in files] == ["imported", "unchanged"]
    assert together["husbanken (1).xlsx"].summary == ("samme innhold som Husbanken 2024 i «husbanken.xlsx» i samme "
                                                      "import, bare lagret på nytt; ingenting endret")
    assert together["husbanken (1).xlsx"].problems == []
    one_by_one = tmp_path / "one_by_one.duckdb"
    for file in files:
        run_import(one_by_one, reference, file)
    current = "SELECT (SELECT max(version) FROM submissions) AS versions, source_file FROM submissions_current"
    assert rows(store_path, current) == rows(one_by_one, current) == [{"versions": 1, "source_file": "husbanken.xlsx"}]
    book["Milepæler"].cell(2, 2).value = "Et annet navn"  # one cell changed: the later file is a new version
    changed = io.BytesIO()
    book.save(changed)
    plans = run_import(tmp_path / "changed.duckdb", reference, files[0], ("husbanken (2).xlsx", changed.getvalue()))
    assert plans["husbanken (2).xlsx"].outcome == "imported"
    assert rows(tmp_path / "changed.duckdb", current) == [{"versions": 2, "source_file": "husbanken (2).xlsx"}]


def test_a_file_imported_again_that_is_only_history_now_says_which_version_is_current(store_path, reference):
    # «samme innhold som «v1.xlsx», importert …; ingenting endret», as if v1 were what the dashboard shows
    def husbanken(sent: str, pilot: str) -> bytes:
        return workbook({"Virksomhet": "Husbanken", "Oppstartsår": 2024, "Innsendt dato": sent,
                         "Har planer om piloter": "Ja"}, [valid_pilot(pilot_name=pilot)])

    first, second = husbanken("20.10.2023", "Første plan"), husbanken("30.10.2023", "Rettet plan")
    run_import(store_path, reference, ("v1.xlsx", first))
    assert run_import(store_path, reference, ("v1.xlsx", first))["v1.xlsx"].summary.endswith("ingenting endret")
    run_import(store_path, reference, ("v2.xlsx", second))
    plan = run_import(store_path, reference, ("v1.xlsx", first))["v1.xlsx"]
    assert plan.outcome == "unchanged"
    assert plan.summary.endswith("ingenting endret; filen er historikk: gjeldende for Husbanken 2024 er versjon 2 "
                                 "(innsendt 30.10.2023)")


def test_a_refused_workbook_names_the_agency_and_year_it_reports_for_files_of_one_name_to_be_told_apart(
        store_path, reference):
    # two agencies' «rapporteringsskjema_tillitsreformen.xlsx» in one upload: which one was refused was not said
    good = workbook({"Virksomhet": "Kartverket", "Oppstartsår": 2024, "Innsendt dato": "30.10.2023",
                     "Har planer om piloter": "Ja"}, [valid_pilot(pilot_name="Kart")])
    bad = workbook({"Virksomhet": "DiBK", "Oppstartsår": 2024, "Innsendt dato": "30.10.2023",
                    "Har planer om piloter": "Ja"}, [valid_pilot(end_date="snart")])
    with database.open_store(store_path) as con:
        plans = import_files(con, [("skjema.xlsx", good), ("skjema.xlsx", bad)], reference)
    assert [p.outcome for p in plans] == ["imported", "refused"]
    assert plans[1].summary == "Direktoratet for byggkvalitet 2024: 1 feil; ingenting fra filen importeres"
    unreadable = workbook({"Virksomhet": "", "Oppstartsår": 2024, "Innsendt dato": "30.10.2023",
                           "Har planer om piloter": "Ja"}, [valid_pilot()])
    assert run_import(store_path, reference, ("skjema.xlsx", unreadable))["skjema.xlsx"].summary.startswith("1 feil")


@pytest.mark.parametrize("bad_file", ["workbook", "csv"])
def test_a_file_with_one_error_among_valid_rows_writes_nothing_at_all(store_path, reference, bad_file):
    run_import(store_path, reference, ("husbanken.xlsx", FULL_WORKBOOK))
    before, before_views = counts(store_path), rows(store_path, "SELECT * FROM pilots_current ORDER BY pilot_name")
    if bad_file == "workbook":
        name, content = "ny.xlsx", workbook(
            innsending=valid_submission(submitted_on="1.11.2023"),
            pilots=[valid_pilot(pilot_name=f"Pilot {i}") for i in range(5)]
            + [valid_pilot(pilot_name="Feil", end_date="31.02.2024")],
            milestones=[milestone(pilot="Pilot 1")], budget=[budget_line(pilot="Pilot 2")])
    else:
        name, content = "ny.csv", csv_bytes([csv_pilot(pilot_name=f"Pilot {i}", agency="Kartverket")
                                             for i in range(5)] + [csv_pilot(agency="Kartverket", goals=None)])
    plan = run_import(store_path, reference, (name, content))[name]
    assert plan.outcome == "refused"
    assert len(errors_of(plan)) == 1
    assert counts(store_path) == before
    assert rows(store_path, "SELECT * FROM pilots_current ORDER BY pilot_name") == before_views


def test_a_refused_file_does_not_stop_the_other_files_of_the_same_import(store_path, reference):
    good = workbook(innsending=valid_submission(agency="Kartverket"))
    bad = workbook(innsending=valid_submission(agency="Kartverk"))
    plans = run_import(store_path, reference, ("bad.xlsx", bad), ("good.xlsx", good))
    assert (plans["bad.xlsx"].outcome, plans["good.xlsx"].outcome) == ("refused", "imported")
    assert rows(store_path, "SELECT agency FROM submissions_current") == [{"agency": "Kartverket"}]


# ---------------------------------------------------------------------------------------------
# Deadlines and reporting status


@pytest.mark.parametrize("start_year", [2023, 2024])
@pytest.mark.parametrize(("days_after_deadline", "late"), [(-1, False), (0, False), (1, True)])
def test_a_submission_is_late_exactly_when_innsendt_dato_is_after_the_rounds_deadline(
        store_path, reference, start_year, days_after_deadline, late):
    deadline = reference.round_for(start_year).deadline
    submitted = deadline + dt.timedelta(days=days_after_deadline)
    content = workbook(innsending=valid_submission(start_year=start_year, submitted_on=submitted))
    run_import(store_path, reference, ("skjema.xlsx", content))
    assert rows(store_path, "SELECT deadline, is_late FROM submissions_current") == [
        {"deadline": deadline, "is_late": late}]
    state = rows(store_path, "SELECT reporting_state FROM reporting_status WHERE agency = 'Husbanken' "
                             "AND start_year = ?", [start_year])
    assert state == [{"reporting_state": "For sent" if late else "I tide"}]


def test_reporting_status_lists_an_agency_that_was_asked_but_has_not_reported_as_ikke_levert(store_path, reference):
    asked_2024 = sorted({r.agency for r in reference.requests if r.start_year == 2024})
    assert "Husbanken" in asked_2024 and len(asked_2024) > 1
    run_import(store_path, reference, ("husbanken.xlsx", FULL_WORKBOOK))
    status = {r["agency"]: r for r in rows(store_path, "SELECT * FROM reporting_status WHERE start_year = 2024")}
    assert set(status) == set(asked_2024)
    assert status["Husbanken"]["reporting_state"] == "I tide"
    assert status["Husbanken"]["pilot_count"] == 2
    for agency in asked_2024:
        if agency != "Husbanken":
            assert status[agency]["reporting_state"] == "Ikke levert"
            assert status[agency]["was_asked"] is True
            assert status[agency]["submitted_on"] is None


def test_reporting_status_shows_an_agency_that_reported_without_being_asked(store_path, reference):
    asked = {(r.start_year, r.agency) for r in reference.requests}
    agency = next(a.name for a in reference.agencies if (2023, a.name) not in asked)
    content = workbook(innsending=valid_submission(agency=agency, start_year=2023, submitted_on="1.8.2023"))
    plan = run_import(store_path, reference, ("skjema.xlsx", content))["skjema.xlsx"]
    assert plan.outcome == "imported"
    assert any("ikke registrert som bedt om å rapportere" in p.expected for p in plan.problems if p.is_warning)
    # with no request there is no deadline to keep: «Uten forespørsel», as Oversikt counts it, not «I tide»
    assert rows(store_path, "SELECT was_asked, reporting_state FROM reporting_status WHERE agency = ? "
                            "AND start_year = 2023", [agency]) == [{"was_asked": False,
                                                                    "reporting_state": "Uten forespørsel"}]


# ---------------------------------------------------------------------------------------------
# Command line


def run_cli(db: Path, *paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "loaders", "import", "--db", str(db), *map(str, paths)],
                          cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120)


def file_lines(output: str, name: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(f"{name}: ")]


def test_cli_imports_a_valid_file_and_exits_0_with_one_line_for_it(store_path, tmp_path):
    path = tmp_path / "husbanken.xlsx"
    path.write_bytes(FULL_WORKBOOK)
    result = run_cli(store_path, path)
    assert result.returncode == 0, result.stdout + result.stderr
    [line] = file_lines(result.stdout, "husbanken.xlsx")
    assert line.startswith("husbanken.xlsx: importert – Husbanken 2024: 2 piloter")
    assert rows(store_path, "SELECT agency FROM submissions_current") == [{"agency": "Husbanken"}]

    again = run_cli(store_path, path)
    assert again.returncode == 0
    [line] = file_lines(again.stdout, "husbanken.xlsx")
    assert "uendret" in line


def test_cli_prints_what_a_correction_changes_under_its_line(store_path, tmp_path):
    first, correction = tmp_path / "v1.xlsx", tmp_path / "v2.xlsx"
    first.write_bytes(workbook(valid_submission(), [valid_pilot()]))
    correction.write_bytes(workbook(valid_submission(), [valid_pilot(status="Pågår")]))
    assert run_cli(store_path, first).returncode == 0
    result = run_cli(store_path, correction)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    at = lines.index(file_lines(result.stdout, "v2.xlsx")[0])
    assert lines[at + 1] == "  Endret: Husbanken 2024: Digital søknad: status Planlagt → Pågår"


def test_cli_exits_1_and_names_file_sheet_row_and_column_of_an_error(store_path, tmp_path):
    folder = tmp_path / "innkommet"
    folder.mkdir()
    (folder / "kartverket.xlsx").write_bytes(workbook(innsending=valid_submission(agency="Kartverket")))
    (folder / "husbanken.xlsx").write_bytes(workbook(
        pilots=[valid_pilot(pilot_name="A"), valid_pilot(pilot_name="B", goals=None)], title_rows=1))
    result = run_cli(store_path, folder)
    assert result.returncode == 1
    assert len(file_lines(result.stdout, "kartverket.xlsx")) == 1
    [line] = file_lines(result.stdout, "husbanken.xlsx")
    assert "avvist" in line
    assert "  Feil: husbanken.xlsx › Piloter › rad 4 › kolonne «Mål»: feltet er påkrevd" in result.stdout
    assert rows(store_path, "SELECT agency FROM submissions_current") == [{"agency": "Kartverket"}]


def test_cli_names_whose_report_each_problem_of_a_csv_of_many_agencies_is_on(store_path, tmp_path):
    # the advisor reading the terminal had only a row number to tell which agency to call
    path = tmp_path / "alle.csv"
    path.write_bytes(csv_bytes([csv_pilot(agency="Husbanken"), csv_pilot(agency="Kartverket", end_date="snart"),
                                csv_pilot(agency="Finnesikke")]))
    result = run_cli(store_path, path)
    assert result.returncode == 1
    problems = [line for line in result.stdout.splitlines() if line.startswith("  ")]
    told = "  Kartverket 2024 – Feil: alle.csv › CSV (Piloter) › rad 3 › kolonne «Sluttdato»: fant «snart»"
    assert any(line.startswith(told) for line in problems), problems
    unknown = [line for line in problems if "rad 4 › kolonne «Virksomhet»" in line]
    assert unknown and unknown[0].startswith("  Feil: "), problems  # an agency not read is nobody's, not a guess


def _far_cell_without_its_place(xml: bytes) -> bytes:
    """A last row at 1 048 576 whose cells name no place, laid out from column A (the format allows it)."""
    xml = re.sub(rb"<dimension [^>]*/>", b"", xml)
    return xml.replace(b"</sheetData>", b'<row r="1048576">' + b"<c><v>1</v></c>" * 16_384 + b"</row></sheetData>")


@pytest.mark.parametrize("written", ["as Excel saves it", "a dimension that says A1:AC2", "cells without their place"])
def test_cli_refuses_a_workbook_with_a_stray_cell_far_out_and_imports_the_others(store_path, tmp_path, written):
    # calamine would lay that sheet out as 17 billion cells: the process died, and the batch with it. A 24 kB
    # workbook whose dimension said A1:AC2 held a value in XFD1048576, and the dimension was trusted; so too a far
    # row whose cells carry no reference. Run apart: a regression aborts the process, and would take pytest along.
    stray = with_stray_cell(FULL_WORKBOOK, "Budsjett", "XFD1048576")
    content = {"as Excel saves it": stray,
               "a dimension that says A1:AC2": with_sheets_rewritten(
                   stray, lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:AC2"', xml)),
               "cells without their place": with_sheets_rewritten(FULL_WORKBOOK, _far_cell_without_its_place)}[written]
    folder = tmp_path / "innkommet"
    folder.mkdir()
    (folder / "husbanken.xlsx").write_bytes(content)
    (folder / "kartverket.xlsx").write_bytes(workbook(innsending=valid_submission(agency="Kartverket")))
    result = run_cli(store_path, folder)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "husbanken.xlsx: avvist" in result.stdout
    assert "har innhold helt ut til celle XFD1048576, langt utenfor tabellen" in result.stdout
    if written != "cells without their place":  # every sheet has that row: the first read is named
        assert "arket «Budsjett» har innhold helt ut til celle XFD1048576" in result.stdout
    assert rows(store_path, "SELECT agency FROM submissions_current") == [{"agency": "Kartverket"}]


def test_cli_imports_nothing_when_a_file_is_older_than_the_version_it_would_replace_unless_told_to(store_path,
                                                                                                     tmp_path):
    # A CSV row naming Husbanken by mistake replaced Husbanken's newer report with a warning only; Importer asks first
    newer, older = tmp_path / "husbanken.xlsx", tmp_path / "digdir_piloter.csv"
    newer.write_bytes(workbook(valid_submission(submitted_on=dt.date(2023, 10, 20)), [valid_pilot()]))
    older.write_bytes(csv_bytes([csv_pilot(agency="Digitaliseringsdirektoratet", pilot_name="Deling"),
                                 csv_pilot(agency="Husbanken", pilot_name="Deling", submitted_on="15.10.2023")]))
    assert run_cli(store_path, newer).returncode == 0
    before = rows(store_path, "SELECT agency, pilot_name FROM pilots_current ORDER BY ALL")
    result = run_cli(store_path, older)
    assert result.returncode == 1
    assert "Importerte ingenting: filen er eldre enn versjonen den ville erstatte" in result.stderr
    assert "digdir_piloter.csv: Husbanken 2024: innsendt 15.10.2023, versjonen den erstatter 20.10.2023" in (
        result.stderr)
    assert "--godta-eldre" in result.stderr
    assert rows(store_path, "SELECT agency, pilot_name FROM pilots_current ORDER BY ALL") == before
    told = subprocess.run([sys.executable, "-m", "loaders", "import", "--db", str(store_path), "--godta-eldre",
                           str(older)], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120)
    assert told.returncode == 0, told.stdout + told.stderr
    assert {"agency": "Husbanken", "pilot_name": "Deling"} in rows(
        store_path, "SELECT agency, pilot_name FROM pilots_current")


def test_cli_says_which_files_in_a_folder_it_passed_over(store_path, tmp_path):
    folder = tmp_path / "innkommet"
    (folder / "2023").mkdir(parents=True)
    (folder / "husbanken.XLSX").write_bytes(FULL_WORKBOOK)
    (folder / "kartverket.xls").write_bytes(b"\xd0\xcf\x11\xe0 an old workbook")
    (folder / "statsbygg_piloter.txt").write_text("Virksomhet;Oppstartsår\n", encoding="utf-8")
    (folder / "2023" / "statsbygg.csv").write_text("Virksomhet;Oppstartsår\n", encoding="utf-8")
    (folder / "~$husbanken.xlsx").write_bytes(b"Excel's lock file")
    (folder / "dss.ods").write_bytes(b"PK a LibreOffice spreadsheet")
    (folder / "staf.xlsb").write_bytes(b"PK a binary workbook")
    result = run_cli(store_path, folder)
    assert result.returncode == 1, result.stdout + result.stderr  # an agency's report was not imported
    assert "husbanken.XLSX: importert" in result.stdout
    assert "Hoppet over statsbygg_piloter.txt: ikke en .xlsx- eller .csv-fil" in result.stderr
    assert "Hoppet over 2023: en undermappe, som ikke leses; oppgi den for seg" in result.stderr
    assert "~$" not in result.stderr
    # a report in a spreadsheet format not read is refused and counted, as when named alone: «0 avvist» hid them
    assert "gammelt Excel-format (.xls)" in result.stdout and "et OpenDocument-regneark (.ods" in result.stdout
    assert "staf.xlsb: avvist" in result.stdout
    assert "1 importert, 0 uendret, 3 avvist." in result.stdout


def test_cli_names_a_file_in_a_folder_it_cannot_read_and_imports_the_others(store_path, tmp_path):
    # a link to a file that is gone (a network drive, a moved original) ended the import with a traceback
    folder = tmp_path / "innkommet"
    folder.mkdir()
    (folder / "husbanken.xlsx").write_bytes(FULL_WORKBOOK)
    (folder / "kartverket.xlsx").symlink_to(tmp_path / "borte.xlsx")
    result = run_cli(store_path, folder)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert ("kartverket.xlsx: kunne ikke leses (filen finnes ikke lenger, eller er en snarvei til en fil som er "
            "borte); ingenting fra filen importeres") in result.stderr
    assert "husbanken.xlsx: importert" in result.stdout
    assert rows(store_path, "SELECT agency FROM submissions_current") == [{"agency": "Husbanken"}]


def test_cli_imports_a_file_whose_name_is_windows_1252_not_utf8(store_path, tmp_path):
    # a zip unpacked from Windows leaves «ø» as the single byte 0xF8 in the name
    folder = tmp_path / "innkommet"
    folder.mkdir()
    odd = os.fsdecode(bytes(folder) + b"/Husbanken_\xf8konomi.xlsx")
    Path(odd).write_bytes(FULL_WORKBOOK)
    result = run_cli(store_path, folder)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Husbanken_økonomi.xlsx: importert" in result.stdout
    assert rows(store_path, "SELECT file_name FROM source_files") == [{"file_name": "Husbanken_økonomi.xlsx"}]


def test_cli_reports_a_garbage_file_without_a_traceback(store_path, tmp_path):
    garbage = tmp_path / "skjema.xlsx"
    garbage.write_bytes(random.Random(7).randbytes(5000))
    empty = tmp_path / "tom.csv"
    empty.write_bytes(b"")
    result = run_cli(store_path, garbage, empty)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert "avvist" in file_lines(result.stdout, "skjema.xlsx")[0]
    assert "avvist" in file_lines(result.stdout, "tom.csv")[0]
    assert "Feil: skjema.xlsx: filen er ikke en gyldig Excel-arbeidsbok" in result.stdout
    assert counts(store_path)["source_files"] == 0


def test_cli_names_a_damaged_store_as_damaged_not_as_busy(tmp_path):
    damaged = tmp_path / "skadet.duckdb"
    damaged.write_bytes(b"dette er ingen database " * 100)
    path = tmp_path / "husbanken.xlsx"
    path.write_bytes(FULL_WORKBOOK)
    result = run_cli(damaged, path)
    assert result.returncode == 2
    assert "skadet.duckdb kan ikke leses: filen er skadet eller ikke en Pilotoversikt-database" in result.stderr
    assert "Traceback" not in result.stderr and "i bruk" not in result.stderr
    assert damaged.read_bytes() == b"dette er ingen database " * 100  # left as it was


def test_cli_names_a_store_with_a_bad_checksum_as_damaged(store_path, tmp_path):
    content = bytearray(store_path.read_bytes())
    content[4096:4160] = bytes(b ^ 0xFF for b in content[4096:4160])  # the first database header
    store_path.write_bytes(bytes(content))
    path = tmp_path / "husbanken.xlsx"
    path.write_bytes(FULL_WORKBOOK)
    result = run_cli(store_path, path)
    assert result.returncode == 2
    assert "kan ikke leses: filen er skadet eller ikke en Pilotoversikt-database (Corrupt" in result.stderr
    assert "Traceback" not in result.stderr
    assert store_path.read_bytes() == bytes(content)


def test_cli_says_why_it_cannot_open_a_store_without_calling_it_damaged(tmp_path):
    folder = tmp_path / "pilots.duckdb"  # a folder where the store should be: nothing wrong with any file
    folder.mkdir()
    path = tmp_path / "husbanken.xlsx"
    path.write_bytes(FULL_WORKBOOK)
    result = run_cli(folder, path)
    assert result.returncode == 2
    assert f"Databasen {folder} kunne ikke åpnes: " in result.stderr and "Sjekk at stien er riktig" in result.stderr
    assert "skadet" not in result.stderr and "i bruk" not in result.stderr and "Traceback" not in result.stderr


def test_cli_exits_1_for_a_path_that_does_not_exist(store_path, tmp_path):
    result = run_cli(store_path, tmp_path / "finnes-ikke.xlsx")
    assert result.returncode == 1
    assert "finnes ikke" in result.stderr
    assert "Traceback" not in result.stderr


# ---------------------------------------------------------------------------------------------
# The dashboard's reads and an import, side by side


def agencies_read(store_path: Path) -> list[str]:
    """The agencies of the current submissions, read as the dashboard reads."""
    with database.reading(store_path) as con:
        return queries.submissions(con, PilotFilter())["agency"].tolist()


def test_an_import_from_the_command_line_goes_through_between_the_dashboards_reads(store_path, tmp_path):
    assert agencies_read(store_path) == []
    path = tmp_path / "husbanken.xlsx"
    path.write_bytes(FULL_WORKBOOK)
    result = run_cli(store_path, path)  # another process, which writes: it must find the file free
    assert result.returncode == 0, result.stdout + result.stderr
    assert agencies_read(store_path) == ["Husbanken"]


def test_a_read_that_fails_lets_go_of_the_store_all_the_same(store_path, tmp_path):
    with pytest.raises(duckdb.CatalogException), database.reading(store_path) as con:
        con.execute("SELECT * FROM no_such_table")
    path = tmp_path / "husbanken.xlsx"
    path.write_bytes(FULL_WORKBOOK)
    assert run_cli(store_path, path).returncode == 0
    assert agencies_read(store_path) == ["Husbanken"]


def test_a_read_left_in_a_broken_state_does_not_break_the_next(store_path, tmp_path):
    # a transaction left open makes detaching fail: the reading DuckDB is then closed and made anew
    with database.reading(store_path) as con:
        con.execute("BEGIN TRANSACTION")
    path = tmp_path / "husbanken.xlsx"
    path.write_bytes(FULL_WORKBOOK)
    assert run_cli(store_path, path).returncode == 0
    assert agencies_read(store_path) == ["Husbanken"]


def test_a_read_waits_while_an_import_holds_the_store(store_path):
    # a writer in another process holds the file for a moment, as an import does; the read waits for it
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys\n"
         "con = duckdb.connect(sys.argv[1]); print('holding', flush=True); sys.stdin.readline(); con.close()",
         str(store_path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    released = []

    def release() -> None:  # once the read has had time to meet the lock: it cannot be done before this
        time.sleep(0.5)
        released.append(time.monotonic())
        holder.stdin.write("\n")
        holder.stdin.flush()

    releaser = threading.Thread(target=release)
    try:
        assert holder.stdout.readline().strip() == "holding"
        releaser.start()
        assert agencies_read(store_path) == []
        read_done = time.monotonic()
        releaser.join(timeout=30)
        assert holder.wait(timeout=30) == 0
    finally:
        if holder.poll() is None:  # a failure above: the holder must not keep the store locked
            holder.kill()
            holder.wait(timeout=30)
    assert read_done > released[0]  # it waited for the import, and did not read around it


def test_a_file_that_is_no_store_leaves_the_next_read_of_a_good_one_working(store_path, tmp_path):
    junk = tmp_path / "ikke-en-database.duckdb"
    junk.write_bytes(b"dette er ingen database " * 100)
    with pytest.raises(database.StoreUnreadable, match="filen er skadet"), database.reading(junk):
        pass
    with pytest.raises(database.StoreMissing), database.reading(tmp_path / "finnes-ikke.duckdb"):
        pass
    assert agencies_read(store_path) == []


def test_a_duckdb_file_without_the_stores_tables_is_seen_as_not_initialised(store_path, tmp_path):
    empty = tmp_path / "tom.duckdb"
    duckdb.connect(str(empty)).close()
    with database.reading(empty) as con:
        assert not database.has_schema(con)
    with database.reading(store_path) as con:
        assert database.has_schema(con)


def test_a_cursor_of_a_read_reads_the_store(store_path, reference):
    run_import(store_path, reference, ("hb.xlsx", FULL_WORKBOOK))
    with database.reading(store_path) as con, database.cursor(con) as cur:
        assert cur.sql("SELECT agency FROM submissions_current").fetchall() == [("Husbanken",)]


def test_a_submission_for_a_year_that_is_no_round_is_refused_with_the_known_rounds(store_path, reference):
    content = workbook(valid_submission(start_year=2031))
    with database.open_store(store_path) as con:
        [plan] = import_files(con, [("feil_aar.xlsx", content)], reference)
        assert con.execute("SELECT count(*) FROM submissions").fetchone()[0] == 0
    assert plan.outcome == "refused"
    [error] = plan.parsed.errors
    sheet = openpyxl.load_workbook(io.BytesIO(content))["Innsending"]
    year_row = next(cell.row for cell in sheet["A"] if cell.value == "Oppstartsår")
    assert (error.sheet, error.row, error.column, error.value) == ("Innsending", year_row, "Oppstartsår", 2031)
    assert all(str(r.start_year) in error.expected for r in reference.rounds)


def _duckdb_frame(con, sql: str, params: list | None = None) -> pd.DataFrame:
    """A query's rows as DuckDB's own .df() gives them, text blanks as None: how the store was read before."""
    with warnings.catch_warnings():  # DuckDB's .df() calls a pandas API that pandas 3.1 deprecates
        warnings.simplefilter("ignore", pd.errors.Pandas4Warning)
        frame = con.execute(sql, params or []).df()
    for column in frame.columns:
        if pd.api.types.is_string_dtype(frame[column]) and frame[column].isna().any():
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def assert_same_frame(ours: pd.DataFrame, theirs: pd.DataFrame, what: str) -> None:
    """The same values, and the same column types but for text held as object or as str."""
    pd.testing.assert_frame_equal(ours, theirs, check_dtype=False, obj=what)
    for column in ours.columns:
        kinds = {str(ours[column].dtype), str(theirs[column].dtype)}
        assert kinds <= {"object", "str"} or ours[column].dtype == theirs[column].dtype, (what, column, kinds)


def test_the_dashboards_reads_hold_what_duckdb_itself_gives_blanks_included(store_path, reference, monkeypatch):
    # the pages read through Arrow, which takes less memory at 20 000 pilots; a page must see the
    # same values and types as from DuckDB's .df(): a blank yes/no as <NA>, a blank text as None
    blanks = valid_pilot(pilot_name="Uten svar", scope_will_expand=None, follow_up_covered=None, person_years=None,
                         evaluation=None)
    run_import(store_path, reference, ("hb.xlsx", workbook(pilots=[valid_pilot(), blanks],
                                                            milestones=[milestone()], budget=[budget_line()])))
    every = PilotFilter()
    reads = [("pilots", every), ("status_summary", every, dt.date(2024, 6, 1)), ("milestones", every),
             ("budget_lines", every), ("reporting_status", every, dt.date(2024, 6, 1)), ("submissions", every),
             ("history", "Husbanken"),
             ("import_log",), ("search_plans", every, "svar"), ("upcoming_milestones", every, dt.date(2023, 1, 1))]
    with database.reading(store_path) as con:  # as the dashboard reads
        ours = {name: getattr(queries, name)(con, *args) for name, *args in reads}
        monkeypatch.setattr(queries, "_frame", _duckdb_frame)
        theirs = {name: getattr(queries, name)(con, *args) for name, *args in reads}
    for name, frame in ours.items():
        assert_same_frame(frame, theirs[name], name)
    blank = ours["pilots"].set_index("pilot_name").loc["Uten svar"]
    assert blank["scope_will_expand"] is pd.NA and blank["evaluation"] is None and pd.isna(blank["person_years"])
    assert str(ours["pilots"]["scope_will_expand"].dtype) == "boolean"


def test_a_read_gives_what_duckdb_gives_for_every_kind_of_column():
    # the store's own columns, and what a query may make of them: sums of whole numbers
    # (decimals), unsigned counts, time stamps with a zone; each with and without a blank
    values = """SELECT * FROM (VALUES
        (1, 2::UTINYINT, DATE '2024-01-02', TIMESTAMP '2024-01-01 10:00', TIMESTAMPTZ '2024-01-01 10:00+00',
         true, 'tekst', 1.5, ['a', 'b']),
        (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)) t(i, u, d, ts, tz, b, s, f, l)"""
    sql = f"SELECT sum(i) AS total, count(u)::UBIGINT AS counted, * FROM ({values}) GROUP BY ALL ORDER BY i"
    with duckdb.connect() as con:
        for query in (sql, f"{sql} LIMIT 1", f"{sql} LIMIT 0"):
            assert_same_frame(queries._frame(con, query), _duckdb_frame(con, query), query)
        both = queries._frame(con, "SELECT 1 AS a, NULL::BOOLEAN AS a")  # two columns named alike
        assert both.iloc[0, 0] == 1 and both.iloc[0, 1] is pd.NA
        con.execute("CREATE TYPE answer AS ENUM ('Ja', 'Delvis', 'Nei')")  # a blank in an ENUM is None too
        assert queries._frame(con, "SELECT * FROM (VALUES ('Nei'::answer), (NULL)) t(a)")["a"].tolist() == ["Nei", None]


def test_the_next_milestones_of_one_day_come_in_the_same_order_on_every_view(store_path, reference):
    # the overview lists the next eight; ties on the date were cut and ordered as DuckDB happened to read them
    day = dt.date(2024, 5, 2)
    pilots = [valid_pilot(pilot_name="Pilot B"), valid_pilot(pilot_name="Pilot A")]
    milestones = [milestone(pilot=p, name=n, from_date=day)
                  for p in ("Pilot B", "Pilot A") for n in ("Start", "Avklaring")]
    run_import(store_path, reference, ("hb.xlsx", workbook(pilots=pilots, milestones=milestones)))
    with database.reading(store_path) as con:
        shown = queries.upcoming_milestones(con, PilotFilter(), dt.date(2024, 1, 1), limit=3)
    assert list(zip(shown["pilot_name"], shown["name"], strict=True)) == [
        ("Pilot A", "Avklaring"), ("Pilot A", "Start"), ("Pilot B", "Avklaring")]


def test_the_next_milestones_leave_out_cancelled_pilots_unless_the_filter_asks_for_them(store_path, reference):
    # Oversikt's «Neste milepæler» listed a cancelled pilot's milestones as what is coming, without a word
    pilots = [valid_pilot(pilot_name="Går", status="Pågår"), valid_pilot(pilot_name="Stoppet", status="Avbrutt")]
    milestones = [milestone(pilot=p, name="Delrapport", from_date=dt.date(2024, 6, 1)) for p in ("Går", "Stoppet")]
    run_import(store_path, reference, ("hb.xlsx", workbook(pilots=pilots, milestones=milestones)))
    with database.reading(store_path) as con:
        every = queries.upcoming_milestones(con, PilotFilter(), dt.date(2024, 1, 1))
        cancelled = queries.upcoming_milestones(con, PilotFilter(statuses=("Avbrutt",)), dt.date(2024, 1, 1))
    assert every["pilot_name"].tolist() == ["Går"]
    assert cancelled["pilot_name"].tolist() == ["Stoppet"]


def test_an_import_is_stamped_with_the_time_in_norway_whatever_the_servers_zone(store_path, reference, monkeypatch):
    # this server runs in UTC: an import at 17:30 in Oslo was kept (and shown) as 16:30
    import time

    from loaders.values import NORWAY

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        run_import(store_path, reference, ("hb.xlsx", FULL_WORKBOOK))
        now = dt.datetime.now(dt.UTC)
    finally:
        monkeypatch.undo()
        time.tzset()
    oslo, utc = now.astimezone(NORWAY).replace(tzinfo=None), now.replace(tzinfo=None)
    [(stamped,)] = [tuple(r.values()) for r in rows(store_path, "SELECT imported_at FROM source_files")]
    assert abs(stamped - oslo) < dt.timedelta(minutes=1)
    assert oslo - utc >= dt.timedelta(hours=1)  # Oslo is one or two hours ahead, so the test tells them apart


def test_an_import_tells_its_progress_as_it_reads_the_files(store_path, reference, monkeypatch):
    # Planning waits for the last file (the newest report must be known), and the Importer's bar stood at 0 until then
    from loaders import batch

    events = []
    real = batch.parse_file
    monkeypatch.setattr(batch, "parse_file", lambda name, *a: events.append(("read", name)) or real(name, *a))
    files = [(f"{agency}.xlsx", workbook(valid_submission(agency=agency))) for agency in ("Husbanken", "Kartverket",
                                                                                          "Statsbygg")]
    with database.open_store(store_path) as con:
        import_files(con, files, reference, lambda done, n, name: events.append(("told", f"{done}/{n} {name}")))
    assert events == [("read", "Husbanken.xlsx"), ("told", "1/3 Husbanken.xlsx"), ("read", "Kartverket.xlsx"),
                      ("told", "2/3 Kartverket.xlsx"), ("read", "Statsbygg.xlsx"), ("told", "3/3 Statsbygg.xlsx")]


def test_loading_the_sample_sector_says_nothing_of_the_readme_beside_its_files(store_path):
    # «Hoppet over README.md: ikke en .xlsx- eller .csv-fil» greeted everyone who ran `make run` on an empty store
    result = subprocess.run([sys.executable, "-m", "loaders", "sample", "--db", str(store_path)], cwd=PROJECT_DIR,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Hoppet over" not in result.stderr and " avvist." in result.stdout and "0 avvist." in result.stdout


def test_a_piloter_csv_after_a_workbook_in_one_import_warns_of_the_rows_it_leaves_behind(store_path, reference):
    # Imported one by one, the CSV warned «1 rad i Milepæler … blir ikke med»; in one import it said nothing, and
    # its summary said it replaced the whole submission
    both = workbook(valid_submission(submitted_on="10.10.2023"), [valid_pilot(pilot_name="A"),
                                                                   valid_pilot(pilot_name="B")],
                    [milestone(pilot="A"), milestone(pilot="B")],
                    [budget_line(pilot="A"), budget_line(pilot="B")])
    only_a = csv_bytes([csv_pilot(submitted_on="20.10.2023", pilot_name="A")])
    milestones = csv_bytes([csv_row(milestone(pilot="A", name="Ny milepæl"))])
    plans = run_import(store_path, reference, ("a.xlsx", both), ("b_piloter.csv", only_a),
                       ("c_milepaeler.csv", milestones))
    left = [w.expected for w in plans["b_piloter.csv"].parsed.warnings if "blir ikke med" in w.expected]
    assert left == [f"1 rad i {table} for Husbanken 2024 viser til piloter som ikke lenger finnes og blir ikke med i "
                    "den nye versjonen (de finnes i «a.xlsx» i samme import)" for table in ("Milepæler", "Budsjett")]
    assert "erstatter Piloter i innsendingen fra «a.xlsx» i samme import" in plans["b_piloter.csv"].summary
    assert "erstatter Milepæler i innsendingen fra «b_piloter.csv» i samme import" in plans["c_milepaeler.csv"].summary
    assert rows(store_path, "SELECT pilot_name, name FROM milestones_current") == [
        {"pilot_name": "A", "name": "Ny milepæl"}]


# a typo for 2023 that stays after today, whenever the suite runs
AFTER_TODAY = f"30.10.{norwegian_today().year + 7}"


def test_an_innsendt_dato_after_today_is_warned_of(store_path, reference):
    # 30.10.2033 for 2023 outranked every correction and showed the report as late, without a word
    typo = workbook(valid_submission(submitted_on=AFTER_TODAY), [valid_pilot()])
    [plan] = run_import(store_path, reference, ("skjema.xlsx", typo)).values()
    [warning] = [w for w in plan.parsed.warnings if "etter i dag" in w.expected]
    assert (warning.sheet, warning.column) == ("Innsending", "Innsendt dato") and warning.row
    assert warning.expected.startswith(f"«Innsendt dato» {AFTER_TODAY} er etter i dag")
    [ok] = run_import(store_path.parent / "b.duckdb", reference, ("skjema.xlsx", FULL_WORKBOOK)).values()
    assert not [w for w in ok.parsed.warnings if "etter i dag" in w.expected]


def test_a_request_naming_no_agency_of_the_register_is_named_at_import(reference, capsys):
    # «Kartverkt» in requests.csv was an agency of its own that never reported, and Kartverket reported unasked,
    # with no word from init or import
    from loaders.__main__ import _warn_of_unknown_requests
    from loaders.register import Request

    typo = Reference(reference.agencies, reference.ministries, reference.rounds,
                     [*reference.requests, Request(2024, "Kartverkt", None, "", ""),
                      Request(2024, "HB", None, "", "")], reference.settings)
    assert typo.unknown_requests == ["Kartverkt (2024)"]  # «HB» is Husbanken's abbreviation: matched
    _warn_of_unknown_requests(typo)
    assert "data/requests.csv ber Kartverkt (2024) om å rapportere" in capsys.readouterr().err
    assert reference.unknown_requests == []  # the data/ the project ships


def test_a_request_for_a_round_without_a_deadline_is_named_at_import(reference, capsys):
    # requests.csv asked for 2027 before rounds.csv had the round: nobody can be behind a deadline not set, so the
    # reports stay «Frist ikke ute», and init and import say what to add
    from loaders.__main__ import _warn_of_unknown_requests
    from loaders.register import Request

    early = Reference(reference.agencies, reference.ministries, reference.rounds,
                      [*reference.requests, Request(2099, "Husbanken", None, "", "")], reference.settings)
    assert early.requests_without_deadline == ["Husbanken (2099)"]
    _warn_of_unknown_requests(early)
    assert ("data/requests.csv ber Husbanken (2099) om å rapportere for et oppstartsår som data/rounds.csv ikke har "
            "frist for") in capsys.readouterr().err
    assert reference.requests_without_deadline == []  # the data/ the project ships


def test_a_typo_date_after_today_neither_outranks_its_correction_nor_comes_back(store_path, reference):
    typo = workbook(valid_submission(submitted_on=AFTER_TODAY), [valid_pilot(pilot_name="Skrivefeil")])
    fix = workbook(valid_submission(submitted_on="30.10.2023"), [valid_pilot(pilot_name="Rettet")])
    run_import(store_path, reference, ("Husbanken 2024.xlsx", typo))
    [plan] = run_import(store_path, reference, ("Husbanken 2024 rettet.xlsx", fix)).values()
    assert not dated_warnings(plan)  # no «tidligere enn versjonen den erstatter (30.10.2033)»
    # the folder of both, again: the typo came back as a new version each time
    again = run_import(store_path, reference, ("Husbanken 2024 rettet.xlsx", fix), ("Husbanken 2024.xlsx", typo))
    assert [p.outcome for p in again.values()] == ["unchanged", "unchanged"]
    assert rows(store_path, "SELECT pilot_name FROM pilots_current") == [{"pilot_name": "Rettet"}]
    # imported after the fix, the typo is current, and the fix imported again mends it
    store = store_path.parent / "b.duckdb"
    run_import(store, reference, ("rettet.xlsx", fix))
    run_import(store, reference, ("skrivefeil.xlsx", typo))
    assert rows(store, "SELECT pilot_name FROM pilots_current") == [{"pilot_name": "Skrivefeil"}]
    assert run_import(store, reference, ("rettet.xlsx", fix))["rettet.xlsx"].outcome == "imported"
    assert rows(store, "SELECT pilot_name FROM pilots_current") == [{"pilot_name": "Rettet"}]


def test_in_opposite_orders_a_new_file_goes_before_one_imported_before(store_path, reference):
    # a.csv, imported before, is the newer for Husbanken, b.csv for Kartverket: planned first, a.csv was «uendret»,
    # and b.csv's older Husbanken report became current; a second import of the same folder changed it again
    a = csv_bytes([csv_pilot(submitted_on="20.10.2023", pilot_name="HB fra A"),
                   csv_pilot(agency="Kartverket", submitted_on="20.10.2023", pilot_name="KV fra A")])
    b = csv_bytes([csv_pilot(submitted_on="15.10.2023", pilot_name="HB fra B"),
                   csv_pilot(agency="Kartverket", submitted_on="25.10.2023", pilot_name="KV fra B")])
    run_import(store_path, reference, ("a.csv", a))
    run_import(store_path, reference, ("a.csv", a), ("b.csv", b))
    current = "SELECT agency, pilot_name FROM pilots_current ORDER BY agency"
    expected = [{"agency": "Husbanken", "pilot_name": "HB fra A"}, {"agency": "Kartverket", "pilot_name": "KV fra B"}]
    assert rows(store_path, current) == expected
    versions = len(history(store_path))
    again = run_import(store_path, reference, ("a.csv", a), ("b.csv", b))
    assert [p.outcome for p in again.values()] == ["unchanged", "unchanged"]
    assert rows(store_path, current) == expected and len(history(store_path)) == versions


# Of reports of one submission with distinct dates, a folder of all of them leaves the newest current, whatever
# the files are called and whichever of them the store held before, in whichever order; the same folder imported
# again changes nothing.
REPORT_DATES = [dt.date(2023, 10, day) for day in (2, 9, 16, 23, 30)]
REPORTS = {day: workbook(valid_submission(submitted_on=day.strftime("%d.%m.%Y")),
                         [valid_pilot(pilot_name=f"Plan {day:%d.%m}")]) for day in REPORT_DATES}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_folder_of_reports_leaves_the_newest_current_whatever_the_store_held(reference, data):
    dates = data.draw(st.lists(st.sampled_from(REPORT_DATES), min_size=2, max_size=4, unique=True), label="dates")
    names = data.draw(st.permutations([f"fil_{i}.xlsx" for i in range(len(dates))]), label="names")
    named = dict(zip(names, dates, strict=True))
    before = data.draw(st.lists(st.sampled_from(names), max_size=3), label="imported before, in order")
    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "pilots.duckdb"
        for name in before:
            run_import(store, reference, (name, REPORTS[named[name]]))
        folder_files = [(name, REPORTS[named[name]]) for name in sorted(names)]
        run_import(store, reference, *folder_files)
        newest = max(dates)
        assert rows(store, "SELECT pilot_name FROM pilots_current") == [{"pilot_name": f"Plan {newest:%d.%m}"}]
        versions = len(history(store))
        again = run_import(store, reference, *folder_files)
        assert {p.outcome for p in again.values()} == {"unchanged"}
        assert len(history(store)) == versions


def test_each_problem_of_a_csv_of_many_agencies_is_told_as_whose_report_it_is(reference):
    # the error CSV filed a row of an unknown agency under the one other agency the file named; a row answering Ja
    # without a pilot under no one
    rows = [csv_pilot(agency="Finnesikke", start_date="31.13.2024"),
            csv_pilot(agency="Kartverket", end_date="snart", extra_column="x"),
            {"agency": "Statsbygg", "start_year": 2024, "submitted_on": "15.10.2023", "has_plans": "Ja"}]
    parsed = parse_file("alle.csv", csv_bytes(rows), reference)
    told = {(p.row, p.column): reported_at(parsed, p) for p in parsed.problems}
    assert told[(2, "Virksomhet")] == told[(2, "Startdato")] == ""  # an agency not read: nobody's, not a guess
    assert told[(3, "Sluttdato")] == "Kartverket 2024"
    assert told[(4, "Har planer om piloter")] == "Statsbygg 2024"
    assert {who for (row, _), who in told.items() if row == 1} == {""}  # the header's: the file reports two
    one = parse_file("kv.csv", csv_bytes([csv_pilot(agency="Kartverket", end_date="snart", extra_column="x")]),
                     reference)
    assert {reported_at(one, p) for p in one.problems} == {"Kartverket 2024"}  # the header's too: one report
