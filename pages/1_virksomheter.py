"""Virksomheter: a row per agency, and one agency in depth with its submissions' history."""

import pandas as pd
import streamlit as st

from loaders.importer import TABLE_SHEETS
from loaders.values import norwegian_today
from store import queries
from ui import filters, store_access
from ui import formatting as fmt
from ui.layout import page_setup
from ui.page_parts import (
    DATE,
    FOLLOW_UP_KEY,
    IMPORTED_AT,
    KRONER,
    export_row,
    kroner_columns,
    moves_note,
    text_width,
    whole_table_height,
)

PILOT_COLUMNS = {**kroner_columns("Budsjett"), "Start": DATE, "Slutt": DATE}  # the tables of one agency's pilots
DETAIL_KEY = "virksomhet_detalj"
ROUND_WIDTH = 215  # «for sent 29.09.2023, uten planer» whole
FOLLOW_UP_COLUMN = "Til oppfølging"  # with «Bare til oppfølging» on: why the agency is on the list
REASONS_WIDTH = 235  # «2024: ikke levert · 2023: ikke levert» whole
NOTHING_DELIVERED = "– betyr at virksomheten ikke har levert noen innsending i utvalget."
DETAIL_FOLLOWS_KEY = "_virksomhet_detalj_fra_filter"  # the filter's one agency the box was last set to

f = page_setup("Virksomheter")
status = store_access.frame("reporting_status", f, norwegian_today())
pilots = store_access.frame("pilots", f)
st.caption(f"Viser {f.describe()}.{moves_note(f)} Klikk på en rad for å filtrere hele oversikten til virksomheten.")


def submission_text(r) -> str:
    """'i tide 20.08.2023, med planer' for one agency and round: in time or late (or delivered unasked) first,
    where a column too narrow for the whole text still shows it."""
    if pd.isna(r.submitted_on):
        if r.reporting_state == queries.OPEN:  # not late yet: «ikke levert» alone read as one to chase
            return f"ikke levert ennå, {fmt.deadline_text(r.deadline)}"
        return "ikke levert" if r.was_asked else "ikke bedt om"
    plans = "med planer" if r.has_plans else "uten planer"
    state = "uten forespørsel" if r.reporting_state == "Uten forespørsel" else r.reporting_state.lower()
    return f"{state} {fmt.date(r.submitted_on)}, {plans}"


# One column per round, as a table of agency by round: «who has not delivered for 2024» is one column, and
# sorting by it groups «for sent», «i tide», «ikke bedt om» and «ikke levert». The newest round first: with both
# rounds in one text, at 1 280 px it was cut after the first, the oldest. (A pinned name column is drawn grey.)
status = status.assign(text=[submission_text(r) for r in status.itertuples()])
rounds = sorted(status["start_year"].unique(), reverse=True)
by_round = status.pivot(index="agency", columns="start_year", values="text").reindex(columns=rounds)
ministry = status.groupby("agency", sort=True)["ministry"].first()
agencies = ministry.index.tolist()
by_round = by_round.reindex(agencies).fillna("ikke bedt om")  # no row: neither asked nor delivered
per_agency = pilots.groupby("agency").agg(piloter=("pilot_name", "count"), budsjett=("budget_total_nok", "sum"),
                                          elementer=("elements_covered", "mean")).reindex(agencies)
# An agency that has delivered nothing in the selection has no figures to give: its «0» and «0 kr» read as a report
# of none, the same as Husleietvistutvalget's «uten planer» beside it. It gets «–», as its Elementer.
delivered = status["submitted_on"].notna().groupby(status["agency"]).any().reindex(agencies, fill_value=False)
round_label = {year: f"Innsending {year}" for year in rounds}
overview = pd.DataFrame({  # the short figures before the long texts: on a laptop they stay in view
    "Virksomhet": agencies,
    "Departement": ministry.values,
    "Piloter": per_agency["piloter"].fillna(0).astype("Int64").where(delivered).values,
    "Budsjett": fmt.whole_kroner(per_agency["budsjett"].fillna(0).where(delivered).values),
    # «5,0 av 6» as a plan's «6 av 6» elsewhere: a bare «6,0» read as another measure
    "Elementer dekket (snitt av 6)": per_agency["elementer"].map(
        lambda v: f"{fmt.number(v, 1)} av 6" if pd.notna(v) else "–").values,
    **{round_label[year]: by_round[year].values for year in rounds},
})
deadlines = status.groupby("start_year")["deadline"].first()


# Oversikt names ten agencies to follow up and sends the reader here for the rest.
due = status[queries.to_follow_up(status)]
to_follow = set(due["agency"])
export_note = ""
if not to_follow:  # left on, the toggle was greyed out over an empty table, and could not be turned off
    st.session_state[FOLLOW_UP_KEY] = False
