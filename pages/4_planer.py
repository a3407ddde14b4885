"""Planer: which plans cover the letter's six elements, which are forsøk, which lack evaluation; each plan in full."""

import streamlit as st

from store.queries import PilotFilter, PlanChoice
from ui import filters, plans, store_access, timeline
from ui import formatting as fmt
from ui.downloads import chart_config
from ui.layout import PAGE_LINK_KEY, page_setup
from ui.page_parts import DATE, TABLE_LIMIT, capped, export_row, figure_page, moves_note

NO_EVALUATION_KEY = "planer_uten_evaluering"
SEARCH_KEY = "planer_sok"
CHOSEN_KEY = "planer_valgt"
MATRIX_PAGE_KEY = "planer_matrise_side"
MATRIX_PER_PAGE = 40
# The plans' table: long names are cut (the whole shows on hover), so more of the six elements stay in view
AGENCY_WIDTH, PILOT_WIDTH = 170, 260
# what a plan lacks, beside its name: «4. Deltakere, 6. Dok. og evaluering» whole
LACKING_WIDTH = 240
LEFT_KEY, CHANGED_KEY = "_planer_link_left", "_planer_changed"  # filters.link_moved's, for the page's choices
LINK_SEARCH, LINK_NO_EVALUATION = "sok", "uten_evaluering"  # the choices in the link, so a shared one shows them
LINK_YES, LINK_NO = {"ja", "1", "true", "yes"}, {"nei", "0", "false", "no"}  # what a hand-written link may say


def _choices() -> PlanChoice:
    """The page's own narrowing: plans without evaluation only, and a search text.

    Forsøk or not is the app's filter (in the sidebar), so it applies on every page. Both choices are in the
    link as the filter is: taken from it when the page is entered, and written to it when changed.
    """
    link = st.query_params
    moved = filters.link_moved(_own_link(link), LEFT_KEY, CHANGED_KEY)
    # from the link when the page is entered, and when it stopped before drawing them (its filter had no plans):
    # widened later, the filter kept them in the link, and the widgets, new, wrote them away; and after the browser's
    # Back or Forward
    if filters.just_entered() or SEARCH_KEY not in st.session_state or moved:
        said = link.get(LINK_NO_EVALUATION, "").strip().lower()
        st.session_state[NO_EVALUATION_KEY] = said in LINK_YES
        if said and said not in LINK_YES | LINK_NO:  # «uten_evaluering=kanskje» was passed over without a word
            st.warning(f"Ukjent i lenken: {LINK_NO_EVALUATION}=«{fmt.escape_markdown(link.get(LINK_NO_EVALUATION))}» "
                       "(forventet «ja»). Det er ikke med i valget.", icon=":material/help:")
        st.session_state[SEARCH_KEY] = link.get(LINK_SEARCH, "")
    left, right = st.columns([1, 1], vertical_alignment="bottom")  # [1, 2] cut the toggle at 1024 px
    only_missing = left.toggle("Bare planer uten evaluering", key=NO_EVALUATION_KEY, on_change=_changed,
                               help="Planer der feltet «Evaluering og gevinstmåling» er tomt.")
    text = right.text_input("Søk i planene", key=SEARCH_KEY, placeholder="F.eks. kommune, tillitsvalgte …",
                            on_change=_changed,
                            help="Søker i alle tekstfeltene og listene i planene; skiller ikke mellom store og "
                                 "små bokstaver.")
    choice = PlanChoice(only_missing, (text or "").strip())
    in_link = ((LINK_NO_EVALUATION, "ja" if choice.only_missing_evaluation else ""), (LINK_SEARCH, choice.text))
    st.session_state.setdefault(PAGE_LINK_KEY, {})["pages/4_planer.py"] = {k: v for k, v in in_link if v}  # the menu
    if not filters.just_entered():  # entering, the browser may not be on the page's path yet: it holds them anyway
        for key, value in in_link:
            if value and link.get(key) != value:
                link[key] = value
            elif not value and key in link:
                del link[key]
    st.session_state[LEFT_KEY] = _own_link(link)
    return choice


def _own_link(link) -> dict[str, str]:
    """The page's choices as the link has them."""
    return {key: link.get(key, "") for key in (LINK_NO_EVALUATION, LINK_SEARCH)}


def _changed() -> None:
    """Callback of the page's choices: the run they start takes them, whatever link the browser sent."""
    st.session_state[CHANGED_KEY] = True


