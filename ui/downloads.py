"""Download buttons: the deck and the workbook for the current filter, and CSV of any table.

    export_buttons(f, key)                   «Last ned presentasjon» (.pptx) and «Last ned Excel» (.xlsx)
    csv_button(df, filename, key, label=…)   a table as CSV for Norwegian Excel

The deck and the workbook are built only when a button is clicked (Streamlit's deferred
download), one at a time, from a read-only connection, and kept as files named after the day,
the store's signature, the code, the filter and the choice (exports.building): a rerun builds
nothing, a second click on the same filter is instant, and an import (which changes the
signature) is picked up by itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import astuple

import pandas as pd
import streamlit as st

from exports import building
from exports.common import abbreviated, file_stem, filter_text, fits_file_name
from exports.excel import csv_bytes, selection_text
from loaders.values import format_number, norwegian_today
from store.queries import ALL_PLANS, PilotFilter, PlanChoice
from ui import store_access

PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv"


def export_bytes(kind: str, f: PilotFilter, choice: PlanChoice = ALL_PLANS) -> bytes:
    """«deck», «excel» or «csv» (the pilots) for the dashboard's store, this filter and choice.

    Built once and kept as a file (exports.building), in a process of its own when the filter
    holds many plans. The deck shows the sector (or the filter's part of it); the choice narrows
    only the workbook and the CSV.
    """
    path = store_access.store_path()
    return building.built(kind, store_access.signature(path), f.key(), astuple(choice), plans=plan_count(f))


def file_name(suffix: str, scope: str = "", today: dt.date | None = None) -> str:
    """pilotoversikt_2026-11-23.pptx, or pilotoversikt_husbanken_2026-11-23.pptx for a filter."""
    return f"{file_stem(today, scope)}{suffix}"


def chart_config(chart: str, f: PilotFilter, page: int = 1, choice: PlanChoice = ALL_PLANS) -> dict:
    """st.plotly_chart's config: the toolbar's PNG is named after the chart (and its page, after the first), the
    filter and Planer's choice, as the downloads are (pilotoversikt_budsjett-per-virksomhet-departement-kdd_
    2026-12-01.png; every chart's was «plot-image.png»)."""
    chart = f"{chart} side {page}" if page > 1 else chart
    return {"toImageButtonOptions": {"filename": file_stem(norwegian_today(), _words(chart, f, choice))}}


def _words(first: str, f: PilotFilter, choice: PlanChoice = ALL_PLANS) -> str:
    """What a file holds, for its name: «budsjett per år; Husbanken; søk «kommune»» (the whole sector says nothing).

    Agencies by their abbreviations where their names would not fit a file name (exports.common.slug): three long
    names were cut to two and a hash, and the year after them was lost.
    """
    words = "; ".join(w for w in (first, "" if f.is_empty else f.describe(), choice.describe()) if w)
    if f.agencies and not fits_file_name(words):
        short = abbreviated(f, store_access.abbreviations())
        words = "; ".join(w for w in (first, short.describe(), choice.describe()) if w)
    return words


def export_buttons(f: PilotFilter, key: str, choice: PlanChoice = ALL_PLANS, plans: int | None = None) -> None:
    """The download buttons for the current filter, side by side: deck, workbook, pilots as CSV.

    With Planer's choice, the workbook and the CSV hold the plans the page shows (plans: how many);
    the deck stays the filter's overview, and a line above the buttons says so.
    """
    missing = store_access.state() == "missing"  # no file, or never initialised: nothing to build from
    scope, chosen = filter_text(f), selection_text(f, choice)
    # File names carry the filter (and the choice), not «hele sektoren»: pilotoversikt_husbanken_2026-11-23.xlsx
    deck_words, table_words = _words("", f), _words("", f, choice)
    if choice:
        st.caption(f"Excel og CSV har bare planene som vises ({choice.describe()}), med milepælene og budsjettet "
                   "deres. Presentasjonen og arket Innsendinger viser hele utvalget i filteret.")
    if not missing and (count := plan_count(f) if plans is None else plans) >= LARGE_EXPORT_PLANS:
        st.caption(large_export_note(count))
    with st.container(horizontal=True, key=f"{key}_exports"):
        st.download_button(
            "Last ned presentasjon", data=lambda: export_bytes("deck", f), file_name=file_name(".pptx", deck_words),
            mime=PPTX_MIME, key=f"{key}_pptx", icon=":material/slideshow:", on_click="ignore", disabled=missing,
            help=f"PowerPoint (16:9) med ambisjon, rapportering, budsjett, tidslinje og oppfølging. "
                 f"Utvalg: {scope}.")
        st.download_button(
            "Last ned Excel", data=lambda: export_bytes("excel", f, choice),
            file_name=file_name(".xlsx", table_words), mime=XLSX_MIME, key=f"{key}_xlsx",
            icon=":material/table_view:", on_click="ignore", disabled=missing,
            help=f"Arkene Piloter, Milepæler, Budsjett og Innsendinger. Utvalg: {chosen}.")
        st.download_button(
            "Last ned piloter (CSV)", data=lambda: export_bytes("csv", f, choice),
            file_name=file_name("_piloter.csv", table_words), mime=CSV_MIME, key=f"{key}_csv",
            icon=":material/download:", on_click="ignore", disabled=missing,
            help=f"Semikolonseparert CSV for norsk Excel (UTF-8 med BOM). Utvalg: {chosen}.")


# From here on a user is told that Excel takes a while: about 5 s for 5 000 plans on the 2-core machine, 20 s at L.
LARGE_EXPORT_PLANS = 5_000


def plan_count(f: PilotFilter) -> int:
    """How many plans the filter holds (the overview's count, cached per store and filter)."""
    return int(store_access.frame("status_summary", f, norwegian_today())["pilots"].sum())


def large_export_note(plans: int) -> str:
    """What a user should know before clicking a large download."""
    wait = "opp mot et halvt minutt" if plans >= 15_000 else "noen sekunder"
    # a reviewer at L took the grey button with its small spinner for nothing happening (the deck 9 s, Excel 11 s)
    return (f"Excel-filen med {format_number(plans)} planer tar {wait} å lage første gang, presentasjonen noen "
            "sekunder. Mens filen lages, er knappen grå med et hjul som går rundt. Deretter hentes filene med "
            "en gang, også for andre brukere, resten av dagen eller fram til neste import. Velg færre virksomheter "
            "i filteret for mindre filer.")


def csv_button(df: pd.DataFrame, filename: str, key: str, label: str = "Last ned CSV") -> None:
    """A table as CSV that opens correctly in Norwegian Excel (UTF-8 with BOM, «;», decimal comma)."""
    name = filename if filename.lower().endswith(".csv") else f"{filename}.csv"
    st.download_button(label, data=csv_bytes(df), file_name=name, mime=CSV_MIME, key=key,
                       icon=":material/download:", on_click="ignore",
                       help="Semikolonseparert, for norsk Excel.")
