"""AppTest of the Tidslinje page: on the sample, on an empty store, filtered, and with many pilots.

Expected values come from SQL on the same store file, never from numbers written here.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from loaders.contract import PILOT_STATUSES, covered_elements
from loaders.importer import import_files
from loaders.values import norwegian_today
from store import database
from tests.apptest_support import agency_without_pilots, open_app, rows
from tests.form_files import milestone, valid_pilot, valid_submission, workbook
from ui import formatting as fmt
from ui import timeline as timeline_module

ROOT = Path(__file__).resolve().parents[1]
PAGE = "pages/3_tidslinje.py"


def open_page(monkeypatch, db: Path, query: dict | None = None) -> AppTest:
    """This page opened cold on a store, as a deep link would."""
    return open_app(monkeypatch, db, PAGE, query)


def figure(at: AppTest) -> dict:
    """The page's one plotly figure as JSON."""
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.spec)


def pilot_bars(fig: dict) -> int:
    """How many pilot bars the figure draws (the traces named after a status)."""
    return sum(len(t["y"]) for t in fig["data"] if t["type"] == "bar" and t.get("name") in PILOT_STATUSES)


TABLES = {"pilots": "Faser", "milestones": "Navn", "agencies": "Første start"}


def table(at: AppTest, name: str):
    """The shown table of pilots, milestones or agencies (told apart by a column only it has)."""
    return next(d.value for d in at.dataframe if TABLES[name] in d.value.columns)


def test_the_timeline_draws_one_bar_and_one_row_per_pilot_in_the_store(monkeypatch, sample_db):
    at = open_page(monkeypatch, sample_db)
    (expected,) = rows(sample_db, "SELECT count(*) FROM pilots_current")[0]
    assert expected <= 40, "the sample is meant to open per pilot"
    assert pilot_bars(figure(at)) == expected
    assert len(table(at, "pilots")) == expected


def test_the_milestone_table_and_markers_match_the_store(monkeypatch, sample_db):
    at = open_page(monkeypatch, sample_db)
    (phases, points), = rows(sample_db, "SELECT count(*) FILTER (kind = 'Fase'), count(*) FILTER (kind <> 'Fase') "
                                        "FROM milestones_current")
    assert len(table(at, "milestones")) == phases + points
    traces = {t.get("name"): t for t in figure(at)["data"]}
    assert len(traces["Fase"]["y"]) == phases
    assert len(traces["Milepæl"]["x"]) == points
    assert traces["Milepæl"]["marker"]["symbol"] == "diamond"
    assert " – " in traces["Milepæl"]["hovertext"][0]


def test_the_milestone_table_narrows_to_what_comes_from_today_or_in_a_quarter(monkeypatch, store_path, reference):
    today = norwegian_today()
    day = dt.timedelta(days=1)
    next_year = dt.date(today.year + 1, 1, 1)
    pilot = valid_pilot(start_date=today - 400 * day, end_date=next_year + 300 * day)
    plan = [milestone(name="Gjort", from_date=today - 30 * day),
            milestone(name="Snart", from_date=today + 2 * day),
            milestone(name="Neste år", from_date=next_year + 20 * day),
            milestone(name="Fase over nyttår", kind="Fase", from_date=today - 10 * day, to_date=next_year + 5 * day)]
    with database.open_store(store_path) as con:
        import_files(con, [("hb.xlsx", workbook(valid_submission(), [pilot], plan))], reference)
    at = open_page(monkeypatch, store_path)
    assert len(table(at, "milestones")) == 4
    at.selectbox(key="tidslinje_milepaeler_naar").set_value("Fra i dag").run()
    assert set(table(at, "milestones")["Navn"]) == {"Snart", "Neste år", "Fase over nyttår"}
    assert any(c.value == "3 milepæler og faser – fra i dag (av 4 i filteret)" for c in at.caption)
    at.selectbox(key="tidslinje_milepaeler_naar").set_value(f"1. kvartal {next_year.year}").run()
    in_quarter = set(table(at, "milestones")["Navn"])  # «Snart» too, in the last days of December
    assert {"Neste år", "Fase over nyttår"} <= in_quarter and "Gjort" not in in_quarter


