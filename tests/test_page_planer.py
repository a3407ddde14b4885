"""AppTest of the Planer page: the six elements, forsøk, missing evaluation, search and a plan in full.

Expected values come from SQL on the same store file, never from numbers written here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from loaders.contract import ELEMENTS, element_fields
from loaders.values import norwegian_today
from tests.apptest_support import agency_without_pilots, open_app, rows
from tests.test_page_tidslinje import many_pilots_store
from ui import formatting as fmt

ROOT = Path(__file__).resolve().parents[1]
PAGE = "pages/4_planer.py"
TEXT_COLUMNS = ["problem", "goals", "learning_goals", "what_to_test", "exemption_rules", "service_scope", "org_scope",
                "processes", "users", "units_and_staff", "third_parties", "resources", "admin_consequences",
                "documentation", "evaluation"]


def open_page(monkeypatch, db: Path, query: dict | None = None) -> AppTest:
    """This page opened cold on a store, as a deep link would."""
    return open_app(monkeypatch, db, PAGE, query)


def names(db: Path, where: str = "TRUE", params: list | None = None) -> set[tuple[str, str]]:
    """(agency, pilot) of the current plans that satisfy a condition."""
    return set(rows(db, f"SELECT agency, pilot_name FROM pilot_plans_current WHERE {where}", params))


def plan_list(at: AppTest) -> set[tuple[str, str]]:
    """(agency, pilot) of the plans in the page's list of matching plans."""
    frame = next(d.value for d in at.dataframe if "Merknader" in d.value.columns)
    return set(zip(frame["Virksomhet"], frame["Pilot"], strict=True))


def figures(at: AppTest) -> list[dict]:
    """The page's plotly figures as JSON: the element matrix first, then the agency matrix."""
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def test_the_element_matrix_has_a_row_per_plan_with_a_mark_per_element(monkeypatch, sample_db):
    at = open_page(monkeypatch, sample_db)
    assert plan_list(at) == names(sample_db)
    heatmap = figures(at)[0]["data"][0]
    plan_rows = [(z, t) for z, t in zip(heatmap["z"], heatmap["text"], strict=True) if z[0] is not None]
    assert len(plan_rows) == len(names(sample_db))
    marks = sorted("".join(t) for _, t in plan_rows)
    # ✓* under 6 where only «Dokumentasjon av funn» covers it: a plain ✓ there, for a plan «Bare planer uten
    # evaluering» lists, contradicted it
    expected = sorted("".join("✓" if c else "–" for c in r[:6]) + ("*" if r[5] and not r[6] else "") for r in rows(
        sample_db, "SELECT covers_e1, covers_e2, covers_e3, covers_e4, covers_e5, covers_e6, describes_evaluation "
                   "FROM pilot_plans_current"))
    assert any(m.endswith("✓*") for m in expected), "the sample should have a plan documented but not evaluated"
    assert marks == expected


def test_the_agency_matrix_counts_each_agencys_plans_covering_each_element(monkeypatch, sample_db):
    at = open_page(monkeypatch, sample_db)
    frame = next(d.value for d in at.dataframe if "Piloter" in d.value.columns and "Pilot" not in d.value.columns)
    expected = rows(sample_db, "SELECT agency, count(*), " + ", ".join(
        f"count(*) FILTER (covers_e{e.number})" for e in ELEMENTS) + " FROM pilot_plans_current GROUP BY agency "
        "ORDER BY agency")
    assert frame["Virksomhet"].tolist() == [r[0] for r in expected]
    for element, k in zip(ELEMENTS, range(2, 8), strict=True):
        column = next(c for c in frame.columns if c.startswith(f"{element.number}. "))
        # a number, so the header sorts the agencies with gaps first («49 av 50» as text sorted after «1 av 1»)
        assert frame[column].tolist() == [fmt.share_percent(r[k], r[1]) for r in expected]
    heatmap = figures(at)[1]["data"][0]
    assert heatmap["text"][0] == [f"{r} av {expected[0][1]}" for r in expected[0][2:]]
    # the matrix's hover says the table's per cent (it said 67 % where the table said 66 %)
    assert all(f"({value}\u00a0%)" in hover for value, hover in zip(frame.iloc[0, 2:], heatmap["hovertext"][0]))
    # Short headers, and no colour scale (for two agencies its «0 %», «50 %» and «100 %» were printed over each
    # other); each cell's hover names the element in full. The browser suite checks the headers stay apart.
    assert heatmap["showscale"] is False
    assert all(len(line) <= 11 for label in heatmap["x"] for line in label.split("<br>")), heatmap["x"]
    assert "Økonomi og administrative konsekvenser" in heatmap["hovertext"][0][4]


