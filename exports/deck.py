"""The slide deck: where the sector stands, for a leadership meeting or the seminar.

    build_deck(con, f) -> bytes of a 16:9 .pptx

Slides, in order: title (filter in words, date of the data) · the 3–5 ambition · reporting per
round · the answers «no plans», with what was assessed · budget per agency · the timeline (a
Gantt of shapes, as many slides as it takes) · one slide per agency (per pilot when the filter
holds at most six) · the six elements per pilot · «Til oppfølging»; a selection without pilots
skips budget, timeline, agencies and elements. Every shape is placed here
on the «Bare tittel» layout (house_presentation() makes python-pptx's 4:3 template 16:9). Charts
are native PowerPoint charts people can restyle; tables use «✓»/«–» so no meaning rests on
colour. Norwegian text and formats throughout.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import duckdb
import pandas as pd
from pptx import Presentation
from pptx.chart.chart import Chart
from pptx.chart.data import CategoryChartData
from pptx.chart.series import BarSeries
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_TICK_LABEL_POSITION
from pptx.enum.chart import XL_TICK_MARK as TICK
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.lang import MSO_LANGUAGE_ID
from pptx.enum.shapes import MSO_CONNECTOR, MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, MSO_VERTICAL_ANCHOR, PP_ALIGN, PP_PARAGRAPH_ALIGNMENT
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn
from pptx.shapes.autoshape import Shape
from pptx.shapes.connector import Connector
from pptx.shapes.graphfrm import GraphicFrame
from pptx.slide import Slide
from pptx.text.text import Font, TextFrame
from pptx.util import Emu, Inches, Pt

from exports.common import (
    SUBMISSIONS_SHEET,
    abbreviated,
    as_date,
    as_float,
    budget_gap_words,
    budget_gaps,
    data_date,
    filter_text,
    short_names,
    source_line,
)
from loaders.contract import ELEMENT_SHORT, ELEMENTS, MILESTONES, PILOT_STATUSES, PILOTS
from loaders.values import norwegian_today
from store import queries
from store.queries import PilotFilter
from ui.formatting import (
    DOCUMENTED_ONLY,
    MILLIONS,
    ambition_words,
    date,
    deadline_text,
    element_marks,
    join_words,
    kr,
    kr_short,
    largest_first,
    long_date,
    mill_kr,
    number,
    parts_shown_sum,
    percent,
    plural,
    rest_note,
    scale_for,
    unregistered_letters_text,
)

# The look: white, one dark blue accent, grey text, Arial (metric twin of Liberation Sans, so
# what LibreOffice renders in the tests is what PowerPoint shows).
ACCENT = RGBColor(0x1F, 0x4E, 0x79)
ACCENT_LIGHT = RGBColor(0xDC, 0xE6, 0xF2)
TEXT = RGBColor(0x33, 0x33, 0x33)
MUTED = RGBColor(0x59, 0x59, 0x59)
RULE = RGBColor(0xBF, 0xBF, 0xBF)
BAND = RGBColor(0xF2, 0xF2, 0xF2)
MID_GREY = RGBColor(0x8C, 0x8C, 0x8C)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
FORSOK = RGBColor(0xE6, 0x9F, 0x00)  # forsøk in the status chart: not the blues that mean under way and planned
FONT = "Arial"
NO_GRID_TABLE = "{2D5ABB26-0587-4C30-8999-92F81FD0307C}"  # «No Style, No Grid»

SLIDE_WIDTH, SLIDE_HEIGHT = 13.333, 7.5  # inches, 16:9
WIDESCREEN_EMU = 12_192_000  # PowerPoint's own 16:9 width (13,333… inches), which «Widescreen» names
LEFT, RIGHT = 0.6, 13.333 - 0.6
WIDTH = RIGHT - LEFT
BODY_TOP, BODY_BOTTOM = 1.65, 6.8

TIMELINE_ROWS = 18          # rows per timeline slide
BUDGET_BARS = 15            # agencies on the budget slide: the largest; the rest are told in words
REST_NOTE_H = 0.45          # inches under the budget chart for the words on the rest
TIMELINE_MAX_SLIDES = 3     # beyond this many slides, one bar per agency instead of per pilot (then per ministry)
PILOT_SLIDES_UP_TO = 6      # a slide per pilot up to this many pilots, else per agency
NO_PLANS_IN_FULL = 4        # submissions without plans told in full on their slide; the rest by name
AGENCY_TABLE_ROWS = 9
MATRIX_ROWS = 14
# A deck of the whole state had hundreds of slides and took minutes (issue 5): slides per agency and the
# matrix per plan come with a narrower selection; beyond it, one slide says so, or counts per element.
DETAIL_SLIDES_UP_TO = 15
SUB_ITEM_HANG = (0.45, 0.15)  # inches: a sub-item's left margin, and its «– » hanging before it
PLAN_IN_LIST_CHARS = 46    # a plan's name in the follow-up's lists, the same in both: one plan was cut in one only
SHORT_NAME_CHARS = 26      # a longer agency name is written as its abbreviation in lists: the matrix's column holds 26
FOOTER_NAMES_CHARS = 70     # a selection longer than this is written in abbreviations in the footers
MATRIX_PLANS_UP_TO = 5 * MATRIX_ROWS
AMBITION_WIDTH = 7.3        # inches the squares of the ambition slide may take
AMBITION_SQUARES_UP_TO = 40  # a square per pilot up to this many; beyond, two bars on a scale (squares of
#                              0.005 inches at M, and 20 000 shapes took python-pptx minutes at L)
# Shape names, so tests (and anyone scripting the deck) can find things.
TITLE_SHAPE = "Tittel"
CHART_STATUS = "Diagram: piloter etter status"
CHART_REPORTING = "Diagram: rapportering per runde"
BUDGET_REST = "Budsjett: de andre virksomhetene"
DETAILS_LEFT_OUT = "Lysark per virksomhet: utelatt"
ELEMENT_COUNTS = "Tabell: planer per element"
AMBITION_COUNTED = "Ambisjon: pågår eller gjennomført"
AMBITION_PLANNED = "Ambisjon: planlagt"
CHART_BUDGET = "Diagram: budsjett per virksomhet"
TIMELINE_GROUP = "Tidslinje: virksomhet"
TIMELINE_PILOT = "Tidslinje: pilot"
TIMELINE_AGENCY = "Tidslinje: virksomhet samlet"
TIMELINE_TODAY = "Tidslinje: i dag"
ABBREVIATIONS = "Forkortelser"
FOLLOW_UP_LINES = 15  # lines of 12 and 13 pt a column of «Til oppfølging» holds
LETTERS_NOTE = "Merknad: brev ikke registrert"
LETTERS_NOTE_HEIGHT = 0.6
MATRIX_TABLE = "Tabell: elementer"
BULLET = {"color": ACCENT, "bold": True, "hang": (0.15, 0.15)}  # a «• » in front of a follow-up point, hanging


def clip(text: object, limit: int) -> str:
    """Text cut to at most limit characters, with «…» when cut: after a whole word where one ends in the last third
    («Færre interne rapporteringskrav…», not «…rapporteringsk…»)."""
    value = " ".join(str(text or "").split())
    if len(value) <= limit:
        return value
    cut = value[: limit - 1]
    space = cut.rfind(" ")
    if value[limit - 1] != " " and space >= (limit * 2) // 3:  # (a cut just before a space keeps a whole word)
        cut = cut[:space]
    return cut.rstrip(" ,;:–-") + "…"


def on_sheet(sheet: str) -> str:
    """Where a list cut short on a slide is whole: «… og 17 til på arket Milepæler i Excel-uttrekket»."""
    return f"på arket {sheet} i Excel-uttrekket"


@dataclass
class Pilot:
    """One pilot plan, as the slides need it."""

    agency: str
    start_year: int
    name: str
    status: str
    start: dt.date | None
    end: dt.date | None
    budget: float
    forsok: bool
    exemption_rules: str
    within_frame: str
    trust_relation: str
    problem: str
    goals: str
    evaluation: str
    describes_evaluation: bool  # the view's flag: «Evaluering og gevinstmåling» is filled in
    covered: tuple[bool, ...]

    @property
    def missing_elements(self) -> list[int]:
        """The numbers of the letter's elements the plan does not cover."""
        return [e.number for e, ok in zip(ELEMENTS, self.covered) if not ok]

    @property
    def gaps_besides_evaluation(self) -> list[int]:
        """Missing elements not already told by «sier ingenting om evaluering» (which implies 6 when missing)."""
        return [n for n in self.missing_elements if n != 6 or self.describes_evaluation]

    @property
    def period(self) -> str:
        """«01.03.2024–30.06.2025»."""
        return f"{date(self.start)}–{date(self.end)}"

    @property
    def elements_text(self) -> str:
        """«5 av 6 (mangler 6)»: the plan's coverage for a table cell."""
        covered = sum(self.covered)
        missing = self.missing_elements
        return f"{covered} av 6" + (f" (mangler {', '.join(map(str, missing))})" if missing else "")


def elements_named(numbers: list[int]) -> str:
    """«element 4 og 5 (deltakere og økonomi)»: elements by number and short name, so a slide read alone says what
    is missing («mangler 4 deltakere» read as four participants missing)."""
    word = "element" if len(numbers) == 1 else "elementene"
    return (f"{word} {join_words([str(n) for n in numbers])} "
            f"({join_words([ELEMENT_SHORT[n].lower() for n in numbers])})")


def _text(value: object) -> str:
    """Text for a slide: a missing value (None, NaN) becomes the empty string."""
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


# The columns of pilot_plans_current the slides use; the long texts only on a slide per pilot (few pilots).
PILOT_COLUMNS = ("agency", "start_year", "pilot_name", "status", "start_date", "end_date", "budget_total_nok",
                 "needs_exemption", "exemption_rules", "within_budget_frame", "trust_relation", "describes_evaluation",
                 *(f"covers_e{e.number}" for e in ELEMENTS))
PILOT_TEXTS = ("problem", "goals", "evaluation")


def _read_pilots(con: duckdb.DuckDBPyConnection, f: PilotFilter) -> list[Pilot]:
    """The filter's current plans with what the slides show: their texts only when each gets a slide of its own.

    At L the texts of 20 000 plans, read only to be left out, were most of a deck's memory on the server.
    """
    pilots = _pilots(queries.pilots(con, f, PILOT_COLUMNS))
    if len(pilots) <= PILOT_SLIDES_UP_TO:
        pilots = _pilots(queries.pilots(con, f, PILOT_COLUMNS + PILOT_TEXTS))
    return pilots


