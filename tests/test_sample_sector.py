"""The bundled sample sector in data/samples: it parses, it is what the generator writes, and it
covers what the dashboard has to show (every status, forsøk, no plans, late, revised, not reported)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from loaders.contract import BUDGET_FRAME_ANSWERS, PILOT_STATUSES, TRUST_RELATIONS
from loaders.parsing import ParsedFile, parse_file
from loaders.register import DATA_DIR
from loaders.sample_sector import README_NAME, sample_sector, write_sample_files
from loaders.values import fold

SAMPLE_DIR = DATA_DIR / "samples"
FORM_SUFFIXES = (".xlsx", ".csv")


def _form_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in FORM_SUFFIXES)


def _months(start: dt.date, end: dt.date) -> float:
    return (end - start).days / 30.44


@pytest.fixture(scope="module")
def generated(tmp_path_factory, reference) -> tuple[Path, list[Path]]:
    """The generator's output in a fresh folder, and the paths it returned."""
    folder = tmp_path_factory.mktemp("generated")
    return folder, write_sample_files(folder, reference)


@pytest.fixture(scope="module")
def parsed(generated, reference) -> list[ParsedFile]:
    """The committed sample files, parsed, in the generator's import order."""
    _, paths = generated
    return [parse_file(p.name, (SAMPLE_DIR / p.name).read_bytes(), reference) for p in paths]


@pytest.fixture(scope="module")
def current(parsed) -> dict[tuple[str, int], dict]:
    """The current submission per agency and year, as an import of the files in order would leave it.

    A workbook replaces everything; a CSV replaces its one table. Milestone and budget rows get
    'pilot_name' resolved from the Pilot-ID or Pilotnavn they name.
    """
    found: dict[tuple[str, int], dict] = {}
    for pf in parsed:
        for data in pf.submissions:
            key = (data.agency, data.start_year)
            if pf.table == "workbook":
                found[key] = {"fields": dict(data.fields), "pilots": data.pilots, "milestones": data.milestones,
                              "budget": data.budget, "files": [pf.name]}
                continue
            entry = found.setdefault(key, {"fields": {}, "pilots": [], "milestones": [], "budget": [], "files": []})
            entry["files"].append(pf.name)
            if pf.table == "pilots":
                entry["fields"], entry["pilots"] = dict(data.fields), data.pilots
            else:
                entry[pf.table] = data.tables[pf.table]
    for entry in found.values():
        names = {fold(p["pilot_name"]): p["pilot_name"] for p in entry["pilots"]}
        names |= {fold(p["pilot_ref"]): p["pilot_name"] for p in entry["pilots"] if p.get("pilot_ref")}
        for table in ("milestones", "budget"):
            entry[table] = [{**row, "pilot_name": names[fold(row["pilot"])]} for row in entry[table]]
    return found


def _pilots(current: dict) -> list[dict]:
    return [p for entry in current.values() for p in entry["pilots"]]


# ---------------------------------------------------------------------------------------
# The files


def test_every_sample_file_parses_without_errors(reference):
    files = _form_files(SAMPLE_DIR)
    assert len(files) >= 12
    for path in files:
        result = parse_file(path.name, path.read_bytes(), reference)
        assert not result.errors, [str(p) for p in result.errors]
        assert result.submissions, path.name


def test_the_only_warning_is_the_intended_budget_mismatch(parsed):
    warnings = [w for pf in parsed for w in pf.warnings]
    assert len(warnings) == 1, [str(w) for w in warnings]
    assert warnings[0].file == "2024_kartverket_egen_mal.xlsx"
    assert "summerer til" in warnings[0].expected


def test_the_committed_files_are_exactly_what_the_generator_writes(generated, reference):
    folder, _ = generated
    assert sorted(p.name for p in SAMPLE_DIR.iterdir()) == sorted(p.name for p in folder.iterdir())
    for path in folder.iterdir():
        committed = (SAMPLE_DIR / path.name).read_bytes()
        if path.suffix == ".xlsx":
            fresh = parse_file(path.name, path.read_bytes(), reference)
            old = parse_file(path.name, committed, reference)
            assert fresh.submissions == old.submissions, f"{path.name} differs; rerun write_sample_files"
            assert [str(p) for p in fresh.problems] == [str(p) for p in old.problems]
        else:
            assert committed == path.read_bytes(), f"{path.name} differs; rerun write_sample_files"


