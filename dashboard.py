"""Pilotoversikt — Oversikt: the sector against the 3–5 ambition, in ten seconds.

The entry page of the app (`make run`). The other pages are in pages/; every page sets
itself up through ui.layout.page_setup, so a deep link to any of them works on its own.
"""

import datetime as dt

import streamlit as st

from ui import filters, store_access
from ui import formatting as fmt
from ui.layout import page_setup
from ui.overview import overview
from ui.page_parts import export_row

f = page_setup("Oversikt")
summary = store_access.read("store_summary")
ov = overview(f, dt.date.today())
low, high = ov.band

st.caption(f"Viser {f.describe()}. Data per {fmt.long_date(summary['last_import'].date())} "
           f"(siste import). Ambisjonen: KDD-sektoren skal gjennomføre {low}–{high} piloter i "
           "reformperioden. Tallene tar med virksomhetene som gikk over til DFD 1.1.2024; velg departement i "
           "filteret for å avgrense.")

c1, c2, c3, c4, c5 = st.columns(5)
c1.metric("I gang / gjennomført", f"{ov.counted}", help=f"Piloter med status {' eller '.join(ov.counting_statuses)}. "
          f"Ambisjonen er {low}–{high}.", border=True)
c2.metric("Planlagt", ov.planned, help="Piloter med status Planlagt: det som kommer.", border=True)
c3.metric("Forsøk", ov.forsok, help="Piloter som trenger unntak fra lov eller forskrift.", border=True)
c4.metric("Budsjett, mill. kr", fmt.number(ov.budget_nok / 1_000_000, 1),
          help=f"Sum av «Budsjett totalt (kr)» for pilotene i filteret: {fmt.kr(ov.budget_nok)}.", border=True)
c5.metric("Innsendinger", f"{ov.delivered} av {ov.asked}", help="Innsendinger fra virksomheter som er bedt om å "
          "rapportere, per runde.", border=True)

# Below the metrics the page is one HTML block (ui/html_blocks.py, built in ui/overview.py): charts as
# HTML/CSS bars, tables as <table>s, headings, notes and two columns. Plotly's bundle, st.table's
# Markdown cells and one Streamlit element per heading, caption and column were most of this page's
# time in the browser (issue 5).
st.html(ov.html)
st.page_link("pages/1_virksomheter.py", label="Hver virksomhets innsending: se Virksomheter",
             query_params=filters.query_params(f))

export_row(f, "oversikt")
