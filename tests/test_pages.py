"""AppTest: Oversikt, Virksomheter, Budsjett and Importer on the sample and on an empty store.

Figures are checked against SQL on the same DuckDB file, never against numbers written here.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import io
import json
import re
import subprocess
import sys
from html import escape, unescape
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from loaders.importer import import_files, import_into_store
from loaders.values import norwegian_today
from store import database, queries
from store.queries import PilotFilter
from tests.apptest_support import NEW_ROUND, ROOT, add_round, open_app, rows
from tests.form_files import (
    budget_line,
    csv_bytes,
    csv_pilot,
    milestone,
    no_plans_submission,
    valid_pilot,
    valid_submission,
    workbook,
)
from tests.test_page_tidslinje import many_pilots_store
from ui import formatting as fmt
from ui import overview as overview_module

PAGES = ["dashboard.py", "pages/1_virksomheter.py", "pages/2_budsjett.py", "pages/3_tidslinje.py",
         "pages/4_planer.py", "pages/5_importer.py"]


def sql(db: Path, query: str, params: list | None = None):
    """One value from the store."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(query, params or []).fetchone()[0]


def html_chart(at: AppTest, words: str) -> str:
    """The HTML of the st.html chart whose screen-reader text contains these words."""
    return next(h.proto.body for h in at.get("html") if 'role="img"' in h.proto.body and words in h.proto.body)


def millions(amount: float) -> str:
    """An amount as the metrics show it under a «mill. kr» label: 28,3."""
    return fmt.millions(amount)


def html_tables(at: AppTest) -> list[tuple[str, pd.DataFrame]]:
    """The HTML tables on the page (ui/html_blocks.table), each with its block's HTML and as a DataFrame."""
    return [(h.proto.body, df) for h in at.get("html") if "<table" in h.proto.body
            for df in pd.read_html(io.StringIO(h.proto.body))]


def table(at: AppTest, *columns: str) -> pd.DataFrame:
    """The first table on the page that has these columns, as a DataFrame (grid, st.table or HTML)."""
    frames = [d.value for d in [*at.dataframe, *at.table]] + [df for _, df in html_tables(at)]
    return next(df for df in frames if set(columns) <= set(df.columns))


def metric(at: AppTest, label: str) -> str:
    """The shown value of the key figure with this label: an st.metric, or a card of a page's HTML (the overview)."""
    shown = [m.value for m in at.metric if m.label == label]
    card = re.compile(f'<div class="po-figure" role="group" aria-label="{re.escape(escape(label))}">'
                      r'.*?<div class="po-figure-value">(.*?)</div>')
    shown += [unescape(re.sub(r"<[^>]+>", "", found[1]))  # as read: «12 av 23», its «av 23» in smaller type
              for h in at.get("html") for found in card.finditer(h.proto.body)]
    assert len(shown) == 1, f"{len(shown)} key figures labelled «{label}»"
    return shown[0]


def _drawn(at: AppTest) -> dict[str, int]:
    """How many of each kind of content the page drew, beyond its title."""
    return {"tables": sum(not d.value.empty for d in at.dataframe), "charts": len(at.get("plotly_chart")),
            "cards": sum(h.proto.body.count('class="po-figure"') for h in at.get("html")),
            "uploaders": len(at.get("file_uploader"))}


# what each page shows of the sample beyond its title: a page whose query fails draws its title and an error only
MAIN_CONTENT = {"dashboard.py": {"cards"}, "pages/1_virksomheter.py": {"tables"},
                "pages/2_budsjett.py": {"tables", "charts"}, "pages/3_tidslinje.py": {"tables", "charts"},
                "pages/4_planer.py": {"tables", "charts"}, "pages/5_importer.py": {"tables", "uploaders"}}


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_the_sample_without_an_error(monkeypatch, sample_db, page):
    at = open_app(monkeypatch, sample_db, page)
    assert at.title[0].value
    assert not at.error, [e.value for e in at.error]
    drawn = _drawn(at)
    assert all(drawn[kind] for kind in MAIN_CONTENT[page]), drawn


@pytest.mark.parametrize("page", PAGES[:-1])
def test_every_data_page_on_an_empty_store_says_what_to_do(monkeypatch, store_path, page):
    at = open_app(monkeypatch, store_path, page)
    assert any("Importer" in i.value and "eksempeldata" in i.value for i in at.info)
    assert not at.get("plotly_chart")
    assert menu(at) == MENU  # the way to Importer, and to the other pages, is still there


def test_a_store_file_that_does_not_exist_yet_gives_guidance_not_a_crash(monkeypatch, tmp_path):
    at = open_app(monkeypatch, tmp_path / "finnes_ikke.duckdb")
    assert any("finnes ikke ennå" in i.value for i in at.info)
    assert menu(at) == MENU


MENU = ["Oversikt", "Virksomheter", "Budsjett", "Tidslinje", "Planer", "Importer"]


def menu(at: AppTest) -> list[str]:
    """The labels of the sidebar's page links."""
    return [link.proto.label for link in at.sidebar.get("page_link")]


def test_overview_counts_pilots_under_way_or_completed_against_the_ambition(monkeypatch, sample_db):
    at = open_app(monkeypatch, sample_db)
    expected = sql(sample_db, "SELECT count(*) FROM pilots_current WHERE status IN ('Pågår', 'Gjennomført')")
    assert metric(at, "I gang / gjennomført") == str(expected)
    low, high = sql(sample_db, "SELECT ambition_min FROM settings"), sql(sample_db, "SELECT ambition_max FROM settings")
    planned = sql(sample_db, "SELECT count(*) FROM pilots_current WHERE status = 'Planlagt'")
    ambition = html_chart(at, "ambisjonen")
    assert (f'aria-label="{expected} piloter i gang eller gjennomført og {planned} planlagt, '
            f'mot ambisjonen {low}–{high} piloter"') in ambition
    assert f"Ambisjon: {low}–{high}" in ambition


def test_the_ambition_heading_says_when_its_count_is_the_filters_part_of_the_sector(monkeypatch, sample_db):
    heading = re.compile(r"Ambisjonen: [^<]*")
    sector = open_app(monkeypatch, sample_db)
    [whole] = [m for h in sector.get("html") for m in heading.findall(h.proto.body)]
    assert "utvalget" not in whole
    assert re.search(r"gjennomført – (\d+ under|innenfor|\d+ over) ambisjonen$", whole), whole
    filtered = open_app(monkeypatch, sample_db, query={"virksomhet": ["Husbanken"]})
    [part] = [m for h in filtered.get("html") for m in heading.findall(h.proto.body)]
    # one agency is no «2 under ambisjonen»: the ambition is the sector's, so the heading gives it without a verdict
    low, high = sql(sample_db, "SELECT ambition_min FROM settings"), sql(sample_db, "SELECT ambition_max FROM settings")
    assert part.endswith(f"gjennomført i utvalget – sektorens ambisjon er {low}–{high}"), part
    assert "under ambisjonen" not in part and "over ambisjonen" not in part


MOVED = "virksomhetene som gikk over fra KDD til DFD 01.01.2024"


@pytest.mark.parametrize(("ministries", "words"), [
    ([], f"Tallene tar med {MOVED}; velg departement i filteret for å avgrense."),
    (["DFD"], f"Tallene tar med {MOVED} (filteret gjelder departementet i dag)."),
    (["KDD"], f"Tallene tar ikke med {MOVED}; velg også DFD for å ta dem med."),
])
def test_the_overview_says_whether_its_figures_hold_the_agencies_moved_to_dfd(monkeypatch, sample_db, ministries,
                                                                              words):
    # With KDD chosen the caption said the figures held the agencies moved to DFD, while they left them out
    at = open_app(monkeypatch, sample_db, query={"departement": ministries} if ministries else None)
    assert any(c.value.endswith(words) for c in at.caption), [c.value for c in at.caption]


def test_the_overview_says_how_many_requests_have_no_letter_in_the_register(monkeypatch, sample_db, tmp_path,
                                                                           reference):
    # 20 of the sample's 23 requests are rows «Brev ikke registrert – kontroller»: «Ikke levert» and the follow-up
    # rested on them as on the two documented letters, with no word of it
    without = sql(sample_db, "SELECT count(*) FROM requests "
                             "WHERE letter_date IS NULL AND coalesce(letter_ref, '') = ''")
    asked = sql(sample_db, "SELECT count(*) FROM (SELECT DISTINCT start_year, agency FROM requests)")
    assert 0 < without < asked
    body = "".join(h.proto.body for h in open_app(monkeypatch, sample_db).get("html"))
    # in the reader's words: a file's path («(data/requests.csv)») is for whoever keeps the register (README)
    assert (f"{without} av {asked} forespørsler har ikke dato eller referanse til brevet i registeret over "
            "forespørsler. Kontroller at virksomhetene ble bedt om å rapportere") in body
    # with every letter registered, nothing to say
    documented = dataclasses.replace(reference, requests=[
        dataclasses.replace(r, letter_ref=r.letter_ref or "23/183-15") for r in reference.requests])
    path = tmp_path / "documented.duckdb"
    import_into(path, documented, ("hb.xlsx", workbook(valid_submission(), [valid_pilot()])))
    body = "".join(h.proto.body for h in open_app(monkeypatch, path).get("html"))
    assert "referanse til brevet" not in body and "Rapportering per runde" in body


def test_the_forsok_figure_says_how_many_cancelled_forsok_it_counts(monkeypatch, store_path, reference):
    # «Forsøk 218» counted 21 cancelled ones while «I gang» and «Planlagt» leave the cancelled out, unsaid
    pilots = [valid_pilot(pilot_name="Går", status="Pågår", needs_exemption="Ja", exemption_rules="§ 5"),
              valid_pilot(pilot_name="Stoppet", status="Avbrutt", needs_exemption="Ja", exemption_rules="§ 6")]
    import_into(store_path, reference, ("hb.xlsx", workbook(valid_submission(), pilots)))
    at = open_app(monkeypatch, store_path)
    assert metric(at, "Forsøk") == "2"
    body = "".join(h.proto.body for h in at.get("html"))
    assert ('aria-label="Forklaring: Piloter som trenger unntak fra lov eller forskrift. Tallet tar med 1 avbrutt '
            'forsøk."') in body


def test_the_overview_says_how_new_the_newest_report_is_beside_the_day_of_the_last_import(monkeypatch, sample_db):
    # «Data per 1. desember 2026 (siste import)» read in a meeting as how current plans sent in 2023 were
    newest = sql(sample_db, "SELECT max(submitted_on) FROM submissions_current")
    at = open_app(monkeypatch, sample_db)
    caption = at.caption[0].value
    assert f"(siste import; nyeste innsending i utvalget datert {fmt.date(newest)})" in caption, caption
    # of the agencies chosen, not of the whole store, as the caption says what it shows
    husbanken = sql(sample_db, "SELECT max(submitted_on) FROM submissions_current WHERE agency = 'Husbanken'")
    assert husbanken != newest
    caption = open_app(monkeypatch, sample_db, query={"virksomhet": "Husbanken"}).caption[0].value
    assert f"nyeste innsending i utvalget datert {fmt.date(husbanken)})" in caption, caption


@pytest.mark.parametrize("page", ["pages/1_virksomheter.py", "pages/2_budsjett.py", "pages/3_tidslinje.py",
                                  "pages/4_planer.py"])