if st.toggle(f"Bare til oppfølging: ikke levert eller levert for sent "
             f"({fmt.plural(len(to_follow), 'virksomhet', 'virksomheter')})",
             key=FOLLOW_UP_KEY, disabled=not to_follow):
    overview = overview[overview["Virksomhet"].isin(to_follow)].reset_index(drop=True)
    # Why each is on the list, beside its name: at 1 280 px the round columns that say so were cut or out of view,
    # and five of nine agencies showed only an «i tide» for the newest round.
    newest_first = due.sort_values("start_year", ascending=False)
    reasons = (newest_first["start_year"].astype(str) + ": " + newest_first["reporting_state"].str.lower()).groupby(
        newest_first["agency"], sort=False).agg(" · ".join)
    overview.insert(1, FOLLOW_UP_COLUMN, overview["Virksomhet"].map(reasons))
    st.caption(f"Viser {fmt.number(len(overview))} av {fmt.plural(len(agencies), 'virksomhet', 'virksomheter')}: "
               "de som ikke har levert, eller har levert for sent, for minst én runde de er bedt om.")
    # The files follow the filter: with the toggle on, the page showed nine agencies and the workbook every one
    export_note = ("«Bare til oppfølging» gjelder bare tabellen på siden: filene har hele utvalget i filteret. "
                   "Presentasjonen har dem som skal følges opp på lysarket «Til oppfølging», og Excel på arket "
                   "Innsendinger.")


def amount_width(amounts: pd.Series) -> int:
    """Pixels for a column of whole kroner as «1 030 000 kr», wide enough for the largest."""
    largest = amounts.abs().max()
    return text_width(pd.Series([fmt.kr(largest if pd.notna(largest) else 0)]))


def filter_to_clicked_row() -> None:
    """Filter the app to the agency of the clicked row."""
    rows = st.session_state["virksomheter_tabell"]["selection"]["rows"]
    if rows:
        filters.select_agencies([overview["Virksomhet"].iloc[rows[0]]])


# The short columns narrow, so the rounds, which say who is late or missing, have the room
st.dataframe(overview, hide_index=True, key="virksomheter_tabell", on_select=filter_to_clicked_row,
             selection_mode="single-row", placeholder="–", height=whole_table_height(len(overview)), column_config={
                 # sized to the largest amount: drawn to fit the first rows only, it cut «1 030 000 kr» to «030 000 kr»
                 # when those were «–»
                 "Budsjett": {**KRONER, "help": NOTHING_DELIVERED, "width": amount_width(overview["Budsjett"])},
                 FOLLOW_UP_COLUMN: st.column_config.TextColumn(
                     width=REASONS_WIDTH, help="Oppstartsårene (rundene) virksomheten er bedt om å rapportere for, "
                                               "men ikke har levert eller leverte etter fristen. Nyeste først."),
                 "Departement": st.column_config.TextColumn("Dep.", width=60, help="Departementet i dag"),
                 "Piloter": st.column_config.NumberColumn(width=55, help=NOTHING_DELIVERED),
                 "Elementer dekket (snitt av 6)": st.column_config.TextColumn(
                     "Elementer", width=80, help="Hvor mange av brevets seks elementer planene dekker, i snitt"),
                 **{label: st.column_config.TextColumn(
                     label, width=ROUND_WIDTH,
                     help=f"Oppstartsår {year}, frist {fmt.date(deadlines[year])}: i tide eller for sent etter "
                          "innsendt dato, og om innsendingen har planer for piloter")
                    for year, label in round_label.items()},
             })

st.divider()
st.subheader("Én virksomhet i dybden")
# A filter of one agency shows that agency here, however it was chosen (a link, the filter, a row of the table).
# The box keeps its own value between runs, so it is set when the filter comes to one agency, and left to the
# user's choice until the filter changes again.
single = f.agencies[0] if len(f.agencies) == 1 and f.agencies[0] in agencies else None
# Streamlit forgets the box's value when the user goes to another page; the filter's agency is then set anew.
if single != st.session_state.get(DETAIL_FOLLOWS_KEY) or DETAIL_KEY not in st.session_state:
    st.session_state[DETAIL_FOLLOWS_KEY] = single
    if single is not None:
        st.session_state[DETAIL_KEY] = single
choice_labels = filters.choice_labels()
chosen = st.selectbox("Virksomhet", agencies, index=None, key=DETAIL_KEY, placeholder="Velg en virksomhet",
                      format_func=lambda n: choice_labels.get(n, n))
if chosen is None:
    st.caption("Velg en virksomhet for å se innsendingene, tidligere versjoner og pilotene.")
    export_row(f, "virksomheter", note=export_note)
    st.stop()

