"""The one CSV helper every export writes through neutralises spreadsheet formulas."""
from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from shared.csvfiles import csv_lines, safe_cell, unescape_cell


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://evil.example\")", "+1+cmd|' /C calc'!A0",
                                  "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "-2.50"])
def test_text_that_a_spreadsheet_would_run_is_quoted_and_unquoted_again(text):
    assert safe_cell(text) == "'" + text
    assert unescape_cell(safe_cell(text)) == text


@pytest.mark.parametrize("value", [Decimal("-2.50"), -3, -1.5, 0, date(2026, 1, 2)])
def test_numbers_and_dates_stay_as_they_are(value):
    assert safe_cell(value) == value


def test_plain_text_and_none_pass_through():
    assert safe_cell("Lotus 'Retail'") == "Lotus 'Retail'"
    assert safe_cell(None) == ""
    assert unescape_cell("'quoted'") == "'quoted'"


def test_csv_lines_writes_every_cell_through_the_helper():
    text = "".join(csv_lines(["=title", "amount"], [["=1+1", Decimal("-2.50")], [None, 3]]))
    assert text.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(text.lstrip("\ufeff")))) == [
        ["'=title", "amount"], ["'=1+1", "-2.50"], ["", "3"]]


def test_no_export_writes_csv_but_through_the_helper():
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    writers = [str(path.relative_to(root)) for folder in ("erp", "crm", "shared")
               for path in (root / folder).rglob("*.py")
               if ("csv.writer" in (text := path.read_text(encoding="utf-8"))
                   or "csv.DictWriter" in text)]
    assert writers == ["shared/csvfiles.py"]