def test_every_page_says_that_kdd_alone_leaves_out_the_agencies_moved_to_dfd(monkeypatch, sample_db, page):
    # Only Oversikt said so: Budsjett for KDD showed less than the sector had reported to KDD in 2023, unexplained
    at = open_app(monkeypatch, sample_db, page, {"departement": "KDD"})
    assert any(f"Tallene tar ikke med {MOVED}" in c.value for c in at.caption), [c.value for c in at.caption]
    whole = open_app(monkeypatch, sample_db, page)
    assert not any("gikk over" in c.value for c in whole.caption), [c.value for c in whole.caption]


@pytest.mark.parametrize("page", ["pages/2_budsjett.py", "pages/3_tidslinje.py"])
def test_a_filter_that_no_pilot_passes_is_said_in_the_same_words_on_every_chart_page(monkeypatch, sample_db, page):
    # Budsjett said «Ingen piloter i filteret.», Tidslinje «Ingen piloter passer filteret (…)»
    at = open_app(monkeypatch, sample_db, page, {"aar": "2023", "forsok": "ja"})
    assert sql(sample_db, "SELECT count(*) FROM pilots_current WHERE start_year = 2023 AND needs_exemption") == 0
    said = [i.value for i in at.info]
    assert len(said) == 1 and said[0].startswith("Ingen piloter passer filteret ("), said


def test_the_ministry_note_speaks_of_one_agency_as_one_and_advises_once():
    register = pd.DataFrame({"name": ["Statsbygg", "Nkom", "Husbanken"], "ministry": ["DFD", "NFD", "KDD"],
                             "previous_ministry": ["KDD", "SD", None],
                             "ministry_changed_on": [dt.date(2024, 1, 1), dt.date(2020, 1, 1), None]})
    kdd = queries.ministry_moves_note(PilotFilter(ministries=("KDD",)), register)
    assert kdd == ("Tallene tar ikke med virksomheten som gikk over fra KDD til DFD 01.01.2024; velg også DFD for å "
                   "ta den med.")
    whole = queries.ministry_moves_note(PilotFilter(), register, whole_sector=True)
    assert whole == ("Tallene tar med virksomheten som gikk over fra KDD til DFD 01.01.2024. Tallene tar med "
                     "virksomheten som gikk over fra SD til NFD 01.01.2020; velg departement i filteret for å "
                     "avgrense.")


def test_an_agency_chosen_with_a_ministry_it_is_not_under_is_said_to_be_left_out(monkeypatch, sample_db):
    # «?virksomhet=Statsbygg&departement=kdd» showed nothing for Statsbygg, without a word
    at = open_app(monkeypatch, sample_db, "pages/2_budsjett.py",
                  {"virksomhet": ["Statsbygg", "Husbanken"], "departement": "kdd"})
    words = "Statsbygg gikk over fra KDD til DFD 01.01.2024 og er ikke med (filteret gjelder departementet i dag)."
    assert any(words in c.value for c in at.caption), [c.value for c in at.caption]
    assert not any("Husbanken gikk over" in c.value or "Husbanken hører under" in c.value for c in at.caption)
    for page in ("pages/3_tidslinje.py", "pages/4_planer.py"):  # Statsbygg alone: the page stops with a notice
        alone = open_app(monkeypatch, sample_db, page, {"virksomhet": "Statsbygg", "departement": "KDD"})
        assert any(words in i.value for i in alone.info), (page, [i.value for i in alone.info])
    register = pd.DataFrame({"name": ["Husbanken"], "ministry": ["KDD"], "previous_ministry": [None],
                             "ministry_changed_on": [None]})
    assert queries.ministry_moves_note(PilotFilter(agencies=("Husbanken",), ministries=("DFD",)), register) == (
        "Husbanken hører under KDD og er ikke med i departement DFD.")
    nameless = pd.DataFrame({"name": ["Nybyrå"], "ministry": [""], "previous_ministry": [None],
                             "ministry_changed_on": [None]})
    assert queries.ministry_moves_note(PilotFilter(agencies=("Nybyrå",), ministries=("KDD",)), nameless) == (
        "Nybyrå har ikke noe departement i registeret og er ikke med i departement KDD.")


def test_the_overview_of_chosen_agencies_says_nothing_of_agencies_moved_between_ministries(monkeypatch, sample_db):
    # «?virksomhet=Husbanken» read «Tallene tar med virksomhetene som gikk over til DFD»: Husbanken's figures do not
    at = open_app(monkeypatch, sample_db, query={"virksomhet": "Husbanken"})
    assert not any("gikk over" in c.value for c in at.caption), [c.value for c in at.caption]


def test_overview_says_how_many_statuses_look_out_of_date_by_today(monkeypatch, sample_db):
    # the ambition's count rests on the statuses reported; a «Planlagt» pilot past its start may be under way
    today = norwegian_today()
    late_start = sql(sample_db, f"SELECT count(*) FROM pilots_current WHERE status = 'Planlagt' "
                                f"AND start_date < DATE '{today}'")
    past_end = sql(sample_db, f"SELECT count(*) FROM pilots_current WHERE status = 'Pågår' "
                              f"AND end_date < DATE '{today}'")
    assert late_start and past_end  # the sample's plans are from 2023–2024
    ambition = html_chart(open_app(monkeypatch, sample_db), "ambisjonen")
    assert (f"Statusen kan være utdatert for {late_start + past_end} piloter: {late_start} står som Planlagt med "
            f"startdato før i dag og {past_end} står som Pågår med sluttdato før i dag") in ambition


def test_overview_reporting_bars_and_follow_up_list_agree_with_the_store(monkeypatch, sample_db):
    at = open_app(monkeypatch, sample_db)
    for year in (2023, 2024):
        counts = {state: sql(sample_db, "SELECT count(*) FROM reporting_status WHERE start_year = ? AND "
                                        "was_asked AND reporting_state = ?",
                             [year, state]) for state in ("I tide", "For sent", "Ikke levert")}
        said = ", ".join(f"{n} {state.lower()}" for state, n in counts.items())
        assert f"Oppstart {year}: {said}" in html_chart(at, "Oppstart")
    missing = sql(sample_db, "SELECT count(*) FROM reporting_status WHERE was_asked AND reporting_state <> 'I tide'")
    agencies = sql(sample_db, "SELECT count(DISTINCT agency) FROM reporting_status WHERE was_asked "
                              "AND reporting_state <> 'I tide'")
    # reports (an agency and a round) and agencies, as Virksomheter's «Bare til oppfølging» counts agencies
    assert any(f"Til oppfølging: {missing} rapporter ikke levert eller levert for sent, fra {agencies} virksomheter"
               in body for body, _ in html_tables(at))
    listed = table(at, "Virksomhet", "Runde", "Status", "Innsendt")
    not_delivered = rows(sample_db, "SELECT agency, start_year FROM reporting_status WHERE was_asked AND "
                                    "reporting_state = 'Ikke levert' ORDER BY start_year DESC, agency")
    # the newest round first: it is the one being chased, and oldest first cut the 2024 reports off the list
    assert (listed["Virksomhet"].iloc[0], int(listed["Runde"].iloc[0])) == not_delivered[0]
    newest = max(year for _, year in not_delivered)
    newest_listed = set(listed.loc[listed["Runde"].astype(int) == newest, "Virksomhet"])
    assert {a for a, y in not_delivered if y == newest} <= newest_listed
    # a list a little longer than ten is shown whole: «De andre – 2 ikke levert» sent a leader to another page
    assert 10 < missing <= 10 + overview_module.FEW_MORE
    assert len(listed) == missing and not any("Viser " in h.proto.body for h in at.get("html"))
    # a longer one is cut, and the late ones are not pushed off the list by the missing ones
    monkeypatch.setattr(overview_module, "FOLLOW_UP_ROWS", 7)
    st.cache_resource.clear()  # the overview is built once per store and filter
    listed = table(at.run(), "Virksomhet", "Runde", "Status", "Innsendt")
    assert len(listed) == 7
    late = rows(sample_db, "SELECT agency FROM reporting_status WHERE was_asked AND reporting_state = 'For sent'")
    assert 0 < len(late) <= 3
    assert {r[0] for r in late} <= set(listed.loc[listed["Status"] == "For sent", "Virksomhet"])
    # the note says which rounds the ones left off belong to
    left_off = not_delivered[7 - len(late):]
    rounds = " og ".join(str(y) for y in sorted({y for _, y in left_off}))
    assert any(f"Viser 7 av {missing}. De andre – {len(left_off)} ikke levert (oppstart {rounds}) – står på "
               "Virksomheter" in h.proto.body for h in at.get("html"))


def test_a_report_nobody_asked_for_is_counted_apart_from_those_asked(monkeypatch, sample_db, tmp_path, reference):
    # the states of a round add up to the agencies asked, as the key figure and the deck count them
    store = tmp_path / "uten-forespørsel.duckdb"
    store.write_bytes(sample_db.read_bytes())
    asked_2023 = {r.agency for r in reference.requests if r.start_year == 2023}
    agency = sorted(a.name for a in reference.agencies if a.name not in asked_2023)[0]
    import_into(store, reference, ("uten.xlsx", workbook(valid_submission(agency=agency, start_year=2023))))
    at = open_app(monkeypatch, store, query={"aar": "2023"})
    asked = sql(store, "SELECT count(*) FROM reporting_status WHERE start_year = 2023 AND was_asked")
    delivered = sql(store, "SELECT count(*) FROM reporting_status WHERE start_year = 2023 AND was_asked "
                           "AND submitted_on IS NOT NULL")
    assert metric(at, "Innsendinger") == f"{delivered} av {asked}"
    rounds = table(at, "Runde", "I alt")
    assert rounds["I alt"].tolist() == [asked]
    assert rounds["Uten forespørsel"].tolist() == [1]
    assert f"{asked} i alt" in html_chart(at, "Oppstart")


def test_budsjett_per_pilot_says_innenfor_rammer_as_its_cards_do(monkeypatch, sample_db):
    # sized to «Ja» and «Delvis», «Innenfor gjeldende rammer» was cut to «Innenfor gjel…»
    at = open_app(monkeypatch, sample_db, "pages/2_budsjett.py")
    grid = next(d for d in at.dataframe if "Årsverk" in d.value.columns)
    config = json.loads(grid.proto.columns)["Innenfor gjeldende rammer"]
    assert (config["label"], config["help"]) == ("Innenfor rammer", "Planens svar på «Innenfor gjeldende rammer»")
    assert metric(at, "Innenfor rammer, mill. kr")  # the card's word


def test_overview_total_budget_is_the_sum_of_the_plans_totals(monkeypatch, sample_db):
    at = open_app(monkeypatch, sample_db)
    total = sql(sample_db, "SELECT sum(budget_total_nok) FROM pilots_current")
    assert metric(at, "Budsjett, mill. kr") == millions(total)


def test_overview_counts_submissions_of_the_agencies_that_were_asked(monkeypatch, sample_db):
    at = open_app(monkeypatch, sample_db)
    asked = sql(sample_db, "SELECT count(*) FROM reporting_status WHERE was_asked")
    delivered = sql(sample_db, "SELECT count(*) FROM reporting_status WHERE was_asked AND submitted_on IS NOT NULL")
    assert metric(at, "Innsendinger") == f"{delivered} av {asked}"