history = store_access.frame("history", None, chosen)
current = history[history["is_current"]]
if current.empty:
    st.info(f"{chosen} har ikke sendt inn noe ennå.")


def sources(start_year: int, file_name: str) -> str:
    """«fra filen «x.xlsx»», or for a round whose sheets came from more than one file, each sheet's file."""
    shown = history[(history["start_year"] == start_year) & history["shown_sheets"].notna()]
    if (shown["file_name"] == file_name).all():
        return f"fra filen «{file_name}»"
    files = {sheet: name for sheets, name in zip(shown["shown_sheets"], shown["file_name"], strict=True)
             for sheet in sheets.split(", ")}
    return "; ".join(f"{sheet} fra «{files[sheet]}»" for sheet in TABLE_SHEETS.values() if sheet in files)


for sub in current.itertuples():
    with st.container(border=True):
        late = "uten frist" if pd.isna(sub.is_late) else ("for sent" if sub.is_late else "i tide")
        st.markdown(f"**Oppstartsår {sub.start_year}** – innsendt {fmt.date(sub.submitted_on)} ({late}, frist "
                    f"{fmt.date(sub.deadline)}), versjon {sub.version}, {sources(sub.start_year, sub.file_name)}")
        if sub.contact_person or sub.email:
            st.caption(f"Kontaktperson: {sub.contact_person or '–'} · {sub.email or ''}")
        if not sub.has_plans:
            st.markdown("Virksomheten har **ingen planer om piloter** for denne runden.")
        if sub.assessment:
            st.markdown(f"**Vurderinger av muligheter for pilotering:** {sub.assessment}")
        if sub.union_involvement:
            st.markdown(f"**Involvering av tillitsvalgte:** {sub.union_involvement}")

own = pilots[pilots["agency"] == chosen]
if not own.empty:
    st.markdown("**Piloter** (i filteret)")
    st.dataframe(pd.DataFrame({
        "Oppstartsår": own["start_year"].astype(str), "Pilot": own["pilot_name"], "Status": own["status"],
        "Start": own["start_date"].dt.date, "Slutt": own["end_date"].dt.date,
        "Budsjett": fmt.whole_kroner(own["budget_total_nok"]), "Forsøk": own["needs_exemption"].map(fmt.yes_no),
        "Elementer dekket": own["elements_covered"].map(lambda n: f"{n} av 6"),
    }), hide_index=True, key="virksomhet_piloter", placeholder="–",
        column_config=PILOT_COLUMNS)

if history.empty:  # nothing sent: no versions to list or look at
    export_row(f, "virksomheter", note=export_note)
    st.stop()

st.markdown("**Alle versjoner** (den nyeste gjelder; en CSV-fil oppdaterer bare sitt eget ark, så «Vises nå» sier "
            "hvilken versjon hvert ark kommer fra)")
st.dataframe(pd.DataFrame({
    "Oppstartsår": history["start_year"].astype(str), "Versjon": history["version"],
    "Gjeldende": history["is_current"].map(fmt.yes_no),
    "Vises nå": history["shown_sheets"], "Innsendt": history["submitted_on"].dt.date,
    "Importert": history["imported_at"],
    "Fil": history["file_name"], "Oppdaterte ark": history["replaced_tables"], "Piloter": history["pilot_count"],
}), hide_index=True, key="virksomhet_historikk", placeholder="–",
    column_config={"Innsendt": DATE, "Importert": IMPORTED_AT})

labels = {int(r.submission_id): f"{r.start_year} versjon {r.version} – {r.file_name}" for r in history.itertuples()}
picked = st.selectbox("Se en versjon", list(labels), format_func=labels.get, key="virksomhet_versjon",
                      placeholder="Velg en versjon")
if picked is not None:
    row = history[history["submission_id"] == picked].iloc[0]
    old = store_access.frame("pilots_of_version", None, picked)
    if old.empty:  # an empty table says «empty», in English
        st.caption("Denne versjonen har ingen piloter." + ("" if row["has_plans"] else
                                                          " Virksomheten svarte at den ikke har planer om piloter."))
    else:
        st.dataframe(pd.DataFrame({
            "Pilot": old["pilot_name"], "Status": old["status"],
            "Start": old["start_date"].dt.date, "Slutt": old["end_date"].dt.date,
            "Budsjett": fmt.whole_kroner(old["budget_total_nok"]), "Forsøk": old["needs_exemption"].map(fmt.yes_no),
        }), hide_index=True, key="versjon_piloter", placeholder="–",
            column_config=PILOT_COLUMNS)
    original = store_access.read("source_file", None, int(row["file_id"]))
    if original:
        st.download_button("Last ned originalfilen", original[1], file_name=original[0], key="last_ned_original",
                           icon=":material/download:")
export_row(f, "virksomheter", note=export_note)
