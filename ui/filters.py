"""The one filter of the whole app, in the sidebar and in the URL.

The filter lives in the link (`?virksomhet=Husbanken&virksomhet=Kartverket&aar=2024`), so a
filtered view can be shared and opened cold, and it keeps its value when moving between pages
(every menu link carries the filter, and each page reads it from its link when entered).
Every page turns it into one PilotFilter.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

import pandas as pd
import streamlit as st

from loaders.contract import PILOT_STATUSES
from loaders.values import fold
from store.queries import PilotFilter
from ui import formatting as fmt
from ui import store_access

AGENCY_KEY = "virksomhet"
MINISTRY_KEY = "departement"
YEAR_KEY = "aar"
STATUS_KEY = "status"
FORSOK_KEY = "forsok"
FORSOK_CHOICES = {"alle": None, "ja": True, "nei": False}
FORSOK_LABELS = {"alle": "Alle", "ja": "Bare forsøk", "nei": "Ikke forsøk"}
FILTER_KEYS = (AGENCY_KEY, MINISTRY_KEY, YEAR_KEY, STATUS_KEY, FORSOK_KEY)
ENTERED_KEY = "_filter_page_entered"
UNKNOWN_KEY = "_unknown_agencies_in_link"
IGNORED_KEY = "_ignored_in_link"  # what the filter could not use of the link, each in a sentence
LEFT_KEY = "_filter_link_left"  # the filter's part of the link as the last run left it
CHANGED_KEY = "_filter_changed"  # set by every change of the filter in the app, for the run it starts


def _link_filter() -> dict[str, list[str]]:
    """The filter's part of the link, as it is now."""
    return {k: st.query_params.get_all(k) for k in FILTER_KEYS}


def link_moved(in_link: object, left_key: str, changed_key: str) -> bool:
    """Whether the browser went back or forward: what the link holds (in_link) is not what the last run left there
    (session_state[left_key]), and no choice was changed in the app for this run (session_state[changed_key], set by
    the choices' callbacks and taken here).

    Each change of a choice written to the link is a step in the browser's history; after Back, the link is the
    truth, as on entering a page (the widgets wrote their choices back, and Back did nothing).
    """
    changed = st.session_state.pop(changed_key, False)
    return not changed and in_link != st.session_state.get(left_key)


def _seed_from_link(page: str, ministries: list[str], years: list[int]) -> bool:
    """On the first run of each page, and after the browser's Back or Forward, take the filter from the link;
    name agencies it cannot use.

    A page is entered by a link (a shared one, or the menu's, which carries the filter), so
    the link is the truth then; later runs on the page keep the widgets' state and write it
    back to the URL, so the address bar always holds the filter and can be shared, until the
    browser goes back or forward (link_moved).
    """
    same_page = st.session_state.get("_filter_page") == page
    if not link_moved(_link_filter(), LEFT_KEY, CHANGED_KEY) and same_page:
        return False
    st.session_state["_filter_page"] = page
    link = st.query_params
    unknown = []
    chosen = []
    # made only for a link that names agencies, once per store: a tenth of the overview's run in each new session
    spellings = _link_spellings(store_access.signature(store_access.store_path())) if link.get_all(AGENCY_KEY) else {}
    for text in link.get_all(AGENCY_KEY):
        key = fold(text)
        if key in spellings:  # «husbanken», «KV» or «Statens kartverk» in a typed link: the agency it names
            chosen.append(spellings[key])
        elif key:  # misspelt («Husbank»): named, with the closest name, as the importer suggests it
            close = difflib.get_close_matches(key, spellings, n=1, cutoff=0.5)
            unknown.append((text, spellings[close[0]] if close else None))
    # «?virksomhet=HB&virksomhet=Husbank»: named, but with no «Mente du Husbanken?» for an agency already chosen
    st.session_state[UNKNOWN_KEY] = [(text, None if suggestion in chosen else suggestion)
                                     for text, suggestion in unknown]
    values: dict[str, object] = {AGENCY_KEY: list(dict.fromkeys(chosen))}
    # The rest of the link is matched as typed links are written («kdd», «planlagt», «Ja», «2024 »), and what
    # the filter cannot use is named: dropped silently, «?aar=2031» showed the whole sector under the caption
    # «Viser hele sektoren» as if the link had asked for it.
    ignored: list[str] = []
    values[MINISTRY_KEY] = _matched(link.get_all(MINISTRY_KEY), ministries, "departement", ignored)
    values[STATUS_KEY] = _matched(link.get_all(STATUS_KEY), list(PILOT_STATUSES), "status", ignored)
    rounds = [str(y) for y in years]
    year = _one_of(_matched(link.get_all(YEAR_KEY), rounds, "oppstartsår", ignored, f"rundene: {', '.join(rounds)}"),
                   "oppstartsår", "én runde", ignored)
    values[YEAR_KEY] = int(year) if year else None
    forsok = _one_of(_matched(link.get_all(FORSOK_KEY), list(FORSOK_CHOICES), "forsøk", ignored, "ja eller nei"),
                     "svar på forsøk", "ett svar", ignored)
    values[FORSOK_KEY] = forsok or "alle"
    st.session_state[IGNORED_KEY] = ignored
    # on the page it was on (Back or Forward), the choices are set anew: see _set_filter
    _set_filter(values, new_widgets=same_page)
    return True