def test_a_quarter_gone_by_can_be_picked_when_the_table_cannot_show_every_date(monkeypatch, store_path, reference):
    # «hva skjedde i fjor vår?»: past the table's limit «Alle datoer» shows the oldest rows only, and a quarter
    # gone by could be reached only by narrowing the filter
    monkeypatch.setattr("ui.page_parts.TABLE_LIMIT", 2)
    today = norwegian_today()
    day = dt.timedelta(days=1)
    then = today - 200 * day  # two quarters back at least
    pilot = valid_pilot(start_date=today - 500 * day, end_date=today + 100 * day)
    plan = [milestone(name="Eldst", from_date=today - 480 * day), milestone(name="Eldre", from_date=today - 470 * day),
            milestone(name="Den gang", from_date=then), milestone(name="Snart", from_date=today + 5 * day)]
    with database.open_store(store_path) as con:
        import_files(con, [("hb.xlsx", workbook(valid_submission(), [pilot], plan))], reference)
    at = open_page(monkeypatch, store_path)
    box = at.selectbox(key="tidslinje_milepaeler_naar")
    assert box.value == "Fra i dag"
    past = timeline_module.quarter_label(then)
    assert past in box.options
    box.set_value(past).run()
    assert list(table(at, "milestones")["Navn"]) == ["Den gang"]
    assert any(c.value == f"1 milepæl eller fase – {past} (av 4 i filteret)" for c in at.caption)


def test_a_period_without_milestones_says_so_in_norwegian_instead_of_an_empty_table(monkeypatch, store_path,
                                                                                      reference):
    # an empty table reads «empty», in English
    today = norwegian_today()
    pilot = valid_pilot(start_date=today - dt.timedelta(days=400), end_date=today - dt.timedelta(days=10))
    with database.open_store(store_path) as con:
        import_files(con, [("hb.xlsx", workbook(valid_submission(), [pilot],
                                                [milestone(name="Gjort", from_date=today - dt.timedelta(days=30))]))],
                     reference)
    at = open_page(monkeypatch, store_path)
    assert list(table(at, "milestones")["Navn"]) == ["Gjort"]
    at.selectbox(key="tidslinje_milepaeler_naar").set_value("Fra i dag").run()
    assert not [d for d in at.dataframe if TABLES["milestones"] in d.value.columns]
    assert [i.value for i in at.info] == ["Ingen milepæler eller faser fra i dag. Velg en annen periode i «Når»."]
    # a quarter: «i 1. kvartal 2027», not «faser 1. kvartal 2027»; the list offers every quarter up to the last
    # milestone's, empty ones too
    later = dt.date(today.year + 1, 8, 1)
    with database.open_store(store_path) as con:
        import_files(con, [("kv.xlsx", workbook(valid_submission(agency="Kartverket"),
                                                [valid_pilot(start_date=today, end_date=later)],
                                                [milestone(name="Senere", from_date=later)]))], reference)
    at = open_page(monkeypatch, store_path)
    quarter = f"1. kvartal {today.year + 1}"
    at.selectbox(key="tidslinje_milepaeler_naar").set_value(quarter).run()
    assert [i.value for i in at.info] == [f"Ingen milepæler eller faser i {quarter}. Velg en annen periode i «Når»."]


