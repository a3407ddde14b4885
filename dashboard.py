"""Pilotoversikt — Oversikt: the sector against the 3–5 ambition, in ten seconds.

The entry page of the app (`make run`). The other pages are in pages/; every page sets
itself up through ui.layout.page_setup, so a deep link to any of them works on its own.
"""

import streamlit as st

from loaders.values import norwegian_today
from ui import filters, html_blocks, store_access
from ui import formatting as fmt
from ui.layout import page_setup
from ui.overview import overview
from ui.page_parts import FOLLOW_UP_KEY, export_row, moves_note

f = page_setup("Oversikt")
summary = store_access.read("store_summary")
ov = overview(f, norwegian_today())
low, high = ov.band

# the day of the last import is no day of the reports: a meeting read «data per 1. desember 2026» of plans sent in 2023
newest_words = f"; nyeste innsending i utvalget datert {fmt.date(ov.newest)}" if ov.newest is not None else ""
st.caption(f"Viser {f.describe()}. Data per {fmt.long_date(summary['last_import'].date())} "
           f"(siste import{newest_words}). Ambisjonen: KDD-sektoren skal gjennomføre {low}–{high} piloter i "
           f"reformperioden.{moves_note(f, whole_sector=True)}")

# Below the caption the page is one HTML block (ui/html_blocks.py, built in ui/overview.py): the key
# figures as cards, charts as HTML/CSS bars, tables as <table>s, headings, notes and two columns.
# Plotly's bundle, st.table's Markdown cells and one Streamlit element per metric, heading, caption and
# column were most of this page's time in the browser (issue 5).
st.html(ov.html)
st.page_link("pages/1_virksomheter.py", label="Hver virksomhets innsending: se Virksomheter",
             query_params=filters.query_params(f))
if ov.follow_up and st.button(f"Alle til oppfølging: se Virksomheter "
                              f"({fmt.plural(ov.follow_up, 'virksomhet', 'virksomheter')})",
                              type="tertiary", key=html_blocks.FOLLOW_UP_BUTTON_KEY):
    st.session_state[FOLLOW_UP_KEY] = True  # Virksomheter opens with «Bare til oppfølging» on
    st.switch_page("pages/1_virksomheter.py", query_params=filters.query_params(f))

export_row(f, "oversikt")
