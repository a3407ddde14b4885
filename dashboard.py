"""Pilotoversikt — Oversikt: the sector against the 3–5 ambition, in ten seconds.

The entry page of the app (`make run`). The other pages are in pages/; every page sets
itself up through ui.layout.page_setup, so a deep link to any of them works on its own.
"""

import datetime as dt

import pandas as pd
import streamlit as st

from ui import filters, html_blocks, store_access
from ui import formatting as fmt
from ui.layout import page_setup
from ui.page_parts import export_row

STATUS_ORDER = ["Pågår", "Gjennomført", "Planlagt", "Avbrutt"]  # under way first
FOLLOW_UP_ROWS = 10  # the rest are on Virksomheter, one click away

f = page_setup("Oversikt")
settings = store_access.read("settings")
by_status = store_access.frame("status_summary", f).set_index("status").reindex(STATUS_ORDER).dropna(how="all")
status = store_access.frame("reporting_status", f)
summary = store_access.read("store_summary")
today = dt.date.today()

counted = int(by_status["pilots"].reindex(settings["counting_statuses"]).sum())
planned = int(by_status["pilots"].get("Planlagt", 0))
forsok = int(by_status["forsok"].sum())
budget = float(by_status["budget_nok"].sum())
band = (settings["ambition_min"], settings["ambition_max"])
asked = status[status["was_asked"]]

st.caption(f"Viser {f.describe()}. Data per {fmt.long_date(summary['last_import'].date())} "
           f"(siste import). Ambisjonen: KDD-sektoren skal gjennomføre {band[0]}–{band[1]} piloter i "
           "reformperioden. Tallene tar med virksomhetene som gikk over til DFD 1.1.2024; velg departement i "
           "filteret for å avgrense.")

c1, c2, c3, c4, c5 = st.columns(5)
counting = " eller ".join(settings["counting_statuses"])
c1.metric("I gang / gjennomført", f"{counted}", help=f"Piloter med status {counting}. "
          f"Ambisjonen er {band[0]}–{band[1]}.", border=True)
c2.metric("Planlagt", planned, help="Piloter med status Planlagt: det som kommer.", border=True)
c3.metric("Forsøk", forsok, help="Piloter som trenger unntak fra lov eller forskrift.", border=True)
c4.metric("Budsjett, mill. kr", fmt.number(budget / 1_000_000, 1),
          help=f"Sum av «Budsjett totalt (kr)» for pilotene i filteret: {fmt.kr(budget)}.", border=True)
delivered = int(asked["submitted_on"].notna().sum())
c5.metric("Innsendinger", f"{delivered} av {len(asked)}", help="Innsendinger fra virksomheter som er bedt om å "
          "rapportere, per runde.", border=True)

if counted < band[0]:
    verdict = f"{band[0] - counted} under ambisjonen"
elif counted > band[1]:
    verdict = f"{counted - band[1]} over ambisjonen"
else:
    verdict = "innenfor ambisjonen"


def reporting_parts() -> list[str]:
    """The reporting bars, their counts, and the agencies to follow up (the first ten)."""
    if status.empty:
        return [html_blocks.note("Ingen virksomheter i filteret er bedt om å rapportere.")]
    counts = html_blocks.reporting_counts(status)
    parts = [html_blocks.reporting_bars(counts), html_blocks.table(pd.DataFrame({
        "Runde": [f"Oppstart {y}" for y in counts.index],
        **{state: counts[state] for state in counts.columns},
        "I alt": counts.sum(axis=1),
    }))]
    follow_up = status[status["was_asked"] & (status["reporting_state"] != "I tide")]
    if not follow_up.empty:
        shown = follow_up.sort_values(["reporting_state", "start_year", "agency"],  # «Ikke levert» first
                                      ascending=[False, True, True]).head(FOLLOW_UP_ROWS)
        parts.append(html_blocks.table(pd.DataFrame({
            "Virksomhet": shown["agency"],
            "Runde": shown["start_year"].astype(str),
            "Status": shown["reporting_state"],
            "Innsendt": shown["submitted_on"].map(fmt.date),
        }), caption=f"Til oppfølging: {len(follow_up)} ikke levert eller levert for sent"))
        if len(follow_up) > FOLLOW_UP_ROWS:
            parts.append(html_blocks.note(f"Viser {FOLLOW_UP_ROWS} av {len(follow_up)}. Alle står på Virksomheter."))
    return parts


rounds = store_access.frame("rounds")
upcoming = store_access.frame("upcoming_milestones", f, today)
dates = [(r.deadline, f"Frist for rapportering, oppstart {r.start_year}") for r in rounds.itertuples()]
dates += [(e.start_date, f"{e.label} ({e.note})") for e in store_access.frame("events").itertuples()]
dates += [(settings["reform_end"], "Reformperioden slutter")]
dates = sorted((pd.Timestamp(d).date(), text) for d, text in dates)

# Below the metrics the page is one HTML block (ui/html_blocks.py): charts as HTML/CSS bars, tables as
# <table>s, headings, notes and two columns. Plotly's bundle, st.table's Markdown cells and one Streamlit
# element per heading, caption and column were most of this page's time in the browser (issue 5).
ambition = html_blocks.section(
    f"Ambisjonen: {counted} {'pilot' if counted == 1 else 'piloter'} i gang eller gjennomført – {verdict}",
    html_blocks.ambition_bar(counted, planned, band),
    html_blocks.table(pd.DataFrame({
        "Status": by_status.index,
        "Piloter": by_status["pilots"].astype(int),
        "Herav forsøk": by_status["forsok"].astype(int),
        "Budsjett": by_status["budget_nok"].map(fmt.kr),
    }), numeric=("Budsjett",)))
reporting = html_blocks.section(
    "Rapportering per runde", *reporting_parts(),
    note_text=" · ".join(f"Oppstart {r.start_year}: frist {fmt.date(r.deadline)}" for r in rounds.itertuples()))
milestones = (html_blocks.note(f"Ingen milepæler etter i dag ({fmt.date(today)}) for pilotene i filteret.")
              if upcoming.empty else html_blocks.table(pd.DataFrame({
                  "Dato": upcoming["from_date"].map(fmt.date),
                  "Milepæl": upcoming["name"],
                  "Pilot": upcoming["pilot_name"],
                  "Virksomhet": upcoming["agency"],
              })))
key_dates = html_blocks.table(pd.DataFrame({"Dato": [fmt.date(d) for d, _ in dates], "Hva": [t for _, t in dates]}))
st.html(html_blocks.block(ambition, html_blocks.columns(
    reporting, html_blocks.section("Neste milepæler", milestones) + html_blocks.section("Viktige datoer", key_dates))))
st.page_link("pages/1_virksomheter.py", label="Hver virksomhets innsending: se Virksomheter",
             query_params=filters.query_params(f))

export_row(f, "oversikt")
