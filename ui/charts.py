"""Charts: pure functions from a DataFrame to a plotly figure, in one calm, accessible style.

Colours come from the Okabe–Ito palette (safe for colour-blind readers), and meaning is
never carried by colour alone: bars carry text labels, statuses also differ in pattern,
and every chart has its data as a table beside it on the page.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from store.queries import OPEN
from ui import formatting as fmt

# Okabe–Ito, with a dark blue as the ministry's accent.
ACCENT = "#1F4E79"
GREY = "#6B6B6B"
LIGHT = "#E8EEF4"
# Small text in grey, as captions and notes: Streamlit's own caption grey is 3.7:1 on white, under the 4.5:1 that
# WCAG 2.1 AA asks of text this small; this is 6.2:1, and plotly's axes were 3.7:1 in Streamlit's chart theme.
FADED_TEXT = "#5F6169"
TEXT = "#222"
STATUS_COLORS = {"Planlagt": "#56B4E9", "Pågår": "#E69F00", "Gjennomført": "#009E73", "Avbrutt": "#999999"}
STATUS_PATTERNS = {"Planlagt": "", "Pågår": "/", "Gjennomført": ".", "Avbrutt": "x"}
FRAME_COLORS = {"Ja": "#009E73", "Delvis": "#E69F00", "Nei": "#D55E00"}
FRAME_PATTERNS = {"Ja": "", "Delvis": "/", "Nei": "x"}
# the last only where a round is still open: asked, nothing delivered, and the deadline still to come
REPORTING_COLORS = {"I tide": "#009E73", "For sent": "#E69F00", "Ikke levert": "#D55E00", OPEN: "#999999"}
REPORTING_PATTERNS = {"I tide": "", "For sent": "/", "Ikke levert": "x", OPEN: "-"}
CATEGORY_COLORS = {"Lønn": "#0072B2", "Innkjøp": "#E69F00", "Drift": "#009E73", "Annet": "#CC79A7"}
CATEGORY_PATTERNS = {"Lønn": "", "Innkjøp": "/", "Drift": ".", "Annet": "x"}
FONT = "Source Sans Pro, Arial, sans-serif"


def pattern(shape: str) -> dict:
    """A white hatch drawn over the bar's colour, so categories differ by more than colour."""
    return {"shape": shape, "fgcolor": "white", "fillmode": "overlay"}


def house_layout(height: int = 360, legend_title: str | None = None, **more: object) -> dict:
    """The house style as a figure's layout: white, readable text, legend on top, no clutter; more (a chart's own
    settings, axes included) is merged into it key by key, as plotly's update_layout merges.

    Given to go.Figure whole: styling a figure after it is built went through plotly's update machinery, 20 ms a
    chart, a tenth of Budsjett's and Planer's run at M (issue 5); built with its layout, a figure takes 4 ms.
    """
    # Streamlit's chart theme greys the axes' labels and titles, whatever the layout's font says
    axes = {"gridcolor": "#EEE", "zerolinecolor": "#CCC", "tickfont": {"color": TEXT},
            "title": {"font": {"color": TEXT}}}
    layout = {
        "height": height, "margin": {"l": 10, "r": 10, "t": 40, "b": 10}, "plot_bgcolor": "white",
        "paper_bgcolor": "white", "font": {"family": FONT, "size": 14, "color": TEXT}, "separators": ", ",
        # traceorder: plotly lists a stack's legend last trace first, and Budsjett's legend read «Delvis innenfor,
        # Utenfor rammer, Innenfor rammer» beside key figures and bars in the opposite order
        # the title's colour set: Streamlit's theme greys it to 3.7:1 («Kategori» over Budsjett per år)
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0,
                   "title": {"text": legend_title, "font": {"color": TEXT}},
                   "traceorder": "normal"},
        "hoverlabel": {"font": {"size": 13}},
        "xaxis": axes, "yaxis": axes,
    }
    return _merged(layout, more)


def _merged(base: dict, more: dict) -> dict:
    """base with more merged into it, nested dicts key by key (a title given as text replaces a title dict)."""
    merged = dict(base)
    for key, value in more.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merged(merged[key], value)
        elif key == "title" and isinstance(value, str) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], "text": value}
        else:
            merged[key] = value
    return merged


MAX_BARS = 30  # beyond this a bar chart stops being readable: the largest are drawn, the rest told in words
MILLION = 1_000_000
# Amount axes count millions, as the key figures do: «20 000 000 000» at L was hard to read. Up to two
# decimals, trailing zeros dropped (0,5 and 2, not 0,50 and 2,00); the decimal comma comes from house_layout().
MILLIONS_TICKS = ",.2~f"


