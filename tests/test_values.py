"""Cell values as people write them: every accepted and rejected form of the contract's table."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from loaders.values import (
    ValueProblem,
    cell_parser,
    parse_amount,
    parse_choice,
    parse_date,
    parse_end_date,
    parse_list,
    parse_number,
    parse_text,
    parse_year,
    parse_yes_no,
    shown,
)

# ---------------------------------------------------------------------------------------------
# Ja/Nei


@pytest.mark.parametrize("written", ["Ja", "ja", "JA", "j", "J", "yes", "YES", "true", "True", "1", "x", "X",
                                     " ja ", 1, 1.0, True])
def test_yes_no_reads_every_way_of_writing_ja_as_true(written):
    assert parse_yes_no(written) is True


@pytest.mark.parametrize("written", ["Nei", "nei", "NEI", "n", "N", "no", "No", "false", "FALSE", "0", 0, 0.0, False])
def test_yes_no_reads_every_way_of_writing_nei_as_false(written):
    assert parse_yes_no(written) is False


@pytest.mark.parametrize("blank", [None, "", "   ", float("nan")])
def test_yes_no_reads_a_blank_cell_as_no_answer(blank):
    assert parse_yes_no(blank) is None


@pytest.mark.parametrize("written", ["kanskje", "jo", "nja", "2", 2, "ja takk"])
def test_yes_no_rejects_kanskje_and_other_answers_saying_ja_or_nei_was_expected(written):
    with pytest.raises(ValueProblem) as problem:
        parse_yes_no(written)
    assert "Ja eller Nei" in problem.value.expected


# ---------------------------------------------------------------------------------------------
# Dates


@pytest.mark.parametrize(("written", "expected"), [
    (dt.datetime(2023, 10, 31, 0, 0), dt.date(2023, 10, 31)),   # an Excel date cell (read as datetime)
    (dt.date(2023, 10, 31), dt.date(2023, 10, 31)),
    ("31.10.2023", dt.date(2023, 10, 31)),
    ("1.3.2024", dt.date(2024, 3, 1)),
    ("01.03.2024", dt.date(2024, 3, 1)),
    ("2024-03-01", dt.date(2024, 3, 1)),
    ("2024-03-01 00:00:00", dt.date(2024, 3, 1)),
    ("1. mars 2024", dt.date(2024, 3, 1)),
    ("1. Mars 2024", dt.date(2024, 3, 1)),
    ("15. desember 2024", dt.date(2024, 12, 15)),
    ("1. okt. 2023", dt.date(2023, 10, 1)),
    ("mars 2024", dt.date(2024, 3, 1)),
    ("MARS 2024", dt.date(2024, 3, 1)),
    ("august 2023", dt.date(2023, 8, 1)),
    (" 31.10.2023 ", dt.date(2023, 10, 31)),
    ("31.10.23", dt.date(2023, 10, 31)),   # as people type them, and as Excel saves some date formats to CSV
    ("1.1.24", dt.date(2024, 1, 1)),
    ("31/10/2023", dt.date(2023, 10, 31)),
    ("31/10/23", dt.date(2023, 10, 31)),
    ("31-10-2023", dt.date(2023, 10, 31)),
    ("31.10.2023 00:00", dt.date(2023, 10, 31)),
    ("31.10.2023 14:30:00", dt.date(2023, 10, 31)),
    ("tirsdag 31. oktober 2023", dt.date(2023, 10, 31)),
    ("tirsdag 31.10.2023", dt.date(2023, 10, 31)),
    ("31.okt.2023", dt.date(2023, 10, 31)),
    (45352, dt.date(2024, 3, 1)),          # a date cell that lost its date format: Excel's serial number
    (45352.0, dt.date(2024, 3, 1)),
])
def test_date_accepts_the_forms_of_the_contract(written, expected):
    assert parse_date(written) == expected


@pytest.mark.parametrize("written", ["31.13.2023", "32.10.2023", "29.02.2023", "2024-02-30", "snart",
                                     "Q1 2024", "1. marsj 2024", "10/31/2023", "31.10/2023", "31.10.023",
                                     "neste år", "29.02.23", "31/04/2023", "24-03-01", "31.12.99",
                                     "desember 9999", "des. 9999"])
def test_date_rejects_impossible_dates_and_words_saying_what_a_date_looks_like(written):
    with pytest.raises(ValueProblem) as problem:
        parse_date(written)
    assert "31.10.2023" in problem.value.expected
    assert "mars 2024" in problem.value.expected


@pytest.mark.parametrize(("written", "days"), [("31.02.2024", "februar 2024 har 29 dager"),
                                               ("29.02.2023", "februar 2023 har 28 dager"),
                                               ("31. april 2024", "april 2024 har 30 dager"),
                                               ("2024-06-31", "juni 2024 har 30 dager")])
def test_a_day_its_month_does_not_have_is_named(written, days):
    # «31.02.2024» got only «forventet en dato som 31.10.2023 …», as if the form of it were wrong
    with pytest.raises(ValueProblem) as problem:
        parse_date(written)
    assert problem.value.expected.endswith(f"({days})")


@pytest.mark.parametrize("written", [2024, 2024.0, 1032024, 20240301])
def test_date_rejects_a_plain_number_that_is_no_plausible_date_instead_of_inventing_one(written):
    # 2024 as an Excel serial would be 16.07.1905; 1032024 would be a day in the year 4725
    with pytest.raises(ValueProblem):
        parse_date(written)


@pytest.mark.parametrize(("written", "expected"), [("desember 2024", dt.date(2024, 12, 31)),
                                                   ("februar 2024", dt.date(2024, 2, 29)),
                                                   ("feb. 2025", dt.date(2025, 2, 28)),
                                                   ("15. desember 2024", dt.date(2024, 12, 15)),
                                                   ("31.10.2023", dt.date(2023, 10, 31))])
def test_a_month_alone_ends_a_period_on_its_last_day(written, expected):
    # «desember 2024» as a Sluttdato was 01.12.2024: a milestone on 15.12.2024 fell after the pilot's end
    assert parse_end_date(written) == expected
    assert parse_date(written) == (expected.replace(day=1) if written[0].isalpha() else expected)


@pytest.mark.parametrize("written", ["desember 9999", "des. 9999", "31.12.99"])
def test_an_end_date_far_out_is_refused_naming_the_dates_a_plan_can_hold(written):
    # «desember 9999» as a Sluttdato raised OverflowError (a traceback) when its last day was worked out
    with pytest.raises(ValueProblem) as problem:
        parse_end_date(written)
    assert "mellom 01.01.2000 og 31.12.2099" in problem.value.expected


def test_date_reads_a_blank_cell_as_no_date():
    assert parse_date("  ") is None
    assert parse_date(None) is None


# ---------------------------------------------------------------------------------------------
# Amounts


@pytest.mark.parametrize(("written", "expected"), [
    (1500000, 1_500_000),
    (1500000.0, 1_500_000),
    (2500.5, 2500.5),
    ("1500000", 1_500_000),
    ("1 500 000", 1_500_000),
    ("1\u00a0500\u00a0000", 1_500_000),      # non-breaking space, as Excel writes thousands
    ("1\u202f500\u202f000", 1_500_000),      # narrow no-break space
    ("1.500.000", 1_500_000),
    ("1 500 000 kr", 1_500_000),
    ("1\u00a0500\u00a0000\u00a0kr", 1_500_000),
    ("kr 1 500 000,-", 1_500_000),
    ("kr 1 500 000", 1_500_000),
    ("1 500 000,-", 1_500_000),
    ("NOK 250000", 250_000),
    ("250000 NOK", 250_000),
    ("2,5 mill.", 2_500_000),
    ("2,5 mill", 2_500_000),
    ("2,5 millioner", 2_500_000),
    ("2,5 MNOK", 2_500_000),
    ("2,5 mnok", 2_500_000),
    ("3 MNOK", 3_000_000),
    ("1,2 mrd.", 1_200_000_000),
    ("1,2 milliarder", 1_200_000_000),
    ("1,250 mill.", 1_250_000),              # a decimal comma before three digits is still a decimal comma
    ("0,750 mill.", 750_000),
    ("0.500 mill.", 500_000),                # was 500 million: a group starting with 0 is no thousands group
    ("1.000,5 mill.", 1_000_500_000),        # a decimal comma after: the dot groups thousands
    ("2.500,75 mill.", 2_500_750_000),
    ("1.250 mill.", 1_250_000),              # was 1,25 billion: with a scale a single dot is a decimal point
    ("0.5 mill", 500_000),
    ("1.500 kr", 1_500),                     # without a scale, dots are thousands as Norwegians write them
    ("1,500,000", 1_500_000),                # English thousands
    ("1,500,000.50", 1_500_000.5),
    ("250,000 kr", 250_000),                 # kroner have no thousandths: a single group is thousands too
    ("NOK 250,000", 250_000),
    ("kr 12,500,-", 12_500),
    ("0", 0),
    ("1 500 tkr", 1_500_000),                # in thousands, as a cell formatted «# ##0 "tkr"» shows it
    ("1.500 tkr", 1_500_000),                # dots are thousands there as without a scale
    ("1 500 tusen kr", 1_500_000),
    ("250 TNOK", 250_000),
    ("1 500 kNOK", 1_500_000),
    ("1 500 000 kroner", 1_500_000),         # the word written out, as often as «kr»
    ("1,5 millioner kroner", 1_500_000),
    ("1\u00a0500\u00a0000 kroner", 1_500_000),
])
def test_amount_accepts_the_ways_people_write_kroner(written, expected):
    assert parse_amount(written) == pytest.approx(expected)


@pytest.mark.parametrize("written", [-1, -1500000.0, "-1 500 000", "kr -100", "mye", "1,5,5",
                                     "ca. 2 mill.", True,
                                     # spaces out of step with the thousands: was 15 000 000 and 150 000, unsaid
                                     "1 5000 000", "1 50 000", "1 500 00 kr", "2 5 mill."])
def test_amount_rejects_negative_amounts_and_words_saying_what_was_expected(written):
    with pytest.raises(ValueProblem) as problem:
        parse_amount(written)
    assert "kroner" in problem.value.expected
    assert "ikke negativt" in problem.value.expected


@pytest.mark.parametrize("written", ["1 500 000 euro", "€ 250 000", "250000 EUR", "$1,500", "1 500 000 danske kr",
                                     "2,5 MEUR", "250 kUSD"])
def test_amount_in_another_currency_is_refused_saying_it_must_be_kroner(written):
    with pytest.raises(ValueProblem) as problem:
        parse_amount(written)
    assert problem.value.expected.startswith("et beløp i kroner, ikke i en annen valuta")


# ---------------------------------------------------------------------------------------------
# Numbers, years, lists and choices


@pytest.mark.parametrize(("written", "expected"), [("1,5", 1.5), ("1.5", 1.5), (2, 2.0), (0.5, 0.5), (" 3 ", 3.0),
                                                   ("0,250", 0.25), ("1,125", 1.125),
                                                   ("0.500", 0.5), ("1.500", 1.5)])  # a dot is a decimal point here
def test_person_years_accept_a_decimal_comma_or_point(written, expected):
    assert parse_number(written) == expected


@pytest.mark.parametrize("written", [-1, "-0,5", "halvt", "1,5 årsverk"])
def test_person_years_reject_negative_numbers_and_words(written):
    with pytest.raises(ValueProblem) as problem:
        parse_number(written)
    assert "ikke er negativt" in problem.value.expected


@pytest.mark.parametrize(("written", "expected"), [("2024", 2024), ("2024.0", 2024), (2024, 2024), (2024.0, 2024),
                                                   (" 2025 ", 2025)])
def test_year_accepts_2024_also_as_2024_point_0_from_a_number_cell(written, expected):
    assert parse_year(written) == expected


@pytest.mark.parametrize("written", ["tjuefire", "24", "2024.5", 2024.5, "20244", "1066", True])
def test_year_rejects_words_and_non_years_saying_a_year_was_expected(written):
    with pytest.raises(ValueProblem) as problem:
        parse_year(written)
    assert "årstall" in problem.value.expected


@pytest.mark.parametrize("written", ["2150", 2150.0, 2150, "1999", 1999.0, "2100"])
def test_a_year_outside_the_span_a_plan_can_hold_is_refused_saying_the_span(written):
    with pytest.raises(ValueProblem) as problem:
        parse_year(written)
    assert problem.value.expected == "et årstall som 2024 (mellom 2000 og 2099)"
    assert parse_year(2000.0) == 2000 and parse_year("2099") == 2099


@pytest.mark.parametrize(("written", "expected"), [
    ("Digitalisering; Kompetanse", ["Digitalisering", "Kompetanse"]),
    ("Digitalisering;Kompetanse;", ["Digitalisering", "Kompetanse"]),
    ("Digitalisering\nKompetanse", ["Digitalisering", "Kompetanse"]),
    ("Digitalisering\r\nKompetanse\n\nLedelse", ["Digitalisering", "Kompetanse", "Ledelse"]),
    ("Husbanken; Kartverket\nDigdir", ["Husbanken", "Kartverket", "Digdir"]),
    ("Bare ett tema", ["Bare ett tema"]),
    ("", []),
    (None, []),
])
def test_list_splits_on_semicolons_and_line_breaks_and_drops_empty_items(written, expected):
    assert parse_list(written) == expected


@pytest.mark.parametrize(("written", "expected"), [("pågår", "Pågår"), ("PÅGÅR", "Pågår"), ("  planlagt ", "Planlagt"),
                                                   (None, "Planlagt"), ("", "Planlagt")])
def test_choice_matches_ignoring_case_and_blank_means_the_default(written, expected):
    assert parse_choice(written, ("Planlagt", "Pågår", "Gjennomført", "Avbrutt"), "Planlagt") == expected


def test_choice_rejects_a_value_outside_the_list_naming_the_allowed_values():
    with pytest.raises(ValueProblem) as problem:
        parse_choice("Kanskje", ("Ja", "Nei", "Delvis"), None)
    assert problem.value.expected == "en av: Ja, Nei, Delvis"


@pytest.mark.parametrize(("written", "expected"), [("j", "Ja"), ("x", "Ja"), ("yes", "Ja"), (True, "Ja"), (1, "Ja"),
                                                   ("n", "Nei"), (False, "Nei"), ("delvis", "Delvis")])
def test_ja_nei_delvis_takes_ja_and_nei_as_any_ja_nei_answer_is_written(written, expected):
    # «Innenfor gjeldende rammer» refused the «j» and «x» every Ja/Nei column of the form takes
    assert parse_choice(written, ("Ja", "Nei", "Delvis"), None) == expected


def test_a_choice_without_ja_and_nei_does_not_take_ja_nei_answers():
    with pytest.raises(ValueProblem):
        parse_choice("x", ("Planlagt", "Pågår", "Gjennomført", "Avbrutt"), "Planlagt")


@pytest.mark.parametrize(("cell", "expected"), [(1.5, "1,5"), (0.05, "0,05"), (12000.0, "12000"), (2024.0, "2024"),
                                                (True, "SANN")])
def test_a_number_cell_in_a_text_field_reads_as_norwegian_excel_shows_it(cell, expected):
    # «Brukere som deltar» typed as 1,5 was stored and shown as «1.5»
    assert parse_text(cell) == expected


# ---------------------------------------------------------------------------------------------
# Cell parsers: the fast paths give what the parse_* functions give, values and messages alike

SLOW_PATH = {
    "text": parse_text,
    "list": parse_list,
    "yes_no": parse_yes_no,
    "choice": lambda value: parse_choice(value, ("Planlagt", "Pågår", "Avbrutt"), "Planlagt"),
    "date": parse_date,
    "amount": parse_amount,
    "number": parse_number,
    "year": parse_year,
}
CELLS = [None, "", "   ", float("nan"), float("inf"), -float("inf"), True, False, 0, 1, 2, -1, 0.0, -0.0, 1.0, 1.5,
         -2.5, 1899.0, 1900.0, 1999.0, 2000.0, 2099.0, 2100.0, 2024.0, 2024.5, 2200.0, 2201.0, -2024.0, 20000.0,
         45000.0, 1_500_000.0, 2024, 1e300,
         dt.date(2024, 3, 1), dt.datetime(2024, 3, 1, 14, 5), "Ja", " nei ", "x", "kanskje", "pågår", "AVBRUTT ",
         "Pagar", "Planlagt", "Ferdig", "2024", " 2024 ", "2024.0", "1899", "31.10.2023", "1. mars 2024",
         "mars 2024", "2024-03-01", "snart", "32.13.2024", "1 500 000 kr", "2,5 mill.", "-5", "1,5", "mye",
         "Digitalisering", " Ledelse ", "Digitalisering; Ledelse\nKompetanse", ";", "a;;b", "\u00a0tekst\u00a0"]


def _outcome(parse, value):
    try:
        result = parse(value)
    except ValueProblem as problem:
        return ("problem", problem.expected)
    return ("value", type(result), result)


@pytest.mark.parametrize("kind", SLOW_PATH)
def test_a_cell_parser_gives_the_value_or_the_message_its_parse_function_gives(kind):
    fast = cell_parser(kind, ("Planlagt", "Pågår", "Avbrutt"), "Planlagt")
    for value in CELLS:
        expected = _outcome(SLOW_PATH[kind], value)
        assert _outcome(fast, value) == expected, value
        assert _outcome(fast, value) == expected, value  # again: now from what the parser remembers


def test_a_bad_text_is_refused_every_time_not_remembered_as_a_value():
    parse = cell_parser("yes_no")
    for _ in range(3):
        with pytest.raises(ValueProblem, match="Ja eller Nei"):
            parse("kanskje")
    assert parse("Ja") is True


def test_a_list_cell_gives_a_new_list_each_time_even_for_a_text_seen_before():
    parse = cell_parser("list")
    first = parse("Digitalisering; Ledelse")
    first.append("Endret av den som fikk listen")
    assert parse("Digitalisering; Ledelse") == ["Digitalisering", "Ledelse"]


@pytest.mark.parametrize("value", ["12345678901234567890123456789", 1e13, "1 000 mrd.", 1_000_000_000_000,
                                   "9" * 400 + " mrd."])  # the last beyond what a float holds: infinity
def test_an_amount_of_a_thousand_billion_or_more_is_refused_as_extra_digits(value):
    for parse in (parse_amount, cell_parser("amount")):
        with pytest.raises(ValueProblem) as problem:
            parse(value)
        assert "under 1 000 milliarder kr" in problem.value.expected


def test_the_largest_believable_amounts_are_still_read():
    assert parse_amount("999 mrd.") == 999_000_000_000
    assert cell_parser("amount")(2.5e9) == 2.5e9


def test_a_value_with_line_breaks_is_shown_on_one_line_with_a_mark_for_each():
    # «fant «Første linje<newline>andre linje»» broke the command line's one line per problem
    assert shown("Første linje\nandre linje\r\n tredje") == "Første linje ↵ andre linje ↵ tredje"


def test_the_amounts_the_messages_give_as_examples_never_break_across_lines():
    # On a narrow Importer page the message read «i kroner som 1 500 ⏎ 000, 1 500 000 ⏎ kr»
    from loaders.values import EXPECTED

    for kind, text in EXPECTED.items():
        assert not re.search(r"\d (\d|kr\b|mill\.|mrd\.)", text), (kind, text)
    assert "1\u00a0500\u00a0000\u00a0kr" in EXPECTED["amount"]