def test_the_generator_writes_byte_identical_files_on_every_run(generated, tmp_path, reference):
    folder, paths = generated
    again = write_sample_files(tmp_path, reference)
    assert [p.name for p in again] == [p.name for p in paths]
    for path in folder.iterdir():
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_the_returned_paths_are_every_form_file_in_import_order(generated):
    folder, paths = generated
    names = [p.name for p in paths]
    assert sorted(names) == [p.name for p in _form_files(folder)]
    assert len(set(names)) == len(names)
    assert all(p.parent == folder for p in paths)
    assert names.index("2024_statsbygg_v1.xlsx") < names.index("2024_statsbygg_v2_revidert.xlsx")
    for stem in {n.rsplit("_", 1)[0] for n in names if n.endswith(".csv")}:
        assert names.index(f"{stem}_piloter.csv") < names.index(f"{stem}_milepaeler.csv")
        assert names.index(f"{stem}_piloter.csv") < names.index(f"{stem}_budsjett.csv")
    # The CLI imports a folder in sorted order; that must also put the first version first.
    assert sorted(names).index("2024_statsbygg_v1.xlsx") < sorted(names).index("2024_statsbygg_v2_revidert.xlsx")


def test_the_readme_lists_every_file_and_says_the_content_is_fictional():
    text = (SAMPLE_DIR / README_NAME).read_text(encoding="utf-8")
    assert "fiktiv" in text.lower()
    for path in _form_files(SAMPLE_DIR):
        assert f"`{path.name}`" in text


def test_the_files_vary_as_real_ones_do():
    raw = {p.name: p.read_bytes() for p in _form_files(SAMPLE_DIR)}
    windows = raw["2024_digdir_piloter.csv"]
    assert not windows.startswith(b"\xef\xbb\xbf")
    with pytest.raises(UnicodeDecodeError):
        windows.decode("utf-8")
    text = windows.decode("cp1252")
    assert text.splitlines()[0].count(";") > 20 and any(c in text for c in "æøå")
    bom = raw["2023_distriktssenteret_piloter.csv"]
    assert bom.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(bom.decode("utf-8-sig"), newline=""), delimiter=","))
    cells = [c for row in rows[1:] for c in row]
    assert any("\n" in c for c in cells) and any("," in c for c in cells)
    assert "Kompetansesenter for distriktsutvikling" in {row[0] for row in rows[1:]}


def test_the_home_made_workbook_uses_its_own_layout_and_ways_of_writing():
    book = CalamineWorkbook.from_filelike(io.BytesIO((SAMPLE_DIR / "2024_kartverket_egen_mal.xlsx").read_bytes()))
    assert "Veiledning" not in book.sheet_names
    grid = book.get_sheet_by_name("PILOTER").to_python(skip_empty_area=False)
    assert grid[0][0] and not any(grid[1])  # a title row, then a blank row
    header = grid[2]
    assert "PILOTNAVN*" in header and "Mål:" in header and "Budsjett totalt" in header
    cells = {str(c) for row in grid[3:] for c in row}
    assert {"2,5 mill.", "850 000 kr", "1. mars 2024", "mars 2024", "J", "x", "nei"} <= cells
    innsending = book.get_sheet_by_name("Innsending").to_python(skip_empty_area=False)
    assert ["Virksomhet:", "KV"] in [row[:2] for row in innsending]


# ---------------------------------------------------------------------------------------
# What the sample covers


def test_the_sample_covers_at_least_eight_agencies_and_both_rounds(current, reference):
    agencies = {agency for agency, _ in current}
    assert len(agencies) >= 8
    assert {year for _, year in current} == {r.start_year for r in reference.rounds}
    assert {("Statsbygg", 2023), ("Statsbygg", 2024), ("Valgdirektoratet", 2024)} <= set(current)


def test_every_pilot_status_is_present_and_the_ambition_is_within_reach(current, reference):
    pilots = _pilots(current)
    assert 14 <= len(pilots) <= 20
    assert {p["status"] for p in pilots} == set(PILOT_STATUSES)
    counting = [p for p in pilots if p["status"] in reference.settings.counting_statuses]
    assert reference.settings.ambition_min <= len(counting) <= reference.settings.ambition_max


def test_at_least_two_pilots_are_forsok_naming_the_rules_they_need_exemption_from(current):
    forsok = [p for p in _pilots(current) if p["needs_exemption"]]
    assert len(forsok) >= 2
    assert all(p["exemption_rules"] for p in forsok)


def test_every_trust_relation_and_every_budget_frame_answer_is_used(current):
    pilots = _pilots(current)
    assert {p["trust_relation"] for p in pilots} >= set(TRUST_RELATIONS)
    assert {p["within_budget_frame"] for p in pilots} == set(BUDGET_FRAME_ANSWERS)


