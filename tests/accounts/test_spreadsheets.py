"""The one place that keeps exported text from running as a spreadsheet formula."""

import csv
import io

import pytest

from productops import spreadsheets

DANGEROUS = [
    '=HYPERLINK("http://evil","x")',
    "@SUM(1)",
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("value", DANGEROUS)
def test_text_a_spreadsheet_would_run_gets_a_leading_apostrophe(value):
    assert spreadsheets.neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Order Completed", "a = b", "", "x-y", "50% off"])
def test_ordinary_text_is_written_as_it_is(value):
    assert spreadsheets.neutralise(value) == value


def test_numbers_and_empty_cells_are_left_alone():
    assert spreadsheets.neutralise(-5) == -5
    assert spreadsheets.neutralise(None) is None


@pytest.mark.parametrize(
    "value", [*DANGEROUS, "-foo", "=x", "'quoted", "''twice", "'=already marked", "plain", ""]
)
def test_a_csv_round_trip_gives_back_exactly_what_was_written(value):
    out = io.StringIO()
    spreadsheets.writer(out).writerow([value, "next"])
    [cell, other] = next(csv.reader(io.StringIO(out.getvalue())))
    assert cell == spreadsheets.neutralise(value)
    assert spreadsheets.unescape(cell) == value
    assert other == "next"


def test_unescape_leaves_an_apostrophe_that_is_not_the_mark():
    assert spreadsheets.unescape("'tis the season") == "'tis the season"


@pytest.mark.parametrize("value", DANGEROUS[:4] + ["=x", "-foo"])
def test_formula_looking_text_is_recognised(value):
    assert spreadsheets.looks_like_formula(value)


@pytest.mark.parametrize("value", ["-5", "+1.5", "-1,000", "1e3", "plain", "'=marked", "", None])
def test_numbers_and_marked_text_are_not_formulas(value):
    assert not spreadsheets.looks_like_formula(value)
