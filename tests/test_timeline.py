"""The timeline's pure functions: collapsing, paging, reference labels and clicks, on synthetic frames."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from loaders.contract import PILOT_STATUSES
from ui import formatting as fmt
from ui import timeline
from ui.charts import STATUS_COLORS

AGENCIES = ["Husbanken", "Kartverket", "Statsbygg", "Valgdirektoratet", "Direktoratet for byggkvalitet",
            "Distriktssenteret", "Digitaliseringsdirektoratet"]


def synthetic_pilots(n: int) -> pd.DataFrame:
    """n pilots spread over the agencies, statuses and two years, from a fixed pattern."""
    starts = [pd.Timestamp(2023, 1, 1) + pd.Timedelta(days=(i * 37) % 700) for i in range(n)]
    return pd.DataFrame({
        "agency": [AGENCIES[i % len(AGENCIES)] for i in range(n)],
        "start_year": [2023 + i % 2 for i in range(n)],
        "pilot_name": [f"Pilot nr. {i}" for i in range(n)],
        "status": [PILOT_STATUSES[i % len(PILOT_STATUSES)] for i in range(n)],
        "start_date": starts,
        "end_date": [s + pd.Timedelta(days=90 + (i * 53) % 600) for i, s in enumerate(starts)],
    })


def synthetic_milestones(pilots: pd.DataFrame) -> pd.DataFrame:
    """One milestone and one phase per pilot."""
    rows = []
    for p in pilots.itertuples():
        rows.append((p.agency, p.start_year, p.pilot_name, "Oppstart", "Milepæl", p.start_date, pd.NaT, "Ferdig"))
        rows.append((p.agency, p.start_year, p.pilot_name, "Utprøving", "Fase", p.start_date,
                     p.start_date + pd.Timedelta(days=60), "Pågår"))
    return pd.DataFrame(rows, columns=["agency", "start_year", "pilot_name", "name", "kind", "from_date", "to_date",
                                       "status"])


def bar_rows(fig, names=PILOT_STATUSES) -> int:
    """How many bars the figure's traces with these names draw."""
    return sum(len(t.y) for t in fig.data if t.type == "bar" and t.name in names)


def test_collapsed_view_of_500_pilots_draws_at_most_one_bar_per_agency():
    pilots = synthetic_pilots(500)
    spans = timeline.agency_spans(pilots)
    fig = timeline.agency_gantt(spans, [])
    bars = [t for t in fig.data if t.type == "bar"]
    assert sum(len(t.y) for t in bars) <= len(AGENCIES)
    assert sum(int(s) for s in spans["pilots"]) == 500
    assert {t.customdata[i][0] for t in bars for i in range(len(t.y))} == set(AGENCIES)


def test_collapsed_bars_are_labelled_with_the_number_of_pilots():
    spans = timeline.agency_spans(synthetic_pilots(15))
    texts = list(timeline.agency_gantt(spans, []).data[0].text)
    assert texts == [f"{n} piloter" if n > 1 else "1 pilot" for n in spans["pilots"]]


def test_paging_500_pilots_gives_25_per_page_and_the_rest_on_the_last():
    pilots = synthetic_pilots(500)
    assert timeline.page_count(len(pilots)) == 20
    assert all(len(timeline.page(pilots, n)) == 25 for n in range(1, 21))
    seen = pd.concat([timeline.page(pilots, n) for n in range(1, 21)])
    assert seen["pilot_name"].is_unique and len(seen) == 500
    assert len(timeline.page(synthetic_pilots(60), 3)) == 10


def test_a_page_number_beyond_the_last_gives_the_last_page():
    pilots = synthetic_pilots(60)
    assert timeline.page(pilots, 99).equals(timeline.page(pilots, 3))


def test_per_pilot_figure_of_one_page_draws_25_pilot_bars_with_their_phases_and_milestones():
    pilots = synthetic_pilots(500)
    shown = timeline.page(timeline.ordered(pilots), 2)
    fig = timeline.pilot_gantt(shown, synthetic_milestones(pilots), [])
    assert bar_rows(fig) == 25
    assert bar_rows(fig, ["Fase"]) == 25
    diamonds = next(t for t in fig.data if t.name == "Milepæl")
    assert len(diamonds.x) == 25 and diamonds.marker.symbol == "diamond"
    assert diamonds.hovertext[0].startswith("Oppstart – ")