def test_the_agency_filter_driven_by_its_key_narrows_every_figure(monkeypatch, sample_db):
    at = open_app(monkeypatch, sample_db)
    agency = sql(sample_db, "SELECT agency FROM pilots_current GROUP BY agency ORDER BY count(*) DESC LIMIT 1")
    at.multiselect(key="virksomhet").set_value([agency]).run()
    total = sql(sample_db, "SELECT sum(budget_total_nok) FROM pilots_current WHERE agency = ?", [agency])
    under_way = sql(sample_db, "SELECT count(*) FROM pilots_current WHERE agency = ? AND list_contains("
                               "(SELECT counting_statuses FROM settings), status)", [agency])
    planned = sql(sample_db, "SELECT count(*) FROM pilots_current WHERE agency = ? AND status = 'Planlagt'", [agency])
    forsok = sql(sample_db, "SELECT count(*) FROM pilots_current WHERE agency = ? AND needs_exemption", [agency])
    asked = sql(sample_db, "SELECT count(*) FROM reporting_status WHERE was_asked AND agency = ?", [agency])
    delivered = sql(sample_db, "SELECT count(*) FROM reporting_status WHERE was_asked AND agency = ? "
                               "AND submitted_on IS NOT NULL", [agency])
    assert metric(at, "Budsjett, mill. kr") == millions(total)
    assert [metric(at, "I gang / gjennomført"), metric(at, "Planlagt"), metric(at, "Forsøk")] == [
        str(under_way), str(planned), str(forsok)]
    assert metric(at, "Innsendinger") == f"{delivered} av {asked}"
    assert agency in at.caption[0].value


def test_a_link_with_agencies_and_a_year_opens_the_filtered_view(monkeypatch, sample_db):
    at = open_app(monkeypatch, sample_db, query={"virksomhet": ["Husbanken", "Kartverket"], "aar": "2024"})
    assert at.multiselect(key="virksomhet").value == ["Husbanken", "Kartverket"]
    assert at.selectbox(key="aar").value == 2024
    total = sql(sample_db, "SELECT sum(budget_total_nok) FROM pilots_current "
                           "WHERE agency IN ('Husbanken', 'Kartverket') AND start_year = 2024")
    assert metric(at, "Budsjett, mill. kr") == millions(total)


def test_the_reporting_note_and_key_dates_name_the_deadline_of_the_year_filtered_on_alone(monkeypatch, sample_db):
    # Under «Oppstartsår 2024» the note under the reporting bars and «Viktige datoer» named 2023's deadline too
    with duckdb.connect(str(sample_db), read_only=True) as con:
        deadlines = dict(con.execute("SELECT start_year, deadline FROM rounds ORDER BY start_year").fetchall())
    assert len(deadlines) > 1
    whole = "".join(h.proto.body for h in open_app(monkeypatch, sample_db).get("html"))
    one = "".join(h.proto.body for h in open_app(monkeypatch, sample_db, query={"aar": "2024"}).get("html"))
    for year, deadline in deadlines.items():
        words = f"Oppstart {year}: frist {deadline:%d.%m.%Y}"
        assert words in whole
        assert (words in one) == (year == 2024), words
        # and «Viktige datoer» beside them lists that round's deadline alone
        listed = f"Frist for rapportering, oppstart {year}"
        assert listed in whole
        assert (listed in one) == (year == 2024), listed


