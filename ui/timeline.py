"""The timeline: pure functions from pilot, milestone and reference frames to Gantt figures and tables.

Readable with five pilots or twenty thousand: above COLLAPSE_ABOVE pilots the page starts with one
bar per agency, AGENCIES_PER_PAGE agencies at a time (one bar per ministry when the agencies are more
than a page), and the per-pilot view is drawn one page of PER_PAGE pilots at a time, so no figure ever
holds hundreds of bars. Status is carried by colour,
pattern and text alike, and every reference line has a Norwegian label.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from loaders.contract import PILOT_STATUSES
from loaders.values import norwegian_today
from ui import formatting as fmt
from ui.charts import ACCENT, STATUS_COLORS, STATUS_PATTERNS, house_layout

VIEW_MINISTRY = "Per departement"
VIEW_AGENCY = "Per virksomhet"
VIEW_PILOT = "Per pilot"
VIEWS = (VIEW_MINISTRY, VIEW_AGENCY, VIEW_PILOT)
NO_MINISTRY = "Uten departement"  # an agency the register does not place under a ministry
COLLAPSE_ABOVE = 40
PER_PAGE = 25
# Agencies per page of the collapsed view: 400 bars made a figure 16 000 px tall that kept the browser
# busy for six seconds at L (issue 5), and no one reads a bar that far down.
AGENCIES_PER_PAGE = 40

PHASE_COLOR = "#0072B2"
MILESTONE_COLOR = "#222222"
SEMINAR_COLOR = "#F3D9A4"
REFORM_COLOR = "#EDF3F8"
DEADLINE_COLOR = "#D55E00"
ROW_PX = 40
# Within a pilot's row (one unit tall, the axis reversed): the pilot's bar in the upper part with
# its name, its phases and milestones in a strip below it, so neither hides the other.
BAR_WIDTH, BAR_OFFSET = 0.56, -0.37
DETAIL_WIDTH, DETAIL_OFFSET = 0.22, 0.2
LABEL_PX = 18
MAX_TICK_CHARS = 38  # an agency's heading, on one line
PILOT_TICK_CHARS = 32  # a pilot's name, on up to two lines of this many
MS_PER_DAY = 86_400_000


@dataclass(frozen=True)
class Reference:
    """A date (or period, when end is set) drawn across the timeline, with its Norwegian label."""

    kind: str  # deadline | event | reform | today
    label: str
    start: dt.date
    end: dt.date | None = None
    hover: str = ""


# ---------------------------------------------------------------------------------------
# Data shaping


def _day(value: object) -> dt.date | None:
    """A date from a date, datetime, Timestamp or None/NaT."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else pd.Timestamp(value).date()


def _text(value: object) -> str:
    """A text value, or "" for None/NaN."""
    return value.strip() if isinstance(value, str) else ""


def views(ministry_count: int) -> tuple[str, ...]:
    """The views a selection offers: per ministry only when it spans several (one bar says nothing)."""
    return VIEWS if ministry_count > 1 else VIEWS[1:]


def default_view(pilot_count: int, agency_count: int = 2, ministry_count: int = 1) -> str:
    """Per agency for many pilots, per pilot for a few, or for one agency (one bar says nothing); per ministry when
    the agencies are more than a page of bars (at the whole state's scale, ten pages of near-alike bars)."""
    if pilot_count <= COLLAPSE_ABOVE or agency_count <= 1:
        return VIEW_PILOT
    return VIEW_MINISTRY if agency_count > AGENCIES_PER_PAGE and ministry_count > 1 else VIEW_AGENCY


def ministry_labels(register: pd.DataFrame) -> pd.Series:
    """Each agency's ministry as a bar names it, by the agency's name: its full name, else its short one."""
    return register["ministry_name"].fillna(register["ministry"]).set_axis(register["name"])


def with_ministry(pilots: pd.DataFrame, register: pd.DataFrame) -> pd.DataFrame:
    """The pilots with the name of the ministry each agency is under today (register: name, ministry, ministry_name)."""
    # mapped, not looped: Tidslinje does this on every rerun, for 20 000 pilots at L
    return pilots.assign(ministry_name=pilots["agency"].map(ministry_labels(register)).fillna(NO_MINISTRY))