def test_a_bar_is_drawn_through_its_last_day():
    # a bar to 31.12.2024 stopped at midnight before it: the pilot's last day, and a one-day phase, not drawn
    pilots = synthetic_pilots(1).assign(start_date=pd.Timestamp(2024, 3, 1), end_date=pd.Timestamp(2024, 12, 31))
    milestones = synthetic_milestones(pilots).assign(to_date=[pd.NaT, pd.Timestamp(2024, 3, 1)])
    fig = timeline.pilot_gantt(timeline.ordered(pilots), milestones, [])
    for name, last_day in ((pilots["status"][0], dt.date(2024, 12, 31)), ("Fase", dt.date(2024, 3, 1))):
        bar = next(t for t in fig.data if t.type == "bar" and t.name == name)
        ends = pd.Timestamp(bar.base[0]) + pd.Timedelta(milliseconds=bar.x[0])
        assert ends == pd.Timestamp(last_day + dt.timedelta(days=1)), (name, ends)


@pytest.mark.parametrize("n", [1, 3, 25])
def test_every_row_of_the_per_pilot_figure_is_in_view_the_first_agencys_heading_too(n):
    fig = timeline.pilot_gantt(synthetic_pilots(n), synthetic_milestones(synthetic_pilots(0)), [])
    bottom, top = fig.layout.yaxis.range
    ticks = list(fig.layout.yaxis.tickvals)
    assert fig.layout.yaxis.ticktext[0].startswith("<b>")  # the first row is an agency's heading, without a bar
    assert top < min(ticks) and max(ticks) < bottom  # top to bottom, every labelled row inside the range


def test_pilot_bars_carry_the_status_in_colour_pattern_and_legend_and_the_name_beside_them():
    pilots = synthetic_pilots(8)
    fig = timeline.pilot_gantt(pilots, synthetic_milestones(synthetic_pilots(0)), [])
    statuses = [t for t in fig.data if t.name in PILOT_STATUSES]
    for trace in statuses:
        assert trace.marker.color
        assert not trace.text  # the name over a pattern was hard to read: it is on the axis, and in the hover
        assert trace.hovertemplate.startswith("<b>%{customdata[1]}</b>")  # the name, whole
    assert set(pilots["pilot_name"]) <= {t.replace("<br>", " ") for t in fig.layout.yaxis.ticktext}
    assert {t.name for t in fig.data} == set(PILOT_STATUSES)
    shapes = [t.marker.pattern.shape or "" for t in statuses]
    assert len(set(shapes)) == len(statuses), "each status needs its own pattern, not colour alone"


def test_many_pilots_start_collapsed_and_a_few_do_not():
    assert timeline.default_view(timeline.COLLAPSE_ABOVE + 1) == timeline.VIEW_AGENCY
    assert timeline.default_view(5) == timeline.VIEW_PILOT
    assert timeline.default_view(timeline.COLLAPSE_ABOVE + 1, agency_count=1) == timeline.VIEW_PILOT
    # more agencies than a page of bars: one bar per ministry, where there are several
    many = timeline.AGENCIES_PER_PAGE + 1
    assert timeline.default_view(20_000, many, ministry_count=16) == timeline.VIEW_MINISTRY
    assert timeline.default_view(20_000, many, ministry_count=1) == timeline.VIEW_AGENCY
    assert timeline.default_view(20_000, timeline.AGENCIES_PER_PAGE, ministry_count=16) == timeline.VIEW_AGENCY
    assert timeline.views(1) == (timeline.VIEW_AGENCY, timeline.VIEW_PILOT)  # one ministry's bar says nothing
    assert timeline.views(2)[0] == timeline.VIEW_MINISTRY