def test_the_without_evaluation_toggle_shows_exactly_the_plans_that_say_nothing_about_evaluation(
        monkeypatch, sample_db):
    at = open_page(monkeypatch, sample_db)
    at.toggle(key="planer_uten_evaluering").set_value(True).run()
    expected = names(sample_db, "coalesce(trim(evaluation), '') = ''")
    assert expected, "the sample should have plans without evaluation"
    assert plan_list(at) == expected
    frame = next(d.value for d in at.dataframe if "Merknader" in d.value.columns)
    assert all("Mangler evaluering" in m for m in frame["Merknader"])
    # a plan may still cover element 6 by its documentation: the page says so, for the ✓ it shows
    assert any("Element 6 kan likevel være dekket" in c.value for c in at.caption)


def test_the_count_of_plans_without_evaluation_says_why_element_6_can_still_be_covered(monkeypatch, sample_db):
    # Without the toggle, a plan shows «6 av 6» next to «Mangler evaluering» (exploratory test at L): the count
    # itself tells why, where a reader meets it first.
    at = open_page(monkeypatch, sample_db)
    metric = next(m for m in at.metric if m.label == "Mangler evaluering")
    assert "Element 6 (Dokumentasjon og evaluering) kan likevel være dekket" in metric.proto.help
    # and under it, counted, where it is read without the «?»
    lacking = names(sample_db, "coalesce(trim(evaluation), '') = ''")
    documented = names(sample_db, "coalesce(trim(evaluation), '') = '' AND covers_e6")
    assert 0 < len(documented) < len(lacking)
    assert metric.value == str(len(lacking))
    assert any(c.value.startswith(f"Av {len(lacking)} planer som mangler evaluering, har {len(documented)} "
                                  "«Dokumentasjon av funn» fylt ut") and c.value.endswith("står de med ✓* under 6.")
               for c in at.caption), [c.value for c in at.caption]


def test_the_workbook_and_csv_downloads_hold_the_plans_the_page_shows_after_its_choices(monkeypatch, sample_db):
    import io

    import pandas as pd

    from store.queries import PilotFilter, PlanChoice
    from ui.downloads import export_bytes

    at = open_page(monkeypatch, sample_db)
    at.toggle(key="planer_uten_evaluering").set_value(True).run()
    buttons = {b.key: b for b in at.get("download_button")}
    assert "Utvalg: Hele sektoren; bare uten evaluering" in buttons["planer_xlsx"].proto.help
    assert "Utvalg: Hele sektoren; bare uten evaluering" in buttons["planer_csv"].proto.help
    assert "Utvalg: Hele sektoren." in buttons["planer_pptx"].proto.help  # the deck is the filter's overview
    assert any("Excel og CSV har bare planene som vises (bare uten evaluering)" in c.value for c in at.caption)
    downloaded = pd.read_csv(io.BytesIO(export_bytes("csv", PilotFilter(), PlanChoice(only_missing_evaluation=True))),
                             sep=";", encoding="utf-8-sig", dtype=str)
    assert set(zip(downloaded["Virksomhet"], downloaded["Pilotnavn"].str.removeprefix("'"))) == plan_list(at)


def test_the_note_on_a_large_download_counts_the_plans_the_choice_leaves(monkeypatch, sample_db):
    import ui.downloads as downloads

    monkeypatch.setattr(downloads, "LARGE_EXPORT_PLANS", 1)  # the sample is small: every download is «large»
    at = open_page(monkeypatch, sample_db)
    at.toggle(key="planer_uten_evaluering").set_value(True).run()
    chosen = len(plan_list(at))
    every = rows(sample_db, "SELECT count(*) FROM pilot_plans_current")[0][0]
    assert 0 < chosen < every
    notes = [c.value for c in at.caption if "Excel-filen med" in c.value]
    assert notes and all(n.startswith(f"Excel-filen med {chosen} plan") for n in notes), notes