def ordered(pilots: pd.DataFrame) -> pd.DataFrame:
    """Pilots grouped by agency, each agency's in order of start."""
    return pilots.sort_values(["agency", "start_date", "end_date", "pilot_name"], kind="stable").reset_index(drop=True)


def page_count(n: int, per_page: int = PER_PAGE) -> int:
    """How many pages n rows fill (at least one)."""
    return max(1, math.ceil(n / per_page))


def page(rows: pd.DataFrame, number: int, per_page: int = PER_PAGE) -> pd.DataFrame:
    """Page `number` (from 1) of the rows as they come; the last page when number is too high.

    Pilots are paged in timeline order: page(ordered(pilots), number).
    """
    number = min(max(1, int(number)), page_count(len(rows), per_page))
    return rows.iloc[(number - 1) * per_page: number * per_page].reset_index(drop=True)


def milestones_of(milestones: pd.DataFrame, pilots: pd.DataFrame) -> pd.DataFrame:
    """The milestones and phases that belong to these pilots."""
    keys = ["agency", "start_year", "pilot_name"]
    return milestones.merge(pilots[keys].drop_duplicates(), on=keys, how="inner")


def agency_spans(pilots: pd.DataFrame, by: str = "agency") -> pd.DataFrame:
    """One row per agency (or per value of another column, as «agency»): number of pilots, earliest start, latest
    end, how many are cancelled, the statuses in words, and how many agencies."""
    if pilots.empty:
        return pd.DataFrame(columns=["agency", "pilots", "first_start", "last_end", "cancelled", "statuses",
                                     "agencies"])

    spans = pilots.groupby(by, sort=True).agg(
        pilots=("pilot_name", "size"), first_start=("start_date", "min"), last_end=("end_date", "max"))
    spans["agencies"] = pilots.groupby(by)["agency"].nunique() if by != "agency" else 1  # not counted per agency
    spans.index.name = "agency"
    counts = pilots.groupby([by, "status"]).size().unstack(fill_value=0).reindex(spans.index, fill_value=0)
    spans["cancelled"] = counts["Avbrutt"] if "Avbrutt" in counts.columns else 0
    columns = [[f"{n} {status.lower()}" if n else "" for n in counts[status]]
               for status in PILOT_STATUSES if status in counts.columns]
    spans["statuses"] = [", ".join(part for part in row if part) for row in zip(*columns)] if columns else ""
    return spans.reset_index()


def references(rounds: pd.DataFrame, events: pd.DataFrame, settings: Mapping, today: dt.date | None
               ) -> list[Reference]:
    """The round deadlines, the seminar, the reform period and today, as labelled references."""
    refs: list[Reference] = []
    if settings.get("reform_start") and settings.get("reform_end"):
        start, end = _day(settings["reform_start"]), _day(settings["reform_end"])
        refs.append(Reference("reform", f"Reformperioden {start.year}–{end.year}", start, end,
                              f"Reformperioden {fmt.date(start)}–{fmt.date(end)}"))
    for row in rounds.itertuples():
        deadline = _day(row.deadline)
        if deadline:
            refs.append(Reference("deadline", f"Frist oppstart {row.start_year}: {fmt.date(deadline)}", deadline,
                                  hover=f"{_text(row.description)} – frist {fmt.long_date(deadline)}".strip(" –")))
    for row in events.itertuples():
        start, end = _day(row.start_date), _day(row.end_date)
        if start:
            period = f"{fmt.date(start)}–{fmt.date(end)}" if end and end != start else fmt.date(start)
            note = _text(row.note)
            refs.append(Reference("event", _text(row.label), start, end if end and end != start else None,
                                  f"{_text(row.label)} {period}" + (f"<br>{note}" if note else "")))
    if today:
        refs.append(Reference("today", f"I dag {fmt.date(today)}", today))
    return refs


