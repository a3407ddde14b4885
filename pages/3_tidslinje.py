"""Tidslinje: when each pilot runs, with its phases and milestones, against the rounds, the seminar and the reform."""

import streamlit as st

from loaders.values import norwegian_today
from ui import filters, store_access, timeline
from ui import formatting as fmt
from ui.downloads import chart_config
from ui.layout import page_setup
from ui.page_parts import DATE, TABLE_LIMIT, capped, export_row, figure_page, moves_note, text_width

# the milestones' table at 1 280 px: its name and agency whole for most, its status in view beside them
MILESTONE_NAME_PX, AGENCY_PX = 220, 170
VIEW_KEY = "tidslinje_visning"
# The view the user chose, kept apart from the switch's own state, which Streamlit drops when the
# user leaves the page: back on Tidslinje the switch showed no choice and the automatic view.
VIEW_CHOSEN_KEY = "_tidslinje_visning_valgt"
VIEW_SHOWN_KEY = "_tidslinje_visning_vist"
PAGE_KEY = "tidslinje_side"
AGENCY_PAGE_KEY = "tidslinje_side_virksomheter"
CHART_KEY = "tidslinje_chart"
MINISTRY_CHART_KEY = "tidslinje_chart_departementer"
COUNT = st.column_config.NumberColumn(format="%' ,d")  # «1 250», as the bar beside it says it (as KRONER groups)
WINDOW_KEY = "tidslinje_milepaeler_naar"
WINDOW_CHOSEN_KEY = "_tidslinje_milepaeler_naar_valgt"


def _remember_view_choice() -> None:
    """Once the user picks a view, keep it; a click on the view already shown keeps it too (not «no view»)."""
    if st.session_state.get(VIEW_KEY) is None:
        st.session_state[VIEW_KEY] = st.session_state.get(VIEW_SHOWN_KEY)
    st.session_state[VIEW_CHOSEN_KEY] = st.session_state[VIEW_KEY]


def _remember_window_choice() -> None:
    """Keep the window the user picks for the milestones, apart from the widget's state (see WINDOW_CHOSEN_KEY)."""
    st.session_state[WINDOW_CHOSEN_KEY] = st.session_state[WINDOW_KEY]


def _filter_to_clicked_agency() -> None:
    """A click on an agency's bar filters the whole app to it; one agency opens per pilot by itself.

    The view is not marked as chosen, so «Nullstill filter» goes back to one bar per agency.
    """
    event = st.session_state.get(CHART_KEY) or {}
    names = timeline.selected_agencies(event.get("selection"))
    if names:
        filters.select_agencies(names)
        st.session_state.pop(VIEW_CHOSEN_KEY, None)
        st.session_state[PAGE_KEY] = 1


def _filter_to_clicked_ministry() -> None:
    """A click on a ministry's bar filters the whole app to it, which then opens per agency (or per pilot), keeping
    the agencies chosen before that are under it. «Uten departement» (agencies outside the register, which the
    filter cannot choose) does nothing, and its hover says no click."""
    event = st.session_state.get(MINISTRY_CHART_KEY) or {}
    short = _ministry_short_names()
    chosen = [short[n] for n in timeline.selected_agencies(event.get("selection")) if n in short]
    if not chosen:
        return
    register = store_access.frame("agencies")
    ministry_of = dict(zip(register["name"], register["ministry"]))
    filters.select_ministries(chosen, [a for a in filters.chosen_agencies() if ministry_of.get(a) in chosen])
    st.session_state.pop(VIEW_CHOSEN_KEY, None)
    st.session_state[PAGE_KEY] = 1
    st.session_state[AGENCY_PAGE_KEY] = 1


def _ministry_short_names() -> dict[str, str]:
    """Each ministry's name (as the bars say it) → its short name (as the filter takes it)."""
    register = store_access.frame("agencies")
    return dict(zip(timeline.ministry_labels(register), register["ministry"]))


def _choose_view(pilots) -> str:
    """The view switch: the user's choice, else per ministry, per agency or per pilot by how many there are."""
    ministries = pilots.loc[pilots["ministry_name"] != timeline.NO_MINISTRY, "ministry_name"].nunique()
    options = timeline.views(ministries)
    chosen = st.session_state.get(VIEW_CHOSEN_KEY)
    view = chosen if chosen in options else timeline.default_view(len(pilots), pilots["agency"].nunique(), ministries)
    st.session_state[VIEW_KEY] = view
    st.session_state[VIEW_SHOWN_KEY] = view
    st.segmented_control("Visning", options, key=VIEW_KEY, on_change=_remember_view_choice,
                         help=f"Med flere enn {timeline.COLLAPSE_ABOVE} piloter fra flere virksomheter vises én linje "
                              f"per virksomhet først, og med flere enn {timeline.AGENCIES_PER_PAGE} virksomheter én "
                              "linje per departement.")
    return view


def _ministry_view(pilots, refs) -> None:
    """One bar per ministry; a click filters to it."""
    spans = timeline.agency_spans(pilots, by="ministry_name")
    short = {name: s for name, s in _ministry_short_names().items() if name != s}
    st.plotly_chart(timeline.agency_gantt(spans, refs, short, per_ministry=True), key=MINISTRY_CHART_KEY,
                    on_select=_filter_to_clicked_ministry, selection_mode="points",
                    config=chart_config("tidslinje per departement", f))
    st.caption("Hver linje går fra den første oppstarten til den siste avslutningen blant virksomhetene under "
               "departementet (det de hører under i dag). Klikk på en linje for å vise bare det departementet.")
    st.subheader("Per departement")
    table = timeline.agency_table(spans, per_ministry=True)
    st.dataframe(table, hide_index=True, placeholder="–",
                 column_config={"Første start": DATE, "Siste slutt": DATE,
                                "Status": st.column_config.TextColumn(width=text_width(table["Status"])),
                                "Piloter": COUNT, "Virksomheter": COUNT})