def test_a_ministrys_bar_spans_its_agencies_pilots_and_counts_them():
    register = pd.DataFrame({"name": ["Husbanken", "Kartverket", "Datatilsynet"], "ministry": ["KDD", "KDD", "DFD"],
                             "ministry_name": ["Kommunal- og distriktsdepartementet", "Kommunal- og "
                                               "distriktsdepartementet", None]})
    pilots = pd.DataFrame({
        "agency": ["Husbanken", "Husbanken", "Kartverket", "Datatilsynet", "Ukjent etat"],
        "pilot_name": ["A", "B", "C", "D", "E"], "status": ["Planlagt", "Pågår", "Pågår", "Planlagt", "Planlagt"],
        "start_date": pd.to_datetime(["2024-03-01", "2024-01-15", "2025-01-01", "2024-06-01", "2024-02-01"]),
        "end_date": pd.to_datetime(["2024-12-31", "2025-06-30", "2026-03-31", "2024-12-31", "2024-09-30"])})
    spans = timeline.agency_spans(timeline.with_ministry(pilots, register), by="ministry_name")
    table = timeline.agency_table(spans, per_ministry=True)
    # a ministry without a full name in the register goes by its short name; an agency outside it, by none
    assert table.to_dict("records") == [
        {"Departement": "DFD", "Virksomheter": 1, "Piloter": 1, "Status": "1 planlagt",
         "Første start": dt.date(2024, 6, 1), "Siste slutt": dt.date(2024, 12, 31)},
        {"Departement": "Kommunal- og distriktsdepartementet", "Virksomheter": 2, "Piloter": 3,
         "Status": "1 planlagt, 2 pågår", "Første start": dt.date(2024, 1, 15), "Siste slutt": dt.date(2026, 3, 31)},
        {"Departement": "Uten departement", "Virksomheter": 1, "Piloter": 1, "Status": "1 planlagt",
         "Første start": dt.date(2024, 2, 1), "Siste slutt": dt.date(2024, 9, 30)}]
    fig = timeline.agency_gantt(spans, [], per_ministry=True)
    assert list(fig.data[0].text) == ["1 pilot i 1 virksomhet", "3 piloter i 2 virksomheter", "1 pilot i 1 virksomhet"]
    assert fig.data[0].name == "Piloter i departementet (klikk for å velge)"
    # the filter cannot choose agencies outside the register: that bar promises no click
    assert [c[5] for c in fig.data[0].customdata] == ["Klikk for å vise bare denne"] * 2 + [
        "Virksomheter som ikke står i registeret"]


def test_an_agency_whose_pilots_are_all_cancelled_is_grey_and_says_so():
    # drawn like the others, DSS's one cancelled pilot read as «1 pilot» under way
    pilots = synthetic_pilots(6).assign(agency=["DSS", "DSS", "Husbanken", "Husbanken", "Kartverket", "Kartverket"],
                                        status=["Avbrutt", "Avbrutt", "Avbrutt", "Pågår", "Planlagt", "Planlagt"])
    fig = timeline.agency_gantt(timeline.agency_spans(pilots), [])
    bars = {t.name: t for t in fig.data}
    cancelled = bars["Bare avbrutte piloter (klikk for å velge)"]
    under_way = bars["Piloter i virksomheten (klikk for å velge)"]
    assert list(cancelled.text) == ["2 piloter, avbrutt"] and [c[0] for c in cancelled.customdata] == ["DSS"]
    assert cancelled.marker.color == STATUS_COLORS["Avbrutt"] != under_way.marker.color
    # one cancelled of two is still an agency with a pilot under way; every agency keeps its row, in order
    assert list(under_way.text) == ["2 piloter", "2 piloter"]
    assert list(cancelled.y) == [0] and list(under_way.y) == [1, 2]
    assert list(fig.layout.yaxis.ticktext) == ["DSS", "Husbanken", "Kartverket"]
    # with none cancelled, no grey bar in the legend
    assert [t.name for t in timeline.agency_gantt(timeline.agency_spans(pilots.iloc[2:]), []).data] == [
        "Piloter i virksomheten (klikk for å velge)"]