# Characters of label text that fit across the plot. The server does not know the window: this is the plot at a
# 1024 px window with the sidebar open (about 400 px), so labels do not run into each other there; on a wider
# screen they leave some room between them.
LABEL_CHARS_ACROSS = 60
RIGHT_ANCHORED_FROM = 0.6  # a label this far along the axis ends at its date, so it stays inside the plot


def label_extents(refs: list[Reference], span: tuple[dt.date, dt.date],
                  chars_across: int = LABEL_CHARS_ACROSS) -> list[tuple[dt.date, dt.date, str]]:
    """Where each reference's label runs along the date axis, and its anchor: 'left' (from its date) or 'right'."""
    days = max((span[1] - span[0]).days, 1)
    day_per_char = days / chars_across
    turn = span[0] + dt.timedelta(days=days * RIGHT_ANCHORED_FROM)
    extents = []
    for ref in refs:
        width = dt.timedelta(days=(len(ref.label) + 2) * day_per_char)
        if ref.start > turn:
            extents.append((ref.start - width, ref.start, "right"))
        else:
            extents.append((ref.start, ref.start + width, "left"))
    return extents


def label_levels(refs: list[Reference], span: tuple[dt.date, dt.date],
                 chars_across: int = LABEL_CHARS_ACROSS) -> list[int]:
    """A height level for each reference's label, so labels close in time do not overlap."""
    extents = label_extents(refs, span, chars_across)
    ends: list[dt.date] = []  # the date where the last label on each level ends
    levels = [0] * len(refs)
    for i in sorted(range(len(refs)), key=lambda k: extents[k][0]):
        begin, end, _ = extents[i]
        level = next((n for n, taken in enumerate(ends) if taken <= begin), len(ends))
        if level == len(ends):
            ends.append(end)
        else:
            ends[level] = end
        levels[i] = level
    return levels


# ---------------------------------------------------------------------------------------
# Figures


def _duration_ms(start: pd.Series, end: pd.Series) -> list[float]:
    """Bar lengths in milliseconds (a date axis measures bars in ms), through the end of the last day: a bar to
    31.12.2025 stopped at midnight before it, the last day not drawn."""
    lengths = (pd.to_datetime(end) - pd.to_datetime(start) + pd.Timedelta(days=1)) / pd.Timedelta(milliseconds=1)
    return [max(float(v), MS_PER_DAY) if not pd.isna(v) else MS_PER_DAY for v in lengths]


def _iso(values: Iterable) -> list[str]:
    """Dates as ISO strings for plotly."""
    return [_day(v).isoformat() for v in values]


def _date_range(frames: Iterable[pd.Series], refs: list[Reference]) -> tuple[dt.date, dt.date]:
    """The earliest and latest date the figure will show."""
    days = [d for s in frames for d in (_day(v) for v in s) if d]
    days += [d for r in refs for d in (r.start, r.end) if d]
    if not days:
        today = norwegian_today()
        return today, today
    return min(days), max(days)


def _padded(span: tuple[dt.date, dt.date]) -> list[str]:
    """The figure's dates with a margin of 3 % (at least two weeks) at each end, for the x axis."""
    pad = dt.timedelta(days=max(14, round((span[1] - span[0]).days * 0.03)))
    return [(span[0] - pad).isoformat(), (span[1] + pad).isoformat()]


def _vline(x: str, line: dict) -> dict:
    """A line down the plot at a date, as fig.add_vline draws it, behind the bars: across them, the lines cut
    through the bars' «2 piloter» and «5 piloter»."""
    return {"type": "line", "x0": x, "x1": x, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain", "line": line,
            "layer": "below"}


def _vrect(x0: str, x1: str, fillcolor: str, opacity: float | None = None) -> dict:
    """A band down the plot between two dates, behind the bars, as fig.add_vrect draws it."""
    shape = {"type": "rect", "x0": x0, "x1": x1, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain",
             "fillcolor": fillcolor, "line": {"width": 0}, "layer": "below"}
    return {**shape, "opacity": opacity} if opacity is not None else shape