def agency_choice_labels(agencies: pd.DataFrame) -> dict[str, str]:
    """Each agency's name as the choice boxes show it: «Digitaliseringsdirektoratet (Digdir) – også Direktoratet for
    forvaltning og IKT, Difi».

    A box finds an agency by what it shows: the ministry's staff know many agencies by their abbreviation only, and
    some by an old name, which a link takes. Typing «Difi», the box offered only Direktoratet for byggkvalitet (whose
    name holds the letters d, i, f, i in that order), and Enter chose it.
    """
    labels = {}
    for name, short_name, aliases in _register_names(agencies):
        label = f"{name} ({short_name})" if short_name and short_name != name else name
        labels[name] = f"{label} – også {', '.join(aliases)}" if aliases else label
    return labels


def choice_labels() -> dict[str, str]:
    """agency_choice_labels of the store's register, made once per store (the sidebar and Virksomheter's box each
    built them on every run: 2 ms each at 400 agencies). Read it, never change it: it is shared."""
    return _choice_labels(store_access.signature(store_access.store_path()))


@st.cache_resource(show_spinner=False, max_entries=4)
def _choice_labels(signature: tuple) -> dict[str, str]:
    return agency_choice_labels(store_access.frame("agencies"))


@st.cache_resource(show_spinner=False, max_entries=4)
def _link_spellings(signature: tuple) -> dict[str, str]:
    """agency_spellings of the store's register. Read it, never change it: it is shared."""
    return agency_spellings(store_access.frame("agencies"))


def agency_spellings(agencies: pd.DataFrame) -> dict[str, str]:
    """Every way the store's register writes an agency (name, abbreviation, alias), folded, to its name."""
    spellings: dict[str, str] = {}
    for name, short_name, aliases in _register_names(agencies):
        for text in (name, short_name, *aliases):
            if text:
                spellings.setdefault(fold(text), name)
    return spellings


def _register_names(agencies: pd.DataFrame) -> Iterator[tuple[str, str, list[str]]]:
    """Each agency's name, abbreviation ('' for none) and other names, as the store's register has them."""
    for name, short_name, aliases in agencies[["name", "short_name", "aliases"]].itertuples(index=False):
        others = [a for a in (list(aliases) if aliases is not None else []) if isinstance(a, str) and a.strip()]
        yield name, short_name if isinstance(short_name, str) and short_name.strip() else "", others


def _matched(given: list[str], known: list[str], what: str, ignored: list[str], known_text: str = "") -> list[str]:
    """The known values the link's values name, in letter case and spacing as the user may type them; each
    value not known is added to ignored, in words, with the values that are."""
    by_folded = {fold(k): k for k in known}
    found = []
    for text in given:
        key = fold(text)
        if not key:
            continue
        if key in by_folded:
            found.append(by_folded[key])
        else:
            said = fmt.escape_markdown(text.strip())  # shown as written, never as markup
            ignored.append(f"Ukjent i lenken: {what} «{said}» ({known_text or 'kjente: ' + ', '.join(known)}). Det er "
                           "ikke med i filteret.")
    return list(dict.fromkeys(found))


def _one_of(found: list[str], what: str, one: str, ignored: list[str]) -> str | None:
    """The one value a choice of one takes from a link: the last, as the link is read; more than one is said
    («?aar=2023&aar=2024» showed 2024 as if the link had asked for it alone)."""
    if len(found) > 1:
        ignored.append(f"Lenken har flere {what} ({', '.join(found)}); filteret viser {one} om gangen og tar "
                       f"{found[-1]}.")
    return found[-1] if found else None


def _forget_link_notes() -> None:
    """Callback of every filter widget: once the user changes the filter, what the link held no longer applies,
    and the widgets are the truth for the run (the browser may not yet have the link the last run wrote)."""
    st.session_state[UNKNOWN_KEY] = []
    st.session_state[IGNORED_KEY] = []
    st.session_state[CHANGED_KEY] = True