def test_the_reference_lines_run_behind_the_bars_and_their_labels():
    # drawn over the bars, the deadline lines cut through «2 piloter» and «5 piloter»
    refs = [timeline.Reference("deadline", "Frist oppstart 2024: 31.10.2023", dt.date(2023, 10, 31)),
            timeline.Reference("today", "I dag 17.05.2024", dt.date(2024, 5, 17))]
    for fig in (timeline.agency_gantt(timeline.agency_spans(synthetic_pilots(6)), refs),
                timeline.pilot_gantt(synthetic_pilots(3), synthetic_milestones(synthetic_pilots(3)), refs)):
        assert len(fig.layout.shapes) == 2 and all(s.layer == "below" for s in fig.layout.shapes)


def test_references_are_labelled_in_norwegian_with_norwegian_dates():
    rounds = pd.DataFrame({"start_year": [2023, 2024], "deadline": pd.to_datetime(["2023-08-25", "2023-10-31"]),
                           "description": ["Runde 2023", "Runde 2024"]})
    events = pd.DataFrame({"label": ["Erfaringsdelingsseminar"], "start_date": pd.to_datetime(["2023-09-01"]),
                           "end_date": pd.to_datetime(["2023-11-30"]), "note": [None]})
    settings = {"reform_start": dt.date(2022, 1, 1), "reform_end": dt.date(2025, 12, 31)}
    refs = timeline.references(rounds, events, settings, dt.date(2024, 5, 17))
    labels = [r.label for r in refs]
    assert "Frist oppstart 2023: 25.08.2023" in labels
    assert "Frist oppstart 2024: 31.10.2023" in labels
    assert "Erfaringsdelingsseminar" in labels
    assert "Reformperioden 2022–2025" in labels
    assert "I dag 17.05.2024" in labels
    fig = timeline.pilot_gantt(synthetic_pilots(3), synthetic_milestones(synthetic_pilots(0)), refs)
    assert {a.text for a in fig.layout.annotations} >= set(labels)
    assert any(s.line.dash == "dash" for s in fig.layout.shapes)


def test_labels_close_in_time_are_put_on_different_levels():
    refs = [timeline.Reference("deadline", "Frist oppstart 2023: 25.08.2023", dt.date(2023, 8, 25)),
            timeline.Reference("event", "Erfaringsdelingsseminar", dt.date(2023, 9, 1), dt.date(2023, 11, 30)),
            timeline.Reference("today", "I dag 01.01.2027", dt.date(2027, 1, 1))]
    span = (dt.date(2022, 1, 1), dt.date(2027, 1, 1))
    levels = timeline.label_levels(refs, span)
    assert levels[0] != levels[1]
    extents = timeline.label_extents(refs, span)
    for a in range(len(refs)):  # labels on one level never overlap, as a 1024 px window draws them
        for b in range(a + 1, len(refs)):
            if levels[a] == levels[b]:
                assert extents[a][1] <= extents[b][0] or extents[b][1] <= extents[a][0]
    assert extents[2][1:] == (dt.date(2027, 1, 1), "right")  # «I dag» at the end ends at its date, inside the plot


def test_labels_far_apart_share_the_first_level():
    refs = [timeline.Reference("deadline", "Frist 2023", dt.date(2023, 1, 1)),
            timeline.Reference("deadline", "Frist 2030", dt.date(2030, 1, 1))]
    assert timeline.label_levels(refs, (dt.date(2022, 1, 1), dt.date(2031, 1, 1))) == [0, 0]


@pytest.mark.parametrize(("selection", "expected"), [
    ({"points": [{"customdata": ["Husbanken", "3 piloter"]}]}, ["Husbanken"]),
    ({"points": [{"customdata": ["Husbanken"]}, {"customdata": ["Kartverket"]}, {"customdata": ["Husbanken"]}]},
     ["Husbanken", "Kartverket"]),
    ({"points": []}, []),
    (None, []),
])
def test_a_click_on_an_agency_bar_names_that_agency(selection, expected):
    assert timeline.selected_agencies(selection) == expected