def _references(refs: list[Reference], span: tuple[dt.date, dt.date]) -> tuple[list[dict], list[dict], int]:
    """Bands and lines with staggered labels above the plot: the shapes, the labels and the label levels used.

    Given to the figure with its layout: plotly's add_vline and add_annotation check every shape and label
    already there on each call, a sixth of Tidslinje's time at M.
    """
    levels = label_levels(refs, span)
    anchors = [anchor for _, _, anchor in label_extents(refs, span)]
    shapes, labels = [], []
    for ref, level, anchor in zip(refs, levels, anchors):
        x0 = ref.start.isoformat()
        if ref.kind == "reform":
            shapes.append(_vrect(x0, ref.end.isoformat(), REFORM_COLOR))
            shapes += [_vline(edge.isoformat(), {"color": ACCENT, "width": 1, "dash": "dot"})
                       for edge in (ref.start, ref.end)]
        elif ref.kind == "event" and ref.end:
            shapes.append(_vrect(x0, ref.end.isoformat(), SEMINAR_COLOR, opacity=0.6))
        elif ref.kind == "today":
            shapes.append(_vline(x0, {"color": "#222", "width": 1.5, "dash": "dash"}))
        else:
            shapes.append(_vline(x0, {"color": DEADLINE_COLOR, "width": 1.5, "dash": "dot"}))
        labels.append({"x": x0, "xref": "x", "y": 1, "yref": "paper", "yanchor": "bottom", "xanchor": anchor,
                       "yshift": 2 + level * LABEL_PX, "showarrow": False, "text": ref.label,
                       "hovertext": ref.hover or ref.label, "font": {"size": 12, "color": "#222"},
                       "bgcolor": "rgba(255,255,255,0.85)"})
    return shapes, labels, (max(levels) + 1) if levels else 0