def test_the_forsok_filter_shows_exactly_the_plans_needing_exemption_with_their_regulation(monkeypatch, sample_db):
    at = open_page(monkeypatch, sample_db)
    at.segmented_control(key="forsok").set_value("ja").run()
    expected = rows(sample_db, "SELECT agency, pilot_name, exemption_rules FROM pilot_plans_current "
                               "WHERE needs_exemption")
    assert expected, "the sample should have forsøk"
    frame = next(d.value for d in at.dataframe if "Merknader" in d.value.columns)
    shown = set(zip(frame["Virksomhet"], frame["Pilot"], frame["Regelverk det søkes unntak fra"], strict=True))
    assert shown == set(expected)
    assert all("Forsøk" in m for m in frame["Merknader"])
    # the regulation next to the plan's name, where a laptop shows it; the all-«Ja» Forsøk column left out
    grid = next(d for d in at.dataframe if "Merknader" in d.value.columns)
    order = list(grid.proto.column_order)
    assert order[:3] == ["Virksomhet", "Pilot", "Regelverk det søkes unntak fra"] and "Forsøk" not in order


def a_word_in_exactly_one_plan(db: Path) -> tuple[str, tuple[str, str]]:
    """A word of at least seven letters that occurs in the texts of exactly one plan, and that plan."""
    texts = {(agency, pilot): " ".join(str(v) for v in values if v).lower() for agency, pilot, *values in rows(
        db, f"SELECT agency, pilot_name, pilot_name, {', '.join(TEXT_COLUMNS)}, array_to_string(themes, ' ') "
            "FROM pilot_plans_current")}
    for key, text in sorted(texts.items()):
        for word in sorted(set(re.findall(r"[a-zæøå]{7,}", text))):
            if sum(word in other for other in texts.values()) == 1:
                return word, key
    raise AssertionError("no word occurs in exactly one plan")


def test_search_finds_the_one_plan_whose_text_has_the_word(monkeypatch, sample_db):
    word, plan = a_word_in_exactly_one_plan(sample_db)
    at = open_page(monkeypatch, sample_db)
    at.text_input(key="planer_sok").set_value(word.upper()).run()
    assert plan_list(at) == {plan}
    assert at.selectbox(key="planer_valgt").value.startswith(plan[1])


def test_search_for_text_that_is_nowhere_says_so(monkeypatch, sample_db):
    at = open_page(monkeypatch, sample_db)
    at.text_input(key="planer_sok").set_value("zzqxj-finnes-ikke").run()
    assert any("Ingen planer passer" in i.value for i in at.info)
    assert not at.get("plotly_chart")


def test_choosing_an_agency_in_the_filter_narrows_the_plans(monkeypatch, sample_db):
    at = open_page(monkeypatch, sample_db)
    at.multiselect(key="virksomhet").set_value(["Husbanken"]).run()
    assert plan_list(at) == names(sample_db, "agency = 'Husbanken'")


def test_a_link_with_an_agency_opens_the_plans_filtered(monkeypatch, sample_db):
    at = open_page(monkeypatch, sample_db, query={"virksomhet": ["Husbanken"]})
    expected = names(sample_db, "agency = 'Husbanken'")
    assert expected and plan_list(at) == expected
    assert len(figures(at)[1]["data"][0]["y"]) == 1


def test_a_plan_is_shown_in_full_by_the_six_elements_with_missing_ones_highlighted(monkeypatch, sample_db):
    (agency, pilot, start_year, covered), = rows(
        sample_db, "SELECT agency, pilot_name, start_year, [covers_e1, covers_e2, covers_e3, covers_e4, covers_e5, "
                   "covers_e6] FROM pilot_plans_current WHERE elements_covered < 6 ORDER BY agency, pilot_name LIMIT 1")
    at = open_page(monkeypatch, sample_db)
    at.selectbox(key="planer_valgt").set_value(f"{pilot} – {agency} (oppstart {start_year})").run()
    text = "\n".join(m.value for m in at.markdown)
    for element, is_covered in zip(ELEMENTS, covered, strict=True):
        assert f"{element.number}. {element.name}" in text
        assert all(f"**{f.label}**" in text for f in element_fields(element.number))
        assert (element.questions in " ".join(w.value for w in at.warning)) is not is_covered
    assert "Ikke oppgitt" in text


def test_a_filter_that_leaves_no_plans_says_so_instead_of_drawing(monkeypatch, sample_db):
    agency = agency_without_pilots(sample_db)
    at = open_page(monkeypatch, sample_db)
    at.multiselect(key="virksomhet").set_value([agency]).run()
    assert not at.exception
    assert any("Ingen planer passer filteret" in i.value for i in at.info)
    assert not at.get("plotly_chart")