def _summary(f, all_count: int, shown, choice: PlanChoice) -> None:
    """What the page shows, in words, with the two flags counted."""
    st.caption(f"Viser {fmt.number(len(shown))} av {fmt.plural(all_count, 'plan', 'planer')} – {f.describe()}"
               + (f"; {choice.describe()}" if choice else "") + f".{moves_note(f)}")
    first, second, third = st.columns(3)
    first.metric("Planer", fmt.number(len(shown)))
    second.metric("Forsøk", fmt.number(int(shown["needs_exemption"].sum())))
    lacking = plans.lacks_evaluation(shown)
    third.metric("Mangler evaluering", fmt.number(int(lacking.sum())),
                 help="Planer der feltet «Evaluering og gevinstmåling» er tomt. Element 6 (Dokumentasjon og "
                      "evaluering) kan likevel være dekket: det regnes som dekket også når bare «Dokumentasjon av "
                      "funn» er fylt ut.")
    # said where it is read: «Mangler evaluering 6» above a table with «–» under element 6 for 3 plans read as a
    # contradiction, and the reason was in the «?» alone
    documented = int((lacking & shown["covers_e6"].astype(bool)).sum())
    if documented and not choice.only_missing_evaluation:  # with the toggle, the list's own caption says it
        st.caption(f"Av {fmt.plural(int(lacking.sum()), 'plan', 'planer')} som mangler evaluering, har "
                   f"{fmt.number(documented)} «Dokumentasjon av funn» fylt ut, og regnes derfor som dekket på "
                   "element 6 (Dokumentasjon og evaluering); i matrisen og tabellen står de med "
                   f"{plans.DOCUMENTED_ONLY} under 6.")


REGULATION = "Regelverk det søkes unntak fra"
EVALUATION_ELEMENT = 6  # Dokumentasjon og evaluering


def _plan_list(shown, f: PilotFilter, choice: PlanChoice) -> None:
    """The matching plans, with badges in words.

    With only forsøk in the filter («Hvilke planer trenger unntak fra lov?») the regulation comes
    right after the plan's name, where a laptop screen shows it; with forsøk either way in the filter,
    the Forsøk column, the same in every row, goes (and, for «Ikke forsøk», the empty regulation).
    """
    st.subheader("Planene")
    listed = capped(shown, "planer")
    if choice.only_missing_evaluation:
        st.caption("«Bare planer uten evaluering» viser planene der feltet «Evaluering og gevinstmåling» er tomt. "
                   "Element 6 kan likevel være dekket: det regnes som dekket også når bare «Dokumentasjon av funn» "
                   "er fylt ut.")
    table = plans.plan_list(listed)
    order = list(table.columns)
    if f.forsok is not None:  # every row says the same in «Forsøk»
        order.remove("Forsøk")
        order.remove(REGULATION)
        if f.forsok:
            order.insert(order.index("Pilot") + 1, REGULATION)
    st.dataframe(table, hide_index=True, column_order=order,
                 column_config={"Start": DATE, "Slutt": DATE, REGULATION: st.column_config.TextColumn(width="large")})


def _element_matrix(shown, choice: PlanChoice) -> None:
    """Pilots × the six elements, paged when long, with the same as a table."""
    st.subheader("Brevets seks elementer")
    number = figure_page(len(shown), MATRIX_PER_PAGE, MATRIX_PAGE_KEY, "planer", label="Side i figuren",
                         table_has_all=len(shown) <= TABLE_LIMIT)
    part = timeline.page(shown, number, MATRIX_PER_PAGE)
    st.plotly_chart(plans.coverage_matrix(part, store_access.abbreviations()), key="planer_matrise",
                    config=chart_config("brevets seks elementer", f, number, choice))
    st.caption(f"{plans.COVERED} = elementet er dekket i planen, {plans.MISSING} = det mangler, "
               f"{plans.DOCUMENTED_ONLY} = element 6 er dekket bare av «Dokumentasjon av funn»: planen sier ingenting "
               "om evaluering og gevinstmåling. Et element er dekket når minst ett av feltene er fylt ut; Tid krever "
               "begge datoene og Økonomi budsjettet totalt.")
    st.dataframe(plans.coverage_table(capped(shown, "planer")), hide_index=True, column_config={
        "Virksomhet": st.column_config.TextColumn(width=AGENCY_WIDTH),
        "Pilot": st.column_config.TextColumn(width=PILOT_WIDTH),
        "Mangler": st.column_config.TextColumn(width=LACKING_WIDTH, help="Elementene planen ikke dekker, og "
                                               f"evaluering og gevinstmåling der {plans.DOCUMENTED_ONLY} står under 6"),
        **{column: st.column_config.TextColumn(label, help=help_text, alignment="center")
           for column, (label, help_text) in plans.element_headers().items()}})


def _agency_matrix(shown, choice: PlanChoice) -> None:
    """Agencies × elements: how many of each agency's plans cover each element."""
    st.subheader("Per virksomhet")
    coverage = plans.agency_coverage(shown)
    if len(coverage) <= MATRIX_PER_PAGE:
        st.plotly_chart(plans.agency_matrix(coverage, store_access.abbreviations()), key="planer_virksomheter",
                        config=chart_config("elementene per virksomhet", f, choice=choice))
        st.caption("Hvor mange av virksomhetens planer som dekker hvert element, f.eks. «2 av 3». Fargen går fra rød "
                   "(ingen av planene) over gul (halvparten) til grønn (alle).")
    else:  # hundreds of labelled rows make an unreadable figure that takes seconds to draw
        st.caption(f"{fmt.number(len(coverage))} virksomheter er for mange for en lesbar figur; tabellen viser alle. "
                   "Avgrens med filteret for å se figuren.")
    st.caption("Tabellen viser hvor stor andel av virksomhetens planer som dekker hvert element; under 100 % betyr at "
               "minst én plan mangler det. Klikk på en kolonneoverskrift for å få virksomhetene med hull først.")
    table = plans.agency_coverage_table(coverage)
    st.dataframe(table, hide_index=True, column_config={  # whole per cents, as the matrix's hover
        column: st.column_config.NumberColumn(label, help=help_text, format="%d %%")
        for column, (label, help_text) in plans.element_headers().items()})