def budget_per_agency(pilots: pd.DataFrame) -> pd.DataFrame:
    """Budget per agency: a column per answer to «innenfor gjeldende rammer» that occurs (Ja, Delvis, Nei),
    and Totalt; largest first. The Budsjett page's table and its chart (budget_by_agency) share it.
    """
    # A grouped sum, unstacked: the same table as pivot_table gives, in a third of its time (5 -> 2 ms at M).
    table = pilots.groupby(["agency", "within_budget_frame"])["budget_total_nok"].sum().unstack(fill_value=0)
    table["Totalt"] = table.sum(axis=1)
    return table.loc[fmt.largest_first(table["Totalt"]).index]


# In the order of the page's key figures and table: fits, fits in part, does not
FRAME_LABELS = {"Ja": "Innenfor rammer", "Delvis": "Delvis innenfor", "Nei": "Utenfor rammer"}


def budget_by_agency(per_agency: pd.DataFrame) -> go.Figure:
    """The largest MAX_BARS agencies of budget_per_agency, each bar split by whether it fits current frames."""
    table = per_agency.iloc[:MAX_BARS].iloc[::-1]
    traces: list = [go.Bar(y=table.index, x=table[answer] / MILLION, orientation="h", name=label,
                           marker={"color": FRAME_COLORS[answer], "pattern": pattern(FRAME_PATTERNS[answer])},
                           customdata=[fmt.kr(v) for v in table[answer]],
                           hovertemplate="%{y}<br>" + label + ": %{customdata}<extra></extra>")
                    for answer, label in FRAME_LABELS.items() if answer in table]
    totals = table["Totalt"]
    # The totals may run past the axis into the right margin: on a narrow page «7,1 mill. kr» lost its «kr».
    # All in millions, as the axis: «600 000 kr» beside «1,0 mill. kr» read as two units on one chart, and at any
    # size: in billions 49 mill. kr read «0,05» beside 51 mill. kr as «0,1» (the cards above go to billions).
    traces.append(go.Scatter(y=table.index, x=totals / MILLION, mode="text",
                             text=[f"  {fmt.mill_kr(v, scale=fmt.MILLIONS)}" for v in totals],
                             textposition="middle right", showlegend=False, hoverinfo="skip", cliponaxis=False))
    return go.Figure(traces, house_layout(
        height=max(260, 44 * len(table) + 80), barmode="stack", clickmode="event+select",
        margin={"r": TOTAL_LABEL_PX},
        # The totals' text trace pads the autorange by a bar and more at each end: at M, 100 px of white
        # between the legend and the largest bar. The bars' own range has none.
        yaxis={"range": [-0.5, len(table) - 0.5]},
        xaxis={"title": "Budsjett (mill. kr)", "tickformat": MILLIONS_TICKS,
               "range": [0, float(totals.max() or 1) / MILLION * 1.3]}))


TOTAL_LABEL_PX = 90  # room right of the axis for a total such as «12 345,6 mill. kr»


def budget_per_year(lines: pd.DataFrame) -> pd.DataFrame:
    """Budget rows summed per year (rows) and category (columns, in the chart's order: the table's were
    alphabetical, the legend's Lønn to Annet); the Budsjett page's table and its chart."""
    table = lines.groupby(["year", "category"])["amount_nok"].sum().unstack(fill_value=0)
    order = [c for c in CATEGORY_COLORS if c in table] + [c for c in table if c not in CATEGORY_COLORS]
    return table[order]


def budget_by_year(table: pd.DataFrame) -> go.Figure:
    """Budget rows per year, stacked by category, from budget_per_year's table (the page's table has it too)."""
    years = [str(y) for y in table.index]
    traces: list = [go.Bar(x=years, y=table[category] / MILLION, name=category,
                           marker={"color": color, "pattern": pattern(CATEGORY_PATTERNS[category])},
                           customdata=[fmt.kr(v) for v in table[category]],
                           hovertemplate="%{x} " + category + ": %{customdata}<extra></extra>")
                    for category, color in CATEGORY_COLORS.items() if category in table]
    totals = table.sum(axis=1)
    traces.append(go.Scatter(x=years, y=totals / MILLION, mode="text",
                             text=[fmt.mill_kr(v, scale=fmt.MILLIONS) for v in totals],
                             textposition="top center", showlegend=False, hoverinfo="skip"))
    return go.Figure(traces, house_layout(
        legend_title="Kategori", barmode="stack",
        yaxis={"title": "mill. kr", "tickformat": MILLIONS_TICKS,
               "range": [0, float(totals.max() or 1) / MILLION * 1.2]},
        xaxis={"title": "År", "type": "category"}))