def test_many_plans_are_drawn_40_at_a_time_while_the_table_has_them_all(monkeypatch, tmp_path, reference):
    db = many_pilots_store(tmp_path / "many.duckdb", reference, 60)
    at = open_page(monkeypatch, db)
    (count,) = rows(db, "SELECT count(*) FROM pilots_current")[0]
    drawn = [z for z in figures(at)[0]["data"][0]["z"] if z[0] is not None]
    assert len(drawn) == 40
    assert len(plan_list(at)) == count
    at.number_input(key="planer_matrise_side").set_value(2).run()
    drawn = [z for z in figures(at)[0]["data"][0]["z"] if z[0] is not None]
    assert len(drawn) == count - 40


def test_thousands_of_plans_are_counted_with_norwegian_grouping(monkeypatch, tmp_path, reference):
    db = many_pilots_store(tmp_path / "thousands.duckdb", reference, 1200)
    at = open_page(monkeypatch, db)
    (count,) = rows(db, "SELECT count(*) FROM pilots_current")[0]
    grouped = f"{count // 1000}\u00a0{count % 1000:03d}"
    assert at.metric[0].label == "Planer" and at.metric[0].value == grouped
    assert any(c.value.startswith(f"Viser {grouped} av {grouped} planer") for c in at.caption)
    assert any(f"Side 1 av 30 (planer 1–40 av {grouped})" in c.value for c in at.caption)
    # the tables send the browser a thousand rows, not all (at 20 000 plans the element table was 3,5 MB)
    elements = next(d.value for d in at.dataframe if "1. Problembeskrivelse og mål" in d.value.columns
                    and "Pilot" in d.value.columns)
    assert len(elements) == len(plan_list(at)) == 1000
    assert sum(f"Viser de første 1\u00a0000 av {grouped} planer" in c.value for c in at.caption) == 2
    # the plan picker says where the others are, not in a tooltip only
    assert any(c.value.startswith(f"Listen har de første 1\u00a0000 av {grouped} planer") and "«Søk i planene»"
               in c.value for c in at.caption)
    # the figure's caption does not promise a table of all when the table shows the first thousand
    assert not any("Tabellen under har alle" in c.value for c in at.caption)
    # a search starts at its first page: page 30 of all became the last page of the search's
    at.number_input(key="planer_matrise_side").set_value(30).run()
    at.text_input(key="planer_sok").input("Pilot 1").run()
    assert any(c.value.startswith("Side 1 av 8 (planer 1–40 av 311)") for c in at.caption)


def test_with_no_forsok_in_the_filter_the_list_leaves_out_the_empty_regulation(monkeypatch, sample_db):
    at = open_page(monkeypatch, sample_db, {"forsok": "nei"})
    grid = next(d for d in at.dataframe if "Merknader" in d.value.columns)
    order = list(grid.proto.column_order)
    assert "Forsøk" not in order and "Regelverk det søkes unntak fra" not in order and "Pilot" in order


def link_of(at: AppTest) -> dict[str, list[str]]:
    """The page's query parameters, each as a list of its values."""
    return {k: [v] if isinstance(v, str) else list(v) for k, v in at.query_params.items()}


def test_a_shared_link_carries_planers_search_and_toggle(monkeypatch, sample_db):
    # The address stayed «/planer» after a search: a colleague opening the link saw every plan, not the two meant
    at = open_page(monkeypatch, sample_db)
    at.toggle(key="planer_uten_evaluering").set_value(True).run()
    at.text_input(key="planer_sok").input("kommune").run()
    assert link_of(at) == {"uten_evaluering": ["ja"], "sok": ["kommune"]}
    agency = sorted(plan_list(at))[0][0]
    at.multiselect(key="virksomhet").set_value([agency]).run()  # a filter change keeps them in the link
    link = link_of(at)
    assert link == {"uten_evaluering": ["ja"], "sok": ["kommune"], "virksomhet": [agency]}
    shown = plan_list(at)
    assert shown and len(shown) < len(names(sample_db))
    colleague = open_page(monkeypatch, sample_db, {k: v if len(v) > 1 else v[0] for k, v in link.items()})
    assert colleague.toggle(key="planer_uten_evaluering").value is True
    assert colleague.text_input(key="planer_sok").value == "kommune"
    assert plan_list(colleague) == shown
    colleague.toggle(key="planer_uten_evaluering").set_value(False).run()
    assert "uten_evaluering" not in link_of(colleague) and link_of(colleague)["sok"] == ["kommune"]