def _pilots(frame: pd.DataFrame) -> list[Pilot]:
    """The store's pilot_plans_current rows as Pilot objects (texts not read are empty)."""
    return [Pilot(
        agency=r["agency"], start_year=int(r["start_year"]), name=_text(r["pilot_name"]), status=_text(r["status"]),
        start=as_date(r["start_date"]), end=as_date(r["end_date"]), budget=as_float(r["budget_total_nok"]) or 0.0,
        forsok=bool(r["needs_exemption"]), exemption_rules=_text(r["exemption_rules"]),
        within_frame=_text(r["within_budget_frame"]), trust_relation=_text(r["trust_relation"]),
        problem=_text(r.get("problem")), goals=_text(r.get("goals")), evaluation=_text(r.get("evaluation")),
        describes_evaluation=bool(r["describes_evaluation"]),
        covered=tuple(bool(r[f"covers_e{e.number}"]) for e in ELEMENTS),
    ) for r in frame.to_dict("records")]


# ---------------------------------------------------------------------------------------
# Drawing helpers (inches in, EMU out)


def _font(font: Font, size: float, color: RGBColor = TEXT, bold: bool = False, italic: bool = False) -> None:
    """Set every property of a font here, so nothing falls back to the theme (and the language is bokmål)."""
    font.name = FONT
    font.size = Pt(size)
    font.bold = bold
    font.italic = italic
    font.color.rgb = color
    font.language_id = MSO_LANGUAGE_ID.NORWEGIAN_BOKMOL


Run = tuple[str, dict]


def _fill_text_frame(tf: TextFrame, paragraphs: Sequence[str | Sequence[Run]], size: float, color: RGBColor,
                     bold: bool, align: PP_PARAGRAPH_ALIGNMENT, space_after: float = 0) -> None:
    """Write paragraphs (plain text, or runs with their own style) into a text frame."""
    for i, para in enumerate(paragraphs):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        p.alignment = align
        if space_after:
            p.space_after = Pt(space_after)
        runs: Sequence[Run] = [(para, {})] if isinstance(para, str) else para
        if runs and runs[0][1].get("space_before"):
            p.space_before = Pt(runs[0][1]["space_before"])
        if runs and runs[0][1].get("hang"):  # (left margin, hanging first line) in inches: a wrapped item's next
            left, hanging = runs[0][1]["hang"]  # line starts under its text, not at the box's edge
            p._p.get_or_add_pPr().set("marL", str(Inches(left)))
            p._p.get_or_add_pPr().set("indent", str(-Inches(hanging)))
        for text, style in runs:
            run = p.add_run()
            run.text = text
            _font(run.font, style.get("size", size), style.get("color", color), style.get("bold", bold),
                  style.get("italic", False))


def text_box(slide: Slide, x: float, y: float, w: float, h: float,
             paragraphs: str | Sequence[str | Sequence[Run]], *, size: float = 14, color: RGBColor = TEXT,
             bold: bool = False, align: PP_PARAGRAPH_ALIGNMENT = PP_ALIGN.LEFT,
             anchor: MSO_VERTICAL_ANCHOR = MSO_ANCHOR.TOP, name: str | None = None, space_after: float = 0) -> Shape:
    """A text box with no margins, wrapping inside its width."""
    shape = slide.shapes.add_textbox(Inches(x), Inches(y), Inches(w), Inches(h))
    return _written(shape, paragraphs, size, color, bold, align, anchor, name, space_after)


def title_box(slide: Slide, x: float, y: float, w: float, h: float, text: str, *, size: float) -> Shape:
    """The slide's title in its title placeholder (a «Title Only» slide), placed and styled as a text box.

    A title in a plain text box is no title to PowerPoint: its accessibility check reports «Missing slide
    title», the outline and screen readers show none, and a slide pasted into another template keeps no title.
    """
    shape = slide.shapes.title
    shape.left, shape.top, shape.width, shape.height = Inches(x), Inches(y), Inches(w), Inches(h)
    return _written(shape, text, size, ACCENT, True, PP_ALIGN.LEFT, MSO_ANCHOR.TOP, TITLE_SHAPE)


def _written(shape: Shape, paragraphs: str | Sequence[str | Sequence[Run]], size: float, color: RGBColor, bold: bool,
             align: PP_PARAGRAPH_ALIGNMENT, anchor: MSO_VERTICAL_ANCHOR, name: str | None,
             space_after: float = 0) -> Shape:
    """The shape with the paragraphs in its text frame: no margins, wrapping inside its width, never resized."""
    tf = shape.text_frame
    tf.word_wrap = True
    tf.auto_size = MSO_AUTO_SIZE.NONE
    tf.margin_left = tf.margin_right = tf.margin_top = tf.margin_bottom = 0
    tf.vertical_anchor = anchor
    if isinstance(paragraphs, str):
        paragraphs = [paragraphs]
    _fill_text_frame(tf, paragraphs, size, color, bold, align, space_after)
    if name:
        shape.name = name
    return shape


def _unstyled(shape: Shape | Connector) -> Shape | Connector:
    """Drop the theme's shape style (its shadow and default colours): every colour is set here."""
    style = shape._element.find(qn("p:style"))
    if style is not None:
        shape._element.remove(style)
    return shape


def rect(slide: Slide, x: float, y: float, w: float, h: float, *, fill: RGBColor | None = None,
         line: RGBColor | None = None, line_width: float = 0.75, dash: MSO_LINE_DASH_STYLE | None = None,
         text: str = "", text_size: float = 10, text_color: RGBColor = WHITE, bold: bool = False,
         name: str | None = None) -> Shape:
    """A rectangle (filled and/or outlined), optionally with centred text."""
    shape = _unstyled(slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(x), Inches(y), Inches(w), Inches(h)))
    if fill is None:
        shape.fill.background()
    else:
        shape.fill.solid()
        shape.fill.fore_color.rgb = fill
    if line is None:
        shape.line.fill.background()
    else:
        shape.line.color.rgb = line
        shape.line.width = Pt(line_width)
        if dash is not None:
            shape.line.dash_style = dash
    tf = shape.text_frame
    tf.margin_left = tf.margin_right = tf.margin_top = tf.margin_bottom = 0
    tf.word_wrap = False
    tf.vertical_anchor = MSO_ANCHOR.MIDDLE
    if text:
        _fill_text_frame(tf, [text], text_size, text_color, bold, PP_ALIGN.CENTER)
    if name:
        shape.name = name
    return shape


def line(slide: Slide, x1: float, y1: float, x2: float, y2: float, color: RGBColor = RULE, width: float = 0.75,
         dash: MSO_LINE_DASH_STYLE | None = None) -> Connector:
    """A straight line."""
    shape = _unstyled(slide.shapes.add_connector(MSO_CONNECTOR.STRAIGHT, Inches(x1), Inches(y1), Inches(x2),
                                                 Inches(y2)))
    shape.line.color.rgb = color
    shape.line.width = Pt(width)
    if dash is not None:
        shape.line.dash_style = dash
    return shape


def alt_text(graphic_frame: GraphicFrame, text: str) -> None:
    """A description screen readers announce for a chart or table."""
    graphic_frame._element.nvGraphicFramePr.cNvPr.set("descr", text)


def table(slide: Slide, x: float, y: float, widths: Sequence[float], header: Sequence[str],
          rows: Sequence[Sequence[str]], *, size: float = 11, row_height: float = 0.34,
          header_height: float = 0.4, align: Sequence[str] | None = None, description: str = "",
          bold_first_column: bool = False, header_size: float | None = None) -> GraphicFrame:
    """A plain table: dark blue header, light banding, no grid lines."""
    frame = slide.shapes.add_table(len(rows) + 1, len(widths), Inches(x), Inches(y), Inches(sum(widths)),
                                   Inches(header_height + row_height * len(rows)))
    tbl = frame.table
    style = frame._element.graphic.graphicData.tbl.tblPr.find(qn("a:tableStyleId"))
    if style is not None:
        style.text = NO_GRID_TABLE
    tbl.first_row = True
    tbl.horz_banding = False
    for i, w in enumerate(widths):
        tbl.columns[i].width = Inches(w)
    tbl.rows[0].height = Inches(header_height)
    for r in range(1, len(rows) + 1):
        tbl.rows[r].height = Inches(row_height)
    align = align or ["l"] * len(widths)
    alignment = {"l": PP_ALIGN.LEFT, "c": PP_ALIGN.CENTER, "r": PP_ALIGN.RIGHT}
    for r, values in enumerate([header, *rows]):
        for c, value in enumerate(values):
            cell = tbl.cell(r, c)
            cell.margin_left = cell.margin_right = Inches(0.08)
            cell.margin_top = cell.margin_bottom = Inches(0.03)
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            cell.fill.solid()
            cell.fill.fore_color.rgb = ACCENT if r == 0 else (BAND if r % 2 == 0 else WHITE)
            tf = cell.text_frame
            tf.word_wrap = True
            p = tf.paragraphs[0]
            p.alignment = alignment[align[c]]
            run = p.add_run()
            run.text = str(value)
            if r == 0:
                _font(run.font, header_size or size, WHITE, bold=True)
            else:
                _font(run.font, size, TEXT, bold=bold_first_column and c == 0)
    if description:
        alt_text(frame, description)
    return frame


def style_chart(chart: Chart, *, legend: bool = False, size: float = 11) -> None:
    """A calm chart: Arial, grey text, no gridlines, no value axis (bars carry their labels)."""
    chart.font.name = FONT
    chart.font.size = Pt(size)
    chart.font.color.rgb = TEXT
    chart.has_title = False
    chart.has_legend = legend
    if legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        _font(chart.legend.font, size, TEXT)
    value_axis = chart.value_axis
    value_axis.has_major_gridlines = False
    value_axis.visible = False
    category_axis = chart.category_axis
    category_axis.has_major_gridlines = False
    category_axis.major_tick_mark = TICK.NONE
    category_axis.tick_label_position = XL_TICK_LABEL_POSITION.LOW
    category_axis.format.line.color.rgb = RULE
    _font(category_axis.tick_labels.font, size, TEXT)


def color_series(series: BarSeries, fill: RGBColor, outline: RGBColor | None = None) -> None:
    """One solid colour for a series' bars (with a thin outline when the fill is light)."""
    series.format.fill.solid()
    series.format.fill.fore_color.rgb = fill
    if outline is not None:
        series.format.line.color.rgb = outline
        series.format.line.width = Pt(0.75)


def count_labels(series: BarSeries, size: float = 11, color: RGBColor = WHITE) -> None:
    """Counts written on a series' bars as text, «1 355» whatever the viewer's language; zeros left out."""
    for point, value in zip(series.points, series.values):
        if not value:
            continue
        label = point.data_label
        label.text_frame.text = number(value)
        label.text_frame.word_wrap = False
        _font(label.text_frame.paragraphs[0].runs[0].font, size, color, bold=True)
        label.position = XL_LABEL_POSITION.CENTER