def test_the_tables_count_phases_and_milestones_per_pilot():
    pilots = synthetic_pilots(4)
    table = timeline.pilot_table(pilots, synthetic_milestones(pilots))
    assert list(table.columns) == ["Virksomhet", "Pilot", "Status", "Start", "Slutt", "Faser", "Milepæler"]
    assert table["Faser"].tolist() == [1] * 4 and table["Milepæler"].tolist() == [1] * 4
    assert len(timeline.milestone_table(synthetic_milestones(pilots))) == 8


def test_an_event_without_a_note_or_end_is_a_line_without_stray_text():
    events = pd.DataFrame({"label": ["Samling"], "start_date": pd.to_datetime(["2024-03-01"]),
                           "end_date": [pd.NaT], "note": [None]})
    rounds = pd.DataFrame({"start_year": [2024], "deadline": pd.to_datetime(["2023-10-31"]), "description": [None]})
    refs = timeline.references(rounds, events, {}, None)
    assert [(r.kind, r.label, r.end) for r in refs] == [("deadline", "Frist oppstart 2024: 31.10.2023", None),
                                                        ("event", "Samling", None)]
    assert "nan" not in refs[0].hover and "nan" not in refs[1].hover
    assert refs[1].hover == "Samling 01.03.2024"


def test_the_budget_chart_draws_the_thirty_largest_and_tells_the_rest_in_words():
    from ui import charts

    pilots = pd.DataFrame({"agency": [f"Etat {i:03d}" for i in range(400)], "within_budget_frame": "Ja",
                           "budget_total_nok": [1000.0 * (i + 1) for i in range(400)]})
    fig = charts.budget_by_agency(charts.budget_per_agency(pilots))
    bars = next(t for t in fig.data if t.type == "bar")
    largest = pilots.nlargest(charts.MAX_BARS, "budget_total_nok")
    assert list(bars.y) == largest["agency"].tolist()[::-1]  # the largest at the top
    # the axis fits the drawn bars, in millions as the key figures: no summed bar of the rest squeezes them
    top = largest["budget_total_nok"].max() / 1e6
    assert top <= fig.layout.xaxis.range[1] < 2 * top and fig.layout.xaxis.title.text == "Budsjett (mill. kr)"
    assert sum(bars.x) == pytest.approx(largest["budget_total_nok"].sum() / 1e6)
    totals = pilots.set_index("agency")["budget_total_nok"]
    rest = totals.drop(largest["agency"]).sum()
    note = fmt.rest_note(totals, charts.MAX_BARS, "tabellen")
    assert note == (f"Figuren viser de 30 største av 400 virksomheter. De 370 andre har til sammen "
                    f"{fmt.kr_short(rest)} og står i tabellen.")
    assert fmt.rest_note(totals.head(30), charts.MAX_BARS, "tabellen") == ""


@pytest.mark.parametrize("agencies", [1, 3, 30, 45])
def test_the_budget_bars_fill_the_chart_from_the_legend_down(agencies):
    """The totals' text trace made plotly pad the axis: at M, 100 px of white between the legend and the first bar."""
    from ui import charts

    pilots = pd.DataFrame({"agency": [f"Etat {i:03d}" for i in range(agencies)], "within_budget_frame": "Ja",
                           "budget_total_nok": [1e6 * (i + 1) for i in range(agencies)]})
    fig = charts.budget_by_agency(charts.budget_per_agency(pilots))
    drawn = len(next(t for t in fig.data if t.type == "bar").y)
    low, high = fig.layout.yaxis.range
    # categories sit at 0 … drawn-1: each bar inside, and no more than half a bar spare at either end
    assert -0.5 <= low < 0 and drawn - 1 < high <= drawn - 0.5


def test_the_budget_legend_reads_in_the_order_of_the_key_figures_and_the_bars():
    from loaders.contract import BUDGET_FRAME_ANSWERS
    from ui import charts

    pilots = pd.DataFrame({"agency": ["A", "A", "B"], "within_budget_frame": ["Nei", "Ja", "Delvis"],
                           "budget_total_nok": [1.0, 2.0, 3.0]})
    fig = charts.budget_by_agency(charts.budget_per_agency(pilots))
    names = [t.name for t in fig.data if t.type == "bar"]
    # the page's key figures and table: Innenfor, Delvis, Utenfor; plotly would list a stack's legend backwards
    assert names == ["Innenfor rammer", "Delvis innenfor", "Utenfor rammer"]
    assert fig.layout.legend.traceorder == "normal"
    assert set(charts.FRAME_LABELS) == set(BUDGET_FRAME_ANSWERS)


