"""Small pieces several pages share: the export row, a chart with its data table, chart clicks."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from store.queries import ALL_PLANS, PilotFilter, PlanChoice


def export_row(f: PilotFilter, key: str, choice: PlanChoice = ALL_PLANS) -> None:
    """Downloads for what is on screen: the deck, the Excel workbook and the pilots as CSV, for the current filter
    (and Planer's choice of plans).

    In a popover, whose buttons the browser draws only when it is opened: three download buttons
    with their tooltips were about a tenth of the overview's first draw (issue 5).
    """
    from ui.downloads import export_buttons

    st.divider()
    with st.popover("Last ned for lysark og videre arbeid"):
        export_buttons(f, key, choice)


def chart_with_table(fig: go.Figure, table: pd.DataFrame, key: str, caption: str = "", on_select=None) -> None:
    """A chart and, under it, its data as a table (the text alternative, and what goes into slides)."""
    if on_select is None:
        st.plotly_chart(fig, key=f"{key}_chart")
    else:
        st.plotly_chart(fig, key=f"{key}_chart", on_select=on_select, selection_mode="points")
    if caption:
        st.caption(caption)
    st.dataframe(table, hide_index=True, key=f"{key}_table")


def agency_click_handler(chart_key: str, axis: str = "y"):
    """A callback for st.plotly_chart(on_select=…) that filters the app to the clicked agency."""
    from ui import charts, filters

    def handle() -> None:
        points = st.session_state.get(chart_key, {}).get("selection", {}).get("points", [])
        names = [p.get(axis) for p in points if p.get(axis) and not str(p.get(axis)).startswith(charts.OTHERS)]
        if names:
            filters.select_agencies(list(dict.fromkeys(names)))

    return handle
