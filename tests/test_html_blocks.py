"""The overview's HTML charts and tables: bar lengths, labels, screen-reader text, escaping."""

from __future__ import annotations

import io
import re

import pandas as pd

from ui import html_blocks
from ui.formatting import NBSP


def widths(html: str) -> list[float]:
    """The widths (in % of the track) of the bar segments, in order."""
    return [float(w) for w in re.findall(r'class="po-seg" style="left:[\d.]+%;width:([\d.]+)%', html)]


def test_the_ambition_bar_is_as_long_as_the_counts_on_a_scale_that_holds_the_band():
    html = html_blocks.ambition_bar(counted=3, planned=1, band=(3, 5))
    # The scale runs to one past the band (6): 3 counted is half of it, 1 planned a sixth.
    assert widths(html) == [50.0, 16.667]
    band = re.search(r'class="po-band" style="left:([\d.]+)%;width:([\d.]+)%', html)
    assert (float(band[1]), float(band[2])) == (50.0, 33.333)  # from the axis' 3 to its 5
    assert 'aria-label="3 piloter i gang eller gjennomført og 1 planlagt, mot ambisjonen 3–5 piloter"' in html


def test_the_ambition_scale_grows_with_the_pipeline_and_never_shows_thousands_of_ticks():
    html = html_blocks.ambition_bar(counted=12_000, planned=8_000, band=(3, 5))
    ticks = re.findall(r'class="po-tick"[^>]*>([^<]+)<', html)
    assert ticks[0] == "0" and ticks[-1] == f"20{NBSP}000" and len(ticks) <= 9
    assert sum(widths(html)) < 100  # the bar ends inside its track


def test_a_segment_too_narrow_for_its_label_keeps_it_as_a_tooltip_and_in_the_screen_reader_text():
    counts = pd.DataFrame({"I tide": [150], "For sent": [2], "Ikke levert": [48]}, index=pd.Index([2024]))
    html = html_blocks.reporting_bars(counts)
    assert ">150 i tide<" in html and ">2 for sent<" not in html
    assert 'title="2 for sent"' in html
    assert "Oppstart 2024: 150 i tide, 2 for sent, 48 ikke levert" in html


def test_reporting_counts_have_every_state_in_order_even_when_none_are_late():
    status = pd.DataFrame({
        "start_year": [2023, 2023, 2024, 2024],
        "agency": ["A", "B", "A", "C"],
        "was_asked": [True, True, True, False],
        "submitted_on": [pd.Timestamp("2023-08-01"), None, pd.Timestamp("2023-10-01"), None],
        "reporting_state": ["I tide", "Ikke levert", "I tide", "Ikke levert"],
    })
    counts = html_blocks.reporting_counts(status)
    # C was neither asked nor reported in 2024, so it is not counted.
    assert counts.to_dict("index") == {2023: {"I tide": 1, "For sent": 0, "Ikke levert": 1},
                                       2024: {"I tide": 1, "For sent": 0, "Ikke levert": 0}}


def test_an_agency_that_reported_unasked_is_counted_apart_and_keeps_its_round():
    status = pd.DataFrame({
        "start_year": [2023, 2023, 2025],
        "agency": ["A", "D", "D"],
        "was_asked": [True, False, False],
        "submitted_on": [None, pd.Timestamp("2023-08-01"), pd.Timestamp("2024-08-01")],
        "reporting_state": ["Ikke levert", "I tide", "I tide"],
    })
    counts = html_blocks.reporting_counts(status)
    assert counts.to_dict("index") == {2023: {"I tide": 0, "For sent": 0, "Ikke levert": 1},
                                       2025: {"I tide": 0, "For sent": 0, "Ikke levert": 0}}
    assert html_blocks.unasked_counts(status, counts.index).to_dict() == {2023: 1, 2025: 1}


def test_a_table_shows_names_as_written_never_as_markup():
    df = pd.DataFrame({"Virksomhet": ["<b>Kartverket</b>", "*Husbanken*"], "Piloter": [1500, 2]})
    html = html_blocks.table(df, caption="Til oppfølging")
    assert "<b>Kartverket</b>" not in html and "&lt;b&gt;Kartverket&lt;/b&gt;" in html
    read = pd.read_html(io.StringIO(html))[0]
    assert read["Virksomhet"].tolist() == ["<b>Kartverket</b>", "*Husbanken*"]
    assert f'<td class="po-num">1{NBSP}500</td>' in html  # Norwegian thousands, right-aligned
    assert "<caption>Til oppfølging</caption>" in html