# Norwegian PowerPoint's own names for the default template's layouts and the master's prompts: a slide added
# in the deck offered «Title Only» and «Click to edit Master title style».
LAYOUT_NAMES = {
    "Title Slide": "Tittellysbilde", "Title and Content": "Tittel og innhold", "Section Header": "Inndelingsoverskrift",
    "Two Content": "To innholdsdeler", "Comparison": "Sammenligning", "Title Only": "Bare tittel", "Blank": "Tomt",
    "Content with Caption": "Innhold med bildetekst", "Picture with Caption": "Bilde med bildetekst",
    "Title and Vertical Text": "Tittel og loddrett tekst", "Vertical Title and Text": "Loddrett tittel og tekst",
}
PROMPTS = {
    "Click to edit Master title style": "Klikk for å redigere tittelstil",
    "Click to edit Master subtitle style": "Klikk for å redigere undertittelstil i malen",
    "Click to edit Master text styles": "Klikk for å redigere tekststiler i malen",
    "Second level": "Andre nivå", "Third level": "Tredje nivå", "Fourth level": "Fjerde nivå",
    "Fifth level": "Femte nivå",
}


def house_presentation() -> Presentation:
    """python-pptx's default template made the deck's own: 16:9 in its master and layouts too, Arial, Norwegian.

    The default is 4:3. Setting the slide size alone left the master's placeholders 10 inches wide: a slide a
    user added («Tittel og innhold») sat squeezed to the left, in Calibri, and the file said «On-screen Show
    (4:3)» and «Last modified by: Steve Canny», created in 2013.
    """
    prs = Presentation()
    size = prs.part._element.find(qn("p:sldSz"))
    widen = WIDESCREEN_EMU / int(size.get("cx"))
    size.attrib.pop("type", None)  # «screen4x3»; without it the size is the custom one set here
    prs.slide_width, prs.slide_height = Emu(WIDESCREEN_EMU), Inches(SLIDE_HEIGHT)  # the height stays 7.5 inches
    master = prs.slide_master
    for part in (master, *prs.slide_layouts):
        for xfrm in part._element.iter(qn("a:xfrm")):  # placeholders placed in the master or a layout
            for child, attr in ((xfrm.find(qn("a:off")), "x"), (xfrm.find(qn("a:ext")), "cx")):
                child.set(attr, str(round(int(child.get(attr)) * widen)))
        for run in part._element.iter(qn("a:t")):
            run.text = PROMPTS.get(run.text, run.text)
        for element in part._element.iter():  # the prompts' «en-US»: spelling checked as English
            if element.get("lang"):
                element.set("lang", "nb-NO")
    for layout in prs.slide_layouts:
        layout.name = LAYOUT_NAMES.get(layout.name, layout.name)
    theme = master.part.part_related_by(RT.THEME)
    theme._blob = re.sub(rb'(<a:(?:major|minor)Font><a:latin typeface=")[^"]*"', rb'\g<1>' + FONT.encode() + b'"',
                         theme.blob)
    props = prs.core_properties
    now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    props.author = props.last_modified_by = "Pilotoversikt"
    props.created = props.modified = now
    props.revision = 1
    props.comments = props.keywords = props.category = ""
    return prs


def app_properties(prs: Presentation) -> None:
    """docProps/app.xml for this deck: python-pptx's said «On-screen Show (4:3)», «Microsoft Macintosh PowerPoint»
    and no slides. Every element of it is optional; PowerPoint writes the rest when it saves."""
    part = next(p for p in prs.part.package.iter_parts() if str(p.partname) == "/docProps/app.xml")
    part._blob = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        f"<Application>Pilotoversikt</Application><PresentationFormat>Widescreen</PresentationFormat>"
        f"<Slides>{len(prs.slides)}</Slides></Properties>").encode()


# ---------------------------------------------------------------------------------------
# The deck