def _figure(traces: list, refs: list[Reference], span: tuple[dt.date, dt.date], rows: int, tickvals: list,
            ticktext: list[str], **more: object) -> go.Figure:
    """The traces with the references, in the house style plus the timeline's own axes, legend below and room
    for the labels above; more: further layout."""
    shapes, labels, levels = _references(refs, span)
    return go.Figure(traces, house_layout(
        height=150 + ROW_PX * rows + LABEL_PX * levels, shapes=shapes, annotations=labels,
        barmode="overlay", bargap=0.25, showlegend=True,
        margin={"l": 10, "r": 20, "t": 20 + LABEL_PX * levels, "b": 70},
        legend={"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0, "title": None},
        uniformtext={"minsize": 11, "mode": "hide"},
        # a margin at each end: fitted to the dates, «I dag» stood on the plot's very edge, past the last year
        xaxis={"type": "date", "showgrid": True, "range": _padded(span), "tickformatstops": [
            {"dtickrange": [None, "M11"], "value": "%d.%m.%Y"},
            {"dtickrange": ["M12", None], "value": "%Y"},
        ]},
        # Top to bottom, every row in view: plotly's own range fits the bars only, and left the first agency's
        # heading (a row without a bar) out of view with a few pilots.
        yaxis={"range": [rows - 0.5, -0.5], "autorange": False, "tickmode": "array", "tickvals": tickvals,
               "ticktext": ticktext, "showgrid": False, "zeroline": False},
        **more,
    ))


def pilot_gantt(pilots: pd.DataFrame, milestones: pd.DataFrame, refs: list[Reference],
                short_names: Mapping[str, str] | None = None) -> go.Figure:
    """Each pilot a bar from start to end under its agency's heading (a long name with its abbreviation from
    short_names); phases inside, milestones as diamonds."""
    rows = ordered(pilots)
    y_of: dict[tuple, int] = {}
    tickvals: list[int] = []
    ticktext: list[str] = []
    position = 0
    for agency, group in rows.groupby("agency", sort=False):
        tickvals.append(position)
        ticktext.append(f"<b>{fmt.agency_tick(agency, short_names, MAX_TICK_CHARS)}</b>")
        position += 1
        for row in group.itertuples():
            y_of[(row.agency, row.start_year, row.pilot_name)] = position
            tickvals.append(position)
            ticktext.append(fmt.two_lines(str(row.pilot_name), PILOT_TICK_CHARS))
            position += 1
    rows["y"] = [y_of[(r.agency, r.start_year, r.pilot_name)] for r in rows.itertuples()]

    traces: list = []
    for status in PILOT_STATUSES:
        part = rows[rows["status"] == status]
        if part.empty:
            continue
        traces.append(go.Bar(
            y=part["y"].tolist(), base=_iso(part["start_date"]), x=_duration_ms(part["start_date"], part["end_date"]),
            orientation="h", name=status, width=BAR_WIDTH, offset=BAR_OFFSET,
            marker={"color": STATUS_COLORS[status], "line": {"color": "#444", "width": 0.5},
                    "pattern": {"shape": STATUS_PATTERNS[status], "fgcolor": "white", "bgcolor": STATUS_COLORS[status],
                                "fillmode": "overlay", "solidity": 0.2}},
            # no name inside the bar: the axis has it, on two lines, and the name over a pattern was hard to read
            customdata=[[r.agency, r.pilot_name, r.status, fmt.date(r.start_date), fmt.date(r.end_date)]
                        for r in part.itertuples()],
            hovertemplate="<b>%{customdata[1]}</b><br>%{customdata[0]}<br>Status: %{customdata[2]}"
                          "<br>%{customdata[3]}–%{customdata[4]}<extra></extra>",
        ))
    own = milestones_of(milestones, rows)
    traces += _milestone_traces(own, y_of)
    # milestones too: an evaluation after the pilot's end (or a date before its start, which the form allows)
    # fell off the fixed axis
    span = _date_range([rows["start_date"], rows["end_date"], own["from_date"], own["to_date"]], refs)
    return _figure(traces, refs, span, position, tickvals, ticktext)


def _milestone_traces(milestones: pd.DataFrame, y_of: dict[tuple, int]) -> list:
    """Phases as thin bars and milestones as diamonds, on their pilot's row."""
    if milestones.empty:
        return []
    traces: list = []
    milestones = milestones.assign(y=[y_of[(m.agency, m.start_year, m.pilot_name)] for m in milestones.itertuples()])
    phases = milestones[(milestones["kind"] == "Fase") & milestones["to_date"].notna()]
    points = milestones.drop(phases.index)
    if not phases.empty:
        traces.append(go.Bar(
            y=phases["y"].tolist(), base=_iso(phases["from_date"]),
            x=_duration_ms(phases["from_date"], phases["to_date"]), orientation="h", name="Fase",
            width=DETAIL_WIDTH, offset=DETAIL_OFFSET,
            marker={"color": PHASE_COLOR, "line": {"color": "white", "width": 1}},
            hovertext=[f"{m.name} – {fmt.date(m.from_date)}–{fmt.date(m.to_date)} ({m.pilot_name}, {m.status})"
                       for m in phases.itertuples()],
            hoverinfo="text",
        ))
    if not points.empty:
        traces.append(go.Scatter(
            y=(points["y"] + DETAIL_OFFSET + DETAIL_WIDTH / 2).tolist(), x=_iso(points["from_date"]), mode="markers",
            name="Milepæl",
            marker={"symbol": "diamond", "size": 11, "color": MILESTONE_COLOR, "line": {"color": "white", "width": 1}},
            hovertext=[f"{m.name} – {fmt.date(m.from_date)}" for m in points.itertuples()], hoverinfo="text",
        ))
    return traces


def agency_gantt(spans: pd.DataFrame, refs: list[Reference], short_names: Mapping[str, str] | None = None,
                 per_ministry: bool = False) -> go.Figure:
    """One bar per agency (or ministry) from its earliest start to its latest end, labelled «N piloter» (a
    ministry's «N piloter i M virksomheter»); click to filter. A long name is cut with its abbreviation from
    short_names kept. One whose pilots are all cancelled is grey and says so: drawn like the others, its «1 pilot»
    read as a pilot under way."""
    whose = "departementet" if per_ministry else "virksomheten"
    cancelled = spans["pilots"].eq(spans["cancelled"])
    texts = [fmt.plural(n, "pilot", "piloter") + (f" i {fmt.plural(a, 'virksomhet', 'virksomheter')}"
                                                  if per_ministry else "") + (", avbrutt" if gone else "")
             for n, a, gone in zip(spans["pilots"], spans["agencies"], cancelled)]
    positions = pd.Series(range(len(spans)), index=spans.index)
    texts = pd.Series(texts, index=spans.index)
    bars = [_agency_bars(spans[rows], positions[rows], texts[rows].tolist(), name, color, text_color)
            for rows, name, color, text_color in (
                (~cancelled, f"Piloter i {whose} (klikk for å velge)", ACCENT, "white"),
                (cancelled, "Bare avbrutte piloter (klikk for å velge)", STATUS_COLORS["Avbrutt"], "#222"))
            if rows.any()]
    span = _date_range([spans["first_start"], spans["last_end"]], refs)
    ticks = [fmt.agency_tick(a, short_names, MAX_TICK_CHARS) for a in spans["agency"]]
    return _figure(bars, refs, span, len(spans), positions.tolist(), ticks,
                   clickmode="event+select")


def _agency_bars(spans: pd.DataFrame, positions: pd.Series, texts: list[str], name: str, color: str,
                 text_color: str) -> go.Bar:
    """The bars of these agencies (or ministries) at their rows, as one trace of the legend."""
    return go.Bar(
        y=positions.tolist(), base=_iso(spans["first_start"]), x=_duration_ms(spans["first_start"], spans["last_end"]),
        orientation="h", name=name, width=0.6,
        marker={"color": color, "line": {"color": "#444", "width": 0.5}},
        text=texts, textposition="inside", insidetextanchor="start", textfont={"color": text_color, "size": 12},
        # the agencies outside the register («Uten departement») cannot be chosen in the filter: no promise of a click
        customdata=[[r.agency, text, fmt.date(r.first_start), fmt.date(r.last_end), r.statuses,
                     "Virksomheter som ikke står i registeret" if r.agency == NO_MINISTRY
                     else "Klikk for å vise bare denne"]
                    for r, text in zip(spans.itertuples(), texts)],
        hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}: %{customdata[4]}"
                      "<br>%{customdata[2]}–%{customdata[3]}<br><i>%{customdata[5]}</i><extra></extra>",
    )