def select_agencies(agencies: list[str]) -> None:
    """Callback helper: filter to these agencies (from a click on a chart or a row)."""
    _set_filter({AGENCY_KEY: agencies})
    _forget_link_notes()


def select_ministries(ministries: list[str], agencies: list[str] | None = None) -> None:
    """Callback helper: filter to these ministries (short names, from a click on a chart), with these of the
    agencies chosen before (those under them: a click on a bar narrows what it shows, never widens it)."""
    _set_filter({MINISTRY_KEY: ministries, AGENCY_KEY: agencies or []})
    _forget_link_notes()


def chosen_agencies() -> list[str]:
    """The agencies chosen in the filter now."""
    return list(_chosen(AGENCY_KEY) or [])


def _take_suggestion(text: str, suggestion: str) -> None:
    """Callback of «Vis Husbanken» under a misspelt agency of the link: choose the agency it suggests."""
    chosen = _chosen(AGENCY_KEY) or []
    _set_filter({AGENCY_KEY: list(dict.fromkeys([*chosen, suggestion]))})
    st.session_state[UNKNOWN_KEY] = [u for u in st.session_state.get(UNKNOWN_KEY, []) if u[0] != text]
    st.session_state[CHANGED_KEY] = True


def reset() -> None:
    """Clear every filter."""
    _set_filter(dict(EMPTY_FILTER))
    _forget_link_notes()


EMPTY_FILTER = {AGENCY_KEY: [], MINISTRY_KEY: [], YEAR_KEY: None, STATUS_KEY: [], FORSOK_KEY: "alle"}
GENERATION_KEY = "_filter_widgets_generation"


def _widget_key(key: str) -> str:
    """The key of the widget that holds a choice of the filter (key is one of FILTER_KEYS): the key itself, then a
    new one each time the app sets the filter itself (_set_filter)."""
    generation = st.session_state.get(GENERATION_KEY, 0)
    return f"{key}_{generation}" if generation else key


def _chosen(key: str) -> object:
    """A choice of the filter as it stands (key is one of FILTER_KEYS)."""
    return st.session_state.get(_widget_key(key), EMPTY_FILTER[key])


def _set_filter(values: dict[str, object], new_widgets: bool = True) -> None:
    """Set choices of the filter (the others kept), before its widgets are drawn: in a callback, or on a run's start.

    With new_widgets, on widgets of new keys. The choices sit in popovers, which the browser draws only when opened,
    and a widget the browser has drawn keeps its own value: given a value by the app while closed, it sent its old
    one back with the next click anywhere, as if the user had chosen it again, and Back, «Nullstill filter» or a
    chart's click was undone. The old widgets' values belong to keys no longer drawn, and are let go.
    """
    current = {key: _chosen(key) for key in FILTER_KEYS}
    if new_widgets:
        st.session_state[GENERATION_KEY] = st.session_state.get(GENERATION_KEY, 0) + 1
    for key in FILTER_KEYS:
        st.session_state[_widget_key(key)] = values.get(key, current[key])


