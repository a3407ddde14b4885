"""The plans by the letter's six elements: pure functions from pilot frames to figures, tables and plan text.

Which element a plan covers is decided at import (covers_e1..covers_e6, by the contract's rule);
this module only shows it. Covered and missing differ in symbol (✓ and –) as well as colour.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from loaders.contract import ELEMENT_SHORT, ELEMENTS, PILOTS, Element, Field, element_fields
from store.queries import lacks_evaluation
from ui import formatting as fmt
from ui.charts import house_layout

NOT_GIVEN = "Ikke oppgitt"
NOT_RELEVANT = "Ikke aktuelt (ikke forsøk)"
COVERED, MISSING, DOCUMENTED_ONLY = fmt.COVERED, fmt.MISSING, fmt.DOCUMENTED_ONLY
EVALUATION = "evaluering og gevinstmåling"  # what a plan marked ✓* under 6 lacks
COVERED_COLOR = "#CFEBDD"
MISSING_COLOR = "#F9D9C4"
ELEMENT_COLUMNS = [f"covers_e{e.number}" for e in ELEMENTS]
MAX_TICK_CHARS = 45


def element_title(element: Element) -> str:
    """«1. Problembeskrivelse og mål»."""
    return f"{element.number}. {element.name}"


def short_title(element: Element) -> str:
    """«1. Problem og mål», as the figures and the tables' headers have it."""
    return f"{element.number}. {ELEMENT_SHORT[element.number]}"


def _wrapped(text: str, width: int = 16) -> str:
    """Text broken into lines of about width characters for an axis label."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join([*lines, line])


# The matrices' column labels: «1. Problem<br>og mål», short (the full names, turned on end, were cut at the
# figure's top edge); the full name is in each cell's hover text
ELEMENT_LABELS = tuple(_wrapped(short_title(e), 11) for e in ELEMENTS)


def is_blank(value: object) -> bool:
    """None, NaN/NA, an empty or whitespace text, or an empty list."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if hasattr(value, "__len__") and not isinstance(value, (bytes, Mapping)):
        return len(value) == 0 or all(is_blank(v) for v in value)
    return bool(pd.isna(value))


def flag_texts(pilots: pd.DataFrame) -> list[str]:
    """flags() for every plan at once, joined: «Forsøk · Mangler evaluering»."""
    forsok = pilots["needs_exemption"].fillna(False).astype(bool).map({True: "Forsøk", False: ""})
    missing = lacks_evaluation(pilots).map({True: "Mangler evaluering", False: ""})
    return [" · ".join(x for x in pair if x) for pair in zip(forsok, missing, strict=True)]


def option_label(row: Mapping) -> str:
    """How a plan is named in the chooser: «Pilotnavn – Virksomhet (oppstart 2024)»."""
    return f"{row['pilot_name']} – {row['agency']} (oppstart {row['start_year']})"


def flags(row: Mapping) -> list[str]:
    """The badges a plan carries: «Forsøk» and «Mangler evaluering»."""
    found = []
    if bool(row.get("needs_exemption")):
        found.append("Forsøk")
    if not bool(row.get("describes_evaluation")):
        found.append("Mangler evaluering")
    return found


def plan_list(pilots: pd.DataFrame) -> pd.DataFrame:
    """The matching plans as a table, with the flags spelled out and the regulation for forsøk."""
    return pd.DataFrame({
        "Virksomhet": pilots["agency"],
        "Pilot": pilots["pilot_name"],
        "Oppstartsår": pilots["start_year"].astype(str),
        "Status": pilots["status"],
        "Start": pd.to_datetime(pilots["start_date"]).dt.date,
        "Slutt": pd.to_datetime(pilots["end_date"]).dt.date,
        "Elementer": [f"{int(n)} av {len(ELEMENTS)}" for n in pilots["elements_covered"]],
        "Merknader": flag_texts(pilots),
        "Forsøk": pilots["needs_exemption"].map(fmt.yes_no),
        "Regelverk det søkes unntak fra": [r if not is_blank(r) else "" for r in pilots["exemption_rules"]],
        "Evaluering beskrevet": [fmt.yes_no(not is_blank(v)) for v in pilots["evaluation"]],
    })


# ---------------------------------------------------------------------------------------
# Coverage of the six elements


NONE_MISSING = "ingen"


