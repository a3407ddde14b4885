"""The overview's charts and tables as plain HTML and CSS: drawn with the page, no library.

The overview is the page everyone opens first, and in the browser most of its time went to
plotly (its bundle and drawing) and to st.table, which renders every cell through Markdown
(issue 5). Its two charts are simple horizontal bars, so they are drawn here as HTML: the
same Okabe–Ito colours and white hatches as ui.charts, a text label on every segment wide
enough to hold one, a legend, and an aria-label that reads the whole chart out for screen
readers. Its tables are real <table>s with column headers, so screen readers read them as
tables; cell text is escaped, never interpreted. The seminar deck has the same charts as
native PowerPoint charts.

    block(*parts)                           parts as one st.html block, with the stylesheet
    key_figures(figures)                    the page's key figures in a row of bordered cards, as st.metric
    section(title, *parts, note=…)          a heading, a grey note and parts
    columns(left, right)                    two equal columns, stacked where the page is narrow
    ambition_bar(counted, planned, band)    pilots under way or completed against the 3–5 band
    reporting_bars(counts)                  asked agencies per round: on time, late, not reported
    table(df, caption)                      a small table (the overview's are at most a few dozen rows)
    note(text)                              a grey line of text, like st.caption

Each Streamlit element costs the browser a render of its own, so a page section is built
as one block: `st.html(block(section(…), section(…)))`.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from html import escape

import pandas as pd

from store.queries import OPEN
from ui import formatting as fmt
from ui.charts import ACCENT, FADED_TEXT, LIGHT, REPORTING_COLORS, REPORTING_PATTERNS, STATUS_COLORS

PLANNED_COLOR = STATUS_COLORS["Planlagt"]
# Hatches drawn over the colour, as ui.charts.pattern does in plotly: "/" diagonal, "x" crossed, "-" across.
HATCHES = {
    "": "none",
    "-": "repeating-linear-gradient(0deg, rgba(255,255,255,.75) 0 2px, transparent 2px 7px)",
    "/": "repeating-linear-gradient(-45deg, rgba(255,255,255,.75) 0 2px, transparent 2px 7px)",
    "x": ("repeating-linear-gradient(-45deg, rgba(255,255,255,.75) 0 2px, transparent 2px 7px), "
          "repeating-linear-gradient(45deg, rgba(255,255,255,.75) 0 2px, transparent 2px 7px)"),
}
NUM = ' class="po-num"'  # a right-aligned table cell
SHORT = ' class="po-short"'  # a cell that does not wrap (dates, statuses: «Ikke levert» on one line)
SHORT_TEXT = len("01.09.–30.11.2023")  # a date span (Oversikt's key dates) stays on one line too
MIN_LABEL_SHARE = 0.12  # a segment narrower than this share of the track carries no text (the legend has it)
# Narrower than this share, a segment's label is its number alone: the ambition bar has the page's width,
# the reporting bars half of it beside their labels («34 for sent» in a sixth of one read «3…»).
WORDS_SHARE_WIDE, WORDS_SHARE_HALF = 0.2, 0.35

FOLLOW_UP_BUTTON_KEY = "til_oppfolging"  # Oversikt's «Alle til oppfølging», which the stylesheet lines up
STYLE = f"""<style>
.po-chart {{ font-size: 0.95rem; color: #222; margin: 0.25rem 0 0.75rem 0; }}
.po-row {{ display: flex; align-items: center; gap: 0.75rem; margin: 0.35rem 0; }}
.po-row-label {{ flex: 0 0 7.5rem; text-align: right; color: #444; }}
.po-track {{ position: relative; flex: 1 1 auto; height: 2.4rem; }}
.po-seg {{ position: absolute; top: 0; bottom: 0; display: flex; align-items: center; justify-content: center;
  overflow: hidden; white-space: nowrap; }}
.po-label {{ background: rgba(255,255,255,.92); color: #222; font-weight: 600; font-size: 0.85rem;
  padding: 0 0.4rem; border-radius: 3px; overflow: hidden; text-overflow: ellipsis; position: relative; z-index: 2; }}
.po-band, .po-band-line {{ position: absolute; top: -1.6rem; bottom: -0.3rem; box-sizing: border-box; }}
.po-band {{ background: {LIGHT}; }}
.po-band-line {{ border: 2px dashed {ACCENT}; z-index: 1; }}
.po-band-label {{ position: absolute; top: -1.5rem; left: 0; right: 0; text-align: center; color: {ACCENT};
  font-size: 0.85rem; white-space: nowrap; }}
.po-axis {{ position: relative; height: 1.3rem; border-top: 1px solid #bbb; font-size: 0.8rem; color: #555; }}
.po-axis.po-beside-labels {{ margin: 0 6.75rem 0 8.25rem; }}
.po-tick {{ position: absolute; top: 0.1rem; transform: translateX(-50%); }}
.po-axis-title {{ text-align: center; font-size: 0.8rem; color: #555; }}
.po-legend {{ display: flex; flex-wrap: wrap; gap: 0.4rem 1.2rem; font-size: 0.85rem; margin-top: 0.3rem; }}
.po-swatch {{ display: inline-block; width: 1.1rem; height: 0.85rem; vertical-align: -0.1rem;
  margin-right: 0.35rem; border-radius: 2px; }}
.po-swatch.po-dashed {{ background: {LIGHT}; border: 2px dashed {ACCENT}; box-sizing: border-box; }}
.po-total {{ flex: 0 0 6rem; color: #444; }}
.po-table {{ border-collapse: collapse; font-size: 0.9rem; margin: 0.25rem 0 1rem 0; }}
.po-table th {{ text-align: left; font-weight: 600; color: #444; border-bottom: 1px solid #ccc; }}
.po-table th, .po-table td {{ padding: 0.3rem 1rem 0.3rem 0; vertical-align: top; }}
.po-table-wrap {{ max-width: 100%; overflow-x: auto; }}
.po-table td {{ border-bottom: 1px solid #eee; }}
.po-table .po-num {{ text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }}
.po-table .po-short {{ white-space: nowrap; }}
.po-note {{ color: {FADED_TEXT}; font-size: 0.875rem; margin: -0.25rem 0 0.75rem 0; }}
.po-section h3 {{ font-size: 1.5rem; font-weight: 600; line-height: 1.2; margin: 1rem 0 0.75rem 0; padding: 0; }}
.po-columns-box {{ container-type: inline-size; }}
.po-columns {{ display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 0 2.5rem; }}
@container (max-width: 860px) {{ .po-columns {{ grid-template-columns: minmax(0, 1fr); }} }}
.po-figures {{ display: grid; grid-template-columns: repeat(auto-fit, minmax(9.5rem, 1fr)); gap: 0.75rem;
  margin: 0 0 0.5rem 0; }}  /* five in a row from a 1280 px window with the sidebar open */
.po-figure {{ position: relative; border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem;
  padding: calc(1rem - 1px) calc(0.75rem - 1px); color: rgb(49, 51, 63); display: flex; flex-direction: column; }}
.po-figure-last {{ white-space: nowrap; }}
.po-figure-label {{ font-size: 0.875rem; line-height: 1.4; }}
.po-figure-value {{ font-size: 2.25rem; line-height: 1.3; padding-bottom: 0.25rem; white-space: nowrap;
  margin-top: auto; }}  /* the values of a row on one line when a label wraps */
.po-figure-of {{ font-size: 1.25rem; }}
.po-help {{ display: inline-block; width: 1rem; height: 1rem; margin: 0 0 0 0.3rem; padding: 0; border: 1px solid #999;
  border-radius: 50%; background: none; color: #666; font: inherit; font-size: 0.7rem; line-height: 0.9rem;
  text-align: center; vertical-align: baseline; cursor: help; }}
.po-help:hover::after, .po-help:focus::after {{ content: attr(data-help); position: absolute; z-index: 10;
  left: 0.5rem; right: 0.5rem; top: calc(100% - 0.5rem); padding: 0.4rem 0.6rem; border-radius: 0.25rem;
  background: #262730; color: #fff; font-size: 0.8rem; line-height: 1.35; text-align: left; white-space: normal; }}
.po-table caption {{ caption-side: top; text-align: left; font-weight: 600; padding-bottom: 0.3rem; }}
.st-key-{FOLLOW_UP_BUTTON_KEY} button {{ padding-left: 0.5rem; }}  /* in line with the link above it (st.page_link) */
</style>"""


def block(*parts: str) -> str:
    """Parts as one HTML block for st.html, with the stylesheet once."""
    return STYLE + "".join(parts)


@dataclass(frozen=True)
class Figure:
    """One key figure: its label, the value as shown, and what it counts (shown on the «?»)."""

    label: str
    value: str
    help: str = ""
    of: str = ""  # what the value is counted against, in smaller type after it: «av 400»


def key_figures(figures: list[Figure]) -> str:
    """The key figures side by side in bordered cards, as st.metric in columns draws them; in rows of
    as many as fit on a narrower screen.

    One HTML block instead of five columns of metrics: each Streamlit element is a render of its
    own in the browser, and the five were about a tenth of the overview's first draw (issue 5).
    The help is a «?» button that shows it on hover and on keyboard focus, and is read out by
    screen readers as the button's name.
    """
    cards = []
    for f in figures:
        helper = (f'<button type="button" class="po-help" data-help="{escape(f.help)}" '
                  f'aria-label="Forklaring: {escape(f.help)}">?</button>' if f.help else "")
        cards.append(f'<div class="po-figure" role="group" aria-label="{escape(f.label)}">'
                     f'<div class="po-figure-label">{_help_kept_with_last_word(escape(f.label), helper)}</div>'
                     f'<div class="po-figure-value">{escape(f.value)}{of_part(f.of)}</div></div>')
    return f'<div class="po-figures">{"".join(cards)}</div>'


def _help_kept_with_last_word(label: str, helper: str) -> str:
    """The label with its «?» on the line of its last word: where «I gang / gjennomført» wraps in a narrow card,
    the «?» went alone onto a line of its own."""
    head, space, last = _unit_kept_whole(label).rpartition(" ")
    return f'{head}{space}<span class="po-figure-last">{last}{helper}</span>'


def _unit_kept_whole(label: str) -> str:
    """A label whose «mill. kr» or «mrd. kr» never breaks over two lines: at 1024 px a card read «Budsjett, mrd.»
    above a lone «kr». The label read out (the card's aria-label) keeps its plain spaces."""
    return label.replace(" kr", "\u00a0kr")


def of_part(text: str) -> str:
    """A key figure's «av 400», smaller after its value: «400 av 400» in the value's size ran out of a card at
    1180 px."""
    return f' <span class="po-figure-of">{escape(text)}</span>' if text else ""


def section(title: str, *parts: str, note_text: str = "") -> str:
    """A section: its heading (h3, as st.subheader), a grey note under it, and its parts."""
    lead = note(note_text) if note_text else ""
    return f'<section class="po-section"><h3>{escape(title)}</h3>{lead}{"".join(parts)}</section>'


def columns(left: str, right: str) -> str:
    """Two columns, one under the other where the page is narrower than 860 px (a 1024 px window with the
    sidebar open): side by side there, the tables were cut and the reporting bars squeezed to a strip."""
    return f'<div class="po-columns-box"><div class="po-columns"><div>{left}</div><div>{right}</div></div></div>'


def note(text: str) -> str:
    """A grey line of text, as st.caption."""
    return f'<p class="po-note">{escape(text)}</p>'


@dataclass(frozen=True)
class Segment:
    """One part of a stacked bar."""

    name: str
    value: int
    color: str
    hatch: str = ""
    text: str = ""


def nice_ticks(top: float, most: int = 8) -> list[int]:
    """Whole-number ticks 0…top at a step of 1, 2 or 5 × 10ⁿ, at most `most` + 1 of them."""
    if top <= 0:
        return [0]
    raw = top / most
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return list(range(0, int(top) + 1, int(step)))


def _pct(value: float, top: float) -> str:
    return f"{100 * value / top:.3f}%"


def _segments(segments: list[Segment], top: float, words_share: float) -> str:
    parts, left = [], 0.0
    for s in segments:
        if s.value <= 0:
            continue
        # a narrow segment says only its number (its colour is in the legend, its words in the title)
        shown = s.text if s.value / top >= words_share else fmt.number(s.value)
        label = f'<span class="po-label">{escape(shown)}</span>' if s.text and s.value / top >= MIN_LABEL_SHARE else ""
        parts.append(f'<div class="po-seg" style="left:{_pct(left, top)};width:{_pct(s.value, top)};'
                     f'background-color:{s.color};background-image:{HATCHES[s.hatch]}" '
                     f'title="{escape(s.text or s.name)}">{label}</div>')
        left += s.value
    return "".join(parts)


def _axis(top: float, title: str, beside_labels: bool) -> str:
    ticks = "".join(f'<span class="po-tick" style="left:{_pct(t, top)}">{fmt.number(t)}</span>'
                    for t in nice_ticks(top))
    return (f'<div class="po-axis{" po-beside-labels" if beside_labels else ""}">{ticks}</div>'
            f'<div class="po-axis-title">{escape(title)}</div>')


def _legend(items: list[tuple[str, str, str]]) -> str:
    """Legend entries: (name, colour, hatch); colour "band" draws the dashed ambition band."""
    entries = []
    for name, color, hatch in items:
        if color == "band":
            swatch = '<span class="po-swatch po-dashed"></span>'
        else:
            swatch = (f'<span class="po-swatch" style="background-color:{color};'
                      f'background-image:{HATCHES[hatch]}"></span>')
        entries.append(f"<span>{swatch}{escape(name)}</span>")
    return f'<div class="po-legend" aria-hidden="true">{"".join(entries)}</div>'


def ambition_bar(counted: int, planned: int, band: tuple[int, int]) -> str:
    """Pilots under way or completed against the ambition band, planned ones stacked after them."""
    low, high = band
    top = max(high + 1, counted + planned + 1)
    segments = [Segment("I gang eller gjennomført", counted, ACCENT, "", f"{fmt.number(counted)} i gang/gjennomført"),
                Segment("Planlagt", planned, PLANNED_COLOR, "/", f"{fmt.number(planned)} planlagt")]
    summary = (f"{fmt.plural(counted, 'pilot', 'piloter')} i gang eller gjennomført og {fmt.number(planned)} planlagt, "
               f"mot ambisjonen {low}–{high} piloter")
    # From the axis' «3» to its «5», as a reader takes the ticks (from 2.5 to 5.5 it looked drawn off the scale); a
    # bar that ends inside it, or on its edge, has reached the ambition.
    where = f"left:{_pct(low, top)};width:{_pct(max(high - low, 0.2), top)}"
    # The band's fill lies under the bars and its dashed outline over them (under the bars' labels), so all show.
    band_html = (f'<div class="po-band" style="{where}"></div><div class="po-band-line" style="{where}">'
                 f'<div class="po-band-label">Ambisjon: {low}–{high}</div></div>')
    return (f'<div class="po-chart" role="img" aria-label="{escape(summary)}">'
            f'<div style="height:2.2rem"></div>'
            f'<div class="po-track">{band_html}{_segments(segments, top, WORDS_SHARE_WIDE)}</div>'
            f'{_axis(top, "Antall piloter", beside_labels=False)}'
            f'{_legend([(s.name, s.color, s.hatch) for s in segments] + [(f"Ambisjon: {low}–{high}", "band", "")])}'
            "</div>")


def reporting_counts(status: pd.DataFrame) -> pd.DataFrame:
    """Agencies asked per round (rows: start year) by reporting state, so the states add up to those asked.

    A round where only agencies that were not asked reported has a row of zeros; unasked_counts
    counts those agencies.
    """
    rounds = sorted(status.loc[status["was_asked"] | status["submitted_on"].notna(), "start_year"].unique())
    asked = status[status["was_asked"]]
    counts = asked.groupby(["start_year", "reporting_state"]).size().unstack(fill_value=0)
    counts = counts.reindex(index=rounds, columns=list(REPORTING_COLORS), fill_value=0).astype(int)
    return counts if counts[OPEN].any() else counts.drop(columns=OPEN)  # «Frist ikke ute» only for an open round


def unasked_counts(status: pd.DataFrame, rounds: pd.Index) -> pd.Series:
    """Per round: agencies that reported without being asked to."""
    unasked = status[~status["was_asked"] & status["submitted_on"].notna()]
    return unasked.groupby("start_year").size().reindex(rounds, fill_value=0).astype(int)


def reporting_bars(counts: pd.DataFrame) -> str:
    """One stacked bar per round: on time, late, not reported, on a shared scale."""
    top = max(int(counts.sum(axis=1).max()), 1) if len(counts) else 1
    rows, spoken = [], []
    for year, row in counts.iterrows():
        segments = [Segment(state, int(row[state]), REPORTING_COLORS[state], REPORTING_PATTERNS[state],
                            f"{fmt.number(int(row[state]))} {state.lower()}") for state in counts.columns]
        total = sum(s.value for s in segments)
        rows.append(f'<div class="po-row"><div class="po-row-label">Oppstart {year}</div>'
                    f'<div class="po-track">{_segments(segments, top, WORDS_SHARE_HALF)}</div>'
                    f'<div class="po-total">{fmt.number(total)} i alt</div></div>')
        spoken.append(f"Oppstart {year}: " + ", ".join(s.text for s in segments))
    legend = _legend([(state, REPORTING_COLORS[state], REPORTING_PATTERNS[state]) for state in counts.columns])
    return (f'<div class="po-chart" role="img" aria-label="{escape("; ".join(spoken))}">'
            f'{"".join(rows)}{_axis(top, "Antall virksomheter", beside_labels=True)}{legend}</div>')


def table(df: pd.DataFrame, caption: str = "", numeric: tuple[str, ...] = ()) -> str:
    """A small table as HTML: a header row, one row per record, every cell escaped.

    Numbers (and the columns named in `numeric`, e.g. amounts already formatted as «1 500 000 kr»)
    are right-aligned; a number is shown with Norwegian thousands separators.
    """
    right = {c for c in df.columns if c in numeric or pd.api.types.is_numeric_dtype(df[c])}
    head = "".join(f'<th scope="col"{NUM if c in right else ""}>{escape(str(c))}</th>'
                   for c in df.columns)
    rows = []
    for record in df.itertuples(index=False):
        cells = []
        for column, value in zip(df.columns, record, strict=True):
            if value is None or (isinstance(value, float) and math.isnan(value)):
                text = "–"
            elif isinstance(value, numbers.Number) and not isinstance(value, bool):
                text = fmt.number(value, 0 if float(value).is_integer() else 1)
            else:
                text = str(value)
            kind = NUM if column in right else SHORT if len(text) <= SHORT_TEXT else ""
            cells.append(f"<td{kind}>{escape(text)}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    title = f"<caption>{escape(caption)}</caption>" if caption else ""
    # In a wrapper that scrolls sideways: a table wider than its column (long names in the overview's narrow
    # right-hand column) must not push the whole page wider than the window.
    # Focusable and named, so a keyboard can scroll it too.
    return (f'<div class="po-table-wrap" tabindex="0" role="region" aria-label="{escape(caption or "Tabell")}">'
            f'<table class="po-table">{title}<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
            '</div>')