def selected_agencies(selection: Mapping | None) -> list[str]:
    """The agency names of the clicked bars, from each point's customdata."""
    points = (selection or {}).get("points") or []
    names = []
    for point in points:
        data = point.get("customdata")
        if data:
            names.append(str(data[0] if isinstance(data, (list, tuple)) else data))
    return list(dict.fromkeys(names))


# ---------------------------------------------------------------------------------------
# Tables (the figures' text alternative)


def pilot_table(pilots: pd.DataFrame, milestones: pd.DataFrame) -> pd.DataFrame:
    """Agency, pilot, status, start, end and the count of phases and milestones, in timeline order."""
    rows = ordered(pilots)
    keys = ["agency", "start_year", "pilot_name"]
    counts = (milestones.assign(phase=milestones["kind"] == "Fase")
              .groupby(keys)["phase"].agg(phases="sum", total="size").reset_index())
    rows = rows.merge(counts, on=keys, how="left")
    phases = rows["phases"].fillna(0).astype(int)
    return pd.DataFrame({
        "Virksomhet": rows["agency"], "Pilot": rows["pilot_name"], "Status": rows["status"],
        "Start": rows["start_date"].map(_day), "Slutt": rows["end_date"].map(_day),
        "Faser": phases, "Milepæler": rows["total"].fillna(0).astype(int) - phases,
    })


def agency_table(spans: pd.DataFrame, per_ministry: bool = False) -> pd.DataFrame:
    """The collapsed view as a table: one row per agency (or per ministry, with its count of agencies)."""
    table = pd.DataFrame({
        "Departement" if per_ministry else "Virksomhet": spans["agency"], "Piloter": spans["pilots"].astype(int),
        "Status": spans["statuses"],
        "Første start": spans["first_start"].map(_day), "Siste slutt": spans["last_end"].map(_day),
    })
    if per_ministry:
        table.insert(1, "Virksomheter", spans["agencies"].astype(int))
    return table