def test_the_milestone_window_follows_the_filter_until_the_user_picks_one(monkeypatch, store_path, reference):
    # with more milestones than a table shows, it opens on «Fra i dag» (the first rows of every date are the
    # oldest); a filter with fewer goes back to every date, unless the user has picked a window. Dated from
    # today: the sample's milestones have all passed since 1.12.2026, and the test was skipped.
    monkeypatch.setattr("ui.page_parts.TABLE_LIMIT", 10)
    today, day = norwegian_today(), dt.timedelta(days=1)
    pilot = valid_pilot(start_date=today - 400 * day, end_date=today + 400 * day)
    many = [milestone(name=f"Milepæl {i}", from_date=today + (i - 6) * 30 * day) for i in range(12)]
    few = [milestone(name=f"Kartverket {i}", from_date=today + (i - 1) * 60 * day) for i in range(3)]
    with database.open_store(store_path) as con:
        import_files(con, [("hb.xlsx", workbook(valid_submission(), [pilot], many)),
                           ("kv.xlsx", workbook(valid_submission(agency="Kartverket"), [pilot], few))], reference)
    at = open_page(monkeypatch, store_path)
    assert at.selectbox(key="tidslinje_milepaeler_naar").value == "Fra i dag"
    agencies = next(m for m in at.multiselect if m.label == "Virksomheter")
    agencies.set_value(["Kartverket"]).run()
    assert at.selectbox(key="tidslinje_milepaeler_naar").value == "Alle datoer"
    assert len(table(at, "milestones")) == len(few)
    at.selectbox(key="tidslinje_milepaeler_naar").set_value("Fra i dag").run()
    next(m for m in at.multiselect if m.label == "Virksomheter").set_value([]).run()
    assert at.selectbox(key="tidslinje_milepaeler_naar").value == "Fra i dag"  # the user's pick stays


def test_a_milestone_without_an_end_shows_a_dash_not_none(monkeypatch, sample_db):
    # a milestone is one day, so its «Til» is blank; Streamlit shows a blank as the English «None»
    at = open_page(monkeypatch, sample_db)
    shown = next(d for d in at.dataframe if "Navn" in d.value.columns)
    assert shown.value["Til"].isna().any()
    assert shown.proto.placeholder == "–"
    # and the dates under the dashes are whole: sized by its first rows of «–», «Til» cut them to «20.03.2»
    columns = json.loads(shown.proto.columns)
    assert all(columns[c]["width"] >= 90 for c in ("Dato", "Til")), columns


def test_the_round_deadlines_the_seminar_the_reform_and_today_are_labelled(monkeypatch, sample_db):
    at = open_page(monkeypatch, sample_db)
    labels = {a["text"] for a in figure(at)["layout"]["annotations"]}
    for year, deadline in rows(sample_db, "SELECT start_year, deadline FROM rounds"):
        assert f"Frist oppstart {year}: {fmt.date(deadline)}" in labels
    for (label,) in rows(sample_db, "SELECT label FROM events"):
        assert label in labels
    (start, end), = rows(sample_db, "SELECT reform_start, reform_end FROM settings")
    assert f"Reformperioden {start.year}–{end.year}" in labels
    assert f"I dag {fmt.date(norwegian_today())}" in labels


def test_choosing_an_agency_in_the_filter_narrows_the_timeline(monkeypatch, sample_db):
    at = open_page(monkeypatch, sample_db)
    at.multiselect(key="virksomhet").set_value(["Husbanken"]).run()
    (expected,) = rows(sample_db, "SELECT count(*) FROM pilots_current WHERE agency = 'Husbanken'")[0]
    shown = table(at, "pilots")
    assert len(shown) == expected > 0
    assert set(shown["Virksomhet"]) == {"Husbanken"}
    assert pilot_bars(figure(at)) == expected


def test_a_link_with_an_agency_opens_the_timeline_filtered(monkeypatch, sample_db):
    at = open_page(monkeypatch, sample_db, query={"virksomhet": ["Husbanken"]})
    (expected,) = rows(sample_db, "SELECT count(*) FROM pilots_current WHERE agency = 'Husbanken'")[0]
    assert set(table(at, "pilots")["Virksomhet"]) == {"Husbanken"}
    assert pilot_bars(figure(at)) == expected