def test_a_missing_value_in_a_table_is_a_dash():
    html = html_blocks.table(pd.DataFrame({"Innsendt": [None], "Beløp": [float("nan")]}))
    assert html.count("<td") == 2 and html.count(">–</td>") == 2


def test_key_figures_show_label_and_value_as_written_with_the_help_on_a_button_read_out():
    html = html_blocks.key_figures([html_blocks.Figure("Budsjett, mill. kr", "28,3", "Sum av <b>totalene</b>"),
                                    html_blocks.Figure("Planlagt", "4")])
    cards = re.findall(r'<div class="po-figure" role="group" aria-label="([^"]+)">'
                       r'<div class="po-figure-label">(.*?)</div><div class="po-figure-value">([^<]+)</div>', html)
    labels = [(aria, re.sub(r"<button.*?</button>|<[^>]+>", "", label), value) for aria, label, value in cards]
    # the unit is kept on one line («mill.» above a lone «kr» at 980 and 1160 px); read out with a plain space
    assert labels == [("Budsjett, mill. kr", "Budsjett, mill.\u00a0kr", "28,3"), ("Planlagt", "Planlagt", "4")]
    # the «?» stays on the line of the label's last word: in a narrow card it went alone onto a line of its own
    assert re.search(r'<span class="po-figure-last">mill\.\u00a0kr<button[^>]*class="po-help"', cards[0][1])
    assert "<b>" not in html  # the help is text, never markup
    assert 'data-help="Sum av &lt;b&gt;totalene&lt;/b&gt;"' in html  # shown on hover and keyboard focus
    assert 'aria-label="Forklaring: Sum av &lt;b&gt;totalene&lt;/b&gt;">?</button>' in html  # read out
    assert html.count('class="po-help"') == 1  # no «?» for a figure without help


def test_a_key_figure_counted_against_a_whole_shows_the_whole_smaller_after_it():
    # «400 av 400» in the value's size ran out of its card at 1180 px
    html = html_blocks.key_figures([html_blocks.Figure("Innsendinger", "400", of="av 400")])
    assert '<div class="po-figure-value">400 <span class="po-figure-of">av 400</span></div>' in html
    assert re.search(r"\.po-figure-of \{ font-size: 1\.25rem; \}", html_blocks.STYLE)


def test_a_narrow_reporting_segment_is_labelled_with_its_number_alone():
    # «34 for sent» in a sixth of a half-width bar was cut to «3…»; the legend and the title keep the words
    counts = pd.DataFrame({"I tide": [166], "For sent": [34], "Ikke levert": [0]}, index=pd.Index([2023]))
    html = html_blocks.reporting_bars(counts)
    assert ">166 i tide<" in html and ">34<" in html and 'title="34 for sent"' in html


def test_a_date_span_in_a_table_stays_on_one_line_and_a_long_text_wraps():
    # Oversikt's «Viktige datoer»: «01.09.–30.11.2023» broke after its dash in the narrow right-hand column
    html = html_blocks.table(pd.DataFrame({"Dato": ["01.09.–30.11.2023"], "Hva": ["Seminar om tillitsreformen i KDD"]}))
    assert '<td class="po-short">01.09.–30.11.2023</td>' in html
    assert "<td>Seminar om tillitsreformen i KDD</td>" in html


def test_a_round_of_thousands_of_agencies_is_counted_with_norwegian_thousands_separators():
    # the whole state's rounds (issue 5): «1200 i alt» read as a year beside «Oppstart 2024»
    counts = pd.DataFrame({"I tide": [1_150], "For sent": [40], "Ikke levert": [10]}, index=pd.Index([2024]))
    html = html_blocks.reporting_bars(counts)
    assert f">1{NBSP}200 i alt<" in html
    assert f">1{NBSP}150 i tide<" in html
    assert f"Oppstart 2024: 1{NBSP}150 i tide, 40 for sent, 10 ikke levert" in html