def _agency_view(pilots, refs) -> None:
    """One bar per agency, a page of them at a time; a click filters to it."""
    spans = timeline.agency_spans(pilots)
    number = figure_page(len(spans), timeline.AGENCIES_PER_PAGE, AGENCY_PAGE_KEY, "virksomheter",
                         "i alfabetisk rekkefølge")
    shown = timeline.page(spans, number, timeline.AGENCIES_PER_PAGE)
    st.plotly_chart(timeline.agency_gantt(shown, refs, store_access.abbreviations()), key=CHART_KEY,
                    on_select=_filter_to_clicked_agency, selection_mode="points",
                    config=chart_config("tidslinje per virksomhet", f, number))
    st.caption("Hver linje går fra virksomhetens første oppstart til siste avslutning. Klikk på en linje for å "
               "vise bare den virksomhetens piloter.")
    st.subheader("Per virksomhet")
    table = timeline.agency_table(spans)
    st.dataframe(table, hide_index=True, placeholder="–",
                 column_config={"Første start": DATE, "Siste slutt": DATE,
                                "Piloter": st.column_config.NumberColumn(format="%d"),
                                "Status": st.column_config.TextColumn(width=text_width(table["Status"]))})


def _pilot_view(pilots, milestones, refs) -> None:
    """The pilots of one page as bars, with phases and milestones."""
    number = figure_page(len(pilots), timeline.PER_PAGE, PAGE_KEY, "piloter", "sortert etter virksomhet og startdato",
                         table_has_all=len(pilots) <= TABLE_LIMIT)
    shown = timeline.page(timeline.ordered(pilots), number)
    st.plotly_chart(timeline.pilot_gantt(shown, milestones, refs, store_access.abbreviations()),
                    key="tidslinje_chart_piloter",
                    config=chart_config("tidslinje per pilot", f, number))
    st.caption("Fargen, mønsteret og forklaringen viser status. Tynne blå felt er faser, romber er milepæler. "
               "Stiplet linje: i dag. Prikkede linjer: rapporteringsfrister og reformperioden.")


f = page_setup("Tidslinje")
pilots = store_access.frame("pilots", f)
if pilots.empty:
    st.info(f"Ingen piloter passer filteret ({f.describe()}).{moves_note(f)}", icon=":material/filter_alt:")
    st.stop()
milestones = store_access.frame("milestones", f)
refs = timeline.references(store_access.frame("rounds"), store_access.frame("events"), store_access.read("settings"),
                           norwegian_today())

count = len(pilots)
st.caption(f"{fmt.plural(count, 'pilot', 'piloter')} – {f.describe()}.{moves_note(f)}")
placed = timeline.with_ministry(pilots, store_access.frame("agencies"))  # each agency's ministry today
view = _choose_view(placed)
if view == timeline.VIEW_MINISTRY:
    _ministry_view(placed, refs)
elif view == timeline.VIEW_AGENCY:
    _agency_view(pilots, refs)
else:
    _pilot_view(pilots, milestones, refs)


st.subheader("Piloter")
st.dataframe(timeline.pilot_table(capped(pilots, "piloter"), milestones), hide_index=True, placeholder="–",
             column_config={"Start": DATE, "Slutt": DATE})
st.subheader("Milepæler og faser")
if milestones.empty:
    st.caption("Ingen milepæler eller faser er rapportert for pilotene i filteret.")
else:
    today = norwegian_today()
    choices = timeline.window_choices(milestones, today)
    # The user's pick while it is offered; until then the default, which follows the filter (set here, as a keyed
    # widget keeps its first value, and Streamlit drops it when the user leaves the page).
    chosen = st.session_state.get(WINDOW_CHOSEN_KEY)
    st.session_state[WINDOW_KEY] = (chosen if chosen in choices
                                    else timeline.default_window(milestones, today, TABLE_LIMIT))
    window = st.selectbox("Når", choices, key=WINDOW_KEY, on_change=_remember_window_choice,
                          placeholder="Velg en periode",
                          help="Milepæler med dato i perioden, og faser som pågår i den.")
    shown = timeline.in_window(milestones, window, today)
    if window != timeline.ALL_DATES:
        st.caption(f"{fmt.plural(len(shown), 'milepæl eller fase', 'milepæler og faser')} – {window.lower()} "
                   f"(av {fmt.number(len(milestones))} i filteret)")
    if shown.empty:  # an empty table says «empty», in English
        when = "fra i dag" if window == timeline.FROM_TODAY else f"i {window}"  # «i 1. kvartal 2027»
        st.info(f"Ingen milepæler eller faser {when}. Velg en annen periode i «Når».",
                icon=":material/event_busy:")
    else:  # milestones come in date order from the query, so the first rows are the earliest
        st.dataframe(timeline.milestone_table(capped(shown, "milepæler og faser")),
                     hide_index=True, placeholder="–", column_config={
                         "Dato": DATE, "Til": DATE, "Navn": st.column_config.TextColumn(width=MILESTONE_NAME_PX),
                         "Virksomhet": st.column_config.TextColumn(width=AGENCY_PX)})

export_row(f, "tidslinje")