def coverage_table(pilots: pd.DataFrame) -> pd.DataFrame:
    """Pilots × elements (fmt.element_marks), with the count per plan and what it lacks beside the plan's name: at
    1 280 px the columns from element 5 on, «6. Dok. og evaluering» where the gaps are, were out of view. A plan
    marked ✓* under 6 lacks evaluation: «Mangler: ingen» beside it contradicted «Bare planer uten evaluering»."""
    marks = [fmt.element_marks(covered, bool(describes)) for *covered, describes in
             pilots[[*ELEMENT_COLUMNS, "describes_evaluation"]].itertuples(index=False, name=None)]
    lacking = [", ".join([short_title(e) for e, mark in zip(ELEMENTS, row) if mark == MISSING]
                         + ([EVALUATION] if row[-1] == DOCUMENTED_ONLY else [])) or NONE_MISSING for row in marks]
    table = pd.DataFrame({"Virksomhet": pilots["agency"], "Pilot": pilots["pilot_name"],
                          "Dekket": [f"{int(n)} av {len(ELEMENTS)}" for n in pilots["elements_covered"]],
                          "Mangler": lacking})
    for i, element in enumerate(ELEMENTS):
        table[element_title(element)] = [row[i] for row in marks]
    return table.reset_index(drop=True)


def element_headers() -> dict[str, tuple[str, str]]:
    """A table's column of an element (element_title) → its header, the short name as the figures have it, and the
    header's help, the element in full. With the full names as headers the six did not fit at 1 440 px, and the
    one most often missing, «6. Dokumentasjon og evaluering», was out of view."""
    return {element_title(e): (short_title(e), f"Element {e.number} i brevet: {e.name}") for e in ELEMENTS}


def _two_tone(covered_color: str, missing_color: str) -> list:
    """A colour scale with one colour for 0 (missing) and one for 1 (covered)."""
    return [[0, missing_color], [0.5, missing_color], [0.5, covered_color], [1, covered_color]]


def coverage_matrix(pilots: pd.DataFrame, short_names: Mapping[str, str] | None = None) -> go.Figure:
    """A heatmap of pilots × the six elements under their agency's heading (a long name with its abbreviation from
    short_names): ✓ covered, – missing."""
    x = ELEMENT_LABELS
    z: list[list[int | None]] = []
    text: list[list[str]] = []
    hover: list[list[str]] = []
    ticktext: list[str] = []
    # Only the columns drawn: every column of a plan made a page's rows into dicts ten times slower (issue 5).
    drawn = pilots[["pilot_name", *ELEMENT_COLUMNS, "describes_evaluation"]]
    for agency, group in drawn.groupby(pilots["agency"], sort=False):
        ticktext.append(f"<b>{fmt.agency_tick(agency, short_names, MAX_TICK_CHARS)}</b>")
        z.append([None] * len(ELEMENTS))
        text.append([""] * len(ELEMENTS))
        hover.append([str(agency)] * len(ELEMENTS))
        for name, *covered, describes in group.itertuples(index=False, name=None):
            marks = fmt.element_marks(covered, bool(describes))
            ticktext.append(fmt.cut(str(name), MAX_TICK_CHARS))
            z.append([int(mark != MISSING) for mark in marks])
            text.append(marks)
            hover.append([f"{name} – {agency}<br>{element_title(e)}: {_in_words(mark)}"
                          for e, mark in zip(ELEMENTS, marks)])
    rows = list(range(len(z)))
    return go.Figure(go.Heatmap(
        z=z, x=x, y=rows, text=text, texttemplate="%{text}", textfont={"size": 18, "color": "#111"},
        hovertext=hover, hoverinfo="text", colorscale=_two_tone(COVERED_COLOR, MISSING_COLOR), zmin=0, zmax=1,
        showscale=False, xgap=3, ygap=3, hoverongaps=False,
    ), house_layout(
        height=120 + 34 * max(len(rows), 1), margin={"l": 10, "r": 10, "t": 80, "b": 10},
        yaxis={"autorange": "reversed", "tickmode": "array", "tickvals": rows, "ticktext": ticktext,
               "showgrid": False, "zeroline": False},
        xaxis={"side": "top", "showgrid": False},  # turned on end where the plans' names leave little room
    ))


def _in_words(mark: str) -> str:
    """A matrix cell's mark in words, for its hover text."""
    return {COVERED: "dekket", MISSING: "mangler"}.get(mark, f"dekket av «Dokumentasjon av funn», men {EVALUATION} "
                                                           "mangler")


def agency_coverage(pilots: pd.DataFrame) -> pd.DataFrame:
    """Per agency and element: how many of its pilots cover the element, and how many pilots it has."""
    grouped = pilots.groupby("agency", sort=True)
    counts = grouped[ELEMENT_COLUMNS].sum().astype(int)
    counts["pilots"] = grouped.size()
    return counts.reset_index()


def agency_coverage_table(coverage: pd.DataFrame) -> pd.DataFrame:
    """Agencies × elements: the per cent of the agency's plans covering each, a number, so a click on a header sorts
    the agencies with gaps first (as text, «49 av 50» sorted after «1 av 1» and «10 av 10»); whole per cents as the
    matrix's hover says them (fmt.share_percent: 199 of 200 is 99 %, never 100 %)."""
    table = pd.DataFrame({"Virksomhet": coverage["agency"], "Piloter": coverage["pilots"].astype(int)})
    for element, column in zip(ELEMENTS, ELEMENT_COLUMNS):
        table[element_title(element)] = [fmt.share_percent(c, n) for c, n in zip(coverage[column], coverage["pilots"])]
    return table



