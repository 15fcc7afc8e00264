"""next_number: the only way a document number is taken."""
from __future__ import annotations

from sqlalchemy import select

from shared.db import in_unit_of_work
from shared.extensions import db
from shared.sequences.models import Sequence
from shared.upsert import insert_ignore

# code -> (prefix, padding, yearly); modules add their own with register_sequence.
SEQUENCE_DEFINITIONS: dict[str, tuple[str, int, bool]] = {
    "partner": ("P", 5, False),
}


def register_sequence(code: str, prefix: str, padding: int = 5, yearly: bool = False) -> None:
    SEQUENCE_DEFINITIONS[code] = (prefix, padding, yearly)


def next_number(code: str, year: int | None = None) -> str:
    """Take the next number of `code` (for `year` if the sequence is yearly).

    Must run inside the caller's unit of work: the row stays locked until it commits, and a
    rollback gives the number back, so numbers have no gaps.
    """
    if not in_unit_of_work():
        raise RuntimeError("next_number must run inside a @transactional service")
    prefix, padding, yearly = SEQUENCE_DEFINITIONS[code]
    seq_year = (year or 0) if yearly else 0
    db.session.execute(insert_ignore(
        Sequence, {"code": code, "year": seq_year, "prefix": prefix, "padding": padding,
                   "next_value": 1}, ["code", "year"]))
    row = db.session.execute(
        select(Sequence).where(Sequence.code == code, Sequence.year == seq_year)
        .with_for_update()
    ).scalar_one()
    value = row.next_value
    row.next_value = value + 1
    return f"{row.prefix.format(year=seq_year)}{value:0{row.padding}d}"
