"""Small pieces several pages share: the export row, a chart with its data table, a figure's pager, chart clicks."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from store.queries import ALL_PLANS, PilotFilter, PlanChoice, ministry_moves_note
from ui import formatting as fmt
from ui import store_access
from ui.timeline import page_count


def moves_note(f: PilotFilter, whole_sector: bool = False) -> str:
    """« Tallene tar ikke med virksomhetene som gikk over …» after a caption, where the ministry filter leaves
    agencies out or takes them in (store.queries.ministry_moves_note); '' elsewhere."""
    return _moves_note(store_access.signature(store_access.store_path()), f.key(), whole_sector)


@st.cache_resource(show_spinner=False, max_entries=64)
def _moves_note(signature: tuple, filter_key: tuple, whole_sector: bool) -> str:
    """moves_note, made once per store and filter: it groups the register, a fifth of the overview's run in each new
    session at M (issue 5)."""
    note = ministry_moves_note(PilotFilter(*filter_key), store_access.frame("agencies"), whole_sector)
    return f" {note}" if note else ""


def export_row(f: PilotFilter, key: str, choice: PlanChoice = ALL_PLANS, plans: int | None = None,
               note: str = "") -> None:
    """Downloads for what is on screen: the deck, the Excel workbook and the pilots as CSV, for the current filter
    (and Planer's choice of plans; plans: how many the choice leaves, for the note on a large download). A note,
    where given, comes first: what the page shows that the files do not.

    In a popover, whose buttons the browser draws only when it is opened: three download buttons
    with their tooltips were about a tenth of the overview's first draw (issue 5).
    """
    from ui.downloads import export_buttons

    st.divider()
    with st.popover("Last ned for lysark og videre arbeid"):
        if note:
            st.caption(note)
        export_buttons(f, key, choice, plans)


FOLLOW_UP_KEY = "virksomheter_oppfolging"  # Virksomheter's «Bare til oppfølging», which Oversikt can turn on


# Rows a table sends to the browser. At L (20 000 pilots) a full table was megabytes that every view of the page
# sent and drew: Budsjett's pilots with their «Ressurser» 5,8 MB, Planer's element table 3,5 MB. The downloads
# hold everything.
TABLE_LIMIT = 1000


def capped(rows: pd.DataFrame, what: str, order: str = "") -> pd.DataFrame:
    """The first TABLE_LIMIT rows, with a line above the table saying so when there are more (order: how the
    rows are sorted, when the reader should know, e.g. «størst budsjett først»)."""
    if len(rows) > TABLE_LIMIT:
        # sorting and the grid's search see only these: «the smallest budget» was the smallest of the largest 1 000
        st.caption(f"Viser de første {fmt.number(TABLE_LIMIT)} av {fmt.number(len(rows))} {what}"
                   f"{f' ({order})' if order else ''}. Sortering og søk i tabellen gjelder bare disse; avgrens med "
                   "filteret for å se andre, eller last ned alle som Excel nederst på siden.")
    return rows.head(TABLE_LIMIT)


CHAR_PX = 7  # about a character of a table's text, in pixels


def text_width(texts: pd.Series, least: int = 70, most: int = 400) -> int:
    """Pixels for a column of text wide enough for its longest, within least and most: sized by its first rows,
    Tidslinje's «Status» cut «1 planlagt, 1 gjennomført» to «1 planlagt, 1 gjennomfør…»."""
    longest = int(texts.astype(str).str.len().max()) if len(texts) else 0
    return min(most, max(least, CHAR_PX * longest + 18))


ROW_PX = 35  # a table's row (and its header) as st.dataframe draws them
WHOLE_UP_TO = 20  # rows a table shows without scrolling inside it


def whole_table_height(rows: int) -> int:
    """A table's height that shows every row up to WHOLE_UP_TO, then scrolls: st.dataframe's own shows ten, and on
    Virksomheter the sector's twelve agencies scrolled inside the page, the last two out of view."""
    return ROW_PX * (min(max(rows, 1), WHOLE_UP_TO) + 1) + 3


# Amounts in a table stay numbers, so a click on the column's header sorts them by size (as text, «10 000 kr»
# sorted after «1 500 000 kr»). Streamlit's printf format groups the thousands with the character after «'».
# A plain space, not fmt.kr's non-breaking one: a grid cell never breaks a line, and the table's search
# matches what the user types («3 950 000»).
KRONER = st.column_config.NumberColumn(format="%' ,d kr")
DATE_PX = 100  # «31.12.2026» and a sort arrow
# Dates in a table stay dates, so they sort as dates (as text, 02.12.2026 came before 30.11.2026); a time
# of import to the minute.
# A width of their own: sized by their first rows, a column of «–» cut the dates under them to «20.03.2».
DATE = st.column_config.DateColumn(format="DD.MM.YYYY", width=DATE_PX)
IMPORTED_AT = st.column_config.DatetimeColumn(format="DD.MM.YYYY HH:mm")


def kroner_columns(*names: str) -> dict:
    """column_config for a table whose columns of these names hold amounts (fmt.whole_kroner)."""
    return dict.fromkeys(names, KRONER)


def chart_with_table(fig: go.Figure, table: pd.DataFrame, key: str, caption: str = "", on_select=None,
                     column_config: dict | None = None, config: dict | None = None) -> None:
    """A chart and, under it, its data as a table (the text alternative, and what goes into slides); config is
    the chart's (downloads.chart_config)."""
    if on_select is None:
        st.plotly_chart(fig, key=f"{key}_chart", config=config)
    else:
        st.plotly_chart(fig, key=f"{key}_chart", on_select=on_select, selection_mode="points", config=config)
    if caption:
        st.caption(caption)
    st.dataframe(table, hide_index=True, key=f"{key}_table", column_config=column_config, placeholder="–")


def figure_page(count: int, per_page: int, key: str, what: str, order: str = "", label: str = "Side",
                table_has_all: bool = True) -> int:
    """The page of a long figure to draw (from 1), with a number input and a caption when there is more than one.

    The caption says which rows the page holds («Side 2 av 10 (virksomheter 41–80 av 400, i alfabetisk
    rekkefølge)») and, when table_has_all, that the table under the figure holds them all. Other rows (a
    new search or filter) start at page 1: page 500 of every plan became «Side 488 av 488» of a search's.
    """
    pages = page_count(count, per_page)
    if st.session_state.get(f"{key}_rows", count) != count:
        st.session_state[key] = 1
    st.session_state[f"{key}_rows"] = count
    if pages == 1:
        return 1
    _clamp_page(key, pages)
    left, right = st.columns([1, 3], vertical_alignment="bottom")
    # No min_value/max_value: the browser would answer a typed 11 of 10 in English («Number is outside the
    # allowed range»); a number out of range becomes the nearest page instead.
    number = int(left.number_input(label, step=1, key=key, on_change=_clamp_page, args=(key, pages)) or 1)
    first, last = (number - 1) * per_page + 1, min(number * per_page, count)
    rows = f"{what} {fmt.number(first)}–{fmt.number(last)} av {fmt.number(count)}" + (f", {order}" if order else "")
    right.caption(f"Side {fmt.number(number)} av {fmt.number(pages)} ({rows})."
                  + (" Tabellen under har alle." if table_has_all else ""))
    return number


def _clamp_page(key: str, pages: int) -> None:
    """The page number in key within 1…pages (typed out of range, or left too high by a narrower filter)."""
    number = st.session_state.get(key)
    if number is None:
        number = 1
    st.session_state[key] = min(max(1, int(number)), pages)


def agency_click_handler(chart_key: str, axis: str = "y"):
    """A callback for st.plotly_chart(on_select=…) that filters the app to the clicked agency."""
    from ui import filters

    def handle() -> None:
        points = st.session_state.get(chart_key, {}).get("selection", {}).get("points", [])
        names = [p.get(axis) for p in points if p.get(axis)]
        if names:
            filters.select_agencies(list(dict.fromkeys(names)))

    return handle