def test_a_link_whose_filter_has_no_plans_keeps_its_search_for_a_wider_filter(monkeypatch, sample_db):
    # The page stopped before drawing the search; widening the filter then wrote the search out of the link
    at = open_page(monkeypatch, sample_db, {"virksomhet": "Husbanken", "status": "Avbrutt", "sok": "kommune"})
    assert not at.text_input  # «Ingen planer passer filteret»
    at.multiselect(key="status").set_value([]).run()
    assert at.text_input(key="planer_sok").value == "kommune"
    assert link_of(at)["sok"] == ["kommune"]


def test_the_menus_link_back_to_planer_keeps_its_search_and_toggle(monkeypatch, sample_db):
    # Search «kommune», the toggle on, a look at Budsjett, and back through the menu: all 18 plans again
    at = open_page(monkeypatch, sample_db)
    at.toggle(key="planer_uten_evaluering").set_value(True).run()
    at.text_input(key="planer_sok").input("kommune").run()
    at.switch_page("pages/2_budsjett.py").run()
    [planer] = [e.proto for e in at.get("page_link") if e.proto.label == "Planer"]
    assert "sok=kommune" in planer.query_string and "uten_evaluering=ja" in planer.query_string
    [budsjett] = [e.proto for e in at.get("page_link") if e.proto.label == "Budsjett"]
    assert "sok" not in budsjett.query_string  # the other pages' links carry the filter only


def test_a_hand_written_link_may_say_1_for_ja_and_an_unknown_answer_is_named(monkeypatch, sample_db):
    # «uten_evaluering=1» showed every plan, without a word
    at = open_page(monkeypatch, sample_db, {"uten_evaluering": "1"})
    assert at.toggle(key="planer_uten_evaluering").value is True and not at.warning
    at = open_page(monkeypatch, sample_db, {"uten_evaluering": "kanskje"})
    assert at.toggle(key="planer_uten_evaluering").value is False
    assert [w.value for w in at.warning] == [
        "Ukjent i lenken: uten_evaluering=«kanskje» (forventet «ja»). Det er ikke med i valget."]


def test_the_matrices_pngs_are_named_after_the_filter_and_the_pages_choices(monkeypatch, sample_db):
    # the matrices show the plans the search leaves; their PNGs were named as if they showed every plan
    at = open_page(monkeypatch, sample_db, {"virksomhet": "Husbanken", "sok": "kommune"})
    names = [json.loads(c.proto.config)["toImageButtonOptions"]["filename"] for c in at.get("plotly_chart")]
    today = norwegian_today().isoformat()
    assert names == [f"pilotoversikt_brevets-seks-elementer-husbanken-sok-kommune_{today}",
                     f"pilotoversikt_elementene-per-virksomhet-husbanken-sok-kommune_{today}"]


def test_planer_lists_the_plans_in_the_order_of_the_deck_and_the_workbook(monkeypatch, sample_db):
    # Planer sorted each agency's plans by name, the deck's slide per plan and the workbook by the agency's own form:
    # walking through the slides beside the page, Digdir's and Kartverket's two plans came the other way round
    import io

    import pandas as pd
    from pptx import Presentation

    from exports.deck import build_deck
    from store import database
    from store.queries import PilotFilter
    from ui.downloads import export_bytes

    agencies = ("Digitaliseringsdirektoratet", "Kartverket")
    written = [name for _, name in rows(sample_db, "SELECT agency, pilot_name FROM pilot_plans_current WHERE agency "
                                                   "IN (SELECT unnest(?::VARCHAR[])) ORDER BY agency, start_year, "
                                                   "position", [list(agencies)])]
    assert written != sorted(written[:2]) + sorted(written[2:]), "the sample should write a plan out of name order"
    at = open_page(monkeypatch, sample_db, {"virksomhet": list(agencies)})
    frame = next(d.value for d in at.dataframe if "Merknader" in d.value.columns)
    assert frame["Pilot"].tolist() == written
    with database.open_store(sample_db, read_only=True) as con:
        deck = Presentation(io.BytesIO(build_deck(con, PilotFilter(agencies=agencies))))
    slide_titles = [s.shapes.title.text_frame.text for s in deck.slides if s.shapes.title is not None]
    assert [t for t in slide_titles if t in written] == written
    sheet = pd.read_excel(io.BytesIO(export_bytes("excel", PilotFilter(agencies=agencies))), sheet_name="Piloter",
                          engine="openpyxl")
    assert [name.removeprefix("'") for name in sheet["Pilotnavn"]] == written