def agency_matrix(coverage: pd.DataFrame, short_names: Mapping[str, str] | None = None) -> go.Figure:
    """A heatmap of agencies × elements: the share of the agency's pilots covering it, labelled «2 av 3». A long
    name is cut with its abbreviation from short_names kept."""
    x = ELEMENT_LABELS
    rows = list(range(len(coverage)))
    z = [[coverage.at[i, c] / coverage.at[i, "pilots"] for c in ELEMENT_COLUMNS] for i in rows]
    text = [[f"{int(coverage.at[i, c])} av {int(coverage.at[i, 'pilots'])}" for c in ELEMENT_COLUMNS] for i in rows]
    hover = [[f"{coverage.at[i, 'agency']}<br>{element_title(e)}: {text[i][k]} piloter "
              f"({fmt.share_percent(coverage.at[i, ELEMENT_COLUMNS[k]], coverage.at[i, 'pilots'])}{fmt.NBSP}%)"
              for k, e in enumerate(ELEMENTS)] for i in rows]
    return go.Figure(go.Heatmap(
        z=z, x=x, y=rows, text=text, texttemplate="%{text}", textfont={"size": 14, "color": "#111"},
        hovertext=hover, hoverinfo="text", zmin=0, zmax=1, xgap=3, ygap=3,
        # no colour scale: each cell says «2 av 3», and the page's caption says what the colours mean (for two
        # agencies the scale was as short as the figure, its «0 %», «50 %» and «100 %» printed over each other)
        colorscale=[[0, MISSING_COLOR], [0.5, "#F4EBC4"], [1, COVERED_COLOR]], showscale=False,
    ), house_layout(
        height=120 + 40 * max(len(rows), 1), margin={"l": 10, "r": 10, "t": 80, "b": 10},
        yaxis={"autorange": "reversed", "tickmode": "array", "tickvals": rows,
               "ticktext": [fmt.agency_tick(a, short_names, MAX_TICK_CHARS) for a in coverage["agency"]],
               "showgrid": False},
        # upright where they fit; forced upright, the nine sample agencies' long names left 43 px a column at
        # 1024 px, and the headers ran into each other
        xaxis={"side": "top", "showgrid": False},
    ))


# ---------------------------------------------------------------------------------------
# One plan in full


@dataclass(frozen=True)
class Section:
    """One element of a plan: whether it is covered, and each field's label and shown value (None if blank)."""

    element: Element
    covered: bool
    fields: tuple[tuple[str, str | None], ...]


def format_value(field: Field, value: object) -> str | None:
    """A field's value as Norwegian text; None when it was left blank."""
    if is_blank(value):
        return None
    if field.kind == "list":
        return "; ".join(str(v) for v in value if not is_blank(v))
    if field.kind == "yes_no":
        return fmt.yes_no(value)
    if field.kind == "date":
        return fmt.date(value)
    if field.kind == "amount":
        return fmt.kr(value)
    if field.kind == "number":
        return fmt.number(value, 0 if float(value).is_integer() else 1)
    return str(value).strip()


def _shown_value(field: Field, plan: Mapping) -> str | None:
    """A field's text in the plan; the regulation field says «Ikke aktuelt» for a plan that is no forsøk."""
    value = format_value(field, plan.get(field.key))
    if value is None and field.key == "exemption_rules" and not is_blank(plan.get("needs_exemption")) \
            and not bool(plan.get("needs_exemption")):
        return NOT_RELEVANT
    return value


def sections(plan: Mapping) -> list[Section]:
    """The plan by the letter's six elements, each with its fields in the form's order."""
    return [Section(element, bool(plan.get(f"covers_e{element.number}")),
                    tuple((f.label, _shown_value(f, plan)) for f in element_fields(element.number)))
            for element in ELEMENTS]


def pilot_ref(plan: Mapping) -> str | None:
    """The agency's own reference for the pilot, if any."""
    return format_value(PILOTS.field("pilot_ref"), plan.get("pilot_ref"))


def plan_milestones(milestones: pd.DataFrame, plan: Mapping) -> pd.DataFrame:
    """The plan's milestones and phases as a table, in date order."""
    mine = milestones[(milestones["agency"] == plan["agency"]) & (milestones["start_year"] == plan["start_year"])
                      & (milestones["pilot_name"] == plan["pilot_name"])].sort_values("from_date", kind="stable")
    return pd.DataFrame({
        "Type": mine["kind"], "Navn": mine["name"], "Fra": mine["from_date"].dt.date,
        "Til": mine["to_date"].dt.date, "Status": mine["status"],
    }).reset_index(drop=True)