def test_the_milestone_window_offers_the_quarters_from_todays_to_the_last_milestone():
    milestones = pd.DataFrame({"from_date": pd.to_datetime(["2026-12-10", "2027-02-01"]),
                               "to_date": pd.to_datetime([None, "2027-05-15"])})
    assert timeline.window_choices(milestones, dt.date(2026, 11, 30)) == [
        "Alle datoer", "Fra i dag", "4. kvartal 2026", "1. kvartal 2027", "2. kvartal 2027"]


def test_the_milestone_window_offers_the_quarters_gone_by_after_those_to_come_the_nearest_first():
    # «hva skjedde i tredje kvartal?»: with more milestones than a table shows, «Alle datoer» shows the oldest only
    milestones = pd.DataFrame({"from_date": pd.to_datetime(["2026-03-31", "2027-02-01"]),
                               "to_date": pd.to_datetime([None, None])})
    assert timeline.window_choices(milestones, dt.date(2026, 11, 30)) == [
        "Alle datoer", "Fra i dag", "4. kvartal 2026", "1. kvartal 2027",
        "3. kvartal 2026", "2. kvartal 2026", "1. kvartal 2026"]
    # every milestone gone by (the sample's, since 1.12.2026): no quarter of today's, the past ones from the newest
    gone = pd.DataFrame({"from_date": pd.to_datetime(["2025-12-31", "2026-05-02"]),
                         "to_date": pd.to_datetime(["2026-01-02", None])})
    assert timeline.window_choices(gone, dt.date(2026, 11, 30)) == [
        "Alle datoer", "Fra i dag", "2. kvartal 2026", "1. kvartal 2026", "4. kvartal 2025"]
    # a phase from the last day of 2025 into 2026 is in both quarters, and either one shows it
    assert list(timeline.in_window(gone, "4. kvartal 2025", dt.date(2026, 11, 30))["from_date"]) == [
        pd.Timestamp("2025-12-31")]


def test_a_quarter_holds_its_milestones_and_the_phases_that_run_into_it():
    # «hva skjer i første kvartal neste år?»
    milestones = pd.DataFrame({
        "name": ["før", "i kvartalet", "fase inn i det", "fase etter", "siste dag"],
        "from_date": pd.to_datetime(["2026-12-31", "2027-01-15", "2026-11-01", "2027-04-01", "2027-03-31"]),
        "to_date": pd.to_datetime([None, None, "2027-01-10", "2027-06-30", None])})
    today = dt.date(2026, 11, 30)
    assert list(timeline.in_window(milestones, "1. kvartal 2027", today)["name"]) == [
        "i kvartalet", "fase inn i det", "siste dag"]
    assert list(timeline.in_window(milestones, "Fra i dag", today)["name"]) == [
        "før", "i kvartalet", "fase inn i det", "fase etter", "siste dag"]
    assert len(timeline.in_window(milestones, "Alle datoer", today)) == 5


def test_the_milestone_table_opens_on_what_comes_only_when_every_date_would_not_fit():
    today = dt.date(2026, 11, 30)
    days = pd.to_datetime(["2026-01-15"] * 5 + ["2027-01-15"])
    milestones = pd.DataFrame({"from_date": days, "to_date": pd.to_datetime([None] * 6)})
    assert timeline.default_window(milestones, today, 5) == "Fra i dag"  # the first 5 by date are the oldest
    assert timeline.default_window(milestones, today, 6) == "Alle datoer"
    # nothing comes: «Fra i dag» would be empty, though the list offers quarters gone by
    assert timeline.default_window(milestones.iloc[:5], today, 4) == "Alle datoer"
    assert len(timeline.window_choices(milestones.iloc[:5], today)) > 2