def sidebar_filter(page: str) -> PilotFilter:
    """Draw the filter in the sidebar and return it as a PilotFilter."""
    agencies = store_access.frame("agencies")
    rounds = store_access.frame("rounds")
    names = agencies["name"].tolist()
    shown_names = choice_labels()
    ministry_names = dict(zip(agencies["ministry"], agencies["ministry_name"].fillna(agencies["ministry"]),
                              strict=True))
    years = [int(y) for y in rounds["start_year"]]
    entered = _seed_from_link(page, sorted(ministry_names), years)
    st.session_state[ENTERED_KEY] = entered
    with st.sidebar:
        st.html('<hr style="margin:0.75rem 0"><h3 style="font-size:1.25rem;font-weight:600;padding:0">Filter</h3>')
        for index, (text, suggestion) in enumerate(st.session_state.get(UNKNOWN_KEY, [])):
            hint = f" Mente du {suggestion}?" if suggestion else ""
            # what a link says is shown as written: «[Logg inn](…)» in one was a link in the app's own warning
            st.warning(f"Ukjent virksomhet i lenken: «{fmt.escape_markdown(text)}». Den er ikke med i filteret.{hint}",
                       icon=":material/help:")
            if suggestion:
                st.button(f"Vis {suggestion}", key=f"suggested_agency_{index}", on_click=_take_suggestion,
                          args=(text, suggestion), help=f"Legger {suggestion} til i filteret i stedet for «{text}».")
        for what in st.session_state.get(IGNORED_KEY, []):
            st.warning(what, icon=":material/help:")
        # The choices sit in popovers, which the browser draws only when opened: the select widgets
        # were a third of the overview's first draw (issue 5). Each label says what is chosen.
        with st.popover(agency_label(_chosen(AGENCY_KEY) or []), width="stretch"):
            # select_all=False: typing «Stats» and Enter picks the first match, as the README says, not
            # every match through Streamlit's «Select 2 matches» row (in English) on top
            chosen = st.multiselect("Virksomheter", names, key=_widget_key(AGENCY_KEY), placeholder="Alle virksomheter",
                                    help="Skriv for å søke, også på forkortelsen eller et annet navn i registeret; "
                                         "velg flere for å sammenligne.",
                                    format_func=lambda n: shown_names.get(n, n), select_all=False,
                                    on_change=_forget_link_notes)
        more = st.popover(more_label(), width="stretch")
        ministries = more.multiselect("Departement", sorted(ministry_names), key=_widget_key(MINISTRY_KEY),
                                      format_func=lambda m: f"{m} – {ministry_names.get(m, m)}",
                                      placeholder="Alle departementer", select_all=False,
                                      help="Departementet virksomheten hører under i dag.",
                                      on_change=_forget_link_notes)
        year = more.selectbox("Oppstartsår (runde)", years, index=None,
                              key=_widget_key(YEAR_KEY), placeholder="Alle runder", on_change=_forget_link_notes)
        statuses = more.multiselect("Status", list(PILOT_STATUSES), key=_widget_key(STATUS_KEY),
                                    placeholder="Alle statuser", select_all=False, on_change=_forget_link_notes)
        forsok = more.segmented_control("Forsøk (unntak fra regelverk)", list(FORSOK_CHOICES),
                                        key=_widget_key(FORSOK_KEY), persist_state="session",
                                        format_func=FORSOK_LABELS.get, on_change=_forget_link_notes)
        current = PilotFilter(tuple(chosen), tuple(ministries), year, tuple(statuses),
                              FORSOK_CHOICES.get(forsok or "alle"))
        if not current.is_empty:
            st.button("Nullstill filter", on_click=reset, key="reset_filter")
    wanted = query_params(current)
    # On entering a page the link already holds the filter, and the browser may not have moved
    # to the page's path yet: writing now would put the params on the wrong path.
    if not entered and _link_filter() != {k: _as_list(wanted.get(k)) for k in FILTER_KEYS}:
        page_own = {k: st.query_params.get_all(k) for k in st.query_params if k not in FILTER_KEYS}  # Planer's search
        st.query_params.from_dict({**page_own, **wanted})
    st.session_state[LEFT_KEY] = _link_filter()
    return current


def just_entered() -> bool:
    """Whether this run is the page's first since it was entered by a link: the link then holds what it shows."""
    return bool(st.session_state.get(ENTERED_KEY))


def agency_label(chosen: list[str]) -> str:
    """«Virksomheter: alle», «Virksomheter: Husbanken, Kartverket», «Virksomheter: Husbanken, Kartverket og 3 til»."""
    if not chosen:
        return "Virksomheter: alle"
    shown = ", ".join(chosen[:2])
    return f"Virksomheter: {shown} og {len(chosen) - 2} til" if len(chosen) > 2 else f"Virksomheter: {shown}"


def more_label() -> str:
    """«Flere filter», with how many of them are set: «Flere filter (2 valgt)»."""
    chosen = sum([bool(_chosen(MINISTRY_KEY)), _chosen(YEAR_KEY) is not None, bool(_chosen(STATUS_KEY)),
                  _chosen(FORSOK_KEY) not in (None, "alle")])
    return f"Flere filter ({chosen} valgt)" if chosen else "Flere filter"


def _as_list(value: str | list[str] | None) -> list[str]:
    """A query parameter's values as a list."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def query_params(f: PilotFilter) -> dict[str, str | list[str]]:
    """The filter as the link's query parameters, so moving between pages keeps it."""
    params: dict[str, str | list[str]] = {}
    if f.agencies:
        params[AGENCY_KEY] = list(f.agencies)
    if f.ministries:
        params[MINISTRY_KEY] = list(f.ministries)
    if f.start_year is not None:
        params[YEAR_KEY] = str(f.start_year)
    if f.statuses:
        params[STATUS_KEY] = list(f.statuses)
    if f.forsok is not None:
        params[FORSOK_KEY] = "ja" if f.forsok else "nei"
    return params