def _plan_in_full(shown, milestones) -> None:
    """One plan, by the letter's six elements."""
    st.subheader("Planen i sin helhet")
    choices = shown.head(TABLE_LIMIT)
    labels = [plans.option_label(r) for r in choices[["pilot_name", "agency", "start_year"]].to_dict("records")]
    if st.session_state.get(CHOSEN_KEY) not in labels:
        # Set, not dropped: the browser keeps showing a dropped value that is no longer an option.
        st.session_state[CHOSEN_KEY] = labels[0]
    label = st.selectbox("Velg en plan", labels, key=CHOSEN_KEY, placeholder="Velg en plan")
    if len(shown) > TABLE_LIMIT:  # in a tooltip only, a plan typed here and not found was «Ingen treff»
        st.caption(f"Listen har de første {fmt.number(TABLE_LIMIT)} av {fmt.number(len(shown))} planer i utvalget. "
                   "Finner du ikke planen, skriv navnet i «Søk i planene» øverst på siden, eller avgrens med filteret.")
    plan = choices.iloc[labels.index(label)].to_dict()
    ref = plans.pilot_ref(plan)
    badges = [f":orange-badge[:material/gavel: {b}]" if b == "Forsøk" else f":red-badge[:material/warning: {b}]"
              for b in plans.flags(plan)]
    st.markdown(f"**{fmt.escape_markdown(plan['agency'])}** · oppstart {plan['start_year']} · "
                f"status {fmt.escape_markdown(plan['status'])}"
                + (f" · Pilot-ID {fmt.escape_markdown(ref)}" if ref else "")
                + f" · {int(plan['elements_covered'])} av {len(plans.ELEMENT_COLUMNS)} elementer  \n"
                + " ".join(badges))
    if plan["covers_e6"] and "Mangler evaluering" in plans.flags(plan):  # «6 av 6» beside «Mangler evaluering»
        st.caption("Element 6 regnes som dekket fordi «Dokumentasjon av funn» er fylt ut, men «Evaluering og "
                   "gevinstmåling» er tomt.")
    for section in plans.sections(plan):
        _section(section, plan, milestones)


def _section(section, plan, milestones) -> None:
    """One element of the plan: its fields, a warning when it is missing."""
    with st.container(border=True):
        mark = ":green-badge[:material/check: Dekket]" if section.covered else ":red-badge[:material/close: Mangler]"
        st.markdown(f"#### {plans.element_title(section.element)} {mark}")
        if not section.covered:
            st.warning(f"Planen dekker ikke dette elementet. Brevet spør: {section.element.questions}",
                       icon=":material/report:")
        elif section.element.number == EVALUATION_ELEMENT and "Mangler evaluering" in plans.flags(plan):
            # «✓ Dekket» here under the plan's «Mangler evaluering» read as a contradiction
            st.caption("Dekket fordi «Dokumentasjon av funn» er fylt ut. «Evaluering og gevinstmåling» er tomt, og "
                       "derfor står planen som «Mangler evaluering».")
        for field_label, value in section.fields:
            shown = fmt.escape_markdown(value) if value is not None else f":gray[*{plans.NOT_GIVEN}*]"
            st.markdown(f"**{field_label}**  \n{shown}")
        if section.element.number == 3:
            rows = plans.plan_milestones(milestones, plan)
            if not rows.empty:
                st.markdown("**Milepæler og faser**")
                st.dataframe(rows, hide_index=True, placeholder="–", column_config={"Fra": DATE, "Til": DATE})


f = page_setup("Planer")
pilots = store_access.frame("pilots", f)
if pilots.empty:
    st.info(f"Ingen planer passer filteret ({f.describe()}).{moves_note(f)}", icon=":material/filter_alt:")
    st.stop()

choice = _choices()
shown = choice.apply(pilots, store_access.frame("search_plans", f, choice.text) if choice.text else None)
_summary(f, len(pilots), shown, choice)
if shown.empty:
    st.info("Ingen planer passer valgene over.", icon=":material/search_off:")
    st.stop()

_plan_list(shown, f, choice)
_element_matrix(shown, choice)
_agency_matrix(shown, choice)
_plan_in_full(shown, store_access.frame("milestones", f))

export_row(f, "planer", choice, len(shown) if choice else None)
