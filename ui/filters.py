"""The one filter of the whole app, in the sidebar and in the URL.

Each widget is bound to a query parameter (`?virksomhet=Husbanken&virksomhet=Kartverket&aar=2024`),
so a filtered view is a link that can be shared and opened cold, and the filter keeps its
value when moving between pages. Every page turns it into one PilotFilter.
"""

from __future__ import annotations

import streamlit as st

from loaders.contract import PILOT_STATUSES
from loaders.values import fold
from store.queries import PilotFilter
from ui import store_access

AGENCY_KEY = "virksomhet"
MINISTRY_KEY = "departement"
YEAR_KEY = "aar"
STATUS_KEY = "status"
FORSOK_KEY = "forsok"
FORSOK_CHOICES = {"alle": None, "ja": True, "nei": False}
FORSOK_LABELS = {"alle": "Alle", "ja": "Bare forsøk", "nei": "Ikke forsøk"}
FILTER_KEYS = (AGENCY_KEY, MINISTRY_KEY, YEAR_KEY, STATUS_KEY, FORSOK_KEY)
UNKNOWN_KEY = "_unknown_agencies_in_link"


def _check_agencies_in_link(names: list[str]) -> None:
    """On a session's first run, remember agencies in the link that are not in the register.

    The bound widget drops values it does not know, so they are named here instead of lost
    silently; an abbreviation or alias gets the canonical name as a suggestion.
    """
    if "_link_read" in st.session_state:
        return
    st.session_state["_link_read"] = True
    unknown = []
    for text in st.query_params.get_all(AGENCY_KEY):
        if text in names or not fold(text):
            continue
        try:
            suggestion = store_access.reference().match_agency(text).name
        except ValueError:
            suggestion = None
        unknown.append((text, suggestion if suggestion in names else None))
    st.session_state[UNKNOWN_KEY] = unknown


def select_agencies(agencies: list[str]) -> None:
    """Callback helper: filter to these agencies (from a click on a chart or a row)."""
    st.session_state[AGENCY_KEY] = agencies


def reset() -> None:
    """Clear every filter."""
    for key in (AGENCY_KEY, MINISTRY_KEY, STATUS_KEY):
        st.session_state[key] = []
    st.session_state[YEAR_KEY] = None
    st.session_state[FORSOK_KEY] = "alle"
    st.session_state[UNKNOWN_KEY] = []


def sidebar_filter() -> PilotFilter:
    """Draw the filter in the sidebar and return it as a PilotFilter."""
    agencies = store_access.frame("agencies")
    rounds = store_access.frame("rounds")
    names = agencies["name"].tolist()
    ministry_names = dict(zip(agencies["ministry"], agencies["ministry_name"].fillna(agencies["ministry"]),
                              strict=True))
    _check_agencies_in_link(names)
    with st.sidebar:
        st.subheader("Filter")
        for text, suggestion in st.session_state.get(UNKNOWN_KEY, []):
            hint = f" Mente du {suggestion}?" if suggestion else ""
            st.warning(f"Ukjent virksomhet i lenken: «{text}». Den er ikke med i filteret.{hint}",
                       icon=":material/help:")
        chosen = st.multiselect("Virksomheter", names, key=AGENCY_KEY, bind="query-params",
                                placeholder="Alle virksomheter")
        ministries = st.multiselect("Departement", sorted(ministry_names), key=MINISTRY_KEY, bind="query-params",
                                    format_func=lambda m: f"{m} – {ministry_names.get(m, m)}",
                                    placeholder="Alle departementer",
                                    help="Departementet virksomheten hører under i dag.")
        year = st.selectbox("Oppstartsår (runde)", [int(y) for y in rounds["start_year"]], index=None,
                            key=YEAR_KEY, bind="query-params", placeholder="Alle runder")
        statuses = st.multiselect("Status", list(PILOT_STATUSES), key=STATUS_KEY, bind="query-params",
                                  placeholder="Alle statuser")
        forsok = st.segmented_control("Forsøk (unntak fra regelverk)", list(FORSOK_CHOICES), key=FORSOK_KEY,
                                      default="alle", bind="query-params",
                                      format_func=FORSOK_LABELS.get)
        current = PilotFilter(tuple(chosen), tuple(ministries), year, tuple(statuses),
                              FORSOK_CHOICES.get(forsok or "alle"))
        if not current.is_empty:
            st.button("Nullstill filter", on_click=reset, icon=":material/filter_alt_off:", key="reset_filter")
    return current


def describe(f: PilotFilter) -> str:
    """The filter in words, for captions, slides and file names."""
    parts = []
    if f.agencies:
        parts.append(", ".join(f.agencies))
    if f.ministries:
        parts.append("departement " + ", ".join(f.ministries))
    if f.start_year is not None:
        parts.append(f"oppstartsår {f.start_year}")
    if f.statuses:
        parts.append("status " + ", ".join(f.statuses))
    if f.forsok is not None:
        parts.append("bare forsøk" if f.forsok else "ikke forsøk")
    return "; ".join(parts) if parts else "hele sektoren"