def test_the_element_tables_have_short_headers_with_the_element_in_full_on_hover(monkeypatch, sample_db):
    # with the full names as headers, «6. Dokumentasjon og evaluering», where the gaps were, was out of view at
    # 1 280 and 1 440 px; the per-plan table showed elements 1–2 and no «Dekket»
    at = open_page(monkeypatch, sample_db)
    per_plan = next(d for d in at.dataframe if "Dekket" in d.value.columns)
    per_agency = next(d for d in at.dataframe if "Piloter" in d.value.columns and "Pilot" not in d.value.columns)
    assert list(per_plan.value.columns[:4]) == ["Virksomhet", "Pilot", "Dekket", "Mangler"]
    # what a plan lacks, in words beside its name, as the element columns further right have it
    by_pilot = per_plan.value.set_index("Pilot")
    assert by_pilot.loc["Dialogbasert veiledning for lokalsamfunn", "Mangler"] == "4. Deltakere, 6. Dok. og evaluering"
    element_columns = [c for c in per_plan.value.columns if c[0].isdigit()]
    for _, row in per_plan.value.iterrows():
        lacking = [json.loads(per_plan.proto.columns)[c]["label"] for c in element_columns if row[c] == "–"]
        # a plan with ✓* under 6 lacks evaluation, as «Bare planer uten evaluering» says: not «ingen»
        lacking += ["evaluering og gevinstmåling"] if row[element_columns[5]] == "✓*" else []
        assert row["Mangler"] == (", ".join(lacking) or "ingen")
    without_evaluation = set(rows(sample_db, "SELECT pilot_name FROM pilot_plans_current "
                                             "WHERE NOT describes_evaluation"))
    assert {(name,) for name, lacks in zip(per_plan.value["Pilot"], per_plan.value["Mangler"])
            if "evaluering" in lacks} == without_evaluation
    for grid in (per_plan, per_agency):
        config = json.loads(grid.proto.columns)
        headers = [(config[c]["label"], config[c]["help"]) for c in grid.value.columns if c[0].isdigit()]
        assert [label for label, _ in headers] == ["1. Problem og mål", "2. Omfang", "3. Tid", "4. Deltakere",
                                                   "5. Økonomi", "6. Dok. og evaluering"]
        assert headers[5][1] == "Element 6 i brevet: Dokumentasjon og evaluering"


def test_a_plan_without_evaluation_that_covers_element_6_says_why_in_full(monkeypatch, sample_db):
    # «Mangler evaluering» at the top of the plan, «✓ Dekket» on element 6 below it, and nothing said of why
    [(agency, name)] = rows(sample_db, "SELECT agency, pilot_name FROM pilot_plans_current WHERE covers_e6 AND "
                                       "coalesce(trim(evaluation), '') = '' ORDER BY agency, pilot_name LIMIT 1")
    at = open_page(monkeypatch, sample_db, {"virksomhet": agency})
    box = at.selectbox(key="planer_valgt")
    box.set_value(next(o for o in box.options if o.startswith(name))).run()
    captions = [c.value for c in at.caption]
    why = [c for c in captions if c.startswith("Dekket fordi «Dokumentasjon av funn» er fylt ut")]
    assert len(why) == 1, captions
    # and at the top, where «6 av 6 elementer» stands beside «Mangler evaluering», before the plan's sections
    top = [i for i, c in enumerate(captions) if c.startswith("Element 6 regnes som dekket fordi «Dokumentasjon av")]
    assert len(top) == 1 and top[0] < captions.index(why[0]), captions
    # a plan that describes its evaluation has no such words
    [(agency, name)] = rows(sample_db, "SELECT agency, pilot_name FROM pilot_plans_current WHERE "
                                       "coalesce(trim(evaluation), '') <> '' ORDER BY agency, pilot_name LIMIT 1")
    at = open_page(monkeypatch, sample_db, {"virksomhet": agency})
    box = at.selectbox(key="planer_valgt")
    box.set_value(next(o for o in box.options if o.startswith(name))).run()
    assert not any(c.value.startswith(("Dekket fordi", "Element 6 regnes som dekket")) for c in at.caption)
