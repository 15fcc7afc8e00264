"""next_number: the only way a document number is taken."""
from __future__ import annotations

from sqlalchemy import select

from shared.db import in_unit_of_work
from shared.extensions import db
from shared.registry import current_registry
from shared.sequences.models import Sequence
from shared.upsert import insert_ignore

# Each area declares its sequences in its init_app: registry.add_sequence(code, prefix, ...).

def _locked_row(code: str, year: int | None) -> Sequence:
    """The sequence row of `code` (and `year` when yearly), created if missing, locked until
    the caller's unit of work ends."""
    if not in_unit_of_work():
        raise RuntimeError("document numbers must be taken inside a @transactional service")
    spec = current_registry().sequences[code]
    seq_year = (year or 0) if spec.yearly else 0
    locked = select(Sequence).where(Sequence.code == code, Sequence.year == seq_year) \
        .with_for_update()
    row = db.session.execute(locked).scalar_one_or_none()
    if row is not None:  # the usual case: one statement, no INSERT attempted each time
        return row
    # First number of this code (and year): create the row unless a concurrent transaction
    # just did (it then waits for that one to end), and lock whichever row exists.
    db.session.execute(insert_ignore(
        Sequence, {"code": code, "year": seq_year, "prefix": spec.prefix, "padding": spec.padding,
                   "next_value": 1}, ["code", "year"]))
    return db.session.execute(locked).scalar_one()


def next_numbers(code: str, count: int, year: int | None = None) -> list[str]:
    """Take the next `count` numbers of `code` (for `year` if the sequence is yearly).

    The row stays locked until the caller's unit of work commits, and a rollback gives the
    numbers back, so numbers have no gaps.
    """
    row = _locked_row(code, year)
    first = row.next_value
    row.next_value = first + count
    return [f"{row.prefix.format(year=row.year)}{value:0{row.padding}d}"
            for value in range(first, first + count)]


def next_number(code: str, year: int | None = None) -> str:
    """Take the next number of `code`: the only way a document number is taken."""
    return next_numbers(code, 1, year)[0]