class _Deck:
    """One deck being built: the filtered data read once, then a method per kind of slide."""

    def __init__(self, con: duckdb.DuckDBPyConnection, f: PilotFilter) -> None:
        """Read everything the slides need from the store, through store.queries only."""
        self.f = f
        self.when = data_date(con)
        self.settings = queries.settings(con)
        self.pilots = _read_pilots(con, f)
        self.reporting = queries.reporting_status(con, f, norwegian_today())
        # the newest report in the selection: the whole store's said a deck of one agency was newer than it was
        self.newest = as_date(queries.store_summary(con)["newest_submission"] if f.is_empty
                              else self.reporting["submitted_on"].max())
        # the answers «no plans» and what the agency assessed: the other report the letters ask for; about
        # submissions, so not with a selection of pilots (by status or forsøk), which they have none of
        self.no_plans = (pd.DataFrame() if f.statuses or f.forsok is not None else
                         queries.answers_without_plans(con, f))
        # pilots whose reported status looks out of date, counted as Oversikt counts them
        self.out_of_date = int(queries.status_summary(con, f, norwegian_today())["out_of_date"].sum())
        self.milestones = queries.milestones(con, f)
        self.budget_lines = queries.budget_lines(con, f)
        register = queries.agencies(con)
        # the whole sector's too: its title says «rapportert til KDD» above agencies now under DFD
        self.moves = queries.ministry_moves_note(f, register, whole_sector=True, advice=False)
        self.short_names = short_names(register)
        self.ministry_of = dict(zip(register["name"], register["ministry"]))
        self.ministry_names = {m: n for m, n in zip(register["ministry"], register["ministry_name"])
                               if isinstance(m, str) and isinstance(n, str) and n != m}
        self.abbreviations: dict[str, str] = {}  # those the slides use → what they stand for, told on the title slide
        self.ministry_name_of = {r["name"]: next((m for m in (r["ministry_name"], r["ministry"]) if isinstance(m, str)),
                                                 "Uten departement") for r in register.to_dict("records")}
        self.prs = house_presentation()
        self.titled = self.prs.slide_layouts[5]  # «Bare tittel»: each slide's title is its title placeholder
        self.titles: list[str] = []

    # -- helpers -------------------------------------------------------------------------

    def short(self, agency: str) -> str:
        """The agency's name in the deck's lists and tables: its abbreviation when the name is long.

        One length for every list: with a limit per list, Digdir's plan read «(Digdir)» beside
        «Digitaliseringsdirektoratet – oppstart 2023» on the same slide. An abbreviation given is noted for the title
        slide's key (abbreviations_key).
        """
        shown = agency if len(agency) <= SHORT_NAME_CHARS else (self.short_names.get(agency) or agency)
        if shown != agency:
            self.abbreviations[shown] = agency
        return shown

    @property
    def counting_statuses(self) -> tuple[str, ...]:
        """The statuses that count towards the ambition (settings; «Pågår» and «Gjennomført»)."""
        return tuple(self.settings.get("counting_statuses") or ("Pågår", "Gjennomført"))

    @property
    def band(self) -> tuple[int, int]:
        """The ambition band from settings (3–5 unless set otherwise)."""
        return int(self.settings.get("ambition_min") or 3), int(self.settings.get("ambition_max") or 5)

    def slide(self, title: str, lede: str | Sequence[Sequence[Run]] = "") -> Slide:
        """A new blank slide with its title (and a grey lede line under it)."""
        slide = self.prs.slides.add_slide(self.titled)
        rect(slide, LEFT, 0.38, 0.55, 0.06, fill=ACCENT)
        title = clip(title, 72)  # one line: 26 pt holds about 55 characters, 22 pt about 72
        title_box(slide, LEFT, 0.5, WIDTH, 0.6, title, size=26 if len(title) <= 55 else 22)
        if lede:
            text_box(slide, LEFT, 1.1, WIDTH, 0.45, lede if isinstance(lede, str) else list(lede),
                     size=14, color=MUTED, name="Ingress")
        self.titles.append(title)
        return slide

    def empty_note(self, slide: Slide, text: str) -> None:
        """A grey line where a slide's chart or table would be, saying why there is none."""
        text_box(slide, LEFT, BODY_TOP + 0.4, WIDTH, 0.5, text, size=16, color=MUTED)

    @property
    def footer_text(self) -> str:
        """The source line, and the selection where there is one: a slide pasted into another deck still says what it
        shows («Rapportering per runde» for KDD read as the whole sector's)."""
        if self.f.is_empty:
            return source_line(self.when)
        chosen = filter_text(self.f)  # names as the title slide has them: «HB» alone meant little to a reader
        if len(chosen) > FOOTER_NAMES_CHARS:  # abbreviations where the register has them, so the year still fits
            chosen = filter_text(abbreviated(self.f, self.short_names))
        return f"{source_line(self.when)} · Utvalg: {clip(chosen, 130)}"

    def footers(self) -> None:
        """Source line and page number at the foot of every slide."""
        total = len(self.prs.slides)
        for page, slide in enumerate(self.prs.slides, 1):
            line(slide, LEFT, 6.98, RIGHT, 6.98, RULE, 0.5)
            text_box(slide, LEFT, 7.05, 10.1, 0.28, self.footer_text, size=10, color=MUTED, name="Kilde")
            text_box(slide, RIGHT - 2.0, 7.05, 2.0, 0.28, f"{page} av {total}", size=10, color=MUTED,
                     align=PP_ALIGN.RIGHT, name="Sidenummer")

    # -- slides --------------------------------------------------------------------------

    def title_slide(self) -> None:
        """The first slide: what the deck is, for which selection, and how fresh the data is."""
        slide = self.prs.slides.add_slide(self.titled)
        title = "Piloter i tillitsreformen"
        self.titles.append(title)
        rect(slide, LEFT, 1.9, 0.12, 3.3, fill=ACCENT)
        title_box(slide, LEFT + 0.45, 1.85, 11.5, 0.9, title, size=40)
        text_box(slide, LEFT + 0.45, 2.8, 11.5, 0.5,
                 "Pilotplanene virksomhetene har rapportert til Kommunal- og distriktsdepartementet",
                 size=18, color=MUTED)
        agencies = {p.agency for p in self.pilots}
        summary = (f"{plural(len(self.pilots), 'pilot', 'piloter')} fra "
                   f"{plural(len(agencies), 'virksomhet', 'virksomheter')}") if self.pilots else "Ingen piloter"
        when = long_date(self.when.date()) if self.when else "ingen data importert ennå"
        text_box(slide, LEFT + 0.45, 3.65, 11.5, 1.6, [
            [("Utvalg: ", {"bold": True}), (filter_text(self.f), {})],
            *([[("Departement: ", {"bold": True}), (self.moves, {})]] if self.moves else []),
            [("Data per ", {"bold": True}), (when, {})],
            # the day of the last import is no day of the reports: plans sent in 2023 read as «per 1. desember 2026»
            *([[(f"Nyeste innsending i {'Pilotoversikt' if self.f.is_empty else 'utvalget'}: ", {"bold": True}),
                 (long_date(self.newest), {})]]
              if self.newest else []),
            [("Innhold: ", {"bold": True}), (summary, {})],
        ], size=16, color=TEXT, name="Utvalg", space_after=6)
        text_box(slide, LEFT + 0.45, 5.45, 11.5, 0.4, f"Laget {long_date(norwegian_today())} i Pilotoversikt",
                 size=12, color=MUTED)

    def ambition_slide(self) -> None:
        """The 3–5 ambition: pilots under way or completed against the band, and pilots by status."""
        low, high = self.band
        counting = [p for p in self.pilots if p.status in self.counting_statuses]
        planned = [p for p in self.pilots if p.status == "Planlagt"]
        filtered = not self.f.is_empty  # the words Oversikt uses
        verdict = (f"{plural(len(counting), 'pilot', 'piloter')} pågår eller er gjennomført"
                   f"{ambition_words(len(counting), self.band, filtered)}")
        slide = self.slide(f"Ambisjonen: {low}–{high} piloter i reformperioden", verdict)
        legend_y = self.ambition_squares(slide, counting, planned)
        self.ambition_figures(slide, legend_y, len(counting), len(planned))
        self.status_chart(slide)

    def ambition_squares(self, slide: Slide, counting: list[Pilot], planned: list[Pilot]) -> float:
        """A square per pilot against the dashed band, then the legend; returns the legend's top."""
        low, high = self.band
        n = len(counting)
        slots = max(high, n + len(planned))  # an empty square past the band meant nothing
        if slots > AMBITION_SQUARES_UP_TO:
            return self.ambition_bars(slide, n, len(planned))
        size = min(0.55, AMBITION_WIDTH / (slots * 1.25))
        gap = size * 0.25
        top = BODY_TOP + 0.75
        band_x = LEFT + (low - 1) * (size + gap) - gap / 2
        band_w = (high - low + 1) * (size + gap)
        rect(slide, band_x, top - 0.15, band_w, size + 0.5, fill=BAND, line=ACCENT, line_width=1.0,
             dash=MSO_LINE_DASH_STYLE.DASH, name="Ambisjonsbånd")
        text_box(slide, band_x - 0.6, top - 0.5, band_w + 1.2, 0.3, f"Ambisjon {low}–{high}", size=12,
                 color=ACCENT, bold=True, align=PP_ALIGN.CENTER)
        letter_size = max(7.0, min(14.0, size * 28))
        for i in range(slots):
            x = LEFT + i * (size + gap)
            if i < n:
                rect(slide, x, top, size, size, fill=ACCENT, line=ACCENT, text="F" if counting[i].forsok else "",
                     text_size=letter_size, bold=True)
            elif i < n + len(planned):
                rect(slide, x, top, size, size, fill=ACCENT_LIGHT, line=ACCENT,
                     text="F" if planned[i - n].forsok else "", text_size=letter_size, text_color=ACCENT, bold=True)
            else:
                rect(slide, x, top, size, size, line=MID_GREY, dash=MSO_LINE_DASH_STYLE.DASH)
            if slots <= 30 or (i + 1) % 5 == 0:
                text_box(slide, x - 0.1, top + size + 0.08, size + 0.2, 0.25, str(i + 1), size=9, color=MUTED,
                         align=PP_ALIGN.CENTER)
        return self.ambition_legend(slide, top + size + 0.55, n, len(planned), "F = forsøk (krever unntak fra lov "
                                                                             "eller forskrift)")

    def ambition_bars(self, slide: Slide, counted: int, planned: int) -> float:
        """Many pilots: under way or completed, then planned, as bars on a scale with the band; the legend's top."""
        low, high = self.band
        top = BODY_TOP + 0.75
        height = 0.55
        scale = AMBITION_WIDTH / max(high + 1, counted + planned)

        def width(count: int) -> float:
            return max(count * scale, 0.02)

        if counted:
            rect(slide, LEFT, top, width(counted), height, fill=ACCENT, line=ACCENT, name=AMBITION_COUNTED,
                 text=number(counted) if width(counted) > 0.8 else "", text_size=14, bold=True)
        if planned:
            rect(slide, LEFT + counted * scale, top, width(planned), height, fill=ACCENT_LIGHT, line=ACCENT,
                 name=AMBITION_PLANNED, text=number(planned) if width(planned) > 0.8 else "", text_size=14,
                 text_color=ACCENT, bold=True)
        band_x = LEFT + (low - 1) * scale
        rect(slide, band_x, top - 0.15, max(width(high - low + 1), 0.12), height + 0.3, line=TEXT, line_width=1.5,
             dash=MSO_LINE_DASH_STYLE.DASH, name="Ambisjonsbånd")  # at scale a sliver: kept wide enough to see
        text_box(slide, band_x, top - 0.5, 2.4, 0.3, f"Ambisjon {low}–{high}", size=12, color=ACCENT, bold=True)
        for value, align, x in ((0, PP_ALIGN.LEFT, LEFT), (max(high + 1, counted + planned), PP_ALIGN.RIGHT,
                                                           LEFT + AMBITION_WIDTH - 1.5)):
            # under the band's dashed frame, which reaches 0.15 below the bars: at L it stood over the «0»
            text_box(slide, x, top + height + 0.2, 1.5, 0.25, number(value), size=9, color=MUTED, align=align)
        return self.ambition_legend(slide, top + height + 0.55, counted, planned,
                                    "Stolpene er i skala: ambisjonen er den stiplede rammen til venstre.")

    def ambition_legend(self, slide: Slide, legend_y: float, counted: int, planned: int, note: str) -> float:
        """The legend in words under the squares or bars, with a note; returns its top."""
        x = LEFT
        for fill, label in ((ACCENT, f"Pågår eller gjennomført ({number(counted)})"),
                            (ACCENT_LIGHT, f"Planlagt ({number(planned)})")):
            rect(slide, x, legend_y + 0.03, 0.2, 0.2, fill=fill, line=ACCENT)
            text_box(slide, x + 0.3, legend_y, 3.0, 0.3, label, size=12)
            x += 3.3
        text_box(slide, LEFT, legend_y + 0.4, AMBITION_WIDTH, 0.3, note, size=12, color=MUTED)
        return legend_y

    def ambition_figures(self, slide: Slide, legend_y: float, counted: int, planned: int) -> None:
        """The three big numbers under the squares, and a note on cancelled pilots (they do not count)."""
        forsok = sum(p.forsok for p in self.pilots)  # as Oversikt's «Forsøk»: every status
        # «blant dem» beside «N avbrutte piloter telles ikke med» read as if the cancelled were left out here too
        cancelled_forsok = sum(p.forsok and p.status == "Avbrutt" for p in self.pilots)
        figures = [(number(counted), "pågår eller er gjennomført"), (number(planned), "planlagt"),
                   (number(forsok), f"forsøk, {number(cancelled_forsok)} av dem avbrutt" if cancelled_forsok
                    else "forsøk blant dem")]
        fig_y = legend_y + 1.05
        for i, (big, label) in enumerate(figures):
            fx = LEFT + i * 2.45
            text_box(slide, fx, fig_y, 2.3, 0.7, big, size=36, color=ACCENT, bold=True)
            text_box(slide, fx, fig_y + 0.72, 2.3, 0.5, label, size=12, color=MUTED)
        cancelled = sum(p.status == "Avbrutt" for p in self.pilots)
        notes = ([f"{plural(cancelled, 'avbrutt pilot', 'avbrutte piloter')} telles ikke med."] if cancelled else [])
        if self.out_of_date:  # as Oversikt says it: the count rests on the statuses reported
            notes.append(f"Statusen kan være utdatert for {plural(self.out_of_date, 'pilot', 'piloter')}: planlagt "
                         f"med passert startdato eller pågående med passert sluttdato ({date(norwegian_today())}).")
        if notes:
            text_box(slide, LEFT, fig_y + 1.35, AMBITION_WIDTH, 0.3 * len(notes), " ".join(notes),
                     size=12, color=MUTED)

    def status_chart(self, slide: Slide) -> None:
        """A native stacked column chart: pilots per status, split into forsøk and not."""
        text_box(slide, 8.3, BODY_TOP + 0.25, 4.4, 0.3, "Piloter etter status", size=13, color=TEXT, bold=True)
        if not self.pilots:  # an all-zero chart with empty axes says less than a line does
            text_box(slide, 8.3, BODY_TOP + 0.7, 4.4, 0.6, "Ingen piloter i utvalget.", size=14, color=MUTED)
            return
        statuses = [s for s in PILOT_STATUSES if any(p.status == s for p in self.pilots)]
        data = CategoryChartData()
        data.categories = statuses
        data.add_series("Ikke forsøk", [sum(1 for p in self.pilots if p.status == s and not p.forsok)
                                         for s in statuses])
        data.add_series("Forsøk", [sum(1 for p in self.pilots if p.status == s and p.forsok) for s in statuses])
        frame = slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_STACKED, Inches(8.3), Inches(BODY_TOP + 0.6),
                                       Inches(4.4), Inches(4.3), data)
        frame.name = CHART_STATUS
        chart = frame.chart
        style_chart(chart, legend=True)
        plot = chart.plots[0]
        plot.gap_width = 60 if len(statuses) > 2 else 180
        plot.overlap = 100
        # grey and amber: beside the ambition's squares, where dark blue is under way and light blue planned, a
        # dark blue «Ikke forsøk» made the Planlagt column read as pilots under way
        color_series(plot.series[0], MID_GREY)
        color_series(plot.series[1], FORSOK, TEXT)  # outlined: amber alone stands out too little from white
        count_labels(plot.series[0])
        count_labels(plot.series[1], color=TEXT)
        alt_text(frame, "Stolpediagram: antall piloter etter status, delt i forsøk og ikke forsøk. "
                        + "; ".join(f"{s}: {sum(1 for p in self.pilots if p.status == s)}" for s in statuses))

    def abbreviations_key(self) -> None:
        """Under the title, what the abbreviations the slides use stand for: «DSS», «STAF» and «DFD» were never spelled
        out, and a leader reading the slides without the dashboard beside them had to guess."""
        if not self.abbreviations:
            return
        key = " · ".join(f"{short}: {self.abbreviations[short]}" for short in sorted(self.abbreviations, key=str.lower))
        text_box(self.prs.slides[0], LEFT + 0.45, 5.9, 11.5, 0.95, f"Forkortelser: {clip(key, 600)}", size=11,
                 color=MUTED, name=ABBREVIATIONS)

    def reporting_slide(self) -> None:
        """Per round: who was asked, how many delivered on time, late or not at all, and who delivered unasked."""
        frame = self.reporting
        rounds = sorted({int(y) for y in frame["start_year"]}) if not frame.empty else []
        rows, on_time, late, missing, open_, unasked = [], [], [], [], [], []
        has_open = bool((frame["reporting_state"] == queries.OPEN).any()) if rounds else False
        for year in rounds:
            part = frame[frame["start_year"] == year]
            # I tide / For sent / Ikke levert count only those asked, so they add up to «Bedt om».
            asked = part[part["was_asked"].astype(bool)]
            state = asked["reporting_state"]
            deadline = as_date(part["deadline"].dropna().iloc[0]) if part["deadline"].notna().any() else None
            on_time.append(int((state == "I tide").sum()))
            late.append(int((state == "For sent").sum()))
            missing.append(int((state == "Ikke levert").sum()))
            open_.append(int((state == queries.OPEN).sum()))
            unasked.append(int((~part["was_asked"].astype(bool) & (part["reporting_state"] != "Ikke levert")).sum()))
            counts = (len(asked), on_time[-1], late[-1], missing[-1], *(open_[-1:] if has_open else ()), unasked[-1])
            rows.append([f"Oppstart {year}", date(deadline), *map(number, counts)])
        asked_total = sum(on_time) + sum(late) + sum(missing) + sum(open_)
        lede = (f"{number(sum(on_time) + sum(late))} av {number(asked_total)} forespurte innsendinger er levert; "
                f"{number(sum(late))} for sent, {number(sum(missing))} ikke levert") if rounds else ""
        if has_open:  # a round still open: not delivered yet, and not late either
            lede += f", {number(sum(open_))} med frist som ikke er ute"
        if sum(unasked):
            lede += f"; {number(sum(unasked))} levert uten forespørsel"
        if rounds and (self.f.statuses or self.f.forsok is not None):  # the title slide's pilots are not these
            lede += " (status og forsøk i utvalget gjelder pilotene, ikke innsendingene)"
        slide = self.slide("Rapportering per runde", lede)
        if not rounds:
            self.empty_note(slide, "Ingen rapporteringsrunder i utvalget.")
            return
        widths = [2.3, 1.9, 1.5, 1.5, 1.5, 1.5, 1.9]  # 12,1 in of the 12,13 between the margins
        headers = ["Runde", "Frist", "Bedt om", "I tide", "For sent", "Ikke levert", "Uten forespørsel"]
        if has_open:  # its column only where a round is open, in the room the others give up
            widths = [1.9, 1.6, 1.3, 1.3, 1.3, 1.3, 1.5, 1.9]
            headers.insert(6, queries.OPEN)
        table(slide, LEFT, BODY_TOP + 0.15, widths, headers, rows,
              size=13, row_height=0.4, header_height=0.42, align=["l", "l", *["r"] * (len(headers) - 2)],
              bold_first_column=True,
              description="Tabell: rapportering per runde med frist, antall forespurte, levert i tide, "
                          "for sent, ikke levert" + (", frist ikke ute" if has_open else "")
                          + " og levert uten forespørsel.")
        without, asked = queries.requests_without_letter(frame)
        chart_bottom = BODY_BOTTOM - (LETTERS_NOTE_HEIGHT if without else 0)
        self.reporting_chart(slide, BODY_TOP + 0.15 + 0.42 + 0.4 * len(rows) + 0.35, chart_bottom, rounds, on_time,
                             late, missing, open_)
        if without:  # on the slide it qualifies: on the follow-up slide alone, «Ikke levert» here read as fact
            text_box(slide, LEFT, BODY_BOTTOM - LETTERS_NOTE_HEIGHT + 0.05, WIDTH, LETTERS_NOTE_HEIGHT - 0.05,
                     unregistered_letters_text(without, asked), size=12, color=MUTED, name=LETTERS_NOTE)

    def no_plans_slide(self) -> None:
        """«Uten planer»: the submissions that answer «no plans», with what each assessed and how it involved the
        union representatives, as the letters ask of them (the first few in full, the rest by name)."""
        if self.no_plans.empty:
            return
        records = self.no_plans.to_dict("records")
        lede = (f"{plural(len(records), 'innsending', 'innsendinger')} svarer at virksomheten ikke har planer om "
                "piloter, og sier hva den har vurdert og hvordan de tillitsvalgte var med")
        slide = self.slide("Uten planer om piloter", lede)
        shown = records if len(records) <= NO_PLANS_IN_FULL else records[:NO_PLANS_IN_FULL - 1]
        paragraphs: list[Sequence[Run]] = []
        room = NO_PLANS_IN_FULL // len(shown)  # one or two answers have the room of four
        for r in shown:
            paragraphs.append([(f"{r['agency']} – oppstart {int(r['start_year'])}", {"bold": True, "color": ACCENT})])
            for label, key, limit in (("Vurdering", "assessment", 330), ("Tillitsvalgte", "union_involvement", 200)):
                paragraphs.append([(f"{label}: ", {"bold": True}),
                                   (clip(_text(r.get(key)), limit * room) or "ikke oppgitt", {})])
        rest = records[len(shown):]
        if rest:
            names = join_words([f"{self.short(r['agency'])} ({int(r['start_year'])})" for r in rest[:12]])
            more = f" og {number(len(rest) - 12)} til" if len(rest) > 12 else ""
            paragraphs.append([(f"Også uten planer: {names}{more}. Vurderingene står "
                                f"{on_sheet(SUBMISSIONS_SHEET)}.", {"color": MUTED})])
        text_box(slide, LEFT, BODY_TOP + 0.1, WIDTH, BODY_BOTTOM - BODY_TOP - 0.1, paragraphs, size=13,
                 space_after=4)

    def reporting_chart(self, slide: Slide, chart_top: float, chart_bottom: float, rounds: list[int],
                        on_time: list[int], late: list[int], missing: list[int], open_: list[int]) -> None:
        """Stacked bars per round of the asked agencies' reports: on time, late, not delivered, and (where a round
        is open) not delivered with the deadline still to come."""
        data = CategoryChartData()
        data.categories = [f"Oppstart {y}" for y in rounds]
        data.add_series("Levert i tide", on_time)
        data.add_series("Levert for sent", late)
        data.add_series("Ikke levert", missing)
        if sum(open_):
            data.add_series(queries.OPEN, open_)
        height = min(chart_bottom - chart_top, 0.75 * len(rounds) + 1.0)
        frame_shape = slide.shapes.add_chart(XL_CHART_TYPE.BAR_STACKED, Inches(LEFT), Inches(chart_top),
                                             Inches(WIDTH), Inches(height), data)
        frame_shape.name = CHART_REPORTING
        chart = frame_shape.chart
        style_chart(chart, legend=True, size=12)
        chart.category_axis.reverse_order = True
        plot = chart.plots[0]
        plot.gap_width = 50
        plot.overlap = 100
        color_series(plot.series[0], ACCENT)
        color_series(plot.series[1], MID_GREY)
        color_series(plot.series[2], WHITE, MID_GREY)
        count_labels(plot.series[0], 12)
        count_labels(plot.series[1], 12)
        count_labels(plot.series[2], 12, TEXT)
        if sum(open_):
            color_series(plot.series[3], RULE, MID_GREY)  # lighter than «for sent»: nothing is late yet
            count_labels(plot.series[3], 12, TEXT)
        alt_text(frame_shape, "Liggende stolper per runde for dem som ble bedt om å rapportere: levert i tide, "
                              "for sent og ikke levert" + (", og frist ikke ute" if sum(open_) else "") + ". "
                 + "; ".join(f"Oppstart {y}: {a} i tide, {b} for sent, {c} ikke levert"
                             + (f", {d} frist ikke ute" if d else "")
                             for y, a, b, c, d in zip(rounds, on_time, late, missing, open_, strict=True)))

    def budget_slide(self) -> None:
        """Budget per agency as a bar chart, with the total and how much fits within current frames."""
        totals: dict[str, float] = {}
        counts: dict[str, int] = {}
        for p in self.pilots:
            totals[p.agency] = totals.get(p.agency, 0.0) + p.budget
            counts[p.agency] = counts.get(p.agency, 0) + 1
        sums = pd.Series(totals, dtype=float)
        order = list(largest_first(sums).index[:BUDGET_BARS])
        total = sum(totals.values())
        rest = rest_note(sums, BUDGET_BARS, "Pilotoversikt under Budsjett")
        cancelled = [p for p in self.pilots if p.status == "Avbrutt"]
        lede = (f"Samlet {kr(total)} for {plural(len(self.pilots), 'pilot', 'piloter')} ({mill_kr(total)})"
                + (f"; medregnet {plural(len(cancelled), 'avbrutt pilot', 'avbrutte piloter')} "
                   f"({kr(sum(p.budget or 0 for p in cancelled))})" if cancelled else "")) if self.pilots else ""
        slide = self.slide("Budsjett per virksomhet", lede)
        if not order:
            self.empty_note(slide, "Ingen piloter i utvalget.")
            return
        data = CategoryChartData(number_format="#,##0")
        data.categories = order
        data.add_series("Budsjett totalt (kr)", [totals[a] for a in order])
        height = min(BODY_BOTTOM - BODY_TOP - 0.1 - (REST_NOTE_H if rest else 0), 0.45 * len(order) + 0.5)
        frame = slide.shapes.add_chart(XL_CHART_TYPE.BAR_CLUSTERED, Inches(LEFT), Inches(BODY_TOP + 0.1),
                                       Inches(8.4), Inches(height), data)
        frame.name = CHART_BUDGET
        chart = frame.chart
        style_chart(chart, size=12)
        chart.category_axis.reverse_order = True
        chart.value_axis.minimum_scale = 0
        chart.value_axis.maximum_scale = max(max(totals.values()) * 1.3, 1.0)  # room for the labels
        plot = chart.plots[0]
        plot.gap_width = 45
        color_series(plot.series[0], ACCENT)
        for point, agency in zip(plot.series[0].points, order):
            label = point.data_label
            # every label in millions: not «600 000 kr» beside them, nor «0,05 mrd. kr» beside «0,1»
            label.text_frame.text = mill_kr(totals[agency], scale=MILLIONS)
            label.text_frame.word_wrap = False  # LibreOffice wraps custom labels on a short chart otherwise
            _font(label.text_frame.paragraphs[0].runs[0].font, 12, TEXT)
            label.position = XL_LABEL_POSITION.OUTSIDE_END
        alt_text(frame, "Liggende stolper: samlet budsjett per virksomhet. "
                 + "; ".join(f"{a}: {kr(totals[a])}" for a in order) + (f". {rest}" if rest else ""))
        if rest:
            text_box(slide, LEFT, BODY_TOP + 0.15 + height, 8.4, REST_NOTE_H, rest, size=11, color=MUTED,
                     name=BUDGET_REST)

        within = [p.budget for p in self.pilots if p.within_frame == "Ja"]
        partly = [p.budget for p in self.pilots if p.within_frame in ("Delvis", "Nei")]
        unit = scale_for(total)  # the big number's: «5,2 mill. kr» beside «12,1 mill. kr»
        extra = float(self.budget_lines.loc[self.budget_lines["financing"] == "Ekstra behov", "amount_nok"].sum()) \
            if not self.budget_lines.empty else 0.0
        x, w = 9.4, RIGHT - 9.4
        big = mill_kr(total)  # «121,9 mrd. kr» at the whole state's scale (in millions it wrapped at 32 pt)
        text_box(slide, x, BODY_TOP + 0.2, w, 0.7, big, size=32 if len(big) <= 14 else 24, color=ACCENT, bold=True)
        text_box(slide, x, BODY_TOP + 0.9, w, 0.3, "samlet budsjett", size=12, color=MUTED)
        parts_sum = parts_shown_sum(total, [sum(within), sum(partly)], unit)
        gaps = self.budget_gaps()
        text_box(slide, x, BODY_TOP + 1.6, w, BODY_BOTTOM - BODY_TOP - 1.65, [
            # in kroner too, as the Budsjett page: 5 of 7 pilots within the frames held 5,2 of 12,1 mill. kr
            f"{number(len(within))} av {plural(len(self.pilots), 'pilot', 'piloter')} dekkes innenfor gjeldende "
            f"rammer ({mill_kr(sum(within), scale=unit)})",
            f"{number(len(partly))} dekkes delvis eller ikke innenfor rammene ({mill_kr(sum(partly), scale=unit)})",
            f"Ekstra behov i budsjettradene: {mill_kr(extra, scale=unit)}",  # in the unit of the lines above it
            # 10,8 + 17,6 beside 28,3 read as a mistake on a slide shown without the Budsjett page's caption
            *([[(f"Beløpene er avrundet hver for seg, så de to delene summerer til {parts_sum} og ikke til "
                 f"{mill_kr(total, scale=unit)}.", {"size": 11, "color": MUTED})]]
              if parts_sum else []),
            # as the Budsjett page warns: «Ekstra behov» comes from the rows, the rest from the plans' totals
            *([[(f"{budget_gap_words(gaps)}: «Ekstra behov» bygger på budsjettradene "
                 f"({kr(self.budget_lines['amount_nok'].sum())}), de andre tallene på «Budsjett totalt (kr)» "
                 f"({kr(total)}).", {"size": 11, "color": MUTED})]]
              if not gaps.empty else []),
        ], size=13, color=TEXT, space_after=10)

    def budget_gaps(self) -> pd.DataFrame:
        """The plans whose budget rows do not add up to their «Budsjett totalt (kr)» (exports.common.budget_gaps)."""
        keys = pd.MultiIndex.from_tuples([(p.agency, p.start_year, p.name) for p in self.pilots],
                                         names=queries.PLAN_KEYS)
        totals = pd.Series([p.budget for p in self.pilots], index=keys, dtype=float)
        lines = self.budget_lines
        rows = (lines.groupby(queries.PLAN_KEYS)["amount_nok"].sum() if not lines.empty else
                pd.Series(dtype=float, index=pd.MultiIndex.from_tuples([], names=queries.PLAN_KEYS)))
        return budget_gaps(totals, rows)

    def timeline_rows(self) -> tuple[list[tuple], str]:
        """Rows for the Gantt, and what a bar stands for: a header per agency and one row per pilot ("pilot");
        one row per agency when that takes too many slides ("virksomhet"), per ministry when even that does."""
        by_agency: dict[str, list[Pilot]] = {}
        for p in sorted(self.pilots, key=lambda p: (p.agency, p.start or dt.date.min, p.name)):
            by_agency.setdefault(p.agency, []).append(p)
        rows: list[tuple] = []
        for agency, pilots in by_agency.items():
            rows.append(("group", agency, len(pilots)))
            rows.extend(("pilot", p) for p in pilots)
        room = TIMELINE_ROWS * TIMELINE_MAX_SLIDES
        if len(rows) <= room:
            return rows, "pilot"
        if len(by_agency) <= room:
            return [("agency", agency, pilots) for agency, pilots in by_agency.items()], "virksomhet"
        by_ministry: dict[str, list[Pilot]] = {}
        for agency, pilots in by_agency.items():
            by_ministry.setdefault(self.ministry_name_of.get(agency, "Uten departement"), []).extend(pilots)
        return [("agency", ministry, by_ministry[ministry]) for ministry in sorted(by_ministry)], "departement"

    def timeline_slides(self) -> None:
        """The Gantt, split over as many slides as its rows need (a group header repeats as «forts.»)."""
        rows, unit = self.timeline_rows()
        dated = [p for p in self.pilots if p.start and p.end]
        if not dated:
            slide = self.slide("Tidslinje")
            self.empty_note(slide, "Ingen piloter med start- og sluttdato i utvalget.")
            return
        pages: list[list[tuple]] = []
        page: list[tuple] = []
        group: tuple | None = None
        for row in rows:
            if row[0] == "group":
                group = row
            # an agency starts on a new slide unless its heading and two of its pilots (or its one) fit here: Statsbygg
            # showed one pilot under «Statsbygg (5)», and its four others on the next slide
            needs = 1 + min(2, row[2]) if row[0] == "group" else 1
            if len(page) + needs > TIMELINE_ROWS:
                pages.append(page)
                page = [("group", group[1], group[2], True)] if row[0] == "pilot" and group else []
            page.append(row)
        pages.append(page)
        first = min(p.start for p in dated)
        last = max(p.end for p in dated)
        start = dt.date(first.year, 1, 1)
        # today in view: without it, plans that ended two years ago read as plans to come
        end = dt.date(max(last.year, norwegian_today().year) + 1, 1, 1)
        lede = (f"Én stolpe per {unit}: fra første start til siste slutt" if unit != "pilot" else
                "Mørk stolpe: pågår eller gjennomført · lys: planlagt · stiplet: avbrutt. "
                "Status står på eller ved stolpen.")
        for i, page_rows in enumerate(pages, 1):
            title = "Tidslinje" if len(pages) == 1 else f"Tidslinje ({i} av {len(pages)})"
            slide = self.slide(title, lede)
            self.draw_timeline(slide, page_rows, start, end)

    def draw_timeline(self, slide: Slide, rows: list[tuple], start: dt.date, end: dt.date) -> None:
        """One timeline page: year grid, the reform's end, and a labelled bar per pilot or agency."""
        label_x, label_w = LEFT, 3.9
        x1, x2 = LEFT + 4.1, RIGHT
        header_y = BODY_TOP + 0.05
        top = header_y + 0.35
        row_h = (BODY_BOTTOM - 0.25 - top) / TIMELINE_ROWS
        bottom = top + row_h * len(rows)
        span = (end - start).days

        def xpos(day: dt.date) -> float:
            """Where a date falls on the slide, in inches."""
            return x1 + (x2 - x1) * (day - start).days / span

        # Bands behind agency rows first, so grid lines and bars draw on top.
        for r, row in enumerate(rows):
            if row[0] == "group":
                rect(slide, LEFT, top + r * row_h, WIDTH, row_h, fill=BAND)
        for year in range(start.year, end.year + 1):
            x = xpos(dt.date(year, 1, 1))
            line(slide, x, header_y + 0.3, x, bottom, RULE, 0.75)
            if year < end.year:
                text_box(slide, x, header_y, xpos(dt.date(year + 1, 1, 1)) - x, 0.3, str(year), size=12,
                         color=MUTED, align=PP_ALIGN.CENTER, bold=True)
        reform_end = as_date(self.settings.get("reform_end"))
        if reform_end and start < reform_end < end:
            x = xpos(reform_end)
            line(slide, x, header_y + 0.3, x, bottom, ACCENT, 1.25, MSO_LINE_DASH_STYLE.DASH)
            text_box(slide, x - 2.05, bottom + 0.04, 2.0, 0.25, f"Reformperioden slutter {date(reform_end)}",
                     size=9, color=ACCENT, align=PP_ALIGN.RIGHT)
        self.today_line(slide, xpos, start, end, header_y + 0.3, bottom, reform_end)
        for r, row in enumerate(rows):
            y = top + r * row_h
            if row[0] == "group":
                suffix = " (forts.)" if len(row) > 3 else f" ({row[2]})"
                text_box(slide, label_x + 0.08, y, WIDTH - 0.1, row_h, clip(row[1], 90) + suffix, size=11,
                         color=ACCENT, bold=True, anchor=MSO_ANCHOR.MIDDLE, name=TIMELINE_GROUP)
            elif row[0] == "pilot":
                pilot: Pilot = row[1]
                text_box(slide, label_x + 0.25, y, label_w - 0.25, row_h, clip(pilot.name, 50), size=10,
                         anchor=MSO_ANCHOR.MIDDLE, name=TIMELINE_PILOT)
                label = pilot.status + (" · forsøk" if pilot.forsok else "")
                self.bar(slide, pilot.start, pilot.end, y, row_h, pilot.status, label, xpos, x1, x2)
            else:
                _, agency, pilots = row
                text_box(slide, label_x + 0.08, y, label_w, row_h, clip(agency, 44), size=11, color=ACCENT,
                         bold=True, anchor=MSO_ANCHOR.MIDDLE, name=TIMELINE_AGENCY)
                dated = [p for p in pilots if p.start and p.end]
                if dated:
                    under_way = sum(p.status in self.counting_statuses for p in pilots)
                    status = "Pågår" if under_way else "Planlagt"
                    self.bar(slide, min(p.start for p in dated), max(p.end for p in dated), y, row_h, status,
                             f"{plural(len(pilots), 'pilot', 'piloter')}, {number(under_way)} pågår/gjennomført",
                             xpos, x1, x2)

    @staticmethod
    def today_line(slide: Slide, xpos: Callable[[dt.date], float], start: dt.date, end: dt.date, top: float,
                   bottom: float, reform_end: dt.date | None) -> None:
        """Today as a dotted dark line, labelled under the rows: on its left, or on its right where that label would
        run into the reform period's (which stands on the left of its own line)."""
        today = norwegian_today()
        if not start <= today < end:
            return
        x = xpos(today)
        line(slide, x, top, x, bottom, TEXT, 1.25, MSO_LINE_DASH_STYLE.ROUND_DOT)
        width = 1.2
        beside = [x - width - 0.05, min(x + 0.05, SLIDE_WIDTH - 0.05 - width)]
        if reform_end and start < reform_end < end:
            taken = (xpos(reform_end) - 2.05, xpos(reform_end) - 0.05)
            beside.sort(key=lambda left: left < taken[1] and taken[0] < left + width)  # those apart first
        text_box(slide, beside[0], bottom + 0.04, width, 0.25, f"I dag {date(today)}", size=9, color=TEXT,
                 align=PP_ALIGN.RIGHT if beside[0] < x else PP_ALIGN.LEFT, name=TIMELINE_TODAY)

    def bar(self, slide: Slide, start: dt.date | None, end: dt.date | None, y: float, row_h: float, status: str,
            label: str, xpos: Callable[[dt.date], float], x1: float, x2: float) -> None:
        """A bar styled by status, its label inside when it fits, else beside it (right, then left)."""
        if not (start and end):
            return
        bx = xpos(start)
        bw = max(0.05, xpos(end + dt.timedelta(days=1)) - bx)
        bh = row_h * 0.56
        by = y + (row_h - bh) / 2
        if status in self.counting_statuses:
            rect(slide, bx, by, bw, bh, fill=ACCENT, line=ACCENT)
            inside = WHITE
        elif status == "Avbrutt":
            rect(slide, bx, by, bw, bh, fill=WHITE, line=MID_GREY, dash=MSO_LINE_DASH_STYLE.DASH)
            inside = TEXT
        else:
            rect(slide, bx, by, bw, bh, fill=ACCENT_LIGHT, line=ACCENT)
            inside = ACCENT
        label_w = 0.07 * len(label) + 0.1
        if bw >= label_w + 0.2:
            text_box(slide, bx + 0.1, y, bw - 0.2, row_h, label, size=9, color=inside, anchor=MSO_ANCHOR.MIDDLE)
        elif bx + bw + 0.08 + label_w <= x2:
            text_box(slide, bx + bw + 0.08, y, label_w, row_h, label, size=9, color=MUTED, anchor=MSO_ANCHOR.MIDDLE)
        elif bx - 0.08 - label_w >= x1:
            text_box(slide, bx - 0.08 - label_w, y, label_w, row_h, label, size=9, color=MUTED,
                     align=PP_ALIGN.RIGHT, anchor=MSO_ANCHOR.MIDDLE)
        else:
            text_box(slide, bx + 0.08, y, bw - 0.16, row_h, label, size=9, color=inside, anchor=MSO_ANCHOR.MIDDLE)

    def detail_slides(self) -> None:
        """A slide per pilot when there are few, otherwise slides per agency."""
        if not self.pilots:
            return
        if len(self.pilots) <= PILOT_SLIDES_UP_TO:
            for pilot in self.pilots:
                self.pilot_slide(pilot)
            return
        by_agency: dict[str, list[Pilot]] = {}
        for p in self.pilots:
            by_agency.setdefault(p.agency, []).append(p)
        slides = sum(math.ceil(len(pilots) / AGENCY_TABLE_ROWS) for pilots in by_agency.values())
        if slides > DETAIL_SLIDES_UP_TO:
            self.details_left_out(len(by_agency), slides)
            return
        for agency, pilots in by_agency.items():
            self.agency_slides(agency, pilots)

    def details_left_out(self, agencies: int, slides: int) -> None:
        """In place of the slides per agency, when they would be too many: where the plans are instead."""
        slide = self.slide("Planene per virksomhet", f"{plural(agencies, 'virksomhet', 'virksomheter')} og "
                                                     f"{plural(len(self.pilots), 'plan', 'planer')} i utvalget")
        text_box(slide, LEFT, BODY_TOP + 0.4, WIDTH, 2.4, [
            f"En tabell per virksomhet ville blitt {number(slides)} lysark, for mange til en presentasjon.",
            f"Velg færre virksomheter i filteret i Pilotoversikt, så kommer tabellene med: det er plass til "
            f"{DETAIL_SLIDES_UP_TO} lysark med inntil {AGENCY_TABLE_ROWS} planer på hvert.",
            "Alle planene står i Excel-uttrekket (arket Piloter) og på sidene Virksomheter og Planer.",
        ], size=16, color=TEXT, space_after=12, name=DETAILS_LEFT_OUT)

    def agency_slides(self, agency: str, pilots: list[Pilot]) -> None:
        """An agency's plans as a table (over several slides if needed), its reporting and its milestones."""
        total = sum(p.budget for p in pilots)
        forsok = sum(p.forsok for p in pilots)
        ministry = self.ministry_of.get(agency) or ""
        if ministry in self.ministry_names:
            self.abbreviations[ministry] = self.ministry_names[ministry]
        lede_parts = [ministry, plural(len(pilots), "pilot", "piloter"), f"samlet budsjett {kr_short(total)}",
                      plural(forsok, "forsøk", "forsøk") if forsok else "ingen forsøk"]
        lede = " · ".join(part for part in lede_parts if part)
        chunks = [pilots[i:i + AGENCY_TABLE_ROWS] for i in range(0, len(pilots), AGENCY_TABLE_ROWS)]
        reports = self.reporting[self.reporting["agency"] == agency]
        for i, chunk in enumerate(chunks, 1):
            title = agency if len(chunks) == 1 else f"{agency} ({i} av {len(chunks)})"
            slide = self.slide(title, lede)
            rows = [[clip(p.name, 70), str(p.start_year), p.status, p.period, kr(p.budget),
                     "Ja" if p.forsok else "Nei", p.elements_text] for p in chunk]
            table(slide, LEFT, BODY_TOP + 0.1, [3.4, 1.0, 1.3, 2.2, 1.5, 0.8, 1.9],
                  ["Pilot", "Oppstart", "Status", "Periode", "Budsjett", "Forsøk", "Elementer"], rows,
                  size=11, row_height=0.46, align=["l", "l", "l", "l", "r", "l", "l"],
                  description=f"Tabell: pilotene til {agency} med status, periode, budsjett, forsøk og elementer.")
            notes = []
            for report in reports.to_dict("records"):
                state = report["reporting_state"]
                when = as_date(report["submitted_on"])
                detail = (f"levert {date(when)} ({state.lower()})" if when else
                          f"ikke levert ennå, {deadline_text(report['deadline'])}" if state == queries.OPEN
                          else "ikke levert")
                notes.append(f"oppstart {int(report['start_year'])}: {detail}")
            y = BODY_TOP + 0.1 + 0.4 + 0.46 * len(chunk) + 0.3
            if notes:
                text_box(slide, LEFT, min(y, BODY_BOTTOM - 0.3), WIDTH, 0.3, "Rapportering – " + "; ".join(notes),
                         size=12, color=MUTED)
                y += 0.5
            if i == len(chunks):
                self.agency_milestones(slide, agency, y)

    def agency_milestones(self, slide: Slide, agency: str, y: float) -> None:
        """The agency's milestones and phases, as many as fit under the table: where not all fit, each pilot's first
        in turn (the three that fitted of Statsbygg's twenty were one pilot's, the other four had none), in date
        order."""
        stones = self.milestones[self.milestones["agency"] == agency]
        room = int((BODY_BOTTOM - y) / 0.25) - 1  # lines of 12 pt with 2 pt after: 0.23 in each
        if stones.empty or room < 2:
            return
        records = stones.to_dict("records")  # in date order
        if len(records) <= room:
            shown = records
        else:  # a milestone's turn: how many of its pilot's come before it
            turn = stones.groupby(["start_year", "pilot_name"], sort=False).cumcount()
            chosen = turn.sort_values(kind="stable").index[: room - 1]
            shown = stones.loc[stones.index.isin(chosen)].to_dict("records")
        paragraphs: list[Sequence[Run]] = [[("Milepæler og faser", {"bold": True, "color": ACCENT, "size": 13})]]
        for m in shown:
            when = date(as_date(m["from_date"]))
            if as_date(m["to_date"]):
                when += f"–{date(as_date(m['to_date']))}"
            paragraphs.append([(f"{when}   ", {"color": MUTED}),
                               (f"{clip(m['name'], 50)} ({clip(m['pilot_name'], 50)})", {})])
        if len(shown) < len(records):
            paragraphs.append([(f"… og {number(len(records) - len(shown))} til {on_sheet(MILESTONES.sheet)}",
                                {"color": MUTED})])
        text_box(slide, LEFT, y, WIDTH, BODY_BOTTOM - y, paragraphs, size=12, space_after=2)

    def pilot_slide(self, pilot: Pilot) -> None:
        """One pilot: key facts in a table, problem, goals, evaluation and milestones beside it."""
        slide = self.slide(pilot.name, f"{pilot.agency} · oppstartsår {pilot.start_year}")
        forsok = "Ja" + (f" – {clip(pilot.exemption_rules, 60)}" if pilot.exemption_rules else "") \
            if pilot.forsok else "Nei"
        missing = pilot.missing_elements
        facts = [
            ["Status", pilot.status],
            ["Periode", pilot.period],
            ["Budsjett totalt", kr(pilot.budget)],
            ["Innenfor gjeldende rammer", pilot.within_frame or "–"],
            ["Forsøk (unntak fra regelverk)", forsok],
            ["Tillitsrelasjon", pilot.trust_relation or "–"],
            ["Elementer dekket", f"{sum(pilot.covered)} av 6"],
            ["Mangler", elements_named(missing) if missing else "–"],
        ]
        table(slide, LEFT, BODY_TOP + 0.1, [2.5, 3.3], ["Nøkkeltall", ""], facts, size=12, row_height=0.44,
              bold_first_column=True, description=f"Tabell: nøkkeltall for piloten {pilot.name}.")
        x, w = 7.0, RIGHT - 7.0
        paragraphs: list[Sequence[Run]] = []
        for heading, body, limit in (("Problem", pilot.problem, 260), ("Mål", pilot.goals, 220),
                                     ("Evaluering", pilot.evaluation, 200)):
            paragraphs.append([(heading, {"bold": True, "color": ACCENT, "size": 13,
                                          "space_before": 10 if paragraphs else 0})])
            if body:
                paragraphs.append([(clip(body, limit), {})])
            else:
                paragraphs.append([("Ikke beskrevet i planen", {"italic": True, "color": MUTED})])
        stones = self.milestones[(self.milestones["agency"] == pilot.agency)
                                 & (self.milestones["pilot_name"] == pilot.name)
                                 & (self.milestones["start_year"] == pilot.start_year)]
        if not stones.empty:
            paragraphs.append([("Milepæler", {"bold": True, "color": ACCENT, "size": 13, "space_before": 10})])
            shown = stones.head(4).to_dict("records")
            for m in shown:
                when = date(as_date(m["from_date"]))
                if as_date(m["to_date"]):
                    when += f"–{date(as_date(m['to_date']))}"
                paragraphs.append([(f"{when}  {clip(m['name'], 50)}", {})])
            if len(stones) > len(shown):
                paragraphs.append([(f"… og {number(len(stones) - len(shown))} til {on_sheet(MILESTONES.sheet)}",
                                    {"color": MUTED})])
        text_box(slide, x, BODY_TOP + 0.1, w, BODY_BOTTOM - BODY_TOP - 0.1, paragraphs, size=12, space_after=4)

    def element_slides(self) -> None:
        """The ✓/– matrix of the letter's six elements per plan, MATRIX_ROWS plans per slide."""
        pilots = sorted(self.pilots, key=lambda p: (p.agency, p.name))
        full = sum(all(p.covered) for p in pilots)
        # «7 av 7 dekker alle seks» read aloud before the next slide's «1 av 7 sier ingenting om evaluering»
        silent = sum(all(p.covered) and not p.describes_evaluation for p in pilots)
        summary = (f"{number(full)} av {plural(len(pilots), 'plan', 'planer')} dekker alle seks elementene i brevet"
                   + (f", men {number(silent)} av dem sier ingenting om evaluering" if silent else "") + ".")
        lede = f"{summary} ✓ = dekket, – = ikke dekket" if pilots else ""
        if len(pilots) > MATRIX_PLANS_UP_TO:
            self.element_counts(summary)
            return
        chunks = [pilots[i:i + MATRIX_ROWS] for i in range(0, len(pilots), MATRIX_ROWS)] or [[]]
        for i, chunk in enumerate(chunks, 1):
            title = "Elementene i planene" + (f" ({i} av {len(chunks)})" if len(chunks) > 1 else "")
            slide = self.slide(title, lede)
            if not chunk:
                self.empty_note(slide, "Ingen piloter i utvalget.")
                continue
            header = ["Virksomhet", "Pilot", *(f"{e.number} {ELEMENT_SHORT[e.number]}" for e in ELEMENTS), "Sum"]
            # the plan's name as long as the row allows: «Tillitsbasert samhandling med kommunene om…» lost its subject
            rows = [[self.short(p.agency), clip(p.name, 52), *element_marks(p.covered, p.describes_evaluation),
                     f"{sum(p.covered)}/6"] for p in chunk]
            widths = [2.0, 4.1, *([0.9] * 6), 0.6]  # 0.9: «evaluering» whole in the header
            frame = table(slide, LEFT, BODY_TOP + 0.05, widths, header, rows, size=11, row_height=0.3,
                          header_height=0.55, header_size=10, align=["l", "l", *(["c"] * 6), "r"],
                          description="Tabell: hvilke av brevets seks elementer hver plan dekker "
                                      "(✓ dekket, – ikke dekket).")
            frame.name = MATRIX_TABLE
            names = " · ".join(f"{e.number} {e.name}" for e in ELEMENTS)
            # ✓ under 6 for a plan that «Til oppfølging» lists as saying nothing of evaluation read as a contradiction
            documented_only = sum(p.covered[5] and not p.describes_evaluation for p in chunk)
            notes = [f"Elementene: {names}"] + ([
                f"{DOCUMENTED_ONLY} under 6: dekket fordi «Dokumentasjon av funn» er fylt ut, men planen sier "
                f"ingenting om evaluering og gevinstmåling ({plural(documented_only, 'plan', 'planer')} her; se "
                "«Til oppfølging»)."] if documented_only else [])
            text_box(slide, LEFT, BODY_BOTTOM - 0.45, WIDTH, 0.5, notes, size=9, color=MUTED,  # clear of the footer
                     anchor=MSO_ANCHOR.BOTTOM)

    def element_counts(self, lede: str) -> None:
        """In place of the matrix per plan, when there are too many plans: how many plans cover each element."""
        slide = self.slide("Elementene i planene", lede)
        count = len(self.pilots)
        # a share is rounded down: 19 999 of 20 000 is not «100 %»
        rows = [[f"{e.number} {e.name}", number(covered), percent(math.floor(100 * covered / count) / 100)]
                for e, covered in zip(ELEMENTS, (sum(p.covered[i] for p in self.pilots) for i in range(len(ELEMENTS))))]
        frame = table(slide, LEFT, BODY_TOP + 0.1, [7.5, 2.6, 1.4], ["Element i brevet", "Planer som dekker det",
                                                                     "Andel"],
                      rows, size=14, row_height=0.5, align=["l", "r", "r"],
                      description="Tabell: hvor mange av planene som dekker hvert av brevets seks elementer.")
        frame.name = ELEMENT_COUNTS
        silent = sum(not p.describes_evaluation for p in self.pilots)
        # Element 6 counts documentation too: without this, «97 % dekker 6» and «20 % sier ingenting om evaluering»
        # on the next slide read as a contradiction (exploratory test at L).
        evaluation = (f" Element 6 regnes som dekket også når bare «Dokumentasjon av funn» er fylt ut: "
                      f"{plural(silent, 'plan', 'planer')} sier ingenting om evaluering og gevinstmåling."
                      if silent else "")
        text_box(slide, LEFT, BODY_TOP + 0.4 + 0.5 * (len(rows) + 1), WIDTH, 0.9,
                 f"Matrisen per plan kommer med når utvalget har høyst {MATRIX_PLANS_UP_TO} planer. Siden Planer i "
                 f"Pilotoversikt viser den for alle.{evaluation}", size=12, color=MUTED)

    def follow_up_slide(self) -> None:
        """«Til oppfølging»: plans without evaluation or missing elements, forsøk, late and missing reports."""
        slide = self.slide("Til oppfølging", "Det som mangler i planene og i rapporteringen")
        column_w = (WIDTH - 0.5) / 2
        for i, (heading, paragraphs, empty) in enumerate((
                ("Planene", self.plan_gaps(), "Alle planene dekker de seks elementene og beskriver evaluering."
                 if self.pilots else "Ingen piloter i utvalget."),
                ("Rapporteringen", self.reporting_gaps(), "Alle forespurte har levert i tide."))):
            x = LEFT + i * (column_w + 0.5)
            text_box(slide, x, BODY_TOP + 0.1, column_w, 0.4, heading, size=18, color=ACCENT, bold=True)
            line(slide, x, BODY_TOP + 0.55, x + column_w, BODY_TOP + 0.55, ACCENT, 1.0)
            body = paragraphs or [[(empty, {"color": MUTED})]]
            text_box(slide, x, BODY_TOP + 0.7, column_w, BODY_BOTTOM - BODY_TOP - 0.7, body, size=13, space_after=4)

    def plan_gaps(self) -> list[Sequence[Run]]:
        """The follow-up's plans column: no evaluation (as the Planer page counts it), other gaps, forsøk."""
        items: list[Sequence[Run]] = []
        no_eval = [p for p in self.pilots if not p.describes_evaluation]
        others = [p for p in self.pilots if p.gaps_besides_evaluation]
        forsok = [p for p in self.pilots if p.forsok and p.status != "Avbrutt"]  # a cancelled one needs no follow-up
        if no_eval:
            share = f"{number(len(no_eval))} av {plural(len(self.pilots), 'plan', 'planer')}"
            items.append([("• ", BULLET), (f"{share} sier ingenting om evaluering og gevinstmåling:", {"bold": True})])
            items += self.items([f"{clip(p.name, PLAN_IN_LIST_CHARS)} ({self.short(p.agency)})" for p in no_eval], 6,
                                PILOTS.sheet)
        if others:
            items.append([("• ", BULLET), (f"{plural(len(others), 'plan', 'planer')} mangler "
                                           f"{'andre ' if no_eval else ''}elementer:", {"bold": True})])
            items += self.items([f"{clip(p.name, PLAN_IN_LIST_CHARS)} ({self.short(p.agency)}): mangler "
                                 f"{elements_named(p.gaps_besides_evaluation)}" for p in others], 4,  # long lines
                                PILOTS.sheet)
        if forsok:
            items.append([("• ", BULLET), (f"{plural(len(forsok), 'forsøk', 'forsøk')} krever unntak fra lov eller "
                                           "forskrift – følg opp søknadene om unntak", {"bold": True})])
        return items

    def reporting_gaps(self) -> list[Sequence[Run]]:
        """The follow-up's right column: asked agencies that delivered late or not at all."""
        items: list[Sequence[Run]] = []
        report = self.reporting
        asked = report[report["was_asked"].astype(bool)] if not report.empty else report
        late = asked[asked["reporting_state"] == "For sent"].to_dict("records") if not asked.empty else []
        missing = asked[asked["reporting_state"] == "Ikke levert"].to_dict("records") if not asked.empty else []
        if late:
            items.append([("• ", BULLET), (f"Levert for sent ({number(len(late))}):", {"bold": True})])
            items += self.items([f"{self.short(r['agency'])} – oppstart {int(r['start_year'])}, levert "
                                 f"{date(as_date(r['submitted_on']))} (frist {date(as_date(r['deadline']))})"
                                 for r in late], 5, SUBMISSIONS_SHEET)
        if missing:
            by_agency: dict[str, list[int]] = {}
            for r in missing:
                by_agency.setdefault(r["agency"], []).append(int(r["start_year"]))
            due = asked[asked["reporting_state"] != queries.OPEN]  # a round still open has nobody behind yet
            of = "forespurte" if len(due) == len(asked) else "forespurte med frist ute"
            items.append([("• ", BULLET), (f"Ikke levert ({number(len(missing))} av {number(len(due))} {of}):",
                                           {"bold": True})])
            unregistered = sum(not r.get("letter_registered") for r in missing)
            # as many as the column has room for: «… og 3 til på arket Innsendinger» sent the audience to a workbook
            # it did not have, above half a column left empty
            room = FOLLOW_UP_LINES - len(items) - 1 - (2 if unregistered else 0)
            items += self.items([f"{self.short(a)} – oppstart {join_words([str(y) for y in sorted(ys)])}"
                                 for a, ys in by_agency.items()], max(7, room), SUBMISSIONS_SHEET)
            if unregistered:  # as Oversikt says it: a leader could chase an agency that was never asked
                items.append([(f"{number(unregistered)} av dem har ikke brevet registrert i registeret over "
                               "forespørsler: kontroller at de ble bedt om å rapportere",
                               {"size": 12, "color": MUTED, "hang": (SUB_ITEM_HANG[0], 0)})])
        return items

    @staticmethod
    def items(texts: list[str], limit: int, sheet: str) -> list[Sequence[Run]]:
        """Indented sub-items, at most limit, then «… og N til» and the workbook's sheet that has them all."""
        shown = texts if len(texts) <= limit else texts[: limit - 1]
        out: list[Sequence[Run]] = [[("– " + t, {"size": 12, "hang": SUB_ITEM_HANG})] for t in shown]
        if len(shown) < len(texts):
            out.append([(f"… og {number(len(texts) - len(shown))} til {on_sheet(sheet)}",
                         {"size": 12, "color": MUTED, "hang": (SUB_ITEM_HANG[0], 0)})])
        return out

    def build(self) -> bytes:
        """Every slide in order, the footers, the file's properties; the .pptx as bytes."""
        self.title_slide()
        self.ambition_slide()
        self.reporting_slide()
        self.no_plans_slide()
        if self.pilots:  # else three slides said «Ingen piloter i utvalget.»; the ambition slide says it once
            self.budget_slide()
            self.timeline_slides()
            self.detail_slides()
            self.element_slides()
        self.follow_up_slide()
        self.abbreviations_key()
        self.footers()
        props = self.prs.core_properties
        props.title = clip(f"Piloter i tillitsreformen – {filter_text(self.f)}", 255)  # the most a .pptx holds
        props.language = "nb-NO"
        props.subject = source_line(self.when)
        app_properties(self.prs)
        out = io.BytesIO()
        self.prs.save(out)
        return out.getvalue()


def build_deck(con: duckdb.DuckDBPyConnection, f: PilotFilter) -> bytes:
    """The deck for this filter, as .pptx bytes."""
    return _Deck(con, f).build()