def test_the_budget_per_year_table_has_its_categories_in_the_legends_order():
    from ui import charts

    lines = pd.DataFrame({"year": [2024, 2024, 2025, 2025], "category": ["Annet", "Lønn", "Drift", "Innkjøp"],
                          "amount_nok": [1.0, 2.0, 3.0, 4.0]})
    table = charts.budget_per_year(lines)
    assert list(table.columns) == ["Lønn", "Innkjøp", "Drift", "Annet"]  # not alphabetical: as the legend reads
    assert [t.name for t in charts.budget_by_year(table).data if t.type == "bar"] == list(table.columns)
    assert table.loc[2024, "Lønn"] == 2.0 and table.loc[2025, "Annet"] == 0


def test_every_chart_keeps_the_house_style_where_it_sets_its_own_axes():
    # Built with its whole layout at once (issue 5): a chart's own axis title or settings must not drop the dark
    # axis text that makes its labels readable in Streamlit's chart theme (4.5:1), nor the Norwegian separators
    from ui import charts, plans

    pilots = pd.DataFrame({"agency": ["A", "B"], "within_budget_frame": ["Ja", "Nei"],
                           "budget_total_nok": [1.5e6, 2.0e6]})
    lines = pd.DataFrame({"year": [2024], "category": ["Lønn"], "amount_nok": [1.0]})
    coverage = pd.DataFrame({"agency": ["A"], "pilots": [2], **{c: [1] for c in plans.ELEMENT_COLUMNS}})
    figures = {"budget_by_agency": charts.budget_by_agency(charts.budget_per_agency(pilots)),
               "budget_by_year": charts.budget_by_year(charts.budget_per_year(lines)),
               "agency_matrix": plans.agency_matrix(coverage)}
    for name, fig in figures.items():
        layout = fig.layout
        assert layout.separators == ", " and layout.font.color == charts.TEXT, name
        for axis in (layout.xaxis, layout.yaxis):
            assert axis.tickfont.color == charts.TEXT and axis.title.font.color == charts.TEXT, name
    by_year = figures["budget_by_year"].layout
    assert (by_year.xaxis.title.text, by_year.yaxis.title.text, by_year.legend.title.text) == ("År", "mill. kr",
                                                                                                 "Kategori")
    assert figures["budget_by_agency"].layout.margin.r == charts.TOTAL_LABEL_PX  # room for the totals
    assert figures["agency_matrix"].layout.xaxis.side == "top" and figures["agency_matrix"].layout.margin.t == 80


def test_the_budget_charts_label_every_total_in_millions_as_their_axes():
    # Budsjett labelled small agencies «600 000 kr» beside «1,0 mill. kr» on an axis in mill. kr: two units in one chart
    from ui import charts

    pilots = pd.DataFrame({"agency": ["Stor", "Liten", "Minst"], "within_budget_frame": "Ja",
                           "budget_total_nok": [7_050_000.0, 600_000.0, 40_000.0]})
    fig = charts.budget_by_agency(charts.budget_per_agency(pilots))
    labels = [t.strip() for t in next(t for t in fig.data if t.type == "scatter").text]
    assert sorted(labels) == sorted(f"{n}{fmt.NBSP}mill.{fmt.NBSP}kr" for n in ("7,1", "0,6", "0,04"))
    lines = pd.DataFrame({"year": [2024, 2025], "category": "Lønn", "amount_nok": [250_000.0, 1_500_000.0]})
    by_year = charts.budget_by_year(charts.budget_per_year(lines))
    assert list(next(t for t in by_year.data if t.type == "scatter").text) == [
        f"0,3{fmt.NBSP}mill.{fmt.NBSP}kr", f"1,5{fmt.NBSP}mill.{fmt.NBSP}kr"]