def test_the_collapsed_view_draws_one_bar_per_agency(monkeypatch, sample_db):
    at = open_page(monkeypatch, sample_db)
    at.button_group(key="tidslinje_visning").set_value("Per virksomhet").run()
    agencies = [a for (a,) in rows(sample_db, "SELECT DISTINCT agency FROM pilots_current ORDER BY agency")]
    assert bar_agencies(at) == agencies
    # DSS's only pilot is cancelled: its bar is the grey one of its own, and says so
    cancelled = [t for t in figure(at)["data"] if t["name"].startswith("Bare avbrutte")]
    assert [(c[0], c[1]) for t in cancelled for c in t["customdata"]] == [
        ("Departementenes sikkerhets- og serviceorganisasjon", "1 pilot, avbrutt")]
    assert table(at, "agencies")["Virksomhet"].tolist() == agencies


def bar_agencies(at) -> list[str]:
    """The agencies of the collapsed view's bars, top to bottom, one each."""
    bars = [t for t in figure(at)["data"] if t["type"] == "bar"]
    return [c[0] for _, c in sorted((y, c) for t in bars for y, c in zip(t["y"], t["customdata"]))]


def test_the_collapsed_views_status_column_holds_its_longest_text(monkeypatch, sample_db):
    # sized by its first rows, «1 planlagt, 1 gjennomført» was cut to «1 planlagt, 1 gjennomfør…» at 1 280 px
    at = open_page(monkeypatch, sample_db)
    at.button_group(key="tidslinje_visning").set_value("Per virksomhet").run()
    grid = next(d for d in at.dataframe if TABLES["agencies"] in d.value.columns)
    longest = grid.value["Status"].str.len().max()
    assert "gjennomført" in " ".join(grid.value["Status"]) and longest >= 20
    assert json.loads(grid.proto.columns)["Status"]["width"] >= 7 * longest