ALL_DATES = "Alle datoer"
FROM_TODAY = "Fra i dag"


def quarter_label(day: dt.date) -> str:
    """«1. kvartal 2027» for a day in it."""
    return f"{(day.month - 1) // 3 + 1}. kvartal {day.year}"


def quarter_bounds(label: str) -> tuple[dt.date, dt.date]:
    """The first and last day of a quarter named as quarter_label names it."""
    number, _, year = label.partition(". kvartal ")
    first = dt.date(int(year), 3 * int(number) - 2, 1)
    return first, _next_quarter(first) - dt.timedelta(days=1)


def window_choices(milestones: pd.DataFrame, today: dt.date) -> list[str]:
    """What the milestone table can be narrowed to: all, from today, each quarter from today's to the last
    milestone's (the questions are mostly about what comes: «hva skjer i første kvartal neste år?»), and then each
    quarter before today's, back to the first milestone's, the nearest first.

    The quarters gone by are there for the report on what was done («hva skjedde i tredje kvartal?»): with more
    milestones than a table shows, «Alle datoer» shows the oldest only, and a quarter of 2026 could not be reached
    but by narrowing the filter to a few agencies.
    """
    choices = [ALL_DATES, FROM_TODAY]
    days = pd.concat([pd.to_datetime(milestones["from_date"]), pd.to_datetime(milestones["to_date"])])
    first, last = days.min(), days.max()
    if pd.isna(last):
        return choices
    current = _quarter_of(today)
    quarter = current
    while quarter <= last.date():
        choices.append(quarter_label(quarter))
        quarter = _next_quarter(quarter)
    quarter = min(_previous_quarter(current), _quarter_of(last.date()))  # none after the last milestone's
    while _next_quarter(quarter) > first.date():  # the quarter holds or ends after the first milestone's day
        choices.append(quarter_label(quarter))
        quarter = _previous_quarter(quarter)
    return choices


def _quarter_of(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _next_quarter(quarter: dt.date) -> dt.date:
    month = quarter.month + 3  # the next quarter's first month, 13 being next January
    return dt.date(quarter.year + month // 13, (month - 1) % 12 + 1, 1)


def _previous_quarter(quarter: dt.date) -> dt.date:
    return dt.date(quarter.year - (quarter.month == 1), (quarter.month - 4) % 12 + 1, 1)


def default_window(milestones: pd.DataFrame, today: dt.date, limit: int) -> str:
    """Every date, unless there are more than a table shows (limit) and some come: then from today, as the first
    rows of every date are the oldest."""
    if len(milestones) <= limit:
        return ALL_DATES
    return ALL_DATES if in_window(milestones, FROM_TODAY, today).empty else FROM_TODAY


def in_window(milestones: pd.DataFrame, choice: str, today: dt.date) -> pd.DataFrame:
    """The milestones on a day of the window, and the phases that run into it."""
    if choice == ALL_DATES:
        return milestones
    start = pd.to_datetime(milestones["from_date"])
    end = pd.to_datetime(milestones["to_date"]).fillna(start)
    if choice == FROM_TODAY:
        return milestones[(end >= pd.Timestamp(today)).to_numpy()]
    first, last = quarter_bounds(choice)
    return milestones[((start <= pd.Timestamp(last)) & (end >= pd.Timestamp(first))).to_numpy()]


def milestone_table(milestones: pd.DataFrame) -> pd.DataFrame:
    """Every milestone and phase in date order: when, what and whose first, the pilot's long name last (after it,
    at 1 280 px the agency and the status were out of view)."""
    rows = milestones.sort_values(["from_date", "agency", "pilot_name"], kind="stable")
    return pd.DataFrame({
        "Dato": rows["from_date"].map(_day), "Til": rows["to_date"].map(_day), "Type": rows["kind"],
        "Navn": rows["name"], "Virksomhet": rows["agency"], "Status": rows["status"], "Pilot": rows["pilot_name"],
    }).reset_index(drop=True)