def test_a_long_agency_name_on_a_charts_axis_keeps_its_abbreviation_where_it_is_cut():
    # «Departementenes sikkerhets- og servic…», and «Direktoratet for distriktsutvikling 0…» for two agencies
    from ui import plans

    long_names = {"Departementenes sikkerhets- og serviceorganisasjon": "DSS",
                  "Direktoratet for distriktsutvikling og forvaltning 016": "DDF016",
                  "Direktoratet for distriktsutvikling og forvaltning 017": "DDF017", "Husbanken": "HB"}
    assert fmt.agency_label("Departementenes sikkerhets- og serviceorganisasjon", "DSS", 38) == \
        "Departementenes sikkerhets- og… (DSS)"
    assert fmt.agency_label("Husbanken", "HB", 38) == "Husbanken"  # a name that fits is left whole
    assert fmt.agency_label("Departementenes sikkerhets- og serviceorganisasjon", "", 38) == \
        "Departementenes sikkerhets- og servic…"  # without an abbreviation, cut as before
    pilots = synthetic_pilots(8).assign(agency=[list(long_names)[i % 4] for i in range(8)])
    gantt = timeline.agency_gantt(timeline.agency_spans(pilots), [], long_names)
    by_pilot = timeline.pilot_gantt(timeline.ordered(pilots), synthetic_milestones(pilots), [], long_names)
    coverage = plans.agency_coverage(pilots.assign(**{f"covers_e{e}": True for e in range(1, 7)}))
    matrix = plans.agency_matrix(coverage, long_names)
    for labels, limit in ((list(gantt.layout.yaxis.ticktext), timeline.MAX_TICK_CHARS),
                          (list(matrix.layout.yaxis.ticktext), plans.MAX_TICK_CHARS),
                          ([t.removeprefix("<b>").removesuffix("</b>") for t in by_pilot.layout.yaxis.ticktext
                            if t.startswith("<b>")], timeline.MAX_TICK_CHARS)):
        assert len(set(labels)) == 4, labels  # the two «Direktoratet for distriktsutvikling …» apart
        assert "Husbanken" in labels and all(len(label) <= limit for label in labels), labels
        assert all(label.endswith(f"({long_names[name]})") for name, label in zip(sorted(long_names), sorted(labels))
                   if name != "Husbanken"), labels


def test_a_pilots_name_on_the_timeline_takes_two_lines_before_it_is_cut():
    # cut to one line, «Medarbeiderdrevet forbedring i landmå…» stood beside a half-empty chart
    pilots = synthetic_pilots(3)
    names = ["Medarbeiderdrevet forbedring i landmålingen", "Kort navn",
             "Tillitsbasert samhandling med kommunene om startlån og bostøtte i hele landet fra 2025"]
    pilots["pilot_name"] = names
    pilots["agency"] = AGENCIES[0]
    ticks = list(timeline.pilot_gantt(pilots, synthetic_milestones(pilots.iloc[:0]), []).layout.yaxis.ticktext)[1:]
    assert ticks[0].replace("<br>", " ") == names[0] and "<br>" in ticks[0]  # whole, on two lines
    assert ticks[1] == "Kort navn"
    first, second = ticks[2].split("<br>")
    assert second.endswith("…") and names[2].startswith(f"{first} {second[:-1]}")
    assert max(len(line) for tick in ticks for line in tick.split("<br>")) <= timeline.PILOT_TICK_CHARS


def test_every_pilot_milestone_and_phase_lies_within_the_timelines_axis():
    # the axis is fixed with a margin («I dag» stood on its edge): it must still hold an evaluation after the
    # pilot's end, and a milestone before its start, which the form allows
    pilots = synthetic_pilots(1)
    pilots["start_date"], pilots["end_date"] = pd.Timestamp(2023, 1, 1), pd.Timestamp(2023, 4, 1)
    stones = synthetic_milestones(pilots)
    stones.loc[0, "from_date"] = pd.Timestamp(2023, 9, 28)  # «Evaluering» half a year after the end
    stones.loc[1, ["from_date", "to_date"]] = pd.Timestamp(2022, 10, 1), pd.Timestamp(2023, 10, 8)
    low, high = (pd.Timestamp(x) for x in timeline.pilot_gantt(pilots, stones, []).layout.xaxis.range)
    for day in ("2022-10-01", "2023-01-01", "2023-09-28", "2023-10-08"):
        assert low < pd.Timestamp(day) < high, day
    # with a margin at each end, as the references have
    assert pd.Timestamp(2023, 10, 8) + pd.Timedelta(days=13) < high