def test_the_collapsed_view_draws_a_page_of_agencies_at_a_time_and_the_table_all(monkeypatch, sample_db):
    agencies = [a for (a,) in rows(sample_db, "SELECT DISTINCT agency FROM pilots_current ORDER BY agency")]
    assert len(agencies) >= 3, "the sample needs agencies for more than one page of two"
    monkeypatch.setattr(timeline_module, "AGENCIES_PER_PAGE", 2)
    pages = -(-len(agencies) // 2)
    at = open_page(monkeypatch, sample_db)
    at.button_group(key="tidslinje_visning").set_value("Per virksomhet").run()
    assert bar_agencies(at) == agencies[:2]
    assert any(f"Side 1 av {pages} (virksomheter 1–2 av {len(agencies)}" in c.value for c in at.caption)
    at.number_input(key="tidslinje_side_virksomheter").set_value(pages).run()
    assert bar_agencies(at) == agencies[2 * (pages - 1):]
    assert table(at, "agencies")["Virksomhet"].tolist() == agencies


def test_the_ministry_view_draws_one_bar_per_ministry_with_its_agencies(monkeypatch, sample_db):
    at = open_page(monkeypatch, sample_db)
    assert "Per departement" in at.button_group(key="tidslinje_visning").options  # the sample spans two ministries
    at.button_group(key="tidslinje_visning").set_value("Per departement").run()
    expected = rows(sample_db, "SELECT m.name, count(DISTINCT p.agency), count(*) FROM pilots_current p "
                               "JOIN agencies a ON a.name = p.agency JOIN ministries m ON m.short_name = a.ministry "
                               "GROUP BY m.name ORDER BY m.name")
    assert len(expected) == 2
    bars = [t for t in figure(at)["data"] if t["type"] == "bar"]
    assert [c[0] for c in bars[0]["customdata"]] == [name for name, _, _ in expected]
    shown = next(d.value for d in at.dataframe if "Departement" in d.value.columns)
    assert list(zip(shown["Departement"], shown["Virksomheter"], shown["Piloter"])) == expected


def test_more_agencies_than_a_page_open_per_ministry_and_one_ministry_offers_no_such_view(monkeypatch, sample_db):
    monkeypatch.setattr(timeline_module, "COLLAPSE_ABOVE", 5)  # the sample as «many»: 18 pilots in 9 agencies
    monkeypatch.setattr(timeline_module, "AGENCIES_PER_PAGE", 4)
    at = open_page(monkeypatch, sample_db)
    assert at.button_group(key="tidslinje_visning").value == "Per departement"
    at = open_page(monkeypatch, sample_db, query={"departement": ["KDD"]})
    assert "Per departement" not in at.button_group(key="tidslinje_visning").options
    assert at.button_group(key="tidslinje_visning").value == "Per virksomhet"


def many_pilots_store(path: Path, reference, n: int) -> Path:
    """A store where two agencies report n pilots between them (with a phase each), inserted directly."""
    with database.open_store(path) as con:
        database.sync_reference(con, reference)
        for number, agency in enumerate(("Husbanken", "Kartverket")):
            pilots, milestones = [], []
            for i in range(number, n, 2):
                start = dt.date(2024, 1, 1) + dt.timedelta(days=7 * (n - i))  # later rows start earlier
                pilot = {"pilot_name": f"Pilot {i}", "status": PILOT_STATUSES[i % 4], "problem": "Et problem",
                         "goals": "Et mål", "needs_exemption": False, "start_date": start,
                         "end_date": start + dt.timedelta(days=200), "budget_total_nok": 100_000.0,
                         "within_budget_frame": "Ja"}
                pilots.append({**pilot, "elements": covered_elements(pilot)})
                milestones.append({"pilot_name": pilot["pilot_name"], "name": "Fase 1", "kind": "Fase",
                                   "from_date": start, "to_date": start + dt.timedelta(days=30), "status": "Pågår"})
            now = dt.datetime(2023, 10, 1, 12)
            writer = database.BatchWriter(con)
            file_id = writer.add_file(f"{agency}.xlsx", f"sha-{agency}", b"-", "xlsx", "workbook", list, now)
            writer.add_version(agency=agency, start_year=2024, file_id=file_id,
                               replaced_tables="Piloter, Milepæler", imported_at=now,
                               fields={"submitted_on": dt.date(2023, 10, 1), "has_plans": True},
                               tables={"pilots": pilots, "milestones": milestones, "budget": []})
            writer.flush()
    return path


@pytest.fixture
def many_db(tmp_path, reference) -> Path:
    """A store with 60 pilots: more than the page draws one by one."""
    return many_pilots_store(tmp_path / "many.duckdb", reference, 60)


def test_many_pilots_open_collapsed_with_one_bar_per_agency(monkeypatch, many_db):
    at = open_page(monkeypatch, many_db)
    assert at.button_group(key="tidslinje_visning").value == "Per virksomhet"
    (agencies,) = rows(many_db, "SELECT count(DISTINCT agency) FROM pilots_current")[0]
    bars = [t for t in figure(at)["data"] if t["type"] == "bar"]
    assert sum(len(t["y"]) for t in bars) == agencies
    (count,) = rows(many_db, "SELECT count(*) FROM pilots_current")[0]
    assert len(table(at, "pilots")) == count


def test_per_pilot_view_of_many_pilots_is_drawn_25_at_a_time(monkeypatch, many_db):
    at = open_page(monkeypatch, many_db)
    at.button_group(key="tidslinje_visning").set_value("Per pilot").run()
    (count,) = rows(many_db, "SELECT count(*) FROM pilots_current")[0]
    pages = -(-count // 25)
    assert pilot_bars(figure(at)) == 25
    assert any(f"Side 1 av {pages}" in c.value and "Tabellen under har alle" in c.value for c in at.caption)
    # the first page holds the first 25 pilots in timeline order: by agency, then start
    drawn = sorted((c[0], c[3][6:] + c[3][3:5] + c[3][:2], c[1]) for t in figure(at)["data"]
                   if t["type"] == "bar" and t.get("name") in PILOT_STATUSES for c in t["customdata"])
    ordered = rows(many_db, "SELECT agency, strftime(start_date, '%Y%m%d'), pilot_name FROM pilots_current "
                            "ORDER BY agency, start_date, end_date, pilot_name LIMIT 25")
    assert drawn == sorted(ordered)
    at.number_input(key="tidslinje_side").set_value(pages).run()
    assert pilot_bars(figure(at)) == count - 25 * (pages - 1)
    assert any(f"Side {pages} av {pages}" in c.value for c in at.caption)
    # typed beyond the last page (or below the first): the nearest page, not an error
    at.number_input(key="tidslinje_side").set_value(pages + 5).run()
    assert at.number_input(key="tidslinje_side").value == pages
    assert any(f"Side {pages} av {pages}" in c.value for c in at.caption)
    at.number_input(key="tidslinje_side").set_value(0).run()
    assert at.number_input(key="tidslinje_side").value == 1 and pilot_bars(figure(at)) == 25
    assert at.button_group(key="tidslinje_visning").value == "Per pilot"


def test_thousands_of_pilots_are_counted_with_norwegian_grouping(monkeypatch, tmp_path, reference):
    db = many_pilots_store(tmp_path / "thousands.duckdb", reference, 1200)
    at = open_page(monkeypatch, db)
    (count,) = rows(db, "SELECT count(*) FROM pilots_current")[0]
    grouped = fmt.number(count)
    assert count >= 1000 and "\u00a0" in grouped
    assert any(c.value.startswith(f"{grouped} piloter – ") for c in at.caption)
    assert any(f"Viser de første 1\u00a0000 av {grouped} piloter" in c.value for c in at.caption)
    at.button_group(key="tidslinje_visning").set_value("Per pilot").run()
    pages = -(-count // 25)
    page_caption = next(c.value for c in at.caption if c.value.startswith(f"Side 1 av {pages} (piloter 1–25 av "
                                                                           f"{grouped},"))
    assert "Tabellen under har alle" not in page_caption, "the table shows only the first 1 000"


def test_the_chosen_view_is_kept_across_pages_and_a_second_click_on_it(monkeypatch, many_db):
    at = open_page(monkeypatch, many_db)
    at.button_group(key="tidslinje_visning").set_value("Per pilot").run()
    at.switch_page("pages/2_budsjett.py").run()
    at.switch_page(PAGE).run()
    assert at.button_group(key="tidslinje_visning").value == "Per pilot"
    assert pilot_bars(figure(at)) == 25
    at.button_group(key="tidslinje_visning").set_value(None).run()  # the shown view clicked again
    assert at.button_group(key="tidslinje_visning").value == "Per pilot"
    assert pilot_bars(figure(at)) == 25


def test_one_agency_with_many_pilots_opens_per_pilot(monkeypatch, tmp_path, reference):
    db = many_pilots_store(tmp_path / "one.duckdb", reference, 100)
    (count,) = rows(db, "SELECT count(*) FROM pilots_current WHERE agency = 'Husbanken'")[0]
    assert count > 40
    at = open_page(monkeypatch, db, query={"virksomhet": ["Husbanken"]})
    assert at.button_group(key="tidslinje_visning").value == "Per pilot"
    assert pilot_bars(figure(at)) == 25


def test_a_filter_that_leaves_no_pilots_says_so_instead_of_drawing(monkeypatch, sample_db):
    agency = agency_without_pilots(sample_db)
    at = open_page(monkeypatch, sample_db)
    at.multiselect(key="virksomhet").set_value([agency]).run()
    assert not at.exception
    assert any("Ingen piloter passer filteret" in i.value and agency in i.value for i in at.info)
    assert not at.get("plotly_chart")