def test_a_deep_link_to_a_page_keeps_the_filter_from_the_link(monkeypatch, sample_db):
    monkeypatch.setenv("PILOT_DB", str(sample_db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["virksomhet"] = ["Husbanken"]
    at.switch_page("pages/2_budsjett.py")
    at.run()
    assert not at.exception
    total = sql(sample_db, "SELECT sum(budget_total_nok) FROM pilots_current WHERE agency = 'Husbanken'")
    assert metric(at, "Budsjett, mill. kr") == millions(total)


def test_an_unknown_agency_in_the_link_is_named_not_a_crash(monkeypatch, sample_db):
    at = open_app(monkeypatch, sample_db, query={"virksomhet": ["Husbanken", "Finnesikkedirektoratet"]})
    assert any("Finnesikkedirektoratet" in w.value for w in at.sidebar.warning)
    assert at.multiselect(key="virksomhet").value == ["Husbanken"]


def test_an_agency_name_in_the_link_in_other_letter_case_is_chosen(monkeypatch, sample_db):
    at = open_app(monkeypatch, sample_db, query={"virksomhet": ["husbanken", "KARTVERKET"]})
    assert at.multiselect(key="virksomhet").value == ["Husbanken", "Kartverket"]
    assert not at.sidebar.warning


def test_an_abbreviation_or_alias_in_the_link_chooses_the_agency_it_means(monkeypatch, sample_db):
    # «?virksomhet=KV» was named as unknown («Mente du Kartverket?») and the page showed the whole sector
    at = open_app(monkeypatch, sample_db, query={"virksomhet": ["kv", "Den norske stats husbank"]})
    assert at.multiselect(key="virksomhet").value == ["Kartverket", "Husbanken"]
    assert not at.sidebar.warning
    total = sql(sample_db, "SELECT sum(budget_total_nok) FROM pilots_current "
                           "WHERE agency IN ('Husbanken', 'Kartverket')")
    assert metric(at, "Budsjett, mill. kr") == millions(total)


def test_a_link_names_agencies_as_the_stores_register_does(monkeypatch, sample_db):
    # Links were read against data/agencies.csv, not the register in the store the dashboard shows
    with duckdb.connect(str(sample_db)) as con:
        con.execute("UPDATE agencies SET aliases = ['Boligbanken'] WHERE name = 'Husbanken'")
    at = open_app(monkeypatch, sample_db, query={"virksomhet": ["boligbanken"]})
    assert at.multiselect(key="virksomhet").value == ["Husbanken"]
    assert not at.sidebar.warning


def test_a_misspelt_agency_in_the_link_gets_the_closest_name_as_the_importer_suggests_it(monkeypatch, sample_db):
    at = open_app(monkeypatch, sample_db, query={"virksomhet": ["Husbank"]})
    assert any("«Husbank»" in w.value and "Mente du Husbanken?" in w.value for w in at.sidebar.warning)
    assert at.multiselect(key="virksomhet").value == []  # named, not chosen for the user


def test_no_agency_already_chosen_is_suggested_for_a_misspelt_one(monkeypatch, sample_db):
    at = open_app(monkeypatch, sample_db, query={"virksomhet": ["HB", "Husbank"]})
    assert any("«Husbank»" in w.value for w in at.sidebar.warning)
    assert not any("Mente du" in w.value for w in at.sidebar.warning)
    assert not [b for b in at.button if b.key == "suggested_agency_0"]


def test_the_suggestion_for_a_misspelt_agency_is_one_click_away(monkeypatch, sample_db):
    # «Mente du Husbanken?» could not be clicked: the user had to open the filter and find Husbanken
    at = open_app(monkeypatch, sample_db, "pages/2_budsjett.py", {"virksomhet": ["Husbank", "Kartverket"]})
    at.button(key="suggested_agency_0").click().run()
    # (a choice the app makes itself is made on a new widget: ui.filters._set_filter)
    [agencies] = [box for box in at.multiselect if box.label == "Virksomheter"]
    assert agencies.value == ["Kartverket", "Husbanken"]
    assert not at.sidebar.warning
    assert at.query_params["virksomhet"] == ["Kartverket", "Husbanken"]


def test_a_link_with_two_years_says_which_one_the_filter_shows(monkeypatch, sample_db):
    # «?aar=2023&aar=2024» showed 2024 alone, with nothing said of 2023
    at = open_app(monkeypatch, sample_db, "pages/2_budsjett.py", {"aar": ["2023", "2024"]})
    assert at.selectbox(key="aar").value == 2024
    assert [w.value for w in at.sidebar.warning] == [
        "Lenken har flere oppstartsår (2023, 2024); filteret viser én runde om gangen og tar 2024."]


def test_a_year_ministry_status_or_forsok_the_filter_cannot_use_is_named_not_dropped(monkeypatch, sample_db):
    # «?aar=2031» showed the whole sector under «Viser hele sektoren», as if the link had asked for that
    at = open_app(monkeypatch, sample_db, "pages/2_budsjett.py",
                  {"aar": "2031", "departement": "XYZ", "status": "Ferdig", "forsok": "kanskje"})
    warnings = [w.value for w in at.sidebar.warning]
    rounds = ", ".join(str(y) for (y,) in rows(sample_db, "SELECT start_year FROM rounds ORDER BY 1"))
    assert f"Ukjent i lenken: oppstartsår «2031» (rundene: {rounds}). Det er ikke med i filteret." in warnings
    assert any(w.startswith("Ukjent i lenken: departement «XYZ» (kjente: ") for w in warnings)
    assert any(w.startswith("Ukjent i lenken: status «Ferdig» (kjente: Planlagt") for w in warnings)
    assert "Ukjent i lenken: forsøk «kanskje» (ja eller nei). Det er ikke med i filteret." in warnings
    at.selectbox(key="aar").set_value(2024).run()  # the user changes the filter: the link's notes no longer apply
    assert not at.sidebar.warning
    # values as people type them in a link are the filter's own
    typed = open_app(monkeypatch, sample_db, "pages/2_budsjett.py",
                     {"aar": "2024 ", "forsok": "Ja", "status": "planlagt"})
    assert not typed.sidebar.warning
    assert typed.selectbox(key="aar").value == 2024 and typed.multiselect(key="status").value == ["Planlagt"]
    assert typed.segmented_control(key="forsok").value == "ja"


def test_the_filter_keeps_its_value_when_moving_to_another_page(monkeypatch, sample_db):
    at = open_app(monkeypatch, sample_db)
    at.multiselect(key="virksomhet").set_value(["Kartverket"]).run()
    at.switch_page("pages/2_budsjett.py").run()
    assert at.multiselect(key="virksomhet").value == ["Kartverket"]


def test_budget_page_lists_the_thousand_largest_budgets_of_thousands_of_pilots(monkeypatch, tmp_path, reference):
    # all 20 000 pilots with their «Ressurser» were 5,8 MB sent to the browser on every view
    db = many_pilots_store(tmp_path / "thousands.duckdb", reference, 1200)
    at = open_app(monkeypatch, db, "pages/2_budsjett.py")
    shown = next(d.value for d in at.dataframe if "Ressurser" in d.value.columns)
    largest = [a for (a,) in rows(db, "SELECT budget_total_nok FROM pilots_current "
                                      "ORDER BY budget_total_nok DESC LIMIT 1000")]
    assert list(shown["Budsjett totalt"]) == [round(a) for a in largest]
    count = fmt.number(sql(db, "SELECT count(*) FROM pilots_current"))
    assert any(c.value.startswith(f"Viser de første 1\u00a0000 av {count} piloter (størst budsjett først). "
                                  "Sortering og søk i tabellen gjelder bare disse") for c in at.caption)


def test_budget_page_total_agrees_with_the_overview(monkeypatch, sample_db):
    overview = open_app(monkeypatch, sample_db)
    budget = open_app(monkeypatch, sample_db, "pages/2_budsjett.py")
    assert metric(budget, "Budsjett, mill. kr") == metric(overview, "Budsjett, mill. kr")


def test_budget_page_says_its_sums_hold_the_cancelled_pilots(monkeypatch, sample_db):
    # The sums count a cancelled pilot's budget while the ambition leaves it out, and nothing said so
    count, amount = rows(sample_db, "SELECT count(*), sum(budget_total_nok) FROM pilots_current "
                                    "WHERE status = 'Avbrutt'")[0]
    assert count, "the sample should have a cancelled pilot"
    at = open_app(monkeypatch, sample_db, "pages/2_budsjett.py")
    words = f"Summen tar med {fmt.plural(count, 'avbrutt pilot', 'avbrutte piloter')} ({fmt.kr(amount)})."
    assert any(c.value.endswith(words) for c in at.caption), [c.value for c in at.caption]
    running = open_app(monkeypatch, sample_db, "pages/2_budsjett.py", {"status": "Pågår"})
    assert not any("avbrutt" in c.value for c in running.caption)


def test_budget_page_splits_the_total_by_budget_frame(monkeypatch, sample_db):
    at = open_app(monkeypatch, sample_db, "pages/2_budsjett.py")
    partly = sql(sample_db, "SELECT coalesce(sum(budget_total_nok), 0) FROM pilots_current "
                            "WHERE within_budget_frame = 'Delvis'")
    assert metric(at, "Delvis innenfor, mill. kr") == millions(partly)


def test_budget_page_table_has_one_row_per_agency_with_pilots(monkeypatch, sample_db):
    at = open_app(monkeypatch, sample_db, "pages/2_budsjett.py")
    shown = table(at, "Virksomhet", "Innenfor rammer", "Totalt")
    assert len(shown) == sql(sample_db, "SELECT count(DISTINCT agency) FROM pilots_current")
    # The total orders the rows; it stands by the name, in view on a 1024 px laptop before the three parts.
    assert list(shown.columns)[:3] == ["Virksomhet", "Piloter", "Totalt"]
    years = table(at, "År", "Totalt")
    assert list(years.columns)[:2] == ["År", "Totalt"]


def test_budget_chart_draws_the_largest_agencies_and_says_what_the_rest_hold(monkeypatch, sample_db):
    from ui import charts

    monkeypatch.setattr(charts, "MAX_BARS", 3)
    at = open_app(monkeypatch, sample_db, "pages/2_budsjett.py")
    ranked = rows(sample_db, "SELECT agency, sum(budget_total_nok) AS total FROM pilots_current GROUP BY agency "
                             "ORDER BY total DESC, agency")
    assert len(ranked) > 3
    bars = next(t for t in json.loads(at.get("plotly_chart")[0].proto.spec)["data"] if t["type"] == "bar")
    assert bars["y"][::-1] == [a for a, _ in ranked[:3]]
    rest = sum(t for _, t in ranked[3:])
    assert any(f"de 3 største av {len(ranked)} virksomheter. De {len(ranked) - 3} andre har til sammen "
               f"{fmt.kr_short(rest)}" in c.value for c in at.caption)
    assert table(at, "Virksomhet", "Totalt")["Virksomhet"].tolist() == [a for a, _ in ranked]


def test_agencies_page_lists_every_agency_that_was_asked_or_reported(monkeypatch, sample_db):
    at = open_app(monkeypatch, sample_db, "pages/1_virksomheter.py")
    shown = table(at, "Virksomhet", "Innsending 2024")
    assert len(shown) == sql(sample_db, "SELECT count(DISTINCT agency) FROM reporting_status")
    # one column per round, the newest first: both rounds in one text were cut after the oldest at 1 280 px
    years = [y for (y,) in rows(sample_db, "SELECT DISTINCT start_year FROM reporting_status ORDER BY 1 DESC")]
    columns = list(shown.columns)
    assert len(years) > 1 and [c for c in columns if c.startswith("Innsending")] == [f"Innsending {y}" for y in years]
    # the figures come before the long texts, so a laptop screen shows them without scrolling sideways
    assert max(columns.index(c) for c in ("Piloter", "Budsjett")) < columns.index(f"Innsending {years[0]}")
    # each agency's round says in time or late before its date, so a cut column still shows which
    cells = shown.set_index("Virksomhet")
    reported = rows(sample_db, "SELECT agency, start_year, was_asked, submitted_on, reporting_state, has_plans "
                               "FROM reporting_status")
    assert {state for *_, state, _ in reported} >= {"I tide", "For sent"}
    for agency, year, asked, submitted_on, state, has_plans in reported:
        text = cells.loc[agency, f"Innsending {year}"]
        if submitted_on is None:
            assert text == ("ikke levert" if asked else "ikke bedt om"), (agency, year)
        else:
            assert text == (f"{state.lower()} {submitted_on:%d.%m.%Y}, {'med' if has_plans else 'uten'} planer"
                            ), (agency, year, text)
    # a round an agency was neither asked for nor reported for says so, not blank
    pairs = {(agency, year) for agency, year, *_ in reported}
    unasked = [(a, y) for a in cells.index for y in years if (a, y) not in pairs]
    assert unasked and all(cells.loc[a, f"Innsending {y}"] == "ikke bedt om" for a, y in unasked)


def test_agencies_page_narrows_to_those_to_follow_up_that_the_overview_sends_there(monkeypatch, sample_db):
    at = open_app(monkeypatch, sample_db, "pages/1_virksomheter.py")
    at.toggle(key="virksomheter_oppfolging").set_value(True).run()
    shown = table(at, "Virksomhet", "Innsending 2024")
    expected = {a for (a,) in rows(sample_db, "SELECT DISTINCT agency FROM reporting_status "
                                              "WHERE was_asked AND reporting_state <> 'I tide'")}
    every = sql(sample_db, "SELECT count(DISTINCT agency) FROM reporting_status")
    assert set(shown["Virksomhet"]) == expected and 0 < len(expected) < every
    rounds = shown.filter(like="Innsending ")
    assert all(any(t == "ikke levert" or t.startswith("for sent") for t in texts) for texts in rounds.values)
    # why each is on the list stands beside its name: at 1 280 px the round columns saying so were out of view
    assert list(shown.columns[:2]) == ["Virksomhet", "Til oppfølging"]
    due = rows(sample_db, "SELECT agency, start_year, reporting_state FROM reporting_status "
                          "WHERE was_asked AND reporting_state <> 'I tide' ORDER BY agency, start_year DESC")
    expected_reasons: dict[str, list[str]] = {}
    for agency, year, state in due:
        expected_reasons.setdefault(agency, []).append(f"{year}: {state.lower()}")
    reasons = dict(zip(shown["Virksomhet"], shown["Til oppfølging"], strict=True))
    assert reasons == {a: " · ".join(r) for a, r in expected_reasons.items()}
    assert {state for *_, state in due} == {"Ikke levert", "For sent"}
    assert any(" · " in r for r in reasons.values())  # an agency behind in two rounds names both
    # the downloads follow the filter, not the toggle: said beside them (the page showed 9 agencies, Excel all)
    assert any("filene har hele utvalget i filteret" in c.value for c in at.caption)
    at.toggle(key="virksomheter_oppfolging").set_value(False).run()
    assert not any("filene har hele utvalget" in c.value for c in at.caption)
    assert "Til oppfølging" not in table(at, "Virksomhet", "Innsending 2024").columns


@pytest.mark.parametrize("year", [None, 2024])
def test_an_agency_that_delivered_nothing_shows_no_figures_unlike_one_that_reported_no_plans(monkeypatch, sample_db,
                                                                                             year):
    # Datatilsynet, never delivered, read «0» pilots and «0 kr» as Husleietvistutvalget, which reported no plans;
    # with a round chosen, «nothing delivered» is for that round
    at = open_app(monkeypatch, sample_db, "pages/1_virksomheter.py", {"aar": str(year)} if year else None)
    shown = table(at, "Virksomhet", "Piloter", "Budsjett").set_index("Virksomhet")
    where = f"WHERE start_year = {year}" if year else ""
    never = {a for (a,) in rows(sample_db, f"SELECT agency FROM reporting_status {where} GROUP BY agency "
                                           "HAVING count(submitted_on) = 0")}
    without_plans = {a for (a,) in rows(sample_db, f"SELECT agency FROM reporting_status {where} GROUP BY agency "
                                                   "HAVING count(submitted_on) > 0 AND NOT bool_or(has_plans)")}
    assert "Datatilsynet" in never and "Husleietvistutvalget" in without_plans and set(shown.index) > never
    if year:  # an agency that delivered for the other round only
        assert never - {a for (a,) in rows(sample_db, "SELECT agency FROM reporting_status GROUP BY agency "
                                                      "HAVING count(submitted_on) = 0")}
    for agency in never:
        assert pd.isna(shown.loc[agency, "Piloter"]) and pd.isna(shown.loc[agency, "Budsjett"]), agency
    for agency in without_plans:
        assert (shown.loc[agency, "Piloter"], shown.loc[agency, "Budsjett"]) == (0, 0), agency
    others = shown.drop(index=list(never))
    assert not others["Piloter"].isna().any() and not others["Budsjett"].isna().any()
    # the «–» says what it means
    config = json.loads(next(d for d in at.dataframe if "Piloter" in d.value.columns).proto.columns)
    assert config["Piloter"]["help"] == config["Budsjett"]["help"] == (
        "– betyr at virksomheten ikke har levert noen innsending i utvalget.")
    # the column fits its largest amount: sized by the grid to its first rows, all «–» under ?aar=2023 with
    # «Bare til oppfølging», it showed Distriktssenteret's «1 030 000 kr» as «030 000 kr»
    assert config["Budsjett"]["width"] >= 7 * len(fmt.kr(shown["Budsjett"].max())) + 16


@pytest.mark.parametrize("days_left", [30, 0, -1, None])
def test_a_round_whose_deadline_is_still_to_come_is_not_missing_nor_to_follow_up(monkeypatch, sample_db, days_left):
    # the day a new round's letters went out, every agency asked read «Ikke levert» and was listed to follow up
    # (None: requests.csv asks for a round rounds.csv has no deadline for, which nobody can be behind)
    deadline = None if days_left is None else norwegian_today() + dt.timedelta(days=days_left)
    asked = ["Husbanken", "Kartverket", "Statsbygg"]
    before = open_app(monkeypatch, sample_db).button(key="til_oppfolging").label
    add_round(sample_db, NEW_ROUND, deadline, asked)
    still_open = days_left is None or days_left >= 0  # a report delivered on the deadline is in time
    at = open_app(monkeypatch, sample_db)
    bars = html_chart(at, f"Oppstart {NEW_ROUND}")
    innsendinger = next(unescape(found) for h in at.get("html") for found in re.findall(
        r'aria-label="Innsendinger">.*?data-help="([^"]*)"', h.proto.body, flags=re.S))
    if still_open:
        assert f"Oppstart {NEW_ROUND}: 0 i tide, 0 for sent, 0 ikke levert, 3 frist ikke ute" in bars
        assert "Frist ikke ute" in bars.rpartition('class="po-legend"')[2]  # in the legend too
        assert at.button(key="til_oppfolging").label == before
        assert str(NEW_ROUND) not in set(table(at, "Virksomhet", "Runde", "Status", "Innsendt")["Runde"])
        assert innsendinger.endswith(" Av forespørslene har 3 frist som ikke er ute.")  # the «av» counts them
    else:
        assert f"Oppstart {NEW_ROUND}: 0 i tide, 0 for sent, 3 ikke levert" in bars and "frist ikke ute" not in bars
        assert at.button(key="til_oppfolging").label != before
        assert "frist som ikke er ute" not in innsendinger
    at = open_app(monkeypatch, sample_db, "pages/1_virksomheter.py")
    column = f"Innsending {NEW_ROUND}"
    cells = table(at, "Virksomhet", column).set_index("Virksomhet")[column]
    expected = ("ikke levert" if not still_open else "ikke levert ennå, ingen frist satt" if deadline is None
                else f"ikke levert ennå, frist {deadline:%d.%m.%Y}")
    assert [cells[a] for a in asked] == [expected] * 3
    at.toggle(key="virksomheter_oppfolging").set_value(True).run()
    reasons = table(at, "Virksomhet", "Til oppfølging").set_index("Virksomhet")["Til oppfølging"]
    assert all((f"{NEW_ROUND}: ikke levert" in reasons.get(a, "")) is not still_open for a in asked), reasons.to_dict()


def test_a_filter_with_nothing_to_follow_up_turns_the_follow_up_list_off_rather_than_empty(monkeypatch, sample_db):
    # «Bare til oppfølging» on, then the filter narrowed to an agency with nothing to follow up: the toggle was
    # greyed out while still on, and the page showed an empty table that could not be turned back
    assert not rows(sample_db, "SELECT agency FROM reporting_status WHERE agency = 'Husbanken' AND was_asked "
                               "AND reporting_state <> 'I tide'")
    at = open_app(monkeypatch, sample_db, "pages/1_virksomheter.py")
    at.toggle(key="virksomheter_oppfolging").set_value(True).run()
    [agencies] = [box for box in at.multiselect if box.label == "Virksomheter"]
    agencies.set_value(["Husbanken"]).run()
    assert not at.exception
    toggle = at.toggle(key="virksomheter_oppfolging")
    assert toggle.disabled and toggle.value is False
    assert table(at, "Virksomhet", "Innsending 2024")["Virksomhet"].tolist() == ["Husbanken"]


def test_the_overview_opens_virksomheter_on_the_agencies_to_follow_up(monkeypatch, sample_db):
    at = open_app(monkeypatch, sample_db)
    expected = {a for (a,) in rows(sample_db, "SELECT DISTINCT agency FROM reporting_status "
                                              "WHERE was_asked AND reporting_state <> 'I tide'")}
    button = at.button(key="til_oppfolging")
    assert button.label.endswith(f"({len(expected)} virksomheter)")
    button.click().run()
    assert not at.exception
    assert at.toggle(key="virksomheter_oppfolging").value is True
    assert set(table(at, "Virksomhet", "Innsending 2024")["Virksomhet"]) == expected


def test_agencies_page_gives_the_elements_covered_as_an_average_of_six(monkeypatch, sample_db):
    # «6,0» beside «6 av 6» on every plan elsewhere read as another measure
    at = open_app(monkeypatch, sample_db, "pages/1_virksomheter.py")
    shown = table(at, "Virksomhet", "Elementer dekket (snitt av 6)").set_index("Virksomhet")
    averages = rows(sample_db, "SELECT agency, avg(elements_covered) FROM pilots_current GROUP BY agency")
    assert averages and any(avg % 1 for _, avg in averages)
    for agency, avg in averages:
        assert shown.loc[agency, "Elementer dekket (snitt av 6)"] == f"{avg:.1f} av 6".replace(".", ","), agency


def test_agencies_page_shows_an_agencys_earlier_versions(monkeypatch, sample_db):
    revised = sql(sample_db, "SELECT agency FROM submission_history WHERE version > 1 LIMIT 1")
    at = open_app(monkeypatch, sample_db, "pages/1_virksomheter.py")
    at.selectbox(key="virksomhet_detalj").set_value(revised).run()
    history = table(at, "Versjon", "Gjeldende")
    assert len(history) == sql(sample_db, "SELECT count(*) FROM submission_history WHERE agency = ?", [revised])
    assert set(history["Gjeldende"]) == {"Ja", "Nei"}


def test_a_round_sent_as_three_csv_files_names_the_file_each_sheet_is_shown_from(monkeypatch, sample_db, reference):
    # Digdir sent 2024 as three CSVs: the page said «versjon 3, fra filen «…milepaeler.csv»», and its versions 1
    # and 2 «Gjeldende: Nei», though the pilots and the budget shown were theirs
    files = dict(duckdb.connect(str(sample_db), read_only=True).execute(
        "SELECT replaced_tables, file_name FROM submission_history WHERE agency = 'Digitaliseringsdirektoratet' "
        "AND start_year = 2024").fetchall())
    assert set(files) == {"Piloter", "Milepæler", "Budsjett"}, files
    at = open_app(monkeypatch, sample_db, "pages/1_virksomheter.py",
                  query={"virksomhet": "Digitaliseringsdirektoratet"})
    [header] = [m.value for m in at.markdown if m.value.startswith("**Oppstartsår 2024**")]
    assert header.endswith(f"versjon 3, Piloter fra «{files['Piloter']}»; Milepæler fra «{files['Milepæler']}»; "
                           f"Budsjett fra «{files['Budsjett']}»"), header
    versions = table(at, "Versjon", "Vises nå")
    shown = dict(zip(versions["Fil"], versions["Vises nå"], strict=True))
    assert shown == {name: sheet for sheet, name in files.items()}
    # a revised workbook replaces every sheet: the first version shows nothing now, and the header names one file
    at = open_app(monkeypatch, sample_db, "pages/1_virksomheter.py", query={"virksomhet": "Statsbygg"})
    versions = table(at, "Versjon", "Vises nå")
    now = dict(zip(versions["Fil"], versions["Vises nå"], strict=True))
    assert now["2024_statsbygg_v2_revidert.xlsx"] == "Piloter, Milepæler, Budsjett"
    assert pd.isna(now["2024_statsbygg_v1.xlsx"])  # drawn as «–»
    assert any(m.value.endswith("fra filen «2024_statsbygg_v2_revidert.xlsx»") for m in at.markdown)
    # a Piloter CSV after a workbook: its pilots are shown from it, the milestones and budget from the workbook
    name = sql(sample_db, "SELECT pilot_name FROM pilots_current WHERE agency = 'Husbanken' AND start_year = 2024")
    with database.open_store(sample_db) as con:
        [plan] = import_files(con, [("hb_piloter.csv", csv_bytes([csv_pilot(pilot_name=name,
                                                                            submitted_on="30.10.2023")]))], reference)
    assert plan.outcome == "imported", plan.problems
    at = open_app(monkeypatch, sample_db, "pages/1_virksomheter.py", query={"virksomhet": "Husbanken"})
    [header] = [m.value for m in at.markdown if m.value.startswith("**Oppstartsår 2024**")]
    assert header.endswith("versjon 2, Piloter fra «hb_piloter.csv»; Milepæler fra «2024_husbanken.xlsx»; "
                           "Budsjett fra «2024_husbanken.xlsx»"), header
    versions = table(at, "Versjon", "Vises nå")
    now = dict(zip(versions["Fil"], versions["Vises nå"], strict=True))
    assert (now["hb_piloter.csv"], now["2024_husbanken.xlsx"]) == ("Piloter", "Milepæler, Budsjett")


def test_choosing_one_agency_in_the_filter_shows_it_in_depth_however_it_is_chosen(monkeypatch, sample_db):
    # «Én virksomhet i dybden» said «Velg en virksomhet» after a row or the filter chose one; only a link filled it
    at = open_app(monkeypatch, sample_db, "pages/1_virksomheter.py")
    assert at.selectbox(key="virksomhet_detalj").value is None
    at.multiselect(key="virksomhet").set_value(["Husbanken"]).run()
    assert at.selectbox(key="virksomhet_detalj").value == "Husbanken"
    assert any(m.value.startswith("**Oppstartsår") for m in at.markdown)
    # the user's own choice in the box stands until the filter comes to one agency again
    at.multiselect(key="virksomhet").set_value(["Husbanken", "Kartverket"]).run()
    at.selectbox(key="virksomhet_detalj").set_value("Kartverket").run()
    assert at.selectbox(key="virksomhet_detalj").value == "Kartverket"
    at.multiselect(key="virksomhet").set_value(["Statsbygg"]).run()
    assert at.selectbox(key="virksomhet_detalj").value == "Statsbygg"
    # and when the user comes back from another page, which forgets the box's value
    at.switch_page("pages/2_budsjett.py").run()
    at.switch_page("pages/1_virksomheter.py").run()
    assert at.selectbox(key="virksomhet_detalj").value == "Statsbygg"
    assert not at.exception


def test_agencies_page_shows_the_assessment_of_an_agency_without_plans(monkeypatch, sample_db):
    agency, assessment = duckdb.connect(str(sample_db), read_only=True).execute(
        "SELECT agency, assessment FROM submission_history WHERE is_current AND NOT has_plans LIMIT 1").fetchone()
    at = open_app(monkeypatch, sample_db, "pages/1_virksomheter.py")
    at.selectbox(key="virksomhet_detalj").set_value(agency).run()
    assert any(assessment[:40] in m.value for m in at.markdown)


def test_importer_previews_then_imports_an_uploaded_workbook(monkeypatch, store_path):
    content = workbook({"Virksomhet": "Husbanken", "Oppstartsår": 2024, "Innsendt dato": "30.10.2023",
                        "Har planer om piloter": "Ja"}, [valid_pilot(pilot_name="Tillit i praksis")])
    at = open_app(monkeypatch, store_path, "pages/5_importer.py")
    at.get("file_uploader")[0].upload("husbanken.xlsx", content).run()
    assert table(at, "Fil", "Utfall")["Utfall"].tolist() == ["Ny"]
    # the counts before the long text, which a narrow window cuts
    assert table(at, "Fil", "Utfall").columns.tolist() == ["Fil", "Utfall", "Feil", "Advarsler", "Hva"]
    assert sql(store_path, "SELECT count(*) FROM submissions") == 0
    at.button(key="importer_knapp").click().run()
    assert sql(store_path, "SELECT pilot_name FROM pilots_current") == "Tillit i praksis"
    assert any("Ferdig: 1 fil importert" in s.value for s in at.success)
    # whose report each file was, first: at 1024 px the columns after «Type» were cut off
    history = table(at, "Importert", "Innsendinger (versjon)")
    assert history.columns.tolist()[:3] == ["Importert", "Innsendinger (versjon)", "Advarsler"]
    assert history["Innsendinger (versjon)"].tolist() == ["Husbanken 2024 v1"]
    # the next file's preview stands alone: the last import's outcome and changes went with it
    correction = workbook({"Virksomhet": "Husbanken", "Oppstartsår": 2024, "Innsendt dato": "31.10.2023",
                           "Har planer om piloter": "Ja"}, [valid_pilot(pilot_name="Tillit i praksis 2")])
    at.get("file_uploader")[0].upload("rettelse.xlsx", correction).run()
    assert table(at, "Fil", "Utfall")["Utfall"].tolist() == ["Erstatter"]
    assert not any("Ferdig" in s.value for s in at.success)


def test_importer_shows_every_error_and_writes_nothing_for_a_bad_file(monkeypatch, store_path):
    content = workbook({"Virksomhet": "Husbanken", "Oppstartsår": 2024, "Innsendt dato": "30.10.2023",
                        "Har planer om piloter": "Ja"}, [valid_pilot(start_date="31.13.2024")])
    at = open_app(monkeypatch, store_path, "pages/5_importer.py")
    at.get("file_uploader")[0].upload("feil.xlsx", content).run()
    error = as_written(at.error[0].value)
    assert "feil.xlsx" in error and "Piloter" in error and "Startdato" in error and "31.13.2024" in error
    assert error.startswith("**feil.xlsx** (Husbanken 2024) – avvist")  # files of one name told apart
    assert at.button(key="importer_knapp").disabled
    assert at.button(key="importer_knapp").label == "Ingen filer å importere"
    assert sql(store_path, "SELECT count(*) FROM source_files") == 0


def test_importer_shows_what_a_file_holds_as_written_not_as_markdown(monkeypatch, store_path):
    # «fant «*Pilot* [se](http://x)»» showed an italic Pilot and a link; a formula «=B2*C2*12» lost its stars
    content = workbook({"Virksomhet": "Husbanken", "Oppstartsår": 2024, "Innsendt dato": "30.10.2023",
                        "Har planer om piloter": "Ja"}, [valid_pilot(start_date="*mars* [se](http://x)")])
    at = open_app(monkeypatch, store_path, "pages/5_importer.py")
    at.get("file_uploader")[0].upload("_utkast_.xlsx", content).run()
    error = at.error[0].value
    assert "fant «*mars* [se](http://x)»" in as_written(error) and "_utkast_.xlsx" in as_written(error)
    assert "*mars*" not in error and "](" not in error and "_utkast_" not in error


@contextlib.contextmanager
def held_by_another_process(path: Path):
    """The store opened for writing by another process (a colleague's notebook, an import from the command line)
    until the block ends."""
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); "
                               "print('held', flush=True); time.sleep(120)", str(path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        yield
    finally:
        holder.kill()
        holder.wait()


def test_importer_says_the_store_is_busy_and_keeps_the_files_when_another_process_holds_it(monkeypatch, store_path):
    # a traceback («store.database.StoreBusy: …», «Ask Google») after ten silent seconds, and the history gone
    monkeypatch.setattr(database, "LOCK_WAIT_SECONDS", 0.3)
    content = workbook({"Virksomhet": "Husbanken", "Oppstartsår": 2024, "Innsendt dato": "30.10.2023",
                        "Har planer om piloter": "Ja"}, [valid_pilot(pilot_name="Tillit i praksis")])
    at = open_app(monkeypatch, store_path, "pages/5_importer.py")
    with held_by_another_process(store_path):
        at.get("file_uploader")[0].upload("husbanken.xlsx", content).run()
        assert not at.exception
        [busy] = [e.value for e in at.error]
        assert "er i bruk av en annen prosess" in busy and "Ingenting er lest inn" in busy
        assert any(s.value == "Importhistorikk" for s in at.subheader)
    at.button(key="forhandsvis_igjen").click().run()  # free again: the same files are read
    assert table(at, "Fil", "Utfall")["Utfall"].tolist() == ["Ny"]
    with held_by_another_process(store_path):
        at.button(key="importer_knapp").click().run()
        assert not at.exception
        [busy] = [e.value for e in at.error]
        assert "Ingenting er importert, og filen er fortsatt valgt." in busy and busy.count("Prøv igjen om litt") == 1
        assert table(at, "Fil", "Utfall")["Utfall"].tolist() == ["Ny"]  # the preview stands, ready to try again
    assert sql(store_path, "SELECT count(*) FROM submissions") == 0
    at.button(key="importer_knapp").click().run()
    assert sql(store_path, "SELECT pilot_name FROM pilots_current") == "Tillit i praksis"


def test_importers_result_counts_unchanged_and_refused_files_apart_and_warns_of_the_refused(monkeypatch, store_path,
                                                                                           reference):
    # «Ferdig: 2 filer importert, 8 ikke importert» in green, where 2 were in the store already and 6 refused
    good = workbook({"Virksomhet": "Husbanken", "Oppstartsår": 2024, "Innsendt dato": "30.10.2023",
                     "Har planer om piloter": "Ja"}, [valid_pilot(pilot_name="Tillit i praksis")])
    import_into_store(store_path, [("husbanken.xlsx", good)], reference)
    other = workbook({"Virksomhet": "Kartverket", "Oppstartsår": 2024, "Innsendt dato": "30.10.2023",
                      "Har planer om piloter": "Ja"}, [valid_pilot(pilot_name="Kart og tillit")])
    bad = workbook({"Virksomhet": "Kartverket", "Oppstartsår": 2023, "Innsendt dato": "30.10.2023",
                    "Har planer om piloter": "Ja"}, [valid_pilot(start_date="31.13.2024")])
    at = open_app(monkeypatch, store_path, "pages/5_importer.py")
    uploader = at.get("file_uploader")[0]
    uploader.upload("husbanken.xlsx", good).upload("kartverket.xlsx", other).upload("feil.xlsx", bad).run()
    at.button(key="importer_knapp").click().run()
    assert not at.success
    [told] = [w.value for w in at.warning if w.value.startswith("Ferdig")]
    assert told.startswith("Ferdig: 1 fil importert, 1 uendret, 1 avvist.")


def test_importer_asks_before_an_older_copy_replaces_the_newer_version(monkeypatch, store_path, reference):
    # an old copy sent again became current over the correction, with only a yellow warning among the others
    def husbanken(sent: str, pilot: str) -> bytes:
        return workbook({"Virksomhet": "Husbanken", "Oppstartsår": 2024, "Innsendt dato": sent,
                         "Har planer om piloter": "Ja"}, [valid_pilot(pilot_name=pilot)])

    import_into_store(store_path, [("rettet.xlsx", husbanken("06.11.2023", "Rettet plan"))], reference)
    at = open_app(monkeypatch, store_path, "pages/5_importer.py")
    at.get("file_uploader")[0].upload("gammel kopi.xlsx", husbanken("25.10.2023", "Gammel plan")).run()
    assert table(at, "Fil", "Utfall")["Utfall"].tolist() == ["Erstatter (eldre)"]
    [asked] = [as_written(w.value) for w in at.warning if "er eldre enn versjonen den erstatter" in w.value]
    assert "gammel kopi.xlsx: Husbanken 2024: innsendt 25.10.2023, versjonen den erstatter 06.11.2023" in asked
    assert at.button(key="importer_knapp").disabled
    at.checkbox[0].check().run()
    at.button(key="importer_knapp").click().run()
    assert sql(store_path, "SELECT pilot_name FROM pilots_current") == "Gammel plan"


def test_importer_says_how_many_errors_are_left_out_past_the_first_200(monkeypatch, store_path):
    rows = [milestone(pilot="Digital søknad", name=f"Steg {i}", from_date="31.13.2024") for i in range(230)]
    content = workbook({"Virksomhet": "Husbanken", "Oppstartsår": 2024, "Innsendt dato": "30.10.2023",
                        "Har planer om piloter": "Ja"}, [valid_pilot()], rows)
    at = open_app(monkeypatch, store_path, "pages/5_importer.py")
    at.get("file_uploader")[0].upload("mange_feil.xlsx", content).run()
    errors = table(at, "Fil", "Utfall")["Feil"].iloc[0]
    listed = at.error[0].value.splitlines()
    assert errors >= 230
    assert listed[-1] == f"- … og {errors - 200} til (tallet står i tabellen over)"
    assert sum(line.startswith("- ") for line in listed) == 201


def as_written(markdown: str) -> str:
    """Markdown's text with its escapes undone: what the user reads."""
    return re.sub(r"\\(.)", r"\1", markdown)

def test_a_broken_store_file_gives_a_clear_message_not_a_traceback(monkeypatch, tmp_path):
    broken = tmp_path / "skadet.duckdb"
    broken.write_bytes(b"dette er ingen database" * 100)
    at = open_app(monkeypatch, broken)
    [message] = [e.value for e in at.error]
    assert "skadet.duckdb kan ikke leses: filen er skadet eller ikke en Pilotoversikt-database" in message
    assert "i bruk" not in message  # nobody holds the file: waiting and trying again would not help
    assert menu(at) == MENU


def test_a_store_missing_a_table_names_the_table_not_a_python_object_of_that_name(monkeypatch, sample_db, tmp_path):
    damaged = tmp_path / "uten_runder.duckdb"
    damaged.write_bytes(sample_db.read_bytes())
    with duckdb.connect(str(damaged)) as con:
        con.execute("DROP TABLE rounds")
    at = open_app(monkeypatch, damaged)
    [message] = [e.value for e in at.error]
    assert "uten_runder.duckdb kunne ikke leses" in message
    assert "rounds does not exist" in message, message  # queries.rounds, a function, was read in its place
    assert not at.exception


def test_a_store_written_by_an_earlier_version_gets_this_versions_views_when_the_dashboard_opens_it(
        monkeypatch, sample_db):
    # Oversikt failed with KeyError «letter_registered» on a store whose views came before that column, until the
    # next import: a server started on its own (not by `make run`) only reads
    with duckdb.connect(str(sample_db)) as con:
        con.execute("CREATE OR REPLACE VIEW reporting_status AS SELECT 2024 AS start_year, 'Husbanken' AS agency")
        con.execute("UPDATE schema_version SET fingerprint = 'an earlier version'")
    at = open_app(monkeypatch, sample_db)
    assert not at.exception and not at.error, [e.value for e in at.exception]
    assert "referanse til brevet" in "".join(h.proto.body for h in at.get("html"))
    assert sql(sample_db, "SELECT fingerprint FROM schema_version") == database.schema_sql()[1]


def test_a_duckdb_file_without_the_stores_tables_is_treated_as_no_store_yet(monkeypatch, tmp_path):
    bare = tmp_path / "tom.duckdb"
    duckdb.connect(str(bare)).close()  # a DuckDB file, but nothing imported and never initialised
    at = open_app(monkeypatch, bare)
    assert any(i.value.startswith("Databasen finnes ikke ennå.") for i in at.info), [i.value for i in at.info]
    assert not at.error and not at.exception


def import_into(store: Path, reference, *files: tuple[str, bytes]) -> None:
    """Import files into a store, failing the test if any is refused."""
    with database.open_store(store) as con:
        plans = import_files(con, list(files), reference)
    assert all(p.outcome == "imported" for p in plans), [str(x) for p in plans for x in p.problems]


def test_plans_with_only_documentation_count_as_saying_nothing_about_evaluation(monkeypatch, store_path, reference):
    pilots = [valid_pilot(pilot_name="Med evaluering", evaluation="Før- og ettermåling av ventetid"),
              valid_pilot(pilot_name="Bare dokumentasjon", documentation="Logg i saksbehandlingssystemet"),
              valid_pilot(pilot_name="Ingenting")]
    import_into(store_path, reference, ("hb.xlsx", workbook(valid_submission(), pilots)))
    at = open_app(monkeypatch, store_path, "pages/4_planer.py")
    at.toggle(key="planer_uten_evaluering").set_value(True).run()
    shown = table(at, "Pilot", "Merknader")
    assert sorted(shown["Pilot"]) == ["Bare dokumentasjon", "Ingenting"]


def test_search_takes_underscore_and_percent_literally(monkeypatch, store_path, reference):
    pilots = [valid_pilot(pilot_name="Pilot_1", goals="Redusere rapportering med 50 %"),
              valid_pilot(pilot_name="Pilot 2")]
    import_into(store_path, reference, ("hb.xlsx", workbook(valid_submission(), pilots)))
    at = open_app(monkeypatch, store_path, "pages/4_planer.py")
    at.text_input(key="planer_sok").input("_").run()
    assert table(at, "Pilot", "Merknader")["Pilot"].tolist() == ["Pilot_1"]
    at.text_input(key="planer_sok").input("50 %").run()
    assert table(at, "Pilot", "Merknader")["Pilot"].tolist() == ["Pilot_1"]


def test_an_agency_with_and_without_plans_shows_no_nan_for_missing_texts(monkeypatch, store_path, reference):
    with_plans = workbook(valid_submission(start_year=2023, submitted_on="20.08.2023", contact_person=None,
                                           email=None, union_involvement=None), [valid_pilot()])
    without = workbook(no_plans_submission(contact_person=None, email=None), [])
    import_into(store_path, reference, ("2023.xlsx", with_plans), ("2024.xlsx", without))
    at = open_app(monkeypatch, store_path, "pages/1_virksomheter.py")
    at.selectbox(key="virksomhet_detalj").set_value("Husbanken").run()
    texts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    assert not any("nan" in t.split() or ": nan" in t for t in texts), texts
    assert any("ingen planer om piloter" in t for t in texts)


def test_an_agency_without_plans_shows_zeros_and_its_missing_reports(monkeypatch, sample_db):
    agency = sql(sample_db, "SELECT agency FROM reporting_status WHERE was_asked GROUP BY agency "
                            "HAVING count(submitted_on) = 0 ORDER BY agency LIMIT 1")
    at = open_app(monkeypatch, sample_db, query={"virksomhet": [agency]})
    assert not at.exception
    assert [metric(at, label) for label in ("I gang / gjennomført", "Planlagt", "Forsøk")] == ["0", "0", "0"]
    asked = sql(sample_db, "SELECT count(*) FROM reporting_status WHERE was_asked AND agency = ?", [agency])
    assert metric(at, "Innsendinger") == f"0 av {asked}"
    assert set(table(at, "Virksomhet", "Status", "Innsendt")["Virksomhet"]) == {agency}


@pytest.mark.parametrize(("page", "key"), [("dashboard.py", "oversikt"), ("pages/1_virksomheter.py", "virksomheter"),
                                           ("pages/2_budsjett.py", "budsjett"), ("pages/3_tidslinje.py", "tidslinje"),
                                           ("pages/4_planer.py", "planer")])
def test_every_data_page_offers_the_deck_the_workbook_and_csv_for_its_filter(monkeypatch, sample_db, page, key):
    # the captions of long lists send the user to the downloads at the bottom of the page
    at = open_app(monkeypatch, sample_db, page, {"virksomhet": "Husbanken"})
    buttons = {b.key: b for b in at.get("download_button")}
    assert {f"{key}_pptx", f"{key}_xlsx", f"{key}_csv"} <= set(buttons)
    assert "Utvalg: Husbanken" in buttons[f"{key}_pptx"].proto.help


def test_a_small_budget_is_never_shown_as_zero_millions(monkeypatch, store_path, reference):
    pilots = [valid_pilot(pilot_name="Liten pilot", budget_total_nok=40_000, within_budget_frame="Ja")]
    import_into(store_path, reference, ("hb.xlsx", workbook(valid_submission(), pilots)))
    overview = open_app(monkeypatch, store_path)
    assert metric(overview, "Budsjett, mill. kr") == "0,04"
    budget = open_app(monkeypatch, store_path, "pages/2_budsjett.py")
    assert metric(budget, "Budsjett, mill. kr") == "0,04"
    assert metric(budget, "Innenfor rammer, mill. kr") == "0,04"
    assert metric(budget, "Utenfor rammer, mill. kr") == "0,0"  # nothing there: zero is the truth
    assert not [c for c in budget.caption if "avrundet" in c.value]  # 0,04 + 0 + 0 is the total


def test_a_budget_of_billions_is_shown_in_billions_on_every_card(monkeypatch, store_path, reference):
    # at the whole state's scale the cards read «121 868,6» under «Budsjett, mill. kr»: said as «121,9 milliarder»
    pilots = [valid_pilot(pilot_name="Stor pilot", budget_total_nok=24_400_000_000, within_budget_frame="Ja"),
              valid_pilot(pilot_name="Liten pilot", budget_total_nok=40_000_000, within_budget_frame="Nei")]
    import_into(store_path, reference, ("hb.xlsx", workbook(valid_submission(), pilots)))
    overview = open_app(monkeypatch, store_path)
    assert metric(overview, "Budsjett, mrd. kr") == "24,4"
    budget = open_app(monkeypatch, store_path, "pages/2_budsjett.py")
    assert [metric(budget, f"{label}, mrd. kr") for label in ("Budsjett", "Innenfor rammer", "Utenfor rammer")] == [
        "24,4", "24,4", "0,04"]  # one unit on all four cards, the small one still visible
    [rounded] = [c.value for c in budget.caption if "avrundet" in c.value]  # in the cards' unit
    assert "summerer til 24,44 og ikke til 24,4;" in rounded
    # the charts stay in millions, every label alike: in billions a small agency's 49 mill. kr read «0,05»
    figure = next(json.loads(c.proto.spec) for c in budget.get("plotly_chart")
                  if "Budsjett (mill. kr)" in json.dumps(json.loads(c.proto.spec)["layout"]["xaxis"]))
    labels = [t.strip() for t in next(t for t in figure["data"] if t["type"] == "scatter")["text"]]
    assert labels == [f"24{fmt.NBSP}440,0{fmt.NBSP}mill.{fmt.NBSP}kr"]


def test_budsjett_says_why_its_rounded_cards_do_not_add_up_to_the_total(monkeypatch, sample_db):
    # The sample's cards read 10,8 + 9,8 + 7,8 beside a total of 28,3: each rounded on its own
    at = open_app(monkeypatch, sample_db, "pages/2_budsjett.py")
    as_number = lambda text: round(float(text.replace("\u00a0", "").replace(",", ".")), 2)  # noqa: E731
    parts = sum(as_number(metric(at, f"{label}, mill. kr"))
                for label in ("Innenfor rammer", "Delvis innenfor", "Utenfor rammer"))
    total = metric(at, "Budsjett, mill. kr")
    assert round(parts, 2) != as_number(total)
    [caption] = [c.value for c in at.caption if "avrundet" in c.value]
    assert caption.startswith(f"Hvert kort er avrundet for seg, så de tre andre kortene summerer til "
                              f"{fmt.number(parts, 1)} og ikke til {total}; ")
    # the budget rows' «Finansiering» has an «Innenfor rammer» of its own, which is not the cards' answer
    [financing] = [c.value for c in at.caption if "Finansiering" in c.value]
    assert financing.startswith("Kolonnen «Finansiering» i budsjettradene: ")
    assert "ikke planenes svar på «Innenfor gjeldende rammer», som kortene øverst bygger på" in financing


def test_millions_keep_a_small_amount_visible_and_round_the_rest_to_one_decimal():
    assert fmt.millions(2_540_000) == "2,5"
    assert fmt.millions(12_345_678_900) == "12\u00a0345,7"
    assert fmt.millions(49_000) == "0,05"
    assert fmt.millions(50_000) == "0,1"
    assert fmt.millions(4_999) == "under\u00a00,01"
    assert fmt.mill_kr(40_000) == "0,04\u00a0mill.\u00a0kr"
    assert fmt.millions(None) == "–"


def test_a_share_in_whole_per_cents_says_100_only_for_all_and_0_only_for_none():
    assert [fmt.share_percent(a, b) for a, b in [(2, 3), (1, 3), (1, 2), (199, 200), (1, 300), (0, 5), (5, 5)]] == [
        67, 33, 50, 99, 1, 0, 100]
    assert fmt.share_percent(0, 0) == 0


def test_amounts_of_ten_thousand_millions_or_more_are_told_in_billions():
    assert fmt.mill_kr(1_234_500_000) == "1\u00a0234,5\u00a0mill.\u00a0kr"  # four digits read well; «1,2» lost much
    assert fmt.mill_kr(9_999_949_999) == "9\u00a0999,9\u00a0mill.\u00a0kr"
    assert fmt.mill_kr(9_999_950_000) == "10,0\u00a0mrd.\u00a0kr"  # not «10\u00a0000,0 mill. kr»
    assert fmt.mill_kr(121_868_600_000) == "121,9\u00a0mrd.\u00a0kr"
    assert fmt.kr_short(60_928_200_000) == "60,9\u00a0mrd.\u00a0kr"
    assert fmt.mill_kr(850_000_000, scale=fmt.scale_for(60_928_200_000)) == "0,9\u00a0mrd.\u00a0kr"  # beside it
    assert fmt.millions(4_000_000, scale=fmt.BILLIONS) == "under\u00a00,01"


@pytest.mark.parametrize(("total", "parts", "shown"), [
    (28_330_000, [10_750_000, 9_780_000, 7_800_000], "28,4"),  # the sample: 10,8 + 9,8 + 7,8 beside 28,3
    (3_000_000, [1_000_000, 2_000_000, 0], None),  # adds up
    (40_000, [40_000, 0, 0], None),  # 0,04 + 0,0 + 0,0: two decimals, still the total
    (1_234_567_900_000, [617_283_900_000, 617_284_000_000], None),  # thousands of millions
    (1_234_567_890_000, [617_283_945_000, 617_283_945_000], "1\u00a0234\u00a0567,8"),  # 617 283,9 twice
    (20_000, [4_000, 16_000], None),  # «under 0,01» is no number to add
    (1_000_000, [float("nan"), 1_000_000], None),  # a missing part: nothing to say of a sum
    (1_000_000, [], None),
    (0, [0, 0, 0], None),
])
def test_parts_shown_sum_says_what_rounded_cards_add_up_to_only_where_it_is_not_their_total(total, parts, shown):
    assert fmt.parts_shown_sum(total, parts) == shown


def test_counts_are_grouped_by_thousands_in_words_and_verdicts():
    assert fmt.plural(1, "pilot", "piloter") == "1 pilot"
    assert fmt.plural(20_000, "pilot", "piloter") == "20\u00a0000 piloter"
    assert fmt.ambition_verdict(15_000, (3, 5)) == "14\u00a0995 over ambisjonen"


def test_a_half_is_rounded_up_the_same_way_for_every_amount():
    # 3,35 and 8,35 million lie on either side of their binary value; on one slide they read 3,4 and 8,3.
    assert [fmt.millions(3_350_000), fmt.millions(8_350_000)] == ["3,4", "8,4"]
    assert fmt.kr(2.5) == "3\u00a0kr"
    assert fmt.number(1_234_567.891, 2) == "1\u00a0234\u00a0567,89"
    # an amount far beyond any budget is still shown, not a traceback
    assert fmt.kr(12345678901234567890123456789).startswith("12\u00a0345\u00a0678\u00a0901")
    assert fmt.millions(1e300).endswith(",0") and fmt.number(float("inf")) == "–"


AMOUNT_COLUMNS = {  # page → the grids' columns that hold kroner
    "pages/1_virksomheter.py": {"Budsjett"},
    "pages/2_budsjett.py": {"Innenfor rammer", "Delvis", "Utenfor rammer", "Totalt", "Budsjett totalt",
                            "Sum budsjettrader"},
}


@pytest.mark.parametrize("page", sorted(AMOUNT_COLUMNS))
def test_amount_columns_sort_by_amount_and_read_as_kroner(monkeypatch, sample_db, page):
    # As text, a click on the header put «10 000 kr» after «1 500 000 kr». Numbers sort by size, and the
    # column's format shows them as the rest of the app writes kroner.
    at = open_app(monkeypatch, sample_db, page)
    if page.endswith("virksomheter.py"):  # the one agency's own pilots and versions too
        at.selectbox(key="virksomhet_detalj").set_value("Husbanken").run()
        version = sql(sample_db, "SELECT min(submission_id) FROM submission_history WHERE agency = 'Husbanken'")
        at.selectbox(key="virksomhet_versjon").set_value(version).run()
    seen, year_columns = set(), set()
    for grid in at.dataframe:
        config = json.loads(grid.proto.columns)
        columns = set(grid.value.columns)
        per_year = columns - {"År"} if "År" in columns else set()  # Budsjett per år: a column per category
        year_columns |= per_year
        for column in (AMOUNT_COLUMNS[page] & columns) | per_year:
            values = grid.value[column]
            assert pd.api.types.is_numeric_dtype(values), f"{column}: {values.dtype}"
            assert (values.dropna() % 1 == 0).all()  # whole kroner, as fmt.kr shows them
            assert config[column]["type_config"]["format"] == "%' ,d kr"  # 1 500 000 kr
            seen.add(column)
    assert AMOUNT_COLUMNS[page] <= seen
    assert page.endswith("virksomheter.py") or "Totalt" in year_columns


def test_whole_kroner_rounds_as_the_written_amounts_do():
    amounts = [2.5, 1_000_000.5, 1_499_999.4, 0.0, -2.5, 0.49999999999999994, 2.0**52 + 1]
    assert [fmt.kr(a) for a in fmt.whole_kroner(pd.Series(amounts))] == [fmt.kr(a) for a in amounts]


def test_the_tables_show_an_amount_in_whole_kroner_as_written_elsewhere(monkeypatch, store_path, reference):
    pilots = [valid_pilot(pilot_name="Halv krone", budget_total_nok=2_500_000.5, within_budget_frame="Ja")]
    import_into(store_path, reference, ("hb.xlsx", workbook(valid_submission(), pilots)))
    budget = open_app(monkeypatch, store_path, "pages/2_budsjett.py")
    assert table(budget, "Pilot", "Budsjett totalt")["Budsjett totalt"].tolist() == [2_500_001]
    assert table(budget, "Virksomhet", "Totalt")["Totalt"].tolist() == [2_500_001]
    agencies = open_app(monkeypatch, store_path, "pages/1_virksomheter.py")
    shown = table(agencies, "Virksomhet", "Budsjett")
    assert shown.loc[shown["Virksomhet"] == "Husbanken", "Budsjett"].tolist() == [2_500_001]


def test_person_years_read_with_a_decimal_comma_and_sort_as_numbers(monkeypatch, store_path, reference):
    # As plain text «12,0» sorted above «3,0»; padded with figure spaces, the table's text sort (the browser's
    # collation puts a space before every digit: tests/browser) is the numbers' order
    pilots = [valid_pilot(pilot_name=name, person_years=years, within_budget_frame="Ja")
              for name, years in (("Tolv", 12), ("Tre", 3), ("Halv", 0.5), ("Hundre", 100.25), ("Uten", None))]
    import_into(store_path, reference, ("hb.xlsx", workbook(valid_submission(), pilots)))
    shown = table(open_app(monkeypatch, store_path, "pages/2_budsjett.py"), "Pilot", "Årsverk")
    years = {name: text for name, text in zip(shown["Pilot"], shown["Årsverk"], strict=True) if not pd.isna(text)}
    assert {name: text.replace(fmt.FIGURE_SPACE, " ") for name, text in years.items()} == {
        "Tolv": " 12,0", "Tre": "  3,0", "Halv": "  0,5", "Hundre": "100,3"}  # «Uten»: the table's «–»
    collated = sorted(years.values(), key=lambda t: t.replace(fmt.FIGURE_SPACE, " "))
    assert [next(n for n, t in years.items() if t == c) for c in collated] == ["Halv", "Tre", "Tolv", "Hundre"]


def test_budget_per_year_says_which_pilots_it_leaves_out(monkeypatch, store_path, reference):
    # a pilot with no budget rows is in every total but in no year: the user must not read the years as the whole
    # (and rows above one pilot's total must not hide another's missing rows in a sum)
    pilots = [valid_pilot(pilot_name="Med rader", budget_total_nok=1_000_000),
              valid_pilot(pilot_name="Uten rader", budget_total_nok=2_500_000),
              valid_pilot(pilot_name="For mye", budget_total_nok=1_000_000)]
    lines = [budget_line(pilot="Med rader", amount=1_000_000), budget_line(pilot="For mye", amount=3_500_000)]
    import_into(store_path, reference, ("hb.xlsx", workbook(valid_submission(), pilots, [], lines)))
    at = open_app(monkeypatch, store_path, "pages/2_budsjett.py")
    [warning] = [w.value for w in at.warning]
    assert warning == ("1 pilot har budsjettrader som ikke summerer til «Budsjett totalt (kr)», og 1 pilot har ingen "
                       "budsjettrader. Tallene per år bygger på budsjettradene (4\u00a0500\u00a0000\u00a0kr); "
                       "nøkkeltallene og tallene per virksomhet på «Budsjett totalt (kr)» "
                       "(4\u00a0500\u00a0000\u00a0kr).")
    left_out = table(at, "Pilot", "Sum budsjettrader").set_index("Pilot")["Sum budsjettrader"]
    assert sorted(left_out.index) == ["For mye", "Uten rader"]
    assert left_out["For mye"] == 3_500_000 and pd.isna(left_out["Uten rader"])


def test_a_version_without_pilots_says_so_in_norwegian_instead_of_an_empty_table(monkeypatch, sample_db):
    # Husleietvistutvalget answered «no plans»: its version's table of pilots read «empty», in English
    at = open_app(monkeypatch, sample_db, "pages/1_virksomheter.py", {"virksomhet": "Husleietvistutvalget"})
    version = sql(sample_db, "SELECT min(submission_id) FROM submission_history WHERE agency = 'Husleietvistutvalget'")
    at.selectbox(key="virksomhet_versjon").set_value(version).run()
    assert not [d for d in at.dataframe if "Forsøk" in d.value.columns and "Oppstartsår" not in d.value.columns]
    assert ("Denne versjonen har ingen piloter. Virksomheten svarte at den ikke har planer om piloter."
            in [c.value for c in at.caption])


def test_the_submissions_card_says_it_does_not_follow_a_filter_on_status(monkeypatch, sample_db):
    # under ?status=Gjennomført&forsok=ja every card fell to 0 but «Innsendinger 12 av 23», with no word of why
    at = open_app(monkeypatch, sample_db, query={"status": "Gjennomført", "forsok": "ja"})
    asked = sql(sample_db, "SELECT count(*) FROM reporting_status WHERE was_asked")
    delivered = sql(sample_db, "SELECT count(*) FROM reporting_status WHERE was_asked AND submitted_on IS NOT NULL")
    assert delivered > 0  # so the card shows it counts the reports whatever the pilots' status
    assert metric(at, "I gang / gjennomført") == "0" and metric(at, "Innsendinger") == f"{delivered} av {asked}"
    help_text = next(unescape(found) for h in at.get("html") for found in re.findall(
        r'aria-label="Innsendinger">.*?data-help="([^"]*)"', h.proto.body, flags=re.S))
    assert "men ikke status og forsøk, som gjelder pilotene" in help_text


def test_the_overview_of_an_agency_without_pilots_says_so_instead_of_an_empty_table(monkeypatch, sample_db):
    assert sql(sample_db, "SELECT count(*) FROM pilots_current WHERE agency = 'Datatilsynet'") == 0
    at = open_app(monkeypatch, sample_db, query={"virksomhet": ["Datatilsynet"]})
    assert not [df for _, df in html_tables(at) if "Herav forsøk" in df.columns]
    assert any("Ingen piloter i utvalget." in h.proto.body for h in at.get("html"))
    assert metric(at, "I gang / gjennomført") == "0"


def test_the_overviews_key_dates_give_the_seminars_window_not_its_first_day(monkeypatch, sample_db):
    # «01.09.2023 Erfaringsdelingsseminar» read as the day of the seminar, held some time that autumn
    [(start, end, label)] = rows(sample_db, "SELECT start_date, end_date, label FROM events")
    at = open_app(monkeypatch, sample_db)
    [dates] = [df for _, df in html_tables(at) if list(df.columns) == ["Dato", "Hva"]]
    [shown] = [d for d, what in zip(dates["Dato"], dates["Hva"], strict=True) if what.startswith(label)]
    assert start.year == end.year and shown == f"{start:%d.%m.}–{end:%d.%m.%Y}"
    assert "31.10.2023" in list(dates["Dato"])  # a deadline is one day


def test_the_overview_opens_with_an_event_on_the_day_of_a_deadline(monkeypatch, sample_db):
    # an event and a deadline of one day were compared by their ends, a date against none: the page failed
    [(deadline,)] = rows(sample_db, "SELECT deadline FROM rounds ORDER BY start_year LIMIT 1")
    with duckdb.connect(str(sample_db)) as con:
        con.execute("INSERT INTO events VALUES ('Dialogmøte', $1, $1, 'med virksomhetslederne')", [deadline])
    at = open_app(monkeypatch, sample_db)
    [dates] = [df for _, df in html_tables(at) if list(df.columns) == ["Dato", "Hva"]]
    assert "Dialogmøte (med virksomhetslederne)" in list(dates["Hva"])


def test_an_agency_that_sent_nothing_gets_no_empty_version_list_or_picker(monkeypatch, sample_db):
    # under «har ikke sendt inn noe ennå» stood a table saying «empty» and a box with nothing to choose
    assert sql(sample_db, "SELECT count(*) FROM submissions WHERE agency = 'Datatilsynet'") == 0
    at = open_app(monkeypatch, sample_db, "pages/1_virksomheter.py", query={"virksomhet": ["Datatilsynet"]})
    assert [i.value for i in at.info] == ["Datatilsynet har ikke sendt inn noe ennå."]
    assert not [m for m in at.markdown if "Alle versjoner" in m.value]
    assert not [s for s in at.selectbox if s.label == "Se en versjon"]


def test_a_link_cannot_put_a_link_of_its_own_in_the_apps_warnings(monkeypatch, sample_db):
    # «?virksomhet=[Logg inn](https://…)» showed a clickable «Logg inn» inside the app's own warning
    at = open_app(monkeypatch, sample_db, query={"virksomhet": ["[Logg inn](https://phish.example)"]})
    [warning] = [w.value for w in at.sidebar.warning if "Ukjent virksomhet" in w.value]
    assert "](" not in warning.replace("\\]\\(", "") and "\\[Logg inn\\]" in warning
    at = open_app(monkeypatch, sample_db, "pages/4_planer.py", query={"uten_evaluering": "[Logg inn](https://x.y)"})
    [warning] = [w.value for w in at.warning if "uten_evaluering" in w.value]
    assert "\\[Logg inn\\]\\(https" in warning
    at = open_app(monkeypatch, sample_db, query={"status": "[Logg inn](https://x.y)"})
    [warning] = [w.value for w in at.sidebar.warning if "status" in w.value]
    assert "«\\[Logg inn\\]\\(https" in warning