def test_every_pilot_has_milestones_a_phase_and_budget_rows(current):
    for entry in current.values():
        for pilot in entry["pilots"]:
            name = pilot["pilot_name"]
            rows = [m for m in entry["milestones"] if m["pilot_name"] == name]
            assert any(m["kind"] == "Milepæl" for m in rows), name
            assert any(m["kind"] == "Fase" and m["to_date"] for m in rows), name
            assert any(b["pilot_name"] == name for b in entry["budget"]), name


def test_budget_rows_add_up_to_the_total_except_for_one_pilot(current):
    differ = []
    for entry in current.values():
        for pilot in entry["pilots"]:
            rows = sum(b["amount_nok"] for b in entry["budget"] if b["pilot_name"] == pilot["pilot_name"])
            if rows != pilot["budget_total_nok"]:
                differ.append(pilot["pilot_name"])
    assert differ == ["Tillitsbasert oppfølging av matrikkelføringen"]


def test_budgets_and_dates_are_realistic(current):
    for (_, year), entry in current.items():
        for pilot in entry["pilots"]:
            assert 200_000 <= pilot["budget_total_nok"] <= 6_000_000, pilot["pilot_name"]
            assert pilot["start_date"].year == year, pilot["pilot_name"]
            assert 6 <= _months(pilot["start_date"], pilot["end_date"]) <= 30.5, pilot["pilot_name"]


def test_one_submission_has_no_plans_and_says_what_was_assessed(current):
    no_plans = [entry for entry in current.values() if entry["fields"]["has_plans"] is False]
    assert len(no_plans) == 1
    entry = no_plans[0]
    assert entry["pilots"] == [] and entry["fields"]["assessment"] and entry["fields"]["union_involvement"]


def test_one_submission_is_late_by_its_rounds_deadline(current, reference):
    late = [key for key, entry in current.items()
            if entry["fields"]["submitted_on"] > reference.round_for(key[1]).deadline]
    assert late == [("Distriktssenteret", 2023)]


def test_one_agency_revised_its_submission_with_a_later_workbook(parsed):
    by_key: dict[tuple[str, int], list] = {}
    for pf in parsed:
        if pf.table == "workbook":
            for data in pf.submissions:
                by_key.setdefault((data.agency, data.start_year), []).append(data)
    revised = {key: versions for key, versions in by_key.items() if len(versions) > 1}
    assert list(revised) == [("Statsbygg", 2024)]
    first, second = revised[("Statsbygg", 2024)]
    assert first.fields["submitted_on"] < second.fields["submitted_on"]
    budgets = [{p["pilot_name"]: p["budget_total_nok"] for p in v.pilots} for v in (first, second)]
    assert len(budgets[1]) > len(budgets[0])
    assert any(budgets[1][name] != total for name, total in budgets[0].items())


def test_some_agencies_asked_to_report_have_not(current, reference):
    asked = {(r.agency, r.start_year) for r in reference.requests}
    assert set(current) <= asked
    assert len(asked - set(current)) >= 2


def test_some_plans_say_nothing_about_evaluation_or_name_no_participants(current):
    pilots = _pilots(current)
    silent = [p for p in pilots if not p.get("documentation") and not p.get("evaluation")]
    no_participants = [p for p in pilots if not (p.get("users") or p.get("units_and_staff") or p.get("third_parties"))]
    assert 1 <= len(silent) < len(pilots)
    assert 1 <= len(no_participants) < len(pilots)


def test_the_contacts_are_clearly_fictional(current):
    for entry in current.values():
        assert entry["fields"]["contact_person"].endswith("(fiktiv)")
        assert entry["fields"]["email"].endswith("@example.no")


def test_the_parsed_values_match_the_specification(current):
    spec = {}
    for sub in sample_sector():
        spec[(sub.agency, sub.start_year)] = sub  # a later version replaces an earlier one
    assert set(spec) == set(current)
    for key, sub in spec.items():
        entry = current[key]
        assert entry["fields"]["submitted_on"] == sub.submitted_on
        parsed = {p["pilot_name"]: p for p in entry["pilots"]}
        assert list(parsed) == [p.name for p in sub.pilots]
        for pilot in sub.pilots:
            got = parsed[pilot.name]
            for field in ("status", "start_date", "end_date", "budget_total_nok", "needs_exemption",
                          "within_budget_frame", "person_years", "trust_relation"):
                assert got[field] == pilot.values.get(field), (pilot.name, field)
            rows = sorted((b["year"], b["amount_nok"], b["category"]) for b in entry["budget"]
                          if b["pilot_name"] == pilot.name)
            assert rows == sorted((b.year, b.amount, b.category or "Annet") for b in pilot.budget)
