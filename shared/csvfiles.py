"""CSV downloads that a spreadsheet opens safely: the one helper every export writes through.

A spreadsheet runs a cell that starts with =, +, -, @, a TAB or a CR as a formula
(`=HYPERLINK(...)`, `+1+cmd|...`), so any text cell that starts with one of them is written
with a leading apostrophe, which spreadsheets show as text (OWASP's advice). Numbers are not
text: a Decimal, int or float is written as it is, so a negative amount (-2.50) stays a number.
`unescape_cell` takes the apostrophe off again when such a file is imported.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FLUSH_AT = 64_000  # characters per streamed chunk


def safe_cell(value: object) -> object:
    """The value as a CSV cell that no spreadsheet runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal | date | datetime):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unescape_cell(text: str) -> str:
    """An imported cell as it was before `safe_cell` (an exported file imports unchanged)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def csv_lines(header: Iterable[object], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """The header and rows as CSV text in chunks, for a streamed download; UTF-8 with a BOM so
    that Excel opens Chinese text, every cell through `safe_cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    buffer.write("\ufeff")
    writer.writerow([safe_cell(cell) for cell in header])
    yield flush()
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
        if buffer.tell() > FLUSH_AT:
            yield flush()
    yield flush()
